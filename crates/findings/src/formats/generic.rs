//! cyberveilig's generic CSV and JSON formats (FORMATS.md). Column and key names are matched case-insensitively with
//! `_`, `-` and spaces ignored, and accept DefectDojo's generic names as aliases. Unknown names are refused, so a typo
//! does not silently drop data.

use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::Ctx;
use crate::error::{ImportError, Position};
use crate::input::{Counters, Input};
use crate::model::{CvssVersion, Finding, Format, Severity, Tool};
use crate::text::{cwes_in, host_from_parts, non_empty, push_cve, push_cwe, push_ref, split_url, timestamp, url_port};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Key {
    Title,
    Severity,
    Description,
    Impact,
    Recommendation,
    Evidence,
    RuleId,
    UniqueId,
    Tool,
    Cwe,
    Cve,
    CvssVector,
    CvssScore,
    Host,
    Ip,
    Port,
    Protocol,
    Url,
    Parameter,
    File,
    Line,
    References,
    Suppressed,
    Ignored,
}

/// The accepted names (normalised: lower case, no `_`, `-` or spaces) and what they mean.
const KEYS: &[(&str, Key)] = &[
    ("title", Key::Title),
    ("severity", Key::Severity),
    ("description", Key::Description),
    ("impact", Key::Impact),
    ("recommendation", Key::Recommendation),
    ("mitigation", Key::Recommendation),
    ("solution", Key::Recommendation),
    ("remediation", Key::Recommendation),
    ("evidence", Key::Evidence),
    ("ruleid", Key::RuleId),
    ("vulnidfromtool", Key::RuleId),
    ("uniqueid", Key::UniqueId),
    ("uniqueidfromtool", Key::UniqueId),
    ("tool", Key::Tool),
    ("cwe", Key::Cwe),
    ("cweid", Key::Cwe),
    ("cve", Key::Cve),
    ("cves", Key::Cve),
    ("vulnerabilityids", Key::Cve),
    ("cvssvector", Key::CvssVector),
    ("cvssv3", Key::CvssVector),
    ("cvssv4", Key::CvssVector),
    ("cvssscore", Key::CvssScore),
    ("cvssv3score", Key::CvssScore),
    ("cvssv4score", Key::CvssScore),
    ("host", Key::Host),
    ("hostname", Key::Host),
    ("ip", Key::Ip),
    ("ipaddress", Key::Ip),
    ("port", Key::Port),
    ("protocol", Key::Protocol),
    ("url", Key::Url),
    ("parameter", Key::Parameter),
    ("param", Key::Parameter),
    ("file", Key::File),
    ("filepath", Key::File),
    ("line", Key::Line),
    ("references", Key::References),
    ("reference", Key::References),
    ("suppressed", Key::Suppressed),
    ("falsepositive", Key::Suppressed),
    ("falsep", Key::Suppressed),
    // DefectDojo fields that are workflow state, not scanner data: accepted and ignored.
    ("date", Key::Ignored),
    ("active", Key::Ignored),
    ("verified", Key::Ignored),
    ("duplicate", Key::Ignored),
    ("tags", Key::Ignored),
    ("knownexploited", Key::Ignored),
    ("ransomwareused", Key::Ignored),
    ("fixavailable", Key::Ignored),
    ("kevdate", Key::Ignored),
    ("componentname", Key::Ignored),
    ("componentversion", Key::Ignored),
];

fn key(name: &str) -> Option<Key> {
    let n: String = name
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    KEYS.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
}

#[derive(Default)]
struct Rec {
    title: Option<String>,
    severity: Option<String>,
    description: Option<String>,
    impact: Option<String>,
    recommendation: Option<String>,
    evidence: Option<String>,
    rule_id: Option<String>,
    unique_id: Option<String>,
    tool: Option<String>,
    cwe: Vec<String>,
    cve: Vec<String>,
    vectors: Vec<String>,
    score: Option<String>,
    host: Option<String>,
    ip: Option<String>,
    port: Option<String>,
    protocol: Option<String>,
    url: Option<String>,
    parameter: Option<String>,
    file: Option<String>,
    line: Option<String>,
    references: Vec<String>,
    suppressed: Option<String>,
}

