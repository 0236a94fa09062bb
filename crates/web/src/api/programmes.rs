use super::schema::EligibilityByKind;
use crate::AppState;
use crate::api::amount;
use crate::dto::ProgrammeDto;
use crate::extract::{Administrators, As};
use crate::extract::{Body, Caller, Id};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use cyberveilig_domain::Rate;
use cyberveilig_domain::programme::{Eligibility, ProgrammeSettings, Rounding, default_eligibility};
use cyberveilig_domain::registry::OrganisationKind;
use cyberveilig_services::programmes::{NewProgramme, ProgrammeAmendment};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// List the programmes with their live budget status.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProgrammeDto>)))]
pub async fn list(State(state): State<AppState>, lang: Lang, Caller(actor): Caller) -> ApiResult<Json<Vec<ProgrammeDto>>> {
    let all = state.services.programmes(&actor).await.or_problem(lang)?;
    Ok(Json(all.into_iter().map(ProgrammeDto::from).collect()))
}

/// One programme: budget, reserved, paid, available, waiting list and its settings.
#[utoipa::path(get, path = "/api/v1/programmes/{id}", tag = "programmes", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = ProgrammeDto), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Json<ProgrammeDto>> {
    Ok(Json(state.services.programme_status(&actor, id).await.or_problem(lang)?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgrammeRequest {
    #[schema(pattern = "\\S", max_length = 200)]
    pub name: String,
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub budget_cents: i64,
    /// Share of a basic audit, a fraction such as "2/3" (at most 1).
    #[schema(pattern = "^[1-9][0-9]{0,5}/[1-9][0-9]{0,5}$")]
    pub basic_rate: String,
    /// Share of additional work, a fraction such as "1/2" (at most 1).
    #[schema(pattern = "^[1-9][0-9]{0,5}/[1-9][0-9]{0,5}$")]
    pub additional_rate: String,
    pub offer_starts_on: NaiveDate,
    pub offer_ends_on: NaiveDate,
    /// D2, by organisation kind: co_financed, order_only or not_eligible. Default: gemeente
    /// co-financed, provincie order only.
    #[schema(value_type = Option<EligibilityByKind>, inline)]
    pub eligibility: Option<BTreeMap<OrganisationKind, Eligibility>>,
    /// D3, default true.
    pub one_basic_audit_per_government: Option<bool>,
    /// D3, default true.
    pub additional_requires_basic: Option<bool>,
    /// D8, default true.
    pub waitlist_basic_audits: Option<bool>,
    /// D8, default true.
    pub cap_additional_work: Option<bool>,
}

fn rate(text: &str, field: &str) -> Result<Rate, Problem> {
    text.parse()
        .map_err(|e| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", format!("{field}: {e}")).field(field))
}

/// Create a programme with its budget, rates and window (programme administrators).
#[utoipa::path(post, path = "/api/v1/programmes", tag = "programmes", security(("bearer" = [])), request_body = NewProgrammeRequest,
    responses((status = 201, body = ProgrammeDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Body(req): Body<NewProgrammeRequest>,
) -> ApiResult<(StatusCode, Json<ProgrammeDto>)> {
    let settings = ProgrammeSettings {
        basic_rate: rate(&req.basic_rate, "basic_rate")?,
        additional_rate: rate(&req.additional_rate, "additional_rate")?,
        offer_starts_on: req.offer_starts_on,
        offer_ends_on: req.offer_ends_on,
        rounding: Rounding::Floor,
        eligibility: req.eligibility.unwrap_or_else(default_eligibility),
        one_basic_audit_per_government: req.one_basic_audit_per_government.unwrap_or(true),
        additional_requires_basic: req.additional_requires_basic.unwrap_or(true),
        waitlist_basic_audits: req.waitlist_basic_audits.unwrap_or(true),
        cap_additional_work: req.cap_additional_work.unwrap_or(true),
        remediation_terms: Default::default(),
    };
    let new = NewProgramme {
        name: req.name,
        budget: amount(req.budget_cents, "budget_cents", lang)?,
        settings,
    };
    let status = state.services.create_programme(&actor, new).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(status.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentRequest {
    /// D9: a later end of the offer.
    pub offer_ends_on: Option<NaiveDate>,
    /// The new budget; never below what is reserved and paid.
    #[schema(nullable = false, minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub budget_cents: Option<i64>,
    /// Days to remediate a finding by its SSVC decision; open findings get their deadline anew.
    pub remediation_terms: Option<TermsDto>,
    #[schema(pattern = "\\S")]
    pub reason: String,
}

/// Days to remediate a finding by its SSVC decision: each 1 to 730, Act <= Attend <= Track* <= Track.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsDto {
    pub act: u32,
    pub attend: u32,
    pub track_star: u32,
    pub track: u32,
}

/// Record an amendment: extend the offer, change the budget, set the remediation terms
/// (programme administrators).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/amendments", tag = "programmes", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AmendmentRequest,
    responses((status = 201, body = ProgrammeDto), (status = 422, body = Problem)))]
pub async fn amend(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Id(id): Id,
    Body(req): Body<AmendmentRequest>,
) -> ApiResult<(StatusCode, Json<ProgrammeDto>)> {
    let budget = req.budget_cents.map(|c| amount(c, "budget_cents", lang)).transpose()?;
    let amendment = ProgrammeAmendment {
        offer_ends_on: req.offer_ends_on,
        budget,
        remediation_terms: req.remediation_terms.map(|t| cyberveilig_domain::ssvc::RemediationTerms {
            act: t.act,
            attend: t.attend,
            track_star: t.track_star,
            track: t.track,
        }),
        reason: req.reason,
    };
    let status = state.services.amend_programme(&actor, id, amendment).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(status.into())))
}

/// The programme's amendments, oldest first, with what changed and why.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/amendments", tag = "programmes", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Vec<crate::dto::AmendmentDto>)))]
pub async fn amendments(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<Json<Vec<crate::dto::AmendmentDto>>> {
    state.services.programme_status(&actor, id).await.or_problem(lang)?;
    let all = state.services.amendments(&actor, id).await.or_problem(lang)?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Project grants such as VVSG's action plan (V1-V5): amount, period, work packages.
#[utoipa::path(get, path = "/api/v1/project-grants", tag = "programmes", security(("bearer" = [])),
    responses((status = 200, body = Vec<crate::dto::ProjectGrantDto>)))]
pub async fn grants(
    State(state): State<AppState>,
    lang: Lang,
    Caller(_actor): Caller,
) -> ApiResult<Json<Vec<crate::dto::ProjectGrantDto>>> {
    let all = state.services.grants().await.or_problem(lang)?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}
