//! Import benchmark (issue 4, docs/PERFORMANCE.md): a large synthetic Nessus file imported
//! with deduplication into the register, as `cyberveilig import FILE --order ID` does it.
//!
//! On a database with the demo's history (so an order has been accepted by a firm), the file is
//! imported twice: first into an empty register (every finding new), then again (every finding
//! matched by its fingerprint and still open). Measured: findings per second, CPU, and the
//! process's peak resident memory during each import (the peak is reset before each).
//!
//! Always on SQLite; also on PostgreSQL when `CYBERVEILIG_BENCH_DATABASE_URL` names a server
//! (a database `cvbench_import_<random>` is created there and dropped at the end).
//!
//! ```text
//! cargo bench -p cyberveilig --bench import
//! CYBERVEILIG_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p cyberveilig --bench import
//! ```
//!
//! Knobs: CYBERVEILIG_BENCH_FINDINGS (default 1000000), CYBERVEILIG_BENCH_HOSTS (default 5000),
//! CYBERVEILIG_BENCH_FILE (an existing report to import instead of the generated one),
//! CYBERVEILIG_BENCH_SKIP_SQLITE (set: PostgreSQL only).

use chrono::{TimeZone, Utc};
use cyberveilig_domain::order::OrderState;
use cyberveilig_services::store::records::OrderFilter;
use cyberveilig_services::{Services, TestClock};
use sqlx::Connection;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

#[allow(dead_code)]
#[path = "../../findings/synthetic/mod.rs"]
mod synthetic;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

const TARGET_FINDINGS_PER_S: f64 = 20_000.0;
const TARGET_PEAK_MB: f64 = 300.0;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Resets the peak resident set size (Linux: writing 5 to clear_refs), so the next reading of
/// VmHWM is the peak since now.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line; 12 and 13 after the name and state.
    (ticks(11) + ticks(12)) / 100.0
}

/// The report to import: the given file, or a generated one kept in the temporary directory
/// (the parse bench of cyberveilig-findings uses the same name, so they share it).
fn bench_file() -> Result<PathBuf, AnyError> {
    if let Ok(p) = std::env::var("CYBERVEILIG_BENCH_FILE") {
        return Ok(PathBuf::from(p));
    }
    let findings = env_u64("CYBERVEILIG_BENCH_FINDINGS", 1_000_000);
    let hosts = env_u64("CYBERVEILIG_BENCH_HOSTS", 5_000);
    let path = std::env::temp_dir().join(format!("cyberveilig-bench-{findings}-{hosts}.nessus"));
    if !path.exists() {
        let t = Instant::now();
        let partial = path.with_extension("partial");
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&partial)?);
        synthetic::nessus(&mut out, findings, hosts, 1)?;
        out.flush()?;
        drop(out);
        std::fs::rename(&partial, &path)?;
        println!("generated {} in {:.1} s", path.display(), t.elapsed().as_secs_f64());
    }
    Ok(path)
}

struct Measure {
    findings: i64,
    new: i64,
    still_open: i64,
    /// Kept as information about the asset (severity none): counted apart from findings.
    informational: i64,
    secs: f64,
    cpu: f64,
    peak_mib: f64,
}

impl Measure {
    fn rate(&self) -> f64 {
        self.findings as f64 / self.secs
    }
}

async fn import_once(services: &Services, order_id: i64, path: &PathBuf) -> Result<Measure, AnyError> {
    reset_peak();
    let cpu = cpu_seconds();
    let t = Instant::now();
    let import = services.import_report_as_operator(order_id, std::fs::File::open(path)?).await?;
    Ok(Measure {
        findings: import.findings_read,
        new: import.new,
        still_open: import.still_open,
        informational: import.informational,
        secs: t.elapsed().as_secs_f64(),
        cpu: cpu_seconds() - cpu,
        peak_mib: status_kib("VmHWM:") as f64 / 1024.0,
    })
}

