//! VVSG's work package 3 (issue 13): informing and raising awareness through events.
//!
//! VVSG's people organise webinars, sessions on location and exercises; people of local
//! governments (and of other organisations when the event is open to them) register themselves.
//! Places are given in the order of arrival and never beyond the capacity, however many register
//! at once: the event's row is locked (PostgreSQL) or the one writer decides (SQLite). Whoever
//! does not get a place joins the waiting list; a cancellation moves the first of the list up
//! and mails them. Registration closes at the deadline; VVSG records attendance after the start.
//! Everyone signed in sees the events; who registered, only VVSG and the administrator.

use crate::Services;
use crate::auth::{random_token, token_hash};
use crate::authz::Actor;
use crate::clock::{brussels_date, start_of_brussels_day};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use chrono::{DateTime, Datelike, Duration, Utc};
use cyberveilig_domain::awareness::{
    self as rules, Audience, AwarenessError, EventKind, MAX_DESCRIPTION, MAX_PLACE, MAX_TITLE, RegistrationState, Schedule,
};
use cyberveilig_domain::registry::{Province, Role};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{AwarenessEvent, AwarenessEventCounts, AwarenessEventFilter, NewMail, Registrant, Registration};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod calendar;
pub use calendar::{event_calendar, person_calendar};

/// Most events on one page.
pub const PAGE: i64 = 50;

fn refused(e: AwarenessError) -> ServiceError {
    match e.conflict_code() {
        Some(code) => ServiceError::conflict(code, e.message_en(), e.message_nl()),
        None => ServiceError::invalid(e.field(), e.message_en(), e.message_nl()),
    }
}

/// An event as its organiser describes it.
#[derive(Debug, Clone)]
pub struct EventInput {
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub audience: Vec<Audience>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub capacity: i64,
    pub registration_deadline: DateTime<Utc>,
    pub open_to_others: bool,
}

/// An event as someone sees it, with what they may do.
#[derive(Debug, Clone)]
pub struct EventView {
    pub counts: AwarenessEventCounts,
    /// The actor's own registration, unless cancelled.
    pub mine: Option<Registration>,
    /// Where the actor stands on the waiting list (1 is next).
    pub waiting_position: Option<i64>,
    pub registration_open: bool,
    pub can_register: bool,
    pub can_manage: bool,
    pub can_see_registrants: bool,
    pub started: bool,
    /// The name of the person at VVSG who organises it.
    pub organiser: String,
}

impl EventView {
    pub fn event(&self) -> &AwarenessEvent {
        &self.counts.event
    }
}

/// Reach of the events (the source's question: how many governments did VVSG inform?).
#[derive(Debug, Clone, Default)]
pub struct Reach {
    pub municipalities: i64,
    /// Municipalities with someone at one event or more.
    pub reached: i64,
    pub provinces: Vec<ProvinceReach>,
    /// Per month with an event: municipalities reached by the end of it (cumulative).
    pub months: Vec<(String, i64)>,
    /// Past events, most recent first: registered, attended, organisations reached.
    pub events: Vec<AwarenessEventCounts>,
}

#[derive(Debug, Clone)]
pub struct ProvinceReach {
    pub province: Province,
    pub municipalities: i64,
    pub reached: i64,
}

fn is_organiser(actor: &Actor) -> bool {
    actor.role == Role::AssociationMember
}

fn sees_registrants(actor: &Actor) -> bool {
    matches!(actor.role, Role::AssociationMember | Role::ProgrammeAdmin)
}

