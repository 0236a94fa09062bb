//! Audit reports uploaded on basic audits.

use chrono::{DateTime, Utc};

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
