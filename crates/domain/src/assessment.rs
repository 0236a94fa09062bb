//! Assessments (issue 4, item 3): the firm rates each control of a catalogue for an order, and
//! the score per area and overall follows from the ratings (docs/RULES.md, A1-A3).
//!
//! A1: compliant counts 1, partially 1/2, not compliant 0; not applicable is left out. A score
//! is the points over the controls rated and applicable, in tenths of a percent, rounded half up.
//! A2: a control not rated yet is counted as unrated, never as 0; with nothing rated and
//! applicable an area has no score. A3: the change of an area is its score now minus its score
//! in the government's previous assessment on the same catalogue, when both have one.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Compliant,
    Partially,
    NotCompliant,
    NotApplicable,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::Compliant, Rating::Partially, Rating::NotCompliant, Rating::NotApplicable];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Compliant => "compliant",
            Rating::Partially => "partially",
            Rating::NotCompliant => "not_compliant",
            Rating::NotApplicable => "not_applicable",
        }
    }

    /// A1: points in halves (compliant 2, partially 1, not compliant 0); none when not applicable.
    fn halves(self) -> Option<u64> {
        match self {
            Rating::Compliant => Some(2),
            Rating::Partially => Some(1),
            Rating::NotCompliant => Some(0),
            Rating::NotApplicable => None,
        }
    }
}

impl FromStr for Rating {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        Rating::ALL.into_iter().find(|r| r.as_str() == text).ok_or(())
    }
}

/// The tally of one area (or of the whole catalogue) and its score.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AreaScore {
    pub area: String,
    pub controls: u32,
    pub compliant: u32,
    pub partially: u32,
    pub not_compliant: u32,
    pub not_applicable: u32,
    /// A2: controls without a rating yet.
    pub unrated: u32,
}

impl AreaScore {
    fn new(area: &str) -> AreaScore {
        AreaScore {
            area: area.to_owned(),
            ..AreaScore::default()
        }
    }

    fn count(&mut self, rating: Option<Rating>) {
        self.controls += 1;
        match rating {
            None => self.unrated += 1,
            Some(Rating::Compliant) => self.compliant += 1,
            Some(Rating::Partially) => self.partially += 1,
            Some(Rating::NotCompliant) => self.not_compliant += 1,
            Some(Rating::NotApplicable) => self.not_applicable += 1,
        }
    }

    /// Controls rated and applicable: the score's denominator.
    pub fn scored(&self) -> u32 {
        self.compliant + self.partially + self.not_compliant
    }

    /// A1/A2: the score in tenths of a percent (0..=1000), or none when nothing counts yet.
    pub fn per_mille(&self) -> Option<u32> {
        let possible = 2 * u64::from(self.scored());
        if possible == 0 {
            return None;
        }
        let earned = u64::from(self.compliant) * Rating::Compliant.halves().unwrap_or(0)
            + u64::from(self.partially) * Rating::Partially.halves().unwrap_or(0);
        Some(((earned * 1000 + possible / 2) / possible) as u32)
    }

    /// Every control has a rating.
    pub fn complete(&self) -> bool {
        self.unrated == 0
    }
}

/// The scores of an assessment: per area, in the catalogue's order, and overall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scores {
    pub areas: Vec<AreaScore>,
    pub overall: AreaScore,
}

/// Scores the controls of a catalogue, each given as its area and its rating (if any). The
/// overall score counts every control once, so a large area weighs more than a small one.
pub fn score<'a>(controls: impl IntoIterator<Item = (&'a str, Option<Rating>)>) -> Scores {
    let mut areas: Vec<AreaScore> = Vec::new();
    let mut overall = AreaScore::new("");
    for (area, rating) in controls {
        let index = match areas.iter().position(|a| a.area == area) {
            Some(i) => i,
            None => {
                areas.push(AreaScore::new(area));
                areas.len() - 1
            }
        };
        areas[index].count(rating);
        overall.count(rating);
    }
    Scores { areas, overall }
}

/// Which way a score went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
    Same,
    /// No score to compare with: no previous assessment, or one side has no score.
    NotComparable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub area: String,
    pub now: Option<u32>,
    pub before: Option<u32>,
    /// A3: now minus before, in tenths of a percentage point.
    pub by: Option<i64>,
    pub direction: Direction,
}

fn change(area: &str, now: Option<u32>, before: Option<u32>) -> Change {
    let by = now.zip(before).map(|(n, b)| i64::from(n) - i64::from(b));
    Change {
        area: area.to_owned(),
        now,
        before,
        by,
        direction: match by {
            None => Direction::NotComparable,
            Some(d) if d > 0 => Direction::Up,
            Some(d) if d < 0 => Direction::Down,
            Some(_) => Direction::Same,
        },
    }
}

