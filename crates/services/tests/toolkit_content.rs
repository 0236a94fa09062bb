//! The toolkit's starting content (`crates/services/toolkit/`, issue 13): eight items of the
//! project's own writing, each in Dutch and in English, held to the format the toolkit reads —
//! front matter with closed-set values, sources cited in the text, playbook steps as numbered
//! lists that become checklists, templates with only the placeholders the platform fills in —
//! and written out as DOCX and PDF.

use cyberveilig_domain::awareness::Audience;
use cyberveilig_publish::{Block, Document, docx, markdown, pdf};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    slug: String,
    kind: String,
    category: String,
    audience: Vec<String>,
    tags: Vec<String>,
    title: String,
    summary: String,
    sources: Vec<String>,
}

struct Item {
    front: FrontMatter,
    body: String,
}

const SLUGS: [&str; 8] = [
    "ransomware-playbook",
    "phishing-playbook",
    "business-continuity-template",
    "information-security-policy-template",
    "backup-policy-template",
    "password-mfa-policy",
    "supplier-security-clauses",
    "staff-awareness-kit",
];
const INLINE: [&str; 4] = ["{{government_name}}", "{{nis_code}}", "{{disclosure_contact}}", "{{today}}"];
const BLOCKS: [&str; 2] = ["{{contacts}}", "{{assets}}"];

fn read(slug: &str, language: &str) -> Item {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("toolkit")
        .join(format!("{slug}.{language}.md"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rest = text
        .strip_prefix("+++\n")
        .unwrap_or_else(|| panic!("{slug}.{language}: front matter first"));
    let (front, body) = rest
        .split_once("\n+++\n")
        .unwrap_or_else(|| panic!("{slug}.{language}: front matter closed"));
    let front: FrontMatter = toml::from_str(front).unwrap_or_else(|e| panic!("{slug}.{language}: {e}"));
    Item {
        front,
        body: body.to_owned(),
    }
}

/// Ordered-list items per `##` section: a playbook's checklist.
fn steps(body: &str) -> BTreeMap<usize, usize> {
    let mut per_section = BTreeMap::new();
    let mut section = 0;
    for block in markdown::to_blocks(body) {
        match block {
            Block::Heading { level: 2, .. } => section += 1,
            Block::List { ordered: true, items, .. } => *per_section.entry(section).or_default() += items.len(),
            _ => {}
        }
    }
    per_section
}

fn placeholders(text: &str) -> Vec<String> {
    text.match_indices("{{")
        .map(|(i, _)| text[i..].split_once("}}").map(|(p, _)| format!("{p}}}}}")).unwrap_or_default())
        .collect()
}

#[test]
fn eight_items_in_dutch_and_english_in_the_toolkits_format() {
    let files = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("toolkit"))
        .unwrap()
        .count();
    assert_eq!(files, 17, "16 items and the folder's README");
    for slug in SLUGS {
        let (nl, en) = (read(slug, "nl"), read(slug, "en"));
        for item in [&nl, &en] {
            let f = &item.front;
            assert_eq!(f.slug, slug);
            assert!(
                ["guide", "playbook", "template", "information"].contains(&f.kind.as_str()),
                "{slug}: kind {}",
                f.kind
            );
            assert!(
                ["preventive", "curative"].contains(&f.category.as_str()),
                "{slug}: category {}",
                f.category
            );
            assert!(
                !f.audience.is_empty() && f.audience.iter().all(|a| a.parse::<Audience>().is_ok()),
                "{slug}: audience"
            );
            assert!(!f.title.is_empty() && !f.summary.is_empty() && !f.tags.is_empty());
            assert!(!f.summary.contains("{{"), "{slug}: a summary is read in the library, unfilled");
            assert!(!f.sources.is_empty());
            for source in &f.sources {
                assert!(source.starts_with("https://"), "{slug}: {source}");
                assert!(
                    item.body.contains(source.trim_end_matches('/')),
                    "{slug}: the source {source} is cited in the text"
                );
            }
            assert!(
                !item.body.contains('<') || item.body.matches('<').count() == item.body.matches("<https://").count(),
                "{slug}: no raw HTML"
            );
            let words = item.body.split_whitespace().count();
            assert!((250..=1_500).contains(&words), "{slug}: {words} words");
            for p in placeholders(&item.body) {
                assert!(
                    INLINE.contains(&p.as_str()) || BLOCKS.contains(&p.as_str()),
                    "{slug}: unknown placeholder {p}"
                );
            }
            for block in BLOCKS {
                for line in item.body.lines().filter(|l| l.contains(block)) {
                    assert_eq!(line.trim(), block, "{slug}: {block} stands alone on its line");
                }
            }
        }
        // The English is a faithful translation: the same kind, audience, sources' count and structure.
        assert_eq!(
            (&nl.front.kind, &nl.front.category, &nl.front.audience),
            (&en.front.kind, &en.front.category, &en.front.audience),
            "{slug}"
        );
        assert_eq!(nl.front.sources.len(), en.front.sources.len(), "{slug}");
        assert_eq!(
            placeholders(&nl.body),
            placeholders(&en.body),
            "{slug}: the same placeholders in the same order"
        );
        assert_eq!(steps(&nl.body), steps(&en.body), "{slug}: the same steps in the same sections");
        match nl.front.kind.as_str() {
            "playbook" => assert!(
                steps(&nl.body).values().sum::<usize>() >= 12 && steps(&nl.body).len() >= 4,
                "{slug}: a checklist of phases"
            ),
            "template" => assert!(
                nl.body.contains("{{government_name}}") && BLOCKS.iter().any(|b| nl.body.contains(b)),
                "{slug}: filled in per government"
            ),
            _ => {}
        }
    }
    assert_eq!(read("staff-awareness-kit", "nl").front.kind, "information", "the public subset");
}

#[test]
fn every_item_writes_out_as_docx_and_pdf() {
    for slug in SLUGS {
        for language in ["nl", "en"] {
            let item = read(slug, language);
            let document = Document {
                title: item.front.title.clone(),
                subtitle: Some(item.front.summary.clone()),
                language: language.to_owned(),
                blocks: markdown::to_blocks(&item.body),
            };
            let text = docx::plain_text(&docx::render(&document).unwrap()).unwrap();
            assert!(text.contains(&item.front.title), "{slug}.{language}");
            assert!(pdf::render(&document).unwrap().starts_with(b"%PDF-"), "{slug}.{language}");
        }
    }
}
