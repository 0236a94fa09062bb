//! VVSG's toolkit (issue 13, part 2): items and their versions, use by governments, checklists
//! and exercises.

use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::awareness::Audience;
use cyberveilig_domain::toolkit::{Category, ItemKind, StepState, UseKind, VersionState};

/// An item: what it is, for whom, and which version governments read.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolkitItem {
    pub id: i64,
    pub slug: String,
    pub kind: ItemKind,
    pub category: Category,
    pub audience: Vec<Audience>,
    pub tags: Vec<String>,
    /// A person of VVSG.
    pub owner_id: i64,
    pub published_version_id: Option<i64>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A version of an item's text, in Dutch and (whole, or not at all) in English.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolkitVersion {
    pub id: i64,
    pub item_id: i64,
    pub number: i64,
    pub state: VersionState,
    pub title_nl: String,
    pub summary_nl: String,
    /// Markdown.
    pub body_nl: String,
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    pub body_en: Option<String>,
    pub edited_by: i64,
    pub edited_at: DateTime<Utc>,
    pub submitted_by: Option<i64>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
}

/// An item with the version a list shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolkitEntry {
    pub item: ToolkitItem,
    pub version: ToolkitVersion,
}

/// A page of the library: by id, after `after_id`.
#[derive(Debug, Clone, Default)]
pub struct ToolkitFilter {
    pub kind: Option<ItemKind>,
    pub category: Option<Category>,
    pub audience: Option<Audience>,
    /// Each item's published version (what governments read); otherwise its latest version.
    pub published_only: bool,
    /// Only what is readable without an account (information material).
    pub public_only: bool,
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// A search of the published library: every group of alternatives must match.
#[derive(Debug, Clone, Default)]
pub struct ToolkitSearch {
    pub terms: Vec<Vec<String>>,
    pub kind: Option<ItemKind>,
    pub category: Option<Category>,
    pub audience: Option<Audience>,
    pub public_only: bool,
    pub limit: i64,
}

/// How often one organisation did one thing with one item.
#[derive(Debug, Clone, PartialEq)]
pub struct UseCount {
    pub item_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub kind: UseKind,
    pub count: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

/// One item's use over all organisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UseTotals {
    pub item_id: i64,
    /// Organisations that opened, downloaded, completed it.
    pub opened: i64,
    pub downloaded: i64,
    pub completed: i64,
}

/// A government's tick on a step of a playbook's checklist.
#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistTick {
    pub item_id: i64,
    pub organisation_id: i64,
    pub version_id: i64,
    pub step: i64,
    pub state: StepState,
    pub by_person: i64,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// A tabletop exercise a government held on a playbook's scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    pub id: i64,
    pub organisation_id: i64,
    pub item_id: i64,
    pub held_on: NaiveDate,
    pub participants: String,
    pub lessons: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub actions: Vec<ExerciseAction>,
}

/// A follow-up action of an exercise, and the finding it became, if it did.
#[derive(Debug, Clone, PartialEq)]
pub struct ExerciseAction {
    pub position: i64,
    pub text: String,
    pub finding_id: Option<i64>,
}

/// A file attached to a version of an item, without its content.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolkitFile {
    pub id: i64,
    pub version_id: i64,
    pub filename: String,
    pub kind: cyberveilig_domain::attachment::AttachmentKind,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: i64,
    pub uploaded_at: DateTime<Utc>,
}
