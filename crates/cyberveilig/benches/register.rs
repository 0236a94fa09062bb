//! The findings register at scale (issue 15, docs/PERFORMANCE.md): pages of the register in the
//! API and the portal, and the remediation plan's exports, on a register of millions.
//!
//! Seeds the demo's programme and history, then loads findings straight into the database (the
//! import's own speed is the import bench's; the register's indexes are dropped for the load and
//! built again after it, as a restore does): CYBERVEILIG_BENCH_FINDINGS in all (10,000,000 by
//! default) over every municipality, CYBERVEILIG_BENCH_BIG of them (1,000,000) in Gent's
//! register, with severities, statuses, decisions, CVSS scores, deadlines, assets and owners
//! spread as scans spread them. Then it serves the app in-process and asks, as Gent, as a small
//! government (Antwerpen's register is then about 30,000) and as the administrator, for every
//! filter and sort of the register: the first page and page 1,000 (its cursor found once through
//! the use case), each CYBERVEILIG_BENCH_REPEAT times (20), through `GET /api/v1/findings` and
//! the portal's `/bevindingen`. Reports p50 and p99 per case and the slowest case. Every answer
//! must be 200 with the page asked for. Last, the remediation plan of Gent's register as CSV and
//! as XLSX through `GET /api/v1/findings/export`: rows per second and the process's peak memory.
//!
//! Always on SQLite; also on PostgreSQL when `CYBERVEILIG_BENCH_DATABASE_URL` names a server (a
//! database `cvbench_register_<random>` is made there and dropped at the end).
//!
//! ```text
//! cargo bench -p cyberveilig --bench register
//! CYBERVEILIG_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p cyberveilig --bench register
//! ```
//!
//! Knobs: CYBERVEILIG_BENCH_FINDINGS, CYBERVEILIG_BENCH_BIG, CYBERVEILIG_BENCH_REPEAT,
//! CYBERVEILIG_BENCH_SKIP_SQLITE (set: PostgreSQL only), CYBERVEILIG_BENCH_SKIP_EXPORT,
//! CYBERVEILIG_BENCH_KEEP (the SQLite file and the PostgreSQL database are kept, their names
//! printed, to look at the plans afterwards).

#[path = "common/mod.rs"]
mod common;
use common::{percentile, with_database};
use cyberveilig_services::store::records::{RegisterQuery, RegisterSort};
use cyberveilig_services::{AccountPolicy, Services, TestClock};
use cyberveilig_web::WebOptions;
use sqlx::Connection;
use std::sync::Arc;
use std::time::Instant;

use common::{AnyError, sign_in};

const TARGET_API_P99_MS: f64 = 20.0;
const TARGET_PORTAL_P99_MS: f64 = 50.0;
const TARGET_EXPORT_ROWS_PER_S: f64 = 100_000.0;
const PAGE: i64 = 50;
/// Assets per government.
const ASSETS: i64 = 200;

