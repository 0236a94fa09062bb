//! Operations beyond one machine (docs/OPERATIONS.md), with the real binary: moving an
//! installation from SQLite to PostgreSQL (`migrate-db`), and backing up a running SQLite
//! installation (`backup`), restoring it and serving it. The demo's data is the installation.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cyberveilig");
const TEST_DATABASE: &str = "CYBERVEILIG_TEST_DATABASE_URL";

/// The binary with nothing of the environment's configuration.
fn cyberveilig(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    for var in [
        "CYBERVEILIG_DATABASE_URL",
        "CYBERVEILIG_DATA_DIR",
        "CYBERVEILIG_AUDIT_KEY",
        "CYBERVEILIG_LISTEN",
    ] {
        command.env_remove(var);
    }
    command
        .env("CYBERVEILIG_CONFIG", dir.join("absent.toml"))
        .env("CYBERVEILIG_LOG", "warn")
        .current_dir(dir);
    command
}

fn run(dir: &Path, args: &[&str]) -> Output {
    let output = cyberveilig(dir).args(args).output().expect("the binary runs");
    eprintln!(
        "$ cyberveilig {}\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("demo.db").display())
}

/// A server of the binary (`demo`, which serves an existing database as it is), stopped when
/// dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(dir: &Path, database: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let listen = format!("127.0.0.1:{port}");
        let data_dir = dir.to_str().unwrap();
        let child = cyberveilig(dir)
            .args(["demo", "--database", database, "--data-dir", data_dir, "--listen", &listen])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let server = Server {
            child,
            base: format!("http://{listen}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(&listen).is_err() {
            assert!(started.elapsed() < Duration::from_secs(600), "the server did not start listening");
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }

    /// Stops it as an operator would (Ctrl-C): it finishes and checkpoints its database.
    fn stop(mut self) {
        let _ = Command::new("kill").arg("-INT").arg(self.child.id().to_string()).status();
        let started = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(30) {
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    async fn token(&self, http: &reqwest::Client, email: &str) -> String {
        let answer: Value = http
            .post(format!("{}/api/v1/auth/token", self.base))
            .json(&serde_json::json!({"email": email, "password": "demo"}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["token"].as_str().unwrap().to_owned()
    }

    /// The programmes as the administrator reads them through the API.
    async fn programmes(&self) -> Value {
        self.get("/api/v1/programmes").await
    }

    /// The toolkit's items that a search finds (each database ranks in its own way).
    async fn found(&self, words: &str) -> Vec<i64> {
        let page = self.get(&format!("/api/v1/toolkit?q={words}")).await;
        let mut ids: Vec<i64> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        ids.sort();
        ids
    }

    async fn get(&self, path: &str) -> Value {
        let http = reqwest::Client::new();
        let token = self.token(&http, "admin@abb.test").await;
        http.get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo installation, seeded once for all tests (its history takes a while), then copied.
fn seeded() -> &'static Path {
    static SEEDED: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &SEEDED
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().to_path_buf();
            Server::start(&path, &sqlite_url(&path)).stop();
            (dir, path)
        })
        .1
}

/// A data folder of its own holding a copy of the seeded installation.
fn installation() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["demo.db", "audit-signing.key"] {
        std::fs::copy(seeded().join(file), dir.path().join(file)).unwrap();
    }
    dir
}

/// Every table of a SQLite database with its rows, but for the migrations' record and the
/// full-text index, which each database keeps in its own form.
fn sqlite_counts(path: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut statement = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' \
             AND name NOT LIKE 'toolkit_search%' AND name <> 'schema_migrations' ORDER BY name",
        )
        .unwrap();
    let names: Vec<String> = statement.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    names
        .into_iter()
        .map(|name| {
            let n = conn.query_row(&count_rows(&name), [], |r| r.get(0)).unwrap();
            (name, n)
        })
        .collect::<Vec<_>>()
        .sorted()
}

/// The statement that counts a table's rows. The register's tallies keep a group whose findings
/// all moved on as a row of 0, where the copy's triggers never make one: their groups are counted.
fn count_rows(table: &str) -> String {
    let counted = if table == "finding_tallies" { " WHERE n <> 0" } else { "" };
    format!("SELECT COUNT(*) FROM \"{table}\"{counted}")
}

trait Sorted {
    fn sorted(self) -> Self;
}

impl Sorted for Vec<(String, i64)> {
    fn sorted(mut self) -> Self {
        self.sort();
        self
    }
}

async fn postgres_counts(url: &str) -> Vec<(String, i64)> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_type = 'BASE TABLE' AND table_name NOT IN ('_sqlx_migrations', 'toolkit_search') ORDER BY table_name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut counts = Vec::new();
    for name in names {
        let n: i64 = sqlx::query_scalar(&count_rows(&name)).fetch_one(&mut conn).await.unwrap();
        counts.push((name, n));
    }
    conn.close().await.unwrap();
    counts.sorted()
}

/// The identity columns whose next value would not follow the highest id the table holds.
async fn identities_behind(url: &str) -> Vec<String> {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let columns = sqlx::query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut behind = Vec::new();
    for column in &columns {
        let (table, name): (String, String) = (column.get(0), column.get(1));
        let sequence: String = sqlx::query_scalar("SELECT pg_get_serial_sequence($1, $2)")
            .bind(&table)
            .bind(&name)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        let (last, called): (i64, bool) = sqlx::query_as(&format!("SELECT last_value, is_called FROM {sequence}"))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        let highest: i64 = sqlx::query_scalar(&format!("SELECT COALESCE(MAX(\"{name}\"), 0) FROM \"{table}\""))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        if (if called { last + 1 } else { last }) <= highest {
            behind.push(format!("{table}.{name}"));
        }
    }
    assert!(columns.len() > 20, "the identity columns were not found");
    conn.close().await.unwrap();
    behind
}

fn count_of(counts: &[(String, i64)], table: &str) -> i64 {
    counts.iter().find(|(t, _)| t == table).map(|(_, n)| *n).unwrap_or(-1)
}

/// A fresh PostgreSQL database on the test server, dropped at the end.
struct PgDatabase {
    server: String,
    name: String,
    url: String,
}

impl PgDatabase {
    async fn create(server: &str) -> PgDatabase {
        use sqlx::Connection;
        let name = format!("cvops_{}_{}", std::process::id(), rand_suffix());
        let mut conn = sqlx::PgConnection::connect(server).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let (base, query) = server
            .split_once('?')
            .map_or((server, String::new()), |(b, q)| (b, format!("?{q}")));
        let start = base.find("://").map_or(0, |i| i + 3);
        let base = base[start..].find('/').map_or(base, |slash| &base[..start + slash]);
        PgDatabase {
            server: server.to_owned(),
            url: format!("{base}/{name}{query}"),
            name,
        }
    }

    async fn drop_it(self) {
        use sqlx::Connection;
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.server).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
                .execute(&mut conn)
                .await;
        }
    }
}

