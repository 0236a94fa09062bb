//! VVSG's grant over the API: the workspace (budgets per work package, deliverables, the action
//! plan, the ledger, the half-years), cost claims with their PDF, decisions and payments, and
//! progress reports. The beneficiary's members and the administrator see it; anyone else gets
//! 404.

use super::next_cursor;
use super::schema::{ClaimStateName, PlanStatusName};
use crate::AppState;
use crate::dto::Page;
use crate::extract::{Administrators, As, Association, Body, Caller, Id, Ids, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::Money;
use cyberveilig_domain::grant::{ClaimState, PlanStatus};
use cyberveilig_services::grant::{ClaimInput, DeliverableInput, GrantView, PlanItemInput, ProgressFigures, kept_figures};
use cyberveilig_services::store::records::{ClaimFilter, CostClaim, Deliverable, PlanItem, ProgressReport};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn invalid(lang: Lang, field: &'static str, nl: &str, en: &str) -> Problem {
    Problem::localized(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", lang, nl, en).field(field)
}

#[derive(Serialize, ToSchema)]
pub struct WorkPackageFiguresDto {
    pub number: u32,
    pub title_nl: String,
    pub title_en: String,
    /// The part of the grant the action plan gives it; none while not set.
    pub budget_cents: Option<i64>,
    /// Every claim that was not rejected.
    pub claimed_cents: i64,
    /// Approved, not yet paid.
    pub approved_cents: i64,
    pub paid_cents: i64,
    /// What is left of its budget; none without a budget.
    pub remaining_cents: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliverableDto {
    pub id: i64,
    pub work_package: u32,
    pub title: String,
    pub planned_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    /// The awareness event that delivers it.
    pub event_id: Option<i64>,
    /// The toolkit item that delivers it.
    pub toolkit_item_id: Option<i64>,
}

impl From<Deliverable> for DeliverableDto {
    fn from(d: Deliverable) -> DeliverableDto {
        DeliverableDto {
            id: d.id,
            work_package: d.work_package,
            title: d.title,
            planned_on: d.planned_on,
            done_on: d.done_on,
            event_id: d.event_id,
            toolkit_item_id: d.toolkit_item_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlanItemDto {
    pub id: i64,
    pub work_package: Option<u32>,
    pub title: String,
    /// A person of the beneficiary.
    pub owner_id: i64,
    pub owner_name: String,
    #[schema(value_type = PlanStatusName, inline)]
    pub status: String,
    pub due_on: NaiveDate,
}

impl From<PlanItem> for PlanItemDto {
    fn from(i: PlanItem) -> PlanItemDto {
        PlanItemDto {
            id: i.id,
            work_package: i.work_package,
            title: i.title,
            owner_id: i.owner_id,
            owner_name: i.owner_name,
            status: i.status.as_str().to_owned(),
            due_on: i.due_on,
        }
    }
}

/// The platform's figures of a half-year, as a progress report keeps them.
#[derive(Serialize, ToSchema)]
pub struct ProgressFiguresDto {
    pub deliverables_done: i64,
    pub deliverables_planned: i64,
    pub events_held: i64,
    pub registered: i64,
    pub attended: i64,
    pub organisations_reached: i64,
    pub municipalities_reached: i64,
    pub engagements: i64,
    pub engagement_governments: i64,
    /// Claimed (not rejected) for costs ending in the half-year.
    pub claimed_cents: i64,
    /// The grant's approved and paid totals when the figures were taken.
    pub approved_cents: i64,
    pub paid_cents: i64,
    /// Toolkit items published by the half-year's end; organisations that had used the toolkit.
    pub toolkit_published: i64,
    pub toolkit_organisations: i64,
}

impl From<ProgressFigures> for ProgressFiguresDto {
    fn from(f: ProgressFigures) -> ProgressFiguresDto {
        ProgressFiguresDto {
            deliverables_done: f.deliverables_done,
            deliverables_planned: f.deliverables_planned,
            events_held: f.events_held,
            registered: f.registered,
            attended: f.attended,
            organisations_reached: f.organisations_reached,
            municipalities_reached: f.municipalities_reached,
            engagements: f.engagements,
            engagement_governments: f.engagement_governments,
            claimed_cents: f.claimed_cents,
            approved_cents: f.approved_cents,
            paid_cents: f.paid_cents,
            toolkit_published: f.toolkit_published,
            toolkit_organisations: f.toolkit_organisations,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgressReportDto {
    pub id: i64,
    pub period_from: NaiveDate,
    pub period_until: NaiveDate,
    /// Markdown.
    pub text: String,
    pub figures: ProgressFiguresDto,
    pub submitted_by: i64,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
}

impl From<ProgressReport> for ProgressReportDto {
    fn from(r: ProgressReport) -> ProgressReportDto {
        ProgressReportDto {
            figures: kept_figures(&r).into(),
            id: r.id,
            period_from: r.period_from,
            period_until: r.period_until,
            text: r.text,
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at,
            reviewed_at: r.reviewed_at,
            review_note: r.review_note,
        }
    }
}

/// A half-year of the grant and its progress report, if submitted.
#[derive(Serialize, ToSchema)]
pub struct ReportingPeriodDto {
    pub number: usize,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Whether it has ended (its report may then be submitted).
    pub ended: bool,
    pub report_id: Option<i64>,
    pub reviewed: bool,
}

/// A grant's workspace: its ledger, work packages, deliverables, action plan and half-years.
#[derive(Serialize, ToSchema)]
pub struct GrantWorkspaceDto {
    pub id: i64,
    pub name: String,
    pub amount_cents: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Every claim that was not rejected.
    pub claimed_cents: i64,
    /// Approved claims not yet paid (reserved on the grant's ledger).
    pub approved_cents: i64,
    pub paid_cents: i64,
    /// The grant less what is approved and paid.
    pub remaining_cents: i64,
    pub work_packages: Vec<WorkPackageFiguresDto>,
    pub deliverables: Vec<DeliverableDto>,
    pub plan: Vec<PlanItemDto>,
    pub periods: Vec<ReportingPeriodDto>,
    /// The caller may plan, claim and report (the beneficiary).
    pub may_work: bool,
    /// The caller may decide, pay, review and set budgets (the administrator).
    pub may_supervise: bool,
}

impl From<GrantView> for GrantWorkspaceDto {
    fn from(v: GrantView) -> GrantWorkspaceDto {
        GrantWorkspaceDto {
            claimed_cents: v.claimed().cents(),
            approved_cents: v.balances.reserved.cents(),
            paid_cents: v.balances.paid.cents(),
            remaining_cents: v.balances.available().cents(),
            id: v.grant.id,
            name: v.grant.name,
            amount_cents: v.grant.amount.cents(),
            starts_on: v.grant.starts_on,
            ends_on: v.grant.ends_on,
            work_packages: v
                .packages
                .into_iter()
                .map(|p| WorkPackageFiguresDto {
                    remaining_cents: p.remaining().map(Money::cents),
                    number: p.number,
                    title_nl: p.title_nl,
                    title_en: p.title_en,
                    budget_cents: p.budget.map(Money::cents),
                    claimed_cents: p.sums.claimed.cents(),
                    approved_cents: p.sums.approved.cents(),
                    paid_cents: p.sums.paid.cents(),
                })
                .collect(),
            deliverables: v.deliverables.into_iter().map(Into::into).collect(),
            plan: v.plan.into_iter().map(Into::into).collect(),
            periods: v
                .periods
                .into_iter()
                .map(|p| ReportingPeriodDto {
                    number: p.number,
                    starts_on: p.period.starts_on,
                    ends_on: p.period.ends_on,
                    ended: p.ended,
                    report_id: p.report.as_ref().map(|r| r.id),
                    reviewed: p.report.as_ref().is_some_and(|r| r.reviewed_at.is_some()),
                })
                .collect(),
            may_work: v.may_work,
            may_supervise: v.may_supervise,
        }
    }
}

/// A cost claim; its supporting PDF is at `document_href`.
#[derive(Serialize, ToSchema)]
pub struct CostClaimDto {
    pub id: i64,
    pub work_package: u32,
    pub costs_from: NaiveDate,
    pub costs_until: NaiveDate,
    pub amount_cents: i64,
    pub description: String,
    #[schema(value_type = ClaimStateName, inline)]
    pub state: String,
    pub document_name: String,
    pub document_sha256: String,
    pub document_size: i64,
    pub document_href: String,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub payment_reference: Option<String>,
}

impl From<CostClaim> for CostClaimDto {
    fn from(c: CostClaim) -> CostClaimDto {
        CostClaimDto {
            document_href: format!("/api/v1/project-grants/{}/claims/{}/document", c.grant_id, c.id),
            id: c.id,
            work_package: c.work_package,
            costs_from: c.costs_from,
            costs_until: c.costs_until,
            amount_cents: c.amount.cents(),
            description: c.description,
            state: c.state.as_str().to_owned(),
            document_name: c.document_name,
            document_sha256: c.document_sha256,
            document_size: c.document_size,
            submitted_at: c.submitted_at,
            decided_at: c.decided_at,
            reason: c.reason,
            paid_on: c.paid_on,
            payment_reference: c.payment_reference,
        }
    }
}

/// The grant's workspace, for its beneficiary and the administrator.
#[utoipa::path(get, path = "/api/v1/project-grants/{id}/workspace", tag = "grant", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = GrantWorkspaceDto), (status = 404, body = Problem)))]
pub async fn workspace(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Json<GrantWorkspaceDto>> {
    Ok(Json(state.services.grant_workspace(&actor, id).await.or_problem(lang)?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetRequest {
    /// The work package's part of the grant, in cents (0 or more).
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub budget_cents: i64,
}

/// The administrator sets a work package's budget: the budgets together stay within the grant,
/// and none below what its approved and paid claims hold.
#[utoipa::path(put, path = "/api/v1/project-grants/{id}/work-packages/{number}/budget", tag = "grant", security(("bearer" = [])),
    params(("id" = i64, Path), ("number" = i64, Path)), request_body = BudgetRequest,
    responses((status = 200, body = GrantWorkspaceDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_budget(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Ids(id, number): Ids,
    Body(req): Body<BudgetRequest>,
) -> ApiResult<Json<GrantWorkspaceDto>> {
    let number = u32::try_from(number).map_err(|_| {
        Problem::localized(
            StatusCode::NOT_FOUND,
            "not_found",
            lang,
            "Dat werkpakket bestaat niet.",
            "There is no such work package.",
        )
    })?;
    if !(0..=cyberveilig_domain::money::MAX_CENTS).contains(&req.budget_cents) {
        return Err(invalid(lang, "budget_cents", "Een budget van nul of meer.", "A budget of zero or more.").into());
    }
    let view = state
        .services
        .set_package_budget(&actor, id, number, Money::from_cents(req.budget_cents))
        .await
        .or_problem(lang)?;
    Ok(Json(view.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverableRequest {
    #[schema(minimum = 1)]
    pub work_package: u32,
    #[schema(pattern = "\\S", max_length = 200)]
    pub title: String,
    pub planned_on: NaiveDate,
    /// When it was delivered; not in the future.
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
    /// The awareness event that delivers it.
    #[serde(default)]
    pub event_id: Option<i64>,
    /// The toolkit item that delivers it.
    #[serde(default)]
    pub toolkit_item_id: Option<i64>,
}

impl From<DeliverableRequest> for DeliverableInput {
    fn from(r: DeliverableRequest) -> DeliverableInput {
        DeliverableInput {
            work_package: r.work_package,
            title: r.title,
            planned_on: r.planned_on,
            done_on: r.done_on,
            event_id: r.event_id,
            toolkit_item_id: r.toolkit_item_id,
        }
    }
}

/// The beneficiary adds a deliverable to a work package.
#[utoipa::path(post, path = "/api/v1/project-grants/{id}/deliverables", tag = "grant", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DeliverableRequest,
    responses((status = 201, body = DeliverableDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_deliverable(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
    Body(req): Body<DeliverableRequest>,
) -> ApiResult<(StatusCode, Json<DeliverableDto>)> {
    let d = state.services.add_deliverable(&actor, id, req.into()).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// The beneficiary changes a deliverable or marks it done.
#[utoipa::path(put, path = "/api/v1/project-grants/{id}/deliverables/{deliverable_id}", tag = "grant", security(("bearer" = [])),
    params(("id" = i64, Path), ("deliverable_id" = i64, Path)), request_body = DeliverableRequest,
    responses((status = 200, body = DeliverableDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_deliverable(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Ids(id, deliverable_id): Ids,
    Body(req): Body<DeliverableRequest>,
) -> ApiResult<Json<DeliverableDto>> {
    let d = state
        .services
        .change_deliverable(&actor, id, deliverable_id, req.into())
        .await
        .or_problem(lang)?;
    Ok(Json(d.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanItemRequest {
    /// None for an item of the plan as a whole.
    #[serde(default)]
    pub work_package: Option<u32>,
    #[schema(pattern = "\\S", max_length = 200)]
    pub title: String,
    /// A person of the beneficiary.
    pub owner_id: i64,
    #[schema(value_type = PlanStatusName, inline)]
    pub status: String,
    pub due_on: NaiveDate,
}

fn plan_input(r: PlanItemRequest, lang: Lang) -> Result<PlanItemInput, Problem> {
    let status: PlanStatus = r.status.parse().map_err(|_| {
        invalid(
            lang,
            "status",
            "Kies planned, in_progress, done of dropped.",
            "Choose planned, in_progress, done or dropped.",
        )
    })?;
    Ok(PlanItemInput {
        work_package: r.work_package,
        title: r.title,
        owner_id: r.owner_id,
        status,
        due_on: r.due_on,
    })
}

/// The beneficiary adds an item to the action plan.
#[utoipa::path(post, path = "/api/v1/project-grants/{id}/plan-items", tag = "grant", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PlanItemRequest,
    responses((status = 201, body = PlanItemDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_plan_item(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
    Body(req): Body<PlanItemRequest>,
) -> ApiResult<(StatusCode, Json<PlanItemDto>)> {
    let item = state
        .services
        .add_plan_item(&actor, id, plan_input(req, lang)?)
        .await
        .or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// The beneficiary changes an item of the action plan (its status, owner, due date).
#[utoipa::path(put, path = "/api/v1/project-grants/{id}/plan-items/{item_id}", tag = "grant", security(("bearer" = [])),
    params(("id" = i64, Path), ("item_id" = i64, Path)), request_body = PlanItemRequest,
    responses((status = 200, body = PlanItemDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_plan_item(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Ids(id, item_id): Ids,
    Body(req): Body<PlanItemRequest>,
) -> ApiResult<Json<PlanItemDto>> {
    let item = state
        .services
        .change_plan_item(&actor, id, item_id, plan_input(req, lang)?)
        .await
        .or_problem(lang)?;
    Ok(Json(item.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClaimQuery {
    /// Only claims in this state.
    #[param(value_type = Option<ClaimStateName>, inline)]
    pub state: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub work_package: Option<u32>,
    /// From the `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 500 (50 by default).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The grant's cost claims, newest first.
#[utoipa::path(get, path = "/api/v1/project-grants/{id}/claims", tag = "grant", security(("bearer" = [])), params(("id" = i64, Path), ClaimQuery),
    responses((status = 200, body = Page<CostClaimDto>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn claims(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Params(q): Params<ClaimQuery>,
) -> ApiResult<Json<Page<CostClaimDto>>> {
    let (limit, before) = super::paging(q.limit, q.cursor.as_deref())?;
    let limit = limit.min(cyberveilig_services::grant::CLAIMS_PAGE);
    if q.work_package.is_some_and(|n| !(1..=100).contains(&n)) {
        return Err(invalid(
            lang,
            "work_package",
            "Een werkpakket van 1 tot 100.",
            "A work package from 1 to 100.",
        )
        .into());
    }
    let claim_state = match q.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(s.parse::<ClaimState>().map_err(|_| {
            invalid(
                lang,
                "state",
                "Kies submitted, approved, rejected of paid.",
                "Choose submitted, approved, rejected or paid.",
            )
        })?),
    };
    let filter = ClaimFilter {
        grant_id: id,
        state: claim_state,
        work_package: q.work_package,
        before_id: before,
        limit,
    };
    let items = state.services.grant_claims(&actor, id, filter).await.or_problem(lang)?;
    let next_cursor = next_cursor(&items, limit, |c| c.id);
    Ok(Json(Page {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClaimParams {
    #[param(minimum = 1, maximum = 100)]
    pub work_package: u32,
    /// The first day of the costs' period.
    pub costs_from: NaiveDate,
    /// The last day of the costs' period; before today, within the grant.
    pub costs_until: NaiveDate,
    #[param(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount_cents: i64,
    /// What the costs are for.
    #[param(max_length = 2000)]
    pub description: String,
    /// The supporting document's name (it is kept with a `.pdf` extension).
    pub filename: Option<String>,
}

/// The beneficiary claims costs of a work package over a period: the body is the supporting PDF
/// (at most 10 MiB), the claim's terms are the query's parameters.
#[utoipa::path(post, path = "/api/v1/project-grants/{id}/claims", tag = "grant", security(("bearer" = [])), params(("id" = i64, Path), ClaimParams),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 201, body = CostClaimDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_claim(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
    Params(p): Params<ClaimParams>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<CostClaimDto>)> {
    let body = body.map_err(|_| {
        Problem::localized(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            lang,
            "Een bewijsstuk is hoogstens 10 MiB groot.",
            "A supporting document is at most 10 MiB.",
        )
    })?;
    let amount = super::amount(p.amount_cents, "amount_cents", lang)?;
    let input = ClaimInput {
        work_package: p.work_package,
        costs_from: p.costs_from,
        costs_until: p.costs_until,
        amount,
        description: p.description,
    };
    let filename = p.filename.unwrap_or_else(|| "bewijsstuk.pdf".to_owned());
    let claim = state
        .services
        .submit_claim(&actor, id, input, &filename, &body)
        .await
        .or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(claim.into())))
}

/// One cost claim.
#[utoipa::path(get, path = "/api/v1/project-grants/{id}/claims/{claim_id}", tag = "grant", security(("bearer" = [])),
    params(("id" = i64, Path), ("claim_id" = i64, Path)),
    responses((status = 200, body = CostClaimDto), (status = 404, body = Problem)))]
pub async fn claim(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Ids(id, claim_id): Ids,
) -> ApiResult<Json<CostClaimDto>> {
    Ok(Json(
        state.services.grant_claim(&actor, id, claim_id).await.or_problem(lang)?.into(),
    ))
}

/// A claim's supporting PDF, as a download.
#[utoipa::path(get, path = "/api/v1/project-grants/{id}/claims/{claim_id}/document", tag = "grant", security(("bearer" = [])),
    params(("id" = i64, Path), ("claim_id" = i64, Path)),
    responses((status = 200, description = "The PDF, as a download", content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn claim_document(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Ids(id, claim_id): Ids,
) -> ApiResult<Response> {
    let (claim, content) = state.services.claim_document(&actor, id, claim_id).await.or_problem(lang)?;
    Ok(super::attachment(content, super::PDF, &claim.document_name))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimDecisionRequest {
    pub approve: bool,
    /// Why it is rejected (required to reject).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// The administrator approves a submitted claim (its amount is reserved on the grant's ledger,
/// never beyond the grant or its work package's budget: 409 `grant_exhausted`,
/// `work_package_exhausted`) or rejects it with a reason.
#[utoipa::path(post, path = "/api/v1/project-grants/{id}/claims/{claim_id}/decision", tag = "grant", security(("bearer" = [])),
    params(("id" = i64, Path), ("claim_id" = i64, Path)), request_body = ClaimDecisionRequest,
    responses((status = 200, body = CostClaimDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide_claim(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Ids(id, claim_id): Ids,
    Body(req): Body<ClaimDecisionRequest>,
) -> ApiResult<Json<CostClaimDto>> {
    let reason = req.reason.unwrap_or_default();
    let claim = state
        .services
        .decide_claim(&actor, id, claim_id, req.approve, &reason)
        .await
        .or_problem(lang)?;
    Ok(Json(claim.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimPaymentRequest {
    /// The day it was paid: from the grant's start up to today.
    pub paid_on: NaiveDate,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub reference: Option<String>,
}

/// The administrator records the payment of an approved claim.
#[utoipa::path(post, path = "/api/v1/project-grants/{id}/claims/{claim_id}/payment", tag = "grant", security(("bearer" = [])),
    params(("id" = i64, Path), ("claim_id" = i64, Path)), request_body = ClaimPaymentRequest,
    responses((status = 200, body = CostClaimDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn pay_claim(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Ids(id, claim_id): Ids,
    Body(req): Body<ClaimPaymentRequest>,
) -> ApiResult<Json<CostClaimDto>> {
    let reference = req.reference.unwrap_or_default();
    let claim = state
        .services
        .pay_claim(&actor, id, claim_id, req.paid_on, &reference)
        .await
        .or_problem(lang)?;
    Ok(Json(claim.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// The first day of one of the grant's half-years.
    pub period_from: NaiveDate,
}

/// The figures a progress report for a half-year would hold, from live data.
#[utoipa::path(get, path = "/api/v1/project-grants/{id}/progress-figures", tag = "grant", security(("bearer" = [])), params(("id" = i64, Path), FiguresQuery),
    responses((status = 200, body = ProgressFiguresDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn progress_figures(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Params(q): Params<FiguresQuery>,
) -> ApiResult<Json<ProgressFiguresDto>> {
    let figures = state.services.progress_figures(&actor, id, q.period_from).await.or_problem(lang)?;
    Ok(Json(figures.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressReportRequest {
    /// The first day of a half-year of the grant that has ended.
    pub period_from: NaiveDate,
    /// Markdown.
    #[schema(pattern = "\\S", max_length = 20000)]
    pub text: String,
}

/// The beneficiary submits the progress report of a half-year that has ended (once); the
/// platform's figures of the half-year are kept with it.
#[utoipa::path(post, path = "/api/v1/project-grants/{id}/progress-reports", tag = "grant", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ProgressReportRequest,
    responses((status = 201, body = ProgressReportDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_report(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
    Body(req): Body<ProgressReportRequest>,
) -> ApiResult<(StatusCode, Json<ProgressReportDto>)> {
    let report = state
        .services
        .submit_progress_report(&actor, id, req.period_from, &req.text)
        .await
        .or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(report.into())))
}

/// One progress report with its figures.
#[utoipa::path(get, path = "/api/v1/project-grants/{id}/progress-reports/{report_id}", tag = "grant", security(("bearer" = [])),
    params(("id" = i64, Path), ("report_id" = i64, Path)),
    responses((status = 200, body = ProgressReportDto), (status = 404, body = Problem)))]
pub async fn report(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Ids(id, report_id): Ids,
) -> ApiResult<Json<ProgressReportDto>> {
    Ok(Json(
        state.services.progress_report(&actor, id, report_id).await.or_problem(lang)?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// The administrator marks a progress report reviewed (once).
#[utoipa::path(post, path = "/api/v1/project-grants/{id}/progress-reports/{report_id}/review", tag = "grant", security(("bearer" = [])),
    params(("id" = i64, Path), ("report_id" = i64, Path)), request_body = ReviewRequest,
    responses((status = 200, body = ProgressReportDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn review_report(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Ids(id, report_id): Ids,
    Body(req): Body<ReviewRequest>,
) -> ApiResult<Json<ProgressReportDto>> {
    let note = req.note.unwrap_or_default();
    let report = state
        .services
        .review_progress_report(&actor, id, report_id, &note)
        .await
        .or_problem(lang)?;
    Ok(Json(report.into()))
}
