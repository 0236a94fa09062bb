//! The remediation plan as a spreadsheet: the government's findings in the register's order
//! (priority unless asked otherwise), as CSV or XLSX, streamed: the register is read a batch at a
//! time after the last row written (keyset), the CSV leaves as it is written and the workbook is
//! built in a temporary file, so memory stays the same however large the register. Every finding
//! the filters select is in the file: an XLSX sheet holds 1,048,575 rows under its header, and
//! the plan goes on in a next sheet.

use super::scope;
use crate::Services;
use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use chrono::NaiveDate;
use cyberveilig_store::records::{PlanLine, RegisterQuery};
use std::borrow::Cow;
use std::io::{Read, Seek, Write};
use tokio::sync::mpsc;

/// Findings read from the register at a time.
const BATCH: i64 = 2_000;
/// The CSV leaves in pieces of about this size.
const CHUNK: usize = 64 * 1024;
/// Rows of findings per XLSX sheet: the format's 1,048,576 rows, less the header.
pub const ROWS_PER_SHEET: u32 = 1_048_575;

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

/// An export under way: its pieces arrive as they are written; an `Err` ends it (the file is
/// then incomplete, and the transfer is broken off rather than ended as if whole).
pub struct PlanExport {
    pub chunks: mpsc::Receiver<Result<Vec<u8>>>,
    pub content_type: &'static str,
    pub filename: String,
}

impl PlanExport {
    /// The whole file, for callers that want it at once (tests, small plans).
    pub async fn bytes(mut self) -> Result<Vec<u8>> {
        let mut all = Vec::new();
        while let Some(chunk) = self.chunks.recv().await {
            all.extend(chunk?);
        }
        Ok(all)
    }
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
    pub fn of(f: PlanLine, today: NaiveDate) -> PlanRow {
        PlanRow {
            id: f.id,
            overdue: f.due_on.is_some_and(|d| d < today) && f.status.is_open(),
            title: f.title,
            asset: f.asset_name.unwrap_or_default(),
            severity: f.severity.as_str().to_owned(),
            cvss_score: f.cvss_score,
            decision: f.decision.map(|d| d.as_str().to_owned()).unwrap_or_default(),
            status: f.status.as_str().to_owned(),
            owner: f.owner_name.unwrap_or_default(),
            due_on: f.due_on,
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
    Xlsx(Box<Workbook>),
}

/// A workbook of the plan: the sheet being written and its next row.
pub struct Workbook {
    book: rust_xlsxwriter::Workbook,
    sheet: usize,
    row: u32,
    dutch: bool,
    rows_per_sheet: u32,
}

impl Workbook {
    /// Adds a sheet with the header row: the first, or the next when one is full.
    fn add_sheet(&mut self) -> Result<()> {
        let headers = if self.dutch { HEADERS_NL } else { HEADERS_EN };
        let name = if self.dutch { "Remediatieplan" } else { "Remediation plan" };
        let number = self.book.worksheets().len() + 1;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = self.book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        if number == 1 {
            sheet.set_name(name).map_err(xlsx_error)?;
        } else {
            sheet.set_name(format!("{name} ({number})")).map_err(xlsx_error)?;
        }
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
        self.sheet = number - 1;
        self.row = 1;
        Ok(())
    }
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
                // The plan can run to millions of rows: the quickest deflate writes it three
                // times as fast as the default, for a file about a fifth larger.
                let mut inner = rust_xlsxwriter::Workbook::new();
                inner.set_zip_compression_level(1);
                let mut book = Workbook {
                    book: inner,
                    sheet: 0,
                    row: 0,
                    dutch,
                    rows_per_sheet: ROWS_PER_SHEET,
                };
                book.add_sheet()?;
                Ok(PlanWriter::Xlsx(Box::new(book)))
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
            PlanWriter::Xlsx(book) => {
                if book.row > book.rows_per_sheet {
                    book.add_sheet()?;
                }
                let dutch = book.dutch;
                let n = book.row;
                let sheet = book.book.worksheet_from_index(book.sheet).map_err(xlsx_error)?;
                // Strings are written as text cells, never as formulas; an empty one is no cell.
                sheet.write_number(n, 0, r.id as f64).map_err(xlsx_error)?;
                let texts = [(1, &r.title), (2, &r.asset), (3, &r.severity)];
                for (col, text) in texts.into_iter().filter(|(_, t)| !t.is_empty()) {
                    sheet.write_string(n, col, text.as_str()).map_err(xlsx_error)?;
                }
                if let Some(s) = r.cvss_score {
                    sheet.write_number(n, 4, s).map_err(xlsx_error)?;
                }
                let texts = [(5, &r.decision), (6, &r.status), (7, &r.owner)];
                for (col, text) in texts.into_iter().filter(|(_, t)| !t.is_empty()) {
                    sheet.write_string(n, col, text.as_str()).map_err(xlsx_error)?;
                }
                if let Some(d) = r.due_on {
                    sheet.write_string(n, 8, d.to_string()).map_err(xlsx_error)?;
                }
                let overdue = match (r.overdue, dutch) {
                    (true, true) => "ja",
                    (false, true) => "nee",
                    (true, false) => "yes",
                    (false, false) => "no",
                };
                sheet.write_string(n, 9, overdue).map_err(xlsx_error)?;
                if !r.cves.is_empty() {
                    sheet.write_string(n, 10, r.cves.as_str()).map_err(xlsx_error)?;
                }
                book.row += 1;
                Ok(())
            }
        }
    }

