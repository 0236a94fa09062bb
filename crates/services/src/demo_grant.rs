//! The demo's year of VVSG's grant: the budget per work package, the deliverables and the action
//! plan set at the start, deliverables done over the year (one delivered by an awareness event),
//! two cost claims (the first approved and paid, the second waiting for the administrator) and two
//! progress reports (the first reviewed). Replayed through the use cases on the days it happened.

use crate::Services;
use crate::error::Result;
use crate::grant::{ClaimInput, DeliverableInput, PlanItemInput};
use chrono::NaiveDate;
use cyberveilig_domain::Money;
use cyberveilig_domain::grant::PlanStatus;

const VVSG: &str = "vvsg@vvsg.test";
const CHAIR: &str = "voorzitter.stuurgroep@vvsg.test";
const ADMIN: &str = "admin@abb.test";

/// A day as (year, month, day).
type Day = (i32, u32, u32);

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// The action plan's split of the grant (EUR 179,541.27) over the three work packages.
const BUDGETS: [(u32, i64); 3] = [(1, 9_500_000), (2, 3_000_000), (3, 5_454_127)];

/// Work package, title, planned, done (if by the demo's day), the awareness event or the toolkit
/// item (by slug) delivering it.
type PlannedDeliverable = (u32, &'static str, Day, Option<Day>, Option<&'static str>);

const DELIVERABLES: &[PlannedDeliverable] = &[
    (
        1,
        "Zelfevaluatie cyberveiligheid voor lokale besturen",
        (2020, 12, 15),
        Some((2020, 12, 10)),
        None,
    ),
    (
        1,
        "Modelbeleid informatieveiligheid en back-up",
        (2021, 3, 31),
        Some((2021, 4, 20)),
        None,
    ),
    (1, "Playbooks ransomware en phishing", (2021, 9, 30), None, None),
    (
        1,
        "Sjablonen continuïteitsplan en leveranciersclausules",
        (2021, 12, 15),
        None,
        None,
    ),
    (
        2,
        "Kader voor samenwerking met ethische hackers (met Howest)",
        (2021, 2, 28),
        Some((2021, 2, 26)),
        None,
    ),
    (2, "Eerste opdrachten van studenten bij lokale besturen", (2021, 6, 30), None, None),
    (
        3,
        "Eerste webinar: phishing herkennen en melden",
        (2020, 10, 31),
        Some((2020, 10, 6)),
        Some("Phishing herkennen en melden"),
    ),
    (
        3,
        "Tabletopoefening ransomware",
        (2021, 3, 31),
        Some((2021, 3, 16)),
        Some("Tabletopoefening: ransomware in het gemeentehuis"),
    ),
    (3, "Zes evenementen over het eerste jaar", (2021, 12, 15), None, None),
];

/// Work package, title, owner, due, status by the demo's day.
type PlannedItem = (Option<u32>, &'static str, &'static str, Day, PlanStatus);

const PLAN: &[PlannedItem] = &[
    (Some(1), "Inhoud van de toolkit bepalen", VVSG, (2020, 9, 30), PlanStatus::Done),
    (
        Some(1),
        "Toolkit publiceren op het platform",
        VVSG,
        (2021, 9, 30),
        PlanStatus::InProgress,
    ),
    (
        Some(2),
        "Kader ethisch hacken afstemmen met Howest",
        CHAIR,
        (2021, 2, 26),
        PlanStatus::Done,
    ),
    (
        Some(3),
        "Tabletopoefening ransomware organiseren",
        VVSG,
        (2021, 3, 31),
        PlanStatus::Done,
    ),
    (
        Some(3),
        "Evenementenkalender najaar 2021 vastleggen",
        VVSG,
        (2021, 7, 15),
        PlanStatus::Planned,
    ),
    (
        None,
        "Voortgangsrapport per halfjaar indienen bij ABB",
        CHAIR,
        (2021, 5, 31),
        PlanStatus::InProgress,
    ),
];

