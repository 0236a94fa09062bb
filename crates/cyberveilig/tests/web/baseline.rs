//! The baseline scan through the API (issue 16): Gent registers its domain on an offline fleet,
//! a scan runs, and the API shows the verdicts, scores and history; the explanation, the
//! administrator's decision, the overview and the public overview per province.

use super::*;
use cyberveilig_baseline::fleet::spec::good;
use cyberveilig_baseline::fleet::{Fleet, FleetConfig};
use cyberveilig_services::baseline::{ScanHolder, fleet_scanner};

/// Gent's `gent.test` on a fleet of its own at `base`, registered through the API and scanned once
/// (DMARC at p=none: one failing check). The fleet runs while it is held.
pub(crate) async fn gent_scanned(app: &App, gent: &str, base: [u8; 4]) -> Fleet {
    let mut spec = good("gent");
    spec.dns.dmarc = Some("v=DMARC1; p=none".into());
    let config = FleetConfig {
        base: base.into(),
        now: app.services.clock.now(),
        domains: vec![spec],
        copies: Vec::new(),
        ipv6: false,
    };
    let fleet = Fleet::start(config).await.expect("the fleet starts");
    app.services
        .set_baseline_scanner(Some(Arc::new(fleet_scanner(&fleet, "http://portal.test/scanner").unwrap())));
    let (status, system) = app
        .post(gent, "/api/v1/governments/44021/baseline/systems", json!({"name": "gent.test"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{system}");
    let (status, queued) = app.post(gent, "/api/v1/governments/44021/baseline/scans", Value::Null).await;
    assert_eq!((status, queued["queued"].as_i64()), (StatusCode::ACCEPTED, Some(1)), "{queued}");
    let round = app.services.run_baseline_round(&ScanHolder("api".into()), 10).await.unwrap();
    assert_eq!(round.scanned, 1);
    fleet
}

#[tokio::test]
async fn a_government_reads_its_scores_and_explains_a_check() {
    let app = spawn_app().await;
    let gent = app.token("44021@gemeente.test").await;
    let antwerpen = app.token("11002@gemeente.test").await;
    let admin = app.token("admin@abb.test").await;

    // Bad input: a clear problem in the caller's language, nothing registered.
    for (body, field) in [
        (json!({"name": "10.0.0.1"}), "name"),
        (json!({"name": "192.0.2.0/24"}), "name"),
        (json!({"name": "gent.test", "kind": "printer"}), "kind"),
    ] {
        let (status, problem) = app.post(&gent, "/api/v1/governments/44021/baseline/systems", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], field, "{problem}");
    }
    let (status, _) = app.get(&antwerpen, "/api/v1/governments/44021/baseline").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another government's baseline is not told");

    let _fleet = gent_scanned(&app, &gent, [127, 96, 0, 0]).await;
    let (status, view) = app.get(&gent, "/api/v1/governments/44021/baseline").await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["systems"][0]["name"], "gent.test");
    assert_eq!(view["scores"][0]["category"], "all");
    let overall = view["scores"][0]["percent"].as_u64().unwrap();
    assert!(overall > 0 && overall < 100, "{overall}");
    let dmarc = view["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "mail-dmarc")
        .expect("the DMARC check");
    assert_eq!(dmarc["verdict"], "fail");
    assert_eq!(dmarc["title"], "DMARC-beleid");
    assert!(!dmarc["evidence"].as_array().unwrap().is_empty(), "{dmarc}");
    assert_eq!(view["history"].as_array().unwrap().len(), 5, "a point per category after the scan");
    assert_eq!(view["scans"][0]["state"], "done");

    // The failing check is a finding in Gent's register.
    let (_, register) = app.get(&gent, "/api/v1/findings?government_nis=44021").await;
    assert!(
        register["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["tool"] == "baseline" && f["rule_id"] == "mail-dmarc"),
        "{register}"
    );

    // Comply or explain, decided by the administrator.
    let (status, e) = app
        .post(
            &gent,
            "/api/v1/governments/44021/baseline/explanations",
            json!({"check": "mail-dmarc", "subject": "gent.test", "explanation": "Geen mail op dit domein."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let (_, waiting) = app.get(&admin, "/api/v1/baseline/explanations").await;
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    let (status, decided) = app
        .post(
            &admin,
            &format!("/api/v1/baseline/explanations/{}/decision", e["id"]),
            json!({"accept": true, "note": "Nagekeken"}),
        )
        .await;
    assert_eq!((status, decided["state"].as_str()), (StatusCode::OK, Some("accepted")), "{decided}");
    let (_, after) = app.get(&gent, "/api/v1/governments/44021/baseline").await;
    assert!(after["scores"][0]["percent"].as_u64().unwrap() > overall);

    // The overview, and the public one per province once switched on.
    let (_, page) = app.get(&admin, "/api/v1/baseline/overview?limit=10").await;
    assert_eq!(page["items"][0]["government_nis"], "44021");
    let (status, _) = app.get("", "/api/v1/baseline/provinces").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = app
        .http
        .put(format!("{}/api/v1/baseline/publication", app.base))
        .bearer_auth(&admin)
        .json(&json!({"public": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, provinces) = app.get("", "/api/v1/baseline/provinces").await;
    assert_eq!(status, StatusCode::OK);
    let east = provinces
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["province"] == "oost-vlaanderen")
        .unwrap();
    assert_eq!(east["governments"], 1);
    assert_eq!(east["percent"], after["scores"][0]["percent"]);
}