fn env_i64(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// The statements that load the findings: the slots (one per government, Gent's first, with
/// an order of the programme and its first asset), the assets, then the findings. `{series}` is
/// replaced by each database's way of counting from 0 to n - 1.
fn load_statements(postgres: bool, total: i64, big: i64) -> Vec<String> {
    let series = |n: i64| {
        if postgres {
            format!("generate_series(0::BIGINT, {}) AS g(i)", n - 1)
        } else {
            format!(
                "(WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < {}) SELECT i FROM c) g",
                n - 1
            )
        }
    };
    let now = if postgres {
        "TIMESTAMPTZ '2026-01-05 08:00:00+00'"
    } else {
        "'2026-01-05T08:00:00+00:00'"
    };
    let seen = if postgres {
        "TIMESTAMPTZ '2025-01-01 08:00:00+00' + ((s.i % 600) || ' days')::INTERVAL".to_owned()
    } else {
        "strftime('%Y-%m-%dT%H:%M:%S+00:00', '2025-01-01 08:00:00', '+' || (s.i % 600) || ' days')".to_owned()
    };
    let due = if postgres {
        "DATE '2026-01-01' + ((s.i * 17) % 730)::INT".to_owned()
    } else {
        "date('2026-01-01', '+' || ((s.i * 17) % 730) || ' days')".to_owned()
    };
    let small = 284;
    vec![
        "CREATE TABLE bench_slots (slot BIGINT PRIMARY KEY, government_id BIGINT, order_id BIGINT, first_asset BIGINT, import_id BIGINT)".into(),
        // Gent first, then the other municipalities; each with an order of the programme in turn.
        format!(
            "INSERT INTO bench_slots (slot, government_id, order_id) \
             SELECT ROW_NUMBER() OVER (ORDER BY CASE WHEN o.nis_code = '44021' THEN 0 ELSE 1 END, o.id) - 1, o.id, \
                    (SELECT id FROM orders ORDER BY id LIMIT 1) \
             FROM organisations o WHERE o.kind = 'gemeente' ORDER BY 1 LIMIT {}",
            small + 1
        ),
        "UPDATE bench_slots SET order_id = (SELECT o.id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n FROM orders) o \
         WHERE o.n = bench_slots.slot % (SELECT COUNT(*) FROM orders))"
            .into(),
        format!(
            "INSERT INTO imports (order_id, government_id, format, findings_read, new, still_open, reopened, fixed, at) \
             SELECT order_id, government_id, 'nessus', 0, 0, 0, 0, 0, {now} FROM bench_slots ORDER BY slot"
        ),
        "UPDATE bench_slots SET import_id = (SELECT MAX(id) FROM imports WHERE imports.government_id = bench_slots.government_id)".into(),
        format!(
            "INSERT INTO assets (government_id, kind, name, created_at) \
             SELECT b.government_id, 'host', 'h' || g.i || '.bench.test', {now} FROM bench_slots b, {} ORDER BY b.slot, g.i",
            series(ASSETS)
        ),
        "UPDATE bench_slots SET first_asset = (SELECT MIN(id) FROM assets WHERE assets.government_id = bench_slots.government_id AND assets.name LIKE '%.bench.test')".into(),
        // The findings: 30% information, the rest in every status, decision and severity; the
        // draws of a row come from its number, modulo three different primes so that they are
        // independent of one another.
        format!(
            "INSERT INTO findings (government_id, order_id, asset_id, asset_key, fingerprint, tool, rule_id, title, severity, severity_rank, \
                 cvss_score, status, decision, due_on, first_seen, last_seen, first_import_id, last_import_id, owner_id) \
             SELECT b.government_id, b.order_id, b.first_asset + (s.i % {ASSETS}), '0h' || (s.i % {ASSETS}) || '.bench.test', \
                 'bench-' || s.i, 'nessus', 'R' || (s.i % 5000), 'Finding ' || (s.i % 5000), \
                 CASE WHEN s.sev < 30 THEN 'info' WHEN s.sev < 55 THEN 'low' WHEN s.sev < 80 THEN 'medium' WHEN s.sev < 95 THEN 'high' ELSE 'critical' END, \
                 CASE WHEN s.sev < 30 THEN 0 WHEN s.sev < 55 THEN 1 WHEN s.sev < 80 THEN 2 WHEN s.sev < 95 THEN 3 ELSE 4 END, \
                 CASE WHEN s.sev < 30 THEN NULL ELSE ((s.i * 31) % 101) / 10.0 END, \
                 CASE WHEN s.sev < 30 THEN 'informational' WHEN s.st < 60 THEN 'open' WHEN s.st < 70 THEN 'in_progress' \
                      WHEN s.st < 90 THEN 'fixed' WHEN s.st < 95 THEN 'risk_accepted' ELSE 'false_positive' END, \
                 CASE WHEN s.sev < 30 THEN NULL WHEN s.de < 3 THEN 'act' WHEN s.de < 15 THEN 'attend' WHEN s.de < 40 THEN 'track*' ELSE 'track' END, \
                 CASE WHEN s.sev < 30 THEN NULL ELSE {due} END, \
                 {seen}, {seen}, b.import_id, b.import_id, \
                 CASE WHEN b.slot = 0 AND s.i % 20 = 0 THEN (SELECT MIN(p.id) FROM people p WHERE p.organisation_id = b.government_id) END \
             FROM (SELECT g.i AS i, ((g.i * 7919) % 1009) % 100 AS sev, ((g.i * 104729) % 997) % 100 AS st, \
                          ((g.i * 15485863) % 983) % 100 AS de FROM {}) s \
             JOIN bench_slots b ON b.slot = CASE WHEN s.i < {big} THEN 0 ELSE 1 + ((s.i - {big}) % {small}) END",
            series(total)
        ),
        "DROP TABLE bench_slots".into(),
    ]
    .into_iter()
    .collect()
}

struct Target {
    name: &'static str,
    token: String,
    cookie: String,
    actor: cyberveilig_services::Actor,
    filters: Vec<String>,
}

async fn token(http: &reqwest::Client, base: &str, email: &str) -> Result<String, AnyError> {
    let answer: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"email": email, "password": "demo"}))
        .send()
        .await?
        .json()
        .await?;
    Ok(answer["token"].as_str().ok_or("no token")?.to_owned())
}

