//! Engagements in the portal (the Howest track): the list, an engagement with its printable
//! authorisation letter, the signatory's acceptance, the withdrawal, the team's findings, a
//! proposal by VVSG and the figures. Every decision is the service's; these pages read forms
//! and show what it answers.

use super::*;
use cyberveilig_domain::engagement::Technique;
use cyberveilig_services::engagements::{EngagementTerms, EngagementView, PhaseCounts, TeamFinding};

/// A form with repeated fields (checkboxes, team rows), as pairs in order.
type Pairs = Vec<(String, String)>;

fn field<'a>(form: &'a Pairs, name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

fn all(form: &Pairs, name: &str) -> Vec<String> {
    form.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

/// Engagements are for the administrator, VVSG, governments and researchers, not for firms.
fn may_see_engagements(actor: &Actor) -> bool {
    actor.role != Role::FirmMember
}

fn may_propose(actor: &Actor) -> bool {
    matches!(actor.role, Role::ProgrammeAdmin | Role::AssociationMember)
}

fn summary(v: &EngagementView) -> Value {
    let e = &v.engagement;
    context! {
        id => e.id, title => e.title.clone(), government => v.government.clone(), government_nis => v.government_nis.clone(),
        partner => v.partner.clone(), phase => v.phase.as_str(), starts_on => e.starts_on.to_string(),
        ends_on => e.ends_on.to_string(), team_size => e.team.len(), scope_size => e.scope.len(),
        social_engineering => v.techniques.iter().any(|t| t.is_social_engineering()),
    }
}

/// `GET /samenwerkingen`: the engagements the visitor may see.
pub async fn list(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    if !may_see_engagements(&actor) {
        return forbidden(&visitor);
    }
    match state.services.engagements(&actor).await {
        Ok(list) => {
            let items: Vec<Value> = list.iter().map(summary).collect();
            visitor.page(
                "engagements.html",
                context! { items, may_propose => may_propose(&actor),
                figures => may_propose(&actor) },
            )
        }
        Err(e) => refusal(&visitor, &e),
    }
}

/// What the team's finding form held, to show it again after a refusal.
#[derive(Deserialize, Default)]
pub struct FindingForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    cvss_vector: String,
    #[serde(default)]
    asset_id: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    recommendation: String,
}

/// `GET /samenwerkingen/{id}`: the engagement, its letter, and what the visitor may do.
pub async fn page(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let notice = q.contains_key("ingediend").then(|| visitor.text("engagement-finding-sent"));
    engagement_page(&state, &visitor, &actor, id, None, None, notice).await
}

