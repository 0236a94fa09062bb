//! Each importer against a small report written for these tests: counts, fields, severities as the tool gave them.

use std::collections::HashSet;
use std::net::IpAddr;

use cyberveilig_findings::{CvssVersion, Format, Severity, Tool, detect};

use crate::{by_rule, data, ok};

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

#[test]
fn nessus() {
    let bytes = data("nessus/two_hosts.nessus");
    assert_eq!(detect(&bytes), Some(Format::Nessus));
    let (report, f) = ok(None, &bytes);
    assert_eq!(report.format, Format::Nessus);
    assert_eq!(report.findings, 7);
    assert_eq!(f.len(), 7);
    assert_eq!(report.tool_version.as_deref(), Some("10.6.1"));
    assert_eq!(report.scan_start.as_ref().and_then(|t| t.unix), Some(1699999000));
    assert_eq!(report.scan_end.as_ref().and_then(|t| t.unix), Some(1700009000));
    assert!(f.iter().all(|x| x.tool == Tool::Nessus));

    let sev: Vec<Severity> = f.iter().map(|x| x.severity).collect();
    use Severity::*;
    assert_eq!(sev, vec![Info, Medium, Critical, Low, Low, Low, High]);

    let rdp = by_rule(&f, "57690")[0];
    assert_eq!(rdp.title, "Terminal Services Encryption Level is Medium or Low");
    assert_eq!(rdp.port, Some(3389));
    assert_eq!(rdp.protocol.as_deref(), Some("tcp"));
    assert_eq!(rdp.service.as_deref(), Some("msrdp"));
    assert_eq!(rdp.host.as_ref().unwrap().ip, ip("192.0.2.10"));
    assert_eq!(rdp.host.as_ref().unwrap().name.as_deref(), Some("srv01.gemeente.example"));
    let cvss = rdp.cvss.as_ref().unwrap();
    assert_eq!(
        (cvss.version, cvss.score, cvss.computed),
        (Some(CvssVersion::V3_0), Some(6.5), true)
    );
    assert_eq!(rdp.cwe, vec![326]);
    assert!(rdp.references.contains(&"https://example.org/rdp-hardening".to_string()));
    assert!(
        rdp.description
            .as_deref()
            .unwrap()
            .starts_with("The remote host is using weak cryptography.\n\nThe remote Terminal")
    );
    assert_eq!(
        rdp.recommendation.as_deref(),
        Some("Change RDP encryption level to High or FIPS Compliant.")
    );
    assert_eq!(
        rdp.evidence.as_deref(),
        Some("The terminal services encryption level is set to : 2. Low")
    );

    let ms17 = by_rule(&f, "97833")[0];
    let cvss = ms17.cvss.as_ref().unwrap();
    assert_eq!(
        (cvss.version, cvss.score, cvss.computed),
        (Some(CvssVersion::V4_0), Some(9.3), true)
    );
    assert_eq!(ms17.cves, vec!["CVE-2017-0143".to_string(), "CVE-2017-0144".to_string()]);
    assert_eq!(ms17.cwe, vec![20]);

    // An invalid vector: the finding is kept, the vector marked invalid, the file's score kept as reported.
    let cert = by_rule(&f, "10863");
    assert_eq!(cert.len(), 3);
    let invalid = cert[0].cvss.as_ref().unwrap();
    assert!(invalid.is_invalid());
    assert!(!invalid.computed);
    assert_eq!(invalid.score, Some(9.9));
    assert_eq!(invalid.vector.as_deref(), Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X"));
    assert_eq!(report.invalid_cvss_vectors, 1);
    assert!(cert[1].cvss.is_none());

    // A score without a vector: as reported.
    let terrapin = by_rule(&f, "187315")[0];
    let cvss = terrapin.cvss.as_ref().unwrap();
    assert_eq!((cvss.score, cvss.computed, cvss.vector.as_deref()), (Some(5.9), false, None));
    assert_eq!(terrapin.host.as_ref().unwrap().name.as_deref(), Some("srv02.gemeente.example"));
    assert_eq!(terrapin.host.as_ref().unwrap().ip, None);

    // Port 0 is "general": no port.
    assert_eq!(by_rule(&f, "19506")[0].port, None);
    assert_eq!(by_rule(&f, "19506")[0].recommendation, None);

    assert_eq!(report.assets.len(), 2);
    let a = &report.assets[0];
    assert_eq!(a.host.ip, ip("192.0.2.10"));
    assert_eq!(a.host.name.as_deref(), Some("srv01.gemeente.example"));
    assert_eq!(a.other_names, vec!["srv01".to_string()]);
    assert_eq!(a.os.as_deref(), Some("Microsoft Windows Server 2019"));
    assert_eq!(a.mac.as_deref(), Some("00:50:56:aa:bb:cc"));
    assert_eq!(report.assets[1].host.name.as_deref(), Some("srv02.gemeente.example"));
    assert_eq!(report.assets[1].os.as_deref(), Some("Linux Kernel 5.15 on Ubuntu 22.04"));

    let fps: HashSet<_> = f.iter().map(|x| x.fingerprint).collect();
    assert_eq!(fps.len(), 7, "every finding of this report is distinct");
}

#[test]
fn openvas() {
    let bytes = data("openvas/two_results.xml");
    assert_eq!(detect(&bytes), Some(Format::OpenVas));
    let (report, f) = ok(None, &bytes);
    assert_eq!(f.len(), 2);
    assert_eq!(report.tool_version.as_deref(), Some("GMP 22.4"));
    assert_eq!(report.scan_start.as_ref().and_then(|t| t.unix), Some(1709283605));
    assert_eq!(report.scan_end.as_ref().map(|t| t.raw.as_str()), Some("2024-03-01T09:40:01Z"));

    let tls = &f[0];
    assert_eq!(tls.tool, Tool::OpenVas);
    assert_eq!(tls.rule_id, "1.3.6.1.4.1.25623.1.0.103440");
    assert_eq!(tls.title, "SSL/TLS: Report Weak Cipher Suites");
    assert_eq!(tls.severity, Severity::High);
    assert_eq!(tls.port, Some(443));
    assert_eq!(tls.protocol.as_deref(), Some("tcp"));
    assert_eq!(tls.host.as_ref().unwrap().ip, ip("198.51.100.7"));
    assert_eq!(tls.host.as_ref().unwrap().name.as_deref(), Some("www.gemeente.example"));
    let cvss = tls.cvss.as_ref().unwrap();
    assert_eq!(
        (cvss.version, cvss.score, cvss.computed),
        (Some(CvssVersion::V3_1), Some(7.5), true)
    );
    assert_eq!(tls.cves, vec!["CVE-2013-2566".to_string(), "CVE-2015-2808".to_string()]);
    assert_eq!(tls.cwe, vec![327]);
    assert!(tls.references.contains(&"https://www.bsi.bund.de/tls-guidelines".to_string()));
    assert!(tls.references.contains(&"cert-bund: CB-K17/1750".to_string()));
    assert_eq!(tls.recommendation.as_deref(), Some("Disable the weak cipher suites."));
    assert!(
        tls.description
            .as_deref()
            .unwrap()
            .starts_with("This routine reports all weak SSL/TLS cipher suites")
    );
    assert!(tls.description.as_deref().unwrap().contains("Insight: These rules"));
    assert!(tls.evidence.as_deref().unwrap().contains("TLS_RSA_WITH_RC4_128_SHA"));
    assert!(!tls.suppressed);

    let icmp = &f[1];
    assert!(icmp.suppressed, "threat False Positive");
    assert_eq!(icmp.severity, Severity::Low, "the original threat");
    assert_eq!(icmp.port, None);
    assert_eq!(icmp.protocol.as_deref(), Some("icmp"));
    let cvss = icmp.cvss.as_ref().unwrap();
    assert_eq!((cvss.version, cvss.score, cvss.computed), (Some(CvssVersion::V2), Some(2.1), true));
    assert_eq!(icmp.recommendation.as_deref(), Some("Disable ICMP timestamp responses."));

    assert_eq!(report.assets.len(), 1);
    assert_eq!(report.assets[0].host.name.as_deref(), Some("www.gemeente.example"));
    assert_eq!(report.assets[0].os.as_deref(), Some("Debian GNU/Linux 12"));
}

#[test]
fn nmap() {
    let bytes = data("nmap/exposed.xml");
    assert_eq!(detect(&bytes), Some(Format::Nmap));
    let (report, f) = ok(None, &bytes);
    assert_eq!(report.tool_version.as_deref(), Some("7.94"));
    assert_eq!(report.scan_start.as_ref().and_then(|t| t.unix), Some(1700000000));
    assert_eq!(report.scan_end.as_ref().and_then(|t| t.unix), Some(1700000200));
    let rules: Vec<(&str, Option<u16>, Severity)> = f.iter().map(|x| (x.rule_id.as_str(), x.port, x.severity)).collect();
    assert_eq!(
        rules,
        vec![
            ("exposed-service/telnet", Some(23), Severity::High),
            ("exposed-service/mysql", Some(3306), Severity::High),
            // 3389 answered as HTTP when probed: not RDP. RDP probed on 8081: RDP.
            ("exposed-service/rdp", Some(8081), Severity::High),
            ("exposed-service/redis", Some(6379), Severity::High),
            ("vulners/CVE-2023-41056", Some(6379), Severity::High),
        ]
    );
    let telnet = &f[0];
    assert_eq!(telnet.tool, Tool::Nmap);
    assert_eq!(telnet.host.as_ref().unwrap().ip, ip("192.0.2.5"));
    assert_eq!(telnet.host.as_ref().unwrap().name.as_deref(), Some("fs01.gemeente.example"));
    assert_eq!(telnet.protocol.as_deref(), Some("tcp"));
    assert!(telnet.evidence.as_deref().unwrap().starts_with("23/tcp open telnet"));
    assert!(f[2].evidence.as_deref().unwrap().contains("Microsoft Terminal Services"));
    let vuln = &f[4];
    assert_eq!(vuln.cves, vec!["CVE-2023-41056".to_string()]);
    let cvss = vuln.cvss.as_ref().unwrap();
    assert_eq!((cvss.score, cvss.computed, cvss.version), (Some(8.1), false, None));
    assert_eq!(vuln.host.as_ref().unwrap().ip, ip("2001:db8::7"));

    // The host that is down gives neither findings nor an asset.
    assert_eq!(report.assets.len(), 2);
    let a = &report.assets[0];
    assert_eq!(a.other_names, vec!["fs01.intern.gemeente.example".to_string()]);
    assert_eq!(a.os.as_deref(), Some("Linux 5.0 - 5.14"));
    assert_eq!(a.mac.as_deref(), Some("00:11:22:33:44:55"));
}

#[test]
fn sarif() {
    let bytes = data("sarif/codeql.sarif");
    assert_eq!(detect(&bytes), Some(Format::Sarif));
    let (report, f) = ok(None, &bytes);
    assert_eq!(f.len(), 3);
    assert_eq!(report.tool_version.as_deref(), Some("2.15.3"));
    assert_eq!(report.scan_start.as_ref().and_then(|t| t.unix), Some(1704873600));
    let sqli = &f[0];
    assert_eq!(sqli.tool, Tool::Sarif);
    assert_eq!(sqli.tool_name.as_deref(), Some("CodeQL"));
    assert_eq!(sqli.rule_id, "js/sql-injection");
    assert_eq!(sqli.title, "Database query built from user-controlled sources");
    assert_eq!(sqli.severity, Severity::High, "security-severity 8.8");
    assert_eq!(sqli.cwe, vec![89, 90]);
    assert_eq!(sqli.file.as_deref(), Some("src/db/users.js"), "resolved through artifacts[0]");
    assert_eq!(sqli.line, Some(42));
    assert_eq!(sqli.tool_key.as_deref(), Some("primaryLocationLineHash=5d7a1c4e9f0b2a31:1"));
    assert!(sqli.evidence.as_deref().unwrap().contains("req.query.id"));
    assert!(
        sqli.description
            .as_deref()
            .unwrap()
            .starts_with("This query depends on a user-provided value.")
    );
    assert_eq!(
        sqli.references,
        vec!["https://codeql.github.com/codeql-query-help/javascript/js-sql-injection/".to_string()]
    );
    assert_eq!(f[1].severity, Severity::Low, "the rule's default level note");
    assert_eq!(f[2].severity, Severity::Medium, "the result's own level warning");
    assert!(!f[1].suppressed);
    assert!(f[2].suppressed);
    assert_ne!(
        f[1].fingerprint, f[2].fingerprint,
        "same rule, same file, other line, no tool fingerprint"
    );
    assert!(report.assets.is_empty());
}

#[test]
fn zap_xml_and_json_give_the_same_findings() {
    let xml = data("zap/site.xml");
    let json = data("zap/site.json");
    assert_eq!(detect(&xml), Some(Format::ZapXml));
    assert_eq!(detect(&json), Some(Format::ZapJson));
    let (rx, fx) = ok(None, &xml);
    let (rj, fj) = ok(None, &json);
    assert_eq!((rx.format, rj.format), (Format::ZapXml, Format::ZapJson));
    assert_eq!(rx.tool_version.as_deref(), Some("2.14.0"));
    assert_eq!(fx.len(), 5);
    assert_eq!(fx, fj, "the XML and JSON exports of one scan import identically");

    let xss = by_rule(&fx, "40012");
    assert_eq!(xss.len(), 3);
    assert_eq!(xss[0].severity, Severity::High);
    assert_eq!(xss[0].title, "Cross Site Scripting (Reflected)");
    assert_eq!(
        xss[0].description.as_deref(),
        Some("Cross-site Scripting (XSS) is an attack technique.")
    );
    assert_eq!(xss[0].recommendation.as_deref(), Some("Validate all input and encode output."));
    assert_eq!(xss[0].cwe, vec![79]);
    assert_eq!(xss[0].references.len(), 2);
    assert_eq!(xss[0].url.as_deref(), Some("https://www.gemeente.example/zoeken?q=test&page=1"));
    assert_eq!(xss[0].parameter.as_deref(), Some("q"));
    assert_eq!(xss[0].port, Some(443));
    assert_eq!(xss[0].host.as_ref().unwrap().name.as_deref(), Some("www.gemeente.example"));
    assert!(xss[0].evidence.as_deref().unwrap().contains("<script>alert(1);</script>"));
    // Only the query values differ: one fingerprint. Another path and parameter: another.
    assert_eq!(xss[0].fingerprint, xss[1].fingerprint);
    assert_ne!(xss[0].fingerprint, xss[2].fingerprint);

    let csp = by_rule(&fx, "10038-1")[0];
    assert_eq!((csp.severity, csp.cwe.clone()), (Severity::Medium, vec![693]));
    let ts = by_rule(&fx, "10096")[0];
    assert_eq!(ts.severity, Severity::Info);
    assert!(ts.suppressed, "confidence 0 is ZAP's false positive");
    assert!(ts.cwe.is_empty(), "cweid -1 is no CWE");
    assert_eq!(rx.assets.len(), 1);
}

#[test]
fn nuclei_lines_and_array() {
    let lines = data("nuclei/results.jsonl");
    let array = data("nuclei/results_array.json");
    assert_eq!(detect(&lines), Some(Format::Nuclei));
    assert_eq!(detect(&array), Some(Format::Nuclei));
    let (report, f) = ok(None, &lines);
    let (_, fa) = ok(None, &array);
    assert_eq!(f.len(), 3, "the blank line is skipped");
    assert_eq!(f, fa, "JSON lines and the JSON array import identically");
    assert_eq!(
        report.scan_start.as_ref().map(|t| t.raw.as_str()),
        Some("2024-01-10T10:00:00.123+01:00")
    );
    assert_eq!(report.scan_end.as_ref().map(|t| t.raw.as_str()), Some("2024-01-10T10:00:02+01:00"));

    let cve = &f[0];
    assert_eq!(cve.tool, Tool::Nuclei);
    assert_eq!(cve.rule_id, "CVE-2021-41773");
    assert_eq!(cve.severity, Severity::Critical);
    assert_eq!(cve.cves, vec!["CVE-2021-41773".to_string()]);
    assert_eq!(cve.cwe, vec![22]);
    let cvss = cve.cvss.as_ref().unwrap();
    assert_eq!((cvss.score, cvss.computed), (Some(9.8), true));
    assert_eq!(cve.host.as_ref().unwrap().ip, ip("203.0.113.20"));
    assert_eq!(cve.host.as_ref().unwrap().name.as_deref(), Some("intranet.gemeente.example"));
    assert_eq!(cve.port, Some(443));
    assert_eq!(
        cve.url.as_deref(),
        Some("https://intranet.gemeente.example/cgi-bin/.%2e/.%2e/etc/passwd")
    );
    assert_eq!(cve.recommendation.as_deref(), Some("Upgrade to Apache 2.4.51 or later."));
    assert_eq!(cve.references.len(), 2);
    assert!(cve.evidence.as_deref().unwrap().contains("root:x:0:0"));

    let tech = &f[1];
    assert_eq!(
        tech.rule_id, "tech-detect:nginx",
        "old field names; the matcher is part of the rule"
    );
    assert_eq!(tech.severity, Severity::Info);
    let ssh = &f[2];
    assert_eq!(ssh.severity, Severity::Info, "severity unknown");
    assert_eq!(ssh.port, Some(22));
    assert_eq!(ssh.url, None);
    assert_eq!(
        ssh.references,
        vec![
            "https://www.openssh.com/".to_string(),
            "https://en.wikipedia.org/wiki/OpenSSH".to_string()
        ]
    );
    assert_eq!(report.assets.len(), 1);
}

#[test]
fn burp() {
    let bytes = data("burp/issues.xml");
    assert_eq!(detect(&bytes), Some(Format::Burp));
    let (report, f) = ok(None, &bytes);
    assert_eq!(report.tool_version.as_deref(), Some("2023.10.3"));
    assert_eq!(f.len(), 2);
    let sqli = &f[0];
    assert_eq!(sqli.tool, Tool::Burp);
    assert_eq!(sqli.rule_id, "1049088");
    assert_eq!(sqli.title, "SQL injection");
    assert_eq!(sqli.severity, Severity::High);
    assert_eq!(sqli.url.as_deref(), Some("https://loket.gemeente.example/aanvraag/status"));
    assert_eq!(sqli.parameter.as_deref(), Some("dossier parameter"));
    assert_eq!(sqli.host.as_ref().unwrap().ip, ip("203.0.113.30"));
    assert_eq!(sqli.host.as_ref().unwrap().name.as_deref(), Some("loket.gemeente.example"));
    assert_eq!(sqli.port, Some(443));
    assert_eq!(sqli.cwe, vec![89]);
    assert_eq!(
        sqli.references,
        vec!["https://portswigger.net/web-security/sql-injection".to_string()]
    );
    assert_eq!(sqli.recommendation.as_deref(), Some("Use parameterized queries."));
    assert!(
        sqli.evidence
            .as_deref()
            .unwrap()
            .contains("The dossier parameter appears to be vulnerable")
    );
    assert!(!sqli.evidence.as_deref().unwrap().contains("R0VU"), "request bodies are not kept");
    assert_eq!(f[1].severity, Severity::Info);
    assert_eq!(f[1].cwe, vec![693, 1021]);
}

#[test]
fn generic_csv_and_json() {
    let csv = data("generic/findings.csv");
    let json = data("generic/findings.json");
    assert_eq!(detect(&csv), Some(Format::GenericCsv));
    assert_eq!(detect(&json), Some(Format::GenericJson));
    let (rc, fc) = ok(None, &csv);
    let (rj, fj) = ok(None, &json);
    assert_eq!(fc.len(), 3);
    assert_eq!(fj.len(), 2);
    assert_eq!(rj.tool_version.as_deref(), Some("audit-2024"));
    assert_eq!(rj.scan_end.as_ref().and_then(|t| t.unix), Some(1704729600));

    let p = &fc[0];
    assert_eq!(p.tool, Tool::Generic);
    assert_eq!(p.tool_name.as_deref(), Some("manual"));
    assert_eq!(p.rule_id, "PRN-001");
    assert_eq!(p.severity, Severity::High);
    assert_eq!(p.host.as_ref().unwrap().ip, ip("192.0.2.40"));
    assert_eq!(p.port, Some(443));
    assert_eq!(p.cwe, vec![1392]);
    let cvss = p.cvss.as_ref().unwrap();
    assert_eq!((cvss.score, cvss.computed), (Some(8.8), true));
    assert_eq!(p.references, vec!["https://example.org/printer-hardening".to_string()]);

    let fw = &fc[1];
    assert_eq!(fw.cves, vec!["CVE-2022-1234".to_string(), "CVE-2022-5678".to_string()]);
    let cvss = fw.cvss.as_ref().unwrap();
    assert_eq!((cvss.score, cvss.computed, cvss.vector.as_deref()), (Some(5.4), false, None));

    let pw = &fc[2];
    assert_eq!(pw.rule_id, "");
    assert_eq!(pw.cwe, vec![521]);
    assert!(pw.cvss.as_ref().unwrap().is_invalid());
    assert_eq!(pw.cvss.as_ref().unwrap().score, Some(4.2));
    assert_eq!(rc.invalid_cvss_vectors, 1);

    // The same findings in CSV and in JSON (aliases, other case) have the same fingerprints.
    assert_eq!(fc[0].fingerprint, fj[0].fingerprint);
    assert_eq!(fc[1].fingerprint, fj[1].fingerprint);
    assert_eq!(fj[1].severity, Severity::Medium);
    assert_eq!(fj[1].rule_id, "PRN-002");
    assert_eq!(fj[1].recommendation.as_deref(), Some("Update the firmware."));
}

#[test]
fn detect_looks_at_content_not_names() {
    for (path, format) in [
        ("nessus/two_hosts.nessus", Format::Nessus),
        ("openvas/two_results.xml", Format::OpenVas),
        ("nmap/exposed.xml", Format::Nmap),
        ("zap/site.xml", Format::ZapXml),
        ("burp/issues.xml", Format::Burp),
    ] {
        // All XML files: told apart by their root element, from the first bytes only.
        let bytes = data(path);
        assert_eq!(detect(&bytes[..bytes.len().min(600)]), Some(format), "{path}");
    }
}

#[test]
fn zap_json_with_one_site_object_and_numbers() {
    // Older ZAP versions write `site` as one object; some writers give numbers instead of strings.
    let json = br#"{"@version":"2.7.0","@generated":"Thu, 1 Feb 2018 10:00:00","site":{"@name":"http://intra.example:8080","@host":"intra.example","@port":8080,"@ssl":false,
      "alerts":[{"pluginid":10020,"alert":"X-Frame-Options Header Not Set","riskcode":2,"confidence":2,"cweid":16,
                 "instances":[{"uri":"http://intra.example:8080/","method":"GET","param":"X-Frame-Options"}]},
                {"pluginid":"10021","alert":"X-Content-Type-Options Header Missing","riskcode":"1","confidence":"2","uri":"http://intra.example:8080/app.js","param":"X-Content-Type-Options"}]}}"#;
    let (r, f) = ok(Some(Format::ZapJson), json);
    assert_eq!(r.tool_version.as_deref(), Some("2.7.0"));
    assert_eq!(f.len(), 2);
    assert_eq!(
        (f[0].rule_id.as_str(), f[0].severity, f[0].port, f[0].cwe.clone()),
        ("10020", Severity::Medium, Some(8080), vec![16])
    );
    assert_eq!(
        f[1].url.as_deref(),
        Some("http://intra.example:8080/app.js"),
        "an alert without instances"
    );
    assert_eq!(f[1].severity, Severity::Low);
}

#[test]
fn sarif_results_before_their_tool_and_artifacts_wait_and_import_the_same() {
    // The same log with `results` first, then `artifacts`, `invocations`, `tool`, and `version` at the end.
    let reordered = data("sarif/codeql_results_first.sarif");
    assert_eq!(detect(&reordered), Some(Format::Sarif));
    let (_, a) = ok(None, &data("sarif/codeql.sarif"));
    let (r, b) = ok(None, &reordered);
    assert_eq!(a, b);
    assert_eq!(b[0].file.as_deref(), Some("src/db/users.js"));
    assert_eq!(r.tool_version.as_deref(), Some("2.15.3"));
}
