//! A small HTTP/1.1 client on hyper over a connection the scanner opened itself (so the gate, the timeouts and the
//! TLS settings are its own), with the head and the body bounded.

use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;

use crate::net::NetError;

/// A response: status, headers (names in lower case, in order) and as much of the body as asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body was longer than the limit and was cut.
    pub truncated: bool,
}

impl HttpResponse {
    /// The values of a header, in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP/1.1 connection for several requests in a row (keep-alive), closed when dropped.
pub(crate) struct HttpConn {
    sender: SendRequest<Empty<Bytes>>,
    driver: JoinHandle<()>,
    host: String,
    user_agent: String,
    timeout: Duration,
    head_limit: usize,
    body_limit: usize,
}

impl Drop for HttpConn {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl HttpConn {
    pub(crate) async fn open<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
        stream: S,
        host: &str,
        user_agent: &str,
        timeout: Duration,
        head_limit: usize,
        body_limit: usize,
    ) -> Result<HttpConn, NetError> {
        let mut builder = http1::Builder::new();
        builder.max_buf_size(head_limit.max(8192)).max_headers(100);
        let (sender, conn) = builder
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|e| NetError::Protocol(e.to_string()))?;
        let driver = tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(HttpConn {
            sender,
            driver,
            host: host.to_string(),
            user_agent: user_agent.to_string(),
            timeout,
            head_limit,
            body_limit,
        })
    }

    /// Whether another request can go over this connection.
    pub(crate) fn is_open(&self) -> bool {
        !self.sender.is_closed()
    }

    /// `GET path`, reading at most `body` bytes of the body (0: none).
    pub(crate) async fn get(&mut self, path: &str, read_body: bool) -> Result<HttpResponse, NetError> {
        let request = hyper::Request::get(path)
            .header("host", &self.host)
            .header("user-agent", &self.user_agent)
            .header("accept", "*/*")
            .body(Empty::<Bytes>::new())
            .map_err(|e| NetError::Protocol(e.to_string()))?;
        let body_limit = if read_body { self.body_limit } else { 0 };
        let head_limit = self.head_limit;
        let sender = &mut self.sender;
        let exchange = async move {
            sender.ready().await.map_err(|e| NetError::Protocol(e.to_string()))?;
            let response = sender.send_request(request).await.map_err(hyper_error)?;
            let status = response.status().as_u16();
            let mut headers = Vec::new();
            let mut head = 0usize;
            for (name, value) in response.headers() {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                head += name.as_str().len() + value.len() + 4;
                headers.push((name.as_str().to_ascii_lowercase(), value));
            }
            if head > head_limit {
                return Err(NetError::TooLarge);
            }
            let mut body = Vec::new();
            let mut truncated = false;
            let mut incoming = response.into_body();
            if body_limit > 0 {
                while let Some(frame) = incoming.frame().await {
                    let frame = frame.map_err(hyper_error)?;
                    if let Ok(data) = frame.into_data() {
                        let room = body_limit - body.len();
                        if data.len() > room {
                            body.extend_from_slice(&data[..room]);
                            truncated = true;
                            break;
                        }
                        body.extend_from_slice(&data);
                    }
                }
            }
            Ok(HttpResponse {
                status,
                headers,
                body,
                truncated,
            })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Err(_) => Err(NetError::Timeout),
            Ok(r) => r,
        }
    }
}

fn hyper_error(e: hyper::Error) -> NetError {
    if e.is_timeout() {
        NetError::Timeout
    } else if e.is_incomplete_message() || e.is_canceled() || e.is_closed() {
        NetError::Closed
    } else if e.is_parse() {
        // hyper reports a head beyond `max_buf_size` as a parse error too.
        if e.to_string().contains("too large") {
            NetError::TooLarge
        } else {
            NetError::Protocol("not a valid HTTP response".into())
        }
    } else {
        NetError::Protocol(e.to_string())
    }
}