async fn engagement_page(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    id: i64,
    error: Option<String>,
    draft: Option<&FindingForm>,
    notice: Option<String>,
) -> Response {
    let (view, letter) = match state.services.engagement_letter(actor, id).await {
        Ok(v) => v,
        Err(e) => return refusal(visitor, &e),
    };
    let findings: Vec<Value> = if view.can_see_findings {
        state
            .services
            .engagement_findings(actor, id)
            .await
            .unwrap_or_default()
            .iter()
            .map(|f| {
                let asset = view
                    .engagement
                    .scope
                    .iter()
                    .find(|(a, _)| Some(*a) == f.asset_id)
                    .map(|(_, n)| n.clone());
                context! { id => f.id, title => f.title.clone(), severity => f.severity.as_str(), status => f.status.as_str(),
                asset, first_seen => f.first_seen.to_rfc3339(), cvss_score => f.cvss_score }
            })
            .collect()
    } else {
        Vec::new()
    };
    // The register is the government's and the administrator's; the team sees its list here.
    let link_findings = matches!(actor.role, Role::GovernmentMember | Role::ProgrammeAdmin);
    let e = &view.engagement;
    let techniques: Vec<Value> = view
        .techniques
        .iter()
        .map(|t| context! { code => t.as_str(), text => t.describe(visitor.lang.is_dutch()), social => t.is_social_engineering() })
        .collect();
    let team: Vec<Value> = e
        .team
        .iter()
        .map(|m| context! { name => m.name.clone(), email => m.email.clone(), role => m.role.clone() })
        .collect();
    let scope: Vec<Value> = e.scope.iter().map(|(id, name)| context! { id, name => name.clone() }).collect();
    let acceptances: Vec<Value> = view
        .acceptances
        .iter()
        .map(|a| {
            context! { version => a.version, hash => a.letter_hash.clone(), by => a.accepted_by_name.clone(),
            at => a.accepted_at.to_rfc3339(), social => a.social_engineering_authorised }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let text = if visitor.lang.is_dutch() {
        letter.dutch.clone()
    } else {
        letter.english.clone()
    };
    visitor.page_with_status(
        status,
        "engagement.html",
        context! {
            en => context! { ..summary(&view), ..context! {
                state => e.state.as_str(), version => e.version, government_contact => e.government_contact.clone(),
                team_contact => e.team_contact.clone(), emergency_contact => e.emergency_contact.clone(),
                coordinator => view.coordinator.clone(), ended_reason => e.ended_reason.clone(),
                accepted_at => e.accepted_at.map(|t| t.to_rfc3339()),
                social_engineering_authorised => e.social_engineering_authorised, may_test => view.may_test,
            } },
            techniques, team, scope, acceptances, findings, link_findings,
            letter => context! { text, hash => letter.hash.clone(), version => letter.version },
            can_accept => view.can_accept, can_change => view.can_change, can_withdraw => view.can_withdraw, can_submit => view.can_submit,
            can_see_findings => view.can_see_findings,
            draft => draft.map(|d| context! { title => d.title.clone(), description => d.description.clone(),
                severity => d.severity.clone(), cvss_vector => d.cvss_vector.clone(), asset_id => d.asset_id.clone(),
                location => d.location.clone(), evidence => d.evidence.clone(), recommendation => d.recommendation.clone() }), severities => ["critical", "high", "medium", "low", "info"],
            error, notice,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct AcceptForm {
    #[serde(default)]
    letter_hash: String,
    #[serde(default)]
    social_engineering_authorised: String,
}

/// `POST /samenwerkingen/{id}/aanvaarden`: the government's signatory accepts the letter shown.
pub async fn accept(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(eid): PageId,
    PageForm(form): PageForm<AcceptForm>,
) -> Response {
    let social = form.social_engineering_authorised == "1";
    match state.services.accept_engagement(&actor, eid, form.letter_hash.trim(), social).await {
        Ok(_) => Redirect::to(&format!("/samenwerkingen/{eid}")).into_response(),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Unknown { .. } | ServiceError::Conflict { .. })) => {
            engagement_page(&state, &visitor, &actor, eid, Some(visitor.error_text(&e)), None, None).await
        }
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

/// `POST /samenwerkingen/{id}/intrekken`: withdraws the engagement, with a reason.
pub async fn withdraw(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(eid): PageId,
    PageForm(form): PageForm<WithdrawForm>,
) -> Response {
    match state.services.withdraw_engagement(&actor, eid, &form.reason).await {
        Ok(_) => Redirect::to(&format!("/samenwerkingen/{eid}")).into_response(),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Unknown { .. } | ServiceError::Conflict { .. })) => {
            engagement_page(&state, &visitor, &actor, eid, Some(visitor.error_text(&e)), None, None).await
        }
        Err(e) => refusal(&visitor, &e),
    }
}

/// `POST /samenwerkingen/{id}/bevindingen`: a team member submits a finding.
pub async fn submit_finding(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(eid): PageId,
    PageForm(form): PageForm<FindingForm>,
) -> Response {
    let result = match form.asset_id.trim().parse::<i64>() {
        Ok(asset_id) => {
            let finding = TeamFinding {
                title: form.title.clone(),
                description: form.description.clone(),
                severity: Some(form.severity.clone()).filter(|s| !s.trim().is_empty()),
                cvss_vector: Some(form.cvss_vector.clone()).filter(|s| !s.trim().is_empty()),
                asset_id,
                location: form.location.clone(),
                evidence: form.evidence.clone(),
                recommendation: form.recommendation.clone(),
            };
            state.services.submit_engagement_finding(&actor, eid, finding).await.map(|_| ())
        }
        Err(_) => Err(ServiceError::invalid(
            "asset_id",
            "choose a system of the engagement's scope",
            "kies een systeem uit de scope van de opdracht",
        )),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/samenwerkingen/{eid}?ingediend=1#bevindingen")).into_response(),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Unknown { .. } | ServiceError::Conflict { .. })) => {
            engagement_page(&state, &visitor, &actor, eid, Some(visitor.error_text(&e)), Some(&form), None).await
        }
        Err(e) => refusal(&visitor, &e),
    }
}

/// The proposal form's values, to show again after a refusal.
fn proposal_values(form: &Pairs) -> Value {
    context! {
        government_nis => field(form, "government_nis"), title => field(form, "title"),
        starts_on => field(form, "starts_on"), ends_on => field(form, "ends_on"), scope => field(form, "scope"),
        techniques => all(form, "techniques"),
        government_contact => field(form, "government_contact"), team_contact => field(form, "team_contact"),
        emergency_contact => field(form, "emergency_contact"),
    }
}

/// Rows for team members on the proposal form (a browser without JavaScript adds none).
const TEAM_ROWS: usize = 8;

/// `GET /samenwerkingen/nieuw`: VVSG (or an administrator) proposes an engagement.
pub async fn new_page(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    if !may_propose(&actor) {
        return forbidden(&visitor);
    }
    terms_page(&state, &visitor, &Vec::new(), None, None).await
}

/// The terms form, for a proposal (`editing` none) or a change of the engagement `editing`.
async fn terms_page(state: &AppState, visitor: &Visitor, form: &Pairs, editing: Option<i64>, error: Option<String>) -> Response {
    let governments: Vec<Value> = state
        .services
        .organisations_public(OrganisationFilter {
            kind: Some(OrganisationKind::Gemeente),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|o| {
            o.nis_code
                .as_ref()
                .map(|n| context! { nis => n.to_string(), name => o.name.clone() })
        })
        .collect();
    let values = proposal_values(form);
    let mut team: Vec<(String, String)> = all(form, "team_email")
        .into_iter()
        .zip(all(form, "team_role"))
        .filter(|(email, _)| !email.trim().is_empty())
        .collect();
    team.resize(TEAM_ROWS.max(team.len() + 2), (String::new(), String::new()));
    let team: Vec<Value> = team.into_iter().map(|(email, role)| context! { email, role }).collect();
    let techniques: Vec<Value> = Technique::ALL
        .iter()
        .map(|t| context! { code => t.as_str(), text => t.describe(visitor.lang.is_dutch()), social => t.is_social_engineering() })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "engagement_form.html",
        context! { v => values, team, techniques, governments, editing, error },
    )
}

/// The terms as the form holds them; a date that is no date is refused.
fn terms_of(form: &Pairs) -> Result<EngagementTerms, ServiceError> {
    let date = |name: &'static str| match field(form, name).trim() {
        "" => Ok(None),
        text => parse_date(text, name).map(Some),
    };
    Ok(EngagementTerms {
        government_nis: field(form, "government_nis").trim().to_owned(),
        title: field(form, "title").to_owned(),
        starts_on: date("starts_on")?,
        ends_on: date("ends_on")?,
        scope: field(form, "scope").lines().map(str::to_owned).collect(),
        techniques: all(form, "techniques"),
        team: all(form, "team_email")
            .into_iter()
            .zip(all(form, "team_role"))
            .filter(|(email, _)| !email.trim().is_empty())
            .map(|(email, role)| (email.trim().to_owned(), role))
            .collect(),
        government_contact: field(form, "government_contact").to_owned(),
        team_contact: field(form, "team_contact").to_owned(),
        emergency_contact: field(form, "emergency_contact").to_owned(),
    })
}

/// The engagement's terms as the form's fields, to change them.
fn pairs_of(v: &EngagementView) -> Pairs {
    let e = &v.engagement;
    let mut form: Pairs = vec![
        ("government_nis".into(), v.government_nis.clone().unwrap_or_default()),
        ("title".into(), e.title.clone()),
        ("starts_on".into(), e.starts_on.to_string()),
        ("ends_on".into(), e.ends_on.to_string()),
        (
            "scope".into(),
            e.scope.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("\n"),
        ),
        ("government_contact".into(), e.government_contact.clone()),
        ("team_contact".into(), e.team_contact.clone()),
        ("emergency_contact".into(), e.emergency_contact.clone()),
    ];
    form.extend(v.techniques.iter().map(|t| ("techniques".to_owned(), t.as_str().to_owned())));
    for m in &e.team {
        form.push(("team_email".into(), m.email.clone()));
        form.push(("team_role".into(), m.role.clone()));
    }
    form
}

/// `POST /samenwerkingen/nieuw`: the proposal; on success, to the new engagement's page.
pub async fn propose(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<Pairs>) -> Response {
    if !may_propose(&actor) {
        return forbidden(&visitor);
    }
    let result = match terms_of(&form) {
        Ok(terms) => state.services.propose_engagement(&actor, terms).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(view) => Redirect::to(&format!("/samenwerkingen/{}", view.engagement.id)).into_response(),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Unknown { .. } | ServiceError::Conflict { .. })) => {
            terms_page(&state, &visitor, &form, None, Some(visitor.error_text(&e))).await
        }
        Err(e) => refusal(&visitor, &e),
    }
}

