//! Remediation (issue 4, items 8 and 9): a finding's steps (one or many at once, all or
//! nothing), its owner, the register with filters and order, assets with their findings counted,
//! and the programme's remediation terms. The remediation day is in [`day`], the export of the
//! remediation plan in [`export`].

pub mod day;
pub mod export;

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use chrono::NaiveDate;
use cyberveilig_domain::registry::Role;
use cyberveilig_domain::remediation::{FindingStatus, Party, allowed, may_own, needs_reason};
use cyberveilig_domain::severity::Severity;
use cyberveilig_domain::ssvc::{Decision, RemediationTerms};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{AssetSummary, Event, Person, RegisterCursor, RegisterEntry, RegisterQuery, StoredFinding};
use serde_json::json;

/// Most findings one bulk change takes.
pub const MAX_BULK: usize = 500;

/// A remediation step asked for a finding.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub status: String,
    pub reason: Option<String>,
    /// For an accepted risk: until when (it reopens then).
    pub until: Option<NaiveDate>,
}

/// Who the actor is for a finding: its government, the firm of its order, or an administrator.
/// Anyone else does not see it.
pub(crate) async fn party_for(tx: &mut dyn Tx, actor: &Actor, finding: &StoredFinding) -> Result<Party> {
    match actor.role {
        Role::ProgrammeAdmin => Ok(Party::Administrator),
        Role::GovernmentMember if actor.organisation_id == finding.government_id => Ok(Party::Government),
        Role::FirmMember => {
            // An engagement's finding has no order: no firm sees it.
            let order_id = finding.order_id.ok_or(ServiceError::NotFound("finding"))?;
            let order = tx.order(order_id).await?.ok_or(ServiceError::NotFound("finding"))?;
            if order.firm_id == Some(actor.organisation_id) {
                Ok(Party::Firm)
            } else {
                Err(ServiceError::NotFound("finding"))
            }
        }
        _ => Err(ServiceError::NotFound("finding")),
    }
}

/// A step checked against the rules: from, to, reason and end date.
struct Step {
    from: FindingStatus,
    to: FindingStatus,
    reason: Option<String>,
    until: Option<NaiveDate>,
}

fn parse_status(text: &str) -> Result<FindingStatus> {
    text.parse().map_err(|_| {
        ServiceError::invalid(
            "status",
            format!("'{text}' is not a finding status"),
            format!("'{text}' is geen stand van een bevinding"),
        )
    })
}

/// Whether `party` may take the step on `finding` today; the refusal says why.
fn check_step(finding: &StoredFinding, party: Party, change: &StatusChange, today: NaiveDate) -> Result<Step> {
    let to = parse_status(&change.status)?;
    let from = finding.status;
    if !allowed(from, to, party) {
        return Err(ServiceError::conflict(
            "step_not_allowed",
            format!("a finding that is {} cannot become {} by you", from.as_str(), to.as_str()),
            format!("een bevinding die {} is kan door u niet {} worden", from.as_str(), to.as_str()),
        ));
    }
    let reason = change.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if needs_reason(to) && reason.is_none() {
        return Err(ServiceError::invalid("reason", "give the reason", "geef de reden"));
    }
    if reason.is_some_and(|r| r.chars().count() > 1000) {
        return Err(ServiceError::invalid(
            "reason",
            "a reason has at most 1000 characters",
            "een reden heeft hoogstens 1000 tekens",
        ));
    }
    let until = match (to, change.until) {
        (FindingStatus::RiskAccepted, Some(until)) if until > today && until <= today + chrono::Days::new(366) => Some(until),
        (FindingStatus::RiskAccepted, _) => {
            return Err(ServiceError::invalid(
                "until",
                "an accepted risk needs an end date within the coming year",
                "een aanvaard risico heeft een einddatum binnen het komende jaar nodig",
            ));
        }
        _ => None,
    };
    Ok(Step {
        from,
        to,
        reason: reason.map(str::to_owned),
        until,
    })
}

/// Writes a checked step and its event, inside the caller's transaction.
async fn take_step(work: &mut Work, actor: &Actor, finding_id: i64, step: &Step) -> Result<()> {
    work.tx
        .set_finding_status(finding_id, step.to, step.reason.as_deref(), step.until)
        .await?;
    work.tx.set_status_by(finding_id, Some(actor.person_id)).await?;
    work.record(
        Action::FindingStatusChanged,
        "finding",
        finding_id,
        json!({"from": step.from.as_str(), "to": step.to.as_str(), "reason": step.reason, "until": step.until}),
    )
    .await?;
    // A finding that came from a vulnerability report takes its report along (issue 5).
    crate::reports::follow_finding(work, finding_id, step.to).await
}

