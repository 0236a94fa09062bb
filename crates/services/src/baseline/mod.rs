//! The continuous baseline scan of governments' internet-facing systems (issue 16): a government
//! registers its systems, the scanner checks each weekly (or when asked), failures become findings
//! in its register, and its scores are kept with their history. "Comply or explain": a government
//! explains why a check does not apply; an administrator accepts or rejects the explanation.

mod record;
mod run;

pub use run::{BaselineRound, ScanHolder};

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use cyberveilig_baseline::{Category, Check, Lang};
use cyberveilig_domain::asset::AssetKind;
use cyberveilig_domain::baseline::{ExplanationState, NotScannable, ScanCause, Score, scan_target};
use cyberveilig_domain::registry::Province;
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_store::records::{
    BaselineScan, BaselineSystem, CheckResult, Explanation, GovernmentBaseline, NewAsset, NewScan, Organisation, ScorePoint,
};
use serde_json::json;

/// The verdicts of one government, at most: a government registers a handful of systems, each
/// with a few dozen checks.
const RESULTS_SHOWN: i64 = 5_000;
/// Scores kept in view: a year of weekly scans of a few systems, per category.
const HISTORY_SHOWN: i64 = 2_000;
/// The government's latest scans shown.
const SCANS_SHOWN: i64 = 20;
/// The longest explanation.
const EXPLANATION_MAX: usize = 2_000;

/// Everything a government's baseline page shows.
#[derive(Debug, Clone)]
pub struct BaselineView {
    pub government: Organisation,
    pub paused: bool,
    pub systems: Vec<BaselineSystem>,
    /// The latest verdicts, by check and subject, each with its explanation if there is one.
    pub results: Vec<(CheckResult, Option<Explanation>)>,
    /// Explanations, including those of checks that now pass.
    pub explanations: Vec<Explanation>,
    /// The current score per category (`all` first), from the latest verdicts.
    pub scores: Vec<(String, Score)>,
    /// The scores after each scan over the last year, oldest first.
    pub history: Vec<ScorePoint>,
    pub scans: Vec<BaselineScan>,
}

/// A province in the public overview: the mean of its governments' scores.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvinceScore {
    pub province: Province,
    /// Governments scanned (with a score).
    pub governments: usize,
    /// The mean of their overall scores, per cent.
    pub mean: Option<u32>,
    /// The mean per category, in [`Category::ALL`]'s order.
    pub categories: Vec<(String, Option<u32>)>,
}

/// A province's governments' current scores, summed per category in [`score_categories`]' order.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    /// Governments with an overall score.
    governments: usize,
    /// Per category: the sum of the percentages and how many there were.
    sums: [(u64, usize); 5],
}

impl Tally {
    fn add(&mut self, g: &GovernmentBaseline) {
        for (i, category) in score_categories().enumerate() {
            if let Some(p) = g.scores.iter().find(|s| s.category == category).and_then(|s| s.score.percent()) {
                self.sums[i].0 += u64::from(p);
                self.sums[i].1 += 1;
                self.governments += usize::from(i == 0);
            }
        }
    }

    /// The mean of a category's percentages, rounded down; none when no government had one.
    fn mean(&self, category: usize) -> Option<u32> {
        let (total, n) = self.sums[category];
        (n > 0).then(|| u32::try_from(total / n as u64).unwrap_or(100))
    }
}

/// BL-7: the mean of the current scores of each province's governments, overall and per category.
pub fn province_scores_of(governments: &[GovernmentBaseline]) -> Vec<ProvinceScore> {
    let mut tallies: Vec<(Province, Tally)> = Province::ALL.iter().map(|p| (*p, Tally::default())).collect();
    for g in governments {
        let Some(province) = g.nis_code.as_ref().and_then(Province::of_municipality) else {
            continue;
        };
        if let Some((_, tally)) = tallies.iter_mut().find(|(p, _)| *p == province) {
            tally.add(g);
        }
    }
    tallies
        .into_iter()
        .map(|(province, tally)| ProvinceScore {
            province,
            governments: tally.governments,
            mean: tally.mean(0),
            categories: score_categories()
                .enumerate()
                .skip(1)
                .map(|(i, c)| (c.to_string(), tally.mean(i)))
                .collect(),
        })
        .collect()
}

