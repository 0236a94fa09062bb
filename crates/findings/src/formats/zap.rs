//! OWASP ZAP traditional reports, XML (`OWASPZAPReport/site/alerts/alertitem/instances/instance`) and JSON (the same
//! names, `@`-prefixed attributes). One finding per instance; an alert without instances is one finding.

use std::io::Read;

use serde::Deserialize;
use serde_json::Value;

use crate::Ctx;
use crate::error::{ImportError, Position};
use crate::input::Input;
use crate::model::{Finding, Format, Severity, Tool};
use crate::text::{cwes_in, host_from, html_to_text, non_empty, non_empty_owned, push_cwe, push_ref, split_url, timestamp, url_port};
use crate::xml::{Ev, Xml, attr, name_of};

#[derive(Default, Clone)]
pub(crate) struct Site {
    name: Option<String>,
    host: Option<String>,
    port: Option<String>,
}

#[derive(Default)]
pub(crate) struct Alert {
    plugin_id: Option<String>,
    alert_ref: Option<String>,
    title: Option<String>,
    riskcode: Option<String>,
    confidence: Option<String>,
    desc: Option<String>,
    solution: Option<String>,
    otherinfo: Option<String>,
    reference: Option<String>,
    cweid: Option<String>,
    instances: Vec<Instance>,
    // Old reports put one instance's fields on the alert itself.
    uri: Option<String>,
    param: Option<String>,
    evidence: Option<String>,
}

#[derive(Default)]
pub(crate) struct Instance {
    uri: Option<String>,
    method: Option<String>,
    param: Option<String>,
    attack: Option<String>,
    evidence: Option<String>,
    otherinfo: Option<String>,
}

fn set_alert_field(a: &mut Alert, name: &str, value: String) {
    let v = non_empty_owned(value);
    match name {
        "pluginid" => a.plugin_id = v,
        "alertRef" => a.alert_ref = v,
        "alert" => a.title = v.or(a.title.take()),
        "name" if a.title.is_none() => a.title = v,
        "riskcode" => a.riskcode = v,
        "confidence" => a.confidence = v,
        "desc" => a.desc = v,
        "solution" => a.solution = v,
        "otherinfo" => a.otherinfo = v,
        "reference" => a.reference = v,
        "cweid" => a.cweid = v,
        "uri" => a.uri = v,
        "param" => a.param = v,
        "evidence" => a.evidence = v,
        _ => {}
    }
}

fn set_instance_field(i: &mut Instance, name: &str, value: String) {
    let v = non_empty_owned(value);
    match name {
        "uri" => i.uri = v,
        "method" => i.method = v,
        "param" => i.param = v,
        "attack" => i.attack = v,
        "evidence" => i.evidence = v,
        "otherinfo" => i.otherinfo = v,
        _ => {}
    }
}

pub(crate) fn import_xml<R: Read>(input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let mut xml = Xml::new(input, &ctx.limits);
    let counters = xml.counters();
    let [version, generated] = super::expect_root(&mut xml, b"OWASPZAPReport", Format::ZapXml, [b"version", b"generated"])?;
    ctx.meta.tool_version = version.as_deref().and_then(non_empty);
    ctx.meta.scan_start = generated.as_deref().and_then(timestamp);
    let mut site = Site::default();
    loop {
        enum T {
            Site(Site),
            Alerts,
            AlertItem,
            Skip,
        }
        let t = match xml.next()? {
            Ev::Start(s) => match name_of(&s) {
                b"site" => T::Site(Site {
                    name: attr(&s, b"name", &counters)?,
                    host: attr(&s, b"host", &counters)?,
                    port: attr(&s, b"port", &counters)?,
                }),
                b"alerts" => T::Alerts,
                b"alertitem" => T::AlertItem,
                _ => T::Skip,
            },
            Ev::End | Ev::Other => continue,
            Ev::Eof => break,
        };
        match t {
            T::Site(s) => site = s,
            T::Alerts => {}
            T::AlertItem => {
                let alert = alert_item(&mut xml)?;
                let position = counters.position();
                emit_alert(&site, alert, ctx, position)?;
            }
            T::Skip => xml.skip()?,
        }
    }
    Ok(())
}