/// `GET /samenwerkingen/{id}/wijzigen`: the terms to change (VVSG, an administrator); an
/// accepted letter must then be accepted anew.
pub async fn change_page(State(state): State<AppState>, Member(visitor, actor): Member, PageId(eid): PageId) -> Response {
    match state.services.engagement(&actor, eid).await {
        Ok(view) if view.can_change => terms_page(&state, &visitor, &pairs_of(&view), Some(eid), None).await,
        Ok(_) => forbidden(&visitor),
        Err(e) => refusal(&visitor, &e),
    }
}

/// `POST /samenwerkingen/{id}/wijzigen`: the changed terms.
pub async fn change(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(eid): PageId,
    PageForm(form): PageForm<Pairs>,
) -> Response {
    let result = match terms_of(&form) {
        Ok(terms) => state.services.change_engagement(&actor, eid, terms).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/samenwerkingen/{eid}")).into_response(),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Unknown { .. } | ServiceError::Conflict { .. })) => {
            terms_page(&state, &visitor, &form, Some(eid), Some(visitor.error_text(&e))).await
        }
        Err(e) => refusal(&visitor, &e),
    }
}

fn counts(c: &PhaseCounts) -> Value {
    context! { proposed => c.proposed, authorised => c.authorised, active => c.active, closed => c.closed,
    withdrawn => c.withdrawn, total => c.total() }
}

/// `GET /samenwerkingen/cijfers`: engagements per government and in total, by phase.
pub async fn figures(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    match state.services.engagement_figures(&actor).await {
        Ok(f) => {
            let governments: Vec<Value> = f
                .governments
                .iter()
                .map(|(name, nis, c)| context! { name => name.clone(), nis => nis.clone(), counts => counts(c) })
                .collect();
            visitor.page(
                "engagement_figures.html",
                context! { total => counts(&f.total), governments, findings => f.findings },
            )
        }
        Err(e) => refusal(&visitor, &e),
    }
}
