//! VVSG's model policy: its draft and its published versions.

use super::model;
use super::policy::{DraftView, PublishedPolicy, content_of, info, invalid, published, to_json, unpublishable};
use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use cyberveilig_domain::disclosure::PolicyKind;
use cyberveilig_domain::disclosure::{self as rules, PolicyContent};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{PolicyDraft, PolicyVersion};
use serde_json::json;

impl Services {
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
                kind: PolicyKind::Model,
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
        rules::check_model(&content).map_err(unpublishable)?;
        let version = work.tx.current_policy(org).await?.map_or(1, |v| v.version + 1);
        let stored = PolicyVersion {
            id: 0,
            organisation_id: org,
            kind: PolicyKind::Model,
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
}
