//! The steering group of VVSG's action plan (issue 13, part 4): its members and their role in
//! the group, its meetings' minutes (draft until approved at the next meeting, then fixed), its
//! decisions numbered per meeting, and its action items (open, done or dropped). Rules ST-1 to
//! ST-6 in docs/RULES.md.

use std::fmt;
use std::str::FromStr;

/// A member's role in the steering group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SteeringRole {
    Chair,
    Member,
    Secretary,
}

impl SteeringRole {
    pub const ALL: [SteeringRole; 3] = [SteeringRole::Chair, SteeringRole::Member, SteeringRole::Secretary];

    pub fn as_str(self) -> &'static str {
        match self {
            SteeringRole::Chair => "chair",
            SteeringRole::Member => "member",
            SteeringRole::Secretary => "secretary",
        }
    }

    pub fn label(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (SteeringRole::Chair, true) => "voorzitter",
            (SteeringRole::Chair, false) => "chair",
            (SteeringRole::Member, true) => "lid",
            (SteeringRole::Member, false) => "member",
            (SteeringRole::Secretary, true) => "secretaris",
            (SteeringRole::Secretary, false) => "secretary",
        }
    }

    /// ST-2: the chair and the secretary keep the group's records (agenda, minutes, decisions,
    /// action items); the other members read them.
    pub fn keeps_records(self) -> bool {
        matches!(self, SteeringRole::Chair | SteeringRole::Secretary)
    }
}

impl fmt::Display for SteeringRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SteeringRole {
    type Err = SteeringError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        SteeringRole::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or(SteeringError::UnknownRole)
    }
}

/// Where a meeting's minutes stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MinutesState {
    Draft,
    Approved,
}

impl MinutesState {
    pub fn as_str(self) -> &'static str {
        match self {
            MinutesState::Draft => "draft",
            MinutesState::Approved => "approved",
        }
    }

    pub fn label(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (MinutesState::Draft, true) => "ontwerp",
            (MinutesState::Draft, false) => "draft",
            (MinutesState::Approved, true) => "goedgekeurd",
            (MinutesState::Approved, false) => "approved",
        }
    }
}

impl FromStr for MinutesState {
    type Err = SteeringError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "draft" => Ok(MinutesState::Draft),
            "approved" => Ok(MinutesState::Approved),
            _ => Err(SteeringError::UnknownState),
        }
    }
}

/// Where an action item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionStatus {
    Open,
    Done,
    Dropped,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 3] = [ActionStatus::Open, ActionStatus::Done, ActionStatus::Dropped];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::Done => "done",
            ActionStatus::Dropped => "dropped",
        }
    }

    pub fn label(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (ActionStatus::Open, true) => "open",
            (ActionStatus::Open, false) => "open",
            (ActionStatus::Done, true) => "afgerond",
            (ActionStatus::Done, false) => "done",
            (ActionStatus::Dropped, true) => "geschrapt",
            (ActionStatus::Dropped, false) => "dropped",
        }
    }

    /// ST-5: an open item becomes done or dropped; a done or dropped item may be opened again;
    /// nothing moves to where it is.
    pub fn may_become(self, to: ActionStatus) -> bool {
        match self {
            ActionStatus::Open => to != ActionStatus::Open,
            ActionStatus::Done | ActionStatus::Dropped => to == ActionStatus::Open,
        }
    }

    /// An open item past its due date is overdue on `today`.
    pub fn is_overdue(self, due_on: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
        self == ActionStatus::Open && due_on < today
    }
}

impl FromStr for ActionStatus {
    type Err = SteeringError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ActionStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or(SteeringError::UnknownStatus)
    }
}

/// The longest title (a meeting, an agenda item, an action item) and place.
pub const MAX_TITLE: usize = 200;
/// The longest decision.
pub const MAX_DECISION: usize = 4_000;
/// The longest minutes (Markdown).
pub const MAX_MINUTES: usize = 20_000;
/// Most items on one agenda.
pub const MAX_AGENDA: usize = 40;

