//! PostgreSQL's side of the driver contract (`crate::driver`), over sqlx.

use crate::driver::{Arg, Connection, Row, Statement, TxConnection, Value};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Column, Postgres, Row as _, TypeInfo};
use std::sync::Arc;

/// A transaction for writers, with the staging tables it created; a plain pooled connection for
/// readers (each read is one consistent statement, and skipping BEGIN/ROLLBACK halves the round
/// trips of a short read).
pub(crate) enum Conn {
    Tx(sqlx::Transaction<'static, Postgres>, Vec<&'static str>),
    Pooled(sqlx::pool::PoolConnection<Postgres>),
}

impl Conn {
    pub(crate) fn transaction(tx: sqlx::Transaction<'static, Postgres>) -> Conn {
        Conn::Tx(tx, Vec::new())
    }

    fn connection(&mut self) -> &mut sqlx::PgConnection {
        match self {
            Conn::Tx(tx, _) => &mut *tx,
            Conn::Pooled(conn) => &mut *conn,
        }
    }
}

/// A value's column type, for a staging table typed by its first row.
fn type_of(arg: &Arg) -> &'static str {
    match arg {
        Arg::Integer(_) => "BIGINT",
        Arg::Real(_) => "DOUBLE PRECISION",
        Arg::Text(_) => "TEXT",
        Arg::Bytes(_) => "BYTEA",
        Arg::Bool(_) => "BOOLEAN",
        Arg::Date(_) => "DATE",
        Arg::Instant(_) => "TIMESTAMPTZ",
    }
}

/// Writes a value in COPY's text format: `\N` for NULL, backslash escapes for the characters
/// that separate values and rows.
fn copy_value(out: &mut Vec<u8>, arg: &Arg) {
    use std::io::Write;
    // Writing into a Vec cannot fail.
    let _ = match arg {
        Arg::Integer(Some(i)) => write!(out, "{i}"),
        Arg::Real(Some(r)) if r.is_nan() => write!(out, "NaN"),
        Arg::Real(Some(r)) if r.is_infinite() => write!(out, "{}Infinity", if *r < 0.0 { "-" } else { "" }),
        Arg::Real(Some(r)) => write!(out, "{r}"),
        Arg::Text(Some(t)) => {
            for b in t.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b => out.push(b),
                }
            }
            Ok(())
        }
        Arg::Bytes(Some(bytes)) => {
            out.extend_from_slice(b"\\\\x");
            bytes.iter().try_for_each(|b| write!(out, "{b:02x}"))
        }
        Arg::Bool(Some(b)) => write!(out, "{}", if *b { 't' } else { 'f' }),
        Arg::Date(Some(d)) => write!(out, "{}", d.format("%F")),
        Arg::Instant(Some(at)) => write!(out, "{}", at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        _ => write!(out, "\\N"),
    };
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
    const FULL_TEXT: crate::driver::FullText = crate::driver::FullText::TsVector;
    /// Each statement is a round trip to the server; COPY loads a batch in one.
    const STAGES_BATCHES: bool = true;

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

    /// A temporary table dropped at the end of the transaction, emptied with TRUNCATE (in place
    /// and cheap for a table created in the same transaction, where DELETE would leave every
    /// earlier batch's rows dead in it), filled with COPY.
    async fn stage(&mut self, table: &'static str, columns: &[&str], values: &[Arg]) -> Result<u64> {
        let rows = crate::driver::staged_rows(table, columns, values)?;
        let Conn::Tx(tx, staged) = self else {
            return Err(StoreError::Binding(format!("staging {table} outside a transaction")));
        };
        let conn: &mut sqlx::PgConnection = tx;
        if staged.contains(&table) {
            sqlx::query(&format!("TRUNCATE {table}")).execute(&mut *conn).await?;
        } else {
            let typed: Vec<String> = columns.iter().zip(values).map(|(c, v)| format!("{c} {}", type_of(v))).collect();
            let sql = format!("CREATE TEMPORARY TABLE {table} ({}) ON COMMIT DROP", typed.join(", "));
            sqlx::query(&sql).execute(&mut *conn).await?;
            staged.push(table);
        }
        let mut data = Vec::with_capacity(values.len() * 16);
        for row in rows {
            for (i, value) in row.iter().enumerate() {
                if i > 0 {
                    data.push(b'\t');
                }
                copy_value(&mut data, value);
            }
            data.push(b'\n');
        }
        let mut copy = conn
            .copy_in_raw(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))
            .await?;
        copy.send(data).await?;
        Ok(copy.finish().await?)
    }
}

