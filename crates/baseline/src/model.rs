//! What a scan produces: checks, verdicts, outcomes, and what is scanned (targets).

use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::reason::{Lang, Reason};

/// The four groups of checks, each scored on its own by part B.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Web,
    Dns,
    Mail,
    Exposure,
}

impl Category {
    pub const ALL: [Category; 4] = [Category::Web, Category::Dns, Category::Mail, Category::Exposure];

    /// `web`, `dns`, `mail`, `exposure`.
    pub fn code(self) -> &'static str {
        match self {
            Category::Web => "web",
            Category::Dns => "dns",
            Category::Mail => "mail",
            Category::Exposure => "exposure",
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Category::Web, Lang::Nl) => "Website",
            (Category::Web, Lang::En) => "Website",
            (Category::Dns, Lang::Nl) => "DNS",
            (Category::Dns, Lang::En) => "DNS",
            (Category::Mail, Lang::Nl) => "E-mail",
            (Category::Mail, Lang::En) => "Email",
            (Category::Exposure, Lang::Nl) => "Blootgestelde diensten",
            (Category::Exposure, Lang::En) => "Exposed services",
        }
    }
}

/// How serious a failing check is, for the finding it becomes (the same five words as the findings register).
/// A warning is one step lower than the check's severity, never below `low`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// `low`, `medium`, `high`, `critical`.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// One step lower, never below `low`.
    pub fn lower(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium | Severity::Low => Severity::Low,
        }
    }
}

macro_rules! checks {
    ($($variant:ident = $code:literal, $cat:ident, $sev:ident, $nl:literal, $en:literal;)*) => {
        /// Every check the scanner runs. The code (`web-hsts`) is stable: findings and scores are keyed on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Check {
            $($variant,)*
        }

        impl Check {
            /// Every check, in the order of CHECKS.md.
            pub const ALL: &'static [Check] = &[$(Check::$variant,)*];

            /// The stable code, such as `web-hsts`.
            pub fn code(self) -> &'static str {
                match self {
                    $(Check::$variant => $code,)*
                }
            }

            /// The inverse of [`Check::code`].
            pub fn from_code(code: &str) -> Option<Check> {
                match code {
                    $($code => Some(Check::$variant),)*
                    _ => None,
                }
            }

            pub fn category(self) -> Category {
                match self {
                    $(Check::$variant => Category::$cat,)*
                }
            }

            /// The severity of the finding a failing outcome becomes.
            pub fn severity(self) -> Severity {
                match self {
                    $(Check::$variant => Severity::$sev,)*
                }
            }

            /// A short title in the language asked for.
            pub fn title(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::Nl => match self {
                        $(Check::$variant => $nl,)*
                    },
                    Lang::En => match self {
                        $(Check::$variant => $en,)*
                    },
                }
            }
        }
    };
}

