//! The offline fleet: a name server, web, mail and "exposed" servers on 127.0.0.0/8, one loopback address per domain,
//! with a good domain and a broken variant for every check (see [`spec::catalogue`] and CHECKS.md). Pure Rust: it
//! needs no Debian packages (OpenSSL's `s_server` is used only for the extra `ossl-*` domains of the benchmark, see
//! [`openssl`]). Start it in-process with [`Fleet::start`]; point a scanner at it with [`Fleet::test_mode`].
//!
//! Names: every domain is `<label>.test`, with `www.`, `mx.` and `mta-sts.` hosts on the same address; the name
//! servers are `ns1.test` .. `ns4.test` on the fleet's first address. DNSSEC runs from the fleet's own root key,
//! which [`Fleet::test_mode`] hands to the scanner as its trust anchor, as it hands over the fleet's CA certificate.

pub mod openssl;
pub(crate) mod pki;
pub mod spec;
pub(crate) mod tls;
pub mod tools;
pub(crate) mod zone;

mod dns;
mod serve;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hickory_proto::dnssec::rdata::DNSSECRData;
use hickory_proto::rr::rdata::tlsa::{CertUsage, Matching, Selector};
use hickory_proto::rr::rdata::{A, AAAA, MX, NS, TLSA, TXT};
use hickory_proto::rr::{Name, RData, Record};
use rustls::pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::{DnssecKey, PortMap, TestMode};
use crate::exposure::PORTS;
use crate::model::Check;
use pki::{Pki, Served};
use serve::Site;
use spec::{CertSpec, DomainSpec, HttpSpec, MxSpec, Signing, TlsaSpec};
use tls::TlsServer;
use zone::{SignMode, TTL, Zone, ZoneKey, Zones};

/// How to start a fleet.
#[derive(Clone, Debug)]
pub struct FleetConfig {
    /// The first address: the name server. Domains follow from the 16th address on (`127.20.0.16`, ...). Pick a base
    /// no other fleet on the machine uses (tests, benchmarks and the demo each take their own).
    pub base: Ipv4Addr,
    /// The moment certificates and security.txt files are dated from (the scan's `now` in a demo of the past).
    pub now: DateTime<Utc>,
    pub domains: Vec<DomainSpec>,
    /// Further names served like an existing domain: (label, label of the domain it copies). Their certificate is
    /// the copied domain's, so the name checks fail on them; everything else is the same.
    pub copies: Vec<(String, String)>,
    /// Give the domains that ask for it (`good.test` in the catalogue) the address ::1, and listen there. Only one fleet
    /// on a machine can: the others set this to false (their `good.test` then fails the IPv6 check).
    pub ipv6: bool,
}

impl FleetConfig {
    /// The catalogue of [`spec::catalogue`] at `base`, dated `now`.
    pub fn new(base: Ipv4Addr, now: DateTime<Utc>) -> FleetConfig {
        FleetConfig {
            base,
            now,
            domains: spec::catalogue(),
            copies: Vec::new(),
            ipv6: true,
        }
    }
}

/// Why the fleet could not start.
#[derive(Debug, thiserror::Error)]
#[error("the fleet cannot start: {0}")]
pub struct FleetError(pub String);

/// A running domain.
#[derive(Clone, Debug)]
pub struct FleetDomain {
    pub label: String,
    /// `<label>.test`.
    pub name: String,
    pub address: Ipv4Addr,
    pub about: String,
    pub broken: Vec<Check>,
}

/// A running fleet. Its servers stop when it is dropped.
pub struct Fleet {
    name_server: SocketAddr,
    ports: PortMap,
    ca: Vec<u8>,
    root: DnssecKey,
    domains: Vec<FleetDomain>,
    tasks: Vec<JoinHandle<()>>,
    /// `openssl s_server` processes: they stop when their standard input closes, as these are dropped.
    _children: Vec<tokio::process::Child>,
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn name(s: &str) -> Result<Name, FleetError> {
    Name::from_ascii(s).map_err(|e| FleetError(format!("{s}: {e}")))
}

fn ip_at(base: Ipv4Addr, offset: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(base) + offset)
}

/// Splits a TXT value into character strings of at most 255 bytes.
fn txt(value: &str) -> RData {
    let parts: Vec<String> = value
        .as_bytes()
        .chunks(255)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    RData::TXT(TXT::new(parts))
}

