//! Awareness events (VVSG's work package 3): places in the order of arrival and never beyond the
//! capacity, however many register at once; the waiting list moving up with a mail; the
//! deadline; attendance after the start; the reminder once; calendars; reach; who may do what.

use super::*;
use cyberveilig_domain::awareness::{Audience, EventKind, RegistrationState};
use cyberveilig_services::awareness::EventInput;

pub(crate) fn webinar(capacity: i64) -> EventInput {
    EventInput {
        kind: EventKind::Webinar,
        title: "Phishing herkennen en melden".into(),
        description: "Een uur over phishing: herkennen, melden, en wat daarna.".into(),
        audience: vec![Audience::AllStaff, Audience::Ict],
        starts_at: at("2021-06-22T10:00:00Z"),
        ends_at: at("2021-06-22T11:00:00Z"),
        place: None,
        online_url: Some("https://webinar.vvsg.test/phishing".into()),
        capacity,
        registration_deadline: at("2021-06-21T10:00:00Z"),
        open_to_others: false,
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

story!(an_event_fills_up_and_its_waiting_list_moves_up, "2021-06-15T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let admin = w.admin().await;
    let gent = w.municipality(GENT).await;
    let brugge = w.municipality(BRUGGE).await;
    let leuven = w.municipality(LEUVEN).await;
    let event = w.s().create_awareness_event(&vvsg, webinar(2)).await.unwrap();
    let id = event.event().id;
    assert!(event.can_manage && event.registration_open);

    let first = w.s().register_for_event(&gent, id).await.unwrap();
    assert_eq!(first.mine.as_ref().map(|r| r.state), Some(RegistrationState::Registered));
    w.s().register_for_event(&brugge, id).await.unwrap();
    let third = w.s().register_for_event(&leuven, id).await.unwrap();
    assert_eq!(third.mine.as_ref().map(|r| r.state), Some(RegistrationState::Waiting));
    assert_eq!(third.waiting_position, Some(1));
    assert_eq!((third.counts.registered, third.counts.waiting), (2, 1));
    assert_eq!(
        code_of(w.s().register_for_event(&gent, id).await.unwrap_err()),
        "already_registered"
    );

    // Gent cancels: Leuven, first on the list, gets the place and a mail saying so.
    let after = w.s().cancel_registration(&gent, id).await.unwrap();
    assert!(after.mine.is_none());
    assert_eq!((after.counts.registered, after.counts.waiting), (2, 0));
    let leuven_view = w.s().awareness_event(&leuven, id).await.unwrap();
    assert_eq!(leuven_view.mine.map(|r| r.state), Some(RegistrationState::Registered));
    let mails = w.s().outbox(&admin, 20).await.unwrap();
    let promoted = mails.iter().find(|m| m.to == leuven.email).expect("Leuven is told");
    assert!(promoted.subject.contains("plaats") && promoted.body.contains("http://portal.test/awareness/"));

    // Gent registers again: it comes after those who were already there.
    let again = w.s().register_for_event(&gent, id).await.unwrap();
    assert_eq!(again.mine.map(|r| r.state), Some(RegistrationState::Waiting));
    let registrants = w.s().event_registrants(&admin, id).await.unwrap();
    let order: Vec<_> = registrants.iter().map(|r| (r.email.clone(), r.registration.state)).collect();
    assert_eq!(
        order,
        vec![
            (brugge.email.clone(), RegistrationState::Registered),
            (leuven.email.clone(), RegistrationState::Registered),
            (gent.email.clone(), RegistrationState::Waiting),
        ]
    );

    // A larger capacity moves the list up.
    let bigger = w.s().change_awareness_event(&vvsg, id, webinar(3)).await.unwrap();
    assert_eq!((bigger.counts.registered, bigger.counts.waiting), (3, 0));
    assert_eq!(
        code_of(w.s().change_awareness_event(&vvsg, id, webinar(2)).await.unwrap_err()),
        "capacity_below_registered"
    );

    // Attendance only from the start; registration closes at the deadline.
    assert_eq!(
        code_of(w.s().record_attendance(&vvsg, id, &[(brugge.person_id, true)]).await.unwrap_err()),
        "attendance_too_early"
    );
    w.advance_to("2021-06-21T10:00:01Z").await;
    let kortrijk = w.municipality("34022").await;
    assert_eq!(
        code_of(w.s().register_for_event(&kortrijk, id).await.unwrap_err()),
        "registration_closed"
    );
    w.advance_to("2021-06-22T10:30:00Z").await;
    assert_eq!(code_of(w.s().cancel_registration(&brugge, id).await.unwrap_err()), "event_started");
    let recorded = w
        .s()
        .record_attendance(
            &vvsg,
            id,
            &[(brugge.person_id, true), (leuven.person_id, true), (gent.person_id, false)],
        )
        .await
        .unwrap();
    assert_eq!(recorded.counts.attended, 2);
    assert_eq!(recorded.counts.organisations, 2, "Gent was absent");

    // Reach: Brugge (West-Vlaanderen) and Leuven (Vlaams-Brabant) of the 285 municipalities.
    w.advance_to("2021-06-23T08:00:00Z").await;
    let reach = w.s().awareness_reach(&vvsg).await.unwrap();
    assert_eq!((reach.municipalities, reach.reached), (285, 2));
    let west = reach.provinces.iter().find(|p| p.province.as_str() == "west-vlaanderen").unwrap();
    assert_eq!(west.reached, 1);
    assert!(west.municipalities > 40);
    assert_eq!(reach.provinces.iter().map(|p| p.municipalities).sum::<i64>(), 285);
    assert_eq!(reach.months, vec![("2021-06".to_owned(), 2)]);
    assert_eq!(reach.events.len(), 1);
    assert!(matches!(w.s().awareness_reach(&gent).await, Err(ServiceError::Forbidden)));
});

story!(sixty_four_register_at_once_for_ten_places, "2021-06-15T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let admin = w.admin().await;
    let id = w.s().create_awareness_event(&vvsg, webinar(10)).await.unwrap().event().id;
    let municipalities = {
        let mut tx = w.s().store.read().await.unwrap();
        tx.organisations(&OrganisationFilter {
            kind: Some(OrganisationKind::Gemeente),
            limit: 64,
            ..Default::default()
        })
        .await
        .unwrap()
    };
    assert_eq!(municipalities.len(), 64);
    let mut people = Vec::new();
    for m in &municipalities {
        people.push(w.municipality(m.nis_code.as_ref().unwrap().as_str()).await);
    }
    let tasks: Vec<_> = people
        .into_iter()
        .map(|person| {
            let services = w.s().clone();
            tokio::spawn(async move { services.register_for_event(&person, id).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let registrants = w.s().event_registrants(&admin, id).await.unwrap();
    let placed = registrants
        .iter()
        .filter(|r| r.registration.state == RegistrationState::Registered)
        .count();
    let waiting = registrants
        .iter()
        .filter(|r| r.registration.state == RegistrationState::Waiting)
        .count();
    assert_eq!((placed, waiting), (10, 54), "never more than the capacity, nobody lost");
    let mut positions: Vec<i64> = registrants.iter().map(|r| r.registration.position).collect();
    positions.sort();
    positions.dedup();
    assert_eq!(positions.len(), 64, "one place in the order of arrival each");
    // The places went to the first ten to arrive.
    assert!(
        registrants
            .iter()
            .filter(|r| r.registration.position <= 10)
            .all(|r| r.registration.state == RegistrationState::Registered)
    );
});

story!(who_may_organise_register_and_see_registrants, "2021-06-15T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let admin = w.admin().await;
    let gent = w.municipality(GENT).await;
    let ey = w.actor("ey@firms.test").await;
    assert!(matches!(
        w.s().create_awareness_event(&gent, webinar(5)).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        w.s().create_awareness_event(&admin, webinar(5)).await,
        Err(ServiceError::Forbidden)
    ));

    // Bad input is refused field by field, and nothing is written.
    let mut plain_http = webinar(5);
    plain_http.online_url = Some("http://webinar.vvsg.test".into());
    assert_eq!(
        code_of(w.s().create_awareness_event(&vvsg, plain_http).await.unwrap_err()),
        "online_url"
    );
    let mut backwards = webinar(5);
    backwards.ends_at = backwards.starts_at;
    assert_eq!(
        code_of(w.s().create_awareness_event(&vvsg, backwards).await.unwrap_err()),
        "ends_at"
    );
    let mut nowhere = webinar(5);
    nowhere.online_url = None;
    assert_eq!(code_of(w.s().create_awareness_event(&vvsg, nowhere).await.unwrap_err()), "place");
    assert_eq!(
        code_of(w.s().create_awareness_event(&vvsg, webinar(0)).await.unwrap_err()),
        "capacity"
    );
    assert!(w.s().awareness_events(&vvsg, false, None, 50).await.unwrap().is_empty());

    // A firm registers only where the event is open to other organisations.
    let closed = w.s().create_awareness_event(&vvsg, webinar(5)).await.unwrap().event().id;
    assert_eq!(
        code_of(w.s().register_for_event(&ey, closed).await.unwrap_err()),
        "not_for_your_organisation"
    );
    let mut open = webinar(5);
    open.open_to_others = true;
    let open = w.s().create_awareness_event(&vvsg, open).await.unwrap().event().id;
    w.s().register_for_event(&ey, open).await.unwrap();

    // Who registered: VVSG and the administrator, not the governments.
    assert_eq!(w.s().event_registrants(&vvsg, open).await.unwrap().len(), 1);
    assert!(matches!(w.s().event_registrants(&gent, open).await, Err(ServiceError::Forbidden)));
    assert!(matches!(
        w.s().record_attendance(&gent, open, &[]).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        w.s().awareness_event(&gent, 999_999).await,
        Err(ServiceError::NotFound(_))
    ));

    // A cancelled event tells everyone and takes no more registrations.
    w.s().register_for_event(&gent, open).await.unwrap();
    let cancelled = w.s().cancel_awareness_event(&vvsg, open, "De spreker is ziek").await.unwrap();
    assert!(cancelled.event().cancelled_at.is_some());
    let mails = w.s().outbox(&admin, 20).await.unwrap();
    assert_eq!(mails.iter().filter(|m| m.subject.starts_with("Geannuleerd")).count(), 2);
    let brugge = w.municipality(BRUGGE).await;
    assert_eq!(
        code_of(w.s().register_for_event(&brugge, open).await.unwrap_err()),
        "event_cancelled"
    );
});

story!(the_reminder_goes_out_once_the_day_before, "2021-06-15T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let admin = w.admin().await;
    let gent = w.municipality(GENT).await;
    let id = w.s().create_awareness_event(&vvsg, webinar(5)).await.unwrap().event().id;
    w.s().register_for_event(&gent, id).await.unwrap();
    assert_eq!(w.s().send_event_reminders().await.unwrap(), 0, "a week before: not yet");
    w.advance_to("2021-06-21T06:00:00Z").await;
    assert_eq!(w.s().send_event_reminders().await.unwrap(), 1);
    assert_eq!(w.s().send_event_reminders().await.unwrap(), 0, "once");
    let mails = w.s().outbox(&admin, 20).await.unwrap();
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.to == gent.email && m.subject.starts_with("Herinnering"))
            .count(),
        1
    );
});

