//! Disclosure policies: drafts and published versions.

use chrono::{DateTime, Utc};
use cyberveilig_domain::disclosure::PolicyKind;

/// A policy being edited: a government's, or VVSG's model. The content is JSON
/// (`domain::disclosure::PolicyContent`), read and written by the services.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDraft {
    pub organisation_id: i64,
    pub kind: PolicyKind,
    pub content: String,
    /// The model version a government's draft was adopted from.
    pub model_version: Option<i64>,
    pub updated_by: i64,
    pub updated_at: DateTime<Utc>,
}

/// A published, immutable version of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyVersion {
    pub id: i64,
    pub organisation_id: i64,
    pub kind: PolicyKind,
    /// 1, 2, ... per organisation.
    pub version: i64,
    pub content: String,
    /// The registered assets in scope at publication, as JSON.
    pub assets: String,
    pub model_version: Option<i64>,
    pub published_by: i64,
    pub published_at: DateTime<Utc>,
    /// When its security.txt expires (a government's).
    pub expires_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
}