/// Checks what an organiser gives, field by field, then the schedule's rules.
fn checked(mut input: EventInput, registered: i64) -> Result<EventInput> {
    input.title = crate::fields::line("title", &input.title, MAX_TITLE, true)?.unwrap_or_default();
    let description = input.description.trim();
    if description.is_empty() || description.chars().count() > MAX_DESCRIPTION || description.contains('\0') {
        return Err(ServiceError::invalid(
            "description",
            "Describe the event in at most 10,000 characters.",
            "Beschrijf het evenement in hoogstens 10.000 tekens.",
        ));
    }
    input.description = description.to_owned();
    input.place = crate::fields::line("place", input.place.as_deref().unwrap_or(""), MAX_PLACE, false)?;
    input.online_url = match input.online_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(url) => {
            let valid = url.len() <= 500
                && url
                    .strip_prefix("https://")
                    .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/') && rest.chars().all(|c| c.is_ascii_graphic()));
            if !valid {
                return Err(ServiceError::invalid(
                    "online_url",
                    "The online link is an https address.",
                    "De onlinelink is een https-adres.",
                ));
            }
            Some(url.to_owned())
        }
    };
    if input.audience.is_empty() {
        return Err(ServiceError::invalid("audience", "Choose the audience.", "Kies het doelpubliek."));
    }
    input.audience.sort_by_key(|a| Audience::ALL.iter().position(|x| x == a));
    input.audience.dedup();
    let schedule = Schedule {
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        registration_deadline: input.registration_deadline,
        capacity: input.capacity,
    };
    rules::check_schedule(&schedule, input.place.is_some() || input.online_url.is_some(), registered).map_err(refused)?;
    Ok(input)
}

async fn of_a_local_government(tx: &mut dyn Tx, actor: &Actor) -> Result<bool> {
    Ok(tx
        .organisation(actor.organisation_id)
        .await?
        .is_some_and(|organisation| organisation.kind.is_local_government()))
}

fn mail(to: &str, subject: &str, nl: &str, en: &str) -> Result<NewMail> {
    Ok(NewMail {
        to: to
            .parse()
            .map_err(|_| ServiceError::internal("stored_address", format!("a stored address does not parse: {to}")))?,
        subject: subject.to_owned(),
        body: format!("{nl}\n\n---\n\n{en}\n\n-- \ncyberveilig\n"),
    })
}

fn brussels(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Brussels).format("%d/%m/%Y %H:%M").to_string()
}

impl Services {
    fn event_link(&self, id: i64) -> String {
        format!("{}/awareness/{id}", self.accounts.public_url.trim_end_matches('/'))
    }

    async fn event_view(&self, tx: &mut dyn Tx, actor: &Actor, counts: AwarenessEventCounts, now: DateTime<Utc>) -> Result<EventView> {
        let local_government = of_a_local_government(tx, actor).await?;
        self.event_view_for(tx, actor, local_government, counts, now).await
    }

    /// The event as `actor` sees it, knowing whether the actor is of a local government (one
    /// lookup for a whole page of events).
    async fn event_view_for(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        local_government: bool,
        counts: AwarenessEventCounts,
        now: DateTime<Utc>,
    ) -> Result<EventView> {
        let event = &counts.event;
        let mine = tx
            .registration(event.id, actor.person_id)
            .await?
            .filter(|r| r.state != RegistrationState::Cancelled);
        let waiting_position = match &mine {
            Some(r) if r.state == RegistrationState::Waiting => {
                let list = tx.waiting_list(event.id, counts.waiting).await?;
                list.iter().position(|w| w.registration.id == r.id).map(|p| p as i64 + 1)
            }
            _ => None,
        };
        let organiser = tx.person(event.organiser_id).await?.map(|p| p.name).unwrap_or_default();
        let registration_open = rules::may_register(now, event.registration_deadline, event.cancelled_at.is_some(), true, true).is_ok();
        let may = rules::may_register(
            now,
            event.registration_deadline,
            event.cancelled_at.is_some(),
            local_government,
            event.open_to_others,
        );
        Ok(EventView {
            mine: mine.clone(),
            waiting_position,
            registration_open,
            can_register: may.is_ok() && mine.is_none(),
            can_manage: is_organiser(actor) && rules::may_change(now, event.starts_at, event.cancelled_at.is_some()).is_ok(),
            can_see_registrants: sees_registrants(actor),
            started: now >= event.starts_at,
            organiser,
            counts,
        })
    }

