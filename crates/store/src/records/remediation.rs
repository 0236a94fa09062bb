//! The findings register and the remediation day.

use super::findings::{Asset, StoredFinding};
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::severity::Severity;
use cyberveilig_domain::ssvc::{Decision, MissionWellbeing};

/// The order of the findings register.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RegisterSort {
    /// SSVC decision, severity, CVSS score, first seen.
    #[default]
    Priority,
    /// Earliest deadline first (findings without one last), then priority.
    DueDate,
    /// Severity and CVSS score, then priority.
    Severity,
    /// By asset name (findings without an asset last), then priority.
    Asset,
    /// Most recently seen by a scan first, then priority.
    LastSeen,
}

impl RegisterSort {
    pub const ALL: [RegisterSort; 5] = [
        RegisterSort::Priority,
        RegisterSort::DueDate,
        RegisterSort::Severity,
        RegisterSort::Asset,
        RegisterSort::LastSeen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegisterSort::Priority => "priority",
            RegisterSort::DueDate => "due_on",
            RegisterSort::Severity => "severity",
            RegisterSort::Asset => "asset",
            RegisterSort::LastSeen => "last_seen",
        }
    }
}

impl std::str::FromStr for RegisterSort {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        RegisterSort::ALL.into_iter().find(|s| s.as_str() == text).ok_or(())
    }
}

/// Which findings of the register, in which order. Every field narrows; none set is everything.
#[derive(Debug, Clone, Default)]
pub struct RegisterQuery {
    pub government_id: Option<i64>,
    /// Findings of orders placed with this firm.
    pub firm_id: Option<i64>,
    pub order_id: Option<i64>,
    pub status: Option<FindingStatus>,
    /// Open or in progress.
    pub open_only: bool,
    /// act, attend, track* or track.
    pub decision: Option<Decision>,
    pub severity: Option<Severity>,
    pub asset_id: Option<i64>,
    pub owner_id: Option<i64>,
    /// Only findings still open whose deadline passed before this day.
    pub overdue_on: Option<NaiveDate>,
    /// One finding.
    pub finding_id: Option<i64>,
    pub sort: RegisterSort,
    /// The page starts after this finding (keyset); none for the first page.
    pub after: Option<RegisterCursor>,
    pub limit: i64,
}

/// A finding's place in the register's order: the keys of its sort (stored on the finding, see
/// migration 0028) and its id. A page asked after it starts with the next finding in that order,
/// found by a seek in the sort's index, however deep the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterCursor {
    pub sort: RegisterSort,
    /// The asset's key (`'0'` and its name, or `'1'`) for [`RegisterSort::Asset`].
    pub text: Option<String>,
    /// The sort's numeric keys, in order.
    pub numbers: Vec<i64>,
    pub id: i64,
}

impl RegisterSort {
    /// The keys of the sort, as columns of `findings`, before the id; `asset_key` is text, the
    /// others numbers.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            RegisterSort::Priority => &["priority_key"],
            RegisterSort::Severity => &["severity_key"],
            RegisterSort::DueDate => &["due_key", "priority_key"],
            RegisterSort::LastSeen => &["seen_key", "priority_key"],
            RegisterSort::Asset => &["asset_key", "priority_key"],
        }
    }
}

impl RegisterCursor {
    /// Before every finding in the sort's order: each key below any a finding has (numbers from
    /// `i64::MIN`, the asset's key from the empty text), and the id too.
    pub fn before_all(sort: RegisterSort) -> RegisterCursor {
        let text = (sort == RegisterSort::Asset).then(String::new);
        let numeric = sort.keys().len() - usize::from(text.is_some());
        RegisterCursor {
            sort,
            text,
            numbers: vec![i64::MIN; numeric],
            id: i64::MIN,
        }
    }

    /// The cursor as the API and the portal give it out: opaque, URL-safe (hex of
    /// `sort|keys…|id`).
    pub fn encode(&self) -> String {
        let mut parts: Vec<String> = vec![self.sort.as_str().to_owned()];
        parts.extend(self.text.clone());
        parts.extend(self.numbers.iter().map(i64::to_string));
        parts.push(self.id.to_string());
        hex::encode(parts.join("|"))
    }

    /// A cursor given out for `sort`; `None` for anything else (another sort's, or made up).
    pub fn decode(text: &str, sort: RegisterSort) -> Option<RegisterCursor> {
        let bytes = hex::decode(text).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (head, rest) = text.split_once('|')?;
        if head != sort.as_str() {
            return None;
        }
        let keys = sort.keys();
        let has_text = keys.contains(&"asset_key");
        // The numbers and the id are the last fields; an asset's name may hold the separator.
        let numeric = keys.len() - usize::from(has_text) + 1;
        let mut fields: Vec<&str> = rest.rsplitn(numeric + usize::from(has_text), '|').collect();
        fields.reverse();
        if fields.len() != numeric + usize::from(has_text) {
            return None;
        }
        let text_key = if has_text {
            let t = fields.remove(0);
            if !(t == "1" || t.starts_with('0')) {
                return None;
            }
            Some(t.to_owned())
        } else {
            None
        };
        let mut numbers = fields.iter().map(|f| f.parse::<i64>().ok()).collect::<Option<Vec<i64>>>()?;
        let id = numbers.pop()?;
        Some(RegisterCursor {
            sort,
            text: text_key,
            numbers,
            id,
        })
    }
}