/// One finding as one person sees it: with its owner, asset and last step, the statuses they
/// may move it to, its history, and whether they may name its owner.
#[derive(Debug, Clone)]
pub struct FindingView {
    pub finding: StoredFinding,
    pub entry: RegisterEntry,
    pub next_statuses: Vec<&'static str>,
    pub events: Vec<Event>,
    pub may_assign: bool,
}

/// A page of the register and how many findings match in all.
#[derive(Debug, Clone)]
pub struct RegisterPage {
    pub entries: Vec<RegisterEntry>,
    /// How many findings match: exact, or at least [`COUNT_BOUND`] when `total_exact` is false
    /// (filters on an asset, an owner or a deadline are counted, up to that bound).
    pub total: i64,
    pub total_exact: bool,
    /// Where the next page starts, if there is one.
    pub next: Option<RegisterCursor>,
}

/// Beyond this many, a count the tallies do not keep says "more than" rather than read on.
pub const COUNT_BOUND: i64 = 1_000;

/// SEC-8: scopes a register query to what the actor may see (also the remediation day's agenda).
pub(crate) fn scope(actor: &Actor, q: &mut RegisterQuery) -> Result<()> {
    match actor.role {
        Role::ProgrammeAdmin => {}
        Role::GovernmentMember => q.government_id = Some(actor.organisation_id),
        Role::FirmMember => q.firm_id = Some(actor.organisation_id),
        Role::AssociationMember | Role::Researcher => return Err(ServiceError::Forbidden),
    }
    Ok(())
}

/// The register's filters as people and clients give them, as text; empty is no filter.
#[derive(Debug, Clone, Default)]
pub struct RegisterFilters {
    pub status: Option<String>,
    pub decision: Option<String>,
    pub severity: Option<String>,
    pub asset_id: Option<String>,
    /// `me`, or a person's id.
    pub owner: Option<String>,
    /// `true`, `1` or `on`: only open findings past their deadline.
    pub overdue: Option<String>,
    pub sort: Option<String>,
    pub order_id: Option<i64>,
}

fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

impl RegisterFilters {
    /// The query these filters ask for, checked; `me` is the actor, overdue is before `today`.
    pub fn query(&self, actor: &Actor, today: NaiveDate) -> Result<RegisterQuery> {
        let bad = |field: &'static str, value: &str| {
            ServiceError::invalid(
                field,
                format!("'{value}' is not a value of {field}"),
                format!("'{value}' is geen waarde voor {field}"),
            )
        };
        let status = match given(&self.status) {
            Some(s) => Some(parse_status(s)?),
            None => None,
        };
        let decision = match given(&self.decision) {
            Some(d) => Some(d.parse::<Decision>().map_err(|_| bad("decision", d))?),
            None => None,
        };
        let severity = match given(&self.severity) {
            Some(d) => Some(d.parse::<Severity>().map_err(|_| bad("severity", d))?),
            None => None,
        };
        let asset_id = match given(&self.asset_id) {
            Some(a) => Some(a.parse::<i64>().map_err(|_| bad("asset_id", a))?),
            None => None,
        };
        let owner_id = match given(&self.owner) {
            Some("me") => Some(actor.person_id),
            Some(o) => Some(o.parse::<i64>().map_err(|_| bad("owner", o))?),
            None => None,
        };
        let overdue_on = match given(&self.overdue) {
            Some("true" | "1" | "on") => Some(today),
            Some("false" | "0") | None => None,
            Some(o) => return Err(bad("overdue", o)),
        };
        let sort = match given(&self.sort) {
            Some(s) => s.parse().map_err(|_| bad("sort", s))?,
            None => Default::default(),
        };
        Ok(RegisterQuery {
            order_id: self.order_id,
            status,
            decision,
            severity,
            asset_id,
            owner_id,
            overdue_on,
            sort,
            ..Default::default()
        })
    }
}

