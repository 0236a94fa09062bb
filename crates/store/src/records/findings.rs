//! Assets, imports and findings, with what imports and intelligence need of them.

use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::asset::AssetKind;
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::severity::Severity;
use cyberveilig_domain::source::{FindingTool, ImportFormat};
use cyberveilig_domain::ssvc::{Decision, MissionWellbeing};

/// An asset of a government found by a scan or registered by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAsset {
    pub government_id: i64,
    pub kind: AssetKind,
    /// What identifies it within the government: a host's canonical IP address or name.
    pub name: String,
    pub hostname: Option<String>,
    pub ip: Option<String>,
    pub os: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    pub id: i64,
    pub government_id: i64,
    pub kind: AssetKind,
    pub name: String,
    pub hostname: Option<String>,
    pub ip: Option<String>,
    pub os: Option<String>,
    /// How much the mission and well-being depend on it (SSVC's last decision point).
    pub criticality: MissionWellbeing,
}

/// One import of a scanner report, with what it did to the government's findings.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub id: i64,
    pub order_id: i64,
    pub government_id: i64,
    pub format: ImportFormat,
    pub tool_version: Option<String>,
    pub findings_read: i64,
    pub new: i64,
    pub still_open: i64,
    pub reopened: i64,
    pub fixed: i64,
    /// Informational items the report held (Nessus severity 0, a log-level result, ...): kept as
    /// information about the asset, not counted as findings.
    pub informational: i64,
    pub imported_by: Option<i64>,
    pub at: DateTime<Utc>,
}

/// A finding as stored: one per government and fingerprint, however often it was reported.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFinding {
    pub id: i64,
    pub government_id: i64,
    /// The audit order it was found under; `None` for an engagement's findings.
    pub order_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub fingerprint: String,
    pub tool: FindingTool,
    pub rule_id: String,
    pub title: String,
    pub description: Option<String>,
    /// Stored with its rank, by which the register sorts.
    pub severity: Severity,
    pub cvss_version: Option<String>,
    pub cvss_vector: Option<String>,
    pub cvss_score: Option<f64>,
    pub cvss_computed: bool,
    /// Comma-separated.
    pub cwe: String,
    /// Comma-separated.
    pub cves: String,
    pub port: Option<i64>,
    pub protocol: Option<String>,
    pub url: Option<String>,
    pub evidence: Option<String>,
    pub recommendation: Option<String>,
    pub status: FindingStatus,
    /// The SSVC decision (act, attend, track*, track) and the remediation deadline it sets.
    pub decision: Option<Decision>,
    pub due_on: Option<NaiveDate>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub first_import_id: Option<i64>,
    pub last_import_id: Option<i64>,
}

/// What an import needs to know of a finding the government already has with a fingerprint.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownFinding {
    pub id: i64,
    pub fingerprint: String,
    pub status: FindingStatus,
    pub last_import_id: Option<i64>,
    pub severity: Severity,
    /// Comma-separated.
    pub cves: String,
    pub first_seen: DateTime<Utc>,
    pub decision: Option<Decision>,
    pub due_on: Option<NaiveDate>,
}

/// A finding reported again: by a later import (a rescan), or twice in the same report.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting {
    pub id: i64,
    pub import_id: i64,
    pub at: DateTime<Utc>,
    /// None keeps the evidence the finding has.
    pub evidence: Option<String>,
    /// Sets the finding open (again): a fixed or verified one reported again, or information
    /// that a later report rates as a finding.
    pub reopen: bool,
    /// The highest severity reported so far.
    pub severity: Severity,
    /// Every CVE reported so far, comma-separated.
    pub cves: String,
    /// None for information, which has no priority and no deadline.
    pub decision: Option<Decision>,
    pub due_on: Option<NaiveDate>,
    /// Nothing but the sighting changes (when, by which import, the evidence): the finding keeps
    /// its status, severity, CVEs, decision and deadline, so the store need not touch the
    /// register's sort keys built on them.
    pub only_seen: bool,
}

#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub government_id: Option<i64>,
    pub order_id: Option<i64>,
    /// Findings of orders placed with this firm.
    pub firm_id: Option<i64>,
    pub status: Option<FindingStatus>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KevEntry {
    pub cve: String,
    pub added_on: Option<NaiveDate>,
    pub ransomware: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EpssEntry {
    pub cve: String,
    pub score: f64,
    pub percentile: f64,
}
