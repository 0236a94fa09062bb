//! Awareness events over the API (VVSG's work package 3): list, get, organise, change, cancel;
//! register and cancel one's registration; who registered, attendance; iCalendar files and
//! personal feeds; the reach.

use super::schema::{AudienceName, EventKindName, RegistrationStateName};
use super::{next_cursor, paging};
use crate::AppState;
use crate::dto::Page;
use crate::extract::{As, Association, Body, Caller, Id, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use cyberveilig_domain::awareness::{Audience, EventKind};
use cyberveilig_services::awareness::{EventInput, EventView, Reach};
use cyberveilig_services::store::records::Registrant;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An awareness event with its places counted and the caller's own registration.
#[derive(Serialize, ToSchema)]
pub struct AwarenessEventDto {
    pub id: i64,
    #[schema(value_type = EventKindName, inline)]
    pub kind: String,
    pub title: String,
    pub description: String,
    #[schema(value_type = Vec<AudienceName>, inline)]
    pub audience: Vec<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub capacity: i64,
    pub registration_deadline: DateTime<Utc>,
    pub open_to_others: bool,
    /// The person at VVSG who organises it.
    pub organiser: String,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_reason: Option<String>,
    pub registered: i64,
    pub waiting: i64,
    pub attended: i64,
    /// Organisations with someone registered (after the event: attending).
    pub organisations: i64,
    /// The caller's registration: registered or waiting; null when none.
    #[schema(value_type = Option<RegistrationStateName>, inline)]
    pub my_registration: Option<String>,
    /// The caller's place on the waiting list (1 is next).
    pub waiting_position: Option<i64>,
    pub registration_open: bool,
    pub can_register: bool,
}

impl From<EventView> for AwarenessEventDto {
    fn from(view: EventView) -> AwarenessEventDto {
        let counts = view.counts;
        let e = counts.event;
        AwarenessEventDto {
            id: e.id,
            kind: e.kind.as_str().to_owned(),
            title: e.title,
            description: e.description,
            audience: e.audience.iter().map(|a| a.as_str().to_owned()).collect(),
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            place: e.place,
            online_url: e.online_url,
            capacity: e.capacity,
            registration_deadline: e.registration_deadline,
            open_to_others: e.open_to_others,
            organiser: view.organiser,
            cancelled_at: e.cancelled_at,
            cancelled_reason: e.cancelled_reason,
            registered: counts.registered,
            waiting: counts.waiting,
            attended: counts.attended,
            organisations: counts.organisations,
            my_registration: view.mine.map(|r| r.state.as_str().to_owned()),
            waiting_position: view.waiting_position,
            registration_open: view.registration_open,
            can_register: view.can_register,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwarenessEventRequest {
    #[schema(value_type = EventKindName, inline)]
    pub kind: String,
    #[schema(pattern = "\\S", max_length = 200)]
    pub title: String,
    #[schema(pattern = "\\S", max_length = 10000)]
    pub description: String,
    #[schema(value_type = Vec<AudienceName>, inline, min_items = 1, max_items = 4)]
    pub audience: Vec<String>,
    pub starts_at: DateTime<Utc>,
    /// After the start.
    pub ends_at: DateTime<Utc>,
    /// Where, for a session on location; a place or an online link is needed.
    #[schema(max_length = 300)]
    pub place: Option<String>,
    #[schema(pattern = "^https://[!-~]+$", max_length = 500)]
    pub online_url: Option<String>,
    #[schema(minimum = 1, maximum = 10000)]
    pub capacity: i64,
    /// No later than the start.
    pub registration_deadline: DateTime<Utc>,
    /// Whether people of organisations other than local governments may register.
    #[serde(default)]
    pub open_to_others: bool,
}

fn input(req: AwarenessEventRequest, lang: Lang) -> Result<EventInput, Problem> {
    let invalid = |field: &'static str, nl: &str, en: &str| {
        Problem::localized(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", lang, nl, en).field(field)
    };
    let kind: EventKind = req
        .kind
        .parse()
        .map_err(|_| invalid("kind", "Kies webinar, session of exercise.", "Choose webinar, session or exercise."))?;
    let audience = req
        .audience
        .iter()
        .map(|a| a.parse::<Audience>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| invalid("audience", "Een onbekend doelpubliek.", "An unknown audience."))?;
    Ok(EventInput {
        kind,
        title: req.title,
        description: req.description,
        audience,
        starts_at: req.starts_at,
        ends_at: req.ends_at,
        place: req.place,
        online_url: req.online_url,
        capacity: req.capacity,
        registration_deadline: req.registration_deadline,
        open_to_others: req.open_to_others,
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AwarenessEventQuery {
    /// true: the past events, most recent first; otherwise the coming ones, soonest first.
    pub past: Option<bool>,
    /// From the `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 50 (50 by default).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<i64>,
}

/// The events, for everyone signed in: coming ones by default, past ones with `past=true`.
#[utoipa::path(get, path = "/api/v1/awareness-events", tag = "awareness", security(("bearer" = [])), params(AwarenessEventQuery),
    responses((status = 200, body = Page<AwarenessEventDto>), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Params(query): Params<AwarenessEventQuery>,
) -> ApiResult<Json<Page<AwarenessEventDto>>> {
    let (limit, after) = paging(query.limit, query.cursor.as_deref())?;
    if limit > cyberveilig_services::awareness::PAGE {
        return Err(
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "limit must lie between 1 and 50")
                .field("limit")
                .into(),
        );
    }
    let items = state
        .services
        .awareness_events(&actor, query.past.unwrap_or(false), after, limit)
        .await
        .or_problem(lang)?;
    let next_cursor = next_cursor(&items, limit, |v| v.event().id);
    Ok(Json(Page {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// VVSG organises an event.
#[utoipa::path(post, path = "/api/v1/awareness-events", tag = "awareness", security(("bearer" = [])),
    request_body = AwarenessEventRequest,
    responses((status = 201, body = AwarenessEventDto), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Body(req): Body<AwarenessEventRequest>,
) -> ApiResult<(StatusCode, Json<AwarenessEventDto>)> {
    let view = state
        .services
        .create_awareness_event(&actor, input(req, lang)?)
        .await
        .or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

#[utoipa::path(get, path = "/api/v1/awareness-events/{id}", tag = "awareness", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AwarenessEventDto), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Json<AwarenessEventDto>> {
    Ok(Json(state.services.awareness_event(&actor, id).await.or_problem(lang)?.into()))
}

/// VVSG changes an event before it starts; a larger capacity moves the waiting list up.
#[utoipa::path(put, path = "/api/v1/awareness-events/{id}", tag = "awareness", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AwarenessEventRequest,
    responses((status = 200, body = AwarenessEventDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
    Body(req): Body<AwarenessEventRequest>,
) -> ApiResult<Json<AwarenessEventDto>> {
    let view = state
        .services
        .change_awareness_event(&actor, id, input(req, lang)?)
        .await
        .or_problem(lang)?;
    Ok(Json(view.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelEventRequest {
    /// Told to everyone registered or waiting.
    #[schema(pattern = "\\S", max_length = 500)]
    pub reason: String,
}

/// VVSG cancels an event before it starts; everyone registered or waiting gets a mail.
#[utoipa::path(post, path = "/api/v1/awareness-events/{id}/cancel", tag = "awareness", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CancelEventRequest,
    responses((status = 200, body = AwarenessEventDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
    Body(req): Body<CancelEventRequest>,
) -> ApiResult<Json<AwarenessEventDto>> {
    Ok(Json(
        state
            .services
            .cancel_awareness_event(&actor, id, &req.reason)
            .await
            .or_problem(lang)?
            .into(),
    ))
}

/// Registers the caller: a place while places are left, otherwise the waiting list.
#[utoipa::path(post, path = "/api/v1/awareness-events/{id}/registration", tag = "awareness", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AwarenessEventDto), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn register(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Json<AwarenessEventDto>> {
    Ok(Json(state.services.register_for_event(&actor, id).await.or_problem(lang)?.into()))
}

/// Cancels the caller's registration; a freed place goes to the first on the waiting list.
#[utoipa::path(delete, path = "/api/v1/awareness-events/{id}/registration", tag = "awareness", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AwarenessEventDto), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn unregister(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<Json<AwarenessEventDto>> {
    Ok(Json(state.services.cancel_registration(&actor, id).await.or_problem(lang)?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct RegistrantDto {
    pub person_id: i64,
    pub name: String,
    pub email: String,
    pub organisation_id: i64,
    pub organisation: String,
    #[schema(value_type = RegistrationStateName, inline)]
    pub state: String,
    /// The order of arrival.
    pub position: i64,
    pub registered_at: DateTime<Utc>,
    pub attended: Option<bool>,
}

impl From<Registrant> for RegistrantDto {
    fn from(r: Registrant) -> RegistrantDto {
        RegistrantDto {
            person_id: r.registration.person_id,
            name: r.name,
            email: r.email,
            organisation_id: r.registration.organisation_id,
            organisation: r.organisation,
            state: r.registration.state.as_str().to_owned(),
            position: r.registration.position,
            registered_at: r.registration.registered_at,
            attended: r.registration.attended,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegistrantList {
    pub items: Vec<RegistrantDto>,
}

/// Who registered and who waits, in the order of arrival: for VVSG and the administrator.
#[utoipa::path(get, path = "/api/v1/awareness-events/{id}/registrations", tag = "awareness", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RegistrantList), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn registrations(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<Json<RegistrantList>> {
    let items = state.services.event_registrants(&actor, id).await.or_problem(lang)?;
    Ok(Json(RegistrantList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceEntry {
    pub person_id: i64,
    pub attended: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRequest {
    #[schema(min_items = 1, max_items = 10000)]
    pub attendance: Vec<AttendanceEntry>,
}

/// VVSG records who attended, from the start of the event, for people with a place.
#[utoipa::path(post, path = "/api/v1/awareness-events/{id}/attendance", tag = "awareness", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AttendanceRequest,
    responses((status = 200, body = AwarenessEventDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn attendance(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
    Body(req): Body<AttendanceRequest>,
) -> ApiResult<Json<AwarenessEventDto>> {
    let entries: Vec<(i64, bool)> = req.attendance.iter().map(|a| (a.person_id, a.attended)).collect();
    Ok(Json(
        state
            .services
            .record_attendance(&actor, id, &entries)
            .await
            .or_problem(lang)?
            .into(),
    ))
}

/// The event as an iCalendar file (RFC 5545).
#[utoipa::path(get, path = "/api/v1/awareness-events/{id}/calendar", tag = "awareness", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "The event as iCalendar", content_type = "text/calendar", body = String), (status = 404, body = Problem)))]
pub async fn calendar(State(state): State<AppState>, lang: Lang, Caller(actor): Caller, Id(id): Id) -> ApiResult<Response> {
    // Whoever may see the event may have its file.
    state.services.awareness_event(&actor, id).await.or_problem(lang)?;
    let text = state.services.event_ics(id).await.or_problem(lang)?;
    Ok(super::attachment(text, super::CALENDAR, &format!("evenement-{id}.ics")))
}

#[derive(Serialize, ToSchema)]
pub struct CalendarFeedDto {
    /// The feed's address for a calendar application: it works without signing in, so keep it
    /// to yourself; it is shown only now.
    pub url: String,
}

/// Makes (or renews, ending the old address) the caller's calendar feed of their events.
#[utoipa::path(post, path = "/api/v1/calendar-feed", tag = "awareness", security(("bearer" = [])),
    responses((status = 201, body = CalendarFeedDto)))]
pub async fn create_feed(
    State(state): State<AppState>,
    lang: Lang,
    Caller(actor): Caller,
) -> ApiResult<(StatusCode, Json<CalendarFeedDto>)> {
    let token = state.services.create_calendar_feed(&actor).await.or_problem(lang)?;
    let base = state.services.accounts.public_url.trim_end_matches('/').to_owned();
    Ok((
        StatusCode::CREATED,
        Json(CalendarFeedDto {
            url: format!("{base}/calendar/{token}.ics"),
        }),
    ))
}

/// Ends the caller's calendar feed: its address no longer answers.
#[utoipa::path(delete, path = "/api/v1/calendar-feed", tag = "awareness", security(("bearer" = [])),
    responses((status = 204, description = "The feed is ended"), (status = 404, body = Problem)))]
pub async fn revoke_feed(State(state): State<AppState>, lang: Lang, Caller(actor): Caller) -> ApiResult<StatusCode> {
    if state.services.revoke_calendar_feed(&actor).await.or_problem(lang)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::from_service(&cyberveilig_services::ServiceError::NotFound("calendar feed"), lang).into())
    }
}

/// A person's feed, polled by calendar applications without a session: the secret address is
/// the key. Not part of `/api/v1`.
pub async fn feed(State(state): State<AppState>, lang: Lang, Path(file): Path<String>) -> ApiResult<Response> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let text = state.services.calendar_feed(token).await.or_problem(lang)?;
    Ok(super::attachment(text, super::CALENDAR, "cyberveilig.ics"))
}

#[derive(Serialize, ToSchema)]
pub struct ProvinceReachDto {
    pub province: String,
    pub name: String,
    pub municipalities: i64,
    pub reached: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MonthReachDto {
    /// YYYY-MM
    pub month: String,
    /// Municipalities reached by the end of the month, in total.
    pub reached: i64,
}

#[derive(Serialize, ToSchema)]
pub struct EventReachDto {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub registered: i64,
    pub attended: i64,
    pub organisations: i64,
}

/// How far the events reach: municipalities with someone at one event or more.
#[derive(Serialize, ToSchema)]
pub struct ReachDto {
    pub municipalities: i64,
    pub reached: i64,
    pub provinces: Vec<ProvinceReachDto>,
    pub months: Vec<MonthReachDto>,
    pub events: Vec<EventReachDto>,
}

impl ReachDto {
    fn of(reach: Reach, lang: Lang) -> ReachDto {
        ReachDto {
            municipalities: reach.municipalities,
            reached: reach.reached,
            provinces: reach
                .provinces
                .into_iter()
                .map(|p| ProvinceReachDto {
                    province: p.province.as_str().to_owned(),
                    name: if lang.is_dutch() {
                        p.province.name_nl()
                    } else {
                        p.province.name_en()
                    }
                    .to_owned(),
                    municipalities: p.municipalities,
                    reached: p.reached,
                })
                .collect(),
            months: reach
                .months
                .into_iter()
                .map(|(month, reached)| MonthReachDto { month, reached })
                .collect(),
            events: reach
                .events
                .into_iter()
                .map(|c| EventReachDto {
                    id: c.event.id,
                    title: c.event.title,
                    starts_at: c.event.starts_at,
                    registered: c.registered,
                    attended: c.attended,
                    organisations: c.organisations,
                })
                .collect(),
        }
    }
}

/// The reach of the events: per province, over time, per event; for VVSG and the administrator.
#[utoipa::path(get, path = "/api/v1/awareness-reach", tag = "awareness", security(("bearer" = [])),
    responses((status = 200, body = ReachDto), (status = 403, body = Problem)))]
pub async fn reach(State(state): State<AppState>, lang: Lang, Caller(actor): Caller) -> ApiResult<Json<ReachDto>> {
    Ok(Json(ReachDto::of(
        state.services.awareness_reach(&actor).await.or_problem(lang)?,
        lang,
    )))
}
