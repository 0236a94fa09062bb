//! Limits an import enforces, so a hostile or broken file cannot take the process' memory or time.

/// Limits of one import. The defaults suit an upload of a large scan (a 1,000,000-finding Nessus file is about
/// 1 GB): raise them deliberately, not by accident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Maximum size of the file in bytes (default 2 GiB).
    pub max_bytes: u64,
    /// Maximum number of findings (default 2,000,000).
    pub max_findings: u64,
    /// Maximum size of one text field or one JSON line in bytes (default 16 MiB).
    pub max_field_bytes: usize,
    /// Maximum nesting depth of XML elements (default 64; JSON nesting is limited to 128 by serde_json).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 2 << 30,
            max_findings: 2_000_000,
            max_field_bytes: 16 << 20,
            max_depth: 64,
        }
    }
}
