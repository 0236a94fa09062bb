//! Ethical-hacking engagements.

use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::engagement::EngagementState;

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
