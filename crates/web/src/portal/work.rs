//! The signed-in pages: each role's home, orders and their steps, and the administrator's
//! agreements, governments, people and outbox. Thin: read the form, call a service, render.

use super::session::{Member, PageForm, Visitor};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use cyberveilig_domain::Money;
use cyberveilig_domain::calendar::is_working_day;
use cyberveilig_domain::order::{OrderAction, OrderKind, OrderState, allows};
use cyberveilig_domain::registry::{OrganisationKind, Role};
use cyberveilig_services::authz::{Permission, can};
use cyberveilig_services::clock::brussels_date;
use cyberveilig_services::orders::{FirmStep, NewOrder, OwnerStep};
use cyberveilig_services::people::NewInvitation;
use cyberveilig_services::store::records::{Order, OrderFilter, OrganisationFilter};
use cyberveilig_services::{Actor, ServiceError};
use minijinja::context;
use minijinja::value::Value;
use serde::Deserialize;
use std::collections::HashMap;

const PAGE: i64 = 50;

async fn org_name(state: &AppState, id: i64) -> String {
    state
        .directory
        .organisation(&state.services, id)
        .await
        .map(|o| o.name.clone())
        .unwrap_or_else(|_| format!("#{id}"))
}

/// Working days from `today` until `due` (0 on the day itself; negative once past).
fn working_days_left(today: NaiveDate, due: NaiveDate) -> i64 {
    if due < today {
        return -(today - due).num_days();
    }
    today
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= due)
        .filter(|d| is_working_day(*d))
        .count() as i64
}

async fn order_view(state: &AppState, o: &Order) -> Value {
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
    }
}

async fn order_views(state: &AppState, orders: &[Order]) -> Vec<Value> {
    let mut out = Vec::with_capacity(orders.len());
    for o in orders {
        out.push(order_view(state, o).await);
    }
    out
}

async fn orders_of(state: &AppState, actor: &Actor, filter: OrderFilter) -> Vec<Order> {
    state
        .services
        .orders(actor, OrderFilter { limit: 500, ..filter })
        .await
        .unwrap_or_default()
}

/// `/start`: the home page of the person's role.
pub async fn home(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    match actor.role {
        Role::GovernmentMember => government_home(&state, &visitor, &actor, &OrderForm::default(), None).await,
        Role::FirmMember => firm_home(&state, &visitor, &actor).await,
        Role::ProgrammeAdmin => admin_home(&state, &visitor, &actor).await,
        Role::AssociationMember => association_home(&state, &visitor).await,
        Role::Researcher => {
            let programmes = public_figures(&state).await;
            visitor.page("researcher.html", context! { programmes })
        }
    }
}

#[derive(Deserialize, Default)]
pub struct OrderForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    programme_id: i64,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    estimated_cost_euro: String,
    #[serde(default)]
    preview: Option<String>,
}

async fn government_home(state: &AppState, visitor: &Visitor, actor: &Actor, form: &OrderForm, error: Option<String>) -> Response {
    let orders = orders_of(state, actor, OrderFilter::default()).await;
    let programme = state.services.programmes(actor).await.ok().and_then(|p| p.into_iter().next());
    let mut quotes = Vec::new();
    let mut agreement = None;
    let mut first_firm = None;
    if let Some(p) = &programme {
        let estimate = Money::parse_euro(&form.estimated_cost_euro).ok();
        for kind in [OrderKind::Basic, OrderKind::Additional] {
            let estimate = if kind == OrderKind::Additional { estimate } else { None };
            if let Ok(q) = state
                .services
                .quote(actor, p.programme.id, actor.organisation_id, kind, estimate)
                .await
            {
                agreement = agreement.or(q.agreement.clone());
                if first_firm.is_none() {
                    if let Some(id) = q.first_firm_id {
                        first_firm = Some(org_name(state, id).await);
                    }
                }
                quotes.push(context! {
                    kind => kind.as_str(), rate => q.rate.to_string(), allowed => q.refusal.is_none(),
                    refusal => q.refusal.as_ref().map(|r| r.message(visitor.lang.is_dutch())),
                    share_cents => q.share.map(Money::cents), basis_cents => q.basis.map(Money::cents),
                });
            }
        }
    }
    let programme = programme.map(|p| {
        context! {
            id => p.programme.id, basic_rate => p.programme.settings.basic_rate.to_string(),
            additional_rate => p.programme.settings.additional_rate.to_string(),
            offer_ends_on => p.programme.settings.offer_ends_on.to_string(),
        }
    });
    let form = context! { kind => form.kind.clone(), scope => form.scope.clone(), estimated_cost_euro => form.estimated_cost_euro.clone() };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "government.html",
        context! { orders => order_views(state, &orders).await, programme, quotes, agreement, first_firm, form, error },
    )
}