/// The register's query of a filter as the API's query string gives it, for the use case.
fn query_of(
    filter: &str,
    sort: RegisterSort,
    actor: &cyberveilig_services::Actor,
    today: chrono::NaiveDate,
) -> Result<RegisterQuery, AnyError> {
    let field = |name: &str| {
        filter
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
    };
    let filters = cyberveilig_services::remediation::RegisterFilters {
        status: field("status"),
        decision: field("decision"),
        severity: field("severity"),
        asset_id: field("asset_id"),
        owner: field("owner"),
        overdue: field("overdue"),
        sort: Some(sort.as_str().to_owned()),
        order_id: None,
    };
    Ok(filters.query(actor, today).map_err(|e| format!("{e}"))?)
}

struct Case {
    what: String,
    api: Vec<f64>,
    portal: Vec<f64>,
}

async fn timed_get(http: &reqwest::Client, url: &str, header: (&str, &str), expect: &str) -> Result<f64, AnyError> {
    let t = Instant::now();
    let answer = http.get(url).header(header.0, header.1).send().await?;
    let status = answer.status();
    let body = answer.text().await?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    if !status.is_success() || !body.contains(expect) {
        let main = body.find("<main").unwrap_or(0);
        let shown: String = body[main..].chars().take(1500).collect();
        return Err(format!("{url}: {status}: {shown}").into());
    }
    Ok(ms)
}

