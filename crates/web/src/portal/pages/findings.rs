//! The findings register and a finding's page with its remediation steps.

use super::*;
use cyberveilig_services::store::records::RegisterCursor;

/// The register's filters, sort and page, as the filter form sends them.
#[derive(Deserialize, Default, serde::Serialize, Clone)]
pub struct FindingsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// Where the page starts: the cursor of the page before's next link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The page's number, to show which findings it holds (the cursor says where it starts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
    /// How many findings a bulk change just changed (after its redirect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<usize>,
}

impl FindingsQuery {
    pub(super) fn filters(&self) -> cyberveilig_services::remediation::RegisterFilters {
        cyberveilig_services::remediation::RegisterFilters {
            status: self.status.clone(),
            decision: self.decision.clone(),
            severity: self.severity.clone(),
            asset_id: self.asset_id.clone(),
            owner: self.owner.clone(),
            overdue: self.overdue.clone(),
            sort: self.sort.clone(),
            order_id: None,
        }
    }

    /// The filters as a query string (no page, no notice), for links that keep them.
    pub(super) fn query_string(&self) -> String {
        let kept = FindingsQuery {
            after: None,
            page: None,
            changed: None,
            ..self.clone()
        };
        serde_urlencoded::to_string(&kept).unwrap_or_default()
    }
}

pub(super) fn register_view(e: &cyberveilig_services::store::records::RegisterEntry, today: NaiveDate) -> Value {
    context! {
        ..finding_view(&e.finding, today),
        ..context! {
            owner => e.owner_name.clone(), owner_id => e.owner_id, asset => e.asset_name.clone(),
            criticality => e.asset_criticality.map(|c| c.as_str()), status_reason => e.status_reason.clone(),
            accepted_until => e.accepted_until.map(|d| d.to_string()), status_by => e.status_by_name.clone(),
            last_seen => e.finding.last_seen.to_rfc3339(),
        }
    }
}

pub(super) fn finding_view(f: &cyberveilig_services::store::records::StoredFinding, today: NaiveDate) -> Value {
    let decision_class = f.decision.map(|d| d.as_str().replace('*', "-star"));
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
        id => f.id, title => f.title.clone(), severity => f.severity.as_str(), status => f.status.as_str(),
        decision => f.decision.map(|d| d.as_str()), decision_class, due_on => f.due_on.map(|d| d.to_string()),
        overdue => f.due_on.is_some_and(|d| d < today) && f.status.is_open(),
        cves => f.cves.replace(',', ", "), where => place, cvss_score => f.cvss_score, cvss_vector => f.cvss_vector.clone(),
        description => f.description.clone(), recommendation => f.recommendation.clone(), evidence => f.evidence.clone(),
        first_seen => f.first_seen.to_rfc3339(),
    }
}

/// `/bevindingen`: the findings register, filtered and sorted (priority first by default),
/// with the bulk status change.
pub async fn findings(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<FindingsQuery>) -> Response {
    register_page(&state, &visitor, &actor, &q, None).await
}

