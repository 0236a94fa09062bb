//! The demo, and only the demo (`cyberveilig demo`): its accounts with the published password
//! `demo`, a history of orders replayed through the use cases with the clock so the demo feels
//! lived in, reports and engagements. `serve` never calls any of it and refuses a database that
//! holds the demo's accounts ([`Services::holds_demo_accounts`]). The real programme is
//! installed by [`crate::installation`].

use crate::Services;
use crate::auth::{actor_of, hash_password};
use crate::authz::Actor;
use crate::clock::{brussels_date, start_of_brussels_day};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::installation::NEW_AGREEMENT;
use crate::orders::{FirmStep, NewOrder};
use crate::registry::named;
use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, TimeZone, Utc, Weekday};
use cyberveilig_domain::Money;
use cyberveilig_domain::calendar::is_working_day;
use cyberveilig_domain::order::{OrderKind, OrderState};
use cyberveilig_domain::registry::{EmailAddress, OrganisationKind, Role};
use cyberveilig_store::records::{NewPerson, OrderFilter, OrganisationFilter};

pub const DEMO_PASSWORD: &str = "demo";

/// The municipalities whose general director signs in the demo (`directeur.<nis>@gemeente.test`).
pub const DEMO_SIGNATORIES: [&str; 2] = ["34022", "31005"];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date")
}

/// 15 June 2021, 10:00 in Brussels: the middle of the programme.
pub fn default_demo_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 6, 15, 8, 0, 0).single().expect("a valid instant")
}

