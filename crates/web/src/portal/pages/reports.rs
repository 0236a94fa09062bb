//! Vulnerability reports in the portal (issue 5): the public report form of each government
//! (`/g/{nis}/melden`, in English at `/g/{nis}/report`), the reporter's page behind the secret
//! follow link, the handling pages for the government, VVSG and the administrator (and a
//! signed-in researcher's own reports), and the acknowledgements pages.

use super::*;
use crate::api::reports::download;
use crate::lang::Lang;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::{HeaderValue, header};
use cyberveilig_domain::report::{Party, ReportState, TriageOutcome};
use cyberveilig_services::reports::{Access, NewFile, ReportChange, ReportInput, ReportListQuery, ReportView};

/// Largest form post: five attachments of 10 MiB and the text.
pub const MAX_FORM_BYTES: usize = 5 * cyberveilig_services::reports::attachments::MAX_ATTACHMENT_BYTES + (1 << 20);

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn english(mut visitor: Visitor) -> Visitor {
    visitor.lang = Lang::En;
    visitor
}

/// The form's values, to show them again after a refusal.
#[derive(Default)]
struct FormValues {
    target: String,
    cwe: String,
    title: String,
    description: String,
    steps: String,
    impact: String,
    cvss_vector: String,
    reporter_name: String,
    reporter_email: String,
    credit_consent: bool,
    disclosure_plans: String,
    csrf: String,
}

fn form_page(
    visitor: &Visitor,
    status: StatusCode,
    nis: &str,
    government: &str,
    example: Option<String>,
    values: &FormValues,
    error: Option<String>,
) -> Response {
    let action = if visitor.path.contains("/report") {
        format!("/g/{nis}/report")
    } else {
        format!("/g/{nis}/melden")
    };
    visitor.page_with_status(
        status,
        "report_form.html",
        context! { government, action, example, v => context! {
            target => values.target.clone(), cwe => values.cwe.clone(), title => values.title.clone(),
            description => values.description.clone(), steps => values.steps.clone(), impact => values.impact.clone(),
            cvss_vector => values.cvss_vector.clone(), reporter_name => values.reporter_name.clone(),
            reporter_email => values.reporter_email.clone(), credit_consent => values.credit_consent,
            disclosure_plans => values.disclosure_plans.clone(),
        }, error },
    )
}

async fn report_form(state: &AppState, visitor: Visitor, nis: &str) -> Response {
    match state.services.report_recipient(nis).await {
        Ok(g) => {
            let example = state.services.report_target_example(g.id).await.unwrap_or_default();
            form_page(&visitor, StatusCode::OK, nis, &g.name, example, &FormValues::default(), None)
        }
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
    }
}

/// `GET /g/{nis}/melden`: the public report form.
pub async fn form(State(state): State<AppState>, visitor: Visitor, Path(nis): Path<String>) -> Response {
    report_form(&state, visitor, &nis).await
}

/// `GET /g/{nis}/report`: the same form in English.
pub async fn form_en(State(state): State<AppState>, visitor: Visitor, Path(nis): Path<String>) -> Response {
    report_form(&state, english(visitor), &nis).await
}

pub async fn submit_en(
    state: State<AppState>,
    visitor: Visitor,
    nis: Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    submit(state, english(visitor), nis, form).await
}

