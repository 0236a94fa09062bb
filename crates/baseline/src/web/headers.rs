//! The security headers of an HTTPS response: HSTS, Content-Security-Policy, X-Content-Type-Options, framing and
//! Referrer-Policy.

use crate::http::HttpResponse;
use crate::model::{Judgement, Verdict};
use crate::reason::{Reason, ReasonCode};

/// One year in seconds, the minimum HSTS max-age.
pub const ONE_YEAR: u64 = 31_536_000;

/// The max-age of a Strict-Transport-Security value (RFC 6797); None when it has none, or an unusable one.
pub fn hsts_max_age(value: &str) -> Option<u64> {
    let mut ages = value
        .split(';')
        .filter_map(|d| d.split_once('='))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("max-age"));
    let (_, age) = ages.next()?;
    if ages.next().is_some() {
        return None;
    }
    age.trim().trim_matches('"').parse::<u64>().ok()
}

/// HSTS of at least a year on the first HTTPS response (before any redirect).
pub fn hsts_judgement(first: &HttpResponse) -> Judgement {
    match first.header("strict-transport-security") {
        None => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::HstsMissing)),
        Some(value) => {
            let j = match hsts_max_age(value) {
                None => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::HstsInvalid).arg("value", value)),
                Some(age) if age >= ONE_YEAR => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::HstsOk).arg("max_age", age)),
                Some(age) => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::HstsShort).arg("max_age", age)),
            };
            j.with("strict_transport_security", value)
        }
    }
}

/// The directives of a CSP value: name in lower case, sources as written.
fn csp_directives(value: &str) -> Vec<(String, Vec<String>)> {
    value
        .split(';')
        .filter_map(|d| {
            let mut parts = d.split_whitespace();
            let name = parts.next()?.to_ascii_lowercase();
            Some((name, parts.map(str::to_string).collect()))
        })
        .collect()
}

/// The registrable part of a name, approximated by its last two labels (`loket.gent.be` -> `gent.be`).
fn site_of(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() <= 2 {
        host.to_string()
    } else {
        labels[labels.len() - 2..].join(".")
    }
}

/// The host of a CSP host source (`https://a.gent.be:8443/x` -> `a.gent.be`), or None for keywords and schemes.
fn source_host(source: &str) -> Option<String> {
    if source.starts_with('\'') || source.ends_with(':') {
        return None;
    }
    let rest = source.split_once("://").map(|(_, r)| r).unwrap_or(source);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    if host.is_empty() { None } else { Some(host.to_ascii_lowercase()) }
}

/// What is wrong with a Content-Security-Policy, after the good practices internet.nl checks (our own reading of them):
/// restrictive `default-src`, `base-uri`, `frame-src`, `frame-ancestors` and `form-action`; no `unsafe-*` keywords; no
/// `data:` where scripts come from; no plain `http:`; no wildcard hosts; no `127.0.0.1`.
pub fn csp_problems(value: &str, host: &str) -> Vec<String> {
    let directives = csp_directives(value);
    let get = |name: &str| directives.iter().find(|(n, _)| n == name).map(|(_, s)| s.as_slice());
    let site = site_of(host);
    let own = |s: &str| match source_host(s) {
        Some(h) => {
            let h = h.trim_start_matches("*.");
            h == host || h == site || h.ends_with(&format!(".{site}"))
        }
        None => false,
    };
    // A host, or a wildcard under a named domain (`*.gent.be`), but not `*` or `*.be`.
    let specific = |s: &str| {
        source_host(s).is_some_and(|h| match h.strip_prefix("*.") {
            Some(base) => base.contains('.'),
            None => h != "*",
        })
    };
    let restrictive = |sources: Option<&[String]>, only_own: bool| -> bool {
        match sources {
            None => false,
            Some([]) => true,
            Some(list) => {
                if list.iter().any(|s| s.eq_ignore_ascii_case("'none'")) {
                    return true;
                }
                list.iter().all(|s| {
                    s.eq_ignore_ascii_case("'self'")
                        || s.eq_ignore_ascii_case("'report-sample'")
                        || if only_own { own(s) } else { specific(s) }
                })
            }
        }
    };
    let mut problems = Vec::new();
    if !restrictive(get("default-src"), true) {
        problems.push("default-src".to_string());
    }
    if !restrictive(get("base-uri"), true) {
        problems.push("base-uri".to_string());
    }
    let frame_src = get("frame-src").or_else(|| get("child-src")).or_else(|| get("default-src"));
    if !restrictive(frame_src, false) {
        problems.push("frame-src".to_string());
    }
    if !restrictive(get("frame-ancestors"), false) {
        problems.push("frame-ancestors".to_string());
    }
    if !restrictive(get("form-action"), false) {
        problems.push("form-action".to_string());
    }
    let all: Vec<(&str, &str)> = directives
        .iter()
        .flat_map(|(n, s)| s.iter().map(move |v| (n.as_str(), v.as_str())))
        .collect();
    for keyword in ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"] {
        if all.iter().any(|(_, s)| s.eq_ignore_ascii_case(keyword)) {
            problems.push(keyword.to_string());
        }
    }
    for d in ["default-src", "script-src", "object-src"] {
        if get(d).is_some_and(|s| s.iter().any(|v| v.eq_ignore_ascii_case("data:"))) {
            problems.push(format!("data: in {d}"));
        }
    }
    let skip = |n: &str| n == "report-uri" || n == "report-to" || n == "sandbox" || n == "upgrade-insecure-requests";
    if all
        .iter()
        .any(|(n, s)| !skip(n) && (s.to_ascii_lowercase().starts_with("http://") || s.eq_ignore_ascii_case("http:")))
    {
        problems.push("http:".to_string());
    }
    if all
        .iter()
        .any(|(n, s)| !skip(n) && (*s == "*" || s.eq_ignore_ascii_case("https:") || s.to_ascii_lowercase().starts_with("https://*")))
    {
        problems.push("*".to_string());
    }
    if all.iter().any(|(_, s)| s.contains("127.0.0.1")) {
        problems.push("127.0.0.1".to_string());
    }
    problems.dedup();
    problems
}

