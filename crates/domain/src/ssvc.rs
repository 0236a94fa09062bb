//! Priority of a finding: CISA's SSVC decision tree (coordinator, version 2.0.3), from four
//! decision points to Track, Track*, Attend or Act, and the remediation term each gets.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exploitation {
    None,
    PublicPoc,
    Active,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TechnicalImpact {
    Partial,
    Total,
}

/// How much the government's mission and the public's well-being depend on the asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissionWellbeing {
    Low,
    Medium,
    High,
}

impl MissionWellbeing {
    pub const ALL: [MissionWellbeing; 3] = [MissionWellbeing::Low, MissionWellbeing::Medium, MissionWellbeing::High];

    /// The name an asset's criticality is stored and shown with.
    pub fn as_str(self) -> &'static str {
        match self {
            MissionWellbeing::Low => "low",
            MissionWellbeing::Medium => "medium",
            MissionWellbeing::High => "high",
        }
    }
}

impl std::str::FromStr for MissionWellbeing {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        MissionWellbeing::ALL.into_iter().find(|m| m.as_str() == text).ok_or(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Track,
    TrackStar,
    Attend,
    Act,
}

impl Decision {
    /// Every decision, least urgent first (the order of `Ord`).
    pub const ALL: [Decision; 4] = [Decision::Track, Decision::TrackStar, Decision::Attend, Decision::Act];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Track => "track",
            Decision::TrackStar => "track*",
            Decision::Attend => "attend",
            Decision::Act => "act",
        }
    }
}

impl std::str::FromStr for Decision {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        Decision::ALL.into_iter().find(|d| d.as_str() == text).ok_or(())
    }
}

/// The decision points of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionPoints {
    pub exploitation: Exploitation,
    pub automatable: bool,
    pub technical_impact: TechnicalImpact,
    pub mission_wellbeing: MissionWellbeing,
}

/// CISA's tree. Read row by row it is: with high mission impact, active exploitation is Act
/// when total or automatable; without exploitation only a total or automatable high-impact
/// finding rises above Track.
pub fn decide(p: DecisionPoints) -> Decision {
    use Decision::*;
    use Exploitation as E;
    use MissionWellbeing as M;
    use TechnicalImpact as T;
    let total = p.technical_impact == T::Total;
    match (p.exploitation, p.mission_wellbeing) {
        (_, M::Low) => match p.exploitation {
            E::Active if p.automatable => Attend,
            _ => Track,
        },
        (E::None, M::Medium) => Track,
        (E::None, M::High) => match (p.automatable, total) {
            (false, false) => Track,
            (false, true) => TrackStar,
            (true, _) => Attend,
        },
        (E::PublicPoc, M::Medium) => {
            if total {
                TrackStar
            } else {
                Track
            }
        }
        (E::PublicPoc, M::High) => match (p.automatable, total) {
            (false, false) => TrackStar,
            _ => Attend,
        },
        (E::Active, M::Medium) => match (p.automatable, total) {
            (false, false) => Track,
            (true, true) => Act,
            _ => Attend,
        },
        (E::Active, M::High) => match (p.automatable, total) {
            (false, false) => Attend,
            _ => Act,
        },
    }
}

/// Days to remediate by decision (a programme setting; these are the defaults of issue 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemediationTerms {
    pub act: u32,
    pub attend: u32,
    pub track_star: u32,
    pub track: u32,
}

impl Default for RemediationTerms {
    fn default() -> RemediationTerms {
        RemediationTerms {
            act: 7,
            attend: 30,
            track_star: 90,
            track: 180,
        }
    }
}

impl RemediationTerms {
    /// The longest term a programme may set: two years.
    pub const MAX_DAYS: u32 = 730;

    /// I4-8: whether the terms make sense: each between 1 day and two years, and a higher priority
    /// never gets more time than a lower one (Act <= Attend <= Track* <= Track).
    pub fn is_valid(&self) -> bool {
        let days = [self.act, self.attend, self.track_star, self.track];
        days.iter().all(|d| (1..=Self::MAX_DAYS).contains(d)) && days.windows(2).all(|w| w[0] <= w[1])
    }

    pub fn days(&self, d: Decision) -> u32 {
        match d {
            Decision::Act => self.act,
            Decision::Attend => self.attend,
            Decision::TrackStar => self.track_star,
            Decision::Track => self.track,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 36 rows of CISA's published table (cisa_coordinator 2.0.3), in its order.
    const TABLE: &str = "\
        none,no,partial,low,track none,no,partial,medium,track none,no,partial,high,track \
        none,no,total,low,track none,no,total,medium,track none,no,total,high,track* \
        none,yes,partial,low,track none,yes,partial,medium,track none,yes,partial,high,attend \
        none,yes,total,low,track none,yes,total,medium,track none,yes,total,high,attend \
        poc,no,partial,low,track poc,no,partial,medium,track poc,no,partial,high,track* \
        poc,no,total,low,track poc,no,total,medium,track* poc,no,total,high,attend \
        poc,yes,partial,low,track poc,yes,partial,medium,track poc,yes,partial,high,attend \
        poc,yes,total,low,track poc,yes,total,medium,track* poc,yes,total,high,attend \
        active,no,partial,low,track active,no,partial,medium,track active,no,partial,high,attend \
        active,no,total,low,track active,no,total,medium,attend active,no,total,high,act \
        active,yes,partial,low,attend active,yes,partial,medium,attend active,yes,partial,high,act \
        active,yes,total,low,attend active,yes,total,medium,act active,yes,total,high,act";

    #[test]
    fn every_row_of_cisas_table() {
        let rows: Vec<&str> = TABLE.split_whitespace().collect();
        assert_eq!(rows.len(), 36);
        for row in rows {
            let c: Vec<&str> = row.split(',').collect();
            let points = DecisionPoints {
                exploitation: match c[0] {
                    "none" => Exploitation::None,
                    "poc" => Exploitation::PublicPoc,
                    _ => Exploitation::Active,
                },
                automatable: c[1] == "yes",
                technical_impact: if c[2] == "total" {
                    TechnicalImpact::Total
                } else {
                    TechnicalImpact::Partial
                },
                mission_wellbeing: match c[3] {
                    "low" => MissionWellbeing::Low,
                    "medium" => MissionWellbeing::Medium,
                    _ => MissionWellbeing::High,
                },
            };
            assert_eq!(decide(points).as_str(), c[4], "{row}");
        }
    }

    #[test]
    fn the_default_terms() {
        let t = RemediationTerms::default();
        assert_eq!(
            [Decision::Act, Decision::Attend, Decision::TrackStar, Decision::Track].map(|d| t.days(d)),
            [7, 30, 90, 180]
        );
        assert!(t.is_valid());
    }

    #[test]
    fn terms_are_positive_bounded_and_follow_the_priority() {
        let t = RemediationTerms::default();
        assert!(!RemediationTerms { act: 0, ..t }.is_valid(), "no term of zero days");
        assert!(!RemediationTerms { track: 731, ..t }.is_valid(), "at most two years");
        assert!(
            !RemediationTerms { act: 31, ..t }.is_valid(),
            "Act never gets more time than Attend"
        );
        assert!(
            !RemediationTerms { track_star: 200, ..t }.is_valid(),
            "Track* never more than Track"
        );
        assert!(
            RemediationTerms {
                act: 14,
                attend: 14,
                track_star: 60,
                track: 365
            }
            .is_valid()
        );
    }
}
