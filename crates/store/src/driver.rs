//! The contract between the shared SQL (`crate::sql`) and a database: a statement with values
//! bound by number, the rows it returns with typed columns, and the errors a backend must name.
//! SQLite (`crate::sqlite`) and PostgreSQL (`crate::postgres`) each implement [`Connection`];
//! everything above it is written once.
//!
//! - SQL is written with PostgreSQL's numbered parameters: `$3` takes the third bound value
//!   wherever it stands (SQLite gets it as `?3`).
//! - A statement must be given exactly as many values as it has parameters, on both backends.
//! - A value keeps its type even when it is NULL, since PostgreSQL types every parameter.
//! - A column is read by name or position into a Rust type; a value of another type, or a NULL
//!   where none may be, is [`StoreError::Corrupt`].
//! - A unique or primary-key violation is told apart with [`unique_violation`].
//! - A batch of rows can be staged ([`Connection::stage`]): loaded into a temporary table of the
//!   transaction, to be merged into the data by one set-based statement.

use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::sync::Arc;

/// What a backend does with statements.
#[async_trait]
pub(crate) trait Connection: Send + 'static {
    /// Appended to a SELECT whose rows the transaction must lock until it ends (empty where the
    /// database serialises writers by itself).
    const FOR_UPDATE: &'static str;
    /// The database's own full-text search.
    const FULL_TEXT: FullText;
    /// Whether a large batch of rows is better written by staging it ([`Connection::stage`]) and
    /// merging it with one statement than with statements of a few hundred rows: where each
    /// statement is a round trip to a server, and the server loads rows in bulk.
    const STAGES_BATCHES: bool;

    /// Runs a statement that returns no rows; how many rows it changed.
    async fn execute(&mut self, statement: Statement<'_>) -> Result<u64>;
    /// At most `limit` rows of a statement.
    async fn fetch(&mut self, statement: Statement<'_>, limit: usize) -> Result<Vec<Row>>;
    /// Loads rows into the temporary table `table` of this transaction, emptied first (and
    /// created the first time, its columns typed as the first row's values): `values` holds
    /// at least one row, the rows one after the other, `columns.len()` values each. How many
    /// rows it loaded.
    async fn stage(&mut self, table: &'static str, columns: &[&str], values: &[Arg]) -> Result<u64>;
}

/// How a database searches text: SQLite's FTS5 or PostgreSQL's text search vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FullText {
    Fts5,
    TsVector,
}

/// A transaction's connection: statements, then a commit (dropping it uncommitted rolls back).
#[async_trait]
pub(crate) trait TxConnection: Connection {
    async fn commit(self) -> Result<()>;
    /// A large write follows (an import): the backend may make room for it.
    async fn expect_bulk_write(&mut self) -> Result<()>;
}

/// A value bound to a statement's parameter, typed even when NULL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Integer(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Bool(Option<bool>),
    Date(Option<NaiveDate>),
    Instant(Option<DateTime<Utc>>),
}

/// The rows of a staged batch: `values` split by `columns`, at least one, each with values of
/// the same types as the first (a NULL keeps its type). A defect otherwise.
pub(crate) fn staged_rows<'v>(table: &str, columns: &[&str], values: &'v [Arg]) -> Result<std::slice::Chunks<'v, Arg>> {
    if columns.is_empty() || values.is_empty() || !values.len().is_multiple_of(columns.len()) {
        return Err(StoreError::Binding(format!(
            "{} values for the {} columns of {table}",
            values.len(),
            columns.len()
        )));
    }
    let first = &values[..columns.len().min(values.len())];
    let rows = values.chunks(columns.len());
    for row in rows.clone() {
        if row
            .iter()
            .zip(first)
            .any(|(a, b)| std::mem::discriminant(a) != std::mem::discriminant(b))
        {
            return Err(StoreError::Binding(format!(
                "a row of {table} with values of other types than the first"
            )));
        }
    }
    Ok(rows)
}