story!(
    a_personal_calendar_feed_lists_ones_places_until_revoked,
    "2021-06-15T08:00:00Z",
    |w| {
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let gent = w.municipality(GENT).await;
        let id = w.s().create_awareness_event(&vvsg, webinar(5)).await.unwrap().event().id;
        w.s().register_for_event(&gent, id).await.unwrap();
        let token = w.s().create_calendar_feed(&gent).await.unwrap();
        assert!(w.s().has_calendar_feed(&gent).await.unwrap());
        let feed = w.s().calendar_feed(&token).await.unwrap();
        assert!(feed.contains("SUMMARY:Phishing herkennen en melden"), "{feed}");
        assert!(feed.contains(&format!("UID:awareness-event-{id}@portal.test")), "{feed}");
        let ics = w.s().event_ics(id).await.unwrap();
        assert!(ics.contains("DTSTART:20210622T100000Z"), "{ics}");
        assert!(matches!(
            w.s().calendar_feed("cal_not-a-token").await,
            Err(ServiceError::NotFound(_))
        ));
        // A new feed replaces the old address; revoking ends it.
        let renewed = w.s().create_calendar_feed(&gent).await.unwrap();
        assert!(matches!(w.s().calendar_feed(&token).await, Err(ServiceError::NotFound(_))));
        assert!(w.s().revoke_calendar_feed(&gent).await.unwrap());
        assert!(matches!(w.s().calendar_feed(&renewed).await, Err(ServiceError::NotFound(_))));
    }
);

