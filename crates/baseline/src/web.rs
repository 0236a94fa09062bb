//! Web checks: pure verdicts on what the HTTP(S) responses said (redirect, HSTS, security headers, security.txt,
//! admin panels), and the probes that fetch them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Utc};

use crate::context::Ctx;
use crate::endpoint;
use crate::http::{HttpConn, HttpResponse, resolve_location};
use crate::model::{Check, Judgement, Outcome, Subject, Verdict};
use crate::net::NetError;
use crate::reason::{Reason, ReasonCode};
use crate::tls::cert::day;
use crate::tls::modern::ModernInfo;
use crate::tls::probe::Endpoint;

/// One year in seconds, the minimum HSTS max-age.
pub const ONE_YEAR: u64 = 31_536_000;

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

/// A known admin panel: its name, the path asked for and how it is recognised (so a catch-all page does not count).
pub struct AdminPanel {
    pub name: &'static str,
    pub path: &'static str,
    recognise: fn(&HttpResponse) -> bool,
}

fn body_contains(r: &HttpResponse, needle: &str) -> bool {
    r.body.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// phpMyAdmin, Adminer and the Tomcat manager: database and server administration that should sit behind a VPN.
pub const ADMIN_PANELS: [AdminPanel; 3] = [
    AdminPanel {
        name: "phpMyAdmin",
        path: "/phpmyadmin/",
        recognise: |r| {
            r.status == 200 && (body_contains(r, "phpMyAdmin") || r.header_values("set-cookie").any(|c| c.starts_with("phpMyAdmin")))
        },
    },
    AdminPanel {
        name: "Adminer",
        path: "/adminer.php",
        recognise: |r| r.status == 200 && body_contains(r, "Adminer"),
    },
    AdminPanel {
        name: "Tomcat Manager",
        path: "/manager/html",
        recognise: |r| {
            (r.status == 401 && r.header_values("www-authenticate").any(|v| v.contains("Tomcat Manager")))
                || (r.status == 200 && body_contains(r, "Tomcat Web Application Manager"))
        },
    },
];

impl AdminPanel {
    pub fn recognises(&self, response: &HttpResponse) -> bool {
        (self.recognise)(response)
    }
}

/// The panels found (name, URL).
pub fn admin_panel_judgement(found: &[(String, String)]) -> Judgement {
    match found.first() {
        None => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::AdminPanelNone)),
        Some((panel, url)) => {
            let all = found.iter().map(|(p, u)| format!("{p} ({u})")).collect::<Vec<_>>().join(", ");
            Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::AdminPanelFound).arg("panel", panel).arg("url", url),
            )
            .with("admin_panels", all)
        }
    }
}

/// What one HTTPS session (a full TLS handshake, then requests over it) found.
struct Session {
    info: ModernInfo,
    /// The response to `GET /`, before any redirect.
    first: Result<HttpResponse, NetError>,
    /// The response after following redirects on the same name (at most 3).
    last: Result<HttpResponse, NetError>,
    /// security.txt: the URL it was found at and the response.
    security_txt: Result<(String, HttpResponse), NetError>,
    /// Admin panels found: (panel, URL).
    panels: Result<Vec<(String, String)>, NetError>,
}

async fn connect_https(ctx: &Ctx<'_>, host: &str, ip: IpAddr) -> Result<(HttpConn, ModernInfo), NetError> {
    let inner = ctx.inner;
    let conn = inner.net.connect(ip, 443, &ctx.counter).await?;
    let (tls, info) = inner.modern.connect(conn, host, false, inner.config.timeouts.tls).await?;
    let http = open_http(ctx, tls, host).await?;
    Ok((http, info))
}

async fn open_http<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static>(
    ctx: &Ctx<'_>,
    stream: S,
    host: &str,
) -> Result<HttpConn, NetError> {
    let c = &ctx.inner.config;
    HttpConn::open(
        stream,
        host,
        &c.identity.user_agent,
        c.timeouts.http,
        c.limits.http_head_bytes,
        c.limits.http_body_bytes,
    )
    .await
}

/// A GET over `conn`, reconnecting first when the server closed it.
async fn get(ctx: &Ctx<'_>, conn: &mut HttpConn, host: &str, ip: IpAddr, path: &str) -> Result<HttpResponse, NetError> {
    if !conn.is_open() {
        *conn = connect_https(ctx, host, ip).await?.0;
    }
    conn.get(path, true).await
}

