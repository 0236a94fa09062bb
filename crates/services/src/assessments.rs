//! Assessments (issue 4, item 3): the firm an order is placed with rates each control of a
//! catalogue (compliant, partially, not compliant, not applicable, with evidence and notes);
//! the scores per area and overall, and the change since the government's previous assessment
//! on the same catalogue, follow from the domain's rules (A1-A3).

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use cyberveilig_catalogues::BASELINE_URN;
use cyberveilig_domain::assessment::{Change, Rating, Scores, changes, score};
use cyberveilig_store::records::{AreaRecord, Assessment, CatalogueRecord, ControlRecord, Order, RatingRecord};
use cyberveilig_store::{StoreError, Tx};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Longest evidence or note, in characters.
pub const MAX_NOTE: usize = 4_000;

/// One control's rating as a firm gives it; no rating takes the control back to unrated.
#[derive(Debug, Clone, Default)]
pub struct RatingInput {
    /// The control's id in the catalogue, such as `BA.ROL.01`.
    pub control: String,
    pub rating: Option<String>,
    pub evidence: Option<String>,
    pub notes: Option<String>,
}

/// An assessment with everything its page shows.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    pub assessment: Assessment,
    pub order: Order,
    pub catalogue: CatalogueRecord,
    pub areas: Vec<AreaRecord>,
    /// The catalogue's controls in order, each with its rating if it has one.
    pub controls: Vec<(ControlRecord, Option<RatingRecord>)>,
    pub scores: Scores,
    /// The government's previous assessment on the same catalogue.
    pub previous: Option<Assessment>,
    pub changes: Vec<Change>,
    pub overall_change: Change,
    /// Whether the person looking may rate.
    pub may_rate: bool,
}

fn may_rate(actor: &Actor, order: &Order) -> bool {
    can(actor, Permission::WorkOnOrder(order)) || can(actor, Permission::SettleOrder(order))
}

fn not_yet_accepted(order: &Order) -> bool {
    !order.state.takes_results()
}

fn note(text: Option<String>, field: &'static str, control: &str) -> Result<Option<String>> {
    let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > MAX_NOTE) {
        return Err(ServiceError::invalid(
            field,
            format!("the {field} of {control} is longer than {MAX_NOTE} characters"),
            format!(
                "{} van {control} is langer dan {MAX_NOTE} tekens",
                if field == "evidence" { "het bewijs" } else { "de notitie" }
            ),
        ));
    }
    Ok(text)
}

async fn scores_of(tx: &mut dyn Tx, assessment_id: i64, controls: &[ControlRecord]) -> Result<Scores> {
    let ratings: HashMap<i64, Rating> = tx
        .ratings(assessment_id)
        .await?
        .into_iter()
        .map(|r| (r.control_id, r.rating))
        .collect();
    Ok(score(controls.iter().map(|k| (k.area.as_str(), ratings.get(&k.id).copied()))))
}

impl Services {
    /// The order, if the actor may see it (or, with `rate`, rate its controls).
    async fn order_for_assessment(&self, actor: &Actor, order_id: i64, rate: bool) -> Result<Order> {
        let order = self
            .store
            .read()
            .await?
            .order(order_id)
            .await?
            .ok_or(ServiceError::NotFound("order"))?;
        let allowed = if rate {
            may_rate(actor, &order)
        } else {
            can(actor, Permission::ViewOrder(&order))
        };
        if !allowed {
            return Err(if can(actor, Permission::ViewOrder(&order)) {
                ServiceError::Forbidden
            } else {
                ServiceError::NotFound("order")
            });
        }
        if rate && not_yet_accepted(&order) {
            return Err(ServiceError::conflict(
                "order_not_accepted_yet",
                format!(
                    "Order {} is {}: controls are rated once a firm has accepted it.",
                    order.id,
                    order.state.label(false)
                ),
                format!(
                    "Bestelling {} is {}: controles worden beoordeeld zodra een auditbureau ze aanvaard heeft.",
                    order.id,
                    order.state.label(true)
                ),
            ));
        }
        Ok(order)
    }

    async fn catalogue_or_baseline(&self, tx: &mut dyn Tx, catalogue_id: Option<i64>) -> Result<CatalogueRecord> {
        match catalogue_id {
            Some(id) => tx.catalogue(id).await?,
            None => tx.catalogue_by_urn(BASELINE_URN).await?,
        }
        .ok_or(ServiceError::NotFound("catalogue"))
    }

