//! VVSG's grant in the portal (`/actieplan`): the money per work package, deliverables, the action
//! plan, cost claims and progress reports, with VVSG's forms and the administrator's. The
//! beneficiary and the administrator see it; anyone else gets 404. Every decision is the
//! service's.

use super::*;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use cyberveilig_domain::grant::{PlanStatus, period_label};
use cyberveilig_services::grant::{ClaimInput, DeliverableInput, GrantView, PlanItemInput, kept_figures};
use cyberveilig_services::store::records::{ClaimFilter, CostClaim, ProgressReport};

fn euros(amount: Money, dutch: bool) -> String {
    if dutch { amount.format_nl() } else { amount.format_en() }
}

/// The grant whose workspace the visitor may see (VVSG has one).
async fn workspace(state: &AppState, actor: &Actor) -> Result<GrantView, ServiceError> {
    let grant = state
        .services
        .grant_workspaces(actor)
        .await?
        .into_iter()
        .next()
        .ok_or(ServiceError::NotFound("project grant"))?;
    state.services.grant_workspace(actor, grant.id).await
}

fn claim_value(c: &CostClaim, dutch: bool) -> Value {
    context! {
        id => c.id, work_package => c.work_package, costs_from => c.costs_from.to_string(),
        costs_until => c.costs_until.to_string(), amount => euros(c.amount, dutch), description => c.description.clone(),
        state => c.state.as_str(), state_text => c.state.label(dutch), document_name => c.document_name.clone(),
        document_size => c.document_size, submitted_at => c.submitted_at.to_rfc3339(),
        decided_at => c.decided_at.map(|d| d.to_rfc3339()), reason => c.reason.clone(),
        paid_on => c.paid_on.map(|d| d.to_string()), payment_reference => c.payment_reference.clone(),
    }
}

fn figures_value(r: &ProgressReport, dutch: bool) -> Value {
    let f = kept_figures(r);
    context! {
        deliverables_done => f.deliverables_done, deliverables_planned => f.deliverables_planned,
        events_held => f.events_held, registered => f.registered, attended => f.attended,
        organisations_reached => f.organisations_reached, municipalities_reached => f.municipalities_reached,
        engagements => f.engagements, engagement_governments => f.engagement_governments,
        claimed => euros(Money::from_cents(f.claimed_cents), dutch), approved => euros(Money::from_cents(f.approved_cents), dutch),
        paid => euros(Money::from_cents(f.paid_cents), dutch),
        toolkit_published => f.toolkit_published, toolkit_organisations => f.toolkit_organisations,
    }
}

/// `GET /actieplan`: the grant's workspace.
pub async fn page(State(state): State<AppState>, Member(visitor, actor): Member) -> Response {
    grant_page(&state, &visitor, &actor, None).await
}

