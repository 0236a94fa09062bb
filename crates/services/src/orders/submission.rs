//! Submitting an order (section 2.1, D3, D7, D8), and committing submissions in groups.
//!
//! Every submission locks its programme's row (the credit it reserves) and the audit chain's
//! head, so submissions to a programme run one after the other whatever the database. On
//! PostgreSQL each one alone would hold those locks through a dozen round trips and a commit,
//! and the next waits for all of it. So submissions that arrive while a group is being written
//! wait for it and go together in the next: one transaction, the locks taken once, one commit.
//! Each is decided on what the ones before it wrote, in the order they arrived, exactly as if
//! alone; a refusal answers its own request and leaves the others be. Nobody gets an answer
//! before the group is committed.

use super::{Recorded, apply_placement, cost_basis, notify_unplaceable, short_of_credit, unknown_government};
use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use cyberveilig_domain::cascade;
use cyberveilig_domain::ledger;
use cyberveilig_domain::order::OrderState;
use cyberveilig_domain::programme::{GovernmentHistory, Submission, check_submission};
use cyberveilig_domain::{Money, Refusal};
use cyberveilig_store::records::{Order, Organisation, Programme};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::oneshot;

use super::{MAX_SCOPE_LEN, NewOrder};

/// At most this many submissions share a transaction: a group holds the programme's lock while
/// it is written, and a smaller one answers its first requests sooner.
const GROUP: usize = 64;

/// A submission checked against everything that needs no lock: who asks, for which government,
/// and what.
pub(crate) struct Request {
    actor: Actor,
    government: Organisation,
    new: NewOrder,
    scope: String,
}

/// The submissions waiting for the group being written, and whether one is.
#[derive(Default)]
pub(crate) struct Submissions {
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<(Request, oneshot::Sender<Result<Order>>)>,
    writing: bool,
}

impl Services {
    pub async fn submit_order(&self, actor: &Actor, new: NewOrder) -> Result<Order> {
        let request = self.check_submission_request(actor, new).await?;
        if crate::idempotency::current().is_some() {
            // Its key is claimed in its own transaction, which waits for its answer.
            let this = self.clone();
            return self.lane.run(async move { this.submit_alone(&request).await }).await;
        }
        let (answer, answered) = oneshot::channel();
        let lead = {
            let mut queue = self.submissions.queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.waiting.push((request, answer));
            !std::mem::replace(&mut queue.writing, true)
        };
        if lead {
            let this = self.clone();
            self.lane.spawn(async move { this.write_groups().await });
        }
        answered
            .await
            .map_err(|_| ServiceError::internal("writer_interrupted", "the submission's group was not written"))?
    }

    /// Organisations never change kind or code, so the government is looked up before the write
    /// transaction, on a reader: the less a writer does, the less the others wait.
    async fn check_submission_request(&self, actor: &Actor, new: NewOrder) -> Result<Request> {
        let government = {
            let mut tx = self.store.read().await?;
            tx.organisation_by_nis(&new.government_nis).await?
        }
        .ok_or_else(|| unknown_government(&new.government_nis))?;
        if !can(actor, Permission::OrderFor(&government)) {
            return Err(ServiceError::Forbidden);
        }
        let scope = cyberveilig_domain::order::scope_of(new.kind, &new.scope).ok_or_else(|| {
            ServiceError::invalid(
                "scope",
                "Additional audit work needs its scope: say what the firm is to audit.",
                "Bijkomend auditwerk heeft een scope nodig: zeg wat de firma moet auditen.",
            )
        })?;
        if scope.len() > MAX_SCOPE_LEN {
            return Err(ServiceError::invalid(
                "scope",
                "The scope is longer than 4,000 characters.",
                "De scope is langer dan 4.000 tekens.",
            ));
        }
        Ok(Request {
            actor: actor.clone(),
            government,
            new,
            scope,
        })
    }

