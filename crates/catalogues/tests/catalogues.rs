//! The loader: the built-in baseline, a library in CISO Assistant's format, and bad files.

use cyberveilig_catalogues::{BASELINE_URN, CatalogueError, MAX_BYTES, baseline, parse};
use std::collections::HashSet;

const FIXTURE: &str = include_str!("data/ciso_fixture.yaml");

#[test]
fn the_baseline_has_thirty_controls_over_the_six_areas_in_both_languages() {
    let c = baseline().expect("the built-in baseline reads");
    assert_eq!(c.urn, BASELINE_URN);
    assert!(c.controls.len() >= 30, "{} controls", c.controls.len());
    let areas: Vec<&str> = c.areas.iter().map(|a| a.ref_id.as_str()).collect();
    assert_eq!(areas, ["BA.ROL", "BA.TEC", "BA.TOE", "BA.CON", "BA.BEW", "BA.FYS"]);
    for area in &c.areas {
        assert!(c.controls.iter().any(|k| k.area == area.ref_id), "{} has no control", area.ref_id);
        assert!(!area.name.nl.is_empty() && !area.name.en.is_empty() && area.name.nl != area.name.en);
    }
    let mut ids = HashSet::new();
    for k in &c.controls {
        assert!(ids.insert(&k.ref_id), "{} twice", k.ref_id);
        assert!(k.ref_id.starts_with(&format!("{}.", k.area)), "{} in {}", k.ref_id, k.area);
        for (what, t) in [("title", &k.title), ("guidance", &k.guidance), ("evidence", &k.evidence)] {
            assert!(!t.nl.is_empty() && !t.en.is_empty(), "{} {what} is empty in a language", k.ref_id);
            assert_ne!(t.nl, t.en, "{} {what} is not translated", k.ref_id);
        }
    }
}

#[test]
fn a_ciso_assistant_library_becomes_a_catalogue() {
    let c = parse(FIXTURE.as_bytes()).unwrap();
    assert_eq!(
        (c.urn.as_str(), c.version, c.ref_id.as_str()),
        ("urn:cyberveilig:test:library:fixture", 3, "FIXTURE-1")
    );
    assert_eq!((c.name.nl.as_str(), c.name.en.as_str()), ("Testraamwerk", "Fixture framework"));
    assert_eq!(c.provider.as_deref(), Some("cyberveilig tests"));
    // Areas are the top-level ancestors, with their translations.
    assert_eq!(c.areas.len(), 2);
    assert_eq!((c.areas[0].ref_id.as_str(), c.areas[0].name.nl.as_str()), ("GV", "BESTUREN (GV)"));
    assert_eq!(c.areas[1].name.nl, "PROTECT (PR)", "no Dutch: the English name");
    // Only assessable nodes are controls; a nested one belongs to its depth-1 ancestor.
    let ids: Vec<(&str, &str)> = c.controls.iter().map(|k| (k.ref_id.as_str(), k.area.as_str())).collect();
    assert_eq!(ids, [("GV.1.1", "GV"), ("GV.1.2", "GV"), ("2.1", "PR")]);
    // A node without a name: its description is the title, its annotation the guidance.
    let first = &c.controls[0];
    assert_eq!(first.title.en, "Someone answers for security.");
    assert_eq!(first.title.nl, "Iemand staat in voor beveiliging.");
    assert_eq!(first.guidance.nl, "Zoek een schriftelijk mandaat.");
    // With a name, the description is the guidance; typical_evidence the evidence.
    let backups = &c.controls[2];
    assert_eq!(
        (backups.title.en.as_str(), backups.guidance.en.as_str()),
        ("Backups", "Backups are kept offline.")
    );
    assert_eq!(backups.evidence.nl, "A backup report.");
    assert!(c.controls[1].evidence.en.is_empty());
    // A node with no text at all is titled by its id.
    let bare = parse(
        FIXTURE
            .replace("      name: Budget\n      description: Security has a budget line.\n", "")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        (bare.controls[1].title.nl.as_str(), bare.controls[1].guidance.en.as_str()),
        ("GV.1.2", "")
    );
}

