//! `Idempotency-Key` on every mutating API call: the first request with a key runs and its answer
//! is kept with its work, in the same transaction ([`cyberveilig_services::idempotency`]); a
//! repeat with the same method, path, query string and body gets that answer again without
//! running; a repeat with a different request is refused. A key is 1 to 255 visible ASCII
//! characters; anything else is a 400. The body is hashed as the handler reads it, so a large
//! import with a key is spooled as usual.

use crate::AppState;
use crate::extract::bearer_token;
use crate::lang::Lang;
use crate::problem::Problem;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cyberveilig_services::idempotency::{Finished, Scope, request_hash};
use cyberveilig_services::store::records::IdempotentAnswer;
use http_body_util::BodyExt;
use std::sync::{Arc, LazyLock};

pub const HEADER: &str = "idempotency-key";
/// Request bodies of the API other than uploads are small; anything larger is refused.
pub const MAX_BODY: usize = 1 << 20;
/// The largest body hashed to compare a repeat with the first request (an upload's limit, and
/// some room for its form).
const MAX_REPEATED_BODY: usize = (cyberveilig_services::import::MAX_UPLOAD_BYTES as usize) + (1 << 20);

fn invalid_key(lang: Lang) -> Response {
    Problem::localized(
        StatusCode::BAD_REQUEST,
        "invalid_idempotency_key",
        lang,
        "Een Idempotency-Key heeft 1 tot 255 zichtbare ASCII-tekens.",
        "An Idempotency-Key has 1 to 255 visible ASCII characters.",
    )
    .into_response()
}

const API_PREFIX: &str = "/api/v1";

/// The API's operations as the OpenAPI document lists them: method and path below `/api/v1`, a
/// `{...}` segment standing for any one segment.
static OPERATIONS: LazyLock<Vec<(String, Vec<String>)>> = LazyLock::new(|| {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(crate::openapi::ApiDoc::openapi()).unwrap_or_default();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let below = path.strip_prefix(API_PREFIX).unwrap_or(path);
        let segments: Vec<String> = below.split('/').map(str::to_owned).collect();
        for method in item.as_object().into_iter().flatten().map(|(m, _)| m.to_ascii_uppercase()) {
            operations.push((method, segments.clone()));
        }
    }
    operations
});

/// Whether the API has this operation: an unknown path or method is left to the router (404,
/// 405), whatever its key. Inside the nested API a path comes without its `/api/v1`.
fn is_operation(method: &Method, path: &str) -> bool {
    let path = path.strip_prefix(API_PREFIX).unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    OPERATIONS.iter().any(|(m, template)| {
        m == method.as_str()
            && template.len() == segments.len()
            && template
                .iter()
                .zip(&segments)
                .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s)
    })
}

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_mutation = matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
        && is_operation(request.method(), request.uri().path());
    let Some(value) = request.headers().get(HEADER).filter(|_| is_mutation).cloned() else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let lang = Lang::from_parts(&parts);
    // Only a signed-in caller has a key space; without one the handler answers 401 as usual,
    // whatever the key.
    let actor = match bearer_token(&parts) {
        Some(token) => match state.services.authenticate(token).await {
            Ok(actor) => actor,
            Err(e) => return Problem::from_service(&e, lang).into_response(),
        },
        None => return next.run(Request::from_parts(parts, body)).await,
    };
    // Visible ASCII only: a key the header cannot carry as text is refused, never ignored.
    let key = match value.to_str() {
        Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic() || b == b' ') => k.to_owned(),
        _ => return invalid_key(lang),
    };
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    match state.services.idempotent_answer(actor.person_id, &key).await {
        Err(e) => return Problem::from_service(&e, lang).into_response(),
        Ok(Some(earlier)) => {
            // A repeat: the same request gets the same answer.
            let Ok(bytes) = to_bytes(body, MAX_REPEATED_BODY).await else {
                return crate::extract::too_large(lang).into_response();
            };
            let hash = request_hash(&method, &path, query.as_deref(), &bytes);
            return repeat(earlier, &hash, lang);
        }
        Ok(None) => {}
    }
    let scope = Scope::new(actor.person_id, &key, &method, &path, query.as_deref());
    let hashing = {
        let scope = scope.clone();
        body.map_frame(move |frame| {
            if let Some(data) = frame.data_ref() {
                scope.body_read(data);
            }
            frame
        })
    };
    let request = Request::from_parts(parts, Body::new(hashing));
    let response = scope.run(next.run(request)).await;
    let (response_parts, response_body) = response.into_parts();
    let bytes = to_bytes(response_body, usize::MAX).await.unwrap_or_default();
    let status = response_parts.status.as_u16();
    let kept = state
        .services
        .finish_idempotent(Arc::clone(&scope), status, String::from_utf8_lossy(&bytes).into_owned())
        .await;
    match kept {
        Ok(Finished::Kept) => Response::from_parts(response_parts, Body::from(bytes)),
        Ok(Finished::Taken) => match state.services.idempotent_answer(actor.person_id, &key).await {
            Ok(Some(earlier)) => repeat(earlier, &scope.request_hash(), lang),
            Ok(None) => answer_lost(lang),
            Err(e) => Problem::from_service(&e, lang).into_response(),
        },
        Err(e) => {
            tracing::error!(error = %e, "the answer of a request with an Idempotency-Key could not be kept");
            Problem::from_service(&e, lang).into_response()
        }
    }
}

/// The answer to a repeat of a request whose hash is `hash`.
fn repeat(earlier: IdempotentAnswer, hash: &str, lang: Lang) -> Response {
    if earlier.request_hash != hash {
        return Problem::localized(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            lang,
            "Deze Idempotency-Key werd al gebruikt voor een andere aanvraag.",
            "This Idempotency-Key was already used for a different request.",
        )
        .into_response();
    }
    let Some((status, body)) = earlier.answer else {
        return answer_lost(lang);
    };
    let mut response = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
    let content_type = if status >= 400 {
        "application/problem+json"
    } else {
        "application/json"
    };
    response
        .headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// A request that wrote in several transactions was carried out, but its answer was lost.
fn answer_lost(lang: Lang) -> Response {
    Problem::localized(
        StatusCode::CONFLICT,
        "idempotency_answer_lost",
        lang,
        "Een aanvraag met deze Idempotency-Key werd uitgevoerd, maar haar antwoord ging verloren; kijk het resultaat na voor u iets opnieuw vraagt.",
        "A request with this Idempotency-Key was carried out, but its answer was lost; look at the result before asking again.",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documented_operations_are_idempotent() {
        assert!(is_operation(&Method::POST, "/api/v1/orders"));
        assert!(is_operation(&Method::POST, "/api/v1/orders/12/accept"));
        assert!(is_operation(&Method::POST, "/orders/12/accept"));
        assert!(!is_operation(&Method::PUT, "/api/v1/orders"));
        assert!(!is_operation(&Method::POST, "/api/v1/orders//accept"));
        assert!(!is_operation(&Method::POST, "/api/v1/nothing"));
    }
}
