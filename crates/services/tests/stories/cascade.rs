//! The cascade of the framework agreements (C8, D4, D5, D6): offers that expire, agreements
//! that end and begin, and orders no firm takes.

use super::*;

// D4, D5: an offer not answered by the end of the old agreement's window moves to the new one.

story!(
    an_offer_expiring_at_the_window_end_waits_for_the_new_agreement,
    "2020-06-04T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let admin = w.admin().await;
        let old = w.agreement(OLD_AGREEMENT).await;
        let new = w.agreement(NEW_AGREEMENT).await;
        assert!(!new.active);
        let pid = w.programme_id;

        // Thursday 4 June 2020: five working days would be 11 June, but the old window closes on 8 June.
        let order = w.s().submit_order(&gent, w.basic(pid, GENT)).await.unwrap();
        assert_eq!(order.state, OrderState::Offered);
        assert_eq!(order.firm_id, Some(w.firm_id("EY").await));
        assert_eq!(order.agreement_id, Some(old.id));
        assert_eq!(order.response_due_on, Some(d(2020, 6, 8)));
        assert_eq!(order.reserved, cents(BASIC_SHARE_OLD));

        // Still EY's on the evening of 8 June (Brussels).
        assert_eq!(w.advance_to("2020-06-08T21:59:00Z").await, 0);
        assert_eq!(w.order(order.id).await.state, OrderState::Offered);
        // Midnight in Brussels: the offer expired and the window of the old agreement has closed.
        assert_eq!(w.advance_to("2020-06-09T08:00:00Z").await, 1);
        let waiting = w.order(order.id).await;
        assert_eq!(waiting.state, OrderState::AwaitingFramework);
        assert_eq!(waiting.agreement_id, Some(new.id));
        assert_eq!((waiting.firm_id, waiting.cascade_rank, waiting.response_due_on), (None, None, None));
        assert_eq!(waiting.reserved, cents(BASIC_SHARE_OLD));
        assert_eq!(w.status(pid).await.balances.reserved, cents(BASIC_SHARE_OLD));
        let events = w.order_events(order.id).await;
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["order.submitted", "order.offered", "order.expired", "order.awaiting_framework"]
        );
        assert_eq!(events[2].actor, "system");
        assert_eq!(events[2].actor_id, None);
        assert_eq!(events[2].at, at("2020-06-08T22:00:00Z"));

        // Only the administrator activates an agreement.
        assert!(matches!(
            w.s().activate_agreement(&gent, new.id).await,
            Err(ServiceError::Forbidden)
        ));
        let activated = w.s().activate_agreement(&admin, new.id).await.expect("the administrator activates");
        assert!(activated.active);
        assert!(w.agreement(NEW_AGREEMENT).await.active);
        let offered = w.order(order.id).await;
        assert_eq!(offered.state, OrderState::Offered);
        assert_eq!(offered.agreement_id, Some(new.id));
        assert_eq!(offered.firm_id, Some(w.firm_id("Deloitte").await));
        assert_eq!(offered.cascade_rank, Some(1));
        assert_eq!(offered.offered_on, Some(d(2020, 6, 9)));
        assert_eq!(offered.response_due_on, Some(d(2020, 6, 16)));
        assert_eq!(offered.reserved, cents(BASIC_SHARE_OLD));
        assert_eq!(w.actions(order.id).await.last().map(String::as_str), Some("order.offered"));
        let again = w.s().activate_agreement(&admin, new.id).await.unwrap_err();
        assert_eq!(refusal(again), Refusal::AlreadyActive);
        w.assert_ledger_holds(pid).await;
        w.log_entries().await;
    }
);

// ---------------------------------------------------------------------------------------------
// D4: an order placed while the new agreement is not active waits and is offered on activation.

