//! Vulnerability reports (issue 5, items 3 to 6): anyone reports a vulnerability in a
//! government's systems, with or without an account; the government acknowledges, triages and
//! remediates it (ISO/IEC 29147 and 30111), a valid report becomes a finding in its register and
//! follows it; reporter and government talk in a thread (VVSG joins as coordinator when invited);
//! reporters who consent are thanked once the fix is in.
//!
//! A reporter without an account follows the report through a secret link: a 256-bit random
//! token of which only the SHA-256 is stored. The tracking code is a short name for people, not a
//! secret.

pub mod attachments;
pub mod ccb;
mod finding;
mod reminders;
mod submit;
mod thread;

pub use submit::{NewFile, ReportInput, Submitted};
use submit::{clean_text, optional, parse_nis, required};

use crate::Services;
use crate::auth::{random_token, token_hash};
use crate::authz::Actor;
use crate::clock::brussels_date;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::guard;
use crate::work::{Who, Work};
use chrono::NaiveDate;
use cyberveilig_domain::registry::{EmailAddress, NisCode, Role};
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::report::{
    self, Deadlines, Overdue, Party, ReportState, ResponseTargets, ScopeEntry, Target, TargetError, TriageOutcome,
};
use cyberveilig_domain::severity::Severity;
use cyberveilig_domain::source::{FindingTool, ImportFormat};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{AttachmentInfo, Credit, NewMail, Organisation, Report, ReportFilter, ReportMessage, StoredFinding};
use serde_json::json;
use sha2::{Digest, Sha256};

pub const MAX_TEXT: usize = 20_000;
pub const MAX_TITLE: usize = 200;
pub const MAX_MESSAGE: usize = 10_000;

/// How someone reaches a report: signed in, or through the follow link's token.
#[derive(Debug, Clone, Copy)]
pub enum Access<'a> {
    Person(&'a Actor),
    Follower(&'a str),
}

/// A step in a report's handling.
#[derive(Debug, Clone, Default)]
pub struct ReportChange {
    pub state: String,
    /// Needed to triage: valid, duplicate, out_of_scope, informative, not_applicable, spam.
    pub outcome: Option<String>,
    /// For a duplicate: the report's id or tracking code it duplicates.
    pub duplicate_of: Option<String>,
    /// A coordinated disclosure date agreed with the reporter.
    pub disclose_on: Option<NaiveDate>,
    /// A note for the reporter, added to the thread.
    pub note: Option<String>,
}

/// One report as one party sees it.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub report: Report,
    pub party: Party,
    pub government: Organisation,
    pub messages: Vec<ReportMessage>,
    pub attachments: Vec<AttachmentInfo>,
    pub next_states: Vec<ReportState>,
    /// Other reports of the government on the same host, weakness and location (handlers only).
    pub possible_duplicates: Vec<Report>,
    /// The tracking code of the report this one duplicates.
    pub duplicate_of_code: Option<String>,
    pub overdue: Option<Overdue>,
    /// The remediation deadline of its finding.
    pub fix_by: Option<NaiveDate>,
    pub finding_status: Option<String>,
    pub may_make_finding: bool,
    pub may_invite_coordinator: bool,
}

/// A report in a list, with the deadline it missed.
#[derive(Debug, Clone)]
pub struct ReportSummary {
    pub report: Report,
    pub government_name: String,
    pub overdue: Option<Overdue>,
}