/// The categories a score is kept in: each of the scanner's and `all`.
pub fn score_categories() -> impl Iterator<Item = &'static str> {
    std::iter::once("all").chain(Category::ALL.iter().map(|c| c.code()))
}

fn not_scannable(e: NotScannable) -> ServiceError {
    match e {
        NotScannable::Range => ServiceError::invalid(
            "name",
            "a range of addresses is not one system: register its internet-facing addresses one by one",
            "een adresbereik is geen systeem: registreer de adressen die op het internet staan één voor één",
        ),
        NotScannable::NotPublic(ip) => ServiceError::invalid(
            "name",
            format!("{ip} is not an address on the public internet (private, loopback or link-local): it is never scanned"),
            format!("{ip} is geen adres op het publieke internet (privé, loopback of link-local): het wordt nooit gescand"),
        ),
        NotScannable::Unreadable => ServiceError::invalid(
            "name",
            "give a domain (gent.be), a host name (loket.gent.be), a URL or a public IP address",
            "geef een domein (gent.be), een hostnaam (loket.gent.be), een URL of een publiek IP-adres",
        ),
    }
}

impl Services {
    async fn baseline_government(&self, actor: &Actor, government_id: i64, manage: bool) -> Result<Organisation> {
        let permission = if manage {
            Permission::ManageBaseline(government_id)
        } else {
            Permission::ViewBaseline(government_id)
        };
        if !can(actor, permission) {
            // Whether another government exists is not told.
            return Err(ServiceError::NotFound("government"));
        }
        let mut tx = self.store.read().await?;
        let org = tx.organisation(government_id).await?.ok_or(ServiceError::NotFound("government"))?;
        if !org.kind.is_local_government() {
            return Err(ServiceError::NotFound("government"));
        }
        Ok(org)
    }

    /// A government's baseline: its systems, verdicts, explanations, scores and their history.
    pub async fn baseline(&self, actor: &Actor, government_id: i64) -> Result<BaselineView> {
        let government = self.baseline_government(actor, government_id, false).await?;
        let since = self.clock.now() - chrono::Duration::days(366);
        let mut tx = self.store.read().await?;
        let explanations = tx.explanations(Some(government_id), None, RESULTS_SHOWN).await?;
        let results = tx.check_results(government_id, RESULTS_SHOWN).await?;
        let scores = record::scores_of(&results, &explanations);
        let results = results
            .into_iter()
            .map(|r| {
                let e = explanations.iter().find(|e| e.check == r.check && e.subject == r.subject).cloned();
                (r, e)
            })
            .collect();
        Ok(BaselineView {
            paused: tx.baseline_paused(government_id).await?,
            systems: tx.baseline_systems(government_id).await?,
            history: tx.score_history(government_id, since, HISTORY_SHOWN).await?,
            scans: tx.baseline_scans(government_id, SCANS_SHOWN).await?,
            scores,
            results,
            explanations,
            government,
        })
    }

