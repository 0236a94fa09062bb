//! DANE (RFC 7672): TLSA records of a mail server against the certificates it sends; and TLS-RPT (RFC 8460), where
//! failures of DANE and MTA-STS are reported.

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::mta_sts::{ReportUri, TlsRpt};
use sha2::{Digest, Sha256, Sha512};
use x509_parser::prelude::*;

use crate::dns::{Tlsa, Validation};
use crate::model::{Judgement, Verdict};
use crate::reason::{Reason, ReasonCode};

/// Whether a TLSA record matches the chain: DANE-EE (3) the leaf, DANE-TA (2) any other certificate sent; full
/// certificate (0) or public key (1); exact (0), SHA-256 (1) or SHA-512 (2).
pub fn tlsa_matches(tlsa: &Tlsa, chain: &[Vec<u8>]) -> bool {
    let candidates: Vec<&Vec<u8>> = match tlsa.usage {
        3 => chain.iter().take(1).collect(),
        2 => chain.iter().skip(1).collect(),
        _ => return false,
    };
    candidates.iter().any(|der| {
        let selected: Vec<u8> = match tlsa.selector {
            0 => der.to_vec(),
            1 => match X509Certificate::from_der(der) {
                Ok((_, cert)) => cert.public_key().raw.to_vec(),
                Err(_) => return false,
            },
            _ => return false,
        };
        match tlsa.matching {
            0 => selected == tlsa.data,
            1 => Sha256::digest(&selected).as_slice() == tlsa.data.as_slice(),
            2 => Sha512::digest(&selected).as_slice() == tlsa.data.as_slice(),
            _ => false,
        }
    })
}

/// DANE for one mail server: its zone secure, a usable TLSA record, and one that matches the certificate.
pub fn dane_judgement(host: &str, zone: &Validation, tlsa: &(Validation, Vec<Tlsa>), chain: Option<&[Vec<u8>]>) -> Judgement {
    let name = format!("_25._tcp.{host}");
    match zone {
        Validation::Insecure => return Judgement::new(Verdict::NotApplicable, Reason::new(ReasonCode::DaneInsecure).arg("host", host)),
        Validation::Bogus(_) => return Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DaneBogus).arg("name", &name)),
        Validation::Failed(e) => {
            return Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", host).arg("error", e),
            );
        }
        Validation::Secure => {}
    }
    let (validation, records) = tlsa;
    if let Validation::Bogus(_) = validation {
        return Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DaneBogus).arg("name", &name));
    }
    if records.is_empty() {
        if let Validation::Failed(e) = validation
            && !e.contains("no records")
        {
            return Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", &name).arg("error", e),
            );
        }
        return Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DaneMissing).arg("name", &name));
    }
    let shown = records.iter().map(Tlsa::describe).collect::<Vec<_>>().join(", ");
    let usable: Vec<&Tlsa> = records.iter().filter(|t| t.usage == 2 || t.usage == 3).collect();
    let j = if usable.is_empty() {
        Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DaneUnusable).arg("name", &name))
    } else {
        match chain {
            None | Some([]) => Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoStarttls)),
            Some(chain) => match usable.iter().find(|t| tlsa_matches(t, chain)) {
                Some(t) => Judgement::new(
                    Verdict::Pass,
                    Reason::new(ReasonCode::DaneOk).arg("name", &name).arg("record", t.describe()),
                ),
                None => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DaneMismatch).arg("name", &name)),
            },
        }
    };
    j.with("tlsa", shown)
}

/// TLS-RPT: a `v=TLSRPTv1` record with somewhere to send reports.
pub fn tls_rpt_judgement(name: &str, records: &[String]) -> Judgement {
    match records {
        [] => Judgement::new(Verdict::Warning, Reason::new(ReasonCode::TlsRptMissing).arg("name", name)),
        [one] => match TlsRpt::parse(one.as_bytes()) {
            Ok(r) if !r.rua.is_empty() => {
                let rua = r
                    .rua
                    .iter()
                    .map(|u| match u {
                        ReportUri::Mail(m) => format!("mailto:{m}"),
                        ReportUri::Http(h) => h.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                Judgement::new(Verdict::Pass, Reason::new(ReasonCode::TlsRptOk).arg("rua", &rua)).with("tls_rpt", one)
            }
            _ => Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::TlsRptInvalid).arg("name", name).arg("record", one),
            ),
        },
        [first, ..] => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::TlsRptInvalid).arg("name", name).arg("record", first),
        )
        .with("tls_rpt", records.join(" | ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_rpt_records() {
        assert_eq!(
            tls_rpt_judgement("_smtp._tls.gent.be", &["v=TLSRPTv1; rua=mailto:tls@gent.be".into()]).verdict,
            Verdict::Pass
        );
        assert_eq!(tls_rpt_judgement("_smtp._tls.gent.be", &[]).verdict, Verdict::Warning);
        assert_eq!(
            tls_rpt_judgement("_smtp._tls.gent.be", &["v=TLSRPTv1; rua=ftp://x".into()]).verdict,
            Verdict::Fail
        );
    }

    #[test]
    fn dane_verdicts() {
        let cert = b"not a real certificate".to_vec();
        let hash = Sha256::digest(&cert).to_vec();
        let ee_full = Tlsa {
            usage: 3,
            selector: 0,
            matching: 1,
            data: hash.clone(),
        };
        let secure = Validation::Secure;
        let j = |zone: &Validation, records: Vec<Tlsa>, chain: Option<&[Vec<u8>]>| {
            dane_judgement("mx.gent.be", zone, &(Validation::Secure, records), chain)
        };
        let chain = vec![cert.clone()];
        assert_eq!(j(&secure, vec![ee_full.clone()], Some(&chain)).verdict, Verdict::Pass);
        assert_eq!(
            j(
                &secure,
                vec![Tlsa {
                    data: vec![0; 32],
                    ..ee_full.clone()
                }],
                Some(&chain)
            )
            .reason
            .code,
            ReasonCode::DaneMismatch
        );
        assert_eq!(
            j(
                &secure,
                vec![Tlsa {
                    usage: 1,
                    ..ee_full.clone()
                }],
                Some(&chain)
            )
            .reason
            .code,
            ReasonCode::DaneUnusable
        );
        assert_eq!(j(&secure, vec![], Some(&chain)).reason.code, ReasonCode::DaneMissing);
        assert_eq!(j(&Validation::Insecure, vec![], Some(&chain)).verdict, Verdict::NotApplicable);
        assert_eq!(j(&Validation::Bogus("x".into()), vec![], Some(&chain)).verdict, Verdict::Fail);
        // DANE-TA matches a certificate after the leaf, never the leaf.
        let ta = Tlsa { usage: 2, ..ee_full };
        assert!(!tlsa_matches(&ta, &chain));
        assert!(tlsa_matches(&ta, &[b"leaf".to_vec(), cert]));
    }
}