#[async_trait]
impl TxConnection for Conn {
    async fn commit(self) -> Result<()> {
        match self {
            Conn::Tx(tx, _) => Ok(tx.commit().await?),
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

    /// A managed PostgreSQL service accepts only TLS: `sslmode` in the URL asks for it (the test
    /// server has Debian's certificate, which nothing verifies, so `require`).
    #[tokio::test]
    async fn sslmode_in_the_url_connects_over_tls() {
        let Ok(url) = std::env::var("CYBERVEILIG_TEST_DATABASE_URL") else {
            eprintln!("SKIP: CYBERVEILIG_TEST_DATABASE_URL is not set; TLS to PostgreSQL was not tried");
            return;
        };
        let url = format!("{url}{}sslmode=require", if url.contains('?') { '&' } else { '?' });
        let pool = sqlx::PgPool::connect(&url).await.expect("a TLS connection to the test server");
        let mut conn = Conn::Pooled(pool.acquire().await.unwrap());
        let row = query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert!(row.try_get::<bool, _>(0).unwrap(), "the connection is not encrypted");
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

    #[tokio::test]
    async fn a_staged_batch_reads_back_as_it_was_given_and_the_next_batch_replaces_it() {
        let Some(Conn::Pooled(pooled)) = connection().await else { return };
        let mut conn = Conn::transaction(sqlx::Transaction::begin(pooled, None).await.unwrap());
        let at: DateTime<Utc> = "2021-06-15T08:00:00.123456Z".parse().unwrap();
        let on = NaiveDate::from_ymd_opt(2020, 6, 8).unwrap();
        let row = |n: i64, text: Option<&str>| {
            vec![
                Arg::Integer(Some(n)),
                Arg::Text(text.map(str::to_owned)),
                Arg::Real(Some(0.1)),
                Arg::Bool(Some(true)),
                Arg::Date(Some(on)),
                Arg::Instant(Some(at)),
                Arg::Bytes(Some(b"\x00\\".to_vec())),
            ]
        };
        let columns = ["n", "t", "r", "b", "d", "at", "bytes"];
        let tricky = "tab\there, a new\nline, a \\ backslash, \\N, \r and é";
        let values: Vec<Arg> = [row(1, Some(tricky)), row(2, None)].concat();
        assert_eq!(conn.stage("staged_test", &columns, &values).await.unwrap(), 2);
        let rows = query("SELECT n, t, r, b, d, at, bytes FROM staged_test ORDER BY n")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].try_get::<String, _>("t").unwrap(), tricky);
        assert_eq!(rows[1].try_get::<Option<String>, _>("t").unwrap(), None);
        assert_eq!(rows[0].try_get::<f64, _>("r").unwrap(), 0.1);
        assert!(rows[0].try_get::<bool, _>("b").unwrap());
        assert_eq!(rows[0].try_get::<NaiveDate, _>("d").unwrap(), on);
        assert_eq!(rows[0].try_get::<DateTime<Utc>, _>("at").unwrap(), at);
        assert_eq!(rows[0].try_get::<Vec<u8>, _>("bytes").unwrap(), b"\x00\\");
        // The next batch replaces the first.
        assert_eq!(conn.stage("staged_test", &columns, &row(3, Some("c"))).await.unwrap(), 1);
        let rows = query("SELECT n FROM staged_test").fetch_all(&mut conn).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.try_get::<i64, _>("n").unwrap()).collect::<Vec<_>>(), [3]);
        // A row of other types, or values that do not fill the rows, is a defect.
        let mixed = [row(4, None), vec![Arg::Text(None); 7]].concat();
        assert!(matches!(
            conn.stage("staged_test", &columns, &mixed).await,
            Err(StoreError::Binding(_))
        ));
        assert!(matches!(
            conn.stage("staged_test", &columns, &values[..5]).await,
            Err(StoreError::Binding(_))
        ));
    }
}
