//! What an attacker and a crash found (issue 10), as stories on both databases: the remediation
//! day's agenda leaked findings to firms; a firm could tell an order of another firm from no
//! order at all.

use super::*;
use cyberveilig_services::engagements::{EngagementTerms, TeamFinding};
use cyberveilig_services::remediation::day::{ActionRecord, DayRecord};
use cyberveilig_services::reports::{Access, ReportChange, ReportInput};
use cyberveilig_services::store::records::RegisterQuery;
use cyberveilig_services::{AccountPolicy, Services};

const KORTRIJK: &str = "34022";

/// Kortrijk with findings of every origin: EY's basic audit (an import), a vulnerability report
/// made a finding (under EY's order, the latest accepted then), the Howest team's engagement
/// finding (no order), and Deloitte's additional work (an import EY must not see).
/// Returns Kortrijk's member, EY, Deloitte, EY's basic order and Deloitte's additional order.
async fn kortrijk_with_findings_of_every_origin(w: &World) -> (Actor, Actor, Actor, i64, i64) {
    let (kortrijk, ey, basic) = w.basic_audit_accepted_by_ey(KORTRIJK).await;
    let deloitte = w.actor("deloitte@firms.test").await;
    let scan = "title,severity,rule_id,ip,port\n\
        EY: Telnet open,high,TEL,192.0.2.61,23\n\
        EY: Old TLS,medium,TLS10,192.0.2.62,443\n";
    w.s()
        .import_report(&ey, basic.id, std::io::Cursor::new(scan.as_bytes().to_vec()))
        .await
        .unwrap();

    // A report by a citizen about a scanned host, made a finding by Kortrijk.
    let submitted = w
        .s()
        .submit_report(
            None,
            ReportInput {
                government_nis: KORTRIJK.into(),
                target: "http://192.0.2.61/login".into(),
                cwe: "CWE-79".into(),
                title: "Report: XSS on the login".into(),
                description: "d".into(),
                steps: "s".into(),
                impact: "i".into(),
                ..ReportInput::default()
            },
        )
        .await
        .unwrap();
    let gov = Access::Person(&kortrijk);
    let step = |state: &str, outcome: Option<&str>| ReportChange {
        state: state.into(),
        outcome: outcome.map(str::to_owned),
        ..ReportChange::default()
    };
    w.s()
        .change_report(gov, submitted.report.id, step("acknowledged", None))
        .await
        .unwrap();
    w.s()
        .change_report(gov, submitted.report.id, step("triaged", Some("valid")))
        .await
        .unwrap();
    w.s().make_finding(&kortrijk, submitted.report.id).await.unwrap();

    // The Howest team's finding, under an engagement Kortrijk's signatory accepted.
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let student = w.actor("student@howest.test").await;
    let signatory = w.actor("directeur.34022@gemeente.test").await;
    let proposed = w
        .s()
        .propose_engagement(
            &vvsg,
            EngagementTerms {
                government_nis: KORTRIJK.into(),
                title: "Externe test".into(),
                starts_on: Some(w.today()),
                ends_on: Some(w.today() + chrono::Days::new(30)),
                scope: vec!["www.kortrijk.be".into()],
                techniques: vec!["web_scanning".into()],
                team: vec![
                    ("docent@howest.test".into(), "supervisor".into()),
                    ("student@howest.test".into(), "student".into()),
                ],
                government_contact: "ISC".into(),
                team_contact: "Docent".into(),
                emergency_contact: "056 27 99 99".into(),
            },
        )
        .await
        .unwrap();
    let id = proposed.engagement.id;
    let (_, letter) = w.s().engagement_letter(&signatory, id).await.unwrap();
    w.s().accept_engagement(&signatory, id, &letter.hash, false).await.unwrap();
    w.s()
        .submit_engagement_finding(
            &student,
            id,
            TeamFinding {
                title: "Engagement: backups listed".into(),
                description: "d".into(),
                severity: Some("critical".into()),
                cvss_vector: None,
                asset_id: proposed.engagement.scope[0].0,
                location: "https://www.kortrijk.be/backup/".into(),
                evidence: "GET /backup/ 200".into(),
                recommendation: "r".into(),
            },
        )
        .await
        .unwrap();

    // Deloitte's additional work (EY declines it first) and its scan.
    let additional = w
        .s()
        .submit_order(&kortrijk, w.additional(w.programme_id, KORTRIJK, cents(200_000)))
        .await
        .unwrap();
    w.s()
        .firm_step(&ey, additional.id, FirmStep::Decline { reason: "Volzet.".into() })
        .await
        .unwrap();
    w.s()
        .firm_step(
            &deloitte,
            additional.id,
            FirmStep::Accept {
                price: cents(200_000),
                planned_start_on: d(2020, 6, 1),
            },
        )
        .await
        .unwrap();
    let scan = "title,severity,rule_id,ip,port\nDeloitte: RDP open,critical,RDP,192.0.2.63,3389\n";
    w.s()
        .import_report(&deloitte, additional.id, std::io::Cursor::new(scan.as_bytes().to_vec()))
        .await
        .unwrap();
    (kortrijk, ey, deloitte, basic.id, additional.id)
}

