//! Vulnerability reports (issue 5, items 3 to 6): an anonymous report through its whole handling,
//! followed with the secret link; a report out of scope; a duplicate; deadlines that pass; who
//! sees which report.

use super::*;
use cyberveilig_domain::severity::Severity;
use cyberveilig_services::remediation::StatusChange;
use cyberveilig_services::reports::{Access, ReportChange, ReportInput, ReportListQuery};
use cyberveilig_services::store::records::NewAsset;

/// Gent's basic audit, accepted by EY, with `gent.be` and a scanned host among its systems.
pub(crate) async fn gent_with_scope(w: &World) -> (Actor, Actor) {
    let (gent, ey, _order) = w.basic_audit_accepted_by_ey(GENT).await;
    let mut tx = w.s().store.write().await.unwrap();
    tx.upsert_asset(&NewAsset {
        government_id: gent.organisation_id,
        kind: cyberveilig_domain::asset::AssetKind::Domain,
        name: "gent.be".into(),
        hostname: None,
        ip: None,
        os: None,
        at: w.now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (gent, ey)
}

pub(crate) fn xss(nis: &str, target: &str) -> ReportInput {
    ReportInput {
        government_nis: nis.into(),
        target: target.into(),
        cwe: "CWE-79".into(),
        title: "Reflected XSS in the search box".into(),
        description: "The q parameter is echoed without encoding.".into(),
        steps: "Open /zoeken?q=<script>alert(1)</script>".into(),
        impact: "Script runs in a citizen's session.".into(),
        cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N".into()),
        ..ReportInput::default()
    }
}

fn step(state: &str, outcome: Option<&str>) -> ReportChange {
    ReportChange {
        state: state.into(),
        outcome: outcome.map(str::to_owned),
        ..ReportChange::default()
    }
}

fn list() -> ReportListQuery {
    ReportListQuery {
        limit: 100,
        ..ReportListQuery::default()
    }
}

story!(
    an_anonymous_report_becomes_a_finding_is_fixed_and_verified_and_its_reporter_follows_it,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, ey) = gent_with_scope(&w).await;
        let before = w.log_entries().await;
        let submitted = w
            .s()
            .submit_report(
                None,
                ReportInput {
                    reporter_name: Some("NightOwl".into()),
                    reporter_email: Some("owl@example.test".into()),
                    credit_consent: true,
                    disclosure_plans: Some("A blog post after the fix".into()),
                    ..xss(GENT, "https://www.gent.be/zoeken?q=1")
                },
            )
            .await
            .unwrap();
        let report = &submitted.report;
        assert_eq!(report.state.as_str(), "received");
        assert_eq!(report.host, "www.gent.be");
        assert_eq!(report.cvss_score, Some(6.1));
        // Monday 18 May 2020: 5 working days skip Ascension, 10 skip Whit Monday; 90 days for disclosure.
        assert_eq!(report.acknowledge_by, d(2020, 5, 26));
        assert_eq!(report.triage_by, d(2020, 6, 3));
        assert_eq!(report.disclose_on, d(2020, 8, 16));
        assert_eq!(submitted.follow_token.len(), 64, "256 bits as hex");
        assert!(submitted.follow_url.starts_with("http://portal.test/meldingen/volgen/"));
        assert_ne!(report.follow_hash, submitted.follow_token, "only the hash is stored");
        assert!(w.log_entries().await > before);
        let admin = w.admin().await;
        let mails = w.s().outbox(&admin, 20).await.unwrap();
        assert!(
            mails
                .iter()
                .any(|m| m.to == "owl@example.test" && m.body.contains(&submitted.follow_url))
        );
        assert!(
            mails
                .iter()
                .any(|m| m.to == "44021@gemeente.test" && m.subject.contains(&report.tracking_code))
        );

        // The government acknowledges and triages it valid, and makes it a finding.
        let gov = Access::Person(&gent);
        w.s().change_report(gov, report.id, step("acknowledged", None)).await.unwrap();
        let view = w
            .s()
            .change_report(
                gov,
                report.id,
                ReportChange {
                    note: Some("Thank you, we are looking into it.".into()),
                    ..step("triaged", Some("valid"))
                },
            )
            .await
            .unwrap();
        assert!(view.may_make_finding);
        let view = w.s().make_finding(&gent, report.id).await.unwrap();
        assert_eq!(view.report.state.as_str(), "in_remediation");
        let finding_id = view.report.finding_id.expect("a finding");
        let finding = w.s().finding(&gent, finding_id).await.unwrap().finding;
        assert_eq!(finding.tool.as_str(), "report");
        assert_eq!(finding.severity, Severity::Medium, "CVSS 6.1");
        assert_eq!(finding.cwe, "CWE-79");
        assert!(finding.due_on.is_some(), "a deadline by priority");
        assert!(view.fix_by.is_some());

        // The government fixes the finding, the firm's re-test verifies it: the report follows.
        let fixed = StatusChange {
            status: "fixed".into(),
            reason: None,
            until: None,
        };
        w.s().change_finding_status(&gent, finding_id, fixed).await.unwrap();
        let followed = w.s().follow_report(&submitted.follow_token).await.unwrap();
        assert_eq!(followed.report.state.as_str(), "fixed");
        let verified = StatusChange {
            status: "verified".into(),
            reason: None,
            until: None,
        };
        w.s().change_finding_status(&ey, finding_id, verified).await.unwrap();

        // The reporter follows it without an account, and writes in the thread.
        let followed = w.s().follow_report(&submitted.follow_token).await.unwrap();
        assert_eq!(followed.report.state.as_str(), "verified");
        assert!(followed.possible_duplicates.is_empty(), "a reporter sees no other reports");
        let bodies: Vec<&str> = followed.messages.iter().map(|m| m.body.as_str()).collect();
        assert!(bodies.contains(&"state:acknowledged"));
        assert!(bodies.contains(&"state:triaged:valid"));
        assert!(bodies.contains(&"Thank you, we are looking into it."));
        assert!(bodies.contains(&"state:verified"));
        let follower = Access::Follower(&submitted.follow_token);
        w.s()
            .post_report_message(follower, report.id, "Confirmed: fixed on my side too.")
            .await
            .unwrap();
        let mails = w.s().outbox(&admin, 50).await.unwrap();
        assert!(
            mails
                .iter()
                .any(|m| m.to == "44021@gemeente.test" && m.subject.contains("New message"))
        );
        assert!(mails.iter().any(|m| m.to == "owl@example.test" && m.body.contains("verified")));
        // The reporter may not take the government's steps.
        let refused = w.s().change_report(follower, report.id, step("disclosed", None)).await.unwrap_err();
        assert!(
            matches!(
                refused,
                ServiceError::Conflict {
                    code: "step_not_allowed",
                    ..
                }
            ),
            "{refused:?}"
        );

        // Credit, with consent, once fixed; disclosure closes it.
        let (_, credits) = w.s().acknowledgements(Some(GENT)).await.unwrap();
        assert_eq!(credits.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["NightOwl"]);
        let view = w.s().change_report(gov, report.id, step("disclosed", None)).await.unwrap();
        assert_eq!(view.report.state.as_str(), "disclosed");
        let export = w.s().ccb_export(gov, report.id).await.unwrap();
        assert_eq!(export["vulnerability"]["type"], "CWE-79");
        assert_eq!(export["responsible_organisation"]["nis_code"], GENT);
        assert_eq!(export["reporter"]["name_or_pseudonym"], "NightOwl");
        w.log_entries().await;
    }
);

