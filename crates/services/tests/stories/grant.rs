//! VVSG's grant (GR-1..GR-9): the workspace is VVSG's and the administrator's; claims are for
//! costs made within the grant, with a PDF; the administrator approves (reserving on the grant's
//! ledger, never beyond the grant or the work package's budget) or rejects with a reason, and
//! pays; progress is reported once per half-year that has ended.

use super::*;
use cyberveilig_domain::document::simple_pdf;
use cyberveilig_domain::grant::{ClaimState, PlanStatus};
use cyberveilig_services::grant::{ClaimInput, DeliverableInput, PlanItemInput};
use cyberveilig_services::store::records::ClaimFilter;

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

fn claim(work_package: u32, from: (i32, u32, u32), until: (i32, u32, u32), amount: i64) -> ClaimInput {
    ClaimInput {
        work_package,
        costs_from: d(from.0, from.1, from.2),
        costs_until: d(until.0, until.1, until.2),
        amount: cents(amount),
        description: "Personeelskosten projectmedewerker".into(),
    }
}

fn pdf() -> Vec<u8> {
    simple_pdf(&["Schuldvordering", "Bedrag"])
}

async fn grant_id(w: &World) -> i64 {
    w.s().grants().await.unwrap()[0].id
}

story!(vvsg_claims_costs_and_the_administrator_pays_them, "2021-06-15T08:00:00Z", |w| {
    let admin = w.admin().await;
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let gent = w.municipality(GENT).await;
    let ey = w.actor("ey@firms.test").await;
    let id = grant_id(&w).await;

    // GR-1: the workspace is VVSG's and the administrator's; nobody else sees it.
    let view = w.s().grant_workspace(&vvsg, id).await.unwrap();
    assert!(view.may_work && !view.may_supervise);
    assert_eq!(view.balances.budget, cents(17_954_127));
    assert_eq!(view.periods.len(), 4);
    let view = w.s().grant_workspace(&admin, id).await.unwrap();
    assert!(!view.may_work && view.may_supervise);
    for stranger in [&gent, &ey] {
        assert!(matches!(w.s().grant_workspace(stranger, id).await, Err(ServiceError::NotFound(_))));
        assert!(matches!(
            w.s()
                .submit_claim(stranger, id, claim(1, (2020, 5, 1), (2020, 10, 31), 100), "x.pdf", &pdf())
                .await,
            Err(ServiceError::NotFound(_))
        ));
    }
    assert!(matches!(
        w.s()
            .submit_claim(&admin, id, claim(1, (2020, 5, 1), (2020, 10, 31), 100), "x.pdf", &pdf())
            .await,
        Err(ServiceError::Forbidden)
    ));

    // GR-2: costs made within the grant, already made, of a work package, with a PDF.
    let refused = [
        (claim(1, (2020, 4, 1), (2020, 10, 31), 10000), pdf(), "costs_from"),
        (claim(1, (2021, 5, 1), (2021, 6, 30), 10000), pdf(), "costs_until"),
        (claim(1, (2020, 10, 1), (2020, 9, 1), 10000), pdf(), "costs_until"),
        (claim(4, (2020, 5, 1), (2020, 10, 31), 10000), pdf(), "work_package"),
        (claim(1, (2020, 5, 1), (2020, 10, 31), 0), pdf(), "amount"),
        (claim(1, (2020, 5, 1), (2020, 10, 31), 17_954_128), pdf(), "amount"),
        (
            claim(1, (2020, 5, 1), (2020, 10, 31), 10000),
            b"<html>not a pdf</html>".to_vec(),
            "document",
        ),
        (claim(1, (2020, 5, 1), (2020, 10, 31), 10000), Vec::new(), "document"),
    ];
    for (input, document, field) in refused {
        let err = w.s().submit_claim(&vvsg, id, input, "kosten.pdf", &document).await.unwrap_err();
        assert_eq!(code_of(err), field);
    }
    let mut blank = claim(1, (2020, 5, 1), (2020, 10, 31), 10000);
    blank.description = " ".into();
    assert_eq!(
        code_of(w.s().submit_claim(&vvsg, id, blank, "k.pdf", &pdf()).await.unwrap_err()),
        "description"
    );
    let listed = |who: Actor| {
        let s = w.s().clone();
        async move {
            s.grant_claims(
                &who,
                id,
                ClaimFilter {
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
        }
    };
    assert!(listed(admin.clone()).await.is_empty(), "nothing refused was written");

    let first = w
        .s()
        .submit_claim(
            &vvsg,
            id,
            claim(1, (2020, 5, 1), (2020, 10, 31), 2485000),
            "schuldvordering",
            &pdf(),
        )
        .await
        .unwrap();
    assert_eq!(
        (first.state, first.document_name.as_str()),
        (ClaimState::Submitted, "schuldvordering.pdf")
    );
    let second = w
        .s()
        .submit_claim(&vvsg, id, claim(3, (2020, 11, 1), (2021, 4, 30), 1240000), "wp3.pdf", &pdf())
        .await
        .unwrap();
    let (_, content) = w.s().claim_document(&admin, id, first.id).await.unwrap();
    assert!(content.starts_with(b"%PDF-"));
    assert!(matches!(
        w.s().claim_document(&gent, id, first.id).await,
        Err(ServiceError::NotFound(_))
    ));

    // GR-3: the administrator decides; VVSG does not decide on its own claims.
    assert!(matches!(
        w.s().decide_claim(&vvsg, id, first.id, true, "").await,
        Err(ServiceError::Forbidden)
    ));
    assert_eq!(
        code_of(w.s().decide_claim(&admin, id, second.id, false, "  ").await.unwrap_err()),
        "reason"
    );
    let rejected = w
        .s()
        .decide_claim(&admin, id, second.id, false, "Het bewijsstuk vermeldt geen bedragen per post.")
        .await
        .unwrap();
    assert_eq!(rejected.state, ClaimState::Rejected);
    assert_eq!(
        code_of(w.s().decide_claim(&admin, id, second.id, true, "").await.unwrap_err()),
        "claim_decided"
    );

    // GR-5: only an approved claim is paid.
    assert_eq!(
        code_of(w.s().pay_claim(&admin, id, first.id, d(2021, 6, 1), "").await.unwrap_err()),
        "claim_not_approved"
    );
    let approved = w.s().decide_claim(&admin, id, first.id, true, "").await.unwrap();
    assert_eq!(approved.state, ClaimState::Approved);
    let view = w.s().grant_workspace(&vvsg, id).await.unwrap();
    assert_eq!(view.balances.reserved, cents(2485000));
    assert_eq!(view.packages[0].sums.approved, cents(2485000));
    assert_eq!(view.packages[2].sums.rejected, cents(1240000));
    assert_eq!(view.claimed(), cents(2485000), "a rejected claim is not claimed");
    assert_eq!(
        code_of(w.s().pay_claim(&admin, id, first.id, d(2021, 6, 16), "").await.unwrap_err()),
        "paid_on"
    );
    let paid = w
        .s()
        .pay_claim(&admin, id, first.id, d(2021, 6, 14), "ABB-2021-0042")
        .await
        .unwrap();
    assert_eq!((paid.state, paid.paid_on), (ClaimState::Paid, Some(d(2021, 6, 14))));
    let view = w.s().grant_workspace(&admin, id).await.unwrap();
    assert_eq!((view.balances.reserved, view.balances.paid), (Money::ZERO, cents(2485000)));
    assert_eq!(view.balances.available(), cents(17_954_127 - 2485000));
    assert!(w.s().grant_ledger_holds(&admin, id).await.unwrap());
    assert_eq!(listed(vvsg.clone()).await.len(), 2);
});

story!(work_package_budgets_bound_what_is_approved, "2021-06-15T08:00:00Z", |w| {
    let admin = w.admin().await;
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let id = grant_id(&w).await;
    assert!(matches!(
        w.s().set_package_budget(&vvsg, id, 1, cents(1)).await,
        Err(ServiceError::Forbidden)
    ));
    w.s().set_package_budget(&admin, id, 1, cents(9500000)).await.unwrap();
    w.s().set_package_budget(&admin, id, 2, cents(3000000)).await.unwrap();
    assert_eq!(
        code_of(w.s().set_package_budget(&admin, id, 3, cents(5454128)).await.unwrap_err()),
        "budget"
    );
    let view = w.s().set_package_budget(&admin, id, 3, cents(5454127)).await.unwrap();
    assert_eq!(view.packages[2].remaining(), Some(cents(5454127)));

    let a = w
        .s()
        .submit_claim(&vvsg, id, claim(2, (2020, 5, 1), (2020, 10, 31), 2000000), "a.pdf", &pdf())
        .await
        .unwrap();
    let b = w
        .s()
        .submit_claim(&vvsg, id, claim(2, (2020, 11, 1), (2021, 4, 30), 1000001), "b.pdf", &pdf())
        .await
        .unwrap();
    w.s().decide_claim(&admin, id, a.id, true, "").await.unwrap();
    assert_eq!(
        code_of(w.s().decide_claim(&admin, id, b.id, true, "").await.unwrap_err()),
        "work_package_exhausted"
    );
    // A budget never drops below what its claims hold.
    assert_eq!(
        code_of(w.s().set_package_budget(&admin, id, 2, cents(1999999)).await.unwrap_err()),
        "budget_below_committed"
    );
    w.s().set_package_budget(&admin, id, 2, cents(3000001)).await.unwrap_err();
    let view = w.s().set_package_budget(&admin, id, 1, cents(9499999)).await.unwrap();
    assert_eq!(view.packages[0].budget, Some(cents(9499999)));
    w.s().set_package_budget(&admin, id, 2, cents(3000001)).await.unwrap();
    w.s().decide_claim(&admin, id, b.id, true, "").await.unwrap();
    let view = w.s().grant_workspace(&admin, id).await.unwrap();
    assert_eq!(view.packages[1].remaining(), Some(Money::ZERO));
});

story!(sixteen_approvals_at_once_never_overspend_the_grant, "2021-06-15T08:00:00Z", |w| {
    let admin = w.admin().await;
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let id = grant_id(&w).await;
    let mut claims = Vec::new();
    for n in 0..16u32 {
        let input = claim(1 + n % 3, (2020, 5, 1), (2021, 4, 30), 2000000);
        claims.push(w.s().submit_claim(&vvsg, id, input, "c.pdf", &pdf()).await.unwrap().id);
    }
    let tasks: Vec<_> = claims
        .into_iter()
        .map(|claim_id| {
            let services = w.s().clone();
            let admin = admin.clone();
            tokio::spawn(async move { services.decide_claim(&admin, id, claim_id, true, "").await })
        })
        .collect();
    let (mut approved, mut exhausted) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(c) => {
                assert_eq!(c.state, ClaimState::Approved);
                approved += 1;
            }
            Err(e) => {
                assert_eq!(code_of(e), "grant_exhausted");
                exhausted += 1;
            }
        }
    }
    // 8 x EUR 20,000 fits in EUR 179,541.27; a ninth does not.
    assert_eq!((approved, exhausted), (8, 8));
    let view = w.s().grant_workspace(&admin, id).await.unwrap();
    assert_eq!(view.balances.reserved, cents(16000000));
    assert!(view.balances.holds());
    assert!(w.s().grant_ledger_holds(&admin, id).await.unwrap());
});

