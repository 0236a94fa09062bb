//! Ethical-hacking engagements (the Howest track, V3): a local government and an education
//! partner agree who tests (students and their supervisor), what (the scope), when (a window)
//! and how (the techniques allowed). Nothing is tested before the government's authorised
//! signatory has accepted the authorisation letter, and only within the window.
//!
//! The rules of engagement follow the Centre for Cybersecurity Belgium's guidance on ethical
//! hacking and coordinated vulnerability disclosure: act only as far as necessary and
//! proportionate to show a vulnerability, no harm (no denial of service, no changing or deleting
//! data), stop and report at once on meeting personal data, report through the agreed channel,
//! and no disclosure without agreement. Social engineering (phishing mail, dropped USB sticks,
//! phone calls) falls outside what the CCB's framework allows by default and so needs the
//! government's explicit, separate authorisation (docs/RULES.md).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::str::FromStr;

/// The longest window an engagement may have, in days (about three months).
pub const MAX_WINDOW_DAYS: i64 = 92;

/// E1: an engagement's state as stored. "Active" is not stored: it is an authorised engagement on a
/// day within its window (see [`Phase`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngagementState {
    /// Agreed in outline; the letter waits for the government's signatory.
    Proposed,
    /// The signatory accepted the letter as it stands.
    Authorised,
    /// Ended early by a party; nothing may be tested any more.
    Withdrawn,
    /// Closed once the work was done.
    Closed,
}

impl EngagementState {
    pub const ALL: [EngagementState; 4] = [Self::Proposed, Self::Authorised, Self::Withdrawn, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Authorised => "authorised",
            Self::Withdrawn => "withdrawn",
            Self::Closed => "closed",
        }
    }
}

impl FromStr for EngagementState {
    type Err = EngagementError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or(EngagementError::UnknownState)
    }
}

/// Where an engagement stands on a given day: its state, with the window applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Proposed,
    /// Authorised, the window not yet begun.
    Authorised,
    /// Authorised and within its window: the team may test.
    Active,
    /// Authorised and past its window, or closed.
    Closed,
    Withdrawn,
}

impl Phase {
    pub const ALL: [Phase; 5] = [Self::Proposed, Self::Authorised, Self::Active, Self::Closed, Self::Withdrawn];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Authorised => "authorised",
            Self::Active => "active",
            Self::Closed => "closed",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// E1: active while authorised and today is within the window, closed after it.
    pub fn of(state: EngagementState, window: &Window, today: NaiveDate) -> Phase {
        match state {
            EngagementState::Proposed => Phase::Proposed,
            EngagementState::Withdrawn => Phase::Withdrawn,
            EngagementState::Closed => Phase::Closed,
            EngagementState::Authorised if today < window.starts_on => Phase::Authorised,
            EngagementState::Authorised if today > window.ends_on => Phase::Closed,
            EngagementState::Authorised => Phase::Active,
        }
    }
}

/// What the team may do. The social-engineering techniques need an explicit, separate
/// authorisation by the signatory on top of accepting the letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Technique {
    NetworkScanning,
    WebScanning,
    ManualWebTesting,
    PasswordAttacks,
    Wireless,
    PhysicalAccess,
    PhishingMail,
    UsbDrop,
    Vishing,
}

