//! Moving an installation from SQLite to PostgreSQL (`cyberveilig migrate-db`, docs/OPERATIONS.md).
//! Every table of the SQLite file is copied into an empty PostgreSQL database in one transaction,
//! so a failure leaves the target as empty as it was; the copy is checked before it commits.
//!
//! The tables are not listed here: they are read from both schemas, which must hold the same
//! tables with the same columns (both at the binary's last migration), so a table a migration
//! adds is copied without anyone remembering to. What is not plain data is named below: the
//! migrations' bookkeeping, the rows the migrations seed, and the full-text index, which each
//! database keeps in its own form and which is rebuilt on the target, and the register's
//! tallies, which the target's triggers keep as the findings arrive (compared, not copied). A table in one schema and
//! not the other, a virtual table not named here, or a column type the copy does not know stops
//! the copy before it writes anything.

use crate::driver::{Arg, Connection, Decode, Row, Statement, TxConnection, Value, query};
use crate::records::{AuditSignature, ToolkitItem, ToolkitVersion};
use crate::sql::Transaction;
use crate::{AuditLogTx, PostgresStore, Result, SecurityTx, Store, StoreError, ToolkitTx, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// Each database's record of its migrations, and SQLite's own tables.
const BOOKKEEPING: &[&str] = &["schema_migrations", "_sqlx_migrations", "sqlite_sequence"];
/// Indexes each database keeps in its own form (FTS5, text search vectors): rebuilt on the
/// target from the data, never copied.
const DERIVED: &[&str] = &["toolkit_search"];
/// Tables the target's triggers fill as the rows they count are copied (the register's tallies):
/// never copied, compared with the source's once the copy is done.
const KEPT_BY_TRIGGERS: &[&str] = &["finding_tallies"];
/// Tables a migration fills with a starting row (the audit chain's head at its genesis, the
/// baseline overview's publication switch): on the target that row gives way to the source's.
const SEEDED: &[&str] = &["audit_chain_head", "baseline_publication"];

/// Rows read and written at a time: memory stays constant whatever a table's size.
const BATCH: i64 = 500;
/// For tables that hold files (attachments, documents), fewer at a time.
const BATCH_WITH_FILES: i64 = 8;

/// What a copy rebuilds or checks with rules that live above the store.
pub struct Rebuild<'a> {
    /// The words a published toolkit item is found by (`services::toolkit::search_terms`).
    pub toolkit_terms: &'a (dyn Fn(&ToolkitItem, &ToolkitVersion) -> (String, String) + Sync),
    /// Whether a head's signature holds under the installation's public key; without it the
    /// signatures are compared with the entries they sign, not checked cryptographically.
    pub signature_holds: Option<&'a (dyn Fn(&AuditSignature) -> bool + Sync)>,
}

/// What was copied and found to hold on the target.
#[derive(Debug)]
pub struct Copied {
    /// Each table with its rows (equal on both sides), in the order they were copied.
    pub tables: Vec<(String, u64)>,
    /// The audit log's entries, each of whose links held on the target.
    pub entries: u64,
    /// Signatures of the chain's head carried over, each matching its entry.
    pub signatures: u64,
    /// Toolkit items indexed anew for search.
    pub indexed: u64,
}

/// Copies the SQLite database at `source` (migrated to the binary's last version) into the empty
/// PostgreSQL database at `target_url`, after applying its migrations there.
pub async fn sqlite_to_postgres(source: &str, target_url: &str, rebuild: &Rebuild<'_>) -> Result<Copied> {
    let mut from = crate::sqlite::whole_reader(source).await?;
    // One read transaction: every table as of one moment, and the counts compared of that moment.
    query("BEGIN").execute(&mut from).await?;
    let store = PostgresStore::connect(target_url).await?;
    store.migrate().await?;
    let copied = copy(&mut from, Transaction::new(store.begin().await?, None), rebuild).await;
    store.close().await;
    copied
}

