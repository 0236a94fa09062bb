//! Coordinated vulnerability disclosure (issue 5, items 1 and 2): a government's disclosure
//! policy, VVSG's model it starts from, and the rules a policy must meet before it is published.
//!
//! A policy is text in Dutch and English plus a few facts: who to write to, what is in and out of
//! scope, how quickly the government answers, whether it gives credit. Publishing makes an
//! immutable version; the security.txt (RFC 9116) is generated from the version in force.

use crate::registry::EmailAddress;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Whose policy: VVSG's model, or a government's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    Model,
    Government,
}

impl PolicyKind {
    pub const ALL: [PolicyKind; 2] = [PolicyKind::Model, PolicyKind::Government];

    pub const fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Model => "model",
            PolicyKind::Government => "government",
        }
    }
}

impl std::str::FromStr for PolicyKind {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        PolicyKind::ALL.into_iter().find(|k| k.as_str() == text).ok_or(())
    }
}

/// Working days to acknowledge a report, unless the policy says otherwise.
pub const DEFAULT_ACKNOWLEDGE_DAYS: i64 = 5;
/// Working days to triage a report, unless the policy says otherwise.
pub const DEFAULT_TRIAGE_DAYS: i64 = 10;
/// A security.txt expires this many months after publication unless the government chooses.
pub const DEFAULT_EXPIRY_MONTHS: u32 = 11;
/// The government is reminded this many days before its security.txt expires.
pub const REMINDER_DAYS: u64 = 30;

/// Longest text of one section in one language.
pub const MAX_TEXT: usize = 20_000;
/// Longest scope item.
pub const MAX_ITEM: usize = 300;
/// Most scope items in a list.
pub const MAX_ITEMS: usize = 100;

/// A text in both languages of the platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub nl: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(nl: impl Into<String>, en: impl Into<String>) -> Bilingual {
        Bilingual {
            nl: nl.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, dutch: bool) -> &str {
        if dutch { &self.nl } else { &self.en }
    }
}

/// How quickly the government answers a report, in Belgian working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseTargets {
    pub acknowledge_days: i64,
    pub triage_days: i64,
}

impl Default for ResponseTargets {
    fn default() -> ResponseTargets {
        ResponseTargets {
            acknowledge_days: DEFAULT_ACKNOWLEDGE_DAYS,
            triage_days: DEFAULT_TRIAGE_DAYS,
        }
    }
}

/// The content of a policy: VVSG's model or a government's own (draft or published).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolicyContent {
    /// Who the policy is from and why it exists.
    pub intro: Bilingual,
    /// What a researcher may do, one item per line.
    pub allowed: Bilingual,
    /// What a researcher may not do, one item per line.
    pub forbidden: Bilingual,
    /// The safe harbour: what the government promises a researcher who keeps to the policy.
    pub safe_harbour: Bilingual,
    /// The registered assets are in scope.
    pub include_assets: bool,
    /// Further systems in scope (names, domains, applications), one item each.
    pub in_scope: Vec<String>,
    /// Systems out of scope, one item each.
    pub out_of_scope: Vec<String>,
    /// Where reports go by mail (security.txt's mailto: Contact).
    pub contact_email: String,
    /// An https URL of the government's OpenPGP key (security.txt's Encryption), if any.
    pub encryption_url: String,
    pub targets: ResponseTargets,
    /// Whether the government thanks reporters publicly (security.txt's Acknowledgments).
    pub credit: bool,
}

impl Default for PolicyContent {
    fn default() -> PolicyContent {
        PolicyContent {
            intro: Bilingual::default(),
            allowed: Bilingual::default(),
            forbidden: Bilingual::default(),
            safe_harbour: Bilingual::default(),
            include_assets: true,
            in_scope: Vec::new(),
            out_of_scope: Vec::new(),
            contact_email: String::new(),
            encryption_url: String::new(),
            targets: ResponseTargets::default(),
            credit: true,
        }
    }
}

/// Why a policy cannot be saved or published; each names its field and says why in both
/// languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyProblem {
    /// A section is empty in a language.
    MissingText {
        field: &'static str,
        dutch: bool,
    },
    TextTooLong {
        field: &'static str,
    },
    TooManyItems {
        field: &'static str,
    },
    ItemTooLong {
        field: &'static str,
    },
    /// Not an email address.
    ContactEmail,
    /// Publishing needs an email address to write to.
    NoContact,
    /// Nothing in scope: no registered asset counted and no item listed.
    NothingInScope,
    /// The encryption key must be an https URL.
    EncryptionUrl,
    /// Acknowledge within 1 to 30 working days, triage within the acknowledgement to 90.
    Targets,
    /// The security.txt's end must be after today and less than a year away.
    Expiry,
}