story!(
    a_report_out_of_scope_is_received_marked_so_and_triaged_like_any_other,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, _) = gent_with_scope(&w).await;
        // No report is lost: outside the published scope, it is received and marked so.
        for outside in ["https://evil-gent.be/", "gent.be.evil.test", "https://www.brugge.be/"] {
            let received = w.s().submit_report(None, xss(GENT, outside)).await.unwrap();
            assert!(received.report.outside_scope, "{outside} is outside Gent's published scope");
        }
        let inside = w.s().submit_report(None, xss(GENT, "https://www.gent.be/zoeken")).await.unwrap();
        assert!(!inside.report.outside_scope);
        let listed = w.s().reports(&gent, list()).await.unwrap();
        assert_eq!(listed.len(), 4, "Gent receives every report");
        assert_eq!(listed.iter().filter(|r| r.report.outside_scope).count(), 3);

        // Bad input is refused field by field.
        for (input, field) in [
            (xss("99999", "https://www.gent.be/"), "government_nis"),
            (
                ReportInput {
                    cwe: "XSS".into(),
                    ..xss(GENT, "https://www.gent.be/")
                },
                "cwe",
            ),
            (
                ReportInput {
                    cvss_vector: Some("CVSS:3.1/AV:N".into()),
                    ..xss(GENT, "https://www.gent.be/")
                },
                "cvss_vector",
            ),
            (
                ReportInput {
                    steps: " \u{0} ".into(),
                    ..xss(GENT, "https://www.gent.be/")
                },
                "steps",
            ),
            (
                ReportInput {
                    credit_consent: true,
                    ..xss(GENT, "https://www.gent.be/")
                },
                "reporter_name",
            ),
            (
                ReportInput {
                    reporter_email: Some("not-an-address".into()),
                    ..xss(GENT, "https://www.gent.be/")
                },
                "reporter_email",
            ),
            (xss(GENT, "<script>"), "target"),
        ] {
            match w.s().submit_report(None, input).await.unwrap_err() {
                ServiceError::Invalid { field: f, .. } | ServiceError::Unknown { field: f, .. } => assert_eq!(f, field),
                other => panic!("expected {field} refused, got {other:?}"),
            }
        }
        // Antwerpen registered no systems: its handlers judge the scope at triage.
        let antwerpen = w.municipality(ANTWERPEN).await;
        let r = w
            .s()
            .submit_report(None, xss(ANTWERPEN, "https://portal.example.test/"))
            .await
            .unwrap()
            .report;
        let view = w
            .s()
            .change_report(Access::Person(&antwerpen), r.id, step("triaged", Some("out_of_scope")))
            .await
            .unwrap();
        assert_eq!(view.report.outcome.map(|o| o.as_str()), Some("out_of_scope"));
        assert!(!view.may_make_finding);
        assert!(w.s().make_finding(&antwerpen, r.id).await.is_err());
        let view = w
            .s()
            .change_report(Access::Person(&antwerpen), r.id, step("closed", None))
            .await
            .unwrap();
        assert_eq!(view.report.state.as_str(), "closed");
        assert!(view.report.closed_at.is_some());
    }
);

