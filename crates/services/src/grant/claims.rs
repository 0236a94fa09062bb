//! Cost claims: VVSG claims the costs of a work package over a period with a supporting PDF; the
//! administrator approves (the amount is reserved on the grant's ledger) or rejects with a
//! reason, then records the payment (reserved to paid). The grant's row is locked before its
//! balances are read, so however many approvals arrive at once, on however many servers, the
//! grant is never overspent (GR-2..GR-5, GR-9).

use super::{HIDDEN, locked, period, post, refused, visible};
use crate::Services;
use crate::authz::{self, Actor, Permission};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::fields;
use crate::work::{Who, Work};
use chrono::NaiveDate;
use cyberveilig_domain::Money;
use cyberveilig_domain::document::{PdfProblem, check_pdf};
use cyberveilig_domain::grant::{self as rules, ClaimState, ClaimTerms, GrantError, MAX_DESCRIPTION, MAX_DOCUMENT_BYTES, MAX_REASON};
use cyberveilig_store::records::{ClaimFilter, CostClaim};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Most claims on one page.
pub const PAGE: i64 = 50;

/// A cost claim as VVSG makes it.
#[derive(Debug, Clone)]
pub struct ClaimInput {
    pub work_package: u32,
    pub costs_from: NaiveDate,
    pub costs_until: NaiveDate,
    pub amount: Money,
    pub description: String,
}

fn document_refused(problem: Option<PdfProblem>) -> ServiceError {
    match problem {
        None | Some(PdfProblem::Empty) | Some(PdfProblem::NotPdf) => refused(GrantError::DocumentNotPdf),
        Some(p) => ServiceError::invalid("document", p.message(false), p.message(true)),
    }
}

async fn claim_of(work: &mut Work, grant_id: i64, id: i64) -> Result<CostClaim> {
    work.tx
        .claim(id)
        .await?
        .filter(|c| c.grant_id == grant_id)
        .ok_or(ServiceError::NotFound("cost claim"))
}

