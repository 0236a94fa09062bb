//! SARIF 2.1.0, streamed: each result becomes a finding as it is read (see [`import`] for the results that wait).

use std::collections::BTreeMap;
use std::io::Read;

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::Ctx;
use crate::error::ImportError;
use crate::input::{Counters, Input};
use crate::model::{Finding, Format, Severity, Tool};
use crate::text::{cwes_in, non_empty, push_cve, push_cwe, push_ref, timestamp};

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

/// What a run has told so far: its tool, rules and artifacts, and the results that had to wait for them.
#[derive(Default)]
struct RunState {
    tool_seen: bool,
    tool_name: Option<String>,
    rules: Vec<Rule>,
    artifacts: Option<Vec<Artifact>>,
    pending: Vec<SarifResult>,
}

impl RunState {
    /// A result can be turned into a finding now when the tool (with its rules) was read, and, if it names its
    /// artifact by index only, the artifacts too. Otherwise it waits for the end of the run.
    fn ready(&self, r: &SarifResult) -> bool {
        let by_index_only = r
            .locations
            .as_ref()
            .and_then(|l| l.first())
            .and_then(|l| l.physical_location.as_ref())
            .and_then(|p| p.artifact_location.as_ref())
            .is_some_and(|a| a.uri.is_none() && a.index.is_some());
        self.tool_seen && (!by_index_only || self.artifacts.is_some())
    }
}

fn emit_result(r: SarifResult, run: &RunState, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let index = r.rule_index.or(r.rule.as_ref().and_then(|x| x.index));
    let id = r.rule_id.clone().or(r.rule.as_ref().and_then(|x| x.id.clone()));
    let rule = match (&id, index) {
        (_, Some(i)) if i >= 0 && (i as usize) < run.rules.len() => Some(&run.rules[i as usize]),
        (Some(id), _) => run.rules.iter().find(|x| x.id.as_deref() == Some(id.as_str())),
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
    f.tool_name = run.tool_name.clone();
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
            let a = run.artifacts.as_deref().unwrap_or_default().get(usize::try_from(i).ok()?)?;
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
    ctx.emit(f)
}

struct Stream<'a, 'c> {
    ctx: &'a mut Ctx<'c>,
    counters: &'a Counters,
    err: &'a mut Option<ImportError>,
}

/// The log: `version` and `runs`.
struct Top<'a, 'c>(Stream<'a, 'c>);

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a SARIF log object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut seen_runs = false;
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                "version" => {
                    if let Some(v) = map.next_value::<Option<String>>()?
                        && !v.starts_with("2.1")
                    {
                        *self.0.err = Some(ImportError::WrongFormat {
                            expected: Format::Sarif,
                            found: format!("SARIF version {v}"),
                        });
                        return Err(serde::de::Error::custom("wrong version"));
                    }
                }
                "runs" => {
                    seen_runs = true;
                    let stream = Stream {
                        ctx: &mut *self.0.ctx,
                        counters: self.0.counters,
                        err: &mut *self.0.err,
                    };
                    map.next_value_seed(Runs(stream))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(seen_runs)
    }
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

struct Runs<'a, 'c>(Stream<'a, 'c>);

impl<'de> Visitor<'de> for Runs<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of runs")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let stream = Stream {
                ctx: &mut *self.0.ctx,
                counters: self.0.counters,
                err: &mut *self.0.err,
            };
            if seq.next_element_seed(RunSeed(stream))?.is_none() {
                return Ok(());
            }
        }
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Runs<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

struct RunSeed<'a, 'c>(Stream<'a, 'c>);

impl<'de> DeserializeSeed<'de> for RunSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RunSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a run object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut run = RunState::default();
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                "tool" => {
                    let tool = map.next_value::<Option<ToolComponentWrapper>>()?;
                    if let Some(d) = tool.and_then(|t| t.driver) {
                        if self.0.ctx.meta.tool_version.is_none() {
                            self.0.ctx.meta.tool_version = d.semantic_version.or(d.version).as_deref().and_then(non_empty);
                        }
                        run.tool_name = d.name.as_deref().and_then(non_empty);
                        run.rules = d.rules.unwrap_or_default();
                    }
                    run.tool_seen = true;
                }
                "artifacts" => run.artifacts = Some(map.next_value::<Option<Vec<Artifact>>>()?.unwrap_or_default()),
                "invocations" => {
                    let invocations = map.next_value::<Option<Vec<Invocation>>>()?.unwrap_or_default();
                    if let Some(inv) = invocations.first() {
                        let meta = &mut self.0.ctx.meta;
                        if meta.scan_start.is_none() {
                            meta.scan_start = inv.start_time_utc.as_deref().and_then(timestamp);
                        }
                        meta.scan_end = inv.end_time_utc.as_deref().and_then(timestamp).or(meta.scan_end.take());
                    }
                }
                "results" => {
                    let stream = Stream {
                        ctx: &mut *self.0.ctx,
                        counters: self.0.counters,
                        err: &mut *self.0.err,
                    };
                    map.next_value_seed(Results { stream, run: &mut run })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        // The results that waited for the tool or the artifacts.
        for r in std::mem::take(&mut run.pending) {
            if let Err(e) = emit_result(r, &run, self.0.ctx) {
                *self.0.err = Some(e);
                return Err(serde::de::Error::custom("import stopped"));
            }
        }
        Ok(())
    }
}

struct Results<'a, 'c, 'r> {
    stream: Stream<'a, 'c>,
    run: &'r mut RunState,
}

impl<'de> Visitor<'de> for Results<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of results")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(r) = seq.next_element::<SarifResult>()? {
            if self.run.ready(&r) {
                if let Err(e) = emit_result(r, self.run, self.stream.ctx) {
                    *self.stream.err = Some(e);
                    return Err(serde::de::Error::custom("import stopped"));
                }
            } else {
                self.run.pending.push(r);
            }
        }
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Results<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Streams the log: results become findings as they are read, once their run's tool (and, for results that name
/// their file by index, the artifacts) were read; results before those wait for the end of their run.
pub(crate) fn import<R: Read>(input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let counters = input.counters();
    let max_bytes = ctx.limits.max_bytes;
    let mut de = serde_json::Deserializer::from_reader(input);
    let mut err = None;
    let result = Top(Stream {
        ctx,
        counters: &counters,
        err: &mut err,
    })
    .deserialize(&mut de);
    if let Some(e) = err {
        return Err(e);
    }
    let seen_runs = result.map_err(|e| super::json_error(e, &counters, max_bytes))?;
    de.end().map_err(|e| super::json_error(e, &counters, max_bytes))?;
    if !seen_runs {
        return Err(ImportError::WrongFormat {
            expected: Format::Sarif,
            found: "JSON without \"runs\"".into(),
        });
    }
    Ok(())
}
