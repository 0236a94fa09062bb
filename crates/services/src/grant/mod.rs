//! VVSG's project grant (issue 13, part 1): the workspace VVSG and the administrator share.
//!
//! The grant's work packages with their budgets and deliverables, the items of the action plan,
//! cost claims paid on the grant's own ledger (`claims`), and the progress reports per half-year
//! (`progress`). The beneficiary's members do the work; the administrators decide, pay and
//! review; nobody else sees the workspace (404, GR-1). Rules GR-1..GR-9 in docs/RULES.md.

use crate::Services;
use crate::authz::{self, Actor, Permission};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::fields;
use crate::work::{Who, Work};
use chrono::NaiveDate;
use cyberveilig_domain::Money;
use cyberveilig_domain::grant::{self as rules, GrantError, GrantPeriod, MAX_TITLE, PlanStatus};
use cyberveilig_domain::ledger::{Balances, Posting};
use cyberveilig_domain::registry::Role;
use cyberveilig_store::Tx;
use cyberveilig_store::records::{Deliverable, GrantPosting, PackageSums, PlanItem, ProgressReport, ProjectGrant};
use serde_json::json;

mod claims;
mod progress;
pub use claims::{ClaimInput, PAGE as CLAIMS_PAGE};
pub use progress::{ProgressFigures, figures_of, kept_figures};

pub(crate) fn refused(e: GrantError) -> ServiceError {
    match e.conflict_code() {
        Some(code) => ServiceError::conflict(code, e.message(false), e.message(true)),
        None => ServiceError::invalid(e.field(), e.message(false), e.message(true)),
    }
}

/// The workspace is not there for whoever may not see it.
const HIDDEN: ServiceError = ServiceError::NotFound("project grant");

/// One work package's money: its budget (if set) and its claims' sums.
#[derive(Debug, Clone)]
pub struct PackageFigures {
    pub number: u32,
    pub title_nl: String,
    pub title_en: String,
    pub budget: Option<Money>,
    pub sums: PackageSums,
}

impl PackageFigures {
    /// What is left of the package's budget after its approved and paid claims.
    pub fn remaining(&self) -> Option<Money> {
        self.budget.map(|b| b - self.sums.approved - self.sums.paid)
    }
}

/// A half-year of the grant with its progress report, if one was submitted.
#[derive(Debug, Clone)]
pub struct PeriodView {
    pub number: usize,
    pub period: GrantPeriod,
    pub report: Option<ProgressReport>,
    /// Whether it has ended, so its report may be submitted.
    pub ended: bool,
}

/// The grant's workspace as the reader may see it.
#[derive(Debug, Clone)]
pub struct GrantView {
    pub grant: ProjectGrant,
    /// The grant's ledger: budget, reserved (approved, not yet paid) and paid.
    pub balances: Balances,
    pub packages: Vec<PackageFigures>,
    pub deliverables: Vec<Deliverable>,
    pub plan: Vec<PlanItem>,
    pub periods: Vec<PeriodView>,
    /// The beneficiary's member: the plan, claims and reports.
    pub may_work: bool,
    /// The administrator: decisions, payments, reviews and budgets.
    pub may_supervise: bool,
}

impl GrantView {
    /// Every claim that was not rejected.
    pub fn claimed(&self) -> Money {
        self.packages.iter().fold(Money::ZERO, |sum, p| sum + p.sums.claimed)
    }
}

/// A deliverable as VVSG plans it.
#[derive(Debug, Clone)]
pub struct DeliverableInput {
    pub work_package: u32,
    pub title: String,
    pub planned_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub event_id: Option<i64>,
    /// The toolkit item that delivers it.
    pub toolkit_item_id: Option<i64>,
}

/// An item of the action plan.
#[derive(Debug, Clone)]
pub struct PlanItemInput {
    pub work_package: Option<u32>,
    pub title: String,
    /// A person of the beneficiary.
    pub owner_id: i64,
    pub status: PlanStatus,
    pub due_on: NaiveDate,
}

pub(crate) fn period(grant: &ProjectGrant) -> GrantPeriod {
    GrantPeriod {
        starts_on: grant.starts_on,
        ends_on: grant.ends_on,
    }
}

fn numbers(grant: &ProjectGrant) -> Vec<u32> {
    grant.work_packages.iter().map(|w| w.number).collect()
}