impl Technique {
    pub const ALL: [Technique; 9] = [
        Self::NetworkScanning,
        Self::WebScanning,
        Self::ManualWebTesting,
        Self::PasswordAttacks,
        Self::Wireless,
        Self::PhysicalAccess,
        Self::PhishingMail,
        Self::UsbDrop,
        Self::Vishing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NetworkScanning => "network_scanning",
            Self::WebScanning => "web_scanning",
            Self::ManualWebTesting => "manual_web_testing",
            Self::PasswordAttacks => "password_attacks",
            Self::Wireless => "wireless",
            Self::PhysicalAccess => "physical_access",
            Self::PhishingMail => "phishing_mail",
            Self::UsbDrop => "usb_drop",
            Self::Vishing => "vishing",
        }
    }

    /// E6: phishing mail, dropped USB sticks and vishing need their own authorisation.
    pub fn is_social_engineering(self) -> bool {
        matches!(self, Self::PhishingMail | Self::UsbDrop | Self::Vishing)
    }

    pub fn describe(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (Self::NetworkScanning, true) => "netwerkscans (poorten en diensten in kaart brengen, kwetsbaarheidsscans)",
            (Self::NetworkScanning, false) => "network scanning (mapping ports and services, vulnerability scans)",
            (Self::WebScanning, true) => "geautomatiseerde scans van webapplicaties",
            (Self::WebScanning, false) => "automated scanning of web applications",
            (Self::ManualWebTesting, true) => "manuele tests van webapplicaties",
            (Self::ManualWebTesting, false) => "manual testing of web applications",
            (Self::PasswordAttacks, true) => {
                "wachtwoordaanvallen op aanmeldingen binnen de scope (beperkt in tempo, zonder accounts te blokkeren)"
            }
            (Self::PasswordAttacks, false) => "password attacks on in-scope logins (rate-limited, without locking accounts out)",
            (Self::Wireless, true) => "tests van draadloze netwerken",
            (Self::Wireless, false) => "testing of wireless networks",
            (Self::PhysicalAccess, true) => "fysieke toegang tot gebouwen binnen de scope",
            (Self::PhysicalAccess, false) => "physical access to in-scope buildings",
            (Self::PhishingMail, true) => "phishingmails aan medewerkers (social engineering)",
            (Self::PhishingMail, false) => "phishing mail to staff (social engineering)",
            (Self::UsbDrop, true) => "achtergelaten USB-sticks (social engineering)",
            (Self::UsbDrop, false) => "dropped USB sticks (social engineering)",
            (Self::Vishing, true) => "telefonische social engineering (vishing)",
            (Self::Vishing, false) => "social engineering by phone (vishing)",
        }
    }
}

impl FromStr for Technique {
    type Err = EngagementError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == text.trim())
            .ok_or_else(|| EngagementError::UnknownTechnique(text.trim().to_owned()))
    }
}

/// A set of techniques, in a fixed order, without repeats; at least one.
pub fn techniques(list: &[Technique]) -> Result<Vec<Technique>, EngagementError> {
    let mut out: Vec<Technique> = list.to_vec();
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(EngagementError::NoTechniques);
    }
    Ok(out)
}

/// A team member's role in the engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    Student,
    Supervisor,
}

impl TeamRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Student => "student",
            Self::Supervisor => "supervisor",
        }
    }
}

impl FromStr for TeamRole {
    type Err = EngagementError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "student" => Ok(Self::Student),
            "supervisor" => Ok(Self::Supervisor),
            other => Err(EngagementError::UnknownTeamRole(other.to_owned())),
        }
    }
}

/// A proposed team member: their role, and whether they are a researcher of the engagement's
/// education partner (the services look that up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub person_id: i64,
    pub role: TeamRole,
    pub researcher_of_partner: bool,
}

/// E3: team rules: at least one supervisor, each person once, everyone a researcher of the partner.
pub fn check_team(members: &[Member]) -> Result<(), EngagementError> {
    if let Some(m) = members.iter().find(|m| !m.researcher_of_partner) {
        return Err(EngagementError::NotAResearcherOfPartner(m.person_id));
    }
    for (i, m) in members.iter().enumerate() {
        if members[..i].iter().any(|o| o.person_id == m.person_id) {
            return Err(EngagementError::MemberTwice(m.person_id));
        }
    }
    if !members.iter().any(|m| m.role == TeamRole::Supervisor) {
        return Err(EngagementError::NoSupervisor);
    }
    Ok(())
}

/// The days the team may test, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl Window {
    /// E2: a window as proposed (or changed) on `today`: it starts today or later, ends on or after
    /// its start, and lasts at most [`MAX_WINDOW_DAYS`] days.
    pub fn proposed(starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> Result<Window, EngagementError> {
        if ends_on < starts_on {
            return Err(EngagementError::EndBeforeStart);
        }
        if starts_on < today {
            return Err(EngagementError::StartInPast);
        }
        if !crate::calendar::within_planning(starts_on, today, today, 1) {
            return Err(EngagementError::StartTooFar);
        }
        if (ends_on - starts_on).num_days() + 1 > MAX_WINDOW_DAYS {
            return Err(EngagementError::WindowTooLong);
        }
        Ok(Window { starts_on, ends_on })
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }
}

