//! Orders through their whole life (section 2.1): submission, the cascade, the firm's work,
//! settlement; and the credit each step reserves, adjusts, releases or pays (D7, D8).

use crate::Services;
use crate::authz::{Actor, OrderScope, Permission, can, order_scope};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use chrono::NaiveDate;
use cyberveilig_domain::cascade::{self, CascadePosition, Placement};
use cyberveilig_domain::credit::{self, Acceptance, ContractTerms};
use cyberveilig_domain::document::check_delivery;
use cyberveilig_domain::ledger;
use cyberveilig_domain::order::{OrderAction, OrderKind, OrderState, allows};
use cyberveilig_domain::registry::{NisCode, Role};
use cyberveilig_domain::{Money, Refusal};
use cyberveilig_store::records::{Event, NewMail, Order, OrderFilter, Person, Programme};
use serde_json::json;

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub programme_id: i64,
    pub government_nis: NisCode,
    pub kind: OrderKind,
    pub scope: String,
    pub estimated_cost: Option<Money>,
}

pub mod audit_report;
pub mod results_report;
pub mod settlement;
mod submission;

pub(crate) use submission::Submissions;

/// What a firm does to an order it was offered or placed with. (The remediation day of a basic
/// audit is recorded in one place, with its agenda: `Services::record_remediation_day`.)
#[derive(Debug, Clone)]
pub enum FirmStep {
    Accept { price: Money, planned_start_on: NaiveDate },
    Decline { reason: String },
    Deliver,
    Invoice { invoice_number: String, amount: Money },
}

/// What the government (or the administrator) does to its own order.
#[derive(Debug, Clone)]
pub enum OwnerStep {
    Cancel {
        reason: String,
    },
    /// D8: go ahead with the capped share of additional work; D7: accept the firm's quote above
    /// the estimate (the reservation grows within the available credit).
    Confirm,
}

pub const MAX_SCOPE_LEN: usize = 4_000;
pub const MAX_REASON_LEN: usize = 2_000;

impl Services {
    pub async fn firm_step(&self, actor: &Actor, order_id: i64, step: FirmStep) -> Result<Order> {
        let (this, actor) = (self.clone(), actor.clone());
        self.lane.run(async move { this.firm_step_now(&actor, order_id, step).await }).await
    }

