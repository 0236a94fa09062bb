//! The fleet's TLS servers: the ClientHello is read first; rustls takes it when it can (and a real handshake
//! follows), otherwise the hand-rolled responder answers with the ServerHello, Certificate, ServerKeyExchange and
//! ServerHelloDone of whatever old version, suite or group the variant accepts, and never finishes the handshake
//! (which is all a scanner looks at). This is how SSL 3.0 or a CBC suite are served without OpenSSL.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::ServerConfig;
use tls_parser::{TlsCipherMac, TlsCipherSuite, TlsMessage, TlsMessageHandshake, parse_tls_message_handshake};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use super::pki::Served;
use super::spec::{Legacy, Modern};
use crate::tls::flight::extensions;
use crate::tls::hello::{put_u16, put_u24};
use crate::tls::levels::{SuiteKx, suite_kx};

/// What a ClientHello offered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Offer {
    pub version: u16,
    pub versions: Option<Vec<u16>>,
    pub suites: Vec<u16>,
    pub compression: Vec<u8>,
    pub groups: Vec<u16>,
    pub sigalgs: Vec<u16>,
    pub renegotiation: bool,
}

fn u16s(data: &[u8], skip: usize) -> Vec<u16> {
    data.get(skip..)
        .unwrap_or(&[])
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect()
}

/// Reads a ClientHello (at most 64 KiB); returns the bytes read and what it offered.
pub(crate) async fn read_hello<S: AsyncRead + Unpin>(stream: &mut S) -> Option<(Vec<u8>, Offer)> {
    let mut raw = Vec::new();
    let mut handshake = Vec::new();
    while raw.len() < 64 * 1024 {
        let mut header = [0u8; 5];
        stream.read_exact(&mut header).await.ok()?;
        if header[0] != 22 || header[1] != 3 {
            return None;
        }
        let len = u16::from_be_bytes([header[3], header[4]]) as usize;
        let mut body = vec![0u8; len];
        stream.read_exact(&mut body).await.ok()?;
        raw.extend_from_slice(&header);
        raw.extend_from_slice(&body);
        handshake.extend_from_slice(&body);
        if handshake.len() >= 4 {
            let need = 4 + (((handshake[1] as usize) << 16) | ((handshake[2] as usize) << 8) | handshake[3] as usize);
            if handshake.len() >= need {
                let (_, msg) = parse_tls_message_handshake(&handshake[..need]).ok()?;
                let TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch)) = msg else {
                    return None;
                };
                let mut offer = Offer {
                    version: ch.version.0,
                    suites: ch.ciphers.iter().map(|c| c.0).collect(),
                    compression: ch.comp.iter().map(|c| c.0).collect(),
                    ..Offer::default()
                };
                offer.renegotiation = offer.suites.contains(&0x00FF);
                for (kind, data) in ch.ext.map(extensions).unwrap_or_default() {
                    match kind {
                        10 => offer.groups = u16s(data, 2),
                        13 => offer.sigalgs = u16s(data, 2),
                        43 => offer.versions = Some(u16s(data, 1)),
                        0xff01 => offer.renegotiation = true,
                        _ => {}
                    }
                }
                return Some((raw, offer));
            }
        }
    }
    None
}

/// A variant's TLS server.
pub(crate) struct TlsServer {
    pub modern: Option<(Modern, Arc<ServerConfig>)>,
    pub legacy: Option<Legacy>,
    pub served: Served,
}

const RUSTLS_TLS13: [u16; 3] = [0x1301, 0x1302, 0x1303];
const RUSTLS_TLS12_ECDSA: [u16; 3] = [0xC02B, 0xC02C, 0xCCA9];
const RUSTLS_GROUPS: [u16; 3] = [29, 23, 24];

