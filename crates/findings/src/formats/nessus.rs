//! Tenable Nessus `.nessus` v2: `NessusClientData_v2/Report/ReportHost/ReportItem`.

use std::io::Read;

use crate::Ctx;
use crate::error::ImportError;
use crate::input::Input;
use crate::model::{Asset, CvssVersion, Finding, Format, Host, Severity, Timestamp, Tool};
use crate::text::{
    cwes_in, host_from_parts, lower_owned, non_empty, non_empty_owned, normalise_name, push_cve, push_cwe, push_ref, timestamp,
};
use crate::xml::{Ev, Xml, attr, attrs, name_of};

#[derive(Default)]
struct HostState {
    report_name: String,
    ip: Option<String>,
    fqdn: Option<String>,
    netbios: Option<String>,
    os: Option<String>,
    mac: Option<String>,
    host: Option<Host>,
}

impl HostState {
    fn finish_properties(&mut self) -> Asset {
        let name = self.fqdn.as_deref().or(Some(self.report_name.as_str()));
        let host = host_from_parts(name, self.ip.as_deref());
        // The report name is the target as scanned; when it is a name, it is the host's name.
        let mut host = host.unwrap_or_default();
        if host.name.is_none()
            && let Some(n) = self.netbios.as_deref().and_then(normalise_name)
        {
            host.name = Some(n);
        }
        let mut other = Vec::new();
        for n in [self.netbios.as_deref(), Some(self.report_name.as_str())].into_iter().flatten() {
            if let Some(n) = normalise_name(n)
                && host.name.as_ref() != Some(&n)
                && crate::text::parse_ip(&n).is_none()
                && !other.contains(&n)
            {
                other.push(n);
            }
        }
        self.host = if host.is_empty() { None } else { Some(host.clone()) };
        Asset {
            host,
            other_names: other,
            os: self.os.clone(),
            mac: self.mac.clone(),
        }
    }
}

#[derive(Default)]
struct Item {
    plugin_id: String,
    plugin_name: String,
    severity: Option<String>,
    port: Option<String>,
    protocol: Option<String>,
    service: Option<String>,
    risk_factor: Option<String>,
    synopsis: Option<String>,
    description: Option<String>,
    solution: Option<String>,
    output: Option<String>,
    cvss2: (Option<String>, Option<String>),
    cvss3: (Option<String>, Option<String>),
    cvss4: (Option<String>, Option<String>),
    cves: Vec<String>,
    cwe: Vec<u32>,
    references: Vec<String>,
}

enum Field {
    Synopsis,
    Description,
    Solution,
    Output,
    RiskFactor,
    PluginName,
    Cvss2Vector,
    Cvss2Score,
    Cvss3Vector,
    Cvss3Score,
    Cvss4Vector,
    Cvss4Score,
    Cve,
    Cwe,
    Xref,
    SeeAlso,
    Other,
}

fn field(name: &[u8]) -> Field {
    match name {
        b"synopsis" => Field::Synopsis,
        b"description" => Field::Description,
        b"solution" => Field::Solution,
        b"plugin_output" => Field::Output,
        b"risk_factor" => Field::RiskFactor,
        b"plugin_name" => Field::PluginName,
        b"cvss_vector" => Field::Cvss2Vector,
        b"cvss_base_score" => Field::Cvss2Score,
        b"cvss3_vector" => Field::Cvss3Vector,
        b"cvss3_base_score" => Field::Cvss3Score,
        b"cvss4_vector" => Field::Cvss4Vector,
        b"cvss4_base_score" => Field::Cvss4Score,
        b"cve" => Field::Cve,
        b"cwe" => Field::Cwe,
        b"xref" => Field::Xref,
        b"see_also" => Field::SeeAlso,
        _ => Field::Other,
    }
}

enum Tag {
    Policy,
    ReportHost(String),
    HostProperties,
    Property(Option<String>),
    ReportItem(Box<Item>),
    ItemField(Field),
    Other,
}

