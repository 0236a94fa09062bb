//! Disclosure policies over the API: a government's published policy (public), its draft,
//! adopting VVSG's model and publishing; VVSG's model with its draft and publication.

use crate::AppState;
use crate::extract::{As, Association, Governments};
use crate::extract::{Body, Caller, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::disclosure::{Bilingual, PolicyContent, ResponseTargets};
use cyberveilig_domain::registry::NisCode;
use cyberveilig_services::disclosure::{DraftView, PublicPolicy, PublishedPolicy, ScopedAsset, VersionInfo};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A text in Dutch and English.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct BilingualDto {
    #[serde(default)]
    pub nl: String,
    #[serde(default)]
    pub en: String,
}

/// Working days to acknowledge and to triage a report.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsDto {
    /// 1 to 30.
    #[schema(minimum = 1, maximum = 30)]
    pub acknowledge_days: i64,
    /// From `acknowledge_days` to 90.
    #[schema(minimum = 1, maximum = 90)]
    pub triage_days: i64,
}

/// A policy's content: texts in both languages (allowed and forbidden one item per line), scope,
/// contact, response targets and credit.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyContentDto {
    pub intro: BilingualDto,
    pub allowed: BilingualDto,
    pub forbidden: BilingualDto,
    pub safe_harbour: BilingualDto,
    /// The government's registered assets (reachable from outside) are in scope.
    pub include_assets: bool,
    #[serde(default)]
    pub in_scope: Vec<String>,
    #[serde(default)]
    pub out_of_scope: Vec<String>,
    /// Where reports go by mail.
    #[serde(default)]
    pub contact_email: String,
    /// An https URL of an OpenPGP key; empty for none.
    #[serde(default)]
    #[schema(pattern = "^(https://.+)?$")]
    pub encryption_url: String,
    pub targets: TargetsDto,
    /// Whether reporters are thanked publicly.
    pub credit: bool,
}

fn bi(b: Bilingual) -> BilingualDto {
    BilingualDto { nl: b.nl, en: b.en }
}

impl From<PolicyContent> for PolicyContentDto {
    fn from(c: PolicyContent) -> PolicyContentDto {
        PolicyContentDto {
            intro: bi(c.intro),
            allowed: bi(c.allowed),
            forbidden: bi(c.forbidden),
            safe_harbour: bi(c.safe_harbour),
            include_assets: c.include_assets,
            in_scope: c.in_scope,
            out_of_scope: c.out_of_scope,
            contact_email: c.contact_email,
            encryption_url: c.encryption_url,
            targets: TargetsDto {
                acknowledge_days: c.targets.acknowledge_days,
                triage_days: c.targets.triage_days,
            },
            credit: c.credit,
        }
    }
}

