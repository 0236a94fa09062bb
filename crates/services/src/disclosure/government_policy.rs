//! A government's policy: adopted from the model, edited as a draft, published as immutable versions.

use super::policy::{DraftView, PublishedPolicy, content_of, info, invalid, published, scoped_assets, to_json, unpublishable};
use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::clock::end_of_brussels_day;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use chrono::NaiveDate;
use cyberveilig_domain::disclosure::PolicyKind;
use cyberveilig_domain::disclosure::{self as rules, PolicyContent};
use cyberveilig_domain::registry::{NisCode, Role};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{Organisation, PolicyDraft, PolicyVersion};
use serde_json::json;

impl Services {
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
            ServiceError::conflict(
                "no_model_yet",
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
                kind: PolicyKind::Government,
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
                kind: PolicyKind::Government,
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
        rules::check_publication(&content, assets.len(), expires_on, work.today).map_err(unpublishable)?;
        let version = current.map_or(1, |v| v.version + 1);
        let stored = PolicyVersion {
            id: 0,
            organisation_id: government.id,
            kind: PolicyKind::Government,
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
}