/// Binding port 80 on a loopback address needs privileges; without them every port below 1024 moves up by 10000.
async fn choose_ports(ip: Ipv4Addr) -> PortMap {
    match TcpListener::bind(SocketAddr::new(IpAddr::V4(ip), 80)).await {
        Ok(_) => PortMap { privileged_offset: 0 },
        Err(_) => PortMap { privileged_offset: 10000 },
    }
}

async fn listen(ip: IpAddr, port: u16, ports: PortMap) -> Result<TcpListener, FleetError> {
    let addr = SocketAddr::new(ip, ports.map(port));
    TcpListener::bind(addr)
        .await
        .map_err(|e| FleetError(format!("cannot listen on {addr}: {e}")))
}

impl Fleet {
    /// Starts every server. Must run inside a tokio runtime that keeps running while the fleet is used.
    pub async fn start(config: FleetConfig) -> Result<Fleet, FleetError> {
        let pki = Pki::new(config.now).map_err(FleetError)?;
        let dns_ip = ip_at(config.base, 1);
        let ports = choose_ports(ip_at(config.base, 16)).await;
        let by_label: BTreeMap<&str, usize> = config.domains.iter().enumerate().map(|(i, d)| (d.label.as_str(), i)).collect();
        let address = |i: usize| ip_at(config.base, 16 + i as u32);

        // OpenSSL's servers need an RSA key and DH parameters made by openssl itself.
        let needs_openssl = config.domains.iter().any(|d| d.web.openssl.is_some());
        let openssl_material = if needs_openssl {
            if !openssl::available() {
                return Err(FleetError("the ossl-* domains need the openssl command".into()));
            }
            let dir = openssl::Workdir::new().map_err(FleetError)?;
            let material = openssl::material(&dir.0).map_err(FleetError)?;
            Some((dir, material))
        } else {
            None
        };

        // Certificates: one per domain for the web server and one for the mail server (the same when alike).
        let mut web_certs = Vec::new();
        let mut mail_certs = Vec::new();
        for d in &config.domains {
            let domain = format!("{}.test", d.label);
            let names: Vec<String> = [
                domain.clone(),
                format!("www.{domain}"),
                format!("mx.{domain}"),
                format!("mta-sts.{domain}"),
            ]
            .to_vec();
            let web_spec = d.web.https.as_ref().map(|t| t.cert).unwrap_or(CertSpec::Good);
            let web = match (&d.web.openssl, &openssl_material) {
                (Some(_), Some((_, m))) => pki.leaf_for_rsa(&names, m.public.clone()).map_err(FleetError)?,
                _ => pki.leaf(web_spec, &names).map_err(FleetError)?,
            };
            let mail = if d.mail.tls.cert == web_spec {
                web.clone()
            } else {
                pki.leaf(d.mail.tls.cert, &names).map_err(FleetError)?
            };
            web_certs.push(web);
            mail_certs.push(mail);
        }

        // DNS: the root, test. and one zone per domain and copy.
        let root_key = ZoneKey::generate().map_err(FleetError)?;
        let test_key = ZoneKey::generate().map_err(FleetError)?;
        let test = name("test.")?;
        let mut zones = Zones::default();
        let mut test_records = Vec::new();
        for (host, v6) in [("ns1", true), ("ns2", true), ("ns3", false), ("ns4", false)] {
            let n = name(&format!("{host}.test."))?;
            test_records.push(Record::from_rdata(n.clone(), TTL, RData::A(A(dns_ip))));
            if v6 {
                test_records.push(Record::from_rdata(n, TTL, RData::AAAA(AAAA(Ipv6Addr::LOCALHOST))));
            }
        }
        let mut delegations = Vec::new();
        let all_zones: Vec<(String, usize)> = config
            .domains
            .iter()
            .enumerate()
            .map(|(i, d)| (d.label.clone(), i))
            .chain(
                config
                    .copies
                    .iter()
                    .filter_map(|(label, of)| by_label.get(of.as_str()).map(|i| (label.clone(), *i))),
            )
            .collect();
        for (label, i) in &all_zones {
            let d = &config.domains[*i];
            let apex = name(&format!("{label}.test."))?;
            let (ns_a, ns_b) = if d.dns.ns_ipv6 {
                ("ns1.test.", "ns2.test.")
            } else {
                ("ns3.test.", "ns4.test.")
            };
            let ns = vec![
                Record::from_rdata(apex.clone(), TTL, RData::NS(NS(name(ns_a)?))),
                Record::from_rdata(apex.clone(), TTL, RData::NS(NS(name(ns_b)?))),
            ];
            delegations.extend(ns.iter().cloned());
            let key = match d.dns.signing {
                Signing::Unsigned => None,
                _ => Some(ZoneKey::generate().map_err(FleetError)?),
            };
            let ds = match (d.dns.signing, &key) {
                (Signing::Signed | Signing::BadSignatures | Signing::ExpiredSignatures, Some(k)) => Some(k.ds(&apex).map_err(FleetError)?),
                (Signing::WrongDs, _) => Some(ZoneKey::generate().and_then(|k| k.ds(&apex)).map_err(FleetError)?),
                _ => None,
            };
            if let Some(ds) = ds {
                delegations.push(Record::from_rdata(apex.clone(), TTL, RData::DNSSEC(DNSSECRData::DS(ds))));
            }
            let records = domain_records(label, d, address(*i), &mail_certs[*i], &apex, config.ipv6)?;
            let mode = match d.dns.signing {
                Signing::BadSignatures => SignMode::Corrupt,
                Signing::ExpiredSignatures => SignMode::Expired,
                _ => SignMode::Good,
            };
            let mut all = ns;
            all.extend(records);
            zones.add(Zone::build(apex, all, vec![], key.as_ref().map(|k| (k, mode))).map_err(FleetError)?);
        }
        let mut test_all = vec![
            Record::from_rdata(test.clone(), TTL, RData::NS(NS(name("ns1.test.")?))),
            Record::from_rdata(test.clone(), TTL, RData::NS(NS(name("ns2.test.")?))),
        ];
        test_all.extend(test_records);
        zones.add(Zone::build(test.clone(), test_all, delegations, Some((&test_key, SignMode::Good))).map_err(FleetError)?);
        let root_delegation = vec![
            Record::from_rdata(test.clone(), TTL, RData::NS(NS(name("ns1.test.")?))),
            Record::from_rdata(
                test.clone(),
                TTL,
                RData::DNSSEC(DNSSECRData::DS(test_key.ds(&test).map_err(FleetError)?)),
            ),
        ];
        let root_ns = vec![Record::from_rdata(Name::root(), TTL, RData::NS(NS(name("ns1.test.")?)))];
        zones.add(Zone::build(Name::root(), root_ns, root_delegation, Some((&root_key, SignMode::Good))).map_err(FleetError)?);

        let mut tasks = Vec::new();
        let name_server = SocketAddr::new(IpAddr::V4(dns_ip), ports.map(53));
        tasks.extend(dns::serve(name_server, Arc::new(zones)).await.map_err(FleetError)?);

        // The servers of each domain.
        let mut domains = Vec::new();
        let mut children = Vec::new();
        for (i, d) in config.domains.iter().enumerate() {
            let ip = IpAddr::V4(address(i));
            let domain = format!("{}.test", d.label);
            let site = Arc::new(Site {
                domain: domain.clone(),
                headers: d.web.headers.clone(),
                security_txt: d.web.security_txt,
                mta_sts_policy: d.web.mta_sts_policy.clone(),
                admin_panels: d.web.admin_panels,
                http: d.web.http,
                now: config.now,
            });
            let mut addresses = vec![ip];
            if d.dns.ipv6 && config.ipv6 {
                addresses.push(IpAddr::V6(Ipv6Addr::LOCALHOST));
            }
            if let (Some(args), Some((dir, m))) = (&d.web.openssl, &openssl_material) {
                let cert = dir.0.join(format!("{}.crt", d.label));
                std::fs::write(&cert, pem_encode("CERTIFICATE", &web_certs[i].chain[0])).map_err(|e| FleetError(e.to_string()))?;
                let accept = format!("{}:{}", address(i), ports.map(443));
                children.push(openssl::spawn(&accept, &cert, &m.key, args, &m.dhparam).map_err(FleetError)?);
                wait_listening(SocketAddr::new(ip, ports.map(443))).await?;
            } else if let Some(https) = &d.web.https {
                let server = Arc::new(TlsServer::new(https.modern, https.legacy.clone(), web_certs[i].clone()).map_err(FleetError)?);
                for a in &addresses {
                    let (site, server) = (site.clone(), server.clone());
                    let listener = listen(*a, 443, ports).await?;
                    tasks.push(serve::accept_loop(listener, move |s| {
                        serve::serve_https(site.clone(), server.clone(), s)
                    }));
                }
            }
            if d.web.http != HttpSpec::Closed {
                for a in &addresses {
                    let site = site.clone();
                    let listener = listen(*a, 80, ports).await?;
                    tasks.push(serve::accept_loop(listener, move |s| serve::serve_http(site.clone(), s, false)));
                }
            }
            if let MxSpec::Own { .. } = d.dns.mx {
                let server =
                    Arc::new(TlsServer::new(d.mail.tls.modern, d.mail.tls.legacy.clone(), mail_certs[i].clone()).map_err(FleetError)?);
                let host = Arc::new(format!("mx.{domain}"));
                let starttls = d.mail.starttls;
                let listener = listen(ip, 25, ports).await?;
                tasks.push(serve::accept_loop(listener, move |s| {
                    serve::serve_smtp(host.clone(), starttls, server.clone(), s)
                }));
            }
            if d.exposed_ports {
                for (_, port, _) in PORTS {
                    let listener = listen(ip, port, ports).await?;
                    tasks.push(serve::accept_loop(listener, move |s| serve::serve_exposed(port, s)));
                }
            }
            domains.push(FleetDomain {
                label: d.label.clone(),
                name: domain,
                address: address(i),
                about: d.about.clone(),
                broken: d.broken.clone(),
            });
        }
        // The OpenSSL servers have read their files by now.
        drop(openssl_material);
        let (algorithm, public_key) = root_key.public();
        Ok(Fleet {
            name_server,
            ports,
            ca: pki.ca_der().to_vec(),
            root: DnssecKey { algorithm, public_key },
            domains,
            tasks,
            _children: children,
        })
    }

