//! Issue 11 (and issue 10's High 2): the money follows the framework agreement (D7), and a basic
//! audit is delivered with its assessment complete and its audit report attached (D11).

use super::*;
use cyberveilig_domain::document::check_delivery;
use cyberveilig_services::assessments::RatingInput;

/// 2019/HFB/OP/52630: Deloitte's package price, EUR 5,464.55.
const DELOITTE_NEW_PACKAGE: i64 = 546_455;

/// A basic audit of `nis` under 2019/HFB/OP/52630 (activated), offered to Deloitte.
async fn offered_to_deloitte(w: &World, nis: &str) -> cyberveilig_services::store::records::Order {
    let admin = w.admin().await;
    let new = w.agreement(NEW_AGREEMENT).await;
    if !new.active {
        w.s().activate_agreement(&admin, new.id).await.unwrap();
    }
    let government = w.municipality(nis).await;
    let order = w.s().submit_order(&government, w.basic(w.programme_id, nis)).await.unwrap();
    assert_eq!(order.firm_id, Some(w.firm_id("Deloitte").await));
    assert_eq!(order.agreement_id, Some(new.id));
    order
}

fn accept(price: i64) -> FirmStep {
    FirmStep::Accept {
        price: cents(price),
        planned_start_on: d(2020, 7, 15),
    }
}

story!(a_basic_audit_costs_at_most_the_firms_package_price, "2020-07-01T08:00:00Z", |w| {
    let pid = w.programme_id;
    let deloitte = w.actor("deloitte@firms.test").await;
    let order = offered_to_deloitte(&w, GENT).await;
    assert_eq!(order.reserved, cents(BASIC_SHARE_NEW));
    // Issue 10: 999,999,999,999 cents, and one cent above the package, are refused and change
    // nothing; the refusal names the agreement's price.
    for price in [999_999_999_999, DELOITTE_NEW_PACKAGE + 1] {
        let err = w
            .assert_refused_without_trace(pid, w.s().firm_step(&deloitte, order.id, accept(price)))
            .await;
        let refused = refusal(err);
        assert_eq!(
            refused,
            Refusal::PriceAboveAgreement {
                price: cents(price),
                package_price: cents(DELOITTE_NEW_PACKAGE),
                agreement: NEW_AGREEMENT.into(),
            }
        );
        assert!(refused.message_nl().contains("€ 5.464,55"), "{}", refused.message_nl());
        assert_eq!(refused.rule(), Some("D7"));
    }
    // The package price itself, and less, are fine.
    let accepted = w.s().firm_step(&deloitte, order.id, accept(DELOITTE_NEW_PACKAGE)).await.unwrap();
    assert_eq!((accepted.state, accepted.reserved), (OrderState::Accepted, cents(BASIC_SHARE_NEW)));
    let other = offered_to_deloitte(&w, ANTWERPEN).await;
    let cheaper = w.s().firm_step(&deloitte, other.id, accept(500_000)).await.unwrap();
    // 2/3 of 500,000, rounded down; the rest of the reservation went back.
    assert_eq!(cheaper.reserved, cents(333_333));
    let accepted = details(
        w.order_events(order.id)
            .await
            .iter()
            .find(|e| e.action == "order.accepted")
            .unwrap(),
    );
    assert_eq!(accepted["package_price_cents"], DELOITTE_NEW_PACKAGE);
    assert_eq!(accepted["agreement"], NEW_AGREEMENT);
    w.assert_ledger_holds(pid).await;
});