story!(
    progress_is_reported_once_per_half_year_that_has_ended,
    "2021-06-15T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let gent = w.municipality(GENT).await;
        let id = grant_id(&w).await;
        let text = "## Voortgang\n\nDe toolkit groeit.";
        assert_eq!(
            code_of(w.s().submit_progress_report(&vvsg, id, d(2021, 5, 1), text).await.unwrap_err()),
            "period_not_over"
        );
        assert_eq!(
            code_of(w.s().submit_progress_report(&vvsg, id, d(2020, 5, 2), text).await.unwrap_err()),
            "period_from"
        );
        assert_eq!(
            code_of(w.s().submit_progress_report(&vvsg, id, d(2020, 11, 1), " ").await.unwrap_err()),
            "text"
        );
        assert!(matches!(
            w.s().submit_progress_report(&gent, id, d(2020, 11, 1), text).await,
            Err(ServiceError::NotFound(_))
        ));

        // The figures are the platform's, fixed at submission.
        w.s()
            .add_deliverable(
                &vvsg,
                id,
                DeliverableInput {
                    work_package: 1,
                    title: "Zelfevaluatie".into(),
                    planned_on: d(2020, 12, 15),
                    done_on: Some(d(2020, 12, 10)),
                    event_id: None,
                    toolkit_item_id: None,
                },
            )
            .await
            .unwrap();
        let report = w.s().submit_progress_report(&vvsg, id, d(2020, 11, 1), text).await.unwrap();
        assert_eq!((report.period_from, report.period_until), (d(2020, 11, 1), d(2021, 4, 30)));
        let figures = cyberveilig_services::grant::kept_figures(&report);
        assert_eq!((figures.deliverables_done, figures.deliverables_planned), (1, 1));
        assert_eq!(
            code_of(w.s().submit_progress_report(&vvsg, id, d(2020, 11, 1), text).await.unwrap_err()),
            "report_exists"
        );

        // GR-8: the administrator reviews it, once.
        assert!(matches!(
            w.s().review_progress_report(&vvsg, id, report.id, "").await,
            Err(ServiceError::Forbidden)
        ));
        let reviewed = w.s().review_progress_report(&admin, id, report.id, "Goed.").await.unwrap();
        assert!(reviewed.reviewed_at.is_some());
        assert_eq!(
            code_of(w.s().review_progress_report(&admin, id, report.id, "").await.unwrap_err()),
            "report_reviewed"
        );
        let view = w.s().grant_workspace(&admin, id).await.unwrap();
        assert!(view.periods[1].report.is_some() && view.periods[1].ended);
        assert!(view.periods[0].report.is_none() && !view.periods[2].ended);
    }
);

