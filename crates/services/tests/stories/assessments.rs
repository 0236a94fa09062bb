//! Assessments: the firm rates the controls of a catalogue for an order; the government sees
//! the scores and how they changed since its previous assessment; administrators load catalogues.

use super::*;
use cyberveilig_domain::assessment::Direction;
use cyberveilig_services::assessments::RatingInput;
use cyberveilig_services::orders::NewOrder;

fn rate(control: &str, rating: &str) -> RatingInput {
    RatingInput {
        control: control.into(),
        rating: Some(rating.into()),
        evidence: Some(format!("seen for {control}")),
        notes: None,
    }
}

/// The order, accepted by EY at its package price (a basic audit) or at the estimate.
async fn accepted_by_ey(w: &World, order: NewOrder) -> i64 {
    let gent = w.municipality(GENT).await;
    let ey = w.actor("ey@firms.test").await;
    let order = w.s().submit_order(&gent, order).await.unwrap();
    w.s()
        .firm_step(
            &ey,
            order.id,
            FirmStep::Accept {
                price: order.estimated_cost.unwrap_or(cents(500_940)),
                planned_start_on: d(2020, 6, 1),
            },
        )
        .await
        .unwrap();
    order.id
}

story!(
    a_firm_rates_the_baseline_and_the_government_sees_the_scores,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let antwerpen = w.municipality(ANTWERPEN).await;
        let ey = w.actor("ey@firms.test").await;
        let deloitte = w.actor("deloitte@firms.test").await;
        // Not before the firm has accepted.
        let order = w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
        assert!(matches!(
            w.s().rate_controls(&ey, order.id, None, vec![rate("BA.ROL.01", "compliant")]).await,
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
        // Only the firm of the order (or an administrator) rates; the government only looks.
        assert!(matches!(
            w.s()
                .rate_controls(&deloitte, order.id, None, vec![rate("BA.ROL.01", "compliant")])
                .await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            w.s()
                .rate_controls(&gent, order.id, None, vec![rate("BA.ROL.01", "compliant")])
                .await,
            Err(ServiceError::Forbidden)
        ));
        // A batch with one bad rating writes nothing, not even the assessment.
        let before = w.log_entries().await;
        for bad in [
            vec![rate("BA.ROL.01", "compliant"), rate("BA.XYZ.99", "compliant")],
            vec![rate("BA.ROL.01", "compliant"), rate("BA.ROL.02", "mostly")],
            vec![rate("BA.ROL.01", "compliant"), rate("BA.ROL.01", "partially")],
            vec![RatingInput {
                notes: Some("x".repeat(4_001)),
                ..rate("BA.ROL.01", "compliant")
            }],
        ] {
            let refused = w.s().rate_controls(&ey, order.id, None, bad).await;
            assert!(
                matches!(refused, Err(ServiceError::Invalid { .. } | ServiceError::Unknown { .. })),
                "{refused:?}"
            );
        }
        assert_eq!(w.log_entries().await, before);
        assert!(matches!(
            w.s().assessment(&gent, order.id, None).await,
            Err(ServiceError::NotFound("assessment"))
        ));

        let view = w
            .s()
            .rate_controls(
                &ey,
                order.id,
                None,
                vec![
                    rate("BA.ROL.01", "compliant"),
                    rate("BA.ROL.02", "partially"),
                    rate("BA.TEC.01", "not_compliant"),
                    rate("BA.TEC.02", "not_applicable"),
                ],
            )
            .await
            .unwrap();
        assert!(view.may_rate);
        assert_eq!(w.log_entries().await, before + 2, "started and rated");
        // What Gent sees: ROL 1.5 of 2, TEC 0 of 1 (not applicable left out), the rest unrated.
        let seen = w.s().assessment(&gent, order.id, None).await.unwrap();
        assert!(!seen.may_rate);
        assert!(seen.controls.len() >= 30);
        let area = |id: &str| seen.scores.areas.iter().find(|a| a.area == id).unwrap().clone();
        assert_eq!(area("BA.ROL").per_mille(), Some(750));
        assert_eq!(area("BA.TEC").per_mille(), Some(0));
        assert_eq!(area("BA.TEC").not_applicable, 1);
        assert_eq!(area("BA.FYS").per_mille(), None, "nothing rated: no score, not zero");
        assert_eq!(seen.scores.overall.per_mille(), Some(500));
        assert_eq!(seen.scores.overall.unrated, seen.controls.len() as u32 - 4);
        assert!(seen.previous.is_none());
        assert_eq!(seen.overall_change.direction, Direction::NotComparable);
        let evidence = seen
            .controls
            .iter()
            .find(|(k, _)| k.ref_id == "BA.ROL.01")
            .and_then(|(_, r)| r.clone())
            .unwrap();
        assert_eq!(evidence.evidence.as_deref(), Some("seen for BA.ROL.01"));
        assert_eq!(evidence.rated_by, Some(ey.person_id));
        // Antwerpen and VVSG do not see it.
        assert!(matches!(
            w.s().assessment(&antwerpen, order.id, None).await,
            Err(ServiceError::NotFound(_))
        ));
        // Saving the same again changes nothing and records nothing; clearing makes a control unrated.
        w.s()
            .rate_controls(&ey, order.id, None, vec![rate("BA.ROL.01", "compliant")])
            .await
            .unwrap();
        assert_eq!(w.log_entries().await, before + 2);
        let cleared = w
            .s()
            .rate_controls(
                &ey,
                order.id,
                None,
                vec![RatingInput {
                    control: "BA.TEC.01".into(),
                    ..Default::default()
                }],
            )
            .await
            .unwrap();
        assert_eq!(cleared.scores.overall.per_mille(), Some(750));
        let events = w
            .s()
            .store
            .read()
            .await
            .unwrap()
            .events_of("assessment", seen.assessment.id)
            .await
            .unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["assessment.started", "assessment.rated", "assessment.rated"]);
        assert!(events[2].details.contains("\"to\":null"), "{}", events[2].details);
    }
);