    async fn firm_step_now(&self, actor: &Actor, order_id: i64, step: FirmStep) -> Result<Order> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let (programme, mut order) = lock_order(&mut work, order_id).await?;
        let today = work.today;
        let action = match &step {
            FirmStep::Accept { .. } => OrderAction::Accept,
            FirmStep::Decline { .. } => OrderAction::Decline,
            FirmStep::Deliver => OrderAction::Deliver,
            FirmStep::Invoice { .. } => OrderAction::Invoice,
        };
        let answering = matches!(action, OrderAction::Accept | OrderAction::Decline);
        let permitted = if answering {
            can(actor, Permission::AnswerOffer(&order))
        } else {
            can(actor, Permission::WorkOnOrder(&order))
        };
        if !permitted {
            // A firm cannot tell an order offered to another firm from no order (issue 10, item 12).
            return Err(hidden_or_forbidden(actor, &order));
        }
        transition(&order, action)?;
        match step {
            FirmStep::Accept { price, planned_start_on } => {
                if !cyberveilig_domain::calendar::within_planning(planned_start_on, order.submitted_on, today, 2) {
                    return Err(ServiceError::invalid(
                        "planned_start_on",
                        "The planned start lies between the order's submission and two years from today.",
                        "De geplande start ligt tussen de indiening van de bestelling en twee jaar na vandaag.",
                    ));
                }
                let terms = contract_terms(&mut work, &order).await?;
                let acceptance = credit::accept(order.kind, order.rate, price, &terms, order.estimated_cost)?;
                order.price = Some(price);
                order.planned_start_on = Some(planned_start_on);
                order.accepted_on = Some(today);
                match acceptance {
                    Acceptance::Reserve { share } => {
                        let balances = work.balances(programme.id).await?;
                        let (postings, reserved) = ledger::adjust(&balances, order.reserved, share);
                        work.post(programme.id, Some(order.id), &postings).await?;
                        let before = order.reserved;
                        order.reserved = reserved;
                        order.state = OrderState::Accepted;
                        work.save_order(&mut order).await?;
                        work.record(
                            Action::OrderAccepted,
                            "order",
                            order.id,
                            json!({
                            "firm_id": order.firm_id, "price_cents": price.cents(), "planned_start_on": planned_start_on,
                            "agreement": terms.agreement, "package_price_cents": terms.package_price.cents(),
                            "reserved_cents": { "from": before.cents(), "to": reserved.cents() } }),
                        )
                        .await?;
                        if reserved < before {
                            fund_waitlist(&mut work, programme.id).await?;
                        }
                    }
                    Acceptance::AwaitGovernment { share } => {
                        // D7: a quote above the estimate reserves nothing more by itself.
                        order.state = OrderState::AwaitingPriceConfirmation;
                        work.save_order(&mut order).await?;
                        work.record(
                            Action::OrderQuoted,
                            "order",
                            order.id,
                            json!({
                            "firm_id": order.firm_id, "price_cents": price.cents(), "planned_start_on": planned_start_on,
                            "estimated_cost_cents": order.estimated_cost.map(Money::cents), "share_cents": share.cents(),
                            "day_rate_cents": terms.day_rate.cents(), "reserved_cents": order.reserved.cents() }),
                        )
                        .await?;
                        notify_quote(&mut work, &order, share).await?;
                    }
                }
            }
            FirmStep::Decline { reason } => {
                let reason = bounded_reason(&reason)?;
                work.record(
                    Action::OrderDeclined,
                    "order",
                    order.id,
                    json!({ "firm_id": order.firm_id, "rank": order.cascade_rank, "reason": reason }),
                )
                .await?;
                let previous = position(&order);
                place(&mut work, &programme, &mut order, previous).await?;
            }
            FirmStep::Deliver => {
                let (unrated, report_attached) = delivery_facts(&mut work, &order).await?;
                check_delivery(order.kind, unrated, report_attached)?;
                order.delivered_on = Some(today);
                order.state = OrderState::Delivered;
                work.save_order(&mut order).await?;
                work.record(
                    Action::OrderDelivered,
                    "order",
                    order.id,
                    json!({ "delivered_on": today, "firm_id": order.firm_id }),
                )
                .await?;
            }
            FirmStep::Invoice { invoice_number, amount } => {
                let number = invoice_number.trim();
                if number.is_empty() || number.chars().count() > 64 {
                    return Err(ServiceError::invalid(
                        "invoice_number",
                        "An invoice number has 1 to 64 characters.",
                        "Een factuurnummer heeft 1 tot 64 tekens.",
                    ));
                }
                credit::check_invoice(amount, order.price.unwrap_or(Money::ZERO))?;
                order.invoice_number = Some(number.to_owned());
                order.invoiced = Some(amount);
                order.state = OrderState::Invoiced;
                work.save_order(&mut order).await?;
                work.record(
                    Action::OrderInvoiced,
                    "order",
                    order.id,
                    json!({ "invoice_number": number, "amount_cents": amount.cents(), "price_cents": order.price.map(Money::cents),
                            "firm_id": order.firm_id }),
                )
                .await?;
            }
        }
        work.commit().await?;
        Ok(order)
    }

    /// D7: the administrator settles an invoiced order: the rate times the lower of the invoice
    /// and the accepted price, never more than the reservation; the rest is released. With
    /// `confirmed`, the payment must be the amount the administrator confirmed.
    pub async fn settle_order(&self, actor: &Actor, order_id: i64, confirmed: Option<Money>) -> Result<Order> {
        let (this, actor) = (self.clone(), actor.clone());
        self.lane
            .run(async move { this.settle_order_now(&actor, order_id, confirmed).await })
            .await
    }

    async fn settle_order_now(&self, actor: &Actor, order_id: i64, confirmed: Option<Money>) -> Result<Order> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let (programme, mut order) = lock_order(&mut work, order_id).await?;
        if !can(actor, Permission::SettleOrder(&order)) {
            return Err(hidden_or_forbidden(actor, &order));
        }
        transition(&order, OrderAction::Settle)?;
        let s = credit::settlement(
            order.rate,
            order.price.unwrap_or(Money::ZERO),
            order.invoiced.unwrap_or(Money::ZERO),
            order.reserved,
        );
        if let Some(confirmed) = confirmed.filter(|c| *c != s.payment) {
            return Err(Refusal::SettlementChanged {
                confirmed,
                payment: s.payment,
            }
            .into());
        }
        let (postings, paid) = ledger::settle(order.reserved, s.payment);
        work.post(programme.id, Some(order.id), &postings).await?;
        order.reserved = Money::ZERO;
        order.paid = paid;
        order.state = OrderState::Settled;
        work.save_order(&mut order).await?;
        work.record(
            Action::OrderSettled,
            "order",
            order.id,
            json!({
            "invoiced_cents": s.invoiced.cents(), "price_cents": s.accepted_price.cents(), "reserved_cents": s.reserved.cents(),
            "due_cents": s.due.cents(),
            "paid_cents": paid.cents(), "released_cents": s.released.cents(), "firm_id": order.firm_id }),
        )
        .await?;
        if s.released > Money::ZERO {
            fund_waitlist(&mut work, programme.id).await?;
        }
        work.commit().await?;
        Ok(order)
    }

    pub async fn owner_step(&self, actor: &Actor, order_id: i64, step: OwnerStep) -> Result<Order> {
        let (this, actor) = (self.clone(), actor.clone());
        self.lane
            .run(async move { this.owner_step_now(&actor, order_id, step).await })
            .await
    }

    async fn owner_step_now(&self, actor: &Actor, order_id: i64, step: OwnerStep) -> Result<Order> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let (programme, mut order) = lock_order(&mut work, order_id).await?;
        match step {
            OwnerStep::Cancel { reason } => {
                if !can(actor, Permission::CancelOrder(&order)) {
                    return Err(hidden_or_forbidden(actor, &order));
                }
                transition(&order, OrderAction::Cancel)?;
                let reason = bounded_reason(&reason)?;
                let from = order.state;
                release_reservation(&mut work, &mut order).await?;
                order.state = OrderState::Cancelled;
                work.save_order(&mut order).await?;
                work.record(Action::OrderCancelled, "order", order.id, json!({ "from": from, "reason": reason }))
                    .await?;
                fund_waitlist(&mut work, programme.id).await?;
            }
            OwnerStep::Confirm => {
                if !can(actor, Permission::ConfirmOrder(&order)) {
                    return Err(hidden_or_forbidden(actor, &order));
                }
                transition(&order, OrderAction::Confirm)?;
                if order.state == OrderState::AwaitingPriceConfirmation {
                    confirm_price(&mut work, &programme, &mut order).await?;
                } else {
                    work.record(
                        Action::OrderConfirmed,
                        "order",
                        order.id,
                        json!({ "reserved_cents": order.reserved.cents() }),
                    )
                    .await?;
                    place(&mut work, &programme, &mut order, None).await?;
                }
            }
        }
        work.commit().await?;
        Ok(order)
    }

    /// D6: the administrator re-opens the cascade of an unplaceable order.
    pub async fn reopen_order(&self, actor: &Actor, order_id: i64) -> Result<Order> {
        let (this, actor) = (self.clone(), actor.clone());
        self.lane.run(async move { this.reopen_order_now(&actor, order_id).await }).await
    }

    async fn reopen_order_now(&self, actor: &Actor, order_id: i64) -> Result<Order> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let (programme, mut order) = lock_order(&mut work, order_id).await?;
        if !can(actor, Permission::ReopenOrder(&order)) {
            return Err(hidden_or_forbidden(actor, &order));
        }
        transition(&order, OrderAction::Reopen)?;
        // D3: an unplaceable basic audit no longer counts, so the government may have ordered
        // another one since; re-opening this one would give it two.
        if order.kind == OrderKind::Basic
            && programme.settings.one_basic_audit_per_government
            && work.tx.has_basic_audit(programme.id, order.government_id).await?
        {
            return Err(Refusal::SecondBasicAudit.into());
        }
        work.record(Action::OrderReopened, "order", order.id, json!({})).await?;
        fund_and_place(&mut work, &programme, &mut order).await?;
        work.commit().await?;
        Ok(order)
    }

    pub async fn order(&self, actor: &Actor, id: i64) -> Result<Order> {
        let mut tx = self.store.read().await?;
        let order = tx.order(id).await?.ok_or(ServiceError::NotFound("order"))?;
        if !can(actor, Permission::ViewOrder(&order)) {
            return Err(ServiceError::NotFound("order"));
        }
        Ok(order)
    }

    pub async fn order_events(&self, actor: &Actor, id: i64) -> Result<Vec<Event>> {
        self.order(actor, id).await?;
        let mut tx = self.store.read().await?;
        Ok(tx.events_of("order", id).await?)
    }

    /// The orders the actor may see, narrowed by the filter.
    pub async fn orders(&self, actor: &Actor, mut filter: OrderFilter) -> Result<Vec<Order>> {
        match order_scope(actor) {
            None => return Err(ServiceError::Forbidden),
            Some(OrderScope::All) => {}
            Some(OrderScope::Government(id)) => filter.government_id = Some(id),
            Some(OrderScope::Firm(id)) => filter.firm_id = Some(id),
        }
        let mut tx = self.store.read().await?;
        Ok(tx.orders(&filter).await?)
    }
}

