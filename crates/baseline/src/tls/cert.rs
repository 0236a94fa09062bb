//! Certificates: what they say (x509-parser), whether the chain is trusted (webpki, at the injected `now`), and the
//! pure verdicts on name, validity, keys and signatures.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, RootCertStore};
use x509_parser::prelude::*;

use super::levels::Level;
use crate::model::{Judgement, Verdict};
use crate::reason::{Reason, ReasonCode};

/// What a certificate says, as far as the checks care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertFacts {
    pub subject: String,
    pub issuer: String,
    /// DNS names and IP addresses of the subject alternative names; the common name only when there are none.
    pub names: Vec<String>,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub key: KeyFacts,
    pub signature: SignatureFacts,
    /// Subject and issuer are the same (a root, or a self-signed certificate).
    pub self_issued: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyFacts {
    /// `RSA 2048`, `ECDSA secp256r1`, `Ed25519`.
    pub description: String,
    pub level: Level,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureFacts {
    /// `SHA-256 with RSA`, `ECDSA with SHA-384`, `SHA-1 with RSA`.
    pub description: String,
    pub level: Level,
}

/// Reads a DER certificate.
pub fn facts(der: &[u8]) -> Result<CertFacts, String> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| format!("unreadable certificate: {e}"))?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(n) => names.push(n.to_ascii_lowercase()),
                GeneralName::IPAddress(ip) => match ip.len() {
                    4 => names.push(std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string()),
                    16 => {
                        let mut b = [0u8; 16];
                        b.copy_from_slice(ip);
                        names.push(std::net::Ipv6Addr::from(b).to_string());
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    if names.is_empty() {
        names.extend(
            cert.subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok())
                .map(|s| s.to_ascii_lowercase()),
        );
    }
    let time = |t: i64| Utc.timestamp_opt(t, 0).single().unwrap_or(DateTime::<Utc>::MIN_UTC);
    Ok(CertFacts {
        subject: short_name(cert.subject()),
        issuer: short_name(cert.issuer()),
        names,
        not_before: time(cert.validity().not_before.timestamp()),
        not_after: time(cert.validity().not_after.timestamp()),
        key: key_facts(cert.public_key()),
        signature: signature_facts(&cert.signature_algorithm),
        self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
    })
}

/// The common name, else the organisation, else the whole name.
fn short_name(name: &X509Name<'_>) -> String {
    if let Some(cn) = name.iter_common_name().next().and_then(|cn| cn.as_str().ok()) {
        return cn.to_string();
    }
    if let Some(o) = name.iter_organization().next().and_then(|o| o.as_str().ok()) {
        return o.to_string();
    }
    name.to_string()
}

fn key_facts(spki: &SubjectPublicKeyInfo<'_>) -> KeyFacts {
    let alg = spki.algorithm.algorithm.to_id_string();
    match alg.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
            let bits = spki.parsed().map(|k| k.key_size()).unwrap_or(0);
            let level = if bits >= 3072 {
                Level::Sufficient
            } else if bits >= 2048 {
                Level::PhaseOut
            } else {
                Level::Insufficient
            };
            KeyFacts {
                description: format!("RSA {bits}"),
                level,
            }
        }
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string())
                .unwrap_or_default();
            let (name, level) = match curve.as_str() {
                "1.2.840.10045.3.1.7" => ("secp256r1", Level::Sufficient),
                "1.3.132.0.34" => ("secp384r1", Level::Sufficient),
                "1.3.132.0.35" => ("secp521r1", Level::Sufficient),
                "1.3.36.3.3.2.8.1.1.7" => ("brainpoolP256r1", Level::Sufficient),
                "1.3.36.3.3.2.8.1.1.11" => ("brainpoolP384r1", Level::Sufficient),
                "1.3.36.3.3.2.8.1.1.13" => ("brainpoolP512r1", Level::Sufficient),
                "1.3.132.0.33" => ("secp224r1", Level::PhaseOut),
                _ => ("", Level::Insufficient),
            };
            let name = if name.is_empty() {
                format!("curve {curve}")
            } else {
                name.to_string()
            };
            KeyFacts {
                description: format!("ECDSA {name}"),
                level,
            }
        }
        "1.3.101.112" => KeyFacts {
            description: "Ed25519".into(),
            level: Level::Sufficient,
        },
        "1.3.101.113" => KeyFacts {
            description: "Ed448".into(),
            level: Level::Sufficient,
        },
        "1.2.840.10040.4.1" => {
            let bits = spki.parsed().map(|k| k.key_size()).unwrap_or(0);
            KeyFacts {
                description: format!("DSA {bits}"),
                level: Level::Insufficient,
            }
        }
        other => KeyFacts {
            description: format!("key {other}"),
            level: Level::Insufficient,
        },
    }
}

