//! Awareness events (VVSG's work package 3), their registrations and people's calendar feeds.

use chrono::{DateTime, Utc};
use cyberveilig_domain::awareness::{Audience, EventKind, RegistrationState};

#[derive(Debug, Clone, PartialEq)]
pub struct AwarenessEvent {
    pub id: i64,
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub audience: Vec<Audience>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    /// An https link for an online event.
    pub online_url: Option<String>,
    pub capacity: i64,
    pub registration_deadline: DateTime<Utc>,
    /// Whether people of organisations other than local governments may register.
    pub open_to_others: bool,
    pub organiser_id: i64,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An event with its places counted.
#[derive(Debug, Clone, PartialEq)]
pub struct AwarenessEventCounts {
    pub event: AwarenessEvent,
    pub registered: i64,
    pub waiting: i64,
    pub attended: i64,
    /// Organisations with at least one person registered (or, after the event, attending).
    pub organisations: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub id: i64,
    pub event_id: i64,
    pub person_id: i64,
    pub organisation_id: i64,
    pub state: RegistrationState,
    pub position: i64,
    pub registered_at: DateTime<Utc>,
    pub promoted_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub attended: Option<bool>,
    pub reminded_at: Option<DateTime<Utc>>,
}

/// A registration with whose it is, for the organiser's list.
#[derive(Debug, Clone, PartialEq)]
pub struct Registrant {
    pub registration: Registration,
    pub name: String,
    pub email: String,
    pub organisation: String,
}

/// Which events to list, soonest first, after a cursor (keyset: start, id).
#[derive(Debug, Clone, Default)]
pub struct AwarenessEventFilter {
    /// Events ending at or after this instant (the coming ones), or ending before it (`past`).
    pub around: Option<DateTime<Utc>>,
    pub past: bool,
    /// The last event of the previous page: (starts_at, id).
    pub after: Option<(DateTime<Utc>, i64)>,
    pub limit: i64,
}

/// One organisation's attendance at one event: what reach is counted from.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendance {
    pub event_id: i64,
    pub starts_at: DateTime<Utc>,
    pub organisation_id: i64,
    /// Its REFNIS code when it is a local government.
    pub nis_code: Option<String>,
    pub is_municipality: bool,
}
