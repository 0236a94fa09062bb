//! The audit log: its verification and the installation's public key.

use crate::AnyError;
use crate::cli::DatabaseArgs;
use crate::config::{self, FileConfig};
use crate::installation::{audit_key_path, database_url, open};
use cyberveilig_services::audit::ChainReport;
use cyberveilig_services::{Services, SystemClock};
use std::process::ExitCode;
use std::sync::Arc;

/// `cyberveilig audit-log verify`: every link of the chain, and the head's signatures.
pub(crate) async fn verify(db: DatabaseArgs, public_key: Option<String>, file: FileConfig) -> Result<ExitCode, AnyError> {
    let url = database_url(&db, &file, "cyberveilig.db")?;
    let path = audit_key_path(&db, &file);
    let public = match public_key {
        Some(hex) => cyberveilig_services::audit::AuditPublicKey::from_hex(&hex)?,
        None => config::read_audit_key(&path)?
            .ok_or_else(|| {
                format!(
                    "no key at {}: give it with --audit-key, or the public key with --public-key",
                    path.display()
                )
            })?
            .public()
            .clone(),
    };
    let services = Services::new(open(&url).await?, Arc::new(SystemClock)).with_audit_public_key(public.clone());
    match services.verify_audit_log().await? {
        ChainReport::Intact { entries, head, signatures } => {
            println!(
                "All {entries} entries of the audit log hold; head {head}; {} signatures of key {} hold.",
                signatures.unwrap_or(0),
                public.id()
            );
            Ok(ExitCode::SUCCESS)
        }
        ChainReport::Broken(link) => {
            println!("The audit log is broken at entry {}: {}.", link.seq, link.problem);
            Ok(ExitCode::from(1))
        }
    }
}

/// `cyberveilig audit-log public-key`.
pub(crate) fn public_key(db: DatabaseArgs, file: FileConfig) -> Result<ExitCode, AnyError> {
    let path = audit_key_path(&db, &file);
    let key = config::read_audit_key(&path)?.ok_or_else(|| format!("no key at {}", path.display()))?;
    println!("{} (key {})", key.public().to_hex(), key.public().id());
    Ok(ExitCode::SUCCESS)
}
