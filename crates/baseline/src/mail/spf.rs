//! SPF (RFC 7208): the record, its grammar, and the lookups it needs, following `include` and `redirect`.

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::spf::{Macro, Mechanism, Qualifier, Spf};

use super::is_record;
use crate::context::Ctx;
use crate::model::{Judgement, Verdict};
use crate::reason::{Reason, ReasonCode};

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

pub(super) async fn spf_facts(ctx: &Ctx<'_>, domain: &str) -> Result<SpfFacts, String> {
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
}
