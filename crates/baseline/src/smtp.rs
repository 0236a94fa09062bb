//! Just enough SMTP to ask for STARTTLS (RFC 5321, RFC 3207), with every reply bounded and timed.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::net::NetError;

/// How a session went up to the point of the TLS handshake.
#[derive(Debug)]
pub(crate) enum Starttls<S> {
    /// The server said 220 to STARTTLS: the stream is ready for a ClientHello.
    Ready(S),
    /// EHLO did not list STARTTLS.
    NotOffered,
    /// The server refused somewhere: the reply.
    Refused(String),
}

/// A reply: its code and its text lines.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

/// Reads the greeting, says EHLO and asks for STARTTLS.
pub(crate) async fn starttls<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    ehlo_name: &str,
    timeout: Duration,
    limit: usize,
) -> Result<Starttls<S>, NetError> {
    let mut buf = Vec::new();
    let greeting = read_reply(&mut stream, &mut buf, timeout, limit).await?;
    if greeting.code != 220 {
        return Ok(Starttls::Refused(greeting.summary()));
    }
    send(&mut stream, &format!("EHLO {ehlo_name}\r\n"), timeout).await?;
    let ehlo = read_reply(&mut stream, &mut buf, timeout, limit).await?;
    if ehlo.code != 250 {
        let _ = send(&mut stream, "QUIT\r\n", timeout).await;
        return Ok(Starttls::Refused(ehlo.summary()));
    }
    if !ehlo
        .lines
        .iter()
        .skip(1)
        .any(|l| l.split_whitespace().next().is_some_and(|k| k.eq_ignore_ascii_case("STARTTLS")))
    {
        let _ = send(&mut stream, "QUIT\r\n", timeout).await;
        return Ok(Starttls::NotOffered);
    }
    send(&mut stream, "STARTTLS\r\n", timeout).await?;
    let ready = read_reply(&mut stream, &mut buf, timeout, limit).await?;
    if ready.code != 220 {
        let _ = send(&mut stream, "QUIT\r\n", timeout).await;
        return Ok(Starttls::Refused(ready.summary()));
    }
    if !buf.is_empty() {
        // Bytes after the 220 before our ClientHello: a server (or a man in the middle) injecting commands.
        return Err(NetError::Protocol("data after the STARTTLS reply".into()));
    }
    Ok(Starttls::Ready(stream))
}

impl Reply {
    /// `550 go away`: the code and the first line, at most 200 characters.
    pub(crate) fn summary(&self) -> String {
        let first = self.lines.first().map(String::as_str).unwrap_or("");
        let mut s = format!("{} {}", self.code, first);
        if s.len() > 200 {
            let mut cut = 200;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
        }
        s
    }
}

async fn send<S: AsyncWrite + Unpin>(stream: &mut S, line: &str, timeout: Duration) -> Result<(), NetError> {
    match tokio::time::timeout(timeout, stream.write_all(line.as_bytes())).await {
        Err(_) => Err(NetError::Timeout),
        Ok(r) => r.map_err(NetError::from),
    }
}