/// The filters of a list of reports.
#[derive(Debug, Clone, Default)]
pub struct ReportListQuery {
    pub state: Option<String>,
    pub overdue_only: bool,
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// The response targets of a government's published disclosure policy, in working days.
async fn response_targets(tx: &mut dyn Tx, government_id: i64) -> Result<ResponseTargets> {
    crate::disclosure::disclosure_targets_in(tx, government_id).await
}

/// Compares two hex digests in time independent of where they differ.
fn same_digest(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn deadlines_of(report: &Report) -> Deadlines {
    Deadlines {
        acknowledge_by: report.acknowledge_by,
        triage_by: report.triage_by,
        disclose_on: report.disclose_on,
    }
}

/// The party an actor is for a report, or `None` when the report is not theirs to see.
fn party_of(actor: &Actor, report: &Report) -> Option<Party> {
    match actor.role {
        Role::ProgrammeAdmin => Some(Party::Administrator),
        Role::GovernmentMember if actor.organisation_id == report.government_id => Some(Party::Government),
        Role::AssociationMember if report.coordinator_invited => Some(Party::Coordinator),
        _ if report.reporter_id == Some(actor.person_id) => Some(Party::Reporter),
        _ => None,
    }
}

/// The report and the party of whoever reaches it; a report they may not see is "not found",
/// as is a token that does not belong to this very report.
async fn open(tx: &mut dyn Tx, access: Access<'_>, id: i64) -> Result<(Report, Party)> {
    match access {
        Access::Follower(token) => {
            let hash = token_hash(token.trim());
            let report = tx.report_by_follow_hash(&hash).await?.ok_or(ServiceError::NotFound("report"))?;
            if report.id != id || !same_digest(&report.follow_hash, &hash) {
                return Err(ServiceError::NotFound("report"));
            }
            Ok((report, Party::Reporter))
        }
        Access::Person(actor) => {
            let report = tx.report(id).await?.ok_or(ServiceError::NotFound("report"))?;
            let party = party_of(actor, &report).ok_or(ServiceError::NotFound("report"))?;
            Ok((report, party))
        }
    }
}

fn who_of(access: Access<'_>) -> Who {
    match access {
        Access::Person(actor) => Who::Person(actor.clone()),
        Access::Follower(_) => Who::System,
    }
}

fn mail(to: &EmailAddress, subject: &str, nl: &str, en: &str) -> NewMail {
    NewMail {
        to: to.clone(),
        subject: subject.to_owned(),
        body: format!("{nl}\n\n---\n\n{en}\n\n-- \ncyberveilig\n"),
    }
}

/// Who hears of a change.
struct Notice<'a> {
    subject: String,
    nl: String,
    en: String,
    to_reporter: bool,
    to_government: bool,
    to_coordinator: bool,
    /// The person who caused it hears nothing of it.
    except: Option<i64>,
    report: &'a Report,
}

impl Services {
    fn report_link(&self, path: &str) -> String {
        format!("{}{path}", self.accounts.public_url.trim_end_matches('/'))
    }

    /// Writes a notice into the outbox: to the reporter (when they gave an address or have an
    /// account), the government's people and, once invited, VVSG's.
    async fn notify(&self, work: &mut Work, n: Notice<'_>) -> Result<()> {
        let mut to: Vec<EmailAddress> = Vec::new();
        if n.to_reporter {
            if let Some(email) = n.report.reporter_email.as_deref().and_then(|e| e.parse::<EmailAddress>().ok()) {
                to.push(email);
            } else if let Some(id) = n.report.reporter_id.filter(|id| Some(*id) != n.except)
                && let Some(person) = work.tx.person(id).await?
            {
                to.push(person.email);
            }
        }
        if n.to_government {
            for p in work.tx.people(Some(n.report.government_id)).await? {
                if p.role == Role::GovernmentMember && Some(p.id) != n.except {
                    to.push(p.email);
                }
            }
        }
        if n.to_coordinator && n.report.coordinator_invited {
            for p in work.tx.people(None).await? {
                if p.role == Role::AssociationMember && Some(p.id) != n.except {
                    to.push(p.email);
                }
            }
        }
        let mut unique: Vec<EmailAddress> = Vec::new();
        for address in to {
            if !unique.contains(&address) {
                unique.push(address);
            }
        }
        for address in unique {
            work.tx.insert_mail(&mail(&address, &n.subject, &n.nl, &n.en), work.now).await?;
        }
        Ok(())
    }

