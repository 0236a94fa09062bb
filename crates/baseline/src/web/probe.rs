//! The probes: one HTTPS session (a full handshake, then `/`, security.txt and the admin panels over it), plain HTTP
//! on port 80, and whether IPv6 answers.

use std::net::{IpAddr, Ipv6Addr};

use super::{ADMIN_PANELS, HttpOutcome};
use crate::context::Ctx;
use crate::http::{HttpConn, HttpResponse, resolve_location};
use crate::net::NetError;
use crate::tls::modern::ModernInfo;

/// What one HTTPS session (a full TLS handshake, then requests over it) found.
pub(super) struct Session {
    pub(super) info: ModernInfo,
    /// The response to `GET /`, before any redirect.
    pub(super) first: Result<HttpResponse, NetError>,
    /// The response after following redirects on the same name (at most 3).
    pub(super) last: Result<HttpResponse, NetError>,
    /// security.txt: the URL it was found at and the response.
    pub(super) security_txt: Result<(String, HttpResponse), NetError>,
    /// Admin panels found: (panel, URL).
    pub(super) panels: Result<Vec<(String, String)>, NetError>,
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

pub(super) async fn https_session(ctx: &Ctx<'_>, host: &str, ip: IpAddr) -> Result<Session, NetError> {
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
pub(super) async fn http_port80(ctx: &Ctx<'_>, host: &str, ip: IpAddr) -> HttpOutcome {
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
pub(super) async fn ipv6_reachable(ctx: &Ctx<'_>, v6: &[Ipv6Addr]) -> Option<bool> {
    let ip = IpAddr::V6(*v6.first()?);
    for port in [443, 80] {
        if ctx.inner.net.connect(ip, port, &ctx.counter).await.is_ok() {
            return Some(true);
        }
    }
    Some(false)
}
