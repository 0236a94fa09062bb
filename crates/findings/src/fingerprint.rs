//! Dedup fingerprints: SHA-256 over the stable fields of a finding, and the merge of duplicates within one report.
//!
//! The recipe (version 1) hashes, in this order, each as `name=<byte length>:<value>\n`, or `name=-\n` when absent:
//!
//! | field | value |
//! |---|---|
//! | `family` | the tool family (`nessus`, `openvas`, `nmap`, `sarif`, `zap`, `nuclei`, `burp`, `generic`), followed by `/` and the lower-cased tool name for SARIF and the generic format when they name one |
//! | `rule` | the rule id; for the generic format without a rule id, the lower-cased title with runs of whitespace made one space |
//! | `cwe` | only when `rule` came from the title: the CWE numbers, sorted, comma-separated |
//! | `host` | the canonical IP address when known, else the lower-cased host name without trailing dot |
//! | `port` | decimal |
//! | `protocol` | lower-case |
//! | `url` | [`crate::normalise_url`] of the URL: scheme and host lower-cased, default port dropped, query values dropped (parameter names kept, sorted), no fragment |
//! | `parameter` | as given |
//! | `file` | the artifact URI (SARIF) |
//! | `line` | only when there is no `key` |
//! | `key` | the tool's own stable identity (SARIF fingerprints, generic `unique_id`) |
//!
//! The input starts with the line `cyberveilig-finding-fingerprint-v1\n`. Never hashed: titles (except as above),
//! descriptions, evidence or plugin output, severity, CVSS, timestamps, scan or result ids.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;

use sha2::{Digest, Sha256};

use crate::model::{Finding, Host, Tool};
use crate::text::normalise_url;

/// A SHA-256 fingerprint.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The all-zero value of a finding whose fingerprint was not computed yet.
    pub const ZERO: Fingerprint = Fingerprint([0; 32]);

    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters.
    pub fn from_hex(s: &str) -> Option<Fingerprint> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(Fingerprint(out))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.to_hex())
    }
}

struct Hasher(Sha256);

/// Writes `n` in decimal into `buf`, returning the digits (no allocation: this runs for every field of every finding).
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

impl Hasher {
    fn field(&mut self, name: &str, value: Option<&[u8]>) {
        self.0.update(name.as_bytes());
        match value {
            Some(v) => {
                let mut buf = [0u8; 20];
                self.0.update(b"=");
                self.0.update(decimal(v.len() as u64, &mut buf));
                self.0.update(b":");
                self.0.update(v);
            }
            None => self.0.update(b"=-"),
        }
        self.0.update(b"\n");
    }

    fn text(&mut self, name: &str, value: Option<&str>) {
        self.field(name, value.map(str::as_bytes));
    }

    fn number(&mut self, name: &str, value: Option<u64>) {
        let mut buf = [0u8; 20];
        match value {
            Some(n) => {
                let digits = decimal(n, &mut buf);
                self.field(name, Some(digits));
            }
            None => self.field(name, None),
        }
    }
}

