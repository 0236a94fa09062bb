//! FIG-10: the programme's quarterly report for the administrators (issue 14, part 4): the dashboards'
//! figures at the quarter's end (or today, in a quarter still running), the months of the
//! quarter only where a table runs per month, each with its chart and its table, as a tagged PDF.

use super::tables::{Cell, Chart, FigureTable, tables};
use super::{Figures, figures_at};
use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::clock::brussels_date;
use crate::error::{Result, ServiceError};
use chrono::{Datelike, NaiveDate};
use cyberveilig_domain::figures::Month;
use cyberveilig_publish::{Block, Document};

/// A calendar quarter: its first and last day.
pub fn quarter(year: i32, number: u32) -> Option<(NaiveDate, NaiveDate)> {
    if !(1..=4).contains(&number) || !(2000..=2099).contains(&year) {
        return None;
    }
    let first = Month {
        year,
        month: 3 * number - 2,
    };
    let last = Month { year, month: 3 * number };
    Some((first.first_day(), last.last_day()))
}

/// The rows of a per-month table that fall in the quarter; other tables as they are.
fn of_quarter(mut table: FigureTable, from: NaiveDate, until: NaiveDate) -> FigureTable {
    if table.chart == Chart::Lines {
        let (first, last) = (Month::of(from).to_string(), Month::of(until).to_string());
        table
            .rows
            .retain(|row| matches!(row.first(), Some(Cell::Text(m)) if *m >= first && *m <= last));
    }
    table
}

/// The chart of a table: its first figure per row, as bars.
fn chart(table: &FigureTable, dutch: bool) -> Option<Block> {
    if table.chart == Chart::None || table.rows.is_empty() {
        return None;
    }
    let bars = table
        .rows
        .iter()
        .filter_map(|row| {
            let label = row.first()?.display(dutch);
            let cell = row.get(table.headline)?;
            Some((label, (cell.value().unwrap_or(0.0) * 100.0).round() as i64, cell.display(dutch)))
        })
        .collect();
    Some(Block::BarChart { bars })
}

impl Services {
    /// The quarterly report as a PDF, in Dutch or English: for the administrators.
    pub async fn quarterly_report_pdf(
        &self,
        actor: &Actor,
        programme_id: i64,
        year: i32,
        number: u32,
        dutch: bool,
    ) -> Result<(String, Vec<u8>)> {
        if !can(actor, Permission::ViewFigures) {
            return Err(ServiceError::NotFound("programme"));
        }
        let today = brussels_date(self.clock.now());
        let Some((from, until)) = quarter(year, number) else {
            return Err(ServiceError::invalid(
                "quarter",
                "A quarter is 1 to 4 of a year from 2000 to 2099.",
                "Een kwartaal is 1 tot 4 van een jaar van 2000 tot 2099.",
            ));
        };
        if from > today {
            return Err(ServiceError::invalid(
                "quarter",
                "That quarter has not begun.",
                "Dat kwartaal is nog niet begonnen.",
            ));
        }
        let day = until.min(today);
        let (start, end) = {
            let mut tx = self.store.read().await?;
            let before = from.pred_opt().unwrap_or(from);
            (
                figures_at(tx.as_mut(), programme_id, before).await?,
                figures_at(tx.as_mut(), programme_id, day).await?,
            )
        };
        let document = quarterly_document(&start, &end, from, dutch);
        let bytes = tokio::task::spawn_blocking(move || cyberveilig_publish::pdf::render(&document))
            .await
            .map_err(|e| ServiceError::internal("quarterly_report", e.to_string()))?
            .map_err(|e| ServiceError::internal("quarterly_report", e.to_string()))?;
        let name = format!(
            "{}-{year}-q{number}.pdf",
            if dutch { "kwartaalrapport" } else { "quarterly-report" }
        );
        Ok((name, bytes))
    }
}

/// The report: what changed in the quarter, then every table of the dashboards with its chart.
pub fn quarterly_document(start: &Figures, end: &Figures, from: NaiveDate, dutch: bool) -> Document {
    let t = |nl: &str, en: &str| if dutch { nl.to_owned() } else { en.to_owned() };
    let date = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    let number = from.month0() / 3 + 1;
    let in_quarter = |f: fn(&super::MonthOrders) -> i64| -> i64 {
        end.orders
            .by_month
            .iter()
            .filter(|m| m.month >= Month::of(from) && m.month <= Month::of(end.at))
            .map(f)
            .sum()
    };
    let mut blocks = vec![
        Block::heading(2, t("In dit kwartaal", "In this quarter")),
        Block::list(
            false,
            [
                format!("{}: {}", t("Basisaudits besteld", "Basic audits ordered"), in_quarter(|m| m.basic)),
                format!(
                    "{}: {}",
                    t("Bijkomend auditwerk besteld", "Additional audit work ordered"),
                    in_quarter(|m| m.additional)
                ),
                format!(
                    "{}: {}",
                    t("Basisaudits opgeleverd", "Basic audits delivered"),
                    in_quarter(|m| m.delivered)
                ),
                format!(
                    "{}: {}",
                    t("Basisaudits vereffend", "Basic audits settled"),
                    in_quarter(|m| m.settled)
                ),
                format!(
                    "{}: {}",
                    t("Cofinanciering uitbetaald", "Co-financing paid"),
                    (end.credit.paid - start.credit.paid).format_in(dutch)
                ),
                format!(
                    "{}: {} → {}",
                    t("Gemeenten bereikt", "Municipalities reached"),
                    start.reach.municipalities_reached,
                    end.reach.municipalities_reached
                ),
            ],
        ),
    ];
    for table in tables(end, dutch).into_iter().map(|t| of_quarter(t, from, end.at)) {
        blocks.push(Block::heading(2, table.title.clone()));
        if let Some(chart) = chart(&table, dutch) {
            let column = table.columns.get(table.headline).cloned().unwrap_or_default();
            blocks.push(Block::paragraph(format!("{}: {column}", t("Grafiek", "Chart"))));
            blocks.push(chart);
        }
        blocks.push(Block::Table {
            header: table.columns.clone(),
            rows: table.rows.iter().map(|r| r.iter().map(|c| c.display(dutch)).collect()).collect(),
        });
    }
    Document {
        title: format!("{} {} Q{number}", t("Kwartaalrapport", "Quarterly report"), from.format("%Y")),
        subtitle: Some(format!(
            "{} · {} {} {} {}",
            end.programme.name,
            t("van", "from"),
            date(from),
            t("tot en met", "up to and including"),
            date(end.at)
        )),
        language: if dutch { "nl".into() } else { "en".into() },
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_runs_from_its_first_month_to_its_third() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(quarter(2021, 2), Some((d(2021, 4, 1), d(2021, 6, 30))));
        assert_eq!(quarter(2020, 4), Some((d(2020, 10, 1), d(2020, 12, 31))));
        assert_eq!(quarter(2021, 5), None);
        assert_eq!(quarter(2021, 0), None);
        assert_eq!(quarter(1999, 1), None);
    }
}
