//! The steering group over the API: members, meetings with agenda, minutes and decisions, action
//! items, and a meeting's report as PDF. The group is for its members and the administrator;
//! anyone else gets 404.

use super::schema::{ActionStatusName, SteeringRoleName};
use super::{next_cursor, paging};
use crate::AppState;
use crate::dto::Page;
use crate::extract::{Body, Caller, Id, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::steering::{ActionStatus, SteeringRole};
use cyberveilig_services::steering::{ActionInput, MeetingInput, MeetingView};
use cyberveilig_services::store::records::{SteeringActionItem, SteeringDocument, SteeringMember};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct SteeringMemberDto {
    /// The membership's id (an action item's owner).
    pub id: i64,
    pub person_id: i64,
    pub name: String,
    pub organisation: String,
    #[schema(value_type = SteeringRoleName, inline)]
    pub role: String,
    pub joined_at: DateTime<Utc>,
}

impl From<SteeringMember> for SteeringMemberDto {
    fn from(m: SteeringMember) -> SteeringMemberDto {
        SteeringMemberDto {
            id: m.id,
            person_id: m.person_id,
            name: m.name,
            organisation: m.organisation,
            role: m.role.as_str().to_owned(),
            joined_at: m.joined_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SteeringMemberList {
    pub items: Vec<SteeringMemberDto>,
}

#[derive(Serialize, ToSchema)]
pub struct SteeringActionDto {
    pub id: i64,
    pub meeting_id: i64,
    pub title: String,
    /// The membership that owns it.
    pub owner_id: i64,
    pub due_on: NaiveDate,
    #[schema(value_type = ActionStatusName, inline)]
    pub status: String,
    /// The item of VVSG's action plan it follows up.
    pub plan_item_id: Option<i64>,
}

impl From<SteeringActionItem> for SteeringActionDto {
    fn from(a: SteeringActionItem) -> SteeringActionDto {
        SteeringActionDto {
            id: a.id,
            meeting_id: a.meeting_id,
            title: a.title,
            owner_id: a.owner_id,
            due_on: a.due_on,
            status: a.status.as_str().to_owned(),
            plan_item_id: a.plan_item_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SteeringActionList {
    pub items: Vec<SteeringActionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct SteeringDecisionDto {
    /// Numbered 1, 2, 3 ... per meeting.
    pub number: i64,
    pub text: String,
    pub recorded_at: DateTime<Utc>,
}

/// A meeting in a list.
#[derive(Serialize, ToSchema)]
pub struct SteeringMeetingSummary {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    /// draft or approved (none while no minutes were written).
    pub minutes_state: Option<String>,
}

/// A meeting with its agenda, minutes (Markdown), decisions and action items.
#[derive(Serialize, ToSchema)]
pub struct SteeringMeetingDto {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub agenda: Vec<String>,
    pub minutes: Option<String>,
    /// draft or approved.
    pub minutes_state: String,
    /// The meeting at which the minutes were approved.
    pub approved_at_meeting_id: Option<i64>,
    pub decisions: Vec<SteeringDecisionDto>,
    pub actions: Vec<SteeringActionDto>,
    pub next_meeting_id: Option<i64>,
    pub may_keep_records: bool,
    /// The PDFs attached to it.
    pub documents: Vec<SteeringDocumentDto>,
}

/// A document attached to a meeting (a PDF; download it from its `href`).
#[derive(Serialize, ToSchema)]
pub struct SteeringDocumentDto {
    pub id: i64,
    pub title: String,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
    pub href: String,
}

impl From<SteeringDocument> for SteeringDocumentDto {
    fn from(d: SteeringDocument) -> SteeringDocumentDto {
        SteeringDocumentDto {
            href: format!("/api/v1/steering/meetings/{}/documents/{}", d.meeting_id, d.id),
            id: d.id,
            title: d.title,
            filename: d.filename,
            size: d.size,
            sha256: d.sha256,
            uploaded_at: d.uploaded_at,
        }
    }
}

impl From<MeetingView> for SteeringMeetingDto {
    fn from(v: MeetingView) -> SteeringMeetingDto {
        let m = v.meeting;
        SteeringMeetingDto {
            id: m.id,
            title: m.title,
            starts_at: m.starts_at,
            place: m.place,
            agenda: v.agenda,
            minutes: m.minutes,
            minutes_state: m.minutes_state.as_str().to_owned(),
            approved_at_meeting_id: m.approved_at_meeting_id,
            decisions: v
                .decisions
                .into_iter()
                .map(|d| SteeringDecisionDto {
                    number: d.number,
                    text: d.text,
                    recorded_at: d.recorded_at,
                })
                .collect(),
            actions: v.actions.into_iter().map(Into::into).collect(),
            next_meeting_id: v.next_meeting_id,
            may_keep_records: v.may_keep_records,
            documents: v.documents.into_iter().map(Into::into).collect(),
        }
    }
}

/// The group's current members, chair first.
#[utoipa::path(get, path = "/api/v1/steering/members", tag = "steering", security(("bearer" = [])),
    responses((status = 200, body = SteeringMemberList), (status = 404, body = Problem)))]
pub async fn members(State(state): State<AppState>, lang: Lang, Caller(actor): Caller) -> ApiResult<Json<SteeringMemberList>> {
    let items = state.services.steering_members(&actor).await.or_problem(lang)?;
    Ok(Json(SteeringMemberList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SteeringMemberRequest {
    #[schema(value_type = SteeringRoleName, inline)]
    pub role: String,
}

fn role_of(text: &str, lang: Lang) -> Result<SteeringRole, Problem> {
    text.parse().map_err(|_| {
        Problem::localized(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            lang,
            "Kies voorzitter, lid of secretaris.",
            "Choose chair, member or secretary.",
        )
        .field("role")
    })
}

/// Makes a person a member (or changes their role): the administrator.
#[utoipa::path(put, path = "/api/v1/steering/members/{id}", tag = "steering", security(("bearer" = [])), params(("id" = i64, Path, description = "The person")),
    request_body = SteeringMemberRequest,
    responses((status = 200, body = SteeringMemberDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_member(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(person_id): Id,
    Body(req): Body<SteeringMemberRequest>,
) -> ApiResult<Json<SteeringMemberDto>> {
    let role = role_of(&req.role, lang)?;
    Ok(Json(
        state
            .services
            .set_steering_member(&actor, person_id, role)
            .await
            .or_problem(lang)?
            .into(),
    ))
}

/// Ends a person's membership: the administrator.
#[utoipa::path(delete, path = "/api/v1/steering/members/{id}", tag = "steering", security(("bearer" = [])), params(("id" = i64, Path, description = "The person")),
    responses((status = 204, description = "No longer a member"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_member(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(person_id): Id) -> ApiResult<StatusCode> {
    state.services.remove_steering_member(&actor, person_id).await.or_problem(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SteeringMeetingQuery {
    /// From the `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 500 (50 by default).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The meetings, latest first.
#[utoipa::path(get, path = "/api/v1/steering/meetings", tag = "steering", security(("bearer" = [])), params(SteeringMeetingQuery),
    responses((status = 200, body = Page<SteeringMeetingSummary>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn meetings(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Params(query): Params<SteeringMeetingQuery>,
) -> ApiResult<Json<Page<SteeringMeetingSummary>>> {
    let (limit, after) = paging(query.limit, query.cursor.as_deref())?;
    let items = state.services.steering_meetings(&actor, after, limit).await.or_problem(lang)?;
    let next_cursor = next_cursor(&items, limit, |m| m.id);
    Ok(Json(Page {
        items: items
            .into_iter()
            .map(|m| SteeringMeetingSummary {
                id: m.id,
                title: m.title,
                starts_at: m.starts_at,
                place: m.place,
                minutes_state: m.minutes.is_some().then(|| m.minutes_state.as_str().to_owned()),
            })
            .collect(),
        next_cursor,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SteeringMeetingRequest {
    #[schema(pattern = "\\S", max_length = 200)]
    pub title: String,
    pub starts_at: DateTime<Utc>,
    #[schema(pattern = "\\S", max_length = 200)]
    pub place: String,
    #[schema(max_items = 40)]
    pub agenda: Vec<String>,
}

impl From<SteeringMeetingRequest> for MeetingInput {
    fn from(r: SteeringMeetingRequest) -> MeetingInput {
        MeetingInput {
            title: r.title,
            starts_at: r.starts_at,
            place: r.place,
            agenda: r.agenda,
        }
    }
}

/// Plans a meeting: the chair, the secretary or the administrator.
#[utoipa::path(post, path = "/api/v1/steering/meetings", tag = "steering", security(("bearer" = [])), request_body = SteeringMeetingRequest,
    responses((status = 201, body = SteeringMeetingDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn plan(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Body(req): Body<SteeringMeetingRequest>,
) -> ApiResult<(StatusCode, Json<SteeringMeetingDto>)> {
    let view = state.services.plan_steering_meeting(&actor, req.into()).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

#[utoipa::path(get, path = "/api/v1/steering/meetings/{id}", tag = "steering", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SteeringMeetingDto), (status = 404, body = Problem)))]
pub async fn meeting(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Json<SteeringMeetingDto>> {
    Ok(Json(state.services.steering_meeting(&actor, id).await.or_problem(lang)?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SteeringMinutesRequest {
    /// Markdown.
    #[schema(pattern = "\\S", max_length = 20000)]
    pub minutes: String,
}

/// Writes (or rewrites) a meeting's draft minutes; approved minutes no longer change.
#[utoipa::path(put, path = "/api/v1/steering/meetings/{id}/minutes", tag = "steering", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SteeringMinutesRequest,
    responses((status = 200, body = SteeringMeetingDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn write_minutes(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Body(req): Body<SteeringMinutesRequest>,
) -> ApiResult<Json<SteeringMeetingDto>> {
    Ok(Json(
        state
            .services
            .write_steering_minutes(&actor, id, &req.minutes)
            .await
            .or_problem(lang)?
            .into(),
    ))
}

/// Approves a meeting's minutes, at the next meeting once it has begun.
#[utoipa::path(post, path = "/api/v1/steering/meetings/{id}/approve-minutes", tag = "steering", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SteeringMeetingDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn approve_minutes(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<Json<SteeringMeetingDto>> {
    Ok(Json(
        state.services.approve_steering_minutes(&actor, id).await.or_problem(lang)?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SteeringDecisionRequest {
    #[schema(pattern = "\\S", max_length = 4000)]
    pub text: String,
}

/// Records a decision of the meeting; it gets the next number.
#[utoipa::path(post, path = "/api/v1/steering/meetings/{id}/decisions", tag = "steering", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SteeringDecisionRequest,
    responses((status = 200, body = SteeringMeetingDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Body(req): Body<SteeringDecisionRequest>,
) -> ApiResult<Json<SteeringMeetingDto>> {
    Ok(Json(
        state
            .services
            .record_steering_decision(&actor, id, &req.text)
            .await
            .or_problem(lang)?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SteeringActionRequest {
    #[schema(pattern = "\\S", max_length = 200)]
    pub title: String,
    /// A current membership's id.
    pub owner_id: i64,
    pub due_on: NaiveDate,
    /// The item of VVSG's action plan it follows up.
    #[serde(default)]
    pub plan_item_id: Option<i64>,
}

/// Gives an action item to a member.
#[utoipa::path(post, path = "/api/v1/steering/meetings/{id}/actions", tag = "steering", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SteeringActionRequest,
    responses((status = 201, body = SteeringActionDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn give_action(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Body(req): Body<SteeringActionRequest>,
) -> ApiResult<(StatusCode, Json<SteeringActionDto>)> {
    let input = ActionInput {
        title: req.title,
        owner_id: req.owner_id,
        due_on: req.due_on,
        plan_item_id: req.plan_item_id,
    };
    let item = state.services.give_steering_action(&actor, id, input).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// Every action item of the group, for its members and the administrator.
#[utoipa::path(get, path = "/api/v1/steering/actions", tag = "steering", security(("bearer" = [])),
    responses((status = 200, body = SteeringActionList), (status = 404, body = Problem)))]
pub async fn actions(State(state): State<AppState>, lang: Lang, Caller(actor): Caller) -> ApiResult<Json<SteeringActionList>> {
    let items = state.services.steering_actions(&actor).await.or_problem(lang)?;
    Ok(Json(SteeringActionList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SteeringActionStatusRequest {
    #[schema(value_type = ActionStatusName, inline)]
    pub status: String,
}

/// Moves an action item: its owner, the chair, the secretary or the administrator.
#[utoipa::path(post, path = "/api/v1/steering/actions/{id}/status", tag = "steering", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SteeringActionStatusRequest,
    responses((status = 200, body = SteeringActionDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn action_status(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Body(req): Body<SteeringActionStatusRequest>,
) -> ApiResult<Json<SteeringActionDto>> {
    let status: ActionStatus = req.status.parse().map_err(|_| {
        Problem::localized(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            lang,
            "Kies open, done of dropped.",
            "Choose open, done or dropped.",
        )
        .field("status")
    })?;
    Ok(Json(
        state
            .services
            .set_steering_action_status(&actor, id, status)
            .await
            .or_problem(lang)?
            .into(),
    ))
}

/// The meeting's report from live data (the grant's co-financing, the engagements, the group's
/// decisions and action items) as a tagged PDF, in the caller's language.
#[utoipa::path(get, path = "/api/v1/steering/meetings/{id}/report", tag = "steering", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "The report as PDF", content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn report(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Response> {
    let bytes = state
        .services
        .steering_report_pdf(&actor, id, lang.is_dutch())
        .await
        .or_problem(lang)?;
    Ok(super::attachment(bytes, super::PDF, &format!("stuurgroep-{id}.pdf")))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentParams {
    /// What the document is (one line).
    #[param(max_length = 200)]
    pub title: String,
    /// The file's name (it is kept with a `.pdf` extension).
    pub filename: Option<String>,
}

/// The chair, the secretary or the administrator attaches a PDF (at most 10 MiB) to a meeting;
/// the body is the PDF.
#[utoipa::path(post, path = "/api/v1/steering/meetings/{id}/documents", tag = "steering", security(("bearer" = [])),
    params(("id" = i64, Path), DocumentParams),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 201, body = SteeringDocumentDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn attach_document(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Params(p): Params<DocumentParams>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<SteeringDocumentDto>)> {
    let body = body.map_err(|_| {
        Problem::localized(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            lang,
            "Een document is hoogstens 10 MiB groot.",
            "A document is at most 10 MiB.",
        )
    })?;
    let filename = p.filename.unwrap_or_else(|| "document.pdf".to_owned());
    let document = state
        .services
        .attach_steering_document(&actor, id, &p.title, &filename, &body)
        .await
        .or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(document.into())))
}

/// A meeting's document, as a download: for the group's members and the administrator.
#[utoipa::path(get, path = "/api/v1/steering/meetings/{id}/documents/{document_id}", tag = "steering", security(("bearer" = [])),
    params(("id" = i64, Path), ("document_id" = i64, Path)),
    responses((status = 200, description = "The PDF, as a download", content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn document(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    crate::extract::Ids(id, document_id): crate::extract::Ids,
) -> ApiResult<Response> {
    let (document, content) = state.services.steering_document(&actor, id, document_id).await.or_problem(lang)?;
    Ok(super::attachment(content, super::PDF, &document.filename))
}
