//! `/api/v1`: thin handlers that parse, call a service and render.

pub mod agreements;
pub mod assessments;
pub mod auth;
pub mod awareness;
pub mod baseline;
pub mod clock;
pub mod disclosure;
pub mod engagements;
pub mod figures;
pub mod findings;
pub mod grant;
pub mod orders;
pub mod organisations;
pub mod programmes;
pub mod remediation;
pub mod reports;
pub mod schema;
pub mod steering;
pub mod toolkit;

use crate::lang::Lang;
use crate::problem::Problem;
use axum::http::StatusCode;
use cyberveilig_domain::Money;

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 500;

/// A page size and the id after which the page starts, from `limit` and `cursor`.
pub fn paging(limit: Option<i64>, cursor: Option<&str>) -> Result<(i64, Option<i64>), Problem> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!("limit must lie between 1 and {MAX_PAGE}"),
        )
        .field("limit"));
    }
    let after = match cursor {
        None | Some("") => None,
        Some(c) => Some(c.parse::<i64>().ok().filter(|c| *c >= 0).ok_or_else(|| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "cursor is not one this API gave out",
            )
            .field("cursor")
        })?),
    };
    Ok((limit, after))
}

/// The cursor for the page after `items`, if the page was full.
pub fn next_cursor<T>(items: &[T], limit: i64, id: impl Fn(&T) -> i64) -> Option<String> {
    (items.len() as i64 == limit)
        .then(|| items.last().map(|i| id(i).to_string()))
        .flatten()
}

/// A file to download: its bytes or text, its type, and the name a browser saves it under.
pub fn attachment(body: impl axum::response::IntoResponse, content_type: &'static str, filename: &str) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

pub const CALENDAR: &str = "text/calendar; charset=utf-8";
pub const PDF: &str = "application/pdf";
pub const CSV: &str = "text/csv; charset=utf-8";

/// A positive amount of cents below the programme's limit, from a request field.
pub fn amount(cents: i64, field: &str, lang: Lang) -> Result<Money, Problem> {
    Money::positive(cents).map_err(|_| {
        Problem::localized(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            lang,
            "Het bedrag moet groter zijn dan nul en kleiner dan 10 miljard euro.",
            "The amount must be above zero and below EUR 10 billion.",
        )
        .field(field)
    })
}
