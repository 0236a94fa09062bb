//! PostgreSQL, for more than one machine: any number of cyberveilig nodes share it. Writers lock
//! the programme row they change and the audit chain's head, so the ledger and the chain stay
//! consistent whichever node writes.

use crate::sql::Conn;
use crate::{Result, Store, Tx};
use async_trait::async_trait;
use sqlx::migrate::{Migrate, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

pub struct PostgresStore {
    pool: PgPool,
}

pub(crate) struct PostgresTx {
    conn: crate::sql::Conn<sqlx::Postgres>,
    head: Option<(i64, String, bool)>,
    balances: Option<(i64, cyberveilig_domain::ledger::Balances)>,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<PostgresStore> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        Ok(PostgresStore { pool })
    }
}

/// The migrations a migrator would apply on `conn`, by description.
pub(crate) async fn pending<C: Migrate + Send>(migrator: &Migrator, conn: &mut C) -> Result<Vec<String>> {
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
        }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(PostgresTx {
            conn: Conn::Pooled(self.pool.acquire().await?),
            head: None,
            balances: None,
        }))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

crate::sql::implement_tx!(PostgresTx, sqlx::Postgres, " FOR UPDATE");
