//! PostgreSQL, for more than one machine: any number of cyberveilig nodes share it. Writers lock
//! the programme row they change and the audit chain's head, so the ledger and the chain stay
//! consistent whichever node writes.

use crate::{Result, Store, Tx};
use async_trait::async_trait;
use driver::Conn;
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

pub(crate) struct PostgresTx {
    conn: Conn,
    head: Option<(i64, String, bool)>,
    balances: Option<(i64, cyberveilig_domain::ledger::Balances)>,
    signer: Option<Arc<dyn crate::audit::HeadSigner>>,
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
        Ok(Box::new(PostgresTx {
            conn: Conn::Tx(self.pool.begin().await?),
            head: None,
            balances: None,
            signer: self.signer.get().cloned(),
        }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(PostgresTx {
            conn: Conn::Pooled(self.readers.acquire().await?),
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
        self.readers.close().await;
        self.pool.close().await;
    }
}

/// What the shared SQL (`crate::sql`) runs on here: sqlx itself.
mod driver {
    use crate::{Result, StoreError};
    use sqlx::Postgres;

    pub(crate) use sqlx::{Row, query};

    /// One equality lookup per key, not an `IN (...)` list: on a findings table an import is
    /// filling inside its transaction, the planner (without statistics for the new rows) scans
    /// the whole table for a list, where it always uses the unique index for one key.
    pub(crate) const LOOKUP_IN_LISTS: bool = false;
    pub(crate) type DbRow = sqlx::postgres::PgRow;
    pub(crate) type Query<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

    /// Runs a statement and gives its rows to `each` as they arrive, in constant memory.
    pub(crate) async fn for_each(
        query: Query<'_>,
        conn: &mut sqlx::PgConnection,
        each: &mut (dyn FnMut(&DbRow) -> Result<()> + Send),
    ) -> Result<u64> {
        use futures_util::TryStreamExt;
        let mut rows = query.fetch(conn);
        let mut n = 0;
        while let Some(row) = rows.try_next().await? {
            each(&row)?;
            n += 1;
            // Rows that arrive faster than `each` takes them would keep this worker to itself.
            if n % 256 == 0 {
                tokio::task::yield_now().await;
            }
        }
        Ok(n)
    }

    pub(crate) fn unique_violation(err: sqlx::Error) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
            _ => StoreError::Database(err),
        }
    }

    /// A transaction for writers; a plain pooled connection for readers (each read is one
    /// consistent statement, and skipping BEGIN/ROLLBACK halves the round trips of a short read).
    pub(crate) enum Conn {
        Tx(sqlx::Transaction<'static, Postgres>),
        Pooled(sqlx::pool::PoolConnection<Postgres>),
    }

    impl Conn {
        /// PostgreSQL's shared buffers serve every connection: nothing to change per transaction.
        pub(crate) async fn expect_bulk_write(&mut self) -> Result<()> {
            Ok(())
        }

        pub(crate) async fn commit(self) -> Result<()> {
            match self {
                Conn::Tx(tx) => Ok(tx.commit().await?),
                Conn::Pooled(_) => Ok(()),
            }
        }
    }

    impl std::ops::Deref for Conn {
        type Target = sqlx::PgConnection;
        fn deref(&self) -> &sqlx::PgConnection {
            match self {
                Conn::Tx(tx) => tx,
                Conn::Pooled(conn) => conn,
            }
        }
    }

    impl std::ops::DerefMut for Conn {
        fn deref_mut(&mut self) -> &mut sqlx::PgConnection {
            match self {
                Conn::Tx(tx) => &mut *tx,
                Conn::Pooled(conn) => &mut *conn,
            }
        }
    }
}

crate::sql::implement_tx!(PostgresTx, " FOR UPDATE");
crate::sql_remediation::implement_remediation_tx!(PostgresTx);
crate::assessment_sql::implement_assessment_tx!(PostgresTx);
crate::sql_disclosure::implement_disclosure_tx!(PostgresTx);
crate::sql_reports::implement_reports_tx!(PostgresTx);
crate::sql_engagements::implement_engagements_tx!(PostgresTx);
crate::sql_security::implement_security_tx!(PostgresTx);
crate::sql_audit_reports::implement_audit_reports_tx!(PostgresTx);
