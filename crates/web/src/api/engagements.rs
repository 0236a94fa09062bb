//! Engagements over the API (the Howest track): list, get, propose, change, the letter, accept,
//! withdraw, a team's findings, and the figures.

use super::findings::FindingDto;
use super::schema::{SeverityName, TeamRoleName, TechniqueName};
use crate::AppState;
use crate::extract::{Administrators, As, Coordinators, EngagementParties, Governments, Researchers};
use crate::extract::{Body, Caller, Id};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_services::engagements::{EngagementTerms, EngagementView, Letter, PhaseCounts, TeamFinding};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct TeamMemberDto {
    pub person_id: i64,
    pub name: String,
    pub email: String,
    #[schema(value_type = TeamRoleName, inline)]
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct AcceptanceDto {
    pub version: i64,
    /// SHA-256 of the letter accepted (Dutch and English text).
    pub letter_hash: String,
    pub accepted_by: i64,
    pub accepted_by_name: String,
    pub accepted_at: DateTime<Utc>,
    pub social_engineering_authorised: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ScopeItemDto {
    pub asset_id: i64,
    pub name: String,
}

/// An engagement between a government and an education partner.
#[derive(Serialize, ToSchema)]
pub struct EngagementDto {
    pub id: i64,
    pub title: String,
    pub government_id: i64,
    pub government: String,
    pub government_nis: Option<String>,
    pub partner: String,
    pub coordinator: String,
    /// proposed, authorised, withdrawn or closed, as stored.
    pub state: String,
    /// proposed, authorised (window not begun), active (authorised, within the window), closed, withdrawn.
    pub phase: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub techniques: Vec<String>,
    pub scope: Vec<ScopeItemDto>,
    pub team: Vec<TeamMemberDto>,
    pub government_contact: String,
    pub team_contact: String,
    pub emergency_contact: String,
    pub version: i64,
    /// SHA-256 of the current letter; send it back to accept.
    pub letter_hash: String,
    pub accepted_hash: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub social_engineering_authorised: bool,
    pub ended_reason: Option<String>,
    /// Whether the team may test today.
    pub may_test: bool,
    pub acceptances: Vec<AcceptanceDto>,
}

impl From<EngagementView> for EngagementDto {
    fn from(v: EngagementView) -> EngagementDto {
        let e = v.engagement;
        EngagementDto {
            id: e.id,
            title: e.title,
            government_id: e.government_id,
            government: v.government,
            government_nis: v.government_nis,
            partner: v.partner,
            coordinator: v.coordinator,
            state: e.state.as_str().to_owned(),
            phase: v.phase.as_str().into(),
            starts_on: e.starts_on,
            ends_on: e.ends_on,
            techniques: v.techniques.iter().map(|t| t.as_str().to_owned()).collect(),
            scope: e
                .scope
                .into_iter()
                .map(|(asset_id, name)| ScopeItemDto { asset_id, name })
                .collect(),
            team: e
                .team
                .into_iter()
                .map(|m| TeamMemberDto {
                    person_id: m.person_id,
                    name: m.name,
                    email: m.email,
                    role: m.role,
                })
                .collect(),
            government_contact: e.government_contact,
            team_contact: e.team_contact,
            emergency_contact: e.emergency_contact,
            version: e.version,
            letter_hash: e.letter_hash,
            accepted_hash: e.accepted_hash,
            accepted_at: e.accepted_at,
            social_engineering_authorised: e.social_engineering_authorised,
            ended_reason: e.ended_reason,
            may_test: v.may_test,
            acceptances: v
                .acceptances
                .into_iter()
                .map(|a| AcceptanceDto {
                    version: a.version,
                    letter_hash: a.letter_hash,
                    accepted_by: a.accepted_by,
                    accepted_by_name: a.accepted_by_name,
                    accepted_at: a.accepted_at,
                    social_engineering_authorised: a.social_engineering_authorised,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EngagementList {
    pub items: Vec<EngagementDto>,
}

#[derive(Deserialize, ToSchema)]
pub struct TeamEntry {
    pub email: String,
    /// student or supervisor.
    pub role: String,
}

/// The terms of an engagement.
#[derive(Deserialize, ToSchema)]
pub struct EngagementRequest {
    #[schema(pattern = "^[0-9]{5}$")]
    pub government_nis: String,
    #[schema(pattern = "\\S", max_length = 200)]
    pub title: String,
    #[schema(nullable = false, required = true)]
    pub starts_on: Option<NaiveDate>,
    #[schema(nullable = false, required = true)]
    pub ends_on: Option<NaiveDate>,
    /// Host names, domains, IP addresses or ranges, URLs.
    #[schema(min_items = 1, max_items = 50)]
    pub scope: Vec<String>,
    #[schema(value_type = Vec<TechniqueName>, inline, min_items = 1)]
    pub techniques: Vec<String>,
    #[schema(min_items = 1, max_items = 30)]
    pub team: Vec<TeamEntry>,
    pub government_contact: String,
    pub team_contact: String,
    pub emergency_contact: String,
}

impl From<EngagementRequest> for EngagementTerms {
    fn from(r: EngagementRequest) -> EngagementTerms {
        EngagementTerms {
            government_nis: r.government_nis,
            title: r.title,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            scope: r.scope,
            techniques: r.techniques,
            team: r.team.into_iter().map(|t| (t.email, t.role)).collect(),
            government_contact: r.government_contact,
            team_contact: r.team_contact,
            emergency_contact: r.emergency_contact,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[schema(as = EngagementAcceptRequest)]
pub struct AcceptRequest {
    /// The hash of the letter as read (from GET .../letter).
    pub letter_hash: String,
    /// Required when the letter allows social engineering.
    #[serde(default)]
    pub social_engineering_authorised: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct WithdrawRequest {
    #[schema(pattern = "\\S", max_length = 2000)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct LetterDto {
    pub version: i64,
    pub letter_hash: String,
    pub nl: String,
    pub en: String,
}

impl From<Letter> for LetterDto {
    fn from(l: Letter) -> LetterDto {
        LetterDto {
            version: l.version,
            letter_hash: l.hash,
            nl: l.dutch,
            en: l.english,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct TeamFindingRequest {
    pub title: String,
    pub description: String,
    /// Taken from the CVSS vector when given.
    #[schema(value_type = Option<SeverityName>, inline, nullable = false)]
    pub severity: Option<String>,
    pub cvss_vector: Option<String>,
    /// An asset of the engagement's scope.
    pub asset_id: i64,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub recommendation: String,
}

#[derive(Serialize, ToSchema)]
pub struct PhaseCountsDto {
    pub proposed: i64,
    pub authorised: i64,
    pub active: i64,
    pub closed: i64,
    pub withdrawn: i64,
    pub total: i64,
}

impl From<PhaseCounts> for PhaseCountsDto {
    fn from(c: PhaseCounts) -> PhaseCountsDto {
        PhaseCountsDto {
            proposed: c.proposed,
            authorised: c.authorised,
            active: c.active,
            closed: c.closed,
            withdrawn: c.withdrawn,
            total: c.total(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GovernmentEngagements {
    pub government: String,
    pub government_nis: Option<String>,
    pub counts: PhaseCountsDto,
}

#[derive(Serialize, ToSchema)]
pub struct EngagementFiguresDto {
    pub total: PhaseCountsDto,
    pub governments: Vec<GovernmentEngagements>,
    pub findings: i64,
}

/// The engagements the caller may see: all for the administrator and VVSG, a government its
/// own, a researcher those of their team.
#[utoipa::path(get, path = "/api/v1/engagements", tag = "engagements", security(("bearer" = [])),
    responses((status = 200, body = EngagementList)))]
pub async fn list(State(state): State<AppState>, lang: Lang, Caller(actor): Caller) -> ApiResult<Json<EngagementList>> {
    let items = state.services.engagements(&actor).await.or_problem(lang)?;
    Ok(Json(EngagementList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// VVSG or an administrator proposes an engagement; the letter then waits for the signatory.
#[utoipa::path(post, path = "/api/v1/engagements", tag = "engagements", security(("bearer" = [])), request_body = EngagementRequest,
    responses((status = 201, body = EngagementDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn propose(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Coordinators>,
    Body(req): Body<EngagementRequest>,
) -> ApiResult<(StatusCode, Json<EngagementDto>)> {
    let view = state.services.propose_engagement(&actor, req.into()).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

#[utoipa::path(get, path = "/api/v1/engagements/{id}", tag = "engagements", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = EngagementDto), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Json<EngagementDto>> {
    Ok(Json(state.services.engagement(&actor, id).await.or_problem(lang)?.into()))
}

/// Changes the terms: a new version of the letter; an authorised engagement goes back to
/// proposed and needs a new acceptance.
#[utoipa::path(put, path = "/api/v1/engagements/{id}", tag = "engagements", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = EngagementRequest,
    responses((status = 200, body = EngagementDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Coordinators>,
    Id(id): Id,
    Body(req): Body<EngagementRequest>,
) -> ApiResult<Json<EngagementDto>> {
    Ok(Json(
        state
            .services
            .change_engagement(&actor, id, req.into())
            .await
            .or_problem(lang)?
            .into(),
    ))
}

/// The authorisation letter in Dutch and English, with the hash an acceptance must name.
#[utoipa::path(get, path = "/api/v1/engagements/{id}/letter", tag = "engagements", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = LetterDto), (status = 404, body = Problem)))]
pub async fn letter(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Json<LetterDto>> {
    let (_, letter) = state.services.engagement_letter(&actor, id).await.or_problem(lang)?;
    Ok(Json(letter.into()))
}

/// The government's authorised signatory accepts the letter (by its hash).
#[utoipa::path(post, path = "/api/v1/engagements/{id}/accept", tag = "engagements", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AcceptRequest,
    responses((status = 200, body = EngagementDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Governments>,
    Id(id): Id,
    Body(req): Body<AcceptRequest>,
) -> ApiResult<Json<EngagementDto>> {
    let view = state
        .services
        .accept_engagement(&actor, id, &req.letter_hash, req.social_engineering_authorised)
        .await
        .or_problem(lang)?;
    Ok(Json(view.into()))
}

#[utoipa::path(post, path = "/api/v1/engagements/{id}/withdraw", tag = "engagements", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = WithdrawRequest,
    responses((status = 200, body = EngagementDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<EngagementParties>,
    Id(id): Id,
    Body(req): Body<WithdrawRequest>,
) -> ApiResult<Json<EngagementDto>> {
    Ok(Json(
        state
            .services
            .withdraw_engagement(&actor, id, &req.reason)
            .await
            .or_problem(lang)?
            .into(),
    ))
}

/// The engagement's findings: for the team, the government and the administrator.
#[utoipa::path(get, path = "/api/v1/engagements/{id}/findings", tag = "engagements", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FindingDto>), (status = 404, body = Problem)))]
pub async fn findings(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Json<Vec<FindingDto>>> {
    let list = state.services.engagement_findings(&actor, id).await.or_problem(lang)?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// A team member submits a finding: only while authorised and within the window; it goes into
/// the government's register.
#[utoipa::path(post, path = "/api/v1/engagements/{id}/findings", tag = "engagements", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = TeamFindingRequest,
    responses((status = 201, body = FindingDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_finding(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Researchers>,
    Id(id): Id,
    Body(req): Body<TeamFindingRequest>,
) -> ApiResult<(StatusCode, Json<FindingDto>)> {
    let f = TeamFinding {
        title: req.title,
        description: req.description,
        severity: req.severity,
        cvss_vector: req.cvss_vector,
        asset_id: req.asset_id,
        location: req.location,
        evidence: req.evidence,
        recommendation: req.recommendation,
    };
    let stored = state.services.submit_engagement_finding(&actor, id, f).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// Engagements per government and in total, by phase: the administrator and VVSG.
#[utoipa::path(get, path = "/api/v1/engagements/figures", tag = "engagements", security(("bearer" = [])),
    responses((status = 200, body = EngagementFiguresDto), (status = 403, body = Problem)))]
pub async fn figures(State(state): State<AppState>, lang: Lang, Caller(actor): Caller) -> ApiResult<Json<EngagementFiguresDto>> {
    let f = state.services.engagement_figures(&actor).await.or_problem(lang)?;
    Ok(Json(EngagementFiguresDto {
        total: f.total.into(),
        governments: f
            .governments
            .into_iter()
            .map(|(government, government_nis, counts)| GovernmentEngagements {
                government,
                government_nis,
                counts: counts.into(),
            })
            .collect(),
        findings: f.findings,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SignatoryRequest {
    pub signatory: bool,
}

/// Marks a government's person as its authorised signatory, or no longer: administrators.
#[utoipa::path(post, path = "/api/v1/people/{id}/signatory", tag = "engagements", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SignatoryRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_signatory(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Id(id): Id,
    Body(req): Body<SignatoryRequest>,
) -> ApiResult<StatusCode> {
    state.services.set_signatory(&actor, id, req.signatory).await.or_problem(lang)?;
    Ok(StatusCode::NO_CONTENT)
}
