//! Property tests: importing arbitrary bytes (and mutated real reports) never panics, for every format.

use cyberveilig_findings::{Format, Limits, detect, import_to_vec};
use proptest::prelude::*;

use crate::data;

fn seeds() -> Vec<Vec<u8>> {
    [
        "nessus/two_hosts.nessus",
        "openvas/two_results.xml",
        "nmap/exposed.xml",
        "sarif/codeql.sarif",
        "zap/site.xml",
        "zap/site.json",
        "nuclei/results.jsonl",
        "nuclei/results_array.json",
        "burp/issues.xml",
        "generic/findings.csv",
        "generic/findings.json",
    ]
    .iter()
    .map(|p| data(p))
    .collect()
}

fn limits() -> Limits {
    Limits {
        max_bytes: 1 << 20,
        max_findings: 10_000,
        max_field_bytes: 1 << 16,
        max_depth: 64,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = detect(&bytes);
        for format in Format::ALL {
            let _ = import_to_vec(Some(format), &bytes[..], &limits());
        }
        let _ = import_to_vec(None, &bytes[..], &limits());
    }

    #[test]
    fn mutated_reports_never_panic(seed in 0usize..11, edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12), cut in any::<prop::sample::Index>()) {
        let mut bytes = seeds()[seed].clone();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let end = cut.index(bytes.len() + 1);
        let bytes = &bytes[..end];
        for format in Format::ALL {
            let _ = import_to_vec(Some(format), bytes, &limits());
        }
    }

    #[test]
    fn complete_cvss4_vectors_score_without_panic(
        base in proptest::collection::vec(0usize..4, 11),
        extra in proptest::collection::vec((0usize..21, 0usize..5), 0..10),
    ) {
        // Every base metric with a valid value, plus threat, environmental and supplemental metrics at random.
        let base_metrics: [(&str, &[&str]); 11] = [
            ("AV", &["N", "A", "L", "P"]), ("AC", &["L", "H"]), ("AT", &["N", "P"]), ("PR", &["N", "L", "H"]),
            ("UI", &["N", "P", "A"]), ("VC", &["H", "L", "N"]), ("VI", &["H", "L", "N"]), ("VA", &["H", "L", "N"]),
            ("SC", &["H", "L", "N"]), ("SI", &["H", "L", "N"]), ("SA", &["H", "L", "N"]),
        ];
        let other: [(&str, &[&str]); 21] = [
            ("E", &["X", "A", "P", "U"]), ("CR", &["X", "H", "M", "L"]), ("IR", &["X", "H", "M", "L"]), ("AR", &["X", "H", "M", "L"]),
            ("MAV", &["X", "N", "A", "L", "P"]), ("MAC", &["X", "L", "H"]), ("MAT", &["X", "N", "P"]), ("MPR", &["X", "N", "L", "H"]),
            ("MUI", &["X", "N", "P", "A"]), ("MVC", &["X", "H", "L", "N"]), ("MVI", &["X", "H", "L", "N"]), ("MVA", &["X", "H", "L", "N"]),
            ("MSC", &["X", "H", "L", "N"]), ("MSI", &["X", "S", "H", "L", "N"]), ("MSA", &["X", "S", "H", "L", "N"]),
            ("S", &["X", "N", "P"]), ("AU", &["X", "N", "Y"]), ("R", &["X", "A", "U", "I"]), ("V", &["X", "D", "C"]),
            ("RE", &["X", "L", "M", "H"]), ("U", &["X", "Clear", "Green", "Amber", "Red"]),
        ];
        let mut parts: Vec<String> = base_metrics.iter().zip(&base).map(|((m, vals), i)| format!("{m}:{}", vals[i % vals.len()])).collect();
        let mut used = std::collections::HashSet::new();
        for (m, v) in extra {
            if used.insert(m) {
                let (name, vals) = other[m];
                parts.push(format!("{name}:{}", vals[v % vals.len()]));
            }
        }
        let vector = format!("CVSS:4.0/{}", parts.join("/"));
        let json = format!("{{\"findings\":[{{\"title\":\"t\",\"severity\":\"low\",\"cvss_vector\":\"{vector}\"}}]}}");
        let (_, f) = import_to_vec(Some(Format::GenericJson), json.as_bytes(), &limits()).unwrap();
        let c = f[0].cvss.as_ref().unwrap();
        prop_assert!(c.computed, "{} refused: {:?}", vector, c.invalid_vector);
        prop_assert!(c.score.is_some_and(|s| (0.0..=10.0).contains(&s)));
    }

    #[test]
    fn arbitrary_cvss_vectors_never_panic(parts in proptest::collection::vec(("(AV|AC|AT|PR|UI|S|C|I|A|VC|VI|VA|SC|SI|SA|E|MAV|Au|CR)", "[NLHPRAUCX]"), 0..14), version in "(3\\.0|3\\.1|4\\.0|2\\.0)") {
        let body: Vec<String> = parts.iter().map(|(m, v)| format!("{m}:{v}")).collect();
        let vector = format!("CVSS:{version}/{}", body.join("/"));
        let json = format!("{{\"findings\":[{{\"title\":\"t\",\"severity\":\"low\",\"cvss_vector\":\"{vector}\"}}]}}");
        let (report, f) = import_to_vec(Some(Format::GenericJson), json.as_bytes(), &limits()).unwrap();
        prop_assert_eq!(f.len(), 1);
        let c = f[0].cvss.as_ref().unwrap();
        prop_assert!(c.computed != c.is_invalid());
        prop_assert_eq!(report.invalid_cvss_vectors, u64::from(c.is_invalid()));
    }
}
