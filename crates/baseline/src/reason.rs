//! Why an outcome is what it is: a stable code with named values, and its text in Dutch and English.
//!
//! The portal may show [`Reason::message`] as is, or translate [`ReasonCode::code`] itself with the same values. The
//! values are language-neutral (numbers, names, dates in RFC 3339, protocol tokens such as `TLS 1.0`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The two languages of the portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Nl,
    En,
}

macro_rules! reasons {
    ($($variant:ident = $code:literal { nl: $nl:literal, en: $en:literal })*) => {
        /// Every reason an outcome can give.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ReasonCode {
            $($variant,)*
        }

        impl ReasonCode {
            pub const ALL: &'static [ReasonCode] = &[$(ReasonCode::$variant,)*];

            /// The stable code, such as `hsts-short`.
            pub fn code(self) -> &'static str {
                match self {
                    $(ReasonCode::$variant => $code,)*
                }
            }

            pub fn from_code(code: &str) -> Option<ReasonCode> {
                match code {
                    $($code => Some(ReasonCode::$variant),)*
                    _ => None,
                }
            }

            /// The text with `{placeholders}` for the values.
            pub fn template(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::Nl => match self {
                        $(ReasonCode::$variant => $nl,)*
                    },
                    Lang::En => match self {
                        $(ReasonCode::$variant => $en,)*
                    },
                }
            }
        }
    };
}

