//! What the fleet serves: one domain per variant, each good in every respect but the one it is named for.

use crate::model::Check;
use crate::tls::levels::TlsVersion;

/// How a zone is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signing {
    /// Signed, with a DS record in the parent: secure.
    Signed,
    /// Not signed; the parent proves there is no DS record: insecure.
    Unsigned,
    /// Signed, but every signature is corrupted: bogus.
    BadSignatures,
    /// Signed with signatures that expired yesterday: bogus.
    ExpiredSignatures,
    /// Signed, but the parent's DS record is for another key: bogus.
    WrongDs,
    /// Signed, but the parent has no DS record: not anchored (insecure).
    NoDs,
}

/// The certificate a domain's servers present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertSpec {
    /// ECDSA P-256 from the fleet's CA, for the domain's names, valid from 30 days before the fleet's `now` to 335
    /// days after it.
    Good,
    /// Expired 10 days before `now`.
    Expired,
    /// Expires 20 days after `now`.
    Expiring,
    /// From a CA nobody trusts.
    Untrusted,
    /// For `other.test` only.
    WrongName,
    /// An RSA key of 1024 bits (signed by the fleet's CA; the servers never finish a handshake with it).
    Rsa1024,
    /// An RSA key of 2048 bits (same).
    Rsa2048,
    /// Self-signed with SHA-1 (a fixture made with openssl).
    Sha1,
}

