//! What the shared SQL (`crate::sql`) runs on for SQLite: a small sqlx-shaped layer over
//! rusqlite that runs each statement on its connection's own thread ([`Lane`]).
//!
//! Why not sqlx here: sqlx's SQLite worker turns every statement into several messages between
//! threads, and the profile of an order submission (about a dozen statements under the one write
//! lock) was dominated by them (docs/PERFORMANCE.md). Here a statement is one job sent to the
//! lane and one answer back.
//!
//! Values are stored as sqlx stored them (RFC 3339 instants, `YYYY-MM-DD` dates, integers for
//! booleans), so databases written before this layer existed read the same.

use super::lane::Lane;
use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;
use std::sync::Arc;

/// Rows a streamed statement hands over at a time.
const CHUNK_ROWS: usize = 256;

/// Whether a batch of keys is looked up with one `IN (...)` list: in process, one statement
/// per batch beats one per key.
pub(crate) const LOOKUP_IN_LISTS: bool = true;

/// A statement and its arguments, bound by number: `$n` takes the n-th bound value.
pub(crate) struct Query<'q> {
    sql: &'q str,
    args: Vec<Value>,
}

pub(crate) fn query(sql: &str) -> Query<'_> {
    Query { sql, args: Vec::new() }
}

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

/// The outcome of a statement that returns no rows.
pub(crate) struct Done {
    rows_affected: u64,
}

impl Done {
    pub(crate) fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

impl<'q> Query<'q> {
    pub(crate) fn bind<T: Encode>(mut self, value: T) -> Self {
        self.args.push(value.encode());
        self
    }

    pub(crate) async fn execute(self, lane: &mut Lane) -> Result<Done> {
        let (sql, args) = self.owned();
        lane.run(move |conn| {
            let mut statement = prepare(conn, &sql, &args)?;
            let rows_affected = statement.raw_execute()? as u64;
            Ok(Done { rows_affected })
        })
        .await
    }

    pub(crate) async fn fetch_all(self, lane: &mut Lane) -> Result<Vec<SqliteRow>> {
        self.rows(lane, usize::MAX).await
    }

    pub(crate) async fn fetch_optional(self, lane: &mut Lane) -> Result<Option<SqliteRow>> {
        Ok(self.rows(lane, 1).await?.pop())
    }

    pub(crate) async fn fetch_one(self, lane: &mut Lane) -> Result<SqliteRow> {
        let sql = self.sql.to_owned();
        self.rows(lane, 1)
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt(format!("no row where one was expected: {sql}")))
    }

    /// The statement numbered for SQLite, and its values, ready to cross to the lane's thread.
    fn owned(self) -> (String, Vec<Value>) {
        (numbered(self.sql), self.args)
    }

    async fn rows(self, lane: &mut Lane, limit: usize) -> Result<Vec<SqliteRow>> {
        let (sql, args) = self.owned();
        lane.run(move |conn| {
            let mut statement = prepare(conn, &sql, &args)?;
            let columns = columns_of(&statement);
            let mut rows = statement.raw_query();
            let mut out = Vec::new();
            while out.len() < limit {
                let Some(row) = rows.next()? else { break };
                out.push(SqliteRow::read(row, &columns)?);
            }
            Ok(out)
        })
        .await
    }
}

/// Runs a statement and gives its rows to `each` as they come, a chunk at a time, so a result of
/// any size crosses from the lane in constant memory. `each` may stop the statement with an error.
pub(crate) async fn for_each(query: Query<'_>, lane: &mut Lane, each: &mut (dyn FnMut(&SqliteRow) -> Result<()> + Send)) -> Result<u64> {
    let (sql, args) = query.owned();
    let (chunks, mut arriving) = tokio::sync::mpsc::channel::<Vec<SqliteRow>>(2);
    let (deadline, epoch, limit) = lane.limits();
    let produce = lane.run(move |conn| {
        let mut statement = prepare(conn, &sql, &args)?;
        let columns = columns_of(&statement);
        let mut rows = statement.raw_query();
        let mut chunk = Vec::with_capacity(CHUNK_ROWS);
        while let Some(row) = rows.next()? {
            chunk.push(SqliteRow::read(row, &columns)?);
            if chunk.len() == CHUNK_ROWS {
                // The reader went away (stopped with an error, or its request was dropped).
                if chunks.blocking_send(std::mem::take(&mut chunk)).is_err() {
                    return Ok(());
                }
                // The limit is on the database's work, not on how fast the rows are taken.
                Lane::extend_deadline(&deadline, epoch, limit);
            }
        }
        if !chunk.is_empty() {
            let _ = chunks.blocking_send(chunk);
        }
        Ok(())
    });
    let consume = async move {
        let mut n = 0u64;
        while let Some(chunk) = arriving.recv().await {
            for row in &chunk {
                each(row)?;
                n += 1;
            }
            // `each` may be real work (an export writing cells): after each chunk the worker
            // serves other requests before going on.
            tokio::task::yield_now().await;
        }
        Ok::<u64, StoreError>(n)
    };
    let (produced, consumed) = tokio::join!(produce, consume);
    let n = consumed?;
    produced?;
    Ok(n)
}

/// `$3` names the third argument wherever it stands, as on PostgreSQL; to SQLite `$3` is a name
/// (looked up by a linear scan), `?3` the number 3: the SQL arrives numbered.
fn prepare<'c>(conn: &'c Connection, sql: &str, args: &[Value]) -> Result<rusqlite::CachedStatement<'c>> {
    let mut statement = conn.prepare_cached(sql)?;
    for index in 1..=statement.parameter_count() {
        let value = args
            .get(index - 1)
            .ok_or_else(|| StoreError::Corrupt(format!("no value bound for parameter {index} of: {sql}")))?;
        statement.raw_bind_parameter(index, value)?;
    }
    Ok(statement)
}