    /// The reports the actor may see, newest first: a government its own, a researcher those
    /// they made, VVSG those it coordinates, the administrator all; firms none.
    pub async fn reports(&self, actor: &Actor, q: ReportListQuery) -> Result<Vec<ReportSummary>> {
        let mut filter = ReportFilter {
            before_id: q.before_id,
            limit: q.limit.clamp(1, 500),
            ..ReportFilter::default()
        };
        if let Some(state) = q.state.as_deref().filter(|s| !s.is_empty()) {
            let state: ReportState = state.parse().map_err(|_| {
                ServiceError::invalid(
                    "state",
                    format!("'{state}' is not a state of a report"),
                    format!("'{state}' is geen stand van een melding"),
                )
            })?;
            filter.states = vec![state];
        }
        match actor.role {
            Role::ProgrammeAdmin => {}
            Role::GovernmentMember => filter.government_id = Some(actor.organisation_id),
            Role::Researcher => filter.reporter_id = Some(actor.person_id),
            Role::AssociationMember => filter.coordinator_invited = true,
            Role::FirmMember => return Ok(Vec::new()),
        }
        let today = brussels_date(self.clock.now());
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        for report in tx.reports(&filter).await? {
            let fix_by = match report.finding_id {
                Some(id) => tx.finding(id).await?.and_then(|f| f.due_on),
                None => None,
            };
            let overdue = report::overdue(report.state, &deadlines_of(&report), fix_by, today);
            if q.overdue_only && overdue.is_none() {
                continue;
            }
            let government_name = tx.organisation(report.government_id).await?.map(|o| o.name).unwrap_or_default();
            out.push(ReportSummary {
                report,
                government_name,
                overdue,
            });
        }
        Ok(out)
    }

    /// One report as the one who reaches it sees it.
    pub async fn report(&self, access: Access<'_>, id: i64) -> Result<ReportView> {
        let mut tx = self.store.read().await?;
        let (report, party) = open(tx.as_mut(), access, id).await?;
        self.view_of(tx.as_mut(), report, party).await
    }

    /// The report a follow link leads to.
    pub async fn follow_report(&self, token: &str) -> Result<ReportView> {
        let mut tx = self.store.read().await?;
        let report = tx
            .report_by_follow_hash(&token_hash(token.trim()))
            .await?
            .ok_or(ServiceError::NotFound("report"))?;
        let (report, party) = open(tx.as_mut(), Access::Follower(token), report.id).await?;
        self.view_of(tx.as_mut(), report, party).await
    }

    async fn view_of(&self, tx: &mut dyn Tx, report: Report, party: Party) -> Result<ReportView> {
        let today = brussels_date(self.clock.now());
        let state = report.state;
        let outcome = report.outcome;
        let government = tx
            .organisation(report.government_id)
            .await?
            .ok_or(ServiceError::NotFound("organisation"))?;
        let finding = match report.finding_id {
            Some(id) => tx.finding(id).await?,
            None => None,
        };
        let fix_by = finding.as_ref().and_then(|f| f.due_on);
        let handler = party != Party::Reporter;
        let possible_duplicates = if handler {
            tx.possible_duplicates(report.government_id, &report.duplicate_key, report.id)
                .await?
        } else {
            Vec::new()
        };
        let duplicate_of_code = match report.duplicate_of {
            Some(id) => tx.report(id).await?.map(|r| r.tracking_code),
            None => None,
        };
        let mut next_states = report::next_states(state, outcome, party);
        if report.finding_id.is_some() {
            // Fixed and verified follow the finding.
            next_states.retain(|s| !matches!(s, ReportState::Fixed | ReportState::Verified | ReportState::InRemediation));
        }
        let government_side = matches!(party, Party::Government | Party::Administrator);
        Ok(ReportView {
            overdue: report::overdue(state, &deadlines_of(&report), fix_by, today),
            fix_by,
            finding_status: finding.map(|f| f.status.as_str().to_owned()),
            may_make_finding: government_side
                && outcome == Some(TriageOutcome::Valid)
                && report.finding_id.is_none()
                && matches!(state, ReportState::Triaged | ReportState::InRemediation),
            may_invite_coordinator: government_side && !report.coordinator_invited && !state.is_final(),
            messages: tx.report_messages(report.id).await?,
            attachments: tx.report_attachments(report.id).await?,
            next_states,
            possible_duplicates,
            duplicate_of_code,
            government,
            party,
            report,
        })
    }

