//! The embedded database: one file in WAL mode. Writers take the one write connection in turn,
//! so a transaction never meets SQLITE_BUSY inside this process; readers take connections of
//! their own and never wait for a writer. Statements run on the calling thread (see `driver`).

mod driver;
mod migrations;

use crate::{Result, Store, StoreError, Tx};
use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OwnedMutexGuard;

/// Read connections kept open between reads; more are opened when more readers come at once.
const IDLE_READERS: usize = 8;
/// Prepared statements kept per connection: every statement the store runs fits.
const STATEMENT_CACHE: usize = 128;
/// Page cache per connection, in KiB (SQLite's negative `cache_size`).
const CACHE_KIB: i64 = 16_000;
/// The writer's page cache during a bulk write (a large import): enough for the indexes of a
/// register of a million findings, so each insert does not read its index pages back.
const BULK_CACHE_KIB: i64 = 160_000;

pub struct SqliteStore {
    writer: Arc<tokio::sync::Mutex<Connection>>,
    readers: Arc<Readers>,
    signer: std::sync::OnceLock<Arc<dyn crate::audit::HeadSigner>>,
}

struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

pub(crate) struct SqliteTx {
    conn: Conn,
    head: Option<(i64, String, bool)>,
    balances: Option<(i64, cyberveilig_domain::ledger::Balances)>,
    signer: Option<Arc<dyn crate::audit::HeadSigner>>,
}

fn open(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(
        // In WAL mode NORMAL loses no committed transaction on an application crash, only
        // possibly the last ones on a power cut; FULL halves write throughput. Statement
        // journals (a statement's undo inside a transaction) stay in memory: in a file they
        // cost a quarter of an import's time in write calls.
        &format!("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = MEMORY;"),
    )?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`; `:memory:` is not supported since
    /// the writer and the readers need to share one database.
    pub async fn open(path: &str) -> Result<SqliteStore> {
        if path.is_empty() || path.contains(":memory:") {
            return Err(StoreError::UnsupportedUrl(format!("sqlite:{path}")));
        }
        let path = PathBuf::from(path);
        let writer = open(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        Ok(SqliteStore {
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            readers: Arc::new(Readers {
                path,
                idle: Mutex::new(Vec::new()),
            }),
            signer: std::sync::OnceLock::new(),
        })
    }
}

impl Readers {
    fn take(self: &Arc<Self>) -> Result<Conn> {
        let idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?,
        };
        Ok(Conn::Reader {
            conn: Some(conn),
            readers: self.clone(),
        })
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<()> {
        migrations::run(&mut *self.writer.lock().await)
    }

    async fn pending_migrations(&self) -> Result<Vec<String>> {
        migrations::pending(&*self.writer.lock().await)
    }

    async fn write(&self) -> Result<Box<dyn Tx>> {
        let conn = self.writer.clone().lock_owned().await;
        // IMMEDIATE takes the file's write lock now, so another process (a CLI command) makes
        // this wait at the start rather than fail half-way.
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Box::new(SqliteTx {
            conn: Conn::Writer {
                conn,
                open: true,
                bulk: false,
            },
            head: None,
            balances: None,
            signer: self.signer.get().cloned(),
        }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(SqliteTx {
            conn: self.readers.take()?,
            head: None,
            balances: None,
            signer: self.signer.get().cloned(),
        }))
    }

    fn sign_heads_with(&self, signer: Arc<dyn crate::audit::HeadSigner>) {
        if self.signer.set(signer).is_err() {
            tracing::warn!("the audit chain's signer was set already; the first one stays");
        }
    }

    async fn close(&self) {
        self.readers.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
        // Checkpoint so the file is whole without its -wal beside it.
        let writer = self.writer.lock().await;
        if let Err(e) = writer.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
            tracing::warn!("WAL checkpoint at close failed: {e}");
        }
    }
}

/// The writer's connection inside a transaction, or a reader's connection.
enum Conn {
    /// `bulk`: the page cache was enlarged for this transaction, and is shrunk back after it.
    Writer {
        conn: OwnedMutexGuard<Connection>,
        open: bool,
        bulk: bool,
    },
    Reader {
        conn: Option<Connection>,
        readers: Arc<Readers>,
    },
}

impl Conn {
    async fn commit(mut self) -> Result<()> {
        if let Conn::Writer { conn, open, .. } = &mut self {
            conn.execute_batch("COMMIT")?;
            *open = false;
        }
        Ok(())
    }

    async fn expect_bulk_write(&mut self) -> Result<()> {
        if let Conn::Writer { conn, bulk, .. } = self {
            conn.execute_batch(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}"))?;
            *bulk = true;
        }
        Ok(())
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        match self {
            Conn::Writer { conn, open, bulk } => {
                // Not committed: nothing of it is kept.
                if *open && let Err(e) = conn.execute_batch("ROLLBACK") {
                    tracing::error!("rollback failed: {e}");
                }
                // Shrinking the cache frees the pages the bulk write held.
                if *bulk && let Err(e) = conn.execute_batch(&format!("PRAGMA cache_size = -{CACHE_KIB}")) {
                    tracing::error!("cannot shrink the page cache: {e}");
                }
            }
            Conn::Reader { conn, readers } => {
                if let Some(conn) = conn.take() {
                    readers.give_back(conn);
                }
            }
        }
    }
}

impl std::ops::Deref for Conn {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            Conn::Writer { conn, .. } => conn,
            // Only `Drop` takes the connection out.
            Conn::Reader { conn, .. } => conn.as_ref().expect("a reader holds its connection until dropped"),
        }
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Connection {
        match self {
            Conn::Writer { conn, .. } => conn,
            Conn::Reader { conn, .. } => conn.as_mut().expect("a reader holds its connection until dropped"),
        }
    }
}

// SQLite has no row locks: the single write connection already serialises writers.
crate::sql::implement_tx!(SqliteTx, "");
crate::sql_remediation::implement_remediation_tx!(SqliteTx);
crate::assessment_sql::implement_assessment_tx!(SqliteTx);
crate::sql_disclosure::implement_disclosure_tx!(SqliteTx);
crate::sql_reports::implement_reports_tx!(SqliteTx);
crate::sql_engagements::implement_engagements_tx!(SqliteTx);
crate::sql_security::implement_security_tx!(SqliteTx);
crate::sql_audit_reports::implement_audit_reports_tx!(SqliteTx);