fn unknown_government(nis: &NisCode) -> ServiceError {
    ServiceError::unknown(
        "government_nis",
        format!("No local government with NIS code {nis} is registered."),
        format!("Er is geen lokaal bestuur met NIS-code {nis} geregistreerd."),
    )
}

fn bounded_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_LEN {
        return Err(ServiceError::invalid(
            "reason",
            "Give a reason of at most 2,000 characters.",
            "Geef een reden van hoogstens 2.000 tekens.",
        ));
    }
    Ok(reason.to_owned())
}

/// An order the actor may not see is "not found"; one they see but may not act on is forbidden.
fn hidden_or_forbidden(actor: &Actor, order: &Order) -> ServiceError {
    if can(actor, Permission::ViewOrder(order)) {
        ServiceError::Forbidden
    } else {
        ServiceError::NotFound("order")
    }
}

fn transition(order: &Order, action: OrderAction) -> Result<()> {
    if allows(order.kind, order.state, action) {
        Ok(())
    } else {
        Err(Refusal::InvalidTransition { from: order.state, action }.into())
    }
}

fn position(order: &Order) -> Option<CascadePosition> {
    Some(CascadePosition {
        agreement_id: order.agreement_id?,
        rank: order.cascade_rank?,
    })
}

pub(crate) async fn lock_order(work: &mut Work, order_id: i64) -> Result<(Programme, Order)> {
    // The programme is locked before the order is read, so the order read is current.
    let programme_id = work.tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?.programme_id;
    let programme = work.lock_programme(programme_id).await?;
    let order = work.tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?;
    Ok((programme, order))
}