impl Services {
    /// GR-2: VVSG claims costs of one work package over a period with its supporting PDF.
    pub async fn submit_claim(
        &self,
        actor: &Actor,
        grant_id: i64,
        input: ClaimInput,
        filename: &str,
        document: &[u8],
    ) -> Result<CostClaim> {
        let description = fields::block("description", &input.description, MAX_DESCRIPTION, true)?.unwrap_or_default();
        if document.len() > MAX_DOCUMENT_BYTES {
            return Err(ServiceError::invalid(
                "document",
                format!("The supporting document is at most {} MiB.", MAX_DOCUMENT_BYTES >> 20),
                format!("Het bewijsstuk is hoogstens {} MiB groot.", MAX_DOCUMENT_BYTES >> 20),
            ));
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let grant = locked(&mut work, actor, grant_id, false).await?;
        let terms = ClaimTerms {
            work_package: input.work_package,
            costs_from: input.costs_from,
            costs_until: input.costs_until,
            amount: input.amount,
        };
        let numbers: Vec<u32> = grant.work_packages.iter().map(|w| w.number).collect();
        rules::check_claim(period(&grant), grant.amount, &numbers, &terms, work.today).map_err(refused)?;
        check_pdf(document).map_err(|p| document_refused(Some(p)))?;
        let mut claim = CostClaim {
            id: 0,
            grant_id: grant.id,
            work_package: terms.work_package,
            costs_from: terms.costs_from,
            costs_until: terms.costs_until,
            amount: terms.amount,
            description,
            state: ClaimState::Submitted,
            document_name: crate::orders::audit_report::pdf_name(filename),
            document_sha256: hex::encode(Sha256::digest(document)),
            document_size: document.len() as i64,
            submitted_by: actor.person_id,
            submitted_at: work.now,
            decided_by: None,
            decided_at: None,
            reason: None,
            paid_on: None,
            payment_reference: None,
        };
        claim.id = work.tx.insert_claim(&claim, document).await?;
        work.record(
            Action::GrantClaimSubmitted,
            "project_grant",
            grant.id,
            json!({"claim_id": claim.id, "work_package": claim.work_package, "amount_cents": claim.amount.cents(),
                   "costs_from": claim.costs_from, "costs_until": claim.costs_until, "sha256": claim.document_sha256}),
        )
        .await?;
        work.commit().await?;
        Ok(claim)
    }

    /// GR-3, GR-4, GR-9: the administrator approves a submitted claim (its amount is reserved on
    /// the grant's ledger, never beyond the grant or the work package's budget) or rejects it
    /// with a reason.
    pub async fn decide_claim(&self, actor: &Actor, grant_id: i64, id: i64, approve: bool, reason: &str) -> Result<CostClaim> {
        let reason = fields::block("reason", reason, MAX_REASON, false)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        // The lock comes before any read of the balances or the sums: approvals queue here.
        let grant = locked(&mut work, actor, grant_id, true).await?;
        let mut claim = claim_of(&mut work, grant.id, id).await?;
        rules::may_decide(claim.state, approve, reason.as_deref().unwrap_or("")).map_err(refused)?;
        if approve {
            let balances = work.tx.grant_balances(grant.id).await?;
            let budget = grant
                .work_packages
                .iter()
                .find(|w| w.number == claim.work_package)
                .and_then(|w| w.budget_cents)
                .map(Money::from_cents);
            let package = match budget {
                Some(budget) => {
                    let committed = work
                        .tx
                        .claim_sums(grant.id)
                        .await?
                        .into_iter()
                        .find(|s| s.work_package == claim.work_package)
                        .map_or(Money::ZERO, |s| s.approved + s.paid);
                    Some((budget, committed))
                }
                None => None,
            };
            let (postings, _) = rules::approval(&balances, claim.amount, package).map_err(refused)?;
            post(&mut work, grant.id, Some(claim.id), &postings).await?;
            claim.state = ClaimState::Approved;
        } else {
            claim.state = ClaimState::Rejected;
            claim.reason = reason;
        }
        claim.decided_by = Some(actor.person_id);
        claim.decided_at = Some(work.now);
        work.tx.update_claim(&claim).await?;
        let (action, details) = if approve {
            (
                Action::GrantClaimApproved,
                json!({"claim_id": claim.id, "amount_cents": claim.amount.cents()}),
            )
        } else {
            (Action::GrantClaimRejected, json!({"claim_id": claim.id, "reason": claim.reason}))
        };
        work.record(action, "project_grant", grant.id, details).await?;
        work.commit().await?;
        Ok(claim)
    }

    /// GR-5: the administrator records the payment of an approved claim: its reservation is paid.
    pub async fn pay_claim(&self, actor: &Actor, grant_id: i64, id: i64, paid_on: NaiveDate, reference: &str) -> Result<CostClaim> {
        let reference = fields::line("payment_reference", reference, 100, false)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let grant = locked(&mut work, actor, grant_id, true).await?;
        let mut claim = claim_of(&mut work, grant.id, id).await?;
        let postings = rules::payment(claim.state, claim.amount, period(&grant), paid_on, work.today).map_err(refused)?;
        post(&mut work, grant.id, Some(claim.id), &postings).await?;
        claim.state = ClaimState::Paid;
        claim.paid_on = Some(paid_on);
        claim.payment_reference = reference;
        work.tx.update_claim(&claim).await?;
        work.record(
            Action::GrantClaimPaid,
            "project_grant",
            grant.id,
            json!({"claim_id": claim.id, "amount_cents": claim.amount.cents(), "paid_on": paid_on}),
        )
        .await?;
        work.commit().await?;
        Ok(claim)
    }

    /// A page of the grant's claims, newest first, after the claim `before_id`.
    pub async fn grant_claims(&self, actor: &Actor, grant_id: i64, mut filter: ClaimFilter) -> Result<Vec<CostClaim>> {
        let mut tx = self.store.read().await?;
        let grant = visible(tx.as_mut(), actor, grant_id).await?;
        filter.grant_id = grant.id;
        filter.limit = filter.limit.clamp(1, PAGE + 1);
        Ok(tx.claims(&filter).await?)
    }

    pub async fn grant_claim(&self, actor: &Actor, grant_id: i64, id: i64) -> Result<CostClaim> {
        let mut tx = self.store.read().await?;
        let grant = visible(tx.as_mut(), actor, grant_id).await?;
        tx.claim(id)
            .await?
            .filter(|c| c.grant_id == grant.id)
            .ok_or(ServiceError::NotFound("cost claim"))
    }

    /// A claim's supporting document, for the beneficiary and the administrators.
    pub async fn claim_document(&self, actor: &Actor, grant_id: i64, id: i64) -> Result<(CostClaim, Vec<u8>)> {
        let mut tx = self.store.read().await?;
        let grant = visible(tx.as_mut(), actor, grant_id).await?;
        let claim = tx
            .claim(id)
            .await?
            .filter(|c| c.grant_id == grant.id)
            .ok_or(ServiceError::NotFound("cost claim"))?;
        let content = tx.claim_document(claim.id).await?.ok_or(HIDDEN)?;
        Ok((claim, content))
    }

    /// GR-4: the grant's running balances agree with the sum of its postings and hold the
    /// invariant (for the story tests and the operator's check).
    pub async fn grant_ledger_holds(&self, actor: &Actor, grant_id: i64) -> Result<bool> {
        if !authz::can(actor, Permission::SuperviseGrant) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        let running = tx.grant_balances(grant_id).await?;
        let summed = tx.grant_balances_from_postings(grant_id).await?;
        Ok(running == summed && running.holds())
    }
}