/// Why the steering group's rules refuse something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SteeringError {
    #[error("unknown role in the steering group")]
    UnknownRole,
    #[error("unknown state of minutes")]
    UnknownState,
    #[error("unknown status of an action item")]
    UnknownStatus,
    #[error("the text is empty")]
    Empty(&'static str),
    #[error("the text is too long")]
    TooLong(&'static str, usize),
    #[error("the text must be one line of visible characters")]
    NotOneLine(&'static str),
    #[error("too many agenda items")]
    AgendaTooLong,
    #[error("the minutes are approved and cannot change")]
    MinutesApproved,
    #[error("there are no minutes to approve")]
    NoMinutes,
    #[error("minutes are approved at the next meeting, once it is held")]
    NoNextMeeting,
    #[error("the action item cannot move to that status")]
    StatusUnchanged(ActionStatus, ActionStatus),
}

impl SteeringError {
    /// The field a refused request names, or `None` when the refusal is a conflict with where
    /// things stand.
    pub fn field(self) -> Option<&'static str> {
        match self {
            SteeringError::UnknownRole => Some("role"),
            SteeringError::UnknownState => Some("state"),
            SteeringError::UnknownStatus => Some("status"),
            SteeringError::Empty(f) | SteeringError::TooLong(f, _) | SteeringError::NotOneLine(f) => Some(f),
            SteeringError::AgendaTooLong => Some("agenda"),
            _ => None,
        }
    }

    /// The stable code of a conflict with where things stand.
    pub fn conflict_code(self) -> Option<&'static str> {
        match self {
            SteeringError::MinutesApproved => Some("minutes_approved"),
            SteeringError::NoMinutes => Some("minutes_empty"),
            SteeringError::NoNextMeeting => Some("minutes_not_yet_approvable"),
            SteeringError::StatusUnchanged(..) => Some("action_status"),
            _ => None,
        }
    }

    pub fn message(self, dutch: bool) -> String {
        match (self, dutch) {
            (SteeringError::UnknownRole, true) => "Kies een rol: voorzitter, lid of secretaris.".into(),
            (SteeringError::UnknownRole, false) => "Choose a role: chair, member or secretary.".into(),
            (SteeringError::UnknownState, true) => "Onbekende stand van de notulen.".into(),
            (SteeringError::UnknownState, false) => "Unknown state of the minutes.".into(),
            (SteeringError::UnknownStatus, true) => "Kies een status: open, afgerond of geschrapt.".into(),
            (SteeringError::UnknownStatus, false) => "Choose a status: open, done or dropped.".into(),
            (SteeringError::Empty(_), true) => "Vul dit veld in.".into(),
            (SteeringError::Empty(_), false) => "Fill in this field.".into(),
            (SteeringError::TooLong(_, max), true) => format!("Hoogstens {max} tekens."),
            (SteeringError::TooLong(_, max), false) => format!("At most {max} characters."),
            (SteeringError::NotOneLine(_), true) => "Eén regel zichtbare tekens, zonder regeleinden of onzichtbare tekens.".into(),
            (SteeringError::NotOneLine(_), false) => "One line of visible characters, without line breaks or hidden characters.".into(),
            (SteeringError::AgendaTooLong, true) => format!("Een agenda heeft hoogstens {MAX_AGENDA} punten."),
            (SteeringError::AgendaTooLong, false) => format!("An agenda has at most {MAX_AGENDA} items."),
            (SteeringError::MinutesApproved, true) => {
                "De notulen van deze vergadering zijn goedgekeurd: ze liggen vast, net als de agenda en de beslissingen.".into()
            }
            (SteeringError::MinutesApproved, false) => {
                "This meeting's minutes are approved: they are fixed, and so are its agenda and decisions.".into()
            }
            (SteeringError::NoMinutes, true) => "Er zijn nog geen notulen om goed te keuren.".into(),
            (SteeringError::NoMinutes, false) => "There are no minutes to approve yet.".into(),
            (SteeringError::NoNextMeeting, true) => "Notulen worden goedgekeurd op de volgende vergadering, zodra die plaatsvindt.".into(),
            (SteeringError::NoNextMeeting, false) => "Minutes are approved at the next meeting, once it takes place.".into(),
            (SteeringError::StatusUnchanged(from, to), true) => {
                format!("Een actiepunt dat {} is, kan niet {} worden.", from.label(true), to.label(true))
            }
            (SteeringError::StatusUnchanged(from, to), false) => {
                format!("An action item that is {} cannot become {}.", from.label(false), to.label(false))
            }
        }
    }
}

