//! The services' one error type; the web layer maps it to HTTP once.

use cyberveilig_domain::Refusal;
use cyberveilig_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A rule of the programme refuses the request.
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The request is not well formed: a field is missing, malformed or out of range.
    #[error("{field}: {message_en}")]
    Invalid {
        field: &'static str,
        message_en: String,
        message_nl: String,
    },
    /// The request is well formed but names something that does not exist: a government by its
    /// NIS code, a control of a catalogue.
    #[error("{field}: {message_en}")]
    Unknown {
        field: &'static str,
        message_en: String,
        message_nl: String,
    },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("not allowed")]
    Forbidden,
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong email address or password")]
    BadCredentials,
    /// The password was right; the code of the second factor is needed too.
    #[error("the code of your second factor is needed")]
    SecondFactorRequired,
    /// The role needs a second factor, which is not set up yet.
    #[error("set up a second factor (an authenticator app) first")]
    SecondFactorEnrolment,
    /// An invitation or password-reset link that is unknown, used or expired.
    #[error("this link is not valid (any more)")]
    LinkInvalid,
    /// One too many for a limit (issue 10, items 6 and 7): try again after `retry_after` seconds.
    #[error("too many {what:?} in a short time; try again in {retry_after} s")]
    RateLimited { what: Limited, retry_after: u64 },
    /// Another request with the same Idempotency-Key did its work first: its answer stands.
    #[error("another request with this Idempotency-Key did its work first")]
    IdempotencyKeyTaken,
    /// The request conflicts with the state of things: a stable `code` per kind of conflict,
    /// said in both languages.
    #[error("{code}: {message_en}")]
    Conflict {
        code: &'static str,
        message_en: String,
        message_nl: String,
    },
    /// Our side failed (stored data that cannot be read, an interrupted writer, a file that
    /// could not be written): a 500 whose `detail` goes to the log, never to the caller.
    #[error("{code}: {detail}")]
    Internal { code: &'static str, detail: String },
    #[error("the test clock is not enabled")]
    ClockNotSettable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a limit limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    Reports,
    Registrations,
    PasswordResets,
    Invitations,
    SignIns,
    /// Exports and overviews of a whole register running at once for one person.
    HeavyReads,
}

impl ServiceError {
    pub fn invalid(field: &'static str, en: impl Into<String>, nl: impl Into<String>) -> ServiceError {
        ServiceError::Invalid {
            field,
            message_en: en.into(),
            message_nl: nl.into(),
        }
    }
}

impl ServiceError {
    pub fn unknown(field: &'static str, en: impl Into<String>, nl: impl Into<String>) -> ServiceError {
        ServiceError::Unknown {
            field,
            message_en: en.into(),
            message_nl: nl.into(),
        }
    }

    pub fn conflict(code: &'static str, en: impl Into<String>, nl: impl Into<String>) -> ServiceError {
        ServiceError::Conflict {
            code,
            message_en: en.into(),
            message_nl: nl.into(),
        }
    }

    pub fn internal(code: &'static str, detail: impl Into<String>) -> ServiceError {
        ServiceError::Internal {
            code,
            detail: detail.into(),
        }
    }

    /// The code a conflict or internal failure carries, for tests and logs.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            ServiceError::Conflict { code, .. } | ServiceError::Internal { code, .. } => Some(code),
            _ => None,
        }
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