async fn titles_in_register(w: &World, actor: &Actor, government_id: i64) -> Vec<String> {
    let q = RegisterQuery {
        government_id: Some(government_id),
        open_only: true,
        limit: 100,
        ..Default::default()
    };
    let mut titles: Vec<String> = w
        .s()
        .register(actor, q)
        .await
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.finding.title)
        .collect();
    titles.sort();
    titles
}

async fn titles_on_agenda(w: &World, actor: &Actor, order_id: i64) -> Vec<String> {
    let mut titles: Vec<String> = w
        .s()
        .remediation_agenda(actor, order_id, Some(100))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.finding.title)
        .collect();
    titles.sort();
    titles
}

story!(
    the_remediation_day_agenda_holds_only_what_the_firm_sees_in_its_register,
    "2020-05-18T08:00:00Z",
    |w| {
        let (kortrijk, ey, _deloitte, basic, _) = kortrijk_with_findings_of_every_origin(&w).await;
        let government_id = kortrijk.organisation_id;
        let admin = w.admin().await;
        let all = [
            "Deloitte: RDP open",
            "EY: Old TLS",
            "EY: Telnet open",
            "Engagement: backups listed",
            "Report: XSS on the login",
        ];
        // The government and the administrator see every open finding on the agenda.
        assert_eq!(titles_on_agenda(&w, &kortrijk, basic).await, all);
        assert_eq!(titles_on_agenda(&w, &admin, basic).await, all);
        // EY sees its own audit's findings and the report made a finding under its order; not
        // the engagement's nor Deloitte's. Exactly what its register shows.
        let ey_sees = ["EY: Old TLS", "EY: Telnet open", "Report: XSS on the login"];
        assert_eq!(titles_in_register(&w, &ey, government_id).await, ey_sees);
        assert_eq!(titles_on_agenda(&w, &ey, basic).await, ey_sees);

        // Once recorded (by the administrator, with a finding EY may not see), the recorded
        // agenda is still only what EY sees.
        w.deliver(&ey, basic).await;
        let hidden = w
            .s()
            .remediation_agenda(&admin, basic, Some(100))
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|e| e.finding.id)
            .collect::<Vec<_>>();
        w.s()
            .record_remediation_day(
                &admin,
                basic,
                DayRecord {
                    held_on: Some(w.today()),
                    attendees: "ICT".into(),
                    people: vec![],
                    actions: hidden
                        .iter()
                        .map(|id| ActionRecord {
                            finding_id: *id,
                            ..ActionRecord::default()
                        })
                        .collect(),
                },
            )
            .await
            .unwrap();
        assert_eq!(titles_on_agenda(&w, &admin, basic).await, all);
        assert_eq!(titles_on_agenda(&w, &ey, basic).await, ey_sees);
        // EY cannot record a finding it does not see either.
        let engagement_finding = w
            .s()
            .remediation_agenda(&admin, basic, Some(100))
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|e| e.finding.tool.as_str() == "engagement")
            .unwrap()
            .finding
            .id;
        let err = w
            .s()
            .record_remediation_day(
                &ey,
                basic,
                DayRecord {
                    held_on: Some(w.today()),
                    attendees: "ICT".into(),
                    people: vec![],
                    actions: vec![ActionRecord {
                        finding_id: engagement_finding,
                        started: true,
                        ..ActionRecord::default()
                    }],
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::NotFound(_)), "{err:?}");
    }
);

