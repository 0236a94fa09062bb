//! Every check against the offline fleet: it passes on `good.test` and fails (or warns) on the variant broken for it.

mod common;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use chrono::Duration;
use common::{WORLD, World, describe, not_passing};
use cyberveilig_baseline::fleet::spec;
use cyberveilig_baseline::{Check, Lang, ReasonCode, ScannerConfig, Target, Verdict};

fn world() -> &'static World {
    WORLD.get_or_init(|| common::start(Ipv4Addr::new(127, 20, 0, 0), |c| c))
}

/// The check passes on `good.test` and has the verdict and reason on the variant.
fn expect(check: Check, label: &str, verdict: Verdict, reason: ReasonCode) {
    let w = world();
    let good = w.report("good");
    assert_eq!(
        good.verdict(check),
        Verdict::Pass,
        "{check} on good.test:\n{}",
        describe(&good, check)
    );
    let report = w.report(label);
    let worst = report.verdict(check);
    let has_reason = report.of(check).any(|o| o.verdict == verdict && o.reason.code == reason);
    assert!(
        worst == verdict && has_reason,
        "{check} on {label}.test: expected {verdict} {reason}, got:\n{}",
        describe(&report, check)
    );
}

/// (check, variant, verdict, reason): a test each, and together every check.
const EXPECTATIONS: &[(Check, &str, Verdict, ReasonCode)] = &[
    (Check::WebHttps, "no-https", Verdict::Fail, ReasonCode::HttpsClosed),
    (Check::WebHttpRedirect, "no-redirect", Verdict::Fail, ReasonCode::RedirectMissing),
    (
        Check::WebHttpRedirect,
        "redirect-elsewhere",
        Verdict::Fail,
        ReasonCode::RedirectOtherHost,
    ),
    (Check::WebHsts, "hsts-missing", Verdict::Fail, ReasonCode::HstsMissing),
    (Check::WebHsts, "hsts-short", Verdict::Fail, ReasonCode::HstsShort),
    (Check::WebTlsVersion, "tls10", Verdict::Fail, ReasonCode::TlsVersionInsufficient),
    (Check::WebTlsVersion, "tls11", Verdict::Fail, ReasonCode::TlsVersionInsufficient),
    (Check::WebTlsVersion, "ssl3", Verdict::Fail, ReasonCode::TlsVersionInsufficient),
    (Check::WebTlsCiphers, "cipher-weak", Verdict::Fail, ReasonCode::CiphersInsufficient),
    (
        Check::WebTlsCiphers,
        "cipher-phase-out",
        Verdict::Warning,
        ReasonCode::CiphersPhaseOut,
    ),
    (Check::WebTlsCiphers, "tls10", Verdict::Fail, ReasonCode::CiphersInsufficient),
    (
        Check::WebTlsKeyExchange,
        "dhe-ffdhe2048",
        Verdict::Fail,
        ReasonCode::KexInsufficient,
    ),
    (Check::WebTlsKeyExchange, "curve-weak", Verdict::Fail, ReasonCode::KexInsufficient),
    (Check::WebTlsKeyExchange, "kex-sha1", Verdict::Fail, ReasonCode::KexInsufficient),
    (Check::WebTlsCompression, "compression", Verdict::Fail, ReasonCode::CompressionOn),
    (
        Check::WebTlsRenegotiation,
        "insecure-renegotiation",
        Verdict::Fail,
        ReasonCode::RenegotiationInsecure,
    ),
    (Check::WebCertTrust, "cert-untrusted", Verdict::Fail, ReasonCode::TrustUnknownIssuer),
    (Check::WebCertTrust, "cert-expired", Verdict::Fail, ReasonCode::TrustInvalid),
    (Check::WebCertName, "cert-wrong-name", Verdict::Fail, ReasonCode::NameMismatch),
    (Check::WebCertExpiry, "cert-expired", Verdict::Fail, ReasonCode::Expired),
    (Check::WebCertExpiry, "cert-expiring", Verdict::Warning, ReasonCode::ExpirySoon),
    (Check::WebCertKey, "cert-rsa1024", Verdict::Fail, ReasonCode::KeyInsufficient),
    (Check::WebCertKey, "cert-rsa2048", Verdict::Warning, ReasonCode::KeyPhaseOut),
    (
        Check::WebCertSignature,
        "cert-sha1",
        Verdict::Fail,
        ReasonCode::SignatureInsufficient,
    ),
    (Check::WebCsp, "headers-missing", Verdict::Fail, ReasonCode::CspMissing),
    (Check::WebCsp, "headers-weak", Verdict::Warning, ReasonCode::CspWeak),
    (
        Check::WebContentTypeOptions,
        "headers-missing",
        Verdict::Fail,
        ReasonCode::ContentTypeMissing,
    ),
    (
        Check::WebContentTypeOptions,
        "headers-weak",
        Verdict::Fail,
        ReasonCode::ContentTypeInvalid,
    ),
    (Check::WebFrameOptions, "headers-missing", Verdict::Fail, ReasonCode::FrameMissing),
    (Check::WebFrameOptions, "headers-weak", Verdict::Fail, ReasonCode::FrameWeak),
    (
        Check::WebReferrerPolicy,
        "headers-missing",
        Verdict::Warning,
        ReasonCode::ReferrerMissing,
    ),
    (Check::WebReferrerPolicy, "headers-weak", Verdict::Fail, ReasonCode::ReferrerUnsafe),
    (
        Check::WebSecurityTxt,
        "securitytxt-missing",
        Verdict::Fail,
        ReasonCode::SecurityTxtMissing,
    ),
    (
        Check::WebSecurityTxt,
        "securitytxt-expired",
        Verdict::Fail,
        ReasonCode::SecurityTxtInvalid,
    ),
    (
        Check::WebSecurityTxt,
        "securitytxt-invalid",
        Verdict::Fail,
        ReasonCode::SecurityTxtInvalid,
    ),
    (Check::DnsDnssecSigned, "unsigned", Verdict::Fail, ReasonCode::DnssecUnsigned),
    (Check::DnsDnssecValid, "dnssec-bogus", Verdict::Fail, ReasonCode::DnssecBogus),
    (Check::DnsDnssecValid, "dnssec-expired", Verdict::Fail, ReasonCode::DnssecBogus),
    (Check::DnsDnssecValid, "dnssec-wrong-ds", Verdict::Fail, ReasonCode::DnssecBogus),
    (Check::DnsDnssecValid, "dnssec-no-ds", Verdict::Fail, ReasonCode::DnssecNotAnchored),
    (
        Check::DnsDnssecValid,
        "unsigned",
        Verdict::NotApplicable,
        ReasonCode::DnssecNotSigned,
    ),
    (Check::DnsIpv6Web, "no-ipv6", Verdict::Fail, ReasonCode::Ipv6WebMissing),
    (Check::DnsIpv6Mail, "mx-no-ipv6", Verdict::Fail, ReasonCode::Ipv6MailMissing),
    (Check::DnsIpv6Ns, "ns-no-ipv6", Verdict::Fail, ReasonCode::Ipv6NsNone),
    (Check::MailSpf, "spf-missing", Verdict::Fail, ReasonCode::SpfMissing),
    (Check::MailSpf, "spf-permissive", Verdict::Fail, ReasonCode::SpfPermissive),
    (Check::MailSpf, "spf-lookups", Verdict::Fail, ReasonCode::SpfLookups),
    (Check::MailDmarc, "dmarc-missing", Verdict::Fail, ReasonCode::DmarcMissing),
    (Check::MailDmarc, "dmarc-none", Verdict::Fail, ReasonCode::DmarcWeak),
    (Check::MailStarttls, "no-starttls", Verdict::Fail, ReasonCode::StarttlsMissing),
    (Check::MailStarttls, "null-mx", Verdict::NotApplicable, ReasonCode::NullMx),
    (
        Check::MailTlsVersion,
        "mail-weak",
        Verdict::Fail,
        ReasonCode::TlsVersionInsufficient,
    ),
    (Check::MailTlsCiphers, "mail-weak", Verdict::Fail, ReasonCode::CiphersInsufficient),
    (Check::MailTlsKeyExchange, "mail-weak", Verdict::Fail, ReasonCode::KexInsufficient),
    (Check::MailTlsCompression, "mail-weak", Verdict::Fail, ReasonCode::CompressionOn),
    (
        Check::MailTlsRenegotiation,
        "mail-weak",
        Verdict::Fail,
        ReasonCode::RenegotiationInsecure,
    ),
    (Check::MailCertTrust, "mail-weak", Verdict::Fail, ReasonCode::TrustUnknownIssuer),
    (Check::MailCertName, "mail-weak", Verdict::Fail, ReasonCode::NameMismatch),
    (Check::MailCertExpiry, "mail-cert-expired", Verdict::Fail, ReasonCode::Expired),
    (Check::MailCertKey, "mail-cert-rsa1024", Verdict::Fail, ReasonCode::KeyInsufficient),
    (
        Check::MailCertSignature,
        "mail-weak",
        Verdict::Fail,
        ReasonCode::SignatureInsufficient,
    ),
    (Check::MailDane, "no-dane", Verdict::Fail, ReasonCode::DaneMissing),
    (Check::MailDane, "dane-mismatch", Verdict::Fail, ReasonCode::DaneMismatch),
    (Check::MailDane, "unsigned", Verdict::NotApplicable, ReasonCode::DaneInsecure),
    (Check::MailMtaSts, "mta-sts-missing", Verdict::Warning, ReasonCode::MtaStsMissing),
    (Check::MailMtaSts, "mta-sts-testing", Verdict::Warning, ReasonCode::MtaStsTesting),
    (Check::MailMtaSts, "mta-sts-mismatch", Verdict::Fail, ReasonCode::MtaStsMxMismatch),
    (Check::MailTlsRpt, "tls-rpt-missing", Verdict::Warning, ReasonCode::TlsRptMissing),
    (Check::ExposureRdp, "exposed", Verdict::Fail, ReasonCode::PortOpen),
    (Check::ExposureSmb, "exposed", Verdict::Fail, ReasonCode::PortOpen),
    (Check::ExposureTelnet, "exposed", Verdict::Fail, ReasonCode::PortOpen),
    (Check::ExposureDatabase, "exposed", Verdict::Fail, ReasonCode::PortOpen),
    (Check::ExposureVnc, "exposed", Verdict::Fail, ReasonCode::PortOpen),
    (Check::ExposureAdminPanel, "exposed", Verdict::Fail, ReasonCode::AdminPanelFound),
];