fn columns_of(statement: &rusqlite::Statement<'_>) -> Arc<[String]> {
    statement.column_names().into_iter().map(str::to_owned).collect()
}

/// A row read out of its statement, so it outlives it.
pub(crate) struct SqliteRow {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl SqliteRow {
    fn read(row: &rusqlite::Row<'_>, columns: &Arc<[String]>) -> Result<SqliteRow> {
        let values = (0..columns.len())
            .map(|i| row.get::<_, Value>(i))
            .collect::<rusqlite::Result<_>>()?;
        Ok(SqliteRow {
            columns: columns.clone(),
            values,
        })
    }
}

pub(crate) type DbRow = SqliteRow;

/// Names a column by position or by name, as sqlx's `try_get` does.
pub(crate) trait ColumnIndex {
    fn position(&self, columns: &[String]) -> Option<usize>;
}

impl ColumnIndex for usize {
    fn position(&self, columns: &[String]) -> Option<usize> {
        (*self < columns.len()).then_some(*self)
    }
}

impl ColumnIndex for &str {
    fn position(&self, columns: &[String]) -> Option<usize> {
        columns.iter().position(|c| c == self)
    }
}

pub(crate) trait Row {
    fn try_get<T: Decode, I: ColumnIndex + std::fmt::Display>(&self, index: I) -> Result<T>;
}

impl Row for SqliteRow {
    fn try_get<T: Decode, I: ColumnIndex + std::fmt::Display>(&self, index: I) -> Result<T> {
        let position = index
            .position(&self.columns)
            .ok_or_else(|| StoreError::Corrupt(format!("no column {index} in the result")))?;
        T::decode(&self.values[position]).map_err(|e| StoreError::Corrupt(format!("column {index}: {e}")))
    }
}

pub(crate) fn unique_violation(err: StoreError) -> StoreError {
    match &err {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Duplicate
        }
        _ => err,
    }
}

/// A Rust value as SQLite stores it.
pub(crate) trait Encode {
    fn encode(&self) -> Value;
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self) -> Value {
        (**self).encode()
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::encode)
    }
}

impl Encode for str {
    fn encode(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl Encode for String {
    fn encode(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl Encode for [u8] {
    fn encode(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl Encode for Vec<u8> {
    fn encode(&self) -> Value {
        Value::Blob(self.clone())
    }
}

impl Encode for i64 {
    fn encode(&self) -> Value {
        Value::Integer(*self)
    }
}

impl Encode for f64 {
    fn encode(&self) -> Value {
        Value::Real(*self)
    }
}

impl Encode for bool {
    fn encode(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl Encode for NaiveDate {
    fn encode(&self) -> Value {
        Value::Text(self.format("%F").to_string())
    }
}

impl Encode for DateTime<Utc> {
    fn encode(&self) -> Value {
        Value::Text(self.to_rfc3339_opts(SecondsFormat::AutoSi, false))
    }
}

/// A stored value as a Rust value.
pub(crate) trait Decode: Sized {
    fn decode(value: &Value) -> Result<Self, String>;
}

fn unexpected<T>(value: &Value, wanted: &str) -> Result<T, String> {
    Err(format!("expected {wanted}, found {:?}", value.data_type()))
}

impl<T: Decode> Decode for Option<T> {
    fn decode(value: &Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            other => T::decode(other).map(Some),
        }
    }
}

impl Decode for i64 {
    fn decode(value: &Value) -> Result<Self, String> {
        match value {
            Value::Integer(i) => Ok(*i),
            other => unexpected(other, "an integer"),
        }
    }
}

impl Decode for f64 {
    fn decode(value: &Value) -> Result<Self, String> {
        match value {
            Value::Real(r) => Ok(*r),
            Value::Integer(i) => Ok(*i as f64),
            other => unexpected(other, "a number"),
        }
    }
}

impl Decode for bool {
    fn decode(value: &Value) -> Result<Self, String> {
        match value {
            Value::Integer(i) => Ok(*i != 0),
            other => unexpected(other, "a boolean"),
        }
    }
}

impl Decode for String {
    fn decode(value: &Value) -> Result<Self, String> {
        match value {
            Value::Text(text) => Ok(text.clone()),
            other => unexpected(other, "text"),
        }
    }
}

impl Decode for Vec<u8> {
    fn decode(value: &Value) -> Result<Self, String> {
        match value {
            Value::Blob(bytes) => Ok(bytes.clone()),
            other => unexpected(other, "bytes"),
        }
    }
}

impl Decode for NaiveDate {
    fn decode(value: &Value) -> Result<Self, String> {
        match value {
            Value::Text(text) => NaiveDate::parse_from_str(text, "%F").map_err(|e| format!("date '{text}': {e}")),
            other => unexpected(other, "a date"),
        }
    }
}

impl Decode for DateTime<Utc> {
    fn decode(value: &Value) -> Result<Self, String> {
        match value {
            Value::Text(text) => DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                // An instant without an offset is UTC, as SQLite's own date functions write it.
                .or_else(|_| NaiveDateTime::parse_from_str(text, "%F %T%.f").map(|t| t.and_utc()))
                .map_err(|e| format!("instant '{text}': {e}")),
            other => unexpected(other, "an instant"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_numbers_become_sqlite_numbers_outside_quotes() {
        assert_eq!(
            numbered("SELECT $2, '$1', \"$3\" FROM t WHERE a = $1 AND b = $10"),
            "SELECT ?2, '$1', \"$3\" FROM t WHERE a = ?1 AND b = ?10"
        );
    }

    fn memory() -> Lane {
        Lane::spawn(Connection::open_in_memory().unwrap(), "test", None).unwrap()
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
}
