//! DNS through hickory: a plain resolver for the records the checks read, and a validating one (DNSSEC, against the
//! IANA root key, or the fleet's in the test mode) for the zone's signatures and TLSA records.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use hickory_proto::dnssec::rdata::DNSSECRData;
use hickory_proto::dnssec::{Algorithm, Proof, PublicKeyBuf, TrustAnchors};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_resolver::Resolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ProtocolConfig, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError as HickoryError};

use crate::config::ScannerConfig;

/// A TLSA record, as RFC 6698 numbers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tlsa {
    pub usage: u8,
    pub selector: u8,
    pub matching: u8,
    pub data: Vec<u8>,
}

impl Tlsa {
    /// `3 1 1 ab12...` (the data shortened to 16 hex digits).
    pub fn describe(&self) -> String {
        let hex = hex::encode(&self.data);
        let short = if hex.len() > 16 { format!("{}...", &hex[..16]) } else { hex };
        format!("{} {} {} {}", self.usage, self.selector, self.matching, short)
    }
}

/// What DNSSEC validation made of an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Validation {
    /// Signed and chained to the trust anchor.
    Secure,
    /// Provably not signed (or signed but not chained).
    Insecure,
    /// Signed, but the signatures or the chain do not verify.
    Bogus(String),
    /// The lookup failed.
    Failed(String),
}

pub(crate) struct Dns {
    plain: Resolver<TokioRuntimeProvider>,
    secure: Resolver<TokioRuntimeProvider>,
}

fn fqdn(name: &str) -> Result<Name, String> {
    Name::from_ascii(format!("{}.", name.trim_end_matches('.'))).map_err(|e| format!("not a name: {e}"))
}

fn plain_name(name: &Name) -> String {
    name.to_ascii().trim_end_matches('.').to_ascii_lowercase()
}

impl Dns {
    pub(crate) fn new(config: &ScannerConfig) -> Result<Dns, String> {
        let servers: Option<Vec<SocketAddr>> = match &config.test_mode {
            Some(t) => Some(vec![t.name_server]),
            None => config.name_servers.clone(),
        };
        let mut options = ResolverOpts::default();
        options.timeout = config.timeouts.dns;
        options.attempts = 2;
        options.use_hosts_file = ResolveHosts::Never;
        options.cache_size = 4096;
        options.edns0 = true;
        let build = |validate: bool| -> Result<Resolver<TokioRuntimeProvider>, String> {
            let mut builder = match &servers {
                Some(list) => {
                    let name_servers = list
                        .iter()
                        .map(|addr| {
                            let mut udp = ConnectionConfig::new(ProtocolConfig::Udp);
                            udp.port = addr.port();
                            let mut tcp = ConnectionConfig::new(ProtocolConfig::Tcp);
                            tcp.port = addr.port();
                            NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
                        })
                        .collect();
                    let rc = ResolverConfig::from_name_servers(name_servers);
                    Resolver::builder_with_config(rc, TokioRuntimeProvider::default())
                }
                None => Resolver::builder_tokio().map_err(|e| format!("no system resolver: {e}"))?,
            };
            let mut opts = options.clone();
            opts.validate = validate;
            builder = builder.with_options(opts);
            if validate && let Some(key) = config.test_mode.as_ref().and_then(|t| t.dnssec_root.as_ref()) {
                let mut anchors = TrustAnchors::empty();
                anchors.insert(&PublicKeyBuf::new(key.public_key.clone(), Algorithm::from_u8(key.algorithm)));
                builder = builder.with_trust_anchor(Arc::new(anchors));
            }
            builder.build().map_err(|e| format!("resolver: {e}"))
        };
        Ok(Dns {
            plain: build(false)?,
            secure: build(true)?,
        })
    }

    /// The records of a type at a name; none when the name or the type does not exist.
    async fn records(&self, name: &str, kind: RecordType) -> Result<Vec<Record>, String> {
        let name = fqdn(name)?;
        match self.plain.lookup(name, kind).await {
            Ok(lookup) => Ok(lookup.answers().to_vec()),
            Err(e) if e.is_no_records_found() || e.is_nx_domain() => Ok(Vec::new()),
            Err(e) => Err(short_error(&e)),
        }
    }

    pub(crate) async fn ipv4(&self, name: &str) -> Result<Vec<Ipv4Addr>, String> {
        Ok(self
            .records(name, RecordType::A)
            .await?
            .iter()
            .filter_map(|r| if let RData::A(a) = &r.data { Some(a.0) } else { None })
            .collect())
    }

    /// AAAA records, without IPv4-mapped addresses (which give no IPv6 connectivity).
    pub(crate) async fn ipv6(&self, name: &str) -> Result<Vec<Ipv6Addr>, String> {
        Ok(self
            .records(name, RecordType::AAAA)
            .await?
            .iter()
            .filter_map(|r| if let RData::AAAA(a) = &r.data { Some(a.0) } else { None })
            .filter(|a| a.to_ipv4_mapped().is_none())
            .collect())
    }

    /// IPv4 addresses first, then IPv6.
    pub(crate) async fn addresses(&self, name: &str) -> Result<(Vec<Ipv4Addr>, Vec<Ipv6Addr>), String> {
        let (v4, v6) = tokio::join!(self.ipv4(name), self.ipv6(name));
        match (v4, v6) {
            (Err(e), Err(_)) => Err(e),
            (v4, v6) => Ok((v4.unwrap_or_default(), v6.unwrap_or_default())),
        }
    }

    /// TXT records, each with its strings joined.
    pub(crate) async fn txt(&self, name: &str) -> Result<Vec<String>, String> {
        Ok(self
            .records(name, RecordType::TXT)
            .await?
            .iter()
            .filter_map(|r| match &r.data {
                RData::TXT(t) => Some(
                    t.txt_data
                        .iter()
                        .map(|s| String::from_utf8_lossy(s).into_owned())
                        .collect::<String>(),
                ),
                _ => None,
            })
            .collect())
    }

