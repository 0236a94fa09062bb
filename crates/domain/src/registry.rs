//! The registry's typed values: organisations, their identifiers, people's roles.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A REFNIS code of Statistics Belgium: five digits (municipalities and provinces).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NisCode(String);

impl NisCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for NisCode {
    type Err = IdentifierError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(NisCode(text.to_owned()))
        } else {
            Err(IdentifierError::NisCode)
        }
    }
}

/// The five Flemish provinces, for counting where the programme reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Province {
    // In the order of their Dutch names, as Flemish figures list them.
    Antwerp,
    Limburg,
    EastFlanders,
    FlemishBrabant,
    WestFlanders,
}

impl Province {
    pub const ALL: [Province; 5] = [
        Province::Antwerp,
        Province::EastFlanders,
        Province::FlemishBrabant,
        Province::Limburg,
        Province::WestFlanders,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Province::Antwerp => "antwerpen",
            Province::FlemishBrabant => "vlaams-brabant",
            Province::WestFlanders => "west-vlaanderen",
            Province::EastFlanders => "oost-vlaanderen",
            Province::Limburg => "limburg",
        }
    }

    pub const fn name_nl(self) -> &'static str {
        match self {
            Province::Antwerp => "Antwerpen",
            Province::FlemishBrabant => "Vlaams-Brabant",
            Province::WestFlanders => "West-Vlaanderen",
            Province::EastFlanders => "Oost-Vlaanderen",
            Province::Limburg => "Limburg",
        }
    }

    pub const fn name_en(self) -> &'static str {
        match self {
            Province::Antwerp => "Antwerp",
            Province::FlemishBrabant => "Flemish Brabant",
            Province::WestFlanders => "West Flanders",
            Province::EastFlanders => "East Flanders",
            Province::Limburg => "Limburg",
        }
    }

    /// The province of a Flemish municipality, from its REFNIS code: the first digit is the
    /// province (2 is Brabant, whose arrondissements 23 and 24 are Flemish); `None` outside
    /// Flanders and for codes of provinces themselves.
    pub fn of_municipality(nis: &NisCode) -> Option<Province> {
        let code = nis.as_str();
        if code.ends_with("000") || code == "20001" {
            return None;
        }
        match &code[..2] {
            "23" | "24" => Some(Province::FlemishBrabant),
            _ => match &code[..1] {
                "1" => Some(Province::Antwerp),
                "3" => Some(Province::WestFlanders),
                "4" => Some(Province::EastFlanders),
                "7" => Some(Province::Limburg),
                _ => None,
            },
        }
    }
}

/// A KBO/BCE enterprise number: ten digits, the last two a mod-97 check of the first eight.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KboNumber(String);

impl KboNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for KboNumber {
    type Err = IdentifierError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // Accept the usual ways of writing it: 0207.725.104, BE 0207 725 104, 207725104.
        let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
        let rest: String = text
            .chars()
            .filter(|c| !c.is_ascii_digit() && !matches!(c, '.' | ' ' | '-'))
            .collect();
        if !(rest.is_empty() || rest.eq_ignore_ascii_case("BE")) {
            return Err(IdentifierError::KboNumber);
        }
        let digits = match digits.len() {
            9 => format!("0{digits}"),
            10 => digits,
            _ => return Err(IdentifierError::KboNumber),
        };
        // Ten ASCII digits: both slices parse.
        let base: u64 = digits[..8].parse().map_err(|_| IdentifierError::KboNumber)?;
        let check: u64 = digits[8..].parse().map_err(|_| IdentifierError::KboNumber)?;
        if 97 - base % 97 == check {
            Ok(KboNumber(digits))
        } else {
            Err(IdentifierError::KboNumber)
        }
    }
}

/// SEC-4: an email address, lower-cased; checked for shape, not deliverability: a dot-atom before
/// the `@` (RFC 5322's atext: letters, digits and ``!#$%&'*+/=?^_`{|}~-``, dots between), and a
/// domain of at least two labels of letters, digits and hyphens (an internationalised domain in its
/// `xn--` form). Quoted local parts and address literals are not taken: nobody needs them here, and
/// they are how markup gets into an address (issue 10, item 13).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for EmailAddress {
    type Err = IdentifierError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim().to_lowercase();
        let valid = text.len() <= 254 && matches!(text.split_once('@'), Some((local, domain)) if is_dot_atom(local) && is_domain(domain));
        if valid {
            Ok(EmailAddress(text))
        } else {
            Err(IdentifierError::Email)
        }
    }
}

