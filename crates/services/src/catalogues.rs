//! Control catalogues (issue 4, item 2): the built-in baseline of the basic audit, loaded when
//! the installation is seeded or migrated, and libraries in CISO Assistant's format that an
//! administrator loads through the API or the command line.

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use cyberveilig_catalogues::{BASELINE_URN, Catalogue, CatalogueError};
use cyberveilig_store::StoreError;
use cyberveilig_store::records::{AreaRecord, CatalogueRecord, ControlRecord, NewCatalogue};
use serde_json::json;

/// A catalogue with its areas and controls, in their order.
#[derive(Debug, Clone)]
pub struct CatalogueView {
    pub catalogue: CatalogueRecord,
    pub areas: Vec<AreaRecord>,
    pub controls: Vec<ControlRecord>,
}

fn file_error(e: CatalogueError) -> ServiceError {
    ServiceError::invalid("file", e.message_en(), e.message_nl())
}

fn new_catalogue(c: Catalogue, loaded_by: Option<i64>, at: chrono::DateTime<chrono::Utc>) -> NewCatalogue {
    NewCatalogue {
        urn: c.urn,
        version: c.version,
        ref_id: c.ref_id,
        name_nl: c.name.nl,
        name_en: c.name.en,
        provider: c.provider,
        areas: c
            .areas
            .into_iter()
            .map(|a| AreaRecord {
                ref_id: a.ref_id,
                name_nl: a.name.nl,
                name_en: a.name.en,
            })
            .collect(),
        controls: c
            .controls
            .into_iter()
            .map(|k| ControlRecord {
                id: 0,
                ref_id: k.ref_id,
                area: k.area,
                title_nl: k.title.nl,
                title_en: k.title.en,
                guidance_nl: k.guidance.nl,
                guidance_en: k.guidance.en,
                evidence_nl: k.evidence.nl,
                evidence_en: k.evidence.en,
            })
            .collect(),
        loaded_by,
        loaded_at: at,
    }
}

impl Services {
    /// Loads the built-in baseline unless it is there already; its id.
    pub async fn ensure_builtin_catalogue(&self) -> Result<i64> {
        if let Some(c) = self.store.read().await?.catalogue_by_urn(BASELINE_URN).await? {
            return Ok(c.id);
        }
        let baseline = cyberveilig_catalogues::baseline().map_err(file_error)?;
        match self.store_catalogue(Who::System, baseline).await {
            Err(ServiceError::Conflict {
                code: "catalogue_loaded_already",
                ..
            }) => self
                .store
                .read()
                .await?
                .catalogue_by_urn(BASELINE_URN)
                .await?
                .map(|c| c.id)
                .ok_or(ServiceError::NotFound("catalogue")),
            other => other.map(|c| c.id),
        }
    }

    /// Loads a library file (CISO Assistant's YAML): by an administrator, or (`None`) by the
    /// operator on the server. Nothing is written unless the whole file reads.
    pub async fn load_catalogue(&self, actor: Option<&Actor>, file: Vec<u8>) -> Result<CatalogueRecord> {
        if let Some(a) = actor
            && !can(a, Permission::ManageCatalogues)
        {
            return Err(ServiceError::Forbidden);
        }
        let parsed = tokio::task::spawn_blocking(move || cyberveilig_catalogues::parse(&file))
            .await
            .map_err(|e| ServiceError::internal("catalogue_reader_stopped", format!("the file's reader stopped: {e}")))?
            .map_err(file_error)?;
        let who = actor.map_or(Who::System, |a| Who::Person(a.clone()));
        self.store_catalogue(who, parsed).await
    }

    async fn store_catalogue(&self, who: Who, catalogue: Catalogue) -> Result<CatalogueRecord> {
        let loaded_by = match &who {
            Who::Person(a) => Some(a.person_id),
            Who::System => None,
        };
        let (urn, version) = (catalogue.urn.clone(), catalogue.version);
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), who).await?;
        let record = new_catalogue(catalogue, loaded_by, work.now);
        let id = match work.tx.insert_catalogue(&record).await {
            Err(StoreError::Duplicate) => {
                return Err(ServiceError::conflict(
                    "catalogue_loaded_already",
                    format!("Catalogue {urn} version {version} is loaded already; give the library a new version."),
                    format!("Catalogus {urn} versie {version} is al geladen; geef de bibliotheek een nieuwe versie."),
                ));
            }
            other => other?,
        };
        work.record(
            Action::CatalogueLoaded,
            "catalogue",
            id,
            json!({ "urn": urn, "version": version, "areas": record.areas.len(), "controls": record.controls.len() }),
        )
        .await?;
        let stored = work.tx.catalogue(id).await?.ok_or(ServiceError::NotFound("catalogue"))?;
        work.commit().await?;
        Ok(stored)
    }

    /// The catalogues, for anyone signed in: they are not secret.
    pub async fn catalogues(&self, _actor: &Actor) -> Result<Vec<CatalogueRecord>> {
        Ok(self.store.read().await?.catalogues().await?)
    }

    /// The built-in baseline with its areas and controls.
    pub async fn baseline_catalogue(&self, actor: &Actor) -> Result<CatalogueView> {
        let id = self
            .store
            .read()
            .await?
            .catalogue_by_urn(BASELINE_URN)
            .await?
            .ok_or(ServiceError::NotFound("catalogue"))?
            .id;
        self.catalogue(actor, id).await
    }

    pub async fn catalogue(&self, _actor: &Actor, id: i64) -> Result<CatalogueView> {
        let mut tx = self.store.read().await?;
        let catalogue = tx.catalogue(id).await?.ok_or(ServiceError::NotFound("catalogue"))?;
        Ok(CatalogueView {
            areas: tx.catalogue_areas(id).await?,
            controls: tx.controls(id).await?,
            catalogue,
        })
    }
}
