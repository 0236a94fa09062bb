//! Control catalogues and assessments: load and list catalogues; start, rate and read an
//! order's assessment with the scores per area and the change since the previous one.

use crate::AppState;
use crate::extract::{Administrators, As, FirmsAndAdministrators};
use crate::extract::{Body, Caller, Id, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use cyberveilig_domain::assessment::{AreaScore, Change};
use cyberveilig_services::assessments::{AssessmentView, RatingInput};
use cyberveilig_services::store::records::{Assessment, CatalogueRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct CatalogueDto {
    pub id: i64,
    pub urn: String,
    pub version: i64,
    pub ref_id: String,
    pub name_nl: String,
    pub name_en: String,
    pub provider: Option<String>,
    pub controls: i64,
    pub loaded_at: DateTime<Utc>,
}

impl From<CatalogueRecord> for CatalogueDto {
    fn from(c: CatalogueRecord) -> CatalogueDto {
        CatalogueDto {
            id: c.id,
            urn: c.urn,
            version: c.version,
            ref_id: c.ref_id,
            name_nl: c.name_nl,
            name_en: c.name_en,
            provider: c.provider,
            controls: c.controls,
            loaded_at: c.loaded_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AreaDto {
    pub ref_id: String,
    pub name_nl: String,
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct ControlDto {
    /// The control's id in its catalogue, such as BA.ROL.01.
    pub ref_id: String,
    /// The ref_id of its area.
    pub area: String,
    pub title_nl: String,
    pub title_en: String,
    pub guidance_nl: String,
    pub guidance_en: String,
    /// The evidence a firm expects to see.
    pub evidence_nl: String,
    pub evidence_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct CatalogueDetail {
    pub catalogue: CatalogueDto,
    pub areas: Vec<AreaDto>,
    pub controls: Vec<ControlDto>,
}

/// The catalogues loaded: the built-in baseline of the basic audit and any library loaded since.
#[utoipa::path(get, path = "/api/v1/catalogues", tag = "assessments", responses((status = 200, body = [CatalogueDto])))]
pub async fn list(State(state): State<AppState>, lang: Lang, Caller(actor): Caller) -> ApiResult<Json<Vec<CatalogueDto>>> {
    let list = state.services.catalogues(&actor).await.or_problem(lang)?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// A catalogue with its areas and controls.
#[utoipa::path(get, path = "/api/v1/catalogues/{id}", tag = "assessments", params(("id" = i64, Path)),
    responses((status = 200, body = CatalogueDetail), (status = 404, body = crate::problem::Problem, content_type = "application/problem+json")))]
pub async fn get(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Json<CatalogueDetail>> {
    let view = state.services.catalogue(&actor, id).await.or_problem(lang)?;
    Ok(Json(CatalogueDetail {
        catalogue: view.catalogue.into(),
        areas: view
            .areas
            .into_iter()
            .map(|a| AreaDto {
                ref_id: a.ref_id,
                name_nl: a.name_nl,
                name_en: a.name_en,
            })
            .collect(),
        controls: view
            .controls
            .into_iter()
            .map(|k| ControlDto {
                ref_id: k.ref_id,
                area: k.area,
                title_nl: k.title_nl,
                title_en: k.title_en,
                guidance_nl: k.guidance_nl,
                guidance_en: k.guidance_en,
                evidence_nl: k.evidence_nl,
                evidence_en: k.evidence_en,
            })
            .collect(),
    }))
}

/// Loads a catalogue from a framework library in CISO Assistant's YAML format (the body, up to
/// 16 MB): administrators. Assessable requirement nodes become controls, grouped by their
/// top-level node. 409 when the same URN and version is loaded already.
#[utoipa::path(post, path = "/api/v1/catalogues", tag = "assessments",
    request_body(content = String, description = "The library file", content_type = "application/yaml"),
    responses((status = 201, body = CatalogueDto), (status = 422, body = crate::problem::Problem, content_type = "application/problem+json")))]
pub async fn load(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<CatalogueDto>)> {
    let catalogue = state.services.load_catalogue(Some(&actor), body.to_vec()).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(catalogue.into())))
}

#[derive(Serialize, ToSchema)]
pub struct ScoreDto {
    /// The area's ref_id; empty for the overall score.
    pub area: String,
    pub name_nl: String,
    pub name_en: String,
    pub controls: u32,
    pub compliant: u32,
    pub partially: u32,
    pub not_compliant: u32,
    pub not_applicable: u32,
    /// Controls not rated yet: left out of the score, never counted as 0.
    pub unrated: u32,
    /// Compliant 1, partially 1/2, not compliant 0 over the rated and applicable controls, in
    /// tenths of a percent (0-1000); null when nothing counts yet.
    pub score_per_mille: Option<u32>,
    /// The score in the government's previous assessment on the same catalogue.
    pub previous_per_mille: Option<u32>,
    /// Now minus before, in tenths of a percentage point.
    pub change_per_mille: Option<i64>,
    /// up, down, same or not_comparable.
    pub direction: String,
}

fn score_dto(s: &AreaScore, change: &Change, names: (String, String)) -> ScoreDto {
    ScoreDto {
        area: s.area.clone(),
        name_nl: names.0,
        name_en: names.1,
        controls: s.controls,
        compliant: s.compliant,
        partially: s.partially,
        not_compliant: s.not_compliant,
        not_applicable: s.not_applicable,
        unrated: s.unrated,
        score_per_mille: s.per_mille(),
        previous_per_mille: change.before,
        change_per_mille: change.by,
        direction: serde_json::to_value(change.direction)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct RatedControlDto {
    pub ref_id: String,
    pub area: String,
    pub title_nl: String,
    pub title_en: String,
    /// compliant, partially, not_compliant, not_applicable; null when not rated yet.
    pub rating: Option<String>,
    pub evidence: Option<String>,
    pub notes: Option<String>,
    pub rated_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentDto {
    pub id: i64,
    pub order_id: i64,
    pub government_id: i64,
    pub catalogue: CatalogueDto,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The government's previous assessment on the same catalogue, which the changes compare with.
    pub previous_assessment_id: Option<i64>,
    pub previous_order_id: Option<i64>,
    pub overall: ScoreDto,
    pub areas: Vec<ScoreDto>,
    pub controls: Vec<RatedControlDto>,
}

impl From<AssessmentView> for AssessmentDto {
    fn from(v: AssessmentView) -> AssessmentDto {
        let name = |id: &str| {
            v.areas
                .iter()
                .find(|a| a.ref_id == id)
                .map(|a| (a.name_nl.clone(), a.name_en.clone()))
                .unwrap_or_default()
        };
        let areas = v
            .scores
            .areas
            .iter()
            .zip(&v.changes)
            .map(|(s, c)| score_dto(s, c, name(&s.area)))
            .collect();
        let overall = score_dto(
            &v.scores.overall,
            &v.overall_change,
            (v.catalogue.name_nl.clone(), v.catalogue.name_en.clone()),
        );
        let a: &Assessment = &v.assessment;
        AssessmentDto {
            id: a.id,
            order_id: a.order_id,
            government_id: a.government_id,
            started_at: a.started_at,
            updated_at: a.updated_at,
            previous_assessment_id: v.previous.as_ref().map(|p| p.id),
            previous_order_id: v.previous.as_ref().map(|p| p.order_id),
            overall,
            areas,
            controls: v
                .controls
                .into_iter()
                .map(|(k, r)| RatedControlDto {
                    ref_id: k.ref_id,
                    area: k.area,
                    title_nl: k.title_nl,
                    title_en: k.title_en,
                    rating: r.as_ref().map(|r| r.rating.as_str().to_owned()),
                    evidence: r.as_ref().and_then(|r| r.evidence.clone()),
                    notes: r.as_ref().and_then(|r| r.notes.clone()),
                    rated_at: r.as_ref().map(|r| r.rated_at),
                })
                .collect(),
            catalogue: v.catalogue.into(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    /// Which catalogue's assessment (the order's latest when left out).
    pub catalogue_id: Option<i64>,
}

/// An order's assessment with the scores per area and overall, and the change since the
/// government's previous assessment on the same catalogue: the government, its firm, administrators.
#[utoipa::path(get, path = "/api/v1/orders/{id}/assessment", tag = "assessments", params(("id" = i64, Path), AssessmentQuery),
    responses((status = 200, body = AssessmentDto), (status = 404, body = crate::problem::Problem, content_type = "application/problem+json")))]
pub async fn get_assessment(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
    Params(q): Params<AssessmentQuery>,
) -> ApiResult<Json<AssessmentDto>> {
    let view = state.services.assessment(&actor, id, q.catalogue_id).await.or_problem(lang)?;
    Ok(Json(view.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct StartRequest {
    /// The catalogue (the built-in baseline of the basic audit when left out).
    pub catalogue_id: Option<i64>,
}

/// Starts the order's assessment on a catalogue: the firm of the order once it accepted, or an
/// administrator. 409 when it has one on that catalogue already.
#[utoipa::path(post, path = "/api/v1/orders/{id}/assessment", tag = "assessments", params(("id" = i64, Path)), request_body = StartRequest,
    responses((status = 201, body = AssessmentDto), (status = 409, body = crate::problem::Problem, content_type = "application/problem+json")))]
pub async fn start(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<FirmsAndAdministrators>,
    Id(id): Id,
    Body(req): Body<StartRequest>,
) -> ApiResult<(StatusCode, Json<AssessmentDto>)> {
    let view = state
        .services
        .start_assessment(&actor, id, req.catalogue_id)
        .await
        .or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct RatingItem {
    /// The control's ref_id, such as BA.ROL.01.
    pub control: String,
    /// compliant, partially, not_compliant or not_applicable; null makes the control unrated.
    pub rating: Option<String>,
    pub evidence: Option<String>,
    pub notes: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct RatingsRequest {
    /// The catalogue (the built-in baseline when left out).
    pub catalogue_id: Option<i64>,
    pub ratings: Vec<RatingItem>,
}

/// Saves many ratings at once, all or nothing (starting the assessment if needed): the firm of
/// the order once it accepted, or an administrator.
#[utoipa::path(put, path = "/api/v1/orders/{id}/assessment", tag = "assessments", params(("id" = i64, Path)), request_body = RatingsRequest,
    responses((status = 200, body = AssessmentDto), (status = 422, body = crate::problem::Problem, content_type = "application/problem+json")))]
pub async fn rate(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<FirmsAndAdministrators>,
    Id(id): Id,
    Body(req): Body<RatingsRequest>,
) -> ApiResult<Json<AssessmentDto>> {
    let ratings = req
        .ratings
        .into_iter()
        .map(|r| RatingInput {
            control: r.control,
            rating: r.rating,
            evidence: r.evidence,
            notes: r.notes,
        })
        .collect();
    let view = state
        .services
        .rate_controls(&actor, id, req.catalogue_id, ratings)
        .await
        .or_problem(lang)?;
    Ok(Json(view.into()))
}