async fn run(backend: &str, url: &str) -> Result<(Vec<Case>, Vec<String>), AnyError> {
    let total = env_i64("CYBERVEILIG_BENCH_FINDINGS", 10_000_000);
    let big = env_i64("CYBERVEILIG_BENCH_BIG", 1_000_000).min(total);
    let repeat = env_i64("CYBERVEILIG_BENCH_REPEAT", 20) as usize;
    let store = cyberveilig_store::connect(url).await?;
    store.migrate().await?;
    let start = cyberveilig_services::demo::default_demo_start();
    let clock = Arc::new(TestClock::at(cyberveilig_services::clock::start_of_brussels_day(
        chrono::NaiveDate::from_ymd_opt(2020, 5, 4).ok_or("date")?,
    )));
    let services = Services::new(store, clock.clone()).with_accounts(AccountPolicy::demo("http://127.0.0.1"));
    let seeded = services.seed_installation().await?;
    services.seed_demo_accounts().await?;
    services.replay_demo_history(seeded.programme_id, start).await?;
    use cyberveilig_services::Clock as _;
    clock.set(chrono::DateTime::parse_from_rfc3339("2026-06-01T08:00:00Z")?.to_utc());

    let t = Instant::now();
    let postgres = backend == "postgres";
    let statements = load_statements(postgres, total, big);
    if postgres {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        // The register's indexes are built after the load, as a restore would: sorting once is
        // far quicker than ten million inserts into each of them.
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT indexname::text, indexdef FROM pg_indexes WHERE tablename = 'findings' AND indexdef NOT LIKE '%UNIQUE%'",
        )
        .fetch_all(&mut conn)
        .await?;
        for (name, _) in &indexes {
            sqlx::query(&format!("DROP INDEX {name}")).execute(&mut conn).await?;
        }
        for sql in &statements {
            sqlx::query(sql).execute(&mut conn).await?;
        }
        sqlx::query("SET maintenance_work_mem = '1GB'").execute(&mut conn).await?;
        for (_, sql) in &indexes {
            sqlx::query(sql).execute(&mut conn).await?;
        }
        sqlx::query("ANALYZE").execute(&mut conn).await?;
        conn.close().await?;
    } else {
        let path = url.trim_start_matches("sqlite:").to_owned();
        tokio::task::spawn_blocking(move || -> Result<(), AnyError> {
            let conn = rusqlite::Connection::open(path)?;
            conn.execute_batch("PRAGMA cache_size = -1000000; BEGIN")?;
            let indexes: Vec<(String, String)> = conn
                .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'findings' AND sql IS NOT NULL AND sql NOT LIKE '%UNIQUE%'")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (name, _) in &indexes {
                conn.execute_batch(&format!("DROP INDEX {name}"))?;
            }
            for sql in &statements {
                conn.execute_batch(sql)?;
            }
            for (_, sql) in &indexes {
                conn.execute_batch(sql)?;
            }
            conn.execute_batch("COMMIT; ANALYZE")?;
            Ok(())
        })
        .await??;
    }
    eprintln!(
        "[{backend}] {total} findings loaded ({big} in Gent's register) in {:.0} s",
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
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;

    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).ok_or("date")?;
    let common_filters = ["", "status=fixed", "decision=act", "severity=critical", "overdue=true"];
    let mut targets = Vec::new();
    for (name, email) in [
        ("Gent", "44021@gemeente.test"),
        ("Antwerpen", "11002@gemeente.test"),
        ("administrator", "admin@abb.test"),
    ] {
        let token = token(&http, &base, email).await?;
        let cookie = sign_in(&http, &base, email).await?;
        let (actor, _) = services.session(cookie.trim_start_matches("cv_session=")).await?;
        let mut filters: Vec<String> = common_filters.iter().map(|f| f.to_string()).collect();
        if name == "Gent" {
            filters.push("owner=me".into());
            let asset = services.assets(&actor, actor.organisation_id).await?;
            let asset = asset.iter().find(|a| a.name.ends_with(".bench.test")).ok_or("no asset")?;
            filters.push(format!("asset_id={}", asset.id));
        }
        targets.push(Target {
            name,
            token,
            cookie,
            actor,
            filters,
        });
    }

    let mut cases = Vec::new();
    let mut skipped = Vec::new();
    for target in &targets {
        for filter in &target.filters {
            for sort in RegisterSort::ALL {
                for depth in [1_i64, 1000] {
                    let what = format!(
                        "{} {} sort={} page {depth}",
                        target.name,
                        if filter.is_empty() { "(no filter)" } else { filter },
                        sort.as_str()
                    );
                    let cursor = if depth == 1 {
                        String::new()
                    } else {
                        let mut q = query_of(filter, sort, &target.actor, today)?;
                        q.limit = PAGE * (depth - 1);
                        match services.register(&target.actor, q).await?.next {
                            Some(c) => c.encode(),
                            None => {
                                skipped.push(format!("{what}: fewer than {} findings", PAGE * (depth - 1)));
                                continue;
                            }
                        }
                    };
                    let sep = if filter.is_empty() { "" } else { "&" };
                    let api = format!(
                        "{base}/api/v1/findings?{filter}{sep}sort={}&limit={PAGE}&cursor={cursor}",
                        sort.as_str()
                    );
                    let page_param = if depth == 1 {
                        String::new()
                    } else {
                        format!("&after={cursor}&page={depth}")
                    };
                    let portal = format!("{base}/bevindingen?{filter}{sep}sort={}{page_param}", sort.as_str());
                    let bearer = format!("Bearer {}", target.token);
                    let mut case = Case {
                        what,
                        api: Vec::new(),
                        portal: Vec::new(),
                    };
                    // One warm-up each, then the measured requests.
                    for i in 0..=repeat {
                        let a = timed_get(&http, &api, ("authorization", &bearer), "\"items\"").await?;
                        let p = timed_get(&http, &portal, ("cookie", &target.cookie), "<table").await?;
                        if i > 0 {
                            case.api.push(a);
                            case.portal.push(p);
                        }
                    }
                    case.api.sort_by(f64::total_cmp);
                    case.portal.sort_by(f64::total_cmp);
                    println!(
                        "[{backend}] {:70} API p50 {:6.2} p99 {:6.2} ms | portal p50 {:6.2} p99 {:6.2} ms",
                        case.what,
                        percentile(&case.api, 0.5),
                        percentile(&case.api, 0.99),
                        percentile(&case.portal, 0.5),
                        percentile(&case.portal, 0.99)
                    );
                    cases.push(case);
                }
            }
        }
    }

    if std::env::var("CYBERVEILIG_BENCH_SKIP_EXPORT").is_err() {
        let gent = &targets[0];
        let bearer = format!("Bearer {}", gent.token);
        let expected = services
            .register(
                &gent.actor,
                RegisterQuery {
                    limit: 1,
                    ..Default::default()
                },
            )
            .await?
            .total;
        for format in ["csv", "xlsx"] {
            let _ = std::fs::write("/proc/self/clear_refs", "5");
            let before = peak_mib();
            let t = Instant::now();
            let mut answer = http
                .get(format!("{base}/api/v1/findings/export?format={format}"))
                .header("authorization", &bearer)
                .send()
                .await?;
            if !answer.status().is_success() {
                return Err(format!("export {format}: {}", answer.status()).into());
            }
            let mut bytes = 0usize;
            let mut lines = 0usize;
            while let Some(chunk) = answer.chunk().await? {
                bytes += chunk.len();
                lines += chunk.iter().filter(|b| **b == b'\n').count();
            }
            let secs = t.elapsed().as_secs_f64();
            let rows = expected as f64;
            if format == "csv" && lines as i64 != expected + 1 {
                return Err(format!("the CSV holds {} rows, the register {expected}", lines.saturating_sub(1)).into());
            }
            println!(
                "[{backend}] export {format}: {expected} findings, {:.0} MB in {secs:.1} s = {:.0} rows/s; RSS {before:.0} MiB before, peak {:.0} MiB",
                bytes as f64 / 1e6,
                rows / secs,
                peak_mib()
            );
            skipped.push(format!(
                "export {format}: {expected} rows, {:.0} rows/s (target {TARGET_EXPORT_ROWS_PER_S:.0}), RSS {before:.0} MiB before, peak {:.0} MiB",
                rows / secs,
                peak_mib()
            ));
        }
    }
    services.store.close().await;
    Ok((cases, skipped))
}