struct Claim {
    submitted: (i32, u32, u32),
    work_package: u32,
    from: (i32, u32, u32),
    until: (i32, u32, u32),
    cents: i64,
    description: &'static str,
    approved: Option<(i32, u32, u32)>,
    paid: Option<((i32, u32, u32), &'static str)>,
}

const CLAIMS: &[Claim] = &[
    Claim {
        submitted: (2020, 11, 9),
        work_package: 1,
        from: (2020, 5, 1),
        until: (2020, 10, 31),
        cents: 2_485_000,
        description: "Personeelskosten projectmedewerker toolkit (mei-oktober 2020) en redactie van de zelfevaluatie.",
        approved: Some((2020, 12, 2)),
        paid: Some(((2021, 1, 15), "ABB-2021-0042")),
    },
    Claim {
        submitted: (2021, 5, 10),
        work_package: 3,
        from: (2020, 11, 1),
        until: (2021, 4, 30),
        cents: 1_240_000,
        description: "Sprekers, zaalhuur en begeleiding van de tabletopoefening ransomware en twee webinars.",
        approved: None,
        paid: None,
    },
];

/// Submitted, the half-year's start, the text, reviewed.
type PlannedReport = (Day, Day, &'static str, Option<Day>);

const REPORTS: &[PlannedReport] = &[
    (
        (2020, 11, 20),
        (2020, 5, 1),
        "## Voortgang\n\nHet actieplan is gestart. De stuurgroep keurde het plan goed op 9 juni 2020.\n\n- Werkpakket 1: de inhoud van de toolkit ligt vast; de zelfevaluatie is in redactie.\n- Werkpakket 2: Howest werkt een kader voor ethisch hacken uit.\n- Werkpakket 3: de eerste webinar over phishing ging door op 6 oktober 2020.",
        Some((2020, 12, 3)),
    ),
    (
        (2021, 5, 20),
        (2020, 11, 1),
        "## Voortgang\n\n- Werkpakket 1: de zelfevaluatie en het modelbeleid zijn klaar.\n- Werkpakket 2: het kader voor ethisch hacken is afgestemd met Howest; de eerste opdrachten lopen.\n- Werkpakket 3: een avond voor mandatarissen en een tabletopoefening over ransomware.\n\nDe tweede schuldvordering (werkpakket 3) is ingediend.",
        None,
    ),
];

fn on((y, m, d): (i32, u32, u32)) -> NaiveDate {
    day(y, m, d)
}

impl Services {
    /// One working day of the grant's year in the demo (every date here is one).
    pub(crate) async fn demo_grant_day(&self, today: NaiveDate) -> Result<()> {
        let Some(grant) = self.grants().await?.into_iter().next() else {
            return Ok(());
        };
        // The day after the steering group's members (and VVSG's chair) have their accounts.
        if today == day(2020, 5, 12) {
            let admin = self.demo_actor(ADMIN).await?;
            for (number, cents) in BUDGETS {
                self.set_package_budget(&admin, grant.id, number, Money::from_cents(cents)).await?;
            }
            let vvsg = self.demo_actor(VVSG).await?;
            for (wp, title, planned, _, _) in DELIVERABLES {
                let input = DeliverableInput {
                    work_package: *wp,
                    title: (*title).into(),
                    planned_on: on(*planned),
                    done_on: None,
                    event_id: None,
                    toolkit_item_id: None,
                };
                self.add_deliverable(&vvsg, grant.id, input).await?;
            }
            for (wp, title, owner, due, _) in PLAN {
                let owner = self.demo_actor(owner).await?;
                let input = PlanItemInput {
                    work_package: *wp,
                    title: (*title).into(),
                    owner_id: owner.person_id,
                    status: PlanStatus::Planned,
                    due_on: on(*due),
                };
                self.add_plan_item(&vvsg, grant.id, input).await?;
            }
        }
        self.demo_grant_work(grant.id, today).await
    }

    async fn demo_grant_work(&self, grant_id: i64, today: NaiveDate) -> Result<()> {
        let vvsg = self.demo_actor(VVSG).await?;
        let admin = self.demo_actor(ADMIN).await?;
        for (wp, title, planned, done, event) in DELIVERABLES {
            let Some(done) = done.map(on).filter(|d| *d == today) else {
                continue;
            };
            let (event_id, toolkit_item_id) = match event.map(|e| (e, e.strip_prefix("toolkit:"))) {
                Some((_, Some(slug))) => (None, Some(self.toolkit_item_id(slug).await?)),
                Some((title, None)) => (self.demo_event_id(title).await?, None),
                None => (None, None),
            };
            let view = self.grant_workspace(&vvsg, grant_id).await?;
            if let Some(d) = view.deliverables.iter().find(|d| d.title == *title) {
                let input = DeliverableInput {
                    work_package: *wp,
                    title: (*title).into(),
                    planned_on: on(*planned),
                    done_on: Some(done),
                    event_id,
                    toolkit_item_id,
                };
                self.change_deliverable(&vvsg, grant_id, d.id, input).await?;
            }
        }
        // A plan item moves on its due day (or, when in progress, on the demo's first months).
        for (wp, title, owner, due, status) in PLAN {
            let moves_on = match status {
                PlanStatus::Done => on(*due),
                PlanStatus::InProgress => day(2020, 10, 1),
                _ => continue,
            };
            if moves_on != today {
                continue;
            }
            let owner = self.demo_actor(owner).await?;
            let view = self.grant_workspace(&vvsg, grant_id).await?;
            if let Some(item) = view.plan.iter().find(|i| i.title == *title) {
                let input = PlanItemInput {
                    work_package: *wp,
                    title: (*title).into(),
                    owner_id: owner.person_id,
                    status: *status,
                    due_on: on(*due),
                };
                self.change_plan_item(&vvsg, grant_id, item.id, input).await?;
            }
        }
        for c in CLAIMS {
            if on(c.submitted) == today {
                let document = cyberveilig_domain::document::simple_pdf(&[
                    "Schuldvordering projectsubsidie Actieplan Cyberveiligheid",
                    "Begunstigde: VVSG vzw, Bischoffsheimlaan 1-8, 1000 Brussel",
                    &format!("Werkpakket {}", c.work_package),
                    &format!("Periode: {} tot {}", on(c.from).format("%d/%m/%Y"), on(c.until).format("%d/%m/%Y")),
                    &format!("Bedrag: {}", Money::from_cents(c.cents).format_nl()),
                    c.description,
                ]);
                let input = ClaimInput {
                    work_package: c.work_package,
                    costs_from: on(c.from),
                    costs_until: on(c.until),
                    amount: Money::from_cents(c.cents),
                    description: c.description.into(),
                };
                let name = format!("schuldvordering-wp{}-{}.pdf", c.work_package, on(c.submitted).format("%Y%m%d"));
                self.submit_claim(&vvsg, grant_id, input, &name, &document).await?;
            }
            let decided = c.approved.map(on) == Some(today);
            let paid = c.paid.map(|(d, _)| on(d)) == Some(today);
            if !decided && !paid {
                continue;
            }
            let claims = self.grant_claims(&admin, grant_id, Default::default()).await?;
            let Some(claim) = claims
                .iter()
                .find(|x| x.costs_from == on(c.from) && x.work_package == c.work_package)
            else {
                continue;
            };
            if decided {
                self.decide_claim(&admin, grant_id, claim.id, true, "").await?;
            }
            if let Some((_, reference)) = c.paid.filter(|_| paid) {
                self.pay_claim(&admin, grant_id, claim.id, today, reference).await?;
            }
        }
        for (submitted, from, text, reviewed) in REPORTS {
            if on(*submitted) == today {
                let chair = self.demo_actor(CHAIR).await?;
                self.submit_progress_report(&chair, grant_id, on(*from), text).await?;
            }
            if reviewed.map(on) == Some(today) {
                let view = self.grant_workspace(&admin, grant_id).await?;
                if let Some(report) = view
                    .periods
                    .iter()
                    .filter_map(|p| p.report.as_ref())
                    .find(|r| r.period_from == on(*from))
                {
                    self.review_progress_report(&admin, grant_id, report.id, "Nagekeken; geen opmerkingen.")
                        .await?;
                }
            }
        }
        Ok(())
    }
}