reasons! {
    // Reaching the subject at all.
    NoAddress = "no-address" {
        nl: "{name} heeft geen IPv4- of IPv6-adres.",
        en: "{name} has no IPv4 or IPv6 address."
    }
    AddressRefused = "address-refused" {
        nl: "Het adres {address} ligt niet op het publieke internet (loopback, privé, link-local of gereserveerd) en wordt niet gescand.",
        en: "The address {address} is not on the public internet (loopback, private, link-local or reserved) and is not scanned."
    }
    DnsError = "dns-error" {
        nl: "De DNS-opvraging van {name} mislukte: {error}.",
        en: "The DNS lookup of {name} failed: {error}."
    }
    Unreachable = "unreachable" {
        nl: "Geen verbinding met {endpoint}: {error}.",
        en: "Could not connect to {endpoint}: {error}."
    }
    NoHttps = "no-https" {
        nl: "Niet getest: de website is niet bereikbaar over HTTPS.",
        en: "Not tested: the website is not reachable over HTTPS."
    }
    NoModernTls = "no-modern-tls" {
        nl: "Niet getest: de server spreekt geen TLS 1.2 of 1.3 met een gangbare client, dus de HTTP-antwoorden konden niet gelezen worden.",
        en: "Not tested: the server does not speak TLS 1.2 or 1.3 with a common client, so its HTTP responses could not be read."
    }
    HttpError = "http-error" {
        nl: "Geen bruikbaar HTTP-antwoord van {url}: {error}.",
        en: "No usable HTTP response from {url}: {error}."
    }
    // web-https
    HttpsOk = "https-ok" {
        nl: "De website is bereikbaar over HTTPS ({version}).",
        en: "The website is reachable over HTTPS ({version})."
    }
    HttpsClosed = "https-closed" {
        nl: "Poort 443 antwoordt niet: de website is niet bereikbaar over HTTPS.",
        en: "Port 443 does not answer: the website is not reachable over HTTPS."
    }
    HttpsNoTls = "https-no-tls" {
        nl: "Poort 443 antwoordt, maar er komt geen TLS-verbinding tot stand: {error}.",
        en: "Port 443 answers, but no TLS connection can be made: {error}."
    }
    // web-http-redirect
    RedirectOk = "redirect-ok" {
        nl: "HTTP stuurt door naar HTTPS op dezelfde naam ({location}).",
        en: "HTTP redirects to HTTPS on the same name ({location})."
    }
    RedirectHttpsOnly = "redirect-https-only" {
        nl: "Poort 80 antwoordt niet: de website is alleen over HTTPS bereikbaar.",
        en: "Port 80 does not answer: the website is only reachable over HTTPS."
    }
    RedirectMissing = "redirect-missing" {
        nl: "HTTP antwoordt met status {status} zonder door te sturen naar HTTPS.",
        en: "HTTP answers with status {status} without redirecting to HTTPS."
    }
    RedirectNotHttps = "redirect-not-https" {
        nl: "HTTP stuurt door naar {location}, niet naar HTTPS.",
        en: "HTTP redirects to {location}, not to HTTPS."
    }
    RedirectOtherHost = "redirect-other-host" {
        nl: "HTTP stuurt meteen door naar {location}: stuur eerst door naar HTTPS op dezelfde naam, pas daarna naar een andere naam.",
        en: "HTTP redirects straight to {location}: redirect to HTTPS on the same name first, and only then to another name."
    }
    // web-hsts
    HstsOk = "hsts-ok" {
        nl: "HSTS met max-age {max_age} seconden (minstens een jaar).",
        en: "HSTS with max-age {max_age} seconds (at least a year)."
    }
    HstsMissing = "hsts-missing" {
        nl: "De website stuurt geen Strict-Transport-Security-header.",
        en: "The website sends no Strict-Transport-Security header."
    }
    HstsShort = "hsts-short" {
        nl: "HSTS met max-age {max_age} seconden: korter dan een jaar (31536000).",
        en: "HSTS with max-age {max_age} seconds: shorter than a year (31536000)."
    }
    HstsInvalid = "hsts-invalid" {
        nl: "De Strict-Transport-Security-header is ongeldig: {value}.",
        en: "The Strict-Transport-Security header is invalid: {value}."
    }
    // TLS
    TlsVersionOk = "tls-version-ok" {
        nl: "Alleen veilige TLS-versies: {versions}.",
        en: "Secure TLS versions only: {versions}."
    }
    TlsVersionInsufficient = "tls-version-insufficient" {
        nl: "Onvoldoende veilige TLS-versies aanvaard: {insufficient}.",
        en: "Insufficiently secure TLS versions accepted: {insufficient}."
    }
    TlsVersionNone = "tls-version-none" {
        nl: "De server aanvaardde geen enkele TLS-versie.",
        en: "The server accepted no TLS version at all."
    }
    CiphersOk = "ciphers-ok" {
        nl: "Alleen goede en voldoende veilige cipher suites.",
        en: "Good and sufficiently secure cipher suites only."
    }
    CiphersPhaseOut = "ciphers-phase-out" {
        nl: "Cipher suites die uitgefaseerd moeten worden: {suites}.",
        en: "Cipher suites that should be phased out: {suites}."
    }
    CiphersInsufficient = "ciphers-insufficient" {
        nl: "Onvoldoende veilige cipher suites: {suites}.",
        en: "Insufficiently secure cipher suites: {suites}."
    }
    KexOk = "kex-ok" {
        nl: "Veilige parameters voor de sleuteluitwisseling.",
        en: "Secure key exchange parameters."
    }
    KexPhaseOut = "kex-phase-out" {
        nl: "Parameters voor de sleuteluitwisseling die uitgefaseerd moeten worden: {parameters}.",
        en: "Key exchange parameters that should be phased out: {parameters}."
    }
    KexInsufficient = "kex-insufficient" {
        nl: "Onvoldoende veilige parameters voor de sleuteluitwisseling: {parameters}.",
        en: "Insufficiently secure key exchange parameters: {parameters}."
    }
    CompressionOff = "compression-off" {
        nl: "De server ondersteunt geen TLS-compressie.",
        en: "The server does not support TLS compression."
    }
    CompressionOn = "compression-on" {
        nl: "De server ondersteunt TLS-compressie ({version}): onveilig (CRIME).",
        en: "The server supports TLS compression ({version}): insecure (CRIME)."
    }
    RenegotiationSecure = "renegotiation-secure" {
        nl: "De server ondersteunt alleen veilige heronderhandeling (of alleen TLS 1.3).",
        en: "The server supports secure renegotiation only (or TLS 1.3 only)."
    }
    RenegotiationInsecure = "renegotiation-insecure" {
        nl: "De server ondersteunt geen veilige heronderhandeling (RFC 5746) bij {version}.",
        en: "The server does not support secure renegotiation (RFC 5746) with {version}."
    }
    // Certificates
    NoCertificate = "no-certificate" {
        nl: "Niet getest: de server stuurde geen certificaat.",
        en: "Not tested: the server sent no certificate."
    }
    TrustOk = "trust-ok" {
        nl: "De keten is volledig en eindigt bij een vertrouwde uitgever ({issuer}).",
        en: "The chain is complete and ends at a trusted issuer ({issuer})."
    }
    TrustUnknownIssuer = "trust-unknown-issuer" {
        nl: "De uitgever ({issuer}) is niet vertrouwd, of de server stuurt niet alle tussenliggende certificaten mee.",
        en: "The issuer ({issuer}) is not trusted, or the server does not send all intermediate certificates."
    }
    TrustBadSignature = "trust-bad-signature" {
        nl: "Een handtekening in de keten van het certificaat klopt niet.",
        en: "A signature in the certificate chain is not valid."
    }
    TrustInvalid = "trust-invalid" {
        nl: "Het certificaat is niet geldig: {error}.",
        en: "The certificate is not valid: {error}."
    }
    NameOk = "name-ok" {
        nl: "Het certificaat geldt voor {name}.",
        en: "The certificate is valid for {name}."
    }
    NameMismatch = "name-mismatch" {
        nl: "Het certificaat geldt niet voor {name}, wel voor: {names}.",
        en: "The certificate is not valid for {name}, only for: {names}."
    }
    ExpiryOk = "expiry-ok" {
        nl: "Geldig tot {not_after}.",
        en: "Valid until {not_after}."
    }
    ExpirySoon = "expiry-soon" {
        nl: "Verloopt binnen 30 dagen: op {not_after}.",
        en: "Expires within 30 days: on {not_after}."
    }
    Expired = "expired" {
        nl: "Verlopen op {not_after}.",
        en: "Expired on {not_after}."
    }
    NotYetValid = "not-yet-valid" {
        nl: "Pas geldig vanaf {not_before}.",
        en: "Not valid before {not_before}."
    }
    KeyOk = "key-ok" {
        nl: "Veilige sleutels: {keys}.",
        en: "Secure keys: {keys}."
    }
    KeyPhaseOut = "key-phase-out" {
        nl: "Sleutel die uitgefaseerd moet worden: {keys}.",
        en: "Key that should be phased out: {keys}."
    }
    KeyInsufficient = "key-insufficient" {
        nl: "Onvoldoende sterke sleutel: {keys}.",
        en: "Insufficiently strong key: {keys}."
    }
    SignatureOk = "signature-ok" {
        nl: "Ondertekend met {algorithms}.",
        en: "Signed with {algorithms}."
    }
    SignaturePhaseOut = "signature-phase-out" {
        nl: "Ondertekend met {algorithms}, dat uitgefaseerd moet worden.",
        en: "Signed with {algorithms}, which should be phased out."
    }
    SignatureInsufficient = "signature-insufficient" {
        nl: "Ondertekend met {algorithms}, dat onvoldoende veilig is.",
        en: "Signed with {algorithms}, which is insufficiently secure."
    }
    // Security headers
    CspOk = "csp-ok" {
        nl: "Een Content-Security-Policy zonder de gekende zwakke plekken.",
        en: "A Content-Security-Policy without the known weaknesses."
    }
    CspMissing = "csp-missing" {
        nl: "De website stuurt geen Content-Security-Policy-header.",
        en: "The website sends no Content-Security-Policy header."
    }
    CspWeak = "csp-weak" {
        nl: "De Content-Security-Policy heeft zwakke plekken: {problems}.",
        en: "The Content-Security-Policy has weaknesses: {problems}."
    }
    ContentTypeOk = "content-type-options-ok" {
        nl: "X-Content-Type-Options: nosniff.",
        en: "X-Content-Type-Options: nosniff."
    }
    ContentTypeMissing = "content-type-options-missing" {
        nl: "De website stuurt geen X-Content-Type-Options: nosniff.",
        en: "The website sends no X-Content-Type-Options: nosniff."
    }
    ContentTypeInvalid = "content-type-options-invalid" {
        nl: "X-Content-Type-Options heeft de waarde {value}; alleen nosniff is geldig.",
        en: "X-Content-Type-Options has the value {value}; only nosniff is valid."
    }
    FrameOk = "frame-ok" {
        nl: "Inkaderen is beperkt: {value}.",
        en: "Framing is restricted: {value}."
    }
    FrameMissing = "frame-missing" {
        nl: "Geen frame-ancestors in de Content-Security-Policy en geen X-Frame-Options: elke site kan deze pagina inkaderen.",
        en: "No frame-ancestors in the Content-Security-Policy and no X-Frame-Options: any site can frame this page."
    }
    FrameWeak = "frame-weak" {
        nl: "Inkaderen is niet afdoende beperkt: {value}.",
        en: "Framing is not restricted enough: {value}."
    }
    ReferrerOk = "referrer-ok" {
        nl: "Referrer-Policy: {value}.",
        en: "Referrer-Policy: {value}."
    }
    ReferrerCaution = "referrer-caution" {
        nl: "Referrer-Policy {value} stuurt de herkomst mee naar andere sites; gebruik dat alleen waar nodig.",
        en: "Referrer-Policy {value} sends the origin to other sites; use it only where needed."
    }
    ReferrerMissing = "referrer-missing" {
        nl: "Geen Referrer-Policy: de browser volgt zijn eigen standaard.",
        en: "No Referrer-Policy: the browser follows its own default."
    }
    ReferrerUnsafe = "referrer-unsafe" {
        nl: "Referrer-Policy {value} kan adressen lekken, ook over onversleutelde verbindingen.",
        en: "Referrer-Policy {value} may leak addresses, also over unencrypted connections."
    }
    SecurityTxtOk = "security-txt-ok" {
        nl: "security.txt is geldig tot {expires}.",
        en: "security.txt is valid until {expires}."
    }
    SecurityTxtMissing = "security-txt-missing" {
        nl: "Geen security.txt op {url} (status {status}).",
        en: "No security.txt at {url} (status {status})."
    }
    SecurityTxtInvalid = "security-txt-invalid" {
        nl: "security.txt voldoet niet aan RFC 9116: {error}.",
        en: "security.txt does not follow RFC 9116: {error}."
    }
    SecurityTxtContentType = "security-txt-content-type" {
        nl: "security.txt wordt geserveerd als {content_type}, niet als text/plain.",
        en: "security.txt is served as {content_type}, not as text/plain."
    }
    SecurityTxtCanonical = "security-txt-canonical" {
        nl: "De Canonical-velden van security.txt noemen {url} niet.",
        en: "The Canonical fields of security.txt do not list {url}."
    }
    SecurityTxtLongExpiry = "security-txt-long-expiry" {
        nl: "security.txt verloopt pas op {expires}, meer dan een jaar vooruit; RFC 9116 raadt minder dan een jaar aan.",
        en: "security.txt expires only on {expires}, more than a year ahead; RFC 9116 recommends less than a year."
    }
    // DNS
    DnssecSigned = "dnssec-signed" {
        nl: "De zone {zone} is ondertekend met DNSSEC.",
        en: "The zone {zone} is signed with DNSSEC."
    }
    DnssecUnsigned = "dnssec-unsigned" {
        nl: "De zone {zone} is niet ondertekend met DNSSEC.",
        en: "The zone {zone} is not signed with DNSSEC."
    }
    DnssecValid = "dnssec-valid" {
        nl: "De handtekeningen van {zone} zijn geldig en verankerd tot de root.",
        en: "The signatures of {zone} are valid and anchored up to the root."
    }
    DnssecBogus = "dnssec-bogus" {
        nl: "De DNSSEC-handtekeningen van {zone} zijn ongeldig ('bogus'): wie DNSSEC controleert, kan de naam niet opzoeken.",
        en: "The DNSSEC signatures of {zone} are invalid ('bogus'): resolvers that check DNSSEC cannot look the name up."
    }
    DnssecNotAnchored = "dnssec-not-anchored" {
        nl: "De zone {zone} is ondertekend, maar de bovenliggende zone publiceert er geen DS-record voor: de handtekening wordt niet gecontroleerd.",
        en: "The zone {zone} is signed, but its parent zone publishes no DS record for it: the signature is not checked."
    }
    DnssecNotSigned = "dnssec-not-signed" {
        nl: "Niet van toepassing: de zone {zone} is niet ondertekend.",
        en: "Not applicable: the zone {zone} is not signed."
    }
    Ipv6WebOk = "ipv6-web-ok" {
        nl: "{name} heeft een IPv6-adres ({addresses}) en is er bereikbaar.",
        en: "{name} has an IPv6 address ({addresses}) and is reachable on it."
    }
    Ipv6WebMissing = "ipv6-web-missing" {
        nl: "{name} heeft geen IPv6-adres.",
        en: "{name} has no IPv6 address."
    }
    Ipv6WebUnreachable = "ipv6-web-unreachable" {
        nl: "{name} heeft een IPv6-adres ({addresses}), maar is er niet bereikbaar.",
        en: "{name} has an IPv6 address ({addresses}), but cannot be reached on it."
    }
    Ipv6MailOk = "ipv6-mail-ok" {
        nl: "Alle mailservers hebben een IPv6-adres.",
        en: "Every mail server has an IPv6 address."
    }
    Ipv6MailMissing = "ipv6-mail-missing" {
        nl: "Mailservers zonder IPv6-adres: {hosts}.",
        en: "Mail servers without an IPv6 address: {hosts}."
    }
    Ipv6NsOk = "ipv6-ns-ok" {
        nl: "{count} naamservers hebben een IPv6-adres.",
        en: "{count} name servers have an IPv6 address."
    }
    Ipv6NsOne = "ipv6-ns-one" {
        nl: "Slechts één naamserver heeft een IPv6-adres ({hosts}); minstens twee is de regel.",
        en: "Only one name server has an IPv6 address ({hosts}); at least two is the rule."
    }
    Ipv6NsNone = "ipv6-ns-none" {
        nl: "Geen enkele naamserver van {zone} heeft een IPv6-adres.",
        en: "No name server of {zone} has an IPv6 address."
    }
    NoMx = "no-mx" {
        nl: "Niet van toepassing: het domein heeft geen mailservers (MX).",
        en: "Not applicable: the domain has no mail servers (MX)."
    }
    NullMx = "null-mx" {
        nl: "Niet van toepassing: het domein ontvangt geen mail (null MX, RFC 7505).",
        en: "Not applicable: the domain receives no mail (null MX, RFC 7505)."
    }
    // Mail
    SpfOk = "spf-ok" {
        nl: "SPF-beleid {all}: streng genoeg.",
        en: "SPF policy {all}: strict enough."
    }
    SpfMissing = "spf-missing" {
        nl: "Geen SPF-record op {domain}.",
        en: "No SPF record at {domain}."
    }
    SpfMultiple = "spf-multiple" {
        nl: "{count} SPF-records op {domain}; er mag er maar één zijn.",
        en: "{count} SPF records at {domain}; there may be only one."
    }
    SpfSyntax = "spf-syntax" {
        nl: "Het SPF-record van {domain} is ongeldig: {record}.",
        en: "The SPF record of {domain} is invalid: {record}."
    }
    SpfPermissive = "spf-permissive" {
        nl: "Het SPF-beleid eindigt op {all}: te ruim om misbruik van het domein tegen te gaan (gebruik ~all of -all).",
        en: "The SPF policy ends in {all}: too permissive to stop abuse of the domain (use ~all or -all)."
    }
    SpfLookups = "spf-lookups" {
        nl: "Het SPF-record vraagt {count} DNS-opvragingen; meer dan 10 maakt het ongeldig.",
        en: "The SPF record needs {count} DNS lookups; more than 10 makes it invalid."
    }
    DmarcOk = "dmarc-ok" {
        nl: "DMARC-beleid p={policy}.",
        en: "DMARC policy p={policy}."
    }
    DmarcMissing = "dmarc-missing" {
        nl: "Geen DMARC-record op {name}.",
        en: "No DMARC record at {name}."
    }
    DmarcMultiple = "dmarc-multiple" {
        nl: "{count} DMARC-records op {name}; er mag er maar één zijn.",
        en: "{count} DMARC records at {name}; there may be only one."
    }
    DmarcSyntax = "dmarc-syntax" {
        nl: "Het DMARC-record op {name} is ongeldig: {record}.",
        en: "The DMARC record at {name} is invalid: {record}."
    }
    DmarcWeak = "dmarc-weak" {
        nl: "Het DMARC-beleid is in feite p={policy}: het rapporteert, maar beschermt niet (gebruik quarantine of reject).",
        en: "The DMARC policy is in effect p={policy}: it reports but does not protect (use quarantine or reject)."
    }
    StarttlsOk = "starttls-ok" {
        nl: "{host} biedt STARTTLS aan.",
        en: "{host} offers STARTTLS."
    }
    StarttlsMissing = "starttls-missing" {
        nl: "{host} biedt geen STARTTLS aan: mail naar dit domein reist onversleuteld.",
        en: "{host} does not offer STARTTLS: mail to this domain travels unencrypted."
    }
    SmtpError = "smtp-error" {
        nl: "De mailserver {host} antwoordde onverwacht: {reply}.",
        en: "The mail server {host} answered unexpectedly: {reply}."
    }
    NoStarttls = "no-starttls" {
        nl: "Niet getest: de mailserver biedt geen STARTTLS aan.",
        en: "Not tested: the mail server does not offer STARTTLS."
    }
    DaneOk = "dane-ok" {
        nl: "Een TLSA-record van {name} past bij het certificaat ({record}).",
        en: "A TLSA record of {name} matches the certificate ({record})."
    }
    DaneMissing = "dane-missing" {
        nl: "Geen TLSA-record op {name}, terwijl de zone met DNSSEC beveiligd is.",
        en: "No TLSA record at {name}, although the zone is secured with DNSSEC."
    }
    DaneMismatch = "dane-mismatch" {
        nl: "Geen enkel TLSA-record op {name} past bij het certificaat van de mailserver.",
        en: "No TLSA record at {name} matches the mail server's certificate."
    }
    DaneUnusable = "dane-unusable" {
        nl: "De TLSA-records op {name} gebruiken alleen PKIX-TA of PKIX-EE, die voor mail niet gelden (RFC 7672).",
        en: "The TLSA records at {name} use PKIX-TA or PKIX-EE only, which do not apply to mail (RFC 7672)."
    }
    DaneBogus = "dane-bogus" {
        nl: "De TLSA-records op {name} zijn niet geldig ondertekend.",
        en: "The TLSA records at {name} are not validly signed."
    }
    DaneInsecure = "dane-insecure" {
        nl: "Niet van toepassing: de zone van {host} is niet met DNSSEC beveiligd, dus DANE kan niet.",
        en: "Not applicable: the zone of {host} is not secured with DNSSEC, so DANE cannot be used."
    }
    MtaStsOk = "mta-sts-ok" {
        nl: "MTA-STS-beleid in mode enforce, en de mailservers passen erbij.",
        en: "MTA-STS policy in enforce mode, and the mail servers match it."
    }
    MtaStsMissing = "mta-sts-missing" {
        nl: "Geen MTA-STS-record op {name}.",
        en: "No MTA-STS record at {name}."
    }
    MtaStsRecordInvalid = "mta-sts-record-invalid" {
        nl: "Het MTA-STS-record op {name} is ongeldig: {record}.",
        en: "The MTA-STS record at {name} is invalid: {record}."
    }
    MtaStsPolicyUnavailable = "mta-sts-policy-unavailable" {
        nl: "Het MTA-STS-beleid kon niet opgehaald worden van {url}: {error}.",
        en: "The MTA-STS policy could not be fetched from {url}: {error}."
    }
    MtaStsPolicyInvalid = "mta-sts-policy-invalid" {
        nl: "Het MTA-STS-beleid op {url} is ongeldig: {error}.",
        en: "The MTA-STS policy at {url} is invalid: {error}."
    }
    MtaStsTesting = "mta-sts-testing" {
        nl: "Het MTA-STS-beleid staat in mode testing: verzenders melden fouten maar leveren toch af.",
        en: "The MTA-STS policy is in testing mode: senders report failures but deliver anyway."
    }
    MtaStsNone = "mta-sts-none" {
        nl: "Het MTA-STS-beleid staat in mode none: het is ingetrokken.",
        en: "The MTA-STS policy is in mode none: it has been withdrawn."
    }
    MtaStsMxMismatch = "mta-sts-mx-mismatch" {
        nl: "De mailserver {mx} past niet bij het MTA-STS-beleid ({patterns}): verzenders zullen niet afleveren.",
        en: "The mail server {mx} does not match the MTA-STS policy ({patterns}): senders will not deliver."
    }
    TlsRptOk = "tls-rpt-ok" {
        nl: "TLS-rapporten gaan naar {rua}.",
        en: "TLS reports go to {rua}."
    }
    TlsRptMissing = "tls-rpt-missing" {
        nl: "Geen TLS-RPT-record op {name}.",
        en: "No TLS-RPT record at {name}."
    }
    TlsRptInvalid = "tls-rpt-invalid" {
        nl: "Het TLS-RPT-record op {name} is ongeldig: {record}.",
        en: "The TLS-RPT record at {name} is invalid: {record}."
    }
    // Exposure
    PortClosed = "port-closed" {
        nl: "Poort {port} ({service}) is niet bereikbaar.",
        en: "Port {port} ({service}) cannot be reached."
    }
    PortOpen = "port-open" {
        nl: "Poort {port} ({service}) is open voor het internet.",
        en: "Port {port} ({service}) is open to the internet."
    }
    AdminPanelNone = "admin-panel-none" {
        nl: "Geen gekende beheerpanelen gevonden.",
        en: "No known admin panels found."
    }
    AdminPanelFound = "admin-panel-found" {
        nl: "Beheerpaneel {panel} is bereikbaar op {url}.",
        en: "Admin panel {panel} is reachable at {url}."
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for ReasonCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for ReasonCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ReasonCode, D::Error> {
        let code = String::deserialize(d)?;
        ReasonCode::from_code(&code).ok_or_else(|| serde::de::Error::custom(format!("unknown reason {code:?}")))
    }
}

/// A reason with its values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    /// Named values for the template's placeholders, in the order given.
    pub args: Vec<(String, String)>,
}

