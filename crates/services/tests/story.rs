//! The story suite (docs/RULES.md): the programme's rules told as stories through
//! the use cases, against a real database. Every story runs on SQLite, and on PostgreSQL too when
//! `CYBERVEILIG_TEST_DATABASE_URL` is set (see `common`).
//!
//! Amounts are euro cents. The seeded programme is the real one of 2020: EUR 2,000,000.00, basic
//! audits at 2/3, additional work at 1/2, the offer until 31 December 2021; agreement
//! "Audit Vlaanderen 2015-02 perceel 3" (EY 500,940 / Deloitte 512,000 / PwC 519,500, window until
//! 8 June 2020, active) and "2019/HFB/OP/52630" (Deloitte 546,455 / EY / Grant Thornton, window
//! from 9 June 2020, inactive until activated).

mod common;

use common::{Backend, World, at, cents, d};
use cyberveilig_domain::order::{OrderAction, OrderKind, OrderState};
use cyberveilig_domain::programme::ProgrammeSettings;
use cyberveilig_domain::registry::OrganisationKind;
use cyberveilig_domain::{Money, Rate, Refusal};
use cyberveilig_services::audit::ChainReport;
use cyberveilig_services::orders::{FirmStep, OwnerStep};
use cyberveilig_services::programmes::{NewProgramme, ProgrammeAmendment};
use cyberveilig_services::store::records::{NewOrganisation, OrderFilter, OrganisationFilter};
use cyberveilig_services::{Actor, ServiceError};
use serde_json::Value;

const OLD_AGREEMENT: &str = "Audit Vlaanderen 2015-02 perceel 3";
const NEW_AGREEMENT: &str = "2019/HFB/OP/52630";

const GENT: &str = "44021";
const ANTWERPEN: &str = "11002";
const BRUGGE: &str = "31005";
const LEUVEN: &str = "24062";
const PROVINCIE_LIMBURG: &str = "70000";

/// The seeded budget, EUR 2,000,000.00 (C1).
const BUDGET: i64 = 200_000_000;
/// 2/3 of EY's package under the old agreement: 2/3 of 500,940 (C2, D1).
const BASIC_SHARE_OLD: i64 = 333_960;
/// 2/3 of Deloitte's package under the new agreement: 2/3 of 546,455 = 364,303.33, floored.
const BASIC_SHARE_NEW: i64 = 364_303;