pub fn csp_judgement(response: &HttpResponse, host: &str) -> Judgement {
    match response.header("content-security-policy") {
        None => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::CspMissing)),
        Some(value) => {
            let problems = csp_problems(value, host);
            let j = if problems.is_empty() {
                Judgement::new(Verdict::Pass, Reason::new(ReasonCode::CspOk))
            } else {
                Judgement::new(
                    Verdict::Warning,
                    Reason::new(ReasonCode::CspWeak).arg("problems", problems.join(", ")),
                )
            };
            j.with("content_security_policy", value)
        }
    }
}

pub fn content_type_options_judgement(response: &HttpResponse) -> Judgement {
    match response.header("x-content-type-options") {
        None => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::ContentTypeMissing)),
        Some(v) if v.trim().eq_ignore_ascii_case("nosniff") => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::ContentTypeOk)),
        Some(v) => {
            Judgement::new(Verdict::Fail, Reason::new(ReasonCode::ContentTypeInvalid).arg("value", v)).with("x_content_type_options", v)
        }
    }
}

/// `frame-ancestors` with 'none', 'self' or specific hosts, or else X-Frame-Options DENY or SAMEORIGIN.
pub fn frame_judgement(response: &HttpResponse) -> Judgement {
    let ancestors = response.header("content-security-policy").and_then(|csp| {
        csp_directives(csp)
            .into_iter()
            .find(|(n, _)| n == "frame-ancestors")
            .map(|(_, s)| s)
    });
    if let Some(sources) = &ancestors {
        let text = format!("frame-ancestors {}", sources.join(" "));
        let open = sources
            .iter()
            .any(|s| s == "*" || s.eq_ignore_ascii_case("https:") || s.eq_ignore_ascii_case("http:") || s.contains("://*"));
        if !open {
            return Judgement::new(Verdict::Pass, Reason::new(ReasonCode::FrameOk).arg("value", &text)).with("frame_ancestors", text);
        }
    }
    match response.header("x-frame-options") {
        Some(v) if v.trim().eq_ignore_ascii_case("deny") || v.trim().eq_ignore_ascii_case("sameorigin") => {
            let text = format!("X-Frame-Options {}", v.trim());
            Judgement::new(Verdict::Pass, Reason::new(ReasonCode::FrameOk).arg("value", &text)).with("x_frame_options", v)
        }
        Some(v) => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::FrameWeak).arg("value", format!("X-Frame-Options {}", v.trim())),
        )
        .with("x_frame_options", v),
        None => match ancestors {
            Some(sources) => {
                let text = format!("frame-ancestors {}", sources.join(" "));
                Judgement::new(Verdict::Fail, Reason::new(ReasonCode::FrameWeak).arg("value", &text)).with("frame_ancestors", text)
            }
            None => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::FrameMissing)),
        },
    }
}

