//! VVSG's work package 1: the toolkit of guides, playbooks, templates and information material
//! (issue 13, part 2). What an item must say, how a version goes from draft to published (a second
//! person reviews it; a published version never changes), who may read it, how a template is
//! filled in for a government, how a checklist's progress is counted, and the words search
//! compares. Rules TK-1 to TK-8 in docs/RULES.md.

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::LazyLock;

closed_set!(
    /// What kind of item.
    ItemKind {
        Guide = "guide",
        /// Steps to follow in an incident; a government works through them as a checklist.
        Playbook = "playbook",
        /// A document a government fills in and adopts (a policy, a plan, contract clauses).
        Template = "template",
        /// Information material for staff: the public part of the toolkit.
        Information = "information",
    }
);

closed_set!(
    /// Before or after an incident.
    Category {
        Preventive = "preventive",
        Curative = "curative",
    }
);

closed_set!(
    /// Where a version stands (TK-2, TK-3).
    VersionState {
        /// Being written by VVSG.
        Draft = "draft",
        /// Submitted for review by a second person.
        InReview = "in_review",
        /// Published: read by governments, never changed again.
        Published = "published",
    }
);

closed_set!(
    /// What a government did with an item (TK-7).
    UseKind {
        Opened = "opened",
        Downloaded = "downloaded",
        /// Worked through every step of a playbook's checklist.
        Completed = "completed",
    }
);

closed_set!(
    /// A checklist step, once someone ticked it (TK-6).
    StepState {
        Done = "done",
        NotApplicable = "not_applicable",
    }
);

impl ItemKind {
    pub fn label(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (Self::Guide, true) => "gids",
            (Self::Guide, false) => "guide",
            (Self::Playbook, true) => "playbook",
            (Self::Playbook, false) => "playbook",
            (Self::Template, true) => "sjabloon",
            (Self::Template, false) => "template",
            (Self::Information, true) => "informatiemateriaal",
            (Self::Information, false) => "information material",
        }
    }

    /// TK-4: information material is readable without an account.
    pub fn is_public(self) -> bool {
        self == Self::Information
    }
}

impl Category {
    pub fn label(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (Self::Preventive, true) => "preventief",
            (Self::Preventive, false) => "preventive",
            (Self::Curative, true) => "curatief",
            (Self::Curative, false) => "curative",
        }
    }
}

impl VersionState {
    pub fn label(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (Self::Draft, true) => "ontwerp",
            (Self::Draft, false) => "draft",
            (Self::InReview, true) => "ter nalezing",
            (Self::InReview, false) => "in review",
            (Self::Published, true) => "gepubliceerd",
            (Self::Published, false) => "published",
        }
    }
}

pub const MAX_TITLE: usize = 200;
pub const MAX_SUMMARY: usize = 600;
pub const MAX_BODY: usize = 100_000;
pub const MAX_TAGS: usize = 12;
pub const MAX_TAG: usize = 40;
/// A slug: lower-case letters, digits and hyphens.
pub const MAX_SLUG: usize = 80;

/// Why a step on the toolkit is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolkitError {
    /// TK-1: a slug of lower-case letters, digits and hyphens.
    BadSlug,
    /// TK-1: at least one audience.
    NoAudience,
    /// TK-1: at most 12 tags of one word or a few, each at most 40 characters.
    BadTags,
    /// TK-1: the English version is whole (title, summary and body) or absent.
    EnglishIncomplete,
    /// TK-3: only a draft is edited.
    NotADraft,
    /// TK-2: only a draft is submitted for review.
    NotSubmittable,
    /// TK-2: only a version in review is published or sent back.
    NotInReview,
    /// TK-2: the person who submitted a version does not review it.
    OwnReview,
    /// TK-2: an item has one draft at a time.
    DraftExists,
    /// TK-1: the slug is taken.
    SlugTaken,
    /// TK-6: only a playbook has a checklist; the step is not one of its steps.
    NoSuchStep,
}