/// ST-6: a title or place: one line of visible characters, not empty, at most [`MAX_TITLE`].
/// Returns it trimmed.
pub fn check_line(text: &str, field: &'static str) -> Result<String, SteeringError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SteeringError::Empty(field));
    }
    if text.chars().count() > MAX_TITLE {
        return Err(SteeringError::TooLong(field, MAX_TITLE));
    }
    if !crate::text::is_plain_line(text) {
        return Err(SteeringError::NotOneLine(field));
    }
    Ok(text.to_owned())
}

/// ST-6: a longer text (a decision, minutes): not empty, at most `max` characters, without
/// hidden characters. Returns it trimmed.
pub fn check_text(text: &str, field: &'static str, max: usize) -> Result<String, SteeringError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SteeringError::Empty(field));
    }
    if text.chars().count() > max {
        return Err(SteeringError::TooLong(field, max));
    }
    if text
        .chars()
        .any(|c| crate::text::is_hidden(c) || (c.is_control() && c != '\n' && c != '\r' && c != '\t'))
    {
        return Err(SteeringError::NotOneLine(field));
    }
    Ok(text.to_owned())
}

/// ST-2: a meeting's agenda, minutes and decisions change only while its minutes are a draft.
pub fn check_editable(minutes: MinutesState) -> Result<(), SteeringError> {
    match minutes {
        MinutesState::Draft => Ok(()),
        MinutesState::Approved => Err(SteeringError::MinutesApproved),
    }
}

/// ST-3: a meeting's minutes are approved at the next meeting (the first one after it), once
/// that meeting has begun (`next_starts <= now`), and only when there are minutes. Gives back
/// nothing on success: the caller records the next meeting as where they were approved.
pub fn check_approval<T: PartialOrd>(state: MinutesState, has_minutes: bool, next_starts: Option<T>, now: T) -> Result<(), SteeringError> {
    check_editable(state)?;
    if !has_minutes {
        return Err(SteeringError::NoMinutes);
    }
    match next_starts {
        Some(starts) if starts <= now => Ok(()),
        _ => Err(SteeringError::NoNextMeeting),
    }
}

/// ST-4: decisions are numbered per meeting, 1, 2, 3 ...: the next number follows the highest.
pub fn next_decision_number(existing: &[i64]) -> i64 {
    existing.iter().copied().max().unwrap_or(0).max(0) + 1
}

/// ST-5: an action item's move from `from` to `to`.
pub fn check_status_change(from: ActionStatus, to: ActionStatus) -> Result<(), SteeringError> {
    if from.may_become(to) {
        Ok(())
    } else {
        Err(SteeringError::StatusUnchanged(from, to))
    }
}

