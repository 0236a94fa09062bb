//! FIG-9: the administrator's lists as spreadsheets (issue 14, part 3): orders, the settlement queue,
//! the governments, the framework agreements, the vulnerability reports, the engagements and
//! the figures' tables, as CSV or XLSX with the list's filters applied. Lists are read page by
//! page after the last id (never OFFSET) and written as they come, every row of the list (a
//! programme's lists are hundreds to thousands of rows; the register's plan, of millions, streams:
//! `remediation::export`).

mod sheet;

pub use crate::remediation::export::ExportFormat;
pub use sheet::{Cell, SheetWriter};

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::clock::brussels_date;
use crate::error::{Result, ServiceError};
use crate::figures::tables::FigureTable;
use crate::reports::ReportListQuery;
use cyberveilig_domain::order::OrderKind;
use cyberveilig_store::records::OrderFilter;
use std::collections::HashMap;

const PAGE: i64 = 500;

/// An export, ready to send.
#[derive(Debug, Clone)]
pub struct Export {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub filename: String,
    pub rows: usize,
}

/// The lists that export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListName {
    Orders,
    Settlements,
    Governments,
    Agreements,
    Reports,
    Engagements,
}

impl ListName {
    pub const ALL: [ListName; 6] = [
        ListName::Orders,
        ListName::Settlements,
        ListName::Governments,
        ListName::Agreements,
        ListName::Reports,
        ListName::Engagements,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ListName::Orders => "orders",
            ListName::Settlements => "settlements",
            ListName::Governments => "governments",
            ListName::Agreements => "agreements",
            ListName::Reports => "reports",
            ListName::Engagements => "engagements",
        }
    }

    pub fn parse(text: &str) -> Option<ListName> {
        ListName::ALL.into_iter().find(|l| l.as_str() == text)
    }

    fn file_name(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (ListName::Orders, true) => "bestellingen",
            (ListName::Settlements, true) => "te-vereffenen",
            (ListName::Governments, true) => "besturen",
            (ListName::Agreements, true) => "raamovereenkomsten",
            (ListName::Reports, true) => "meldingen",
            (ListName::Engagements, true) => "samenwerkingen",
            (other, false) => other.as_str(),
        }
    }
}

/// Organisations' names and NIS codes, each read once per export.
#[derive(Default)]
struct Names(HashMap<i64, (String, String)>);

impl Names {
    /// The organisation's name and NIS code (empty when it has none).
    async fn of(&mut self, tx: &mut dyn cyberveilig_store::Tx, id: i64) -> Result<(String, String)> {
        if let Some(known) = self.0.get(&id) {
            return Ok(known.clone());
        }
        let known = match tx.organisation(id).await? {
            Some(o) => (o.name, o.nis_code.map(|n| n.to_string()).unwrap_or_default()),
            None => (format!("#{id}"), String::new()),
        };
        self.0.insert(id, known.clone());
        Ok(known)
    }
}

/// What a list is filtered on (the same filters as its page); the rest is ignored.
#[derive(Debug, Clone, Default)]
pub struct ListFilters {
    pub orders: OrderFilter,
    pub reports: ReportListQuery,
}

