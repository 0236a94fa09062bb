//! A hand-built ClientHello for any version from SSL 3.0 to TLS 1.3, so that versions and suites rustls will not
//! speak can still be asked for.

use super::levels::TlsVersion;

/// What to offer.
#[derive(Clone, Debug)]
pub struct HelloSpec<'a> {
    /// The highest version offered. TLS 1.3 is offered alone, through `supported_versions`.
    pub version: TlsVersion,
    pub suites: &'a [u16],
    /// Server Name Indication (not sent for SSL 3.0).
    pub sni: Option<&'a str>,
    /// `supported_groups`; sent when not empty.
    pub groups: &'a [u16],
    /// `signature_algorithms` (TLS 1.2 and 1.3).
    pub sigalgs: &'a [u16],
    /// Offer DEFLATE compression besides none.
    pub compression: bool,
    /// TLS 1.3: send an x25519 key share (when x25519 is among the groups); without it the server must ask again
    /// (HelloRetryRequest) naming the group it wants.
    pub key_share: bool,
}

/// The ClientHello as one or more TLS records, with the given random (and, for TLS 1.3, session id and key share
/// taken from it too: the handshake is never finished, so they need not be secret).
pub fn client_hello(spec: &HelloSpec<'_>, random: &[u8; 32]) -> Vec<u8> {
    let mut body = Vec::with_capacity(512);
    let client_version = match spec.version {
        TlsVersion::Tls13 => 0x0303,
        v => v.wire(),
    };
    put_u16(&mut body, client_version);
    body.extend_from_slice(random);
    if spec.version == TlsVersion::Tls13 {
        // A session id for middlebox compatibility (RFC 8446, D.4).
        body.push(32);
        body.extend(random.iter().rev());
    } else {
        body.push(0);
    }
    let mut suites: Vec<u16> = spec.suites.to_vec();
    if spec.version == TlsVersion::Ssl3 {
        // No extensions in SSL 3.0: signal secure renegotiation with the SCSV instead (RFC 5746).
        suites.push(0x00FF);
    }
    put_u16(&mut body, (suites.len() * 2) as u16);
    for s in &suites {
        put_u16(&mut body, *s);
    }
    if spec.compression {
        body.extend_from_slice(&[2, 1, 0]);
    } else {
        body.extend_from_slice(&[1, 0]);
    }
    if spec.version != TlsVersion::Ssl3 {
        let ext = extensions(spec, random, body.len());
        put_u16(&mut body, ext.len() as u16);
        body.extend_from_slice(&ext);
    }
    let mut handshake = Vec::with_capacity(body.len() + 4);
    handshake.push(1); // client_hello
    put_u24(&mut handshake, body.len());
    handshake.extend_from_slice(&body);
    let record_version = if spec.version == TlsVersion::Ssl3 { 0x0300 } else { 0x0301 };
    let mut out = Vec::with_capacity(handshake.len() + 10);
    for chunk in handshake.chunks(16384) {
        out.push(22); // handshake
        put_u16(&mut out, record_version);
        put_u16(&mut out, chunk.len() as u16);
        out.extend_from_slice(chunk);
    }
    out
}

fn extensions(spec: &HelloSpec<'_>, random: &[u8; 32], body_len: usize) -> Vec<u8> {
    let mut ext = Vec::with_capacity(256);
    if let Some(name) = spec.sni {
        let name = name.as_bytes();
        let mut data = Vec::with_capacity(name.len() + 5);
        put_u16(&mut data, (name.len() + 3) as u16);
        data.push(0); // host_name
        put_u16(&mut data, name.len() as u16);
        data.extend_from_slice(name);
        put_ext(&mut ext, 0, &data);
    }
    if !spec.groups.is_empty() {
        let mut data = Vec::with_capacity(spec.groups.len() * 2 + 2);
        put_u16(&mut data, (spec.groups.len() * 2) as u16);
        for g in spec.groups {
            put_u16(&mut data, *g);
        }
        put_ext(&mut ext, 10, &data);
        put_ext(&mut ext, 11, &[1, 0]); // ec_point_formats: uncompressed
    }
    if spec.version >= TlsVersion::Tls12 && !spec.sigalgs.is_empty() {
        let mut data = Vec::with_capacity(spec.sigalgs.len() * 2 + 2);
        put_u16(&mut data, (spec.sigalgs.len() * 2) as u16);
        for s in spec.sigalgs {
            put_u16(&mut data, *s);
        }
        put_ext(&mut ext, 13, &data);
    }
    if spec.version == TlsVersion::Tls13 {
        put_ext(&mut ext, 43, &[2, 0x03, 0x04]); // supported_versions: TLS 1.3
        put_ext(&mut ext, 45, &[1, 1]); // psk_key_exchange_modes: psk_dhe_ke
        let mut shares = Vec::with_capacity(40);
        if spec.key_share && spec.groups.contains(&29) {
            // Any 32 bytes are an x25519 public key; the handshake is never finished.
            put_u16(&mut shares, 29);
            put_u16(&mut shares, 32);
            shares.extend(random.iter().map(|b| b ^ 0x5a));
        }
        let mut data = Vec::with_capacity(shares.len() + 2);
        put_u16(&mut data, shares.len() as u16);
        data.extend_from_slice(&shares);
        put_ext(&mut ext, 51, &data);
    } else {
        put_ext(&mut ext, 0xff01, &[0]); // renegotiation_info, empty (RFC 5746)
    }
    // Some servers hang on a ClientHello of 256 to 511 bytes; pad it to 512 (RFC 7685).
    let total = 4 + body_len + 2 + ext.len();
    if (256..512).contains(&total) {
        let pad = (512 - total).saturating_sub(4);
        put_ext(&mut ext, 21, &vec![0; pad]);
    }
    ext
}

