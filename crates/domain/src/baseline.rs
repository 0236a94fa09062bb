//! The continuous baseline scan's rules (issue 16): what a check's verdict does to the findings
//! register, how verdicts become a score, when a registered system is due for its next scan, and
//! what may be registered for scanning.

use crate::asset::AssetKind;
use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;

closed_set! {
    /// The verdict of one check on one subject, as the scanner gives it.
    CheckVerdict {
        Pass = "pass",
        Warning = "warning",
        Fail = "fail",
        /// The check does not apply (no mail servers, no DNSSEC for DANE).
        NotApplicable = "not_applicable",
        /// The scanner could not tell (a timeout, a refused address).
        Unknown = "unknown",
    }
}

closed_set! {
    /// Where a scan of one system stands in the queue.
    ScanState {
        Queued = "queued",
        Running = "running",
        Done = "done",
    }
}

closed_set! {
    /// A government's "comply or explain" for one check on one subject (BL-4).
    ExplanationState {
        Proposed = "proposed",
        Accepted = "accepted",
        Rejected = "rejected",
    }
}

closed_set! {
    /// Why a scan was queued.
    ScanCause {
        /// The weekly round (BL-5).
        Schedule = "schedule",
        /// A member of the government asked for it.
        Request = "request",
    }
}

/// What one check's verdict does to the government's register (BL-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterEffect {
    /// A failure or a warning: a finding is opened, or kept open (reopened when it was fixed).
    Open,
    /// A pass, or the check no longer applies: an open finding is fixed.
    Fix,
    /// Nothing changes: the scanner could not tell (a timeout must not close a finding), or the
    /// government's explanation was accepted.
    Leave,
}

/// BL-2: a failure or a warning opens a finding, a pass or "not applicable" fixes it, an unknown
/// leaves it; an accepted explanation takes the check out of the register's hands.
pub fn register_effect(verdict: CheckVerdict, explained: bool) -> RegisterEffect {
    match verdict {
        _ if explained => RegisterEffect::Leave,
        CheckVerdict::Fail | CheckVerdict::Warning => RegisterEffect::Open,
        CheckVerdict::Pass | CheckVerdict::NotApplicable => RegisterEffect::Fix,
        CheckVerdict::Unknown => RegisterEffect::Leave,
    }
}

/// BL-3: a check's points in half points: a pass 2, a warning 1, a failure 0. Not applicable,
/// unknown and an accepted explanation are left out of the score (`None`).
pub fn half_points(verdict: CheckVerdict, explained: bool) -> Option<u32> {
    match verdict {
        _ if explained => None,
        CheckVerdict::Pass => Some(2),
        CheckVerdict::Warning => Some(1),
        CheckVerdict::Fail => Some(0),
        CheckVerdict::NotApplicable | CheckVerdict::Unknown => None,
    }
}

/// A score: the half points earned out of the checks counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    pub half_points: u32,
    pub counted: u32,
}

impl Score {
    pub fn add(&mut self, verdict: CheckVerdict, explained: bool) {
        if let Some(p) = half_points(verdict, explained) {
            self.half_points += p;
            self.counted += 1;
        }
    }

    pub fn merge(&mut self, other: Score) {
        self.half_points += other.half_points;
        self.counted += other.counted;
    }

    /// The score from 0 to 100, rounded down; none when no check counted.
    pub fn percent(self) -> Option<u32> {
        (self.counted > 0).then(|| self.half_points * 50 / self.counted)
    }
}

/// BL-5: every registered system is scanned once a week by default.
pub const SCAN_INTERVAL_DAYS: i64 = 7;

/// Whether a system last scanned at `last` is due at `now` (never scanned: due).
pub fn scan_due(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_none_or(|at| now - at >= Duration::days(SCAN_INTERVAL_DAYS))
}

/// A system last scanned at or before this moment is due at `now` ([`scan_due`], as a bound a
/// query can use).
pub fn last_scan_due_by(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(SCAN_INTERVAL_DAYS)
}

/// What a registered system is scanned as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanTarget {
    /// A domain: web, DNS, mail and the exposure of its addresses.
    Domain(String),
    /// A host name: web, DNS and exposure.
    Host(String),
    /// An address: exposure only.
    Address(IpAddr),
}

/// Why a system cannot be registered for the baseline scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotScannable {
    /// A range is not one system: its systems are registered one by one (BL-1).
    Range,
    /// An address that is not on the public internet: private, loopback, link-local (BL-1).
    NotPublic(IpAddr),
    /// Not a host name, a URL or an address.
    Unreadable,
}

/// BL-1: what an asset of a government is scanned as. A URL is scanned as its host; a range is
/// refused; an address must be public (`is_public` is the scanner's own policy).
pub fn scan_target(kind: AssetKind, name: &str, is_public: impl Fn(IpAddr) -> bool) -> Result<ScanTarget, NotScannable> {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = match kind {
        AssetKind::IpRange => return Err(NotScannable::Range),
        AssetKind::Application => host_of_url(&name).ok_or(NotScannable::Unreadable)?,
        AssetKind::Domain | AssetKind::Host => name.clone(),
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return if is_public(ip) {
            Ok(ScanTarget::Address(ip))
        } else {
            Err(NotScannable::NotPublic(ip))
        };
    }
    if !is_host_name(&host) {
        return Err(NotScannable::Unreadable);
    }
    Ok(match kind {
        AssetKind::Domain => ScanTarget::Domain(host),
        _ => ScanTarget::Host(host),
    })
}