story!(
    an_order_while_the_new_agreement_is_inactive_waits_for_it,
    "2020-06-09T08:00:00Z",
    |w| {
        let antwerpen = w.municipality(ANTWERPEN).await;
        let admin = w.admin().await;
        let new = w.agreement(NEW_AGREEMENT).await;
        let pid = w.programme_id;

        let order = w.s().submit_order(&antwerpen, w.basic(pid, ANTWERPEN)).await.unwrap();
        assert_eq!(order.state, OrderState::AwaitingFramework);
        assert_eq!(order.agreement_id, Some(new.id));
        assert_eq!(order.firm_id, None);
        // Reserved on the new agreement's first package: 2/3 of Deloitte's 546,455.
        assert_eq!(order.reserved, cents(BASIC_SHARE_NEW));
        assert_eq!(w.actions(order.id).await, ["order.submitted", "order.awaiting_framework"]);

        // Nothing happens while the procedure runs.
        assert_eq!(w.advance_to("2020-06-29T07:00:00Z").await, 0);
        assert_eq!(w.order(order.id).await.state, OrderState::AwaitingFramework);

        w.s().activate_agreement(&admin, new.id).await.unwrap();
        let offered = w.order(order.id).await;
        assert_eq!(offered.state, OrderState::Offered);
        assert_eq!(offered.firm_id, Some(w.firm_id("Deloitte").await));
        assert_eq!(offered.cascade_rank, Some(1));
        assert_eq!(offered.offered_on, Some(d(2020, 6, 29)));
        assert_eq!(offered.response_due_on, Some(d(2020, 7, 6)));
        assert_eq!(offered.reserved, cents(BASIC_SHARE_NEW));
        assert_eq!(
            w.actions(order.id).await,
            ["order.submitted", "order.awaiting_framework", "order.offered"]
        );
        let activation = w.s().verify_audit_log().await.unwrap();
        assert!(matches!(activation, ChainReport::Intact { .. }));

        // After activation an order goes straight to Deloitte.
        let gent = w.municipality(GENT).await;
        let direct = w.s().submit_order(&gent, w.basic(pid, GENT)).await.unwrap();
        assert_eq!(direct.state, OrderState::Offered);
        assert_eq!(direct.agreement_id, Some(new.id));
        assert_eq!(direct.firm_id, Some(w.firm_id("Deloitte").await));
        assert_eq!(w.status(pid).await.balances.reserved, cents(2 * BASIC_SHARE_NEW));
        w.assert_ledger_holds(pid).await;
    }
);

// ---------------------------------------------------------------------------------------------
// D5, C8, D4: nobody answers; the clock passes several deadlines and stops at each.

story!(
    unanswered_offers_expire_down_the_cascade_and_into_the_next_agreement,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let (ey, deloitte, pwc) = (w.firm_id("EY").await, w.firm_id("Deloitte").await, w.firm_id("PwC").await);
        let old = w.agreement(OLD_AGREEMENT).await;
        let new = w.agreement(NEW_AGREEMENT).await;
        let pid = w.programme_id;

        let order = w.s().submit_order(&gent, w.basic(pid, GENT)).await.unwrap();
        assert_eq!((order.firm_id, order.response_due_on), (Some(ey), Some(d(2020, 5, 26))));

        assert_eq!(w.advance_to("2020-06-30T08:00:00Z").await, 3);
        assert_eq!(w.now(), at("2020-06-30T08:00:00Z"));

        let events = w.order_events(order.id).await;
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "order.submitted",
                "order.offered",
                "order.expired",
                "order.offered",
                "order.expired",
                "order.offered",
                "order.expired",
                "order.awaiting_framework",
            ]
        );
        assert_eq!(actions.iter().filter(|a| **a == "order.expired").count(), 3);
        // Each offer falls due at the end of its due day in Brussels, and the next offer is made then.
        let offers: Vec<_> = events.iter().filter(|e| e.action == "order.offered").collect();
        let expected = [
            (ey, 1, d(2020, 5, 26), at("2020-05-18T08:00:00Z")),
            // Offered on Wednesday 27 May; Whit Monday (1 June) does not count: due Thursday 4 June.
            (deloitte, 2, d(2020, 6, 4), at("2020-05-26T22:00:00Z")),
            // Offered on Friday 5 June; the term is cut at the window's last day, 8 June.
            (pwc, 3, d(2020, 6, 8), at("2020-06-04T22:00:00Z")),
        ];
        for (event, (firm, rank, due, when)) in offers.iter().zip(expected) {
            let details = details(event);
            assert_eq!(details["firm_id"], firm, "{details}");
            assert_eq!(details["rank"], rank, "{details}");
            assert_eq!(details["agreement_id"], old.id, "{details}");
            assert_eq!(date_of(&details["response_due_on"]), due, "{details}");
            assert_eq!(event.at, when);
        }
        let expiries: Vec<_> = events.iter().filter(|e| e.action == "order.expired").map(|e| e.at).collect();
        assert_eq!(
            expiries,
            [at("2020-05-26T22:00:00Z"), at("2020-06-04T22:00:00Z"), at("2020-06-08T22:00:00Z")]
        );

        let waiting = w.order(order.id).await;
        assert_eq!(waiting.state, OrderState::AwaitingFramework);
        assert_eq!(waiting.agreement_id, Some(new.id));
        assert_eq!(waiting.reserved, cents(BASIC_SHARE_OLD));
        assert_eq!(w.status(pid).await.balances.reserved, cents(BASIC_SHARE_OLD));
        w.assert_ledger_holds(pid).await;
        w.log_entries().await;
    }
);

