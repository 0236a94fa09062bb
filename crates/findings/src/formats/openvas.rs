//! Greenbone / OpenVAS XML reports (GMP `get_reports` XML): `report/report/results/result`.

use std::io::Read;

use crate::Ctx;
use crate::error::ImportError;
use crate::input::{Counters, Input};
use crate::model::{Asset, CvssVersion, Finding, Format, Severity, Tool};
use crate::text::{cwes_in, host_from_parts, non_empty, non_empty_owned, normalise_name, push_cve, push_cwe, push_ref, timestamp};
use crate::xml::{Ev, Xml, attr, name_of};

enum Tag {
    Result,
    HostSummary,
    ScanStart,
    ScanEnd,
    ProtocolVersion,
    Container,
    Skip,
}

pub(crate) fn import<R: Read>(input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let mut xml = Xml::new(input, &ctx.limits);
    let counters = xml.counters();
    super::expect_root(&mut xml, b"report", Format::OpenVas, [])?;
    // Names of the open elements below the root that this loop descended into.
    let mut stack: Vec<Vec<u8>> = Vec::new();
    loop {
        let tag = match xml.next()? {
            Ev::Start(s) => {
                let name = name_of(&s);
                let parent = stack.last().map(|p| p.as_slice()).unwrap_or(b"report");
                let tag = match (parent, name) {
                    (b"results", b"result") => Tag::Result,
                    (b"report", b"host") => Tag::HostSummary,
                    (b"report", b"scan_start") => Tag::ScanStart,
                    (b"report", b"scan_end") => Tag::ScanEnd,
                    (b"gmp" | b"omp", b"version") => Tag::ProtocolVersion,
                    (b"report", b"report" | b"results" | b"gmp" | b"omp") => Tag::Container,
                    _ => Tag::Skip,
                };
                if let Tag::Container = tag {
                    stack.push(name.to_vec());
                }
                tag
            }
            Ev::End => {
                stack.pop();
                continue;
            }
            Ev::Eof => break,
            Ev::Other => continue,
        };
        match tag {
            Tag::Result => result(&mut xml, ctx, &counters)?,
            Tag::HostSummary => host_summary(&mut xml, ctx)?,
            Tag::ScanStart => ctx.meta.scan_start = timestamp(&xml.text("scan_start")?),
            Tag::ScanEnd => ctx.meta.scan_end = timestamp(&xml.text("scan_end")?),
            Tag::ProtocolVersion => {
                let v = xml.text("version")?;
                if ctx.meta.tool_version.is_none() {
                    ctx.meta.tool_version = non_empty(&v).map(|v| format!("GMP {v}"));
                }
            }
            Tag::Container => {}
            Tag::Skip => xml.skip()?,
        }
    }
    Ok(())
}

fn host_summary<R: Read>(xml: &mut Xml<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let start = xml.depth();
    let mut ip = None;
    let mut hostname = None;
    let mut os = None;
    let mut mac = None;
    loop {
        let (is_ip, is_detail) = match xml.next()? {
            Ev::Start(s) => {
                let n = name_of(&s);
                (n == b"ip", n == b"detail")
            }
            Ev::End => {
                if xml.depth() < start {
                    break;
                }
                continue;
            }
            Ev::Eof => break,
            Ev::Other => continue,
        };
        let direct = xml.depth() == start + 1;
        if direct && is_ip {
            ip = non_empty_owned(xml.text("ip")?);
        } else if direct && is_detail {
            let (_, children) = xml.text_parts("detail")?;
            let get = |k: &[u8]| children.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string());
            match get(b"name").as_deref() {
                Some("hostname") => hostname = get(b"value").filter(|v| !v.is_empty()),
                Some("best_os_txt") => os = get(b"value").filter(|v| !v.is_empty()),
                Some("MAC") => mac = get(b"value").filter(|v| !v.is_empty()).map(|m| m.to_ascii_lowercase()),
                _ => {}
            }
        } else {
            xml.skip()?;
        }
    }
    if let Some(host) = host_from_parts(hostname.as_deref(), ip.as_deref()) {
        ctx.asset(Asset {
            host,
            other_names: Vec::new(),
            os,
            mac,
        });
    }
    Ok(())
}

#[derive(Default)]
struct Res {
    name: Option<String>,
    host_ip: Option<String>,
    hostname: Option<String>,
    port: Option<String>,
    threat: Option<String>,
    original_threat: Option<String>,
    severity: Option<String>,
    description: Option<String>,
    oid: Option<String>,
    nvt_name: Option<String>,
    cvss_base: Option<String>,
    tags: Option<String>,
    solution: Option<String>,
    vectors: Vec<(String, String)>,
    cves: Vec<String>,
    cwe: Vec<u32>,
    references: Vec<String>,
}

