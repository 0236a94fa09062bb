//! Progress reports: VVSG reports once per half-year of the grant, once it has ended, with its own
//! text and the figures the platform knows of that half-year, fixed as they were at submission;
//! the administrator marks the report reviewed (GR-7, GR-8).

use super::{locked, period, refused, visible};
use crate::Services;
use crate::authz::Actor;
use crate::clock::start_of_brussels_day;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::fields;
use crate::work::{Who, Work};
use chrono::{Days, NaiveDate};
use cyberveilig_domain::engagement::EngagementState;
use cyberveilig_domain::grant::{self as rules, GrantError, GrantPeriod, MAX_REASON, MAX_REPORT};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{AwarenessEventFilter, EngagementFilter, ProgressReport, ProjectGrant};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeSet;

/// What the platform knows of one half-year, as a progress report keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressFigures {
    /// Deliverables done in the half-year, and planned in it.
    pub deliverables_done: i64,
    pub deliverables_planned: i64,
    /// Awareness events held in the half-year (not cancelled), their places taken and attended.
    pub events_held: i64,
    pub registered: i64,
    pub attended: i64,
    /// Organisations with someone at one of those events; municipalities among them.
    pub organisations_reached: i64,
    pub municipalities_reached: i64,
    /// Engagements of ethical hackers running in the half-year (not withdrawn), and the
    /// governments they serve.
    pub engagements: i64,
    pub engagement_governments: i64,
    /// The grant's claims at the end of the half-year: claimed (not rejected) in it, and in
    /// total approved and paid at submission.
    pub claimed_cents: i64,
    pub approved_cents: i64,
    pub paid_cents: i64,
    /// Toolkit items published by the end of the half-year, and organisations that had used the
    /// toolkit by then (opened, downloaded or completed an item).
    #[serde(default)]
    pub toolkit_published: i64,
    #[serde(default)]
    pub toolkit_organisations: i64,
}

/// The figures of `half` (a half-year of `grant`) from live data.
pub async fn figures_of(tx: &mut dyn Tx, grant: &ProjectGrant, half: GrantPeriod) -> Result<ProgressFigures> {
    let within = |day: NaiveDate| half.contains(day);
    let mut figures = ProgressFigures::default();
    for d in tx.deliverables(grant.id).await? {
        figures.deliverables_done += i64::from(d.done_on.is_some_and(within));
        figures.deliverables_planned += i64::from(within(d.planned_on));
    }
    // Events that ended before the half-year's end, walked back from it.
    let end = start_of_brussels_day(half.ends_on.checked_add_days(Days::new(1)).unwrap_or(half.ends_on));
    let start = start_of_brussels_day(half.starts_on);
    let mut after = None;
    let mut held = BTreeSet::new();
    'pages: loop {
        let page = tx
            .awareness_events(&AwarenessEventFilter {
                around: Some(end),
                past: true,
                after,
                limit: 200,
            })
            .await?;
        let Some(last) = page.last() else { break };
        after = Some((last.event.starts_at, last.event.id));
        for counts in &page {
            if counts.event.starts_at < start {
                break 'pages;
            }
            if counts.event.cancelled_at.is_none() {
                held.insert(counts.event.id);
                figures.registered += counts.registered;
                figures.attended += counts.attended;
            }
        }
    }
    figures.events_held = held.len() as i64;
    let (mut organisations, mut municipalities) = (BTreeSet::new(), BTreeSet::new());
    for a in tx.attendances().await? {
        if held.contains(&a.event_id) {
            organisations.insert(a.organisation_id);
            if a.is_municipality {
                municipalities.insert(a.organisation_id);
            }
        }
    }
    figures.organisations_reached = organisations.len() as i64;
    figures.municipalities_reached = municipalities.len() as i64;
    let mut governments = BTreeSet::new();
    for e in tx.engagements(&EngagementFilter::default()).await? {
        if e.state != EngagementState::Withdrawn && e.starts_on <= half.ends_on && e.ends_on >= half.starts_on {
            figures.engagements += 1;
            governments.insert(e.government_id);
        }
    }
    figures.engagement_governments = governments.len() as i64;
    let mut before = None;
    loop {
        let page = tx
            .claims(&cyberveilig_store::records::ClaimFilter {
                grant_id: grant.id,
                before_id: before,
                limit: 500,
                ..Default::default()
            })
            .await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        for c in &page {
            if c.state != cyberveilig_domain::grant::ClaimState::Rejected && within(c.costs_until) {
                figures.claimed_cents += c.amount.cents();
            }
        }
    }
    let mut after_id = None;
    loop {
        let page = tx
            .toolkit_entries(&cyberveilig_store::records::ToolkitFilter {
                published_only: true,
                after_id,
                limit: 200,
                ..Default::default()
            })
            .await?;
        let Some(last) = page.last() else { break };
        after_id = Some(last.item.id);
        figures.toolkit_published += page.iter().filter(|e| e.item.published_at.is_some_and(|at| at < end)).count() as i64;
    }
    let users: BTreeSet<i64> = tx
        .toolkit_use(None, None)
        .await?
        .into_iter()
        .filter(|u| u.first_at < end)
        .map(|u| u.organisation_id)
        .collect();
    figures.toolkit_organisations = users.len() as i64;
    let balances = tx.grant_balances(grant.id).await?;
    figures.approved_cents = balances.reserved.cents();
    figures.paid_cents = balances.paid.cents();
    Ok(figures)
}