story!(deliverables_and_the_action_plan_are_vvsgs, "2021-06-15T08:00:00Z", |w| {
    let admin = w.admin().await;
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let gent = w.municipality(GENT).await;
    let id = grant_id(&w).await;
    let deliverable = |work_package, done_on| DeliverableInput {
        work_package,
        title: "Playbook ransomware".into(),
        planned_on: d(2021, 9, 30),
        done_on,
        event_id: None,
        toolkit_item_id: None,
    };
    assert_eq!(
        code_of(w.s().add_deliverable(&vvsg, id, deliverable(5, None)).await.unwrap_err()),
        "work_package"
    );
    assert_eq!(
        code_of(
            w.s()
                .add_deliverable(&vvsg, id, deliverable(1, Some(d(2021, 6, 16))))
                .await
                .unwrap_err()
        ),
        "done_on"
    );
    let mut linked = deliverable(3, None);
    linked.event_id = Some(9_999);
    assert_eq!(code_of(w.s().add_deliverable(&vvsg, id, linked).await.unwrap_err()), "event_id");
    assert!(matches!(
        w.s().add_deliverable(&admin, id, deliverable(1, None)).await,
        Err(ServiceError::Forbidden)
    ));
    let made = w.s().add_deliverable(&vvsg, id, deliverable(1, None)).await.unwrap();
    let done = w
        .s()
        .change_deliverable(&vvsg, id, made.id, deliverable(1, Some(d(2021, 6, 15))))
        .await
        .unwrap();
    assert_eq!(done.done_on, Some(d(2021, 6, 15)));

    let item = |owner_id| PlanItemInput {
        work_package: Some(1),
        title: "Toolkit publiceren".into(),
        owner_id,
        status: PlanStatus::Planned,
        due_on: d(2021, 9, 30),
    };
    assert_eq!(
        code_of(w.s().add_plan_item(&vvsg, id, item(gent.person_id)).await.unwrap_err()),
        "owner_id"
    );
    let planned = w.s().add_plan_item(&vvsg, id, item(vvsg.person_id)).await.unwrap();
    let mut moved = item(vvsg.person_id);
    moved.status = PlanStatus::InProgress;
    let moved = w.s().change_plan_item(&vvsg, id, planned.id, moved).await.unwrap();
    assert_eq!(moved.status, PlanStatus::InProgress);
    let view = w.s().grant_workspace(&admin, id).await.unwrap();
    assert_eq!((view.deliverables.len(), view.plan.len()), (1, 1));
    assert!(matches!(w.s().plan_items_of(&gent, id).await, Err(ServiceError::NotFound(_))));
});