pub async fn submit_order(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<OrderForm>) -> Response {
    if let Err(refused) = visitor.check_csrf(&form.csrf) {
        return refused;
    }
    if form.preview.is_some() {
        return government_home(&state, &visitor, &actor, &form, None).await;
    }
    let result = async {
        let kind: OrderKind = form
            .kind
            .parse()
            .map_err(|_| ServiceError::invalid("kind", "choose basic or additional", "kies basis of bijkomend"))?;
        let estimated_cost = match (kind, form.estimated_cost_euro.trim()) {
            (OrderKind::Additional, text) => Some(Money::parse_euro(text).map_err(|_| {
                ServiceError::invalid(
                    "estimated_cost",
                    "give the estimated cost in euros, such as 2.500,00",
                    "geef de geraamde kost in euro, bijvoorbeeld 2.500,00",
                )
            })?),
            (OrderKind::Basic, _) => None,
        };
        let government = state.services.organisation(actor.organisation_id).await?;
        let nis = government.nis_code.ok_or(ServiceError::Forbidden)?;
        let new = NewOrder {
            programme_id: form.programme_id,
            government_nis: nis,
            kind,
            scope: form.scope.trim().to_owned(),
            estimated_cost,
        };
        state.services.submit_order(&actor, new).await
    }
    .await;
    match result {
        Ok(order) => Redirect::to(&format!("/bestellingen/{}?nieuw=1", order.id)).into_response(),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            government_home(&state, &visitor, &actor, &form, error).await
        }
    }
}

async fn firm_home(state: &AppState, visitor: &Visitor, actor: &Actor) -> Response {
    let orders = orders_of(state, actor, OrderFilter::default()).await;
    let agreements = state.services.agreements().await.unwrap_or_default();
    let mut offers = Vec::new();
    let mut running = Vec::new();
    for o in &orders {
        let offered_to_us = o.firm_id == Some(actor.organisation_id);
        if !offered_to_us {
            continue;
        }
        let view = order_view(state, o).await;
        match o.state {
            OrderState::Offered => {
                let price = o
                    .agreement_id
                    .and_then(|id| agreements.iter().find(|a| a.id == id))
                    .and_then(|a| a.firm(actor.organisation_id))
                    .map(|f| f.package_price.cents());
                offers.push(context! { ..view, ..context! { package_price_cents => price } });
            }
            OrderState::Accepted | OrderState::Delivered | OrderState::RemediationDayHeld | OrderState::Invoiced => running.push(view),
            _ => {}
        }
    }
    visitor.page("firm.html", context! { offers, running })
}

async fn public_figures(state: &AppState) -> Vec<Value> {
    let total = super::public::count_local_governments(state).await;
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

async fn admin_home(state: &AppState, visitor: &Visitor, actor: &Actor) -> Response {
    admin_home_with(state, visitor, actor, &AmendForm::default(), None, None).await
}

#[derive(Deserialize, Default)]
pub struct AmendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    offer_ends_on: String,
    #[serde(default)]
    budget_euro: String,
    #[serde(default)]
    reason: String,
}

/// An amendment from the administrator's home page: a later end of the offer, another budget.
pub async fn amend(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path(id): Path<String>,
    PageForm(form): PageForm<AmendForm>,
) -> Response {
    if let Err(refused) = visitor.check_csrf(&form.csrf) {
        return refused;
    }
    let Ok(id) = id.parse::<i64>() else {
        return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    };
    let parsed = (|| {
        let offer_ends_on = match form.offer_ends_on.trim() {
            "" => None,
            text => Some(parse_date(text, "offer_ends_on")?),
        };
        let budget = match form.budget_euro.trim() {
            "" => None,
            text => Some(parse_amount(text, "budget")?),
        };
        Ok::<_, ServiceError>(cyberveilig_services::programmes::ProgrammeAmendment {
            offer_ends_on,
            budget,
            reason: form.reason.clone(),
        })
    })();
    let result = match parsed {
        Ok(amendment) => state.services.amend_programme(&actor, id, amendment).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            let notice = Some(super::i18n::text(visitor.lang, "amend-done", &[]));
            admin_home_with(&state, &visitor, &actor, &AmendForm::default(), notice, None).await
        }
        Err(ServiceError::Forbidden) => forbidden(&visitor),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            admin_home_with(&state, &visitor, &actor, &form, None, error).await
        }
    }
}

