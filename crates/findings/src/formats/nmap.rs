//! Nmap XML (`<nmaprun>`). Nmap reports hosts and ports, not vulnerabilities: open ports of services that should
//! not be exposed become findings (table below), as do CVEs listed by the `vulners` NSE script. Every host that is
//! up becomes an asset.

use std::io::Read;

use crate::Ctx;
use crate::error::ImportError;
use crate::input::Counters;
use crate::input::Input;
use crate::model::{Asset, Finding, Format, Host, Severity, Tool};
use crate::text::{host_from_parts, non_empty, normalise_name, push_cve, timestamp};
use crate::xml::{Ev, Xml, attr, name_of};

/// A service that should not be reachable from an untrusted network.
pub(crate) struct Exposure {
    pub key: &'static str,
    pub ports: &'static [u16],
    pub services: &'static [&'static str],
    pub severity: Severity,
    pub title: &'static str,
    pub why: &'static str,
}

/// The exposure table (TCP). Severity assumes the port is reachable from an untrusted network; the priority step
/// (asset criticality, exposure) refines it.
pub(crate) const EXPOSURES: &[Exposure] = &[
    Exposure {
        key: "telnet",
        ports: &[23],
        services: &["telnet"],
        severity: Severity::High,
        title: "Telnet service exposed",
        why: "Telnet sends credentials and sessions in clear text.",
    },
    Exposure {
        key: "ftp",
        ports: &[21],
        services: &["ftp"],
        severity: Severity::Medium,
        title: "FTP service exposed",
        why: "FTP sends credentials in clear text and is often misconfigured for anonymous access.",
    },
    Exposure {
        key: "rdp",
        ports: &[3389],
        services: &["ms-wbt-server", "rdp"],
        severity: Severity::High,
        title: "RDP (Remote Desktop) service exposed",
        why: "Exposed RDP is a frequent entry point for ransomware (password guessing, RDP vulnerabilities).",
    },
    Exposure {
        key: "smb",
        ports: &[445, 139],
        services: &["microsoft-ds", "netbios-ssn", "smb"],
        severity: Severity::High,
        title: "SMB / NetBIOS file sharing exposed",
        why: "SMB exposes file shares and has a history of wormable vulnerabilities.",
    },
    Exposure {
        key: "vnc",
        ports: &[5900],
        services: &["vnc", "vnc-http"],
        severity: Severity::High,
        title: "VNC remote desktop exposed",
        why: "VNC often has weak or no authentication and weak encryption.",
    },
    Exposure {
        key: "mysql",
        ports: &[3306],
        services: &["mysql"],
        severity: Severity::High,
        title: "MySQL database exposed",
        why: "A database should be reachable only from the applications that use it.",
    },
    Exposure {
        key: "postgresql",
        ports: &[5432],
        services: &["postgresql"],
        severity: Severity::High,
        title: "PostgreSQL database exposed",
        why: "A database should be reachable only from the applications that use it.",
    },
    Exposure {
        key: "mssql",
        ports: &[1433],
        services: &["ms-sql-s"],
        severity: Severity::High,
        title: "Microsoft SQL Server database exposed",
        why: "A database should be reachable only from the applications that use it.",
    },
    Exposure {
        key: "oracle",
        ports: &[1521],
        services: &["oracle", "oracle-tns"],
        severity: Severity::High,
        title: "Oracle database listener exposed",
        why: "A database should be reachable only from the applications that use it.",
    },
    Exposure {
        key: "mongodb",
        ports: &[27017],
        services: &["mongodb", "mongod"],
        severity: Severity::High,
        title: "MongoDB database exposed",
        why: "MongoDB is often deployed without authentication; data leaks and ransom wipes are common.",
    },
    Exposure {
        key: "redis",
        ports: &[6379],
        services: &["redis"],
        severity: Severity::High,
        title: "Redis exposed",
        why: "Redis is often deployed without authentication and can be abused to run code.",
    },
    Exposure {
        key: "elasticsearch",
        ports: &[9200],
        services: &["elasticsearch", "wap-wsp"],
        severity: Severity::High,
        title: "Elasticsearch exposed",
        why: "Elasticsearch is often deployed without authentication; data leaks are common.",
    },
];

