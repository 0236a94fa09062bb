//! FIG-8: the answer to the source document's written question, written from the platform's data
//! as at a day: the funds, how the ordering works, when the audits happen and VVSG's role. Every
//! number comes from [`Figures`] of the same day, so it equals what the API gives.

use super::{Figures, figures_at};
use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::clock::brussels_date;
use crate::error::{Result, ServiceError};
use chrono::NaiveDate;
use cyberveilig_domain::cascade::FrameworkAgreement;
use cyberveilig_domain::programme::Eligibility;
use cyberveilig_domain::registry::OrganisationKind;
use cyberveilig_publish::{Block, Document, Inline};

/// The file the answer is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerFormat {
    Markdown,
    Docx,
    Pdf,
}

impl AnswerFormat {
    pub fn parse(text: &str) -> Option<AnswerFormat> {
        match text {
            "md" | "markdown" => Some(AnswerFormat::Markdown),
            "docx" => Some(AnswerFormat::Docx),
            "pdf" => Some(AnswerFormat::Pdf),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            AnswerFormat::Markdown => "md",
            AnswerFormat::Docx => "docx",
            AnswerFormat::Pdf => "pdf",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            AnswerFormat::Markdown => "text/markdown; charset=utf-8",
            AnswerFormat::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            AnswerFormat::Pdf => "application/pdf",
        }
    }
}

/// What the answer is written from besides the figures: the agreements with their firms' names,
/// and the steering group.
#[derive(Debug, Clone)]
pub struct AnswerContext {
    pub agreements: Vec<(FrameworkAgreement, Vec<String>)>,
    /// The steering group's member organisations at the day, and its meetings held by then.
    pub steering_organisations: Vec<String>,
    pub steering_meetings: i64,
    /// The day the answer is written.
    pub written_on: NaiveDate,
}

/// The answer in one language, with the figures it was written from.
#[derive(Debug, Clone)]
pub struct Answer {
    pub figures: Figures,
    pub document: Document,
}

impl Services {
    /// The answer to Parliament at the end of `at` (today when `None`): for the administrators.
    pub async fn parliament_answer(&self, actor: &Actor, programme_id: i64, at: Option<NaiveDate>, dutch: bool) -> Result<Answer> {
        if !can(actor, Permission::ViewFigures) {
            return Err(ServiceError::NotFound("programme"));
        }
        self.parliament_answer_unchecked(programme_id, at, dutch).await
    }

    /// The answer for the operator's command line, which has no actor.
    pub async fn parliament_answer_unchecked(&self, programme_id: i64, at: Option<NaiveDate>, dutch: bool) -> Result<Answer> {
        let day = super::as_at(at, self.clock.now())?;
        let until = super::end_of(day);
        let mut tx = self.store.read().await?;
        let figures = figures_at(tx.as_mut(), programme_id, day).await?;
        let mut context = AnswerContext {
            agreements: Vec::new(),
            steering_organisations: Vec::new(),
            steering_meetings: 0,
            written_on: brussels_date(self.clock.now()),
        };
        for agreement in tx.agreements().await? {
            let mut firms = Vec::new();
            for firm in &agreement.cascade {
                firms.push(tx.organisation(firm.firm_id).await?.map(|o| o.name).unwrap_or_default());
            }
            context.agreements.push((agreement, firms));
        }
        let mut organisations: Vec<String> = tx
            .steering_members()
            .await?
            .into_iter()
            .filter(|m| m.joined_at < until && m.left_at.is_none_or(|left| left >= until))
            .map(|m| m.organisation)
            .collect();
        organisations.sort();
        organisations.dedup();
        context.steering_organisations = organisations;
        context.steering_meetings = tx
            .steering_meetings(Some((until, 0)), 500)
            .await?
            .into_iter()
            .filter(|m| m.starts_at < until)
            .count() as i64;
        let document = answer_document(&figures, &context, dutch);
        Ok(Answer { figures, document })
    }

