//! VVSG's toolkit (TK-1..TK-8): VVSG writes, a second person publishes, a published version never
//! changes; governments read, search, download templates filled in for them and work through
//! playbooks; information material is public; use is counted per organisation.

use super::*;
use cyberveilig_domain::toolkit::{ItemKind, StepState, UseKind, VersionState};
use cyberveilig_services::store::records::{NewPerson, ToolkitFilter};
use cyberveilig_services::toolkit::{ExerciseInput, Format, ItemInput, content};

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

/// A second person of VVSG, who reviews what the first submits.
async fn reviewer(w: &World) -> Actor {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    {
        let mut tx = w.s().store.write().await.unwrap();
        tx.insert_person(&NewPerson {
            organisation_id: vvsg.organisation_id,
            email: "redactie@vvsg.test".parse().unwrap(),
            name: "Redactie VVSG".into(),
            role: cyberveilig_domain::registry::Role::AssociationMember,
            password_hash: "-".into(),
            language: "nl".into(),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    w.actor("redactie@vvsg.test").await
}

fn shipped(slug: &str) -> ItemInput {
    content::shipped().unwrap().into_iter().find(|i| i.slug == slug).unwrap()
}

/// Every shipped item, written by VVSG and published by its second person; their ids by slug.
async fn publish_all(w: &World) -> Vec<(String, i64)> {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let second = reviewer(w).await;
    let mut ids = Vec::new();
    for input in content::shipped().unwrap() {
        let slug = input.slug.clone();
        let view = w.s().create_toolkit_item(&vvsg, input).await.unwrap();
        w.s().submit_toolkit_version(&vvsg, view.item.id).await.unwrap();
        w.s().review_toolkit_version(&second, view.item.id, true, "").await.unwrap();
        ids.push((slug, view.item.id));
    }
    ids
}

fn id_of(ids: &[(String, i64)], slug: &str) -> i64 {
    ids.iter().find(|(s, _)| s == slug).unwrap().1
}

fn page() -> ToolkitFilter {
    ToolkitFilter {
        limit: 50,
        ..Default::default()
    }
}

story!(
    vvsg_writes_a_second_person_publishes_and_a_published_version_never_changes,
    "2021-06-15T08:00:00Z",
    |w| {
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let second = reviewer(&w).await;
        let gent = w.municipality(GENT).await;
        assert!(matches!(
            w.s().create_toolkit_item(&gent, shipped("ransomware-playbook")).await,
            Err(ServiceError::Forbidden)
        ));
        // TK-1: what an item must say.
        let mut bad = shipped("ransomware-playbook");
        bad.slug = "Ransomware Playbook".into();
        assert_eq!(code_of(w.s().create_toolkit_item(&vvsg, bad).await.unwrap_err()), "slug");
        let mut bad = shipped("ransomware-playbook");
        bad.content.body_en = String::new();
        assert_eq!(code_of(w.s().create_toolkit_item(&vvsg, bad).await.unwrap_err()), "title_en");
        let mut bad = shipped("ransomware-playbook");
        bad.audience.clear();
        assert_eq!(code_of(w.s().create_toolkit_item(&vvsg, bad).await.unwrap_err()), "audience");

        let draft = w.s().create_toolkit_item(&vvsg, shipped("ransomware-playbook")).await.unwrap();
        let id = draft.item.id;
        assert_eq!((draft.version.number, draft.version.state), (1, VersionState::Draft));
        assert_eq!(
            code_of(w.s().create_toolkit_item(&vvsg, shipped("ransomware-playbook")).await.unwrap_err()),
            "slug_taken"
        );
        // A draft is VVSG's alone.
        assert!(w.s().toolkit_library(Some(&gent), page()).await.unwrap().is_empty());
        assert!(matches!(w.s().toolkit_item(Some(&gent), id).await, Err(ServiceError::NotFound(_))));

        // TK-2: a second person publishes.
        w.s().submit_toolkit_version(&vvsg, id).await.unwrap();
        assert_eq!(
            code_of(
                w.s()
                    .edit_toolkit_item(&vvsg, id, shipped("ransomware-playbook"))
                    .await
                    .unwrap_err()
            ),
            "not_a_draft"
        );
        assert_eq!(
            code_of(w.s().review_toolkit_version(&vvsg, id, true, "").await.unwrap_err()),
            "own_review"
        );
        assert_eq!(
            code_of(w.s().review_toolkit_version(&second, id, false, " ").await.unwrap_err()),
            "note"
        );
        let back = w
            .s()
            .review_toolkit_version(&second, id, false, "Bron bij stap 3 toevoegen.")
            .await
            .unwrap();
        assert_eq!(back.version.state, VersionState::Draft);
        w.s().submit_toolkit_version(&vvsg, id).await.unwrap();
        let published = w.s().review_toolkit_version(&second, id, true, "").await.unwrap();
        assert_eq!(published.version.state, VersionState::Published);
        let listed = w.s().toolkit_library(Some(&gent), page()).await.unwrap();
        assert_eq!(listed.len(), 1);
        let read = w.s().toolkit_item(Some(&gent), id).await.unwrap();
        assert!(read.versions.is_empty() && !read.may_edit);

        // TK-3: an edit of a published item is a new draft; governments go on reading version 1.
        let mut changed = shipped("ransomware-playbook");
        changed.content.title_nl = "Playbook ransomware (herzien)".into();
        let v2 = w.s().edit_toolkit_item(&vvsg, id, changed).await.unwrap();
        assert_eq!((v2.version.number, v2.version.state), (2, VersionState::Draft));
        assert_eq!(v2.versions.len(), 2);
        assert_eq!(
            v2.versions[1].title_nl, "Playbook ransomware-incident",
            "version 1 is as it was published"
        );
        let read = w.s().toolkit_item(Some(&gent), id).await.unwrap();
        assert_eq!(
            (read.version.number, read.version.title_nl.as_str()),
            (1, "Playbook ransomware-incident")
        );

        // TK-4: without an account only information material is there.
        assert!(matches!(w.s().toolkit_item(None, id).await, Err(ServiceError::NotFound(_))));
        let kit = w.s().create_toolkit_item(&vvsg, shipped("staff-awareness-kit")).await.unwrap();
        w.s().submit_toolkit_version(&vvsg, kit.item.id).await.unwrap();
        w.s().review_toolkit_version(&second, kit.item.id, true, "").await.unwrap();
        let public = w.s().toolkit_library(None, page()).await.unwrap();
        assert_eq!(public.len(), 1);
        assert_eq!(public[0].item.kind, ItemKind::Information);
        w.s().toolkit_item(None, kit.item.id).await.unwrap();
        // TK-7: Gent opened the playbook twice; nobody's name is kept.
        let used = w.s().toolkit_use(&vvsg, Some(id)).await.unwrap();
        assert_eq!(used.len(), 1);
        assert_eq!(
            (used[0].organisation.as_str(), used[0].kind, used[0].count),
            ("Gent", UseKind::Opened, 2)
        );
    }
);

story!(
    search_meets_inflected_words_in_dutch_and_english_with_filters,
    "2021-06-15T08:00:00Z",
    |w| {
        let ids = publish_all(&w).await;
        let gent = w.municipality(GENT).await;
        let found = |query: &'static str, filter: ToolkitFilter, who: Option<Actor>| {
            let s = w.s().clone();
            async move {
                s.search_toolkit(who.as_ref(), query, filter)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| e.item.slug)
                    .collect::<Vec<_>>()
            }
        };
        // Dutch plural, English singular: stemmed, they meet.
        assert!(
            found("wachtwoorden", page(), Some(gent.clone()))
                .await
                .contains(&"password-mfa-policy".to_owned())
        );
        assert!(
            found("passwords", page(), Some(gent.clone()))
                .await
                .contains(&"password-mfa-policy".to_owned())
        );
        let playbooks = ToolkitFilter {
            kind: Some(ItemKind::Playbook),
            ..page()
        };
        let hits = found("losgeld versleuteld", playbooks, Some(gent.clone())).await;
        assert_eq!(hits, ["ransomware-playbook"]);
        assert!(
            found("back-ups", page(), Some(gent.clone()))
                .await
                .contains(&"backup-policy-template".to_owned())
        );
        assert!(found("zzzqqq", page(), Some(gent.clone())).await.is_empty());
        // Quotes and operators are not syntax: the words are searched as words.
        let odd = found("\"' OR 1=1 -- ; NEAR(", page(), Some(gent.clone())).await;
        assert!(odd.len() <= 8);
        assert!(found("  ", page(), Some(gent.clone())).await.is_empty());
        // Without an account only information material is found.
        let public = found("phishing", page(), None).await;
        assert_eq!(public, ["staff-awareness-kit"]);
        assert!(id_of(&ids, "staff-awareness-kit") > 0);
    }
);

story!(
    a_template_is_filled_in_for_the_government_and_its_download_counts,
    "2021-06-15T08:00:00Z",
    |w| {
        let ids = publish_all(&w).await;
        let gent = w.municipality(GENT).await;
        let vvsg = w.actor("vvsg@vvsg.test").await;
        let template = id_of(&ids, "business-continuity-template");
        let (name, docx) = w.s().toolkit_document(Some(&gent), template, Format::Docx, true).await.unwrap();
        assert_eq!(name, "business-continuity-template.nl.docx");
        let text = cyberveilig_publish::docx::plain_text(&docx).unwrap();
        assert!(text.contains("Gent") && text.contains("44021"), "filled in for Gent");
        assert!(!text.contains("{{government_name}}") && !text.contains("{{contacts}}"), "{text}");
        assert!(text.contains("44021@gemeente.test"), "Gent's people are its contacts");
        let (name, pdf) = w.s().toolkit_document(Some(&gent), template, Format::Pdf, false).await.unwrap();
        assert_eq!(name, "business-continuity-template.en.pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        // VVSG sees the placeholders, and its downloads are not a government's use.
        let (_, docx) = w.s().toolkit_document(Some(&vvsg), template, Format::Docx, true).await.unwrap();
        assert!(
            cyberveilig_publish::docx::plain_text(&docx)
                .unwrap()
                .contains("{{government_name}}")
        );
        let used = w.s().toolkit_use(&gent, None).await.unwrap();
        assert_eq!(used.len(), 1);
        assert_eq!((used[0].kind, used[0].count), (UseKind::Downloaded, 2));
        let totals = w.s().toolkit_use_totals(&vvsg).await.unwrap();
        assert_eq!(totals.iter().find(|t| t.item_id == template).unwrap().downloaded, 1);
        assert!(matches!(w.s().toolkit_use_totals(&gent).await, Err(ServiceError::Forbidden)));
    }
);

story!(
    a_playbook_is_worked_through_as_a_checklist_and_rehearsed,
    "2020-05-18T08:00:00Z",
    |w| {
        let ids = publish_all(&w).await;
        let (gent, ey, order) = w.basic_audit_accepted_by_ey(GENT).await;
        let _ = (ey, order);
        let playbook = id_of(&ids, "phishing-playbook");
        let list = w.s().toolkit_checklist(&gent, playbook).await.unwrap();
        assert!(list.steps.len() >= 20, "{} steps", list.steps.len());
        assert_eq!(list.steps[0].number, 1);
        assert_eq!((list.progress, list.complete), (0, false));
        assert!(matches!(
            w.s().toolkit_checklist(&gent, id_of(&ids, "backup-policy-template")).await,
            Err(ServiceError::NotFound(_))
        ));
        assert_eq!(
            code_of(
                w.s()
                    .tick_checklist_step(&gent, playbook, 999, Some(StepState::Done))
                    .await
                    .unwrap_err()
            ),
            "step"
        );
        let numbers: Vec<i64> = list.steps.iter().map(|s| s.number).collect();
        let after = w
            .s()
            .tick_checklist_step(&gent, playbook, numbers[0], Some(StepState::Done))
            .await
            .unwrap();
        let tick = after.steps[0].tick.as_ref().unwrap();
        assert_eq!((tick.by_person, tick.state), (gent.person_id, StepState::Done));
        for n in &numbers[1..] {
            w.s()
                .tick_checklist_step(&gent, playbook, *n, Some(StepState::NotApplicable))
                .await
                .unwrap();
        }
        let done = w.s().toolkit_checklist(&gent, playbook).await.unwrap();
        assert_eq!((done.progress, done.complete), (100, true));
        // Antwerpen's checklist is its own.
        let antwerpen = w.municipality(ANTWERPEN).await;
        assert_eq!(w.s().toolkit_checklist(&antwerpen, playbook).await.unwrap().progress, 0);
        let used = w.s().toolkit_use(&gent, Some(playbook)).await.unwrap();
        assert!(used.iter().any(|u| u.kind == UseKind::Completed && u.count == 1));

        // An exercise on the playbook; a follow-up action becomes a finding in Gent's register.
        let exercise = w
            .s()
            .record_exercise(
                &gent,
                playbook,
                ExerciseInput {
                    held_on: d(2020, 5, 15),
                    participants: "Algemeen directeur, ICT, communicatie".into(),
                    lessons: "Niemand wist wie de back-ups terugzet.".into(),
                    actions: vec!["Contactlijst op papier bewaren".into(), " ".into(), "MFA voor webmail".into()],
                },
            )
            .await
            .unwrap();
        assert_eq!(exercise.actions.len(), 2);
        let exercise = w.s().exercise_action_to_finding(&gent, exercise.id, 2).await.unwrap();
        let finding_id = exercise.actions[1].finding_id.unwrap();
        let register = w
            .s()
            .findings(
                &gent,
                cyberveilig_services::store::records::FindingFilter {
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            register
                .iter()
                .any(|f| f.id == finding_id && f.title == "MFA voor webmail" && f.tool.as_str() == "exercise")
        );
        assert_eq!(
            code_of(w.s().exercise_action_to_finding(&gent, exercise.id, 2).await.unwrap_err()),
            "already_a_finding"
        );
        assert!(matches!(
            w.s().exercise_action_to_finding(&antwerpen, exercise.id, 1).await,
            Err(ServiceError::NotFound(_))
        ));
    }
);

story!(files_go_with_their_version, "2021-06-15T08:00:00Z", |w| {
    let vvsg = w.actor("vvsg@vvsg.test").await;
    let second = reviewer(&w).await;
    let gent = w.municipality(GENT).await;
    let id = w
        .s()
        .create_toolkit_item(&vvsg, shipped("staff-awareness-kit"))
        .await
        .unwrap()
        .item
        .id;
    let poster = cyberveilig_domain::document::simple_pdf(&["Affiche: meld phishing"]);
    assert_eq!(
        code_of(w.s().attach_toolkit_file(&vvsg, id, "x.exe", b"MZ\x90\x00\x03").await.unwrap_err()),
        "file"
    );
    assert!(matches!(
        w.s().attach_toolkit_file(&gent, id, "affiche.pdf", &poster).await,
        Err(ServiceError::Forbidden)
    ));
    let file = w.s().attach_toolkit_file(&vvsg, id, "../affiche.pdf", &poster).await.unwrap();
    assert_eq!(file.filename, "affiche.pdf");
    // Not for readers while a draft.
    assert!(matches!(
        w.s().toolkit_file(Some(&gent), id, file.id).await,
        Err(ServiceError::NotFound(_))
    ));
    w.s().submit_toolkit_version(&vvsg, id).await.unwrap();
    assert_eq!(
        code_of(w.s().attach_toolkit_file(&vvsg, id, "b.pdf", &poster).await.unwrap_err()),
        "not_a_draft"
    );
    w.s().review_toolkit_version(&second, id, true, "").await.unwrap();
    let (_, content) = w.s().toolkit_file(None, id, file.id).await.unwrap();
    assert_eq!(content, poster, "information material's files are public");
    assert_eq!(w.s().toolkit_item(Some(&gent), id).await.unwrap().files.len(), 1);
    // A new draft takes the files; the published version keeps its own.
    let draft = w.s().edit_toolkit_item(&vvsg, id, shipped("staff-awareness-kit")).await.unwrap();
    assert_eq!(draft.files.len(), 1);
    w.s().attach_toolkit_file(&vvsg, id, "tweede.txt", b"Tweede bestand").await.unwrap();
    assert_eq!(w.s().toolkit_item(Some(&gent), id).await.unwrap().files.len(), 1);
});