fn hash_of(oid: &str) -> (&'static str, Level) {
    match oid {
        "2.16.840.1.101.3.4.2.1" => ("SHA-256", Level::Good),
        "2.16.840.1.101.3.4.2.2" => ("SHA-384", Level::Good),
        "2.16.840.1.101.3.4.2.3" => ("SHA-512", Level::Good),
        "2.16.840.1.101.3.4.2.4" => ("SHA-224", Level::PhaseOut),
        "1.3.14.3.2.26" => ("SHA-1", Level::Insufficient),
        _ => ("an unknown hash", Level::Insufficient),
    }
}

fn signature_facts(alg: &AlgorithmIdentifier<'_>) -> SignatureFacts {
    let oid = alg.algorithm.to_id_string();
    let (description, level): (String, Level) = match oid.as_str() {
        "1.2.840.113549.1.1.11" => ("SHA-256 with RSA".into(), Level::Good),
        "1.2.840.113549.1.1.12" => ("SHA-384 with RSA".into(), Level::Good),
        "1.2.840.113549.1.1.13" => ("SHA-512 with RSA".into(), Level::Good),
        "1.2.840.113549.1.1.14" => ("SHA-224 with RSA".into(), Level::PhaseOut),
        "1.2.840.113549.1.1.5" => ("SHA-1 with RSA".into(), Level::Insufficient),
        "1.2.840.113549.1.1.4" => ("MD5 with RSA".into(), Level::Insufficient),
        "1.2.840.113549.1.1.2" => ("MD2 with RSA".into(), Level::Insufficient),
        "1.2.840.10045.4.3.2" => ("ECDSA with SHA-256".into(), Level::Good),
        "1.2.840.10045.4.3.3" => ("ECDSA with SHA-384".into(), Level::Good),
        "1.2.840.10045.4.3.4" => ("ECDSA with SHA-512".into(), Level::Good),
        "1.2.840.10045.4.3.1" => ("ECDSA with SHA-224".into(), Level::PhaseOut),
        "1.2.840.10045.4.1" => ("ECDSA with SHA-1".into(), Level::Insufficient),
        "1.3.101.112" => ("Ed25519".into(), Level::Good),
        "1.3.101.113" => ("Ed448".into(), Level::Good),
        "1.2.840.113549.1.1.10" => {
            let hash = alg
                .parameters
                .as_ref()
                .and_then(|p| x509_parser::signature_algorithm::RsaSsaPssParams::try_from(p).ok())
                .map(|p| p.hash_algorithm_oid().to_id_string())
                .unwrap_or_else(|| "1.3.14.3.2.26".into());
            let (name, level) = hash_of(&hash);
            (format!("RSASSA-PSS with {name}"), level)
        }
        "1.2.840.10040.4.3" | "2.16.840.1.101.3.4.3.1" | "2.16.840.1.101.3.4.3.2" => ("DSA".into(), Level::Insufficient),
        other => (format!("algorithm {other}"), Level::Insufficient),
    };
    SignatureFacts { description, level }
}

/// Whether a certificate name (possibly `*.gent.be`) covers a host name (RFC 6125: a wildcard stands for exactly one
/// whole left-most label).
pub fn name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(rest) => match host.split_once('.') {
            Some((first, host_rest)) => !first.is_empty() && host_rest == rest && rest.contains('.'),
            None => false,
        },
        None => pattern == host,
    }
}

/// `dd/mm/yyyy`, as the portal writes dates.
pub(crate) fn day(t: DateTime<Utc>) -> String {
    t.format("%d/%m/%Y").to_string()
}

/// The certificate is for the name.
pub fn name_judgement(leaf: &CertFacts, host: &str) -> Judgement {
    let names = leaf.names.join(", ");
    if leaf.names.iter().any(|n| name_matches(n, host)) {
        Judgement::new(Verdict::Pass, Reason::new(ReasonCode::NameOk).arg("name", host)).with("certificate_names", names)
    } else {
        Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::NameMismatch).arg("name", host).arg("names", &names),
        )
        .with("certificate_names", names)
    }
}

/// Valid now, and not expiring within 30 days (a warning).
pub fn expiry_judgement(leaf: &CertFacts, now: DateTime<Utc>) -> Judgement {
    let j = if now < leaf.not_before {
        Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::NotYetValid).arg("not_before", day(leaf.not_before)),
        )
    } else if now > leaf.not_after {
        Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::Expired).arg("not_after", day(leaf.not_after)),
        )
    } else if leaf.not_after - now <= chrono::Duration::days(30) {
        Judgement::new(
            Verdict::Warning,
            Reason::new(ReasonCode::ExpirySoon).arg("not_after", day(leaf.not_after)),
        )
    } else {
        Judgement::new(
            Verdict::Pass,
            Reason::new(ReasonCode::ExpiryOk).arg("not_after", day(leaf.not_after)),
        )
    };
    j.with("not_before", leaf.not_before.to_rfc3339())
        .with("not_after", leaf.not_after.to_rfc3339())
}