/// Computes the fingerprint of a finding from its stable fields (see the module documentation).
pub fn compute(f: &Finding) -> Fingerprint {
    let mut h = Hasher(Sha256::new());
    h.0.update(b"cyberveilig-finding-fingerprint-v1\n");
    match (&f.tool, &f.tool_name) {
        (Tool::Sarif | Tool::Generic, Some(name)) if !name.trim().is_empty() => {
            let family = format!("{}/{}", f.tool.name(), name.trim().to_lowercase());
            h.text("family", Some(&family));
        }
        _ => h.text("family", Some(f.tool.name())),
    }
    let rule_from_title = f.rule_id.trim().is_empty();
    if rule_from_title {
        let title = f.title.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        h.text("rule", Some(&title));
        let mut cwe = f.cwe.clone();
        cwe.sort_unstable();
        cwe.dedup();
        let cwe = cwe.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(",");
        h.text("cwe", Some(&cwe));
    } else {
        h.text("rule", Some(f.rule_id.trim()));
        h.text("cwe", None);
    }
    match f.host.as_ref() {
        Some(Host { ip: Some(ip), .. }) => {
            // Canonical text of the address, without allocating.
            let mut buf = [0u8; 64];
            let mut cursor = std::io::Cursor::new(&mut buf[..]);
            let _ = write!(cursor, "{ip}");
            let len = cursor.position() as usize;
            h.field("host", Some(&buf[..len]));
        }
        Some(Host {
            ip: None,
            name: Some(name),
        }) => h.text("host", Some(name)),
        _ => h.text("host", None),
    }
    h.number("port", f.port.map(u64::from));
    match f.protocol.as_deref().map(str::trim) {
        Some(p) if p.bytes().any(|b| b.is_ascii_uppercase()) => h.text("protocol", Some(&p.to_ascii_lowercase())),
        p => h.text("protocol", p),
    }
    let url = f.url.as_deref().map(normalise_url);
    h.text("url", url.as_deref());
    h.text("parameter", f.parameter.as_deref());
    h.text("file", f.file.as_deref());
    h.number("line", if f.tool_key.is_none() { f.line.map(u64::from) } else { None });
    h.text("key", f.tool_key.as_deref());
    Fingerprint(h.0.finalize().into())
}

/// A finding merged with its duplicates from the same report.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    /// The first occurrence, with the CVEs, CWEs and references of all occurrences added and the highest severity.
    pub finding: Finding,
    /// Evidence of the first occurrence (also in `finding.evidence`).
    pub first_evidence: Option<String>,
    /// Evidence of the last occurrence.
    pub last_evidence: Option<String>,
    /// How many times the fingerprint occurred.
    pub occurrences: u64,
}

/// Merges duplicates (same fingerprint) within one report, keeping the first and the last evidence.
///
/// Memory grows with the number of distinct findings; for very large reports, store findings by fingerprint (an
/// upsert on a unique key) instead of merging in memory.
#[derive(Default)]
pub struct Deduper {
    index: HashMap<Fingerprint, usize>,
    merged: Vec<Merged>,
}

impl Deduper {
    pub fn new() -> Deduper {
        Deduper::default()
    }

    /// Adds a finding; returns true when it was new, false when it merged into an earlier one.
    pub fn push(&mut self, f: Finding) -> bool {
        match self.index.get(&f.fingerprint) {
            Some(&i) => {
                let m = &mut self.merged[i];
                m.occurrences += 1;
                m.last_evidence = f.evidence;
                m.finding.severity = m.finding.severity.max(f.severity);
                for c in f.cves {
                    if !m.finding.cves.contains(&c) {
                        m.finding.cves.push(c);
                    }
                }
                for c in f.cwe {
                    if !m.finding.cwe.contains(&c) {
                        m.finding.cwe.push(c);
                    }
                }
                for r in f.references {
                    if !m.finding.references.contains(&r) {
                        m.finding.references.push(r);
                    }
                }
                false
            }
            None => {
                self.index.insert(f.fingerprint, self.merged.len());
                self.merged.push(Merged {
                    first_evidence: f.evidence.clone(),
                    last_evidence: f.evidence.clone(),
                    finding: f,
                    occurrences: 1,
                });
                true
            }
        }
    }

    /// Number of distinct findings so far.
    pub fn len(&self) -> usize {
        self.merged.len()
    }

    pub fn is_empty(&self) -> bool {
        self.merged.is_empty()
    }

    /// The merged findings, in the order first seen.
    pub fn finish(self) -> Vec<Merged> {
        self.merged
    }
}