fn exposure(port: u16, protocol: &str, service: Option<&str>, probed: bool) -> Option<&'static Exposure> {
    if protocol != "tcp" {
        return None;
    }
    match service {
        // Nmap identified the service by probing it: trust the name, whatever the port.
        Some(name) if probed => EXPOSURES.iter().find(|e| e.services.contains(&name)),
        // Otherwise the name is Nmap's guess from the port number: go by the port.
        _ => EXPOSURES.iter().find(|e| e.ports.contains(&port)),
    }
}

#[derive(Default)]
struct Port {
    port: u16,
    protocol: String,
    open: bool,
    reason: Option<String>,
    service: Option<String>,
    probed: bool,
    product: Option<String>,
    version: Option<String>,
    extrainfo: Option<String>,
    vulners: Vec<Vuln>,
}

#[derive(Default)]
struct Vuln {
    id: String,
    kind: String,
    cvss: Option<f64>,
    exploit: bool,
}

#[derive(Default)]
struct HostState {
    up: bool,
    ipv4: Option<String>,
    ipv6: Option<String>,
    mac: Option<String>,
    names: Vec<(String, String)>,
    os: Option<(u32, String)>,
    ports: Vec<Port>,
}

pub(crate) fn import<R: Read>(input: Input<R>, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    let mut xml = Xml::new(input, &ctx.limits);
    let counters = xml.counters();
    let [version, start] = super::expect_root(&mut xml, b"nmaprun", Format::Nmap, [b"version", b"start"])?;
    ctx.meta.tool_version = version.and_then(|v| non_empty(&v));
    ctx.meta.scan_start = start.as_deref().and_then(timestamp);
    loop {
        enum T {
            Host,
            Finished(Option<String>),
            Descend,
            Skip,
        }
        let t = match xml.next()? {
            Ev::Start(s) => match name_of(&s) {
                b"host" => T::Host,
                b"finished" => T::Finished(attr(&s, b"time", &counters)?),
                b"runstats" => T::Descend,
                _ => T::Skip,
            },
            Ev::End | Ev::Other => continue,
            Ev::Eof => break,
        };
        match t {
            T::Host => host(&mut xml, ctx, &counters)?,
            T::Finished(time) => {
                ctx.meta.scan_end = time.as_deref().and_then(timestamp);
                xml.skip()?;
            }
            T::Descend => {}
            T::Skip => xml.skip()?,
        }
    }
    Ok(())
}

