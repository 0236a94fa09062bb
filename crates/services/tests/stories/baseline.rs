//! The continuous baseline scan (issue 16, part B), against the offline fleet: a government
//! registers its domain, the weekly scan opens findings for what fails, fixes them when a later
//! scan passes and leaves them when the scanner could not tell; an accepted explanation leaves
//! the score; a paused government is not scanned; two servers never scan a system twice.

use super::*;
use cyberveilig_baseline::fleet::spec::{DomainSpec, Legacy, TlsSpec, good};
use cyberveilig_baseline::fleet::{Fleet, FleetConfig};
use cyberveilig_baseline::tls::TlsVersion;
use cyberveilig_domain::baseline::CheckVerdict;
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_services::Services;
use cyberveilig_services::baseline::{ScanHolder, fleet_scanner};
use cyberveilig_services::store::records::{FindingFilter, StoredFinding};
use std::net::Ipv4Addr;
use std::sync::Arc;

/// Each story and backend scans fleets of its own: the stories of one binary run at once.
fn base(backend: common::Backend, story: u8, week: u8) -> Ipv4Addr {
    let b = match backend {
        common::Backend::Sqlite => 0,
        common::Backend::Postgres => 1,
    };
    Ipv4Addr::new(127, 90 + story * 2 + b, week, 0)
}

/// gent.test with TLS 1.0 on and DMARC at p=none.
fn weak_gent() -> DomainSpec {
    let mut d = good("gent");
    d.web.https = Some(TlsSpec::with_legacy(Legacy {
        versions: vec![TlsVersion::Tls10],
        ..Legacy::tls12(&[0xC009, 0xC00A])
    }));
    d.dns.dmarc = Some("v=DMARC1; p=none; rua=mailto:dmarc@gent.test".into());
    d
}

/// Starts a fleet serving `domains` at the clock's now and lets the services scan it.
async fn fleet(w: &World, base: Ipv4Addr, domains: Vec<DomainSpec>) -> Fleet {
    let config = FleetConfig {
        base,
        now: w.now(),
        domains,
        copies: Vec::new(),
        ipv6: false,
    };
    let fleet = Fleet::start(config).await.expect("the fleet starts");
    w.s()
        .set_baseline_scanner(Some(Arc::new(fleet_scanner(&fleet, "http://portal.test/scanner").unwrap())));
    fleet
}

async fn baseline_findings(w: &World, who: &Actor) -> Vec<StoredFinding> {
    let filter = FindingFilter {
        limit: 500,
        ..Default::default()
    };
    let mut found: Vec<StoredFinding> = w
        .s()
        .findings(who, filter)
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.tool.as_str() == "baseline")
        .collect();
    found.sort_by(|a, b| a.rule_id.cmp(&b.rule_id));
    found
}

fn finding<'f>(found: &'f [StoredFinding], rule: &str) -> &'f StoredFinding {
    found
        .iter()
        .find(|f| f.rule_id == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {:?}", found.iter().map(|f| &f.rule_id).collect::<Vec<_>>()))
}