async fn admin_home_with(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    form: &AmendForm,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    if actor.role != Role::ProgrammeAdmin {
        return forbidden(visitor);
    }
    let mut programmes = Vec::new();
    for p in public_figures(state).await {
        let id = p.get_attr("id").ok().and_then(|v| v.as_i64()).unwrap_or_default();
        let amendments: Vec<Value> = state
            .services
            .amendments(actor, id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|a| context! { at => a.at.to_rfc3339(), summary => amendment_summary(&a.summary, visitor.lang), reason => a.reason })
            .collect();
        programmes.push(context! { ..p, ..context! { amendments } });
    }
    let invoiced = orders_of(
        state,
        actor,
        OrderFilter {
            state: Some(OrderState::Invoiced),
            ..Default::default()
        },
    )
    .await;
    let amend =
        context! { offer_ends_on => form.offer_ends_on.clone(), budget_euro => form.budget_euro.clone(), reason => form.reason.clone() };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "admin.html",
        context! { programmes, invoiced => order_views(state, &invoiced).await, amend, notice, error },
    )
}

/// An amendment's recorded changes in words: the new end of the offer, the new budget.
fn amendment_summary(summary: &serde_json::Value, lang: crate::extract::Lang) -> String {
    let mut parts = Vec::new();
    let find = |key: &str| {
        summary
            .get(key)
            .and_then(|v| v.get("to").or(Some(v)))
            .cloned()
            .filter(|v| !v.is_null())
    };
    if let Some(date) = find("offer_ends_on").and_then(|v| v.as_str().map(str::to_owned)) {
        let shown = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or(date);
        parts.push(super::i18n::text(lang, "amended-offer-ends", &[("date", shown.into())]));
    }
    if let Some(cents) = find("budget_cents").and_then(|v| v.as_i64()) {
        let m = Money::from_cents(cents);
        let shown = if lang.is_dutch() { m.format_nl() } else { m.format_en() };
        parts.push(super::i18n::text(lang, "amended-budget", &[("amount", shown.into())]));
    }
    if parts.is_empty() { summary.to_string() } else { parts.join("; ") }
}

async fn association_home(state: &AppState, visitor: &Visitor) -> Response {
    let nl = visitor.lang.is_dutch();
    let grants: Vec<Value> = state
        .services
        .grants()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|g| {
            let packages: Vec<String> = g
                .work_packages
                .iter()
                .map(|w| if nl { w.title_nl.clone() } else { w.title_en.clone() })
                .collect();
            context! {
                name => g.name, amount_cents => g.amount.cents(), starts_on => g.starts_on.to_string(), ends_on => g.ends_on.to_string(),
                work_packages => packages, governance => g.governance,
            }
        })
        .collect();
    let programmes = public_figures(state).await;
    visitor.page("association.html", context! { grants, programmes })
}

#[derive(Deserialize)]
pub struct ShareQuery {
    #[serde(default)]
    programme_id: i64,
    #[serde(default)]
    estimated_cost_euro: String,
}

