use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::order::OrderKind;
use cyberveilig_domain::registry::{NisCode, OrganisationKind};

/// An order as submitted, for the figures as at a day: what does not change over its life.
#[derive(Debug, Clone)]
pub struct OrderFact {
    pub id: i64,
    pub kind: OrderKind,
    pub government_id: i64,
    pub government_kind: OrganisationKind,
    pub government_nis: Option<NisCode>,
    pub submitted_on: NaiveDate,
}

/// One entry of the audit log, as the figures read it: what happened to which subject, and when.
#[derive(Debug, Clone)]
pub struct DatedEvent {
    pub subject_id: i64,
    pub action: String,
    pub at: DateTime<Utc>,
    /// The details exactly as recorded (JSON).
    pub details: String,
}

/// A change of a finding's status with the finding's first sighting, to time its remediation.
#[derive(Debug, Clone)]
pub struct FindingChange {
    pub finding_id: i64,
    pub first_seen: DateTime<Utc>,
    pub at: DateTime<Utc>,
    pub details: String,
}

/// A vulnerability report's answer times against its deadlines.
#[derive(Debug, Clone)]
pub struct ReportTimes {
    pub received_at: DateTime<Utc>,
    pub acknowledge_by: NaiveDate,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub triage_by: NaiveDate,
    pub triaged_at: Option<DateTime<Utc>>,
}
