//! VVSG's toolkit over the API: the library and its search, an item with its versions, VVSG's
//! writing and review, documents filled in for a government, checklists, exercises, use, and an
//! event's materials. Published items are for everyone signed in; information material also
//! without a token.
//!
//! Here the library, an item's writing and review, its files and documents; a government's
//! checklists and exercises are in `practice`, the counts of use and an event's materials in
//! `usage`. The handlers are re-exported here, where the router and the OpenAPI document find
//! them.

mod practice;
mod usage;
pub use practice::*;
pub use usage::*;

use super::next_cursor;
use super::reports::MaybeCaller;
use super::schema::{AudienceName, ToolkitCategoryName, ToolkitKindName, VersionStateName};
use crate::AppState;
use crate::dto::Page;
use crate::extract::{As, Association, Body, Id, Ids, Params};
use crate::lang::Lang;
use crate::problem::{ApiResult, OrProblem, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use cyberveilig_domain::awareness::Audience;
use cyberveilig_domain::toolkit::{Category, ItemKind};
use cyberveilig_services::store::records::{ToolkitEntry, ToolkitFilter, ToolkitVersion};
use cyberveilig_services::toolkit::{ContentInput, Format, ItemInput, ItemView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn invalid(lang: Lang, field: &'static str, nl: &str, en: &str) -> Problem {
    Problem::localized(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", lang, nl, en).field(field)
}

/// An item in a list: what it is, its title and summary in both languages.
#[derive(Serialize, ToSchema)]
pub struct ToolkitItemSummary {
    pub id: i64,
    pub slug: String,
    #[schema(value_type = ToolkitKindName, inline)]
    pub kind: String,
    #[schema(value_type = ToolkitCategoryName, inline)]
    pub category: String,
    #[schema(value_type = Vec<AudienceName>, inline)]
    pub audience: Vec<String>,
    pub tags: Vec<String>,
    pub title_nl: String,
    pub summary_nl: String,
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    /// The version listed: the published one, or for VVSG the latest.
    pub version: i64,
    #[schema(value_type = VersionStateName, inline)]
    pub state: String,
    /// Readable without an account (information material).
    pub public: bool,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<ToolkitEntry> for ToolkitItemSummary {
    fn from(e: ToolkitEntry) -> ToolkitItemSummary {
        ToolkitItemSummary {
            id: e.item.id,
            slug: e.item.slug,
            kind: e.item.kind.as_str().to_owned(),
            category: e.item.category.as_str().to_owned(),
            audience: e.item.audience.iter().map(|a| a.as_str().to_owned()).collect(),
            tags: e.item.tags,
            title_nl: e.version.title_nl,
            summary_nl: e.version.summary_nl,
            title_en: e.version.title_en,
            summary_en: e.version.summary_en,
            version: e.version.number,
            state: e.version.state.as_str().to_owned(),
            public: e.item.kind.is_public(),
            published_at: e.item.published_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ToolkitVersionDto {
    pub number: i64,
    #[schema(value_type = VersionStateName, inline)]
    pub state: String,
    pub title_nl: String,
    pub summary_nl: String,
    /// Markdown.
    pub body_nl: String,
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    pub body_en: Option<String>,
    pub edited_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Why a reviewer sent it back.
    pub review_note: Option<String>,
}

impl From<ToolkitVersion> for ToolkitVersionDto {
    fn from(v: ToolkitVersion) -> ToolkitVersionDto {
        ToolkitVersionDto {
            number: v.number,
            state: v.state.as_str().to_owned(),
            title_nl: v.title_nl,
            summary_nl: v.summary_nl,
            body_nl: v.body_nl,
            title_en: v.title_en,
            summary_en: v.summary_en,
            body_en: v.body_en,
            edited_at: v.edited_at,
            submitted_at: v.submitted_at,
            reviewed_at: v.reviewed_at,
            review_note: v.review_note,
        }
    }
}

/// An item with the version the caller reads and, for VVSG, its history.
#[derive(Serialize, ToSchema)]
pub struct ToolkitItemDto {
    pub id: i64,
    pub slug: String,
    #[schema(value_type = ToolkitKindName, inline)]
    pub kind: String,
    #[schema(value_type = ToolkitCategoryName, inline)]
    pub category: String,
    #[schema(value_type = Vec<AudienceName>, inline)]
    pub audience: Vec<String>,
    pub tags: Vec<String>,
    pub public: bool,
    pub version: ToolkitVersionDto,
    /// Every version, the latest first (VVSG only).
    pub versions: Vec<ToolkitVersionDto>,
    pub may_edit: bool,
    pub may_review: bool,
    /// The files attached to the version read.
    pub files: Vec<ToolkitFileDto>,
    /// The DOCX and PDF of the item (a template filled in for the caller's government).
    pub docx_href: String,
    pub pdf_href: String,
}

/// A file attached to an item's version; download it from its `href`.
#[derive(Serialize, ToSchema)]
pub struct ToolkitFileDto {
    pub id: i64,
    pub filename: String,
    /// pdf, png, jpeg or text, told by the content.
    pub kind: String,
    pub size: i64,
    pub sha256: String,
    pub href: String,
}

impl From<ItemView> for ToolkitItemDto {
    fn from(v: ItemView) -> ToolkitItemDto {
        let id = v.item.id;
        ToolkitItemDto {
            id,
            slug: v.item.slug,
            kind: v.item.kind.as_str().to_owned(),
            category: v.item.category.as_str().to_owned(),
            audience: v.item.audience.iter().map(|a| a.as_str().to_owned()).collect(),
            tags: v.item.tags,
            public: v.item.kind.is_public(),
            version: v.version.into(),
            versions: v.versions.into_iter().map(Into::into).collect(),
            may_edit: v.may_edit,
            may_review: v.may_review,
            files: v
                .files
                .into_iter()
                .map(|f| ToolkitFileDto {
                    href: format!("/api/v1/toolkit/{id}/files/{}", f.id),
                    id: f.id,
                    filename: f.filename,
                    kind: f.kind.as_str().to_owned(),
                    size: f.size,
                    sha256: f.sha256,
                })
                .collect(),
            docx_href: format!("/api/v1/toolkit/{id}/document?format=docx"),
            pdf_href: format!("/api/v1/toolkit/{id}/document?format=pdf"),
        }
    }
}

fn parse_filter(lang: Lang, kind: Option<&str>, category: Option<&str>, audience: Option<&str>) -> Result<ToolkitFilter, Problem> {
    fn pick(v: Option<&str>) -> Option<&str> {
        v.filter(|s| !s.is_empty())
    }
    Ok(ToolkitFilter {
        kind: pick(kind).map(str::parse::<ItemKind>).transpose().map_err(|_| {
            invalid(
                lang,
                "kind",
                "Kies guide, playbook, template of information.",
                "Choose guide, playbook, template or information.",
            )
        })?,
        category: pick(category)
            .map(str::parse::<Category>)
            .transpose()
            .map_err(|_| invalid(lang, "category", "Kies preventive of curative.", "Choose preventive or curative."))?,
        audience: pick(audience)
            .map(str::parse::<Audience>)
            .transpose()
            .map_err(|_| invalid(lang, "audience", "Kies een doelgroep.", "Choose an audience."))?,
        ..ToolkitFilter::default()
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LibraryQuery {
    /// Words to search for (stemmed in Dutch and English); the best matches first, without paging.
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(value_type = Option<ToolkitKindName>, inline)]
    pub kind: Option<String>,
    #[param(value_type = Option<ToolkitCategoryName>, inline)]
    pub category: Option<String>,
    #[param(value_type = Option<AudienceName>, inline)]
    pub audience: Option<String>,
    /// VVSG: every item with its latest version, drafts included.
    pub drafts: Option<bool>,
    /// From the `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 50 (50 by default).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<i64>,
}

/// The library: published items (without a token, information material only); with `q`, a
/// search whose best matches come first.
#[utoipa::path(get, path = "/api/v1/toolkit", tag = "toolkit", params(LibraryQuery),
    responses((status = 200, body = Page<ToolkitItemSummary>), (status = 422, body = Problem)))]
pub async fn library(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    Params(q): Params<LibraryQuery>,
) -> ApiResult<Json<Page<ToolkitItemSummary>>> {
    let (limit, after) = super::paging(q.limit, q.cursor.as_deref())?;
    if limit > cyberveilig_services::toolkit::PAGE {
        return Err(invalid(lang, "limit", "Hoogstens 50 items per pagina.", "At most 50 items per page.").into());
    }
    let mut filter = parse_filter(lang, q.kind.as_deref(), q.category.as_deref(), q.audience.as_deref())?;
    filter.limit = limit;
    filter.after_id = after;
    filter.published_only = !q.drafts.unwrap_or(false);
    if let Some(words) = q.q.as_deref().filter(|w| !w.trim().is_empty()) {
        if words.chars().count() > 200 {
            return Err(invalid(lang, "q", "Hoogstens 200 tekens.", "At most 200 characters.").into());
        }
        let items = state
            .services
            .search_toolkit(caller.as_ref(), words, filter)
            .await
            .or_problem(lang)?;
        return Ok(Json(Page {
            items: items.into_iter().map(Into::into).collect(),
            next_cursor: None,
        }));
    }
    let items = state.services.toolkit_library(caller.as_ref(), filter).await.or_problem(lang)?;
    let next_cursor = next_cursor(&items, limit, |e| e.item.id);
    Ok(Json(Page {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// An item with the version the caller reads (VVSG: the latest, with its history). A
/// government's person opening it counts as its organisation's use.
#[utoipa::path(get, path = "/api/v1/toolkit/{id}", tag = "toolkit", params(("id" = i64, Path)),
    responses((status = 200, body = ToolkitItemDto), (status = 404, body = Problem)))]
pub async fn item(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    Id(id): Id,
) -> ApiResult<Json<ToolkitItemDto>> {
    Ok(Json(
        state.services.toolkit_item(caller.as_ref(), id).await.or_problem(lang)?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolkitItemRequest {
    /// Lower-case letters, digits and hyphens (fixed once the item exists).
    #[schema(pattern = "^[a-z0-9]([a-z0-9-]{0,78}[a-z0-9])?$")]
    pub slug: String,
    #[schema(value_type = ToolkitKindName, inline)]
    pub kind: String,
    #[schema(value_type = ToolkitCategoryName, inline)]
    pub category: String,
    #[schema(value_type = Vec<AudienceName>, inline, min_items = 1)]
    pub audience: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 12)]
    pub tags: Vec<String>,
    #[schema(pattern = "\\S", max_length = 200)]
    pub title_nl: String,
    #[schema(pattern = "\\S", max_length = 600)]
    pub summary_nl: String,
    /// Markdown.
    #[schema(pattern = "\\S", max_length = 100000)]
    pub body_nl: String,
    /// The English version: all three or none.
    #[serde(default)]
    pub title_en: Option<String>,
    #[serde(default)]
    pub summary_en: Option<String>,
    #[serde(default)]
    pub body_en: Option<String>,
}

fn item_input(r: ToolkitItemRequest, lang: Lang) -> Result<ItemInput, Problem> {
    let filter = parse_filter(lang, Some(&r.kind), Some(&r.category), None)?;
    let (Some(kind), Some(category)) = (filter.kind, filter.category) else {
        return Err(invalid(
            lang,
            "kind",
            "Kies een soort en een categorie.",
            "Choose a kind and a category.",
        ));
    };
    let audience = r
        .audience
        .iter()
        .map(|a| a.parse::<Audience>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| invalid(lang, "audience", "Kies de doelgroepen.", "Choose the audiences."))?;
    Ok(ItemInput {
        slug: r.slug,
        kind,
        category,
        audience,
        tags: r.tags,
        content: ContentInput {
            title_nl: r.title_nl,
            summary_nl: r.summary_nl,
            body_nl: r.body_nl,
            title_en: r.title_en.unwrap_or_default(),
            summary_en: r.summary_en.unwrap_or_default(),
            body_en: r.body_en.unwrap_or_default(),
        },
    })
}

/// VVSG starts an item with its first draft.
#[utoipa::path(post, path = "/api/v1/toolkit", tag = "toolkit", security(("bearer" = [])), request_body = ToolkitItemRequest,
    responses((status = 201, body = ToolkitItemDto), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Body(req): Body<ToolkitItemRequest>,
) -> ApiResult<(StatusCode, Json<ToolkitItemDto>)> {
    let view = state
        .services
        .create_toolkit_item(&actor, item_input(req, lang)?)
        .await
        .or_problem(lang)?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// VVSG edits an item: a draft changes; a published latest version gets a new draft (409
/// `not_a_draft` while a version is in review).
#[utoipa::path(put, path = "/api/v1/toolkit/{id}", tag = "toolkit", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ToolkitItemRequest,
    responses((status = 200, body = ToolkitItemDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn edit(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
    Body(req): Body<ToolkitItemRequest>,
) -> ApiResult<Json<ToolkitItemDto>> {
    Ok(Json(
        state
            .services
            .edit_toolkit_item(&actor, id, item_input(req, lang)?)
            .await
            .or_problem(lang)?
            .into(),
    ))
}

/// VVSG submits the draft for review by a second person (409 `not_submittable`).
#[utoipa::path(post, path = "/api/v1/toolkit/{id}/submit", tag = "toolkit", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ToolkitItemDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
) -> ApiResult<Json<ToolkitItemDto>> {
    Ok(Json(
        state.services.submit_toolkit_version(&actor, id).await.or_problem(lang)?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolkitReviewRequest {
    /// Publish the version, or send it back to draft (with a note).
    pub publish: bool,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A second person of VVSG publishes the version in review or sends it back (409 `own_review`,
/// `not_in_review`).
#[utoipa::path(post, path = "/api/v1/toolkit/{id}/review", tag = "toolkit", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ToolkitReviewRequest,
    responses((status = 200, body = ToolkitItemDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn review(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
    Body(req): Body<ToolkitReviewRequest>,
) -> ApiResult<Json<ToolkitItemDto>> {
    let note = req.note.unwrap_or_default();
    Ok(Json(
        state
            .services
            .review_toolkit_version(&actor, id, req.publish, &note)
            .await
            .or_problem(lang)?
            .into(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// docx (to edit) or pdf.
    #[param(pattern = "^(docx|pdf)$")]
    pub format: Option<String>,
    /// nl or en (the Dutch text where there is no English).
    #[param(pattern = "^(nl|en)$")]
    pub lang: Option<String>,
}

/// The item as a document: a template filled in for the caller's government, as DOCX or PDF. A
/// government's download counts as its organisation's use.
#[utoipa::path(get, path = "/api/v1/toolkit/{id}/document", tag = "toolkit", params(("id" = i64, Path), DocumentQuery),
    responses((status = 200, description = "The document, as a download (DOCX or PDF)", content(
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (Vec<u8> = "application/pdf"),
    )), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn document(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    Id(id): Id,
    Params(q): Params<DocumentQuery>,
) -> ApiResult<Response> {
    let format = match q.format.as_deref() {
        None | Some("docx") => Format::Docx,
        Some("pdf") => Format::Pdf,
        Some(_) => return Err(invalid(lang, "format", "Kies docx of pdf.", "Choose docx or pdf.").into()),
    };
    let dutch = match q.lang.as_deref() {
        None => lang.is_dutch(),
        Some("nl") => true,
        Some("en") => false,
        Some(_) => return Err(invalid(lang, "lang", "Kies nl of en.", "Choose nl or en.").into()),
    };
    let (name, bytes) = state
        .services
        .toolkit_document(caller.as_ref(), id, format, dutch)
        .await
        .or_problem(lang)?;
    let content_type = match format {
        Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Format::Pdf => super::PDF,
    };
    Ok(super::attachment(bytes, content_type, &name))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// The file's name.
    #[param(max_length = 120)]
    pub filename: Option<String>,
}

/// VVSG attaches a file to an item's draft (the body: a PDF, a PNG or JPEG picture or plain
/// text, at most 10 MiB; 409 `not_a_draft`, `too_many_files`).
#[utoipa::path(post, path = "/api/v1/toolkit/{id}/files", tag = "toolkit", security(("bearer" = [])), params(("id" = i64, Path), FileParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ToolkitFileDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn attach_file(
    State(state): State<AppState>,
    lang: Lang,
    As(actor, _): As<Association>,
    Id(id): Id,
    Params(p): Params<FileParams>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<ToolkitFileDto>)> {
    let body = body.map_err(|_| {
        Problem::localized(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            lang,
            "Een bestand is hoogstens 10 MiB groot.",
            "A file is at most 10 MiB.",
        )
    })?;
    let filename = p.filename.unwrap_or_else(|| "bestand".to_owned());
    let f = state
        .services
        .attach_toolkit_file(&actor, id, &filename, &body)
        .await
        .or_problem(lang)?;
    Ok((
        StatusCode::CREATED,
        Json(ToolkitFileDto {
            href: format!("/api/v1/toolkit/{id}/files/{}", f.id),
            id: f.id,
            filename: f.filename,
            kind: f.kind.as_str().to_owned(),
            size: f.size,
            sha256: f.sha256,
        }),
    ))
}

/// A file of the version the caller reads, as a download.
#[utoipa::path(get, path = "/api/v1/toolkit/{id}/files/{file_id}", tag = "toolkit", params(("id" = i64, Path), ("file_id" = i64, Path)),
    responses((status = 200, description = "The file, as a download", content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn file(
    State(state): State<AppState>,
    lang: Lang,
    MaybeCaller(caller): MaybeCaller,
    Ids(id, file_id): Ids,
) -> ApiResult<Response> {
    let (f, content) = state.services.toolkit_file(caller.as_ref(), id, file_id).await.or_problem(lang)?;
    Ok(crate::api::reports::download(&f.filename, content))
}