story!(
    the_government_sees_the_change_since_its_previous_assessment,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let ey = w.actor("ey@firms.test").await;
        let basic = accepted_by_ey(&w, w.basic(w.programme_id, GENT)).await;
        w.s()
            .rate_controls(
                &ey,
                basic,
                None,
                vec![rate("BA.ROL.01", "not_compliant"), rate("BA.TEC.01", "compliant")],
            )
            .await
            .unwrap();
        let additional = accepted_by_ey(&w, w.additional(w.programme_id, GENT, cents(300_000))).await;
        let now = w
            .s()
            .rate_controls(
                &ey,
                additional,
                None,
                vec![
                    rate("BA.ROL.01", "compliant"),
                    rate("BA.TEC.01", "partially"),
                    rate("BA.FYS.01", "compliant"),
                ],
            )
            .await
            .unwrap();
        let seen = w.s().assessment(&gent, additional, None).await.unwrap();
        assert_eq!(seen.previous.as_ref().map(|p| p.order_id), Some(basic));
        let change = |id: &str| seen.changes.iter().find(|c| c.area == id).unwrap().clone();
        assert_eq!((change("BA.ROL").by, change("BA.ROL").direction), (Some(1000), Direction::Up));
        assert_eq!((change("BA.TEC").by, change("BA.TEC").direction), (Some(-500), Direction::Down));
        assert_eq!(change("BA.FYS").direction, Direction::NotComparable, "not rated before");
        // Overall: before 1 of 2 (50 %), now 2.5 of 3 (83.3 %).
        assert_eq!((seen.overall_change.before, seen.overall_change.now), (Some(500), Some(833)));
        assert_eq!(now.overall_change.by, Some(333));
        // The first assessment has nothing before it.
        assert!(w.s().assessment(&gent, basic, None).await.unwrap().previous.is_none());
    }
);