    /// A page of events: the coming ones soonest first, or the past ones most recent first; the
    /// page after the event `after_id`.
    pub async fn awareness_events(&self, actor: &Actor, past: bool, after_id: Option<i64>, limit: i64) -> Result<Vec<EventView>> {
        let now = self.clock.now();
        let mut tx = self.store.read().await?;
        // A cursor names the last event of the page before; one that names no event has nothing after it.
        let after = match after_id {
            None => None,
            Some(id) => match tx.awareness_event(id).await? {
                Some(event) => Some((event.starts_at, event.id)),
                None => return Ok(Vec::new()),
            },
        };
        let filter = AwarenessEventFilter {
            around: Some(now),
            past,
            after,
            limit: limit.clamp(1, PAGE),
        };
        let local_government = of_a_local_government(tx.as_mut(), actor).await?;
        let mut out = Vec::new();
        for counts in tx.awareness_events(&filter).await? {
            out.push(self.event_view_for(tx.as_mut(), actor, local_government, counts, now).await?);
        }
        Ok(out)
    }

    pub async fn awareness_event(&self, actor: &Actor, id: i64) -> Result<EventView> {
        let now = self.clock.now();
        let mut tx = self.store.read().await?;
        let counts = tx
            .awareness_event_counts(id)
            .await?
            .ok_or(ServiceError::NotFound("awareness event"))?;
        self.event_view(tx.as_mut(), actor, counts, now).await
    }

    /// The people registered and waiting, in the order of arrival: for VVSG and the administrator.
    pub async fn event_registrants(&self, actor: &Actor, id: i64) -> Result<Vec<Registrant>> {
        let mut tx = self.store.read().await?;
        tx.awareness_event(id).await?.ok_or(ServiceError::NotFound("awareness event"))?;
        if !sees_registrants(actor) {
            return Err(ServiceError::Forbidden);
        }
        Ok(tx.registrants(id).await?)
    }

    /// The event as it stands after the use case, read in its own transaction (which, with an
    /// Idempotency-Key, commits only with the answer), then committed.
    async fn view_after(&self, mut work: Work, actor: &Actor, id: i64) -> Result<EventView> {
        let now = work.now;
        let counts = work
            .tx
            .awareness_event_counts(id)
            .await?
            .ok_or(ServiceError::NotFound("awareness event"))?;
        let view = self.event_view(work.tx.as_mut(), actor, counts, now).await?;
        work.commit().await?;
        Ok(view)
    }

    /// VVSG organises an event.
    pub async fn create_awareness_event(&self, actor: &Actor, input: EventInput) -> Result<EventView> {
        if !is_organiser(actor) {
            return Err(ServiceError::Forbidden);
        }
        let input = checked(input, 0)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        if input.registration_deadline < work.now {
            return Err(refused(AwarenessError::RegistrationClosed));
        }
        let event = AwarenessEvent {
            id: 0,
            kind: input.kind,
            title: input.title,
            description: input.description,
            audience: input.audience,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            place: input.place,
            online_url: input.online_url,
            capacity: input.capacity,
            registration_deadline: input.registration_deadline,
            open_to_others: input.open_to_others,
            organiser_id: actor.person_id,
            cancelled_at: None,
            cancelled_reason: None,
            created_at: work.now,
            updated_at: work.now,
        };
        let id = work.tx.insert_awareness_event(&event).await?;
        work.record(
            Action::AwarenessEventCreated,
            "awareness_event",
            id,
            json!({"kind": event.kind.as_str(), "title": event.title, "starts_at": event.starts_at, "capacity": event.capacity}),
        )
        .await?;
        self.view_after(work, actor, id).await
    }

