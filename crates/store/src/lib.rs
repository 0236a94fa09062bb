//! The Store seam (docs/ARCHITECTURE.md): one trait, implemented for SQLite and for PostgreSQL,
//! each with its own migrations, chosen at run time from the database URL. Services see only
//! [`Store`] and [`Tx`]; no SQL lives anywhere else.

pub mod audit;
pub mod copy;
mod driver;
mod postgres;
pub mod records;
mod sql;
mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::Money;
use cyberveilig_domain::baseline::ExplanationState;
use cyberveilig_domain::cascade::FrameworkAgreement;
use cyberveilig_domain::ledger::Balances;
use cyberveilig_domain::order::{OrderKind, OrderState};
use cyberveilig_domain::programme::ProgrammeSettings;
use cyberveilig_domain::registry::{EmailAddress, NisCode, OrganisationKind};
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::report::ReportState;
use cyberveilig_domain::source::FindingTool;
use cyberveilig_domain::ssvc::{Decision, MissionWellbeing};
use cyberveilig_domain::steering::SteeringRole;
use cyberveilig_domain::toolkit::UseKind;
use records::*;
use std::sync::Arc;

pub use postgres::PostgresStore;
pub use sqlite::{SqliteStore, backup as backup_sqlite, wait_for_the_database_here};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    /// A read ran past its statement limit and was interrupted: ask for less, or try later.
    #[error("the database took too long to answer and the read was stopped")]
    TooLong,
    /// A statement was given more or fewer values than it has parameters: a defect in the SQL.
    #[error("a statement and its values disagree: {0}")]
    Binding(String),
    #[error("a record with the same key exists already")]
    Duplicate,
    #[error("unsupported database URL '{0}': use sqlite:PATH or postgres://...")]
    UnsupportedUrl(String),
    /// An operator's command that would lose or mix data (a backup over an existing file, a copy
    /// into a database that holds data), refused before anything was written.
    #[error("{0}")]
    Refused(String),
}

