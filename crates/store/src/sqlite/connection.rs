//! SQLite's side of the driver contract (`crate::driver`), over rusqlite: each statement runs on
//! its connection's own thread ([`Lane`]) as one job sent and one answer awaited.
//!
//! Why not sqlx here: sqlx's SQLite worker turns every statement into several messages between
//! threads, and the profile of an order submission (about a dozen statements under the one write
//! lock) was dominated by them (docs/PERFORMANCE.md).
//!
//! Values are stored as sqlx stored them (RFC 3339 instants, `YYYY-MM-DD` dates, integers for
//! booleans), so databases written before this layer existed read the same.

use super::lane::Lane;
use crate::Result;
use crate::driver::{Arg, Connection, Row, Statement, Value};
use async_trait::async_trait;
use chrono::SecondsFormat;
use rusqlite::types::{ToSqlOutput, ValueRef};
use std::sync::Arc;

/// The SQL with each `$n` outside quotes written `?n`.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '$') if chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('?');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

#[async_trait]
impl Connection for Lane {
    // SQLite has no row locks: the single write lane already serialises writers.
    const FOR_UPDATE: &'static str = "";
    const FULL_TEXT: crate::driver::FullText = crate::driver::FullText::Fts5;
    // In process, statements of a few hundred rows cost no round trips: nothing to gain.
    const STAGES_BATCHES: bool = false;

    async fn execute(&mut self, statement: Statement<'_>) -> Result<u64> {
        let (sql, args) = (numbered(statement.sql), statement.args);
        self.run(move |conn| {
            let mut prepared = prepare(conn, &sql, &args)?;
            Ok(prepared.raw_execute()? as u64)
        })
        .await
    }

    async fn fetch(&mut self, statement: Statement<'_>, limit: usize) -> Result<Vec<Row>> {
        let (sql, args) = (numbered(statement.sql), statement.args);
        self.run(move |conn| {
            let mut prepared = prepare(conn, &sql, &args)?;
            let columns = columns_of(&prepared);
            let mut rows = prepared.raw_query();
            let mut out = Vec::new();
            while out.len() < limit {
                let Some(row) = rows.next()? else { break };
                out.push(read(row, &columns)?);
            }
            Ok(out)
        })
        .await
    }

    /// A temporary table of the connection, emptied by DELETE (SQLite truncates a table deleted
    /// without a condition), filled row by row in one job on the lane.
    async fn stage(&mut self, table: &'static str, columns: &[&str], values: &[Arg]) -> Result<u64> {
        let typed: Vec<String> = columns.iter().zip(values).map(|(c, v)| format!("{c} {}", type_of(v))).collect();
        let create = format!(
            "CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({}); DELETE FROM {table};",
            typed.join(", ")
        );
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let insert = format!("INSERT INTO {table} ({}) VALUES ({})", columns.join(", "), marks.join(", "));
        let rows: Vec<Vec<Arg>> = crate::driver::staged_rows(table, columns, values)?.map(<[Arg]>::to_vec).collect();
        self.run(move |conn| {
            conn.execute_batch(&create)?;
            let mut n = 0;
            for row in &rows {
                n += prepare(conn, &insert, row)?.raw_execute()? as u64;
            }
            Ok(n)
        })
        .await
    }
}

/// A value's column type, for a staging table typed by its first row.
fn type_of(arg: &Arg) -> &'static str {
    match arg {
        Arg::Integer(_) | Arg::Bool(_) => "INTEGER",
        Arg::Real(_) => "REAL",
        Arg::Bytes(_) => "BLOB",
        Arg::Text(_) | Arg::Date(_) | Arg::Instant(_) => "TEXT",
    }
}

/// `$3` names the third argument wherever it stands, as on PostgreSQL; to SQLite `$3` is a name
/// (looked up by a linear scan), `?3` the number 3: the SQL arrives numbered. The driver checked
/// that the values match the parameters.
fn prepare<'c>(conn: &'c rusqlite::Connection, sql: &str, args: &[Arg]) -> Result<rusqlite::CachedStatement<'c>> {
    let mut statement = conn.prepare_cached(sql)?;
    for (index, value) in args.iter().enumerate() {
        statement.raw_bind_parameter(index + 1, value)?;
    }
    Ok(statement)
}

impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as Stored;
        Ok(match self {
            Arg::Integer(Some(i)) => ToSqlOutput::Owned(Stored::Integer(*i)),
            Arg::Real(Some(r)) => ToSqlOutput::Owned(Stored::Real(*r)),
            Arg::Text(Some(t)) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Arg::Bytes(Some(b)) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Arg::Bool(Some(b)) => ToSqlOutput::Owned(Stored::Integer(i64::from(*b))),
            Arg::Date(Some(d)) => ToSqlOutput::Owned(Stored::Text(d.format("%F").to_string())),
            Arg::Instant(Some(at)) => ToSqlOutput::Owned(Stored::Text(at.to_rfc3339_opts(SecondsFormat::AutoSi, false))),
            _ => ToSqlOutput::Owned(Stored::Null),
        })
    }
}

fn columns_of(statement: &rusqlite::Statement<'_>) -> Arc<[String]> {
    statement.column_names().into_iter().map(str::to_owned).collect()
}

