//! Remediation over the API: the register with filters and owners, a bulk status change, a
//! finding's owner, the remediation plan as CSV or XLSX, and a basic audit's remediation day.

use super::findings::FindingDto;
use super::paging;
use super::schema::{DecisionFilter, ExportFormatFilter, FindingStatusFilter, FindingStatusName, RegisterSortFilter, SeverityFilter};
use crate::AppState;
use crate::dto::Page;
use crate::extract::{As, FirmsAndAdministrators, GovernmentsAndAdministrators, Remediation};
use crate::extract::{Body, Caller, Id, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use cyberveilig_services::remediation::day::{ActionRecord, Agenda, DayRecord};
use cyberveilig_services::remediation::export::ExportFormat;
use cyberveilig_services::remediation::{RegisterFilters, StatusChange};
use cyberveilig_services::store::records::{RegisterCursor, RegisterEntry, RegisterSort, RemediationDay};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A finding as the register shows it.
#[derive(Serialize, ToSchema)]
pub struct RegisterFindingDto {
    #[serde(flatten)]
    pub finding: FindingDto,
    /// act, attend, track* or track.
    pub decision: Option<String>,
    /// The remediation deadline the decision sets.
    pub due_on: Option<NaiveDate>,
    /// Open or in progress and past its deadline.
    pub overdue: bool,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub asset_name: Option<String>,
    /// The reason of the last remediation step (an accepted risk, a false positive).
    pub status_reason: Option<String>,
    /// Until when a risk is accepted.
    pub accepted_until: Option<NaiveDate>,
    /// Who took the last remediation step, such as accepting the risk.
    pub status_by: Option<String>,
}

impl RegisterFindingDto {
    pub fn of(e: RegisterEntry, today: NaiveDate) -> RegisterFindingDto {
        let f = e.finding;
        let overdue = f.due_on.is_some_and(|d| d < today) && f.status.is_open();
        RegisterFindingDto {
            decision: f.decision.map(|d| d.as_str().to_owned()),
            due_on: f.due_on,
            overdue,
            owner_id: e.owner_id,
            owner_name: e.owner_name,
            asset_name: e.asset_name,
            status_reason: e.status_reason,
            accepted_until: e.accepted_until,
            status_by: e.status_by_name,
            finding: f.into(),
        }
    }
}

/// The register's filters, sort and page.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct RegisterParams {
    #[param(pattern = "^([0-9]{5})?$")]
    pub government_nis: Option<String>,
    pub order_id: Option<i64>,
    #[param(value_type = Option<FindingStatusFilter>, inline)]
    pub status: Option<String>,
    #[param(value_type = Option<DecisionFilter>, inline)]
    pub decision: Option<String>,
    #[param(value_type = Option<SeverityFilter>, inline)]
    pub severity: Option<String>,
    #[param(pattern = "^([0-9]{1,18})?$")]
    pub asset_id: Option<String>,
    /// `me` (the findings you own) or a person's id.
    #[param(pattern = "^(me|[0-9]{1,18})?$")]
    pub owner: Option<String>,
    /// true: only open findings past their deadline.
    #[param(pattern = "^(true|false|1|0|on)?$")]
    pub overdue: Option<String>,
    /// priority by default.
    #[param(value_type = Option<RegisterSortFilter>, inline)]
    pub sort: Option<String>,
    /// From the `next_cursor` of the page before (with the same sort).
    #[param(pattern = "^[0-9a-f]{0,1200}$")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 500 (50 by default).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// For the export: csv by default.
    #[param(value_type = Option<ExportFormatFilter>, inline)]
    pub format: Option<String>,
}

async fn query_of(
    state: &AppState,
    lang: Lang,
    actor: &cyberveilig_services::Actor,
    p: &RegisterParams,
) -> ApiResult<cyberveilig_services::store::records::RegisterQuery> {
    let filters = RegisterFilters {
        status: p.status.clone(),
        decision: p.decision.clone(),
        severity: p.severity.clone(),
        asset_id: p.asset_id.clone(),
        owner: p.owner.clone(),
        overdue: p.overdue.clone(),
        sort: p.sort.clone(),
        order_id: p.order_id,
    };
    let today = cyberveilig_services::clock::brussels_date(state.services.clock.now());
    let mut q = filters.query(actor, today).or_problem(lang)?;
    if let Some(nis) = p.government_nis.as_deref().filter(|s| !s.is_empty()) {
        let nis = nis.parse().map_err(|_| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("'{nis}' is not a NIS code"),
            )
            .field("government_nis")
        })?;
        q.government_id = Some(state.services.organisation_by_nis(&nis).await.or_problem(lang)?.id);
    }
    Ok(q)
}

