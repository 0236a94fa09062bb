//! SARIF 2.1.0. The document is read whole with serde_json (memory grows with the file; see FORMATS.md), then each
//! result becomes a finding.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Ctx;
use crate::error::ImportError;
use crate::input::Input;
use crate::model::{Finding, Format, Severity, Tool};
use crate::text::{cwes_in, non_empty, push_cve, push_cwe, push_ref, timestamp};

#[derive(Deserialize)]
struct Log {
    version: Option<String>,
    runs: Option<Vec<Run>>,
}

#[derive(Deserialize)]
struct Run {
    tool: Option<ToolComponentWrapper>,
    #[serde(default)]
    results: Option<Vec<SarifResult>>,
    #[serde(default)]
    invocations: Option<Vec<Invocation>>,
    #[serde(default)]
    artifacts: Option<Vec<Artifact>>,
}

#[derive(Deserialize)]
struct ToolComponentWrapper {
    driver: Option<Driver>,
}

#[derive(Deserialize)]
struct Driver {
    name: Option<String>,
    version: Option<String>,
    #[serde(rename = "semanticVersion")]
    semantic_version: Option<String>,
    #[serde(default)]
    rules: Option<Vec<Rule>>,
}

#[derive(Deserialize, Default)]
struct Message {
    text: Option<String>,
    markdown: Option<String>,
}

impl Message {
    fn get(&self) -> Option<String> {
        self.text
            .as_deref()
            .and_then(non_empty)
            .or_else(|| self.markdown.as_deref().and_then(non_empty))
    }
}

#[derive(Deserialize)]
struct Rule {
    id: Option<String>,
    name: Option<String>,
    #[serde(rename = "shortDescription")]
    short_description: Option<Message>,
    #[serde(rename = "fullDescription")]
    full_description: Option<Message>,
    help: Option<Message>,
    #[serde(rename = "helpUri")]
    help_uri: Option<String>,
    #[serde(rename = "defaultConfiguration")]
    default_configuration: Option<Configuration>,
    properties: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct Configuration {
    level: Option<String>,
}

#[derive(Deserialize)]
struct RuleRef {
    id: Option<String>,
    index: Option<i64>,
}

#[derive(Deserialize)]
struct SarifResult {
    #[serde(rename = "ruleId")]
    rule_id: Option<String>,
    #[serde(rename = "ruleIndex")]
    rule_index: Option<i64>,
    rule: Option<RuleRef>,
    level: Option<String>,
    message: Option<Message>,
    #[serde(default)]
    locations: Option<Vec<Location>>,
    fingerprints: Option<BTreeMap<String, Value>>,
    #[serde(rename = "partialFingerprints")]
    partial_fingerprints: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    suppressions: Option<Vec<Suppression>>,
    properties: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct Suppression {
    status: Option<String>,
}

#[derive(Deserialize)]
struct Location {
    #[serde(rename = "physicalLocation")]
    physical_location: Option<PhysicalLocation>,
}

#[derive(Deserialize)]
struct PhysicalLocation {
    #[serde(rename = "artifactLocation")]
    artifact_location: Option<ArtifactLocation>,
    region: Option<Region>,
}

#[derive(Deserialize)]
struct ArtifactLocation {
    uri: Option<String>,
    index: Option<i64>,
}

#[derive(Deserialize)]
struct Region {
    #[serde(rename = "startLine")]
    start_line: Option<i64>,
    snippet: Option<Message>,
}

#[derive(Deserialize)]
struct Artifact {
    location: Option<ArtifactLocation>,
}

#[derive(Deserialize)]
struct Invocation {
    #[serde(rename = "startTimeUtc")]
    start_time_utc: Option<String>,
    #[serde(rename = "endTimeUtc")]
    end_time_utc: Option<String>,
}

fn level_severity(level: &str) -> Option<Severity> {
    Some(match level.trim().to_ascii_lowercase().as_str() {
        "error" => Severity::High,
        "warning" => Severity::Medium,
        "note" => Severity::Low,
        "none" => Severity::Info,
        _ => return None,
    })
}

/// GitHub's `security-severity` property: a score from 0 to 10.
fn security_severity(props: Option<&Map<String, Value>>) -> Option<Severity> {
    let v = props?.get("security-severity")?;
    let score = match v {
        Value::String(s) => crate::cvss::parse_score(s)?,
        Value::Number(n) => n.as_f64().filter(|s| (0.0..=10.0).contains(s))?,
        _ => return None,
    };
    Some(Severity::from_cvss_score(score))
}

fn fingerprint_key(map: &BTreeMap<String, Value>) -> Option<String> {
    let parts: Vec<String> = map
        .iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some(format!("{k}={s}")),
            Value::Number(n) => Some(format!("{k}={n}")),
            _ => None,
        })
        .collect();
    if parts.is_empty() { None } else { Some(parts.join(";")) }
}

