//! Orders: the list with its filters, an order's page with its timeline and money, its steps,
//! the audit report, and the settlement with its confirmation.

use super::*;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use cyberveilig_domain::credit::ContractTerms;

#[derive(Deserialize, Default)]
pub struct OrdersQuery {
    state: Option<String>,
    /// "1": basic audits delivered without an audit report (the administrator's follow-up).
    without_report: Option<String>,
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
    let without_report = nonempty(&q.without_report) == Some("1") && actor.role == Role::ProgrammeAdmin;
    let filter = OrderFilter {
        delivered_without_report: without_report,
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
            ("without_report", &q.without_report),
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
        without_report,
    };
    visitor.page(
        "orders.html",
        context! { orders => order_views(&state, &found).await, next_page, filter, states, agreements, firms, provinces },
    )
}

/// Audit Vlaanderen's public page on the ICT security audits ordered through the framework
/// agreements (what a basic audit holds, the firms, the order procedure).
pub const AUDIT_VLAANDEREN_URL: &str = "https://www.auditvlaanderen.be/ict-veiligheidsaudits";

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    price_euro: String,
    #[serde(default)]
    planned_start_on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    invoice_number: String,
    #[serde(default)]
    amount_euro: String,
    /// The payment the administrator confirms at settlement, in cents.
    #[serde(default)]
    paid_cents: String,
}

/// An amount as a form field holds it: `5.464,55` on a Dutch page, `5464.55` on an English one
/// (both read back by `Money::parse_euro`).
fn euro_input(m: Money, dutch: bool) -> String {
    if dutch {
        m.format_nl().trim_start_matches("€ ").to_owned()
    } else {
        format!("{}.{:02}", m.cents() / 100, m.cents() % 100)
    }
}

/// The timeline of an order: every event in words, naming the firm it concerns.
async fn timeline(state: &AppState, visitor: &Visitor, actor: &Actor, order: &Order, firm: Option<&str>) -> Vec<Value> {
    let events = state.services.order_events(actor, order.id).await.unwrap_or_default();
    let mut firms = HashMap::new();
    for id in crate::portal::timeline::firm_ids(&events) {
        firms.insert(id, org_name(state, id).await);
    }
    events
        .iter()
        .map(|e| {
            let details: serde_json::Value = serde_json::from_str(&e.details).unwrap_or_default();
            let detail = details.get("reason").and_then(|r| r.as_str()).map(str::to_owned);
            let text = crate::portal::timeline::describe(visitor.lang, e, &firms, firm);
            context! { at => e.at.to_rfc3339(), text, actor => e.actor.clone(), detail }
        })
        .collect()
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
    let dutch = visitor.lang.is_dutch();
    let today = brussels_date(state.services.clock.now());
    let firm_name = match order.firm_id {
        Some(f) => Some(org_name(state, f).await),
        None => None,
    };
    let events = timeline(state, visitor, actor, &order, firm_name.as_deref()).await;
    // The agreement's terms for the order's firm (its package price and day rate), and the
    // agreement's status today.
    let agreements = state.services.agreements().await.unwrap_or_default();
    let agreement = order.agreement_id.and_then(|a| agreements.iter().find(|x| x.id == a));
    let terms = agreement.and_then(|a| order.firm_id.and_then(|f| a.firm(f)).map(|f| ContractTerms::of(&a.reference, f)));
    let agreement_view = agreement.map(|a| agreement_status_view(a, today));
    // The money as the government reads it: the price (or, before a firm names one, the
    // agreement's price or the estimate), the Flemish share, its own part.
    let basis = order.price.or_else(|| match order.kind {
        OrderKind::Basic => terms.as_ref().map(|t| t.package_price).or_else(|| {
            cyberveilig_domain::cascade::in_force(&agreements, today)
                .and_then(|a| a.first_firm())
                .map(|f| f.package_price)
        }),
        OrderKind::Additional => order.estimated_cost,
    });
    let settled = order.state == OrderState::Settled;
    let money = basis.map(|basis| {
        let (paid_on, share) = if settled {
            let on = order.invoiced.map_or(basis, |i| i.min(basis));
            (on, order.paid)
        } else {
            (basis, order.rate.share_of(basis))
        };
        context! {
            basis_cents => paid_on.cents(), share_cents => share.cents(), own_part_cents => (paid_on - share).cents(),
            from_price => order.price.is_some(), settled,
        }
    });
    let (k, s) = (order.kind, order.state);
    let firm = can(actor, Permission::AnswerOffer(&order));
    let results_possible = order.state.takes_results();
    let reports = state.services.audit_reports(actor, id).await.ok();
    let facts = if order.kind == OrderKind::Basic && (firm || actor.role == Role::ProgrammeAdmin) && allows(k, s, OrderAction::Deliver) {
        state.services.delivery_facts(actor, id).await.ok()
    } else {
        None
    };
    let confirm_price = if can(actor, Permission::ConfirmOrder(&order)) && s == OrderState::AwaitingPriceConfirmation {
        price_confirmation(state, actor, &order).await
    } else {
        None
    };
    let actions = context! {
        accept => firm && allows(k, s, OrderAction::Accept),
        decline => firm && allows(k, s, OrderAction::Decline),
        deliver => firm && allows(k, s, OrderAction::Deliver),
        upload_report => reports.as_ref().is_some_and(|r| r.may_upload),
        record_day => firm && allows(k, s, OrderAction::HoldRemediationDay),
        invoice => firm && allows(k, s, OrderAction::Invoice),
        settle => can(actor, Permission::SettleOrder(&order)) && allows(k, s, OrderAction::Settle),
        cancel => can(actor, Permission::CancelOrder(&order)) && allows(k, s, OrderAction::Cancel),
        confirm => can(actor, Permission::ConfirmOrder(&order)) && s == OrderState::AwaitingConfirmation,
        confirm_price => confirm_price.is_some(),
    };
    let any = [
        "accept",
        "decline",
        "deliver",
        "upload_report",
        "record_day",
        "invoice",
        "settle",
        "cancel",
        "confirm",
        "confirm_price",
    ]
    .iter()
    .any(|a| actions.get_attr(a).map(|v| v.is_true()).unwrap_or(false));
    // The accept form starts from the agreement's price (a basic audit) or the estimate
    // (additional work); the invoice form from the accepted price.
    let price_default = match order.kind {
        OrderKind::Basic => terms.as_ref().map(|t| t.package_price),
        OrderKind::Additional => order.estimated_cost,
    };
    let prefill = |typed: &str, default: Option<Money>| {
        if typed.trim().is_empty() {
            default.map(|m| euro_input(m, dutch)).unwrap_or_default()
        } else {
            typed.to_owned()
        }
    };
    let form = context! {
        price_euro => prefill(&form.price_euro, price_default), planned_start_on => form.planned_start_on.clone(),
        reason => form.reason.clone(), invoice_number => form.invoice_number.clone(),
        amount_euro => prefill(&form.amount_euro, order.price),
    };
    let terms = terms.map(|t| {
        context! { agreement => t.agreement, package_price_cents => t.package_price.cents(), day_rate_cents => t.day_rate.cents() }
    });
    let reports = reports.map(|r| {
        r.reports
            .iter()
            .map(|a| {
                context! { id => a.id, filename => a.filename.clone(), size_kib => (a.size + 1023) / 1024, at => a.at.to_rfc3339() }
            })
            .collect::<Vec<_>>()
    });
    let facts = facts.map(|f| context! { controls => f.controls, unrated => f.unrated, report => !f.reports.is_empty() });
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "order.html",
        context! {
            o => order_view(state, &order).await, events, actions => any.then_some(actions), form, error,
            results => results_possible, terms, agreement => agreement_view, money, reports, facts, confirm_price,
            state_label => order.state.label(dutch), audit_vlaanderen_url => AUDIT_VLAANDEREN_URL,
        },
    )
}