impl Rec {
    /// Sets a field from its values (CSV: one cell; JSON: a scalar or the scalars of an array).
    fn set(&mut self, k: Key, values: Vec<String>) {
        let first = values.iter().find_map(non_empty);
        let split = |values: &[String]| -> Vec<String> {
            values
                .iter()
                .flat_map(|v| v.split([',', ';', '\n']).filter_map(non_empty).collect::<Vec<_>>())
                .collect()
        };
        match k {
            Key::Title => self.title = first,
            Key::Severity => self.severity = first,
            Key::Description => self.description = first,
            Key::Impact => self.impact = first,
            Key::Recommendation => self.recommendation = first,
            Key::Evidence => self.evidence = first,
            Key::RuleId => self.rule_id = first,
            Key::UniqueId => self.unique_id = first,
            Key::Tool => self.tool = first,
            Key::Cwe => self.cwe.extend(split(&values)),
            Key::Cve => self.cve.extend(split(&values)),
            Key::CvssVector => self.vectors.extend(values.iter().filter_map(non_empty)),
            Key::CvssScore => self.score = first.or(self.score.take()),
            Key::Host => self.host = first,
            Key::Ip => self.ip = first,
            Key::Port => self.port = first,
            Key::Protocol => self.protocol = first,
            Key::Url => self.url = first,
            Key::Parameter => self.parameter = first,
            Key::File => self.file = first,
            Key::Line => self.line = first,
            Key::References => self.references.extend(
                values
                    .iter()
                    .flat_map(|v| v.split_whitespace().map(str::to_string).collect::<Vec<_>>()),
            ),
            Key::Suppressed => self.suppressed = first,
            Key::Ignored => {}
        }
    }
}

fn to_finding(rec: Rec, default_tool: Option<&str>, ctx: &mut Ctx<'_>, position: Position) -> Result<Finding, ImportError> {
    let title = rec.title.ok_or_else(|| ImportError::MissingField {
        field: "title".into(),
        position,
    })?;
    let sev_text = rec.severity.ok_or_else(|| ImportError::MissingField {
        field: "severity".into(),
        position,
    })?;
    let severity = Severity::parse_word(&sev_text).ok_or_else(|| ImportError::InvalidField {
        field: "severity".into(),
        value: sev_text.clone(),
        position,
    })?;
    let mut f = Finding::new(Tool::Generic, rec.rule_id.unwrap_or_default(), title, severity);
    f.tool_name = rec.tool.or(default_tool.map(str::to_string));
    f.description = match (rec.description, rec.impact) {
        (Some(d), Some(i)) => Some(format!("{d}\n\nImpact: {i}")),
        (None, Some(i)) => Some(format!("Impact: {i}")),
        (d, None) => d,
    };
    f.recommendation = rec.recommendation;
    f.evidence = rec.evidence;
    for c in &rec.cwe {
        let found = cwes_in(c);
        if found.is_empty() {
            return Err(ImportError::InvalidField {
                field: "cwe".into(),
                value: c.clone(),
                position,
            });
        }
        found.into_iter().for_each(|n| push_cwe(&mut f.cwe, n));
    }
    for c in &rec.cve {
        push_cve(&mut f.cves, c);
    }
    let score = match rec.score.as_deref() {
        Some(s) => Some(crate::cvss::parse_score(s).ok_or_else(|| ImportError::InvalidField {
            field: "cvss_score".into(),
            value: s.into(),
            position,
        })?),
        None => None,
    };
    let mut candidates: Vec<(Option<&str>, Option<f64>, CvssVersion)> = rec
        .vectors
        .iter()
        .map(|v| {
            let version = if v.starts_with("CVSS:4") {
                CvssVersion::V4_0
            } else if v.starts_with("CVSS:3.0") {
                CvssVersion::V3_0
            } else if v.starts_with("CVSS:3") {
                CvssVersion::V3_1
            } else {
                CvssVersion::V2
            };
            (Some(v.as_str()), score, version)
        })
        .collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(c.2));
    if candidates.is_empty()
        && let Some(s) = score
    {
        candidates.push((None, Some(s), CvssVersion::V3_1));
    }
    f.cvss = ctx.cvss.best(&candidates).map(|mut c| {
        if c.vector.is_none() {
            c.version = None;
        }
        c
    });
    let url_parts = rec.url.as_deref().and_then(split_url);
    f.host = host_from_parts(rec.host.as_deref(), rec.ip.as_deref())
        .or_else(|| url_parts.as_ref().and_then(|p| host_from_parts(Some(&p.host), None)));
    f.port = match rec.port.as_deref() {
        Some(p) => Some(p.trim().parse::<u16>().map_err(|_| ImportError::InvalidField {
            field: "port".into(),
            value: p.into(),
            position,
        })?),
        None => url_parts.as_ref().and_then(url_port),
    }
    .filter(|&p| p != 0);
    f.protocol = rec
        .protocol
        .map(|p| p.to_ascii_lowercase())
        .or(url_parts.as_ref().map(|_| "tcp".to_string()));
    f.url = rec.url;
    f.parameter = rec.parameter;
    f.file = rec.file;
    f.line = match rec.line.as_deref() {
        Some(l) => Some(l.trim().parse::<u32>().map_err(|_| ImportError::InvalidField {
            field: "line".into(),
            value: l.into(),
            position,
        })?),
        None => None,
    };
    for r in &rec.references {
        push_ref(&mut f.references, r);
    }
    f.suppressed = rec
        .suppressed
        .as_deref()
        .is_some_and(|s| matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"));
    f.tool_key = rec.unique_id;
    ctx.asset_of(&f.host);
    Ok(f)
}

// ---------------------------------------------------------------------------------------------------------------------
// CSV

