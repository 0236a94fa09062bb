//! Accounts: invitations, password resets, the second factor, API tokens and the outbox.

use super::*;
use cyberveilig_domain::registry::{OrganisationKind, Role};
use cyberveilig_services::auth::SessionStage;
use cyberveilig_services::people::{MailTransport, NewInvitation};
use cyberveilig_services::store::records::Mail;
use cyberveilig_services::{AccountPolicy, Limited, ServiceError, Services, totp};

/// The token in the last mail's link after `path` (e.g. "/uitnodiging/").
async fn link_token(w: &common::World, to: &str, path: &str) -> String {
    let admin = w.admin().await;
    let mails = w.s().outbox(&admin, 50).await.unwrap();
    let mail = mails.iter().find(|m| m.to == to).unwrap_or_else(|| panic!("no mail to {to}"));
    assert!(mail.body.contains("http://portal.test"), "{}", mail.body);
    let start = mail.body.find(path).unwrap_or_else(|| panic!("no link {path} in {}", mail.body)) + path.len();
    mail.body[start..].split_whitespace().next().unwrap().to_owned()
}

async fn organisation(w: &common::World, kind: OrganisationKind, name: &str) -> i64 {
    let mut tx = w.s().store.read().await.unwrap();
    tx.organisation_by_name(kind, name).await.unwrap().unwrap().id
}

fn enforcing(w: &common::World) -> Services {
    w.s().clone().with_accounts(AccountPolicy {
        enforce_second_factor: true,
        public_url: "http://portal.test".into(),
    })
}

fn code_now(secret: &str, steps_ahead: i64) -> String {
    let step = totp::step_at(chrono::Utc::now().timestamp()) + steps_ahead;
    format!("{:06}", totp::hotp(&totp::base32_decode(secret).unwrap(), step as u64, 6))
}

story!(
    an_invited_firm_member_chooses_a_password_and_is_signed_in,
    "2020-05-18T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let ey = organisation(&w, OrganisationKind::AuditFirm, "EY").await;
        let invite = |role| NewInvitation {
            email: "auditor@ey.test".into(),
            name: "Auditor EY".into(),
            role,
            organisation_id: ey,
        };
        // A role that does not fit the organisation is refused, and nothing is sent.
        assert!(matches!(
            w.s().invite(&admin, invite(Role::GovernmentMember)).await,
            Err(ServiceError::Invalid { field: "role", .. })
        ));
        assert!(w.s().outbox(&admin, 50).await.unwrap().is_empty());

        let invitation = w.s().invite(&admin, invite(Role::FirmMember)).await.unwrap();
        assert_eq!(invitation.organisation_id, ey);
        let token = link_token(&w, "auditor@ey.test", "/uitnodiging/").await;
        assert_eq!(w.s().open_invitation(&token).await.unwrap().email.as_str(), "auditor@ey.test");
        // Inviting the same address twice is refused once it has an account; a bad token is no link.
        assert!(matches!(w.s().open_invitation("nonsense").await, Err(ServiceError::LinkInvalid)));
        assert!(matches!(
            w.s().accept_invitation(&token, "short").await,
            Err(ServiceError::Invalid { field: "password", .. })
        ));
        let session = w.s().accept_invitation(&token, "a long enough password").await.unwrap();
        assert_eq!(session.actor.role, Role::FirmMember);
        assert_eq!(session.actor.organisation_id, ey);
        // The demo's policy: no second factor needed.
        assert_eq!(session.stage, SessionStage::SignedIn);
        assert!(w.s().session(&session.token).await.is_ok());
        assert!(matches!(
            w.s().accept_invitation(&token, "a long enough password").await,
            Err(ServiceError::LinkInvalid)
        ));
        assert!(matches!(
            w.s().invite(&admin, invite(Role::FirmMember)).await,
            Err(ServiceError::Conflict {
                code: "account_exists",
                ..
            })
        ));
        assert!(
            w.s()
                .issue_token("auditor@ey.test", "a long enough password", None, common::CLIENT)
                .await
                .is_ok()
        );
        let people = w.s().people(&admin, Some(ey)).await.unwrap();
        assert!(people.iter().any(|p| p.email.as_str() == "auditor@ey.test"));
        assert!(matches!(w.s().verify_audit_log().await.unwrap(), ChainReport::Intact { .. }));
    }
);

