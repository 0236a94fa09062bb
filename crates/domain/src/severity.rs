//! A finding's severity: as the tool gave it, or as the CVSS score rates it. Stored as its name
//! and as its rank, by which the register sorts.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// From the least to the most severe.
    pub const ALL: [Severity; 5] = [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    /// `info`, `low`, `medium`, `high`, `critical`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// 0 (info) to 4 (critical).
    pub const fn rank(self) -> i64 {
        self as i64
    }

    /// The severity of a stored rank; `None` for a number outside 0 to 4.
    pub fn of_rank(rank: i64) -> Option<Severity> {
        usize::try_from(rank).ok().and_then(|r| Severity::ALL.get(r).copied())
    }

    /// Parses the usual words, case-insensitively: `info`, `informational`, `information`, `none`,
    /// `log`, `debug`, `low`, `medium`, `moderate`, `high`, `critical`.
    pub fn parse_word(word: &str) -> Option<Severity> {
        let w = word.trim().to_ascii_lowercase();
        Some(match w.as_str() {
            "info" | "informational" | "information" | "none" | "log" | "debug" => Severity::Info,
            "low" => Severity::Low,
            "medium" | "moderate" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }

    /// The CVSS qualitative rating of a score (0.0 info, 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9
    /// high, 9.0-10.0 critical). Used only where a tool gives a score and no severity of its own.
    pub fn from_cvss_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Info
        }
    }
}

/// Exactly the names `as_str` gives, nothing looser (that is `parse_word`).
impl FromStr for Severity {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text).ok_or(())
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rank_is_the_position_from_info_to_critical_and_back() {
        for (i, s) in Severity::ALL.into_iter().enumerate() {
            assert_eq!(s.rank(), i as i64);
            assert_eq!(Severity::of_rank(s.rank()), Some(s));
            assert_eq!(s.as_str().parse(), Ok(s));
        }
        assert_eq!(Severity::of_rank(5), None);
        assert_eq!(Severity::of_rank(-1), None);
        assert!(Severity::Critical > Severity::High);
    }

    #[test]
    fn words_and_scores() {
        assert_eq!(Severity::parse_word(" Moderate "), Some(Severity::Medium));
        assert_eq!(Severity::parse_word("log"), Some(Severity::Info));
        assert_eq!(Severity::parse_word("urgent"), None);
        assert_eq!("Medium".parse::<Severity>(), Err(()));
        assert_eq!(Severity::from_cvss_score(0.0), Severity::Info);
        assert_eq!(Severity::from_cvss_score(3.9), Severity::Low);
        assert_eq!(Severity::from_cvss_score(9.0), Severity::Critical);
    }
}
