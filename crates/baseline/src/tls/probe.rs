//! The TLS probes of one endpoint: which versions, suites, groups, DH groups and key exchange hashes the server
//! accepts, with as few handshakes as the verdicts need.
//!
//! Per version one ClientHello offering every suite of that version. Then, where a version is accepted, the weak
//! suites are enumerated (offer the weak ones, note the one chosen, offer the rest, until refused), and the key
//! exchange is asked for weak curves, a DH group and a SHA-1 signature. The good suites are not enumerated: no verdict
//! depends on them. A good server takes about 15 handshakes; sslyze makes one per suite and version.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::AtomicU64;

use serde::Serialize;
use tokio::io::AsyncWriteExt;

use super::flight::{Flight, KeyExchange, ReadUntil, read_flight};
use super::hello::{HelloSpec, client_hello};
use super::levels::{
    DhGroup, Level, MODERN_GROUPS, MODERN_SIGALGS, SHA1_SIGALGS, SuiteKx, TLS13_SUITES, TlsVersion, WEAK_GROUPS, legacy_offer, suite_kx,
    suite_level,
};
use crate::net::{Conn, Net, NetError};
use crate::smtp::{self, Starttls};

/// Where to probe.
#[derive(Clone, Debug)]
pub(crate) struct Endpoint {
    pub ip: IpAddr,
    pub port: u16,
    pub sni: Option<String>,
    /// Speak SMTP and ask for STARTTLS first, with this EHLO name.
    pub smtp_ehlo: Option<String>,
}

/// What the probes saw: the input of the pure verdicts in [`super::verdict`]. The benchmark fills the same structure
/// from sslyze's and testssl.sh's reports to compare verdicts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TlsObservation {
    /// Accepted versions, each with a suite the server chose.
    pub versions: BTreeMap<TlsVersion, u16>,
    /// Accepted (version, suite) pairs seen: every weak one, and at least one per accepted version.
    pub suites: Vec<(TlsVersion, u16)>,
    /// Groups the server used for ECDHE (TLS 1.2) or asked for (TLS 1.3) when offered weak ones.
    pub groups: Vec<u16>,
    /// Finite-field DH groups of DHE key exchanges.
    pub dh_groups: Vec<DhGroup>,
    /// Signature algorithms of TLS 1.2 key exchanges.
    pub kex_sigalgs: Vec<u16>,
    /// A version in which the server chose TLS compression.
    pub compression: Option<TlsVersion>,
    /// A version (before TLS 1.3) in which the server did not confirm secure renegotiation.
    pub insecure_renegotiation: Option<TlsVersion>,
    /// The certificate chain from the first handshake that showed it (TLS 1.2 and older), leaf first.
    #[serde(skip)]
    pub chain: Vec<Vec<u8>>,
    /// A probe failed other than by a refusal (a timeout, a reset), so something may have been missed.
    pub incomplete: Option<String>,
    /// Handshakes attempted.
    pub handshakes: u32,
}

impl TlsObservation {
    /// Whether any version was accepted.
    pub fn any(&self) -> bool {
        !self.versions.is_empty()
    }

    fn note_suite(&mut self, version: TlsVersion, suite: u16) {
        if !self.suites.contains(&(version, suite)) {
            self.suites.push((version, suite));
        }
    }

    fn note_flight(&mut self, version: TlsVersion, flight: &Flight) {
        let Some(hello) = &flight.hello else { return };
        if self.chain.is_empty() && !flight.chain.is_empty() {
            self.chain = flight.chain.clone();
        }
        if hello.version != TlsVersion::Tls13 {
            if hello.compression != 0 && self.compression.is_none() {
                self.compression = Some(version);
            }
            if !hello.secure_renegotiation && self.insecure_renegotiation.is_none() {
                self.insecure_renegotiation = Some(version);
            }
        }
        match &flight.key_exchange {
            Some(KeyExchange::Ecdhe { group, sigalg }) => {
                if !self.groups.contains(group) {
                    self.groups.push(*group);
                }
                if let Some(s) = sigalg
                    && !self.kex_sigalgs.contains(s)
                {
                    self.kex_sigalgs.push(*s);
                }
            }
            Some(KeyExchange::Dhe { group, sigalg }) => {
                if !self.dh_groups.contains(group) {
                    self.dh_groups.push(group.clone());
                }
                if let Some(s) = sigalg
                    && !self.kex_sigalgs.contains(s)
                {
                    self.kex_sigalgs.push(*s);
                }
            }
            None => {}
        }
    }
}

impl Endpoint {
    /// HTTPS on port 443 of `ip`, with `name` as SNI.
    pub(crate) fn https(name: &str, ip: IpAddr) -> Endpoint {
        Endpoint {
            ip,
            port: 443,
            sni: Some(name.to_string()),
            smtp_ehlo: None,
        }
    }
}

pub(crate) struct Prober<'a> {
    pub net: &'a Net,
    pub counter: &'a AtomicU64,
    pub endpoint: &'a Endpoint,
}