async fn grant_page(state: &AppState, visitor: &Visitor, actor: &Actor, error: Option<String>) -> Response {
    let view = match workspace(state, actor).await {
        Ok(v) => v,
        Err(e) => return refusal(visitor, &e),
    };
    let claims = match state
        .services
        .grant_claims(
            actor,
            view.grant.id,
            ClaimFilter {
                limit: PAGE,
                ..Default::default()
            },
        )
        .await
    {
        Ok(c) => c,
        Err(e) => return refusal(visitor, &e),
    };
    let dutch = visitor.lang.is_dutch();
    let today = brussels_date(state.services.clock.now());
    let title_of = |n: u32| {
        view.packages
            .iter()
            .find(|p| p.number == n)
            .map(|p| if dutch { p.title_nl.clone() } else { p.title_en.clone() })
            .unwrap_or_default()
    };
    let packages: Vec<Value> = view
        .packages
        .iter()
        .map(|p| {
            context! {
                number => p.number, title => if dutch { p.title_nl.clone() } else { p.title_en.clone() },
                budget => p.budget.map(|b| euros(b, dutch)), budget_euro => p.budget.map(|b| format!("{:.2}", b.cents() as f64 / 100.0)),
                claimed => euros(p.sums.claimed, dutch), approved => euros(p.sums.approved, dutch),
                paid => euros(p.sums.paid, dutch), remaining => p.remaining().map(|r| euros(r, dutch)),
            }
        })
        .collect();
    let deliverables: Vec<Value> = view
        .deliverables
        .iter()
        .map(|d| {
            context! {
                id => d.id, work_package => d.work_package, package => title_of(d.work_package), title => d.title.clone(),
                planned_on => d.planned_on.to_string(), done_on => d.done_on.map(|x| x.to_string()), event_id => d.event_id,
                toolkit_item_id => d.toolkit_item_id,
                late => d.done_on.is_none() && d.planned_on < today,
            }
        })
        .collect();
    let plan: Vec<Value> = view
        .plan
        .iter()
        .map(|i| {
            context! {
                id => i.id, work_package => i.work_package, title => i.title.clone(), owner => i.owner_name.clone(),
                owner_id => i.owner_id, due_on => i.due_on.to_string(), status => i.status.as_str(),
                status_text => i.status.label(dutch),
                overdue => matches!(i.status, PlanStatus::Planned | PlanStatus::InProgress) && i.due_on < today,
            }
        })
        .collect();
    let periods: Vec<Value> = view
        .periods
        .iter()
        .map(|p| {
            context! {
                number => p.number, label => period_label(p.period, dutch), starts_on => p.period.starts_on.to_string(),
                ended => p.ended, report_id => p.report.as_ref().map(|r| r.id),
                reviewed => p.report.as_ref().is_some_and(|r| r.reviewed_at.is_some()),
            }
        })
        .collect();
    let reportable = view.periods.iter().any(|p| p.ended && p.report.is_none());
    let statuses: Vec<Value> = PlanStatus::ALL
        .iter()
        .map(|s| context! { value => s.as_str(), label => s.label(dutch) })
        .collect();
    let people = if view.may_work {
        match state.services.people(actor, Some(view.grant.beneficiary_id)).await {
            Ok(p) => p
                .into_iter()
                .filter(|p| p.role == Role::AssociationMember)
                .map(|p| context! { id => p.id, name => p.name })
                .collect(),
            Err(_) => Vec::new(),
        }
    } else {
        Vec::new()
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let g = &view.grant;
    visitor.page_with_status(
        status,
        "grant.html",
        context! {
            name => g.name.clone(), amount => euros(g.amount, dutch), starts_on => g.starts_on.to_string(), ends_on => g.ends_on.to_string(),
            claimed => euros(view.claimed(), dutch), approved => euros(view.balances.reserved, dutch),
            paid => euros(view.balances.paid, dutch), remaining => euros(view.balances.available(), dutch),
            packages, deliverables, plan, periods, reportable, statuses, people,
            claims => claims.iter().map(|c| claim_value(c, dutch)).collect::<Vec<_>>(),
            may_work => view.may_work, may_supervise => view.may_supervise, today => today.to_string(), error,
        },
    )
}

/// A refusal of bad input shows the workspace again with the message; anything else is its page.
async fn answer(state: &AppState, visitor: &Visitor, actor: &Actor, result: Result<(), ServiceError>, anchor: &str) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/actieplan#{anchor}")).into_response(),
        Err(e) if is_bad_input(&e) => grant_page(state, visitor, actor, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(visitor, &e),
    }
}

fn bad(field: &'static str, en: &str, nl: &str) -> ServiceError {
    ServiceError::invalid(field, en, nl)
}

fn day(field: &'static str, text: &str) -> Result<NaiveDate, ServiceError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| bad(field, "Give a date.", "Geef een datum."))
}

fn optional_day(field: &'static str, text: &str) -> Result<Option<NaiveDate>, ServiceError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        day(field, text).map(Some)
    }
}

fn number(field: &'static str, text: &str) -> Result<u32, ServiceError> {
    text.trim()
        .parse()
        .map_err(|_| bad(field, "Choose a work package.", "Kies een werkpakket."))
}

fn euro(field: &'static str, text: &str) -> Result<Money, ServiceError> {
    Money::parse_euro(text.trim()).map_err(|_| {
        bad(
            field,
            "Give an amount in euro, such as 1250,00.",
            "Geef een bedrag in euro, zoals 1250,00.",
        )
    })
}

async fn grant_id(state: &AppState, actor: &Actor) -> Result<i64, ServiceError> {
    state
        .services
        .grant_workspaces(actor)
        .await?
        .first()
        .map(|g| g.id)
        .ok_or(ServiceError::NotFound("project grant"))
}

