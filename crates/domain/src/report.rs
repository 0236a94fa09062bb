//! Vulnerability reports (coordinated vulnerability disclosure, ISO/IEC 29147 and 30111): the
//! states a report goes through and who may move it, triage outcomes, deadlines in Belgian working
//! days, the coordinated disclosure date, overdue rules, the scope check of a reported host and
//! the key that suggests duplicates.

use crate::asset::AssetKind;
use crate::calendar::add_working_days;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::str::FromStr;

/// Where a report is in its handling (ISO/IEC 30111's process: receipt, verification, remediation
/// development, release, post-release).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    Received,
    Acknowledged,
    Triaged,
    InRemediation,
    Fixed,
    Verified,
    Disclosed,
    Closed,
}

impl ReportState {
    pub const ALL: [ReportState; 8] = [
        ReportState::Received,
        ReportState::Acknowledged,
        ReportState::Triaged,
        ReportState::InRemediation,
        ReportState::Fixed,
        ReportState::Verified,
        ReportState::Disclosed,
        ReportState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Received => "received",
            ReportState::Acknowledged => "acknowledged",
            ReportState::Triaged => "triaged",
            ReportState::InRemediation => "in_remediation",
            ReportState::Fixed => "fixed",
            ReportState::Verified => "verified",
            ReportState::Disclosed => "disclosed",
            ReportState::Closed => "closed",
        }
    }

    /// Disclosed and closed reports are done: no deadline runs for them.
    pub fn is_final(self) -> bool {
        matches!(self, ReportState::Disclosed | ReportState::Closed)
    }
}

impl FromStr for ReportState {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        ReportState::ALL.into_iter().find(|s| s.as_str() == text).ok_or(())
    }
}

/// What triage decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriageOutcome {
    Valid,
    Duplicate,
    OutOfScope,
    Informative,
    NotApplicable,
    Spam,
}

impl TriageOutcome {
    pub const ALL: [TriageOutcome; 6] = [
        TriageOutcome::Valid,
        TriageOutcome::Duplicate,
        TriageOutcome::OutOfScope,
        TriageOutcome::Informative,
        TriageOutcome::NotApplicable,
        TriageOutcome::Spam,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TriageOutcome::Valid => "valid",
            TriageOutcome::Duplicate => "duplicate",
            TriageOutcome::OutOfScope => "out_of_scope",
            TriageOutcome::Informative => "informative",
            TriageOutcome::NotApplicable => "not_applicable",
            TriageOutcome::Spam => "spam",
        }
    }
}

impl FromStr for TriageOutcome {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        TriageOutcome::ALL.into_iter().find(|s| s.as_str() == text).ok_or(())
    }
}

/// Who acts on a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// Whoever holds the follow link, or the researcher's own account.
    Reporter,
    /// The government the report is about.
    Government,
    /// VVSG, once the government invited it as coordinator.
    Coordinator,
    Administrator,
}

impl Party {
    pub const ALL: [Party; 4] = [Party::Reporter, Party::Government, Party::Coordinator, Party::Administrator];

    pub fn as_str(self) -> &'static str {
        match self {
            Party::Reporter => "reporter",
            Party::Government => "government",
            Party::Coordinator => "coordinator",
            Party::Administrator => "administrator",
        }
    }
}

impl FromStr for Party {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        Party::ALL.into_iter().find(|p| p.as_str() == text).ok_or(())
    }
}

/// R4: whether `party` may move a report from `from` to `to`; `outcome` is the triage outcome the
/// report has (or gets with this step, for `to == Triaged`).
pub fn allowed(from: ReportState, to: ReportState, outcome: Option<TriageOutcome>, party: Party) -> bool {
    use ReportState as S;
    let handler = matches!(party, Party::Government | Party::Administrator);
    let coordinates = handler || party == Party::Coordinator;
    let valid = outcome == Some(TriageOutcome::Valid);
    match (from, to) {
        (S::Received, S::Acknowledged) => coordinates,
        // Triage may come at once, or be taken again with another outcome.
        (S::Received | S::Acknowledged | S::Triaged, S::Triaged) => coordinates && outcome.is_some(),
        (S::Triaged, S::InRemediation) => handler && valid,
        (S::InRemediation, S::Fixed) => handler,
        (S::Fixed, S::Verified) => handler,
        // A fix that did not hold.
        (S::Fixed | S::Verified, S::InRemediation) => handler,
        (S::Fixed | S::Verified, S::Disclosed) => coordinates && valid,
        (S::Triaged, S::Closed) => coordinates && !valid,
        (S::Verified, S::Closed) => coordinates,
        // A reporter may withdraw a report nobody triaged yet.
        (S::Received | S::Acknowledged, S::Closed) => party == Party::Reporter || party == Party::Administrator,
        _ => false,
    }
}