fn host<R: Read>(xml: &mut Xml<R>, ctx: &mut Ctx<'_>, counters: &Counters) -> Result<(), ImportError> {
    let start = xml.depth();
    let mut h = HostState {
        up: true,
        ..HostState::default()
    };
    loop {
        enum T {
            Status(Option<String>),
            Address(Option<String>, Option<String>),
            Hostname(Option<String>, Option<String>),
            OsMatch(Option<String>, Option<String>),
            Port(Option<String>, Option<String>),
            Descend,
            Skip,
        }
        let t = match xml.next()? {
            Ev::Start(s) => match name_of(&s) {
                b"status" => T::Status(attr(&s, b"state", counters)?),
                b"address" => T::Address(attr(&s, b"addr", counters)?, attr(&s, b"addrtype", counters)?),
                b"hostname" => T::Hostname(attr(&s, b"name", counters)?, attr(&s, b"type", counters)?),
                b"osmatch" => T::OsMatch(attr(&s, b"name", counters)?, attr(&s, b"accuracy", counters)?),
                b"port" => T::Port(attr(&s, b"portid", counters)?, attr(&s, b"protocol", counters)?),
                b"hostnames" | b"ports" | b"os" => T::Descend,
                _ => T::Skip,
            },
            Ev::End => {
                if xml.depth() < start {
                    break;
                }
                continue;
            }
            Ev::Other => continue,
            Ev::Eof => break,
        };
        match t {
            T::Status(state) => {
                h.up = state.as_deref() != Some("down");
                xml.skip()?;
            }
            T::Address(addr, kind) => {
                let addr = addr.unwrap_or_default();
                match kind.as_deref() {
                    Some("ipv6") => h.ipv6 = non_empty(&addr),
                    Some("mac") => h.mac = non_empty(&addr).map(|m| m.to_ascii_lowercase()),
                    _ => h.ipv4 = non_empty(&addr),
                }
                xml.skip()?;
            }
            T::Hostname(name, kind) => {
                if let Some(n) = name.as_deref().and_then(normalise_name) {
                    h.names.push((n, kind.unwrap_or_default()));
                }
                xml.skip()?;
            }
            T::OsMatch(name, accuracy) => {
                let acc = accuracy.and_then(|a| a.parse::<u32>().ok()).unwrap_or(0);
                if let Some(name) = name.as_deref().and_then(non_empty)
                    && h.os.as_ref().is_none_or(|(a, _)| acc > *a)
                {
                    h.os = Some((acc, name));
                }
                xml.skip()?;
            }
            T::Port(id, protocol) => {
                let port = id
                    .as_deref()
                    .and_then(|p| p.trim().parse::<u16>().ok())
                    .ok_or_else(|| ImportError::InvalidField {
                        field: "port@portid".into(),
                        value: id.clone().unwrap_or_default(),
                        position: counters.position(),
                    })?;
                let mut p = Port {
                    port,
                    protocol: protocol.unwrap_or_default().to_ascii_lowercase(),
                    ..Port::default()
                };
                port_body(xml, &mut p, counters)?;
                h.ports.push(p);
            }
            T::Descend => {}
            T::Skip => xml.skip()?,
        }
    }
    if !h.up {
        return Ok(());
    }
    let name = h
        .names
        .iter()
        .find(|(_, k)| k == "user")
        .or(h.names.first())
        .map(|(n, _)| n.clone());
    let ip = h.ipv4.clone().or(h.ipv6.clone());
    let Some(host) = host_from_parts(name.as_deref(), ip.as_deref()) else {
        return Ok(());
    };
    let other_names = h
        .names
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| Some(n) != host.name.as_ref())
        .fold(Vec::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n);
            }
            v
        });
    ctx.asset(Asset {
        host: host.clone(),
        other_names,
        os: h.os.map(|(_, n)| n),
        mac: h.mac.clone(),
    });
    for p in h.ports {
        emit_port(p, &host, ctx)?;
    }
    Ok(())
}

fn port_body<R: Read>(xml: &mut Xml<R>, p: &mut Port, counters: &Counters) -> Result<(), ImportError> {
    let start = xml.depth();
    loop {
        enum T {
            State(Option<String>, Option<String>),
            Service([Option<String>; 5]),
            Vulners,
            Skip,
        }
        let t = match xml.next()? {
            Ev::Start(s) => match name_of(&s) {
                b"state" => T::State(attr(&s, b"state", counters)?, attr(&s, b"reason", counters)?),
                b"service" => T::Service([
                    attr(&s, b"name", counters)?,
                    attr(&s, b"method", counters)?,
                    attr(&s, b"product", counters)?,
                    attr(&s, b"version", counters)?,
                    attr(&s, b"extrainfo", counters)?,
                ]),
                b"script" if attr(&s, b"id", counters)?.as_deref() == Some("vulners") => T::Vulners,
                _ => T::Skip,
            },
            Ev::End => {
                if xml.depth() < start {
                    return Ok(());
                }
                continue;
            }
            Ev::Other => continue,
            Ev::Eof => return Ok(()),
        };
        match t {
            T::State(state, reason) => {
                p.open = state.as_deref() == Some("open");
                p.reason = reason;
                xml.skip()?;
            }
            T::Service([name, method, product, version, extrainfo]) => {
                p.service = name.as_deref().and_then(non_empty).map(|n| n.to_ascii_lowercase());
                p.probed = method.as_deref() == Some("probed");
                p.product = product.as_deref().and_then(non_empty);
                p.version = version.as_deref().and_then(non_empty);
                p.extrainfo = extrainfo.as_deref().and_then(non_empty);
                xml.skip()?;
            }
            T::Vulners => vulners(xml, p, counters)?,
            T::Skip => xml.skip()?,
        }
    }
}

