//! Every page of the portal for every role, every form without its CSRF token, every path with
//! an id that is not a number: sweeps over the router, so a new page cannot be forgotten.

use super::portal::{Browser, order_id_of, signed_in};
use super::portal_disclosure::{propose_kortrijk, report_input};
use super::*;

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
