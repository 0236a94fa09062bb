//! The programme's figures as at any day (issue 14; FIG-1..FIG-6): credit, orders, audits, the
//! governments reached, lead times, findings, vulnerability reports, engagements and VVSG's part,
//! counted from the dated history (the ledger's postings, the audit log, dated columns), so the
//! figures at 22/04/2020 are those the platform held at the end of that day. The dashboards, the
//! open-data extract and the answer to Parliament all read them from here.

mod history;
pub mod open_data;
pub mod parliament;
pub mod quarterly;
pub mod tables;

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::clock::{brussels_date, start_of_brussels_day};
use crate::error::{Result, ServiceError};
use crate::registry::Municipality;
use chrono::{DateTime, Days, NaiveDate, Utc};
use cyberveilig_domain::figures::{Month, Spread, answered_within};
use cyberveilig_domain::ledger::Balances;
use cyberveilig_domain::order::{OrderKind, OrderState};
use cyberveilig_domain::registry::{NisCode, Province, Role};
use cyberveilig_domain::ssvc::Decision;
use cyberveilig_store::Tx;
use cyberveilig_store::records::{Programme, ProjectGrant};
use std::collections::{BTreeMap, BTreeSet};

pub use history::OrderRecord;

/// Everything the dashboards show of one programme, as at the end of `at`.
#[derive(Debug, Clone)]
pub struct Figures {
    pub at: NaiveDate,
    pub programme: Programme,
    /// The offer's last day as configured at `at` (FIG-8: a later amendment is undone).
    pub offer_ends_on: NaiveDate,
    pub credit: Balances,
    /// FIG-5: the balances at the end of each month from the offer's start (or first posting) up to `at`.
    pub credit_by_month: Vec<(Month, Balances)>,
    pub orders: OrderFigures,
    pub reach: Reach,
    pub lead_times: LeadTimes,
    pub findings: FindingFigures,
    pub disclosure: DisclosureFigures,
    pub engagements: EngagementFigures,
    /// VVSG's grant, when the installation has one.
    pub vvsg: Option<VvsgFigures>,
}

#[derive(Debug, Clone, Default)]
pub struct OrderFigures {
    /// Orders submitted by the day.
    pub submitted: i64,
    pub by_state: Vec<(OrderState, i64)>,
    /// Orders placed with a firm at the day (offered or further along), by the firm of the last offer.
    pub by_firm: Vec<(String, i64)>,
    /// Orders under each framework agreement (its reference), by the agreement of the last offer.
    pub by_agreement: Vec<(String, i64)>,
    /// Orders per province of the government (`None`: a government outside the five provinces' municipalities).
    pub by_province: Vec<(Option<Province>, i64)>,
    /// Orders submitted per month: basic audits and additional work.
    pub by_month: Vec<MonthOrders>,
    pub basic: AuditCounts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthOrders {
    pub month: Month,
    pub basic: i64,
    pub additional: i64,
    /// Basic audits delivered and settled in the month.
    pub delivered: i64,
    pub settled: i64,
}

/// Basic audits by the day: ordered (not cancelled nor unplaceable), delivered and settled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditCounts {
    pub ordered: i64,
    pub delivered: i64,
    pub settled: i64,
}

/// FIG-3: the governments reached.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Governments of any kind with a basic audit order that reaches them.
    pub governments: i64,
    pub municipalities: i64,
    pub municipalities_reached: i64,
    pub provinces: Vec<ProvinceReach>,
    /// Every municipality, by NIS code, with whether it is reached: the map.
    pub map: Vec<MunicipalityReach>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProvinceReach {
    pub province: Province,
    pub municipalities: i64,
    pub reached: i64,
}

#[derive(Debug, Clone)]
pub struct MunicipalityReach {
    pub nis: NisCode,
    pub name: String,
    pub province: Province,
    pub reached: bool,
}

/// FIG-4: from submission to each step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeadTimes {
    pub to_offer: Spread,
    pub to_acceptance: Spread,
    pub to_delivery: Spread,
    pub to_settlement: Spread,
}