/// `/bestellingen/aandeel`: the share of additional work for an estimate, as one sentence (the
/// order form shows it while the estimate is typed).
pub async fn share(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<ShareQuery>) -> Response {
    let text = |key: &str, args: &[(&str, fluent_bundle::FluentValue<'_>)]| super::i18n::text(visitor.lang, key, args);
    if actor.role != Role::GovernmentMember {
        return (StatusCode::FORBIDDEN, text("forbidden-body", &[])).into_response();
    }
    let Ok(estimate) = Money::parse_euro(&q.estimated_cost_euro) else {
        return text("estimate-invalid", &[]).into_response();
    };
    match state
        .services
        .quote(&actor, q.programme_id, actor.organisation_id, OrderKind::Additional, Some(estimate))
        .await
    {
        Ok(quote) => {
            let money = |m: Money| if visitor.lang.is_dutch() { m.format_nl() } else { m.format_en() };
            let share = quote.share.map(money).unwrap_or_default();
            text("share-computed", &[("share", share.into()), ("cost", money(estimate).into())]).into_response()
        }
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, visitor.error_text(&e)).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct OrdersQuery {
    state: Option<String>,
    firm: Option<String>,
    agreement: Option<String>,
    province: Option<String>,
    from: Option<String>,
    until: Option<String>,
    sort: Option<String>,
    after: Option<i64>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `/bestellingen`: the orders the person may see, with filters; paginated.
pub async fn orders(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<OrdersQuery>) -> Response {
    let bad = |field: &str| {
        let e = ServiceError::invalid(
            "filter",
            format!("the filter '{field}' is not valid"),
            format!("de filter '{field}' is niet geldig"),
        );
        visitor.page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        )
    };
    let state_filter = match nonempty(&q.state).map(str::parse::<OrderState>) {
        Some(Ok(s)) => Some(s),
        Some(Err(_)) => return bad("state"),
        None => None,
    };
    let id = |v: &Option<String>| nonempty(v).map(str::parse::<i64>).transpose();
    let date = |v: &Option<String>| nonempty(v).map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d")).transpose();
    let (Ok(firm), Ok(agreement), Ok(from), Ok(until)) = (id(&q.firm), id(&q.agreement), date(&q.from), date(&q.until)) else {
        return bad("id/date");
    };
    let newest_first = q.sort.as_deref() == Some("newest");
    let filter = OrderFilter {
        state: state_filter,
        firm_id: firm,
        agreement_id: agreement,
        province_nis: nonempty(&q.province).map(str::to_owned),
        submitted_from: from,
        submitted_until: until,
        newest_first,
        after_id: q.after,
        limit: PAGE + 1,
        ..Default::default()
    };
    let mut found = match state.services.orders(&actor, filter).await {
        Ok(o) => o,
        Err(e) => {
            return visitor.page_with_status(
                StatusCode::FORBIDDEN,
                "message.html",
                context! { title => "", body => visitor.error_text(&e) },
            );
        }
    };
    let next_page = (found.len() as i64 > PAGE).then(|| {
        found.truncate(PAGE as usize);
        let mut params: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("state", &q.state),
            ("firm", &q.firm),
            ("agreement", &q.agreement),
            ("province", &q.province),
            ("from", &q.from),
            ("until", &q.until),
            ("sort", &q.sort),
        ] {
            if let Some(v) = nonempty(v) {
                params.push((k, v.to_owned()));
            }
        }
        params.push(("after", found.last().map(|o| o.id).unwrap_or_default().to_string()));
        format!("/bestellingen?{}", serde_urlencoded::to_string(&params).unwrap_or_default())
    });
    let admin = actor.role == Role::ProgrammeAdmin;
    let agreements: Vec<Value> = state
        .services
        .agreements()
        .await
        .unwrap_or_default()
        .iter()
        .map(|a| context! { id => a.id, reference => a.reference.clone() })
        .collect();
    let (mut firms, mut provinces) = (Vec::new(), Vec::new());
    if admin {
        for kind in [OrganisationKind::AuditFirm, OrganisationKind::Provincie] {
            let list = state
                .services
                .organisations_public(OrganisationFilter {
                    kind: Some(kind),
                    limit: 100,
                    ..Default::default()
                })
                .await
                .unwrap_or_default();
            for o in list {
                match kind {
                    OrganisationKind::AuditFirm => firms.push(context! { id => o.id, name => o.name }),
                    _ => provinces.push(context! { nis => o.nis_code.map(|n| n.to_string()), name => o.name }),
                }
            }
        }
    }
    let states: Vec<&str> = OrderState::ALL.iter().map(|s| s.as_str()).collect();
    let filter = context! {
        state => nonempty(&q.state), firm => firm, agreement => agreement, province => nonempty(&q.province),
        from => nonempty(&q.from).unwrap_or(""), until => nonempty(&q.until).unwrap_or(""), sort => if newest_first { "newest" } else { "oldest" },
    };
    visitor.page(
        "orders.html",
        context! { orders => order_views(&state, &found).await, next_page, filter, states, agreements, firms, provinces },
    )
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    price_euro: String,
    #[serde(default)]
    planned_start_on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    invoice_number: String,
    #[serde(default)]
    amount_euro: String,
}

async fn order_page_with(state: &AppState, visitor: &Visitor, actor: &Actor, id: i64, form: &StepForm, error: Option<String>) -> Response {
    let order = match state.services.order(actor, id).await {
        Ok(o) => o,
        Err(e) => {
            return visitor.page_with_status(
                StatusCode::NOT_FOUND,
                "message.html",
                context! { title => "", body => visitor.error_text(&e) },
            );
        }
    };
    let events = state.services.order_events(actor, id).await.unwrap_or_default();
    let events: Vec<Value> = events
        .iter()
        .map(|e| {
            let details: serde_json::Value = serde_json::from_str(&e.details).unwrap_or_default();
            let detail = details.get("reason").and_then(|r| r.as_str()).map(str::to_owned);
            context! { at => e.at.to_rfc3339(), action => e.action.replace(['.', '_'], "-"), actor => e.actor.clone(), detail }
        })
        .collect();
    let (k, s) = (order.kind, order.state);
    let firm = can(actor, Permission::AnswerOffer(&order));
    let actions = context! {
        accept => firm && allows(k, s, OrderAction::Accept),
        decline => firm && allows(k, s, OrderAction::Decline),
        deliver => firm && allows(k, s, OrderAction::Deliver),
        remediation_day => firm && allows(k, s, OrderAction::HoldRemediationDay),
        invoice => firm && allows(k, s, OrderAction::Invoice),
        settle => can(actor, Permission::SettleOrder(&order)) && allows(k, s, OrderAction::Settle),
        cancel => can(actor, Permission::CancelOrder(&order)) && allows(k, s, OrderAction::Cancel),
        confirm => can(actor, Permission::ConfirmOrder(&order)) && allows(k, s, OrderAction::Confirm),
    };
    let any = [
        "accept",
        "decline",
        "deliver",
        "remediation_day",
        "invoice",
        "settle",
        "cancel",
        "confirm",
    ]
    .iter()
    .any(|a| actions.get_attr(a).map(|v| v.is_true()).unwrap_or(false));
    let form = context! {
        price_euro => form.price_euro.clone(), planned_start_on => form.planned_start_on.clone(), reason => form.reason.clone(),
        held_on => form.held_on.clone(), invoice_number => form.invoice_number.clone(), amount_euro => form.amount_euro.clone(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "order.html",
        context! { o => order_view(state, &order).await, events, actions => any.then_some(actions), form, error },
    )
}

pub async fn order_page(State(state): State<AppState>, Member(visitor, actor): Member, Path(id): Path<String>) -> Response {
    match id.parse::<i64>() {
        Ok(id) => order_page_with(&state, &visitor, &actor, id, &StepForm::default(), None).await,
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
    }
}

fn parse_date(text: &str, field: &'static str) -> Result<NaiveDate, ServiceError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| ServiceError::invalid(field, "give a date", "geef een datum"))
}

fn parse_amount(text: &str, field: &'static str) -> Result<Money, ServiceError> {
    Money::parse_euro(text).map_err(|_| {
        ServiceError::invalid(
            field,
            "give an amount in euros, such as 5.009,40",
            "geef een bedrag in euro, bijvoorbeeld 5.009,40",
        )
    })
}

/// `POST /bestellingen/{id}/{step}`: one step of the order's life.
pub async fn order_step(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path((id, step)): Path<(String, String)>,
    PageForm(form): PageForm<StepForm>,
) -> Response {
    if let Err(refused) = visitor.check_csrf(&form.csrf) {
        return refused;
    }
    let Ok(id) = id.parse::<i64>() else {
        return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    };
    let s = &state.services;
    let result = match step.as_str() {
        "aanvaarden" => match (
            parse_amount(&form.price_euro, "price"),
            parse_date(&form.planned_start_on, "planned_start_on"),
        ) {
            (Ok(price), Ok(planned_start_on)) => s.firm_step(&actor, id, FirmStep::Accept { price, planned_start_on }).await,
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
        "weigeren" => {
            s.firm_step(
                &actor,
                id,
                FirmStep::Decline {
                    reason: form.reason.clone(),
                },
            )
            .await
        }
        "opleveren" => s.firm_step(&actor, id, FirmStep::Deliver).await,
        "remediatiedag" => match parse_date(&form.held_on, "held_on") {
            Ok(held_on) => s.firm_step(&actor, id, FirmStep::RemediationDay { held_on }).await,
            Err(e) => Err(e),
        },
        "factureren" => match parse_amount(&form.amount_euro, "amount") {
            Ok(amount) => {
                s.firm_step(
                    &actor,
                    id,
                    FirmStep::Invoice {
                        invoice_number: form.invoice_number.trim().to_owned(),
                        amount,
                    },
                )
                .await
            }
            Err(e) => Err(e),
        },
        "vereffenen" => s.settle_order(&actor, id).await,
        "annuleren" => {
            s.owner_step(
                &actor,
                id,
                OwnerStep::Cancel {
                    reason: form.reason.clone(),
                },
            )
            .await
        }
        "bevestigen" => s.owner_step(&actor, id, OwnerStep::Confirm).await,
        _ => return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
    };
    match result {
        // A firm that declined no longer sees the order: back to its list.
        Ok(_) if step == "weigeren" => Redirect::to("/start").into_response(),
        Ok(_) => Redirect::to(&format!("/bestellingen/{id}")).into_response(),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            order_page_with(&state, &visitor, &actor, id, &form, error).await
        }
    }
}

fn forbidden(visitor: &Visitor) -> Response {
    visitor.message(StatusCode::FORBIDDEN, "forbidden-title", "forbidden-body")
}

pub async fn agreements(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    if !can(&actor, Permission::ManageAgreements) {
        return forbidden(&visitor);
    }
    let mut list = Vec::new();
    for a in state.services.agreements().await.unwrap_or_default() {
        let mut cascade = Vec::new();
        for f in &a.cascade {
            cascade.push(context! { rank => f.rank, name => org_name(&state, f.firm_id).await, package_price_cents => f.package_price.cents(), day_rate_cents => f.day_rate.cents() });
        }
        list.push(context! {
            id => a.id, reference => a.reference.clone(), title => a.title.clone(), active => a.active,
            window_from => a.window_from.to_string(), window_until => a.window_until.to_string(), term => a.response_term_working_days, cascade,
        });
    }
    visitor.page("agreements.html", context! { agreements => list })
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn activate_agreement(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    if let Err(refused) = visitor.check_csrf(&form.csrf) {
        return refused;
    }
    let Ok(id) = id.parse::<i64>() else {
        return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    };
    match state.services.activate_agreement(&actor, id).await {
        Ok(_) => Redirect::to("/raamovereenkomsten").into_response(),
        Err(ServiceError::Forbidden) => forbidden(&visitor),
        Err(e) => visitor.page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        ),
    }
}

#[derive(Deserialize)]
pub struct GovernmentsQuery {
    show: Option<String>,
}

pub async fn governments(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<GovernmentsQuery>) -> Response {
    let Some(programme) = state.services.programmes(&actor).await.ok().and_then(|p| p.into_iter().next()) else {
        return forbidden(&visitor);
    };
    let counts: HashMap<i64, (i64, i64)> = match state.services.orders_by_government(&actor, programme.programme.id).await {
        Ok(rows) => rows.into_iter().map(|(g, b, a)| (g, (b, a))).collect(),
        Err(_) => return forbidden(&visitor),
    };
    let filter = OrganisationFilter {
        kind: Some(OrganisationKind::Gemeente),
        limit: 10_000,
        ..Default::default()
    };
    let provinces: HashMap<String, String> = state
        .services
        .organisations_public(OrganisationFilter {
            kind: Some(OrganisationKind::Provincie),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.nis_code.map(|n| (n.to_string(), p.name)))
        .collect();
    let list: Vec<Value> = state
        .services
        .organisations_public(filter)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|g| {
            let (basic, additional) = counts.get(&g.id).copied().unwrap_or((0, 0));
            let province = g
                .province_nis
                .as_ref()
                .and_then(|n| provinces.get(n.as_str()))
                .cloned()
                .unwrap_or_default();
            context! { nis => g.nis_code.map(|n| n.to_string()), name => g.name, province, basic, additional }
        })
        .collect();
    let reached = counts.values().filter(|(b, _)| *b > 0).count();
    let show = match q.show.as_deref() {
        Some("ordered") => "ordered",
        Some("not") => "not",
        _ => "all",
    };
    visitor.page("governments.html", context! { governments => list, reached, show })
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation: i64,
    #[serde(default)]
    role: String,
}

async fn people_page(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    form: &InviteForm,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let admin = actor.role == Role::ProgrammeAdmin;
    let scope = if admin { None } else { Some(actor.organisation_id) };
    let (people, invitations) = match (
        state.services.people(actor, scope).await,
        state.services.invitations(actor, scope).await,
    ) {
        (Ok(p), Ok(i)) => (p, i),
        _ => return forbidden(visitor),
    };
    // The administrator sees the people of the platform's actors first; governments' contacts
    // are many and listed per government.
    let mut shown = Vec::new();
    let total = people.len();
    for p in people
        .iter()
        .filter(|p| !admin || p.role != Role::GovernmentMember || !p.email.as_str().ends_with("@gemeente.test"))
        .take(200)
    {
        shown.push(context! { name => p.name.clone(), email => p.email.to_string(), role => p.role.as_str(), organisation => org_name(state, p.organisation_id).await });
    }
    let more_people = total - shown.len();
    let now = state.services.clock.now();
    let mut invites = Vec::new();
    for i in invitations.iter().take(200) {
        let status = if i.accepted_at.is_some() {
            "accepted"
        } else if i.expires_at < now {
            "expired"
        } else {
            "open"
        };
        invites.push(context! { email => i.email.to_string(), role => i.role.as_str(), organisation => org_name(state, i.organisation_id).await, created_at => i.created_at.to_rfc3339(), status });
    }
    let organisations: Vec<Value> = if admin {
        let mut list = Vec::new();
        for kind in [
            OrganisationKind::Administration,
            OrganisationKind::AuditFirm,
            OrganisationKind::Association,
            OrganisationKind::EducationPartner,
            OrganisationKind::Gemeente,
        ] {
            let orgs = state
                .services
                .organisations_public(OrganisationFilter {
                    kind: Some(kind),
                    limit: 1000,
                    ..Default::default()
                })
                .await
                .unwrap_or_default();
            list.extend(orgs.into_iter().map(|o| context! { id => o.id, name => o.name }));
        }
        list
    } else {
        Vec::new()
    };
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let form =
        context! { name => form.name.clone(), email => form.email.clone(), organisation => form.organisation, role => form.role.clone() };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "people.html",
        context! { people => shown, more_people, invitations => invites, organisations, roles, own_organisation => actor.organisation_id, form, notice, error },
    )
}

pub async fn people(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    people_page(&state, &visitor, &actor, &InviteForm::default(), None, None).await
}

pub async fn invite(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<InviteForm>) -> Response {
    if let Err(refused) = visitor.check_csrf(&form.csrf) {
        return refused;
    }
    let role = match form.role.parse::<Role>() {
        Ok(r) => r,
        Err(_) => {
            let e = ServiceError::invalid("role", "choose a role", "kies een rol");
            let error = Some(visitor.error_text(&e));
            return people_page(&state, &visitor, &actor, &form, None, error).await;
        }
    };
    let new = NewInvitation {
        email: form.email.clone(),
        name: form.name.clone(),
        role,
        organisation_id: form.organisation,
    };
    match state.services.invite(&actor, new).await {
        Ok(i) => {
            let notice = Some(super::i18n::text(
                visitor.lang,
                "invite-sent",
                &[("email", i.email.to_string().into())],
            ));
            people_page(&state, &visitor, &actor, &InviteForm::default(), notice, None).await
        }
        Err(ServiceError::Forbidden) => forbidden(&visitor),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            people_page(&state, &visitor, &actor, &form, None, error).await
        }
    }
}

pub async fn outbox(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    match state.services.outbox(&actor, 100).await {
        Ok(mails) => {
            let mails: Vec<Value> = mails
                .into_iter()
                .map(|m| context! { to => m.to, subject => m.subject, body => m.body, created_at => m.created_at.to_rfc3339(), sent_at => m.sent_at.map(|t| t.to_rfc3339()), last_error => m.last_error })
                .collect();
            visitor.page("outbox.html", context! { mails })
        }
        Err(_) => forbidden(&visitor),
    }
}

#[derive(Deserialize, Default)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    valid_days: String,
}