/// Merges duplicates of a list of findings; see [`Deduper`].
pub fn dedup(findings: impl IntoIterator<Item = Finding>) -> Vec<Merged> {
    let mut d = Deduper::new();
    for f in findings {
        d.push(f);
    }
    d.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Host, Severity};
    use crate::text::host_from;

    fn base() -> Finding {
        let mut f = Finding::new(Tool::Nessus, "19506", "Nessus Scan Information", Severity::Info);
        f.host = host_from("10.0.0.1");
        f.port = Some(445);
        f.protocol = Some("tcp".into());
        f
    }

    #[test]
    fn volatile_fields_do_not_change_the_fingerprint() {
        let a = compute(&base());
        let mut b = base();
        b.evidence = Some("Scan Start Date : 2022/3/23 14:32 CET".into());
        b.title = "renamed".into();
        b.description = Some("other".into());
        b.severity = Severity::High;
        assert_eq!(a, compute(&b));
    }

    #[test]
    fn host_port_protocol_and_rule_change_it() {
        let a = compute(&base());
        let mut other = base();
        other.host = host_from("10.0.0.2");
        assert_ne!(a, compute(&other));
        let mut other = base();
        other.port = Some(139);
        assert_ne!(a, compute(&other));
        let mut other = base();
        other.protocol = Some("udp".into());
        assert_ne!(a, compute(&other));
        let mut other = base();
        other.rule_id = "19507".into();
        assert_ne!(a, compute(&other));
        let mut other = base();
        other.tool = Tool::OpenVas;
        assert_ne!(a, compute(&other));
    }

    #[test]
    fn host_key_prefers_the_address_and_ignores_case() {
        let mut a = base();
        a.host = Some(Host {
            name: Some("srv.gent.be".into()),
            ip: "10.0.0.1".parse().ok(),
        });
        assert_eq!(compute(&a), compute(&base()));
        let mut n1 = base();
        n1.host = host_from("SRV.Gent.be.");
        let mut n2 = base();
        n2.host = host_from("srv.gent.be");
        assert_eq!(compute(&n1), compute(&n2));
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let mut a = base();
        a.rule_id = "1".into();
        a.parameter = Some("23".into());
        let mut b = base();
        b.rule_id = "12".into();
        b.parameter = Some("3".into());
        assert_ne!(compute(&a), compute(&b));
    }

    #[test]
    fn the_documented_recipe_gives_these_hashes() {
        // Expected values computed with Python's hashlib from the recipe in the module documentation and FORMATS.md.
        assert_eq!(
            compute(&base()).to_hex(),
            "5f777e3b5d27e9280393b9373c0a0e0f1f1d67ea06f85cebaeff6c970a6f4046"
        );
        let mut web = Finding::new(Tool::Zap, "40012", "XSS", Severity::High);
        web.host = host_from("WWW.Gemeente.example");
        web.port = Some(443);
        web.protocol = Some("TCP".into());
        web.url = Some("HTTPS://WWW.Gemeente.example:443/zoeken?q=1&a=2#x".into());
        web.parameter = Some("q".into());
        assert_eq!(
            compute(&web).to_hex(),
            "3bdcfd6eed639348850bb8d7655cef594582c0e7a9a14c3b7d47807e2753d3be"
        );
        let mut manual = Finding::new(Tool::Generic, "", "Password  policy allows\n6 characters", Severity::Low);
        manual.tool_name = Some("Manual".into());
        manual.cwe = vec![521];
        assert_eq!(
            compute(&manual).to_hex(),
            "b10695692e0f1feaa3e89205b3d36a6eb20311d2e8e2c3cda917772504ec6f06"
        );
    }

    #[test]
    fn hex_round_trip() {
        let fp = compute(&base());
        assert_eq!(Fingerprint::from_hex(&fp.to_hex()), Some(fp));
        assert_eq!(fp.to_hex().len(), 64);
    }

    #[test]
    fn dedup_keeps_first_and_last_evidence() {
        let mut first = base();
        first.evidence = Some("one".into());
        first.update_fingerprint();
        let mut second = base();
        second.evidence = Some("two".into());
        second.cves = vec!["CVE-2020-0001".into()];
        second.update_fingerprint();
        let mut other = base();
        other.port = Some(139);
        other.update_fingerprint();
        let merged = dedup([first, other, second]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].occurrences, 2);
        assert_eq!(merged[0].first_evidence.as_deref(), Some("one"));
        assert_eq!(merged[0].last_evidence.as_deref(), Some("two"));
        assert_eq!(merged[0].finding.cves, vec!["CVE-2020-0001".to_string()]);
        assert_eq!(merged[1].occurrences, 1);
    }
}
