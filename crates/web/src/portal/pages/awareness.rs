//! Awareness events in the portal (VVSG's work package 3): the coming and past events, an event
//! with registration and its calendar file, VVSG's form, registrants and attendance, the reach,
//! and one's own calendar feed. Every decision is the service's.

use super::*;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use cyberveilig_domain::awareness::{Audience, EventKind, RegistrationState};
use cyberveilig_services::awareness::{EventInput, EventView};

type Pairs = Vec<(String, String)>;

fn field<'a>(form: &'a Pairs, name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// A `datetime-local` value, in Brussels time.
fn brussels_instant(text: &str) -> Option<DateTime<Utc>> {
    let local = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok()?;
    chrono_tz::Europe::Brussels
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// An instant as a `datetime-local` value in Brussels time.
fn local_value(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Brussels).format("%Y-%m-%dT%H:%M").to_string()
}

fn summary(visitor: &Visitor, v: &EventView) -> Value {
    let e = v.event();
    context! {
        id => e.id, title => e.title.clone(), kind => e.kind.as_str(), starts_at => e.starts_at.to_rfc3339(),
        ends_at => e.ends_at.to_rfc3339(), place => e.place.clone().or(e.online_url.as_ref().map(|_| visitor.text("awareness-online"))),
        capacity => e.capacity, registered => v.counts.registered, waiting => v.counts.waiting,
        attended => v.counts.attended, organisations => v.counts.organisations, cancelled => e.cancelled_at.is_some(),
        mine => v.mine.as_ref().map(|r| r.state.as_str()), full => v.counts.registered >= e.capacity,
    }
}

fn is_organiser(actor: &Actor) -> bool {
    actor.role == Role::AssociationMember
}

fn sees_reach(actor: &Actor) -> bool {
    matches!(actor.role, Role::AssociationMember | Role::ProgrammeAdmin)
}

/// `GET /evenementen`: the coming events (or `?voorbij=1` the past ones), a page at a time
/// (`?na=<id>`), one's own events and calendar feed.
pub async fn list(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<HashMap<String, String>>) -> Response {
    let past = q.get("voorbij").is_some_and(|v| v == "1");
    let after = match q.get("na").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return not_found(&visitor),
        },
    };
    let items = match state.services.awareness_events(&actor, past, after, PAGE).await {
        Ok(items) => items,
        Err(e) => return refusal(&visitor, &e),
    };
    let next = (items.len() as i64 == PAGE).then(|| items.last().map(|v| v.event().id)).flatten();
    let mine = match state.services.my_registrations(&actor).await {
        Ok(mine) => mine,
        Err(e) => return refusal(&visitor, &e),
    };
    let mine: Vec<Value> = mine
        .iter()
        .map(|(r, e)| context! { id => e.id, title => e.title.clone(), starts_at => e.starts_at.to_rfc3339(), state => r.state.as_str(), cancelled => e.cancelled_at.is_some() })
        .collect();
    let has_feed = state.services.has_calendar_feed(&actor).await.unwrap_or(false);
    let items: Vec<Value> = items.iter().map(|v| summary(&visitor, v)).collect();
    visitor.page(
        "awareness_events.html",
        context! { items, past, next, mine, has_feed, may_organise => is_organiser(&actor), sees_reach => sees_reach(&actor) },
    )
}

/// `GET /evenementen/{id}`: the event, registration, and for VVSG the registrants.
pub async fn page(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    event_page(&state, &visitor, &actor, id, None).await
}

