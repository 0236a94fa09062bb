//! What any caller meets before a rule does: a clear problem for bad input in the caller's
//! language, writing nothing; malformed paths and queries; the security headers; the OpenAPI
//! document itself.

use super::*;

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