    /// The answer written as a file.
    pub async fn parliament_answer_file(
        &self,
        actor: Option<&Actor>,
        programme_id: i64,
        at: Option<NaiveDate>,
        dutch: bool,
        format: AnswerFormat,
    ) -> Result<(String, Vec<u8>)> {
        let answer = match actor {
            Some(actor) => self.parliament_answer(actor, programme_id, at, dutch).await?,
            None => self.parliament_answer_unchecked(programme_id, at, dutch).await?,
        };
        let name = format!(
            "{}-{}.{}",
            if dutch { "antwoord-parlement" } else { "answer-parliament" },
            answer.figures.at.format("%Y-%m-%d"),
            format.extension()
        );
        let document = answer.document;
        // Laying out a PDF or zipping a DOCX is work for a blocking thread, not the runtime's workers.
        let bytes = tokio::task::spawn_blocking(move || match format {
            AnswerFormat::Markdown => Ok(cyberveilig_publish::write_markdown::render(&document).into_bytes()),
            AnswerFormat::Docx => cyberveilig_publish::docx::render(&document),
            AnswerFormat::Pdf => cyberveilig_publish::pdf::render(&document),
        })
        .await
        .map_err(|e| ServiceError::internal("parliament_answer", e.to_string()))?
        .map_err(|e| ServiceError::internal("parliament_answer", e.to_string()))?;
        Ok((name, bytes))
    }
}

fn date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

fn kinds(kind: OrganisationKind, dutch: bool) -> &'static str {
    match (kind, dutch) {
        (OrganisationKind::Gemeente, true) => "gemeenten",
        (OrganisationKind::Gemeente, false) => "municipalities",
        (OrganisationKind::Ocmw, true) => "OCMW's",
        (OrganisationKind::Ocmw, false) => "public social welfare centres (OCMW)",
        (OrganisationKind::Provincie, true) => "provincies",
        (OrganisationKind::Provincie, false) => "provinces",
        (OrganisationKind::Politiezone, true) => "politiezones",
        (OrganisationKind::Politiezone, false) => "police zones",
        (OrganisationKind::Hulpverleningszone, true) => "hulpverleningszones",
        (OrganisationKind::Hulpverleningszone, false) => "emergency services zones",
        (OrganisationKind::IntergemeentelijkSamenwerkingsverband, true) => "intergemeentelijke samenwerkingsverbanden",
        (OrganisationKind::IntergemeentelijkSamenwerkingsverband, false) => "intermunicipal partnerships",
        (_, true) => "andere organisaties",
        (_, false) => "other organisations",
    }
}

fn join(items: &[String], dutch: bool) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), if dutch { "en" } else { "and" }),
    }
}