story!(an_idempotent_request_sees_its_own_event, "2021-06-15T08:00:00Z", |w| {
    // With an Idempotency-Key the transaction commits with the answer: the answer is read in it.
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let scope = cyberveilig_services::idempotency::Scope::new(vvsg.person_id, "k1", "POST", "/api/v1/awareness-events", None);
    let view = scope.run(w.s().create_awareness_event(&vvsg, webinar(3))).await.unwrap();
    assert_eq!(view.event().capacity, 3);
});

story!(the_events_page_by_page_with_a_cursor, "2021-06-15T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let gent = w.municipality(GENT).await;
    let mut ids = Vec::new();
    for day in 0..3 {
        let mut event = webinar(5);
        event.starts_at += chrono::Duration::days(day);
        event.ends_at += chrono::Duration::days(day);
        ids.push(w.s().create_awareness_event(&vvsg, event).await.unwrap().event().id);
    }
    let first = w.s().awareness_events(&gent, false, None, 2).await.unwrap();
    assert_eq!(first.iter().map(|v| v.event().id).collect::<Vec<_>>(), ids[..2], "soonest first");
    let next = w.s().awareness_events(&gent, false, Some(ids[1]), 2).await.unwrap();
    assert_eq!(next.iter().map(|v| v.event().id).collect::<Vec<_>>(), ids[2..]);
    assert!(
        w.s().awareness_events(&gent, false, Some(999_999), 2).await.unwrap().is_empty(),
        "nothing after an unknown event"
    );
    assert!(
        w.s().awareness_events(&gent, true, None, 2).await.unwrap().is_empty(),
        "nothing past yet"
    );
});

