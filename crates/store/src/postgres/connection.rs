//! PostgreSQL's side of the driver contract (`crate::driver`), over sqlx.

use crate::Result;
use crate::driver::{Arg, Connection, Row, Statement, TxConnection, Value};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Column, Postgres, Row as _, TypeInfo};
use std::sync::Arc;

/// A transaction for writers; a plain pooled connection for readers (each read is one
/// consistent statement, and skipping BEGIN/ROLLBACK halves the round trips of a short read).
pub(crate) enum Conn {
    Tx(sqlx::Transaction<'static, Postgres>),
    Pooled(sqlx::pool::PoolConnection<Postgres>),
}

impl Conn {
    fn connection(&mut self) -> &mut sqlx::PgConnection {
        match self {
            Conn::Tx(tx) => &mut *tx,
            Conn::Pooled(conn) => &mut *conn,
        }
    }
}

type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

/// The statement with its values bound as the types they are, NULLs included.
fn bound(statement: Statement<'_>) -> Query<'_> {
    statement.args.into_iter().fold(sqlx::query(statement.sql), |q, arg| match arg {
        Arg::Integer(v) => q.bind(v),
        Arg::Real(v) => q.bind(v),
        Arg::Text(v) => q.bind(v),
        Arg::Bytes(v) => q.bind(v),
        Arg::Bool(v) => q.bind(v),
        Arg::Date(v) => q.bind(v),
        Arg::Instant(v) => q.bind(v),
    })
}

/// The column names of a result, read once and shared by its rows.
struct Columns(Option<Arc<[String]>>);

impl Columns {
    fn read(&mut self, row: &PgRow) -> Result<Row> {
        let columns = self
            .0
            .get_or_insert_with(|| row.columns().iter().map(|c| c.name().to_owned()).collect())
            .clone();
        let values = (0..columns.len()).map(|i| value_of(row, i)).collect::<Result<_>>()?;
        Ok(Row::new(columns, values))
    }
}

fn value_of(row: &PgRow, i: usize) -> Result<Value> {
    fn get<'r, T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>>(row: &'r PgRow, i: usize) -> Result<Option<T>> {
        Ok(row.try_get::<Option<T>, _>(i)?)
    }
    let type_name = row.column(i).type_info().name();
    let value = match type_name {
        "INT8" => get::<i64>(row, i)?.map(Value::Integer),
        "INT4" => get::<i32>(row, i)?.map(|v| Value::Integer(v.into())),
        "INT2" => get::<i16>(row, i)?.map(|v| Value::Integer(v.into())),
        "FLOAT8" => get::<f64>(row, i)?.map(Value::Real),
        "FLOAT4" => get::<f32>(row, i)?.map(|v| Value::Real(v.into())),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => get::<String>(row, i)?.map(Value::Text),
        "BYTEA" => get::<Vec<u8>>(row, i)?.map(Value::Bytes),
        "BOOL" => get::<bool>(row, i)?.map(Value::Bool),
        "DATE" => get::<NaiveDate>(row, i)?.map(Value::Date),
        "TIMESTAMPTZ" => get::<DateTime<Utc>>(row, i)?.map(Value::Instant),
        "TIMESTAMP" => get::<NaiveDateTime>(row, i)?.map(|at| Value::Instant(at.and_utc())),
        "VOID" => None,
        other => Some(Value::Unsupported(other.to_owned())),
    };
    Ok(value.unwrap_or(Value::Null))
}

#[async_trait]
impl Connection for Conn {
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    /// One equality lookup per key, not an `IN (...)` list: on a findings table an import is
    /// filling inside its transaction, the planner (without statistics for the new rows) scans
    /// the whole table for a list, where it always uses the unique index for one key.
    const LOOKUP_IN_LISTS: bool = false;
    const FULL_TEXT: crate::driver::FullText = crate::driver::FullText::TsVector;

    async fn execute(&mut self, statement: Statement<'_>) -> Result<u64> {
        Ok(bound(statement).execute(self.connection()).await?.rows_affected())
    }

