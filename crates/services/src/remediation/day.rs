//! The remediation day of a basic audit (C2: "one day of guidance to start remediating the most
//! prioritised vulnerabilities"): its agenda is the top of the government's open findings in
//! priority order; the firm records when it was held, who attended, and per finding on the
//! agenda whether an action was started (with a note; optionally the finding goes in progress
//! and gets an owner).

use super::{assign, party_for};
use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use chrono::NaiveDate;
use cyberveilig_domain::order::{OrderAction, OrderKind, OrderState, allows};
use cyberveilig_domain::remediation::{may_own, started_at_remediation_day};
use cyberveilig_store::records::{DayAction, Order, Person, RegisterEntry, RegisterQuery, RemediationDay};
use serde_json::json;

/// How many findings an agenda holds unless the page asks for another number, and at most.
pub const AGENDA_SIZE: i64 = 20;
pub const AGENDA_MAX: i64 = 100;

/// An order's remediation day as one person sees it.
#[derive(Debug, Clone)]
pub struct Agenda {
    pub order: Order,
    /// The findings on the agenda, in priority order (once recorded: the recorded ones).
    pub items: Vec<RegisterEntry>,
    pub record: Option<RemediationDay>,
    /// The government's people, to say who attended and who owns a finding.
    pub people: Vec<Person>,
    /// Whether the actor may record the day (the firm of the order, an administrator).
    pub may_record: bool,
    /// The actor will record the day, but not yet: the results are not delivered (the page says
    /// why, in the order's state).
    pub not_yet: bool,
}

/// What the firm records of the day.
#[derive(Debug, Clone, Default)]
pub struct DayRecord {
    pub held_on: Option<NaiveDate>,
    pub attendees: String,
    /// The government's people who attended.
    pub people: Vec<i64>,
    pub actions: Vec<ActionRecord>,
}

/// One finding of the agenda as recorded.
#[derive(Debug, Clone, Default)]
pub struct ActionRecord {
    pub finding_id: i64,
    pub started: bool,
    pub note: String,
    /// Put the finding in progress (only when an action was started and it is open).
    pub start_work: bool,
    /// Make this person of the government its owner.
    pub owner_id: Option<i64>,
}

fn basic_audit(order: &Order) -> Result<()> {
    if order.kind != OrderKind::Basic {
        return Err(ServiceError::conflict(
            "not_a_basic_audit",
            "only a basic audit includes a remediation day",
            "enkel een basisaudit omvat een remediëringsdag",
        ));
    }
    Ok(())
}

/// The states in which the day can be held or corrected: the results are delivered.
fn day_possible(state: OrderState) -> bool {
    matches!(
        state,
        OrderState::Delivered | OrderState::RemediationDayHeld | OrderState::Invoiced | OrderState::Settled
    )
}

impl Services {
    /// The agenda of an order's remediation day: the top `size` of the government's open
    /// findings in priority order, or, once the day is recorded, the findings recorded.
    pub async fn remediation_agenda(&self, actor: &Actor, order_id: i64, size: Option<i64>) -> Result<Agenda> {
        let size = size.unwrap_or(AGENDA_SIZE);
        if !(1..=AGENDA_MAX).contains(&size) {
            return Err(ServiceError::invalid(
                "size",
                format!("an agenda holds 1 to {AGENDA_MAX} findings"),
                format!("een agenda telt 1 tot {AGENDA_MAX} bevindingen"),
            ));
        }
        let mut tx = self.store.read().await?;
        let order = tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?;
        if !can(actor, Permission::ViewOrder(&order)) {
            return Err(ServiceError::NotFound("order"));
        }
        basic_audit(&order)?;
        let record = tx.remediation_day(order_id).await?;
        // The agenda holds only what the actor's register holds: a firm does not see an
        // engagement's findings nor those of another firm's order (issue 10, item 3).
        let items = match &record {
            Some(day) => {
                let mut items = Vec::with_capacity(day.actions.len());
                for a in &day.actions {
                    let mut q = RegisterQuery {
                        finding_id: Some(a.finding_id),
                        limit: 1,
                        ..Default::default()
                    };
                    super::scope(actor, &mut q)?;
                    items.extend(tx.register(&q).await?.entries);
                }
                items
            }
            None => {
                let mut q = agenda_query(&order, size);
                super::scope(actor, &mut q)?;
                tx.register(&q).await?.entries
            }
        };
        let people = tx
            .people(Some(order.government_id))
            .await?
            .into_iter()
            .filter(|p| may_own(p.organisation_id, p.role, order.government_id))
            .collect();
        let recorder = can(actor, Permission::WorkOnOrder(&order)) || can(actor, Permission::ManageProgrammes);
        let may_record = recorder && day_possible(order.state);
        let not_yet = recorder && order.state == OrderState::Accepted;
        Ok(Agenda {
            order,
            items,
            record,
            people,
            may_record,
            not_yet,
        })
    }

