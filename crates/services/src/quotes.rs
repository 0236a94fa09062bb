//! What a government may still order and what the programme would pay of it, before it orders:
//! the same rules as a submission (rate, D3, the agreement in force and its first firm's price).

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::clock::brussels_date;
use crate::error::{Result, ServiceError};
use cyberveilig_domain::Money;
use cyberveilig_domain::Refusal;
use cyberveilig_domain::cascade::in_force;
use cyberveilig_domain::money::Rate;
use cyberveilig_domain::order::OrderKind;
use cyberveilig_domain::programme::{GovernmentHistory, Submission, check_submission};

/// The programme's part of an order, as it would be today.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub kind: OrderKind,
    pub rate: Rate,
    /// What the share is computed on: the first firm's package price for a basic audit, the
    /// estimate for additional work.
    pub basis: Option<Money>,
    pub share: Option<Money>,
    /// The framework agreement an order would go to today, and its first firm.
    pub agreement: Option<String>,
    pub first_firm_id: Option<i64>,
    /// Why the government may not order this kind today (C9, D2, D3, D9), if it may not.
    pub refusal: Option<Refusal>,
}

impl Services {
    pub async fn quote(
        &self,
        actor: &Actor,
        programme_id: i64,
        government_id: i64,
        kind: OrderKind,
        estimate: Option<Money>,
    ) -> Result<Quote> {
        let mut tx = self.store.read().await?;
        let government = tx
            .organisation(government_id)
            .await?
            .ok_or(ServiceError::NotFound("organisation"))?;
        if !can(actor, Permission::OrderFor(&government)) {
            return Err(ServiceError::Forbidden);
        }
        let programme = tx.programme(programme_id).await?.ok_or(ServiceError::NotFound("programme"))?;
        let settings = &programme.settings;
        let has_basic_audit = tx.has_basic_audit(programme_id, government_id).await?;
        let today = brussels_date(self.clock.now());
        // The same rules as a submission; an estimate not typed yet is no refusal here.
        let submission = Submission {
            organisation_kind: government.kind,
            kind,
            estimated_cost: estimate.or(Some(Money::from_cents(1))),
            order_date: today,
        };
        let refusal = check_submission(settings, &submission, GovernmentHistory { has_basic_audit }).err();
        let rate = settings.rate_for(government.kind, kind);
        let agreements = tx.agreements().await?;
        let agreement = in_force(&agreements, today);
        let first = agreement.and_then(|a| a.first_firm());
        let basis = match kind {
            OrderKind::Basic => first.map(|f| f.package_price),
            OrderKind::Additional => estimate,
        };
        Ok(Quote {
            kind,
            rate,
            share: basis.map(|b| rate.share_of(b)),
            basis,
            agreement: agreement.map(|a| a.reference.clone()),
            first_firm_id: first.map(|f| f.firm_id),
            refusal,
        })
    }
}