    async fn fetch(&mut self, statement: Statement<'_>, limit: usize) -> Result<Vec<Row>> {
        let mut columns = Columns(None);
        if limit == 1 {
            let row = bound(statement).fetch_optional(self.connection()).await?;
            return row.map(|r| columns.read(&r)).into_iter().collect();
        }
        let rows = bound(statement).fetch_all(self.connection()).await?;
        rows.iter().take(limit).map(|r| columns.read(r)).collect()
    }

}

#[async_trait]
impl TxConnection for Conn {
    async fn commit(self) -> Result<()> {
        match self {
            Conn::Tx(tx) => Ok(tx.commit().await?),
            Conn::Pooled(_) => Ok(()),
        }
    }

    /// PostgreSQL's shared buffers serve every connection: nothing to change per transaction.
    async fn expect_bulk_write(&mut self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreError;
    use crate::driver::query;

    /// A connection to the test server, or `None` (said where people see it) without one.
    async fn connection() -> Option<Conn> {
        let Ok(url) = std::env::var("CYBERVEILIG_TEST_DATABASE_URL") else {
            eprintln!("SKIP: CYBERVEILIG_TEST_DATABASE_URL is not set; the driver contract did not run on PostgreSQL");
            return None;
        };
        let pool = sqlx::PgPool::connect(&url).await.expect("the test server");
        Some(Conn::Pooled(pool.acquire().await.unwrap()))
    }

    #[tokio::test]
    async fn a_statement_takes_exactly_as_many_values_as_it_has_parameters() {
        let Some(mut conn) = connection().await else { return };
        let surplus = query("SELECT $1::BIGINT AS a").bind(1_i64).bind(2_i64).fetch_one(&mut conn).await;
        assert!(matches!(surplus, Err(StoreError::Binding(_))), "{surplus:?}");
        let missing = query("SELECT $1::BIGINT AS a, $2::BIGINT AS b")
            .bind(1_i64)
            .fetch_one(&mut conn)
            .await;
        assert!(matches!(missing, Err(StoreError::Binding(_))), "{missing:?}");
    }

    #[tokio::test]
    async fn values_round_trip_with_their_types_nulls_included() {
        let Some(mut conn) = connection().await else { return };
        let at: DateTime<Utc> = "2021-06-15T08:00:00.123456Z".parse().unwrap();
        let on = NaiveDate::from_ymd_opt(2020, 6, 8).unwrap();
        let row = query("SELECT $2 AS b, $1 AS a, $3 AS at, $4 AS on_, $5 AS yes, $6 AS empty, $7 AS bytes, $8 AS n, 1::INT4 AS small")
            .bind("a")
            .bind("b")
            .bind(at)
            .bind(on)
            .bind(true)
            .bind(None::<i64>)
            .bind(&b"pdf"[..])
            .bind(2.5_f64)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(row.try_get::<String, _>("a").unwrap(), "a");
        assert_eq!(row.try_get::<String, _>(0).unwrap(), "b");
        assert_eq!(row.try_get::<DateTime<Utc>, _>("at").unwrap(), at);
        assert_eq!(row.try_get::<NaiveDate, _>("on_").unwrap(), on);
        assert!(row.try_get::<bool, _>("yes").unwrap());
        assert_eq!(row.try_get::<Option<i64>, _>("empty").unwrap(), None);
        assert_eq!(row.try_get::<Vec<u8>, _>("bytes").unwrap(), b"pdf");
        assert_eq!(row.try_get::<f64, _>("n").unwrap(), 2.5);
        assert_eq!(row.try_get::<i64, _>("small").unwrap(), 1);
        assert!(matches!(row.try_get::<i64, _>("empty"), Err(StoreError::Corrupt(_))));
        assert!(matches!(row.try_get::<i64, _>("a"), Err(StoreError::Corrupt(_))));
        assert!(matches!(row.try_get::<i64, _>("missing"), Err(StoreError::Corrupt(_))));
    }
}
