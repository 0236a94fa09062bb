//! The API end to end: the real router on 127.0.0.1:0 with a fresh SQLite database and a test
//! clock. Every bad request gets a clear problem+json answer and writes nothing.

use chrono::{DateTime, TimeZone, Utc};
use cyberveilig_services::{AccountPolicy, Services, TestClock};
use cyberveilig_web::WebOptions;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

#[path = "web/assessments.rs"]
mod assessments;
#[path = "web/baseline.rs"]
mod baseline;
#[path = "web/browser.rs"]
mod browser;
#[path = "web/contract.rs"]
mod contract;
#[path = "web/disclosure.rs"]
mod disclosure;
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

/// Each bad request: its status, its problem code, and the audit log unchanged.
#[tokio::test]
async fn bad_input_gets_a_clear_problem_and_writes_nothing() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    let (status, first) = app.post(&gent, "/api/v1/orders", basic("44021")).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = first["id"].as_i64().unwrap();
    let pwc = app.token("pwc@firms.test").await;
    let before = app.audit_entries().await;
    let accept = format!("/api/v1/orders/{id}/accept");

    let cases: Vec<(&str, &str, Value, StatusCode, &str)> = vec![
        (
            "unknown NIS code",
            "/api/v1/orders",
            basic("99999"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_reference",
        ),
        (
            "malformed NIS code",
            "/api/v1/orders",
            basic("gent"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "second basic audit",
            "/api/v1/orders",
            basic("44021"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "second_basic_audit",
        ),
        (
            "ordering for another government",
            "/api/v1/orders",
            basic("41002"),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "negative estimate",
            "/api/v1/orders",
            json!({"programme_id": 1, "government_nis": "44021", "kind": "additional", "estimated_cost_cents": -5}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "absurd estimate",
            "/api/v1/orders",
            json!({"programme_id": 1, "government_nis": "44021", "kind": "additional", "estimated_cost_cents": 9_000_000_000_000_000i64}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "unknown kind",
            "/api/v1/orders",
            json!({"programme_id": 1, "government_nis": "44021", "kind": "deluxe"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "unknown field",
            "/api/v1/orders",
            json!({"programme_id": 1, "government_nis": "44021", "kind": "basic", "backdate": "2020-01-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "unknown programme",
            "/api/v1/orders",
            json!({"programme_id": 77, "government_nis": "44021", "kind": "basic"}),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "accept by a firm the order is not offered to: for that firm it is not there",
            &accept,
            json!({"price_cents": 500_940, "planned_start_on": "2020-06-01"}),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "a negative price",
            &accept,
            json!({"price_cents": -1, "planned_start_on": "2020-06-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
    ];
    for (what, path, body, expected, code) in cases {
        let token = if path.ends_with("/accept") { &pwc } else { &gent };
        let (status, problem) = app.post(token, path, body).await;
        assert_eq!(status, expected, "{what}: {problem}");
        assert_eq!(problem["code"], code, "{what}: {problem}");
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()), "{what}: {problem}");
    }

    // Additional work without a basic audit, for a government that has none.
    let aalst = app.token("41002@gemeente.test").await;
    let (status, problem) = app
        .post(
            &aalst,
            "/api/v1/orders",
            json!({"programme_id": 1, "government_nis": "41002", "kind": "additional", "scope": "Phishingtest", "estimated_cost_cents": 100_000}),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("additional_without_basic")),
        "{problem}"
    );
    assert_eq!(problem["rule"], "D3");

    // Malformed JSON and the wrong content type.
    let r = app
        .http
        .post(format!("{}/api/v1/orders", app.base))
        .bearer_auth(&gent)
        .header("content-type", "application/json")
        .body("{\"programme_id\": 1,")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "malformed_json");
    let r = app
        .http
        .post(format!("{}/api/v1/orders", app.base))
        .bearer_auth(&gent)
        .header("content-type", "text/plain")
        .body(basic("41002").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Without a token, or with a forged one.
    let r = app
        .http
        .post(format!("{}/api/v1/orders", app.base))
        .json(&basic("41002"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = app.post("cv_forged", "/api/v1/orders", basic("41002")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    assert_eq!(app.audit_entries().await, before, "a refused request wrote to the audit log");
    let (_, programme) = app.get(&gent, "/api/v1/programmes/1").await;
    assert_eq!(programme["reserved_cents"], 333_960, "a refused request touched the ledger");
}

#[tokio::test]
async fn messages_follow_the_callers_language() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    app.post(&gent, "/api/v1/orders", basic("44021")).await;
    for (lang, expected) in [("nl-BE,nl;q=0.9", "al een basisaudit"), ("en-GB", "already has a basic audit")] {
        let r = app
            .http
            .post(format!("{}/api/v1/orders", app.base))
            .bearer_auth(&gent)
            .header("accept-language", lang)
            .json(&basic("44021"))
            .send()
            .await
            .unwrap();
        let problem: Value = r.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains(expected), "{lang}: {problem}");
    }
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
async fn an_idempotency_key_replays_the_answer_and_refuses_another_body() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    let send = |body: Value| {
        app.http
            .post(format!("{}/api/v1/orders", app.base))
            .bearer_auth(&gent)
            .header("idempotency-key", "order-gent-1")
            .json(&body)
            .send()
    };
    let first = send(basic("44021")).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let entries = app.audit_entries().await;
    let again = send(basic("44021")).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let other = send(json!({"programme_id": 1, "government_nis": "44021", "kind": "basic", "scope": "iets anders"}))
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.json::<Value>().await.unwrap()["code"], "idempotency_key_reused");
    assert_eq!(app.audit_entries().await, entries, "a replay wrote again");
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
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let doc: Value = app
        .http
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    for path in [
        "/api/v1/auth/token",
        "/api/v1/programmes",
        "/api/v1/programmes/{id}",
        "/api/v1/orders",
        "/api/v1/orders/{id}/accept",
        "/api/v1/orders/{id}/settle",
        "/api/v1/framework-agreements/{id}/activate",
        "/api/v1/organisations",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
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
async fn responses_carry_security_headers() {
    let app = spawn_app().await;
    let r = app.http.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("€ 2.000.000,00"), "{html}");
    assert_eq!(
        app.http.get(format!("{}/healthz", app.base)).send().await.unwrap().status(),
        StatusCode::OK
    );
    let metrics = app
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("cyberveilig_programme_credit_cents{programme=\"1\",account=\"budget\"} 200000000"),
        "{metrics}"
    );
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

#[tokio::test]
async fn repeated_wrong_passwords_slow_down_an_address_alike_whether_it_has_an_account_or_not() {
    let app = spawn_app().await;
    let attempt = |email: &'static str, password: &'static str| {
        app.http
            .post(format!("{}/api/v1/auth/token", app.base))
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    for email in ["pwc@firms.test", "nobody@x.test"] {
        for _ in 0..5 {
            let r = attempt(email, "wrong").await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{email}");
            assert_eq!(r.json::<Value>().await.unwrap()["code"], "bad_credentials");
        }
        // The sixth waits a second, right password or not (issue 10, item 7).
        for password in ["wrong", "demo"] {
            let r = attempt(email, password).await.unwrap();
            assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{email}");
            assert_eq!(r.headers()["retry-after"], "1");
            let problem = r.json::<Value>().await.unwrap();
            assert_eq!(problem["code"], "rate_limited");
            assert!(problem["detail"].as_str().unwrap().contains("1 seconden"), "{problem}");
        }
    }
    // Other accounts are not affected.
    app.token("ey@firms.test").await;
}

#[tokio::test]
async fn signing_out_everywhere_ends_tokens_and_sessions() {
    let app = spawn_app().await;
    let token = app.token("ey@firms.test").await;
    let session = app.services.sign_in("ey@firms.test", "demo", "ip:192.0.2.200").await.unwrap();
    assert_ne!(session.csrf, session.token);
    assert_eq!(app.services.session(&session.token).await.unwrap().1, session.csrf);
    assert_eq!(app.get(&token, "/api/v1/programmes").await.0, StatusCode::OK);
    let ended = app.services.sign_out_everywhere(&session.actor).await.unwrap();
    assert_eq!(ended, 2);
    assert_eq!(app.get(&token, "/api/v1/programmes").await.0, StatusCode::UNAUTHORIZED);
    assert!(app.services.session(&session.token).await.is_err());
}

#[tokio::test]
async fn malformed_paths_and_queries_are_problems_too() {
    let app = spawn_app().await;
    let admin = app.token("admin@abb.test").await;
    for (path, status, code) in [
        ("/api/v1/orders/abc", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/orders/999999", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/orders?programme_id=abc", StatusCode::UNPROCESSABLE_ENTITY, "invalid_query"),
        ("/api/v1/orders?state=lost", StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        ("/api/v1/orders?limit=0", StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        ("/api/v1/orders?cursor=zz", StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        ("/api/v1/no-such-thing", StatusCode::NOT_FOUND, "no_such_route"),
    ] {
        let r = app
            .http
            .get(format!("{}{path}", app.base))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}");
        assert_eq!(r.json::<Value>().await.unwrap()["code"], code, "{path}");
    }
    let r = app
        .http
        .delete(format!("{}/api/v1/orders", app.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "method_not_allowed");
}

#[tokio::test]
async fn a_machine_token_is_made_used_listed_and_revoked() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    let (status, bad) = app
        .post(&gent, "/api/v1/me/api-tokens", json!({"name": "", "valid_days": 30}))
        .await;
    assert_eq!(
        (status, bad["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field"))
    );
    let (status, made) = app
        .post(&gent, "/api/v1/me/api-tokens", json!({"name": "boekhouding", "valid_days": 30}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let machine = made["token"].as_str().unwrap().to_owned();
    let id = made["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&machine, "/api/v1/orders").await.0, StatusCode::OK);
    let (_, listed) = app.get(&gent, "/api/v1/me/api-tokens").await;
    assert_eq!(listed[0]["name"], "boekhouding");
    assert!(listed[0].get("token").is_none(), "the token itself is never shown again");
    // Someone else cannot revoke it; its owner can, and it stops working at once.
    let antwerpen = app.token("11002@gemeente.test").await;
    let revoke = |token: String| {
        let url = format!("{}/api/v1/me/api-tokens/{id}", app.base);
        let http = app.http.clone();
        async move { http.delete(url).bearer_auth(token).send().await.unwrap().status() }
    };
    assert_eq!(revoke(antwerpen).await, StatusCode::NOT_FOUND);
    assert_eq!(revoke(gent.clone()).await, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&machine, "/api/v1/orders").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_scan_is_imported_over_the_api_and_its_findings_listed_in_priority_order() {
    let app = spawn_app().await;
    let (gent, ey, id) = app.gent_order_accepted_by_ey().await;
    let scan = r#"<?xml version="1.0"?><nmaprun scanner="nmap" version="7.94"><host><status state="up"/>
        <address addr="192.0.2.10" addrtype="ipv4"/><ports><port protocol="tcp" portid="23"><state state="open"/>
        <service name="telnet"/></port><port protocol="tcp" portid="3389"><state state="open"/><service name="ms-wbt-server"/>
        </port></ports></host></nmaprun>"#;
    let import = |body: &'static str| {
        let (http, url, token) = (app.http.clone(), format!("{}/api/v1/orders/{id}/imports", app.base), ey.clone());
        async move {
            let r = http.post(url).bearer_auth(token).body(body).send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, summary) = import(scan).await;
    assert_eq!(status, StatusCode::CREATED, "{summary}");
    assert_eq!((summary["format"].as_str(), summary["new"].as_i64()), (Some("nmap"), Some(2)));
    let (status, again) = import(scan).await;
    assert_eq!(
        (status, again["new"].as_i64(), again["still_open"].as_i64()),
        (StatusCode::CREATED, Some(0), Some(2))
    );
    // Not a report: a clear problem, nothing imported.
    let (status, problem) = import("this is not a scan report").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "report");
    let (status, page) = app.get(&gent, "/api/v1/findings?government_nis=44021&status=open").await;
    assert_eq!(status, StatusCode::OK);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let rank = |s: &str| ["info", "low", "medium", "high", "critical"].iter().position(|x| *x == s).unwrap();
    assert!(rank(items[0]["severity"].as_str().unwrap()) >= rank(items[1]["severity"].as_str().unwrap()));
    assert_eq!(
        app.get(&gent, "/api/v1/findings?status=lost").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Bulk: all or nothing, with the reason per finding; then the register filters by owner.
    let ids: Vec<i64> = items.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    let (status, problem) = app
        .post(&gent, "/api/v1/findings/status", json!({"ids": ids, "status": "verified"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "nothing_changed");
    assert!(problem["detail"].as_str().unwrap().contains(&format!("#{}", ids[1])), "{problem}");
    let (status, done) = app
        .post(&gent, "/api/v1/findings/status", json!({"ids": ids, "status": "in_progress"}))
        .await;
    assert_eq!(
        (status, done["changed"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(2)),
        "{done}"
    );
    let me = app.get(&gent, "/api/v1/findings?owner=me").await.1;
    assert_eq!(me["items"].as_array().map(Vec::len), Some(0));

    // The plan as CSV and XLSX, with its type and a file name.
    let export = |format: &'static str| {
        let (http, url, token) = (
            app.http.clone(),
            format!("{}/api/v1/findings/export?format={format}&sort=due_on", app.base),
            gent.clone(),
        );
        async move { http.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let csv = export("csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = csv.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"remediatieplan-") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.contains("id,titel,systeem,ernst,CVSS-score,beslissing,stand,eigenaar,deadline,te laat,CVE's"),
        "{text}"
    );
    let xlsx = export("xlsx").await;
    assert_eq!(
        xlsx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
    assert_eq!(export("pdf").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// FIG-8 through the API: every number of the answer to Parliament is the one
/// `GET /api/v1/programmes/1/figures` gives for the same day, and the CSV of a table matches too.
#[tokio::test]
async fn the_answer_to_parliament_quotes_the_figures_the_api_gives() {
    let app = spawn_app().await;
    let admin = app.token("admin@abb.test").await;
    app.gent_order_accepted_by_ey().await;
    let (status, figures) = app.get(&admin, "/api/v1/programmes/1/figures?at=2020-05-18").await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    let answer = app
        .http
        .get(format!(
            "{}/api/v1/programmes/1/parliament-answer?at=2020-05-18&format=md",
            app.base
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers()["content-type"].to_str().unwrap().starts_with("text/markdown"));
    let text = answer.text().await.unwrap();
    let euros = |cents: &Value| cyberveilig_domain::Money::from_cents(cents.as_i64().unwrap()).format_nl();
    let orders = &figures["orders"];
    for quoted in [
        format!("Op 18/05/2020 zijn {} bestellingen ingediend", orders["submitted"]),
        format!(
            "{} basisaudits zijn besteld (niet geannuleerd), {} opgeleverd en {} vereffend",
            orders["basic_audits"]["ordered"], orders["basic_audits"]["delivered"], orders["basic_audits"]["settled"]
        ),
        format!(
            "{} lokale besturen zijn bereikt, waaronder {} van de {} gemeenten",
            figures["reach"]["governments"], figures["reach"]["municipalities_reached"], figures["reach"]["municipalities"]
        ),
        format!(
            "{} vastgelegd voor lopende bestellingen, {} uitbetaald en {} nog beschikbaar",
            euros(&figures["credit"]["reserved_cents"]),
            euros(&figures["credit"]["paid_cents"]),
            euros(&figures["credit"]["available_cents"])
        ),
    ] {
        assert!(text.contains(&quoted), "the answer quotes `{quoted}`:\n{text}");
    }
    assert_eq!(orders["submitted"], 1);
    let csv = app
        .http
        .get(format!(
            "{}/api/v1/programmes/1/figures/tables/orders-by-state?at=2020-05-18",
            app.base
        ))
        .bearer_auth(&admin)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.trim_start_matches('\u{feff}').trim(), "State,Orders\naccepted,1");
    // A day after the test clock's today is refused, naming the field.
    let (status, problem) = app.get(&admin, "/api/v1/programmes/1/figures?at=2020-05-19").await;
    assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("at")));
}
