//! The steering group of VVSG's action plan (issue 13, part 4).
//!
//! Who is a member is data: a person, the organisation they represent and their role in the group
//! (chair, member, secretary); the administrators (ABB) keep it. Only the members and the
//! administrators see the group: anyone else is told it does not exist (404, ST-1). The chair,
//! the secretary and the administrators keep the records: meetings with their agenda, minutes
//! (Markdown, a draft until approved at the next meeting, then fixed), decisions numbered per
//! meeting, and action items given to members (ST-2..ST-6). An action item's owner may move it
//! too.

use crate::Services;
use crate::authz::{self, Actor, Permission};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use chrono::{DateTime, NaiveDate, Utc};
use cyberveilig_domain::steering::{self as rules, ActionStatus, MAX_DECISION, MAX_MINUTES, MinutesState, SteeringError, SteeringRole};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{SteeringActionItem, SteeringDecision, SteeringDocument, SteeringMeeting, SteeringMember};
use serde_json::json;

mod documents;
pub use documents::{MAX_DOCUMENT_BYTES, MAX_DOCUMENTS};
mod report;
pub use report::{CoFinancing, EngagementFigures, MeetingReport, ProgrammeFigures, ReportSections, report_document};

/// Most meetings on one page.
pub const PAGE: i64 = 50;

fn refused(e: SteeringError) -> ServiceError {
    match e.conflict_code() {
        Some(code) => ServiceError::conflict(code, e.message(false), e.message(true)),
        None => ServiceError::invalid(e.field().unwrap_or("input"), e.message(false), e.message(true)),
    }
}

/// The steering group is not there for whoever may not see it.
const HIDDEN: ServiceError = ServiceError::NotFound("steering group");

/// A meeting as its keepers plan it.
#[derive(Debug, Clone)]
pub struct MeetingInput {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    /// The agenda's items, in order.
    pub agenda: Vec<String>,
}

/// An action item as the group gives it.
#[derive(Debug, Clone)]
pub struct ActionInput {
    pub title: String,
    /// The member who owns it.
    pub owner_id: i64,
    pub due_on: NaiveDate,
    /// The item of the action plan it follows up, if any.
    pub plan_item_id: Option<i64>,
}

/// A meeting with everything recorded of it, and what the reader may do.
#[derive(Debug, Clone)]
pub struct MeetingView {
    pub meeting: SteeringMeeting,
    pub agenda: Vec<String>,
    pub decisions: Vec<SteeringDecision>,
    pub actions: Vec<SteeringActionItem>,
    /// The next meeting: where this one's minutes are approved.
    pub next_meeting_id: Option<i64>,
    pub may_keep_records: bool,
    /// The documents attached to it (PDFs).
    pub documents: Vec<SteeringDocument>,
}

/// The reader's role in the group, or `None`; refuses (404) whoever may not see it.
async fn viewer(tx: &mut dyn Tx, actor: &Actor) -> Result<Option<SteeringRole>> {
    let role = tx
        .steering_member_of(actor.person_id)
        .await?
        .filter(|m| m.left_at.is_none())
        .map(|m| m.role);
    if authz::can(actor, Permission::ViewSteeringGroup(role)) {
        Ok(role)
    } else {
        Err(HIDDEN)
    }
}