fn refusal(err: ServiceError) -> Refusal {
    match err {
        ServiceError::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn details(event: &cyberveilig_services::store::records::Event) -> Value {
    serde_json::from_str(&event.details).expect("event details are JSON")
}

fn date_of(value: &Value) -> chrono::NaiveDate {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a date: {value}"))
}

/// The NIS codes of the first `n` municipalities, as the administrator lists them.
async fn municipalities(w: &World, admin: &Actor, n: i64) -> Vec<String> {
    w.s()
        .organisations(
            admin,
            OrganisationFilter {
                kind: Some(OrganisationKind::Gemeente),
                limit: n,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.nis_code.expect("a municipality has a NIS code").to_string())
        .collect()
}

fn flemish_programme(name: &str, budget: i64) -> NewProgramme {
    NewProgramme {
        name: name.into(),
        budget: cents(budget),
        settings: ProgrammeSettings::flemish_2020(),
    }
}

// ---------------------------------------------------------------------------------------------
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
// D8: the waiting list for basic audits and the cap on additional work.

story!(
    basic_audits_wait_for_credit_and_additional_work_is_capped,
    "2020-05-18T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let gent = w.municipality(GENT).await;
        let antwerpen = w.municipality(ANTWERPEN).await;
        let brugge = w.municipality(BRUGGE).await;
        let leuven = w.municipality(LEUVEN).await;

        assert!(matches!(
            w.s().create_programme(&gent, flemish_programme("Proef", 700_000)).await,
            Err(ServiceError::Forbidden)
        ));
        let created = w
            .s()
            .create_programme(&admin, flemish_programme("Proefprogramma", 700_000))
            .await
            .unwrap();
        let pid = created.programme.id;
        assert_ne!(pid, w.programme_id);
        assert_eq!(created.programme.name, "Proefprogramma");
        assert_eq!(created.balances.budget, cents(700_000));
        assert_eq!(created.balances.available(), cents(700_000));

        let g = w.s().submit_order(&gent, w.basic(pid, GENT)).await.unwrap();
        let a = w.s().submit_order(&antwerpen, w.basic(pid, ANTWERPEN)).await.unwrap();
        assert_eq!((g.state, g.reserved), (OrderState::Offered, cents(BASIC_SHARE_OLD)));
        assert_eq!((a.state, a.reserved), (OrderState::Offered, cents(BASIC_SHARE_OLD)));
        let b = w.s().submit_order(&brugge, w.basic(pid, BRUGGE)).await.unwrap();
        assert_eq!(b.state, OrderState::Waitlisted);
        assert_eq!(b.reserved, Money::ZERO);
        assert_eq!(b.firm_id, None);
        let l = w.s().submit_order(&leuven, w.basic(pid, LEUVEN)).await.unwrap();
        assert_eq!(l.state, OrderState::Waitlisted);
        let status = w.status(pid).await;
        assert_eq!(status.balances.reserved, cents(2 * BASIC_SHARE_OLD));
        assert_eq!(status.balances.available(), cents(700_000 - 2 * BASIC_SHARE_OLD));
        assert_eq!(status.waitlisted_count, 2);
        assert_eq!(w.actions(b.id).await, ["order.submitted", "order.waitlisted"]);
        // The other programme is untouched.
        assert_eq!(w.status(w.programme_id).await.balances.reserved, Money::ZERO);

        // Gent cancels: the first on the waiting list (Brugge) is funded and offered; Leuven waits.
        let cancelled = w
            .s()
            .owner_step(
                &gent,
                g.id,
                OwnerStep::Cancel {
                    reason: "Audit via eigen raamcontract.".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(cancelled.state, OrderState::Cancelled);
        assert_eq!(cancelled.reserved, Money::ZERO);
        let b = w.order(b.id).await;
        assert_eq!(b.state, OrderState::Offered);
        assert_eq!(b.reserved, cents(BASIC_SHARE_OLD));
        assert_eq!(b.firm_id, Some(w.firm_id("EY").await));
        assert_eq!(b.response_due_on, Some(d(2020, 5, 26)));
        assert_eq!(
            w.actions(b.id).await,
            ["order.submitted", "order.waitlisted", "order.funded", "order.offered"]
        );
        assert_eq!(w.order(l.id).await.state, OrderState::Waitlisted);
        let status = w.status(pid).await;
        assert_eq!(status.balances.reserved, cents(2 * BASIC_SHARE_OLD));
        assert_eq!(status.waitlisted_count, 1);
        w.assert_ledger_holds(pid).await;
        // A cancelled order cannot be cancelled again.
        let err = w
            .s()
            .owner_step(
                &gent,
                g.id,
                OwnerStep::Cancel {
                    reason: "Nogmaals.".into(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(
            refusal(err),
            Refusal::InvalidTransition {
                from: OrderState::Cancelled,
                action: OrderAction::Cancel
            }
        );

        // Additional work for Antwerpen: half of 200,000 is more than the 32,080 left, so it is capped.
        let available = 700_000 - 2 * BASIC_SHARE_OLD;
        assert_eq!(available, 32_080);
        let extra = w
            .s()
            .submit_order(&antwerpen, w.additional(pid, ANTWERPEN, cents(200_000)))
            .await
            .unwrap();
        assert_eq!(extra.state, OrderState::AwaitingConfirmation);
        assert_eq!(extra.rate, Rate::new(1, 2).unwrap());
        assert_eq!(extra.reserved, cents(available));
        assert_eq!(extra.firm_id, None);
        assert_eq!(w.status(pid).await.balances.available(), Money::ZERO);
        let capped = w.order_events(extra.id).await;
        let capped = details(capped.last().unwrap());
        assert_eq!(capped["share_cents"], 100_000);
        assert_eq!(capped["capped_cents"], available);
        // Only Antwerpen (or the administrator) confirms.
        assert!(matches!(
            w.s().owner_step(&brugge, extra.id, OwnerStep::Confirm).await,
            Err(ServiceError::NotFound(_))
        ));
        let confirmed = w.s().owner_step(&antwerpen, extra.id, OwnerStep::Confirm).await.unwrap();
        assert_eq!(confirmed.state, OrderState::Offered);
        assert_eq!(confirmed.firm_id, Some(w.firm_id("EY").await));
        assert_eq!(confirmed.reserved, cents(available));
        assert_eq!(
            w.actions(extra.id).await,
            ["order.submitted", "order.awaiting_confirmation", "order.confirmed", "order.offered"]
        );
        w.assert_ledger_holds(pid).await;

        // More credit by amendment funds the waiting list (Leuven).
        let amended = w
            .s()
            .amend_programme(
                &admin,
                pid,
                ProgrammeAmendment {
                    budget: Some(cents(1_100_000)),
                    reason: "Bijkomend krediet.".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(amended.balances.budget, cents(1_100_000));
        let l = w.order(l.id).await;
        assert_eq!(l.state, OrderState::Offered);
        assert_eq!(l.reserved, cents(BASIC_SHARE_OLD));
        let status = w.status(pid).await;
        assert_eq!(status.waitlisted_count, 0);
        assert_eq!(status.balances.reserved, cents(3 * BASIC_SHARE_OLD + available));
        assert_eq!(status.balances.available(), cents(1_100_000 - 3 * BASIC_SHARE_OLD - available));
        w.assert_ledger_holds(pid).await;
        w.log_entries().await;
    }
);

// D7: an accepted price below the reservation releases credit to the waiting list; settlement
// never pays more than what the order reserved plus what is still available.
story!(
    a_lower_price_funds_the_waiting_list_and_settlement_pays_the_share_of_the_invoice,
    "2020-05-18T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let ey = w.actor("ey@firms.test").await;
        let gent = w.municipality(GENT).await;
        let antwerpen = w.municipality(ANTWERPEN).await;
        // Room for one basic audit and 30,000 more.
        let budget = BASIC_SHARE_OLD + 30_000;
        let pid = w
            .s()
            .create_programme(&admin, flemish_programme("Krap", budget))
            .await
            .unwrap()
            .programme
            .id;
        let g = w.s().submit_order(&gent, w.basic(pid, GENT)).await.unwrap();
        assert_eq!(g.reserved, cents(BASIC_SHARE_OLD));
        let a = w.s().submit_order(&antwerpen, w.basic(pid, ANTWERPEN)).await.unwrap();
        assert_eq!(a.state, OrderState::Waitlisted);

        // EY accepts at 30,000: 2/3 is 20,000, so 313,960 is released, 343,960 is available and
        // Antwerpen's 333,960 fits; 10,000 is left.
        let accepted = w
            .s()
            .firm_step(
                &ey,
                g.id,
                FirmStep::Accept {
                    price: cents(30_000),
                    planned_start_on: d(2020, 6, 1),
                },
            )
            .await
            .unwrap();
        assert_eq!(accepted.reserved, cents(20_000));
        let a = w.order(a.id).await;
        assert_eq!(a.state, OrderState::Offered);
        assert_eq!(a.reserved, cents(BASIC_SHARE_OLD));
        assert_eq!(
            w.actions(a.id).await,
            ["order.submitted", "order.waitlisted", "order.funded", "order.offered"]
        );
        let status = w.status(pid).await;
        assert_eq!(status.balances.reserved, cents(20_000 + BASIC_SHARE_OLD));
        assert_eq!(status.balances.available(), cents(10_000));
        w.assert_ledger_holds(pid).await;

        // D7: an invoice above the accepted price is refused, and changes nothing.
        w.advance_to("2020-05-19T08:00:00Z").await;
        w.deliver(&ey, g.id).await;
        w.hold_remediation_day(&ey, g.id, d(2020, 5, 19)).await.unwrap();
        let err = w
            .assert_refused_without_trace(
                pid,
                w.s().firm_step(
                    &ey,
                    g.id,
                    FirmStep::Invoice {
                        invoice_number: "EY-2020-0001".into(),
                        amount: cents(600_000),
                    },
                ),
            )
            .await;
        assert_eq!(
            refusal(err),
            Refusal::InvoiceAbovePrice {
                invoice: cents(600_000),
                price: cents(30_000)
            }
        );
        // Below the price is fine: 2/3 of 27,000 is 18,000; the other 2,000 reserved is released.
        w.s()
            .firm_step(
                &ey,
                g.id,
                FirmStep::Invoice {
                    invoice_number: "EY-2020-0001".into(),
                    amount: cents(27_000),
                },
            )
            .await
            .unwrap();
        let preview = w.s().settlement(&admin, g.id).await.unwrap();
        assert_eq!(
            (preview.settlement.due, preview.settlement.payment, preview.settlement.released),
            (cents(18_000), cents(18_000), cents(2_000))
        );
        let settled = w.s().settle_order(&admin, g.id, Some(cents(18_000))).await.unwrap();
        assert_eq!(settled.paid, cents(18_000));
        assert_eq!(settled.reserved, Money::ZERO);
        let status = w.status(pid).await;
        assert_eq!(status.balances.paid, cents(18_000));
        assert_eq!(status.balances.reserved, cents(BASIC_SHARE_OLD));
        assert_eq!(status.balances.available(), cents(12_000));
        w.assert_ledger_holds(pid).await;
        let settled_event = w.order_events(g.id).await;
        let settled_event = details(settled_event.last().unwrap());
        assert_eq!(settled_event["due_cents"], 18_000);
        assert_eq!(settled_event["paid_cents"], 18_000);
        assert_eq!(settled_event["released_cents"], 2_000);
    }
);

// ---------------------------------------------------------------------------------------------
// D9: amendments extend the offer; they never shorten it nor take back committed credit.

story!(
    an_amendment_extends_the_offer_but_never_shortens_it_nor_undercuts_commitments,
    "2020-05-18T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let gent = w.municipality(GENT).await;
        let pid = w.programme_id;
        let new = w.agreement(NEW_AGREEMENT).await;
        w.s().activate_agreement(&admin, new.id).await.unwrap();

        w.advance_to("2022-01-10T09:00:00Z").await;
        let err = w
            .assert_refused_without_trace(pid, w.s().submit_order(&gent, w.basic(pid, GENT)))
            .await;
        assert_eq!(refusal(err), Refusal::OfferEnded(d(2021, 12, 31)));

        let extend = ProgrammeAmendment {
            offer_ends_on: Some(d(2022, 12, 31)),
            budget: None,
            remediation_terms: None,
            reason: "Verlenging van het aanbod tot eind 2022.".into(),
        };
        assert!(matches!(
            w.s().amend_programme(&gent, pid, extend.clone()).await,
            Err(ServiceError::Forbidden)
        ));
        let no_reason = ProgrammeAmendment {
            reason: "  ".into(),
            ..extend.clone()
        };
        let err = w
            .assert_refused_without_trace(pid, w.s().amend_programme(&admin, pid, no_reason))
            .await;
        assert!(matches!(err, ServiceError::Invalid { field: "reason", .. }), "{err:?}");
        let nothing = ProgrammeAmendment {
            reason: "Niets.".into(),
            ..Default::default()
        };
        let err = w
            .assert_refused_without_trace(pid, w.s().amend_programme(&admin, pid, nothing))
            .await;
        assert!(matches!(err, ServiceError::Invalid { field: "amendment", .. }), "{err:?}");

        let amended = w.s().amend_programme(&admin, pid, extend).await.expect("the offer is extended");
        assert_eq!(amended.programme.settings.offer_ends_on, d(2022, 12, 31));
        let order = w
            .s()
            .submit_order(&gent, w.basic(pid, GENT))
            .await
            .expect("the extended offer accepts the order");
        assert_eq!(order.state, OrderState::Offered);
        assert_eq!(order.agreement_id, Some(new.id));
        assert_eq!(order.firm_id, Some(w.firm_id("Deloitte").await));
        assert_eq!(order.submitted_on, d(2022, 1, 10));
        assert_eq!(order.reserved, cents(BASIC_SHARE_NEW));

        // Shortening, or "extending" to the same day, is refused.
        for ends_on in [d(2022, 6, 30), d(2022, 12, 31)] {
            let shorten = ProgrammeAmendment {
                offer_ends_on: Some(ends_on),
                budget: None,
                remediation_terms: None,
                reason: "Inkorten.".into(),
            };
            let err = w
                .assert_refused_without_trace(pid, w.s().amend_programme(&admin, pid, shorten))
                .await;
            assert_eq!(refusal(err), Refusal::EndDateNotLater);
        }
        // The budget cannot go below what is reserved and paid.
        let cut = ProgrammeAmendment {
            budget: Some(cents(BASIC_SHARE_NEW - 1)),
            reason: "Besparing.".into(),
            ..Default::default()
        };
        let err = w.assert_refused_without_trace(pid, w.s().amend_programme(&admin, pid, cut)).await;
        assert_eq!(refusal(err), Refusal::BudgetBelowCommitments);
        // Down to exactly the commitments is allowed.
        let exact = ProgrammeAmendment {
            budget: Some(cents(BASIC_SHARE_NEW)),
            reason: "Besparing tot het gereserveerde.".into(),
            ..Default::default()
        };
        let status = w.s().amend_programme(&admin, pid, exact).await.unwrap();
        assert_eq!(status.balances.budget, cents(BASIC_SHARE_NEW));
        assert_eq!(status.balances.available(), Money::ZERO);
        w.assert_ledger_holds(pid).await;

        let amendments = w.s().amendments(&admin, pid).await.unwrap();
        assert_eq!(amendments.len(), 2);
        assert_eq!(amendments[0].summary["offer_ends_on"]["to"], "2022-12-31");
        assert_eq!(amendments[0].decided_by, admin.person_id);
        assert_eq!(amendments[1].summary["budget_cents"]["from"], BUDGET);
        assert_eq!(amendments[1].summary["budget_cents"]["to"], BASIC_SHARE_NEW);
        w.log_entries().await;
    }
);

// ---------------------------------------------------------------------------------------------
// D10: the audit log is a hash chain; any change to it is detected.

story!(the_audit_log_is_intact_after_a_story, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    let ey = w.actor("ey@firms.test").await;
    let order = w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
    w.s()
        .firm_step(&ey, order.id, FirmStep::Decline { reason: "Volzet.".into() })
        .await
        .unwrap();
    assert_eq!(w.advance_to("2020-06-30T08:00:00Z").await, 2);
    assert_eq!(w.order(order.id).await.state, OrderState::Unplaceable);
    match w.s().verify_audit_log().await.unwrap() {
        ChainReport::Intact { entries, head, signatures } => {
            assert!(signatures.is_some_and(|n| n >= 1), "the head is signed: {signatures:?}");
            // 6 from the seed; submitted, offered, declined, offered; Deloitte's offer expires and
            // PwC is offered; PwC's expires within the window, so the cascade is exhausted (D6).
            assert_eq!(entries, 6 + 4 + 2 + 2);
            let mut tx = w.s().store.read().await.unwrap();
            let (seq, hash) = tx.chain_head().await.unwrap();
            assert_eq!((seq, hash), (entries as i64, head));
            let all = tx.events_after(0, 1_000).await.unwrap();
            assert_eq!(all.len() as u64, entries);
            assert!(all.windows(2).all(|p| p[1].prev_hash == p[0].hash && p[1].seq == p[0].seq + 1));
        }
        broken => panic!("{broken:?}"),
    }
});

// Someone with write access to the database changes or removes an entry (on both databases).

story!(a_changed_event_breaks_the_chain, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
    assert_eq!(w.log_entries().await, 8);
    assert_eq!(w.tamper("UPDATE events SET details = '{}' WHERE seq = 3").await, 1);
    match w.s().verify_audit_log().await.unwrap() {
        ChainReport::Broken(link) => {
            assert_eq!(link.seq, 3);
            assert_eq!(link.problem, "content changed after it was written");
        }
        intact => panic!("tampering went unnoticed: {intact:?}"),
    }
});

story!(a_removed_event_breaks_the_chain, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
    assert_eq!(w.tamper("DELETE FROM events WHERE seq = 6").await, 1);
    match w.s().verify_audit_log().await.unwrap() {
        ChainReport::Broken(link) => assert_eq!((link.seq, link.problem), (6, "entry missing")),
        intact => panic!("a removed entry went unnoticed: {intact:?}"),
    }
});

story!(a_removed_middle_event_breaks_the_chain, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
    assert_eq!(w.tamper("DELETE FROM events WHERE seq = 2").await, 1);
    match w.s().verify_audit_log().await.unwrap() {
        ChainReport::Broken(link) => assert_eq!((link.seq, link.problem), (2, "entry missing")),
        intact => panic!("a removed entry went unnoticed: {intact:?}"),
    }
});

// ---------------------------------------------------------------------------------------------
// D7, D8 under load: concurrent orders never reserve more than the budget.

story!(
    sixty_four_concurrent_orders_fund_exactly_ten_basic_audits,
    "2020-05-18T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let budget = 10 * BASIC_SHARE_OLD;
        assert_eq!(budget, 3_339_600);
        let pid = w
            .s()
            .create_programme(&admin, flemish_programme("Tien basisaudits", budget))
            .await
            .unwrap()
            .programme
            .id;
        let municipalities = municipalities(&w, &admin, 64).await;
        assert_eq!(municipalities.len(), 64);

        let tasks: Vec<_> = municipalities
            .iter()
            .map(|nis| {
                let services = w.services.clone();
                let admin: Actor = admin.clone();
                let order = w.basic(pid, nis);
                tokio::spawn(async move { services.submit_order(&admin, order).await })
            })
            .collect();
        let mut placed = Vec::new();
        for task in tasks {
            placed.push(task.await.expect("no task panics").expect("every order is taken"));
        }

        let mut orders = w.orders(pid).await;
        assert_eq!(orders.len(), 64);
        orders.sort_by_key(|o| o.id);
        let offered: Vec<_> = orders.iter().filter(|o| o.state == OrderState::Offered).collect();
        let waitlisted: Vec<_> = orders.iter().filter(|o| o.state == OrderState::Waitlisted).collect();
        assert_eq!(offered.len(), 10);
        assert_eq!(waitlisted.len(), 54);
        assert!(offered.iter().all(|o| o.reserved == cents(BASIC_SHARE_OLD)));
        assert!(waitlisted.iter().all(|o| o.reserved == Money::ZERO));
        // First come, first served: the ten funded orders are the ten placed first.
        assert!(
            orders[..10].iter().all(|o| o.state == OrderState::Offered),
            "{:?}",
            orders.iter().map(|o| (o.id, o.state)).collect::<Vec<_>>()
        );
        for order in &placed {
            assert_eq!(orders.iter().find(|o| o.id == order.id), Some(order));
        }
        let status = w.status(pid).await;
        assert_eq!(status.balances.reserved, cents(budget));
        assert_eq!(status.balances.available(), Money::ZERO);
        assert_eq!(status.waitlisted_count, 54);
        w.assert_ledger_holds(pid).await;
        // 6 seeded, 1 programme, 64 submissions, 10 offers, 54 waits; the chain took them one by one.
        assert_eq!(w.log_entries().await, 6 + 1 + 64 + 10 + 54);

        // One cancellation funds the first order on the waiting list, and only that one.
        let first_waiting = waitlisted[0].id;
        w.s()
            .owner_step(
                &admin,
                offered[3].id,
                OwnerStep::Cancel {
                    reason: "Dubbel besteld.".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(w.order(first_waiting).await.state, OrderState::Offered);
        assert_eq!(w.count_in_state(pid, OrderState::Offered).await, 10);
        assert_eq!(w.count_in_state(pid, OrderState::Waitlisted).await, 53);
        w.assert_ledger_holds(pid).await;
    }
);

// Submissions that arrive together are written together (one transaction), yet each is decided on
// what the ones before it wrote, and a refusal answers only its own request.

story!(
    submissions_arriving_together_are_each_decided_on_the_ones_before,
    "2020-05-18T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let pid = w
            .s()
            .create_programme(&admin, flemish_programme("Samen ingediend", BUDGET))
            .await
            .unwrap()
            .programme
            .id;
        let municipalities = municipalities(&w, &admin, 48).await;
        let (twice, without_basic) = municipalities.split_at(32);
        // Each of 32 municipalities orders its basic audit twice; 16 others order additional work
        // without one; 8 orders name a programme that does not exist. All at once.
        let mut requests = Vec::new();
        for nis in twice {
            requests.push(("basic", nis.clone(), w.basic(pid, nis)));
            requests.push(("basic", nis.clone(), w.basic(pid, nis)));
        }
        for nis in without_basic {
            requests.push(("additional", nis.clone(), w.additional(pid, nis, cents(500_000))));
        }
        for nis in &twice[..8] {
            requests.push(("nowhere", nis.clone(), w.basic(pid + 1_000, nis)));
        }
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|(what, nis, order)| {
                let (services, admin) = (w.services.clone(), admin.clone());
                tokio::spawn(async move { (what, nis, services.submit_order(&admin, order).await) })
            })
            .collect();
        let mut taken = std::collections::BTreeMap::<String, usize>::new();
        let mut second = std::collections::BTreeMap::<String, usize>::new();
        for task in tasks {
            match task.await.expect("no task panics") {
                ("basic", nis, Ok(order)) => {
                    assert_eq!(order.state, OrderState::Offered);
                    *taken.entry(nis).or_default() += 1;
                }
                ("basic", nis, Err(ServiceError::Refused(Refusal::SecondBasicAudit))) => *second.entry(nis).or_default() += 1,
                ("additional", _, Err(ServiceError::Refused(Refusal::AdditionalWithoutBasic))) => {}
                ("nowhere", _, Err(ServiceError::NotFound("programme"))) => {}
                (what, nis, answer) => panic!("{what} order of {nis}: unexpected answer {answer:?}"),
            }
        }
        assert_eq!(taken.len(), 32, "every municipality got its basic audit: {taken:?}");
        assert!(taken.values().all(|&n| n == 1), "{taken:?}");
        assert_eq!(second, taken, "and each one's second was refused");

        let orders = w.orders(pid).await;
        assert_eq!(orders.len(), 32);
        assert_eq!(w.status(pid).await.balances.reserved, cents(32 * BASIC_SHARE_OLD));
        w.assert_ledger_holds(pid).await;
        // 6 seeded, 1 programme, 32 submissions and 32 offers: nothing of the refused ones.
        assert_eq!(w.log_entries().await, 6 + 1 + 32 + 32);
    }
);

// ---------------------------------------------------------------------------------------------
// D7, D8: whatever happens in whatever order, the ledger holds (module random_operations below).

#[path = "stories/accounts.rs"]
mod accounts;
#[path = "stories/assessments.rs"]
mod assessments;
#[path = "stories/awareness.rs"]
mod awareness;
#[path = "stories/baseline.rs"]
mod baseline;
#[path = "stories/disclosure.rs"]
mod disclosure;
#[path = "stories/engagements.rs"]
mod engagements;
#[path = "stories/figures.rs"]
mod figures;
#[path = "stories/findings.rs"]
mod findings;
#[path = "stories/grant.rs"]
mod grant;
#[path = "stories/money.rs"]
mod money;
#[path = "stories/remediation.rs"]
mod remediation;
#[path = "stories/reports.rs"]
mod reports;
#[path = "stories/security.rs"]
mod security;
#[path = "stories/servers.rs"]
mod servers;
#[path = "stories/steering.rs"]
mod steering;
#[path = "stories/toolkit.rs"]
mod toolkit;

/// The property test of D7/D8 (issue 11): random sequences of submissions, answers with random
/// prices, deliveries, invoices with random amounts, settlements and cancellations, by many
/// governments, on both databases. After every step: reserved + paid never exceeds the budget,
/// every payment is at most the reservation it was paid from and the rate times the lower of
/// invoice and price, every basic audit's payment at most the rate times its firm's package
/// price, and no additional work reserves more than the share of its estimate without the
/// government confirming a higher price.
mod random_operations {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// What the cases of a run reached, so a run that never settles or never meets a rule fails:
    /// settled orders, quotes above the estimate, and refusals of D7's price and invoice limits.
    static SETTLED: AtomicUsize = AtomicUsize::new(0);
    static QUOTED: AtomicUsize = AtomicUsize::new(0);
    static PRICE_REFUSED: AtomicUsize = AtomicUsize::new(0);
    static INVOICE_REFUSED: AtomicUsize = AtomicUsize::new(0);

    #[derive(Debug, Clone)]
    enum Op {
        SubmitBasic(usize),
        SubmitAdditional(usize, i64),
        Accept(usize, i64),
        Decline(usize),
        /// The firm rates every control and attaches the audit report (D11).
        Results(usize),
        Deliver(usize),
        RemediationDay(usize),
        Invoice(usize, i64),
        /// Settle, with (true) or without the payment confirmed from the preview.
        Settle(usize, bool),
        Cancel(usize),
        Confirm(usize),
        Reopen(usize),
        AdvanceDays(u64),
        ActivateNewAgreement,
        AmendBudget(i64),
        /// The next step of the happy path of an order that has one, with a price or amount.
        Progress(usize, i64),
        /// Several `Progress` steps on the same order, so short stories reach settlement.
        Run(usize, i64, usize),
    }

    /// The governments of the random stories: eight municipalities and a province.
    const GOVERNMENTS: [&str; 9] = [
        GENT,
        ANTWERPEN,
        BRUGGE,
        LEUVEN,
        "34022",
        "12025",
        "41002",
        "71072",
        PROVINCIE_LIMBURG,
    ];
    /// Room for one basic audit and a half, so the waiting list and the cap both happen.
    const SMALL_BUDGET: i64 = 500_000;

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0..GOVERNMENTS.len()).prop_map(Op::SubmitBasic),
            4 => ((0..GOVERNMENTS.len()), 50_000i64..400_000).prop_map(|(g, e)| Op::SubmitAdditional(g, e)),
            3 => (any::<usize>(), 20_000i64..700_000).prop_map(|(o, p)| Op::Accept(o, p)),
            2 => any::<usize>().prop_map(Op::Decline),
            2 => any::<usize>().prop_map(Op::Results),
            2 => any::<usize>().prop_map(Op::Deliver),
            2 => any::<usize>().prop_map(Op::RemediationDay),
            2 => (any::<usize>(), 20_000i64..900_000).prop_map(|(o, a)| Op::Invoice(o, a)),
            2 => (any::<usize>(), any::<bool>()).prop_map(|(o, c)| Op::Settle(o, c)),
            1 => any::<usize>().prop_map(Op::Cancel),
            2 => any::<usize>().prop_map(Op::Confirm),
            1 => any::<usize>().prop_map(Op::Reopen),
            3 => (1u64..12).prop_map(Op::AdvanceDays),
            1 => Just(Op::ActivateNewAgreement),
            1 => (200_000i64..1_200_000).prop_map(Op::AmendBudget),
            3 => (any::<usize>(), 20_000i64..900_000).prop_map(|(o, a)| Op::Progress(o, a)),
            5 => (any::<usize>(), 20_000i64..900_000, 3usize..10).prop_map(|(o, a, n)| Op::Run(o, a, n)),
        ]
    }

    /// A fixed seed and a bounded number of cases (24 on SQLite, 8 on PostgreSQL, where each case
    /// makes a database of its own), so the suite stays fast and deterministic. To search
    /// harder: `STORY_CASES=600 STORY_SEED=7 cargo test -p cyberveilig-services --test story random`.
    fn runner(default_cases: u32) -> TestRunner {
        TestRunner::new(Config {
            cases: std::env::var("STORY_CASES")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(default_cases),
            max_shrink_iters: 256,
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(std::env::var("STORY_SEED").ok().and_then(|c| c.parse().ok()).unwrap_or(20_200_518)),
            ..Config::default()
        })
    }

    fn run(backend: Backend, default_cases: u32) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let outcome = runner(default_cases).run(&proptest::collection::vec(op(), 8..=20), |ops| runtime.block_on(play(backend, ops)));
        if let Err(failure) = outcome {
            panic!("{failure}");
        }
        let reached = [&SETTLED, &QUOTED, &PRICE_REFUSED, &INVOICE_REFUSED].map(|c| c.load(Ordering::Relaxed));
        assert!(
            reached.iter().all(|n| *n > 0),
            "the random stories did not reach everything (settled, quoted, price refused, invoice refused): {reached:?}"
        );
    }

    #[test]
    fn the_ledger_holds_after_every_operation_sqlite() {
        run(Backend::Sqlite, 24);
    }

    #[test]
    fn the_ledger_holds_after_every_operation_postgres() {
        if common::postgres_url().is_none() {
            common::skip_postgres();
            return;
        }
        run(Backend::Postgres, 8);
    }

    async fn play(backend: Backend, ops: Vec<Op>) -> Result<(), TestCaseError> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let store = common::open(&format!("sqlite:{}", dir.path().join("random.db").display())).await;
                let w = World::set_up(store.clone(), Backend::Sqlite, None, None, at("2020-05-18T08:00:00Z")).await;
                let outcome = run_ops(&w, &ops).await;
                store.close().await;
                outcome
            }
            Backend::Postgres => {
                let server = common::postgres_url().expect("checked before");
                let database = common::PgTestDatabase::create(&server).await;
                let store = cyberveilig_store::connect(&database.url).await.expect("the test database opens");
                let w = World::set_up(
                    store.clone(),
                    Backend::Postgres,
                    None,
                    Some(database.url.clone()),
                    at("2020-05-18T08:00:00Z"),
                )
                .await;
                let outcome = run_ops(&w, &ops).await;
                store.close().await;
                database.drop_it().await;
                outcome
            }
        }
    }

    async fn run_ops(w: &World, ops: &[Op]) -> Result<(), TestCaseError> {
        let admin = w.admin().await;
        let mut firms: HashMap<i64, Actor> = HashMap::new();
        for email in ["ey@firms.test", "deloitte@firms.test", "pwc@firms.test", "gt@firms.test"] {
            let firm = w.actor(email).await;
            firms.insert(firm.organisation_id, firm);
        }
        let ey = w.actor("ey@firms.test").await;
        let mut governments = Vec::new();
        for nis in GOVERNMENTS {
            // The province has no account of its own: the administrator orders for it.
            let actor = if nis == PROVINCIE_LIMBURG {
                admin.clone()
            } else {
                w.municipality(nis).await
            };
            governments.push((nis, actor));
        }
        let new_agreement = w.agreement(NEW_AGREEMENT).await.id;
        let pid = w
            .s()
            .create_programme(&admin, flemish_programme("Willekeurig", SMALL_BUDGET))
            .await
            .unwrap()
            .programme
            .id;
        let mut ids: Vec<i64> = Vec::new();
        let mut invoice = 0;
        // What each order held reserved before the step that settled it.
        let mut paid_from: HashMap<i64, Money> = HashMap::new();
        let ops: Vec<Op> = ops
            .iter()
            .flat_map(|op| match op {
                Op::Run(i, amount, n) => vec![Op::Progress(*i, *amount); *n],
                other => vec![other.clone()],
            })
            .collect();

        for (step, op) in ops.iter().enumerate() {
            let firm_of =
                |order: &cyberveilig_services::store::records::Order| order.firm_id.and_then(|f| firms.get(&f)).unwrap_or(&ey).clone();
            let today = w.today();
            let before: HashMap<i64, Money> = w.orders(pid).await.iter().map(|o| (o.id, o.reserved)).collect();
            let result: Result<(), ServiceError> = match op {
                Op::SubmitBasic(g) => {
                    let (nis, actor) = &governments[*g];
                    w.s().submit_order(actor, w.basic(pid, nis)).await.map(|o| ids.push(o.id))
                }
                Op::SubmitAdditional(g, estimate) => {
                    // Mostly a government with a basic audit (D3), so additional work happens.
                    let orders = w.orders(pid).await;
                    let with_basic: Vec<&(&str, Actor)> = governments
                        .iter()
                        .filter(|(_, a)| {
                            orders
                                .iter()
                                .any(|o| o.kind == OrderKind::Basic && o.state.counts_as_ordered() && o.government_id == a.organisation_id)
                        })
                        .collect();
                    let (nis, actor) = match with_basic.len() {
                        0 => &governments[*g],
                        n => with_basic[*g % n],
                    };
                    w.s()
                        .submit_order(actor, w.additional(pid, nis, cents(*estimate)))
                        .await
                        .map(|o| ids.push(o.id))
                }
                Op::AdvanceDays(days) => w.s().advance_clock(w.now() + chrono::Days::new(*days)).await.map(drop),
                Op::ActivateNewAgreement => w.s().activate_agreement(&admin, new_agreement).await.map(drop),
                Op::AmendBudget(budget) => w
                    .s()
                    .amend_programme(
                        &admin,
                        pid,
                        ProgrammeAmendment {
                            budget: Some(cents(*budget)),
                            reason: "Bijsturing.".into(),
                            ..Default::default()
                        },
                    )
                    .await
                    .map(drop),
                _ => {
                    let index = match op {
                        Op::Accept(i, _) | Op::Decline(i) | Op::Results(i) | Op::Deliver(i) | Op::RemediationDay(i) => *i,
                        Op::Invoice(i, _) | Op::Settle(i, _) | Op::Cancel(i) | Op::Confirm(i) | Op::Reopen(i) | Op::Progress(i, _) => *i,
                        _ => unreachable!("handled above"),
                    };
                    // Mostly an order the step applies to, so stories get as far as settlement;
                    // any order when none does, so refusals happen too.
                    let orders = w.orders(pid).await;
                    let fits: Vec<i64> = orders.iter().filter(|o| applies(op, o)).map(|o| o.id).collect();
                    let candidates = if fits.is_empty() { &ids } else { &fits };
                    let Some(&id) = candidates.get(index % candidates.len().max(1)) else {
                        continue;
                    };
                    let order = w.order(id).await;
                    let firm = firm_of(&order);
                    let government = governments
                        .iter()
                        .find(|(_, a)| a.organisation_id == order.government_id)
                        .map(|(_, a)| a.clone())
                        .unwrap_or_else(|| admin.clone());
                    let settle = |confirm: bool| {
                        let admin = admin.clone();
                        async move {
                            let confirmed = match confirm {
                                true => Some(w.s().settlement(&admin, id).await?.settlement.payment),
                                false => None,
                            };
                            w.s().settle_order(&admin, id, confirmed).await.map(drop)
                        }
                    };
                    match op {
                        Op::Accept(_, price) => w
                            .s()
                            .firm_step(
                                &firm,
                                id,
                                FirmStep::Accept {
                                    price: cents(*price),
                                    planned_start_on: today + chrono::Days::new(7),
                                },
                            )
                            .await
                            .map(drop),
                        Op::Decline(_) => w
                            .s()
                            .firm_step(
                                &firm,
                                id,
                                FirmStep::Decline {
                                    reason: "Geen capaciteit.".into(),
                                },
                            )
                            .await
                            .map(drop),
                        Op::Results(_) => results(w, &firm, id).await,
                        Op::Deliver(_) => w.s().firm_step(&firm, id, FirmStep::Deliver).await.map(drop),
                        Op::RemediationDay(_) => w.hold_remediation_day(&firm, id, today).await.map(drop),
                        Op::Invoice(_, amount) => {
                            invoice += 1;
                            w.s()
                                .firm_step(
                                    &firm,
                                    id,
                                    FirmStep::Invoice {
                                        invoice_number: format!("F-{invoice}"),
                                        amount: cents(*amount),
                                    },
                                )
                                .await
                                .map(drop)
                        }
                        Op::Settle(_, confirm) => settle(*confirm).await,
                        Op::Cancel(_) => w
                            .s()
                            .owner_step(
                                &government,
                                id,
                                OwnerStep::Cancel {
                                    reason: "Ingetrokken.".into(),
                                },
                            )
                            .await
                            .map(drop),
                        Op::Confirm(_) => w.s().owner_step(&government, id, OwnerStep::Confirm).await.map(drop),
                        Op::Reopen(_) => w.s().reopen_order(&admin, id).await.map(drop),
                        Op::Progress(_, amount) => match order.state {
                            OrderState::Offered => {
                                // A basic audit mostly at a price the agreement allows.
                                let price = match order.kind {
                                    OrderKind::Basic => cents(*amount % 560_000 + 1),
                                    OrderKind::Additional => cents(*amount),
                                };
                                let step = FirmStep::Accept {
                                    price,
                                    planned_start_on: today,
                                };
                                w.s().firm_step(&firm, id, step).await.map(drop)
                            }
                            OrderState::Accepted => {
                                let prepared = match order.kind {
                                    OrderKind::Basic => results(w, &firm, id).await,
                                    OrderKind::Additional => Ok(()),
                                };
                                match prepared {
                                    Ok(()) => w.s().firm_step(&firm, id, FirmStep::Deliver).await.map(drop),
                                    Err(e) => Err(e),
                                }
                            }
                            OrderState::Delivered if order.kind == OrderKind::Basic => {
                                w.hold_remediation_day(&firm, id, today).await.map(drop)
                            }
                            OrderState::Delivered | OrderState::RemediationDayHeld => {
                                invoice += 1;
                                // Mostly at most the price; sometimes above it, to be refused.
                                let price = order.price.unwrap_or(Money::ZERO).cents();
                                let amount = if amount % 5 == 0 {
                                    price + 1
                                } else {
                                    price - (amount % price.max(1)) / 4
                                };
                                let step = FirmStep::Invoice {
                                    invoice_number: format!("F-{invoice}"),
                                    amount: cents(amount.max(1)),
                                };
                                w.s().firm_step(&firm, id, step).await.map(drop)
                            }
                            OrderState::Invoiced => settle(amount % 2 == 0).await,
                            OrderState::AwaitingConfirmation | OrderState::AwaitingPriceConfirmation => {
                                w.s().owner_step(&government, id, OwnerStep::Confirm).await.map(drop)
                            }
                            OrderState::Unplaceable => w.s().reopen_order(&admin, id).await.map(drop),
                            _ => Ok(()),
                        },
                        _ => unreachable!("handled above"),
                    }
                }
            };
            match &result {
                Err(ServiceError::Refused(Refusal::PriceAboveAgreement { .. })) => {
                    PRICE_REFUSED.fetch_add(1, Ordering::Relaxed);
                }
                Err(ServiceError::Refused(Refusal::InvoiceAbovePrice { .. })) => {
                    INVOICE_REFUSED.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
            if let Err(e) = &result {
                // The firm's results and its remediation day go through use cases that hide an
                // order from a firm it is not placed with.
                let hidden = matches!(e, ServiceError::NotFound(_) | ServiceError::Forbidden)
                    && matches!(op, Op::Results(_) | Op::RemediationDay(_));
                prop_assert!(
                    hidden
                        || matches!(
                            e,
                            ServiceError::Refused(_)
                                | ServiceError::Invalid { .. }
                                | ServiceError::Conflict { .. }
                                | ServiceError::NotFound("order")
                        ),
                    "step {step} {op:?}: unexpected error {e:?}"
                );
            }
            for o in w.orders(pid).await {
                if o.state == OrderState::Settled && !paid_from.contains_key(&o.id) {
                    paid_from.insert(o.id, before.get(&o.id).copied().unwrap_or(Money::ZERO));
                    SETTLED.fetch_add(1, Ordering::Relaxed);
                }
                if o.state == OrderState::AwaitingPriceConfirmation {
                    QUOTED.fetch_add(1, Ordering::Relaxed);
                }
            }
            check_invariants(w, pid, step, op, &paid_from).await?;
        }
        let report = w.s().verify_audit_log().await.unwrap();
        prop_assert!(
            matches!(report, ChainReport::Intact { .. }),
            "the audit log is broken: {:?}",
            report
        );
        Ok(())
    }

    /// The firm's results for a basic audit: every control rated, the audit report attached.
    async fn results(w: &World, firm: &Actor, id: i64) -> Result<(), ServiceError> {
        let baseline = w.s().baseline_catalogue(firm).await?;
        let ratings = baseline
            .controls
            .iter()
            .map(|k| cyberveilig_services::assessments::RatingInput {
                control: k.ref_id.clone(),
                rating: Some("partially".into()),
                ..Default::default()
            })
            .collect();
        w.s().rate_controls(firm, id, Some(baseline.catalogue.id), ratings).await?;
        let pdf = cyberveilig_domain::document::simple_pdf(&["Auditrapport"]);
        w.s().upload_audit_report(firm, id, "rapport.pdf", &pdf).await.map(drop)
    }

    /// Whether a step on an order is one its state allows.
    fn applies(op: &Op, order: &cyberveilig_services::store::records::Order) -> bool {
        let action = match op {
            Op::Accept(..) => OrderAction::Accept,
            Op::Decline(_) => OrderAction::Decline,
            Op::Results(_) => return order.state == OrderState::Accepted,
            Op::Deliver(_) => OrderAction::Deliver,
            Op::RemediationDay(_) => OrderAction::HoldRemediationDay,
            Op::Invoice(..) => OrderAction::Invoice,
            Op::Settle(..) => OrderAction::Settle,
            Op::Cancel(_) => OrderAction::Cancel,
            Op::Confirm(_) => OrderAction::Confirm,
            Op::Reopen(_) => OrderAction::Reopen,
            Op::Progress(..) => {
                return !matches!(
                    order.state,
                    OrderState::Settled | OrderState::Cancelled | OrderState::Waitlisted | OrderState::AwaitingFramework
                );
            }
            _ => return false,
        };
        cyberveilig_domain::order::allows(order.kind, order.state, action)
    }

    async fn check_invariants(w: &World, pid: i64, step: usize, op: &Op, paid_from: &HashMap<i64, Money>) -> Result<(), TestCaseError> {
        let check = w.s().check_ledger(pid).await.unwrap();
        prop_assert!(check.holds(), "step {step} {op:?}: the ledger does not hold: {check:?}");
        let balances = check.running;
        // C1, D7: reserved + paid never exceeds the budget.
        prop_assert!(
            balances.reserved + balances.paid <= balances.budget,
            "step {step} {op:?}: reserved + paid above the budget: {balances:?}"
        );
        let agreements = w.s().agreements().await.unwrap();
        let orders = w.orders(pid).await;
        let paid: i64 = orders.iter().map(|o| o.paid.cents()).sum();
        prop_assert_eq!(
            paid,
            balances.paid.cents(),
            "step {} {:?}: orders' payments differ from the ledger",
            step,
            op
        );
        for o in &orders {
            prop_assert!(o.reserved >= Money::ZERO && o.paid >= Money::ZERO, "step {step} {op:?}: {o:?}");
            if !o.state.holds_reservation() || o.state == OrderState::Waitlisted {
                prop_assert_eq!(o.reserved, Money::ZERO, "step {} {:?}: {:?} holds credit", step, op, o.state);
            }
            if o.state != OrderState::Settled {
                prop_assert_eq!(o.paid, Money::ZERO, "step {} {:?}: unsettled order paid", step, op);
            }
            if o.state == OrderState::Offered {
                prop_assert!(
                    o.firm_id.is_some() && o.response_due_on.is_some(),
                    "step {step} {op:?}: offer without firm: {o:?}"
                );
            }
            let package = o
                .agreement_id
                .and_then(|a| agreements.iter().find(|x| x.id == a))
                .and_then(|a| o.firm_id.and_then(|f| a.firm(f)))
                .map(|f| f.package_price);
            // D7: a basic audit is accepted at most at its firm's package price.
            if o.kind == OrderKind::Basic
                && let (Some(price), Some(package)) = (o.price, package)
            {
                prop_assert!(price <= package, "step {step} {op:?}: basic audit above its package: {o:?}");
            }
            // D7: no more credit without the government agreeing: a quote above the estimate
            // waiting for confirmation reserves at most the share of the estimate.
            if o.kind == OrderKind::Additional {
                let estimate_share = o.rate.share_of(o.estimated_cost.unwrap_or(Money::ZERO));
                let bound = match o.state {
                    OrderState::AwaitingPriceConfirmation | OrderState::Offered | OrderState::AwaitingConfirmation => estimate_share,
                    _ => estimate_share.max(o.rate.share_of(o.price.unwrap_or(Money::ZERO))),
                };
                prop_assert!(
                    o.reserved <= bound,
                    "step {step} {op:?}: additional work reserves beyond what was agreed: {o:?}"
                );
            }
            if o.state == OrderState::Settled {
                // D7: the payment is at most the reservation it was paid from, and the rate times
                // the lower of the invoice and the accepted price.
                let reserved = paid_from.get(&o.id).copied().unwrap_or(Money::ZERO);
                prop_assert!(
                    o.paid <= reserved,
                    "step {step} {op:?}: paid {:?} of a reservation of {reserved:?}",
                    o.paid
                );
                let price = o.price.unwrap_or(Money::ZERO);
                let invoiced = o.invoiced.unwrap_or(Money::ZERO);
                prop_assert!(
                    o.paid <= o.rate.share_of(price.min(invoiced)),
                    "step {step} {op:?}: paid above the share: {o:?}"
                );
                if o.kind == OrderKind::Basic {
                    let package = package.unwrap_or(Money::ZERO);
                    prop_assert!(
                        o.paid <= o.rate.share_of(package),
                        "step {step} {op:?}: a basic audit paid above the rate times its package: {o:?}"
                    );
                }
            }
        }
        // D3: at most one basic audit per government that still counts.
        let mut basics: HashMap<i64, usize> = HashMap::new();
        for o in orders.iter().filter(|o| o.kind == OrderKind::Basic && o.state.counts_as_ordered()) {
            *basics.entry(o.government_id).or_default() += 1;
        }
        prop_assert!(
            basics.values().all(|n| *n <= 1),
            "step {step} {op:?}: a second basic audit: {basics:?}"
        );
        Ok(())
    }
}
