//! Load benchmark of the HTTP API (docs/PERFORMANCE.md).
//!
//! Builds the app in-process on a fresh database, serves it on loopback exactly as
//! `cyberveilig serve` does (`axum::serve` on a TCP listener) and drives it over real HTTP with
//! 64 concurrent clients sharing one connection pool:
//!
//! 1. order submissions: first one basic audit for each of the 285 municipalities (D3 allows only
//!    one per programme), then additional work spread over them, up to a fixed total;
//! 2. the budget status of a programme, `GET /api/v1/programmes/{id}`;
//! 3. idle memory: of this process after the load, and of the real binary started on its own.
//!
//! Always on SQLite; also on PostgreSQL when `CYBERVEILIG_BENCH_DATABASE_URL` names a server
//! (a database `cvbench_<random>` is created there and dropped at the end).
//!
//! ```text
//! cargo build --release -p cyberveilig      # for the idle-memory measure of the binary
//! cargo bench -p cyberveilig --bench orders
//! CYBERVEILIG_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p cyberveilig --bench orders
//! ```
//!
//! Knobs (environment): CYBERVEILIG_BENCH_ORDERS (total measured orders, default 20000),
//! CYBERVEILIG_BENCH_READS (default 20000), CYBERVEILIG_BENCH_CONCURRENCY (default 64),
//! CYBERVEILIG_BENCH_MAX_SECS (a phase stops issuing requests after this long, default 120),
//! CYBERVEILIG_BENCH_DIRECT_ORDERS (orders of the diagnosis without HTTP, default 5000).

#[path = "common/mod.rs"]
mod common;
use chrono::{TimeZone, Utc};
use common::with_database;
use cyberveilig_services::audit::ChainReport;
use cyberveilig_services::{Services, TestClock};
use cyberveilig_web::WebOptions;
use serde_json::{Value, json};
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::AnyError;

/// The targets of the issue, for the comparison in the summary.
const TARGET_ORDERS_PER_S: f64 = 2_000.0;
const TARGET_ORDER_P99_MS: f64 = 50.0;
const TARGET_READ_P99_MS: f64 = 2.0;
const TARGET_IDLE_MB: f64 = 50.0;

#[derive(Clone)]
struct Config {
    concurrency: usize,
    orders: usize,
    reads: usize,
    sequential_reads: usize,
    direct_orders: usize,
    warmup_orders: usize,
    warmup_reads: usize,
    max_phase: Duration,
}

impl Config {
    fn from_env() -> Config {
        Config {
            concurrency: env_usize("CYBERVEILIG_BENCH_CONCURRENCY", 64).max(1),
            orders: env_usize("CYBERVEILIG_BENCH_ORDERS", 20_000),
            reads: env_usize("CYBERVEILIG_BENCH_READS", 20_000),
            sequential_reads: 2_000,
            direct_orders: env_usize("CYBERVEILIG_BENCH_DIRECT_ORDERS", 5_000),
            warmup_orders: 1_000,
            warmup_reads: 2_000,
            max_phase: Duration::from_secs(env_usize("CYBERVEILIG_BENCH_MAX_SECS", 120) as u64),
        }
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// One measured phase: how many requests, how long, each one's latency.
#[derive(Default, Clone)]
struct Phase {
    requests: usize,
    failures: usize,
    elapsed: Duration,
    latencies_us: Vec<u64>,
    cpu_seconds: f64,
    machine_cpu_seconds: f64,
    truncated: bool,
}

impl Phase {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Nearest-rank percentile in milliseconds.
    fn pct_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        self.latencies_us[rank.clamp(1, self.latencies_us.len()) - 1] as f64 / 1000.0
    }

    fn max_ms(&self) -> f64 {
        self.latencies_us.last().map_or(f64::NAN, |v| *v as f64 / 1000.0)
    }

    fn mean_ms(&self) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        self.latencies_us.iter().sum::<u64>() as f64 / self.latencies_us.len() as f64 / 1000.0
    }