    /// VVSG changes an event before it starts; a larger capacity moves the waiting list up.
    pub async fn change_awareness_event(&self, actor: &Actor, id: i64, input: EventInput) -> Result<EventView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut event = work
            .tx
            .lock_awareness_event(id)
            .await?
            .ok_or(ServiceError::NotFound("awareness event"))?;
        if !is_organiser(actor) {
            return Err(ServiceError::Forbidden);
        }
        rules::may_change(work.now, event.starts_at, event.cancelled_at.is_some()).map_err(refused)?;
        let counts = work
            .tx
            .awareness_event_counts(id)
            .await?
            .ok_or(ServiceError::NotFound("awareness event"))?;
        let input = checked(input, counts.registered)?;
        event.kind = input.kind;
        event.title = input.title;
        event.description = input.description;
        event.audience = input.audience;
        event.starts_at = input.starts_at;
        event.ends_at = input.ends_at;
        event.place = input.place;
        event.online_url = input.online_url;
        event.capacity = input.capacity;
        event.registration_deadline = input.registration_deadline;
        event.open_to_others = input.open_to_others;
        event.updated_at = work.now;
        work.tx.update_awareness_event(&event).await?;
        work.record(
            Action::AwarenessEventChanged,
            "awareness_event",
            id,
            json!({"title": event.title, "starts_at": event.starts_at, "capacity": event.capacity}),
        )
        .await?;
        self.promote(&mut work, &event, counts.registered, counts.waiting).await?;
        self.view_after(work, actor, id).await
    }

    /// VVSG cancels an event before it starts; everyone registered or waiting is told.
    pub async fn cancel_awareness_event(&self, actor: &Actor, id: i64, reason: &str) -> Result<EventView> {
        let reason = crate::fields::line("reason", reason, 500, true)?.unwrap_or_default();
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let mut event = work
            .tx
            .lock_awareness_event(id)
            .await?
            .ok_or(ServiceError::NotFound("awareness event"))?;
        if !is_organiser(actor) {
            return Err(ServiceError::Forbidden);
        }
        rules::may_change(work.now, event.starts_at, event.cancelled_at.is_some()).map_err(refused)?;
        event.cancelled_at = Some(work.now);
        event.cancelled_reason = Some(reason.clone());
        event.updated_at = work.now;
        work.tx.update_awareness_event(&event).await?;
        for person in work.tx.registrants(id).await? {
            if person.registration.state == RegistrationState::Cancelled {
                continue;
            }
            let message = mail(
                &person.email,
                &format!("Geannuleerd / Cancelled: {}", event.title),
                &format!(
                    "Beste {},\n\n'{}' van {} gaat niet door: {reason}\n\nU hoeft niets te doen.",
                    person.name,
                    event.title,
                    brussels(event.starts_at)
                ),
                &format!(
                    "Dear {},\n\n'{}' on {} will not take place: {reason}\n\nThere is nothing you need to do.",
                    person.name,
                    event.title,
                    brussels(event.starts_at)
                ),
            )?;
            work.tx.insert_mail(&message, work.now).await?;
        }
        work.record(Action::AwarenessEventCancelled, "awareness_event", id, json!({"reason": reason}))
            .await?;
        self.view_after(work, actor, id).await
    }

    /// Moves the first of the waiting list up into the places left, mailing each.
    async fn promote(&self, work: &mut Work, event: &AwarenessEvent, registered: i64, waiting: i64) -> Result<i64> {
        let n = rules::to_promote(event.capacity, registered, waiting);
        if n == 0 {
            return Ok(0);
        }
        for person in work.tx.waiting_list(event.id, n).await? {
            let mut registration = person.registration.clone();
            registration.state = RegistrationState::Registered;
            registration.promoted_at = Some(work.now);
            work.tx.save_registration(&registration).await?;
            let message = mail(
                &person.email,
                &format!("U hebt een plaats / You have a place: {}", event.title),
                &format!(
                    "Beste {},\n\nEr is een plaats vrijgekomen: u bent ingeschreven voor '{}' op {}.\n{}\n\nKunt u niet komen? Schrijf u dan uit, zodat de volgende op de wachtlijst uw plaats krijgt.",
                    person.name,
                    event.title,
                    brussels(event.starts_at),
                    self.event_link(event.id)
                ),
                &format!(
                    "Dear {},\n\nA place came free: you are registered for '{}' on {} (Brussels time).\n{}\n\nIf you cannot come, please cancel, so the next on the waiting list gets your place.",
                    person.name,
                    event.title,
                    brussels(event.starts_at),
                    self.event_link(event.id)
                ),
            )?;
            work.tx.insert_mail(&message, work.now).await?;
            work.record(
                Action::AwarenessRegistrationPromoted,
                "awareness_event",
                event.id,
                json!({"person_id": registration.person_id, "position": registration.position}),
            )
            .await?;
        }
        Ok(n)
    }

    /// Registers the actor: a place while places are left, else the waiting list.
    pub async fn register_for_event(&self, actor: &Actor, id: i64) -> Result<EventView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        // The lock makes every server decide this event's registrations one at a time.
        let event = work
            .tx
            .lock_awareness_event(id)
            .await?
            .ok_or(ServiceError::NotFound("awareness event"))?;
        let organisation = work
            .tx
            .organisation(actor.organisation_id)
            .await?
            .ok_or(ServiceError::NotFound("organisation"))?;
        rules::may_register(
            work.now,
            event.registration_deadline,
            event.cancelled_at.is_some(),
            organisation.kind.is_local_government(),
            event.open_to_others,
        )
        .map_err(refused)?;
        let existing = work.tx.registration(id, actor.person_id).await?;
        if existing.as_ref().is_some_and(|r| r.state != RegistrationState::Cancelled) {
            return Err(refused(AwarenessError::AlreadyRegistered));
        }
        let counts = work
            .tx
            .awareness_event_counts(id)
            .await?
            .ok_or(ServiceError::NotFound("awareness event"))?;
        // Someone waiting keeps their turn: a newcomer waits too while the list is not empty.
        let state = if counts.waiting > 0 {
            RegistrationState::Waiting
        } else {
            rules::placement(event.capacity, counts.registered)
        };
        let registration = Registration {
            id: existing.map(|r| r.id).unwrap_or(0),
            event_id: id,
            person_id: actor.person_id,
            organisation_id: actor.organisation_id,
            state,
            position: work.tx.next_registration_position(id).await?,
            registered_at: work.now,
            promoted_at: None,
            cancelled_at: None,
            attended: None,
            reminded_at: None,
        };
        work.tx.save_registration(&registration).await?;
        work.record(
            Action::AwarenessRegistered,
            "awareness_event",
            id,
            json!({"person_id": actor.person_id, "organisation_id": actor.organisation_id, "state": state.as_str()}),
        )
        .await?;
        self.view_after(work, actor, id).await
    }

    /// The actor cancels their registration; a freed place goes to the first who waits.
    pub async fn cancel_registration(&self, actor: &Actor, id: i64) -> Result<EventView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let event = work
            .tx
            .lock_awareness_event(id)
            .await?
            .ok_or(ServiceError::NotFound("awareness event"))?;
        let mut registration = work
            .tx
            .registration(id, actor.person_id)
            .await?
            .filter(|r| r.state != RegistrationState::Cancelled)
            .ok_or_else(|| refused(AwarenessError::NotRegistered))?;
        if work.now >= event.starts_at {
            return Err(refused(AwarenessError::EventStarted));
        }
        let had_place = registration.state == RegistrationState::Registered;
        registration.state = RegistrationState::Cancelled;
        registration.cancelled_at = Some(work.now);
        work.tx.save_registration(&registration).await?;
        work.record(
            Action::AwarenessRegistrationCancelled,
            "awareness_event",
            id,
            json!({"person_id": actor.person_id}),
        )
        .await?;
        if had_place && event.cancelled_at.is_none() {
            let counts = work
                .tx
                .awareness_event_counts(id)
                .await?
                .ok_or(ServiceError::NotFound("awareness event"))?;
            self.promote(&mut work, &event, counts.registered, counts.waiting).await?;
        }
        self.view_after(work, actor, id).await
    }

    /// VVSG records who attended, once the event has started: (person, attended) pairs.
    pub async fn record_attendance(&self, actor: &Actor, id: i64, attendance: &[(i64, bool)]) -> Result<EventView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let event = work
            .tx
            .lock_awareness_event(id)
            .await?
            .ok_or(ServiceError::NotFound("awareness event"))?;
        if !is_organiser(actor) {
            return Err(ServiceError::Forbidden);
        }
        if event.cancelled_at.is_some() {
            return Err(refused(AwarenessError::EventCancelled));
        }
        for (person_id, attended) in attendance {
            let Some(mut registration) = work.tx.registration(id, *person_id).await? else {
                return Err(refused(AwarenessError::NotRegistered));
            };
            rules::may_record_attendance(work.now, event.starts_at, registration.state).map_err(refused)?;
            registration.attended = Some(*attended);
            work.tx.save_registration(&registration).await?;
        }
        work.record(
            Action::AwarenessAttendanceRecorded,
            "awareness_event",
            id,
            json!({"attended": attendance.iter().filter(|(_, a)| *a).count(), "absent": attendance.iter().filter(|(_, a)| !*a).count()}),
        )
        .await?;
        self.view_after(work, actor, id).await
    }

    /// Mails the reminder to everyone with a place, the day before (AW-6); each once, however many
    /// servers run the job. Returns how many went out.
    pub async fn send_event_reminders(&self) -> Result<usize> {
        let now = self.clock.now();
        let today = brussels_date(now);
        // Events starting from now to the end of tomorrow (Brussels) are due their reminder.
        let until = start_of_brussels_day(today + Duration::days(2));
        let due = {
            let mut tx = self.store.read().await?;
            tx.reminders_due(now, until, 500).await?
        };
        let mut sent = 0;
        for person in due {
            let mut work = Work::begin(self.store.as_ref(), now, Who::System).await?;
            let Some(event) = work.tx.awareness_event(person.registration.event_id).await? else {
                continue;
            };
            let event_day = brussels_date(event.starts_at);
            if !rules::reminder_due(today, now, event_day, event.starts_at) {
                continue;
            }
            if !work.tx.mark_reminded(person.registration.id, now).await? {
                continue;
            }
            let place = event.place.clone().or(event.online_url.clone()).unwrap_or_default();
            let message = mail(
                &person.email,
                &format!("Herinnering / Reminder: {}", event.title),
                &format!(
                    "Beste {},\n\nTot morgen: '{}' begint op {} ({place}).\n{}\n\nKunt u niet komen? Schrijf u uit, dan krijgt iemand op de wachtlijst uw plaats.",
                    person.name,
                    event.title,
                    brussels(event.starts_at),
                    self.event_link(event.id)
                ),
                &format!(
                    "Dear {},\n\nSee you tomorrow: '{}' starts on {} Brussels time ({place}).\n{}\n\nIf you cannot come, please cancel, so someone on the waiting list gets your place.",
                    person.name,
                    event.title,
                    brussels(event.starts_at),
                    self.event_link(event.id)
                ),
            )?;
            work.tx.insert_mail(&message, now).await?;
            work.record(
                Action::AwarenessReminderSent,
                "awareness_event",
                event.id,
                json!({"person_id": person.registration.person_id}),
            )
            .await?;
            work.commit().await?;
            sent += 1;
        }
        Ok(sent)
    }

    /// Makes (or renews) the actor's calendar feed; the token is shown this once.
    pub async fn create_calendar_feed(&self, actor: &Actor) -> Result<String> {
        let token = random_token("cal");
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        work.tx.set_calendar_feed(actor.person_id, &token_hash(&token), work.now).await?;
        work.record(Action::CalendarFeedCreated, "person", actor.person_id, json!({}))
            .await?;
        work.commit().await?;
        Ok(token)
    }

    /// Stops the actor's calendar feed: its address no longer answers.
    pub async fn revoke_calendar_feed(&self, actor: &Actor) -> Result<bool> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let removed = work.tx.remove_calendar_feed(actor.person_id).await?;
        if removed {
            work.record(Action::CalendarFeedRevoked, "person", actor.person_id, json!({}))
                .await?;
        }
        work.commit().await?;
        Ok(removed)
    }

    pub async fn has_calendar_feed(&self, actor: &Actor) -> Result<bool> {
        Ok(self.store.read().await?.has_calendar_feed(actor.person_id).await?)
    }

    /// One event as iCalendar, for anyone signed in.
    pub async fn event_ics(&self, id: i64) -> Result<String> {
        let mut tx = self.store.read().await?;
        let event = tx.awareness_event(id).await?.ok_or(ServiceError::NotFound("awareness event"))?;
        Ok(event_calendar(&event, &self.event_link(id), self.clock.now()))
    }

    /// The events of the person whose feed token this is, as iCalendar; an unknown token is 404.
    pub async fn calendar_feed(&self, token: &str) -> Result<String> {
        let mut tx = self.store.read().await?;
        let person_id = tx
            .calendar_feed_person(&token_hash(token))
            .await?
            .ok_or(ServiceError::NotFound("calendar feed"))?;
        let events: Vec<(AwarenessEvent, String)> = tx
            .person_registrations(person_id)
            .await?
            .into_iter()
            .filter(|(registration, _)| registration.state == RegistrationState::Registered)
            .map(|(_, event)| {
                let link = self.event_link(event.id);
                (event, link)
            })
            .collect();
        Ok(person_calendar(&events, self.clock.now()))
    }

    /// The actor's own registrations (not cancelled), soonest first.
    pub async fn my_registrations(&self, actor: &Actor) -> Result<Vec<(Registration, AwarenessEvent)>> {
        Ok(self.store.read().await?.person_registrations(actor.person_id).await?)
    }

    /// The share of the municipalities that attended at least one event, per province and over
    /// time, and each past event's figures: for VVSG and the administrator.
    pub async fn awareness_reach(&self, actor: &Actor) -> Result<Reach> {
        if !sees_registrants(actor) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        reach_of(tx.as_mut(), self.clock.now()).await
    }
}

