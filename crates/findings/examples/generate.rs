//! Writes a large synthetic report to standard output:
//!
//! ```sh
//! cargo run --release -p cyberveilig-findings --example generate -- --format nessus --findings 1000000 --hosts 5000 > big.nessus
//! ```
//!
//! Formats: `nessus`, `nuclei` (JSON lines), `generic-csv`. `--seed N` changes the random text (default 1).

use std::io::{BufWriter, Write};

#[path = "../synthetic/mod.rs"]
mod synthetic;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let number = |name: &str, default: u64| -> u64 {
        match value(name) {
            Some(v) => v.replace('_', "").parse().unwrap_or_else(|_| {
                eprintln!("{name} wants a number, not {v:?}");
                std::process::exit(2)
            }),
            None => default,
        }
    };
    let format = value("--format").unwrap_or_else(|| "nessus".into());
    let findings = number("--findings", 1_000_000);
    let hosts = number("--hosts", 5_000);
    let seed = number("--seed", 1);
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let result = match format.as_str() {
        "nessus" => synthetic::nessus(&mut out, findings, hosts, seed),
        "nuclei" => synthetic::nuclei(&mut out, findings, hosts, seed),
        "generic-csv" => synthetic::generic_csv(&mut out, findings, hosts, seed),
        other => {
            eprintln!("unknown --format {other:?}: nessus, nuclei or generic-csv");
            std::process::exit(2);
        }
    };
    if let Err(e) = result.and_then(|_| out.flush()) {
        eprintln!("writing failed: {e}");
        std::process::exit(1);
    }
}
