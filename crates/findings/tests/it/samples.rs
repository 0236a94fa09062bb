//! The importers against the real samples in `../shared/fixtures/scans` (DefectDojo's test files), skipped with a
//! message when that folder is absent. Expected counts were taken from the files with other tools (xmllint, Python's
//! ElementTree and json), not from this crate.

use std::collections::HashMap;

use cyberveilig_findings::{CvssVersion, Format, ImportError, Severity, detect};

use crate::{by_rule, import, ok, sample, samples};

fn severities(f: &[cyberveilig_findings::Finding]) -> HashMap<Severity, usize> {
    let mut m = HashMap::new();
    for x in f {
        *m.entry(x.severity).or_insert(0) += 1;
    }
    m
}

#[test]
fn nessus_samples() {
    let Some(dir) = samples() else { return };
    let (r, f) = ok(None, &sample(&dir, "tenable/nessus/nessus_v_unknown.xml"));
    assert_eq!(r.format, Format::Nessus);
    assert_eq!(f.len(), 296);
    assert_eq!(r.assets.len(), 7);
    let s = severities(&f);
    assert_eq!((s[&Severity::Info], s[&Severity::Low], s[&Severity::Medium]), (266, 7, 23));

    let (r, f) = ok(None, &sample(&dir, "tenable/nessus/nessus_many_vuln.xml"));
    assert_eq!((f.len(), r.assets.len()), (7, 1));
    assert!(f.iter().all(|x| x.severity == Severity::Info));

    let (r, f) = ok(None, &sample(&dir, "tenable/nessus/nessus_with_cvssv3.nessus"));
    assert_eq!(f.len(), 49);
    assert_eq!(r.tool_version.as_deref(), Some("10.1.1"));
    let s = severities(&f);
    assert_eq!(
        (
            s[&Severity::Info],
            s[&Severity::Low],
            s[&Severity::Medium],
            s[&Severity::High],
            s[&Severity::Critical]
        ),
        (23, 1, 13, 10, 2)
    );
    let browsable = by_rule(&f, "40984")[0];
    assert_eq!(browsable.port, Some(80));
    let cvss = browsable.cvss.as_ref().unwrap();
    assert_eq!(
        (cvss.version, cvss.score, cvss.computed),
        (Some(CvssVersion::V3_0), Some(5.3), true)
    );
    assert_eq!(browsable.host.as_ref().unwrap().name.as_deref(), Some("testphp.vulnweb.com"));
    assert_eq!(r.invalid_cvss_vectors, 0);
}

#[test]
fn openvas_samples() {
    let Some(dir) = samples() else { return };
    let (r, f) = ok(None, &sample(&dir, "openvas/many_vuln.xml"));
    assert_eq!(r.format, Format::OpenVas);
    assert_eq!(f.len(), 44);
    let s = severities(&f);
    // 19 threat High, 23 Medium, 2 without a threat whose severity score is 4.0 (medium).
    assert_eq!((s[&Severity::High], s[&Severity::Medium]), (19, 25));
    let (_, f) = ok(None, &sample(&dir, "openvas/one_vuln.xml"));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule_id, "1.3.6.1.4.1.25623.1.0.832260");
    assert_eq!(f[0].cves.len(), 12);
    assert_eq!(f[0].severity, Severity::High);
    let (_, f) = ok(None, &sample(&dir, "openvas/no_vuln.xml"));
    assert!(f.is_empty());
    let (r, f) = ok(None, &sample(&dir, "openvas/report_detail_v2.xml"));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].host.as_ref().unwrap().name.as_deref(), Some("server99"));
    assert_eq!(f[0].port, Some(42));
    let cvss = f[0].cvss.as_ref().unwrap();
    assert_eq!(
        (cvss.version, cvss.score, cvss.computed),
        (Some(CvssVersion::V3_1), Some(9.8), true)
    );
    assert_eq!(r.tool_version.as_deref(), Some("GMP 22.6"));
}

#[test]
fn nmap_samples() {
    let Some(dir) = samples() else { return };
    let (r, f) = ok(None, &sample(&dir, "nmap/nmap_multiple_port.xml"));
    assert_eq!(r.format, Format::Nmap);
    let rules: Vec<(&str, Option<u16>, Severity)> = f.iter().map(|x| (x.rule_id.as_str(), x.port, x.severity)).collect();
    assert_eq!(
        rules,
        vec![
            ("exposed-service/ftp", Some(21), Severity::Medium),
            ("exposed-service/mysql", Some(3306), Severity::High)
        ]
    );
    assert_eq!(r.assets[0].host.name.as_deref(), Some("joaquinlp.me"));
    assert_eq!(ok(None, &sample(&dir, "nmap/nmap_1port.xml")).1.len(), 1);
    assert_eq!(ok(None, &sample(&dir, "nmap/nmap_0port.xml")).1.len(), 0);
    let (_, f) = ok(None, &sample(&dir, "nmap/nmap_script_vulners.xml"));
    let ids: Vec<&str> = f.iter().map(|x| x.rule_id.as_str()).collect();
    assert_eq!(ids, vec!["vulners/CVE-2018-15919", "vulners/CVE-2017-15906"]);
    assert!(f.iter().all(|x| x.severity == Severity::Medium && x.port == Some(5022)));
    let (_, f) = ok(None, &sample(&dir, "nmap/issue4406.xml"));
    assert_eq!(f.len(), 15);
}

