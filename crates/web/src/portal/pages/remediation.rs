//! Remediation in the portal: the register's bulk status change and export, a finding's owner,
//! the assets with their findings counted (and their criticality), and the remediation day.

use super::findings::{FindingsQuery, register_page, register_view};
use super::*;
use cyberveilig_services::remediation::StatusChange;
use cyberveilig_services::remediation::day::{ActionRecord, DayRecord};
use cyberveilig_services::remediation::export::ExportFormat;

/// A form with repeated fields (checkboxes), as pairs in order.
type Pairs = Vec<(String, String)>;

fn field<'a>(form: &'a Pairs, name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

fn ids(form: &Pairs, name: &str) -> Vec<i64> {
    form.iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(','))
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

/// `POST /bevindingen/stand`: one step for the findings ticked (or all on the page), all or
/// nothing; back to the register with its filters.
pub async fn bulk_status(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<Pairs>) -> Response {
    let back: FindingsQuery = serde_urlencoded::from_str(field(&form, "back")).unwrap_or_default();
    let chosen = if field(&form, "all_on_page") == "1" {
        ids(&form, "page_ids")
    } else {
        ids(&form, "ids")
    };
    let until = match field(&form, "until").trim() {
        "" => Ok(None),
        text => parse_date(text, "until").map(Some),
    };
    let result = match until {
        Ok(until) => {
            let change = StatusChange {
                status: field(&form, "status").to_owned(),
                reason: Some(field(&form, "reason").to_owned()).filter(|r| !r.trim().is_empty()),
                until,
            };
            state.services.change_findings_status(&actor, &chosen, change).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(changed) => {
            let done = FindingsQuery {
                changed: Some(changed.len()),
                ..back
            };
            let qs = serde_urlencoded::to_string(&done).unwrap_or_default();
            Redirect::to(&format!("/bevindingen?{qs}")).into_response()
        }
        Err(e) => register_page(&state, &visitor, &actor, &back, Some(visitor.error_text(&e))).await,
    }
}

/// `GET /bevindingen/export?format=csv|xlsx&...`: the remediation plan with the register's filters.
pub async fn export(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<Vec<(String, String)>>) -> Response {
    let format = q.iter().find(|(k, _)| k == "format").map(|(_, v)| v.as_str()).unwrap_or("csv");
    let filters: FindingsQuery = serde_urlencoded::to_string(q.iter().filter(|(k, _)| k != "format").collect::<Vec<_>>())
        .ok()
        .and_then(|qs| serde_urlencoded::from_str(&qs).ok())
        .unwrap_or_default();
    let today = brussels_date(state.services.clock.now());
    let plan = match (ExportFormat::parse(format), filters.filters().query(&actor, today)) {
        (Ok(format), Ok(query)) => state.services.export_plan(&actor, query, format, visitor.lang.is_dutch()).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match plan {
        Ok(plan) => crate::api::remediation::file_response(plan),
        Err(ServiceError::Forbidden) => forbidden(&visitor),
        Err(_) => visitor.message(StatusCode::UNPROCESSABLE_ENTITY, "bad-form-title", "bad-form-body"),
    }
}

#[derive(Deserialize, Default)]
pub struct OwnerForm {
    #[serde(default)]
    owner_id: String,
}

/// `POST /bevindingen/{id}/eigenaar`: names (or clears) a finding's owner.
pub async fn set_owner(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(finding_id): PageId,
    PageForm(form): PageForm<OwnerForm>,
) -> Response {
    let owner = match form.owner_id.trim() {
        "" => Ok(None),
        text => text
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ServiceError::invalid("owner_id", "choose a person", "kies een persoon")),
    };
    let result = match owner {
        Ok(owner) => state.services.set_finding_owner(&actor, finding_id, owner).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/bevindingen/{finding_id}")).into_response(),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            super::findings::finding_page_with(&state, &visitor, &actor, finding_id, error).await
        }
    }
}

/// `GET /bevindingen/systemen`: the government's assets with their findings counted, where it
/// says how critical each is.
pub async fn assets(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    assets_page(&state, &visitor, &actor, None).await
}

async fn assets_page(state: &AppState, visitor: &Visitor, actor: &Actor, error: Option<String>) -> Response {
    if actor.role != Role::GovernmentMember {
        return forbidden(visitor);
    }
    let list = match state.services.asset_summaries(actor, actor.organisation_id).await {
        Ok(l) => l,
        Err(_) => return forbidden(visitor),
    };
    let assets: Vec<Value> = list
        .iter()
        .map(|s| {
            context! { id => s.asset.id, name => s.asset.name.clone(), hostname => s.asset.hostname.clone(), os => s.asset.os.clone(),
            criticality => s.asset.criticality.as_str(), open => s.open, act => s.act, attend => s.attend,
            track_star => s.track_star, track => s.track, overdue => s.overdue, information => s.information, total => s.total }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "assets.html",
        context! { assets, error, levels => ["low", "medium", "high"] },
    )
}

#[derive(Deserialize, Default)]
pub struct CriticalityForm {
    #[serde(default)]
    criticality: String,
}

/// `POST /systemen/{id}/kritikaliteit`: how much depends on an asset; its findings follow.
pub async fn set_criticality(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(asset_id): PageId,
    PageForm(form): PageForm<CriticalityForm>,
) -> Response {
    match state.services.set_asset_criticality(&actor, asset_id, &form.criticality).await {
        Ok(_) => Redirect::to("/bevindingen/systemen").into_response(),
        Err(e) => assets_page(&state, &visitor, &actor, Some(visitor.error_text(&e))).await,
    }
}

#[derive(Deserialize, Default)]
pub struct AgendaQuery {
    size: Option<String>,
}

/// `GET /bestellingen/{id}/remediedag`: the remediation day's agenda, printable; the firm
/// records the day here.
pub async fn agenda(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(order_id): PageId,
    Query(q): Query<AgendaQuery>,
) -> Response {
    let size = match nonempty(&q.size).map(str::parse::<i64>) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => return visitor.message(StatusCode::UNPROCESSABLE_ENTITY, "bad-form-title", "bad-form-body"),
    };
    agenda_page(&state, &visitor, &actor, order_id, size, None, None).await
}