    /// BL-1: registers one of the government's internet-facing systems for the weekly scan: a domain, a
    /// host name, a URL (its host is scanned) or a public address. `kind` defaults to what the name
    /// looks like (a name is a domain).
    pub async fn register_baseline_system(
        &self,
        actor: &Actor,
        government_id: i64,
        name: &str,
        kind: Option<AssetKind>,
    ) -> Result<BaselineSystem> {
        self.baseline_government(actor, government_id, true).await?;
        let name = name.trim();
        let kind = kind.unwrap_or_else(|| AssetKind::of_scope_entry(name));
        let name = match kind {
            AssetKind::Domain | AssetKind::Host if name.parse::<std::net::IpAddr>().is_err() => {
                cyberveilig_baseline::model::normalise_name(name).map_err(|_| not_scannable(NotScannable::Unreadable))?
            }
            _ => name.to_string(),
        };
        scan_target(kind, &name, cyberveilig_baseline::policy::is_public).map_err(not_scannable)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let asset_id = work
            .tx
            .upsert_asset(&NewAsset {
                government_id,
                kind,
                name: name.clone(),
                hostname: None,
                ip: None,
                os: None,
                at: work.now,
            })
            .await?;
        work.tx.set_baseline_system(asset_id, true).await?;
        work.record(
            Action::BaselineSystemRegistered,
            "asset",
            asset_id,
            json!({"kind": kind.as_str(), "name": name}),
        )
        .await?;
        let system = work
            .tx
            .baseline_systems(government_id)
            .await?
            .into_iter()
            .find(|s| s.asset_id == asset_id)
            .ok_or_else(|| ServiceError::internal("baseline_system_lost", "the system registered is not listed"))?;
        work.commit().await?;
        Ok(system)
    }

    /// Takes a system off the weekly scan. Its findings stay in the register.
    pub async fn remove_baseline_system(&self, actor: &Actor, government_id: i64, asset_id: i64) -> Result<()> {
        self.baseline_government(actor, government_id, true).await?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let asset = work.tx.asset(asset_id).await?.filter(|a| a.government_id == government_id);
        let Some(asset) = asset else {
            return Err(ServiceError::NotFound("system"));
        };
        work.tx.set_baseline_system(asset_id, false).await?;
        work.record(Action::BaselineSystemRemoved, "asset", asset_id, json!({"name": asset.name}))
            .await?;
        work.commit().await?;
        Ok(())
    }

    /// Queues a scan of each of the government's systems now (BL-5: on demand). A system whose
    /// scan waits or runs already is not queued twice. Returns how many were queued.
    pub async fn request_baseline_scan(&self, actor: &Actor, government_id: i64) -> Result<usize> {
        self.baseline_government(actor, government_id, true).await?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        if work.tx.baseline_paused(government_id).await? {
            return Err(ServiceError::conflict(
                "baseline_paused",
                "the baseline scan of this government is paused: resume it first",
                "de basisscan van dit bestuur is gepauzeerd: hervat hem eerst",
            ));
        }
        let systems = work.tx.baseline_systems(government_id).await?;
        if systems.is_empty() {
            return Err(ServiceError::conflict(
                "no_baseline_systems",
                "register a system (a domain, a host name or an address) before asking for a scan",
                "registreer eerst een systeem (een domein, een hostnaam of een adres) voor u een scan vraagt",
            ));
        }
        let mut queued = 0;
        for s in &systems {
            let scan = NewScan {
                government_id,
                asset_id: s.asset_id,
                cause: ScanCause::Request,
                requested_by: Some(actor.person_id),
                at: work.now,
            };
            if work.tx.queue_baseline_scan(&scan).await?.is_some() {
                queued += 1;
            }
        }
        work.record(
            Action::BaselineScanRequested,
            "organisation",
            government_id,
            json!({"queued": queued}),
        )
        .await?;
        work.commit().await?;
        Ok(queued)
    }

    /// Pauses or resumes the government's scans (BL-5): while paused nothing of it is scanned.
    pub async fn set_baseline_paused(&self, actor: &Actor, government_id: i64, paused: bool) -> Result<()> {
        self.baseline_government(actor, government_id, true).await?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        work.tx.set_baseline_paused(government_id, paused).await?;
        work.record(Action::BaselinePaused, "organisation", government_id, json!({"paused": paused}))
            .await?;
        work.commit().await?;
        Ok(())
    }