fn figures_json(figures: &ProgressFigures) -> serde_json::Value {
    serde_json::to_value(figures).unwrap_or_default()
}

/// A report's figures as kept.
pub fn kept_figures(report: &ProgressReport) -> ProgressFigures {
    serde_json::from_value(report.figures.clone()).unwrap_or_default()
}

impl Services {
    /// The figures a report for the half-year starting on `period_from` would hold, now.
    pub async fn progress_figures(&self, actor: &Actor, grant_id: i64, period_from: NaiveDate) -> Result<ProgressFigures> {
        let mut tx = self.store.read().await?;
        let grant = visible(tx.as_mut(), actor, grant_id).await?;
        let half = rules::reporting_periods(period(&grant))
            .into_iter()
            .find(|p| p.starts_on == period_from)
            .ok_or(ServiceError::NotFound("half-year"))?;
        figures_of(tx.as_mut(), &grant, half).await
    }

    /// GR-7: VVSG submits the progress report of a half-year that has ended, once.
    pub async fn submit_progress_report(&self, actor: &Actor, grant_id: i64, period_from: NaiveDate, text: &str) -> Result<ProgressReport> {
        let text = fields::block("text", text, MAX_REPORT, true)?.unwrap_or_default();
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let grant = locked(&mut work, actor, grant_id, false).await?;
        let reported = work
            .tx
            .progress_reports(grant.id)
            .await?
            .iter()
            .any(|r| r.period_from == period_from);
        let half = rules::reporting_period(period(&grant), period_from, work.today, reported).map_err(refused)?;
        let figures = figures_of(work.tx.as_mut(), &grant, half).await?;
        let mut report = ProgressReport {
            id: 0,
            grant_id: grant.id,
            period_from: half.starts_on,
            period_until: half.ends_on,
            text,
            figures: figures_json(&figures),
            submitted_by: actor.person_id,
            submitted_at: work.now,
            reviewed_by: None,
            reviewed_at: None,
            review_note: None,
        };
        report.id = work
            .tx
            .insert_progress_report(&report)
            .await?
            .ok_or(refused(GrantError::ReportExists))?;
        work.record(
            Action::GrantReportSubmitted,
            "project_grant",
            grant.id,
            json!({"report_id": report.id, "period_from": report.period_from, "period_until": report.period_until}),
        )
        .await?;
        work.commit().await?;
        Ok(report)
    }

    /// GR-8: the administrator marks a progress report reviewed, with a note if they like.
    pub async fn review_progress_report(&self, actor: &Actor, grant_id: i64, id: i64, note: &str) -> Result<ProgressReport> {
        let note = fields::block("note", note, MAX_REASON, false)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let grant = locked(&mut work, actor, grant_id, true).await?;
        let mut report = work
            .tx
            .progress_report(id)
            .await?
            .filter(|r| r.grant_id == grant.id)
            .ok_or(ServiceError::NotFound("progress report"))?;
        if report.reviewed_at.is_some() {
            return Err(refused(GrantError::AlreadyReviewed));
        }
        report.reviewed_by = Some(actor.person_id);
        report.reviewed_at = Some(work.now);
        report.review_note = note;
        work.tx.update_progress_report(&report).await?;
        work.record(
            Action::GrantReportReviewed,
            "project_grant",
            grant.id,
            json!({"report_id": report.id}),
        )
        .await?;
        work.commit().await?;
        Ok(report)
    }

    pub async fn progress_report(&self, actor: &Actor, grant_id: i64, id: i64) -> Result<ProgressReport> {
        let mut tx = self.store.read().await?;
        let grant = visible(tx.as_mut(), actor, grant_id).await?;
        tx.progress_report(id)
            .await?
            .filter(|r| r.grant_id == grant.id)
            .ok_or(ServiceError::NotFound("progress report"))
    }
}
