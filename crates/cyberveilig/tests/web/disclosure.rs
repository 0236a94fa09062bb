//! Disclosure policies on the web: the public pages in Dutch and English with earlier versions,
//! the security.txt at `/g/{nis}/.well-known/security.txt` (plain text, no sign-in, 404 when
//! there is none), the API, and the government's download.

use super::*;

impl App {
    pub(crate) async fn put(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// VVSG publishes the model; Gent adopts it, fills in its contact and scope, and publishes
/// version 1. Returns Gent's token.
pub(crate) async fn publish_gent(app: &App) -> String {
    let vvsg = app.token("vvsg@vvsg.test").await;
    let (status, body) = app.post(&vvsg, "/api/v1/model-policy/publish", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let gent = app.token("44021@gemeente.test").await;
    let (status, draft) = app.post(&gent, "/api/v1/governments/44021/policy/adopt", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    let mut content = draft["content"].clone();
    content["contact_email"] = json!("cert@stad.gent");
    content["in_scope"] = json!(["stad.gent", "mijn.gent.be"]);
    let (status, body) = app.put(&gent, "/api/v1/governments/44021/policy/draft", content).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.post(&gent, "/api/v1/governments/44021/policy/publish", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["version"], 1);
    gent
}

#[tokio::test]
async fn the_public_reads_a_policy_and_its_security_txt_without_signing_in() {
    let app = spawn_app().await;
    // Nothing yet: clear 404s.
    let r = app.http.get(format!("{}/g/44021/beleid", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("Geen meldingsbeleid"));
    let r = app
        .http
        .get(format!("{}/g/44021/.well-known/security.txt", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (status, body) = app.get("", "/api/v1/governments/44021/policy").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "not_found");

    let gent = publish_gent(&app).await;

    // The Dutch and English pages, for anyone.
    let r = app.http.get(format!("{}/g/44021/beleid", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("<html lang=\"nl\">"));
    assert!(html.contains("Beleid voor het melden van kwetsbaarheden van Gent"));
    // (minijinja escapes "/" in attributes as &#x2f;.)
    assert!(html.contains("cert@stad.gent") && html.contains("mijn.gent.be") && html.contains("melden\""));
    assert!(html.contains("Centrum voor Cybersecurity België"));
    let r = app.http.get(format!("{}/g/44021/policy", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Vulnerability disclosure policy of Gent"));
    assert!(html.contains("Centre for Cybersecurity Belgium"));

    // The security.txt: plain text, UTF-8, no sign-in.
    let r = app
        .http
        .get(format!("{}/g/44021/.well-known/security.txt", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    let text = r.text().await.unwrap();
    for line in [
        "Contact: mailto:cert@stad.gent\n",
        "Contact: http://portal.test/g/44021/melden\n",
        "Preferred-Languages: nl, en\n",
        "Canonical: http://portal.test/g/44021/.well-known/security.txt\n",
        "Policy: http://portal.test/g/44021/beleid\n",
        "Acknowledgments: http://portal.test/g/44021/dank\n",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    assert!(text.contains("\nExpires: 2021-04-18T22:00:00Z\n"), "{text}");
    // Unknown or malformed NIS codes, and governments without a policy: 404.
    for path in [
        "/g/99999/.well-known/security.txt",
        "/g/gent/.well-known/security.txt",
        "/g/11002/.well-known/security.txt",
    ] {
        let r = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    for path in [
        "/g/99999/beleid",
        "/g/11002/policy",
        "/g/44021/beleid/versie/7",
        "/g/44021/policy/version/x",
    ] {
        let r = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }

    // Version 2; version 1 stays readable.
    let (status, body) = app
        .post(
            &gent,
            "/api/v1/governments/44021/policy/publish",
            json!({"expires_on": "2021-03-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app.get("", "/api/v1/governments/44021/policy").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["current_version"], 2);
    assert_eq!(body["versions"].as_array().unwrap().len(), 2);
    assert_eq!(body["policy"]["content"]["targets"]["acknowledge_days"], 5);
    let (status, body) = app.get("", "/api/v1/governments/44021/policy?version=1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["policy"]["version"], 1);
    let r = app.http.get(format!("{}/g/44021/beleid/versie/1", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Dit is een vorige versie"));

    // Bad input: a clear 422 in the caller's language, nothing published.
    let r = app
        .http
        .post(format!("{}/api/v1/governments/44021/policy/publish", app.base))
        .bearer_auth(&gent)
        .header("accept-language", "en")
        .json(&json!({"expires_on": "2030-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["field"], "expires_on");
    assert!(body["detail"].as_str().unwrap().contains("less than a year"));
    let (status, body) = app
        .put(&gent, "/api/v1/governments/44021/policy/draft", json!({"intro": "x"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.get("", "/api/v1/governments/44021/policy").await.1["current_version"], 2);
}

/// The public way in (issue 11, section 4): the landing page leads to a search by name or NIS
/// code; one match goes to its policy, or to its form when it has none (whose page still links
/// the form); a page lists the governments with a published policy.
#[tokio::test]
async fn anyone_finds_a_government_to_report_to_with_or_without_a_policy() {
    let app = spawn_app().await;
    publish_gent(&app).await;
    let mut visitor = super::portal::Browser::new(&app);
    let landing = visitor.get("/").await;
    assert!(landing.body.contains("Een kwetsbaarheid melden") && landing.body.contains("action=\"/melden\""));

    let listed = visitor.get("/melden").await;
    assert_eq!(listed.status, StatusCode::OK);
    let body = listed.body.replace("&#x2f;", "/");
    assert!(
        body.contains("href=\"/g/44021/beleid\""),
        "Gent's published policy is listed: {body}"
    );
    assert!(!body.contains("/g/31005/"), "Brugge has no policy to list");

    // One match: straight to its policy, or to its form without one.
    assert_eq!(visitor.get("/melden?q=44021").await.location.as_deref(), Some("/g/44021/beleid"));
    assert_eq!(visitor.get("/melden?q=brugge").await.location.as_deref(), Some("/g/31005/melden"));
    // Several: a list to choose from; none: said so.
    let several = visitor.get("/melden?q=an").await;
    assert_eq!(several.status, StatusCode::OK);
    assert!(several.body.contains("Antwerpen"), "several matches are listed");
    assert!(visitor.get("/melden?q=zzzz").await.body.contains("Geen lokaal bestuur gevonden"));

    // Brugge has no policy: its policy page says so and links its form, which receives reports.
    let none = visitor.get("/g/31005/beleid").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert!(
        none.body.replace("&#x2f;", "/").contains("href=\"/g/31005/melden\""),
        "{}",
        none.body
    );
    assert_eq!(visitor.get("/g/31005/melden").await.status, StatusCode::OK);
}
