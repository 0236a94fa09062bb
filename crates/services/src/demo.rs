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

    /// The demo's engagements (the Howest track): Kortrijk's authorised and under way on the
    /// demo clock's day, Brugge's proposed and waiting for its signatory. Only when there are none.
    pub async fn seed_demo_engagements(&self) -> Result<()> {
        let vvsg = self.demo_actor("vvsg@vvsg.test").await?;
        if !self.engagements(&vvsg).await?.is_empty() {
            return Ok(());
        }
        let today = crate::clock::brussels_date(self.clock.now());
        let team = vec![
            ("docent@howest.test".to_owned(), "supervisor".to_owned()),
            ("student@howest.test".to_owned(), "student".to_owned()),
        ];
        let kortrijk = self
            .propose_engagement(
                &vvsg,
                crate::engagements::EngagementTerms {
                    government_nis: "34022".into(),
                    title: "Externe en interne test door Howest (semester 2)".into(),
                    starts_on: Some(today),
                    ends_on: Some(today + chrono::Days::new(60)),
                    scope: vec!["www.kortrijk.be".into(), "mail.kortrijk.be".into(), "192.0.2.0/28".into()],
                    techniques: vec![
                        "network_scanning".into(),
                        "web_scanning".into(),
                        "manual_web_testing".into(),
                        "phishing_mail".into(),
                    ],
                    team: team.clone(),
                    government_contact: "Informatieveiligheidsconsulent Kortrijk, 056 27 00 00".into(),
                    team_contact: "Docent Howest (begeleider), 056 24 12 90".into(),
                    emergency_contact: "Servicedesk Kortrijk, 056 27 99 99 (24/7)".into(),
                },
            )
            .await?;
        let signatory = self.demo_actor("directeur.34022@gemeente.test").await?;
        let (_, letter) = self.engagement_letter(&signatory, kortrijk.engagement.id).await?;
        self.accept_engagement(&signatory, kortrijk.engagement.id, &letter.hash, true)
            .await?;
        self.propose_engagement(
            &vvsg,
            crate::engagements::EngagementTerms {
                government_nis: "31005".into(),
                title: "Webapplicaties van Brugge".into(),
                starts_on: Some(today + chrono::Days::new(14)),
                ends_on: Some(today + chrono::Days::new(74)),
                scope: vec!["www.brugge.be".into(), "https://eloket.brugge.be".into()],
                techniques: vec!["web_scanning".into(), "manual_web_testing".into(), "password_attacks".into()],
                team,
                government_contact: "Informatieveiligheidsconsulent Brugge, 050 44 80 00".into(),
                team_contact: "Docent Howest (begeleider), 056 24 12 90".into(),
                emergency_contact: "ICT-permanentie Brugge, 050 44 89 99 (24/7)".into(),
            },
        )
        .await?;
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

impl Services {
    /// A few vulnerability reports in various states (issue 5) for the first government with a
    /// basic audit a firm accepted: received, valid and in remediation (with a finding and a
    /// conversation), a duplicate, an informative one, and a fixed one whose reporter is thanked.
    /// Returns how many were made.
    pub async fn seed_demo_reports(&self) -> Result<usize> {
        use crate::reports::{Access, ReportChange, ReportInput};
        let admin = self.demo_actor("admin@abb.test").await?;
        let orders = self
            .orders(
                &admin,
                cyberveilig_store::records::OrderFilter {
                    limit: 500,
                    ..Default::default()
                },
            )
            .await?;
        let Some(order) = orders.into_iter().find(|o| o.kind == OrderKind::Basic && o.state.takes_results()) else {
            return Ok(0);
        };
        let government = self.organisation(order.government_id).await?;
        let Some(nis) = government.nis_code.clone() else { return Ok(0) };
        let Ok(gov) = self.demo_actor(&format!("{nis}@gemeente.test")).await else {
            return Ok(0);
        };
        let slug: String = government
            .name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let domain = format!("{slug}.be");
        {
            let mut tx = self.store.write().await?;
            tx.upsert_asset(&cyberveilig_store::records::NewAsset {
                government_id: government.id,
                kind: cyberveilig_domain::asset::AssetKind::Domain,
                name: domain.clone(),
                hostname: None,
                ip: None,
                os: None,
                at: self.clock.now(),
            })
            .await?;
            tx.commit().await?;
        }
        let student = self.demo_actor("student@howest.test").await?;
        let input = |path: &str, cwe: &str, title: &str| ReportInput {
            government_nis: nis.to_string(),
            target: format!("https://www.{domain}{path}"),
            cwe: cwe.into(),
            title: title.into(),
            description: format!("{title} op www.{domain}{path}."),
            steps: format!("1. Open https://www.{domain}{path}\n2. Zie het gedrag hierboven."),
            impact: "Een aanvaller kan gegevens van burgers inzien of wijzigen.".into(),
            ..ReportInput::default()
        };
        let step = |state: &str, outcome: Option<&str>| ReportChange {
            state: state.into(),
            outcome: outcome.map(str::to_owned),
            ..ReportChange::default()
        };
        let g = Access::Person(&gov);
        // 1. Just received, anonymously.
        self.submit_report(None, input("/", "CWE-327", "Verouderde TLS-versies aanvaard"))
            .await?;
        // 2. A researcher's valid report, in remediation, with a conversation.
        let valid = self
            .submit_report(
                Some(&student),
                ReportInput {
                    reporter_name: Some("Howest-student".into()),
                    credit_consent: true,
                    cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N".into()),
                    ..input("/zoeken", "CWE-79", "Reflected XSS in de zoekfunctie")
                },
            )
            .await?;
        self.change_report(g, valid.report.id, step("acknowledged", None)).await?;
        self.change_report(
            g,
            valid.report.id,
            ReportChange {
                note: Some("Bedankt, we konden het nadoen. We zetten het in ons herstelplan.".into()),
                ..step("triaged", Some("valid"))
            },
        )
        .await?;
        self.make_finding(&gov, valid.report.id).await?;
        self.post_report_message(
            Access::Person(&student),
            valid.report.id,
            "Laat gerust weten wanneer ik het herstel mag nakijken.",
        )
        .await?;
        // 3. The same weakness reported again: a duplicate.
        let dup = self.submit_report(None, input("/zoeken", "CWE-79", "XSS via parameter q")).await?;
        self.change_report(
            g,
            dup.report.id,
            ReportChange {
                duplicate_of: Some(valid.report.tracking_code.clone()),
                ..step("triaged", Some("duplicate"))
            },
        )
        .await?;
        self.change_report(g, dup.report.id, step("closed", None)).await?;
        // 4. Informative, closed.
        let info = self
            .submit_report(None, input("/robots.txt", "CWE-200", "robots.txt toont interne paden"))
            .await?;
        self.change_report(g, info.report.id, step("triaged", Some("informative"))).await?;
        self.change_report(g, info.report.id, step("closed", None)).await?;
        // 5. Fixed, and its reporter thanked.
        let fixed = self
            .submit_report(
                None,
                ReportInput {
                    reporter_name: Some("WhiteHat Wout".into()),
                    reporter_email: Some("wout@example.test".into()),
                    credit_consent: true,
                    cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into()),
                    ..input("/loket/api/aanvragen", "CWE-639", "Aanvragen van andere burgers opvraagbaar (IDOR)")
                },
            )
            .await?;
        self.change_report(g, fixed.report.id, step("triaged", Some("valid"))).await?;
        let view = self.make_finding(&gov, fixed.report.id).await?;
        if let Some(finding_id) = view.report.finding_id {
            self.change_finding_status(
                &gov,
                finding_id,
                crate::remediation::StatusChange {
                    status: "fixed".into(),
                    reason: None,
                    until: None,
                },
            )
            .await?;
        }
        Ok(5)
    }
}
