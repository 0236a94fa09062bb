//! Ethical-hacking engagements (issue 5, item 7: the Howest track, VVSG's work package V3).
//!
//! VVSG (or an administrator) proposes an engagement between a local government and an
//! education partner: the team (researchers of the partner, at least one supervisor), the scope
//! (the government's assets), the window and the techniques. cyberveilig writes the
//! authorisation letter; the government's authorised signatory accepts exactly that letter (its
//! SHA-256 is kept with who and when). Only then, and only within the window, may the team
//! submit findings; they go into the government's register. Any change of the terms after the
//! acceptance sends the engagement back to proposed, for a new acceptance.
//!
//! Who sees an engagement: the administrator and VVSG (the coordinator), the government's
//! people, and the team. Its findings: the team, the government and the administrator (not
//! VVSG, who sees the figures). Anyone else gets a 404.

use crate::Services;
use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::intel::Priorities;
use crate::work::{Who, Work};
use cyberveilig_domain::engagement::{self as rules, EngagementError, EngagementState, LetterFacts, Phase, TeamRole, Technique, Window};
use cyberveilig_domain::registry::Role;
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::source::FindingTool;
use cyberveilig_domain::ssvc::RemediationTerms;
use cyberveilig_findings::Severity;
use cyberveilig_store::Tx;
use cyberveilig_store::records::{Acceptance, Engagement, EngagementFilter, StoredFinding};
use serde_json::json;
use sha2::{Digest, Sha256};

mod terms;
use terms::text;

/// Most assets in one engagement's scope, and most team members.
pub const MAX_SCOPE: usize = 50;
pub const MAX_TEAM: usize = 30;
const MAX_TEXT: usize = 20_000;

fn refused(e: EngagementError) -> ServiceError {
    match e.conflict_code() {
        Some(code) => ServiceError::conflict(code, e.message_en(), e.message_nl()),
        None => ServiceError::invalid(e.field(), e.message_en(), e.message_nl()),
    }
}

/// The terms of an engagement, as proposed or changed.
#[derive(Debug, Clone, Default)]
pub struct EngagementTerms {
    pub government_nis: String,
    pub title: String,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
    /// Host names, domains, IP addresses or ranges, applications: each becomes (or is) an asset
    /// of the government.
    pub scope: Vec<String>,
    /// Technique codes (see [`Technique`]).
    pub techniques: Vec<String>,
    /// Team members by email address, with their role (student or supervisor).
    pub team: Vec<(String, String)>,
    pub government_contact: String,
    pub team_contact: String,
    pub emergency_contact: String,
}

/// A finding the team submits.
#[derive(Debug, Clone, Default)]
pub struct TeamFinding {
    pub title: String,
    pub description: String,
    /// critical, high, medium, low or info; taken from the CVSS vector when one is given.
    pub severity: Option<String>,
    pub cvss_vector: Option<String>,
    /// An asset of the engagement's scope.
    pub asset_id: i64,
    /// Where on the asset: a URL, a port, a path.
    pub location: String,
    pub evidence: String,
    pub recommendation: String,
}

/// An engagement as people see it.
#[derive(Debug, Clone)]
pub struct EngagementView {
    pub engagement: Engagement,
    pub phase: Phase,
    pub techniques: Vec<Technique>,
    pub government: String,
    pub government_nis: Option<String>,
    pub partner: String,
    pub coordinator: String,
    /// Whether the team may test today.
    pub may_test: bool,
    /// What the actor may do: accept the letter (a signatory of the government, while proposed),
    /// change the terms or withdraw, submit findings.
    pub can_accept: bool,
    pub can_change: bool,
    pub can_withdraw: bool,
    pub can_submit: bool,
    pub can_see_findings: bool,
    pub acceptances: Vec<Acceptance>,
}

/// The letter of an engagement in both languages and the hash of the two together.
#[derive(Debug, Clone)]
pub struct Letter {
    pub dutch: String,
    pub english: String,
    pub hash: String,
    pub version: i64,
}