/// ST-6: an agenda: one to [`MAX_AGENDA`] items, each a line; trimmed, blank lines left out.
pub fn check_agenda(items: &[String]) -> Result<Vec<String>, SteeringError> {
    let items: Vec<&String> = items.iter().filter(|i| !i.trim().is_empty()).collect();
    if items.len() > MAX_AGENDA {
        return Err(SteeringError::AgendaTooLong);
    }
    items.into_iter().map(|i| check_line(i, "agenda")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn roles_and_states_read_back() {
        for r in SteeringRole::ALL {
            assert_eq!(r.as_str().parse::<SteeringRole>(), Ok(r));
        }
        for s in ActionStatus::ALL {
            assert_eq!(s.as_str().parse::<ActionStatus>(), Ok(s));
        }
        assert_eq!("approved".parse::<MinutesState>(), Ok(MinutesState::Approved));
        assert_eq!("boss".parse::<SteeringRole>(), Err(SteeringError::UnknownRole));
        assert!(SteeringRole::Chair.keeps_records() && SteeringRole::Secretary.keeps_records());
        assert!(!SteeringRole::Member.keeps_records());
    }

    #[test]
    fn approved_minutes_are_fixed() {
        assert_eq!(check_editable(MinutesState::Draft), Ok(()));
        assert_eq!(check_editable(MinutesState::Approved), Err(SteeringError::MinutesApproved));
    }

    #[test]
    fn minutes_are_approved_at_the_next_meeting_once_it_is_held() {
        use MinutesState::*;
        assert_eq!(check_approval(Draft, true, Some(5), 5), Ok(()));
        assert_eq!(check_approval(Draft, true, Some(5), 9), Ok(()));
        assert_eq!(check_approval(Draft, true, Some(6), 5), Err(SteeringError::NoNextMeeting));
        assert_eq!(check_approval(Draft, true, None, 5), Err(SteeringError::NoNextMeeting));
        assert_eq!(check_approval(Draft, false, Some(5), 9), Err(SteeringError::NoMinutes));
        assert_eq!(check_approval(Approved, true, Some(5), 9), Err(SteeringError::MinutesApproved));
    }

    #[test]
    fn action_items_move_between_open_and_closed() {
        use ActionStatus::*;
        for (from, to, ok) in [
            (Open, Done, true),
            (Open, Dropped, true),
            (Open, Open, false),
            (Done, Open, true),
            (Done, Dropped, false),
            (Done, Done, false),
            (Dropped, Open, true),
            (Dropped, Done, false),
        ] {
            assert_eq!(check_status_change(from, to).is_ok(), ok, "{from:?} -> {to:?}");
        }
        let d = |day| chrono::NaiveDate::from_ymd_opt(2021, 6, day).unwrap();
        assert!(Open.is_overdue(d(14), d(15)));
        assert!(!Open.is_overdue(d(15), d(15)));
        assert!(!Done.is_overdue(d(1), d(15)));
    }

    #[test]
    fn lines_and_texts() {
        assert_eq!(check_line("  Stand van de toolkit ", "title"), Ok("Stand van de toolkit".into()));
        assert_eq!(check_line("  ", "title"), Err(SteeringError::Empty("title")));
        assert_eq!(check_line("a\nb", "title"), Err(SteeringError::NotOneLine("title")));
        assert_eq!(
            check_line(&"x".repeat(201), "place"),
            Err(SteeringError::TooLong("place", MAX_TITLE))
        );
        assert_eq!(
            check_text("Eerste lijn\nTweede lijn", "text", 100),
            Ok("Eerste lijn\nTweede lijn".into())
        );
        assert_eq!(check_text("a\u{202E}b", "text", 100), Err(SteeringError::NotOneLine("text")));
        assert_eq!(
            check_agenda(&["Opening".into(), " ".into(), "Varia".into()]),
            Ok(vec!["Opening".into(), "Varia".into()])
        );
        assert_eq!(check_agenda(&vec!["x".to_owned(); 41]), Err(SteeringError::AgendaTooLong));
        for e in [
            SteeringError::MinutesApproved,
            SteeringError::Empty("title"),
            SteeringError::StatusUnchanged(ActionStatus::Done, ActionStatus::Done),
        ] {
            assert!(e.field().is_some() != e.conflict_code().is_some());
            assert_ne!(e.message(true), e.message(false));
        }
    }

    proptest! {
        /// ST-4: whatever numbers a meeting's decisions have, the next one is new and follows
        /// them all.
        #[test]
        fn the_next_decision_number_is_new_and_last(existing in proptest::collection::vec(1i64..10_000, 0..50)) {
            let next = next_decision_number(&existing);
            prop_assert!(next >= 1);
            prop_assert!(existing.iter().all(|n| *n < next));
        }

        /// ST-5: from any status, the moves allowed never stay put, and every closed item can be
        /// opened again.
        #[test]
        fn no_move_stays_put(from in 0usize..3, to in 0usize..3) {
            let (from, to) = (ActionStatus::ALL[from], ActionStatus::ALL[to]);
            if check_status_change(from, to).is_ok() {
                prop_assert_ne!(from, to);
            }
            if from != ActionStatus::Open {
                prop_assert!(check_status_change(from, ActionStatus::Open).is_ok());
            }
        }
    }
}
