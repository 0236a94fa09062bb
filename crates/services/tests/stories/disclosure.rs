//! Coordinated vulnerability disclosure (issue 5, items 1 and 2): VVSG's model, a government's
//! policy adopted, adapted and published in versions, its security.txt, and the reminder.

use super::*;
use cyberveilig_domain::disclosure::{PolicyContent, ResponseTargets};
use cyberveilig_services::AccountPolicy;
use cyberveilig_services::disclosure::check_security_txt;
use sectxtlib::{SecurityTxt, SecurityTxtOptions};

fn nis(text: &str) -> cyberveilig_domain::registry::NisCode {
    text.parse().unwrap()
}

async fn outbox_to(w: &World, address: &str) -> usize {
    let admin = w.admin().await;
    w.s()
        .outbox(&admin, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.to.as_str() == address && m.subject.contains("security.txt"))
        .count()
}

// VVSG edits and publishes the model; Gent adopts it, adapts it, publishes version 1 and then
// version 2; the public sees version 2 while version 1 stays readable.
story!(vvsg_models_gent_adopts_adapts_and_publishes_twice, "2020-10-01T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let gent = w.municipality(GENT).await;
    let services = w.s().clone().with_accounts(AccountPolicy::demo("https://cyberveilig.test"));
    let s = &services;

    // Nothing published yet: the public gets a 404, Gent cannot adopt, defaults hold.
    assert!(matches!(s.public_policy(&nis(GENT), None).await, Err(ServiceError::NotFound(_))));
    assert!(matches!(s.security_txt(&nis(GENT)).await, Err(ServiceError::NotFound(_))));
    let err = s.adopt_model(&gent, &nis(GENT)).await.unwrap_err();
    assert!(matches!(err, ServiceError::Conflict { code: "no_model_yet", .. }), "{err:?}");
    let gent_id = w.organisation_id(GENT).await;
    assert_eq!(s.disclosure_targets(gent_id).await.unwrap(), ResponseTargets::default());

    // VVSG starts from the initial text, sharpens it, publishes version 1 of the model.
    let draft = s.model_draft(&vvsg).await.unwrap();
    assert!(!draft.saved);
    assert!(draft.content.safe_harbour.nl.contains("Centrum voor Cybersecurity België"));
    assert!(draft.content.safe_harbour.en.contains("Centre for Cybersecurity Belgium"));
    let mut model = draft.content.clone();
    model.intro.nl.push_str("\n\nVragen? Uw bestuur helpt u verder.");
    model.intro.en.push_str("\n\nQuestions? Your government will help.");
    s.save_model_draft(&vvsg, model).await.unwrap();
    let published_model = s.publish_model(&vvsg).await.unwrap();
    assert_eq!(published_model.version, 1);
    assert!(s.model_policy().await.unwrap().content.intro.en.ends_with("will help."));
    // Only VVSG edits the model.
    assert!(matches!(s.publish_model(&gent).await, Err(ServiceError::Forbidden)));

    // Gent adopts it: a copy to adapt.
    let adopted = s.adopt_model(&gent, &nis(GENT)).await.unwrap();
    assert_eq!(adopted.model_version, Some(1));
    assert!(adopted.saved);
    // Publishing it unadapted is refused: no contact, nothing in scope; nothing is written.
    let entries = w.log_entries().await;
    let err = s.publish_policy(&gent, &nis(GENT), None).await.unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::Conflict {
                code: "draft_incomplete",
                ref message_en,
                ..
            } if message_en.contains("email address")
        ),
        "{err:?}"
    );
    assert_eq!(w.log_entries().await, entries);

    let mut content = adopted.content.clone();
    content.contact_email = "CERT@stad.gent".into();
    s.save_policy_draft(&gent, &nis(GENT), content.clone()).await.unwrap();
    let err = s.publish_policy(&gent, &nis(GENT), None).await.unwrap_err();
    assert!(
        matches!(err, ServiceError::Conflict { code: "draft_incomplete", ref message_en, .. } if message_en.contains("in scope")),
        "{err:?}"
    );
    content.in_scope = vec!["stad.gent".into(), "  ".into(), "mijn.gent.be".into()];
    content.targets = ResponseTargets {
        acknowledge_days: 3,
        triage_days: 8,
    };
    let saved = s.save_policy_draft(&gent, &nis(GENT), content.clone()).await.unwrap();
    assert_eq!(saved.content.in_scope, ["stad.gent", "mijn.gent.be"]);
    assert_eq!(saved.content.contact_email, "cert@stad.gent");
    // An expiry a year or more away is refused.
    let err = s.publish_policy(&gent, &nis(GENT), Some(d(2021, 10, 1))).await.unwrap_err();
    assert!(matches!(err, ServiceError::Invalid { field: "expires_on", .. }), "{err:?}");
    let v1 = s.publish_policy(&gent, &nis(GENT), None).await.unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(v1.model_version, Some(1));
    assert_eq!(
        v1.expires_at.unwrap(),
        at("2021-09-01T22:00:00Z"),
        "eleven months, to the end of the day in Brussels"
    );
    assert_eq!(
        s.disclosure_targets(gent_id).await.unwrap(),
        ResponseTargets {
            acknowledge_days: 3,
            triage_days: 8
        }
    );

    // A month later Gent adapts again and publishes version 2.
    w.advance_days(30).await;
    let mut v2_content = content.clone();
    v2_content
        .out_of_scope
        .push("De website van de bibliotheek (bij een leverancier)".into());
    v2_content.credit = false;
    s.save_policy_draft(&gent, &nis(GENT), v2_content).await.unwrap();
    let v2 = s.publish_policy(&gent, &nis(GENT), Some(d(2021, 6, 30))).await.unwrap();
    assert_eq!(v2.version, 2);

    let public = s.public_policy(&nis(GENT), None).await.unwrap();
    assert_eq!(public.policy.version, 2);
    assert_eq!(public.current_version, 2);
    assert_eq!(public.versions.iter().map(|v| v.version).collect::<Vec<_>>(), [2, 1]);
    assert!(!public.policy.content.credit);
    let old = s.public_policy(&nis(GENT), Some(1)).await.unwrap();
    assert_eq!(old.policy.version, 1);
    assert!(old.policy.content.credit, "version 1 is kept as published");
    assert!(matches!(s.public_policy(&nis(GENT), Some(3)).await, Err(ServiceError::NotFound(_))));

    // The security.txt follows version 2, and RFC 9116's parser accepts it with every field.
    let file = s.security_txt(&nis(GENT)).await.unwrap();
    assert!(file.problems.is_empty(), "{:?}", file.problems);
    let parsed = SecurityTxt::parse_with(&file.text, &SecurityTxtOptions::new().with_now(w.now())).unwrap();
    let contacts: Vec<&str> = parsed.contact.iter().map(|c| c.uri.as_str()).collect();
    assert_eq!(contacts, ["mailto:cert@stad.gent", "https://cyberveilig.test/g/44021/melden"]);
    assert_eq!(
        parsed.canonical.iter().map(|c| c.uri.as_str()).collect::<Vec<_>>(),
        ["https://cyberveilig.test/g/44021/.well-known/security.txt"]
    );
    assert_eq!(
        parsed.policy.iter().map(|c| c.uri.as_str()).collect::<Vec<_>>(),
        ["https://cyberveilig.test/g/44021/beleid", "https://cyberveilig.test/g/44021/policy"]
    );
    assert!(parsed.preferred_languages.is_some());
    assert!(file.text.contains("Preferred-Languages: nl, en\n"));
    assert!(file.text.contains("Expires: 2021-06-30T22:00:00Z\n"));
    assert!(parsed.acknowledgments.is_empty(), "version 2 gives no credit");
    assert!(parsed.encryption.is_empty());
    // Version 1 gave credit: its file had Acknowledgments.
    let v1_text = cyberveilig_services::disclosure::write_security_txt(
        &public.government,
        &old.policy,
        &cyberveilig_services::disclosure::Links::new("https://cyberveilig.test", &nis(GENT)),
        old.policy.expires_at.unwrap(),
        None,
    );
    assert!(v1_text.contains("Acknowledgments: https://cyberveilig.test/g/44021/dank\n"));
    assert!(check_security_txt(&v1_text, w.now()).is_empty());

    // Gent's own copy names its own domain as canonical too.
    let own = s.security_txt_download(&gent, &nis(GENT), Some("Stad.Gent")).await.unwrap();
    assert!(own.text.contains("Canonical: https://stad.gent/.well-known/security.txt\n"));
    assert!(check_security_txt(&own.text, w.now()).is_empty());
    assert!(s.security_txt_download(&gent, &nis(GENT), Some("not a domain")).await.is_err());

    // Every step is in the audit log, and the chain holds.
    assert!(w.log_entries().await > entries);
});