#[derive(Deserialize, Default)]
pub struct BudgetForm {
    #[serde(default)]
    work_package: String,
    #[serde(default)]
    budget: String,
}

/// `POST /actieplan/budget`: the administrator sets a work package's budget.
pub async fn set_budget(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<BudgetForm>) -> Response {
    let result = async {
        let id = grant_id(&state, &actor).await?;
        let amount = if form.budget.trim() == "0" {
            Money::ZERO
        } else {
            euro("budget", &form.budget)?
        };
        state
            .services
            .set_package_budget(&actor, id, number("work_package", &form.work_package)?, amount)
            .await
            .map(|_| ())
    }
    .await;
    answer(&state, &visitor, &actor, result, "geld").await
}

#[derive(Deserialize, Default)]
pub struct DeliverableForm {
    #[serde(default)]
    work_package: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    planned_on: String,
    #[serde(default)]
    done_on: String,
}

/// `POST /actieplan/resultaten`: VVSG adds a deliverable.
pub async fn add_deliverable(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageForm(form): PageForm<DeliverableForm>,
) -> Response {
    let result = async {
        let id = grant_id(&state, &actor).await?;
        let input = DeliverableInput {
            work_package: number("work_package", &form.work_package)?,
            title: form.title.clone(),
            planned_on: day("planned_on", &form.planned_on)?,
            done_on: optional_day("done_on", &form.done_on)?,
            event_id: None,
            toolkit_item_id: None,
        };
        state.services.add_deliverable(&actor, id, input).await.map(|_| ())
    }
    .await;
    answer(&state, &visitor, &actor, result, "resultaten").await
}

#[derive(Deserialize, Default)]
pub struct DoneForm {
    #[serde(default)]
    done_on: String,
}

/// `POST /actieplan/resultaten/{id}/klaar`: VVSG marks a deliverable done on a day.
pub async fn deliverable_done(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(did): PageId,
    PageForm(form): PageForm<DoneForm>,
) -> Response {
    let result = async {
        let view = workspace(&state, &actor).await?;
        let d = view
            .deliverables
            .iter()
            .find(|d| d.id == did)
            .ok_or(ServiceError::NotFound("deliverable"))?;
        let input = DeliverableInput {
            work_package: d.work_package,
            title: d.title.clone(),
            planned_on: d.planned_on,
            done_on: Some(day("done_on", &form.done_on)?),
            event_id: d.event_id,
            toolkit_item_id: d.toolkit_item_id,
        };
        state
            .services
            .change_deliverable(&actor, view.grant.id, did, input)
            .await
            .map(|_| ())
    }
    .await;
    answer(&state, &visitor, &actor, result, "resultaten").await
}

#[derive(Deserialize, Default)]
pub struct PlanForm {
    #[serde(default)]
    work_package: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    due_on: String,
}

/// `POST /actieplan/acties`: VVSG adds an item to the action plan.
pub async fn add_plan_item(State(state): State<AppState>, Member(visitor, actor): Member, PageForm(form): PageForm<PlanForm>) -> Response {
    let result = async {
        let id = grant_id(&state, &actor).await?;
        let work_package = match form.work_package.trim() {
            "" => None,
            n => Some(number("work_package", n)?),
        };
        let input = PlanItemInput {
            work_package,
            title: form.title.clone(),
            owner_id: form
                .owner_id
                .trim()
                .parse()
                .map_err(|_| bad("owner_id", "Choose the owner.", "Kies de eigenaar."))?,
            status: PlanStatus::Planned,
            due_on: day("due_on", &form.due_on)?,
        };
        state.services.add_plan_item(&actor, id, input).await.map(|_| ())
    }
    .await;
    answer(&state, &visitor, &actor, result, "acties").await
}

#[derive(Deserialize, Default)]
pub struct PlanStatusForm {
    #[serde(default)]
    status: String,
}

/// `POST /actieplan/acties/{id}/status`: VVSG moves an item of the plan.
pub async fn plan_status(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(item_id): PageId,
    PageForm(form): PageForm<PlanStatusForm>,
) -> Response {
    let result = async {
        let view = workspace(&state, &actor).await?;
        let item = view
            .plan
            .iter()
            .find(|i| i.id == item_id)
            .ok_or(ServiceError::NotFound("plan item"))?;
        let status = form
            .status
            .parse()
            .map_err(|_| bad("status", "Choose a status.", "Kies een status."))?;
        let input = PlanItemInput {
            work_package: item.work_package,
            title: item.title.clone(),
            owner_id: item.owner_id,
            status,
            due_on: item.due_on,
        };
        state
            .services
            .change_plan_item(&actor, view.grant.id, item_id, input)
            .await
            .map(|_| ())
    }
    .await;
    answer(&state, &visitor, &actor, result, "acties").await
}