    /// Cores busy on average in this process (server and load generator together).
    fn cores_busy(&self) -> f64 {
        self.cpu_seconds / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Cores busy on average on the whole machine (with PostgreSQL's own processes).
    fn machine_cores_busy(&self) -> f64 {
        self.machine_cpu_seconds / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Two phases run one after the other, as one.
    fn then(&self, next: &Phase) -> Phase {
        let mut latencies_us = [self.latencies_us.as_slice(), next.latencies_us.as_slice()].concat();
        latencies_us.sort_unstable();
        Phase {
            requests: self.requests + next.requests,
            failures: self.failures + next.failures,
            elapsed: self.elapsed + next.elapsed,
            latencies_us,
            cpu_seconds: self.cpu_seconds + next.cpu_seconds,
            machine_cpu_seconds: self.machine_cpu_seconds + next.machine_cpu_seconds,
            truncated: self.truncated || next.truncated,
        }
    }
}

/// CPU time (user + system) of this process so far, from /proc (USER_HZ is 100 on Linux).
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ')': state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12.
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU time all processes of the machine spent busy so far, from the first line of /proc/stat.
fn machine_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0.0;
    };
    let Some(line) = stat.lines().next() else { return 0.0 };
    let ticks: Vec<f64> = line.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
    let busy: f64 = ticks
        .iter()
        .take(8)
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, t)| t)
        .sum();
    busy / 100.0
}

/// VmRSS (and VmHWM) of a process, in MiB.
fn rss_mib(pid: &str) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:").unwrap_or(f64::NAN)))
}

/// Sends `n` requests made by `make(i)` with `concurrency` clients; a request counts as a
/// success only with status `expect` and a body read to the end.
async fn drive<F>(n: usize, concurrency: usize, max: Duration, expect: u16, make: F) -> Phase
where
    F: Fn(usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let next = Arc::new(AtomicUsize::new(0));
    let truncated = Arc::new(AtomicBool::new(false));
    let samples: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let (cpu_before, machine_before) = (process_cpu_seconds(), machine_cpu_seconds());
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.min(n.max(1)) {
        let (make, next, truncated, samples) = (make.clone(), next.clone(), truncated.clone(), samples.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(n / concurrency + 1);
            let mut failures = 0usize;
            loop {
                if started.elapsed() > max {
                    truncated.store(true, Ordering::Relaxed);
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let t = Instant::now();
                let outcome = match make(i).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        match response.bytes().await {
                            Ok(_) if status == expect => Ok(()),
                            Ok(body) => Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body[..body.len().min(300)]))),
                            Err(e) => Err(format!("HTTP {status}, body unreadable: {e}")),
                        }
                    }
                    Err(e) => Err(format!("transport error: {e}")),
                };
                latencies.push(t.elapsed().as_micros() as u64);
                if let Err(e) = outcome {
                    failures += 1;
                    let mut s = samples.lock().unwrap_or_else(|e| e.into_inner());
                    if s.len() < 5 {
                        s.push(e);
                    }
                }
            }
            (latencies, failures)
        }));
    }
    let mut phase = Phase::default();
    for task in tasks {
        let (latencies, failures) = task.await.expect("a client task panicked");
        phase.latencies_us.extend(latencies);
        phase.failures += failures;
    }
    phase.elapsed = started.elapsed();
    phase.cpu_seconds = process_cpu_seconds() - cpu_before;
    phase.machine_cpu_seconds = machine_cpu_seconds() - machine_before;
    phase.requests = phase.latencies_us.len();
    phase.latencies_us.sort_unstable();
    phase.truncated = truncated.load(Ordering::Relaxed);
    for s in samples.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        eprintln!("    unexpected answer: {s}");
    }
    phase
}

struct BackendReport {
    label: String,
    basic: Phase,
    additional: Phase,
    orders: Phase,
    reads: Phase,
    reads_sequential: Phase,
    reads_small: Phase,
    reads_small_sequential: Phase,
    direct_sequential: Phase,
    direct_concurrent: Phase,
    orders_in_programme: i64,
    ledger_consistent: bool,
    chain: String,
    rss_after_load: Option<(f64, f64)>,
    setup: Duration,
}

async fn expect_json(response: reqwest::Response, status: u16, what: &str) -> Result<Value, AnyError> {
    let got = response.status().as_u16();
    let body = response.text().await?;
    if got != status {
        return Err(format!("{what}: expected HTTP {status}, got {got}: {body}").into());
    }
    Ok(serde_json::from_str(&body)?)
}