    /// One submission in a transaction of its own.
    async fn submit_alone(&self, request: &Request) -> Result<Order> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(request.actor.clone())).await?;
        let programme = work.lock_programme(request.new.programme_id).await?;
        let order = submit_within(&mut work, &programme, request).await?;
        work.commit().await?;
        Ok(order)
    }

    /// On the writer lane: the waiting submissions, a group at a time, until none wait.
    async fn write_groups(&self) {
        let _unstuck = Unstuck(&self.submissions);
        loop {
            let group: Vec<_> = {
                let mut queue = self.submissions.queue.lock().unwrap_or_else(|e| e.into_inner());
                if queue.waiting.is_empty() {
                    queue.writing = false;
                    return;
                }
                let n = queue.waiting.len().min(GROUP);
                queue.waiting.drain(..n).collect()
            };
            let (requests, answers): (Vec<Request>, Vec<_>) = group.into_iter().unzip();
            let outcomes = match self.write_group(&requests).await {
                Ok(outcomes) => outcomes,
                // Something failed that spoils the transaction (the database, not a rule): nothing
                // of the group was kept, so each goes alone and gets its own answer.
                Err(GroupFailed::BeforeCommit(e)) if requests.len() > 1 => {
                    tracing::warn!(error = %e, size = requests.len(), "a group of order submissions failed; each goes alone");
                    let mut outcomes = Vec::with_capacity(requests.len());
                    for request in &requests {
                        outcomes.push(self.submit_alone(request).await);
                    }
                    outcomes
                }
                // A commit that failed may or may not have been kept: nothing is submitted again.
                Err(GroupFailed::BeforeCommit(e) | GroupFailed::Commit(e)) => {
                    let detail = e.to_string();
                    requests
                        .iter()
                        .map(|_| Err(ServiceError::internal("submission_failed", detail.clone())))
                        .collect()
                }
            };
            for (answer, outcome) in answers.into_iter().zip(outcomes) {
                // The request may have gone (its client left): its order stands all the same.
                let _ = answer.send(outcome);
            }
        }
    }

    /// The group in one transaction: each request's outcome once it is committed.
    async fn write_group(&self, requests: &[Request]) -> std::result::Result<Vec<Result<Order>>, GroupFailed> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::System)
            .await
            .map_err(GroupFailed::BeforeCommit)?;
        let mut locked: HashMap<i64, Programme> = HashMap::new();
        let mut outcomes = Vec::with_capacity(requests.len());
        for request in requests {
            work.who = Who::Person(request.actor.clone());
            let id = request.new.programme_id;
            let programme = match locked.get(&id) {
                Some(p) => p.clone(),
                None => match work.lock_programme(id).await {
                    Ok(p) => locked.entry(id).or_insert(p).clone(),
                    Err(e) if spoils(&e) => return Err(GroupFailed::BeforeCommit(e)),
                    Err(e) => {
                        outcomes.push(Err(e));
                        continue;
                    }
                },
            };
            match submit_within(&mut work, &programme, request).await {
                Err(e) if spoils(&e) => return Err(GroupFailed::BeforeCommit(e)),
                outcome => outcomes.push(outcome),
            }
        }
        work.commit().await.map_err(GroupFailed::Commit)?;
        Ok(outcomes)
    }
}

/// Should the writer of the groups panic, those waiting are told so and the next submission
/// starts a writer again: nobody waits for a writer that is gone.
struct Unstuck<'a>(&'a Submissions);

impl Drop for Unstuck<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut queue = self.0.queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.waiting.clear();
            queue.writing = false;
        }
    }
}

enum GroupFailed {
    BeforeCommit(ServiceError),
    Commit(ServiceError),
}

/// An error of the database or of our side leaves the transaction unusable (PostgreSQL refuses
/// every statement after it) or half written; a rule's refusal comes before anything is written.
fn spoils(e: &ServiceError) -> bool {
    matches!(e, ServiceError::Store(_) | ServiceError::Internal { .. })
}

/// The submission on the programme locked in `work`: decided whole first, then written once.
/// Every refusal comes before the first write.
async fn submit_within(work: &mut Work, programme: &Programme, request: &Request) -> Result<Order> {
    let (actor, government, new) = (&request.actor, &request.government, &request.new);
    let history = GovernmentHistory {
        has_basic_audit: work.tx.has_basic_audit(programme.id, government.id).await?,
    };
    let submission = Submission {
        organisation_kind: government.kind,
        kind: new.kind,
        estimated_cost: new.estimated_cost,
        order_date: work.today,
    };
    let rate = check_submission(&programme.settings, &submission, history)?;
    let today = work.today;
    if cascade::in_force(work.agreements().await?, today).is_none() {
        return Err(Refusal::NoFrameworkAgreement(today).into());
    }
    let mut order = Order {
        id: 0,
        programme_id: programme.id,
        government_id: government.id,
        kind: new.kind,
        scope: request.scope.clone(),
        estimated_cost: new.estimated_cost,
        rate,
        state: OrderState::AwaitingFramework,
        agreement_id: None,
        cascade_rank: None,
        firm_id: None,
        offered_on: None,
        response_due_on: None,
        price: None,
        planned_start_on: None,
        accepted_on: None,
        delivered_on: None,
        remediation_day_on: None,
        invoice_number: None,
        invoiced: None,
        reserved: Money::ZERO,
        paid: Money::ZERO,
        submitted_on: work.today,
        submitted_at: work.now,
        submitted_by: actor.person_id,
        updated_at: work.now,
    };
    let wanted = rate.share_of(cost_basis(work, &order).await?);
    let available = work.balances(programme.id).await?.available();
    let outcome: Recorded = if wanted <= available {
        order.reserved = wanted;
        let placement = cascade::place(work.agreements().await?, today, None);
        let outcome = apply_placement(&mut order, placement, today);
        if order.state == OrderState::Unplaceable {
            order.reserved = Money::ZERO;
        }
        outcome
    } else {
        let (reservation, outcome) = short_of_credit(programme, &mut order, wanted, available)?;
        order.reserved = reservation;
        outcome
    };
    // Written from here on: any failure now spoils the transaction.
    let reservation = order.reserved;
    order.id = work.tx.insert_order(&order).await?;
    work.post(programme.id, Some(order.id), &ledger::reserve(reservation)).await?;
    work.record(
        Action::OrderSubmitted,
        "order",
        order.id,
        json!({ "government_nis": new.government_nis, "kind": new.kind, "rate": rate.to_string(),
                "estimated_cost_cents": new.estimated_cost.map(Money::cents) }),
    )
    .await?;
    work.record(outcome.action, "order", order.id, outcome.details).await?;
    if order.state == OrderState::Unplaceable {
        notify_unplaceable(work, &order).await?;
    }
    Ok(order)
}