fn rand_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    format!("{nanos}_{}", N.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `migrate-db` copies everything into an empty PostgreSQL database, which then serves the same
/// programme; the audit log verifies there with the installation's key; a target holding data is
/// refused; a copy that fails half-way leaves the target empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installation_moves_from_sqlite_to_postgres_whole() {
    let Ok(server) = std::env::var(TEST_DATABASE) else {
        // Past the harness's capture, where people (and CI's count of skips) see it.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("SKIP: {TEST_DATABASE} is not set; migrate-db to PostgreSQL did not run\n").as_bytes(),
        );
        return;
    };
    let dir = installation();
    let (dir, source) = (dir.path(), sqlite_url(dir.path()));
    let data_dir = dir.to_str().unwrap();
    let before = {
        let serving = Server::start(dir, &source);
        let read = (serving.programmes().await, serving.found("phishing").await);
        serving.stop();
        read
    };
    assert!(!before.1.is_empty(), "the demo's toolkit has an item about phishing");
    let counts = sqlite_counts(&dir.join("demo.db"));
    assert!(count_of(&counts, "orders") > 0 && count_of(&counts, "events") > 0, "{counts:?}");

    let target = PgDatabase::create(&server).await;
    // A copy that fails at the last order (a day no date column takes), after the tables it
    // refers to were copied, keeps nothing: the target stays empty and takes the whole copy after.
    let broken = installation();
    {
        let conn = rusqlite::Connection::open(broken.path().join("demo.db")).unwrap();
        let changed = conn
            .execute(
                "UPDATE orders SET offered_on = 'not a day' WHERE id = (SELECT MAX(id) FROM orders)",
                [],
            )
            .unwrap();
        assert_eq!(changed, 1);
    }
    let failed = run(
        broken.path(),
        &[
            "migrate-db",
            "--database",
            &sqlite_url(broken.path()),
            "--data-dir",
            broken.path().to_str().unwrap(),
            "--to",
            &target.url,
        ],
    );
    assert!(!failed.status.success());
    assert!(stderr(&failed).contains("orders.offered_on"), "{}", stderr(&failed));
    let left = postgres_counts(&target.url).await;
    // Only the rows the migrations seed: the chain's head at its genesis, the publication switch.
    let seeded = ["audit_chain_head", "baseline_publication"];
    let holding: Vec<_> = left.iter().filter(|(t, n)| *n > 0 && !seeded.contains(&t.as_str())).collect();
    assert!(holding.is_empty(), "a failed copy left rows behind: {holding:?}");

    let moved = run(
        dir,
        &["migrate-db", "--database", &source, "--data-dir", data_dir, "--to", &target.url],
    );
    assert!(moved.status.success(), "{}", stderr(&moved));
    assert!(stdout(&moved).contains("checked with the installation's key"), "{}", stdout(&moved));
    // Every table, counted independently of the copy, holds as many rows on both sides.
    let copied = postgres_counts(&target.url).await;
    assert_eq!(copied, counts, "tables and rows differ between SQLite and PostgreSQL");
    // New rows get new ids: each identity continues after the highest copied.
    assert_eq!(identities_behind(&target.url).await, Vec::<String>::new());

    let verified = run(dir, &["audit-log", "verify", "--database", &target.url, "--data-dir", data_dir]);
    assert!(verified.status.success(), "{}", stdout(&verified));
    let entries = count_of(&counts, "events");
    assert!(
        stdout(&verified).contains(&format!("All {entries} entries")),
        "{}",
        stdout(&verified)
    );
    // The signed heads came along, and hold under the installation's key.
    let signatures = count_of(&counts, "audit_signatures");
    assert!(signatures > 0);
    assert!(
        stdout(&verified).contains(&format!("{signatures} signatures of key")),
        "{}",
        stdout(&verified)
    );

    // Served from PostgreSQL, the programme reads as it did from SQLite.
    let serving = Server::start(dir, &target.url);
    assert_eq!(serving.programmes().await, before.0);
    // The search index, which each database keeps in its own form, was built anew.
    assert_eq!(serving.found("phishing").await, before.1);
    serving.stop();

    // A target holding data is refused, and keeps what it holds.
    let held = postgres_counts(&target.url).await;
    let again = run(
        dir,
        &["migrate-db", "--database", &source, "--data-dir", data_dir, "--to", &target.url],
    );
    assert!(!again.status.success());
    assert!(stderr(&again).contains("holds data already"), "{}", stderr(&again));
    assert_eq!(postgres_counts(&target.url).await, held);

    let not_postgres = run(dir, &["migrate-db", "--database", &source, "--to", "sqlite:elsewhere.db"]);
    assert!(!not_postgres.status.success());
    assert!(stderr(&not_postgres).contains("PostgreSQL"), "{}", stderr(&not_postgres));
    target.drop_it().await;
}

