//! VVSG's project grant (issue 13, part 1): deliverables, the action plan, cost claims on the
//! grant's ledger, and progress reports.

use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::Money;
use cyberveilig_domain::grant::{ClaimState, PlanStatus};
use cyberveilig_domain::ledger::{Account, Balances};

/// What a work package delivers, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Deliverable {
    pub id: i64,
    pub grant_id: i64,
    pub work_package: u32,
    pub title: String,
    pub planned_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    /// The awareness event that delivers it.
    pub event_id: Option<i64>,
    /// The toolkit item that delivers it.
    pub toolkit_item_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An item of the action plan, with its owner at VVSG.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanItem {
    pub id: i64,
    pub grant_id: i64,
    /// `None` for an item of the plan as a whole.
    pub work_package: Option<u32>,
    pub title: String,
    pub owner_id: i64,
    /// The owner's name (read only).
    pub owner_name: String,
    pub status: PlanStatus,
    pub due_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A cost claim, without its supporting document's content.
#[derive(Debug, Clone, PartialEq)]
pub struct CostClaim {
    pub id: i64,
    pub grant_id: i64,
    pub work_package: u32,
    pub costs_from: NaiveDate,
    pub costs_until: NaiveDate,
    pub amount: Money,
    pub description: String,
    pub state: ClaimState,
    pub document_name: String,
    pub document_sha256: String,
    pub document_size: i64,
    pub submitted_by: i64,
    pub submitted_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub payment_reference: Option<String>,
}

/// A page of a grant's claims: after the claim `after_id`, newest first.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub grant_id: i64,
    pub state: Option<ClaimState>,
    pub work_package: Option<u32>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// A posting on a grant's ledger, with the balances after it.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantPosting {
    pub grant_id: i64,
    pub claim_id: Option<i64>,
    pub from: Account,
    pub to: Account,
    pub amount: Money,
    pub after: Balances,
    pub at: DateTime<Utc>,
}

/// Claimed, approved (reserved), paid per work package, summed over the claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PackageSums {
    pub work_package: u32,
    /// Every claim that was not rejected.
    pub claimed: Money,
    /// Approved and not yet paid.
    pub approved: Money,
    pub paid: Money,
    pub rejected: Money,
}

/// A progress report over one half-year of the grant.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressReport {
    pub id: i64,
    pub grant_id: i64,
    pub period_from: NaiveDate,
    pub period_until: NaiveDate,
    /// Markdown.
    pub text: String,
    /// The platform's figures when it was submitted (JSON).
    pub figures: serde_json::Value,
    pub submitted_by: i64,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
}
