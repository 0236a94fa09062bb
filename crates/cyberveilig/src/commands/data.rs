//! The installation's data: migrations, the move from SQLite to PostgreSQL, backups.

use crate::AnyError;
use crate::cli::{BackupArgs, BackupCommand, DatabaseArgs};
use crate::config::{self, FileConfig};
use crate::installation::{audit_key_path, database_url, open, with_audit_key};
use cyberveilig_services::audit::ChainReport;
use cyberveilig_services::{Services, SystemClock};
use std::process::ExitCode;
use std::sync::Arc;

/// `cyberveilig migrate [--dry-run]`.
pub(crate) async fn migrate(db: DatabaseArgs, dry_run: bool, file: FileConfig) -> Result<ExitCode, AnyError> {
    let url = database_url(&db, &file, "cyberveilig.db")?;
    let store = cyberveilig_store::connect(&url).await?;
    let pending = store.pending_migrations().await?;
    if pending.is_empty() {
        println!("The database is up to date.");
    } else if dry_run {
        println!("Would apply {} migration(s):", pending.len());
        pending.iter().for_each(|m| println!("  {m}"));
    } else {
        store.migrate().await?;
        println!("Applied {} migration(s):", pending.len());
        pending.iter().for_each(|m| println!("  {m}"));
    }
    if !dry_run {
        // The built-in baseline catalogue comes with the schema (once).
        let services = with_audit_key(Services::new(store, Arc::new(SystemClock)), &db, &file).await?;
        services.ensure_builtin_catalogue().await?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `cyberveilig migrate-db --to postgres://...`: the copy is the store's (`copy.rs`); here the
/// source is found and brought to the last migration, and the installation's key checks the
/// signatures of the audit log as they arrive.
pub(crate) async fn migrate_db(db: DatabaseArgs, to: String, file: FileConfig) -> Result<ExitCode, AnyError> {
    use cyberveilig_store::copy::{Rebuild, sqlite_to_postgres};
    use cyberveilig_store::records::AuditSignature;
    if !cyberveilig_store::is_postgres(&to) {
        return Err("--to must name a PostgreSQL database: postgres://user@host/database".into());
    }
    let url = database_url(&db, &file, "cyberveilig.db")?;
    let Some(path) = cyberveilig_store::sqlite_path(&url) else {
        return Err(format!(
            "the installation's database is not SQLite ({url}): migrate-db moves an installation from SQLite to PostgreSQL"
        )
        .into());
    };
    if !std::path::Path::new(path).is_file() {
        return Err(format!("no database at {path}: give it with --database sqlite:PATH or --data-dir").into());
    }
    // Both schemas at this binary's last migration, so they hold the same tables.
    open(&url).await?.close().await;
    let key_path = audit_key_path(&db, &file);
    let public = config::read_audit_key(&key_path)?.map(|key| key.public().clone());
    let holds = |signature: &AuditSignature| public.as_ref().is_some_and(|p| p.holds(signature));
    let rebuild = Rebuild {
        toolkit_terms: &cyberveilig_services::toolkit::search_terms,
        signature_holds: public.is_some().then_some(&holds as &(dyn Fn(&AuditSignature) -> bool + Sync)),
    };
    if public.is_none() {
        eprintln!(
            "No audit key at {}: the signatures are compared with the entries they sign, not checked with the key.",
            key_path.display()
        );
    }
    eprintln!("Copying {path} into the PostgreSQL database, in one transaction ...");
    let copied = sqlite_to_postgres(path, &to, &rebuild).await?;
    let rows: u64 = copied.tables.iter().map(|(_, n)| n).sum();
    for (table, n) in &copied.tables {
        println!("  {table:<28} {n:>9}");
    }
    println!(
        "Copied {} tables, {rows} rows; every table holds as many rows as in SQLite. The audit log's {} entries hold on \
         PostgreSQL, with {} signatures of its head{}; {} toolkit items indexed for search.",
        copied.tables.len(),
        copied.entries,
        copied.signatures,
        if public.is_some() {
            " checked with the installation's key"
        } else {
            ""
        },
        copied.indexed
    );
    println!(
        "Next: stop using {path}; start the servers with --database (CYBERVEILIG_DATABASE_URL) set to the PostgreSQL URL \
         and the same audit key file ({}).",
        key_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// What to do instead of `backup` on PostgreSQL, whose own tools do it better.
const PG_DUMP_GUIDANCE: &str =
    "This installation runs on PostgreSQL: back it up with PostgreSQL's own tools (docs/OPERATIONS.md, \"Backups and restore\"):
  pg_dump --format=custom --file=cyberveilig-$(date +%F).dump \"$CYBERVEILIG_DATABASE_URL\"
  (one consistent snapshot while the servers run; restore with pg_restore --dbname=NEW_DATABASE FILE),
or pg_basebackup with WAL archiving for recovery to a point in time. Keep the audit key file with the backups, apart.
Deze installatie draait op PostgreSQL: maak back-ups met pg_dump of pg_basebackup (zie docs/OPERATIONS.md).";

/// `cyberveilig backup --to FILE` and `backup verify FILE`.
pub(crate) async fn backup(args: BackupArgs, file: FileConfig) -> Result<ExitCode, AnyError> {
    if let Some(BackupCommand::Verify {
        file: backup,
        db,
        public_key,
    }) = args.command
    {
        return verify_backup(&backup, &db, public_key, &file).await;
    }
    let url = database_url(&args.db, &file, "cyberveilig.db")?;
    let Some(path) = cyberveilig_store::sqlite_path(&url) else {
        eprintln!("{PG_DUMP_GUIDANCE}");
        return Ok(ExitCode::from(2));
    };
    let to = args.to.ok_or("give the new file to write: cyberveilig backup --to FILE")?;
    cyberveilig_store::backup_sqlite(std::path::Path::new(path), &to).await?;
    let size = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
    println!(
        "Wrote a consistent copy of {path} to {} ({size} bytes). Keep the audit key file ({}) safe beside your backups, \
         not in the same place; check the copy with `cyberveilig backup verify {}`.",
        to.display(),
        audit_key_path(&args.db, &file).display(),
        to.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A backup opened read-only: SQLite's integrity check, then the audit log as `audit-log verify`.
async fn verify_backup(
    backup: &std::path::Path,
    db: &DatabaseArgs,
    public_key: Option<String>,
    file: &FileConfig,
) -> Result<ExitCode, AnyError> {
    let path = backup.to_str().ok_or("the backup's name is not UTF-8")?;
    if !backup.is_file() {
        return Err(format!("no backup at {}", backup.display()).into());
    }
    // A file that is not a database fails as it is opened, a damaged one in the check.
    let checked = match cyberveilig_store::SqliteStore::open_read_only(path).await {
        Ok(store) => store.integrity_check().await.map(|problems| (store, problems)),
        Err(e) => Err(e),
    };
    let store = match checked {
        Ok((store, problems)) if problems == ["ok"] => store,
        Ok((_, problems)) => return damaged(backup, &problems.join("; ")),
        Err(e) => return damaged(backup, &e.to_string()),
    };
    let key_path = audit_key_path(db, file);
    let public = match public_key {
        Some(hex) => Some(cyberveilig_services::audit::AuditPublicKey::from_hex(&hex)?),
        None => config::read_audit_key(&key_path)?.map(|key| key.public().clone()),
    };
    let mut services = Services::new(Arc::new(store), Arc::new(SystemClock));
    if let Some(public) = public.clone() {
        services = services.with_audit_public_key(public);
    }
    match services.verify_audit_log().await? {
        ChainReport::Intact { entries, head, signatures } => {
            println!(
                "The backup {} is whole (integrity check ok); all {entries} entries of its audit log hold; head {head}; {}.",
                backup.display(),
                match &public {
                    Some(p) => format!("{} signatures of key {} hold", signatures.unwrap_or(0), p.id()),
                    None => format!("signatures not checked: no key at {} (give --public-key)", key_path.display()),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        ChainReport::Broken(link) => {
            println!("The backup's audit log is broken at entry {}: {}.", link.seq, link.problem);
            Ok(ExitCode::from(1))
        }
    }
}

fn damaged(backup: &std::path::Path, problem: &str) -> Result<ExitCode, AnyError> {
    println!("The backup {} is damaged or not a database: {problem}.", backup.display());
    Ok(ExitCode::from(1))
}
