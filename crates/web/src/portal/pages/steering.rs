//! The steering group in the portal: its members, meetings and action items; a meeting with its
//! agenda, minutes (Markdown, rendered safely), decisions and action items, the forms of the
//! chair and the secretary, and the meeting's report as PDF. Members and the administrator see
//! it; anyone else gets 404. Every decision is the service's.

use super::*;
use chrono::{NaiveDateTime, TimeZone, Utc};
use cyberveilig_domain::steering::{ActionStatus, MinutesState};
use cyberveilig_services::steering::{ActionInput, MeetingInput};
use cyberveilig_services::store::records::{SteeringActionItem, SteeringMember};

fn action_value(visitor: &Visitor, a: &SteeringActionItem, members: &[SteeringMember], today: NaiveDate) -> Value {
    let owner = members
        .iter()
        .find(|m| m.id == a.owner_id)
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let dutch = visitor.lang.is_dutch();
    context! {
        id => a.id, meeting_id => a.meeting_id, title => a.title.clone(), owner, due_on => a.due_on.to_string(),
        status => a.status.as_str(), status_text => a.status.label(dutch),
        overdue => a.status == ActionStatus::Open && a.due_on < today,
    }
}

/// `GET /stuurgroep`: members, meetings (latest first) and the open action items.
pub async fn group(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    let members = match state.services.steering_members(&actor).await {
        Ok(m) => m,
        Err(e) => return refusal(&visitor, &e),
    };
    let meetings = match state.services.steering_meetings(&actor, None, PAGE).await {
        Ok(m) => m,
        Err(e) => return refusal(&visitor, &e),
    };
    let actions = match state.services.steering_actions(&actor).await {
        Ok(a) => a,
        Err(e) => return refusal(&visitor, &e),
    };
    let today = brussels_date(state.services.clock.now());
    let dutch = visitor.lang.is_dutch();
    let member_values: Vec<Value> = members
        .iter()
        .map(|m| context! { name => m.name.clone(), organisation => m.organisation.clone(), role => m.role.label(dutch) })
        .collect();
    let meeting_values: Vec<Value> = meetings
        .iter()
        .map(|m| {
            context! { id => m.id, title => m.title.clone(), starts_at => m.starts_at.to_rfc3339(), place => m.place.clone(),
            minutes => m.minutes.is_some(), approved => m.minutes_state == MinutesState::Approved }
        })
        .collect();
    let open: Vec<Value> = actions
        .iter()
        .filter(|a| a.status == ActionStatus::Open)
        .map(|a| action_value(&visitor, a, &members, today))
        .collect();
    visitor.page(
        "steering.html",
        context! { members => member_values, meetings => meeting_values, open },
    )
}

/// `GET /stuurgroep/{id}`: a meeting with everything recorded of it.
pub async fn meeting(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    meeting_page(&state, &visitor, &actor, id, None).await
}

