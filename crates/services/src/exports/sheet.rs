//! A spreadsheet written row by row as CSV or XLSX: money as numbers with two decimals, dates as
//! dates in XLSX (ISO dates in CSV), text kept from being read as a formula.

use crate::error::{Result, ServiceError};
use crate::remediation::export::{ExportFormat, spreadsheet_safe};
use chrono::{Datelike, NaiveDate};
use cyberveilig_domain::Money;

/// A cell: text, a count, an amount of money, a number of days (empty when nothing reached the
/// step), or a date (empty when there is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(i64),
    Money(Money),
    Days(Option<i64>),
    Date(Option<NaiveDate>),
}

impl Cell {
    /// The cell as a CSV field: money with two decimals and a point, days and counts as
    /// integers, dates as YYYY-MM-DD.
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Money(m) => {
                let cents = m.cents();
                format!("{}{}.{:02}", if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100)
            }
            Cell::Days(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            Cell::Date(d) => d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        }
    }

    /// The cell as people read it in `dutch` or English.
    pub fn display(&self, dutch: bool) -> String {
        match self {
            Cell::Money(m) => m.format_in(dutch),
            Cell::Date(Some(d)) => d.format("%d/%m/%Y").to_string(),
            other => other.csv(),
        }
    }

    /// The number a chart draws (money in euros); `None` for text, dates and empty cells.
    pub fn value(&self) -> Option<f64> {
        match self {
            Cell::Text(_) | Cell::Days(None) | Cell::Date(_) => None,
            Cell::Count(n) => Some(*n as f64),
            Cell::Money(m) => Some(m.cents() as f64 / 100.0),
            Cell::Days(Some(d)) => Some(*d as f64),
        }
    }
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> ServiceError {
    ServiceError::internal("export_failed", format!("the spreadsheet could not be written: {e}"))
}

fn csv_error(e: csv::Error) -> ServiceError {
    ServiceError::internal("export_failed", format!("the CSV could not be written: {e}"))
}

/// Rows written one at a time in either format.
pub enum SheetWriter {
    Csv(Box<csv::Writer<Vec<u8>>>),
    Xlsx(Box<Workbook>),
}

/// A workbook being written: the next row, and the formats of money and dates.
pub struct Workbook {
    book: rust_xlsxwriter::Workbook,
    row: u32,
    money: rust_xlsxwriter::Format,
    date: rust_xlsxwriter::Format,
}

impl SheetWriter {
    /// A writer with its header row; `sheet` names the worksheet (at most 31 characters).
    pub fn new(format: ExportFormat, sheet: &str, headers: &[String]) -> Result<SheetWriter> {
        match format {
            ExportFormat::Csv => {
                // A byte order mark, so that spreadsheet programs read the UTF-8 as UTF-8.
                let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
                w.write_record(headers).map_err(csv_error)?;
                Ok(SheetWriter::Csv(Box::new(w)))
            }
            ExportFormat::Xlsx => {
                let mut book = rust_xlsxwriter::Workbook::new();
                let bold = rust_xlsxwriter::Format::new().set_bold();
                let ws = book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
                let name: String = sheet.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
                ws.set_name(name).map_err(xlsx_error)?;
                for (col, h) in headers.iter().enumerate() {
                    ws.set_column_width(col as u16, (h.chars().count() as f64 + 4.0).max(12.0))
                        .map_err(xlsx_error)?;
                    ws.write_string_with_format(0, col as u16, h, &bold).map_err(xlsx_error)?;
                }
                ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
                Ok(SheetWriter::Xlsx(Box::new(Workbook {
                    book,
                    row: 1,
                    money: rust_xlsxwriter::Format::new().set_num_format("#,##0.00"),
                    date: rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy"),
                })))
            }
        }
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<()> {
        match self {
            SheetWriter::Csv(w) => w
                .write_record(cells.iter().map(|c| spreadsheet_safe(&c.csv()).into_owned()))
                .map_err(csv_error),
            SheetWriter::Xlsx(workbook) => {
                let Workbook { book, row, money, date } = workbook.as_mut();
                let ws = book.worksheet_from_index(0).map_err(xlsx_error)?;
                for (col, cell) in cells.iter().enumerate() {
                    let col = col as u16;
                    match cell {
                        // Strings are written as text cells, never as formulas.
                        Cell::Text(t) => ws.write_string(*row, col, t).map(|_| ()),
                        Cell::Count(n) => ws.write_number(*row, col, *n as f64).map(|_| ()),
                        Cell::Days(Some(d)) => ws.write_number(*row, col, *d as f64).map(|_| ()),
                        Cell::Money(m) => ws.write_number_with_format(*row, col, m.cents() as f64 / 100.0, money).map(|_| ()),
                        Cell::Date(Some(d)) => {
                            let excel = rust_xlsxwriter::ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                                .map_err(xlsx_error)?;
                            ws.write_datetime_with_format(*row, col, &excel, date).map(|_| ())
                        }
                        Cell::Days(None) | Cell::Date(None) => Ok(()),
                    }
                    .map_err(xlsx_error)?;
                }
                *row += 1;
                Ok(())
            }
        }
    }

    pub fn finish(self) -> Result<Vec<u8>> {
        match self {
            SheetWriter::Csv(w) => w
                .into_inner()
                .map_err(|e| ServiceError::internal("export_failed", format!("the CSV could not be written: {e}"))),
            SheetWriter::Xlsx(mut workbook) => workbook.book.save_to_buffer().map_err(xlsx_error),
        }
    }
}
