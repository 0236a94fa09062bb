//! The API end to end: the real router on 127.0.0.1:0 with a fresh SQLite database and a test
//! clock. Every bad request gets a clear problem+json answer and writes nothing.

use chrono::{DateTime, TimeZone, Utc};
use cyberveilig_services::{AccountPolicy, Services, TestClock};
use cyberveilig_web::WebOptions;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

#[path = "web/accounts.rs"]
mod accounts;
#[path = "web/assessments.rs"]
mod assessments;
#[path = "web/audit_key.rs"]
mod audit_key;
#[path = "web/baseline.rs"]
mod baseline;
#[path = "web/browser.rs"]
mod browser;
#[path = "web/contract.rs"]
mod contract;
#[path = "web/disclosure.rs"]
mod disclosure;
#[path = "web/idempotency.rs"]
mod idempotency;
#[path = "web/matrix.rs"]
mod matrix;
#[path = "web/money.rs"]
mod money;
#[path = "web/page_matrix.rs"]
mod page_matrix;
#[path = "web/portal.rs"]
mod portal;
#[path = "web/portal_disclosure.rs"]
mod portal_disclosure;
#[path = "web/portal_forms.rs"]
mod portal_forms;
#[path = "web/reliability.rs"]
mod reliability;
#[path = "web/requests.rs"]
mod requests;
#[path = "web/results.rs"]
mod results;
#[path = "web/security.rs"]
mod security;
#[path = "web/servers.rs"]
mod servers;

struct App {
    base: String,
    http: reqwest::Client,
    services: Services,
    _dir: tempfile::TempDir,
}

async fn spawn_app_at(now: DateTime<Utc>, options: WebOptions) -> App {
    spawn_app_with(now, options, AccountPolicy::demo("http://portal.test")).await
}

async fn spawn_app_with(now: DateTime<Utc>, options: WebOptions, policy: AccountPolicy) -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = cyberveilig_store::connect(&format!("sqlite:{}", dir.path().join("api.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    // The limits on clients and addresses run on a clock of their own that stands still here, so
    // a slow machine never lets a wait run out in the middle of a test.
    let services = Services::new(store, Arc::new(TestClock::at(now)))
        .with_accounts(policy)
        .with_limits_clock(Arc::new(TestClock::at(now)))
        .with_audit_key(Arc::new(cyberveilig_services::audit::AuditKey::generate()));
    services.seed_installation().await.unwrap();
    services.seed_demo_accounts().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = cyberveilig_web::router(services.clone(), options);
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .await
            .unwrap()
    });
    App {
        base,
        http: reqwest::Client::new(),
        services,
        _dir: dir,
    }
}

async fn spawn_app() -> App {
    // Monday 18 May 2020, 10:00 in Brussels.
    spawn_app_at(
        Utc.with_ymd_and_hms(2020, 5, 18, 8, 0, 0).unwrap(),
        WebOptions {
            test_clock: true,
            demo: true,
            ..Default::default()
        },
    )
    .await
}