impl StoreError {
    /// A read stopped by its statement limit: the database is fine, the question was too big.
    pub fn is_too_long(&self) -> bool {
        match self {
            StoreError::TooLong => true,
            // PostgreSQL's statement_timeout (query_canceled).
            StoreError::Database(sqlx::Error::Database(db)) => db.code().as_deref() == Some("57014"),
            _ => false,
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> StoreError {
        StoreError::Migration(err.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Opens the database a URL names: `sqlite:` (or a plain file path) or `postgres://`.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if is_postgres(url) {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else if let Some(path) = sqlite_path(url) {
        Ok(Arc::new(SqliteStore::open(path).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}

/// Whether a database URL names a PostgreSQL database.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The file a SQLite database URL (`sqlite:PATH`, `sqlite://PATH` or a plain path) names.
pub fn sqlite_path(url: &str) -> Option<&str> {
    match url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        Some(path) => Some(path),
        None if !url.contains("://") => Some(url),
        None => None,
    }
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
    /// Applies the migrations not yet applied.
    async fn migrate(&self) -> Result<()>;
    /// The migrations not yet applied, by description (for a dry run).
    async fn pending_migrations(&self) -> Result<Vec<String>>;
    /// A transaction that may write. Writers that touch a programme lock it first
    /// ([`Tx::lock_programme`]), so concurrent writers to one programme run one after another.
    async fn write(&self) -> Result<Box<dyn Tx>>;
    /// A connection that only reads, statement by statement, outside any transaction; on SQLite
    /// it never waits for a writer.
    async fn read(&self) -> Result<Box<dyn Tx>>;
    async fn close(&self);
    /// From now on every transaction that moves the audit chain's head signs the new head with
    /// `signer` as it commits ([`SecurityTx::audit_signatures`]).
    fn sign_heads_with(&self, signer: Arc<dyn audit::HeadSigner>);
}

/// Remediation (issue 4, items 8 and 9): the findings register with owners, filters and
/// sorting, assets with their findings counted, and the record of a remediation day.
#[async_trait]
pub trait RemediationTx: Send {
    /// The register's findings matching the query, in its order, one page of at most `q.limit`
    /// after `q.after`, and the cursor of the next page if there is one.
    async fn register(&mut self, q: &RegisterQuery) -> Result<RegisterRows>;
    /// The same page as [`RemediationTx::register`], with only the remediation plan's columns.
    async fn plan_lines(&mut self, q: &RegisterQuery) -> Result<PlanLines>;
    /// How many findings match the query (whatever its page): exact from the tallies, or counted
    /// up to `bound`.
    async fn count_register(&mut self, q: &RegisterQuery, bound: i64) -> Result<RegisterCount>;
    /// A government's assets with their findings counted (open, by decision, overdue on `today`).
    async fn asset_summaries(&mut self, government_id: i64, today: NaiveDate) -> Result<Vec<AssetSummary>>;
    async fn set_finding_owner(&mut self, id: i64, owner_id: Option<i64>) -> Result<()>;
    /// Who took the finding's last remediation step (`None`: the platform, or nobody yet).
    async fn set_status_by(&mut self, id: i64, person_id: Option<i64>) -> Result<()>;
    async fn remediation_day(&mut self, order_id: i64) -> Result<Option<RemediationDay>>;
    /// Records, or records anew, a remediation day with its people and actions.
    async fn save_remediation_day(&mut self, day: &RemediationDay) -> Result<()>;
}

/// Coordinated vulnerability disclosure (issue 5, items 1 and 2): drafts and published versions
/// of VVSG's model policy and of each government's policy.
#[async_trait]
pub trait DisclosureTx: Send {
    async fn policy_draft(&mut self, organisation_id: i64) -> Result<Option<PolicyDraft>>;
    /// Saves the organisation's draft, replacing the one it had.
    async fn save_policy_draft(&mut self, draft: &PolicyDraft) -> Result<()>;
    /// Stores a published version; its number must be new for the organisation.
    async fn insert_policy_version(&mut self, version: &PolicyVersion) -> Result<i64>;
    /// The organisation's published versions, newest first.
    async fn policy_versions(&mut self, organisation_id: i64) -> Result<Vec<PolicyVersion>>;
    /// The newest published version of an organisation (its policy in force).
    async fn current_policy(&mut self, organisation_id: i64) -> Result<Option<PolicyVersion>>;
    /// The organisations that published a policy of their own, by id.
    async fn policy_holders(&mut self) -> Result<Vec<i64>>;
    /// The newest published model, whoever published it.
    async fn current_model(&mut self) -> Result<Option<PolicyVersion>>;
    /// The governments' policies in force whose security.txt expires before `before` and whose
    /// government was not reminded yet.
    async fn policies_to_remind(&mut self, before: DateTime<Utc>) -> Result<Vec<PolicyVersion>>;
    /// Records the reminder of a policy version, if none was: whether this call did (of several
    /// servers running the reminder at once, one does).
    async fn mark_policy_reminded(&mut self, id: i64, at: DateTime<Utc>) -> Result<bool>;
}

/// Vulnerability reports (issue 5, items 3 to 6): reports, their thread and attachments,
/// possible duplicates and the acknowledgements.
#[async_trait]
pub trait ReportsTx: Send {
    async fn insert_report(&mut self, report: &Report) -> Result<i64>;
    /// Writes a report's handling: state, outcome, duplicate, dates, finding, coordinator, reminders.
    async fn update_report(&mut self, report: &Report) -> Result<()>;
    async fn report(&mut self, id: i64) -> Result<Option<Report>>;
    /// Sets the reminders sent for a report from `was` to `now`, if it is still in `state` with
    /// `was`: whether this call did (of several servers reminding at once, one does), and only
    /// that column, so a handling written meanwhile is not overwritten.
    async fn claim_report_reminder(&mut self, id: i64, state: ReportState, was: &str, now: &str) -> Result<bool>;
    /// The report whose follow link's token hashes to `hash`.
    async fn report_by_follow_hash(&mut self, hash: &str) -> Result<Option<Report>>;
    /// The report that became this finding.
    async fn report_by_finding(&mut self, finding_id: i64) -> Result<Option<Report>>;
    /// Reports matching the filter, newest first.
    async fn reports(&mut self, filter: &ReportFilter) -> Result<Vec<Report>>;
    /// The government's other reports with the same duplicate key.
    async fn possible_duplicates(&mut self, government_id: i64, key: &str, except_id: i64) -> Result<Vec<Report>>;
    async fn insert_report_message(&mut self, message: &ReportMessage) -> Result<i64>;
    /// A report's thread, oldest first.
    async fn report_messages(&mut self, report_id: i64) -> Result<Vec<ReportMessage>>;
    async fn insert_report_attachment(&mut self, info: &AttachmentInfo, content: &[u8]) -> Result<i64>;
    async fn report_attachments(&mut self, report_id: i64) -> Result<Vec<AttachmentInfo>>;
    async fn report_attachment(&mut self, report_id: i64, id: i64) -> Result<Option<(AttachmentInfo, Vec<u8>)>>;
    /// R6: reporters who consented to credit for a valid report that was fixed, of one government
    /// or all.
    async fn credits(&mut self, government_id: Option<i64>) -> Result<Vec<Credit>>;
}

/// Engagements (issue 5, item 7: the Howest track): engagements with their scope and team, the
/// acceptances of their letters, their findings, and the governments' signatories.
#[async_trait]
pub trait EngagementsTx: Send {
    /// Inserts an engagement with its scope and team; its id.
    async fn insert_engagement(&mut self, e: &Engagement) -> Result<i64>;
    /// Saves an engagement's fields, scope and team.
    async fn update_engagement(&mut self, e: &Engagement) -> Result<()>;
    async fn engagement(&mut self, id: i64) -> Result<Option<Engagement>>;
    /// Engagements matching the filter, newest first.
    async fn engagements(&mut self, filter: &EngagementFilter) -> Result<Vec<Engagement>>;
    async fn insert_acceptance(&mut self, a: &Acceptance) -> Result<()>;
    /// An engagement's acceptances, oldest first.
    async fn acceptances(&mut self, engagement_id: i64) -> Result<Vec<Acceptance>>;
    async fn link_engagement_finding(&mut self, engagement_id: i64, finding_id: i64, by: i64, at: DateTime<Utc>) -> Result<()>;
    /// An engagement's findings, newest first.
    async fn engagement_findings(&mut self, engagement_id: i64) -> Result<Vec<StoredFinding>>;
    async fn is_signatory(&mut self, person_id: i64) -> Result<bool>;
    async fn set_signatory(&mut self, person_id: i64, signatory: bool, by: Option<i64>, at: DateTime<Utc>) -> Result<()>;
}

/// Awareness events (issue 13, VVSG's work package 3): events, registrations with their waiting
/// list, attendance, reminders, and people's calendar feeds.
#[async_trait]
pub trait AwarenessTx: Send {
    async fn insert_awareness_event(&mut self, event: &AwarenessEvent) -> Result<i64>;
    async fn update_awareness_event(&mut self, event: &AwarenessEvent) -> Result<()>;
    async fn awareness_event(&mut self, id: i64) -> Result<Option<AwarenessEvent>>;
    /// The event, locked for the rest of the transaction: registrations for one event are
    /// decided one at a time, on every server.
    async fn lock_awareness_event(&mut self, id: i64) -> Result<Option<AwarenessEvent>>;
    /// A page of events with their counts, soonest first (keyset on start and id).
    async fn awareness_events(&mut self, filter: &AwarenessEventFilter) -> Result<Vec<AwarenessEventCounts>>;
    async fn awareness_event_counts(&mut self, id: i64) -> Result<Option<AwarenessEventCounts>>;
    async fn registration(&mut self, event_id: i64, person_id: i64) -> Result<Option<Registration>>;
    /// An event's registrations (cancelled ones too), in the order of arrival.
    async fn registrants(&mut self, event_id: i64) -> Result<Vec<Registrant>>;
    /// Inserts a registration, or replaces a cancelled one of the same person; its id.
    async fn save_registration(&mut self, registration: &Registration) -> Result<i64>;
    /// The next position in an event's order of arrival.
    async fn next_registration_position(&mut self, event_id: i64) -> Result<i64>;
    /// The first `limit` of an event's waiting list, in order.
    async fn waiting_list(&mut self, event_id: i64, limit: i64) -> Result<Vec<Registrant>>;
    /// A person's registrations that are not cancelled, with their events, soonest first.
    async fn person_registrations(&mut self, person_id: i64) -> Result<Vec<(Registration, AwarenessEvent)>>;
    /// Registrations with a place, not yet reminded, of events starting in [from, until).
    async fn reminders_due(&mut self, from: DateTime<Utc>, until: DateTime<Utc>, limit: i64) -> Result<Vec<Registrant>>;
    /// Marks a registration reminded if no one did it first (several servers run the job).
    async fn mark_reminded(&mut self, registration_id: i64, at: DateTime<Utc>) -> Result<bool>;
    /// Every organisation's attendance at events that are not cancelled, by event start.
    async fn attendances(&mut self) -> Result<Vec<Attendance>>;
    async fn set_calendar_feed(&mut self, person_id: i64, token_hash: &str, at: DateTime<Utc>) -> Result<()>;
    async fn remove_calendar_feed(&mut self, person_id: i64) -> Result<bool>;
    async fn has_calendar_feed(&mut self, person_id: i64) -> Result<bool>;
    async fn calendar_feed_person(&mut self, token_hash: &str) -> Result<Option<i64>>;
}

/// The steering group of VVSG's action plan (issue 13, part 4): its members, meetings with their
/// agenda, minutes and numbered decisions, and action items.
#[async_trait]
pub trait SteeringTx: Send {
    /// The current members (who have not left), chair first, then by name.
    async fn steering_members(&mut self) -> Result<Vec<SteeringMember>>;
    /// A person's membership, current or past.
    async fn steering_member_of(&mut self, person_id: i64) -> Result<Option<SteeringMember>>;
    async fn steering_member(&mut self, id: i64) -> Result<Option<SteeringMember>>;
    /// Makes a person a member in a role (again, if they had left); the member's id.
    async fn save_steering_member(&mut self, person_id: i64, organisation_id: i64, role: SteeringRole, at: DateTime<Utc>) -> Result<i64>;
    /// Marks a member as having left; whether they were a member.
    async fn remove_steering_member(&mut self, person_id: i64, at: DateTime<Utc>) -> Result<bool>;
    async fn insert_steering_meeting(&mut self, meeting: &SteeringMeeting) -> Result<i64>;
    async fn update_steering_meeting(&mut self, meeting: &SteeringMeeting) -> Result<()>;
    async fn steering_meeting(&mut self, id: i64) -> Result<Option<SteeringMeeting>>;
    /// The meeting, locked for the rest of the transaction (its decisions' numbers, its minutes).
    async fn lock_steering_meeting(&mut self, id: i64) -> Result<Option<SteeringMeeting>>;
    /// A page of meetings, the latest first (keyset on start and id, before `before`).
    async fn steering_meetings(&mut self, before: Option<(DateTime<Utc>, i64)>, limit: i64) -> Result<Vec<SteeringMeeting>>;
    /// The first meeting after the given one.
    async fn next_steering_meeting(&mut self, starts_at: DateTime<Utc>, id: i64) -> Result<Option<SteeringMeeting>>;
    async fn steering_agenda(&mut self, meeting_id: i64) -> Result<Vec<String>>;
    async fn set_steering_agenda(&mut self, meeting_id: i64, items: &[String]) -> Result<()>;
    async fn steering_decisions(&mut self, meeting_id: i64) -> Result<Vec<SteeringDecision>>;
    async fn insert_steering_decision(&mut self, decision: &SteeringDecision) -> Result<()>;
    /// A meeting's action items, or (`None`) every meeting's, in the order they were given.
    async fn steering_action_items(&mut self, meeting_id: Option<i64>) -> Result<Vec<SteeringActionItem>>;
    async fn steering_action_item(&mut self, id: i64) -> Result<Option<SteeringActionItem>>;
    async fn insert_steering_action_item(&mut self, item: &SteeringActionItem) -> Result<i64>;
    async fn update_steering_action_item(&mut self, item: &SteeringActionItem) -> Result<()>;
    async fn insert_steering_document(&mut self, document: &SteeringDocument, content: &[u8]) -> Result<i64>;
    /// A meeting's documents, in the order they were attached.
    async fn steering_documents(&mut self, meeting_id: i64) -> Result<Vec<SteeringDocument>>;
    async fn steering_document(&mut self, id: i64) -> Result<Option<(SteeringDocument, Vec<u8>)>>;
}

/// VVSG's project grant (issue 13, part 1): deliverables, the action plan, cost claims paid on
/// the grant's ledger, and progress reports per half-year.
#[async_trait]
pub trait GrantTx: Send {
    /// The grant, locked for the rest of the transaction: claims on one grant are approved and
    /// paid one at a time, on every server.
    async fn lock_grant(&mut self, id: i64) -> Result<Option<ProjectGrant>>;
    async fn grant(&mut self, id: i64) -> Result<Option<ProjectGrant>>;
    /// Stores the grant's work packages as they now are (their budgets).
    async fn set_work_packages(&mut self, grant_id: i64, packages: &[WorkPackage]) -> Result<()>;
    /// The balances after the grant's latest posting.
    async fn grant_balances(&mut self, grant_id: i64) -> Result<Balances>;
    /// The balances summed over every posting, to check the running balances against.
    async fn grant_balances_from_postings(&mut self, grant_id: i64) -> Result<Balances>;
    async fn insert_grant_posting(&mut self, posting: &GrantPosting) -> Result<i64>;
    async fn insert_deliverable(&mut self, d: &Deliverable) -> Result<i64>;
    async fn update_deliverable(&mut self, d: &Deliverable) -> Result<()>;
    async fn deliverable(&mut self, id: i64) -> Result<Option<Deliverable>>;
    /// A grant's deliverables by work package and planned date.
    async fn deliverables(&mut self, grant_id: i64) -> Result<Vec<Deliverable>>;
    async fn insert_plan_item(&mut self, item: &PlanItem) -> Result<i64>;
    async fn update_plan_item(&mut self, item: &PlanItem) -> Result<()>;
    async fn plan_item(&mut self, id: i64) -> Result<Option<PlanItem>>;
    /// A grant's action plan by due date.
    async fn plan_items(&mut self, grant_id: i64) -> Result<Vec<PlanItem>>;
    async fn insert_claim(&mut self, claim: &CostClaim, document: &[u8]) -> Result<i64>;
    async fn update_claim(&mut self, claim: &CostClaim) -> Result<()>;
    async fn claim(&mut self, id: i64) -> Result<Option<CostClaim>>;
    async fn claim_document(&mut self, id: i64) -> Result<Option<Vec<u8>>>;
    /// A page of a grant's claims, newest first.
    async fn claims(&mut self, filter: &ClaimFilter) -> Result<Vec<CostClaim>>;
    /// Claimed, approved, paid and rejected per work package.
    async fn claim_sums(&mut self, grant_id: i64) -> Result<Vec<PackageSums>>;
    /// Inserts a report; `None` when the half-year already has one.
    async fn insert_progress_report(&mut self, report: &ProgressReport) -> Result<Option<i64>>;
    async fn update_progress_report(&mut self, report: &ProgressReport) -> Result<()>;
    async fn progress_report(&mut self, id: i64) -> Result<Option<ProgressReport>>;
    async fn progress_reports(&mut self, grant_id: i64) -> Result<Vec<ProgressReport>>;
}

/// VVSG's toolkit (issue 13, part 2): items with their versions, search, use by governments,
/// checklists and exercises, and the items an event hands out.
#[async_trait]
pub trait ToolkitTx: Send {
    /// Inserts an item; `None` when its slug is taken.
    async fn insert_toolkit_item(&mut self, item: &ToolkitItem) -> Result<Option<i64>>;
    async fn update_toolkit_item(&mut self, item: &ToolkitItem) -> Result<()>;
    async fn toolkit_item(&mut self, id: i64) -> Result<Option<ToolkitItem>>;
    async fn toolkit_item_by_slug(&mut self, slug: &str) -> Result<Option<ToolkitItem>>;
    /// The item, locked for the rest of the transaction (its versions' states).
    async fn lock_toolkit_item(&mut self, id: i64) -> Result<Option<ToolkitItem>>;
    async fn insert_toolkit_version(&mut self, version: &ToolkitVersion) -> Result<i64>;
    async fn update_toolkit_version(&mut self, version: &ToolkitVersion) -> Result<()>;
    async fn toolkit_version(&mut self, id: i64) -> Result<Option<ToolkitVersion>>;
    /// An item's versions, the latest first.
    async fn toolkit_versions(&mut self, item_id: i64) -> Result<Vec<ToolkitVersion>>;
    /// A page of the library, by id.
    async fn toolkit_entries(&mut self, filter: &ToolkitFilter) -> Result<Vec<ToolkitEntry>>;
    /// The published items that match, the best first.
    async fn search_toolkit(&mut self, search: &ToolkitSearch) -> Result<Vec<ToolkitEntry>>;
    /// What search compares for an item: its published version's stemmed words, and those of
    /// its title, summary and tags (`head`, what matches rank by).
    async fn set_toolkit_terms(&mut self, item_id: i64, terms: &str, head: &str) -> Result<()>;
    /// Counts one use of an item by an organisation.
    async fn record_toolkit_use(&mut self, item_id: i64, organisation_id: i64, kind: UseKind, at: DateTime<Utc>) -> Result<()>;
    /// An item's use per organisation, or (`None`) one organisation's use of every item.
    async fn toolkit_use(&mut self, item_id: Option<i64>, organisation_id: Option<i64>) -> Result<Vec<UseCount>>;
    /// Per item: how many organisations opened, downloaded and completed it.
    async fn toolkit_use_totals(&mut self) -> Result<Vec<UseTotals>>;
    async fn checklist_ticks(&mut self, item_id: i64, organisation_id: i64, version_id: i64) -> Result<Vec<ChecklistTick>>;
    async fn set_checklist_tick(&mut self, tick: &ChecklistTick) -> Result<()>;
    async fn clear_checklist_tick(&mut self, item_id: i64, organisation_id: i64, version_id: i64, step: i64) -> Result<()>;
    async fn insert_exercise(&mut self, exercise: &Exercise) -> Result<i64>;
    async fn exercise(&mut self, id: i64) -> Result<Option<Exercise>>;
    /// An organisation's exercises, the latest first.
    async fn exercises(&mut self, organisation_id: i64) -> Result<Vec<Exercise>>;
    async fn set_exercise_finding(&mut self, exercise_id: i64, position: i64, finding_id: i64) -> Result<()>;
    async fn insert_toolkit_file(&mut self, file: &ToolkitFile, content: &[u8]) -> Result<i64>;
    /// A version's files, in the order they were attached.
    async fn toolkit_files(&mut self, version_id: i64) -> Result<Vec<ToolkitFile>>;
    async fn toolkit_file(&mut self, id: i64) -> Result<Option<(ToolkitFile, Vec<u8>)>>;
    /// Gives a new version the files of the version it follows.
    async fn copy_toolkit_files(&mut self, from_version: i64, to_version: i64) -> Result<()>;
    async fn set_event_materials(&mut self, event_id: i64, item_ids: &[i64]) -> Result<()>;
    async fn event_materials(&mut self, event_id: i64) -> Result<Vec<i64>>;
}

/// What an attacker and a crash found (issue 10): rate limits every server shares, idempotency
/// keys kept with the work they answer, and the signatures of the audit chain's head.
#[async_trait]
pub trait SecurityTx: Send {
    /// The state of a rate limit ([`cyberveilig_domain::throttle`]) for a scope and key.
    async fn rate_limit(&mut self, scope: &str, key: &str) -> Result<Option<i64>>;
    /// Sets a rate limit's state if it still is `old` (compare and swap): false when another
    /// transaction changed it first.
    async fn swap_rate_limit(&mut self, scope: &str, key: &str, old: Option<i64>, new: i64) -> Result<bool>;
    /// Forgets the limits of one scope whose state is below `below`; how many.
    async fn forget_rate_limits(&mut self, scope: &str, below: i64) -> Result<u64>;

    /// What an earlier request with this key left, if any.
    async fn idempotent_answer(&mut self, person_id: i64, key: &str) -> Result<Option<IdempotentAnswer>>;
    /// Claims a key for a request, in the transaction of its work; false when the key is taken.
    async fn claim_idempotency_key(&mut self, person_id: i64, key: &str, request_hash: &str, at: DateTime<Utc>) -> Result<bool>;
    /// The answer of a claimed key's request.
    async fn record_idempotent_answer(&mut self, person_id: i64, key: &str, status: u16, body: &str) -> Result<()>;
    /// Forgets keys made before `before`; how many.
    async fn forget_idempotency_keys(&mut self, before: DateTime<Utc>) -> Result<u64>;

    /// The head this transaction moved the audit chain to and has not committed yet.
    fn pending_chain_head(&self) -> Option<(i64, String)>;
    /// Signatures of the chain's head after `after_seq`, oldest first.
    async fn audit_signatures(&mut self, after_seq: i64, limit: i64) -> Result<Vec<AuditSignature>>;
    /// The newest signature, if any.
    async fn latest_audit_signature(&mut self) -> Result<Option<AuditSignature>>;
    async fn insert_audit_signature(&mut self, signature: &AuditSignature) -> Result<()>;
}

/// Audit reports (issue 11): the PDF a firm uploads on a basic audit, every upload kept.
#[async_trait]
pub trait AuditReportsTx: Send {
    /// Stores an uploaded report with its content; its id.
    async fn insert_audit_report(&mut self, report: &AuditReport, content: &[u8]) -> Result<i64>;
    /// An order's reports, newest first (without their content).
    async fn audit_reports(&mut self, order_id: i64) -> Result<Vec<AuditReport>>;
    /// One of an order's reports with its content.
    async fn audit_report(&mut self, order_id: i64, id: i64) -> Result<Option<(AuditReport, Vec<u8>)>>;
}

/// The figures as at a day (issue 14): the dated history the dashboards and the answer to
/// Parliament are counted from. Every method reads what happened before `until` (the start of
/// the day after the one asked about).
#[async_trait]
pub trait FiguresTx: Send {
    /// The programme's orders submitted before `until`, by id.
    async fn order_facts(&mut self, programme_id: i64, until: DateTime<Utc>) -> Result<Vec<OrderFact>>;
    /// The audit log's entries about the programme's orders before `until`, in the order written.
    async fn order_events(&mut self, programme_id: i64, until: DateTime<Utc>) -> Result<Vec<DatedEvent>>;
    /// The entries about subjects of one type (`engagement`, ...) before `until`, in the order written.
    async fn subject_events(&mut self, subject_type: &str, until: DateTime<Utc>) -> Result<Vec<DatedEvent>>;
    /// The programme's balances after each posting before `until`, in the order posted.
    async fn postings_until(&mut self, programme_id: i64, until: DateTime<Utc>) -> Result<Vec<(DateTime<Utc>, Balances)>>;
    /// What was paid to each order before `until`: order, when, amount (money moved to `paid`).
    async fn payments_until(&mut self, programme_id: i64, until: DateTime<Utc>) -> Result<Vec<(i64, DateTime<Utc>, Money)>>;
    /// A grant's balances after its last posting before `until`.
    async fn grant_balances_until(&mut self, grant_id: i64, until: DateTime<Utc>) -> Result<Balances>;
    /// Findings first seen before `until` (of one government, or all), counted by their SSVC
    /// decision (`None`: not decided).
    async fn findings_by_decision(&mut self, until: DateTime<Utc>, government: Option<i64>) -> Result<Vec<(Option<Decision>, i64)>>;
    /// Every change of a finding's status before `until` (of one government, or all), in the order written.
    async fn finding_changes(&mut self, until: DateTime<Utc>, government: Option<i64>) -> Result<Vec<FindingChange>>;
    /// The answer times of the vulnerability reports received before `until` (by one government, or all).
    async fn report_times(&mut self, until: DateTime<Utc>, government: Option<i64>) -> Result<Vec<ReportTimes>>;
}

/// The continuous baseline scan (issue 16), a capability of every [`Tx`].
#[async_trait]
pub trait BaselineTx: Send {
    /// Registers an asset of the government for the weekly scan, or takes it off.
    async fn set_baseline_system(&mut self, asset_id: i64, scanned: bool) -> Result<()>;
    /// The government's registered systems, by name.
    async fn baseline_systems(&mut self, government_id: i64) -> Result<Vec<BaselineSystem>>;
    async fn set_baseline_paused(&mut self, government_id: i64, paused: bool) -> Result<()>;
    async fn baseline_paused(&mut self, government_id: i64) -> Result<bool>;
    /// Queues a scan; `None` when one waits or runs for the system already.
    async fn queue_baseline_scan(&mut self, scan: &NewScan) -> Result<Option<i64>>;
    /// Queues a scheduled scan for up to `limit` registered systems of governments not paused
    /// that were never scanned or last scanned at or before `due_by`; how many were queued.
    async fn queue_due_baseline_scans(&mut self, due_by: DateTime<Utc>, at: DateTime<Utc>, limit: i64) -> Result<u64>;
    /// Scans that may be claimed at `now`, oldest first: queued ones and running ones whose
    /// claim ran out (their server stopped), of governments not paused.
    async fn claimable_baseline_scans(&mut self, now: DateTime<Utc>, limit: i64) -> Result<Vec<BaselineScan>>;
    /// Claims a scan for `holder` until `until`; `None` when another holder has it.
    async fn claim_baseline_scan(
        &mut self,
        id: i64,
        holder: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<BaselineScan>>;
    /// A claimed scan is done: its counts, when it finished, and the moment it judged at. `false`
    /// when the claim was lost to another holder meanwhile.
    async fn finish_baseline_scan(
        &mut self,
        id: i64,
        holder: &str,
        counts: VerdictCounts,
        judged_at: DateTime<Utc>,
        finished_at: DateTime<Utc>,
    ) -> Result<bool>;
    async fn baseline_scan(&mut self, id: i64) -> Result<Option<BaselineScan>>;
    /// The government's latest scans, newest first.
    async fn baseline_scans(&mut self, government_id: i64, limit: i64) -> Result<Vec<BaselineScan>>;
    /// Replaces a system's verdicts with those of its latest scan.
    async fn replace_check_results(&mut self, asset_id: i64, results: &[CheckResult]) -> Result<()>;
    /// The government's latest verdicts, by check and subject (at most `limit`).
    async fn check_results(&mut self, government_id: i64, limit: i64) -> Result<Vec<CheckResult>>;
    /// Proposes (again) an explanation for a check on a subject; its id.
    async fn propose_explanation(&mut self, e: &Explanation) -> Result<i64>;
    async fn explanation(&mut self, id: i64) -> Result<Option<Explanation>>;
    /// A government's explanations, or (`None`) every government's in one state, oldest first.
    async fn explanations(&mut self, government_id: Option<i64>, state: Option<ExplanationState>, limit: i64) -> Result<Vec<Explanation>>;
    async fn decide_explanation(&mut self, e: &Explanation) -> Result<()>;
    /// Records scores: each in the history, and as the government's current one in its category.
    async fn record_scores(&mut self, points: &[ScorePoint]) -> Result<()>;
    /// A government's scores since `since`, oldest first (at most `limit`).
    async fn score_history(&mut self, government_id: i64, since: DateTime<Utc>, limit: i64) -> Result<Vec<ScorePoint>>;
    /// Governments with registered systems, after `after_id`, by id, with their current scores.
    async fn baseline_overview(&mut self, after_id: i64, limit: i64) -> Result<Vec<GovernmentBaseline>>;
    async fn baseline_public(&mut self) -> Result<bool>;
    async fn set_baseline_public(&mut self, public: bool, by: i64, at: DateTime<Utc>) -> Result<()>;
    /// A baseline finding seen failing again: its last sighting, evidence, severity and priority;
    /// open again when `reopen` (it was fixed).
    async fn baseline_sighting(&mut self, s: &BaselineSighting) -> Result<()>;
}

/// Everything the services can ask of the database, inside one transaction. Dropping a `Tx`
/// without [`Tx::commit`] rolls it back.
#[async_trait]
pub trait Tx:
    RegistryTx
    + OutboxTx
    + ProgrammeTx
    + OrdersTx
    + LedgerTx
    + AuditLogTx
    + FindingsTx
    + RemediationTx
    + AssessmentTx
    + DisclosureTx
    + ReportsTx
    + EngagementsTx
    + SecurityTx
    + AuditReportsTx
    + AwarenessTx
    + SteeringTx
    + GrantTx
    + ToolkitTx
    + FiguresTx
    + BaselineTx
    + Send
{
    async fn commit(self: Box<Self>) -> Result<()>;
    /// A large write follows (an import): keep more of the database in memory until the
    /// transaction ends.
    async fn expect_bulk_write(&mut self) -> Result<()>;
}

/// The registry: organisations, people, their tokens, sessions and second factors, invitations and password resets. A capability of every [`Tx`].
#[async_trait]
pub trait RegistryTx: Send {
    async fn insert_organisation(&mut self, org: &NewOrganisation) -> Result<i64>;
    async fn organisation(&mut self, id: i64) -> Result<Option<Organisation>>;
    async fn organisation_by_nis(&mut self, nis: &NisCode) -> Result<Option<Organisation>>;
    async fn organisation_by_name(&mut self, kind: OrganisationKind, name: &str) -> Result<Option<Organisation>>;
    async fn organisations(&mut self, filter: &OrganisationFilter) -> Result<Vec<Organisation>>;
    async fn count_organisations(&mut self) -> Result<i64>;
    async fn insert_person(&mut self, person: &NewPerson) -> Result<i64>;
    async fn person(&mut self, id: i64) -> Result<Option<Person>>;
    async fn person_by_email(&mut self, email: &EmailAddress) -> Result<Option<Person>>;
    /// A bearer token; `name` is set for the tokens people make for their machine clients.
    async fn insert_token(
        &mut self,
        token_hash: &str,
        person_id: i64,
        name: Option<&str>,
        at: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<()>;
    /// A person's named API tokens, newest first.
    async fn api_tokens_of(&mut self, person_id: i64) -> Result<Vec<ApiTokenInfo>>;
    /// Revokes one of a person's tokens by its [`ApiTokenInfo::id`].
    async fn revoke_token_of(&mut self, person_id: i64, id: &str, at: DateTime<Utc>) -> Result<bool>;
    /// The person a token belongs to, if it exists, is not revoked and has not expired at `now`.
    async fn person_by_token(&mut self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Person>>;
    async fn revoke_token(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<bool>;
    /// A session; one with `second_factor_pending` only lets its holder enter a TOTP code.
    async fn insert_session(&mut self, session: &NewSession<'_>) -> Result<()>;
    /// The person, CSRF token and whether the second factor is still to come, of a live session.
    async fn session(&mut self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<(Person, String, bool)>>;
    async fn revoke_session(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<()>;
    /// Ends every session and token of a person ("sign out everywhere").
    async fn revoke_all_sessions(&mut self, person_id: i64, at: DateTime<Utc>) -> Result<u64>;
    async fn set_password(&mut self, person_id: i64, password_hash: &str) -> Result<()>;
    async fn set_language(&mut self, person_id: i64, language: &str) -> Result<()>;
    /// The people of one organisation, or everybody, by name.
    async fn people(&mut self, organisation_id: Option<i64>) -> Result<Vec<Person>>;
    async fn totp(&mut self, person_id: i64) -> Result<TotpState>;
    async fn set_totp(&mut self, person_id: i64, state: &TotpState) -> Result<()>;
    /// Replaces a person's recovery codes (stored hashed).
    async fn replace_recovery_codes(&mut self, person_id: i64, code_hashes: &[String]) -> Result<()>;
    /// Uses up a recovery code; false if it is unknown or used.
    async fn use_recovery_code(&mut self, person_id: i64, code_hash: &str, at: DateTime<Utc>) -> Result<bool>;
    async fn unused_recovery_codes(&mut self, person_id: i64) -> Result<i64>;

    async fn insert_invitation(&mut self, invitation: &Invitation) -> Result<()>;
    async fn invitation(&mut self, token_hash: &str) -> Result<Option<Invitation>>;
    /// Marks an open invitation accepted; false if it was accepted already.
    async fn accept_invitation(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<bool>;
    /// Invitations to one organisation, or all, newest first.
    async fn invitations(&mut self, organisation_id: Option<i64>) -> Result<Vec<Invitation>>;
    async fn insert_password_reset(&mut self, token_hash: &str, person_id: i64, at: DateTime<Utc>, expires: DateTime<Utc>) -> Result<()>;
    /// Uses up a live reset token: the person it resets, or `None`; SEC-7: the person's other
    /// reset links end with it.
    async fn use_password_reset(&mut self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<i64>>;
}

/// The outbox of mail. A capability of every [`Tx`].
#[async_trait]
pub trait OutboxTx: Send {
    async fn insert_mail(&mut self, mail: &NewMail, at: DateTime<Utc>) -> Result<i64>;
    /// The outbox, newest first.
    async fn mails(&mut self, limit: i64) -> Result<Vec<Mail>>;
    /// Mail not yet sent, oldest first, that has failed fewer than `max_attempts` times and that
    /// no server holds a claim on at `now`.
    async fn unsent_mails(&mut self, max_attempts: i64, now: DateTime<Utc>, limit: i64) -> Result<Vec<Mail>>;
    /// Claims one mail for `holder` until `until`, if it is still unsent, below `max_attempts`,
    /// and unclaimed or its claim ran out before `now`: one conditional UPDATE, so of several
    /// servers claiming at once exactly one gets it. `None` when another has it (or it went out).
    async fn claim_mail(
        &mut self,
        id: i64,
        holder: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        max_attempts: i64,
    ) -> Result<Option<Mail>>;
    /// The mail went out: sent, and the claim released.
    async fn mail_sent(&mut self, id: i64, at: DateTime<Utc>) -> Result<()>;
    /// The mail did not go out: one attempt more, the error kept, and the claim released.
    async fn mail_failed(&mut self, id: i64, error: &str) -> Result<()>;
}

/// Programmes, their amendments, the VVSG project grant and the framework agreements. A capability of every [`Tx`].
#[async_trait]
pub trait ProgrammeTx: Send {
    async fn insert_programme(&mut self, name: &str, settings: &ProgrammeSettings, at: DateTime<Utc>) -> Result<i64>;
    async fn update_programme_settings(&mut self, id: i64, settings: &ProgrammeSettings) -> Result<()>;
    async fn programme(&mut self, id: i64) -> Result<Option<Programme>>;
    /// Reads the programme and locks it until the transaction ends.
    async fn lock_programme(&mut self, id: i64) -> Result<Option<Programme>>;
    async fn programmes(&mut self) -> Result<Vec<Programme>>;
    async fn insert_amendment(
        &mut self,
        programme_id: i64,
        summary: &serde_json::Value,
        reason: &str,
        decided_by: i64,
        at: DateTime<Utc>,
    ) -> Result<i64>;
    async fn amendments(&mut self, programme_id: i64) -> Result<Vec<Amendment>>;
    async fn insert_grant(&mut self, grant: &ProjectGrant) -> Result<i64>;
    async fn grants(&mut self) -> Result<Vec<ProjectGrant>>;

    // Framework agreements.
    async fn insert_agreement(&mut self, agreement: &FrameworkAgreement) -> Result<i64>;
    async fn agreements(&mut self) -> Result<Vec<FrameworkAgreement>>;
    async fn set_agreement_active(&mut self, id: i64, active: bool) -> Result<()>;
}

/// Orders. A capability of every [`Tx`].
#[async_trait]
pub trait OrdersTx: Send {
    async fn insert_order(&mut self, order: &Order) -> Result<i64>;
    async fn update_order(&mut self, order: &Order) -> Result<()>;
    async fn order(&mut self, id: i64) -> Result<Option<Order>>;
    /// Orders matching the filter, by id, after `filter.after_id`.
    async fn orders(&mut self, filter: &OrderFilter) -> Result<Vec<Order>>;
    async fn order_counts(&mut self, programme_id: i64) -> Result<Vec<(OrderKind, OrderState, i64)>>;
    /// How many of the programme's orders are in one state (an index range, however many orders).
    async fn count_in_state(&mut self, programme_id: i64, state: OrderState) -> Result<i64>;
    /// Per government that ordered: its basic audits and its additional work that still count
    /// (not cancelled, not unplaceable).
    async fn orders_by_government(&mut self, programme_id: i64) -> Result<Vec<(i64, i64, i64)>>;
    /// D3: whether the government has a basic audit that still counts in the programme.
    async fn has_basic_audit(&mut self, programme_id: i64, government_id: i64) -> Result<bool>;
    /// D8: the programme's waiting list, first come first served.
    async fn waitlist(&mut self, programme_id: i64) -> Result<Vec<Order>>;
    async fn orders_awaiting_agreement(&mut self, agreement_id: i64) -> Result<Vec<Order>>;
    /// The earliest response-due date of any open offer.
    async fn earliest_response_due(&mut self) -> Result<Option<NaiveDate>>;
    /// Open offers whose response term ended before `date`.
    async fn offers_due_before(&mut self, date: NaiveDate) -> Result<Vec<Order>>;
}

/// The programme's ledger of credit. A capability of every [`Tx`].
#[async_trait]
pub trait LedgerTx: Send {
    /// The balances after the programme's latest posting.
    async fn balances(&mut self, programme_id: i64) -> Result<Balances>;
    /// The balances summed over every posting, to check the running balances against.
    async fn balances_from_postings(&mut self, programme_id: i64) -> Result<Balances>;
    /// The sum of what the programme's orders say they hold reserved.
    async fn order_reservations(&mut self, programme_id: i64) -> Result<i64>;
    async fn insert_posting(&mut self, posting: &Posting) -> Result<i64>;
}

/// The audit log: events in a hash chain. A capability of every [`Tx`].
#[async_trait]
pub trait AuditLogTx: Send {
    /// Appends an event at the head of the hash chain, which stays locked until commit, when the
    /// new head is written.
    async fn append_event(&mut self, event: &NewEvent) -> Result<Event>;
    async fn events_of(&mut self, subject_type: &str, subject_id: i64) -> Result<Vec<Event>>;
    async fn events_after(&mut self, after_seq: i64, limit: i64) -> Result<Vec<Event>>;
    async fn chain_head(&mut self) -> Result<(i64, String)>;
}

/// Audit results: assets, imports, findings and the threat intelligence that prioritises them. A capability of every [`Tx`].
#[async_trait]
pub trait FindingsTx: Send {
    /// Registers an asset, or completes the one with the same kind and name.
    async fn upsert_asset(&mut self, asset: &NewAsset) -> Result<i64>;
    async fn assets(&mut self, government_id: i64) -> Result<Vec<Asset>>;
    async fn asset(&mut self, id: i64) -> Result<Option<Asset>>;
    async fn set_asset_criticality(&mut self, id: i64, criticality: MissionWellbeing) -> Result<()>;
    async fn insert_import(&mut self, import: &Import) -> Result<i64>;
    /// What the import found once the whole report was read: its format and counts.
    async fn finish_import(&mut self, import: &Import) -> Result<()>;
    async fn imports_of(&mut self, order_id: i64) -> Result<Vec<Import>>;
    /// The finding a government has with this fingerprint.
    async fn finding_by_fingerprint(&mut self, government_id: i64, fingerprint: &str) -> Result<Option<KnownFinding>>;
    async fn insert_finding(&mut self, finding: &StoredFinding) -> Result<i64>;
    /// The findings a government has with any of these fingerprints.
    async fn known_findings(&mut self, government_id: i64, fingerprints: &[String]) -> Result<Vec<KnownFinding>>;
    /// Inserts new findings, in order; one whose fingerprint the government already has is left
    /// out.
    async fn insert_findings(&mut self, findings: &[StoredFinding]) -> Result<()>;
    /// Findings reported again, each at most once: their last sighting, evidence, severity, CVEs
    /// and priority.
    async fn findings_seen_again(&mut self, sightings: &[Sighting]) -> Result<()>;
    /// Open findings of one order and tool that an import did not report again become fixed.
    async fn fix_unreported(&mut self, order_id: i64, tool: FindingTool, import_id: i64) -> Result<u64>;
    async fn finding(&mut self, id: i64) -> Result<Option<StoredFinding>>;
    /// A remediation step: the new status, with its reason and (for an accepted risk) end date.
    async fn set_finding_status(&mut self, id: i64, status: FindingStatus, reason: Option<&str>, until: Option<NaiveDate>) -> Result<()>;
    /// Accepted risks whose end date passed before `today` become open again; their ids.
    async fn reopen_expired_acceptances(&mut self, today: NaiveDate) -> Result<Vec<i64>>;
    async fn set_finding_priority(&mut self, id: i64, decision: Decision, due_on: NaiveDate) -> Result<()>;
    /// Replaces CISA's Known Exploited Vulnerabilities catalogue.
    async fn replace_kev(&mut self, entries: &[KevEntry]) -> Result<()>;
    /// Replaces FIRST's EPSS scores.
    async fn replace_epss(&mut self, entries: &[EpssEntry]) -> Result<()>;
    /// Whether a CVE is in the KEV catalogue, and its EPSS score.
    async fn threat_of(&mut self, cve: &str) -> Result<(bool, Option<f64>)>;
    /// Findings in priority order: SSVC decision, severity, CVSS score, first seen.
    async fn findings(&mut self, filter: &FindingFilter) -> Result<Vec<StoredFinding>>;
}

/// Control catalogues and assessments (issue 4, items 2 and 3), a capability of every [`Tx`].
#[async_trait]
pub trait AssessmentTx: Send {
    /// Stores a catalogue with its areas and controls; [`StoreError::Duplicate`] when one with the
    /// same URN and version is stored already.
    async fn insert_catalogue(&mut self, catalogue: &NewCatalogue) -> Result<i64>;
    /// Every catalogue, by name and version.
    async fn catalogues(&mut self) -> Result<Vec<CatalogueRecord>>;
    async fn catalogue(&mut self, id: i64) -> Result<Option<CatalogueRecord>>;
    /// The latest version of the catalogue with this URN.
    async fn catalogue_by_urn(&mut self, urn: &str) -> Result<Option<CatalogueRecord>>;
    async fn catalogue_areas(&mut self, catalogue_id: i64) -> Result<Vec<AreaRecord>>;
    /// A catalogue's controls, in its order.
    async fn controls(&mut self, catalogue_id: i64) -> Result<Vec<ControlRecord>>;
    /// [`StoreError::Duplicate`] when the order has an assessment on the catalogue already.
    async fn insert_assessment(&mut self, assessment: &Assessment) -> Result<i64>;
    /// An order's assessments, oldest first.
    async fn assessments_of_order(&mut self, order_id: i64) -> Result<Vec<Assessment>>;
    /// The government's latest assessment on the same catalogue started before `before_id`.
    async fn previous_assessment(&mut self, government_id: i64, catalogue_id: i64, before_id: i64) -> Result<Option<Assessment>>;
    async fn ratings(&mut self, assessment_id: i64) -> Result<Vec<RatingRecord>>;
    /// Sets a control's rating (replacing the one it had).
    async fn save_rating(&mut self, assessment_id: i64, rating: &RatingRecord) -> Result<()>;
    async fn delete_rating(&mut self, assessment_id: i64, control_id: i64) -> Result<()>;
    async fn touch_assessment(&mut self, id: i64, at: DateTime<Utc>) -> Result<()>;
}