impl TlsServer {
    pub(crate) fn new(modern: Option<Modern>, legacy: Option<Legacy>, served: Served) -> Result<TlsServer, String> {
        let modern = match (modern, served.rustls_key()) {
            (Some(m), Some(key)) => {
                let mut versions: Vec<&'static rustls::SupportedProtocolVersion> = Vec::new();
                if m.tls13 {
                    versions.push(&rustls::version::TLS13);
                }
                if m.tls12 {
                    versions.push(&rustls::version::TLS12);
                }
                let config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                    .with_protocol_versions(&versions)
                    .map_err(|e| e.to_string())?
                    .with_no_client_auth()
                    .with_single_cert(served.rustls_chain(), key)
                    .map_err(|e| e.to_string())?;
                Some((m, Arc::new(config)))
            }
            _ => None,
        };
        Ok(TlsServer { modern, legacy, served })
    }

    /// Whether rustls (configured as it is here) would take this ClientHello.
    fn modern_takes(&self, offer: &Offer) -> bool {
        let Some((m, _)) = &self.modern else { return false };
        let groups = offer.groups.iter().any(|g| RUSTLS_GROUPS.contains(g));
        let tls13 = offer.versions.as_ref().is_some_and(|v| v.contains(&0x0304));
        let tls12 = match &offer.versions {
            Some(v) => v.contains(&0x0303),
            None => offer.version >= 0x0303,
        };
        if m.tls13 && tls13 && groups && offer.suites.iter().any(|s| RUSTLS_TLS13.contains(s)) {
            return true;
        }
        let legacy_first = self.legacy.as_ref().is_some_and(|l| l.below_tls13);
        m.tls12
            && tls12
            && !legacy_first
            && groups
            && offer.sigalgs.contains(&0x0403)
            && offer.suites.iter().any(|s| RUSTLS_TLS12_ECDSA.contains(s))
    }

    /// Serves one connection; returns the TLS stream when a full handshake happened.
    pub(crate) async fn accept<S: AsyncRead + AsyncWrite + Unpin>(&self, mut stream: S) -> Option<TlsStream<Rewind<S>>> {
        let (raw, offer) = tokio::time::timeout(Duration::from_secs(10), read_hello(&mut stream))
            .await
            .ok()??;
        let use_legacy = !self.modern_takes(&offer) && self.legacy.is_some();
        if use_legacy {
            let legacy = self.legacy.as_ref()?;
            let flight = respond(legacy, &self.served.chain, &offer);
            let _ = stream.write_all(&flight).await;
            // Wait for the client to give up (it never gets further).
            let mut sink = [0u8; 1024];
            let _ = tokio::time::timeout(Duration::from_secs(5), async {
                while let Ok(n) = stream.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
            })
            .await;
            return None;
        }
        let Some((_, config)) = &self.modern else {
            let _ = stream.write_all(&alert(0x0303, 40)).await;
            return None;
        };
        let acceptor = TlsAcceptor::from(config.clone());
        tokio::time::timeout(
            Duration::from_secs(10),
            acceptor.accept(Rewind {
                prefix: raw,
                pos: 0,
                inner: stream,
            }),
        )
        .await
        .ok()?
        .ok()
    }
}

fn record(kind: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 5 * (body.len() / 16384 + 1));
    for chunk in body.chunks(16384) {
        out.push(kind);
        put_u16(&mut out, version);
        put_u16(&mut out, chunk.len() as u16);
        out.extend_from_slice(chunk);
    }
    out
}

fn alert(version: u16, description: u8) -> Vec<u8> {
    record(21, version, &[2, description])
}

fn handshake(kind: u8, body: &[u8], out: &mut Vec<u8>) {
    out.push(kind);
    put_u24(out, body.len());
    out.extend_from_slice(body);
}

fn allowed_in(suite: u16, version: u16) -> bool {
    match TlsCipherSuite::from_id(suite) {
        Some(s) if version >= 0x0303 => !matches!(s.kx, tls_parser::TlsCipherKx::Tls13),
        Some(s) => !matches!(
            s.mac,
            TlsCipherMac::Aead | TlsCipherMac::HmacSha256 | TlsCipherMac::HmacSha384 | TlsCipherMac::HmacSha512
        ),
        None => false,
    }
}

