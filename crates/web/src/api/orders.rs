use crate::AppState;
use crate::api::{amount, next_cursor, paging};
use crate::dto::{EventDto, OrderDto, Page};
use crate::extract::{Administrators, As, Firms, GovernmentsAndAdministrators};
use crate::extract::{Body, Caller, Id, Lang, Params};
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use cyberveilig_domain::order::OrderKind;
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
    pub government_nis: String,
    /// basic or additional
    pub kind: String,
    /// What the audit covers; for additional work, the government's own scope (C4).
    #[serde(default)]
    pub scope: String,
    /// Required for additional work: the government's estimate of the cost, all in.
    pub estimated_cost_cents: Option<i64>,
}

/// Order a basic audit or additional work. The order date is the server's date; the order goes
/// to the framework agreement in force and is offered to the first firm of its cascade.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), request_body = NewOrderRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key and body give the same answer")),
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
pub struct OrderQuery {
    /// An order state, e.g. offered.
    pub state: Option<String>,
    pub programme_id: Option<i64>,
    pub cursor: Option<String>,
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
    pub price_cents: i64,
    pub planned_start_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemediationDayRequest {
    pub held_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceRequest {
    pub invoice_number: String,
    pub amount_cents: i64,
}

async fn firm(state: AppState, lang: Lang, actor: cyberveilig_services::Actor, id: i64, step: FirmStep) -> ApiResult<Json<OrderDto>> {
    let order = state.services.firm_step(&actor, id, step).await.or_problem(lang)?;
    render_one(&state, lang, order).await
}

/// The firm the order is offered to accepts it, with its price; the reservation follows (D7).
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

/// The firm delivers the audit's results and report.
#[utoipa::path(post, path = "/api/v1/orders/{id}/deliver", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OrderDto), (status = 422, body = Problem)))]
pub async fn deliver(State(state): State<AppState>, lang: Lang, As(actor, _): As<Firms>, Id(id): Id) -> ApiResult<Json<OrderDto>> {
    firm(state, lang, actor, id, FirmStep::Deliver).await
}

/// The firm records the day of remediation guidance of a basic audit (C2).
#[utoipa::path(post, path = "/api/v1/orders/{id}/remediation-day", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RemediationDayRequest, responses((status = 200, body = OrderDto), (status = 422, body = Problem)))]
pub async fn remediation_day(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Firms>,
    Id(id): Id,
    Body(req): Body<RemediationDayRequest>,
) -> ApiResult<Json<OrderDto>> {
    firm(state, lang, actor, id, FirmStep::RemediationDay { held_on: req.held_on }).await
}

/// The firm invoices the work.
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

/// The administrator settles an invoiced order: the rate times the invoice is paid (D7).
#[utoipa::path(post, path = "/api/v1/orders/{id}/settle", tag = "orders", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OrderDto), (status = 422, body = Problem)))]
pub async fn settle(State(state): State<AppState>, lang: Lang, As(actor, _): As<Administrators>, Id(id): Id) -> ApiResult<Json<OrderDto>> {
    let order = state.services.settle_order(&actor, id).await.or_problem(lang)?;
    render_one(&state, lang, order).await
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

/// The government goes ahead with additional work at the capped share (D8).
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
