#![no_main]
//! Fuzzes format detection and the import of whatever format it detects.

use cyberveilig_findings::{Limits, detect, import_to_vec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    let limits = Limits {
        max_bytes: 1 << 20,
        max_findings: 10_000,
        max_field_bytes: 1 << 16,
        max_depth: 64,
    };
    let _ = import_to_vec(None, data, &limits);
});
