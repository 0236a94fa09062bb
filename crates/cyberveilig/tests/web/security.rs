//! What an attacker tried (issue 10), kept as standing tests: open redirects, NUL bytes, huge
//! cursors, caching of private answers, bodies over the limit, floods of mail, roles refused before
//! the request is read. Each failed before its fix. The idempotency key and the audit key file
//! have their own modules.

use super::portal::{Browser, signed_in};
use super::*;

/// `next` values that a browser would follow to another host, or that cannot be a header.
const FOREIGN_NEXT: &[&str] = &[
    "/\t/evil.test/path",
    "/\n/x",
    "/\r\n/x",
    "//evil.test/x",
    "/\\evil.test/x",
    "\\/evil.test/x",
    " /\t/evil.test",
    "https://evil.test/",
    "/\u{7f}x",
    "/é",
];

#[tokio::test]
async fn after_sign_in_only_a_path_on_this_site_is_followed() {
    let app = spawn_app().await;
    for next in FOREIGN_NEXT {
        let mut b = Browser::new(&app);
        let page = b
            .submit(
                "/aanmelden",
                "/aanmelden",
                &[("email", "44021@gemeente.test"), ("password", "demo"), ("next", next)],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next:?}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some("/start"), "{next:?}");
        // Signed in already: the sign-in page sends the visitor on, also only on this site.
        let mut url = reqwest::Url::parse("http://x/aanmelden").unwrap();
        url.query_pairs_mut().append_pair("next", next);
        let page = b.get(&format!("/aanmelden?{}", url.query().unwrap())).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(page.location.as_deref(), Some("/start"), "{next:?}");
    }
    // A NUL character is refused before anything else.
    let mut b = Browser::new(&app);
    let page = b
        .submit(
            "/aanmelden",
            "/aanmelden",
            &[("email", "44021@gemeente.test"), ("password", "demo"), ("next", "/\u{0}x")],
        )
        .await;
    assert_eq!((page.status, page.location), (StatusCode::UNPROCESSABLE_ENTITY, None));
    // A path of this site with its query is kept.
    let mut b = Browser::new(&app);
    let page = b
        .submit(
            "/aanmelden",
            "/aanmelden",
            &[
                ("email", "44021@gemeente.test"),
                ("password", "demo"),
                ("next", "/bevindingen?status=open&sort=due_on"),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/bevindingen?status=open&sort=due_on"));
}

#[tokio::test]
async fn the_language_switch_goes_back_only_to_a_path_on_this_site() {
    let app = spawn_app().await;
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    let mut visitor = Browser::new(&app);
    for next in FOREIGN_NEXT {
        let page = gent.submit("/start", "/taal", &[("lang", "en"), ("next", next)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next:?}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some("/start"), "{next:?}");
        let page = visitor.submit("/", "/taal", &[("lang", "nl"), ("next", next)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next:?}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some("/"), "{next:?}");
    }
}

/// A request as a client sends it, with the answer's status, one of its headers and its body.
pub(crate) async fn send(request: reqwest::RequestBuilder, header: &str) -> (StatusCode, Option<String>, Value) {
    let r = request.send().await.unwrap();
    let status = r.status();
    let value = r.headers().get(header).map(|v| v.to_str().unwrap().to_owned());
    (status, value, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_nul_character_in_a_request_is_refused_with_422_and_writes_nothing() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    let before = app.audit_entries().await;
    let bodies = [
        (
            "/api/v1/orders",
            json!({"programme_id": 1, "government_nis": "44021", "kind": "basic", "scope": "Basis\u{0}audit"}),
        ),
        ("/api/v1/me/api-tokens", json!({"name": "koppeling\u{0}", "valid_days": 1})),
        // In a key as well as in a value.
        ("/api/v1/me/api-tokens", json!({"name": "k", "valid_days": 1, "x\u{0}": 1})),
    ];
    for (path, body) in bodies {
        let (status, problem) = app.post(&gent, path, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path} {body}: {problem}");
        assert_eq!(problem["code"], "invalid_text", "{problem}");
    }
    // An escaped backslash before `u0000` is text, not a NUL.
    let r = app
        .http
        .post(format!("{}/api/v1/me/api-tokens", app.base))
        .bearer_auth(&gent)
        .header("content-type", "application/json")
        .body(r#"{"name": "C:\\u0000 map", "valid_days": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let before = before + 1;
    for path in [
        "/api/v1/organisations?q=%00",
        "/api/v1/findings?status=open%00",
        "/api/v1/orders?cursor=%001",
    ] {
        let (status, problem) = app.get(&gent, path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {problem}");
        assert_eq!(problem["code"], "invalid_text", "{path}: {problem}");
    }
    let r = app
        .http
        .delete(format!("{}/api/v1/me/api-tokens/ab%00cd", app.base))
        .bearer_auth(&gent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The portal: in a form and in a page's address.
    let mut b = signed_in(&app, "44021@gemeente.test").await;
    let page = b.get("/bevindingen?status=%00").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = b
        .submit(
            "/bestellingen",
            "/bestellingen",
            &[("programme_id", "1"), ("kind", "basic"), ("scope", "a\u{0}b")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert_eq!(app.audit_entries().await, before, "nothing was written");
}

#[tokio::test]
async fn a_cursor_is_one_the_api_gave_out_and_never_wraps() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    for list in ["/api/v1/orders", "/api/v1/organisations", "/api/v1/findings", "/api/v1/reports"] {
        for cursor in ["-1", "abc", "99999999999999999999", "1.5"] {
            let (status, problem) = app.get(&gent, &format!("{list}?cursor={cursor}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{list} {cursor}: {problem}");
            assert_eq!(problem["field"], "cursor", "{problem}");
        }
        // The register's cursors are opaque (the sort's keys of the last row): below.
        if list == "/api/v1/findings" {
            continue;
        }
        for cursor in [i64::MAX, i64::MAX - 1, i64::MAX - 499] {
            let (status, page) = app.get(&gent, &format!("{list}?cursor={cursor}&limit=500")).await;
            assert_eq!(status, StatusCode::OK, "{list} {cursor}: {page}");
            assert!(page["next_cursor"].is_null(), "{list} {cursor}: {page}");
        }
    }
    // The register's cursor is the last row's place in its sort: given out for one sort, it is
    // refused for another; one at the very end of the order gives an empty last page.
    let hex = |text: &str| text.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    let end = hex(&format!("priority|{}|{}", i64::MAX, i64::MAX));
    let (status, page) = app.get(&gent, &format!("/api/v1/findings?cursor={end}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page["items"].as_array().unwrap().is_empty() && page["next_cursor"].is_null(),
        "{page}"
    );
    for (cursor, sort) in [
        (end.as_str(), "due_on"),
        (&hex("priority|1|x"), "priority"),
        (&hex("asset|2|3|4"), "asset"),
    ] {
        let (status, problem) = app.get(&gent, &format!("/api/v1/findings?cursor={cursor}&sort={sort}")).await;
        assert_eq!(
            (status, &problem["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!("cursor")),
            "{sort}: {problem}"
        );
    }
    // The register pages by position: a full page's next cursor is its end, never negative.
    let admin = app.token("admin@abb.test").await;
    let (status, page) = app.get(&admin, "/api/v1/organisations?limit=2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page["next_cursor"].as_str().unwrap().parse::<i64>().unwrap() > 0);
}

#[tokio::test]
async fn private_answers_are_not_kept_in_caches() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    let get = |path: &str| app.http.get(format!("{}{path}", app.base)).bearer_auth(&gent);
    for path in [
        "/api/v1/programmes",
        "/api/v1/orders",
        "/api/v1/findings/export?format=csv",
        "/api/v1/findings/export?format=xlsx",
        "/api/v1/orders/999",
        "/api/v1/openapi.json",
    ] {
        let (status, cache, _) = send(get(path), "cache-control").await;
        assert!(status.is_success() || status == StatusCode::NOT_FOUND, "{path}: {status}");
        assert_eq!(cache.as_deref(), Some("no-store"), "{path}");
    }
    let (status, cache, _) = send(
        app.http
            .post(format!("{}/api/v1/auth/token", app.base))
            .json(&json!({"email": "44021@gemeente.test", "password": "demo"})),
        "cache-control",
    )
    .await;
    assert_eq!((status, cache.as_deref()), (StatusCode::OK, Some("no-store")));
    let mut b = signed_in(&app, "44021@gemeente.test").await;
    for path in [
        "/start",
        "/bestellingen",
        "/bevindingen",
        "/bevindingen/export?format=csv",
        "/account",
        "/g/44021/beleid",
    ] {
        let r = app
            .http
            .get(format!("{}{path}", app.base))
            .header("cookie", b.cookie_header())
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success() || r.status() == StatusCode::NOT_FOUND,
            "{path}: {}",
            r.status()
        );
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    }
    assert_eq!(b.get("/start").await.status, StatusCode::OK);
    // The stylesheet is the same for everybody and may be kept.
    let css = app.http.get(format!("{}/static/app.css", app.base)).send().await.unwrap();
    assert!(css.headers()["cache-control"].to_str().unwrap().starts_with("public"));
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    let huge = format!(
        r#"{{"programme_id": 1, "government_nis": "44021", "kind": "basic", "scope": "{}"}}"#,
        "a".repeat(3 << 20)
    );
    let (status, _, problem) = send(
        app.http
            .post(format!("{}/api/v1/orders", app.base))
            .bearer_auth(&gent)
            .header("content-type", "application/json")
            .body(huge.clone()),
        "cache-control",
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    assert_eq!(problem["code"], "payload_too_large");
    // With an Idempotency-Key too.
    let (status, _, problem) = send(
        app.http
            .post(format!("{}/api/v1/orders", app.base))
            .bearer_auth(&gent)
            .header("content-type", "application/json")
            .header("idempotency-key", "groot-1")
            .body(huge),
        "cache-control",
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    // A portal form.
    let mut b = signed_in(&app, "44021@gemeente.test").await;
    let scope = "a".repeat(3 << 20);
    let page = b
        .submit(
            "/bestellingen",
            "/bestellingen",
            &[("programme_id", "1"), ("kind", "basic"), ("scope", &scope)],
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// The titles of findings of every origin in one government's register (issue 10, item 3).
pub(crate) struct Origins {
    /// An import for the basic audit of the firm (EY).
    pub own_audit: &'static str,
    /// A vulnerability report made a finding, under the firm's order (the latest accepted then).
    pub report: &'static str,
    /// The Howest team's finding under an engagement: no order, no firm sees it.
    pub engagement: &'static str,
    /// Deloitte's import for the government's additional work.
    pub other_firm: &'static str,
}

impl Origins {
    /// What the firm of the basic audit may see.
    pub fn firm_sees(&self) -> [&'static str; 2] {
        [self.own_audit, self.report]
    }

    pub fn firm_does_not_see(&self) -> [&'static str; 2] {
        [self.engagement, self.other_firm]
    }
}

/// Gives the government `nis`, whose basic audit `basic` EY accepted, findings of every origin:
/// EY's import, a report made a finding, an engagement's finding and Deloitte's import for
/// additional work (EY declines it first). The government's member `{nis}@gemeente.test`
/// becomes its signatory to accept the engagement.
pub(crate) async fn findings_of_every_origin(app: &App, nis: &str, basic: i64) -> Origins {
    use cyberveilig_services::engagements::{EngagementTerms, TeamFinding};
    use cyberveilig_services::orders::{FirmStep, NewOrder};
    use cyberveilig_services::reports::{Access, ReportChange, ReportInput};
    let s = &app.services;
    let actor = |email: String| async move { s.authenticate(&app.token(&email).await).await.unwrap() };
    let government = actor(format!("{nis}@gemeente.test")).await;
    let ey = actor("ey@firms.test".into()).await;
    let deloitte = actor("deloitte@firms.test".into()).await;
    let admin = actor("admin@abb.test".into()).await;
    let origins = Origins {
        own_audit: "Origin: own audit of the firm",
        report: "Origin: a report",
        engagement: "Origin: an engagement",
        other_firm: "Origin: order of another firm",
    };
    let csv = |title: &str, ip: &str| format!("title,severity,rule_id,ip,port\n{title},high,R-{ip},{ip},443\n").into_bytes();
    s.import_report(&ey, basic, std::io::Cursor::new(csv(origins.own_audit, "192.0.2.71")))
        .await
        .unwrap();
    // A report about that host, valid, made a finding.
    let report = s
        .submit_report(
            None,
            ReportInput {
                government_nis: nis.into(),
                target: "https://192.0.2.71/".into(),
                cwe: "CWE-79".into(),
                title: origins.report.into(),
                description: "d".into(),
                steps: "s".into(),
                impact: "i".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .report;
    for (state, outcome) in [("acknowledged", None), ("triaged", Some("valid"))] {
        let change = ReportChange {
            state: state.into(),
            outcome: outcome.map(str::to_owned),
            ..Default::default()
        };
        s.change_report(Access::Person(&government), report.id, change).await.unwrap();
    }
    s.make_finding(&government, report.id).await.unwrap();
    // The Howest team's finding.
    s.set_signatory(&admin, government.person_id, true).await.unwrap();
    let vvsg = actor("vvsg@vvsg.test".into()).await;
    let today = cyberveilig_services::clock::brussels_date(s.clock.now());
    let proposed = s
        .propose_engagement(
            &vvsg,
            EngagementTerms {
                government_nis: nis.into(),
                title: "Oorsprong".into(),
                starts_on: Some(today),
                ends_on: Some(today + chrono::Days::new(30)),
                scope: vec![format!("www.origin-{nis}.be")],
                techniques: vec!["web_scanning".into()],
                team: vec![
                    ("docent@howest.test".into(), "supervisor".into()),
                    ("student@howest.test".into(), "student".into()),
                ],
                government_contact: "ISC".into(),
                team_contact: "Docent".into(),
                emergency_contact: "09 000 00 00".into(),
            },
        )
        .await
        .unwrap();
    let (_, letter) = s.engagement_letter(&government, proposed.engagement.id).await.unwrap();
    s.accept_engagement(&government, proposed.engagement.id, &letter.hash, false)
        .await
        .unwrap();
    let student = actor("student@howest.test".into()).await;
    s.submit_engagement_finding(
        &student,
        proposed.engagement.id,
        TeamFinding {
            title: origins.engagement.into(),
            description: "d".into(),
            severity: Some("critical".into()),
            asset_id: proposed.engagement.scope[0].0,
            location: "/".into(),
            evidence: "e".into(),
            recommendation: "r".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Deloitte's additional work and its import.
    let additional = s
        .submit_order(
            &government,
            NewOrder {
                programme_id: 1,
                government_nis: nis.parse().unwrap(),
                kind: cyberveilig_domain::order::OrderKind::Additional,
                scope: "Phishingtest".into(),
                estimated_cost: Some(cyberveilig_domain::Money::from_cents(100_000)),
            },
        )
        .await
        .unwrap();
    s.firm_step(&ey, additional.id, FirmStep::Decline { reason: "Volzet".into() })
        .await
        .unwrap();
    s.firm_step(
        &deloitte,
        additional.id,
        FirmStep::Accept {
            price: cyberveilig_domain::Money::from_cents(100_000),
            planned_start_on: today,
        },
    )
    .await
    .unwrap();
    s.import_report(
        &deloitte,
        additional.id,
        std::io::Cursor::new(csv(origins.other_firm, "192.0.2.72")),
    )
    .await
    .unwrap();
    origins
}

#[tokio::test]
async fn a_flood_of_registrations_sends_one_mail_and_then_waits() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let page = b.get("/registreren").await.body;
    let howest = page
        .split("<option value=\"")
        .nth(1)
        .and_then(|o| o.split('"').next())
        .expect("an education partner to choose")
        .to_owned();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let page = b
            .submit(
                "/registreren",
                "/registreren",
                &[("name", "Eve"), ("email", "doelwit@example.test"), ("organisation", &howest)],
            )
            .await;
        statuses.push(page.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
    let admin = app.services.authenticate(&app.token("admin@abb.test").await).await.unwrap();
    let outbox = app.services.outbox(&admin, 100).await.unwrap();
    assert_eq!(outbox.iter().filter(|m| m.to == "doelwit@example.test").count(), 1);
    // A name with a line break of its own is refused, in the page's words.
    let mut other = Browser::new(&app);
    let page = other
        .submit(
            "/registreren",
            "/registreren",
            &[
                ("name", "Eve\nKlik: http://evil.test"),
                ("email", "ander@example.test"),
                ("organisation", &howest),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("één regel"), "{}", page.body);
}

/// Who may ever call each mutating operation (cyberveilig_services::authz::gates), by route as
/// the OpenAPI document names it. An operation the document has must be here or among the
/// ungated, so nobody adds one without deciding.
const GATED: &[(&str, &str, &[&str])] = &[
    ("post", "/api/v1/programmes", &["programme_admin"]),
    ("post", "/api/v1/programmes/{id}/amendments", &["programme_admin"]),
    ("post", "/api/v1/framework-agreements/{id}/activate", &["programme_admin"]),
    ("post", "/api/v1/orders", &["programme_admin", "government_member"]),
    ("post", "/api/v1/orders/{id}/accept", &["firm_member"]),
    ("post", "/api/v1/orders/{id}/decline", &["firm_member"]),
    ("post", "/api/v1/orders/{id}/deliver", &["firm_member"]),
    ("post", "/api/v1/orders/{id}/audit-reports", &["programme_admin", "firm_member"]),
    ("post", "/api/v1/orders/{id}/invoice", &["firm_member"]),
    ("post", "/api/v1/orders/{id}/settle", &["programme_admin"]),
    ("post", "/api/v1/orders/{id}/reopen", &["programme_admin"]),
    ("post", "/api/v1/orders/{id}/cancel", &["programme_admin", "government_member"]),
    ("post", "/api/v1/orders/{id}/confirm", &["programme_admin", "government_member"]),
    ("post", "/api/v1/orders/{id}/imports", &["programme_admin", "firm_member"]),
    ("post", "/api/v1/orders/{id}/assessment", &["programme_admin", "firm_member"]),
    ("put", "/api/v1/orders/{id}/assessment", &["programme_admin", "firm_member"]),
    ("put", "/api/v1/orders/{id}/remediation-day", &["programme_admin", "firm_member"]),
    ("post", "/api/v1/catalogues", &["programme_admin"]),
    ("post", "/api/v1/intel/kev", &["programme_admin"]),
    ("post", "/api/v1/intel/epss", &["programme_admin"]),
    ("post", "/api/v1/assets/{id}/criticality", &["programme_admin", "government_member"]),
    (
        "post",
        "/api/v1/findings/{id}/status",
        &["programme_admin", "government_member", "firm_member"],
    ),
    (
        "post",
        "/api/v1/findings/status",
        &["programme_admin", "government_member", "firm_member"],
    ),
    ("post", "/api/v1/findings/{id}/owner", &["programme_admin", "government_member"]),
    ("post", "/api/v1/reports/{id}/finding", &["programme_admin", "government_member"]),
    (
        "post",
        "/api/v1/reports/{id}/coordinator",
        &["programme_admin", "government_member"],
    ),
    ("put", "/api/v1/model-policy/draft", &["association_member"]),
    ("post", "/api/v1/model-policy/publish", &["association_member"]),
    ("put", "/api/v1/governments/{nis}/policy/draft", &["government_member"]),
    ("post", "/api/v1/governments/{nis}/policy/adopt", &["government_member"]),
    ("post", "/api/v1/governments/{nis}/policy/publish", &["government_member"]),
    ("post", "/api/v1/engagements", &["programme_admin", "association_member"]),
    ("put", "/api/v1/engagements/{id}", &["programme_admin", "association_member"]),
    ("post", "/api/v1/engagements/{id}/accept", &["government_member"]),
    (
        "post",
        "/api/v1/engagements/{id}/withdraw",
        &["programme_admin", "association_member", "government_member", "researcher"],
    ),
    ("post", "/api/v1/engagements/{id}/findings", &["researcher"]),
    ("post", "/api/v1/people/{id}/signatory", &["programme_admin"]),
    ("put", "/api/v1/test/clock", &["programme_admin"]),
    ("post", "/api/v1/awareness-events", &["association_member"]),
    ("put", "/api/v1/awareness-events/{id}", &["association_member"]),
    ("post", "/api/v1/awareness-events/{id}/cancel", &["association_member"]),
    ("post", "/api/v1/awareness-events/{id}/attendance", &["association_member"]),
    (
        "put",
        "/api/v1/project-grants/{id}/work-packages/{number}/budget",
        &["programme_admin"],
    ),
    (
        "post",
        "/api/v1/project-grants/{id}/claims/{claim_id}/decision",
        &["programme_admin"],
    ),
    (
        "post",
        "/api/v1/project-grants/{id}/claims/{claim_id}/payment",
        &["programme_admin"],
    ),
    (
        "post",
        "/api/v1/project-grants/{id}/progress-reports/{report_id}/review",
        &["programme_admin"],
    ),
    ("post", "/api/v1/project-grants/{id}/deliverables", &["association_member"]),
    (
        "put",
        "/api/v1/project-grants/{id}/deliverables/{deliverable_id}",
        &["association_member"],
    ),
    ("post", "/api/v1/project-grants/{id}/plan-items", &["association_member"]),
    ("put", "/api/v1/project-grants/{id}/plan-items/{item_id}", &["association_member"]),
    ("post", "/api/v1/project-grants/{id}/claims", &["association_member"]),
    ("post", "/api/v1/project-grants/{id}/progress-reports", &["association_member"]),
    ("post", "/api/v1/toolkit", &["association_member"]),
    ("put", "/api/v1/toolkit/{id}", &["association_member"]),
    ("post", "/api/v1/toolkit/{id}/submit", &["association_member"]),
    ("post", "/api/v1/toolkit/{id}/review", &["association_member"]),
    ("post", "/api/v1/toolkit/{id}/files", &["association_member"]),
    ("put", "/api/v1/awareness-events/{id}/materials", &["association_member"]),
    (
        "post",
        "/api/v1/governments/{nis}/baseline/systems",
        &["programme_admin", "government_member"],
    ),
    (
        "delete",
        "/api/v1/governments/{nis}/baseline/systems/{id}",
        &["programme_admin", "government_member"],
    ),
    (
        "post",
        "/api/v1/governments/{nis}/baseline/scans",
        &["programme_admin", "government_member"],
    ),
    (
        "put",
        "/api/v1/governments/{nis}/baseline/paused",
        &["programme_admin", "government_member"],
    ),
    (
        "post",
        "/api/v1/governments/{nis}/baseline/explanations",
        &["programme_admin", "government_member"],
    ),
    ("post", "/api/v1/baseline/explanations/{id}/decision", &["programme_admin"]),
    ("put", "/api/v1/baseline/publication", &["programme_admin"]),
    ("put", "/api/v1/toolkit/{id}/checklist/{step}", &["government_member"]),
    ("post", "/api/v1/toolkit/{id}/exercises", &["government_member"]),
    (
        "post",
        "/api/v1/toolkit-exercises/{id}/actions/{position}/finding",
        &["government_member"],
    ),
];

/// Mutating operations anyone signed in (or anyone at all) may call; their refusals are about
/// the thing asked for, after the request is read.
const UNGATED: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/me/api-tokens"),
    ("delete", "/api/v1/me/api-tokens/{id}"),
    ("post", "/api/v1/reports"),
    ("post", "/api/v1/reports/{id}/messages"),
    ("post", "/api/v1/reports/{id}/state"),
    ("post", "/api/v1/reports/{id}/attachments"),
    ("post", "/api/v1/awareness-events/{id}/registration"),
    ("delete", "/api/v1/awareness-events/{id}/registration"),
    ("post", "/api/v1/calendar-feed"),
    ("delete", "/api/v1/calendar-feed"),
    // The steering group is for its members, whatever their role: refused after the lookup.
    ("put", "/api/v1/steering/members/{id}"),
    ("delete", "/api/v1/steering/members/{id}"),
    ("post", "/api/v1/steering/meetings"),
    ("put", "/api/v1/steering/meetings/{id}/minutes"),
    ("post", "/api/v1/steering/meetings/{id}/approve-minutes"),
    ("post", "/api/v1/steering/meetings/{id}/decisions"),
    ("post", "/api/v1/steering/meetings/{id}/actions"),
    ("post", "/api/v1/steering/actions/{id}/status"),
    ("post", "/api/v1/steering/meetings/{id}/documents"),
];

#[tokio::test]
async fn a_wrong_role_is_refused_with_403_before_its_request_is_read() {
    let app = spawn_app().await;
    let callers = [
        ("44021@gemeente.test", "government_member"),
        ("ey@firms.test", "firm_member"),
        ("admin@abb.test", "programme_admin"),
        ("vvsg@vvsg.test", "association_member"),
        ("student@howest.test", "researcher"),
    ];
    let mut tokens = Vec::new();
    for (email, role) in callers {
        tokens.push((app.token(email).await, role));
    }
    let doc = app.get("", "/api/v1/openapi.json").await.1;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys().filter(|m| *m != "get") {
            let known = GATED.iter().any(|(m, p, _)| m == method && p == path) || UNGATED.iter().any(|(m, p)| m == method && p == path);
            assert!(known, "{method} {path}: gated or not? Add it to GATED or UNGATED");
        }
    }
    let mut wrong = Vec::new();
    for (method, route, gate) in GATED {
        let path = route.replace("{id}", "1").replace("{nis}", "44021");
        for (token, role) in &tokens {
            if gate.contains(role) {
                continue;
            }
            // Not even JSON: whoever may not call it at all learns nothing about what it takes.
            let response = app
                .http
                .request(method.to_uppercase().parse().unwrap(), format!("{}{path}", app.base))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body("{not json")
                .send()
                .await
                .unwrap();
            if response.status() != StatusCode::FORBIDDEN {
                wrong.push(format!("{method} {path} by {role}: {}", response.status()));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn hidden_characters_from_a_scan_are_shown_in_the_portal() {
    let app = spawn_app().await;
    let (gent, ey, id) = app.gent_order_accepted_by_ey().await;
    let csv = "title,severity,rule_id,ip,port,description\n\
        Backup exe\u{202E}fdp.txt,high,R1,192.0.2.80,443,Sees\u{200B}nothing\u{2066}here\n";
    let imported = app
        .http
        .post(format!("{}/api/v1/orders/{id}/imports", app.base))
        .bearer_auth(&ey)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), StatusCode::CREATED);
    let finding = app.get(&gent, "/api/v1/findings").await.1["items"][0]["id"].as_i64().unwrap();
    let mut b = signed_in(&app, "44021@gemeente.test").await;
    for page in [
        "/bevindingen".to_owned(),
        format!("/bevindingen/{finding}"),
        format!("/bestellingen/{id}/remediedag"),
    ] {
        let body = b.get(&page).await.body;
        assert!(body.contains("Backup exe[U+202E]fdp.txt"), "{page}: {body}");
        assert!(!body.contains('\u{202E}'), "{page} shows the override itself");
    }
    let body = b.get(&format!("/bevindingen/{finding}")).await.body;
    assert!(body.contains("Sees[U+200B]nothing[U+2066]here"), "{body}");
    // The API gives the data as it is: clients decide how to show it.
    let (_, item) = app.get(&gent, "/api/v1/findings").await;
    assert_eq!(item["items"][0]["title"], "Backup exe\u{202E}fdp.txt");
}

#[tokio::test]
async fn the_platform_serves_its_own_security_txt() {
    let app = spawn_app().await;
    let r = app.http.get(format!("{}/.well-known/security.txt", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    let text = r.text().await.unwrap();
    assert!(text.contains("Contact: mailto:security@portal.test\n"), "{text}");
    assert!(text.contains("Canonical: http://portal.test/.well-known/security.txt\n"), "{text}");
    // RFC 9116 as sectxt reads it, apart from the demo's plain http.
    let problems = cyberveilig_services::disclosure::check_security_txt(&text, chrono::Utc::now());
    assert!(problems.iter().all(|p| p.en.to_lowercase().contains("https")), "{problems:?}");
    let https = text.replace("http://portal.test", "https://portal.test");
    assert!(cyberveilig_services::disclosure::check_security_txt(&https, chrono::Utc::now()).is_empty());
    // Its contact is an address or an https page, nothing else.
    for bad in [
        "mailto:\"><script>@x.test",
        "http://x.test",
        "javascript:alert(1)",
        "mailto:a@b.test\nContact: x",
    ] {
        assert!(cyberveilig_services::disclosure::security_contact(bad).is_err(), "{bad}");
    }
    assert_eq!(
        cyberveilig_services::disclosure::security_contact("https://cyberveilig.vlaanderen.be/melden").unwrap(),
        "https://cyberveilig.vlaanderen.be/melden"
    );
}