    /// A workbook whose sheets hold `rows` findings each (the format's limit is large to test).
    #[cfg(test)]
    fn with_rows_per_sheet(mut self, rows: u32) -> PlanWriter {
        if let PlanWriter::Xlsx(book) = &mut self {
            book.rows_per_sheet = rows;
        }
        self
    }

    /// The CSV written since the last call (nothing for a workbook, which is whole only at the
    /// end).
    pub fn take_written(&mut self) -> Result<Vec<u8>> {
        match self {
            PlanWriter::Csv(w, _) => {
                let written = std::mem::replace(&mut **w, csv::Writer::from_writer(Vec::new()));
                written
                    .into_inner()
                    .map_err(|e| ServiceError::internal("export_failed", format!("the CSV could not be written: {e}")))
            }
            PlanWriter::Xlsx(_) => Ok(Vec::new()),
        }
    }

    /// Ends the file and hands what remains of it to `send`, a piece at a time. A workbook is
    /// saved to a temporary file first (a zip is written at the end), then read back in pieces.
    pub fn finish_into(mut self, send: &mut dyn FnMut(Vec<u8>) -> Result<()>) -> Result<()> {
        if let PlanWriter::Xlsx(book) = &mut self {
            let failed = |e: std::io::Error| ServiceError::internal("export_failed", format!("the spreadsheet could not be written: {e}"));
            let mut file = tempfile::tempfile().map_err(failed)?;
            book.book.save_to_writer(&mut file).map_err(xlsx_error)?;
            file.flush().map_err(failed)?;
            file.rewind().map_err(failed)?;
            loop {
                let mut chunk = vec![0; CHUNK];
                let n = file.read(&mut chunk).map_err(failed)?;
                if n == 0 {
                    return Ok(());
                }
                chunk.truncate(n);
                send(chunk)?;
            }
        }
        let rest = self.take_written()?;
        if !rest.is_empty() {
            send(rest)?;
        }
        Ok(())
    }

    /// The whole file at once.
    pub fn finish(self) -> Result<Vec<u8>> {
        let mut all = Vec::new();
        self.finish_into(&mut |chunk| {
            all.extend(chunk);
            Ok(())
        })?;
        Ok(all)
    }
}

fn csv_error(e: csv::Error) -> ServiceError {
    ServiceError::internal("export_failed", format!("the CSV could not be written: {e}"))
}