    /// A step in the report's handling, by the party allowed to take it; a note goes into the
    /// thread. The reporter and the government hear of it.
    pub async fn change_report(&self, access: Access<'_>, id: i64, change: ReportChange) -> Result<ReportView> {
        let to: ReportState = change.state.trim().parse().map_err(|_| {
            ServiceError::invalid(
                "state",
                format!("'{}' is not a state of a report", clean_text(&change.state)),
                format!("'{}' is geen stand van een melding", clean_text(&change.state)),
            )
        })?;
        let outcome = match change.outcome.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            None => None,
            Some(o) => Some(o.parse::<TriageOutcome>().map_err(|_| {
                ServiceError::invalid(
                    "outcome",
                    "the outcome is one of valid, duplicate, out_of_scope, informative, not_applicable, spam",
                    "de uitkomst is een van valid, duplicate, out_of_scope, informative, not_applicable, spam",
                )
            })?),
        };
        if to == ReportState::Triaged && outcome.is_none() {
            return Err(ServiceError::invalid(
                "outcome",
                "triage needs an outcome",
                "een beoordeling heeft een uitkomst nodig",
            ));
        }
        let note = optional("note", change.note.as_deref(), MAX_MESSAGE)?;
        let now = self.clock.now();
        let mut work = Work::begin(self.store.as_ref(), now, who_of(access)).await?;
        let (mut report, party) = open(work.tx.as_mut(), access, id).await?;
        let from = report.state;
        let effective = if to == ReportState::Triaged { outcome } else { report.outcome };
        if report.finding_id.is_some() && matches!(to, ReportState::Fixed | ReportState::Verified | ReportState::InRemediation) {
            return Err(ServiceError::conflict(
                "follows_a_finding",
                format!(
                    "this report follows finding #{}: take the step on the finding",
                    report.finding_id.unwrap_or_default()
                ),
                format!(
                    "deze melding volgt bevinding #{}: zet de stap op de bevinding",
                    report.finding_id.unwrap_or_default()
                ),
            ));
        }
        if !report::allowed(from, to, effective, party) {
            return Err(ServiceError::conflict(
                "step_not_allowed",
                format!("a report that is {} cannot become {} by you", from.as_str(), to.as_str()),
                format!("een melding die {} is, kan niet door u {} worden", from.as_str(), to.as_str()),
            ));
        }
        if to == ReportState::Triaged {
            report.outcome = effective;
            report.duplicate_of = None;
            if effective == Some(TriageOutcome::Duplicate) {
                let other = self.duplicate_target(&mut work, &report, change.duplicate_of.as_deref()).await?;
                report.duplicate_of = Some(other);
            }
            report.triaged_at = Some(now);
            report.acknowledged_at.get_or_insert(now);
        }
        match to {
            ReportState::Acknowledged => report.acknowledged_at = Some(now),
            ReportState::Fixed => report.fixed_at = Some(now),
            ReportState::Disclosed | ReportState::Closed => report.closed_at = Some(now),
            _ => {}
        }
        if let Some(date) = change.disclose_on {
            if !cyberveilig_domain::calendar::within_planning(date, report.received_on, report.received_on, 2) {
                return Err(ServiceError::invalid(
                    "disclose_on",
                    "the disclosure date lies after the report was received, within two years",
                    "de datum van bekendmaking ligt na de ontvangst van de melding, binnen twee jaar",
                ));
            }
            report.disclose_on = date;
            report.disclosure_agreed = true;
        }
        report.state = to;
        report.updated_at = now;
        work.tx.update_report(&report).await?;
        self.add_system_message(&mut work, &report, to, &note, party, access).await?;
        work.record(
            Action::ReportStateChanged,
            "report",
            report.id,
            json!({"from": from.as_str(), "to": to.as_str(), "outcome": report.outcome, "duplicate_of": report.duplicate_of,
                   "by": party.as_str(), "disclose_on": change.disclose_on}),
        )
        .await?;
        let except = match access {
            Access::Person(a) => Some(a.person_id),
            Access::Follower(_) => None,
        };
        self.state_notice(&mut work, &report, to, party != Party::Reporter, except).await?;
        let (report, party) = open(work.tx.as_mut(), access, id).await?;
        let view = self.view_of(work.tx.as_mut(), report, party).await?;
        work.commit().await?;
        Ok(view)
    }

    async fn duplicate_target(&self, work: &mut Work, report: &Report, given: Option<&str>) -> Result<i64> {
        let given = given.map(str::trim).filter(|g| !g.is_empty()).ok_or_else(|| {
            ServiceError::invalid(
                "duplicate_of",
                "name the report this one duplicates (its number or tracking code)",
                "geef de melding waarvan dit een dubbel is (nummer of volgcode)",
            )
        })?;
        let other = match given.parse::<i64>() {
            Ok(id) => work.tx.report(id).await?,
            Err(_) => {
                let code = given.to_ascii_uppercase();
                work.tx
                    .reports(&ReportFilter {
                        government_id: Some(report.government_id),
                        limit: 10_000,
                        ..ReportFilter::default()
                    })
                    .await?
                    .into_iter()
                    .find(|r| r.tracking_code == code)
            }
        };
        match other {
            Some(o) if o.government_id == report.government_id && o.id != report.id => Ok(o.id),
            _ => Err(ServiceError::invalid(
                "duplicate_of",
                "the government has no other report with this number or code",
                "het bestuur heeft geen andere melding met dit nummer of deze code",
            )),
        }
    }