/// Engagements counted by phase: in total and per government.
#[derive(Debug, Clone, Default)]
pub struct EngagementFigures {
    pub total: PhaseCounts,
    /// Per government with at least one engagement: its name, NIS code and counts.
    pub governments: Vec<(String, Option<String>, PhaseCounts)>,
    /// Findings submitted by teams, in total.
    pub findings: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhaseCounts {
    pub proposed: i64,
    pub authorised: i64,
    pub active: i64,
    pub closed: i64,
    pub withdrawn: i64,
}

impl PhaseCounts {
    fn add(&mut self, phase: Phase) {
        match phase {
            Phase::Proposed => self.proposed += 1,
            Phase::Authorised => self.authorised += 1,
            Phase::Active => self.active += 1,
            Phase::Closed => self.closed += 1,
            Phase::Withdrawn => self.withdrawn += 1,
        }
    }

    pub fn total(&self) -> i64 {
        self.proposed + self.authorised + self.active + self.closed + self.withdrawn
    }
}

/// How the actor stands to an engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Party {
    Administrator,
    Coordinator,
    Government,
    Team(TeamRole),
}

fn party(actor: &Actor, e: &Engagement) -> Option<Party> {
    match actor.role {
        Role::ProgrammeAdmin => Some(Party::Administrator),
        Role::AssociationMember => Some(Party::Coordinator),
        Role::GovernmentMember if actor.organisation_id == e.government_id => Some(Party::Government),
        Role::Researcher => e
            .team
            .iter()
            .find(|m| m.person_id == actor.person_id)
            .and_then(|m| m.role.parse().ok())
            .map(Party::Team),
        _ => None,
    }
}

fn may_propose(actor: &Actor) -> bool {
    matches!(actor.role, Role::ProgrammeAdmin | Role::AssociationMember)
}

fn techniques_of(e: &Engagement) -> Vec<Technique> {
    e.techniques.split(',').filter_map(|t| t.parse().ok()).collect()
}

fn window_of(e: &Engagement) -> Window {
    Window {
        starts_on: e.starts_on,
        ends_on: e.ends_on,
    }
}

/// The SHA-256 of the letter in both languages, as the signatory accepts it.
pub fn letter_hash(dutch: &str, english: &str) -> String {
    let mut h = Sha256::new();
    h.update(dutch.as_bytes());
    h.update(b"\n\x0c\n");
    h.update(english.as_bytes());
    hex::encode(h.finalize())
}

async fn org_name(tx: &mut dyn Tx, id: i64) -> Result<(String, Option<String>)> {
    let org = tx.organisation(id).await?.ok_or(ServiceError::NotFound("organisation"))?;
    Ok((org.name, org.nis_code.map(|n| n.to_string())))
}

async fn letter_of(tx: &mut dyn Tx, e: &Engagement) -> Result<Letter> {
    let facts = LetterFacts {
        reference: format!("CV-ENG-{}", e.id),
        government: org_name(tx, e.government_id).await?.0,
        partner: org_name(tx, e.partner_id).await?.0,
        coordinator: org_name(tx, e.coordinator_id).await?.0,
        title: e.title.clone(),
        window: window_of(e),
        scope: e.scope.iter().map(|(_, name)| name.clone()).collect(),
        techniques: techniques_of(e),
        team: e
            .team
            .iter()
            .map(|m| (m.name.clone(), m.role.parse().unwrap_or(TeamRole::Student)))
            .collect(),
        government_contact: e.government_contact.clone(),
        team_contact: e.team_contact.clone(),
        emergency_contact: e.emergency_contact.clone(),
        version: e.version,
    };
    let dutch = rules::letter(&facts, true);
    let english = rules::letter(&facts, false);
    let hash = letter_hash(&dutch, &english);
    Ok(Letter {
        dutch,
        english,
        hash,
        version: e.version,
    })
}

