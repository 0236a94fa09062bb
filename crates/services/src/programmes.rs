//! Programmes: creating one, its live budget status, amendments; the VVSG project grant.

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use chrono::NaiveDate;
use cyberveilig_domain::ledger::{self, Balances};
use cyberveilig_domain::order::{OrderKind, OrderState};
use cyberveilig_domain::programme::ProgrammeSettings;
use cyberveilig_domain::ssvc::RemediationTerms;
use cyberveilig_domain::{Money, Refusal};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{Amendment, Programme, ProjectGrant};
use serde_json::json;

#[derive(Debug, Clone)]
pub struct ProgrammeStatus {
    pub programme: Programme,
    pub balances: Balances,
    pub waitlisted_count: i64,
}

#[derive(Debug, Clone)]
pub struct NewProgramme {
    pub name: String,
    pub budget: Money,
    pub settings: ProgrammeSettings,
}

/// A recorded change to a programme: extend the offer, change the budget, set the remediation
/// terms, or several at once.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeAmendment {
    pub offer_ends_on: Option<NaiveDate>,
    pub budget: Option<Money>,
    /// Days to remediate a finding by decision; open findings get their deadline anew.
    pub remediation_terms: Option<RemediationTerms>,
    pub reason: String,
}

/// What a consistency check of a programme's ledger found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerCheck {
    pub running: Balances,
    pub summed: Balances,
    pub order_reservations: Money,
}

impl LedgerCheck {
    pub fn holds(&self) -> bool {
        self.running == self.summed && self.running.reserved == self.order_reservations && self.running.holds()
    }
}

impl Services {
    pub async fn create_programme(&self, actor: &Actor, new: NewProgramme) -> Result<ProgrammeStatus> {
        let (this, actor) = (self.clone(), actor.clone());
        self.lane.run(async move { this.create_programme_now(&actor, new).await }).await
    }