/// D7: what a new order's co-financing is computed on (`credit::cost_basis`), with the agreement
/// in force today.
async fn cost_basis(work: &mut Work, order: &Order) -> Result<Money> {
    let today = work.today;
    let first = cascade::in_force(work.agreements().await?, today)
        .and_then(|a| a.first_firm())
        .cloned();
    Ok(credit::cost_basis(order.kind, first.as_ref(), order.estimated_cost))
}

/// The agreement's terms for the firm the order is placed with.
pub(crate) async fn contract_terms(work: &mut Work, order: &Order) -> Result<ContractTerms> {
    let agreements = work.agreements().await?;
    order
        .agreement_id
        .and_then(|id| agreements.iter().find(|a| a.id == id))
        .and_then(|a| order.firm_id.and_then(|f| a.firm(f)).map(|f| ContractTerms::of(&a.reference, f)))
        .ok_or_else(|| ServiceError::internal("corrupt_data", format!("order {} has no firm in a framework agreement", order.id)))
}

/// D11: what delivering a basic audit needs: how many controls of its baseline assessment are
/// not rated yet, and whether an audit report is attached.
async fn delivery_facts(work: &mut Work, order: &Order) -> Result<(u32, bool)> {
    if order.kind != OrderKind::Basic {
        return Ok((0, true));
    }
    let facts = audit_report::delivery_facts_in(work.tx.as_mut(), order).await?;
    Ok((facts.unrated, !facts.reports.is_empty()))
}