const LIBRARY: &str = concat!(
    "urn: urn:test:library:mini\nlocale: en\nref_id: MINI\nname: Mini\nversion: 2\n",
    "translations:\n  nl:\n    name: Mini nl\n",
    "objects:\n  framework:\n    requirement_nodes:\n",
    "    - {urn: 'urn:test:n:a', assessable: false, depth: 1, ref_id: A, name: Area A}\n",
    "    - {urn: 'urn:test:n:a1', assessable: true, depth: 2, parent_urn: 'urn:test:n:a', ref_id: A.1, name: First}\n",
    "    - {urn: 'urn:test:n:a2', assessable: true, depth: 2, parent_urn: 'urn:test:n:a', ref_id: A.2, name: Second}\n",
);

story!(
    an_administrator_loads_a_catalogue_and_a_firm_assesses_against_it,
    "2020-05-18T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let gent = w.municipality(GENT).await;
        let ey = w.actor("ey@firms.test").await;
        // The baseline is there from the start.
        let before = w.s().catalogues(&gent).await.unwrap();
        assert_eq!(before.len(), 1);
        assert!(before[0].controls >= 30);
        assert!(matches!(
            w.s().load_catalogue(Some(&gent), LIBRARY.as_bytes().to_vec()).await,
            Err(ServiceError::Forbidden)
        ));
        let entries = w.log_entries().await;
        let broken = w
            .s()
            .load_catalogue(Some(&admin), LIBRARY.replace("ref_id: A.2", "ref_id: A.1").into_bytes())
            .await;
        match broken {
            Err(ServiceError::Invalid {
                field: "file",
                message_en,
                message_nl,
            }) => {
                assert!(
                    message_en.contains("A.1") && message_nl.contains("meer dan eens"),
                    "{message_en} / {message_nl}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(w.log_entries().await, entries, "nothing written");
        let loaded = w.s().load_catalogue(Some(&admin), LIBRARY.as_bytes().to_vec()).await.unwrap();
        assert_eq!(
            (loaded.name_nl.as_str(), loaded.version, loaded.controls, loaded.loaded_by),
            ("Mini nl", 2, 2, Some(admin.person_id))
        );
        assert!(matches!(
            w.s().load_catalogue(Some(&admin), LIBRARY.as_bytes().to_vec()).await,
            Err(ServiceError::Conflict {
                code: "catalogue_loaded_already",
                ..
            })
        ));
        // Loading the baseline again at start is idempotent.
        assert_eq!(w.s().ensure_builtin_catalogue().await.unwrap(), before[0].id);
        assert_eq!(w.s().catalogues(&gent).await.unwrap().len(), 2);
        let view = w.s().catalogue(&gent, loaded.id).await.unwrap();
        assert_eq!(view.areas.len(), 1);
        assert_eq!(view.controls.iter().map(|k| k.ref_id.as_str()).collect::<Vec<_>>(), ["A.1", "A.2"]);

        let order = accepted_by_ey(&w, w.basic(w.programme_id, GENT)).await;
        w.s()
            .rate_controls(&ey, order, None, vec![rate("BA.ROL.01", "compliant")])
            .await
            .unwrap();
        // A control of the baseline is not one of the mini catalogue.
        assert!(matches!(
            w.s()
                .rate_controls(&ey, order, Some(loaded.id), vec![rate("BA.ROL.01", "compliant")])
                .await,
            Err(ServiceError::Unknown { field: "ratings", .. })
        ));
        let mini = w
            .s()
            .rate_controls(&ey, order, Some(loaded.id), vec![rate("A.1", "partially")])
            .await
            .unwrap();
        assert_eq!((mini.scores.overall.per_mille(), mini.scores.overall.unrated), (Some(500), 1));
        // The order now has two assessments; the latest is shown unless one is named.
        assert_eq!(w.s().assessment(&gent, order, None).await.unwrap().catalogue.id, loaded.id);
        assert_eq!(
            w.s()
                .assessment(&gent, order, Some(before[0].id))
                .await
                .unwrap()
                .scores
                .overall
                .per_mille(),
            Some(1000)
        );
        assert_eq!(w.s().assessments_of_order(&gent, order).await.unwrap().len(), 2);
        assert!(matches!(
            w.s().start_assessment(&ey, order, Some(loaded.id)).await,
            Err(ServiceError::Conflict {
                code: "assessment_exists",
                ..
            })
        ));
    }
);