async fn event_page(state: &AppState, visitor: &Visitor, actor: &Actor, id: i64, error: Option<String>) -> Response {
    let view = match state.services.awareness_event(actor, id).await {
        Ok(view) => view,
        Err(e) => return refusal(visitor, &e),
    };
    let registrants: Vec<Value> = if view.can_see_registrants {
        match state.services.event_registrants(actor, id).await {
            Ok(list) => list
                .iter()
                .filter(|r| r.registration.state != RegistrationState::Cancelled)
                .map(|r| {
                    context! { person_id => r.registration.person_id, name => r.name.clone(), email => r.email.clone(),
                    organisation => r.organisation.clone(), state => r.registration.state.as_str(),
                    registered_at => r.registration.registered_at.to_rfc3339(), attended => r.registration.attended }
                })
                .collect(),
            Err(e) => return refusal(visitor, &e),
        }
    } else {
        Vec::new()
    };
    let dutch = visitor.lang.is_dutch();
    let materials: Vec<Value> = state
        .services
        .event_materials(Some(actor), id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|m| {
            let title = match (&m.version.title_en, dutch) {
                (Some(en), false) => en.clone(),
                _ => m.version.title_nl.clone(),
            };
            context! { id => m.item.id, title, kind => m.item.kind.label(dutch) }
        })
        .collect();
    let e = view.event();
    let audience: Vec<String> = e
        .audience
        .iter()
        .map(|a| visitor.text(&format!("awareness-audience-{}", a.as_str())))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "awareness_event.html",
        context! {
            e => summary(visitor, &view), paragraphs => e.description.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect::<Vec<_>>(), audience, place => e.place.clone(),
            online_url => e.online_url.clone(), deadline => e.registration_deadline.to_rfc3339(),
            cancelled_reason => e.cancelled_reason.clone(), open_to_others => e.open_to_others, organiser => view.organiser.clone(),
            waiting_position => view.waiting_position, registration_open => view.registration_open,
            can_register => view.can_register, can_manage => view.can_manage && is_organiser(actor),
            can_record => is_organiser(actor) && view.started && e.cancelled_at.is_none(),
            started => view.started, registrants, materials, error,
        },
    )
}

fn input_of(form: &Pairs) -> Result<EventInput, ServiceError> {
    let instant = |name: &'static str| {
        brussels_instant(field(form, name))
            .ok_or_else(|| ServiceError::invalid(name, "Give a date and a time.", "Geef een datum en een uur."))
    };
    let kind: EventKind = field(form, "kind")
        .parse()
        .map_err(|_| ServiceError::invalid("kind", "Choose the kind of event.", "Kies het soort evenement."))?;
    let audience = form
        .iter()
        .filter(|(k, _)| k == "audience")
        .map(|(_, v)| v.parse::<Audience>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ServiceError::invalid("audience", "Choose the audience.", "Kies het doelpubliek."))?;
    let capacity = field(form, "capacity").trim().parse::<i64>().map_err(|_| {
        ServiceError::invalid(
            "capacity",
            "The capacity is a number of places.",
            "De capaciteit is een aantal plaatsen.",
        )
    })?;
    let optional = |name: &str| Some(field(form, name).trim().to_owned()).filter(|v| !v.is_empty());
    Ok(EventInput {
        kind,
        title: field(form, "title").to_owned(),
        description: field(form, "description").to_owned(),
        audience,
        starts_at: instant("starts_at")?,
        ends_at: instant("ends_at")?,
        place: optional("place"),
        online_url: optional("online_url"),
        capacity,
        registration_deadline: instant("registration_deadline")?,
        open_to_others: field(form, "open_to_others") == "1",
    })
}

const FIELDS: [&str; 10] = [
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "registration_deadline",
    "open_to_others",
];

