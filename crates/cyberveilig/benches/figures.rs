//! The figures as at a day, the answer to Parliament, the quarterly report, an export and the
//! open-data extract (issue 14) on the demo's history (the programme from 1 May 2020 to 15 June
//! 2021: about 120 orders with their lives, reports, engagements, VVSG's events and toolkit),
//! on SQLite and, when `CYBERVEILIG_BENCH_DATABASE_URL` names a PostgreSQL server, on a fresh
//! database there. Reports p50, p99 and max per operation; the target is ours (the issue names
//! none): p99 under 500 ms for every page or file an administrator asks for.
//!
//! ```text
//! cargo bench -p cyberveilig --bench figures
//! CYBERVEILIG_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p cyberveilig --bench figures
//! ```
//!
//! Knob: CYBERVEILIG_BENCH_ROUNDS (default 40) asks for each operation that many times.

#[path = "common/mod.rs"]
mod common;
use chrono::NaiveDate;
use common::{percentile, with_database};
use cyberveilig_services::exports::{ExportFormat, ListFilters, ListName};
use cyberveilig_services::figures::parliament::AnswerFormat;
use cyberveilig_services::{Actor, Clock, Services, TestClock};
use sqlx::Connection;
use std::sync::Arc;
use std::time::Instant;

use common::AnyError;

const TARGET_P99_MS: f64 = 500.0;

fn summary(label: &str, mut ms: Vec<f64>) -> f64 {
    ms.sort_by(|a, b| a.total_cmp(b));
    let p99 = percentile(&ms, 0.99);
    println!(
        "  {label}: {} times, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms.len(),
        percentile(&ms, 0.5),
        p99,
        ms.last().copied().unwrap_or(f64::NAN)
    );
    p99
}

async fn time<F, Fut, T>(rounds: usize, mut f: F) -> Result<Vec<f64>, AnyError>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T, cyberveilig_services::ServiceError>>,
{
    let mut ms = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let started = Instant::now();
        f(i).await?;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(ms)
}

async fn run_backend(label: &str, url: &str, rounds: usize) -> Result<f64, AnyError> {
    let store = cyberveilig_services::store::connect(url).await?;
    store.migrate().await?;
    let start = cyberveilig_services::demo::default_demo_start();
    let clock = Arc::new(TestClock::at(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2020, 4, 30, 8, 0, 0).unwrap(),
    ));
    let services = Services::new(store, clock.clone());
    let seeded = services.seed_installation().await?;
    services.seed_demo_accounts().await?;
    let seeding = Instant::now();
    let orders = services.replay_demo_history(seeded.programme_id, start).await?;
    services.seed_demo_reports().await?;
    clock.set(start);
    services.seed_demo_engagements().await?;
    println!(
        "[{label}] the demo's history: {orders} orders, replayed in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let admin: Actor = {
        let mut tx = services.store.read().await?;
        let p = tx.person_by_email(&"admin@abb.test".parse()?).await?.ok_or("no administrator")?;
        Actor {
            person_id: p.id,
            email: p.email.as_str().to_owned(),
            role: p.role,
            organisation_id: p.organisation_id,
            language: "nl".into(),
        }
    };
    let pid = seeded.programme_id;
    let days = [
        NaiveDate::from_ymd_opt(2020, 4, 22).unwrap(),
        NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
        NaiveDate::from_ymd_opt(2021, 6, 15).unwrap(),
    ];
    let mut worst: f64 = 0.0;
    let s = &services;
    let a = &admin;
    worst = worst.max(summary(
        "figures as at a day (three days in turn)",
        time(rounds, |i| s.figures(a, pid, Some(days[i % 3]))).await?,
    ));
    worst = worst.max(summary(
        "the answer to Parliament as PDF",
        time(rounds, |i| {
            s.parliament_answer_file(Some(a), pid, Some(days[i % 3]), true, AnswerFormat::Pdf)
        })
        .await?,
    ));
    worst = worst.max(summary(
        "the quarterly report of 2021 Q1 as PDF",
        time(rounds, |_| s.quarterly_report_pdf(a, pid, 2021, 1, true)).await?,
    ));
    worst = worst.max(summary(
        "the orders as XLSX",
        time(rounds, |_| {
            s.export_list(a, ListName::Orders, ListFilters::default(), ExportFormat::Xlsx, true)
        })
        .await?,
    ));
    worst = worst.max(summary(
        "the open-data extract",
        time(rounds, |i| s.open_data(Some(days[i % 3]))).await?,
    ));
    Ok(worst)
}

async fn run() -> Result<(), AnyError> {
    let rounds = std::env::var("CYBERVEILIG_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let dir = tempfile::tempdir()?;
    let mut verdicts = Vec::new();
    let sqlite = format!("sqlite:{}", dir.path().join("figures.db").display());
    verdicts.push(("sqlite", run_backend("sqlite", &sqlite, rounds).await?));
    match std::env::var("CYBERVEILIG_BENCH_DATABASE_URL") {
        Ok(admin) if !admin.trim().is_empty() => {
            let name = format!("cvbench_figures_{}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(admin.trim()).await?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
            let result = run_backend("postgres", &with_database(admin.trim(), &name), rounds).await;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await?;
            verdicts.push(("postgres", result?));
        }
        _ => println!("[postgres] skipped: set CYBERVEILIG_BENCH_DATABASE_URL=postgres://... to measure PostgreSQL too"),
    }
    println!("\nsummary (the demo's history; target p99 < {TARGET_P99_MS:.0} ms for each operation):");
    for (label, worst) in verdicts {
        let met = if worst < TARGET_P99_MS { "met" } else { "NOT met" };
        println!("  {label}: slowest p99 {worst:.1} ms ({met})");
    }
    Ok(())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    if let Err(e) = runtime.block_on(run()) {
        eprintln!("figures bench failed: {e}");
        std::process::exit(1);
    }
}
