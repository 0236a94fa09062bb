//! What an attacker found (issue 10), as stories on both databases: the remediation day's agenda
//! leaked findings to firms; a firm could tell an order of another firm from no order at all;
//! addresses, scopes and dates were taken for what they did not say. The limits and a crash's
//! retries are in `limits`, the audit log's signatures in `signatures`.

use super::*;
use cyberveilig_services::engagements::{EngagementTerms, TeamFinding};
use cyberveilig_services::remediation::day::{ActionRecord, DayRecord};
use cyberveilig_services::reports::{Access, ReportChange, ReportInput};
use cyberveilig_services::store::records::RegisterQuery;

const KORTRIJK: &str = "34022";

/// Kortrijk with findings of every origin: EY's basic audit (an import), a vulnerability report
/// made a finding (under EY's order, the latest accepted then), the Howest team's engagement
/// finding (no order), and Deloitte's additional work (an import EY must not see).
/// Returns Kortrijk's member, EY, Deloitte, EY's basic order and Deloitte's additional order.
async fn kortrijk_with_findings_of_every_origin(w: &World) -> (Actor, Actor, Actor, i64, i64) {
    let (kortrijk, ey, basic) = w.basic_audit_accepted_by_ey(KORTRIJK).await;
    let deloitte = w.actor("deloitte@firms.test").await;
    let scan = "title,severity,rule_id,ip,port\n\
        EY: Telnet open,high,TEL,192.0.2.61,23\n\
        EY: Old TLS,medium,TLS10,192.0.2.62,443\n";
    w.s()
        .import_report(&ey, basic.id, std::io::Cursor::new(scan.as_bytes().to_vec()))
        .await
        .unwrap();

    // A report by a citizen about a scanned host, made a finding by Kortrijk.
    let submitted = w
        .s()
        .submit_report(
            None,
            ReportInput {
                government_nis: KORTRIJK.into(),
                target: "http://192.0.2.61/login".into(),
                cwe: "CWE-79".into(),
                title: "Report: XSS on the login".into(),
                description: "d".into(),
                steps: "s".into(),
                impact: "i".into(),
                ..ReportInput::default()
            },
        )
        .await
        .unwrap();
    let gov = Access::Person(&kortrijk);
    let step = |state: &str, outcome: Option<&str>| ReportChange {
        state: state.into(),
        outcome: outcome.map(str::to_owned),
        ..ReportChange::default()
    };
    w.s()
        .change_report(gov, submitted.report.id, step("acknowledged", None))
        .await
        .unwrap();
    w.s()
        .change_report(gov, submitted.report.id, step("triaged", Some("valid")))
        .await
        .unwrap();
    w.s().make_finding(&kortrijk, submitted.report.id).await.unwrap();

    // The Howest team's finding, under an engagement Kortrijk's signatory accepted.
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let student = w.actor("student@howest.test").await;
    let signatory = w.actor("directeur.34022@gemeente.test").await;
    let proposed = w
        .s()
        .propose_engagement(
            &vvsg,
            EngagementTerms {
                government_nis: KORTRIJK.into(),
                title: "Externe test".into(),
                starts_on: Some(w.today()),
                ends_on: Some(w.today() + chrono::Days::new(30)),
                scope: vec!["www.kortrijk.be".into()],
                techniques: vec!["web_scanning".into()],
                team: vec![
                    ("docent@howest.test".into(), "supervisor".into()),
                    ("student@howest.test".into(), "student".into()),
                ],
                government_contact: "ISC".into(),
                team_contact: "Docent".into(),
                emergency_contact: "056 27 99 99".into(),
            },
        )
        .await
        .unwrap();
    let id = proposed.engagement.id;
    let (_, letter) = w.s().engagement_letter(&signatory, id).await.unwrap();
    w.s().accept_engagement(&signatory, id, &letter.hash, false).await.unwrap();
    w.s()
        .submit_engagement_finding(
            &student,
            id,
            TeamFinding {
                title: "Engagement: backups listed".into(),
                description: "d".into(),
                severity: Some("critical".into()),
                cvss_vector: None,
                asset_id: proposed.engagement.scope[0].0,
                location: "https://www.kortrijk.be/backup/".into(),
                evidence: "GET /backup/ 200".into(),
                recommendation: "r".into(),
            },
        )
        .await
        .unwrap();

    // Deloitte's additional work (EY declines it first) and its scan.
    let additional = w
        .s()
        .submit_order(&kortrijk, w.additional(w.programme_id, KORTRIJK, cents(200_000)))
        .await
        .unwrap();
    w.s()
        .firm_step(&ey, additional.id, FirmStep::Decline { reason: "Volzet.".into() })
        .await
        .unwrap();
    w.s()
        .firm_step(
            &deloitte,
            additional.id,
            FirmStep::Accept {
                price: cents(200_000),
                planned_start_on: d(2020, 6, 1),
            },
        )
        .await
        .unwrap();
    let scan = "title,severity,rule_id,ip,port\nDeloitte: RDP open,critical,RDP,192.0.2.63,3389\n";
    w.s()
        .import_report(&deloitte, additional.id, std::io::Cursor::new(scan.as_bytes().to_vec()))
        .await
        .unwrap();
    (kortrijk, ey, deloitte, basic.id, additional.id)
}