/// The grant, refusing (404) whoever may not see its workspace.
pub(crate) async fn visible(tx: &mut dyn Tx, actor: &Actor, id: i64) -> Result<ProjectGrant> {
    let grant = tx.grant(id).await?.ok_or(HIDDEN)?;
    if authz::can(actor, Permission::ViewGrant(&grant)) {
        Ok(grant)
    } else {
        Err(HIDDEN)
    }
}

/// The grant locked for the rest of the transaction; 404 for whoever may not see it, 403 for
/// whoever sees it but may not do `permission`.
async fn locked(work: &mut Work, actor: &Actor, id: i64, supervise: bool) -> Result<ProjectGrant> {
    let grant = work.tx.lock_grant(id).await?.ok_or(HIDDEN)?;
    if !authz::can(actor, Permission::ViewGrant(&grant)) {
        return Err(HIDDEN);
    }
    let allowed = if supervise {
        authz::can(actor, Permission::SuperviseGrant)
    } else {
        authz::can(actor, Permission::WorkOnGrant(&grant))
    };
    if allowed { Ok(grant) } else { Err(ServiceError::Forbidden) }
}

/// Posts on the grant's ledger, all or nothing, keeping the balances after each posting.
pub(crate) async fn post(work: &mut Work, grant_id: i64, claim_id: Option<i64>, postings: &[Posting]) -> Result<Balances> {
    let mut balances = work.tx.grant_balances(grant_id).await?;
    for p in postings {
        balances = balances.apply(p).map_err(|_| refused(GrantError::GrantExhausted))?;
        work.tx
            .insert_grant_posting(&GrantPosting {
                grant_id,
                claim_id,
                from: p.from,
                to: p.to,
                amount: p.amount,
                after: balances,
                at: work.now,
            })
            .await?;
    }
    Ok(balances)
}

/// The grant's figures for a steering group's report (ST-7): its members read them there.
pub(crate) async fn view_for_report(tx: &mut dyn Tx, grant: ProjectGrant, today: NaiveDate) -> Result<GrantView> {
    let mut view = figures(tx, grant, today).await?;
    view.plan.clear();
    Ok(view)
}

async fn grant_view(tx: &mut dyn Tx, actor: &Actor, grant: ProjectGrant, today: NaiveDate) -> Result<GrantView> {
    let mut view = figures(tx, grant, today).await?;
    view.may_work = authz::can(actor, Permission::WorkOnGrant(&view.grant));
    view.may_supervise = authz::can(actor, Permission::SuperviseGrant);
    Ok(view)
}

async fn figures(tx: &mut dyn Tx, grant: ProjectGrant, today: NaiveDate) -> Result<GrantView> {
    let balances = tx.grant_balances(grant.id).await?;
    let sums = tx.claim_sums(grant.id).await?;
    let packages = grant
        .work_packages
        .iter()
        .map(|w| PackageFigures {
            number: w.number,
            title_nl: w.title_nl.clone(),
            title_en: w.title_en.clone(),
            budget: w.budget_cents.map(Money::from_cents),
            sums: sums.iter().find(|s| s.work_package == w.number).copied().unwrap_or(PackageSums {
                work_package: w.number,
                ..PackageSums::default()
            }),
        })
        .collect();
    let reports = tx.progress_reports(grant.id).await?;
    let periods = rules::reporting_periods(period(&grant))
        .into_iter()
        .enumerate()
        .map(|(i, p)| PeriodView {
            number: i + 1,
            report: reports.iter().find(|r| r.period_from == p.starts_on).cloned(),
            ended: p.ends_on < today,
            period: p,
        })
        .collect();
    Ok(GrantView {
        balances,
        packages,
        deliverables: tx.deliverables(grant.id).await?,
        plan: tx.plan_items(grant.id).await?,
        periods,
        may_work: false,
        may_supervise: false,
        grant,
    })
}