    /// The firm records the remediation day (or records it anew, to correct it). A delivered
    /// order thereby has its day held. Nothing is written unless all of it holds.
    pub async fn record_remediation_day(&self, actor: &Actor, order_id: i64, record: DayRecord) -> Result<RemediationDay> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let (_, mut order) = crate::orders::lock_order(&mut work, order_id).await?;
        if !can(actor, Permission::ViewOrder(&order)) {
            return Err(ServiceError::NotFound("order"));
        }
        if !(can(actor, Permission::WorkOnOrder(&order)) || can(actor, Permission::ManageProgrammes)) {
            return Err(ServiceError::Forbidden);
        }
        basic_audit(&order)?;
        if !day_possible(order.state) {
            return Err(ServiceError::conflict(
                "results_not_delivered",
                format!(
                    "Order {} is {}: the remediation day is recorded once the results are delivered.",
                    order.id,
                    order.state.label(false)
                ),
                format!(
                    "Bestelling {} is {}: de remediëringsdag wordt vastgelegd zodra de resultaten opgeleverd zijn.",
                    order.id,
                    order.state.label(true)
                ),
            ));
        }
        let held_on = check_date(&order, record.held_on, work.today)?;
        let attendees = record.attendees.trim().to_owned();
        if attendees.chars().count() > 2000 {
            return Err(ServiceError::invalid(
                "attendees",
                "at most 2000 characters for who attended",
                "hoogstens 2000 tekens voor wie aanwezig was",
            ));
        }
        let mut people = Vec::new();
        for id in &record.people {
            match work.tx.person(*id).await? {
                Some(p) if may_own(p.organisation_id, p.role, order.government_id) => {
                    if !people.iter().any(|(i, _)| i == id) {
                        people.push((p.id, p.name));
                    }
                }
                _ => {
                    return Err(ServiceError::conflict(
                        "not_of_the_government",
                        format!("person #{id} is not a member of the government"),
                        format!("persoon #{id} is geen lid van het bestuur"),
                    ));
                }
            }
        }
        if record.actions.len() as i64 > AGENDA_MAX {
            return Err(ServiceError::invalid(
                "actions",
                format!("an agenda holds at most {AGENDA_MAX} findings"),
                format!("een agenda telt hoogstens {AGENDA_MAX} bevindingen"),
            ));
        }
        let mut actions: Vec<DayAction> = Vec::with_capacity(record.actions.len());
        let mut started = 0;
        for a in &record.actions {
            if actions.iter().any(|x| x.finding_id == a.finding_id) {
                return Err(ServiceError::invalid(
                    "actions",
                    format!("finding #{} is on the agenda twice", a.finding_id),
                    format!("bevinding #{} staat twee keer op de agenda", a.finding_id),
                ));
            }
            take_action(&mut work, actor, &order, a).await?;
            started += usize::from(a.started);
            actions.push(DayAction {
                finding_id: a.finding_id,
                started: a.started,
                note: a.note.trim().to_owned(),
            });
        }
        let day = RemediationDay {
            order_id,
            held_on,
            attendees,
            people,
            actions,
            recorded_by: actor.person_id,
            recorded_at: work.now,
        };
        work.tx.save_remediation_day(&day).await?;
        work.record(
            Action::OrderRemediationDayRecorded,
            "order",
            order_id,
            json!({"held_on": held_on, "attendees": day.attendees, "people": day.people.iter().map(|(id, _)| id).collect::<Vec<_>>(),
                   "findings": day.actions.len(), "actions_started": started}),
        )
        .await?;
        if order.state == OrderState::Delivered && allows(order.kind, order.state, OrderAction::HoldRemediationDay) {
            order.remediation_day_on = Some(held_on);
            order.state = OrderState::RemediationDayHeld;
            work.save_order(&mut order).await?;
            work.record(Action::OrderRemediationDayHeld, "order", order.id, json!({ "held_on": held_on }))
                .await?;
        }
        work.commit().await?;
        Ok(day)
    }
}

