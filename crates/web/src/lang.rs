//! The language of messages and pages, from the request: Dutch unless the caller prefers English.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

/// The language of messages: Dutch unless the caller prefers English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    pub fn is_dutch(self) -> bool {
        self == Lang::Nl
    }

    pub fn from_parts(parts: &Parts) -> Lang {
        let header = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // The first language listed wins; q-values beyond that are not worth parsing for two languages.
        match header.trim_start().get(..2).map(|s| s.to_ascii_lowercase()) {
            Some(code) if code == "en" => Lang::En,
            _ => Lang::Nl,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_parts(parts))
    }
}