// ---------------------------------------------------------------------------------------------
// D6: every firm declines; the order is unplaceable, its credit released; the cascade re-opens.

story!(
    when_every_firm_declines_the_order_is_unplaceable_until_reopened,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let admin = w.admin().await;
        let firms = [
            w.actor("ey@firms.test").await,
            w.actor("deloitte@firms.test").await,
            w.actor("pwc@firms.test").await,
        ];
        let pid = w.programme_id;

        let order = w.s().submit_order(&gent, w.basic(pid, GENT)).await.unwrap();
        // Re-opening is for unplaceable orders only.
        let early = w.s().reopen_order(&admin, order.id).await.unwrap_err();
        assert_eq!(
            refusal(early),
            Refusal::InvalidTransition {
                from: OrderState::Offered,
                action: OrderAction::Reopen
            }
        );

        let mut last = order.clone();
        for firm in &firms {
            assert_eq!(last.firm_id, Some(firm.organisation_id));
            last = w
                .s()
                .firm_step(
                    firm,
                    order.id,
                    FirmStep::Decline {
                        reason: "Geen capaciteit.".into(),
                    },
                )
                .await
                .unwrap();
        }
        assert_eq!(last.state, OrderState::Unplaceable);
        assert_eq!(last.reserved, Money::ZERO);
        assert_eq!(last.firm_id, None);
        assert_eq!(last.response_due_on, None);
        assert_eq!(w.order(order.id).await, last);
        let status = w.status(pid).await;
        assert_eq!(status.balances.reserved, Money::ZERO);
        assert_eq!(status.balances.available(), cents(BUDGET));
        w.assert_ledger_holds(pid).await;
        let events = w.order_events(order.id).await;
        assert_eq!(events.iter().filter(|e| e.action == "order.declined").count(), 3);
        let unplaceable = events.last().unwrap();
        assert_eq!(unplaceable.action, "order.unplaceable");
        assert_eq!(details(unplaceable)["reason"], "every firm of the cascade declined");
        // D6: Gent and the administrator are told, by mail.
        let mails = w.s().outbox(&admin, 10).await.unwrap();
        let to: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
        assert_eq!(mails.len(), 2, "{to:?}");
        assert!(to.contains(&"44021@gemeente.test") && to.contains(&"admin@abb.test"));
        assert!(
            mails
                .iter()
                .all(|m| m.subject.contains(&order.id.to_string()) && m.body.contains("Gent"))
        );

        // Gent may not re-open the cascade itself; the administrator may.
        assert!(matches!(w.s().reopen_order(&gent, order.id).await, Err(ServiceError::Forbidden)));
        let reopened = w.s().reopen_order(&admin, order.id).await.expect("the administrator re-opens");
        assert_eq!(reopened.state, OrderState::Offered);
        assert_eq!(reopened.firm_id, Some(firms[0].organisation_id));
        assert_eq!(reopened.cascade_rank, Some(1));
        assert_eq!(reopened.response_due_on, Some(d(2020, 5, 26)));
        assert_eq!(reopened.reserved, cents(BASIC_SHARE_OLD));
        assert_eq!(w.status(pid).await.balances.reserved, cents(BASIC_SHARE_OLD));
        let actions = w.actions(order.id).await;
        assert_eq!(&actions[actions.len() - 2..], ["order.reopened", "order.offered"]);
        w.assert_ledger_holds(pid).await;
    }
);

// D3 with D6: an unplaceable basic audit no longer counts, so the government may order a new one;
// re-opening the old one then would give it two basic audits.
story!(
    reopening_cannot_give_a_government_a_second_basic_audit,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let admin = w.admin().await;
        let pid = w.programme_id;
        let first = w.s().submit_order(&gent, w.basic(pid, GENT)).await.unwrap();
        for firm in ["ey@firms.test", "deloitte@firms.test", "pwc@firms.test"] {
            let firm = w.actor(firm).await;
            w.s()
                .firm_step(
                    &firm,
                    first.id,
                    FirmStep::Decline {
                        reason: "Geen capaciteit.".into(),
                    },
                )
                .await
                .unwrap();
        }
        assert_eq!(w.order(first.id).await.state, OrderState::Unplaceable);
        let second = w
            .s()
            .submit_order(&gent, w.basic(pid, GENT))
            .await
            .expect("an unplaceable audit does not count (D3)");
        assert_eq!(second.state, OrderState::Offered);

        let err = w.assert_refused_without_trace(pid, w.s().reopen_order(&admin, first.id)).await;
        assert_eq!(refusal(err), Refusal::SecondBasicAudit);
        assert_eq!(w.order(first.id).await.state, OrderState::Unplaceable);
        w.assert_ledger_holds(pid).await;
    }
);

// ---------------------------------------------------------------------------------------------
