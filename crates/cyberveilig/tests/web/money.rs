//! Issue 11 through the API and the pages: the money follows the framework agreement (D7,
//! issue 10's High 2), the audit report, what each party sees of an order.

use super::*;

/// A page's text as a person reads it: the escapes of the templates undone.
fn text(body: &str) -> String {
    body.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The firm rates every control of the baseline (with `rating`) and, with `report`, attaches
/// the audit report: what delivering a basic audit needs (D11).
pub(crate) async fn complete_results(app: &App, firm_token: &str, order_id: i64, rating: &str, report: bool) {
    let firm = app.services.authenticate(firm_token).await.unwrap();
    let baseline = app.services.baseline_catalogue(&firm).await.unwrap();
    let ratings = baseline
        .controls
        .iter()
        .map(|k| cyberveilig_services::assessments::RatingInput {
            control: k.ref_id.clone(),
            rating: Some(rating.into()),
            ..Default::default()
        })
        .collect();
    app.services.rate_controls(&firm, order_id, None, ratings).await.unwrap();
    if report {
        let pdf = cyberveilig_domain::document::simple_pdf(&["Rapport"]);
        app.services
            .upload_audit_report(&firm, order_id, "rapport.pdf", &pdf)
            .await
            .unwrap();
    }
}

async fn raw_post(app: &App, token: &str, path: &str, content_type: &str, body: Vec<u8>) -> reqwest::Response {
    app.http
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Issue 10, High 2, as the probe did it: a firm accepting at 999,999,999,999 cents and invoicing
/// EUR 90,000 on a EUR 5,464.54 order. Each is refused with D7's code and a sentence naming the
/// agreement's price; nothing is written.
#[tokio::test]
async fn a_firm_can_no_longer_accept_or_invoice_any_amount() {
    let app = spawn_app_at(
        Utc.with_ymd_and_hms(2020, 7, 1, 8, 0, 0).unwrap(),
        WebOptions {
            test_clock: true,
            demo: true,
            ..Default::default()
        },
    )
    .await;
    let admin = app.token("admin@abb.test").await;
    let gent = app.token("44021@gemeente.test").await;
    let deloitte = app.token("deloitte@firms.test").await;
    let (_, agreements) = app.get(&admin, "/api/v1/framework-agreements").await;
    assert_eq!(agreements[0]["status"], "closed", "{agreements}");
    assert_eq!(agreements[1]["status"], "awaiting_activation");
    app.post(
        &admin,
        &format!("/api/v1/framework-agreements/{}/activate", agreements[1]["id"]),
        json!({}),
    )
    .await;
    let (_, order) = app.post(&gent, "/api/v1/orders", basic("44021")).await;
    let id = order["id"].as_i64().unwrap();
    assert_eq!(order["offered_to"], "Deloitte");

    let before = app.audit_entries().await;
    let r = app
        .http
        .post(format!("{}/api/v1/orders/{id}/accept", app.base))
        .bearer_auth(&deloitte)
        .json(&json!({"price_cents": 999_999_999_999i64, "planned_start_on": "2020-07-15"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let problem: Value = r.json().await.unwrap();
    assert_eq!(
        (problem["code"].as_str(), problem["rule"].as_str()),
        (Some("price_above_agreement"), Some("D7"))
    );
    assert!(problem["detail"].as_str().unwrap().contains("€ 5.464,55"), "{problem}");
    assert_eq!(app.audit_entries().await, before);
    let (status, accepted) = app
        .post(
            &deloitte,
            &format!("/api/v1/orders/{id}/accept"),
            json!({"price_cents": 546_454, "planned_start_on": "2020-07-15"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["own_part_cents"], 546_454 - 364_302);

    // Delivered with its results: every control rated, the report attached.
    let (_, catalogue) = app.get(&deloitte, "/api/v1/catalogues/1").await;
    let ratings: Vec<Value> = catalogue["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| json!({"control": k["ref_id"], "rating": "compliant"}))
        .collect();
    let r = app
        .http
        .put(format!("{}/api/v1/orders/{id}/assessment", app.base))
        .bearer_auth(&deloitte)
        .json(&json!({"ratings": ratings}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, refused) = app.post(&deloitte, &format!("/api/v1/orders/{id}/deliver"), json!({})).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("audit_report_missing"))
    );
    let pdf = cyberveilig_domain::document::simple_pdf(&["Auditrapport Gent"]);
    let r = raw_post(
        &app,
        &deloitte,
        &format!("/api/v1/orders/{id}/audit-reports?filename=gent.pdf"),
        "application/pdf",
        pdf.clone(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["href"], format!("/api/v1/orders/{id}/audit-reports/{}", report["id"]));
    assert_eq!(
        app.post(&deloitte, &format!("/api/v1/orders/{id}/deliver"), json!({})).await.0,
        StatusCode::OK
    );
    let r = app
        .http
        .put(format!("{}/api/v1/orders/{id}/remediation-day", app.base))
        .bearer_auth(&deloitte)
        .json(&json!({"held_on": "2020-07-01", "actions": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The date-only way to record the day is gone: one place.
    let r = app
        .http
        .post(format!("{}/api/v1/orders/{id}/remediation-day", app.base))
        .bearer_auth(&deloitte)
        .json(&json!({"held_on": "2020-07-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);

    let before = app.audit_entries().await;
    let (status, problem) = app
        .post(
            &deloitte,
            &format!("/api/v1/orders/{id}/invoice"),
            json!({"invoice_number": "DEL-9", "amount_cents": 9_000_000}),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invoice_above_price"))
    );
    assert_eq!(app.audit_entries().await, before);
    let (status, _) = app
        .post(
            &deloitte,
            &format!("/api/v1/orders/{id}/invoice"),
            json!({"invoice_number": "DEL-9", "amount_cents": 546_454}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // The queue says what settling pays; a wrong confirmation pays nothing.
    let (_, queue) = app.get(&admin, "/api/v1/settlements").await;
    let row = &queue["items"][0];
    assert_eq!(row["order_id"], id);
    assert_eq!(
        (&row["package_price_cents"], &row["accepted_price_cents"], &row["payment_cents"]),
        (&json!(546_455), &json!(546_454), &json!(364_302))
    );
    assert_eq!(row["differences"], json!(["price_below_agreement"]));
    assert_eq!(app.get(&gent, "/api/v1/settlements").await.0, StatusCode::FORBIDDEN);
    let (status, problem) = app
        .post(&admin, &format!("/api/v1/orders/{id}/settle"), json!({"paid_cents": 6_000_000}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("settlement_changed"))
    );
    let (status, settled) = app
        .post(&admin, &format!("/api/v1/orders/{id}/settle"), json!({"paid_cents": 364_302}))
        .await;
    assert_eq!((status, &settled["cofinancing_paid_cents"]), (StatusCode::OK, &json!(364_302)));

    // The report downloads as a file for Gent; another government finds nothing.
    let r = app
        .http
        .get(format!("{}/api/v1/orders/{id}/audit-reports/{}", app.base, report["id"]))
        .bearer_auth(&gent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    let aalst = app.token("41002@gemeente.test").await;
    assert_eq!(
        app.get(&aalst, &format!("/api/v1/orders/{id}/audit-reports")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_audit_report_is_a_pdf_of_at_most_20_mib() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    let ey = app.token("ey@firms.test").await;
    let (_, order) = app.post(&gent, "/api/v1/orders", basic("44021")).await;
    let id = order["id"].as_i64().unwrap();
    let path = format!("/api/v1/orders/{id}/audit-reports");
    // Not before the firm accepted.
    let pdf = cyberveilig_domain::document::simple_pdf(&["Rapport"]);
    let r = raw_post(&app, &ey, &path, "application/pdf", pdf.clone()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.post(
        &ey,
        &format!("/api/v1/orders/{id}/accept"),
        json!({"price_cents": 500_940, "planned_start_on": "2020-06-01"}),
    )
    .await;
    let before = app.audit_entries().await;
    // An image called a PDF, HTML, a cut-off PDF: refused on the content, in English when asked.
    for body in [
        b"\x89PNG\r\n\x1a\n0000".to_vec(),
        b"<html>%PDF-1.4</html>".to_vec(),
        pdf[..40].to_vec(),
    ] {
        let r = app
            .http
            .post(format!("{}{path}", app.base))
            .bearer_auth(&ey)
            .header("content-type", "application/pdf")
            .header("accept-language", "en")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = r.json().await.unwrap();
        assert_eq!(problem["field"], "report");
        assert!(problem["detail"].as_str().unwrap().contains("PDF"), "{problem}");
    }
    let too_big = vec![b'%'; cyberveilig_domain::document::MAX_AUDIT_REPORT_BYTES + (128 << 10)];
    let r = raw_post(&app, &ey, &path, "application/pdf", too_big).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.audit_entries().await, before, "nothing refused was written");
    // The government reads the list but does not upload.
    assert_eq!(
        raw_post(&app, &gent, &path, "application/pdf", pdf.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        raw_post(&app, &ey, &path, "application/pdf", pdf).await.status(),
        StatusCode::CREATED
    );
    let (status, list) = app.get(&gent, &path).await;
    assert_eq!((status, list.as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
}

/// What Gent sees of its order at each step: the firm named, the planned start the firm gave,
/// the delivery date, its own part of the price, what a basic audit is, in Dutch and English.
#[tokio::test]
async fn the_government_reads_its_order_with_the_firm_the_dates_and_its_own_part() {
    let app = spawn_app().await;
    let gent_token = app.token("44021@gemeente.test").await;
    let ey_token = app.token("ey@firms.test").await;
    let (_, order) = app.post(&gent_token, "/api/v1/orders", basic("44021")).await;
    let id = order["id"].as_i64().unwrap();
    let path = format!("/bestellingen/{id}");
    let mut gent = portal::signed_in(&app, "44021@gemeente.test").await;
    let page = text(&gent.get(&path).await.body);
    assert!(page.contains("Aangeboden aan EY: het bureau beslist"), "the state names the firm");
    assert!(page.contains("Aangeboden aan EY"), "the timeline names the firm");
    assert!(page.contains("Wat is een basisaudit?") && page.contains("één dag bij de aanpak van de kwetsbaarheden"));
    assert!(page.contains("href=\"https://www.auditvlaanderen.be/ict-veiligheidsaudits\""));
    // EY's package, 2/3 of it from Flanders: Gent's own part is the rest.
    assert!(
        page.contains("€ 5.009,40") && page.contains("€ 3.339,60") && page.contains("€ 1.669,80"),
        "{page}"
    );
    app.post(
        &ey_token,
        &format!("/api/v1/orders/{id}/accept"),
        json!({"price_cents": 480_000, "planned_start_on": "2020-06-02"}),
    )
    .await;
    let page = text(&gent.get(&path).await.body);
    assert!(page.contains("EY voert de audit uit.") && page.contains("Aanvaard door EY voor € 4.800,00"));
    assert!(page.contains("Geplande start") && page.contains("02/06/2020"));
    assert!(
        page.contains("€ 3.200,00") && page.contains("€ 1.600,00"),
        "the share and own part of the price"
    );
    complete_results(&app, &ey_token, id, "compliant", true).await;
    let (status, delivered) = app.post(&ey_token, &format!("/api/v1/orders/{id}/deliver"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{delivered}");
    let page = text(&gent.get(&path).await.body);
    assert!(
        page.contains("EY heeft de audit opgeleverd.") && page.contains("Opgeleverd op") && page.contains("18/05/2020"),
        "{page}"
    );
    assert!(page.contains("Auditrapport opgeladen door EY") && page.contains("rapport.pdf"));
    assert!(!page.contains("event-"), "every event in words: {page}");
    // In English.
    let csrf = gent.get(&path).await.csrf();
    gent.post("/taal", &[("lang", "en"), ("next", &path), ("csrf", &csrf)]).await;
    let page = text(&gent.get(&path).await.body);
    assert!(
        page.contains("EY has delivered the audit.") && page.contains("What is a basic audit?"),
        "{page}"
    );
    assert!(page.contains("The government's own part"));
}

/// A refused remediation-day record keeps every tick, note, owner and attendee.
#[tokio::test]
async fn a_refused_remediation_day_keeps_everything_typed() {
    let app = spawn_app().await;
    let gent_token = app.token("44021@gemeente.test").await;
    let ey_token = app.token("ey@firms.test").await;
    let (_, order) = app.post(&gent_token, "/api/v1/orders", basic("44021")).await;
    let id = order["id"].as_i64().unwrap();
    app.post(
        &ey_token,
        &format!("/api/v1/orders/{id}/accept"),
        json!({"price_cents": 500_940, "planned_start_on": "2020-06-01"}),
    )
    .await;
    let scan = r#"<?xml version="1.0"?><nmaprun scanner="nmap"><host><status state="up"/><address addr="192.0.2.9" addrtype="ipv4"/><ports><port protocol="tcp" portid="3389"><state state="open"/></port></ports></host></nmaprun>"#;
    raw_post(
        &app,
        &ey_token,
        &format!("/api/v1/orders/{id}/imports"),
        "application/xml",
        scan.into(),
    )
    .await;
    let agenda = format!("/bestellingen/{id}/remediedag");
    let mut ey = portal::signed_in(&app, "ey@firms.test").await;
    // Before delivery the page says why the day cannot be recorded yet.
    let page = text(&ey.get(&agenda).await.body);
    assert!(
        page.contains("zodra de resultaten opgeleverd zijn; de bestelling is nu aanvaard"),
        "{page}"
    );
    assert!(!page.contains("Remediëringsdag bewaren"));
    complete_results(&app, &ey_token, id, "compliant", true).await;
    app.post(&ey_token, &format!("/api/v1/orders/{id}/deliver"), json!({})).await;
    let finding = app.get(&gent_token, "/api/v1/findings").await.1["items"][0]["id"].as_i64().unwrap();
    let gent_person = app.services.authenticate(&gent_token).await.unwrap().person_id;
    let (f, p) = (finding.to_string(), gent_person.to_string());
    let refused = ey
        .submit(
            &agenda,
            &agenda,
            &[
                ("held_on", "2031-01-01"),
                ("finding", &f),
                (&format!("started_{f}"), "1"),
                (&format!("start_{f}"), "1"),
                (&format!("note_{f}"), "Patch gepland voor vrijdag"),
                (&format!("owner_{f}"), &p),
                ("people", &p),
                ("attendees", "Jan Peeters (IT)"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &text(&refused.body);
    assert!(
        body.contains("De dag vond plaats tussen de aanvaarding van de bestelling en vandaag."),
        "a sentence in Dutch"
    );
    assert!(body.contains("value=\"2031-01-01\""), "the date typed");
    assert!(
        body.contains(&format!("id=\"started_{f}\" name=\"started_{f}\" value=\"1\" checked")),
        "the tick kept"
    );
    assert!(
        body.contains(&format!("id=\"start_{f}\" name=\"start_{f}\" value=\"1\" checked")),
        "the start kept"
    );
    assert!(body.contains("value=\"Patch gepland voor vrijdag\""), "the note kept");
    assert!(body.contains(&format!("<option value=\"{p}\" selected>")), "the owner kept");
    assert!(
        body.contains(&format!("id=\"person_{p}\" name=\"people\" value=\"{p}\" checked")),
        "the attendee kept"
    );
    assert!(body.contains("Jan Peeters (IT)</textarea>"), "the other attendees kept");
}

/// An agreement past its window is closed for new orders, never "active".
#[tokio::test]
async fn an_agreement_past_its_window_reads_closed() {
    let app = spawn_app_at(Utc.with_ymd_and_hms(2021, 6, 15, 8, 0, 0).unwrap(), WebOptions::default()).await;
    let mut admin = portal::signed_in(&app, "admin@abb.test").await;
    let page = text(&admin.get("/raamovereenkomsten").await.body);
    assert!(page.contains("Gesloten voor nieuwe bestellingen sinds 08/06/2020"), "{page}");
    assert_eq!(
        page.matches("Actief: nieuwe bestellingen worden aangeboden.").count(),
        0,
        "the new one is not activated"
    );
}

/// Every error is a sentence in the page's language: the RFC 9116 check of Gent's security.txt
/// (served over plain http in the tests) in Dutch on the Dutch page, in English on the English.
#[tokio::test]
async fn the_rfc_9116_check_speaks_the_pages_language() {
    let app = spawn_app().await;
    super::disclosure::publish_gent(&app).await;
    let mut gent = portal::signed_in(&app, "44021@gemeente.test").await;
    let page = text(&gent.get("/beleid").await.body);
    assert!(page.contains("verwijst naar een http-adres; RFC 9116 vereist https."), "{page}");
    assert!(!page.contains("must use HTTPS"));
    let csrf = gent.get("/beleid").await.csrf();
    gent.post("/taal", &[("lang", "en"), ("next", "/beleid"), ("csrf", &csrf)]).await;
    let page = text(&gent.get("/beleid").await.body);
    assert!(page.contains("points to an http address; RFC 9116 requires https."), "{page}");
}