pub(crate) fn import_csv<R: Read>(input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let counters = input.counters();
    let max_bytes = ctx.limits.max_bytes;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(input);
    let csv_err = |e: csv::Error, counters: &Counters| -> ImportError {
        let position = e
            .position()
            .map(|p| Position {
                byte: p.byte(),
                line: p.line(),
                column: None,
            })
            .unwrap_or_else(|| counters.position());
        match e.into_kind() {
            csv::ErrorKind::Io(io) => crate::input::io_error(io, counters, max_bytes),
            csv::ErrorKind::Utf8 { .. } => ImportError::InvalidUtf8 { position },
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => ImportError::Malformed {
                position,
                detail: format!("a row has {len} fields where the header has {expected_len}"),
            },
            other => ImportError::Malformed {
                position,
                detail: format!("{other:?}"),
            },
        }
    };
    let headers = reader.headers().map_err(|e| csv_err(e, &counters))?.clone();
    let keys: Vec<Option<Key>> = headers.iter().map(key).collect();
    if !keys.contains(&Some(Key::Title)) || !keys.contains(&Some(Key::Severity)) {
        return Err(ImportError::WrongFormat {
            expected: Format::GenericCsv,
            found: "CSV without title and severity columns".into(),
        });
    }
    let mut known = Vec::with_capacity(keys.len());
    for (h, k) in headers.iter().zip(keys) {
        match k {
            Some(k) => known.push(k),
            None => {
                return Err(ImportError::InvalidField {
                    field: "header".into(),
                    value: h.to_string(),
                    position: Position {
                        byte: 0,
                        line: 1,
                        column: None,
                    },
                });
            }
        }
    }
    let keys = known;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_err(e, &counters)),
        }
        let position = record
            .position()
            .map(|p| Position {
                byte: p.byte(),
                line: p.line(),
                column: None,
            })
            .unwrap_or_default();
        if record.as_slice().len() > ctx.limits.max_field_bytes {
            return Err(ImportError::FieldTooLarge {
                field: "CSV row".into(),
                limit: ctx.limits.max_field_bytes,
                position,
            });
        }
        let mut rec = Rec::default();
        for (k, v) in keys.iter().zip(record.iter()) {
            rec.set(*k, vec![v.to_string()]);
        }
        let f = to_finding(rec, None, ctx, position)?;
        ctx.emit(f)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------------
// JSON

fn values_of(v: Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s],
        Value::Number(n) => vec![n.to_string()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Array(a) => a.into_iter().flat_map(values_of).collect(),
        Value::Null | Value::Object(_) => Vec::new(),
    }
}

struct Top<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    counters: &'c Counters,
    err: &'c mut Option<ImportError>,
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with \"findings\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut tool: Option<String> = None;
        let mut seen_findings = false;
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                "findings" => {
                    seen_findings = true;
                    let tool = tool.clone();
                    let ctx = &mut *self.ctx;
                    let mut each = |m: Map<String, Value>, position: Position| -> Result<(), ImportError> {
                        let mut rec = Rec::default();
                        for (name, v) in m {
                            let Some(k) = key(&name) else {
                                return Err(ImportError::InvalidField {
                                    field: "finding key".into(),
                                    value: name,
                                    position,
                                });
                            };
                            rec.set(k, values_of(v));
                        }
                        let f = to_finding(rec, tool.as_deref(), ctx, position)?;
                        ctx.emit(f)
                    };
                    let seed = super::ArrayVisitor {
                        f: &mut each,
                        err: &mut *self.err,
                        counters: self.counters,
                        _t: std::marker::PhantomData,
                    };
                    map.next_value_seed(seed)?;
                }
                "tool" => {
                    if seen_findings {
                        *self.err = Some(ImportError::Malformed {
                            position: self.counters.position(),
                            detail: "\"tool\" must come before \"findings\"".into(),
                        });
                        return Err(serde::de::Error::custom("tool after findings"));
                    }
                    tool = map.next_value::<Option<String>>()?;
                }
                "tool_version" => self.ctx.meta.tool_version = map.next_value::<Option<String>>()?,
                "scan_start" => self.ctx.meta.scan_start = map.next_value::<Option<String>>()?.as_deref().and_then(timestamp),
                "scan_end" => self.ctx.meta.scan_end = map.next_value::<Option<String>>()?.as_deref().and_then(timestamp),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(seen_findings)
    }
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

pub(crate) fn import_json<R: Read>(input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let counters = input.counters();
    let max_bytes = ctx.limits.max_bytes;
    let mut de = serde_json::Deserializer::from_reader(input);
    let mut err = None;
    let result = Top {
        ctx,
        counters: &counters,
        err: &mut err,
    }
    .deserialize(&mut de);
    if let Some(e) = err {
        return Err(e);
    }
    let seen = result.map_err(|e| super::json_error(e, &counters, max_bytes))?;
    de.end().map_err(|e| super::json_error(e, &counters, max_bytes))?;
    if !seen {
        return Err(ImportError::WrongFormat {
            expected: Format::GenericJson,
            found: "JSON without \"findings\"".into(),
        });
    }
    Ok(())
}