    /// R5: the government (or the administrator) invites VVSG to coordinate the report: VVSG's
    /// people then see it, write in its thread and may acknowledge, triage and disclose it.
    pub async fn invite_coordinator(&self, actor: &Actor, id: i64) -> Result<ReportView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let (mut report, party) = open(work.tx.as_mut(), Access::Person(actor), id).await?;
        if !matches!(party, Party::Government | Party::Administrator) {
            return Err(ServiceError::Forbidden);
        }
        if report.coordinator_invited {
            return Err(ServiceError::conflict(
                "already_coordinated",
                "VVSG coordinates this report already",
                "VVSG coördineert deze melding al",
            ));
        }
        report.coordinator_invited = true;
        report.updated_at = work.now;
        work.tx.update_report(&report).await?;
        work.record(Action::ReportCoordinatorInvited, "report", report.id, json!({}))
            .await?;
        let code = &report.tracking_code;
        let url = self.report_link(&format!("/meldingen/{}", report.id));
        self.notify(
            &mut work,
            Notice {
                subject: format!("VVSG gevraagd als coördinator voor melding {code} / VVSG asked to coordinate report {code}"),
                nl: format!("U bent gevraagd melding {code} te coördineren:\n\n{url}"),
                en: format!("You are asked to coordinate report {code}:\n\n{url}"),
                to_reporter: false,
                to_government: false,
                to_coordinator: true,
                except: Some(actor.person_id),
                report: &report,
            },
        )
        .await?;
        let view = self.view_of(work.tx.as_mut(), report, party).await?;
        work.commit().await?;
        Ok(view)
    }

    /// Adds an attachment, checked by its content (see [`attachments::check`]).
    pub async fn add_report_attachment(
        &self,
        access: Access<'_>,
        id: i64,
        filename: &str,
        claimed_type: Option<&str>,
        content: &[u8],
    ) -> Result<AttachmentInfo> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), who_of(access)).await?;
        // Who may add to the report first: a stranger learns nothing from the file's check.
        let (report, party) = open(work.tx.as_mut(), access, id).await?;
        let kind = attachments::check(filename, claimed_type, content)?;
        if report.state.is_final() {
            return Err(ServiceError::invalid(
                "attachment",
                "this report is closed: it takes no more attachments",
                "deze melding is afgesloten: ze neemt geen bijlagen meer",
            ));
        }
        if work.tx.report_attachments(report.id).await?.len() >= attachments::MAX_ATTACHMENTS {
            return Err(ServiceError::invalid(
                "attachment",
                format!("a report has at most {} attachments", attachments::MAX_ATTACHMENTS),
                format!("een melding heeft hoogstens {} bijlagen", attachments::MAX_ATTACHMENTS),
            ));
        }
        let mut info = AttachmentInfo {
            id: 0,
            report_id: report.id,
            filename: attachments::clean_filename(filename),
            kind,
            size: content.len() as i64,
            sha256: hex::encode(Sha256::digest(content)),
            uploaded_by: party,
            at: work.now,
        };
        info.id = work.tx.insert_report_attachment(&info, content).await?;
        work.record(
            Action::ReportAttachmentAdded,
            "report",
            report.id,
            json!({"attachment_id": info.id, "kind": info.kind.as_str(), "size": info.size, "sha256": info.sha256}),
        )
        .await?;
        work.commit().await?;
        Ok(info)
    }

    /// An attachment's content, for whoever may see the report.
    pub async fn report_attachment(&self, access: Access<'_>, id: i64, attachment_id: i64) -> Result<(AttachmentInfo, Vec<u8>)> {
        let mut tx = self.store.read().await?;
        let (report, _) = open(tx.as_mut(), access, id).await?;
        tx.report_attachment(report.id, attachment_id)
            .await?
            .ok_or(ServiceError::NotFound("attachment"))
    }

    /// R6: the reporters thanked, of one government (by NIS code) or of the whole programme: only
    /// those who consented, for valid reports that were fixed.
    pub async fn acknowledgements(&self, government_nis: Option<&str>) -> Result<(Option<Organisation>, Vec<Credit>)> {
        let mut tx = self.store.read().await?;
        let government = match government_nis {
            Some(nis) => Some(
                tx.organisation_by_nis(&parse_nis(nis)?)
                    .await?
                    .filter(|o| o.kind.is_local_government())
                    .ok_or(ServiceError::NotFound("organisation"))?,
            ),
            None => None,
        };
        let credits = tx.credits(government.as_ref().map(|g| g.id)).await?;
        Ok((government, credits))
    }

    /// A local government by NIS code, for the public report form.
    pub async fn report_recipient(&self, nis: &str) -> Result<Organisation> {
        let mut tx = self.store.read().await?;
        tx.organisation_by_nis(&parse_nis(nis)?)
            .await?
            .filter(|o| o.kind.is_local_government())
            .ok_or(ServiceError::NotFound("organisation"))
    }

    /// A system of the government to show as an example on its report form: the first line of
    /// its published scope, else its first registered domain or host.
    pub async fn report_target_example(&self, government_id: i64) -> Result<Option<String>> {
        let mut tx = self.store.read().await?;
        let policy = crate::disclosure::published_content_in(tx.as_mut(), government_id).await?;
        if let Some(line) = policy
            .iter()
            .flat_map(|p| p.in_scope.iter())
            .map(|l| l.trim().trim_start_matches("*."))
            .find(|l| !l.is_empty() && !l.contains(' '))
        {
            return Ok(Some(line.to_owned()));
        }
        Ok(tx
            .assets(government_id)
            .await?
            .into_iter()
            .find(|a| a.kind.is_reportable())
            .map(|a| a.hostname.unwrap_or(a.name)))
    }
}

