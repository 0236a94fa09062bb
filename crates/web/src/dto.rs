//! What the API sends: snake_case JSON with money in cents and dates as YYYY-MM-DD.

use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::cascade::FrameworkAgreement;
use cyberveilig_services::programmes::ProgrammeStatus;
use cyberveilig_services::store::records::{Event, Order, Organisation};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ProgrammeDto {
    pub id: i64,
    pub name: String,
    pub budget_cents: i64,
    pub reserved_cents: i64,
    pub paid_cents: i64,
    pub available_cents: i64,
    pub waitlisted_count: i64,
    pub offer_starts_on: NaiveDate,
    pub offer_ends_on: NaiveDate,
    /// C2: share of a basic audit, as a fraction such as "2/3".
    pub basic_rate: String,
    /// C4: share of additional work, such as "1/2".
    pub additional_rate: String,
    /// Every rule of the programme that is a setting (C1-C9, D1-D10).
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
}

impl From<ProgrammeStatus> for ProgrammeDto {
    fn from(s: ProgrammeStatus) -> Self {
        let settings = &s.programme.settings;
        ProgrammeDto {
            id: s.programme.id,
            name: s.programme.name.clone(),
            budget_cents: s.balances.budget.cents(),
            reserved_cents: s.balances.reserved.cents(),
            paid_cents: s.balances.paid.cents(),
            available_cents: s.balances.available().cents(),
            waitlisted_count: s.waitlisted_count,
            offer_starts_on: settings.offer_starts_on,
            offer_ends_on: settings.offer_ends_on,
            basic_rate: settings.basic_rate.to_string(),
            additional_rate: settings.additional_rate.to_string(),
            settings: serde_json::to_value(settings).unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationDto {
    pub id: i64,
    /// gemeente, ocmw, provincie, politiezone, hulpverleningszone,
    /// intergemeentelijk_samenwerkingsverband, audit_firm, association, administration, education_partner
    pub kind: String,
    pub name: String,
    pub nis_code: Option<String>,
    pub kbo_number: Option<String>,
    pub province_nis: Option<String>,
}

impl From<Organisation> for OrganisationDto {
    fn from(o: Organisation) -> Self {
        OrganisationDto {
            id: o.id,
            kind: o.kind.as_str().to_owned(),
            name: o.name,
            nis_code: o.nis_code.map(|n| n.to_string()),
            kbo_number: o.kbo_number.map(|k| k.to_string()),
            province_nis: o.province_nis.map(|n| n.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CascadeFirmDto {
    pub rank: u32,
    pub firm_id: i64,
    pub firm: String,
    pub package_price_cents: i64,
    pub day_rate_cents: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementDto {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub order_window_from: NaiveDate,
    pub order_window_until: NaiveDate,
    /// Activated (C7: its procedure completed); whether it takes new orders also depends on the
    /// date: see `status`.
    pub active: bool,
    /// On the server's date: not_yet_open, awaiting_activation, active or closed (its window
    /// ended: no new orders after `order_window_until`).
    pub status: String,
    pub response_term_working_days: u32,
    pub cascade: Vec<CascadeFirmDto>,
}

impl AgreementDto {
    pub fn new(a: &FrameworkAgreement, today: NaiveDate, firm_name: impl Fn(i64) -> String) -> AgreementDto {
        AgreementDto {
            id: a.id,
            reference: a.reference.clone(),
            title: a.title.clone(),
            order_window_from: a.window_from,
            order_window_until: a.window_until,
            active: a.active,
            status: a.status(today).as_str().to_owned(),
            response_term_working_days: a.response_term_working_days,
            cascade: a
                .cascade
                .iter()
                .map(|f| CascadeFirmDto {
                    rank: f.rank,
                    firm_id: f.firm_id,
                    firm: firm_name(f.firm_id),
                    package_price_cents: f.package_price.cents(),
                    day_rate_cents: f.day_rate.cents(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrderDto {
    pub id: i64,
    pub programme_id: i64,
    pub government_id: i64,
    pub government_nis: Option<String>,
    pub government_name: String,
    /// basic or additional
    pub kind: String,
    pub scope: String,
    pub estimated_cost_cents: Option<i64>,
    /// The co-financing rate, fixed at submission: "2/3", "1/2" or "0/1".
    pub rate: String,
    pub state: String,
    /// The reference of the framework agreement the order is placed under.
    pub framework_agreement: Option<String>,
    pub framework_agreement_id: Option<i64>,
    /// The firm the order is offered to or placed with.
    pub offered_to: Option<String>,
    pub offered_to_id: Option<i64>,
    pub cascade_rank: Option<u32>,
    pub offered_on: Option<NaiveDate>,
    pub response_due_on: Option<NaiveDate>,
    /// The accepted price (or, in state awaiting_price_confirmation, the firm's quote).
    pub price_cents: Option<i64>,
    /// The government's own part of the price: the price minus the Flemish share.
    pub own_part_cents: Option<i64>,
    pub planned_start_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
    pub remediation_day_on: Option<NaiveDate>,
    pub invoice_number: Option<String>,
    pub invoiced_cents: Option<i64>,
    pub cofinancing_reserved_cents: i64,
    pub cofinancing_paid_cents: i64,
    pub submitted_on: NaiveDate,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OrderDto {
    pub fn new(o: Order, government: Option<&Organisation>, agreement_reference: Option<&str>, firm: Option<&Organisation>) -> OrderDto {
        OrderDto {
            id: o.id,
            programme_id: o.programme_id,
            government_id: o.government_id,
            government_nis: government.and_then(|g| g.nis_code.as_ref()).map(|n| n.to_string()),
            government_name: government.map(|g| g.name.clone()).unwrap_or_default(),
            kind: o.kind.as_str().to_owned(),
            scope: o.scope,
            estimated_cost_cents: o.estimated_cost.map(|m| m.cents()),
            rate: o.rate.to_string(),
            state: o.state.as_str().to_owned(),
            framework_agreement: agreement_reference.map(str::to_owned),
            framework_agreement_id: o.agreement_id,
            offered_to: firm.map(|f| f.name.clone()),
            offered_to_id: o.firm_id,
            cascade_rank: o.cascade_rank,
            offered_on: o.offered_on,
            response_due_on: o.response_due_on,
            price_cents: o.price.map(|m| m.cents()),
            own_part_cents: o.price.map(|p| cyberveilig_domain::credit::own_part(o.rate, p).cents()),
            planned_start_on: o.planned_start_on,
            accepted_on: o.accepted_on,
            delivered_on: o.delivered_on,
            remediation_day_on: o.remediation_day_on,
            invoice_number: o.invoice_number,
            invoiced_cents: o.invoiced.map(|m| m.cents()),
            cofinancing_reserved_cents: o.reserved.cents(),
            cofinancing_paid_cents: o.paid.cents(),
            submitted_on: o.submitted_on,
            submitted_at: o.submitted_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventDto {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: i64,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// This entry's link in the audit log's hash chain.
    pub hash: String,
}

impl From<Event> for EventDto {
    fn from(e: Event) -> Self {
        EventDto {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            subject_type: e.subject_type,
            subject_id: e.subject_id,
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
            hash: e.hash,
        }
    }
}

/// A page of a list; pass `next_cursor` as `cursor` to get the next one.
#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AmendmentDto {
    pub id: i64,
    pub programme_id: i64,
    /// What changed, each as `{from, to}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub reason: String,
    pub decided_by: i64,
    pub at: DateTime<Utc>,
}

impl From<cyberveilig_services::store::records::Amendment> for AmendmentDto {
    fn from(a: cyberveilig_services::store::records::Amendment) -> Self {
        AmendmentDto {
            id: a.id,
            programme_id: a.programme_id,
            changes: a.summary,
            reason: a.reason,
            decided_by: a.decided_by,
            at: a.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WorkPackageDto {
    pub number: u32,
    pub title_nl: String,
    pub title_en: String,
    pub description_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectGrantDto {
    pub id: i64,
    pub beneficiary_id: i64,
    pub name: String,
    pub amount_cents: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub work_packages: Vec<WorkPackageDto>,
    pub governance: String,
}

impl From<cyberveilig_services::store::records::ProjectGrant> for ProjectGrantDto {
    fn from(g: cyberveilig_services::store::records::ProjectGrant) -> Self {
        ProjectGrantDto {
            id: g.id,
            beneficiary_id: g.beneficiary_id,
            name: g.name,
            amount_cents: g.amount.cents(),
            starts_on: g.starts_on,
            ends_on: g.ends_on,
            work_packages: g
                .work_packages
                .into_iter()
                .map(|w| WorkPackageDto {
                    number: w.number,
                    title_nl: w.title_nl,
                    title_en: w.title_en,
                    description_en: w.description_en,
                })
                .collect(),
            governance: g.governance,
        }
    }
}

/// An audit report attached to an order (a PDF; download it from its `href`).
#[derive(Serialize, ToSchema)]
pub struct AuditReportDto {
    pub id: i64,
    pub order_id: i64,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    pub pdf_version: String,
    pub uploaded_by: i64,
    pub uploaded_at: DateTime<Utc>,
    pub href: String,
}

impl From<&cyberveilig_services::store::records::AuditReport> for AuditReportDto {
    fn from(r: &cyberveilig_services::store::records::AuditReport) -> Self {
        AuditReportDto {
            id: r.id,
            order_id: r.order_id,
            filename: r.filename.clone(),
            size: r.size,
            sha256: r.sha256.clone(),
            pdf_version: r.pdf_version.clone(),
            uploaded_by: r.uploaded_by,
            uploaded_at: r.at,
            href: format!("/api/v1/orders/{}/audit-reports/{}", r.order_id, r.id),
        }
    }
}

/// D7: what settling an invoiced order pays, and why.
#[derive(Serialize, ToSchema)]
pub struct SettlementDto {
    pub order_id: i64,
    pub government_name: String,
    pub firm: Option<String>,
    /// basic or additional
    pub kind: String,
    pub rate: String,
    pub framework_agreement: Option<String>,
    /// The firm's package price in the agreement (the most a basic audit costs).
    pub package_price_cents: Option<i64>,
    /// The firm's day rate in the agreement (to check a quote for additional work against).
    pub day_rate_cents: Option<i64>,
    pub estimated_cost_cents: Option<i64>,
    pub accepted_price_cents: i64,
    pub invoiced_cents: i64,
    pub reserved_cents: i64,
    /// The rate times the lower of the invoice and the accepted price, rounded down.
    pub due_cents: i64,
    /// What settlement pays: the amount due, never more than the reservation.
    pub payment_cents: i64,
    /// What goes back to the available credit.
    pub released_cents: i64,
    /// What differs from the plain case: price_below_agreement, price_above_agreement,
    /// price_above_estimate, invoice_below_price, invoice_above_price, capped_by_reservation,
    /// reservation_released.
    pub differences: Vec<String>,
}

impl SettlementDto {
    pub fn new(v: &cyberveilig_services::orders::settlement::SettlementView, government: &str, firm: Option<&str>) -> SettlementDto {
        let s = &v.settlement;
        SettlementDto {
            order_id: v.order.id,
            government_name: government.to_owned(),
            firm: firm.map(str::to_owned),
            kind: v.order.kind.as_str().to_owned(),
            rate: v.order.rate.to_string(),
            framework_agreement: v.terms.as_ref().map(|t| t.agreement.clone()),
            package_price_cents: v.terms.as_ref().map(|t| t.package_price.cents()),
            day_rate_cents: v.terms.as_ref().map(|t| t.day_rate.cents()),
            estimated_cost_cents: v.order.estimated_cost.map(|m| m.cents()),
            accepted_price_cents: s.accepted_price.cents(),
            invoiced_cents: s.invoiced.cents(),
            reserved_cents: s.reserved.cents(),
            due_cents: s.due.cents(),
            payment_cents: s.payment.cents(),
            released_cents: s.released.cents(),
            differences: v.differences.iter().map(|d| d.as_str().to_owned()).collect(),
        }
    }
}