pub(super) async fn register_page(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    q: &FindingsQuery,
    error: Option<String>,
) -> Response {
    let today = brussels_date(state.services.clock.now());
    let mut query = match q.filters().query(actor, today) {
        Ok(query) => query,
        Err(ServiceError::Invalid { .. }) => {
            return visitor.message(StatusCode::UNPROCESSABLE_ENTITY, "bad-form-title", "bad-form-body");
        }
        Err(_) => return forbidden(visitor),
    };
    if let Some(text) = q.after.as_deref().filter(|t| !t.is_empty()) {
        match RegisterCursor::decode(text, query.sort) {
            Some(cursor) => query.after = Some(cursor),
            None => return visitor.message(StatusCode::UNPROCESSABLE_ENTITY, "bad-form-title", "bad-form-body"),
        }
    }
    let number = if query.after.is_some() {
        q.page.unwrap_or(2).clamp(2, 1 << 40)
    } else {
        1
    };
    query.limit = PAGE;
    let page = match state.services.register(actor, query).await {
        Ok(p) => p,
        Err(_) => return forbidden(visitor),
    };
    let filters = q.query_string();
    let sep = if filters.is_empty() { "" } else { "&" };
    let next_page = page
        .next
        .as_ref()
        .map(|c| format!("/bevindingen?{filters}{sep}after={}&page={}", c.encode(), number + 1));
    // Pages follow one another (each starts after the last finding of the one before): back to
    // the first, or the browser's back for the one before.
    let previous_page = (number > 1).then(|| format!("/bevindingen?{filters}"));
    let government = actor.role == Role::GovernmentMember;
    // A firm or the administrator sees findings of many governments: each row names its own.
    let mut findings: Vec<Value> = Vec::with_capacity(page.entries.len());
    for e in &page.entries {
        let view = register_view(e, today);
        findings.push(if government {
            view
        } else {
            context! { ..view, ..context! { government => org_name(state, e.finding.government_id).await } }
        });
    }
    let page_ids = page.entries.iter().map(|e| e.finding.id.to_string()).collect::<Vec<_>>().join(",");
    let assets: Vec<Value> = if government {
        let list = state.services.assets(actor, actor.organisation_id).await.unwrap_or_default();
        list.iter()
            .map(|a| context! { id => a.id.to_string(), name => a.name.clone() })
            .collect()
    } else {
        Vec::new()
    };
    let people: Vec<Value> = if government {
        let list = state
            .services
            .owner_candidates(actor, actor.organisation_id)
            .await
            .unwrap_or_default();
        list.iter()
            .map(|p| context! { id => p.id.to_string(), name => p.name.clone() })
            .collect()
    } else {
        Vec::new()
    };
    let statuses: Vec<&str> = cyberveilig_domain::remediation::FindingStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    let sorts: Vec<&str> = cyberveilig_services::store::records::RegisterSort::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let first = if page.entries.is_empty() { 0 } else { (number - 1) * PAGE + 1 };
    let last = (number - 1) * PAGE + page.entries.len() as i64;
    visitor.page_with_status(
        status,
        "findings.html",
        context! {
            findings, statuses, sorts, assets, people, government, page_ids, filters, next_page, previous_page,
            total => page.total, total_exact => page.total_exact, first, last, error, changed => q.changed,
            q => context! { status => q.status.clone(), decision => q.decision.clone(), severity => q.severity.clone(),
                asset_id => q.asset_id.clone(), owner => q.owner.clone(), overdue => q.overdue.is_some(), sort => q.sort.clone() },
            decisions => ["act", "attend", "track*", "track"], severities => ["critical", "high", "medium", "low", "info"],
        },
    )
}

pub(super) async fn finding_page_with(state: &AppState, visitor: &Visitor, actor: &Actor, id: i64, error: Option<String>) -> Response {
    match state.services.finding(actor, id).await {
        Ok(view) => {
            let today = brussels_date(state.services.clock.now());
            let events: Vec<Value> = view
                .events
                .iter()
                .map(|e| {
                    let d: serde_json::Value = serde_json::from_str(&e.details).unwrap_or_default();
                    let text = crate::portal::timeline::describe(visitor.lang, e, &HashMap::new(), None);
                    context! { at => e.at.to_rfc3339(), actor => e.actor.clone(), action => e.action.clone(), text,
                    to => d["to"].as_str().unwrap_or("").to_owned(), owner => d["owner"].as_str().map(str::to_owned),
                    reason => d["reason"].as_str().map(str::to_owned), until => d["until"].as_str().map(str::to_owned),
                    at_day => d["at"].as_str() == Some("remediation_day") }
                })
                .collect();
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let people: Vec<Value> = if view.may_assign {
                let list = state
                    .services
                    .owner_candidates(actor, view.finding.government_id)
                    .await
                    .unwrap_or_default();
                list.iter().map(|p| context! { id => p.id, name => p.name.clone() }).collect()
            } else {
                Vec::new()
            };
            visitor.page_with_status(
                status,
                "finding.html",
                context! { f => register_view(&view.entry, today), steps => view.next_statuses, events, error,
                may_assign => view.may_assign, people },
            )
        }
        Err(e) => visitor.page_with_status(
            StatusCode::NOT_FOUND,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        ),
    }
}

pub async fn finding_page(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    finding_page_with(&state, &visitor, &actor, id, None).await
}

#[derive(Deserialize, Default)]
pub struct FindingStatusForm {
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
    PageId(finding_id): PageId,
    PageForm(form): PageForm<FindingStatusForm>,
) -> Response {
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
            finding_page_with(&state, &visitor, &actor, finding_id, error).await
        }
    }
}