macro_rules! expectation_tests {
    ($($name:ident: $check:ident on $label:literal => $verdict:ident $reason:ident;)*) => {
        $(
            #[test]
            fn $name() {
                expect(Check::$check, $label, Verdict::$verdict, ReasonCode::$reason);
                assert!(EXPECTATIONS.contains(&(Check::$check, $label, Verdict::$verdict, ReasonCode::$reason)), "not in EXPECTATIONS");
            }
        )*
        /// Every row of EXPECTATIONS has its own test above.
        const TESTED: &[(Check, &str, Verdict, ReasonCode)] = &[$((Check::$check, $label, Verdict::$verdict, ReasonCode::$reason),)*];
    };
}

expectation_tests! {
    web_https_fails_without_port_443: WebHttps on "no-https" => Fail HttpsClosed;
    web_http_redirect_fails_without_a_redirect: WebHttpRedirect on "no-redirect" => Fail RedirectMissing;
    web_http_redirect_fails_to_another_name: WebHttpRedirect on "redirect-elsewhere" => Fail RedirectOtherHost;
    web_hsts_fails_when_missing: WebHsts on "hsts-missing" => Fail HstsMissing;
    web_hsts_fails_when_shorter_than_a_year: WebHsts on "hsts-short" => Fail HstsShort;
    web_tls_version_fails_on_tls10: WebTlsVersion on "tls10" => Fail TlsVersionInsufficient;
    web_tls_version_fails_on_tls11: WebTlsVersion on "tls11" => Fail TlsVersionInsufficient;
    web_tls_version_fails_on_ssl3: WebTlsVersion on "ssl3" => Fail TlsVersionInsufficient;
    web_tls_ciphers_fail_on_a_cbc_sha1_suite: WebTlsCiphers on "cipher-weak" => Fail CiphersInsufficient;
    web_tls_ciphers_warn_on_a_suite_to_phase_out: WebTlsCiphers on "cipher-phase-out" => Warning CiphersPhaseOut;
    web_tls_ciphers_fail_on_tls10_suites: WebTlsCiphers on "tls10" => Fail CiphersInsufficient;
    web_tls_key_exchange_fails_on_ffdhe2048: WebTlsKeyExchange on "dhe-ffdhe2048" => Fail KexInsufficient;
    web_tls_key_exchange_fails_on_a_weak_curve: WebTlsKeyExchange on "curve-weak" => Fail KexInsufficient;
    web_tls_key_exchange_fails_on_sha1: WebTlsKeyExchange on "kex-sha1" => Fail KexInsufficient;
    web_tls_compression_fails_on_deflate: WebTlsCompression on "compression" => Fail CompressionOn;
    web_tls_renegotiation_fails_without_rfc5746: WebTlsRenegotiation on "insecure-renegotiation" => Fail RenegotiationInsecure;
    web_cert_trust_fails_on_an_unknown_ca: WebCertTrust on "cert-untrusted" => Fail TrustUnknownIssuer;
    web_cert_trust_fails_on_an_expired_chain: WebCertTrust on "cert-expired" => Fail TrustInvalid;
    web_cert_name_fails_on_another_name: WebCertName on "cert-wrong-name" => Fail NameMismatch;
    web_cert_expiry_fails_when_expired: WebCertExpiry on "cert-expired" => Fail Expired;
    web_cert_expiry_warns_30_days_ahead: WebCertExpiry on "cert-expiring" => Warning ExpirySoon;
    web_cert_key_fails_on_rsa_1024: WebCertKey on "cert-rsa1024" => Fail KeyInsufficient;
    web_cert_key_warns_on_rsa_2048: WebCertKey on "cert-rsa2048" => Warning KeyPhaseOut;
    web_cert_signature_fails_on_sha1: WebCertSignature on "cert-sha1" => Fail SignatureInsufficient;
    web_csp_fails_when_missing: WebCsp on "headers-missing" => Fail CspMissing;
    web_csp_warns_when_weak: WebCsp on "headers-weak" => Warning CspWeak;
    web_content_type_options_fail_when_missing: WebContentTypeOptions on "headers-missing" => Fail ContentTypeMissing;
    web_content_type_options_fail_when_not_nosniff: WebContentTypeOptions on "headers-weak" => Fail ContentTypeInvalid;
    web_frame_options_fail_when_missing: WebFrameOptions on "headers-missing" => Fail FrameMissing;
    web_frame_options_fail_on_allow_from: WebFrameOptions on "headers-weak" => Fail FrameWeak;
    web_referrer_policy_warns_when_missing: WebReferrerPolicy on "headers-missing" => Warning ReferrerMissing;
    web_referrer_policy_fails_on_unsafe_url: WebReferrerPolicy on "headers-weak" => Fail ReferrerUnsafe;
    web_security_txt_fails_when_missing: WebSecurityTxt on "securitytxt-missing" => Fail SecurityTxtMissing;
    web_security_txt_fails_when_expired: WebSecurityTxt on "securitytxt-expired" => Fail SecurityTxtInvalid;
    web_security_txt_fails_without_contact: WebSecurityTxt on "securitytxt-invalid" => Fail SecurityTxtInvalid;
    dns_dnssec_signed_fails_on_an_unsigned_zone: DnsDnssecSigned on "unsigned" => Fail DnssecUnsigned;
    dns_dnssec_valid_fails_on_bad_signatures: DnsDnssecValid on "dnssec-bogus" => Fail DnssecBogus;
    dns_dnssec_valid_fails_on_expired_signatures: DnsDnssecValid on "dnssec-expired" => Fail DnssecBogus;
    dns_dnssec_valid_fails_on_a_wrong_ds: DnsDnssecValid on "dnssec-wrong-ds" => Fail DnssecBogus;
    dns_dnssec_valid_fails_without_a_ds: DnsDnssecValid on "dnssec-no-ds" => Fail DnssecNotAnchored;
    dns_dnssec_valid_does_not_apply_to_an_unsigned_zone: DnsDnssecValid on "unsigned" => NotApplicable DnssecNotSigned;
    dns_ipv6_web_fails_without_aaaa: DnsIpv6Web on "no-ipv6" => Fail Ipv6WebMissing;
    dns_ipv6_mail_fails_without_aaaa: DnsIpv6Mail on "mx-no-ipv6" => Fail Ipv6MailMissing;
    dns_ipv6_ns_fails_without_aaaa: DnsIpv6Ns on "ns-no-ipv6" => Fail Ipv6NsNone;
    mail_spf_fails_when_missing: MailSpf on "spf-missing" => Fail SpfMissing;
    mail_spf_fails_on_plus_all: MailSpf on "spf-permissive" => Fail SpfPermissive;
    mail_spf_fails_beyond_ten_lookups: MailSpf on "spf-lookups" => Fail SpfLookups;
    mail_dmarc_fails_when_missing: MailDmarc on "dmarc-missing" => Fail DmarcMissing;
    mail_dmarc_fails_on_p_none: MailDmarc on "dmarc-none" => Fail DmarcWeak;
    mail_starttls_fails_when_not_offered: MailStarttls on "no-starttls" => Fail StarttlsMissing;
    mail_starttls_does_not_apply_to_a_null_mx: MailStarttls on "null-mx" => NotApplicable NullMx;
    mail_tls_version_fails_on_tls10: MailTlsVersion on "mail-weak" => Fail TlsVersionInsufficient;
    mail_tls_ciphers_fail_on_a_cbc_sha1_suite: MailTlsCiphers on "mail-weak" => Fail CiphersInsufficient;
    mail_tls_key_exchange_fails_on_a_weak_curve: MailTlsKeyExchange on "mail-weak" => Fail KexInsufficient;
    mail_tls_compression_fails_on_deflate: MailTlsCompression on "mail-weak" => Fail CompressionOn;
    mail_tls_renegotiation_fails_without_rfc5746: MailTlsRenegotiation on "mail-weak" => Fail RenegotiationInsecure;
    mail_cert_trust_fails_on_a_self_signed_certificate: MailCertTrust on "mail-weak" => Fail TrustUnknownIssuer;
    mail_cert_name_fails_on_another_name: MailCertName on "mail-weak" => Fail NameMismatch;
    mail_cert_expiry_fails_when_expired: MailCertExpiry on "mail-cert-expired" => Fail Expired;
    mail_cert_key_fails_on_rsa_1024: MailCertKey on "mail-cert-rsa1024" => Fail KeyInsufficient;
    mail_cert_signature_fails_on_sha1: MailCertSignature on "mail-weak" => Fail SignatureInsufficient;
    mail_dane_fails_without_tlsa: MailDane on "no-dane" => Fail DaneMissing;
    mail_dane_fails_on_a_wrong_digest: MailDane on "dane-mismatch" => Fail DaneMismatch;
    mail_dane_does_not_apply_without_dnssec: MailDane on "unsigned" => NotApplicable DaneInsecure;
    mail_mta_sts_warns_when_missing: MailMtaSts on "mta-sts-missing" => Warning MtaStsMissing;
    mail_mta_sts_warns_in_testing_mode: MailMtaSts on "mta-sts-testing" => Warning MtaStsTesting;
    mail_mta_sts_fails_on_another_mail_server: MailMtaSts on "mta-sts-mismatch" => Fail MtaStsMxMismatch;
    mail_tls_rpt_warns_when_missing: MailTlsRpt on "tls-rpt-missing" => Warning TlsRptMissing;
    exposure_rdp_fails_when_open: ExposureRdp on "exposed" => Fail PortOpen;
    exposure_smb_fails_when_open: ExposureSmb on "exposed" => Fail PortOpen;
    exposure_telnet_fails_when_open: ExposureTelnet on "exposed" => Fail PortOpen;
    exposure_database_fails_when_open: ExposureDatabase on "exposed" => Fail PortOpen;
    exposure_vnc_fails_when_open: ExposureVnc on "exposed" => Fail PortOpen;
    exposure_admin_panel_fails_on_phpmyadmin: ExposureAdminPanel on "exposed" => Fail AdminPanelFound;
}

