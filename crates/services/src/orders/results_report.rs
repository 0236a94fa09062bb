//! The government's report of its audit (issue 14, part 4): for one order, the assessment with
//! its scores per area, the findings by priority, the remediation plan with its deadlines and
//! the remediation day's record, written from live data as a tagged PDF. The firm's own audit
//! report (the PDF it uploads, D11) stays what it is; this one is the platform's summary.

use crate::Services;
use crate::authz::Actor;
use crate::clock::brussels_date;
use crate::error::{Result, ServiceError};
use chrono::NaiveDate;
use cyberveilig_domain::assessment::AreaScore;
use cyberveilig_domain::order::OrderKind;
use cyberveilig_publish::{Block, Document};
use cyberveilig_store::records::{RegisterEntry, RegisterQuery, RegisterSort, RemediationDay};

/// Most findings the report lists; the register holds them all.
pub const MAX_FINDINGS: i64 = 200;

fn date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

fn score(a: &AreaScore) -> String {
    a.per_mille()
        .map(|p| format!("{},{} %", p / 10, p % 10))
        .unwrap_or_else(|| "-".into())
}

impl Services {
    /// The report of an order's audit as a PDF, for whoever may see the order (its government,
    /// its firm, the administrators; 404 for anyone else), in Dutch or English.
    pub async fn results_report_pdf(&self, actor: &Actor, order_id: i64, dutch: bool) -> Result<(String, Vec<u8>)> {
        let order = self.order(actor, order_id).await?;
        let t = |nl: &str, en: &str| if dutch { nl.to_owned() } else { en.to_owned() };
        let government = {
            let mut tx = self.store.read().await?;
            let government = tx.organisation(order.government_id).await?.map(|o| o.name).unwrap_or_default();
            let firm = match order.firm_id {
                Some(id) => tx.organisation(id).await?.map(|o| o.name),
                None => None,
            };
            (government, firm)
        };
        let assessment = match self.assessment(actor, order_id, None).await {
            Ok(view) => Some(view),
            Err(ServiceError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        let findings = {
            let mut tx = self.store.read().await?;
            tx.register(&RegisterQuery {
                government_id: Some(order.government_id),
                order_id: Some(order_id),
                sort: RegisterSort::Priority,
                limit: MAX_FINDINGS + 1,
                ..RegisterQuery::default()
            })
            .await?
            .entries
        };
        // Only a basic audit has a remediation day (C2).
        let day = if order.kind == OrderKind::Basic {
            match self.remediation_agenda(actor, order_id, None).await {
                Ok(agenda) => agenda.record,
                Err(ServiceError::NotFound(_) | ServiceError::Forbidden | ServiceError::Conflict { .. }) => None,
                Err(e) => return Err(e),
            }
        } else {
            None
        };
        let today = brussels_date(self.clock.now());

        let mut blocks = vec![Block::paragraph(format!(
            "{} {} · {} {} · {} {}",
            t("Bestelling", "Order"),
            order.id,
            t("auditbedrijf", "audit firm"),
            government.1.clone().unwrap_or_else(|| "-".into()),
            t("opgeleverd op", "delivered on"),
            order.delivered_on.map(date).unwrap_or_else(|| t("nog niet", "not yet")),
        ))];

        blocks.push(Block::heading(2, t("1. Beoordeling per domein", "1. Assessment per area")));
        match &assessment {
            None => blocks.push(Block::paragraph(t("Er is nog geen beoordeling.", "There is no assessment yet."))),
            Some(view) => {
                blocks.push(Block::paragraph(format!(
                    "{}: {}. {}: {}.",
                    t("Referentiekader", "Catalogue"),
                    if dutch { &view.catalogue.name_nl } else { &view.catalogue.name_en },
                    t("Totaalscore", "Overall score"),
                    score(&view.scores.overall)
                )));
                let area_name = |ref_id: &str| {
                    view.areas
                        .iter()
                        .find(|a| a.ref_id == ref_id)
                        .map(|a| if dutch { a.name_nl.clone() } else { a.name_en.clone() })
                        .unwrap_or_else(|| ref_id.to_owned())
                };
                blocks.push(Block::Table {
                    header: vec![
                        t("Domein", "Area"),
                        t("Score", "Score"),
                        t("Voldoet", "Compliant"),
                        t("Deels", "Partially"),
                        t("Voldoet niet", "Not compliant"),
                        t("N.v.t.", "N/A"),
                    ],
                    rows: view
                        .scores
                        .areas
                        .iter()
                        .map(|a| {
                            vec![
                                area_name(&a.area),
                                score(a),
                                a.compliant.to_string(),
                                a.partially.to_string(),
                                a.not_compliant.to_string(),
                                a.not_applicable.to_string(),
                            ]
                        })
                        .collect(),
                });
            }
        }

        let shown: &[RegisterEntry] = &findings[..findings.len().min(MAX_FINDINGS as usize)];
        blocks.push(Block::heading(2, t("2. Bevindingen naar prioriteit", "2. Findings by priority")));
        if shown.is_empty() {
            blocks.push(Block::paragraph(t("Geen bevindingen.", "No findings.")));
        } else {
            if findings.len() > shown.len() {
                blocks.push(Block::paragraph(format!(
                    "{} {MAX_FINDINGS} {}",
                    t("De", "The"),
                    t(
                        "dringendste bevindingen; het register op het platform bevat ze alle.",
                        "most urgent findings; the register on the platform holds them all."
                    )
                )));
            }
            blocks.push(Block::Table {
                header: vec![
                    t("Bevinding", "Finding"),
                    t("Systeem", "System"),
                    t("Ernst", "Severity"),
                    t("SSVC", "SSVC"),
                    t("Stand", "Status"),
                ],
                rows: shown
                    .iter()
                    .map(|e| {
                        let f = &e.finding;
                        vec![
                            f.title.clone(),
                            e.asset_name.clone().unwrap_or_default(),
                            f.severity.as_str().to_owned(),
                            f.decision.map(|d| d.as_str().to_owned()).unwrap_or_default(),
                            f.status.as_str().to_owned(),
                        ]
                    })
                    .collect(),
            });
        }

        blocks.push(Block::heading(2, t("3. Remediëringsplan", "3. Remediation plan")));
        let mut plan: Vec<&RegisterEntry> = shown.iter().filter(|e| e.finding.status.is_open()).collect();
        plan.sort_by_key(|e| e.finding.due_on.unwrap_or(NaiveDate::MAX));
        if plan.is_empty() {
            blocks.push(Block::paragraph(t("Geen open bevindingen.", "No open findings.")));
        } else {
            blocks.push(Block::Table {
                header: vec![
                    t("Bevinding", "Finding"),
                    t("Eigenaar", "Owner"),
                    t("Tegen", "Due"),
                    t("Te laat", "Overdue"),
                ],
                rows: plan
                    .iter()
                    .map(|e| {
                        let overdue = e.finding.due_on.is_some_and(|d| d < today);
                        vec![
                            e.finding.title.clone(),
                            e.owner_name.clone().unwrap_or_default(),
                            e.finding.due_on.map(date).unwrap_or_default(),
                            if overdue { t("ja", "yes") } else { String::new() },
                        ]
                    })
                    .collect(),
            });
        }

        blocks.push(Block::heading(2, t("4. Remediëringsdag", "4. Remediation day")));
        match &day {
            None if order.kind == OrderKind::Additional => blocks.push(Block::paragraph(t(
                "Bijkomend auditwerk heeft geen eigen remediëringsdag.",
                "Additional audit work has no remediation day of its own.",
            ))),
            None => blocks.push(Block::paragraph(t(
                "De remediëringsdag is nog niet gehouden.",
                "The remediation day has not been held yet.",
            ))),
            Some(RemediationDay {
                held_on,
                attendees,
                people,
                actions,
                ..
            }) => {
                let mut present: Vec<String> = people.iter().map(|(_, name)| name.clone()).collect();
                if !attendees.trim().is_empty() {
                    present.push(attendees.trim().to_owned());
                }
                blocks.push(Block::paragraph(format!(
                    "{} {}. {}: {}.",
                    t("Gehouden op", "Held on"),
                    date(*held_on),
                    t("Aanwezig", "Present"),
                    present.join(", ")
                )));
                let title = |id: i64| {
                    findings
                        .iter()
                        .find(|e| e.finding.id == id)
                        .map(|e| e.finding.title.clone())
                        .unwrap_or_else(|| format!("#{id}"))
                };
                if actions.is_empty() {
                    blocks.push(Block::paragraph(t(
                        "Er stonden geen bevindingen op de agenda.",
                        "No findings were on the agenda.",
                    )));
                } else {
                    blocks.push(Block::Table {
                        header: vec![
                            t("Bevinding", "Finding"),
                            t("Actie gestart", "Action started"),
                            t("Notitie", "Note"),
                        ],
                        rows: actions
                            .iter()
                            .map(|a| {
                                vec![
                                    title(a.finding_id),
                                    if a.started { t("ja", "yes") } else { t("nee", "no") },
                                    a.note.clone(),
                                ]
                            })
                            .collect(),
                    });
                }
            }
        }

        let document = Document {
            title: format!("{}: {}", t("Auditrapport", "Audit report"), government.0),
            subtitle: Some(format!(
                "{} {}",
                t("Uit de gegevens van het platform op", "From the platform's data on"),
                date(today)
            )),
            language: if dutch { "nl".into() } else { "en".into() },
            blocks,
        };
        let bytes = tokio::task::spawn_blocking(move || cyberveilig_publish::pdf::render(&document))
            .await
            .map_err(|e| ServiceError::internal("results_report", e.to_string()))?
            .map_err(|e| ServiceError::internal("results_report", e.to_string()))?;
        let name = format!(
            "{}-{order_id}.pdf",
            if dutch { "auditrapport-bestelling" } else { "audit-report-order" }
        );
        Ok((name, bytes))
    }
}
