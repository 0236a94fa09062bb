//! The security levels of the NCSC-NL TLS guidelines (version 2025-05), as internet.nl applies them: TLS versions,
//! cipher suites, key exchange groups, finite-field DH groups, hash functions. Pure tables, no I/O.
//!
//! Source: "Transport Layer Security (TLS), Security guidelines version 2025-05" of NCSC-NL, appendix B, as listed in
//! internet.nl's explanations of its subtests "TLS version", "Cipher suites", "Parameters for key exchange", "Hash
//! function for key exchange", "Public key of certificate" and "Signature on certificate".

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;
use sha2::{Digest, Sha256};
use tls_parser::{TlsCipherKx, TlsCipherMac, TlsCipherSuite};

/// A security level of the guidelines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Level {
    Good,
    Sufficient,
    PhaseOut,
    Insufficient,
}

/// A protocol version the scanner can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TlsVersion {
    Ssl3,
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl TlsVersion {
    /// Newest first, the order in which they are probed.
    pub const ALL: [TlsVersion; 5] = [
        TlsVersion::Tls13,
        TlsVersion::Tls12,
        TlsVersion::Tls11,
        TlsVersion::Tls10,
        TlsVersion::Ssl3,
    ];

    /// The version number on the wire.
    pub fn wire(self) -> u16 {
        match self {
            TlsVersion::Ssl3 => 0x0300,
            TlsVersion::Tls10 => 0x0301,
            TlsVersion::Tls11 => 0x0302,
            TlsVersion::Tls12 => 0x0303,
            TlsVersion::Tls13 => 0x0304,
        }
    }

    pub fn from_wire(v: u16) -> Option<TlsVersion> {
        Some(match v {
            0x0300 => TlsVersion::Ssl3,
            0x0301 => TlsVersion::Tls10,
            0x0302 => TlsVersion::Tls11,
            0x0303 => TlsVersion::Tls12,
            0x0304 => TlsVersion::Tls13,
            _ => return None,
        })
    }

    /// `SSL 3.0`, `TLS 1.0`, ... `TLS 1.3`.
    pub fn name(self) -> &'static str {
        match self {
            TlsVersion::Ssl3 => "SSL 3.0",
            TlsVersion::Tls10 => "TLS 1.0",
            TlsVersion::Tls11 => "TLS 1.1",
            TlsVersion::Tls12 => "TLS 1.2",
            TlsVersion::Tls13 => "TLS 1.3",
        }
    }

    /// TLS 1.3 good, TLS 1.2 sufficient, older insufficient.
    pub fn level(self) -> Level {
        match self {
            TlsVersion::Tls13 => Level::Good,
            TlsVersion::Tls12 => Level::Sufficient,
            _ => Level::Insufficient,
        }
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const GOOD_SUITES: &[&str] = &["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

const SUFFICIENT_SUITES: &[&str] = &[
    "TLS_AES_128_CCM_SHA256",
    "TLS_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

const PHASE_OUT_SUITES: &[&str] = &[
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_CCM",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_CCM",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256",
    "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384",
    "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
    "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256",
    "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384",
    "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384",
];

fn listed_levels() -> &'static HashMap<u16, Level> {
    static LEVELS: OnceLock<HashMap<u16, Level>> = OnceLock::new();
    LEVELS.get_or_init(|| {
        let mut map = HashMap::new();
        for (names, level) in [
            (GOOD_SUITES, Level::Good),
            (SUFFICIENT_SUITES, Level::Sufficient),
            (PHASE_OUT_SUITES, Level::PhaseOut),
        ] {
            for name in names {
                // Every name is in the IANA registry that tls-parser is generated from (a unit test holds this).
                if let Some(suite) = TlsCipherSuite::from_name(name) {
                    map.insert(suite.id.0, level);
                }
            }
        }
        map
    })
}

/// The level of a cipher suite: good, sufficient or phase out when listed, insufficient otherwise.
pub fn suite_level(id: u16) -> Level {
    listed_levels().get(&id).copied().unwrap_or(Level::Insufficient)
}

/// The IANA name of a cipher suite, or its number in hex.
pub fn suite_name(id: u16) -> String {
    match TlsCipherSuite::from_id(id) {
        Some(s) => s.name.to_string(),
        None => format!("0x{id:04X}"),
    }
}

/// What kind of key exchange a suite uses, as far as the probes care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuiteKx {
    Ecdhe,
    Dhe,
    /// RSA, static (EC)DH, anonymous and others without a ServerKeyExchange the probes read.
    Other,
    Tls13,
}

pub fn suite_kx(id: u16) -> SuiteKx {
    match TlsCipherSuite::from_id(id).map(|s| s.kx) {
        Some(TlsCipherKx::Ecdhe) => SuiteKx::Ecdhe,
        Some(TlsCipherKx::Dhe) => SuiteKx::Dhe,
        Some(TlsCipherKx::Tls13) => SuiteKx::Tls13,
        _ => SuiteKx::Other,
    }
}

/// The TLS 1.3 suites, in the order offered.
pub const TLS13_SUITES: [u16; 5] = [0x1302, 0x1303, 0x1301, 0x1304, 0x1305];

/// The suites offered in a ClientHello of a version (TLS 1.2 and older). Pre-shared key, SRP, Kerberos, GOST, SM and
/// ECCPWD suites are not offered (internet.nl does not detect those either); every other registered suite is, newest
/// kinds first, so that a server picking by the client's order still reveals the weak ones through enumeration.
pub fn legacy_offer(version: TlsVersion) -> &'static [u16] {
    static OFFERS: OnceLock<[Vec<u16>; 2]> = OnceLock::new();
    let offers = OFFERS.get_or_init(|| {
        let mut all: Vec<&TlsCipherSuite> = tls_parser::CIPHERS
            .values()
            .filter(|s| {
                matches!(
                    s.kx,
                    TlsCipherKx::Rsa | TlsCipherKx::Dh | TlsCipherKx::Dhe | TlsCipherKx::Ecdh | TlsCipherKx::Ecdhe | TlsCipherKx::Aecdh
                ) || (s.kx == TlsCipherKx::Null && s.id.0 != 0 && !s.name.contains("PSK"))
            })
            .filter(|s| !s.name.contains("PSK") && !s.name.contains("KRB5") && !s.name.contains("GOST") && !s.name.contains("SM4"))
            .filter(|s| s.id.0 != 0x00FF && s.id.0 != 0x5600)
            .collect();
        // Listed suites first (good, sufficient, phase out), then the rest by id: a stable order.
        all.sort_by_key(|s| (suite_level(s.id.0), s.id.0));
        let tls12: Vec<u16> = all.iter().map(|s| s.id.0).collect();
        let older: Vec<u16> = all
            .iter()
            .filter(|s| {
                !matches!(
                    s.mac,
                    TlsCipherMac::Aead | TlsCipherMac::HmacSha256 | TlsCipherMac::HmacSha384 | TlsCipherMac::HmacSha512
                )
            })
            .map(|s| s.id.0)
            .collect();
        [tls12, older]
    });
    match version {
        TlsVersion::Tls12 => &offers[0],
        _ => &offers[1],
    }
}