impl PolicyProblem {
    pub fn field(&self) -> &'static str {
        match self {
            Self::MissingText { field, .. } | Self::TextTooLong { field } | Self::TooManyItems { field } | Self::ItemTooLong { field } => {
                field
            }
            Self::ContactEmail | Self::NoContact => "contact_email",
            Self::NothingInScope => "in_scope",
            Self::EncryptionUrl => "encryption_url",
            Self::Targets => "targets",
            Self::Expiry => "expires_on",
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Self::MissingText { field, dutch } => {
                format!("the section {field} is empty in {}", if *dutch { "Dutch" } else { "English" })
            }
            Self::TextTooLong { field } => format!("the section {field} is longer than {MAX_TEXT} characters"),
            Self::TooManyItems { field } => format!("{field} lists more than {MAX_ITEMS} items"),
            Self::ItemTooLong { field } => format!("an item of {field} is longer than {MAX_ITEM} characters"),
            Self::ContactEmail => "the contact is not an email address".into(),
            Self::NoContact => "a published policy needs an email address for reports".into(),
            Self::NothingInScope => "a published policy needs something in scope: a registered system or an item listed".into(),
            Self::EncryptionUrl => "the encryption key must be an https:// address".into(),
            Self::Targets => "acknowledge within 1 to 30 working days and triage within that to 90 working days".into(),
            Self::Expiry => "the security.txt must expire after today and less than a year from now".into(),
        }
    }

    pub fn message_nl(&self) -> String {
        match self {
            Self::MissingText { field, dutch } => {
                format!(
                    "het onderdeel {field} is leeg in het {}",
                    if *dutch { "Nederlands" } else { "Engels" }
                )
            }
            Self::TextTooLong { field } => format!("het onderdeel {field} is langer dan {MAX_TEXT} tekens"),
            Self::TooManyItems { field } => format!("{field} telt meer dan {MAX_ITEMS} items"),
            Self::ItemTooLong { field } => format!("een item van {field} is langer dan {MAX_ITEM} tekens"),
            Self::ContactEmail => "het contact is geen e-mailadres".into(),
            Self::NoContact => "een gepubliceerd beleid heeft een e-mailadres voor meldingen nodig".into(),
            Self::NothingInScope => {
                "een gepubliceerd beleid heeft iets in scope nodig: een geregistreerd systeem of een opgesomd item".into()
            }
            Self::EncryptionUrl => "de encryptiesleutel moet een https://-adres zijn".into(),
            Self::Targets => "bevestig binnen 1 tot 30 werkdagen en beoordeel binnen die termijn tot 90 werkdagen".into(),
            Self::Expiry => "de security.txt moet na vandaag en binnen het jaar vervallen".into(),
        }
    }
}

