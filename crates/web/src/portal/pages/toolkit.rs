//! VVSG's toolkit in the portal (`/toolkit`): the library with its search, an item in Dutch or
//! English with its downloads, VVSG's editor and review, a government's checklist and exercises,
//! and the use. Information material is public; the rest is for people signed in. Every decision
//! is the service's.

use super::*;
use cyberveilig_domain::awareness::Audience;
use cyberveilig_domain::toolkit::{Category, ItemKind, StepState, UseKind, VersionState};
use cyberveilig_services::auth::SessionStage;
use cyberveilig_services::store::records::{ToolkitEntry, ToolkitFilter};
use cyberveilig_services::toolkit::{ContentInput, ExerciseInput, Format, ItemInput};

/// The signed-in reader, or nobody (public pages).
fn reader(visitor: &Visitor) -> Option<&Actor> {
    visitor.actor.as_ref().filter(|_| visitor.stage == Some(SessionStage::SignedIn))
}

fn entry_value(e: &ToolkitEntry, dutch: bool) -> Value {
    let english = !dutch && e.version.title_en.is_some();
    context! {
        id => e.item.id, slug => e.item.slug.clone(), kind => e.item.kind.as_str(), kind_text => e.item.kind.label(dutch),
        category_text => e.item.category.label(dutch),
        title => if english { e.version.title_en.clone().unwrap_or_default() } else { e.version.title_nl.clone() },
        summary => if english { e.version.summary_en.clone().unwrap_or_default() } else { e.version.summary_nl.clone() },
        tags => e.item.tags.clone(), version => e.version.number, state => e.version.state.as_str(),
        state_text => e.version.state.label(dutch), public => e.item.kind.is_public(),
    }
}

fn options<T: Copy>(all: &[T], value: impl Fn(T) -> &'static str, label: impl Fn(T) -> String) -> Vec<Value> {
    all.iter().map(|v| context! { value => value(*v), label => label(*v) }).collect()
}

fn audience_label(a: Audience, dutch: bool) -> String {
    match (a, dutch) {
        (Audience::MayorAndCouncil, true) => "burgemeester en raad",
        (Audience::MayorAndCouncil, false) => "mayor and council",
        (Audience::GeneralDirector, true) => "algemeen directeur",
        (Audience::GeneralDirector, false) => "general director",
        (Audience::Ict, true) => "ICT",
        (Audience::Ict, false) => "ICT",
        (Audience::AllStaff, true) => "alle medewerkers",
        (Audience::AllStaff, false) => "all staff",
    }
    .to_owned()
}

#[derive(Deserialize, Default)]
pub struct LibraryQuery {
    q: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    audience: Option<String>,
    ontwerpen: Option<String>,
    after: Option<i64>,
}

