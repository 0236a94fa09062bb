//! The remediation plan as a spreadsheet: the government's findings in the register's order
//! (priority unless asked otherwise), as CSV or XLSX, read from one statement as it streams so a
//! large register does not sit in memory twice.

use super::scope;
use crate::Services;
use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use chrono::NaiveDate;
use cyberveilig_store::records::{RegisterEntry, RegisterQuery};
use std::borrow::Cow;

/// Most findings one export holds.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 2] = [ExportFormat::Csv, ExportFormat::Xlsx];

    pub fn parse(text: &str) -> Result<ExportFormat> {
        match ExportFormat::ALL.into_iter().find(|f| f.extension() == text) {
            Some(format) => Ok(format),
            None => Err(ServiceError::invalid(
                "format",
                format!("'{text}' is not an export format: choose csv or xlsx"),
                format!("'{text}' is geen exportformaat: kies csv of xlsx"),
            )),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

/// An export, ready to send.
#[derive(Debug, Clone)]
pub struct PlanExport {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub filename: String,
    pub rows: usize,
}

const HEADERS_EN: [&str; 11] = [
    "id",
    "title",
    "asset",
    "severity",
    "CVSS score",
    "decision",
    "status",
    "owner",
    "due date",
    "overdue",
    "CVEs",
];
const HEADERS_NL: [&str; 11] = [
    "id",
    "titel",
    "systeem",
    "ernst",
    "CVSS-score",
    "beslissing",
    "stand",
    "eigenaar",
    "deadline",
    "te laat",
    "CVE's",
];

/// A spreadsheet program reads a cell that starts with one of these as a formula (CSV
/// injection): such a cell gets a leading apostrophe, which shows it as text.
pub fn spreadsheet_safe(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// One line of the plan, in the columns of the headers.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    pub id: i64,
    pub title: String,
    pub asset: String,
    pub severity: String,
    pub cvss_score: Option<f64>,
    pub decision: String,
    pub status: String,
    pub owner: String,
    pub due_on: Option<NaiveDate>,
    pub overdue: bool,
    pub cves: String,
}

impl PlanRow {
    pub fn of(e: &RegisterEntry, today: NaiveDate) -> PlanRow {
        let f = &e.finding;
        PlanRow {
            id: f.id,
            title: f.title.clone(),
            asset: e.asset_name.clone().unwrap_or_default(),
            severity: f.severity.as_str().to_owned(),
            cvss_score: f.cvss_score,
            decision: f.decision.map(|d| d.as_str().to_owned()).unwrap_or_default(),
            status: f.status.as_str().to_owned(),
            owner: e.owner_name.clone().unwrap_or_default(),
            due_on: f.due_on,
            overdue: f.due_on.is_some_and(|d| d < today) && f.status.is_open(),
            cves: f.cves.replace(',', " "),
        }
    }
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> ServiceError {
    ServiceError::internal("export_failed", format!("the spreadsheet could not be written: {e}"))
}

/// Writes the plan row by row in either format.
pub enum PlanWriter {
    Csv(Box<csv::Writer<Vec<u8>>>, bool),
    Xlsx(Box<rust_xlsxwriter::Workbook>, u32, bool),
}

impl PlanWriter {
    /// A writer with the header row, in Dutch or English.
    pub fn new(format: ExportFormat, dutch: bool) -> Result<PlanWriter> {
        let headers = if dutch { HEADERS_NL } else { HEADERS_EN };
        match format {
            ExportFormat::Csv => {
                // A byte order mark, so that spreadsheet programs read the UTF-8 as UTF-8.
                let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
                w.write_record(headers).map_err(csv_error)?;
                Ok(PlanWriter::Csv(Box::new(w), dutch))
            }
            ExportFormat::Xlsx => {
                let mut book = rust_xlsxwriter::Workbook::new();
                let bold = rust_xlsxwriter::Format::new().set_bold();
                let sheet = book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
                sheet
                    .set_name(if dutch { "Remediatieplan" } else { "Remediation plan" })
                    .map_err(xlsx_error)?;
                for (col, width) in [8.0, 60.0, 24.0, 10.0, 10.0, 10.0, 14.0, 24.0, 12.0, 8.0, 30.0]
                    .into_iter()
                    .enumerate()
                {
                    sheet.set_column_width(col as u16, width).map_err(xlsx_error)?;
                }
                for (col, h) in headers.iter().enumerate() {
                    sheet.write_string_with_format(0, col as u16, *h, &bold).map_err(xlsx_error)?;
                }
                sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
                Ok(PlanWriter::Xlsx(Box::new(book), 1, dutch))
            }
        }
    }

    pub fn row(&mut self, r: &PlanRow) -> Result<()> {
        match self {
            PlanWriter::Csv(w, dutch) => {
                let yes_no = match (r.overdue, *dutch) {
                    (true, true) => "ja",
                    (false, true) => "nee",
                    (true, false) => "yes",
                    (false, false) => "no",
                };
                let id = r.id.to_string();
                let score = r.cvss_score.map(|s| format!("{s:.1}")).unwrap_or_default();
                let due = r.due_on.map(|d| d.to_string()).unwrap_or_default();
                let cells = [
                    &id,
                    &r.title,
                    &r.asset,
                    &r.severity,
                    &score,
                    &r.decision,
                    &r.status,
                    &r.owner,
                    &due,
                    yes_no,
                    &r.cves,
                ];
                w.write_record(cells.iter().map(|c| spreadsheet_safe(c).into_owned()))
                    .map_err(csv_error)
            }
            PlanWriter::Xlsx(book, row, dutch) => {
                let sheet = book.worksheet_from_index(0).map_err(xlsx_error)?;
                let n = *row;
                // Strings are written as text cells, never as formulas.
                sheet.write_number(n, 0, r.id as f64).map_err(xlsx_error)?;
                let texts = [(1, &r.title), (2, &r.asset), (3, &r.severity)];
                for (col, text) in texts {
                    sheet.write_string(n, col, text.as_str()).map_err(xlsx_error)?;
                }
                if let Some(s) = r.cvss_score {
                    sheet.write_number(n, 4, s).map_err(xlsx_error)?;
                }
                for (col, text) in [(5, &r.decision), (6, &r.status), (7, &r.owner)] {
                    sheet.write_string(n, col, text.as_str()).map_err(xlsx_error)?;
                }
                if let Some(d) = r.due_on {
                    sheet.write_string(n, 8, d.to_string()).map_err(xlsx_error)?;
                }
                let overdue = match (r.overdue, *dutch) {
                    (true, true) => "ja",
                    (false, true) => "nee",
                    (true, false) => "yes",
                    (false, false) => "no",
                };
                sheet.write_string(n, 9, overdue).map_err(xlsx_error)?;
                sheet.write_string(n, 10, r.cves.as_str()).map_err(xlsx_error)?;
                *row += 1;
                Ok(())
            }
        }
    }

    pub fn finish(self) -> Result<Vec<u8>> {
        match self {
            PlanWriter::Csv(w, _) => w
                .into_inner()
                .map_err(|e| ServiceError::internal("export_failed", format!("the CSV could not be written: {e}"))),
            PlanWriter::Xlsx(mut book, ..) => book.save_to_buffer().map_err(xlsx_error),
        }
    }
}

fn csv_error(e: csv::Error) -> ServiceError {
    ServiceError::internal("export_failed", format!("the CSV could not be written: {e}"))
}

impl Services {
    /// The remediation plan: the findings of the register the actor may see that match the
    /// query, in its order, at most [`MAX_EXPORT_ROWS`].
    pub async fn export_plan(&self, actor: &Actor, mut q: RegisterQuery, format: ExportFormat, dutch: bool) -> Result<PlanExport> {
        scope(actor, &mut q)?;
        let _heavy = self.heavy.begin(actor.person_id)?;
        let today = crate::clock::brussels_date(self.clock.now());
        let mut writer = PlanWriter::new(format, dutch)?;
        let mut tx = self.store.read().await?;
        q.offset = 0;
        q.limit = MAX_EXPORT_ROWS;
        // One statement, read as it goes: no page is read twice and no OFFSET walks past the
        // rows already written.
        let mut written = Ok(());
        let rows = tx
            .each_register_entry(&q, &mut |entry| {
                if written.is_ok() {
                    written = writer.row(&PlanRow::of(&entry, today));
                }
                Ok(())
            })
            .await? as usize;
        written?;
        // Compressing a workbook of many rows is seconds of CPU: not on the runtime's workers.
        let bytes = tokio::task::spawn_blocking(move || writer.finish())
            .await
            .map_err(|e| ServiceError::internal("export_failed", format!("the export stopped: {e}")))??;
        let name = if dutch { "remediatieplan" } else { "remediation-plan" };
        Ok(PlanExport {
            bytes,
            content_type: format.content_type(),
            filename: format!("{name}-{today}.{}", format.extension()),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(title: &str, owner: &str) -> PlanRow {
        PlanRow {
            id: 7,
            title: title.into(),
            asset: "192.0.2.10".into(),
            severity: "critical".into(),
            cvss_score: Some(9.8),
            decision: "act".into(),
            status: "open".into(),
            owner: owner.into(),
            due_on: NaiveDate::from_ymd_opt(2021, 6, 1),
            overdue: true,
            cves: "CVE-2021-44228 CVE-2021-45046".into(),
        }
    }

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_are_escaped() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(bad), format!("'{bad}"));
        }
        assert_eq!(spreadsheet_safe("Log4Shell = bad"), "Log4Shell = bad");
        assert_eq!(spreadsheet_safe(""), "");
    }

    #[test]
    fn the_csv_has_the_plans_columns_and_no_formula() {
        let mut w = PlanWriter::new(ExportFormat::Csv, false).unwrap();
        w.row(&row("=HYPERLINK(\"http://x\",\"click\")", "@Jan")).unwrap();
        let bytes = w.finish().unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), HEADERS_EN);
        let record = r.records().next().unwrap().unwrap();
        assert_eq!(
            record.iter().collect::<Vec<_>>(),
            [
                "7",
                "'=HYPERLINK(\"http://x\",\"click\")",
                "192.0.2.10",
                "critical",
                "9.8",
                "act",
                "open",
                "'@Jan",
                "2021-06-01",
                "yes",
                "CVE-2021-44228 CVE-2021-45046"
            ]
        );
        let mut nl = PlanWriter::new(ExportFormat::Csv, true).unwrap();
        nl.row(&row("Telnet", "")).unwrap();
        let text = String::from_utf8(nl.finish().unwrap()).unwrap();
        assert!(text.contains("titel,systeem,ernst") && text.contains(",ja,"), "{text}");
    }

    #[test]
    fn the_xlsx_opens_with_the_same_cells() {
        use calamine::{Data, Reader, Xlsx};
        let mut w = PlanWriter::new(ExportFormat::Xlsx, true).unwrap();
        w.row(&row("=cmd|' /C calc'!A0", "Jan Peeters")).unwrap();
        w.row(&PlanRow {
            id: 8,
            cvss_score: None,
            due_on: None,
            overdue: false,
            ..row("Telnet", "")
        })
        .unwrap();
        let bytes = w.finish().unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["Remediatieplan"]);
        let range = book.worksheet_range("Remediatieplan").unwrap();
        assert_eq!(range.get_size(), (3, 11));
        let cell = |r: usize, c: usize| range.get((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(cell(0, 1), Data::String("titel".into()));
        assert_eq!(cell(1, 0), Data::Float(7.0));
        // A text cell, not a formula: it shows as typed.
        assert_eq!(cell(1, 1), Data::String("=cmd|' /C calc'!A0".into()));
        assert_eq!(cell(1, 4), Data::Float(9.8));
        assert_eq!(cell(1, 7), Data::String("Jan Peeters".into()));
        assert_eq!(cell(1, 9), Data::String("ja".into()));
        assert_eq!(cell(2, 4), Data::Empty);
        assert_eq!(cell(2, 9), Data::String("nee".into()));
        let formulas = book.worksheet_formula("Remediatieplan").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no cell is a formula");
    }
}
