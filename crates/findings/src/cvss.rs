//! CVSS vectors: parsed and scored with the RustSec `cvss` crate (2.0, 3.0, 3.1, 4.0), never trusted from the file.

use std::collections::HashMap;
use std::str::FromStr;

use crate::model::{Cvss, CvssVersion};

const V2_BASE: [&str; 6] = ["AV", "AC", "Au", "C", "I", "A"];
const V3_BASE: [&str; 8] = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"];
const V4_BASE: [&str; 11] = ["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"];

/// Parses and scores a vector. Accepts the usual decorations: Nessus' `CVSS2#` prefix, NVD's parentheses, and
/// surrounding whitespace. Returns (version, canonical vector, computed score) or why the vector is refused.
pub(crate) fn score_vector(raw: &str) -> Result<(CvssVersion, String, f64), String> {
    let mut v = raw.trim();
    if let Some(stripped) = v.strip_prefix("CVSS2#") {
        v = stripped;
    }
    v = v.trim_start_matches('(').trim_end_matches(')').trim();
    if v.is_empty() {
        return Err("empty vector".into());
    }
    if v.len() > 256 {
        return Err("vector too long".into());
    }
    let parsed = cvss::Cvss::from_str(v).map_err(|e| e.to_string())?;
    let (version, required): (CvssVersion, &[&str]) = match &parsed {
        cvss::Cvss::CvssV20(_) => (CvssVersion::V2, &V2_BASE),
        cvss::Cvss::CvssV30(_) => (CvssVersion::V3_0, &V3_BASE),
        cvss::Cvss::CvssV31(_) => (CvssVersion::V3_1, &V3_BASE),
        cvss::Cvss::CvssV40(_) => (CvssVersion::V4_0, &V4_BASE),
        _ => return Err("unsupported CVSS version".into()),
    };
    // The crate parses vectors with base metrics missing (and would panic scoring such a 4.0 vector): require them.
    let present: Vec<&'static str> = parsed.metrics().map(|(m, _)| m.name()).collect();
    let missing: Vec<&str> = required.iter().copied().filter(|m| !present.contains(m)).collect();
    if !missing.is_empty() {
        return Err(format!("missing base metrics {}", missing.join(", ")));
    }
    let score = parsed.score();
    if !score.is_finite() || !(0.0..=10.0).contains(&score) {
        return Err("score out of range".into());
    }
    Ok((version, parsed.to_string(), (score * 10.0).round() / 10.0))
}

/// Parses a score given as text (`"7.5"`); `None` for anything that is not a number between 0 and 10.
pub(crate) fn parse_score(raw: &str) -> Option<f64> {
    let s: f64 = raw.trim().parse().ok()?;
    if s.is_finite() && (0.0..=10.0).contains(&s) {
        Some(s)
    } else {
        None
    }
}

/// Builds CVSS assessments, remembering recent vectors: reports repeat the same few vectors many times.
#[derive(Default)]
pub(crate) struct CvssScorer {
    cache: HashMap<String, Result<(CvssVersion, String, f64), String>>,
    pub(crate) invalid: u64,
}

const CACHE_MAX: usize = 4096;

impl CvssScorer {
    /// An assessment from a vector (and the score the file gave next to it, used only when the vector is invalid).
    fn assess(&mut self, vector: &str, reported: Option<f64>, version_hint: Option<CvssVersion>) -> Cvss {
        let result = match self.cache.get(vector) {
            Some(r) => r.clone(),
            None => {
                let r = score_vector(vector);
                if self.cache.len() >= CACHE_MAX {
                    self.cache.clear();
                }
                self.cache.insert(vector.to_string(), r.clone());
                r
            }
        };
        match result {
            Ok((version, canonical, score)) => Cvss {
                version: Some(version),
                vector: Some(canonical),
                score: Some(score),
                computed: true,
                invalid_vector: None,
            },
            Err(why) => Cvss {
                version: version_hint,
                vector: Some(vector.trim().to_string()),
                score: reported,
                computed: false,
                invalid_vector: Some(why),
            },
        }
    }