/// `backup` takes a consistent copy while the server runs and writes; the copy verifies, is
/// restored into a new data folder and served; an existing file is never overwritten; on
/// PostgreSQL the command points to pg_dump.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_installation_is_backed_up_restored_and_served() {
    let dir = installation();
    let (dir, source) = (dir.path(), sqlite_url(dir.path()));
    let data_dir = dir.to_str().unwrap();
    let serving = Server::start(dir, &source);
    // Writers go on during the backup: each token is a row and an entry of the audit log.
    let writing = {
        let (base, http) = (serving.base.clone(), reqwest::Client::new());
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut written = 0;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let answer = http
                    .post(format!("{base}/api/v1/auth/token"))
                    .json(&serde_json::json!({"email": "vvsg@vvsg.test", "password": "demo"}))
                    .send()
                    .await
                    .unwrap();
                if answer.status().is_success() {
                    written += 1;
                }
            }
            written
        });
        (stop, task)
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("cyberveilig-backup.db");
    let file_arg = file.to_str().unwrap();
    let taken = run(dir, &["backup", "--database", &source, "--data-dir", data_dir, "--to", file_arg]);
    assert!(taken.status.success(), "{}", stderr(&taken));
    tokio::time::sleep(Duration::from_millis(300)).await;
    writing.0.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writing.1.await.unwrap();
    assert!(written > 0, "nothing was written while the backup ran");

    // Never over an existing file: the backup stays as it was.
    let bytes = std::fs::read(&file).unwrap();
    let again = run(dir, &["backup", "--database", &source, "--data-dir", data_dir, "--to", file_arg]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("exists already"), "{}", stderr(&again));
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
    serving.stop();

    // The copy is whole and its audit log holds, signatures included.
    let checked = run(dir, &["backup", "verify", file_arg, "--data-dir", data_dir]);
    assert!(checked.status.success(), "{}", stdout(&checked));
    assert!(stdout(&checked).contains("integrity check ok"), "{}", stdout(&checked));
    assert!(stdout(&checked).contains("signatures of key"), "{}", stdout(&checked));
    let kept = sqlite_counts(&file);
    let live = sqlite_counts(&dir.join("demo.db"));
    let entries = count_of(&kept, "events");
    assert!(
        entries > 0 && entries <= count_of(&live, "events"),
        "{entries} of {}",
        count_of(&live, "events")
    );
    assert_eq!(count_of(&kept, "orders"), count_of(&live, "orders"));

    // Restore: the file (and the key, kept apart) into a new data folder; it serves as before.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&file, restored.path().join("demo.db")).unwrap();
    std::fs::copy(dir.join("audit-signing.key"), restored.path().join("audit-signing.key")).unwrap();
    assert_eq!(sqlite_counts(&restored.path().join("demo.db")), kept);
    let restored_url = sqlite_url(restored.path());
    let restored_dir = restored.path().to_str().unwrap();
    let verified = run(
        restored.path(),
        &["audit-log", "verify", "--database", &restored_url, "--data-dir", restored_dir],
    );
    assert!(verified.status.success(), "{}", stdout(&verified));
    assert!(
        stdout(&verified).contains(&format!("All {entries} entries")),
        "{}",
        stdout(&verified)
    );
    let serving = Server::start(restored.path(), &restored_url);
    let programmes = serving.programmes().await;
    assert!(programmes.as_array().is_some_and(|p| !p.is_empty()), "{programmes}");
    serving.stop();

    // A file that is not a database is not a backup.
    let garbage = backups.path().join("garbage.db");
    std::fs::write(&garbage, vec![7u8; 8192]).unwrap();
    let refused = run(dir, &["backup", "verify", garbage.to_str().unwrap(), "--data-dir", data_dir]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stdout(&refused).contains("damaged or not a database"), "{}", stdout(&refused));

    // PostgreSQL is backed up with its own tools: the command says how, and fails.
    let postgres = run(
        dir,
        &["backup", "--database", "postgres://cyberveilig@127.0.0.1:1/none", "--to", "x.dump"],
    );
    assert_eq!(postgres.status.code(), Some(2));
    assert!(stderr(&postgres).contains("pg_dump --format=custom"), "{}", stderr(&postgres));
}