/// `GET /toolkit`: the library, searched and filtered; public material without an account.
pub async fn library(State(state): State<AppState>, visitor: Visitor, Query(q): Query<LibraryQuery>) -> Response {
    let actor = reader(&visitor);
    let dutch = visitor.lang.is_dutch();
    let pick = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
    let (kind, category, audience) = (pick(&q.kind), pick(&q.category), pick(&q.audience));
    let parsed = (
        kind.as_deref().map(str::parse::<ItemKind>).transpose(),
        category.as_deref().map(str::parse::<Category>).transpose(),
        audience.as_deref().map(str::parse::<Audience>).transpose(),
    );
    let (Ok(kind_filter), Ok(category_filter), Ok(audience_filter)) = parsed else {
        let e = ServiceError::invalid("filter", "A filter is not valid.", "Een filter is niet geldig.");
        return visitor.page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        );
    };
    let editor = actor.is_some_and(|a| a.role == Role::AssociationMember);
    let drafts = editor && q.ontwerpen.as_deref() == Some("1");
    let filter = ToolkitFilter {
        kind: kind_filter,
        category: category_filter,
        audience: audience_filter,
        published_only: !drafts,
        after_id: q.after,
        limit: PAGE + 1,
        ..Default::default()
    };
    let words = q.q.clone().unwrap_or_default();
    let searching = !words.trim().is_empty();
    let result = if searching {
        state.services.search_toolkit(actor, &words, filter).await
    } else {
        state
            .services
            .toolkit_library(actor, ToolkitFilter { limit: PAGE + 1, ..filter })
            .await
    };
    let mut entries = match result {
        Ok(e) => e,
        Err(e) => return refusal(&visitor, &e),
    };
    let more = !searching && entries.len() as i64 > PAGE;
    entries.truncate(PAGE as usize);
    let next = more.then(|| entries.last().map(|e| e.item.id)).flatten();
    let query_without_after: String = serde_urlencoded::to_string([
        ("q", words.as_str()),
        ("kind", kind.as_deref().unwrap_or("")),
        ("category", category.as_deref().unwrap_or("")),
        ("audience", audience.as_deref().unwrap_or("")),
        ("ontwerpen", if drafts { "1" } else { "" }),
    ])
    .unwrap_or_default();
    visitor.page(
        "toolkit.html",
        context! {
            items => entries.iter().map(|e| entry_value(e, dutch)).collect::<Vec<_>>(),
            q => words, kind, category, audience, drafts, editor, searching, signed_in => actor.is_some(),
            next, query => query_without_after,
            kinds => options(ItemKind::ALL, |k| k.as_str(), |k| k.label(dutch).to_owned()),
            categories => options(Category::ALL, |c| c.as_str(), |c| c.label(dutch).to_owned()),
            audiences => options(Audience::ALL, |a| a.as_str(), |a| audience_label(a, dutch)),
        },
    )
}

#[derive(Deserialize, Default)]
pub struct ItemQuery {
    taal: Option<String>,
}

/// `GET /toolkit/{id}`: an item in Dutch or English, its downloads, and what the reader may do.
pub async fn item(State(state): State<AppState>, visitor: Visitor, PageId(id): PageId, Query(q): Query<ItemQuery>) -> Response {
    item_page(&state, &visitor, id, q.taal.as_deref(), None).await
}