    /// An assessment from a score alone ("as reported").
    pub(crate) fn from_score(score: f64, version: Option<CvssVersion>) -> Cvss {
        Cvss {
            version,
            vector: None,
            score: Some(score),
            computed: false,
            invalid_vector: None,
        }
    }

    /// The best assessment from candidates given newest version first: the first valid vector; else the first
    /// invalid vector (the finding counted once as having an invalid vector); else the first score.
    pub(crate) fn best(&mut self, candidates: &[(Option<&str>, Option<f64>, CvssVersion)]) -> Option<Cvss> {
        let mut first_invalid = None;
        for (vector, score, version) in candidates {
            if let Some(v) = vector.filter(|v| !v.trim().is_empty()) {
                let c = self.assess(v, *score, Some(*version));
                if !c.is_invalid() {
                    return Some(c);
                }
                if first_invalid.is_none() {
                    first_invalid = Some(c);
                }
            }
        }
        if let Some(c) = first_invalid {
            self.invalid += 1;
            return Some(c);
        }
        candidates
            .iter()
            .find_map(|(_, s, version)| s.map(|s| Self::from_score(s, Some(*version))))
    }
}

/// Parses and scores a CVSS vector given by a person (a vulnerability report): its version, the
/// vector in canonical form and its base score, or why it is refused.
pub fn score_cvss_vector(raw: &str) -> Result<(CvssVersion, String, f64), String> {
    score_vector(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_computed_from_vectors() {
        let (v, canon, s) = score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!((v, s), (CvssVersion::V3_1, 9.8));
        assert_eq!(canon, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(score_vector("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N").unwrap().2, 5.3);
        assert_eq!(score_vector("CVSS2#AV:N/AC:L/Au:N/C:P/I:N/A:N").unwrap().2, 5.0);
        assert_eq!(score_vector("(AV:N/AC:L/Au:N/C:C/I:C/A:C)").unwrap().2, 10.0);
        // FIRST's calculator gives 9.3 for this 4.0 vector.
        let (v4, _, s4) = score_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").unwrap();
        assert_eq!((v4, s4), (CvssVersion::V4_0, 9.3));
    }

    #[test]
    fn invalid_vectors_are_refused_not_panicking() {
        assert!(score_vector("CVSS:4.0/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N").is_err());
        assert!(score_vector("CVSS:4.0/AV:N").is_err());
        assert!(score_vector("CVSS:3.1/AV:N").unwrap_err().contains("missing base metrics"));
        assert!(score_vector("CVSS:9.9/AV:N").is_err());
        assert!(score_vector("garbage").is_err());
        assert!(score_vector("").is_err());
    }

    #[test]
    fn best_prefers_a_valid_newer_vector_and_counts_invalid_once() {
        let mut s = CvssScorer::default();
        let c = s
            .best(&[
                (Some("CVSS:4.0/bad"), Some(7.3), CvssVersion::V4_0),
                (Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), None, CvssVersion::V3_1),
            ])
            .unwrap();
        assert_eq!(c.score, Some(9.8));
        assert!(c.computed);
        assert_eq!(s.invalid, 0);
        let c = s
            .best(&[
                (Some("CVSS:4.0/bad"), Some(7.3), CvssVersion::V4_0),
                (None, Some(5.0), CvssVersion::V2),
            ])
            .unwrap();
        assert!(c.is_invalid());
        assert_eq!(c.score, Some(7.3));
        assert!(!c.computed);
        assert_eq!(s.invalid, 1);
        let c = s.best(&[(None, Some(5.0), CvssVersion::V2)]).unwrap();
        assert_eq!((c.score, c.computed, c.vector.is_none()), (Some(5.0), false, true));
    }
}
