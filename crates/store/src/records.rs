//! What the store reads and writes: plain records built from domain types.

use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::asset::AssetKind;
use cyberveilig_domain::cascade::FrameworkAgreement;
use cyberveilig_domain::engagement::EngagementState;
use cyberveilig_domain::ledger::{Account, Balances};
use cyberveilig_domain::order::{OrderKind, OrderState};
use cyberveilig_domain::programme::ProgrammeSettings;
use cyberveilig_domain::registry::{EmailAddress, KboNumber, NisCode, OrganisationKind, Role};
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::report::{ReportState, TriageOutcome};
use cyberveilig_domain::severity::Severity;
use cyberveilig_domain::ssvc::{Decision, MissionWellbeing};
use cyberveilig_domain::{Money, Rate};

#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    pub id: i64,
    pub kind: OrganisationKind,
    pub name: String,
    pub nis_code: Option<NisCode>,
    pub kbo_number: Option<KboNumber>,
    /// The NIS code of the province a municipality lies in.
    pub province_nis: Option<NisCode>,
}

#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub kind: OrganisationKind,
    pub name: String,
    pub nis_code: Option<NisCode>,
    pub kbo_number: Option<KboNumber>,
    pub province_nis: Option<NisCode>,
}

#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    pub kind: Option<OrganisationKind>,
    /// Matches the name or the NIS code, case-insensitively.
    pub query: Option<String>,
    pub after_id: Option<i64>,
    pub limit: i64,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub organisation_id: i64,
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub language: String,
    /// Whether the person signs in with a TOTP code after the password.
    pub totp_enabled: bool,
}

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub organisation_id: i64,
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub language: String,
}