/// RFC 5322 section 3.2.3: atoms of atext joined by single dots, at most 64 characters.
fn is_dot_atom(local: &str) -> bool {
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    local.len() <= 64 && local.split('.').all(|atom| !atom.is_empty() && atom.chars().all(atext))
}

/// At least two labels of letters, digits and hyphens, none starting or ending with a hyphen;
/// the last not all digits (no address literal).
fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

macro_rules! string_newtype_conversions {
    ($($t:ty),*) => {$(
        impl TryFrom<String> for $t {
            type Error = IdentifierError;
            fn try_from(text: String) -> Result<Self, Self::Error> { text.parse() }
        }
        impl From<$t> for String {
            fn from(value: $t) -> String { value.0 }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(&self.0) }
        }
    )*};
}
string_newtype_conversions!(NisCode, KboNumber, EmailAddress);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("a NIS code is five digits, such as 44021")]
    NisCode,
    #[error("a KBO number is ten digits whose last two are a mod-97 check, such as 0207.725.104")]
    KboNumber,
    #[error("this is not an email address")]
    Email,
}

/// What an organisation is, which decides what it may do in the programme (D2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Gemeente,
    Ocmw,
    Provincie,
    Politiezone,
    Hulpverleningszone,
    IntergemeentelijkSamenwerkingsverband,
    AuditFirm,
    Association,
    Administration,
    EducationPartner,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 10] = [
        Self::Gemeente,
        Self::Ocmw,
        Self::Provincie,
        Self::Politiezone,
        Self::Hulpverleningszone,
        Self::IntergemeentelijkSamenwerkingsverband,
        Self::AuditFirm,
        Self::Association,
        Self::Administration,
        Self::EducationPartner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gemeente => "gemeente",
            Self::Ocmw => "ocmw",
            Self::Provincie => "provincie",
            Self::Politiezone => "politiezone",
            Self::Hulpverleningszone => "hulpverleningszone",
            Self::IntergemeentelijkSamenwerkingsverband => "intergemeentelijk_samenwerkingsverband",
            Self::AuditFirm => "audit_firm",
            Self::Association => "association",
            Self::Administration => "administration",
            Self::EducationPartner => "education_partner",
        }
    }

    /// Local governments are the programme's customers; the rest are its actors.
    pub fn is_local_government(self) -> bool {
        matches!(
            self,
            Self::Gemeente
                | Self::Ocmw
                | Self::Provincie
                | Self::Politiezone
                | Self::Hulpverleningszone
                | Self::IntergemeentelijkSamenwerkingsverband
        )
    }
}

impl FromStr for OrganisationKind {
    type Err = UnknownValue;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == text).ok_or(UnknownValue)
    }
}

/// A person's role in the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    ProgrammeAdmin,
    GovernmentMember,
    FirmMember,
    AssociationMember,
    Researcher,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::ProgrammeAdmin,
        Self::GovernmentMember,
        Self::FirmMember,
        Self::AssociationMember,
        Self::Researcher,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProgrammeAdmin => "programme_admin",
            Self::GovernmentMember => "government_member",
            Self::FirmMember => "firm_member",
            Self::AssociationMember => "association_member",
            Self::Researcher => "researcher",
        }
    }
}

impl Role {
    /// Whether a person with this role can belong to an organisation of this kind: an
    /// administrator to an administration, a government's contact to a local government, a firm
    /// member to an audit firm, an association member to an association, a researcher to an
    /// education partner.
    pub fn fits(self, kind: OrganisationKind) -> bool {
        use OrganisationKind as K;
        match self {
            Self::ProgrammeAdmin => kind == K::Administration,
            Self::GovernmentMember => kind.is_local_government(),
            Self::FirmMember => kind == K::AuditFirm,
            Self::AssociationMember => kind == K::Association,
            Self::Researcher => kind == K::EducationPartner,
        }
    }
}

impl FromStr for Role {
    type Err = UnknownValue;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|r| r.as_str() == text).ok_or(UnknownValue)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown value")]
pub struct UnknownValue;

