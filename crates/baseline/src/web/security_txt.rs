//! security.txt (RFC 9116) as the web server serves it.

use chrono::{DateTime, Utc};

use crate::http::HttpResponse;
use crate::model::{Judgement, Verdict};
use crate::reason::{Reason, ReasonCode};
use crate::tls::cert::day;

/// security.txt (RFC 9116) at its final URL: 200, text/plain, valid at `now`, listed in its own Canonical fields,
/// expiring within a year (a warning otherwise).
pub fn security_txt_judgement(url: &str, response: &HttpResponse, now: DateTime<Utc>) -> Judgement {
    if response.status != 200 {
        let status = response.status.to_string();
        return Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::SecurityTxtMissing).arg("url", url).arg("status", &status),
        )
        .with("status", status);
    }
    let content_type = response.header("content-type").unwrap_or("").to_string();
    let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if media != "text/plain" {
        let shown = if content_type.is_empty() {
            "-".to_string()
        } else {
            content_type.clone()
        };
        return Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::SecurityTxtContentType).arg("content_type", &shown),
        )
        .with("content_type", shown);
    }
    let text = String::from_utf8_lossy(&response.body);
    let options = sectxtlib::SecurityTxtOptions::new().with_now(now);
    match sectxtlib::SecurityTxt::parse_with(&text, &options) {
        Err(e) => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::SecurityTxtInvalid).arg("error", e.to_string()),
        )
        .with("url", url),
        Ok(file) => {
            let expires = file.expires.datetime;
            let canonical: Vec<String> = file.canonical.iter().map(|c| c.uri.to_string()).collect();
            let j = if !canonical.is_empty() && !canonical.iter().any(|c| c == url) {
                Judgement::new(Verdict::Fail, Reason::new(ReasonCode::SecurityTxtCanonical).arg("url", url))
            } else if expires - now > chrono::Duration::days(366) {
                Judgement::new(
                    Verdict::Warning,
                    Reason::new(ReasonCode::SecurityTxtLongExpiry).arg("expires", day(expires)),
                )
            } else {
                Judgement::new(Verdict::Pass, Reason::new(ReasonCode::SecurityTxtOk).arg("expires", day(expires)))
            };
            j.with("url", url).with("expires", expires.to_rfc3339()).with(
                "contact",
                file.contact.iter().map(|c| c.uri.to_string()).collect::<Vec<_>>().join(", "),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::test_support::response;
    use chrono::TimeZone;

    #[test]
    fn security_txt_at_a_given_moment() {
        let now = Utc.with_ymd_and_hms(2021, 6, 15, 10, 0, 0).unwrap();
        let url = "https://gent.be/.well-known/security.txt";
        let file = "Contact: mailto:security@gent.be\nExpires: 2021-12-31T23:00:00Z\nCanonical: https://gent.be/.well-known/security.txt\n";
        let ok = response(200, &[("content-type", "text/plain; charset=utf-8")], file);
        let j = security_txt_judgement(url, &ok, now);
        assert_eq!((j.verdict, j.reason.args[0].1.as_str()), (Verdict::Pass, "31/12/2021"));
        // The same file a year later has expired.
        let later = Utc.with_ymd_and_hms(2022, 6, 15, 10, 0, 0).unwrap();
        assert_eq!(security_txt_judgement(url, &ok, later).reason.code, ReasonCode::SecurityTxtInvalid);
        assert_eq!(
            security_txt_judgement("https://www.gent.be/.well-known/security.txt", &ok, now)
                .reason
                .code,
            ReasonCode::SecurityTxtCanonical
        );
        let html = response(200, &[("content-type", "text/html")], file);
        assert_eq!(
            security_txt_judgement(url, &html, now).reason.code,
            ReasonCode::SecurityTxtContentType
        );
        assert_eq!(
            security_txt_judgement(url, &response(404, &[], ""), now).reason.code,
            ReasonCode::SecurityTxtMissing
        );
        let far = response(
            200,
            &[("content-type", "text/plain")],
            "Contact: mailto:a@gent.be\nExpires: 2030-01-01T00:00:00Z\n",
        );
        assert_eq!(security_txt_judgement(url, &far, now).verdict, Verdict::Warning);
    }
}
