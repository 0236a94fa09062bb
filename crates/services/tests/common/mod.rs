//! The story suite's harness: a fresh database per story on each backend, the real programme
//! seeded into it, a test clock, and short ways to name the people and things stories talk about.
//!
//! Every story runs on SQLite (a new file in a temporary directory) and, when
//! `CYBERVEILIG_TEST_DATABASE_URL` names a PostgreSQL server, also on PostgreSQL in a database of
//! its own that is created for the story and dropped after it, whether the story passed or not.

#![allow(dead_code)]

use chrono::{DateTime, Days, NaiveDate, Utc};
use cyberveilig_domain::Money;
use cyberveilig_domain::cascade::FrameworkAgreement;
use cyberveilig_domain::order::{OrderKind, OrderState};
use cyberveilig_domain::registry::OrganisationKind;
use cyberveilig_services::audit::{AuditKey, ChainReport};
use cyberveilig_services::auth::actor_of;
use cyberveilig_services::clock::brussels_date;
use cyberveilig_services::orders::NewOrder;
use cyberveilig_services::programmes::ProgrammeStatus;
use cyberveilig_services::store::Store;
use cyberveilig_services::store::records::{Event, Order, OrderFilter, OrganisationFilter};
use cyberveilig_services::{AccountPolicy, Actor, Clock, Result, Services, TestClock};
use sqlx::Connection;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

pub const DATABASE_URL_VAR: &str = "CYBERVEILIG_TEST_DATABASE_URL";
/// The client stories sign in and ask from, for the limits on clients (issue 10).
pub const CLIENT: &str = "ip:192.0.2.200";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Defines a story as one test per backend: `name::sqlite` and `name::postgres`.
///
/// ```ignore
/// story!(gent_orders, "2020-05-18T08:00:00Z", |w| { ... });
/// ```
#[macro_export]
macro_rules! story {
    ($(#[$meta:meta])* $name:ident, $start:expr, |$w:ident| $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                common::run_story(common::Backend::Sqlite, $start, |$w: common::World| async move $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                common::run_story(common::Backend::Postgres, $start, |$w: common::World| async move $body).await
            }
        }
    };
}

/// An instant written as RFC 3339, such as `2020-05-18T08:00:00Z`.
pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("bad instant {text}: {e}"))
        .with_timezone(&Utc)
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_else(|| panic!("bad date {y}-{m}-{day}"))
}

pub fn cents(c: i64) -> Money {
    Money::from_cents(c)
}

/// Runs `story` on `backend` in a fresh, seeded database with a test clock at `start`.
pub async fn run_story<F, Fut>(backend: Backend, start: &str, story: F)
where
    F: FnOnce(World) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let start = at(start);
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let path = dir.path().join("story.db");
            let store = open(&format!("sqlite:{}", path.display())).await;
            let outcome = tokio::spawn(play(store.clone(), backend, Some(path), None, start, story)).await;
            store.close().await;
            drop(dir);
            rethrow(outcome);
        }
        Backend::Postgres => {
            let Some(server) = postgres_url() else {
                skip_postgres();
                return;
            };
            let database = PgTestDatabase::create(&server).await;
            let outcome = match cyberveilig_store::connect(&database.url).await {
                Ok(store) => {
                    let outcome = tokio::spawn(play(store.clone(), backend, None, Some(database.url.clone()), start, story)).await;
                    store.close().await;
                    outcome
                }
                Err(e) => {
                    database.drop_it().await;
                    panic!("cannot connect to the test database: {e}");
                }
            };
            database.drop_it().await;
            rethrow(outcome);
        }
    }
}

fn rethrow(outcome: std::result::Result<(), tokio::task::JoinError>) {
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("the story did not finish: {e}");
    }
}

async fn play<F, Fut>(
    store: Arc<dyn Store>,
    backend: Backend,
    sqlite_path: Option<PathBuf>,
    postgres_url: Option<String>,
    start: DateTime<Utc>,
    story: F,
) where
    F: FnOnce(World) -> Fut,
    Fut: Future<Output = ()>,
{
    let world = World::set_up(store, backend, sqlite_path, postgres_url, start).await;
    story(world).await;
}

pub fn postgres_url() -> Option<String> {
    std::env::var(DATABASE_URL_VAR).ok().filter(|u| !u.trim().is_empty())
}

pub async fn open(url: &str) -> Arc<dyn Store> {
    let store = cyberveilig_store::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    store.migrate().await.expect("migrations apply");
    store
}

