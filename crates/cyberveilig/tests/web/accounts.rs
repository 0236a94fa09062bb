//! Accounts over the API: sign-ins slowed down alike for known and unknown addresses, signing
//! out everywhere, and machine tokens.

use super::*;

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
