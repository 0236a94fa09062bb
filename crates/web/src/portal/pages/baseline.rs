//! `/basisbeveiliging`: the continuous baseline scan (issue 16). A government sees its scores,
//! their trend and every check, registers its systems, asks for a scan, pauses, and explains a
//! check that does not apply; the administrator sees every government, the provinces, the
//! explanations to decide, and switches the public overview on or off.

use super::*;
use crate::portal::charts;
use cyberveilig_services::baseline::{BaselineView, category_title, check_title, evidence_of, province_scores_of, score_categories};
use cyberveilig_services::store::records::GovernmentBaseline;

/// The government a page is about, by NIS code in the address; 404 when there is none.
async fn government_of(state: &AppState, visitor: &Visitor, nis: &str) -> Result<i64, Response> {
    let gone = || visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    let Ok(nis) = nis.parse() else { return Err(gone()) };
    state.services.organisation_by_nis(&nis).await.map(|o| o.id).map_err(|_| gone())
}

fn view_values(visitor: &Visitor, v: &BaselineView) -> Value {
    let dutch = visitor.lang.is_dutch();
    let scores: Vec<Value> = v
        .scores
        .iter()
        .map(|(c, s)| context! { code => c.clone(), title => category_title(c, dutch), percent => s.percent(), counted => s.counted })
        .collect();
    // Failures first, then warnings, unknowns, passes; by check within each.
    let rank = |verdict: &str| match verdict {
        "fail" => 0,
        "warning" => 1,
        "unknown" => 2,
        "pass" => 3,
        _ => 4,
    };
    let mut checks: Vec<(i32, Value)> = v
        .results
        .iter()
        .map(|(r, e)| {
            let evidence: Vec<Value> = evidence_of(&r.evidence).into_iter().map(|(key, value)| context! { key, value }).collect();
            let explanation = e.as_ref().map(|e| {
                context! { state => e.state.as_str(), text => e.explanation.clone(), note => e.decision_note.clone() }
            });
            (
                rank(r.verdict.as_str()),
                context! {
                    check => r.check.clone(), title => check_title(&r.check, dutch), category => category_title(&r.category, dutch),
                    subject => r.subject.clone(), verdict => r.verdict.as_str(),
                    message => if dutch { r.message_nl.clone() } else { r.message_en.clone() },
                    evidence, explanation, seen_at => r.seen_at.to_rfc3339(),
                    explainable => matches!(r.verdict.as_str(), "fail" | "warning") && e.as_ref().is_none_or(|e| e.state.as_str() == "rejected"),
                },
            )
        })
        .collect();
    checks.sort_by_key(|(rank, _)| *rank);
    let checks: Vec<Value> = checks.into_iter().map(|(_, c)| c).collect();
    let systems: Vec<Value> = v
        .systems
        .iter()
        .map(|s| {
            context! { id => s.asset_id, kind => s.kind.as_str(), name => s.name.clone(),
            scanned_at => s.scanned_at.map(|a| a.to_rfc3339()), pending => s.pending.map(|p| p.as_str()) }
        })
        .collect();
    let scans: Vec<Value> = v
        .scans
        .iter()
        .map(|s| {
            context! { id => s.id, cause => s.cause.as_str(), state => s.state.as_str(), queued_at => s.queued_at.to_rfc3339(),
            finished_at => s.finished_at.map(|a| a.to_rfc3339()), passed => s.counts.passed, warnings => s.counts.warnings,
            failed => s.counts.failed, unknown => s.counts.unknown,
            system => v.systems.iter().find(|x| x.asset_id == s.asset_id).map(|x| x.name.clone()) }
        })
        .collect();
    // The trend: one line per category over the dates of the scans.
    let mut dates: Vec<chrono::DateTime<chrono::Utc>> = v.history.iter().map(|p| p.at).collect();
    dates.dedup();
    let series: Vec<(String, Vec<Option<f64>>)> = score_categories()
        .map(|c| {
            let values = dates
                .iter()
                .map(|at| {
                    v.history
                        .iter()
                        .find(|p| p.at == *at && p.category == c)
                        .and_then(|p| p.score.percent())
                        .map(f64::from)
                })
                .collect();
            (category_title(c, dutch), values)
        })
        .collect();
    let labels: Vec<String> = dates
        .iter()
        .map(|d| d.with_timezone(&chrono_tz::Europe::Brussels).format("%d/%m/%y").to_string())
        .collect();
    let trend_title = visitor.text("baseline-trend");
    let trend = charts::score_trend(&trend_title, &labels, &series).map(Value::from_safe_string);
    let failing = v.results.iter().filter(|(r, _)| r.verdict.as_str() == "fail").count();
    let warnings = v.results.iter().filter(|(r, _)| r.verdict.as_str() == "warning").count();
    context! {
        government => v.government.name.clone(),
        nis => v.government.nis_code.as_ref().map(|n| n.to_string()),
        paused => v.paused, scores, checks, systems, scans, trend, trend_title, failing, warnings,
    }
}