/// The whole measurement on one database.
async fn run_backend(label: &str, url: &str, cfg: &Config) -> Result<BackendReport, AnyError> {
    let setup_started = Instant::now();
    let store = cyberveilig_store::connect(url).await?;
    store.migrate().await?;
    // 18 May 2020: inside the programme's offer and the window of the 2015-02 agreement, which is
    // active from the seed, so no agreement needs activating.
    let clock = Arc::new(TestClock::at(
        Utc.with_ymd_and_hms(2020, 5, 18, 8, 0, 0).single().expect("a valid instant"),
    ));
    let services = Services::new(store.clone(), clock).with_accounts(cyberveilig_services::AccountPolicy::demo("http://127.0.0.1"));
    let seeded = services.seed_installation().await?;
    services.seed_demo_accounts().await?;

    // Served as `cyberveilig serve` serves it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = cyberveilig_web::router(services.clone(), WebOptions::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(cfg.concurrency * 2)
        .timeout(Duration::from_secs(60))
        .build()?;
    let token = expect_json(
        client
            .post(format!("{base}/api/v1/auth/token"))
            .json(&json!({ "email": "admin@abb.test", "password": "demo" }))
            .send()
            .await?,
        200,
        "sign in",
    )
    .await?["token"]
        .as_str()
        .ok_or("no token in the answer")?
        .to_owned();
    let auth = format!("Bearer {token}");
    let organisations = expect_json(
        client
            .get(format!("{base}/api/v1/organisations?kind=gemeente&limit=500"))
            .header("authorization", &auth)
            .send()
            .await?,
        200,
        "list municipalities",
    )
    .await?;
    let nis: Arc<Vec<String>> = Arc::new(
        organisations["items"]
            .as_array()
            .ok_or("no items")?
            .iter()
            .filter_map(|o| o["nis_code"].as_str().map(str::to_owned))
            .collect(),
    );
    if nis.is_empty() {
        return Err("no municipalities in the registry".into());
    }
    let create_programme = |name: &str| {
        client
            .post(format!("{base}/api/v1/programmes"))
            .header("authorization", &auth)
            .json(
                &json!({ "name": name, "budget_cents": 900_000_000_000i64, "basic_rate": "2/3", "additional_rate": "1/2",
                           "offer_starts_on": "2020-05-01", "offer_ends_on": "2021-12-31" }),
            )
            .send()
    };
    let warmup_id = expect_json(create_programme("Benchmark warm-up").await?, 201, "create warm-up programme").await?["id"]
        .as_i64()
        .ok_or("no programme id")?;
    let bench_id = expect_json(create_programme("Benchmark").await?, 201, "create programme").await?["id"]
        .as_i64()
        .ok_or("no programme id")?;
    let setup = setup_started.elapsed();
    println!(
        "[{label}] {} municipalities; setup (migrate, seed, sign-in) took {:.1} s",
        nis.len(),
        setup.as_secs_f64()
    );

    let order_maker = |programme_id: i64, basic_count: usize| {
        let (client, auth, base, nis) = (client.clone(), auth.clone(), base.clone(), nis.clone());
        move |i: usize| {
            let body = if i < basic_count {
                json!({ "programme_id": programme_id, "government_nis": nis[i % nis.len()], "kind": "basic", "scope": "bench" })
            } else {
                json!({ "programme_id": programme_id, "government_nis": nis[i % nis.len()], "kind": "additional", "scope": "bench",
                        "estimated_cost_cents": 400_000 })
            };
            client
                .post(format!("{base}/api/v1/orders"))
                .header("authorization", &auth)
                .json(&body)
        }
    };
    let read_maker = |programme_id: i64| {
        let (client, auth, base) = (client.clone(), auth.clone(), base.clone());
        let url = format!("{base}/api/v1/programmes/{programme_id}");
        move |_: usize| client.get(&url).header("authorization", &auth)
    };
    let c = cfg.concurrency;
    let basic_count = nis.len();

    // Warm-up, on a programme of its own so the measured one starts empty: connections, caches,
    // the code paths of both kinds of order and of the read.
    let warm = drive(basic_count, c, cfg.max_phase, 201, order_maker(warmup_id, basic_count)).await;
    // The maker numbers from 0 and treats i < basic_count as basic: shift to additional only.
    let warm_additional = {
        let make = order_maker(warmup_id, 0);
        drive(cfg.warmup_orders.saturating_sub(basic_count), c, cfg.max_phase, 201, make).await
    };
    let warm_reads = drive(cfg.warmup_reads, c, cfg.max_phase, 200, read_maker(warmup_id)).await;
    println!(
        "[{label}] warm-up: {} orders, {} reads ({} unexpected answers)",
        warm.requests + warm_additional.requests,
        warm_reads.requests,
        warm.failures + warm_additional.failures + warm_reads.failures
    );

    // Measured: every municipality's basic audit, then additional work up to the total.
    let basic_n = basic_count.min(cfg.orders);
    let basic = drive(basic_n, c, cfg.max_phase, 201, order_maker(bench_id, basic_n)).await;
    println!(
        "[{label}] basic orders: {} in {:.2} s, {} unexpected",
        basic.requests,
        basic.elapsed.as_secs_f64(),
        basic.failures
    );
    let additional = drive(cfg.orders - basic_n, c, cfg.max_phase, 201, order_maker(bench_id, 0)).await;
    println!(
        "[{label}] additional orders: {} in {:.2} s, {} unexpected",
        additional.requests,
        additional.elapsed.as_secs_f64(),
        additional.failures
    );
    let orders = basic.then(&additional);

    // Correctness after the load: every accepted order is in the programme (counted in the
    // database: the API's programme status need not carry counts).
    let orders_in_programme = {
        let mut tx = services.store.read().await?;
        tx.order_counts(bench_id).await?.iter().map(|(_, _, n)| n).sum::<i64>()
    };

    // Budget status of the programme just loaded, under load and one at a time; and of the seeded
    // programme, which has no orders, to show what the programme's size costs.
    let reads = drive(cfg.reads, c, cfg.max_phase, 200, read_maker(bench_id)).await;
    println!(
        "[{label}] budget status: {} reads in {:.2} s, {} unexpected",
        reads.requests,
        reads.elapsed.as_secs_f64(),
        reads.failures
    );
    let reads_sequential = drive(cfg.sequential_reads, 1, cfg.max_phase, 200, read_maker(bench_id)).await;
    let reads_small = drive(cfg.reads, c, cfg.max_phase, 200, read_maker(seeded.programme_id)).await;
    let reads_small_sequential = drive(cfg.sequential_reads, 1, cfg.max_phase, 200, read_maker(seeded.programme_id)).await;

    // Diagnosis, not a target: the same additional orders through the services directly, without
    // HTTP, one at a time and 64 at once, on a programme of their own. This is the ceiling the
    // write transaction itself sets.
    let direct_id = expect_json(create_programme("Benchmark, services only").await?, 201, "create programme").await?["id"]
        .as_i64()
        .ok_or("no programme id")?;
    let admin = services.authenticate(&token).await?;
    direct_orders(&services, &admin, direct_id, &nis, nis.len(), c, true).await?; // each municipality's basic audit first
    let direct_sequential = direct_orders(&services, &admin, direct_id, &nis, cfg.direct_orders, 1, false).await?;
    let direct_concurrent = direct_orders(&services, &admin, direct_id, &nis, cfg.direct_orders, c, false).await?;

    let ledger_consistent = services.check_ledger(bench_id).await?.holds() && services.check_ledger(direct_id).await?.holds();
    let chain = match services.verify_audit_log().await? {
        ChainReport::Intact { entries, .. } => format!("intact, {entries} entries"),
        ChainReport::Broken(link) => format!("BROKEN at {}: {}", link.seq, link.problem),
    };

    // Idle memory of this process (server, load generator and their pools) after the load.
    drop(client);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after_load = rss_mib("self");

    let _ = stop.send(());
    match tokio::time::timeout(Duration::from_secs(10), server).await {
        Ok(Ok(Err(e))) => eprintln!("[{label}] server ended with: {e}"),
        Ok(Err(e)) => eprintln!("[{label}] server task failed: {e}"),
        Err(_) => eprintln!("[{label}] server did not stop within 10 s"),
        Ok(Ok(Ok(()))) => {}
    }
    drop(services);
    store.close().await;

    Ok(BackendReport {
        label: label.to_owned(),
        basic,
        additional,
        orders,
        reads,
        reads_sequential,
        reads_small,
        reads_small_sequential,
        direct_sequential,
        direct_concurrent,
        orders_in_programme,
        ledger_consistent,
        chain,
        rss_after_load,
        setup,
    })
}

