//! VVSG's work package 3: informing and raising awareness through events (webinars, sessions on
//! location, exercises). Who gets a place and who waits, when registration is open, when
//! attendance can be recorded, when the reminder is due, and what an event must say.

use chrono::{DateTime, Duration, NaiveDate, Utc};

closed_set!(
    /// What kind of event.
    EventKind {
        Webinar = "webinar",
        /// A session on location.
        Session = "session",
        /// An exercise (a tabletop, a phishing drill).
        Exercise = "exercise",
    }
);

closed_set!(
    /// Whom an event (or a toolkit item) is for, in a local government.
    Audience {
        MayorAndCouncil = "mayor_and_council",
        GeneralDirector = "general_director",
        Ict = "ict",
        AllStaff = "all_staff",
    }
);

closed_set!(
    /// Where a registration stands.
    RegistrationState {
        /// Has a place.
        Registered = "registered",
        /// On the waiting list, in the order of arrival.
        Waiting = "waiting",
        Cancelled = "cancelled",
    }
);

/// Most places an event can have.
pub const MAX_CAPACITY: i64 = 10_000;
pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 10_000;
pub const MAX_PLACE: usize = 300;

/// Why a step on an event or a registration is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwarenessError {
    /// AW-1: the end is not after the start.
    EndsBeforeStart,
    /// AW-1: registration must close before the event starts.
    DeadlineAfterStart,
    /// AW-1: a place or an online link is needed.
    NowhereToGo,
    /// AW-1: capacity between 1 and [`MAX_CAPACITY`].
    CapacityOutOfRange,
    /// AW-1: a capacity below the places already taken.
    CapacityBelowRegistered,
    /// AW-3: the registration deadline has passed.
    RegistrationClosed,
    /// AW-3: the event was cancelled.
    EventCancelled,
    /// AW-4: the event is open to people of local governments only.
    NotForYourOrganisation,
    /// AW-3: already registered or on the waiting list.
    AlreadyRegistered,
    /// AW-5: attendance can be recorded once the event has started, for people with a place.
    AttendanceTooEarly,
    NotRegistered,
    /// An event that has started can no longer be changed or cancelled.
    EventStarted,
}

impl AwarenessError {
    /// The conflict code of a refusal that depends on the state (409), or `None` for bad input
    /// (422), with the field it concerns.
    pub fn conflict_code(self) -> Option<&'static str> {
        match self {
            Self::EndsBeforeStart | Self::DeadlineAfterStart | Self::NowhereToGo | Self::CapacityOutOfRange => None,
            Self::CapacityBelowRegistered => Some("capacity_below_registered"),
            Self::RegistrationClosed => Some("registration_closed"),
            Self::EventCancelled => Some("event_cancelled"),
            Self::NotForYourOrganisation => Some("not_for_your_organisation"),
            Self::AlreadyRegistered => Some("already_registered"),
            Self::AttendanceTooEarly => Some("attendance_too_early"),
            Self::NotRegistered => Some("not_registered"),
            Self::EventStarted => Some("event_started"),
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            Self::EndsBeforeStart => "ends_at",
            Self::DeadlineAfterStart => "registration_deadline",
            Self::NowhereToGo => "place",
            Self::CapacityOutOfRange | Self::CapacityBelowRegistered => "capacity",
            _ => "event",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            Self::EndsBeforeStart => "The event must end after it starts.",
            Self::DeadlineAfterStart => "Registration must close before the event starts.",
            Self::NowhereToGo => "Give a place or an online link (https).",
            Self::CapacityOutOfRange => "The capacity is between 1 and 10,000 places.",
            Self::CapacityBelowRegistered => "More people already have a place than this capacity.",
            Self::RegistrationClosed => "Registration for this event has closed.",
            Self::EventCancelled => "This event was cancelled.",
            Self::NotForYourOrganisation => "This event is for people of local governments.",
            Self::AlreadyRegistered => "You are already registered or on the waiting list.",
            Self::AttendanceTooEarly => "Attendance can be recorded once the event has started.",
            Self::NotRegistered => "This person has no place at the event.",
            Self::EventStarted => "The event has started; it can no longer be changed.",
        }
    }

    pub fn message_nl(self) -> &'static str {
        match self {
            Self::EndsBeforeStart => "Het evenement moet eindigen na het begin.",
            Self::DeadlineAfterStart => "De inschrijvingen moeten sluiten voor het evenement begint.",
            Self::NowhereToGo => "Geef een plaats of een onlinelink (https).",
            Self::CapacityOutOfRange => "De capaciteit ligt tussen 1 en 10.000 plaatsen.",
            Self::CapacityBelowRegistered => "Er hebben al meer mensen een plaats dan deze capaciteit.",
            Self::RegistrationClosed => "De inschrijvingen voor dit evenement zijn gesloten.",
            Self::EventCancelled => "Dit evenement is geannuleerd.",
            Self::NotForYourOrganisation => "Dit evenement is voor mensen van lokale besturen.",
            Self::AlreadyRegistered => "U bent al ingeschreven of staat op de wachtlijst.",
            Self::AttendanceTooEarly => "De aanwezigheid kan pas worden genoteerd als het evenement begonnen is.",
            Self::NotRegistered => "Deze persoon heeft geen plaats op het evenement.",
            Self::EventStarted => "Het evenement is begonnen en kan niet meer worden gewijzigd.",
        }
    }
}

