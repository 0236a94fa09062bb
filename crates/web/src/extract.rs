//! Request parsing at the edge: the caller's language, their identity, and JSON bodies whose
//! every failure is a problem+json answer.

use crate::AppState;
use crate::lang::Lang;
use crate::problem::Problem;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use cyberveilig_services::Actor;
use serde::de::DeserializeOwned;

/// Who a client is for the limits (issue 10, items 6 and 7): the connection's address. Behind a
/// reverse proxy that is the proxy's: no `X-Forwarded-For` is trusted.
pub fn client_address(parts: &Parts) -> String {
    match parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>() {
        Some(info) => format!("ip:{}", info.0.ip()),
        None => "ip:unknown".into(),
    }
}

/// The client of a request: the signed-in person, or the connection's address.
pub fn client_of(parts: &Parts, person_id: Option<i64>) -> String {
    match person_id {
        Some(id) => format!("person:{id}"),
        None => client_address(parts),
    }
}

/// The connection's address, as a client of the limits.
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(parts)))
    }
}

pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// The signed-in caller, from `Authorization: Bearer <token>`.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_parts(parts);
        let token = bearer_token(parts).ok_or_else(|| {
            Problem::localized(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                lang,
                "Meld u aan: stuur 'Authorization: Bearer <token>' mee (zie POST /api/v1/auth/token).",
                "Sign in: send 'Authorization: Bearer <token>' (see POST /api/v1/auth/token).",
            )
        })?;
        state
            .services
            .authenticate(token)
            .await
            .map(Caller)
            .map_err(|e| Problem::from_service(&e, lang))
    }
}

/// The roles that may ever take an action ([`cyberveilig_services::authz::gates`]).
pub trait Gate {
    const ROLES: &'static [cyberveilig_domain::registry::Role];
}

macro_rules! gates {
    ($($(#[$doc:meta])* $name:ident = $roles:ident;)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl Gate for $name {
            const ROLES: &'static [cyberveilig_domain::registry::Role] = cyberveilig_services::authz::gates::$roles;
        }
    )*};
}

gates! {
    Administrators = ADMINISTRATORS;
    GovernmentsAndAdministrators = GOVERNMENTS_AND_ADMINISTRATORS;
    Firms = FIRMS;
    FirmsAndAdministrators = FIRMS_AND_ADMINISTRATORS;
    Remediation = REMEDIATION;
    Governments = GOVERNMENTS;
    Association = ASSOCIATION;
    Coordinators = COORDINATORS;
    EngagementParties = ENGAGEMENT_PARTIES;
    Researchers = RESEARCHERS;
}

/// The signed-in caller, if their role may ever take the action `G` guards: anyone else gets a
/// 403 before the request's body is read, let alone checked (issue 10, item 13).
pub struct As<G>(pub Actor, pub std::marker::PhantomData<G>);

impl<G: Gate> FromRequestParts<AppState> for As<G> {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Caller(actor) = Caller::from_request_parts(parts, state).await?;
        if G::ROLES.contains(&actor.role) {
            Ok(As(actor, std::marker::PhantomData))
        } else {
            Err(Problem::from_service(
                &cyberveilig_services::ServiceError::Forbidden,
                Lang::from_parts(parts),
            ))
        }
    }
}

/// A JSON body; a wrong content type, a body over the limit, a NUL character, malformed JSON or
/// a missing field is a clear 4xx.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Problem;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let lang = Lang::from_parts(&parts);
        if !is_json(&parts.headers) {
            return Err(unsupported_media_type(lang));
        }
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| body_problem(e.status(), e.body_text(), lang))?;
        if crate::input::json_has_nul(&bytes) {
            return Err(crate::input::nul_problem(lang));
        }
        crate::input::from_json(&bytes).map(Body).map_err(|e| json_problem(&e, lang))
    }
}

/// `application/json`, or a `+json` type such as `application/merge-patch+json`.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn unsupported_media_type(lang: Lang) -> Problem {
    Problem::localized(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        lang,
        "Stuur de gegevens als JSON met 'Content-Type: application/json'.",
        "Send the data as JSON with 'Content-Type: application/json'.",
    )
}

/// A body that could not be read: 413 when it is over the limit.
pub fn body_problem(status: StatusCode, detail: String, lang: Lang) -> Problem {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(lang)
    } else {
        Problem::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }
}

pub fn too_large(lang: Lang) -> Problem {
    Problem::localized(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        lang,
        "De aanvraag is te groot.",
        "The request is too large.",
    )
}

/// Unreadable JSON is a 400; JSON that does not fit the request (a field missing or of the
/// wrong type) a 422.
pub fn json_problem(e: &serde_json::Error, lang: Lang) -> Problem {
    if e.is_data() {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            if lang.is_dutch() {
                format!("De gegevens kloppen niet: {e}")
            } else {
                format!("The data is not valid: {e}")
            },
        )
    } else {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            if lang.is_dutch() {
                format!("De JSON is onleesbaar: {e}")
            } else {
                format!("The JSON is malformed: {e}")
            },
        )
    }
}

/// The numeric id in a path such as `/orders/{id}`; anything else is a clear 404.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_parts(parts);
        match axum::extract::Path::<i64>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(Id(id)),
            Err(_) => Err(Problem::localized(
                StatusCode::NOT_FOUND,
                "not_found",
                lang,
                "Niet gevonden: een id is een geheel getal.",
                "Not found: an id is a whole number.",
            )),
        }
    }
}

/// Two numeric ids in a path such as `/project-grants/{id}/claims/{claim_id}`; anything else is
/// a clear 404.
pub struct Ids(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_parts(parts);
        match axum::extract::Path::<(i64, i64)>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path((a, b))) => Ok(Ids(a, b)),
            Err(_) => Err(Problem::localized(
                StatusCode::NOT_FOUND,
                "not_found",
                lang,
                "Niet gevonden: een id is een geheel getal.",
                "Not found: an id is a whole number.",
            )),
        }
    }
}

/// Query parameters; a malformed one is a clear 422 naming the problem.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_parts(parts);
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Params(value)),
            Err(e) => Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_query",
                if lang.is_dutch() {
                    format!("De zoekparameters kloppen niet: {}", e.body_text())
                } else {
                    format!("The query parameters are not valid: {}", e.body_text())
                },
            )),
        }
    }
}
