//! Audit results: importing a scanner report for an order, and the findings in priority order.

use super::schema::{AssetKindName, CriticalityName, FindingStatusName, FindingToolName, ImportFormatName, SeverityName};
use crate::AppState;
use crate::extract::{Administrators, As, FirmsAndAdministrators, GovernmentsAndAdministrators, Remediation};
use crate::extract::{Caller, Id, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use cyberveilig_services::store::records::{Import, StoredFinding};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What an import did: the format detected and the findings new, still open, reopened and fixed.
#[derive(Serialize, ToSchema)]
pub struct ImportSummary {
    pub id: i64,
    pub order_id: i64,
    #[schema(value_type = ImportFormatName, inline)]
    pub format: String,
    pub tool_version: Option<String>,
    /// Findings in the report, before deduplication.
    pub findings_read: i64,
    pub new: i64,
    pub still_open: i64,
    pub reopened: i64,
    /// Open findings of the same order and tool the report no longer has.
    pub fixed: i64,
    /// Informational items (severity info, a log, a service fact) kept as information about the
    /// asset: not findings, no deadline, not counted as open; listed with `status=informational`.
    pub informational: i64,
    pub at: DateTime<Utc>,
}

impl From<Import> for ImportSummary {
    fn from(i: Import) -> ImportSummary {
        ImportSummary {
            id: i.id,
            order_id: i.order_id,
            format: i.format.as_str().to_owned(),
            tool_version: i.tool_version,
            findings_read: i.findings_read,
            new: i.new,
            still_open: i.still_open,
            reopened: i.reopened,
            fixed: i.fixed,
            informational: i.informational,
            at: i.at,
        }
    }
}

/// Imports a scanner report (the request body, any of the supported formats, detected from the
/// content) for an order: by the firm it is placed with, or an administrator.
#[utoipa::path(post, path = "/api/v1/orders/{id}/imports", tag = "findings", params(("id" = i64, Path)),
    request_body(content = String, description = "The report as the scanner wrote it", content_type = "application/octet-stream"),
    responses((status = 201, body = ImportSummary), (status = 413, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<FirmsAndAdministrators>,
    Id(id): Id,
    body: axum::body::Body,
) -> ApiResult<(StatusCode, Json<ImportSummary>)> {
    let report = crate::upload::spool_body(body).await.map_err(|e| e.problem(lang))?;
    let import = state.services.import_report(&actor, id, report).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(import.into())))
}