checks! {
    WebHttps = "web-https", Web, High, "Bereikbaar over HTTPS", "Reachable over HTTPS";
    WebHttpRedirect = "web-http-redirect", Web, Medium, "HTTP stuurt door naar HTTPS", "HTTP redirects to HTTPS";
    WebHsts = "web-hsts", Web, Medium, "HSTS van minstens een jaar", "HSTS of at least one year";
    WebTlsVersion = "web-tls-version", Web, High, "TLS-versies", "TLS versions";
    WebTlsCiphers = "web-tls-ciphers", Web, Medium, "Cipher suites", "Cipher suites";
    WebTlsKeyExchange = "web-tls-key-exchange", Web, Medium, "Sleuteluitwisseling", "Key exchange";
    WebTlsCompression = "web-tls-compression", Web, Medium, "TLS-compressie", "TLS compression";
    WebTlsRenegotiation = "web-tls-renegotiation", Web, Medium, "Veilige heronderhandeling", "Secure renegotiation";
    WebCertTrust = "web-cert-trust", Web, High, "Certificaat vertrouwd", "Certificate trusted";
    WebCertName = "web-cert-name", Web, High, "Certificaat voor de naam", "Certificate for the name";
    WebCertExpiry = "web-cert-expiry", Web, High, "Certificaat geldig", "Certificate valid";
    WebCertKey = "web-cert-key", Web, Medium, "Sleutel van het certificaat", "Certificate key";
    WebCertSignature = "web-cert-signature", Web, Medium, "Handtekening van het certificaat", "Certificate signature";
    WebCsp = "web-csp", Web, Low, "Content-Security-Policy", "Content-Security-Policy";
    WebContentTypeOptions = "web-content-type-options", Web, Low, "X-Content-Type-Options", "X-Content-Type-Options";
    WebFrameOptions = "web-frame-options", Web, Low, "Bescherming tegen inkaderen", "Framing protection";
    WebReferrerPolicy = "web-referrer-policy", Web, Low, "Referrer-Policy", "Referrer-Policy";
    WebSecurityTxt = "web-security-txt", Web, Low, "security.txt", "security.txt";
    DnsDnssecSigned = "dns-dnssec-signed", Dns, Medium, "DNSSEC ondertekend", "DNSSEC signed";
    DnsDnssecValid = "dns-dnssec-valid", Dns, High, "DNSSEC geldig", "DNSSEC valid";
    DnsIpv6Web = "dns-ipv6-web", Dns, Low, "IPv6 voor de webserver", "IPv6 for the web server";
    DnsIpv6Mail = "dns-ipv6-mail", Dns, Low, "IPv6 voor de mailservers", "IPv6 for the mail servers";
    DnsIpv6Ns = "dns-ipv6-ns", Dns, Low, "IPv6 voor de naamservers", "IPv6 for the name servers";
    MailSpf = "mail-spf", Mail, Medium, "SPF", "SPF";
    MailDmarc = "mail-dmarc", Mail, Medium, "DMARC-beleid", "DMARC policy";
    MailStarttls = "mail-starttls", Mail, High, "STARTTLS", "STARTTLS";
    MailTlsVersion = "mail-tls-version", Mail, High, "TLS-versies (mail)", "TLS versions (mail)";
    MailTlsCiphers = "mail-tls-ciphers", Mail, Medium, "Cipher suites (mail)", "Cipher suites (mail)";
    MailTlsKeyExchange = "mail-tls-key-exchange", Mail, Medium, "Sleuteluitwisseling (mail)", "Key exchange (mail)";
    MailTlsCompression = "mail-tls-compression", Mail, Medium, "TLS-compressie (mail)", "TLS compression (mail)";
    MailTlsRenegotiation = "mail-tls-renegotiation", Mail, Medium, "Veilige heronderhandeling (mail)", "Secure renegotiation (mail)";
    MailCertTrust = "mail-cert-trust", Mail, Low, "Certificaat vertrouwd (mail)", "Certificate trusted (mail)";
    MailCertName = "mail-cert-name", Mail, Low, "Certificaat voor de naam (mail)", "Certificate for the name (mail)";
    MailCertExpiry = "mail-cert-expiry", Mail, Medium, "Certificaat geldig (mail)", "Certificate valid (mail)";
    MailCertKey = "mail-cert-key", Mail, Medium, "Sleutel van het certificaat (mail)", "Certificate key (mail)";
    MailCertSignature = "mail-cert-signature", Mail, Medium, "Handtekening van het certificaat (mail)", "Certificate signature (mail)";
    MailDane = "mail-dane", Mail, Medium, "DANE", "DANE";
    MailMtaSts = "mail-mta-sts", Mail, Low, "MTA-STS", "MTA-STS";
    MailTlsRpt = "mail-tls-rpt", Mail, Low, "TLS-RPT", "TLS-RPT";
    ExposureRdp = "exposure-rdp", Exposure, Critical, "Extern bureaublad (RDP)", "Remote desktop (RDP)";
    ExposureSmb = "exposure-smb", Exposure, Critical, "Windows-bestandsdeling (SMB)", "Windows file sharing (SMB)";
    ExposureTelnet = "exposure-telnet", Exposure, High, "Telnet", "Telnet";
    ExposureDatabase = "exposure-database", Exposure, High, "Databanken", "Databases";
    ExposureVnc = "exposure-vnc", Exposure, High, "VNC", "VNC";
    ExposureAdminPanel = "exposure-admin-panel", Exposure, High, "Beheerpanelen", "Admin panels";
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Check {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Check {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Check, D::Error> {
        let code = String::deserialize(d)?;
        Check::from_code(&code).ok_or_else(|| serde::de::Error::custom(format!("unknown check {code:?}")))
    }
}

/// The result of one check on one subject.
///
/// `Pass`, `Warning` and `Fail` are verdicts on what was seen. `NotApplicable` says the check does not apply (no mail
/// servers, a zone without DNSSEC for DANE). `Unknown` says the scanner could not tell (a timeout, no HTTPS to read
/// headers over, an address the politeness rules refused): part B leaves earlier findings as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Warning,
    Fail,
    NotApplicable,
    Unknown,
}

impl Verdict {
    /// `pass`, `warning`, `fail`, `not_applicable`, `unknown`.
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warning => "warning",
            Verdict::Fail => "fail",
            Verdict::NotApplicable => "not_applicable",
            Verdict::Unknown => "unknown",
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Verdict::Pass, Lang::Nl) => "In orde",
            (Verdict::Pass, Lang::En) => "Pass",
            (Verdict::Warning, Lang::Nl) => "Waarschuwing",
            (Verdict::Warning, Lang::En) => "Warning",
            (Verdict::Fail, Lang::Nl) => "Niet in orde",
            (Verdict::Fail, Lang::En) => "Fail",
            (Verdict::NotApplicable, Lang::Nl) => "Niet van toepassing",
            (Verdict::NotApplicable, Lang::En) => "Not applicable",
            (Verdict::Unknown, Lang::Nl) => "Niet getest",
            (Verdict::Unknown, Lang::En) => "Not tested",
        }
    }

    /// Whether a finding should be open for this outcome (a failure or a warning).
    pub fn is_finding(self) -> bool {
        matches!(self, Verdict::Warning | Verdict::Fail)
    }

    /// The worse of two verdicts for a summary: fail > warning > pass; unknown and not applicable give way to any
    /// verdict on what was seen.
    pub fn worst(self, other: Verdict) -> Verdict {
        fn rank(v: Verdict) -> u8 {
            match v {
                Verdict::NotApplicable => 0,
                Verdict::Unknown => 1,
                Verdict::Pass => 2,
                Verdict::Warning => 3,
                Verdict::Fail => 4,
            }
        }
        if rank(other) > rank(self) { other } else { self }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What an outcome is about: a name, an address, a port, or a combination.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    /// A host or domain name, lower case, without the final dot.
    pub name: Option<String>,
    pub address: Option<IpAddr>,
    pub port: Option<u16>,
}