/// Orders straight through `Services::submit_order`: basic audits or additional work, spread
/// over the municipalities.
async fn direct_orders(
    services: &Services,
    admin: &cyberveilig_services::Actor,
    programme_id: i64,
    nis: &Arc<Vec<String>>,
    n: usize,
    concurrency: usize,
    basic: bool,
) -> Result<Phase, AnyError> {
    use cyberveilig_domain::order::OrderKind;
    use cyberveilig_services::orders::NewOrder;
    let next = Arc::new(AtomicUsize::new(0));
    let (cpu_before, machine_before) = (process_cpu_seconds(), machine_cpu_seconds());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency.min(n.max(1)) {
        let (services, admin, nis, next) = (services.clone(), admin.clone(), nis.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut failures) = (Vec::new(), 0usize);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let is_basic = basic;
                let order = NewOrder {
                    programme_id,
                    government_nis: nis[i % nis.len()].parse().expect("a NIS code from the registry"),
                    kind: if is_basic { OrderKind::Basic } else { OrderKind::Additional },
                    scope: "bench".into(),
                    estimated_cost: (!is_basic).then(|| cyberveilig_domain::Money::from_cents(400_000)),
                };
                let t = Instant::now();
                let result = services.submit_order(&admin, order).await;
                latencies.push(t.elapsed().as_micros() as u64);
                if let Err(e) = result {
                    failures += 1;
                    if failures == 1 {
                        eprintln!("    services refused an order: {e}");
                    }
                }
            }
            (latencies, failures)
        }));
    }
    let mut phase = Phase::default();
    for task in tasks {
        let (latencies, failures) = task.await?;
        phase.latencies_us.extend(latencies);
        phase.failures += failures;
    }
    phase.elapsed = started.elapsed();
    phase.cpu_seconds = process_cpu_seconds() - cpu_before;
    phase.machine_cpu_seconds = machine_cpu_seconds() - machine_before;
    phase.requests = phase.latencies_us.len();
    phase.latencies_us.sort_unstable();
    Ok(phase)
}