/// The events' reach as the database holds it at `now` (AW-7); the steering group's report uses it too.
pub(crate) async fn reach_of(tx: &mut dyn Tx, now: DateTime<Utc>) -> Result<Reach> {
    let mut per_province: BTreeMap<Province, (i64, BTreeSet<i64>)> = Province::ALL.iter().map(|p| (*p, (0, BTreeSet::new()))).collect();
    let mut province_of: HashMap<i64, Province> = HashMap::new();
    let list = crate::registry::municipalities(tx).await?;
    let municipalities = list.len() as i64;
    for m in list {
        per_province.entry(m.province).or_default().0 += 1;
        province_of.insert(m.id, m.province);
    }
    let mut reached: BTreeSet<i64> = BTreeSet::new();
    let mut months: Vec<(String, i64)> = Vec::new();
    for attendance in tx.attendances().await? {
        if !attendance.is_municipality {
            continue;
        }
        reached.insert(attendance.organisation_id);
        if let Some(province) = province_of.get(&attendance.organisation_id) {
            per_province.entry(*province).or_default().1.insert(attendance.organisation_id);
        }
        let local = attendance.starts_at.with_timezone(&chrono_tz::Europe::Brussels);
        let month = format!("{:04}-{:02}", local.year(), local.month());
        match months.last_mut() {
            Some((last, count)) if *last == month => *count = reached.len() as i64,
            _ => months.push((month, reached.len() as i64)),
        }
    }
    let events = tx
        .awareness_events(&AwarenessEventFilter {
            around: Some(now),
            past: true,
            after: None,
            limit: 500,
        })
        .await?;
    Ok(Reach {
        municipalities,
        reached: reached.len() as i64,
        provinces: per_province
            .into_iter()
            .map(|(province, (total, reached))| ProvinceReach {
                province,
                municipalities: total,
                reached: reached.len() as i64,
            })
            .collect(),
        months,
        events,
    })
}