fn form_page(visitor: &Visitor, form: &Pairs, editing: Option<i64>, error: Option<String>) -> Response {
    let chosen: Vec<&str> = form.iter().filter(|(k, _)| k == "audience").map(|(_, v)| v.as_str()).collect();
    let audiences: Vec<Value> = Audience::ALL
        .iter()
        .map(|a| context! { code => a.as_str(), text => visitor.text(&format!("awareness-audience-{}", a.as_str())), checked => chosen.contains(&a.as_str()) })
        .collect();
    let kinds: Vec<Value> = EventKind::ALL
        .iter()
        .map(|k| context! { code => k.as_str(), text => visitor.text(&format!("awareness-kind-{}", k.as_str())) })
        .collect();
    // Every field has a value, blank on a new form; a new event is a webinar for 100 by default.
    let mut values: std::collections::BTreeMap<String, String> = FIELDS.iter().map(|f| (f.to_string(), String::new())).collect();
    values.insert("kind".into(), "webinar".into());
    values.insert("capacity".into(), "100".into());
    values.extend(form.iter().filter(|(k, _)| k != "audience").cloned());
    let v = Value::from(values);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(status, "awareness_form.html", context! { v, audiences, kinds, editing, error })
}

fn pairs_of(view: &EventView) -> Pairs {
    let e = view.event();
    let mut pairs = vec![
        ("kind".to_owned(), e.kind.as_str().to_owned()),
        ("title".to_owned(), e.title.clone()),
        ("description".to_owned(), e.description.clone()),
        ("starts_at".to_owned(), local_value(e.starts_at)),
        ("ends_at".to_owned(), local_value(e.ends_at)),
        ("place".to_owned(), e.place.clone().unwrap_or_default()),
        ("online_url".to_owned(), e.online_url.clone().unwrap_or_default()),
        ("capacity".to_owned(), e.capacity.to_string()),
        ("registration_deadline".to_owned(), local_value(e.registration_deadline)),
        ("open_to_others".to_owned(), if e.open_to_others { "1" } else { "" }.to_owned()),
    ];
    pairs.extend(e.audience.iter().map(|a| ("audience".to_owned(), a.as_str().to_owned())));
    pairs
}

/// `GET /evenementen/nieuw`: VVSG's form for a new event.
pub async fn new_page(Member(visitor, actor): Member) -> Response {
    if !is_organiser(&actor) {
        return forbidden(&visitor);
    }
    form_page(&visitor, &Vec::new(), None, None)
}