/// `POST /g/{nis}/melden`: receives a report with its attachments, rate limited per client.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(nis): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(government) = state.services.report_recipient(&nis).await else {
        return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    };
    let mut values = FormValues::default();
    let mut files = Vec::new();
    let read = match form {
        Ok(form) => read_form(form, &mut values, &mut files).await,
        Err(_) => Err(()),
    };
    if read.is_err() {
        let text = visitor.text("report-form-unreadable");
        let example = state.services.report_target_example(government.id).await.unwrap_or_default();
        return form_page(
            &visitor,
            StatusCode::BAD_REQUEST,
            &nis,
            &government.name,
            example,
            &values,
            Some(text),
        );
    }
    if let Err(refused) = visitor.check_csrf(&values.csrf) {
        return refused;
    }
    let actor = visitor.signed_in().cloned();
    let input = ReportInput {
        government_nis: nis.clone(),
        target: values.target.clone(),
        cwe: values.cwe.clone(),
        title: values.title.clone(),
        description: values.description.clone(),
        steps: values.steps.clone(),
        impact: values.impact.clone(),
        cvss_vector: Some(values.cvss_vector.clone()),
        reporter_name: Some(values.reporter_name.clone()),
        reporter_email: Some(values.reporter_email.clone()),
        credit_consent: values.credit_consent,
        disclosure_plans: Some(values.disclosure_plans.clone()),
    };
    match state
        .services
        .submit_report_with_files(actor.as_ref(), input, files, Some(&visitor.client))
        .await
    {
        Ok(s) => no_store(visitor.page(
            "report_received.html",
            context! {
                government => government.name, code => s.report.tracking_code.clone(), follow_url => s.follow_url,
                acknowledge_by => s.report.acknowledge_by.to_string(), triage_by => s.report.triage_by.to_string(),
                disclose_on => s.report.disclose_on.to_string(), outside_scope => s.report.outside_scope,
                host => s.report.host.clone(),
            },
        )),
        Err(e) => {
            let status = match e {
                ServiceError::Invalid { .. } | ServiceError::Unknown { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                ServiceError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::CONFLICT,
            };
            let example = state.services.report_target_example(government.id).await.unwrap_or_default();
            let mut page = form_page(
                &visitor,
                status,
                &nis,
                &government.name,
                example,
                &values,
                Some(visitor.error_text(&e)),
            );
            if let ServiceError::RateLimited { retry_after, .. } = e {
                page.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after.into());
            }
            page
        }
    }
}

async fn read_form(mut form: Multipart, values: &mut FormValues, files: &mut Vec<NewFile>) -> Result<(), ()> {
    while let Some(field) = form.next_field().await.map_err(|_| ())? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "attachments" {
            let filename = field.file_name().unwrap_or("").to_owned();
            let content_type = field.content_type().map(str::to_owned);
            let content = field.bytes().await.map_err(|_| ())?;
            if filename.is_empty() && content.is_empty() {
                continue; // no file chosen
            }
            files.push(NewFile {
                filename,
                content_type,
                content: content.to_vec(),
            });
            continue;
        }
        let text = field.text().await.map_err(|_| ())?;
        let slot = match name.as_str() {
            "csrf" => &mut values.csrf,
            "target" => &mut values.target,
            "cwe" => &mut values.cwe,
            "title" => &mut values.title,
            "description" => &mut values.description,
            "steps" => &mut values.steps,
            "impact" => &mut values.impact,
            "cvss_vector" => &mut values.cvss_vector,
            "reporter_name" => &mut values.reporter_name,
            "reporter_email" => &mut values.reporter_email,
            "disclosure_plans" => &mut values.disclosure_plans,
            "credit_consent" => {
                values.credit_consent = !text.is_empty();
                continue;
            }
            _ => continue,
        };
        *slot = text;
    }
    Ok(())
}