story!(a_duplicate_is_suggested_and_triaged_as_one, "2020-05-18T08:00:00Z", |w| {
    let (gent, _) = gent_with_scope(&w).await;
    let first = w
        .s()
        .submit_report(None, xss(GENT, "https://www.gent.be/zoeken?q=a"))
        .await
        .unwrap();
    let other = w.s().submit_report(None, xss(GENT, "https://www.gent.be/contact")).await.unwrap();
    let second = w.s().submit_report(None, xss(GENT, "WWW.GENT.BE/Zoeken/")).await.unwrap();
    let view = w.s().report(Access::Person(&gent), second.report.id).await.unwrap();
    let suggested: Vec<i64> = view.possible_duplicates.iter().map(|r| r.id).collect();
    assert_eq!(suggested, [first.report.id], "same host, type and location; not /contact");
    assert_ne!(other.report.duplicate_key, second.report.duplicate_key);
    // Triage as a duplicate needs the report it duplicates, by number or tracking code.
    let missing = w
        .s()
        .change_report(Access::Person(&gent), second.report.id, step("triaged", Some("duplicate")))
        .await
        .unwrap_err();
    assert!(matches!(missing, ServiceError::Invalid { field: "duplicate_of", .. }));
    let view = w
        .s()
        .change_report(
            Access::Person(&gent),
            second.report.id,
            ReportChange {
                duplicate_of: Some(first.report.tracking_code.to_lowercase()),
                ..step("triaged", Some("duplicate"))
            },
        )
        .await
        .unwrap();
    assert_eq!(view.report.duplicate_of, Some(first.report.id));
    assert_eq!(view.duplicate_of_code.as_deref(), Some(first.report.tracking_code.as_str()));
    // The reporter of the duplicate sees it as a duplicate, without the other report.
    let followed = w.s().follow_report(&second.follow_token).await.unwrap();
    assert_eq!(followed.report.outcome.map(|o| o.as_str()), Some("duplicate"));
    assert!(followed.possible_duplicates.is_empty());
});

