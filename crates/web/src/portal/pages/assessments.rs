//! An order's assessment: the firm's editor (every control of the catalogue grouped by area,
//! with a rating, evidence and notes, all saved at once, without JavaScript) and, for everyone
//! who may see the order, the scores per area and overall with the change since the
//! government's previous assessment.

use super::*;
use cyberveilig_domain::assessment::{AreaScore, Change, Rating};
use cyberveilig_services::assessments::RatingInput;
use cyberveilig_services::catalogues::CatalogueView;
use cyberveilig_services::store::records::{AreaRecord, ControlRecord, RatingRecord};

/// A score in tenths of a percent as the reader writes it: `75,0 %` or `75.0%`.
fn percent(per_mille: Option<u32>, dutch: bool) -> Option<String> {
    per_mille.map(|p| {
        if dutch {
            format!("{},{}\u{a0}%", p / 10, p % 10)
        } else {
            format!("{}.{}%", p / 10, p % 10)
        }
    })
}

/// A change in percentage points, without its sign (the words say which way).
fn points(by: Option<i64>, dutch: bool) -> String {
    let b = by.unwrap_or(0).unsigned_abs();
    format!("{}{}{}", b / 10, if dutch { ',' } else { '.' }, b % 10)
}

fn score_row(s: Option<&AreaScore>, c: Option<&Change>, name: String, dutch: bool) -> Value {
    let n = |f: fn(&AreaScore) -> u32| s.map(f).unwrap_or(0);
    let direction = c.map_or("not_comparable".to_owned(), |c| {
        serde_json::to_value(c.direction)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    });
    context! {
        name, score => percent(s.and_then(AreaScore::per_mille), dutch), before => percent(c.and_then(|c| c.before), dutch),
        direction, points => points(c.and_then(|c| c.by), dutch),
        compliant => n(|s| s.compliant), partially => n(|s| s.partially), not_compliant => n(|s| s.not_compliant),
        not_applicable => n(|s| s.not_applicable), unrated => n(|s| s.unrated),
    }
}

/// What the page shows; `submitted` carries a refused form's values back into it.
struct Page<'a> {
    areas: &'a [AreaRecord],
    controls: Vec<(&'a ControlRecord, Option<&'a RatingRecord>)>,
    submitted: Option<&'a HashMap<String, String>>,
    dutch: bool,
}

