use crate::AppState;
use crate::dto::AgreementDto;
use crate::extract::{Administrators, As};
use crate::extract::{Caller, Id};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::State;
use cyberveilig_domain::registry::OrganisationKind;
use cyberveilig_services::store::records::OrganisationFilter;
use std::collections::HashMap;

async fn firm_names(state: &AppState, actor: &cyberveilig_services::Actor, lang: Lang) -> ApiResult<HashMap<i64, String>> {
    let filter = OrganisationFilter {
        kind: Some(OrganisationKind::AuditFirm),
        limit: 500,
        ..Default::default()
    };
    let firms = state.services.organisations(actor, filter).await.or_problem(lang)?;
    Ok(firms.into_iter().map(|f| (f.id, f.name)).collect())
}

/// The framework agreements with their cascades, order windows and prices (C5-C7).
#[utoipa::path(get, path = "/api/v1/framework-agreements", tag = "framework agreements", security(("bearer" = [])),
    responses((status = 200, body = Vec<AgreementDto>)))]
pub async fn list(State(state): State<AppState>, lang: Lang, Caller(actor): Caller) -> ApiResult<Json<Vec<AgreementDto>>> {
    let names = firm_names(&state, &actor, lang).await?;
    let agreements = state.services.agreements().await.or_problem(lang)?;
    let today = cyberveilig_services::clock::brussels_date(state.services.clock.now());
    Ok(Json(
        agreements
            .iter()
            .map(|a| AgreementDto::new(a, today, |id| names.get(&id).cloned().unwrap_or_default()))
            .collect(),
    ))
}

/// Activate an agreement once its procedure is completed; orders waiting for it are offered (D4).
#[utoipa::path(post, path = "/api/v1/framework-agreements/{id}/activate", tag = "framework agreements", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = AgreementDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn activate(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Administrators>,
    Id(id): Id,
) -> ApiResult<Json<AgreementDto>> {
    let agreement = state.services.activate_agreement(&actor, id).await.or_problem(lang)?;
    let names = firm_names(&state, &actor, lang).await?;
    let today = cyberveilig_services::clock::brussels_date(state.services.clock.now());
    Ok(Json(AgreementDto::new(&agreement, today, |id| {
        names.get(&id).cloned().unwrap_or_default()
    })))
}