#[derive(Debug, Clone, Default)]
pub struct FindingFigures {
    /// Findings first seen by the day, by SSVC decision (`None`: not decided), most urgent first.
    pub by_decision: Vec<(Option<Decision>, i64)>,
    /// Findings whose status was set to fixed (or verified) by the day, and the days from their
    /// first sighting to that change.
    pub fixed: Spread,
}

/// FIG-6: vulnerability reports received by the day and how they were answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DisclosureFigures {
    pub received: i64,
    pub acknowledged: i64,
    pub acknowledged_in_time: i64,
    pub triaged: i64,
    pub triaged_in_time: i64,
}

/// Engagements of ethical hackers by the day: proposed, authorised (and not withdrawn since), withdrawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngagementFigures {
    pub proposed: i64,
    pub authorised: i64,
    pub withdrawn: i64,
}

/// VVSG's part: the grant's ledger at the day, and what its work packages delivered from the
/// grant's start to the day (none before it starts).
#[derive(Debug, Clone)]
pub struct VvsgFigures {
    pub grant: ProjectGrant,
    pub balances: Balances,
    pub progress: Option<crate::grant::ProgressFigures>,
}

/// FIG-1: the day asked about, today when none is given; a day after today, or outside 2000-2099, is refused.
pub fn as_at(at: Option<NaiveDate>, now: DateTime<Utc>) -> Result<NaiveDate> {
    let today = brussels_date(now);
    let Some(day) = at else { return Ok(today) };
    crate::fields::plausible("at", day)?;
    if day > today {
        return Err(ServiceError::invalid(
            "at",
            format!("Figures are known up to today ({}), not for a later day.", today.format("%d/%m/%Y")),
            format!(
                "Cijfers bestaan tot vandaag ({}), niet voor een latere dag.",
                today.format("%d/%m/%Y")
            ),
        ));
    }
    Ok(day)
}

/// The start of the day after `day`: everything before it happened by the end of `day`.
pub(crate) fn end_of(day: NaiveDate) -> DateTime<Utc> {
    start_of_brussels_day(day.checked_add_days(Days::new(1)).unwrap_or(day))
}

impl Services {
    /// The programme's figures at the end of `at` (today when `None`): for the administrators.
    pub async fn figures(&self, actor: &Actor, programme_id: i64, at: Option<NaiveDate>) -> Result<Figures> {
        if !can(actor, Permission::ViewFigures) {
            return Err(ServiceError::NotFound("programme"));
        }
        let day = as_at(at, self.clock.now())?;
        let mut tx = self.store.read().await?;
        figures_at(tx.as_mut(), programme_id, day).await
    }
}

/// VVSG's part of the figures at the end of a day: its grant, events and toolkit, and the
/// engagements it coordinates.
#[derive(Debug, Clone)]
pub struct VvsgPart {
    pub at: NaiveDate,
    pub vvsg: Option<VvsgFigures>,
    pub engagements: EngagementFigures,
}

impl Services {
    /// VVSG's part of the figures at the end of `at` (today when `None`): for VVSG's people and
    /// the administrators; anyone else gets 404.
    pub async fn vvsg_figures(&self, actor: &Actor, at: Option<NaiveDate>) -> Result<VvsgPart> {
        if !matches!(actor.role, Role::AssociationMember | Role::ProgrammeAdmin) {
            return Err(ServiceError::NotFound("figures"));
        }
        let day = as_at(at, self.clock.now())?;
        let until = end_of(day);
        let mut tx = self.store.read().await?;
        let vvsg = match tx.grants().await?.into_iter().next() {
            Some(grant) => Some(vvsg_figures(tx.as_mut(), grant, day, until).await?),
            None => None,
        };
        Ok(VvsgPart {
            at: day,
            vvsg,
            engagements: history::engagements_at(tx.as_mut(), until).await?,
        })
    }
}