#[cfg(test)]
mod tests {
    #[test]
    fn a_municipality_lies_in_its_flemish_province() {
        let province = |code: &str| Province::of_municipality(&code.parse().unwrap());
        assert_eq!(province("11002"), Some(Province::Antwerp));
        assert_eq!(province("24062"), Some(Province::FlemishBrabant));
        assert_eq!(province("37018"), Some(Province::WestFlanders));
        assert_eq!(province("44021"), Some(Province::EastFlanders));
        assert_eq!(province("71022"), Some(Province::Limburg));
        assert_eq!(province("25005"), None, "Walloon Brabant");
        assert_eq!(province("21004"), None, "Brussels");
        assert_eq!(province("62063"), None, "Liège");
        assert_eq!(province("30000"), None, "a province itself");
    }

    use super::*;

    #[test]
    fn each_role_fits_its_kind_of_organisation_only() {
        use OrganisationKind as K;
        assert!(Role::ProgrammeAdmin.fits(K::Administration));
        assert!(!Role::ProgrammeAdmin.fits(K::AuditFirm));
        assert!(Role::GovernmentMember.fits(K::Gemeente) && Role::GovernmentMember.fits(K::Politiezone));
        assert!(!Role::GovernmentMember.fits(K::Association));
        assert!(Role::FirmMember.fits(K::AuditFirm) && !Role::FirmMember.fits(K::Gemeente));
        assert!(Role::AssociationMember.fits(K::Association));
        assert!(Role::Researcher.fits(K::EducationPartner) && !Role::Researcher.fits(K::Administration));
        for role in Role::ALL {
            assert!(OrganisationKind::ALL.iter().any(|k| role.fits(*k)), "{role:?} fits no kind");
        }
    }

    #[test]
    fn nis_codes_are_five_digits() {
        assert_eq!("44021".parse::<NisCode>().unwrap().as_str(), "44021");
        assert!("4402".parse::<NisCode>().is_err());
        assert!("4402a".parse::<NisCode>().is_err());
        assert!("440210".parse::<NisCode>().is_err());
    }

    #[test]
    fn kbo_numbers_carry_a_mod_97_check() {
        // Vlaamse Gemeenschap / Vlaams Gewest: 0316.380.940.
        assert_eq!("0316.380.940".parse::<KboNumber>().unwrap().as_str(), "0316380940");
        assert_eq!("BE 0316 380 940".parse::<KboNumber>().unwrap().as_str(), "0316380940");
        assert_eq!("316380940".parse::<KboNumber>().unwrap().as_str(), "0316380940");
        assert_eq!("0316.380.941".parse::<KboNumber>(), Err(IdentifierError::KboNumber));
        assert_eq!("NL 0316.380.940".parse::<KboNumber>(), Err(IdentifierError::KboNumber));
        assert_eq!("12".parse::<KboNumber>(), Err(IdentifierError::KboNumber));
    }

    #[test]
    fn email_addresses_are_normalised() {
        assert_eq!("  Admin@ABB.test ".parse::<EmailAddress>().unwrap().as_str(), "admin@abb.test");
        for bad in ["", "no-at", "@x.be", "a@b", "a@.be", "a b@c.be", "a@b@c.be"] {
            assert!(bad.parse::<EmailAddress>().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_email_address_carries_no_markup() {
        for good in [
            "cert@stad.gent",
            "jan.peeters+cyber@gemeente-x.be",
            "o'brien@example.test",
            "44021@gemeente.test",
            "x@xn--bcher-kva.example",
        ] {
            assert!(good.parse::<EmailAddress>().is_ok(), "{good}");
        }
        for bad in [
            "\"><script>alert(1)</script>@x.test",
            "<a@x.test>",
            "\"quoted\"@x.test",
            "a..b@x.test",
            ".a@x.test",
            "a.@x.test",
            "a@-x.test",
            "a@x-.test",
            "a@[192.0.2.1]",
            "a@192.0.2.1",
            "a@x_y.test",
            "jan@gémeente.be",
            "a\nb@x.test",
        ] {
            assert!(bad.parse::<EmailAddress>().is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_and_roles_round_trip() {
        for kind in OrganisationKind::ALL {
            assert_eq!(kind.as_str().parse::<OrganisationKind>(), Ok(kind));
        }
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }
}
