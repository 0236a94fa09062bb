//! Catalogues and assessments through the API: a library loaded as YAML, the firm's ratings in
//! one PUT, the government's view with scores, and bad input answered in both languages.

use super::*;

const LIBRARY: &str = "urn: urn:test:library:api\nlocale: en\nname: API test\nversion: 1\nobjects:\n  framework:\n    requirement_nodes:\n    - {urn: 'urn:t:a', depth: 1, ref_id: A, name: Area}\n    - {urn: 'urn:t:a1', assessable: true, depth: 2, parent_urn: 'urn:t:a', ref_id: A.1, name: One}\n";

async fn post_yaml(app: &App, token: &str, body: &str, lang: &str) -> (StatusCode, Value) {
    let r = app
        .http
        .post(format!("{}/api/v1/catalogues", app.base))
        .bearer_auth(token)
        .header("content-type", "application/yaml")
        .header("accept-language", lang)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_catalogue_is_loaded_and_an_order_assessed_through_the_api() {
    let app = spawn_app().await;
    let admin = app.token("admin@abb.test").await;
    let gent = app.token("44021@gemeente.test").await;
    let ey = app.token("ey@firms.test").await;

    let (status, list) = app.get(&gent, "/api/v1/catalogues").await;
    assert_eq!(status, StatusCode::OK);
    let baseline = list[0]["id"].as_i64().unwrap();
    assert!(list[0]["controls"].as_i64().unwrap() >= 30, "{list}");
    let (_, detail) = app.get(&gent, &format!("/api/v1/catalogues/{baseline}")).await;
    assert_eq!(detail["areas"].as_array().unwrap().len(), 6);
    assert_eq!(detail["controls"][0]["ref_id"], "BA.ROL.01");

    let (status, problem) = post_yaml(&app, &admin, "urn: [", "nl").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem["detail"].as_str().unwrap_or_default().contains("Geen YAML"), "{problem}");
    let (_, problem) = post_yaml(&app, &admin, &LIBRARY.replace("urn: urn:test:library:api\n", ""), "en").await;
    assert!(
        problem["detail"].as_str().unwrap_or_default().contains("'urn' is missing"),
        "{problem}"
    );
    let (status, loaded) = post_yaml(&app, &admin, LIBRARY, "en").await;
    assert_eq!(status, StatusCode::CREATED, "{loaded}");
    assert_eq!(loaded["controls"], 1);
    assert_eq!(post_yaml(&app, &admin, LIBRARY, "en").await.0, StatusCode::CONFLICT);
    assert_eq!(post_yaml(&app, &gent, LIBRARY, "en").await.0, StatusCode::FORBIDDEN);

    let (_, order) = app
        .post(
            &gent,
            "/api/v1/orders",
            json!({"programme_id": 1, "government_nis": "44021", "kind": "basic"}),
        )
        .await;
    let id = order["id"].as_i64().unwrap();
    app.post(
        &ey,
        &format!("/api/v1/orders/{id}/accept"),
        json!({"price_cents": 500940, "planned_start_on": "2020-06-01"}),
    )
    .await;
    let put = |body: Value| {
        let app = &app;
        let ey = ey.clone();
        async move {
            let r = app
                .http
                .put(format!("{}/api/v1/orders/{id}/assessment", app.base))
                .bearer_auth(&ey)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, problem) = put(json!({"ratings": [{"control": "BA.ROL.01", "rating": "perfect"}]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "rating", "{problem}");
    assert_eq!(
        app.get(&gent, &format!("/api/v1/orders/{id}/assessment")).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, saved) = put(json!({"ratings": [
        {"control": "BA.ROL.01", "rating": "compliant", "evidence": "Aanstellingsbesluit 2019"},
        {"control": "BA.ROL.02", "rating": "not_compliant", "notes": "Geen beleid"}
    ]}))
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, seen) = app.get(&gent, &format!("/api/v1/orders/{id}/assessment")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["overall"]["score_per_mille"], 500);
    assert_eq!(seen["overall"]["direction"], "not_comparable");
    assert_eq!(seen["areas"][0]["area"], "BA.ROL");
    assert_eq!(seen["areas"][0]["name_en"], "Roles and responsibilities");
    assert!(
        seen["areas"][1]["score_per_mille"].is_null(),
        "unrated is not zero: {}",
        seen["areas"][1]
    );
    assert_eq!(seen["controls"][0]["evidence"], "Aanstellingsbesluit 2019");
    let antwerpen = app.token("11002@gemeente.test").await;
    assert_eq!(
        app.get(&antwerpen, &format!("/api/v1/orders/{id}/assessment")).await.0,
        StatusCode::NOT_FOUND
    );
}