/// The level of a named group (elliptic curve, finite field group or hybrid) for key exchange.
pub fn group_level(group: u16) -> Level {
    match group {
        // X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024: quantum-safe hybrids.
        0x11EB..=0x11ED => Level::Good,
        // secp256r1, secp384r1, secp521r1, brainpoolP256r1, brainpoolP384r1, brainpoolP512r1, x25519, x448, and the
        // TLS 1.3 brainpool groups.
        23..=33 => Level::Sufficient,
        // secp224r1.
        21 => Level::PhaseOut,
        // ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192.
        0x0101..=0x0104 => Level::PhaseOut,
        // ffdhe2048 and every other curve.
        _ => Level::Insufficient,
    }
}

/// The name of a named group.
pub fn group_name(group: u16) -> String {
    let name = match group {
        1..=14 => {
            return format!(
                "sect{}",
                [
                    "163k1", "163r1", "163r2", "193r1", "193r2", "233k1", "233r1", "239k1", "283k1", "283r1", "409k1", "409r1", "571k1",
                    "571r1"
                ][group as usize - 1]
            );
        }
        15 => "secp160k1",
        16 => "secp160r1",
        17 => "secp160r2",
        18 => "secp192k1",
        19 => "secp192r1",
        20 => "secp224k1",
        21 => "secp224r1",
        22 => "secp256k1",
        23 => "secp256r1",
        24 => "secp384r1",
        25 => "secp521r1",
        26 => "brainpoolP256r1",
        27 => "brainpoolP384r1",
        28 => "brainpoolP512r1",
        29 => "x25519",
        30 => "x448",
        31 => "brainpoolP256r1tls13",
        32 => "brainpoolP384r1tls13",
        33 => "brainpoolP512r1tls13",
        0x0100 => "ffdhe2048",
        0x0101 => "ffdhe3072",
        0x0102 => "ffdhe4096",
        0x0103 => "ffdhe6144",
        0x0104 => "ffdhe8192",
        0x11EB => "SecP256r1MLKEM768",
        0x11EC => "X25519MLKEM768",
        0x11ED => "SecP384r1MLKEM1024",
        _ => return format!("group 0x{group:04X}"),
    };
    name.to_string()
}