/// A statement and the values bound to it so far.
pub(crate) struct Statement<'q> {
    pub(crate) sql: &'q str,
    pub(crate) args: Vec<Arg>,
}

pub(crate) fn query(sql: &str) -> Statement<'_> {
    Statement { sql, args: Vec::new() }
}

impl<'q> Statement<'q> {
    /// Binds the next parameter (`$1` first).
    pub(crate) fn bind<T: Encode>(mut self, value: T) -> Self {
        self.args.push(value.encode());
        self
    }

    /// The highest `$n` outside quotes: how many values the statement takes.
    pub(crate) fn parameters(&self) -> usize {
        let mut highest = 0;
        let mut quote: Option<u8> = None;
        let bytes = self.sql.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            i += 1;
            match (quote, c) {
                (None, b'\'' | b'"') => quote = Some(c),
                (Some(q), _) if c == q => quote = None,
                (None, b'$') => {
                    let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                    if let Ok(n) = self.sql[i..i + digits].parse::<usize>() {
                        highest = highest.max(n);
                    }
                    i += digits;
                }
                _ => {}
            }
        }
        highest
    }

    /// A statement runs only with exactly as many values as it has parameters: PostgreSQL would
    /// take surplus values as parameters nobody uses, SQLite would ignore them.
    fn checked(self) -> Result<Self> {
        let wanted = self.parameters();
        if wanted != self.args.len() {
            return Err(StoreError::Binding(format!(
                "{wanted} parameters, {} values bound: {}",
                self.args.len(),
                self.sql
            )));
        }
        Ok(self)
    }

    pub(crate) async fn execute<C: Connection + ?Sized>(self, conn: &mut C) -> Result<Done> {
        Ok(Done {
            rows_affected: conn.execute(self.checked()?).await?,
        })
    }

    pub(crate) async fn fetch_all<C: Connection + ?Sized>(self, conn: &mut C) -> Result<Vec<Row>> {
        conn.fetch(self.checked()?, usize::MAX).await
    }

    pub(crate) async fn fetch_optional<C: Connection + ?Sized>(self, conn: &mut C) -> Result<Option<Row>> {
        Ok(conn.fetch(self.checked()?, 1).await?.pop())
    }

    pub(crate) async fn fetch_one<C: Connection + ?Sized>(self, conn: &mut C) -> Result<Row> {
        let sql = self.sql.to_owned();
        self.fetch_optional(conn)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("no row where one was expected: {sql}")))
    }
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

/// A unique or primary-key violation becomes [`StoreError::Duplicate`]; any other error stays.
pub(crate) fn unique_violation(err: StoreError) -> StoreError {
    match &err {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Duplicate
        }
        StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => StoreError::Duplicate,
        _ => err,
    }
}

/// A value read from a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
    Date(NaiveDate),
    Instant(DateTime<Utc>),
    /// A column of a type no Rust value here is read from (its database type's name).
    Unsupported(String),
}

impl Value {
    pub(crate) fn kind(&self) -> &str {
        match self {
            Value::Null => "NULL",
            Value::Integer(_) => "an integer",
            Value::Real(_) => "a real number",
            Value::Text(_) => "text",
            Value::Bytes(_) => "bytes",
            Value::Bool(_) => "a boolean",
            Value::Date(_) => "a date",
            Value::Instant(_) => "an instant",
            Value::Unsupported(name) => name,
        }
    }
}

/// A row of a result, its values read out so it outlives its statement.
#[derive(Debug)]
pub(crate) struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    /// `values` in the order of `columns`.
    pub(crate) fn new(columns: Arc<[String]>, values: Vec<Value>) -> Row {
        debug_assert_eq!(columns.len(), values.len());
        Row { columns, values }
    }

    /// The values as the database gave them, in the order of the columns (a copy of whole
    /// tables reads them without knowing their types in advance).
    pub(crate) fn values(&self) -> &[Value] {
        &self.values
    }

    /// The column `index` (a name or a position) as a `T`.
    pub(crate) fn try_get<T: Decode, I: ColumnIndex>(&self, index: I) -> Result<T> {
        let position = index
            .position(&self.columns)
            .ok_or_else(|| StoreError::Corrupt(format!("no column {index} in the result")))?;
        let value = &self.values[position];
        T::decode(value).map_err(|wanted| StoreError::Corrupt(format!("column {index}: expected {wanted}, found {}", value.kind())))
    }
}