/// E4: whether the team may test (and so submit findings) on `today`: authorised, and within the
/// window. The refusal says why not.
pub fn may_test(state: EngagementState, window: &Window, today: NaiveDate) -> Result<(), EngagementError> {
    match Phase::of(state, window, today) {
        Phase::Active => Ok(()),
        Phase::Proposed => Err(EngagementError::NotAuthorised),
        Phase::Authorised => Err(EngagementError::BeforeWindow(window.starts_on)),
        Phase::Closed if state == EngagementState::Authorised => Err(EngagementError::AfterWindow(window.ends_on)),
        Phase::Closed | Phase::Withdrawn => Err(EngagementError::Ended),
    }
}

/// E5, E6: whether the signatory may accept the letter now: the engagement is proposed, its window
/// has not ended, the letter accepted is the letter as it stands (its hash), and any social
/// engineering in it is authorised explicitly.
pub fn check_acceptance(
    state: EngagementState,
    window: &Window,
    today: NaiveDate,
    techniques: &[Technique],
    hash_seen: &str,
    hash_now: &str,
    social_engineering_authorised: bool,
) -> Result<(), EngagementError> {
    match state {
        EngagementState::Proposed => {}
        EngagementState::Authorised => return Err(EngagementError::AlreadyAuthorised),
        EngagementState::Withdrawn | EngagementState::Closed => return Err(EngagementError::Ended),
    }
    if today > window.ends_on {
        return Err(EngagementError::AfterWindow(window.ends_on));
    }
    if hash_seen.trim() != hash_now {
        return Err(EngagementError::LetterChanged);
    }
    if techniques.iter().any(|t| t.is_social_engineering()) && !social_engineering_authorised {
        return Err(EngagementError::SocialEngineeringNotAuthorised);
    }
    Ok(())
}

/// E7: the state after a change of the engagement's terms (team, scope, window, techniques,
/// contacts): an authorised engagement needs a new acceptance, so it goes back to proposed.
pub fn after_change(state: EngagementState) -> Result<EngagementState, EngagementError> {
    match state {
        EngagementState::Proposed | EngagementState::Authorised => Ok(EngagementState::Proposed),
        EngagementState::Withdrawn | EngagementState::Closed => Err(EngagementError::Ended),
    }
}