pub(crate) fn import<R: Read>(input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let mut xml = Xml::new(input, &ctx.limits);
    let counters = xml.counters();
    super::expect_root(&mut xml, b"NessusClientData_v2", Format::Nessus, [])?;
    let mut host: Option<HostState> = None;
    let mut item: Option<Box<Item>> = None;
    let mut in_properties = false;
    loop {
        let tag = match xml.next()? {
            Ev::Start(s) => {
                let name = name_of(&s);
                match name {
                    b"Policy" => Tag::Policy,
                    b"ReportHost" => Tag::ReportHost(attr(&s, b"name", &counters)?.unwrap_or_default()),
                    b"HostProperties" if host.is_some() => Tag::HostProperties,
                    b"tag" if in_properties => Tag::Property(attr(&s, b"name", &counters)?),
                    b"ReportItem" if host.is_some() && item.is_none() => {
                        let [plugin_id, plugin_name, severity, port, protocol, service] = attrs(
                            &s,
                            [b"pluginID", b"pluginName", b"severity", b"port", b"protocol", b"svc_name"],
                            &counters,
                        )?;
                        Tag::ReportItem(Box::new(Item {
                            plugin_id: plugin_id.unwrap_or_default(),
                            plugin_name: plugin_name.unwrap_or_default(),
                            severity,
                            port,
                            protocol,
                            service,
                            ..Item::default()
                        }))
                    }
                    _ if item.is_some() => Tag::ItemField(field(name)),
                    _ => Tag::Other,
                }
            }
            Ev::End => {
                // Which element closed follows from the state: the innermost open one of interest.
                if in_properties && xml.depth() == 3 {
                    in_properties = false;
                    if let Some(h) = host.as_mut() {
                        let asset = h.finish_properties();
                        ctx.asset(asset);
                    }
                } else if item.is_some() && xml.depth() == 3 {
                    let it = item.take().expect("checked is_some");
                    emit(*it, host.as_ref(), ctx, &counters)?;
                } else if host.is_some() && xml.depth() == 2 {
                    host = None;
                }
                continue;
            }
            Ev::Eof => break,
            Ev::Other => continue,
        };
        match tag {
            Tag::Policy => xml.skip()?,
            Tag::ReportHost(name) => {
                host = Some(HostState {
                    report_name: name,
                    ..HostState::default()
                });
            }
            Tag::HostProperties => in_properties = true,
            Tag::Property(name) => {
                let value = xml.text("tag")?;
                if let Some(h) = host.as_mut() {
                    host_tag(h, name.as_deref().unwrap_or(""), value, ctx);
                }
            }
            Tag::ReportItem(it) => {
                if let Some(h) = host.as_mut()
                    && h.host.is_none()
                {
                    // A ReportHost without HostProperties: the report name is all there is.
                    let asset = h.finish_properties();
                    ctx.asset(asset);
                }
                item = Some(it);
            }
            Tag::ItemField(f) => {
                let it = item.as_mut().expect("ItemField only while an item is open");
                read_field(&mut xml, f, it)?;
            }
            Tag::Other => {}
        }
    }
    Ok(())
}

fn host_tag(h: &mut HostState, name: &str, value: String, ctx: &mut Ctx<'_>) {
    let value = value.trim();
    match name {
        "host-ip" => h.ip = non_empty(value),
        "host-fqdn" => h.fqdn = non_empty(value),
        "hostname" if h.fqdn.is_none() => h.fqdn = non_empty(value),
        "netbios-name" => h.netbios = non_empty(value),
        "operating-system" => h.os = non_empty(value),
        "os" if h.os.is_none() => h.os = non_empty(value),
        "mac-address" => h.mac = value.split_whitespace().next().map(|m| m.to_ascii_lowercase()),
        "HOST_START_TIMESTAMP" => earliest(&mut ctx.meta.scan_start, timestamp(value)),
        "HOST_END_TIMESTAMP" => latest(&mut ctx.meta.scan_end, timestamp(value)),
        "HOST_START" if ctx.meta.scan_start.is_none() => ctx.meta.scan_start = timestamp(value),
        "HOST_END" if ctx.meta.scan_end.as_ref().is_none_or(|t| t.unix.is_none()) => ctx.meta.scan_end = timestamp(value),
        _ => {}
    }
}

fn earliest(slot: &mut Option<Timestamp>, t: Option<Timestamp>) {
    let Some(t) = t else { return };
    match slot {
        Some(cur) if cur.unix.is_some() && cur.unix <= t.unix => {}
        _ => *slot = Some(t),
    }
}

fn latest(slot: &mut Option<Timestamp>, t: Option<Timestamp>) {
    let Some(t) = t else { return };
    match slot {
        Some(cur) if cur.unix.is_some() && cur.unix >= t.unix => {}
        _ => *slot = Some(t),
    }
}

