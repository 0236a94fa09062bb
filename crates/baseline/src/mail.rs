//! Mail checks: SPF, DMARC, STARTTLS with the TLS checks on every mail server, DANE, MTA-STS and TLS-RPT. Records are
//! parsed with mail-auth; the verdicts are pure functions of what was found.

use std::net::IpAddr;

use hickory_proto::rr::RecordType;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::dmarc::{Dmarc, Policy};
use mail_auth::mta_sts::{MtaSts, ReportUri, TlsRpt};
use mail_auth::spf::{Macro, Mechanism, Qualifier, Spf};
use sha2::{Digest, Sha256, Sha512};
use x509_parser::prelude::*;

use crate::context::Ctx;
use crate::dns::{Tlsa, Validation};
use crate::endpoint;
use crate::http::HttpConn;
use crate::model::{Check, Judgement, Outcome, Subject, Verdict};
use crate::net::NetError;
use crate::reason::{Reason, ReasonCode};
use crate::smtp::{self, Starttls};
use crate::tls::probe::Endpoint;

fn is_record(txt: &str, tag: &str) -> bool {
    let t = txt.trim_start();
    t.len() >= tag.len() && t[..tag.len()].eq_ignore_ascii_case(tag) && t[tag.len()..].chars().next().is_none_or(|c| c == ' ' || c == ';')
}

/// What was learnt about a domain's SPF policy, following `include` and `redirect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpfFacts {
    /// The `v=spf1` records at the domain.
    pub records: Vec<String>,
    /// Why the record does not parse.
    pub error: Option<String>,
    /// The final `all` (`-all`, `~all`, `?all`, `+all`), after a `redirect`; None when there is none.
    pub all: Option<String>,
    /// DNS lookups the policy needs (RFC 7208, 4.6.4), counted until the limit is passed.
    pub lookups: usize,
}

/// SPF present, one record, valid, `~all` or `-all`, at most 10 lookups.
pub fn spf_judgement(domain: &str, f: &SpfFacts) -> Judgement {
    let j = match (f.records.len(), &f.error) {
        (0, _) => return Judgement::new(Verdict::Fail, Reason::new(ReasonCode::SpfMissing).arg("domain", domain)),
        (1, None) => {
            let all = f.all.clone().unwrap_or_else(|| "?all".to_string());
            if f.lookups > 10 {
                Judgement::new(Verdict::Fail, Reason::new(ReasonCode::SpfLookups).arg("count", f.lookups))
            } else if all == "-all" || all == "~all" {
                Judgement::new(Verdict::Pass, Reason::new(ReasonCode::SpfOk).arg("all", &all))
            } else {
                let shown = if f.all.is_none() {
                    format!("{all} (no all: the default)")
                } else {
                    all
                };
                Judgement::new(Verdict::Fail, Reason::new(ReasonCode::SpfPermissive).arg("all", shown))
            }
        }
        (1, Some(_)) => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::SpfSyntax)
                .arg("domain", domain)
                .arg("record", &f.records[0]),
        ),
        (n, _) => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::SpfMultiple).arg("domain", domain).arg("count", n),
        ),
    };
    j.with("spf", f.records.join(" | ")).with("dns_lookups", f.lookups.to_string())
}

fn literal(m: &Macro) -> Option<String> {
    match m {
        Macro::Literal(bytes) => Some(String::from_utf8_lossy(bytes).trim_end_matches('.').to_ascii_lowercase()),
        _ => None,
    }
}

fn qualifier(q: &Qualifier) -> &'static str {
    match q {
        Qualifier::Pass => "+all",
        Qualifier::Fail => "-all",
        Qualifier::SoftFail => "~all",
        Qualifier::Neutral => "?all",
    }
}

/// Checks an SPF record against the grammar of RFC 7208 (section 12). mail-auth's parser is lenient (it skips an
/// unknown mechanism and what follows, and takes `ip4:999.1.1.1`), so a record it accepts can still be one that
/// receivers reject with a permerror; this finds those.
pub fn spf_syntax_error(record: &str) -> Option<String> {
    let mut terms = record.split(' ').filter(|t| !t.is_empty());
    match terms.next() {
        Some(v) if v.eq_ignore_ascii_case("v=spf1") => {}
        _ => return Some("it does not start with v=spf1".into()),
    }
    let (mut redirects, mut exps) = (0, 0);
    for term in terms {
        let bad = |why: &str| Some(format!("{why}: {term}"));
        let name_end = term
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(term.len());
        if term[name_end..].starts_with('=') {
            let (name, value) = (&term[..name_end], &term[name_end + 1..]);
            if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                return bad("a modifier without a name");
            }
            if !macro_string_ok(value) {
                return bad("an invalid macro string");
            }
            match name.to_ascii_lowercase().as_str() {
                "redirect" => redirects += 1,
                "exp" => exps += 1,
                _ => {}
            }
            if name.eq_ignore_ascii_case("redirect") && value.is_empty() {
                return bad("redirect without a domain");
            }
            continue;
        }
        let body = term.strip_prefix(['+', '-', '~', '?']).unwrap_or(term);
        let (mechanism, rest) = match body.find([':', '/']) {
            Some(i) => (&body[..i], &body[i..]),
            None => (body, ""),
        };
        let ok = match mechanism.to_ascii_lowercase().as_str() {
            "all" => rest.is_empty(),
            "include" | "exists" => rest.strip_prefix(':').is_some_and(|d| !d.is_empty() && macro_string_ok(d)),
            "ptr" => rest.is_empty() || rest.strip_prefix(':').is_some_and(|d| !d.is_empty() && macro_string_ok(d)),
            "a" | "mx" => {
                let (domain, cidr) = match rest.strip_prefix(':') {
                    Some(r) => match r.find('/') {
                        Some(i) => (Some(&r[..i]), &r[i..]),
                        None => (Some(r), ""),
                    },
                    None => (None, rest),
                };
                domain.is_none_or(|d| !d.is_empty() && macro_string_ok(d)) && dual_cidr_ok(cidr)
            }
            "ip4" => rest.strip_prefix(':').is_some_and(|r| {
                let (addr, len) = r.split_once('/').map(|(a, l)| (a, Some(l))).unwrap_or((r, None));
                addr.parse::<std::net::Ipv4Addr>().is_ok() && len.is_none_or(|l| cidr_ok(l, 32))
            }),
            "ip6" => rest.strip_prefix(':').is_some_and(|r| {
                let (addr, len) = r.split_once('/').map(|(a, l)| (a, Some(l))).unwrap_or((r, None));
                addr.parse::<std::net::Ipv6Addr>().is_ok() && len.is_none_or(|l| cidr_ok(l, 128))
            }),
            _ => return bad("an unknown mechanism"),
        };
        if !ok {
            return bad("an invalid mechanism");
        }
    }
    if redirects > 1 || exps > 1 {
        return Some("redirect or exp more than once".into());
    }
    None
}

