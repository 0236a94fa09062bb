//! OWASP ZAP traditional reports, XML (`OWASPZAPReport/site/alerts/alertitem/instances/instance`) and JSON (the same
//! names, `@`-prefixed attributes). Both are streamed: one alert in memory at a time. One finding per instance; an
//! alert without instances is one finding.

use std::io::Read;

use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::Ctx;
use crate::error::{ImportError, Position};
use crate::input::{Counters, Input};
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

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => non_empty(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One alert object of the JSON report, made into an [`Alert`].
fn alert_from_json(a: Map<String, Value>) -> Alert {
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
    alert
}

/// The state the streaming visitors share: each alert is emitted as soon as it is read.
struct Stream<'a, 'c> {
    ctx: &'a mut Ctx<'c>,
    counters: &'a Counters,
    err: &'a mut Option<ImportError>,
}

impl Stream<'_, '_> {
    fn fail<E: serde::de::Error>(&mut self, e: ImportError) -> E {
        *self.err = Some(e);
        E::custom("import stopped")
    }
}

/// The top-level object: `@version`, `@generated` and `site` (an array of sites, or one site object).
struct Top<'a, 'c>(Stream<'a, 'c>);

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a ZAP JSON report object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut seen_site = false;
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                "@version" => self.0.ctx.meta.tool_version = scalar(&map.next_value::<Value>()?),
                "@generated" => self.0.ctx.meta.scan_start = scalar(&map.next_value::<Value>()?).as_deref().and_then(timestamp),
                "site" => {
                    seen_site = true;
                    let stream = Stream {
                        ctx: &mut *self.0.ctx,
                        counters: self.0.counters,
                        err: &mut *self.0.err,
                    };
                    map.next_value_seed(Sites(stream))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(seen_site)
    }
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

/// `site`: an array of site objects, or one site object (older ZAP versions).
struct Sites<'a, 'c>(Stream<'a, 'c>);

impl<'de> Visitor<'de> for Sites<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of sites or a site object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let stream = Stream {
                ctx: &mut *self.0.ctx,
                counters: self.0.counters,
                err: &mut *self.0.err,
            };
            if seq.next_element_seed(SiteSeed(stream))?.is_none() {
                return Ok(());
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        SiteVisitor(self.0).visit_map(map)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Sites<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

struct SiteSeed<'a, 'c>(Stream<'a, 'c>);

impl<'de> DeserializeSeed<'de> for SiteSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(SiteVisitor(self.0))
    }
}

/// One site: its `@name`, `@host`, `@port` (ZAP writes them before `alerts`), then each alert as it is read.
struct SiteVisitor<'a, 'c>(Stream<'a, 'c>);

impl<'de> Visitor<'de> for SiteVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a site object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut site = Site::default();
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                "@name" => site.name = scalar(&map.next_value::<Value>()?),
                "@host" => site.host = scalar(&map.next_value::<Value>()?),
                "@port" => site.port = scalar(&map.next_value::<Value>()?),
                "alerts" => {
                    let stream = Stream {
                        ctx: &mut *self.0.ctx,
                        counters: self.0.counters,
                        err: &mut *self.0.err,
                    };
                    map.next_value_seed(Alerts { stream, site: &site })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Alerts<'a, 'c, 's> {
    stream: Stream<'a, 'c>,
    site: &'s Site,
}

impl<'de> Visitor<'de> for Alerts<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of alerts")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(a) = seq.next_element::<Map<String, Value>>()? {
            let position = self.stream.counters.position();
            if let Err(e) = emit_alert(self.site, alert_from_json(a), self.stream.ctx, position) {
                return Err(self.stream.fail(e));
            }
        }
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Alerts<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Streams the JSON report: one alert (with its instances) in memory at a time.
pub(crate) fn import_json<R: Read>(input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
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
    let seen_site = result.map_err(|e| super::json_error(e, &counters, max_bytes))?;
    de.end().map_err(|e| super::json_error(e, &counters, max_bytes))?;
    if !seen_site {
        return Err(ImportError::WrongFormat {
            expected: Format::ZapJson,
            found: "JSON without \"site\"".into(),
        });
    }
    Ok(())
}