/// When and for how many, as the organiser gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_deadline: DateTime<Utc>,
    pub capacity: i64,
}

/// AW-1: an event ends after it starts, registration closes no later than the start, it has a
/// place or a link, and between 1 and [`MAX_CAPACITY`] places, never fewer than already taken.
pub fn check_schedule(schedule: &Schedule, has_place_or_link: bool, registered: i64) -> Result<(), AwarenessError> {
    if schedule.ends_at <= schedule.starts_at {
        return Err(AwarenessError::EndsBeforeStart);
    }
    if schedule.registration_deadline > schedule.starts_at {
        return Err(AwarenessError::DeadlineAfterStart);
    }
    if !has_place_or_link {
        return Err(AwarenessError::NowhereToGo);
    }
    if !(1..=MAX_CAPACITY).contains(&schedule.capacity) {
        return Err(AwarenessError::CapacityOutOfRange);
    }
    if schedule.capacity < registered {
        return Err(AwarenessError::CapacityBelowRegistered);
    }
    Ok(())
}

/// AW-2: a new registration gets a place while places are left, else joins the waiting list.
pub fn placement(capacity: i64, registered: i64) -> RegistrationState {
    if registered < capacity {
        RegistrationState::Registered
    } else {
        RegistrationState::Waiting
    }
}

/// AW-2: how many of the waiting list move up (first come, first served) when places free up or
/// the capacity grows.
pub fn to_promote(capacity: i64, registered: i64, waiting: i64) -> i64 {
    (capacity - registered).clamp(0, waiting.max(0))
}

/// AW-3: registering (or joining the waiting list) is possible until the deadline, on an event
/// that is not cancelled; AW-4: people of local governments always, others when the event is
/// open to them.
pub fn may_register(
    now: DateTime<Utc>,
    deadline: DateTime<Utc>,
    cancelled: bool,
    local_government: bool,
    open_to_others: bool,
) -> Result<(), AwarenessError> {
    if cancelled {
        return Err(AwarenessError::EventCancelled);
    }
    if now > deadline {
        return Err(AwarenessError::RegistrationClosed);
    }
    if !local_government && !open_to_others {
        return Err(AwarenessError::NotForYourOrganisation);
    }
    Ok(())
}

/// AW-5: attendance is recorded from the start of the event, for people with a place.
pub fn may_record_attendance(now: DateTime<Utc>, starts_at: DateTime<Utc>, state: RegistrationState) -> Result<(), AwarenessError> {
    if now < starts_at {
        return Err(AwarenessError::AttendanceTooEarly);
    }
    if state != RegistrationState::Registered {
        return Err(AwarenessError::NotRegistered);
    }
    Ok(())
}

/// An event can be changed or cancelled until it starts.
pub fn may_change(now: DateTime<Utc>, starts_at: DateTime<Utc>, cancelled: bool) -> Result<(), AwarenessError> {
    if cancelled {
        return Err(AwarenessError::EventCancelled);
    }
    if now >= starts_at {
        return Err(AwarenessError::EventStarted);
    }
    Ok(())
}