/// An agreement's status on a day, for a page.
pub(super) fn agreement_status_view(a: &cyberveilig_domain::cascade::FrameworkAgreement, today: NaiveDate) -> Value {
    use cyberveilig_domain::cascade::AgreementStatus;
    let (status, date) = match a.status(today) {
        AgreementStatus::NotYetOpen { from } => ("not_yet_open", Some(from)),
        AgreementStatus::AwaitingActivation => ("awaiting_activation", None),
        AgreementStatus::Active => ("active", None),
        AgreementStatus::Closed { last_day } => ("closed", Some(last_day)),
    };
    context! { reference => a.reference.clone(), status, date => date.map(|d| d.to_string()) }
}

/// What confirming a quote above the estimate will reserve (D7): the share of the quote, within
/// what is available.
async fn price_confirmation(state: &AppState, actor: &Actor, order: &Order) -> Option<Value> {
    let price = order.price?;
    let share = order.rate.share_of(price);
    let balances = state
        .services
        .programmes(actor)
        .await
        .ok()?
        .into_iter()
        .find(|p| p.programme.id == order.programme_id)?
        .balances;
    let (_, reserved_after) = cyberveilig_domain::ledger::adjust(&balances, order.reserved, share);
    Some(context! {
        price_cents => price.cents(), estimate_cents => order.estimated_cost.map(Money::cents), share_cents => share.cents(),
        reserved_cents => order.reserved.cents(), reserved_after_cents => reserved_after.cents(), capped => reserved_after < share,
        available_cents => balances.available().cents(),
    })
}

pub async fn order_page(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    order_page_with(&state, &visitor, &actor, id, &StepForm::default(), None).await
}