/// FIG-11: the tables a local government sees of its own figures.
pub const GOVERNMENT_TABLES: [&str; 6] = [
    "orders-by-state",
    "basic-audits",
    "lead-times",
    "findings-by-decision",
    "remediation",
    "disclosure",
];

impl Services {
    /// A local government's own figures at the end of `at` (today when `None`): its orders, its
    /// audits' lead times, its findings and the vulnerability reports it answered; for its people.
    pub async fn government_figures(
        &self,
        actor: &Actor,
        at: Option<NaiveDate>,
        dutch: bool,
    ) -> Result<(NaiveDate, Vec<tables::FigureTable>)> {
        if actor.role != Role::GovernmentMember {
            return Err(ServiceError::NotFound("figures"));
        }
        let day = as_at(at, self.clock.now())?;
        let mut tx = self.store.read().await?;
        let programme = tx
            .programmes()
            .await?
            .into_iter()
            .next()
            .ok_or(ServiceError::NotFound("programme"))?;
        let figures = scoped_figures_at(tx.as_mut(), programme.id, day, Some(actor.organisation_id)).await?;
        let own = tables::tables(&figures, dutch)
            .into_iter()
            .filter(|t| GOVERNMENT_TABLES.contains(&t.id))
            .collect();
        Ok((day, own))
    }
}

/// The figures of a programme at the end of `day`, for whoever may see them.
pub(crate) async fn figures_at(tx: &mut dyn Tx, programme_id: i64, day: NaiveDate) -> Result<Figures> {
    scoped_figures_at(tx, programme_id, day, None).await
}

/// The figures of one government's orders, findings and reports (`Some`), or of all (`None`);
/// the credit, the reach, the engagements and VVSG's part are the programme's either way.
async fn scoped_figures_at(tx: &mut dyn Tx, programme_id: i64, day: NaiveDate, government: Option<i64>) -> Result<Figures> {
    let programme = tx.programme(programme_id).await?.ok_or(ServiceError::NotFound("programme"))?;
    let until = end_of(day);
    let offer_ends_on = history::offer_ends_on_at(tx, &programme, until).await?;
    let postings = tx.postings_until(programme_id, until).await?;
    // Before the ledger's first posting the credit is planned: its budget as it stands, nothing used.
    let credit = match postings.last() {
        Some((_, b)) => *b,
        None => Balances {
            budget: tx.balances(programme_id).await?.budget,
            ..Balances::default()
        },
    };
    let first = postings
        .first()
        .map(|(at, _)| brussels_date(*at))
        .unwrap_or(programme.settings.offer_starts_on)
        .min(programme.settings.offer_starts_on);
    let credit_by_month = credit_by_month(&postings, first, day);

    let mut records = history::orders_at(tx, programme_id, until).await?;
    if let Some(id) = government {
        records.retain(|r| r.fact.government_id == id);
    }
    let municipalities = crate::registry::municipalities(tx).await?;
    let orders = order_figures(tx, &records, first, day).await?;
    let reach = reach(&records, &municipalities);
    let lead_times = lead_times(&records);
    let findings = finding_figures(tx, until, government).await?;
    let disclosure = disclosure_figures(tx, day, until, government).await?;
    let engagements = history::engagements_at(tx, until).await?;
    let vvsg = match tx.grants().await?.into_iter().next() {
        Some(grant) => Some(vvsg_figures(tx, grant, day, until).await?),
        None => None,
    };
    Ok(Figures {
        at: day,
        programme,
        offer_ends_on,
        credit,
        credit_by_month,
        orders,
        reach,
        lead_times,
        findings,
        disclosure,
        engagements,
        vvsg,
    })
}

/// FIG-5: the balances after each month's last posting, from `first`'s month to `day`'s.
fn credit_by_month(postings: &[(DateTime<Utc>, Balances)], first: NaiveDate, day: NaiveDate) -> Vec<(Month, Balances)> {
    let mut out = Vec::new();
    let mut next = postings.iter().peekable();
    let mut balances = Balances::default();
    for month in Month::range(first, day) {
        while let Some((at, b)) = next.peek() {
            if Month::of(brussels_date(*at)) > month {
                break;
            }
            balances = *b;
            next.next();
        }
        out.push((month, balances));
    }
    out
}