/// What a report page shows, for the reporter (through the link or their account) and the
/// handlers alike; `base` is where its forms post.
fn report_page(
    visitor: &Visitor,
    view: &ReportView,
    base: &str,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let r = &view.report;
    let handler = view.party != Party::Reporter;
    let messages: Vec<Value> = view
        .messages
        .iter()
        .map(|m| {
            let mut parts = m.body.strip_prefix("state:").map(|s| s.splitn(2, ':'));
            let (state, outcome) = match parts.as_mut() {
                Some(p) => (p.next().map(str::to_owned), p.next().map(str::to_owned)),
                None => (None, None),
            };
            context! {
                kind => m.author.map_or("system", Party::as_str), name => m.author_name.clone(), body => m.body.clone(),
                at => m.at.to_rfc3339(), state, outcome,
            }
        })
        .collect();
    let attachments: Vec<Value> = view
        .attachments
        .iter()
        .map(|a| context! { id => a.id, filename => a.filename.clone(), kind => a.kind.as_str(), size => a.size })
        .collect();
    let duplicates: Vec<Value> = view
        .possible_duplicates
        .iter()
        .map(|d| context! { id => d.id, code => d.tracking_code.clone(), title => d.title.clone(), state => d.state.as_str() })
        .collect();
    let report = context! {
        id => r.id, code => r.tracking_code.clone(), title => r.title.clone(), government => view.government.name.clone(),
        state => r.state.as_str(), outcome => r.outcome.map(|o| o.as_str()), target => r.target.clone(), cwe => r.cwe,
        cvss_vector => r.cvss_vector.clone(), cvss_score => r.cvss_score,
        description => r.description.clone(), steps => r.steps.clone(), impact => r.impact.clone(),
        disclosure_plans => r.disclosure_plans.clone(), reporter_name => r.reporter_name.clone(),
        credit_consent => r.credit_consent, coordinator_invited => r.coordinator_invited,
        received_at => r.received_at.to_rfc3339(), acknowledge_by => r.acknowledge_by.to_string(),
        triage_by => r.triage_by.to_string(), disclose_on => r.disclose_on.to_string(), disclosure_agreed => r.disclosure_agreed,
        fix_by => view.fix_by.map(|d| d.to_string()), overdue => view.overdue.map(|o| o.as_str()),
        finding_id => r.finding_id, finding_status => view.finding_status.clone(),
        duplicate_of => r.duplicate_of, duplicate_of_code => view.duplicate_of_code.clone(),
        outside_scope => r.outside_scope,
    };
    let next_states: Vec<&str> = view.next_states.iter().map(|s| s.as_str()).collect();
    let outcomes: Vec<&str> = TriageOutcome::ALL.iter().map(|o| o.as_str()).collect();
    no_store(visitor.page_with_status(
        status,
        "report.html",
        context! {
            r => report, handler, base, messages, attachments, duplicates, next_states, outcomes,
            duplicate_hint => view.possible_duplicates.first().map(|d| d.tracking_code.clone()).unwrap_or_default(),
            may_make_finding => view.may_make_finding, may_invite => view.may_invite_coordinator,
            may_write => !r.state.is_final() || handler,
            notice, error,
        },
    ))
}

/// After a step on a report: back to its page, or the page again with what went wrong.
async fn after_step<T>(
    state: &AppState,
    visitor: &Visitor,
    access: Access<'_>,
    id: i64,
    base: &str,
    done: Result<T, ServiceError>,
) -> Response {
    match done {
        Ok(_) => Redirect::to(base).into_response(),
        Err(e) => show(state, visitor, access, id, base, None, Some(visitor.error_text(&e))).await,
    }
}

async fn show(
    state: &AppState,
    visitor: &Visitor,
    access: Access<'_>,
    id: i64,
    base: &str,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    match state.services.report(access, id).await {
        Ok(view) => report_page(visitor, &view, base, notice, error, status),
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
    }
}

/// `GET /meldingen/volgen/{token}`: the reporter's page behind the secret link.
pub async fn follow(State(state): State<AppState>, visitor: Visitor, Path(token): Path<String>) -> Response {
    match state.services.follow_report(&token).await {
        Ok(view) => report_page(&visitor, &view, &format!("/meldingen/volgen/{token}"), None, None, StatusCode::OK),
        Err(_) => no_store(visitor.message(StatusCode::NOT_FOUND, "report-link-invalid-title", "report-link-invalid-body")),
    }
}

async fn followed_id(state: &AppState, token: &str) -> Option<i64> {
    state.services.follow_report(token).await.ok().map(|v| v.report.id)
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    body: String,
}

/// `POST /meldingen/volgen/{token}/bericht`: the reporter writes in the thread.
pub async fn follow_message(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    PageForm(form): PageForm<MessageForm>,
) -> Response {
    let Some(id) = followed_id(&state, &token).await else {
        return visitor.message(StatusCode::NOT_FOUND, "report-link-invalid-title", "report-link-invalid-body");
    };
    let base = format!("/meldingen/volgen/{token}");
    let done = state.services.post_report_message(Access::Follower(&token), id, &form.body).await;
    after_step(&state, &visitor, Access::Follower(&token), id, &base, done).await
}

