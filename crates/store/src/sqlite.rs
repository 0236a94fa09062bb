//! The embedded database: one file in WAL mode. Writers take the one write connection in turn,
//! so a transaction never meets SQLITE_BUSY inside this process; readers use their own pool and
//! never wait for a writer.

use crate::sql::Conn;
use crate::{Result, Store, StoreError, Tx};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
}

pub(crate) struct SqliteTx {
    conn: crate::sql::Conn<sqlx::Sqlite>,
    head: Option<(i64, String, bool)>,
    balances: Option<(i64, cyberveilig_domain::ledger::Balances)>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`; `:memory:` is not supported since
    /// the writer and the readers need to share one database.
    pub async fn open(path: &str) -> Result<SqliteStore> {
        if path.is_empty() || path.contains(":memory:") {
            return Err(StoreError::UnsupportedUrl(format!("sqlite:{path}")));
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode NORMAL loses no committed transaction on an application crash, only
            // possibly the last ones on a power cut; FULL halves write throughput.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-16000");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore { writer, readers })
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<()> {
        Ok(MIGRATOR.run(&self.writer).await?)
    }

    async fn pending_migrations(&self) -> Result<Vec<String>> {
        let mut conn = self.writer.acquire().await?;
        crate::postgres::pending(&MIGRATOR, &mut *conn).await
    }

    async fn write(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(SqliteTx {
            conn: Conn::Tx(self.writer.begin().await?),
            head: None,
            balances: None,
        }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(SqliteTx {
            conn: Conn::Pooled(self.readers.acquire().await?),
            head: None,
            balances: None,
        }))
    }

    async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }
}

// SQLite has no row locks: the single write connection already serialises writers.
crate::sql::implement_tx!(SqliteTx, sqlx::Sqlite, "");