impl Services {
    /// Reads the terms into an engagement (new, or the one being changed), checking every rule;
    /// registers the scope's entries as the government's assets.
    async fn apply_terms(&self, work: &mut Work, e: &mut Engagement, terms: &EngagementTerms) -> Result<()> {
        let government_id = terms::government(work, e, terms).await?;
        e.government_id = government_id;
        terms::window_and_contacts(work, e, terms)?;
        e.scope = terms::scope(work, government_id, &terms.scope).await?;
        let (team, partner) = terms::team(work, &terms.team).await?;
        if let Some(p) = partner {
            if e.id != 0 && p != e.partner_id {
                return Err(ServiceError::invalid(
                    "team",
                    "an engagement stays with its education partner",
                    "een opdracht blijft bij haar onderwijspartner",
                ));
            }
            e.partner_id = p;
        }
        e.team = team;
        Ok(())
    }

    async fn engagement_view_of(&self, tx: &mut dyn Tx, actor: &Actor, e: Engagement, today: chrono::NaiveDate) -> Result<EngagementView> {
        let Some(party) = party(actor, &e) else {
            return Err(ServiceError::NotFound("engagement"));
        };
        let state = e.state;
        let window = window_of(&e);
        let phase = Phase::of(state, &window, today);
        let signatory = party == Party::Government && tx.is_signatory(actor.person_id).await?;
        let (government, government_nis) = org_name(tx, e.government_id).await?;
        let acceptances = tx.acceptances(e.id).await?;
        let open = rules::may_end(state).is_ok();
        let in_team = matches!(party, Party::Team(_));
        Ok(EngagementView {
            phase,
            techniques: techniques_of(&e),
            government,
            government_nis,
            partner: org_name(tx, e.partner_id).await?.0,
            coordinator: org_name(tx, e.coordinator_id).await?.0,
            may_test: rules::may_test(state, &window, today).is_ok(),
            can_accept: signatory && state == EngagementState::Proposed && today <= e.ends_on,
            can_change: open && matches!(party, Party::Administrator | Party::Coordinator),
            can_withdraw: open && !matches!(party, Party::Team(TeamRole::Student)),
            can_submit: in_team && rules::may_test(state, &window, today).is_ok(),
            can_see_findings: !matches!(party, Party::Coordinator),
            acceptances,
            engagement: e,
        })
    }

    async fn read_engagement(&self, actor: &Actor, id: i64) -> Result<(Box<dyn Tx>, EngagementView)> {
        let mut tx = self.store.read().await?;
        let e = tx.engagement(id).await?.ok_or(ServiceError::NotFound("engagement"))?;
        let today = crate::clock::brussels_date(self.clock.now());
        let view = self.engagement_view_of(tx.as_mut(), actor, e, today).await?;
        Ok((tx, view))
    }

    /// The engagements the actor may see, newest first.
    pub async fn engagements(&self, actor: &Actor) -> Result<Vec<EngagementView>> {
        let filter = match actor.role {
            Role::ProgrammeAdmin | Role::AssociationMember => EngagementFilter::default(),
            Role::GovernmentMember => EngagementFilter {
                government_id: Some(actor.organisation_id),
                ..Default::default()
            },
            Role::Researcher => EngagementFilter {
                member_id: Some(actor.person_id),
                ..Default::default()
            },
            Role::FirmMember => return Ok(Vec::new()),
        };
        let mut tx = self.store.read().await?;
        let today = crate::clock::brussels_date(self.clock.now());
        let mut out = Vec::new();
        for e in tx.engagements(&filter).await? {
            out.push(self.engagement_view_of(tx.as_mut(), actor, e, today).await?);
        }
        Ok(out)
    }

    pub async fn engagement(&self, actor: &Actor, id: i64) -> Result<EngagementView> {
        Ok(self.read_engagement(actor, id).await?.1)
    }

    /// The authorisation letter as it stands, in Dutch and English, with its hash.
    pub async fn engagement_letter(&self, actor: &Actor, id: i64) -> Result<(EngagementView, Letter)> {
        let (mut tx, view) = self.read_engagement(actor, id).await?;
        let letter = letter_of(tx.as_mut(), &view.engagement).await?;
        Ok((view, letter))
    }

