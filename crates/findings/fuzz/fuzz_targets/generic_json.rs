#![no_main]
//! Fuzzes the GenericJson importer: any input gives findings or an error, never a panic.

use cyberveilig_findings::{Format, Limits, import_to_vec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_bytes: 1 << 20,
        max_findings: 10_000,
        max_field_bytes: 1 << 16,
        max_depth: 64,
    };
    let _ = import_to_vec(Some(Format::GenericJson), data, &limits);
});
