//! Search of the toolkit on 10,000 published items (issue 13: p99 under 50 ms), on SQLite and,
//! when `CYBERVEILIG_BENCH_DATABASE_URL` names a PostgreSQL server, on a fresh database there.
//!
//! Seeds the items through the use cases (VVSG writes each, a second person publishes it): the
//! eight shipped items, each repeated with its own slug, title and a sentence of its own, so the
//! index holds 10,000 distinct documents in Dutch and English. Then asks for searches one after
//! another, through the use case and through `GET /api/v1/toolkit?q=` on a loopback server:
//! words in Dutch and English, inflected, with and without filters. Reports p50, p95, p99 and max.
//!
//! ```text
//! cargo bench -p cyberveilig --bench toolkit
//! CYBERVEILIG_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p cyberveilig --bench toolkit
//! ```
//!
//! Knobs: CYBERVEILIG_BENCH_ITEMS (default 10000), CYBERVEILIG_BENCH_SEARCHES (default 2000),
//! CYBERVEILIG_BENCH_KEEP=1 (keep the PostgreSQL database afterwards).

#[path = "common/mod.rs"]
mod common;
use chrono::{TimeZone, Utc};
use common::{percentile, with_database};
use cyberveilig_domain::toolkit::ItemKind;
use cyberveilig_services::store::records::{NewPerson, ToolkitFilter};
use cyberveilig_services::toolkit::content;
use cyberveilig_services::{Actor, Services, TestClock};
use cyberveilig_web::WebOptions;
use sqlx::Connection;
use std::sync::Arc;
use std::time::Instant;

use common::AnyError;

const TARGET_P99_MS: f64 = 50.0;

const QUERIES: [&str; 24] = [
    "ransomware",
    "wachtwoorden",
    "wachtwoord",
    "passwords",
    "back-ups",
    "backup",
    "phishing melden",
    "leveranciers",
    "supplier contracts",
    "continuïteitsplan",
    "continuity",
    "losgeld versleuteld",
    "incident",
    "MFA",
    "informatieveiligheid",
    "information security policy",
    "bewustmaking medewerkers",
    "awareness",
    "herstel",
    "recovery",
    "CERT",
    "politie klacht",
    "toezichtcommissie",
    "zzzonbekend",
];