/// The states `party` may move a report in `from` to.
pub fn next_states(from: ReportState, outcome: Option<TriageOutcome>, party: Party) -> Vec<ReportState> {
    ReportState::ALL
        .into_iter()
        .filter(|to| {
            if *to == ReportState::Triaged {
                // Any outcome will do to know whether triage is open to the party.
                allowed(from, *to, Some(TriageOutcome::Informative), party)
            } else {
                allowed(from, *to, outcome, party)
            }
        })
        .collect()
}

/// The response targets come from the government's disclosure policy (or its defaults:
/// acknowledged within 5 working days, triaged within 10, from the day of receipt).
pub use crate::disclosure::ResponseTargets;

/// A target as a count of working days (a published policy keeps them between 1 and 90).
fn working_days(days: i64) -> u32 {
    u32::try_from(days.max(0)).unwrap_or(u32::MAX)
}

/// Coordinated disclosure: 90 calendar days after receipt, unless agreed otherwise.
pub const DISCLOSURE_DAYS: u64 = 90;

/// A report's deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    pub acknowledge_by: NaiveDate,
    pub triage_by: NaiveDate,
    pub disclose_on: NaiveDate,
}

impl Deadlines {
    /// R4: the deadlines of a report received on `received_on`; `agreed_disclosure` is a date the
    /// reporter and the government agreed on instead of the default.
    pub fn of(received_on: NaiveDate, targets: ResponseTargets, agreed_disclosure: Option<NaiveDate>) -> Deadlines {
        Deadlines {
            acknowledge_by: add_working_days(received_on, working_days(targets.acknowledge_days)),
            triage_by: add_working_days(received_on, working_days(targets.triage_days)),
            disclose_on: agreed_disclosure.unwrap_or_else(|| default_disclosure(received_on)),
        }
    }
}

pub fn default_disclosure(received_on: NaiveDate) -> NaiveDate {
    received_on.checked_add_days(Days::new(DISCLOSURE_DAYS)).unwrap_or(received_on)
}

/// Which deadline a report has missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overdue {
    /// Not acknowledged by its acknowledgement date.
    Acknowledge,
    /// Not triaged by its triage date.
    Triage,
    /// Valid and still not fixed by the remediation deadline of its finding.
    Fix,
    /// Not disclosed (nor closed) on its coordinated disclosure date.
    Disclosure,
}

impl Overdue {
    pub fn as_str(self) -> &'static str {
        match self {
            Overdue::Acknowledge => "acknowledge",
            Overdue::Triage => "triage",
            Overdue::Fix => "fix",
            Overdue::Disclosure => "disclosure",
        }
    }
}

/// R4: the deadline a report in `state` has missed on `today` (a deadline day itself still counts
/// as in time), the most urgent first; `fix_by` is the remediation deadline of its finding.
pub fn overdue(state: ReportState, deadlines: &Deadlines, fix_by: Option<NaiveDate>, today: NaiveDate) -> Option<Overdue> {
    use ReportState as S;
    match state {
        S::Received if today > deadlines.acknowledge_by => Some(Overdue::Acknowledge),
        S::Received | S::Acknowledged if today > deadlines.triage_by => Some(Overdue::Triage),
        S::Triaged | S::InRemediation if fix_by.is_some_and(|d| today > d) => Some(Overdue::Fix),
        s if !s.is_final() && s != S::Verified && today > deadlines.disclose_on => Some(Overdue::Disclosure),
        _ => None,
    }
}

/// The host a report is about, from the URL or host name the reporter gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Lower-case, without a trailing dot; an IP address in its canonical form.
    pub host: String,
    pub ip: Option<IpAddr>,
    /// The path of a URL, lower-case, without query or fragment or a trailing slash ("" for none).
    pub path: String,
}

/// Why a target cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    Empty,
    TooLong,
    BadHost,
}