async fn copy<S: Connection, T: TxConnection>(from: &mut S, mut to: Transaction<T>, rebuild: &Rebuild<'_>) -> Result<Copied> {
    let tables = plan(from, to.connection()).await?;
    refuse_unless_empty(&mut to, &tables).await?;
    for table in SEEDED {
        let sql = format!("DELETE FROM \"{table}\"");
        query(&sql).execute(to.connection()).await?;
    }
    let mut counts = Vec::new();
    for table in &tables {
        let rows = copy_table(from, to.connection(), table).await?;
        restart_identities(to.connection(), table).await?;
        let sql = format!("SELECT COUNT(*) FROM \"{}\"", table.name);
        let (here, there) = (
            query(&sql).fetch_one(from).await?.try_get::<i64, _>(0)?,
            query(&sql).fetch_one(to.connection()).await?.try_get::<i64, _>(0)?,
        );
        if here != there || here as u64 != rows {
            return Err(StoreError::Refused(format!(
                "table {}: {here} rows in SQLite, {there} copied to PostgreSQL; nothing was kept",
                table.name
            )));
        }
        counts.push((table.name.clone(), rows));
    }
    compare_tallies(from, to.connection()).await?;
    let indexed = index_toolkit(&mut to, rebuild).await?;
    let (entries, signatures) = verify_chain(&mut to, rebuild).await?;
    Box::new(to).commit().await?;
    Ok(Copied {
        tables: counts,
        entries,
        signatures,
        indexed,
    })
}

/// A column of the target and how its values are bound.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: Kind,
    data_type: String,
    identity: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Integer,
    Real,
    Text,
    Bool,
    Date,
    Instant,
    Bytes,
}

impl Kind {
    fn of(data_type: &str) -> Option<Kind> {
        Some(match data_type {
            "bigint" | "integer" | "smallint" => Kind::Integer,
            "double precision" | "real" => Kind::Real,
            "text" | "character varying" => Kind::Text,
            "boolean" => Kind::Bool,
            "date" => Kind::Date,
            "timestamp with time zone" => Kind::Instant,
            "bytea" => Kind::Bytes,
            _ => return None,
        })
    }

    fn null(self) -> Arg {
        match self {
            Kind::Integer => Arg::Integer(None),
            Kind::Real => Arg::Real(None),
            Kind::Text => Arg::Text(None),
            Kind::Bool => Arg::Bool(None),
            Kind::Date => Arg::Date(None),
            Kind::Instant => Arg::Instant(None),
            Kind::Bytes => Arg::Bytes(None),
        }
    }
}

#[derive(Debug)]
struct Table {
    name: String,
    columns: Vec<Column>,
    /// Columns that point at a row of the same table (a report's duplicate, the meeting that
    /// approved a meeting's minutes), which may be a later row: filled in after the table.
    self_references: Vec<String>,
    /// The primary key's columns, to fill those in by.
    key: Vec<String>,
}

