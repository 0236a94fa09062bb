//! A full TLS 1.2/1.3 handshake with rustls, as a browser or mail server would make it. The server's chain is not
//! judged here (any chain is accepted, the handshake signatures are still verified): it is kept and judged by
//! [`super::cert::TrustStore`] at the injected time, so that a bad certificate still lets the headers be read.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::levels::TlsVersion;
use crate::net::NetError;

/// What the handshake agreed on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModernInfo {
    pub version: TlsVersion,
    pub suite: u16,
    pub group: Option<u16>,
    /// Leaf first.
    pub chain: Vec<Vec<u8>>,
}

#[derive(Debug)]
struct AcceptAnyChain {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAnyChain {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Client configurations for HTTPS (ALPN http/1.1) and for SMTP.
pub(crate) struct ModernTls {
    https: TlsConnector,
    smtp: TlsConnector,
}

impl ModernTls {
    pub(crate) fn new() -> Result<ModernTls, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let accept_any = Arc::new(AcceptAnyChain {
            algorithms: provider.signature_verification_algorithms,
        });
        let build = |alpn: &[&[u8]]| -> Result<ClientConfig, String> {
            let mut c = ClientConfig::builder_with_provider(provider.clone())
                .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
                .map_err(|e| e.to_string())?
                .dangerous()
                .with_custom_certificate_verifier(accept_any.clone())
                .with_no_client_auth();
            c.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
            c.resumption = rustls::client::Resumption::disabled();
            Ok(c)
        };
        Ok(ModernTls {
            https: TlsConnector::from(Arc::new(build(&[b"http/1.1"])?)),
            smtp: TlsConnector::from(Arc::new(build(&[])?)),
        })
    }

    /// Connects over `stream` with `sni`; `smtp` chooses the configuration without ALPN.
    pub(crate) async fn connect<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        stream: S,
        sni: &str,
        smtp: bool,
        timeout: std::time::Duration,
    ) -> Result<(TlsStream<S>, ModernInfo), NetError> {
        let name = ServerName::try_from(sni.to_string()).map_err(|_| NetError::Protocol("not a host name".into()))?;
        let connector = if smtp { &self.smtp } else { &self.https };
        let tls = match tokio::time::timeout(timeout, connector.connect(name, stream)).await {
            Err(_) => return Err(NetError::Timeout),
            Ok(Err(e)) => return Err(tls_error(e)),
            Ok(Ok(s)) => s,
        };
        let (_, conn) = tls.get_ref();
        let version = match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => TlsVersion::Tls13,
            _ => TlsVersion::Tls12,
        };
        let info = ModernInfo {
            version,
            suite: conn.negotiated_cipher_suite().map(|s| u16::from(s.suite())).unwrap_or_default(),
            group: conn.negotiated_key_exchange_group().map(|g| u16::from(g.name())),
            chain: conn
                .peer_certificates()
                .map(|c| c.iter().map(|d| d.to_vec()).collect())
                .unwrap_or_default(),
        };
        Ok((tls, info))
    }
}

fn tls_error(e: std::io::Error) -> NetError {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        Some(tls) => NetError::Protocol(format!("TLS: {tls}")),
        None => NetError::from(e),
    }
}