/// D7: the government confirms the firm's quote above its estimate: the reservation grows to the
/// share of the quote within the available credit (a capped share when not all of it is, D8).
async fn confirm_price(work: &mut Work, programme: &Programme, order: &mut Order) -> Result<()> {
    let price = order.price.unwrap_or(Money::ZERO);
    let share = order.rate.share_of(price);
    let balances = work.balances(programme.id).await?;
    let (postings, reserved) = ledger::adjust(&balances, order.reserved, share);
    work.post(programme.id, Some(order.id), &postings).await?;
    let before = order.reserved;
    order.reserved = reserved;
    order.state = OrderState::Accepted;
    work.save_order(order).await?;
    work.record(
        Action::OrderPriceConfirmed,
        "order",
        order.id,
        json!({ "price_cents": price.cents(), "share_cents": share.cents(), "capped": reserved < share,
                "firm_id": order.firm_id, "reserved_cents": { "from": before.cents(), "to": reserved.cents() } }),
    )
    .await?;
    if reserved < before {
        fund_waitlist(work, programme.id).await?;
    }
    Ok(())
}

/// D7: the government's members are told, through the outbox, that the firm quoted additional
/// work above their estimate and that the order waits for them.
async fn notify_quote(work: &mut Work, order: &Order, share: Money) -> Result<()> {
    let firm = match order.firm_id {
        Some(id) => work.tx.organisation(id).await?.map(|o| o.name).unwrap_or_default(),
        None => String::new(),
    };
    let price = order.price.unwrap_or(Money::ZERO);
    let estimate = order.estimated_cost.unwrap_or(Money::ZERO);
    for person in work.tx.people(Some(order.government_id)).await? {
        let mail = NewMail {
            to: person.email.clone(),
            subject: format!("Bestelling {id}: prijs te bevestigen / Order {id}: price to confirm", id = order.id),
            body: format!(
                "Beste {name},\n\n{firm} aanvaardt bestelling {id} voor {price_nl}, meer dan uw raming van {estimate_nl}. \
                 Het Vlaamse aandeel daarvan is {share_nl}. Bevestig de nieuwe prijs of annuleer de bestelling op haar pagina; \
                 tot dan wordt er niet meer krediet gereserveerd.\n\n---\n\n\
                 Dear {name},\n\n{firm} accepts order {id} at {price_en}, more than your estimate of {estimate_en}. \
                 The Flemish share of it is {share_en}. Confirm the new price or cancel the order on its page; until then no \
                 more credit is reserved.\n\n-- \ncyberveilig\n",
                name = person.name,
                id = order.id,
                price_nl = price.format_nl(),
                estimate_nl = estimate.format_nl(),
                share_nl = share.format_nl(),
                price_en = price.format_en(),
                estimate_en = estimate.format_en(),
                share_en = share.format_en(),
            ),
        };
        work.tx.insert_mail(&mail, work.now).await?;
    }
    Ok(())
}