story!(
    additional_work_above_the_estimate_waits_for_the_government_to_confirm,
    "2020-07-01T08:00:00Z",
    |w| {
        let pid = w.programme_id;
        let deloitte = w.actor("deloitte@firms.test").await;
        let gent = w.municipality(GENT).await;
        offered_to_deloitte(&w, GENT).await;
        let extra = w.s().submit_order(&gent, w.additional(pid, GENT, cents(300_000))).await.unwrap();
        assert_eq!(extra.reserved, cents(150_000));
        let available = w.status(pid).await.balances.available();

        // Issue 10: any quote is taken, but it reserves nothing more by itself.
        let quoted = w.s().firm_step(&deloitte, extra.id, accept(999_999_999_999)).await.unwrap();
        assert_eq!(quoted.state, OrderState::AwaitingPriceConfirmation);
        assert_eq!(quoted.price, Some(cents(999_999_999_999)));
        assert_eq!(quoted.reserved, cents(150_000));
        assert_eq!(w.status(pid).await.balances.available(), available);
        // The government is told by mail; no work starts meanwhile.
        let mail = w.s().outbox(&w.admin().await, 10).await.unwrap();
        assert!(
            mail.iter()
                .any(|m| m.to.as_str() == "44021@gemeente.test" && m.subject.contains(&format!("Bestelling {}", extra.id))),
            "{mail:?}"
        );
        assert!(!quoted.state.takes_results());
        let err = w.s().firm_step(&deloitte, extra.id, FirmStep::Deliver).await.unwrap_err();
        assert!(matches!(refusal(err), Refusal::InvalidTransition { .. }));
        // The next government's basic audit still gets its credit (issue 10).
        let brugge = offered_to_deloitte(&w, BRUGGE).await;
        assert_eq!((brugge.state, brugge.reserved), (OrderState::Offered, cents(BASIC_SHARE_NEW)));
        // Gent will not pay that: it cancels, and the reservation is released.
        w.s()
            .owner_step(
                &gent,
                extra.id,
                OwnerStep::Cancel {
                    reason: "Veel te duur.".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(w.order(extra.id).await.reserved, Money::ZERO);

        // A realistic quote: three days at Deloitte's day rate, EUR 3,630 against an estimate of
        // EUR 3,000. Confirmed, the reservation grows to half of it.
        let again = w.s().submit_order(&gent, w.additional(pid, GENT, cents(300_000))).await.unwrap();
        w.s().firm_step(&deloitte, again.id, accept(363_000)).await.unwrap();
        assert_eq!(w.order(again.id).await.reserved, cents(150_000));
        let confirmed = w.s().owner_step(&gent, again.id, OwnerStep::Confirm).await.unwrap();
        assert_eq!((confirmed.state, confirmed.reserved), (OrderState::Accepted, cents(181_500)));
        assert_eq!(
            w.actions(again.id).await,
            ["order.submitted", "order.offered", "order.quoted", "order.price_confirmed"]
        );
        // Below the estimate: accepted at once, the reservation follows the price.
        let lower = w.s().submit_order(&gent, w.additional(pid, GENT, cents(300_000))).await.unwrap();
        let lower = w.s().firm_step(&deloitte, lower.id, accept(240_000)).await.unwrap();
        assert_eq!((lower.state, lower.reserved), (OrderState::Accepted, cents(120_000)));
        w.assert_ledger_holds(pid).await;
    }
);

story!(
    a_confirmed_quote_beyond_the_available_credit_becomes_a_capped_share,
    "2020-07-01T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let deloitte = w.actor("deloitte@firms.test").await;
        let gent = w.municipality(GENT).await;
        let new = w.agreement(NEW_AGREEMENT).await;
        w.s().activate_agreement(&admin, new.id).await.unwrap();
        // Room for Gent's basic audit and 200,000 more.
        let pid = w
            .s()
            .create_programme(&admin, flemish_programme("Krap", BASIC_SHARE_NEW + 200_000))
            .await
            .unwrap()
            .programme
            .id;
        w.s().submit_order(&gent, w.basic(pid, GENT)).await.unwrap();
        let extra = w.s().submit_order(&gent, w.additional(pid, GENT, cents(300_000))).await.unwrap();
        assert_eq!(extra.reserved, cents(150_000));
        w.s().firm_step(&deloitte, extra.id, accept(600_000)).await.unwrap();
        // Half of 600,000 is 300,000; 150,000 is reserved and 50,000 more is available.
        let confirmed = w.s().owner_step(&gent, extra.id, OwnerStep::Confirm).await.unwrap();
        assert_eq!(confirmed.reserved, cents(200_000));
        assert_eq!(w.status(pid).await.balances.available(), Money::ZERO);
        let event = details(w.order_events(extra.id).await.last().unwrap());
        assert_eq!(
            (event["capped"].as_bool(), event["share_cents"].as_i64()),
            (Some(true), Some(300_000))
        );
        // Delivered and invoiced at the price, it pays the capped share, not the half.
        w.s().firm_step(&deloitte, extra.id, FirmStep::Deliver).await.unwrap();
        w.s()
            .firm_step(
                &deloitte,
                extra.id,
                FirmStep::Invoice {
                    invoice_number: "DEL-1".into(),
                    amount: cents(600_000),
                },
            )
            .await
            .unwrap();
        let preview = w.s().settlement(&admin, extra.id).await.unwrap();
        assert_eq!(
            (preview.settlement.due, preview.settlement.payment),
            (cents(300_000), cents(200_000))
        );
        assert!(
            preview
                .differences
                .contains(&cyberveilig_domain::credit::Difference::CappedByReservation)
        );
        let settled = w.s().settle_order(&admin, extra.id, Some(cents(200_000))).await.unwrap();
        assert_eq!(settled.paid, cents(200_000));
        w.assert_ledger_holds(pid).await;
    }
);

story!(
    an_invoice_is_at_most_the_price_and_settlement_names_its_payment,
    "2020-07-01T08:00:00Z",
    |w| {
        let pid = w.programme_id;
        let admin = w.admin().await;
        let deloitte = w.actor("deloitte@firms.test").await;
        let gent = w.municipality(GENT).await;
        let order = offered_to_deloitte(&w, GENT).await;
        // Issue 10: a EUR 5,464.54 order invoiced at EUR 90,000.
        w.s().firm_step(&deloitte, order.id, accept(546_454)).await.unwrap();
        w.deliver(&deloitte, order.id).await;
        w.hold_remediation_day(&deloitte, order.id, d(2020, 7, 1)).await.unwrap();
        let invoice = |amount: i64| FirmStep::Invoice {
            invoice_number: "DEL-2020-0777".into(),
            amount: cents(amount),
        };
        let err = w
            .assert_refused_without_trace(pid, w.s().firm_step(&deloitte, order.id, invoice(9_000_000)))
            .await;
        let refused = refusal(err);
        assert_eq!(refused.code(), "invoice_above_price");
        assert!(refused.message_en().contains("€5,464.54"), "{}", refused.message_en());
        w.s().firm_step(&deloitte, order.id, invoice(546_454)).await.unwrap();

        // The queue and the preview say what settling pays; only the administrator sees them.
        assert!(matches!(w.s().settlement(&gent, order.id).await, Err(ServiceError::Forbidden)));
        assert!(matches!(
            w.s().settlement_queue(&gent, None, 10).await,
            Err(ServiceError::Forbidden)
        ));
        let queue = w.s().settlement_queue(&admin, None, 10).await.unwrap();
        assert_eq!(queue.iter().map(|v| v.order.id).collect::<Vec<_>>(), [order.id]);
        let s = queue[0].settlement;
        assert_eq!(
            (s.accepted_price, s.invoiced, s.reserved, s.payment),
            (cents(546_454), cents(546_454), cents(364_302), cents(364_302))
        );
        assert_eq!(queue[0].terms.as_ref().map(|t| t.package_price), Some(cents(DELOITTE_NEW_PACKAGE)));
        assert_eq!(queue[0].differences, [cyberveilig_domain::credit::Difference::PriceBelowAgreement]);
        // Settling with another amount than the payment is refused, with the right one named.
        let err = w
            .assert_refused_without_trace(pid, w.s().settle_order(&admin, order.id, Some(cents(6_000_000))))
            .await;
        assert_eq!(
            refusal(err),
            Refusal::SettlementChanged {
                confirmed: cents(6_000_000),
                payment: cents(364_302)
            }
        );
        let settled = w.s().settle_order(&admin, order.id, Some(cents(364_302))).await.unwrap();
        assert_eq!((settled.state, settled.paid), (OrderState::Settled, cents(364_302)));
        assert!(w.s().settlement_queue(&admin, None, 10).await.unwrap().is_empty());
        w.assert_ledger_holds(pid).await;
    }
);

story!(
    a_basic_audit_is_delivered_with_its_assessment_complete_and_its_report,
    "2020-05-18T08:00:00Z",
    |w| {
        let pid = w.programme_id;
        let (gent, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
        let admin = w.admin().await;
        let deliver = || w.s().firm_step(&ey, order.id, FirmStep::Deliver);
        let baseline = w.s().baseline_catalogue(&ey).await.unwrap();
        let controls = baseline.controls.len() as u32;
        assert_eq!(controls, 32);
        let err = w.assert_refused_without_trace(pid, deliver()).await;
        assert_eq!(refusal(err), Refusal::AssessmentIncomplete { unrated: controls });
        // Every control but one rated: still refused, and it says how many are left.
        let ratings: Vec<RatingInput> = baseline
            .controls
            .iter()
            .skip(1)
            .map(|k| RatingInput {
                control: k.ref_id.clone(),
                rating: Some("not_applicable".into()),
                ..Default::default()
            })
            .collect();
        w.s().rate_controls(&ey, order.id, None, ratings).await.unwrap();
        let err = w.assert_refused_without_trace(pid, deliver()).await;
        assert_eq!(refusal(err), Refusal::AssessmentIncomplete { unrated: 1 });
        let first = RatingInput {
            control: baseline.controls[0].ref_id.clone(),
            rating: Some("not_compliant".into()),
            ..Default::default()
        };
        w.s().rate_controls(&ey, order.id, None, vec![first]).await.unwrap();
        let err = w.assert_refused_without_trace(pid, deliver()).await;
        assert_eq!(refusal(err), Refusal::AuditReportMissing);

        // The report is taken on its content: not an image called a PDF, not half a PDF.
        let pdf = cyberveilig_domain::document::simple_pdf(&["Auditrapport Gent"]);
        for (name, content) in [
            ("rapport.pdf", b"\x89PNG\r\n\x1a\n0000".to_vec()),
            ("rapport.pdf", pdf[..pdf.len() / 2].to_vec()),
            ("rapport.pdf", Vec::new()),
        ] {
            let entries = w.log_entries().await;
            let err = w.s().upload_audit_report(&ey, order.id, name, &content).await.unwrap_err();
            assert!(matches!(err, ServiceError::Invalid { field: "report", .. }), "{err:?}");
            assert_eq!(w.log_entries().await, entries);
        }
        // Only the firm of the order (or an administrator) uploads it; a stranger learns nothing.
        let deloitte = w.actor("deloitte@firms.test").await;
        let antwerpen = w.municipality(ANTWERPEN).await;
        assert!(matches!(
            w.s().upload_audit_report(&deloitte, order.id, "x.pdf", &pdf).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            w.s().upload_audit_report(&gent, order.id, "x.pdf", &pdf).await,
            Err(ServiceError::Forbidden)
        ));
        let report = w
            .s()
            .upload_audit_report(&ey, order.id, "../Auditrapport Gent.pdf", &pdf)
            .await
            .unwrap();
        assert_eq!(report.filename, "Auditrapport_Gent.pdf");
        assert_eq!(report.pdf_version, "1.4");
        let delivered = deliver().await.unwrap();
        assert_eq!(delivered.state, OrderState::Delivered);

        // The government, the firm and the administrator download it; nobody else finds it.
        for who in [&gent, &ey, &admin] {
            let (info, content) = w.s().audit_report_file(who, order.id, report.id).await.unwrap();
            assert_eq!((info.id, content), (report.id, pdf.clone()));
        }
        for who in [&antwerpen, &deloitte, &w.actor("student@howest.test").await] {
            assert!(matches!(
                w.s().audit_report_file(who, order.id, report.id).await,
                Err(ServiceError::NotFound(_))
            ));
        }
        assert!(matches!(
            w.s().audit_report_file(&gent, order.id, report.id + 1).await,
            Err(ServiceError::NotFound(_))
        ));
        // A second upload is kept beside the first; the newest is the order's report.
        let second = w.s().upload_audit_report(&ey, order.id, "v2.pdf", &pdf).await.unwrap();
        let reports = w.s().audit_reports(&gent, order.id).await.unwrap();
        assert_eq!(reports.reports.iter().map(|r| r.id).collect::<Vec<_>>(), [second.id, report.id]);
        assert!(!reports.may_upload, "the government does not upload");
        assert_eq!(check_delivery(OrderKind::Additional, 32, false), Ok(()));
    }
);

story!(
    the_administrator_finds_basic_audits_delivered_without_a_report,
    "2020-05-18T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let (_, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
        let (_, _, delivered) = w.basic_audit_accepted_by_ey(ANTWERPEN).await;
        w.deliver(&ey, delivered.id).await;
        // An order of the past: delivered before a report was required (written as an older
        // version of cyberveilig wrote it).
        {
            let mut tx = w.s().store.write().await.unwrap();
            let mut past = tx.order(order.id).await.unwrap().unwrap();
            past.state = OrderState::Delivered;
            past.delivered_on = Some(d(2020, 5, 18));
            tx.update_order(&past).await.unwrap();
            tx.commit().await.unwrap();
        }
        let filter = OrderFilter {
            delivered_without_report: true,
            limit: 100,
            ..Default::default()
        };
        let ids = |orders: Vec<cyberveilig_services::store::records::Order>| orders.into_iter().map(|o| o.id).collect::<Vec<_>>();
        assert_eq!(ids(w.s().orders(&admin, filter.clone()).await.unwrap()), [order.id]);
        // The firm attaches it afterwards: the order is no longer listed.
        let pdf = cyberveilig_domain::document::simple_pdf(&["Rapport"]);
        w.s().upload_audit_report(&ey, order.id, "laat.pdf", &pdf).await.unwrap();
        assert!(w.s().orders(&admin, filter).await.unwrap().is_empty());
    }
);

story!(
    the_remediation_day_waits_for_the_delivery_and_says_why,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
        let agenda = w.s().remediation_agenda(&ey, order.id, None).await.unwrap();
        assert!(!agenda.may_record && agenda.not_yet);
        let for_gent = w.s().remediation_agenda(&gent, order.id, None).await.unwrap();
        assert!(!for_gent.may_record && !for_gent.not_yet);
        let err = w.hold_remediation_day(&ey, order.id, d(2020, 5, 18)).await.unwrap_err();
        match err {
            ServiceError::Conflict {
                code: "results_not_delivered",
                message_nl,
                message_en,
            } => {
                assert!(
                    message_nl.contains("is aanvaard") && message_nl.contains("opgeleverd"),
                    "{message_nl}"
                );
                assert!(message_en.contains("is accepted"), "{message_en}");
            }
            other => panic!("{other:?}"),
        }
        w.deliver(&ey, order.id).await;
        let agenda = w.s().remediation_agenda(&ey, order.id, None).await.unwrap();
        assert!(agenda.may_record && !agenda.not_yet);
        let held = w.hold_remediation_day(&ey, order.id, d(2020, 5, 18)).await.unwrap();
        assert_eq!(held.state, OrderState::RemediationDayHeld);
    }
);