impl Subject {
    pub fn name(name: &str) -> Subject {
        Subject {
            name: Some(name.to_string()),
            address: None,
            port: None,
        }
    }

    pub fn service(name: &str, port: u16) -> Subject {
        Subject {
            name: Some(name.to_string()),
            address: None,
            port: Some(port),
        }
    }

    pub fn address(address: IpAddr) -> Subject {
        Subject {
            name: None,
            address: Some(address),
            port: None,
        }
    }

    pub fn endpoint(address: IpAddr, port: u16) -> Subject {
        Subject {
            name: None,
            address: Some(address),
            port: Some(port),
        }
    }
}

impl fmt::Display for Subject {
    /// `gent.be`, `mx1.gent.be:25`, `192.0.2.10:3389`, `[2001:db8::1]:445`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, self.address) {
            (Some(name), _) => f.write_str(name)?,
            (None, Some(IpAddr::V6(a))) if self.port.is_some() => write!(f, "[{a}]")?,
            (None, Some(a)) => write!(f, "{a}")?,
            (None, None) => f.write_str("-")?,
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

/// One thing the scanner saw, for the finding's evidence: a stable key (listed in CHECKS.md) and the value seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub key: String,
    pub value: String,
}

impl Evidence {
    pub fn new(key: &str, value: impl Into<String>) -> Evidence {
        Evidence {
            key: key.to_string(),
            value: value.into(),
        }
    }
}