/// A PostgreSQL database of one story's own, on the server the environment names.
pub struct PgTestDatabase {
    server: String,
    pub name: String,
    pub url: String,
}

impl PgTestDatabase {
    pub async fn create(server: &str) -> PgTestDatabase {
        let name = format!("cvtest_{}", hex::encode(rand::random::<[u8; 8]>()));
        let mut conn = sqlx::PgConnection::connect(server)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {DATABASE_URL_VAR}: {e}"));
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .expect("CREATE DATABASE");
        let _ = conn.close().await;
        let url = with_database(server, &name);
        let database = PgTestDatabase {
            server: server.to_owned(),
            name,
            url,
        };
        if let Err(e) = async {
            let store = cyberveilig_store::connect(&database.url).await?;
            let migrated = store.migrate().await;
            store.close().await;
            migrated
        }
        .await
        {
            database.drop_it().await;
            panic!("migrations do not apply on PostgreSQL: {e}");
        }
        database
    }

    pub async fn drop_it(&self) {
        match sqlx::PgConnection::connect(&self.server).await {
            Ok(mut conn) => {
                if let Err(e) = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
                    .execute(&mut conn)
                    .await
                {
                    eprintln!("could not drop test database {}: {e}", self.name);
                }
                let _ = conn.close().await;
            }
            Err(e) => eprintln!("could not connect to drop test database {}: {e}", self.name),
        }
    }
}

/// The server URL with its database replaced by `name`, keeping any query string.
pub fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (server, String::new()),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{base}/{name}{query}")
}

/// One story's world: the services on a fresh database, the clock they run on, the seeded
/// programme of 2020.
pub struct World {
    pub services: Services,
    /// The key that signs the audit chain's head, held outside the database.
    pub audit_key: Arc<AuditKey>,
    /// The story's own PostgreSQL database, on PostgreSQL.
    pub postgres_url: Option<String>,
    pub clock: Arc<TestClock>,
    /// The clock of the limits on clients and addresses (real time outside tests).
    pub limits_clock: Arc<TestClock>,
    pub programme_id: i64,
    pub backend: Backend,
    /// The database file, on SQLite.
    pub sqlite_path: Option<PathBuf>,
}

impl World {
    /// Seeds a migrated, empty database and signs nobody in yet.
    pub async fn set_up(
        store: Arc<dyn Store>,
        backend: Backend,
        sqlite_path: Option<PathBuf>,
        postgres_url: Option<String>,
        start: DateTime<Utc>,
    ) -> World {
        let clock = Arc::new(TestClock::at(start));
        let limits_clock = Arc::new(TestClock::at(start));
        let audit_key = Arc::new(AuditKey::generate());
        let services = Services::new(store, clock.clone())
            .with_accounts(AccountPolicy::demo("http://portal.test"))
            .with_limits_clock(limits_clock.clone())
            .with_audit_key(audit_key.clone());
        let seeded = services.seed_installation().await.expect("the installation seeds");
        assert!(seeded.fresh, "a story starts from an empty database");
        services.seed_demo_accounts().await.expect("the demo accounts seed");
        World {
            services,
            audit_key,
            postgres_url,
            clock,
            limits_clock,
            programme_id: seeded.programme_id,
            backend,
            sqlite_path,
        }
    }