/// A TLS server: rustls for full handshakes, a hand-rolled responder for what rustls will not speak.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsSpec {
    /// rustls with its safe defaults: TLS 1.3 and/or TLS 1.2, ECDHE with AES-GCM and ChaCha20.
    pub modern: Option<Modern>,
    /// The responder answers ClientHellos rustls would not accept (older versions, other suites, weak groups); it
    /// never finishes a handshake.
    pub legacy: Option<Legacy>,
    pub cert: CertSpec,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Modern {
    pub tls13: bool,
    pub tls12: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Legacy {
    pub versions: Vec<TlsVersion>,
    /// In the server's order of preference.
    pub suites: Vec<u16>,
    /// Curves for ECDHE, in the server's order of preference.
    pub groups: Vec<u16>,
    /// The prime for DHE (a DHE suite is only chosen with one).
    pub dh_prime: Option<Vec<u8>>,
    pub compression: bool,
    pub secure_renegotiation: bool,
    /// The signature algorithm on the key exchange (TLS 1.2); a client that does not offer it is refused.
    pub kex_sigalg: u16,
    /// Answer every ClientHello below TLS 1.3, even those rustls could take.
    pub below_tls13: bool,
}

impl Legacy {
    /// TLS 1.2 with the given suites, ECDHE on secp256r1 and x25519, secure renegotiation, no compression.
    pub fn tls12(suites: &[u16]) -> Legacy {
        Legacy {
            versions: vec![TlsVersion::Tls12],
            suites: suites.to_vec(),
            groups: vec![23, 29],
            dh_prime: None,
            compression: false,
            secure_renegotiation: true,
            kex_sigalg: 0x0403,
            below_tls13: false,
        }
    }
}

impl TlsSpec {
    pub fn good() -> TlsSpec {
        TlsSpec {
            modern: Some(Modern { tls13: true, tls12: true }),
            legacy: None,
            cert: CertSpec::Good,
        }
    }

    pub fn with_legacy(legacy: Legacy) -> TlsSpec {
        TlsSpec {
            legacy: Some(legacy),
            ..TlsSpec::good()
        }
    }

    /// TLS 1.3 by rustls, everything below by the responder.
    fn tls13_and(mut legacy: Legacy) -> TlsSpec {
        legacy.below_tls13 = true;
        TlsSpec {
            modern: Some(Modern { tls13: true, tls12: false }),
            legacy: Some(legacy),
            cert: CertSpec::Good,
        }
    }

    /// Only the responder (for keys rustls cannot serve here).
    fn legacy_only(cert: CertSpec) -> TlsSpec {
        TlsSpec {
            modern: None,
            legacy: Some(Legacy::tls12(&[0xC02F, 0xC030])),
            cert,
        }
    }
}

/// What port 80 does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpSpec {
    /// 301 to `https://<same name>/`.
    Redirect,
    /// 301 straight to `https://good.test/`.
    RedirectElsewhere,
    /// 200 with the page.
    NoRedirect,
    /// Nothing listens.
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityTxtSpec {
    /// Valid, expiring 180 days after the fleet's `now`, with a Canonical field.
    Valid,
    Missing,
    /// Expired 10 days before `now`.
    Expired,
    /// No Contact field.
    Invalid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebSpec {
    /// None: port 443 closed.
    pub https: Option<TlsSpec>,
    pub http: HttpSpec,
    /// Headers on every HTTPS response.
    pub headers: Vec<(String, String)>,
    pub security_txt: SecurityTxtSpec,
    /// The MTA-STS policy served at `mta-sts.<domain>`.
    pub mta_sts_policy: Option<String>,
    /// phpMyAdmin, Adminer and the Tomcat manager answer.
    pub admin_panels: bool,
    /// Port 443 is `openssl s_server` with these arguments (protocols, ciphers) and an RSA key of 3072 bits, instead
    /// of `https` (see [`super::openssl`]).
    pub openssl: Option<Vec<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MxSpec {
    None,
    /// `MX 0 .` (RFC 7505).
    Null,
    /// `mx.<domain>` on the domain's address, with an IPv6 address or not.
    Own {
        ipv6: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsaSpec {
    None,
    /// `3 1 1` with the SHA-256 of the certificate's public key.
    Good,
    /// `3 1 1` with another digest.
    Wrong,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsSpec {
    pub signing: Signing,
    /// AAAA `::1` for the domain (only one domain can be reachable there: the fleet gives it to `good`).
    pub ipv6: bool,
    /// The name servers: with IPv6 addresses (ns1, ns2) or without (ns3, ns4).
    pub ns_ipv6: bool,
    pub spf: Option<String>,
    /// Further TXT records: (name relative to the domain, value).
    pub txt: Vec<(String, String)>,
    pub dmarc: Option<String>,
    pub mta_sts: Option<String>,
    pub tls_rpt: Option<String>,
    pub mx: MxSpec,
    pub tlsa: TlsaSpec,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailSpec {
    pub starttls: bool,
    pub tls: TlsSpec,
}

/// One domain of the fleet: `<label>.test`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainSpec {
    pub label: String,
    /// What is wrong with it, in a sentence.
    pub about: String,
    /// The checks that fail (or warn) on it and pass on `good`.
    pub broken: Vec<Check>,
    pub dns: DnsSpec,
    pub web: WebSpec,
    pub mail: MailSpec,
    /// RDP, SMB, Telnet, databases and VNC listen.
    pub exposed_ports: bool,
}

/// The headers of the good domain.
pub fn good_headers() -> Vec<(String, String)> {
    [
        ("strict-transport-security", "max-age=31536000; includeSubDomains"),
        (
            "content-security-policy",
            "default-src 'self'; base-uri 'self'; frame-src 'none'; frame-ancestors 'none'; form-action 'self'",
        ),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect()
}

fn without(headers: Vec<(String, String)>, names: &[&str]) -> Vec<(String, String)> {
    headers.into_iter().filter(|(n, _)| !names.contains(&n.as_str())).collect()
}

fn replace(headers: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    let mut h = without(headers, &[name]);
    h.push((name.to_string(), value.to_string()));
    h
}

/// A domain that passes every check.
pub fn good(label: &str) -> DomainSpec {
    DomainSpec {
        label: label.to_string(),
        about: "Passes every check.".into(),
        broken: Vec::new(),
        dns: DnsSpec {
            signing: Signing::Signed,
            ipv6: false,
            ns_ipv6: true,
            spf: Some("v=spf1 mx -all".into()),
            txt: Vec::new(),
            dmarc: Some(format!("v=DMARC1; p=reject; rua=mailto:dmarc@{label}.test")),
            mta_sts: Some("v=STSv1; id=20210615".into()),
            tls_rpt: Some(format!("v=TLSRPTv1; rua=mailto:tlsrpt@{label}.test")),
            mx: MxSpec::Own { ipv6: true },
            tlsa: TlsaSpec::Good,
        },
        web: WebSpec {
            https: Some(TlsSpec::good()),
            http: HttpSpec::Redirect,
            headers: good_headers(),
            security_txt: SecurityTxtSpec::Valid,
            mta_sts_policy: Some(format!(
                "version: STSv1\r\nmode: enforce\r\nmx: mx.{label}.test\r\nmax_age: 604800\r\n"
            )),
            admin_panels: false,
            openssl: None,
        },
        mail: MailSpec {
            starttls: true,
            tls: TlsSpec::good(),
        },
        exposed_ports: false,
    }
}

fn variant(label: &str, about: &str, broken: &[Check], change: impl FnOnce(&mut DomainSpec)) -> DomainSpec {
    let mut d = good(label);
    d.about = about.to_string();
    d.broken = broken.to_vec();
    change(&mut d);
    d
}

/// The fleet's domains: `good` and one broken variant per failure, in the order of CHECKS.md.
pub fn catalogue() -> Vec<DomainSpec> {
    use Check::*;
    let ffdhe2048 = hex::decode(crate::tls::FFDHE2048_PRIME_HEX).expect("the constant is hex");
    let mut good = good("good");
    good.dns.ipv6 = true;
    vec![
        good,
        variant(
            "no-https",
            "Port 443 is closed; HTTP answers without redirecting.",
            &[WebHttps, WebHttpRedirect],
            |d| {
                d.web.https = None;
                d.web.http = HttpSpec::NoRedirect;
            },
        ),
        variant(
            "no-redirect",
            "HTTP answers 200 instead of redirecting to HTTPS.",
            &[WebHttpRedirect],
            |d| d.web.http = HttpSpec::NoRedirect,
        ),
        variant(
            "redirect-elsewhere",
            "HTTP redirects straight to another name (https://good.test/).",
            &[WebHttpRedirect],
            |d| d.web.http = HttpSpec::RedirectElsewhere,
        ),
        variant("hsts-missing", "No Strict-Transport-Security header.", &[WebHsts], |d| {
            d.web.headers = without(good_headers(), &["strict-transport-security"])
        }),
        variant("hsts-short", "HSTS with max-age=86400 (a day).", &[WebHsts], |d| {
            d.web.headers = replace(good_headers(), "strict-transport-security", "max-age=86400")
        }),
        variant(
            "tls10",
            "Also accepts TLS 1.0 (ECDHE-ECDSA-AES128-SHA).",
            &[WebTlsVersion, WebTlsCiphers],
            |d| {
                d.web.https = Some(TlsSpec::with_legacy(Legacy {
                    versions: vec![TlsVersion::Tls10],
                    ..Legacy::tls12(&[0xC009, 0xC00A])
                }))
            },
        ),
        variant("tls11", "Also accepts TLS 1.1.", &[WebTlsVersion, WebTlsCiphers], |d| {
            d.web.https = Some(TlsSpec::with_legacy(Legacy {
                versions: vec![TlsVersion::Tls11],
                ..Legacy::tls12(&[0xC009])
            }))
        }),
        variant(
            "ssl3",
            "Also accepts SSL 3.0 (RSA with 3DES).",
            &[WebTlsVersion, WebTlsCiphers],
            |d| {
                d.web.https = Some(TlsSpec::with_legacy(Legacy {
                    versions: vec![TlsVersion::Ssl3],
                    ..Legacy::tls12(&[0x000A])
                }))
            },
        ),
        variant(
            "cipher-weak",
            "TLS 1.2 also accepts TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (insufficient).",
            &[WebTlsCiphers],
            |d| d.web.https = Some(TlsSpec::with_legacy(Legacy::tls12(&[0xC009]))),
        ),
        variant(
            "cipher-phase-out",
            "TLS 1.2 also accepts TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 (to phase out: a warning).",
            &[WebTlsCiphers],
            |d| d.web.https = Some(TlsSpec::with_legacy(Legacy::tls12(&[0xC023]))),
        ),
        variant(
            "dhe-ffdhe2048",
            "DHE with the 2048-bit group ffdhe2048 (insufficient; the DHE suite itself is to phase out).",
            &[WebTlsKeyExchange, WebTlsCiphers],
            |d| {
                d.web.https = Some(TlsSpec::with_legacy(Legacy {
                    dh_prime: Some(ffdhe2048.clone()),
                    ..Legacy::tls12(&[0x009E])
                }))
            },
        ),
        variant(
            "curve-weak",
            "ECDHE on secp192r1 when a client offers it.",
            &[WebTlsKeyExchange],
            |d| {
                d.web.https = Some(TlsSpec::with_legacy(Legacy {
                    groups: vec![19],
                    ..Legacy::tls12(&[0xC02B])
                }))
            },
        ),
        variant(
            "kex-sha1",
            "Signs the TLS 1.2 key exchange with SHA-1 when a client offers it.",
            &[WebTlsKeyExchange],
            |d| {
                d.web.https = Some(TlsSpec::with_legacy(Legacy {
                    kex_sigalg: 0x0203,
                    ..Legacy::tls12(&[0xC02B])
                }))
            },
        ),
        variant("compression", "TLS 1.2 with DEFLATE compression.", &[WebTlsCompression], |d| {
            d.web.https = Some(TlsSpec::tls13_and(Legacy {
                compression: true,
                ..Legacy::tls12(&[0xC02B])
            }))
        }),
        variant(
            "insecure-renegotiation",
            "TLS 1.2 without secure renegotiation (RFC 5746).",
            &[WebTlsRenegotiation],
            |d| {
                d.web.https = Some(TlsSpec::tls13_and(Legacy {
                    secure_renegotiation: false,
                    ..Legacy::tls12(&[0xC02B])
                }))
            },
        ),
        variant(
            "cert-expired",
            "The certificate expired 10 days ago.",
            &[WebCertExpiry, WebCertTrust],
            |d| set_cert(d, CertSpec::Expired),
        ),
        variant(
            "cert-expiring",
            "The certificate expires in 20 days (a warning).",
            &[WebCertExpiry],
            |d| set_cert(d, CertSpec::Expiring),
        ),
        variant(
            "cert-untrusted",
            "The certificate is from a CA nobody trusts.",
            &[WebCertTrust],
            |d| set_cert(d, CertSpec::Untrusted),
        ),
        variant("cert-wrong-name", "The certificate is for other.test.", &[WebCertName], |d| {
            set_cert(d, CertSpec::WrongName)
        }),
        variant(
            "cert-rsa1024",
            "An RSA key of 1024 bits (TLS 1.2 only, by the responder).",
            &[WebCertKey],
            |d| d.web.https = Some(TlsSpec::legacy_only(CertSpec::Rsa1024)),
        ),
        variant(
            "cert-rsa2048",
            "An RSA key of 2048 bits (to phase out: a warning; TLS 1.2 only, by the responder).",
            &[WebCertKey],
            |d| d.web.https = Some(TlsSpec::legacy_only(CertSpec::Rsa2048)),
        ),
        variant(
            "cert-sha1",
            "A self-signed certificate signed with SHA-1 (TLS 1.2 only, by the responder).",
            &[WebCertSignature, WebCertTrust],
            |d| d.web.https = Some(TlsSpec::legacy_only(CertSpec::Sha1)),
        ),
        variant(
            "headers-missing",
            "No Content-Security-Policy, X-Content-Type-Options, framing protection or Referrer-Policy.",
            &[WebCsp, WebContentTypeOptions, WebFrameOptions, WebReferrerPolicy],
            |d| d.web.headers = vec![("strict-transport-security".into(), "max-age=31536000".into())],
        ),
        variant(
            "headers-weak",
            "A CSP with 'unsafe-inline' and *, X-Content-Type-Options: sniff, X-Frame-Options: ALLOW-FROM, Referrer-Policy: unsafe-url.",
            &[WebCsp, WebContentTypeOptions, WebFrameOptions, WebReferrerPolicy],
            |d| {
                d.web.headers = vec![
                    ("strict-transport-security".into(), "max-age=31536000".into()),
                    ("content-security-policy".into(), "default-src * 'unsafe-inline'".into()),
                    ("x-content-type-options".into(), "sniff".into()),
                    ("x-frame-options".into(), "ALLOW-FROM https://good.test".into()),
                    ("referrer-policy".into(), "unsafe-url".into()),
                ]
            },
        ),
        variant("securitytxt-missing", "No security.txt.", &[WebSecurityTxt], |d| {
            d.web.security_txt = SecurityTxtSpec::Missing
        }),
        variant("securitytxt-expired", "security.txt expired 10 days ago.", &[WebSecurityTxt], |d| {
            d.web.security_txt = SecurityTxtSpec::Expired
        }),
        variant(
            "securitytxt-invalid",
            "security.txt without a Contact field.",
            &[WebSecurityTxt],
            |d| d.web.security_txt = SecurityTxtSpec::Invalid,
        ),
        variant(
            "unsigned",
            "The zone is not signed (DNSSEC and DANE do not apply).",
            &[DnsDnssecSigned],
            |d| d.dns.signing = Signing::Unsigned,
        ),
        variant("dnssec-bogus", "Every DNSSEC signature is corrupted.", &[DnsDnssecValid], |d| {
            d.dns.signing = Signing::BadSignatures
        }),
        variant(
            "dnssec-expired",
            "The DNSSEC signatures expired yesterday.",
            &[DnsDnssecValid],
            |d| d.dns.signing = Signing::ExpiredSignatures,
        ),
        variant(
            "dnssec-wrong-ds",
            "The parent's DS record is for another key.",
            &[DnsDnssecValid],
            |d| d.dns.signing = Signing::WrongDs,
        ),
        variant(
            "dnssec-no-ds",
            "Signed, but the parent publishes no DS record.",
            &[DnsDnssecValid],
            |d| d.dns.signing = Signing::NoDs,
        ),
        variant("no-ipv6", "The web server has no IPv6 address.", &[DnsIpv6Web], |_| {}),
        variant("ns-no-ipv6", "The name servers have no IPv6 addresses.", &[DnsIpv6Ns], |d| {
            d.dns.ns_ipv6 = false
        }),
        variant("mx-no-ipv6", "The mail server has no IPv6 address.", &[DnsIpv6Mail], |d| {
            d.dns.mx = MxSpec::Own { ipv6: false }
        }),
        variant("spf-missing", "No SPF record.", &[MailSpf], |d| d.dns.spf = None),
        variant("spf-permissive", "SPF ends in +all.", &[MailSpf], |d| {
            d.dns.spf = Some("v=spf1 mx +all".into())
        }),
        variant("spf-lookups", "SPF needs 12 DNS lookups (11 includes and mx).", &[MailSpf], |d| {
            let includes: Vec<String> = (1..=11).map(|i| format!("include:_spf{i}.spf-lookups.test")).collect();
            d.dns.spf = Some(format!("v=spf1 mx {} -all", includes.join(" ")));
            d.dns.txt = (1..=11)
                .map(|i| (format!("_spf{i}"), format!("v=spf1 ip4:192.0.2.{i} -all")))
                .collect();
        }),
        variant("dmarc-missing", "No DMARC record.", &[MailDmarc], |d| d.dns.dmarc = None),
        variant("dmarc-none", "DMARC with p=none.", &[MailDmarc], |d| {
            d.dns.dmarc = Some("v=DMARC1; p=none; rua=mailto:dmarc@dmarc-none.test".into())
        }),
        variant("no-starttls", "The mail server does not offer STARTTLS.", &[MailStarttls], |d| {
            d.mail.starttls = false
        }),
        variant(
            "mail-weak",
            "The mail server speaks TLS 1.0 and 1.2 (by the responder only), with a weak suite and curve, compression, without secure renegotiation, and a self-signed SHA-1 certificate for another name.",
            &[
                MailTlsVersion,
                MailTlsCiphers,
                MailTlsKeyExchange,
                MailTlsCompression,
                MailTlsRenegotiation,
                MailCertTrust,
                MailCertName,
                MailCertSignature,
            ],
            |d| {
                d.mail.tls = TlsSpec {
                    modern: None,
                    legacy: Some(Legacy {
                        versions: vec![TlsVersion::Tls10, TlsVersion::Tls12],
                        groups: vec![23, 19],
                        compression: true,
                        secure_renegotiation: false,
                        below_tls13: true,
                        ..Legacy::tls12(&[0xC013])
                    }),
                    cert: CertSpec::Sha1,
                };
            },
        ),
        variant(
            "mail-cert-expired",
            "The mail server's certificate expired 10 days ago.",
            &[MailCertExpiry],
            |d| d.mail.tls.cert = CertSpec::Expired,
        ),
        variant(
            "mail-cert-rsa1024",
            "The mail server's certificate has an RSA key of 1024 bits (TLS 1.2 by the responder).",
            &[MailCertKey],
            |d| d.mail.tls = TlsSpec::legacy_only(CertSpec::Rsa1024),
        ),
        variant(
            "no-dane",
            "The zone is signed but has no TLSA record for the mail server.",
            &[MailDane],
            |d| d.dns.tlsa = TlsaSpec::None,
        ),
        variant(
            "dane-mismatch",
            "The TLSA record does not match the mail server's certificate.",
            &[MailDane],
            |d| d.dns.tlsa = TlsaSpec::Wrong,
        ),
        variant("mta-sts-missing", "No MTA-STS (a warning).", &[MailMtaSts], |d| {
            d.dns.mta_sts = None;
            d.web.mta_sts_policy = None;
        }),
        variant("mta-sts-testing", "MTA-STS in testing mode (a warning).", &[MailMtaSts], |d| {
            d.web.mta_sts_policy = Some("version: STSv1\r\nmode: testing\r\nmx: mx.mta-sts-testing.test\r\nmax_age: 604800\r\n".into())
        }),
        variant(
            "mta-sts-mismatch",
            "The MTA-STS policy names another mail server.",
            &[MailMtaSts],
            |d| d.web.mta_sts_policy = Some("version: STSv1\r\nmode: enforce\r\nmx: mail.elsewhere.test\r\nmax_age: 604800\r\n".into()),
        ),
        variant("tls-rpt-missing", "No TLS-RPT record (a warning).", &[MailTlsRpt], |d| {
            d.dns.tls_rpt = None
        }),
        variant(
            "null-mx",
            "Receives no mail (null MX): the mail server checks do not apply.",
            &[],
            |d| {
                d.dns.mx = MxSpec::Null;
                d.dns.spf = Some("v=spf1 -all".into());
            },
        ),
        variant(
            "exposed",
            "RDP, SMB, Telnet, four databases and VNC listen; phpMyAdmin, Adminer and the Tomcat manager answer.",
            &[
                ExposureRdp,
                ExposureSmb,
                ExposureTelnet,
                ExposureDatabase,
                ExposureVnc,
                ExposureAdminPanel,
            ],
            |d| {
                d.exposed_ports = true;
                d.web.admin_panels = true;
            },
        ),
    ]
}

fn set_cert(d: &mut DomainSpec, cert: CertSpec) {
    if let Some(https) = d.web.https.as_mut() {
        https.cert = cert;
    }
}
