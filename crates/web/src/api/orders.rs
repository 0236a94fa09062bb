use super::schema::{OrderKindName, OrderStateFilter};
use crate::AppState;
use crate::api::{amount, next_cursor, paging};
use crate::dto::{AuditReportDto, EventDto, OrderDto, Page, SettlementDto};
use crate::extract::{Administrators, As, Firms, FirmsAndAdministrators, GovernmentsAndAdministrators, Remediation};
use crate::extract::{Body, Caller, Id, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use cyberveilig_domain::Money;
use cyberveilig_domain::order::OrderKind;
use cyberveilig_services::orders::settlement::SettlementView;
use cyberveilig_services::orders::{FirmStep, NewOrder, OwnerStep};
use cyberveilig_services::store::records::{Order, OrderFilter};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

fn invalid(field: &str, lang: Lang, nl: &str, en: &str) -> Problem {
    Problem::localized(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", lang, nl, en).field(field)
}

/// An order with its government's, agreement's and firm's names beside the ids.
async fn render(state: &AppState, lang: Lang, order: Order) -> ApiResult<OrderDto> {
    let directory = &state.directory;
    let government = directory
        .organisation(&state.services, order.government_id)
        .await
        .or_problem(lang)?;
    let firm = match order.firm_id {
        Some(id) => Some(directory.organisation(&state.services, id).await.or_problem(lang)?),
        None => None,
    };
    let agreement = match order.agreement_id {
        Some(id) => directory.agreement_reference(&state.services, id).await.or_problem(lang)?,
        None => None,
    };
    Ok(OrderDto::new(order, Some(&government), agreement.as_deref(), firm.as_deref()))
}

async fn render_one(state: &AppState, lang: Lang, order: Order) -> ApiResult<Json<OrderDto>> {
    Ok(Json(render(state, lang, order).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrderRequest {
    pub programme_id: i64,
    /// The NIS code of the ordering government, e.g. "44021" for Gent.
    #[schema(pattern = "^[0-9]{5}$")]
    pub government_nis: String,
    #[schema(value_type = OrderKindName, inline)]
    pub kind: String,
    /// What the audit covers; for additional work, the government's own scope (C4).
    #[serde(default)]
    pub scope: String,
    /// Required for additional work: the government's estimate of the cost, all in.
    #[schema(nullable = false, minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub estimated_cost_cents: Option<i64>,
}

/// Order a basic audit or additional work. The order date is the server's date; the order goes
/// to the framework agreement in force and is offered to the first firm of its cascade.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), request_body = NewOrderRequest,
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, pattern = "^[!-~]{1,255}$",
        description = "Repeat a request safely: the same key and body give the same answer. 1 to 255 visible ASCII characters.")),
    responses((status = 201, body = OrderDto), (status = 422, description = "A rule refuses the order", body = Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Body(req): Body<NewOrderRequest>,
) -> ApiResult<(StatusCode, Json<OrderDto>)> {
    let government_nis = req.government_nis.parse().map_err(|_| {
        invalid(
            "government_nis",
            lang,
            "Een NIS-code bestaat uit vijf cijfers, zoals 44021.",
            "A NIS code is five digits, such as 44021.",
        )
    })?;
    let kind: OrderKind = req.kind.parse().map_err(|_| {
        invalid(
            "kind",
            lang,
            "Soort is 'basic' of 'additional'.",
            "kind is 'basic' or 'additional'.",
        )
    })?;
    let estimated_cost = req
        .estimated_cost_cents
        .map(|c| amount(c, "estimated_cost_cents", lang))
        .transpose()?;
    let new = NewOrder {
        programme_id: req.programme_id,
        government_nis,
        kind,
        scope: req.scope,
        estimated_cost,
    };
    let order = state.services.submit_order(&actor, new).await.or_problem(lang)?;
    let Json(dto) = render_one(&state, lang, order).await?;
    Ok((StatusCode::CREATED, Json(dto)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    #[param(value_type = Option<OrderStateFilter>, inline)]
    pub state: Option<String>,
    pub programme_id: Option<i64>,
    /// From the `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 500 (50 by default).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The orders the caller may see: all for administrators, its own for a government, those
/// offered to or placed with it for a firm.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), params(OrderQuery),
    responses((status = 200, body = Page<OrderDto>), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Params(query): Params<OrderQuery>,
) -> ApiResult<Json<Page<OrderDto>>> {
    let (limit, after_id) = paging(query.limit, query.cursor.as_deref())?;
    let order_state = match query.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(s.parse().map_err(|_| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("unknown order state '{s}'"),
            )
            .field("state")
        })?),
    };
    let filter = OrderFilter {
        programme_id: query.programme_id,
        state: order_state,
        after_id,
        limit,
        ..Default::default()
    };
    let orders = state.services.orders(&actor, filter).await.or_problem(lang)?;
    let next_cursor = next_cursor(&orders, limit, |o| o.id);
    let mut items = Vec::with_capacity(orders.len());
    for order in orders {
        items.push(render(&state, lang, order).await?);
    }
    Ok(Json(Page { items, next_cursor }))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Json<OrderDto>> {
    let order = state.services.order(&actor, id).await.or_problem(lang)?;
    render_one(&state, lang, order).await
}

/// The order's timeline: every change with who, when and what, from the hash-chained audit log.
#[utoipa::path(get, path = "/api/v1/orders/{id}/events", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EventDto>), (status = 404, body = Problem)))]
pub async fn events(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Json<Vec<EventDto>>> {
    let events = state.services.order_events(&actor, id).await.or_problem(lang)?;
    Ok(Json(events.into_iter().map(EventDto::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub price_cents: i64,
    pub planned_start_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    #[schema(pattern = "\\S", max_length = 2000)]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceRequest {
    #[schema(pattern = "\\S", max_length = 64)]
    pub invoice_number: String,
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount_cents: i64,
}

async fn firm(state: AppState, lang: Lang, actor: cyberveilig_services::Actor, id: i64, step: FirmStep) -> ApiResult<Json<OrderDto>> {
    let order = state.services.firm_step(&actor, id, step).await.or_problem(lang)?;
    render_one(&state, lang, order).await
}

/// The firm the order is offered to accepts it, with its price (D7): a basic audit at most at the
/// firm's package price in the agreement (422 `price_above_agreement` above it); additional work
/// at its quote, which, above the government's estimate, waits for the government to confirm it
/// (state `awaiting_price_confirmation`). The reservation follows the accepted price.
#[utoipa::path(post, path = "/api/v1/orders/{id}/accept", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AcceptRequest, responses((status = 200, body = OrderDto), (status = 422, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Firms>,
    Id(id): Id,
    Body(req): Body<AcceptRequest>,
) -> ApiResult<Json<OrderDto>> {
    let price = amount(req.price_cents, "price_cents", lang)?;
    firm(
        state,
        lang,
        actor,
        id,
        FirmStep::Accept {
            price,
            planned_start_on: req.planned_start_on,
        },
    )
    .await
}

/// The firm declines; the order goes to the next firm of the cascade (C8).
#[utoipa::path(post, path = "/api/v1/orders/{id}/decline", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ReasonRequest, responses((status = 200, body = OrderDto), (status = 422, body = Problem)))]
pub async fn decline(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Firms>,
    Id(id): Id,
    Body(req): Body<ReasonRequest>,
) -> ApiResult<Json<OrderDto>> {
    firm(state, lang, actor, id, FirmStep::Decline { reason: req.reason }).await
}

/// The firm delivers the audit's results. A basic audit is delivered only with every control of
/// its assessment rated (422 `assessment_incomplete`) and its audit report attached (422
/// `audit_report_missing`).
#[utoipa::path(post, path = "/api/v1/orders/{id}/deliver", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OrderDto), (status = 422, body = Problem)))]
pub async fn deliver(State(state): State<AppState>, lang: Lang, As(actor, _): As<Firms>, Id(id): Id) -> ApiResult<Json<OrderDto>> {
    firm(state, lang, actor, id, FirmStep::Deliver).await
}

/// The firm invoices the work: at most the accepted price (422 `invoice_above_price`).
#[utoipa::path(post, path = "/api/v1/orders/{id}/invoice", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = InvoiceRequest, responses((status = 200, body = OrderDto), (status = 422, body = Problem)))]
pub async fn invoice(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Firms>,
    Id(id): Id,
    Body(req): Body<InvoiceRequest>,
) -> ApiResult<Json<OrderDto>> {
    let amount = amount(req.amount_cents, "amount_cents", lang)?;
    firm(
        state,
        lang,
        actor,
        id,
        FirmStep::Invoice {
            invoice_number: req.invoice_number,
            amount,
        },
    )
    .await
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SettleRequest {
    /// The payment the administrator confirms (from `GET .../settlement`); when it is not what
    /// settlement would pay now, nothing is paid (422 `settlement_changed`).
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub paid_cents: Option<i64>,
}

/// The administrator settles an invoiced order (D7): the rate times the lower of the invoice and
/// the accepted price, rounded down, never more than the order's reservation; the rest of the
/// reservation is released. The body is optional.
#[utoipa::path(post, path = "/api/v1/orders/{id}/settle", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<SettleRequest>, content_type = "application/json"),
    responses((status = 200, body = OrderDto), (status = 422, body = Problem)))]
pub async fn settle(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Id(id): Id,
    body: Bytes,
) -> ApiResult<Json<OrderDto>> {
    // No body, or JSON null, is the same as an empty request.
    let request: SettleRequest = if body.iter().all(u8::is_ascii_whitespace) {
        SettleRequest::default()
    } else {
        crate::input::from_json::<Option<SettleRequest>>(&body)
            .map(Option::unwrap_or_default)
            .map_err(|e| crate::extract::json_problem(&e, lang))?
    };
    let confirmed = request.paid_cents.map(Money::from_cents);
    let order = state.services.settle_order(&actor, id, confirmed).await.or_problem(lang)?;
    render_one(&state, lang, order).await
}

/// What settling an invoiced order will pay (D7): the agreement's price, the accepted price, the
/// invoice, the reservation, the payment and what differs. For the administrator.
#[utoipa::path(get, path = "/api/v1/orders/{id}/settlement", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SettlementDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn settlement(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Id(id): Id,
) -> ApiResult<Json<SettlementDto>> {
    let view = state.services.settlement(&actor, id).await.or_problem(lang)?;
    Ok(Json(settlement_dto(&state, lang, &view).await?))
}

async fn settlement_dto(state: &AppState, lang: Lang, view: &SettlementView) -> ApiResult<SettlementDto> {
    let directory = &state.directory;
    let government = directory
        .organisation(&state.services, view.order.government_id)
        .await
        .or_problem(lang)?;
    let firm = match view.order.firm_id {
        Some(id) => Some(directory.organisation(&state.services, id).await.or_problem(lang)?),
        None => None,
    };
    Ok(SettlementDto::new(view, &government.name, firm.as_deref().map(|f| f.name.as_str())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// From the `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 500 (50 by default).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The settlement queue (D7): every invoiced order with what settling it will pay, oldest first.
/// For the administrator.
#[utoipa::path(get, path = "/api/v1/settlements", tag = "orders", security(("bearer" = [])), params(QueueQuery),
    responses((status = 200, body = Page<SettlementDto>), (status = 403, body = Problem)))]
pub async fn settlements(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Params(query): Params<QueueQuery>,
) -> ApiResult<Json<Page<SettlementDto>>> {
    let (limit, after_id) = paging(query.limit, query.cursor.as_deref())?;
    let views = state.services.settlement_queue(&actor, after_id, limit).await.or_problem(lang)?;
    let next_cursor = next_cursor(&views, limit, |v| v.order.id);
    let mut items = Vec::with_capacity(views.len());
    for v in &views {
        items.push(settlement_dto(&state, lang, v).await?);
    }
    Ok(Json(Page { items, next_cursor }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditReportParams {
    /// The file's name (it is kept with a `.pdf` extension).
    pub filename: Option<String>,
}

/// The firm of the order (or an administrator) attaches the audit report: the body is the PDF
/// (at most 20 MiB), taken on its content (a PDF header, cross-references, end of file), not on
/// its name or type. Every upload is kept; the newest is the order's report.
#[utoipa::path(post, path = "/api/v1/orders/{id}/audit-reports", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path), AuditReportParams),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 201, body = AuditReportDto), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_audit_report(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<FirmsAndAdministrators>,
    Id(id): Id,
    Params(p): Params<AuditReportParams>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<AuditReportDto>)> {
    let body = body.map_err(|_| {
        Problem::localized(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            lang,
            "Een auditrapport is hoogstens 20 MiB groot.",
            "An audit report is at most 20 MiB.",
        )
    })?;
    let filename = p.filename.unwrap_or_else(|| format!("auditrapport-{id}.pdf"));
    let report = state
        .services
        .upload_audit_report(&actor, id, &filename, &body)
        .await
        .or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(AuditReportDto::from(&report))))
}

/// The order's audit reports, newest first (the first is the order's report): for the
/// government, the firm and the administrator.
#[utoipa::path(get, path = "/api/v1/orders/{id}/audit-reports", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AuditReportDto>), (status = 404, body = Problem)))]
pub async fn audit_reports(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Remediation>,
    Id(id): Id,
) -> ApiResult<Json<Vec<AuditReportDto>>> {
    let reports = state.services.audit_reports(&actor, id).await.or_problem(lang)?;
    Ok(Json(reports.reports.iter().map(AuditReportDto::from).collect()))
}

/// An audit report, as a download (`application/octet-stream`, `Content-Disposition:
/// attachment`, not sniffed, sandboxed): for the government, the firm and the administrator.
#[utoipa::path(get, path = "/api/v1/orders/{id}/audit-reports/{report_id}", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path), ("report_id" = i64, Path)),
    responses((status = 200, description = "The PDF, as a download"), (status = 404, body = Problem)))]
pub async fn audit_report(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Remediation>,
    Path((id, report_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let parse = |text: &str| {
        text.parse::<i64>().map_err(|_| {
            Problem::localized(
                StatusCode::NOT_FOUND,
                "not_found",
                lang,
                "Dat auditrapport bestaat niet.",
                "That audit report does not exist.",
            )
        })
    };
    let (report, content) = state
        .services
        .audit_report_file(&actor, parse(&id)?, parse(&report_id)?)
        .await
        .or_problem(lang)?;
    Ok(crate::api::reports::download(&report.filename, content))
}

/// The government or the administrator cancels an order; its credit is released (D7).
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ReasonRequest, responses((status = 200, body = OrderDto), (status = 422, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Id(id): Id,
    Body(req): Body<ReasonRequest>,
) -> ApiResult<Json<OrderDto>> {
    let order = state
        .services
        .owner_step(&actor, id, OwnerStep::Cancel { reason: req.reason })
        .await
        .or_problem(lang)?;
    render_one(&state, lang, order).await
}

/// The government goes ahead: with additional work at the capped share (D8), or with the firm's
/// quote above its estimate (D7: the reservation grows within the available credit).
#[utoipa::path(post, path = "/api/v1/orders/{id}/confirm", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OrderDto), (status = 422, body = Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Id(id): Id,
) -> ApiResult<Json<OrderDto>> {
    let order = state.services.owner_step(&actor, id, OwnerStep::Confirm).await.or_problem(lang)?;
    render_one(&state, lang, order).await
}

/// The administrator re-opens the cascade of an unplaceable order (D6).
#[utoipa::path(post, path = "/api/v1/orders/{id}/reopen", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OrderDto), (status = 422, body = Problem)))]
pub async fn reopen(State(state): State<AppState>, lang: Lang, As(actor, _): As<Administrators>, Id(id): Id) -> ApiResult<Json<OrderDto>> {
    let order = state.services.reopen_order(&actor, id).await.or_problem(lang)?;
    render_one(&state, lang, order).await
}

/// The platform's report of the order's audit as a tagged PDF in the caller's language: the
/// assessment with its scores per area, the findings by priority, the remediation plan with its
/// deadlines and the remediation day's record (the government, the firm, the administrators).
#[utoipa::path(get, path = "/api/v1/orders/{id}/results-report", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "The report as PDF", content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn results_report(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Response> {
    let (name, bytes) = state
        .services
        .results_report_pdf(&actor, id, lang.is_dutch())
        .await
        .or_problem(lang)?;
    Ok(super::attachment(bytes, super::PDF, &name))
}