fn sections(c: &PolicyContent) -> [(&'static str, &Bilingual); 4] {
    [
        ("intro", &c.intro),
        ("allowed", &c.allowed),
        ("forbidden", &c.forbidden),
        ("safe_harbour", &c.safe_harbour),
    ]
}

/// Tidies a policy as it comes in: texts trimmed, empty scope items dropped, the email
/// lower-cased. Nothing it does can make a valid policy invalid.
pub fn normalise(mut c: PolicyContent) -> PolicyContent {
    for text in [&mut c.intro, &mut c.allowed, &mut c.forbidden, &mut c.safe_harbour] {
        text.nl = text.nl.trim().replace("\r\n", "\n");
        text.en = text.en.trim().replace("\r\n", "\n");
    }
    for list in [&mut c.in_scope, &mut c.out_of_scope] {
        *list = list.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    }
    c.contact_email = c.contact_email.trim().to_lowercase();
    c.encryption_url = c.encryption_url.trim().to_owned();
    c
}

/// CVD-2: what any policy must meet to be saved (a draft may still be incomplete).
pub fn check_draft(c: &PolicyContent) -> Result<(), PolicyProblem> {
    for (field, text) in sections(c) {
        if text.nl.chars().count() > MAX_TEXT || text.en.chars().count() > MAX_TEXT {
            return Err(PolicyProblem::TextTooLong { field });
        }
    }
    for (field, list) in [("in_scope", &c.in_scope), ("out_of_scope", &c.out_of_scope)] {
        if list.len() > MAX_ITEMS {
            return Err(PolicyProblem::TooManyItems { field });
        }
        if list.iter().any(|i| i.chars().count() > MAX_ITEM || i.contains('\n')) {
            return Err(PolicyProblem::ItemTooLong { field });
        }
    }
    if !c.contact_email.is_empty() && c.contact_email.parse::<EmailAddress>().is_err() {
        return Err(PolicyProblem::ContactEmail);
    }
    if !c.encryption_url.is_empty() && !is_https_url(&c.encryption_url) {
        return Err(PolicyProblem::EncryptionUrl);
    }
    let t = c.targets;
    if !(1..=30).contains(&t.acknowledge_days) || !(t.acknowledge_days..=90).contains(&t.triage_days) {
        return Err(PolicyProblem::Targets);
    }
    Ok(())
}

/// VVSG publishes its model: every section in both languages.
pub fn check_model(c: &PolicyContent) -> Result<(), PolicyProblem> {
    check_draft(c)?;
    check_texts(c)
}

fn check_texts(c: &PolicyContent) -> Result<(), PolicyProblem> {
    for (field, text) in sections(c) {
        if text.nl.trim().is_empty() {
            return Err(PolicyProblem::MissingText { field, dutch: true });
        }
        if text.en.trim().is_empty() {
            return Err(PolicyProblem::MissingText { field, dutch: false });
        }
    }
    Ok(())
}

/// CVD-2: a government publishes: every section in both languages, an email address for reports,
/// something in scope (`assets` is how many registered assets the government has), and a
/// security.txt that expires after `today` and less than a year from it.
pub fn check_publication(c: &PolicyContent, assets: usize, expires_on: NaiveDate, today: NaiveDate) -> Result<(), PolicyProblem> {
    check_draft(c)?;
    check_texts(c)?;
    if c.contact_email.is_empty() {
        return Err(PolicyProblem::NoContact);
    }
    if c.in_scope.is_empty() && !(c.include_assets && assets > 0) {
        return Err(PolicyProblem::NothingInScope);
    }
    check_expiry(expires_on, today)
}

/// CVD-3: the security.txt's end: after today, and less than a year away (RFC 9116 section 2.5.5
/// recommends under a year so that stale files go away).
pub fn check_expiry(expires_on: NaiveDate, today: NaiveDate) -> Result<(), PolicyProblem> {
    let year = today.checked_add_months(Months::new(12)).ok_or(PolicyProblem::Expiry)?;
    if expires_on > today && expires_on < year {
        Ok(())
    } else {
        Err(PolicyProblem::Expiry)
    }
}

/// The default end of a security.txt published on `today`: eleven months later.
pub fn default_expiry(today: NaiveDate) -> NaiveDate {
    today.checked_add_months(Months::new(DEFAULT_EXPIRY_MONTHS)).unwrap_or(today)
}

/// CVD-4: whether the reminder is due on `today` for a file that expires on `expires_on`.
pub fn reminder_due(expires_on: NaiveDate, today: NaiveDate) -> bool {
    today + chrono::Days::new(REMINDER_DAYS) >= expires_on
}

/// An absolute https URL with a host and no spaces.
pub fn is_https_url(text: &str) -> bool {
    text.strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/') && !text.chars().any(|c| c.is_whitespace() || c.is_control()))
}

/// One line per item of a text such as "allowed" (blank lines dropped), for lists on a page.
pub fn lines(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn complete() -> PolicyContent {
        PolicyContent {
            intro: Bilingual::new("Gent", "Ghent"),
            allowed: Bilingual::new("Scannen", "Scanning"),
            forbidden: Bilingual::new("Geen DoS", "No DoS"),
            safe_harbour: Bilingual::new("Wij dienen geen klacht in", "We will not press charges"),
            in_scope: vec!["www.gent.be".into()],
            contact_email: "cert@stad.gent".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_policy_publishes() {
        assert_eq!(check_publication(&complete(), 0, d(2021, 5, 1), d(2020, 6, 15)), Ok(()));
    }

    #[test]
    fn publishing_needs_a_contact_scope_and_both_languages() {
        let today = d(2020, 6, 15);
        let ok_expiry = default_expiry(today);
        let no_contact = PolicyContent {
            contact_email: String::new(),
            ..complete()
        };
        assert_eq!(check_publication(&no_contact, 3, ok_expiry, today), Err(PolicyProblem::NoContact));
        let nothing = PolicyContent {
            in_scope: vec![],
            ..complete()
        };
        assert_eq!(check_publication(&nothing, 0, ok_expiry, today), Err(PolicyProblem::NothingInScope));
        // Registered assets are enough, when the policy counts them in.
        assert_eq!(check_publication(&nothing, 2, ok_expiry, today), Ok(()));
        let without_assets = PolicyContent {
            include_assets: false,
            ..nothing
        };
        assert_eq!(
            check_publication(&without_assets, 2, ok_expiry, today),
            Err(PolicyProblem::NothingInScope)
        );
        let mut english_missing = complete();
        english_missing.safe_harbour.en = "  ".into();
        assert_eq!(
            check_publication(&english_missing, 1, ok_expiry, today),
            Err(PolicyProblem::MissingText {
                field: "safe_harbour",
                dutch: false
            })
        );
        // A draft may be incomplete.
        assert_eq!(check_draft(&PolicyContent::default()), Ok(()));
    }

    #[test]
    fn the_security_txt_expires_within_a_year() {
        let today = d(2020, 6, 15);
        assert_eq!(default_expiry(today), d(2021, 5, 15));
        assert_eq!(check_expiry(d(2021, 6, 14), today), Ok(()));
        assert_eq!(check_expiry(d(2021, 6, 15), today), Err(PolicyProblem::Expiry));
        assert_eq!(check_expiry(today, today), Err(PolicyProblem::Expiry));
        assert_eq!(check_expiry(d(2020, 6, 16), today), Ok(()));
        assert_eq!(check_publication(&complete(), 0, d(2022, 1, 1), today), Err(PolicyProblem::Expiry));
    }

    #[test]
    fn the_reminder_falls_due_thirty_days_before() {
        let expires = d(2021, 5, 15);
        assert!(!reminder_due(expires, d(2021, 4, 14)));
        assert!(reminder_due(expires, d(2021, 4, 15)));
        assert!(reminder_due(expires, d(2021, 6, 1)));
    }

    #[test]
    fn bad_fields_are_named() {
        let bad_mail = PolicyContent {
            contact_email: "not a mail".into(),
            ..complete()
        };
        assert_eq!(check_draft(&bad_mail).unwrap_err().field(), "contact_email");
        let http_key = PolicyContent {
            encryption_url: "http://gent.be/key.asc".into(),
            ..complete()
        };
        assert_eq!(check_draft(&http_key), Err(PolicyProblem::EncryptionUrl));
        assert!(is_https_url("https://stad.gent/pgp.asc"));
        assert!(!is_https_url("https://"));
        assert!(!is_https_url("https://a b"));
        let slow = PolicyContent {
            targets: ResponseTargets {
                acknowledge_days: 10,
                triage_days: 5,
            },
            ..complete()
        };
        assert_eq!(check_draft(&slow), Err(PolicyProblem::Targets));
        let zero = PolicyContent {
            targets: ResponseTargets {
                acknowledge_days: 0,
                triage_days: 5,
            },
            ..complete()
        };
        assert_eq!(check_draft(&zero), Err(PolicyProblem::Targets));
        let long = PolicyContent {
            out_of_scope: vec!["x".repeat(MAX_ITEM + 1)],
            ..complete()
        };
        assert_eq!(check_draft(&long), Err(PolicyProblem::ItemTooLong { field: "out_of_scope" }));
        for p in [PolicyProblem::NoContact, PolicyProblem::Expiry, PolicyProblem::NothingInScope] {
            assert!(!p.message_nl().is_empty() && p.message_nl() != p.message_en());
        }
    }

    #[test]
    fn normalising_trims_and_drops_empty_items() {
        let c = normalise(PolicyContent {
            in_scope: vec!["  www.gent.be ".into(), "   ".into()],
            contact_email: " CERT@Stad.Gent ".into(),
            intro: Bilingual::new(" a\r\nb ", "c"),
            ..Default::default()
        });
        assert_eq!(c.in_scope, ["www.gent.be"]);
        assert_eq!(c.contact_email, "cert@stad.gent");
        assert_eq!(c.intro.nl, "a\nb");
        assert_eq!(lines("a\n\n b \n"), ["a", "b"]);
    }
}