story!(a_firm_cannot_tell_another_firms_order_from_no_order, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    let ey = w.actor("ey@firms.test").await;
    let deloitte = w.actor("deloitte@firms.test").await;
    let pwc = w.actor("pwc@firms.test").await;
    // Offered to EY; EY declines, so it is offered to Deloitte: EY had it, PwC never.
    let order = w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
    w.s()
        .firm_step(&ey, order.id, FirmStep::Decline { reason: "Volzet.".into() })
        .await
        .unwrap();
    let unknown = 999_999;
    let steps = || {
        vec![
            FirmStep::Accept {
                price: cents(500_940),
                planned_start_on: d(2020, 6, 1),
            },
            FirmStep::Decline { reason: "x".into() },
            FirmStep::Deliver,
            FirmStep::Invoice {
                invoice_number: "F-1".into(),
                amount: cents(1),
            },
        ]
    };
    for firm in [&ey, &pwc] {
        for id in [order.id, unknown] {
            for step in steps() {
                let err = w.s().firm_step(firm, id, step.clone()).await.unwrap_err();
                assert!(
                    matches!(err, ServiceError::NotFound("order")),
                    "{} {id} {step:?}: {err:?}",
                    firm.email
                );
            }
            let cancel = w
                .s()
                .owner_step(firm, id, OwnerStep::Cancel { reason: "x".into() })
                .await
                .unwrap_err();
            assert!(matches!(cancel, ServiceError::NotFound("order")), "{cancel:?}");
            assert!(matches!(
                w.s().settle_order(firm, id, None).await,
                Err(ServiceError::NotFound("order"))
            ));
            assert!(matches!(
                w.hold_remediation_day(firm, id, d(2020, 5, 18)).await,
                Err(ServiceError::NotFound("order"))
            ));
            assert!(matches!(
                w.s().upload_audit_report(firm, id, "x.pdf", b"%PDF-1.4").await,
                Err(ServiceError::NotFound("order"))
            ));
            assert!(matches!(w.s().reopen_order(firm, id).await, Err(ServiceError::NotFound("order"))));
            assert!(matches!(w.s().order(firm, id).await, Err(ServiceError::NotFound("order"))));
            assert!(matches!(
                w.s().remediation_agenda(firm, id, None).await,
                Err(ServiceError::NotFound("order"))
            ));
        }
    }
    // Deloitte, to whom it is offered now, answers it.
    let accepted = w
        .s()
        .firm_step(
            &deloitte,
            order.id,
            FirmStep::Accept {
                price: cents(512_000),
                planned_start_on: d(2020, 6, 1),
            },
        )
        .await
        .unwrap();
    assert_eq!(accepted.state, OrderState::Accepted);
});

/// The mails in the outbox to `to`, oldest first.
async fn mails_to(w: &World, to: &str) -> Vec<cyberveilig_services::store::records::Mail> {
    let admin = w.admin().await;
    let mut mails: Vec<_> = w
        .s()
        .outbox(&admin, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.to == to)
        .collect();
    mails.reverse();
    mails
}

/// The token of the link after `path` in a mail.
fn token_in(mail: &cyberveilig_services::store::records::Mail, path: &str) -> String {
    let start = mail.body.find(path).unwrap_or_else(|| panic!("no {path} in {}", mail.body)) + path.len();
    mail.body[start..].split_whitespace().next().unwrap().to_owned()
}

fn limited(result: Result<impl std::fmt::Debug, ServiceError>) -> (cyberveilig_services::Limited, u64) {
    match result {
        Err(ServiceError::RateLimited { what, retry_after }) => (what, retry_after),
        other => panic!("expected a limit, got {other:?}"),
    }
}

story!(
    using_one_password_reset_link_ends_every_other_link_of_the_person,
    "2020-05-18T08:00:00Z",
    |w| {
        let address = "44021@gemeente.test";
        w.s().request_password_reset(address, common::CLIENT).await.unwrap();
        w.s().request_password_reset(address, common::CLIENT).await.unwrap();
        let mails = mails_to(&w, address).await;
        assert_eq!(mails.len(), 2);
        let (first, second) = (token_in(&mails[0], "/wachtwoord/nieuw/"), token_in(&mails[1], "/wachtwoord/nieuw/"));
        assert_ne!(first, second);
        w.s().reset_password(&second, "een nieuw lang wachtwoord").await.unwrap();
        assert!(matches!(
            w.s().reset_password(&first, "nog een ander wachtwoord").await,
            Err(ServiceError::LinkInvalid)
        ));
        assert!(w.s().sign_in(address, "een nieuw lang wachtwoord", common::CLIENT).await.is_ok());
    }
);