async fn meeting_page(state: &AppState, visitor: &Visitor, actor: &Actor, id: i64, error: Option<String>) -> Response {
    let view = match state.services.steering_meeting(actor, id).await {
        Ok(v) => v,
        Err(e) => return refusal(visitor, &e),
    };
    let members = match state.services.steering_members(actor).await {
        Ok(m) => m,
        Err(e) => return refusal(visitor, &e),
    };
    let today = brussels_date(state.services.clock.now());
    let dutch = visitor.lang.is_dutch();
    let m = &view.meeting;
    let minutes_html = m.minutes.as_deref().map(cyberveilig_publish::markdown::to_html);
    let decisions: Vec<Value> = view
        .decisions
        .iter()
        .map(|d| context! { number => d.number, text => d.text.clone() })
        .collect();
    let actions: Vec<Value> = view.actions.iter().map(|a| action_value(visitor, a, &members, today)).collect();
    let owners: Vec<Value> = members.iter().map(|m| context! { id => m.id, name => m.name.clone() }).collect();
    let documents: Vec<Value> = view
        .documents
        .iter()
        .map(|d| context! { id => d.id, title => d.title.clone(), filename => d.filename.clone(), size_kib => (d.size + 1023) / 1024 })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "steering_meeting.html",
        context! {
            id => m.id, title => m.title.clone(), starts_at => m.starts_at.to_rfc3339(), place => m.place.clone(),
            agenda => view.agenda.clone(), minutes => m.minutes.clone().unwrap_or_default(),
            minutes_html => minutes_html.map(Value::from_safe_string),
            approved => m.minutes_state == MinutesState::Approved, minutes_state => m.minutes_state.label(dutch),
            next_meeting_id => view.next_meeting_id, keeper => view.may_keep_records, decisions, actions, owners, documents, error,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct MinutesForm {
    #[serde(default)]
    minutes: String,
}

/// `POST /stuurgroep/{id}/notulen`: the draft minutes (Markdown).
pub async fn write_minutes(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<MinutesForm>,
) -> Response {
    match state.services.write_steering_minutes(&actor, id, &form.minutes).await {
        Ok(_) => Redirect::to(&format!("/stuurgroep/{id}#notulen")).into_response(),
        Err(e) if is_bad_input(&e) => meeting_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

/// `POST /stuurgroep/{id}/goedkeuren`: the minutes approved, at the next meeting.
pub async fn approve_minutes(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(_): PageForm<NoFields>,
) -> Response {
    match state.services.approve_steering_minutes(&actor, id).await {
        Ok(_) => Redirect::to(&format!("/stuurgroep/{id}#notulen")).into_response(),
        Err(e) if is_bad_input(&e) => meeting_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    text: String,
}

/// `POST /stuurgroep/{id}/besluiten`: a decision, numbered.
pub async fn decide(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<DecisionForm>,
) -> Response {
    match state.services.record_steering_decision(&actor, id, &form.text).await {
        Ok(_) => Redirect::to(&format!("/stuurgroep/{id}#besluiten")).into_response(),
        Err(e) if is_bad_input(&e) => meeting_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    due_on: String,
    /// Empty, or the item of the action plan it follows up.
    #[serde(default)]
    plan_item_id: String,
}

/// `POST /stuurgroep/{id}/acties`: an action item for a member.
pub async fn give_action(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    let plan_item = match form.plan_item_id.trim() {
        "" => Ok(None),
        id => id.parse::<i64>().map(Some),
    };
    let input = match (
        form.owner_id.trim().parse::<i64>(),
        NaiveDate::parse_from_str(form.due_on.trim(), "%Y-%m-%d"),
        plan_item,
    ) {
        (Ok(owner_id), Ok(due_on), Ok(plan_item_id)) => ActionInput {
            title: form.title.clone(),
            owner_id,
            due_on,
            plan_item_id,
        },
        _ => {
            let e = ServiceError::invalid(
                "due_on",
                "Choose the owner and the due date.",
                "Kies de eigenaar en de vervaldatum.",
            );
            return meeting_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await;
        }
    };
    match state.services.give_steering_action(&actor, id, input).await {
        Ok(_) => Redirect::to(&format!("/stuurgroep/{id}#acties")).into_response(),
        Err(e) if is_bad_input(&e) => meeting_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    meeting: String,
}

/// `POST /stuurgroep/acties/{id}/status`: an action item done, dropped or open again.
pub async fn action_status(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<StatusForm>,
) -> Response {
    let Ok(status) = form.status.parse::<ActionStatus>() else {
        return refusal(
            &visitor,
            &ServiceError::invalid("status", "Choose open, done or dropped.", "Kies open, afgerond of geschrapt."),
        );
    };
    let back = form
        .meeting
        .parse::<i64>()
        .map(|m| format!("/stuurgroep/{m}#acties"))
        .unwrap_or_else(|_| "/stuurgroep".into());
    match state.services.set_steering_action_status(&actor, id, status).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => refusal(&visitor, &e),
    }
}

/// `GET /stuurgroep/{id}/rapport.pdf`: the meeting's report from live data, in the visitor's language.
pub async fn report(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    match state.services.steering_report_pdf(&actor, id, visitor.lang.is_dutch()).await {
        Ok(bytes) => crate::api::attachment(bytes, crate::api::PDF, &format!("stuurgroep-{id}.pdf")),
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct MeetingForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    agenda: String,
}

/// `POST /stuurgroep/vergaderingen`: a meeting planned by the chair or the secretary.
pub async fn plan(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<MeetingForm>) -> Response {
    let starts_at = NaiveDateTime::parse_from_str(form.starts_at.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|local| chrono_tz::Europe::Brussels.from_local_datetime(&local).earliest())
        .map(|t| t.with_timezone(&Utc));
    let Some(starts_at) = starts_at else {
        return refusal(
            &visitor,
            &ServiceError::invalid("starts_at", "Give a date and a time.", "Geef een datum en een uur."),
        );
    };
    let input = MeetingInput {
        title: form.title.clone(),
        starts_at,
        place: form.place.clone(),
        agenda: form
            .agenda
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    match state.services.plan_steering_meeting(&actor, input).await {
        Ok(view) => Redirect::to(&format!("/stuurgroep/{}", view.meeting.id)).into_response(),
        Err(e) => refusal(&visitor, &e),
    }
}

/// `POST /stuurgroep/{id}/documenten`: a keeper attaches a PDF (a multipart form).
pub async fn attach_document(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (mut csrf, mut title, mut file) = (String::new(), String::new(), None);
    if let Ok(mut form) = form {
        while let Ok(Some(field)) = form.next_field().await {
            match field.name().unwrap_or("") {
                "csrf" => csrf = field.text().await.unwrap_or_default(),
                "title" => title = field.text().await.unwrap_or_default(),
                "document" => {
                    let name = field.file_name().unwrap_or("").to_owned();
                    if let Ok(bytes) = field.bytes().await
                        && (!bytes.is_empty() || !name.is_empty())
                    {
                        file = Some((name, bytes.to_vec()));
                    }
                }
                _ => {}
            }
        }
    }
    if let Err(refused) = visitor.check_csrf(&csrf) {
        return refused;
    }
    let Some((filename, content)) = file else {
        let e = ServiceError::invalid("document", "Choose the document (a PDF).", "Kies het document (een PDF).");
        return meeting_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await;
    };
    match state
        .services
        .attach_steering_document(&actor, id, &title, &filename, &content)
        .await
    {
        Ok(_) => Redirect::to(&format!("/stuurgroep/{id}#documenten")).into_response(),
        Err(e) if is_bad_input(&e) => meeting_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

/// `GET /stuurgroep/{id}/documenten/{document}`: a meeting's document, as a download.
pub async fn document(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId((id, document)): PageId<(i64, i64)>,
) -> Response {
    match state.services.steering_document(&actor, id, document).await {
        Ok((d, content)) => crate::api::attachment(content, crate::api::PDF, &d.filename),
        Err(e) => refusal(&visitor, &e),
    }
}