story!(
    a_deadline_passes_and_the_report_stands_out_as_overdue,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, _) = gent_with_scope(&w).await;
        let admin = w.admin().await;
        let r = w.s().submit_report(None, xss(GENT, "https://www.gent.be/")).await.unwrap().report;
        let overdue = |list: Vec<cyberveilig_services::reports::ReportSummary>| list.into_iter().map(|s| s.overdue).collect::<Vec<_>>();
        assert_eq!(overdue(w.s().reports(&gent, list()).await.unwrap()), [None]);
        // Tuesday 26 May is the last day to acknowledge; on Wednesday it is overdue.
        w.advance_to("2020-05-26T20:00:00Z").await;
        assert_eq!(overdue(w.s().reports(&gent, list()).await.unwrap()), [None]);
        let reminders = |mails: Vec<cyberveilig_services::store::records::Mail>| {
            mails.iter().filter(|m| m.subject.starts_with("Termijn verstreken")).count()
        };
        w.advance_to("2020-05-27T08:00:00Z").await;
        assert_eq!(
            overdue(w.s().reports(&gent, list()).await.unwrap()),
            [Some(cyberveilig_domain::report::Overdue::Acknowledge)]
        );
        let only_overdue = ReportListQuery {
            overdue_only: true,
            ..list()
        };
        assert_eq!(w.s().reports(&gent, only_overdue.clone()).await.unwrap().len(), 1);
        assert_eq!(reminders(w.s().outbox(&admin, 100).await.unwrap()), 1, "the government is reminded");
        w.advance_to("2020-05-28T08:00:00Z").await;
        assert_eq!(reminders(w.s().outbox(&admin, 100).await.unwrap()), 1, "once");
        // Acknowledged late, then the triage date passes too.
        w.s()
            .change_report(Access::Person(&gent), r.id, step("acknowledged", None))
            .await
            .unwrap();
        assert!(w.s().reports(&gent, only_overdue.clone()).await.unwrap().is_empty());
        w.advance_to("2020-06-04T08:00:00Z").await;
        assert_eq!(
            overdue(w.s().reports(&gent, list()).await.unwrap()),
            [Some(cyberveilig_domain::report::Overdue::Triage)]
        );
        assert_eq!(reminders(w.s().outbox(&admin, 100).await.unwrap()), 2);
        let view = w.s().report(Access::Person(&gent), r.id).await.unwrap();
        assert_eq!(view.overdue, Some(cyberveilig_domain::report::Overdue::Triage));
    }
);