    /// The settings that point a scanner at this fleet.
    pub fn test_mode(&self) -> TestMode {
        TestMode {
            name_server: self.name_server,
            extra_roots: vec![CertificateDer::from(self.ca.clone())],
            dnssec_root: Some(self.root.clone()),
            ports: self.ports,
        }
    }

    pub fn name_server(&self) -> SocketAddr {
        self.name_server
    }

    /// Where the well-known ports are.
    pub fn ports(&self) -> PortMap {
        self.ports
    }

    /// The fleet CA's certificate (DER), to give other tools.
    pub fn ca_der(&self) -> &[u8] {
        &self.ca
    }

    /// The fleet CA's certificate in PEM.
    pub fn ca_pem(&self) -> String {
        pem_encode("CERTIFICATE", &self.ca)
    }

    pub fn domains(&self) -> &[FleetDomain] {
        &self.domains
    }

    /// A domain by label (`good`, `tls10`, ...).
    pub fn domain(&self, label: &str) -> Option<&FleetDomain> {
        self.domains.iter().find(|d| d.label == label)
    }
}

/// What another process needs to scan a running fleet: [`Fleet::handover`] writes it (as JSON), [`Handover::test_mode`]
/// reads it back. The benchmark runs the fleet in a process of its own this way, so that the scanner's CPU time can be
/// measured apart from the servers'.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Handover {
    pub name_server: SocketAddr,
    pub privileged_offset: u16,
    /// The CA certificate, DER in hex.
    pub ca: String,
    pub root_algorithm: u8,
    /// The root DNSKEY's public key, in hex.
    pub root_key: String,
    /// (label, address) of every domain.
    pub domains: Vec<(String, Ipv4Addr)>,
}