/// The claim form's fields and its PDF.
#[derive(Default)]
struct ClaimUpload {
    csrf: String,
    fields: HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
}

async fn read_claim(mut form: Multipart) -> Result<ClaimUpload, ()> {
    let mut upload = ClaimUpload::default();
    while let Some(field) = form.next_field().await.map_err(|_| ())? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "csrf" => upload.csrf = field.text().await.map_err(|_| ())?,
            "document" => {
                let filename = field.file_name().unwrap_or("").to_owned();
                let content = field.bytes().await.map_err(|_| ())?.to_vec();
                if !content.is_empty() || !filename.is_empty() {
                    upload.file = Some((filename, content));
                }
            }
            _ => {
                let value = field.text().await.map_err(|_| ())?;
                upload.fields.insert(name, value);
            }
        }
    }
    Ok(upload)
}

/// `POST /actieplan/schuldvorderingen`: VVSG claims costs with the supporting PDF.
pub async fn submit_claim(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let upload = match form {
        Ok(form) => read_claim(form).await.unwrap_or_default(),
        Err(_) => ClaimUpload::default(),
    };
    if let Err(refused) = visitor.check_csrf(&upload.csrf) {
        return refused;
    }
    let field = |name: &str| upload.fields.get(name).cloned().unwrap_or_default();
    let result = async {
        let id = grant_id(&state, &actor).await?;
        let (filename, content) = upload.file.clone().ok_or_else(|| {
            bad(
                "document",
                "Attach the supporting document as a PDF.",
                "Voeg het bewijsstuk toe als PDF.",
            )
        })?;
        let input = ClaimInput {
            work_package: number("work_package", &field("work_package"))?,
            costs_from: day("costs_from", &field("costs_from"))?,
            costs_until: day("costs_until", &field("costs_until"))?,
            amount: euro("amount", &field("amount"))?,
            description: field("description"),
        };
        state
            .services
            .submit_claim(&actor, id, input, &filename, &content)
            .await
            .map(|_| ())
    }
    .await;
    answer(&state, &visitor, &actor, result, "schuldvorderingen").await
}

/// `GET /actieplan/schuldvorderingen/{id}`: a claim with the administrator's forms.
pub async fn claim(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    claim_page(&state, &visitor, &actor, id, None).await
}

async fn claim_page(state: &AppState, visitor: &Visitor, actor: &Actor, id: i64, error: Option<String>) -> Response {
    let result = async {
        let grant = grant_id(state, actor).await?;
        let view = state.services.grant_workspace(actor, grant).await?;
        let claim = state.services.grant_claim(actor, grant, id).await?;
        Ok::<_, ServiceError>((view, claim))
    }
    .await;
    let (view, claim) = match result {
        Ok(x) => x,
        Err(e) => return refusal(visitor, &e),
    };
    let dutch = visitor.lang.is_dutch();
    let package = view
        .packages
        .iter()
        .find(|p| p.number == claim.work_package)
        .map(|p| if dutch { p.title_nl.clone() } else { p.title_en.clone() });
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "grant_claim.html",
        context! {
            claim => claim_value(&claim, dutch), package, may_supervise => view.may_supervise,
            remaining => euros(view.balances.available(), dutch),
            today => brussels_date(state.services.clock.now()).to_string(), error,
        },
    )
}