story!(
    registration_mail_is_limited_per_address_and_per_client_in_the_database,
    "2020-05-18T08:00:00Z",
    |w| {
        let howest = {
            let mut tx = w.s().store.read().await.unwrap();
            tx.organisation_by_name(
                cyberveilig_domain::registry::OrganisationKind::EducationPartner,
                "Hogeschool West-Vlaanderen",
            )
            .await
            .unwrap()
            .unwrap()
            .id
        };
        // Another server on the same database: the limits are shared, not per process.
        let other_server = Services::new(w.s().store.clone(), w.clock.clone())
            .with_accounts(AccountPolicy::demo("http://portal.test"))
            .with_limits_clock(w.limits_clock.clone());
        let target = "slachtoffer@example.test";
        // Twelve registrations for one address in a second, from one client, over two servers:
        // one mail; the client is told to wait after five.
        let mut outcomes = Vec::new();
        for i in 0..12 {
            let server = if i % 2 == 0 { w.s() } else { &other_server };
            outcomes.push(server.register_researcher(target, "Eve", howest, "ip:198.51.100.7").await);
        }
        assert!(outcomes[..5].iter().all(Result::is_ok), "{outcomes:?}");
        for outcome in outcomes.into_iter().skip(5) {
            assert_eq!(limited(outcome).0, cyberveilig_services::Limited::Registrations);
        }
        assert_eq!(mails_to(&w, target).await.len(), 1, "one mail, however many registrations");
        // From other clients too, nothing more for that address within the hour.
        for i in 0..5 {
            w.s()
                .register_researcher(target, "Eve", howest, &format!("ip:198.51.100.{}", 20 + i))
                .await
                .unwrap();
        }
        assert_eq!(mails_to(&w, target).await.len(), 1);
        // After the hour, a pending address gets one more.
        w.wait_seconds(3_600);
        w.s().register_researcher(target, "Eve", howest, "ip:198.51.100.30").await.unwrap();
        assert_eq!(mails_to(&w, target).await.len(), 2);

        // A name is one line of visible characters: no lines of the sender's own in the mail.
        for name in [
            "Eve\nKlik hier: http://evil.test",
            "Eve\r\nBcc: x@evil.test",
            "Eve\u{202E}",
            "E\u{200B}ve",
            "Ev\te",
        ] {
            let err = w
                .s()
                .register_researcher("andere@example.test", name, howest, "ip:198.51.100.40")
                .await
                .unwrap_err();
            assert!(matches!(err, ServiceError::Invalid { field: "name", .. }), "{name:?}: {err:?}");
        }
        assert!(mails_to(&w, "andere@example.test").await.is_empty());
    }
);

story!(
    password_reset_and_invitation_mail_is_limited_per_address_and_per_client,
    "2020-05-18T08:00:00Z",
    |w| {
        let known = "44021@gemeente.test";
        // Many clients asking for one address: three mails at once, then one per 20 minutes.
        for i in 0..12 {
            w.s().request_password_reset(known, &format!("ip:203.0.113.{i}")).await.unwrap();
        }
        assert_eq!(mails_to(&w, known).await.len(), 3);
        w.wait_seconds(20 * 60);
        w.s().request_password_reset(known, "ip:203.0.113.99").await.unwrap();
        assert_eq!(mails_to(&w, known).await.len(), 4);
        // One client asking for many addresses, known or not: the same answer, and after ten a wait.
        for i in 0..10 {
            w.s()
                .request_password_reset(&format!("iemand{i}@example.test"), "ip:203.0.113.50")
                .await
                .unwrap();
        }
        let (what, wait) = limited(w.s().request_password_reset(known, "ip:203.0.113.50").await);
        assert_eq!(what, cyberveilig_services::Limited::PasswordResets);
        assert!((1..=3_600).contains(&wait));

        // Invitations: at most three a day to one address.
        let admin = w.admin().await;
        let gent = w.organisation_id(GENT).await;
        let invite = || cyberveilig_services::people::NewInvitation {
            email: "nieuw@gent.test".into(),
            name: "Nieuwe collega".into(),
            role: cyberveilig_domain::registry::Role::GovernmentMember,
            organisation_id: gent,
        };
        for _ in 0..3 {
            w.s().invite(&admin, invite()).await.unwrap();
        }
        let (what, _) = limited(w.s().invite(&admin, invite()).await);
        assert_eq!(what, cyberveilig_services::Limited::Invitations);
        assert_eq!(mails_to(&w, "nieuw@gent.test").await.len(), 3);
        let mut bad = invite();
        bad.name = "Nieuwe\ncollega".into();
        bad.email = "ander@gent.test".into();
        assert!(matches!(
            w.s().invite(&admin, bad).await,
            Err(ServiceError::Invalid { field: "name", .. })
        ));
    }
);

