//! Timelines: every event of the audit log in words, in the page's language, naming the firm it
//! concerns. Every kind the services can record (`cyberveilig_services::events::Action::ALL`)
//! has a sentence in Dutch and in English; the test below fails when one lacks it.

use super::i18n;
use crate::lang::Lang;
use cyberveilig_domain::Money;
use cyberveilig_services::store::records::Event;
use fluent_bundle::FluentValue;
use std::collections::HashMap;

/// The message of an event kind: `order.remediation_day_held` is `event-order-remediation-day-held`.
pub fn event_key(action: &str) -> String {
    format!("event-{}", action.replace(['.', '_'], "-"))
}

/// The ids of the firms an event names, to look their names up before describing it.
pub fn firm_ids(events: &[Event]) -> Vec<i64> {
    let mut ids: Vec<i64> = events
        .iter()
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.details).ok())
        .filter_map(|d| d.get("firm_id").and_then(|f| f.as_i64()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// One event in words. `firms` names the firms by id; `order_firm` is the firm the order is
/// placed with, for events that do not name one themselves (recorded before they did).
pub fn describe(lang: Lang, event: &Event, firms: &HashMap<i64, String>, order_firm: Option<&str>) -> String {
    let details: serde_json::Value = serde_json::from_str(&event.details).unwrap_or_default();
    let cents = |key: &str| details.get(key).and_then(|v| v.as_i64()).map(Money::from_cents);
    let money = |m: Option<Money>| match m {
        Some(m) if lang.is_dutch() => m.format_nl(),
        Some(m) => m.format_en(),
        None => String::new(),
    };
    let date = ["held_on", "planned_start_on", "response_due_on"]
        .iter()
        .find_map(|k| details.get(*k).and_then(|v| v.as_str()))
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default();
    let firm = details
        .get("firm_id")
        .and_then(|f| f.as_i64())
        .and_then(|id| firms.get(&id).cloned())
        .or_else(|| order_firm.map(str::to_owned))
        .unwrap_or_else(|| "—".to_owned());
    let args = arguments(
        firm,
        money(cents("price_cents")),
        money(cents("amount_cents").or(cents("paid_cents"))),
        date,
    );
    let key = event_key(&event.action);
    // A kind the list does not know (from a newer version) is shown as stored, never lost.
    i18n::text_checked(lang, &key, &args).unwrap_or_else(|_| event.action.clone())
}

fn arguments(firm: String, price: String, amount: String, date: String) -> Vec<(&'static str, FluentValue<'static>)> {
    vec![
        ("firm", FluentValue::from(firm)),
        ("price", FluentValue::from(price)),
        ("amount", FluentValue::from(amount)),
        ("date", FluentValue::from(date)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use cyberveilig_services::events::Action;

    /// Every kind the services can record has words in Dutch and in English, with the
    /// arguments a timeline gives (issue 11: `event-order-results-imported` showed as a key).
    #[test]
    fn every_event_kind_has_words_in_both_languages() {
        let mut missing = Vec::new();
        for action in Action::ALL {
            for lang in [Lang::Nl, Lang::En] {
                let args = arguments("Deloitte".into(), "€ 1,00".into(), "€ 2,00".into(), "01/06/2020".into());
                match i18n::text_checked(lang, &event_key(action.as_str()), &args) {
                    Ok(text) if !text.trim().is_empty() && !text.starts_with("event-") => {}
                    Ok(text) => missing.push(format!("{} in {lang:?}: '{text}'", action.as_str())),
                    Err(e) => missing.push(e),
                }
            }
        }
        assert!(missing.is_empty(), "event kinds without words: {missing:#?}");
    }

    #[test]
    fn an_event_names_its_firm_and_its_amounts() {
        let event = |action: &str, details: &str| Event {
            seq: 1,
            at: chrono::Utc::now(),
            actor_id: None,
            actor: "system".into(),
            action: action.into(),
            subject_type: "order".into(),
            subject_id: 1,
            details: details.into(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        let firms = HashMap::from([(2, "Deloitte".to_owned())]);
        let accepted = event("order.accepted", r#"{"firm_id": 2, "price_cents": 546455}"#);
        assert_eq!(
            describe(Lang::Nl, &accepted, &firms, None),
            "Aanvaard door Deloitte voor € 5.464,55"
        );
        assert_eq!(describe(Lang::En, &accepted, &firms, None), "Accepted by Deloitte at €5,464.55");
        // Recorded before events named their firm: the order's firm.
        let delivered = event("order.delivered", r#"{"delivered_on": "2020-06-15"}"#);
        assert_eq!(describe(Lang::Nl, &delivered, &firms, Some("EY")), "Opgeleverd door EY");
        let day = event("order.remediation_day_held", r#"{"held_on": "2020-06-19"}"#);
        assert_eq!(describe(Lang::En, &day, &firms, None), "Remediation day held on 19/06/2020");
        let unknown = event("order.something_new", "{}");
        assert_eq!(describe(Lang::Nl, &unknown, &firms, None), "order.something_new");
    }
}
