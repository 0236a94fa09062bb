//! Coordinated vulnerability disclosure (issue 5, items 1 and 2): VVSG's model policy, each
//! government's policy (adopted from the model, edited as a draft, published as immutable
//! versions), its security.txt (RFC 9116) and the reminder before that expires.
//!
//! The response targets a government publishes are read by the handling of reports through
//! [`Services::disclosure_targets`] (or [`disclosure_targets_in`] inside a transaction).

mod demo;
pub mod model;

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::clock::{brussels_date, end_of_brussels_day};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use cyberveilig_domain::disclosure::{self as rules, PolicyContent, PolicyProblem, ResponseTargets};
use cyberveilig_domain::registry::{NisCode, Role};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{Asset, NewMail, Organisation, PolicyDraft, PolicyVersion};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What the public page for reporting a vulnerability lists ([`Services::report_directory`]).
#[derive(Debug, Clone)]
pub struct ReportDirectory {
    /// The governments matching the search, each with whether it published a policy.
    pub matches: Vec<(Organisation, bool)>,
    /// Every local government with a published policy, by name.
    pub with_policy: Vec<Organisation>,
}

const MODEL: &str = "model";
const GOVERNMENT: &str = "government";

/// A registered asset as a published policy names it in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopedAsset {
    pub kind: String,
    pub name: String,
    pub hostname: Option<String>,
    pub ip: Option<String>,
}

/// A published version of a policy (a government's or the model).
#[derive(Debug, Clone)]
pub struct PublishedPolicy {
    pub organisation_id: i64,
    pub version: i64,
    pub content: PolicyContent,
    /// The registered assets in scope when it was published.
    pub assets: Vec<ScopedAsset>,
    pub model_version: Option<i64>,
    pub published_at: DateTime<Utc>,
    pub published_by: i64,
    /// When its security.txt expires (a government's policy).
    pub expires_at: Option<DateTime<Utc>>,
}

/// A version in a list of versions.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionInfo {
    pub version: i64,
    pub published_at: DateTime<Utc>,
    pub published_by: i64,
}

/// A government's policy as the public sees it: one version, and the list of all.
#[derive(Debug, Clone)]
pub struct PublicPolicy {
    pub government: Organisation,
    pub policy: PublishedPolicy,
    /// The newest version's number (the one in force).
    pub current_version: i64,
    /// Every version, newest first.
    pub versions: Vec<VersionInfo>,
}

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

/// A policy being edited, with what the editor shows beside it.
#[derive(Debug, Clone)]
pub struct DraftView {
    pub organisation: Organisation,
    pub content: PolicyContent,
    /// A draft is stored (otherwise `content` is the version in force, the model's start, or empty).
    pub saved: bool,
    pub updated_at: Option<DateTime<Utc>>,
    /// The model version this government's draft was adopted from.
    pub model_version: Option<i64>,
    /// The newest published model (for a government to adopt).
    pub model_available: Option<i64>,
    pub current: Option<PublishedPolicy>,
    pub versions: Vec<VersionInfo>,
    /// The registered assets that would be in scope now.
    pub assets: Vec<ScopedAsset>,
    pub security_txt: Option<SecurityTxt>,
}

fn invalid(p: PolicyProblem) -> ServiceError {
    ServiceError::invalid(p.field(), p.message_en(), p.message_nl())
}

fn content_of(json: &str) -> Result<PolicyContent> {
    serde_json::from_str(json).map_err(|e| ServiceError::internal("corrupt_data", format!("a stored policy cannot be read: {e}")))
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| ServiceError::internal("policy_not_written", format!("a policy cannot be written: {e}")))
}

fn published(v: &PolicyVersion) -> Result<PublishedPolicy> {
    Ok(PublishedPolicy {
        organisation_id: v.organisation_id,
        version: v.version,
        content: content_of(&v.content)?,
        assets: serde_json::from_str(&v.assets).unwrap_or_default(),
        model_version: v.model_version,
        published_at: v.published_at,
        published_by: v.published_by,
        expires_at: v.expires_at,
    })
}

fn info(v: &PolicyVersion) -> VersionInfo {
    VersionInfo {
        version: v.version,
        published_at: v.published_at,
        published_by: v.published_by,
    }
}