impl Services {
    /// Moves a finding along its remediation: the government fixes, the firm verifies; an
    /// accepted risk needs a reason and an end date within a year, a false positive a reason.
    /// Who took the step is kept with the finding (the "who" of an accepted risk).
    pub async fn change_finding_status(&self, actor: &Actor, finding_id: i64, change: StatusChange) -> Result<StoredFinding> {
        parse_status(&change.status)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let finding = work.tx.finding(finding_id).await?.ok_or(ServiceError::NotFound("finding"))?;
        let party = party_for(work.tx.as_mut(), actor, &finding).await?;
        let step = check_step(&finding, party, &change, work.today)?;
        take_step(&mut work, actor, finding.id, &step).await?;
        let updated = work.tx.finding(finding.id).await?.ok_or(ServiceError::NotFound("finding"))?;
        work.commit().await?;
        Ok(updated)
    }

    /// I4-11: the same step for several findings at once, all or nothing: when any of them cannot
    /// take it, nothing is written and the refusal lists each finding that could not, with why.
    pub async fn change_findings_status(&self, actor: &Actor, ids: &[i64], change: StatusChange) -> Result<Vec<StoredFinding>> {
        parse_status(&change.status)?;
        let mut unique: Vec<i64> = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(id) {
                unique.push(*id);
            }
        }
        if unique.is_empty() || unique.len() > MAX_BULK {
            return Err(ServiceError::invalid(
                "ids",
                format!("choose between 1 and {MAX_BULK} findings"),
                format!("kies tussen 1 en {MAX_BULK} bevindingen"),
            ));
        }
        if matches!(actor.role, Role::AssociationMember | Role::Researcher) {
            return Err(ServiceError::Forbidden);
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut steps = Vec::with_capacity(unique.len());
        let (mut refused_en, mut refused_nl) = (Vec::new(), Vec::new());
        let mut unknown = 0;
        for id in &unique {
            let checked = match work.tx.finding(*id).await? {
                None => Err(ServiceError::NotFound("finding")),
                Some(finding) => match party_for(work.tx.as_mut(), actor, &finding).await {
                    Ok(party) => check_step(&finding, party, &change, work.today),
                    Err(e) => Err(e),
                },
            };
            match checked {
                Ok(step) => steps.push((*id, step)),
                Err(
                    ServiceError::Invalid {
                        message_en, message_nl, ..
                    }
                    | ServiceError::Conflict {
                        message_en, message_nl, ..
                    },
                ) => {
                    refused_en.push(format!("#{id}: {message_en}"));
                    refused_nl.push(format!("#{id}: {message_nl}"));
                }
                Err(ServiceError::NotFound(_)) => {
                    unknown += 1;
                    refused_en.push(format!("#{id}: no such finding of yours"));
                    refused_nl.push(format!("#{id}: geen bevinding van u"));
                }
                Err(other) => return Err(other),
            }
        }
        if unknown == unique.len() {
            // None of them is the actor's: as for one finding, they do not exist for them.
            return Err(ServiceError::NotFound("finding"));
        }
        if !refused_en.is_empty() {
            return Err(ServiceError::conflict(
                "nothing_changed",
                format!(
                    "nothing was changed: {} of {} findings cannot take this step ({})",
                    refused_en.len(),
                    unique.len(),
                    refused_en.join("; ")
                ),
                format!(
                    "er is niets gewijzigd: {} van {} bevindingen kunnen deze stap niet zetten ({})",
                    refused_nl.len(),
                    unique.len(),
                    refused_nl.join("; ")
                ),
            ));
        }
        let mut changed = Vec::with_capacity(steps.len());
        for (id, step) in &steps {
            take_step(&mut work, actor, *id, step).await?;
            changed.push(work.tx.finding(*id).await?.ok_or(ServiceError::NotFound("finding"))?);
        }
        work.commit().await?;
        Ok(changed)
    }

    /// One finding, for the government that owns it, the firm of its order, or an administrator.
    pub async fn finding(&self, actor: &Actor, id: i64) -> Result<FindingView> {
        let mut tx = self.store.read().await?;
        let finding = tx.finding(id).await?.ok_or(ServiceError::NotFound("finding"))?;
        let party = party_for(tx.as_mut(), actor, &finding).await?;
        let next_statuses = FindingStatus::ALL
            .into_iter()
            .filter(|to| allowed(finding.status, *to, party))
            .map(FindingStatus::as_str)
            .collect();
        let entry = tx
            .register(&RegisterQuery {
                finding_id: Some(id),
                limit: 1,
                ..Default::default()
            })
            .await?
            .entries
            .pop()
            .ok_or(ServiceError::NotFound("finding"))?;
        let events = tx.events_of("finding", id).await?;
        Ok(FindingView {
            finding,
            entry,
            next_statuses,
            events,
            may_assign: matches!(party, Party::Government | Party::Administrator),
        })
    }

