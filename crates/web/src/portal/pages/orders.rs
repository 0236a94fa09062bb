//! Orders: the list with its filters, an order's page with its timeline, and its steps.

use super::*;

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

pub(super) async fn order_page_with(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    id: i64,
    form: &StepForm,
    error: Option<String>,
) -> Response {
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
        context! { o => order_view(state, &order).await, events, actions => any.then_some(actions), form, error,
        assessment => order.accepted_on.is_some() },
    )
}

pub async fn order_page(State(state): State<AppState>, Member(visitor, actor): Member, Path(id): Path<String>) -> Response {
    match id.parse::<i64>() {
        Ok(id) => order_page_with(&state, &visitor, &actor, id, &StepForm::default(), None).await,
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
    }
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