async fn account_page(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    form: &TokenForm,
    new_token: Option<String>,
    error: Option<String>,
) -> Response {
    let tokens: Vec<Value> = state
        .services
        .api_tokens(actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| context! { id => t.id, name => t.name, created_at => t.created_at.to_rfc3339(), expires_at => t.expires_at.to_rfc3339(), revoked_at => t.revoked_at.map(|r| r.to_rfc3339()) })
        .collect();
    let second_factor = match state.services.second_factor_status(actor).await {
        Ok(s) => context! { enabled => s.enabled, unused => s.unused_recovery_codes },
        Err(_) => context! { enabled => false, unused => 0 },
    };
    let days = if form.valid_days.is_empty() {
        "90".to_owned()
    } else {
        form.valid_days.clone()
    };
    let form = context! { name => form.name.clone(), valid_days => days };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "api_tokens.html",
        context! { tokens, second_factor, form, new_token, error },
    )
}

pub async fn account(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    account_page(&state, &visitor, &actor, &TokenForm::default(), None, None).await
}

pub async fn make_token(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<TokenForm>) -> Response {
    if let Err(refused) = visitor.check_csrf(&form.csrf) {
        return refused;
    }
    let days = form.valid_days.trim().parse::<i64>().unwrap_or(0);
    match state.services.create_api_token(&actor, &form.name, days).await {
        Ok(made) => account_page(&state, &visitor, &actor, &TokenForm::default(), Some(made.token), None).await,
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            account_page(&state, &visitor, &actor, &form, None, error).await
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path(id): Path<String>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    if let Err(refused) = visitor.check_csrf(&form.csrf) {
        return refused;
    }
    match state.services.revoke_api_token(&actor, &id).await {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            account_page(&state, &visitor, &actor, &TokenForm::default(), None, error).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_left_skip_weekends_and_holidays() {
        let d = |m, day| NaiveDate::from_ymd_opt(2020, m, day).unwrap();
        // Monday 18 May 2020 to Tuesday 26 May: Ascension (21 May) and the weekend skipped.
        assert_eq!(working_days_left(d(5, 18), d(5, 26)), 5);
        assert_eq!(working_days_left(d(5, 26), d(5, 26)), 0);
        assert_eq!(working_days_left(d(5, 27), d(5, 26)), -1);
    }
}

#[derive(Deserialize, Default)]
pub struct FindingsQuery {
    status: Option<String>,
    after: Option<i64>,
}

fn finding_view(f: &cyberveilig_services::store::records::StoredFinding, today: NaiveDate) -> Value {
    let decision_class = f.decision.as_deref().map(|d| d.replace('*', "-star"));
    let place = [
        f.url.clone(),
        f.port
            .map(|p| format!("{}/{}", f.protocol.clone().unwrap_or_else(|| "tcp".into()), p)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    context! {
        id => f.id, title => f.title.clone(), severity => f.severity.clone(), status => f.status.clone(),
        decision => f.decision.clone(), decision_class, due_on => f.due_on.map(|d| d.to_string()),
        overdue => f.due_on.is_some_and(|d| d < today) && matches!(f.status.as_str(), "open" | "in_progress"),
        cves => f.cves.replace(',', ", "), where => place, cvss_score => f.cvss_score, cvss_vector => f.cvss_vector.clone(),
        description => f.description.clone(), recommendation => f.recommendation.clone(), evidence => f.evidence.clone(),
        first_seen => f.first_seen.to_rfc3339(),
    }
}

/// `/bevindingen`: the findings register in priority order.
pub async fn findings(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<FindingsQuery>) -> Response {
    let status = nonempty(&q.status).map(str::to_owned);
    if status
        .as_deref()
        .is_some_and(|s| s.parse::<cyberveilig_domain::remediation::FindingStatus>().is_err())
    {
        return visitor.message(StatusCode::UNPROCESSABLE_ENTITY, "bad-form-title", "bad-form-body");
    }
    let offset = q.after.unwrap_or(0).max(0);
    let filter = cyberveilig_services::store::records::FindingFilter {
        status: status.clone(),
        offset,
        limit: PAGE + 1,
        ..Default::default()
    };
    let mut list = match state.services.findings(&actor, filter).await {
        Ok(l) => l,
        Err(_) => return forbidden(&visitor),
    };
    let next_page = (list.len() as i64 > PAGE).then(|| {
        list.truncate(PAGE as usize);
        let mut params = vec![("after", (offset + PAGE).to_string())];
        if let Some(s) = &status {
            params.push(("status", s.clone()));
        }
        format!("/bevindingen?{}", serde_urlencoded::to_string(&params).unwrap_or_default())
    });
    let today = brussels_date(state.services.clock.now());
    let findings: Vec<Value> = list.iter().map(|f| finding_view(f, today)).collect();
    let statuses: Vec<&str> = cyberveilig_domain::remediation::FindingStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    visitor.page("findings.html", context! { findings, statuses, status, next_page })
}

async fn finding_page_with(state: &AppState, visitor: &Visitor, actor: &Actor, id: &str, error: Option<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    };
    match state.services.finding(actor, id).await {
        Ok(view) => {
            let today = brussels_date(state.services.clock.now());
            let events: Vec<Value> = view
                .events
                .iter()
                .map(|e| {
                    let d: serde_json::Value = serde_json::from_str(&e.details).unwrap_or_default();
                    context! { at => e.at.to_rfc3339(), actor => e.actor.clone(), to => d["to"].as_str().unwrap_or("").to_owned(),
                    reason => d["reason"].as_str().map(str::to_owned) }
                })
                .collect();
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            visitor.page_with_status(
                status,
                "finding.html",
                context! { f => finding_view(&view.finding, today), steps => view.next_statuses, events, error },
            )
        }
        Err(e) => visitor.page_with_status(
            StatusCode::NOT_FOUND,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        ),
    }
}

pub async fn finding_page(State(state): State<AppState>, Member(visitor, actor): Member, Path(id): Path<String>) -> Response {
    finding_page_with(&state, &visitor, &actor, &id, None).await
}

#[derive(Deserialize, Default)]
pub struct FindingStatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    until: String,
}

pub async fn change_finding(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path(id): Path<String>,
    PageForm(form): PageForm<FindingStatusForm>,
) -> Response {
    if let Err(refused) = visitor.check_csrf(&form.csrf) {
        return refused;
    }
    let Ok(finding_id) = id.parse::<i64>() else {
        return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    };
    let until = match form.until.trim() {
        "" => Ok(None),
        text => parse_date(text, "until").map(Some),
    };
    let result = match until {
        Ok(until) => {
            let change = cyberveilig_services::findings::StatusChange {
                status: form.status.clone(),
                reason: Some(form.reason.clone()).filter(|r| !r.trim().is_empty()),
                until,
            };
            state.services.change_finding_status(&actor, finding_id, change).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/bevindingen/{finding_id}")).into_response(),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            finding_page_with(&state, &visitor, &actor, &id, error).await
        }
    }
}