async fn order_figures(tx: &mut dyn Tx, records: &[OrderRecord], first: NaiveDate, day: NaiveDate) -> Result<OrderFigures> {
    let mut by_state: BTreeMap<&str, (OrderState, i64)> = BTreeMap::new();
    let mut by_firm: BTreeMap<i64, i64> = BTreeMap::new();
    let mut by_agreement: BTreeMap<i64, i64> = BTreeMap::new();
    let mut by_province: BTreeMap<Option<Province>, i64> = BTreeMap::new();
    let mut by_month: BTreeMap<Month, MonthOrders> = Month::range(first, day)
        .into_iter()
        .map(|month| {
            (
                month,
                MonthOrders {
                    month,
                    basic: 0,
                    additional: 0,
                    delivered: 0,
                    settled: 0,
                },
            )
        })
        .collect();
    let mut basic = AuditCounts::default();
    for r in records {
        let Some(state) = r.at.state else { continue };
        by_state.entry(state.as_str()).or_insert((state, 0)).1 += 1;
        let placed = !matches!(
            state,
            OrderState::Waitlisted
                | OrderState::AwaitingConfirmation
                | OrderState::AwaitingFramework
                | OrderState::Cancelled
                | OrderState::Unplaceable
        );
        if placed {
            if let Some(firm) = r.at.firm_id {
                *by_firm.entry(firm).or_default() += 1;
            }
            if let Some(agreement) = r.at.agreement_id {
                *by_agreement.entry(agreement).or_default() += 1;
            }
        }
        *by_province.entry(r.province).or_default() += 1;
        let month = by_month.entry(Month::of(r.at.submitted_on)).or_insert(MonthOrders {
            month: Month::of(r.at.submitted_on),
            basic: 0,
            additional: 0,
            delivered: 0,
            settled: 0,
        });
        match r.fact.kind {
            OrderKind::Basic => month.basic += 1,
            OrderKind::Additional => month.additional += 1,
        }
        if r.fact.kind == OrderKind::Basic {
            basic.ordered += i64::from(r.at.reaches_its_government());
            if let Some(on) = r.at.delivered_on {
                basic.delivered += 1;
                if let Some(m) = by_month.get_mut(&Month::of(on)) {
                    m.delivered += 1;
                }
            }
            if let Some(on) = r.at.settled_on {
                basic.settled += 1;
                if let Some(m) = by_month.get_mut(&Month::of(on)) {
                    m.settled += 1;
                }
            }
        }
    }
    let mut firms = Vec::new();
    for (id, n) in by_firm {
        let name = tx.organisation(id).await?.map(|o| o.name).unwrap_or_else(|| format!("#{id}"));
        firms.push((name, n));
    }
    let references: BTreeMap<i64, String> = tx.agreements().await?.into_iter().map(|a| (a.id, a.reference)).collect();
    let agreements = by_agreement
        .into_iter()
        .map(|(id, n)| (references.get(&id).cloned().unwrap_or_else(|| format!("#{id}")), n))
        .collect();
    let mut states: Vec<(OrderState, i64)> = by_state.into_values().collect();
    states.sort_by_key(|(s, _)| OrderState::ALL.iter().position(|x| x == s));
    Ok(OrderFigures {
        submitted: records.len() as i64,
        by_state: states,
        by_firm: firms,
        by_agreement: agreements,
        by_province: by_province.into_iter().collect(),
        by_month: by_month.into_values().collect(),
        basic,
    })
}

