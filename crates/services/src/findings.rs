//! Audit results (issue 4): the findings register, in priority order. Reports come in through
//! `import`; remediation steps and a finding's page live in `remediation`.

use crate::Services;
use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use cyberveilig_store::records::{FindingFilter, StoredFinding};

// Re-exported for the callers that knew them here.
pub use crate::remediation::{FindingView, StatusChange};

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