type Check = fn(&CatalogueError) -> bool;

fn error_of(text: &str) -> CatalogueError {
    match parse(text.as_bytes()) {
        Err(e) => e,
        Ok(c) => panic!("read a bad file: {c:?}"),
    }
}

fn both_languages(e: &CatalogueError) {
    assert!(!e.message_en().is_empty() && !e.message_nl().is_empty());
    assert_ne!(e.message_en(), e.message_nl());
}

#[test]
fn bad_files_say_what_is_wrong_in_both_languages() {
    let cases: Vec<(String, Check)> = vec![
        ("urn: [unclosed".into(), |e| matches!(e, CatalogueError::Yaml(_))),
        ("just text".into(), |e| matches!(e, CatalogueError::Yaml(_))),
        (FIXTURE.replace("urn: urn:cyberveilig:test:library:fixture\n", ""), |e| {
            matches!(e, CatalogueError::Missing { field: "urn", node: None })
        }),
        (FIXTURE.replace("    requirement_nodes:", "    nodes:"), |e| {
            matches!(
                e,
                CatalogueError::Missing {
                    field: "objects.framework.requirement_nodes",
                    ..
                }
            )
        }),
        (
            FIXTURE.replace("ref_id: 2.1", "ref_id: GV.1.2"),
            |e| matches!(e, CatalogueError::Duplicate(id) if id == "GV.1.2"),
        ),
        (FIXTURE.replace("fixture:gv.1.2\n", "fixture:gv.1.1\n"), |e| {
            matches!(e, CatalogueError::Duplicate(_))
        }),
        (
            FIXTURE.replace("parent_urn: urn:cyberveilig:test:req_node:fixture:pr\n", "parent_urn: urn:x\n"),
            |e| matches!(e, CatalogueError::UnknownParent { .. }),
        ),
        (FIXTURE.replace("assessable: true", "assessable: false"), |e| {
            matches!(e, CatalogueError::NoControls)
        }),
        (
            FIXTURE
                .replace("\nname: Fixture framework\n", "\n")
                .replace("translations:\n  nl:\n    name: Testraamwerk\n", ""),
            |e| matches!(e, CatalogueError::Missing { field: "name", node: None }),
        ),
        (
            FIXTURE.replace(
                "      depth: 1\n      ref_id: GV\n",
                "      depth: 1\n      parent_urn: urn:cyberveilig:test:req_node:fixture:gv.1\n      ref_id: GV\n",
            ),
            |e| matches!(e, CatalogueError::Cycle(_)),
        ),
        (
            FIXTURE.replace("Backups are kept offline.", &"x".repeat(20_001)),
            |e| matches!(e, CatalogueError::TextTooLong(n) if n == "2.1"),
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let e = error_of(text);
        assert!(expected(&e), "case {i}: {e:?}");
        both_languages(&e);
    }
    let e = parse(&[0xff, 0xfe, 0x00]).unwrap_err();
    assert_eq!(e, CatalogueError::NotUtf8);
    both_languages(&e);
    let e = parse(&vec![b' '; MAX_BYTES + 1]).unwrap_err();
    assert!(matches!(e, CatalogueError::TooLarge { .. }));
    both_languages(&e);
}

#[test]
fn alias_bombs_do_not_expand_without_end() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9 {
        let prev = if i == 0 { "a".to_string() } else { format!("b{}", i - 1) };
        text.push_str(&format!(
            "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
    }
    text.push_str("urn: x\nname: y\nobjects: {framework: {requirement_nodes: []}}\n");
    // Whatever the reader says, it answers (the test would hang or run out of memory otherwise).
    assert!(parse(text.as_bytes()).is_err());
}
