//! One use case's transaction: it holds the write transaction, the instant the use case runs at,
//! who acts, and the programme balances it has changed, so every posting carries the running
//! balance and every change is recorded as an event.

use crate::authz::Actor;
use crate::clock::brussels_date;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::cascade::FrameworkAgreement;
use cyberveilig_domain::ledger::{self, Balances};
use cyberveilig_store::records::{NewEvent, Order, Posting, Programme};
use cyberveilig_store::{Store, Tx};
use std::collections::HashMap;

/// Who an event is attributed to.
#[derive(Debug, Clone)]
pub enum Who {
    Person(Actor),
    /// The platform itself: deadlines passing, credit released to the waiting list.
    System,
}

pub struct Work {
    pub tx: Box<dyn Tx>,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub who: Who,
    balances: HashMap<i64, Balances>,
    agreements: Option<Vec<FrameworkAgreement>>,
}

impl Work {
    pub async fn begin(store: &dyn Store, now: DateTime<Utc>, who: Who) -> Result<Work> {
        // A request with an Idempotency-Key may have parked an earlier transaction (idempotency).
        crate::idempotency::flush().await?;
        Ok(Work {
            tx: store.write().await?,
            now,
            today: brussels_date(now),
            who,
            balances: HashMap::new(),
            agreements: None,
        })
    }

    /// Commits; in a request with an Idempotency-Key, claims the key in this transaction and
    /// leaves it to commit with the answer ([`crate::idempotency`]).
    pub async fn commit(self) -> Result<()> {
        crate::idempotency::commit_or_park(self.tx).await
    }

    /// Locks the programme for the rest of the transaction; call before reading its balances.
    pub async fn lock_programme(&mut self, id: i64) -> Result<Programme> {
        self.tx.lock_programme(id).await?.ok_or(ServiceError::NotFound("programme"))
    }

    pub async fn balances(&mut self, programme_id: i64) -> Result<Balances> {
        if let Some(b) = self.balances.get(&programme_id) {
            return Ok(*b);
        }
        let b = self.tx.balances(programme_id).await?;
        self.balances.insert(programme_id, b);
        Ok(b)
    }

    pub async fn agreements(&mut self) -> Result<&[FrameworkAgreement]> {
        if self.agreements.is_none() {
            self.agreements = Some(self.tx.agreements().await?);
        }
        Ok(self.agreements.as_deref().unwrap_or_default())
    }

    pub fn forget_agreements(&mut self) {
        self.agreements = None;
    }

    /// Books postings on a programme's ledger, all or nothing.
    pub async fn post(&mut self, programme_id: i64, order_id: Option<i64>, postings: &[ledger::Posting]) -> Result<Balances> {
        let mut balances = self.balances(programme_id).await?;
        for p in postings {
            balances = balances
                .apply(p)
                .map_err(|e| ServiceError::internal("ledger_refused", format!("the ledger refused a posting: {e}")))?;
            self.tx
                .insert_posting(&Posting {
                    id: 0,
                    programme_id,
                    order_id,
                    from: p.from,
                    to: p.to,
                    amount: p.amount,
                    after: balances,
                    at: self.now,
                })
                .await?;
        }
        self.balances.insert(programme_id, balances);
        Ok(balances)
    }

    /// Appends an event of one of the kinds of [`Action`] to the audit log.
    pub async fn record(&mut self, action: Action, subject_type: &str, subject_id: i64, details: serde_json::Value) -> Result<()> {
        let (actor_id, actor) = match &self.who {
            Who::Person(a) => (Some(a.person_id), a.email.clone()),
            Who::System => (None, "system".to_owned()),
        };
        self.tx
            .append_event(&NewEvent {
                at: self.now,
                actor_id,
                actor,
                action: action.as_str().to_owned(),
                subject_type: subject_type.to_owned(),
                subject_id,
                details,
            })
            .await?;
        Ok(())
    }

    pub async fn save_order(&mut self, order: &mut Order) -> Result<()> {
        order.updated_at = self.now;
        Ok(self.tx.update_order(order).await?)
    }
}