async fn titles_in_register(w: &World, actor: &Actor, government_id: i64) -> Vec<String> {
    let q = RegisterQuery {
        government_id: Some(government_id),
        open_only: true,
        limit: 100,
        ..Default::default()
    };
    let mut titles: Vec<String> = w
        .s()
        .register(actor, q)
        .await
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.finding.title)
        .collect();
    titles.sort();
    titles
}

async fn titles_on_agenda(w: &World, actor: &Actor, order_id: i64) -> Vec<String> {
    let mut titles: Vec<String> = w
        .s()
        .remediation_agenda(actor, order_id, Some(100))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.finding.title)
        .collect();
    titles.sort();
    titles
}

story!(
    the_remediation_day_agenda_holds_only_what_the_firm_sees_in_its_register,
    "2020-05-18T08:00:00Z",
    |w| {
        let (kortrijk, ey, _deloitte, basic, _) = kortrijk_with_findings_of_every_origin(&w).await;
        let government_id = kortrijk.organisation_id;
        let admin = w.admin().await;
        let all = [
            "Deloitte: RDP open",
            "EY: Old TLS",
            "EY: Telnet open",
            "Engagement: backups listed",
            "Report: XSS on the login",
        ];
        // The government and the administrator see every open finding on the agenda.
        assert_eq!(titles_on_agenda(&w, &kortrijk, basic).await, all);
        assert_eq!(titles_on_agenda(&w, &admin, basic).await, all);
        // EY sees its own audit's findings and the report made a finding under its order; not
        // the engagement's nor Deloitte's. Exactly what its register shows.
        let ey_sees = ["EY: Old TLS", "EY: Telnet open", "Report: XSS on the login"];
        assert_eq!(titles_in_register(&w, &ey, government_id).await, ey_sees);
        assert_eq!(titles_on_agenda(&w, &ey, basic).await, ey_sees);

        // Once recorded (by the administrator, with a finding EY may not see), the recorded
        // agenda is still only what EY sees.
        w.deliver(&ey, basic).await;
        let hidden = w
            .s()
            .remediation_agenda(&admin, basic, Some(100))
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|e| e.finding.id)
            .collect::<Vec<_>>();
        w.s()
            .record_remediation_day(
                &admin,
                basic,
                DayRecord {
                    held_on: Some(w.today()),
                    attendees: "ICT".into(),
                    people: vec![],
                    actions: hidden
                        .iter()
                        .map(|id| ActionRecord {
                            finding_id: *id,
                            ..ActionRecord::default()
                        })
                        .collect(),
                },
            )
            .await
            .unwrap();
        assert_eq!(titles_on_agenda(&w, &admin, basic).await, all);
        assert_eq!(titles_on_agenda(&w, &ey, basic).await, ey_sees);
        // EY cannot record a finding it does not see either.
        let engagement_finding = w
            .s()
            .remediation_agenda(&admin, basic, Some(100))
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|e| e.finding.tool.as_str() == "engagement")
            .unwrap()
            .finding
            .id;
        let err = w
            .s()
            .record_remediation_day(
                &ey,
                basic,
                DayRecord {
                    held_on: Some(w.today()),
                    attendees: "ICT".into(),
                    people: vec![],
                    actions: vec![ActionRecord {
                        finding_id: engagement_finding,
                        started: true,
                        ..ActionRecord::default()
                    }],
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::NotFound(_)), "{err:?}");
    }
);