/// The form's token and its file (if it has one).
async fn read_attachment(mut form: Multipart) -> Result<(String, Option<NewFile>), ()> {
    let mut csrf = String::new();
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(|_| ())? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.map_err(|_| ())?,
            "attachment" => {
                let filename = field.file_name().unwrap_or("").to_owned();
                let content_type = field.content_type().map(str::to_owned);
                let content = field.bytes().await.map_err(|_| ())?.to_vec();
                file = Some(NewFile {
                    filename,
                    content_type,
                    content,
                });
            }
            _ => {}
        }
    }
    Ok((csrf, file))
}

async fn attach(
    state: &AppState,
    visitor: &Visitor,
    access: Access<'_>,
    id: i64,
    base: &str,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let read = match form {
        Ok(form) => read_attachment(form).await,
        Err(_) => Err(()),
    };
    let (csrf, file) = match read {
        Ok(read) => read,
        Err(()) => return show(state, visitor, access, id, base, None, Some(visitor.text("report-form-unreadable"))).await,
    };
    // The token first: a form without it is refused, whatever else it holds.
    if let Err(r) = visitor.check_csrf(&csrf) {
        return r;
    }
    let Some(file) = file else {
        return show(state, visitor, access, id, base, None, Some(visitor.text("report-form-unreadable"))).await;
    };
    match state
        .services
        .add_report_attachment(access, id, &file.filename, file.content_type.as_deref(), &file.content)
        .await
    {
        Ok(_) => Redirect::to(base).into_response(),
        Err(e) => show(state, visitor, access, id, base, None, Some(visitor.error_text(&e))).await,
    }
}

/// `POST /meldingen/volgen/{token}/bijlage`.
pub async fn follow_attach(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(id) = followed_id(&state, &token).await else {
        return visitor.message(StatusCode::NOT_FOUND, "report-link-invalid-title", "report-link-invalid-body");
    };
    attach(
        &state,
        &visitor,
        Access::Follower(&token),
        id,
        &format!("/meldingen/volgen/{token}"),
        form,
    )
    .await
}

/// `GET /meldingen/volgen/{token}/bijlagen/{id}`: an attachment, as a download only.
pub async fn follow_download(State(state): State<AppState>, visitor: Visitor, Path((token, aid)): Path<(String, i64)>) -> Response {
    let Some(id) = followed_id(&state, &token).await else {
        return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    };
    match state.services.report_attachment(Access::Follower(&token), id, aid).await {
        Ok((info, content)) => download(&info.filename, content),
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
    }
}

/// `GET /meldingen/volgen/{token}/ccb`.
pub async fn follow_ccb(State(state): State<AppState>, visitor: Visitor, Path(token): Path<String>) -> Response {
    let Some(id) = followed_id(&state, &token).await else {
        return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    };
    ccb(&state, &visitor, Access::Follower(&token), id).await
}

async fn ccb(state: &AppState, visitor: &Visitor, access: Access<'_>, id: i64) -> Response {
    match state.services.ccb_export(access, id).await {
        Ok(export) => {
            let code = export["reference"].as_str().unwrap_or("report").to_owned();
            let body = serde_json::to_vec_pretty(&export).unwrap_or_default();
            download(&format!("ccb-{code}.json"), body)
        }
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
    overdue: Option<String>,
}

/// `GET /meldingen`: the reports the person may see, overdue ones standing out.
pub async fn list(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<ListQuery>) -> Response {
    if actor.role == Role::FirmMember {
        return forbidden(&visitor);
    }
    let overdue_only = q.overdue.as_deref() == Some("true");
    let query = ReportListQuery {
        state: nonempty(&q.state).map(str::to_owned),
        overdue_only,
        before_id: None,
        limit: 500,
    };
    let summaries = match state.services.reports(&actor, query).await {
        Ok(s) => s,
        Err(e) => {
            return visitor.page_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "message.html",
                context! { title => visitor.text("reports-title"), body => visitor.error_text(&e) },
            );
        }
    };
    let overdue_count = summaries.iter().filter(|s| s.overdue.is_some()).count();
    let reports: Vec<Value> = summaries
        .iter()
        .map(|s| {
            let r = &s.report;
            let next_deadline = match r.state {
                ReportState::Received => Some(r.acknowledge_by.to_string()),
                ReportState::Acknowledged => Some(r.triage_by.to_string()),
                _ => None,
            };
            context! {
                id => r.id, code => r.tracking_code.clone(), title => r.title.clone(), government => s.government_name.clone(),
                state => r.state.as_str(), outcome => r.outcome.map(|o| o.as_str()), received_on => r.received_on.to_string(),
                overdue => s.overdue.map(|o| o.as_str()), next_deadline,
            }
        })
        .collect();
    let states: Vec<&str> = ReportState::ALL.iter().map(|s| s.as_str()).collect();
    visitor.page(
        "reports.html",
        context! {
            reports, states, state => q.state.unwrap_or_default(), overdue_only, overdue_count,
            show_government => matches!(actor.role, Role::ProgrammeAdmin | Role::AssociationMember | Role::Researcher),
        },
    )
}

