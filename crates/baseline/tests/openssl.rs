//! The TLS checks against real full handshakes of OpenSSL's s_server (Debian's `openssl`): TLS 1.0, CBC suites and
//! DHE as a real server offers them, not only as the fleet's responder fakes them. Skipped when `openssl` is missing,
//! unless CYBERVEILIG_BASELINE_TOOLS=required (as in CI).

mod common;

use std::net::Ipv4Addr;

use common::{World, describe};
use cyberveilig_baseline::fleet::{openssl, spec};
use cyberveilig_baseline::{Check, ReasonCode, Verdict};

fn world() -> Option<&'static World> {
    static WORLD: std::sync::OnceLock<Option<World>> = std::sync::OnceLock::new();
    WORLD
        .get_or_init(|| {
            if !openssl::available() {
                assert!(
                    std::env::var("CYBERVEILIG_BASELINE_TOOLS").as_deref() != Ok("required"),
                    "openssl is required but missing"
                );
                let _ = std::io::Write::write_all(&mut std::io::stderr(), b"SKIP: openssl is missing\n");
                return None;
            }
            Some(common::start(Ipv4Addr::new(127, 21, 0, 0), |mut c| {
                c.domains = vec![spec::good("good")];
                c.domains.extend(openssl::catalogue());
                c.ipv6 = false;
                c
            }))
        })
        .as_ref()
}

fn tls(label: &str) -> Option<cyberveilig_baseline::Report> {
    let w = world()?;
    Some(w.rt.block_on(w.scanner.scan_tls(&format!("{label}.test"), w.now)))
}

#[test]
fn openssl_with_modern_settings_passes_the_tls_checks() {
    let Some(report) = tls("ossl-good") else { return };
    let failing: Vec<String> = report
        .outcomes
        .iter()
        .filter(|o| o.verdict != Verdict::Pass)
        .map(|o| format!("{} {} {:?}", o.check, o.reason.code, o.reason.args))
        .collect();
    assert!(failing.is_empty(), "{failing:?}");
    assert_eq!(report.of(Check::WebCertKey).next().unwrap().evidence("keys"), Some("RSA 3072"));
}

#[test]
fn openssl_tls10_fails_versions_and_suites() {
    let Some(report) = tls("ossl-tls10") else { return };
    assert_eq!(
        report.verdict(Check::WebTlsVersion),
        Verdict::Fail,
        "{}",
        describe(&report, Check::WebTlsVersion)
    );
    let versions = report
        .of(Check::WebTlsVersion)
        .next()
        .unwrap()
        .evidence("versions_accepted")
        .unwrap()
        .to_string();
    assert_eq!(versions, "TLS 1.2, TLS 1.1, TLS 1.0");
    assert_eq!(report.verdict(Check::WebTlsCiphers), Verdict::Fail);
}

#[test]
fn openssl_cbc_suites_are_found_by_enumeration() {
    let Some(report) = tls("ossl-cbc") else { return };
    let ciphers = report.of(Check::WebTlsCiphers).next().unwrap();
    assert_eq!(
        (ciphers.verdict, ciphers.reason.code),
        (Verdict::Fail, ReasonCode::CiphersInsufficient),
        "{}",
        describe(&report, Check::WebTlsCiphers)
    );
    assert_eq!(ciphers.evidence("suites_insufficient"), Some("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"));
    assert_eq!(ciphers.evidence("suites_phase_out"), Some("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"));
}

#[test]
fn openssl_dhe_on_ffdhe2048_fails_the_key_exchange() {
    let Some(report) = tls("ossl-dhe") else { return };
    let kx = report.of(Check::WebTlsKeyExchange).next().unwrap();
    assert_eq!(kx.verdict, Verdict::Fail, "{}", describe(&report, Check::WebTlsKeyExchange));
    assert!(kx.reason.args[0].1.contains("ffdhe2048"), "{:?}", kx.reason.args);
}
