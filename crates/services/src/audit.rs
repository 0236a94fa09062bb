//! `audit-log verify`: walks the hash chain from the first entry to the head, and checks the
//! signatures of the head (issue 10, item 14).
//!
//! The hash chain alone shows that nothing changed only to someone who cannot write the
//! database: whoever can, can recompute every hash after a change. So every transaction that
//! moves the head also signs it (Ed25519) with a key held outside the database, in a file only
//! the server reads. A signature of entry `n` vouches for every entry up to `n` through the
//! chain; a change anywhere breaks the first signature after it, and entries added behind the
//! server's back are not signed. What the key cannot show is a log cut short at an earlier
//! signed head: the operator compares the head `verify` prints with one kept elsewhere.

use crate::Services;
use crate::error::{Result, ServiceError};
use chrono::Utc;
use cyberveilig_store::audit::{BrokenLink, ChainVerifier, HeadSigner, head_message};
use cyberveilig_store::records::AuditSignature;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainReport {
    /// Every link holds; the number of entries and the head's hash; how many signatures were
    /// checked with the installation's key (`None`: no key to check them with).
    Intact {
        entries: u64,
        head: String,
        signatures: Option<u64>,
    },
    Broken(BrokenLink),
}

/// The private key that signs the audit chain's head: 32 random bytes, kept in a file outside
/// the database (`audit_key`), readable only by the server.
pub struct AuditKey {
    signing: SigningKey,
    public: AuditPublicKey,
}

/// The public half, which checks the signatures: safe to publish and to keep anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPublicKey {
    key: VerifyingKey,
    id: String,
}

const FILE_HEADER: &str = "# cyberveilig: the key that signs the audit log's head (Ed25519). Keep it secret and keep a copy\n\
# safe: without it the log can still be checked with the public key, but not signed any more.\n";

impl std::fmt::Debug for AuditKey {
    /// The public half only: the secret never goes into a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey").field("public", &self.public).finish_non_exhaustive()
    }
}

impl AuditKey {
    pub fn generate() -> AuditKey {
        AuditKey::from_seed(rand::random::<[u8; 32]>())
    }

    fn from_seed(seed: [u8; 32]) -> AuditKey {
        let signing = SigningKey::from_bytes(&seed);
        let public = AuditPublicKey::of(signing.verifying_key());
        AuditKey { signing, public }
    }

    /// The key file's text: a comment, the secret seed and the public key, in hex.
    pub fn to_file_text(&self) -> String {
        format!(
            "{FILE_HEADER}secret: {}\npublic: {}\n",
            hex::encode(self.signing.to_bytes()),
            self.public.to_hex()
        )
    }

    /// Reads a key file's text; its public line, when there, must match the secret.
    pub fn from_file_text(text: &str) -> Result<AuditKey, String> {
        let value = |name: &str| {
            text.lines()
                .filter_map(|l| l.trim().strip_prefix(name))
                .map(|v| v.trim().to_owned())
                .next()
        };
        let secret = value("secret:").ok_or("no 'secret:' line")?;
        let seed: [u8; 32] = hex::decode(&secret)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("the secret is not 64 hexadecimal digits")?;
        let key = AuditKey::from_seed(seed);
        if let Some(public) = value("public:")
            && public != key.public.to_hex()
        {
            return Err("the public key does not belong to the secret".into());
        }
        Ok(key)
    }

    pub fn public(&self) -> &AuditPublicKey {
        &self.public
    }
}

impl AuditPublicKey {
    fn of(key: VerifyingKey) -> AuditPublicKey {
        let id = hex::encode(&Sha256::digest(key.as_bytes())[..8]);
        AuditPublicKey { key, id }
    }

    pub fn from_hex(text: &str) -> Result<AuditPublicKey, String> {
        let bytes: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("a public key is 64 hexadecimal digits")?;
        VerifyingKey::from_bytes(&bytes)
            .map(AuditPublicKey::of)
            .map_err(|e| format!("not an Ed25519 public key: {e}"))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.key.as_bytes())
    }

    /// A short name of the key, stored with each signature: the start of its SHA-256.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether `signature` is this key's over the head it names.
    pub fn holds(&self, signature: &AuditSignature) -> bool {
        let Some(bytes) = hex::decode(&signature.signature).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
            return false;
        };
        signature.key_id == self.id
            && self
                .key
                .verify(&head_message(signature.seq, &signature.hash), &Signature::from_bytes(&bytes))
                .is_ok()
    }
}

impl HeadSigner for AuditKey {
    fn sign_head(&self, seq: i64, hash: &str) -> AuditSignature {
        AuditSignature {
            seq,
            hash: hash.to_owned(),
            key_id: self.public.id.clone(),
            signature: hex::encode(self.signing.sign(&head_message(seq, hash)).to_bytes()),
            signed_at: Utc::now(),
        }
    }
}

impl Services {
    /// Signs every head from now on with `key`, and checks signatures with its public half.
    pub fn with_audit_key(mut self, key: Arc<AuditKey>) -> Services {
        self.audit_public = Some(key.public.clone());
        self.store.sign_heads_with(key);
        self
    }