    /// Names the person of the government who sees to a finding (or nobody, with `None`): the
    /// government itself or an administrator; the owner must be a member of that government.
    pub async fn set_finding_owner(&self, actor: &Actor, finding_id: i64, owner_id: Option<i64>) -> Result<RegisterEntry> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let finding = work.tx.finding(finding_id).await?.ok_or(ServiceError::NotFound("finding"))?;
        if party_for(work.tx.as_mut(), actor, &finding).await? == Party::Firm {
            return Err(ServiceError::Forbidden);
        }
        assign(&mut work, &finding, owner_id).await?;
        let entry = work
            .tx
            .register(&RegisterQuery {
                finding_id: Some(finding_id),
                limit: 1,
                ..Default::default()
            })
            .await?
            .entries
            .pop()
            .ok_or(ServiceError::NotFound("finding"))?;
        work.commit().await?;
        Ok(entry)
    }

    /// The register: the findings the actor may see that match the query, in its order.
    pub async fn register(&self, actor: &Actor, mut q: RegisterQuery) -> Result<RegisterPage> {
        scope(actor, &mut q)?;
        let mut tx = self.store.read().await?;
        let rows = tx.register(&q).await?;
        let count = tx.count_register(&q, COUNT_BOUND).await?;
        Ok(RegisterPage {
            entries: rows.entries,
            total: count.n,
            total_exact: count.exact,
            next: rows.next,
        })
    }

    /// A government's assets with their findings counted, for the government or an administrator.
    pub async fn asset_summaries(&self, actor: &Actor, government_id: i64) -> Result<Vec<AssetSummary>> {
        let own = actor.role == Role::GovernmentMember && actor.organisation_id == government_id;
        if !(own || can(actor, Permission::ManageProgrammes)) {
            return Err(ServiceError::Forbidden);
        }
        let _heavy = self.heavy.begin(actor.person_id)?;
        let today = crate::clock::brussels_date(self.clock.now());
        let mut tx = self.store.read().await?;
        Ok(tx.asset_summaries(government_id, today).await?)
    }

    /// The people who may own the government's findings, for whoever works on them.
    pub async fn owner_candidates(&self, actor: &Actor, government_id: i64) -> Result<Vec<Person>> {
        let mut tx = self.store.read().await?;
        let may = match actor.role {
            Role::ProgrammeAdmin => true,
            Role::GovernmentMember => actor.organisation_id == government_id,
            Role::FirmMember => {
                let q = RegisterQuery {
                    government_id: Some(government_id),
                    firm_id: Some(actor.organisation_id),
                    limit: 1,
                    ..Default::default()
                };
                !tx.register(&q).await?.entries.is_empty()
            }
            _ => false,
        };
        if !may {
            return Err(ServiceError::Forbidden);
        }
        let people = tx.people(Some(government_id)).await?;
        Ok(people
            .into_iter()
            .filter(|p| may_own(p.organisation_id, p.role, government_id))
            .collect())
    }

    /// The days to remediate by decision that a programme sets.
    pub async fn remediation_terms(&self, programme_id: i64) -> Result<RemediationTerms> {
        let mut tx = self.store.read().await?;
        let programme = tx.programme(programme_id).await?.ok_or(ServiceError::NotFound("programme"))?;
        Ok(programme.settings.remediation_terms)
    }
}

/// Names a finding's owner inside the caller's transaction, after checking that the person is a
/// member of the finding's government.
pub(crate) async fn assign(work: &mut Work, finding: &StoredFinding, owner_id: Option<i64>) -> Result<()> {
    let owner = match owner_id {
        Some(id) => {
            let person = work.tx.person(id).await?;
            match person {
                Some(p) if may_own(p.organisation_id, p.role, finding.government_id) => Some(p),
                _ => {
                    return Err(ServiceError::conflict(
                        "not_of_the_government",
                        format!("person #{id} is not a member of the government whose finding this is"),
                        format!("persoon #{id} is geen lid van het bestuur van deze bevinding"),
                    ));
                }
            }
        }
        None => None,
    };
    work.tx.set_finding_owner(finding.id, owner_id).await?;
    work.record(
        Action::FindingOwnerSet,
        "finding",
        finding.id,
        json!({"owner_id": owner_id, "owner": owner.map(|p| p.name)}),
    )
    .await
}