/// Whether an engagement can be withdrawn (or closed): not when it already ended.
pub fn may_end(state: EngagementState) -> Result<(), EngagementError> {
    match state {
        EngagementState::Proposed | EngagementState::Authorised => Ok(()),
        EngagementState::Withdrawn | EngagementState::Closed => Err(EngagementError::Ended),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngagementError {
    #[error("unknown engagement state")]
    UnknownState,
    #[error("'{0}' is not a technique")]
    UnknownTechnique(String),
    #[error("'{0}' is not a team role (student or supervisor)")]
    UnknownTeamRole(String),
    #[error("choose at least one technique")]
    NoTechniques,
    #[error("the team needs at least one supervisor")]
    NoSupervisor,
    #[error("person #{0} is not a researcher of the education partner")]
    NotAResearcherOfPartner(i64),
    #[error("person #{0} is in the team twice")]
    MemberTwice(i64),
    #[error("the window ends before it starts")]
    EndBeforeStart,
    #[error("the window cannot start in the past")]
    StartInPast,
    #[error("the window starts within a year from today")]
    StartTooFar,
    #[error("the window lasts at most {MAX_WINDOW_DAYS} days")]
    WindowTooLong,
    #[error("the authorisation letter has not been accepted by the government's signatory")]
    NotAuthorised,
    #[error("the window starts on {0}: nothing is tested before")]
    BeforeWindow(NaiveDate),
    #[error("the window ended on {0}")]
    AfterWindow(NaiveDate),
    #[error("the engagement was withdrawn or closed")]
    Ended,
    #[error("the letter is already accepted")]
    AlreadyAuthorised,
    #[error("the letter changed since it was shown; read it again before accepting")]
    LetterChanged,
    #[error("the letter allows social engineering: authorise it explicitly")]
    SocialEngineeringNotAuthorised,
}

impl EngagementError {
    /// The request field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::UnknownTechnique(_) | Self::NoTechniques => "techniques",
            Self::UnknownTeamRole(_) | Self::NoSupervisor | Self::NotAResearcherOfPartner(_) | Self::MemberTwice(_) => "team",
            Self::EndBeforeStart | Self::StartInPast | Self::WindowTooLong => "ends_on",
            Self::StartTooFar => "starts_on",
            Self::LetterChanged => "letter_hash",
            Self::SocialEngineeringNotAuthorised => "social_engineering_authorised",
            Self::UnknownState
            | Self::NotAuthorised
            | Self::BeforeWindow(_)
            | Self::AfterWindow(_)
            | Self::Ended
            | Self::AlreadyAuthorised => "engagement",
        }
    }

    /// The code of a refusal that comes from where the engagement stands, not from the request:
    /// the same request may succeed on another day or engagement.
    pub fn conflict_code(&self) -> Option<&'static str> {
        Some(match self {
            Self::NotAuthorised => "engagement_not_authorised",
            Self::BeforeWindow(_) => "before_window",
            Self::AfterWindow(_) => "after_window",
            Self::Ended => "engagement_ended",
            Self::AlreadyAuthorised => "already_authorised",
            Self::LetterChanged => "letter_changed",
            _ => return None,
        })
    }

    pub fn message_en(&self) -> String {
        self.to_string()
    }

    pub fn message_nl(&self) -> String {
        match self {
            Self::UnknownState => "onbekende stand van de opdracht".into(),
            Self::UnknownTechnique(t) => format!("'{t}' is geen techniek"),
            Self::UnknownTeamRole(r) => format!("'{r}' is geen rol in het team (student of begeleider)"),
            Self::NoTechniques => "kies minstens één techniek".into(),
            Self::NoSupervisor => "het team heeft minstens één begeleider nodig".into(),
            Self::NotAResearcherOfPartner(id) => format!("persoon #{id} is geen onderzoeker van de onderwijspartner"),
            Self::MemberTwice(id) => format!("persoon #{id} staat twee keer in het team"),
            Self::EndBeforeStart => "de periode eindigt voor ze begint".into(),
            Self::StartInPast => "de periode kan niet in het verleden beginnen".into(),
            Self::StartTooFar => "de periode begint binnen een jaar na vandaag".into(),
            Self::WindowTooLong => format!("de periode duurt hoogstens {MAX_WINDOW_DAYS} dagen"),
            Self::NotAuthorised => "de ondertekenaar van het bestuur heeft de toestemmingsbrief nog niet aanvaard".into(),
            Self::BeforeWindow(d) => format!("de periode begint op {}: vooraf wordt niets getest", d.format("%d/%m/%Y")),
            Self::AfterWindow(d) => format!("de periode eindigde op {}", d.format("%d/%m/%Y")),
            Self::Ended => "de opdracht is ingetrokken of afgesloten".into(),
            Self::AlreadyAuthorised => "de brief is al aanvaard".into(),
            Self::LetterChanged => "de brief is gewijzigd sinds hij getoond werd; lees hem opnieuw voor u aanvaardt".into(),
            Self::SocialEngineeringNotAuthorised => "de brief laat social engineering toe: geef daarvoor uitdrukkelijk toestemming".into(),
        }
    }
}

/// Everything the authorisation letter says, gathered by the services.
#[derive(Debug, Clone, PartialEq)]
pub struct LetterFacts {
    pub reference: String,
    pub government: String,
    pub partner: String,
    pub coordinator: String,
    pub title: String,
    pub window: Window,
    pub scope: Vec<String>,
    pub techniques: Vec<Technique>,
    /// Names with their role.
    pub team: Vec<(String, TeamRole)>,
    pub government_contact: String,
    pub team_contact: String,
    pub emergency_contact: String,
    pub version: i64,
}