fn cidr_ok(len: &str, max: u32) -> bool {
    !len.is_empty()
        && len.len() <= 3
        && len.bytes().all(|b| b.is_ascii_digit())
        && (len == "0" || !len.starts_with('0'))
        && len.parse::<u32>().is_ok_and(|n| n <= max)
}

fn dual_cidr_ok(cidr: &str) -> bool {
    if cidr.is_empty() {
        return true;
    }
    if let Some(v6) = cidr.strip_prefix("//") {
        return cidr_ok(v6, 128);
    }
    match cidr.strip_prefix('/') {
        Some(r) => match r.split_once("//") {
            Some((v4, v6)) => cidr_ok(v4, 32) && cidr_ok(v6, 128),
            None => cidr_ok(r, 32),
        },
        None => false,
    }
}

/// RFC 7208 macro-string: visible characters, `%` only as `%%`, `%_`, `%-` or `%{letter digits [r] delimiters}`.
fn macro_string_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => match b.get(i + 1) {
                Some(b'%' | b'_' | b'-') => i += 2,
                Some(b'{') => {
                    let Some(close) = s[i..].find('}') else { return false };
                    let inner = &s[i + 2..i + close];
                    let mut chars = inner.chars();
                    if !chars.next().is_some_and(|c| "slodiphcrtvSLODIPHCRTV".contains(c)) {
                        return false;
                    }
                    let rest: String = chars.collect();
                    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                    let rest = rest.strip_prefix(['r', 'R']).unwrap_or(rest);
                    if !rest.chars().all(|c| ".-+,/_=".contains(c)) {
                        return false;
                    }
                    i += close + 1;
                }
                _ => return false,
            },
            0x21..=0x7e => i += 1,
            _ => return false,
        }
    }
    true
}

/// Lookups of one record, and the domains it includes and redirects to (literal ones; macros are not expanded).
fn spf_terms(spf: &Spf) -> (usize, Vec<String>, Option<String>, Option<String>) {
    let mut lookups = 0;
    let mut includes = Vec::new();
    let mut all = None;
    for d in spf.directives.iter() {
        match &d.mechanism {
            Mechanism::Include { macro_string } => {
                lookups += 1;
                includes.extend(literal(macro_string));
            }
            Mechanism::A { .. } | Mechanism::Mx { .. } | Mechanism::Ptr { .. } | Mechanism::Exists { .. } => lookups += 1,
            Mechanism::All => {
                all.get_or_insert(qualifier(&d.qualifier).to_string());
            }
            Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. } => {}
        }
    }
    let redirect = spf.redirect.as_ref().and_then(literal);
    if redirect.is_some() {
        lookups += 1;
    }
    (lookups, includes, redirect, all)
}

fn spf_record(txts: &[String]) -> Vec<String> {
    txts.iter().filter(|t| is_record(t, "v=spf1")).cloned().collect()
}

async fn spf_facts(ctx: &Ctx<'_>, domain: &str) -> Result<SpfFacts, String> {
    let dns = &ctx.inner.dns;
    let records = spf_record(&dns.txt(domain).await?);
    let mut facts = SpfFacts {
        records: records.clone(),
        error: None,
        all: None,
        lookups: 0,
    };
    if records.len() != 1 {
        return Ok(facts);
    }
    if let Some(why) = spf_syntax_error(&records[0]) {
        facts.error = Some(why);
        return Ok(facts);
    }
    let top = match Spf::parse(records[0].as_bytes()) {
        Ok(s) => s,
        Err(e) => {
            facts.error = Some(format!("{e:?}"));
            return Ok(facts);
        }
    };
    let (lookups, mut queue, mut redirect, all) = spf_terms(&top);
    facts.lookups = lookups;
    facts.all = all;
    // Follow includes (breadth first) and the redirect chain, until the lookups pass the limit.
    let mut fetched = 0usize;
    let limit = ctx.inner.config.limits.spf_lookups;
    while facts.lookups <= limit && fetched <= limit {
        let (domain, is_redirect) = if facts.all.is_none() && redirect.is_some() {
            (redirect.take().unwrap_or_default(), true)
        } else if let Some(d) = queue.pop() {
            (d, false)
        } else {
            break;
        };
        fetched += 1;
        let txt = dns.txt(&domain).await.unwrap_or_default();
        let Some(parsed) = spf_record(&txt).first().and_then(|r| Spf::parse(r.as_bytes()).ok()) else {
            continue;
        };
        let (n, includes, next_redirect, all) = spf_terms(&parsed);
        facts.lookups += n;
        queue.extend(includes);
        if is_redirect {
            facts.all = all;
            redirect = next_redirect;
        }
    }
    Ok(facts)
}

