//! The API's authorization matrix, built from the route table as the OpenAPI document describes
//! it: every operation x every role x own and foreign organisation. A refusal must be a refusal
//! (401 without a token, 403 or 404 with one), and an allowed caller must never be refused. An
//! operation missing from the table fails the test.

use super::*;

const ANON: usize = 0;
const GENT: usize = 1;
const ANTWERPEN: usize = 2;
const EY: usize = 3;
const DELOITTE: usize = 4;
const ADMIN: usize = 5;
const VVSG: usize = 6;
const STUDENT: usize = 7;
const SIGNED_IN: &[usize] = &[GENT, ANTWERPEN, EY, DELOITTE, ADMIN, VVSG, STUDENT];
const EVERYONE: &[usize] = &[ANON, GENT, ANTWERPEN, EY, DELOITTE, ADMIN, VVSG, STUDENT];

#[tokio::test]
async fn every_operation_of_the_api_by_every_role() {
    the_matrix(false).await;
}

/// The same with an `Idempotency-Key` on every mutating request: the answers are those without
/// one (the work waits for its answer in its transaction; issue 10, item 5).
#[tokio::test]
async fn every_operation_of_the_api_by_every_role_with_idempotency_keys() {
    the_matrix(true).await;
}

async fn the_matrix(with_keys: bool) {
    let app = spawn_app().await;
    let emails = [
        "44021@gemeente.test",
        "11002@gemeente.test",
        "ey@firms.test",
        "deloitte@firms.test",
        "admin@abb.test",
        "vvsg@vvsg.test",
        "student@howest.test",
    ];
    let mut tokens = vec![String::new()];
    for email in emails {
        tokens.push(app.token(email).await);
    }
    // Gent's basic audit, offered to EY; the operations below then follow its life.
    let (status, order) = app
        .post(
            &tokens[GENT],
            "/api/v1/orders",
            json!({"programme_id": 1, "government_nis": "44021", "kind": "basic"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = order["id"].as_i64().unwrap();
    let inactive = app.get(&tokens[ADMIN], "/api/v1/framework-agreements").await.1["items"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["active"] == false).map(|x| x["id"].as_i64().unwrap()))
        .unwrap_or(2);
    // A finding of Brugge's, found by EY, for the remediation route.
    let (_, brugge) = app
        .post(
            &tokens[ADMIN],
            "/api/v1/orders",
            json!({"programme_id": 1, "government_nis": "31005", "kind": "basic"}),
        )
        .await;
    let brugge = brugge["id"].as_i64().unwrap();
    app.post(
        &tokens[EY],
        &format!("/api/v1/orders/{brugge}/accept"),
        json!({"price_cents": 500940, "planned_start_on": "2020-06-01"}),
    )
    .await;
    let scan = r#"<?xml version="1.0"?><nmaprun scanner="nmap"><host><status state="up"/><address addr="192.0.2.7" addrtype="ipv4"/><ports><port protocol="tcp" portid="23"><state state="open"/></port></ports></host></nmaprun>"#;
    let imported = app
        .http
        .post(format!("{}/api/v1/orders/{brugge}/imports", app.base))
        .bearer_auth(&tokens[EY])
        .body(scan)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), StatusCode::CREATED);
    // Brugge's audit report, uploaded by EY.
    let uploaded = app
        .http
        .post(format!("{}/api/v1/orders/{brugge}/audit-reports?filename=rapport.pdf", app.base))
        .bearer_auth(&tokens[EY])
        .header("content-type", "application/pdf")
        .body(cyberveilig_domain::document::simple_pdf(&["Auditrapport Brugge"]))
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let brugge_report = uploaded.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let finding = app.get(&tokens[ADMIN], &format!("/api/v1/findings?order_id={brugge}")).await.1["items"][0]["id"]
        .as_i64()
        .unwrap();
    let asset = app.get(&tokens[ADMIN], "/api/v1/assets?government_nis=31005").await.1[0]["id"]
        .as_i64()
        .unwrap();
    // Brugge's register holds findings of every origin; the remediation day's agenda of EY's
    // order shows each caller no more than their register does (issue 10, item 3).
    let origins = super::security::findings_of_every_origin(&app, "31005", brugge).await;
    let titles = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|f| f["title"].as_str().unwrap().to_owned())
            .collect()
    };
    for who in [EY, ADMIN] {
        let (status, agenda) = app
            .get(&tokens[who], &format!("/api/v1/orders/{brugge}/remediation-day?size=100"))
            .await;
        assert_eq!(status, StatusCode::OK, "{agenda}");
        let on_agenda = titles(&agenda["items"]);
        let register = titles(&app.get(&tokens[who], "/api/v1/findings?government_nis=31005&limit=500").await.1["items"]);
        assert!(
            on_agenda.iter().all(|t| register.contains(t)),
            "#{who}: {on_agenda:?} not within {register:?}"
        );
        for title in origins.firm_sees() {
            assert!(on_agenda.iter().any(|t| t == title), "#{who}: {title} missing from {on_agenda:?}");
        }
        for title in origins.firm_does_not_see() {
            assert_eq!(
                on_agenda.iter().any(|t| t == title),
                who == ADMIN,
                "#{who}: {title} in {on_agenda:?}"
            );
        }
    }
    // A report to Gent by the researcher, with an attachment.
    let report_body = json!({"government_nis": "44021", "target": "https://www.gent.be/zoeken", "cwe": "CWE-79",
        "title": "XSS", "description": "d", "steps_to_reproduce": "s", "impact": "i"});
    let (status, report) = app.post(&tokens[STUDENT], "/api/v1/reports", report_body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let report = report["id"].as_i64().unwrap();
    let attached = app
        .http
        .post(format!("{}/api/v1/reports/{report}/attachments?filename=notes.txt", app.base))
        .bearer_auth(&tokens[STUDENT])
        .header("content-type", "text/plain")
        .body("GET /zoeken 200")
        .send()
        .await
        .unwrap();
    assert_eq!(attached.status(), StatusCode::CREATED);
    let attachment = attached.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = |step: &str| format!("/api/v1/reports/{report}{step}");
    let o = |step: &str| format!("/api/v1/orders/{id}{step}");
    // Disclosure: the model's draft as VVSG has it, and Gent's policy filled in from it.
    let model = app.get(&tokens[VVSG], "/api/v1/model-policy/draft").await.1["content"].clone();
    let mut gent_policy = model.clone();
    gent_policy["contact_email"] = json!("cert@stad.gent");
    gent_policy["in_scope"] = json!(["stad.gent"]);
    let g = |step: &str| format!("/api/v1/governments/44021/policy{step}");
    // Kortrijk's engagement with Howest, proposed by VVSG and accepted by Kortrijk's general
    // director; Gent and Antwerpen are outsiders to it.
    let terms = json!({"government_nis": "34022", "title": "Matrix", "starts_on": "2020-05-18", "ends_on": "2020-06-30",
                       "scope": ["www.kortrijk.be"], "techniques": ["web_scanning"],
                       "team": [{"email": "docent@howest.test", "role": "supervisor"}, {"email": "student@howest.test", "role": "student"}],
                       "government_contact": "ISC", "team_contact": "Docent", "emergency_contact": "09 000 00 00"});
    let (status, engagement) = app.post(&tokens[VVSG], "/api/v1/engagements", terms.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{engagement}");
    let eid = engagement["id"].as_i64().unwrap();
    let scoped_asset = engagement["scope"][0]["asset_id"].as_i64().unwrap();
    let director = app.token("directeur.34022@gemeente.test").await;
    let (status, accepted) = app
        .post(
            &director,
            &format!("/api/v1/engagements/{eid}/accept"),
            json!({"letter_hash": engagement["letter_hash"]}),
        )
        .await;
    assert_eq!((status, accepted["phase"].as_str()), (StatusCode::OK, Some("active")), "{accepted}");
    let en = |step: &str| format!("/api/v1/engagements/{eid}{step}");
    let team_finding = json!({"title": "Matrix", "description": "x", "severity": "low", "asset_id": scoped_asset});
    let new_programme = json!({"name": "Matrix", "budget_cents": 100000, "basic_rate": "2/3", "additional_rate": "1/2",
                               "offer_starts_on": "2020-05-01", "offer_ends_on": "2021-12-31"});
    // An awareness event of VVSG's, open to every organisation.
    let awareness = json!({"kind": "webinar", "title": "Matrix", "description": "Phishing", "audience": ["all_staff"],
                           "starts_at": "2020-06-22T10:00:00Z", "ends_at": "2020-06-22T11:00:00Z",
                           "online_url": "https://webinar.vvsg.test/matrix", "capacity": 3,
                           "registration_deadline": "2020-06-21T10:00:00Z", "open_to_others": true});
    let (status, event) = app.post(&tokens[VVSG], "/api/v1/awareness-events", awareness.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let aw = |step: &str| format!("/api/v1/awareness-events/{}{step}", event["id"]);
    // The steering group: the administrator makes the supervisor a member, plans a meeting and
    // gives the member an action item; nobody else of the matrix is a member, so only the
    // administrator sees the group.
    let supervisor = engagement["team"][0]["person_id"].as_i64().unwrap();
    let (status, membership) = app
        .put(
            &tokens[ADMIN],
            &format!("/api/v1/steering/members/{supervisor}"),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{membership}");
    let meeting_body = json!({"title": "Matrix", "starts_at": "2020-06-09T08:00:00Z", "place": "Brussel", "agenda": ["Opening"]});
    let (status, meeting) = app.post(&tokens[ADMIN], "/api/v1/steering/meetings", meeting_body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{meeting}");
    let st = |step: &str| format!("/api/v1/steering/meetings/{}{step}", meeting["id"]);
    let attached = app
        .http
        .post(format!("{}{}?title=Nota", app.base, st("/documents")))
        .bearer_auth(&tokens[ADMIN])
        .header("content-type", "application/pdf")
        .body(cyberveilig_domain::document::simple_pdf(&["Nota"]))
        .send()
        .await
        .unwrap();
    assert_eq!(attached.status(), StatusCode::CREATED);
    let document = attached.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let action_body = json!({"title": "Matrix", "owner_id": membership["id"], "due_on": "2020-07-01"});
    let (status, action) = app.post(&tokens[ADMIN], &st("/actions"), action_body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{action}");
    // VVSG's grant: a deliverable, a plan item, two claims (the first is decided and paid by the
    // administrator below) and a progress report put in the store directly (no half-year has
    // ended on the matrix's day).
    let vvsg_person = {
        let mut tx = app.services.store.read().await.unwrap();
        tx.person_by_email(&"vvsg@vvsg.test".parse().unwrap()).await.unwrap().unwrap()
    };
    let gr = |step: &str| format!("/api/v1/project-grants/1{step}");
    let deliverable_body = json!({"work_package": 1, "title": "Zelfevaluatie", "planned_on": "2020-12-15"});
    let (status, deliverable) = app.post(&tokens[VVSG], &gr("/deliverables"), deliverable_body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{deliverable}");
    let plan_body = json!({"work_package": 1, "title": "Toolkit", "owner_id": vvsg_person.id, "status": "planned", "due_on": "2020-09-30"});
    let (status, plan_item) = app.post(&tokens[VVSG], &gr("/plan-items"), plan_body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{plan_item}");
    let claim_query = "?work_package=1&costs_from=2020-05-01&costs_until=2020-05-15&amount_cents=100000&description=Kosten&filename=k.pdf";
    let mut claim_ids = Vec::new();
    for _ in 0..2 {
        let response = app
            .http
            .post(format!("{}{}{claim_query}", app.base, gr("/claims")))
            .bearer_auth(&tokens[VVSG])
            .header("content-type", "application/pdf")
            .body(cyberveilig_domain::document::simple_pdf(&["Schuldvordering"]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        claim_ids.push(response.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let report_id = {
        let mut tx = app.services.store.write().await.unwrap();
        let report = cyberveilig_services::store::records::ProgressReport {
            id: 0,
            grant_id: 1,
            period_from: "2020-05-01".parse().unwrap(),
            period_until: "2020-10-31".parse().unwrap(),
            text: "Matrix".into(),
            figures: json!({}),
            submitted_by: vvsg_person.id,
            submitted_at: Utc::now(),
            reviewed_by: None,
            reviewed_at: None,
            review_note: None,
        };
        let id = tx.insert_progress_report(&report).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        id
    };
    let claim = |step: &str| gr(&format!("/claims/{}{step}", claim_ids[0]));
    // The toolkit: a playbook and information material, written by VVSG and published by a second
    // person of VVSG; a draft of VVSG's own; Gent's exercise on the playbook.
    let vvsg_actor = app.services.authenticate(&tokens[VVSG]).await.unwrap();
    let second = {
        let mut tx = app.services.store.write().await.unwrap();
        let id = tx
            .insert_person(&cyberveilig_services::store::records::NewPerson {
                organisation_id: vvsg_actor.organisation_id,
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
            email: "redactie@vvsg.test".into(),
            ..vvsg_actor.clone()
        }
    };
    let shipped = cyberveilig_services::toolkit::content::shipped().unwrap();
    let mut toolkit = std::collections::HashMap::new();
    for input in shipped
        .into_iter()
        .filter(|i| i.slug == "phishing-playbook" || i.slug == "staff-awareness-kit")
    {
        let slug = input.slug.clone();
        let view = app.services.create_toolkit_item(&vvsg_actor, input).await.unwrap();
        app.services.submit_toolkit_version(&vvsg_actor, view.item.id).await.unwrap();
        app.services.review_toolkit_version(&second, view.item.id, true, "").await.unwrap();
        toolkit.insert(slug, view.item.id);
    }
    let (playbook, kit) = (toolkit["phishing-playbook"], toolkit["staff-awareness-kit"]);
    // A file on the kit: attached to a new draft, which is then published.
    let kit_file = {
        let input = cyberveilig_services::toolkit::content::shipped()
            .unwrap()
            .into_iter()
            .find(|i| i.slug == "staff-awareness-kit")
            .unwrap();
        app.services.edit_toolkit_item(&vvsg_actor, kit, input).await.unwrap();
        let f = app
            .services
            .attach_toolkit_file(&vvsg_actor, kit, "affiche.txt", b"Meld phishing")
            .await
            .unwrap();
        app.services.submit_toolkit_version(&vvsg_actor, kit).await.unwrap();
        app.services.review_toolkit_version(&second, kit, true, "").await.unwrap();
        f.id
    };
    let item_body = json!({"slug": "matrix-gids", "kind": "guide", "category": "preventive", "audience": ["ict"],
        "title_nl": "Gids", "summary_nl": "Samenvatting", "body_nl": "# Gids\n\nTekst."});
    let (status, draft) = app
        .post(
            &tokens[VVSG],
            "/api/v1/toolkit",
            json!({"slug": "matrix-ontwerp", "kind": "guide",
        "category": "preventive", "audience": ["ict"], "title_nl": "Ontwerp", "summary_nl": "S", "body_nl": "Tekst"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let tk = |id: i64, step: &str| format!("/api/v1/toolkit/{id}{step}");
    let exercise_body = json!({"held_on": "2020-05-15", "participants": "ICT", "lessons": "Lessen", "actions": ["Contactlijst"]});
    let (status, exercise) = app.post(&tokens[GENT], &tk(playbook, "/exercises"), exercise_body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{exercise}");
    // Gent's domain scanned once, and an explanation of its failing DMARC check.
    let _fleet = super::baseline::gent_scanned(&app, &tokens[GENT], [127, 97, u8::from(with_keys), 0]).await;
    let system = app.get(&tokens[GENT], "/api/v1/governments/44021/baseline").await.1["systems"][0]["id"]
        .as_i64()
        .unwrap();
    let (status, explanation) = app
        .post(
            &tokens[GENT],
            "/api/v1/governments/44021/baseline/explanations",
            json!({"check": "mail-dmarc", "subject": "gent.test", "explanation": "Geen mail."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{explanation}");
    let explanation = explanation["id"].as_i64().unwrap();
    // (method, route as in the OpenAPI document, path, body, who may), in the order of an order's life.
    let table: Vec<(&str, &str, String, Value, &[usize])> = vec![
        (
            "get",
            "/api/v1/governments/{nis}/baseline",
            "/api/v1/governments/44021/baseline".into(),
            Value::Null,
            &[GENT, ADMIN],
        ),
        (
            "post",
            "/api/v1/governments/{nis}/baseline/systems",
            "/api/v1/governments/44021/baseline/systems".into(),
            json!({"name": "loket.gent.test", "kind": "host"}),
            &[GENT, ADMIN],
        ),
        (
            "post",
            "/api/v1/governments/{nis}/baseline/scans",
            "/api/v1/governments/44021/baseline/scans".into(),
            Value::Null,
            &[GENT, ADMIN],
        ),
        (
            "put",
            "/api/v1/governments/{nis}/baseline/paused",
            "/api/v1/governments/44021/baseline/paused".into(),
            json!({"paused": false}),
            &[GENT, ADMIN],
        ),
        (
            "post",
            "/api/v1/governments/{nis}/baseline/explanations",
            "/api/v1/governments/44021/baseline/explanations".into(),
            json!({"check": "mail-dmarc", "subject": "gent.test", "explanation": "Geen mail op dit domein."}),
            &[GENT, ADMIN],
        ),
        (
            "get",
            "/api/v1/baseline/explanations",
            "/api/v1/baseline/explanations".into(),
            Value::Null,
            &[ADMIN],
        ),
        (
            "post",
            "/api/v1/baseline/explanations/{id}/decision",
            format!("/api/v1/baseline/explanations/{explanation}/decision"),
            json!({"accept": false, "note": "Er is wel mail."}),
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/baseline/overview",
            "/api/v1/baseline/overview".into(),
            Value::Null,
            &[ADMIN],
        ),
        (
            "put",
            "/api/v1/baseline/publication",
            "/api/v1/baseline/publication".into(),
            json!({"public": true}),
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/baseline/provinces",
            "/api/v1/baseline/provinces".into(),
            Value::Null,
            EVERYONE,
        ),
        (
            "delete",
            "/api/v1/governments/{nis}/baseline/systems/{id}",
            format!("/api/v1/governments/44021/baseline/systems/{system}"),
            Value::Null,
            &[GENT, ADMIN],
        ),
        ("get", "/api/v1/programmes", "/api/v1/programmes".into(), Value::Null, SIGNED_IN),
        (
            "get",
            "/api/v1/programmes/{id}/figures",
            "/api/v1/programmes/1/figures?at=2020-05-18".into(),
            Value::Null,
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/programmes/{id}/figures/tables/{table}",
            "/api/v1/programmes/1/figures/tables/orders-by-month".into(),
            Value::Null,
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/programmes/{id}/parliament-answer",
            "/api/v1/programmes/1/parliament-answer?format=pdf".into(),
            Value::Null,
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/exports/{list}",
            "/api/v1/exports/orders?format=xlsx".into(),
            Value::Null,
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/programmes/{id}/quarterly-report",
            "/api/v1/programmes/1/quarterly-report?year=2020&quarter=2".into(),
            Value::Null,
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/open-data/figures.csv",
            "/api/v1/open-data/figures.csv".into(),
            Value::Null,
            EVERYONE,
        ),
        (
            "get",
            "/api/v1/open-data/README.md",
            "/api/v1/open-data/README.md".into(),
            Value::Null,
            EVERYONE,
        ),
        ("post", "/api/v1/programmes", "/api/v1/programmes".into(), new_programme, &[ADMIN]),
        (
            "get",
            "/api/v1/programmes/{id}",
            "/api/v1/programmes/1".into(),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "get",
            "/api/v1/programmes/{id}/amendments",
            "/api/v1/programmes/1/amendments".into(),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "post",
            "/api/v1/programmes/{id}/amendments",
            "/api/v1/programmes/1/amendments".into(),
            json!({"offer_ends_on": "2022-03-31", "reason": "matrix"}),
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/project-grants",
            "/api/v1/project-grants".into(),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "get",
            "/api/v1/organisations",
            "/api/v1/organisations".into(),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "get",
            "/api/v1/framework-agreements",
            "/api/v1/framework-agreements".into(),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "get",
            "/api/v1/orders",
            "/api/v1/orders".into(),
            Value::Null,
            &[GENT, ANTWERPEN, EY, DELOITTE, ADMIN],
        ),
        (
            "post",
            "/api/v1/orders",
            "/api/v1/orders".into(),
            json!({"programme_id": 1, "government_nis": "44021", "kind": "additional", "scope": "Phishingtest", "estimated_cost_cents": 100000}),
            &[GENT, ADMIN],
        ),
        ("get", "/api/v1/orders/{id}", o(""), Value::Null, &[GENT, EY, ADMIN]),
        ("get", "/api/v1/orders/{id}/events", o("/events"), Value::Null, &[GENT, EY, ADMIN]),
        (
            "post",
            "/api/v1/orders/{id}/accept",
            o("/accept"),
            json!({"price_cents": 500940, "planned_start_on": "2020-06-01"}),
            &[EY],
        ),
        (
            "post",
            "/api/v1/orders/{id}/decline",
            o("/decline"),
            json!({"reason": "matrix"}),
            &[EY],
        ),
        // The audit report: the firm (or an administrator) uploads; the government, the firm
        // and the administrator read and download.
        (
            "post",
            "/api/v1/orders/{id}/audit-reports",
            o("/audit-reports"),
            json!("not a PDF"),
            &[EY, ADMIN],
        ),
        (
            "get",
            "/api/v1/orders/{id}/audit-reports",
            o("/audit-reports"),
            Value::Null,
            &[GENT, EY, ADMIN],
        ),
        (
            "get",
            "/api/v1/orders/{id}/audit-reports/{report_id}",
            format!("/api/v1/orders/{brugge}/audit-reports/{brugge_report}"),
            Value::Null,
            &[EY, ADMIN],
        ),
        ("post", "/api/v1/orders/{id}/deliver", o("/deliver"), json!({}), &[EY]),
        (
            "post",
            "/api/v1/orders/{id}/invoice",
            o("/invoice"),
            json!({"invoice_number": "M-1", "amount_cents": 500940}),
            &[EY],
        ),
        (
            "post",
            "/api/v1/orders/{id}/imports",
            o("/imports"),
            json!("<nmaprun/>"),
            &[EY, ADMIN],
        ),
        // Catalogues are for everybody signed in; loading one is for administrators.
        ("get", "/api/v1/catalogues", "/api/v1/catalogues".into(), Value::Null, SIGNED_IN),
        (
            "get",
            "/api/v1/catalogues/{id}",
            "/api/v1/catalogues/1".into(),
            Value::Null,
            SIGNED_IN,
        ),
        ("post", "/api/v1/catalogues", "/api/v1/catalogues".into(), json!("urn: x"), &[ADMIN]),
        // Brugge's order, accepted by EY: its firm and the administrator assess it.
        (
            "post",
            "/api/v1/orders/{id}/assessment",
            format!("/api/v1/orders/{brugge}/assessment"),
            json!({}),
            &[EY, ADMIN],
        ),
        (
            "put",
            "/api/v1/orders/{id}/assessment",
            format!("/api/v1/orders/{brugge}/assessment"),
            json!({"ratings": [{"control": "BA.ROL.01", "rating": "compliant"}]}),
            &[EY, ADMIN],
        ),
        (
            "get",
            "/api/v1/orders/{id}/assessment",
            format!("/api/v1/orders/{brugge}/assessment"),
            Value::Null,
            &[EY, ADMIN],
        ),
        (
            "get",
            "/api/v1/findings",
            "/api/v1/findings".into(),
            Value::Null,
            &[GENT, ANTWERPEN, EY, DELOITTE, ADMIN],
        ),
        (
            "get",
            "/api/v1/assets",
            "/api/v1/assets?government_nis=31005".into(),
            Value::Null,
            &[ADMIN],
        ),
        (
            "post",
            "/api/v1/assets/{id}/criticality",
            format!("/api/v1/assets/{asset}/criticality"),
            json!({"criticality": "high"}),
            &[ADMIN],
        ),
        (
            "post",
            "/api/v1/intel/kev",
            "/api/v1/intel/kev".into(),
            json!({"vulnerabilities": []}),
            &[ADMIN],
        ),
        (
            "post",
            "/api/v1/intel/epss",
            "/api/v1/intel/epss".into(),
            json!("cve,epss,percentile"),
            &[ADMIN],
        ),
        // Brugge's finding: its firm and the administrator may act on it, Gent and the others not.
        (
            "post",
            "/api/v1/findings/{id}/status",
            format!("/api/v1/findings/{finding}/status"),
            json!({"status": "fixed"}),
            &[EY, ADMIN],
        ),
        (
            "post",
            "/api/v1/findings/status",
            "/api/v1/findings/status".into(),
            json!({"ids": [finding], "status": "fixed"}),
            &[EY, ADMIN],
        ),
        (
            "post",
            "/api/v1/findings/{id}/owner",
            format!("/api/v1/findings/{finding}/owner"),
            json!({"owner_id": null}),
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/findings/export",
            "/api/v1/findings/export?format=csv".into(),
            Value::Null,
            &[GENT, ANTWERPEN, EY, DELOITTE, ADMIN],
        ),
        (
            "get",
            "/api/v1/orders/{id}/remediation-day",
            o("/remediation-day"),
            Value::Null,
            &[GENT, EY, ADMIN],
        ),
        // Brugge's basic audit, EY's, whose agenda holds findings of every origin.
        (
            "get",
            "/api/v1/orders/{id}/remediation-day",
            format!("/api/v1/orders/{brugge}/remediation-day?size=100"),
            Value::Null,
            &[EY, ADMIN],
        ),
        (
            "put",
            "/api/v1/orders/{id}/remediation-day",
            o("/remediation-day"),
            json!({"held_on": "2020-05-18", "actions": []}),
            &[EY, ADMIN],
        ),
        (
            "get",
            "/api/v1/orders/{id}/results-report",
            o("/results-report"),
            Value::Null,
            &[GENT, EY, ADMIN],
        ),
        ("get", "/api/v1/orders/{id}/settlement", o("/settlement"), Value::Null, &[ADMIN]),
        ("get", "/api/v1/settlements", "/api/v1/settlements".into(), Value::Null, &[ADMIN]),
        ("post", "/api/v1/orders/{id}/settle", o("/settle"), json!({}), &[ADMIN]),
        (
            "post",
            "/api/v1/orders/{id}/cancel",
            o("/cancel"),
            json!({"reason": "matrix"}),
            &[GENT, ADMIN],
        ),
        ("post", "/api/v1/orders/{id}/confirm", o("/confirm"), json!({}), &[GENT, ADMIN]),
        ("post", "/api/v1/orders/{id}/reopen", o("/reopen"), json!({}), &[ADMIN]),
        (
            "post",
            "/api/v1/framework-agreements/{id}/activate",
            format!("/api/v1/framework-agreements/{inactive}/activate"),
            json!({}),
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/me/api-tokens",
            "/api/v1/me/api-tokens".into(),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "post",
            "/api/v1/me/api-tokens",
            "/api/v1/me/api-tokens".into(),
            json!({"name": "matrix", "valid_days": 1}),
            SIGNED_IN,
        ),
        (
            "delete",
            "/api/v1/me/api-tokens/{id}",
            "/api/v1/me/api-tokens/000000000000".into(),
            Value::Null,
            SIGNED_IN,
        ),
        ("post", "/api/v1/reports", "/api/v1/reports".into(), report_body, EVERYONE),
        ("get", "/api/v1/reports", "/api/v1/reports".into(), Value::Null, SIGNED_IN),
        ("get", "/api/v1/reports/{id}", r(""), Value::Null, &[GENT, ADMIN, STUDENT]),
        (
            "get",
            "/api/v1/reports/{id}/messages",
            r("/messages"),
            Value::Null,
            &[GENT, ADMIN, STUDENT],
        ),
        (
            "post",
            "/api/v1/reports/{id}/messages",
            r("/messages"),
            json!({"body": "matrix"}),
            &[GENT, ADMIN, STUDENT],
        ),
        (
            "post",
            "/api/v1/reports/{id}/attachments",
            r("/attachments"),
            json!({"not": "a file"}),
            &[GENT, ADMIN, STUDENT],
        ),
        (
            "get",
            "/api/v1/reports/{id}/attachments/{attachment_id}",
            r(&format!("/attachments/{attachment}")),
            Value::Null,
            &[GENT, ADMIN, STUDENT],
        ),
        ("get", "/api/v1/reports/{id}/ccb", r("/ccb"), Value::Null, &[GENT, ADMIN, STUDENT]),
        (
            "post",
            "/api/v1/reports/{id}/state",
            r("/state"),
            json!({"state": "acknowledged"}),
            &[GENT, ADMIN, STUDENT],
        ),
        ("post", "/api/v1/reports/{id}/finding", r("/finding"), json!({}), &[GENT, ADMIN]),
        // Last: once invited, VVSG sees the report.
        (
            "post",
            "/api/v1/reports/{id}/coordinator",
            r("/coordinator"),
            json!({}),
            &[GENT, ADMIN],
        ),
        (
            "get",
            "/api/v1/model-policy/draft",
            "/api/v1/model-policy/draft".into(),
            Value::Null,
            &[VVSG],
        ),
        (
            "put",
            "/api/v1/model-policy/draft",
            "/api/v1/model-policy/draft".into(),
            model,
            &[VVSG],
        ),
        (
            "post",
            "/api/v1/model-policy/publish",
            "/api/v1/model-policy/publish".into(),
            json!({}),
            &[VVSG],
        ),
        ("get", "/api/v1/model-policy", "/api/v1/model-policy".into(), Value::Null, SIGNED_IN),
        ("post", "/api/v1/governments/{nis}/policy/adopt", g("/adopt"), json!({}), &[GENT]),
        ("get", "/api/v1/governments/{nis}/policy/draft", g("/draft"), Value::Null, &[GENT]),
        ("put", "/api/v1/governments/{nis}/policy/draft", g("/draft"), gent_policy, &[GENT]),
        (
            "post",
            "/api/v1/governments/{nis}/policy/publish",
            g("/publish"),
            json!({}),
            &[GENT],
        ),
        // The published policy is public: no token needed.
        (
            "get",
            "/api/v1/governments/{nis}/policy",
            g(""),
            Value::Null,
            &[ANON, GENT, ANTWERPEN, EY, DELOITTE, ADMIN, VVSG, STUDENT],
        ),
        // Engagements: VVSG and the administrator propose; Kortrijk, the team, VVSG and the
        // administrator see Kortrijk's (Gent does not); only a signatory accepts; only the team
        // submits findings.
        ("get", "/api/v1/engagements", "/api/v1/engagements".into(), Value::Null, SIGNED_IN),
        (
            "post",
            "/api/v1/engagements",
            "/api/v1/engagements".into(),
            terms.clone(),
            &[ADMIN, VVSG],
        ),
        (
            "get",
            "/api/v1/engagements/figures",
            "/api/v1/engagements/figures".into(),
            Value::Null,
            &[ADMIN, VVSG],
        ),
        ("get", "/api/v1/engagements/{id}", en(""), Value::Null, &[ADMIN, VVSG, STUDENT]),
        (
            "get",
            "/api/v1/engagements/{id}/letter",
            en("/letter"),
            Value::Null,
            &[ADMIN, VVSG, STUDENT],
        ),
        (
            "post",
            "/api/v1/engagements/{id}/accept",
            en("/accept"),
            json!({"letter_hash": "x"}),
            &[],
        ),
        (
            "post",
            "/api/v1/engagements/{id}/findings",
            en("/findings"),
            team_finding,
            &[STUDENT],
        ),
        (
            "get",
            "/api/v1/engagements/{id}/findings",
            en("/findings"),
            Value::Null,
            &[ADMIN, STUDENT],
        ),
        // The same terms again: nothing changes, so the engagement stays authorised.
        ("put", "/api/v1/engagements/{id}", en(""), terms.clone(), &[ADMIN, VVSG]),
        (
            "post",
            "/api/v1/engagements/{id}/withdraw",
            en("/withdraw"),
            json!({"reason": "matrix"}),
            &[ADMIN, VVSG],
        ),
        (
            "post",
            "/api/v1/people/{id}/signatory",
            format!("/api/v1/people/{}/signatory", engagement["team"][0]["person_id"]),
            json!({"signatory": true}),
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/awareness-events",
            "/api/v1/awareness-events".into(),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "post",
            "/api/v1/awareness-events",
            "/api/v1/awareness-events".into(),
            awareness.clone(),
            &[VVSG],
        ),
        ("get", "/api/v1/awareness-events/{id}", aw(""), Value::Null, SIGNED_IN),
        ("put", "/api/v1/awareness-events/{id}", aw(""), awareness.clone(), &[VVSG]),
        (
            "post",
            "/api/v1/awareness-events/{id}/registration",
            aw("/registration"),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "get",
            "/api/v1/awareness-events/{id}/registrations",
            aw("/registrations"),
            Value::Null,
            &[ADMIN, VVSG],
        ),
        (
            "delete",
            "/api/v1/awareness-events/{id}/registration",
            aw("/registration"),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "get",
            "/api/v1/awareness-events/{id}/calendar",
            aw("/calendar"),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "post",
            "/api/v1/awareness-events/{id}/attendance",
            aw("/attendance"),
            json!({"attendance": [{"person_id": 1, "attended": true}]}),
            &[VVSG],
        ),
        (
            "get",
            "/api/v1/awareness-reach",
            "/api/v1/awareness-reach".into(),
            Value::Null,
            &[ADMIN, VVSG],
        ),
        (
            "post",
            "/api/v1/calendar-feed",
            "/api/v1/calendar-feed".into(),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "delete",
            "/api/v1/calendar-feed",
            "/api/v1/calendar-feed".into(),
            Value::Null,
            SIGNED_IN,
        ),
        (
            "post",
            "/api/v1/awareness-events/{id}/cancel",
            aw("/cancel"),
            json!({"reason": "matrix"}),
            &[VVSG],
        ),
        (
            "get",
            "/api/v1/steering/members",
            "/api/v1/steering/members".into(),
            Value::Null,
            &[ADMIN],
        ),
        (
            "put",
            "/api/v1/steering/members/{id}",
            format!("/api/v1/steering/members/{supervisor}"),
            json!({"role": "member"}),
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/steering/meetings",
            "/api/v1/steering/meetings".into(),
            Value::Null,
            &[ADMIN],
        ),
        (
            "post",
            "/api/v1/steering/meetings",
            "/api/v1/steering/meetings".into(),
            meeting_body,
            &[ADMIN],
        ),
        ("get", "/api/v1/steering/meetings/{id}", st(""), Value::Null, &[ADMIN]),
        (
            "put",
            "/api/v1/steering/meetings/{id}/minutes",
            st("/minutes"),
            json!({"minutes": "# Notulen"}),
            &[ADMIN],
        ),
        (
            "post",
            "/api/v1/steering/meetings/{id}/approve-minutes",
            st("/approve-minutes"),
            Value::Null,
            &[ADMIN],
        ),
        (
            "post",
            "/api/v1/steering/meetings/{id}/decisions",
            st("/decisions"),
            json!({"text": "Besluit"}),
            &[ADMIN],
        ),
        (
            "post",
            "/api/v1/steering/meetings/{id}/actions",
            st("/actions"),
            action_body,
            &[ADMIN],
        ),
        ("get", "/api/v1/steering/meetings/{id}/report", st("/report"), Value::Null, &[ADMIN]),
        (
            "post",
            "/api/v1/steering/meetings/{id}/documents",
            st("/documents?title=Nota"),
            json!("not a PDF"),
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/steering/meetings/{id}/documents/{document_id}",
            st(&format!("/documents/{document}")),
            Value::Null,
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/steering/actions",
            "/api/v1/steering/actions".into(),
            Value::Null,
            &[ADMIN],
        ),
        (
            "post",
            "/api/v1/steering/actions/{id}/status",
            format!("/api/v1/steering/actions/{}/status", action["id"]),
            json!({"status": "done"}),
            &[ADMIN],
        ),
        (
            "delete",
            "/api/v1/steering/members/{id}",
            format!("/api/v1/steering/members/{supervisor}"),
            Value::Null,
            &[ADMIN],
        ),
        (
            "put",
            "/api/v1/test/clock",
            "/api/v1/test/clock".into(),
            json!({"now": "2020-05-18T09:00:00Z"}),
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/project-grants/{id}/workspace",
            gr("/workspace"),
            Value::Null,
            &[ADMIN, VVSG],
        ),
        (
            "put",
            "/api/v1/project-grants/{id}/work-packages/{number}/budget",
            gr("/work-packages/1/budget"),
            json!({"budget_cents": 9_500_000}),
            &[ADMIN],
        ),
        (
            "post",
            "/api/v1/project-grants/{id}/deliverables",
            gr("/deliverables"),
            deliverable_body.clone(),
            &[VVSG],
        ),
        (
            "put",
            "/api/v1/project-grants/{id}/deliverables/{deliverable_id}",
            gr(&format!("/deliverables/{}", deliverable["id"])),
            deliverable_body,
            &[VVSG],
        ),
        (
            "post",
            "/api/v1/project-grants/{id}/plan-items",
            gr("/plan-items"),
            plan_body.clone(),
            &[VVSG],
        ),
        (
            "put",
            "/api/v1/project-grants/{id}/plan-items/{item_id}",
            gr(&format!("/plan-items/{}", plan_item["id"])),
            plan_body,
            &[VVSG],
        ),
        (
            "get",
            "/api/v1/project-grants/{id}/claims",
            gr("/claims"),
            Value::Null,
            &[ADMIN, VVSG],
        ),
        (
            "post",
            "/api/v1/project-grants/{id}/claims",
            gr(&format!("/claims{claim_query}")),
            json!("not a PDF"),
            &[VVSG],
        ),
        (
            "get",
            "/api/v1/project-grants/{id}/claims/{claim_id}",
            claim(""),
            Value::Null,
            &[ADMIN, VVSG],
        ),
        (
            "get",
            "/api/v1/project-grants/{id}/claims/{claim_id}/document",
            claim("/document"),
            Value::Null,
            &[ADMIN, VVSG],
        ),
        (
            "post",
            "/api/v1/project-grants/{id}/claims/{claim_id}/decision",
            claim("/decision"),
            json!({"approve": true}),
            &[ADMIN],
        ),
        (
            "post",
            "/api/v1/project-grants/{id}/claims/{claim_id}/payment",
            claim("/payment"),
            json!({"paid_on": "2020-05-18", "reference": "M-1"}),
            &[ADMIN],
        ),
        (
            "get",
            "/api/v1/project-grants/{id}/progress-figures",
            gr("/progress-figures?period_from=2020-05-01"),
            Value::Null,
            &[ADMIN, VVSG],
        ),
        (
            "post",
            "/api/v1/project-grants/{id}/progress-reports",
            gr("/progress-reports"),
            json!({"period_from": "2020-05-01", "text": "Matrix"}),
            &[VVSG],
        ),
        (
            "get",
            "/api/v1/project-grants/{id}/progress-reports/{report_id}",
            gr(&format!("/progress-reports/{report_id}")),
            Value::Null,
            &[ADMIN, VVSG],
        ),
        (
            "post",
            "/api/v1/project-grants/{id}/progress-reports/{report_id}/review",
            gr(&format!("/progress-reports/{report_id}/review")),
            json!({"note": "Goed"}),
            &[ADMIN],
        ),
        ("get", "/api/v1/toolkit", "/api/v1/toolkit".into(), Value::Null, EVERYONE),
        ("post", "/api/v1/toolkit", "/api/v1/toolkit".into(), item_body.clone(), &[VVSG]),
        ("get", "/api/v1/toolkit/{id}", tk(kit, ""), Value::Null, EVERYONE),
        (
            "put",
            "/api/v1/toolkit/{id}",
            tk(draft["id"].as_i64().unwrap(), ""),
            item_body.clone(),
            &[VVSG],
        ),
        (
            "post",
            "/api/v1/toolkit/{id}/submit",
            tk(draft["id"].as_i64().unwrap(), "/submit"),
            Value::Null,
            &[VVSG],
        ),
        (
            "post",
            "/api/v1/toolkit/{id}/review",
            tk(draft["id"].as_i64().unwrap(), "/review"),
            json!({"publish": true}),
            &[VVSG],
        ),
        (
            "get",
            "/api/v1/toolkit/{id}/document",
            tk(kit, "/document?format=pdf"),
            Value::Null,
            EVERYONE,
        ),
        (
            "get",
            "/api/v1/toolkit/{id}/files/{file_id}",
            tk(kit, &format!("/files/{kit_file}")),
            Value::Null,
            EVERYONE,
        ),
        (
            "post",
            "/api/v1/toolkit/{id}/files",
            tk(draft["id"].as_i64().unwrap(), "/files?filename=a.txt"),
            json!("Tekst"),
            &[VVSG],
        ),
        (
            "get",
            "/api/v1/toolkit/{id}/checklist",
            tk(playbook, "/checklist"),
            Value::Null,
            &[GENT, ANTWERPEN],
        ),
        (
            "put",
            "/api/v1/toolkit/{id}/checklist/{step}",
            tk(playbook, "/checklist/1"),
            json!({"state": "done"}),
            &[GENT, ANTWERPEN],
        ),
        (
            "post",
            "/api/v1/toolkit/{id}/exercises",
            tk(playbook, "/exercises"),
            exercise_body,
            &[GENT, ANTWERPEN],
        ),
        (
            "get",
            "/api/v1/toolkit-exercises",
            "/api/v1/toolkit-exercises".into(),
            Value::Null,
            &[GENT, ANTWERPEN],
        ),
        (
            "post",
            "/api/v1/toolkit-exercises/{id}/actions/{position}/finding",
            format!("/api/v1/toolkit-exercises/{}/actions/1/finding", exercise["id"]),
            Value::Null,
            &[GENT],
        ),
        (
            "get",
            "/api/v1/toolkit-use",
            "/api/v1/toolkit-use".into(),
            Value::Null,
            &[GENT, ANTWERPEN, ADMIN, VVSG],
        ),
        (
            "get",
            "/api/v1/awareness-events/{id}/materials",
            aw("/materials"),
            Value::Null,
            EVERYONE,
        ),
        (
            "put",
            "/api/v1/awareness-events/{id}/materials",
            aw("/materials"),
            json!({"items": [kit]}),
            &[VVSG],
        ),
    ];

    // The operations the API has, from its own document; signing in and the document itself
    // are for everybody.
    let doc = app.get("", "/api/v1/openapi.json").await.1;
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.push((method.clone(), path.clone()));
        }
    }
    for (method, path) in &operations {
        if path == "/api/v1/auth/token" {
            continue;
        }
        assert!(
            table.iter().any(|(m, p, ..)| m == method && p == path),
            "{method} {path} is missing from the authorization matrix"
        );
    }
    for (method, route, ..) in &table {
        assert!(
            operations.iter().any(|(m, p)| m == method && p == route),
            "{method} {route} is in the matrix but not in the OpenAPI document"
        );
    }
    let mut routed = router_operations();
    routed.retain(|(_, path)| path != "/api/v1/openapi.json");
    operations.retain(|(_, path)| path != "/api/v1/openapi.json");
    assert!(routed.len() > 60, "the router's source was read: {} operations", routed.len());
    routed.sort();
    operations.sort();
    assert_eq!(
        routed, operations,
        "the router's API routes and the OpenAPI document's operations differ"
    );

    let mut wrong = Vec::new();
    let mut requests = 0;
    for (method, route, path, body, allowed) in &table {
        // Those who may not go first, so that what the allowed caller changes cannot hide a leak.
        let mut order: Vec<usize> = (0..tokens.len()).filter(|who| !allowed.contains(who)).collect();
        order.extend(allowed.iter());
        for who in order {
            let mut request = app
                .http
                .request(method.to_uppercase().parse().unwrap(), format!("{}{path}", app.base));
            if who != ANON {
                request = request.bearer_auth(&tokens[who]);
            }
            if !body.is_null() {
                request = request.json(body);
            }
            if with_keys && *method != "get" {
                requests += 1;
                request = request.header("idempotency-key", format!("matrix-{requests}"));
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let code = response.json::<Value>().await.unwrap_or(Value::Null)["code"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            let may = allowed.contains(&who);
            if status >= 500 || code == "no_such_route" || code == "method_not_allowed" {
                wrong.push(format!("{method} {path} by #{who}: {status} {code}"));
                continue;
            }
            let refused = matches!(status, 401 | 403 | 404);
            let ok = match (who, may) {
                (ANON, false) => status == 401,
                // Anyone may report a vulnerability.
                (ANON, true) => !refused,
                // A firm cannot tell another firm's order from no order: 404 (issue 10, item 12).
                (_, false) => status == 403 || status == 404,
                // An allowed caller may still meet a rule (409, 422) or an unknown id it named
                // itself, but never an authorization refusal.
                (_, true) => !refused || (status == 404 && route.ends_with("api-tokens/{id}")),
            };
            if !ok {
                wrong.push(format!("{method} {path} by #{who}: {status} {code} (allowed: {may})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    let _ = (DELOITTE, VVSG, STUDENT, ANTWERPEN);
}

/// The API's operations as the router registers them, read from its source
/// (`crates/web/src/lib.rs`, the `.route(...)` calls of the API's router): the document must
/// describe each, and nothing more.
fn router_operations() -> Vec<(String, String)> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/src/lib.rs")).unwrap();
    let api = source
        .split("let mut api = Router::new()")
        .nth(1)
        .and_then(|rest| rest.split(".fallback(api_not_found)").next())
        .expect("the API's router in crates/web/src/lib.rs");
    let mut out = Vec::new();
    for call in api.split(".route(").skip(1) {
        let path = call.split('"').nth(1).expect("a route's path");
        // The method routers up to the next route: `get(...)`, `.post(...)`, `axum::routing::delete(...)`.
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = call.match_indices(&format!("{method}(")).any(|(i, _)| {
                let before = call[..i].chars().last();
                matches!(before, Some('.' | ':' | ' ' | '(' | '\n'))
            });
            if called {
                out.push((method.to_owned(), format!("/api/v1{path}")));
            }
        }
    }
    out
}