async fn bench() -> Result<(), AnyError> {
    let dir = tempfile::tempdir()?;
    // CYBERVEILIG_BENCH_KEEP: the SQLite file stays, to look at the plans afterwards.
    let folder = dir.path().to_owned();
    if std::env::var("CYBERVEILIG_BENCH_KEEP").is_ok() {
        eprintln!("keeping {}", dir.keep().display());
    }
    let mut results = Vec::new();
    if std::env::var("CYBERVEILIG_BENCH_SKIP_SQLITE").is_err() {
        let url = format!("sqlite:{}", folder.join("register.db").display());
        results.push(("sqlite", run("sqlite", &url).await?));
    }
    if let Ok(admin_url) = std::env::var("CYBERVEILIG_BENCH_DATABASE_URL") {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.subsec_nanos();
        let name = format!("cvbench_register_{}_{nanos:08x}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
        let outcome = run("postgres", &with_database(&admin_url, &name)).await;
        if std::env::var("CYBERVEILIG_BENCH_KEEP").is_ok() {
            eprintln!("keeping PostgreSQL database {name}");
        } else {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await?;
        }
        let _ = admin.close().await;
        results.push(("postgres", outcome?));
    }
    println!(
        "\nsummary (targets: API p99 < {TARGET_API_P99_MS} ms, portal p99 < {TARGET_PORTAL_P99_MS} ms, export >= {TARGET_EXPORT_ROWS_PER_S:.0} rows/s)"
    );
    for (backend, (cases, notes)) in &results {
        let worst = |pick: fn(&Case) -> &Vec<f64>| {
            cases
                .iter()
                .map(|c| (percentile(pick(c), 0.99), c.what.as_str()))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .unwrap_or((f64::NAN, ""))
        };
        let (api, api_case) = worst(|c| &c.api);
        let (portal, portal_case) = worst(|c| &c.portal);
        let over_api = cases.iter().filter(|c| percentile(&c.api, 0.99) >= TARGET_API_P99_MS).count();
        let over_portal = cases.iter().filter(|c| percentile(&c.portal, 0.99) >= TARGET_PORTAL_P99_MS).count();
        println!(
            "  {backend:8} {} cases; API slowest p99 {api:.2} ms ({api_case}), {over_api} over the target; portal slowest p99 {portal:.2} ms ({portal_case}), {over_portal} over",
            cases.len()
        );
        for note in notes {
            println!("  {backend:8} {note}");
        }
    }
    Ok(())
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("register: run with `cargo bench -p cyberveilig --bench register`");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    if let Err(e) = runtime.block_on(bench()) {
        eprintln!("register bench failed: {e}");
        std::process::exit(1);
    }
}