/// `GET /actieplan/schuldvorderingen/{id}/bewijsstuk`: the supporting PDF, as a download.
pub async fn claim_document(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    let result = async {
        let grant = grant_id(&state, &actor).await?;
        state.services.claim_document(&actor, grant, id).await
    }
    .await;
    match result {
        Ok((claim, content)) => crate::api::attachment(content, crate::api::PDF, &claim.document_name),
        Err(e) => refusal(&visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /actieplan/schuldvorderingen/{id}/beslissing`: the administrator approves or rejects.
pub async fn decide_claim(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<DecisionForm>,
) -> Response {
    let result = async {
        let grant = grant_id(&state, &actor).await?;
        let approve = form.decision == "approve";
        state
            .services
            .decide_claim(&actor, grant, id, approve, &form.reason)
            .await
            .map(|_| ())
    }
    .await;
    claim_answer(&state, &visitor, &actor, id, result).await
}

#[derive(Deserialize, Default)]
pub struct PaymentForm {
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    reference: String,
}

/// `POST /actieplan/schuldvorderingen/{id}/betaling`: the administrator records the payment.
pub async fn pay_claim(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<PaymentForm>,
) -> Response {
    let result = async {
        let grant = grant_id(&state, &actor).await?;
        let paid_on = day("paid_on", &form.paid_on)?;
        state
            .services
            .pay_claim(&actor, grant, id, paid_on, &form.reference)
            .await
            .map(|_| ())
    }
    .await;
    claim_answer(&state, &visitor, &actor, id, result).await
}

async fn claim_answer(state: &AppState, visitor: &Visitor, actor: &Actor, id: i64, result: Result<(), ServiceError>) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/actieplan/schuldvorderingen/{id}")).into_response(),
        Err(e) if is_bad_input(&e) => claim_page(state, visitor, actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(visitor, &e),
    }
}

#[derive(Deserialize, Default)]
pub struct ReportForm {
    #[serde(default)]
    period_from: String,
    #[serde(default)]
    text: String,
}

/// `POST /actieplan/voortgang`: VVSG submits the progress report of a half-year.
pub async fn submit_report(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageForm(form): PageForm<ReportForm>,
) -> Response {
    let result = async {
        let grant = grant_id(&state, &actor).await?;
        let from = day("period_from", &form.period_from)?;
        state.services.submit_progress_report(&actor, grant, from, &form.text).await
    }
    .await;
    match result {
        Ok(report) => Redirect::to(&format!("/actieplan/voortgang/{}", report.id)).into_response(),
        Err(e) if is_bad_input(&e) => grant_page(&state, &visitor, &actor, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}

/// `GET /actieplan/voortgang/{id}`: a progress report with its figures.
pub async fn report(State(state): State<AppState>, Member(visitor, actor): Member, PageId(id): PageId) -> Response {
    report_page(&state, &visitor, &actor, id, None).await
}

async fn report_page(state: &AppState, visitor: &Visitor, actor: &Actor, id: i64, error: Option<String>) -> Response {
    let result = async {
        let grant = grant_id(state, actor).await?;
        let view = state.services.grant_workspace(actor, grant).await?;
        let report = state.services.progress_report(actor, grant, id).await?;
        Ok::<_, ServiceError>((view, report))
    }
    .await;
    let (view, report) = match result {
        Ok(x) => x,
        Err(e) => return refusal(visitor, &e),
    };
    let dutch = visitor.lang.is_dutch();
    let label = period_label(
        cyberveilig_domain::grant::GrantPeriod {
            starts_on: report.period_from,
            ends_on: report.period_until,
        },
        dutch,
    );
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    visitor.page_with_status(
        status,
        "grant_report.html",
        context! {
            id => report.id, label, period_from => report.period_from.to_string(), period_until => report.period_until.to_string(),
            text_html => Value::from_safe_string(cyberveilig_publish::markdown::to_html(&report.text)),
            figures => figures_value(&report, dutch), submitted_at => report.submitted_at.to_rfc3339(),
            reviewed_at => report.reviewed_at.map(|d| d.to_rfc3339()), review_note => report.review_note.clone(),
            may_supervise => view.may_supervise, error,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    note: String,
}

/// `POST /actieplan/voortgang/{id}/nagekeken`: the administrator marks the report reviewed.
pub async fn review_report(
    State(state): State<AppState>,
    Member(visitor, actor): Member,
    PageId(id): PageId,
    PageForm(form): PageForm<ReviewForm>,
) -> Response {
    let result = async {
        let grant = grant_id(&state, &actor).await?;
        state
            .services
            .review_progress_report(&actor, grant, id, &form.note)
            .await
            .map(|_| ())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/actieplan/voortgang/{id}")).into_response(),
        Err(e) if is_bad_input(&e) => report_page(&state, &visitor, &actor, id, Some(visitor.error_text(&e))).await,
        Err(e) => refusal(&visitor, &e),
    }
}
