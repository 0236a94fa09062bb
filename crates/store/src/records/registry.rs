//! Organisations and the people in them, their invitations, API tokens, second factors and sessions.

use chrono::{DateTime, Utc};
use cyberveilig_domain::registry::{EmailAddress, KboNumber, NisCode, OrganisationKind, Role};

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
