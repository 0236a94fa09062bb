//! What a published policy is (its versions, the assets it names in scope, the draft being edited) and how it is
//! stored.

use super::rfc9116::SecurityTxt;
use crate::error::{Result, ServiceError};
use chrono::{DateTime, Utc};
use cyberveilig_domain::disclosure::{PolicyContent, PolicyProblem};
use cyberveilig_store::records::{Asset, Organisation, PolicyVersion};
use serde::{Deserialize, Serialize};

/// A registered asset as a published policy names it in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopedAsset {
    pub kind: String,
    pub name: String,
    pub hostname: Option<String>,
    pub ip: Option<String>,
}

/// A published version of a policy (a government's or the model).
#[derive(Debug, Clone)]
pub struct PublishedPolicy {
    pub organisation_id: i64,
    pub version: i64,
    pub content: PolicyContent,
    /// The registered assets in scope when it was published.
    pub assets: Vec<ScopedAsset>,
    pub model_version: Option<i64>,
    pub published_at: DateTime<Utc>,
    pub published_by: i64,
    /// When its security.txt expires (a government's policy).
    pub expires_at: Option<DateTime<Utc>>,
}

/// A version in a list of versions.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionInfo {
    pub version: i64,
    pub published_at: DateTime<Utc>,
    pub published_by: i64,
}

/// A policy being edited, with what the editor shows beside it.
#[derive(Debug, Clone)]
pub struct DraftView {
    pub organisation: Organisation,
    pub content: PolicyContent,
    /// A draft is stored (otherwise `content` is the version in force, the model's start, or empty).
    pub saved: bool,
    pub updated_at: Option<DateTime<Utc>>,
    /// The model version this government's draft was adopted from.
    pub model_version: Option<i64>,
    /// The newest published model (for a government to adopt).
    pub model_available: Option<i64>,
    pub current: Option<PublishedPolicy>,
    pub versions: Vec<VersionInfo>,
    /// The registered assets that would be in scope now.
    pub assets: Vec<ScopedAsset>,
    pub security_txt: Option<SecurityTxt>,
}

pub(super) fn invalid(p: PolicyProblem) -> ServiceError {
    ServiceError::invalid(p.field(), p.message_en(), p.message_nl())
}

/// A draft that cannot be published as it stands: a conflict with the draft, not a bad request
/// (the publication's own expiry date excepted).
pub(super) fn unpublishable(p: PolicyProblem) -> ServiceError {
    match p {
        PolicyProblem::Expiry => invalid(p),
        _ => ServiceError::conflict(
            "draft_incomplete",
            format!("the draft cannot be published: {}", p.message_en()),
            format!("het ontwerp kan niet gepubliceerd worden: {}", p.message_nl()),
        ),
    }
}

pub(super) fn content_of(json: &str) -> Result<PolicyContent> {
    serde_json::from_str(json).map_err(|e| ServiceError::internal("corrupt_data", format!("a stored policy cannot be read: {e}")))
}

pub(super) fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| ServiceError::internal("policy_not_written", format!("a policy cannot be written: {e}")))
}

pub(super) fn published(v: &PolicyVersion) -> Result<PublishedPolicy> {
    Ok(PublishedPolicy {
        organisation_id: v.organisation_id,
        version: v.version,
        content: content_of(&v.content)?,
        assets: serde_json::from_str(&v.assets).unwrap_or_default(),
        model_version: v.model_version,
        published_at: v.published_at,
        published_by: v.published_by,
        expires_at: v.expires_at,
    })
}

pub(super) fn info(v: &PolicyVersion) -> VersionInfo {
    VersionInfo {
        version: v.version,
        published_at: v.published_at,
        published_by: v.published_by,
    }
}

/// Whether an address is one no outsider can reach (or should learn): private, loopback,
/// link-local or unique-local. Such assets are not published as scope.
fn internal_address(text: &str) -> bool {
    match text.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => a.is_private() || a.is_loopback() || a.is_link_local() || a.is_unspecified(),
        Ok(std::net::IpAddr::V6(a)) => {
            a.is_loopback() || a.is_unspecified() || (a.segments()[0] & 0xfe00) == 0xfc00 || (a.segments()[0] & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

/// The registered assets a published policy names in scope: those reachable from outside.
pub(super) fn scoped_assets(assets: &[Asset]) -> Vec<ScopedAsset> {
    assets
        .iter()
        .filter(|a| !internal_address(&a.name) && !a.ip.as_deref().is_some_and(internal_address))
        .map(|a| ScopedAsset {
            kind: a.kind.as_str().to_owned(),
            name: a.name.clone(),
            hostname: a.hostname.clone(),
            ip: a.ip.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_stay_out_of_the_public_scope() {
        for a in ["10.0.0.1", "192.168.1.20", "172.16.4.4", "127.0.0.1", "fd00::1", "fe80::1"] {
            assert!(internal_address(a), "{a}");
        }
        for a in ["192.0.2.40", "2001:db8::1", "www.gent.be"] {
            assert!(!internal_address(a), "{a}");
        }
    }
}
