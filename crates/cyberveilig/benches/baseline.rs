//! The baseline scan's queue (issue 16) on a fleet of N domains: every system registered, due,
//! queued, claimed, scanned and written (verdicts, findings, scores) through the same use cases a
//! server runs, on SQLite and, when `CYBERVEILIG_BENCH_DATABASE_URL` names a PostgreSQL server,
//! on a fresh database there with one server and then with two servers sharing the queue.
//!
//! The fleet is the catalogue's good domain and N copies of it (`s00001.test`, ...; their
//! certificate is the good domain's, so their name checks fail: each scan writes a few findings),
//! on 127.78.0.0; the scanner runs with politeness off. Reports the wall time, systems per
//! second, the process's CPU time, and checks that every system was scanned exactly once.
//!
//! ```text
//! cargo bench -p cyberveilig --bench baseline
//! CYBERVEILIG_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p cyberveilig --bench baseline
//! ```
//!
//! Knobs: CYBERVEILIG_BENCH_SYSTEMS (default 500).

#[path = "common/mod.rs"]
mod common;
use chrono::{TimeZone, Utc};
use common::{AnyError, with_database};
use cyberveilig_baseline::fleet::{Fleet, FleetConfig, spec};
use cyberveilig_domain::registry::OrganisationKind;
use cyberveilig_services::baseline::{ScanHolder, fleet_scanner};
use cyberveilig_services::store::records::OrganisationFilter;
use cyberveilig_services::{Services, TestClock};
use sqlx::Connection;
use std::sync::Arc;
use std::time::Instant;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// CPU seconds this process used so far (user and system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Registers the N systems, two per municipality, through the use case.
async fn register(services: &Services, systems: usize) -> Result<(), AnyError> {
    let governments = {
        let mut tx = services.store.read().await?;
        tx.organisations(&OrganisationFilter {
            kind: Some(OrganisationKind::Gemeente),
            limit: 1_000,
            ..Default::default()
        })
        .await?
    };
    let admin = {
        let mut tx = services.store.read().await?;
        let p = tx.person_by_email(&"admin@abb.test".parse()?).await?.ok_or("no administrator")?;
        cyberveilig_services::Actor {
            person_id: p.id,
            email: p.email.as_str().to_owned(),
            role: p.role,
            organisation_id: p.organisation_id,
            language: "nl".into(),
        }
    };
    for i in 0..systems {
        let g = &governments[(i / 2) % governments.len()];
        services
            .register_baseline_system(&admin, g.id, &format!("s{:05}.test", i + 1), None)
            .await?;
    }
    Ok(())
}

/// Scans everything due with `servers` servers sharing the queue; (wall seconds, CPU seconds, scans).
async fn scan_all(servers: &[Services]) -> Result<(f64, f64, usize), AnyError> {
    let cpu = cpu_seconds();
    let started = Instant::now();
    let mut scanned = 0;
    loop {
        let mut rounds = tokio::task::JoinSet::new();
        for (i, s) in servers.iter().enumerate() {
            let (s, holder) = (s.clone(), ScanHolder(format!("bench-{i}")));
            rounds.spawn(async move { s.run_baseline_round(&holder, 64).await });
        }
        let mut this_round = 0;
        while let Some(done) = rounds.join_next().await {
            let round = done??;
            if round.lost > 0 {
                return Err(format!("{} scans lost their claim", round.lost).into());
            }
            this_round += round.scanned;
        }
        if this_round == 0 {
            break;
        }
        scanned += this_round;
    }
    Ok((started.elapsed().as_secs_f64(), cpu_seconds() - cpu, scanned))
}

async fn run_backend(label: &str, url: &str, fleet: &Fleet, systems: usize, servers: usize) -> Result<(), AnyError> {
    let store = cyberveilig_store::connect(url).await?;
    store.migrate().await?;
    let clock = Arc::new(TestClock::at(fleet_now()));
    let services = Services::new(store.clone(), clock.clone());
    services.seed_installation().await?;
    services.seed_demo_accounts().await?;
    register(&services, systems).await?;
    let scanner = Arc::new(fleet_scanner(fleet, "http://bench.test/scanner")?);
    let mut all = vec![services.clone()];
    for _ in 1..servers {
        all.push(Services::new(store.clone(), clock.clone()));
    }
    for s in &all {
        s.set_baseline_scanner(Some(scanner.clone()));
    }
    let (wall, cpu, scanned) = scan_all(&all).await?;
    let (scans, governments) = {
        let mut tx = services.store.read().await?;
        let overview = tx.baseline_overview(0, 1_000).await?;
        let mut scans = 0;
        for g in &overview {
            scans += tx.baseline_scans(g.government_id, 100).await?.len();
        }
        (scans, overview.len())
    };
    if scanned != systems || scans != systems {
        return Err(format!("{scanned} scans for {systems} systems").into());
    }
    println!(
        "[{label}] {servers} server(s): {systems} systems scanned once each in {wall:.1} s: {:.1} systems/s; \
         this process used {cpu:.1} CPU-s ({:.1} ms per system); {governments} governments scored",
        systems as f64 / wall,
        cpu * 1000.0 / systems as f64
    );
    store.close().await;
    Ok(())
}

fn fleet_now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 6, 14, 7, 0, 0).single().expect("a valid instant")
}

async fn run() -> Result<(), AnyError> {
    let systems = env_usize("CYBERVEILIG_BENCH_SYSTEMS", 500);
    let config = FleetConfig {
        base: "127.78.0.0".parse()?,
        now: fleet_now(),
        domains: vec![spec::good("good")],
        copies: (1..=systems).map(|i| (format!("s{i:05}"), "good".to_string())).collect(),
        ipv6: false,
    };
    let started = Instant::now();
    let fleet = Fleet::start(config).await?;
    println!("fleet of {systems} domains started in {:.1} s", started.elapsed().as_secs_f64());
    let dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite:{}", dir.path().join("baseline.db").display());
    run_backend("sqlite", &sqlite, &fleet, systems, 1).await?;
    match std::env::var("CYBERVEILIG_BENCH_DATABASE_URL") {
        Ok(admin) if !admin.trim().is_empty() => {
            for servers in [1, 2] {
                let name = format!("cvbench_baseline_{}_{servers}", std::process::id());
                let mut conn = sqlx::PgConnection::connect(admin.trim()).await?;
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
                let result = run_backend("postgres", &with_database(admin.trim(), &name), &fleet, systems, servers).await;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await?;
                result?;
            }
        }
        _ => println!("[postgres] skipped: set CYBERVEILIG_BENCH_DATABASE_URL=postgres://... to measure PostgreSQL too"),
    }
    Ok(())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    if let Err(e) = runtime.block_on(run()) {
        eprintln!("baseline bench failed: {e}");
        std::process::exit(1);
    }
}
