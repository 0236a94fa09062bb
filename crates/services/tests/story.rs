//! The story suite (docs/RULES.md): the programme's rules told as stories through
//! the use cases, against a real database. Every story runs on SQLite, and on PostgreSQL too when
//! `CYBERVEILIG_TEST_DATABASE_URL` is set (see `common`).
//!
//! Amounts are euro cents. The seeded programme is the real one of 2020: EUR 2,000,000.00, basic
//! audits at 2/3, additional work at 1/2, the offer until 31 December 2021; agreement
//! "Audit Vlaanderen 2015-02 perceel 3" (EY 500,940 / Deloitte 512,000 / PwC 519,500, window until
//! 8 June 2020, active) and "2019/HFB/OP/52630" (Deloitte 546,455 / EY / Grant Thornton, window
//! from 9 June 2020, inactive until activated).

mod common;

use common::{Backend, World, at, cents, d};
use cyberveilig_domain::order::{OrderAction, OrderKind, OrderState};
use cyberveilig_domain::programme::ProgrammeSettings;
use cyberveilig_domain::registry::OrganisationKind;
use cyberveilig_domain::{Money, Rate, Refusal};
use cyberveilig_services::audit::ChainReport;
use cyberveilig_services::orders::{FirmStep, OwnerStep};
use cyberveilig_services::programmes::{NewProgramme, ProgrammeAmendment};
use cyberveilig_services::store::records::{NewOrganisation, OrderFilter, OrganisationFilter};
use cyberveilig_services::{Actor, ServiceError};
use serde_json::Value;

const OLD_AGREEMENT: &str = "Audit Vlaanderen 2015-02 perceel 3";
const NEW_AGREEMENT: &str = "2019/HFB/OP/52630";

const GENT: &str = "44021";
const ANTWERPEN: &str = "11002";
const BRUGGE: &str = "31005";
const LEUVEN: &str = "24062";
const PROVINCIE_LIMBURG: &str = "70000";

/// The seeded budget, EUR 2,000,000.00 (C1).
const BUDGET: i64 = 200_000_000;
/// 2/3 of EY's package under the old agreement: 2/3 of 500,940 (C2, D1).
const BASIC_SHARE_OLD: i64 = 333_960;
/// 2/3 of Deloitte's package under the new agreement: 2/3 of 546,455 = 364,303.33, floored.
const BASIC_SHARE_NEW: i64 = 364_303;

fn refusal(err: ServiceError) -> Refusal {
    match err {
        ServiceError::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn details(event: &cyberveilig_services::store::records::Event) -> Value {
    serde_json::from_str(&event.details).expect("event details are JSON")
}

fn date_of(value: &Value) -> chrono::NaiveDate {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a date: {value}"))
}

/// The NIS codes of the first `n` municipalities, as the administrator lists them.
async fn municipalities(w: &World, admin: &Actor, n: i64) -> Vec<String> {
    w.s()
        .organisations(
            admin,
            OrganisationFilter {
                kind: Some(OrganisationKind::Gemeente),
                limit: n,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.nis_code.expect("a municipality has a NIS code").to_string())
        .collect()
}

fn flemish_programme(name: &str, budget: i64) -> NewProgramme {
    NewProgramme {
        name: name.into(),
        budget: cents(budget),
        settings: ProgrammeSettings::flemish_2020(),
    }
}

// The stories, one module per subject.

#[path = "stories/accounts.rs"]
mod accounts;
#[path = "stories/assessments.rs"]
mod assessments;
#[path = "stories/audit_chain.rs"]
mod audit_chain;
#[path = "stories/awareness.rs"]
mod awareness;
#[path = "stories/baseline.rs"]
mod baseline;
#[path = "stories/cascade.rs"]
mod cascade;
#[path = "stories/credit.rs"]
mod credit;
#[path = "stories/disclosure.rs"]
mod disclosure;
#[path = "stories/engagements.rs"]
mod engagements;
#[path = "stories/figures.rs"]
mod figures;
#[path = "stories/findings.rs"]
mod findings;
#[path = "stories/grant.rs"]
mod grant;
#[path = "stories/limits.rs"]
mod limits;
#[path = "stories/money.rs"]
mod money;
#[path = "stories/orders.rs"]
mod orders;
/// D7, D8: whatever happens in whatever order, the ledger holds.
#[path = "stories/random_operations.rs"]
mod random_operations;
#[path = "stories/remediation.rs"]
mod remediation;
#[path = "stories/reports.rs"]
mod reports;
#[path = "stories/security.rs"]
mod security;
#[path = "stories/servers.rs"]
mod servers;
#[path = "stories/signatures.rs"]
mod signatures;
#[path = "stories/steering.rs"]
mod steering;
#[path = "stories/toolkit.rs"]
mod toolkit;