/// The certificates whose keys and signatures count: the leaf and the intermediates, not a self-issued root the server
/// sent along (its own signature is not checked by anyone).
fn counted(chain: &[CertFacts]) -> impl Iterator<Item = &CertFacts> {
    chain.iter().enumerate().filter(|(i, c)| *i == 0 || !c.self_issued).map(|(_, c)| c)
}

/// The keys of the leaf and intermediates: RSA at least 3072 bits (2048 to phase out), ECDSA on a listed curve, EdDSA.
pub fn key_judgement(chain: &[CertFacts]) -> Judgement {
    let keys: Vec<&KeyFacts> = counted(chain).map(|c| &c.key).collect();
    let all = keys.iter().map(|k| k.description.clone()).collect::<Vec<_>>().join(", ");
    let at = |level: Level| {
        keys.iter()
            .filter(|k| k.level == level)
            .map(|k| k.description.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (insufficient, phase_out) = (at(Level::Insufficient), at(Level::PhaseOut));
    let j = if !insufficient.is_empty() {
        Judgement::new(Verdict::Fail, Reason::new(ReasonCode::KeyInsufficient).arg("keys", insufficient))
    } else if !phase_out.is_empty() {
        Judgement::new(Verdict::Warning, Reason::new(ReasonCode::KeyPhaseOut).arg("keys", phase_out))
    } else {
        Judgement::new(Verdict::Pass, Reason::new(ReasonCode::KeyOk).arg("keys", &all))
    };
    j.with("keys", all)
}

/// The signatures on the leaf and intermediates: SHA-2 (256 bits or more) good, SHA-224 to phase out, SHA-1, MD5 and DSA
/// insufficient.
pub fn signature_judgement(chain: &[CertFacts]) -> Judgement {
    let sigs: Vec<&SignatureFacts> = counted(chain).map(|c| &c.signature).collect();
    let mut all: Vec<String> = sigs.iter().map(|s| s.description.clone()).collect();
    all.dedup();
    let all = all.join(", ");
    let at = |level: Level| {
        let mut v: Vec<String> = sigs.iter().filter(|s| s.level == level).map(|s| s.description.clone()).collect();
        v.dedup();
        v.join(", ")
    };
    let (insufficient, phase_out) = (at(Level::Insufficient), at(Level::PhaseOut));
    let j = if !insufficient.is_empty() {
        Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::SignatureInsufficient).arg("algorithms", insufficient),
        )
    } else if !phase_out.is_empty() {
        Judgement::new(
            Verdict::Warning,
            Reason::new(ReasonCode::SignaturePhaseOut).arg("algorithms", phase_out),
        )
    } else {
        Judgement::new(Verdict::Pass, Reason::new(ReasonCode::SignatureOk).arg("algorithms", &all))
    };
    j.with("signatures", all)
}

/// Verifies chains against the Mozilla roots (webpki-roots) and any extra roots of the test mode.
pub struct TrustStore {
    verifier: Arc<WebPkiServerVerifier>,
}