impl ToolkitError {
    pub fn conflict_code(self) -> Option<&'static str> {
        match self {
            Self::NotADraft => Some("not_a_draft"),
            Self::NotSubmittable => Some("not_submittable"),
            Self::NotInReview => Some("not_in_review"),
            Self::OwnReview => Some("own_review"),
            Self::DraftExists => Some("draft_exists"),
            Self::SlugTaken => Some("slug_taken"),
            _ => None,
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            Self::BadSlug | Self::SlugTaken => "slug",
            Self::NoAudience => "audience",
            Self::BadTags => "tags",
            Self::EnglishIncomplete => "title_en",
            Self::NoSuchStep => "step",
            _ => "version",
        }
    }

    pub fn message(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (Self::BadSlug, false) => "A slug of lower-case letters, digits and hyphens, at most 80.",
            (Self::BadSlug, true) => "Een slug van kleine letters, cijfers en koppeltekens, hoogstens 80.",
            (Self::NoAudience, false) => "Choose at least one audience.",
            (Self::NoAudience, true) => "Kies minstens één doelgroep.",
            (Self::BadTags, false) => "At most 12 tags of at most 40 characters each.",
            (Self::BadTags, true) => "Hoogstens 12 trefwoorden van elk hoogstens 40 tekens.",
            (Self::EnglishIncomplete, false) => "Give the English title, summary and text together, or none of them.",
            (Self::EnglishIncomplete, true) => "Geef de Engelse titel, samenvatting en tekst samen, of geen van drie.",
            (Self::NotADraft, false) => "Only a draft is edited; a published version never changes.",
            (Self::NotADraft, true) => "Enkel een ontwerp wordt bewerkt; een gepubliceerde versie verandert nooit.",
            (Self::NotSubmittable, false) => "Only a draft is submitted for review.",
            (Self::NotSubmittable, true) => "Enkel een ontwerp wordt ter nalezing voorgelegd.",
            (Self::NotInReview, false) => "This version is not waiting for review.",
            (Self::NotInReview, true) => "Deze versie wacht niet op nalezing.",
            (Self::OwnReview, false) => "A second person reviews a version: not the one who submitted it.",
            (Self::OwnReview, true) => "Een tweede persoon leest een versie na: niet wie ze voorlegde.",
            (Self::DraftExists, false) => "This item already has a version being written.",
            (Self::DraftExists, true) => "Dit item heeft al een versie in bewerking.",
            (Self::SlugTaken, false) => "Another item has this slug.",
            (Self::SlugTaken, true) => "Een ander item heeft deze slug.",
            (Self::NoSuchStep, false) => "This playbook has no such step.",
            (Self::NoSuchStep, true) => "Dit playbook heeft geen zo'n stap.",
        }
    }
}

/// TK-1: a slug names an item in addresses and files.
pub fn check_slug(slug: &str) -> Result<(), ToolkitError> {
    let ok = !slug.is_empty()
        && slug.len() <= MAX_SLUG
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok { Ok(()) } else { Err(ToolkitError::BadSlug) }
}

/// TK-1: tags are trimmed, lower-cased, one line each, without repeats.
pub fn check_tags(tags: &[String]) -> Result<Vec<String>, ToolkitError> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > MAX_TAG || !crate::text::is_plain_line(&tag) || tag.contains(',') {
            return Err(ToolkitError::BadTags);
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(ToolkitError::BadTags);
    }
    Ok(out)
}

/// TK-3: a version is edited while it is a draft.
pub fn may_edit(state: VersionState) -> Result<(), ToolkitError> {
    if state == VersionState::Draft {
        Ok(())
    } else {
        Err(ToolkitError::NotADraft)
    }
}

/// TK-2: a draft is submitted for review.
pub fn may_submit(state: VersionState) -> Result<(), ToolkitError> {
    if state == VersionState::Draft {
        Ok(())
    } else {
        Err(ToolkitError::NotSubmittable)
    }
}

/// TK-2: a version in review is published, or sent back to draft, by someone other than the
/// person who submitted it.
pub fn may_review(state: VersionState, submitted_by: Option<i64>, reviewer: i64) -> Result<(), ToolkitError> {
    if state != VersionState::InReview {
        return Err(ToolkitError::NotInReview);
    }
    if submitted_by == Some(reviewer) {
        return Err(ToolkitError::OwnReview);
    }
    Ok(())
}

/// What fills a template's placeholders for one government (TK-5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FillValues {
    pub government_name: String,
    pub nis_code: String,
    pub disclosure_contact: String,
    /// The day the document is made, as the reader writes dates.
    pub today: String,
    /// A Markdown table of the government's people and their roles.
    pub contacts: String,
    /// A Markdown table of its systems from the asset register.
    pub assets: String,
}

/// The placeholders a template may hold.
pub const PLACEHOLDERS: [&str; 6] = ["government_name", "nis_code", "disclosure_contact", "today", "contacts", "assets"];

/// TK-5: the body with its placeholders filled in. A placeholder the platform does not know
/// stays as it is, so a reader sees what was meant; filled values are never read again as
/// placeholders.
pub fn fill(body: &str, values: &FillValues) -> String {
    let mut out = String::with_capacity(body.len() + 256);
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                let value = match name {
                    "government_name" => Some(values.government_name.as_str()),
                    "nis_code" => Some(values.nis_code.as_str()),
                    "disclosure_contact" => Some(values.disclosure_contact.as_str()),
                    "today" => Some(values.today.as_str()),
                    "contacts" => Some(values.contacts.as_str()),
                    "assets" => Some(values.assets.as_str()),
                    _ => None,
                };
                match value {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// TK-6: a checklist's progress: steps ticked (done or not applicable) of all, in whole percent.
pub fn progress(ticked: usize, steps: usize) -> u8 {
    if steps == 0 {
        return 0;
    }
    ((ticked.min(steps) * 100) / steps) as u8
}

/// TK-6: a checklist is completed when every step is ticked.
pub fn is_complete(ticked: usize, steps: usize) -> bool {
    steps > 0 && ticked >= steps
}

static DUTCH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Dutch));
static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Letters with accents as their plain letter, so "continuïteit" and "continuiteit" meet.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        'ÿ' | 'ý' => 'y',
        other => other,
    }
}

