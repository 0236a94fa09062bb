//! Every error leaves the server as RFC 9457 `application/problem+json`, mapped here once, with a
//! stable `code` and a message in the caller's language.

use crate::lang::Lang;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cyberveilig_services::{Limited, ServiceError};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:cyberveilig:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person, in the language asked for (Accept-Language).
    pub detail: String,
    /// Stable machine-readable code, the last part of `type`.
    pub code: String,
    /// The programme rule (docs/RULES.md) behind a refusal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The request field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds to wait before asking again: sent as `Retry-After` with a 429.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("urn:cyberveilig:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            rule: None,
            field: None,
            retry_after: None,
        }
    }

    pub fn field(mut self, field: &str) -> Problem {
        self.field = Some(field.to_owned());
        self
    }

    pub fn localized(status: StatusCode, code: &str, lang: Lang, nl: &str, en: &str) -> Problem {
        Problem::new(status, code, if lang.is_dutch() { nl } else { en })
    }

    pub fn from_service(err: &ServiceError, lang: Lang) -> Problem {
        let dutch = lang.is_dutch();
        let pick = |nl: &str, en: &str| if dutch { nl.to_owned() } else { en.to_owned() };
        match err {
            ServiceError::Refused(refusal) => {
                let mut p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, refusal.code(), refusal.message(dutch));
                p.rule = refusal.rule().map(str::to_owned);
                p
            }
            ServiceError::Invalid {
                field,
                message_en,
                message_nl,
            } => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                sentence(if dutch { message_nl } else { message_en }),
            )
            .field(field),
            ServiceError::Unknown {
                field,
                message_en,
                message_nl,
            } => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_reference",
                sentence(if dutch { message_nl } else { message_en }),
            )
            .field(field),
            ServiceError::NotFound(what) => Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                pick(&format!("Niet gevonden: {}.", dutch_name(what)), &format!("No such {what}.")),
            ),
            ServiceError::Forbidden => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                pick("U mag dit niet doen.", "You are not allowed to do this."),
            ),
            ServiceError::Unauthenticated => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                pick(
                    "Meld u aan: het token ontbreekt, is verlopen of ingetrokken.",
                    "Sign in: the token is missing, expired or revoked.",
                ),
            ),
            ServiceError::BadCredentials => Problem::new(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                pick("Verkeerd e-mailadres of wachtwoord.", "Wrong email address or password."),
            ),
            ServiceError::RateLimited { what, retry_after } => {
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    limited_text(*what, *retry_after, dutch),
                );
                p.retry_after = Some(*retry_after);
                p
            }
            ServiceError::IdempotencyKeyTaken => Problem::new(
                StatusCode::CONFLICT,
                "idempotency_key_taken",
                pick(
                    "Een andere aanvraag met deze Idempotency-Key deed het werk al.",
                    "Another request with this Idempotency-Key did the work already.",
                ),
            ),
            ServiceError::SecondFactorRequired => Problem::new(
                StatusCode::UNAUTHORIZED,
                "second_factor_required",
                pick(
                    "Geef ook de code van uw authenticator-app (veld `totp`).",
                    "Give the code of your authenticator app too (field `totp`).",
                ),
            ),
            ServiceError::SecondFactorEnrolment => Problem::new(
                StatusCode::FORBIDDEN,
                "second_factor_enrolment",
                pick(
                    "Uw rol vraagt een tweede factor: stel eerst in het portaal een authenticator-app in.",
                    "Your role needs a second factor: set up an authenticator app in the portal first.",
                ),
            ),
            ServiceError::LinkInvalid => Problem::new(
                StatusCode::GONE,
                "link_invalid",
                pick(
                    "Deze link is niet (meer) geldig: hij werd al gebruikt of is verlopen.",
                    "This link is not valid (any more): it was used already or has expired.",
                ),
            ),
            ServiceError::Conflict {
                code,
                message_en,
                message_nl,
            } => Problem::new(StatusCode::CONFLICT, code, sentence(if dutch { message_nl } else { message_en })),
            ServiceError::Internal { code, detail } => internal(dutch, code, detail),
            ServiceError::ClockNotSettable => Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                pick("De testklok is niet ingeschakeld.", "The test clock is not enabled."),
            ),
            ServiceError::Store(e) if e.is_too_long() => {
                let mut p = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "read_too_long",
                    pick(
                        "De databank deed er te lang over en de opvraging werd gestopt. Vraag minder op (een filter) of probeer later opnieuw.",
                        "The database took too long and the read was stopped. Ask for less (a filter) or try again later.",
                    ),
                );
                p.retry_after = Some(30);
                p
            }
            ServiceError::Store(e) => internal(dutch, "store", &e.to_string()),
        }
    }
}

/// A failure on our side: logged with an id the answer names, so the operator finds it; what
/// failed stays in the log.
fn internal(dutch: bool, code: &str, detail: &str) -> Problem {
    let id = error_id();
    tracing::error!(error_id = %id, code, detail, "internal error");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        if dutch {
            format!("Er ging iets mis aan onze kant; er werd niets gewijzigd. Vermeld foutnummer {id} als u ons contacteert.")
        } else {
            format!("Something went wrong on our side; nothing was changed. Mention error id {id} if you contact us.")
        },
    )
}

/// Eight hex digits: enough to find one line in a day's log.
fn error_id() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{:08x}", nanos.rotate_left(13) ^ n.wrapping_mul(0x9e37_79b9))
}