/// The answer as a document: four sections, one per question of the source document.
pub fn answer_document(f: &Figures, context: &AnswerContext, dutch: bool) -> Document {
    let t = |nl: &str, en: &str| if dutch { nl.to_owned() } else { en.to_owned() };
    let settings = &f.programme.settings;
    let day = date(f.at);
    let started = f.at >= settings.offer_starts_on;
    let mut blocks = Vec::new();

    // 1. The funds.
    blocks.push(Block::heading(2, t("1. De middelen", "1. The funds")));
    blocks.push(Block::paragraph(if dutch {
        format!(
            "Voor de cofinanciering van ICT-beveiligingsaudits bij de lokale besturen ({}) is een krediet van {} voorzien. \
             Het doel is dat lokale besturen hun informatieveiligheid laten doorlichten en de vastgestelde \
             zwakheden verhelpen. Op {day} is daarvan {} vastgelegd voor lopende bestellingen, {} uitbetaald en {} nog beschikbaar.",
            f.programme.name,
            f.credit.budget.format_in(true),
            f.credit.reserved.format_in(true),
            f.credit.paid.format_in(true),
            f.credit.available().format_in(true),
        )
    } else {
        format!(
            "For the co-financing of ICT security audits at local governments ({}) a credit of {} is provided. \
             Its purpose is that local governments have their information security audited and remedy the \
             weaknesses found. On {day}, {} of it is committed to orders in progress, {} has been paid and {} is still available.",
            f.programme.name,
            f.credit.budget.format_in(false),
            f.credit.reserved.format_in(false),
            f.credit.paid.format_in(false),
            f.credit.available().format_in(false),
        )
    }));
    let mut funds = vec![vec![
        t("Cofinanciering van audits", "Co-financing of audits"),
        f.credit.budget.format_in(dutch),
        f.credit.reserved.format_in(dutch),
        f.credit.paid.format_in(dutch),
        f.credit.available().format_in(dutch),
    ]];
    if let Some(v) = &f.vvsg {
        blocks.push(Block::paragraph(if dutch {
            format!(
                "{} ontvangt een subsidie van {} voor de periode van {} tot {} voor {}. Op {day} is daarvan {} goedgekeurd en nog niet betaald en {} betaald.",
                "VVSG",
                v.grant.amount.format_in(true),
                date(v.grant.starts_on),
                date(v.grant.ends_on),
                v.grant.name,
                v.balances.reserved.format_in(true),
                v.balances.paid.format_in(true),
            )
        } else {
            format!(
                "VVSG receives a grant of {} for the period from {} to {} for {}. On {day}, {} of it has been approved and not yet paid, and {} has been paid.",
                v.grant.amount.format_in(false),
                date(v.grant.starts_on),
                date(v.grant.ends_on),
                v.grant.name,
                v.balances.reserved.format_in(false),
                v.balances.paid.format_in(false),
            )
        }));
        funds.push(vec![
            t("Subsidie aan VVSG", "Grant to VVSG"),
            v.grant.amount.format_in(dutch),
            v.balances.reserved.format_in(dutch),
            v.balances.paid.format_in(dutch),
            (v.grant.amount - v.balances.reserved - v.balances.paid).format_in(dutch),
        ]);
    }
    blocks.push(Block::Table {
        header: vec![
            t("Middel", "Fund"),
            t("Bedrag", "Amount"),
            t("Vastgelegd", "Committed"),
            t("Betaald", "Paid"),
            t("Beschikbaar", "Available"),
        ],
        rows: funds,
    });

    // 2. How ordering works.
    blocks.push(Block::heading(
        2,
        t("2. Hoe de lokale besturen bestellen", "2. How local governments order"),
    ));
    let of = |wanted: Eligibility| -> Vec<String> {
        settings
            .eligibility
            .iter()
            .filter(|(_, e)| **e == wanted)
            .map(|(k, _)| kinds(*k, dutch).to_owned())
            .collect()
    };
    let (co_financed, order_only) = (of(Eligibility::CoFinanced), of(Eligibility::OrderOnly));
    let mut rules = vec![
        if dutch {
            format!(
                "De Vlaamse overheid draagt {} van de kostprijs van een basisaudit en {} van bijkomend auditwerk, binnen het beschikbare krediet; bedragen worden naar beneden afgerond op de cent.",
                settings.basic_rate, settings.additional_rate
            )
        } else {
            format!(
                "The Flemish government bears {} of the cost of a basic audit and {} of additional audit work, within the available credit; amounts are rounded down to the cent.",
                settings.basic_rate, settings.additional_rate
            )
        },
        if dutch {
            format!(
                "Bestellen kan van {} tot en met {}.",
                date(settings.offer_starts_on),
                date(f.offer_ends_on)
            )
        } else {
            format!(
                "Orders can be placed from {} up to and including {}.",
                date(settings.offer_starts_on),
                date(f.offer_ends_on)
            )
        },
    ];
    if !co_financed.is_empty() {
        rules.push(format!(
            "{}: {}.",
            t("Cofinanciering voor", "Co-financed"),
            join(&co_financed, dutch)
        ));
    }
    if !order_only.is_empty() {
        rules.push(format!(
            "{}: {}.",
            t("Kunnen bestellen zonder cofinanciering", "May order without co-financing"),
            join(&order_only, dutch)
        ));
    }
    if settings.one_basic_audit_per_government {
        rules.push(t("Elk bestuur bestelt één basisaudit.", "Each government orders one basic audit."));
    }
    if settings.additional_requires_basic {
        rules.push(t(
            "Bijkomend auditwerk volgt op een basisaudit van hetzelfde bestuur.",
            "Additional audit work follows a basic audit of the same government.",
        ));
    }
    if settings.waitlist_basic_audits {
        rules.push(t(
            "Is het krediet op, dan komt een basisaudit op een wachtlijst, in volgorde van bestelling.",
            "When the credit runs out, a basic audit goes on a waiting list, first come first served.",
        ));
    }
    blocks.push(Block::list(false, rules));
    blocks.push(Block::paragraph(t(
        "De besturen bestellen via de raamovereenkomsten van Audit Vlaanderen. Een bestelling gaat naar het eerste auditbedrijf van de cascade; weigert het of antwoordt het niet binnen de termijn, dan gaat ze naar het volgende.",
        "Governments order through Audit Vlaanderen's framework agreements. An order goes to the first audit firm of the cascade; if it declines or does not answer within its term, the order moves to the next.",
    )));
    blocks.push(Block::Table {
        header: vec![
            t("Raamovereenkomst", "Framework agreement"),
            t("Bestellingen van", "Orders from"),
            t("tot en met", "up to and including"),
            t("Stand op", "Status on").to_owned() + " " + &day,
            t("Cascade (prijs basisaudit)", "Cascade (price of a basic audit)"),
        ],
        rows: context
            .agreements
            .iter()
            .map(|(a, firms)| {
                let status = if f.at < a.window_from {
                    t("gepland", "planned")
                } else if f.at > a.window_until {
                    t("afgelopen", "ended")
                } else if a.active {
                    t("van kracht", "in force")
                } else {
                    t("wacht op de gunning", "awaiting the award")
                };
                let cascade = a
                    .cascade
                    .iter()
                    .zip(firms)
                    .map(|(c, name)| format!("{}. {name} ({})", c.rank, c.package_price.format_in(dutch)))
                    .collect::<Vec<_>>()
                    .join("; ");
                vec![a.title.clone(), date(a.window_from), date(a.window_until), status, cascade]
            })
            .collect(),
    });

    // 3. When the audits happen.
    blocks.push(Block::heading(
        2,
        t("3. Wanneer de audits plaatsvinden", "3. When the audits take place"),
    ));
    let o = &f.orders;
    if o.submitted == 0 {
        blocks.push(Block::paragraph(if dutch {
            format!(
                "Op {day} is nog geen bestelling ingediend. {} De audits volgen op de bestellingen, gespreid over de looptijd van het aanbod tot {}.",
                if started { String::new() } else { format!("Bestellen kan vanaf {}.", date(settings.offer_starts_on)) },
                date(f.offer_ends_on)
            )
        } else {
            format!(
                "On {day} no order has been submitted yet. {} The audits follow the orders, spread over the offer's term until {}.",
                if started { String::new() } else { format!("Orders can be placed from {}.", date(settings.offer_starts_on)) },
                date(f.offer_ends_on)
            )
        }));
    } else {
        blocks.push(Block::Paragraph(vec![Inline::plain(if dutch {
            format!(
                "Op {day} zijn {} bestellingen ingediend. {} basisaudits zijn besteld (niet geannuleerd), {} opgeleverd en {} vereffend. \
                 {} lokale besturen zijn bereikt, waaronder {} van de {} gemeenten.",
                o.submitted,
                o.basic.ordered,
                o.basic.delivered,
                o.basic.settled,
                f.reach.governments,
                f.reach.municipalities_reached,
                f.reach.municipalities
            )
        } else {
            format!(
                "On {day}, {} orders have been submitted. {} basic audits are ordered (not cancelled), {} delivered and {} settled. \
                 {} local governments are reached, among them {} of the {} municipalities.",
                o.submitted,
                o.basic.ordered,
                o.basic.delivered,
                o.basic.settled,
                f.reach.governments,
                f.reach.municipalities_reached,
                f.reach.municipalities
            )
        })]));
        let l = &f.lead_times;
        let median = |d: Option<i64>| d.map_or_else(|| "-".to_owned(), |d| d.to_string());
        blocks.push(Block::paragraph(if dutch {
            format!(
                "Van bestelling tot aanvaarding door een auditbedrijf duurt het mediaan {} dagen, tot oplevering {} dagen.",
                median(l.to_acceptance.median_days),
                median(l.to_delivery.median_days)
            )
        } else {
            format!(
                "From order to acceptance by an audit firm takes a median of {} days, to delivery {} days.",
                median(l.to_acceptance.median_days),
                median(l.to_delivery.median_days)
            )
        }));
        blocks.push(Block::Table {
            header: vec![
                t("Maand", "Month"),
                t("Basisaudits besteld", "Basic audits ordered"),
                t("Bijkomend werk besteld", "Additional work ordered"),
                t("Opgeleverd", "Delivered"),
                t("Vereffend", "Settled"),
            ],
            rows: o
                .by_month
                .iter()
                .filter(|m| m.basic + m.additional + m.delivered + m.settled > 0)
                .map(|m| {
                    vec![
                        m.month.to_string(),
                        m.basic.to_string(),
                        m.additional.to_string(),
                        m.delivered.to_string(),
                        m.settled.to_string(),
                    ]
                })
                .collect(),
        });
        blocks.push(Block::Table {
            header: vec![
                t("Provincie", "Province"),
                t("Gemeenten", "Municipalities"),
                t("Bereikt", "Reached"),
            ],
            rows: f
                .reach
                .provinces
                .iter()
                .map(|p| {
                    let name = if dutch { p.province.name_nl() } else { p.province.name_en() };
                    vec![name.to_owned(), p.municipalities.to_string(), p.reached.to_string()]
                })
                .collect(),
        });
    }

    // 4. VVSG's role.
    blocks.push(Block::heading(2, t("4. De rol van VVSG", "4. VVSG's role")));
    match &f.vvsg {
        None => blocks.push(Block::paragraph(t(
            "Er is geen subsidie aan VVSG geregistreerd.",
            "No grant to VVSG is registered.",
        ))),
        Some(v) => {
            blocks.push(Block::paragraph(t(
                "VVSG ondersteunt de lokale besturen met een actieplan in werkpakketten:",
                "VVSG supports the local governments with an action plan in work packages:",
            )));
            blocks.push(Block::list(
                true,
                v.grant
                    .work_packages
                    .iter()
                    .map(|p| if dutch { p.title_nl.clone() } else { p.title_en.clone() }),
            ));
            match &v.progress {
                None => blocks.push(Block::paragraph(if dutch {
                    format!("Het actieplan start op {}.", date(v.grant.starts_on))
                } else {
                    format!("The action plan starts on {}.", date(v.grant.starts_on))
                })),
                Some(p) => blocks.push(Block::paragraph(if dutch {
                    format!(
                        "Op {day} zijn {} resultaten van het actieplan klaar. VVSG hield {} sensibiliseringsevenementen met {} inschrijvingen en {} aanwezigen uit {} organisaties, waaronder {} gemeenten. \
                         De toolkit telt {} gepubliceerde items, gebruikt door {} organisaties.",
                        p.deliverables_done,
                        p.events_held,
                        p.registered,
                        p.attended,
                        p.organisations_reached,
                        p.municipalities_reached,
                        p.toolkit_published,
                        p.toolkit_organisations
                    )
                } else {
                    format!(
                        "On {day}, {} deliverables of the action plan are done. VVSG held {} awareness events with {} registrations and {} attendees from {} organisations, among them {} municipalities. \
                         The toolkit has {} published items, used by {} organisations.",
                        p.deliverables_done,
                        p.events_held,
                        p.registered,
                        p.attended,
                        p.organisations_reached,
                        p.municipalities_reached,
                        p.toolkit_published,
                        p.toolkit_organisations
                    )
                })),
            }
        }
    }
    if context.steering_organisations.is_empty() {
        blocks.push(Block::paragraph(t(
            "Een stuurgroep volgt het actieplan op.",
            "A steering group follows up the action plan.",
        )));
    } else {
        blocks.push(Block::paragraph(if dutch {
            format!(
                "Een stuurgroep met {} volgt het actieplan op; ze vergaderde tot {day} {} keer.",
                join(&context.steering_organisations, true),
                context.steering_meetings
            )
        } else {
            format!(
                "A steering group of {} follows up the action plan; it met {} times up to {day}.",
                join(&context.steering_organisations, false),
                context.steering_meetings
            )
        }));
    }

    Document {
        title: t(
            "Antwoord: cofinanciering van ICT-beveiligingsaudits bij lokale besturen",
            "Answer: co-financing of ICT security audits at local governments",
        ),
        subtitle: Some(if dutch {
            format!(
                "Toestand op {day}, uit de gegevens van het platform (opgemaakt op {})",
                date(context.written_on)
            )
        } else {
            format!("As at {day}, from the platform's data (written on {})", date(context.written_on))
        }),
        language: if dutch { "nl".into() } else { "en".into() },
        blocks,
    }
}
