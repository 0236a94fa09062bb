//! Disclosure through the portal: a government's security.txt, the public report form and a
//! report's secret link, and an ethical hacking engagement from the proposal to its findings.

use super::portal::{Browser, Page, signed_in};
use super::*;

#[tokio::test]
async fn gent_downloads_its_security_txt_from_its_page() {
    let app = spawn_app().await;
    super::disclosure::publish_gent(&app).await;
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    let page = gent.get("/beleid").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("security.txt") && page.body.contains("Contact: mailto:cert@stad.gent"));
    let r = app
        .http
        .get(format!("{}/beleid/security.txt?domein=stad.gent", app.base))
        .header("cookie", gent.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"security.txt\"");
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Canonical: https://stad.gent/.well-known/security.txt\n")
    );
    // Publishing from the page, with a date too far away: the page says why.
    let page = gent.submit("/beleid", "/beleid/publiceren", &[("expires_on", "2030-01-01")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("binnen het jaar"));
    let page = gent.submit("/beleid", "/beleid/publiceren", &[("expires_on", "")]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Versie 2"));
}

pub(crate) fn report_input(target: &str, title: &str) -> cyberveilig_services::reports::ReportInput {
    cyberveilig_services::reports::ReportInput {
        government_nis: "44021".into(),
        target: target.into(),
        cwe: "CWE-79".into(),
        title: title.into(),
        description: "The q parameter is echoed.".into(),
        steps: "Open the page.".into(),
        impact: "Script runs.".into(),
        ..Default::default()
    }
}

impl Browser {
    /// Posts the public report form as multipart, with files.
    async fn post_report_form(&mut self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Page {
        let csrf = self.get(path).await.csrf();
        let boundary = "----cyberveilig-report-boundary";
        let mut body = Vec::new();
        for (name, value) in [("csrf", csrf.as_str())].iter().chain(fields.iter()) {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        for (file_name, content_type, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await
            .unwrap();
        self.read(r).await
    }
}

fn report_fields<'a>(target: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("target", target),
        ("cwe", "CWE-79"),
        ("title", title),
        ("description", "<img src=x onerror=alert(1)>"),
        ("steps", "Open /zoeken?q=<script>alert(1)</script>"),
        ("impact", "Script runs."),
        ("cvss_vector", ""),
        ("reporter_name", "<b>Owl</b>"),
        ("reporter_email", ""),
        ("disclosure_plans", ""),
    ]
}

#[tokio::test]
async fn the_public_form_takes_a_report_shows_script_as_text_and_is_rate_limited() {
    let app = spawn_app().await;
    let mut visitor = Browser::new(&app);
    let form = visitor.get("/g/44021/melden").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Een kwetsbaarheid melden aan Gent"));
    assert!(visitor.get("/g/44021/report").await.body.contains("Report a vulnerability to Gent"));
    assert_eq!(visitor.get("/g/99999/melden").await.status, StatusCode::NOT_FOUND);

    let png: &[u8] = b"\x89PNG\r\n\x1a\nxxxx";
    let sent = visitor
        .post_report_form(
            "/g/44021/melden",
            &report_fields("https://www.gent.be/zoeken", "<script>alert(1)</script>"),
            &[("shot.png", "image/png", png)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("CV-"));
    let body = sent.body.replace("&#x2f;", "/");
    let link_start = body.find("/meldingen/volgen/").expect("the follow link is shown");
    let token: String = body[link_start + 18..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    assert_eq!(token.len(), 64);

    // The reporter's page: every field as text, never as markup.
    let page = visitor.get(&format!("/meldingen/volgen/{token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"), "{}", page.body);
    assert!(!page.body.contains("<script>alert(1)"));
    assert!(!page.body.contains("<img src=x"));
    assert!(!page.body.contains("<b>Owl</b>"));
    assert_eq!(page.body.matches("<script").count(), 0, "the portal has no inline script");
    // Only what a reporter may do: read, reply, add files, withdraw while not triaged; none of
    // the government's steps (issue 11, section 4).
    assert!(page.body.contains("Melding intrekken") && page.body.contains("name=\"state\" value=\"closed\""));
    assert!(
        !page.body.contains("Nieuwe stand") && !page.body.contains("name=\"outcome\""),
        "no triage for the reporter"
    );
    assert!(page.body.contains("Uw bericht") && page.body.contains("bijlage"));

    // The attachment is served only as a download.
    let aid = page
        .body
        .split("/bijlagen/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let file = app
        .http
        .get(format!("{}/meldingen/volgen/{token}/bijlagen/{aid}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/octet-stream");
    assert!(file.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    assert_eq!(file.bytes().await.unwrap().as_ref(), png);
    // A guessed link opens nothing.
    let guessed = visitor.get(&format!("/meldingen/volgen/{}", "a".repeat(64))).await;
    assert_eq!(guessed.status, StatusCode::NOT_FOUND);

    // An HTML file calling itself a PNG is refused, and the report with it: nothing is written.
    let lying = visitor
        .post_report_form(
            "/g/44021/melden",
            &report_fields("https://www.gent.be/a", "lying file"),
            &[("shot.png", "image/png", b"<html><script>alert(1)</script></html>")],
        )
        .await;
    assert_eq!(lying.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(lying.body.contains("wordt geweigerd"), "{}", lying.body);
    let gent = app.token("44021@gemeente.test").await;
    assert_eq!(app.get(&gent, "/api/v1/reports").await.1["items"].as_array().unwrap().len(), 1);

    // Five reports at once from one address (a refused one does not count; then one every two
    // minutes), counted in the database: the sixth waits.
    for i in 3..=6 {
        let title = format!("report {i}");
        let page = visitor
            .post_report_form("/g/44021/melden", &report_fields("https://www.gent.be/b", &title), &[])
            .await;
        assert_eq!(page.status, StatusCode::OK, "{i}");
    }
    let limited = visitor
        .post_report_form("/g/44021/melden", &report_fields("https://www.gent.be/b", "six"), &[])
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.body.contains("te veel meldingen"), "{}", limited.body);
    let api = app
        .http
        .post(format!("{}/api/v1/reports", app.base))
        .header("accept-language", "en")
        .json(
            &json!({"government_nis": "44021", "target": "https://www.gent.be/", "cwe": "CWE-79", "title": "t",
                      "description": "d", "steps_to_reproduce": "s", "impact": "i"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(api.headers().contains_key("retry-after"));
    let problem: Value = api.json().await.unwrap();
    assert_eq!(problem["code"], "rate_limited");
    assert!(problem["detail"].as_str().unwrap().contains("too many reports"));
}

#[tokio::test]
async fn the_api_takes_a_report_and_a_secret_link_opens_only_its_own() {
    let app = spawn_app().await;
    let post = |body: Value| {
        app.http
            .post(format!("{}/api/v1/reports", app.base))
            .header("accept-language", "en")
            .json(&body)
            .send()
    };
    let body = |target: &str, title: &str| {
        json!({"government_nis": "31005", "target": target, "cwe": "CWE-89", "title": title, "description": "d",
               "steps_to_reproduce": "s", "impact": "i", "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"})
    };
    // Brugge's register knows 192.0.2.7 once EY's scan is in.
    let admin = app.token("admin@abb.test").await;
    let (_, order) = app
        .post(
            &admin,
            "/api/v1/orders",
            json!({"programme_id": 1, "government_nis": "31005", "kind": "basic"}),
        )
        .await;
    let order = order["id"].as_i64().unwrap();
    let ey = app.token("ey@firms.test").await;
    app.post(
        &ey,
        &format!("/api/v1/orders/{order}/accept"),
        json!({"price_cents": 500940, "planned_start_on": "2020-06-01"}),
    )
    .await;
    let scan = r#"<?xml version="1.0"?><nmaprun scanner="nmap"><host><status state="up"/><address addr="192.0.2.7" addrtype="ipv4"/><ports><port protocol="tcp" portid="23"><state state="open"/></port></ports></host></nmaprun>"#;
    app.http
        .post(format!("{}/api/v1/orders/{order}/imports", app.base))
        .bearer_auth(&ey)
        .body(scan)
        .send()
        .await
        .unwrap();
    // Brugge's form shows one of Brugge's own systems as its example, not Gent's.
    let form = Browser::new(&app).get("/g/31005/melden").await;
    assert!(form.body.contains("192.0.2.7") && !form.body.contains("gent.be"), "{}", form.body);
    // Outside Brugge's systems: received all the same, and marked so (no report is lost).
    let out = post(body("https://192.0.2.8/", "elsewhere")).await.unwrap();
    assert_eq!(out.status(), StatusCode::CREATED);
    let outside: Value = out.json().await.unwrap();
    assert_eq!(outside["outside_scope"], true, "{outside}");

    let a: Value = post(body("http://192.0.2.7/login", "SQL injection"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b: Value = post(body("http://192.0.2.7/admin", "Another")).await.unwrap().json().await.unwrap();
    assert!(a["tracking_code"].as_str().unwrap().starts_with("CV-"));
    assert!(
        a["follow_url"]
            .as_str()
            .unwrap()
            .starts_with("http://portal.test/meldingen/volgen/")
    );
    let (a_id, a_token) = (a["id"].as_i64().unwrap(), a["follow_token"].as_str().unwrap());
    let b_id = b["id"].as_i64().unwrap();
    let get = |path: String| app.http.get(format!("{}{path}", app.base)).send();
    assert_eq!(
        get(format!("/api/v1/reports/{a_id}?token={a_token}")).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        get(format!("/api/v1/reports/{b_id}?token={a_token}")).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(format!("/api/v1/reports/{a_id}")).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let guessed = "0".repeat(64);
    assert_eq!(
        get(format!("/api/v1/reports/{a_id}?token={guessed}")).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // Attachments over the API: a lying type is refused; a real one is a download only.
    let attach = |name: &str, content_type: &str, bytes: &'static [u8]| {
        app.http
            .post(format!(
                "{}/api/v1/reports/{a_id}/attachments?filename={name}&token={a_token}",
                app.base
            ))
            .header("content-type", content_type)
            .body(bytes)
            .send()
    };
    let lying = attach("poc.pdf", "application/pdf", b"<html><script>alert(1)</script></html>")
        .await
        .unwrap();
    assert_eq!(lying.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ok = attach("poc.pdf", "application/pdf", b"%PDF-1.4 test").await.unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
    let aid = ok.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let file = get(format!("/api/v1/reports/{a_id}/attachments/{aid}?token={a_token}"))
        .await
        .unwrap();
    assert_eq!(file.headers()["content-type"], "application/octet-stream");
    assert!(file.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let other = b["follow_token"].as_str().unwrap();
    assert_eq!(
        get(format!("/api/v1/reports/{a_id}/attachments/{aid}?token={other}"))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // Brugge handles it; the reporter follows it with the link.
    let brugge = app.token("31005@gemeente.test").await;
    let (status, list) = app.get(&brugge, "/api/v1/reports").await;
    assert_eq!(status, StatusCode::OK);
    // The two in scope and the one outside it, marked so.
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items.iter().filter(|r| r["outside_scope"] == true).count(), 1);
    // Brugge's home lists them, waiting for its answer, with the date each is due by.
    let mut brugge_portal = signed_in(&app, "31005@gemeente.test").await;
    let home = brugge_portal.get("/start").await;
    assert!(home.body.contains("Meldingen die op uw antwoord wachten"), "{}", home.body);
    for r in items {
        assert!(home.body.contains(r["tracking_code"].as_str().unwrap()), "{r}");
    }
    assert!(home.body.contains("bevestigen tegen"), "the deadline to acknowledge");
    let (status, view) = app
        .post(
            &brugge,
            &format!("/api/v1/reports/{a_id}/state"),
            json!({"state": "triaged", "outcome": "valid", "note": "Confirmed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let (status, view) = app.post(&brugge, &format!("/api/v1/reports/{a_id}/finding"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["state"], "in_remediation");
    let finding = view["finding_id"].as_i64().unwrap();
    let (_, f) = app.get(&brugge, "/api/v1/findings?status=open").await;
    assert!(
        f["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == finding && x["severity"] == "critical"),
        "{f}"
    );
    let followed: Value = get(format!("/api/v1/reports/{a_id}?token={a_token}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(followed["state"], "in_remediation");
    assert_eq!(followed["you_are"], "reporter");
    // The other government and the researcher see none of it.
    let gent = app.token("44021@gemeente.test").await;
    assert_eq!(app.get(&gent, &format!("/api/v1/reports/{a_id}")).await.0, StatusCode::NOT_FOUND);
    let student = app.token("student@howest.test").await;
    assert!(app.get(&student, "/api/v1/reports").await.1["items"].as_array().unwrap().is_empty());
}

/// VVSG proposes Kortrijk's engagement with Howest over the API: (VVSG's token, the engagement).
pub(crate) async fn propose_kortrijk(app: &App) -> (String, Value) {
    let vvsg = app.token("vvsg@vvsg.test").await;
    let terms = json!({"government_nis": "34022", "title": "Webtoepassingen Kortrijk", "starts_on": "2020-05-18", "ends_on": "2020-06-30",
                       "scope": ["www.kortrijk.be"], "techniques": ["web_scanning", "phishing_mail"],
                       "team": [{"email": "docent@howest.test", "role": "supervisor"}, {"email": "student@howest.test", "role": "student"}],
                       "government_contact": "ISC Kortrijk", "team_contact": "Docent Howest", "emergency_contact": "056 00 00 00"});
    let (status, engagement) = app.post(&vvsg, "/api/v1/engagements", terms).await;
    assert_eq!(status, StatusCode::CREATED, "{engagement}");
    (vvsg, engagement)
}

fn hidden_value(page: &Page, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.body.find(&marker).unwrap_or_else(|| panic!("a field {name}")) + marker.len();
    page.body[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn kortrijk_accepts_the_letter_and_the_team_reports_a_finding_through_the_pages() {
    let app = spawn_app().await;
    let (_, engagement) = propose_kortrijk(&app).await;
    let page = format!("/samenwerkingen/{}", engagement["id"]);
    let asset = engagement["scope"][0]["asset_id"].as_i64().unwrap().to_string();
    // Kortrijk's security consultant sees the engagement and its letter, but does not sign.
    let mut consultant = signed_in(&app, "34022@gemeente.test").await;
    let seen = consultant.get(&page).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains("Webtoepassingen Kortrijk") && seen.body.contains("SHA-256"));
    assert!(!seen.body.contains("/aanvaarden"), "no accept form for who does not sign");
    assert!(consultant.get("/samenwerkingen").await.body.contains(&page));
    // Before the acceptance the team may not test: no form for findings.
    let mut student = signed_in(&app, "student@howest.test").await;
    let before = student.get(&page).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(!before.body.contains("/bevindingen\""), "no finding form before the acceptance");
    // The signatory: a stale letter or no consent to social engineering is refused (not a 500).
    let mut director = signed_in(&app, "directeur.34022@gemeente.test").await;
    let shown = director.get(&page).await;
    assert!(shown.body.contains("/aanvaarden"));
    let hash = hidden_value(&shown, "letter_hash");
    assert_eq!(hash, engagement["letter_hash"].as_str().unwrap());
    let accept = format!("{page}/aanvaarden");
    let stale = director
        .submit(&page, &accept, &[("letter_hash", "0000"), ("social_engineering_authorised", "1")])
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_consent = director.submit(&page, &accept, &[("letter_hash", &hash)]).await;
    assert_eq!(no_consent.status, StatusCode::UNPROCESSABLE_ENTITY);
    let accepted = director
        .submit(&page, &accept, &[("letter_hash", &hash), ("social_engineering_authorised", "1")])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(accepted.location.as_deref(), Some(page.as_str()));
    let after = director.get(&page).await;
    assert!(!after.body.contains("/aanvaarden") && after.body.contains("Algemeen directeur"));
    // The student submits a finding; bad input is answered with the form again.
    let submit = format!("{page}/bevindingen");
    let during = student.get(&page).await;
    assert!(during.body.contains(&format!("action=\"{submit}\"")));
    let bad = student
        .submit(
            &page,
            &submit,
            &[
                ("title", "SQL-injectie"),
                ("description", "x"),
                ("severity", "high"),
                ("asset_id", "abc"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("SQL-injectie"), "the form keeps what was typed");
    let fields = [
        ("title", "SQL-injectie in de zoekfunctie"),
        ("description", "De parameter q komt ongefilterd in een query."),
        ("severity", "high"),
        ("cvss_vector", ""),
        ("asset_id", asset.as_str()),
        ("location", "https://www.kortrijk.be/zoeken?q="),
        ("evidence", "q=' OR 1=1 --"),
        ("recommendation", "Gebruik geparametriseerde queries."),
    ];
    let sent = student.submit(&page, &submit, &fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let location = sent.location.unwrap();
    let listed = student.get(&location).await;
    assert!(listed.body.contains("SQL-injectie in de zoekfunctie") && listed.body.contains("De bevinding staat in het register"));
    // It is in Kortrijk's register, linked from the engagement for the government.
    assert!(consultant.get("/bevindingen").await.body.contains("SQL-injectie in de zoekfunctie"));
    assert!(consultant.get(&page).await.body.contains("href=\"/bevindingen/"));
    // An outsider gets a 404, for the page and for its forms.
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    assert_eq!(gent.get(&page).await.status, StatusCode::NOT_FOUND);
    let csrf = gent.get("/start").await.csrf();
    let posted = gent.post(&accept, &[("csrf", &csrf), ("letter_hash", &hash)]).await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn vvsg_proposes_through_the_page_counts_it_and_withdraws_it() {
    let app = spawn_app().await;
    let mut vvsg = signed_in(&app, "vvsg@vvsg.test").await;
    let form = "/samenwerkingen/nieuw";
    let shown = vvsg.get(form).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("name=\"techniques\"") && shown.body.contains("name=\"team_email\""));
    let mut fields = vec![
        ("government_nis", "34022"),
        ("title", "Netwerk Kortrijk"),
        ("starts_on", "2020-06-01"),
        ("ends_on", "2020-06-30"),
        ("scope", "www.kortrijk.be\r\n192.0.2.0/24"),
        ("techniques", "network_scanning"),
        ("techniques", "web_scanning"),
        ("team_email", "docent@howest.test"),
        ("team_role", "supervisor"),
        ("team_email", "student@howest.test"),
        ("team_role", "student"),
        ("team_email", ""),
        ("team_role", "student"),
        ("government_contact", "ISC Kortrijk"),
        ("team_contact", "Docent Howest"),
        ("emergency_contact", "056 00 00 00"),
    ];
    // Bad input is refused with the form as typed: a date that is no date, a team without a supervisor.
    let mut bad = fields.clone();
    bad[2] = ("starts_on", "1 juni");
    let refused = vvsg.submit(form, form, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Netwerk Kortrijk") && refused.body.contains("role=\"alert\""));
    let mut bad = fields.clone();
    bad[8] = ("team_role", "student");
    let refused = vvsg.submit(form, form, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("begeleider"), "{}", refused.body);
    fields.push(("techniques", "phishing_mail"));
    let proposed = vvsg.submit(form, form, &fields).await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
    let page = proposed.location.unwrap();
    let seen = vvsg.get(&page).await;
    assert!(seen.body.contains("TOESTEMMINGSBRIEF") && seen.body.contains("192.0.2.0&#x2f;24"));
    assert!(seen.body.contains("eng-proposed") && seen.body.contains("social engineering"));
    // VVSG sees the figures, not the team's findings.
    assert!(!seen.body.contains("id=\"bevindingen\""));
    let figures = vvsg.get("/samenwerkingen/cijfers").await;
    assert_eq!(figures.status, StatusCode::OK);
    assert!(figures.body.contains("Kortrijk"));
    // In English, the letter is the English one.
    let mut student = signed_in(&app, "student@howest.test").await;
    student.submit("/start", "/taal", &[("lang", "en"), ("next", "/start")]).await;
    let english = student.get(&page).await;
    assert!(english.body.contains("AUTHORISATION LETTER FOR ETHICAL HACKING") && !english.body.contains("TOESTEMMINGSBRIEF"));
    // VVSG changes the terms through the page: the form holds them, a new version of the letter follows.
    let change = format!("{page}/wijzigen");
    let terms = vvsg.get(&change).await;
    assert_eq!(terms.status, StatusCode::OK);
    assert!(terms.body.contains("value=\"Netwerk Kortrijk\"") && terms.body.contains("value=\"docent@howest.test\""));
    let mut changed_fields = fields.clone();
    changed_fields[1] = ("title", "Netwerk en web Kortrijk");
    let changed = vvsg.submit(&change, &change, &changed_fields).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert!(vvsg.get(&page).await.body.contains("Netwerk en web Kortrijk"));
    let mut bad = changed_fields.clone();
    bad[0] = ("government_nis", "44021");
    assert_eq!(vvsg.submit(&change, &change, &bad).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A student may not withdraw; VVSG may, with a reason.
    assert!(!english.body.contains("/intrekken"));
    let csrf = english.csrf();
    let tried = student
        .post(&format!("{page}/intrekken"), &[("csrf", &csrf), ("reason", "x")])
        .await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
    let withdraw = format!("{page}/intrekken");
    let no_reason = vvsg.submit(&page, &withdraw, &[("reason", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let withdrawn = vvsg.submit(&page, &withdraw, &[("reason", "Het bestuur ziet ervan af.")]).await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    let after = vvsg.get(&page).await;
    assert!(
        after.body.contains("eng-withdrawn") && after.body.contains("Het bestuur ziet ervan af.") && !after.body.contains("/intrekken")
    );
}
