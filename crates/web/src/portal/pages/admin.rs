//! The administrator's pages: the programme at a glance and its amendments, framework
//! agreements, governments reached, people and invitations, the outbox.

use super::*;
use cyberveilig_domain::ssvc::RemediationTerms;

pub(super) async fn admin_home(state: &AppState, visitor: &Visitor, actor: &Actor) -> Response {
    admin_home_with(state, visitor, actor, &AmendForm::default(), None, None).await
}

#[derive(Deserialize, Default)]
pub struct AmendForm {
    #[serde(default)]
    offer_ends_on: String,
    #[serde(default)]
    budget_euro: String,
    #[serde(default)]
    term_act: String,
    #[serde(default)]
    term_attend: String,
    #[serde(default)]
    term_track_star: String,
    #[serde(default)]
    term_track: String,
    #[serde(default)]
    reason: String,
}

/// The remediation terms the form sets: a field left empty keeps the programme's term.
async fn terms_of(state: &AppState, id: i64, form: &AmendForm) -> Result<Option<RemediationTerms>, ServiceError> {
    let fields = [&form.term_act, &form.term_attend, &form.term_track_star, &form.term_track];
    if fields.iter().all(|f| f.trim().is_empty()) {
        return Ok(None);
    }
    let mut terms = state.services.remediation_terms(id).await?;
    let slots = [&mut terms.act, &mut terms.attend, &mut terms.track_star, &mut terms.track];
    for (text, slot) in fields.into_iter().zip(slots) {
        match text.trim() {
            "" => {}
            t => {
                *slot = t.parse().map_err(|_| {
                    ServiceError::invalid(
                        "remediation_terms",
                        format!("'{t}' is not a number of days"),
                        format!("'{t}' is geen aantal dagen"),
                    )
                })?
            }
        }
    }
    Ok(Some(terms))
}

/// An amendment from the administrator's home page: a later end of the offer, another budget.
pub async fn amend(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<AmendForm>,
) -> Response {
    let remediation_terms = terms_of(&state, id, &form).await;
    let parsed = (|| {
        let remediation_terms = remediation_terms?;
        let offer_ends_on = match form.offer_ends_on.trim() {
            "" => None,
            text => Some(parse_date(text, "offer_ends_on")?),
        };
        let budget = match form.budget_euro.trim() {
            "" => None,
            text => Some(parse_amount(text, "budget")?),
        };
        Ok::<_, ServiceError>(cyberveilig_services::programmes::ProgrammeAmendment {
            offer_ends_on,
            budget,
            remediation_terms,
            reason: form.reason.clone(),
        })
    })();
    let result = match parsed {
        Ok(amendment) => state.services.amend_programme(&actor, id, amendment).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            let notice = Some(crate::portal::i18n::text(visitor.lang, "amend-done", &[]));
            admin_home_with(&state, &visitor, &actor, &AmendForm::default(), notice, None).await
        }
        Err(ServiceError::Forbidden) => forbidden(&visitor),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            admin_home_with(&state, &visitor, &actor, &form, None, error).await
        }
    }
}

pub(super) async fn admin_home_with(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    form: &AmendForm,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    if actor.role != Role::ProgrammeAdmin {
        return forbidden(visitor);
    }
    let mut programmes = Vec::new();
    for p in public_figures(state).await {
        let id = p.get_attr("id").ok().and_then(|v| v.as_i64()).unwrap_or_default();
        let amendments: Vec<Value> = state
            .services
            .amendments(actor, id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|a| context! { at => a.at.to_rfc3339(), summary => amendment_summary(&a.summary, visitor.lang), reason => a.reason })
            .collect();
        let t = state.services.remediation_terms(id).await.unwrap_or_default();
        let terms = context! { act => t.act, attend => t.attend, track_star => t.track_star, track => t.track };
        programmes.push(context! { ..p, ..context! { amendments, terms } });
    }
    // D7: the settlement queue, each order with the payment settling it will make.
    let queue = state.services.settlement_queue(actor, None, PAGE + 1).await.unwrap_or_default();
    let settlements_more = queue.len() as i64 > PAGE;
    let mut settlements = Vec::with_capacity(queue.len());
    for v in queue.iter().take(PAGE as usize) {
        settlements.push(super::orders::settlement_row(state, v).await);
    }
    let amend =
        context! { offer_ends_on => form.offer_ends_on.clone(), budget_euro => form.budget_euro.clone(), reason => form.reason.clone() };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "admin.html",
        context! { programmes, settlements, settlements_more, amend, notice, error },
    )
}

