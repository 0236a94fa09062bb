//! The embedded database: one file in WAL mode. Every connection lives on a thread of its own
//! ([`lane::Lane`]), so no statement runs on the async runtime's workers. Writers take the one
//! write lane in turn, so a transaction never meets SQLITE_BUSY inside this process; readers take
//! lanes of a bounded pool, never wait for a writer, and are interrupted when a statement runs
//! longer than [`READ_LIMIT`].

mod connection;
mod lane;
mod migrations;

use crate::driver::{Row, Statement, TxConnection};
use crate::sql::Transaction;
use crate::{Result, Store, StoreError, Tx};
use async_trait::async_trait;
use lane::Lane;
pub use lane::wait_for_the_database_here;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

/// Readers at once: more wait for one to come free (each is a thread and a page cache).
const READERS: usize = 8;
/// A read statement (or one chunk of a streamed one) that runs longer is interrupted: no request
/// holds a reader for ever.
pub const READ_LIMIT: Duration = Duration::from_secs(30);
/// Prepared statements kept per connection: every statement the store runs fits.
const STATEMENT_CACHE: usize = 128;
/// Page cache per connection, in KiB (SQLite's negative `cache_size`).
const CACHE_KIB: i64 = 16_000;
/// The writer's page cache during a bulk write (a large import): enough for the indexes of a
/// register of a million findings, so each insert does not read its index pages back.
const BULK_CACHE_KIB: i64 = 160_000;

pub struct SqliteStore {
    writer: Arc<tokio::sync::Mutex<Lane>>,
    readers: Arc<Readers>,
    signer: std::sync::OnceLock<Arc<dyn crate::audit::HeadSigner>>,
}