story!(a_weekly_scan_opens_fixes_and_scores_findings, "2021-03-01T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    let aalst = w.municipality("41002").await;
    let admin = w.admin().await;
    let holder = ScanHolder("story".into());

    // What cannot be scanned is refused, in the government's language, and nothing is written.
    for (name, field_says) in [
        ("192.0.2.0/24", "adresbereik"),
        ("10.1.2.3", "geen adres op het publieke internet"),
        ("127.0.0.1", "geen adres op het publieke internet"),
        ("gent .be", "geef een domein"),
    ] {
        match w.s().register_baseline_system(&gent, gent.organisation_id, name, None).await {
            Err(ServiceError::Invalid { message_nl, .. }) => assert!(message_nl.contains(field_says), "{name}: {message_nl}"),
            other => panic!("{name} was not refused: {other:?}"),
        }
    }
    assert!(matches!(
        w.s()
            .register_baseline_system(&aalst, gent.organisation_id, "gent.test", None)
            .await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(w.s().baseline(&gent, gent.organisation_id).await.unwrap().systems.is_empty());

    let system = w
        .s()
        .register_baseline_system(&gent, gent.organisation_id, "Gent.Test.", None)
        .await
        .unwrap();
    assert_eq!(system.name, "gent.test");

    // Week 1: TLS 1.0 and DMARC at p=none.
    let week1 = fleet(&w, base(w.backend, 0, 1), vec![weak_gent()]).await;
    let round = w.s().run_baseline_round(&holder, 10).await.unwrap();
    assert_eq!((round.queued, round.scanned), (1, 1));
    let view = w.s().baseline(&gent, gent.organisation_id).await.unwrap();
    let verdict = |view: &cyberveilig_services::baseline::BaselineView, check: &str| {
        view.results
            .iter()
            .find(|(r, _)| r.check == check && r.subject == "gent.test")
            .map(|(r, _)| r.verdict)
    };
    assert_eq!(verdict(&view, "web-tls-version"), Some(CheckVerdict::Fail));
    assert_eq!(verdict(&view, "mail-dmarc"), Some(CheckVerdict::Fail));
    assert_eq!(verdict(&view, "web-hsts"), Some(CheckVerdict::Pass));
    let first_score = view.scores[0].1.percent().unwrap();
    assert!(first_score < 100, "{first_score}");
    let found = baseline_findings(&w, &gent).await;
    let tls = finding(&found, "web-tls-version");
    assert_eq!(tls.status, FindingStatus::Open);
    assert!(tls.decision.is_some() && tls.due_on.is_some(), "prioritised like any finding");
    assert!(tls.evidence.as_deref().unwrap_or("").contains("TLS 1.0"), "{:?}", tls.evidence);
    assert_eq!(finding(&found, "mail-dmarc").status, FindingStatus::Open);
    assert!(found.iter().all(|f| f.rule_id != "web-hsts"), "a pass is no finding");
    // Nothing is due again within the week.
    assert_eq!(w.s().run_baseline_round(&holder, 10).await.unwrap(), Default::default());
    drop(week1);

    // Week 2: TLS fixed; DMARC still at p=none. The TLS finding is fixed, the DMARC one is the same finding.
    w.advance_days(7).await;
    let week2 = fleet(
        &w,
        base(w.backend, 0, 2),
        vec![{
            let mut d = good("gent");
            d.dns.dmarc = Some("v=DMARC1; p=none; rua=mailto:dmarc@gent.test".into());
            d
        }],
    )
    .await;
    let round = w.s().run_baseline_round(&holder, 10).await.unwrap();
    assert_eq!((round.queued, round.scanned), (1, 1));
    let again = baseline_findings(&w, &gent).await;
    assert_eq!(finding(&again, "web-tls-version").status, FindingStatus::Fixed);
    let dmarc = finding(&again, "mail-dmarc");
    assert_eq!((dmarc.id, dmarc.status), (finding(&found, "mail-dmarc").id, FindingStatus::Open));
    assert_eq!(again.len(), found.len(), "no finding twice");
    let view = w.s().baseline(&gent, gent.organisation_id).await.unwrap();
    let second_score = view.scores[0].1.percent().unwrap();
    assert!(second_score > first_score, "{second_score} > {first_score}");
    let overall: Vec<_> = view.history.iter().filter(|p| p.category == "all").collect();
    assert_eq!(overall.len(), 2, "a point per scan");
    drop(week2);

    // Week 3: the fleet is gone. The scanner cannot tell: the open finding stays open.
    w.advance_days(7).await;
    let silent = fleet(&w, base(w.backend, 0, 3), vec![good("elsewhere")]).await;
    assert_eq!(w.s().run_baseline_round(&holder, 10).await.unwrap().scanned, 1);
    assert_eq!(
        finding(&baseline_findings(&w, &gent).await, "mail-dmarc").status,
        FindingStatus::Open
    );
    drop(silent);

    // Comply or explain: Gent explains DMARC; until the administrator accepts, it counts.
    let view = w.s().baseline(&gent, gent.organisation_id).await.unwrap();
    let dmarc_subject = "gent.test";
    assert!(matches!(
        w.s()
            .explain_check(&gent, gent.organisation_id, "mail-dmarc", "www.elders.test", "x")
            .await,
        Err(ServiceError::Invalid { .. })
    ));
    assert!(matches!(
        w.s()
            .explain_check(&gent, gent.organisation_id, "no-such-check", dmarc_subject, "x")
            .await,
        Err(ServiceError::Invalid { .. })
    ));
    let e = w
        .s()
        .explain_check(&gent, gent.organisation_id, "mail-dmarc", dmarc_subject, "Geen mail op dit domein.")
        .await
        .unwrap();
    assert!(matches!(
        w.s().decide_explanation(&gent, e.id, true, None).await,
        Err(ServiceError::Forbidden)
    ));
    w.s().decide_explanation(&admin, e.id, true, Some("Nagekeken.")).await.unwrap();
    assert!(matches!(
        w.s().decide_explanation(&admin, e.id, false, None).await,
        Err(ServiceError::Conflict { .. })
    ));
    let explained = w.s().baseline(&gent, gent.organisation_id).await.unwrap();
    let (before, after) = (view.scores[0].1, explained.scores[0].1);
    assert_eq!(after.counted + 1, before.counted, "the explained check leaves the score");
    assert_eq!(
        finding(&baseline_findings(&w, &gent).await, "mail-dmarc").status,
        FindingStatus::FalsePositive
    );

    // Paused: nothing of Gent is queued or scanned, and a scan cannot be asked for.
    w.s().set_baseline_paused(&gent, gent.organisation_id, true).await.unwrap();
    w.advance_days(7).await;
    assert_eq!(w.s().run_baseline_round(&holder, 10).await.unwrap(), Default::default());
    assert!(matches!(
        w.s().request_baseline_scan(&gent, gent.organisation_id).await,
        Err(ServiceError::Conflict { .. })
    ));
    w.s().set_baseline_paused(&gent, gent.organisation_id, false).await.unwrap();

    // The administrator's overview and the public one per province (off until switched on).
    let overview = w.s().baseline_overview(&admin, 0, 50).await.unwrap();
    assert_eq!(overview.len(), 1);
    assert_eq!(overview[0].government_id, gent.organisation_id);
    assert!(w.s().province_scores(None).await.unwrap().is_none());
    w.s().set_baseline_public(&admin, true).await.unwrap();
    let provinces = w.s().province_scores(None).await.unwrap().unwrap();
    let east = provinces
        .iter()
        .find(|p| p.province == cyberveilig_domain::registry::Province::EastFlanders)
        .unwrap();
    assert_eq!((east.governments, east.mean), (1, explained.scores[0].1.percent()));
});

story!(two_servers_never_scan_a_system_twice, "2021-03-01T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    w.s()
        .register_baseline_system(&gent, gent.organisation_id, "gent.test", None)
        .await
        .unwrap();
    let running = fleet(&w, base(w.backend, 1, 1), vec![good("gent")]).await;
    // The second server on the same database scans with the same fleet.
    let other = Services::new(w.s().store.clone(), w.clock.clone()).with_audit_key(w.audit_key.clone());
    other.set_baseline_scanner(Some(Arc::new(fleet_scanner(&running, "http://portal.test/scanner").unwrap())));
    assert_eq!(w.s().request_baseline_scan(&gent, gent.organisation_id).await.unwrap(), 1);
    assert_eq!(
        w.s().request_baseline_scan(&gent, gent.organisation_id).await.unwrap(),
        0,
        "one waits already"
    );
    let (first, second) = (ScanHolder("a".into()), ScanHolder("b".into()));
    let (a, b) = tokio::join!(w.s().run_baseline_round(&first, 10), other.run_baseline_round(&second, 10));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.scanned + b.scanned, 1, "{a:?} {b:?}");
    let view = w.s().baseline(&gent, gent.organisation_id).await.unwrap();
    assert_eq!(view.scans.len(), 1);
    assert!(view.scores[0].1.percent().is_some());
});