/// Whether an address is one no outsider can reach (or should learn): private, loopback,
/// link-local or unique-local. Such assets are not published as scope.
fn internal_address(text: &str) -> bool {
    match text.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => a.is_private() || a.is_loopback() || a.is_link_local() || a.is_unspecified(),
        Ok(std::net::IpAddr::V6(a)) => {
            a.is_loopback() || a.is_unspecified() || (a.segments()[0] & 0xfe00) == 0xfc00 || (a.segments()[0] & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

/// The registered assets a published policy names in scope: those reachable from outside.
fn scoped_assets(assets: &[Asset]) -> Vec<ScopedAsset> {
    assets
        .iter()
        .filter(|a| !internal_address(&a.name) && !a.ip.as_deref().is_some_and(internal_address))
        .map(|a| ScopedAsset {
            kind: a.kind.clone(),
            name: a.name.clone(),
            hostname: a.hostname.clone(),
            ip: a.ip.clone(),
        })
        .collect()
}

/// The response targets of the government's policy in force, or the defaults (5 and 10
/// working days) when it has none; inside the caller's transaction.
/// The content of the government's policy in force, if it published one.
pub async fn published_content_in(tx: &mut dyn Tx, government_id: i64) -> Result<Option<PolicyContent>> {
    match tx.current_policy(government_id).await? {
        Some(v) if v.kind == GOVERNMENT => Ok(Some(content_of(&v.content)?)),
        _ => Ok(None),
    }
}

pub async fn disclosure_targets_in(tx: &mut dyn Tx, government_id: i64) -> Result<ResponseTargets> {
    Ok(published_content_in(tx, government_id)
        .await?
        .map(|c| c.targets)
        .unwrap_or_default())
}

/// Checks a security.txt with the RFC 9116 parser of the `sectxtlib` crate, at `now`.
pub fn check_security_txt(text: &str, now: DateTime<Utc>) -> Vec<SecurityTxtProblem> {
    let options = sectxtlib::SecurityTxtOptions::new().with_now(now);
    match sectxtlib::SecurityTxt::parse_with(text, &options) {
        Ok(_) => Vec::new(),
        Err(e) => vec![SecurityTxtProblem::of(&e)],
    }
}

/// How to reach the operator of this installation about a vulnerability in cyberveilig itself:
/// `mailto:` an email address, or an `https://` address. Anything else is refused, so no markup
/// or second line gets into the platform's own security.txt.
pub fn security_contact(text: &str) -> std::result::Result<String, String> {
    let text = text.trim();
    if let Some(address) = text.strip_prefix("mailto:") {
        let address: cyberveilig_domain::registry::EmailAddress =
            address.parse().map_err(|_| format!("'{address}' is not an email address"))?;
        return Ok(format!("mailto:{address}"));
    }
    let web = text.strip_prefix("https://").unwrap_or("");
    let host = web.split(['/', '?', '#']).next().unwrap_or("");
    if !host.is_empty() && host.contains('.') && text.chars().all(|c| c.is_ascii_graphic()) {
        return Ok(text.to_owned());
    }
    Err(format!("'{text}' is neither mailto:ADDRESS nor an https:// address"))
}

/// The platform's own security.txt (RFC 9116), served at `/.well-known/security.txt`: where to
/// report a vulnerability in cyberveilig itself. It expires 180 days after it is read, in real
/// time, so it never goes stale while the installation runs.
pub fn platform_security_txt(contact: &str, public_url: &str, now: DateTime<Utc>) -> String {
    let expires = (now + chrono::Duration::days(180)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let base = public_url.trim_end_matches('/');
    format!(
        "# A vulnerability in this cyberveilig installation itself? Tell its operator here.\n\
         # A vulnerability in a local government's systems: see that government's own\n\
         # security.txt at {base}/g/<NIS code>/.well-known/security.txt.\n\
         Contact: {contact}\n\
         Expires: {expires}\n\
         Preferred-Languages: nl, en\n\
         Canonical: {base}/.well-known/security.txt\n"
    )
}

/// The platform's addresses of a government's disclosure pages.
pub struct Links {
    base: String,
    nis: String,
}

impl Links {
    pub fn new(public_url: &str, nis: &NisCode) -> Links {
        Links {
            base: public_url.trim_end_matches('/').to_owned(),
            nis: nis.as_str().to_owned(),
        }
    }

    pub fn policy_nl(&self) -> String {
        format!("{}/g/{}/beleid", self.base, self.nis)
    }
    pub fn policy_en(&self) -> String {
        format!("{}/g/{}/policy", self.base, self.nis)
    }
    pub fn report_form(&self) -> String {
        format!("{}/g/{}/melden", self.base, self.nis)
    }
    pub fn acknowledgments(&self) -> String {
        format!("{}/g/{}/dank", self.base, self.nis)
    }
    pub fn canonical(&self) -> String {
        format!("{}/g/{}/.well-known/security.txt", self.base, self.nis)
    }
}

/// CVD-3: writes the security.txt of a published policy (RFC 9116 section 2.5): contacts (mail and
/// the report form), when it expires, the key, credit, languages, where it lives and the policy.
/// `own_domain` adds the government's own web server as a second canonical address, for the copy it
/// serves itself.
pub fn write_security_txt(
    government: &Organisation,
    policy: &PublishedPolicy,
    links: &Links,
    expires_at: DateTime<Utc>,
    own_domain: Option<&str>,
) -> String {
    let c = &policy.content;
    let mut out = format!(
        "# security.txt van / of {} (RFC 9116)\n# Beleid versie / policy version {}, cyberveilig\n",
        government.name.replace(['\n', '\r'], " "),
        policy.version
    );
    if !c.contact_email.is_empty() {
        out.push_str(&format!("Contact: mailto:{}\n", c.contact_email));
    }
    out.push_str(&format!("Contact: {}\n", links.report_form()));
    out.push_str(&format!("Expires: {}\n", expires_at.to_rfc3339_opts(SecondsFormat::Secs, true)));
    if !c.encryption_url.is_empty() {
        out.push_str(&format!("Encryption: {}\n", c.encryption_url));
    }
    if c.credit {
        out.push_str(&format!("Acknowledgments: {}\n", links.acknowledgments()));
    }
    out.push_str("Preferred-Languages: nl, en\n");
    out.push_str(&format!("Canonical: {}\n", links.canonical()));
    if let Some(domain) = own_domain {
        out.push_str(&format!("Canonical: https://{domain}/.well-known/security.txt\n"));
    }
    out.push_str(&format!("Policy: {}\n", links.policy_nl()));
    out.push_str(&format!("Policy: {}\n", links.policy_en()));
    out
}

/// A host name a government may give for its own web server: letters, digits, dots, hyphens.
pub fn parse_domain(text: &str) -> Result<String> {
    let d = text.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = !d.is_empty()
        && d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(d)
    } else {
        Err(ServiceError::invalid(
            "domain",
            format!("'{}' is not a domain name such as stad.gent", text.trim()),
            format!("'{}' is geen domeinnaam zoals stad.gent", text.trim()),
        ))
    }
}

impl Services {
    fn links(&self, nis: &NisCode) -> Links {
        Links::new(&self.accounts.public_url, nis)
    }

    async fn government_for(tx: &mut dyn Tx, nis: &NisCode) -> Result<Organisation> {
        let org = tx.organisation_by_nis(nis).await?.ok_or(ServiceError::NotFound("organisation"))?;
        if !org.kind.is_local_government() {
            return Err(ServiceError::NotFound("organisation"));
        }
        Ok(org)
    }

    /// The security.txt of a published policy, with whether it expired and what the RFC 9116
    /// parser says of it.
    fn security_txt_for(&self, government: &Organisation, policy: &PublishedPolicy, own_domain: Option<&str>) -> Option<SecurityTxt> {
        let nis = government.nis_code.as_ref()?;
        let expires_at = policy.expires_at?;
        let now = self.clock.now();
        let text = write_security_txt(government, policy, &self.links(nis), expires_at, own_domain);
        let problems = if expires_at > now {
            check_security_txt(&text, now)
        } else {
            Vec::new()
        };
        Some(SecurityTxt {
            text,
            expires_at,
            expired: expires_at <= now,
            expiring_soon: rules::reminder_due(brussels_date(expires_at - chrono::Duration::seconds(1)), brussels_date(now)),
            problems,
        })
    }

    /// The response targets of a government's policy in force, or the defaults (acknowledge
    /// within 5 working days, triage within 10) when it has published none.
    pub async fn disclosure_targets(&self, government_id: i64) -> Result<ResponseTargets> {
        let mut tx = self.store.read().await?;
        disclosure_targets_in(tx.as_mut(), government_id).await
    }

    // -- VVSG's model -----------------------------------------------------------------------

    /// The model policy in force (anyone signed in may read it).
    pub async fn model_policy(&self) -> Result<PublishedPolicy> {
        let mut tx = self.store.read().await?;
        let v = tx.current_model().await?.ok_or(ServiceError::NotFound("model policy"))?;
        published(&v)
    }

    /// VVSG's model as it edits it: its draft, or the model in force, or the initial text.
    pub async fn model_draft(&self, actor: &Actor) -> Result<DraftView> {
        let mut tx = self.store.read().await?;
        self.model_draft_in(tx.as_mut(), actor).await
    }

    /// The model's draft as a transaction sees it (one that saved it, before it commits).
    async fn model_draft_in(&self, tx: &mut dyn Tx, actor: &Actor) -> Result<DraftView> {
        if !can(actor, Permission::EditModelPolicy) {
            return Err(ServiceError::Forbidden);
        }
        let organisation = tx
            .organisation(actor.organisation_id)
            .await?
            .ok_or(ServiceError::NotFound("organisation"))?;
        let draft = tx.policy_draft(organisation.id).await?;
        let versions = tx.policy_versions(organisation.id).await?;
        let current = versions.first().map(published).transpose()?;
        let content = match (&draft, &current) {
            (Some(d), _) => content_of(&d.content)?,
            (None, Some(c)) => c.content.clone(),
            (None, None) => model::initial_model(),
        };
        Ok(DraftView {
            organisation,
            content,
            saved: draft.is_some(),
            updated_at: draft.as_ref().map(|d| d.updated_at),
            model_version: None,
            model_available: current.as_ref().map(|c| c.version),
            current,
            versions: versions.iter().map(info).collect(),
            assets: Vec::new(),
            security_txt: None,
        })
    }

    pub async fn save_model_draft(&self, actor: &Actor, content: PolicyContent) -> Result<DraftView> {
        if !can(actor, Permission::EditModelPolicy) {
            return Err(ServiceError::Forbidden);
        }
        let content = rules::normalise(content);
        rules::check_draft(&content).map_err(invalid)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        work.tx
            .save_policy_draft(&PolicyDraft {
                organisation_id: actor.organisation_id,
                kind: MODEL.into(),
                content: to_json(&content)?,
                model_version: None,
                updated_by: actor.person_id,
                updated_at: work.now,
            })
            .await?;
        work.record(Action::DisclosureModelDraftSaved, "organisation", actor.organisation_id, json!({}))
            .await?;
        // Read before the commit: with an Idempotency-Key the commit waits for the answer.
        let view = self.model_draft_in(work.tx.as_mut(), actor).await?;
        work.commit().await?;
        Ok(view)
    }

    /// VVSG publishes its draft (or, without one, the initial text) as the next model version.
    pub async fn publish_model(&self, actor: &Actor) -> Result<PublishedPolicy> {
        if !can(actor, Permission::EditModelPolicy) {
            return Err(ServiceError::Forbidden);
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let org = actor.organisation_id;
        let content = match work.tx.policy_draft(org).await? {
            Some(d) => content_of(&d.content)?,
            None => match work.tx.current_policy(org).await? {
                Some(v) => content_of(&v.content)?,
                None => model::initial_model(),
            },
        };
        rules::check_model(&content).map_err(invalid)?;
        let version = work.tx.current_policy(org).await?.map_or(1, |v| v.version + 1);
        let stored = PolicyVersion {
            id: 0,
            organisation_id: org,
            kind: MODEL.into(),
            version,
            content: to_json(&content)?,
            assets: "[]".into(),
            model_version: None,
            published_by: actor.person_id,
            published_at: work.now,
            expires_at: None,
            reminded_at: None,
        };
        work.tx.insert_policy_version(&stored).await?;
        work.record(Action::DisclosureModelPublished, "organisation", org, json!({"version": version}))
            .await?;
        work.commit().await?;
        published(&stored)
    }

    // -- A government's policy --------------------------------------------------------------

    async fn editable(&self, tx: &mut dyn Tx, actor: &Actor, nis: &NisCode) -> Result<Organisation> {
        let government = Self::government_for(tx, nis).await?;
        if !can(actor, Permission::EditDisclosurePolicy(&government)) {
            return Err(if actor.role == Role::GovernmentMember {
                ServiceError::NotFound("organisation")
            } else {
                ServiceError::Forbidden
            });
        }
        Ok(government)
    }

    /// The government's policy as its members edit it, with its versions, the model to adopt,
    /// the assets in scope and the security.txt of the version in force.
    pub async fn policy_draft(&self, actor: &Actor, nis: &NisCode) -> Result<DraftView> {
        let mut tx = self.store.read().await?;
        self.policy_draft_in(tx.as_mut(), actor, nis).await
    }

    /// The government's draft as a transaction sees it (one that saved it, before it commits).
    async fn policy_draft_in(&self, tx: &mut dyn Tx, actor: &Actor, nis: &NisCode) -> Result<DraftView> {
        let government = self.editable(tx, actor, nis).await?;
        let draft = tx.policy_draft(government.id).await?;
        let versions = tx.policy_versions(government.id).await?;
        let current = versions.first().map(published).transpose()?;
        let model_available = tx.current_model().await?.map(|m| m.version);
        let assets = scoped_assets(&tx.assets(government.id).await?);
        let content = match (&draft, &current) {
            (Some(d), _) => content_of(&d.content)?,
            (None, Some(c)) => c.content.clone(),
            (None, None) => PolicyContent::default(),
        };
        let security_txt = current.as_ref().and_then(|c| self.security_txt_for(&government, c, None));
        Ok(DraftView {
            content,
            saved: draft.is_some(),
            updated_at: draft.as_ref().map(|d| d.updated_at),
            model_version: draft
                .as_ref()
                .and_then(|d| d.model_version)
                .or(current.as_ref().and_then(|c| c.model_version)),
            model_available,
            current,
            versions: versions.iter().map(info).collect(),
            assets,
            security_txt,
            organisation: government,
        })
    }

    /// The government takes a copy of the model in force as its draft (replacing its draft).
    pub async fn adopt_model(&self, actor: &Actor, nis: &NisCode) -> Result<DraftView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let government = self.editable(work.tx.as_mut(), actor, nis).await?;
        let model = work.tx.current_model().await?.ok_or_else(|| {
            ServiceError::invalid(
                "model",
                "VVSG has not published a model policy yet",
                "VVSG heeft nog geen modelbeleid gepubliceerd",
            )
        })?;
        let mut content = content_of(&model.content)?;
        // What the government had filled in of its own stays.
        if let Some(own) = work.tx.policy_draft(government.id).await? {
            let own = content_of(&own.content)?;
            content.contact_email = own.contact_email;
            content.encryption_url = own.encryption_url;
            content.in_scope = own.in_scope;
        }
        work.tx
            .save_policy_draft(&PolicyDraft {
                organisation_id: government.id,
                kind: GOVERNMENT.into(),
                content: to_json(&content)?,
                model_version: Some(model.version),
                updated_by: actor.person_id,
                updated_at: work.now,
            })
            .await?;
        work.record(
            Action::DisclosureModelAdopted,
            "organisation",
            government.id,
            json!({"model_version": model.version}),
        )
        .await?;
        // Read before the commit: with an Idempotency-Key the commit waits for the answer.
        let view = self.policy_draft_in(work.tx.as_mut(), actor, nis).await?;
        work.commit().await?;
        Ok(view)
    }

    pub async fn save_policy_draft(&self, actor: &Actor, nis: &NisCode, content: PolicyContent) -> Result<DraftView> {
        let content = rules::normalise(content);
        rules::check_draft(&content).map_err(invalid)?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let government = self.editable(work.tx.as_mut(), actor, nis).await?;
        let model_version = match work.tx.policy_draft(government.id).await? {
            Some(d) => d.model_version,
            None => work.tx.current_policy(government.id).await?.and_then(|v| v.model_version),
        };
        work.tx
            .save_policy_draft(&PolicyDraft {
                organisation_id: government.id,
                kind: GOVERNMENT.into(),
                content: to_json(&content)?,
                model_version,
                updated_by: actor.person_id,
                updated_at: work.now,
            })
            .await?;
        work.record(Action::DisclosureDraftSaved, "organisation", government.id, json!({}))
            .await?;
        // Read before the commit: with an Idempotency-Key the commit waits for the answer.
        let view = self.policy_draft_in(work.tx.as_mut(), actor, nis).await?;
        work.commit().await?;
        Ok(view)
    }

    /// CVD-2: publishes the government's draft as its next version, with its security.txt expiring
    /// at the end of `expires_on` (by default eleven months from today, always less than a year).
    pub async fn publish_policy(&self, actor: &Actor, nis: &NisCode, expires_on: Option<NaiveDate>) -> Result<PublishedPolicy> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let government = self.editable(work.tx.as_mut(), actor, nis).await?;
        let current = work.tx.current_policy(government.id).await?;
        let (content, model_version) = match (work.tx.policy_draft(government.id).await?, &current) {
            (Some(d), _) => (content_of(&d.content)?, d.model_version),
            (None, Some(v)) => (content_of(&v.content)?, v.model_version),
            (None, None) => {
                return Err(ServiceError::invalid(
                    "draft",
                    "there is no policy to publish yet: adopt VVSG's model or write one",
                    "er is nog geen beleid om te publiceren: neem het model van VVSG over of schrijf er een",
                ));
            }
        };
        let assets = if content.include_assets {
            scoped_assets(&work.tx.assets(government.id).await?)
        } else {
            Vec::new()
        };
        let expires_on = expires_on.unwrap_or_else(|| rules::default_expiry(work.today));
        rules::check_publication(&content, assets.len(), expires_on, work.today).map_err(invalid)?;
        let version = current.map_or(1, |v| v.version + 1);
        let stored = PolicyVersion {
            id: 0,
            organisation_id: government.id,
            kind: GOVERNMENT.into(),
            version,
            content: to_json(&content)?,
            assets: to_json(&assets)?,
            model_version,
            published_by: actor.person_id,
            published_at: work.now,
            expires_at: Some(end_of_brussels_day(expires_on)),
            reminded_at: None,
        };
        work.tx.insert_policy_version(&stored).await?;
        work.record(
            Action::DisclosurePublished,
            "organisation",
            government.id,
            json!({"version": version, "expires_on": expires_on, "model_version": model_version}),
        )
        .await?;
        work.commit().await?;
        published(&stored)
    }

    /// The public way in to reporting a vulnerability: the local governments whose name or NIS
    /// code matches `search`, each with whether it published a policy, and every government that
    /// did. Everything here is public.
    pub async fn report_directory(&self, search: Option<&str>) -> Result<ReportDirectory> {
        let mut tx = self.store.read().await?;
        let holders: std::collections::HashSet<i64> = tx.policy_holders().await?.into_iter().collect();
        // One read of the registry (a few hundred organisations), not one per policy holder.
        let mut with_policy: Vec<Organisation> = if holders.is_empty() {
            Vec::new()
        } else {
            tx.organisations(&cyberveilig_store::records::OrganisationFilter {
                limit: 10_000,
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|o| holders.contains(&o.id) && o.kind.is_local_government())
            .collect()
        };
        with_policy.sort_by(|a, b| a.name.cmp(&b.name));
        let search: Option<String> = search
            .map(|s| s.trim().chars().filter(|c| !c.is_control()).take(100).collect())
            .filter(|s: &String| !s.is_empty());
        let matches = match search {
            None => Vec::new(),
            Some(query) => tx
                .organisations(&cyberveilig_store::records::OrganisationFilter {
                    query: Some(query),
                    limit: 50,
                    ..Default::default()
                })
                .await?
                .into_iter()
                .filter(|o| o.kind.is_local_government())
                .map(|o| {
                    let has_policy = holders.contains(&o.id);
                    (o, has_policy)
                })
                .collect(),
        };
        Ok(ReportDirectory { matches, with_policy })
    }

    /// A government's published policy, for anyone: the version in force, or `version`.
    pub async fn public_policy(&self, nis: &NisCode, version: Option<i64>) -> Result<PublicPolicy> {
        let mut tx = self.store.read().await?;
        let government = Self::government_for(tx.as_mut(), nis).await?;
        let versions: Vec<PolicyVersion> = tx
            .policy_versions(government.id)
            .await?
            .into_iter()
            .filter(|v| v.kind == GOVERNMENT)
            .collect();
        let current_version = versions.first().map(|v| v.version).ok_or(ServiceError::NotFound("policy"))?;
        let chosen = match version {
            None => versions.first(),
            Some(n) => versions.iter().find(|v| v.version == n),
        }
        .ok_or(ServiceError::NotFound("policy"))?;
        Ok(PublicPolicy {
            policy: published(chosen)?,
            current_version,
            versions: versions.iter().map(info).collect(),
            government,
        })
    }

    /// The security.txt the platform serves for a government: only while its policy in force
    /// has not expired (a stale file would tell researchers the wrong thing).
    pub async fn security_txt(&self, nis: &NisCode) -> Result<SecurityTxt> {
        let public = self.public_policy(nis, None).await?;
        match self.security_txt_for(&public.government, &public.policy, None) {
            Some(file) if !file.expired => Ok(file),
            _ => Err(ServiceError::NotFound("security.txt")),
        }
    }

    /// The security.txt for the government's own web server (its members download it), with
    /// its own domain as a second canonical address when given.
    pub async fn security_txt_download(&self, actor: &Actor, nis: &NisCode, own_domain: Option<&str>) -> Result<SecurityTxt> {
        let domain = own_domain.map(str::trim).filter(|d| !d.is_empty()).map(parse_domain).transpose()?;
        let view = self.policy_draft(actor, nis).await?;
        let current = view.current.as_ref().ok_or(ServiceError::NotFound("policy"))?;
        match self.security_txt_for(&view.organisation, current, domain.as_deref()) {
            Some(file) if !file.expired => Ok(file),
            _ => Err(ServiceError::invalid(
                "expires_on",
                "the security.txt has expired: publish the policy again with a new end date",
                "de security.txt is vervallen: publiceer het beleid opnieuw met een nieuwe einddatum",
            )),
        }
    }

    /// CVD-4: the daily reminder: a government whose security.txt expires within 30 days is told
    /// once (per published version), by mail to its members through the outbox. Returns how many
    /// governments were reminded.
    pub async fn remind_expiring_security_txt(&self) -> Result<usize> {
        let now = self.clock.now();
        let before = end_of_brussels_day(brussels_date(now) + chrono::Days::new(rules::REMINDER_DAYS));
        let mut work = Work::begin(self.store.as_ref(), now, Who::System).await?;
        let due = work.tx.policies_to_remind(before).await?;
        for v in &due {
            let Some(government) = work.tx.organisation(v.organisation_id).await? else {
                continue;
            };
            let expires = v
                .expires_at
                .map(|e| brussels_date(e - chrono::Duration::seconds(1)).format("%d/%m/%Y").to_string());
            let expires = expires.unwrap_or_default();
            let page = format!("{}/beleid", self.accounts.public_url.trim_end_matches('/'));
            for person in work.tx.people(Some(government.id)).await? {
                if person.role != Role::GovernmentMember {
                    continue;
                }
                let mail = NewMail {
                    to: person.email.clone(),
                    subject: format!(
                        "security.txt van {0} vervalt op {expires} / security.txt of {0} expires on {expires}",
                        government.name
                    ),
                    body: format!(
                        "Beste {name},\n\nDe security.txt van {gov} (versie {version} van uw beleid voor het melden van kwetsbaarheden) vervalt op {expires}. \
                         Daarna toont het platform hem niet meer, want een vervallen security.txt hoort niet gebruikt te worden. \
                         Publiceer uw beleid opnieuw met een nieuwe einddatum, en vervang het bestand op uw eigen webserver:\n\n{page}\n\n---\n\n\
                         Dear {name},\n\nThe security.txt of {gov} (version {version} of your vulnerability disclosure policy) expires on {expires}. \
                         After that the platform no longer serves it, as an expired security.txt should not be used. \
                         Publish your policy again with a new end date, and replace the file on your own web server:\n\n{page}\n\n-- \ncyberveilig\n",
                        name = person.name,
                        gov = government.name,
                        version = v.version,
                    ),
                };
                work.tx.insert_mail(&mail, now).await?;
            }
            work.tx.mark_policy_reminded(v.id, now).await?;
            work.record(
                Action::DisclosureExpiryReminded,
                "organisation",
                government.id,
                json!({"version": v.version, "expires_at": v.expires_at}),
            )
            .await?;
        }
        work.commit().await?;
        Ok(due.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_stay_out_of_the_public_scope() {
        for a in ["10.0.0.1", "192.168.1.20", "172.16.4.4", "127.0.0.1", "fd00::1", "fe80::1"] {
            assert!(internal_address(a), "{a}");
        }
        for a in ["192.0.2.40", "2001:db8::1", "www.gent.be"] {
            assert!(!internal_address(a), "{a}");
        }
    }

    #[test]
    fn domains_for_the_own_copy() {
        assert_eq!(parse_domain(" Stad.Gent. ").unwrap(), "stad.gent");
        for bad in ["gent", "stad gent.be", "-x.be", "a/b.be", ""] {
            assert!(parse_domain(bad).is_err(), "{bad}");
        }
    }
}