struct Readers {
    path: PathBuf,
    limit: Duration,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<Lane>>,
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
        SqliteStore::open_with(path, READ_LIMIT).await
    }

    async fn open_with(path: &str, read_limit: Duration) -> Result<SqliteStore> {
        if path.is_empty() || path.contains(":memory:") {
            return Err(StoreError::UnsupportedUrl(format!("sqlite:{path}")));
        }
        let path = PathBuf::from(path);
        let opened = path.clone();
        let writer = tokio::task::spawn_blocking(move || -> Result<Connection> {
            let writer = open(&opened, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
            writer.pragma_update(None, "journal_mode", "WAL")?;
            Ok(writer)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("opening the database stopped: {e}")))??;
        Ok(SqliteStore {
            writer: Arc::new(tokio::sync::Mutex::new(Lane::spawn(writer, "sqlite-writer", None)?)),
            readers: Arc::new(Readers {
                path,
                limit: read_limit,
                permits: Arc::new(Semaphore::new(READERS)),
                idle: Mutex::new(Vec::new()),
            }),
            signer: std::sync::OnceLock::new(),
        })
    }

    /// Opens a copy of a database (a backup) to read only: nothing is written to the file, not
    /// even a journal, so a backup checked stays byte for byte the backup taken.
    pub async fn open_read_only(path: &str) -> Result<SqliteStore> {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(StoreError::Refused(format!("no database at {}", path.display())));
        }
        let opened = path.clone();
        let conn = tokio::task::spawn_blocking(move || open(&opened, OpenFlags::SQLITE_OPEN_READ_ONLY))
            .await
            .map_err(|e| StoreError::Corrupt(format!("opening the database stopped: {e}")))??;
        Ok(SqliteStore {
            writer: Arc::new(tokio::sync::Mutex::new(Lane::spawn(conn, "sqlite-read-only", None)?)),
            readers: Arc::new(Readers {
                path,
                limit: READ_LIMIT,
                permits: Arc::new(Semaphore::new(READERS)),
                idle: Mutex::new(Vec::new()),
            }),
            signer: std::sync::OnceLock::new(),
        })
    }

    /// SQLite's own check of the file (`PRAGMA integrity_check`): "ok", or what is wrong.
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        self.writer
            .lock()
            .await
            .run(|conn| {
                let mut statement = conn.prepare("PRAGMA integrity_check")?;
                let lines = statement.query_map([], |row| row.get::<_, String>(0))?;
                Ok(lines.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }
}

/// A read-only connection to the database at `path` with no statement limit, for reading every
/// table of it once (`crate::copy`).
pub(crate) async fn whole_reader(path: &str) -> Result<impl crate::driver::Connection> {
    let path = PathBuf::from(path);
    let conn = tokio::task::spawn_blocking(move || open(&path, OpenFlags::SQLITE_OPEN_READ_ONLY))
        .await
        .map_err(|e| StoreError::Corrupt(format!("opening the database stopped: {e}")))??;
    Lane::spawn(conn, "sqlite-copy", None)
}

/// Writes a consistent copy of the database at `db` to the new file `to`, while servers may go
/// on reading and writing it.
///
/// `VACUUM INTO` rather than the online backup API (`sqlite3_backup_step`): it reads the whole
/// database in one read transaction, so in WAL mode writers go on and the copy is the database
/// as of one moment; the backup API copies in steps and starts again from the beginning whenever
/// another connection writes between two steps, so on a busy server it may never finish (or,
/// in one step, holds the file's read lock as long). The copy is also compacted, and in rollback
/// journal mode: one file, nothing beside it. It runs on a connection of its own, read-only on
/// the database, so it takes no writer's place.
pub async fn backup(db: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        return Err(StoreError::Refused(format!(
            "{} exists already: a backup never overwrites a file; choose a new name",
            to.display()
        )));
    }
    if !db.is_file() {
        return Err(StoreError::Refused(format!("no database at {}", db.display())));
    }
    let (db, to) = (db.to_path_buf(), to.to_path_buf());
    tokio::task::spawn_blocking(move || -> Result<()> {
        let conn = open(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let target = to.to_str().ok_or_else(|| StoreError::UnsupportedUrl(to.display().to_string()))?;
        conn.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("the backup stopped: {e}")))?
}

impl Readers {
    async fn take(self: &Arc<Self>) -> Result<Conn> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Corrupt("the database is closed".into()))?;
        let idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        let lane = match idle {
            Some(lane) => lane,
            None => {
                let path = self.path.clone();
                let conn = tokio::task::spawn_blocking(move || open(&path, OpenFlags::SQLITE_OPEN_READ_ONLY))
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("opening a reader stopped: {e}")))??;
                Lane::spawn(conn, "sqlite-reader", Some(self.limit))?
            }
        };
        Ok(Conn::Reader {
            lane: Some(lane),
            readers: self.clone(),
            _permit: permit,
        })
    }

    fn give_back(&self, lane: Lane) {
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(lane);
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<()> {
        self.writer.lock().await.run(migrations::run).await
    }

    async fn pending_migrations(&self) -> Result<Vec<String>> {
        self.writer.lock().await.run(|conn| migrations::pending(conn)).await
    }

    async fn write(&self) -> Result<Box<dyn Tx>> {
        let lane = self.writer.clone().lock_owned().await;
        // IMMEDIATE takes the file's write lock now, so another process (a CLI command) makes
        // this wait at the start rather than fail half-way.
        lane.run(|conn| Ok(conn.execute_batch("BEGIN IMMEDIATE")?)).await?;
        let conn = Conn::Writer {
            lane: Some(lane),
            open: true,
            bulk: false,
        };
        Ok(Box::new(Transaction::new(conn, self.signer.get().cloned())))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(Transaction::new(self.readers.take().await?, self.signer.get().cloned())))
    }

    fn sign_heads_with(&self, signer: Arc<dyn crate::audit::HeadSigner>) {
        if self.signer.set(signer).is_err() {
            tracing::warn!("the audit chain's signer was set already; the first one stays");
        }
    }

    async fn close(&self) {
        self.readers.permits.close();
        self.readers.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
        // Checkpoint so the file is whole without its -wal beside it.
        let writer = self.writer.lock().await;
        if let Err(e) = writer.run(|conn| Ok(conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?)).await {
            tracing::warn!("WAL checkpoint at close failed: {e}");
        }
    }
}

/// The write lane inside a transaction, or a reader's lane.
enum Conn {
    /// `bulk`: the page cache was enlarged for this transaction, and is shrunk back after it.
    Writer {
        /// Taken out only by `Drop`.
        lane: Option<OwnedMutexGuard<Lane>>,
        open: bool,
        bulk: bool,
    },
    Reader {
        lane: Option<Lane>,
        readers: Arc<Readers>,
        _permit: OwnedSemaphorePermit,
    },
}

impl Conn {
    async fn commit(mut self) -> Result<()> {
        if let Conn::Writer {
            lane: Some(lane), open, ..
        } = &mut self
        {
            lane.run(|conn| Ok(conn.execute_batch("COMMIT")?)).await?;
            *open = false;
        }
        Ok(())
    }

