//! A government's orders told as stories: a first order (C2, C6, C8, D5, D7), the
//! administrator's filters, a firm's decline and another's acceptance up to settlement, and the
//! refusals that write nothing (C9, D2, D3, D9).

use super::*;

// C2, C6, C8, D5, D7: a first order.

story!(gent_orders_a_basic_audit_and_it_is_offered_to_ey, "2020-05-18T08:00:00Z", |w| {
    let gent = w.sign_in("44021@gemeente.test").await;
    assert_eq!(gent.organisation_id, w.organisation_id(GENT).await);
    let ey_id = w.firm_id("EY").await;
    let old = w.agreement(OLD_AGREEMENT).await;
    assert!(old.active);

    let order = w
        .s()
        .submit_order(&gent, w.basic(w.programme_id, GENT))
        .await
        .expect("Gent may order");
    assert_eq!(order.state, OrderState::Offered);
    assert_eq!(order.kind, OrderKind::Basic);
    assert_eq!(order.rate, Rate::new(2, 3).unwrap());
    assert_eq!(order.government_id, gent.organisation_id);
    assert_eq!(order.firm_id, Some(ey_id));
    assert_eq!(order.agreement_id, Some(old.id));
    assert_eq!(order.cascade_rank, Some(1));
    assert_eq!(order.submitted_on, d(2020, 5, 18));
    assert_eq!(order.offered_on, Some(d(2020, 5, 18)));
    // Five Belgian working days; Ascension (Thursday 21 May 2020) does not count.
    assert_eq!(order.response_due_on, Some(d(2020, 5, 26)));
    assert_eq!(order.reserved, cents(BASIC_SHARE_OLD));
    assert_eq!(order.paid, Money::ZERO);
    assert_eq!(order.submitted_by, gent.person_id);
    // What the use case returned is what was stored.
    assert_eq!(w.order(order.id).await, order);

    let status = w.status(w.programme_id).await;
    assert_eq!(status.balances.budget, cents(BUDGET));
    assert_eq!(status.balances.reserved, cents(BASIC_SHARE_OLD));
    assert_eq!(status.balances.paid, Money::ZERO);
    assert_eq!(status.balances.available(), cents(BUDGET - BASIC_SHARE_OLD));
    assert_eq!(status.waitlisted_count, 0);
    assert_eq!(
        w.services.order_counts(status.programme.id).await.unwrap(),
        vec![(OrderKind::Basic, OrderState::Offered, 1)]
    );
    w.assert_ledger_holds(w.programme_id).await;

    let events = w.order_events(order.id).await;
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["order.submitted", "order.offered"]);
    assert!(
        events
            .iter()
            .all(|e| e.actor == "44021@gemeente.test" && e.actor_id == Some(gent.person_id))
    );
    let offered = details(&events[1]);
    assert_eq!(offered["firm_id"], ey_id);
    assert_eq!(offered["reserved_cents"], BASIC_SHARE_OLD);
    // The seed wrote 6 entries (the baseline catalogue, two agreements, the programme, VVSG's
    // grant, the KEV catalogue shipped); the order 2 more.
    assert_eq!(w.log_entries().await, 8);

    // Who sees the order: Gent and EY (to which it is offered); not Deloitte, not Antwerpen.
    let ey = w.actor("ey@firms.test").await;
    let deloitte = w.actor("deloitte@firms.test").await;
    let antwerpen = w.municipality(ANTWERPEN).await;
    let all = OrderFilter {
        limit: 100,
        ..Default::default()
    };
    let ids = |orders: Vec<cyberveilig_services::store::records::Order>| orders.into_iter().map(|o| o.id).collect::<Vec<_>>();
    assert_eq!(ids(w.s().orders(&gent, all.clone()).await.unwrap()), [order.id]);
    assert_eq!(ids(w.s().orders(&ey, all.clone()).await.unwrap()), [order.id]);
    assert!(w.s().orders(&deloitte, all.clone()).await.unwrap().is_empty());
    assert!(w.s().orders(&antwerpen, all.clone()).await.unwrap().is_empty());
    assert!(matches!(w.s().order(&antwerpen, order.id).await, Err(ServiceError::NotFound(_))));
    assert!(matches!(w.s().order(&deloitte, order.id).await, Err(ServiceError::NotFound(_))));
    let vvsg = w.actor("vvsg@vvsg.test").await;
    assert!(matches!(w.s().orders(&vvsg, all).await, Err(ServiceError::Forbidden)));
});

