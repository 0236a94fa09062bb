//! Orders and the ledger's postings.

use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::cascade::FrameworkAgreement;
use cyberveilig_domain::ledger::{Account, Balances};
use cyberveilig_domain::order::{OrderKind, OrderState};
use cyberveilig_domain::{Money, Rate};

/// An order with every fact of its life so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: i64,
    pub programme_id: i64,
    pub government_id: i64,
    pub kind: OrderKind,
    pub scope: String,
    pub estimated_cost: Option<Money>,
    /// The co-financing rate that applies, fixed at submission.
    pub rate: Rate,
    pub state: OrderState,
    pub agreement_id: Option<i64>,
    pub cascade_rank: Option<u32>,
    pub firm_id: Option<i64>,
    pub offered_on: Option<NaiveDate>,
    pub response_due_on: Option<NaiveDate>,
    pub price: Option<Money>,
    pub planned_start_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
    pub remediation_day_on: Option<NaiveDate>,
    pub invoice_number: Option<String>,
    pub invoiced: Option<Money>,
    /// The co-financing this order holds in the ledger's reserved account.
    pub reserved: Money,
    /// The co-financing paid at settlement.
    pub paid: Money,
    pub submitted_on: NaiveDate,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub programme_id: Option<i64>,
    pub state: Option<OrderState>,
    pub government_id: Option<i64>,
    /// Orders offered to or placed with this firm.
    pub firm_id: Option<i64>,
    pub agreement_id: Option<i64>,
    /// Orders of the local governments in this province (its NIS code).
    pub province_nis: Option<String>,
    pub submitted_from: Option<NaiveDate>,
    pub submitted_until: Option<NaiveDate>,
    /// Only basic audits delivered (or further) without an audit report: the orders of the past,
    /// delivered before a report was required (issue 11).
    pub delivered_without_report: bool,
    /// Newest first; `after_id` then means "older than".
    pub newest_first: bool,
    pub after_id: Option<i64>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Posting {
    pub id: i64,
    pub programme_id: i64,
    pub order_id: Option<i64>,
    pub from: Account,
    pub to: Account,
    pub amount: Money,
    /// The programme's balances after this posting; the sums of all postings must agree.
    pub after: Balances,
    pub at: DateTime<Utc>,
}

pub type Agreements = Vec<FrameworkAgreement>;
