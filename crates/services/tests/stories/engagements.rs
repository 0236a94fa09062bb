//! Engagements (the Howest track): proposed by VVSG, the letter accepted by the government's
//! signatory, nothing tested before that or outside the window, findings into the government's
//! register, re-acceptance after a change, who sees what, social engineering, the figures.

use super::*;
use cyberveilig_services::engagements::{EngagementTerms, TeamFinding};
use cyberveilig_services::store::records::RegisterQuery;

const KORTRIJK: &str = "34022";

fn terms(starts: chrono::NaiveDate, ends: chrono::NaiveDate, techniques: &[&str]) -> EngagementTerms {
    EngagementTerms {
        government_nis: KORTRIJK.into(),
        title: "Externe test".into(),
        starts_on: Some(starts),
        ends_on: Some(ends),
        scope: vec!["www.kortrijk.be".into(), "192.0.2.0/28".into()],
        techniques: techniques.iter().map(|t| t.to_string()).collect(),
        team: vec![
            ("docent@howest.test".into(), "supervisor".into()),
            ("student@howest.test".into(), "student".into()),
        ],
        government_contact: "ISC Kortrijk".into(),
        team_contact: "Docent Howest".into(),
        emergency_contact: "056 27 99 99".into(),
    }
}

fn finding(asset_id: i64, title: &str) -> TeamFinding {
    TeamFinding {
        title: title.into(),
        description: "Directory listing shows backups".into(),
        severity: None,
        cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into()),
        asset_id,
        location: "https://www.kortrijk.be/backup/".into(),
        evidence: "GET /backup/ 200".into(),
        recommendation: "Turn directory listing off".into(),
    }
}