fn headers(dutch: bool, columns: &[(&str, &str)]) -> Vec<String> {
    columns.iter().map(|(nl, en)| if dutch { *nl } else { *en }.to_owned()).collect()
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

impl Services {
    /// A list of the administrator's portal as CSV or XLSX, with its filters.
    pub async fn export_list(
        &self,
        actor: &Actor,
        list: ListName,
        filters: ListFilters,
        format: ExportFormat,
        dutch: bool,
    ) -> Result<Export> {
        if !can(actor, Permission::ViewFigures) {
            return Err(ServiceError::NotFound("list"));
        }
        let _heavy = self.heavy.begin(actor.person_id)?;
        let today = brussels_date(self.clock.now());
        let mut names = Names::default();
        let mut tx = self.store.read().await?;
        let (writer, rows) = match list {
            ListName::Orders | ListName::Settlements => {
                let settling = list == ListName::Settlements;
                let columns: &[(&str, &str)] = if settling {
                    &[
                        ("bestelling", "order"),
                        ("bestuur", "government"),
                        ("auditbedrijf", "audit firm"),
                        ("factuurnummer", "invoice number"),
                        ("aanvaarde prijs", "accepted price"),
                        ("gefactureerd", "invoiced"),
                        ("vastgelegd", "committed"),
                        ("uit te betalen", "to pay"),
                        ("vrij te geven", "to release"),
                    ]
                } else {
                    &[
                        ("bestelling", "order"),
                        ("bestuur", "government"),
                        ("NIS-code", "NIS code"),
                        ("soort", "kind"),
                        ("stand", "state"),
                        ("auditbedrijf", "audit firm"),
                        ("ingediend", "submitted"),
                        ("aangeboden", "offered"),
                        ("aanvaard", "accepted"),
                        ("opgeleverd", "delivered"),
                        ("remediëringsdag", "remediation day"),
                        ("prijs", "price"),
                        ("gefactureerd", "invoiced"),
                        ("vastgelegd", "committed"),
                        ("betaald", "paid"),
                    ]
                };
                let sheet = if dutch { "Bestellingen" } else { "Orders" };
                let mut writer = SheetWriter::new(format, sheet, &headers(dutch, columns))?;
                let agreements = if settling { tx.agreements().await? } else { Vec::new() };
                let mut filter = if settling {
                    OrderFilter {
                        state: Some(cyberveilig_domain::order::OrderState::Invoiced),
                        ..OrderFilter::default()
                    }
                } else {
                    filters.orders.clone()
                };
                let mut written = 0;
                filter.limit = PAGE;
                filter.after_id = None;
                loop {
                    let page = tx.orders(&filter).await?;
                    let Some(last) = page.last() else { break };
                    filter.after_id = Some(last.id);
                    for o in &page {
                        let (government, nis) = names.of(tx.as_mut(), o.government_id).await?;
                        let firm = match o.firm_id {
                            Some(id) => names.of(tx.as_mut(), id).await?.0,
                            None => String::new(),
                        };
                        let row = if settling {
                            let s = crate::orders::settlement::settlement_of(o, &agreements).settlement;
                            vec![
                                Cell::Count(o.id),
                                text(government),
                                text(firm),
                                text(o.invoice_number.clone().unwrap_or_default()),
                                Cell::Money(s.accepted_price),
                                Cell::Money(s.invoiced),
                                Cell::Money(s.reserved),
                                Cell::Money(s.payment),
                                Cell::Money(s.released),
                            ]
                        } else {
                            let kind = match (o.kind, dutch) {
                                (OrderKind::Basic, true) => "basisaudit",
                                (OrderKind::Basic, false) => "basic audit",
                                (OrderKind::Additional, true) => "bijkomend auditwerk",
                                (OrderKind::Additional, false) => "additional audit work",
                            };
                            vec![
                                Cell::Count(o.id),
                                text(government),
                                text(nis),
                                text(kind),
                                text(o.state.label(dutch)),
                                text(firm),
                                Cell::Date(Some(o.submitted_on)),
                                Cell::Date(o.offered_on),
                                Cell::Date(o.accepted_on),
                                Cell::Date(o.delivered_on),
                                Cell::Date(o.remediation_day_on),
                                o.price.map_or(Cell::Text(String::new()), Cell::Money),
                                o.invoiced.map_or(Cell::Text(String::new()), Cell::Money),
                                Cell::Money(o.reserved),
                                Cell::Money(o.paid),
                            ]
                        };
                        writer.row(&row)?;
                        written += 1;
                    }
                }
                (writer, written)
            }
            ListName::Governments => {
                let programme = tx
                    .programmes()
                    .await?
                    .into_iter()
                    .next()
                    .ok_or(ServiceError::NotFound("programme"))?;
                let counts: HashMap<i64, (i64, i64)> = tx
                    .orders_by_government(programme.id)
                    .await?
                    .into_iter()
                    .map(|(g, b, a)| (g, (b, a)))
                    .collect();
                let sheet = if dutch { "Besturen" } else { "Governments" };
                let mut writer = SheetWriter::new(
                    format,
                    sheet,
                    &headers(
                        dutch,
                        &[
                            ("NIS-code", "NIS code"),
                            ("naam", "name"),
                            ("provincie", "province"),
                            ("basisaudits", "basic audits"),
                            ("bijkomend auditwerk", "additional audit work"),
                        ],
                    ),
                )?;
                let mut written = 0;
                for m in crate::registry::municipalities(tx.as_mut()).await? {
                    let (basic, additional) = counts.get(&m.id).copied().unwrap_or((0, 0));
                    let province = if dutch { m.province.name_nl() } else { m.province.name_en() };
                    writer.row(&[
                        text(m.nis.to_string()),
                        text(m.name),
                        text(province),
                        Cell::Count(basic),
                        Cell::Count(additional),
                    ])?;
                    written += 1;
                }
                (writer, written)
            }
            ListName::Agreements => {
                let sheet = if dutch { "Raamovereenkomsten" } else { "Framework agreements" };
                let mut writer = SheetWriter::new(
                    format,
                    sheet,
                    &headers(
                        dutch,
                        &[
                            ("referentie", "reference"),
                            ("titel", "title"),
                            ("bestellingen van", "orders from"),
                            ("tot en met", "up to and including"),
                            ("actief", "active"),
                            ("rang", "rank"),
                            ("auditbedrijf", "audit firm"),
                            ("prijs basisaudit", "basic audit price"),
                            ("dagprijs", "day rate"),
                        ],
                    ),
                )?;
                let mut written = 0;
                for a in tx.agreements().await? {
                    for firm in &a.cascade {
                        let (name, _) = names.of(tx.as_mut(), firm.firm_id).await?;
                        let active = match (a.active, dutch) {
                            (true, true) => "ja",
                            (false, true) => "nee",
                            (true, false) => "yes",
                            (false, false) => "no",
                        };
                        writer.row(&[
                            text(a.reference.clone()),
                            text(a.title.clone()),
                            Cell::Date(Some(a.window_from)),
                            Cell::Date(Some(a.window_until)),
                            text(active),
                            Cell::Count(i64::from(firm.rank)),
                            text(name),
                            Cell::Money(firm.package_price),
                            Cell::Money(firm.day_rate),
                        ])?;
                        written += 1;
                    }
                }
                (writer, written)
            }
            ListName::Reports => {
                drop(tx);
                let sheet = if dutch { "Meldingen" } else { "Reports" };
                let mut writer = SheetWriter::new(
                    format,
                    sheet,
                    &headers(
                        dutch,
                        &[
                            ("code", "tracking code"),
                            ("bestuur", "government"),
                            ("titel", "title"),
                            ("stand", "state"),
                            ("ontvangen", "received"),
                            ("bevestigen tegen", "acknowledge by"),
                            ("bevestigd", "acknowledged"),
                            ("beoordelen tegen", "triage by"),
                            ("beoordeeld", "triaged"),
                            ("CVSS", "CVSS"),
                        ],
                    ),
                )?;
                let mut q = filters.reports.clone();
                q.limit = PAGE;
                q.before_id = None;
                let mut written = 0;
                loop {
                    let page = self.reports(actor, q.clone()).await?;
                    let Some(last) = page.last() else { break };
                    q.before_id = Some(last.report.id);
                    for s in &page {
                        let r = &s.report;
                        writer.row(&[
                            text(r.tracking_code.clone()),
                            text(s.government_name.clone()),
                            text(r.title.clone()),
                            text(r.state.as_str()),
                            Cell::Date(Some(brussels_date(r.received_at))),
                            Cell::Date(Some(r.acknowledge_by)),
                            Cell::Date(r.acknowledged_at.map(brussels_date)),
                            Cell::Date(Some(r.triage_by)),
                            Cell::Date(r.triaged_at.map(brussels_date)),
                            text(r.cvss_score.map(|c| format!("{c:.1}")).unwrap_or_default()),
                        ])?;
                        written += 1;
                    }
                    if (page.len() as i64) < PAGE {
                        break;
                    }
                }
                (writer, written)
            }
            ListName::Engagements => {
                drop(tx);
                let sheet = if dutch { "Samenwerkingen" } else { "Engagements" };
                let mut writer = SheetWriter::new(
                    format,
                    sheet,
                    &headers(
                        dutch,
                        &[
                            ("opdracht", "engagement"),
                            ("bestuur", "government"),
                            ("partner", "partner"),
                            ("stand", "state"),
                            ("van", "from"),
                            ("tot", "until"),
                        ],
                    ),
                )?;
                let mut written = 0;
                for v in self.engagements(actor).await? {
                    writer.row(&[
                        text(v.engagement.title.clone()),
                        text(v.government.clone()),
                        text(v.partner.clone()),
                        text(v.engagement.state.as_str()),
                        Cell::Date(Some(v.engagement.starts_on)),
                        Cell::Date(Some(v.engagement.ends_on)),
                    ])?;
                    written += 1;
                }
                (writer, written)
            }
        };
        let bytes = finish(writer).await?;
        Ok(export(bytes, format, list, dutch, today, rows))
    }

    /// One of the figures' tables as CSV or XLSX, named after it and its day.
    pub fn export_table(&self, table: &FigureTable, day: chrono::NaiveDate, format: ExportFormat) -> Result<Export> {
        let mut writer = SheetWriter::new(format, table.id, &table.columns)?;
        for row in &table.rows {
            writer.row(row)?;
        }
        Ok(Export {
            bytes: writer.finish()?,
            content_type: format.content_type(),
            filename: format!("{}-{}.{}", table.id, day.format("%Y-%m-%d"), format.extension()),
            rows: table.rows.len(),
        })
    }
}

/// Compressing a workbook of many rows is CPU work: not on the runtime's workers.
async fn finish(writer: SheetWriter) -> Result<Vec<u8>> {
    tokio::task::spawn_blocking(move || writer.finish())
        .await
        .map_err(|e| ServiceError::internal("export_failed", format!("the export stopped: {e}")))?
}

fn export(bytes: Vec<u8>, format: ExportFormat, list: ListName, dutch: bool, today: chrono::NaiveDate, rows: usize) -> Export {
    Export {
        bytes,
        content_type: format.content_type(),
        filename: format!("{}-{}.{}", list.file_name(dutch), today.format("%Y-%m-%d"), format.extension()),
        rows,
    }
}
