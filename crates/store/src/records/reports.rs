//! Vulnerability reports, their threads, attachments and credits.

use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::attachment::AttachmentKind;
use cyberveilig_domain::report::{Party, ReportState, TriageOutcome};

/// A vulnerability report (issue 5). States and outcomes are stored as their names
/// (`cyberveilig_domain::report`).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: i64,
    pub government_id: i64,
    pub tracking_code: String,
    /// SHA-256 (hex) of the follow link's token.
    pub follow_hash: String,
    pub state: ReportState,
    pub outcome: Option<TriageOutcome>,
    pub duplicate_of: Option<i64>,
    /// The URL or host as the reporter gave it.
    pub target: String,
    pub host: String,
    pub location: String,
    pub cwe: i64,
    pub duplicate_key: String,
    pub title: String,
    pub description: String,
    pub steps: String,
    pub impact: String,
    pub cvss_vector: Option<String>,
    pub cvss_score: Option<f64>,
    /// A name or a pseudonym; may be empty (anonymous).
    pub reporter_name: String,
    pub reporter_email: Option<String>,
    /// The researcher's account, when they reported signed in.
    pub reporter_id: Option<i64>,
    pub credit_consent: bool,
    pub disclosure_plans: String,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub acknowledge_by: NaiveDate,
    pub triage_by: NaiveDate,
    pub disclose_on: NaiveDate,
    pub disclosure_agreed: bool,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub triaged_at: Option<DateTime<Utc>>,
    pub fixed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub finding_id: Option<i64>,
    pub coordinator_invited: bool,
    /// The deadline reminders sent, comma-separated (`acknowledge`, `triage`).
    pub reminded: String,
    pub updated_at: DateTime<Utc>,
    /// The system reported is outside the government's published scope: received all the same,
    /// and the policy's safe harbour does not cover it.
    pub outside_scope: bool,
}

/// Which reports a list holds: each condition that is set must hold. Newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFilter {
    pub government_id: Option<i64>,
    pub reporter_id: Option<i64>,
    /// Only reports to which VVSG was invited as coordinator.
    pub coordinator_invited: bool,
    /// Any of these states (all when empty).
    pub states: Vec<ReportState>,
    /// Reports with an id below this one (the cursor).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// One message of a report's thread.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportMessage {
    pub id: i64,
    pub report_id: i64,
    /// Who wrote it; none for the platform's own messages.
    pub author: Option<Party>,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// An attachment of a report, without its content.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentInfo {
    pub id: i64,
    pub report_id: i64,
    pub filename: String,
    /// png, jpeg, pdf or text: read from the content.
    pub kind: AttachmentKind,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: Party,
    pub at: DateTime<Utc>,
}

/// A reporter thanked on an acknowledgements page.
#[derive(Debug, Clone, PartialEq)]
pub struct Credit {
    pub name: String,
    pub government_id: i64,
    pub government_name: String,
    pub fixed_at: Option<DateTime<Utc>>,
}