    /// MX records by preference: (preference, host). A null MX has the host `""`.
    pub(crate) async fn mx(&self, name: &str) -> Result<Vec<(u16, String)>, String> {
        let mut mx: Vec<(u16, String)> = self
            .records(name, RecordType::MX)
            .await?
            .iter()
            .filter_map(|r| {
                if let RData::MX(m) = &r.data {
                    Some((m.preference, plain_name(&m.exchange)))
                } else {
                    None
                }
            })
            .collect();
        mx.sort();
        mx.dedup();
        Ok(mx)
    }

    pub(crate) async fn ns(&self, zone: &str) -> Result<Vec<String>, String> {
        let mut ns: Vec<String> = self
            .records(zone, RecordType::NS)
            .await?
            .iter()
            .filter_map(|r| if let RData::NS(n) = &r.data { Some(plain_name(&n.0)) } else { None })
            .collect();
        ns.sort();
        ns.dedup();
        Ok(ns)
    }

    /// The zone a name is in: the owner of the SOA record found at or above it.
    pub(crate) async fn zone_of(&self, name: &str) -> Result<String, String> {
        let fq = fqdn(name)?;
        match self.plain.lookup(fq.clone(), RecordType::SOA).await {
            Ok(lookup) => lookup
                .answers()
                .iter()
                .find(|r| r.record_type() == RecordType::SOA)
                .map(|r| plain_name(&r.name))
                .ok_or_else(|| "no SOA record".to_string()),
            Err(HickoryError::Dns(DnsError::NoRecordsFound(no))) => match no.soa {
                Some(soa) => Ok(plain_name(&soa.name)),
                None => Err("no SOA record".into()),
            },
            Err(e) => Err(short_error(&e)),
        }
    }

    /// Whether the zone publishes DNSKEY records (it is signed).
    pub(crate) async fn has_dnskey(&self, zone: &str) -> Result<bool, String> {
        Ok(self
            .records(zone, RecordType::DNSKEY)
            .await?
            .iter()
            .any(|r| matches!(&r.data, RData::DNSSEC(DNSSECRData::DNSKEY(_)))))
    }

    /// Validates the records of a type at a name.
    pub(crate) async fn validate(&self, name: &str, kind: RecordType) -> (Validation, Vec<Record>) {
        let fq = match fqdn(name) {
            Ok(n) => n,
            Err(e) => return (Validation::Failed(e), Vec::new()),
        };
        match self.secure.lookup(fq, kind).await {
            Ok(lookup) => {
                let records: Vec<Record> = lookup.answers().iter().filter(|r| r.record_type() == kind).cloned().collect();
                let worst = records.iter().map(|r| r.proof).min();
                let v = match worst {
                    Some(Proof::Secure) => Validation::Secure,
                    Some(Proof::Insecure) => Validation::Insecure,
                    Some(Proof::Bogus) => Validation::Bogus("a signature does not verify".into()),
                    Some(Proof::Indeterminate) => Validation::Failed("validation was indeterminate".into()),
                    None => Validation::Failed("no records".into()),
                };
                (v, records)
            }
            Err(HickoryError::Dns(DnsError::DnssecBogus)) => (Validation::Bogus("DNSSEC validation failed".into()), Vec::new()),
            Err(HickoryError::Dns(DnsError::Nsec { proof, .. })) => match proof {
                Proof::Secure => (Validation::Secure, Vec::new()),
                Proof::Insecure => (Validation::Insecure, Vec::new()),
                Proof::Bogus => (Validation::Bogus("the denial of existence does not verify".into()), Vec::new()),
                Proof::Indeterminate => (Validation::Failed("validation was indeterminate".into()), Vec::new()),
            },
            Err(HickoryError::Dns(DnsError::NoRecordsFound(no))) => {
                let proofs: Vec<Proof> = no.authorities.iter().flat_map(|a| a.iter().map(|r| r.proof)).collect();
                let v = match proofs.iter().min() {
                    Some(Proof::Secure) => Validation::Secure,
                    Some(Proof::Bogus) => Validation::Bogus("the denial of existence does not verify".into()),
                    _ => Validation::Insecure,
                };
                (v, Vec::new())
            }
            Err(e) => {
                let text = short_error(&e);
                if text.contains("DNSSEC") || text.contains("proof") || text.contains("Bogus") {
                    (Validation::Bogus(text), Vec::new())
                } else {
                    (Validation::Failed(text), Vec::new())
                }
            }
        }
    }

    /// TLSA records at a name with their validation.
    pub(crate) async fn tlsa(&self, name: &str) -> (Validation, Vec<Tlsa>) {
        let (v, records) = self.validate(name, RecordType::TLSA).await;
        let tlsa = records
            .iter()
            .filter_map(|r| match &r.data {
                RData::TLSA(t) => Some(Tlsa {
                    usage: t.cert_usage.into(),
                    selector: t.selector.into(),
                    matching: t.matching.into(),
                    data: t.cert_data.clone(),
                }),
                _ => None,
            })
            .collect();
        (v, tlsa)
    }
}

fn short_error(e: &HickoryError) -> String {
    let s = e.to_string();
    if s.len() > 160 {
        let mut cut = 160;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}...", &s[..cut])
    } else {
        s
    }
}

/// Addresses as text: `2001:db8::1, 2001:db8::2`.
pub(crate) fn join_addresses<A: Into<IpAddr> + Copy>(addrs: &[A]) -> String {
    addrs.iter().map(|a| (*a).into().to_string()).collect::<Vec<_>>().join(", ")
}