story!(
    sign_ins_answer_alike_for_known_and_unknown_addresses_and_slow_down_without_locking_out,
    "2020-05-18T08:00:00Z",
    |w| {
        let client = "ip:192.0.2.10";
        for address in ["11002@gemeente.test", "niemand@gemeente.test"] {
            for _ in 0..5 {
                let err = w.s().sign_in(address, "fout wachtwoord", client).await.unwrap_err();
                assert!(matches!(err, ServiceError::BadCredentials), "{address}: {err:?}");
            }
            // The sixth waits a second, whatever the password: nothing tells whether it was right.
            for password in ["fout wachtwoord", "demo"] {
                let (what, wait) = limited(w.s().sign_in(address, password, client).await);
                assert_eq!((what, wait), (cyberveilig_services::Limited::SignIns, 1), "{address}");
            }
            // From another client it is the same: the address is slowed down, not the client.
            let (_, wait) = limited(w.s().sign_in(address, "demo", "ip:192.0.2.11").await);
            assert_eq!(wait, 1);
        }
        // An attacker keeps trying: the wait doubles, up to a minute, and no longer.
        let owner = "11002@gemeente.test";
        let mut waits = Vec::new();
        for _ in 0..10 {
            let wait = match w.s().sign_in(owner, "fout wachtwoord", "ip:198.51.100.66").await {
                Err(ServiceError::RateLimited { retry_after, .. }) => retry_after,
                other => panic!("{other:?}"),
            };
            waits.push(wait);
            w.wait_seconds(wait as i64);
            assert!(matches!(
                w.s().sign_in(owner, "fout wachtwoord", "ip:198.51.100.66").await,
                Err(ServiceError::BadCredentials)
            ));
        }
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
        // The owner, waiting at most that minute, signs in; the count starts over.
        w.wait_seconds(60);
        assert!(w.s().sign_in(owner, "demo", client).await.is_ok());
        assert!(matches!(
            w.s().sign_in(owner, "fout wachtwoord", client).await,
            Err(ServiceError::BadCredentials)
        ));
        assert!(w.s().sign_in(owner, "demo", client).await.is_ok());

        // One client trying many addresses waits after twenty wrong attempts, even for a right
        // password; other clients do not.
        w.wait_seconds(3_600);
        let guesser = "ip:198.51.100.99";
        for i in 0..20 {
            let err = w
                .s()
                .sign_in(&format!("gok{i}@gemeente.test"), "fout wachtwoord", guesser)
                .await
                .unwrap_err();
            assert!(matches!(err, ServiceError::BadCredentials), "{i}: {err:?}");
        }
        assert_eq!(
            limited(w.s().sign_in("44021@gemeente.test", "demo", guesser).await).0,
            cyberveilig_services::Limited::SignIns
        );
        assert!(w.s().sign_in("44021@gemeente.test", "demo", client).await.is_ok());
        // The API's tokens follow the same rules.
        assert!(w.s().issue_token("44021@gemeente.test", "demo", None, client).await.is_ok());
    }
);