    /// Starts the order's assessment on a catalogue (the baseline when none is named): the firm
    /// the order is placed with, once it accepted, or an administrator.
    pub async fn start_assessment(&self, actor: &Actor, order_id: i64, catalogue_id: Option<i64>) -> Result<AssessmentView> {
        let order = self.order_for_assessment(actor, order_id, true).await?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let catalogue = self.catalogue_or_baseline(work.tx.as_mut(), catalogue_id).await?;
        start(&mut work, actor, &order, &catalogue).await?;
        // Read before the commit: with an Idempotency-Key the commit waits for the answer.
        let view = assessment_in(work.tx.as_mut(), actor, &order, Some(catalogue.id)).await?;
        work.commit().await?;
        Ok(view)
    }

    /// Saves many ratings at once, all or nothing, starting the assessment if the order has none
    /// on the catalogue yet. Only what changed is written and recorded.
    pub async fn rate_controls(
        &self,
        actor: &Actor,
        order_id: i64,
        catalogue_id: Option<i64>,
        ratings: Vec<RatingInput>,
    ) -> Result<AssessmentView> {
        let order = self.order_for_assessment(actor, order_id, true).await?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let catalogue = self.catalogue_or_baseline(work.tx.as_mut(), catalogue_id).await?;
        let controls = work.tx.controls(catalogue.id).await?;
        let by_ref: HashMap<&str, &ControlRecord> = controls.iter().map(|k| (k.ref_id.as_str(), k)).collect();
        // Everything is checked before anything is written.
        let mut seen = HashSet::new();
        let mut wanted = Vec::with_capacity(ratings.len());
        for input in ratings {
            let control = input.control.trim();
            let Some(k) = by_ref.get(control) else {
                return Err(ServiceError::unknown(
                    "ratings",
                    format!("'{control}' is not a control of {}", catalogue.name_en),
                    format!("'{control}' is geen controle van {}", catalogue.name_nl),
                ));
            };
            if !seen.insert(k.id) {
                return Err(ServiceError::invalid(
                    "ratings",
                    format!("{control} is rated twice"),
                    format!("{control} staat er twee keer in"),
                ));
            }
            let rating = match input.rating.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
                None => None,
                Some(text) => Some(text.parse::<Rating>().map_err(|_| {
                    ServiceError::invalid(
                        "rating",
                        format!("'{text}' is not a rating: compliant, partially, not_compliant or not_applicable"),
                        format!("'{text}' is geen beoordeling: compliant, partially, not_compliant of not_applicable"),
                    )
                })?),
            };
            let evidence = note(input.evidence, "evidence", control)?;
            let notes = note(input.notes, "notes", control)?;
            wanted.push((k.id, k.ref_id.clone(), rating, evidence, notes));
        }
        let assessment = match work
            .tx
            .assessments_of_order(order.id)
            .await?
            .into_iter()
            .find(|a| a.catalogue_id == catalogue.id)
        {
            Some(a) => a,
            None => start(&mut work, actor, &order, &catalogue).await?,
        };
        let stored: HashMap<i64, RatingRecord> = work
            .tx
            .ratings(assessment.id)
            .await?
            .into_iter()
            .map(|r| (r.control_id, r))
            .collect();
        let mut changed = Vec::new();
        for (control_id, ref_id, rating, evidence, notes) in wanted {
            let before = stored.get(&control_id);
            let same = match (before, rating) {
                (None, None) => true,
                (Some(b), Some(r)) => b.rating == r && b.evidence == evidence && b.notes == notes,
                _ => false,
            };
            if same {
                continue;
            }
            match rating {
                Some(rating) => {
                    let record = RatingRecord {
                        control_id,
                        rating,
                        evidence,
                        notes,
                        rated_by: Some(actor.person_id),
                        rated_at: work.now,
                    };
                    work.tx.save_rating(assessment.id, &record).await?;
                }
                None => work.tx.delete_rating(assessment.id, control_id).await?,
            }
            changed.push(json!({ "control": ref_id, "from": before.map(|b| b.rating.as_str()), "to": rating.map(Rating::as_str) }));
        }
        if !changed.is_empty() {
            work.tx.touch_assessment(assessment.id, work.now).await?;
            work.record(
                Action::AssessmentRated,
                "assessment",
                assessment.id,
                json!({ "order_id": order.id, "changed": changed }),
            )
            .await?;
        }
        // Read before the commit: with an Idempotency-Key the commit waits for the answer.
        let view = assessment_in(work.tx.as_mut(), actor, &order, Some(catalogue.id)).await?;
        work.commit().await?;
        Ok(view)
    }

    /// An order's assessment on a catalogue (its latest one when none is named), with the scores
    /// and the change since the government's previous one: the government sees its own, the firm
    /// its orders', the administrator all.
    pub async fn assessment(&self, actor: &Actor, order_id: i64, catalogue_id: Option<i64>) -> Result<AssessmentView> {
        let order = self.order_for_assessment(actor, order_id, false).await?;
        let mut tx = self.store.read().await?;
        assessment_in(tx.as_mut(), actor, &order, catalogue_id).await
    }

    /// Whether the actor may rate the order's controls now.
    pub async fn may_rate_controls(&self, actor: &Actor, order_id: i64) -> bool {
        self.order_for_assessment(actor, order_id, true).await.is_ok()
    }

    /// The order's assessments, oldest first (empty when it has none or the actor may not see it).
    pub async fn assessments_of_order(&self, actor: &Actor, order_id: i64) -> Result<Vec<Assessment>> {
        let order = self.order_for_assessment(actor, order_id, false).await?;
        Ok(self.store.read().await?.assessments_of_order(order.id).await?)
    }
}