#[test]
fn sarif_samples() {
    let Some(dir) = samples() else { return };
    for (file, count) in [
        ("sarif/appendix_k.sarif", 1),
        ("sarif/appendix_k1.sarif", 0),
        ("sarif/no_runs.sarif", 0),
        ("sarif/bash-report.sarif", 27),
        ("sarif/dependency_check.sarif", 13),
        ("sarif/suppression_test.sarif", 5),
    ] {
        let bytes = sample(&dir, file);
        assert_eq!(detect(&bytes), Some(Format::Sarif), "{file}");
        let (_, f) = ok(None, &bytes);
        assert_eq!(f.len(), count, "{file}");
    }
    let (_, f) = ok(None, &sample(&dir, "sarif/suppression_test.sarif"));
    let suppressed: Vec<&str> = f.iter().filter(|x| x.suppressed).map(|x| x.rule_id.as_str()).collect();
    assert_eq!(suppressed, vec!["TST0001", "TST0002", "TST0003"]);
    let (_, f) = ok(None, &sample(&dir, "sarif/bash-report.sarif"));
    assert!(
        f.iter()
            .all(|x| x.tool_name.as_deref() == Some("Shell Script Analysis") && x.severity == Severity::Low)
    );
    assert!(
        f.iter()
            .all(|x| x.tool_key.as_deref().is_some_and(|k| k.contains("scanPrimaryLocationHash=")))
    );
}

#[test]
fn zap_samples() {
    let Some(dir) = samples() else { return };
    for (file, instances, info, low, medium, high) in [
        ("zap/zap-results-first-scan.xml", 130, 47, 48, 30, 5),
        ("zap/zap-results-second-scan.xml", 126, 44, 52, 25, 5),
        ("zap/dvwa_baseline_dojo.xml", 124, 42, 47, 35, 0),
        ("zap/0_zap_sample.xml", 12, 0, 11, 1, 0),
    ] {
        let (r, f) = ok(None, &sample(&dir, file));
        assert_eq!(r.format, Format::ZapXml);
        assert_eq!(f.len(), instances, "{file}");
        let s = severities(&f);
        let get = |k| s.get(&k).copied().unwrap_or(0);
        assert_eq!(
            (get(Severity::Info), get(Severity::Low), get(Severity::Medium), get(Severity::High)),
            (info, low, medium, high),
            "{file}"
        );
    }
    assert_eq!(ok(None, &sample(&dir, "zap/empty_2.9.0.xml")).1.len(), 0);
}

#[test]
fn nuclei_samples() {
    let Some(dir) = samples() else { return };
    let (_, f) = ok(None, &sample(&dir, "nuclei/many_findings.json"));
    assert_eq!(f.len(), 18);
    assert_eq!(f[0].rule_id, "openssh5.3-detect");
    assert_eq!((f[0].port, f[0].severity), (Some(22), Severity::Low));
    assert_eq!(ok(None, &sample(&dir, "nuclei/many_findings_new.json")).1.len(), 2);
    let (_, f) = ok(None, &sample(&dir, "nuclei/multiple_v3.json"));
    assert_eq!(f.len(), 6);
    assert_eq!(f[1].cwe, vec![200]);
    let (_, f) = ok(None, &sample(&dir, "nuclei/invalid_cwe.json"));
    assert_eq!(f.len(), 1);
    assert!(f[0].cwe.is_empty(), "nvd-cve-other is no CWE number");
    // An empty file cannot be detected, but imports as nothing when its format is known.
    let empty = sample(&dir, "nuclei/empty.jsonl");
    assert!(matches!(import(None, &empty), Err(ImportError::UnknownFormat)));
    assert_eq!(ok(Some(Format::Nuclei), &empty).1.len(), 0);
}

#[test]
fn burp_samples() {
    let Some(dir) = samples() else { return };
    let (_, f) = ok(None, &sample(&dir, "burp/one_finding_with_cwe.xml"));
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].severity, f[0].cwe.clone()), (Severity::Info, vec![524, 525]));
    assert_eq!(f[0].host.as_ref().unwrap().ip, "54.12.18.21".parse().ok());
    let (_, f) = ok(None, &sample(&dir, "burp/seven_findings.xml"));
    assert_eq!(f.len(), 16);
    let s = severities(&f);
    assert_eq!((s[&Severity::Info], s[&Severity::Low], s[&Severity::High]), (9, 2, 5));
    let (_, f) = ok(None, &sample(&dir, "burp/one_finding.xml"));
    assert_eq!(f.len(), 3);
    assert!(f.iter().all(|x| x.severity == Severity::High));
}

#[test]
fn generic_samples() {
    let Some(dir) = samples() else { return };
    let (_, f) = ok(None, &sample(&dir, "generic/generic_report1.csv"));
    assert_eq!(f.len(), 5);
    assert!(f.iter().all(|x| x.severity == Severity::Low));
    assert_eq!(f.iter().map(|x| x.cwe[0]).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    let (_, f) = ok(None, &sample(&dir, "generic/generic_report1.json"));
    assert_eq!(f.len(), 2);
    assert_eq!(
        f[0].cvss.as_ref().unwrap().score,
        Some(4.8),
        "CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N by hand"
    );
    assert_eq!(f[0].rule_id, "TEST1");
    assert_eq!(f[0].tool_key.as_deref(), Some("3287f2d0-554f-491b-8516-3c349ead8ee5"));
    // Its CVSS 4.0 vector is invalid (3.1 metrics under a 4.0 prefix); the valid 3.1 vector is used.
    let (r, f) = ok(None, &sample(&dir, "generic/generic_report_kev_cvssv4.json"));
    assert_eq!(f[0].cvss.as_ref().unwrap().version, Some(CvssVersion::V3_1));
    assert_eq!(r.invalid_cvss_vectors, 0);
    let err = import(None, &sample(&dir, "generic/generic_invalid.json")).unwrap_err();
    assert_eq!(err.code(), "invalid_field");
    assert!(err.message_en().contains("invalid_field"), "{}", err.message_en());
}