/// Names a column by position or by name.
pub(crate) trait ColumnIndex: std::fmt::Display {
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

/// A Rust value as a statement's argument.
pub(crate) trait Encode {
    fn encode(&self) -> Arg;
}

/// A column's value as a Rust value; `Err` names what was wanted.
pub(crate) trait Decode: Sized {
    fn decode(value: &Value) -> Result<Self, &'static str>;
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self) -> Arg {
        (**self).encode()
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(value: &Value) -> Result<Self, &'static str> {
        match value {
            Value::Null => Ok(None),
            other => T::decode(other).map(Some),
        }
    }
}

/// Encode and Decode for a type, an `Option` of it encoding as a typed NULL.
macro_rules! value_type {
    ($t:ty, $arg:ident, |$v:ident| $to:expr, $wanted:literal, $($pattern:pat => $from:expr),+) => {
        impl Encode for $t {
            fn encode(&self) -> Arg {
                let $v = self;
                Arg::$arg(Some($to))
            }
        }

        impl Encode for Option<$t> {
            fn encode(&self) -> Arg {
                match self {
                    Some(v) => v.encode(),
                    None => Arg::$arg(None),
                }
            }
        }

        impl Decode for $t {
            fn decode(value: &Value) -> Result<Self, &'static str> {
                match value {
                    $($pattern => $from,)+
                    _ => Err($wanted),
                }
            }
        }
    };
}

value_type!(i64, Integer, |v| *v, "an integer", Value::Integer(i) => Ok(*i));
value_type!(f64, Real, |v| *v, "a number", Value::Real(r) => Ok(*r), Value::Integer(i) => Ok(*i as f64));
value_type!(String, Text, |v| v.clone(), "text", Value::Text(t) => Ok(t.clone()));
value_type!(Vec<u8>, Bytes, |v| v.clone(), "bytes", Value::Bytes(b) => Ok(b.clone()));
// SQLite keeps a boolean as an integer.
value_type!(bool, Bool, |v| *v, "a boolean", Value::Bool(b) => Ok(*b), Value::Integer(i) => Ok(*i != 0));
// SQLite keeps a date as `YYYY-MM-DD` text.
value_type!(NaiveDate, Date, |v| *v, "a date",
    Value::Date(d) => Ok(*d),
    Value::Text(t) => NaiveDate::parse_from_str(t, "%F").map_err(|_| "a date"));
// SQLite keeps an instant as RFC 3339 text; one without an offset is UTC, as SQLite's own date
// functions write it.
value_type!(DateTime<Utc>, Instant, |v| *v, "an instant",
    Value::Instant(at) => Ok(*at),
    Value::Text(t) => DateTime::parse_from_rfc3339(t)
        .map(|at| at.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%F %T%.f").map(|at| at.and_utc()))
        .map_err(|_| "an instant"));

impl Encode for str {
    fn encode(&self) -> Arg {
        Arg::Text(Some(self.to_owned()))
    }
}

impl Encode for Option<&str> {
    fn encode(&self) -> Arg {
        Arg::Text(self.map(str::to_owned))
    }
}

impl Encode for [u8] {
    fn encode(&self) -> Arg {
        Arg::Bytes(Some(self.to_vec()))
    }
}

impl Encode for Option<&String> {
    fn encode(&self) -> Arg {
        Arg::Text(self.cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_takes_as_many_values_as_its_highest_parameter_outside_quotes() {
        assert_eq!(query("SELECT 1").parameters(), 0);
        assert_eq!(query("SELECT $2, '$7', \"$9\" FROM t WHERE a = $1 AND b = $10").parameters(), 10);
        assert_eq!(query("SELECT $1 || $1").parameters(), 1);
    }
}