/// The responder's flight for an offer: ServerHello .. ServerHelloDone, or an alert.
pub(crate) fn respond(legacy: &Legacy, chain: &[Vec<u8>], offer: &Offer) -> Vec<u8> {
    let client_max = match &offer.versions {
        Some(v) => v.iter().copied().filter(|v| *v <= 0x0303).max(),
        None => Some(offer.version),
    };
    let Some(client_max) = client_max else { return alert(0x0303, 70) };
    let Some(version) = legacy.versions.iter().map(|v| v.wire()).filter(|v| *v <= client_max).max() else {
        return alert(client_max.min(0x0303), 70);
    };
    let client_groups: Vec<u16> = if offer.groups.is_empty() { vec![23] } else { offer.groups.clone() };
    let group = legacy.groups.iter().copied().find(|g| client_groups.contains(g));
    let suite = legacy.suites.iter().copied().find(|s| {
        offer.suites.contains(s)
            && allowed_in(*s, version)
            && match suite_kx(*s) {
                SuiteKx::Ecdhe => group.is_some(),
                SuiteKx::Dhe => legacy.dh_prime.is_some(),
                _ => true,
            }
    });
    let Some(suite) = suite else { return alert(version, 40) };
    let kx = suite_kx(suite);
    let signs = matches!(kx, SuiteKx::Ecdhe | SuiteKx::Dhe);
    if version == 0x0303 && signs && !offer.sigalgs.contains(&legacy.kex_sigalg) {
        return alert(version, 40);
    }
    let mut messages = Vec::new();
    // ServerHello.
    let mut hello = Vec::new();
    put_u16(&mut hello, version);
    hello.extend_from_slice(&rand::random::<[u8; 32]>());
    hello.push(0);
    put_u16(&mut hello, suite);
    hello.push(if legacy.compression && offer.compression.contains(&1) {
        1
    } else {
        0
    });
    let mut ext = Vec::new();
    if legacy.secure_renegotiation && offer.renegotiation {
        ext.extend_from_slice(&[0xff, 0x01, 0, 1, 0]);
    }
    if kx == SuiteKx::Ecdhe && version > 0x0300 {
        ext.extend_from_slice(&[0, 11, 0, 2, 1, 0]);
    }
    if !ext.is_empty() {
        put_u16(&mut hello, ext.len() as u16);
        hello.extend_from_slice(&ext);
    }
    handshake(2, &hello, &mut messages);
    // Certificate.
    let mut certs = Vec::new();
    for c in chain {
        put_u24(&mut certs, c.len());
        certs.extend_from_slice(c);
    }
    let mut body = Vec::new();
    put_u24(&mut body, certs.len());
    body.extend_from_slice(&certs);
    handshake(11, &body, &mut messages);
    // ServerKeyExchange: the parameters are real, the public value and signature are random bytes.
    if signs {
        let mut ske = Vec::new();
        match (kx, group, &legacy.dh_prime) {
            (SuiteKx::Ecdhe, Some(g), _) => {
                ske.push(3);
                put_u16(&mut ske, g);
                ske.push(65);
                ske.push(4);
                ske.extend_from_slice(&rand::random::<[u8; 32]>());
                ske.extend_from_slice(&rand::random::<[u8; 32]>());
            }
            (_, _, Some(p)) => {
                put_u16(&mut ske, p.len() as u16);
                ske.extend_from_slice(p);
                ske.extend_from_slice(&[0, 1, 2]);
                put_u16(&mut ske, p.len() as u16);
                ske.extend((0..p.len()).map(|_| rand::random::<u8>()));
            }
            _ => {}
        }
        if version == 0x0303 {
            put_u16(&mut ske, legacy.kex_sigalg);
        }
        put_u16(&mut ske, 64);
        ske.extend_from_slice(&rand::random::<[u8; 32]>());
        ske.extend_from_slice(&rand::random::<[u8; 32]>());
        handshake(12, &ske, &mut messages);
    }
    handshake(14, &[], &mut messages);
    record(22, version, &messages)
}

