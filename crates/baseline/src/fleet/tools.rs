//! Reading what sslyze and testssl.sh saw, so that the same verdict functions can judge it: the benchmark and a test
//! compare the scanner's verdicts with theirs on the same fleet hosts. Only the reports are read here; running the
//! tools is the caller's business.

use std::collections::BTreeMap;

use base64::Engine as _;
use chrono::{DateTime, Utc};

use crate::model::{Check, Verdict};
use crate::tls::cert;
use crate::tls::levels::{DhGroup, TlsVersion, group_name};
use crate::tls::{TlsObservation, verdict};

/// The checks compared: the five TLS checks and the five certificate checks of a web server.
pub const COMPARED: [Check; 10] = [
    Check::WebTlsVersion,
    Check::WebTlsCiphers,
    Check::WebTlsKeyExchange,
    Check::WebTlsCompression,
    Check::WebTlsRenegotiation,
    Check::WebCertTrust,
    Check::WebCertName,
    Check::WebCertExpiry,
    Check::WebCertKey,
    Check::WebCertSignature,
];

/// The sslyze 6 arguments for the compared checks: write JSON to `json_out`, trust `ca_file`, scan `targets`
/// (`host:port{ip}`).
pub fn sslyze_args(json_out: &std::path::Path, ca_file: &std::path::Path, targets: &[String]) -> Vec<String> {
    let mut args = vec![
        "--quiet".to_string(),
        format!("--json_out={}", json_out.display()),
        format!("--certinfo_ca_file={}", ca_file.display()),
    ];
    for flag in [
        "--certinfo",
        "--sslv2",
        "--sslv3",
        "--tlsv1",
        "--tlsv1_1",
        "--tlsv1_2",
        "--tlsv1_3",
        "--elliptic_curves",
        "--compression",
        "--reneg",
    ] {
        args.push(flag.to_string());
    }
    args.extend(targets.iter().cloned());
    args
}

/// What a tool saw on one host, in the scanner's terms.
#[derive(Clone, Debug, Default)]
pub struct ToolView {
    pub obs: TlsObservation,
    /// The leaf certificate (DER).
    pub leaf: Option<Vec<u8>>,
    /// The tool's own verdict on the chain of trust (a name mismatch aside).
    pub trusted: Option<bool>,
    /// The tool's own verdict on the name.
    pub name_ok: Option<bool>,
}

/// The verdicts the scanner's rules give on what a tool saw. Trust and name are the tool's own conclusions; expiry,
/// key and signature are judged on the leaf certificate the tool received.
pub fn verdicts(view: &ToolView, now: DateTime<Utc>) -> BTreeMap<Check, Verdict> {
    let o = &view.obs;
    let mut v = BTreeMap::new();
    v.insert(Check::WebTlsVersion, verdict::versions(o).verdict);
    v.insert(Check::WebTlsCiphers, verdict::ciphers(o).verdict);
    v.insert(Check::WebTlsKeyExchange, verdict::key_exchange(o).verdict);
    v.insert(Check::WebTlsCompression, verdict::compression(o).verdict);
    v.insert(Check::WebTlsRenegotiation, verdict::renegotiation(o).verdict);
    let yes_no = |ok: Option<bool>| match ok {
        Some(true) => Verdict::Pass,
        Some(false) => Verdict::Fail,
        None => Verdict::Unknown,
    };
    v.insert(Check::WebCertTrust, yes_no(view.trusted));
    v.insert(Check::WebCertName, yes_no(view.name_ok));
    match view.leaf.as_ref().and_then(|d| cert::facts(d).ok()) {
        Some(f) => {
            v.insert(Check::WebCertExpiry, cert::expiry_judgement(&f, now).verdict);
            v.insert(Check::WebCertKey, cert::key_judgement(std::slice::from_ref(&f)).verdict);
            v.insert(Check::WebCertSignature, cert::signature_judgement(std::slice::from_ref(&f)).verdict);
        }
        None => {
            for c in [Check::WebCertExpiry, Check::WebCertKey, Check::WebCertSignature] {
                v.insert(c, Verdict::Unknown);
            }
        }
    }
    v
}

/// A named group by the names the tools use.
pub fn group_id(name: &str) -> Option<u16> {
    let name = match name {
        "prime256v1" => "secp256r1",
        "prime192v1" => "secp192r1",
        "X25519" => "x25519",
        "X448" => "x448",
        other => other,
    };
    (1u16..=33)
        .chain(0x0100..=0x0104)
        .chain(0x11EB..=0x11ED)
        .find(|g| group_name(*g) == name)
}

fn suite_id(name: &str) -> Option<u16> {
    tls_parser::TlsCipherSuite::from_name(name).map(|s| s.id.0)
}

