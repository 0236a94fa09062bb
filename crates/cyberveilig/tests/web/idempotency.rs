//! The `Idempotency-Key` header (issue 10): what a key may be, what it covers, and a large import
//! sent with one, which runs once however often it is sent.

use super::portal::signed_in;
use super::security::send;
use super::*;

/// Posts `body` as JSON with an `Idempotency-Key` header given as raw bytes.
async fn post_with_key(app: &App, token: &str, path: &str, key: &[u8], body: &Value) -> (StatusCode, Option<String>, Value) {
    let request = app
        .http
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("idempotency-key", reqwest::header::HeaderValue::from_bytes(key).unwrap())
        .json(body);
    send(request, "idempotent-replayed").await
}

#[tokio::test]
async fn an_idempotency_key_is_visible_ascii_and_covers_method_path_query_and_body() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    let order = json!({"programme_id": 1, "government_nis": "44021", "kind": "basic", "scope": "Basisaudit"});
    let long = "k".repeat(256);
    for key in [&b""[..], long.as_bytes(), "sleutel-é".as_bytes(), b"tab\there", b"\xff\xfe"] {
        let (status, _, problem) = post_with_key(&app, &gent, "/api/v1/orders", key, &order).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key:?}: {problem}");
        assert_eq!(problem["code"], "invalid_idempotency_key");
    }
    assert_eq!(
        app.get(&gent, "/api/v1/orders").await.1["items"].as_array().unwrap().len(),
        0,
        "nothing ordered"
    );

    let (status, replayed, first) = post_with_key(&app, &gent, "/api/v1/orders?bron=portaal", b"gent-1", &order).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, None), "{first}");
    let (status, replayed, again) = post_with_key(&app, &gent, "/api/v1/orders?bron=portaal", b"gent-1", &order).await;
    assert_eq!((status, replayed.as_deref()), (StatusCode::CREATED, Some("true")));
    assert_eq!(again, first);
    // Another query string, path or body with the same key is another request: refused.
    for (path, body) in [
        ("/api/v1/orders?bron=script", order.clone()),
        ("/api/v1/orders", order.clone()),
        (
            "/api/v1/orders?bron=portaal",
            json!({"programme_id": 1, "government_nis": "44021", "kind": "basic", "scope": "Anders"}),
        ),
        (&format!("/api/v1/orders/{}/cancel?bron=portaal", first["id"]), order.clone()),
    ] {
        let (status, _, problem) = post_with_key(&app, &gent, path, b"gent-1", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {problem}");
        assert_eq!(problem["code"], "idempotency_key_reused");
    }
    assert_eq!(app.get(&gent, "/api/v1/orders").await.1["items"].as_array().unwrap().len(), 1);
    // A refusal is an answer too: kept and repeated, not run again.
    let (status, _, refused) = post_with_key(&app, &gent, "/api/v1/orders", b"gent-2", &order).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("second_basic_audit"))
    );
    let (_, replayed, again) = post_with_key(&app, &gent, "/api/v1/orders", b"gent-2", &order).await;
    assert_eq!((replayed.as_deref(), again), (Some("true"), refused));
}

/// The ids of the findings on every page of the register's API for `query`, 500 a page, each page
/// after the cursor of the one before.
async fn every_page(app: &App, token: &str, query: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut next = String::new();
    loop {
        let (status, page) = app.get(token, &format!("/api/v1/findings?{query}&limit=500&cursor={next}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        ids.extend(page["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(cursor) => next = cursor.to_owned(),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn a_large_import_with_an_idempotency_key_runs_once() {
    let app = spawn_app().await;
    let (gent, ey, id) = app.gent_order_accepted_by_ey().await;
    // Over 2 MiB of findings: more than the API's 1 MiB for other bodies.
    let mut csv = String::from("title,severity,rule_id,ip,port,description\n");
    for i in 0..12_000 {
        csv.push_str(&format!("Finding {i},medium,R{i},192.0.2.{},443,{}\n", i % 250, "x".repeat(160)));
    }
    assert!(csv.len() > 2 << 20);
    let import = || {
        app.http
            .post(format!("{}/api/v1/orders/{id}/imports", app.base))
            .bearer_auth(&ey)
            .header("idempotency-key", "scan-2020-06")
            .body(csv.clone())
            .send()
    };
    let first = import().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["new"], 12_000, "{first}");
    let again = import().await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let findings = app.get(&gent, "/api/v1/findings?limit=1").await.1;
    assert!(findings["next_cursor"].is_string());
    // The pages of a sort, each after the last row of the one before, hold each finding once.
    let by_asset = every_page(&app, &gent, "sort=asset").await;
    let seen: std::collections::HashSet<i64> = by_asset.iter().copied().collect();
    assert_eq!(seen.len(), by_asset.len(), "a finding on two pages");
    assert_eq!(seen.len(), 12_000);
    // The plan's export reads the register a batch at a time after the last row of the one before:
    // every finding once, in the order of the register's pages.
    let in_order = every_page(&app, &gent, "sort=priority").await;
    let csv = app
        .http
        .get(format!("{}/api/v1/findings/export?format=csv", app.base))
        .bearer_auth(&gent)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let exported: Vec<i64> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    assert_eq!(exported, in_order);
    // The portal pages the same way: the next page's link carries the cursor and the page's
    // number, and leads back to the first.
    let mut portal = signed_in(&app, "44021@gemeente.test").await;
    let first = portal.get("/bevindingen").await;
    assert!(first.body.contains("Bevindingen 1 tot 50 van 12"), "{}", first.body);
    let next = first
        .body
        .split("\">Volgende pagina")
        .next()
        .unwrap()
        .rsplit("href=\"")
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#x2f;", "/");
    assert!(next.starts_with("/bevindingen?after=") && next.ends_with("&page=2"), "{next}");
    let second = portal.get(&next).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(
        second.body.contains("Bevindingen 51 tot 100 van 12") && second.body.contains("Eerste pagina"),
        "{}",
        second.body
    );
    let forged = portal.get("/bevindingen?after=7072696f726974797c787c31").await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    let imports = app
        .services
        .imports(&app.services.authenticate(&gent).await.unwrap(), id)
        .await
        .unwrap();
    assert_eq!(imports.len(), 1, "imported once");
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
