//! PostgreSQL, for more than one machine: any number of cyberveilig nodes share it. Writers lock
//! the programme row they change and the audit chain's head, so the ledger and the chain stay
//! consistent whichever node writes.

use crate::sql::Transaction;
use crate::{Result, Store, Tx};
use async_trait::async_trait;
use connection::Conn;

mod connection;
use sqlx::migrate::{Migrate, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// A read statement that runs longer is cancelled by the server, as on SQLite
/// (`sqlite::READ_LIMIT`): no request holds a reader for ever.
const READ_LIMIT: &str = "30s";

pub struct PostgresStore {
    /// Writers (and migrations).
    pool: PgPool,
    /// Readers, beside the writers so long reads never take a writer's connection, each with the
    /// statement limit set once when it connects.
    readers: PgPool,
    signer: std::sync::OnceLock<Arc<dyn crate::audit::HeadSigner>>,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<PostgresStore> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        let readers = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_lazy_with(options.options([("statement_timeout", READ_LIMIT)]));
        Ok(PostgresStore {
            pool,
            readers,
            signer: std::sync::OnceLock::new(),
        })
    }
}

impl PostgresStore {
    /// A transaction of its own on a writer's connection, outside the [`Tx`] seam: a copy of
    /// whole tables into this database (`crate::copy`).
    pub(crate) async fn begin(&self) -> Result<impl crate::driver::TxConnection> {
        Ok(Conn::Tx(self.pool.begin().await?, Vec::new()))
    }
}

/// The migrations a migrator would apply on `conn`, by description.
async fn pending<C: Migrate + Send>(migrator: &Migrator, conn: &mut C) -> Result<Vec<String>> {
    conn.ensure_migrations_table().await?;
    let applied: Vec<i64> = conn.list_applied_migrations().await?.into_iter().map(|m| m.version).collect();
    Ok(migrator
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .map(|m| format!("{} {}", m.version, m.description))
        .collect())
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<()> {
        Ok(MIGRATOR.run(&self.pool).await?)
    }

    async fn pending_migrations(&self) -> Result<Vec<String>> {
        let mut conn = self.pool.acquire().await?;
        pending(&MIGRATOR, &mut *conn).await
    }

    async fn write(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(Transaction::new(
            Conn::transaction(self.pool.begin().await?),
            self.signer.get().cloned(),
        )))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(Transaction::new(
            Conn::Pooled(self.readers.acquire().await?),
            self.signer.get().cloned(),
        )))
    }

    fn sign_heads_with(&self, signer: Arc<dyn crate::audit::HeadSigner>) {
        if self.signer.set(signer).is_err() {
            tracing::warn!("the audit chain's signer was set already; the first one stays");
        }
    }

    async fn close(&self) {
        self.readers.close().await;
        self.pool.close().await;
    }
}
