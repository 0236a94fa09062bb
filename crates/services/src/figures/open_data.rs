//! FIG-7: the open-data extract, public: per programme, province and month, what the programme
//! did there (orders, basic audits delivered, co-financing paid, municipalities reached,
//! awareness events), and nothing about any one government: no names, findings, reports or
//! people. Published under CC BY 4.0 with a description of its columns.

use super::end_of;
use super::history::orders_at;
use crate::Services;
use crate::clock::brussels_date;
use crate::error::Result;
use chrono::NaiveDate;
use cyberveilig_domain::Money;
use cyberveilig_domain::figures::Month;
use cyberveilig_domain::order::OrderKind;
use cyberveilig_domain::registry::Province;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The columns of the extract, with what each means (the data description lists them).
pub const COLUMNS: [(&str, &str); 8] = [
    ("programme", "The co-financing programme (its name)."),
    ("month", "The calendar month, YYYY-MM."),
    (
        "province",
        "The Flemish province of the municipalities counted (NIS code and name), or 'other' for local governments that are not municipalities of a Flemish province.",
    ),
    (
        "orders_submitted",
        "Orders for audits (basic and additional) submitted in the month by local governments of the province.",
    ),
    ("basic_audits_delivered", "Basic audits delivered by the audit firm in the month."),
    (
        "cofinancing_paid_eur",
        "Co-financing paid out in the month at settlement, in euros with two decimals.",
    ),
    (
        "municipalities_reached",
        "Municipalities of the province that had ordered a basic audit by the end of the month (cumulative), counting the orders that are neither cancelled nor unplaceable at the date of extraction.",
    ),
    (
        "awareness_events_attended",
        "Awareness events of VVSG held in the month at which at least one municipality of the province was present.",
    ),
];

pub const LICENCE: &str = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)";

/// The extract as at a day: the CSV and its description.
#[derive(Debug, Clone)]
pub struct OpenData {
    pub at: NaiveDate,
    pub csv: String,
    pub description: String,
}

#[derive(Default, Clone, Copy)]
struct Row {
    orders: i64,
    delivered: i64,
    paid: Money,
    reached: i64,
    events: i64,
}

fn province_cell(p: Option<Province>) -> String {
    match p {
        Some(p) => format!("{} {}", province_nis(p), p.name_nl()),
        None => "other".into(),
    }
}

fn province_nis(p: Province) -> &'static str {
    match p {
        Province::Antwerp => "10000",
        Province::FlemishBrabant => "20001",
        Province::WestFlanders => "30000",
        Province::EastFlanders => "40000",
        Province::Limburg => "70000",
    }
}

impl Services {
    /// FIG-7: the extract's description as at `at` (today when `None`).
    pub fn open_data_description(&self, at: Option<NaiveDate>) -> Result<String> {
        Ok(description(super::as_at(at, self.clock.now())?))
    }

    /// FIG-7: the open-data extract at the end of `at` (today when `None`), for anyone.
    pub async fn open_data(&self, at: Option<NaiveDate>) -> Result<OpenData> {
        let day = super::as_at(at, self.clock.now())?;
        let until = end_of(day);
        let mut tx = self.store.read().await?;
        let province_of: HashMap<i64, Province> = crate::registry::municipalities(tx.as_mut())
            .await?
            .into_iter()
            .map(|m| (m.id, m.province))
            .collect();
        let mut events: BTreeMap<(Month, Province), BTreeSet<i64>> = BTreeMap::new();
        for a in tx.attendances().await? {
            if a.starts_at < until
                && let Some(p) = province_of.get(&a.organisation_id)
            {
                events
                    .entry((Month::of(brussels_date(a.starts_at)), *p))
                    .or_default()
                    .insert(a.event_id);
            }
        }
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let _ = w.write_record(COLUMNS.iter().map(|(name, _)| *name));
        for programme in tx.programmes().await? {
            let records = orders_at(tx.as_mut(), programme.id, until).await?;
            let province_of_order: HashMap<i64, Option<Province>> = records.iter().map(|r| (r.fact.id, r.province)).collect();
            let mut rows: BTreeMap<(Month, Option<Province>), Row> = BTreeMap::new();
            let first = programme.settings.offer_starts_on.min(day);
            for month in Month::range(first, day) {
                for p in Province::ALL {
                    rows.insert((month, Some(p)), Row::default());
                }
            }
            for r in &records {
                rows.entry((Month::of(r.at.submitted_on), r.province)).or_default().orders += 1;
                if r.fact.kind == OrderKind::Basic
                    && let Some(on) = r.at.delivered_on
                {
                    rows.entry((Month::of(on), r.province)).or_default().delivered += 1;
                }
            }
            for (order_id, at, amount) in tx.payments_until(programme.id, until).await? {
                let province = province_of_order.get(&order_id).copied().flatten();
                let row = rows.entry((Month::of(brussels_date(at)), province)).or_default();
                row.paid = row.paid + amount;
            }
            // Municipalities reached at the end of each month: the first day each was reached.
            let mut reached_from: HashMap<i64, NaiveDate> = HashMap::new();
            for r in records
                .iter()
                .filter(|r| r.fact.kind == OrderKind::Basic && r.at.reaches_its_government())
            {
                if province_of.contains_key(&r.fact.government_id) {
                    let day = reached_from.entry(r.fact.government_id).or_insert(r.at.submitted_on);
                    *day = (*day).min(r.at.submitted_on);
                }
            }
            for ((month, province), row) in rows.iter_mut() {
                let Some(p) = province else { continue };
                let end = month.last_day();
                row.reached = reached_from
                    .iter()
                    .filter(|(id, on)| **on <= end && province_of.get(id) == Some(p))
                    .count() as i64;
                row.events = events.get(&(*month, *p)).map_or(0, |e| e.len() as i64);
            }
            for ((month, province), row) in rows {
                let paid = super::tables::Cell::Money(row.paid).csv();
                let _ = w.write_record([
                    programme.name.clone(),
                    month.to_string(),
                    province_cell(province),
                    row.orders.to_string(),
                    row.delivered.to_string(),
                    paid,
                    row.reached.to_string(),
                    row.events.to_string(),
                ]);
            }
        }
        let csv = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
        Ok(OpenData {
            at: day,
            csv,
            description: description(day),
        })
    }
}

/// The data description: what the extract is, its columns, licence and date of extraction.
fn description(day: NaiveDate) -> String {
    let mut out = String::from(
        "# Cyberveilige lokale besturen: open data\n\n\
         Aggregated figures of the Flemish co-financing of ICT security audits at local governments, per \
         programme, province and month, from the start of the programme's offer to the date of extraction. \
         The extract names no local government and holds none of their findings, vulnerability reports or \
         personal data.\n\n",
    );
    out.push_str(&format!(
        "- Date of extraction (figures as at the end of): {}\n",
        day.format("%Y-%m-%d")
    ));
    out.push_str(&format!("- Licence: {LICENCE}\n"));
    out.push_str("- Format: CSV (RFC 4180), UTF-8, comma-separated, header row\n\n## Columns\n\n| column | meaning |\n|---|---|\n");
    for (name, meaning) in COLUMNS {
        out.push_str(&format!("| {name} | {meaning} |\n"));
    }
    out
}
