//! How the scanner behaves: its published identity, politeness, timeouts, limits, resolver, and the test mode.

use std::net::SocketAddr;
use std::time::Duration;

use rustls::pki_types::CertificateDer;

/// Everything the scanner needs to know. [`ScannerConfig::new`] gives the polite production defaults.
#[derive(Clone, Debug)]
pub struct ScannerConfig {
    pub identity: Identity,
    pub politeness: Politeness,
    pub timeouts: Timeouts,
    pub limits: Limits,
    /// The recursive resolver to ask; `None` uses the system's (`/etc/resolv.conf`). DNSSEC is validated by the
    /// scanner itself against the IANA root key, so any resolver that passes DNSSEC records on will do.
    pub name_servers: Option<Vec<SocketAddr>>,
    /// Off unless set explicitly. See [`TestMode`].
    pub test_mode: Option<TestMode>,
}

impl ScannerConfig {
    /// The production defaults with the URL of the page that explains the scan (part B serves it), such as
    /// `https://cyberveilig.example/scan`.
    pub fn new(info_url: &str) -> ScannerConfig {
        ScannerConfig {
            identity: Identity::new(info_url),
            politeness: Politeness::default(),
            timeouts: Timeouts::default(),
            limits: Limits::default(),
            name_servers: None,
            test_mode: None,
        }
    }
}

/// What the scanner calls itself, on every HTTP request and in every SMTP EHLO.
#[derive(Clone, Debug)]
pub struct Identity {
    /// Sent as `User-Agent`.
    pub user_agent: String,
    /// The page that explains the scan and how to reach the operator.
    pub info_url: String,
    /// The name given in EHLO.
    pub ehlo_name: String,
}

impl Identity {
    /// `User-Agent: cyberveilig-baseline/0.1.0 (+https://.../scan)`; EHLO with the host of the URL.
    pub fn new(info_url: &str) -> Identity {
        let host = info_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ':', '?']).next())
            .filter(|h| !h.is_empty())
            .unwrap_or("cyberveilig.invalid");
        Identity {
            user_agent: format!("cyberveilig-baseline/{} (+{info_url})", env!("CARGO_PKG_VERSION")),
            info_url: info_url.to_string(),
            ehlo_name: host.to_string(),
        }
    }
}

/// How hard the scanner may knock. Limits count per IP address, since many names share one server.
#[derive(Clone, Debug)]
pub struct Politeness {
    /// When off (benchmarks), only `max_connections_total` limits anything.
    pub enabled: bool,
    /// Connections open at once to one address (at most 2, after internet.nl).
    pub max_connections_per_address: usize,
    /// New connections per second to one address.
    pub connections_per_second_per_address: f64,
    /// Connections open at once in the whole scanner, polite or not (file descriptors are finite).
    pub max_connections_total: usize,
}

impl Default for Politeness {
    fn default() -> Politeness {
        Politeness {
            enabled: true,
            max_connections_per_address: 2,
            connections_per_second_per_address: 5.0,
            max_connections_total: 256,
        }
    }
}

impl Politeness {
    /// No per-address limits: for benchmarks against the offline fleet.
    pub fn off() -> Politeness {
        Politeness {
            enabled: false,
            max_connections_total: 1024,
            ..Politeness::default()
        }
    }
}

/// Every network wait has a limit.
#[derive(Clone, Debug)]
pub struct Timeouts {
    pub connect: Duration,
    /// From sending a ClientHello to the server's last handshake message (and for a full rustls handshake).
    pub tls: Duration,
    /// One HTTP request, from sending it to the end of the (bounded) body.
    pub http: Duration,
    /// One SMTP reply (the greeting may be delayed by anti-spam measures; this covers it).
    pub smtp: Duration,
    /// One DNS query (the resolver tries twice).
    pub dns: Duration,
    /// The whole scan of one target.
    pub scan: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(5),
            tls: Duration::from_secs(10),
            http: Duration::from_secs(15),
            smtp: Duration::from_secs(20),
            dns: Duration::from_secs(5),
            scan: Duration::from_secs(600),
        }
    }
}

/// Every read has a limit, so no answer can make the scanner use unbounded memory.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The server's handshake messages up to ServerHelloDone (certificates included).
    pub handshake_bytes: usize,
    /// The status line and headers of an HTTP response.
    pub http_head_bytes: usize,
    /// An HTTP body that is read (security.txt, MTA-STS policy, admin panel pages).
    pub http_body_bytes: usize,
    /// One SMTP reply (all its lines).
    pub smtp_reply_bytes: usize,
    /// Addresses of one name that are checked for exposed services.
    pub addresses_per_name: usize,
    /// Mail servers checked per domain (internet.nl checks ten).
    pub mail_servers: usize,
    /// TXT records read for SPF `include`s and `redirect`s (RFC 7208 allows 10 lookups).
    pub spf_lookups: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            handshake_bytes: 64 * 1024,
            http_head_bytes: 32 * 1024,
            http_body_bytes: 100 * 1024,
            smtp_reply_bytes: 16 * 1024,
            addresses_per_name: 8,
            mail_servers: 10,
            spf_lookups: 10,
        }
    }
}

/// The test mode: scan the offline fleet. Never on by default; `serve` turns it on only when told to.
///
/// It lets the scanner connect to loopback addresses (127.0.0.0/8, ::1), resolve through the fleet's name server,
/// trust the fleet's certificate authority and DNSSEC root key, and reach the fleet's services on shifted ports when
/// the fleet could not bind the well-known ones.
#[derive(Clone, Debug)]
pub struct TestMode {
    pub name_server: SocketAddr,
    /// Trusted besides the Mozilla roots.
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// The fleet's DNSSEC root key, replacing the IANA root key.
    pub dnssec_root: Option<DnssecKey>,
    pub ports: PortMap,
}

/// A DNSKEY: algorithm number and public key bytes as in the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnssecKey {
    pub algorithm: u8,
    pub public_key: Vec<u8>,
}

/// Where a well-known port is found. Outside the test mode always the port itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PortMap {
    /// Added to ports below 1024 (which need privileges to bind). 0 in production.
    pub privileged_offset: u16,
}

impl PortMap {
    pub fn map(self, port: u16) -> u16 {
        if port < 1024 { port + self.privileged_offset } else { port }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_names_the_scanner_and_its_page() {
        let id = Identity::new("https://cyberveilig.example/scan");
        assert!(id.user_agent.starts_with("cyberveilig-baseline/"));
        assert!(id.user_agent.ends_with("(+https://cyberveilig.example/scan)"));
        assert_eq!(id.ehlo_name, "cyberveilig.example");
        assert_eq!(Identity::new("nonsense").ehlo_name, "cyberveilig.invalid");
    }

    #[test]
    fn production_is_polite_and_not_in_test_mode() {
        let config = ScannerConfig::new("https://cyberveilig.example/scan");
        assert!(config.test_mode.is_none());
        assert!(config.politeness.enabled);
        assert_eq!(config.politeness.max_connections_per_address, 2);
        assert_eq!(PortMap::default().map(443), 443);
        assert_eq!(PortMap { privileged_offset: 10000 }.map(443), 10443);
        assert_eq!(PortMap { privileged_offset: 10000 }.map(3389), 3389);
    }
}