/// DER from PEM (one certificate).
pub fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let b64: String = pem
        .replace("-----BEGIN CERTIFICATE-----", "")
        .replace("-----END CERTIFICATE-----", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

/// sslyze writes RSA moduli, EC points and serial numbers as JSON numbers of hundreds of digits, which serde_json
/// (without arbitrary precision) refuses; they become strings.
pub fn quote_big_numbers(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 64);
    let (mut in_string, mut escaped) = (false, false);
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() > 15 {
            out.push('"');
            out.push_str(digits);
            out.push('"');
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in json.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_ascii_digit() || (c == '-' && digits.is_empty()) {
            digits.push(c);
            continue;
        }
        flush(&mut digits, &mut out);
        if c == '"' {
            in_string = true;
        }
        out.push(c);
    }
    flush(&mut digits, &mut out);
    out
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The hosts of an sslyze 6 JSON report (`--json_out`, with `--certinfo_ca_file` for the fleet's CA), by host name.
pub fn read_sslyze(text: &str) -> Result<BTreeMap<String, ToolView>, String> {
    let json: serde_json::Value =
        serde_json::from_str(&quote_big_numbers(text)).map_err(|e| format!("sslyze's report does not parse: {e}"))?;
    let mut views = BTreeMap::new();
    for r in json["server_scan_results"].as_array().into_iter().flatten() {
        let Some(host) = r["server_location"]["hostname"].as_str().map(str::to_string) else {
            continue;
        };
        let sr = &r["scan_result"];
        let mut obs = TlsObservation::default();
        for (key, version) in [
            ("ssl_3_0_cipher_suites", TlsVersion::Ssl3),
            ("tls_1_0_cipher_suites", TlsVersion::Tls10),
            ("tls_1_1_cipher_suites", TlsVersion::Tls11),
            ("tls_1_2_cipher_suites", TlsVersion::Tls12),
            ("tls_1_3_cipher_suites", TlsVersion::Tls13),
        ] {
            for accepted in sr[key]["result"]["accepted_cipher_suites"].as_array().into_iter().flatten() {
                let Some(id) = accepted["cipher_suite"]["name"].as_str().and_then(suite_id) else {
                    continue;
                };
                obs.versions.entry(version).or_insert(id);
                obs.suites.push((version, id));
                let key = &accepted["ephemeral_key"];
                match key["type_name"].as_str() {
                    Some("DH") => {
                        if let Some(p) = key["prime"]
                            .as_str()
                            .and_then(|p| base64::engine::general_purpose::STANDARD.decode(p).ok())
                        {
                            push_unique(&mut obs.dh_groups, DhGroup::from_prime(&p));
                        }
                    }
                    Some("ECDH") => {
                        if let Some(g) = key["curve_name"].as_str().and_then(group_id) {
                            push_unique(&mut obs.groups, g);
                        }
                    }
                    _ => {}
                }
            }
        }
        for curve in sr["elliptic_curves"]["result"]["supported_curves"].as_array().into_iter().flatten() {
            if let Some(g) = curve["name"].as_str().and_then(group_id) {
                push_unique(&mut obs.groups, g);
            }
        }
        if sr["tls_compression"]["result"]["supports_compression"].as_bool() == Some(true) {
            obs.compression = Some(TlsVersion::Tls12);
        }
        let below13 = obs.versions.keys().any(|v| *v < TlsVersion::Tls13);
        if below13 && sr["session_renegotiation"]["result"]["supports_secure_renegotiation"].as_bool() == Some(false) {
            obs.insecure_renegotiation = Some(TlsVersion::Tls12);
        }
        let deployment = &sr["certificate_info"]["result"]["certificate_deployments"][0];
        let leaf = deployment["received_certificate_chain"][0]["as_pem"].as_str().and_then(pem_to_der);
        let supplied = deployment["path_validation_results"].as_array().and_then(|all| {
            all.iter()
                .find(|p| p["trust_store"]["name"].as_str().is_some_and(|n| n.starts_with("Supplied")))
        });
        let error = supplied.and_then(|p| p["validation_error"].as_str()).unwrap_or("");
        // sslyze 6 checks the name during path validation; a name problem is the name check's.
        let name_problem = error.contains("subjectAltName") || error.contains("hostname");
        let trusted = supplied.map(|p| p["was_validation_successful"].as_bool() == Some(true) || name_problem);
        let names: Vec<String> = deployment["received_certificate_chain"][0]["subject_alternative_name"]["dns_names"]
            .as_array()
            .map(|a| a.iter().filter_map(|n| n.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let name_ok = Some(names.iter().any(|n| cert::name_matches(n, &host)));
        views.insert(
            host,
            ToolView {
                obs,
                leaf,
                trusted,
                name_ok,
            },
        );
    }
    Ok(views)
}

/// One host of a testssl.sh JSON report (`--jsonfile`, run with `-p -E -f -S -C -R` and `--add-ca`).
pub fn read_testssl(text: &str) -> Result<ToolView, String> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("testssl.sh's report does not parse: {e}"))?;
    let findings: Vec<(&str, &str)> = json
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| Some((f["id"].as_str()?, f["finding"].as_str()?)))
        .collect();
    let get = |id: &str| findings.iter().find(|(i, _)| *i == id).map(|(_, f)| *f);
    let mut obs = TlsObservation::default();
    for (id, _) in &findings {
        // cipher-tls1_2_xc02f: an accepted suite of a version.
        let Some((proto, hexid)) = id.strip_prefix("cipher-").and_then(|r| r.rsplit_once("_x")) else {
            continue;
        };
        let version = match proto {
            "ssl3" => TlsVersion::Ssl3,
            "tls1" => TlsVersion::Tls10,
            "tls1_1" => TlsVersion::Tls11,
            "tls1_2" => TlsVersion::Tls12,
            "tls1_3" => TlsVersion::Tls13,
            _ => continue,
        };
        let Ok(suite) = u16::from_str_radix(hexid, 16) else { continue };
        obs.versions.entry(version).or_insert(suite);
        obs.suites.push((version, suite));
    }
    for (id, version) in [
        ("SSLv3", TlsVersion::Ssl3),
        ("TLS1", TlsVersion::Tls10),
        ("TLS1_1", TlsVersion::Tls11),
        ("TLS1_2", TlsVersion::Tls12),
        ("TLS1_3", TlsVersion::Tls13),
    ] {
        if get(id).is_some_and(|f| f.starts_with("offered")) {
            obs.versions.entry(version).or_insert(0);
        }
    }
    for curve in get("PFS_ECDHE_curves").or(get("FS_ECDHE_curves")).unwrap_or("").split_whitespace() {
        if let Some(g) = group_id(curve) {
            push_unique(&mut obs.groups, g);
        }
    }
    for word in get("DH_groups").unwrap_or("").split([' ', '/', ',']) {
        let standard = ["ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192"]
            .into_iter()
            .find(|s| *s == word);
        if let Some(name) = standard {
            let bits = name[5..].parse().unwrap_or(0);
            push_unique(
                &mut obs.dh_groups,
                DhGroup {
                    bits,
                    standard: Some(name),
                },
            );
        }
    }
    if get("CRIME_TLS").is_some_and(|f| !f.starts_with("not vulnerable")) {
        obs.compression = Some(TlsVersion::Tls12);
    }
    if get("secure_renego").is_some_and(|f| !f.starts_with("supported")) && obs.versions.keys().any(|v| *v < TlsVersion::Tls13) {
        obs.insecure_renegotiation = Some(TlsVersion::Tls12);
    }
    Ok(ToolView {
        obs,
        leaf: get("cert").and_then(pem_to_der),
        trusted: get("cert_chain_of_trust").map(|f| f.starts_with("passed")),
        name_ok: get("cert_trust").map(|f| f.starts_with("Ok")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_numbers_become_strings_outside_strings_only() {
        let text = r#"{"n": 123456789012345678901234567890, "s": "1234567890123456789", "small": 42, "neg": -3}"#;
        let v: serde_json::Value = serde_json::from_str(&quote_big_numbers(text)).unwrap();
        assert_eq!(v["n"], "123456789012345678901234567890");
        assert_eq!(v["s"], "1234567890123456789");
        assert_eq!(v["small"], 42);
        assert_eq!(v["neg"], -3);
    }

    #[test]
    fn testssl_findings_become_an_observation() {
        let report = r#"[
            {"id": "TLS1", "finding": "offered (deprecated)"},
            {"id": "TLS1_2", "finding": "offered"},
            {"id": "TLS1_3", "finding": "not offered"},
            {"id": "cipher-tls1_xc013", "finding": "TLS 1   xc013 ECDHE-RSA-AES128-SHA"},
            {"id": "cipher-tls1_2_xc02f", "finding": "TLS 1.2 xc02f ECDHE-RSA-AES128-GCM-SHA256"},
            {"id": "PFS_ECDHE_curves", "finding": "prime256v1 X25519"},
            {"id": "DH_groups", "finding": "RFC7919/ffdhe2048"},
            {"id": "CRIME_TLS", "finding": "not vulnerable"},
            {"id": "secure_renego", "finding": "supported"},
            {"id": "cert_chain_of_trust", "finding": "passed."},
            {"id": "cert_trust", "finding": "certificate does not match supplied URI"}
        ]"#;
        let view = read_testssl(report).unwrap();
        assert_eq!(
            view.obs.versions.keys().copied().collect::<Vec<_>>(),
            vec![TlsVersion::Tls10, TlsVersion::Tls12]
        );
        assert_eq!(view.obs.groups, vec![23, 29]);
        assert_eq!(
            view.obs.dh_groups,
            vec![DhGroup {
                bits: 2048,
                standard: Some("ffdhe2048")
            }]
        );
        let v = verdicts(&view, Utc::now());
        assert_eq!(v[&Check::WebTlsVersion], Verdict::Fail);
        assert_eq!(v[&Check::WebTlsKeyExchange], Verdict::Fail);
        assert_eq!(v[&Check::WebCertTrust], Verdict::Pass);
        assert_eq!(v[&Check::WebCertName], Verdict::Fail);
        assert_eq!(v[&Check::WebCertExpiry], Verdict::Unknown);
    }
}