const WORDS: [&str; 16] = [
    "gemeente",
    "ocmw",
    "politiezone",
    "brandweer",
    "archief",
    "server",
    "laptop",
    "netwerk",
    "firewall",
    "cloud",
    "e-mail",
    "website",
    "burgerzaken",
    "financiën",
    "personeel",
    "kinderopvang",
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn summary(label: &str, mut ms: Vec<f64>) -> f64 {
    ms.sort_by(|a, b| a.total_cmp(b));
    let p99 = percentile(&ms, 0.99);
    println!(
        "  {label}: {} searches, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        p99,
        ms.last().copied().unwrap_or(f64::NAN)
    );
    p99
}

async fn seed(services: &Services, items: usize) -> Result<(), AnyError> {
    let mut tx = services.store.read().await?;
    let writer = tx.person_by_email(&"vvsg@vvsg.test".parse()?).await?.ok_or("no VVSG account")?;
    drop(tx);
    let writer = Actor {
        person_id: writer.id,
        email: writer.email.as_str().to_owned(),
        role: writer.role,
        organisation_id: writer.organisation_id,
        language: "nl".into(),
    };
    let reviewer = {
        let mut tx = services.store.write().await?;
        let id = tx
            .insert_person(&NewPerson {
                organisation_id: writer.organisation_id,
                email: "redactie@vvsg.test".parse()?,
                name: "Redactie VVSG".into(),
                role: writer.role,
                password_hash: "-".into(),
                language: "nl".into(),
            })
            .await?;
        tx.commit().await?;
        Actor {
            person_id: id,
            ..writer.clone()
        }
    };
    let shipped = content::shipped()?;
    let started = Instant::now();
    for i in 0..items {
        let mut input = shipped[i % shipped.len()].clone();
        let word = |k: usize| WORDS[(i / 8 + k * 7) % WORDS.len()];
        input.slug = format!("{}-{i}", input.slug);
        input.content.title_nl = format!("{} ({} {i})", input.content.title_nl, word(1));
        // A shorter text than the shipped one, so the database stays the size of a real library.
        let cut = |text: &str| text.chars().take(2_500).collect::<String>();
        input.content.body_nl = format!("{}\n\nVoor de {} en de {}.", cut(&input.content.body_nl), word(2), word(3));
        input.content.body_en = format!("{}\n\nFor the {} and the {}.", cut(&input.content.body_en), word(2), word(3));
        let view = services.create_toolkit_item(&writer, input).await?;
        services.submit_toolkit_version(&writer, view.item.id).await?;
        services.review_toolkit_version(&reviewer, view.item.id, true, "").await?;
    }
    println!("  seeded {items} published items in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn run_backend(label: &str, url: &str, items: usize, searches: usize) -> Result<(f64, f64), AnyError> {
    println!("[{label}]");
    let store = cyberveilig_store::connect(url).await?;
    store.migrate().await?;
    let clock = Arc::new(TestClock::at(Utc.with_ymd_and_hms(2021, 6, 15, 8, 0, 0).single().ok_or("a time")?));
    let services = Services::new(store.clone(), clock).with_accounts(cyberveilig_services::AccountPolicy::demo("http://127.0.0.1"));
    services.seed_installation().await?;
    services.seed_demo_accounts().await?;
    seed(&services, items).await?;

    let gent = {
        let mut tx = services.store.read().await?;
        let p = tx.person_by_email(&"44021@gemeente.test".parse()?).await?.ok_or("no Gent")?;
        Actor {
            person_id: p.id,
            email: p.email.as_str().to_owned(),
            role: p.role,
            organisation_id: p.organisation_id,
            language: "nl".into(),
        }
    };
    let filters = [
        ToolkitFilter::default(),
        ToolkitFilter {
            kind: Some(ItemKind::Playbook),
            ..Default::default()
        },
        ToolkitFilter {
            audience: Some(cyberveilig_domain::awareness::Audience::Ict),
            ..Default::default()
        },
    ];
    let mut direct = Vec::with_capacity(searches);
    let mut found = 0usize;
    for i in 0..searches {
        let mut filter = filters[i % filters.len()].clone();
        filter.limit = 20;
        let started = Instant::now();
        let hits = services.search_toolkit(Some(&gent), QUERIES[i % QUERIES.len()], filter).await?;
        direct.push(started.elapsed().as_secs_f64() * 1000.0);
        found += hits.len();
    }
    let direct_p99 = summary("use case (search_toolkit, 20 best)", direct);
    println!("  {:.1} results per search on average", found as f64 / searches as f64);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = cyberveilig_web::router(services.clone(), WebOptions::default());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();
    let token = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"email": "44021@gemeente.test", "password": "demo"}))
        .send()
        .await?
        .json::<serde_json::Value>()
        .await?["token"]
        .as_str()
        .ok_or("no token")?
        .to_owned();
    let mut over_http = Vec::with_capacity(searches);
    for i in 0..searches {
        let kind = ["", "&kind=playbook", "&audience=ict"][i % 3];
        let url = format!("{base}/api/v1/toolkit?limit=20{kind}");
        let started = Instant::now();
        let response = http
            .get(&url)
            .query(&[("q", QUERIES[i % QUERIES.len()])])
            .bearer_auth(&token)
            .send()
            .await?;
        let status = response.status();
        let _ = response.bytes().await?;
        over_http.push(started.elapsed().as_secs_f64() * 1000.0);
        if !status.is_success() {
            return Err(format!("GET {url}: {status}").into());
        }
    }
    let http_p99 = summary("GET /api/v1/toolkit?q= (one client)", over_http);
    server.abort();
    Ok((direct_p99, http_p99))
}

async fn run() -> Result<(), AnyError> {
    let items = env_usize("CYBERVEILIG_BENCH_ITEMS", 10_000);
    let searches = env_usize("CYBERVEILIG_BENCH_SEARCHES", 2_000);
    let dir = tempfile::tempdir()?;
    let mut verdicts = Vec::new();
    let sqlite = format!("sqlite:{}", dir.path().join("toolkit.db").display());
    verdicts.push(("sqlite", run_backend("sqlite", &sqlite, items, searches).await?));
    match std::env::var("CYBERVEILIG_BENCH_DATABASE_URL") {
        Ok(admin) if !admin.trim().is_empty() => {
            let name = format!("cvbench_toolkit_{}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(admin.trim()).await?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
            let result = run_backend("postgres", &with_database(admin.trim(), &name), items, searches).await;
            // CYBERVEILIG_BENCH_KEEP=1 keeps the database to look at its plans.
            if std::env::var("CYBERVEILIG_BENCH_KEEP").as_deref() == Ok("1") {
                println!("[postgres] kept database {name}");
            } else {
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await?;
            }
            verdicts.push(("postgres", result?));
        }
        _ => println!("[postgres] skipped: set CYBERVEILIG_BENCH_DATABASE_URL=postgres://... to measure PostgreSQL too"),
    }
    println!("\nsummary ({items} published items; target p99 < {TARGET_P99_MS:.0} ms):");
    for (label, (direct, http)) in verdicts {
        let met = |p99: f64| if p99 < TARGET_P99_MS { "met" } else { "NOT met" };
        println!(
            "  {label}: use case p99 {direct:.2} ms ({}), HTTP p99 {http:.2} ms ({})",
            met(direct),
            met(http)
        );
    }
    Ok(())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    if let Err(e) = runtime.block_on(run()) {
        eprintln!("toolkit bench failed: {e}");
        std::process::exit(1);
    }
}