async fn https_session(ctx: &Ctx<'_>, host: &str, ip: IpAddr) -> Result<Session, NetError> {
    let (mut conn, info) = connect_https(ctx, host, ip).await?;
    let first = get(ctx, &mut conn, host, ip, "/").await;
    let mut last = first.clone();
    for _ in 0..3 {
        let next = match &last {
            Ok(r) if (300..400).contains(&r.status) => r.header("location").and_then(|l| resolve_location("https", host, l)),
            _ => None,
        };
        match next {
            Some((scheme, to, path)) if scheme == "https" && to == host => last = get(ctx, &mut conn, host, ip, &path).await,
            _ => break,
        }
    }
    let security_txt = fetch_security_txt(ctx, &mut conn, host, ip).await;
    let mut panels = Ok(Vec::new());
    for panel in &ADMIN_PANELS {
        match get(ctx, &mut conn, host, ip, panel.path).await {
            Ok(r) => {
                if panel.recognises(&r)
                    && let Ok(found) = panels.as_mut()
                {
                    found.push((panel.name.to_string(), format!("https://{host}{}", panel.path)));
                }
            }
            Err(e) => {
                panels = Err(e);
                break;
            }
        }
    }
    Ok(Session {
        info,
        first,
        last,
        security_txt,
        panels,
    })
}

/// `/.well-known/security.txt`, following at most 3 redirects, over HTTPS only, to the same or another name (RFC 9116
/// allows a redirect to a central file).
async fn fetch_security_txt(ctx: &Ctx<'_>, conn: &mut HttpConn, host: &str, ip: IpAddr) -> Result<(String, HttpResponse), NetError> {
    let mut url_host = host.to_string();
    let mut path = "/.well-known/security.txt".to_string();
    let mut response = get(ctx, conn, host, ip, &path).await?;
    for _ in 0..3 {
        if !(300..400).contains(&response.status) {
            break;
        }
        let Some((scheme, to, to_path)) = response.header("location").and_then(|l| resolve_location("https", &url_host, l)) else {
            break;
        };
        if scheme != "https" {
            break;
        }
        response = if to == host {
            get(ctx, conn, host, ip, &to_path).await?
        } else {
            let (v4, v6) = ctx.inner.dns.addresses(&to).await.map_err(NetError::Io)?;
            let other: IpAddr = match (v4.first(), v6.first()) {
                (Some(a), _) => (*a).into(),
                (None, Some(a)) => (*a).into(),
                (None, None) => return Err(NetError::Io(format!("{to} has no address"))),
            };
            let (mut other_conn, _) = connect_https(ctx, &to, other).await?;
            other_conn.get(&to_path, true).await?
        };
        url_host = to;
        path = to_path;
    }
    Ok((format!("https://{url_host}{path}"), response))
}

/// `GET http://host/`, following redirects that stay on plain HTTP and the same name (at most 3).
async fn http_port80(ctx: &Ctx<'_>, host: &str, ip: IpAddr) -> HttpOutcome {
    let mut path = "/".to_string();
    for _ in 0..4 {
        let conn = match ctx.inner.net.connect(ip, 80, &ctx.counter).await {
            Ok(c) => c,
            Err(NetError::ConnectionRefused | NetError::Timeout) if path == "/" => return HttpOutcome::Closed,
            Err(e) => return HttpOutcome::Error(e.to_string()),
        };
        let mut http = match open_http(ctx, conn, host).await {
            Ok(h) => h,
            Err(e) => return HttpOutcome::Error(e.to_string()),
        };
        let r = match http.get(&path, true).await {
            Ok(r) => r,
            Err(e) => return HttpOutcome::Error(e.to_string()),
        };
        let location = r.header("location").map(str::to_string);
        if (300..400).contains(&r.status)
            && let Some((scheme, to, to_path)) = location.as_deref().and_then(|l| resolve_location("http", host, l))
            && scheme == "http"
            && to == host
            && to_path != path
        {
            path = to_path;
            continue;
        }
        return HttpOutcome::Response {
            status: r.status,
            location,
        };
    }
    HttpOutcome::Error("too many redirects".into())
}