/// `GET /meldingen/{id}`.
pub async fn page(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    show(
        &state,
        &visitor,
        Access::Person(&actor),
        id,
        &format!("/meldingen/{id}"),
        None,
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct StateForm {
    #[serde(default)]
    state: String,
    outcome: Option<String>,
    duplicate_of: Option<String>,
    disclose_on: Option<String>,
    note: Option<String>,
}

fn change_of(form: &StateForm) -> Result<ReportChange, ServiceError> {
    let disclose_on = match nonempty(&form.disclose_on) {
        Some(d) => Some(parse_date(d, "disclose_on")?),
        None => None,
    };
    Ok(ReportChange {
        state: form.state.clone(),
        outcome: nonempty(&form.outcome).map(str::to_owned),
        duplicate_of: nonempty(&form.duplicate_of).map(str::to_owned),
        disclose_on,
        note: form.note.clone(),
    })
}

/// `POST /meldingen/{id}/stand`: a step in the handling.
pub async fn change(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<StateForm>,
) -> Response {
    let base = format!("/meldingen/{id}");
    let result = match change_of(&form) {
        Ok(change) => state.services.change_report(Access::Person(&actor), id, change).await.map(|_| ()),
        Err(e) => Err(e),
    };
    after_step(&state, &visitor, Access::Person(&actor), id, &base, result).await
}

/// `POST /meldingen/volgen/{token}/stand`: the reporter withdraws a report.
pub async fn follow_change(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    PageForm(form): PageForm<StateForm>,
) -> Response {
    let Some(id) = followed_id(&state, &token).await else {
        return visitor.message(StatusCode::NOT_FOUND, "report-link-invalid-title", "report-link-invalid-body");
    };
    let base = format!("/meldingen/volgen/{token}");
    let result = match change_of(&form) {
        Ok(change) => state.services.change_report(Access::Follower(&token), id, change).await.map(|_| ()),
        Err(e) => Err(e),
    };
    after_step(&state, &visitor, Access::Follower(&token), id, &base, result).await
}

/// `POST /meldingen/{id}/bevinding`: a valid report becomes a finding.
pub async fn make_finding(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    _: PageForm<NoFields>,
) -> Response {
    let base = format!("/meldingen/{id}");
    let done = state.services.make_finding(&actor, id).await;
    after_step(&state, &visitor, Access::Person(&actor), id, &base, done).await
}

/// `POST /meldingen/{id}/coordinator`: VVSG is invited to coordinate.
pub async fn invite(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId, _: PageForm<NoFields>) -> Response {
    let base = format!("/meldingen/{id}");
    let done = state.services.invite_coordinator(&actor, id).await;
    after_step(&state, &visitor, Access::Person(&actor), id, &base, done).await
}

/// `POST /meldingen/{id}/bericht`.
pub async fn message(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<MessageForm>,
) -> Response {
    let base = format!("/meldingen/{id}");
    let done = state.services.post_report_message(Access::Person(&actor), id, &form.body).await;
    after_step(&state, &visitor, Access::Person(&actor), id, &base, done).await
}

/// `POST /meldingen/{id}/bijlage`.
pub async fn attach_signed_in(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    attach(&state, &visitor, Access::Person(&actor), id, &format!("/meldingen/{id}"), form).await
}

/// `GET /meldingen/{id}/bijlagen/{aid}`.
pub async fn download_signed_in(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId((id, aid)): PageId<(i64, i64)>,
) -> Response {
    match state.services.report_attachment(Access::Person(&actor), id, aid).await {
        Ok((info, content)) => download(&info.filename, content),
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
    }
}

/// `GET /meldingen/{id}/ccb`.
pub async fn ccb_signed_in(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    ccb(&state, &visitor, Access::Person(&actor), id).await
}

async fn thanks(state: &AppState, visitor: &Visitor, nis: Option<&str>) -> Response {
    match state.services.acknowledgements(nis).await {
        Ok((government, credits)) => {
            let title = match &government {
                Some(g) => super::super::i18n::text(
                    visitor.lang,
                    "thanks-title-government",
                    &[("government", fluent_bundle::FluentValue::from(g.name.clone()))],
                ),
                None => visitor.text("thanks-title"),
            };
            let credits: Vec<Value> = credits
                .iter()
                .map(|c| context! { name => c.name.clone(), government => c.government_name.clone(), fixed_at => c.fixed_at.map(|t| t.to_rfc3339()) })
                .collect();
            visitor.page(
                "acknowledgements.html",
                context! { title, credits, show_government => government.is_none(), nis },
            )
        }
        Err(_) => visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
    }
}

/// `GET /dank`: the programme's acknowledgements.
pub async fn thanks_programme(State(state): State<AppState>, visitor: Visitor) -> Response {
    thanks(&state, &visitor, None).await
}

/// `GET /g/{nis}/dank`: one government's acknowledgements.
pub async fn thanks_government(State(state): State<AppState>, visitor: Visitor, Path(nis): Path<String>) -> Response {
    thanks(&state, &visitor, Some(&nis)).await
}

#[derive(Deserialize)]
pub struct DirectoryQuery {
    q: Option<String>,
}

/// `GET /melden`: the public way in to reporting a vulnerability: find a government by name or
/// NIS code and go to its policy (or straight to its form when it has none), and the list of the
/// governments with a published policy.
pub async fn directory(
    State(state): State<AppState>,
    visitor: Visitor,
    query: Result<Query<DirectoryQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    // A query that cannot be read is no search: the page without results.
    let q = query.ok().and_then(|Query(d)| d.q).unwrap_or_default();
    let found = match state.services.report_directory(Some(&q)).await {
        Ok(d) => d,
        Err(e) => {
            return visitor.page_with_status(
                StatusCode::INTERNAL_SERVER_ERROR,
                "message.html",
                context! { title => "", body => visitor.error_text(&e) },
            );
        }
    };
    let dutch = visitor.lang.is_dutch();
    let to_policy = |nis: &str| format!("/g/{nis}/{}", if dutch { "beleid" } else { "policy" });
    let to_form = |nis: &str| format!("/g/{nis}/{}", if dutch { "melden" } else { "report" });
    // One government found: straight to it.
    if let [(o, has_policy)] = found.matches.as_slice()
        && let Some(nis) = &o.nis_code
    {
        let nis = nis.to_string();
        return Redirect::to(&if *has_policy { to_policy(&nis) } else { to_form(&nis) }).into_response();
    }
    let view = |o: &cyberveilig_services::store::records::Organisation, has_policy: bool| {
        let nis = o.nis_code.as_ref().map(|n| n.to_string()).unwrap_or_default();
        context! { name => o.name.clone(), nis => nis.clone(), has_policy, policy => to_policy(&nis), form => to_form(&nis) }
    };
    let matches: Vec<Value> = found.matches.iter().map(|(o, p)| view(o, *p)).collect();
    let with_policy: Vec<Value> = found.with_policy.iter().map(|o| view(o, true)).collect();
    visitor.page(
        "report_directory.html",
        context! { q => q.trim(), searched => !q.trim().is_empty(), matches, with_policy },
    )
}