/// A3: the change of each area of `now` (and overall) since `before`, matched by area.
pub fn changes(now: &Scores, before: Option<&Scores>) -> (Vec<Change>, Change) {
    let previous = |area: &str| {
        before
            .and_then(|b| b.areas.iter().find(|a| a.area == area))
            .and_then(AreaScore::per_mille)
    };
    let areas = now
        .areas
        .iter()
        .map(|a| change(&a.area, a.per_mille(), previous(&a.area)))
        .collect();
    let overall = change("", now.overall.per_mille(), before.and_then(|b| b.overall.per_mille()));
    (areas, overall)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Rating::*;

    #[test]
    fn ratings_read_and_write_their_names() {
        for r in Rating::ALL {
            assert_eq!(r.as_str().parse::<Rating>(), Ok(r));
        }
        assert!("partial".parse::<Rating>().is_err());
        assert!("".parse::<Rating>().is_err());
    }

    #[test]
    fn compliant_counts_one_partially_half_not_applicable_nothing() {
        let s = score([
            ("A", Some(Compliant)),
            ("A", Some(Partially)),
            ("A", Some(NotCompliant)),
            ("A", Some(NotApplicable)),
        ]);
        let a = &s.areas[0];
        assert_eq!((a.controls, a.scored(), a.not_applicable, a.unrated), (4, 3, 1, 0));
        // (1 + 0.5 + 0) / 3 = 50.0 %
        assert_eq!(a.per_mille(), Some(500));
        assert!(a.complete());
    }

    #[test]
    fn unrated_controls_are_counted_apart_not_as_zero() {
        let s = score([("A", Some(Compliant)), ("A", None), ("A", None)]);
        assert_eq!(s.areas[0].per_mille(), Some(1000), "two unrated do not pull the score down");
        assert_eq!(s.areas[0].unrated, 2);
        assert!(!s.areas[0].complete());
        let nothing = score([("A", None), ("A", Some(NotApplicable))]);
        assert_eq!(nothing.areas[0].per_mille(), None, "nothing rated and applicable: no score");
    }

    #[test]
    fn scores_round_half_up_to_a_tenth_of_a_percent() {
        // 2 of 3 compliant: 66.666..% -> 66.7 %; 1/6 partially -> 8.333% -> 8.3 %.
        assert_eq!(
            score([("A", Some(Compliant)), ("A", Some(Compliant)), ("A", Some(NotCompliant))])
                .overall
                .per_mille(),
            Some(667)
        );
        let mut sixth = vec![("A", Some(NotCompliant)); 5];
        sixth.push(("A", Some(Partially)));
        assert_eq!(score(sixth).overall.per_mille(), Some(83));
        // 1/16 partially: 3.125 % -> 3.1 %; 1 partially of 8: 6.25 % -> 6.3 % (half up).
        let mut eighth = vec![("A", Some(NotCompliant)); 7];
        eighth.push(("A", Some(Partially)));
        assert_eq!(score(eighth).overall.per_mille(), Some(63));
    }

    #[test]
    fn areas_keep_the_catalogue_order_and_overall_counts_every_control_once() {
        let s = score([
            ("ROL", Some(Compliant)),
            ("TEC", Some(NotCompliant)),
            ("TEC", Some(NotCompliant)),
            ("ROL", Some(Partially)),
            ("TEC", Some(NotCompliant)),
        ]);
        let names: Vec<&str> = s.areas.iter().map(|a| a.area.as_str()).collect();
        assert_eq!(names, ["ROL", "TEC"]);
        assert_eq!(s.areas[0].per_mille(), Some(750));
        assert_eq!(s.areas[1].per_mille(), Some(0));
        // Overall: 1.5 of 5, not the mean of 75 % and 0 %.
        assert_eq!(s.overall.per_mille(), Some(300));
        assert_eq!(s.overall.controls, 5);
    }

    #[test]
    fn the_change_since_the_previous_assessment_per_area() {
        let before = score([("ROL", Some(NotCompliant)), ("TEC", Some(Compliant)), ("FYS", None)]);
        let now = score([
            ("ROL", Some(Partially)),
            ("TEC", Some(Compliant)),
            ("FYS", Some(Compliant)),
            ("NEW", Some(NotCompliant)),
        ]);
        let (areas, overall) = changes(&now, Some(&before));
        let rol = &areas[0];
        assert_eq!(
            (rol.now, rol.before, rol.by, rol.direction),
            (Some(500), Some(0), Some(500), Direction::Up)
        );
        assert_eq!((areas[1].by, areas[1].direction), (Some(0), Direction::Same));
        assert_eq!(
            (areas[2].before, areas[2].direction),
            (None, Direction::NotComparable),
            "unrated before"
        );
        assert_eq!((areas[3].area.as_str(), areas[3].direction), ("NEW", Direction::NotComparable));
        // Overall: before 1 of 2 = 50 %, now 2.5 of 4 = 62.5 %.
        assert_eq!((overall.before, overall.now, overall.by), (Some(500), Some(625), Some(125)));
        let worse = score([("ROL", Some(NotCompliant)), ("TEC", Some(NotCompliant))]);
        assert_eq!(changes(&worse, Some(&now)).1.direction, Direction::Down);
        let (first, total) = changes(&now, None);
        assert!(first.iter().all(|c| c.direction == Direction::NotComparable && c.by.is_none()));
        assert_eq!(total.direction, Direction::NotComparable);
    }
}