story!(
    an_idempotent_request_that_dies_before_its_answer_leaves_nothing_and_a_retry_runs_once,
    "2020-05-18T08:00:00Z",
    |w| {
        use cyberveilig_services::idempotency::{Finished, Scope};
        let gent = w.municipality(GENT).await;
        let scope = || Scope::new(gent.person_id, "bestelling-1", "POST", "/api/v1/orders", None);
        let orders_before = w.orders(w.programme_id).await.len();
        let entries = w.log_entries().await;

        // The request runs its work and dies before it answers (a crash, a dropped connection):
        // the work's transaction was waiting for the answer, so nothing of it stays.
        let dying = scope();
        let order = dying.run(w.s().submit_order(&gent, w.basic(w.programme_id, GENT))).await.unwrap();
        drop(dying);
        assert_eq!(
            w.orders(w.programme_id).await.len(),
            orders_before,
            "order {} was not kept",
            order.id
        );
        assert_eq!(w.log_entries().await, entries);
        assert!(w.s().idempotent_answer(gent.person_id, "bestelling-1").await.unwrap().is_none());

        // The retry runs as the first time; its answer is kept with its work.
        let retry = scope();
        let order = retry.run(w.s().submit_order(&gent, w.basic(w.programme_id, GENT))).await.unwrap();
        let body = format!("{{\"id\":{}}}", order.id);
        assert_eq!(
            w.s().finish_idempotent(retry.clone(), 201, body.clone()).await.unwrap(),
            Finished::Kept
        );
        let kept = w.s().idempotent_answer(gent.person_id, "bestelling-1").await.unwrap().unwrap();
        assert_eq!(kept.answer, Some((201, body)));
        assert_eq!(kept.request_hash, retry.request_hash());
        assert_eq!(w.orders(w.programme_id).await.len(), orders_before + 1);

        // Two requests with one key at once: one does the work, the other finds the key taken.
        let key = "bestelling-2";
        let first = Scope::new(gent.person_id, key, "POST", "/api/v1/orders", None);
        let second = Scope::new(gent.person_id, key, "POST", "/api/v1/orders", None);
        let order = w.additional(w.programme_id, GENT, cents(100_000));
        first.run(w.s().submit_order(&gent, order.clone())).await.unwrap();
        let racing = {
            let (services, gent, second) = (w.services.clone(), gent.clone(), second.clone());
            tokio::spawn(async move { second.run(services.submit_order(&gent, order)).await })
        };
        // The second waits for the first's locks, which it holds until its answer is kept.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(w.s().finish_idempotent(first, 201, "first".into()).await.unwrap(), Finished::Kept);
        let raced = racing.await.unwrap();
        assert!(matches!(raced, Err(ServiceError::IdempotencyKeyTaken)), "{raced:?}");
        assert_eq!(w.s().finish_idempotent(second, 409, "x".into()).await.unwrap(), Finished::Taken);
        assert_eq!(
            w.orders(w.programme_id).await.len(),
            orders_before + 2,
            "one additional order, not two"
        );
        assert_eq!(
            w.s().idempotent_answer(gent.person_id, key).await.unwrap().unwrap().answer,
            Some((201, "first".into()))
        );
        w.log_entries().await;
    }
);

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Rewrites the audit log from entry `from` on as an attacker with write access to the database
/// but not to the key would: `change` alters that entry, and every hash after it is computed
/// anew, head included, so the chain itself holds again.
async fn recompute_chain_from(w: &World, from: i64, change: impl Fn(&mut cyberveilig_services::store::records::Event)) {
    use cyberveilig_services::store::audit::hash_of;
    let mut events = {
        let mut tx = w.s().store.read().await.unwrap();
        tx.events_after(0, 100_000).await.unwrap()
    };
    let mut previous = events[(from - 2) as usize].hash.clone();
    for event in events.iter_mut().filter(|e| e.seq >= from) {
        if event.seq == from {
            change(event);
        }
        event.prev_hash = previous.clone();
        event.hash = hash_of(event);
        previous = event.hash.clone();
        let sql = format!(
            "UPDATE events SET details = {}, prev_hash = {}, hash = {} WHERE seq = {}",
            quoted(&event.details),
            quoted(&event.prev_hash),
            quoted(&event.hash),
            event.seq
        );
        assert_eq!(w.tamper(&sql).await, 1);
    }
    assert_eq!(
        w.tamper(&format!("UPDATE audit_chain_head SET hash = {} WHERE id = 1", quoted(&previous)))
            .await,
        1
    );
}

/// The same database checked by the hash chain alone, without the key.
fn without_key(w: &World) -> Services {
    Services::new(w.s().store.clone(), w.clock.clone())
}

story!(
    a_recomputed_audit_chain_is_found_out_by_the_signatures_of_its_head,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let ey = w.actor("ey@firms.test").await;
        let order = w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
        w.s()
            .firm_step(&ey, order.id, FirmStep::Decline { reason: "Volzet.".into() })
            .await
            .unwrap();
        let entries = w.log_entries().await;
        let ChainReport::Intact { signatures, .. } = w.s().verify_audit_log().await.unwrap() else {
            unreachable!("log_entries checked it");
        };
        assert!(signatures.unwrap() >= 3, "a signature per transaction: {signatures:?}");

        // EY's decline becomes an acceptance, and every hash after it is recomputed.
        let declined = w
            .order_events(order.id)
            .await
            .into_iter()
            .find(|e| e.action == "order.declined")
            .unwrap()
            .seq;
        recompute_chain_from(&w, declined, |e| {
            e.action = "order.declined".into();
            e.details = e.details.replace("Volzet.", "Geen probleem.");
        })
        .await;
        // The chain alone holds again: the attack works against hashes.
        assert!(matches!(
            without_key(&w).verify_audit_log().await.unwrap(),
            ChainReport::Intact { signatures: None, .. }
        ));
        // The key finds it: the first signature after the change does not hold.
        match w.s().verify_audit_log().await.unwrap() {
            ChainReport::Broken(link) => {
                assert!(link.seq >= declined && link.seq <= entries as i64, "{link:?}");
                assert_eq!(link.problem, "its signature does not hold: the log was changed after it was signed");
            }
            intact => panic!("the recomputed chain went unnoticed: {intact:?}"),
        }
    }
);

