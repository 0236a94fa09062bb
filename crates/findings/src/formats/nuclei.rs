//! Nuclei JSON lines (`-jsonl`; one result per line, parsed one line at a time) or a JSON array of the same objects
//! (`-json-export`; parsed one element at a time). Old (`templateID`, `matched`, `matcher_name`) and new
//! (`template-id`, `matched-at`, `matcher-name`) field names are both read.

use std::io::Read;

use serde::Deserialize;
use serde_json::Value;

use crate::Ctx;
use crate::error::{ImportError, Position};
use crate::input::{Input, LineError};
use crate::model::{CvssVersion, Finding, Format, Severity, Tool};
use crate::text::{cwes_in, host_from, host_from_parts, non_empty, push_cve, push_cwe, push_ref, split_url, timestamp, url_port};

#[derive(Deserialize)]
struct NucleiResult {
    #[serde(rename = "template-id", alias = "templateID", alias = "template_id")]
    template_id: Option<String>,
    info: Option<Info>,
    #[serde(rename = "matcher-name", alias = "matcher_name")]
    matcher_name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    host: Option<String>,
    #[serde(rename = "matched-at", alias = "matched")]
    matched_at: Option<String>,
    ip: Option<String>,
    port: Option<Value>,
    #[serde(rename = "extracted-results", alias = "extracted_results")]
    extracted_results: Option<Vec<Value>>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
struct Info {
    name: Option<String>,
    severity: Option<String>,
    description: Option<String>,
    remediation: Option<String>,
    reference: Option<Value>,
    classification: Option<Classification>,
}

#[derive(Deserialize)]
struct Classification {
    #[serde(rename = "cve-id")]
    cve_id: Option<Value>,
    #[serde(rename = "cwe-id")]
    cwe_id: Option<Value>,
    #[serde(rename = "cvss-metrics")]
    cvss_metrics: Option<String>,
    #[serde(rename = "cvss-score")]
    cvss_score: Option<Value>,
}

fn strings(v: &Option<Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn import<R: Read>(mut input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let counters = input.counters();
    let max_bytes = ctx.limits.max_bytes;
    let first = input.peek(4096).map_err(|e| crate::input::io_error(e, &counters, max_bytes))?;
    let array = first.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let mut state = State::default();
    if array {
        let mut de = serde_json::Deserializer::from_reader(input);
        super::json_array(&mut de, &counters, max_bytes, |r: NucleiResult, position| {
            emit(r, ctx, &mut state, position)
        })?;
        de.end().map_err(|e| super::json_error(e, &counters, max_bytes))?;
    } else {
        let mut line = Vec::new();
        let mut number = 0u64;
        loop {
            let position = counters.position();
            match input.read_line_limited(&mut line, ctx.limits.max_field_bytes) {
                Ok(false) => break,
                Ok(true) => {}
                Err(LineError::TooLong) => {
                    return Err(ImportError::FieldTooLarge {
                        field: "JSON line".into(),
                        limit: ctx.limits.max_field_bytes,
                        position,
                    });
                }
                Err(LineError::Io(e)) => return Err(crate::input::io_error(e, &counters, max_bytes)),
            }
            number += 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let complete_line = line.ends_with(b"\n");
            let r: NucleiResult = serde_json::from_slice(&line).map_err(|e| {
                let column = Some(e.column() as u64);
                let at = Position {
                    byte: position.byte,
                    line: number,
                    column,
                };
                match super::json_error(e, &counters, max_bytes) {
                    // A line that ends before its object does, with more lines after it: not JSON lines.
                    ImportError::Truncated { .. } if complete_line => ImportError::Malformed {
                        position: at,
                        detail: format!("line {number} is not one complete JSON object"),
                    },
                    ImportError::Truncated { detail, .. } => ImportError::Truncated { position: at, detail },
                    ImportError::Malformed { detail, .. } => ImportError::Malformed { position: at, detail },
                    other => other,
                }
            })?;
            emit(r, ctx, &mut state, Position { line: number, ..position })?;
        }
    }
    ctx.meta.scan_start = state.first;
    ctx.meta.scan_end = state.last;
    Ok(())
}

#[derive(Default)]
struct State {
    first: Option<crate::model::Timestamp>,
    last: Option<crate::model::Timestamp>,
}

fn emit(r: NucleiResult, ctx: &mut Ctx<'_>, state: &mut State, position: Position) -> Result<(), ImportError> {
    let Some(template) = r.template_id.as_deref().and_then(non_empty) else {
        return Err(if ctx.count == 0 {
            ImportError::WrongFormat {
                expected: Format::Nuclei,
                found: "JSON without \"template-id\"".into(),
            }
        } else {
            ImportError::MissingField {
                field: "template-id".into(),
                position,
            }
        });
    };
    let info = r.info.unwrap_or(Info {
        name: None,
        severity: None,
        description: None,
        remediation: None,
        reference: None,
        classification: None,
    });
    let severity = match info.severity.as_deref().map(str::trim) {
        Some("unknown") => Severity::Info,
        Some(s) => Severity::parse_word(s).ok_or_else(|| ImportError::InvalidField {
            field: "info.severity".into(),
            value: s.into(),
            position,
        })?,
        None => {
            return Err(ImportError::MissingField {
                field: "info.severity".into(),
                position,
            });
        }
    };
    let matcher = r.matcher_name.as_deref().and_then(non_empty);
    let rule = match &matcher {
        Some(m) => format!("{template}:{m}"),
        None => template.clone(),
    };
    let name = info.name.as_deref().and_then(non_empty).unwrap_or_else(|| template.clone());
    let title = match &matcher {
        Some(m) => format!("{name}: {m}"),
        None => name,
    };
    let mut f = Finding::new(Tool::Nuclei, rule, title, severity);
    f.description = info.description.as_deref().and_then(non_empty);
    f.recommendation = info.remediation.as_deref().and_then(non_empty);
    for r in strings(&info.reference) {
        for line in r.lines() {
            push_ref(&mut f.references, line.trim().trim_start_matches("- "));
        }
    }
    if let Some(c) = &info.classification {
        for id in strings(&c.cve_id) {
            push_cve(&mut f.cves, &id);
        }
        for id in strings(&c.cwe_id) {
            cwes_in(&id).into_iter().for_each(|n| push_cwe(&mut f.cwe, n));
        }
        let score = match &c.cvss_score {
            Some(Value::Number(n)) => n.as_f64().filter(|s| (0.0..=10.0).contains(s)),
            Some(Value::String(s)) => crate::cvss::parse_score(s),
            _ => None,
        };
        let vector = c.cvss_metrics.as_deref().and_then(non_empty);
        let version = if vector.as_deref().is_some_and(|v| v.starts_with("CVSS:4")) {
            CvssVersion::V4_0
        } else {
            CvssVersion::V3_1
        };
        f.cvss = ctx.cvss.best(&[(vector.as_deref(), score, version)]).map(|mut c| {
            if c.vector.is_none() {
                c.version = None;
            }
            c
        });
    }
    let kind = r.kind.as_deref().unwrap_or("").to_ascii_lowercase();
    let matched = r.matched_at.as_deref().and_then(non_empty);
    let matched_url = matched.as_deref().and_then(split_url);
    let host_url = r.host.as_deref().and_then(split_url);
    // The host: from the URL or `host[:port]` in `host`, with the IP address when given.
    let host_name = match &host_url {
        Some(p) => Some(p.host.clone()),
        None => r.host.as_deref().map(|h| strip_port(h).to_string()),
    };
    f.host = host_from_parts(host_name.as_deref(), r.ip.as_deref()).or_else(|| r.ip.as_deref().and_then(host_from));
    f.port = match &r.port {
        Some(Value::Number(n)) => n.as_u64().and_then(|p| u16::try_from(p).ok()),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .or(matched_url.as_ref().and_then(url_port))
    .or(matched.as_deref().and_then(port_suffix))
    .or(host_url.as_ref().and_then(url_port))
    .or(r.host.as_deref().and_then(port_suffix))
    .filter(|&p| p != 0);
    f.protocol = Some(if kind == "dns" { "udp" } else { "tcp" }.to_string());
    if matched_url.is_some() {
        f.url = matched.clone();
    }
    let extracted: Vec<String> = r
        .extracted_results
        .unwrap_or_default()
        .iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        })
        .collect();
    let mut evidence = Vec::new();
    if let Some(m) = &matched {
        evidence.push(format!("matched at {m}"));
    }
    if !extracted.is_empty() {
        evidence.push(format!("extracted: {}", extracted.join(", ")));
    }
    f.evidence = if evidence.is_empty() { None } else { Some(evidence.join("\n")) };
    if let Some(t) = r.timestamp.as_deref().and_then(timestamp) {
        if state.first.is_none() {
            state.first = Some(t.clone());
        }
        state.last = Some(t);
    }
    ctx.asset_of(&f.host);
    ctx.emit(f)
}

fn strip_port(h: &str) -> &str {
    let h = h.trim();
    if h.starts_with('[') {
        return h.split(']').next().unwrap_or(h).trim_start_matches('[');
    }
    match h.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => h,
    }
}

fn port_suffix(h: &str) -> Option<u16> {
    let h = h.trim();
    if h.contains("://") {
        return None;
    }
    let (_, p) = h.rsplit_once(':')?;
    p.parse().ok()
}
