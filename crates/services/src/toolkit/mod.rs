//! VVSG's toolkit (issue 13, part 2): a library of guides, playbooks, templates and information
//! material.
//!
//! VVSG's people write an item's versions; a second person of VVSG reviews a version before it
//! is published, and a published version never changes (a change is a new version). Everyone
//! signed in reads the published items, and information material is public. Templates are filled
//! in for a government and downloaded as DOCX or PDF (`documents`), playbooks are worked through
//! as checklists and rehearsed in exercises (`checklists`), and the library is searched with
//! stemmed words in Dutch and English. What a government opened, downloaded or completed is
//! counted per organisation, never per person. Rules TK-1..TK-8 in docs/RULES.md.

use crate::Services;
use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::fields;
use crate::work::{Who, Work};
use cyberveilig_domain::awareness::Audience;
use cyberveilig_domain::registry::Role;
use cyberveilig_domain::toolkit::{
    self as rules, Category, ItemKind, MAX_BODY, MAX_SUMMARY, MAX_TITLE, ToolkitError, UseKind, VersionState,
};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{
    ToolkitEntry, ToolkitFile, ToolkitFilter, ToolkitItem, ToolkitSearch, ToolkitVersion, UseCount, UseTotals,
};
use serde_json::json;

mod checklists;
pub mod content;
mod documents;
mod files;
mod materials;
pub use checklists::{ChecklistView, ExerciseInput, Step};
pub use documents::Format;
pub use files::{MAX_FILE_BYTES, MAX_FILES};

/// Most items on one page, and most results of a search.
pub const PAGE: i64 = 50;

pub(crate) fn refused(e: ToolkitError) -> ServiceError {
    match e.conflict_code() {
        Some(code) => ServiceError::conflict(code, e.message(false), e.message(true)),
        None => ServiceError::invalid(e.field(), e.message(false), e.message(true)),
    }
}

const NOT_FOUND: ServiceError = ServiceError::NotFound("toolkit item");

/// VVSG's people write and review the toolkit (TK-2).
pub(crate) fn is_editor(actor: Option<&Actor>) -> bool {
    actor.is_some_and(|a| a.role == Role::AssociationMember)
}

/// An item's text in Dutch and, whole or not at all, in English.
#[derive(Debug, Clone, Default)]
pub struct ContentInput {
    pub title_nl: String,
    pub summary_nl: String,
    pub body_nl: String,
    pub title_en: String,
    pub summary_en: String,
    pub body_en: String,
}

/// A new item or its classification: what it is and for whom.
#[derive(Debug, Clone)]
pub struct ItemInput {
    pub slug: String,
    pub kind: ItemKind,
    pub category: Category,
    pub audience: Vec<Audience>,
    pub tags: Vec<String>,
    pub content: ContentInput,
}

/// An item as the reader may see it.
#[derive(Debug, Clone)]
pub struct ItemView {
    pub item: ToolkitItem,
    /// The version shown: the published one, or for VVSG the latest.
    pub version: ToolkitVersion,
    /// Every version, the latest first (VVSG only; empty for others).
    pub versions: Vec<ToolkitVersion>,
    pub may_edit: bool,
    /// The reader may review the version in review (VVSG, not who submitted it).
    pub may_review: bool,
    /// The files attached to the version shown.
    pub files: Vec<ToolkitFile>,
}

/// A checked text: Dutch required, English whole or absent (TK-1).
struct Content {
    title_nl: String,
    summary_nl: String,
    body_nl: String,
    english: Option<(String, String, String)>,
}

fn checked_content(c: &ContentInput) -> Result<Content> {
    let title_nl = fields::line("title_nl", &c.title_nl, MAX_TITLE, true)?.unwrap_or_default();
    let summary_nl = fields::block("summary_nl", &c.summary_nl, MAX_SUMMARY, true)?.unwrap_or_default();
    let body_nl = fields::block("body_nl", &c.body_nl, MAX_BODY, true)?.unwrap_or_default();
    let title_en = fields::line("title_en", &c.title_en, MAX_TITLE, false)?;
    let summary_en = fields::block("summary_en", &c.summary_en, MAX_SUMMARY, false)?;
    let body_en = fields::block("body_en", &c.body_en, MAX_BODY, false)?;
    let english = match (title_en, summary_en, body_en) {
        (Some(t), Some(s), Some(b)) => Some((t, s, b)),
        (None, None, None) => None,
        _ => return Err(refused(ToolkitError::EnglishIncomplete)),
    };
    Ok(Content {
        title_nl,
        summary_nl,
        body_nl,
        english,
    })
}

