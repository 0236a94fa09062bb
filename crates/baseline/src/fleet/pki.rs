//! The fleet's certificates: its own CA (trusted in the test mode), a CA nobody trusts, and leaf certificates made
//! to order with rcgen, dated relative to the fleet's `now`.

use chrono::{DateTime, Duration, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
    PKCS_RSA_SHA256, PublicKeyData, SignatureAlgorithm,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use x509_parser::prelude::*;

use super::spec::CertSpec;

const RSA1024: &[u8] = include_bytes!("fixtures/rsa1024.pub.der");
const RSA2048: &[u8] = include_bytes!("fixtures/rsa2048.pub.der");
const SHA1: &[u8] = include_bytes!("fixtures/sha1.der");

/// A certificate chain to present, leaf first, and its private key when a real handshake can be made with it.
#[derive(Clone, Debug)]
pub struct Served {
    pub chain: Vec<Vec<u8>>,
    pub key: Option<Vec<u8>>,
    /// The DER SubjectPublicKeyInfo of the leaf (for TLSA records).
    pub spki: Vec<u8>,
}

impl Served {
    pub(crate) fn rustls_chain(&self) -> Vec<CertificateDer<'static>> {
        self.chain.iter().map(|c| CertificateDer::from(c.clone())).collect()
    }

    pub(crate) fn rustls_key(&self) -> Option<PrivateKeyDer<'static>> {
        self.key.as_ref().map(|k| PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(k.clone())))
    }
}

/// An RSA public key (PKCS#1 DER), which the CA can certify without its private key.
struct RsaPublic(Vec<u8>);

impl PublicKeyData for RsaPublic {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &PKCS_RSA_SHA256
    }
}

pub(crate) struct Pki {
    now: DateTime<Utc>,
    ca: Issuer<'static, KeyPair>,
    ca_der: Vec<u8>,
    rogue: Issuer<'static, KeyPair>,
}

fn ts(t: DateTime<Utc>) -> Result<::time::OffsetDateTime, String> {
    ::time::OffsetDateTime::from_unix_timestamp(t.timestamp()).map_err(|e| e.to_string())
}

fn ca_params(name: &str) -> Result<CertificateParams, String> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "cyberveilig offline fleet");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.serial_number = Some(serial());
    params.not_before = rcgen::date_time_ymd(2000, 1, 1);
    params.not_after = rcgen::date_time_ymd(2099, 12, 31);
    Ok(params)
}

/// A random positive serial number of 16 bytes (RFC 5280: positive, at most 20 bytes).
fn serial() -> rcgen::SerialNumber {
    let mut bytes: [u8; 16] = rand::random();
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    rcgen::SerialNumber::from_slice(&bytes)
}

fn generate() -> Result<KeyPair, String> {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())
}

impl Pki {
    pub(crate) fn new(now: DateTime<Utc>) -> Result<Pki, String> {
        let ca_key = generate()?;
        let params = ca_params("cyberveilig fleet CA")?;
        let ca_cert = params.self_signed(&ca_key).map_err(|e| e.to_string())?;
        let rogue_key = generate()?;
        let rogue_params = ca_params("Untrusted Test CA")?;
        Ok(Pki {
            now,
            ca_der: ca_cert.der().to_vec(),
            ca: Issuer::new(params, ca_key),
            rogue: Issuer::new(rogue_params, rogue_key),
        })
    }

    /// The CA certificate to trust in the test mode.
    pub(crate) fn ca_der(&self) -> &[u8] {
        &self.ca_der
    }

    /// A certificate for `names` (the first is the common name) made to `spec`.
    pub(crate) fn leaf(&self, spec: CertSpec, names: &[String]) -> Result<Served, String> {
        let day = Duration::days(1);
        let (from, until) = match spec {
            CertSpec::Expired => (self.now - day * 400, self.now - day * 10),
            CertSpec::Expiring => (self.now - day * 345, self.now + day * 20),
            _ => (self.now - day * 30, self.now + day * 335),
        };
        if spec == CertSpec::Sha1 {
            return Ok(Served {
                chain: vec![SHA1.to_vec()],
                key: None,
                spki: spki_of(SHA1)?,
            });
        }
        let names: Vec<String> = if spec == CertSpec::WrongName {
            vec!["other.test".into()]
        } else {
            names.to_vec()
        };
        let mut params = CertificateParams::new(names.clone()).map_err(|e| e.to_string())?;
        params
            .distinguished_name
            .push(DnType::CommonName, names.first().cloned().unwrap_or_default());
        params.serial_number = Some(serial());
        params.not_before = ts(from)?;
        params.not_after = ts(until)?;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        // Strict RFC 5280 validators (sslyze's) require the authority key identifier.
        params.use_authority_key_identifier_extension = true;
        let issuer = if spec == CertSpec::Untrusted { &self.rogue } else { &self.ca };
        let (cert, key) = match spec {
            CertSpec::Rsa1024 => (
                params.signed_by(&RsaPublic(RSA1024.to_vec()), issuer).map_err(|e| e.to_string())?,
                None,
            ),
            CertSpec::Rsa2048 => (
                params.signed_by(&RsaPublic(RSA2048.to_vec()), issuer).map_err(|e| e.to_string())?,
                None,
            ),
            _ => {
                let key = generate()?;
                (
                    params.signed_by(&key, issuer).map_err(|e| e.to_string())?,
                    Some(key.serialize_der()),
                )
            }
        };
        let der = cert.der().to_vec();
        Ok(Served {
            spki: spki_of(&der)?,
            chain: vec![der],
            key,
        })
    }
}

