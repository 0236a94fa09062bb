//! The scanner's TLS verdicts against sslyze's on the same fleet hosts (full handshakes by rustls and OpenSSL), judged
//! by the same rules: they must agree. Skipped when sslyze or openssl is missing, unless
//! CYBERVEILIG_BASELINE_TOOLS=required (as in CI). The command is $SSLYZE, else `sslyze` on the PATH.

mod common;

use std::net::Ipv4Addr;
use std::process::{Command, Stdio};

use cyberveilig_baseline::fleet::openssl;
use cyberveilig_baseline::fleet::tools::{COMPARED, read_sslyze, sslyze_args, verdicts};
use cyberveilig_baseline::tls::verdict;

const HOSTS: [&str; 6] = ["good", "cert-untrusted", "cert-wrong-name", "ossl-tls10", "ossl-cbc", "ossl-dhe"];

#[test]
fn the_scanner_and_sslyze_agree_on_every_tls_verdict() {
    let sslyze = std::env::var("SSLYZE").unwrap_or_else(|_| "sslyze".into());
    let available = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {sslyze}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !available || !openssl::available() {
        assert!(
            std::env::var("CYBERVEILIG_BASELINE_TOOLS").as_deref() != Ok("required"),
            "sslyze and openssl are required"
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), b"SKIP: sslyze or openssl is missing\n");
        return;
    }
    let w = common::start(Ipv4Addr::new(127, 23, 0, 0), |mut c| {
        let keep = ["good", "cert-untrusted", "cert-wrong-name"];
        c.domains.retain(|d| keep.contains(&d.label.as_str()));
        c.domains.extend(openssl::catalogue());
        c.ipv6 = false;
        c
    });
    let dir = std::env::temp_dir().join(format!("cyberveilig-tools-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, w.fleet.ca_pem()).unwrap();
    let out = dir.join("sslyze.json");
    let port = w.fleet.ports().map(443);
    let targets: Vec<String> = HOSTS
        .iter()
        .map(|h| format!("{h}.test:{port}{{{}}}", w.fleet.domain(h).unwrap().address))
        .collect();
    let status = Command::new(&sslyze)
        .args(sslyze_args(&out, &ca, &targets))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("sslyze runs");
    assert!(status.success(), "sslyze: {status}");
    let theirs = read_sslyze(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let mut differences = Vec::new();
    for h in HOSTS {
        let host = format!("{h}.test");
        let ours = w.rt.block_on(w.scanner.scan_tls(&host, w.now));
        // Neither tool asks for a SHA-1 signature on the key exchange: compare the key exchange without it.
        let mut obs = w.rt.block_on(w.scanner.observe_tls(&host)).unwrap();
        obs.kex_sigalgs.clear();
        let view = theirs.get(&host).unwrap_or_else(|| panic!("sslyze did not report {host}"));
        let their_verdicts = verdicts(view, w.now);
        for c in COMPARED {
            let mine = if c == cyberveilig_baseline::Check::WebTlsKeyExchange {
                verdict::key_exchange(&obs).verdict
            } else {
                ours.verdict(c)
            };
            if mine != their_verdicts[&c] {
                differences.push(format!("{host} {c}: ours {mine}, sslyze {}", their_verdicts[&c]));
            }
        }
    }
    assert!(differences.is_empty(), "{differences:#?}");
}
