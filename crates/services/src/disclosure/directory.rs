//! The public side: the directory of governments to report a vulnerability to, and a government's published policy.

use super::policy::{PublishedPolicy, VersionInfo, info, published};
use crate::Services;
use crate::error::{Result, ServiceError};
use cyberveilig_domain::disclosure::PolicyKind;
use cyberveilig_domain::registry::NisCode;
use cyberveilig_store::records::{Organisation, PolicyVersion};

/// What the public page for reporting a vulnerability lists ([`Services::report_directory`]).
#[derive(Debug, Clone)]
pub struct ReportDirectory {
    /// The governments matching the search, each with whether it published a policy.
    pub matches: Vec<(Organisation, bool)>,
    /// Every local government with a published policy, by name.
    pub with_policy: Vec<Organisation>,
}

/// A government's policy as the public sees it: one version, and the list of all.
#[derive(Debug, Clone)]
pub struct PublicPolicy {
    pub government: Organisation,
    pub policy: PublishedPolicy,
    /// The newest version's number (the one in force).
    pub current_version: i64,
    /// Every version, newest first.
    pub versions: Vec<VersionInfo>,
}

impl Services {
    /// The public way in to reporting a vulnerability: the local governments whose name or NIS
    /// code matches `search`, each with whether it published a policy, and every government that
    /// did. Everything here is public.
    pub async fn report_directory(&self, search: Option<&str>) -> Result<ReportDirectory> {
        let mut tx = self.store.read().await?;
        let holders: std::collections::HashSet<i64> = tx.policy_holders().await?.into_iter().collect();
        // One read of the registry (a few hundred organisations), not one per policy holder.
        let mut with_policy: Vec<Organisation> = if holders.is_empty() {
            Vec::new()
        } else {
            tx.organisations(&cyberveilig_store::records::OrganisationFilter {
                limit: 10_000,
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|o| holders.contains(&o.id) && o.kind.is_local_government())
            .collect()
        };
        with_policy.sort_by(|a, b| a.name.cmp(&b.name));
        let search: Option<String> = search
            .map(|s| s.trim().chars().filter(|c| !c.is_control()).take(100).collect())
            .filter(|s: &String| !s.is_empty());
        let matches = match search {
            None => Vec::new(),
            Some(query) => tx
                .organisations(&cyberveilig_store::records::OrganisationFilter {
                    query: Some(query),
                    limit: 50,
                    ..Default::default()
                })
                .await?
                .into_iter()
                .filter(|o| o.kind.is_local_government())
                .map(|o| {
                    let has_policy = holders.contains(&o.id);
                    (o, has_policy)
                })
                .collect(),
        };
        Ok(ReportDirectory { matches, with_policy })
    }

    /// A government's published policy, for anyone: the version in force, or `version`.
    pub async fn public_policy(&self, nis: &NisCode, version: Option<i64>) -> Result<PublicPolicy> {
        let mut tx = self.store.read().await?;
        let government = Self::government_for(tx.as_mut(), nis).await?;
        let versions: Vec<PolicyVersion> = tx
            .policy_versions(government.id)
            .await?
            .into_iter()
            .filter(|v| v.kind == PolicyKind::Government)
            .collect();
        let current_version = versions.first().map(|v| v.version).ok_or(ServiceError::NotFound("policy"))?;
        let chosen = match version {
            None => versions.first(),
            Some(n) => versions.iter().find(|v| v.version == n),
        }
        .ok_or(ServiceError::NotFound("policy"))?;
        Ok(PublicPolicy {
            policy: published(chosen)?,
            current_version,
            versions: versions.iter().map(info).collect(),
            government,
        })
    }
}