/// Reads one (multi-line) reply. `buf` keeps bytes read past it.
pub(crate) async fn read_reply<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
    timeout: Duration,
    limit: usize,
) -> Result<Reply, NetError> {
    let read = async {
        let mut code = None;
        let mut lines = Vec::new();
        let mut consumed = 0usize;
        loop {
            while let Some(end) = buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = buf.drain(..=end).collect();
                consumed += line.len();
                let line = String::from_utf8_lossy(&line).trim_end().to_string();
                if line.len() < 3 || !line.as_bytes()[..3].iter().all(u8::is_ascii_digit) {
                    return Err(NetError::Protocol("not an SMTP reply".into()));
                }
                let this: u16 = line[..3].parse().map_err(|_| NetError::Protocol("not an SMTP reply".into()))?;
                if *code.get_or_insert(this) != this {
                    return Err(NetError::Protocol("an SMTP reply with mixed codes".into()));
                }
                let last = line.as_bytes().get(3) != Some(&b'-');
                lines.push(line.get(4..).unwrap_or("").to_string());
                if last {
                    return Ok(Reply { code: this, lines });
                }
            }
            if consumed + buf.len() > limit {
                return Err(NetError::TooLarge);
            }
            let mut chunk = [0u8; 2048];
            let n = stream.read(&mut chunk).await.map_err(NetError::from)?;
            if n == 0 {
                return Err(NetError::Closed);
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    match tokio::time::timeout(timeout, read).await {
        Err(_) => Err(NetError::Timeout),
        Ok(r) => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn a_server_offering_starttls() {
        let (client, mut server) = tokio::io::duplex(4096);
        let srv = tokio::spawn(async move {
            server.write_all(b"220 mx.gent.be ESMTP\r\n").await.unwrap();
            let mut buf = vec![0; 256];
            let n = server.read(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"EHLO scanner.example\r\n");
            server
                .write_all(b"250-mx.gent.be\r\n250-PIPELINING\r\n250-starttls\r\n250 8BITMIME\r\n")
                .await
                .unwrap();
            let n = server.read(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"STARTTLS\r\n");
            server.write_all(b"220 2.0.0 Ready to start TLS\r\n").await.unwrap();
            server
        });
        let r = starttls(client, "scanner.example", T, 16 * 1024).await.unwrap();
        assert!(matches!(r, Starttls::Ready(_)));
        srv.await.unwrap();
    }

    #[tokio::test]
    async fn a_server_without_starttls() {
        let (client, mut server) = tokio::io::duplex(4096);
        tokio::spawn(async move {
            server.write_all(b"220 mx ESMTP\r\n").await.unwrap();
            let mut buf = vec![0; 256];
            let _ = server.read(&mut buf).await.unwrap();
            server.write_all(b"250-mx\r\n250 SIZE 1000\r\n").await.unwrap();
            let _ = server.read(&mut buf).await;
        });
        assert!(matches!(
            starttls(client, "s.example", T, 16 * 1024).await.unwrap(),
            Starttls::NotOffered
        ));
    }

    #[tokio::test]
    async fn replies_are_bounded_and_checked() {
        let mut buf = Vec::new();
        let mut endless = &b"220-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(1000)[..];
        assert_eq!(read_reply(&mut endless, &mut buf, T, 4096).await, Err(NetError::TooLarge));
        let mut buf = Vec::new();
        assert!(matches!(
            read_reply(&mut &b"HTTP/1.1 200 OK\r\n"[..], &mut buf, T, 4096).await,
            Err(NetError::Protocol(_))
        ));
        let mut buf = Vec::new();
        let r = read_reply(&mut &b"554 5.7.1 no thanks\r\n"[..], &mut buf, T, 4096).await.unwrap();
        assert_eq!(r.summary(), "554 5.7.1 no thanks");
        let mut buf = Vec::new();
        let (mut client, _server) = tokio::io::duplex(64);
        assert_eq!(
            read_reply(&mut client, &mut buf, Duration::from_millis(20), 4096).await,
            Err(NetError::Timeout)
        );
    }

    #[tokio::test]
    async fn bytes_after_the_starttls_reply_are_refused() {
        let (client, mut server) = tokio::io::duplex(4096);
        tokio::spawn(async move {
            server.write_all(b"220 mx ESMTP\r\n").await.unwrap();
            let mut buf = vec![0; 256];
            let _ = server.read(&mut buf).await.unwrap();
            server.write_all(b"250-mx\r\n250 STARTTLS\r\n").await.unwrap();
            let _ = server.read(&mut buf).await.unwrap();
            server.write_all(b"220 go ahead\r\nMAIL FROM:<x@y>\r\n").await.unwrap();
            let _ = server.read(&mut buf).await;
        });
        assert!(matches!(
            starttls(client, "s.example", T, 16 * 1024).await,
            Err(NetError::Protocol(_))
        ));
    }
}