/// What the DMARC record said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DmarcFacts {
    /// Where it was looked up (`_dmarc.gent.be`), and the records found there.
    pub name: String,
    pub records: Vec<String>,
    /// The policy (`none`, `quarantine`, `reject`), or why it does not parse.
    pub policy: Result<String, String>,
    /// `t=y`: the policy applies one level less strictly.
    pub testing: bool,
}

/// A DMARC record with p=quarantine or p=reject (t=y lowers it one step).
pub fn dmarc_judgement(f: &DmarcFacts) -> Judgement {
    let j = match (f.records.len(), &f.policy) {
        (0, _) => return Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DmarcMissing).arg("name", &f.name)),
        (1, Err(_)) => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::DmarcSyntax)
                .arg("name", &f.name)
                .arg("record", &f.records[0]),
        ),
        (1, Ok(p)) => {
            let effective = match (p.as_str(), f.testing) {
                ("reject", true) => "quarantine",
                ("quarantine", true) => "none",
                (p, _) => p,
            };
            if effective == "none" {
                Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DmarcWeak).arg("policy", effective))
            } else {
                Judgement::new(Verdict::Pass, Reason::new(ReasonCode::DmarcOk).arg("policy", effective))
            }
        }
        (n, _) => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::DmarcMultiple).arg("name", &f.name).arg("count", n),
        ),
    };
    j.with("dmarc", f.records.join(" | "))
}

/// The organisational domain, approximated by the last two labels.
fn organisational(domain: &str) -> String {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() <= 2 {
        domain.to_string()
    } else {
        labels[labels.len() - 2..].join(".")
    }
}

async fn dmarc_facts(ctx: &Ctx<'_>, domain: &str) -> Result<DmarcFacts, String> {
    let dns = &ctx.inner.dns;
    let mut name = format!("_dmarc.{domain}");
    let mut records: Vec<String> = dns.txt(&name).await?.into_iter().filter(|t| is_record(t, "v=DMARC1")).collect();
    let org = organisational(domain);
    if records.is_empty() && org != domain {
        let org_name = format!("_dmarc.{org}");
        let found: Vec<String> = dns.txt(&org_name).await?.into_iter().filter(|t| is_record(t, "v=DMARC1")).collect();
        if !found.is_empty() {
            name = org_name;
            records = found;
        }
    }
    let (policy, testing) = match records.first().map(|r| Dmarc::parse(r.as_bytes())) {
        Some(Ok(d)) => (
            match d.p {
                Policy::None => Ok("none".to_string()),
                Policy::Quarantine => Ok("quarantine".to_string()),
                Policy::Reject => Ok("reject".to_string()),
                Policy::Unspecified => Err("no p= tag".to_string()),
            },
            d.t,
        ),
        Some(Err(e)) => (Err(format!("{e:?}")), false),
        None => (Err("no record".to_string()), false),
    };
    Ok(DmarcFacts {
        name,
        records,
        policy,
        testing,
    })
}

/// An MTA-STS policy file (RFC 8461, 3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MtaStsPolicy {
    pub mode: String,
    pub max_age: u64,
    pub mx: Vec<String>,
}

/// Parses a policy file; the error says what is wrong.
pub fn parse_mta_sts_policy(text: &str) -> Result<MtaStsPolicy, String> {
    let (mut version, mut mode, mut max_age, mut mx) = (None, None, None, Vec::new());
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(format!("line without a colon: {line:?}"));
        };
        let value = value.trim();
        match key.trim() {
            "version" => version = Some(value.to_string()),
            "mode" => mode = Some(value.to_string()),
            "max_age" => max_age = Some(value.parse::<u64>().map_err(|_| format!("max_age is not a number: {value:?}"))?),
            "mx" => mx.push(value.trim_end_matches('.').to_ascii_lowercase()),
            _ => {}
        }
    }
    if version.as_deref() != Some("STSv1") {
        return Err("version is not STSv1".into());
    }
    let mode = mode.ok_or("no mode")?;
    if !["enforce", "testing", "none"].contains(&mode.as_str()) {
        return Err(format!("unknown mode {mode:?}"));
    }
    let max_age = max_age.ok_or("no max_age")?;
    if max_age > 31_557_600 {
        return Err("max_age is more than a year".into());
    }
    if mx.is_empty() && mode != "none" {
        return Err("no mx".into());
    }
    Ok(MtaStsPolicy { mode, max_age, mx })
}

/// Whether a mail server matches a policy's `mx` pattern (`*.gent.be` stands for one left-most label).
pub fn mx_matches(host: &str, pattern: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(rest) => host.split_once('.').is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
        None => host == pattern,
    }
}

