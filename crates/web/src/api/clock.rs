use crate::AppState;
use crate::extract::Body;
use crate::extract::{Administrators, As};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use cyberveilig_domain::registry::Role;
use cyberveilig_services::ServiceError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct ClockRequest {
    /// The new now, an RFC 3339 instant; the clock only moves forward.
    pub now: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ClockResponse {
    pub now: DateTime<Utc>,
    /// Offers that expired on the way, each at its own deadline.
    pub offers_expired: usize,
}

/// Only with `--test-clock`: move the server's clock forward and run what falls due.
#[utoipa::path(put, path = "/api/v1/test/clock", tag = "test clock", security(("bearer" = [])), request_body = ClockRequest,
    responses((status = 200, body = ClockResponse)))]
pub async fn set(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Body(req): Body<ClockRequest>,
) -> ApiResult<Json<ClockResponse>> {
    if actor.role != Role::ProgrammeAdmin {
        return Err::<Json<ClockResponse>, ServiceError>(ServiceError::Forbidden).or_problem(lang);
    }
    let offers_expired = state.services.advance_clock(req.now).await.or_problem(lang)?;
    Ok(Json(ClockResponse {
        now: state.services.clock.now(),
        offers_expired,
    }))
}
