//! The documents of a meeting: PDFs the chair, the secretary or an administrator attach (the
//! agenda's notes, a presentation), read by the group's members (ST-8).

use super::{keeper, viewer};
use crate::Services;
use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::fields;
use crate::work::{Who, Work};
use cyberveilig_domain::document::check_pdf;
use cyberveilig_store::records::SteeringDocument;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The largest document a meeting takes.
pub const MAX_DOCUMENT_BYTES: usize = 10 << 20;
/// Most documents of one meeting.
pub const MAX_DOCUMENTS: usize = 30;

impl Services {
    /// ST-8: a keeper attaches a PDF of at most 10 MiB to a meeting (at most 30 per meeting).
    pub async fn attach_steering_document(
        &self,
        actor: &Actor,
        meeting_id: i64,
        title: &str,
        filename: &str,
        content: &[u8],
    ) -> Result<SteeringDocument> {
        let title = fields::line("title", title, 200, true)?.unwrap_or_default();
        if content.len() > MAX_DOCUMENT_BYTES {
            return Err(ServiceError::invalid(
                "document",
                "A meeting's document is at most 10 MiB.",
                "Een document van een vergadering is hoogstens 10 MiB groot.",
            ));
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        keeper(work.tx.as_mut(), actor).await?;
        work.tx
            .lock_steering_meeting(meeting_id)
            .await?
            .ok_or(ServiceError::NotFound("meeting"))?;
        if work.tx.steering_documents(meeting_id).await?.len() >= MAX_DOCUMENTS {
            return Err(ServiceError::conflict(
                "too_many_documents",
                "A meeting holds at most 30 documents.",
                "Een vergadering heeft hoogstens 30 documenten.",
            ));
        }
        check_pdf(content).map_err(|p| ServiceError::invalid("document", p.message(false), p.message(true)))?;
        let mut document = SteeringDocument {
            id: 0,
            meeting_id,
            title,
            filename: crate::orders::audit_report::pdf_name(filename),
            size: content.len() as i64,
            sha256: hex::encode(Sha256::digest(content)),
            uploaded_by: actor.person_id,
            uploaded_at: work.now,
        };
        document.id = work.tx.insert_steering_document(&document, content).await?;
        work.record(
            Action::SteeringDocumentAttached,
            "steering_meeting",
            meeting_id,
            json!({"document_id": document.id, "title": document.title, "sha256": document.sha256}),
        )
        .await?;
        work.commit().await?;
        Ok(document)
    }

    /// A meeting's document with its content, for the group's members and the administrators.
    pub async fn steering_document(&self, actor: &Actor, meeting_id: i64, id: i64) -> Result<(SteeringDocument, Vec<u8>)> {
        let mut tx = self.store.read().await?;
        viewer(tx.as_mut(), actor).await?;
        tx.steering_document(id)
            .await?
            .filter(|(d, _)| d.meeting_id == meeting_id)
            .ok_or(ServiceError::NotFound("document"))
    }
}