    async fn expect_bulk_write(&mut self) -> Result<()> {
        if let Conn::Writer {
            lane: Some(lane), bulk, ..
        } = self
        {
            lane.run(|conn| Ok(conn.execute_batch(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}"))?))
                .await?;
            *bulk = true;
        }
        Ok(())
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        match self {
            Conn::Writer { lane, open, bulk } => {
                let (open, bulk) = (*open, *bulk);
                let Some(held) = lane.take() else { return };
                // The write lock goes along and is let go only once the rollback ran, so the
                // next writer's BEGIN comes after it.
                held.handle().finish(move |conn| {
                    // Not committed: nothing of it is kept.
                    if open && let Err(e) = conn.execute_batch("ROLLBACK") {
                        tracing::error!("rollback failed: {e}");
                    }
                    // Shrinking the cache frees the pages the bulk write held.
                    if bulk && let Err(e) = conn.execute_batch(&format!("PRAGMA cache_size = -{CACHE_KIB}")) {
                        tracing::error!("cannot shrink the page cache: {e}");
                    }
                    drop(held);
                });
            }
            Conn::Reader { lane, readers, .. } => {
                if let Some(lane) = lane.take() {
                    readers.give_back(lane);
                }
            }
        }
    }
}

impl std::ops::Deref for Conn {
    type Target = Lane;
    fn deref(&self) -> &Lane {
        match self {
            // Only `Drop` takes a lane out.
            Conn::Writer { lane, .. } => lane.as_ref().expect("a writer holds its lane until dropped"),
            Conn::Reader { lane, .. } => lane.as_ref().expect("a reader holds its lane until dropped"),
        }
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Lane {
        match self {
            Conn::Writer { lane, .. } => lane.as_mut().expect("a writer holds its lane until dropped"),
            Conn::Reader { lane, .. } => lane.as_mut().expect("a reader holds its lane until dropped"),
        }
    }
}

#[async_trait]
impl crate::driver::Connection for Conn {
    const FOR_UPDATE: &'static str = <Lane as crate::driver::Connection>::FOR_UPDATE;
    const FULL_TEXT: crate::driver::FullText = <Lane as crate::driver::Connection>::FULL_TEXT;
    const STAGES_BATCHES: bool = <Lane as crate::driver::Connection>::STAGES_BATCHES;

    async fn execute(&mut self, statement: Statement<'_>) -> Result<u64> {
        (**self).execute(statement).await
    }

    async fn fetch(&mut self, statement: Statement<'_>, limit: usize) -> Result<Vec<Row>> {
        (**self).fetch(statement, limit).await
    }

    async fn stage(&mut self, table: &'static str, columns: &[&str], values: &[crate::driver::Arg]) -> Result<u64> {
        (**self).stage(table, columns, values).await
    }
}

#[async_trait]
impl TxConnection for Conn {
    async fn commit(self) -> Result<()> {
        Conn::commit(self).await
    }

    async fn expect_bulk_write(&mut self) -> Result<()> {
        Conn::expect_bulk_write(self).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::query;

    /// Counts without end: only the statement limit stops it.
    const ENDLESS: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c";

    #[tokio::test]
    async fn a_read_past_its_limit_is_stopped_and_the_reader_serves_the_next_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_with(dir.path().join("t.db").to_str().unwrap(), Duration::from_millis(200))
            .await
            .unwrap();
        let mut reader = store.readers.take().await.unwrap();
        let stopped = query(ENDLESS).fetch_one(&mut reader).await;
        assert!(matches!(stopped, Err(StoreError::TooLong)), "{:?}", stopped.err());
        let row = query("SELECT 41 + 1 AS n").fetch_one(&mut reader).await.unwrap();
        assert_eq!(row.try_get::<i64, _>("n").unwrap(), 42);
    }

    #[tokio::test]
    async fn the_writer_has_no_read_limit_and_readers_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_with(dir.path().join("t.db").to_str().unwrap(), Duration::from_millis(1))
            .await
            .unwrap();
        let mut held = Vec::new();
        for _ in 0..READERS {
            held.push(store.readers.take().await.unwrap());
        }
        // Every reader is taken: the next waits until one comes back.
        let waiting = tokio::time::timeout(Duration::from_millis(50), store.readers.take()).await;
        assert!(waiting.is_err(), "a reader beyond the pool's {READERS}");
        held.pop();
        assert!(store.readers.take().await.is_ok());
        // A writer's statement (an import's, a migration's) runs as long as it needs.
        let mut writer = store.writer.lock().await;
        let row = query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT COUNT(*) AS n FROM c")
            .fetch_one(&mut *writer)
            .await
            .unwrap();
        assert_eq!(row.try_get::<i64, _>("n").unwrap(), 300_000);
    }
}