/// The policy in force for the mail servers: enforce and every server matched.
pub fn mta_sts_judgement(policy: &MtaStsPolicy, mx: &[String]) -> Judgement {
    let patterns = policy.mx.join(", ");
    let j = match policy.mode.as_str() {
        "none" => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::MtaStsNone)),
        mode => match mx.iter().find(|h| !policy.mx.iter().any(|p| mx_matches(h, p))) {
            Some(h) => Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::MtaStsMxMismatch).arg("mx", h).arg("patterns", &patterns),
            ),
            None if mode == "testing" => Judgement::new(Verdict::Warning, Reason::new(ReasonCode::MtaStsTesting)),
            None => Judgement::new(Verdict::Pass, Reason::new(ReasonCode::MtaStsOk)),
        },
    };
    j.with("mode", &policy.mode)
        .with("mx_patterns", patterns)
        .with("max_age", policy.max_age.to_string())
}

/// Whether a TLSA record matches the chain: DANE-EE (3) the leaf, DANE-TA (2) any other certificate sent; full
/// certificate (0) or public key (1); exact (0), SHA-256 (1) or SHA-512 (2).
pub fn tlsa_matches(tlsa: &Tlsa, chain: &[Vec<u8>]) -> bool {
    let candidates: Vec<&Vec<u8>> = match tlsa.usage {
        3 => chain.iter().take(1).collect(),
        2 => chain.iter().skip(1).collect(),
        _ => return false,
    };
    candidates.iter().any(|der| {
        let selected: Vec<u8> = match tlsa.selector {
            0 => der.to_vec(),
            1 => match X509Certificate::from_der(der) {
                Ok((_, cert)) => cert.public_key().raw.to_vec(),
                Err(_) => return false,
            },
            _ => return false,
        };
        match tlsa.matching {
            0 => selected == tlsa.data,
            1 => Sha256::digest(&selected).as_slice() == tlsa.data.as_slice(),
            2 => Sha512::digest(&selected).as_slice() == tlsa.data.as_slice(),
            _ => false,
        }
    })
}

/// DANE for one mail server: its zone secure, a usable TLSA record, and one that matches the certificate.
pub fn dane_judgement(host: &str, zone: &Validation, tlsa: &(Validation, Vec<Tlsa>), chain: Option<&[Vec<u8>]>) -> Judgement {
    let name = format!("_25._tcp.{host}");
    match zone {
        Validation::Insecure => return Judgement::new(Verdict::NotApplicable, Reason::new(ReasonCode::DaneInsecure).arg("host", host)),
        Validation::Bogus(_) => return Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DaneBogus).arg("name", &name)),
        Validation::Failed(e) => {
            return Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", host).arg("error", e),
            );
        }
        Validation::Secure => {}
    }
    let (validation, records) = tlsa;
    if let Validation::Bogus(_) = validation {
        return Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DaneBogus).arg("name", &name));
    }
    if records.is_empty() {
        if let Validation::Failed(e) = validation
            && !e.contains("no records")
        {
            return Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", &name).arg("error", e),
            );
        }
        return Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DaneMissing).arg("name", &name));
    }
    let shown = records.iter().map(Tlsa::describe).collect::<Vec<_>>().join(", ");
    let usable: Vec<&Tlsa> = records.iter().filter(|t| t.usage == 2 || t.usage == 3).collect();
    let j = if usable.is_empty() {
        Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DaneUnusable).arg("name", &name))
    } else {
        match chain {
            None | Some([]) => Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoStarttls)),
            Some(chain) => match usable.iter().find(|t| tlsa_matches(t, chain)) {
                Some(t) => Judgement::new(
                    Verdict::Pass,
                    Reason::new(ReasonCode::DaneOk).arg("name", &name).arg("record", t.describe()),
                ),
                None => Judgement::new(Verdict::Fail, Reason::new(ReasonCode::DaneMismatch).arg("name", &name)),
            },
        }
    };
    j.with("tlsa", shown)
}

/// TLS-RPT: a `v=TLSRPTv1` record with somewhere to send reports.
pub fn tls_rpt_judgement(name: &str, records: &[String]) -> Judgement {
    match records {
        [] => Judgement::new(Verdict::Warning, Reason::new(ReasonCode::TlsRptMissing).arg("name", name)),
        [one] => match TlsRpt::parse(one.as_bytes()) {
            Ok(r) if !r.rua.is_empty() => {
                let rua = r
                    .rua
                    .iter()
                    .map(|u| match u {
                        ReportUri::Mail(m) => format!("mailto:{m}"),
                        ReportUri::Http(h) => h.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                Judgement::new(Verdict::Pass, Reason::new(ReasonCode::TlsRptOk).arg("rua", &rua)).with("tls_rpt", one)
            }
            _ => Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::TlsRptInvalid).arg("name", name).arg("record", one),
            ),
        },
        [first, ..] => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::TlsRptInvalid).arg("name", name).arg("record", first),
        )
        .with("tls_rpt", records.join(" | ")),
    }
}

/// One mail server's STARTTLS session and TLS probes.
struct MailServer {
    host: String,
    ipv6: bool,
    outcomes: Vec<Outcome>,
}

