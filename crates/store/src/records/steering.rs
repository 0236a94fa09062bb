//! The steering group of VVSG's action plan: members, meetings, decisions and action items.

use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::steering::{ActionStatus, MinutesState, SteeringRole};

/// A member of the steering group, with whom they are and whom they represent.
#[derive(Debug, Clone, PartialEq)]
pub struct SteeringMember {
    pub id: i64,
    pub person_id: i64,
    pub organisation_id: i64,
    pub role: SteeringRole,
    pub joined_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
    pub name: String,
    pub organisation: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SteeringMeeting {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    /// Markdown; `None` until written.
    pub minutes: Option<String>,
    pub minutes_state: MinutesState,
    /// The meeting where the minutes were approved.
    pub approved_at_meeting_id: Option<i64>,
    pub approved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SteeringDecision {
    pub meeting_id: i64,
    pub number: i64,
    pub text: String,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SteeringActionItem {
    pub id: i64,
    pub meeting_id: i64,
    pub title: String,
    /// The member (not the person) who owns it.
    pub owner_id: i64,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    /// The item of the action plan it follows up.
    pub plan_item_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A document attached to a meeting (a PDF), without its content.
#[derive(Debug, Clone, PartialEq)]
pub struct SteeringDocument {
    pub id: i64,
    pub meeting_id: i64,
    pub title: String,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: i64,
    pub uploaded_at: DateTime<Utc>,
}