fn vulners<R: Read>(xml: &mut Xml<R>, p: &mut Port, counters: &Counters) -> Result<(), ImportError> {
    let start = xml.depth();
    let mut cur = Vuln::default();
    loop {
        let key = match xml.next()? {
            Ev::Start(s) => match name_of(&s) {
                b"elem" => Some(attr(&s, b"key", counters)?.unwrap_or_default()),
                _ => None,
            },
            Ev::End => {
                if xml.depth() < start {
                    return Ok(());
                }
                // A table closed: it was one vulnerability if it had an id.
                if !cur.id.is_empty() {
                    p.vulners.push(std::mem::take(&mut cur));
                }
                cur = Vuln::default();
                continue;
            }
            Ev::Other => continue,
            Ev::Eof => return Ok(()),
        };
        if let Some(key) = key {
            let v = xml.text("elem")?;
            let v = v.trim();
            match key.as_str() {
                "id" => cur.id = v.to_string(),
                "type" => cur.kind = v.to_ascii_lowercase(),
                "cvss" => cur.cvss = crate::cvss::parse_score(v),
                "is_exploit" => cur.exploit = v.eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
    }
}

fn emit_port(p: Port, host: &Host, ctx: &mut Ctx<'_>) -> Result<(), ImportError> {
    if !p.open {
        return Ok(());
    }
    let mut banner = format!("{}/{} open", p.port, p.protocol);
    if let Some(s) = &p.service {
        banner.push(' ');
        banner.push_str(s);
    }
    let product: Vec<&str> = [p.product.as_deref(), p.version.as_deref(), p.extrainfo.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !product.is_empty() {
        banner.push_str(&format!(" ({})", product.join(" ")));
    }
    if let Some(r) = &p.reason {
        banner.push_str(&format!(", reason: {r}"));
    }
    if let Some(e) = exposure(p.port, &p.protocol, p.service.as_deref(), p.probed) {
        let mut f = Finding::new(Tool::Nmap, format!("exposed-service/{}", e.key), e.title, e.severity);
        f.description = Some(format!(
            "{} was found open on port {}/{}. {}",
            e.title.trim_end_matches(" exposed"),
            p.port,
            p.protocol,
            e.why
        ));
        f.recommendation = Some(
            "Close the port to untrusted networks (firewall), or restrict it to the addresses that need it, e.g. behind a VPN.".to_string(),
        );
        f.evidence = Some(banner.clone());
        f.host = Some(host.clone());
        f.port = Some(p.port);
        f.protocol = Some(p.protocol.clone());
        f.service = p.service.clone();
        ctx.emit(f)?;
    }
    for v in p.vulners.iter().filter(|v| v.kind == "cve") {
        let severity = v.cvss.map(Severity::from_cvss_score).unwrap_or(Severity::Info);
        let what = if product.is_empty() {
            p.service.clone().unwrap_or_default()
        } else {
            product.join(" ")
        };
        let mut f = Finding::new(
            Tool::Nmap,
            format!("vulners/{}", v.id.to_ascii_uppercase()),
            format!("{} in {}", v.id, what.trim()),
            severity,
        );
        f.cvss = v.cvss.map(|s| crate::cvss::CvssScorer::from_score(s, None));
        push_cve(&mut f.cves, &v.id);
        f.evidence = Some(format!(
            "{banner}; vulners: {} cvss {}{}",
            v.id,
            v.cvss.map(|s| s.to_string()).unwrap_or_default(),
            if v.exploit { ", exploit known" } else { "" }
        ));
        f.host = Some(host.clone());
        f.port = Some(p.port);
        f.protocol = Some(p.protocol.clone());
        f.service = p.service.clone();
        ctx.emit(f)?;
    }
    Ok(())
}
