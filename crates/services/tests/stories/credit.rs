//! The programme's credit (D7, D8, D9): the waiting list, the cap on additional work, prices
//! below the reservation, amendments, and orders that arrive together or all at once.

use super::*;

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
