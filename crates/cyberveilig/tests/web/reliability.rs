//! No request stalls the others (issue 10, item 1): heavy reads run on the database's own
//! threads, so the runtime's workers stay free for everyone else.

use super::*;
use std::time::{Duration, Instant};

/// A generic CSV scan with `n` findings on `n / 50` hosts.
fn large_scan(n: usize) -> Vec<u8> {
    let mut csv = String::from("title,severity,host\n");
    for i in 0..n {
        let severity = ["low", "medium", "high", "critical"][i % 4];
        csv.push_str(&format!("Finding number {i},{severity},host-{}.gent.test\n", i / 50));
    }
    csv.into_bytes()
}

/// With both of the runtime's two workers available to the server, two exports of a large
/// register are running when `/healthz` is asked: it answers before either export is done. Had
/// the exports' SQLite statements run on the workers, `/healthz` would wait for one to finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_while_two_exports_of_a_large_register_run() {
    const FINDINGS: usize = 40_000;
    let app = spawn_app().await;
    let (gent, _ey, order) = app.gent_order_accepted_by_ey().await;
    let import = app
        .services
        .import_report_as_operator(order, std::io::Cursor::new(large_scan(FINDINGS)))
        .await
        .unwrap();
    assert_eq!(import.new as usize, FINDINGS);

    let started = Instant::now();
    let exports: Vec<_> = ["csv", "xlsx"]
        .into_iter()
        .map(|format| {
            let (http, url, token) = (
                app.http.clone(),
                format!("{}/api/v1/findings/export?format={format}", app.base),
                gent.clone(),
            );
            tokio::spawn(async move {
                let r = http.get(url).bearer_auth(token).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                let bytes = r.bytes().await.unwrap();
                (bytes.len(), Instant::now())
            })
        })
        .collect();
    // Let both exports reach the database.
    tokio::time::sleep(Duration::from_millis(300)).await;
    eprintln!("healthz asked at {:?}", started.elapsed());
    let mut answered = Vec::new();
    for _ in 0..5 {
        let asked = Instant::now();
        let r = app.http.get(format!("{}/healthz", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        answered.push((asked.elapsed(), Instant::now()));
    }
    let mut done = Vec::new();
    for export in exports {
        let (bytes, at) = export.await.unwrap();
        assert!(
            bytes > FINDINGS * 20,
            "an export of {FINDINGS} findings holds them all ({bytes} bytes)"
        );
        done.push(at);
    }
    let first_export_done = done.into_iter().min().unwrap();
    let last_health = answered.iter().map(|(_, at)| *at).max().unwrap();
    eprintln!(
        "exports ran {:?}; /healthz answered in {:?}",
        first_export_done - started,
        answered.iter().map(|(took, _)| *took).collect::<Vec<_>>()
    );
    assert!(
        last_health < first_export_done,
        "/healthz waited for an export: its last answer came {:?} after the first export finished",
        last_health - first_export_done
    );
}

/// `serve` refuses a database made by the demo: its accounts have the published password.
#[tokio::test]
async fn serve_refuses_a_demo_database() {
    let app = spawn_app().await;
    assert!(app.services.holds_demo_accounts().await.unwrap());
    app.services.store.close().await;
    let db = app._dir.path().join("api.db");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cyberveilig"))
        .args(["serve", "--database", db.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "serve ran on a demo database: {stderr}");
    assert!(stderr.contains("demo database"), "{stderr}");

    // A database of its own, installed as serve installs it, holds no demo account.
    let dir = tempfile::tempdir().unwrap();
    let store = cyberveilig_store::connect(&format!("sqlite:{}", dir.path().join("own.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let own = Services::new(store, Arc::new(TestClock::at(Utc::now())));
    own.seed_installation().await.unwrap();
    assert!(!own.holds_demo_accounts().await.unwrap());
}