/// The outcome of one check on one subject: the verdict, why, and what was seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub check: Check,
    pub subject: Subject,
    pub verdict: Verdict,
    pub reason: Reason,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    pub fn new(check: Check, subject: Subject, verdict: Verdict, reason: Reason) -> Outcome {
        Outcome {
            check,
            subject,
            verdict,
            reason,
            evidence: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<String>) -> Outcome {
        self.evidence.push(Evidence::new(key, value));
        self
    }

    pub fn with_evidence(mut self, evidence: Vec<Evidence>) -> Outcome {
        self.evidence.extend(evidence);
        self
    }

    /// The key a finding is deduplicated on between scans: the check and the subject, never the evidence (which
    /// changes from scan to scan: dates, lists).
    pub fn key(&self) -> String {
        format!("{}|{}", self.check.code(), self.subject)
    }

    /// The severity of the finding this outcome becomes, if any: the check's severity for a failure, one step lower
    /// for a warning.
    pub fn severity(&self) -> Option<Severity> {
        match self.verdict {
            Verdict::Fail => Some(self.check.severity()),
            Verdict::Warning => Some(self.check.severity().lower()),
            _ => None,
        }
    }

    /// The evidence value under a key, if seen.
    pub fn evidence(&self, key: &str) -> Option<&str> {
        self.evidence.iter().find(|e| e.key == key).map(|e| e.value.as_str())
    }
}

/// A verdict with its reason and evidence, before it is tied to a check and a subject: what the pure check
/// functions return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub reason: Reason,
    pub evidence: Vec<Evidence>,
}

impl Judgement {
    pub fn new(verdict: Verdict, reason: Reason) -> Judgement {
        Judgement {
            verdict,
            reason,
            evidence: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<String>) -> Judgement {
        self.evidence.push(Evidence::new(key, value));
        self
    }

    pub fn outcome(self, check: Check, subject: Subject) -> Outcome {
        Outcome {
            check,
            subject,
            verdict: self.verdict,
            reason: self.reason,
            evidence: self.evidence,
        }
    }
}

/// Which groups of checks to run on a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Categories {
    pub web: bool,
    pub dns: bool,
    pub mail: bool,
    pub exposure: bool,
}

impl Categories {
    pub const ALL: Categories = Categories {
        web: true,
        dns: true,
        mail: true,
        exposure: true,
    };

    pub fn contains(self, category: Category) -> bool {
        match category {
            Category::Web => self.web,
            Category::Dns => self.dns,
            Category::Mail => self.mail,
            Category::Exposure => self.exposure,
        }
    }
}

/// A name that is not a valid host or domain name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a valid host or domain name: {0:?}")]
pub struct InvalidName(pub String);

/// What to scan: a registered system of a government. Only targets handed to the scanner are scanned (with their
/// addresses, mail servers and the `mta-sts.` host of their domain, which belong to them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// A host or domain name in ASCII (internationalised names are converted), lower case, without the final dot.
    pub name: Option<String>,
    /// Addresses to check for exposed services besides those the name resolves to (an IP asset).
    pub addresses: Vec<IpAddr>,
    pub categories: Categories,
}

impl Target {
    /// A government's domain (`gent.be`): every check: its website, DNS, mail and the addresses it resolves to.
    pub fn domain(name: &str) -> Result<Target, InvalidName> {
        Ok(Target {
            name: Some(normalise_name(name)?),
            addresses: Vec::new(),
            categories: Categories::ALL,
        })
    }

    /// A host (`loket.gent.be`): its website, DNS and exposed services, no mail checks.
    pub fn host(name: &str) -> Result<Target, InvalidName> {
        Ok(Target {
            name: Some(normalise_name(name)?),
            addresses: Vec::new(),
            categories: Categories {
                web: true,
                dns: true,
                mail: false,
                exposure: true,
            },
        })
    }

    /// An address (`192.0.2.10`): exposed services only.
    pub fn address(address: IpAddr) -> Target {
        Target {
            name: None,
            addresses: vec![address],
            categories: Categories {
                web: false,
                dns: false,
                mail: false,
                exposure: true,
            },
        }
    }
}

