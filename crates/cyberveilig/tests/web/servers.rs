//! Several servers, one PostgreSQL (issue 15, target 5): the real binary served three times on
//! one database, with a small SMTP server of the test's own, and one server killed (SIGKILL) while
//! it holds a mail and offers are falling due. Checked: each offer expired once, each mail went
//! out (at most one of them twice: the one the killed server may have handed to the SMTP server
//! before it could mark it sent, see services/src/outbox.rs), the mail the killed server held was
//! taken over, the report form's limit counts over the three servers, a token and a portal
//! session signed in on one work on the others, and the audit log is one intact chain.
//!
//! Runs when CYBERVEILIG_TEST_DATABASE_URL names a PostgreSQL server (CI sets it); says SKIP
//! otherwise.

use super::*;
use cyberveilig_domain::registry::{OrganisationKind, Role};
use cyberveilig_services::audit::{AuditKey, ChainReport};
use cyberveilig_services::store::records::{NewMail, OrganisationFilter};
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const DATABASE_URL_VAR: &str = "CYBERVEILIG_TEST_DATABASE_URL";
const MAILS: usize = 40;
const ORDERS: usize = 12;
const PASSWORD: &str = "een lang genoeg wachtwoord";
/// The servers' lease on a mail they send, in seconds (`--mail-lease`).
const LEASE: u64 = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_share_one_postgresql() {
    let Some(server) = std::env::var(DATABASE_URL_VAR).ok().filter(|u| !u.is_empty()) else {
        // Where people see it: the harness does not capture a direct write to stderr.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("SKIP: {DATABASE_URL_VAR} is not set; three servers on one PostgreSQL did not run\n").as_bytes(),
        );
        return;
    };
    let name = format!(
        "cvservers_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let mut admin = sqlx::PgConnection::connect(&server).await.expect("the PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .unwrap();
    let outcome = tokio::spawn(three_servers(with_database(&server, &name))).await;
    if let Err(e) = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut admin)
        .await
    {
        eprintln!("could not drop test database {name}: {e}");
    }
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("the test did not finish: {e}"),
        }
    }
}