story!(the_steering_groups_report_holds_the_events_reach, "2021-06-15T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let admin = w.admin().await;
    let gent = w.municipality(GENT).await;
    let meeting = w
        .s()
        .plan_steering_meeting(
            &admin,
            cyberveilig_services::steering::MeetingInput {
                title: "Stuurgroep".into(),
                starts_at: at("2021-06-30T08:00:00Z"),
                place: "Brussel".into(),
                agenda: vec!["Bereik van de evenementen".into()],
            },
        )
        .await
        .unwrap();
    let before = w.s().steering_report(&admin, meeting.meeting.id).await.unwrap();
    assert!(before.sections.awareness.is_none(), "no past event yet: no section");
    let id = w.s().create_awareness_event(&vvsg, webinar(5)).await.unwrap().event().id;
    w.s().register_for_event(&gent, id).await.unwrap();
    w.advance_to("2021-06-22T12:00:00Z").await;
    w.s().record_attendance(&vvsg, id, &[(gent.person_id, true)]).await.unwrap();
    let report = w.s().steering_report(&admin, meeting.meeting.id).await.unwrap();
    let reach = report.sections.awareness.clone().expect("the events' reach");
    assert_eq!((reach.reached, reach.municipalities, reach.events.len()), (1, 285, 1));
    let document = cyberveilig_services::steering::report_document(&report, true);
    let text = format!("{document:?}");
    assert!(
        text.contains("Sensibiliseringsevenementen") && text.contains("Oost-Vlaanderen"),
        "the section is in the document"
    );
});