async fn run_postgres(admin_url: &str, cfg: &Config) -> Result<BackendReport, AnyError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!("cvbench_{}_{:08x}", std::process::id(), nanos);
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
    let _ = admin.close().await;
    println!("[postgres] created database {name}");
    *lock(&CREATED_DATABASE) = Some((admin_url.to_owned(), name.clone()));
    let result = run_backend("postgres", &with_database(admin_url, &name), cfg).await;
    // The store is closed by now; FORCE ends any connection still lingering.
    drop_database(admin_url, &name).await;
    *lock(&CREATED_DATABASE) = None;
    result
}

async fn drop_database(admin_url: &str, name: &str) {
    let dropped = async {
        let mut admin = sqlx::PgConnection::connect(admin_url).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
        admin.close().await
    };
    match dropped.await {
        Ok(()) => println!("[postgres] dropped database {name}"),
        Err(e) => eprintln!("[postgres] could not drop database {name}: {e}"),
    }
}

/// What an interrupted run must clean up: the PostgreSQL database it created, the server it
/// started.
static CREATED_DATABASE: Mutex<Option<(String, String)>> = Mutex::new(None);
static STARTED_SERVER: Mutex<Option<std::process::Child>> = Mutex::new(None);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

async fn clean_up_after_interruption() {
    if let Some(mut child) = lock(&STARTED_SERVER).take() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let created = lock(&CREATED_DATABASE).take();
    if let Some((admin_url, name)) = created {
        drop_database(&admin_url, &name).await;
    }
}

/// Resolves on Ctrl-C or SIGTERM, with the signal's name.
async fn interrupted() -> &'static str {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

