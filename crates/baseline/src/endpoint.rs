//! The TLS and certificate outcomes of one endpoint, shared by the web (HTTPS) and mail (STARTTLS) checks.

use chrono::{DateTime, Utc};

use crate::model::{Check, Judgement, Outcome, Subject, Verdict};
use crate::reason::{Reason, ReasonCode};
use crate::tls::cert::{self, CertFacts, TrustStore};
use crate::tls::{TlsObservation, verdict};

/// Which checks the outcomes of an endpoint are.
pub(crate) struct TlsChecks {
    pub version: Check,
    pub ciphers: Check,
    pub key_exchange: Check,
    pub compression: Check,
    pub renegotiation: Check,
    pub trust: Check,
    pub name: Check,
    pub expiry: Check,
    pub key: Check,
    pub signature: Check,
}

pub(crate) const WEB: TlsChecks = TlsChecks {
    version: Check::WebTlsVersion,
    ciphers: Check::WebTlsCiphers,
    key_exchange: Check::WebTlsKeyExchange,
    compression: Check::WebTlsCompression,
    renegotiation: Check::WebTlsRenegotiation,
    trust: Check::WebCertTrust,
    name: Check::WebCertName,
    expiry: Check::WebCertExpiry,
    key: Check::WebCertKey,
    signature: Check::WebCertSignature,
};

pub(crate) const MAIL: TlsChecks = TlsChecks {
    version: Check::MailTlsVersion,
    ciphers: Check::MailTlsCiphers,
    key_exchange: Check::MailTlsKeyExchange,
    compression: Check::MailTlsCompression,
    renegotiation: Check::MailTlsRenegotiation,
    trust: Check::MailCertTrust,
    name: Check::MailCertName,
    expiry: Check::MailCertExpiry,
    key: Check::MailCertKey,
    signature: Check::MailCertSignature,
};

impl TlsChecks {
    pub(crate) fn all(&self) -> [Check; 10] {
        [
            self.version,
            self.ciphers,
            self.key_exchange,
            self.compression,
            self.renegotiation,
            self.trust,
            self.name,
            self.expiry,
            self.key,
            self.signature,
        ]
    }
}

/// Every check of the endpoint with the same judgement (not tested, and why).
pub(crate) fn all_with(checks: &TlsChecks, subject: &Subject, j: &Judgement) -> Vec<Outcome> {
    checks.all().iter().map(|c| j.clone().outcome(*c, subject.clone())).collect()
}

/// The TLS outcomes of an observation and the certificate outcomes of the chain (leaf first; from the full handshake
/// when there was one, else from the probes).
pub(crate) fn outcomes(
    checks: &TlsChecks,
    subject: &Subject,
    host: &str,
    obs: &TlsObservation,
    chain: &[Vec<u8>],
    trust: &TrustStore,
    now: DateTime<Utc>,
) -> Vec<Outcome> {
    let endpoint = subject.to_string();
    let mut out = vec![
        verdict::settle(verdict::versions(obs), obs, &endpoint).outcome(checks.version, subject.clone()),
        verdict::settle(verdict::ciphers(obs), obs, &endpoint).outcome(checks.ciphers, subject.clone()),
        verdict::settle(verdict::key_exchange(obs), obs, &endpoint).outcome(checks.key_exchange, subject.clone()),
        verdict::settle(verdict::compression(obs), obs, &endpoint).outcome(checks.compression, subject.clone()),
        verdict::settle(verdict::renegotiation(obs), obs, &endpoint).outcome(checks.renegotiation, subject.clone()),
    ];
    if obs.handshakes > 0 {
        out[0]
            .evidence
            .push(crate::model::Evidence::new("handshakes", obs.handshakes.to_string()));
    }
    out.extend(certificate_outcomes(checks, subject, host, chain, trust, now));
    out
}

/// The five certificate checks of a chain.
pub(crate) fn certificate_outcomes(
    checks: &TlsChecks,
    subject: &Subject,
    host: &str,
    chain: &[Vec<u8>],
    trust: &TrustStore,
    now: DateTime<Utc>,
) -> Vec<Outcome> {
    let cert_checks = [checks.trust, checks.name, checks.expiry, checks.key, checks.signature];
    if chain.is_empty() {
        let j = Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoCertificate));
        return cert_checks.iter().map(|c| j.clone().outcome(*c, subject.clone())).collect();
    }
    let facts: Result<Vec<CertFacts>, String> = chain.iter().map(|c| cert::facts(c)).collect();
    let facts = match facts {
        Ok(f) => f,
        Err(e) => {
            let j = Judgement::new(Verdict::Fail, Reason::new(ReasonCode::TrustInvalid).arg("error", e));
            return cert_checks.iter().map(|c| j.clone().outcome(*c, subject.clone())).collect();
        }
    };
    vec![
        trust.judge(chain, host, now).outcome(checks.trust, subject.clone()),
        cert::name_judgement(&facts[0], host).outcome(checks.name, subject.clone()),
        cert::expiry_judgement(&facts[0], now).outcome(checks.expiry, subject.clone()),
        cert::key_judgement(&facts).outcome(checks.key, subject.clone()),
        cert::signature_judgement(&facts).outcome(checks.signature, subject.clone()),
    ]
}