/// The tables of a SQLite database to copy, by name; a virtual table the copy does not know
/// stops it (its contents would be left behind).
pub(crate) async fn sqlite_tables<C: Connection>(from: &mut C) -> Result<BTreeSet<String>> {
    let rows = query("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        .fetch_all(from)
        .await?;
    let mut all = Vec::new();
    for row in rows {
        let sql: Option<String> = row.try_get(1)?;
        let is_virtual = sql.is_some_and(|s| s.trim_start().to_ascii_uppercase().starts_with("CREATE VIRTUAL TABLE"));
        all.push((row.try_get::<String, _>(0)?, is_virtual));
    }
    let virtual_tables: Vec<&String> = all.iter().filter(|(_, v)| *v).map(|(n, _)| n).collect();
    let mut tables = BTreeSet::new();
    for (name, is_virtual) in &all {
        if name.starts_with("sqlite_") || BOOKKEEPING.contains(&name.as_str()) || KEPT_BY_TRIGGERS.contains(&name.as_str()) {
            continue;
        }
        if *is_virtual {
            if DERIVED.contains(&name.as_str()) {
                continue;
            }
            return Err(StoreError::Refused(format!(
                "table {name} is a virtual table the copy to PostgreSQL does not know: name it in crates/store/src/copy.rs (DERIVED) and rebuild it there"
            )));
        }
        // A virtual table's own storage (FTS5's NAME_data, NAME_idx, ...).
        if virtual_tables.iter().any(|v| name.starts_with(&format!("{v}_"))) {
            continue;
        }
        tables.insert(name.clone());
    }
    Ok(tables)
}

/// The tables to copy with their columns, parents before the tables that refer to them.
async fn plan<S: Connection, T: Connection>(from: &mut S, to: &mut T) -> Result<Vec<Table>> {
    let here = sqlite_tables(from).await?;
    let rows =
        query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
            .fetch_all(to)
            .await?;
    let mut there = BTreeSet::new();
    for row in rows {
        let name: String = row.try_get(0)?;
        if ![BOOKKEEPING, DERIVED, KEPT_BY_TRIGGERS]
            .iter()
            .any(|list| list.contains(&name.as_str()))
        {
            there.insert(name);
        }
    }
    if here != there {
        let only = |a: &BTreeSet<String>, b: &BTreeSet<String>| a.difference(b).cloned().collect::<Vec<_>>().join(", ");
        return Err(StoreError::Refused(format!(
            "the two schemas do not hold the same tables (only in SQLite: [{}]; only in PostgreSQL: [{}]): are both at the same migration?",
            only(&here, &there),
            only(&there, &here)
        )));
    }
    let mut tables = BTreeMap::new();
    for name in &there {
        tables.insert(name.clone(), describe(from, to, name).await?);
    }
    // Parents first: a table is copied once every table it refers to is.
    let rows = query(
        "SELECT DISTINCT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c \
         WHERE c.contype = 'f' AND c.conrelid <> c.confrelid",
    )
    .fetch_all(to)
    .await?;
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in rows {
        parents.entry(row.try_get(0)?).or_default().insert(row.try_get(1)?);
    }
    let mut ordered = Vec::new();
    let mut done = BTreeSet::new();
    while !tables.is_empty() {
        let ready: Vec<String> = tables
            .keys()
            .filter(|t| {
                parents
                    .get(*t)
                    .is_none_or(|p| p.iter().all(|p| done.contains(p) || !there.contains(p)))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            let left = tables.keys().cloned().collect::<Vec<_>>().join(", ");
            return Err(StoreError::Refused(format!(
                "the tables {left} refer to each other in a circle: the copy cannot order them"
            )));
        }
        for name in ready {
            if let Some(table) = tables.remove(&name) {
                ordered.push(table);
            }
            done.insert(name);
        }
    }
    Ok(ordered)
}

async fn describe<S: Connection, T: Connection>(from: &mut S, to: &mut T, table: &str) -> Result<Table> {
    let rows = query(
        "SELECT column_name::text, data_type::text, is_identity::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(to)
    .await?;
    let mut columns = Vec::new();
    for row in rows {
        let (name, data_type): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        let kind = Kind::of(&data_type).ok_or_else(|| {
            StoreError::Refused(format!(
                "column {table}.{name} is of type {data_type}, which the copy to PostgreSQL does not know (crates/store/src/copy.rs)"
            ))
        })?;
        let identity = row.try_get::<String, _>(2)? == "YES";
        columns.push(Column {
            name,
            kind,
            data_type,
            identity,
        });
    }
    let rows = query("SELECT name FROM pragma_table_info($1)").bind(table).fetch_all(from).await?;
    let here: BTreeSet<String> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_>>()?;
    let there: BTreeSet<String> = columns.iter().map(|c| c.name.clone()).collect();
    if here != there {
        return Err(StoreError::Refused(format!(
            "table {table} has other columns in SQLite ({}) than in PostgreSQL ({})",
            here.into_iter().collect::<Vec<_>>().join(", "),
            there.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let self_references = names(
        to,
        "SELECT a.attname::text FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) \
         WHERE c.contype = 'f' AND c.conrelid = c.confrelid AND c.conrelid = $1::regclass ORDER BY a.attname",
        table,
    )
    .await?;
    let key = names(
        to,
        "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) \
         WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY a.attnum",
        table,
    )
    .await?;
    if !self_references.is_empty() && key.is_empty() {
        return Err(StoreError::Refused(format!(
            "table {table} refers to itself but has no primary key"
        )));
    }
    Ok(Table {
        name: table.to_owned(),
        columns,
        self_references,
        key,
    })
}

/// The column names a catalogue query gives for a table.
async fn names<T: Connection>(to: &mut T, sql: &str, table: &str) -> Result<Vec<String>> {
    let rows = query(sql).bind(table).fetch_all(to).await?;
    rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
}

/// The target must hold nothing but what its migrations seeded: a copy never mixes two
/// installations' data.
async fn refuse_unless_empty<T: TxConnection>(to: &mut Transaction<T>, tables: &[Table]) -> Result<()> {
    let derived = DERIVED.iter().map(|d| d.to_string());
    for name in tables.iter().map(|t| t.name.clone()).chain(derived) {
        if SEEDED.contains(&name.as_str()) {
            continue;
        }
        let sql = format!("SELECT EXISTS (SELECT 1 FROM \"{name}\")");
        if query(&sql).fetch_one(to.connection()).await?.try_get::<bool, _>(0)? {
            return Err(StoreError::Refused(format!(
                "the target database holds data already (table {name}): migrate-db copies only into an empty database; \
                 create a new one (createdb) and give its URL / de doeldatabank bevat al gegevens: geef een nieuwe, lege databank"
            )));
        }
    }
    if to.chain_head().await?.0 != 0 {
        return Err(StoreError::Refused(
            "the target database's audit log has entries already: migrate-db copies only into an empty database".into(),
        ));
    }
    Ok(())
}

fn column_list(columns: &[&Column]) -> String {
    columns.iter().map(|c| format!("\"{}\"", c.name)).collect::<Vec<_>>().join(", ")
}

/// Copies a table in batches of rows in SQLite's row order; how many rows it copied.
async fn copy_table<S: Connection, T: Connection>(from: &mut S, to: &mut T, table: &Table) -> Result<u64> {
    let columns: Vec<&Column> = table.columns.iter().collect();
    let list = column_list(&columns);
    let select = format!(
        "SELECT rowid, {list} FROM \"{}\" WHERE rowid > $1 ORDER BY rowid LIMIT $2",
        table.name
    );
    let batch = if columns.iter().any(|c| c.kind == Kind::Bytes) {
        BATCH_WITH_FILES
    } else {
        BATCH
    };
    let mut after = i64::MIN;
    let mut copied = 0u64;
    loop {
        let rows = query(&select).bind(after).bind(batch).fetch_all(from).await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0)?;
        let mut args = Vec::with_capacity(rows.len() * columns.len());
        let mut tuples = Vec::with_capacity(rows.len());
        for row in &rows {
            let first = args.len();
            for (column, value) in columns.iter().zip(&row.values()[1..]) {
                // Filled in once every row of the table is there.
                let value = if table.self_references.contains(&column.name) {
                    &Value::Null
                } else {
                    value
                };
                args.push(convert(&table.name, column, value)?);
            }
            let numbers: Vec<String> = (first + 1..=args.len()).map(|n| format!("${n}")).collect();
            tuples.push(format!("({})", numbers.join(", ")));
        }
        let insert = format!("INSERT INTO \"{}\" ({list}) VALUES {}", table.name, tuples.join(", "));
        Statement { sql: &insert, args }.execute(to).await?;
        copied += rows.len() as u64;
        if (rows.len() as i64) < batch {
            break;
        }
    }
    for reference in &table.self_references {
        fill_in(from, to, table, reference).await?;
    }
    Ok(copied)
}

/// Sets a column that refers to the same table, row by row, once every row is there.
async fn fill_in<S: Connection, T: Connection>(from: &mut S, to: &mut T, table: &Table, reference: &str) -> Result<()> {
    let column = |name: &str| table.columns.iter().find(|c| c.name == name);
    let key: Vec<&Column> = table.key.iter().filter_map(|k| column(k)).collect();
    let target = column(reference).ok_or_else(|| StoreError::Refused(format!("no column {}.{reference}", table.name)))?;
    let select = format!(
        "SELECT rowid, \"{reference}\", {} FROM \"{}\" WHERE rowid > $1 AND \"{reference}\" IS NOT NULL ORDER BY rowid LIMIT $2",
        column_list(&key),
        table.name
    );
    let matches: Vec<String> = key
        .iter()
        .enumerate()
        .map(|(i, c)| format!("\"{}\" = ${}", c.name, i + 2))
        .collect();
    let update = format!("UPDATE \"{}\" SET \"{reference}\" = $1 WHERE {}", table.name, matches.join(" AND "));
    let mut after = i64::MIN;
    loop {
        let rows = query(&select).bind(after).bind(BATCH).fetch_all(from).await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0)?;
        for row in &rows {
            let values = &row.values()[1..];
            let mut args = vec![convert(&table.name, target, &values[0])?];
            for (c, v) in key.iter().zip(&values[1..]) {
                args.push(convert(&table.name, c, v)?);
            }
            Statement { sql: &update, args }.execute(to).await?;
        }
        if (rows.len() as i64) < BATCH {
            break;
        }
    }
    Ok(())
}

/// A value as SQLite keeps it, bound as the PostgreSQL column's type: booleans are integers
/// there, dates and instants text.
fn convert(table: &str, column: &Column, value: &Value) -> Result<Arg> {
    let wrong = || {
        StoreError::Refused(format!(
            "{table}.{}: {} cannot be stored in a column of type {}",
            column.name,
            value.kind(),
            column.data_type
        ))
    };
    Ok(match (column.kind, value) {
        (kind, Value::Null) => kind.null(),
        (Kind::Integer, Value::Integer(i)) => Arg::Integer(Some(*i)),
        (Kind::Integer, Value::Text(t)) => Arg::Integer(Some(t.trim().parse().map_err(|_| wrong())?)),
        (Kind::Real, Value::Real(r)) => Arg::Real(Some(*r)),
        (Kind::Real, Value::Integer(i)) => Arg::Real(Some(*i as f64)),
        (Kind::Text, Value::Text(t)) => Arg::Text(Some(t.clone())),
        (Kind::Text, Value::Integer(i)) => Arg::Text(Some(i.to_string())),
        (Kind::Text, Value::Real(r)) => Arg::Text(Some(r.to_string())),
        (Kind::Bool, Value::Integer(i @ (0 | 1))) => Arg::Bool(Some(*i == 1)),
        (Kind::Date, v) => Arg::Date(Some(NaiveDate::decode(v).map_err(|_| wrong())?)),
        (Kind::Instant, v) => Arg::Instant(Some(DateTime::<Utc>::decode(v).map_err(|_| wrong())?)),
        (Kind::Bytes, Value::Bytes(b)) => Arg::Bytes(Some(b.clone())),
        (Kind::Bytes, Value::Text(t)) => Arg::Bytes(Some(t.as_bytes().to_vec())),
        _ => return Err(wrong()),
    })
}

/// Each identity column's next value follows the highest copied (the rows came with their ids).
async fn restart_identities<T: Connection>(to: &mut T, table: &Table) -> Result<()> {
    for column in table.columns.iter().filter(|c| c.identity) {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('\"{t}\"', '{c}'), COALESCE(MAX(\"{c}\"), 0) + 1, false) FROM \"{t}\"",
            t = table.name,
            c = column.name
        );
        query(&sql).fetch_one(to).await?;
    }
    Ok(())
}

/// One row of `finding_tallies`: government, order, status, decision, severity, count.
type Tally = (i64, i64, String, String, String, i64);

/// The register's tallies the target's triggers kept while the findings were copied must be the
/// source's, row for row.
async fn compare_tallies<S: Connection, T: Connection>(from: &mut S, to: &mut T) -> Result<()> {
    const TALLIES: &str = "SELECT government_id, order_id, status, decision, severity, n FROM finding_tallies \
                           WHERE n <> 0 ORDER BY government_id, order_id, status, decision, severity";
    let read = |rows: Vec<Row>| -> Result<Vec<Tally>> {
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                ))
            })
            .collect()
    };
    let (here, there) = (
        read(query(TALLIES).fetch_all(from).await?)?,
        read(query(TALLIES).fetch_all(to).await?)?,
    );
    if here != there {
        return Err(StoreError::Refused(format!(
            "the register's tallies differ: {} rows in SQLite, {} counted on PostgreSQL; nothing was kept",
            here.len(),
            there.len()
        )));
    }
    Ok(())
}

/// The toolkit's search index, in PostgreSQL's form, for every published item.
async fn index_toolkit<T: TxConnection>(to: &mut Transaction<T>, rebuild: &Rebuild<'_>) -> Result<u64> {
    let rows = query("SELECT id, published_version_id FROM toolkit_items WHERE published_version_id IS NOT NULL ORDER BY id")
        .fetch_all(to.connection())
        .await?;
    let mut indexed = 0;
    for row in rows {
        let (id, version): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        let missing = || StoreError::Corrupt(format!("toolkit item {id} or its published version {version}"));
        let item = to.toolkit_item(id).await?.ok_or_else(missing)?;
        let version = to.toolkit_version(version).await?.ok_or_else(missing)?;
        let (terms, head) = (rebuild.toolkit_terms)(&item, &version);
        to.set_toolkit_terms(id, &terms, &head).await?;
        indexed += 1;
    }
    Ok(indexed)
}

/// Every link of the audit chain on the target, its head, and each signature against its entry:
/// the chain read back from PostgreSQL hashes as it did in SQLite.
async fn verify_chain<T: TxConnection>(to: &mut Transaction<T>, rebuild: &Rebuild<'_>) -> Result<(u64, u64)> {
    let mut verifier = crate::audit::ChainVerifier::default();
    let broken = |seq: i64, problem: &str| {
        StoreError::Refused(format!(
            "the audit log does not hold on the target at entry {seq}: {problem}; nothing was kept (check the source with `cyberveilig audit-log verify`)"
        ))
    };
    const PAGE: i64 = 1_000;
    let (mut after, mut signatures_after, mut signatures) = (0, 0, 0u64);
    let mut waiting = std::collections::VecDeque::new();
    loop {
        let page = to.events_after(after, 5_000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for event in &page {
            verifier.check(event).map_err(|b| broken(b.seq, b.problem))?;
            if waiting.is_empty() {
                let next = to.audit_signatures(signatures_after, PAGE).await?;
                signatures_after = next.last().map_or(signatures_after, |s| s.seq);
                waiting.extend(next);
            }
            while waiting.front().is_some_and(|s: &AuditSignature| s.seq == event.seq) {
                let signature = waiting.pop_front().expect("the front was just looked at");
                if signature.hash != event.hash || rebuild.signature_holds.is_some_and(|holds| !holds(&signature)) {
                    return Err(broken(event.seq, "its signature does not hold"));
                }
                signatures += 1;
            }
        }
    }
    if let Some(left) = waiting.front() {
        return Err(broken(left.seq, "a signature names an entry that is not there"));
    }
    let (head, _) = to.chain_head().await?;
    if head != verifier.checked as i64 {
        return Err(broken(head, "the chain's head does not name the last entry"));
    }
    Ok((verifier.checked, signatures))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;

    async fn migrated() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db").to_str().unwrap().to_owned();
        let store = SqliteStore::open(&path).await.unwrap();
        store.migrate().await.unwrap();
        store.close().await;
        (dir, path)
    }

    /// Every table of the SQLite schema is copied, but for the bookkeeping and the derived
    /// index: if a migration adds a virtual table, this fails until the copy knows it.
    #[tokio::test]
    async fn the_copy_takes_every_table_of_the_schema_and_knows_its_virtual_tables() {
        let (_dir, path) = migrated().await;
        let mut from = crate::sqlite::whole_reader(&path).await.unwrap();
        let tables = sqlite_tables(&mut from).await.unwrap();
        for expected in [
            "events",
            "audit_signatures",
            "audit_chain_head",
            "orders",
            "postings",
            "toolkit_items",
            "people",
        ] {
            assert!(tables.contains(expected), "{expected} is not copied: {tables:?}");
        }
        assert!(
            tables.iter().all(|t| !t.starts_with("toolkit_search") && !t.starts_with("sqlite_")),
            "{tables:?}"
        );
        assert!(!tables.contains("schema_migrations"));
        assert!(
            !tables.contains("finding_tallies"),
            "the tallies are the target's triggers' to keep"
        );
        let all = query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .fetch_one(&mut from)
            .await
            .unwrap()
            .try_get::<i64, _>(0)
            .unwrap();
        // The tables left out: the migrations' record, the index and FTS5's five tables of its own,
        // the register's tallies.
        assert_eq!(tables.len() as i64, all - 1 - 1 - 5 - 1, "{tables:?}");
    }

    #[tokio::test]
    async fn a_virtual_table_the_copy_does_not_know_stops_it() {
        let (_dir, path) = migrated().await;
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE report_search USING fts5(words)").unwrap();
        drop(conn);
        let mut from = crate::sqlite::whole_reader(&path).await.unwrap();
        let refused = sqlite_tables(&mut from).await.unwrap_err().to_string();
        assert!(refused.contains("report_search"), "{refused}");
    }

    #[test]
    fn sqlite_values_are_bound_as_the_postgres_column_types() {
        let column = |kind, data_type: &str| Column {
            name: "c".into(),
            kind,
            data_type: data_type.into(),
            identity: false,
        };
        let boolean = column(Kind::Bool, "boolean");
        assert_eq!(convert("t", &boolean, &Value::Integer(1)).unwrap(), Arg::Bool(Some(true)));
        assert_eq!(convert("t", &boolean, &Value::Null).unwrap(), Arg::Bool(None));
        assert!(convert("t", &boolean, &Value::Integer(7)).is_err());
        let day = column(Kind::Date, "date");
        assert_eq!(
            convert("t", &day, &Value::Text("2024-02-29".into())).unwrap(),
            Arg::Date(NaiveDate::from_ymd_opt(2024, 2, 29))
        );
        assert!(
            convert("t", &day, &Value::Text("29/02/2024".into()))
                .unwrap_err()
                .to_string()
                .contains("t.c")
        );
        let at = column(Kind::Instant, "timestamp with time zone");
        let parsed = convert("t", &at, &Value::Text("2021-06-15T08:00:00.123456Z".into())).unwrap();
        assert_eq!(
            parsed,
            Arg::Instant(Some(
                DateTime::parse_from_rfc3339("2021-06-15T10:00:00.123456+02:00").unwrap().to_utc()
            ))
        );
        assert_eq!(
            convert("t", &column(Kind::Real, "double precision"), &Value::Integer(3)).unwrap(),
            Arg::Real(Some(3.0))
        );
        assert!(convert("t", &column(Kind::Integer, "bigint"), &Value::Bytes(vec![1])).is_err());
        assert_eq!(Kind::of("tsvector"), None);
    }
}