async fn government_page_with(state: &AppState, visitor: &Visitor, actor: &Actor, id: i64, error: Option<String>) -> Response {
    match state.services.baseline(actor, id).await {
        Ok(view) => {
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let values = view_values(visitor, &view);
            visitor.page_with_status(status, "baseline.html", context! { ..values, ..context! { error } })
        }
        Err(e) => visitor.page_with_status(
            StatusCode::NOT_FOUND,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        ),
    }
}

/// `/basisbeveiliging`: a government's own page, or the administrator's overview.
pub async fn home(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    match actor.role {
        Role::GovernmentMember => government_page_with(&state, &visitor, &actor, actor.organisation_id, None).await,
        Role::ProgrammeAdmin => overview_page(&state, &visitor, &actor, None).await,
        _ => visitor.message(StatusCode::FORBIDDEN, "forbidden-title", "forbidden-body"),
    }
}

/// `/basisbeveiliging/{nis}`: one government's page (its members and the administrators).
pub async fn government(State(state): State<AppState>, Member(visitor, actor): Member, Path(nis): Path<String>) -> Response {
    if !matches!(actor.role, Role::GovernmentMember | Role::ProgrammeAdmin) {
        return visitor.message(StatusCode::FORBIDDEN, "forbidden-title", "forbidden-body");
    }
    let id = match government_of(&state, &visitor, &nis).await {
        Ok(id) => id,
        Err(page) => return page,
    };
    government_page_with(&state, &visitor, &actor, id, None).await
}

async fn overview_page(state: &AppState, visitor: &Visitor, actor: &Actor, error: Option<String>) -> Response {
    let dutch = visitor.lang.is_dutch();
    let mut governments: Vec<GovernmentBaseline> = Vec::new();
    let mut after = 0;
    // A page of the overview per 500 governments; Flanders has some 300 local governments.
    loop {
        let page = match state.services.baseline_overview(actor, after, 500).await {
            Ok(p) => p,
            Err(e) => {
                return visitor.page_with_status(
                    StatusCode::FORBIDDEN,
                    "message.html",
                    context! { title => "", body => visitor.error_text(&e) },
                );
            }
        };
        let full = page.len() == 500;
        after = page.last().map_or(after, |g| g.government_id);
        governments.extend(page);
        if !full {
            break;
        }
    }
    let categories: Vec<Value> = score_categories()
        .map(|c| context! { code => c, title => category_title(c, dutch) })
        .collect();
    let rows: Vec<Value> = governments
        .iter()
        .map(|g| {
            let scores: Vec<Option<u32>> = score_categories()
                .map(|c| g.scores.iter().find(|s| s.category == c).and_then(|s| s.score.percent()))
                .collect();
            context! { name => g.name.clone(), nis => g.nis_code.as_ref().map(|n| n.to_string()), paused => g.paused,
            systems => g.systems, scores, scored_at => g.scores.iter().map(|s| s.at).max().map(|a| a.to_rfc3339()) }
        })
        .collect();
    // The provinces from the governments just read, not a second reading of the overview.
    let provinces: Vec<Value> = province_scores_of(&governments)
        .into_iter()
        .map(|p| {
            context! { name => if dutch { p.province.name_nl() } else { p.province.name_en() }, governments => p.governments,
            mean => p.mean, categories => p.categories.iter().map(|(_, m)| *m).collect::<Vec<_>>() }
        })
        .collect();
    let explanations: Vec<Value> = state
        .services
        .explanations_to_decide(actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            let government = governments
                .iter()
                .find(|g| g.government_id == e.government_id)
                .map(|g| g.name.clone());
            context! { id => e.id, government, check => check_title(&e.check, dutch), subject => e.subject, text => e.explanation,
            proposed_at => e.proposed_at.to_rfc3339() }
        })
        .collect();
    let public = state.services.baseline_is_public().await.unwrap_or(false);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "baseline_overview.html",
        context! { rows, categories, provinces, explanations, public, error },
    )
}

/// A government's form: the government from the address, the use case, then back to its page
/// (at `anchor`), or its page again with the error.
async fn government_form<T, F>(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    nis: &str,
    anchor: &str,
    act: impl FnOnce(i64) -> F,
) -> Response
where
    F: std::future::Future<Output = Result<T, ServiceError>>,
{
    let id = match government_of(state, visitor, nis).await {
        Ok(id) => id,
        Err(page) => return page,
    };
    match act(id).await {
        Ok(_) => Redirect::to(&format!("/basisbeveiliging/{nis}{anchor}")).into_response(),
        Err(e) => government_page_with(state, visitor, actor, id, Some(visitor.error_text(&e))).await,
    }
}

#[derive(Deserialize)]
pub struct SystemForm {
    name: String,
    #[serde(default)]
    kind: String,
}