/// Refuses whoever may not keep the records: 404 for those who may not see the group, 403 for
/// members who only read.
async fn keeper(tx: &mut dyn Tx, actor: &Actor) -> Result<()> {
    let role = viewer(tx, actor).await?;
    if authz::can(actor, Permission::KeepSteeringRecords(role)) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

impl Services {
    /// The group's current members, chair first.
    pub async fn steering_members(&self, actor: &Actor) -> Result<Vec<SteeringMember>> {
        let mut tx = self.store.read().await?;
        viewer(tx.as_mut(), actor).await?;
        Ok(tx.steering_members().await?)
    }

    /// The administrator makes a person a member in a role, representing their organisation (or
    /// changes their role).
    pub async fn set_steering_member(&self, actor: &Actor, person_id: i64, role: SteeringRole) -> Result<SteeringMember> {
        if !authz::can(actor, Permission::ManageSteeringGroup) {
            return Err(ServiceError::Forbidden);
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let person = work.tx.person(person_id).await?.ok_or(ServiceError::NotFound("person"))?;
        let id = work
            .tx
            .save_steering_member(person.id, person.organisation_id, role, work.now)
            .await?;
        work.record(
            Action::SteeringMemberSet,
            "steering_member",
            id,
            json!({"person_id": person.id, "organisation_id": person.organisation_id, "role": role.as_str()}),
        )
        .await?;
        let member = work
            .tx
            .steering_member(id)
            .await?
            .ok_or(ServiceError::NotFound("steering member"))?;
        work.commit().await?;
        Ok(member)
    }

    /// The administrator takes a person off the group; their action items stay theirs.
    pub async fn remove_steering_member(&self, actor: &Actor, person_id: i64) -> Result<()> {
        if !authz::can(actor, Permission::ManageSteeringGroup) {
            return Err(ServiceError::Forbidden);
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let member = work
            .tx
            .steering_member_of(person_id)
            .await?
            .filter(|m| m.left_at.is_none())
            .ok_or(ServiceError::NotFound("steering member"))?;
        work.tx.remove_steering_member(person_id, work.now).await?;
        work.record(
            Action::SteeringMemberRemoved,
            "steering_member",
            member.id,
            json!({"person_id": person_id}),
        )
        .await?;
        work.commit().await
    }

    /// A page of meetings, the latest first; the page after the meeting `after_id`.
    pub async fn steering_meetings(&self, actor: &Actor, after_id: Option<i64>, limit: i64) -> Result<Vec<SteeringMeeting>> {
        let mut tx = self.store.read().await?;
        viewer(tx.as_mut(), actor).await?;
        // A cursor names the last meeting of the page before; one that names no meeting has
        // nothing after it.
        let before = match after_id {
            None => None,
            Some(id) => match tx.steering_meeting(id).await? {
                Some(m) => Some((m.starts_at, m.id)),
                None => return Ok(Vec::new()),
            },
        };
        Ok(tx.steering_meetings(before, limit.clamp(1, PAGE)).await?)
    }

    /// A meeting with its agenda, decisions and action items.
    pub async fn steering_meeting(&self, actor: &Actor, id: i64) -> Result<MeetingView> {
        let mut tx = self.store.read().await?;
        meeting_view(tx.as_mut(), actor, id).await
    }

    /// The chair, the secretary or an administrator plans a meeting with its agenda.
    pub async fn plan_steering_meeting(&self, actor: &Actor, input: MeetingInput) -> Result<MeetingView> {
        crate::fields::plausible("starts_at", input.starts_at.date_naive())?;
        let (title, place, agenda) = checked(&input)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        keeper(work.tx.as_mut(), actor).await?;
        let meeting = SteeringMeeting {
            id: 0,
            title,
            starts_at: input.starts_at,
            place,
            minutes: None,
            minutes_state: MinutesState::Draft,
            approved_at_meeting_id: None,
            approved_at: None,
            created_at: work.now,
            updated_at: work.now,
        };
        let id = work.tx.insert_steering_meeting(&meeting).await?;
        work.tx.set_steering_agenda(id, &agenda).await?;
        work.record(
            Action::SteeringMeetingPlanned,
            "steering_meeting",
            id,
            json!({"title": meeting.title, "starts_at": meeting.starts_at, "agenda_items": agenda.len()}),
        )
        .await?;
        view_after(work, actor, id).await
    }

    /// The keepers change a meeting's title, time, place and agenda while its minutes are a draft.
    pub async fn change_steering_meeting(&self, actor: &Actor, id: i64, input: MeetingInput) -> Result<MeetingView> {
        crate::fields::plausible("starts_at", input.starts_at.date_naive())?;
        let (title, place, agenda) = checked(&input)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        keeper(work.tx.as_mut(), actor).await?;
        let mut meeting = work.tx.lock_steering_meeting(id).await?.ok_or(ServiceError::NotFound("meeting"))?;
        rules::check_editable(meeting.minutes_state).map_err(refused)?;
        meeting.title = title;
        meeting.place = place;
        meeting.starts_at = input.starts_at;
        meeting.updated_at = work.now;
        work.tx.update_steering_meeting(&meeting).await?;
        work.tx.set_steering_agenda(id, &agenda).await?;
        work.record(
            Action::SteeringMeetingChanged,
            "steering_meeting",
            id,
            json!({"title": meeting.title, "starts_at": meeting.starts_at, "agenda_items": agenda.len()}),
        )
        .await?;
        view_after(work, actor, id).await
    }

    /// The keepers write (or rewrite) a meeting's minutes, in Markdown, while they are a draft.
    pub async fn write_steering_minutes(&self, actor: &Actor, id: i64, minutes: &str) -> Result<MeetingView> {
        let minutes = rules::check_text(minutes, "minutes", MAX_MINUTES).map_err(refused)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        keeper(work.tx.as_mut(), actor).await?;
        let mut meeting = work.tx.lock_steering_meeting(id).await?.ok_or(ServiceError::NotFound("meeting"))?;
        rules::check_editable(meeting.minutes_state).map_err(refused)?;
        meeting.minutes = Some(minutes);
        meeting.updated_at = work.now;
        work.tx.update_steering_meeting(&meeting).await?;
        work.record(
            Action::SteeringMinutesWritten,
            "steering_meeting",
            id,
            json!({"characters": meeting.minutes.as_deref().map(|m| m.chars().count())}),
        )
        .await?;
        view_after(work, actor, id).await
    }

    /// The keepers record that the next meeting approved a meeting's minutes (ST-3): from then on
    /// its minutes, agenda and decisions are fixed.
    pub async fn approve_steering_minutes(&self, actor: &Actor, id: i64) -> Result<MeetingView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        keeper(work.tx.as_mut(), actor).await?;
        let mut meeting = work.tx.lock_steering_meeting(id).await?.ok_or(ServiceError::NotFound("meeting"))?;
        let next = work.tx.next_steering_meeting(meeting.starts_at, meeting.id).await?;
        rules::check_approval(
            meeting.minutes_state,
            meeting.minutes.is_some(),
            next.as_ref().map(|n| n.starts_at),
            work.now,
        )
        .map_err(refused)?;
        let next = next.ok_or_else(|| refused(SteeringError::NoNextMeeting))?;
        meeting.minutes_state = MinutesState::Approved;
        meeting.approved_at_meeting_id = Some(next.id);
        meeting.approved_at = Some(work.now);
        meeting.updated_at = work.now;
        work.tx.update_steering_meeting(&meeting).await?;
        work.record(
            Action::SteeringMinutesApproved,
            "steering_meeting",
            id,
            json!({"approved_at_meeting_id": next.id}),
        )
        .await?;
        view_after(work, actor, id).await
    }

    /// The keepers record a decision of a meeting; it gets the meeting's next number (ST-4).
    pub async fn record_steering_decision(&self, actor: &Actor, id: i64, text: &str) -> Result<MeetingView> {
        let text = rules::check_text(text, "text", MAX_DECISION).map_err(refused)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        keeper(work.tx.as_mut(), actor).await?;
        let meeting = work.tx.lock_steering_meeting(id).await?.ok_or(ServiceError::NotFound("meeting"))?;
        rules::check_editable(meeting.minutes_state).map_err(refused)?;
        let numbers: Vec<i64> = work.tx.steering_decisions(id).await?.iter().map(|d| d.number).collect();
        let number = rules::next_decision_number(&numbers);
        work.tx
            .insert_steering_decision(&SteeringDecision {
                meeting_id: id,
                number,
                text,
                recorded_by: actor.person_id,
                recorded_at: work.now,
            })
            .await?;
        work.record(Action::SteeringDecisionRecorded, "steering_meeting", id, json!({"number": number}))
            .await?;
        view_after(work, actor, id).await
    }

    /// The keepers give a member an action item at a meeting.
    pub async fn give_steering_action(&self, actor: &Actor, meeting_id: i64, input: ActionInput) -> Result<SteeringActionItem> {
        crate::fields::plausible("due_on", input.due_on)?;
        let title = rules::check_line(&input.title, "title").map_err(refused)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        keeper(work.tx.as_mut(), actor).await?;
        work.tx
            .steering_meeting(meeting_id)
            .await?
            .ok_or(ServiceError::NotFound("meeting"))?;
        let owner = work
            .tx
            .steering_member(input.owner_id)
            .await?
            .filter(|m| m.left_at.is_none())
            .ok_or_else(|| {
                ServiceError::invalid(
                    "owner_id",
                    "Choose a member of the steering group.",
                    "Kies een lid van de stuurgroep.",
                )
            })?;
        if let Some(plan_item_id) = input.plan_item_id {
            work.tx.plan_item(plan_item_id).await?.ok_or_else(|| {
                ServiceError::invalid(
                    "plan_item_id",
                    "There is no such item in the action plan.",
                    "Dat punt staat niet in het actieplan.",
                )
            })?;
        }
        let mut item = SteeringActionItem {
            id: 0,
            meeting_id,
            title,
            owner_id: owner.id,
            due_on: input.due_on,
            status: ActionStatus::Open,
            plan_item_id: input.plan_item_id,
            created_at: work.now,
            updated_at: work.now,
        };
        item.id = work.tx.insert_steering_action_item(&item).await?;
        work.record(
            Action::SteeringActionGiven,
            "steering_action_item",
            item.id,
            json!({"meeting_id": meeting_id, "owner_id": owner.id, "due_on": item.due_on, "plan_item_id": item.plan_item_id}),
        )
        .await?;
        work.commit().await?;
        Ok(item)
    }

    /// The keepers or the item's owner move an action item (ST-5).
    pub async fn set_steering_action_status(&self, actor: &Actor, id: i64, status: ActionStatus) -> Result<SteeringActionItem> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let role = viewer(work.tx.as_mut(), actor).await?;
        let mut item = work
            .tx
            .steering_action_item(id)
            .await?
            .ok_or(ServiceError::NotFound("action item"))?;
        let owner = work.tx.steering_member(item.owner_id).await?;
        let owns = owner.is_some_and(|m| m.person_id == actor.person_id);
        if !owns && !authz::can(actor, Permission::KeepSteeringRecords(role)) {
            return Err(ServiceError::Forbidden);
        }
        rules::check_status_change(item.status, status).map_err(refused)?;
        let from = item.status;
        item.status = status;
        item.updated_at = work.now;
        work.tx.update_steering_action_item(&item).await?;
        work.record(
            Action::SteeringActionStatusChanged,
            "steering_action_item",
            id,
            json!({"from": from.as_str(), "to": status.as_str()}),
        )
        .await?;
        work.commit().await?;
        Ok(item)
    }

    /// Every action item of the group, in the order given: for the members and administrators.
    pub async fn steering_actions(&self, actor: &Actor) -> Result<Vec<SteeringActionItem>> {
        let mut tx = self.store.read().await?;
        viewer(tx.as_mut(), actor).await?;
        Ok(tx.steering_action_items(None).await?)
    }
}

fn checked(input: &MeetingInput) -> Result<(String, String, Vec<String>)> {
    let title = rules::check_line(&input.title, "title").map_err(refused)?;
    let place = rules::check_line(&input.place, "place").map_err(refused)?;
    let agenda = rules::check_agenda(&input.agenda).map_err(refused)?;
    Ok((title, place, agenda))
}

async fn meeting_view(tx: &mut dyn Tx, actor: &Actor, id: i64) -> Result<MeetingView> {
    let role = viewer(tx, actor).await?;
    let meeting = tx.steering_meeting(id).await?.ok_or(ServiceError::NotFound("meeting"))?;
    let next = tx.next_steering_meeting(meeting.starts_at, meeting.id).await?;
    Ok(MeetingView {
        agenda: tx.steering_agenda(id).await?,
        decisions: tx.steering_decisions(id).await?,
        actions: tx.steering_action_items(Some(id)).await?,
        next_meeting_id: next.map(|n| n.id),
        documents: tx.steering_documents(id).await?,
        may_keep_records: authz::can(actor, Permission::KeepSteeringRecords(role)),
        meeting,
    })
}

/// The meeting as it stands after the use case, read in the same transaction, then committed.
async fn view_after(mut work: Work, actor: &Actor, id: i64) -> Result<MeetingView> {
    let view = meeting_view(work.tx.as_mut(), actor, id).await?;
    work.commit().await?;
    Ok(view)
}