    /// VVSG (or an administrator) proposes an engagement.
    pub async fn propose_engagement(&self, actor: &Actor, terms: EngagementTerms) -> Result<EngagementView> {
        if !may_propose(actor) {
            return Err(ServiceError::Forbidden);
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut e = Engagement {
            id: 0,
            government_id: 0,
            partner_id: 0,
            coordinator_id: actor.organisation_id,
            title: String::new(),
            state: EngagementState::Proposed,
            starts_on: work.today,
            ends_on: work.today,
            techniques: String::new(),
            government_contact: String::new(),
            team_contact: String::new(),
            emergency_contact: String::new(),
            version: 1,
            letter_hash: String::new(),
            accepted_hash: None,
            accepted_by: None,
            accepted_at: None,
            social_engineering_authorised: false,
            ended_reason: None,
            proposed_by: actor.person_id,
            created_at: work.now,
            updated_at: work.now,
            scope: Vec::new(),
            team: Vec::new(),
        };
        self.apply_terms(&mut work, &mut e, &terms).await?;
        e.id = work.tx.insert_engagement(&e).await?;
        // The letter names the engagement's reference, so its hash follows the insert.
        e.letter_hash = letter_of(work.tx.as_mut(), &e).await?.hash;
        work.tx.update_engagement(&e).await?;
        work.record(
            Action::EngagementProposed,
            "engagement",
            e.id,
            json!({"government_id": e.government_id, "partner_id": e.partner_id, "starts_on": e.starts_on, "ends_on": e.ends_on,
                   "techniques": e.techniques, "scope": e.scope.iter().map(|(_, n)| n).collect::<Vec<_>>(),
                   "team": e.team.iter().map(|m| json!({"person_id": m.person_id, "role": m.role})).collect::<Vec<_>>(),
                   "letter_hash": e.letter_hash}),
        )
        .await?;
        let today = work.today;
        let view = self.engagement_view_of(work.tx.as_mut(), actor, e, today).await?;
        work.commit().await?;
        Ok(view)
    }

    /// Changes an engagement's terms: a new version of the letter, which an authorised engagement
    /// must have accepted anew (it goes back to proposed).
    pub async fn change_engagement(&self, actor: &Actor, id: i64, terms: EngagementTerms) -> Result<EngagementView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut e = work.tx.engagement(id).await?.ok_or(ServiceError::NotFound("engagement"))?;
        match party(actor, &e) {
            Some(Party::Administrator | Party::Coordinator) => {}
            Some(_) => return Err(ServiceError::Forbidden),
            None => return Err(ServiceError::NotFound("engagement")),
        }
        let before = e.state;
        let after = rules::after_change(before).map_err(refused)?;
        let old_hash = e.letter_hash.clone();
        self.apply_terms(&mut work, &mut e, &terms).await?;
        let hash = letter_of(work.tx.as_mut(), &e).await?.hash;
        if hash == old_hash {
            // Nothing in the letter changed: nothing to accept anew.
            let today = work.today;
            return self.engagement_view_of(work.tx.as_mut(), actor, e, today).await;
        }
        e.version += 1;
        e.letter_hash = letter_of(work.tx.as_mut(), &e).await?.hash;
        e.state = after;
        e.accepted_hash = None;
        e.accepted_by = None;
        e.accepted_at = None;
        e.social_engineering_authorised = false;
        e.updated_at = work.now;
        work.tx.update_engagement(&e).await?;
        work.record(
            Action::EngagementChanged,
            "engagement",
            e.id,
            json!({"from": before.as_str(), "to": after.as_str(), "version": e.version, "letter_hash": e.letter_hash,
                   "starts_on": e.starts_on, "ends_on": e.ends_on, "techniques": e.techniques,
                   "scope": e.scope.iter().map(|(_, n)| n).collect::<Vec<_>>(),
                   "team": e.team.iter().map(|m| json!({"person_id": m.person_id, "role": m.role})).collect::<Vec<_>>()}),
        )
        .await?;
        let today = work.today;
        let view = self.engagement_view_of(work.tx.as_mut(), actor, e, today).await?;
        work.commit().await?;
        Ok(view)
    }