story!(
    reporters_see_only_their_own_reports_and_a_link_opens_only_its_own,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, _) = gent_with_scope(&w).await;
        let student = w.actor("student@howest.test").await;
        let mine = w
            .s()
            .submit_report(
                Some(&student),
                ReportInput {
                    reporter_name: Some("Howest student".into()),
                    ..xss(GENT, "https://www.gent.be/a")
                },
            )
            .await
            .unwrap();
        let theirs = w.s().submit_report(None, xss(GENT, "https://www.gent.be/b")).await.unwrap();
        let listed: Vec<i64> = w.s().reports(&student, list()).await.unwrap().iter().map(|s| s.report.id).collect();
        assert_eq!(listed, [mine.report.id]);
        assert!(w.s().report(Access::Person(&student), mine.report.id).await.is_ok());
        assert!(matches!(
            w.s().report(Access::Person(&student), theirs.report.id).await.unwrap_err(),
            ServiceError::NotFound(_)
        ));
        // One report's link does not open another, and a guessed link opens nothing.
        assert!(matches!(
            w.s()
                .report(Access::Follower(&mine.follow_token), theirs.report.id)
                .await
                .unwrap_err(),
            ServiceError::NotFound(_)
        ));
        assert!(w.s().follow_report(&"0".repeat(64)).await.is_err());
        assert!(w.s().follow_report("").await.is_err());
        // Other governments, firms and an uninvited VVSG see nothing of it.
        let antwerpen = w.municipality(ANTWERPEN).await;
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let ey = w.actor("ey@firms.test").await;
        for other in [&antwerpen, &vvsg, &ey] {
            assert!(w.s().reports(other, list()).await.unwrap().is_empty());
            assert!(w.s().report(Access::Person(other), mine.report.id).await.is_err());
        }
        // Invited as coordinator, VVSG sees it and writes in its thread; the researcher hears of it.
        w.s().invite_coordinator(&gent, mine.report.id).await.unwrap();
        assert_eq!(w.s().reports(&vvsg, list()).await.unwrap().len(), 1);
        w.s()
            .post_report_message(Access::Person(&vvsg), mine.report.id, "VVSG coordinates from here.")
            .await
            .unwrap();
        let admin = w.admin().await;
        let mails = w.s().outbox(&admin, 50).await.unwrap();
        assert!(
            mails
                .iter()
                .any(|m| m.to == "student@howest.test" && m.subject.contains("New message"))
        );
        // Attachments: by content; a lying type is refused; at most five.
        let follower = Access::Follower(&mine.follow_token);
        let png = b"\x89PNG\r\n\x1a\n....";
        let added = w
            .s()
            .add_report_attachment(follower, mine.report.id, "shot.png", Some("image/png"), png)
            .await
            .unwrap();
        assert_eq!(added.kind, cyberveilig_domain::attachment::AttachmentKind::Png);
        let lying = w
            .s()
            .add_report_attachment(
                follower,
                mine.report.id,
                "shot.png",
                Some("image/png"),
                b"<html><script>alert(1)</script></html>",
            )
            .await
            .unwrap_err();
        assert!(matches!(lying, ServiceError::Invalid { field: "attachment", .. }));
        for _ in 0..4 {
            w.s()
                .add_report_attachment(follower, mine.report.id, "log.txt", None, b"GET / 200")
                .await
                .unwrap();
        }
        assert!(
            w.s()
                .add_report_attachment(follower, mine.report.id, "log.txt", None, b"GET / 200")
                .await
                .is_err()
        );
        let (info, content) = w
            .s()
            .report_attachment(Access::Person(&gent), mine.report.id, added.id)
            .await
            .unwrap();
        assert_eq!((info.filename.as_str(), content.as_slice()), ("shot.png", &png[..]));
        assert!(
            w.s()
                .report_attachment(Access::Follower(&theirs.follow_token), mine.report.id, added.id)
                .await
                .is_err()
        );
        // No credit without consent.
        let (_, credits) = w.s().acknowledgements(None).await.unwrap();
        assert!(credits.is_empty());
    }
);

// The scope of a report is what Gent's published policy lists and its registered systems; what
// the policy leaves out is out, even under a domain it lists.
story!(
    a_report_is_in_scope_by_the_policy_and_out_where_the_policy_excludes_it,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, _ey) = gent_with_scope(&w).await;
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let nis: cyberveilig_domain::registry::NisCode = GENT.parse().unwrap();
        let s = w.s();
        s.save_model_draft(&vvsg, s.model_draft(&vvsg).await.unwrap().content)
            .await
            .unwrap();
        s.publish_model(&vvsg).await.unwrap();
        let mut content = s.adopt_model(&gent, &nis).await.unwrap().content;
        content.contact_email = "cert@stad.gent".into();
        content.in_scope = vec!["stad.gent".into()];
        content.out_of_scope = vec!["intranet.stad.gent".into()];
        s.save_policy_draft(&gent, &nis, content).await.unwrap();
        s.publish_policy(&gent, &nis, None).await.unwrap();

        for target in ["https://loket.stad.gent/zoeken", "https://www.gent.be/zoeken"] {
            let sent = s.submit_report(None, xss(GENT, target)).await.unwrap();
            assert!(!sent.report.outside_scope, "{target} is in scope");
        }
        // What the policy excludes, or does not name, is received as outside the scope.
        for target in ["https://intranet.stad.gent/", "https://evil-stad.gent/"] {
            let sent = s.submit_report(None, xss(GENT, target)).await.unwrap();
            assert!(sent.report.outside_scope, "{target} is outside the published scope");
        }
    }
);
