//! security.txt (RFC 9116): a government's, written from its published policy, checked, served and downloaded; the
//! reminder before it expires; and the platform's own.

use super::policy::PublishedPolicy;
use super::rfc9116::{SecurityTxt, check_security_txt};
use crate::Services;
use crate::authz::Actor;
use crate::clock::{brussels_date, end_of_brussels_day};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use chrono::{DateTime, SecondsFormat, Utc};
use cyberveilig_domain::disclosure as rules;
use cyberveilig_domain::registry::{NisCode, Role};
use cyberveilig_store::records::{NewMail, Organisation};
use serde_json::json;

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

    /// The security.txt of a published policy, with whether it expired and what the RFC 9116
    /// parser says of it.
    pub(super) fn security_txt_for(
        &self,
        government: &Organisation,
        policy: &PublishedPolicy,
        own_domain: Option<&str>,
    ) -> Option<SecurityTxt> {
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
    /// once (per published version, however many servers run the job), by mail to its members
    /// through the outbox. Returns how many governments were reminded.
    pub async fn remind_expiring_security_txt(&self) -> Result<usize> {
        let now = self.clock.now();
        let before = end_of_brussels_day(brussels_date(now) + chrono::Days::new(rules::REMINDER_DAYS));
        let due = self.store.read().await?.policies_to_remind(before).await?;
        let mut reminded = 0;
        for v in &due {
            // One transaction per government, as for the offers: one government's trouble never
            // holds up the others, and no server holds the chain while it waits for a claim.
            let mut work = Work::begin(self.store.as_ref(), now, Who::System).await?;
            let Some(government) = work.tx.organisation(v.organisation_id).await? else {
                continue;
            };
            // The claim: of several servers running this job at once, one marks it and mails.
            if !work.tx.mark_policy_reminded(v.id, now).await? {
                continue;
            }
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
            reminded += 1;
            work.record(
                Action::DisclosureExpiryReminded,
                "organisation",
                government.id,
                json!({"version": v.version, "expires_at": v.expires_at}),
            )
            .await?;
            work.commit().await?;
        }
        Ok(reminded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_for_the_own_copy() {
        assert_eq!(parse_domain(" Stad.Gent. ").unwrap(), "stad.gent");
        for bad in ["gent", "stad gent.be", "-x.be", "a/b.be", ""] {
            assert!(parse_domain(bad).is_err(), "{bad}");
        }
    }
}