impl Handover {
    pub fn test_mode(&self) -> Result<TestMode, FleetError> {
        let hex = |s: &str| hex::decode(s).map_err(|e| FleetError(e.to_string()));
        Ok(TestMode {
            name_server: self.name_server,
            extra_roots: vec![CertificateDer::from(hex(&self.ca)?)],
            dnssec_root: Some(DnssecKey {
                algorithm: self.root_algorithm,
                public_key: hex(&self.root_key)?,
            }),
            ports: PortMap {
                privileged_offset: self.privileged_offset,
            },
        })
    }
}

impl Fleet {
    pub fn handover(&self) -> Handover {
        Handover {
            name_server: self.name_server,
            privileged_offset: self.ports.privileged_offset,
            ca: hex::encode(&self.ca),
            root_algorithm: self.root.algorithm,
            root_key: hex::encode(&self.root.public_key),
            domains: self.domains.iter().map(|d| (d.label.clone(), d.address)).collect(),
        }
    }
}

/// Waits up to five seconds for something to listen at `addr`.
async fn wait_listening(addr: SocketAddr) -> Result<(), FleetError> {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(FleetError(format!("openssl s_server did not start on {addr}")))
}

/// PEM armour for DER bytes (RFC 7468).
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::with_capacity(der.len() * 4 / 3 + 4);
    for chunk in der.chunks(3) {
        let n = (chunk[0] as u32) << 16 | (*chunk.get(1).unwrap_or(&0) as u32) << 8 | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The records of a domain's zone (besides SOA, NS and DNSSEC), for the zone `<label>.test` copying `d`.
fn domain_records(
    label: &str,
    d: &DomainSpec,
    ip: Ipv4Addr,
    mail_cert: &Served,
    apex: &Name,
    ipv6: bool,
) -> Result<Vec<Record>, FleetError> {
    let at = |sub: &str| -> Result<Name, FleetError> {
        if sub.is_empty() {
            Ok(apex.clone())
        } else {
            name(&format!("{sub}.{label}.test."))
        }
    };
    let own = d.label.as_str();
    let mut r = Vec::new();
    for host in ["", "www", "mta-sts"] {
        r.push(Record::from_rdata(at(host)?, TTL, RData::A(A(ip))));
    }
    if d.dns.ipv6 && ipv6 {
        r.push(Record::from_rdata(at("")?, TTL, RData::AAAA(AAAA(Ipv6Addr::LOCALHOST))));
    }
    match d.dns.mx {
        MxSpec::None => {}
        MxSpec::Null => r.push(Record::from_rdata(at("")?, TTL, RData::MX(MX::new(0, Name::root())))),
        MxSpec::Own { ipv6 } => {
            // A copy uses the mail server of the domain it copies.
            let mx = name(&format!("mx.{own}.test."))?;
            r.push(Record::from_rdata(at("")?, TTL, RData::MX(MX::new(10, mx.clone()))));
            if label == own {
                r.push(Record::from_rdata(mx.clone(), TTL, RData::A(A(ip))));
                if ipv6 {
                    r.push(Record::from_rdata(mx.clone(), TTL, RData::AAAA(AAAA(Ipv6Addr::LOCALHOST))));
                }
                let data = match d.dns.tlsa {
                    TlsaSpec::None => None,
                    TlsaSpec::Good => Some(Sha256::digest(&mail_cert.spki).to_vec()),
                    TlsaSpec::Wrong => Some(Sha256::digest(b"not the key").to_vec()),
                };
                if let Some(data) = data {
                    let tlsa = TLSA::new(CertUsage::DaneEe, Selector::Spki, Matching::Sha256, data);
                    r.push(Record::from_rdata(
                        name(&format!("_25._tcp.mx.{own}.test."))?,
                        TTL,
                        RData::TLSA(tlsa),
                    ));
                }
            }
        }
    }
    if let Some(spf) = &d.dns.spf {
        r.push(Record::from_rdata(at("")?, TTL, txt(spf)));
    }
    for (sub, value) in &d.dns.txt {
        r.push(Record::from_rdata(at(sub)?, TTL, txt(value)));
    }
    if let Some(dmarc) = &d.dns.dmarc {
        r.push(Record::from_rdata(at("_dmarc")?, TTL, txt(dmarc)));
    }
    if let Some(sts) = &d.dns.mta_sts {
        r.push(Record::from_rdata(at("_mta-sts")?, TTL, txt(sts)));
    }
    if let Some(rpt) = &d.dns.tls_rpt {
        r.push(Record::from_rdata(at("_smtp._tls")?, TTL, txt(rpt)));
    }
    Ok(r)
}