/// The field a refusal of the request names, or the code of a conflict with where the
/// engagement stands.
fn field_of(err: ServiceError) -> &'static str {
    match err {
        ServiceError::Invalid { field, message_nl, .. } | ServiceError::Unknown { field, message_nl, .. } => {
            assert!(!message_nl.is_empty());
            field
        }
        ServiceError::Conflict { code, message_nl, .. } => {
            assert!(!message_nl.is_empty());
            code
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

story!(
    an_engagement_from_proposal_to_findings_in_the_register,
    "2021-06-15T08:00:00Z",
    |w| {
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let student = w.actor("student@howest.test").await;
        let other_student = w.actor("student2@howest.test").await;
        let kortrijk = w.municipality(KORTRIJK).await;
        let gent = w.municipality(GENT).await;
        let ey = w.actor("ey@firms.test").await;
        let proposed = w
            .s()
            .propose_engagement(&vvsg, terms(d(2021, 7, 1), d(2021, 7, 31), &["network_scanning", "web_scanning"]))
            .await
            .unwrap();
        let id = proposed.engagement.id;
        assert_eq!(proposed.phase.as_str(), "proposed");
        assert_eq!(proposed.engagement.scope.len(), 2);
        let asset = proposed.engagement.scope[0].0;

        // Before the acceptance nothing is tested.
        let err = w
            .s()
            .submit_engagement_finding(&student, id, finding(asset, "Backups"))
            .await
            .unwrap_err();
        assert_eq!(field_of(err), "engagement_not_authorised");

        // Only the government's signatory accepts; the letter is bound by its hash.
        let (_, letter) = w.s().engagement_letter(&kortrijk, id).await.unwrap();
        assert!(letter.dutch.contains("www.kortrijk.be") && letter.english.contains("Rules of engagement"));
        assert!(matches!(
            w.s().accept_engagement(&kortrijk, id, &letter.hash, false).await,
            Err(ServiceError::Forbidden)
        ));
        let admin = w.admin().await;
        let colleague = w.actor("directeur.34022@gemeente.test").await;
        w.s().set_signatory(&admin, kortrijk.person_id, true).await.unwrap();
        w.s().set_signatory(&admin, kortrijk.person_id, false).await.unwrap();
        assert!(matches!(
            w.s().accept_engagement(&kortrijk, id, &letter.hash, false).await,
            Err(ServiceError::Forbidden)
        ));
        // Brugge's signatory does not even see Kortrijk's engagement.
        let brugge_director = w.actor("directeur.31005@gemeente.test").await;
        assert!(matches!(
            w.s().accept_engagement(&brugge_director, id, &letter.hash, false).await,
            Err(ServiceError::NotFound(_))
        ));
        assert_eq!(
            field_of(w.s().accept_engagement(&colleague, id, "0000", false).await.unwrap_err()),
            "letter_changed"
        );
        let authorised = w.s().accept_engagement(&colleague, id, &letter.hash, false).await.unwrap();
        assert_eq!(authorised.phase.as_str(), "authorised");
        assert_eq!(authorised.engagement.accepted_hash.as_deref(), Some(letter.hash.as_str()));
        assert_eq!(authorised.acceptances.len(), 1);
        assert_eq!(authorised.acceptances[0].accepted_by, colleague.person_id);

        // Accepted, but before the window: still nothing.
        let err = w
            .s()
            .submit_engagement_finding(&student, id, finding(asset, "Backups"))
            .await
            .unwrap_err();
        assert_eq!(field_of(err), "before_window");

        // Within the window the team submits; the finding is in Kortrijk's register.
        w.advance_to("2021-07-01T08:00:00Z").await;
        assert!(w.s().engagement(&student, id).await.unwrap().may_test);
        // Only systems in scope.
        let mut outside = finding(asset, "Backups");
        outside.asset_id = 999_999;
        assert_eq!(
            field_of(w.s().submit_engagement_finding(&student, id, outside).await.unwrap_err()),
            "asset_id"
        );
        let mut bad = finding(asset, "Backups");
        bad.cvss_vector = Some("CVSS:3.1/AV:X".into());
        assert_eq!(
            field_of(w.s().submit_engagement_finding(&student, id, bad).await.unwrap_err()),
            "cvss_vector"
        );
        let stored = w
            .s()
            .submit_engagement_finding(&student, id, finding(asset, "Backups"))
            .await
            .unwrap();
        assert_eq!(
            (stored.tool.as_str(), stored.severity.as_str(), stored.order_id),
            ("engagement", "high", None)
        );
        assert!(stored.decision.is_some() && stored.due_on.is_some());
        // The same finding twice is refused.
        assert_eq!(
            field_of(
                w.s()
                    .submit_engagement_finding(&student, id, finding(asset, "Backups"))
                    .await
                    .unwrap_err()
            ),
            "title"
        );
        let register = w
            .s()
            .register(
                &kortrijk,
                RegisterQuery {
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(register.entries.len(), 1);
        assert_eq!(register.entries[0].finding.id, stored.id);
        assert_eq!(register.entries[0].asset_name.as_deref(), Some("www.kortrijk.be"));
        // The government takes it in hand like any finding.
        w.s()
            .change_finding_status(
                &kortrijk,
                stored.id,
                cyberveilig_services::remediation::StatusChange {
                    status: "in_progress".into(),
                    reason: None,
                    until: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(w.s().engagement_findings(&student, id).await.unwrap().len(), 1);
        assert_eq!(w.s().engagement_findings(&kortrijk, id).await.unwrap().len(), 1);

        // Who sees nothing: another government, another researcher, a firm.
        for outsider in [&gent, &other_student, &ey] {
            assert!(matches!(w.s().engagement(outsider, id).await, Err(ServiceError::NotFound(_))));
            assert!(matches!(
                w.s().engagement_findings(outsider, id).await,
                Err(ServiceError::NotFound(_))
            ));
            assert!(w.s().engagements(outsider).await.unwrap().is_empty());
        }
        assert!(matches!(
            w.s().submit_engagement_finding(&other_student, id, finding(asset, "Other")).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(
            w.s()
                .register(
                    &gent,
                    RegisterQuery {
                        limit: 50,
                        ..Default::default()
                    }
                )
                .await
                .unwrap()
                .entries
                .is_empty()
        );
        assert!(
            w.s()
                .register(
                    &ey,
                    RegisterQuery {
                        limit: 50,
                        ..Default::default()
                    }
                )
                .await
                .unwrap()
                .entries
                .is_empty()
        );
        assert!(matches!(
            w.s()
                .change_finding_status(
                    &ey,
                    stored.id,
                    cyberveilig_services::remediation::StatusChange {
                        status: "fixed".into(),
                        reason: None,
                        until: None
                    }
                )
                .await,
            Err(ServiceError::NotFound(_))
        ));

        // A change after the acceptance needs a new acceptance: back to proposed, nothing tested.
        let changed = w
            .s()
            .change_engagement(
                &vvsg,
                id,
                terms(d(2021, 7, 1), d(2021, 8, 15), &["network_scanning", "web_scanning"]),
            )
            .await
            .unwrap();
        assert_eq!(changed.phase.as_str(), "proposed");
        assert_eq!(changed.engagement.version, 2);
        assert!(changed.engagement.accepted_hash.is_none());
        let err = w
            .s()
            .submit_engagement_finding(&student, id, finding(asset, "Second"))
            .await
            .unwrap_err();
        assert_eq!(field_of(err), "engagement_not_authorised");
        // The old letter's hash no longer accepts it.
        assert_eq!(
            field_of(w.s().accept_engagement(&colleague, id, &letter.hash, false).await.unwrap_err()),
            "letter_changed"
        );
        let (_, letter2) = w.s().engagement_letter(&colleague, id).await.unwrap();
        assert_ne!(letter2.hash, letter.hash);
        let again = w.s().accept_engagement(&colleague, id, &letter2.hash, false).await.unwrap();
        assert_eq!(again.phase.as_str(), "active");
        assert_eq!(again.acceptances.len(), 2);
        w.s()
            .submit_engagement_finding(&student, id, finding(asset, "Second"))
            .await
            .unwrap();

        // After the window: nothing more.
        w.advance_to("2021-08-16T08:00:00Z").await;
        let err = w
            .s()
            .submit_engagement_finding(&student, id, finding(asset, "Late"))
            .await
            .unwrap_err();
        assert_eq!(field_of(err), "after_window");
        assert_eq!(w.s().engagement(&kortrijk, id).await.unwrap().phase.as_str(), "closed");
    }
);

story!(social_engineering_only_when_authorised_explicitly, "2021-06-15T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let director = w.actor("directeur.34022@gemeente.test").await;
    let e = w
        .s()
        .propose_engagement(
            &vvsg,
            terms(d(2021, 6, 15), d(2021, 7, 15), &["phishing_mail", "usb_drop", "web_scanning"]),
        )
        .await
        .unwrap();
    let (_, letter) = w.s().engagement_letter(&director, e.engagement.id).await.unwrap();
    assert!(letter.dutch.contains("afzonderlijk en uitdrukkelijk"));
    let before = w.log_entries().await;
    let err = w
        .s()
        .accept_engagement(&director, e.engagement.id, &letter.hash, false)
        .await
        .unwrap_err();
    assert_eq!(field_of(err), "social_engineering_authorised");
    assert_eq!(w.log_entries().await, before, "a refusal writes nothing");
    let ok = w
        .s()
        .accept_engagement(&director, e.engagement.id, &letter.hash, true)
        .await
        .unwrap();
    assert!(ok.engagement.social_engineering_authorised);
    assert_eq!(ok.phase.as_str(), "active");
});

story!(
    bad_terms_are_refused_in_both_languages_and_nothing_is_written,
    "2021-06-15T08:00:00Z",
    |w| {
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let kortrijk = w.municipality(KORTRIJK).await;
        let student = w.actor("student@howest.test").await;
        let before = w.log_entries().await;
        let cases: Vec<(EngagementTerms, &str)> = vec![
            (terms(d(2021, 6, 1), d(2021, 6, 30), &["web_scanning"]), "ends_on"),
            (terms(d(2021, 7, 1), d(2021, 6, 30), &["web_scanning"]), "ends_on"),
            (terms(d(2021, 7, 1), d(2021, 10, 31), &["web_scanning"]), "ends_on"),
            (terms(d(2021, 7, 1), d(2021, 7, 31), &[]), "techniques"),
            (terms(d(2021, 7, 1), d(2021, 7, 31), &["ddos"]), "techniques"),
            (
                EngagementTerms {
                    team: vec![("student@howest.test".into(), "student".into())],
                    ..terms(d(2021, 7, 1), d(2021, 7, 31), &["web_scanning"])
                },
                "team",
            ),
            (
                EngagementTerms {
                    team: vec![
                        ("docent@howest.test".into(), "supervisor".into()),
                        ("44021@gemeente.test".into(), "student".into()),
                    ],
                    ..terms(d(2021, 7, 1), d(2021, 7, 31), &["web_scanning"])
                },
                "team",
            ),
            (
                EngagementTerms {
                    scope: vec!["not a host!".into()],
                    ..terms(d(2021, 7, 1), d(2021, 7, 31), &["web_scanning"])
                },
                "scope",
            ),
            (
                EngagementTerms {
                    government_nis: "00000".into(),
                    ..terms(d(2021, 7, 1), d(2021, 7, 31), &["web_scanning"])
                },
                "government_nis",
            ),
            (
                EngagementTerms {
                    emergency_contact: " ".into(),
                    ..terms(d(2021, 7, 1), d(2021, 7, 31), &["web_scanning"])
                },
                "emergency_contact",
            ),
        ];
        for (t, field) in cases {
            assert_eq!(field_of(w.s().propose_engagement(&vvsg, t).await.unwrap_err()), field);
        }
        // Only VVSG and the administrator propose.
        for who in [&kortrijk, &student] {
            assert!(matches!(
                w.s()
                    .propose_engagement(who, terms(d(2021, 7, 1), d(2021, 7, 31), &["web_scanning"]))
                    .await,
                Err(ServiceError::Forbidden)
            ));
        }
        assert_eq!(w.log_entries().await, before);
        assert!(w.s().engagements(&vvsg).await.unwrap().is_empty());
        assert!(
            w.s().assets(&kortrijk, kortrijk.organisation_id).await.unwrap().is_empty(),
            "no asset was left behind"
        );
    }
);

story!(engagements_are_counted_per_government_and_in_total, "2021-06-15T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let admin = w.admin().await;
    let director = w.actor("directeur.34022@gemeente.test").await;
    let a = w
        .s()
        .propose_engagement(&vvsg, terms(d(2021, 6, 15), d(2021, 7, 15), &["web_scanning"]))
        .await
        .unwrap();
    w.s()
        .propose_engagement(&vvsg, terms(d(2021, 8, 1), d(2021, 8, 31), &["web_scanning"]))
        .await
        .unwrap();
    let brugge = w
        .s()
        .propose_engagement(
            &admin,
            EngagementTerms {
                government_nis: BRUGGE.into(),
                ..terms(d(2021, 7, 1), d(2021, 7, 31), &["web_scanning"])
            },
        )
        .await
        .unwrap();
    let (_, letter) = w.s().engagement_letter(&director, a.engagement.id).await.unwrap();
    w.s()
        .accept_engagement(&director, a.engagement.id, &letter.hash, false)
        .await
        .unwrap();
    w.s()
        .withdraw_engagement(&vvsg, brugge.engagement.id, "Brugge stelt uit")
        .await
        .unwrap();
    let figures = w.s().engagement_figures(&vvsg).await.unwrap();
    assert_eq!(figures.total.total(), 3);
    assert_eq!((figures.total.active, figures.total.proposed, figures.total.withdrawn), (1, 1, 1));
    let kortrijk = figures
        .governments
        .iter()
        .find(|(_, nis, _)| nis.as_deref() == Some(KORTRIJK))
        .unwrap();
    assert_eq!((kortrijk.2.active, kortrijk.2.proposed), (1, 1));
    assert_eq!(w.s().engagement_figures(&admin).await.unwrap().total.total(), 3);
    let gent = w.municipality(GENT).await;
    let student = w.actor("student@howest.test").await;
    for who in [&gent, &student] {
        assert!(matches!(w.s().engagement_figures(who).await, Err(ServiceError::Forbidden)));
    }
    // A withdrawn engagement stays withdrawn.
    assert_eq!(
        field_of(w.s().withdraw_engagement(&vvsg, brugge.engagement.id, "again").await.unwrap_err()),
        "engagement_ended"
    );
});

story!(
    the_demo_has_one_engagement_under_way_and_one_proposed,
    "2021-06-15T08:00:00Z",
    |w| {
        w.s().seed_demo_engagements().await.unwrap();
        w.s().seed_demo_engagements().await.unwrap();
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let mut phases: Vec<&str> = w.s().engagements(&vvsg).await.unwrap().iter().map(|e| e.phase.as_str()).collect();
        phases.sort();
        assert_eq!(phases, ["active", "proposed"]);
        let student = w.actor("student@howest.test").await;
        assert_eq!(w.s().engagements(&student).await.unwrap().len(), 2);
    }
);