/// `POST /basisbeveiliging/{nis}/systemen`: registers a system.
pub async fn register(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path(nis): Path<String>,
    PageForm(form): PageForm<SystemForm>,
) -> Response {
    let kind = form.kind.parse().ok();
    government_form(&state, &visitor, &actor, &nis, "", |id| {
        state.services.register_baseline_system(&actor, id, &form.name, kind)
    })
    .await
}

/// `POST /basisbeveiliging/{nis}/systemen/{system}/verwijderen`: takes a system off the scan.
pub async fn remove(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path((nis, system)): Path<(String, String)>,
    PageForm(_): PageForm<NoFields>,
) -> Response {
    let Ok(system) = system.parse::<i64>() else {
        return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    };
    government_form(&state, &visitor, &actor, &nis, "", |id| {
        state.services.remove_baseline_system(&actor, id, system)
    })
    .await
}

/// `POST /basisbeveiliging/{nis}/scan`: asks for a scan of every system now.
pub async fn scan(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path(nis): Path<String>,
    PageForm(_): PageForm<NoFields>,
) -> Response {
    government_form(&state, &visitor, &actor, &nis, "", |id| {
        state.services.request_baseline_scan(&actor, id)
    })
    .await
}

#[derive(Deserialize)]
pub struct PauseForm {
    #[serde(default)]
    paused: String,
}

/// `POST /basisbeveiliging/{nis}/pauze`: pauses (`paused=1`) or resumes the scans.
pub async fn pause(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path(nis): Path<String>,
    PageForm(form): PageForm<PauseForm>,
) -> Response {
    let paused = form.paused == "1";
    government_form(&state, &visitor, &actor, &nis, "", |id| {
        state.services.set_baseline_paused(&actor, id, paused)
    })
    .await
}

#[derive(Deserialize)]
pub struct ExplainForm {
    check: String,
    subject: String,
    explanation: String,
}

/// `POST /basisbeveiliging/{nis}/toelichting`: "comply or explain".
pub async fn explain(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path(nis): Path<String>,
    PageForm(form): PageForm<ExplainForm>,
) -> Response {
    government_form(&state, &visitor, &actor, &nis, "#controles", |id| {
        state
            .services
            .explain_check(&actor, id, &form.check, &form.subject, &form.explanation)
    })
    .await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    accept: String,
    #[serde(default)]
    note: String,
}

/// `POST /basisbeveiliging/toelichtingen/{id}`: the administrator accepts (`accept=1`) or rejects.
pub async fn decide(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<DecisionForm>,
) -> Response {
    match state
        .services
        .decide_explanation(&actor, id, form.accept == "1", Some(&form.note))
        .await
    {
        Ok(_) => Redirect::to("/basisbeveiliging").into_response(),
        Err(ServiceError::Forbidden) => visitor.message(StatusCode::FORBIDDEN, "forbidden-title", "forbidden-body"),
        Err(e) => overview_page(&state, &visitor, &actor, Some(visitor.error_text(&e))).await,
    }
}

#[derive(Deserialize)]
pub struct PublicationForm {
    #[serde(default)]
    public: String,
}

/// `POST /basisbeveiliging/openbaar`: the administrator switches the public overview on or off.
pub async fn publication(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageForm(form): PageForm<PublicationForm>,
) -> Response {
    match state.services.set_baseline_public(&actor, form.public == "1").await {
        Ok(()) => Redirect::to("/basisbeveiliging").into_response(),
        Err(e) => visitor.page_with_status(
            StatusCode::FORBIDDEN,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        ),
    }
}

/// `/openbaar/basisbeveiliging`: the public overview per province, once switched on.
pub async fn public(State(state): State<AppState>, visitor: Visitor) -> Response {
    let dutch = visitor.lang.is_dutch();
    match state.services.province_scores(None).await {
        Ok(Some(list)) => {
            let categories: Vec<Value> = score_categories()
                .skip(1)
                .map(|c| context! { title => category_title(c, dutch) })
                .collect();
            let provinces: Vec<Value> = list
                .into_iter()
                .map(|p| {
                    context! { name => if dutch { p.province.name_nl() } else { p.province.name_en() }, governments => p.governments,
                    mean => p.mean, categories => p.categories.iter().map(|(_, m)| *m).collect::<Vec<_>>() }
                })
                .collect();
            visitor.page("baseline_public.html", context! { provinces, categories })
        }
        _ => visitor.message(StatusCode::NOT_FOUND, "not-found-title", "baseline-public-off"),
    }
}

/// `/scanner`: what the baseline scan is and how to reach its operator: the page the scanner's
/// User-Agent and EHLO point to.
pub async fn scanner(State(state): State<AppState>, visitor: Visitor) -> Response {
    let contact = super::disclosure::operator_contact(&state);
    visitor.page(
        "scanner.html",
        context! { version => env!("CARGO_PKG_VERSION"), contact, public_url => state.services.accounts.public_url.clone() },
    )
}