story!(
    entries_added_or_signatures_removed_behind_the_servers_back_are_found_out,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
        let entries = w.log_entries().await as i64;
        // A forged entry after the head, linked and hashed as the server would.
        let mut forged = {
            let mut tx = w.s().store.read().await.unwrap();
            tx.events_after(entries - 1, 1).await.unwrap().remove(0)
        };
        forged.seq = entries + 1;
        forged.prev_hash = forged.hash.clone();
        forged.details = r#"{"note":"forged"}"#.into();
        forged.actor_id = None;
        forged.hash = cyberveilig_services::store::audit::hash_of(&forged);
        let at = forged.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        w.tamper(&format!(
            "INSERT INTO events (seq, at, actor_id, actor, action, subject_type, subject_id, details, prev_hash, hash) \
             VALUES ({}, {}, NULL, {}, {}, {}, {}, {}, {}, {})",
            forged.seq,
            quoted(&at),
            quoted(&forged.actor),
            quoted(&forged.action),
            quoted(&forged.subject_type),
            forged.subject_id,
            quoted(&forged.details),
            quoted(&forged.prev_hash),
            quoted(&forged.hash)
        ))
        .await;
        w.tamper(&format!(
            "UPDATE audit_chain_head SET seq = {}, hash = {} WHERE id = 1",
            forged.seq,
            quoted(&forged.hash)
        ))
        .await;
        assert!(matches!(
            without_key(&w).verify_audit_log().await.unwrap(),
            ChainReport::Intact { .. }
        ));
        match w.s().verify_audit_log().await.unwrap() {
            ChainReport::Broken(link) => {
                assert_eq!(
                    (link.seq, link.problem),
                    (entries + 1, "not signed: written without the installation's key")
                )
            }
            intact => panic!("a forged entry went unnoticed: {intact:?}"),
        }
        // A signature made with another key does not stand in for the installation's.
        let other = cyberveilig_services::audit::AuditKey::generate();
        let mut tx = w.s().store.write().await.unwrap();
        tx.insert_audit_signature(&cyberveilig_services::store::audit::HeadSigner::sign_head(
            &other,
            forged.seq,
            &forged.hash,
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        match w.s().verify_audit_log().await.unwrap() {
            ChainReport::Broken(link) => assert_eq!(link.seq, entries + 1, "{link:?}"),
            intact => panic!("another key's signature went unnoticed: {intact:?}"),
        }
        // Removing the signatures does not help either.
        w.tamper("DELETE FROM audit_signatures").await;
        assert!(matches!(w.s().verify_audit_log().await.unwrap(), ChainReport::Broken(_)));
    }
);

story!(
    a_log_written_before_signing_is_signed_at_the_first_start_with_a_key,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        w.s().submit_order(&gent, w.basic(w.programme_id, GENT)).await.unwrap();
        let entries = w.log_entries().await as i64;
        // As if the log was written before this version: no signatures.
        w.tamper("DELETE FROM audit_signatures").await;
        assert!(matches!(w.s().verify_audit_log().await.unwrap(), ChainReport::Broken(_)));
        assert_eq!(w.s().audit_key_in_use().await.unwrap(), None);
        assert_eq!(w.s().sign_chain_head(&w.audit_key).await.unwrap(), Some(entries));
        assert_eq!(w.s().sign_chain_head(&w.audit_key).await.unwrap(), None, "once");
        assert!(matches!(
            w.s().verify_audit_log().await.unwrap(),
            ChainReport::Intact { signatures: Some(1), .. }
        ));
        let in_use = w.s().audit_key_in_use().await.unwrap();
        assert_eq!(in_use.as_deref(), Some(w.audit_key.public().id()));
        // Another key is refused where this one signed.
        let other = cyberveilig_services::audit::AuditKey::generate();
        assert!(cyberveilig_services::audit::check_key_in_use(&other, in_use.as_deref()).is_err());
        assert!(cyberveilig_services::audit::check_key_in_use(&w.audit_key, in_use.as_deref()).is_ok());
    }
);

