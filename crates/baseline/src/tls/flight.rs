//! Reading the server's answer to a hand-built ClientHello: records reassembled into handshake messages, parsed with
//! tls-parser, up to ServerHelloDone (or the ServerHello, or an alert), never more than a set number of bytes.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use tls_parser::{TlsMessage, TlsMessageHandshake, parse_dh_params, parse_ecdh_params, parse_tls_message_handshake};
use tokio::io::AsyncRead;

use super::levels::{DhGroup, SuiteKx, TlsVersion, suite_kx};
use crate::net::{NetError, read_exact};

/// What the ServerHello said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    /// The version agreed (from `supported_versions` for TLS 1.3).
    pub version: TlsVersion,
    pub suite: u16,
    pub compression: u8,
    /// The server sent `renegotiation_info` (RFC 5746).
    pub secure_renegotiation: bool,
    /// TLS 1.3: the group of the key share, or the group a HelloRetryRequest asks for.
    pub group: Option<u16>,
    pub hello_retry: bool,
}

/// The key exchange parameters of a ServerKeyExchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyExchange {
    Ecdhe { group: u16, sigalg: Option<u16> },
    Dhe { group: DhGroup, sigalg: Option<u16> },
}

impl KeyExchange {
    pub fn sigalg(&self) -> Option<u16> {
        match self {
            KeyExchange::Ecdhe { sigalg, .. } | KeyExchange::Dhe { sigalg, .. } => *sigalg,
        }
    }
}

/// Everything read from the server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flight {
    pub hello: Option<ServerHello>,
    /// The certificates, leaf first (TLS 1.2 and older; encrypted in TLS 1.3).
    pub chain: Vec<Vec<u8>>,
    pub key_exchange: Option<KeyExchange>,
    /// A fatal or warning alert: its description code.
    pub alert: Option<u8>,
    /// ServerHelloDone was read.
    pub done: bool,
}

/// How far to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadUntil {
    ServerHello,
    ServerHelloDone,
}

fn hello_retry_random() -> &'static [u8; 32] {
    static HRR: OnceLock<[u8; 32]> = OnceLock::new();
    HRR.get_or_init(|| Sha256::digest(b"HelloRetryRequest").into())
}

/// Reads the server's flight. An alert or a closed connection ends it without error (the server said no); anything
/// that is not TLS, or more than `limit` bytes, is an error.
pub async fn read_flight<R: AsyncRead + Unpin>(r: &mut R, until: ReadUntil, limit: usize) -> Result<Flight, NetError> {
    let mut flight = Flight::default();
    let mut handshake: Vec<u8> = Vec::new();
    let mut total = 0usize;
    loop {
        let mut header = [0u8; 5];
        match read_exact(r, &mut header).await {
            Ok(()) => {}
            Err(NetError::Closed) => return Ok(flight),
            Err(e) => return Err(e),
        }
        let kind = header[0];
        if kind & 0x80 != 0 && total == 0 {
            return Err(NetError::Protocol("an SSL 2.0 answer".into()));
        }
        if !(20..=23).contains(&kind) || header[1] != 3 {
            return Err(NetError::Protocol("not a TLS answer".into()));
        }
        let len = u16::from_be_bytes([header[3], header[4]]) as usize;
        if len > 16384 + 2048 {
            return Err(NetError::Protocol("record too long".into()));
        }
        total += 5 + len;
        if total > limit {
            return Err(NetError::TooLarge);
        }
        let mut body = vec![0u8; len];
        match read_exact(r, &mut body).await {
            Ok(()) => {}
            Err(NetError::Closed) => return Ok(flight),
            Err(e) => return Err(e),
        }
        match kind {
            21 => {
                flight.alert = body.get(1).copied();
                return Ok(flight);
            }
            22 => {
                handshake.extend_from_slice(&body);
                while handshake.len() >= 4 {
                    let msg_len = ((handshake[1] as usize) << 16) | ((handshake[2] as usize) << 8) | handshake[3] as usize;
                    if handshake.len() < 4 + msg_len {
                        break;
                    }
                    let msg: Vec<u8> = handshake.drain(..4 + msg_len).collect();
                    if take_message(&mut flight, &msg)? {
                        return Ok(flight);
                    }
                    if until == ReadUntil::ServerHello && flight.hello.is_some() {
                        return Ok(flight);
                    }
                }
            }
            // ChangeCipherSpec or application data: whatever follows is encrypted.
            _ => return Ok(flight),
        }
    }
}