    /// Checks signatures with `public` (for `audit-log verify` away from the key file).
    pub fn with_audit_public_key(mut self, public: AuditPublicKey) -> Services {
        self.audit_public = Some(public);
        self
    }

    /// The key that signed the newest signature, by id: the installation's key.
    pub async fn audit_key_in_use(&self) -> Result<Option<String>> {
        let mut tx = self.store.read().await?;
        Ok(tx.latest_audit_signature().await?.map(|s| s.key_id))
    }

    /// Signs the chain's head as it stands when it is not signed yet: at the first start with a
    /// key, for a log written before signing began (its entries are vouched for from then on).
    /// The entry signed, if any.
    pub async fn sign_chain_head(&self, key: &AuditKey) -> Result<Option<i64>> {
        let mut tx = self.write_tx().await?;
        let (seq, hash) = tx.chain_head().await?;
        let signed = tx.latest_audit_signature().await?.map_or(0, |s| s.seq);
        if seq == 0 || seq <= signed {
            return Ok(None);
        }
        tx.insert_audit_signature(&key.sign_head(seq, &hash)).await?;
        tx.commit().await?;
        Ok(Some(seq))
    }

    pub async fn verify_audit_log(&self) -> Result<ChainReport> {
        let mut tx = self.store.read().await?;
        let mut verifier = ChainVerifier::default();
        // Signatures are read a page at a time beside the entries.
        const PAGE: i64 = 1_000;
        let mut signatures = std::collections::VecDeque::new();
        let mut signatures_after = 0;
        let mut more_signatures = true;
        let mut checked = 0;
        let mut after = 0;
        loop {
            let page = tx.events_after(after, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for event in &page {
                if let Err(broken) = verifier.check(event) {
                    return Ok(ChainReport::Broken(broken));
                }
                let Some(public) = &self.audit_public else { continue };
                if signatures.is_empty() && more_signatures {
                    let page = tx.audit_signatures(signatures_after, PAGE).await?;
                    more_signatures = page.len() as i64 == PAGE;
                    signatures_after = page.last().map_or(signatures_after, |s| s.seq);
                    signatures.extend(page);
                }
                if signatures.front().is_some_and(|s| s.seq == event.seq) {
                    let signature = signatures.pop_front().expect("the front was just looked at");
                    if signature.hash != event.hash || !public.holds(&signature) {
                        return Ok(ChainReport::Broken(BrokenLink {
                            seq: event.seq,
                            problem: "its signature does not hold: the log was changed after it was signed",
                        }));
                    }
                    checked += 1;
                }
            }
        }
        let (head_seq, head_hash) = tx.chain_head().await?;
        if head_seq != verifier.checked as i64 {
            return Ok(ChainReport::Broken(BrokenLink {
                seq: verifier.checked as i64 + 1,
                problem: "entry missing",
            }));
        }
        if self.audit_public.is_some() {
            let signed = tx.latest_audit_signature().await?;
            if signed.as_ref().is_some_and(|s| s.seq > head_seq) {
                return Ok(ChainReport::Broken(BrokenLink {
                    seq: head_seq + 1,
                    problem: "entry missing: a signature names a later entry",
                }));
            }
            if head_seq > 0 && signed.is_none_or(|s| s.seq < head_seq) {
                return Ok(ChainReport::Broken(BrokenLink {
                    seq: head_seq,
                    problem: "not signed: written without the installation's key",
                }));
            }
        }
        Ok(ChainReport::Intact {
            entries: verifier.checked,
            head: head_hash,
            signatures: self.audit_public.as_ref().map(|_| checked),
        })
    }
}

/// Refuses a key that is not the one the log is signed with.
pub fn check_key_in_use(key: &AuditKey, in_use: Option<&str>) -> Result<()> {
    match in_use {
        Some(id) if id != key.public.id => Err(ServiceError::internal(
            "audit_key_mismatch",
            format!("the audit log is signed with key {id}, not with this key ({})", key.public.id),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_reads_back_and_signs_what_its_public_half_checks() {
        let key = AuditKey::generate();
        let text = key.to_file_text();
        let again = AuditKey::from_file_text(&text).unwrap();
        assert_eq!(again.public(), key.public());
        let signature = again.sign_head(7, "abc");
        assert!(key.public().holds(&signature));
        let public = AuditPublicKey::from_hex(&key.public().to_hex()).unwrap();
        assert!(public.holds(&signature));
        // Another entry, another hash, another key: it does not hold.
        assert!(!public.holds(&AuditSignature {
            seq: 8,
            ..signature.clone()
        }));
        assert!(!public.holds(&AuditSignature {
            hash: "abd".into(),
            ..signature.clone()
        }));
        assert!(!AuditKey::generate().public().holds(&signature));
        // A file whose public line does not match its secret is refused.
        let other = AuditKey::generate().public().to_hex();
        let mismatched = text.replace(&key.public().to_hex(), &other);
        assert!(AuditKey::from_file_text(&mismatched).is_err());
        assert!(AuditKey::from_file_text("secret: 12").is_err());
    }
}
