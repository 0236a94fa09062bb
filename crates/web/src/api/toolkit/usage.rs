//! Which organisations used which toolkit item (counts, never persons), and the items an
//! awareness event hands out.

use super::{ToolkitItemSummary, invalid};
use crate::AppState;
use crate::api::reports::MaybeCaller;
use crate::api::schema::UseKindName;
use crate::extract::{As, Association, Body, Caller, Id, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use cyberveilig_services::store::records::{UseCount, UseTotals};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct UseCountDto {
    pub item_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    #[schema(value_type = UseKindName, inline)]
    pub kind: String,
    pub count: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

impl From<UseCount> for UseCountDto {
    fn from(u: UseCount) -> UseCountDto {
        UseCountDto {
            item_id: u.item_id,
            organisation_id: u.organisation_id,
            organisation: u.organisation,
            kind: u.kind.as_str().to_owned(),
            count: u.count,
            first_at: u.first_at,
            last_at: u.last_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UseTotalsDto {
    pub item_id: i64,
    /// Organisations that opened, downloaded, completed it.
    pub opened: i64,
    pub downloaded: i64,
    pub completed: i64,
}

impl From<UseTotals> for UseTotalsDto {
    fn from(t: UseTotals) -> UseTotalsDto {
        UseTotalsDto {
            item_id: t.item_id,
            opened: t.opened,
            downloaded: t.downloaded,
            completed: t.completed,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ToolkitUseDto {
    /// Per organisation and item (a government sees its own).
    pub counts: Vec<UseCountDto>,
    /// Per item, over all organisations (VVSG and the administrator).
    pub totals: Vec<UseTotalsDto>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UseQuery {
    /// One item only.
    #[param(minimum = 1)]
    pub item_id: Option<i64>,
}

/// Which organisations opened, downloaded or completed which item: counts per organisation,
/// never per person. VVSG and the administrator see every organisation; a government its own.
#[utoipa::path(get, path = "/api/v1/toolkit-use", tag = "toolkit", security(("bearer" = [])), params(UseQuery),
    responses((status = 200, body = ToolkitUseDto), (status = 403, body = Problem)))]
pub async fn usage(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Params(q): Params<UseQuery>,
) -> ApiResult<Json<ToolkitUseDto>> {
    if q.item_id.is_some_and(|id| id < 1) {
        return Err(invalid(lang, "item_id", "Een id van 1 of meer.", "An id of 1 or more.").into());
    }
    let counts = state.services.toolkit_use(&actor, q.item_id).await.or_problem(lang)?;
    let totals = match state.services.toolkit_use_totals(&actor).await {
        Ok(t) => t,
        Err(cyberveilig_services::ServiceError::Forbidden) => Vec::new(),
        Err(e) => return Err(Problem::from_service(&e, lang).into()),
    };
    Ok(Json(ToolkitUseDto {
        counts: counts.into_iter().map(Into::into).collect(),
        totals: totals.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MaterialsDto {
    pub items: Vec<ToolkitItemSummary>,
}

/// The published toolkit items an awareness event hands out.
#[utoipa::path(get, path = "/api/v1/awareness-events/{id}/materials", tag = "awareness", params(("id" = i64, Path)),
    responses((status = 200, body = MaterialsDto), (status = 404, body = Problem)))]
pub async fn materials(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    Id(id): Id,
) -> ApiResult<Json<MaterialsDto>> {
    let items = state.services.event_materials(caller.as_ref(), id).await.or_problem(lang)?;
    Ok(Json(MaterialsDto {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialsRequest {
    /// Toolkit item ids (at most 20).
    #[schema(max_items = 20)]
    pub items: Vec<i64>,
}

/// VVSG names the toolkit items an event hands out (replacing the list).
#[utoipa::path(put, path = "/api/v1/awareness-events/{id}/materials", tag = "awareness", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MaterialsRequest,
    responses((status = 200, body = MaterialsDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_materials(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
    Body(req): Body<MaterialsRequest>,
) -> ApiResult<Json<MaterialsDto>> {
    state.services.set_event_materials(&actor, id, &req.items).await.or_problem(lang)?;
    let items = state.services.event_materials(Some(&actor), id).await.or_problem(lang)?;
    Ok(Json(MaterialsDto {
        items: items.into_iter().map(Into::into).collect(),
    }))
}
