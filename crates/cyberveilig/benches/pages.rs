//! Load benchmark of the portal's pages (docs/PERFORMANCE.md).
//!
//! Seeds the demo (the real programme, its accounts and about 120 orders of history replayed up
//! to 15 June 2021) into a fresh SQLite database, serves the app in-process on loopback as
//! `cyberveilig demo` does, signs in 32 people of every role through the sign-in form, and lets
//! each ask for the main pages of its role, one after another, all 32 at once, for a fixed
//! time. Reports per page and overall: pages/s, p50, p95, p99 and max latency. Every answer
//! must be 200.
//!
//! ```text
//! cargo bench -p cyberveilig --bench pages
//! ```
//!
//! Knobs (environment): CYBERVEILIG_BENCH_USERS (default 32), CYBERVEILIG_BENCH_SECS (default 20).

#[path = "common/mod.rs"]
mod common;
use common::percentile;
use cyberveilig_services::{AccountPolicy, Clock, Services, TestClock};
use cyberveilig_web::WebOptions;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{AnyError, sign_in};

const TARGET_P99_MS: f64 = 30.0;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let users = env_usize("CYBERVEILIG_BENCH_USERS", 32);
    let secs = env_usize("CYBERVEILIG_BENCH_SECS", 20) as u64;
    let dir = tempfile::tempdir()?;
    let store = cyberveilig_store::connect(&format!("sqlite:{}", dir.path().join("pages.db").display())).await?;
    store.migrate().await?;
    let start = cyberveilig_services::demo::default_demo_start();
    let clock = Arc::new(TestClock::at(cyberveilig_services::clock::start_of_brussels_day(
        chrono::NaiveDate::from_ymd_opt(2020, 5, 4).ok_or("date")?,
    )));
    let services = Services::new(store, clock.clone()).with_accounts(AccountPolicy::demo("http://127.0.0.1"));
    let seeded = services.seed_installation().await?;
    services.seed_demo_accounts().await?;
    let t = Instant::now();
    let replayed = services.replay_demo_history(seeded.programme_id, start).await?;
    // The demo's reports and engagements, so their pages show what they show in the demo.
    services.seed_demo_reports().await?;
    clock.set(start);
    services.seed_demo_engagements().await?;
    eprintln!(
        "[pages] demo seeded: {replayed} orders replayed in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = cyberveilig_web::router(
        services.clone(),
        WebOptions {
            demo: true,
            ..Default::default()
        },
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(users)
        .build()?;

    // A mix like the real one: mostly governments, then firms, the administrator, VVSG.
    let governments = [
        "44021", "11002", "31005", "24062", "71016", "12025", "23088", "46021", "36015", "13040", "37020", "45041",
    ];
    let mut people: Vec<(String, Vec<String>)> = Vec::new();
    for i in 0..users {
        let (email, pages): (String, Vec<String>) = match i % 8 {
            0 => (
                "admin@abb.test".into(),
                vec![
                    "/start".into(),
                    "/bestellingen".into(),
                    "/besturen".into(),
                    "/raamovereenkomsten".into(),
                    "/bevindingen".into(),
                    "/meldingen".into(),
                    "/samenwerkingen".into(),
                ],
            ),
            1 | 2 => (
                ["ey@firms.test", "deloitte@firms.test", "pwc@firms.test", "gt@firms.test"][i % 4].into(),
                vec!["/start".into(), "/bestellingen".into(), "/bevindingen".into()],
            ),
            3 => (
                "vvsg@vvsg.test".into(),
                vec!["/start".into(), "/".into(), "/meldingen".into(), "/samenwerkingen".into()],
            ),
            _ => (
                format!("{}@gemeente.test", governments[i % governments.len()]),
                vec![
                    "/start".into(),
                    "/bestellingen".into(),
                    "/account".into(),
                    "/bevindingen".into(),
                    "/meldingen".into(),
                ],
            ),
        };
        let cookie = sign_in(&http, &base, &email).await?;
        // An order of the person's own, where there is one: its page is a main page too.
        let (actor, _) = services.session(cookie.trim_start_matches("cv_session=")).await?;
        let mut pages = pages;
        if actor.role != cyberveilig_domain::registry::Role::AssociationMember {
            let filter = cyberveilig_services::store::records::OrderFilter {
                limit: 1,
                ..Default::default()
            };
            if let Some(order) = services.orders(&actor, filter).await?.first() {
                pages.push(format!("/bestellingen/{}", order.id));
            }
        }
        people.push((cookie, pages));
    }

    // Warm-up, then the measured run.
    let timings: Arc<Mutex<BTreeMap<String, Vec<f64>>>> = Arc::default();
    let failures = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for (phase, duration) in [("warm-up", Duration::from_secs(2)), ("measured", Duration::from_secs(secs))] {
        timings.lock().map_err(|_| "lock")?.clear();
        let deadline = Instant::now() + duration;
        let began = Instant::now();
        let mut tasks = Vec::new();
        for (cookie, pages) in people.clone() {
            let (http, base, timings, failures) = (http.clone(), base.clone(), timings.clone(), failures.clone());
            tasks.push(tokio::spawn(async move {
                let mut local: Vec<(String, f64)> = Vec::new();
                let mut i = 0;
                while Instant::now() < deadline {
                    let page = &pages[i % pages.len()];
                    i += 1;
                    let t = Instant::now();
                    let ok = match http.get(format!("{base}{page}")).header("cookie", &cookie).send().await {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if !ok {
                        failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    let name = if page.starts_with("/bestellingen/") {
                        "/bestellingen/{id}".to_owned()
                    } else {
                        page.clone()
                    };
                    local.push((name, t.elapsed().as_secs_f64() * 1000.0));
                }
                if let Ok(mut all) = timings.lock() {
                    for (page, ms) in local {
                        all.entry(page).or_default().push(ms);
                    }
                }
            }));
        }
        for t in tasks {
            t.await?;
        }
        let elapsed = began.elapsed().as_secs_f64();
        if phase == "warm-up" {
            continue;
        }
        let all = timings.lock().map_err(|_| "lock")?;
        println!("\n== cyberveilig portal pages: {users} signed-in users at once over loopback, {secs} s, demo data ==\n");
        println!("| page | requests | pages/s | p50 ms | p95 ms | p99 ms | max ms |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        let mut every: Vec<f64> = Vec::new();
        for (page, list) in all.iter() {
            let mut sorted = list.clone();
            sorted.sort_by(f64::total_cmp);
            every.extend_from_slice(&sorted);
            println!(
                "| {page} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} |",
                sorted.len(),
                sorted.len() as f64 / elapsed,
                percentile(&sorted, 0.5),
                percentile(&sorted, 0.95),
                percentile(&sorted, 0.99),
                sorted.last().copied().unwrap_or(f64::NAN)
            );
        }
        every.sort_by(f64::total_cmp);
        let p99 = percentile(&every, 0.99);
        println!(
            "| all pages | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} |",
            every.len(),
            every.len() as f64 / elapsed,
            percentile(&every, 0.5),
            percentile(&every, 0.95),
            p99,
            every.last().copied().unwrap_or(f64::NAN)
        );
        let failed = failures.load(std::sync::atomic::Ordering::Relaxed);
        println!("\nnon-200 answers or errors: {failed}");
        println!(
            "target: p99 < {TARGET_P99_MS} ms with {users} users: {p99:.1} ms -> {}",
            if p99 < TARGET_P99_MS && failed == 0 { "met" } else { "MISSED" }
        );
    }
    Ok(())
}
