//! `audit-log verify`: walks the hash chain from the first entry to the head.

use crate::Services;
use crate::error::Result;
use cyberveilig_store::audit::{BrokenLink, ChainVerifier};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainReport {
    /// Every link holds; the number of entries and the head's hash.
    Intact {
        entries: u64,
        head: String,
    },
    Broken(BrokenLink),
}

impl Services {
    pub async fn verify_audit_log(&self) -> Result<ChainReport> {
        let mut tx = self.store.read().await?;
        let mut verifier = ChainVerifier::default();
        let mut after = 0;
        loop {
            let page = tx.events_after(after, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for event in &page {
                if let Err(broken) = verifier.check(event) {
                    return Ok(ChainReport::Broken(broken));
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
        Ok(ChainReport::Intact {
            entries: verifier.checked,
            head: head_hash,
        })
    }
}
