//! The report of a steering group meeting, assembled from live data at the moment it is asked
//! for, and rendered as a tagged PDF. Each section is optional: a section whose figures this
//! installation does not have is left out, and new sections (the grant, the toolkit's use, the
//! events' reach) are added as fields of [`ReportSections`] with their own blocks.

use super::{meeting_view, viewer};
use crate::Services;
use crate::authz::Actor;
use crate::clock::brussels_date;
use crate::error::{Result, ServiceError};
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::engagement::EngagementState;
use cyberveilig_domain::ledger::Balances;
use cyberveilig_domain::order::{OrderKind, OrderState};
use cyberveilig_publish::{Block, Document, markdown};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{EngagementFilter, OrderFilter, SteeringMember};
use std::collections::{BTreeMap, BTreeSet};

use super::MeetingView;

/// One co-financing programme's figures.
#[derive(Debug, Clone)]
pub struct ProgrammeFigures {
    pub name: String,
    pub balances: Balances,
    /// Orders by kind and state.
    pub orders: Vec<(OrderKind, OrderState, i64)>,
    /// Local governments with at least one order that is not cancelled or unplaceable.
    pub governments_reached: i64,
}

/// The co-financing programme(s) (the audits of local governments).
#[derive(Debug, Clone)]
pub struct CoFinancing {
    pub programmes: Vec<ProgrammeFigures>,
}

/// The engagements of ethical hackers (Howest) with local governments.
#[derive(Debug, Clone)]
pub struct EngagementFigures {
    pub by_state: Vec<(EngagementState, i64)>,
    /// Governments with an engagement that was not withdrawn.
    pub governments: i64,
    /// Every engagement: title, state, from, until.
    pub list: Vec<(String, EngagementState, NaiveDate, NaiveDate)>,
}

/// The live sections of a meeting's report; each is left out when `None`.
#[derive(Debug, Clone, Default)]
pub struct ReportSections {
    pub co_financing: Option<CoFinancing>,
    pub engagements: Option<EngagementFigures>,
    /// The awareness events' reach (work package 3), once there are past events.
    pub awareness: Option<crate::awareness::Reach>,
    /// VVSG's grant: claimed, approved and paid per work package, and the deliverables.
    pub grant: Option<crate::grant::GrantView>,
    /// The toolkit (work package 1): each published item with the organisations that opened,
    /// downloaded and completed it.
    pub toolkit: Option<Vec<(String, cyberveilig_store::records::UseTotals)>>,
}

/// A meeting's report: the meeting as recorded, and the programme's figures as they stand.
#[derive(Debug, Clone)]
pub struct MeetingReport {
    pub view: MeetingView,
    pub members: Vec<SteeringMember>,
    /// The action items' owners by member id (past members too).
    pub owners: BTreeMap<i64, String>,
    pub sections: ReportSections,
    pub assembled_at: DateTime<Utc>,
}

impl Services {
    /// ST-7: a meeting's report from live data, for the group's members and the administrators (404
    /// for others).
    pub async fn steering_report(&self, actor: &Actor, meeting_id: i64) -> Result<MeetingReport> {
        let assembled_at = self.clock.now();
        let mut tx = self.store.read().await?;
        viewer(tx.as_mut(), actor).await?;
        let view = meeting_view(tx.as_mut(), actor, meeting_id).await?;
        let members = tx.steering_members().await?;
        let mut owners = BTreeMap::new();
        for item in &view.actions {
            if let Some(m) = tx.steering_member(item.owner_id).await? {
                owners.insert(m.id, m.name);
            }
        }
        let sections = ReportSections {
            co_financing: co_financing(tx.as_mut()).await?,
            engagements: engagements(tx.as_mut()).await?,
            awareness: Some(crate::awareness::reach_of(tx.as_mut(), assembled_at).await?).filter(|r| !r.events.is_empty()),
            grant: match tx.grants().await?.into_iter().next() {
                Some(g) => Some(crate::grant::view_for_report(tx.as_mut(), g, crate::clock::brussels_date(assembled_at)).await?),
                None => None,
            },
            toolkit: toolkit_use(tx.as_mut()).await?,
        };
        Ok(MeetingReport {
            view,
            members,
            owners,
            sections,
            assembled_at,
        })
    }

