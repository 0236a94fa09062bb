//! The fleet's application servers: HTTP (plain and inside TLS), SMTP with or without STARTTLS, and "exposed"
//! services that accept connections.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::spec::{HttpSpec, SecurityTxtSpec};
use super::tls::{Rewind, TlsServer};

/// What a domain's web server answers.
pub(crate) struct Site {
    pub domain: String,
    pub headers: Vec<(String, String)>,
    pub security_txt: SecurityTxtSpec,
    pub mta_sts_policy: Option<String>,
    pub admin_panels: bool,
    pub http: HttpSpec,
    pub now: DateTime<Utc>,
}

fn text(status: StatusCode, content_type: &str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    if let Ok(v) = content_type.parse() {
        r.headers_mut().insert("content-type", v);
    }
    r
}

fn host_of(req: &Request<Incoming>, fallback: &str) -> String {
    req.headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase())
        .unwrap_or_else(|| fallback.to_string())
}

impl Site {
    fn page(&self, host: &str) -> String {
        format!("<!doctype html><html lang=\"nl\"><head><title>{host}</title></head><body><h1>Welkom bij {host}</h1></body></html>\n")
    }

    fn security_txt(&self, host: &str) -> Response<Full<Bytes>> {
        let canonical = format!("Canonical: https://{host}/.well-known/security.txt\n");
        let expires = |days: i64| (self.now + chrono::Duration::days(days)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let body = match self.security_txt {
            SecurityTxtSpec::Missing => return text(StatusCode::NOT_FOUND, "text/html", "<h1>Niet gevonden</h1>".into()),
            SecurityTxtSpec::Valid => format!(
                "Contact: mailto:security@{host}\nExpires: {}\n{canonical}Preferred-Languages: nl, en\n",
                expires(180)
            ),
            SecurityTxtSpec::Expired => format!("Contact: mailto:security@{host}\nExpires: {}\n{canonical}", expires(-10)),
            SecurityTxtSpec::Invalid => format!("Expires: {}\n{canonical}", expires(180)),
        };
        text(StatusCode::OK, "text/plain; charset=utf-8", body)
    }

    /// An HTTPS request.
    fn https(&self, req: &Request<Incoming>) -> Response<Full<Bytes>> {
        let host = host_of(req, &self.domain);
        let path = req.uri().path();
        let mut response = if host.starts_with("mta-sts.") {
            match (&self.mta_sts_policy, path) {
                (Some(policy), "/.well-known/mta-sts.txt") => text(StatusCode::OK, "text/plain", policy.clone()),
                _ => text(StatusCode::NOT_FOUND, "text/html", "<h1>Niet gevonden</h1>".into()),
            }
        } else {
            match path {
                "/" => text(StatusCode::OK, "text/html; charset=utf-8", self.page(&host)),
                "/.well-known/security.txt" => self.security_txt(&host),
                "/phpmyadmin/" if self.admin_panels => text(
                    StatusCode::OK,
                    "text/html",
                    "<html><head><title>phpMyAdmin</title></head><body>Welcome to phpMyAdmin</body></html>".into(),
                ),
                "/adminer.php" if self.admin_panels => text(StatusCode::OK, "text/html", "<title>Login - Adminer</title>".into()),
                "/manager/html" if self.admin_panels => {
                    let mut r = text(StatusCode::UNAUTHORIZED, "text/html", "401 Unauthorized".into());
                    if let Ok(v) = "Basic realm=\"Tomcat Manager Application\"".parse() {
                        r.headers_mut().insert("www-authenticate", v);
                    }
                    r
                }
                _ => text(StatusCode::NOT_FOUND, "text/html", "<h1>Niet gevonden</h1>".into()),
            }
        };
        for (name, value) in &self.headers {
            if let (Ok(n), Ok(v)) = (name.parse::<hyper::header::HeaderName>(), value.parse()) {
                response.headers_mut().append(n, v);
            }
        }
        response
    }

    /// A plain HTTP request.
    fn http(&self, req: &Request<Incoming>) -> Response<Full<Bytes>> {
        let host = host_of(req, &self.domain);
        let location = match self.http {
            HttpSpec::Redirect => format!("https://{host}{}", req.uri().path()),
            HttpSpec::RedirectElsewhere => "https://good.test/".to_string(),
            HttpSpec::NoRedirect | HttpSpec::Closed => return text(StatusCode::OK, "text/html; charset=utf-8", self.page(&host)),
        };
        let mut r = text(StatusCode::MOVED_PERMANENTLY, "text/html", "<a href=\"https://\">moved</a>".into());
        if let Ok(v) = location.parse() {
            r.headers_mut().insert("location", v);
        }
        r
    }
}

/// Serves HTTP/1.1 over a stream, plain or not.
pub(crate) async fn serve_http<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(site: Arc<Site>, stream: S, https: bool) {
    let service = service_fn(move |req: Request<Incoming>| {
        let site = site.clone();
        async move { Ok::<_, Infallible>(if https { site.https(&req) } else { site.http(&req) }) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(Duration::from_secs(10))
        .serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(Duration::from_secs(60), conn).await;
}

/// Accepts connections on a listener, one task each.
pub(crate) fn accept_loop<F, Fut>(listener: TcpListener, handle: F) -> JoinHandle<()>
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(handle(stream));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    })
}

/// HTTPS: TLS (rustls or the responder), then HTTP over it.
pub(crate) async fn serve_https(site: Arc<Site>, tls: Arc<TlsServer>, stream: tokio::net::TcpStream) {
    if let Some(stream) = tls.accept(stream).await {
        serve_http(site, stream, true).await;
    }
}

async fn line<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut Vec<u8>) -> Option<String> {
    loop {
        if let Some(end) = buf.iter().position(|&b| b == b'\n') {
            let l: Vec<u8> = buf.drain(..=end).collect();
            return Some(String::from_utf8_lossy(&l).trim_end().to_string());
        }
        if buf.len() > 4096 {
            return None;
        }
        let mut chunk = [0u8; 1024];
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The SMTP dialogue after the greeting; returns the stream and unread bytes when STARTTLS was agreed.
async fn smtp_dialogue<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, host: &str, starttls: bool) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    loop {
        let command = line(stream, &mut buf).await?;
        let verb = command.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => {
                let tls = if starttls { "250-STARTTLS\r\n" } else { "" };
                format!("250-{host}\r\n250-PIPELINING\r\n{tls}250 8BITMIME\r\n")
            }
            "HELO" => format!("250 {host}\r\n"),
            "STARTTLS" if starttls => {
                stream.write_all(b"220 2.0.0 Ready to start TLS\r\n").await.ok()?;
                return Some(buf);
            }
            "NOOP" | "RSET" => "250 2.0.0 OK\r\n".into(),
            "QUIT" => {
                let _ = stream.write_all(b"221 2.0.0 Bye\r\n").await;
                return None;
            }
            _ => "502 5.5.2 Command not implemented\r\n".into(),
        };
        stream.write_all(reply.as_bytes()).await.ok()?;
    }
}