impl Target {
    /// Reads `https://www.gent.be/loket?x=1`, `www.gent.be`, `192.0.2.7:8443` or `[2001:db8::1]`.
    pub fn parse(text: &str) -> Result<Target, TargetError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(TargetError::Empty);
        }
        if text.len() > 2000 {
            return Err(TargetError::TooLong);
        }
        let rest = match text.find("://") {
            Some(i) => &text[i + 3..],
            None => text,
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let path = tail
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/')
            .to_ascii_lowercase();
        // Credentials before an @ are not the host.
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let host = if let Some(inner) = authority.strip_prefix('[') {
            inner.split(']').next().unwrap_or("")
        } else if authority.matches(':').count() > 1 {
            authority // a bare IPv6 address
        } else {
            authority.split(':').next().unwrap_or("")
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(Target {
                host: ip.to_string(),
                ip: Some(ip),
                path,
            });
        }
        let labels_ok = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if !labels_ok {
            return Err(TargetError::BadHost);
        }
        Ok(Target { host, ip: None, path })
    }
}

/// One entry of a government's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeEntry {
    /// Exactly this host.
    Host(String),
    Ip(IpAddr),
    /// This domain and every name under it.
    Domain(String),
}

impl ScopeEntry {
    /// An asset of the register as a scope entry: a `domain` covers its subdomains, anything else
    /// (a host a scan saw, an application) its own name or address.
    pub fn of_asset(kind: AssetKind, name: &str, hostname: Option<&str>, ip: Option<&str>) -> Vec<ScopeEntry> {
        let clean = |s: &str| s.trim().trim_end_matches('.').to_ascii_lowercase();
        let mut out = Vec::new();
        if kind == AssetKind::Domain {
            out.push(ScopeEntry::Domain(clean(name)));
            return out;
        }
        for text in [Some(name), hostname, ip].into_iter().flatten() {
            let text = clean(text);
            if text.is_empty() {
                continue;
            }
            let entry = match text.parse::<IpAddr>() {
                Ok(ip) => ScopeEntry::Ip(ip),
                Err(_) => ScopeEntry::Host(text),
            };
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
        out
    }

    /// A line of a disclosure policy's scope: an address, `*.domain` or a bare name (the domain
    /// and every name under it), or a URL (its host). Free text that names no host is none.
    pub fn of_policy_line(line: &str) -> Option<ScopeEntry> {
        let text = line.trim().to_ascii_lowercase();
        let text = text.split_once("://").map_or(text.as_str(), |(_, rest)| rest);
        let host = text.split(['/', '?', '#', ' ']).next().unwrap_or("");
        let host = host.trim_start_matches("*.").trim_end_matches('.');
        if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            return Some(ScopeEntry::Ip(ip));
        }
        let host = host.split(':').next().unwrap_or("");
        let name_like = host.contains('.')
            && host
                .split('.')
                .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        name_like.then(|| ScopeEntry::Domain(host.to_owned()))
    }

    pub fn covers(&self, target: &Target) -> bool {
        match self {
            ScopeEntry::Ip(ip) => target.ip == Some(*ip),
            ScopeEntry::Host(host) => target.ip.is_none() && target.host == *host,
            // `www.gent.be` is under `gent.be`; `evil-gent.be` is not.
            ScopeEntry::Domain(domain) => {
                target.ip.is_none()
                    && !domain.is_empty()
                    && (target.host == *domain
                        || target
                            .host
                            .strip_suffix(domain.as_str())
                            .is_some_and(|head| head.ends_with('.') && head.len() > 1))
            }
        }
    }
}

/// Whether the target lies in the scope.
pub fn in_scope(target: &Target, scope: &[ScopeEntry]) -> bool {
    scope.iter().any(|e| e.covers(target))
}

/// R3: in the scope and not excluded by it: what a policy leaves out wins over what it includes.
pub fn in_scope_of_policy(target: &Target, scope: &[ScopeEntry], excluded: &[ScopeEntry]) -> bool {
    in_scope(target, scope) && !in_scope(target, excluded)
}

/// A CWE identifier from `CWE-79`, `cwe 79` or `79`.
pub fn parse_cwe(text: &str) -> Option<u32> {
    let t = text.trim();
    let t = t
        .strip_prefix("CWE")
        .or_else(|| t.strip_prefix("cwe"))
        .unwrap_or(t)
        .trim_start_matches(['-', ' ', ':']);
    let n: u32 = t.parse().ok()?;
    (1..=100_000).contains(&n).then_some(n)
}