fn state_nl(s: ReportState) -> &'static str {
    match s {
        ReportState::Received => "ontvangen",
        ReportState::Acknowledged => "bevestigd",
        ReportState::Triaged => "beoordeeld",
        ReportState::InRemediation => "in herstel",
        ReportState::Fixed => "hersteld",
        ReportState::Verified => "herstel nagekeken",
        ReportState::Disclosed => "bekendgemaakt",
        ReportState::Closed => "afgesloten",
    }
}

/// A remediation step on a finding that came from a report moves the report along with it:
/// fixed, verified, or back in remediation when the fix did not hold. Runs inside the step's
/// transaction.
pub(crate) async fn follow_finding(work: &mut Work, finding_id: i64, status: FindingStatus) -> Result<()> {
    let Some(mut report) = work.tx.report_by_finding(finding_id).await? else {
        return Ok(());
    };
    let from = report.state;
    let to = match status {
        FindingStatus::Fixed => ReportState::Fixed,
        FindingStatus::Verified => ReportState::Verified,
        FindingStatus::Open | FindingStatus::InProgress => ReportState::InRemediation,
        FindingStatus::RiskAccepted | FindingStatus::FalsePositive | FindingStatus::Informational => return Ok(()),
    };
    if from == to || from.is_final() {
        return Ok(());
    }
    report.state = to;
    if to == ReportState::Fixed {
        report.fixed_at = Some(work.now);
    }
    report.updated_at = work.now;
    work.tx.update_report(&report).await?;
    thread::note_state_change(work, &report, to).await?;
    work.record(
        Action::ReportStateChanged,
        "report",
        report.id,
        json!({"from": from.as_str(), "to": to.as_str(), "by": "finding", "finding_id": finding_id}),
    )
    .await?;
    if let Some(email) = report.reporter_email.as_deref().and_then(|e| e.parse::<EmailAddress>().ok()) {
        let code = &report.tracking_code;
        work.tx
            .insert_mail(
                &mail(
                    &email,
                    &format!(
                        "Melding {code}: {} / Report {code}: {}",
                        state_nl(to),
                        to.as_str().replace('_', " ")
                    ),
                    &format!("Melding {code} is nu: {}.", state_nl(to)),
                    &format!("Report {code} is now: {}.", to.as_str().replace('_', " ")),
                ),
                work.now,
            )
            .await?;
    }
    Ok(())
}