async fn three_servers(url: String) {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("audit-signing.key");
    let key = Arc::new(AuditKey::generate());
    write_key(&key_path, &key);

    // The work is made on a clock in May 2020: offers nobody answers, whose term the servers, on
    // today's clock, find passed.
    let store = cyberveilig_store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let clock = Arc::new(TestClock::at(Utc.with_ymd_and_hms(2020, 5, 18, 8, 0, 0).unwrap()));
    let setup = Services::new(store.clone(), clock).with_audit_key(key.clone());
    let programme = setup.seed_installation().await.unwrap().programme_id;
    let (abb, gent, municipalities) = {
        let mut tx = store.read().await.unwrap();
        let abb = tx
            .organisation_by_name(OrganisationKind::Administration, "Agentschap Binnenlands Bestuur")
            .await
            .unwrap()
            .unwrap()
            .id;
        let gent = tx.organisation_by_nis(&"44021".parse().unwrap()).await.unwrap().unwrap().id;
        let filter = OrganisationFilter {
            kind: Some(OrganisationKind::Gemeente),
            limit: ORDERS as i64,
            ..Default::default()
        };
        let municipalities: Vec<_> = tx
            .organisations(&filter)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|o| o.nis_code)
            .collect();
        (abb, gent, municipalities)
    };
    assert_eq!(municipalities.len(), ORDERS);
    let operator = setup
        .add_person_as_operator("beheer@abb.test", "Beheerder", Role::ProgrammeAdmin, abb, PASSWORD)
        .await
        .unwrap();
    let operator = cyberveilig_services::auth::actor_of(&operator);
    setup
        .add_person_as_operator("it@gent.test", "IT Gent", Role::GovernmentMember, gent, PASSWORD)
        .await
        .unwrap();
    let sink = Arc::new(Sink::default());
    let smtp_port = smtp_sink(sink.clone()).await;
    let mut servers: Vec<Server> = (0..3).map(|n| Server::start(&url, dir.path(), &key_path, smtp_port, n)).collect();
    for server in &mut servers {
        server.wait_until_up().await;
    }
    let http = reqwest::Client::new();

    // The report form's limit (5 from one client, R3) counts over the three servers.
    for n in 0..6 {
        let base = &servers[n % 3].base;
        let r = http
            .post(format!("{base}/api/v1/reports"))
            .json(&json!({
                "government_nis": "44021", "target": "https://www.gent.be/", "cwe": "CWE-79",
                "title": format!("Reflected XSS {n}"), "description": "The q parameter is echoed.",
                "steps_to_reproduce": "Open /zoeken?q=<script>", "impact": "Script in a citizen's session."
            }))
            .send()
            .await
            .unwrap();
        let expected = if n < 5 {
            StatusCode::CREATED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(r.status(), expected, "report {n} on server {}: {}", n % 3, r.text().await.unwrap());
    }

    // A token signed in on one server works on the others.
    let r = http
        .post(format!("{}/api/v1/auth/token", servers[1].base))
        .json(&json!({"email": "it@gent.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let token = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    for server in &servers {
        let r = http
            .get(format!("{}/api/v1/orders", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "the token on {}", server.base);
    }

    // So does a portal session.
    let mut browser = super::portal::Browser::at(&servers[2].base);
    let signed_in = browser
        .submit(
            "/aanmelden",
            "/aanmelden",
            &[("email", "it@gent.test"), ("password", PASSWORD), ("next", "/start")],
        )
        .await;
    assert_eq!(
        (signed_in.status, signed_in.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/start"))
    );
    for server in &servers {
        browser.base = server.base.clone();
        let page = browser.get("/start").await;
        assert_eq!(page.status, StatusCode::OK, "the session on {}", server.base);
        assert!(page.body.contains("Aangemeld als it@gent.test"), "signed in on {}", server.base);
    }

    // Mail to send and offers that fall due while the servers run; server 0 is killed in the
    // middle, while it holds a mail it is sending.
    let mut tx = store.write().await.unwrap();
    for i in 0..MAILS {
        let mail = NewMail {
            to: "it@gent.test".parse().unwrap(),
            subject: format!("cv mail {i}"),
            body: format!("Bericht {i}"),
        };
        tx.insert_mail(&mail, Utc::now()).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut orders = Vec::new();
    for nis in &municipalities[..ORDERS / 2] {
        orders.push(submit(&setup, &operator, programme, nis).await);
    }
    let held = wait_for_a_claim(&url, servers[0].child.id()).await;
    servers[0].kill();
    for nis in &municipalities[ORDERS / 2..] {
        orders.push(submit(&setup, &operator, programme, nis).await);
    }

    // The survivors finish the work: every offer expired, every mail out.
    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (expired,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'order.expired'")
            .fetch_one(&mut db)
            .await
            .unwrap();
        let (unsent,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&mut db)
            .await
            .unwrap();
        if expired as usize >= ORDERS && unsent == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the work was not done: {expired} of {ORDERS} offers expired, {unsent} mails unsent\n{}",
            servers[1].log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A few more rounds of the jobs, to see that nothing is done twice.
    tokio::time::sleep(Duration::from_secs(3)).await;

    for id in &orders {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM events WHERE action = 'order.expired' AND subject_type = 'order' AND subject_id = $1")
                .bind(id)
                .fetch_one(&mut db)
                .await
                .unwrap();
        assert_eq!(n, 1, "order {id} expired {n} times");
    }

    // The mail server 0 held was taken over by another when its lease ran out.
    let (holder, sent): (Option<String>, Option<DateTime<Utc>>) = sqlx::query_as("SELECT claimed_by, sent_at FROM outbox WHERE id = $1")
        .bind(held)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(sent.is_some(), "the held mail went out");
    assert!(
        !holder.unwrap_or_default().starts_with(&format!("pid {} ", servers[0].child.id())),
        "another server sent the mail the killed one held"
    );

    // Each mail in the outbox reached the SMTP server; at most one twice: the one the killed
    // server held, if it had handed it over before it died.
    let outbox: Vec<(String,)> = sqlx::query_as("SELECT subject FROM outbox").fetch_all(&mut db).await.unwrap();
    let (held_subject,): (String,) = sqlx::query_as("SELECT subject FROM outbox WHERE id = $1")
        .bind(held)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let received = sink.subjects.lock().unwrap().clone();
    let mut twice = Vec::new();
    for (subject,) in &outbox {
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        let n = received.iter().filter(|s| **s == subject).count();
        assert!(n >= 1, "'{subject}' never arrived: {received:?}");
        if n > 1 {
            twice.push(subject);
        }
    }
    eprintln!(
        "{} mails received for {} in the outbox ({MAILS} of the test, the others the reports'); twice: {twice:?}; \
         the killed server held '{held_subject}'",
        received.len(),
        outbox.len()
    );
    assert_eq!(outbox.len(), received.len() - twice.len(), "{received:?}");
    assert!(twice.len() <= 1, "mails went out twice: {twice:?}");
    assert!(
        twice.iter().all(|s| *s == held_subject),
        "only the held mail may go out twice: {twice:?}"
    );
    let _ = db.close().await;

    // The token still works on the servers that run; the audit log is one intact chain.
    for server in &servers[1..] {
        let r = http
            .get(format!("{}/api/v1/orders", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    for server in &mut servers {
        server.kill();
    }
    match setup.verify_audit_log().await.unwrap() {
        ChainReport::Intact { entries, .. } => assert!(entries > ORDERS as u64 * 2),
        broken => panic!("the audit log is broken: {broken:?}"),
    }
    let verify = Command::new(env!("CARGO_BIN_EXE_cyberveilig"))
        .args(["--config", dir.path().join("none.toml").to_str().unwrap(), "audit-log", "verify"])
        .args(["--database", &url, "--audit-key", key_path.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success() && said.contains("hold"),
        "{said}{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    store.close().await;
}

async fn submit(
    services: &Services,
    admin: &cyberveilig_services::Actor,
    programme: i64,
    nis: &cyberveilig_domain::registry::NisCode,
) -> i64 {
    let order = cyberveilig_services::orders::NewOrder {
        programme_id: programme,
        government_nis: nis.clone(),
        kind: cyberveilig_domain::order::OrderKind::Basic,
        scope: "Basisaudit".into(),
        estimated_cost: None,
    };
    let order = services.submit_order(admin, order).await.unwrap();
    assert_eq!(order.state.as_str(), "offered", "order {} is offered", order.id);
    order.id
}

/// Waits until the server with process id `pid` holds a claim on a mail; that mail's id.
async fn wait_for_a_claim(url: &str, pid: u32) -> i64 {
    let mut db = sqlx::PgConnection::connect(url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let held: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM outbox WHERE sent_at IS NULL AND claimed_by LIKE $1 AND claimed_until > now() LIMIT 1")
                .bind(format!("pid {pid} %"))
                .fetch_optional(&mut db)
                .await
                .unwrap();
        if let Some((id,)) = held {
            let _ = db.close().await;
            return id;
        }
        assert!(Instant::now() < deadline, "server {pid} never claimed a mail");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn write_key(path: &Path, key: &AuditKey) {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .unwrap();
    std::io::Write::write_all(&mut file, key.to_file_text().as_bytes()).unwrap();
}

/// The server URL with its database replaced by `name`, keeping any query string.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').map_or((server, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..].find('/').map_or(base.len(), |i| authority + i);
    let mut url = format!("{}/{name}", &base[..path]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    fn start(url: &str, dir: &Path, key: &Path, smtp_port: u16, n: usize) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = dir.join(format!("server{n}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_cyberveilig"))
            .args(["--config", dir.join("none.toml").to_str().unwrap(), "serve"])
            .args(["--database", url, "--listen", &format!("127.0.0.1:{port}")])
            .args(["--data-dir", dir.to_str().unwrap(), "--audit-key", key.to_str().unwrap()])
            .args(["--smtp-url", &format!("smtp://127.0.0.1:{smtp_port}")])
            .args(["--smtp-from", "cyberveilig <noreply@example.test>"])
            .args(["--job-interval", "1", "--mail-interval", "1", "--mail-lease", &LEASE.to_string()])
            .env("CYBERVEILIG_LOG", "info,sqlx=warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    async fn wait_until_up(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = reqwest::get(format!("{}/healthz", self.base)).await
                && r.status().is_success()
            {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the server stopped ({status}):\n{}", self.log());
            }
            assert!(Instant::now() < deadline, "the server did not come up:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no chance to finish anything.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What the test's SMTP server received: the subjects, in order.
#[derive(Default)]
struct Sink {
    subjects: Mutex<Vec<String>>,
}

async fn smtp_sink(sink: Arc<Sink>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let _ = converse(socket, &sink).await;
            });
        }
    });
    port
}

/// One SMTP conversation, enough of RFC 5321 for lettre. A message counts as received at its
/// final dot, before the answer: a server killed after that may send it again.
async fn converse(socket: tokio::net::TcpStream, sink: &Sink) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut in_data = false;
    let mut subject: Option<String> = None;
    let mut in_subject = false;
    while let Some(line) = lines.next_line().await? {
        let line = line.trim_end_matches('\r');
        if in_data {
            if line == "." {
                in_data = false;
                let subject = subject.take().unwrap_or_default();
                sink.subjects
                    .lock()
                    .unwrap()
                    .push(subject.split_whitespace().collect::<Vec<_>>().join(" "));
                // A slow server, so the servers are in the middle of the work when one is killed.
                tokio::time::sleep(Duration::from_millis(150)).await;
                write.write_all(b"250 queued\r\n").await?;
            } else if let Some(s) = line.strip_prefix("Subject: ") {
                subject = Some(s.to_owned());
                in_subject = true;
            } else if in_subject && line.starts_with([' ', '\t']) {
                // A long subject is folded over lines (RFC 5322, 2.2.3).
                subject.get_or_insert_default().push_str(line);
            } else {
                in_subject = false;
            }
            continue;
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
            "DATA" => {
                in_data = true;
                b"354 go on\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"250 ok\r\n",
        };
        write.write_all(answer).await?;
    }
    Ok(())
}