impl Page<'_> {
    fn areas(&self, scores: Option<&cyberveilig_domain::assessment::Scores>, changes: &[Change]) -> Vec<Value> {
        let pick = |nl: &str, en: &str| if self.dutch { nl.to_owned() } else { en.to_owned() };
        let mut n = 0;
        self.areas
            .iter()
            .map(|a| {
                let controls: Vec<Value> = self
                    .controls
                    .iter()
                    .filter(|(k, _)| k.area == a.ref_id)
                    .map(|(k, r)| {
                        n += 1;
                        let field = |prefix: &str, stored: Option<String>| match self.submitted {
                            Some(form) => form.get(&format!("{prefix}-{}", k.ref_id)).cloned().unwrap_or_default(),
                            None => stored.unwrap_or_default(),
                        };
                        context! {
                            n, ref_id => k.ref_id.clone(), title => pick(&k.title_nl, &k.title_en),
                            guidance => pick(&k.guidance_nl, &k.guidance_en), expected => pick(&k.evidence_nl, &k.evidence_en),
                            rating => field("rating", r.map(|r| r.rating.as_str().to_owned())),
                            evidence => field("evidence", r.and_then(|r| r.evidence.clone())),
                            notes => field("notes", r.and_then(|r| r.notes.clone())),
                        }
                    })
                    .collect();
                let score = scores.and_then(|s| s.areas.iter().find(|s| s.area == a.ref_id));
                let change = changes.iter().find(|c| c.area == a.ref_id);
                let name = pick(&a.name_nl, &a.name_en);
                context! { s => score_row(score, change, name.clone(), self.dutch), name, controls }
            })
            .collect()
    }
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    order_id: i64,
    error: Option<String>,
    submitted: Option<&HashMap<String, String>>,
) -> Response {
    let not_found = |e: &ServiceError| {
        visitor.page_with_status(
            StatusCode::NOT_FOUND,
            "message.html",
            context! { title => "", body => visitor.error_text(e) },
        )
    };
    let order = match state.services.order(actor, order_id).await {
        Ok(o) => o,
        Err(e) => return not_found(&e),
    };
    let dutch = visitor.lang.is_dutch();
    let ratings: Vec<&str> = Rating::ALL.iter().map(|r| r.as_str()).collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let o = order_view(state, &order).await;
    match state.services.assessment(actor, order_id, None).await {
        Ok(view) => {
            let page = Page {
                areas: &view.areas,
                controls: view.controls.iter().map(|(k, r)| (k, r.as_ref())).collect(),
                submitted,
                dutch,
            };
            let name = if dutch { &view.catalogue.name_nl } else { &view.catalogue.name_en };
            let overall = score_row(Some(&view.scores.overall), Some(&view.overall_change), String::new(), dutch);
            visitor.page_with_status(
                status,
                "assessment.html",
                context! {
                    o, started => true, may_rate => view.may_rate, catalogue => name, catalogue_id => view.catalogue.id,
                    areas => page.areas(Some(&view.scores), &view.changes), overall, ratings, error,
                    previous_order => view.previous.as_ref().map(|p| p.order_id),
                },
            )
        }
        Err(ServiceError::NotFound("assessment")) => {
            // Nothing rated yet: the firm sees the baseline's controls to rate, others a note.
            let may_rate = state.services.may_rate_controls(actor, order_id).await;
            let baseline: Option<CatalogueView> = match may_rate {
                true => state.services.baseline_catalogue(actor).await.ok(),
                false => None,
            };
            let (areas, catalogue, catalogue_id) = match &baseline {
                Some(c) => {
                    let page = Page {
                        areas: &c.areas,
                        controls: c.controls.iter().map(|k| (k, None)).collect(),
                        submitted,
                        dutch,
                    };
                    let name = if dutch { &c.catalogue.name_nl } else { &c.catalogue.name_en };
                    (page.areas(None, &[]), Some(name.clone()), Some(c.catalogue.id))
                }
                None => (Vec::new(), None, None),
            };
            visitor.page_with_status(
                status,
                "assessment.html",
                context! { o, started => false, may_rate => baseline.is_some(), catalogue, catalogue_id, areas, ratings, error },
            )
        }
        Err(e) => not_found(&e),
    }
}

/// `GET /bestellingen/{id}/beoordeling`.
pub async fn assessment_page(State(state): State<AppState>, Member(visitor, actor): Member, PageId(order_id): PageId) -> Response {
    render(&state, &visitor, &actor, order_id, None, None).await
}

/// `POST /bestellingen/{id}/beoordeling`: every control's rating, evidence and notes at once.
pub async fn save_assessment(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(order_id): PageId,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Response {
    let form: HashMap<String, String> = fields.into_iter().collect();
    let catalogue_id = form.get("catalogue_id").and_then(|c| c.trim().parse::<i64>().ok());
    let mut inputs: Vec<RatingInput> = form
        .iter()
        .filter_map(|(key, value)| {
            let control = key.strip_prefix("rating-")?;
            let other = |prefix: &str| form.get(&format!("{prefix}-{control}")).cloned();
            Some(RatingInput {
                control: control.to_owned(),
                rating: Some(value.clone()),
                evidence: other("evidence"),
                notes: other("notes"),
            })
        })
        .collect();
    inputs.sort_by(|a, b| a.control.cmp(&b.control));
    match state.services.rate_controls(&actor, order_id, catalogue_id, inputs).await {
        Ok(_) => Redirect::to(&format!("/bestellingen/{order_id}/beoordeling")).into_response(),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            render(&state, &visitor, &actor, order_id, error, Some(&form)).await
        }
    }
}
