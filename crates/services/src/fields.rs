//! What a person types into a field, checked once for every use case: trimmed, not too long, and
//! only visible characters (SEC-3).

use crate::error::{Result, ServiceError};
use chrono::NaiveDate;
use cyberveilig_domain::text::{is_plain_line, is_plain_text};

fn required(field: &'static str) -> ServiceError {
    ServiceError::invalid(field, "This field is required.", "Dit veld is verplicht.")
}

/// One line of at most `max` characters; `None` when empty and not required.
pub fn line(field: &'static str, text: &str, max: usize, required_: bool) -> Result<Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return if required_ { Err(required(field)) } else { Ok(None) };
    }
    if text.chars().count() > max || !is_plain_line(text) {
        return Err(ServiceError::invalid(
            field,
            format!("One line of at most {max} characters."),
            format!("Eén regel van hoogstens {max} tekens."),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// Text of several lines (Markdown) of at most `max` characters; `None` when empty and not
/// required.
pub fn block(field: &'static str, text: &str, max: usize, required_: bool) -> Result<Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return if required_ { Err(required(field)) } else { Ok(None) };
    }
    if text.chars().count() > max || !is_plain_text(text) {
        return Err(ServiceError::invalid(
            field,
            format!("Text of at most {max} characters, without hidden characters."),
            format!("Tekst van hoogstens {max} tekens, zonder verborgen tekens."),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// SEC-6: a date between 2000 and 2099.
pub fn plausible(field: &'static str, date: NaiveDate) -> Result<()> {
    if cyberveilig_domain::calendar::is_plausible(date) {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            field,
            "A date between 2000 and 2099.",
            "Een datum tussen 2000 en 2099.",
        ))
    }
}