/// Whether the first IPv6 address answers on port 443 or 80.
async fn ipv6_reachable(ctx: &Ctx<'_>, v6: &[Ipv6Addr]) -> Option<bool> {
    let ip = IpAddr::V6(*v6.first()?);
    for port in [443, 80] {
        if ctx.inner.net.connect(ip, port, &ctx.counter).await.is_ok() {
            return Some(true);
        }
    }
    Some(false)
}

/// Only the TLS and certificate checks of `name`:443 (the benchmark's measure, and for systems that are only a TLS
/// endpoint).
pub(crate) async fn scan_tls(ctx: &Ctx<'_>, name: &str, ip: IpAddr) -> Vec<Outcome> {
    let subject = Subject::name(name);
    let endpoint = Endpoint::https(name, ip);
    let prober = ctx.prober(&endpoint);
    let full = async {
        let conn = ctx.inner.net.connect(ip, 443, &ctx.counter).await?;
        ctx.inner
            .modern
            .connect(conn, name, false, ctx.inner.config.timeouts.tls)
            .await
            .map(|(_, info)| info)
    };
    let (observed, full) = tokio::join!(prober.observe(), full);
    match observed {
        Ok(obs) if obs.any() => {
            let chain = match full {
                Ok(info) => info.chain,
                Err(_) => obs.chain.clone(),
            };
            endpoint::outcomes(&endpoint::WEB, &subject, name, &obs, &chain, &ctx.inner.trust, ctx.now)
        }
        Ok(_) => endpoint::all_with(
            &endpoint::WEB,
            &subject,
            &Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoHttps)),
        ),
        Err(e) => endpoint::all_with(&endpoint::WEB, &subject, &e.judgement(&format!("{name}:443"))),
    }
}