    /// The meeting's report as a PDF, in Dutch or English.
    pub async fn steering_report_pdf(&self, actor: &Actor, meeting_id: i64, dutch: bool) -> Result<Vec<u8>> {
        let report = self.steering_report(actor, meeting_id).await?;
        // Laying out and writing a PDF is work for a blocking thread, not the runtime's workers.
        tokio::task::spawn_blocking(move || cyberveilig_publish::pdf::render(&report_document(&report, dutch)))
            .await
            .map_err(|e| ServiceError::internal("steering_report_pdf", e.to_string()))?
            .map_err(|e| ServiceError::internal("steering_report_pdf", e.to_string()))
    }
}

/// Every published toolkit item with its use, or `None` while nothing is published.
async fn toolkit_use(tx: &mut dyn Tx) -> Result<Option<Vec<(String, cyberveilig_store::records::UseTotals)>>> {
    let totals = tx.toolkit_use_totals().await?;
    let mut out = Vec::new();
    let mut after_id = None;
    loop {
        let page = tx
            .toolkit_entries(&cyberveilig_store::records::ToolkitFilter {
                published_only: true,
                after_id,
                limit: 200,
                ..Default::default()
            })
            .await?;
        let Some(last) = page.last() else { break };
        after_id = Some(last.item.id);
        for e in page {
            let used = totals
                .iter()
                .find(|t| t.item_id == e.item.id)
                .copied()
                .unwrap_or(cyberveilig_store::records::UseTotals {
                    item_id: e.item.id,
                    ..Default::default()
                });
            out.push((e.version.title_nl, used));
        }
    }
    Ok(Some(out).filter(|o| !o.is_empty()))
}

async fn co_financing(tx: &mut dyn Tx) -> Result<Option<CoFinancing>> {
    let mut programmes = Vec::new();
    for programme in tx.programmes().await? {
        let balances = tx.balances(programme.id).await?;
        let orders = tx.order_counts(programme.id).await?;
        let mut reached = BTreeSet::new();
        let mut after_id = None;
        loop {
            let page = tx
                .orders(&OrderFilter {
                    programme_id: Some(programme.id),
                    after_id,
                    limit: 500,
                    ..OrderFilter::default()
                })
                .await?;
            let Some(last) = page.last() else { break };
            after_id = Some(last.id);
            for order in &page {
                if !matches!(order.state, OrderState::Cancelled | OrderState::Unplaceable) {
                    reached.insert(order.government_id);
                }
            }
        }
        programmes.push(ProgrammeFigures {
            name: programme.name,
            balances,
            orders,
            governments_reached: reached.len() as i64,
        });
    }
    Ok((!programmes.is_empty()).then_some(CoFinancing { programmes }))
}

async fn engagements(tx: &mut dyn Tx) -> Result<Option<EngagementFigures>> {
    let all = tx.engagements(&EngagementFilter::default()).await?;
    if all.is_empty() {
        return Ok(None);
    }
    let mut by_state: BTreeMap<&'static str, (EngagementState, i64)> = BTreeMap::new();
    let mut governments = BTreeSet::new();
    for e in &all {
        by_state.entry(e.state.as_str()).or_insert((e.state, 0)).1 += 1;
        if e.state != EngagementState::Withdrawn {
            governments.insert(e.government_id);
        }
    }
    Ok(Some(EngagementFigures {
        by_state: by_state.into_values().collect(),
        governments: governments.len() as i64,
        list: all.into_iter().map(|e| (e.title, e.state, e.starts_on, e.ends_on)).collect(),
    }))
}

fn date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

fn engagement_state(state: EngagementState, dutch: bool) -> &'static str {
    match (state, dutch) {
        (EngagementState::Proposed, true) => "voorgesteld",
        (EngagementState::Proposed, false) => "proposed",
        (EngagementState::Authorised, true) => "toegestaan",
        (EngagementState::Authorised, false) => "authorised",
        (EngagementState::Withdrawn, true) => "ingetrokken",
        (EngagementState::Withdrawn, false) => "withdrawn",
        (EngagementState::Closed, true) => "afgesloten",
        (EngagementState::Closed, false) => "closed",
    }
}