/// The findings the caller may see, filtered and sorted (priority by default), paginated; each
/// with its decision, deadline, owner and asset.
#[utoipa::path(get, path = "/api/v1/findings", tag = "findings", params(RegisterParams),
    responses((status = 200, body = Page<RegisterFindingDto>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Params(p): Params<RegisterParams>,
) -> ApiResult<Json<Page<RegisterFindingDto>>> {
    let limit = page_size(p.limit)?;
    // The parameters are the export's too: a format is checked here as well, not ignored.
    if let Some(format) = p.format.as_deref().filter(|f| !f.is_empty()) {
        ExportFormat::parse(format).or_problem(lang)?;
    }
    let mut q = query_of(&state, lang, &actor, &p).await?;
    q.limit = limit;
    q.after = cursor_of(p.cursor.as_deref(), q.sort)?;
    let page = state.services.register(&actor, q).await.or_problem(lang)?;
    let today = cyberveilig_services::clock::brussels_date(state.services.clock.now());
    Ok(Json(Page {
        items: page.entries.into_iter().map(|e| RegisterFindingDto::of(e, today)).collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}

/// The remediation plan of the findings the caller may see, filtered and sorted as the register
/// (priority by default), as CSV or XLSX: id, title, asset, severity, CVSS score, decision,
/// status, owner, due date, overdue, CVEs.
#[utoipa::path(get, path = "/api/v1/findings/export", tag = "findings", params(RegisterParams),
    responses((status = 200, description = "The plan as a file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn export(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Params(p): Params<RegisterParams>,
) -> ApiResult<Response> {
    let format = ExportFormat::parse(p.format.as_deref().filter(|f| !f.is_empty()).unwrap_or("csv")).or_problem(lang)?;
    // The export takes every finding the filters select, not a page; the paging parameters the
    // register shares with it are still held to what the document says.
    page_size(p.limit)?;
    let q = query_of(&state, lang, &actor, &p).await?;
    cursor_of(p.cursor.as_deref(), q.sort)?;
    let plan = state
        .services
        .export_plan(&actor, q, format, lang.is_dutch())
        .await
        .or_problem(lang)?;
    Ok(file_response(plan))
}

/// The page size asked for, within what the API allows.
fn page_size(limit: Option<i64>) -> Result<i64, Problem> {
    paging(limit, None).map(|(limit, _)| limit)
}

/// A register cursor the API gave out for this sort; 422 for anything else.
fn cursor_of(text: Option<&str>, sort: RegisterSort) -> Result<Option<RegisterCursor>, Problem> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => RegisterCursor::decode(text, sort).map(Some).ok_or_else(|| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "cursor is not one this API gave out for this sort",
            )
            .field("cursor")
        }),
    }
}

/// A file to download as it is written, with its type and name.
pub fn file_response(plan: cyberveilig_services::remediation::export::PlanExport) -> Response {
    let chunks = tokio_stream::wrappers::ReceiverStream::new(plan.chunks);
    super::attachment(axum::body::Body::from_stream(chunks), plan.content_type, &plan.filename)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkStatusRequest {
    #[schema(min_items = 1, max_items = 500)]
    pub ids: Vec<i64>,
    #[schema(value_type = FindingStatusName, inline)]
    pub status: String,
    /// Needed for risk_accepted and false_positive (at most 1,000 characters).
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
    /// For risk_accepted: until when, within a year.
    #[schema(nullable = false)]
    pub until: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct BulkStatusResult {
    pub changed: Vec<FindingDto>,
}

/// The same remediation step for several findings, all or nothing: when any of them cannot take
/// it, nothing changes and the 422 lists each that could not, with why.
#[utoipa::path(post, path = "/api/v1/findings/status", tag = "findings", request_body = BulkStatusRequest,
    responses((status = 200, body = BulkStatusResult), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_statuses(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Remediation>,
    Body(req): Body<BulkStatusRequest>,
) -> ApiResult<Json<BulkStatusResult>> {
    let change = StatusChange {
        status: req.status,
        reason: req.reason,
        until: req.until,
    };
    let changed = state
        .services
        .change_findings_status(&actor, &req.ids, change)
        .await
        .or_problem(lang)?;
    Ok(Json(BulkStatusResult {
        changed: changed.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerRequest {
    /// A person of the government whose finding it is; null for nobody.
    pub owner_id: Option<i64>,
}

/// Names the person of the government who sees to a finding (the government, an administrator).
#[utoipa::path(post, path = "/api/v1/findings/{id}/owner", tag = "findings", params(("id" = i64, Path)), request_body = OwnerRequest,
    responses((status = 200, body = RegisterFindingDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_owner(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Id(id): Id,
    Body(req): Body<OwnerRequest>,
) -> ApiResult<Json<RegisterFindingDto>> {
    let entry = state.services.set_finding_owner(&actor, id, req.owner_id).await.or_problem(lang)?;
    let today = cyberveilig_services::clock::brussels_date(state.services.clock.now());
    Ok(Json(RegisterFindingDto::of(entry, today)))
}

#[derive(Serialize, ToSchema)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct DayActionDto {
    pub finding_id: i64,
    pub started: bool,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct RemediationDayDto {
    pub held_on: NaiveDate,
    pub attendees: String,
    pub people: Vec<PersonRef>,
    pub actions: Vec<DayActionDto>,
}

impl From<RemediationDay> for RemediationDayDto {
    fn from(d: RemediationDay) -> RemediationDayDto {
        RemediationDayDto {
            held_on: d.held_on,
            attendees: d.attendees,
            people: d.people.into_iter().map(|(id, name)| PersonRef { id, name }).collect(),
            actions: d
                .actions
                .into_iter()
                .map(|a| DayActionDto {
                    finding_id: a.finding_id,
                    started: a.started,
                    note: a.note,
                })
                .collect(),
        }
    }
}

/// An order's remediation day: its agenda and, once recorded, what happened.
#[derive(Serialize, ToSchema)]
pub struct AgendaDto {
    pub order_id: i64,
    /// The findings on the agenda in priority order.
    pub items: Vec<RegisterFindingDto>,
    pub record: Option<RemediationDayDto>,
    /// The government's people (who may attend and own findings).
    pub people: Vec<PersonRef>,
    pub may_record: bool,
}

fn agenda_dto(a: Agenda, today: NaiveDate) -> AgendaDto {
    AgendaDto {
        order_id: a.order.id,
        items: a.items.into_iter().map(|e| RegisterFindingDto::of(e, today)).collect(),
        record: a.record.map(Into::into),
        people: a.people.into_iter().map(|p| PersonRef { id: p.id, name: p.name }).collect(),
        may_record: a.may_record,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgendaParams {
    /// How many findings (20 by default), until the day is recorded.
    #[param(minimum = 1, maximum = 100)]
    pub size: Option<i64>,
}

/// The remediation day of a basic audit: the top of the government's open findings in priority
/// order, or what the firm recorded (the government, the firm, an administrator).
#[utoipa::path(get, path = "/api/v1/orders/{id}/remediation-day", tag = "orders", params(("id" = i64, Path), AgendaParams),
    responses((status = 200, body = AgendaDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a basic audit (`not_a_basic_audit`).", body = Problem, content_type = "application/problem+json")))]
pub async fn agenda(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Params(p): Params<AgendaParams>,
) -> ApiResult<Json<AgendaDto>> {
    let agenda = state.services.remediation_agenda(&actor, id, p.size).await.or_problem(lang)?;
    let today = cyberveilig_services::clock::brussels_date(state.services.clock.now());
    Ok(Json(agenda_dto(agenda, today)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayActionRequest {
    pub finding_id: i64,
    pub started: bool,
    #[serde(default)]
    pub note: String,
    /// Put the finding in progress (when an action was started and it is open).
    #[serde(default)]
    pub start_work: bool,
    /// Make this person of the government its owner.
    pub owner_id: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayRecordRequest {
    pub held_on: NaiveDate,
    /// Who attended: names and roles, free text.
    #[serde(default)]
    pub attendees: String,
    /// The government's people who attended.
    #[serde(default)]
    pub people: Vec<i64>,
    pub actions: Vec<DayActionRequest>,
}

/// The firm records the remediation day: when, who attended, and per finding whether an action
/// was started. A delivered order thereby has its day held.
#[utoipa::path(put, path = "/api/v1/orders/{id}/remediation-day", tag = "orders", params(("id" = i64, Path)), request_body = DayRecordRequest,
    responses((status = 200, body = RemediationDayDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn record_day(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<FirmsAndAdministrators>,
    Id(id): Id,
    Body(req): Body<DayRecordRequest>,
) -> ApiResult<Json<RemediationDayDto>> {
    let record = DayRecord {
        held_on: Some(req.held_on),
        attendees: req.attendees,
        people: req.people,
        actions: req
            .actions
            .into_iter()
            .map(|a| ActionRecord {
                finding_id: a.finding_id,
                started: a.started,
                note: a.note,
                start_work: a.start_work,
                owner_id: a.owner_id,
            })
            .collect(),
    };
    let day = state.services.record_remediation_day(&actor, id, record).await.or_problem(lang)?;
    Ok(Json(day.into()))
}
