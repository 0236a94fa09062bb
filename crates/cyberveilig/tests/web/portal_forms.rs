//! The portal's forms for accounts, the programme and the assessment: an invitation by mail, an
//! amendment, the second factor where it is enforced, a firm's ratings, and the firm's register.

use super::portal::{Browser, order_id_of, signed_in};
use super::*;

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
