//! Whether plain HTTP sends a visitor to HTTPS on the same name.

use crate::http::resolve_location;
use crate::model::{Judgement, Verdict};
use crate::reason::{Reason, ReasonCode};

/// What the plain HTTP request on port 80 led to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpOutcome {
    /// Port 80 did not answer at all.
    Closed,
    /// The response that ended the chain (not a redirect to the same host over HTTP), and where it pointed to.
    Response { status: u16, location: Option<String> },
    /// Something went wrong on the way.
    Error(String),
}

/// HTTP redirects to HTTPS on the same name first (or HTTP is closed and HTTPS open).
pub fn redirect_judgement(host: &str, http: &HttpOutcome, https_reachable: bool) -> Judgement {
    match http {
        HttpOutcome::Closed if https_reachable => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::RedirectHttpsOnly)),
        HttpOutcome::Closed => Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoHttps)),
        HttpOutcome::Error(e) => Judgement::new(
            Verdict::Unknown,
            Reason::new(ReasonCode::HttpError)
                .arg("url", format!("http://{host}/"))
                .arg("error", e),
        ),
        HttpOutcome::Response { status, location } => {
            let status_text = status.to_string();
            match location
                .as_deref()
                .filter(|_| (300..400).contains(status))
                .and_then(|l| resolve_location("http", host, l))
            {
                None => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::RedirectMissing).arg("status", &status_text))
                    .with("status", status_text),
                Some((scheme, to_host, path)) => {
                    let target = format!("{scheme}://{to_host}{path}");
                    let j = if scheme != "https" {
                        Judgement::new(Verdict::Fail, Reason::new(ReasonCode::RedirectNotHttps).arg("location", &target))
                    } else if to_host != host {
                        Judgement::new(Verdict::Fail, Reason::new(ReasonCode::RedirectOtherHost).arg("location", &target))
                    } else {
                        Judgement::new(Verdict::Pass, Reason::new(ReasonCode::RedirectOk).arg("location", &target))
                    };
                    j.with("status", status_text).with("location", target)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects() {
        let r = |status, location: Option<&str>| {
            redirect_judgement(
                "gent.be",
                &HttpOutcome::Response {
                    status,
                    location: location.map(str::to_string),
                },
                true,
            )
        };
        assert_eq!(r(301, Some("https://gent.be/")).verdict, Verdict::Pass);
        assert_eq!(r(308, Some("https://gent.be/nl")).verdict, Verdict::Pass);
        let other = r(301, Some("https://www.gent.be/"));
        assert_eq!((other.verdict, other.reason.code), (Verdict::Fail, ReasonCode::RedirectOtherHost));
        assert_eq!(r(302, Some("http://gent.be/x")).reason.code, ReasonCode::RedirectNotHttps);
        assert_eq!(r(200, None).reason.code, ReasonCode::RedirectMissing);
        assert_eq!(r(200, Some("https://gent.be/")).reason.code, ReasonCode::RedirectMissing);
        assert_eq!(redirect_judgement("gent.be", &HttpOutcome::Closed, true).verdict, Verdict::Pass);
        assert_eq!(redirect_judgement("gent.be", &HttpOutcome::Closed, false).verdict, Verdict::Unknown);
    }
}
