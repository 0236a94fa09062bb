//! Reading the dated history back: each order's milestones from the audit log (FIG-2), the
//! programme's rules as configured at a day (FIG-8) and the engagements' steps.

use super::EngagementFigures;
use crate::clock::brussels_date;
use crate::error::Result;
use crate::events::Action;
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::figures::{Milestone, OrderAt};
use cyberveilig_domain::registry::Province;
use cyberveilig_store::Tx;
use cyberveilig_store::records::{OrderFact, Programme};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// An order as submitted and as it stood at the day.
#[derive(Debug, Clone)]
pub struct OrderRecord {
    pub fact: OrderFact,
    pub province: Option<Province>,
    pub at: OrderAt,
}

fn id_in(details: &Value, key: &str) -> Option<i64> {
    details.get(key).and_then(Value::as_i64)
}

/// The milestone an entry of the audit log records, if it is one (FIG-2).
fn milestone(action: Action, details: &Value) -> Option<Milestone> {
    Some(match action {
        Action::OrderOffered => Milestone::Offered {
            firm_id: id_in(details, "firm_id")?,
            agreement_id: id_in(details, "agreement_id")?,
        },
        Action::OrderWaitlisted => Milestone::Waitlisted,
        Action::OrderAwaitingConfirmation => Milestone::AwaitingConfirmation,
        Action::OrderAwaitingFramework => Milestone::AwaitingFramework {
            agreement_id: id_in(details, "agreement_id")?,
        },
        Action::OrderQuoted => Milestone::Quoted,
        Action::OrderAccepted | Action::OrderPriceConfirmed => Milestone::Accepted,
        Action::OrderDelivered => Milestone::Delivered,
        Action::OrderRemediationDayHeld => Milestone::RemediationDayHeld,
        Action::OrderInvoiced => Milestone::Invoiced,
        Action::OrderSettled => Milestone::Settled,
        Action::OrderCancelled => Milestone::Cancelled,
        Action::OrderUnplaceable => Milestone::Unplaceable,
        _ => return None,
    })
}

/// The programme's orders submitted before `until`, each as its milestones before `until` left it.
pub(super) async fn orders_at(tx: &mut dyn Tx, programme_id: i64, until: DateTime<Utc>) -> Result<Vec<OrderRecord>> {
    let mut records: BTreeMap<i64, OrderRecord> = tx
        .order_facts(programme_id, until)
        .await?
        .into_iter()
        .map(|fact| {
            let province = fact.government_nis.as_ref().and_then(Province::of_municipality);
            let at = OrderAt::submitted(fact.submitted_on);
            (fact.id, OrderRecord { fact, province, at })
        })
        .collect();
    for event in tx.order_events(programme_id, until).await? {
        let Some(action) = Action::parse(&event.action) else { continue };
        let details: Value = serde_json::from_str(&event.details).unwrap_or(Value::Null);
        if let (Some(record), Some(step)) = (records.get_mut(&event.subject_id), milestone(action, &details)) {
            record.at.follow(step, brussels_date(event.at));
        }
    }
    Ok(records.into_values().collect())
}

/// FIG-8: the offer's last day as configured at `until`: amendments made since are undone.
pub(super) async fn offer_ends_on_at(tx: &mut dyn Tx, programme: &Programme, until: DateTime<Utc>) -> Result<NaiveDate> {
    let mut ends_on = programme.settings.offer_ends_on;
    let mut amendments = tx.amendments(programme.id).await?;
    amendments.sort_by_key(|a| std::cmp::Reverse(a.at));
    for a in amendments.iter().filter(|a| a.at >= until) {
        if let Some(from) = a
            .summary
            .get("offer_ends_on")
            .and_then(|c| c.get("from"))
            .and_then(Value::as_str)
            .and_then(|d| d.parse().ok())
        {
            ends_on = from;
        }
    }
    Ok(ends_on)
}

/// Engagements proposed, authorised (and not withdrawn since) and withdrawn before `until`.
pub(super) async fn engagements_at(tx: &mut dyn Tx, until: DateTime<Utc>) -> Result<EngagementFigures> {
    let (mut proposed, mut authorised, mut withdrawn) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for event in tx.subject_events("engagement", until).await? {
        match Action::parse(&event.action) {
            Some(Action::EngagementProposed) => {
                proposed.insert(event.subject_id);
            }
            Some(Action::EngagementAuthorised) => {
                authorised.insert(event.subject_id);
            }
            Some(Action::EngagementWithdrawn) => {
                authorised.remove(&event.subject_id);
                withdrawn.insert(event.subject_id);
            }
            _ => {}
        }
    }
    Ok(EngagementFigures {
        proposed: proposed.len() as i64,
        authorised: authorised.len() as i64,
        withdrawn: withdrawn.len() as i64,
    })
}