async fn item_page(state: &AppState, visitor: &Visitor, id: i64, taal: Option<&str>, error: Option<String>) -> Response {
    let actor = reader(visitor);
    let view = match state.services.toolkit_item(actor, id).await {
        Ok(v) => v,
        Err(e) => return refusal(visitor, &e),
    };
    let dutch = visitor.lang.is_dutch();
    let english = match taal {
        Some("en") => true,
        Some("nl") => false,
        _ => !dutch,
    } && view.version.body_en.is_some();
    let v = &view.version;
    let (title, summary, body) = if english {
        (
            v.title_en.clone().unwrap_or_default(),
            v.summary_en.clone().unwrap_or_default(),
            v.body_en.clone().unwrap_or_default(),
        )
    } else {
        (v.title_nl.clone(), v.summary_nl.clone(), v.body_nl.clone())
    };
    let versions: Vec<Value> = view
        .versions
        .iter()
        .map(|x| {
            context! { number => x.number, state_text => x.state.label(dutch), edited_at => x.edited_at.to_rfc3339(),
            reviewed_at => x.reviewed_at.map(|d| d.to_rfc3339()), review_note => x.review_note.clone() }
        })
        .collect();
    let government = actor.is_some_and(|a| a.role == Role::GovernmentMember);
    let files: Vec<Value> = view
        .files
        .iter()
        .map(|f| context! { id => f.id, filename => f.filename.clone(), kind => f.kind.as_str(), size_kib => (f.size + 1023) / 1024 })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "toolkit_item.html",
        context! {
            id, title, summary, body_html => Value::from_safe_string(cyberveilig_publish::markdown::to_html(&body)),
            lang => if english { "en" } else { "nl" }, has_english => v.body_en.is_some(),
            kind => view.item.kind.as_str(), kind_text => view.item.kind.label(dutch), category_text => view.item.category.label(dutch),
            audience => view.item.audience.iter().map(|a| audience_label(*a, dutch)).collect::<Vec<_>>(),
            tags => view.item.tags.clone(), version => v.number, state => v.state.as_str(), state_text => v.state.label(dutch),
            published => v.state == VersionState::Published, review_note => v.review_note.clone(),
            versions, may_edit => view.may_edit, may_review => view.may_review,
            may_submit => view.may_edit && v.state == VersionState::Draft,
            checklist => government && view.item.kind == ItemKind::Playbook && v.state == VersionState::Published,
            filled => government && view.item.kind == ItemKind::Template, files,
            may_attach => view.may_edit && v.state == VersionState::Draft, error,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct DownloadQuery {
    format: Option<String>,
    taal: Option<String>,
}

/// `GET /toolkit/{id}/download`: the item as DOCX or PDF, filled in for the reader's government.
pub async fn download(State(state): State<AppState>, visitor: Visitor, PageId(id): PageId, Query(q): Query<DownloadQuery>) -> Response {
    let format = if q.format.as_deref() == Some("pdf") {
        Format::Pdf
    } else {
        Format::Docx
    };
    let dutch = match q.taal.as_deref() {
        Some("en") => false,
        Some("nl") => true,
        _ => visitor.lang.is_dutch(),
    };
    match state.services.toolkit_document(reader(&visitor), id, format, dutch).await {
        Ok((name, bytes)) => crate::api::attachment(bytes, format.content_type(), &name),
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct ItemForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    /// The audiences chosen, one checkbox each (`audience_ict=1`); read into `audience`.
    #[serde(default)]
    audience_mayor_and_council: String,
    #[serde(default)]
    audience_general_director: String,
    #[serde(default)]
    audience_ict: String,
    #[serde(default)]
    audience_all_staff: String,
    #[serde(skip)]
    audience: Vec<String>,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    title_nl: String,
    #[serde(default)]
    summary_nl: String,
    #[serde(default)]
    body_nl: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    summary_en: String,
    #[serde(default)]
    body_en: String,
}

impl ItemForm {
    /// The audiences whose checkbox is ticked.
    fn with_audience(mut self) -> ItemForm {
        let ticked = [
            ("mayor_and_council", &self.audience_mayor_and_council),
            ("general_director", &self.audience_general_director),
            ("ict", &self.audience_ict),
            ("all_staff", &self.audience_all_staff),
        ];
        self.audience = ticked.iter().filter(|(_, v)| !v.is_empty()).map(|(a, _)| (*a).to_owned()).collect();
        self
    }

    fn input(&self) -> Result<ItemInput, ServiceError> {
        let kind = self
            .kind
            .parse()
            .map_err(|_| ServiceError::invalid("kind", "Choose a kind.", "Kies een soort."))?;
        let category = self
            .category
            .parse()
            .map_err(|_| ServiceError::invalid("category", "Choose a category.", "Kies een categorie."))?;
        let audience = self
            .audience
            .iter()
            .map(|a| a.parse::<Audience>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| ServiceError::invalid("audience", "Choose the audiences.", "Kies de doelgroepen."))?;
        Ok(ItemInput {
            slug: self.slug.trim().to_owned(),
            kind,
            category,
            audience,
            tags: self.tags.split(',').map(str::to_owned).collect(),
            content: ContentInput {
                title_nl: self.title_nl.clone(),
                summary_nl: self.summary_nl.clone(),
                body_nl: self.body_nl.clone(),
                title_en: self.title_en.clone(),
                summary_en: self.summary_en.clone(),
                body_en: self.body_en.clone(),
            },
        })
    }
}

fn form_page(visitor: &Visitor, id: Option<i64>, form: &ItemForm, error: Option<String>) -> Response {
    let dutch = visitor.lang.is_dutch();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "toolkit_form.html",
        context! {
            id, slug => form.slug.clone(), kind => form.kind.clone(), category => form.category.clone(),
            audience => form.audience.clone(), tags => form.tags.clone(), title_nl => form.title_nl.clone(),
            summary_nl => form.summary_nl.clone(), body_nl => form.body_nl.clone(), title_en => form.title_en.clone(),
            summary_en => form.summary_en.clone(), body_en => form.body_en.clone(), error,
            kinds => options(ItemKind::ALL, |k| k.as_str(), |k| k.label(dutch).to_owned()),
            categories => options(Category::ALL, |c| c.as_str(), |c| c.label(dutch).to_owned()),
            audiences => options(Audience::ALL, |a| a.as_str(), |a| audience_label(a, dutch)),
        },
    )
}

/// `GET /toolkit/nieuw`: VVSG's form for a new item.
pub async fn new_page(Member(visitor, actor): Member) -> Response {
    if actor.role != Role::AssociationMember {
        return forbidden(&visitor);
    }
    form_page(&visitor, None, &ItemForm::default(), None)
}

/// `POST /toolkit/nieuw`: VVSG starts an item with its first draft.
pub async fn create(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<ItemForm>) -> Response {
    let form = form.with_audience();
    let result = match form.input() {
        Ok(input) => state.services.create_toolkit_item(&actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(view) => Redirect::to(&format!("/toolkit/{}", view.item.id)).into_response(),
        Err(e) if is_bad_input(&e) => form_page(&visitor, None, &form, Some(visitor.error_text(&e))),
        Err(e) => refusal(&visitor, &e),
    }
}

/// `GET /toolkit/{id}/bewerken`: VVSG's form for an item's draft (or its next version).
pub async fn edit_page(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    if actor.role != Role::AssociationMember {
        return forbidden(&visitor);
    }
    let view = match state.services.toolkit_item(Some(&actor), id).await {
        Ok(v) => v,
        Err(e) => return refusal(&visitor, &e),
    };
    let v = &view.version;
    let form = ItemForm {
        slug: view.item.slug.clone(),
        kind: view.item.kind.as_str().to_owned(),
        category: view.item.category.as_str().to_owned(),
        audience: view.item.audience.iter().map(|a| a.as_str().to_owned()).collect(),
        tags: view.item.tags.join(", "),
        title_nl: v.title_nl.clone(),
        summary_nl: v.summary_nl.clone(),
        body_nl: v.body_nl.clone(),
        title_en: v.title_en.clone().unwrap_or_default(),
        summary_en: v.summary_en.clone().unwrap_or_default(),
        body_en: v.body_en.clone().unwrap_or_default(),
        ..ItemForm::default()
    };
    form_page(&visitor, Some(id), &form, None)
}

/// `POST /toolkit/{id}/bewerken`: the draft changed (a published item gets a new draft).
pub async fn edit(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<ItemForm>,
) -> Response {
    let form = form.with_audience();
    let result = match form.input() {
        Ok(input) => state.services.edit_toolkit_item(&actor, id, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/toolkit/{id}")).into_response(),
        Err(e) if is_bad_input(&e) => form_page(&visitor, Some(id), &form, Some(visitor.error_text(&e))),
        Err(e) => refusal(&visitor, &e),
    }
}

/// `POST /toolkit/{id}/voorleggen`: VVSG submits the draft for review.
pub async fn submit(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(_): PageForm<NoFields>,
) -> Response {
    match state.services.submit_toolkit_version(&actor, id).await {
        Ok(_) => Redirect::to(&format!("/toolkit/{id}")).into_response(),
        Err(e) if is_bad_input(&e) => item_page(&state, &visitor, id, None, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

/// `POST /toolkit/{id}/nalezen`: a second person publishes the version or sends it back.
pub async fn review(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<ReviewForm>,
) -> Response {
    let publish = form.decision == "publish";
    match state.services.review_toolkit_version(&actor, id, publish, &form.note).await {
        Ok(_) => Redirect::to(&format!("/toolkit/{id}")).into_response(),
        Err(e) if is_bad_input(&e) => item_page(&state, &visitor, id, None, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

/// `GET /toolkit/{id}/checklist`: the government's checklist of a playbook and its exercises.
pub async fn checklist(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    checklist_page(&state, &visitor, &actor, id, None).await
}

async fn checklist_page(state: &AppState, visitor: &Visitor, actor: &Actor, id: i64, error: Option<String>) -> Response {
    let list = match state.services.toolkit_checklist(actor, id).await {
        Ok(l) => l,
        Err(e) => return refusal(visitor, &e),
    };
    let exercises = match state.services.exercises(actor).await {
        Ok(x) => x.into_iter().filter(|e| e.item_id == id).collect::<Vec<_>>(),
        Err(e) => return refusal(visitor, &e),
    };
    let dutch = visitor.lang.is_dutch();
    let mut phases: Vec<Value> = Vec::new();
    let mut current: Option<(String, Vec<Value>)> = None;
    for s in &list.steps {
        let step = context! {
            number => s.number, text => s.text.clone(), state => s.tick.as_ref().map(|t| t.state.as_str()),
            by => s.tick.as_ref().map(|t| t.by_name.clone()), at => s.tick.as_ref().map(|t| t.at.to_rfc3339()),
        };
        match &mut current {
            Some((phase, steps)) if *phase == s.phase => steps.push(step),
            _ => {
                if let Some((phase, steps)) = current.take() {
                    phases.push(context! { phase, steps });
                }
                current = Some((s.phase.clone(), vec![step]));
            }
        }
    }
    if let Some((phase, steps)) = current {
        phases.push(context! { phase, steps });
    }
    let exercises: Vec<Value> = exercises
        .iter()
        .map(|e| {
            context! { id => e.id, held_on => e.held_on.format("%d/%m/%Y").to_string(), participants => e.participants.clone(), lessons => e.lessons.clone(),
            actions => e.actions.iter().map(|a| context! { position => a.position, text => a.text.clone(), finding_id => a.finding_id }).collect::<Vec<_>>() }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let title = if dutch || list.version.title_en.is_none() {
        list.version.title_nl.clone()
    } else {
        list.version.title_en.clone().unwrap_or_default()
    };
    visitor.page_with_status(
        status,
        "toolkit_checklist.html",
        context! {
            id, title, phases, progress => list.progress, complete => list.complete, steps => list.steps.len(), exercises,
            today => brussels_date(state.services.clock.now()).to_string(), error,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct TickForm {
    #[serde(default)]
    state: String,
}

/// `POST /toolkit/{id}/checklist/{step}`: a step ticked or unticked.
pub async fn tick(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId((id, step)): PageId<(i64, i64)>,
    PageForm(form): PageForm<TickForm>,
) -> Response {
    let tick = match form.state.as_str() {
        "" => None,
        s => match s.parse::<StepState>() {
            Ok(t) => Some(t),
            Err(_) => {
                let e = ServiceError::invalid("state", "Choose done or not applicable.", "Kies gedaan of niet van toepassing.");
                return checklist_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await;
            }
        },
    };
    match state.services.tick_checklist_step(&actor, id, step, tick).await {
        Ok(_) => Redirect::to(&format!("/toolkit/{id}/checklist#stap-{step}")).into_response(),
        Err(e) if is_bad_input(&e) => checklist_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct ExerciseForm {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    lessons: String,
    #[serde(default)]
    actions: String,
}

/// `POST /toolkit/{id}/oefeningen`: the government records a tabletop exercise.
pub async fn record_exercise(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<ExerciseForm>,
) -> Response {
    let Ok(held_on) = NaiveDate::parse_from_str(form.held_on.trim(), "%Y-%m-%d") else {
        let e = ServiceError::invalid("held_on", "Give the date of the exercise.", "Geef de datum van de oefening.");
        return checklist_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await;
    };
    let input = ExerciseInput {
        held_on,
        participants: form.participants.clone(),
        lessons: form.lessons.clone(),
        actions: form.actions.lines().map(str::to_owned).collect(),
    };
    match state.services.record_exercise(&actor, id, input).await {
        Ok(_) => Redirect::to(&format!("/toolkit/{id}/checklist#oefeningen")).into_response(),
        Err(e) if is_bad_input(&e) => checklist_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

/// `POST /toolkit/oefeningen/{id}/acties/{position}/bevinding`: a follow-up action becomes a
/// finding in the government's register.
pub async fn action_to_finding(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId((exercise_id, position)): PageId<(i64, i64)>,
    PageForm(_): PageForm<NoFields>,
) -> Response {
    match state.services.exercise_action_to_finding(&actor, exercise_id, position).await {
        Ok(exercise) => Redirect::to(&format!("/toolkit/{}/checklist#oefeningen", exercise.item_id)).into_response(),
        Err(e) => refusal(&visitor, &e),
    }
}

/// `GET /toolkit/gebruik`: which organisations opened, downloaded and completed which item.
pub async fn usage(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    let counts = match state.services.toolkit_use(&actor, None).await {
        Ok(c) => c,
        Err(e) => return refusal(&visitor, &e),
    };
    let totals = state.services.toolkit_use_totals(&actor).await.unwrap_or_default();
    let dutch = visitor.lang.is_dutch();
    let library = state
        .services
        .toolkit_library(
            Some(&actor),
            ToolkitFilter {
                limit: PAGE,
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default();
    let title_of = |id: i64| {
        library
            .iter()
            .find(|e| e.item.id == id)
            .map(|e| e.version.title_nl.clone())
            .unwrap_or_else(|| format!("#{id}"))
    };
    let kind_text = |k: UseKind| match (k, dutch) {
        (UseKind::Opened, true) => "geopend",
        (UseKind::Opened, false) => "opened",
        (UseKind::Downloaded, true) => "gedownload",
        (UseKind::Downloaded, false) => "downloaded",
        (UseKind::Completed, true) => "afgewerkt",
        (UseKind::Completed, false) => "completed",
    };
    visitor.page(
        "toolkit_use.html",
        context! {
            totals => totals.iter().map(|t| context! { id => t.item_id, title => title_of(t.item_id), opened => t.opened,
                downloaded => t.downloaded, completed => t.completed }).collect::<Vec<_>>(),
            counts => counts.iter().map(|c| context! { id => c.item_id, title => title_of(c.item_id), organisation => c.organisation.clone(),
                kind => kind_text(c.kind), count => c.count, last_at => c.last_at.to_rfc3339() }).collect::<Vec<_>>(),
            everyone => matches!(actor.role, Role::AssociationMember | Role::ProgrammeAdmin),
        },
    )
}

/// `POST /toolkit/{id}/bestanden`: VVSG attaches a file to the draft (a multipart form).
pub async fn attach_file(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (mut csrf, mut file) = (String::new(), None);
    if let Ok(mut form) = form {
        while let Ok(Some(field)) = form.next_field().await {
            match field.name().unwrap_or("") {
                "csrf" => csrf = field.text().await.unwrap_or_default(),
                "file" => {
                    let name = field.file_name().unwrap_or("").to_owned();
                    if let Ok(bytes) = field.bytes().await
                        && (!bytes.is_empty() || !name.is_empty())
                    {
                        file = Some((name, bytes.to_vec()));
                    }
                }
                _ => {}
            }
        }
    }
    if let Err(refused) = visitor.check_csrf(&csrf) {
        return refused;
    }
    let Some((filename, content)) = file else {
        let e = ServiceError::invalid("file", "Choose a file.", "Kies een bestand.");
        return item_page(&state, &visitor, id, None, Some(visitor.error_text(&e))).await;
    };
    match state.services.attach_toolkit_file(&actor, id, &filename, &content).await {
        Ok(_) => Redirect::to(&format!("/toolkit/{id}#bestanden")).into_response(),
        Err(e) if is_bad_input(&e) => item_page(&state, &visitor, id, None, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

/// `GET /toolkit/{id}/bestanden/{file}`: a file of the version the reader reads, as a download.
pub async fn file(State(state): State<AppState>, visitor: Visitor, PageId((id, file)): PageId<(i64, i64)>) -> Response {
    match state.services.toolkit_file(reader(&visitor), id, file).await {
        Ok((f, content)) => crate::api::reports::download(&f.filename, content),
        Err(e) => refusal(&visitor, &e),
    }
}
