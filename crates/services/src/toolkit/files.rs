//! Files attached to a version of an item (a poster, a slide deck, a form): VVSG attaches them to
//! the draft; readers get those of the published version. A new draft takes the files of the
//! version it follows, so a published version's files never change either (TK-3).

use super::{NOT_FOUND, is_editor, readable, refused};
use crate::Services;
use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use cyberveilig_domain::attachment::{AttachmentKind, sniff};
use cyberveilig_domain::toolkit::{self as rules, VersionState};
use cyberveilig_store::records::ToolkitFile;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The largest file an item takes.
pub const MAX_FILE_BYTES: usize = 10 << 20;
/// Most files of one version.
pub const MAX_FILES: usize = 10;

/// A file's name without a path, control characters or quotes, at most 120 characters.
fn clean(filename: &str) -> String {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base
        .chars()
        .filter(|c| !c.is_control() && !cyberveilig_domain::text::is_hidden(*c) && !matches!(c, '"' | '\''))
        .take(120)
        .collect();
    if name.trim().is_empty() {
        "bestand".to_owned()
    } else {
        name.trim().to_owned()
    }
}

impl Services {
    /// VVSG attaches a file to an item's draft: a PDF, a PNG or JPEG picture or plain text, told
    /// by its content, of at most 10 MiB, at most 10 per version.
    pub async fn attach_toolkit_file(&self, actor: &Actor, item_id: i64, filename: &str, content: &[u8]) -> Result<ToolkitFile> {
        if !is_editor(Some(actor)) {
            return Err(ServiceError::Forbidden);
        }
        if content.len() > MAX_FILE_BYTES {
            return Err(ServiceError::invalid(
                "file",
                "A file is at most 10 MiB.",
                "Een bestand is hoogstens 10 MiB groot.",
            ));
        }
        let kind: AttachmentKind = sniff(content).ok_or_else(|| {
            ServiceError::invalid(
                "file",
                "Attach a PDF, a PNG or JPEG picture or plain text.",
                "Voeg een PDF, een PNG- of JPEG-afbeelding of platte tekst toe.",
            )
        })?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        work.tx.lock_toolkit_item(item_id).await?.ok_or(NOT_FOUND)?;
        let version = work.tx.toolkit_versions(item_id).await?.into_iter().next().ok_or(NOT_FOUND)?;
        rules::may_edit(version.state).map_err(refused)?;
        if work.tx.toolkit_files(version.id).await?.len() >= MAX_FILES {
            return Err(ServiceError::conflict(
                "too_many_files",
                "A version holds at most 10 files.",
                "Een versie heeft hoogstens 10 bestanden.",
            ));
        }
        let mut file = ToolkitFile {
            id: 0,
            version_id: version.id,
            filename: clean(filename),
            kind,
            size: content.len() as i64,
            sha256: hex::encode(Sha256::digest(content)),
            uploaded_by: actor.person_id,
            uploaded_at: work.now,
        };
        file.id = work.tx.insert_toolkit_file(&file, content).await?;
        work.record(
            Action::ToolkitFileAttached,
            "toolkit_item",
            item_id,
            json!({"version": version.number, "file_id": file.id, "filename": file.filename, "sha256": file.sha256}),
        )
        .await?;
        work.commit().await?;
        Ok(file)
    }

    /// A file of the version the reader reads (the published one; VVSG the latest), with its
    /// content.
    pub async fn toolkit_file(&self, actor: Option<&Actor>, item_id: i64, file_id: i64) -> Result<(ToolkitFile, Vec<u8>)> {
        let mut tx = self.store.read().await?;
        let (_, version) = readable(tx.as_mut(), actor, item_id).await?;
        if version.state != VersionState::Published && !is_editor(actor) {
            return Err(NOT_FOUND);
        }
        tx.toolkit_file(file_id)
            .await?
            .filter(|(f, _)| f.version_id == version.id)
            .ok_or(ServiceError::NotFound("file"))
    }
}
