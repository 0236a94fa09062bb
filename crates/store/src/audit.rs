//! The audit log's hash chain: each entry's hash covers its content and the previous hash, so
//! changing, removing or reordering an entry breaks every link after it.

use crate::records::Event;
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Instants are kept to the microsecond, the precision both databases store, so that an
/// entry read back hashes exactly as it was written.
pub fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    let micros = at.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(at)
}

/// The entry's hash: each field, length-prefixed so no two different entries share a byte
/// string, then the previous entry's hash.
pub fn hash_of(event: &Event) -> String {
    let mut h = Sha256::new();
    let actor_id = event.actor_id.map(|id| id.to_string()).unwrap_or_default();
    for part in [
        event.seq.to_string().as_str(),
        &event.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        &actor_id,
        &event.actor,
        &event.action,
        &event.subject_type,
        &event.subject_id.to_string(),
        &event.details,
        &event.prev_hash,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The first entry whose link does not hold, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub problem: &'static str,
}

/// Checks entries given in order; `previous` is the hash the first of them must link to.
pub struct ChainVerifier {
    previous: String,
    expected_seq: i64,
    pub checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            previous: GENESIS.to_owned(),
            expected_seq: 1,
            checked: 0,
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, event: &Event) -> Result<(), BrokenLink> {
        let broken = |problem| BrokenLink { seq: event.seq, problem };
        if event.seq != self.expected_seq {
            return Err(BrokenLink {
                seq: self.expected_seq,
                problem: "entry missing",
            });
        }
        if event.prev_hash != self.previous {
            return Err(broken("does not link to the entry before it"));
        }
        if hash_of(event) != event.hash {
            return Err(broken("content changed after it was written"));
        }
        self.previous = event.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }
}

/// SEC-9: signs the audit chain's head with a key held outside the database (issue 10, item 14), so
/// that someone who can write the database but not read the key cannot recompute the chain
/// unnoticed. The store calls it as it commits a transaction that moved the head.
pub trait HeadSigner: Send + Sync {
    /// The signature of the head `(seq, hash)`: its [`AuditSignature`](crate::records::AuditSignature).
    fn sign_head(&self, seq: i64, hash: &str) -> crate::records::AuditSignature;
}

/// The bytes a head's signature covers: a fixed label, the entry's number and its hash.
pub fn head_message(seq: i64, hash: &str) -> Vec<u8> {
    format!("cyberveilig audit chain head v1\n{seq}\n{hash}").into_bytes()
}
