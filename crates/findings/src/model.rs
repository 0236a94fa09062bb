//! The normalised finding model every importer produces.

use std::net::IpAddr;

use crate::fingerprint::Fingerprint;

pub use cyberveilig_domain::severity::Severity;
pub use cyberveilig_domain::source::{Format, Tool};

/// A CVSS version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CvssVersion {
    V2,
    V3_0,
    V3_1,
    V4_0,
}

impl CvssVersion {
    /// `2.0`, `3.0`, `3.1`, `4.0`.
    pub fn name(self) -> &'static str {
        match self {
            CvssVersion::V2 => "2.0",
            CvssVersion::V3_0 => "3.0",
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        }
    }
}

/// A CVSS assessment of a finding.
///
/// - A valid vector: `vector` is the vector in canonical form, `score` is computed from it with the `cvss` crate,
///   `computed` is true and `invalid_vector` is `None`. A score the file also gave is ignored.
/// - Only a score in the file: `vector` is `None`, `score` is that score, `computed` is false ("as reported").
/// - An invalid vector: the finding is kept; `vector` is the text as given, `invalid_vector` says why it was
///   refused, `computed` is false and `score` is the file's score if it gave one (so, as reported), else `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cvss {
    /// The version, when the vector or the field it came from says which.
    pub version: Option<CvssVersion>,
    pub vector: Option<String>,
    pub score: Option<f64>,
    /// True when `score` was computed from `vector` by this crate.
    pub computed: bool,
    /// Why the vector was refused, when it was.
    pub invalid_vector: Option<String>,
}

impl Cvss {
    /// True when the file gave a vector that could not be parsed or scored.
    pub fn is_invalid(&self) -> bool {
        self.invalid_vector.is_some()
    }
}

/// The host a finding is on: a name, an address, or both, as the tool reported them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Host {
    /// Host name, lower-cased, without a trailing dot.
    pub name: Option<String>,
    pub ip: Option<IpAddr>,
}

impl Host {
    /// The key this crate identifies a host by: the canonical IP address when known, else the name.
    pub fn key(&self) -> Option<String> {
        match (&self.ip, &self.name) {
            (Some(ip), _) => Some(ip.to_string()),
            (None, Some(name)) => Some(name.clone()),
            (None, None) => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.ip.is_none()
    }
}

/// One finding, normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub tool: Tool,
    /// The tool's own name where one format carries many tools (SARIF `tool.driver.name`, the generic `tool` field).
    pub tool_name: Option<String>,
    /// Plugin id, NVT OID, template id, rule id... (see FORMATS.md per format).
    pub rule_id: String,
    pub title: String,
    pub description: Option<String>,
    pub severity: Severity,
    pub cvss: Option<Cvss>,
    pub cwe: Vec<u32>,
    /// CVE identifiers, upper-case (`CVE-2021-44228`).
    pub cves: Vec<String>,
    pub host: Option<Host>,
    pub port: Option<u16>,
    /// Transport protocol, lower-case (`tcp`, `udp`, `icmp`), where the tool gives one.
    pub protocol: Option<String>,
    /// Service name as the tool gave it (`www`, `ms-wbt-server`, ...).
    pub service: Option<String>,
    /// For web findings: the URL as the tool gave it.
    pub url: Option<String>,
    /// For web findings: the parameter concerned.
    pub parameter: Option<String>,
    /// For code findings (SARIF): the artifact URI and line.
    pub file: Option<String>,
    pub line: Option<u32>,
    /// Volatile text: plugin output, matched evidence, extracted results. Never part of the fingerprint.
    pub evidence: Option<String>,
    pub recommendation: Option<String>,
    pub references: Vec<String>,
    /// True when the tool itself marked the result as suppressed or a false positive (SARIF suppressions, OpenVAS
    /// threat "False Positive", ZAP confidence 0, Burp severity "False positive").
    pub suppressed: bool,
    /// A stable identity the tool itself provides (SARIF `fingerprints`/`partialFingerprints`, the generic
    /// `unique_id`). Part of the fingerprint when present.
    pub tool_key: Option<String>,
    /// SHA-256 over the stable fields; see [`crate::fingerprint`].
    pub fingerprint: Fingerprint,
}

impl Finding {
    /// An empty finding of a tool, with the given rule id, title and severity; the importers fill in the rest.
    pub fn new(tool: Tool, rule_id: impl Into<String>, title: impl Into<String>, severity: Severity) -> Finding {
        Finding {
            tool,
            tool_name: None,
            rule_id: rule_id.into(),
            title: title.into(),
            description: None,
            severity,
            cvss: None,
            cwe: Vec::new(),
            cves: Vec::new(),
            host: None,
            port: None,
            protocol: None,
            service: None,
            url: None,
            parameter: None,
            file: None,
            line: None,
            evidence: None,
            recommendation: None,
            references: Vec::new(),
            suppressed: false,
            tool_key: None,
            fingerprint: Fingerprint::ZERO,
        }
    }

    /// Computes the fingerprint from the stable fields and stores it (importers do this for every finding; call it
    /// again after changing a stable field, e.g. for a finding entered by hand).
    pub fn update_fingerprint(&mut self) {
        self.fingerprint = crate::fingerprint::compute(self);
    }
}

/// A point in time as a tool reported it, with the Unix time when the text is unambiguous (RFC 3339 with an offset,
/// or epoch seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timestamp {
    pub raw: String,
    pub unix: Option<i64>,
}

/// A host seen in a report, with what the report says about it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Asset {
    pub host: Host,
    /// Other names the tool gave (FQDN, NetBIOS, PTR), lower-cased, without `host.name`.
    pub other_names: Vec<String>,
    pub os: Option<String>,
    pub mac: Option<String>,
}

/// What an import read, apart from the findings themselves (which went to the sink).
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub format: Format,
    /// Scanner version where the file gives it.
    pub tool_version: Option<String>,
    pub scan_start: Option<Timestamp>,
    pub scan_end: Option<Timestamp>,
    /// Number of findings given to the sink.
    pub findings: u64,
    /// Findings whose CVSS vector was invalid (kept, with the vector marked invalid).
    pub invalid_cvss_vectors: u64,
    /// Hosts seen, in the order first seen, one per host key.
    pub assets: Vec<Asset>,
    /// Bytes read.
    pub bytes: u64,
}
