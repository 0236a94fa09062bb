//! The demo's assessments: every basic audit is delivered with the baseline's controls all
//! rated (C3); a few orders still being worked on are rated in part; and one government's
//! additional work is assessed after its basic audit, so the change since then shows.

use crate::Services;
use crate::assessments::RatingInput;
use crate::authz::Actor;
use crate::demo::roll;
use crate::error::Result;
use cyberveilig_domain::order::{OrderKind, OrderState};
use cyberveilig_store::records::{Order, OrderFilter};

/// How many orders under way get an assessment in part after the history.
const DEMO_ASSESSMENTS: usize = 6;

/// A rating drawn for a control: better odds with a higher `maturity` (0-3); now and then none
/// (a control not rated yet, in an assessment under way).
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

/// A rating for every control, as a delivered basic audit has: what `draw` leaves unrated is
/// found not applicable.
fn draw_complete(order_id: i64, control: usize, maturity: u64) -> &'static str {
    draw(order_id, control, maturity).unwrap_or("not_applicable")
}

impl Services {
    /// Rates every control of the baseline for a basic audit about to be delivered.
    pub(crate) async fn demo_complete_assessment(&self, firm: &Actor, order: &Order) -> Result<()> {
        let baseline = self.baseline_catalogue(firm).await?;
        let maturity = roll(order.id, 6_999) % 3;
        let ratings = baseline
            .controls
            .iter()
            .enumerate()
            .map(|(i, k)| rating_input(k, Some(draw_complete(order.id, i, maturity))))
            .collect();
        self.rate_controls(firm, order.id, Some(baseline.catalogue.id), ratings).await?;
        Ok(())
    }

    /// After the history: a few orders under way are rated in part, and one government's
    /// additional work is assessed after its (delivered, assessed) basic audit, better.
    pub(crate) async fn replay_demo_assessments(&self, programme_id: i64, firms: &[Actor; 4]) -> Result<()> {
        let baseline = self.baseline_catalogue(&firms[0]).await?;
        let mut tx = self.store.read().await?;
        let mut orders: Vec<Order> = Vec::new();
        for o in tx
            .orders(&OrderFilter {
                programme_id: Some(programme_id),
                limit: 100_000,
                ..Default::default()
            })
            .await?
        {
            let assessed = !tx.assessments_of_order(o.id).await?.is_empty();
            if o.state.takes_results() && !assessed {
                orders.push(o);
            }
        }
        drop(tx);
        // Additional work of a government whose basic audit was assessed at its delivery.
        let later = orders.iter().filter(|o| o.kind == OrderKind::Additional).min_by_key(|o| o.id);
        let mut chosen: Vec<(&Order, u64, bool)> = later.map(|o| (o, 3, true)).into_iter().collect();
        for o in orders
            .iter()
            .filter(|o| o.kind == OrderKind::Basic && o.state == OrderState::Accepted)
        {
            if chosen.len() >= DEMO_ASSESSMENTS {
                break;
            }
            chosen.push((o, roll(o.id, 6_999) % 4, false));
        }
        chosen.sort_by_key(|(o, ..)| o.id);
        for (order, maturity, complete) in chosen {
            let Some(firm) = firms.iter().find(|f| Some(f.organisation_id) == order.firm_id) else {
                continue;
            };
            let ratings = baseline
                .controls
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    let rating = if complete {
                        Some(draw_complete(order.id, i, maturity))
                    } else {
                        draw(order.id, i, maturity)
                    };
                    rating_input(k, rating)
                })
                .collect();
            self.rate_controls(firm, order.id, Some(baseline.catalogue.id), ratings).await?;
        }
        Ok(())
    }
}

fn rating_input(k: &cyberveilig_store::records::ControlRecord, rating: Option<&str>) -> RatingInput {
    RatingInput {
        control: k.ref_id.clone(),
        rating: rating.map(str::to_owned),
        evidence: matches!(rating, Some("compliant" | "partially")).then(|| format!("Gezien: {}", k.evidence_nl)),
        notes: (rating == Some("not_compliant")).then(|| "Opnemen in het actieplan.".to_owned()),
    }
}
