use super::schema::OrganisationKindFilter;
use crate::AppState;
use crate::api::{next_cursor, paging};
use crate::dto::{OrganisationDto, Page};
use crate::extract::{Caller, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use cyberveilig_services::store::records::OrganisationFilter;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationQuery {
    #[param(value_type = Option<OrganisationKindFilter>, inline)]
    pub kind: Option<String>,
    /// Part of the name or NIS code.
    pub q: Option<String>,
    /// From the `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 500 (50 by default).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The registry: local governments, firms, VVSG, the administration, Howest.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "registry", security(("bearer" = [])), params(OrganisationQuery),
    responses((status = 200, body = Page<OrganisationDto>), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Params(query): Params<OrganisationQuery>,
) -> ApiResult<Json<Page<OrganisationDto>>> {
    let (limit, after_id) = paging(query.limit, query.cursor.as_deref())?;
    let kind = match query.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(k.parse().map_err(|_| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("unknown organisation kind '{k}'"),
            )
            .field("kind")
        })?),
    };
    let query_text = query
        .q
        .map(|q| q.trim().chars().take(100).collect::<String>())
        .filter(|q| !q.is_empty());
    let orgs = state
        .services
        .organisations(
            &actor,
            OrganisationFilter {
                kind,
                query: query_text,
                after_id,
                limit,
            },
        )
        .await
        .or_problem(lang)?;
    let next_cursor = next_cursor(&orgs, limit, |o| o.id);
    Ok(Json(Page {
        items: orgs.into_iter().map(OrganisationDto::from).collect(),
        next_cursor,
    }))
}