story!(a_firm_cannot_tell_another_firms_order_from_no_order, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    let ey = w.actor("ey@firms.test").await;
    let deloitte = w.actor("deloitte@firms.test").await;
    let pwc = w.actor("pwc@firms.test").await;
    // Offered to EY; EY declines, so it is offered to Deloitte: EY had it, PwC never.
    let order = w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
    w.s()
        .firm_step(&ey, order.id, FirmStep::Decline { reason: "Volzet.".into() })
        .await
        .unwrap();
    let unknown = 999_999;
    let steps = || {
        vec![
            FirmStep::Accept {
                price: cents(500_940),
                planned_start_on: d(2020, 6, 1),
            },
            FirmStep::Decline { reason: "x".into() },
            FirmStep::Deliver,
            FirmStep::Invoice {
                invoice_number: "F-1".into(),
                amount: cents(1),
            },
        ]
    };
    for firm in [&ey, &pwc] {
        for id in [order.id, unknown] {
            for step in steps() {
                let err = w.s().firm_step(firm, id, step.clone()).await.unwrap_err();
                assert!(
                    matches!(err, ServiceError::NotFound("order")),
                    "{} {id} {step:?}: {err:?}",
                    firm.email
                );
            }
            let cancel = w
                .s()
                .owner_step(firm, id, OwnerStep::Cancel { reason: "x".into() })
                .await
                .unwrap_err();
            assert!(matches!(cancel, ServiceError::NotFound("order")), "{cancel:?}");
            assert!(matches!(
                w.s().settle_order(firm, id, None).await,
                Err(ServiceError::NotFound("order"))
            ));
            assert!(matches!(
                w.hold_remediation_day(firm, id, d(2020, 5, 18)).await,
                Err(ServiceError::NotFound("order"))
            ));
            assert!(matches!(
                w.s().upload_audit_report(firm, id, "x.pdf", b"%PDF-1.4").await,
                Err(ServiceError::NotFound("order"))
            ));
            assert!(matches!(w.s().reopen_order(firm, id).await, Err(ServiceError::NotFound("order"))));
            assert!(matches!(w.s().order(firm, id).await, Err(ServiceError::NotFound("order"))));
            assert!(matches!(
                w.s().remediation_agenda(firm, id, None).await,
                Err(ServiceError::NotFound("order"))
            ));
        }
    }
    // Deloitte, to whom it is offered now, answers it.
    let accepted = w
        .s()
        .firm_step(
            &deloitte,
            order.id,
            FirmStep::Accept {
                price: cents(512_000),
                planned_start_on: d(2020, 6, 1),
            },
        )
        .await
        .unwrap();
    assert_eq!(accepted.state, OrderState::Accepted);
});