fn alert_item<R: Read>(xml: &mut Xml<R>) -> Result<Alert, ImportError> {
    let start = xml.depth();
    let mut a = Alert::default();
    loop {
        let name = match xml.next()? {
            Ev::Start(s) => String::from_utf8_lossy(name_of(&s)).into_owned(),
            Ev::End => {
                if xml.depth() < start {
                    return Ok(a);
                }
                continue;
            }
            Ev::Other => continue,
            Ev::Eof => return Ok(a),
        };
        let rel = xml.depth() - start;
        match (rel, name.as_str()) {
            (1, "instances") => {}
            (2, "instance") => {
                let (_, children) = xml.text_parts("instance")?;
                let mut i = Instance::default();
                for (n, v) in children {
                    set_instance_field(&mut i, &String::from_utf8_lossy(&n), v);
                }
                a.instances.push(i);
            }
            (1, field) => {
                let v = xml.text(field)?;
                set_alert_field(&mut a, field, v);
            }
            _ => xml.skip()?,
        }
    }
}

fn severity(riskcode: Option<&str>, position: Position) -> Result<Severity, ImportError> {
    match riskcode.map(str::trim) {
        Some("0") => Ok(Severity::Info),
        Some("1") => Ok(Severity::Low),
        Some("2") => Ok(Severity::Medium),
        Some("3") => Ok(Severity::High),
        Some(other) => Err(ImportError::InvalidField {
            field: "riskcode".into(),
            value: other.into(),
            position,
        }),
        None => Err(ImportError::MissingField {
            field: "riskcode".into(),
            position,
        }),
    }
}

/// Evidence of an instance: the request line, attack and evidence as given (raw text, not HTML), and the other info
/// (HTML in ZAP reports) as text.
fn join_evidence(raw: &[Option<&str>], html: Option<&str>) -> Option<String> {
    let mut text: Vec<String> = raw.iter().flatten().filter_map(non_empty).collect();
    if let Some(t) = html.map(html_to_text).and_then(non_empty_owned) {
        text.push(t);
    }
    if text.is_empty() { None } else { Some(text.join("\n\n")) }
}

