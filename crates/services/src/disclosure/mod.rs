//! Coordinated vulnerability disclosure (issue 5, items 1 and 2): VVSG's model policy, each
//! government's policy (adopted from the model, edited as a draft, published as immutable
//! versions), its security.txt (RFC 9116) and the reminder before that expires.
//!
//! The response targets a government publishes are read by the handling of reports through
//! [`Services::disclosure_targets`] (or [`disclosure_targets_in`] inside a transaction).

mod demo;
mod directory;
mod government_policy;
pub mod model;
mod model_policy;
mod policy;
mod rfc9116;
mod security_txt;

pub use directory::{PublicPolicy, ReportDirectory};
pub use policy::{DraftView, PublishedPolicy, ScopedAsset, VersionInfo};
pub use rfc9116::{SecurityTxt, SecurityTxtProblem, check_security_txt};
pub use security_txt::{Links, parse_domain, platform_security_txt, security_contact, write_security_txt};

use crate::Services;
use crate::error::{Result, ServiceError};
use cyberveilig_domain::disclosure::{PolicyContent, PolicyKind, ResponseTargets};
use cyberveilig_domain::registry::NisCode;
use cyberveilig_store::Tx;
use cyberveilig_store::records::Organisation;
use policy::content_of;

/// The response targets of the government's policy in force, or the defaults (5 and 10
/// working days) when it has none; inside the caller's transaction.
/// The content of the government's policy in force, if it published one.
pub async fn published_content_in(tx: &mut dyn Tx, government_id: i64) -> Result<Option<PolicyContent>> {
    match tx.current_policy(government_id).await? {
        Some(v) if v.kind == PolicyKind::Government => Ok(Some(content_of(&v.content)?)),
        _ => Ok(None),
    }
}

pub async fn disclosure_targets_in(tx: &mut dyn Tx, government_id: i64) -> Result<ResponseTargets> {
    Ok(published_content_in(tx, government_id)
        .await?
        .map(|c| c.targets)
        .unwrap_or_default())
}

impl Services {
    async fn government_for(tx: &mut dyn Tx, nis: &NisCode) -> Result<Organisation> {
        let org = tx.organisation_by_nis(nis).await?.ok_or(ServiceError::NotFound("organisation"))?;
        if !org.kind.is_local_government() {
            return Err(ServiceError::NotFound("organisation"));
        }
        Ok(org)
    }

    /// The response targets of a government's policy in force, or the defaults (acknowledge
    /// within 5 working days, triage within 10) when it has published none.
    pub async fn disclosure_targets(&self, government_id: i64) -> Result<ResponseTargets> {
        let mut tx = self.store.read().await?;
        disclosure_targets_in(tx.as_mut(), government_id).await
    }
}
