//! Audit results: a firm imports its scan for an order; findings are deduplicated and a rescan
//! reconciles them.

use super::*;
use cyberveilig_domain::severity::Severity;
use cyberveilig_services::store::records::FindingFilter;
use std::io::Cursor;

pub(crate) fn nmap(ports: &[(&str, u16)]) -> Vec<u8> {
    let mut hosts = String::new();
    for (ip, port) in ports {
        hosts.push_str(&format!(
            r#"<host><status state="up"/><address addr="{ip}" addrtype="ipv4"/><ports><port protocol="tcp" portid="{port}"><state state="open"/><service name="svc"/></port></ports></host>"#
        ));
    }
    format!(r#"<?xml version="1.0"?><nmaprun scanner="nmap" version="7.94">{hosts}</nmaprun>"#).into_bytes()
}

story!(
    a_firm_imports_a_scan_and_a_rescan_reconciles_the_findings,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let ey = w.actor("ey@firms.test").await;
        let deloitte = w.actor("deloitte@firms.test").await;
        let order = w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
        let scan = nmap(&[("192.0.2.10", 3389), ("192.0.2.10", 445), ("192.0.2.11", 3389)]);
        // Not before the firm has accepted.
        assert!(matches!(
            w.s().import_report(&ey, order.id, Cursor::new(scan.clone())).await,
            Err(ServiceError::Conflict {
                code: "order_not_accepted_yet",
                ..
            })
        ));
        w.s()
            .firm_step(
                &ey,
                order.id,
                FirmStep::Accept {
                    price: cents(500_940),
                    planned_start_on: d(2020, 6, 1),
                },
            )
            .await
            .unwrap();
        // Another firm cannot import for it, and a broken report writes nothing.
        assert!(matches!(
            w.s().import_report(&deloitte, order.id, Cursor::new(scan.clone())).await,
            Err(ServiceError::NotFound(_))
        ));
        let before = w.log_entries().await;
        let broken = w
            .s()
            .import_report(&ey, order.id, Cursor::new(scan[..scan.len() / 2].to_vec()))
            .await;
        assert!(matches!(broken, Err(ServiceError::Invalid { field: "report", .. })), "{broken:?}");
        assert_eq!(w.log_entries().await, before);

        let first = w.s().import_report(&ey, order.id, Cursor::new(scan.clone())).await.unwrap();
        assert_eq!(
            (first.format.as_str(), first.new, first.still_open, first.reopened, first.fixed),
            ("nmap", 3, 0, 0, 0)
        );
        // The same scan again creates nothing new.
        let again = w.s().import_report(&ey, order.id, Cursor::new(scan.clone())).await.unwrap();
        assert_eq!((again.new, again.still_open, again.reopened, again.fixed), (0, 3, 0, 0));
        // A rescan after SMB was closed on .10: that finding is fixed.
        let rescan = w
            .s()
            .import_report(&ey, order.id, Cursor::new(nmap(&[("192.0.2.10", 3389), ("192.0.2.11", 3389)])))
            .await
            .unwrap();
        assert_eq!((rescan.new, rescan.still_open, rescan.reopened, rescan.fixed), (0, 2, 0, 1));
        // And opened again: reopened.
        let reopened = w.s().import_report(&ey, order.id, Cursor::new(scan)).await.unwrap();
        assert_eq!((reopened.new, reopened.still_open, reopened.reopened, reopened.fixed), (0, 2, 1, 0));

        // Gent sees its findings in priority order; Antwerpen and VVSG see none of them.
        let all = FindingFilter {
            limit: 100,
            ..Default::default()
        };
        let mine = w.s().findings(&gent, all.clone()).await.unwrap();
        assert_eq!(mine.len(), 3);
        assert!(mine.windows(2).all(|p| p[0].severity >= p[1].severity));
        assert!(mine.iter().all(|f| f.status.as_str() == "open" && f.asset_id.is_some()));
        assert!(
            w.s()
                .findings(&w.municipality(ANTWERPEN).await, all.clone())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(w.s().findings(&deloitte, all.clone()).await.unwrap().is_empty());
        assert_eq!(w.s().findings(&ey, all.clone()).await.unwrap().len(), 3);
        assert!(matches!(
            w.s().findings(&w.actor("vvsg@vvsg.test").await, all).await,
            Err(ServiceError::Forbidden)
        ));
        let actions = w.actions(order.id).await;
        assert_eq!(actions.iter().filter(|a| *a == "order.results_imported").count(), 4);
        // The stored history of the imports, as the order's results page shows it.
        let history = w.s().imports(&gent, order.id).await.unwrap();
        let told: Vec<(&str, i64, i64)> = history.iter().map(|i| (i.format.as_str(), i.new, i.fixed)).collect();
        assert_eq!(told, [("nmap", 3, 0), ("nmap", 0, 0), ("nmap", 0, 1), ("nmap", 0, 0)]);
        assert!(history.iter().all(|i| i.tool_version.as_deref() == Some("7.94")));
        assert!(matches!(w.s().imports(&deloitte, order.id).await, Err(ServiceError::NotFound(_))));
    }
);

story!(
    a_finding_is_fixed_by_the_government_and_verified_by_the_firm,
    "2020-05-18T08:00:00Z",
    |w| {
        use cyberveilig_services::findings::StatusChange;
        let (gent, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
        w.s()
            .import_report(&ey, order.id, Cursor::new(nmap(&[("192.0.2.10", 3389), ("192.0.2.10", 23)])))
            .await
            .unwrap();
        let all = FindingFilter {
            limit: 10,
            ..Default::default()
        };
        let findings = w.s().findings(&gent, all.clone()).await.unwrap();
        let (a, b) = (findings[0].id, findings[1].id);
        let change = |status: &str, reason: Option<&str>, until: Option<chrono::NaiveDate>| StatusChange {
            status: status.into(),
            reason: reason.map(str::to_owned),
            until,
        };
        // The government starts and fixes; it cannot verify its own fix; the firm's re-test does.
        w.s()
            .change_finding_status(&gent, a, change("in_progress", None, None))
            .await
            .unwrap();
        w.s().change_finding_status(&gent, a, change("fixed", None, None)).await.unwrap();
        assert!(matches!(
            w.s().change_finding_status(&gent, a, change("verified", None, None)).await,
            Err(ServiceError::Conflict {
                code: "step_not_allowed",
                ..
            })
        ));
        let verified = w.s().change_finding_status(&ey, a, change("verified", None, None)).await.unwrap();
        assert_eq!(verified.status.as_str(), "verified");
        // An accepted risk needs a reason and an end date within a year.
        assert!(matches!(
            w.s()
                .change_finding_status(&gent, b, change("risk_accepted", None, Some(d(2020, 12, 31))))
                .await,
            Err(ServiceError::Invalid { field: "reason", .. })
        ));
        assert!(matches!(
            w.s()
                .change_finding_status(&gent, b, change("risk_accepted", Some("Vervangen in 2021"), Some(d(2022, 1, 1))))
                .await,
            Err(ServiceError::Invalid { field: "until", .. })
        ));
        w.s()
            .change_finding_status(&gent, b, change("risk_accepted", Some("Vervangen in 2021"), Some(d(2020, 12, 31))))
            .await
            .unwrap();
        // Nobody else touches Gent's findings.
        let antwerpen = w.municipality(ANTWERPEN).await;
        let deloitte = w.actor("deloitte@firms.test").await;
        for other in [&antwerpen, &deloitte] {
            assert!(matches!(
                w.s().change_finding_status(other, b, change("open", None, None)).await,
                Err(ServiceError::NotFound(_))
            ));
        }
        assert!(matches!(
            w.s().change_finding_status(&gent, b, change("lost", None, None)).await,
            Err(ServiceError::Invalid { .. })
        ));
        let statuses: Vec<String> = w
            .s()
            .findings(&gent, all)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.status.as_str().to_owned())
            .collect();
        assert_eq!(statuses.iter().filter(|s| *s == "verified").count(), 1);
        assert_eq!(statuses.iter().filter(|s| *s == "risk_accepted").count(), 1);
        // The accepted risk ends on 31 December: open again from 1 January, by the clock's job.
        w.advance_to("2020-12-31T12:00:00Z").await;
        assert_eq!(w.s().finding(&gent, b).await.unwrap().finding.status.as_str(), "risk_accepted");
        w.advance_to("2021-01-01T09:00:00Z").await;
        let view = w.s().finding(&gent, b).await.unwrap();
        assert_eq!(view.finding.status.as_str(), "open");
        assert_eq!(view.events.last().unwrap().action, "finding.status_changed");
        assert!(matches!(w.s().verify_audit_log().await.unwrap(), ChainReport::Intact { .. }));
    }
);

story!(kev_and_epss_set_each_findings_priority_and_deadline, "2020-05-18T08:00:00Z", |w| {
    use cyberveilig_services::intel::{Intel, parse_epss, parse_kev};
    let gent = w.municipality(GENT).await;
    let ey = w.actor("ey@firms.test").await;
    let admin = w.admin().await;
    let order = w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
    w.s()
        .firm_step(
            &ey,
            order.id,
            FirmStep::Accept {
                price: cents(500_940),
                planned_start_on: d(2020, 6, 1),
            },
        )
        .await
        .unwrap();
    let report = "title,severity,rule_id,ip,port,cve,cvss_vector\n\
        Log4Shell,critical,L4J,192.0.2.20,443,CVE-2021-44228,CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H\n\
        Old TLS,medium,TLS10,192.0.2.20,443,CVE-2011-3389,CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:L/I:N/A:N\n";
    w.s()
        .import_report(&ey, order.id, Cursor::new(report.as_bytes().to_vec()))
        .await
        .unwrap();
    let list = || async {
        w.s()
            .findings(
                &gent,
                FindingFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
    };
    // The catalogue shipped with cyberveilig, loaded at installation, lists Log4Shell as
    // exploited: Act from the first import, due in 7 days, first in the list.
    let shipped = list().await;
    assert_eq!(shipped[0].title, "Log4Shell");
    assert_eq!(shipped[0].decision.map(|d| d.as_str()), Some("act"));
    assert_eq!(shipped[0].due_on, Some(d(2020, 5, 25)));
    assert_eq!(shipped[1].decision.map(|d| d.as_str()), Some("track"));

    // A catalogue without it replaces the shipped one: nothing is exploited, so Log4Shell
    // (automatable, total) on a medium asset is Track, due in 180 days.
    let other = br#"{"title":"CISA Catalog","vulnerabilities":[{"cveID":"CVE-2099-0001","dateAdded":"2099-01-01","knownRansomwareCampaignUse":"Unknown"}]}"#;
    let admin_loads = |kev: &'static [u8]| w.s().load_intel(Some(&admin), Intel::Kev(parse_kev(kev).unwrap()));
    assert_eq!(admin_loads(other).await.unwrap(), (1, 2));
    let before = list().await;
    assert!(
        before.iter().all(|f| f.decision.map(|d| d.as_str()) == Some("track")),
        "{:?}",
        before.iter().map(|f| &f.decision).collect::<Vec<_>>()
    );
    assert_eq!(before[0].due_on, Some(d(2020, 5, 18) + chrono::Days::new(180)));

    // CISA lists Log4Shell as exploited: Act again, due in 7 days, first in the list.
    let kev = br#"{"title":"CISA Catalog","vulnerabilities":[{"cveID":"CVE-2021-44228","dateAdded":"2021-12-10","knownRansomwareCampaignUse":"Known"}]}"#;
    assert!(matches!(
        w.s().load_intel(Some(&gent), Intel::Kev(parse_kev(kev).unwrap())).await,
        Err(ServiceError::Forbidden)
    ));
    let (entries, prioritised) = admin_loads(kev).await.unwrap();
    assert_eq!((entries, prioritised), (1, 2));
    let after = list().await;
    assert_eq!(after[0].title, "Log4Shell");
    assert_eq!(after[0].decision.map(|d| d.as_str()), Some("act"));
    assert_eq!(after[0].due_on, Some(d(2020, 5, 25)));
    // EPSS alone (a public proof of concept) does not lift a partial, non-automatable finding.
    let epss = b"#model_version:v2023.03.01,score_date:2024-01-01T00:00:00+0000\ncve,epss,percentile\nCVE-2011-3389,0.5,0.97\n";
    w.s()
        .load_intel(Some(&admin), Intel::Epss(parse_epss(epss).unwrap()))
        .await
        .unwrap();
    assert_eq!(list().await[1].decision.map(|d| d.as_str()), Some("track"));
    // Bad files are refused with the reason.
    assert!(matches!(parse_kev(b"{}"), Err(ServiceError::Invalid { .. })));
    assert!(matches!(
        parse_epss(b"cve,epss,percentile\nCVE-1,2,3\n"),
        Err(ServiceError::Invalid { .. })
    ));
});

story!(
    a_government_marks_an_asset_critical_and_its_findings_rise,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
        let report = "title,severity,rule_id,ip,port,cvss_vector\n\
        Open admin console,high,ADM,192.0.2.30,8443,CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n";
        w.s()
            .import_report(&ey, order.id, Cursor::new(report.as_bytes().to_vec()))
            .await
            .unwrap();
        let assets = w.s().assets(&gent, gent.organisation_id).await.unwrap();
        assert_eq!(assets.len(), 1);
        assert_eq!(assets[0].criticality.as_str(), "medium");
        let finding = || async {
            w.s()
                .findings(
                    &gent,
                    FindingFilter {
                        limit: 1,
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .remove(0)
        };
        // Automatable, total impact, no known exploitation, medium asset: Track.
        assert_eq!(finding().await.decision.map(|d| d.as_str()), Some("track"));
        // The asset carries the population register: high. Without exploitation that is Attend.
        assert!(matches!(
            w.s().set_asset_criticality(&gent, assets[0].id, "vital").await,
            Err(ServiceError::Invalid { .. })
        ));
        let antwerpen = w.municipality(ANTWERPEN).await;
        assert!(matches!(
            w.s().set_asset_criticality(&antwerpen, assets[0].id, "high").await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            w.s().assets(&antwerpen, gent.organisation_id).await,
            Err(ServiceError::Forbidden)
        ));
        w.s().set_asset_criticality(&gent, assets[0].id, "high").await.unwrap();
        let f = finding().await;
        assert_eq!(f.decision.map(|d| d.as_str()), Some("attend"));
        assert_eq!(f.due_on, Some(d(2020, 6, 17)));
    }
);

story!(
    a_large_report_is_written_in_batches_and_a_broken_one_leaves_nothing,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
        // 3,000 hosts with RDP open: several batches of findings reach the database before the
        // parser meets the end of the file.
        let hosts: Vec<(String, u16)> = (0..3000).map(|i| (format!("10.1.{}.{}", i / 250, i % 250 + 1), 3389)).collect();
        let ports: Vec<(&str, u16)> = hosts.iter().map(|(ip, p)| (ip.as_str(), *p)).collect();
        let scan = nmap(&ports);
        let all = FindingFilter {
            limit: 10_000,
            ..Default::default()
        };
        let broken = w
            .s()
            .import_report(&ey, order.id, Cursor::new(scan[..scan.len() - 40].to_vec()))
            .await;
        assert!(matches!(broken, Err(ServiceError::Invalid { field: "report", .. })), "{broken:?}");
        assert!(w.s().findings(&gent, all.clone()).await.unwrap().is_empty());
        assert!(w.s().assets(&gent, gent.organisation_id).await.unwrap().is_empty());

        let whole = w.s().import_report(&ey, order.id, Cursor::new(scan)).await.unwrap();
        assert_eq!((whole.findings_read, whole.new), (3000, 3000));
        assert_eq!(w.s().findings(&gent, all).await.unwrap().len(), 3000);
        assert_eq!(w.s().assets(&gent, gent.organisation_id).await.unwrap().len(), 3000);
    }
);

story!(
    a_finding_reported_twice_in_one_report_is_one_with_the_highest_severity_and_every_cve,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
        let report = "title,severity,rule_id,ip,port,cve\n\
            Outdated OpenSSH,medium,SSH-OLD,192.0.2.30,22,CVE-2023-38408\n\
            Outdated OpenSSH,high,SSH-OLD,192.0.2.30,22,CVE-2024-6387\n\
            Outdated OpenSSH,low,SSH-OLD,192.0.2.31,22,CVE-2024-6387\n";
        let import = w
            .s()
            .import_report(&ey, order.id, Cursor::new(report.as_bytes().to_vec()))
            .await
            .unwrap();
        assert_eq!((import.findings_read, import.new, import.still_open), (3, 2, 0));
        let findings = w
            .s()
            .findings(
                &gent,
                FindingFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let on_30 = findings
            .iter()
            .find(|f| f.url.is_none() && f.port == Some(22) && f.severity == Severity::High)
            .unwrap();
        assert_eq!(on_30.severity, Severity::High);
        assert_eq!(on_30.cves, "CVE-2023-38408,CVE-2024-6387");
        assert_eq!(findings.iter().filter(|f| f.severity == Severity::Low).count(), 1);
    }
);

story!(
    informational_scanner_output_is_kept_with_the_asset_not_as_a_finding,
    "2020-05-18T08:00:00Z",
    |w| {
        use cyberveilig_services::remediation::StatusChange;
        use cyberveilig_services::store::records::RegisterQuery;
        let gent = w.municipality(GENT).await;
        let ey = w.actor("ey@firms.test").await;
        let order = w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
        w.s()
            .firm_step(
                &ey,
                order.id,
                FirmStep::Accept {
                    price: cents(500_940),
                    planned_start_on: d(2020, 6, 1),
                },
            )
            .await
            .unwrap();
        let scan = |banner_severity: &str| {
            format!(
                "title,severity,ip,port\n\
                 Outdated OpenSSH,high,192.0.2.30,22\n\
                 SSH server banner,{banner_severity},192.0.2.30,22\n\
                 Traceroute information,info,192.0.2.30,0\n"
            )
            .into_bytes()
        };
        let first = w.s().import_report(&ey, order.id, Cursor::new(scan("info"))).await.unwrap();
        assert_eq!(
            (first.findings_read, first.new, first.informational),
            (3, 1, 2),
            "3 read: 1 finding and 2 kept as information"
        );
        let register = |status: Option<&str>| {
            let q = RegisterQuery {
                status: status.map(|s| s.parse().unwrap()),
                limit: 50,
                ..Default::default()
            };
            async { w.s().register(&gent, q).await.unwrap() }
        };
        // The register holds the finding; the information shows when asked for, without a
        // priority or a deadline.
        let page = register(None).await;
        assert_eq!((page.total, page.entries[0].finding.title.as_str()), (1, "Outdated OpenSSH"));
        let info = register(Some("informational")).await;
        assert_eq!(info.total, 2);
        assert!(
            info.entries
                .iter()
                .all(|e| e.finding.decision.is_none() && e.finding.due_on.is_none())
        );
        // Under the asset: one open finding, two pieces of information.
        let assets = w.s().asset_summaries(&gent, gent.organisation_id).await.unwrap();
        let host = assets.iter().find(|a| a.asset.name == "192.0.2.30").unwrap();
        assert_eq!((host.open, host.information, host.total), (1, 2, 3));
        // Information takes no remediation step.
        let id = info.entries[0].finding.id;
        let step = StatusChange {
            status: "fixed".into(),
            reason: None,
            until: None,
        };
        assert!(w.s().change_finding_status(&gent, id, step).await.is_err());

        // The same scan again: still one finding, the same two pieces of information.
        let again = w.s().import_report(&ey, order.id, Cursor::new(scan("info"))).await.unwrap();
        assert_eq!((again.new, again.still_open, again.informational, again.fixed), (0, 1, 2, 0));
        // A later scan rates the banner a finding: it becomes one, open, with a deadline.
        let rated = w.s().import_report(&ey, order.id, Cursor::new(scan("low"))).await.unwrap();
        assert_eq!((rated.new, rated.still_open, rated.informational), (1, 1, 1));
        let page = register(None).await;
        assert_eq!(page.total, 2);
        let banner = page.entries.iter().find(|e| e.finding.title == "SSH server banner").unwrap();
        assert_eq!(banner.finding.status.as_str(), "open");
        assert!(banner.finding.due_on.is_some());
    }
);

/// A line of a generic CSV report: rule, severity, CVEs (`;`-separated), evidence.
fn csv_report(lines: &[(String, &str, &str, &str)]) -> Vec<u8> {
    let mut out = String::from("title,severity,rule_id,ip,port,cve,evidence\n");
    for (rule, severity, cves, evidence) in lines {
        let n: usize = rule[1..].parse().unwrap();
        out.push_str(&format!(
            "Finding {rule},{severity},{rule},10.0.{}.{},{},\"{cves}\",{evidence}\n",
            n / 200,
            n % 200 + 1,
            1000 + n
        ));
    }
    out.into_bytes()
}

story!(
    a_rescan_with_changes_leaves_the_register_exactly_as_the_reports_say,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
        let severities = ["low", "medium", "high"];
        // 600 findings (more than one batch of the importer), one with a CVE in ten, and one
        // piece of information.
        let f = |i: usize| format!("F{i}");
        let first: Vec<(String, &str, &str, &str)> = (0..600)
            .map(|i| {
                (
                    f(i),
                    severities[i % 3],
                    if i.is_multiple_of(10) { "CVE-2021-44228" } else { "" },
                    "seen once",
                )
            })
            .chain([(f(900), "info", "", "banner")])
            .collect();
        let one = w.s().import_report(&ey, order.id, Cursor::new(csv_report(&first))).await.unwrap();
        assert_eq!(
            (
                one.findings_read,
                one.new,
                one.still_open,
                one.reopened,
                one.fixed,
                one.informational
            ),
            (601, 600, 0, 0, 0, 1)
        );

        // The rescan: F10-F19 are gone; F20-F29 are now critical and F30-F39 low (the highest
        // stays); F40-F49 have new evidence and F50-F59 none (the last stays); F60-F69 gain a
        // CVE; F70 is reported twice in a row (evidence only the first time, critical the second), F71 twice far apart;
        // N1000-N1099 are new, N1000 twice.
        let mut second: Vec<(String, &str, &str, &str)> = Vec::new();
        for i in (0..600).filter(|i| !(10..20).contains(i)) {
            let severity = match i {
                20..30 => "critical",
                30..40 => "low",
                _ => severities[i % 3],
            };
            let cves = match i {
                60..70 => "CVE-2021-44228;CVE-2014-0160",
                _ if i.is_multiple_of(10) => "CVE-2021-44228",
                _ => "",
            };
            let evidence = match i {
                40..50 => "seen again",
                50..60 => "",
                70 => "the first of two",
                _ => "seen once",
            };
            second.push((f(i), severity, cves, evidence));
            if i == 70 {
                second.push((f(70), "critical", "", ""));
            }
            if i == 300 {
                second.push((f(1000), "high", "", "new"));
            }
        }
        second.push((f(71), "low", "CVE-2014-0160", "the last word"));
        second.extend((1000..1100).map(|i| (f(i), "medium", "", "new")));
        second.push((f(900), "info", "", "banner again"));
        let two = w.s().import_report(&ey, order.id, Cursor::new(csv_report(&second))).await.unwrap();
        assert_eq!(
            (
                two.findings_read,
                two.new,
                two.still_open,
                two.reopened,
                two.fixed,
                two.informational
            ),
            (694, 100, 590, 0, 10, 1)
        );

        // A third scan finds F10-F14 again: reopened.
        let mut third = second.clone();
        third.extend((10..15).map(|i| (f(i), severities[i % 3], "", "back")));
        let three = w.s().import_report(&ey, order.id, Cursor::new(csv_report(&third))).await.unwrap();
        assert_eq!(
            (
                three.findings_read,
                three.new,
                three.still_open,
                three.reopened,
                three.fixed,
                three.informational
            ),
            (699, 0, 690, 5, 0, 1)
        );

        // The register, finding by finding.
        let imports = w.s().imports(&gent, order.id).await.unwrap();
        let (first_id, second_id, third_id) = (imports[0].id, imports[1].id, imports[2].id);
        let mut register = w
            .s()
            .findings(
                &gent,
                FindingFilter {
                    limit: 10_000,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        register.extend(
            w.s()
                .findings(
                    &gent,
                    FindingFilter {
                        status: Some("informational".parse().unwrap()),
                        limit: 10,
                        ..Default::default()
                    },
                )
                .await
                .unwrap(),
        );
        assert_eq!(register.len(), 701);
        for finding in &register {
            let n: usize = finding.rule_id[1..].parse().unwrap();
            let severity = match n {
                20..30 => "critical",
                70 => "critical",
                900 => "info",
                1000 => "high",
                1001..1100 => "medium",
                _ => severities[n % 3],
            };
            // F71 was high, then low: high stays.
            let cves = match n {
                71 => "CVE-2014-0160",
                60..=69 => "CVE-2021-44228,CVE-2014-0160",
                900 | 1000..1100 => "",
                _ if n.is_multiple_of(10) => "CVE-2021-44228",
                _ => "",
            };
            let evidence = match n {
                10..15 => "back",
                40..50 => "seen again",
                70 => "the first of two",
                71 => "the last word",
                900 => "banner again",
                1000..1100 => "new",
                _ => "seen once",
            };
            let status = match n {
                15..20 => "fixed",
                900 => "informational",
                _ => "open",
            };
            let (first_import, last_import) = match n {
                15..20 => (first_id, first_id),
                1000..1100 => (second_id, third_id),
                _ => (first_id, third_id),
            };
            let got = (
                finding.severity.as_str(),
                finding.cves.as_str(),
                finding.evidence.as_deref(),
                finding.status.as_str(),
                finding.first_import_id,
                finding.last_import_id,
            );
            let want = (severity, cves, Some(evidence), status, Some(first_import), Some(last_import));
            assert_eq!(got, want, "{}", finding.rule_id);
            // What is open has a priority and a deadline; information has neither.
            assert_eq!(finding.decision.is_some(), status != "informational", "{}", finding.rule_id);
            assert_eq!(finding.due_on.is_some(), status != "informational", "{}", finding.rule_id);
        }
    }
);