story!(a_government_invites_its_own_colleagues_only, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    let colleague = |organisation_id, role| NewInvitation {
        email: "collega@gent.test".into(),
        name: "Collega".into(),
        role,
        organisation_id,
    };
    let aalst = w.organisation_id(ANTWERPEN).await;
    assert!(matches!(
        w.s().invite(&gent, colleague(aalst, Role::GovernmentMember)).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        w.s().invite(&gent, colleague(gent.organisation_id, Role::ProgrammeAdmin)).await,
        Err(ServiceError::Forbidden)
    ));
    w.s()
        .invite(&gent, colleague(gent.organisation_id, Role::GovernmentMember))
        .await
        .unwrap();
    assert_eq!(w.s().invitations(&gent, Some(gent.organisation_id)).await.unwrap().len(), 1);
    assert!(matches!(w.s().invitations(&gent, Some(aalst)).await, Err(ServiceError::Forbidden)));
    assert!(matches!(w.s().outbox(&gent, 10).await, Err(ServiceError::Forbidden)));
});

story!(
    a_password_reset_link_works_once_and_ends_every_session,
    "2020-05-18T08:00:00Z",
    |w| {
        let admin = w.admin().await;
        let old = w.s().sign_in("44021@gemeente.test", "demo", common::CLIENT).await.unwrap();
        // Unknown addresses get the same answer and no mail.
        w.s().request_password_reset("nobody@gemeente.test", common::CLIENT).await.unwrap();
        w.s().request_password_reset("not an address", common::CLIENT).await.unwrap();
        assert!(w.s().outbox(&admin, 50).await.unwrap().is_empty());

        w.s().request_password_reset("44021@gemeente.test", common::CLIENT).await.unwrap();
        let token = link_token(&w, "44021@gemeente.test", "/wachtwoord/nieuw/").await;
        assert!(matches!(
            w.s().reset_password(&token, "short").await,
            Err(ServiceError::Invalid { .. })
        ));
        w.s().reset_password(&token, "een nieuw lang wachtwoord").await.unwrap();
        assert!(matches!(
            w.s().reset_password(&token, "nog een ander wachtwoord").await,
            Err(ServiceError::LinkInvalid)
        ));
        assert!(matches!(w.s().session(&old.token).await, Err(ServiceError::Unauthenticated)));
        assert!(matches!(
            w.s().sign_in("44021@gemeente.test", "demo", common::CLIENT).await,
            Err(ServiceError::BadCredentials)
        ));
        assert!(
            w.s()
                .sign_in("44021@gemeente.test", "een nieuw lang wachtwoord", common::CLIENT)
                .await
                .is_ok()
        );
    }
);

