//! Results over the API: a scan imported and its findings in priority order, and the answer to
//! Parliament quoting the figures the API gives.

use super::*;

#[tokio::test]
async fn a_scan_is_imported_over_the_api_and_its_findings_listed_in_priority_order() {
    let app = spawn_app().await;
    let (gent, ey, id) = app.gent_order_accepted_by_ey().await;
    let scan = r#"<?xml version="1.0"?><nmaprun scanner="nmap" version="7.94"><host><status state="up"/>
        <address addr="192.0.2.10" addrtype="ipv4"/><ports><port protocol="tcp" portid="23"><state state="open"/>
        <service name="telnet"/></port><port protocol="tcp" portid="3389"><state state="open"/><service name="ms-wbt-server"/>
        </port></ports></host></nmaprun>"#;
    let import = |body: &'static str| {
        let (http, url, token) = (app.http.clone(), format!("{}/api/v1/orders/{id}/imports", app.base), ey.clone());
        async move {
            let r = http.post(url).bearer_auth(token).body(body).send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, summary) = import(scan).await;
    assert_eq!(status, StatusCode::CREATED, "{summary}");
    assert_eq!((summary["format"].as_str(), summary["new"].as_i64()), (Some("nmap"), Some(2)));
    let (status, again) = import(scan).await;
    assert_eq!(
        (status, again["new"].as_i64(), again["still_open"].as_i64()),
        (StatusCode::CREATED, Some(0), Some(2))
    );
    // Not a report: a clear problem, nothing imported.
    let (status, problem) = import("this is not a scan report").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "report");
    let (status, page) = app.get(&gent, "/api/v1/findings?government_nis=44021&status=open").await;
    assert_eq!(status, StatusCode::OK);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let rank = |s: &str| ["info", "low", "medium", "high", "critical"].iter().position(|x| *x == s).unwrap();
    assert!(rank(items[0]["severity"].as_str().unwrap()) >= rank(items[1]["severity"].as_str().unwrap()));
    assert_eq!(
        app.get(&gent, "/api/v1/findings?status=lost").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Bulk: all or nothing, with the reason per finding; then the register filters by owner.
    let ids: Vec<i64> = items.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    let (status, problem) = app
        .post(&gent, "/api/v1/findings/status", json!({"ids": ids, "status": "verified"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "nothing_changed");
    assert!(problem["detail"].as_str().unwrap().contains(&format!("#{}", ids[1])), "{problem}");
    let (status, done) = app
        .post(&gent, "/api/v1/findings/status", json!({"ids": ids, "status": "in_progress"}))
        .await;
    assert_eq!(
        (status, done["changed"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(2)),
        "{done}"
    );
    let me = app.get(&gent, "/api/v1/findings?owner=me").await.1;
    assert_eq!(me["items"].as_array().map(Vec::len), Some(0));

    // The plan as CSV and XLSX, with its type and a file name.
    let export = |format: &'static str| {
        let (http, url, token) = (
            app.http.clone(),
            format!("{}/api/v1/findings/export?format={format}&sort=due_on", app.base),
            gent.clone(),
        );
        async move { http.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let csv = export("csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = csv.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"remediatieplan-") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.contains("id,titel,systeem,ernst,CVSS-score,beslissing,stand,eigenaar,deadline,te laat,CVE's"),
        "{text}"
    );
    let xlsx = export("xlsx").await;
    assert_eq!(
        xlsx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
    assert_eq!(export("pdf").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// FIG-8 through the API: every number of the answer to Parliament is the one
/// `GET /api/v1/programmes/1/figures` gives for the same day, and the CSV of a table matches too.
#[tokio::test]
async fn the_answer_to_parliament_quotes_the_figures_the_api_gives() {
    let app = spawn_app().await;
    let admin = app.token("admin@abb.test").await;
    app.gent_order_accepted_by_ey().await;
    let (status, figures) = app.get(&admin, "/api/v1/programmes/1/figures?at=2020-05-18").await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    let answer = app
        .http
        .get(format!(
            "{}/api/v1/programmes/1/parliament-answer?at=2020-05-18&format=md",
            app.base
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers()["content-type"].to_str().unwrap().starts_with("text/markdown"));
    let text = answer.text().await.unwrap();
    let euros = |cents: &Value| cyberveilig_domain::Money::from_cents(cents.as_i64().unwrap()).format_nl();
    let orders = &figures["orders"];
    for quoted in [
        format!("Op 18/05/2020 zijn {} bestellingen ingediend", orders["submitted"]),
        format!(
            "{} basisaudits zijn besteld (niet geannuleerd), {} opgeleverd en {} vereffend",
            orders["basic_audits"]["ordered"], orders["basic_audits"]["delivered"], orders["basic_audits"]["settled"]
        ),
        format!(
            "{} lokale besturen zijn bereikt, waaronder {} van de {} gemeenten",
            figures["reach"]["governments"], figures["reach"]["municipalities_reached"], figures["reach"]["municipalities"]
        ),
        format!(
            "{} vastgelegd voor lopende bestellingen, {} uitbetaald en {} nog beschikbaar",
            euros(&figures["credit"]["reserved_cents"]),
            euros(&figures["credit"]["paid_cents"]),
            euros(&figures["credit"]["available_cents"])
        ),
    ] {
        assert!(text.contains(&quoted), "the answer quotes `{quoted}`:\n{text}");
    }
    assert_eq!(orders["submitted"], 1);
    let csv = app
        .http
        .get(format!(
            "{}/api/v1/programmes/1/figures/tables/orders-by-state?at=2020-05-18",
            app.base
        ))
        .bearer_auth(&admin)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.trim_start_matches('\u{feff}').trim(), "State,Orders\naccepted,1");
    // A day after the test clock's today is refused, naming the field.
    let (status, problem) = app.get(&admin, "/api/v1/programmes/1/figures?at=2020-05-19").await;
    assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("at")));
}