/// The real binary, started on its own on a fresh SQLite file: VmRSS 2 s after /healthz answers.
async fn binary_idle_rss(dir: &Path) -> Result<Option<(f64, PathBuf)>, AnyError> {
    let exe = std::env::current_exe()?;
    let Some(binary) = exe.parent().and_then(Path::parent).map(|p| p.join("cyberveilig")) else {
        return Ok(None);
    };
    if !binary.is_file() {
        println!(
            "[idle] skipped: {} does not exist; build it first with `cargo build --release -p cyberveilig`",
            binary.display()
        );
        return Ok(None);
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let db = dir.join("idle.db");
    let child = std::process::Command::new(&binary)
        .arg("--config")
        .arg(dir.join("none.toml"))
        .args([
            "serve",
            "--database",
            &format!("sqlite:{}", db.display()),
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env_remove("CYBERVEILIG_DATABASE_URL")
        .env_remove("CYBERVEILIG_LISTEN")
        .env_remove("CYBERVEILIG_CONFIG")
        .env("CYBERVEILIG_LOG", "warn")
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let pid = child.id().to_string();
    *lock(&STARTED_SERVER) = Some(child);
    let exited_early = || lock(&STARTED_SERVER).as_mut().and_then(|c| c.try_wait().ok().flatten());
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(2)).build()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut healthy = false;
    while Instant::now() < deadline {
        if let Some(status) = exited_early() {
            lock(&STARTED_SERVER).take();
            return Err(format!("{} exited early with {status}", binary.display()).into());
        }
        if let Ok(r) = client.get(format!("http://127.0.0.1:{port}/healthz")).send().await
            && r.status().is_success()
        {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(client);
    let rss = if healthy {
        tokio::time::sleep(Duration::from_secs(2)).await;
        rss_mib(&pid).map(|(rss, _)| rss)
    } else {
        None
    };
    let child = lock(&STARTED_SERVER).take();
    if let Some(mut child) = child {
        let _ = child.kill();
        let _ = child.wait();
    }
    match rss {
        Some(mb) => Ok(Some((mb, binary))),
        None => Err(format!("{} did not answer /healthz within 60 s", binary.display()).into()),
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn print_summary(reports: &[BackendReport], binary: &Option<(f64, PathBuf)>, cfg: &Config) {
    println!();
    println!(
        "== cyberveilig HTTP API benchmark: {} concurrent clients over loopback, server and clients in one process ==",
        cfg.concurrency
    );
    println!();
    println!(
        "| backend | measurement | requests | non-2xx/errors | per second | p50 ms | p95 ms | p99 ms | max ms | mean ms | cores busy: process / machine |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in reports {
        let c = cfg.concurrency;
        let rows: [(String, &Phase); 9] = [
            (format!("POST /orders, all, {c} clients"), &r.orders),
            ("  of which basic (1 per municipality)".to_owned(), &r.basic),
            ("  of which additional".to_owned(), &r.additional),
            (
                format!("GET /programmes/{{id}}, {} orders, {c} clients", r.orders_in_programme),
                &r.reads,
            ),
            (
                format!("GET /programmes/{{id}}, {} orders, 1 client", r.orders_in_programme),
                &r.reads_sequential,
            ),
            (format!("GET /programmes/{{id}}, 0 orders, {c} clients"), &r.reads_small),
            ("GET /programmes/{id}, 0 orders, 1 client".to_owned(), &r.reads_small_sequential),
            ("diagnosis: submit_order without HTTP, 1 task".to_owned(), &r.direct_sequential),
            (format!("diagnosis: submit_order without HTTP, {c} tasks"), &r.direct_concurrent),
        ];
        for (name, p) in rows {
            println!(
                "| {} | {name}{} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} / {:.2} |",
                r.label,
                if p.truncated { " (stopped at time limit)" } else { "" },
                p.requests,
                p.failures,
                p.per_second(),
                p.pct_ms(50.0),
                p.pct_ms(95.0),
                p.pct_ms(99.0),
                p.max_ms(),
                p.mean_ms(),
                p.cores_busy(),
                p.machine_cores_busy()
            );
        }
    }
    println!();
    for r in reports {
        let rss = r
            .rss_after_load
            .map_or("n/a".to_owned(), |(rss, hwm)| format!("{rss:.1} MiB (peak {hwm:.1} MiB)"));
        println!(
            "[{}] programme holds {} orders after the run; ledger {}; audit chain {}; process RSS 2 s after the load: {rss}; setup {:.1} s",
            r.label,
            r.orders_in_programme,
            if r.ledger_consistent { "consistent" } else { "INCONSISTENT" },
            r.chain,
            r.setup.as_secs_f64()
        );
    }
    match binary {
        Some((mb, path)) => println!(
            "[idle] `cyberveilig serve` on an empty SQLite database, 2 s after /healthz: VmRSS {mb:.1} MiB ({})",
            path.display()
        ),
        None => println!("[idle] binary not measured"),
    }
    println!();
    println!("Targets of the issue:");
    for r in reports {
        let o = &r.orders;
        if r.label == "sqlite" {
            println!(
                "  [{}] >= {TARGET_ORDERS_PER_S:.0} orders/s: {:.0} -> {}; order p99 < {TARGET_ORDER_P99_MS:.0} ms: {:.1} ms -> {}",
                r.label,
                o.per_second(),
                verdict(o.per_second() >= TARGET_ORDERS_PER_S && o.failures == 0),
                o.pct_ms(99.0),
                verdict(o.pct_ms(99.0) < TARGET_ORDER_P99_MS)
            );
        } else {
            println!(
                "  [{}] orders/s (figure to report): {:.0}, p99 {:.1} ms",
                r.label,
                o.per_second(),
                o.pct_ms(99.0)
            );
        }
        println!(
            "  [{}] budget status p99 < {TARGET_READ_P99_MS:.0} ms: {:.2} ms with {} clients -> {}; {:.2} ms with 1 client -> {}",
            r.label,
            r.reads.pct_ms(99.0),
            cfg.concurrency,
            verdict(r.reads.pct_ms(99.0) < TARGET_READ_P99_MS),
            r.reads_sequential.pct_ms(99.0),
            verdict(r.reads_sequential.pct_ms(99.0) < TARGET_READ_P99_MS)
        );
        if o.failures > 0 || r.reads.failures > 0 {
            println!(
                "  [{}] WARNING: {} orders and {} reads got an unexpected answer",
                r.label, o.failures, r.reads.failures
            );
        }
    }
    if let Some((mb, _)) = binary {
        println!(
            "  idle memory < {TARGET_IDLE_MB:.0} MB: {mb:.1} MiB -> {}",
            verdict(*mb < TARGET_IDLE_MB)
        );
    }
}

async fn run() -> Result<(), AnyError> {
    let cfg = Config::from_env();
    let dir = tempfile::tempdir()?;
    let mut reports = Vec::new();
    let sqlite_url = format!("sqlite:{}", dir.path().join("bench.db").display());
    reports.push(run_backend("sqlite", &sqlite_url, &cfg).await?);
    match std::env::var("CYBERVEILIG_BENCH_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => reports.push(run_postgres(url.trim(), &cfg).await?),
        _ => println!("[postgres] skipped: set CYBERVEILIG_BENCH_DATABASE_URL=postgres://... to measure PostgreSQL too"),
    }
    let binary = match binary_idle_rss(dir.path()).await {
        Ok(b) => b,
        Err(e) => {
            eprintln!("[idle] failed: {e}");
            None
        }
    };
    print_summary(&reports, &binary, &cfg);
    let failures: usize = reports
        .iter()
        .map(|r| {
            r.orders.failures
                + r.reads.failures
                + r.reads_small.failures
                + r.reads_sequential.failures
                + r.reads_small_sequential.failures
                + r.direct_sequential.failures
                + r.direct_concurrent.failures
        })
        .sum();
    if failures > 0 || reports.iter().any(|r| !r.ledger_consistent) {
        return Err(format!("{failures} requests got an unexpected answer or a ledger is inconsistent").into());
    }
    Ok(())
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter here.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    // Interrupted (Ctrl-C, SIGTERM), the run still drops its database and stops its server.
    let outcome = runtime.block_on(async {
        tokio::select! {
            outcome = run() => outcome,
            signal = interrupted() => {
                clean_up_after_interruption().await;
                Err(format!("interrupted by {signal}").into())
            }
        }
    });
    if let Err(e) = outcome {
        eprintln!("benchmark failed: {e}");
        std::process::exit(1);
    }
}