enum RTag {
    Name,
    Host,
    Port,
    Threat,
    OriginalThreat,
    Severity,
    Description,
    Nvt(Option<String>),
    CvssBase,
    Tags,
    Solution,
    Refs,
    Ref(Option<String>, Option<String>),
    Severities,
    SeverityEntry(Option<String>),
    Skip,
}

fn result<R: Read>(xml: &mut Xml<R>, ctx: &mut Ctx<'_>, counters: &Counters) -> Result<(), ImportError> {
    let start = xml.depth();
    let mut r = Res::default();
    loop {
        let tag = match xml.next()? {
            Ev::Start(s) => r_tag(name_of(&s), &s, counters)?,
            Ev::End => {
                if xml.depth() < start {
                    break;
                }
                continue;
            }
            Ev::Eof => break,
            Ev::Other => continue,
        };
        let rel = xml.depth() - start;
        match (rel, tag) {
            (1, RTag::Name) => r.name = non_empty_owned(xml.text("name")?),
            (1, RTag::Host) => {
                let (own, children) = xml.text_parts("host")?;
                r.host_ip = non_empty_owned(own);
                r.hostname = children
                    .into_iter()
                    .find(|(n, _)| n == b"hostname")
                    .and_then(|(_, v)| non_empty_owned(v));
            }
            (1, RTag::Port) => r.port = non_empty_owned(xml.text("port")?),
            (1, RTag::Threat) => r.threat = non_empty_owned(xml.text("threat")?),
            (1, RTag::OriginalThreat) => r.original_threat = non_empty_owned(xml.text("original_threat")?),
            (1, RTag::Severity) => r.severity = non_empty_owned(xml.text("severity")?),
            (1, RTag::Description) => r.description = non_empty_owned(xml.text("description")?),
            (1, RTag::Nvt(oid)) => r.oid = oid,
            (2, RTag::Name) => r.nvt_name = non_empty_owned(xml.text("nvt/name")?),
            (2, RTag::CvssBase) => r.cvss_base = non_empty_owned(xml.text("cvss_base")?),
            (2, RTag::Tags) => r.tags = non_empty_owned(xml.text("tags")?),
            (2, RTag::Solution) => r.solution = non_empty_owned(xml.text("solution")?),
            (2, RTag::Refs) | (2, RTag::Severities) => {}
            (3, RTag::Ref(kind, id)) => {
                let (kind, id) = (kind.unwrap_or_default().to_ascii_lowercase(), id.unwrap_or_default());
                match kind.as_str() {
                    "cve" => push_cve(&mut r.cves, &id),
                    "cwe" => cwes_in(&id).into_iter().for_each(|n| push_cwe(&mut r.cwe, n)),
                    "url" => push_ref(&mut r.references, &id),
                    _ if !id.trim().is_empty() => push_ref(&mut r.references, &format!("{kind}: {}", id.trim())),
                    _ => {}
                }
                xml.skip()?;
            }
            (3, RTag::SeverityEntry(kind)) => {
                let (_, children) = xml.text_parts("severity")?;
                if let Some((_, v)) = children.into_iter().find(|(n, _)| n == b"value")
                    && !v.trim().is_empty()
                {
                    r.vectors.push((kind.unwrap_or_default(), v.trim().to_string()));
                }
            }
            _ => xml.skip()?,
        }
    }
    emit(r, ctx, counters)
}

fn r_tag(n: &[u8], s: &quick_xml::events::BytesStart<'_>, counters: &Counters) -> Result<RTag, ImportError> {
    Ok(match n {
        b"name" => RTag::Name,
        b"host" => RTag::Host,
        b"port" => RTag::Port,
        b"threat" => RTag::Threat,
        b"original_threat" => RTag::OriginalThreat,
        b"severity" => {
            // result/severity (a score) or nvt/severities/severity (an entry with a type).
            match attr(s, b"type", counters)? {
                Some(t) => RTag::SeverityEntry(Some(t)),
                None => RTag::Severity,
            }
        }
        b"description" => RTag::Description,
        b"nvt" => RTag::Nvt(attr(s, b"oid", counters)?),
        b"cvss_base" => RTag::CvssBase,
        b"tags" => RTag::Tags,
        b"solution" => RTag::Solution,
        b"refs" => RTag::Refs,
        b"ref" => RTag::Ref(attr(s, b"type", counters)?, attr(s, b"id", counters)?),
        b"severities" => RTag::Severities,
        _ => RTag::Skip,
    })
}

