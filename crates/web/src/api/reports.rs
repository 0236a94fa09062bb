//! Vulnerability reports over the API (issue 5): anyone reports, with or without a token; the
//! reporter without an account reaches the report with the follow link's token (`?token=` or the
//! `X-Follow-Token` header); everyone else with their bearer token.

use super::paging;
use super::schema::{AttachmentKindName, ReportStateFilter, ReportStateName, TriageOutcomeName};
use crate::AppState;
use crate::dto::Page;
use crate::extract::{As, GovernmentsAndAdministrators};
use crate::extract::{Body, Params, bearer_token};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::report::Party;
use cyberveilig_services::Actor;
use cyberveilig_services::reports::{Access, ReportChange, ReportInput, ReportListQuery, ReportSummary, ReportView};
use cyberveilig_services::store::records::{AttachmentInfo, Report, ReportMessage};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The caller, if they sent a bearer token (a wrong one is refused, not ignored).
pub struct MaybeCaller(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_parts(parts);
        match bearer_token(parts) {
            None => Ok(MaybeCaller(None)),
            Some(token) => state
                .services
                .authenticate(token)
                .await
                .map(|a| MaybeCaller(Some(a)))
                .map_err(|e| Problem::from_service(&e, lang)),
        }
    }
}

/// The follow link's token, from `?token=` or `X-Follow-Token`.
pub struct FollowToken(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for FollowToken {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let from_header = parts.headers.get("x-follow-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let from_query = parts.uri.query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "token")
                .map(|(_, v)| v)
        });
        Ok(FollowToken(from_header.or(from_query).filter(|t| !t.is_empty())))
    }
}

// A Problem is the handlers' error everywhere in the API; boxing it here alone would not help.
#[allow(clippy::result_large_err)]
fn access<'a>(caller: &'a Option<Actor>, token: &'a Option<String>, lang: Lang) -> Result<Access<'a>, Problem> {
    match (caller, token) {
        (Some(actor), _) => Ok(Access::Person(actor)),
        (None, Some(token)) => Ok(Access::Follower(token)),
        (None, None) => Err(Problem::localized(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            lang,
            "Meld u aan (Authorization: Bearer <token>) of geef het token van de volglink mee (?token=).",
            "Sign in (Authorization: Bearer <token>) or give the follow link's token (?token=).",
        )),
    }
}

/// A vulnerability report.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// The NIS code of the local government whose system it is.
    #[schema(pattern = "^[0-9]{5}$")]
    pub government_nis: String,
    /// The URL or host name (or IP address) of the system; checked against the government's scope.
    pub target: String,
    /// The type of vulnerability: `CWE-79`.
    #[schema(pattern = "^(CWE-)?([1-9][0-9]{0,4}|100000)$")]
    pub cwe: String,
    #[schema(pattern = "[^\\s\\u0000-\\u001F\\u007F-\\u009F]", max_length = 200)]
    pub title: String,
    #[schema(pattern = "[^\\s\\u0000-\\u001F\\u007F-\\u009F]", max_length = 20000)]
    pub description: String,
    #[schema(pattern = "[^\\s\\u0000-\\u001F\\u007F-\\u009F]", max_length = 20000)]
    pub steps_to_reproduce: String,
    #[schema(pattern = "[^\\s\\u0000-\\u001F\\u007F-\\u009F]", max_length = 20000)]
    pub impact: String,
    /// A CVSS 3.x or 4.0 vector.
    pub cvss_vector: Option<String>,
    /// A name or pseudonym.
    pub reporter_name: Option<String>,
    /// Where the reporter hears of the report.
    pub reporter_email: Option<String>,
    /// Whether the reporter may be thanked by name or pseudonym.
    #[serde(default)]
    pub credit_consent: bool,
    /// The reporter's own disclosure plans.
    pub disclosure_plans: Option<String>,
}

/// A report just received.
#[derive(Serialize, ToSchema)]
pub struct SubmittedDto {
    pub id: i64,
    pub tracking_code: String,
    /// The secret link to follow the report without an account; shown only now.
    pub follow_url: String,
    /// The token in the link, for `?token=` on the other report routes.
    pub follow_token: String,
    pub state: String,
    pub acknowledge_by: NaiveDate,
    pub triage_by: NaiveDate,
    pub disclose_on: NaiveDate,
    /// The system is outside the government's published scope: the report is received and
    /// triaged like any other, but the policy's safe harbour does not cover it.
    pub outside_scope: bool,
}