fn apply(version: &mut ToolkitVersion, c: Content) {
    version.title_nl = c.title_nl;
    version.summary_nl = c.summary_nl;
    version.body_nl = c.body_nl;
    let (t, s, b) = match c.english {
        Some((t, s, b)) => (Some(t), Some(s), Some(b)),
        None => (None, None, None),
    };
    version.title_en = t;
    version.summary_en = s;
    version.body_en = b;
}

fn classification(input: &ItemInput) -> Result<Vec<String>> {
    if input.audience.is_empty() {
        return Err(refused(ToolkitError::NoAudience));
    }
    rules::check_tags(&input.tags).map_err(refused)
}

/// TK-8: the words search compares for a published version: Dutch and English, stemmed each in
/// its language, with the tags; and those of the title, summary and tags alone (the head).
pub fn search_terms(item: &ToolkitItem, v: &ToolkitVersion) -> (String, String) {
    let mut head = rules::index_terms(&format!("{} {}", v.title_nl, v.summary_nl), true);
    if let (Some(t), Some(s)) = (&v.title_en, &v.summary_en) {
        head.extend(rules::index_terms(&format!("{t} {s}"), false));
    }
    for tag in &item.tags {
        head.extend(rules::index_terms(tag, true));
        head.extend(rules::index_terms(tag, false));
    }
    let mut terms = head.clone();
    terms.extend(rules::index_terms(&v.body_nl, true));
    if let Some(b) = &v.body_en {
        terms.extend(rules::index_terms(b, false));
    }
    (terms.join(" "), head.join(" "))
}

/// The item, or 404 for a reader who may not see it: drafts are VVSG's, and without an account
/// only information material is there (TK-4).
async fn readable(tx: &mut dyn Tx, actor: Option<&Actor>, id: i64) -> Result<(ToolkitItem, ToolkitVersion)> {
    let item = tx.toolkit_item(id).await?.ok_or(NOT_FOUND)?;
    if is_editor(actor) {
        let version = tx.toolkit_versions(item.id).await?.into_iter().next().ok_or(NOT_FOUND)?;
        return Ok((item, version));
    }
    if actor.is_none() && !item.kind.is_public() {
        return Err(NOT_FOUND);
    }
    let published = item.published_version_id.ok_or(NOT_FOUND)?;
    let version = tx.toolkit_version(published).await?.ok_or(NOT_FOUND)?;
    Ok((item, version))
}

async fn view_of(tx: &mut dyn Tx, actor: Option<&Actor>, id: i64) -> Result<ItemView> {
    let (item, version) = readable(tx, actor, id).await?;
    let editor = is_editor(actor);
    let versions = if editor { tx.toolkit_versions(item.id).await? } else { Vec::new() };
    let may_review = editor && version.state == VersionState::InReview && actor.is_some_and(|a| version.submitted_by != Some(a.person_id));
    let files = tx.toolkit_files(version.id).await?;
    Ok(ItemView {
        files,
        may_edit: editor && version.state != VersionState::InReview,
        may_review,
        item,
        version,
        versions,
    })
}

