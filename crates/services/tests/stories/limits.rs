//! Mail and sign-in limits kept in the database, and idempotent requests that die before their
//! answer (issue 10): what a flood or a crash can do, on both databases.

use super::*;
use cyberveilig_services::{AccountPolicy, Services};

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