story!(
    the_administrator_filters_orders_by_province_agreement_and_date,
    "2020-05-18T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let mut ids = Vec::new();
        for nis in [GENT, ANTWERPEN, BRUGGE] {
            ids.push(w.s().submit_order(&admin, w.basic(w.programme_id, nis)).await.unwrap().id);
        }
        w.advance_days(1).await;
        ids.push(w.s().submit_order(&admin, w.basic(w.programme_id, LEUVEN)).await.unwrap().id);
        let (w, admin) = (&w, &admin);
        let list = |filter: OrderFilter| async move {
            w.s()
                .orders(admin, OrderFilter { limit: 100, ..filter })
                .await
                .unwrap()
                .into_iter()
                .map(|o| o.id)
                .collect::<Vec<_>>()
        };
        // Gent (44) is in East Flanders (40000), Brugge (31) in West Flanders (30000).
        assert_eq!(
            list(OrderFilter {
                province_nis: Some("40000".into()),
                ..Default::default()
            })
            .await,
            [ids[0]]
        );
        assert_eq!(
            list(OrderFilter {
                province_nis: Some("30000".into()),
                ..Default::default()
            })
            .await,
            [ids[2]]
        );
        let old = w.agreement(OLD_AGREEMENT).await.id;
        let new = w.agreement(NEW_AGREEMENT).await.id;
        assert_eq!(
            list(OrderFilter {
                agreement_id: Some(old),
                ..Default::default()
            })
            .await,
            ids
        );
        assert!(
            list(OrderFilter {
                agreement_id: Some(new),
                ..Default::default()
            })
            .await
            .is_empty()
        );
        let today = w.today();
        assert_eq!(
            list(OrderFilter {
                submitted_from: Some(today),
                ..Default::default()
            })
            .await,
            [ids[3]]
        );
        assert_eq!(
            list(OrderFilter {
                submitted_until: Some(today.pred_opt().unwrap()),
                ..Default::default()
            })
            .await,
            ids[..3]
        );
        let newest: Vec<i64> = ids.iter().rev().copied().collect();
        assert_eq!(
            list(OrderFilter {
                newest_first: true,
                ..Default::default()
            })
            .await,
            newest
        );
        assert_eq!(
            list(OrderFilter {
                newest_first: true,
                after_id: Some(ids[2]),
                ..Default::default()
            })
            .await,
            ids[..2].iter().rev().copied().collect::<Vec<_>>()
        );
    }
);

// ---------------------------------------------------------------------------------------------
// C8, D7: the cascade moves on a decline; the accepted price adjusts the reservation; settlement.

