//! The portal end to end, as a browser without JavaScript uses it: cookies, forms with their
//! CSRF tokens, redirects. Tenant isolation, CSRF, session fixation, lockout, language, and
//! the order's whole story through the pages.

use super::*;
use std::collections::HashMap;

/// A browser: keeps cookies, does not follow redirects (so they can be checked).
pub(crate) struct Browser {
    /// The server it asks; another server of the same database may take over (servers.rs).
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
    cookies: HashMap<String, String>,
}

pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) body: String,
    pub(crate) location: Option<String>,
}

impl Page {
    /// The CSRF token of the page's forms.
    pub(crate) fn csrf(&self) -> String {
        let start = self.body.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}

impl Browser {
    pub(crate) fn new(app: &App) -> Browser {
        Browser::at(&app.base)
    }

    pub(crate) fn at(base: &str) -> Browser {
        Browser {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    pub(crate) fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub(crate) async fn read(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
        Page {
            status,
            location,
            body: response.text().await.unwrap(),
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.read(r).await
    }

    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(fields)
            .send()
            .await
            .unwrap();
        self.read(r).await
    }

    /// Posts a form of the page at `from`, with that page's CSRF token.
    pub(crate) async fn submit(&mut self, from: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get(from).await.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    /// Posts a multipart form as a browser does for a file upload: the fields in order, then the file.
    pub(crate) async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> Page {
        let boundary = "----cyberveilig-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        let (file_name, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"report\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
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

    pub(crate) async fn sign_in(&mut self, email: &str) -> Page {
        self.submit(
            "/aanmelden",
            "/aanmelden",
            &[("email", email), ("password", "demo"), ("next", "/start")],
        )
        .await
    }
}

pub(crate) async fn signed_in(app: &App, email: &str) -> Browser {
    let mut b = Browser::new(app);
    let page = b.sign_in(email).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{email} signs in");
    assert_eq!(page.location.as_deref(), Some("/start"));
    b
}

pub(crate) fn order_id_of(page: &Page) -> i64 {
    let location = page.location.as_deref().expect("a redirect to the order");
    location
        .trim_start_matches("/bestellingen/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_sign_in_starts_a_new_session_and_ends_the_one_before() {
    let app = spawn_app().await;
    let mut b = signed_in(&app, "44021@gemeente.test").await;
    let first = b.cookies["cv_session"].clone();
    assert_eq!(b.get("/start").await.status, StatusCode::OK);
    // Someone plants a session id of their own in a victim's browser before the victim signs
    // in: the sign-in gives a new id and ends the planted one.
    let planted = app
        .services
        .sign_in("11002@gemeente.test", "demo", "ip:192.0.2.200")
        .await
        .unwrap()
        .token;
    let mut victim = Browser::new(&app);
    let csrf = victim.get("/aanmelden").await.csrf();
    victim.cookies.insert("cv_session".into(), planted.clone());
    let page = victim
        .post(
            "/aanmelden",
            &[("csrf", csrf.as_str()), ("email", "44021@gemeente.test"), ("password", "demo")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let second = victim.cookies["cv_session"].clone();
    assert_ne!(second, planted);
    assert!(app.services.session(&planted).await.is_err(), "the planted session is over");
    assert!(app.services.session(&second).await.is_ok());
    assert!(
        app.services.session(&first).await.is_ok(),
        "another browser's session is not touched"
    );
    // Signing out ends the session on the server too.
    let out = b.submit("/start", "/afmelden", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(app.services.session(&first).await.is_err());
    assert_eq!(b.get("/start").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let csrf = b.get("/aanmelden").await.csrf();
    let r = b
        .http
        .post(format!("{}/aanmelden", app.base))
        .header("cookie", b.cookie_header())
        .form(&[("csrf", csrf.as_str()), ("email", "44021@gemeente.test"), ("password", "demo")])
        .send()
        .await
        .unwrap();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("cv_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP in tests: {cookie}");
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    let before = app.audit_entries().await;
    for csrf in [None, Some("0000"), Some("")] {
        let mut fields = vec![("programme_id", "1"), ("kind", "basic"), ("scope", "")];
        if let Some(c) = csrf {
            fields.push(("csrf", c));
        }
        let page = gent.post("/bestellingen", &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{csrf:?}");
        assert!(page.body.contains("Formulier verlopen"));
    }
    assert_eq!(app.audit_entries().await, before, "nothing was written");
    // A sign-in form posted from elsewhere (no double-submit cookie) is refused too.
    let mut stranger = Browser::new(&app);
    let page = stranger
        .post(
            "/aanmelden",
            &[("csrf", "abc"), ("email", "44021@gemeente.test"), ("password", "demo")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn repeated_wrong_passwords_slow_down_the_address_in_the_portal() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    for _ in 0..5 {
        let page = b
            .submit(
                "/aanmelden",
                "/aanmelden",
                &[("email", "11002@gemeente.test"), ("password", "wrong")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.body.contains("Verkeerd e-mailadres of wachtwoord"), "{}", page.body);
    }
    let right = b
        .submit(
            "/aanmelden",
            "/aanmelden",
            &[("email", "11002@gemeente.test"), ("password", "demo")],
        )
        .await;
    assert_eq!(
        right.status,
        StatusCode::TOO_MANY_REQUESTS,
        "slowed down, even with the right password"
    );
    assert!(right.body.contains("Te veel mislukte aanmeldingen"), "{}", right.body);
    assert!(right.body.contains("11002@gemeente.test"), "what was typed is kept");
}

#[tokio::test]
async fn the_language_switch_works_for_visitors_and_is_kept_for_people() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    assert!(b.get("/").await.body.contains("<html lang=\"nl\""));
    let switched = b.submit("/", "/taal", &[("lang", "en"), ("next", "/")]).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let home = b.get("/").await;
    assert!(home.body.contains("<html lang=\"en\"") && home.body.contains("Cyber-secure local governments"));
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    gent.submit("/start", "/taal", &[("lang", "en"), ("next", "/start")]).await;
    // Kept with the person, not the browser: a new browser signs in and reads English.
    let mut other = signed_in(&app, "44021@gemeente.test").await;
    let start = other.get("/start").await;
    assert!(start.body.contains("Your orders"), "{}", start.body);

    // The language chosen before signing in stays after it (issue 11, section 5): Antwerpen's
    // account says Dutch; the visitor chose English and signs in.
    let mut visitor = Browser::new(&app);
    visitor.submit("/", "/taal", &[("lang", "en"), ("next", "/")]).await;
    assert_eq!(visitor.sign_in("11002@gemeente.test").await.status, StatusCode::SEE_OTHER);
    let start = visitor.get("/start").await;
    assert!(
        start.body.contains("<html lang=\"en\"") && start.body.contains("Your orders"),
        "{}",
        start.body
    );
    // And it is the person's language from then on.
    let mut later = signed_in(&app, "11002@gemeente.test").await;
    assert!(later.get("/start").await.body.contains("<html lang=\"en\""));
}

#[tokio::test]
async fn an_order_goes_through_the_pages_from_gent_to_settlement() {
    let app = spawn_app().await;
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    let home = gent.get("/start").await;
    assert!(
        home.body.contains("€ 3.339,60"),
        "the share of EY's package price is shown before ordering"
    );
    let ordered = gent
        .submit(
            "/start",
            "/bestellingen",
            &[("programme_id", "1"), ("kind", "basic"), ("scope", "Gemeentehuis")],
        )
        .await;
    assert_eq!(ordered.status, StatusCode::SEE_OTHER, "{}", ordered.body);
    let id = order_id_of(&ordered);
    let page = gent.get(&format!("/bestellingen/{id}")).await;
    assert!(page.body.contains("EY") && page.body.contains("aangeboden") && page.body.contains("€ 3.339,60"));

    // EY declines; the offer moves to Deloitte, which accepts.
    let mut ey = signed_in(&app, "ey@firms.test").await;
    assert!(ey.get("/start").await.body.contains(&format!("/bestellingen/{id}")));
    let declined = ey
        .submit(
            &format!("/bestellingen/{id}"),
            &format!("/bestellingen/{id}/weigeren"),
            &[("reason", "Geen capaciteit")],
        )
        .await;
    assert_eq!(declined.location.as_deref(), Some("/start"));
    assert_eq!(
        ey.get(&format!("/bestellingen/{id}")).await.status,
        StatusCode::NOT_FOUND,
        "EY no longer sees it"
    );
    let mut deloitte = signed_in(&app, "deloitte@firms.test").await;
    let order_path = format!("/bestellingen/{id}");
    let bad = deloitte
        .submit(
            &order_path,
            &format!("{order_path}/aanvaarden"),
            &[("price_euro", "veel"), ("planned_start_on", "2020-06-01")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("Geef een bedrag in euro, bijvoorbeeld 5.009,40.") && bad.body.contains("2020-06-01"),
        "the error is shown and the input kept"
    );
    // D7: the form starts from Deloitte's package price; above it is refused, in Dutch, naming it.
    let offer = deloitte.get(&order_path).await.body;
    assert!(
        offer.contains("value=\"5.120,00\""),
        "the accept form is pre-filled with the package price"
    );
    let above = deloitte
        .submit(
            &order_path,
            &format!("{order_path}/aanvaarden"),
            &[("price_euro", "5.120,01"), ("planned_start_on", "2020-06-01")],
        )
        .await;
    assert_eq!(above.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        above.body.contains("hoogstens de pakketprijs van € 5.120,00") && above.body.contains("value=\"5.120,01\""),
        "the refusal names the agreement's price and keeps what was typed"
    );
    let accepted = deloitte
        .submit(
            &order_path,
            &format!("{order_path}/aanvaarden"),
            &[("price_euro", "5.120,00"), ("planned_start_on", "2020-06-01")],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    // D11: delivery waits for the assessment and the report; the page says what is missing.
    let refused = deloitte.submit(&order_path, &format!("{order_path}/opleveren"), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("nog 32 controles te beoordelen"), "{}", refused.body);
    super::money::complete_results(&app, &app.token("deloitte@firms.test").await, id, "partially", false).await;
    let csrf = deloitte.get(&order_path).await.csrf();
    let not_pdf = deloitte
        .upload(
            &format!("{order_path}/auditrapport"),
            &[("csrf", &csrf)],
            ("rapport.pdf", b"<html>geen pdf</html>"),
        )
        .await;
    assert_eq!(not_pdf.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_pdf.body.contains("Het bestand is geen PDF-document"), "{}", not_pdf.body);
    let pdf = cyberveilig_domain::document::simple_pdf(&["Auditrapport Gent"]);
    let uploaded = deloitte
        .upload(
            &format!("{order_path}/auditrapport"),
            &[("csrf", &csrf)],
            ("Auditrapport Gent.pdf", &pdf),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let delivered = deloitte.submit(&order_path, &format!("{order_path}/opleveren"), &[]).await;
    assert_eq!(delivered.status, StatusCode::SEE_OTHER, "{}", delivered.body);
    // The remediation day is recorded in one place: its agenda; the order page only links there.
    let page = deloitte.get(&order_path).await.body;
    assert!(!page.contains("/remediatiedag\"") && page.contains(&format!("{order_path}/remediedag")));
    let day = deloitte
        .submit(
            &format!("{order_path}/remediedag"),
            &format!("{order_path}/remediedag"),
            &[("held_on", "2020-05-18"), ("attendees", "IT-verantwoordelijke")],
        )
        .await;
    assert_eq!(day.status, StatusCode::SEE_OTHER, "{}", day.body);
    let too_much = deloitte
        .submit(
            &order_path,
            &format!("{order_path}/factureren"),
            &[("invoice_number", "F-2020-001"), ("amount_euro", "90.000,00")],
        )
        .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_much.body.contains("hoogstens de aanvaarde prijs van € 5.120,00"),
        "{}",
        too_much.body
    );
    let invoiced = deloitte
        .submit(
            &order_path,
            &format!("{order_path}/factureren"),
            &[("invoice_number", "F-2020-001"), ("amount_euro", "5000")],
        )
        .await;
    assert_eq!(invoiced.status, StatusCode::SEE_OTHER, "{}", invoiced.body);
    // The administrator sees it in the settlement queue with what settling pays, and confirms
    // that amount: 2/3 of the invoice (EUR 5,000.00, below the price), rounded down.
    let mut admin = signed_in(&app, "admin@abb.test").await;
    let home = admin.get("/start").await.body;
    assert!(home.contains(&format!("/bestellingen/{id}/vereffenen")));
    assert!(
        home.contains("€ 3.333,33") && home.contains("Factuur onder de aanvaarde prijs"),
        "the queue shows the payment and the difference"
    );
    let review = admin.get(&format!("{order_path}/vereffenen")).await;
    assert_eq!(review.status, StatusCode::OK);
    assert!(review.body.contains("€ 3.333,33 uitbetalen") && review.body.contains("name=\"paid_cents\" value=\"333333\""));
    let unconfirmed = admin
        .submit(&format!("{order_path}/vereffenen"), &format!("{order_path}/vereffenen"), &[])
        .await;
    assert_eq!(
        unconfirmed.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "settling needs the confirmed amount"
    );
    let changed = admin
        .submit(
            &format!("{order_path}/vereffenen"),
            &format!("{order_path}/vereffenen"),
            &[("paid_cents", "341333")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(changed.body.contains("De betaling is nu € 3.333,33"), "{}", changed.body);
    let settled = admin
        .submit(
            &format!("{order_path}/vereffenen"),
            &format!("{order_path}/vereffenen"),
            &[("paid_cents", "333333")],
        )
        .await;
    assert_eq!(settled.status, StatusCode::SEE_OTHER, "{}", settled.body);
    let page = gent.get(&order_path).await;
    assert!(
        page.body.contains("vereffend") && page.body.contains("€ 3.333,33"),
        "2/3 of EUR 5,000.00 paid"
    );
    assert!(
        page.body.contains("Geweigerd door EY") && page.body.contains("Geen capaciteit"),
        "the timeline tells the decline and names the firm"
    );
    // Gent downloads the report as a file, safely; Antwerpen finds nothing.
    let report_link = page
        .body
        .split(&format!("{order_path}/auditrapporten/"))
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let r = app
        .http
        .get(format!("{}{order_path}/auditrapporten/{report_link}", app.base))
        .header("cookie", gent.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"Auditrapport_Gent.pdf\"")
    );
    assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    let mut antwerpen = signed_in(&app, "11002@gemeente.test").await;
    assert_eq!(
        antwerpen.get(&format!("{order_path}/auditrapporten/{report_link}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_firm_uploads_its_scan_in_the_portal_and_the_government_sees_what_it_did() {
    let app = spawn_app().await;
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    let id = order_id_of(
        &gent
            .submit("/start", "/bestellingen", &[("programme_id", "1"), ("kind", "basic")])
            .await,
    );
    let results = format!("/bestellingen/{id}/resultaten");
    let mut ey = signed_in(&app, "ey@firms.test").await;
    // Offered, not yet accepted: no upload form.
    assert!(!ey.get(&results).await.body.contains("multipart/form-data"));
    let accepted = ey
        .submit(
            &format!("/bestellingen/{id}"),
            &format!("/bestellingen/{id}/aanvaarden"),
            &[("price_euro", "5009,40"), ("planned_start_on", "2020-06-01")],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert!(
        ey.get(&format!("/bestellingen/{id}")).await.body.contains(&results),
        "the order links to its results"
    );
    let page = ey.get(&results).await;
    assert!(page.body.contains("multipart/form-data") && page.body.contains("/static/upload.js"));
    let csrf = page.csrf();
    let scan = br#"<?xml version="1.0"?><nmaprun scanner="nmap" version="7.94"><host><status state="up"/><address addr="192.0.2.9" addrtype="ipv4"/><ports><port protocol="tcp" portid="3389"><state state="open"/></port><port protocol="tcp" portid="23"><state state="open"/></port></ports></host></nmaprun>"#;

    // Without the form's token, or with a broken file: refused, nothing imported.
    let forged = ey.upload(&results, &[("csrf", "0000")], ("scan.xml", scan)).await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "a forged upload is refused as every forged form is"
    );
    let broken = ey.upload(&results, &[("csrf", &csrf)], ("scan.xml", &scan[..scan.len() / 2])).await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken.body.contains("class=\"error\""), "{}", broken.body);
    let empty = ey.upload(&results, &[("csrf", &csrf)], ("", b"")).await;
    assert!(empty.body.contains("Kies het rapport"), "{}", empty.body);
    assert!(ey.get(&results).await.body.contains("Nog geen rapporten"));

    let done = ey.upload(&results, &[("csrf", &csrf)], ("scan.xml", scan)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let location = done.location.unwrap();
    assert!(location.starts_with(&format!("{results}?import=")), "{location}");
    let summary = ey.get(&location).await;
    assert!(summary.body.contains("Import klaar (nmap)"), "{}", summary.body);
    // The government sees the history but has no form; another firm does not see the order.
    let seen = gent.get(&results).await;
    assert!(seen.body.contains("nmap") && !seen.body.contains("multipart/form-data"));
    let mut deloitte = signed_in(&app, "deloitte@firms.test").await;
    assert_eq!(deloitte.get(&results).await.status, StatusCode::NOT_FOUND);
    let token = deloitte.get("/start").await.csrf();
    let refused = deloitte.upload(&results, &[("csrf", &token)], ("scan.xml", scan)).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let gent_token = app.token("44021@gemeente.test").await;
    assert_eq!(
        app.get(&gent_token, "/api/v1/findings").await.1["items"].as_array().unwrap().len(),
        2
    );
}

#[tokio::test]
async fn the_share_of_additional_work_is_computed_by_the_server_as_it_is_typed() {
    let app = spawn_app().await;
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    let page = gent.get("/bestellingen/aandeel?programme_id=1&estimated_cost_euro=2.500,01").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("€ 1.250,00") && page.body.contains("€ 2.500,01"),
        "{}",
        page.body
    );
    let bad = gent.get("/bestellingen/aandeel?programme_id=1&estimated_cost_euro=veel").await;
    assert!(bad.body.contains("Geef de geraamde kost"), "{}", bad.body);
    // Without JavaScript the form's button does the same (once there is a basic audit, D3).
    gent.submit("/start", "/bestellingen", &[("programme_id", "1"), ("kind", "basic")])
        .await;
    assert!(
        gent.get("/start").await.body.contains("al een basisaudit"),
        "the rule's own refusal explains why not a second one"
    );
    let preview = gent
        .submit(
            "/start",
            "/bestellingen",
            &[
                ("programme_id", "1"),
                ("kind", "additional"),
                ("estimated_cost_euro", "2500,01"),
                ("preview", "1"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("€ 1.250,00"));
}

#[tokio::test]
async fn a_government_sees_only_its_own_orders_and_a_firm_only_its_offers() {
    let app = spawn_app().await;
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    let id = order_id_of(
        &gent
            .submit("/start", "/bestellingen", &[("programme_id", "1"), ("kind", "basic")])
            .await,
    );
    let path = format!("/bestellingen/{id}");
    let mut antwerpen = signed_in(&app, "11002@gemeente.test").await;
    assert_eq!(antwerpen.get(&path).await.status, StatusCode::NOT_FOUND);
    assert!(!antwerpen.get("/bestellingen").await.body.contains(&path));
    assert!(!antwerpen.get("/start").await.body.contains(&path));
    let mut deloitte = signed_in(&app, "deloitte@firms.test").await;
    assert_eq!(
        deloitte.get(&path).await.status,
        StatusCode::NOT_FOUND,
        "offered to EY, not to Deloitte"
    );
    // Antwerpen cannot act on Gent's order either, even with a valid token of its own.
    let cancel = antwerpen
        .submit("/start", &format!("{path}/annuleren"), &[("reason", "weg ermee")])
        .await;
    assert_eq!(cancel.status, StatusCode::NOT_FOUND);
    assert!(gent.get(&path).await.body.contains("aangeboden"), "still offered");
    // Nor order in Gent's name: the portal orders for the signed-in person's own government.
    let before = app.audit_entries().await;
    let page = antwerpen
        .submit(
            "/start",
            "/bestellingen",
            &[("programme_id", "1"), ("kind", "additional"), ("estimated_cost_euro", "1000")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.audit_entries().await, before);
}
