use crate::AppState;
use crate::extract::{Body, Caller, ClientAddress};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
    /// The current code of the authenticator app, or a recovery code, for people who have a
    /// second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub role: String,
    pub organisation_id: i64,
}

/// Sign in with email and password; returns a bearer token valid for 12 hours.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 403, description = "The role needs a second factor that is not set up", body = crate::problem::Problem, content_type = "application/problem+json"), (status = 401, body = crate::problem::Problem, content_type = "application/problem+json"), (status = 429, description = "Too many failed sign-ins from this client or on this address: wait Retry-After seconds", body = crate::problem::Problem, content_type = "application/problem+json")))]
pub async fn issue_token(
    State(state): State<AppState>,
    lang: Lang,
    ClientAddress(client): ClientAddress,
    Body(req): Body<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let issued = state
        .services
        .issue_token(&req.email, &req.password, req.totp.as_deref(), &client)
        .await
        .or_problem(lang)?;
    Ok(Json(TokenResponse {
        token: issued.token,
        expires_at: issued.expires_at,
        role: issued.actor.role.as_str().to_owned(),
        organisation_id: issued.actor.organisation_id,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewApiTokenRequest {
    /// What the token is for, e.g. "boekhouding-koppeling".
    /// One line of visible characters (no control or hidden ones).
    #[schema(
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u061C\\u115F\\u1160\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\u3164\\uFEFF\\uFFA0]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u061C\\u115F\\u1160\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\u3164\\uFEFF\\uFFA0][^\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u061C\\u115F\\u1160\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\u3164\\uFEFF\\uFFA0]*$",
        max_length = 200
    )]
    pub name: String,
    #[schema(minimum = 1, maximum = 366)]
    pub valid_days: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ApiTokenDto {
    /// Names the token (the start of its hash); not the token itself.
    pub id: String,
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct NewApiTokenResponse {
    /// Shown once: store it now. Send as `Authorization: Bearer <token>`.
    pub token: String,
    #[serde(flatten)]
    pub info: ApiTokenDto,
}

impl From<cyberveilig_services::store::records::ApiTokenInfo> for ApiTokenDto {
    fn from(t: cyberveilig_services::store::records::ApiTokenInfo) -> ApiTokenDto {
        ApiTokenDto {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A token for a machine client: it acts as you, in your organisation and role, until it
/// expires or is revoked.
#[utoipa::path(post, path = "/api/v1/me/api-tokens", tag = "auth", request_body = NewApiTokenRequest,
    responses((status = 201, body = NewApiTokenResponse), (status = 422, body = crate::problem::Problem, content_type = "application/problem+json")))]
pub async fn create_api_token(
    State(state): State<AppState>,
    lang: Lang,
    caller: Caller,
    Body(req): Body<NewApiTokenRequest>,
) -> ApiResult<(StatusCode, Json<NewApiTokenResponse>)> {
    let created = state
        .services
        .create_api_token(&caller.0, &req.name, req.valid_days)
        .await
        .or_problem(lang)?;
    Ok((
        StatusCode::CREATED,
        Json(NewApiTokenResponse {
            token: created.token,
            info: created.info.into(),
        }),
    ))
}

/// Your API tokens (not the ones sign-in issues), newest first.
#[utoipa::path(get, path = "/api/v1/me/api-tokens", tag = "auth", responses((status = 200, body = [ApiTokenDto])))]
pub async fn list_api_tokens(State(state): State<AppState>, lang: Lang, caller: Caller) -> ApiResult<Json<Vec<ApiTokenDto>>> {
    let tokens = state.services.api_tokens(&caller.0).await.or_problem(lang)?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}

/// Revokes one of your API tokens at once.
#[utoipa::path(delete, path = "/api/v1/me/api-tokens/{id}", tag = "auth", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::problem::Problem, content_type = "application/problem+json")))]
pub async fn revoke_api_token(State(state): State<AppState>, lang: Lang, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    state.services.revoke_api_token(&caller.0, &id).await.or_problem(lang)?;
    Ok(StatusCode::NO_CONTENT)
}