impl From<PolicyContentDto> for PolicyContent {
    fn from(c: PolicyContentDto) -> PolicyContent {
        let b = |d: BilingualDto| Bilingual::new(d.nl, d.en);
        PolicyContent {
            intro: b(c.intro),
            allowed: b(c.allowed),
            forbidden: b(c.forbidden),
            safe_harbour: b(c.safe_harbour),
            include_assets: c.include_assets,
            in_scope: c.in_scope,
            out_of_scope: c.out_of_scope,
            contact_email: c.contact_email,
            encryption_url: c.encryption_url,
            targets: ResponseTargets {
                acknowledge_days: c.targets.acknowledge_days,
                triage_days: c.targets.triage_days,
            },
            credit: c.credit,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ScopedAssetDto {
    pub kind: String,
    pub name: String,
    pub hostname: Option<String>,
    pub ip: Option<String>,
}

impl From<ScopedAsset> for ScopedAssetDto {
    fn from(a: ScopedAsset) -> ScopedAssetDto {
        ScopedAssetDto {
            kind: a.kind,
            name: a.name,
            hostname: a.hostname,
            ip: a.ip,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    pub version: i64,
    pub published_at: DateTime<Utc>,
}

impl From<&VersionInfo> for VersionDto {
    fn from(v: &VersionInfo) -> VersionDto {
        VersionDto {
            version: v.version,
            published_at: v.published_at,
        }
    }
}

/// A published, immutable version of a policy.
#[derive(Serialize, ToSchema)]
pub struct PublishedPolicyDto {
    pub version: i64,
    pub published_at: DateTime<Utc>,
    pub content: PolicyContentDto,
    /// The registered assets in scope when it was published.
    pub assets: Vec<ScopedAssetDto>,
    /// The model version it was adopted from.
    pub model_version: Option<i64>,
    /// When its security.txt expires.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<PublishedPolicy> for PublishedPolicyDto {
    fn from(p: PublishedPolicy) -> PublishedPolicyDto {
        PublishedPolicyDto {
            version: p.version,
            published_at: p.published_at,
            content: p.content.into(),
            assets: p.assets.into_iter().map(Into::into).collect(),
            model_version: p.model_version,
            expires_at: p.expires_at,
        }
    }
}

/// A government's policy as published, with the list of its versions and where it lives.
#[derive(Serialize, ToSchema)]
pub struct PublicPolicyDto {
    pub government_nis: String,
    pub government: String,
    /// The version in force.
    pub current_version: i64,
    pub policy: PublishedPolicyDto,
    /// Every version, newest first.
    pub versions: Vec<VersionDto>,
    pub policy_url_nl: String,
    pub policy_url_en: String,
    pub security_txt_url: String,
}

/// The draft a government or VVSG edits, with the versions it published.
#[derive(Serialize, ToSchema)]
pub struct DraftDto {
    pub content: PolicyContentDto,
    /// Whether a draft is stored; otherwise `content` is the version in force or a start.
    pub saved: bool,
    pub updated_at: Option<DateTime<Utc>>,
    pub model_version: Option<i64>,
    /// The model version a government may adopt.
    pub model_available: Option<i64>,
    pub current: Option<PublishedPolicyDto>,
    pub versions: Vec<VersionDto>,
    /// The registered assets that would be in scope now.
    pub assets: Vec<ScopedAssetDto>,
    /// The security.txt of the version in force.
    pub security_txt: Option<String>,
    pub security_txt_expired: bool,
    /// What the RFC 9116 parser found wrong with it.
    pub security_txt_problems: Vec<String>,
}

impl From<DraftView> for DraftDto {
    fn from(d: DraftView) -> DraftDto {
        DraftDto {
            content: d.content.into(),
            saved: d.saved,
            updated_at: d.updated_at,
            model_version: d.model_version,
            model_available: d.model_available,
            versions: d.versions.iter().map(Into::into).collect(),
            current: d.current.map(Into::into),
            assets: d.assets.into_iter().map(Into::into).collect(),
            security_txt_expired: d.security_txt.as_ref().is_some_and(|s| s.expired),
            security_txt_problems: d
                .security_txt
                .as_ref()
                .map(|s| s.problems.iter().map(|p| p.en.clone()).collect())
                .unwrap_or_default(),
            security_txt: d.security_txt.map(|s| s.text),
        }
    }
}

/// A NIS code from the path; anything else is a clear 404.
pub(crate) fn nis_of(text: &str, lang: Lang) -> Result<NisCode, Box<Problem>> {
    text.parse().map_err(|_| {
        Box::new(Problem::localized(
            StatusCode::NOT_FOUND,
            "not_found",
            lang,
            "Niet gevonden: geen NIS-code.",
            "Not found: not a NIS code.",
        ))
    })
}

pub fn public_dto(p: PublicPolicy, public_url: &str) -> PublicPolicyDto {
    let nis = p.government.nis_code.clone().map(|n| n.to_string()).unwrap_or_default();
    let base = public_url.trim_end_matches('/');
    PublicPolicyDto {
        policy_url_nl: format!("{base}/g/{nis}/beleid"),
        policy_url_en: format!("{base}/g/{nis}/policy"),
        security_txt_url: format!("{base}/g/{nis}/.well-known/security.txt"),
        government_nis: nis,
        government: p.government.name,
        current_version: p.current_version,
        versions: p.versions.iter().map(Into::into).collect(),
        policy: p.policy.into(),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionParams {
    /// An earlier version; the one in force by default.
    pub version: Option<i64>,
}

/// A government's published disclosure policy, for anyone (no token needed): the version in
/// force, or an earlier one, with the list of versions.
#[utoipa::path(get, path = "/api/v1/governments/{nis}/policy", tag = "disclosure", params(("nis" = String, Path), VersionParams),
    responses((status = 200, body = PublicPolicyDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn public_policy(
    State(state): State<AppState>,
    lang: Lang,
    Path(nis): Path<String>,
    Params(p): Params<VersionParams>,
) -> ApiResult<Json<PublicPolicyDto>> {
    let nis = nis_of(&nis, lang).map_err(|p| *p)?;
    let policy = state.services.public_policy(&nis, p.version).await.or_problem(lang)?;
    Ok(Json(public_dto(policy, &state.services.accounts.public_url)))
}

/// The government's draft policy with its versions and security.txt (its members).
#[utoipa::path(get, path = "/api/v1/governments/{nis}/policy/draft", tag = "disclosure", params(("nis" = String, Path)),
    responses((status = 200, body = DraftDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn draft(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Path(nis): Path<String>) -> ApiResult<Json<DraftDto>> {
    let nis = nis_of(&nis, lang).map_err(|p| *p)?;
    Ok(Json(state.services.policy_draft(&actor, &nis).await.or_problem(lang)?.into()))
}

/// Saves the government's draft (its members); publishing makes it public.
#[utoipa::path(put, path = "/api/v1/governments/{nis}/policy/draft", tag = "disclosure", params(("nis" = String, Path)), request_body = PolicyContentDto,
    responses((status = 200, body = DraftDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn save_draft(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Governments>,
    Path(nis): Path<String>,
    Body(req): Body<PolicyContentDto>,
) -> ApiResult<Json<DraftDto>> {
    let nis = nis_of(&nis, lang).map_err(|p| *p)?;
    let view = state.services.save_policy_draft(&actor, &nis, req.into()).await.or_problem(lang)?;
    Ok(Json(view.into()))
}

/// Takes a copy of VVSG's model in force as the government's draft (keeping its contact and
/// scope items).
#[utoipa::path(post, path = "/api/v1/governments/{nis}/policy/adopt", tag = "disclosure", params(("nis" = String, Path)),
    responses((status = 200, body = DraftDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn adopt(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Governments>,
    Path(nis): Path<String>,
) -> ApiResult<Json<DraftDto>> {
    let nis = nis_of(&nis, lang).map_err(|p| *p)?;
    Ok(Json(state.services.adopt_model(&actor, &nis).await.or_problem(lang)?.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// The last day the security.txt is valid: after today and less than a year away; eleven
    /// months from today by default.
    pub expires_on: Option<NaiveDate>,
}

/// Publishes the draft as the government's next immutable version (its members).
#[utoipa::path(post, path = "/api/v1/governments/{nis}/policy/publish", tag = "disclosure", params(("nis" = String, Path)), request_body = PublishRequest,
    responses((status = 201, body = PublishedPolicyDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn publish(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Governments>,
    Path(nis): Path<String>,
    Body(req): Body<PublishRequest>,
) -> ApiResult<(StatusCode, Json<PublishedPolicyDto>)> {
    let nis = nis_of(&nis, lang).map_err(|p| *p)?;
    let published = state.services.publish_policy(&actor, &nis, req.expires_on).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(published.into())))
}

/// VVSG's model policy in force (anyone signed in).
#[utoipa::path(get, path = "/api/v1/model-policy", tag = "disclosure",
    responses((status = 200, body = PublishedPolicyDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn model(State(state): State<AppState>, lang: Lang, Caller(_actor): Caller) -> ApiResult<Json<PublishedPolicyDto>> {
    Ok(Json(state.services.model_policy().await.or_problem(lang)?.into()))
}

/// VVSG's draft of the model (VVSG).
#[utoipa::path(get, path = "/api/v1/model-policy/draft", tag = "disclosure",
    responses((status = 200, body = DraftDto), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn model_draft(State(state): State<AppState>, lang: Lang, Caller(actor): Caller) -> ApiResult<Json<DraftDto>> {
    Ok(Json(state.services.model_draft(&actor).await.or_problem(lang)?.into()))
}

/// Saves VVSG's draft of the model (VVSG).
#[utoipa::path(put, path = "/api/v1/model-policy/draft", tag = "disclosure", request_body = PolicyContentDto,
    responses((status = 200, body = DraftDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn save_model_draft(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Body(req): Body<PolicyContentDto>,
) -> ApiResult<Json<DraftDto>> {
    Ok(Json(
        state.services.save_model_draft(&actor, req.into()).await.or_problem(lang)?.into(),
    ))
}

/// Publishes VVSG's draft as the next model version (VVSG).
#[utoipa::path(post, path = "/api/v1/model-policy/publish", tag = "disclosure",
    responses((status = 201, body = PublishedPolicyDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn publish_model(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
) -> ApiResult<(StatusCode, Json<PublishedPolicyDto>)> {
    let published = state.services.publish_model(&actor).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(published.into())))
}
