//! Remediation: the findings register with its filters, owners and order, assets with their findings counted, and the record of a basic
//! audit's remediation day.

use crate::driver::{Arg, Encode};
use crate::records::{RegisterCursor, RegisterQuery, RegisterSort};

/// The findings' columns, qualified with the alias `f` (the register joins people and assets).
pub(crate) fn finding_columns_of_f() -> String {
    super::FINDING_COLUMNS
        .split(',')
        .map(|c| format!("f.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) const REGISTER_FROM: &str = "FROM findings f LEFT JOIN people o ON o.id = f.owner_id \
    LEFT JOIN assets a ON a.id = f.asset_id LEFT JOIN people b ON b.id = f.status_by";

/// A query's conditions and their values, numbered as they are added: only the filters given
/// are in the statement, so each database plans it with the indexes of those filters (a
/// `$1 IS NULL OR …` for every filter would leave the planner none to use).
pub(crate) struct Conditions {
    pub sql: String,
    pub args: Vec<Arg>,
}

impl Conditions {
    fn new() -> Conditions {
        Conditions {
            sql: String::from("WHERE TRUE"),
            args: Vec::new(),
        }
    }

    /// Adds `condition`, whose `?` is the value's place.
    fn and(&mut self, condition: &str, value: impl Encode) {
        let place = format!("${}", self.args.len() + 1);
        self.sql.push_str(" AND ");
        self.sql.push_str(&condition.replace('?', &place));
        self.args.push(value.encode());
    }

    fn and_plain(&mut self, condition: &str) {
        self.sql.push_str(" AND ");
        self.sql.push_str(condition);
    }

    /// The statement with the conditions' values bound, in order.
    pub(crate) fn bind<'q>(&self, mut statement: Statement<'q>) -> Statement<'q> {
        statement.args.extend(self.args.iter().cloned());
        statement
    }
}

/// The register's conditions on the findings aliased `alias` (the tallies share the counted
/// columns' names). Information kept from scans (status `informational`) shows only when asked
/// for by its status.
pub(crate) fn register_conditions(q: &RegisterQuery, alias: &str) -> Conditions {
    let mut c = Conditions::new();
    let col = |name: &str| format!("{alias}.{name}");
    if let Some(id) = q.government_id {
        // A person's or a system's findings are few next to a government's (maybe a million):
        // SQLite, which knows only the average government's size, would rather walk the
        // government's in the sort's order, filtering; `+ 0` keeps it (and PostgreSQL) from the
        // government's indexes, so a person's are read in order from their own and a system's
        // sorted, a few thousand at most.
        let keep_off_index = if q.owner_id.is_some() || q.asset_id.is_some() { " + 0" } else { "" };
        c.and(&format!("{}{keep_off_index} = ?", col("government_id")), id);
    }
    if let Some(id) = q.firm_id {
        c.and(&format!("{} IN (SELECT id FROM orders WHERE firm_id = ?)", col("order_id")), id);
    }
    if let Some(id) = q.order_id {
        c.and(&format!("{} = ?", col("order_id")), id);
    }
    match q.status {
        Some(status) => c.and(&format!("{} = ?", col("status")), status.as_str()),
        None => c.and_plain(&format!("{} <> 'informational'", col("status"))),
    }
    if let Some(decision) = q.decision {
        c.and(&format!("{} = ?", col("decision")), decision.as_str());
    }
    if let Some(severity) = q.severity {
        c.and(&format!("{} = ?", col("severity")), severity.as_str());
    }
    if let Some(id) = q.asset_id {
        c.and(&format!("{} = ?", col("asset_id")), id);
    }
    if let Some(id) = q.owner_id {
        c.and(&format!("{} = ?", col("owner_id")), id);
    }
    if let Some(day) = q.overdue_on {
        c.and(&format!("{} < ?", col("due_on")), day);
    }
    if let Some(id) = q.finding_id {
        c.and(&format!("{} = ?", col("id")), id);
    }
    if q.open_only || q.overdue_on.is_some() {
        c.and_plain(&format!("{} IN {}", col("status"), super::findings::open_statuses()));
    }
    c
}

/// The register's order: the sort's keys, then the id (see [`RegisterSort::keys`]).
pub(crate) fn register_order(sort: RegisterSort) -> String {
    let mut keys: Vec<String> = sort.keys().iter().map(|k| format!("f.{k}")).collect();
    keys.push("f.id".into());
    keys.join(", ")
}

/// Starts a page after `cursor`: the sort's keys and the id as one row value compared at once,
/// which both databases answer with a seek in the sort's index.
fn and_after(c: &mut Conditions, cursor: &RegisterCursor) {
    let first = c.args.len() + 1;
    let n = cursor.sort.keys().len() + 1;
    let places: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
    c.and_plain(&format!("({}) > ({})", register_order(cursor.sort), places.join(", ")));
    if let Some(text) = &cursor.text {
        c.args.push(text.as_str().encode());
    }
    c.args.extend(cursor.numbers.iter().map(Encode::encode));
    c.args.push(cursor.id.encode());
}

use super::prelude::*;

fn entry_from(row: &Row) -> Result<RegisterEntry> {
    Ok(RegisterEntry {
        finding: finding_from(row)?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        asset_name: row.try_get("asset_name")?,
        asset_criticality: opt_parse(row.try_get("asset_criticality")?, "asset criticality")?,
        status_reason: row.try_get("status_reason")?,
        accepted_until: row.try_get("accepted_until")?,
        status_by_name: row.try_get("status_by_name")?,
    })
}

fn plan_line_from(row: &Row) -> Result<PlanLine> {
    Ok(PlanLine {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        asset_name: row.try_get("asset_name")?,
        severity: parse(&row.try_get::<String, _>("severity")?, "severity")?,
        cvss_score: row.try_get("cvss_score")?,
        decision: opt_parse(row.try_get("decision")?, "SSVC decision")?,
        status: parse(&row.try_get::<String, _>("status")?, "finding status")?,
        owner_name: row.try_get("owner_name")?,
        due_on: row.try_get("due_on")?,
        cves: row.try_get("cves")?,
    })
}

/// A page of the register after `q`'s cursor (or from the start) in its order, `select`ed from
/// `from` and read by `read`, with the cursor of the next page when there is one.
async fn register_page<C: Connection, T>(
    conn: &mut C,
    q: &RegisterQuery,
    select: &str,
    from: &str,
    read: fn(&Row) -> Result<T>,
) -> Result<(Vec<T>, Option<RegisterCursor>)> {
    let mut c = register_conditions(q, "f");
    // A cursor of another sort would seek in the wrong index: the first page instead. The first
    // page too starts after a cursor, one before every finding: a range on the sort's keys is
    // what steers SQLite, which knows only the average government's and system's size, to the
    // index in the sort's order rather than one it would have to sort.
    let start = RegisterCursor::before_all(q.sort);
    let cursor = q.after.as_ref().filter(|c| c.sort == q.sort).unwrap_or(&start);
    and_after(&mut c, cursor);
    let keys: String = q.sort.keys().iter().map(|k| format!(", f.{k} AS key_{k}")).collect();
    let sql = format!(
        "SELECT {select}{keys} {from} {} ORDER BY {} LIMIT ${}",
        c.sql,
        register_order(q.sort),
        c.args.len() + 1,
    );
    let statement = c.bind(query(&sql));
    // One more than the page: whether a next page exists, without counting.
    let rows = statement.bind(q.limit.saturating_add(1)).fetch_all(conn).await?;
    let more = rows.len() as i64 > q.limit;
    let mut items = Vec::with_capacity(rows.len());
    let mut next = None;
    for (i, row) in rows.iter().enumerate() {
        if i as i64 == q.limit {
            break;
        }
        items.push(read(row)?);
        if more && i as i64 == q.limit - 1 {
            let mut cursor = RegisterCursor {
                sort: q.sort,
                text: None,
                numbers: Vec::new(),
                id: row.try_get("id")?,
            };
            for key in q.sort.keys() {
                let column = format!("key_{key}");
                if *key == "asset_key" {
                    cursor.text = Some(row.try_get(column.as_str())?);
                } else {
                    cursor.numbers.push(row.try_get(column.as_str())?);
                }
            }
            next = Some(cursor);
        }
    }
    Ok((items, next))
}

#[async_trait::async_trait]
impl<C: Connection> crate::RemediationTx for Transaction<C> {
    async fn register(&mut self, q: &RegisterQuery) -> Result<RegisterRows> {
        let select = format!(
            "{}, f.owner_id, o.name AS owner_name, a.name AS asset_name, a.criticality AS asset_criticality, \
             f.status_reason, f.accepted_until, b.name AS status_by_name",
            finding_columns_of_f()
        );
        let (entries, next) = register_page(&mut self.conn, q, &select, REGISTER_FROM, entry_from).await?;
        Ok(RegisterRows { entries, next })
    }

    async fn plan_lines(&mut self, q: &RegisterQuery) -> Result<PlanLines> {
        const SELECT: &str = "f.id, f.title, a.name AS asset_name, f.severity, f.cvss_score, f.decision, f.status, \
                              o.name AS owner_name, f.due_on, f.cves";
        const FROM: &str = "FROM findings f LEFT JOIN people o ON o.id = f.owner_id LEFT JOIN assets a ON a.id = f.asset_id";
        let (lines, next) = register_page(&mut self.conn, q, SELECT, FROM, plan_line_from).await?;
        Ok(PlanLines { lines, next })
    }

    async fn count_register(&mut self, q: &RegisterQuery, bound: i64) -> Result<RegisterCount> {
        let tallied = q.asset_id.is_none() && q.owner_id.is_none() && q.overdue_on.is_none() && q.finding_id.is_none();
        if tallied {
            let c = register_conditions(q, "t");
            let sql = format!("SELECT CAST(COALESCE(SUM(t.n), 0) AS BIGINT) AS n FROM finding_tallies t {}", c.sql);
            let row = c.bind(query(&sql)).fetch_one(&mut self.conn).await?;
            return Ok(RegisterCount {
                n: row.try_get("n")?,
                exact: true,
            });
        }
        let mut c = register_conditions(q, "f");
        // Overdue findings lie together at the start of the deadline order: counted along it, in
        // a range of a deadline index that ends where they end, whatever the page's sort. Left
        // to itself PostgreSQL's generic plan gathers every overdue finding of the government in
        // a bitmap first (17 ms for Gent's 143,000) to count a thousand.
        let mut order = String::new();
        if let Some(day) = q.overdue_on {
            c.and(
                "f.due_key < ?",
                (day - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days(),
            );
            and_after(&mut c, &RegisterCursor::before_all(RegisterSort::DueDate));
            order = format!(" ORDER BY {}", register_order(RegisterSort::DueDate));
        }
        let sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM findings f {}{order} LIMIT ${}) counted",
            c.sql,
            c.args.len() + 1
        );
        let row = c.bind(query(&sql)).bind(bound.saturating_add(1)).fetch_one(&mut self.conn).await?;
        let n: i64 = row.try_get("n")?;
        Ok(if n > bound {
            RegisterCount { n: bound, exact: false }
        } else {
            RegisterCount { n, exact: true }
        })
    }

    async fn asset_summaries(&mut self, government_id: i64, today: NaiveDate) -> Result<Vec<AssetSummary>> {
        let open = format!("f.status IN {}", super::findings::open_statuses());
        let count = |extra: &str, alias: &str| format!("COALESCE(SUM(CASE WHEN {open}{extra} THEN 1 ELSE 0 END), 0) AS {alias}");
        let sql = format!(
            "SELECT a.id, a.government_id, a.kind, a.name, a.hostname, a.ip, a.os, a.criticality, {}, {}, {}, {}, {}, {}, \
             COUNT(f.id) AS total_n FROM assets a LEFT JOIN findings f ON f.asset_id = a.id WHERE a.government_id = $1 \
             GROUP BY a.id, a.government_id, a.kind, a.name, a.hostname, a.ip, a.os, a.criticality \
             ORDER BY open_n DESC, a.name",
            count("", "open_n"),
            count(" AND f.decision = 'act'", "act_n"),
            count(" AND f.decision = 'attend'", "attend_n"),
            count(" AND f.decision = 'track*'", "track_star_n"),
            count(" AND f.decision = 'track'", "track_n"),
            count(" AND f.due_on < $2", "overdue_n"),
        );
        let sql = sql.replace(
            "COUNT(f.id) AS total_n",
            "COALESCE(SUM(CASE WHEN f.status = 'informational' THEN 1 ELSE 0 END), 0) AS info_n, COUNT(f.id) AS total_n",
        );
        let rows = query(&sql).bind(government_id).bind(today).fetch_all(&mut self.conn).await?;
        rows.iter()
            .map(|r| {
                Ok(AssetSummary {
                    asset: super::findings::asset_from(r)?,
                    open: r.try_get("open_n")?,
                    act: r.try_get("act_n")?,
                    attend: r.try_get("attend_n")?,
                    track_star: r.try_get("track_star_n")?,
                    track: r.try_get("track_n")?,
                    overdue: r.try_get("overdue_n")?,
                    information: r.try_get("info_n")?,
                    total: r.try_get("total_n")?,
                })
            })
            .collect()
    }

    async fn set_finding_owner(&mut self, id: i64, owner_id: Option<i64>) -> Result<()> {
        query("UPDATE findings SET owner_id = $2 WHERE id = $1")
            .bind(id)
            .bind(owner_id)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn set_status_by(&mut self, id: i64, person_id: Option<i64>) -> Result<()> {
        query("UPDATE findings SET status_by = $2 WHERE id = $1")
            .bind(id)
            .bind(person_id)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn remediation_day(&mut self, order_id: i64) -> Result<Option<RemediationDay>> {
        let Some(row) = query("SELECT order_id, held_on, attendees, recorded_by, recorded_at FROM remediation_days WHERE order_id = $1")
            .bind(order_id)
            .fetch_optional(&mut self.conn)
            .await?
        else {
            return Ok(None);
        };
        let people = query(
            "SELECT p.id, p.name FROM remediation_day_people d JOIN people p ON p.id = d.person_id \
             WHERE d.order_id = $1 ORDER BY p.name, p.id",
        )
        .bind(order_id)
        .fetch_all(&mut self.conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<Vec<_>>>()?;
        let actions = query("SELECT finding_id, started, note FROM remediation_day_actions WHERE order_id = $1 ORDER BY position")
            .bind(order_id)
            .fetch_all(&mut self.conn)
            .await?
            .iter()
            .map(|r| {
                Ok(DayAction {
                    finding_id: r.try_get("finding_id")?,
                    started: r.try_get("started")?,
                    note: r.try_get("note")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(RemediationDay {
            order_id: row.try_get("order_id")?,
            held_on: row.try_get("held_on")?,
            attendees: row.try_get("attendees")?,
            people,
            actions,
            recorded_by: row.try_get("recorded_by")?,
            recorded_at: row.try_get("recorded_at")?,
        }))
    }

    async fn save_remediation_day(&mut self, day: &RemediationDay) -> Result<()> {
        query("DELETE FROM remediation_day_actions WHERE order_id = $1")
            .bind(day.order_id)
            .execute(&mut self.conn)
            .await?;
        query("DELETE FROM remediation_day_people WHERE order_id = $1")
            .bind(day.order_id)
            .execute(&mut self.conn)
            .await?;
        query(
            "INSERT INTO remediation_days (order_id, held_on, attendees, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (order_id) DO UPDATE SET held_on = excluded.held_on, attendees = excluded.attendees, \
             recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        )
        .bind(day.order_id)
        .bind(day.held_on)
        .bind(&day.attendees)
        .bind(day.recorded_by)
        .bind(day.recorded_at)
        .execute(&mut self.conn)
        .await?;
        for (person_id, _) in &day.people {
            query("INSERT INTO remediation_day_people (order_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(day.order_id)
                .bind(*person_id)
                .execute(&mut self.conn)
                .await?;
        }
        for (position, a) in day.actions.iter().enumerate() {
            query("INSERT INTO remediation_day_actions (order_id, finding_id, position, started, note) VALUES ($1, $2, $3, $4, $5)")
                .bind(day.order_id)
                .bind(a.finding_id)
                .bind(position as i64)
                .bind(a.started)
                .bind(&a.note)
                .execute(&mut self.conn)
                .await?;
        }
        Ok(())
    }
}
