//! Remediation: owners, bulk steps (all or nothing), the register's filters and order, the
//! programme's terms, the remediation day and the export of the plan.

use super::*;
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::severity::Severity;
use cyberveilig_services::remediation::StatusChange;
use cyberveilig_services::remediation::day::{ActionRecord, DayRecord};
use cyberveilig_services::remediation::export::ExportFormat;
use cyberveilig_services::store::records::RegisterEntry;
use cyberveilig_services::store::records::{NewPerson, RegisterQuery, RegisterSort};

/// Gent's basic audit, accepted by EY, with three findings on two hosts (no intelligence: all
/// Track, ordered by severity).
async fn gent_with_findings(w: &World) -> (Actor, Actor, i64) {
    let (gent, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
    let report = "title,severity,rule_id,ip,port,cve\n\
        =HYPERLINK(\"http://x\"),critical,RCE,192.0.2.40,443,CVE-2021-44228\n\
        Telnet open,high,TEL,192.0.2.41,23,\n\
        Old TLS,medium,TLS10,192.0.2.40,443,CVE-2011-3389\n";
    w.s()
        .import_report(&ey, order.id, std::io::Cursor::new(report.as_bytes().to_vec()))
        .await
        .unwrap();
    (gent, ey, order.id)
}

async fn register(w: &World, actor: &Actor, q: RegisterQuery) -> Vec<RegisterEntry> {
    let q = RegisterQuery { limit: 100, ..q };
    w.s().register(actor, q).await.unwrap().entries
}

fn titles(list: &[RegisterEntry]) -> Vec<&str> {
    list.iter().map(|e| e.finding.title.as_str()).collect()
}

fn step(status: &str, reason: Option<&str>, until: Option<chrono::NaiveDate>) -> StatusChange {
    StatusChange {
        status: status.into(),
        reason: reason.map(str::to_owned),
        until,
    }
}

story!(owners_bulk_steps_filters_and_the_programmes_terms, "2020-05-18T08:00:00Z", |w| {
    let (gent, ey, _) = gent_with_findings(&w).await;
    let antwerpen = w.municipality(ANTWERPEN).await;
    let all = register(&w, &gent, RegisterQuery::default()).await;
    assert_eq!(
        titles(&all),
        ["=HYPERLINK(\"http://x\")", "Telnet open", "Old TLS"],
        "priority order"
    );
    let (rce, telnet, tls) = (all[0].finding.id, all[1].finding.id, all[2].finding.id);
    assert_eq!(all[0].asset_name.as_deref(), Some("192.0.2.40"));

    // Filters and sort.
    let high = register(
        &w,
        &gent,
        RegisterQuery {
            severity: Some(Severity::High),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&high), ["Telnet open"]);
    let on_40 = register(
        &w,
        &gent,
        RegisterQuery {
            asset_id: all[0].finding.asset_id,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&on_40), ["=HYPERLINK(\"http://x\")", "Old TLS"]);
    let by_asset = register(
        &w,
        &gent,
        RegisterQuery {
            sort: RegisterSort::Asset,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(by_asset.last().unwrap().finding.title, "Telnet open");
    let first = w
        .s()
        .register(
            &gent,
            RegisterQuery {
                limit: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((first.entries.len(), first.total, first.total_exact), (2, 3, true));
    let page = w
        .s()
        .register(
            &gent,
            RegisterQuery {
                limit: 2,
                after: first.next.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((titles(&page.entries), page.total), (vec!["Old TLS"], 3));
    assert!(page.next.is_none(), "the last page has no next");
    assert!(
        register(&w, &antwerpen, RegisterQuery::default()).await.is_empty(),
        "another government sees none"
    );

    // An owner is a person of the government: Gent names a colleague; not Antwerpen's person.
    let colleague = {
        let mut tx = w.s().store.write().await.unwrap();
        let id = tx
            .insert_person(&NewPerson {
                organisation_id: gent.organisation_id,
                email: "ciso@gent.test".parse().unwrap(),
                name: "Griet Claes".into(),
                role: cyberveilig_domain::registry::Role::GovernmentMember,
                password_hash: String::new(),
                language: "nl".into(),
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id
    };
    let entry = w.s().set_finding_owner(&gent, rce, Some(colleague)).await.unwrap();
    assert_eq!(entry.owner_name.as_deref(), Some("Griet Claes"));
    let before = w.log_entries().await;
    assert!(matches!(
        w.s().set_finding_owner(&gent, telnet, Some(antwerpen.person_id)).await,
        Err(ServiceError::Conflict {
            code: "not_of_the_government",
            ..
        })
    ));
    assert!(matches!(
        w.s().set_finding_owner(&ey, telnet, Some(colleague)).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        w.s().set_finding_owner(&antwerpen, telnet, Some(antwerpen.person_id)).await,
        Err(ServiceError::NotFound(_))
    ));
    assert_eq!(w.log_entries().await, before, "refused owners leave no trace");
    w.s().set_finding_owner(&gent, telnet, Some(gent.person_id)).await.unwrap();
    let mine = register(
        &w,
        &gent,
        RegisterQuery {
            owner_id: Some(gent.person_id),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&mine), ["Telnet open"]);

    // A bulk step is all or nothing: one finding that cannot take it, and none changes.
    w.s().change_finding_status(&gent, rce, step("fixed", None, None)).await.unwrap();
    let before = w.log_entries().await;
    let refused = w
        .s()
        .change_findings_status(&gent, &[rce, telnet, tls], step("in_progress", None, None))
        .await
        .unwrap_err();
    match &refused {
        ServiceError::Conflict {
            code: "nothing_changed",
            message_en,
            message_nl,
        } => {
            assert!(message_en.contains(&format!("#{rce}: a finding that is fixed")), "{message_en}");
            assert!(!message_en.contains(&format!("#{telnet}:")), "{message_en}");
            assert!(message_nl.starts_with("er is niets gewijzigd: 1 van 3"), "{message_nl}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.log_entries().await, before);
    let statuses: Vec<String> = register(&w, &gent, RegisterQuery::default())
        .await
        .into_iter()
        .map(|e| e.finding.status.as_str().to_owned())
        .collect();
    assert_eq!(statuses, ["fixed", "open", "open"]);
    // Someone else's finding in the lot is refused as unknown, without saying whose it is.
    let foreign = w
        .s()
        .change_findings_status(&antwerpen, &[telnet], step("in_progress", None, None))
        .await;
    assert!(matches!(foreign, Err(ServiceError::NotFound(_))), "{foreign:?}");
    let mixed = w
        .s()
        .change_findings_status(&gent, &[telnet, 999_999], step("in_progress", None, None))
        .await;
    assert!(
        matches!(&mixed, Err(ServiceError::Conflict { code: "nothing_changed", message_en, .. }) if message_en.contains("#999999: no such finding")),
        "{mixed:?}"
    );
    assert!(matches!(
        w.s().change_findings_status(&gent, &[], step("in_progress", None, None)).await,
        Err(ServiceError::Invalid { field: "ids", .. })
    ));
    // An accepted risk in bulk needs its reason; then the register says who accepted it.
    assert!(
        w.s()
            .change_findings_status(&gent, &[telnet, tls], step("risk_accepted", None, Some(d(2020, 12, 31))))
            .await
            .is_err()
    );
    let changed = w
        .s()
        .change_findings_status(
            &gent,
            &[telnet, tls, telnet],
            step("risk_accepted", Some("Vervangen in 2021"), Some(d(2020, 12, 31))),
        )
        .await
        .unwrap();
    assert_eq!(changed.len(), 2);
    let accepted = register(
        &w,
        &gent,
        RegisterQuery {
            status: Some(FindingStatus::RiskAccepted),
            ..Default::default()
        },
    )
    .await;
    assert!(
        accepted
            .iter()
            .all(|e| e.status_by_name.is_some() && e.accepted_until == Some(d(2020, 12, 31)))
    );
    assert_eq!(accepted[0].status_reason.as_deref(), Some("Vervangen in 2021"));
    // The firm's re-test verifies the fix, in bulk too.
    w.s()
        .change_findings_status(&ey, &[rce], step("verified", None, None))
        .await
        .unwrap();

    // The terms are the programme's: Track shortened to 120 days; open findings follow.
    w.s()
        .change_findings_status(&gent, &[telnet], step("open", None, None))
        .await
        .unwrap();
    let admin = w.admin().await;
    let terms = |track| cyberveilig_domain::ssvc::RemediationTerms {
        track,
        ..Default::default()
    };
    let amend = |t| ProgrammeAmendment {
        remediation_terms: Some(t),
        reason: "Kortere termijnen.".into(),
        ..Default::default()
    };
    let err = w
        .assert_refused_without_trace(w.programme_id, w.s().amend_programme(&admin, w.programme_id, amend(terms(60))))
        .await;
    assert!(
        matches!(
            err,
            ServiceError::Invalid {
                field: "remediation_terms",
                ..
            }
        ),
        "Track* 90 > Track 60: {err:?}"
    );
    w.s().amend_programme(&admin, w.programme_id, amend(terms(120))).await.unwrap();
    assert_eq!(w.s().remediation_terms(w.programme_id).await.unwrap().track, 120);
    let open = register(
        &w,
        &gent,
        RegisterQuery {
            open_only: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&open), ["Telnet open"]);
    assert_eq!(open[0].finding.due_on, Some(d(2020, 5, 18) + chrono::Days::new(120)));
    let accepted = register(
        &w,
        &gent,
        RegisterQuery {
            status: Some(FindingStatus::RiskAccepted),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        accepted[0].finding.due_on,
        Some(d(2020, 5, 18) + chrono::Days::new(180)),
        "only open findings"
    );

    // Overdue: past 120 days, the open finding stands out.
    let overdue = |on| RegisterQuery {
        overdue_on: Some(on),
        ..Default::default()
    };
    assert!(register(&w, &gent, overdue(d(2020, 9, 15))).await.is_empty());
    assert_eq!(titles(&register(&w, &gent, overdue(d(2020, 9, 16))).await), ["Telnet open"]);
    // Counted too: overdue findings are counted along the deadline order, up to the day.
    for (on, n) in [(d(2020, 9, 15), 0), (d(2020, 9, 16), 1), (d(2021, 9, 16), 1)] {
        let page = w.s().register(&gent, RegisterQuery { limit: 100, ..overdue(on) }).await.unwrap();
        assert_eq!(
            (page.total, page.total_exact),
            (n, true),
            "overdue on {on} (an accepted risk never is)"
        );
    }
    let assets = w.s().asset_summaries(&gent, gent.organisation_id).await.unwrap();
    assert_eq!(
        assets.iter().map(|a| (a.asset.name.as_str(), a.open, a.total)).collect::<Vec<_>>(),
        [("192.0.2.41", 1, 1), ("192.0.2.40", 0, 2)]
    );
    assert!(matches!(
        w.s().asset_summaries(&antwerpen, gent.organisation_id).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(w.s().verify_audit_log().await.unwrap(), ChainReport::Intact { .. }));
});

story!(
    the_remediation_day_follows_its_agenda_and_the_plan_is_exported,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, ey, order_id) = gent_with_findings(&w).await;
        let antwerpen = w.municipality(ANTWERPEN).await;
        let deloitte = w.actor("deloitte@firms.test").await;
        // The agenda: the top of the open findings in priority order, as the register has them.
        let agenda = w.s().remediation_agenda(&gent, order_id, Some(2)).await.unwrap();
        let top = w
            .s()
            .register(
                &gent,
                RegisterQuery {
                    open_only: true,
                    limit: 2,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .entries;
        assert_eq!(titles(&agenda.items), titles(&top));
        assert_eq!(agenda.items.len(), 2);
        assert!(
            agenda.record.is_none() && !agenda.may_record,
            "not before the results are delivered"
        );
        for other in [&antwerpen, &deloitte] {
            assert!(matches!(
                w.s().remediation_agenda(other, order_id, None).await,
                Err(ServiceError::NotFound(_))
            ));
        }
        assert!(matches!(
            w.s().remediation_agenda(&gent, order_id, Some(0)).await,
            Err(ServiceError::Invalid { field: "size", .. })
        ));
        let (a, b) = (agenda.items[0].finding.id, agenda.items[1].finding.id);
        let record = |people: Vec<i64>, held_on| DayRecord {
            held_on: Some(held_on),
            attendees: "Jan Peeters (IT-verantwoordelijke)".into(),
            people,
            actions: vec![
                ActionRecord {
                    finding_id: a,
                    started: true,
                    note: "Patch gepland".into(),
                    start_work: true,
                    owner_id: Some(gent.person_id),
                },
                ActionRecord {
                    finding_id: b,
                    started: false,
                    ..Default::default()
                },
            ],
        };
        assert!(matches!(
            w.s()
                .record_remediation_day(&ey, order_id, record(vec![gent.person_id], d(2020, 5, 18)))
                .await,
            Err(ServiceError::Conflict {
                code: "results_not_delivered",
                ..
            })
        ));
        w.deliver(&ey, order_id).await;
        w.advance_to("2020-05-20T15:00:00Z").await;
        assert!(matches!(
            w.s().record_remediation_day(&gent, order_id, record(vec![], d(2020, 5, 20))).await,
            Err(ServiceError::Forbidden)
        ));
        // Antwerpen's person did not attend Gent's day: refused, and nothing written.
        let before = w.log_entries().await;
        let err = w
            .s()
            .record_remediation_day(&ey, order_id, record(vec![antwerpen.person_id], d(2020, 5, 20)))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                ServiceError::Conflict {
                    code: "not_of_the_government",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(w.log_entries().await, before);
        assert!(w.s().remediation_agenda(&gent, order_id, None).await.unwrap().record.is_none());
        assert!(matches!(
            w.s().record_remediation_day(&ey, order_id, record(vec![], d(2020, 5, 21))).await,
            Err(ServiceError::Conflict {
                code: "outside_the_order",
                ..
            })
        ));

        let day = w
            .s()
            .record_remediation_day(&ey, order_id, record(vec![gent.person_id], d(2020, 5, 20)))
            .await
            .unwrap();
        assert_eq!(day.people.len(), 1);
        assert_eq!(w.order(order_id).await.state, OrderState::RemediationDayHeld);
        let view = w.s().finding(&gent, a).await.unwrap();
        assert_eq!(
            (view.finding.status.as_str(), view.entry.owner_id),
            ("in_progress", Some(gent.person_id))
        );
        assert_eq!(w.s().finding(&gent, b).await.unwrap().finding.status.as_str(), "open");
        // Everyone of the order sees what was recorded: the agenda is now the recorded one.
        for who in [&gent, &ey, &w.admin().await] {
            let seen = w.s().remediation_agenda(who, order_id, Some(1)).await.unwrap();
            let record = seen.record.expect("recorded");
            assert_eq!(
                (record.held_on, record.actions.len(), record.actions[0].started),
                (d(2020, 5, 20), 2, true)
            );
            assert_eq!(seen.items.iter().map(|e| e.finding.id).collect::<Vec<_>>(), [a, b]);
        }
        // Recorded anew on another day than the order's: refused.
        assert!(matches!(
            w.s().record_remediation_day(&ey, order_id, record(vec![], d(2020, 5, 19))).await,
            Err(ServiceError::Conflict { code: "day_recorded", .. })
        ));
        let actions = w.actions(order_id).await;
        assert!(
            actions.contains(&"order.remediation_day_recorded".to_owned()) && actions.contains(&"order.remediation_day_held".to_owned())
        );

        // The plan: the register's findings in its order, with owner and deadline.
        let plan = w
            .s()
            .export_plan(&gent, RegisterQuery::default(), ExportFormat::Csv, false)
            .await
            .unwrap();
        assert_eq!(plan.content_type, "text/csv; charset=utf-8");
        assert_eq!(plan.filename, "remediation-plan-2020-05-20.csv");
        let bytes = plan.bytes().await.unwrap();
        let mut csv = csv::Reader::from_reader(&bytes[3..]);
        let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].get(1), Some("'=HYPERLINK(\"http://x\")"), "escaped");
        assert_eq!(rows[0].get(7), Some(gent_name(&w, &gent).await.as_str()));
        assert_eq!(
            rows.iter().map(|r| r[0].parse::<i64>().unwrap()).collect::<Vec<_>>(),
            register(&w, &gent, RegisterQuery::default())
                .await
                .iter()
                .map(|e| e.finding.id)
                .collect::<Vec<_>>()
        );
        let xlsx = w
            .s()
            .export_plan(
                &gent,
                RegisterQuery {
                    open_only: true,
                    ..Default::default()
                },
                ExportFormat::Xlsx,
                true,
            )
            .await
            .unwrap();
        let xlsx = xlsx.bytes().await.unwrap();
        assert!(xlsx.starts_with(b"PK"), "a zip");
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
        assert_eq!(book.worksheet_range("Remediatieplan").unwrap().get_size(), (4, 11));
        assert_eq!(
            w.s()
                .export_plan(&antwerpen, RegisterQuery::default(), ExportFormat::Csv, true)
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .split(|b| *b == b'\n')
                .filter(|line| !line.is_empty())
                .count(),
            1,
            "the header alone"
        );
        assert!(matches!(
            w.s()
                .export_plan(&w.actor("vvsg@vvsg.test").await, RegisterQuery::default(), ExportFormat::Csv, true)
                .await,
            Err(ServiceError::Forbidden)
        ));
    }
);

async fn gent_name(w: &World, gent: &Actor) -> String {
    let mut tx = w.s().store.read().await.unwrap();
    tx.person(gent.person_id).await.unwrap().unwrap().name
}

/// A scan of `n` findings on 6 hosts with severities, CVSS scores (some none) and CVEs spread
/// so that every sort has ties to break.
fn varied_scan(n: usize, tag: &str) -> Vec<u8> {
    let severities = ["critical", "high", "medium", "low", "high", "medium", "low"];
    let mut csv = String::from("title,severity,rule_id,host,port,cvss_score,cve\n");
    for i in 0..n {
        let score = if i % 5 == 0 {
            String::new()
        } else {
            format!("{}.{}", (i * 7) % 10, (i * 3) % 10)
        };
        let cve = if i % 4 == 0 {
            format!("CVE-2021-{}", 40000 + i % 3)
        } else {
            String::new()
        };
        csv.push_str(&format!(
            "Finding {tag} {i},{},R{},h{}.{tag}.test,{},{score},{cve}\n",
            severities[i % severities.len()],
            i % 9,
            i % 6,
            1000 + i % 11
        ));
    }
    csv.into_bytes()
}

/// The documented order of each sort, computed here from the findings themselves.
fn sorted_as_documented(mut list: Vec<RegisterEntry>, sort: RegisterSort) -> Vec<i64> {
    use cyberveilig_domain::ssvc::Decision;
    let decision = |e: &RegisterEntry| {
        e.finding
            .decision
            .map_or(0, |d| Decision::ALL.iter().position(|x| *x == d).unwrap() + 1)
    };
    let cvss = |e: &RegisterEntry| e.finding.cvss_score.map_or(-1, |s| (s * 10.0).round() as i64);
    let priority = |e: &RegisterEntry| {
        (
            std::cmp::Reverse(decision(e)),
            std::cmp::Reverse(e.finding.severity.rank()),
            std::cmp::Reverse(cvss(e)),
        )
    };
    list.sort_by(|a, b| {
        let by = match sort {
            RegisterSort::Priority => std::cmp::Ordering::Equal,
            RegisterSort::Severity => (b.finding.severity.rank(), cvss(b)).cmp(&(a.finding.severity.rank(), cvss(a))),
            RegisterSort::DueDate => (a.finding.due_on.is_none(), a.finding.due_on).cmp(&(b.finding.due_on.is_none(), b.finding.due_on)),
            RegisterSort::LastSeen => b.finding.last_seen.timestamp().cmp(&a.finding.last_seen.timestamp()),
            RegisterSort::Asset => (a.asset_name.is_none(), &a.asset_name).cmp(&(b.asset_name.is_none(), &b.asset_name)),
        };
        by.then_with(|| priority(a).cmp(&priority(b))).then(a.finding.id.cmp(&b.finding.id))
    });
    list.into_iter().map(|e| e.finding.id).collect()
}

story!(
    the_register_pages_after_its_last_row_in_every_sort_and_counts_without_reading_it,
    "2020-05-18T08:00:00Z",
    |w| {
        let (gent, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
        w.s()
            .import_report(&ey, order.id, std::io::Cursor::new(varied_scan(61, "a")))
            .await
            .unwrap();
        // A later scan: some findings seen again (a later last-seen), some fixed, some new.
        w.advance_days(1).await;
        w.s()
            .import_report(&ey, order.id, std::io::Cursor::new(varied_scan(40, "a")))
            .await
            .unwrap();
        w.s()
            .import_report(&ey, order.id, std::io::Cursor::new(varied_scan(17, "b")))
            .await
            .unwrap();
        // Remediation steps move findings between the counted groups.
        let all = register(
            &w,
            &gent,
            RegisterQuery {
                limit: 500,
                open_only: true,
                ..Default::default()
            },
        )
        .await;
        let ids: Vec<i64> = all.iter().take(6).map(|e| e.finding.id).collect();
        w.s()
            .change_findings_status(&gent, &ids, step("in_progress", None, None))
            .await
            .unwrap();
        w.s()
            .change_findings_status(&gent, &ids[..2], step("false_positive", Some("a lab host"), None))
            .await
            .unwrap();

        let queries = [
            RegisterQuery::default(),
            RegisterQuery {
                status: Some(FindingStatus::Fixed),
                ..Default::default()
            },
            RegisterQuery {
                severity: Some(Severity::High),
                ..Default::default()
            },
            RegisterQuery {
                open_only: true,
                ..Default::default()
            },
            RegisterQuery {
                order_id: Some(order.id),
                status: Some(FindingStatus::InProgress),
                ..Default::default()
            },
            RegisterQuery {
                asset_id: all[3].finding.asset_id,
                ..Default::default()
            },
        ];
        for base in queries {
            for sort in RegisterSort::ALL {
                let q = RegisterQuery { sort, ..base.clone() };
                let whole = w.s().register(&gent, RegisterQuery { limit: 500, ..q.clone() }).await.unwrap();
                assert!(whole.next.is_none());
                assert_eq!(
                    (whole.total, whole.total_exact),
                    (whole.entries.len() as i64, true),
                    "{q:?}: the count is the rows'"
                );
                let ids: Vec<i64> = whole.entries.iter().map(|e| e.finding.id).collect();
                assert_eq!(
                    ids,
                    sorted_as_documented(whole.entries.clone(), sort),
                    "{q:?}: the documented order"
                );
                // Page by page, each after the last row of the one before: the same rows, once each.
                let mut walked = Vec::new();
                let mut after = None;
                loop {
                    let page = w
                        .s()
                        .register(
                            &gent,
                            RegisterQuery {
                                limit: 7,
                                after: after.clone(),
                                ..q.clone()
                            },
                        )
                        .await
                        .unwrap();
                    assert_eq!(page.total, whole.total);
                    walked.extend(page.entries.iter().map(|e| e.finding.id));
                    match page.next {
                        Some(next) => after = Some(next),
                        None => break,
                    }
                }
                assert_eq!(walked, ids, "{q:?}: the pages hold the whole list in order");
            }
        }
        // The tallies agree with the register after every kind of change: counted per status.
        for status in FindingStatus::ALL {
            let q = RegisterQuery {
                status: Some(status),
                limit: 500,
                ..Default::default()
            };
            let page = w.s().register(&gent, q).await.unwrap();
            assert_eq!(page.total, page.entries.len() as i64, "{status:?}");
        }
    }
);