impl TrustStore {
    pub fn new(extra_roots: &[CertificateDer<'static>]) -> Result<TrustStore, String> {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for root in extra_roots {
            roots.add(root.clone()).map_err(|e| format!("a test root is not usable: {e}"))?;
        }
        let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::new(rustls::crypto::ring::default_provider()))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(TrustStore { verifier })
    }

    /// The chain (leaf first) ends at a trusted root and every certificate in it is valid at `now`. A wrong name is the
    /// name check's business, not this one's.
    pub fn judge(&self, chain: &[Vec<u8>], host: &str, now: DateTime<Utc>) -> Judgement {
        let Some(leaf) = chain.first() else {
            return Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoCertificate));
        };
        let issuer = facts(leaf).map(|f| f.issuer).unwrap_or_default();
        let end_entity = CertificateDer::from(leaf.as_slice());
        let intermediates: Vec<CertificateDer<'_>> = chain[1..].iter().map(|c| CertificateDer::from(c.as_slice())).collect();
        let name = match ServerName::try_from(host.to_string()) {
            Ok(n) => n,
            Err(_) => {
                return Judgement::new(
                    Verdict::Unknown,
                    Reason::new(ReasonCode::TrustInvalid).arg("error", "not a host name"),
                );
            }
        };
        let seconds = now.timestamp().max(0) as u64;
        let at = UnixTime::since_unix_epoch(Duration::from_secs(seconds));
        let result = self.verifier.verify_server_cert(&end_entity, &intermediates, &name, &[], at);
        let j = match result {
            Ok(_) => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::TrustOk).arg("issuer", &issuer)),
            Err(rustls::Error::InvalidCertificate(e)) => match e {
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                    Judgement::new(Verdict::Pass, Reason::new(ReasonCode::TrustOk).arg("issuer", &issuer))
                }
                CertificateError::UnknownIssuer => {
                    Judgement::new(Verdict::Fail, Reason::new(ReasonCode::TrustUnknownIssuer).arg("issuer", &issuer))
                }
                CertificateError::BadSignature => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::TrustBadSignature)),
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => Judgement::new(
                    Verdict::Fail,
                    Reason::new(ReasonCode::TrustInvalid).arg("error", "a certificate in the chain has expired"),
                ),
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => Judgement::new(
                    Verdict::Fail,
                    Reason::new(ReasonCode::TrustInvalid).arg("error", "a certificate in the chain is not yet valid"),
                ),
                other => Judgement::new(
                    Verdict::Fail,
                    Reason::new(ReasonCode::TrustInvalid).arg("error", format!("{other:?}")),
                ),
            },
            Err(other) => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::TrustInvalid).arg("error", other.to_string())),
        };
        j.with("issuer", issuer).with("chain_length", chain.len().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(name_matches("gent.be", "GENT.be"));
        assert!(name_matches("*.gent.be", "www.gent.be"));
        assert!(!name_matches("*.gent.be", "gent.be"));
        assert!(!name_matches("*.gent.be", "a.b.gent.be"));
        assert!(!name_matches("*.be", "gent.be"));
        assert!(!name_matches("www.gent.be", "gent.be"));
    }

    fn facts_with(key: Level, sig: Level, self_issued: bool) -> CertFacts {
        let t = Utc.with_ymd_and_hms(2021, 1, 1, 0, 0, 0).unwrap();
        CertFacts {
            subject: "x".into(),
            issuer: "y".into(),
            names: vec!["gent.be".into(), "*.gent.be".into()],
            not_before: t,
            not_after: t + chrono::Duration::days(365),
            key: KeyFacts {
                description: format!("{key:?} key"),
                level: key,
            },
            signature: SignatureFacts {
                description: format!("{sig:?} sig"),
                level: sig,
            },
            self_issued,
        }
    }

    #[test]
    fn validity_with_a_warning_thirty_days_ahead() {
        let c = facts_with(Level::Sufficient, Level::Good, false);
        let at = |d: i64| c.not_before + chrono::Duration::days(d);
        assert_eq!(expiry_judgement(&c, at(-1)).verdict, Verdict::Fail);
        assert_eq!(expiry_judgement(&c, at(100)).verdict, Verdict::Pass);
        assert_eq!(expiry_judgement(&c, at(334)).verdict, Verdict::Pass);
        let soon = expiry_judgement(&c, at(336));
        assert_eq!((soon.verdict, soon.reason.code), (Verdict::Warning, ReasonCode::ExpirySoon));
        assert_eq!(soon.reason.args[0].1, "01/01/2022");
        assert_eq!(expiry_judgement(&c, at(366)).reason.code, ReasonCode::Expired);
    }

    #[test]
    fn names_keys_and_signatures() {
        let good = facts_with(Level::Sufficient, Level::Good, false);
        assert_eq!(name_judgement(&good, "www.gent.be").verdict, Verdict::Pass);
        assert_eq!(name_judgement(&good, "brugge.be").verdict, Verdict::Fail);
        let root = facts_with(Level::Insufficient, Level::Insufficient, true);
        // A weak self-issued root sent along does not count...
        assert_eq!(key_judgement(&[good.clone(), root.clone()]).verdict, Verdict::Pass);
        assert_eq!(signature_judgement(&[good.clone(), root]).verdict, Verdict::Pass);
        // ...but a weak intermediate does, and a self-signed leaf counts.
        let weak = facts_with(Level::PhaseOut, Level::PhaseOut, false);
        assert_eq!(key_judgement(&[good.clone(), weak.clone()]).verdict, Verdict::Warning);
        assert_eq!(signature_judgement(&[good.clone(), weak]).verdict, Verdict::Warning);
        let self_signed = facts_with(Level::Insufficient, Level::Insufficient, true);
        assert_eq!(key_judgement(std::slice::from_ref(&self_signed)).verdict, Verdict::Fail);
        assert_eq!(signature_judgement(&[self_signed]).verdict, Verdict::Fail);
    }
}
