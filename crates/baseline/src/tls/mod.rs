//! TLS: hand-built ClientHellos for every version (probes), rustls for full handshakes, certificates, and the pure
//! verdicts after the NCSC-NL guidelines.

pub mod cert;
pub mod flight;
pub mod hello;
pub mod levels;
pub(crate) mod modern;
pub mod probe;
pub mod verdict;

pub use levels::{Level, TlsVersion};
pub use probe::TlsObservation;

/// The prime of ffdhe2048 (RFC 7919, appendix A.1), big-endian, as OpenSSL 3 emits it. The offline fleet serves it
/// from a server that should fail the key exchange check; the scanner knows the groups by the digests in [`levels`].
pub const FFDHE2048_PRIME_HEX: &str = "ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617ad3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797abc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f619172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005c58ef1837d1683b2c6f34a26c1b2effa886b423861285c97ffffffffffffffff";
