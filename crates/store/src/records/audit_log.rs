//! The audit log, its signatures and the idempotency keys' answers.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    /// Who acted, readable without a join: an email address or "system".
    pub actor: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: i64,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: i64,
    /// The details exactly as hashed.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What an earlier request with the same idempotency key left: the hash of that request, and
/// its answer (none when the request ran in several transactions and its answer was lost).
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotentAnswer {
    pub request_hash: String,
    pub answer: Option<(u16, String)>,
}

/// A signature of the audit chain's head as it stood at a commit: the entry `seq` with `hash`,
/// signed with the key named by `key_id` (issue 10, item 14).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSignature {
    pub seq: i64,
    pub hash: String,
    pub key_id: String,
    pub signature: String,
    pub signed_at: DateTime<Utc>,
}
