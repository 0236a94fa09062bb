//! A government's practice with the toolkit: a playbook's checklist, and tabletop exercises
//! whose follow-up actions can become findings.

use super::invalid;
use crate::AppState;
use crate::api::schema::StepStateName;
use crate::extract::{As, Body, Governments, Id, Ids};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::toolkit::StepState;
use cyberveilig_services::store::records::Exercise;
use cyberveilig_services::toolkit::{ChecklistView, ExerciseInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ChecklistStepDto {
    pub number: i64,
    /// The phase (the playbook's heading) it belongs to.
    pub phase: String,
    pub text: String,
    #[schema(value_type = Option<StepStateName>, inline)]
    pub state: Option<String>,
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistDto {
    pub item_id: i64,
    /// The published version whose steps these are.
    pub version: i64,
    pub steps: Vec<ChecklistStepDto>,
    /// Ticked steps of all, in whole percent.
    pub progress: u8,
    pub complete: bool,
}

impl From<ChecklistView> for ChecklistDto {
    fn from(c: ChecklistView) -> ChecklistDto {
        ChecklistDto {
            item_id: c.item.id,
            version: c.version.number,
            steps: c
                .steps
                .into_iter()
                .map(|s| ChecklistStepDto {
                    number: s.number,
                    phase: s.phase,
                    text: s.text,
                    state: s.tick.as_ref().map(|t| t.state.as_str().to_owned()),
                    by: s.tick.as_ref().map(|t| t.by_name.clone()),
                    at: s.tick.as_ref().map(|t| t.at),
                })
                .collect(),
            progress: c.progress,
            complete: c.complete,
        }
    }
}

/// The caller's government's checklist of a published playbook.
#[utoipa::path(get, path = "/api/v1/toolkit/{id}/checklist", tag = "toolkit", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ChecklistDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn checklist(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Governments>,
    Id(id): Id,
) -> ApiResult<Json<ChecklistDto>> {
    Ok(Json(state.services.toolkit_checklist(&actor, id).await.or_problem(lang)?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// done or not_applicable; null unticks the step.
    #[schema(value_type = Option<StepStateName>, inline)]
    pub state: Option<String>,
}

/// A step ticked (or unticked) for the caller's government; the tick that completes the
/// checklist counts as the playbook's completion.
#[utoipa::path(put, path = "/api/v1/toolkit/{id}/checklist/{step}", tag = "toolkit", security(("bearer" = [])),
    params(("id" = i64, Path), ("step" = i64, Path)), request_body = StepRequest,
    responses((status = 200, body = ChecklistDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn tick(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Governments>,
    Ids(id, step): Ids,
    Body(req): Body<StepRequest>,
) -> ApiResult<Json<ChecklistDto>> {
    let tick = req
        .state
        .as_deref()
        .map(str::parse::<StepState>)
        .transpose()
        .map_err(|_| invalid(lang, "state", "Kies done of not_applicable.", "Choose done or not_applicable."))?;
    Ok(Json(
        state
            .services
            .tick_checklist_step(&actor, id, step, tick)
            .await
            .or_problem(lang)?
            .into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ExerciseActionDto {
    pub position: i64,
    pub text: String,
    /// The finding it became in the government's register.
    pub finding_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ExerciseDto {
    pub id: i64,
    /// The playbook that was the scenario.
    pub item_id: i64,
    pub held_on: NaiveDate,
    pub participants: String,
    pub lessons: String,
    pub actions: Vec<ExerciseActionDto>,
}

impl From<Exercise> for ExerciseDto {
    fn from(e: Exercise) -> ExerciseDto {
        ExerciseDto {
            id: e.id,
            item_id: e.item_id,
            held_on: e.held_on,
            participants: e.participants,
            lessons: e.lessons,
            actions: e
                .actions
                .into_iter()
                .map(|a| ExerciseActionDto {
                    position: a.position,
                    text: a.text,
                    finding_id: a.finding_id,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExerciseRequest {
    pub held_on: NaiveDate,
    #[schema(pattern = "\\S", max_length = 2000)]
    pub participants: String,
    #[schema(pattern = "\\S", max_length = 10000)]
    pub lessons: String,
    /// Follow-up actions, one line each.
    #[serde(default)]
    #[schema(max_items = 30)]
    pub actions: Vec<String>,
}

/// The caller's government records a tabletop exercise on a published playbook.
#[utoipa::path(post, path = "/api/v1/toolkit/{id}/exercises", tag = "toolkit", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ExerciseRequest,
    responses((status = 201, body = ExerciseDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_exercise(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Governments>,
    Id(id): Id,
    Body(req): Body<ExerciseRequest>,
) -> ApiResult<(StatusCode, Json<ExerciseDto>)> {
    let input = ExerciseInput {
        held_on: req.held_on,
        participants: req.participants,
        lessons: req.lessons,
        actions: req.actions,
    };
    let exercise = state.services.record_exercise(&actor, id, input).await.or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(exercise.into())))
}

#[derive(Serialize, ToSchema)]
pub struct ExerciseList {
    pub items: Vec<ExerciseDto>,
}

/// The caller's government's exercises, the latest first (at most 100).
#[utoipa::path(get, path = "/api/v1/toolkit-exercises", tag = "toolkit", security(("bearer" = [])),
    responses((status = 200, body = ExerciseList), (status = 403, body = Problem)))]
pub async fn exercises(State(state): State<AppState>, lang: Lang, As(actor, _): As<Governments>) -> ApiResult<Json<ExerciseList>> {
    let items = state.services.exercises(&actor).await.or_problem(lang)?;
    Ok(Json(ExerciseList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// A follow-up action of one of the government's exercises becomes a finding in its register
/// (409 `already_a_finding`; 422 without an audit order to keep the register under).
#[utoipa::path(post, path = "/api/v1/toolkit-exercises/{id}/actions/{position}/finding", tag = "toolkit", security(("bearer" = [])),
    params(("id" = i64, Path), ("position" = i64, Path)),
    responses((status = 200, body = ExerciseDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn action_to_finding(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Governments>,
    Ids(id, position): Ids,
) -> ApiResult<Json<ExerciseDto>> {
    Ok(Json(
        state
            .services
            .exercise_action_to_finding(&actor, id, position)
            .await
            .or_problem(lang)?
            .into(),
    ))
}
