//! The toolkit items an awareness event hands out (its materials): VVSG names them, everyone who
//! sees the event sees those that are published.

use super::is_editor;
use crate::Services;
use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use cyberveilig_store::records::{ToolkitEntry, ToolkitFilter};
use serde_json::json;

/// Most materials of one event.
pub const MAX_MATERIALS: usize = 20;

impl Services {
    /// VVSG names the toolkit items an event hands out (replacing the list).
    pub async fn set_event_materials(&self, actor: &Actor, event_id: i64, item_ids: &[i64]) -> Result<Vec<i64>> {
        if !is_editor(Some(actor)) {
            return Err(ServiceError::Forbidden);
        }
        let mut ids: Vec<i64> = item_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > MAX_MATERIALS {
            return Err(ServiceError::invalid(
                "items",
                "At most 20 materials per event.",
                "Hoogstens 20 materialen per evenement.",
            ));
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        work.tx
            .awareness_event(event_id)
            .await?
            .ok_or(ServiceError::NotFound("awareness event"))?;
        for id in &ids {
            work.tx
                .toolkit_item(*id)
                .await?
                .ok_or_else(|| ServiceError::invalid("items", "There is no such toolkit item.", "Dat item van de toolkit bestaat niet."))?;
        }
        work.tx.set_event_materials(event_id, &ids).await?;
        work.record(Action::AwarenessMaterialsSet, "awareness_event", event_id, json!({"items": ids}))
            .await?;
        work.commit().await?;
        Ok(ids)
    }

    /// The published toolkit items an event hands out, as the reader may see them.
    pub async fn event_materials(&self, actor: Option<&Actor>, event_id: i64) -> Result<Vec<ToolkitEntry>> {
        let mut tx = self.store.read().await?;
        tx.awareness_event(event_id)
            .await?
            .ok_or(ServiceError::NotFound("awareness event"))?;
        let ids = tx.event_materials(event_id).await?;
        let mut out = Vec::new();
        for id in ids {
            let page = tx
                .toolkit_entries(&ToolkitFilter {
                    published_only: true,
                    public_only: actor.is_none(),
                    after_id: Some(id - 1),
                    limit: 1,
                    ..Default::default()
                })
                .await?;
            out.extend(page.into_iter().filter(|e| e.item.id == id));
        }
        Ok(out)
    }
}