fn read(row: &rusqlite::Row<'_>, columns: &Arc<[String]>) -> Result<Row> {
    let values = (0..columns.len())
        .map(|i| {
            Ok(match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(i) => Value::Integer(i),
                ValueRef::Real(r) => Value::Real(r),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
            })
        })
        .collect::<rusqlite::Result<_>>()?;
    Ok(Row::new(columns.clone(), values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreError;
    use crate::driver::{query, unique_violation};
    use chrono::{DateTime, NaiveDate, Utc};

    #[test]
    fn dollar_numbers_become_sqlite_numbers_outside_quotes() {
        assert_eq!(
            numbered("SELECT $2, '$1', \"$3\" FROM t WHERE a = $1 AND b = $10"),
            "SELECT ?2, '$1', \"$3\" FROM t WHERE a = ?1 AND b = ?10"
        );
    }

    fn memory() -> Lane {
        Lane::spawn(rusqlite::Connection::open_in_memory().unwrap(), "test", None).unwrap()
    }

    #[tokio::test]
    async fn numbered_parameters_take_their_own_argument_wherever_they_stand() {
        let mut conn = memory();
        let row = query("SELECT $2 AS b, $1 AS a, $2 || $1 AS ba")
            .bind("a")
            .bind("b")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(row.try_get::<String, _>("a").unwrap(), "a");
        assert_eq!(row.try_get::<String, _>("b").unwrap(), "b");
        assert_eq!(row.try_get::<String, _>(2).unwrap(), "ba");
    }

    #[tokio::test]
    async fn values_round_trip_in_the_format_sqlx_wrote() {
        let mut conn = memory();
        let at: DateTime<Utc> = "2021-06-15T08:00:00.123456Z".parse().unwrap();
        let on = NaiveDate::from_ymd_opt(2020, 6, 8).unwrap();
        let row = query("SELECT $1 AS at, $2 AS on_, $3 AS yes, $4 AS empty")
            .bind(at)
            .bind(on)
            .bind(true)
            .bind(None::<i64>)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(row.try_get::<String, _>("at").unwrap(), "2021-06-15T08:00:00.123456+00:00");
        assert_eq!(row.try_get::<DateTime<Utc>, _>("at").unwrap(), at);
        assert_eq!(row.try_get::<NaiveDate, _>("on_").unwrap(), on);
        assert!(row.try_get::<bool, _>("yes").unwrap());
        assert_eq!(row.try_get::<Option<i64>, _>("empty").unwrap(), None);
        assert!(matches!(row.try_get::<i64, _>("empty"), Err(StoreError::Corrupt(_))));
        assert!(matches!(row.try_get::<i64, _>("missing"), Err(StoreError::Corrupt(_))));
    }

    #[tokio::test]
    async fn a_unique_violation_is_a_duplicate_and_execute_counts_rows() {
        let mut conn = memory();
        conn.run(|c| Ok(c.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY)")?))
            .await
            .unwrap();
        let done = query("INSERT INTO t (k) VALUES ($1)").bind("x").execute(&mut conn).await.unwrap();
        assert_eq!(done.rows_affected(), 1);
        let again = query("INSERT INTO t (k) VALUES ($1)")
            .bind("x")
            .execute(&mut conn)
            .await
            .map_err(unique_violation);
        assert!(matches!(again, Err(StoreError::Duplicate)));
        assert!(
            query("SELECT k FROM t WHERE k = $1")
                .bind("y")
                .fetch_optional(&mut conn)
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn a_statement_takes_exactly_as_many_values_as_it_has_parameters() {
        let mut conn = memory();
        let surplus = query("SELECT $1 AS a").bind(1_i64).bind(2_i64).fetch_one(&mut conn).await;
        assert!(matches!(surplus, Err(StoreError::Binding(_))), "{surplus:?}");
        let missing = query("SELECT $1 AS a, $2 AS b").bind(1_i64).fetch_one(&mut conn).await;
        assert!(matches!(missing, Err(StoreError::Binding(_))), "{missing:?}");
    }

    #[tokio::test]
    async fn a_staged_batch_reads_back_as_it_was_given_and_the_next_batch_replaces_it() {
        let mut conn = memory();
        let at: DateTime<Utc> = "2021-06-15T08:00:00.123456Z".parse().unwrap();
        let row = |n: i64, text: Option<&str>| vec![Arg::Integer(Some(n)), Arg::Text(text.map(str::to_owned)), Arg::Instant(Some(at))];
        let columns = ["n", "t", "at"];
        let values: Vec<Arg> = [row(1, Some("tab\there")), row(2, None)].concat();
        assert_eq!(conn.stage("staged_test", &columns, &values).await.unwrap(), 2);
        let rows = query("SELECT n, t, at FROM staged_test ORDER BY n")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(rows[0].try_get::<String, _>("t").unwrap(), "tab\there");
        assert_eq!(rows[1].try_get::<Option<String>, _>("t").unwrap(), None);
        assert_eq!(rows[0].try_get::<DateTime<Utc>, _>("at").unwrap(), at);
        assert_eq!(conn.stage("staged_test", &columns, &row(3, Some("c"))).await.unwrap(), 1);
        let rows = query("SELECT n FROM staged_test").fetch_all(&mut conn).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.try_get::<i64, _>("n").unwrap()).collect::<Vec<_>>(), [3]);
        let mixed = [row(4, None), vec![Arg::Text(None); 3]].concat();
        assert!(matches!(
            conn.stage("staged_test", &columns, &mixed).await,
            Err(StoreError::Binding(_))
        ));
    }
}
