//! Parse throughput and peak memory on a large synthetic Nessus file.
//!
//! ```sh
//! cargo bench -p cyberveilig-findings --bench parse
//! ```
//!
//! Knobs (environment):
//! - `CYBERVEILIG_BENCH_FINDINGS` (default 1000000) and `CYBERVEILIG_BENCH_HOSTS` (5000): the size of the generated
//!   file, written once to the system's temporary folder and reused.
//! - `CYBERVEILIG_BENCH_FILE`: parse this Nessus file instead.
//! - A fifth as many findings are also generated as Nuclei JSON lines and as the generic CSV, and parsed.
//! - `CYBERVEILIG_BENCH_FARADAY`: a Python interpreter with `faraday-plugins` installed; the same file is then also
//!   parsed by faraday-plugins' Nessus plugin in a child process, and the ratio printed.
//!
//! Peak memory is the process' high-water mark (`VmHWM` in /proc/self/status), read after each phase; the file is
//! generated as a stream, so before parsing the mark is that of the generator (a few MB).

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use cyberveilig_findings::{Finding, Fingerprint, Format, Limits, SinkError, import};

#[path = "../synthetic/mod.rs"]
mod synthetic;

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time (user + system) of this process in seconds, from /proc/self/stat (clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn limits() -> Limits {
    Limits {
        max_bytes: 64 << 30,
        max_findings: u64::MAX,
        ..Limits::default()
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass other flags: run only under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("parse: run with `cargo bench -p cyberveilig-findings --bench parse`");
        return;
    }
    let findings = env_u64("CYBERVEILIG_BENCH_FINDINGS", 1_000_000);
    let hosts = env_u64("CYBERVEILIG_BENCH_HOSTS", 5_000);
    let path = match std::env::var("CYBERVEILIG_BENCH_FILE") {
        Ok(p) => PathBuf::from(p),
        Err(_) => {
            let p = std::env::temp_dir().join(format!("cyberveilig-bench-{findings}-{hosts}.nessus"));
            if !p.exists() {
                let t = Instant::now();
                let tmp = p.with_extension("partial");
                let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp).expect("create the bench file"));
                synthetic::nessus(&mut out, findings, hosts, 1).expect("write the bench file");
                out.flush().expect("write the bench file");
                drop(out);
                std::fs::rename(&tmp, &p).expect("rename the bench file");
                println!("generated {} in {:.1} s", p.display(), t.elapsed().as_secs_f64());
            }
            p
        }
    };
    let bytes = std::fs::metadata(&path).expect("bench file").len();
    println!("file: {} ({:.1} MB)", path.display(), bytes as f64 / 1e6);
    println!(
        "peak RSS before parsing: {:.1} MiB",
        status_kib("VmHWM:").unwrap_or(0) as f64 / 1024.0
    );

    // 1. Parsing alone: every finding built, fingerprinted and handed to a sink that keeps nothing.
    let t = Instant::now();
    let cpu = cpu_seconds();
    let mut n = 0u64;
    let mut checksum = 0u8;
    let mut sink = |f: Finding| -> Result<(), SinkError> {
        n += 1;
        checksum ^= f.fingerprint.0[0];
        Ok(())
    };
    // The importer buffers by itself: the file is given as is.
    let report = import(Format::Nessus, File::open(&path).expect("open"), &limits(), &mut sink).expect("parse");
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let peak_parse = status_kib("VmHWM:").unwrap_or(0);
    println!(
        "parse only:        {n} findings in {secs:.2} s = {:.0} findings/s, {:.0} MB/s; CPU {cpu:.2} s = {:.0} findings per CPU-second; peak RSS {:.1} MiB; {} assets (checksum {checksum})",
        n as f64 / secs,
        bytes as f64 / 1e6 / secs,
        n as f64 / cpu,
        peak_parse as f64 / 1024.0,
        report.assets.len()
    );

    // 2. Parsing with dedup within the report by fingerprint (a set of 32-byte keys, as a store would do).
    let t = Instant::now();
    let cpu = cpu_seconds();
    let mut seen: HashSet<Fingerprint> = HashSet::new();
    let mut duplicates = 0u64;
    let mut sink = |f: Finding| -> Result<(), SinkError> {
        if !seen.insert(f.fingerprint) {
            duplicates += 1;
        }
        Ok(())
    };
    let report = import(Format::Nessus, File::open(&path).expect("open"), &limits(), &mut sink).expect("parse");
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    println!(
        "parse + dedup set: {} findings, {} distinct, {duplicates} duplicates in {secs:.2} s = {:.0} findings/s; CPU {cpu:.2} s = {:.0} findings per CPU-second; peak RSS {:.1} MiB",
        report.findings,
        seen.len(),
        report.findings as f64 / secs,
        report.findings as f64 / cpu,
        status_kib("VmHWM:").unwrap_or(0) as f64 / 1024.0
    );
    let ours = report.findings as f64 / secs;

    // 3. The streaming text formats, at a fifth of the size: Nuclei JSON lines and the generic CSV.
    let others = findings / 5;
    for (format, name, write) in [
        (
            Format::Nuclei,
            "nuclei",
            synthetic::nuclei as fn(&mut dyn Write, u64, u64, u64) -> std::io::Result<()>,
        ),
        (Format::GenericCsv, "generic-csv", synthetic::generic_csv),
    ] {
        let p = std::env::temp_dir().join(format!("cyberveilig-bench-{others}-{hosts}.{name}"));
        if !p.exists() {
            let tmp = p.with_extension("partial");
            let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp).expect("create"));
            write(&mut out, others, hosts, 1).expect("write");
            out.flush().expect("write");
            drop(out);
            std::fs::rename(&tmp, &p).expect("rename");
        }
        let size = std::fs::metadata(&p).expect("file").len();
        let t = Instant::now();
        let mut count = 0u64;
        let mut sink = |_: Finding| -> Result<(), SinkError> {
            count += 1;
            Ok(())
        };
        import(format, File::open(&p).expect("open"), &limits(), &mut sink).expect("parse");
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{name:<18} {count} findings ({:.0} MB) in {secs:.2} s = {:.0} findings/s, {:.0} MB/s",
            size as f64 / 1e6,
            count as f64 / secs,
            size as f64 / 1e6 / secs
        );
    }

    if let Ok(python) = std::env::var("CYBERVEILIG_BENCH_FARADAY") {
        faraday(&python, &path, ours);
    }
}