impl App {
    async fn token(&self, email: &str) -> String {
        let r = self
            .http
            .post(format!("{}/api/v1/auth/token", self.base))
            .json(&json!({"email": email, "password": "demo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "sign-in of {email}");
        r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Gent orders a basic audit and EY accepts it: Gent's token, EY's and the order's id.
    async fn gent_order_accepted_by_ey(&self) -> (String, String, i64) {
        let gent = self.token("44021@gemeente.test").await;
        let ey = self.token("ey@firms.test").await;
        let (status, order) = self
            .post(
                &gent,
                "/api/v1/orders",
                json!({"programme_id": 1, "government_nis": "44021", "kind": "basic"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let id = order["id"].as_i64().unwrap();
        let (status, accepted) = self
            .post(
                &ey,
                &format!("/api/v1/orders/{id}/accept"),
                json!({"price_cents": 500_940, "planned_start_on": "2020-06-01"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        (gent, ey, id)
    }

    async fn audit_entries(&self) -> u64 {
        match self.services.verify_audit_log().await.unwrap() {
            cyberveilig_services::audit::ChainReport::Intact { entries, .. } => entries,
            broken => panic!("audit log broken: {broken:?}"),
        }
    }
}

fn basic(nis: &str) -> Value {
    json!({"programme_id": 1, "government_nis": nis, "kind": "basic", "scope": "Basisaudit"})
}

#[tokio::test]
async fn a_municipality_orders_and_the_cascade_answers() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    let (status, order) = app.post(&gent, "/api/v1/orders", basic("44021")).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["state"], "offered");
    assert_eq!(order["framework_agreement"], "Audit Vlaanderen 2015-02 perceel 3");
    assert_eq!(order["offered_to"], "EY");
    assert_eq!(order["response_due_on"], "2020-05-26");
    assert_eq!(order["cofinancing_reserved_cents"], 333_960);
    let id = order["id"].as_i64().unwrap();

    let ey = app.token("ey@firms.test").await;
    let (status, declined) = app
        .post(&ey, &format!("/api/v1/orders/{id}/decline"), json!({"reason": "Geen capaciteit"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{declined}");
    assert_eq!(declined["offered_to"], "Deloitte");

    let deloitte = app.token("deloitte@firms.test").await;
    let (status, accepted) = app
        .post(
            &deloitte,
            &format!("/api/v1/orders/{id}/accept"),
            json!({"price_cents": 512_000, "planned_start_on": "2020-06-15"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(accepted["cofinancing_reserved_cents"], 341_333);

    let admin = app.token("admin@abb.test").await;
    let (_, programme) = app.get(&admin, "/api/v1/programmes/1").await;
    assert_eq!(programme["reserved_cents"], 341_333);
    assert_eq!(programme["available_cents"], 200_000_000 - 341_333);
    assert_eq!(programme["offer_ends_on"], "2021-12-31");

    let (status, events) = app.get(&gent, &format!("/api/v1/orders/{id}/events")).await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "order.submitted",
            "order.offered",
            "order.declined",
            "order.offered",
            "order.accepted"
        ]
    );

    // Another government sees nothing of it; EY, who declined, no longer either.
    let aalst = app.token("41002@gemeente.test").await;
    assert_eq!(app.get(&aalst, &format!("/api/v1/orders/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&ey, &format!("/api/v1/orders/{id}")).await.0, StatusCode::NOT_FOUND);
    let (_, list) = app.get(&aalst, "/api/v1/orders").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn an_order_after_the_offer_ended_is_refused() {
    let app = spawn_app_at(Utc.with_ymd_and_hms(2022, 1, 3, 9, 0, 0).unwrap(), WebOptions::default()).await;
    let gent = app.token("44021@gemeente.test").await;
    let (status, problem) = app.post(&gent, "/api/v1/orders", basic("44021")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["code"], "offer_ended");
    assert!(problem["detail"].as_str().unwrap().contains("31/12/2021"), "{problem}");
}

#[tokio::test]
async fn the_test_clock_moves_offers_down_the_cascade() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    let admin = app.token("admin@abb.test").await;
    let (_, order) = app.post(&gent, "/api/v1/orders", basic("44021")).await;
    let id = order["id"].as_i64().unwrap();
    let r = app
        .http
        .put(format!("{}/api/v1/test/clock", app.base))
        .bearer_auth(&admin)
        .json(&json!({"now": "2020-05-27T08:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["offers_expired"], 1);
    let (_, order) = app.get(&gent, &format!("/api/v1/orders/{id}")).await;
    assert_eq!(order["offered_to"], "Deloitte", "{order}");
    assert_eq!(order["offered_on"], "2020-05-27");
    // A government may not move the clock; nobody may move it back.
    let r = app
        .http
        .put(format!("{}/api/v1/test/clock", app.base))
        .bearer_auth(&gent)
        .json(&json!({"now": "2020-06-01T08:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .http
        .put(format!("{}/api/v1/test/clock", app.base))
        .bearer_auth(&admin)
        .json(&json!({"now": "2020-05-01T08:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn without_the_flag_the_test_clock_route_does_not_exist() {
    let app = spawn_app_at(Utc.with_ymd_and_hms(2020, 5, 18, 8, 0, 0).unwrap(), WebOptions::default()).await;
    let admin = app.token("admin@abb.test").await;
    let r = app
        .http
        .put(format!("{}/api/v1/test/clock", app.base))
        .bearer_auth(&admin)
        .json(&json!({"now": "2020-06-01T08:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn registry_and_agreements_are_listed() {
    let app = spawn_app().await;
    let admin = app.token("admin@abb.test").await;
    let (_, page) = app.get(&admin, "/api/v1/organisations?kind=gemeente&limit=500").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 285);
    let (_, page) = app.get(&admin, "/api/v1/organisations?q=gent").await;
    assert!(page["items"].as_array().unwrap().iter().any(|o| o["nis_code"] == "44021"));
    let (_, page) = app.get(&admin, "/api/v1/organisations?kind=provincie").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    let (status, _) = app.get(&admin, "/api/v1/organisations?kind=kasteel").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, agreements) = app.get(&admin, "/api/v1/framework-agreements").await;
    let agreements = agreements.as_array().unwrap();
    assert_eq!(agreements.len(), 2);
    assert_eq!(agreements[0]["cascade"][0]["firm"], "EY");
    assert_eq!(agreements[1]["reference"], "2019/HFB/OP/52630");
    assert_eq!(agreements[1]["active"], false);
    let gent = app.token("44021@gemeente.test").await;
    let (status, _) = app
        .post(
            &gent,
            &format!("/api/v1/framework-agreements/{}/activate", agreements[1]["id"]),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, activated) = app
        .post(
            &admin,
            &format!("/api/v1/framework-agreements/{}/activate", agreements[1]["id"]),
            json!({}),
        )
        .await;
    assert_eq!((status, &activated["active"]), (StatusCode::OK, &json!(true)));
}

#[tokio::test]
async fn an_amendment_extends_the_offer_and_is_recorded() {
    let app = spawn_app_at(Utc.with_ymd_and_hms(2022, 1, 3, 9, 0, 0).unwrap(), WebOptions::default()).await;
    let admin = app.token("admin@abb.test").await;
    let gent = app.token("44021@gemeente.test").await;
    assert_eq!(
        app.post(
            &gent,
            "/api/v1/programmes/1/amendments",
            json!({"offer_ends_on": "2022-12-31", "reason": "x"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, problem) = app
        .post(
            &admin,
            "/api/v1/programmes/1/amendments",
            json!({"offer_ends_on": "2021-06-30", "reason": "Inkorten"}),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("end_date_not_later"))
    );
    let (status, programme) = app
        .post(
            &admin,
            "/api/v1/programmes/1/amendments",
            json!({"offer_ends_on": "2022-12-31", "reason": "Verlenging van het aanbod tot eind 2022"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{programme}");
    assert_eq!(programme["offer_ends_on"], "2022-12-31");
    let (_, amendments) = app.get(&admin, "/api/v1/programmes/1/amendments").await;
    assert_eq!(amendments[0]["changes"]["offer_ends_on"]["to"], "2022-12-31");
    assert_eq!(amendments[0]["reason"], "Verlenging van het aanbod tot eind 2022");
    // Gent may order again, in January 2022; the new agreement must be active by then.
    let (_, agreements) = app.get(&admin, "/api/v1/framework-agreements").await;
    app.post(
        &admin,
        &format!("/api/v1/framework-agreements/{}/activate", agreements[1]["id"]),
        json!({}),
    )
    .await;
    let (status, order) = app.post(&gent, "/api/v1/orders", basic("44021")).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["offered_to"], "Deloitte");
    let (_, grants) = app.get(&gent, "/api/v1/project-grants").await;
    assert_eq!(grants[0]["amount_cents"], 17_954_127);
    assert_eq!(grants[0]["work_packages"].as_array().unwrap().len(), 3);
}