fn agenda_query(order: &Order, size: i64) -> RegisterQuery {
    RegisterQuery {
        government_id: Some(order.government_id),
        open_only: true,
        limit: size,
        ..Default::default()
    }
}

/// The day was held: not in the future, not before the order was accepted, and on the day the
/// order says when it says one.
fn check_date(order: &Order, held_on: Option<NaiveDate>, today: NaiveDate) -> Result<NaiveDate> {
    let Some(held_on) = held_on else {
        return Err(ServiceError::invalid(
            "held_on",
            "say when the day was held",
            "zeg wanneer de dag plaatsvond",
        ));
    };
    if held_on > today || order.accepted_on.is_some_and(|a| held_on < a) {
        return Err(ServiceError::conflict(
            "outside_the_order",
            "the day was held between the order's acceptance and today",
            "de dag vond plaats tussen de aanvaarding van de bestelling en vandaag",
        ));
    }
    if let Some(on) = order.remediation_day_on.filter(|on| *on != held_on) {
        return Err(ServiceError::conflict(
            "day_recorded",
            format!("the order's remediation day was held on {}", on.format("%d/%m/%Y")),
            format!("de remediëringsdag van de bestelling vond plaats op {}", on.format("%d/%m/%Y")),
        ));
    }
    Ok(held_on)
}

/// One finding of the agenda: it must be the government's; an action started may put it in
/// progress and name its owner.
async fn take_action(work: &mut Work, actor: &Actor, order: &Order, a: &ActionRecord) -> Result<()> {
    let finding = match work.tx.finding(a.finding_id).await? {
        Some(f) if f.government_id == order.government_id => f,
        _ => {
            return Err(ServiceError::invalid(
                "actions",
                format!("finding #{} is not one of the government's", a.finding_id),
                format!("bevinding #{} is niet van het bestuur", a.finding_id),
            ));
        }
    };
    party_for(work.tx.as_mut(), actor, &finding).await?;
    if a.note.trim().chars().count() > 500 {
        return Err(ServiceError::invalid(
            "actions",
            format!("the note on finding #{} has more than 500 characters", a.finding_id),
            format!("de notitie bij bevinding #{} heeft meer dan 500 tekens", a.finding_id),
        ));
    }
    if a.start_work && !a.started {
        return Err(ServiceError::invalid(
            "actions",
            format!("finding #{} goes in progress only when an action was started", a.finding_id),
            format!("bevinding #{} gaat pas in behandeling als er een actie gestart is", a.finding_id),
        ));
    }
    let from = finding.status;
    if a.start_work
        && let Some(to) = started_at_remediation_day(from)
    {
        work.tx.set_finding_status(finding.id, to, None, None).await?;
        work.tx.set_status_by(finding.id, Some(actor.person_id)).await?;
        work.record(
            Action::FindingStatusChanged,
            "finding",
            finding.id,
            json!({"from": from.as_str(), "to": to.as_str(), "reason": null, "until": null, "at": "remediation_day", "order_id": order.id}),
        )
        .await?;
    }
    if a.owner_id.is_some() {
        assign(work, &finding, a.owner_id).await?;
    }
    Ok(())
}
