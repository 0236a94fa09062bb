//! The demo's assessments: the firms rate the baseline's controls for a dozen accepted orders,
//! and one government has an earlier assessment too, so the change since then shows.

use crate::Services;
use crate::assessments::RatingInput;
use crate::authz::Actor;
use crate::demo::roll;
use crate::error::Result;
use cyberveilig_domain::order::OrderState;
use cyberveilig_store::records::{Order, OrderFilter};
use std::collections::HashMap;

/// How many orders get an assessment in the demo.
const DEMO_ASSESSMENTS: usize = 12;

/// A rating drawn for a control: better odds with a higher `maturity` (0-3).
fn draw(order_id: i64, control: usize, maturity: u64) -> Option<&'static str> {
    let r = roll(order_id, 7_000 + control as u64) % 100;
    let compliant = 30 + 12 * maturity;
    match r {
        _ if r < compliant => Some("compliant"),
        _ if r < compliant + 25 => Some("partially"),
        _ if r < 92 => Some("not_compliant"),
        _ if r < 96 => Some("not_applicable"),
        _ => None,
    }
}

impl Services {
    pub(crate) async fn replay_demo_assessments(&self, programme_id: i64, firms: &[Actor; 4]) -> Result<()> {
        let baseline = self.baseline_catalogue(&firms[0]).await?;
        let mut tx = self.store.read().await?;
        let orders: Vec<Order> = tx
            .orders(&OrderFilter {
                programme_id: Some(programme_id),
                limit: 100_000,
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|o| o.accepted_on.is_some() && !matches!(o.state, OrderState::Cancelled | OrderState::Unplaceable))
            .collect();
        drop(tx);
        // A government with two accepted orders gets both assessed, the earlier one weaker.
        let mut per_government: HashMap<i64, Vec<&Order>> = HashMap::new();
        for o in &orders {
            per_government.entry(o.government_id).or_default().push(o);
        }
        let mut pair: Vec<&Order> = per_government
            .into_values()
            .filter(|v| v.len() >= 2)
            .min_by_key(|v| v[0].id)
            .unwrap_or_default();
        pair.truncate(2);
        let mut chosen: Vec<(&Order, u64)> = pair.iter().enumerate().map(|(i, o)| (*o, 1 + 2 * i as u64)).collect();
        for o in orders.iter().filter(|o| !pair.iter().any(|p| p.id == o.id)) {
            if chosen.len() >= DEMO_ASSESSMENTS {
                break;
            }
            chosen.push((o, roll(o.id, 6_999) % 4));
        }
        chosen.sort_by_key(|(o, _)| o.id);
        for (order, maturity) in chosen {
            let Some(firm) = firms.iter().find(|f| Some(f.organisation_id) == order.firm_id) else {
                continue;
            };
            let ratings = baseline
                .controls
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    let rating = draw(order.id, i, maturity);
                    RatingInput {
                        control: k.ref_id.clone(),
                        rating: rating.map(str::to_owned),
                        evidence: matches!(rating, Some("compliant" | "partially")).then(|| format!("Gezien: {}", k.evidence_nl)),
                        notes: (rating == Some("not_compliant")).then(|| "Opnemen in het actieplan.".to_owned()),
                    }
                })
                .collect();
            self.rate_controls(firm, order.id, Some(baseline.catalogue.id), ratings).await?;
        }
        Ok(())
    }
}
