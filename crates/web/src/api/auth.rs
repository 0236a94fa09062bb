use crate::AppState;
use crate::extract::{Body, Lang};
use crate::problem::{ApiResult, OrProblem};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
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
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::problem::Problem, content_type = "application/problem+json")))]
pub async fn issue_token(State(state): State<AppState>, lang: Lang, Body(req): Body<TokenRequest>) -> ApiResult<Json<TokenResponse>> {
    let issued = state.services.issue_token(&req.email, &req.password).await.or_problem(lang)?;
    Ok(Json(TokenResponse {
        token: issued.token,
        expires_at: issued.expires_at,
        role: issued.actor.role.as_str().to_owned(),
        organisation_id: issued.actor.organisation_id,
    }))
}
