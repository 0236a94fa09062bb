//! The SQLite schema's migrations, embedded in the binary and applied in order, each in its own
//! transaction. A migration already applied must not change: its checksum is kept and compared.

use crate::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// Every file of `migrations/sqlite`, in order (a test checks this list against the folder).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "programme engine",
        include_str!("../../migrations/sqlite/0001_programme_engine.sql"),
    ),
    (2, "sessions", include_str!("../../migrations/sqlite/0002_sessions.sql")),
    (3, "accounts", include_str!("../../migrations/sqlite/0003_accounts.sql")),
    (4, "findings", include_str!("../../migrations/sqlite/0004_findings.sql")),
    (5, "assessments", include_str!("../../migrations/sqlite/0005_assessments.sql")),
    (6, "remediation", include_str!("../../migrations/sqlite/0006_remediation.sql")),
    (7, "disclosure", include_str!("../../migrations/sqlite/0007_disclosure.sql")),
    (8, "reports", include_str!("../../migrations/sqlite/0008_reports.sql")),
    (9, "engagements", include_str!("../../migrations/sqlite/0009_engagements.sql")),
    (10, "audit reports", include_str!("../../migrations/sqlite/0010_audit_reports.sql")),
    (11, "security", include_str!("../../migrations/sqlite/0011_security.sql")),
    (20, "informational", include_str!("../../migrations/sqlite/0020_informational.sql")),
    (
        22,
        "steering group",
        include_str!("../../migrations/sqlite/0022_steering_group.sql"),
    ),
    (
        24,
        "awareness events",
        include_str!("../../migrations/sqlite/0024_awareness_events.sql"),
    ),
    (25, "grant", include_str!("../../migrations/sqlite/0025_grant.sql")),
    (26, "toolkit", include_str!("../../migrations/sqlite/0026_toolkit.sql")),
    (
        27,
        "meeting documents",
        include_str!("../../migrations/sqlite/0027_meeting_documents.sql"),
    ),
    (
        28,
        "register at scale",
        include_str!("../../migrations/sqlite/0028_register_at_scale.sql"),
    ),
    (29, "outbox claims", include_str!("../../migrations/sqlite/0029_outbox_claims.sql")),
    (30, "baseline", include_str!("../../migrations/sqlite/0030_baseline.sql")),
];

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

fn table_exists(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [name], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The versions applied, with their checksums. A database migrated before this runner existed
/// (by sqlx) has its history in `_sqlx_migrations`, which is taken over.
fn applied(conn: &Connection) -> Result<Vec<(i64, Option<String>)>> {
    let table = if table_exists(conn, "schema_migrations")? {
        "SELECT version, checksum FROM schema_migrations ORDER BY version"
    } else if table_exists(conn, "_sqlx_migrations")? {
        "SELECT version, NULL FROM _sqlx_migrations WHERE success ORDER BY version"
    } else {
        return Ok(Vec::new());
    };
    let mut statement = conn.prepare(table)?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn pending(conn: &Connection) -> Result<Vec<String>> {
    let applied = applied(conn)?;
    Ok(MIGRATIONS
        .iter()
        .filter(|(version, ..)| !applied.iter().any(|(v, _)| v == version))
        .map(|(version, description, _)| format!("{version} {description}"))
        .collect())
}

pub(super) fn run(conn: &mut Connection) -> Result<()> {
    let applied = applied(conn)?;
    for (version, description, sql) in MIGRATIONS {
        if let Some((_, Some(stored))) = applied.iter().find(|(v, _)| v == version)
            && *stored != checksum(sql)
        {
            return Err(StoreError::Migration(format!(
                "migration {version} ({description}) was changed after it was applied to this database"
            )));
        }
    }
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version     INTEGER PRIMARY KEY,
             description TEXT NOT NULL,
             checksum    TEXT,
             applied_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
         )",
    )?;
    for (version, _) in &applied {
        tx.execute(
            "INSERT OR IGNORE INTO schema_migrations (version, description) VALUES (?1, 'applied by sqlx')",
            [version],
        )?;
    }
    tx.commit()?;
    for (version, description, sql) in MIGRATIONS {
        if applied.iter().any(|(v, _)| v == version) {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|e| StoreError::Migration(format!("migration {version} ({description}): {e}")))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, description, checksum) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, description, checksum(sql)],
        )?;
        tx.commit()?;
        tracing::info!(version, description, "migration applied");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_every_file_of_the_folder_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        assert_eq!(files.len(), MIGRATIONS.len(), "a migration file is missing from MIGRATIONS");
        for (file, (version, _, sql)) in files.iter().zip(MIGRATIONS) {
            assert_eq!(file[..4].parse::<i64>().unwrap(), *version, "{file}");
            assert_eq!(std::fs::read_to_string(format!("{dir}/{file}")).unwrap(), *sql, "{file}");
        }
    }

    #[test]
    fn migrating_twice_applies_each_once_and_a_changed_migration_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(pending(&conn).unwrap().len(), MIGRATIONS.len());
        run(&mut conn).unwrap();
        run(&mut conn).unwrap();
        assert!(pending(&conn).unwrap().is_empty());
        conn.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1", [])
            .unwrap();
        assert!(matches!(run(&mut conn), Err(StoreError::Migration(_))));
    }
}