#[derive(Serialize, ToSchema)]
pub struct FindingDto {
    pub id: i64,
    pub government_id: i64,
    /// The audit order it was found under; null for a finding of an ethical-hacking engagement.
    pub order_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub fingerprint: String,
    #[schema(value_type = FindingToolName, inline)]
    pub tool: String,
    pub rule_id: String,
    pub title: String,
    pub description: Option<String>,
    /// As the tool gave it: info, low, medium, high, critical.
    #[schema(value_type = SeverityName, inline)]
    pub severity: String,
    pub cvss_version: Option<String>,
    pub cvss_vector: Option<String>,
    pub cvss_score: Option<f64>,
    /// Whether the score was computed from the vector (rather than taken from the file).
    pub cvss_computed: bool,
    pub cwe: Vec<String>,
    pub cves: Vec<String>,
    pub port: Option<i64>,
    pub protocol: Option<String>,
    pub url: Option<String>,
    pub evidence: Option<String>,
    pub recommendation: Option<String>,
    /// open, in_progress, fixed, verified, risk_accepted, false_positive.
    #[schema(value_type = FindingStatusName, inline)]
    pub status: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

impl From<StoredFinding> for FindingDto {
    fn from(f: StoredFinding) -> FindingDto {
        let list = |s: &str| s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect();
        FindingDto {
            id: f.id,
            government_id: f.government_id,
            order_id: f.order_id,
            asset_id: f.asset_id,
            fingerprint: f.fingerprint,
            tool: f.tool.as_str().to_owned(),
            rule_id: f.rule_id,
            title: f.title,
            description: f.description,
            severity: f.severity.as_str().to_owned(),
            cvss_version: f.cvss_version,
            cvss_vector: f.cvss_vector,
            cvss_score: f.cvss_score,
            cvss_computed: f.cvss_computed,
            cwe: list(&f.cwe),
            cves: list(&f.cves),
            port: f.port,
            protocol: f.protocol,
            url: f.url,
            evidence: f.evidence,
            recommendation: f.recommendation,
            status: f.status.as_str().to_owned(),
            first_seen: f.first_seen,
            last_seen: f.last_seen,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct StatusRequest {
    #[schema(value_type = FindingStatusName, inline)]
    pub status: String,
    /// Needed for risk_accepted and false_positive (at most 1,000 characters).
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
    /// For risk_accepted: until when, within a year.
    #[schema(nullable = false)]
    pub until: Option<chrono::NaiveDate>,
}

/// A remediation step: the government starts, fixes, accepts a risk or marks a false positive;
/// the firm's re-test verifies a fix or reopens it.
#[utoipa::path(post, path = "/api/v1/findings/{id}/status", tag = "findings", params(("id" = i64, Path)), request_body = StatusRequest,
    responses((status = 200, body = FindingDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_status(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Remediation>,
    Id(id): Id,
    crate::extract::Body(req): crate::extract::Body<StatusRequest>,
) -> ApiResult<Json<FindingDto>> {
    let change = cyberveilig_services::findings::StatusChange {
        status: req.status,
        reason: req.reason,
        until: req.until,
    };
    let finding = state.services.change_finding_status(&actor, id, change).await.or_problem(lang)?;
    Ok(Json(finding.into()))
}

#[derive(Serialize, ToSchema)]
pub struct IntelLoaded {
    /// Entries in the file.
    pub entries: usize,
    /// Open findings given a new decision and deadline.
    pub findings_prioritised: usize,
}

/// Loads CISA's Known Exploited Vulnerabilities catalogue (its JSON file, as the body) and
/// re-prioritises every open finding (administrators).
#[utoipa::path(post, path = "/api/v1/intel/kev", tag = "findings", request_body(content = String, content_type = "application/json"),
    responses((status = 200, body = IntelLoaded), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn load_kev(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    body: Bytes,
) -> ApiResult<Json<IntelLoaded>> {
    use cyberveilig_services::intel::IntelSource;
    let (entries, findings_prioritised) = state
        .services
        .load_intel_file(Some(&actor), IntelSource::Kev, &body)
        .await
        .or_problem(lang)?;
    Ok(Json(IntelLoaded {
        entries,
        findings_prioritised,
    }))
}

/// Loads FIRST's EPSS scores (their CSV, as the body) and re-prioritises every open finding
/// (administrators).
#[utoipa::path(post, path = "/api/v1/intel/epss", tag = "findings", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = IntelLoaded), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn load_epss(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    body: Bytes,
) -> ApiResult<Json<IntelLoaded>> {
    use cyberveilig_services::intel::IntelSource;
    let (entries, findings_prioritised) = state
        .services
        .load_intel_file(Some(&actor), IntelSource::Epss, &body)
        .await
        .or_problem(lang)?;
    Ok(Json(IntelLoaded {
        entries,
        findings_prioritised,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AssetDto {
    pub id: i64,
    pub government_id: i64,
    #[schema(value_type = AssetKindName, inline)]
    pub kind: String,
    pub name: String,
    pub hostname: Option<String>,
    pub ip: Option<String>,
    pub os: Option<String>,
    /// How much the mission and the public's well-being depend on it.
    #[schema(value_type = CriticalityName, inline)]
    pub criticality: String,
}

impl From<cyberveilig_services::store::records::Asset> for AssetDto {
    fn from(a: cyberveilig_services::store::records::Asset) -> AssetDto {
        AssetDto {
            id: a.id,
            government_id: a.government_id,
            kind: a.kind.as_str().to_owned(),
            name: a.name,
            hostname: a.hostname,
            ip: a.ip,
            os: a.os,
            criticality: a.criticality.as_str().to_owned(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetQuery {
    #[param(pattern = "^[0-9]{5}$")]
    pub government_nis: String,
}

/// A government's assets: those its scans found, with their criticality.
#[utoipa::path(get, path = "/api/v1/assets", tag = "findings", params(AssetQuery), responses((status = 200, body = [AssetDto])))]
pub async fn assets(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Params(q): Params<AssetQuery>,
) -> ApiResult<Json<Vec<AssetDto>>> {
    let nis = q.government_nis.parse().map_err(|_| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!("'{}' is not a NIS code", q.government_nis),
        )
        .field("government_nis")
    })?;
    let government = state.services.organisation_by_nis(&nis).await.or_problem(lang)?;
    let list = state.services.assets(&actor, government.id).await.or_problem(lang)?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct CriticalityRequest {
    #[schema(value_type = CriticalityName, inline)]
    pub criticality: String,
}

/// Sets an asset's criticality (the government or an administrator); its open findings are
/// re-prioritised.
#[utoipa::path(post, path = "/api/v1/assets/{id}/criticality", tag = "findings", params(("id" = i64, Path)), request_body = CriticalityRequest,
    responses((status = 200, body = AssetDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_criticality(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Id(id): Id,
    crate::extract::Body(req): crate::extract::Body<CriticalityRequest>,
) -> ApiResult<Json<AssetDto>> {
    let asset = state
        .services
        .set_asset_criticality(&actor, id, &req.criticality)
        .await
        .or_problem(lang)?;
    Ok(Json(asset.into()))
}
