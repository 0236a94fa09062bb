//! Imports a report and prints what was read: `cargo run -p cyberveilig-findings --example inspect -- FILE [-v]`.
//! The format is detected from the content; `-v` prints every finding in full.

use std::fs::File;
use std::io::Write;

use cyberveilig_findings::{Finding, Limits, SinkError, import_detected};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.iter().find(|a| !a.starts_with('-')) else {
        eprintln!("usage: inspect FILE [-v]");
        std::process::exit(2);
    };
    let verbose = args.iter().any(|a| a == "-v");
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut sink = |f: Finding| -> Result<(), SinkError> {
        if verbose {
            writeln!(out, "{f:#?}")?;
        } else {
            let host = f.host.as_ref().and_then(|h| h.key()).unwrap_or_default();
            let port = f.port.map(|p| p.to_string()).unwrap_or_default();
            let cvss = f.cvss.as_ref().and_then(|c| c.score).map(|s| s.to_string()).unwrap_or_default();
            writeln!(
                out,
                "{} {:8} {:30} {}:{} cvss={} {}",
                &f.fingerprint.to_hex()[..12],
                f.severity,
                f.rule_id,
                host,
                port,
                cvss,
                f.title
            )?;
        }
        Ok(())
    };
    match import_detected(file, &Limits::default(), &mut sink) {
        Ok(report) => {
            println!(
                "format={} tool_version={:?} start={:?} end={:?} findings={} invalid_cvss={} assets={} bytes={}",
                report.format,
                report.tool_version,
                report.scan_start.map(|t| t.raw),
                report.scan_end.map(|t| t.raw),
                report.findings,
                report.invalid_cvss_vectors,
                report.assets.len(),
                report.bytes
            );
            if verbose {
                println!("{:#?}", report.assets);
            }
        }
        Err(e) => {
            eprintln!("{}\n{}", e.message_en(), e.message_nl());
            std::process::exit(1);
        }
    }
}