    /// "Comply or explain": the government says why a check does not apply to a subject. It counts
    /// once an administrator accepts it.
    pub async fn explain_check(&self, actor: &Actor, government_id: i64, check: &str, subject: &str, text: &str) -> Result<Explanation> {
        self.baseline_government(actor, government_id, true).await?;
        let check = Check::from_code(check.trim()).ok_or_else(|| {
            ServiceError::invalid(
                "check",
                "no such check of the baseline scan",
                "de basisscan heeft zo'n controle niet",
            )
        })?;
        let text = text.trim();
        if text.is_empty() || text.chars().count() > EXPLANATION_MAX {
            return Err(ServiceError::invalid(
                "explanation",
                format!("say why the check does not apply, in 1 to {EXPLANATION_MAX} characters"),
                format!("zeg waarom de controle niet van toepassing is, in 1 tot {EXPLANATION_MAX} tekens"),
            ));
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let subject = subject.trim();
        let seen = work
            .tx
            .check_results(government_id, RESULTS_SHOWN)
            .await?
            .into_iter()
            .any(|r| r.check == check.code() && r.subject == subject);
        if !seen {
            return Err(ServiceError::invalid(
                "subject",
                "the scan has no verdict of this check on this subject: explain a check the scan reports",
                "de scan heeft geen oordeel van deze controle over dit onderwerp: licht een controle toe die de scan meldt",
            ));
        }
        let mut e = Explanation {
            id: 0,
            government_id,
            check: check.code().to_string(),
            subject: subject.to_string(),
            explanation: text.to_string(),
            state: ExplanationState::Proposed,
            proposed_by: actor.person_id,
            proposed_at: work.now,
            decided_by: None,
            decided_at: None,
            decision_note: None,
        };
        e.id = work.tx.propose_explanation(&e).await?;
        // A proposal replaces an accepted explanation: the check counts again until it is decided.
        record::rescore(&mut work, government_id).await?;
        work.record(
            Action::BaselineExplained,
            "baseline_explanation",
            e.id,
            json!({"check": e.check, "subject": e.subject, "explanation": e.explanation}),
        )
        .await?;
        work.commit().await?;
        Ok(e)
    }

    /// An administrator accepts or rejects a proposed explanation. Accepted, the check leaves the
    /// government's score and its finding is closed as not applicable; both are recorded.
    pub async fn decide_explanation(&self, actor: &Actor, id: i64, accept: bool, note: Option<&str>) -> Result<Explanation> {
        if !can(actor, Permission::SuperviseBaseline) {
            return Err(ServiceError::Forbidden);
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut e = work.tx.explanation(id).await?.ok_or(ServiceError::NotFound("explanation"))?;
        if e.state != ExplanationState::Proposed {
            return Err(ServiceError::conflict(
                "explanation_decided",
                format!("this explanation was {} already", e.state),
                format!("over deze toelichting is al beslist ({})", e.state),
            ));
        }
        e.state = if accept {
            ExplanationState::Accepted
        } else {
            ExplanationState::Rejected
        };
        e.decided_by = Some(actor.person_id);
        e.decided_at = Some(work.now);
        e.decision_note = note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
        work.tx.decide_explanation(&e).await?;
        if accept {
            let fingerprint = record::fingerprint(&e.check, &e.subject);
            if let Some(f) = work.tx.finding_by_fingerprint(e.government_id, &fingerprint).await?
                && f.status.is_open()
            {
                let reason = format!("Niet van toepassing (aanvaarde toelichting): {}", e.explanation);
                work.tx
                    .set_finding_status(f.id, FindingStatus::FalsePositive, Some(&reason), None)
                    .await?;
                work.record(
                    Action::FindingStatusChanged,
                    "finding",
                    f.id,
                    json!({"from": f.status.as_str(), "to": "false_positive", "reason": reason}),
                )
                .await?;
            }
        }
        record::rescore(&mut work, e.government_id).await?;
        work.record(
            Action::BaselineExplanationDecided,
            "baseline_explanation",
            e.id,
            json!({"state": e.state.as_str(), "note": e.decision_note}),
        )
        .await?;
        work.commit().await?;
        Ok(e)
    }

    /// Explanations waiting for a decision, oldest first: the administrator's queue.
    pub async fn explanations_to_decide(&self, actor: &Actor) -> Result<Vec<Explanation>> {
        if !can(actor, Permission::SuperviseBaseline) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(tx.explanations(None, Some(ExplanationState::Proposed), 500).await?)
    }

    /// Every government with registered systems and its current scores, a page at a time (by id,
    /// after `after`): the administrator's overview.
    pub async fn baseline_overview(&self, actor: &Actor, after: i64, limit: i64) -> Result<Vec<GovernmentBaseline>> {
        if !can(actor, Permission::SuperviseBaseline) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(tx.baseline_overview(after, limit.clamp(1, 500)).await?)
    }

    /// Whether the overview per province is public.
    pub async fn baseline_is_public(&self) -> Result<bool> {
        let mut tx = self.store.read().await?;
        Ok(tx.baseline_public().await?)
    }

    /// The administrator switches the public overview per province on or off.
    pub async fn set_baseline_public(&self, actor: &Actor, public: bool) -> Result<()> {
        if !can(actor, Permission::SuperviseBaseline) {
            return Err(ServiceError::Forbidden);
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        work.tx.set_baseline_public(public, actor.person_id, work.now).await?;
        work.record(Action::BaselinePublicationSet, "baseline", 1, json!({"public": public}))
            .await?;
        work.commit().await?;
        Ok(())
    }

    /// BL-7: the overview per province, like basisbeveiliging.nl: for anyone when the administrator
    /// switched it on (`None` otherwise), for an administrator always.
    pub async fn province_scores(&self, actor: Option<&Actor>) -> Result<Option<Vec<ProvinceScore>>> {
        let supervisor = actor.is_some_and(|a| can(a, Permission::SuperviseBaseline));
        if !supervisor && !self.baseline_is_public().await? {
            return Ok(None);
        }
        let mut governments = Vec::new();
        let mut after = 0;
        loop {
            let page = {
                let mut tx = self.store.read().await?;
                tx.baseline_overview(after, 500).await?
            };
            let Some(last) = page.last() else { break };
            after = last.government_id;
            governments.extend(page);
        }
        Ok(Some(province_scores_of(&governments)))
    }
}

/// A scanner for an offline fleet of servers (the demo's, the tests'): the fleet's resolver,
/// certificate authority and ports, without the politeness limits (the fleet is ours) and with
/// short timeouts. Never for real systems.
pub fn fleet_scanner(fleet: &cyberveilig_baseline::fleet::Fleet, info_url: &str) -> Result<cyberveilig_baseline::Scanner> {
    use std::time::Duration;
    let mut config = cyberveilig_baseline::ScannerConfig::new(info_url);
    config.test_mode = Some(fleet.test_mode());
    config.politeness = cyberveilig_baseline::Politeness::off();
    config.timeouts = cyberveilig_baseline::Timeouts {
        connect: Duration::from_secs(2),
        tls: Duration::from_secs(3),
        http: Duration::from_secs(3),
        smtp: Duration::from_secs(3),
        dns: Duration::from_secs(2),
        scan: Duration::from_secs(60),
    };
    cyberveilig_baseline::Scanner::new(config).map_err(|e| ServiceError::internal("baseline_scanner", e.to_string()))
}

/// A check's title from its stable code, in Dutch or English (the code itself if the scanner
/// no longer knows it).
pub fn check_title(code: &str, dutch: bool) -> String {
    let lang = if dutch { Lang::Nl } else { Lang::En };
    Check::from_code(code).map_or_else(|| code.to_string(), |c| c.title(lang).to_string())
}

/// A category's title from its code (`all` is the whole).
pub fn category_title(code: &str, dutch: bool) -> String {
    let lang = if dutch { Lang::Nl } else { Lang::En };
    match Category::ALL.iter().find(|c| c.code() == code) {
        Some(c) => c.title(lang).to_string(),
        None if dutch => "Totaal".into(),
        None => "Overall".into(),
    }
}

/// What a verdict's evidence says, as key and value, from its stored JSON.
pub fn evidence_of(json: &str) -> Vec<(String, String)> {
    serde_json::from_str::<Vec<cyberveilig_baseline::Evidence>>(json)
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.key, e.value))
        .collect()
}