/// The last known Referrer-Policy value: no-referrer and same-origin good; strict-origin(-when-cross-origin) and
/// no header a warning; anything that may send referrers over HTTP a failure.
pub fn referrer_judgement(response: &HttpResponse) -> Judgement {
    const KNOWN: [&str; 8] = [
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
        "no-referrer-when-downgrade",
        "origin-when-cross-origin",
        "origin",
        "unsafe-url",
    ];
    let last = response
        .header_values("referrer-policy")
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| KNOWN.contains(&t.as_str()))
        .last();
    match last.as_deref() {
        None => Judgement::new(Verdict::Warning, Reason::new(ReasonCode::ReferrerMissing)),
        Some(v @ ("no-referrer" | "same-origin")) => {
            Judgement::new(Verdict::Pass, Reason::new(ReasonCode::ReferrerOk).arg("value", v)).with("referrer_policy", v)
        }
        Some(v @ ("strict-origin" | "strict-origin-when-cross-origin")) => {
            Judgement::new(Verdict::Warning, Reason::new(ReasonCode::ReferrerCaution).arg("value", v)).with("referrer_policy", v)
        }
        Some(v) => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::ReferrerUnsafe).arg("value", v)).with("referrer_policy", v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::test_support::response;

    #[test]
    fn hsts_needs_a_year() {
        assert_eq!(hsts_max_age("max-age=31536000; includeSubDomains"), Some(31536000));
        assert_eq!(hsts_max_age("includeSubDomains; MAX-AGE=\"63072000\""), Some(63072000));
        assert_eq!(hsts_max_age("includeSubDomains"), None);
        assert_eq!(hsts_max_age("max-age=abc"), None);
        assert_eq!(hsts_max_age("max-age=1; max-age=2"), None);
        let j = |v: Option<&str>| {
            hsts_judgement(&response(
                200,
                &v.map(|v| vec![("strict-transport-security", v)]).unwrap_or_default(),
                "",
            ))
        };
        assert_eq!(j(Some("max-age=31536000")).verdict, Verdict::Pass);
        assert_eq!(j(Some("max-age=86400")).reason.code, ReasonCode::HstsShort);
        assert_eq!(j(Some("max-age=0")).verdict, Verdict::Fail);
        assert_eq!(j(Some("preload")).reason.code, ReasonCode::HstsInvalid);
        assert_eq!(j(None).reason.code, ReasonCode::HstsMissing);
    }

    #[test]
    fn a_strict_csp_has_no_problems() {
        let strict = "default-src 'self'; base-uri 'self'; frame-src 'none'; frame-ancestors 'none'; form-action 'self'; img-src 'self' https://cdn.gent.be";
        assert_eq!(csp_problems(strict, "www.gent.be"), Vec::<String>::new());
        let weak = "default-src * data: 'unsafe-inline'; script-src 'self' 'unsafe-eval' http://cdn.example.com";
        let p = csp_problems(weak, "gent.be");
        for expected in [
            "default-src",
            "base-uri",
            "frame-src",
            "frame-ancestors",
            "form-action",
            "'unsafe-inline'",
            "'unsafe-eval'",
            "data: in default-src",
            "http:",
            "*",
        ] {
            assert!(p.contains(&expected.to_string()), "{expected} not in {p:?}");
        }
        // A default-src with a foreign host is not restrictive.
        assert!(
            csp_problems(
                "default-src https://evil.example; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
                "gent.be"
            )
            .contains(&"default-src".to_string())
        );
        assert_eq!(csp_judgement(&response(200, &[], ""), "gent.be").verdict, Verdict::Fail);
        assert_eq!(
            csp_judgement(&response(200, &[("content-security-policy", strict)], ""), "gent.be").verdict,
            Verdict::Pass
        );
        assert_eq!(
            csp_judgement(&response(200, &[("content-security-policy", weak)], ""), "gent.be").verdict,
            Verdict::Warning
        );
    }

    #[test]
    fn nosniff_framing_and_referrer() {
        assert_eq!(
            content_type_options_judgement(&response(200, &[("x-content-type-options", "nosniff")], "")).verdict,
            Verdict::Pass
        );
        assert_eq!(
            content_type_options_judgement(&response(200, &[("x-content-type-options", "sniff")], "")).verdict,
            Verdict::Fail
        );
        assert_eq!(content_type_options_judgement(&response(200, &[], "")).verdict, Verdict::Fail);
        assert_eq!(
            frame_judgement(&response(200, &[("content-security-policy", "frame-ancestors 'self'")], "")).verdict,
            Verdict::Pass
        );
        assert_eq!(
            frame_judgement(&response(200, &[("x-frame-options", "SAMEORIGIN")], "")).verdict,
            Verdict::Pass
        );
        assert_eq!(
            frame_judgement(&response(200, &[("x-frame-options", "ALLOW-FROM https://a.be")], "")).verdict,
            Verdict::Fail
        );
        assert_eq!(
            frame_judgement(&response(200, &[("content-security-policy", "frame-ancestors *")], ""))
                .reason
                .code,
            ReasonCode::FrameWeak
        );
        assert_eq!(frame_judgement(&response(200, &[], "")).reason.code, ReasonCode::FrameMissing);
        assert_eq!(
            referrer_judgement(&response(200, &[("referrer-policy", "no-referrer")], "")).verdict,
            Verdict::Pass
        );
        assert_eq!(
            referrer_judgement(&response(200, &[("referrer-policy", "unsafe-url, foo")], "")).verdict,
            Verdict::Fail
        );
        assert_eq!(
            referrer_judgement(&response(200, &[("referrer-policy", "unsafe-url, strict-origin")], "")).verdict,
            Verdict::Warning
        );
        assert_eq!(referrer_judgement(&response(200, &[], "")).reason.code, ReasonCode::ReferrerMissing);
    }
}