fn invalid_field(result: Result<impl std::fmt::Debug, ServiceError>) -> &'static str {
    match result {
        Err(ServiceError::Invalid { field, .. }) => field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

story!(
    addresses_scopes_and_dates_are_what_they_say_or_refused,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let ey = w.actor("ey@firms.test").await;
        let admin = w.admin().await;
        let nis: cyberveilig_domain::registry::NisCode = GENT.parse().unwrap();
        // A policy's contact is an address, not markup that lands in security.txt.
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let model = w.s().model_draft(&vvsg).await.unwrap().content;
        w.s().save_model_draft(&vvsg, model).await.unwrap();
        w.s().publish_model(&vvsg).await.unwrap();
        let mut content = w.s().adopt_model(&gent, &nis).await.unwrap().content;
        content.in_scope = vec!["stad.gent".into()];
        content.contact_email = "\"><script>alert(1)</script>@x.test".into();
        assert_eq!(
            invalid_field(w.s().save_policy_draft(&gent, &nis, content.clone()).await),
            "contact_email"
        );
        content.contact_email = "cert@stad.gent".into();
        w.s().save_policy_draft(&gent, &nis, content).await.unwrap();

        // An order's scope is never empty: a basic audit's is the minimal control approach (C3),
        // additional work needs the government's own (C4).
        let mut basic = w.basic(w.programme_id, GENT);
        basic.scope = "  ".into();
        let order = w.s().submit_order(&gent, basic).await.unwrap();
        assert_eq!(order.scope, cyberveilig_domain::order::BASIC_AUDIT_SCOPE);
        let mut additional = w.additional(w.programme_id, GENT, cents(100_000));
        additional.scope = String::new();
        let err = w
            .assert_refused_without_trace(w.programme_id, w.s().submit_order(&gent, additional))
            .await;
        assert!(matches!(err, ServiceError::Invalid { field: "scope", .. }), "{err:?}");

        // Dates within sane bounds: no planned start in 1900 or in 2100.
        for planned in [d(1900, 1, 1), d(2020, 5, 17), d(2022, 5, 19), d(2099, 12, 31)] {
            let accept = FirmStep::Accept {
                price: cents(500_940),
                planned_start_on: planned,
            };
            let err = w
                .assert_refused_without_trace(w.programme_id, w.s().firm_step(&ey, order.id, accept))
                .await;
            assert!(
                matches!(
                    err,
                    ServiceError::Invalid {
                        field: "planned_start_on",
                        ..
                    }
                ),
                "{planned}: {err:?}"
            );
        }
        w.ey_accepts(order.id).await;
        // Nor an offer until 9999, nor a programme from 1900.
        let amendment = cyberveilig_services::programmes::ProgrammeAmendment {
            offer_ends_on: Some(d(9999, 12, 31)),
            reason: "x".into(),
            ..Default::default()
        };
        assert_eq!(
            invalid_field(w.s().amend_programme(&admin, w.programme_id, amendment).await),
            "offer_ends_on"
        );
        let mut settings = cyberveilig_domain::programme::ProgrammeSettings::flemish_2020();
        settings.offer_starts_on = d(1900, 1, 1);
        let new = cyberveilig_services::programmes::NewProgramme {
            name: "Oud".into(),
            budget: cents(100),
            settings,
        };
        assert_eq!(invalid_field(w.s().create_programme(&admin, new).await), "offer_ends_on");
        // Nor a disclosure agreed for 2120.
        let report = w
            .s()
            .submit_report(
                None,
                ReportInput {
                    government_nis: GENT.into(),
                    target: "https://www.stad.gent/".into(),
                    cwe: "CWE-79".into(),
                    title: "t".into(),
                    description: "d".into(),
                    steps: "s".into(),
                    impact: "i".into(),
                    ..ReportInput::default()
                },
            )
            .await
            .unwrap()
            .report;
        let change = ReportChange {
            state: "acknowledged".into(),
            disclose_on: Some(d(2120, 1, 1)),
            ..ReportChange::default()
        };
        assert_eq!(
            invalid_field(w.s().change_report(Access::Person(&gent), report.id, change).await),
            "disclose_on"
        );
        // Nor an engagement starting years from now.
        let vvsg_terms = EngagementTerms {
            government_nis: "34022".into(),
            title: "Later".into(),
            starts_on: Some(d(2023, 1, 1)),
            ends_on: Some(d(2023, 1, 31)),
            scope: vec!["www.kortrijk.be".into()],
            techniques: vec!["web_scanning".into()],
            team: vec![("docent@howest.test".into(), "supervisor".into())],
            government_contact: "ISC".into(),
            team_contact: "Docent".into(),
            emergency_contact: "056".into(),
        };
        assert_eq!(invalid_field(w.s().propose_engagement(&vvsg, vvsg_terms).await), "starts_on");
        // Nor a clock set to the year 9999.
        assert_eq!(invalid_field(w.s().advance_clock(at("9999-01-01T00:00:00Z")).await), "now");
    }
);