impl Services {
    /// The grants whose workspace the actor may see.
    pub async fn grant_workspaces(&self, actor: &Actor) -> Result<Vec<ProjectGrant>> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .grants()
            .await?
            .into_iter()
            .filter(|g| authz::can(actor, Permission::ViewGrant(g)))
            .collect())
    }

    /// GR-1: a grant's workspace, for its beneficiary's members and the administrators.
    pub async fn grant_workspace(&self, actor: &Actor, id: i64) -> Result<GrantView> {
        let today = crate::clock::brussels_date(self.clock.now());
        let mut tx = self.store.read().await?;
        let grant = visible(tx.as_mut(), actor, id).await?;
        grant_view(tx.as_mut(), actor, grant, today).await
    }

    /// GR-9: the administrator sets a work package's budget within the grant.
    pub async fn set_package_budget(&self, actor: &Actor, grant_id: i64, number: u32, budget: Money) -> Result<GrantView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut grant = locked(&mut work, actor, grant_id, true).await?;
        let Some(index) = grant.work_packages.iter().position(|w| w.number == number) else {
            return Err(ServiceError::NotFound("work package"));
        };
        let others = grant
            .work_packages
            .iter()
            .filter(|w| w.number != number)
            .fold(Money::ZERO, |sum, w| sum + Money::from_cents(w.budget_cents.unwrap_or(0)));
        let committed = work
            .tx
            .claim_sums(grant.id)
            .await?
            .into_iter()
            .find(|s| s.work_package == number)
            .map_or(Money::ZERO, |s| s.approved + s.paid);
        rules::check_package_budget(grant.amount, others, budget, committed).map_err(refused)?;
        grant.work_packages[index].budget_cents = Some(budget.cents());
        work.tx.set_work_packages(grant.id, &grant.work_packages).await?;
        work.record(
            Action::GrantBudgetSet,
            "project_grant",
            grant.id,
            json!({"work_package": number, "budget_cents": budget.cents()}),
        )
        .await?;
        view_after(work, actor, grant.id).await
    }

    /// GR-6: VVSG adds a deliverable to one of the work packages.
    pub async fn add_deliverable(&self, actor: &Actor, grant_id: i64, input: DeliverableInput) -> Result<Deliverable> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let grant = locked(&mut work, actor, grant_id, false).await?;
        let mut deliverable = Deliverable {
            id: 0,
            grant_id: grant.id,
            work_package: 0,
            title: String::new(),
            planned_on: input.planned_on,
            done_on: None,
            event_id: None,
            toolkit_item_id: None,
            created_at: work.now,
            updated_at: work.now,
        };
        apply_deliverable(&mut work, &grant, &mut deliverable, input).await?;
        deliverable.id = work.tx.insert_deliverable(&deliverable).await?;
        work.record(
            Action::GrantDeliverableAdded,
            "project_grant",
            grant.id,
            json!({"deliverable_id": deliverable.id, "work_package": deliverable.work_package, "title": deliverable.title}),
        )
        .await?;
        work.commit().await?;
        Ok(deliverable)
    }

    /// GR-6: VVSG changes a deliverable, or marks it done.
    pub async fn change_deliverable(&self, actor: &Actor, grant_id: i64, id: i64, input: DeliverableInput) -> Result<Deliverable> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let grant = locked(&mut work, actor, grant_id, false).await?;
        let mut deliverable = work
            .tx
            .deliverable(id)
            .await?
            .filter(|d| d.grant_id == grant.id)
            .ok_or(ServiceError::NotFound("deliverable"))?;
        apply_deliverable(&mut work, &grant, &mut deliverable, input).await?;
        deliverable.updated_at = work.now;
        work.tx.update_deliverable(&deliverable).await?;
        work.record(
            Action::GrantDeliverableChanged,
            "project_grant",
            grant.id,
            json!({"deliverable_id": deliverable.id, "done_on": deliverable.done_on}),
        )
        .await?;
        work.commit().await?;
        Ok(deliverable)
    }

    /// VVSG adds an item to the action plan, owned by one of its people.
    pub async fn add_plan_item(&self, actor: &Actor, grant_id: i64, input: PlanItemInput) -> Result<PlanItem> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let grant = locked(&mut work, actor, grant_id, false).await?;
        let mut item = PlanItem {
            id: 0,
            grant_id: grant.id,
            work_package: None,
            title: String::new(),
            owner_id: 0,
            owner_name: String::new(),
            status: PlanStatus::Planned,
            due_on: input.due_on,
            created_at: work.now,
            updated_at: work.now,
        };
        apply_plan_item(&mut work, &grant, &mut item, input).await?;
        item.id = work.tx.insert_plan_item(&item).await?;
        work.record(
            Action::GrantPlanItemAdded,
            "project_grant",
            grant.id,
            json!({"plan_item_id": item.id, "title": item.title, "owner_id": item.owner_id}),
        )
        .await?;
        work.commit().await?;
        Ok(item)
    }

    /// VVSG changes an item of the action plan (its status, owner, due date).
    pub async fn change_plan_item(&self, actor: &Actor, grant_id: i64, id: i64, input: PlanItemInput) -> Result<PlanItem> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let grant = locked(&mut work, actor, grant_id, false).await?;
        let mut item = work
            .tx
            .plan_item(id)
            .await?
            .filter(|i| i.grant_id == grant.id)
            .ok_or(ServiceError::NotFound("plan item"))?;
        apply_plan_item(&mut work, &grant, &mut item, input).await?;
        item.updated_at = work.now;
        work.tx.update_plan_item(&item).await?;
        work.record(
            Action::GrantPlanItemChanged,
            "project_grant",
            grant.id,
            json!({"plan_item_id": item.id, "status": item.status.as_str(), "owner_id": item.owner_id}),
        )
        .await?;
        work.commit().await?;
        Ok(item)
    }

    /// The items of every grant's action plan the actor may see (to link a steering group's
    /// action item to one).
    pub async fn plan_items_of(&self, actor: &Actor, grant_id: i64) -> Result<Vec<PlanItem>> {
        let mut tx = self.store.read().await?;
        let grant = visible(tx.as_mut(), actor, grant_id).await?;
        Ok(tx.plan_items(grant.id).await?)
    }
}