/// How many findings match a query: exact when the filters are those the tallies keep
/// (government, firm, order, status, decision, severity); otherwise counted up to a bound, and
/// then `exact` is false and `n` is that bound ("more than").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterCount {
    pub n: i64,
    pub exact: bool,
}

/// One page of the register, and the cursor of the next when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterRows {
    pub entries: Vec<RegisterEntry>,
    pub next: Option<RegisterCursor>,
}

/// A line of the remediation plan: what the plan's columns need of a finding, and no more (an
/// export reads millions of them).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanLine {
    pub id: i64,
    pub title: String,
    pub asset_name: Option<String>,
    pub severity: Severity,
    pub cvss_score: Option<f64>,
    pub decision: Option<Decision>,
    pub status: FindingStatus,
    pub owner_name: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub cves: String,
}

/// A batch of the plan's lines in the register's order, and the cursor of the next.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanLines {
    pub lines: Vec<PlanLine>,
    pub next: Option<RegisterCursor>,
}

/// A finding as the register shows it: with its owner, its asset and its last remediation step.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterEntry {
    pub finding: StoredFinding,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub asset_name: Option<String>,
    pub asset_criticality: Option<MissionWellbeing>,
    /// The reason given with the last remediation step (an accepted risk, a false positive).
    pub status_reason: Option<String>,
    pub accepted_until: Option<NaiveDate>,
    /// Who took the last remediation step, such as accepting the risk.
    pub status_by_name: Option<String>,
}

/// One asset of a government with its findings counted.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetSummary {
    pub asset: Asset,
    /// Findings open or in progress, and of those: per decision, and overdue.
    pub open: i64,
    pub act: i64,
    pub attend: i64,
    pub track_star: i64,
    pub track: i64,
    pub overdue: i64,
    /// Information kept from scans about it (status `informational`).
    pub information: i64,
    /// All its findings, whatever their status (information included).
    pub total: i64,
}

/// What the firm recorded of a basic audit's remediation day.
#[derive(Debug, Clone, PartialEq)]
pub struct RemediationDay {
    pub order_id: i64,
    pub held_on: NaiveDate,
    /// Names and roles of who attended, free text.
    pub attendees: String,
    /// The government's people who attended: id and name.
    pub people: Vec<(i64, String)>,
    /// The findings on its agenda, in agenda order.
    pub actions: Vec<DayAction>,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

/// One finding on the remediation day's agenda: whether an action was started, with a note.
#[derive(Debug, Clone, PartialEq)]
pub struct DayAction {
    pub finding_id: i64,
    pub started: bool,
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_given_out_for_its_sort_only() {
        let cursors = [
            RegisterCursor {
                sort: RegisterSort::Priority,
                text: None,
                numbers: vec![-4556],
                id: 12,
            },
            RegisterCursor {
                sort: RegisterSort::DueDate,
                text: None,
                numbers: vec![2147483647, -128],
                id: 1,
            },
            RegisterCursor {
                sort: RegisterSort::Asset,
                text: Some("0web|1|2".into()),
                numbers: vec![-3],
                id: 9,
            },
            RegisterCursor {
                sort: RegisterSort::Asset,
                text: Some("1".into()),
                numbers: vec![0],
                id: i64::MAX,
            },
        ];
        for c in cursors {
            let text = c.encode();
            assert!(text.bytes().all(|b| b.is_ascii_hexdigit()), "URL-safe: {text}");
            assert_eq!(RegisterCursor::decode(&text, c.sort), Some(c.clone()));
            for other in RegisterSort::ALL.into_iter().filter(|s| *s != c.sort) {
                assert_eq!(RegisterCursor::decode(&text, other), None, "{other:?}");
            }
        }
        let hex = |t: &str| hex::encode(t);
        for bad in [
            "",
            "zz",
            "abc",
            &hex("priority"),
            &hex("priority|1"),
            &hex("priority|x|1"),
            &hex("priority|1|2|3"),
            &hex("asset|name|1|2"),
            &hex("due_on|1|2"),
        ] {
            let sort = if bad.contains(&hex("asset")) {
                RegisterSort::Asset
            } else if bad.contains(&hex("due_on")) {
                RegisterSort::DueDate
            } else {
                RegisterSort::Priority
            };
            assert_eq!(RegisterCursor::decode(bad, sort), None, "{bad}");
        }
    }
}