story!(nobody_else_edits_gents_policy, "2020-10-01T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let gent = w.municipality(GENT).await;
    let antwerpen = w.municipality(ANTWERPEN).await;
    let admin = w.admin().await;
    let ey = w.actor("ey@firms.test").await;
    let s = w.s();
    s.publish_model(&vvsg).await.unwrap();
    s.adopt_model(&gent, &nis(GENT)).await.unwrap();
    let entries = w.log_entries().await;
    for other in [&antwerpen, &admin, &ey, &vvsg] {
        assert!(
            s.policy_draft(other, &nis(GENT)).await.is_err(),
            "{} reads Gent's draft",
            other.email
        );
        assert!(s.adopt_model(other, &nis(GENT)).await.is_err());
        assert!(
            s.save_policy_draft(other, &nis(GENT), PolicyContent::default()).await.is_err(),
            "{} edits Gent's draft",
            other.email
        );
        assert!(s.publish_policy(other, &nis(GENT), None).await.is_err());
    }
    for not_vvsg in [&gent, &admin, &ey] {
        assert!(matches!(s.model_draft(not_vvsg).await, Err(ServiceError::Forbidden)));
        assert!(matches!(
            s.save_model_draft(not_vvsg, PolicyContent::default()).await,
            Err(ServiceError::Forbidden)
        ));
    }
    assert_eq!(w.log_entries().await, entries, "refusals write nothing");
    // Bad input is refused whole, with a message in both languages.
    let bad = PolicyContent {
        contact_email: "geen adres".into(),
        ..PolicyContent::default()
    };
    match s.save_policy_draft(&gent, &nis(GENT), bad).await.unwrap_err() {
        ServiceError::Invalid {
            field,
            message_en,
            message_nl,
        } => {
            assert_eq!(field, "contact_email");
            assert!(message_en.contains("email") && message_nl.contains("e-mailadres"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.log_entries().await, entries);
});

// Thirty days before Gent's security.txt expires its members are mailed, once; after it
// expires the platform no longer serves it.
story!(the_expiry_reminder_goes_out_once, "2020-10-01T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let gent = w.municipality(GENT).await;
    let s = w.s();
    s.publish_model(&vvsg).await.unwrap();
    let mut content = s.adopt_model(&gent, &nis(GENT)).await.unwrap().content;
    content.contact_email = "cert@stad.gent".into();
    content.in_scope = vec!["stad.gent".into()];
    s.save_policy_draft(&gent, &nis(GENT), content).await.unwrap();
    s.publish_policy(&gent, &nis(GENT), Some(d(2021, 1, 31))).await.unwrap();

    w.advance_to("2020-12-31T08:00:00Z").await;
    assert_eq!(s.remind_expiring_security_txt().await.unwrap(), 0);
    assert_eq!(outbox_to(&w, "44021@gemeente.test").await, 0);
    // 1 January 2021 is 30 days before 31 January: the reminder falls due, once.
    w.advance_to("2021-01-01T08:00:00Z").await;
    assert_eq!(outbox_to(&w, "44021@gemeente.test").await, 1);
    assert!(s.security_txt(&nis(GENT)).await.is_ok());
    w.advance_to("2021-01-20T08:00:00Z").await;
    assert_eq!(s.remind_expiring_security_txt().await.unwrap(), 0);
    assert_eq!(outbox_to(&w, "44021@gemeente.test").await, 1, "reminded once");
    // The last day it is still served; the day after not.
    w.advance_to("2021-01-31T22:00:00Z").await;
    assert!(s.security_txt(&nis(GENT)).await.is_ok());
    w.advance_to("2021-02-01T08:00:00Z").await;
    assert!(matches!(s.security_txt(&nis(GENT)).await, Err(ServiceError::NotFound(_))));
    let view = s.policy_draft(&gent, &nis(GENT)).await.unwrap();
    assert!(view.security_txt.unwrap().expired, "the government sees it expired");
    // The policy itself stays public.
    assert!(s.public_policy(&nis(GENT), None).await.is_ok());
    // Publishing again renews it, and a new reminder will come for the new version.
    s.publish_policy(&gent, &nis(GENT), None).await.unwrap();
    assert!(s.security_txt(&nis(GENT)).await.is_ok());
    assert_eq!(outbox_to(&w, "44021@gemeente.test").await, 1);
});
