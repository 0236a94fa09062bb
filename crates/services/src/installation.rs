//! The real programme as data (C1-C9, V1-V5, I4-9): the registry's reference data, the programme of
//! 2020 with its budget, the two framework agreements with their cascades and prices, VVSG's
//! project grant and the built-in control catalogue. Used by `serve`, `demo` and the commands;
//! nothing of the demo is here.

use crate::Services;
use crate::error::Result;
use crate::events::Action;
use crate::registry::{named, seed_reference_data};
use chrono::NaiveDate;
use cyberveilig_domain::Money;
use cyberveilig_domain::cascade::{CascadeFirm, FrameworkAgreement};
use cyberveilig_domain::programme::ProgrammeSettings;
use cyberveilig_domain::registry::OrganisationKind;
use cyberveilig_store::records::{ProjectGrant, WorkPackage};
use serde_json::json;

/// I4-9: CISA's catalogue of Known Exploited Vulnerabilities as shipped (`data/kev/`, catalogue
/// 2025.08.25): a fresh installation prioritises a KEV-listed CVE from its first import.
/// `cyberveilig intel kev FILE` (or `POST /api/v1/intel/kev`) loads a newer one.
const KEV_SNAPSHOT: &[u8] = include_bytes!("../../../data/kev/known_exploited_vulnerabilities.json");

pub const PROGRAMME_NAME: &str = "Cofinanciering ICT-veiligheidsaudits lokale besturen 2020-2021";
/// C1: the co-financing credit.
pub const BUDGET: Money = Money::euros(2_000_000);
/// V1: VVSG's project grant, for two years from 1 May 2020.
pub const VVSG_GRANT: Money = Money::from_cents(17_954_127);
/// C6: the agreement for orders placed until 8 June 2020 (EY, Deloitte, PwC).
pub const OLD_AGREEMENT: &str = "Audit Vlaanderen 2015-02 perceel 3";
/// C7: the agreement for orders from 9 June 2020 (Deloitte, EY, Grant Thornton), inactive until
/// its procedure is completed.
pub const NEW_AGREEMENT: &str = "2019/HFB/OP/52630";
fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date")
}

/// What `seed_installation` found or made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub programme_id: i64,
    pub fresh: bool,
}