impl Pki {
    /// A good certificate for `names` for an RSA public key (PKCS#1 DER), for the OpenSSL servers, which hold the
    /// private key themselves.
    pub(crate) fn leaf_for_rsa(&self, names: &[String], rsa_public: Vec<u8>) -> Result<Served, String> {
        let mut params = CertificateParams::new(names.to_vec()).map_err(|e| e.to_string())?;
        params
            .distinguished_name
            .push(DnType::CommonName, names.first().cloned().unwrap_or_default());
        params.serial_number = Some(serial());
        params.not_before = ts(self.now - Duration::days(30))?;
        params.not_after = ts(self.now + Duration::days(335))?;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&RsaPublic(rsa_public), &self.ca).map_err(|e| e.to_string())?;
        let der = cert.der().to_vec();
        Ok(Served {
            spki: spki_of(&der)?,
            chain: vec![der],
            key: None,
        })
    }
}

fn spki_of(der: &[u8]) -> Result<Vec<u8>, String> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
    Ok(cert.public_key().raw.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::cert::{self, TrustStore};
    use crate::tls::levels::Level;
    use chrono::TimeZone;

    #[test]
    fn leaves_are_what_their_spec_says() {
        let now = Utc.with_ymd_and_hms(2021, 6, 15, 10, 0, 0).unwrap();
        let pki = Pki::new(now).unwrap();
        let names = vec!["good.test".to_string(), "www.good.test".to_string()];
        let trust = TrustStore::new(&[CertificateDer::from(pki.ca_der().to_vec())]).unwrap();
        let leaf = |spec| pki.leaf(spec, &names).unwrap();
        let good = leaf(CertSpec::Good);
        assert_eq!(trust.judge(&good.chain, "www.good.test", now).verdict, crate::Verdict::Pass);
        let facts = cert::facts(&good.chain[0]).unwrap();
        assert_eq!(facts.names, names);
        assert_eq!(facts.key.description, "ECDSA secp256r1");
        assert_eq!(facts.signature.description, "ECDSA with SHA-256");
        assert_eq!(cert::expiry_judgement(&facts, now).verdict, crate::Verdict::Pass);
        // Without the fleet's CA, nothing is trusted.
        assert_eq!(
            TrustStore::new(&[]).unwrap().judge(&good.chain, "good.test", now).verdict,
            crate::Verdict::Fail
        );
        assert_eq!(
            trust.judge(&leaf(CertSpec::Untrusted).chain, "good.test", now).verdict,
            crate::Verdict::Fail
        );
        let expired = cert::facts(&leaf(CertSpec::Expired).chain[0]).unwrap();
        assert_eq!(cert::expiry_judgement(&expired, now).verdict, crate::Verdict::Fail);
        let expiring = cert::facts(&leaf(CertSpec::Expiring).chain[0]).unwrap();
        assert_eq!(cert::expiry_judgement(&expiring, now).verdict, crate::Verdict::Warning);
        assert_eq!(
            cert::facts(&leaf(CertSpec::WrongName).chain[0]).unwrap().names,
            vec!["other.test".to_string()]
        );
        let rsa1024 = leaf(CertSpec::Rsa1024);
        assert!(rsa1024.key.is_none());
        let facts = cert::facts(&rsa1024.chain[0]).unwrap();
        assert_eq!((facts.key.description.as_str(), facts.key.level), ("RSA 1024", Level::Insufficient));
        assert_eq!(trust.judge(&rsa1024.chain, "good.test", now).verdict, crate::Verdict::Pass);
        assert_eq!(cert::facts(&leaf(CertSpec::Rsa2048).chain[0]).unwrap().key.level, Level::PhaseOut);
        let sha1 = cert::facts(&leaf(CertSpec::Sha1).chain[0]).unwrap();
        assert_eq!(
            (sha1.signature.description.as_str(), sha1.signature.level),
            ("SHA-1 with RSA", Level::Insufficient)
        );
        assert!(sha1.self_issued);
    }
}