async fn run(backend: &str, url: &str, path: &PathBuf) -> Result<Vec<Measure>, AnyError> {
    let store = cyberveilig_services::store::connect(url).await?;
    store.migrate().await?;
    let start = Utc.with_ymd_and_hms(2020, 5, 4, 7, 0, 0).single().ok_or("date")?;
    let services = Services::new(store, Arc::new(TestClock::at(start)));
    let seeded = services.seed_installation().await?;
    services.seed_demo_accounts().await?;
    let until = Utc.with_ymd_and_hms(2020, 7, 15, 9, 0, 0).single().ok_or("date")?;
    services.replay_demo_history(seeded.programme_id, until).await?;
    let order = {
        let mut tx = services.store.read().await?;
        tx.orders(&OrderFilter {
            state: Some(OrderState::Accepted),
            limit: 1,
            ..Default::default()
        })
        .await?
        .into_iter()
        .next()
        .ok_or("the demo history has no accepted order")?
    };
    let mut measures = Vec::new();
    // The generated file holds distinct findings: a pass that did not count them all did not
    // do the work it is timed for. A file of one's own may repeat findings.
    let generated = std::env::var("CYBERVEILIG_BENCH_FILE").is_err();
    for (i, pass) in ["first import (all new)", "re-import (all matched)"].into_iter().enumerate() {
        let m = import_once(&services, order.id, path).await?;
        let counted = if i == 0 { m.new } else { m.still_open };
        if generated && counted + m.informational != m.findings {
            return Err(format!(
                "[{backend}] {pass}: {} findings read but {counted} {} and {} information: the register is not what the import says",
                m.findings,
                if i == 0 { "new" } else { "still open" },
                m.informational
            )
            .into());
        }
        println!(
            "[{backend}] {pass}: {} findings ({} new, {} still open, {} information) in {:.1} s = {:.0} findings/s; CPU {:.1} s; peak RSS {:.1} MiB",
            m.findings,
            m.new,
            m.still_open,
            m.informational,
            m.secs,
            m.rate(),
            m.cpu,
            m.peak_mib
        );
        measures.push(m);
    }
    services.store.close().await;
    Ok(measures)
}

async fn bench() -> Result<(), AnyError> {
    let path = bench_file()?;
    let bytes = std::fs::metadata(&path)?.len();
    println!("file: {} ({:.0} MB)", path.display(), bytes as f64 / 1e6);
    let dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    let mut results = Vec::new();
    if std::env::var("CYBERVEILIG_BENCH_SKIP_SQLITE").is_err() {
        results.push(("sqlite", run("sqlite", &sqlite, &path).await?));
    }
    if let Ok(admin_url) = std::env::var("CYBERVEILIG_BENCH_DATABASE_URL") {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.subsec_nanos();
        let name = format!("cvbench_import_{}_{nanos:08x}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
        let url = match admin_url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => return Err("CYBERVEILIG_BENCH_DATABASE_URL names no database".into()),
        };
        let outcome = run("postgres", &url, &path).await;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
        let _ = admin.close().await;
        results.push(("postgres", outcome?));
    }
    println!("\nsummary (targets on SQLite: {TARGET_FINDINGS_PER_S:.0} findings/s, peak under {TARGET_PEAK_MB:.0} MB)");
    for (backend, measures) in &results {
        for (pass, m) in ["first", "again"].iter().zip(measures) {
            let met = m.rate() >= TARGET_FINDINGS_PER_S && m.peak_mib * 1.048_576 < TARGET_PEAK_MB;
            println!(
                "  {backend:8} {pass:5}: {:>9.0} findings/s, peak {:>6.1} MiB{}",
                m.rate(),
                m.peak_mib,
                if *backend == "sqlite" {
                    if met { "  met" } else { "  NOT met" }
                } else {
                    ""
                }
            );
        }
    }
    Ok(())
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("import: run with `cargo bench -p cyberveilig --bench import`");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    if let Err(e) = runtime.block_on(bench()) {
        eprintln!("import bench failed: {e}");
        std::process::exit(1);
    }
}
