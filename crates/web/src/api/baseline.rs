//! The continuous baseline scan (issue 16): a government's systems, verdicts, scores and their
//! history; asking for a scan, pausing, "comply or explain"; the administrator's overview and
//! decisions; the public overview per province.

use crate::AppState;
use crate::api::disclosure::nis_of;
use crate::api::{next_cursor, paging};
use crate::extract::{Administrators, As, Body, Caller, GovernmentsAndAdministrators, Id, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use cyberveilig_domain::asset::AssetKind;
use cyberveilig_domain::baseline::Score;
use cyberveilig_services::ServiceError;
use cyberveilig_services::baseline::{BaselineView, ProvinceScore};
use cyberveilig_services::store::records::{BaselineScan, BaselineSystem, CheckResult, Explanation, GovernmentBaseline, ScorePoint};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct BaselineScoreDto {
    /// `all`, `web`, `dns`, `mail` or `exposure`.
    pub category: String,
    /// 0 to 100; none when no check counted.
    pub percent: Option<u32>,
    /// Checks counted (passes, warnings and failures not explained).
    pub counted: u32,
}

fn score(category: String, s: Score) -> BaselineScoreDto {
    BaselineScoreDto {
        category,
        percent: s.percent(),
        counted: s.counted,
    }
}

#[derive(Serialize, ToSchema)]
pub struct BaselineScorePointDto {
    pub at: DateTime<Utc>,
    pub category: String,
    pub percent: Option<u32>,
}

impl From<ScorePoint> for BaselineScorePointDto {
    fn from(p: ScorePoint) -> BaselineScorePointDto {
        BaselineScorePointDto {
            at: p.at,
            category: p.category,
            percent: p.score.percent(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BaselineSystemDto {
    /// The asset's id in the government's register.
    pub id: i64,
    /// domain, host or application (a URL: its host is scanned).
    pub kind: String,
    pub name: String,
    pub scanned_at: Option<DateTime<Utc>>,
    /// queued or running while a scan waits or runs.
    pub pending: Option<String>,
}

impl From<BaselineSystem> for BaselineSystemDto {
    fn from(s: BaselineSystem) -> BaselineSystemDto {
        BaselineSystemDto {
            id: s.asset_id,
            kind: s.kind.as_str().into(),
            name: s.name,
            scanned_at: s.scanned_at,
            pending: s.pending.map(|p| p.as_str().into()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BaselineEvidenceDto {
    pub key: String,
    pub value: String,
}

#[derive(Serialize, ToSchema)]
pub struct BaselineExplanationDto {
    pub id: i64,
    pub government_id: i64,
    pub check: String,
    pub subject: String,
    pub explanation: String,
    /// proposed, accepted or rejected.
    pub state: String,
    pub proposed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

impl From<Explanation> for BaselineExplanationDto {
    fn from(e: Explanation) -> BaselineExplanationDto {
        BaselineExplanationDto {
            id: e.id,
            government_id: e.government_id,
            check: e.check,
            subject: e.subject,
            explanation: e.explanation,
            state: e.state.as_str().into(),
            proposed_at: e.proposed_at,
            decided_at: e.decided_at,
            decision_note: e.decision_note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BaselineCheckDto {
    /// The check's stable code, such as `web-tls-version`.
    pub check: String,
    pub title: String,
    pub category: String,
    pub subject: String,
    pub system_id: i64,
    /// pass, warning, fail, not_applicable or unknown.
    pub verdict: String,
    /// The reason's stable code.
    pub reason: String,
    /// The reason, in the language asked for.
    pub message: String,
    pub evidence: Vec<BaselineEvidenceDto>,
    pub seen_at: DateTime<Utc>,
    pub explanation: Option<BaselineExplanationDto>,
}

fn check_dto(r: CheckResult, e: Option<Explanation>, lang: Lang) -> BaselineCheckDto {
    let title = cyberveilig_services::baseline::check_title(&r.check, lang.is_dutch());
    let evidence = cyberveilig_services::baseline::evidence_of(&r.evidence);
    BaselineCheckDto {
        check: r.check,
        title,
        category: r.category,
        subject: r.subject,
        system_id: r.asset_id,
        verdict: r.verdict.as_str().into(),
        reason: r.reason,
        message: if lang.is_dutch() { r.message_nl } else { r.message_en },
        evidence: evidence
            .into_iter()
            .map(|(key, value)| BaselineEvidenceDto { key, value })
            .collect(),
        seen_at: r.seen_at,
        explanation: e.map(Into::into),
    }
}

#[derive(Serialize, ToSchema)]
pub struct BaselineScanDto {
    pub id: i64,
    pub system_id: i64,
    /// schedule or request.
    pub cause: String,
    /// queued, running or done.
    pub state: String,
    pub queued_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub passed: i64,
    pub warnings: i64,
    pub failed: i64,
    pub unknown: i64,
}

impl From<BaselineScan> for BaselineScanDto {
    fn from(s: BaselineScan) -> BaselineScanDto {
        BaselineScanDto {
            id: s.id,
            system_id: s.asset_id,
            cause: s.cause.as_str().into(),
            state: s.state.as_str().into(),
            queued_at: s.queued_at,
            finished_at: s.finished_at,
            passed: s.counts.passed,
            warnings: s.counts.warnings,
            failed: s.counts.failed,
            unknown: s.counts.unknown,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BaselineDto {
    pub government_nis: Option<String>,
    pub government: String,
    pub paused: bool,
    pub systems: Vec<BaselineSystemDto>,
    /// `all` first, then per category.
    pub scores: Vec<BaselineScoreDto>,
    pub checks: Vec<BaselineCheckDto>,
    /// The scores after each scan over the last year, oldest first.
    pub history: Vec<BaselineScorePointDto>,
    pub scans: Vec<BaselineScanDto>,
}

fn baseline_dto(v: BaselineView, lang: Lang) -> BaselineDto {
    BaselineDto {
        government_nis: v.government.nis_code.map(|n| n.to_string()),
        government: v.government.name,
        paused: v.paused,
        systems: v.systems.into_iter().map(Into::into).collect(),
        scores: v.scores.into_iter().map(|(c, s)| score(c, s)).collect(),
        checks: v.results.into_iter().map(|(r, e)| check_dto(r, e, lang)).collect(),
        history: v.history.into_iter().map(Into::into).collect(),
        scans: v.scans.into_iter().map(Into::into).collect(),
    }
}

async fn government_id(state: &AppState, nis: &str, lang: Lang) -> Result<i64, Problem> {
    let nis = nis_of(nis, lang).map_err(|p| *p)?;
    Ok(state
        .services
        .organisation_by_nis(&nis)
        .await
        .map_err(|e| Problem::from_service(&e, lang))?
        .id)
}

/// A government's baseline: its systems, the latest verdict of every check, its scores and their
/// history, its latest scans (its members and the administrators).
#[utoipa::path(get, path = "/api/v1/governments/{nis}/baseline", tag = "baseline", params(("nis" = String, Path)),
    responses((status = 200, body = BaselineDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Path(nis): Path<String>,
) -> ApiResult<Json<BaselineDto>> {
    let id = government_id(&state, &nis, lang).await?;
    let view = state.services.baseline(&actor, id).await.or_problem(lang)?;
    Ok(Json(baseline_dto(view, lang)))
}

#[derive(Deserialize, ToSchema)]
pub struct BaselineSystemRequest {
    /// A domain (`gent.be`), a host name (`loket.gent.be`), a URL or a public IP address.
    pub name: String,
    /// domain, host or application; by default what the name looks like (a name is a domain).
    pub kind: Option<String>,
}

/// Registers an internet-facing system for the weekly scan. Ranges, private and loopback
/// addresses are refused.
#[utoipa::path(post, path = "/api/v1/governments/{nis}/baseline/systems", tag = "baseline", params(("nis" = String, Path)),
    request_body = BaselineSystemRequest,
    responses((status = 201, body = BaselineSystemDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Path(nis): Path<String>,
    Body(req): Body<BaselineSystemRequest>,
) -> ApiResult<(StatusCode, Json<BaselineSystemDto>)> {
    let id = government_id(&state, &nis, lang).await?;
    let kind = match req.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(k.parse::<AssetKind>().map_err(|_| {
            Problem::from_service(
                &ServiceError::invalid(
                    "kind",
                    "kind is domain, host or application",
                    "soort is domain, host of application",
                ),
                lang,
            )
        })?),
    };
    let system = state
        .services
        .register_baseline_system(&actor, id, &req.name, kind)
        .await
        .or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(system.into())))
}

/// Takes a system off the weekly scan; its findings stay in the register.
#[utoipa::path(delete, path = "/api/v1/governments/{nis}/baseline/systems/{id}", tag = "baseline",
    params(("nis" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Path((nis, system)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let id = government_id(&state, &nis, lang).await?;
    let system: i64 = system
        .parse()
        .map_err(|_| Problem::from_service(&ServiceError::NotFound("system"), lang))?;
    state.services.remove_baseline_system(&actor, id, system).await.or_problem(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct BaselineQueuedDto {
    /// Systems queued now (one whose scan waits or runs already is not queued twice).
    pub queued: usize,
}

/// Asks for a scan of every registered system now; the scan runs in the background.
#[utoipa::path(post, path = "/api/v1/governments/{nis}/baseline/scans", tag = "baseline", params(("nis" = String, Path)),
    responses((status = 202, body = BaselineQueuedDto), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn scan(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Path(nis): Path<String>,
) -> ApiResult<(StatusCode, Json<BaselineQueuedDto>)> {
    let id = government_id(&state, &nis, lang).await?;
    let queued = state.services.request_baseline_scan(&actor, id).await.or_problem(lang)?;
    Ok((StatusCode::ACCEPTED, Json(BaselineQueuedDto { queued })))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct BaselinePausedDto {
    pub paused: bool,
}

/// Pauses or resumes the government's scans.
#[utoipa::path(put, path = "/api/v1/governments/{nis}/baseline/paused", tag = "baseline", params(("nis" = String, Path)),
    request_body = BaselinePausedDto, responses((status = 200, body = BaselinePausedDto)))]
pub async fn pause(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Path(nis): Path<String>,
    Body(req): Body<BaselinePausedDto>,
) -> ApiResult<Json<BaselinePausedDto>> {
    let id = government_id(&state, &nis, lang).await?;
    state.services.set_baseline_paused(&actor, id, req.paused).await.or_problem(lang)?;
    Ok(Json(req))
}

#[derive(Deserialize, ToSchema)]
pub struct BaselineExplainRequest {
    pub check: String,
    pub subject: String,
    /// Why the check does not apply (1 to 2,000 characters).
    pub explanation: String,
}

/// "Comply or explain": the government says why a check does not apply to a subject. Once an
/// administrator accepts, the check leaves the score.
#[utoipa::path(post, path = "/api/v1/governments/{nis}/baseline/explanations", tag = "baseline", params(("nis" = String, Path)),
    request_body = BaselineExplainRequest,
    responses((status = 201, body = BaselineExplanationDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn explain(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Path(nis): Path<String>,
    Body(req): Body<BaselineExplainRequest>,
) -> ApiResult<(StatusCode, Json<BaselineExplanationDto>)> {
    let id = government_id(&state, &nis, lang).await?;
    let e = state
        .services
        .explain_check(&actor, id, &req.check, &req.subject, &req.explanation)
        .await
        .or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(e.into())))
}

/// Explanations waiting for a decision, oldest first (administrators).
#[utoipa::path(get, path = "/api/v1/baseline/explanations", tag = "baseline", responses((status = 200, body = [BaselineExplanationDto])))]
pub async fn explanations(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
) -> ApiResult<Json<Vec<BaselineExplanationDto>>> {
    let list = state.services.explanations_to_decide(&actor).await.or_problem(lang)?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct BaselineDecisionRequest {
    pub accept: bool,
    pub note: Option<String>,
}

/// Accepts or rejects a proposed explanation (administrators). Accepted, the check leaves the
/// government's score and its finding is closed as not applicable.
#[utoipa::path(post, path = "/api/v1/baseline/explanations/{id}/decision", tag = "baseline", params(("id" = i64, Path)),
    request_body = BaselineDecisionRequest,
    responses((status = 200, body = BaselineExplanationDto), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn decide(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Id(id): Id,
    Body(req): Body<BaselineDecisionRequest>,
) -> ApiResult<Json<BaselineExplanationDto>> {
    let e = state
        .services
        .decide_explanation(&actor, id, req.accept, req.note.as_deref())
        .await
        .or_problem(lang)?;
    Ok(Json(e.into()))
}

#[derive(Serialize, ToSchema)]
pub struct BaselineGovernmentDto {
    pub government_id: i64,
    pub government_nis: Option<String>,
    pub name: String,
    pub paused: bool,
    pub systems: i64,
    pub scores: Vec<BaselineScoreDto>,
    pub scored_at: Option<DateTime<Utc>>,
}

impl From<GovernmentBaseline> for BaselineGovernmentDto {
    fn from(g: GovernmentBaseline) -> BaselineGovernmentDto {
        BaselineGovernmentDto {
            government_id: g.government_id,
            government_nis: g.nis_code.map(|n| n.to_string()),
            name: g.name,
            paused: g.paused,
            systems: g.systems,
            scored_at: g.scores.iter().map(|s| s.at).max(),
            scores: g.scores.into_iter().map(|s| score(s.category, s.score)).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BaselineOverviewPage {
    pub items: Vec<BaselineGovernmentDto>,
    /// Pass as `cursor` for the next page; none at the end.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct BaselineOverviewParams {
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    #[param(pattern = "^([0-9]{1,18})?$")]
    pub cursor: Option<String>,
}

/// Every government with registered systems and its current scores, by id (administrators).
#[utoipa::path(get, path = "/api/v1/baseline/overview", tag = "baseline", params(BaselineOverviewParams),
    responses((status = 200, body = BaselineOverviewPage)))]
pub async fn overview(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Params(p): Params<BaselineOverviewParams>,
) -> ApiResult<Json<BaselineOverviewPage>> {
    let (limit, after) = paging(p.limit, p.cursor.as_deref())?;
    let page = state
        .services
        .baseline_overview(&actor, after.unwrap_or(0), limit)
        .await
        .or_problem(lang)?;
    let next_cursor = next_cursor(&page, limit, |g| g.government_id);
    Ok(Json(BaselineOverviewPage {
        items: page.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct BaselinePublicationDto {
    pub public: bool,
}

/// Switches the public overview per province on or off (administrators).
#[utoipa::path(put, path = "/api/v1/baseline/publication", tag = "baseline", request_body = BaselinePublicationDto,
    responses((status = 200, body = BaselinePublicationDto)))]
pub async fn publish(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Body(req): Body<BaselinePublicationDto>,
) -> ApiResult<Json<BaselinePublicationDto>> {
    state.services.set_baseline_public(&actor, req.public).await.or_problem(lang)?;
    Ok(Json(req))
}

#[derive(Serialize, ToSchema)]
pub struct BaselineProvinceDto {
    pub province: String,
    pub name: String,
    /// Governments with a score.
    pub governments: usize,
    /// The mean of their overall scores.
    pub percent: Option<u32>,
    pub categories: Vec<BaselineMeanDto>,
}

#[derive(Serialize, ToSchema)]
pub struct BaselineMeanDto {
    pub category: String,
    pub percent: Option<u32>,
}

fn province_dto(p: ProvinceScore, lang: Lang) -> BaselineProvinceDto {
    BaselineProvinceDto {
        province: p.province.as_str().into(),
        name: if lang.is_dutch() {
            p.province.name_nl()
        } else {
            p.province.name_en()
        }
        .into(),
        governments: p.governments,
        percent: p.mean,
        categories: p
            .categories
            .into_iter()
            .map(|(category, percent)| BaselineMeanDto { category, percent })
            .collect(),
    }
}

/// The overview per province, like basisbeveiliging.nl: public once the administrator switched it
/// on; 404 until then.
#[utoipa::path(get, path = "/api/v1/baseline/provinces", tag = "baseline",
    responses((status = 200, body = [BaselineProvinceDto]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn provinces(State(state): State<AppState>, lang: Lang) -> ApiResult<Json<Vec<BaselineProvinceDto>>> {
    match state.services.province_scores(None).await.or_problem(lang)? {
        Some(list) => Ok(Json(list.into_iter().map(|p| province_dto(p, lang)).collect())),
        None => Err(Problem::from_service(&ServiceError::NotFound("overview"), lang).into()),
    }
}
