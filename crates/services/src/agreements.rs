//! Framework agreements (C5-C7): listing them and activating one, which offers the orders that
//! waited for it (D4).

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::orders::place;
use crate::work::{Who, Work};
use cyberveilig_domain::Refusal;
use cyberveilig_domain::cascade::FrameworkAgreement;
use serde_json::json;

impl Services {
    pub async fn agreements(&self) -> Result<Vec<FrameworkAgreement>> {
        let mut tx = self.store.read().await?;
        Ok(tx.agreements().await?)
    }

    pub async fn activate_agreement(&self, actor: &Actor, id: i64) -> Result<FrameworkAgreement> {
        let (this, actor) = (self.clone(), actor.clone());
        self.lane.run(async move { this.activate_agreement_now(&actor, id).await }).await
    }

    async fn activate_agreement_now(&self, actor: &Actor, id: i64) -> Result<FrameworkAgreement> {
        if !can(actor, Permission::ManageAgreements) {
            return Err(ServiceError::Forbidden);
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let waiting = work.tx.orders_awaiting_agreement(id).await?;
        // Lock every programme concerned, in id order, before touching its orders.
        let mut programme_ids: Vec<i64> = waiting.iter().map(|o| o.programme_id).collect();
        programme_ids.sort_unstable();
        programme_ids.dedup();
        let mut programmes = Vec::new();
        for pid in programme_ids {
            programmes.push(work.lock_programme(pid).await?);
        }
        let agreement = work
            .tx
            .agreements()
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(ServiceError::NotFound("framework agreement"))?;
        if agreement.active {
            return Err(Refusal::AlreadyActive.into());
        }
        work.tx.set_agreement_active(id, true).await?;
        work.record(
            Action::FrameworkAgreementActivated,
            "framework_agreement",
            id,
            json!({ "reference": agreement.reference, "waiting_orders": waiting.len() }),
        )
        .await?;
        // Any agreement list the work cached says "inactive" now.
        work.forget_agreements();
        // Orders re-read after the locks, so none changed since.
        for stale in waiting {
            let Some(mut order) = work.tx.order(stale.id).await? else {
                continue;
            };
            if order.state != cyberveilig_domain::order::OrderState::AwaitingFramework {
                continue;
            }
            let programme = programmes
                .iter()
                .find(|p| p.id == order.programme_id)
                .cloned()
                .ok_or(ServiceError::NotFound("programme"))?;
            place(&mut work, &programme, &mut order, None).await?;
        }
        work.commit().await?;
        Ok(FrameworkAgreement { active: true, ..agreement })
    }
}
