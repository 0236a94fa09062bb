//! A security.txt as generated, and what the RFC 9116 parser (sectxtlib) finds wrong in one.

use chrono::{DateTime, Utc};

/// A security.txt generated from a published policy.
#[derive(Debug, Clone)]
pub struct SecurityTxt {
    pub text: String,
    pub expires_at: DateTime<Utc>,
    pub expired: bool,
    /// Within the reminder's 30 days of expiring.
    pub expiring_soon: bool,
    /// What the RFC 9116 parser (sectxtlib) found wrong, if anything.
    pub problems: Vec<SecurityTxtProblem>,
}

/// What the RFC 9116 check found wrong in a security.txt, as a sentence in Dutch and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityTxtProblem {
    pub en: String,
    pub nl: String,
}

impl SecurityTxtProblem {
    pub fn text(&self, dutch: bool) -> &str {
        if dutch { &self.nl } else { &self.en }
    }

    /// The parser's finding in words (its own messages are English fragments).
    fn of(e: &sectxtlib::ParseError) -> SecurityTxtProblem {
        use sectxtlib::ParseError as E;
        let (en, nl) = match e {
            E::Malformed { line } => (
                format!("Line {line} does not follow the syntax of RFC 9116."),
                format!("Regel {line} volgt de syntaxis van RFC 9116 niet."),
            ),
            E::InvalidUri { field, .. } => (
                format!("The field {field} holds an address (URI) that is not valid."),
                format!("Het veld {field} bevat een adres (URI) dat niet geldig is."),
            ),
            E::InvalidDatetime { .. } => (
                "The field Expires holds no valid date and time (RFC 3339).".to_owned(),
                "Het veld Expires bevat geen geldige datum en tijd (RFC 3339).".to_owned(),
            ),
            E::InvalidLanguageTag { tag } => (
                format!("The field Preferred-Languages holds '{tag}', which is not a language tag."),
                format!("Het veld Preferred-Languages bevat '{tag}', wat geen taalcode is."),
            ),
            E::ContactFieldMissing => (
                "The file has no Contact field, which RFC 9116 requires.".to_owned(),
                "Het bestand heeft geen veld Contact, dat RFC 9116 verplicht maakt.".to_owned(),
            ),
            E::ExpiresFieldMissing => (
                "The file has no Expires field, which RFC 9116 requires.".to_owned(),
                "Het bestand heeft geen veld Expires, dat RFC 9116 verplicht maakt.".to_owned(),
            ),
            E::ExpiresFieldExpired => (
                "The date in the field Expires has passed: the file is no longer valid.".to_owned(),
                "De datum in het veld Expires is voorbij: het bestand is niet meer geldig.".to_owned(),
            ),
            E::ExpiresFieldMultiple => (
                "The field Expires appears more than once; RFC 9116 allows it once.".to_owned(),
                "Het veld Expires staat er meer dan eens in; RFC 9116 staat het maar één keer toe.".to_owned(),
            ),
            E::PreferredLanguagesFieldMultiple => (
                "The field Preferred-Languages appears more than once; RFC 9116 allows it once.".to_owned(),
                "Het veld Preferred-Languages staat er meer dan eens in; RFC 9116 staat het maar één keer toe.".to_owned(),
            ),
            E::InsecureHTTP { field } => (
                format!("The field {field} points to an http address; RFC 9116 requires https."),
                format!("Het veld {field} verwijst naar een http-adres; RFC 9116 vereist https."),
            ),
            other => (
                format!("The file does not follow RFC 9116 ({other})."),
                format!("Het bestand volgt RFC 9116 niet ({other})."),
            ),
        };
        SecurityTxtProblem { en, nl }
    }
}

/// Checks a security.txt with the RFC 9116 parser of the `sectxtlib` crate, at `now`.
pub fn check_security_txt(text: &str, now: DateTime<Utc>) -> Vec<SecurityTxtProblem> {
    let options = sectxtlib::SecurityTxtOptions::new().with_now(now);
    match sectxtlib::SecurityTxt::parse_with(text, &options) {
        Ok(_) => Vec::new(),
        Err(e) => vec![SecurityTxtProblem::of(&e)],
    }
}