/// Every web check of a name with addresses (and the IPv6 and admin panel checks, which are made on the way).
pub(crate) async fn scan(ctx: &Ctx<'_>, name: &str, v4: &[Ipv4Addr], v6: &[Ipv6Addr]) -> Vec<Outcome> {
    let ip: IpAddr = match (v4.first(), v6.first()) {
        (Some(a), _) => (*a).into(),
        (None, Some(a)) => (*a).into(),
        (None, None) => return Vec::new(),
    };
    let subject = Subject::name(name);
    let endpoint = Endpoint::https(name, ip);
    let prober = ctx.prober(&endpoint);
    let (observed, session, http, v6_reach) = tokio::join!(
        prober.observe(),
        https_session(ctx, name, ip),
        http_port80(ctx, name, ip),
        ipv6_reachable(ctx, v6)
    );
    let mut out = Vec::new();
    let url = format!("https://{name}/");

    // Reachable over HTTPS: a full handshake, or at least some version in the probes.
    let legacy_only = matches!(&observed, Ok(o) if o.any()) && session.is_err();
    let https = match (&session, &observed) {
        (Ok(s), _) => Judgement::new(
            Verdict::Pass,
            Reason::new(ReasonCode::HttpsOk).arg("version", s.info.version.name()),
        ),
        (Err(_), Ok(o)) if o.any() => {
            let best = o.versions.keys().next_back().map(|v| v.name()).unwrap_or("TLS");
            Judgement::new(Verdict::Pass, Reason::new(ReasonCode::HttpsOk).arg("version", best))
        }
        (Err(NetError::Refused(ip)), _) => Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::AddressRefused).arg("address", ip)),
        (Err(NetError::ConnectionRefused | NetError::Timeout), _) | (_, Err(NetError::ConnectionRefused | NetError::Timeout)) => {
            Judgement::new(Verdict::Fail, Reason::new(ReasonCode::HttpsClosed))
        }
        (Err(e), _) => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::HttpsNoTls).arg("error", e)),
    };
    let reachable = https.verdict == Verdict::Pass;
    out.push(https.with("address", ip.to_string()).outcome(Check::WebHttps, subject.clone()));
    out.push(redirect_judgement(name, &http, reachable).outcome(Check::WebHttpRedirect, subject.clone()));

    // TLS and certificate.
    match &observed {
        Ok(obs) if reachable => {
            let chain = match &session {
                Ok(s) => s.info.chain.clone(),
                Err(_) => obs.chain.clone(),
            };
            out.extend(endpoint::outcomes(
                &endpoint::WEB,
                &subject,
                name,
                obs,
                &chain,
                &ctx.inner.trust,
                ctx.now,
            ));
        }
        _ => out.extend(endpoint::all_with(
            &endpoint::WEB,
            &subject,
            &Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoHttps)),
        )),
    }

    // What the responses said.
    let not_read = |e: Option<&NetError>| match e {
        Some(e) => Judgement::new(
            Verdict::Unknown,
            Reason::new(ReasonCode::HttpError).arg("url", &url).arg("error", e),
        ),
        None if legacy_only => Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoModernTls)),
        None => Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoHttps)),
    };
    let header_checks = [
        Check::WebHsts,
        Check::WebCsp,
        Check::WebContentTypeOptions,
        Check::WebFrameOptions,
        Check::WebReferrerPolicy,
    ];
    match &session {
        Ok(s) => {
            match &s.first {
                Ok(first) => out.push(hsts_judgement(first).outcome(Check::WebHsts, subject.clone())),
                Err(e) => out.push(not_read(Some(e)).outcome(Check::WebHsts, subject.clone())),
            }
            match &s.last {
                Ok(last) => {
                    out.push(csp_judgement(last, name).outcome(Check::WebCsp, subject.clone()));
                    out.push(content_type_options_judgement(last).outcome(Check::WebContentTypeOptions, subject.clone()));
                    out.push(frame_judgement(last).outcome(Check::WebFrameOptions, subject.clone()));
                    out.push(referrer_judgement(last).outcome(Check::WebReferrerPolicy, subject.clone()));
                }
                Err(e) => {
                    for c in &header_checks[1..] {
                        out.push(not_read(Some(e)).outcome(*c, subject.clone()));
                    }
                }
            }
            out.push(
                match &s.security_txt {
                    Ok((url, r)) => security_txt_judgement(url, r, ctx.now),
                    Err(e) => not_read(Some(e)),
                }
                .outcome(Check::WebSecurityTxt, subject.clone()),
            );
            out.push(
                match &s.panels {
                    Ok(found) => admin_panel_judgement(found),
                    Err(e) => not_read(Some(e)),
                }
                .outcome(Check::ExposureAdminPanel, Subject::service(name, 443)),
            );
        }
        Err(_) => {
            for c in header_checks.iter().chain(&[Check::WebSecurityTxt]) {
                out.push(not_read(None).outcome(*c, subject.clone()));
            }
            out.push(not_read(None).outcome(Check::ExposureAdminPanel, Subject::service(name, 443)));
        }
    }

    // IPv6.
    out.push(match v6_reach {
        None => crate::dnscheck::ipv6_web_missing(name),
        Some(ok) => {
            let addresses = crate::dns::join_addresses(v6);
            let code = if ok {
                ReasonCode::Ipv6WebOk
            } else {
                ReasonCode::Ipv6WebUnreachable
            };
            let verdict = if ok { Verdict::Pass } else { Verdict::Fail };
            Judgement::new(verdict, Reason::new(code).arg("name", name).arg("addresses", &addresses))
                .with("ipv6_addresses", addresses)
                .outcome(Check::DnsIpv6Web, subject.clone())
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
        }
    }

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

    #[test]
    fn admin_panels_are_recognised_not_guessed() {
        let pma = response(200, &[], "<title>phpMyAdmin</title>");
        let catch_all = response(200, &[], "<title>Welkom bij de gemeente</title>");
        assert!(ADMIN_PANELS[0].recognises(&pma));
        assert!(!ADMIN_PANELS[0].recognises(&catch_all));
        let tomcat = response(401, &[("www-authenticate", "Basic realm=\"Tomcat Manager Application\"")], "");
        assert!(ADMIN_PANELS[2].recognises(&tomcat));
        assert!(!ADMIN_PANELS[2].recognises(&response(401, &[("www-authenticate", "Basic realm=\"intranet\"")], "")));
        assert_eq!(admin_panel_judgement(&[]).verdict, Verdict::Pass);
        assert_eq!(
            admin_panel_judgement(&[("phpMyAdmin".into(), "https://gent.be/phpmyadmin/".into())]).verdict,
            Verdict::Fail
        );
    }
}