/// SMTP: greeting, EHLO, STARTTLS if offered, then TLS (rustls or the responder) and more SMTP inside it.
pub(crate) async fn serve_smtp(host: Arc<String>, starttls: bool, tls: Arc<TlsServer>, mut stream: tokio::net::TcpStream) {
    if stream
        .write_all(format!("220 {host} ESMTP cyberveilig fleet\r\n").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let Some(rest) = smtp_dialogue(&mut stream, &host, starttls).await else {
        return;
    };
    if let Some(mut secure) = tls.accept(Rewind::new(rest, stream)).await {
        let _ = smtp_dialogue(&mut secure, &host, false).await;
    }
}

/// What an exposed service says first, if anything.
pub(crate) fn banner(port: u16) -> &'static [u8] {
    match port {
        23 => &[255, 251, 1, 255, 251, 3, b'l', b'o', b'g', b'i', b'n', b':', b' '],
        3306 => b"J\x00\x00\x00\x0a8.0.36-fleet\x00",
        5900 => b"RFB 003.008\n",
        _ => b"",
    }
}

pub(crate) async fn serve_exposed(port: u16, mut stream: tokio::net::TcpStream) {
    let _ = stream.write_all(banner(port)).await;
    let mut sink = [0u8; 256];
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut sink)).await;
}