/// Takes one handshake message; true when the flight is over.
fn take_message(flight: &mut Flight, msg: &[u8]) -> Result<bool, NetError> {
    let kind = msg[0];
    match kind {
        2 => {
            let parsed = parse_tls_message_handshake(msg).map_err(|_| NetError::Protocol("a malformed ServerHello".into()))?;
            let TlsMessage::Handshake(TlsMessageHandshake::ServerHello(sh)) = parsed.1 else {
                return Err(NetError::Protocol("a malformed ServerHello".into()));
            };
            let mut hello = ServerHello {
                version: TlsVersion::from_wire(sh.version.0)
                    .ok_or_else(|| NetError::Protocol(format!("version 0x{:04x}", sh.version.0)))?,
                suite: sh.cipher.0,
                compression: sh.compression.0,
                secure_renegotiation: false,
                group: None,
                hello_retry: sh.random == hello_retry_random(),
            };
            if let Some(ext) = sh.ext {
                for (kind, data) in extensions(ext) {
                    match kind {
                        0xff01 => hello.secure_renegotiation = true,
                        43 if data.len() == 2 => {
                            if let Some(v) = TlsVersion::from_wire(u16::from_be_bytes([data[0], data[1]])) {
                                hello.version = v;
                            }
                        }
                        51 if data.len() >= 2 => hello.group = Some(u16::from_be_bytes([data[0], data[1]])),
                        _ => {}
                    }
                }
            }
            let tls13 = hello.version == TlsVersion::Tls13;
            flight.hello = Some(hello);
            // In TLS 1.3 everything after the ServerHello is encrypted.
            Ok(tls13)
        }
        11 => {
            let parsed = parse_tls_message_handshake(msg).map_err(|_| NetError::Protocol("a malformed Certificate".into()))?;
            if let TlsMessage::Handshake(TlsMessageHandshake::Certificate(c)) = parsed.1 {
                flight.chain = c.cert_chain.iter().map(|c| c.data.to_vec()).collect();
            }
            Ok(false)
        }
        12 => {
            let (version, suite) = match &flight.hello {
                Some(h) => (h.version, h.suite),
                None => return Err(NetError::Protocol("a ServerKeyExchange before the ServerHello".into())),
            };
            let params = &msg[4..];
            flight.key_exchange = match suite_kx(suite) {
                SuiteKx::Ecdhe => parse_ecdh_params(params)
                    .ok()
                    .and_then(|(rest, p)| match p.curve_params.params_content {
                        tls_parser::ECParametersContent::NamedGroup(g) => Some(KeyExchange::Ecdhe {
                            group: g.0,
                            sigalg: sigalg(version, rest),
                        }),
                        _ => None,
                    }),
                SuiteKx::Dhe => parse_dh_params(params).ok().map(|(rest, p)| KeyExchange::Dhe {
                    group: DhGroup::from_prime(p.dh_p),
                    sigalg: sigalg(version, rest),
                }),
                _ => None,
            };
            Ok(false)
        }
        14 => {
            flight.done = true;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// In TLS 1.2 the signature over the key exchange starts with its algorithm.
fn sigalg(version: TlsVersion, rest: &[u8]) -> Option<u16> {
    if version == TlsVersion::Tls12 && rest.len() >= 2 {
        Some(u16::from_be_bytes([rest[0], rest[1]]))
    } else {
        None
    }
}

/// The (type, data) pairs of an extensions block; stops at the first malformed one.
pub(crate) fn extensions(mut data: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    while data.len() >= 4 {
        let kind = u16::from_be_bytes([data[0], data[1]]);
        let len = u16::from_be_bytes([data[2], data[3]]) as usize;
        if data.len() < 4 + len {
            break;
        }
        out.push((kind, &data[4..4 + len]));
        data = &data[4 + len..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::hello::{put_u16, put_u24};

    fn record(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind, 3, 3];
        put_u16(&mut out, body.len() as u16);
        out.extend_from_slice(body);
        out
    }

    fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        put_u24(&mut out, body.len());
        out.extend_from_slice(body);
        out
    }

    fn server_hello(version: u16, suite: u16, compression: u8, ext: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        put_u16(&mut b, version);
        b.extend_from_slice(&[9; 32]);
        b.push(0);
        put_u16(&mut b, suite);
        b.push(compression);
        if !ext.is_empty() {
            put_u16(&mut b, ext.len() as u16);
            b.extend_from_slice(ext);
        }
        handshake(2, &b)
    }

    async fn read(bytes: Vec<u8>, until: ReadUntil) -> Result<Flight, NetError> {
        read_flight(&mut &bytes[..], until, 64 * 1024).await
    }

    #[tokio::test]
    async fn a_tls12_flight_with_certificate_and_ecdhe() {
        let mut ske = vec![3];
        put_u16(&mut ske, 19); // secp192r1
        ske.push(3);
        ske.extend_from_slice(&[4, 1, 2]);
        put_u16(&mut ske, 0x0201); // rsa_pkcs1_sha1
        put_u16(&mut ske, 2);
        ske.extend_from_slice(&[0, 0]);
        let mut cert = Vec::new();
        put_u24(&mut cert, 3 + 4);
        put_u24(&mut cert, 4);
        cert.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        let mut msgs = server_hello(0x0303, 0xC013, 0, &[0xff, 0x01, 0, 1, 0]);
        msgs.extend(handshake(11, &cert));
        msgs.extend(handshake(12, &ske));
        msgs.extend(handshake(14, &[]));
        // Split over two records, in the middle of a message.
        let mut bytes = record(22, &msgs[..20]);
        bytes.extend(record(22, &msgs[20..]));
        let f = read(bytes, ReadUntil::ServerHelloDone).await.unwrap();
        let hello = f.hello.unwrap();
        assert_eq!(
            (hello.version, hello.suite, hello.compression, hello.secure_renegotiation),
            (TlsVersion::Tls12, 0xC013, 0, true)
        );
        assert_eq!(f.chain, vec![vec![0xde, 0xad, 0xbe, 0xef]]);
        assert_eq!(
            f.key_exchange,
            Some(KeyExchange::Ecdhe {
                group: 19,
                sigalg: Some(0x0201)
            })
        );
        assert!(f.done);
    }

    #[tokio::test]
    async fn a_tls13_hello_and_a_retry_request() {
        let mut ext = Vec::new();
        ext.extend_from_slice(&[0, 43, 0, 2, 3, 4]);
        ext.extend_from_slice(&[0, 51, 0, 2, 0, 23]);
        let mut sh = server_hello(0x0303, 0x1302, 0, &ext);
        let f = read(record(22, &sh), ReadUntil::ServerHelloDone).await.unwrap();
        let hello = f.hello.unwrap();
        assert_eq!(
            (hello.version, hello.suite, hello.group, hello.hello_retry),
            (TlsVersion::Tls13, 0x1302, Some(23), false)
        );
        // The same with the HelloRetryRequest random.
        sh[6..38].copy_from_slice(hello_retry_random());
        let f = read(record(22, &sh), ReadUntil::ServerHello).await.unwrap();
        assert!(f.hello.unwrap().hello_retry);
    }

    #[tokio::test]
    async fn alerts_and_closed_connections_are_refusals_not_errors() {
        let f = read(record(21, &[2, 70]), ReadUntil::ServerHelloDone).await.unwrap();
        assert_eq!((f.hello, f.alert), (None, Some(70)));
        let f = read(Vec::new(), ReadUntil::ServerHelloDone).await.unwrap();
        assert_eq!(f, Flight::default());
    }

    #[tokio::test]
    async fn anything_else_is_an_error() {
        assert!(matches!(
            read(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec(), ReadUntil::ServerHello).await,
            Err(NetError::Protocol(_))
        ));
        assert!(matches!(
            read(vec![0x80, 0x2e, 4, 0, 1], ReadUntil::ServerHello).await,
            Err(NetError::Protocol(_))
        ));
        // A stream of empty-ish records beyond the limit.
        let mut many = Vec::new();
        for _ in 0..100 {
            many.extend(record(22, &[0; 1000]));
        }
        assert_eq!(
            read_flight(&mut &many[..], ReadUntil::ServerHelloDone, 50_000).await,
            Err(NetError::TooLarge)
        );
    }
}