fn invalid_field(result: Result<impl std::fmt::Debug, ServiceError>) -> &'static str {
    match result {
        Err(ServiceError::Invalid { field, .. }) => field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

story!(
    addresses_scopes_and_dates_are_what_they_say_or_refused,
    "2020-05-18T08:00:00Z",
    |w| {
        let gent = w.municipality(GENT).await;
        let ey = w.actor("ey@firms.test").await;
        let admin = w.admin().await;
        let nis: cyberveilig_domain::registry::NisCode = GENT.parse().unwrap();
        // A policy's contact is an address, not markup that lands in security.txt.
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let model = w.s().model_draft(&vvsg).await.unwrap().content;
        w.s().save_model_draft(&vvsg, model).await.unwrap();
        w.s().publish_model(&vvsg).await.unwrap();
        let mut content = w.s().adopt_model(&gent, &nis).await.unwrap().content;
        content.in_scope = vec!["stad.gent".into()];
        content.contact_email = "\"><script>alert(1)</script>@x.test".into();
        assert_eq!(
            invalid_field(w.s().save_policy_draft(&gent, &nis, content.clone()).await),
            "contact_email"
        );
        content.contact_email = "cert@stad.gent".into();
        w.s().save_policy_draft(&gent, &nis, content).await.unwrap();

        // An order's scope is never empty: a basic audit's is the minimal control approach (C3),
        // additional work needs the government's own (C4).
        let mut basic = w.basic(w.programme_id, GENT);
        basic.scope = "  ".into();
        let order = w.s().submit_order(&gent, basic).await.unwrap();
        assert_eq!(order.scope, cyberveilig_domain::order::BASIC_AUDIT_SCOPE);
        let mut additional = w.additional(w.programme_id, GENT, cents(100_000));
        additional.scope = String::new();
        let err = w
            .assert_refused_without_trace(w.programme_id, w.s().submit_order(&gent, additional))
            .await;
        assert!(matches!(err, ServiceError::Invalid { field: "scope", .. }), "{err:?}");

        // Dates within sane bounds: no planned start in 1900 or in 2100.
        for planned in [d(1900, 1, 1), d(2020, 5, 17), d(2022, 5, 19), d(2099, 12, 31)] {
            let accept = FirmStep::Accept {
                price: cents(500_940),
                planned_start_on: planned,
            };
            let err = w
                .assert_refused_without_trace(w.programme_id, w.s().firm_step(&ey, order.id, accept))
                .await;
            assert!(
                matches!(
                    err,
                    ServiceError::Invalid {
                        field: "planned_start_on",
                        ..
                    }
                ),
                "{planned}: {err:?}"
            );
        }
        w.ey_accepts(order.id).await;
        // Nor an offer until 9999, nor a programme from 1900.
        let amendment = cyberveilig_services::programmes::ProgrammeAmendment {
            offer_ends_on: Some(d(9999, 12, 31)),
            reason: "x".into(),
            ..Default::default()
        };
        assert_eq!(
            invalid_field(w.s().amend_programme(&admin, w.programme_id, amendment).await),
            "offer_ends_on"
        );
        let mut settings = cyberveilig_domain::programme::ProgrammeSettings::flemish_2020();
        settings.offer_starts_on = d(1900, 1, 1);
        let new = cyberveilig_services::programmes::NewProgramme {
            name: "Oud".into(),
            budget: cents(100),
            settings,
        };
        assert_eq!(invalid_field(w.s().create_programme(&admin, new).await), "offer_ends_on");
        // Nor a disclosure agreed for 2120.
        let report = w
            .s()
            .submit_report(
                None,
                ReportInput {
                    government_nis: GENT.into(),
                    target: "https://www.stad.gent/".into(),
                    cwe: "CWE-79".into(),
                    title: "t".into(),
                    description: "d".into(),
                    steps: "s".into(),
                    impact: "i".into(),
                    ..ReportInput::default()
                },
            )
            .await
            .unwrap()
            .report;
        let change = ReportChange {
            state: "acknowledged".into(),
            disclose_on: Some(d(2120, 1, 1)),
            ..ReportChange::default()
        };
        assert_eq!(
            invalid_field(w.s().change_report(Access::Person(&gent), report.id, change).await),
            "disclose_on"
        );
        // Nor an engagement starting years from now.
        let vvsg_terms = EngagementTerms {
            government_nis: "34022".into(),
            title: "Later".into(),
            starts_on: Some(d(2023, 1, 1)),
            ends_on: Some(d(2023, 1, 31)),
            scope: vec!["www.kortrijk.be".into()],
            techniques: vec!["web_scanning".into()],
            team: vec![("docent@howest.test".into(), "supervisor".into())],
            government_contact: "ISC".into(),
            team_contact: "Docent".into(),
            emergency_contact: "056".into(),
        };
        assert_eq!(invalid_field(w.s().propose_engagement(&vvsg, vvsg_terms).await), "starts_on");
        // Nor a clock set to the year 9999.
        assert_eq!(invalid_field(w.s().advance_clock(at("9999-01-01T00:00:00Z")).await), "now");
    }
);