#[derive(Debug, Clone)]
pub struct Programme {
    pub id: i64,
    pub name: String,
    pub settings: ProgrammeSettings,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Amendment {
    pub id: i64,
    pub programme_id: i64,
    pub summary: serde_json::Value,
    pub reason: String,
    pub decided_by: i64,
    pub at: DateTime<Utc>,
}

/// A project subsidy such as VVSG's (V1-V5).
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectGrant {
    pub id: i64,
    pub beneficiary_id: i64,
    pub name: String,
    pub amount: Money,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub work_packages: Vec<WorkPackage>,
    pub governance: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WorkPackage {
    pub number: u32,
    pub title_nl: String,
    pub title_en: String,
    pub description_en: String,
}

/// An order with every fact of its life so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: i64,
    pub programme_id: i64,
    pub government_id: i64,
    pub kind: OrderKind,
    pub scope: String,
    pub estimated_cost: Option<Money>,
    /// The co-financing rate that applies, fixed at submission.
    pub rate: Rate,
    pub state: OrderState,
    pub agreement_id: Option<i64>,
    pub cascade_rank: Option<u32>,
    pub firm_id: Option<i64>,
    pub offered_on: Option<NaiveDate>,
    pub response_due_on: Option<NaiveDate>,
    pub price: Option<Money>,
    pub planned_start_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
    pub remediation_day_on: Option<NaiveDate>,
    pub invoice_number: Option<String>,
    pub invoiced: Option<Money>,
    /// The co-financing this order holds in the ledger's reserved account.
    pub reserved: Money,
    /// The co-financing paid at settlement.
    pub paid: Money,
    pub submitted_on: NaiveDate,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub programme_id: Option<i64>,
    pub state: Option<OrderState>,
    pub government_id: Option<i64>,
    /// Orders offered to or placed with this firm.
    pub firm_id: Option<i64>,
    pub agreement_id: Option<i64>,
    /// Orders of the local governments in this province (its NIS code).
    pub province_nis: Option<String>,
    pub submitted_from: Option<NaiveDate>,
    pub submitted_until: Option<NaiveDate>,
    /// Only basic audits delivered (or further) without an audit report: the orders of the past,
    /// delivered before a report was required (issue 11).
    pub delivered_without_report: bool,
    /// Newest first; `after_id` then means "older than".
    pub newest_first: bool,
    pub after_id: Option<i64>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Posting {
    pub id: i64,
    pub programme_id: i64,
    pub order_id: Option<i64>,
    pub from: Account,
    pub to: Account,
    pub amount: Money,
    /// The programme's balances after this posting; the sums of all postings must agree.
    pub after: Balances,
    pub at: DateTime<Utc>,
}

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

pub type Agreements = Vec<FrameworkAgreement>;

/// A message waiting in the outbox, or sent from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewMail {
    pub to: EmailAddress,
    pub subject: String,
    pub body: String,
}

/// An invitation to join an organisation in a role; the link holds a token, stored hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    pub token_hash: String,
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub organisation_id: i64,
    pub invited_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// What a person may see of their API tokens: never the token itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiTokenInfo {
    /// The first 12 hex digits of the token's hash: enough to name it, useless to use it.
    pub id: String,
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A person's TOTP state: the secret (base32), whether it is confirmed, and the last time step
/// accepted (a code is good once).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TotpState {
    pub secret: Option<String>,
    pub enabled: bool,
    pub last_step: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub person_id: i64,
    pub csrf_token: &'a str,
    pub second_factor_pending: bool,
    pub at: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

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
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Import {
    pub id: i64,
    pub order_id: i64,
    pub government_id: i64,
    pub format: String,
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
    pub tool: String,
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
}

/// A finding reported again: by a later import (a rescan), or twice in the same report.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting<'a> {
    pub id: i64,
    pub import_id: i64,
    pub at: DateTime<Utc>,
    pub evidence: Option<&'a str>,
    /// Sets the finding open (again): a fixed or verified one reported again, or information
    /// that a later report rates as a finding.
    pub reopen: bool,
    /// The highest severity reported so far.
    pub severity: Severity,
    /// Every CVE reported so far, comma-separated.
    pub cves: &'a str,
    /// None for information, which has no priority and no deadline.
    pub decision: Option<Decision>,
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub government_id: Option<i64>,
    pub order_id: Option<i64>,
    /// Findings of orders placed with this firm.
    pub firm_id: Option<i64>,
    pub status: Option<FindingStatus>,
    pub offset: i64,
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

/// A control catalogue as loaded, with how many controls it has.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueRecord {
    pub id: i64,
    pub urn: String,
    pub version: i64,
    pub ref_id: String,
    pub name_nl: String,
    pub name_en: String,
    pub provider: Option<String>,
    pub controls: i64,
    /// Who loaded it; none for the built-in baseline and the command line.
    pub loaded_by: Option<i64>,
    pub loaded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaRecord {
    pub ref_id: String,
    pub name_nl: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRecord {
    /// 0 before it is stored.
    pub id: i64,
    pub ref_id: String,
    /// The [`AreaRecord::ref_id`] of its area.
    pub area: String,
    pub title_nl: String,
    pub title_en: String,
    pub guidance_nl: String,
    pub guidance_en: String,
    pub evidence_nl: String,
    pub evidence_en: String,
}

/// A catalogue to store, with its areas and controls in their order.
#[derive(Debug, Clone)]
pub struct NewCatalogue {
    pub urn: String,
    pub version: i64,
    pub ref_id: String,
    pub name_nl: String,
    pub name_en: String,
    pub provider: Option<String>,
    pub areas: Vec<AreaRecord>,
    pub controls: Vec<ControlRecord>,
    pub loaded_by: Option<i64>,
    pub loaded_at: DateTime<Utc>,
}

/// The assessment of an order against one catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub id: i64,
    pub order_id: i64,
    pub catalogue_id: i64,
    pub government_id: i64,
    pub started_by: Option<i64>,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A control's rating in an assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingRecord {
    pub control_id: i64,
    pub rating: cyberveilig_domain::assessment::Rating,
    pub evidence: Option<String>,
    pub notes: Option<String>,
    pub rated_by: Option<i64>,
    pub rated_at: DateTime<Utc>,
}

/// A policy being edited: a government's, or VVSG's model. The content is JSON
/// (`domain::disclosure::PolicyContent`), read and written by the services.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDraft {
    pub organisation_id: i64,
    /// "model" or "government".
    pub kind: String,
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
    pub kind: String,
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
    /// reporter, government, coordinator, administrator or system.
    pub author_kind: String,
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
    pub kind: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
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

/// An ethical-hacking engagement (the Howest track), with its scope and team.
#[derive(Debug, Clone, PartialEq)]
pub struct Engagement {
    pub id: i64,
    pub government_id: i64,
    pub partner_id: i64,
    /// The organisation that coordinates the track and proposed it (VVSG).
    pub coordinator_id: i64,
    pub title: String,
    /// proposed, authorised, withdrawn or closed.
    pub state: EngagementState,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Comma-separated technique codes.
    pub techniques: String,
    pub government_contact: String,
    pub team_contact: String,
    pub emergency_contact: String,
    pub version: i64,
    /// SHA-256 of the current letter (Dutch and English text).
    pub letter_hash: String,
    pub accepted_hash: Option<String>,
    pub accepted_by: Option<i64>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub social_engineering_authorised: bool,
    pub ended_reason: Option<String>,
    pub proposed_by: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Assets in scope: (asset id, name), in the order given.
    pub scope: Vec<(i64, String)>,
    pub team: Vec<TeamMember>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamMember {
    pub person_id: i64,
    pub name: String,
    pub email: String,
    /// student or supervisor.
    pub role: String,
}

/// Which engagements to list; every set field narrows.
#[derive(Debug, Clone, Default)]
pub struct EngagementFilter {
    pub government_id: Option<i64>,
    pub partner_id: Option<i64>,
    /// Engagements whose team has this person.
    pub member_id: Option<i64>,
}

/// One acceptance of an engagement's letter.
#[derive(Debug, Clone, PartialEq)]
pub struct Acceptance {
    pub engagement_id: i64,
    pub version: i64,
    pub letter_hash: String,
    pub accepted_by: i64,
    pub accepted_by_name: String,
    pub accepted_at: DateTime<Utc>,
    pub social_engineering_authorised: bool,
}

/// An audit report a firm uploaded on a basic audit (issue 11): a PDF, kept in the database.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditReport {
    pub id: i64,
    pub order_id: i64,
    /// The name the file had, reduced to safe characters.
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    /// The PDF version in the file's header, such as "1.7".
    pub pdf_version: String,
    pub uploaded_by: i64,
    pub at: DateTime<Utc>,
}