fn editor_only(actor: &Actor) -> Result<()> {
    if is_editor(Some(actor)) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

impl Services {
    /// TK-1: VVSG starts an item with its first draft.
    pub async fn create_toolkit_item(&self, actor: &Actor, input: ItemInput) -> Result<ItemView> {
        editor_only(actor)?;
        rules::check_slug(&input.slug).map_err(refused)?;
        let tags = classification(&input)?;
        let content = checked_content(&input.content)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut item = ToolkitItem {
            id: 0,
            slug: input.slug.clone(),
            kind: input.kind,
            category: input.category,
            audience: input.audience.clone(),
            tags,
            owner_id: actor.person_id,
            published_version_id: None,
            published_at: None,
            created_at: work.now,
            updated_at: work.now,
        };
        item.id = work.tx.insert_toolkit_item(&item).await?.ok_or(refused(ToolkitError::SlugTaken))?;
        let mut version = blank_version(item.id, 1, actor.person_id, work.now);
        apply(&mut version, content);
        version.id = work.tx.insert_toolkit_version(&version).await?;
        work.record(
            Action::ToolkitItemCreated,
            "toolkit_item",
            item.id,
            json!({"slug": item.slug, "kind": item.kind.as_str()}),
        )
        .await?;
        view_after(work, actor, item.id).await
    }

    /// TK-3: VVSG edits an item: its classification, and the text of its draft. A published
    /// latest version is never changed: the edit becomes a new draft.
    pub async fn edit_toolkit_item(&self, actor: &Actor, id: i64, input: ItemInput) -> Result<ItemView> {
        editor_only(actor)?;
        let tags = classification(&input)?;
        let content = checked_content(&input.content)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut item = work.tx.lock_toolkit_item(id).await?.ok_or(NOT_FOUND)?;
        let latest = work.tx.toolkit_versions(id).await?.into_iter().next().ok_or(NOT_FOUND)?;
        let number = match latest.state {
            VersionState::Draft => {
                let mut draft = latest;
                apply(&mut draft, content);
                draft.edited_by = actor.person_id;
                draft.edited_at = work.now;
                work.tx.update_toolkit_version(&draft).await?;
                draft.number
            }
            VersionState::Published => {
                let mut draft = blank_version(id, latest.number + 1, actor.person_id, work.now);
                apply(&mut draft, content);
                let draft_id = work.tx.insert_toolkit_version(&draft).await?;
                work.tx.copy_toolkit_files(latest.id, draft_id).await?;
                draft.number
            }
            VersionState::InReview => return Err(refused(ToolkitError::NotADraft)),
        };
        item.kind = input.kind;
        item.category = input.category;
        item.audience = input.audience;
        item.tags = tags;
        item.updated_at = work.now;
        work.tx.update_toolkit_item(&item).await?;
        if let Some(published) = item.published_version_id
            && let Some(v) = work.tx.toolkit_version(published).await?
        {
            // The tags are searched too.
            let (terms, head) = search_terms(&item, &v);
            work.tx.set_toolkit_terms(item.id, &terms, &head).await?;
        }
        work.record(Action::ToolkitDraftEdited, "toolkit_item", id, json!({"version": number}))
            .await?;
        view_after(work, actor, id).await
    }

    /// TK-2: VVSG submits the draft for review by a second person.
    pub async fn submit_toolkit_version(&self, actor: &Actor, id: i64) -> Result<ItemView> {
        editor_only(actor)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        work.tx.lock_toolkit_item(id).await?.ok_or(NOT_FOUND)?;
        let mut version = work.tx.toolkit_versions(id).await?.into_iter().next().ok_or(NOT_FOUND)?;
        rules::may_submit(version.state).map_err(refused)?;
        version.state = VersionState::InReview;
        version.submitted_by = Some(actor.person_id);
        version.submitted_at = Some(work.now);
        version.review_note = None;
        work.tx.update_toolkit_version(&version).await?;
        work.record(
            Action::ToolkitVersionSubmitted,
            "toolkit_item",
            id,
            json!({"version": version.number}),
        )
        .await?;
        view_after(work, actor, id).await
    }

    /// TK-2, TK-3: a second person of VVSG publishes the version in review (it never changes
    /// again, and governments read it from now on), or sends it back to draft with a note.
    pub async fn review_toolkit_version(&self, actor: &Actor, id: i64, publish: bool, note: &str) -> Result<ItemView> {
        editor_only(actor)?;
        let note = fields::block("note", note, 2_000, !publish)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut item = work.tx.lock_toolkit_item(id).await?.ok_or(NOT_FOUND)?;
        let mut version = work.tx.toolkit_versions(id).await?.into_iter().next().ok_or(NOT_FOUND)?;
        rules::may_review(version.state, version.submitted_by, actor.person_id).map_err(refused)?;
        version.reviewed_by = Some(actor.person_id);
        version.reviewed_at = Some(work.now);
        version.review_note = note;
        if publish {
            version.state = VersionState::Published;
            item.published_version_id = Some(version.id);
            item.published_at = Some(work.now);
            item.updated_at = work.now;
            work.tx.update_toolkit_item(&item).await?;
            let (terms, head) = search_terms(&item, &version);
            work.tx.set_toolkit_terms(item.id, &terms, &head).await?;
        } else {
            version.state = VersionState::Draft;
        }
        work.tx.update_toolkit_version(&version).await?;
        let action = if publish {
            Action::ToolkitVersionPublished
        } else {
            Action::ToolkitVersionReturned
        };
        work.record(action, "toolkit_item", id, json!({"version": version.number})).await?;
        view_after(work, actor, id).await
    }

    /// TK-4: a page of the library: published items for readers (only information material
    /// without an account); VVSG may ask for every item with its latest version.
    pub async fn toolkit_library(&self, actor: Option<&Actor>, mut filter: ToolkitFilter) -> Result<Vec<ToolkitEntry>> {
        if !is_editor(actor) {
            filter.published_only = true;
        }
        filter.public_only = filter.public_only || actor.is_none();
        filter.limit = filter.limit.clamp(1, PAGE);
        let mut tx = self.store.read().await?;
        Ok(tx.toolkit_entries(&filter).await?)
    }

    /// TK-8: the published items matching every word of `query` (stemmed in Dutch and English),
    /// the best first, with the same filters as the library.
    pub async fn search_toolkit(&self, actor: Option<&Actor>, query: &str, filter: ToolkitFilter) -> Result<Vec<ToolkitEntry>> {
        let search = ToolkitSearch {
            terms: rules::query_terms(query),
            kind: filter.kind,
            category: filter.category,
            audience: filter.audience,
            public_only: filter.public_only || actor.is_none(),
            limit: filter.limit.clamp(1, PAGE),
        };
        let mut tx = self.store.read().await?;
        Ok(tx.search_toolkit(&search).await?)
    }

    /// An item as the reader may see it; a government's person opening a published item counts
    /// as its organisation's use (TK-7).
    pub async fn toolkit_item(&self, actor: Option<&Actor>, id: i64) -> Result<ItemView> {
        let view = {
            let mut tx = self.store.read().await?;
            view_of(tx.as_mut(), actor, id).await?
        };
        if let Some(actor) = actor.filter(|a| a.role == Role::GovernmentMember)
            && view.version.state == VersionState::Published
        {
            self.count_use(actor, id, UseKind::Opened).await?;
        }
        Ok(view)
    }

    /// An item by its slug (addresses and the demo).
    pub async fn toolkit_item_id(&self, slug: &str) -> Result<i64> {
        let mut tx = self.store.read().await?;
        Ok(tx.toolkit_item_by_slug(slug).await?.ok_or(NOT_FOUND)?.id)
    }

    /// TK-7: one use of an item by the actor's organisation.
    pub(crate) async fn count_use(&self, actor: &Actor, item_id: i64, kind: UseKind) -> Result<()> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        work.tx.record_toolkit_use(item_id, actor.organisation_id, kind, work.now).await?;
        work.commit().await
    }

    /// TK-7: the use of the toolkit: for VVSG and the administrators, every organisation's
    /// counts (of one item, or of all); for a government, its own.
    pub async fn toolkit_use(&self, actor: &Actor, item_id: Option<i64>) -> Result<Vec<UseCount>> {
        let organisation = match actor.role {
            Role::AssociationMember | Role::ProgrammeAdmin => None,
            Role::GovernmentMember => Some(actor.organisation_id),
            _ => return Err(ServiceError::Forbidden),
        };
        let mut tx = self.store.read().await?;
        Ok(tx.toolkit_use(item_id, organisation).await?)
    }

    /// TK-7: per item, how many organisations opened, downloaded and completed it (VVSG and the
    /// administrators).
    pub async fn toolkit_use_totals(&self, actor: &Actor) -> Result<Vec<UseTotals>> {
        if !matches!(actor.role, Role::AssociationMember | Role::ProgrammeAdmin) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(tx.toolkit_use_totals().await?)
    }
}

fn blank_version(item_id: i64, number: i64, by: i64, at: chrono::DateTime<chrono::Utc>) -> ToolkitVersion {
    ToolkitVersion {
        id: 0,
        item_id,
        number,
        state: VersionState::Draft,
        title_nl: String::new(),
        summary_nl: String::new(),
        body_nl: String::new(),
        title_en: None,
        summary_en: None,
        body_en: None,
        edited_by: by,
        edited_at: at,
        submitted_by: None,
        submitted_at: None,
        reviewed_by: None,
        reviewed_at: None,
        review_note: None,
    }
}

/// The item as it stands after the use case, read in the same transaction, then committed.
async fn view_after(mut work: Work, actor: &Actor, id: i64) -> Result<ItemView> {
    let view = view_of(work.tx.as_mut(), Some(actor), id).await?;
    work.commit().await?;
    Ok(view)
}
