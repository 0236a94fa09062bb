//! The continuous baseline scan (issue 16): registered systems, the scan queue, the latest
//! verdicts, explanations and scores.

use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use cyberveilig_domain::asset::AssetKind;
use cyberveilig_domain::baseline::{CheckVerdict, ExplanationState, ScanCause, ScanState, Score};
use cyberveilig_domain::registry::NisCode;
use cyberveilig_domain::severity::Severity;
use cyberveilig_domain::ssvc::Decision;

/// A government's system registered for the baseline scan.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineSystem {
    pub asset_id: i64,
    pub government_id: i64,
    pub kind: AssetKind,
    pub name: String,
    /// When its last scan finished.
    pub scanned_at: Option<DateTime<Utc>>,
    /// The scan that waits or runs for it.
    pub pending: Option<ScanState>,
}

/// A scan to put in the queue.
#[derive(Debug, Clone)]
pub struct NewScan {
    pub government_id: i64,
    pub asset_id: i64,
    pub cause: ScanCause,
    pub requested_by: Option<i64>,
    pub at: DateTime<Utc>,
}

/// One scan of one system, from the queue to its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineScan {
    pub id: i64,
    pub government_id: i64,
    pub asset_id: i64,
    pub cause: ScanCause,
    pub requested_by: Option<i64>,
    pub queued_at: DateTime<Utc>,
    pub state: ScanState,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The moment the scanner judged at (certificates, dates): the clock's now when it ran.
    pub judged_at: Option<DateTime<Utc>>,
    pub counts: VerdictCounts,
}

/// How many checks of a scan ended in each verdict that counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerdictCounts {
    pub passed: i64,
    pub warnings: i64,
    pub failed: i64,
    pub unknown: i64,
}

/// The latest verdict of one check on one subject of a system.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub asset_id: i64,
    pub government_id: i64,
    /// The scanner's stable code (`web_tls_version`): the scanner's own vocabulary, kept as text.
    pub check: String,
    pub category: String,
    pub subject: String,
    pub verdict: CheckVerdict,
    pub reason: String,
    pub message_nl: String,
    pub message_en: String,
    /// What was seen, as a JSON list of `{key, value}`.
    pub evidence: String,
    pub scan_id: i64,
    pub seen_at: DateTime<Utc>,
}

/// A government's "comply or explain" for one check on one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub id: i64,
    pub government_id: i64,
    pub check: String,
    pub subject: String,
    pub explanation: String,
    pub state: ExplanationState,
    pub proposed_by: i64,
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

/// A government's score in one category (`all` for the whole) at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorePoint {
    pub government_id: i64,
    pub at: DateTime<Utc>,
    pub category: String,
    pub score: Score,
}

/// One government in the overview: its latest scores.
#[derive(Debug, Clone, PartialEq)]
pub struct GovernmentBaseline {
    pub government_id: i64,
    pub name: String,
    pub nis_code: Option<NisCode>,
    pub province_nis: Option<NisCode>,
    pub paused: bool,
    pub systems: i64,
    pub scores: Vec<ScorePoint>,
}

/// A baseline finding seen failing again by a later scan.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineSighting {
    pub finding_id: i64,
    pub at: DateTime<Utc>,
    pub evidence: String,
    pub reopen: bool,
    pub severity: Severity,
    pub decision: Decision,
    pub due_on: NaiveDate,
}