/// `POST /bestellingen/{id}/{step}`: one step of the order's life.
pub async fn order_step(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId((id, step)): PageId<(i64, String)>,
    PageForm(form): PageForm<StepForm>,
) -> Response {
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

/// `GET /bestellingen/{id}/vereffenen`: what settling the order will pay, and why, for the
/// administrator to confirm with that amount.
pub async fn settle_page(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    settle_page_with(&state, &visitor, &actor, id, None).await
}

async fn settle_page_with(state: &AppState, visitor: &Visitor, actor: &Actor, id: i64, error: Option<String>) -> Response {
    match state.services.settlement(actor, id).await {
        Ok(view) => {
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let row = settlement_row(state, &view).await;
            visitor.page_with_status(status, "settle.html", context! { s => row, error })
        }
        Err(ServiceError::Forbidden) => forbidden(visitor),
        Err(e @ ServiceError::Refused(_)) => visitor.page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        ),
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
    }
}

/// One order of the settlement queue, for a page.
pub(super) async fn settlement_row(state: &AppState, v: &cyberveilig_services::orders::settlement::SettlementView) -> Value {
    let s = &v.settlement;
    let firm = match v.order.firm_id {
        Some(f) => Some(org_name(state, f).await),
        None => None,
    };
    context! {
        id => v.order.id, kind => v.order.kind.as_str(), rate => v.order.rate.to_string(),
        government => org_name(state, v.order.government_id).await, firm,
        agreement => v.terms.as_ref().map(|t| t.agreement.clone()),
        package_price_cents => v.terms.as_ref().filter(|_| v.order.kind == OrderKind::Basic).map(|t| t.package_price.cents()),
        day_rate_cents => v.terms.as_ref().filter(|_| v.order.kind == OrderKind::Additional).map(|t| t.day_rate.cents()),
        estimate_cents => v.order.estimated_cost.map(Money::cents),
        price_cents => s.accepted_price.cents(), invoiced_cents => s.invoiced.cents(), reserved_cents => s.reserved.cents(),
        due_cents => s.due.cents(), payment_cents => s.payment.cents(), released_cents => s.released.cents(),
        invoice_number => v.order.invoice_number.clone(),
        differences => v.differences.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
    }
}

/// `POST /bestellingen/{id}/vereffenen`: settles the order, paying exactly the amount confirmed.
pub async fn settle(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<StepForm>,
) -> Response {
    let Ok(confirmed) = form.paid_cents.trim().parse::<i64>() else {
        let e = ServiceError::invalid(
            "paid_cents",
            "Confirm the payment from the settlement page.",
            "Bevestig de betaling vanaf de pagina van de vereffening.",
        );
        return settle_page_with(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await;
    };
    match state.services.settle_order(&actor, id, Some(Money::from_cents(confirmed))).await {
        Ok(_) => Redirect::to(&format!("/bestellingen/{id}")).into_response(),
        Err(ServiceError::Forbidden) => forbidden(&visitor),
        Err(e) => settle_page_with(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
    }
}

/// `POST /bestellingen/{id}/auditrapport`: the firm uploads the audit report (a PDF).
pub async fn upload_report(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let read = match form {
        Ok(form) => read_report(form).await,
        Err(_) => Err(()),
    };
    let Ok((csrf, filename, content)) = read else {
        let e = ServiceError::invalid(
            "report",
            "Choose the audit report (a PDF file) to upload.",
            "Kies het auditrapport (een PDF-bestand) om op te laden.",
        );
        return order_page_with(&state, &visitor, &actor, id, &StepForm::default(), Some(visitor.error_text(&e))).await;
    };
    if let Err(refused) = visitor.check_csrf(&csrf) {
        return refused;
    }
    match state.services.upload_audit_report(&actor, id, &filename, &content).await {
        Ok(_) => Redirect::to(&format!("/bestellingen/{id}#auditrapport")).into_response(),
        Err(ServiceError::Forbidden) => forbidden(&visitor),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            order_page_with(&state, &visitor, &actor, id, &StepForm::default(), error).await
        }
    }
}

async fn read_report(mut form: Multipart) -> Result<(String, String, Vec<u8>), ()> {
    let (mut csrf, mut file) = (String::new(), None);
    while let Some(field) = form.next_field().await.map_err(|_| ())? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.map_err(|_| ())?,
            "report" => {
                let name = field.file_name().unwrap_or("").to_owned();
                let content = field.bytes().await.map_err(|_| ())?.to_vec();
                if !content.is_empty() || !name.is_empty() {
                    file = Some((name, content));
                }
            }
            _ => {}
        }
    }
    file.map(|(name, content)| (csrf, name, content)).ok_or(())
}

/// `GET /bestellingen/{id}/auditrapporten/{rid}`: an audit report, as a download only.
pub async fn download_report(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId((id, rid)): PageId<(i64, i64)>,
) -> Response {
    match state.services.audit_report_file(&actor, id, rid).await {
        Ok((report, content)) => crate::api::reports::download(&report.filename, content),
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
    }
}

/// `GET /bestellingen/{id}/verslag.pdf`: the platform's report of the order's audit (its
/// assessment, findings, remediation plan and remediation day) as a PDF.
pub async fn results_report(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    match state.services.results_report_pdf(&actor, id, visitor.lang.is_dutch()).await {
        Ok((name, bytes)) => crate::api::attachment(bytes, crate::api::PDF, &name),
        Err(e) => refusal(&visitor, &e),
    }
}