    /// Runs SQL on the story's database behind the services' back, as someone with write access
    /// to the database would; the rows it changed.
    pub async fn tamper(&self, sql: &str) -> u64 {
        match (&self.sqlite_path, &self.postgres_url) {
            (Some(path), _) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
                conn.execute(sql, []).unwrap() as u64
            }
            (None, Some(url)) => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                let done = sqlx::query(sql).execute(&mut conn).await.unwrap().rows_affected();
                let _ = conn.close().await;
                done
            }
            (None, None) => panic!("a story has a database"),
        }
    }

    /// Moves the limits' clock on by `seconds`.
    pub fn wait_seconds(&self, seconds: i64) {
        self.limits_clock.set(self.limits_clock.now() + chrono::Duration::seconds(seconds));
    }

    pub fn s(&self) -> &Services {
        &self.services
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        brussels_date(self.clock.now())
    }

    /// Moves the clock to an instant, letting every deadline on the way fall due.
    pub async fn advance_to(&self, instant: &str) -> usize {
        self.services.advance_clock(at(instant)).await.expect("the clock advances")
    }

    pub async fn advance_days(&self, days: u64) -> usize {
        let to = self.now() + Days::new(days);
        self.services.advance_clock(to).await.expect("the clock advances")
    }

    /// A person by email, as the use cases see them (without the cost of a password check).
    pub async fn actor(&self, email: &str) -> Actor {
        let mut tx = self.services.store.read().await.expect("a read transaction");
        let person = tx
            .person_by_email(&email.parse().expect("an email address"))
            .await
            .expect("people are readable")
            .unwrap_or_else(|| panic!("no account {email}"));
        actor_of(&person)
    }

    /// Signs in with the demo password, as a person would.
    pub async fn sign_in(&self, email: &str) -> Actor {
        self.services
            .issue_token(email, "demo", None, CLIENT)
            .await
            .unwrap_or_else(|e| panic!("{email} cannot sign in: {e}"))
            .actor
    }

    pub async fn admin(&self) -> Actor {
        self.actor("admin@abb.test").await
    }

    /// The member of a municipality, by NIS code.
    pub async fn municipality(&self, nis: &str) -> Actor {
        self.actor(&format!("{nis}@gemeente.test")).await
    }

    /// A basic audit the municipality orders and EY (first of the cascade) accepts, at
    /// EUR 5,009.40 from 1 June 2020: the start of every story about audit results. The
    /// municipality's member, EY's and the order.
    pub async fn basic_audit_accepted_by_ey(&self, nis: &str) -> (Actor, Actor, Order) {
        let government = self.municipality(nis).await;
        let ey = self.actor("ey@firms.test").await;
        let order = self
            .s()
            .submit_order(&government, self.basic(self.programme_id, nis))
            .await
            .expect("the order is placed");
        let step = cyberveilig_services::orders::FirmStep::Accept {
            price: Money::from_cents(500_940),
            planned_start_on: NaiveDate::from_ymd_opt(2020, 6, 1).expect("a date"),
        };
        let order = self.s().firm_step(&ey, order.id, step).await.expect("EY accepts");
        (government, ey, order)
    }

    /// EY accepts an order offered to it, at its package price, starting on 1 June 2020.
    pub async fn ey_accepts(&self, order_id: i64) -> Order {
        let ey = self.actor("ey@firms.test").await;
        let step = cyberveilig_services::orders::FirmStep::Accept {
            price: Money::from_cents(500_940),
            planned_start_on: NaiveDate::from_ymd_opt(2020, 6, 1).expect("a date"),
        };
        self.s().firm_step(&ey, order_id, step).await.expect("EY accepts")
    }

    /// D11: what a basic audit is delivered with: every control of the baseline rated (here
    /// compliant) and the audit report (a PDF) attached, by the order's firm.
    pub async fn complete_audit_results(&self, firm: &Actor, order_id: i64) {
        let baseline = self.services.baseline_catalogue(firm).await.expect("the baseline is loaded");
        let ratings = baseline
            .controls
            .iter()
            .map(|k| cyberveilig_services::assessments::RatingInput {
                control: k.ref_id.clone(),
                rating: Some("compliant".into()),
                ..Default::default()
            })
            .collect();
        self.services
            .rate_controls(firm, order_id, Some(baseline.catalogue.id), ratings)
            .await
            .expect("the firm rates every control");
        let pdf = cyberveilig_domain::document::simple_pdf(&["Auditrapport", &format!("Bestelling {order_id}")]);
        self.services
            .upload_audit_report(firm, order_id, "auditrapport.pdf", &pdf)
            .await
            .expect("the firm attaches the audit report");
    }

    /// The firm delivers an accepted basic audit with its results complete.
    pub async fn deliver(&self, firm: &Actor, order_id: i64) -> Order {
        self.complete_audit_results(firm, order_id).await;
        self.services
            .firm_step(firm, order_id, cyberveilig_services::orders::FirmStep::Deliver)
            .await
            .expect("the firm delivers")
    }

    /// The firm records the remediation day of a delivered basic audit (its one place).
    pub async fn hold_remediation_day(&self, firm: &Actor, order_id: i64, on: NaiveDate) -> Result<Order> {
        let record = cyberveilig_services::remediation::day::DayRecord {
            held_on: Some(on),
            attendees: "IT-verantwoordelijke".into(),
            ..Default::default()
        };
        self.services.record_remediation_day(firm, order_id, record).await?;
        Ok(self.order(order_id).await)
    }

    pub async fn firm_id(&self, name: &str) -> i64 {
        let admin = self.admin().await;
        self.services
            .organisations(
                &admin,
                OrganisationFilter {
                    kind: Some(OrganisationKind::AuditFirm),
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .expect("organisations are listed")
            .into_iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("no firm named {name}"))
            .id
    }

    pub async fn organisation_id(&self, nis: &str) -> i64 {
        let mut tx = self.services.store.read().await.expect("a read transaction");
        tx.organisation_by_nis(&nis.parse().expect("a NIS code"))
            .await
            .expect("readable")
            .expect("registered")
            .id
    }

    pub async fn agreement(&self, reference: &str) -> FrameworkAgreement {
        self.services
            .agreements()
            .await
            .expect("agreements are listed")
            .into_iter()
            .find(|a| a.reference == reference)
            .unwrap_or_else(|| panic!("no agreement {reference}"))
    }

    pub fn basic(&self, programme_id: i64, nis: &str) -> NewOrder {
        NewOrder {
            programme_id,
            government_nis: nis.parse().expect("a NIS code"),
            kind: OrderKind::Basic,
            scope: "Basisaudit volgens de minimale controleaanpak van Audit Vlaanderen.".into(),
            estimated_cost: None,
        }
    }

    pub fn additional(&self, programme_id: i64, nis: &str, estimate: Money) -> NewOrder {
        NewOrder {
            programme_id,
            government_nis: nis.parse().expect("a NIS code"),
            kind: OrderKind::Additional,
            scope: "Phishingsimulatie en bewustmakingssessie.".into(),
            estimated_cost: Some(estimate),
        }
    }

    /// The order as it stands now (read as the administrator).
    pub async fn order(&self, id: i64) -> Order {
        let admin = self.admin().await;
        self.services.order(&admin, id).await.expect("the order is readable")
    }

    pub async fn orders(&self, programme_id: i64) -> Vec<Order> {
        let admin = self.admin().await;
        self.services
            .orders(
                &admin,
                OrderFilter {
                    programme_id: Some(programme_id),
                    limit: 10_000,
                    ..Default::default()
                },
            )
            .await
            .expect("orders are listed")
    }

    pub async fn order_events(&self, id: i64) -> Vec<Event> {
        let admin = self.admin().await;
        self.services
            .order_events(&admin, id)
            .await
            .expect("the order's events are readable")
    }

    /// The actions recorded about an order, in order.
    pub async fn actions(&self, id: i64) -> Vec<String> {
        self.order_events(id).await.into_iter().map(|e| e.action).collect()
    }

    pub async fn status(&self, programme_id: i64) -> ProgrammeStatus {
        self.services
            .programme_status_unchecked(programme_id)
            .await
            .expect("the programme status is readable")
    }

    /// The number of entries in the audit log; the chain must be intact.
    pub async fn log_entries(&self) -> u64 {
        match self.services.verify_audit_log().await.expect("the audit log is readable") {
            ChainReport::Intact { entries, .. } => entries,
            broken => panic!("the audit log is broken: {broken:?}"),
        }
    }

    /// The ledger of a programme agrees with its postings and with its orders.
    pub async fn assert_ledger_holds(&self, programme_id: i64) {
        let check = self.services.check_ledger(programme_id).await.expect("the ledger is readable");
        assert!(check.holds(), "the ledger does not hold: {check:?}");
    }

    pub async fn count_in_state(&self, programme_id: i64, state: OrderState) -> usize {
        self.orders(programme_id).await.into_iter().filter(|o| o.state == state).count()
    }

    /// Asserts that a refused request changed nothing: no event, no order, same balances.
    pub async fn assert_refused_without_trace<T: std::fmt::Debug>(
        &self,
        programme_id: i64,
        attempt: impl Future<Output = Result<T>>,
    ) -> cyberveilig_services::ServiceError {
        let entries = self.log_entries().await;
        let orders = self.orders(programme_id).await;
        let balances = self.status(programme_id).await.balances;
        let err = attempt.await.expect_err("the request is refused");
        assert_eq!(self.log_entries().await, entries, "a refused request wrote an event ({err:?})");
        assert_eq!(
            self.orders(programme_id).await,
            orders,
            "a refused request changed the orders ({err:?})"
        );
        assert_eq!(
            self.status(programme_id).await.balances,
            balances,
            "a refused request changed the ledger ({err:?})"
        );
        err
    }
}

/// Says, where people see it (the harness does not capture a direct write to stderr), that a
/// PostgreSQL test did not run; CI sets the URL, so there it always runs.
pub fn skip_postgres() {
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("SKIP: {DATABASE_URL_VAR} is not set; a story on PostgreSQL did not run\n").as_bytes(),
    );
}
