//! Server-rendered pages: minijinja templates embedded in the binary, auto-escaped, with the
//! Fluent text function `t` and the Belgian formats as filters.

use super::i18n;
use crate::lang::Lang;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::Money;
use fluent_bundle::FluentValue;
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind, State};
use std::sync::LazyLock;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates![
    "base.html",
    "figures.html",
    "parliament.html",
    "macros.html",
    "landing.html",
    "sign_in.html",
    "second_factor.html",
    "second_factor_setup.html",
    "forgot_password.html",
    "new_password.html",
    "invitation.html",
    "register.html",
    "message.html",
    "government.html",
    "order.html",
    "settle.html",
    "firm.html",
    "admin.html",
    "orders.html",
    "agreements.html",
    "governments.html",
    "people.html",
    "outbox.html",
    "association.html",
    "researcher.html",
    "api_tokens.html",
    "findings.html",
    "finding.html",
    "results.html",
    "baseline.html",
    "baseline_overview.html",
    "baseline_public.html",
    "scanner.html",
    "assets.html",
    "agenda.html",
    "assessment.html",
    "policy.html",
    "policy_editor.html",
    "report_form.html",
    "report_received.html",
    "report_directory.html",
    "policy_none.html",
    "reports.html",
    "report.html",
    "acknowledgements.html",
    "engagements.html",
    "engagement.html",
    "engagement_form.html",
    "engagement_figures.html",
    "awareness_events.html",
    "awareness_event.html",
    "awareness_form.html",
    "awareness_reach.html",
    "awareness_feed.html",
    "steering.html",
    "steering_meeting.html",
    "grant.html",
    "grant_claim.html",
    "grant_report.html",
    "toolkit.html",
    "toolkit_item.html",
    "toolkit_form.html",
    "toolkit_checklist.html",
    "toolkit_use.html",
];

fn lang_of(state: &State) -> Lang {
    match state.lookup("lang").as_ref().and_then(|v| v.as_str()) {
        Some("en") => Lang::En,
        _ => Lang::Nl,
    }
}

/// `{{ t("key", name=value) }}`: the message in the page's language.
fn translate(state: &State, key: &str, kwargs: Kwargs) -> Result<String, Error> {
    let mut args: Vec<(String, FluentValue<'static>)> = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        let fluent = match value.as_i64() {
            Some(n) => FluentValue::from(n),
            None => FluentValue::from(value.to_string()),
        };
        args.push((name.to_owned(), fluent));
    }
    let borrowed: Vec<(&str, FluentValue<'_>)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    Ok(i18n::text(lang_of(state), key, &borrowed))
}

/// `{{ cents | money }}`: `€ 5.009,40` in Dutch, `€5,009.40` in English.
fn money(state: &State, cents: Value) -> Result<String, Error> {
    let Some(cents) = cents.as_i64() else {
        return Ok(String::new());
    };
    let m = Money::from_cents(cents);
    Ok(if lang_of(state).is_dutch() { m.format_nl() } else { m.format_en() })
}

/// `{{ "2021-06-15" | date }}`: `15/06/2021`.
fn date(value: Value) -> String {
    let text = value.to_string();
    match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        Ok(d) => d.format("%d/%m/%Y").to_string(),
        Err(_) => match text.parse::<DateTime<Utc>>() {
            Ok(t) => t.with_timezone(&chrono_tz::Europe::Brussels).format("%d/%m/%Y %H:%M").to_string(),
            Err(_) => String::new(),
        },
    }
}

/// `{{ text | visible }}`: text from a scanner report or a reporter with its hidden characters
/// shown (issue 10, item 13): a bidirectional override or a zero-width character becomes
/// `[U+202E]`, so a title cannot read backwards or hide a word. The result is escaped as usual.
fn visible(value: Value) -> String {
    if value.is_none() || value.is_undefined() {
        return String::new();
    }
    let text = value.to_string();
    if !text.chars().any(cyberveilig_domain::text::is_hidden) {
        return text;
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if cyberveilig_domain::text::is_hidden(c) {
            shown.push_str(&format!("[U+{:04X}]", u32::from(c)));
        } else {
            shown.push(c);
        }
    }
    shown
}

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        // A test renders every template, so a syntax error fails CI, not a request.
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "template does not parse");
        }
    }
    env.add_function("t", translate);
    env.add_filter("money", money);
    env.add_filter("date", date);
    env.add_filter("visible", visible);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
    env
});

/// Renders a page; a template error is logged and shown as a plain 500 page.
pub fn render(name: &str, context: Value) -> Response {
    render_with_status(StatusCode::OK, name, context)
}

pub fn render_with_status(status: StatusCode, name: &str, context: Value) -> Response {
    match ENV.get_template(name).and_then(|t| t.render(context)) {
        Ok(html) => (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %format!("{e:#}"), "page not rendered");
            (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be shown.").into_response()
        }
    }
}

/// Whether every template parses (for the tests).
pub fn check_templates() -> Result<(), Error> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .map_err(|e| Error::new(ErrorKind::SyntaxError, format!("{name}: {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_shown() {
        assert_eq!(visible(Value::from("admin\u{202E}txt.exe")), "admin[U+202E]txt.exe");
        assert_eq!(visible(Value::from("a\u{200B}b\u{FEFF}")), "a[U+200B]b[U+FEFF]");
        assert_eq!(visible(Value::from("<b>plain</b>")), "<b>plain</b>", "escaping is the template's");
        assert_eq!(visible(Value::from(())), "");
    }
}
