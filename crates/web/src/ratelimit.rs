//! A small in-memory rate limiter for the public report form and `POST /api/v1/reports`: at
//! most [`REPORTS_PER_WINDOW`] reports per client in [`WINDOW`], a client being the signed-in
//! person or else the connection's IP address. Per process: behind several nodes each node counts
//! on its own, which still bounds a flood.

use crate::extract::Lang;
use crate::problem::Problem;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const REPORTS_PER_WINDOW: usize = 5;
pub const WINDOW: Duration = Duration::from_secs(600);
/// Clients remembered at most; beyond this the oldest entries are forgotten first.
const MAX_CLIENTS: usize = 100_000;

pub struct RateLimiter {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Default for RateLimiter {
    fn default() -> RateLimiter {
        RateLimiter::new(REPORTS_PER_WINDOW, WINDOW)
    }
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> RateLimiter {
        RateLimiter {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt of `client`; when it is one too many, the seconds until the next is
    /// allowed.
    pub fn check(&self, client: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if hits.len() > MAX_CLIENTS {
            hits.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < self.window));
        }
        let times = hits.entry(client.to_owned()).or_default();
        while times.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            times.pop_front();
        }
        if times.len() >= self.max {
            let oldest = times.front().copied().unwrap_or(now);
            let wait = self.window.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        times.push_back(now);
        Ok(())
    }
}

/// Who a client is for the limiter: the signed-in person, or the connection's address.
pub fn client_key(parts: &Parts, person_id: Option<i64>) -> String {
    if let Some(id) = person_id {
        return format!("person:{id}");
    }
    match parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>() {
        Some(info) => format!("ip:{}", info.0.ip()),
        None => "ip:unknown".into(),
    }
}

/// The 429 answer, with `Retry-After`.
pub fn too_many(lang: Lang, retry_after: u64) -> Problem {
    let minutes = retry_after.div_ceil(60);
    Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        if lang.is_dutch() {
            format!(
                "U stuurde te veel meldingen kort na elkaar (hoogstens {REPORTS_PER_WINDOW} per 10 minuten). Probeer opnieuw over {minutes} minuten."
            )
        } else {
            format!(
                "You sent too many reports in a short time (at most {REPORTS_PER_WINDOW} per 10 minutes). Try again in {minutes} minutes."
            )
        },
    )
}

/// Adds `Retry-After` to a response.
pub fn with_retry_after(mut response: Response, retry_after: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

pub fn problem_response(lang: Lang, retry_after: u64) -> Response {
    with_retry_after(too_many(lang, retry_after).into_response(), retry_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_then_a_wait() {
        let limiter = RateLimiter::new(5, Duration::from_secs(600));
        for _ in 0..5 {
            assert!(limiter.check("ip:192.0.2.1").is_ok());
        }
        let wait = limiter.check("ip:192.0.2.1").unwrap_err();
        assert!((1..=600).contains(&wait));
        assert!(limiter.check("ip:192.0.2.2").is_ok(), "another client has its own count");
    }
}