/// The host of `scheme://host[:port]/...`.
fn host_of_url(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = if authority.starts_with('[') {
        authority.split_once(']').map(|(h, _)| format!("{h}]"))?
    } else {
        authority.split(':').next()?.to_string()
    };
    (!host.is_empty()).then_some(host)
}

/// Letters, digits and hyphens in labels of at most 63, at least two labels, 253 in all.
fn is_host_name(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').count() >= 2
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn public(ip: IpAddr) -> bool {
        !(ip.is_loopback() || matches!(ip, IpAddr::V4(v4) if v4.is_private() || v4.is_link_local()))
    }

    #[test]
    fn failures_and_warnings_open_passes_fix_unknowns_leave() {
        use CheckVerdict::*;
        assert_eq!(register_effect(Fail, false), RegisterEffect::Open);
        assert_eq!(register_effect(Warning, false), RegisterEffect::Open);
        assert_eq!(register_effect(Pass, false), RegisterEffect::Fix);
        assert_eq!(register_effect(NotApplicable, false), RegisterEffect::Fix);
        assert_eq!(register_effect(Unknown, false), RegisterEffect::Leave);
        for v in CheckVerdict::ALL {
            assert_eq!(register_effect(*v, true), RegisterEffect::Leave, "{v}");
        }
    }

    #[test]
    fn a_score_counts_passes_whole_and_warnings_half() {
        let mut s = Score::default();
        assert_eq!(s.percent(), None);
        s.add(CheckVerdict::Pass, false);
        s.add(CheckVerdict::Warning, false);
        s.add(CheckVerdict::Fail, false);
        s.add(CheckVerdict::NotApplicable, false);
        s.add(CheckVerdict::Unknown, false);
        s.add(CheckVerdict::Fail, true);
        assert_eq!(
            s,
            Score {
                half_points: 3,
                counted: 3
            }
        );
        assert_eq!(s.percent(), Some(50));
        let mut all = Score {
            half_points: 2,
            counted: 1,
        };
        all.merge(s);
        assert_eq!(all.percent(), Some(62));
    }

    #[test]
    fn a_system_is_due_a_week_after_its_last_scan() {
        let at = Utc.with_ymd_and_hms(2021, 6, 1, 10, 0, 0).unwrap();
        assert!(scan_due(None, at));
        assert!(!scan_due(Some(at), at + Duration::days(7) - Duration::seconds(1)));
        assert!(scan_due(Some(at), at + Duration::days(7)));
        let now = at + Duration::days(9);
        for last in [at, last_scan_due_by(now), last_scan_due_by(now) + Duration::seconds(1)] {
            assert_eq!(scan_due(Some(last), now), last <= last_scan_due_by(now));
        }
    }

    #[test]
    fn what_a_system_is_scanned_as() {
        let t = |kind, name: &str| scan_target(kind, name, public);
        assert_eq!(t(AssetKind::Domain, "Gent.be."), Ok(ScanTarget::Domain("gent.be".into())));
        assert_eq!(t(AssetKind::Host, "loket.gent.be"), Ok(ScanTarget::Host("loket.gent.be".into())));
        assert_eq!(
            t(AssetKind::Application, "https://user@loket.gent.be:8443/aanvraag?x=1"),
            Ok(ScanTarget::Host("loket.gent.be".into()))
        );
        assert_eq!(
            t(AssetKind::Host, "192.0.2.7"),
            Ok(ScanTarget::Address("192.0.2.7".parse().unwrap()))
        );
        assert_eq!(
            t(AssetKind::Application, "https://[2001:db8::1]/"),
            Ok(ScanTarget::Address("2001:db8::1".parse().unwrap()))
        );
        assert_eq!(
            t(AssetKind::Host, "10.0.0.5"),
            Err(NotScannable::NotPublic("10.0.0.5".parse().unwrap()))
        );
        assert_eq!(
            t(AssetKind::Host, "127.0.0.1"),
            Err(NotScannable::NotPublic("127.0.0.1".parse().unwrap()))
        );
        assert_eq!(t(AssetKind::IpRange, "192.0.2.0/24"), Err(NotScannable::Range));
        assert_eq!(t(AssetKind::Domain, "localhost"), Err(NotScannable::Unreadable));
        assert_eq!(t(AssetKind::Domain, "gent .be"), Err(NotScannable::Unreadable));
        assert_eq!(t(AssetKind::Domain, "-gent.be"), Err(NotScannable::Unreadable));
        assert_eq!(t(AssetKind::Application, "https:///x"), Err(NotScannable::Unreadable));
    }
}
