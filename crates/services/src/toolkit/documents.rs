//! TK-5: an item as a document a government keeps: a template filled in with the government's
//! name, NIS code, people, systems and disclosure contact, written as DOCX (to edit) or PDF (to
//! file). Writing the file is work for a blocking thread, not the runtime's workers.

use super::readable;
use crate::Services;
use crate::authz::Actor;
use crate::clock::brussels_date;
use crate::error::{Result, ServiceError};
use cyberveilig_domain::registry::Role;
use cyberveilig_domain::toolkit::{self as rules, FillValues, UseKind, VersionState};
use cyberveilig_publish::{Document, markdown};
use cyberveilig_store::Tx;
use cyberveilig_store::records::ToolkitVersion;

/// The file a document is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Pdf,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Pdf => "application/pdf",
        }
    }
}

/// A Markdown table cell: one line, without the column separator.
fn cell(text: &str) -> String {
    text.replace(['|', '\n', '\r'], " ")
}

/// What the government's document says in its placeholders.
async fn values_for(services: &Services, tx: &mut dyn Tx, organisation_id: i64, dutch: bool) -> Result<FillValues> {
    let organisation = tx
        .organisation(organisation_id)
        .await?
        .ok_or(ServiceError::NotFound("organisation"))?;
    let nis = organisation.nis_code.as_ref().map(|n| n.as_str().to_owned()).unwrap_or_default();
    let mut contacts = if dutch {
        String::from("| Naam | E-mail |\n|---|---|\n")
    } else {
        String::from("| Name | Email |\n|---|---|\n")
    };
    for p in tx.people(Some(organisation_id)).await? {
        contacts.push_str(&format!("| {} | {} |\n", cell(&p.name), cell(p.email.as_str())));
    }
    let mut assets = if dutch {
        String::from("| Systeem | Adres | Belang |\n|---|---|---|\n")
    } else {
        String::from("| System | Address | Importance |\n|---|---|---|\n")
    };
    let registered = tx.assets(organisation_id).await?;
    for a in registered.iter().take(500) {
        let address = a.hostname.clone().or(a.ip.clone()).unwrap_or_default();
        assets.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(&a.name),
            cell(&address),
            a.criticality.as_str()
        ));
    }
    if registered.is_empty() {
        assets = if dutch {
            "[in te vullen: de systemen uit het register van bevindingen]".to_owned()
        } else {
            "[to be completed: the systems from the register of findings]".to_owned()
        };
    }
    let contact = tx
        .current_policy(organisation_id)
        .await?
        .and_then(|p| serde_json::from_str::<cyberveilig_domain::disclosure::PolicyContent>(&p.content).ok())
        .map(|c| c.contact_email)
        .filter(|c| !c.is_empty());
    let disclosure_contact = match contact {
        Some(mail) => mail,
        None if !nis.is_empty() => format!("{}/g/{nis}/melden", services.accounts.public_url.trim_end_matches('/')),
        None => String::new(),
    };
    Ok(FillValues {
        government_name: organisation.name,
        nis_code: nis,
        disclosure_contact,
        today: brussels_date(services.clock.now()).format("%d/%m/%Y").to_string(),
        contacts,
        assets,
    })
}

fn text_of(version: &ToolkitVersion, dutch: bool) -> (bool, &str, &str) {
    match (&version.title_en, &version.body_en) {
        (Some(title), Some(body)) if !dutch => (false, title.as_str(), body.as_str()),
        _ => (true, version.title_nl.as_str(), version.body_nl.as_str()),
    }
}

impl Services {
    /// TK-5: the item as DOCX or PDF in Dutch or (where it has one) English. For a government's
    /// person a template is filled in for their government and the download counts as its use;
    /// for anyone else the placeholders stay visible. Filename and bytes.
    pub async fn toolkit_document(&self, actor: Option<&Actor>, id: i64, format: Format, dutch: bool) -> Result<(String, Vec<u8>)> {
        let (item, version, values) = {
            let mut tx = self.store.read().await?;
            let (item, version) = readable(tx.as_mut(), actor, id).await?;
            let values = match actor.filter(|a| a.role == Role::GovernmentMember) {
                Some(a) => Some(values_for(self, tx.as_mut(), a.organisation_id, dutch).await?),
                None => None,
            };
            (item, version, values)
        };
        let (dutch, title, body) = text_of(&version, dutch);
        let (body, subtitle) = match &values {
            Some(v) => (rules::fill(body, v), Some(format!("{} · {}", v.government_name, v.today))),
            None => (body.to_owned(), None),
        };
        let document = Document {
            title: match &values {
                Some(v) => rules::fill(title, v),
                None => title.to_owned(),
            },
            subtitle,
            language: if dutch { "nl".into() } else { "en".into() },
            blocks: markdown::to_blocks(&body),
        };
        let bytes = tokio::task::spawn_blocking(move || match format {
            Format::Docx => cyberveilig_publish::docx::render(&document),
            Format::Pdf => cyberveilig_publish::pdf::render(&document),
        })
        .await
        .map_err(|e| ServiceError::internal("toolkit_document", e.to_string()))?
        .map_err(|e| ServiceError::internal("toolkit_document", e.to_string()))?;
        if let Some(actor) = actor.filter(|a| a.role == Role::GovernmentMember)
            && version.state == VersionState::Published
        {
            self.count_use(actor, item.id, UseKind::Downloaded).await?;
        }
        let language = if dutch { "nl" } else { "en" };
        Ok((format!("{}.{language}.{}", item.slug, format.extension()), bytes))
    }
}