/// A report.
#[derive(Serialize, ToSchema)]
pub struct ReportDto {
    pub id: i64,
    pub tracking_code: String,
    pub government_id: i64,
    pub government: String,
    /// received, acknowledged, triaged, in_remediation, fixed, verified, disclosed, closed.
    pub state: String,
    /// valid, duplicate, out_of_scope, informative, not_applicable, spam.
    pub outcome: Option<String>,
    pub duplicate_of: Option<i64>,
    pub target: String,
    pub host: String,
    pub cwe: String,
    pub title: String,
    pub cvss_vector: Option<String>,
    pub cvss_score: Option<f64>,
    pub received_at: DateTime<Utc>,
    pub acknowledge_by: NaiveDate,
    pub triage_by: NaiveDate,
    pub disclose_on: NaiveDate,
    pub disclosure_agreed: bool,
    /// The deadline it missed: acknowledge, triage, fix or disclosure.
    pub overdue: Option<String>,
    pub finding_id: Option<i64>,
    pub coordinator_invited: bool,
    /// The system is outside the government's published scope (the safe harbour does not cover it).
    pub outside_scope: bool,
}

impl ReportDto {
    fn of(r: &Report, government: &str, overdue: Option<&str>) -> ReportDto {
        ReportDto {
            id: r.id,
            tracking_code: r.tracking_code.clone(),
            government_id: r.government_id,
            government: government.to_owned(),
            state: r.state.as_str().to_owned(),
            outcome: r.outcome.map(|o| o.as_str().to_owned()),
            duplicate_of: r.duplicate_of,
            target: r.target.clone(),
            host: r.host.clone(),
            cwe: format!("CWE-{}", r.cwe),
            title: r.title.clone(),
            cvss_vector: r.cvss_vector.clone(),
            cvss_score: r.cvss_score,
            received_at: r.received_at,
            acknowledge_by: r.acknowledge_by,
            triage_by: r.triage_by,
            disclose_on: r.disclose_on,
            disclosure_agreed: r.disclosure_agreed,
            overdue: overdue.map(str::to_owned),
            finding_id: r.finding_id,
            coordinator_invited: r.coordinator_invited,
            outside_scope: r.outside_scope,
        }
    }

