//! Opening connections through the politeness gate, and reading with limits.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::config::{Limits, PortMap, Timeouts};
use crate::model::{Judgement, Verdict};
use crate::policy::{AddressPolicy, Gate, Permit};
use crate::reason::{Reason, ReasonCode};

/// Why a network step failed. Its text is a short technical phrase, used as the `{error}` value of reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// The address policy refused the address.
    Refused(IpAddr),
    /// Nothing answered in time.
    Timeout,
    /// The connection was refused (nothing listens).
    ConnectionRefused,
    /// The peer closed the connection.
    Closed,
    /// The answer exceeded a limit.
    TooLarge,
    /// The answer made no sense for the protocol.
    Protocol(String),
    /// Another I/O error.
    Io(String),
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Refused(ip) => write!(f, "address {ip} refused by the scan policy"),
            NetError::Timeout => f.write_str("timed out"),
            NetError::ConnectionRefused => f.write_str("connection refused"),
            NetError::Closed => f.write_str("connection closed"),
            NetError::TooLarge => f.write_str("answer too large"),
            NetError::Protocol(what) => write!(f, "protocol error: {what}"),
            NetError::Io(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for NetError {}

impl NetError {
    /// The judgement of a check that could not be made because of this error: not tested, and why.
    pub(crate) fn judgement(&self, endpoint: &str) -> Judgement {
        match self {
            NetError::Refused(ip) => Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::AddressRefused).arg("address", ip)),
            other => Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::Unreachable).arg("endpoint", endpoint).arg("error", other),
            ),
        }
    }
}

impl From<io::Error> for NetError {
    fn from(e: io::Error) -> NetError {
        match e.kind() {
            io::ErrorKind::ConnectionRefused => NetError::ConnectionRefused,
            io::ErrorKind::TimedOut => NetError::Timeout,
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => NetError::Closed,
            _ => NetError::Io(e.to_string()),
        }
    }
}

/// Opens connections: checks the address policy, waits at the gate, maps the port in the test mode, and times out.
pub(crate) struct Net {
    pub(crate) gate: Gate,
    pub(crate) policy: AddressPolicy,
    pub(crate) ports: PortMap,
    pub(crate) timeouts: Timeouts,
    pub(crate) limits: Limits,
}

impl Net {
    /// A TCP connection to `ip`:`port` (the well-known port; mapped in the test mode), counted in `counter`.
    pub(crate) async fn connect(&self, ip: IpAddr, port: u16, counter: &AtomicU64) -> Result<Conn, NetError> {
        if !self.policy.allows(ip) {
            return Err(NetError::Refused(ip));
        }
        let permit = self.gate.enter(ip).await;
        counter.fetch_add(1, Ordering::Relaxed);
        let addr = SocketAddr::new(ip, self.ports.map(port));
        let stream = match tokio::time::timeout(self.timeouts.connect, TcpStream::connect(addr)).await {
            Err(_) => return Err(NetError::Timeout),
            Ok(Err(e)) => return Err(e.into()),
            Ok(Ok(s)) => s,
        };
        let _ = stream.set_nodelay(true);
        Ok(Conn { stream, _permit: permit })
    }
}

/// A connection that holds its place at the gate until dropped.
pub(crate) struct Conn {
    stream: TcpStream,
    _permit: Permit,
}

impl AsyncRead for Conn {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Reads exactly `buf.len()` bytes.
pub(crate) async fn read_exact<R: AsyncRead + Unpin>(r: &mut R, buf: &mut [u8]) -> Result<(), NetError> {
    r.read_exact(buf).await.map(|_| ()).map_err(NetError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_short_phrases() {
        assert_eq!(NetError::Timeout.to_string(), "timed out");
        assert_eq!(
            NetError::from(io::Error::from(io::ErrorKind::ConnectionRefused)),
            NetError::ConnectionRefused
        );
        assert_eq!(NetError::from(io::Error::from(io::ErrorKind::UnexpectedEof)), NetError::Closed);
    }
}
