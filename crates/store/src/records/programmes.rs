//! Programmes, their amendments and project grants.

use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::Money;
use cyberveilig_domain::programme::ProgrammeSettings;

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
    /// The part of the grant the action plan gives this work package, once it is set (GR-9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_cents: Option<i64>,
}
