//! The scan queue's worker (BL-5, BL-6): each round queues the systems that are due, claims scans for this
//! server for a while, scans them a few at a time and writes each in a transaction of its own.
//! Several servers on one PostgreSQL database share the queue: a claim is one conditional update
//! that only one of them wins, and a system has at most one scan waiting or running.

use crate::Services;
use crate::error::Result;
use crate::events::Action;
use crate::work::{Who, Work};
use chrono::Duration;
use cyberveilig_baseline::{Report, Scanner, Target};
use cyberveilig_domain::baseline::{ScanTarget, last_scan_due_by, scan_target};
use cyberveilig_store::records::BaselineScan;
use serde_json::json;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Systems queued per round, at most: the rest are queued at the next.
const QUEUED_PER_ROUND: i64 = 500;
/// Scans running at once on one server; the scanner's politeness limits still count per address.
const AT_ONCE: usize = 4;
/// How long a claim holds: longer than any scan takes (the scanner gives up after its own
/// timeout), so only the scan of a server that stopped is taken over.
const LEASE_MINUTES: i64 = 15;

/// Who holds a claim: this server, by host, process and a random part.
#[derive(Debug, Clone)]
pub struct ScanHolder(pub String);

impl ScanHolder {
    pub fn for_this_process() -> ScanHolder {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "server".into());
        ScanHolder(format!("{host}-{}-{:08x}", std::process::id(), rand::random::<u32>()))
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BaselineRound {
    /// Systems queued because they were due.
    pub queued: u64,
    /// Scans claimed, run and written.
    pub scanned: usize,
    /// Scans whose claim another server took over before they were written (written by none).
    pub lost: usize,
}

impl Services {
    /// The scanner this server scans with; without one it never scans (the queue waits).
    pub fn with_baseline_scanner(self, scanner: Arc<Scanner>) -> Services {
        self.set_baseline_scanner(Some(scanner));
        self
    }

    pub fn set_baseline_scanner(&self, scanner: Option<Arc<Scanner>>) {
        *self.baseline_scanner.write().unwrap_or_else(|e| e.into_inner()) = scanner;
    }

    /// Whether this server scans.
    pub fn scans_baseline(&self) -> bool {
        self.baseline_scanner.read().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// One round of the queue: queue what is due, then claim, scan and write up to `max` scans.
    pub async fn run_baseline_round(&self, holder: &ScanHolder, max: usize) -> Result<BaselineRound> {
        let scanner = self.baseline_scanner.read().unwrap_or_else(|e| e.into_inner()).clone();
        let Some(scanner) = scanner else {
            return Ok(BaselineRound::default());
        };
        let now = self.clock.now();
        let mut round = BaselineRound::default();
        let mut work = Work::begin(self.store.as_ref(), now, Who::System).await?;
        round.queued = work
            .tx
            .queue_due_baseline_scans(last_scan_due_by(now), now, QUEUED_PER_ROUND)
            .await?;
        work.commit().await?;

        let candidates = {
            let mut tx = self.store.read().await?;
            tx.claimable_baseline_scans(now, max as i64).await?
        };
        let lease = now + Duration::minutes(LEASE_MINUTES);
        let at_once = Arc::new(Semaphore::new(AT_ONCE));
        let mut running = JoinSet::new();
        // The round's claims in one transaction: one commit, however many (on PostgreSQL another
        // server's claim of the same scan waits for it and then finds the scan taken).
        let mut claimed = Vec::with_capacity(candidates.len());
        let mut tx = self.write_tx().await?;
        for candidate in candidates {
            if let Some(scan) = tx.claim_baseline_scan(candidate.id, &holder.0, lease, now).await? {
                claimed.push(scan);
            }
        }
        tx.commit().await?;
        for scan in claimed {
            let this = self.clone();
            let scanner = scanner.clone();
            let holder = holder.clone();
            let at_once = at_once.clone();
            running.spawn(async move {
                let _turn = at_once.acquire_owned().await;
                this.scan_one(&scanner, &holder, scan).await
            });
        }
        while let Some(done) = running.join_next().await {
            match done {
                Ok(Ok(true)) => round.scanned += 1,
                Ok(Ok(false)) => round.lost += 1,
                Ok(Err(e)) => tracing::warn!(error = %e, "writing a baseline scan failed; its claim runs out and it is tried again"),
                Err(e) => tracing::warn!(error = %e, "a baseline scan stopped; its claim runs out and it is tried again"),
            }
        }
        Ok(round)
    }

    /// Scans one claimed system and writes what it found; `false` when the claim was lost.
    async fn scan_one(&self, scanner: &Scanner, holder: &ScanHolder, scan: BaselineScan) -> Result<bool> {
        let now = self.clock.now();
        let asset = {
            let mut tx = self.store.read().await?;
            tx.asset(scan.asset_id).await?
        };
        let target = asset
            .as_ref()
            .and_then(|a| scan_target(a.kind, &a.name, cyberveilig_baseline::policy::is_public).ok())
            .and_then(|t| match t {
                ScanTarget::Domain(name) => Target::domain(&name).ok(),
                ScanTarget::Host(name) => Target::host(&name).ok(),
                ScanTarget::Address(ip) => Some(Target::address(ip)),
            });
        // A system that can no longer be scanned (taken off, or no longer readable) is done
        // without verdicts, so its earlier ones stand until it is scanned again.
        let report = match target {
            Some(target) => scanner.scan(&target, now).await,
            None => Report {
                target: Target::address(std::net::Ipv6Addr::UNSPECIFIED.into()),
                at: now,
                outcomes: Vec::new(),
                connections: 0,
            },
        };
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::System).await?;
        let Some((counts, changes)) = super::record::record_scan(&mut work, &scan, &holder.0, &report).await? else {
            return Ok(false);
        };
        work.record(
            Action::BaselineScanned,
            "baseline_scan",
            scan.id,
            json!({
                "asset_id": scan.asset_id, "government_id": scan.government_id, "cause": scan.cause.as_str(),
                "passed": counts.passed, "warnings": counts.warnings, "failed": counts.failed, "unknown": counts.unknown,
                "new": changes.new, "still_open": changes.still_open, "reopened": changes.reopened, "fixed": changes.fixed,
            }),
        )
        .await?;
        work.commit().await?;
        Ok(true)
    }
}