story!(
    an_administrator_must_set_up_a_second_factor_and_then_use_it,
    "2020-05-18T08:00:00Z",
    |w| {
        let s = enforcing(&w);
        // Password alone: a session that may only set up the second factor.
        let first = s.sign_in("admin@abb.test", "demo", common::CLIENT).await.unwrap();
        assert_eq!(first.stage, SessionStage::EnrolmentRequired);
        assert!(matches!(s.session(&first.token).await, Err(ServiceError::SecondFactorEnrolment)));
        assert!(matches!(
            s.issue_token("admin@abb.test", "demo", None, common::CLIENT).await,
            Err(ServiceError::SecondFactorEnrolment)
        ));
        // A government's contact is not forced.
        assert_eq!(
            s.sign_in("44021@gemeente.test", "demo", common::CLIENT).await.unwrap().stage,
            SessionStage::SignedIn
        );

        let (admin, _, _) = s.session_at_any_stage(&first.token).await.unwrap();
        let enrolment = s.begin_totp(&admin).await.unwrap();
        assert!(enrolment.otpauth_uri.contains(&enrolment.secret));
        assert!(
            matches!(s.confirm_totp(&admin, "000000").await, Err(ServiceError::Invalid { .. }))
                || code_now(&enrolment.secret, 0) == "000000"
        );
        let recovery = s.confirm_totp(&admin, &code_now(&enrolment.secret, 0)).await.unwrap();
        assert_eq!(recovery.len(), 10);
        assert!(s.session(&first.token).await.is_ok(), "set up: the session is a full one now");
        assert!(matches!(
            s.disable_totp(&admin, &code_now(&enrolment.secret, 1)).await,
            Err(ServiceError::Conflict {
                code: "second_factor_required_by_role",
                ..
            })
        ));

        // Signing in again: the password leads to a session waiting for the code.
        let pending = s.sign_in("admin@abb.test", "demo", common::CLIENT).await.unwrap();
        assert_eq!(pending.stage, SessionStage::SecondFactorPending);
        assert!(matches!(s.session(&pending.token).await, Err(ServiceError::SecondFactorRequired)));
        // The code used at the set-up is spent; the next one works, once.
        assert!(matches!(
            s.complete_second_factor(&pending.token, &code_now(&enrolment.secret, 0), common::CLIENT)
                .await,
            Err(ServiceError::BadCredentials)
        ));
        let full = s
            .complete_second_factor(&pending.token, &code_now(&enrolment.secret, 1), common::CLIENT)
            .await
            .unwrap();
        assert_eq!(full.stage, SessionStage::SignedIn);
        assert_ne!(full.token, pending.token, "the session is renewed when it is raised");
        assert!(s.session(&full.token).await.is_ok());
        assert!(s.session(&pending.token).await.is_err());

        // A recovery code works once, typed loosely.
        let again = s.sign_in("admin@abb.test", "demo", common::CLIENT).await.unwrap();
        let loose = recovery[0].to_lowercase().replace('-', " ");
        assert!(s.complete_second_factor(&again.token, &loose, common::CLIENT).await.is_ok());
        let once_more = s.sign_in("admin@abb.test", "demo", common::CLIENT).await.unwrap();
        assert!(matches!(
            s.complete_second_factor(&once_more.token, &recovery[0], common::CLIENT).await,
            Err(ServiceError::BadCredentials)
        ));
        assert_eq!(s.second_factor_status(&admin).await.unwrap().unused_recovery_codes, 9);

        // The API asks for the code too.
        assert!(matches!(
            s.issue_token("admin@abb.test", "demo", None, common::CLIENT).await,
            Err(ServiceError::SecondFactorRequired)
        ));
        assert!(
            s.issue_token("admin@abb.test", "demo", Some(&recovery[1]), common::CLIENT)
                .await
                .is_ok()
        );
        assert!(matches!(w.s().verify_audit_log().await.unwrap(), ChainReport::Intact { .. }));
    }
);

story!(wrong_second_factor_codes_slow_down_the_account, "2020-05-18T08:00:00Z", |w| {
    let s = enforcing(&w);
    let first = s.sign_in("ey@firms.test", "demo", common::CLIENT).await.unwrap();
    let (ey, _, _) = s.session_at_any_stage(&first.token).await.unwrap();
    let secret = s.begin_totp(&ey).await.unwrap().secret;
    s.confirm_totp(&ey, &code_now(&secret, 0)).await.unwrap();
    let pending = s.sign_in("ey@firms.test", "demo", common::CLIENT).await.unwrap();
    let wrong = if code_now(&secret, 1) == "123456" { "654321" } else { "123456" };
    let mut outcomes = Vec::new();
    for _ in 0..5 {
        outcomes.push(s.complete_second_factor(&pending.token, wrong, common::CLIENT).await);
    }
    assert!(outcomes.iter().all(|o| matches!(o, Err(ServiceError::BadCredentials))));
    // Slowed down: even the right code waits a second, and is not looked at before (issue 10, item 7).
    assert!(matches!(
        s.complete_second_factor(&pending.token, &code_now(&secret, 1), common::CLIENT)
            .await,
        Err(ServiceError::RateLimited {
            what: Limited::SignIns,
            retry_after: 1
        })
    ));
    w.wait_seconds(1);
    assert!(
        s.complete_second_factor(&pending.token, &code_now(&secret, 1), common::CLIENT)
            .await
            .is_ok()
    );
});

story!(an_api_token_acts_as_its_maker_until_revoked, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    assert!(matches!(
        w.s().create_api_token(&gent, "koppeling", 0).await,
        Err(ServiceError::Invalid { field: "valid_days", .. })
    ));
    let created = w.s().create_api_token(&gent, "koppeling", 30).await.unwrap();
    assert_eq!(w.s().authenticate(&created.token).await.unwrap(), gent);
    let listed = w.s().api_tokens(&gent).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name.as_deref(), Some("koppeling"));
    // Another person cannot revoke it.
    let aalst = w.municipality(ANTWERPEN).await;
    assert!(matches!(
        w.s().revoke_api_token(&aalst, &created.info.id).await,
        Err(ServiceError::NotFound(_))
    ));
    w.s().revoke_api_token(&gent, &created.info.id).await.unwrap();
    assert!(matches!(
        w.s().authenticate(&created.token).await,
        Err(ServiceError::Unauthenticated)
    ));
    assert!(w.s().api_tokens(&gent).await.unwrap()[0].revoked_at.is_some());
});