fn threat_severity(word: &str) -> Option<(Severity, bool)> {
    let w = word.trim().to_ascii_lowercase();
    Some(match w.as_str() {
        "critical" => (Severity::Critical, false),
        "high" | "alarm" => (Severity::High, false),
        "medium" => (Severity::Medium, false),
        "low" => (Severity::Low, false),
        "log" | "debug" | "none" => (Severity::Info, false),
        "false positive" => (Severity::Info, true),
        _ => return None,
    })
}

fn tag_value<'a>(tags: &'a str, key: &str) -> Option<&'a str> {
    tags.split('|').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        if k.trim() == key {
            Some(v.trim()).filter(|v| !v.is_empty())
        } else {
            None
        }
    })
}

fn emit(r: Res, ctx: &mut Ctx<'_>, counters: &Counters) -> Result<(), ImportError> {
    let oid = r.oid.as_deref().and_then(non_empty).ok_or_else(|| ImportError::MissingField {
        field: "result/nvt@oid".into(),
        position: counters.position(),
    })?;
    let score = r.severity.as_deref().and_then(crate::cvss::parse_score);
    let (severity, suppressed) = match r.threat.as_deref().and_then(threat_severity) {
        Some((_, true)) => {
            let original = r.original_threat.as_deref().and_then(threat_severity).map(|(s, _)| s);
            (original.unwrap_or(Severity::Info), true)
        }
        Some((s, false)) => (s, false),
        None => match score {
            Some(s) => (Severity::from_cvss_score(s), false),
            None => {
                return Err(ImportError::MissingField {
                    field: "result/threat".into(),
                    position: counters.position(),
                });
            }
        },
    };
    let title = r
        .name
        .clone()
        .or(r.nvt_name.clone())
        .unwrap_or_else(|| format!("OpenVAS NVT {oid}"));
    let mut f = Finding::new(Tool::OpenVas, oid, title, severity);
    f.suppressed = suppressed;
    let tags = r.tags.as_deref().unwrap_or("");
    let mut description = String::new();
    for key in ["summary", "insight", "impact", "affected"] {
        if let Some(v) = tag_value(tags, key) {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            if key != "summary" {
                let mut label = key.to_string();
                label[..1].make_ascii_uppercase();
                description.push_str(&label);
                description.push_str(": ");
            }
            description.push_str(v);
        }
    }
    f.description = non_empty_owned(description);
    f.recommendation = r.solution.or_else(|| tag_value(tags, "solution").map(str::to_string));
    f.evidence = r.description;
    let mut candidates: Vec<(Option<&str>, Option<f64>, CvssVersion)> = Vec::new();
    let reported = score.or(r.cvss_base.as_deref().and_then(crate::cvss::parse_score));
    let mut vectors: Vec<(&str, CvssVersion)> = r
        .vectors
        .iter()
        .map(|(kind, v)| {
            let version = if kind.contains("v4") || v.starts_with("CVSS:4") {
                CvssVersion::V4_0
            } else if kind.contains("v3") || v.starts_with("CVSS:3") {
                CvssVersion::V3_1
            } else {
                CvssVersion::V2
            };
            (v.as_str(), version)
        })
        .collect();
    if vectors.is_empty()
        && let Some(v) = tag_value(tags, "cvss_base_vector")
    {
        let version = if v.starts_with("CVSS:4") {
            CvssVersion::V4_0
        } else if v.starts_with("CVSS:3") {
            CvssVersion::V3_1
        } else {
            CvssVersion::V2
        };
        vectors.push((v, version));
    }
    vectors.sort_by_key(|v| std::cmp::Reverse(v.1));
    for (v, version) in &vectors {
        candidates.push((Some(v), reported, *version));
    }
    if candidates.is_empty()
        && let Some(s) = reported
    {
        candidates.push((None, Some(s), CvssVersion::V3_1));
    }
    f.cvss = ctx.cvss.best(&candidates).map(|mut c| {
        if c.vector.is_none() {
            // A score alone: Greenbone's severity score, version unknown.
            c.version = None;
        }
        c
    });
    f.cves = r.cves;
    f.cwe = r.cwe;
    f.references = r.references;
    f.host = host_from_parts(r.hostname.as_deref(), r.host_ip.as_deref());
    if let Some(h) = &f.host {
        let mut host = h.clone();
        host.name = host.name.or_else(|| r.hostname.as_deref().and_then(normalise_name));
        ctx.asset(Asset { host, ..Asset::default() });
    }
    if let Some(p) = r.port.as_deref() {
        let (port, proto) = p.split_once('/').unwrap_or((p, ""));
        f.port = port.trim().parse::<u16>().ok().filter(|&p| p != 0);
        f.protocol = non_empty(proto).map(|p| p.to_ascii_lowercase());
    }
    ctx.emit(f)
}
