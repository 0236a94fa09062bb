//! Fingerprints and deduplication: re-imports, rescans, different hosts and ports, volatile text.

use std::collections::HashSet;

use cyberveilig_findings::{Deduper, Fingerprint, dedup};

use crate::{data, ok, sample, samples};

fn fingerprints(f: &[cyberveilig_findings::Finding]) -> Vec<Fingerprint> {
    f.iter().map(|x| x.fingerprint).collect()
}

#[test]
fn a_nessus_file_imported_twice_gives_identical_fingerprints() {
    let bytes = data("nessus/two_hosts.nessus");
    let (_, a) = ok(None, &bytes);
    let (_, b) = ok(None, &bytes);
    assert_eq!(fingerprints(&a), fingerprints(&b));
    assert!(a.iter().all(|f| f.fingerprint != Fingerprint::ZERO));
}

#[test]
fn the_same_plugin_on_two_hosts_or_two_ports_stays_apart() {
    let (_, f) = ok(None, &data("nessus/two_hosts.nessus"));
    let cert: Vec<_> = f.iter().filter(|x| x.rule_id == "10863").collect();
    assert_eq!(cert.len(), 3);
    // srv01:443, srv01:8443, srv02:443
    let set: HashSet<_> = cert.iter().map(|x| x.fingerprint).collect();
    assert_eq!(set.len(), 3);
    assert_eq!(dedup(f).len(), 7);
}

#[test]
fn a_change_only_in_plugin_output_changes_no_fingerprint() {
    let original = String::from_utf8(data("nessus/two_hosts.nessus")).unwrap();
    // A rescan: other plugin output everywhere, other timestamps, other scanner version.
    let rescan = original
        .replace("Scan Start Date : 2023/11/14 22:13 CET", "Scan Start Date : 2024/02/01 08:00 CET")
        .replace(
            "The terminal services encryption level is set to : 2. Low",
            "The terminal services encryption level is set to : 1. Low",
        )
        .replace("Not After: Dec 31 23:59:59 2024 GMT", "Not After: Dec 31 23:59:59 2025 GMT")
        .replace("1700000000", "1706770000")
        .replace("Nessus version : 10.6.1", "Nessus version : 10.7.0");
    assert_ne!(original, rescan);
    let (_, a) = ok(None, original.as_bytes());
    let (rb, b) = ok(None, rescan.as_bytes());
    assert_eq!(rb.tool_version.as_deref(), Some("10.7.0"));
    assert_ne!(
        a.iter().map(|x| x.evidence.clone()).collect::<Vec<_>>(),
        b.iter().map(|x| x.evidence.clone()).collect::<Vec<_>>()
    );
    assert_eq!(fingerprints(&a), fingerprints(&b));
}

#[test]
fn a_different_port_host_or_plugin_changes_the_fingerprint() {
    let original = String::from_utf8(data("nessus/two_hosts.nessus")).unwrap();
    let (_, a) = ok(None, original.as_bytes());
    let moved = original.replace("port=\"3389\" svc_name=\"msrdp\"", "port=\"3390\" svc_name=\"msrdp\"");
    let (_, b) = ok(None, moved.as_bytes());
    let changed: Vec<_> = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x.fingerprint != y.fingerprint)
        .map(|(x, _)| x.rule_id.as_str())
        .collect();
    assert_eq!(changed, vec!["57690"]);
    let rehosted = original.replace("<tag name=\"host-ip\">192.0.2.10</tag>", "<tag name=\"host-ip\">192.0.2.11</tag>");
    let (_, c) = ok(None, rehosted.as_bytes());
    let changed = a.iter().zip(&c).filter(|(x, y)| x.fingerprint != y.fingerprint).count();
    assert_eq!(changed, 5, "the five findings of the first host");
}

#[test]
fn zap_scan_pair_reconciles_by_fingerprint() {
    let Some(dir) = samples() else { return };
    let (_, first) = ok(None, &sample(&dir, "zap/zap-results-first-scan.xml"));
    let (_, second) = ok(None, &sample(&dir, "zap/zap-results-second-scan.xml"));
    let a: HashSet<_> = first.iter().map(|x| x.fingerprint).collect();
    let b: HashSet<_> = second.iter().map(|x| x.fingerprint).collect();
    // Computed independently with Python (urllib.parse): (alertRef, scheme, host, port, path, query names, param).
    assert_eq!(a.len(), 87);
    assert_eq!(b.len(), 77);
    assert_eq!(a.intersection(&b).count(), 65, "still open");
    assert_eq!(a.difference(&b).count(), 22, "fixed (absent from the rescan)");
    assert_eq!(b.difference(&a).count(), 12, "new");
    // Within one report, duplicates merge.
    let merged = dedup(first);
    assert_eq!(merged.len(), 87);
    assert_eq!(merged.iter().map(|m| m.occurrences).sum::<u64>(), 130);
    // Importing the same file again reconciles to nothing new.
    let (_, again) = ok(None, &sample(&dir, "zap/zap-results-first-scan.xml"));
    let c: HashSet<_> = again.iter().map(|x| x.fingerprint).collect();
    assert_eq!(a, c);
}

#[test]
fn zap_internal_duplicates_merge() {
    let Some(dir) = samples() else { return };
    let (_, f) = ok(None, &sample(&dir, "zap/dvwa_baseline_dojo_fabricated_internal_duplicates.xml"));
    assert_eq!(f.len(), 123);
    let merged = dedup(f);
    assert_eq!(merged.len(), 71);
    let (_, f) = ok(None, &sample(&dir, "zap/dvwa_baseline_dojo.xml"));
    assert_eq!(dedup(f).len(), 94);
}

#[test]
fn nessus_sample_with_an_internal_duplicate() {
    let Some(dir) = samples() else { return };
    let bytes = sample(&dir, "tenable/nessus/nessus_with_cvssv3.nessus");
    let (_, a) = ok(None, &bytes);
    let (_, b) = ok(None, &bytes);
    assert_eq!(fingerprints(&a), fingerprints(&b));
    // 49 items, 48 distinct (host, plugin, port, protocol): one plugin reported twice.
    let mut d = Deduper::new();
    let new: usize = a.into_iter().map(|f| d.push(f) as usize).sum();
    assert_eq!(new, 48);
    let merged = d.finish();
    let twice: Vec<_> = merged.iter().filter(|m| m.occurrences == 2).collect();
    assert_eq!(twice.len(), 1);
    assert_ne!(twice[0].first_evidence, None);
}