async fn scan_mail_server(ctx: &Ctx<'_>, host: &str) -> MailServer {
    let inner = ctx.inner;
    let subject = Subject::service(host, 25);
    let mut outcomes = Vec::new();
    let tlsa_name = format!("_25._tcp.{host}");
    let (addresses, zone, tlsa) = tokio::join!(
        inner.dns.addresses(host),
        inner.dns.validate(host, RecordType::A),
        inner.dns.tlsa(&tlsa_name)
    );
    let (v4, v6) = match addresses {
        Ok(a) => a,
        Err(e) => {
            let j = Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", host).arg("error", &e),
            );
            outcomes.push(j.clone().outcome(Check::MailStarttls, subject.clone()));
            outcomes.extend(endpoint::all_with(&endpoint::MAIL, &subject, &j));
            outcomes.push(j.outcome(Check::MailDane, subject));
            return MailServer {
                host: host.to_string(),
                ipv6: false,
                outcomes,
            };
        }
    };
    let ipv6 = !v6.is_empty();
    let Some(ip) = v4.first().map(|a| IpAddr::V4(*a)).or(v6.first().map(|a| IpAddr::V6(*a))) else {
        let j = Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoAddress).arg("name", host));
        outcomes.push(j.clone().outcome(Check::MailStarttls, subject.clone()));
        outcomes.extend(endpoint::all_with(&endpoint::MAIL, &subject, &j));
        outcomes.push(j.outcome(Check::MailDane, subject));
        return MailServer {
            host: host.to_string(),
            ipv6,
            outcomes,
        };
    };
    let endpoint_text = format!("{host}:25");
    // First a session of our own: does it offer STARTTLS, and the certificate from a full handshake.
    let session = async {
        let conn = inner.net.connect(ip, 25, &ctx.counter).await?;
        match smtp::starttls(
            conn,
            &inner.config.identity.ehlo_name,
            inner.config.timeouts.smtp,
            inner.config.limits.smtp_reply_bytes,
        )
        .await?
        {
            Starttls::Ready(conn) => Ok(Some(
                inner
                    .modern
                    .connect(conn, host, true, inner.config.timeouts.tls)
                    .await
                    .map(|(_, info)| info),
            )),
            Starttls::NotOffered => Ok(None),
            Starttls::Refused(reply) => Err(NetError::Protocol(format!("the server answered {reply}"))),
        }
    };
    let session: Result<Option<Result<_, NetError>>, NetError> = session.await;
    match session {
        Err(e) => {
            let j = match &e {
                NetError::Protocol(reply) => Judgement::new(
                    Verdict::Unknown,
                    Reason::new(ReasonCode::SmtpError).arg("host", host).arg("reply", reply),
                ),
                other => other.judgement(&endpoint_text),
            };
            outcomes.push(j.clone().outcome(Check::MailStarttls, subject.clone()));
            outcomes.extend(endpoint::all_with(&endpoint::MAIL, &subject, &j));
            outcomes.push(j.outcome(Check::MailDane, subject));
        }
        Ok(None) => {
            outcomes.push(
                Judgement::new(Verdict::Fail, Reason::new(ReasonCode::StarttlsMissing).arg("host", host))
                    .outcome(Check::MailStarttls, subject.clone()),
            );
            let j = Judgement::new(Verdict::Unknown, Reason::new(ReasonCode::NoStarttls));
            outcomes.extend(endpoint::all_with(&endpoint::MAIL, &subject, &j));
            outcomes.push(dane_judgement(host, &zone.0, &tlsa, None).outcome(Check::MailDane, subject));
        }
        Ok(Some(modern)) => {
            outcomes.push(
                Judgement::new(Verdict::Pass, Reason::new(ReasonCode::StarttlsOk).arg("host", host))
                    .with("address", ip.to_string())
                    .outcome(Check::MailStarttls, subject.clone()),
            );
            let probe_endpoint = Endpoint {
                ip,
                port: 25,
                sni: Some(host.to_string()),
                smtp_ehlo: Some(inner.config.identity.ehlo_name.clone()),
            };
            let prober = ctx.prober(&probe_endpoint);
            match prober.observe().await {
                Ok(obs) => {
                    let chain = match &modern {
                        Ok(info) => info.chain.clone(),
                        Err(_) => obs.chain.clone(),
                    };
                    outcomes.extend(endpoint::outcomes(
                        &endpoint::MAIL,
                        &subject,
                        host,
                        &obs,
                        &chain,
                        &inner.trust,
                        ctx.now,
                    ));
                    outcomes.push(dane_judgement(host, &zone.0, &tlsa, Some(&chain)).outcome(Check::MailDane, subject));
                }
                Err(e) => {
                    let j = e.judgement(&endpoint_text);
                    outcomes.extend(endpoint::all_with(&endpoint::MAIL, &subject, &j));
                    let chain = modern.as_ref().map(|i| i.chain.clone()).unwrap_or_default();
                    outcomes.push(dane_judgement(host, &zone.0, &tlsa, Some(&chain)).outcome(Check::MailDane, subject));
                }
            }
        }
    }
    MailServer {
        host: host.to_string(),
        ipv6,
        outcomes,
    }
}

/// Fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt` with no redirects, from a server whose certificate is
/// trusted, for the name and valid at the scan's `now` (RFC 8461, 3.3).
async fn fetch_mta_sts_policy(ctx: &Ctx<'_>, domain: &str) -> Result<String, String> {
    let inner = ctx.inner;
    let host = format!("mta-sts.{domain}");
    let (v4, v6) = inner.dns.addresses(&host).await?;
    let ip: IpAddr = v4
        .first()
        .map(|a| IpAddr::V4(*a))
        .or(v6.first().map(|a| IpAddr::V6(*a)))
        .ok_or_else(|| format!("{host} has no address"))?;
    let conn = inner.net.connect(ip, 443, &ctx.counter).await.map_err(|e| e.to_string())?;
    let (tls, info) = inner
        .modern
        .connect(conn, &host, false, inner.config.timeouts.tls)
        .await
        .map_err(|e| e.to_string())?;
    let trusted = inner.trust.judge(&info.chain, &host, ctx.now);
    let facts = info.chain.first().map(|c| crate::tls::cert::facts(c)).transpose()?;
    let valid = facts.as_ref().is_some_and(|f| {
        crate::tls::cert::name_judgement(f, &host).verdict == Verdict::Pass
            && crate::tls::cert::expiry_judgement(f, ctx.now).verdict != Verdict::Fail
    });
    if trusted.verdict != Verdict::Pass || !valid {
        return Err(format!(
            "the certificate of {host} is not valid: {}",
            trusted.reason.message(crate::reason::Lang::En)
        ));
    }
    let c = &inner.config;
    let mut http = HttpConn::open(
        tls,
        &host,
        &c.identity.user_agent,
        c.timeouts.http,
        c.limits.http_head_bytes,
        64 * 1024,
    )
    .await
    .map_err(|e| e.to_string())?;
    let r = http.get("/.well-known/mta-sts.txt", true).await.map_err(|e| e.to_string())?;
    if r.status != 200 {
        return Err(format!("status {}", r.status));
    }
    let media = r
        .header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media != "text/plain" {
        return Err(format!("Content-Type {media:?}, not text/plain"));
    }
    if r.truncated {
        return Err("larger than 64 KiB".into());
    }
    Ok(String::from_utf8_lossy(&r.body).into_owned())
}

async fn mta_sts(ctx: &Ctx<'_>, domain: &str, mx: &[String]) -> Judgement {
    let name = format!("_mta-sts.{domain}");
    let records: Vec<String> = match ctx.inner.dns.txt(&name).await {
        Ok(t) => t.into_iter().filter(|r| is_record(r, "v=STSv1")).collect(),
        Err(e) => {
            return Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", &name).arg("error", e),
            );
        }
    };
    match records.as_slice() {
        [] => return Judgement::new(Verdict::Warning, Reason::new(ReasonCode::MtaStsMissing).arg("name", &name)),
        [one]
            if MtaSts::parse(one.as_bytes())
                .is_ok_and(|r| !r.id.is_empty() && r.id.len() <= 32 && r.id.bytes().all(|b| b.is_ascii_alphanumeric())) => {}
        [first, ..] => {
            return Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::MtaStsRecordInvalid).arg("name", &name).arg("record", first),
            );
        }
    }
    let url = format!("https://mta-sts.{domain}/.well-known/mta-sts.txt");
    match fetch_mta_sts_policy(ctx, domain).await {
        Err(e) => Judgement::new(
            Verdict::Fail,
            Reason::new(ReasonCode::MtaStsPolicyUnavailable).arg("url", &url).arg("error", e),
        ),
        Ok(text) => match parse_mta_sts_policy(&text) {
            Err(e) => Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::MtaStsPolicyInvalid).arg("url", &url).arg("error", e),
            ),
            Ok(policy) => mta_sts_judgement(&policy, mx),
        },
    }
    .with("mta_sts", records.join(" | "))
}

