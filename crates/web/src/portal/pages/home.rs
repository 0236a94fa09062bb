//! Each role's home page, and the government's order form with its quote.

use super::*;

/// `/start`: the home page of the person's role.
pub async fn home(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    match actor.role {
        Role::GovernmentMember => government_home(&state, &visitor, &actor, &OrderForm::default(), None).await,
        Role::FirmMember => firm_home(&state, &visitor, &actor).await,
        Role::ProgrammeAdmin => super::admin::admin_home(&state, &visitor, &actor).await,
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

pub(super) async fn government_home(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    form: &OrderForm,
    error: Option<String>,
) -> Response {
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
                if first_firm.is_none()
                    && let Some(id) = q.first_firm_id
                {
                    first_firm = Some(org_name(state, id).await);
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
    // Vulnerability reports waiting for the government's answer, with the date it is due by.
    let mut waiting = Vec::new();
    for state_name in ["received", "acknowledged"] {
        let q = cyberveilig_services::reports::ReportListQuery {
            state: Some(state_name.into()),
            limit: 50,
            ..Default::default()
        };
        for r in state.services.reports(actor, q).await.unwrap_or_default() {
            let due = if state_name == "received" {
                r.report.acknowledge_by
            } else {
                r.report.triage_by
            };
            waiting.push(context! {
                id => r.report.id, code => r.report.tracking_code.clone(), title => r.report.title.clone(),
                state => state_name, due => due.to_string(), overdue => r.overdue.is_some(),
                outside_scope => r.report.outside_scope,
            });
        }
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "government.html",
        context! { orders => order_views(state, &orders).await, programme, quotes, agreement, first_firm, form, error, waiting },
    )
}

pub async fn submit_order(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<OrderForm>) -> Response {
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

pub(super) async fn firm_home(state: &AppState, visitor: &Visitor, actor: &Actor) -> Response {
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
            OrderState::AwaitingPriceConfirmation
            | OrderState::Accepted
            | OrderState::Delivered
            | OrderState::RemediationDayHeld
            | OrderState::Invoiced => running.push(view),
            _ => {}
        }
    }
    visitor.page("firm.html", context! { offers, running })
}

pub(super) async fn association_home(state: &AppState, visitor: &Visitor) -> Response {
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
    let text = |key: &str, args: &[(&str, fluent_bundle::FluentValue<'_>)]| crate::portal::i18n::text(visitor.lang, key, args);
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
