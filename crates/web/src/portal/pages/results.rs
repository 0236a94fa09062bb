//! `/bestellingen/{id}/resultaten`: the firm uploads its scanner reports for an order and sees
//! what each import did; the government and the administrator see the same history.
//!
//! The form works without script (a plain multipart post); `upload.js` adds a progress bar.

use super::*;
use crate::upload::Spool;
use axum::extract::Multipart;
use cyberveilig_services::store::records::Import;

#[derive(Deserialize, Default)]
pub struct ResultsQuery {
    /// The import just made, to show its summary first.
    import: Option<i64>,
}

fn import_view(i: &Import) -> Value {
    context! {
        id => i.id, at => i.at.to_rfc3339(), format => i.format.as_str(), tool_version => i.tool_version.clone(),
        findings_read => i.findings_read, new => i.new, still_open => i.still_open, reopened => i.reopened, fixed => i.fixed, informational => i.informational,
    }
}

async fn results_page_with(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    id: i64,
    just: Option<i64>,
    error: Option<String>,
) -> Response {
    let order = match state.services.order(actor, id).await {
        Ok(o) => o,
        Err(e) => {
            return visitor.page_with_status(
                StatusCode::NOT_FOUND,
                "message.html",
                context! { title => "", body => visitor.error_text(&e) },
            );
        }
    };
    let imports = state.services.imports(actor, id).await.unwrap_or_default();
    let latest = just.and_then(|j| imports.iter().find(|i| i.id == j)).map(import_view);
    let imports: Vec<Value> = imports.iter().rev().map(import_view).collect();
    let may_import = cyberveilig_services::Services::may_import(actor, &order);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let max_mib = cyberveilig_services::import::MAX_UPLOAD_BYTES >> 20;
    visitor.page_with_status(
        status,
        "results.html",
        context! { o => order_view(state, &order).await, imports, latest, may_import, error, max_mib },
    )
}

pub async fn results_page(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    Query(q): Query<ResultsQuery>,
) -> Response {
    results_page_with(&state, &visitor, &actor, id, q.import, None).await
}

/// Why an upload was not taken.
enum NotTaken {
    /// The form does not carry this visitor's CSRF token: refused (403), nothing read further.
    Forged,
    Message(String),
}

impl From<String> for NotTaken {
    fn from(message: String) -> NotTaken {
        NotTaken::Message(message)
    }
}

/// The posted form: the CSRF token first, then the report, spooled to disk as it arrives.
async fn read_upload(visitor: &Visitor, mut form: Multipart) -> Result<std::fs::File, NotTaken> {
    let bad = || visitor.text("upload-unreadable");
    let mut checked = false;
    while let Some(mut field) = form.next_field().await.map_err(|_| bad())? {
        match field.name() {
            Some("csrf") => {
                let token = field.text().await.map_err(|_| bad())?;
                checked = visitor.check_csrf(&token).is_ok();
                if !checked {
                    return Err(NotTaken::Forged);
                }
            }
            Some("report") if checked => {
                if field.file_name().is_none_or(str::is_empty) {
                    return Err(visitor.text("upload-choose-file").into());
                }
                let mut spool = Spool::new().map_err(|e| e.problem(visitor.lang).detail)?;
                while let Some(chunk) = field.chunk().await.map_err(|_| bad())? {
                    spool.push(&chunk).await.map_err(|e| e.problem(visitor.lang).detail)?;
                }
                return Ok(spool.finish().await.map_err(|e| e.problem(visitor.lang).detail)?);
            }
            _ => {}
        }
    }
    Err(if checked {
        visitor.text("upload-choose-file").into()
    } else {
        NotTaken::Forged
    })
}

/// `POST /bestellingen/{id}/resultaten`: imports the uploaded report, then shows its summary.
pub async fn upload(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(form) = form else {
        return visitor.message(StatusCode::BAD_REQUEST, "bad-form-title", "bad-form-body");
    };
    let report = match read_upload(&visitor, form).await {
        Ok(file) => file,
        Err(NotTaken::Forged) => return visitor.message(StatusCode::FORBIDDEN, "csrf-title", "csrf-body"),
        Err(NotTaken::Message(message)) => return results_page_with(&state, &visitor, &actor, id, None, Some(message)).await,
    };
    match state.services.import_report(&actor, id, report).await {
        Ok(import) => Redirect::to(&format!("/bestellingen/{id}/resultaten?import={}", import.id)).into_response(),
        Err(e) => {
            let message = visitor.error_text(&e);
            results_page_with(&state, &visitor, &actor, id, None, Some(message)).await
        }
    }
}