fn reach(records: &[OrderRecord], municipalities: &[Municipality]) -> Reach {
    let reached: BTreeSet<i64> = records
        .iter()
        .filter(|r| r.fact.kind == OrderKind::Basic && r.at.reaches_its_government())
        .map(|r| r.fact.government_id)
        .collect();
    let mut provinces: Vec<ProvinceReach> = Province::ALL
        .iter()
        .map(|p| ProvinceReach {
            province: *p,
            municipalities: 0,
            reached: 0,
        })
        .collect();
    let mut map = Vec::with_capacity(municipalities.len());
    for m in municipalities {
        let is_reached = reached.contains(&m.id);
        if let Some(p) = provinces.iter_mut().find(|p| p.province == m.province) {
            p.municipalities += 1;
            p.reached += i64::from(is_reached);
        }
        map.push(MunicipalityReach {
            nis: m.nis.clone(),
            name: m.name.clone(),
            province: m.province,
            reached: is_reached,
        });
    }
    Reach {
        governments: reached.len() as i64,
        municipalities: map.len() as i64,
        municipalities_reached: map.iter().filter(|m| m.reached).count() as i64,
        provinces,
        map,
    }
}

fn lead_times(records: &[OrderRecord]) -> LeadTimes {
    let days = |step: fn(&OrderRecord) -> Option<NaiveDate>| {
        Spread::of(
            records
                .iter()
                .filter_map(|r| step(r).map(|on| (on - r.at.submitted_on).num_days()))
                .collect(),
        )
    };
    LeadTimes {
        to_offer: days(|r| r.at.offered_on),
        to_acceptance: days(|r| r.at.accepted_on),
        to_delivery: days(|r| r.at.delivered_on),
        to_settlement: days(|r| r.at.settled_on),
    }
}

async fn finding_figures(tx: &mut dyn Tx, until: DateTime<Utc>, government: Option<i64>) -> Result<FindingFigures> {
    let mut by_decision = tx.findings_by_decision(until, government).await?;
    by_decision.sort_by_key(|(decision, _)| std::cmp::Reverse(*decision));
    let mut fixed: BTreeMap<i64, i64> = BTreeMap::new();
    for change in tx.finding_changes(until, government).await? {
        let to = serde_json::from_str::<serde_json::Value>(&change.details)
            .ok()
            .and_then(|d| d.get("to").and_then(|t| t.as_str()).map(str::to_owned));
        if matches!(to.as_deref(), Some("fixed" | "verified")) {
            fixed
                .entry(change.finding_id)
                .or_insert((brussels_date(change.at) - brussels_date(change.first_seen)).num_days());
        }
    }
    Ok(FindingFigures {
        by_decision,
        fixed: Spread::of(fixed.into_values().collect()),
    })
}

async fn disclosure_figures(tx: &mut dyn Tx, day: NaiveDate, until: DateTime<Utc>, government: Option<i64>) -> Result<DisclosureFigures> {
    let mut out = DisclosureFigures::default();
    let after = day.succ_opt().unwrap_or(day);
    for r in tx.report_times(until, government).await? {
        let (acknowledged, triaged) = (r.acknowledged_at.map(brussels_date), r.triaged_at.map(brussels_date));
        out.received += 1;
        out.acknowledged += i64::from(acknowledged.is_some_and(|on| on <= day));
        out.acknowledged_in_time += i64::from(answered_within(acknowledged, r.acknowledge_by, after));
        out.triaged += i64::from(triaged.is_some_and(|on| on <= day));
        out.triaged_in_time += i64::from(answered_within(triaged, r.triage_by, after));
    }
    Ok(out)
}

async fn vvsg_figures(tx: &mut dyn Tx, grant: ProjectGrant, day: NaiveDate, until: DateTime<Utc>) -> Result<VvsgFigures> {
    let balances = tx.grant_balances_until(grant.id, until).await?;
    let progress = if day < grant.starts_on {
        None
    } else {
        let period = cyberveilig_domain::grant::GrantPeriod {
            starts_on: grant.starts_on,
            ends_on: day.min(grant.ends_on),
        };
        let mut progress = crate::grant::figures_of(tx, &grant, period).await?;
        progress.approved_cents = balances.reserved.cents();
        progress.paid_cents = balances.paid.cents();
        Some(progress)
    };
    Ok(VvsgFigures { grant, balances, progress })
}