/// Groups offered when looking for weak ones: every registered curve below the sufficient level, and ffdhe2048.
pub const WEAK_GROUPS: [u16; 23] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 21, 0x0100,
];

/// Groups a modern client offers.
pub const MODERN_GROUPS: [u16; 4] = [29, 23, 24, 25];

/// The SHA-256 digests of the primes of the RFC 7919 groups (big-endian, without leading zero), computed from the
/// groups as OpenSSL 3 emits them (`openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdheNNNN`).
const FFDHE_DIGESTS: [(&str, &str); 5] = [
    ("ffdhe2048", "9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966"),
    ("ffdhe3072", "0eaf67db3a839156d5013494a5318a772b5697d270d721f37f092efc69ea5a17"),
    ("ffdhe4096", "4648414224ac881b3d0dc59b466f96d06a558278776807797ecf1f66ff397b3e"),
    ("ffdhe6144", "227ac9066b3ddd9e193670cda2388fa884f65ba0cf98b742d1fe77a6687c79c7"),
    ("ffdhe8192", "770b14efaf6f049929c523113b3fa99a8d11dab1b18af3609590122075d19833"),
];

/// A finite-field DH group seen in a ServerKeyExchange: its name if it is a standard one, its size otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DhGroup {
    pub bits: usize,
    pub standard: Option<&'static str>,
}

impl DhGroup {
    pub fn from_prime(p: &[u8]) -> DhGroup {
        let p = strip_leading_zeros(p);
        let digest = hex::encode(Sha256::digest(p));
        let standard = FFDHE_DIGESTS.iter().find(|(_, d)| *d == digest).map(|(name, _)| *name);
        let bits = match p.first() {
            Some(first) => p.len() * 8 - first.leading_zeros() as usize,
            None => 0,
        };
        DhGroup { bits, standard }
    }

    /// ffdhe3072 and larger standard groups: phase out; ffdhe2048 and every self-generated group: insufficient.
    pub fn level(&self) -> Level {
        match self.standard {
            Some("ffdhe2048") | None => Level::Insufficient,
            Some(_) => Level::PhaseOut,
        }
    }

    /// `ffdhe3072`, or `DH 1024 bits (self-generated)`.
    pub fn describe(&self) -> String {
        match self.standard {
            Some(name) => name.to_string(),
            None => format!("DH {} bits (self-generated)", self.bits),
        }
    }
}