    async fn create_programme_now(&self, actor: &Actor, new: NewProgramme) -> Result<ProgrammeStatus> {
        if !can(actor, Permission::ManageProgrammes) {
            return Err(ServiceError::Forbidden);
        }
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ServiceError::invalid(
                "name",
                "A programme needs a name of at most 200 characters.",
                "Een programma heeft een naam van hoogstens 200 tekens nodig.",
            ));
        }
        if ![new.settings.offer_starts_on, new.settings.offer_ends_on]
            .into_iter()
            .all(cyberveilig_domain::calendar::is_plausible)
        {
            return Err(ServiceError::invalid(
                "offer_ends_on",
                "The offer's dates lie between 2000 and 2099.",
                "De data van het aanbod liggen tussen 2000 en 2099.",
            ));
        }
        if new.settings.offer_ends_on < new.settings.offer_starts_on {
            return Err(ServiceError::invalid(
                "offer_ends_on",
                "The offer cannot end before it starts.",
                "Het aanbod kan niet eindigen voor het begint.",
            ));
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let id = work.tx.insert_programme(name, &new.settings, work.now).await?;
        work.post(id, None, &ledger::grant(new.budget)).await?;
        let settings = serde_json::to_value(&new.settings).unwrap_or_default();
        work.record(
            Action::ProgrammeCreated,
            "programme",
            id,
            json!({ "name": name, "budget_cents": new.budget.cents(), "settings": settings }),
        )
        .await?;
        // Read before the commit: with an Idempotency-Key the commit waits for the answer.
        let status = status_in(work.tx.as_mut(), id).await?;
        work.commit().await?;
        Ok(status)
    }

    pub async fn programmes(&self, actor: &Actor) -> Result<Vec<ProgrammeStatus>> {
        if !can(actor, Permission::ViewProgrammes) {
            return Err(ServiceError::Forbidden);
        }
        self.programmes_public().await
    }

    /// Every programme's figures, which are public.
    pub async fn programmes_public(&self) -> Result<Vec<ProgrammeStatus>> {
        let ids: Vec<i64> = {
            let mut tx = self.store.read().await?;
            tx.programmes().await?.into_iter().map(|p| p.id).collect()
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.programme_status_unchecked(id).await?);
        }
        Ok(out)
    }

    pub async fn programme_status(&self, actor: &Actor, id: i64) -> Result<ProgrammeStatus> {
        if !can(actor, Permission::ViewProgrammes) {
            return Err(ServiceError::Forbidden);
        }
        self.programme_status_unchecked(id).await
    }

    /// The budget status for anyone: the programme's figures are public.
    pub async fn programme_status_unchecked(&self, id: i64) -> Result<ProgrammeStatus> {
        let mut tx = self.store.read().await?;
        status_in(tx.as_mut(), id).await
    }

    /// The programme's orders by kind and state (public figures; counts every order, so it is
    /// for reports and dashboards, not for every request).
    pub async fn order_counts(&self, programme_id: i64) -> Result<Vec<(OrderKind, OrderState, i64)>> {
        let mut tx = self.store.read().await?;
        Ok(tx.order_counts(programme_id).await?)
    }

    /// Recomputes the ledger from its postings and compares it with the running balances and
    /// with what the orders hold.
    pub async fn check_ledger(&self, programme_id: i64) -> Result<LedgerCheck> {
        let mut tx = self.store.read().await?;
        Ok(LedgerCheck {
            running: tx.balances(programme_id).await?,
            summed: tx.balances_from_postings(programme_id).await?,
            order_reservations: Money::from_cents(tx.order_reservations(programme_id).await?),
        })
    }

    pub async fn amend_programme(&self, actor: &Actor, id: i64, amendment: ProgrammeAmendment) -> Result<ProgrammeStatus> {
        let (this, actor) = (self.clone(), actor.clone());
        self.lane
            .run(async move { this.amend_programme_now(&actor, id, amendment).await })
            .await
    }

    async fn amend_programme_now(&self, actor: &Actor, id: i64, amendment: ProgrammeAmendment) -> Result<ProgrammeStatus> {
        if !can(actor, Permission::ManageProgrammes) {
            return Err(ServiceError::Forbidden);
        }
        if amendment.reason.trim().is_empty() {
            return Err(ServiceError::invalid(
                "reason",
                "An amendment needs a reason.",
                "Een wijziging heeft een reden nodig.",
            ));
        }
        if amendment.offer_ends_on.is_none() && amendment.budget.is_none() && amendment.remediation_terms.is_none() {
            return Err(ServiceError::invalid(
                "amendment",
                "Say what changes: offer_ends_on, budget_cents, remediation_terms or several.",
                "Zeg wat verandert: offer_ends_on, budget_cents, remediation_terms of meerdere.",
            ));
        }
        if amendment.remediation_terms.is_some_and(|t| !t.is_valid()) {
            return Err(ServiceError::invalid(
                "remediation_terms",
                format!(
                    "Remediation terms are 1 to {} days, and Act <= Attend <= Track* <= Track.",
                    RemediationTerms::MAX_DAYS
                ),
                format!(
                    "Remediëringstermijnen zijn 1 tot {} dagen, en Act <= Attend <= Track* <= Track.",
                    RemediationTerms::MAX_DAYS
                ),
            ));
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut programme = work.lock_programme(id).await?;
        let mut summary = serde_json::Map::new();
        if let Some(ends_on) = amendment.offer_ends_on {
            if ends_on <= programme.settings.offer_ends_on {
                return Err(Refusal::EndDateNotLater.into());
            }
            if !cyberveilig_domain::calendar::is_plausible(ends_on) {
                return Err(ServiceError::invalid(
                    "offer_ends_on",
                    "The offer's dates lie between 2000 and 2099.",
                    "De data van het aanbod liggen tussen 2000 en 2099.",
                ));
            }
            summary.insert(
                "offer_ends_on".into(),
                json!({ "from": programme.settings.offer_ends_on, "to": ends_on }),
            );
            programme.settings.offer_ends_on = ends_on;
            work.tx.update_programme_settings(id, &programme.settings).await?;
        }
        if let Some(terms) = amendment.remediation_terms.filter(|t| *t != programme.settings.remediation_terms) {
            summary.insert(
                "remediation_terms".into(),
                json!({ "from": programme.settings.remediation_terms, "to": terms }),
            );
            programme.settings.remediation_terms = terms;
            work.tx.update_programme_settings(id, &programme.settings).await?;
            crate::intel::reprioritise_programme(&mut work, id).await?;
        }
        if let Some(budget) = amendment.budget {
            let before = work.balances(id).await?;
            let postings = if budget >= before.budget {
                ledger::grant(budget - before.budget)
            } else {
                ledger::withdraw(before.budget - budget)
            };
            if before.apply_all(&postings).is_err() {
                return Err(Refusal::BudgetBelowCommitments.into());
            }
            work.post(id, None, &postings).await?;
            summary.insert(
                "budget_cents".into(),
                json!({ "from": before.budget.cents(), "to": budget.cents() }),
            );
        }
        let summary = serde_json::Value::Object(summary);
        let amendment_id = work
            .tx
            .insert_amendment(id, &summary, amendment.reason.trim(), actor.person_id, work.now)
            .await?;
        work.record(
            Action::ProgrammeAmended,
            "programme",
            id,
            json!({ "amendment_id": amendment_id, "changes": summary, "reason": amendment.reason.trim() }),
        )
        .await?;
        crate::orders::fund_waitlist(&mut work, id).await?;
        // Read before the commit: with an Idempotency-Key the commit waits for the answer.
        let status = status_in(work.tx.as_mut(), id).await?;
        work.commit().await?;
        Ok(status)
    }

    pub async fn amendments(&self, actor: &Actor, programme_id: i64) -> Result<Vec<Amendment>> {
        if !can(actor, Permission::ViewProgrammes) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(tx.amendments(programme_id).await?)
    }

    pub async fn grants(&self) -> Result<Vec<ProjectGrant>> {
        let mut tx = self.store.read().await?;
        Ok(tx.grants().await?)
    }
}

/// A programme's budget status as a transaction sees it.
async fn status_in(tx: &mut dyn Tx, id: i64) -> Result<ProgrammeStatus> {
    let programme = tx.programme(id).await?.ok_or(ServiceError::NotFound("programme"))?;
    let balances = tx.balances(id).await?;
    let waitlisted_count = tx.count_in_state(id, OrderState::Waitlisted).await?;
    Ok(ProgrammeStatus {
        programme,
        balances,
        waitlisted_count,
    })
}