fn put_ext(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    put_u16(out, kind);
    put_u16(out, data.len() as u16);
    out.extend_from_slice(data);
}

pub(crate) fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

pub(crate) fn put_u24(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tls_parser::{TlsMessage, TlsMessageHandshake, parse_tls_extensions, parse_tls_plaintext};

    fn parse(bytes: &[u8]) -> (u16, Vec<u16>, Vec<u8>, Option<Vec<u8>>) {
        let (rest, record) = parse_tls_plaintext(bytes).expect("a TLS record");
        assert!(rest.is_empty());
        match &record.msg[0] {
            TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch)) => (
                ch.version.0,
                ch.ciphers.iter().map(|c| c.0).collect(),
                ch.comp.iter().map(|c| c.0).collect(),
                ch.ext.map(|e| e.to_vec()),
            ),
            other => panic!("not a ClientHello: {other:?}"),
        }
    }

    #[test]
    fn a_tls12_hello_parses_with_what_was_offered() {
        // 100 suites: a hello of 256 to 511 bytes, which gets padded.
        let suites: Vec<u16> = (0..100).map(|i| 0xC000 + i).collect();
        let spec = HelloSpec {
            version: TlsVersion::Tls12,
            suites: &suites,
            sni: Some("gent.be"),
            groups: &[29, 23],
            sigalgs: &[0x0403],
            compression: true,
            key_share: false,
        };
        let bytes = client_hello(&spec, &[7; 32]);
        assert_eq!(bytes.len(), 512 + 5, "padded to 512");
        let (version, suites, comp, ext) = parse(&bytes);
        assert_eq!(version, 0x0303);
        assert_eq!(suites.len(), 100);
        assert_eq!(comp, vec![1, 0]);
        let ext = ext.unwrap();
        let (_, exts) = parse_tls_extensions(&ext).unwrap();
        let debug = format!("{exts:?}");
        assert!(debug.contains("gent.be") || debug.contains("103, 101, 110, 116"), "{debug}");
        assert!(debug.contains("RenegotiationInfo"), "{debug}");
        assert!(debug.contains("SignatureAlgorithms"), "{debug}");
    }

    #[test]
    fn an_ssl3_hello_has_no_extensions_but_the_scsv() {
        let spec = HelloSpec {
            version: TlsVersion::Ssl3,
            suites: &[0x000A],
            sni: Some("gent.be"),
            groups: &[],
            sigalgs: &[],
            compression: false,
            key_share: false,
        };
        let bytes = client_hello(&spec, &[1; 32]);
        assert_eq!(&bytes[1..3], &[3, 0]);
        let (version, suites, _, ext) = parse(&bytes);
        assert_eq!(version, 0x0300);
        assert_eq!(suites, vec![0x000A, 0x00FF]);
        assert!(ext.is_none());
    }

    #[test]
    fn a_tls13_hello_offers_only_tls13() {
        let spec = HelloSpec {
            version: TlsVersion::Tls13,
            suites: &[0x1301],
            sni: None,
            groups: &[29],
            sigalgs: &[0x0804],
            compression: false,
            key_share: true,
        };
        let bytes = client_hello(&spec, &[2; 32]);
        let (version, _, _, ext) = parse(&bytes);
        assert_eq!(version, 0x0303);
        let ext = ext.unwrap();
        let (_, exts) = parse_tls_extensions(&ext).unwrap();
        let debug = format!("{exts:?}");
        assert!(debug.contains(r#"SupportedVersions(v=["Tls13"])"#), "{debug}");
        assert!(debug.contains("KeyShare"), "{debug}");
    }
}