struct Flaky {
    fail: bool,
    sent: std::sync::Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl MailTransport for Flaky {
    async fn send(&self, mail: &Mail) -> std::result::Result<(), String> {
        if self.fail {
            return Err("connection refused".into());
        }
        self.sent.lock().unwrap().push(mail.to.clone());
        Ok(())
    }
}

story!(the_outbox_is_delivered_and_failures_are_kept, "2020-05-18T08:00:00Z", |w| {
    let admin = w.admin().await;
    w.s().request_password_reset("44021@gemeente.test", common::CLIENT).await.unwrap();
    let down = Flaky {
        fail: true,
        sent: Default::default(),
    };
    let lease = cyberveilig_services::outbox::MailLease::for_this_process(std::time::Duration::from_secs(60));
    assert_eq!(w.s().deliver_mail(&down, &lease).await.unwrap(), 0);
    let mail = &w.s().outbox(&admin, 10).await.unwrap()[0];
    assert_eq!(
        (mail.attempts, mail.sent_at, mail.last_error.as_deref()),
        (1, None, Some("connection refused"))
    );
    let up = Flaky {
        fail: false,
        sent: Default::default(),
    };
    assert_eq!(w.s().deliver_mail(&up, &lease).await.unwrap(), 1);
    assert_eq!(*up.sent.lock().unwrap(), vec!["44021@gemeente.test".to_owned()]);
    assert!(w.s().outbox(&admin, 10).await.unwrap()[0].sent_at.is_some());
    assert_eq!(w.s().deliver_mail(&up, &lease).await.unwrap(), 0, "nothing is sent twice");
});

story!(
    a_researcher_registers_through_a_link_sent_to_their_address,
    "2020-05-18T08:00:00Z",
    |w| {
        let howest = organisation(&w, OrganisationKind::EducationPartner, "Hogeschool West-Vlaanderen").await;
        let ey = organisation(&w, OrganisationKind::AuditFirm, "EY").await;
        assert!(matches!(
            w.s().register_researcher("hacker@student.test", "Hacker", ey, common::CLIENT).await,
            Err(ServiceError::NotFound(_))
        ));
        w.s()
            .register_researcher("hacker@student.test", "Hacker", howest, common::CLIENT)
            .await
            .unwrap();
        let token = link_token(&w, "hacker@student.test", "/uitnodiging/").await;
        let session = w.s().accept_invitation(&token, "een lang wachtwoord").await.unwrap();
        assert_eq!(session.actor.role, Role::Researcher);
        // Registering an address that has an account tells the owner, not the one registering.
        w.s()
            .register_researcher("44021@gemeente.test", "Iemand", howest, common::CLIENT)
            .await
            .unwrap();
        let admin = w.admin().await;
        let mails = w.s().outbox(&admin, 10).await.unwrap();
        assert!(mails[0].body.contains("exists already"));
    }
);

story!(an_expired_token_or_session_is_refused, "2020-05-18T08:00:00Z", |w| {
    let gent = w.municipality(GENT).await;
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    {
        let mut tx = w.s().store.write().await.unwrap();
        tx.insert_token(
            "expired-token-hash",
            gent.person_id,
            Some("old"),
            past - chrono::Duration::days(30),
            past,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // Tokens are kept hashed: the raw token whose hash this is cannot be named, so ask the store.
    let mut tx = w.s().store.read().await.unwrap();
    assert!(
        tx.person_by_token("expired-token-hash", chrono::Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        tx.person_by_token("expired-token-hash", past - chrono::Duration::days(1))
            .await
            .unwrap()
            .is_some()
    );
    assert!(tx.session("no-such-session", chrono::Utc::now()).await.unwrap().is_none());
    drop(tx);
    assert!(matches!(w.s().authenticate("cv_unknown").await, Err(ServiceError::Unauthenticated)));
});
