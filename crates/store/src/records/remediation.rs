//! The findings register and the remediation day.

use super::findings::{Asset, StoredFinding};
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::severity::Severity;
use cyberveilig_domain::ssvc::{Decision, MissionWellbeing};

/// The order of the findings register.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RegisterSort {
    /// SSVC decision, severity, CVSS score, first seen.
    #[default]
    Priority,
    /// Earliest deadline first (findings without one last), then priority.
    DueDate,
    /// Severity and CVSS score, then priority.
    Severity,
    /// By asset name (findings without an asset last), then priority.
    Asset,
    /// Most recently seen by a scan first, then priority.
    LastSeen,
}

impl RegisterSort {
    pub const ALL: [RegisterSort; 5] = [
        RegisterSort::Priority,
        RegisterSort::DueDate,
        RegisterSort::Severity,
        RegisterSort::Asset,
        RegisterSort::LastSeen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegisterSort::Priority => "priority",
            RegisterSort::DueDate => "due_on",
            RegisterSort::Severity => "severity",
            RegisterSort::Asset => "asset",
            RegisterSort::LastSeen => "last_seen",
        }
    }
}

impl std::str::FromStr for RegisterSort {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        RegisterSort::ALL.into_iter().find(|s| s.as_str() == text).ok_or(())
    }
}

/// Which findings of the register, in which order. Every field narrows; none set is everything.
#[derive(Debug, Clone, Default)]
pub struct RegisterQuery {
    pub government_id: Option<i64>,
    /// Findings of orders placed with this firm.
    pub firm_id: Option<i64>,
    pub order_id: Option<i64>,
    pub status: Option<FindingStatus>,
    /// Open or in progress.
    pub open_only: bool,
    /// act, attend, track* or track.
    pub decision: Option<Decision>,
    pub severity: Option<Severity>,
    pub asset_id: Option<i64>,
    pub owner_id: Option<i64>,
    /// Only findings still open whose deadline passed before this day.
    pub overdue_on: Option<NaiveDate>,
    /// One finding.
    pub finding_id: Option<i64>,
    pub sort: RegisterSort,
    pub offset: i64,
    pub limit: i64,
}

/// A finding as the register shows it: with its owner, its asset and its last remediation step.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterEntry {
    pub finding: StoredFinding,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub asset_name: Option<String>,
    pub asset_criticality: Option<MissionWellbeing>,
    /// The reason given with the last remediation step (an accepted risk, a false positive).
    pub status_reason: Option<String>,
    pub accepted_until: Option<NaiveDate>,
    /// Who took the last remediation step, such as accepting the risk.
    pub status_by_name: Option<String>,
}

/// One asset of a government with its findings counted.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetSummary {
    pub asset: Asset,
    /// Findings open or in progress, and of those: per decision, and overdue.
    pub open: i64,
    pub act: i64,
    pub attend: i64,
    pub track_star: i64,
    pub track: i64,
    pub overdue: i64,
    /// Information kept from scans about it (status `informational`).
    pub information: i64,
    /// All its findings, whatever their status (information included).
    pub total: i64,
}

/// What the firm recorded of a basic audit's remediation day.
#[derive(Debug, Clone, PartialEq)]
pub struct RemediationDay {
    pub order_id: i64,
    pub held_on: NaiveDate,
    /// Names and roles of who attended, free text.
    pub attendees: String,
    /// The government's people who attended: id and name.
    pub people: Vec<(i64, String)>,
    /// The findings on its agenda, in agenda order.
    pub actions: Vec<DayAction>,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

/// One finding on the remediation day's agenda: whether an action was started, with a note.
#[derive(Debug, Clone, PartialEq)]
pub struct DayAction {
    pub finding_id: i64,
    pub started: bool,
    pub note: String,
}
