//! The steering group of VVSG's action plan (ST-1..ST-6): members see it and no one else does;
//! the chair, the secretary and the administrators keep the records; minutes are approved at the
//! next meeting and then fixed; decisions are numbered per meeting; action items move between
//! open, done and dropped, also by their owner.

use super::*;
use cyberveilig_domain::order::OrderState;
use cyberveilig_domain::steering::{ActionStatus, MinutesState, SteeringRole};
use cyberveilig_services::steering::{ActionInput, MeetingInput};

fn meeting(title: &str, starts_at: &str) -> MeetingInput {
    MeetingInput {
        title: title.into(),
        starts_at: at(starts_at),
        place: "VVSG, Bischoffsheimlaan 1-8, Brussel".into(),
        agenda: vec![
            "Goedkeuring van de notulen".into(),
            " ".into(),
            "Stand van de toolkit".into(),
            "Varia".into(),
        ],
    }
}

fn code_of(err: ServiceError) -> &'static str {
    match err {
        ServiceError::Invalid { field, message_nl, .. } => {
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
    only_members_and_administrators_see_the_steering_group,
    "2020-06-01T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let howest = w.actor("docent@howest.test").await;
        let gent = w.municipality(GENT).await;

        // No one is a member yet: VVSG's person does not even see there is a group.
        assert!(matches!(w.s().steering_members(&vvsg).await, Err(ServiceError::NotFound(_))));
        assert!(matches!(
            w.s().set_steering_member(&vvsg, vvsg.person_id, SteeringRole::Chair).await,
            Err(ServiceError::Forbidden)
        ));

        let chair = w
            .s()
            .set_steering_member(&admin, vvsg.person_id, SteeringRole::Chair)
            .await
            .unwrap();
        assert_eq!(chair.organisation_id, vvsg.organisation_id);
        w.s()
            .set_steering_member(&admin, howest.person_id, SteeringRole::Member)
            .await
            .unwrap();
        let members = w.s().steering_members(&howest).await.unwrap();
        assert_eq!(
            members.iter().map(|m| m.role).collect::<Vec<_>>(),
            vec![SteeringRole::Chair, SteeringRole::Member]
        );
        assert!(w.s().steering_members(&admin).await.is_ok());

        let planned = w
            .s()
            .plan_steering_meeting(&vvsg, meeting("Eerste stuurgroep", "2020-06-09T08:00:00Z"))
            .await
            .unwrap();
        let id = planned.meeting.id;
        assert_eq!(planned.agenda, vec!["Goedkeuring van de notulen", "Stand van de toolkit", "Varia"]);
        assert!(planned.may_keep_records);

        // Gent is no member: 404 for the group, its meetings and a meeting.
        assert!(matches!(w.s().steering_members(&gent).await, Err(ServiceError::NotFound(_))));
        assert!(matches!(
            w.s().steering_meetings(&gent, None, 10).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(w.s().steering_meeting(&gent, id).await, Err(ServiceError::NotFound(_))));
        assert!(matches!(
            w.s().record_steering_decision(&gent, id, "x").await,
            Err(ServiceError::NotFound(_))
        ));

        // A member reads but does not keep the records.
        let seen = w.s().steering_meeting(&howest, id).await.unwrap();
        assert!(!seen.may_keep_records);
        assert!(matches!(
            w.s()
                .record_steering_decision(&howest, id, "De toolkit wordt in het Nederlands opgesteld.")
                .await,
            Err(ServiceError::Forbidden)
        ));

        // Taken off the group, Howest's person no longer sees it.
        w.s().remove_steering_member(&admin, howest.person_id).await.unwrap();
        assert!(matches!(w.s().steering_meeting(&howest, id).await, Err(ServiceError::NotFound(_))));
        assert!(
            w.s()
                .steering_members(&vvsg)
                .await
                .unwrap()
                .iter()
                .all(|m| m.person_id != howest.person_id)
        );
        // ... and may come back in another role.
        w.s()
            .set_steering_member(&admin, howest.person_id, SteeringRole::Secretary)
            .await
            .unwrap();
        assert!(w.s().steering_meeting(&howest, id).await.unwrap().may_keep_records);
    }
);

story!(
    minutes_are_approved_at_the_next_meeting_and_then_fixed,
    "2020-06-01T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let vvsg = w.actor("vvsg@vvsg.test").await;
        w.s()
            .set_steering_member(&admin, vvsg.person_id, SteeringRole::Secretary)
            .await
            .unwrap();
        let first = w
            .s()
            .plan_steering_meeting(&vvsg, meeting("Eerste stuurgroep", "2020-06-09T08:00:00Z"))
            .await
            .unwrap()
            .meeting
            .id;

        // Bad input is refused, nothing written.
        let mut bad = meeting("Twee\nregels", "2020-12-08T09:00:00Z");
        assert_eq!(code_of(w.s().plan_steering_meeting(&vvsg, bad.clone()).await.unwrap_err()), "title");
        bad.title = "Tweede stuurgroep".into();
        bad.agenda = vec!["punt".into(); 41];
        assert_eq!(code_of(w.s().plan_steering_meeting(&vvsg, bad).await.unwrap_err()), "agenda");
        assert_eq!(w.s().steering_meetings(&vvsg, None, 10).await.unwrap().len(), 1);

        // Decisions are numbered per meeting.
        w.s()
            .record_steering_decision(&vvsg, first, "De stuurgroep keurt het actieplan goed.")
            .await
            .unwrap();
        let view = w
            .s()
            .record_steering_decision(&vvsg, first, "De toolkit wordt eerst voor gemeenten gemaakt.")
            .await
            .unwrap();
        assert_eq!(view.decisions.iter().map(|d| d.number).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(
            code_of(w.s().record_steering_decision(&vvsg, first, "  ").await.unwrap_err()),
            "text"
        );

        // No minutes, no next meeting: nothing to approve.
        assert_eq!(
            code_of(w.s().approve_steering_minutes(&vvsg, first).await.unwrap_err()),
            "minutes_empty"
        );
        w.s()
            .write_steering_minutes(&vvsg, first, "# Notulen\n\nAanwezig: **allen**.")
            .await
            .unwrap();
        assert_eq!(
            code_of(w.s().approve_steering_minutes(&vvsg, first).await.unwrap_err()),
            "minutes_not_yet_approvable"
        );
        let second = w
            .s()
            .plan_steering_meeting(&vvsg, meeting("Tweede stuurgroep", "2020-12-08T09:00:00Z"))
            .await
            .unwrap()
            .meeting
            .id;
        assert_eq!(w.s().steering_meeting(&vvsg, first).await.unwrap().next_meeting_id, Some(second));
        // Planned is not held: the next meeting must have begun.
        assert_eq!(
            code_of(w.s().approve_steering_minutes(&vvsg, first).await.unwrap_err()),
            "minutes_not_yet_approvable"
        );

        w.advance_to("2020-12-08T09:30:00Z").await;
        let approved = w.s().approve_steering_minutes(&vvsg, first).await.unwrap();
        assert_eq!(approved.meeting.minutes_state, MinutesState::Approved);
        assert_eq!(approved.meeting.approved_at_meeting_id, Some(second));

        // Approved minutes are fixed, and so are the agenda and decisions.
        assert_eq!(
            code_of(w.s().write_steering_minutes(&vvsg, first, "Anders").await.unwrap_err()),
            "minutes_approved"
        );
        assert_eq!(
            code_of(w.s().record_steering_decision(&vvsg, first, "Nog een").await.unwrap_err()),
            "minutes_approved"
        );
        assert_eq!(
            code_of(
                w.s()
                    .change_steering_meeting(&vvsg, first, meeting("Andere titel", "2020-06-09T08:00:00Z"))
                    .await
                    .unwrap_err()
            ),
            "minutes_approved"
        );
        assert_eq!(
            code_of(w.s().approve_steering_minutes(&vvsg, first).await.unwrap_err()),
            "minutes_approved"
        );
        let still = w.s().steering_meeting(&vvsg, first).await.unwrap();
        assert_eq!(still.meeting.minutes.as_deref(), Some("# Notulen\n\nAanwezig: **allen**."));
        assert_eq!(still.decisions.len(), 2);

        // The second meeting's decisions start at 1 again; the meetings list pages, latest first.
        let view = w
            .s()
            .record_steering_decision(&vvsg, second, "De workshops gaan online door.")
            .await
            .unwrap();
        assert_eq!(view.decisions[0].number, 1);
        let page = w.s().steering_meetings(&vvsg, None, 1).await.unwrap();
        assert_eq!(page.iter().map(|m| m.id).collect::<Vec<_>>(), vec![second]);
        let rest = w.s().steering_meetings(&vvsg, Some(second), 1).await.unwrap();
        assert_eq!(rest.iter().map(|m| m.id).collect::<Vec<_>>(), vec![first]);
        assert!(w.s().steering_meetings(&vvsg, Some(first), 1).await.unwrap().is_empty());
    }
);

story!(action_items_go_to_members_and_move_by_their_owner, "2020-06-09T08:00:00Z", |w| {
    let admin = w.admin().await;
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let howest = w.actor("docent@howest.test").await;
    let ey = w.actor("ey@firms.test").await;
    w.s()
        .set_steering_member(&admin, vvsg.person_id, SteeringRole::Chair)
        .await
        .unwrap();
    let howest_member = w
        .s()
        .set_steering_member(&admin, howest.person_id, SteeringRole::Member)
        .await
        .unwrap();
    let meeting_id = w
        .s()
        .plan_steering_meeting(&admin, meeting("Eerste stuurgroep", "2020-06-09T08:00:00Z"))
        .await
        .unwrap()
        .meeting
        .id;

    // The owner must be a member.
    let not_a_member = w
        .s()
        .give_steering_action(
            &vvsg,
            meeting_id,
            ActionInput {
                title: "Kader ethisch hacken voorstellen".into(),
                owner_id: 9_999,
                due_on: d(2020, 9, 30),
                plan_item_id: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code_of(not_a_member), "owner_id");

    let item = w
        .s()
        .give_steering_action(
            &vvsg,
            meeting_id,
            ActionInput {
                title: "Kader ethisch hacken voorstellen".into(),
                owner_id: howest_member.id,
                due_on: d(2020, 9, 30),
                plan_item_id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(item.status, ActionStatus::Open);

    // Its owner marks it done; done cannot be dropped, but it may open again.
    let done = w
        .s()
        .set_steering_action_status(&howest, item.id, ActionStatus::Done)
        .await
        .unwrap();
    assert_eq!(done.status, ActionStatus::Done);
    assert_eq!(
        code_of(
            w.s()
                .set_steering_action_status(&howest, item.id, ActionStatus::Dropped)
                .await
                .unwrap_err()
        ),
        "action_status"
    );
    w.s().set_steering_action_status(&vvsg, item.id, ActionStatus::Open).await.unwrap();
    // Someone outside the group is not told it exists.
    assert!(matches!(
        w.s().set_steering_action_status(&ey, item.id, ActionStatus::Dropped).await,
        Err(ServiceError::NotFound(_))
    ));
    let actions = w.s().steering_actions(&admin).await.unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].status, ActionStatus::Open);

    // Every step is in the audit chain.
    let mut tx = w.s().store.read().await.unwrap();
    let kinds: Vec<String> = tx.events_after(0, 10_000).await.unwrap().into_iter().map(|e| e.action).collect();
    drop(tx);
    for kind in [
        "steering.member_set",
        "steering.meeting_planned",
        "steering.action_given",
        "steering.action_status_changed",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing in {kinds:?}");
    }
});

/// The text a person copies out of a PDF, or `None` (said visibly) where pdftotext is missing
/// and CYBERVEILIG_PDF_TESTS is not `required`.
pub(super) fn pdftotext(bytes: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, bytes).expect("written");
    match std::process::Command::new("pdftotext").arg(&path).arg("-").output() {
        Ok(output) if output.status.success() => Some(
            String::from_utf8_lossy(&output.stdout)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Ok(output) => panic!("pdftotext refused the PDF: {}", String::from_utf8_lossy(&output.stderr)),
        Err(error) => {
            assert_ne!(
                std::env::var("CYBERVEILIG_PDF_TESTS").as_deref(),
                Ok("required"),
                "pdftotext (poppler-utils) is required here: {error}"
            );
            eprintln!("SKIP: pdftotext (Debian's poppler-utils) is not installed: {error}");
            None
        }
    }
}

story!(
    a_meetings_report_holds_the_live_figures_and_downloads_as_pdf,
    "2020-06-01T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let howest = w.actor("docent@howest.test").await;
        w.s()
            .set_steering_member(&admin, vvsg.person_id, SteeringRole::Chair)
            .await
            .unwrap();
        let member = w
            .s()
            .set_steering_member(&admin, howest.person_id, SteeringRole::Member)
            .await
            .unwrap();
        // Gent's basic audit, accepted by EY at EUR 5,009.40: 2/3 of it, EUR 3,339.60, is reserved.
        let (gent, _, _) = w.basic_audit_accepted_by_ey(GENT).await;

        let id = w
            .s()
            .plan_steering_meeting(&vvsg, meeting("Eerste stuurgroep", "2020-06-09T08:00:00Z"))
            .await
            .unwrap()
            .meeting
            .id;
        w.s()
            .write_steering_minutes(
                &vvsg,
                id,
                "De voorzitter opent de vergadering.\n\n- De toolkit krijgt **vijf** modules.",
            )
            .await
            .unwrap();
        w.s()
            .record_steering_decision(&vvsg, id, "De stuurgroep keurt het actieplan goed.")
            .await
            .unwrap();
        w.s()
            .give_steering_action(
                &vvsg,
                id,
                ActionInput {
                    title: "Kader ethisch hacken voorstellen".into(),
                    owner_id: member.id,
                    due_on: d(2020, 9, 30),
                    plan_item_id: None,
                },
            )
            .await
            .unwrap();

        assert!(matches!(w.s().steering_report(&gent, id).await, Err(ServiceError::NotFound(_))));
        assert!(matches!(
            w.s().steering_report_pdf(&gent, id, true).await,
            Err(ServiceError::NotFound(_))
        ));

        let report = w.s().steering_report(&howest, id).await.unwrap();
        let co = report.sections.co_financing.as_ref().expect("the co-financing programme's figures");
        let programme = &co.programmes[0];
        assert_eq!(programme.balances.reserved, cents(333_960));
        assert_eq!(programme.balances.available(), cents(BUDGET - 333_960));
        assert_eq!(programme.governments_reached, 1);
        assert!(
            programme
                .orders
                .iter()
                .any(|(_, state, n)| *state == OrderState::Accepted && *n == 1)
        );
        assert!(report.sections.engagements.is_none(), "no engagements yet: the section is left out");

        let pdf = w.s().steering_report_pdf(&howest, id, true).await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        if let Some(text) = pdftotext(&pdf) {
            for expected in [
                "Stuurgroep: Eerste stuurgroep",
                "09/06/2020 10:00",
                "€ 2.000.000,00",
                "€ 3.339,60",
                "€ 1.996.660,40",
                "Lokale besturen bereikt: 1",
                "aanvaard",
                "De stuurgroep keurt het actieplan goed.",
                "Kader ethisch hacken voorstellen",
                "30/09/2020",
                "vijf",
                "voorzitter",
            ] {
                assert!(text.contains(expected), "'{expected}' missing from the report: {text}");
            }
        }
        let english = w.s().steering_report_pdf(&admin, id, false).await.unwrap();
        if let Some(text) = pdftotext(&english) {
            for expected in [
                "Steering group: Eerste stuurgroep",
                "€3,339.60",
                "€1,996,660.40",
                "Local governments reached: 1",
            ] {
                assert!(text.contains(expected), "'{expected}' missing from the English report: {text}");
            }
        }
    }
);

story!(a_meetings_documents_are_for_the_group, "2020-06-01T08:00:00Z", |w| {
    let admin = w.admin().await;
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let howest = w.actor("docent@howest.test").await;
    let gent = w.municipality(GENT).await;
    w.s()
        .set_steering_member(&admin, vvsg.person_id, SteeringRole::Secretary)
        .await
        .unwrap();
    w.s()
        .set_steering_member(&admin, howest.person_id, SteeringRole::Member)
        .await
        .unwrap();
    let meeting = w
        .s()
        .plan_steering_meeting(&vvsg, meeting("Eerste stuurgroep", "2020-06-09T08:00:00Z"))
        .await
        .unwrap()
        .meeting;
    let pdf = cyberveilig_domain::document::simple_pdf(&["Nota bij agendapunt 2"]);
    // ST-8: a PDF only, attached by those who keep the records.
    assert_eq!(
        code_of(
            w.s()
                .attach_steering_document(&vvsg, meeting.id, "Nota", "nota.pdf", b"<html></html>")
                .await
                .unwrap_err()
        ),
        "document"
    );
    assert_eq!(
        code_of(
            w.s()
                .attach_steering_document(&vvsg, meeting.id, " ", "nota.pdf", &pdf)
                .await
                .unwrap_err()
        ),
        "title"
    );
    assert!(matches!(
        w.s().attach_steering_document(&howest, meeting.id, "Nota", "nota.pdf", &pdf).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        w.s().attach_steering_document(&gent, meeting.id, "Nota", "nota.pdf", &pdf).await,
        Err(ServiceError::NotFound(_))
    ));
    let document = w
        .s()
        .attach_steering_document(&vvsg, meeting.id, "Nota bij agendapunt 2", "nota", &pdf)
        .await
        .unwrap();
    assert_eq!(document.filename, "nota.pdf");
    let view = w.s().steering_meeting(&howest, meeting.id).await.unwrap();
    assert_eq!(view.documents.len(), 1);
    let (_, content) = w.s().steering_document(&howest, meeting.id, document.id).await.unwrap();
    assert_eq!(content, pdf);
    assert!(matches!(
        w.s().steering_document(&gent, meeting.id, document.id).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        w.s().steering_document(&howest, meeting.id + 1, document.id).await,
        Err(ServiceError::NotFound(_))
    ));
});
