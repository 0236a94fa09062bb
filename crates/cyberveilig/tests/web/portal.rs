//! The portal end to end, as a browser without JavaScript uses it: cookies, forms with their
//! CSRF tokens, redirects. Tenant isolation, CSRF, session fixation, lockout, language, and
//! the order's whole story through the pages.

use super::*;
use std::collections::HashMap;

/// A browser: keeps cookies, does not follow redirects (so they can be checked).
pub(crate) struct Browser {
    /// The server it asks; another server of the same database may take over (servers.rs).
    pub(crate) base: String,
    http: reqwest::Client,
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

    async fn read(&mut self, response: reqwest::Response) -> Page {
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
    async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> Page {
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

fn order_id_of(page: &Page) -> i64 {
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

/// Every page of the portal (GET), and who may open it: anonymous visitors, each role, and a
/// government that does not own the order. A route not in this table fails the test.
#[tokio::test]
async fn the_page_matrix() {
    let app = spawn_app().await;
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    let id = order_id_of(
        &gent
            .submit("/start", "/bestellingen", &[("programme_id", "1"), ("kind", "basic")])
            .await,
    );
    let order = format!("/bestellingen/{id}");
    // A finding of Gent's: EY accepts the order and imports a scan.
    let ey_token = app.token("ey@firms.test").await;
    app.post(
        &ey_token,
        &format!("/api/v1/orders/{id}/accept"),
        json!({"price_cents": 500_940, "planned_start_on": "2020-06-01"}),
    )
    .await;
    let scan = r#"<?xml version="1.0"?><nmaprun scanner="nmap"><host><status state="up"/><address addr="192.0.2.9" addrtype="ipv4"/><ports><port protocol="tcp" portid="3389"><state state="open"/></port></ports></host></nmaprun>"#;
    app.http
        .post(format!("{}/api/v1/orders/{id}/imports", app.base))
        .bearer_auth(&ey_token)
        .body(scan)
        .send()
        .await
        .unwrap();
    let gent_token = app.token("44021@gemeente.test").await;
    // EY's audit report on the order, and Gent's additional work, invoiced by EY, to settle.
    let pdf = cyberveilig_domain::document::simple_pdf(&["Auditrapport"]);
    let uploaded = app
        .http
        .post(format!("{}/api/v1/orders/{id}/audit-reports?filename=rapport.pdf", app.base))
        .bearer_auth(&ey_token)
        .body(pdf)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let report_id = uploaded.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let report_file = format!("/bestellingen/{id}/auditrapporten/{report_id}");
    let (_, extra) = app
        .post(
            &gent_token,
            "/api/v1/orders",
            json!({"programme_id": 1, "government_nis": "44021", "kind": "additional", "scope": "Phishingtest",
                   "estimated_cost_cents": 200_000}),
        )
        .await;
    let extra = extra["id"].as_i64().unwrap();
    for (step, body) in [
        ("accept", json!({"price_cents": 200_000, "planned_start_on": "2020-06-01"})),
        ("deliver", json!({})),
        ("invoice", json!({"invoice_number": "EY-1", "amount_cents": 200_000})),
    ] {
        let (status, answer) = app.post(&ey_token, &format!("/api/v1/orders/{extra}/{step}"), body).await;
        assert_eq!(status, StatusCode::OK, "{step}: {answer}");
    }
    let settle_page = format!("/bestellingen/{extra}/vereffenen");
    let finding_id = app.get(&gent_token, "/api/v1/findings").await.1["items"][0]["id"].as_i64().unwrap();
    let finding = format!("/bevindingen/{finding_id}");
    let agenda = format!("/bestellingen/{id}/remediedag");
    // Gent's register holds findings of every origin; EY's agenda page shows only its own.
    let origins = super::security::findings_of_every_origin(&app, "44021", id).await;
    super::disclosure::publish_gent(&app).await;
    // A report to Gent by the researcher, about the host the scan found.
    let student = app.services.authenticate(&app.token("student@howest.test").await).await.unwrap();
    let submitted = app
        .services
        .submit_report(Some(&student), report_input("http://192.0.2.9/login", "Open RDP"))
        .await
        .unwrap();
    let report_page = format!("/meldingen/{}", submitted.report.id);
    let follow_page = format!("/meldingen/volgen/{}", submitted.follow_token);
    // Kortrijk's engagement with Howest (the researcher is in its team); Gent and Antwerpen are
    // outsiders to it.
    let (_, engagement) = propose_kortrijk(&app).await;
    let engagement_page = format!("/samenwerkingen/{}", engagement["id"]);
    let vvsg_token = app.token("vvsg@vvsg.test").await;
    let (status, event) = app
        .post(
            &vvsg_token,
            "/api/v1/awareness-events",
            json!({"kind": "session", "title": "Matrix", "description": "Ransomware", "audience": ["ict"],
                   "starts_at": "2020-06-22T10:00:00Z", "ends_at": "2020-06-22T12:00:00Z", "place": "Brussel",
                   "capacity": 30, "registration_deadline": "2020-06-20T10:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let event_page = format!("/evenementen/{}", event["id"]);
    let admin_token = app.token("admin@abb.test").await;
    let (status, meeting) = app
        .post(
            &admin_token,
            "/api/v1/steering/meetings",
            json!({"title": "Stuurgroep 1", "starts_at": "2020-06-09T08:00:00Z", "place": "Brussel", "agenda": ["Opening"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{meeting}");
    let meeting_page = format!("/stuurgroep/{}", meeting["id"]);
    let document_page = {
        let admin = app.services.authenticate(&admin_token).await.unwrap();
        let pdf = cyberveilig_domain::document::simple_pdf(&["Nota"]);
        let d = app
            .services
            .attach_steering_document(&admin, meeting["id"].as_i64().unwrap(), "Nota", "nota.pdf", &pdf)
            .await
            .unwrap();
        format!("{meeting_page}/documenten/{}", d.id)
    };
    // VVSG's grant: a claim with its PDF and a progress report (put in the store: no half-year
    // has ended on this day).
    let claimed = app
        .http
        .post(format!(
            "{}/api/v1/project-grants/1/claims?work_package=1&costs_from=2020-05-01&costs_until=2020-05-15&amount_cents=100000&description=Kosten",
            app.base
        ))
        .bearer_auth(&vvsg_token)
        .header("content-type", "application/pdf")
        .body(cyberveilig_domain::document::simple_pdf(&["Schuldvordering"]))
        .send()
        .await
        .unwrap();
    assert_eq!(claimed.status(), StatusCode::CREATED);
    let claim_page = format!("/actieplan/schuldvorderingen/{}", claimed.json::<Value>().await.unwrap()["id"]);
    let progress_page = {
        let mut tx = app.services.store.write().await.unwrap();
        let vvsg = tx.person_by_email(&"vvsg@vvsg.test".parse().unwrap()).await.unwrap().unwrap();
        let report = cyberveilig_services::store::records::ProgressReport {
            id: 0,
            grant_id: 1,
            period_from: "2020-05-01".parse().unwrap(),
            period_until: "2020-10-31".parse().unwrap(),
            text: "Voortgang".into(),
            figures: json!({}),
            submitted_by: vvsg.id,
            submitted_at: chrono::Utc::now(),
            reviewed_by: None,
            reviewed_at: None,
            review_note: None,
        };
        let id = tx.insert_progress_report(&report).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        format!("/actieplan/voortgang/{id}")
    };
    // The toolkit: a playbook and the public awareness kit, published.
    let (playbook, kit) = {
        let vvsg = app.services.authenticate(&vvsg_token).await.unwrap();
        let second = {
            let mut tx = app.services.store.write().await.unwrap();
            let id = tx
                .insert_person(&cyberveilig_services::store::records::NewPerson {
                    organisation_id: vvsg.organisation_id,
                    email: "redactie@vvsg.test".parse().unwrap(),
                    name: "Redactie VVSG".into(),
                    role: cyberveilig_domain::registry::Role::AssociationMember,
                    password_hash: "-".into(),
                    language: "nl".into(),
                })
                .await
                .unwrap();
            tx.commit().await.unwrap();
            cyberveilig_services::Actor {
                person_id: id,
                ..vvsg.clone()
            }
        };
        let mut ids = Vec::new();
        for slug in ["phishing-playbook", "staff-awareness-kit"] {
            let input = cyberveilig_services::toolkit::content::shipped()
                .unwrap()
                .into_iter()
                .find(|i| i.slug == slug)
                .unwrap();
            let view = app.services.create_toolkit_item(&vvsg, input).await.unwrap();
            app.services.submit_toolkit_version(&vvsg, view.item.id).await.unwrap();
            app.services.review_toolkit_version(&second, view.item.id, true, "").await.unwrap();
            ids.push(view.item.id);
        }
        (format!("/toolkit/{}", ids[0]), format!("/toolkit/{}", ids[1]))
    };
    const OK: u16 = 200;
    const SIGN_IN: u16 = 303;
    const NO: u16 = 403;
    const GONE: u16 = 404;
    // path, then: anonymous, Gent (owner), Antwerpen (foreign government), EY (offered), Deloitte, admin, VVSG, researcher.
    let matrix: Vec<(String, [u16; 8])> = vec![
        ("/".into(), [OK, OK, OK, OK, OK, OK, OK, OK]),
        (
            "/aanmelden".into(),
            [OK, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN],
        ),
        ("/wachtwoord-vergeten".into(), [OK; 8]),
        ("/registreren".into(), [OK; 8]),
        ("/start".into(), [SIGN_IN, OK, OK, OK, OK, OK, OK, OK]),
        ("/bestellingen".into(), [SIGN_IN, OK, OK, OK, OK, OK, NO, NO]),
        (
            "/bestellingen/aandeel?programme_id=1&estimated_cost_euro=1000".into(),
            [SIGN_IN, OK, OK, NO, NO, NO, NO, NO],
        ),
        (order.clone(), [SIGN_IN, OK, GONE, OK, GONE, OK, GONE, GONE]),
        (report_file.clone(), [SIGN_IN, OK, GONE, OK, GONE, OK, GONE, GONE]),
        (settle_page.clone(), [SIGN_IN, NO, GONE, NO, GONE, OK, GONE, GONE]),
        (format!("{order}/resultaten"), [SIGN_IN, OK, GONE, OK, GONE, OK, GONE, GONE]),
        (format!("{order}/beoordeling"), [SIGN_IN, OK, GONE, OK, GONE, OK, GONE, GONE]),
        (format!("{order}/verslag.pdf"), [SIGN_IN, OK, GONE, OK, GONE, OK, GONE, GONE]),
        ("/bevindingen".into(), [SIGN_IN, OK, OK, OK, OK, OK, NO, NO]),
        (finding.clone(), [SIGN_IN, OK, GONE, OK, GONE, OK, GONE, GONE]),
        ("/bevindingen/export?format=xlsx".into(), [SIGN_IN, OK, OK, OK, OK, OK, NO, NO]),
        ("/bevindingen/systemen".into(), [SIGN_IN, OK, OK, NO, NO, NO, NO, NO]),
        (agenda.clone(), [SIGN_IN, OK, GONE, OK, GONE, OK, GONE, GONE]),
        ("/raamovereenkomsten".into(), [SIGN_IN, NO, NO, NO, NO, OK, NO, NO]),
        ("/besturen".into(), [SIGN_IN, NO, NO, NO, NO, OK, NO, NO]),
        ("/mensen".into(), [SIGN_IN, OK, OK, OK, OK, OK, OK, OK]),
        ("/postvak".into(), [SIGN_IN, NO, NO, NO, NO, OK, NO, NO]),
        ("/account".into(), [SIGN_IN, OK, OK, OK, OK, OK, OK, OK]),
        ("/tweede-factor".into(), [SIGN_IN, OK, OK, OK, OK, OK, OK, OK]),
        ("/aanmelden/code".into(), [SIGN_IN; 8]),
        ("/beleid".into(), [SIGN_IN, OK, OK, NO, NO, NO, NO, NO]),
        // Antwerpen has published nothing to download.
        ("/beleid/security.txt".into(), [SIGN_IN, OK, GONE, NO, NO, NO, NO, NO]),
        ("/modelbeleid".into(), [SIGN_IN, NO, NO, NO, NO, NO, OK, NO]),
        ("/g/44021/beleid".into(), [OK; 8]),
        ("/g/44021/policy".into(), [OK; 8]),
        ("/g/44021/beleid/versie/1".into(), [OK; 8]),
        ("/g/44021/policy/version/1".into(), [OK; 8]),
        ("/g/44021/.well-known/security.txt".into(), [OK; 8]),
        ("/.well-known/security.txt".into(), [OK; 8]),
        ("/meldingen".into(), [SIGN_IN, OK, OK, NO, NO, OK, OK, OK]),
        (report_page.clone(), [SIGN_IN, OK, GONE, GONE, GONE, OK, GONE, OK]),
        (follow_page.clone(), [OK; 8]),
        ("/g/44021/melden".into(), [OK; 8]),
        ("/g/44021/report".into(), [OK; 8]),
        ("/g/44021/dank".into(), [OK; 8]),
        ("/dank".into(), [OK; 8]),
        ("/melden".into(), [OK; 8]),
        ("/samenwerkingen".into(), [SIGN_IN, OK, OK, NO, NO, OK, OK, OK]),
        ("/samenwerkingen/nieuw".into(), [SIGN_IN, NO, NO, NO, NO, OK, OK, NO]),
        ("/samenwerkingen/cijfers".into(), [SIGN_IN, NO, NO, NO, NO, OK, OK, NO]),
        (engagement_page.clone(), [SIGN_IN, GONE, GONE, GONE, GONE, OK, OK, OK]),
        (format!("{engagement_page}/wijzigen"), [SIGN_IN, GONE, GONE, GONE, GONE, OK, OK, NO]),
        ("/samenwerkingen/x".into(), [SIGN_IN, GONE, GONE, GONE, GONE, GONE, GONE, GONE]),
        ("/evenementen".into(), [SIGN_IN, OK, OK, OK, OK, OK, OK, OK]),
        ("/evenementen?voorbij=1".into(), [SIGN_IN, OK, OK, OK, OK, OK, OK, OK]),
        ("/evenementen/nieuw".into(), [SIGN_IN, NO, NO, NO, NO, NO, OK, NO]),
        ("/evenementen/bereik".into(), [SIGN_IN, NO, NO, NO, NO, OK, OK, NO]),
        // The baseline scan: a government's own page, the administrator's overview.
        ("/basisbeveiliging".into(), [SIGN_IN, OK, OK, NO, NO, OK, NO, NO]),
        ("/basisbeveiliging/44021".into(), [SIGN_IN, OK, GONE, NO, NO, OK, NO, NO]),
        ("/basisbeveiliging/99999".into(), [SIGN_IN, GONE, GONE, NO, NO, GONE, NO, NO]),
        ("/openbaar/basisbeveiliging".into(), [GONE; 8]),
        ("/scanner".into(), [OK; 8]),
        (event_page.clone(), [SIGN_IN, OK, OK, OK, OK, OK, OK, OK]),
        (format!("{event_page}/wijzigen"), [SIGN_IN, NO, NO, NO, NO, NO, OK, NO]),
        (format!("{event_page}/agenda.ics"), [SIGN_IN, OK, OK, OK, OK, OK, OK, OK]),
        ("/evenementen/x".into(), [SIGN_IN, GONE, GONE, GONE, GONE, GONE, GONE, GONE]),
        ("/evenementen/999999".into(), [SIGN_IN, GONE, GONE, GONE, GONE, GONE, GONE, GONE]),
        // Nobody but the administrator is a member of the steering group here.
        ("/stuurgroep".into(), [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE]),
        (meeting_page.clone(), [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE]),
        (
            format!("{meeting_page}/rapport.pdf"),
            [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE],
        ),
        ("/stuurgroep/x".into(), [SIGN_IN, GONE, GONE, GONE, GONE, GONE, GONE, GONE]),
        (document_page.clone(), [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE]),
        // The dashboards and the answer to Parliament: the administrator's.
        // A government and VVSG see their own part of the dashboards.
        ("/cijfers".into(), [SIGN_IN, OK, OK, GONE, GONE, OK, OK, GONE]),
        ("/cijfers?at=2020-05-01".into(), [SIGN_IN, OK, OK, GONE, GONE, OK, OK, GONE]),
        (
            "/cijfers/csv?tabel=disclosure&formaat=xlsx".into(),
            [SIGN_IN, OK, OK, GONE, GONE, OK, GONE, GONE],
        ),
        (
            "/cijfers/csv?tabel=engagements".into(),
            [SIGN_IN, GONE, GONE, GONE, GONE, OK, OK, GONE],
        ),
        (
            "/cijfers/csv?tabel=orders-by-month".into(),
            [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE],
        ),
        ("/cijfers/csv?tabel=x".into(), [SIGN_IN, GONE, GONE, GONE, GONE, GONE, GONE, GONE]),
        ("/cijfers/parlement".into(), [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE]),
        (
            "/cijfers/parlement/bestand?formaat=docx".into(),
            [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE],
        ),
        (
            "/cijfers/csv?tabel=orders-by-state&formaat=xlsx".into(),
            [SIGN_IN, OK, OK, GONE, GONE, OK, GONE, GONE],
        ),
        (
            "/exporteren?lijst=orders&formaat=xlsx&state=offered".into(),
            [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE],
        ),
        (
            "/exporteren?lijst=settlements".into(),
            [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE],
        ),
        (
            "/exporteren?lijst=governments".into(),
            [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE],
        ),
        (
            "/exporteren?lijst=agreements".into(),
            [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE],
        ),
        (
            "/exporteren?lijst=reports".into(),
            [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE],
        ),
        (
            "/exporteren?lijst=engagements".into(),
            [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE],
        ),
        ("/exporteren?lijst=x".into(), [SIGN_IN, GONE, GONE, GONE, GONE, GONE, GONE, GONE]),
        (
            "/cijfers/kwartaalrapport?jaar=2020&kwartaal=2".into(),
            [SIGN_IN, GONE, GONE, GONE, GONE, OK, GONE, GONE],
        ),
        // VVSG's grant: the beneficiary and the administrator.
        ("/actieplan".into(), [SIGN_IN, GONE, GONE, GONE, GONE, OK, OK, GONE]),
        (claim_page.clone(), [SIGN_IN, GONE, GONE, GONE, GONE, OK, OK, GONE]),
        (format!("{claim_page}/bewijsstuk"), [SIGN_IN, GONE, GONE, GONE, GONE, OK, OK, GONE]),
        (
            "/actieplan/schuldvorderingen/999999".into(),
            [SIGN_IN, GONE, GONE, GONE, GONE, GONE, GONE, GONE],
        ),
        (progress_page.clone(), [SIGN_IN, GONE, GONE, GONE, GONE, OK, OK, GONE]),
        // The toolkit: information material for everyone, the rest for people signed in.
        ("/toolkit".into(), [OK; 8]),
        ("/toolkit?q=phishing&kind=playbook".into(), [OK; 8]),
        ("/toolkit/nieuw".into(), [SIGN_IN, NO, NO, NO, NO, NO, OK, NO]),
        ("/toolkit/gebruik".into(), [SIGN_IN, OK, OK, NO, NO, OK, OK, NO]),
        (kit.clone(), [OK; 8]),
        (format!("{kit}/download?format=pdf"), [OK; 8]),
        (playbook.clone(), [GONE, OK, OK, OK, OK, OK, OK, OK]),
        (format!("{playbook}/bewerken"), [SIGN_IN, NO, NO, NO, NO, NO, OK, NO]),
        (format!("{playbook}/checklist"), [SIGN_IN, OK, OK, NO, NO, NO, NO, NO]),
        ("/toolkit/x".into(), [GONE; 8]),
        (format!("{kit}/bestanden/999999"), [GONE; 8]),
    ];
    let covered: Vec<&str> = matrix
        .iter()
        .map(|(p, _)| {
            if p == &order {
                "/bestellingen/{id}"
            } else if p == &report_file {
                "/bestellingen/{id}/auditrapporten/{rid}"
            } else if p == &settle_page {
                "/bestellingen/{id}/vereffenen"
            } else if p == &format!("{order}/resultaten") {
                "/bestellingen/{id}/resultaten"
            } else if p == &format!("{order}/verslag.pdf") {
                "/bestellingen/{id}/verslag.pdf"
            } else if p == &format!("{order}/beoordeling") {
                "/bestellingen/{id}/beoordeling"
            } else if p == &finding {
                "/bevindingen/{id}"
            } else if p == &agenda {
                "/bestellingen/{id}/remediedag"
            } else if p == &report_page {
                "/meldingen/{id}"
            } else if p == &follow_page {
                "/meldingen/volgen/{token}"
            } else if p == &engagement_page || p == "/samenwerkingen/x" {
                "/samenwerkingen/{id}"
            } else if p == &format!("{engagement_page}/wijzigen") {
                "/samenwerkingen/{id}/wijzigen"
            } else if p == &event_page || p == "/evenementen/x" || p == "/evenementen/999999" {
                "/evenementen/{id}"
            } else if p == &format!("{event_page}/wijzigen") {
                "/evenementen/{id}/wijzigen"
            } else if p == &format!("{event_page}/agenda.ics") {
                "/evenementen/{id}/agenda.ics"
            } else if p == &meeting_page || p == "/stuurgroep/x" {
                "/stuurgroep/{id}"
            } else if p == &document_page {
                "/stuurgroep/{id}/documenten/{document}"
            } else if p == &kit || p == &playbook || p == "/toolkit/x" {
                "/toolkit/{id}"
            } else if p == &format!("{kit}/bestanden/999999") {
                "/toolkit/{id}/bestanden/{file}"
            } else if p == &format!("{kit}/download?format=pdf") {
                "/toolkit/{id}/download"
            } else if p == &format!("{playbook}/bewerken") {
                "/toolkit/{id}/bewerken"
            } else if p == &format!("{playbook}/checklist") {
                "/toolkit/{id}/checklist"
            } else if p == &claim_page || p == "/actieplan/schuldvorderingen/999999" {
                "/actieplan/schuldvorderingen/{id}"
            } else if p == &format!("{claim_page}/bewijsstuk") {
                "/actieplan/schuldvorderingen/{id}/bewijsstuk"
            } else if p == &progress_page {
                "/actieplan/voortgang/{id}"
            } else if p == &format!("{meeting_page}/rapport.pdf") {
                "/stuurgroep/{id}/rapport.pdf"
            } else if p.starts_with("/g/44021/") {
                match p.as_str() {
                    "/g/44021/beleid/versie/1" => "/g/{nis}/beleid/versie/{version}",
                    "/g/44021/policy/version/1" => "/g/{nis}/policy/version/{version}",
                    "/g/44021/beleid" => "/g/{nis}/beleid",
                    "/g/44021/policy" => "/g/{nis}/policy",
                    "/g/44021/melden" => "/g/{nis}/melden",
                    "/g/44021/report" => "/g/{nis}/report",
                    "/g/44021/dank" => "/g/{nis}/dank",
                    _ => "/g/{nis}/.well-known/security.txt",
                }
            } else {
                p.split('?').next().unwrap_or_default()
            }
        })
        .collect();
    for page in cyberveilig_web::portal::PAGES {
        assert!(covered.contains(page), "the page {page} is missing from the matrix");
    }
    let mut browsers = vec![Browser::new(&app)];
    for email in [
        "44021@gemeente.test",
        "11002@gemeente.test",
        "ey@firms.test",
        "deloitte@firms.test",
        "admin@abb.test",
        "vvsg@vvsg.test",
        "student@howest.test",
    ] {
        browsers.push(signed_in(&app, email).await);
    }
    let mut wrong = Vec::new();
    for (path, expected) in &matrix {
        for (who, browser) in browsers.iter_mut().enumerate() {
            let got = browser.get(path).await.status.as_u16();
            if got != expected[who] {
                wrong.push(format!("{path} as #{who}: {got}, expected {}", expected[who]));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The agenda: Gent and the administrator see findings of every origin, EY only its own.
    for (who, sees_all) in [(1, true), (5, true), (3, false)] {
        let page = browsers[who].get(&agenda).await.body;
        for title in origins.firm_sees() {
            assert!(page.contains(title), "#{who}: {title} missing");
        }
        for title in origins.firm_does_not_see() {
            assert_eq!(page.contains(title), sees_all, "#{who}: {title}");
        }
    }
}

#[tokio::test]
async fn an_invitation_goes_out_by_mail_and_opens_an_account() {
    let app = spawn_app().await;
    let mut admin = signed_in(&app, "admin@abb.test").await;
    let people = admin.get("/mensen").await.body;
    assert!(people.contains(">EY<"), "{people}");
    let ey_id = people
        .split("<option value=\"")
        .skip(1)
        .find(|o| o.contains(">EY<"))
        .and_then(|o| o.split('"').next())
        .unwrap()
        .to_owned();
    let sent = admin
        .submit(
            "/mensen",
            "/mensen/uitnodigen",
            &[
                ("name", "Nieuwe auditor"),
                ("email", "nieuw@ey.test"),
                ("organisation", &ey_id),
                ("role", "firm_member"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("nieuw@ey.test"));
    let outbox = admin.get("/postvak").await.body.replace("&#x2f;", "/");
    let start = outbox.find("/uitnodiging/").unwrap();
    let link = outbox[start..]
        .split(|c: char| c.is_whitespace() || c == '<')
        .next()
        .unwrap()
        .to_owned();
    let mut invitee = Browser::new(&app);
    let short = invitee.submit(&link, &link, &[("password", "kort")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let opened = invitee.submit(&link, &link, &[("password", "een lang genoeg wachtwoord")]).await;
    assert_eq!(opened.location.as_deref(), Some("/start"));
    assert!(invitee.get("/start").await.body.contains("EY"));
    assert_eq!(Browser::new(&app).get(&link).await.status, StatusCode::GONE, "a link works once");
}

#[tokio::test]
async fn the_administrator_amends_the_programme_from_its_page() {
    let app = spawn_app().await;
    let mut admin = signed_in(&app, "admin@abb.test").await;
    let earlier = admin
        .submit(
            "/start",
            "/programmas/1/wijzigen",
            &[("offer_ends_on", "2021-06-30"), ("reason", "Korter")],
        )
        .await;
    assert_eq!(earlier.status, StatusCode::UNPROCESSABLE_ENTITY, "an earlier end is refused");
    assert!(earlier.body.contains("Korter"), "what was typed is kept");
    let done = admin
        .submit(
            "/start",
            "/programmas/1/wijzigen",
            &[
                ("offer_ends_on", "2022-03-31"),
                ("budget_euro", ""),
                ("reason", "Verlenging door de minister"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let body = done.body.replace("&#x2f;", "/");
    assert!(
        body.contains("aanbod verlengd tot 31/03/2022") && body.contains("Verlenging door de minister"),
        "{body}"
    );
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    let refused = gent
        .submit(
            "/start",
            "/programmas/1/wijzigen",
            &[("offer_ends_on", "2023-01-01"), ("reason", "x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn where_it_is_enforced_an_administrator_sets_up_the_second_factor_before_anything_else() {
    let policy = cyberveilig_services::AccountPolicy {
        enforce_second_factor: true,
        public_url: "https://portal.test".into(),
    };
    let options = WebOptions {
        secure_cookies: true,
        ..Default::default()
    };
    let app = spawn_app_with(chrono::Utc::now(), options, policy).await;
    let mut admin = Browser::new(&app);
    let page = admin.sign_in("admin@abb.test").await;
    assert_eq!(page.location.as_deref(), Some("/tweede-factor"));
    // Nothing else opens until it is set up.
    let start = admin.get("/start").await;
    assert_eq!(start.location.as_deref(), Some("/tweede-factor"));
    let setup = admin.get("/tweede-factor").await;
    assert!(setup.body.contains("Afmelden"), "the person can still sign out");
    let started = admin.submit("/tweede-factor", "/tweede-factor/starten", &[]).await;
    let at = started.body.find("class=\"secret\">").expect("the secret is shown") + "class=\"secret\">".len();
    let secret = started.body[at..].split('<').next().unwrap().to_owned();
    let step = cyberveilig_services::totp::step_at(chrono::Utc::now().timestamp());
    let code = format!(
        "{:06}",
        cyberveilig_services::totp::hotp(&cyberveilig_services::totp::base32_decode(&secret).unwrap(), step as u64, 6)
    );
    let confirmed = admin
        .submit("/tweede-factor", "/tweede-factor/bevestigen", &[("code", &code)])
        .await;
    assert_eq!(confirmed.status, StatusCode::OK);
    assert!(confirmed.body.matches("<li>").count() >= 10, "the recovery codes are shown");
    assert_eq!(admin.get("/start").await.status, StatusCode::OK);
    // Behind TLS: Secure cookies and HSTS.
    let r = admin.http.get(format!("{}/", app.base)).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_some());
    let mut other = Browser::new(&app);
    let csrf = other.get("/aanmelden").await.csrf();
    let r = other
        .http
        .post(format!("{}/aanmelden", app.base))
        .header("cookie", other.cookie_header())
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
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn the_firm_rates_in_one_form_and_the_government_sees_the_scores() {
    let app = spawn_app().await;
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    let id = order_id_of(
        &gent
            .submit("/start", "/bestellingen", &[("programme_id", "1"), ("kind", "basic")])
            .await,
    );
    let page = format!("/bestellingen/{id}/beoordeling");
    // Before the firm accepted: nothing to rate, nothing to see, and no link on the order.
    let mut ey = signed_in(&app, "ey@firms.test").await;
    assert!(!ey.get(&page).await.body.contains("name=\"rating-BA.ROL.01\""));
    assert!(!gent.get(&format!("/bestellingen/{id}")).await.body.contains(&page));
    let ey_token = app.token("ey@firms.test").await;
    app.post(
        &ey_token,
        &format!("/api/v1/orders/{id}/accept"),
        json!({"price_cents": 500_940, "planned_start_on": "2020-06-01"}),
    )
    .await;
    assert!(gent.get(&format!("/bestellingen/{id}")).await.body.contains(&page));
    let editor = ey.get(&page).await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(editor.body.contains("name=\"rating-BA.FYS.03\""), "every control is in the form");
    assert!(editor.body.contains("Verwacht bewijs"));
    // A bad rating is refused whole, and what was typed comes back.
    let refused = ey
        .submit(
            &page,
            &page,
            &[
                ("rating-BA.ROL.01", "compliant"),
                ("evidence-BA.ROL.01", "Besluit van december 2019"),
                ("rating-BA.ROL.02", "bijna"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Besluit van december 2019") && refused.body.contains("role=\"alert\""));
    assert!(gent.get(&page).await.body.contains("nog geen controles beoordeeld"));
    let saved = ey
        .submit(
            &page,
            &page,
            &[
                ("rating-BA.ROL.01", "compliant"),
                ("evidence-BA.ROL.01", "Besluit van december 2019"),
                ("rating-BA.ROL.02", "partially"),
                ("rating-BA.TEC.01", "not_compliant"),
                ("notes-BA.TEC.01", "Windows Server 2008"),
                ("rating-BA.TEC.02", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let view = gent.get(&page).await.body;
    assert!(!view.contains("<select"), "the government only reads");
    assert!(
        view.contains("75,0\u{a0}%") && view.contains("50,0\u{a0}%") && view.contains("0,0\u{a0}%"),
        "{view}"
    );
    assert!(view.contains("niet te vergelijken") && view.contains("Windows Server 2008"));
    gent.submit("/start", "/taal", &[("lang", "en"), ("next", "/start")]).await;
    let english = gent.get(&page).await.body;
    assert!(
        english.contains("75.0%") && english.contains("Roles and responsibilities"),
        "{english}"
    );
}

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

fn report_input(target: &str, title: &str) -> cyberveilig_services::reports::ReportInput {
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
async fn propose_kortrijk(app: &App) -> (String, Value) {
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

/// The firm's register names each finding's government and explains its priorities; a scan's
/// information is kept apart and said so (issue 11, section 3).
#[tokio::test]
async fn the_firms_register_names_the_government_and_explains_the_priorities() {
    let app = spawn_app().await;
    let (_gent, ey, order) = app.gent_order_accepted_by_ey().await;
    let scan = "title,severity,ip,port\nOutdated OpenSSH,high,192.0.2.40,22\nSSH banner,info,192.0.2.40,22\n";
    let r = app
        .http
        .post(format!("{}/api/v1/orders/{order}/imports", app.base))
        .bearer_auth(&ey)
        .body(scan)
        .send()
        .await
        .unwrap();
    let summary: Value = r.json().await.unwrap();
    assert_eq!(
        (summary["new"].as_i64(), summary["informational"].as_i64()),
        (Some(1), Some(1)),
        "{summary}"
    );

    let mut firm = signed_in(&app, "ey@firms.test").await;
    let register = firm.get("/bevindingen").await;
    assert_eq!(register.status, StatusCode::OK);
    assert!(register.body.contains("<th scope=\"col\">Bestuur</th>"), "a government column");
    assert!(register.body.contains("<td>Gent</td>"), "Gent's finding names Gent");
    assert!(register.body.contains("Wat de prioriteiten betekenen"), "a legend");
    assert!(
        register.body.contains("title=\"Opvolgen: herstellen in de gewone updatecyclus"),
        "a tooltip on the priority"
    );
    assert!(!register.body.contains("SSH banner"), "information is not a finding");
    let information = firm.get("/bevindingen?status=informational").await;
    assert!(information.body.contains("SSH banner"));
    let results = firm.get(&format!("/bestellingen/{order}/resultaten")).await;
    assert!(
        results.body.contains("Bewaard als informatie"),
        "the import says what it kept aside"
    );

    // Gent's own register needs no government column.
    let mut gent = signed_in(&app, "44021@gemeente.test").await;
    assert!(!gent.get("/bevindingen").await.body.contains("<th scope=\"col\">Bestuur</th>"));
}

/// Every form the portal takes (each POST route, read from the router's source) is refused with
/// 403 without the visitor's CSRF token, whoever is signed in: no handler forgot the check.
#[tokio::test]
async fn every_portal_post_without_a_csrf_token_is_refused() {
    let app = spawn_app().await;
    // An order and a report that exist, so each form reaches its check.
    let (_, _, order) = app.gent_order_accepted_by_ey().await;
    let report: Value = app
        .http
        .post(format!("{}/api/v1/reports", app.base))
        .json(
            &json!({"government_nis": "44021", "target": "https://www.gent.be/", "cwe": "CWE-79", "title": "t",
                      "description": "d", "steps_to_reproduce": "s", "impact": "i"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (report_id, follow) = (report["id"].as_i64().unwrap(), report["follow_token"].as_str().unwrap().to_owned());
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/src/portal/mod.rs")).unwrap();
    let routes = source.split("pub fn routes()").nth(1).expect("the portal's routes");
    let mut posts = Vec::new();
    for call in routes.split(".route(").skip(1) {
        let path = call.split('"').nth(1).expect("a route's path");
        let methods = call.split(".route(").next().unwrap_or("");
        if methods.contains("post(") {
            let id = if path.starts_with("/bestellingen/") {
                order.to_string()
            } else if path.starts_with("/meldingen/") {
                report_id.to_string()
            } else {
                "1".into()
            };
            posts.push(
                path.replace("{nis}", "44021")
                    .replace("{token}", &follow)
                    .replace("{version}", "1")
                    .replace("{aid}", "1")
                    .replace("{step}", "aanvaarden")
                    .replace("{number}", "1")
                    .replace("{position}", "1")
                    .replace("{system}", "1")
                    .replace("{id}", &id),
            );
        }
    }
    assert!(posts.len() > 40, "the router's source was read: {} forms", posts.len());
    let mut wrong = Vec::new();
    for email in [None, Some("44021@gemeente.test"), Some("admin@abb.test")] {
        let mut b = match email {
            Some(e) => signed_in(&app, e).await,
            None => Browser::new(&app),
        };
        for path in &posts {
            let fields = [("csrf", "not-the-token"), ("lang", "en")];
            // Uploads are multipart forms: the token is a field of the form there too.
            let uploads = [
                "/auditrapport",
                "/melden",
                "/report",
                "/bijlage",
                "/actieplan/schuldvorderingen",
                "/documenten",
            ];
            let scan = path.starts_with("/bestellingen/") && path.ends_with("/resultaten");
            let page = if scan || uploads.iter().any(|u| path.ends_with(u)) {
                b.upload(path, &fields, ("x.txt", b"x")).await
            } else {
                b.post(path, &fields).await
            };
            // Without a session, a member's form sends to the sign-in page: nothing is done either.
            let to_sign_in = email.is_none()
                && page.status == StatusCode::SEE_OTHER
                && page.location.as_deref().is_some_and(|l| l.starts_with("/aanmelden"));
            if page.status != StatusCode::FORBIDDEN && !to_sign_in {
                wrong.push(format!("POST {path} as {email:?}: {} {:?}", page.status, page.location));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A page's id is a whole number: anything else is the "not found" page, for every route with an
/// id and whichever way it is asked (the portal's `PageId` and the tuple paths alike).
#[tokio::test]
async fn every_portal_path_with_an_id_that_is_not_a_number_is_not_found() {
    let app = spawn_app().await;
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/src/portal/mod.rs")).unwrap();
    let routes = source.split("pub fn routes()").nth(1).expect("the portal's routes");
    let mut b = signed_in(&app, "admin@abb.test").await;
    let csrf = b.get("/start").await.csrf();
    let mut asked = 0;
    let mut wrong = Vec::new();
    for call in routes.split(".route(").skip(1) {
        let path = call.split('"').nth(1).expect("a route's path");
        // An API token's id is a text of its own, not a number.
        if !path.contains("{id}") || path.starts_with("/account/api-tokens/") {
            continue;
        }
        let path = path
            .replace("{id}", "abc")
            .replace("{aid}", "1")
            .replace("{rid}", "1")
            .replace("{step}", "aanvaarden")
            .replace("{number}", "1")
            .replace("{position}", "1")
            .replace("{document}", "1")
            .replace("{file}", "1")
            .replace("{version}", "1");
        let methods = call.split(".route(").next().unwrap_or("");
        if methods.contains("get(") {
            let page = b.get(&path).await;
            asked += 1;
            if page.status != StatusCode::NOT_FOUND {
                wrong.push(format!("GET {path}: {}", page.status));
            }
        }
        if methods.contains("post(") {
            let page = b.post(&path, &[("csrf", csrf.as_str())]).await;
            asked += 1;
            if page.status != StatusCode::NOT_FOUND {
                wrong.push(format!("POST {path}: {}", page.status));
            }
        }
    }
    assert!(asked > 20, "the router's source was read: {asked} requests");
    assert!(wrong.is_empty(), "{wrong:#?}");
}