async fn start(work: &mut Work, actor: &Actor, order: &Order, catalogue: &CatalogueRecord) -> Result<Assessment> {
    let mut assessment = Assessment {
        id: 0,
        order_id: order.id,
        catalogue_id: catalogue.id,
        government_id: order.government_id,
        started_by: Some(actor.person_id),
        started_at: work.now,
        updated_at: work.now,
    };
    assessment.id = match work.tx.insert_assessment(&assessment).await {
        Err(StoreError::Duplicate) => {
            return Err(ServiceError::conflict(
                "assessment_exists",
                format!("Order {} has an assessment on {} already.", order.id, catalogue.name_en),
                format!("Bestelling {} heeft al een beoordeling op {}.", order.id, catalogue.name_nl),
            ));
        }
        other => other?,
    };
    work.record(
        Action::AssessmentStarted,
        "assessment",
        assessment.id,
        json!({ "order_id": order.id, "catalogue": catalogue.urn, "version": catalogue.version }),
    )
    .await?;
    Ok(assessment)
}

/// An order's assessment as a transaction sees it (one that rated it, before it commits).
async fn assessment_in(tx: &mut dyn Tx, actor: &Actor, order: &Order, catalogue_id: Option<i64>) -> Result<AssessmentView> {
    let assessment = tx
        .assessments_of_order(order.id)
        .await?
        .into_iter()
        .rev()
        .find(|a| catalogue_id.is_none_or(|c| a.catalogue_id == c))
        .ok_or(ServiceError::NotFound("assessment"))?;
    let catalogue = tx
        .catalogue(assessment.catalogue_id)
        .await?
        .ok_or(ServiceError::NotFound("catalogue"))?;
    let controls = tx.controls(catalogue.id).await?;
    let mut ratings: HashMap<i64, RatingRecord> = tx.ratings(assessment.id).await?.into_iter().map(|r| (r.control_id, r)).collect();
    let scores = score(controls.iter().map(|k| (k.area.as_str(), ratings.get(&k.id).map(|r| r.rating))));
    let previous = tx.previous_assessment(order.government_id, catalogue.id, assessment.id).await?;
    let before = match &previous {
        Some(p) => Some(scores_of(tx, p.id, &controls).await?),
        None => None,
    };
    let (area_changes, overall_change) = changes(&scores, before.as_ref());
    Ok(AssessmentView {
        areas: tx.catalogue_areas(catalogue.id).await?,
        controls: controls
            .into_iter()
            .map(|k| {
                let r = ratings.remove(&k.id);
                (k, r)
            })
            .collect(),
        scores,
        previous,
        changes: area_changes,
        overall_change,
        may_rate: may_rate(actor, order) && !not_yet_accepted(order),
        assessment,
        catalogue,
        order: order.clone(),
    })
}