/// Every mail check of a domain.
pub(crate) async fn scan(ctx: &Ctx<'_>, domain: &str) -> Vec<Outcome> {
    let inner = ctx.inner;
    let subject = Subject::name(domain);
    let mut out = Vec::new();
    let (spf, dmarc, mx) = tokio::join!(spf_facts(ctx, domain), dmarc_facts(ctx, domain), inner.dns.mx(domain));
    out.push(
        match spf {
            Ok(f) => spf_judgement(domain, &f),
            Err(e) => Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", domain).arg("error", e),
            ),
        }
        .outcome(Check::MailSpf, subject.clone()),
    );
    out.push(
        match dmarc {
            Ok(f) => dmarc_judgement(&f),
            Err(e) => Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError)
                    .arg("name", format!("_dmarc.{domain}"))
                    .arg("error", e),
            ),
        }
        .outcome(Check::MailDmarc, subject.clone()),
    );
    let mut receiving = vec![
        Check::MailStarttls,
        Check::MailDane,
        Check::MailMtaSts,
        Check::MailTlsRpt,
        Check::DnsIpv6Mail,
    ];
    receiving.extend(endpoint::MAIL.all());
    let mx = match mx {
        Err(e) => {
            let j = Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", domain).arg("error", e),
            );
            out.extend(receiving.iter().map(|c| j.clone().outcome(*c, subject.clone())));
            return out;
        }
        Ok(mx) => mx,
    };
    let null_mx = mx.iter().any(|(_, h)| h.is_empty());
    if mx.is_empty() || null_mx {
        let code = if null_mx { ReasonCode::NullMx } else { ReasonCode::NoMx };
        let j = Judgement::new(Verdict::NotApplicable, Reason::new(code));
        out.extend(receiving.iter().map(|c| j.clone().outcome(*c, subject.clone())));
        return out;
    }
    let hosts: Vec<String> = mx.iter().map(|(_, h)| h.clone()).take(inner.config.limits.mail_servers).collect();
    let tls_rpt_name = format!("_smtp._tls.{domain}");
    let (servers, mta_sts, tls_rpt) = tokio::join!(
        futures_util::future::join_all(hosts.iter().map(|h| scan_mail_server(ctx, h))),
        mta_sts(ctx, domain, &hosts),
        inner.dns.txt(&tls_rpt_name)
    );
    out.push(mta_sts.outcome(Check::MailMtaSts, subject.clone()));
    out.push(
        match tls_rpt {
            Ok(t) => tls_rpt_judgement(
                &tls_rpt_name,
                &t.into_iter().filter(|r| is_record(r, "v=TLSRPTv1")).collect::<Vec<_>>(),
            ),
            Err(e) => Judgement::new(
                Verdict::Unknown,
                Reason::new(ReasonCode::DnsError).arg("name", &tls_rpt_name).arg("error", e),
            ),
        }
        .outcome(Check::MailTlsRpt, subject.clone()),
    );
    let without: Vec<&str> = servers.iter().filter(|s| !s.ipv6).map(|s| s.host.as_str()).collect();
    out.push(
        if without.is_empty() {
            Judgement::new(Verdict::Pass, Reason::new(ReasonCode::Ipv6MailOk))
        } else {
            Judgement::new(
                Verdict::Fail,
                Reason::new(ReasonCode::Ipv6MailMissing).arg("hosts", without.join(", ")),
            )
        }
        .with("mail_servers", hosts.join(", "))
        .outcome(Check::DnsIpv6Mail, subject),
    );
    for s in servers {
        out.extend(s.outcomes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spf(records: &[&str], all: Option<&str>, lookups: usize) -> SpfFacts {
        SpfFacts {
            records: records.iter().map(|s| s.to_string()).collect(),
            error: None,
            all: all.map(str::to_string),
            lookups,
        }
    }

    #[test]
    fn spf_verdicts() {
        assert_eq!(
            spf_judgement("gent.be", &spf(&["v=spf1 mx -all"], Some("-all"), 1)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            spf_judgement("gent.be", &spf(&["v=spf1 mx ~all"], Some("~all"), 1)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            spf_judgement("gent.be", &spf(&["v=spf1 +all"], Some("+all"), 0)).reason.code,
            ReasonCode::SpfPermissive
        );
        assert_eq!(
            spf_judgement("gent.be", &spf(&["v=spf1 mx"], None, 1)).reason.code,
            ReasonCode::SpfPermissive
        );
        assert_eq!(
            spf_judgement("gent.be", &spf(&["v=spf1 -all", "v=spf1 ~all"], None, 0)).reason.code,
            ReasonCode::SpfMultiple
        );
        assert_eq!(spf_judgement("gent.be", &spf(&[], None, 0)).reason.code, ReasonCode::SpfMissing);
        assert_eq!(
            spf_judgement("gent.be", &spf(&["v=spf1 -all"], Some("-all"), 11)).reason.code,
            ReasonCode::SpfLookups
        );
        let mut broken = spf(&["v=spf1 ip4:999.1.1.1 -all"], None, 0);
        broken.error = Some("ParseError".into());
        assert_eq!(spf_judgement("gent.be", &broken).reason.code, ReasonCode::SpfSyntax);
    }

    #[test]
    fn spf_terms_count_lookups_and_find_all() {
        let s = Spf::parse(b"v=spf1 a mx include:_spf.provider.be ip4:192.0.2.0/24 exists:%{i}.x.be ~all").unwrap();
        let (lookups, includes, redirect, all) = spf_terms(&s);
        assert_eq!(
            (lookups, includes, redirect, all),
            (4, vec!["_spf.provider.be".to_string()], None, Some("~all".to_string()))
        );
        let r = Spf::parse(b"v=spf1 redirect=_spf.gent.be").unwrap();
        assert_eq!(spf_terms(&r), (1, vec![], Some("_spf.gent.be".to_string()), None));
        // mail-auth is lenient; the grammar check is not.
        for bad in [
            "v=spf1 ip4:999.1.1.1 -all",
            "v=spf1 foo -all",
            "v=spf1 ip4:1.2.3.4/33",
            "v=spf1 a/33",
            "v=spf1 include:",
            "v=spf1 redirect=a.be redirect=b.be",
            "v=spf1 exists:%{z}.x.be",
            "v=spf1 mx:%x.be",
            "spf1 -all",
            "v=spf1 all:x",
        ] {
            assert!(spf_syntax_error(bad).is_some(), "{bad} accepted");
        }
        for good in [
            "v=spf1 -all",
            "v=spf1 a mx ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.gent.be ~all",
            "v=spf1 a:mail.gent.be/24//64 mx//64 ptr -all",
            "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
            "v=spf1 redirect=_spf.gent.be",
            "v=spf1  ?all  exp=explain.%{d}",
            "V=SPF1 +a -ALL",
        ] {
            assert_eq!(spf_syntax_error(good), None, "{good} refused");
        }
        assert!(is_record("v=spf1 -all", "v=spf1"));
        assert!(is_record("V=SPF1", "v=spf1"));
        assert!(!is_record("v=spf10 -all", "v=spf1"));
    }

    fn dmarc(records: &[&str], policy: Result<&str, &str>, testing: bool) -> DmarcFacts {
        DmarcFacts {
            name: "_dmarc.gent.be".into(),
            records: records.iter().map(|s| s.to_string()).collect(),
            policy: policy.map(str::to_string).map_err(str::to_string),
            testing,
        }
    }

    #[test]
    fn dmarc_verdicts() {
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=reject"], Ok("reject"), false)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=quarantine"], Ok("quarantine"), false)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=none"], Ok("none"), false)).reason.code,
            ReasonCode::DmarcWeak
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=quarantine; t=y"], Ok("quarantine"), true)).verdict,
            Verdict::Fail
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=reject; t=y"], Ok("reject"), true)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&[], Err("none"), false)).reason.code,
            ReasonCode::DmarcMissing
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1"], Err("no p"), false)).reason.code,
            ReasonCode::DmarcSyntax
        );
        assert_eq!(
            dmarc_judgement(&dmarc(&["v=DMARC1; p=none", "v=DMARC1; p=reject"], Ok("none"), false))
                .reason
                .code,
            ReasonCode::DmarcMultiple
        );
        let parsed = Dmarc::parse(b"v=DMARC1; p=quarantine; rua=mailto:d@gent.be; t=y").unwrap();
        assert_eq!((parsed.p, parsed.t), (Policy::Quarantine, true));
        assert_eq!(organisational("loket.gent.be"), "gent.be");
    }

    #[test]
    fn mta_sts_policies() {
        let p = parse_mta_sts_policy("version: STSv1\r\nmode: enforce\r\nmx: mx1.gent.be\r\nmx: *.mail.gent.be\r\nmax_age: 604800\r\n")
            .unwrap();
        assert_eq!(p.mx, vec!["mx1.gent.be".to_string(), "*.mail.gent.be".to_string()]);
        assert_eq!(
            mta_sts_judgement(&p, &["mx1.gent.be".into(), "a.mail.gent.be".into()]).verdict,
            Verdict::Pass
        );
        assert_eq!(
            mta_sts_judgement(&p, &["mx2.gent.be".into()]).reason.code,
            ReasonCode::MtaStsMxMismatch
        );
        assert!(!mx_matches("a.b.mail.gent.be", "*.mail.gent.be"));
        let testing = MtaStsPolicy {
            mode: "testing".into(),
            ..p.clone()
        };
        assert_eq!(mta_sts_judgement(&testing, &["mx1.gent.be".into()]).verdict, Verdict::Warning);
        let none = MtaStsPolicy { mode: "none".into(), ..p };
        assert_eq!(mta_sts_judgement(&none, &[]).verdict, Verdict::Fail);
        assert!(parse_mta_sts_policy("version: STSv2\nmode: enforce\nmx: a\nmax_age: 1\n").is_err());
        assert!(parse_mta_sts_policy("version: STSv1\nmode: enforce\nmax_age: 1\n").is_err());
        assert!(parse_mta_sts_policy("version: STSv1\nmode: enforce\nmx: a\nmax_age: 99999999\n").is_err());
        assert!(parse_mta_sts_policy("version: STSv1\nmode: loose\nmx: a\nmax_age: 1\n").is_err());
    }

    #[test]
    fn tls_rpt_records() {
        assert_eq!(
            tls_rpt_judgement("_smtp._tls.gent.be", &["v=TLSRPTv1; rua=mailto:tls@gent.be".into()]).verdict,
            Verdict::Pass
        );
        assert_eq!(tls_rpt_judgement("_smtp._tls.gent.be", &[]).verdict, Verdict::Warning);
        assert_eq!(
            tls_rpt_judgement("_smtp._tls.gent.be", &["v=TLSRPTv1; rua=ftp://x".into()]).verdict,
            Verdict::Fail
        );
    }

    #[test]
    fn dane_verdicts() {
        let cert = b"not a real certificate".to_vec();
        let hash = Sha256::digest(&cert).to_vec();
        let ee_full = Tlsa {
            usage: 3,
            selector: 0,
            matching: 1,
            data: hash.clone(),
        };
        let secure = Validation::Secure;
        let j = |zone: &Validation, records: Vec<Tlsa>, chain: Option<&[Vec<u8>]>| {
            dane_judgement("mx.gent.be", zone, &(Validation::Secure, records), chain)
        };
        let chain = vec![cert.clone()];
        assert_eq!(j(&secure, vec![ee_full.clone()], Some(&chain)).verdict, Verdict::Pass);
        assert_eq!(
            j(
                &secure,
                vec![Tlsa {
                    data: vec![0; 32],
                    ..ee_full.clone()
                }],
                Some(&chain)
            )
            .reason
            .code,
            ReasonCode::DaneMismatch
        );
        assert_eq!(
            j(
                &secure,
                vec![Tlsa {
                    usage: 1,
                    ..ee_full.clone()
                }],
                Some(&chain)
            )
            .reason
            .code,
            ReasonCode::DaneUnusable
        );
        assert_eq!(j(&secure, vec![], Some(&chain)).reason.code, ReasonCode::DaneMissing);
        assert_eq!(j(&Validation::Insecure, vec![], Some(&chain)).verdict, Verdict::NotApplicable);
        assert_eq!(j(&Validation::Bogus("x".into()), vec![], Some(&chain)).verdict, Verdict::Fail);
        // DANE-TA matches a certificate after the leaf, never the leaf.
        let ta = Tlsa { usage: 2, ..ee_full };
        assert!(!tlsa_matches(&ta, &chain));
        assert!(tlsa_matches(&ta, &[b"leaf".to_vec(), cert]));
    }
}