/// Runs faraday-plugins' Nessus plugin on the same file in a child process and prints its figures and the ratio.
fn faraday(python: &str, path: &std::path::Path, ours: f64) {
    let script = r#"
import json, logging, resource, sys, time
logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
from faraday_plugins.plugins.manager import PluginsManager
path = sys.argv[1]
plugin = PluginsManager().get_plugin("nessus")
t = time.perf_counter()
plugin.processReport(path)
secs = time.perf_counter() - t
# Counting what it read is not part of the timed work.
data = json.loads(plugin.get_json())
vulns = sum(len(h.get("vulnerabilities", [])) + sum(len(s.get("vulnerabilities", [])) for s in h.get("services", [])) for h in data["hosts"])
print(json.dumps({"seconds": secs, "vulns": vulns, "hosts": len(data["hosts"]), "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"#;
    let out = std::process::Command::new(python).arg("-c").arg(script).arg(path).output();
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let line = text.lines().last().unwrap_or("");
            let get = |k: &str| -> f64 {
                line.split(&format!("\"{k}\": "))
                    .nth(1)
                    .and_then(|r| r.split([',', '}']).next())
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(f64::NAN)
            };
            let (secs, vulns, hosts, rss) = (get("seconds"), get("vulns"), get("hosts"), get("maxrss_kib"));
            if vulns.is_nan() || vulns == 0.0 {
                // faraday-plugins logs its parse errors and returns an empty result.
                let log = String::from_utf8_lossy(&o.stderr);
                println!(
                    "faraday-plugins:   read no findings from this file in {secs:.2} s (peak RSS {:.1} MiB); its log: {}",
                    rss / 1024.0,
                    log.lines().last().unwrap_or("(empty)")
                );
                return;
            }
            let theirs = vulns / secs;
            println!(
                "faraday-plugins:   {vulns:.0} vulnerabilities on {hosts:.0} hosts, processReport alone in {secs:.2} s = {theirs:.0} findings/s; peak RSS {:.1} MiB",
                rss / 1024.0
            );
            println!(
                "ratio (cyberveilig-findings parse + dedup / faraday-plugins processReport): {:.1}x (our whole import into the register: cargo bench -p cyberveilig --bench import)",
                ours / theirs
            );
        }
        Ok(o) => println!(
            "faraday-plugins failed: {}",
            String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("")
        ),
        Err(e) => println!("faraday-plugins could not start ({python}): {e}"),
    }
}
