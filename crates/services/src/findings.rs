//! Audit results (issue 4): the findings register, in priority order, and a finding's
//! remediation steps. Reports come in through `import`.

use crate::Services;
use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use crate::work::{Who, Work};
use cyberveilig_store::records::{FindingFilter, StoredFinding};
use serde_json::json;

impl Services {
    /// Findings in priority order, scoped: a government its own, a firm those of its orders, the
    /// administrator all.
    pub async fn findings(&self, actor: &Actor, mut filter: FindingFilter) -> Result<Vec<StoredFinding>> {
        use cyberveilig_domain::registry::Role;
        match actor.role {
            Role::ProgrammeAdmin => {}
            Role::GovernmentMember => filter.government_id = Some(actor.organisation_id),
            Role::FirmMember => filter.firm_id = Some(actor.organisation_id),
            Role::AssociationMember | Role::Researcher => return Err(ServiceError::Forbidden),
        }
        let mut tx = self.store.read().await?;
        Ok(tx.findings(&filter).await?)
    }
}

/// A remediation step asked for a finding.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub status: String,
    pub reason: Option<String>,
    /// For an accepted risk: until when (it reopens then).
    pub until: Option<chrono::NaiveDate>,
}

impl Services {
    /// Moves a finding along its remediation: the government fixes, the firm verifies; an
    /// accepted risk needs a reason and an end date within a year, a false positive a reason.
    pub async fn change_finding_status(&self, actor: &Actor, finding_id: i64, change: StatusChange) -> Result<StoredFinding> {
        use cyberveilig_domain::registry::Role;
        use cyberveilig_domain::remediation::{FindingStatus, Party, allowed, needs_reason};
        let to: FindingStatus = change.status.parse().map_err(|_| {
            ServiceError::invalid(
                "status",
                format!("'{}' is not a finding status", change.status),
                format!("'{}' is geen stand van een bevinding", change.status),
            )
        })?;
        let now = self.clock.now();
        let mut work = Work::begin(self.store.as_ref(), now, Who::Person(actor.clone())).await?;
        let finding = work.tx.finding(finding_id).await?.ok_or(ServiceError::NotFound("finding"))?;
        let order = work.tx.order(finding.order_id).await?.ok_or(ServiceError::NotFound("order"))?;
        let party = match actor.role {
            Role::ProgrammeAdmin => Party::Administrator,
            Role::GovernmentMember if actor.organisation_id == finding.government_id => Party::Government,
            Role::FirmMember if order.firm_id == Some(actor.organisation_id) => Party::Firm,
            _ => return Err(ServiceError::NotFound("finding")),
        };
        let from: FindingStatus = finding
            .status
            .parse()
            .map_err(|_| ServiceError::Conflict(format!("stored status '{}'", finding.status)))?;
        if !allowed(from, to, party) {
            return Err(ServiceError::invalid(
                "status",
                format!("a finding that is {} cannot become {} by you", from.as_str(), to.as_str()),
                format!("een bevinding die {} is kan door u niet {} worden", from.as_str(), to.as_str()),
            ));
        }
        let reason = change.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        if needs_reason(to) && reason.is_none() {
            return Err(ServiceError::invalid("reason", "give the reason", "geef de reden"));
        }
        let today = crate::clock::brussels_date(now);
        let until = match (to, change.until) {
            (FindingStatus::RiskAccepted, Some(until)) if until > today && until <= today + chrono::Days::new(366) => Some(until),
            (FindingStatus::RiskAccepted, _) => {
                return Err(ServiceError::invalid(
                    "until",
                    "an accepted risk needs an end date within the coming year",
                    "een aanvaard risico heeft een einddatum binnen het komende jaar nodig",
                ));
            }
            _ => None,
        };
        work.tx.set_finding_status(finding.id, to.as_str(), reason, until).await?;
        work.record(
            "finding.status_changed",
            "finding",
            finding.id,
            json!({"from": from.as_str(), "to": to.as_str(), "reason": reason, "until": until}),
        )
        .await?;
        let updated = work.tx.finding(finding.id).await?.ok_or(ServiceError::NotFound("finding"))?;
        work.commit().await?;
        Ok(updated)
    }
}

/// A finding as one person sees it: the finding, the statuses they may move it to, and its
/// history of remediation steps.
#[derive(Debug, Clone)]
pub struct FindingView {
    pub finding: StoredFinding,
    pub next_statuses: Vec<&'static str>,
    pub events: Vec<cyberveilig_store::records::Event>,
}

impl Services {
    /// One finding, for the government that owns it, the firm of its order, or an administrator.
    pub async fn finding(&self, actor: &Actor, id: i64) -> Result<FindingView> {
        use cyberveilig_domain::registry::Role;
        use cyberveilig_domain::remediation::{FindingStatus, Party, allowed};
        let mut tx = self.store.read().await?;
        let finding = tx.finding(id).await?.ok_or(ServiceError::NotFound("finding"))?;
        let order = tx.order(finding.order_id).await?.ok_or(ServiceError::NotFound("order"))?;
        let party = match actor.role {
            Role::ProgrammeAdmin => Party::Administrator,
            Role::GovernmentMember if actor.organisation_id == finding.government_id => Party::Government,
            Role::FirmMember if order.firm_id == Some(actor.organisation_id) => Party::Firm,
            _ => return Err(ServiceError::NotFound("finding")),
        };
        let next_statuses = match finding.status.parse::<FindingStatus>() {
            Ok(from) => FindingStatus::ALL
                .into_iter()
                .filter(|to| allowed(from, *to, party))
                .map(FindingStatus::as_str)
                .collect(),
            Err(()) => Vec::new(),
        };
        let events = tx.events_of("finding", id).await?;
        Ok(FindingView {
            finding,
            next_statuses,
            events,
        })
    }
}