#[test]
fn good_passes_every_check() {
    let report = world().report("good");
    assert_eq!(not_passing(&report), Vec::<String>::new());
    for &check in Check::ALL {
        assert!(report.of(check).next().is_some(), "{check} was not run on good.test");
    }
    assert!(report.connections > 20, "{} connections", report.connections);
}

#[test]
fn every_check_fails_on_some_variant() {
    assert_eq!(TESTED, EXPECTATIONS, "every expectation has a test, in the same order");
    let failing: BTreeSet<Check> = EXPECTATIONS
        .iter()
        .filter(|e| matches!(e.2, Verdict::Fail | Verdict::Warning))
        .map(|e| e.0)
        .collect();
    let missing: Vec<&Check> = Check::ALL.iter().filter(|c| !failing.contains(c)).collect();
    assert!(missing.is_empty(), "checks without a failing variant: {missing:?}");
}

#[test]
fn every_variant_breaks_what_the_catalogue_says() {
    let w = world();
    let mut wrong = Vec::new();
    for domain in w.fleet.domains() {
        let report = w.report(&domain.label);
        for &check in &domain.broken {
            let v = report.verdict(check);
            if !matches!(v, Verdict::Fail | Verdict::Warning) {
                wrong.push(format!("{check} on {}: {v}\n{}", domain.name, describe(&report, check)));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_outcome_reads_in_dutch_and_english() {
    let w = world();
    for label in [
        "good",
        "exposed",
        "mail-weak",
        "unsigned",
        "no-https",
        "cert-sha1",
        "null-mx",
        "securitytxt-expired",
    ] {
        for o in &w.report(label).outcomes {
            for lang in [Lang::Nl, Lang::En] {
                let text = o.reason.message(lang);
                assert!(!text.contains('{'), "{} on {label}: {text}", o.check);
            }
        }
    }
}

#[test]
fn the_clock_is_injected() {
    let w = world();
    let target = Target::domain("good.test").unwrap();
    // A year and a half on, the certificate and security.txt have expired; before the certificate, it is not valid.
    let later = w.scan_at(&target, w.now + Duration::days(540));
    assert_eq!(
        later.verdict(Check::WebCertExpiry),
        Verdict::Fail,
        "{}",
        describe(&later, Check::WebCertExpiry)
    );
    assert_eq!(later.verdict(Check::WebSecurityTxt), Verdict::Fail);
    assert_eq!(later.at, w.now + Duration::days(540));
    let earlier = w.scan_at(&target, w.now - Duration::days(60));
    assert!(
        earlier.of(Check::WebCertExpiry).any(|o| o.reason.code == ReasonCode::NotYetValid),
        "{}",
        describe(&earlier, Check::WebCertExpiry)
    );
}

#[test]
fn without_the_test_mode_the_fleet_is_refused() {
    let w = world();
    let mut config = ScannerConfig::new("https://cyberveilig.test/scan");
    config.name_servers = Some(vec![w.fleet.name_server()]);
    config.timeouts = common::scanner_config(&w.fleet).timeouts;
    let production = w.rt.block_on(async { cyberveilig_baseline::Scanner::new(config) }).unwrap();
    let report = w.rt.block_on(production.scan(&Target::domain("exposed.test").unwrap(), w.now));
    assert_eq!(report.connections, 0, "a connection was made to a loopback address");
    let https = report.of(Check::WebHttps).next().unwrap();
    assert_eq!((https.verdict, https.reason.code), (Verdict::Unknown, ReasonCode::AddressRefused));
    assert!(
        report
            .of(Check::ExposureRdp)
            .all(|o| o.verdict == Verdict::Unknown && o.reason.code == ReasonCode::AddressRefused)
    );
}

#[test]
fn the_fleet_describes_its_domains() {
    let w = world();
    assert_eq!(w.fleet.domains().len(), spec::catalogue().len());
    let checks = include_str!("../CHECKS.md");
    for d in w.fleet.domains() {
        assert!(
            checks.contains(&format!("`{}`", d.name)),
            "{} is not described in CHECKS.md",
            d.name
        );
    }
    assert!(w.fleet.ca_pem().starts_with("-----BEGIN CERTIFICATE-----\n"));
}