fn strip_leading_zeros(p: &[u8]) -> &[u8] {
    let start = p.iter().position(|&b| b != 0).unwrap_or(p.len());
    &p[start..]
}

/// The level of the hash in a TLS 1.2 signature algorithm (SignatureAndHashAlgorithm or SignatureScheme) used to
/// sign the key exchange: SHA-1 and MD5 insufficient, SHA-224 phase out, SHA-2 of 256 bits and more (and the
/// hash-less EdDSA and RSA-PSS schemes) good.
pub fn sigalg_hash_level(scheme: u16) -> Level {
    match scheme >> 8 {
        1 | 2 => Level::Insufficient, // MD5, SHA-1
        3 => Level::PhaseOut,         // SHA-224
        _ => Level::Good,
    }
}

/// The name of the hash of a signature algorithm.
pub fn sigalg_hash_name(scheme: u16) -> &'static str {
    match scheme >> 8 {
        1 => "MD5",
        2 => "SHA-1",
        3 => "SHA-224",
        4 => "SHA-256",
        5 => "SHA-384",
        6 => "SHA-512",
        8 => match scheme & 0xff {
            0x07 => "Ed25519",
            0x08 => "Ed448",
            0x04 | 0x09 => "SHA-256",
            0x05 | 0x0a => "SHA-384",
            0x06 | 0x0b => "SHA-512",
            _ => "intrinsic",
        },
        _ => "unknown",
    }
}

/// Signature algorithms a modern client offers (TLS 1.2 and 1.3).
pub const MODERN_SIGALGS: [u16; 9] = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601];

