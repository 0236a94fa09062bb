//! Integration tests of the importers: one test binary, one module per topic.

mod bad_input;
mod dedup;
mod formats;
mod never_panics;
mod samples;

use std::path::PathBuf;

use cyberveilig_findings::{Finding, Format, ImportError, Limits, Report, import_to_vec};

/// A report this crate's tests wrote themselves, from `tests/data/`.
pub fn data(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Imports bytes with the default limits, detecting the format when `format` is `None`.
pub fn import(format: Option<Format>, bytes: &[u8]) -> Result<(Report, Vec<Finding>), ImportError> {
    import_to_vec(format, bytes, &Limits::default())
}

/// Imports bytes that must import.
pub fn ok(format: Option<Format>, bytes: &[u8]) -> (Report, Vec<Finding>) {
    import(format, bytes).unwrap_or_else(|e| panic!("import failed: {e} ({})", e.code()))
}

/// The shared real-world samples (`../shared/fixtures/scans` beside the repository), or `None` with a message
/// when they are absent (a clone outside the team has no `shared/`).
pub fn samples() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/scans");
    if p.is_dir() {
        Some(p)
    } else {
        assert!(
            std::env::var("CYBERVEILIG_SAMPLES").as_deref() != Ok("required"),
            "the real scanner samples are required but {} is absent",
            p.display()
        );
        // Straight to stderr, which the test harness does not capture: a skip is seen.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("SKIP: {} is absent; the tests on real scanner samples do not run\n", p.display()).as_bytes(),
        );
        None
    }
}

/// One shared sample's bytes.
pub fn sample(dir: &std::path::Path, rel: &str) -> Vec<u8> {
    let p = dir.join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Findings with a given rule id.
pub fn by_rule<'a>(findings: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule_id == rule).collect()
}
