//! The signed-in pages, by subject. Thin: read the form, call a service, render. What the
//! pages share (names, an order's view, form parsing) lives here.

pub mod account;
pub mod admin;
pub mod assessments;
pub mod awareness;
pub mod baseline;
pub mod disclosure;
pub mod engagements;
pub mod figures;
pub mod findings;
pub mod grant;
pub mod home;
pub mod orders;
pub mod remediation;
pub mod reports;
pub mod results;
pub mod steering;
pub mod toolkit;

pub(super) use super::session::{Member, NoFields, PageForm, PageId, Visitor};
pub(super) use crate::AppState;
pub(super) use axum::extract::{Path, Query, State};
pub(super) use axum::http::StatusCode;
pub(super) use axum::response::{IntoResponse, Redirect, Response};
pub(super) use chrono::NaiveDate;
pub(super) use cyberveilig_domain::Money;
use cyberveilig_domain::calendar::working_days_left;
pub(super) use cyberveilig_domain::order::{OrderAction, OrderKind, OrderState, allows};
pub(super) use cyberveilig_domain::registry::{OrganisationKind, Role};
pub(super) use cyberveilig_services::authz::{Permission, can};
pub(super) use cyberveilig_services::clock::brussels_date;
pub(super) use cyberveilig_services::orders::{FirmStep, NewOrder, OwnerStep};
pub(super) use cyberveilig_services::people::NewInvitation;
pub(super) use cyberveilig_services::store::records::{Order, OrderFilter, OrganisationFilter};
pub(super) use cyberveilig_services::{Actor, ServiceError};
pub(super) use minijinja::context;
pub(super) use minijinja::value::Value;
pub(super) use serde::Deserialize;
pub(super) use std::collections::HashMap;

pub(super) const PAGE: i64 = 50;

pub(super) async fn org_name(state: &AppState, id: i64) -> String {
    state
        .directory
        .organisation(&state.services, id)
        .await
        .map(|o| o.name.clone())
        .unwrap_or_else(|_| format!("#{id}"))
}

pub(super) async fn order_view(state: &AppState, o: &Order) -> Value {
    let today = brussels_date(state.services.clock.now());
    let firm = match o.firm_id {
        Some(id) => Some(org_name(state, id).await),
        None => None,
    };
    let agreement = match o.agreement_id {
        Some(id) => state
            .directory
            .agreement_reference(&state.services, id)
            .await
            .ok()
            .flatten()
            .map(|r| r.to_string()),
        None => None,
    };
    let open_offer = o.state == OrderState::Offered;
    context! {
        id => o.id, kind => o.kind.as_str(), state => o.state.as_str(), scope => o.scope.clone(),
        government => org_name(state, o.government_id).await, firm, agreement,
        submitted_on => o.submitted_on.to_string(), rate => o.rate.to_string(),
        response_due_on => o.response_due_on.filter(|_| open_offer).map(|d| d.to_string()),
        days_left => o.response_due_on.filter(|_| open_offer).map(|d| working_days_left(today, d)),
        overdue => o.response_due_on.is_some_and(|d| open_offer && d < today),
        price_cents => o.price.map(Money::cents), estimated_cost_cents => o.estimated_cost.map(Money::cents),
        reserved_cents => o.reserved.cents(), paid_cents => o.paid.cents(),
        invoice_number => o.invoice_number.clone(), invoiced_cents => o.invoiced.map(Money::cents),
        planned_start_on => o.planned_start_on.map(|d| d.to_string()),
        delivered_on => o.delivered_on.map(|d| d.to_string()), remediation_day_on => o.remediation_day_on.map(|d| d.to_string()),
    }
}

pub(super) async fn order_views(state: &AppState, orders: &[Order]) -> Vec<Value> {
    let mut out = Vec::with_capacity(orders.len());
    for o in orders {
        out.push(order_view(state, o).await);
    }
    out
}

pub(super) async fn orders_of(state: &AppState, actor: &Actor, filter: OrderFilter) -> Vec<Order> {
    state
        .services
        .orders(actor, OrderFilter { limit: 500, ..filter })
        .await
        .unwrap_or_default()
}

pub(super) async fn public_figures(state: &AppState) -> Vec<Value> {
    let total = crate::portal::public::count_local_governments(state).await;
    let mut out = Vec::new();
    for p in state.services.programmes_public().await.unwrap_or_default() {
        let counts = state.services.order_counts(p.programme.id).await.unwrap_or_default();
        let audits: i64 = counts
            .iter()
            .filter(|(k, s, _)| *k == OrderKind::Basic && !matches!(s, OrderState::Cancelled | OrderState::Unplaceable))
            .map(|(_, _, n)| n)
            .sum();
        let b = p.balances;
        let mut by_state: Vec<Value> = Vec::new();
        for s in OrderState::ALL {
            let n = |kind| {
                counts
                    .iter()
                    .filter(|(k, st, _)| *k == kind && *st == s)
                    .map(|(_, _, n)| *n)
                    .sum::<i64>()
            };
            let (basic, additional) = (n(OrderKind::Basic), n(OrderKind::Additional));
            if basic + additional > 0 {
                by_state.push(context! { state => s.as_str(), basic, additional });
            }
        }
        out.push(context! {
            id => p.programme.id, name => p.programme.name.clone(),
            budget_cents => b.budget.cents(), reserved_cents => b.reserved.cents(), paid_cents => b.paid.cents(),
            available_cents => b.available().cents(), waitlisted => p.waitlisted_count, audits,
            reached => state.services.governments_reached(p.programme.id).await.unwrap_or(0),
            total_governments => total, counts => by_state,
        });
    }
    out
}

pub(super) fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(super) fn parse_date(text: &str, field: &'static str) -> Result<NaiveDate, ServiceError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| ServiceError::invalid(field, "give a date", "geef een datum"))
}

pub(super) fn parse_amount(text: &str, field: &'static str) -> Result<Money, ServiceError> {
    Money::parse_euro(text).map_err(|_| {
        ServiceError::invalid(
            field,
            "give an amount in euros, such as 5.009,40",
            "geef een bedrag in euro, bijvoorbeeld 5.009,40",
        )
    })
}

pub(super) fn forbidden(visitor: &Visitor) -> Response {
    visitor.message(StatusCode::FORBIDDEN, "forbidden-title", "forbidden-body")
}

pub(super) fn not_found(visitor: &Visitor) -> Response {
    visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body")
}

/// A refusal of the service as a page: not found, not allowed, or anything else as a message.
pub(super) fn refusal(visitor: &Visitor, e: &ServiceError) -> Response {
    match e {
        ServiceError::NotFound(_) => not_found(visitor),
        ServiceError::Forbidden => forbidden(visitor),
        other => visitor.page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message.html",
            context! { title => visitor.text("bad-form-title"), body => visitor.error_text(other) },
        ),
    }
}

/// Whether a refusal is about what the form said (shown again on the form's page), not about access.
pub(super) fn is_bad_input(e: &ServiceError) -> bool {
    matches!(
        e,
        ServiceError::Invalid { .. } | ServiceError::Unknown { .. } | ServiceError::Conflict { .. }
    )
}