pub(crate) fn emit_alert(site: &Site, a: Alert, ctx: &mut Ctx<'_>, position: Position) -> Result<(), ImportError> {
    let rule = a
        .alert_ref
        .clone()
        .or(a.plugin_id.clone())
        .ok_or_else(|| ImportError::MissingField {
            field: "pluginid".into(),
            position,
        })?;
    let severity = severity(a.riskcode.as_deref(), position)?;
    let mut base = Finding::new(
        Tool::Zap,
        rule.clone(),
        a.title.clone().unwrap_or_else(|| format!("ZAP alert {rule}")),
        severity,
    );
    base.suppressed = a.confidence.as_deref().map(str::trim) == Some("0");
    base.description = a.desc.as_deref().map(html_to_text).and_then(non_empty_owned);
    base.recommendation = a.solution.as_deref().map(html_to_text).and_then(non_empty_owned);
    if let Some(r) = a.reference.as_deref() {
        for line in html_to_text(r).lines() {
            push_ref(&mut base.references, line);
        }
    }
    if let Some(c) = a.cweid.as_deref() {
        for n in cwes_in(c) {
            push_cwe(&mut base.cwe, n);
        }
    }
    base.protocol = Some("tcp".into());
    let site_host = site.host.as_deref().and_then(host_from);
    let site_port = site.port.as_deref().and_then(|p| p.trim().parse::<u16>().ok());
    let mut instances = a.instances;
    if instances.is_empty() {
        instances.push(Instance {
            uri: a.uri.clone().or(site.name.clone()),
            param: a.param.clone(),
            evidence: a.evidence.clone(),
            ..Instance::default()
        });
    }
    for i in instances {
        let mut f = base.clone();
        let parts = i.uri.as_deref().and_then(split_url);
        f.host = parts.as_ref().and_then(|p| host_from(&p.host)).or(site_host.clone());
        f.port = parts.as_ref().and_then(url_port).or(site_port);
        f.url = i.uri.clone();
        f.parameter = i.param.clone();
        let method = i.method.as_deref().map(|m| format!("{m} {}", i.uri.as_deref().unwrap_or("")));
        f.evidence = join_evidence(
            &[method.as_deref(), i.attack.as_deref(), i.evidence.as_deref()],
            i.otherinfo.as_deref().or(a.otherinfo.as_deref()),
        );
        ctx.asset_of(&f.host);
        ctx.emit(f)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------------
// JSON

#[derive(Deserialize)]
struct JsonReport {
    #[serde(rename = "@version")]
    version: Option<Value>,
    #[serde(rename = "@generated")]
    generated: Option<Value>,
    #[serde(default)]
    site: Option<Value>,
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => non_empty(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn get<'a>(o: &'a serde_json::Map<String, Value>, k: &str) -> Option<&'a Value> {
    o.get(k)
}

/// Reads the whole JSON document (memory grows with the file; see FORMATS.md).
pub(crate) fn import_json<R: Read>(input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let counters = input.counters();
    let max_bytes = ctx.limits.max_bytes;
    let mut de = serde_json::Deserializer::from_reader(input);
    let report: JsonReport = JsonReport::deserialize(&mut de).map_err(|e| super::json_error(e, &counters, max_bytes))?;
    de.end().map_err(|e| super::json_error(e, &counters, max_bytes))?;
    ctx.meta.tool_version = report.version.as_ref().and_then(scalar);
    ctx.meta.scan_start = report.generated.as_ref().and_then(scalar).as_deref().and_then(timestamp);
    let position = counters.position();
    let sites = match report.site {
        Some(Value::Array(a)) => a,
        Some(Value::Object(o)) => vec![Value::Object(o)],
        Some(Value::Null) | None => {
            return Err(ImportError::WrongFormat {
                expected: Format::ZapJson,
                found: "JSON without \"site\"".into(),
            });
        }
        Some(_) => {
            return Err(ImportError::InvalidField {
                field: "site".into(),
                value: "not an object or array".into(),
                position,
            });
        }
    };
    for s in sites {
        let Value::Object(s) = s else {
            return Err(ImportError::InvalidField {
                field: "site".into(),
                value: "not an object".into(),
                position,
            });
        };
        let site = Site {
            name: get(&s, "@name").and_then(scalar),
            host: get(&s, "@host").and_then(scalar),
            port: get(&s, "@port").and_then(scalar),
        };
        let alerts = match get(&s, "alerts") {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(_) => {
                return Err(ImportError::InvalidField {
                    field: "alerts".into(),
                    value: "not an array".into(),
                    position,
                });
            }
        };
        for a in alerts {
            let Value::Object(a) = a else {
                return Err(ImportError::InvalidField {
                    field: "alerts[]".into(),
                    value: "not an object".into(),
                    position,
                });
            };
            let mut alert = Alert::default();
            for (k, v) in &a {
                if k == "instances" {
                    continue;
                }
                if let Some(v) = scalar(v) {
                    set_alert_field(&mut alert, k, v);
                }
            }
            if let Some(Value::Array(instances)) = a.get("instances") {
                for i in instances {
                    let Value::Object(i) = i else { continue };
                    let mut inst = Instance::default();
                    for (k, v) in i {
                        if let Some(v) = scalar(v) {
                            set_instance_field(&mut inst, k, v);
                        }
                    }
                    alert.instances.push(inst);
                }
            }
            emit_alert(&site, alert, ctx, position)?;
        }
    }
    Ok(())
}