/// Lower-cases a host name, converts an internationalised name to ASCII, drops a final dot and checks the syntax
/// (labels of letters, digits and hyphens, 1 to 63 characters, not starting or ending with a hyphen; at most 253
/// characters; at least two labels). An underscore is allowed, as in service names.
pub fn normalise_name(name: &str) -> Result<String, InvalidName> {
    let trimmed = name.trim().trim_end_matches('.');
    let ascii = idna::domain_to_ascii(trimmed).map_err(|_| InvalidName(name.to_string()))?;
    let ok = !ascii.is_empty()
        && ascii.len() <= 253
        && ascii.contains('.')
        && ascii.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        && ascii.parse::<IpAddr>().is_err();
    if ok { Ok(ascii) } else { Err(InvalidName(name.to_string())) }
}

/// Everything one scan of one target found.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    pub target: Target,
    /// The moment the scan judged against (certificates, security.txt): the injected clock.
    pub at: DateTime<Utc>,
    pub outcomes: Vec<Outcome>,
    /// Connections opened for this scan.
    pub connections: u64,
}

impl Report {
    /// The outcomes of one check.
    pub fn of(&self, check: Check) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(move |o| o.check == check)
    }

    /// The worst verdict of a check over its subjects (`NotApplicable` when it was not run at all).
    pub fn verdict(&self, check: Check) -> Verdict {
        self.of(check).fold(Verdict::NotApplicable, |v, o| v.worst(o.verdict))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &check in Check::ALL {
            assert!(seen.insert(check.code()), "duplicate code {}", check.code());
            assert_eq!(Check::from_code(check.code()), Some(check));
            assert!(
                check.code().starts_with(check.category().code()),
                "{} is not in {:?}",
                check,
                check.category()
            );
            assert!(!check.title(Lang::Nl).is_empty() && !check.title(Lang::En).is_empty());
        }
        assert_eq!(Check::from_code("web-nonsense"), None);
    }

    #[test]
    fn names_are_normalised_and_checked() {
        assert_eq!(normalise_name("Gent.BE.").unwrap(), "gent.be");
        assert_eq!(normalise_name("sint-niklaas.be").unwrap(), "sint-niklaas.be");
        assert_eq!(normalise_name("_dmarc.gent.be").unwrap(), "_dmarc.gent.be");
        assert_eq!(normalise_name("ingelmünster.be").unwrap(), "xn--ingelmnster-yhb.be");
        for bad in [
            "",
            "gent",
            "-gent.be",
            "gent-.be",
            "gent..be",
            "192.0.2.1",
            "a b.be",
            &"x".repeat(64),
        ] {
            assert!(normalise_name(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn subjects_display_as_people_write_them() {
        assert_eq!(Subject::name("gent.be").to_string(), "gent.be");
        assert_eq!(Subject::service("mx.gent.be", 25).to_string(), "mx.gent.be:25");
        assert_eq!(
            Subject::endpoint("192.0.2.10".parse().unwrap(), 3389).to_string(),
            "192.0.2.10:3389"
        );
        assert_eq!(
            Subject::endpoint("2001:db8::1".parse().unwrap(), 445).to_string(),
            "[2001:db8::1]:445"
        );
        assert_eq!(Subject::address("2001:db8::1".parse().unwrap()).to_string(), "2001:db8::1");
    }

    #[test]
    fn worst_verdict_prefers_what_was_seen() {
        assert_eq!(Verdict::Pass.worst(Verdict::Fail), Verdict::Fail);
        assert_eq!(Verdict::Warning.worst(Verdict::Pass), Verdict::Warning);
        assert_eq!(Verdict::Unknown.worst(Verdict::Pass), Verdict::Pass);
        assert_eq!(Verdict::NotApplicable.worst(Verdict::Unknown), Verdict::Unknown);
    }

    #[test]
    fn a_warning_is_one_step_lower() {
        let fail = Outcome::new(
            Check::ExposureRdp,
            Subject::name("a.be"),
            Verdict::Fail,
            Reason::new(crate::reason::ReasonCode::PortOpen),
        );
        assert_eq!(fail.severity(), Some(Severity::Critical));
        let warn = Outcome {
            verdict: Verdict::Warning,
            ..fail.clone()
        };
        assert_eq!(warn.severity(), Some(Severity::High));
        let pass = Outcome {
            verdict: Verdict::Pass,
            ..fail
        };
        assert_eq!(pass.severity(), None);
        assert_eq!(Severity::Low.lower(), Severity::Low);
    }
}