impl Reason {
    pub fn new(code: ReasonCode) -> Reason {
        Reason { code, args: Vec::new() }
    }

    pub fn arg(mut self, name: &str, value: impl ToString) -> Reason {
        self.args.push((name.to_string(), value.to_string()));
        self
    }

    /// The text in the language asked for, with the values filled in. A placeholder without a value stays as
    /// `{name}` (a test holds every outcome of the fleet to having all its values).
    pub fn message(&self, lang: Lang) -> String {
        fill(self.code.template(lang), &self.args)
    }
}

/// Fills `{name}` placeholders from `args`; unknown placeholders stay as written.
fn fill(template: &str, args: &[(String, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders of a template, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                names.push(&after[..close]);
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_the_same_placeholders_in_both_languages() {
        let mut codes = std::collections::HashSet::new();
        for &code in ReasonCode::ALL {
            assert!(codes.insert(code.code()), "duplicate reason code {code}");
            assert_eq!(ReasonCode::from_code(code.code()), Some(code));
            let mut nl = placeholders(code.template(Lang::Nl));
            let mut en = placeholders(code.template(Lang::En));
            nl.sort();
            en.sort();
            assert_eq!(nl, en, "{code}: the Dutch and English texts name different values");
            for text in [code.template(Lang::Nl), code.template(Lang::En)] {
                assert!(text.ends_with('.'), "{code}: {text:?} does not end a sentence");
            }
        }
    }

    #[test]
    fn messages_fill_in_values() {
        let r = Reason::new(ReasonCode::HstsShort).arg("max_age", 86400);
        assert_eq!(
            r.message(Lang::En),
            "HSTS with max-age 86400 seconds: shorter than a year (31536000)."
        );
        assert_eq!(
            r.message(Lang::Nl),
            "HSTS met max-age 86400 seconden: korter dan een jaar (31536000)."
        );
        let missing = Reason::new(ReasonCode::HstsShort);
        assert!(missing.message(Lang::En).contains("{max_age}"));
        assert_eq!(fill("a {b", &[]), "a {b");
    }

    #[test]
    fn reasons_serialise_as_codes() {
        let r = Reason::new(ReasonCode::PortOpen).arg("port", 3389).arg("service", "RDP");
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"code":"port-open","args":[["port","3389"],["service","RDP"]]}"#);
        let back: Reason = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }
}