/// The rules of engagement every letter states (CCB guidance; docs/RULES.md).
pub fn rules(dutch: bool) -> [&'static str; 8] {
    if dutch {
        [
            "Het team test enkel de systemen in de scope, binnen de periode en met de toegestane technieken.",
            "Het team handelt enkel voor zover nodig en evenredig om een kwetsbaarheid aan te tonen: geen gegevens wijzigen of wissen, geen malware, geen blijvende toegang.",
            "Geen denial of service en niets dat de dienstverlening van het bestuur verstoort.",
            "Komt het team persoonsgegevens tegen, dan stopt het die handeling meteen, bewaart of verspreidt het niets en meldt het dit dezelfde dag aan het bestuur.",
            "Elke bevinding wordt zo snel mogelijk gemeld via cyberveilig, in het register van het bestuur; niet via andere kanalen.",
            "Niets wordt openbaar gemaakt zonder schriftelijk akkoord van het bestuur (en, waar van toepassing, van het CCB).",
            "Bij twijfel of een incident stopt het team en neemt het contact op met het noodnummer hieronder; het bestuur kan de tests op elk moment laten stoppen.",
            "Deze toestemming geldt enkel voor de versie van de brief die de ondertekenaar aanvaardt; elke wijziging vraagt een nieuwe aanvaarding.",
        ]
    } else {
        [
            "The team tests only the systems in scope, within the window, with the techniques allowed.",
            "The team acts only as far as necessary and proportionate to show a vulnerability: no changing or deleting data, no malware, no lasting access.",
            "No denial of service and nothing that disrupts the government's services.",
            "Should the team meet personal data, it stops that action at once, keeps and shares nothing and tells the government the same day.",
            "Every finding is reported as soon as possible through cyberveilig, into the government's register; not through other channels.",
            "Nothing is disclosed without the government's written agreement (and, where applicable, the CCB's).",
            "In doubt or on an incident the team stops and calls the emergency contact below; the government can stop the tests at any time.",
            "This authorisation holds only for the version of the letter the signatory accepts; any change needs a new acceptance.",
        ]
    }
}