/// What a limit says, with how long to wait.
fn limited_text(what: Limited, retry_after: u64, dutch: bool) -> String {
    let wait = if retry_after < 120 {
        if dutch {
            format!("{retry_after} seconden")
        } else {
            format!("{retry_after} seconds")
        }
    } else if dutch {
        format!("{} minuten", retry_after.div_ceil(60))
    } else {
        format!("{} minutes", retry_after.div_ceil(60))
    };
    match (what, dutch) {
        (Limited::Reports, true) => {
            format!("U stuurde te veel meldingen kort na elkaar (5 na elkaar, dan één per 2 minuten). Probeer opnieuw over {wait}.")
        }
        (Limited::Reports, false) => {
            format!("You sent too many reports in a short time (5 at once, then one every 2 minutes). Try again in {wait}.")
        }
        (Limited::Registrations, true) => format!("Te veel registraties kort na elkaar. Probeer opnieuw over {wait}."),
        (Limited::Registrations, false) => format!("Too many registrations in a short time. Try again in {wait}."),
        (Limited::PasswordResets, true) => {
            format!("Te veel aanvragen voor een nieuw wachtwoord kort na elkaar. Probeer opnieuw over {wait}.")
        }
        (Limited::PasswordResets, false) => format!("Too many requests for a new password in a short time. Try again in {wait}."),
        (Limited::Invitations, true) => format!("Te veel uitnodigingen kort na elkaar. Probeer opnieuw over {wait}."),
        (Limited::Invitations, false) => format!("Too many invitations in a short time. Try again in {wait}."),
        (Limited::SignIns, true) => format!("Te veel mislukte aanmeldingen kort na elkaar. Probeer opnieuw over {wait}."),
        (Limited::SignIns, false) => format!("Too many failed sign-ins in a short time. Try again in {wait}."),
        (Limited::HeavyReads, true) => format!(
            "U heeft al twee exports of overzichten van een heel register lopen. Wacht tot er één klaar is en probeer opnieuw over {wait}."
        ),
        (Limited::HeavyReads, false) => format!(
            "You already have two exports or overviews of a whole register running. Wait for one to finish and try again in {wait}."
        ),
    }
}

/// A message as a sentence: a capital first letter and a full stop (or another end mark).
/// Messages written as fragments ("give a date") read as sentences on a page and in the API.
pub fn sentence(message: &str) -> String {
    let message = message.trim();
    let mut chars = message.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    // A message that starts with a name as typed (a host, an address, a file) keeps it as it is.
    let first_word = message.split_whitespace().next().unwrap_or_default();
    let as_typed = first_word.contains(['.', '@', '/', ':', '_']) || first_word.chars().any(|c| c.is_ascii_digit());
    let mut out: String = if as_typed {
        message.to_owned()
    } else {
        first.to_uppercase().chain(chars).collect()
    };
    if !out.ends_with(['.', '!', '?', ':']) {
        out.push('.');
    }
    out
}

fn dutch_name(what: &str) -> &str {
    match what {
        "order" => "bestelling",
        "programme" => "programma",
        "organisation" => "organisatie",
        "framework agreement" => "raamovereenkomst",
        "policy" => "beleid voor het melden van kwetsbaarheden",
        "model policy" => "modelbeleid",
        other => other,
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A handler's error: a service error rendered in the caller's language.
pub struct ApiError(pub Problem);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError(p)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

pub trait OrProblem<T> {
    fn or_problem(self, lang: Lang) -> ApiResult<T>;
}

impl<T> OrProblem<T> for Result<T, ServiceError> {
    fn or_problem(self, lang: Lang) -> ApiResult<T> {
        self.map_err(|e| ApiError(Problem::from_service(&e, lang)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_message_reads_as_a_sentence() {
        assert_eq!(sentence("geef een datum"), "Geef een datum.");
        assert_eq!(sentence("Give a date."), "Give a date.");
        assert_eq!(sentence("'x' is not a number"), "'x' is not a number.");
        assert_eq!(sentence("ë komt eerst"), "Ë komt eerst.");
        assert_eq!(sentence("evil-gent.be is not in scope"), "evil-gent.be is not in scope.");
        let invalid = ServiceError::invalid("held_on", "give a date", "geef een datum");
        assert_eq!(Problem::from_service(&invalid, Lang::Nl).detail, "Geef een datum.");
        assert_eq!(Problem::from_service(&invalid, Lang::En).detail, "Give a date.");
        let conflict = ServiceError::conflict("too_late", "Too late.", "Te laat.");
        assert_eq!(Problem::from_service(&conflict, Lang::Nl).detail, "Te laat.");
    }

    #[test]
    fn each_conflict_keeps_its_own_code_and_an_internal_failure_is_a_500_that_tells_nothing_but_an_id() {
        let conflict = ServiceError::conflict("account_exists", "x has an account already", "x heeft al een account");
        let p = Problem::from_service(&conflict, Lang::En);
        assert_eq!(
            (p.status, p.code.as_str(), p.kind.as_str()),
            (409, "account_exists", "urn:cyberveilig:problem:account_exists")
        );
        let internal = ServiceError::internal("corrupt_data", "stored status 'lost'");
        let p = Problem::from_service(&internal, Lang::Nl);
        assert_eq!((p.status, p.code.as_str()), (500, "internal"));
        assert!(!p.detail.contains("lost"), "{}", p.detail);
        let id = p.detail.split("foutnummer ").nth(1).unwrap().split(' ').next().unwrap();
        assert_eq!(id.len(), 8, "{}", p.detail);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{}", p.detail);
    }
}