    /// The government's authorised signatory accepts the letter whose hash they were shown;
    /// social engineering in it needs `social_engineering_authorised`.
    pub async fn accept_engagement(
        &self,
        actor: &Actor,
        id: i64,
        letter_hash_seen: &str,
        social_engineering_authorised: bool,
    ) -> Result<EngagementView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut e = work.tx.engagement(id).await?.ok_or(ServiceError::NotFound("engagement"))?;
        match party(actor, &e) {
            Some(Party::Government) => {}
            Some(_) => return Err(ServiceError::Forbidden),
            None => return Err(ServiceError::NotFound("engagement")),
        }
        if !work.tx.is_signatory(actor.person_id).await? {
            return Err(ServiceError::Forbidden);
        }
        let state = e.state;
        let letter = letter_of(work.tx.as_mut(), &e).await?;
        let techniques = techniques_of(&e);
        rules::check_acceptance(
            state,
            &window_of(&e),
            work.today,
            &techniques,
            letter_hash_seen,
            &letter.hash,
            social_engineering_authorised,
        )
        .map_err(refused)?;
        let se = social_engineering_authorised && techniques.iter().any(|t| t.is_social_engineering());
        e.state = EngagementState::Authorised;
        e.letter_hash = letter.hash.clone();
        e.accepted_hash = Some(letter.hash.clone());
        e.accepted_by = Some(actor.person_id);
        e.accepted_at = Some(work.now);
        e.social_engineering_authorised = se;
        e.updated_at = work.now;
        work.tx.update_engagement(&e).await?;
        work.tx
            .insert_acceptance(&Acceptance {
                engagement_id: e.id,
                version: e.version,
                letter_hash: letter.hash.clone(),
                accepted_by: actor.person_id,
                accepted_by_name: String::new(),
                accepted_at: work.now,
                social_engineering_authorised: se,
            })
            .await?;
        work.record(
            Action::EngagementAuthorised,
            "engagement",
            e.id,
            json!({"version": e.version, "letter_hash": letter.hash, "social_engineering_authorised": se}),
        )
        .await?;
        let today = work.today;
        let view = self.engagement_view_of(work.tx.as_mut(), actor, e, today).await?;
        work.commit().await?;
        Ok(view)
    }

    /// Withdraws an engagement: the coordinator, the government, an administrator or a
    /// supervisor of the team, with a reason. Nothing may be tested after.
    pub async fn withdraw_engagement(&self, actor: &Actor, id: i64, reason: &str) -> Result<EngagementView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut e = work.tx.engagement(id).await?.ok_or(ServiceError::NotFound("engagement"))?;
        match party(actor, &e) {
            Some(Party::Team(TeamRole::Student)) => return Err(ServiceError::Forbidden),
            Some(_) => {}
            None => return Err(ServiceError::NotFound("engagement")),
        }
        let reason = text(reason, "reason", "a reason", "een reden", 2000)?;
        let state = e.state;
        rules::may_end(state).map_err(refused)?;
        e.state = EngagementState::Withdrawn;
        e.ended_reason = Some(reason.clone());
        e.updated_at = work.now;
        work.tx.update_engagement(&e).await?;
        work.record(
            Action::EngagementWithdrawn,
            "engagement",
            e.id,
            json!({"from": state.as_str(), "reason": reason}),
        )
        .await?;
        let today = work.today;
        let view = self.engagement_view_of(work.tx.as_mut(), actor, e, today).await?;
        work.commit().await?;
        Ok(view)
    }

    /// The engagement's findings: for the team, the government and the administrator.
    pub async fn engagement_findings(&self, actor: &Actor, id: i64) -> Result<Vec<StoredFinding>> {
        let (mut tx, view) = self.read_engagement(actor, id).await?;
        if !view.can_see_findings {
            return Err(ServiceError::Forbidden);
        }
        Ok(tx.engagement_findings(id).await?)
    }

    /// E8 (after E4): a team member submits a finding: only while the engagement is authorised and
    /// within its window, on an asset of its scope. It goes into the government's register,
    /// prioritised like an imported finding (with the default remediation terms: it has no
    /// programme's order).
    pub async fn submit_engagement_finding(&self, actor: &Actor, id: i64, f: TeamFinding) -> Result<StoredFinding> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let e = work.tx.engagement(id).await?.ok_or(ServiceError::NotFound("engagement"))?;
        match party(actor, &e) {
            Some(Party::Team(_)) => {}
            Some(_) => return Err(ServiceError::Forbidden),
            None => return Err(ServiceError::NotFound("engagement")),
        }
        rules::may_test(e.state, &window_of(&e), work.today).map_err(refused)?;
        let title = text(&f.title, "title", "a title", "een titel", 300)?;
        let description = text(&f.description, "description", "a description", "een beschrijving", MAX_TEXT)?;
        let Some((asset_id, asset_name)) = e.scope.iter().find(|(a, _)| *a == f.asset_id).cloned() else {
            return Err(ServiceError::invalid(
                "asset_id",
                "choose a system of the engagement's scope: nothing outside it is tested",
                "kies een systeem uit de scope van de opdracht: niets daarbuiten wordt getest",
            ));
        };
        let location = f.location.trim().to_owned();
        if location.chars().count() > 2000 {
            return Err(ServiceError::invalid(
                "location",
                "the location is longer than 2000 characters",
                "de plaats is langer dan 2000 tekens",
            ));
        }
        let long = |v: &str, field: &'static str| -> Result<Option<String>> {
            let v = v.trim();
            if v.chars().count() > MAX_TEXT {
                return Err(ServiceError::invalid(
                    field,
                    format!("{field} is longer than {MAX_TEXT} characters"),
                    format!("{field} is langer dan {MAX_TEXT} tekens"),
                ));
            }
            Ok((!v.is_empty()).then(|| v.to_owned()))
        };
        let evidence = long(&f.evidence, "evidence")?;
        let recommendation = long(&f.recommendation, "recommendation")?;
        let cvss = match f.cvss_vector.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => Some(cyberveilig_findings::score_cvss_vector(v).map_err(|why| {
                ServiceError::invalid(
                    "cvss_vector",
                    format!("not a CVSS vector: {why}"),
                    format!("geen CVSS-vector: {why}"),
                )
            })?),
        };
        let severity = match (&cvss, f.severity.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
            (Some((_, _, score)), _) => Severity::from_cvss_score(*score),
            (None, Some(word)) => Severity::parse_word(word).ok_or_else(|| {
                ServiceError::invalid(
                    "severity",
                    format!("'{word}' is not a severity (critical, high, medium, low, info)"),
                    format!("'{word}' is geen ernst (critical, high, medium, low, info)"),
                )
            })?,
            (None, None) => {
                return Err(ServiceError::invalid(
                    "severity",
                    "give a severity or a CVSS vector",
                    "geef een ernst of een CVSS-vector",
                ));
            }
        };
        let fingerprint = {
            let mut h = Sha256::new();
            h.update(
                format!(
                    "engagement|{}|{}|{}|{}",
                    e.id,
                    asset_id,
                    title.to_lowercase(),
                    location.to_lowercase()
                )
                .as_bytes(),
            );
            hex::encode(h.finalize())
        };
        if work.tx.finding_by_fingerprint(e.government_id, &fingerprint).await?.is_some() {
            return Err(ServiceError::invalid(
                "title",
                "the team already reported this finding at this place on this system",
                "het team meldde deze bevinding al op deze plaats van dit systeem",
            ));
        }
        let now = work.now;
        let url = location.contains("://").then(|| location.clone());
        let evidence = match (location.is_empty() || url.is_some(), evidence) {
            (true, ev) => ev,
            (false, Some(ev)) => Some(format!("{location}\n\n{ev}")),
            (false, None) => Some(location.clone()),
        };
        let mut finding = StoredFinding {
            id: 0,
            government_id: e.government_id,
            order_id: None,
            asset_id: Some(asset_id),
            fingerprint,
            tool: FindingTool::Engagement,
            rule_id: format!("engagement-{}", e.id),
            title,
            description: Some(description),
            severity,
            cvss_version: cvss.as_ref().map(|(v, _, _)| v.name().to_owned()),
            cvss_vector: cvss.as_ref().map(|(_, v, _)| v.clone()),
            cvss_score: cvss.as_ref().map(|(_, _, s)| *s),
            cvss_computed: cvss.is_some(),
            cwe: String::new(),
            cves: String::new(),
            port: None,
            protocol: None,
            url,
            evidence,
            recommendation,
            status: FindingStatus::Open,
            decision: None,
            due_on: None,
            first_seen: now,
            last_seen: now,
            first_import_id: None,
            last_import_id: None,
        };
        let (decision, due_on) = Priorities::new(RemediationTerms::default()).of(work.tx.as_mut(), &finding).await?;
        finding.decision = Some(decision);
        finding.due_on = Some(due_on);
        finding.id = work.tx.insert_finding(&finding).await?;
        work.tx.link_engagement_finding(e.id, finding.id, actor.person_id, now).await?;
        work.record(
            Action::FindingFromEngagement,
            "finding",
            finding.id,
            json!({"engagement_id": e.id, "asset": asset_name, "severity": finding.severity.as_str(), "decision": decision.as_str(), "due_on": due_on}),
        )
        .await?;
        work.commit().await?;
        Ok(finding)
    }

    /// Engagements per government and in total, by phase: for the administrator and VVSG.
    pub async fn engagement_figures(&self, actor: &Actor) -> Result<EngagementFigures> {
        if !matches!(actor.role, Role::ProgrammeAdmin | Role::AssociationMember) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        let today = crate::clock::brussels_date(self.clock.now());
        let mut figures = EngagementFigures::default();
        let mut per: Vec<(i64, PhaseCounts)> = Vec::new();
        for e in tx.engagements(&EngagementFilter::default()).await? {
            let phase = Phase::of(e.state, &window_of(&e), today);
            figures.total.add(phase);
            match per.iter_mut().find(|(g, _)| *g == e.government_id) {
                Some((_, c)) => c.add(phase),
                None => {
                    let mut c = PhaseCounts::default();
                    c.add(phase);
                    per.push((e.government_id, c));
                }
            }
            figures.findings += tx.engagement_findings(e.id).await?.len() as i64;
        }
        for (g, counts) in per {
            let (name, nis) = org_name(tx.as_mut(), g).await?;
            figures.governments.push((name, nis, counts));
        }
        figures.governments.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(figures)
    }

    /// Marks a government's person as its authorised signatory (or no longer): administrators.
    pub async fn set_signatory(&self, actor: &Actor, person_id: i64, signatory: bool) -> Result<()> {
        if actor.role != Role::ProgrammeAdmin {
            return Err(ServiceError::Forbidden);
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let person = work.tx.person(person_id).await?.ok_or(ServiceError::NotFound("person"))?;
        if person.role != Role::GovernmentMember {
            return Err(ServiceError::conflict(
                "not_of_a_government",
                "only a government's people sign for it",
                "enkel mensen van een bestuur tekenen voor dat bestuur",
            ));
        }
        work.tx.set_signatory(person_id, signatory, Some(actor.person_id), work.now).await?;
        work.record(
            if signatory {
                Action::PersonSignatoryDesignated
            } else {
                Action::PersonSignatoryRevoked
            },
            "person",
            person_id,
            json!({"organisation_id": person.organisation_id}),
        )
        .await?;
        work.commit().await
    }

    /// Whether a person signs for their government.
    pub async fn is_signatory(&self, person_id: i64) -> Result<bool> {
        let mut tx = self.store.read().await?;
        Ok(tx.is_signatory(person_id).await?)
    }
}