/// The authorisation letter as plain text, in Dutch or English. Its exact text (both languages)
/// is what the signatory's acceptance is bound to, by its hash.
pub fn letter(f: &LetterFacts, dutch: bool) -> String {
    let date = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    let t = |nl: &'static str, en: &'static str| if dutch { nl } else { en };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}",
        t("TOESTEMMINGSBRIEF VOOR ETHISCH HACKEN", "AUTHORISATION LETTER FOR ETHICAL HACKING")
    );
    let _ = writeln!(
        s,
        "{} {} — {} {}",
        t("Kenmerk", "Reference"),
        f.reference,
        t("versie", "version"),
        f.version
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "{}: {}", t("Opdracht", "Engagement"), f.title);
    let _ = writeln!(s);
    let _ = writeln!(s, "1. {}", t("Partijen", "Parties"));
    let _ = writeln!(
        s,
        "   {}: {}",
        t("Lokaal bestuur (opdrachtgever)", "Local government (client)"),
        f.government
    );
    let _ = writeln!(s, "   {}: {}", t("Onderwijspartner (team)", "Education partner (team)"), f.partner);
    let _ = writeln!(s, "   {}: {}", t("Coördinatie", "Coordination"), f.coordinator);
    let _ = writeln!(s, "   {}:", t("Team", "Team"));
    for (name, role) in &f.team {
        let role = match role {
            TeamRole::Supervisor => t("begeleider", "supervisor"),
            TeamRole::Student => t("student", "student"),
        };
        let _ = writeln!(s, "   - {name} ({role})");
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "2. {}", t("Scope (enkel deze systemen)", "Scope (these systems only)"));
    for item in &f.scope {
        let _ = writeln!(s, "   - {item}");
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "3. {}", t("Periode", "Window"));
    let _ = writeln!(
        s,
        "   {} {} {} {} {}",
        t("Van", "From"),
        date(f.window.starts_on),
        t("tot en met", "to and including"),
        date(f.window.ends_on),
        t("(Belgische tijd)", "(Belgian time)")
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "4. {}", t("Toegestane technieken", "Techniques allowed"));
    for tech in &f.techniques {
        let _ = writeln!(s, "   - {}", tech.describe(dutch));
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "5. {}", t("Uitdrukkelijk niet toegestaan", "Explicitly not allowed"));
    for tech in Technique::ALL.iter().filter(|x| !f.techniques.contains(x)) {
        let _ = writeln!(s, "   - {}", tech.describe(dutch));
    }
    let _ = writeln!(
        s,
        "   - {}",
        t(
            "denial of service, malware, wijzigen of wissen van gegevens, en alles buiten de scope",
            "denial of service, malware, changing or deleting data, and anything out of scope"
        )
    );
    if f.techniques.iter().any(|x| x.is_social_engineering()) {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "   {}",
            t(
                "Deze brief laat social engineering toe; de ondertekenaar geeft daarvoor afzonderlijk en uitdrukkelijk toestemming.",
                "This letter allows social engineering; the signatory authorises it separately and explicitly."
            )
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "6. {}", t("Spelregels", "Rules of engagement"));
    for (i, rule) in rules(dutch).iter().enumerate() {
        let _ = writeln!(s, "   6.{} {rule}", i + 1);
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "7. {}", t("Contactpersonen", "Contact persons"));
    let _ = writeln!(s, "   {}: {}", t("Bestuur", "Government"), f.government_contact);
    let _ = writeln!(s, "   {}: {}", t("Team", "Team"), f.team_contact);
    let _ = writeln!(
        s,
        "   {}: {}",
        t("Noodstop (24/7, stopt alle tests)", "Emergency stop (24/7, stops all tests)"),
        f.emergency_contact
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "8. {}", t("Aanvaarding", "Acceptance"));
    let _ = writeln!(
        s,
        "   {}",
        t(
            "De gemachtigde ondertekenaar van het bestuur aanvaardt deze brief in cyberveilig; cyberveilig bewaart wie, wanneer en de vingerafdruk (SHA-256) van precies deze tekst. Voor de aanvaarding wordt niets getest.",
            "The government's authorised signatory accepts this letter in cyberveilig; cyberveilig keeps who, when and the fingerprint (SHA-256) of exactly this text. Nothing is tested before the acceptance."
        )
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, m, day).unwrap()
    }

    #[test]
    fn a_window_starts_today_or_later_ends_after_it_starts_and_lasts_three_months_at_most() {
        let today = d(6, 15);
        assert!(Window::proposed(d(6, 15), d(6, 15), today).is_ok());
        assert_eq!(Window::proposed(d(6, 20), d(6, 19), today), Err(EngagementError::EndBeforeStart));
        assert_eq!(Window::proposed(d(6, 14), d(6, 30), today), Err(EngagementError::StartInPast));
        // 92 days from 1 July: to 30 September inclusive.
        assert!(Window::proposed(d(7, 1), d(9, 30), today).is_ok());
        assert_eq!(Window::proposed(d(7, 1), d(10, 1), today), Err(EngagementError::WindowTooLong));
    }

    #[test]
    fn the_team_may_test_only_when_authorised_and_within_the_window() {
        let w = Window {
            starts_on: d(7, 1),
            ends_on: d(7, 31),
        };
        use EngagementState as S;
        assert_eq!(may_test(S::Proposed, &w, d(7, 10)), Err(EngagementError::NotAuthorised));
        assert_eq!(may_test(S::Authorised, &w, d(6, 30)), Err(EngagementError::BeforeWindow(d(7, 1))));
        assert_eq!(may_test(S::Authorised, &w, d(7, 1)), Ok(()));
        assert_eq!(may_test(S::Authorised, &w, d(7, 31)), Ok(()));
        assert_eq!(may_test(S::Authorised, &w, d(8, 1)), Err(EngagementError::AfterWindow(d(7, 31))));
        assert_eq!(may_test(S::Withdrawn, &w, d(7, 10)), Err(EngagementError::Ended));
        assert_eq!(may_test(S::Closed, &w, d(7, 10)), Err(EngagementError::Ended));
        assert_eq!(Phase::of(S::Authorised, &w, d(7, 10)), Phase::Active);
        assert_eq!(Phase::of(S::Authorised, &w, d(6, 1)), Phase::Authorised);
        assert_eq!(Phase::of(S::Authorised, &w, d(8, 1)), Phase::Closed);
    }

    #[test]
    fn social_engineering_needs_its_own_explicit_authorisation() {
        assert!(Technique::PhishingMail.is_social_engineering());
        assert!(Technique::UsbDrop.is_social_engineering());
        assert!(Technique::Vishing.is_social_engineering());
        assert!(!Technique::NetworkScanning.is_social_engineering());
        let w = Window {
            starts_on: d(7, 1),
            ends_on: d(7, 31),
        };
        let se = [Technique::NetworkScanning, Technique::PhishingMail];
        let accept = |techniques: &[Technique], seen: &str, se: bool| {
            check_acceptance(EngagementState::Proposed, &w, d(6, 15), techniques, seen, "h1", se)
        };
        assert_eq!(accept(&se, "h1", false), Err(EngagementError::SocialEngineeringNotAuthorised));
        assert_eq!(accept(&se, "h1", true), Ok(()));
        assert_eq!(accept(&[Technique::NetworkScanning], "h1", false), Ok(()));
        assert_eq!(accept(&se, "h0", true), Err(EngagementError::LetterChanged));
        assert_eq!(
            check_acceptance(EngagementState::Authorised, &w, d(6, 15), &se, "h1", "h1", true),
            Err(EngagementError::AlreadyAuthorised)
        );
        assert_eq!(
            check_acceptance(EngagementState::Proposed, &w, d(8, 1), &se, "h1", "h1", true),
            Err(EngagementError::AfterWindow(d(7, 31)))
        );
    }

    #[test]
    fn a_change_after_acceptance_needs_a_new_acceptance() {
        assert_eq!(after_change(EngagementState::Authorised), Ok(EngagementState::Proposed));
        assert_eq!(after_change(EngagementState::Proposed), Ok(EngagementState::Proposed));
        assert_eq!(after_change(EngagementState::Withdrawn), Err(EngagementError::Ended));
        assert!(may_end(EngagementState::Authorised).is_ok());
        assert!(may_end(EngagementState::Closed).is_err());
    }

    #[test]
    fn a_team_has_a_supervisor_and_only_researchers_of_the_partner() {
        let m = |id, role, ok| Member {
            person_id: id,
            role,
            researcher_of_partner: ok,
        };
        assert_eq!(check_team(&[m(1, TeamRole::Student, true)]), Err(EngagementError::NoSupervisor));
        assert_eq!(check_team(&[]), Err(EngagementError::NoSupervisor));
        assert_eq!(
            check_team(&[m(1, TeamRole::Supervisor, true), m(2, TeamRole::Student, false)]),
            Err(EngagementError::NotAResearcherOfPartner(2))
        );
        assert_eq!(
            check_team(&[m(1, TeamRole::Supervisor, true), m(1, TeamRole::Student, true)]),
            Err(EngagementError::MemberTwice(1))
        );
        assert!(check_team(&[m(1, TeamRole::Supervisor, true), m(2, TeamRole::Student, true)]).is_ok());
    }

    #[test]
    fn techniques_and_states_parse_and_round_trip() {
        for t in Technique::ALL {
            assert_eq!(t.as_str().parse::<Technique>(), Ok(t));
        }
        for s in EngagementState::ALL {
            assert_eq!(s.as_str().parse::<EngagementState>(), Ok(s));
        }
        assert!("ddos".parse::<Technique>().is_err());
        assert_eq!(techniques(&[]), Err(EngagementError::NoTechniques));
        assert_eq!(
            techniques(&[Technique::UsbDrop, Technique::WebScanning, Technique::UsbDrop]).unwrap(),
            vec![Technique::WebScanning, Technique::UsbDrop]
        );
    }

    #[test]
    fn the_letter_states_parties_scope_window_techniques_and_rules_in_both_languages() {
        let facts = LetterFacts {
            reference: "ENG-1".into(),
            government: "Kortrijk".into(),
            partner: "Hogeschool West-Vlaanderen".into(),
            coordinator: "VVSG".into(),
            title: "Externe test".into(),
            window: Window {
                starts_on: d(7, 1),
                ends_on: d(7, 31),
            },
            scope: vec!["www.kortrijk.be".into()],
            techniques: vec![Technique::WebScanning, Technique::PhishingMail],
            team: vec![("Docent".into(), TeamRole::Supervisor), ("Student".into(), TeamRole::Student)],
            government_contact: "ISC".into(),
            team_contact: "Docent".into(),
            emergency_contact: "+32 56 00 00 00".into(),
            version: 1,
        };
        let nl = letter(&facts, true);
        let en = letter(&facts, false);
        for text in [&nl, &en] {
            assert!(text.contains("Kortrijk") && text.contains("www.kortrijk.be") && text.contains("01/07/2021"));
            assert!(text.contains("+32 56 00 00 00"));
        }
        assert!(nl.contains("phishingmails") && nl.contains("achtergelaten USB-sticks"));
        assert!(en.contains("Explicitly not allowed") && en.contains("dropped USB sticks"));
        assert!(nl.contains("afzonderlijk en uitdrukkelijk"));
        let mut changed = facts.clone();
        changed.window.ends_on = d(7, 30);
        assert_ne!(letter(&changed, true), nl);
    }
}