    fn of_summary(s: &ReportSummary) -> ReportDto {
        ReportDto::of(&s.report, &s.government_name, s.overdue.map(|o| o.as_str()))
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageDto {
    pub id: i64,
    /// reporter, government, coordinator, administrator or system (a change of state: `state:<state>`).
    pub author: String,
    pub author_name: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

impl From<&ReportMessage> for MessageDto {
    fn from(m: &ReportMessage) -> MessageDto {
        MessageDto {
            id: m.id,
            author: m.author.map_or("system", Party::as_str).to_owned(),
            author_name: m.author_name.clone(),
            body: m.body.clone(),
            at: m.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: i64,
    pub filename: String,
    /// png, jpeg, pdf or text, read from the content.
    #[schema(value_type = AttachmentKindName, inline)]
    pub kind: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub at: DateTime<Utc>,
}

impl From<&AttachmentInfo> for AttachmentDto {
    fn from(a: &AttachmentInfo) -> AttachmentDto {
        AttachmentDto {
            id: a.id,
            filename: a.filename.clone(),
            kind: a.kind.as_str().to_owned(),
            size: a.size,
            sha256: a.sha256.clone(),
            uploaded_by: a.uploaded_by.as_str().to_owned(),
            at: a.at,
        }
    }
}

/// A report with its details, thread and attachments, as the caller sees it.
#[derive(Serialize, ToSchema)]
pub struct ReportDetailDto {
    #[serde(flatten)]
    pub report: ReportDto,
    pub description: String,
    pub steps_to_reproduce: String,
    pub impact: String,
    pub disclosure_plans: String,
    /// The reporter's name or pseudonym (empty: anonymous).
    pub reporter_name: String,
    pub credit_consent: bool,
    /// reporter, government, coordinator or administrator.
    pub you_are: String,
    /// The states you may move it to.
    pub next_states: Vec<String>,
    /// Other reports on the same host, type and location (not shown to reporters).
    pub possible_duplicates: Vec<String>,
    pub fix_by: Option<NaiveDate>,
    pub finding_status: Option<String>,
    pub messages: Vec<MessageDto>,
    pub attachments: Vec<AttachmentDto>,
}

fn detail(v: &ReportView) -> ReportDetailDto {
    let r = &v.report;
    ReportDetailDto {
        report: ReportDto::of(r, &v.government.name, v.overdue.map(|o| o.as_str())),
        description: r.description.clone(),
        steps_to_reproduce: r.steps.clone(),
        impact: r.impact.clone(),
        disclosure_plans: r.disclosure_plans.clone(),
        reporter_name: r.reporter_name.clone(),
        credit_consent: r.credit_consent,
        you_are: match v.party {
            cyberveilig_domain::report::Party::Reporter => "reporter",
            cyberveilig_domain::report::Party::Government => "government",
            cyberveilig_domain::report::Party::Coordinator => "coordinator",
            cyberveilig_domain::report::Party::Administrator => "administrator",
        }
        .into(),
        next_states: v.next_states.iter().map(|s| s.as_str().to_owned()).collect(),
        possible_duplicates: v.possible_duplicates.iter().map(|d| d.tracking_code.clone()).collect(),
        fix_by: v.fix_by,
        finding_status: v.finding_status.clone(),
        messages: v.messages.iter().map(MessageDto::from).collect(),
        attachments: v.attachments.iter().map(AttachmentDto::from).collect(),
    }
}

/// Reports a vulnerability, with or without a bearer token. The answer holds the tracking code
/// and the secret follow link (shown once). At most 5 reports per client in 10 minutes (429 with
/// Retry-After beyond). A target outside the government's registered systems is a 422 on
/// `target` that says so.
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = ReportRequest,
    responses((status = 201, body = SubmittedDto), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    parts: RequestParts,
    Body(r): Body<ReportRequest>,
) -> Response {
    let client = crate::extract::client_of(&parts.0, caller.as_ref().map(|a| a.person_id));
    let input = ReportInput {
        government_nis: r.government_nis,
        target: r.target,
        cwe: r.cwe,
        title: r.title,
        description: r.description,
        steps: r.steps_to_reproduce,
        impact: r.impact,
        cvss_vector: r.cvss_vector,
        reporter_name: r.reporter_name,
        reporter_email: r.reporter_email,
        credit_consent: r.credit_consent,
        disclosure_plans: r.disclosure_plans,
    };
    match state
        .services
        .submit_report_with_files(caller.as_ref(), input, Vec::new(), Some(&client))
        .await
    {
        Ok(s) => (
            StatusCode::CREATED,
            Json(SubmittedDto {
                id: s.report.id,
                tracking_code: s.report.tracking_code.clone(),
                follow_url: s.follow_url,
                follow_token: s.follow_token,
                state: s.report.state.as_str().to_owned(),
                acknowledge_by: s.report.acknowledge_by,
                triage_by: s.report.triage_by,
                disclose_on: s.report.disclose_on,
                outside_scope: s.report.outside_scope,
            }),
        )
            .into_response(),
        Err(e) => Problem::from_service(&e, lang).into_response(),
    }
}

/// The request's head, for the rate limiter (the connection's address).
pub struct RequestParts(pub Parts);

impl<S: Send + Sync> FromRequestParts<S> for RequestParts {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut copy = axum::http::Request::new(());
        *copy.uri_mut() = parts.uri.clone();
        if let Some(info) = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>() {
            copy.extensions_mut().insert(*info);
        }
        Ok(RequestParts(copy.into_parts().0))
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    #[param(value_type = Option<ReportStateFilter>, inline)]
    pub state: Option<String>,
    /// true: only reports past a deadline.
    pub overdue: Option<bool>,
    /// From the `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 500 (50 by default).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The reports the caller may see, newest first: a government its own, a researcher those they
/// made, VVSG those it coordinates, the administrator all.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ListParams),
    responses((status = 200, body = Page<ReportDto>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    crate::extract::Caller(actor): crate::extract::Caller,
    Params(p): Params<ListParams>,
) -> ApiResult<Json<Page<ReportDto>>> {
    let (limit, before_id) = paging(p.limit, p.cursor.as_deref())?;
    let items = state
        .services
        .reports(
            &actor,
            ReportListQuery {
                state: p.state,
                overdue_only: p.overdue.unwrap_or(false),
                before_id,
                limit,
            },
        )
        .await
        .or_problem(lang)?;
    let next_cursor = (items.len() as i64 == limit)
        .then(|| items.last().map(|s| s.report.id.to_string()))
        .flatten();
    Ok(Json(Page {
        items: items.iter().map(ReportDto::of_summary).collect(),
        next_cursor,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenParam {
    /// The follow link's token, for a reporter without an account.
    #[allow(dead_code)]
    pub token: Option<String>,
}

#[allow(clippy::result_large_err)]
fn report_id(lang: Lang, text: &str) -> Result<i64, Problem> {
    text.parse().map_err(|_| {
        Problem::localized(
            StatusCode::NOT_FOUND,
            "not_found",
            lang,
            "Niet gevonden: een id is een geheel getal.",
            "Not found: an id is a whole number.",
        )
    })
}

/// One report with its thread and attachments.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = i64, Path), TokenParam),
    responses((status = 200, body = ReportDetailDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    FollowToken(token): FollowToken,
    Path(id): Path<String>,
) -> ApiResult<Json<ReportDetailDto>> {
    let id = report_id(lang, &id)?;
    let access = access(&caller, &token, lang)?;
    let view = state.services.report(access, id).await.or_problem(lang)?;
    Ok(Json(detail(&view)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateRequest {
    /// Any state but received, which a report only starts in.
    #[schema(value_type = ReportStateName, inline)]
    pub state: String,
    /// For triaged.
    #[schema(value_type = Option<TriageOutcomeName>, inline, nullable = false)]
    pub outcome: Option<String>,
    /// For a duplicate: the id (a number or its text) or tracking code of the report it
    /// duplicates.
    #[schema(value_type = Option<String>)]
    pub duplicate_of: Option<IdOrCode>,
    /// A coordinated disclosure date agreed with the reporter.
    pub disclose_on: Option<NaiveDate>,
    /// A note added to the thread.
    pub note: Option<String>,
}

/// A report named by its id, as a number or as text, or by its tracking code.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum IdOrCode {
    Id(i64),
    Text(String),
}

impl IdOrCode {
    fn into_text(self) -> String {
        match self {
            IdOrCode::Id(id) => id.to_string(),
            IdOrCode::Text(text) => text,
        }
    }
}

/// A step in the report's handling (ISO/IEC 30111): the government acknowledges, triages,
/// remediates, verifies, discloses or closes; VVSG as coordinator acknowledges, triages and
/// discloses; the reporter may withdraw a report nobody triaged yet.
#[utoipa::path(post, path = "/api/v1/reports/{id}/state", tag = "reports", params(("id" = i64, Path), TokenParam), request_body = StateRequest,
    responses((status = 200, body = ReportDetailDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_state(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    FollowToken(token): FollowToken,
    Path(id): Path<String>,
    Body(r): Body<StateRequest>,
) -> ApiResult<Json<ReportDetailDto>> {
    let id = report_id(lang, &id)?;
    let access = access(&caller, &token, lang)?;
    let change = ReportChange {
        state: r.state,
        outcome: r.outcome,
        duplicate_of: r.duplicate_of.map(IdOrCode::into_text),
        disclose_on: r.disclose_on,
        note: r.note,
    };
    let view = state.services.change_report(access, id, change).await.or_problem(lang)?;
    Ok(Json(detail(&view)))
}

/// The report's thread, oldest first.
#[utoipa::path(get, path = "/api/v1/reports/{id}/messages", tag = "reports", params(("id" = i64, Path), TokenParam),
    responses((status = 200, body = [MessageDto]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn messages(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    FollowToken(token): FollowToken,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<MessageDto>>> {
    let id = report_id(lang, &id)?;
    let access = access(&caller, &token, lang)?;
    let view = state.services.report(access, id).await.or_problem(lang)?;
    Ok(Json(view.messages.iter().map(MessageDto::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    #[schema(pattern = "[^\\s\\u0000-\\u001F\\u007F-\\u009F]", max_length = 10000)]
    pub body: String,
}

/// A message in the thread; the other side hears of it by mail.
#[utoipa::path(post, path = "/api/v1/reports/{id}/messages", tag = "reports", params(("id" = i64, Path), TokenParam), request_body = MessageRequest,
    responses((status = 201, body = MessageDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn post_message(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    FollowToken(token): FollowToken,
    Path(id): Path<String>,
    Body(r): Body<MessageRequest>,
) -> ApiResult<Response> {
    let id = report_id(lang, &id)?;
    let access = access(&caller, &token, lang)?;
    let m = state.services.post_report_message(access, id, &r.body).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(MessageDto::from(&m))).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentParams {
    /// The file's name; its extension must agree with the content.
    pub filename: Option<String>,
    #[allow(dead_code)]
    pub token: Option<String>,
}

/// Adds an attachment: the request body is the file (at most 10 MiB, 5 per report), its
/// `Content-Type` and `filename` must agree with the content: a PNG or JPEG image, a PDF or plain
/// text. Anything else, or a file whose content is not what it claims, is refused.
#[utoipa::path(post, path = "/api/v1/reports/{id}/attachments", tag = "reports", params(("id" = i64, Path), AttachmentParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
// One argument per extractor, as axum handlers take them.
#[allow(clippy::too_many_arguments)]
pub async fn add_attachment(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    FollowToken(token): FollowToken,
    Path(id): Path<String>,
    Params(p): Params<AttachmentParams>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Response> {
    let id = report_id(lang, &id)?;
    let access = access(&caller, &token, lang)?;
    let body = body.map_err(|_| {
        Problem::localized(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            lang,
            "Een bijlage is hoogstens 10 MiB groot.",
            "An attachment has at most 10 MiB.",
        )
    })?;
    let filename = p.filename.unwrap_or_default();
    let claimed = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let info = state
        .services
        .add_report_attachment(access, id, &filename, claimed, &body)
        .await
        .or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(AttachmentDto::from(&info))).into_response())
}

/// A file to download and never to show: `application/octet-stream`, as an attachment, not sniffed.
pub fn download(filename: &str, content: Vec<u8>) -> Response {
    let mut response = content.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    let safe: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// An attachment, only as a download.
#[utoipa::path(get, path = "/api/v1/reports/{id}/attachments/{attachment_id}", tag = "reports",
    params(("id" = i64, Path), ("attachment_id" = i64, Path), TokenParam),
    responses((status = 200, description = "The file, as application/octet-stream with Content-Disposition: attachment"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn attachment(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    FollowToken(token): FollowToken,
    Path((id, attachment_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id = report_id(lang, &id)?;
    let attachment_id = report_id(lang, &attachment_id)?;
    let access = access(&caller, &token, lang)?;
    let (info, content) = state.services.report_attachment(access, id, attachment_id).await.or_problem(lang)?;
    Ok(download(&info.filename, content))
}

/// A report triaged valid becomes a finding in the government's register (tool `report`) and
/// follows its remediation.
#[utoipa::path(post, path = "/api/v1/reports/{id}/finding", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, body = ReportDetailDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn make_finding(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Path(id): Path<String>,
) -> ApiResult<Json<ReportDetailDto>> {
    let id = report_id(lang, &id)?;
    let view = state.services.make_finding(&actor, id).await.or_problem(lang)?;
    Ok(Json(detail(&view)))
}

/// The government invites VVSG to coordinate the report.
#[utoipa::path(post, path = "/api/v1/reports/{id}/coordinator", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, body = ReportDetailDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn invite_coordinator(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<GovernmentsAndAdministrators>,
    Path(id): Path<String>,
) -> ApiResult<Json<ReportDetailDto>> {
    let id = report_id(lang, &id)?;
    let view = state.services.invite_coordinator(&actor, id).await.or_problem(lang)?;
    Ok(Json(detail(&view)))
}

/// The report in the form the Centre for Cybersecurity Belgium asks for (JSON, as a download).
#[utoipa::path(get, path = "/api/v1/reports/{id}/ccb", tag = "reports", params(("id" = i64, Path), TokenParam),
    responses((status = 200, description = "The report for the CCB, as JSON"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn ccb_export(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    FollowToken(token): FollowToken,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = report_id(lang, &id)?;
    let access = access(&caller, &token, lang)?;
    let export = state.services.ccb_export(access, id).await.or_problem(lang)?;
    let code = export["reference"].as_str().unwrap_or("report").to_owned();
    let mut response = Json(export).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"ccb-{code}.json\"")) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