impl Services {
    /// Whether the demo's administrator account signs in with the published password: such a
    /// database must never be served to the public.
    pub async fn holds_demo_accounts(&self) -> Result<bool> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .person_by_email(&email("admin@abb.test")?)
            .await?
            .is_some_and(|p| crate::auth::password_matches(DEMO_PASSWORD, &p.password_hash)))
    }

    /// The demo accounts, all with password `demo`: only ever called in demo mode.
    pub async fn seed_demo_accounts(&self) -> Result<()> {
        let mut tx = self.store.write().await?;
        if tx.person_by_email(&email("admin@abb.test")?).await?.is_some() {
            return Ok(());
        }
        // One hash for all demo accounts: they share a published password, so distinct salts
        // would protect nothing, and hashing 300 times would slow every demo start.
        let phc = hash_password(DEMO_PASSWORD)?;
        let fixed = [
            (
                "admin@abb.test",
                "Programmabeheerder ABB",
                OrganisationKind::Administration,
                "Agentschap Binnenlands Bestuur",
                Role::ProgrammeAdmin,
            ),
            ("ey@firms.test", "EY auditteam", OrganisationKind::AuditFirm, "EY", Role::FirmMember),
            (
                "deloitte@firms.test",
                "Deloitte auditteam",
                OrganisationKind::AuditFirm,
                "Deloitte",
                Role::FirmMember,
            ),
            (
                "pwc@firms.test",
                "PwC auditteam",
                OrganisationKind::AuditFirm,
                "PwC",
                Role::FirmMember,
            ),
            (
                "gt@firms.test",
                "Grant Thornton auditteam",
                OrganisationKind::AuditFirm,
                "Grant Thornton",
                Role::FirmMember,
            ),
            (
                "vvsg@vvsg.test",
                "VVSG projectteam",
                OrganisationKind::Association,
                "VVSG",
                Role::AssociationMember,
            ),
            // VVSG's second person: chairs the steering group and reviews the toolkit.
            (
                "voorzitter.stuurgroep@vvsg.test",
                "Stafdirecteur VVSG (voorzitter stuurgroep)",
                OrganisationKind::Association,
                "VVSG",
                Role::AssociationMember,
            ),
            (
                "student@howest.test",
                "Student Howest",
                OrganisationKind::EducationPartner,
                "Hogeschool West-Vlaanderen",
                Role::Researcher,
            ),
            (
                "docent@howest.test",
                "Docent Howest (begeleider)",
                OrganisationKind::EducationPartner,
                "Hogeschool West-Vlaanderen",
                Role::Researcher,
            ),
            (
                "student2@howest.test",
                "Tweede student Howest",
                OrganisationKind::EducationPartner,
                "Hogeschool West-Vlaanderen",
                Role::Researcher,
            ),
        ];
        for (mail, name, kind, org, role) in fixed {
            let org = named(tx.as_mut(), kind, org).await?;
            tx.insert_person(&NewPerson {
                organisation_id: org.id,
                email: email(mail)?,
                name: name.into(),
                role,
                password_hash: phc.clone(),
                language: "nl".into(),
            })
            .await?;
        }
        let governments = tx
            .organisations(&OrganisationFilter {
                kind: Some(OrganisationKind::Gemeente),
                limit: 10_000,
                ..Default::default()
            })
            .await?;
        for g in governments {
            let Some(nis) = &g.nis_code else { continue };
            tx.insert_person(&NewPerson {
                organisation_id: g.id,
                email: email(&format!("{nis}@gemeente.test"))?,
                name: format!("Informatieveiligheidsconsulent {}", g.name),
                role: Role::GovernmentMember,
                password_hash: phc.clone(),
                language: "nl".into(),
            })
            .await?;
        }
        // The general directors of Kortrijk and Brugge sign for their government: they
        // accept engagements' authorisation letters (the other accounts do not).
        for nis in DEMO_SIGNATORIES {
            let Some(g) = tx
                .organisation_by_nis(&nis.parse().map_err(|_| ServiceError::NotFound("organisation"))?)
                .await?
            else {
                continue;
            };
            let id = tx
                .insert_person(&NewPerson {
                    organisation_id: g.id,
                    email: email(&format!("directeur.{nis}@gemeente.test"))?,
                    name: format!("Algemeen directeur {}", g.name),
                    role: Role::GovernmentMember,
                    password_hash: phc.clone(),
                    language: "nl".into(),
                })
                .await?;
            tx.set_signatory(id, true, None, self.clock.now()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn demo_actor(&self, mail: &str) -> Result<Actor> {
        let mut tx = self.store.read().await?;
        let person = tx
            .person_by_email(&email(mail)?)
            .await?
            .ok_or(ServiceError::NotFound("demo account"))?;
        Ok(actor_of(&person))
    }

    /// Replays a realistic history from the programme's first day up to `until`, through the
    /// same use cases people use, with the clock moved day by day. Needs a settable clock.
    pub async fn replay_demo_history(&self, programme_id: i64, until: DateTime<Utc>) -> Result<usize> {
        let admin = self.demo_actor("admin@abb.test").await?;
        let firms = [
            self.demo_actor("ey@firms.test").await?,
            self.demo_actor("deloitte@firms.test").await?,
            self.demo_actor("pwc@firms.test").await?,
            self.demo_actor("gt@firms.test").await?,
        ];
        let plan = demo_plan(self, until).await?;
        let mut day = date(2020, 5, 4);
        let last = brussels_date(until);
        let mut submitted = 0;
        while day <= last {
            let morning = start_of_brussels_day(day) + Duration::hours(9);
            let at = if day == last {
                until.min(morning.max(self.clock.now()))
            } else {
                morning
            };
            if at > self.clock.now() {
                self.advance_clock(at).await?;
            }
            if day == date(2020, 6, 29) {
                let agreement = self.agreements().await?.into_iter().find(|a| a.reference == NEW_AGREEMENT);
                if let Some(a) = agreement.filter(|a| !a.active) {
                    self.activate_agreement(&admin, a.id).await?;
                }
            }
            if is_working_day(day) {
                for planned in plan.iter().filter(|p| p.on == day) {
                    let government = self
                        .demo_actor(&format!("{}@gemeente.test", planned.nis))
                        .await
                        .or_else(|_| Ok::<_, ServiceError>(admin.clone()))?;
                    let order = NewOrder {
                        programme_id,
                        government_nis: planned.nis.parse().map_err(|_| ServiceError::NotFound("municipality"))?,
                        kind: planned.kind,
                        scope: planned.scope(),
                        estimated_cost: (planned.kind == OrderKind::Additional)
                            .then(|| Money::euros(2_400 + 600 * (planned.seed % 6) as i64)),
                    };
                    if self.submit_order(&government, order).await.is_ok() {
                        submitted += 1;
                    }
                }
                self.demo_day_of_work(programme_id, &admin, &firms, day).await?;
                self.demo_disclosure_day(day).await?;
                self.demo_awareness_day(day).await?;
                self.demo_toolkit_day(day).await?;
                self.demo_grant_day(day).await?;
                self.demo_steering_day(day).await?;
            }
            self.demo_baseline_day(day).await?;
            day = day + Days::new(1);
        }
        self.replay_demo_assessments(programme_id, &firms).await?;
        submitted += self.demo_quote_to_confirm(programme_id, &firms).await?;
        Ok(submitted)
    }

    /// The demo's last scene (D7): a government that had its basic audit delivered orders
    /// additional work on the demo's day, and the firm quotes a day more than the estimate, so
    /// the order waits for the government to confirm the new price. Returns the orders made.
    async fn demo_quote_to_confirm(&self, programme_id: i64, firms: &[Actor; 4]) -> Result<usize> {
        let admin = self.demo_actor("admin@abb.test").await?;
        let all = self
            .orders(
                &admin,
                OrderFilter {
                    programme_id: Some(programme_id),
                    limit: 100_000,
                    ..Default::default()
                },
            )
            .await?;
        let has_additional = |g: i64| all.iter().any(|o| o.government_id == g && o.kind == OrderKind::Additional);
        let Some(basic) = all
            .iter()
            .filter(|o| o.kind == OrderKind::Basic && o.state.is_delivered() && !has_additional(o.government_id))
            .min_by_key(|o| o.id)
        else {
            return Ok(0);
        };
        let government = self.organisation(basic.government_id).await?;
        let Some(nis) = government.nis_code else { return Ok(0) };
        let Ok(gov) = self.demo_actor(&format!("{nis}@gemeente.test")).await else {
            return Ok(0);
        };
        let order = self
            .submit_order(
                &gov,
                NewOrder {
                    programme_id,
                    government_nis: nis,
                    kind: OrderKind::Additional,
                    scope: "Penetratietest van het e-loket en de website.".into(),
                    estimated_cost: Some(Money::euros(3_000)),
                },
            )
            .await?;
        let Some(firm) = firms.iter().find(|f| Some(f.organisation_id) == order.firm_id) else {
            return Ok(1);
        };
        if order.state == OrderState::Offered {
            let day_rate = self.contract(&order).await?.map(|(_, day)| day).unwrap_or(Money::euros(1_000));
            let today = brussels_date(self.clock.now());
            self.firm_step(
                firm,
                order.id,
                FirmStep::Accept {
                    price: Money::euros(3_000) + day_rate,
                    planned_start_on: today + Days::new(21),
                },
            )
            .await?;
        }
        Ok(1)
    }

    /// What firms, governments and the administrator do on one working day of the history.
    async fn demo_day_of_work(&self, programme_id: i64, admin: &Actor, firms: &[Actor; 4], day: NaiveDate) -> Result<()> {
        let open = |state| OrderFilter {
            programme_id: Some(programme_id),
            state: Some(state),
            limit: 10_000,
            ..Default::default()
        };
        let firm_of = |order: &cyberveilig_store::records::Order| firms.iter().find(|f| Some(f.organisation_id) == order.firm_id).cloned();
        let days_since = |d: Option<NaiveDate>| d.map(|d| (day - d).num_days()).unwrap_or(0);
        for order in self.orders(admin, open(OrderState::Offered)).await? {
            let Some(firm) = firm_of(&order) else { continue };
            let roll = roll(order.id, order.cascade_rank.unwrap_or(0) as u64);
            let answer_after = 1 + (roll % 4) as i64;
            if days_since(order.offered_on) != answer_after {
                continue;
            }
            let step = match roll % 100 {
                // Some offers go unanswered and expire; some firms decline for lack of capacity.
                0..=6 => continue,
                7..=21 => FirmStep::Decline {
                    reason: "Onvoldoende capaciteit in de gevraagde periode.".into(),
                },
                _ => FirmStep::Accept {
                    price: self.demo_price(&order).await?,
                    planned_start_on: day + Days::new(14 + roll % 21),
                },
            };
            self.firm_step(&firm, order.id, step).await?;
        }
        // D7: a quote above the estimate waits a few days for the government's confirmation.
        for order in self.orders(admin, open(OrderState::AwaitingPriceConfirmation)).await? {
            if days_since(order.accepted_on) >= 2 + (roll(order.id, 10) % 4) as i64 {
                let government = self.demo_government(&order, admin).await?;
                self.owner_step(&government, order.id, crate::orders::OwnerStep::Confirm).await?;
            }
        }
        for order in self.orders(admin, open(OrderState::Accepted)).await? {
            let Some(firm) = firm_of(&order) else { continue };
            if days_since(order.accepted_on) >= 28 + (roll(order.id, 1) % 35) as i64 {
                // D11: a basic audit is delivered with its assessment complete and its report.
                if order.kind == OrderKind::Basic {
                    self.demo_audit_results(&firm, &order).await?;
                }
                self.firm_step(&firm, order.id, FirmStep::Deliver).await?;
            }
        }
        for order in self.orders(admin, open(OrderState::Delivered)).await? {
            let Some(firm) = firm_of(&order) else { continue };
            let wait = days_since(order.delivered_on);
            match order.kind {
                OrderKind::Basic if wait >= 7 + (roll(order.id, 2) % 14) as i64 => {
                    self.demo_remediation_day(&firm, &order, day).await?;
                }
                OrderKind::Additional if wait >= 5 => {
                    self.firm_step(&firm, order.id, invoice(&order)).await?;
                }
                _ => {}
            }
        }
        for order in self.orders(admin, open(OrderState::RemediationDayHeld)).await? {
            let Some(firm) = firm_of(&order) else { continue };
            if days_since(order.remediation_day_on) >= 3 + (roll(order.id, 3) % 7) as i64 {
                self.firm_step(&firm, order.id, invoice(&order)).await?;
            }
        }
        for order in self.orders(admin, open(OrderState::Invoiced)).await? {
            if days_since(Some(brussels_date(order.updated_at))) >= 12 + (roll(order.id, 4) % 20) as i64 {
                let payment = self.settlement(admin, order.id).await?.settlement.payment;
                self.settle_order(admin, order.id, Some(payment)).await?;
            }
        }
        for order in self.orders(admin, open(OrderState::Unplaceable)).await? {
            // The administrator re-opens the cascade after a week, once.
            let events = self.order_events(admin, order.id).await?;
            let reopened = events.iter().any(|e| e.action == Action::OrderReopened.as_str());
            if !reopened && days_since(Some(brussels_date(order.updated_at))) >= 7 {
                self.reopen_order(admin, order.id).await?;
            }
        }
        Ok(())
    }

    /// The order's firm's package price and day rate in its agreement.
    async fn contract(&self, order: &cyberveilig_store::records::Order) -> Result<Option<(Money, Money)>> {
        let agreements = self.agreements().await?;
        Ok(agreements
            .iter()
            .find(|a| Some(a.id) == order.agreement_id)
            .and_then(|a| order.firm_id.and_then(|f| a.firm(f)))
            .map(|f| (f.package_price, f.day_rate)))
    }

    /// What a firm accepts an offer at: a basic audit at its package price in the agreement (now
    /// and then a little less); additional work at the estimate, or one day more than it, which
    /// the government then confirms (D7).
    async fn demo_price(&self, order: &cyberveilig_store::records::Order) -> Result<Money> {
        let (package, day_rate) = self.contract(order).await?.unwrap_or((Money::ZERO, Money::ZERO));
        let estimate = order.estimated_cost.unwrap_or(Money::ZERO);
        Ok(match (order.kind, roll(order.id, 8) % 6) {
            (OrderKind::Basic, 0) => Money::from_cents(package.cents() - package.cents() % 10_000),
            (OrderKind::Basic, _) => package,
            (OrderKind::Additional, 0 | 1) => estimate + day_rate,
            (OrderKind::Additional, _) => estimate,
        })
    }

    /// The government's member who acts on its order in the demo (the administrator for a
    /// province, which has no account).
    async fn demo_government(&self, order: &cyberveilig_store::records::Order, admin: &Actor) -> Result<Actor> {
        let government = self.organisation(order.government_id).await?;
        match government.nis_code {
            Some(nis) => Ok(self
                .demo_actor(&format!("{nis}@gemeente.test"))
                .await
                .unwrap_or_else(|_| admin.clone())),
            None => Ok(admin.clone()),
        }
    }

    /// A basic audit's results before delivery: every control of the baseline rated, and the
    /// audit report (a PDF) attached.
    async fn demo_audit_results(&self, firm: &Actor, order: &cyberveilig_store::records::Order) -> Result<()> {
        self.demo_complete_assessment(firm, order).await?;
        let government = self.organisation(order.government_id).await?;
        let firm_name = match order.firm_id {
            Some(id) => self.organisation(id).await?.name,
            None => String::new(),
        };
        let report = cyberveilig_domain::document::simple_pdf(&[
            "Auditrapport basisaudit",
            &format!("Lokaal bestuur: {}", government.name),
            &format!("Auditbureau: {firm_name}"),
            &format!("Bestelling {}", order.id),
            "Minimale controleaanpak van Audit Vlaanderen: interne en externe penetratietest,",
            "wachtwoordbeleid en toegangsbeheer, een dag begeleiding bij de remediering.",
        ]);
        self.upload_audit_report(firm, order.id, &format!("auditrapport-{}.pdf", order.id), &report)
            .await?;
        Ok(())
    }

    /// C2: the firm records the remediation day with the government's member who attended.
    async fn demo_remediation_day(&self, firm: &Actor, order: &cyberveilig_store::records::Order, day: NaiveDate) -> Result<()> {
        let government = self.organisation(order.government_id).await?;
        let people = match &government.nis_code {
            Some(nis) => match self.demo_actor(&format!("{nis}@gemeente.test")).await {
                Ok(member) => vec![member.person_id],
                Err(_) => Vec::new(),
            },
            None => Vec::new(),
        };
        let record = crate::remediation::day::DayRecord {
            held_on: Some(day),
            attendees: "IT-verantwoordelijke en algemeen directeur".into(),
            people,
            actions: Vec::new(),
        };
        self.record_remediation_day(firm, order.id, record).await?;
        Ok(())
    }
}

/// The firm's invoice: the accepted price, or, one time in three, a little less (D7: never more).
fn invoice(order: &cyberveilig_store::records::Order) -> FirmStep {
    let price = order.price.unwrap_or(Money::ZERO);
    let amount = match roll(order.id, 9) % 3 {
        0 => Money::from_cents(price.cents() - price.cents() / 50),
        _ => price,
    };
    FirmStep::Invoice {
        invoice_number: format!("F-{}-{:05}", order.submitted_on.year(), order.id),
        amount,
    }
}

fn email(text: &str) -> Result<EmailAddress> {
    text.parse()
        .map_err(|_| ServiceError::internal("demo_data", format!("bad demo address {text}")))
}

/// A stable pseudo-random number for an order and a purpose (SplitMix64), so the history is the
/// same on every run and every database.
pub(crate) fn roll(order_id: i64, salt: u64) -> u64 {
    let mut z = (order_id as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(salt.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct PlannedOrder {
    nis: String,
    on: NaiveDate,
    kind: OrderKind,
    seed: u64,
}

impl PlannedOrder {
    fn scope(&self) -> String {
        match self.kind {
            OrderKind::Basic => "Basisaudit volgens de minimale controleaanpak van Audit Vlaanderen: interne en externe penetratietest, wachtwoordbeleid en toegangsbeheer, een dag begeleiding bij de remediëring.".into(),
            OrderKind::Additional => ["Phishingsimulatie en bewustmakingssessie voor alle medewerkers.", "Review van de back-up- en herstelprocedures (ransomwarebestendigheid).", "Penetratietest van het e-loket en de website.", "Audit van de beveiliging van het draadloze netwerk en de gastnetwerken."][(self.seed % 4) as usize].into(),
        }
    }
}

/// Which governments order when: about 110 basic audits and 10 additional ones by mid-June 2021,
/// with a rush in May 2020, a pause while the new agreement was being awarded and a steady
/// stream after; Gent is left out so the demo can show a first order.
async fn demo_plan(services: &Services, until: DateTime<Utc>) -> Result<Vec<PlannedOrder>> {
    let mut tx = services.store.read().await?;
    let mut municipalities: Vec<String> = tx
        .organisations(&OrganisationFilter {
            kind: Some(OrganisationKind::Gemeente),
            limit: 10_000,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter_map(|o| o.nis_code.map(|n| n.to_string()))
        .filter(|nis| nis != "44021")
        .collect();
    municipalities.sort_by_key(|nis| roll(nis.parse().unwrap_or(0), 99));
    let last = brussels_date(until);
    let working_days = |from: NaiveDate, to: NaiveDate| {
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| is_working_day(*d) && d.weekday() != Weekday::Sat)
            .collect::<Vec<_>>()
    };
    let waves = [
        (working_days(date(2020, 5, 11), date(2020, 6, 5)), 24),
        (working_days(date(2020, 6, 9), date(2020, 6, 26)), 8),
        (working_days(date(2020, 7, 1), date(2020, 12, 18)), 50),
        (working_days(date(2021, 1, 4), date(2021, 6, 14)), 28),
    ];
    let mut plan = Vec::new();
    let mut next = municipalities.iter();
    for (days, count) in waves {
        for i in 0..count {
            let Some(nis) = next.next() else { break };
            let on = days[(i * days.len()) / count];
            if on <= last {
                plan.push(PlannedOrder {
                    nis: nis.clone(),
                    on,
                    kind: OrderKind::Basic,
                    seed: roll(i as i64, 7),
                });
            }
        }
    }
    // The last working days before the demo's now, so offers wait for the firms' answer.
    let mut recent: Vec<NaiveDate> = (0..8).map(|k| last - Days::new(k)).filter(|d| is_working_day(*d)).take(3).collect();
    recent.reverse();
    for (i, on) in recent.into_iter().enumerate() {
        if let Some(nis) = next.next() {
            plan.push(PlannedOrder {
                nis: nis.clone(),
                on,
                kind: OrderKind::Basic,
                seed: roll(i as i64, 11),
            });
        }
    }
    // Additional work, ordered by some of the early basic-audit governments months later.
    let additional: Vec<PlannedOrder> = plan
        .iter()
        .take(60)
        .step_by(6)
        .map(|p| PlannedOrder {
            nis: p.nis.clone(),
            on: p.on + Days::new(120 + roll(p.on.num_days_from_ce() as i64, 5) % 90),
            kind: OrderKind::Additional,
            seed: p.seed,
        })
        .filter(|p| p.on <= last && is_working_day(p.on))
        .collect();
    plan.extend(additional);
    // A province orders too, at 0 % co-financing (D2).
    plan.push(PlannedOrder {
        nis: "70000".into(),
        on: date(2020, 9, 15),
        kind: OrderKind::Basic,
        seed: 3,
    });
    Ok(plan)
}
