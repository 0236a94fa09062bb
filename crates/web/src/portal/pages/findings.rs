//! The findings register and a finding's page with its remediation steps.

use super::*;

#[derive(Deserialize, Default)]
pub struct FindingsQuery {
    status: Option<String>,
    after: Option<i64>,
}

pub(super) fn finding_view(f: &cyberveilig_services::store::records::StoredFinding, today: NaiveDate) -> Value {
    let decision_class = f.decision.as_deref().map(|d| d.replace('*', "-star"));
    let place = [
        f.url.clone(),
        f.port
            .map(|p| format!("{}/{}", f.protocol.clone().unwrap_or_else(|| "tcp".into()), p)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    context! {
        id => f.id, title => f.title.clone(), severity => f.severity.clone(), status => f.status.clone(),
        decision => f.decision.clone(), decision_class, due_on => f.due_on.map(|d| d.to_string()),
        overdue => f.due_on.is_some_and(|d| d < today) && matches!(f.status.as_str(), "open" | "in_progress"),
        cves => f.cves.replace(',', ", "), where => place, cvss_score => f.cvss_score, cvss_vector => f.cvss_vector.clone(),
        description => f.description.clone(), recommendation => f.recommendation.clone(), evidence => f.evidence.clone(),
        first_seen => f.first_seen.to_rfc3339(),
    }
}

/// `/bevindingen`: the findings register in priority order.
pub async fn findings(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<FindingsQuery>) -> Response {
    let status = nonempty(&q.status).map(str::to_owned);
    if status
        .as_deref()
        .is_some_and(|s| s.parse::<cyberveilig_domain::remediation::FindingStatus>().is_err())
    {
        return visitor.message(StatusCode::UNPROCESSABLE_ENTITY, "bad-form-title", "bad-form-body");
    }
    let offset = q.after.unwrap_or(0).max(0);
    let filter = cyberveilig_services::store::records::FindingFilter {
        status: status.clone(),
        offset,
        limit: PAGE + 1,
        ..Default::default()
    };
    let mut list = match state.services.findings(&actor, filter).await {
        Ok(l) => l,
        Err(_) => return forbidden(&visitor),
    };
    let next_page = (list.len() as i64 > PAGE).then(|| {
        list.truncate(PAGE as usize);
        let mut params = vec![("after", (offset + PAGE).to_string())];
        if let Some(s) = &status {
            params.push(("status", s.clone()));
        }
        format!("/bevindingen?{}", serde_urlencoded::to_string(&params).unwrap_or_default())
    });
    let today = brussels_date(state.services.clock.now());
    let findings: Vec<Value> = list.iter().map(|f| finding_view(f, today)).collect();
    let statuses: Vec<&str> = cyberveilig_domain::remediation::FindingStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    visitor.page("findings.html", context! { findings, statuses, status, next_page })
}

pub(super) async fn finding_page_with(state: &AppState, visitor: &Visitor, actor: &Actor, id: &str, error: Option<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    };
    match state.services.finding(actor, id).await {
        Ok(view) => {
            let today = brussels_date(state.services.clock.now());
            let events: Vec<Value> = view
                .events
                .iter()
                .map(|e| {
                    let d: serde_json::Value = serde_json::from_str(&e.details).unwrap_or_default();
                    context! { at => e.at.to_rfc3339(), actor => e.actor.clone(), to => d["to"].as_str().unwrap_or("").to_owned(),
                    reason => d["reason"].as_str().map(str::to_owned) }
                })
                .collect();
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            visitor.page_with_status(
                status,
                "finding.html",
                context! { f => finding_view(&view.finding, today), steps => view.next_statuses, events, error },
            )
        }
        Err(e) => visitor.page_with_status(
            StatusCode::NOT_FOUND,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        ),
    }
}

pub async fn finding_page(State(state): State<AppState>, Member(visitor, actor): Member, Path(id): Path<String>) -> Response {
    finding_page_with(&state, &visitor, &actor, &id, None).await
}

#[derive(Deserialize, Default)]
pub struct FindingStatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    until: String,
}

pub async fn change_finding(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    Path(id): Path<String>,
    PageForm(form): PageForm<FindingStatusForm>,
) -> Response {
    if let Err(refused) = visitor.check_csrf(&form.csrf) {
        return refused;
    }
    let Ok(finding_id) = id.parse::<i64>() else {
        return visitor.message(StatusCode::NOT_FOUND, "not-found-title", "not-found-body");
    };
    let until = match form.until.trim() {
        "" => Ok(None),
        text => parse_date(text, "until").map(Some),
    };
    let result = match until {
        Ok(until) => {
            let change = cyberveilig_services::findings::StatusChange {
                status: form.status.clone(),
                reason: Some(form.reason.clone()).filter(|r| !r.trim().is_empty()),
                until,
            };
            state.services.change_finding_status(&actor, finding_id, change).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/bevindingen/{finding_id}")).into_response(),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            finding_page_with(&state, &visitor, &actor, &id, error).await
        }
    }
}
