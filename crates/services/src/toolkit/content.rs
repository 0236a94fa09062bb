//! The toolkit's starting content: eight items of the project's own writing, in Dutch and
//! English (`crates/services/toolkit/`), built into the binary so an installation can load them
//! without the repository. VVSG loads them once; after that the platform's copy is the one that
//! counts.

use super::{ContentInput, ItemInput};
use crate::error::{Result, ServiceError};
use cyberveilig_domain::awareness::Audience;
use serde::Deserialize;

/// Slug, Dutch file, English file.
const FILES: [(&str, &str, &str); 8] = [
    (
        "ransomware-playbook",
        include_str!("../../toolkit/ransomware-playbook.nl.md"),
        include_str!("../../toolkit/ransomware-playbook.en.md"),
    ),
    (
        "phishing-playbook",
        include_str!("../../toolkit/phishing-playbook.nl.md"),
        include_str!("../../toolkit/phishing-playbook.en.md"),
    ),
    (
        "business-continuity-template",
        include_str!("../../toolkit/business-continuity-template.nl.md"),
        include_str!("../../toolkit/business-continuity-template.en.md"),
    ),
    (
        "information-security-policy-template",
        include_str!("../../toolkit/information-security-policy-template.nl.md"),
        include_str!("../../toolkit/information-security-policy-template.en.md"),
    ),
    (
        "backup-policy-template",
        include_str!("../../toolkit/backup-policy-template.nl.md"),
        include_str!("../../toolkit/backup-policy-template.en.md"),
    ),
    (
        "password-mfa-policy",
        include_str!("../../toolkit/password-mfa-policy.nl.md"),
        include_str!("../../toolkit/password-mfa-policy.en.md"),
    ),
    (
        "supplier-security-clauses",
        include_str!("../../toolkit/supplier-security-clauses.nl.md"),
        include_str!("../../toolkit/supplier-security-clauses.en.md"),
    ),
    (
        "staff-awareness-kit",
        include_str!("../../toolkit/staff-awareness-kit.nl.md"),
        include_str!("../../toolkit/staff-awareness-kit.en.md"),
    ),
];

#[derive(Deserialize)]
struct FrontMatter {
    slug: String,
    kind: String,
    category: String,
    audience: Vec<String>,
    tags: Vec<String>,
    title: String,
    summary: String,
}

fn broken(slug: &str, what: impl std::fmt::Display) -> ServiceError {
    ServiceError::internal("toolkit_content", format!("{slug}: {what}"))
}

fn split(slug: &str, text: &str) -> Result<(FrontMatter, String)> {
    let rest = text.strip_prefix("+++\n").ok_or_else(|| broken(slug, "front matter first"))?;
    let (front, body) = rest.split_once("\n+++\n").ok_or_else(|| broken(slug, "front matter closed"))?;
    let front: FrontMatter = toml::from_str(front).map_err(|e| broken(slug, e))?;
    Ok((front, body.trim().to_owned()))
}

/// The shipped items, ready to be created.
pub fn shipped() -> Result<Vec<ItemInput>> {
    FILES
        .iter()
        .map(|(slug, nl, en)| {
            let (front, body_nl) = split(slug, nl)?;
            let (front_en, body_en) = split(slug, en)?;
            if front.slug != *slug || front_en.slug != *slug {
                return Err(broken(slug, "the slug differs from the file's"));
            }
            Ok(ItemInput {
                slug: front.slug,
                kind: front.kind.parse().map_err(|_| broken(slug, "kind"))?,
                category: front.category.parse().map_err(|_| broken(slug, "category"))?,
                audience: front
                    .audience
                    .iter()
                    .map(|a| a.parse::<Audience>().map_err(|_| broken(slug, "audience")))
                    .collect::<Result<_>>()?,
                tags: front.tags,
                content: ContentInput {
                    title_nl: front.title,
                    summary_nl: front.summary,
                    body_nl,
                    title_en: front_en.title,
                    summary_en: front_en.summary,
                    body_en,
                },
            })
        })
        .collect()
}