/// The report as a document for people, in Dutch or English.
pub fn report_document(report: &MeetingReport, dutch: bool) -> Document {
    let t = |nl: &str, en: &str| if dutch { nl.to_owned() } else { en.to_owned() };
    let meeting = &report.view.meeting;
    let local = meeting.starts_at.with_timezone(&chrono_tz::Europe::Brussels);
    let mut blocks = vec![Block::paragraph(format!(
        "{} {}, {}. {} {}.",
        t("Vergadering van", "Meeting of"),
        local.format("%d/%m/%Y %H:%M"),
        meeting.place,
        t("Cijfers zoals ze stonden op", "Figures as they stood on"),
        date(brussels_date(report.assembled_at)),
    ))];

    blocks.push(Block::heading(2, t("Leden", "Members")));
    blocks.push(Block::Table {
        header: vec![t("Naam", "Name"), t("Organisatie", "Organisation"), t("Rol", "Role")],
        rows: report
            .members
            .iter()
            .map(|m| vec![m.name.clone(), m.organisation.clone(), m.role.label(dutch).to_owned()])
            .collect(),
    });

    blocks.push(Block::heading(2, t("Agenda", "Agenda")));
    if report.view.agenda.is_empty() {
        blocks.push(Block::paragraph(t("Geen agenda.", "No agenda.")));
    } else {
        blocks.push(Block::list(true, report.view.agenda.iter().cloned()));
    }

    blocks.push(Block::heading(
        2,
        format!("{} ({})", t("Notulen", "Minutes"), meeting.minutes_state.label(dutch)),
    ));
    match &meeting.minutes {
        Some(minutes) => blocks.extend(markdown::to_blocks(minutes)),
        None => blocks.push(Block::paragraph(t("Nog geen notulen.", "No minutes yet."))),
    }

    blocks.push(Block::heading(2, t("Beslissingen", "Decisions")));
    if report.view.decisions.is_empty() {
        blocks.push(Block::paragraph(t("Geen beslissingen.", "No decisions.")));
    } else {
        blocks.push(Block::Table {
            header: vec![t("Nr.", "No."), t("Beslissing", "Decision")],
            rows: report
                .view
                .decisions
                .iter()
                .map(|d| vec![d.number.to_string(), d.text.clone()])
                .collect(),
        });
    }

    blocks.push(Block::heading(2, t("Actiepunten", "Action items")));
    if report.view.actions.is_empty() {
        blocks.push(Block::paragraph(t("Geen actiepunten.", "No action items.")));
    } else {
        blocks.push(Block::Table {
            header: vec![
                t("Actiepunt", "Action item"),
                t("Eigenaar", "Owner"),
                t("Tegen", "Due"),
                t("Status", "Status"),
            ],
            rows: report
                .view
                .actions
                .iter()
                .map(|a| {
                    vec![
                        a.title.clone(),
                        report.owners.get(&a.owner_id).cloned().unwrap_or_default(),
                        date(a.due_on),
                        a.status.label(dutch).to_owned(),
                    ]
                })
                .collect(),
        });
    }

    if let Some(co) = &report.sections.co_financing {
        blocks.push(Block::heading(2, t("Cofinanciering van audits", "Co-financing of audits")));
        for p in &co.programmes {
            blocks.push(Block::heading(3, p.name.clone()));
            let b = &p.balances;
            blocks.push(Block::Table {
                header: vec![t("Cijfer", "Figure"), t("Bedrag", "Amount")],
                rows: vec![
                    vec![t("Budget", "Budget"), b.budget.format_in(dutch)],
                    vec![t("Gereserveerd", "Reserved"), b.reserved.format_in(dutch)],
                    vec![t("Uitbetaald", "Paid"), b.paid.format_in(dutch)],
                    vec![t("Beschikbaar", "Available"), b.available().format_in(dutch)],
                ],
            });
            blocks.push(Block::paragraph(format!(
                "{}: {}",
                t("Lokale besturen bereikt", "Local governments reached"),
                p.governments_reached
            )));
            if !p.orders.is_empty() {
                blocks.push(Block::Table {
                    header: vec![t("Soort", "Kind"), t("Stand", "State"), t("Aantal", "Number")],
                    rows: p
                        .orders
                        .iter()
                        .map(|(kind, state, n)| {
                            let kind = match (kind, dutch) {
                                (OrderKind::Basic, true) => "basisaudit",
                                (OrderKind::Basic, false) => "basic audit",
                                (OrderKind::Additional, true) => "bijkomend auditwerk",
                                (OrderKind::Additional, false) => "additional audit work",
                            };
                            vec![kind.to_owned(), state.label(dutch).to_owned(), n.to_string()]
                        })
                        .collect(),
                });
            }
        }
    }

    if let Some(e) = &report.sections.engagements {
        blocks.push(Block::heading(2, t("Ethisch hacken met Howest", "Ethical hacking with Howest")));
        blocks.push(Block::paragraph(format!(
            "{}: {}. {}",
            t("Lokale besturen met een opdracht", "Local governments with an engagement"),
            e.governments,
            e.by_state
                .iter()
                .map(|(s, n)| format!("{}: {n}", engagement_state(*s, dutch)))
                .collect::<Vec<_>>()
                .join(", ")
        )));
        blocks.push(Block::Table {
            header: vec![
                t("Opdracht", "Engagement"),
                t("Stand", "State"),
                t("Van", "From"),
                t("Tot", "Until"),
            ],
            rows: e
                .list
                .iter()
                .map(|(title, state, from, until)| {
                    vec![title.clone(), engagement_state(*state, dutch).to_owned(), date(*from), date(*until)]
                })
                .collect(),
        });
    }

    if let Some(g) = &report.sections.grant {
        blocks.push(Block::heading(2, t("De subsidie van het actieplan", "The action plan's grant")));
        blocks.push(Block::paragraph(format!(
            "{} {}; {} {}; {} {}; {} {}.",
            t("Subsidie", "Grant"),
            g.grant.amount.format_in(dutch),
            t("ingediend", "claimed"),
            g.claimed().format_in(dutch),
            t("goedgekeurd en nog niet betaald", "approved and not yet paid"),
            g.balances.reserved.format_in(dutch),
            t("betaald", "paid"),
            g.balances.paid.format_in(dutch),
        )));
        blocks.push(Block::Table {
            header: vec![
                t("Werkpakket", "Work package"),
                t("Ingediend", "Claimed"),
                t("Goedgekeurd", "Approved"),
                t("Betaald", "Paid"),
                t("Resultaten klaar", "Deliverables done"),
            ],
            rows: g
                .packages
                .iter()
                .map(|p| {
                    let of_package = g.deliverables.iter().filter(|d| d.work_package == p.number);
                    let done = of_package.clone().filter(|d| d.done_on.is_some()).count();
                    vec![
                        format!("{}. {}", p.number, if dutch { &p.title_nl } else { &p.title_en }),
                        p.sums.claimed.format_in(dutch),
                        p.sums.approved.format_in(dutch),
                        p.sums.paid.format_in(dutch),
                        format!("{done} / {}", of_package.count()),
                    ]
                })
                .collect(),
        });
    }

    if let Some(items) = &report.sections.toolkit {
        blocks.push(Block::heading(2, t("Gebruik van de toolkit", "Use of the toolkit")));
        blocks.push(Block::paragraph(t(
            "Aantal organisaties dat elk gepubliceerd item opende, downloadde of afwerkte.",
            "How many organisations opened, downloaded or completed each published item.",
        )));
        blocks.push(Block::Table {
            header: vec![
                t("Item", "Item"),
                t("Geopend", "Opened"),
                t("Gedownload", "Downloaded"),
                t("Afgewerkt", "Completed"),
            ],
            rows: items
                .iter()
                .map(|(title, u)| {
                    vec![
                        title.clone(),
                        u.opened.to_string(),
                        u.downloaded.to_string(),
                        u.completed.to_string(),
                    ]
                })
                .collect(),
        });
    }

    if let Some(reach) = &report.sections.awareness {
        blocks.push(Block::heading(2, t("Sensibiliseringsevenementen", "Awareness events")));
        blocks.push(Block::paragraph(format!(
            "{}: {} / {}.",
            t("Gemeenten op minstens één evenement", "Municipalities at one event or more"),
            reach.reached,
            reach.municipalities
        )));
        blocks.push(Block::Table {
            header: vec![
                t("Provincie", "Province"),
                t("Gemeenten", "Municipalities"),
                t("Bereikt", "Reached"),
            ],
            rows: reach
                .provinces
                .iter()
                .map(|p| {
                    let name = if dutch { p.province.name_nl() } else { p.province.name_en() };
                    vec![name.to_owned(), p.municipalities.to_string(), p.reached.to_string()]
                })
                .collect(),
        });
        blocks.push(Block::Table {
            header: vec![
                t("Evenement", "Event"),
                t("Datum", "Date"),
                t("Ingeschreven", "Registered"),
                t("Aanwezig", "Attended"),
                t("Organisaties", "Organisations"),
            ],
            rows: reach
                .events
                .iter()
                .map(|c| {
                    vec![
                        c.event.title.clone(),
                        date(crate::clock::brussels_date(c.event.starts_at)),
                        c.registered.to_string(),
                        c.attended.to_string(),
                        c.organisations.to_string(),
                    ]
                })
                .collect(),
        });
    }

    Document {
        title: format!("{}: {}", t("Stuurgroep", "Steering group"), meeting.title),
        subtitle: Some(t(
            "Actieplan van VVSG, cyberveiligheid van lokale besturen",
            "VVSG's action plan, cybersecurity of local governments",
        )),
        language: if dutch { "nl".into() } else { "en".into() },
        blocks,
    }
}