/// Signature algorithms offered when looking for SHA-1 in the key exchange: only SHA-1 (RSA, DSA, ECDSA).
pub const SHA1_SIGALGS: [u16; 3] = [0x0201, 0x0202, 0x0203];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_suite_is_in_the_registry() {
        for name in GOOD_SUITES.iter().chain(SUFFICIENT_SUITES).chain(PHASE_OUT_SUITES) {
            assert!(TlsCipherSuite::from_name(name).is_some(), "{name} is not in the IANA registry");
        }
        assert_eq!(
            listed_levels().len(),
            GOOD_SUITES.len() + SUFFICIENT_SUITES.len() + PHASE_OUT_SUITES.len()
        );
    }

    #[test]
    fn suites_are_classified_after_the_guidelines() {
        assert_eq!(suite_level(0x1302), Level::Good); // TLS_AES_256_GCM_SHA384
        assert_eq!(suite_level(0x1301), Level::Sufficient); // TLS_AES_128_GCM_SHA256
        assert_eq!(suite_level(0x1305), Level::Insufficient); // TLS_AES_128_CCM_8_SHA256
        assert_eq!(suite_level(0xC02B), Level::Sufficient); // ECDHE_ECDSA_AES_128_GCM
        assert_eq!(suite_level(0xC023), Level::PhaseOut); // ECDHE_ECDSA_AES_128_CBC_SHA256
        assert_eq!(suite_level(0x009E), Level::PhaseOut); // DHE_RSA_AES_128_GCM
        assert_eq!(suite_level(0xC009), Level::Insufficient); // ECDHE_ECDSA_AES_128_CBC_SHA
        assert_eq!(suite_level(0x009C), Level::Insufficient); // RSA_AES_128_GCM: no forward secrecy
        assert_eq!(suite_level(0x000A), Level::Insufficient); // RSA_3DES_EDE_CBC_SHA
        assert_eq!(suite_level(0x0005), Level::Insufficient); // RSA_RC4_128_SHA
        assert_eq!(suite_name(0xC02F), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assert_eq!(suite_name(0xFAFA), "0xFAFA");
        assert_eq!(suite_kx(0xC02F), SuiteKx::Ecdhe);
        assert_eq!(suite_kx(0x009E), SuiteKx::Dhe);
        assert_eq!(suite_kx(0x009C), SuiteKx::Other);
    }

    #[test]
    fn offers_hold_what_the_version_allows() {
        let tls12 = legacy_offer(TlsVersion::Tls12);
        let tls10 = legacy_offer(TlsVersion::Tls10);
        assert!(tls12.contains(&0xC02B) && tls12.contains(&0xC009) && tls12.contains(&0x000A));
        assert!(!tls10.contains(&0xC02B), "an AEAD suite offered in TLS 1.0");
        assert!(!tls10.contains(&0xC023), "a SHA-256 suite offered in TLS 1.0");
        assert!(tls10.contains(&0xC009) && tls10.contains(&0x002F));
        assert!(!tls12.iter().any(|id| TLS13_SUITES.contains(id) || *id == 0x00FF || *id == 0));
        assert!(!tls12.contains(&0x008C), "a PSK suite offered");
        // The good ones first.
        assert_eq!(suite_level(tls12[0]), Level::Sufficient);
        assert!(tls12.len() < 300, "{} suites", tls12.len());
    }

    #[test]
    fn groups_are_classified_after_the_guidelines() {
        assert_eq!(group_level(29), Level::Sufficient);
        assert_eq!(group_level(23), Level::Sufficient);
        assert_eq!(group_level(0x11EC), Level::Good);
        assert_eq!(group_level(21), Level::PhaseOut);
        assert_eq!(group_level(19), Level::Insufficient);
        assert_eq!(group_level(0x0100), Level::Insufficient);
        assert_eq!(group_level(0x0101), Level::PhaseOut);
        assert_eq!(group_name(19), "secp192r1");
        assert_eq!(group_name(6), "sect233k1");
        for g in WEAK_GROUPS {
            assert!(group_level(g) >= Level::PhaseOut, "{} is not weak", group_name(g));
        }
    }

    #[test]
    fn dh_groups_are_recognised_by_their_prime() {
        let ffdhe2048 = hex::decode(crate::tls::FFDHE2048_PRIME_HEX).unwrap();
        let g = DhGroup::from_prime(&ffdhe2048);
        assert_eq!(
            g,
            DhGroup {
                bits: 2048,
                standard: Some("ffdhe2048")
            }
        );
        assert_eq!(g.level(), Level::Insufficient);
        let mut with_zero = vec![0u8];
        with_zero.extend_from_slice(&ffdhe2048);
        assert_eq!(DhGroup::from_prime(&with_zero).standard, Some("ffdhe2048"));
        let mut custom = ffdhe2048.clone();
        custom[100] ^= 1;
        let c = DhGroup::from_prime(&custom);
        assert_eq!((c.bits, c.standard, c.level()), (2048, None, Level::Insufficient));
        assert_eq!(DhGroup::from_prime(&[0x7f; 128]).bits, 1023);
        assert_eq!(
            DhGroup {
                bits: 3072,
                standard: Some("ffdhe3072")
            }
            .level(),
            Level::PhaseOut
        );
    }

    #[test]
    fn key_exchange_hashes_are_classified() {
        assert_eq!(sigalg_hash_level(0x0201), Level::Insufficient);
        assert_eq!(sigalg_hash_level(0x0203), Level::Insufficient);
        assert_eq!(sigalg_hash_level(0x0303), Level::PhaseOut);
        assert_eq!(sigalg_hash_level(0x0403), Level::Good);
        assert_eq!(sigalg_hash_level(0x0804), Level::Good);
        assert_eq!(sigalg_hash_name(0x0201), "SHA-1");
        assert_eq!(sigalg_hash_name(0x0807), "Ed25519");
    }

    #[test]
    fn versions_have_their_levels() {
        assert_eq!(TlsVersion::Tls13.level(), Level::Good);
        assert_eq!(TlsVersion::Tls12.level(), Level::Sufficient);
        assert_eq!(TlsVersion::Tls10.level(), Level::Insufficient);
        assert_eq!(TlsVersion::from_wire(0x0301), Some(TlsVersion::Tls10));
        assert_eq!(TlsVersion::from_wire(0x0305), None);
    }
}