/// The words of a text, lower-cased and folded, of two characters or more.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(|w| w.chars().flat_map(char::to_lowercase).map(fold).collect::<String>())
}

/// TK-8: what search compares for a text in Dutch (`dutch`) or English: its words, stemmed in
/// that language ("back-ups" and "back-up" meet, "wachtwoorden" and "wachtwoord" too).
pub fn index_terms(text: &str, dutch: bool) -> Vec<String> {
    let stemmer: &Stemmer = if dutch { &DUTCH } else { &ENGLISH };
    words(text).map(|w| stemmer.stem(&w).into_owned()).collect()
}

/// TK-8: a query as the alternatives of each of its words: the word stemmed in Dutch and in
/// English (the library holds both). Every word must match one of its alternatives.
pub fn query_terms(query: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for w in words(query).take(12) {
        let mut alternatives = vec![DUTCH.stem(&w).into_owned(), ENGLISH.stem(&w).into_owned()];
        alternatives.dedup();
        if !out.contains(&alternatives) {
            out.push(alternatives);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_lower_case_letters_digits_and_hyphens() {
        assert_eq!(check_slug("ransomware-playbook"), Ok(()));
        for bad in ["", "Ransomware", "ransomware playbook", "-x", "x-", "a/b", &"a".repeat(81)] {
            assert_eq!(check_slug(bad), Err(ToolkitError::BadSlug), "{bad}");
        }
    }

    #[test]
    fn tags_are_trimmed_lower_cased_and_counted() {
        let tags = check_tags(&[" Ransomware ".into(), "back-up".into(), "ransomware".into(), "".into()]).unwrap();
        assert_eq!(tags, ["ransomware", "back-up"]);
        assert_eq!(check_tags(&["a\nb".into()]), Err(ToolkitError::BadTags));
        assert_eq!(check_tags(&["a,b".into()]), Err(ToolkitError::BadTags));
        let many: Vec<String> = (0..13).map(|i| format!("t{i}")).collect();
        assert_eq!(check_tags(&many), Err(ToolkitError::BadTags));
    }

    #[test]
    fn a_second_person_reviews_and_a_published_version_never_changes() {
        assert_eq!(may_edit(VersionState::Draft), Ok(()));
        assert_eq!(may_edit(VersionState::InReview), Err(ToolkitError::NotADraft));
        assert_eq!(may_edit(VersionState::Published), Err(ToolkitError::NotADraft));
        assert_eq!(may_submit(VersionState::Published), Err(ToolkitError::NotSubmittable));
        assert_eq!(may_review(VersionState::InReview, Some(7), 7), Err(ToolkitError::OwnReview));
        assert_eq!(may_review(VersionState::InReview, Some(7), 8), Ok(()));
        assert_eq!(may_review(VersionState::Draft, Some(7), 8), Err(ToolkitError::NotInReview));
        assert_eq!(may_review(VersionState::Published, Some(7), 8), Err(ToolkitError::NotInReview));
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_stay() {
        let values = FillValues {
            government_name: "Gent".into(),
            nis_code: "44021".into(),
            disclosure_contact: "security@gent.be {{today}}".into(),
            today: "15/06/2021".into(),
            contacts: "| a | b |".into(),
            assets: String::new(),
        };
        let body = "# Plan voor {{government_name}} ({{ nis_code }})\n\n{{contacts}}\n\n{{unknown}} {{disclosure_contact}} {{today}} {{";
        let filled = fill(body, &values);
        assert_eq!(
            filled,
            "# Plan voor Gent (44021)\n\n| a | b |\n\n{{unknown}} security@gent.be {{today}} 15/06/2021 {{"
        );
    }

    #[test]
    fn progress_counts_ticked_steps() {
        assert_eq!(progress(0, 0), 0);
        assert_eq!(progress(1, 3), 33);
        assert_eq!(progress(3, 3), 100);
        assert!(is_complete(3, 3) && !is_complete(2, 3) && !is_complete(0, 0));
    }

    #[test]
    fn search_meets_inflected_words_in_both_languages() {
        let nl = index_terms("Back-ups die werken; wachtwoorden, incidenten en continuïteit", true);
        let q = query_terms("wachtwoord incident werk continuiteit");
        assert!(
            q.iter().all(|alternatives| alternatives.iter().any(|a| nl.contains(a))),
            "{nl:?} {q:?}"
        );
        let en = index_terms("Responding to phishing attacks and backups", false);
        let q = query_terms("attack backup");
        assert!(
            q.iter().all(|alternatives| alternatives.iter().any(|a| en.contains(a))),
            "{en:?} {q:?}"
        );
        assert!(
            query_terms("  \"' OR 1=1 --")
                .iter()
                .flatten()
                .all(|t| t.chars().all(char::is_alphanumeric))
        );
    }
}
