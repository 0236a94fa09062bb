//! Names the API shows beside ids: organisations and agreement references. They never change
//! once registered, so each is read from the database once per process.

use cyberveilig_services::store::records::Organisation;
use cyberveilig_services::{Result, Services};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Default)]
pub struct Directory {
    organisations: RwLock<HashMap<i64, Arc<Organisation>>>,
    agreements: RwLock<HashMap<i64, Arc<str>>>,
}

impl Directory {
    pub async fn organisation(&self, services: &Services, id: i64) -> Result<Arc<Organisation>> {
        if let Some(org) = read(&self.organisations).get(&id) {
            return Ok(org.clone());
        }
        let org = Arc::new(services.organisation(id).await?);
        write(&self.organisations).insert(id, org.clone());
        Ok(org)
    }

    pub async fn agreement_reference(&self, services: &Services, id: i64) -> Result<Option<Arc<str>>> {
        if let Some(reference) = read(&self.agreements).get(&id) {
            return Ok(Some(reference.clone()));
        }
        let all = services.agreements().await?;
        let mut map = write(&self.agreements);
        for a in all {
            map.insert(a.id, Arc::from(a.reference.as_str()));
        }
        Ok(map.get(&id).cloned())
    }
}

// A poisoned lock only means a panic elsewhere while inserting into a map of immutable values.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}
