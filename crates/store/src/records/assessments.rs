//! Control catalogues and assessments against them.

use chrono::{DateTime, Utc};

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