/// `POST /evenementen/nieuw`.
pub async fn create(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<Pairs>) -> Response {
    if !is_organiser(&actor) {
        return forbidden(&visitor);
    }
    let result = match input_of(&form) {
        Ok(input) => state.services.create_awareness_event(&actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(view) => Redirect::to(&format!("/evenementen/{}", view.event().id)).into_response(),
        Err(e) if is_bad_input(&e) => form_page(&visitor, &form, None, Some(visitor.error_text(&e))),
        Err(e) => refusal(&visitor, &e),
    }
}

/// `GET /evenementen/{id}/wijzigen`: the event to change, before it starts.
pub async fn change_page(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    match state.services.awareness_event(&actor, id).await {
        Ok(view) if view.can_manage => form_page(&visitor, &pairs_of(&view), Some(id), None),
        Ok(_) => forbidden(&visitor),
        Err(e) => refusal(&visitor, &e),
    }
}

/// `POST /evenementen/{id}/wijzigen`.
pub async fn change(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<Pairs>,
) -> Response {
    let result = match input_of(&form) {
        Ok(input) => state.services.change_awareness_event(&actor, id, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/evenementen/{id}")).into_response(),
        Err(e) if is_bad_input(&e) => form_page(&visitor, &form, Some(id), Some(visitor.error_text(&e))),
        Err(e) => refusal(&visitor, &e),
    }
}

/// `POST /evenementen/{id}/inschrijven`: a place, or the waiting list.
pub async fn register(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(_): PageForm<NoFields>,
) -> Response {
    match state.services.register_for_event(&actor, id).await {
        Ok(_) => Redirect::to(&format!("/evenementen/{id}")).into_response(),
        Err(e) if is_bad_input(&e) => event_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

/// `POST /evenementen/{id}/uitschrijven`.
pub async fn unregister(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(_): PageForm<NoFields>,
) -> Response {
    match state.services.cancel_registration(&actor, id).await {
        Ok(_) => Redirect::to(&format!("/evenementen/{id}")).into_response(),
        Err(e) if is_bad_input(&e) => event_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
}

/// `POST /evenementen/{id}/annuleren`: VVSG cancels; everyone registered is told.
pub async fn cancel(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<CancelForm>,
) -> Response {
    match state.services.cancel_awareness_event(&actor, id, &form.reason).await {
        Ok(_) => Redirect::to(&format!("/evenementen/{id}")).into_response(),
        Err(e) if is_bad_input(&e) => event_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

/// `POST /evenementen/{id}/aanwezigheid`: who came (checked) and who did not, of those with a place.
pub async fn attendance(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<Pairs>,
) -> Response {
    let present: Vec<i64> = form
        .iter()
        .filter(|(k, _)| k == "present")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let listed: Vec<i64> = form
        .iter()
        .filter(|(k, _)| k == "listed")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let entries: Vec<(i64, bool)> = listed.iter().map(|p| (*p, present.contains(p))).collect();
    match state.services.record_attendance(&actor, id, &entries).await {
        Ok(_) => Redirect::to(&format!("/evenementen/{id}#aanwezigheid")).into_response(),
        Err(e) if is_bad_input(&e) => event_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

/// `GET /evenementen/{id}/agenda.ics`: the event for one's calendar.
pub async fn ics(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    if let Err(e) = state.services.awareness_event(&actor, id).await {
        return refusal(&visitor, &e);
    }
    match state.services.event_ics(id).await {
        Ok(text) => crate::api::attachment(text, crate::api::CALENDAR, &format!("evenement-{id}.ics")),
        Err(e) => refusal(&visitor, &e),
    }
}

/// `GET /evenementen/bereik`: how far the events reach, for VVSG and the administrator.
pub async fn reach(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    let reach = match state.services.awareness_reach(&actor).await {
        Ok(reach) => reach,
        Err(e) => return refusal(&visitor, &e),
    };
    let dutch = visitor.lang.is_dutch();
    let percent = |part: i64, whole: i64| if whole > 0 { (part * 1000 / whole) as f64 / 10.0 } else { 0.0 };
    let provinces: Vec<Value> = reach
        .provinces
        .iter()
        .map(|p| context! { name => if dutch { p.province.name_nl() } else { p.province.name_en() }, municipalities => p.municipalities, reached => p.reached, percent => percent(p.reached, p.municipalities) })
        .collect();
    let months: Vec<Value> = reach
        .months
        .iter()
        .map(
            |(month, reached)| context! { month => month.clone(), reached => *reached, percent => percent(*reached, reach.municipalities) },
        )
        .collect();
    let events: Vec<Value> = reach
        .events
        .iter()
        .map(|c| context! { id => c.event.id, title => c.event.title.clone(), starts_at => c.event.starts_at.to_rfc3339(), registered => c.registered, attended => c.attended, organisations => c.organisations, cancelled => c.event.cancelled_at.is_some() })
        .collect();
    visitor.page(
        "awareness_reach.html",
        context! { municipalities => reach.municipalities, reached => reach.reached, percent => percent(reach.reached, reach.municipalities), provinces, months, events },
    )
}

/// `POST /evenementen/agenda`: makes (or renews) one's calendar feed and shows its address once.
pub async fn create_feed(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(_): PageForm<NoFields>) -> Response {
    match state.services.create_calendar_feed(&actor).await {
        Ok(token) => {
            let base = state.services.accounts.public_url.trim_end_matches('/').to_owned();
            visitor.page("awareness_feed.html", context! { url => format!("{base}/calendar/{token}.ics") })
        }
        Err(e) => refusal(&visitor, &e),
    }
}

/// `POST /evenementen/agenda/stoppen`: ends one's calendar feed.
pub async fn revoke_feed(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(_): PageForm<NoFields>) -> Response {
    match state.services.revoke_calendar_feed(&actor).await {
        Ok(_) => Redirect::to("/evenementen#agenda").into_response(),
        Err(e) => refusal(&visitor, &e),
    }
}
