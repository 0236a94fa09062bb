//! Burp Suite "report issues" XML: `issues/issue`. Request and response bodies are skipped, never kept.

use std::io::Read;

use crate::Ctx;
use crate::error::ImportError;
use crate::input::Input;
use crate::model::{Finding, Format, Host, Severity, Tool};
use crate::text::{
    cwes_in, host_from_parts, hrefs_in, html_to_text, non_empty, non_empty_owned, push_cwe, push_ref, split_url, timestamp, url_port,
};
use crate::xml::{Ev, Xml, attr, name_of};

#[derive(Default)]
struct Issue {
    kind: Option<String>,
    name: Option<String>,
    host: Option<String>,
    host_ip: Option<String>,
    path: Option<String>,
    location: Option<String>,
    severity: Option<String>,
    background: Option<String>,
    remediation_background: Option<String>,
    references: Option<String>,
    classifications: Option<String>,
    detail: Option<String>,
    detail_items: Vec<String>,
    remediation_detail: Option<String>,
}

pub(crate) fn import<R: Read>(input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let mut xml = Xml::new(input, &ctx.limits);
    let counters = xml.counters();
    let [version, export_time] = super::expect_root(&mut xml, b"issues", Format::Burp, [b"burpVersion", b"exportTime"])?;
    ctx.meta.tool_version = version.as_deref().and_then(non_empty);
    ctx.meta.scan_end = export_time.as_deref().and_then(timestamp);
    loop {
        let is_issue = match xml.next()? {
            Ev::Start(s) => name_of(&s) == b"issue",
            Ev::End | Ev::Other => continue,
            Ev::Eof => break,
        };
        if !is_issue {
            xml.skip()?;
            continue;
        }
        let issue = issue(&mut xml)?;
        emit(issue, ctx, &counters)?;
    }
    Ok(())
}

fn issue<R: Read>(xml: &mut Xml<R>) -> Result<Issue, ImportError> {
    let start = xml.depth();
    let counters = xml.counters();
    let mut i = Issue::default();
    loop {
        let (name, ip) = match xml.next()? {
            Ev::Start(s) => {
                let n = String::from_utf8_lossy(name_of(&s)).into_owned();
                let ip = if n == "host" { attr(&s, b"ip", &counters)? } else { None };
                (n, ip)
            }
            Ev::End => {
                if xml.depth() < start {
                    return Ok(i);
                }
                continue;
            }
            Ev::Other => continue,
            Ev::Eof => return Ok(i),
        };
        let rel = xml.depth() - start;
        if rel == 2 && name == "issueDetailItem" {
            if let Some(t) = non_empty_owned(xml.text("issueDetailItem")?) {
                i.detail_items.push(t);
            }
            continue;
        }
        if rel != 1 {
            xml.skip()?;
            continue;
        }
        let slot = match name.as_str() {
            "type" => &mut i.kind,
            "name" => &mut i.name,
            "host" => {
                i.host_ip = ip;
                &mut i.host
            }
            "path" => &mut i.path,
            "location" => &mut i.location,
            "severity" => &mut i.severity,
            "issueBackground" => &mut i.background,
            "remediationBackground" => &mut i.remediation_background,
            "references" => &mut i.references,
            "vulnerabilityClassifications" => &mut i.classifications,
            "issueDetail" => &mut i.detail,
            "remediationDetail" => &mut i.remediation_detail,
            "issueDetailItems" => continue,
            _ => {
                xml.skip()?;
                continue;
            }
        };
        *slot = non_empty_owned(xml.text(&name)?);
    }
}

/// The parameter named in a Burp location such as `/search.php [q parameter]`.
fn parameter(location: &str) -> Option<String> {
    let inner = location.rsplit_once('[')?.1.strip_suffix(']')?;
    non_empty(inner)
}

fn emit(i: Issue, ctx: &mut Ctx<'_>, counters: &crate::input::Counters) -> Result<(), ImportError> {
    let position = counters.position();
    let kind = i.kind.clone().ok_or_else(|| ImportError::MissingField {
        field: "issue/type".into(),
        position,
    })?;
    let (severity, suppressed) = match i.severity.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        Some(s) if s == "false positive" => (Severity::Info, true),
        Some(s) => match Severity::parse_word(&s) {
            Some(sev) => (sev, false),
            None => {
                return Err(ImportError::InvalidField {
                    field: "issue/severity".into(),
                    value: s,
                    position,
                });
            }
        },
        None => {
            return Err(ImportError::MissingField {
                field: "issue/severity".into(),
                position,
            });
        }
    };
    let mut f = Finding::new(
        Tool::Burp,
        kind.trim(),
        i.name.clone().unwrap_or_else(|| format!("Burp issue {}", kind.trim())),
        severity,
    );
    f.suppressed = suppressed;
    f.description = i.background.as_deref().map(html_to_text).and_then(non_empty_owned);
    f.recommendation = i
        .remediation_detail
        .as_deref()
        .or(i.remediation_background.as_deref())
        .map(html_to_text)
        .and_then(non_empty_owned);
    let mut evidence: Vec<String> = Vec::new();
    if let Some(d) = i.detail.as_deref() {
        evidence.push(html_to_text(d));
    }
    evidence.extend(i.detail_items.iter().map(|d| html_to_text(d)));
    f.evidence = non_empty_owned(evidence.join("\n\n"));
    if let Some(r) = i.references.as_deref() {
        for link in hrefs_in(r) {
            push_ref(&mut f.references, &link);
        }
    }
    if let Some(c) = i.classifications.as_deref() {
        for n in cwes_in(c) {
            push_cwe(&mut f.cwe, n);
        }
    }
    let base = i.host.as_deref().unwrap_or("").trim().trim_end_matches('/');
    let path = i.path.as_deref().unwrap_or("").trim();
    let url = format!("{base}{path}");
    let parts = split_url(&url);
    f.host = parts
        .as_ref()
        .and_then(|p| host_from_parts(Some(&p.host), i.host_ip.as_deref()))
        .or_else(|| i.host_ip.as_deref().and_then(|ip| host_from_parts(None, Some(ip))).map(|h: Host| h));
    f.port = parts.as_ref().and_then(url_port);
    f.protocol = Some("tcp".into());
    f.url = non_empty(&url);
    f.parameter = i.location.as_deref().and_then(parameter);
    ctx.asset_of(&f.host);
    ctx.emit(f)
}