/// R4: reports with the same key are possible duplicates: the same host, weakness and location.
pub fn duplicate_key(target: &Target, cwe: u32) -> String {
    format!("{}|CWE-{cwe}|{}", target.host, target.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_line_names_a_domain_an_address_or_a_url_and_free_text_nothing() {
        assert_eq!(
            ScopeEntry::of_policy_line("stad.gent"),
            Some(ScopeEntry::Domain("stad.gent".into()))
        );
        assert_eq!(ScopeEntry::of_policy_line("*.Gent.be"), Some(ScopeEntry::Domain("gent.be".into())));
        assert_eq!(
            ScopeEntry::of_policy_line("https://loket.gent.be/aanvragen"),
            Some(ScopeEntry::Domain("loket.gent.be".into()))
        );
        assert_eq!(
            ScopeEntry::of_policy_line("192.0.2.10"),
            Some(ScopeEntry::Ip("192.0.2.10".parse().unwrap()))
        );
        assert_eq!(ScopeEntry::of_policy_line("alle systemen van het OCMW"), None);
        let scope = [ScopeEntry::of_policy_line("gent.be").unwrap()];
        let excluded = [ScopeEntry::of_policy_line("intranet.gent.be").unwrap()];
        let target = |t: &str| Target::parse(t).unwrap();
        assert!(in_scope_of_policy(&target("https://www.gent.be/x"), &scope, &excluded));
        assert!(!in_scope_of_policy(&target("https://intranet.gent.be/"), &scope, &excluded));
        assert!(!in_scope_of_policy(&target("https://evil-gent.be/"), &scope, &excluded));
    }
    use ReportState as S;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_handling_path_and_who_takes_each_step() {
        let valid = Some(TriageOutcome::Valid);
        assert!(allowed(S::Received, S::Acknowledged, None, Party::Government));
        assert!(allowed(S::Received, S::Acknowledged, None, Party::Coordinator));
        assert!(!allowed(S::Received, S::Acknowledged, None, Party::Reporter));
        assert!(allowed(S::Acknowledged, S::Triaged, valid, Party::Government));
        assert!(
            !allowed(S::Acknowledged, S::Triaged, None, Party::Government),
            "triage needs an outcome"
        );
        assert!(allowed(S::Triaged, S::InRemediation, valid, Party::Government));
        assert!(!allowed(S::Triaged, S::InRemediation, Some(TriageOutcome::Spam), Party::Government));
        assert!(!allowed(S::Triaged, S::InRemediation, valid, Party::Coordinator));
        assert!(allowed(S::InRemediation, S::Fixed, valid, Party::Government));
        assert!(allowed(S::Fixed, S::Verified, valid, Party::Administrator));
        assert!(!allowed(S::Fixed, S::Verified, valid, Party::Reporter));
        assert!(allowed(S::Verified, S::Disclosed, valid, Party::Coordinator));
        assert!(allowed(S::Triaged, S::Closed, Some(TriageOutcome::Duplicate), Party::Government));
        assert!(
            !allowed(S::Triaged, S::Closed, valid, Party::Government),
            "a valid report is remediated"
        );
        assert!(allowed(S::Received, S::Closed, None, Party::Reporter), "withdrawn");
        assert!(!allowed(S::Triaged, S::Closed, Some(TriageOutcome::Spam), Party::Reporter));
        for to in ReportState::ALL {
            for party in [Party::Reporter, Party::Government, Party::Coordinator, Party::Administrator] {
                assert!(!allowed(S::Closed, to, valid, party) && !allowed(S::Disclosed, to, valid, party));
            }
        }
        assert_eq!(next_states(S::Received, None, Party::Reporter), vec![S::Closed]);
        assert_eq!(next_states(S::Received, None, Party::Government), vec![S::Acknowledged, S::Triaged]);
    }

    #[test]
    fn deadlines_count_belgian_working_days_and_disclosure_ninety_days() {
        // Friday 15 May 2020: Ascension (21 May) and Whit Monday (1 June) do not count.
        let dl = Deadlines::of(d(2020, 5, 15), ResponseTargets::default(), None);
        assert_eq!(dl.acknowledge_by, d(2020, 5, 25));
        assert_eq!(dl.triage_by, d(2020, 6, 2));
        assert_eq!(dl.disclose_on, d(2020, 8, 13));
        let agreed = Deadlines::of(d(2020, 5, 15), ResponseTargets::default(), Some(d(2020, 12, 1)));
        assert_eq!(agreed.disclose_on, d(2020, 12, 1));
    }

    #[test]
    fn overdue_reports_stand_out_from_the_day_after_their_deadline() {
        let dl = Deadlines::of(d(2020, 5, 15), ResponseTargets::default(), None);
        assert_eq!(overdue(S::Received, &dl, None, d(2020, 5, 25)), None);
        assert_eq!(overdue(S::Received, &dl, None, d(2020, 5, 26)), Some(Overdue::Acknowledge));
        assert_eq!(overdue(S::Acknowledged, &dl, None, d(2020, 5, 26)), None);
        assert_eq!(overdue(S::Acknowledged, &dl, None, d(2020, 6, 3)), Some(Overdue::Triage));
        assert_eq!(overdue(S::Triaged, &dl, None, d(2020, 6, 3)), None);
        assert_eq!(
            overdue(S::InRemediation, &dl, Some(d(2020, 7, 1)), d(2020, 7, 2)),
            Some(Overdue::Fix)
        );
        assert_eq!(overdue(S::Fixed, &dl, None, d(2020, 8, 14)), Some(Overdue::Disclosure));
        assert_eq!(overdue(S::Closed, &dl, None, d(2021, 1, 1)), None);
        assert_eq!(overdue(S::Verified, &dl, None, d(2021, 1, 1)), None);
    }

    #[test]
    fn targets_are_read_from_urls_and_hosts() {
        let t = Target::parse("https://user:pw@WWW.Gent.be.:8443/Loket/?a=1#x").unwrap();
        assert_eq!(t.host, "www.gent.be");
        assert_eq!(t.path, "/loket");
        assert_eq!(Target::parse("gent.be").unwrap().path, "");
        let ip = Target::parse("http://[2001:db8::1]:80/x").unwrap();
        assert_eq!(ip.ip, Some("2001:db8::1".parse().unwrap()));
        assert_eq!(Target::parse("192.0.2.7:443").unwrap().host, "192.0.2.7");
        assert_eq!(Target::parse("  "), Err(TargetError::Empty));
        assert_eq!(Target::parse("<script>alert(1)</script>"), Err(TargetError::BadHost));
        assert_eq!(Target::parse("https://-bad-.be"), Err(TargetError::BadHost));
    }

    #[test]
    fn the_scope_matches_hosts_addresses_and_domain_suffixes_only_at_a_dot() {
        let scope = [
            ScopeEntry::Domain("gent.be".into()),
            ScopeEntry::Host("mail.stad.gent".into()),
            ScopeEntry::Ip("192.0.2.7".parse().unwrap()),
        ];
        let yes = |t: &str| in_scope(&Target::parse(t).unwrap(), &scope);
        assert!(yes("https://gent.be/"));
        assert!(yes("https://www.gent.be/loket"));
        assert!(yes("a.b.gent.be"));
        assert!(yes("mail.stad.gent"));
        assert!(yes("http://192.0.2.7:8080/"));
        assert!(!yes("evil-gent.be"), "a suffix without a dot is another domain");
        assert!(!yes("gent.be.evil.test"));
        assert!(!yes("www.mail.stad.gent"), "a host covers only itself");
        assert!(!yes("192.0.2.8"));
        assert!(!yes("stad.gent"));
        assert_eq!(
            ScopeEntry::of_asset(AssetKind::Host, "192.0.2.7", Some("WWW.gent.be."), Some("192.0.2.7")),
            vec![ScopeEntry::Ip("192.0.2.7".parse().unwrap()), ScopeEntry::Host("www.gent.be".into())]
        );
    }

    #[test]
    fn cwe_and_the_duplicate_key() {
        assert_eq!(parse_cwe("CWE-79"), Some(79));
        assert_eq!(parse_cwe("cwe 89"), Some(89));
        assert_eq!(parse_cwe("352"), Some(352));
        assert_eq!(parse_cwe("CWE-"), None);
        assert_eq!(parse_cwe("0"), None);
        let a = Target::parse("https://www.gent.be/loket/?q=1").unwrap();
        let b = Target::parse("WWW.GENT.BE/Loket").unwrap();
        assert_eq!(duplicate_key(&a, 79), duplicate_key(&b, 79));
        assert_ne!(duplicate_key(&a, 79), duplicate_key(&a, 89));
    }
}