/// AW-6: the reminder goes out the day before (in Brussels), or at once for a registration made
/// later than that but before the start; never after the start.
pub fn reminder_due(today: NaiveDate, now: DateTime<Utc>, event_day: NaiveDate, starts_at: DateTime<Utc>) -> bool {
    now < starts_at && today >= event_day - Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2021, 6, day, hour, 0, 0).single().unwrap()
    }

    fn schedule(capacity: i64) -> Schedule {
        Schedule {
            starts_at: at(20, 8),
            ends_at: at(20, 10),
            registration_deadline: at(18, 22),
            capacity,
        }
    }

    #[test]
    fn a_schedule_must_hold_together() {
        assert_eq!(check_schedule(&schedule(10), true, 0), Ok(()));
        let backwards = Schedule {
            ends_at: at(20, 8),
            ..schedule(10)
        };
        assert_eq!(check_schedule(&backwards, true, 0), Err(AwarenessError::EndsBeforeStart));
        let late = Schedule {
            registration_deadline: at(20, 9),
            ..schedule(10)
        };
        assert_eq!(check_schedule(&late, true, 0), Err(AwarenessError::DeadlineAfterStart));
        assert_eq!(check_schedule(&schedule(10), false, 0), Err(AwarenessError::NowhereToGo));
        assert_eq!(check_schedule(&schedule(0), true, 0), Err(AwarenessError::CapacityOutOfRange));
        assert_eq!(check_schedule(&schedule(10_001), true, 0), Err(AwarenessError::CapacityOutOfRange));
        assert_eq!(check_schedule(&schedule(5), true, 6), Err(AwarenessError::CapacityBelowRegistered));
    }

    #[test]
    fn registration_closes_at_the_deadline_and_is_for_local_governments() {
        let deadline = at(18, 22);
        assert_eq!(may_register(deadline, deadline, false, true, false), Ok(()));
        assert_eq!(
            may_register(deadline + Duration::seconds(1), deadline, false, true, false),
            Err(AwarenessError::RegistrationClosed)
        );
        assert_eq!(
            may_register(at(1, 8), deadline, true, true, false),
            Err(AwarenessError::EventCancelled)
        );
        assert_eq!(
            may_register(at(1, 8), deadline, false, false, false),
            Err(AwarenessError::NotForYourOrganisation)
        );
        assert_eq!(may_register(at(1, 8), deadline, false, false, true), Ok(()));
    }

    #[test]
    fn attendance_from_the_start_for_those_with_a_place() {
        assert_eq!(
            may_record_attendance(at(20, 7), at(20, 8), RegistrationState::Registered),
            Err(AwarenessError::AttendanceTooEarly)
        );
        assert_eq!(may_record_attendance(at(20, 8), at(20, 8), RegistrationState::Registered), Ok(()));
        assert_eq!(
            may_record_attendance(at(21, 8), at(20, 8), RegistrationState::Waiting),
            Err(AwarenessError::NotRegistered)
        );
    }

    #[test]
    fn the_reminder_is_due_the_day_before_and_never_after_the_start() {
        let day = NaiveDate::from_ymd_opt(2021, 6, 20).unwrap();
        let before = NaiveDate::from_ymd_opt(2021, 6, 18).unwrap();
        assert!(!reminder_due(before, at(18, 12), day, at(20, 8)));
        assert!(reminder_due(day.pred_opt().unwrap(), at(19, 6), day, at(20, 8)));
        assert!(
            reminder_due(day, at(20, 6), day, at(20, 8)),
            "a late registration is reminded at once"
        );
        assert!(!reminder_due(day, at(20, 9), day, at(20, 8)));
    }

    #[test]
    fn closed_sets_read_what_they_write() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(*kind));
        }
        for audience in Audience::ALL {
            assert_eq!(audience.as_str().parse::<Audience>(), Ok(*audience));
        }
        assert!("everyone".parse::<Audience>().is_err());
    }

    proptest! {
        /// AW-2: however registrations and cancellations arrive, no more people have a place than
        /// the capacity, nobody waits while a place is free, and the waiting list moves up in order.
        #[test]
        fn never_more_places_than_the_capacity(capacity in 1i64..20, steps in proptest::collection::vec(0u8..4, 1..200)) {
            let mut placed: Vec<u32> = Vec::new();
            let mut waiting: Vec<u32> = Vec::new();
            let mut next = 0u32;
            for step in steps {
                if step < 3 {
                    next += 1;
                    match placement(capacity, placed.len() as i64) {
                        RegistrationState::Registered => placed.push(next),
                        _ => waiting.push(next),
                    }
                } else if !placed.is_empty() {
                    placed.remove(0);
                    let n = to_promote(capacity, placed.len() as i64, waiting.len() as i64) as usize;
                    let moved: Vec<u32> = waiting.drain(..n).collect();
                    placed.extend(moved);
                }
                prop_assert!(placed.len() as i64 <= capacity);
                prop_assert!(waiting.is_empty() || placed.len() as i64 == capacity);
                prop_assert!(waiting.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }
}