/// D7/D8: reserve the order's share, or put it on the waiting list, or cap it and ask the
/// government to confirm; then offer it when it may go ahead.
async fn fund_and_place(work: &mut Work, programme: &Programme, order: &mut Order) -> Result<()> {
    let wanted = order.rate.share_of(cost_basis(work, order).await?);
    let available = work.balances(programme.id).await?.available();
    if wanted <= available {
        reserve(work, order, wanted).await?;
        return place(work, programme, order, None).await;
    }
    let (reservation, outcome) = short_of_credit(programme, order, wanted, available)?;
    reserve(work, order, reservation).await?;
    work.save_order(order).await?;
    work.record(outcome.action, "order", order.id, outcome.details).await
}

/// D8: not enough credit for the order's share: a basic audit goes on the waiting list, additional
/// work gets what is available and waits for the government to confirm. Returns the reservation.
fn short_of_credit(programme: &Programme, order: &mut Order, wanted: Money, available: Money) -> Result<(Money, Recorded)> {
    match order.kind {
        OrderKind::Basic if programme.settings.waitlist_basic_audits => {
            order.state = OrderState::Waitlisted;
            Ok((
                Money::ZERO,
                Recorded {
                    action: Action::OrderWaitlisted,
                    details: json!({ "share_cents": wanted.cents(), "available_cents": available.cents() }),
                },
            ))
        }
        OrderKind::Additional if programme.settings.cap_additional_work => {
            order.state = OrderState::AwaitingConfirmation;
            Ok((
                available,
                Recorded {
                    action: Action::OrderAwaitingConfirmation,
                    details: json!({ "share_cents": wanted.cents(), "capped_cents": available.cents() }),
                },
            ))
        }
        _ => Err(ServiceError::conflict(
            "credit_insufficient",
            "Not enough credit is available for this order.",
            "Er is niet genoeg krediet beschikbaar voor deze bestelling.",
        )),
    }
}

async fn reserve(work: &mut Work, order: &mut Order, amount: Money) -> Result<()> {
    work.post(order.programme_id, Some(order.id), &ledger::reserve(amount)).await?;
    order.reserved = order.reserved + amount;
    Ok(())
}

async fn release_reservation(work: &mut Work, order: &mut Order) -> Result<()> {
    work.post(order.programme_id, Some(order.id), &ledger::release(order.reserved))
        .await?;
    order.reserved = Money::ZERO;
    Ok(())
}

/// C8/D4/D6: offer the order to the next firm, hold it for an inactive agreement, or find it
/// unplaceable and release its credit.
/// What happened to an order, to be recorded once it is saved.
struct Recorded {
    action: Action,
    details: serde_json::Value,
}

/// C8/D4/D6 applied to the order's fields (nothing saved): offered to a firm, held for an
/// inactive agreement, or unplaceable.
fn apply_placement(order: &mut Order, placement: Placement, today: NaiveDate) -> Recorded {
    match placement {
        Placement::Offer {
            agreement_id,
            rank,
            firm_id,
            due_on,
        } => {
            order.state = OrderState::Offered;
            order.agreement_id = Some(agreement_id);
            order.cascade_rank = Some(rank);
            order.firm_id = Some(firm_id);
            order.offered_on = Some(today);
            order.response_due_on = Some(due_on);
            Recorded {
                action: Action::OrderOffered,
                details: json!({ "agreement_id": agreement_id, "rank": rank, "firm_id": firm_id, "response_due_on": due_on,
                                 "reserved_cents": order.reserved.cents() }),
            }
        }
        Placement::AwaitFramework { agreement_id } => {
            order.state = OrderState::AwaitingFramework;
            order.agreement_id = Some(agreement_id);
            order.cascade_rank = None;
            order.firm_id = None;
            order.offered_on = None;
            order.response_due_on = None;
            Recorded {
                action: Action::OrderAwaitingFramework,
                details: json!({ "agreement_id": agreement_id }),
            }
        }
        Placement::Unplaceable { reason } => {
            order.state = OrderState::Unplaceable;
            order.firm_id = None;
            order.response_due_on = None;
            let reason = match reason {
                cascade::Unplaceable::CascadeExhausted => "every firm of the cascade declined",
                cascade::Unplaceable::NoAgreementInForce => "no framework agreement serves orders any more",
            };
            Recorded {
                action: Action::OrderUnplaceable,
                details: json!({ "reason": reason }),
            }
        }
    }
}