/// The answer to one ClientHello.
enum Answer {
    Accepted(Flight),
    Refused,
}

impl Prober<'_> {
    async fn open(&self) -> Result<Conn, NetError> {
        let conn = self.net.connect(self.endpoint.ip, self.endpoint.port, self.counter).await?;
        match &self.endpoint.smtp_ehlo {
            None => Ok(conn),
            Some(ehlo) => match smtp::starttls(conn, ehlo, self.net.timeouts.smtp, self.net.limits.smtp_reply_bytes).await? {
                Starttls::Ready(conn) => Ok(conn),
                Starttls::NotOffered => Err(NetError::Protocol("STARTTLS not offered".into())),
                Starttls::Refused(reply) => Err(NetError::Protocol(format!("STARTTLS refused: {reply}"))),
            },
        }
    }

    /// Sends one ClientHello and reads the answer. An answer with another version than asked for (or a suite not
    /// offered) counts as a refusal.
    async fn ask(&self, obs: &mut TlsObservation, spec: &HelloSpec<'_>, until: ReadUntil) -> Result<Answer, NetError> {
        obs.handshakes += 1;
        let mut conn = self.open().await?;
        let random: [u8; 32] = rand::random();
        let hello = client_hello(spec, &random);
        let exchange = async {
            conn.write_all(&hello).await.map_err(NetError::from)?;
            read_flight(&mut conn, until, self.net.limits.handshake_bytes).await
        };
        let flight = match tokio::time::timeout(self.net.timeouts.tls, exchange).await {
            Err(_) => return Err(NetError::Timeout),
            Ok(r) => r?,
        };
        // Say goodbye the way a client that gives up does: a fatal user_canceled alert (best effort).
        let _ = tokio::time::timeout(std::time::Duration::from_millis(200), conn.write_all(&[21, 3, 1, 0, 2, 2, 90])).await;
        match &flight.hello {
            Some(h) if h.version == spec.version && (spec.suites.contains(&h.suite)) => Ok(Answer::Accepted(flight)),
            _ => Ok(Answer::Refused),
        }
    }

    /// Runs a hello and records it; errors other than refusals mark the observation incomplete.
    async fn try_ask(&self, obs: &mut TlsObservation, spec: &HelloSpec<'_>, until: ReadUntil) -> Option<Flight> {
        match self.ask(obs, spec, until).await {
            Ok(Answer::Accepted(flight)) => {
                obs.note_suite(spec.version, flight.hello.as_ref().map(|h| h.suite).unwrap_or_default());
                obs.note_flight(spec.version, &flight);
                Some(flight)
            }
            Ok(Answer::Refused) => None,
            Err(e) => {
                if obs.incomplete.is_none() {
                    obs.incomplete = Some(e.to_string());
                }
                None
            }
        }
    }

    /// Probes everything; `Err` only when the endpoint cannot be reached at all (no connection, no STARTTLS).
    pub(crate) async fn observe(&self) -> Result<TlsObservation, NetError> {
        let sni = self.endpoint.sni.as_deref();
        let mut obs = TlsObservation::default();
        // Reachability first: a refused or filtered port makes every other probe pointless.
        drop(self.open().await?);

        let tls13 = HelloSpec {
            version: TlsVersion::Tls13,
            suites: &TLS13_SUITES,
            sni,
            groups: &MODERN_GROUPS,
            sigalgs: &MODERN_SIGALGS,
            compression: false,
            key_share: true,
        };
        let tls12 = HelloSpec {
            version: TlsVersion::Tls12,
            suites: legacy_offer(TlsVersion::Tls12),
            sni,
            groups: &MODERN_GROUPS,
            sigalgs: &MODERN_SIGALGS,
            compression: true,
            key_share: false,
        };
        let (mut o13, mut o12) = (TlsObservation::default(), TlsObservation::default());
        let (f13, f12) = tokio::join!(
            self.try_ask(&mut o13, &tls13, ReadUntil::ServerHello),
            self.try_ask(&mut o12, &tls12, ReadUntil::ServerHelloDone)
        );
        merge(&mut obs, o13);
        merge(&mut obs, o12);
        if let Some(f) = &f13 {
            obs.versions
                .insert(TlsVersion::Tls13, f.hello.as_ref().map(|h| h.suite).unwrap_or_default());
        }
        if let Some(f) = &f12 {
            obs.versions
                .insert(TlsVersion::Tls12, f.hello.as_ref().map(|h| h.suite).unwrap_or_default());
        }

        // Older versions, each with every suite it allows.
        let mut legacy = Vec::new();
        for version in [TlsVersion::Tls11, TlsVersion::Tls10, TlsVersion::Ssl3] {
            legacy.push(async move {
                let mut o = TlsObservation::default();
                let groups: &[u16] = if version == TlsVersion::Ssl3 { &[] } else { &MODERN_GROUPS };
                let spec = HelloSpec {
                    version,
                    suites: legacy_offer(version),
                    sni,
                    groups,
                    sigalgs: &[],
                    compression: true,
                    key_share: false,
                };
                let f = self.try_ask(&mut o, &spec, ReadUntil::ServerHelloDone).await;
                (version, f.and_then(|f| f.hello.map(|h| h.suite)), o)
            });
        }
        for (version, suite, o) in futures_util::future::join_all(legacy).await {
            merge(&mut obs, o);
            if let Some(suite) = suite {
                obs.versions.insert(version, suite);
            }
        }

        if f13.is_some() {
            self.enumerate(&mut obs, TlsVersion::Tls13, TLS13_SUITES.to_vec()).await;
            // Weak groups: offered without a key share, so a server that supports one must ask for it by name.
            let weak = HelloSpec {
                version: TlsVersion::Tls13,
                suites: &TLS13_SUITES,
                sni,
                groups: &WEAK_GROUPS,
                sigalgs: &MODERN_SIGALGS,
                compression: false,
                key_share: false,
            };
            if let Some(f) = self.try_ask(&mut obs, &weak, ReadUntil::ServerHello).await
                && let Some(group) = f.hello.and_then(|h| h.group)
                && !obs.groups.contains(&group)
            {
                obs.groups.push(group);
            }
        }
        if f12.is_some() {
            let offer = legacy_offer(TlsVersion::Tls12);
            for level in [Level::Insufficient, Level::PhaseOut] {
                let weak: Vec<u16> = offer.iter().copied().filter(|s| suite_level(*s) == level).collect();
                self.enumerate(&mut obs, TlsVersion::Tls12, weak).await;
            }
            let ecdhe: Vec<u16> = offer.iter().copied().filter(|s| suite_kx(*s) == SuiteKx::Ecdhe).collect();
            let dhe: Vec<u16> = offer.iter().copied().filter(|s| suite_kx(*s) == SuiteKx::Dhe).collect();
            let forward_secret: Vec<u16> = ecdhe.iter().chain(&dhe).copied().collect();
            let weak_curves: Vec<u16> = WEAK_GROUPS.iter().copied().filter(|g| *g < 0x0100).collect();
            let probes = [
                // A weak curve for ECDHE.
                HelloSpec {
                    version: TlsVersion::Tls12,
                    suites: &ecdhe,
                    sni,
                    groups: &weak_curves,
                    sigalgs: &MODERN_SIGALGS,
                    compression: false,
                    key_share: false,
                },
                // The DH group of DHE.
                HelloSpec {
                    version: TlsVersion::Tls12,
                    suites: &dhe,
                    sni,
                    groups: &MODERN_GROUPS,
                    sigalgs: &MODERN_SIGALGS,
                    compression: false,
                    key_share: false,
                },
                // SHA-1 to sign the key exchange.
                HelloSpec {
                    version: TlsVersion::Tls12,
                    suites: &forward_secret,
                    sni,
                    groups: &MODERN_GROUPS,
                    sigalgs: &SHA1_SIGALGS,
                    compression: false,
                    key_share: false,
                },
            ];
            for spec in &probes {
                self.try_ask(&mut obs, spec, ReadUntil::ServerHelloDone).await;
            }
        }
        Ok(obs)
    }

    /// Offers `suites`, notes the one chosen, offers the rest, until the server refuses.
    async fn enumerate(&self, obs: &mut TlsObservation, version: TlsVersion, mut suites: Vec<u16>) {
        let sni = self.endpoint.sni.as_deref();
        // Suites already seen need not be found again.
        suites.retain(|s| !obs.suites.contains(&(version, *s)));
        let groups: &[u16] = &MODERN_GROUPS;
        for _ in 0..64 {
            if suites.is_empty() {
                return;
            }
            let spec = HelloSpec {
                version,
                suites: &suites,
                sni,
                groups,
                sigalgs: &MODERN_SIGALGS,
                compression: false,
                key_share: true,
            };
            match self.try_ask(obs, &spec, ReadUntil::ServerHello).await {
                Some(f) => {
                    let chosen = f.hello.map(|h| h.suite).unwrap_or_default();
                    suites.retain(|s| *s != chosen);
                }
                None => return,
            }
        }
    }
}

fn merge(into: &mut TlsObservation, from: TlsObservation) {
    for s in from.suites {
        into.note_suite(s.0, s.1);
    }
    for g in from.groups {
        if !into.groups.contains(&g) {
            into.groups.push(g);
        }
    }
    for d in from.dh_groups {
        if !into.dh_groups.contains(&d) {
            into.dh_groups.push(d);
        }
    }
    for s in from.kex_sigalgs {
        if !into.kex_sigalgs.contains(&s) {
            into.kex_sigalgs.push(s);
        }
    }
    into.compression = into.compression.or(from.compression);
    into.insecure_renegotiation = into.insecure_renegotiation.or(from.insecure_renegotiation);
    if into.chain.is_empty() {
        into.chain = from.chain;
    }
    if into.incomplete.is_none() {
        into.incomplete = from.incomplete;
    }
    into.handshakes += from.handshakes;
}