impl Services {
    /// On an empty database: the registry's reference data, the programme of 2020 with its
    /// budget, the two framework agreements (C6, C7) and VVSG's project grant. Recorded as
    /// done by "system" at the clock's now. The built-in catalogue is loaded on any database
    /// that lacks it, also one seeded before catalogues existed.
    pub async fn seed_installation(&self) -> Result<Seeded> {
        self.ensure_builtin_catalogue().await?;
        let mut work = crate::work::Work::begin(self.store.as_ref(), self.clock.now(), crate::work::Who::System).await?;
        if !seed_reference_data(work.tx.as_mut()).await? {
            let id = work.tx.programmes().await?.first().map(|p| p.id).unwrap_or(0);
            return Ok(Seeded {
                programme_id: id,
                fresh: false,
            });
        }
        let firm = |name: &'static str| name;
        let mut cascade_ids = Vec::new();
        for name in ["EY", "Deloitte", "PwC", "Grant Thornton"] {
            cascade_ids.push((firm(name), named(work.tx.as_mut(), OrganisationKind::AuditFirm, name).await?.id));
        }
        let id_of = |name: &str| cascade_ids.iter().find(|(n, _)| *n == name).map(|(_, id)| *id).unwrap_or(0);
        // Package prices so that Flanders' 2/3 share is EUR 3,339.60 to EUR 3,643.03 (public figures).
        let entry = |name: &str, rank: u32, package: i64, day: i64| CascadeFirm {
            firm_id: id_of(name),
            rank,
            package_price: Money::from_cents(package),
            day_rate: Money::from_cents(day),
        };
        let agreements = [
            FrameworkAgreement {
                id: 0,
                reference: OLD_AGREEMENT.into(),
                title: "Raamovereenkomst Audit Vlaanderen 2015-02, perceel 3 (ICT-audits)".into(),
                window_from: date(2016, 6, 9),
                window_until: date(2020, 6, 8),
                active: true,
                response_term_working_days: 5,
                cascade: vec![
                    entry("EY", 1, 500_940, 112_500),
                    entry("Deloitte", 2, 512_000, 115_000),
                    entry("PwC", 3, 519_500, 118_000),
                ],
            },
            FrameworkAgreement {
                id: 0,
                reference: NEW_AGREEMENT.into(),
                title: "Raamovereenkomst ICT-audits, informatie- en cyberveiligheid".into(),
                window_from: date(2020, 6, 9),
                window_until: date(2024, 6, 8),
                active: false,
                response_term_working_days: 5,
                cascade: vec![
                    entry("Deloitte", 1, 546_455, 121_000),
                    entry("EY", 2, 539_000, 118_500),
                    entry("Grant Thornton", 3, 529_900, 109_000),
                ],
            },
        ];
        for agreement in &agreements {
            let id = work.tx.insert_agreement(agreement).await?;
            work.record(
                Action::FrameworkAgreementRegistered,
                "framework_agreement",
                id,
                json!({ "reference": agreement.reference, "active": agreement.active }),
            )
            .await?;
        }
        let settings = ProgrammeSettings::flemish_2020();
        let programme_id = work.tx.insert_programme(PROGRAMME_NAME, &settings, work.now).await?;
        work.post(programme_id, None, &cyberveilig_domain::ledger::grant(BUDGET)).await?;
        work.record(
            Action::ProgrammeCreated,
            "programme",
            programme_id,
            json!({
            "name": PROGRAMME_NAME, "budget_cents": BUDGET.cents(),
            "settings": serde_json::to_value(&settings).unwrap_or_default() }),
        )
        .await?;
        let vvsg = named(work.tx.as_mut(), OrganisationKind::Association, "VVSG").await?;
        let grant = vvsg_grant(vvsg.id);
        let grant_id = work.tx.insert_grant(&grant).await?;
        crate::grant::post(&mut work, grant_id, None, &cyberveilig_domain::ledger::grant(grant.amount)).await?;
        work.record(
            Action::ProjectGrantCreated,
            "project_grant",
            grant_id,
            json!({ "name": grant.name, "amount_cents": grant.amount.cents() }),
        )
        .await?;
        work.commit().await?;
        self.load_intel_file(None, crate::intel::IntelSource::Kev, KEV_SNAPSHOT).await?;
        Ok(Seeded { programme_id, fresh: true })
    }
}

/// V1-V5: VVSG's grant with its work packages (V2 the toolkit, V3 the framework for ethical
/// hackers, V4 events) and its steering group (V5), as the source document states them.
fn vvsg_grant(beneficiary_id: i64) -> ProjectGrant {
    ProjectGrant {
        id: 0,
        beneficiary_id,
        name: "Actieplan Cyberveiligheid (projectsubsidie VVSG)".into(),
        amount: VVSG_GRANT,
        starts_on: date(2020, 5, 1),
        ends_on: date(2022, 4, 30),
        work_packages: vec![
            WorkPackage {
                number: 1,
                title_nl: "Digitale toolkit cyberveiligheid".into(),
                title_en: "Digital cybersecurity toolkit".into(),
                description_en: "Guides, playbooks, templates and attractive information material for preventive and curative policy."
                    .into(),
                budget_cents: None,
            },
            WorkPackage {
                number: 2,
                title_nl: "Kader voor samenwerking met ethische hackers".into(),
                title_en: "Framework for working with ethical hackers".into(),
                description_en: "How local governments can work with ethical hackers, first applied with Hogeschool West-Vlaanderen."
                    .into(),
                budget_cents: None,
            },
            WorkPackage {
                number: 3,
                title_nl: "Informeren en sensibiliseren via events".into(),
                title_en: "Informing and raising awareness through events".into(),
                description_en: "Events that inform local governments about cybersecurity.".into(),
                budget_cents: None,
            },
        ],
        governance: "VVSG werkt het actieplan uit en legt het voor aan een stuurgroep.".into(),
    }
}