/// An amendment's recorded changes in words: the new end of the offer, the new budget.
pub(super) fn amendment_summary(summary: &serde_json::Value, lang: crate::lang::Lang) -> String {
    let mut parts = Vec::new();
    let find = |key: &str| {
        summary
            .get(key)
            .and_then(|v| v.get("to").or(Some(v)))
            .cloned()
            .filter(|v| !v.is_null())
    };
    if let Some(date) = find("offer_ends_on").and_then(|v| v.as_str().map(str::to_owned)) {
        let shown = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or(date);
        parts.push(crate::portal::i18n::text(lang, "amended-offer-ends", &[("date", shown.into())]));
    }
    if let Some(cents) = find("budget_cents").and_then(|v| v.as_i64()) {
        let m = Money::from_cents(cents);
        let shown = if lang.is_dutch() { m.format_nl() } else { m.format_en() };
        parts.push(crate::portal::i18n::text(lang, "amended-budget", &[("amount", shown.into())]));
    }
    if let Some(t) = find("remediation_terms") {
        let day = |k: &str| t.get(k).and_then(|v| v.as_u64()).unwrap_or_default().to_string();
        let args = [
            ("act", day("act").into()),
            ("attend", day("attend").into()),
            ("track_star", day("track_star").into()),
            ("track", day("track").into()),
        ];
        parts.push(crate::portal::i18n::text(lang, "amended-terms", &args));
    }
    if parts.is_empty() { summary.to_string() } else { parts.join("; ") }
}

pub async fn agreements(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    if !can(&actor, Permission::ManageAgreements) {
        return forbidden(&visitor);
    }
    let mut list = Vec::new();
    let today = brussels_date(state.services.clock.now());
    for a in state.services.agreements().await.unwrap_or_default() {
        let mut cascade = Vec::new();
        for f in &a.cascade {
            cascade.push(context! { rank => f.rank, name => org_name(&state, f.firm_id).await, package_price_cents => f.package_price.cents(), day_rate_cents => f.day_rate.cents() });
        }
        list.push(context! {
            id => a.id, reference => a.reference.clone(), title => a.title.clone(), active => a.active,
            status => super::orders::agreement_status_view(&a, today),
            window_from => a.window_from.to_string(), window_until => a.window_until.to_string(), term => a.response_term_working_days, cascade,
        });
    }
    visitor.page("agreements.html", context! { agreements => list })
}

pub async fn activate_agreement(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    _: PageForm<NoFields>,
) -> Response {
    match state.services.activate_agreement(&actor, id).await {
        Ok(_) => Redirect::to("/raamovereenkomsten").into_response(),
        Err(ServiceError::Forbidden) => forbidden(&visitor),
        Err(e) => visitor.page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message.html",
            context! { title => "", body => visitor.error_text(&e) },
        ),
    }
}

#[derive(Deserialize)]
pub struct GovernmentsQuery {
    show: Option<String>,
}

pub async fn governments(State(state): State<AppState>, Member(visitor, actor): Member, Query(q): Query<GovernmentsQuery>) -> Response {
    let Some(programme) = state.services.programmes(&actor).await.ok().and_then(|p| p.into_iter().next()) else {
        return forbidden(&visitor);
    };
    let counts: HashMap<i64, (i64, i64)> = match state.services.orders_by_government(&actor, programme.programme.id).await {
        Ok(rows) => rows.into_iter().map(|(g, b, a)| (g, (b, a))).collect(),
        Err(_) => return forbidden(&visitor),
    };
    let filter = OrganisationFilter {
        kind: Some(OrganisationKind::Gemeente),
        limit: 10_000,
        ..Default::default()
    };
    let provinces: HashMap<String, String> = state
        .services
        .organisations_public(OrganisationFilter {
            kind: Some(OrganisationKind::Provincie),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.nis_code.map(|n| (n.to_string(), p.name)))
        .collect();
    let list: Vec<Value> = state
        .services
        .organisations_public(filter)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|g| {
            let (basic, additional) = counts.get(&g.id).copied().unwrap_or((0, 0));
            let province = g
                .province_nis
                .as_ref()
                .and_then(|n| provinces.get(n.as_str()))
                .cloned()
                .unwrap_or_default();
            context! { nis => g.nis_code.map(|n| n.to_string()), name => g.name, province, basic, additional }
        })
        .collect();
    let reached = counts.values().filter(|(b, _)| *b > 0).count();
    let show = match q.show.as_deref() {
        Some("ordered") => "ordered",
        Some("not") => "not",
        _ => "all",
    };
    visitor.page("governments.html", context! { governments => list, reached, show })
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation: i64,
    #[serde(default)]
    role: String,
}