/// C8/D4/D6: offer the order to the next firm, hold it for an inactive agreement, or find it
/// unplaceable and release its credit to the waiting list.
pub(crate) async fn place(work: &mut Work, programme: &Programme, order: &mut Order, previous: Option<CascadePosition>) -> Result<()> {
    let today = work.today;
    let placement = cascade::place(work.agreements().await?, today, previous);
    let recorded = apply_placement(order, placement, today);
    let unplaceable = order.state == OrderState::Unplaceable;
    if unplaceable {
        release_reservation(work, order).await?;
    }
    work.save_order(order).await?;
    work.record(recorded.action, "order", order.id, recorded.details).await?;
    if unplaceable {
        notify_unplaceable(work, order).await?;
        fund_waitlist(work, programme.id).await?;
    }
    Ok(())
}

/// D6: the government and the administrators are told, by mail through the outbox, that no
/// firm could be found; the administrator may reopen the cascade.
async fn notify_unplaceable(work: &mut Work, order: &Order) -> Result<()> {
    let government = work
        .tx
        .organisation(order.government_id)
        .await?
        .ok_or(ServiceError::NotFound("organisation"))?;
    let mut to: Vec<Person> = work.tx.people(Some(order.government_id)).await?;
    to.extend(work.tx.people(None).await?.into_iter().filter(|p| p.role == Role::ProgrammeAdmin));
    for person in to {
        let mail = NewMail {
            to: person.email.clone(),
            subject: format!("Bestelling {} niet geplaatst / Order {} not placed", order.id, order.id),
            body: format!(
                "Beste {name},\n\nVoor bestelling {id} ({kind}) van {gov} vond geen enkel auditbureau van de raamovereenkomst een plaats: \
                 ze is niet te plaatsen en het gereserveerde krediet is vrijgegeven. De programmabeheerder kan de cascade heropenen.\n\n---\n\n\
                 Dear {name},\n\nNo audit firm of the framework agreement took order {id} ({kind}) of {gov}: it is unplaceable and its \
                 reserved credit was released. The programme administrator can reopen the cascade.\n\n-- \ncyberveilig\n",
                name = person.name,
                id = order.id,
                kind = order.kind.as_str(),
                gov = government.name,
            ),
        };
        work.tx.insert_mail(&mail, work.now).await?;
    }
    Ok(())
}

/// D8: credit released goes to the waiting list, first come first served: the first waiting
/// order is funded when its share fits, and nobody behind it jumps the queue.
pub(crate) async fn fund_waitlist(work: &mut Work, programme_id: i64) -> Result<()> {
    let programme = work.lock_programme(programme_id).await?;
    for mut order in work.tx.waitlist(programme_id).await? {
        let wanted = order.rate.share_of(cost_basis(work, &order).await?);
        if wanted > work.balances(programme_id).await?.available() {
            break;
        }
        reserve(work, &mut order, wanted).await?;
        work.record(Action::OrderFunded, "order", order.id, json!({ "reserved_cents": wanted.cents() }))
            .await?;
        Box::pin(place(work, &programme, &mut order, None)).await?;
    }
    Ok(())
}