async fn apply_deliverable(work: &mut Work, grant: &ProjectGrant, d: &mut Deliverable, input: DeliverableInput) -> Result<()> {
    if !numbers(grant).contains(&input.work_package) {
        return Err(refused(GrantError::UnknownWorkPackage));
    }
    crate::fields::plausible("planned_on", input.planned_on)?;
    if let Some(done) = input.done_on {
        crate::fields::plausible("done_on", done)?;
    }
    rules::check_done(input.done_on, work.today).map_err(refused)?;
    if let Some(event_id) = input.event_id {
        work.tx
            .awareness_event(event_id)
            .await?
            .ok_or_else(|| ServiceError::invalid("event_id", "There is no such event.", "Dat evenement bestaat niet."))?;
    }
    if let Some(item_id) = input.toolkit_item_id {
        work.tx.toolkit_item(item_id).await?.ok_or_else(|| {
            ServiceError::invalid(
                "toolkit_item_id",
                "There is no such toolkit item.",
                "Dat item van de toolkit bestaat niet.",
            )
        })?;
    }
    d.toolkit_item_id = input.toolkit_item_id;
    d.work_package = input.work_package;
    d.title = fields::line("title", &input.title, MAX_TITLE, true)?.unwrap_or_default();
    d.planned_on = input.planned_on;
    d.done_on = input.done_on;
    d.event_id = input.event_id;
    Ok(())
}

async fn apply_plan_item(work: &mut Work, grant: &ProjectGrant, item: &mut PlanItem, input: PlanItemInput) -> Result<()> {
    if let Some(n) = input.work_package
        && !numbers(grant).contains(&n)
    {
        return Err(refused(GrantError::UnknownWorkPackage));
    }
    crate::fields::plausible("due_on", input.due_on)?;
    let owner = work
        .tx
        .person(input.owner_id)
        .await?
        .filter(|p| p.organisation_id == grant.beneficiary_id && p.role == Role::AssociationMember)
        .ok_or_else(|| {
            ServiceError::invalid(
                "owner_id",
                "The owner is one of the beneficiary's people.",
                "De eigenaar is iemand van de begunstigde.",
            )
        })?;
    item.work_package = input.work_package;
    item.title = fields::line("title", &input.title, MAX_TITLE, true)?.unwrap_or_default();
    item.owner_id = owner.id;
    item.owner_name = owner.name;
    item.status = input.status;
    item.due_on = input.due_on;
    Ok(())
}

/// The workspace as it stands after the use case, read in the same transaction, then committed.
async fn view_after(mut work: Work, actor: &Actor, grant_id: i64) -> Result<GrantView> {
    let grant = work.tx.grant(grant_id).await?.ok_or(HIDDEN)?;
    let view = grant_view(work.tx.as_mut(), actor, grant, work.today).await?;
    work.commit().await?;
    Ok(view)
}
