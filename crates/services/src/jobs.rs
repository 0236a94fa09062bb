//! What falls due with time: offers whose response term passed count as declined (D5) and move
//! down the cascade, or to the next agreement when the window closed (D4); accepted risks end;
//! governments whose security.txt expires within 30 days are reminded (issue 5). The server's worker
//! runs this every minute; a test clock runs it at each deadline it passes.

use crate::Services;
use crate::clock::{brussels_date, end_of_brussels_day};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::orders::{lock_order, place};
use crate::work::{Who, Work};
use chrono::{DateTime, Utc};
use cyberveilig_domain::cascade::{CascadePosition, offer_expired};
use cyberveilig_domain::order::OrderState;
use serde_json::json;

impl Services {
    /// Expires every offer whose term has passed at the clock's now. Returns how many expired.
    pub async fn expire_due_offers(&self) -> Result<usize> {
        let this = self.clone();
        self.lane.run(async move { this.expire_due_offers_now().await }).await
    }

    async fn expire_due_offers_now(&self) -> Result<usize> {
        let now = self.clock.now();
        let today = brussels_date(now);
        let due = {
            let mut tx = self.store.read().await?;
            tx.offers_due_before(today).await?
        };
        let mut expired = 0;
        for stale in due {
            // One transaction per order, so one order's trouble never holds up the others.
            let mut work = Work::begin(self.store.as_ref(), now, Who::System).await?;
            let (programme, mut order) = lock_order(&mut work, stale.id).await?;
            let still_due = order.state == OrderState::Offered && order.response_due_on.is_some_and(|d| offer_expired(d, today));
            if !still_due {
                continue;
            }
            work.record(
                Action::OrderExpired,
                "order",
                order.id,
                json!({ "firm_id": order.firm_id, "rank": order.cascade_rank, "response_due_on": order.response_due_on }),
            )
            .await?;
            let previous = order
                .agreement_id
                .zip(order.cascade_rank)
                .map(|(agreement_id, rank)| CascadePosition { agreement_id, rank });
            place(&mut work, &programme, &mut order, previous).await?;
            work.commit().await?;
            expired += 1;
        }
        Ok(expired)
    }

    /// An accepted risk ends on its date: the finding is open again the day after (issue 4).
    /// Returns how many reopened.
    pub async fn reopen_expired_risks(&self) -> Result<usize> {
        let now = self.clock.now();
        let mut work = Work::begin(self.store.as_ref(), now, Who::System).await?;
        let reopened = work.tx.reopen_expired_acceptances(brussels_date(now)).await?;
        for id in &reopened {
            work.record(
                Action::FindingStatusChanged,
                "finding",
                *id,
                json!({"from": "risk_accepted", "to": "open", "reason": "the accepted risk ended"}),
            )
            .await?;
        }
        work.commit().await?;
        Ok(reopened.len())
    }

    /// Moves a settable clock forward to `to`, stopping at every deadline on the way so each
    /// falls due at its own time. Returns how many offers expired.
    pub async fn advance_clock(&self, to: DateTime<Utc>) -> Result<usize> {
        if !cyberveilig_domain::calendar::is_plausible(to.date_naive()) {
            return Err(ServiceError::invalid(
                "now",
                "The clock stays between 2000 and 2099.",
                "De klok blijft tussen 2000 en 2099.",
            ));
        }
        if to < self.clock.now() {
            return Err(ServiceError::invalid(
                "now",
                "The clock only moves forward.",
                "De klok gaat enkel vooruit.",
            ));
        }
        let mut expired = 0;
        loop {
            let next_due = {
                let mut tx = self.store.read().await?;
                tx.earliest_response_due().await?
            };
            let Some(deadline) = next_due.map(end_of_brussels_day) else { break };
            if deadline > to {
                break;
            }
            if deadline > self.clock.now() && !self.clock.set(deadline) {
                return Err(ServiceError::ClockNotSettable);
            }
            let n = self.expire_due_offers().await?;
            expired += n;
            if n == 0 {
                break;
            }
        }
        if !self.clock.set(to) {
            return Err(ServiceError::ClockNotSettable);
        }
        expired += self.expire_due_offers().await?;
        self.reopen_expired_risks().await?;
        self.remind_expiring_security_txt().await?;
        self.remind_report_deadlines().await?;
        Ok(expired)
    }
}
