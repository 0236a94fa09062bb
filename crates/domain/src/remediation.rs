//! A finding's remediation: open -> in progress -> fixed -> verified (by the firm's re-test),
//! or risk accepted (with a reason and an end date) or a false positive (with a reason).
//! What a scanner reports as information is kept as information about the asset: it is never
//! open, has no deadline and takes no step (a later report that rates it a finding opens it).

use crate::registry::Role;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    Open,
    InProgress,
    Fixed,
    Verified,
    RiskAccepted,
    FalsePositive,
    /// I4-10: what a scanner reports as information: no decision, no deadline, never open.
    Informational,
}

impl FindingStatus {
    pub const ALL: [FindingStatus; 7] = [
        FindingStatus::Open,
        FindingStatus::InProgress,
        FindingStatus::Fixed,
        FindingStatus::Verified,
        FindingStatus::RiskAccepted,
        FindingStatus::FalsePositive,
        FindingStatus::Informational,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::InProgress => "in_progress",
            FindingStatus::Fixed => "fixed",
            FindingStatus::Verified => "verified",
            FindingStatus::RiskAccepted => "risk_accepted",
            FindingStatus::FalsePositive => "false_positive",
            FindingStatus::Informational => "informational",
        }
    }

    /// Still to be dealt with: counts towards the register's open work and its deadlines.
    pub fn is_open(self) -> bool {
        matches!(self, FindingStatus::Open | FindingStatus::InProgress)
    }
}

impl FromStr for FindingStatus {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        FindingStatus::ALL.into_iter().find(|s| s.as_str() == text).ok_or(())
    }
}

/// Who takes a step: the government that owns the finding, or the firm that audits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Government,
    Firm,
    Administrator,
}

/// Whether `party` may move a finding from `from` to `to`.
pub fn allowed(from: FindingStatus, to: FindingStatus, party: Party) -> bool {
    use FindingStatus as S;
    let government = matches!(party, Party::Government | Party::Administrator);
    let firm = matches!(party, Party::Firm | Party::Administrator);
    match (from, to) {
        (S::Open, S::InProgress) | (S::Open | S::InProgress, S::Fixed) => government,
        // Only the firm's re-test verifies a fix.
        (S::Fixed, S::Verified) => firm,
        (S::Open | S::InProgress, S::RiskAccepted) => government,
        (S::Open | S::InProgress, S::FalsePositive) => government || firm,
        // A fix that did not hold, an acceptance taken back, a false positive that was not.
        (S::Fixed | S::RiskAccepted | S::FalsePositive, S::Open) => government || firm,
        (S::Verified, S::Open) => firm,
        _ => false,
    }
}

/// Whether the step needs a reason (and, for an accepted risk, an end date).
pub fn needs_reason(to: FindingStatus) -> bool {
    matches!(to, FindingStatus::RiskAccepted | FindingStatus::FalsePositive)
}

/// I4-11: who may own a finding (be the person who sees to its remediation): a member of the
/// government whose finding it is, nobody else.
pub fn may_own(person_organisation: i64, person_role: Role, finding_government: i64) -> bool {
    person_role == Role::GovernmentMember && person_organisation == finding_government
}

/// I4-11: at the remediation day the firm records, for the government, which actions were started:
/// an action started on an open finding puts it in progress. Any other status stays as it is.
pub fn started_at_remediation_day(from: FindingStatus) -> Option<FindingStatus> {
    (from == FindingStatus::Open).then_some(FindingStatus::InProgress)
}

#[cfg(test)]
mod tests {
    use super::*;
    use FindingStatus as S;

    #[test]
    fn the_government_fixes_and_the_firm_verifies() {
        assert!(allowed(S::Open, S::InProgress, Party::Government));
        assert!(allowed(S::InProgress, S::Fixed, Party::Government));
        assert!(
            !allowed(S::Fixed, S::Verified, Party::Government),
            "a government does not verify its own fix"
        );
        assert!(allowed(S::Fixed, S::Verified, Party::Firm));
        assert!(!allowed(S::Open, S::Fixed, Party::Firm));
        assert!(allowed(S::Fixed, S::Open, Party::Firm), "a re-test that finds it again reopens it");
        assert!(allowed(S::Open, S::RiskAccepted, Party::Government));
        assert!(!allowed(S::Open, S::RiskAccepted, Party::Firm));
        assert!(!allowed(S::Verified, S::InProgress, Party::Administrator));
        assert!(!allowed(S::Open, S::Open, Party::Administrator));
    }

    #[test]
    fn statuses_read_back_and_only_accepted_risks_and_false_positives_need_a_reason() {
        for s in S::ALL {
            assert_eq!(s.as_str().parse::<S>(), Ok(s));
        }
        assert!("lost".parse::<S>().is_err());
        assert_eq!(S::ALL.iter().filter(|s| needs_reason(**s)).count(), 2);
        assert_eq!(S::ALL.iter().filter(|s| s.is_open()).count(), 2);
    }

    #[test]
    fn only_a_member_of_the_findings_government_owns_it() {
        assert!(may_own(7, Role::GovernmentMember, 7));
        assert!(!may_own(8, Role::GovernmentMember, 7), "another government's person");
        assert!(!may_own(7, Role::FirmMember, 7));
        assert!(!may_own(7, Role::ProgrammeAdmin, 7));
    }

    #[test]
    fn an_action_started_at_the_remediation_day_puts_an_open_finding_in_progress() {
        assert_eq!(started_at_remediation_day(S::Open), Some(S::InProgress));
        for s in [S::InProgress, S::Fixed, S::Verified, S::RiskAccepted, S::FalsePositive] {
            assert_eq!(started_at_remediation_day(s), None);
        }
    }

    #[test]
    fn information_is_never_open_and_takes_no_step() {
        assert!(!S::Informational.is_open());
        for other in S::ALL {
            for party in [Party::Government, Party::Firm, Party::Administrator] {
                assert!(!allowed(S::Informational, other, party), "{other:?} by {party:?}");
                assert!(!allowed(other, S::Informational, party), "{other:?} by {party:?}");
            }
        }
        assert_eq!(started_at_remediation_day(S::Informational), None);
        assert_eq!("informational".parse::<FindingStatus>(), Ok(S::Informational));
    }
}