/// The target of a `Location` header relative to `base` (`https://host`): (scheme, host, path).
pub(crate) fn resolve_location(scheme: &str, host: &str, location: &str) -> Option<(String, String, String)> {
    let location = location.trim();
    if let Some((s, rest)) = location.split_once("://") {
        let s = s.to_ascii_lowercase();
        if s != "http" && s != "https" {
            return None;
        }
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        // Drop userinfo and port.
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let h = if authority.starts_with('[') {
            authority.split(']').next().map(|a| format!("{a}]")).unwrap_or_default()
        } else {
            authority.split(':').next().unwrap_or("").to_string()
        };
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        Some((s, h.trim_end_matches('.').to_ascii_lowercase(), path))
    } else if let Some(rest) = location.strip_prefix("//") {
        resolve_location(scheme, host, &format!("{scheme}://{rest}"))
    } else if location.starts_with('/') {
        Some((scheme.to_string(), host.to_string(), location.to_string()))
    } else {
        Some((scheme.to_string(), host.to_string(), format!("/{location}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn locations_resolve_against_the_request() {
        let r = |l| resolve_location("http", "gent.be", l);
        assert_eq!(r("https://gent.be/"), Some(("https".into(), "gent.be".into(), "/".into())));
        assert_eq!(r("https://www.Gent.be"), Some(("https".into(), "www.gent.be".into(), "/".into())));
        assert_eq!(
            r("https://gent.be:443/nl?x=1"),
            Some(("https".into(), "gent.be".into(), "/nl?x=1".into()))
        );
        assert_eq!(r("/nl/"), Some(("http".into(), "gent.be".into(), "/nl/".into())));
        assert_eq!(r("//gent.be/x"), Some(("http".into(), "gent.be".into(), "/x".into())));
        assert_eq!(r("ftp://gent.be/"), None);
        assert_eq!(r("https://user@gent.be./"), Some(("https".into(), "gent.be".into(), "/".into())));
    }

    #[tokio::test]
    async fn requests_carry_the_identity_and_bodies_are_bounded() {
        let (client, mut server) = tokio::io::duplex(64 * 1024);
        let srv = tokio::spawn(async move {
            let mut buf = vec![0; 4096];
            let n = server.read(&mut buf).await.unwrap();
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let body = "x".repeat(5000);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nX-Frame-Options: DENY\r\n\r\n{body}",
                body.len()
            );
            server.write_all(response.as_bytes()).await.unwrap();
            request
        });
        let mut conn = HttpConn::open(
            client,
            "gent.be",
            "cyberveilig-baseline/test",
            Duration::from_secs(5),
            16 * 1024,
            1000,
        )
        .await
        .unwrap();
        let r = conn.get("/.well-known/security.txt", true).await.unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        assert_eq!(r.body.len(), 1000);
        assert!(r.truncated);
        let request = srv.await.unwrap();
        assert!(request.starts_with("GET /.well-known/security.txt HTTP/1.1\r\n"), "{request}");
        assert!(
            request.to_ascii_lowercase().contains("user-agent: cyberveilig-baseline/test"),
            "{request}"
        );
        assert!(request.to_ascii_lowercase().contains("host: gent.be"), "{request}");
    }

    #[tokio::test]
    async fn endless_headers_are_refused() {
        let (client, mut server) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            let mut buf = vec![0; 4096];
            let _ = server.read(&mut buf).await.unwrap();
            let _ = server.write_all(b"HTTP/1.1 200 OK\r\n").await;
            loop {
                if server
                    .write_all(b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n")
                    .await
                    .is_err()
                {
                    break;
                }
            }
        });
        let mut conn = HttpConn::open(client, "gent.be", "ua", Duration::from_secs(5), 8192, 1000)
            .await
            .unwrap();
        let r = conn.get("/", false).await;
        assert!(matches!(r, Err(NetError::TooLarge) | Err(NetError::Protocol(_))), "{r:?}");
    }

    #[tokio::test]
    async fn a_silent_server_times_out() {
        let (client, _server) = tokio::io::duplex(1024);
        let mut conn = HttpConn::open(client, "gent.be", "ua", Duration::from_millis(50), 8192, 1000)
            .await
            .unwrap();
        assert_eq!(conn.get("/", false).await, Err(NetError::Timeout));
    }
}
