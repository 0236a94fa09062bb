//! The installation a command works on: its database (opened and brought to the last
//! migration) and the key that signs its audit log.

use crate::AnyError;
use crate::cli::DatabaseArgs;
use crate::config::{self, FileConfig, pick};
use cyberveilig_services::Services;
use cyberveilig_store::Store;
use std::path::PathBuf;
use std::sync::Arc;

pub(crate) fn database_url(db: &DatabaseArgs, file: &FileConfig, default_name: &str) -> Result<String, AnyError> {
    if let Some(url) = db.database.clone().or_else(|| file.database_url.clone()) {
        return Ok(url);
    }
    let dir = pick(db.data_dir.clone(), file.data_dir.clone(), PathBuf::from("cyberveilig-data"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(format!("sqlite:{}", dir.join(default_name).display()))
}

pub(crate) async fn open(url: &str) -> Result<Arc<dyn Store>, AnyError> {
    let store = cyberveilig_store::connect(url).await?;
    store.migrate().await?;
    Ok(store)
}

pub(crate) fn audit_key_path(db: &DatabaseArgs, file: &FileConfig) -> PathBuf {
    let dir = pick(db.data_dir.clone(), file.data_dir.clone(), PathBuf::from("cyberveilig-data"));
    pick(db.audit_key.clone(), file.audit_key.clone(), dir.join("audit-signing.key"))
}

/// The services sign the audit log's head with the installation's key (issue 10, item 14): read
/// from its file, or made there at the first start of an installation whose log nobody signed.
/// A key that is not the one the log is signed with, or a missing file for a signed log, stops
/// the command: every server of one database needs the same key file.
pub(crate) async fn with_audit_key(services: Services, db: &DatabaseArgs, file: &FileConfig) -> Result<Services, AnyError> {
    let path = audit_key_path(db, file);
    let in_use = services.audit_key_in_use().await?;
    let key = match (config::read_audit_key(&path)?, &in_use) {
        (Some(key), _) => key,
        (None, Some(id)) => {
            return Err(format!(
                "the audit log is signed with key {id}, but {} does not exist: copy the key file of this installation there (see docs/SECURITY.md)",
                path.display()
            )
            .into());
        }
        (None, None) => {
            let key = cyberveilig_services::audit::AuditKey::generate();
            config::write_audit_key(&path, &key)?;
            tracing::warn!(path = %path.display(), key = key.public().id(), "made the key that signs the audit log; keep a copy of it safe");
            key
        }
    };
    cyberveilig_services::audit::check_key_in_use(&key, in_use.as_deref()).map_err(|e| format!("{}: {e}", path.display()))?;
    let key = Arc::new(key);
    let services = services.with_audit_key(key.clone());
    if let Some(seq) = services.sign_chain_head(&key).await? {
        tracing::info!(seq, "signed the audit log's head, written before it was signed");
    }
    Ok(services)
}