fn read_field<R: Read>(xml: &mut Xml<R>, f: Field, it: &mut Item) -> Result<(), ImportError> {
    if let Field::Other = f {
        return xml.skip();
    }
    let text = xml.text("ReportItem field")?;
    match f {
        Field::Synopsis => it.synopsis = non_empty_owned(text),
        Field::Description => it.description = non_empty_owned(text),
        Field::Solution => it.solution = non_empty_owned(text),
        Field::Output => it.output = non_empty_owned(text),
        Field::RiskFactor => it.risk_factor = non_empty_owned(text),
        Field::PluginName => {
            if it.plugin_name.is_empty() {
                it.plugin_name = text.trim().to_string();
            }
        }
        Field::Cvss2Vector => it.cvss2.0 = non_empty_owned(text),
        Field::Cvss2Score => it.cvss2.1 = non_empty_owned(text),
        Field::Cvss3Vector => it.cvss3.0 = non_empty_owned(text),
        Field::Cvss3Score => it.cvss3.1 = non_empty_owned(text),
        Field::Cvss4Vector => it.cvss4.0 = non_empty_owned(text),
        Field::Cvss4Score => it.cvss4.1 = non_empty_owned(text),
        Field::Cve => push_cve(&mut it.cves, &text),
        Field::Cwe => {
            for n in cwes_in(&text) {
                push_cwe(&mut it.cwe, n);
            }
        }
        Field::Xref => {
            let t = text.trim();
            if let Some(n) = t.strip_prefix("CWE:").and_then(|n| n.trim().parse().ok()) {
                push_cwe(&mut it.cwe, n);
            }
            push_ref(&mut it.references, t);
        }
        Field::SeeAlso => {
            for r in text.split_whitespace() {
                push_ref(&mut it.references, r);
            }
        }
        Field::Other => {}
    }
    Ok(())
}

fn severity(severity: Option<&str>, risk_factor: Option<&str>, counters: &crate::input::Counters) -> Result<Severity, ImportError> {
    if let Some(s) = severity {
        return match s.trim() {
            "0" => Ok(Severity::Info),
            "1" => Ok(Severity::Low),
            "2" => Ok(Severity::Medium),
            "3" => Ok(Severity::High),
            "4" => Ok(Severity::Critical),
            other => Err(ImportError::InvalidField {
                field: "ReportItem@severity".into(),
                value: other.into(),
                position: counters.position(),
            }),
        };
    }
    match risk_factor {
        Some(r) => Severity::parse_word(r).ok_or_else(|| ImportError::InvalidField {
            field: "risk_factor".into(),
            value: r.into(),
            position: counters.position(),
        }),
        None => Err(ImportError::MissingField {
            field: "ReportItem@severity".into(),
            position: counters.position(),
        }),
    }
}

fn emit(it: Item, host: Option<&HostState>, ctx: &mut Ctx<'_>, counters: &crate::input::Counters) -> Result<(), ImportError> {
    let Some(plugin_id) = non_empty_owned(it.plugin_id) else {
        return Err(ImportError::MissingField {
            field: "ReportItem@pluginID".into(),
            position: counters.position(),
        });
    };
    let severity = severity(it.severity.as_deref(), it.risk_factor.as_deref(), counters)?;
    if plugin_id == "19506"
        && ctx.meta.tool_version.is_none()
        && let Some(out) = it.output.as_deref()
        && let Some(line) = out.lines().find(|l| l.trim_start().starts_with("Nessus version"))
    {
        ctx.meta.tool_version = line.split_once(':').and_then(|(_, v)| non_empty(v));
    }
    let title = non_empty_owned(it.plugin_name).unwrap_or_else(|| format!("Nessus plugin {plugin_id}"));
    let mut f = Finding::new(Tool::Nessus, plugin_id, title, severity);
    f.description = match (it.synopsis, it.description) {
        (Some(mut s), Some(d)) if s != d => {
            s.reserve(2 + d.len());
            s.push_str("\n\n");
            s.push_str(&d);
            Some(s)
        }
        (Some(s), _) => Some(s),
        (None, d) => d,
    };
    f.recommendation = it.solution.filter(|s| !s.eq_ignore_ascii_case("n/a"));
    f.evidence = it.output;
    let v3_version = match it.cvss3.0.as_deref() {
        Some(v) if v.trim_start().starts_with("CVSS:3.0") => CvssVersion::V3_0,
        _ => CvssVersion::V3_1,
    };
    let score = |s: &Option<String>| s.as_deref().and_then(crate::cvss::parse_score);
    f.cvss = ctx.cvss.best(&[
        (it.cvss4.0.as_deref(), score(&it.cvss4.1), CvssVersion::V4_0),
        (it.cvss3.0.as_deref(), score(&it.cvss3.1), v3_version),
        (it.cvss2.0.as_deref(), score(&it.cvss2.1), CvssVersion::V2),
    ]);
    f.cves = it.cves;
    f.cwe = it.cwe;
    f.references = it.references;
    f.host = host.and_then(|h| h.host.clone());
    f.port = it.port.as_deref().and_then(|p| p.trim().parse::<u16>().ok()).filter(|&p| p != 0);
    f.protocol = it.protocol.and_then(lower_owned);
    // Nessus marks a guessed service with a trailing '?' ("https?").
    f.service = it.service.and_then(non_empty_owned).and_then(|mut s| {
        s.truncate(s.trim_end_matches('?').len());
        non_empty_owned(s)
    });
    ctx.emit(f)
}