story!(ey_declines_deloitte_accepts_and_the_order_is_settled, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    let ey = w.actor("ey@firms.test").await;
    let deloitte = w.actor("deloitte@firms.test").await;
    let admin = w.sign_in("admin@abb.test").await;
    let old = w.agreement(OLD_AGREEMENT).await;
    let pid = w.programme_id;

    let order = w.s().submit_order(&gent, w.basic(pid, GENT)).await.unwrap();
    let declined = w
        .s()
        .firm_step(
            &ey,
            order.id,
            FirmStep::Decline {
                reason: "Geen auditcapaciteit vrij in juni.".into(),
            },
        )
        .await
        .expect("EY may decline");
    assert_eq!(declined.state, OrderState::Offered);
    assert_eq!(declined.firm_id, Some(w.firm_id("Deloitte").await));
    assert_eq!(declined.firm_id, Some(deloitte.organisation_id));
    assert_eq!(declined.cascade_rank, Some(2));
    assert_eq!(declined.agreement_id, Some(old.id));
    assert_eq!(declined.offered_on, Some(d(2020, 5, 18)));
    assert_eq!(declined.response_due_on, Some(d(2020, 5, 26)));
    assert_eq!(declined.reserved, cents(BASIC_SHARE_OLD));
    // EY has answered; the offer is no longer EY's to accept.
    let err = w
        .s()
        .firm_step(
            &ey,
            order.id,
            FirmStep::Accept {
                price: cents(500_940),
                planned_start_on: d(2020, 6, 2),
            },
        )
        .await
        .unwrap_err();
    // It is not EY's any more: EY no longer sees it (issue 10, item 12).
    assert!(matches!(err, ServiceError::NotFound("order")), "{err:?}");

    assert_eq!(w.advance_to("2020-05-20T08:00:00Z").await, 0);
    let accepted = w
        .s()
        .firm_step(
            &deloitte,
            order.id,
            FirmStep::Accept {
                price: cents(512_000),
                planned_start_on: d(2020, 6, 2),
            },
        )
        .await
        .expect("Deloitte may accept");
    assert_eq!(accepted.state, OrderState::Accepted);
    assert_eq!(accepted.price, Some(cents(512_000)));
    assert_eq!(accepted.planned_start_on, Some(d(2020, 6, 2)));
    assert_eq!(accepted.accepted_on, Some(d(2020, 5, 20)));
    // 2/3 of 512,000 = 341,333.33, rounded down (D1).
    assert_eq!(accepted.reserved, cents(341_333));
    assert_eq!(w.status(pid).await.balances.reserved, cents(341_333));
    w.assert_ledger_holds(pid).await;
    // Accepting twice is not a thing.
    let again = w
        .s()
        .firm_step(
            &deloitte,
            order.id,
            FirmStep::Accept {
                price: cents(1),
                planned_start_on: d(2020, 6, 2),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        refusal(again),
        Refusal::InvalidTransition {
            from: OrderState::Accepted,
            action: OrderAction::Accept
        }
    );
    assert_eq!(w.order(order.id).await.reserved, cents(341_333));

    w.advance_to("2020-06-15T08:00:00Z").await;
    let delivered = w.deliver(&deloitte, order.id).await;
    assert_eq!(delivered.state, OrderState::Delivered);
    assert_eq!(delivered.delivered_on, Some(d(2020, 6, 15)));
    // A basic audit holds its remediation day before it is invoiced (C2).
    let early = w
        .s()
        .firm_step(
            &deloitte,
            order.id,
            FirmStep::Invoice {
                invoice_number: "DEL-2020-0142".into(),
                amount: cents(512_000),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        refusal(early),
        Refusal::InvalidTransition {
            from: OrderState::Delivered,
            action: OrderAction::Invoice
        }
    );
    // The day was held between the acceptance and today.
    for wrong in [d(2020, 6, 16), d(2020, 5, 19)] {
        let err = w.hold_remediation_day(&deloitte, order.id, wrong).await.unwrap_err();
        assert!(
            matches!(
                err,
                ServiceError::Conflict {
                    code: "outside_the_order",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    w.advance_to("2020-06-22T08:00:00Z").await;
    let held = w.hold_remediation_day(&deloitte, order.id, d(2020, 6, 19)).await.unwrap();
    assert_eq!(held.state, OrderState::RemediationDayHeld);
    assert_eq!(held.remediation_day_on, Some(d(2020, 6, 19)));
    let blank = w
        .s()
        .firm_step(
            &deloitte,
            order.id,
            FirmStep::Invoice {
                invoice_number: "  ".into(),
                amount: cents(512_000),
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            blank,
            ServiceError::Invalid {
                field: "invoice_number",
                ..
            }
        ),
        "{blank:?}"
    );
    let invoiced = w
        .s()
        .firm_step(
            &deloitte,
            order.id,
            FirmStep::Invoice {
                invoice_number: "DEL-2020-0142".into(),
                amount: cents(512_000),
            },
        )
        .await
        .unwrap();
    assert_eq!(invoiced.state, OrderState::Invoiced);
    assert_eq!(invoiced.invoice_number.as_deref(), Some("DEL-2020-0142"));
    assert_eq!(invoiced.invoiced, Some(cents(512_000)));

    // Only the administrator settles.
    assert!(matches!(
        w.s().settle_order(&deloitte, order.id, None).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        w.s().settle_order(&gent, order.id, None).await,
        Err(ServiceError::Forbidden)
    ));
    let settled = w
        .s()
        .settle_order(&admin, order.id, Some(cents(341_333)))
        .await
        .expect("the administrator settles");
    assert_eq!(settled.state, OrderState::Settled);
    assert_eq!(settled.paid, cents(341_333));
    assert_eq!(settled.reserved, Money::ZERO);
    let status = w.status(pid).await;
    assert_eq!(status.balances.reserved, Money::ZERO);
    assert_eq!(status.balances.paid, cents(341_333));
    assert_eq!(status.balances.available(), cents(BUDGET - 341_333));
    let check = w.s().check_ledger(pid).await.unwrap();
    assert!(check.holds(), "{check:?}");
    assert_eq!(check.order_reservations, Money::ZERO);
    // A settled order is settled once.
    let twice = w.s().settle_order(&admin, order.id, None).await.unwrap_err();
    assert_eq!(
        refusal(twice),
        Refusal::InvalidTransition {
            from: OrderState::Settled,
            action: OrderAction::Settle
        }
    );

    assert_eq!(
        w.actions(order.id).await,
        [
            "order.submitted",
            "order.offered",
            "order.declined",
            "order.offered",
            "order.accepted",
            "order.audit_report_uploaded",
            "order.delivered",
            "order.remediation_day_recorded",
            "order.remediation_day_held",
            "order.invoiced",
            "order.settled",
        ]
    );
    let events = w.order_events(order.id).await;
    let settled_event = details(events.last().unwrap());
    assert_eq!(settled_event["paid_cents"], 341_333);
    assert_eq!(settled_event["invoiced_cents"], 512_000);
    assert_eq!(events.last().unwrap().actor, "admin@abb.test");
    assert!(matches!(w.s().verify_audit_log().await.unwrap(), ChainReport::Intact { entries, .. } if entries == 6 + 11 + 2));
});

// ---------------------------------------------------------------------------------------------

// C9, D2, D3, D9 and who may do what: refusals write nothing.

story!(refused_requests_leave_no_trace, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    let antwerpen = w.municipality(ANTWERPEN).await;
    let admin = w.admin().await;
    let ey = w.actor("ey@firms.test").await;
    let pwc = w.actor("pwc@firms.test").await;
    let pid = w.programme_id;

    let order = w.s().submit_order(&gent, w.basic(pid, GENT)).await.unwrap();

    // D3: one basic audit per government per programme.
    let err = w
        .assert_refused_without_trace(pid, w.s().submit_order(&gent, w.basic(pid, GENT)))
        .await;
    assert_eq!(refusal(err), Refusal::SecondBasicAudit);
    let err = w
        .assert_refused_without_trace(pid, w.s().submit_order(&admin, w.basic(pid, GENT)))
        .await;
    assert_eq!(refusal(err), Refusal::SecondBasicAudit);
    // D3: additional work needs a basic audit of the same government.
    let err = w
        .assert_refused_without_trace(pid, w.s().submit_order(&antwerpen, w.additional(pid, ANTWERPEN, cents(400_000))))
        .await;
    assert_eq!(refusal(err), Refusal::AdditionalWithoutBasic);
    // C4: additional work needs an estimate.
    let mut no_estimate = w.additional(pid, GENT, cents(1));
    no_estimate.estimated_cost = None;
    let err = w.assert_refused_without_trace(pid, w.s().submit_order(&gent, no_estimate)).await;
    assert_eq!(refusal(err), Refusal::EstimateRequired);

    // An unknown NIS code names no government: not a rule's refusal.
    let err = w
        .assert_refused_without_trace(pid, w.s().submit_order(&admin, w.basic(pid, "99999")))
        .await;
    assert!(
        matches!(
            err,
            ServiceError::Unknown {
                field: "government_nis",
                ..
            }
        ),
        "{err:?}"
    );
    // D2: an OCMW on its own is not eligible (a municipality orders together with its OCMW).
    {
        let mut tx = w.s().store.write().await.unwrap();
        tx.insert_organisation(&NewOrganisation {
            kind: OrganisationKind::Ocmw,
            name: "OCMW Teststad".into(),
            nis_code: Some("99001".parse().unwrap()),
            kbo_number: None,
            province_nis: None,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let err = w
        .assert_refused_without_trace(pid, w.s().submit_order(&admin, w.basic(pid, "99001")))
        .await;
    assert_eq!(refusal(err), Refusal::NotEligible(OrganisationKind::Ocmw));

    // A government orders only for itself; a firm orders for nobody.
    let err = w
        .assert_refused_without_trace(pid, w.s().submit_order(&gent, w.basic(pid, ANTWERPEN)))
        .await;
    assert!(matches!(err, ServiceError::Forbidden), "{err:?}");
    let err = w
        .assert_refused_without_trace(pid, w.s().submit_order(&ey, w.basic(pid, ANTWERPEN)))
        .await;
    assert!(matches!(err, ServiceError::Forbidden), "{err:?}");
    // An unknown programme.
    let err = w
        .assert_refused_without_trace(pid, w.s().submit_order(&admin, w.basic(pid + 1000, ANTWERPEN)))
        .await;
    assert!(matches!(err, ServiceError::NotFound(_)), "{err:?}");

    // C8: only the firm an order is offered to answers it; to another firm it is not there.
    let accept = FirmStep::Accept {
        price: cents(519_500),
        planned_start_on: d(2020, 6, 2),
    };
    let err = w
        .assert_refused_without_trace(pid, w.s().firm_step(&pwc, order.id, accept.clone()))
        .await;
    assert!(matches!(err, ServiceError::NotFound("order")), "{err:?}");
    let err = w
        .assert_refused_without_trace(pid, w.s().firm_step(&pwc, order.id, FirmStep::Deliver))
        .await;
    assert!(matches!(err, ServiceError::NotFound("order")), "{err:?}");
    // A government does not answer offers; another government does not even see the order.
    let err = w
        .assert_refused_without_trace(pid, w.s().firm_step(&gent, order.id, accept.clone()))
        .await;
    assert!(matches!(err, ServiceError::Forbidden), "{err:?}");
    let cancel = OwnerStep::Cancel {
        reason: "Niet meer nodig.".into(),
    };
    let err = w
        .assert_refused_without_trace(pid, w.s().owner_step(&antwerpen, order.id, cancel.clone()))
        .await;
    assert!(matches!(err, ServiceError::NotFound(_)), "{err:?}");
    let err = w
        .assert_refused_without_trace(pid, w.s().owner_step(&gent, order.id, OwnerStep::Cancel { reason: " ".into() }))
        .await;
    assert!(matches!(err, ServiceError::Invalid { field: "reason", .. }), "{err:?}");
    let err = w
        .assert_refused_without_trace(pid, w.s().firm_step(&ey, order.id, FirmStep::Deliver))
        .await;
    assert_eq!(
        refusal(err),
        Refusal::InvalidTransition {
            from: OrderState::Offered,
            action: OrderAction::Deliver
        }
    );
    let err = w
        .assert_refused_without_trace(pid, w.s().owner_step(&gent, order.id, OwnerStep::Confirm))
        .await;
    assert_eq!(
        refusal(err),
        Refusal::InvalidTransition {
            from: OrderState::Offered,
            action: OrderAction::Confirm
        }
    );

    // D2: a province may order, at 0 % co-financing: nothing is reserved, the order is offered.
    let province = w
        .s()
        .submit_order(&admin, w.basic(pid, PROVINCIE_LIMBURG))
        .await
        .expect("a province may order");
    assert_eq!(province.rate, Rate::ZERO);
    assert_eq!(province.reserved, Money::ZERO);
    assert_eq!(province.state, OrderState::Offered);
    assert_eq!(province.firm_id, Some(ey.organisation_id));
    assert_eq!(w.status(pid).await.balances.reserved, cents(BASIC_SHARE_OLD));
    w.assert_ledger_holds(pid).await;

    // Firms move on: the offers lapse and the orders wait for the new agreement; the offer ends.
    w.advance_to("2022-01-03T09:00:00Z").await;
    let err = w
        .assert_refused_without_trace(pid, w.s().submit_order(&antwerpen, w.basic(pid, ANTWERPEN)))
        .await;
    assert_eq!(refusal(err), Refusal::OfferEnded(d(2021, 12, 31)));
    w.assert_ledger_holds(pid).await;
    w.log_entries().await;
});

story!(
    the_offer_runs_from_1_may_2020_until_and_including_31_december_2021,
    "2020-04-30T10:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let antwerpen = w.municipality(ANTWERPEN).await;
        let brugge = w.municipality(BRUGGE).await;
        let pid = w.programme_id;

        let err = w
            .assert_refused_without_trace(pid, w.s().submit_order(&gent, w.basic(pid, GENT)))
            .await;
        assert_eq!(refusal(err), Refusal::OfferNotStarted(d(2020, 5, 1)));
        // 1 May 2020 starts at 22:00 UTC on 30 April, in Brussels.
        w.advance_to("2020-04-30T22:00:00Z").await;
        let first = w.s().submit_order(&gent, w.basic(pid, GENT)).await.expect("the offer has started");
        assert_eq!(first.submitted_on, d(2020, 5, 1));

        w.advance_to("2021-12-31T22:59:59Z").await;
        let last = w
            .s()
            .submit_order(&antwerpen, w.basic(pid, ANTWERPEN))
            .await
            .expect("31 December 2021 is included");
        assert_eq!(last.submitted_on, d(2021, 12, 31));
        // The new agreement was never activated in this story, so the order waits for it.
        assert_eq!(last.state, OrderState::AwaitingFramework);
        // 23:00 UTC is already 1 January 2022 in Brussels.
        w.advance_to("2021-12-31T23:00:00Z").await;
        let err = w
            .assert_refused_without_trace(pid, w.s().submit_order(&brugge, w.basic(pid, BRUGGE)))
            .await;
        assert_eq!(refusal(err), Refusal::OfferEnded(d(2021, 12, 31)));
        w.assert_ledger_holds(pid).await;
    }
);

// ---------------------------------------------------------------------------------------------