/// A stream that first replays bytes already read.
pub(crate) struct Rewind<S> {
    prefix: Vec<u8>,
    pos: usize,
    inner: S,
}

impl<S> Rewind<S> {
    pub(crate) fn new(prefix: Vec<u8>, inner: S) -> Rewind<S> {
        Rewind { prefix, pos: 0, inner }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Rewind<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.pos < self.prefix.len() {
            let n = (self.prefix.len() - self.pos).min(buf.remaining());
            let start = self.pos;
            buf.put_slice(&self.prefix[start..start + n]);
            self.pos += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Rewind<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::flight::{KeyExchange, ReadUntil, read_flight};
    use crate::tls::hello::{HelloSpec, client_hello};
    use crate::tls::levels::TlsVersion;

    async fn offer_of(spec: &HelloSpec<'_>) -> Offer {
        let bytes = client_hello(spec, &[3; 32]);
        read_hello(&mut &bytes[..]).await.unwrap().1
    }

    #[tokio::test]
    async fn the_responder_answers_what_the_variant_accepts() {
        let legacy = Legacy {
            versions: vec![TlsVersion::Tls10, TlsVersion::Tls12],
            groups: vec![19],
            ..Legacy::tls12(&[0xC009, 0xC02B])
        };
        let chain = vec![b"certificate".to_vec()];
        let spec = HelloSpec {
            version: TlsVersion::Tls12,
            suites: &[0xC02B, 0xC009],
            sni: Some("x.test"),
            groups: &[19, 23],
            sigalgs: &[0x0403],
            compression: true,
            key_share: false,
        };
        let offer = offer_of(&spec).await;
        assert_eq!(
            (offer.version, offer.renegotiation, offer.groups.clone()),
            (0x0303, true, vec![19, 23])
        );
        let flight = read_flight(&mut &respond(&legacy, &chain, &offer)[..], ReadUntil::ServerHelloDone, 1 << 16)
            .await
            .unwrap();
        let hello = flight.hello.clone().unwrap();
        assert_eq!(
            (hello.version, hello.suite, hello.compression, hello.secure_renegotiation),
            (TlsVersion::Tls12, 0xC009, 0, true)
        );
        assert_eq!(flight.chain, chain);
        assert_eq!(
            flight.key_exchange,
            Some(KeyExchange::Ecdhe {
                group: 19,
                sigalg: Some(0x0403)
            })
        );
        // TLS 1.1 offered: the responder answers TLS 1.0, which the client did not ask for.
        let spec11 = HelloSpec {
            version: TlsVersion::Tls11,
            suites: &[0xC009],
            ..spec.clone()
        };
        let flight = read_flight(
            &mut &respond(&legacy, &chain, &offer_of(&spec11).await)[..],
            ReadUntil::ServerHello,
            1 << 16,
        )
        .await
        .unwrap();
        assert_eq!(flight.hello.unwrap().version, TlsVersion::Tls10);
        // SSL 3.0 offered: refused with protocol_version.
        let ssl3 = HelloSpec {
            version: TlsVersion::Ssl3,
            suites: &[0x000A],
            groups: &[],
            ..spec.clone()
        };
        let flight = read_flight(
            &mut &respond(&legacy, &chain, &offer_of(&ssl3).await)[..],
            ReadUntil::ServerHello,
            1 << 16,
        )
        .await
        .unwrap();
        assert_eq!(flight.alert, Some(70));
        // Only SHA-1 offered for the key exchange: refused.
        let sha1 = HelloSpec {
            sigalgs: &[0x0201],
            ..spec.clone()
        };
        let flight = read_flight(
            &mut &respond(&legacy, &chain, &offer_of(&sha1).await)[..],
            ReadUntil::ServerHello,
            1 << 16,
        )
        .await
        .unwrap();
        assert_eq!(flight.alert, Some(40));
    }
}