pub(crate) fn import<R: Read>(input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let counters = input.counters();
    let max_bytes = ctx.limits.max_bytes;
    let mut de = serde_json::Deserializer::from_reader(input);
    let log = Log::deserialize(&mut de).map_err(|e| super::json_error(e, &counters, max_bytes))?;
    de.end().map_err(|e| super::json_error(e, &counters, max_bytes))?;
    if let Some(v) = &log.version
        && !v.starts_with("2.1")
    {
        return Err(ImportError::WrongFormat {
            expected: Format::Sarif,
            found: format!("SARIF version {v}"),
        });
    }
    let Some(runs) = log.runs else {
        return Err(ImportError::WrongFormat {
            expected: Format::Sarif,
            found: "JSON without \"runs\"".into(),
        });
    };
    for run in runs {
        let driver = run.tool.and_then(|t| t.driver);
        let (tool_name, rules) = match driver {
            Some(d) => {
                if ctx.meta.tool_version.is_none() {
                    ctx.meta.tool_version = d.semantic_version.or(d.version).as_deref().and_then(non_empty);
                }
                (d.name.as_deref().and_then(non_empty), d.rules.unwrap_or_default())
            }
            None => (None, Vec::new()),
        };
        if let Some(inv) = run.invocations.as_ref().and_then(|i| i.first()) {
            if ctx.meta.scan_start.is_none() {
                ctx.meta.scan_start = inv.start_time_utc.as_deref().and_then(timestamp);
            }
            ctx.meta.scan_end = inv.end_time_utc.as_deref().and_then(timestamp).or(ctx.meta.scan_end.take());
        }
        let artifacts = run.artifacts.unwrap_or_default();
        for r in run.results.unwrap_or_default() {
            let index = r.rule_index.or(r.rule.as_ref().and_then(|x| x.index));
            let id = r.rule_id.clone().or(r.rule.as_ref().and_then(|x| x.id.clone()));
            let rule = match (&id, index) {
                (_, Some(i)) if i >= 0 && (i as usize) < rules.len() => Some(&rules[i as usize]),
                (Some(id), _) => rules.iter().find(|x| x.id.as_deref() == Some(id.as_str())),
                _ => None,
            };
            let id = id.or(rule.and_then(|x| x.id.clone())).unwrap_or_default();
            let message = r.message.as_ref().and_then(Message::get);
            let severity = security_severity(r.properties.as_ref())
                .or(security_severity(rule.and_then(|x| x.properties.as_ref())))
                .or(r.level.as_deref().and_then(level_severity))
                .or(rule
                    .and_then(|x| x.default_configuration.as_ref())
                    .and_then(|c| c.level.as_deref())
                    .and_then(level_severity))
                // The SARIF default level is "warning".
                .unwrap_or(Severity::Medium);
            let title = rule
                .and_then(|x| {
                    x.short_description
                        .as_ref()
                        .and_then(Message::get)
                        .or(x.name.as_deref().and_then(non_empty))
                })
                .or_else(|| non_empty(&id))
                .or_else(|| {
                    message
                        .as_deref()
                        .and_then(|m| m.lines().next())
                        .map(|l| l.chars().take(200).collect())
                })
                .unwrap_or_else(|| "SARIF result".to_string());
            let mut f = Finding::new(Tool::Sarif, id.trim(), title, severity);
            f.tool_name = tool_name.clone();
            let full = rule.and_then(|x| {
                x.full_description
                    .as_ref()
                    .and_then(Message::get)
                    .or(x.help.as_ref().and_then(Message::get))
            });
            f.description = match (message, full) {
                (Some(m), Some(d)) if m != d => Some(format!("{m}\n\n{d}")),
                (Some(m), _) => Some(m),
                (None, d) => d,
            };
            if let Some(rule) = rule {
                if let Some(u) = rule.help_uri.as_deref() {
                    push_ref(&mut f.references, u);
                }
                if let Some(Value::Array(tags)) = rule.properties.as_ref().and_then(|p| p.get("tags")) {
                    for t in tags.iter().filter_map(Value::as_str) {
                        if t.to_ascii_lowercase().contains("cwe") {
                            cwes_in(t).into_iter().for_each(|n| push_cwe(&mut f.cwe, n));
                        }
                    }
                }
            }
            push_cve(&mut f.cves, &id);
            if let Some(loc) = r
                .locations
                .as_ref()
                .and_then(|l| l.first())
                .and_then(|l| l.physical_location.as_ref())
            {
                let art = loc.artifact_location.as_ref();
                f.file = art.and_then(|a| a.uri.clone()).or_else(|| {
                    let i = art.and_then(|a| a.index)?;
                    let a = artifacts.get(usize::try_from(i).ok()?)?;
                    a.location.as_ref()?.uri.clone()
                });
                f.line = loc.region.as_ref().and_then(|r| r.start_line).and_then(|l| u32::try_from(l).ok());
                f.evidence = loc.region.as_ref().and_then(|r| r.snippet.as_ref()).and_then(Message::get);
            }
            f.tool_key = r
                .fingerprints
                .as_ref()
                .and_then(fingerprint_key)
                .or(r.partial_fingerprints.as_ref().and_then(fingerprint_key));
            f.suppressed = r.suppressions.as_ref().is_some_and(|s| {
                s.iter()
                    .any(|s| !matches!(s.status.as_deref(), Some("rejected") | Some("underReview")))
            });
            ctx.emit(f)?;
        }
    }
    Ok(())
}