/// The agenda's page; after a refusal, `typed` is the form as sent, shown again as typed.
async fn agenda_page(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    order_id: i64,
    size: Option<i64>,
    typed: Option<&Pairs>,
    error: Option<String>,
) -> Response {
    let agenda = match state.services.remediation_agenda(actor, order_id, size).await {
        Ok(a) => a,
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Unknown { .. } | ServiceError::Conflict { .. })) => {
            return visitor.page_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "message.html",
                context! { title => "", body => visitor.error_text(&e) },
            );
        }
        Err(e) => {
            return visitor.page_with_status(
                StatusCode::NOT_FOUND,
                "message.html",
                context! { title => "", body => visitor.error_text(&e) },
            );
        }
    };
    let today = brussels_date(state.services.clock.now());
    let record = agenda.record.as_ref();
    let items: Vec<Value> = agenda
        .items
        .iter()
        .map(|e| {
            let id = e.finding.id;
            let (started, note, start, owner) = match typed {
                Some(form) => (
                    field(form, &format!("started_{id}")) == "1",
                    Some(field(form, &format!("note_{id}")).to_owned()),
                    field(form, &format!("start_{id}")) == "1",
                    field(form, &format!("owner_{id}")).parse::<i64>().ok(),
                ),
                None => {
                    let action = record.and_then(|r| r.actions.iter().find(|a| a.finding_id == id));
                    (action.is_some_and(|a| a.started), action.map(|a| a.note.clone()), false, e.owner_id)
                }
            };
            context! { ..register_view(e, today), ..context! { started, note, start, chosen_owner => owner } }
        })
        .collect();
    let typed_people = typed.map(|form| ids(form, "people"));
    let people: Vec<Value> = agenda
        .people
        .iter()
        .map(|p| {
            let attended = match &typed_people {
                Some(chosen) => chosen.contains(&p.id),
                None => record.is_some_and(|r| r.people.iter().any(|(id, _)| *id == p.id)),
            };
            context! { id => p.id, name => p.name.clone(), attended }
        })
        .collect();
    let entry = match typed {
        Some(form) => context! { held_on => field(form, "held_on").to_owned(), attendees => field(form, "attendees").to_owned() },
        None => context! {
            held_on => record.map(|r| r.held_on.to_string()).unwrap_or_default(),
            attendees => record.map(|r| r.attendees.clone()).unwrap_or_default(),
        },
    };
    let day = record.map(|r| {
        context! { held_on => r.held_on.to_string(), attendees => r.attendees.clone(),
        people => r.people.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(), recorded_at => r.recorded_at.to_rfc3339() }
    });
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "agenda.html",
        context! {
            order => order_view(state, &agenda.order).await, items, people, day, entry, may_record => agenda.may_record,
            not_yet => agenda.not_yet, state_label => agenda.order.state.label(visitor.lang.is_dutch()),
            size => size.unwrap_or(cyberveilig_services::remediation::day::AGENDA_SIZE), today => today.to_string(), error,
        },
    )
}

/// `POST /bestellingen/{id}/remediedag`: the firm records the day.
pub async fn record_day(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(order_id): PageId,
    PageForm(form): PageForm<Pairs>,
) -> Response {
    let checked = |name: String| field(&form, &name) == "1";
    let record = match field(&form, "held_on").trim() {
        "" => Ok(None),
        text => parse_date(text, "held_on").map(Some),
    }
    .map(|held_on| DayRecord {
        held_on,
        attendees: field(&form, "attendees").to_owned(),
        people: ids(&form, "people"),
        actions: ids(&form, "finding")
            .into_iter()
            .map(|f| ActionRecord {
                finding_id: f,
                started: checked(format!("started_{f}")),
                note: field(&form, &format!("note_{f}")).to_owned(),
                start_work: checked(format!("start_{f}")),
                owner_id: field(&form, &format!("owner_{f}")).parse().ok(),
            })
            .collect(),
    });
    let result = match record {
        Ok(record) => state.services.record_remediation_day(&actor, order_id, record).await.map(|_| ()),
        Err(e) => Err(e),
    };
    let size = field(&form, "size").parse().ok();
    match result {
        Ok(()) => Redirect::to(&format!("/bestellingen/{order_id}/remediedag")).into_response(),
        Err(ServiceError::Forbidden) => forbidden(&visitor),
        Err(e) => agenda_page(&state, &visitor, &actor, order_id, size, Some(&form), Some(visitor.error_text(&e))).await,
    }
}