pub(super) async fn people_page(
    state: &AppState,
    visitor: &Visitor,
    actor: &Actor,
    form: &InviteForm,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let admin = actor.role == Role::ProgrammeAdmin;
    let scope = if admin { None } else { Some(actor.organisation_id) };
    let (people, invitations) = match (
        state.services.people(actor, scope).await,
        state.services.invitations(actor, scope).await,
    ) {
        (Ok(p), Ok(i)) => (p, i),
        _ => return forbidden(visitor),
    };
    // The administrator sees the people of the platform's actors first; governments' contacts
    // are many and listed per government.
    let mut shown = Vec::new();
    let total = people.len();
    for p in people
        .iter()
        .filter(|p| !admin || p.role != Role::GovernmentMember || !p.email.as_str().ends_with("@gemeente.test"))
        .take(200)
    {
        shown.push(context! { name => p.name.clone(), email => p.email.to_string(), role => p.role.as_str(), organisation => org_name(state, p.organisation_id).await });
    }
    let more_people = total - shown.len();
    let now = state.services.clock.now();
    let mut invites = Vec::new();
    for i in invitations.iter().take(200) {
        let status = if i.accepted_at.is_some() {
            "accepted"
        } else if i.expires_at < now {
            "expired"
        } else {
            "open"
        };
        invites.push(context! { email => i.email.to_string(), role => i.role.as_str(), organisation => org_name(state, i.organisation_id).await, created_at => i.created_at.to_rfc3339(), status });
    }
    let organisations: Vec<Value> = if admin {
        let mut list = Vec::new();
        for kind in [
            OrganisationKind::Administration,
            OrganisationKind::AuditFirm,
            OrganisationKind::Association,
            OrganisationKind::EducationPartner,
            OrganisationKind::Gemeente,
        ] {
            let orgs = state
                .services
                .organisations_public(OrganisationFilter {
                    kind: Some(kind),
                    limit: 1000,
                    ..Default::default()
                })
                .await
                .unwrap_or_default();
            list.extend(orgs.into_iter().map(|o| context! { id => o.id, name => o.name }));
        }
        list
    } else {
        Vec::new()
    };
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let form =
        context! { name => form.name.clone(), email => form.email.clone(), organisation => form.organisation, role => form.role.clone() };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "people.html",
        context! { people => shown, more_people, invitations => invites, organisations, roles, own_organisation => actor.organisation_id, form, notice, error },
    )
}

pub async fn people(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    people_page(&state, &visitor, &actor, &InviteForm::default(), None, None).await
}

pub async fn invite(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<InviteForm>) -> Response {
    let role = match form.role.parse::<Role>() {
        Ok(r) => r,
        Err(_) => {
            let e = ServiceError::invalid("role", "choose a role", "kies een rol");
            let error = Some(visitor.error_text(&e));
            return people_page(&state, &visitor, &actor, &form, None, error).await;
        }
    };
    let new = NewInvitation {
        email: form.email.clone(),
        name: form.name.clone(),
        role,
        organisation_id: form.organisation,
    };
    match state.services.invite(&actor, new).await {
        Ok(i) => {
            let notice = Some(crate::portal::i18n::text(
                visitor.lang,
                "invite-sent",
                &[("email", i.email.to_string().into())],
            ));
            people_page(&state, &visitor, &actor, &InviteForm::default(), notice, None).await
        }
        Err(ServiceError::Forbidden) => forbidden(&visitor),
        Err(e) => {
            let error = Some(visitor.error_text(&e));
            let mut page = people_page(&state, &visitor, &actor, &form, None, error).await;
            if let ServiceError::RateLimited { retry_after, .. } = e {
                *page.status_mut() = StatusCode::TOO_MANY_REQUESTS;
                page.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after.into());
            }
            page
        }
    }
}

pub async fn outbox(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    match state.services.outbox(&actor, 100).await {
        Ok(mails) => {
            let mails: Vec<Value> = mails
                .into_iter()
                .map(|m| context! { to => m.to, subject => m.subject, body => m.body, created_at => m.created_at.to_rfc3339(), sent_at => m.sent_at.map(|t| t.to_rfc3339()), last_error => m.last_error })
                .collect();
            visitor.page("outbox.html", context! { mails })
        }
        Err(_) => forbidden(&visitor),
    }
}
