//! `Idempotency-Key` on every mutating API call: the first request with a key runs and its answer
//! is kept; a repeat with the same body gets the same answer without running again; a repeat with
//! a different body is refused.

use crate::AppState;
use crate::extract::{Lang, bearer_token};
use crate::problem::Problem;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cyberveilig_services::store::records::IdempotencyClaim;
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";
/// Request and response bodies of the API are small; anything larger is refused before reading.
pub const MAX_BODY: usize = 1 << 20;

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_mutation = matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    let key = request.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (Some(key), true) = (key, is_mutation) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let lang = Lang::from_parts(&parts);
    if key.is_empty() || key.len() > 255 {
        return Problem::localized(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_idempotency_key",
            lang,
            "Een Idempotency-Key heeft 1 tot 255 tekens.",
            "An Idempotency-Key has 1 to 255 characters.",
        )
        .into_response();
    }
    // Only a signed-in caller has a key space; without one the handler answers 401 as usual.
    let actor = match bearer_token(&parts) {
        Some(token) => match state.services.authenticate(token).await {
            Ok(actor) => actor,
            Err(e) => return Problem::from_service(&e, lang).into_response(),
        },
        None => return next.run(Request::from_parts(parts, body)).await,
    };
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return crate::extract::too_large(lang).into_response();
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update([0]);
    hasher.update(parts.uri.path());
    hasher.update([0]);
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());
    let now = state.services.clock.now();
    let claim = async {
        let mut tx = state.services.store.write().await?;
        let claim = tx.claim_idempotency_key(actor.person_id, &key, &request_hash, now).await?;
        tx.commit().await?;
        Ok::<_, cyberveilig_services::store::StoreError>(claim)
    };
    match claim.await {
        Err(e) => Problem::from_service(&e.into(), lang).into_response(),
        Ok(IdempotencyClaim::Mismatch) => Problem::localized(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            lang,
            "Deze Idempotency-Key werd al gebruikt voor een andere aanvraag.",
            "This Idempotency-Key was already used for a different request.",
        )
        .into_response(),
        Ok(IdempotencyClaim::InProgress) => Problem::localized(
            StatusCode::CONFLICT,
            "idempotency_key_in_progress",
            lang,
            "Een aanvraag met deze Idempotency-Key loopt nog; probeer zo dadelijk opnieuw.",
            "A request with this Idempotency-Key is still running; try again shortly.",
        )
        .into_response(),
        Ok(IdempotencyClaim::Replay { status, body }) => {
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
        Ok(IdempotencyClaim::Claimed) => {
            let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            let (parts, body) = response.into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            let status = parts.status.as_u16();
            let outcome = async {
                let mut tx = state.services.store.write().await?;
                if parts.status.is_server_error() {
                    // A failure on our side changed nothing: the key may be used again.
                    tx.release_idempotency_key(actor.person_id, &key).await?;
                } else {
                    tx.record_idempotent_response(actor.person_id, &key, status, &String::from_utf8_lossy(&bytes))
                        .await?;
                }
                tx.commit().await
            };
            if let Err(e) = outcome.await {
                tracing::error!(error = %e, "could not record an idempotent response");
            }
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}