impl Services {
    /// The remediation plan: every finding of the register the actor may see that matches the
    /// query, in its order, streamed. Refusals (scope, a heavy read already under way) come
    /// before the first byte; what goes wrong later ends the stream with an error.
    pub async fn export_plan(&self, actor: &Actor, mut q: RegisterQuery, format: ExportFormat, dutch: bool) -> Result<PlanExport> {
        scope(actor, &mut q)?;
        let heavy = self.heavy.begin(actor.person_id)?;
        let today = crate::clock::brussels_date(self.clock.now());
        let mut writer = PlanWriter::new(format, dutch)?;
        let (rows_out, mut rows_in) = mpsc::channel::<Result<Vec<PlanRow>>>(2);
        let (chunks_out, chunks) = mpsc::channel::<Result<Vec<u8>>>(4);
        // The reader: a batch at a time, each in a read of its own so no reader is held for the
        // whole export, after the last row of the batch before.
        let store = self.store.clone();
        tokio::spawn(async move {
            let _heavy = heavy;
            q.limit = BATCH;
            q.after = None;
            loop {
                let page = async {
                    let mut tx = store.read().await?;
                    Ok::<_, ServiceError>(tx.plan_lines(&q).await?)
                }
                .await;
                let (batch, next) = match page {
                    Ok(page) => (Ok(page.lines.into_iter().map(|l| PlanRow::of(l, today)).collect()), page.next),
                    Err(e) => (Err(e), None),
                };
                let failed = batch.is_err();
                // A closed channel: the writer stopped (the client left).
                if rows_out.send(batch).await.is_err() || failed {
                    return;
                }
                match next {
                    Some(cursor) => q.after = Some(cursor),
                    None => return,
                }
            }
        });
        // The writer: formatting, compressing and the temporary file are work for a blocking
        // thread, not for the runtime's workers.
        tokio::task::spawn_blocking(move || {
            let send = |chunk: Result<Vec<u8>>| {
                chunks_out
                    .blocking_send(chunk)
                    .map_err(|_| ServiceError::internal("export_stopped", "the client left"))
            };
            let written = (|| -> Result<()> {
                while let Some(batch) = rows_in.blocking_recv() {
                    for row in &batch? {
                        writer.row(row)?;
                    }
                    if let PlanWriter::Csv(w, _) = &writer
                        && w.get_ref().len() >= CHUNK
                    {
                        send(Ok(writer.take_written()?))?;
                    }
                }
                writer.finish_into(&mut |chunk| send(Ok(chunk)))
            })();
            if let Err(e) = written {
                let _ = chunks_out.blocking_send(Err(e));
            }
        });
        let name = if dutch { "remediatieplan" } else { "remediation-plan" };
        Ok(PlanExport {
            chunks,
            content_type: format.content_type(),
            filename: format!("{name}-{today}.{}", format.extension()),
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

    #[test]
    fn a_plan_longer_than_a_sheet_goes_on_in_the_next_with_its_header() {
        use calamine::{Data, Reader, Xlsx};
        let mut w = PlanWriter::new(ExportFormat::Xlsx, false).unwrap().with_rows_per_sheet(2);
        for id in 1..=5 {
            w.row(&PlanRow { id, ..row("Telnet", "") }).unwrap();
        }
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(w.finish().unwrap())).unwrap();
        let names = book.sheet_names();
        assert_eq!(names, ["Remediation plan", "Remediation plan (2)", "Remediation plan (3)"]);
        let ids: Vec<Vec<Data>> = names
            .iter()
            .map(|n| {
                let range = book.worksheet_range(n).unwrap();
                assert_eq!(range.get((0, 1)), Some(&Data::String("title".into())), "{n} has the header");
                range.rows().skip(1).map(|r| r[0].clone()).collect()
            })
            .collect();
        assert_eq!(
            ids,
            [
                vec![Data::Float(1.0), Data::Float(2.0)],
                vec![Data::Float(3.0), Data::Float(4.0)],
                vec![Data::Float(5.0)]
            ]
        );
    }

    #[test]
    fn the_csv_leaves_in_pieces_that_make_the_whole() {
        let mut w = PlanWriter::new(ExportFormat::Csv, false).unwrap();
        let mut pieces = Vec::new();
        for id in 0..3000 {
            w.row(&PlanRow { id, ..row("Telnet", "") }).unwrap();
            if id % 1000 == 999 {
                pieces.push(w.take_written().unwrap());
            }
        }
        w.finish_into(&mut |chunk| {
            pieces.push(chunk);
            Ok(())
        })
        .unwrap();
        assert!(pieces.iter().filter(|p| !p.is_empty()).count() >= 3, "written in pieces");
        let whole: Vec<u8> = pieces.concat();
        assert!(whole.starts_with(b"\xEF\xBB\xBFid,title"), "one header, at the start");
        let mut r = csv::Reader::from_reader(&whole[3..]);
        let ids: Vec<i64> = r.records().map(|r| r.unwrap()[0].parse().unwrap()).collect();
        assert_eq!(ids, (0..3000).collect::<Vec<_>>());
    }
}
