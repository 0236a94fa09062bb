//! Remediation: the findings register with its filters, owners and order, assets with their findings counted, and the record of a basic
//! audit's remediation day.

use super::findings::priority_order;
use crate::records::{RegisterQuery, RegisterSort};
use cyberveilig_domain::severity::Severity;

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

/// The register's conditions, on parameters $1 to $10 (bound by `bind_register`). Information
/// kept from scans (status `informational`) shows only when asked for by its status.
pub(crate) fn register_where(q: &RegisterQuery) -> String {
    let mut sql = String::from(
        "WHERE ($1 IS NULL OR f.government_id = $1) \
         AND ($2 IS NULL OR f.order_id IN (SELECT id FROM orders WHERE firm_id = $2)) \
         AND ($3 IS NULL OR f.order_id = $3) AND ($4 IS NULL OR f.status = $4) \
         AND ($5 IS NULL OR f.decision = $5) AND ($6 IS NULL OR f.severity = $6) \
         AND ($7 IS NULL OR f.asset_id = $7) AND ($8 IS NULL OR f.owner_id = $8) \
         AND ($9 IS NULL OR f.due_on < $9) AND ($10 IS NULL OR f.id = $10) \
         AND ($4 IS NOT NULL OR f.status <> 'informational')",
    );
    if q.open_only || q.overdue_on.is_some() {
        sql.push_str(" AND f.status IN ");
        sql.push_str(super::findings::open_statuses());
    }
    sql
}

pub(crate) fn register_order(sort: RegisterSort) -> String {
    let first = match sort {
        RegisterSort::Priority => return priority_order("f"),
        RegisterSort::DueDate => "f.due_on ASC NULLS LAST",
        RegisterSort::Severity => "f.severity_rank DESC, f.cvss_score DESC NULLS LAST",
        RegisterSort::Asset => "a.name ASC NULLS LAST",
        RegisterSort::LastSeen => "f.last_seen DESC",
    };
    format!("{first}, {}", priority_order("f"))
}

use super::prelude::*;
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::ssvc::Decision;

fn bind_register<'q>(sql: Statement<'q>, q: &'q RegisterQuery) -> Statement<'q> {
    sql.bind(q.government_id)
        .bind(q.firm_id)
        .bind(q.order_id)
        .bind(q.status.map(FindingStatus::as_str))
        .bind(q.decision.map(Decision::as_str))
        .bind(q.severity.map(Severity::as_str))
        .bind(q.asset_id)
        .bind(q.owner_id)
        .bind(q.overdue_on)
        .bind(q.finding_id)
}

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

#[async_trait::async_trait]
impl<C: Connection> crate::RemediationTx for Transaction<C> {
    async fn register(&mut self, q: &RegisterQuery) -> Result<Vec<RegisterEntry>> {
        let sql = format!(
            "SELECT {}, f.owner_id, o.name AS owner_name, a.name AS asset_name, a.criticality AS asset_criticality, \
             f.status_reason, f.accepted_until, b.name AS status_by_name {REGISTER_FROM} {} ORDER BY {} LIMIT $11 OFFSET $12",
            finding_columns_of_f(),
            register_where(q),
            register_order(q.sort)
        );
        let rows = bind_register(query(&sql), q)
            .bind(q.limit)
            .bind(q.offset)
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter().map(entry_from).collect()
    }

    async fn each_register_entry(&mut self, q: &RegisterQuery, each: &mut (dyn FnMut(RegisterEntry) -> Result<()> + Send)) -> Result<u64> {
        let sql = format!(
            "SELECT {}, f.owner_id, o.name AS owner_name, a.name AS asset_name, a.criticality AS asset_criticality, \
             f.status_reason, f.accepted_until, b.name AS status_by_name {REGISTER_FROM} {} ORDER BY {} LIMIT $11",
            finding_columns_of_f(),
            register_where(q),
            register_order(q.sort)
        );
        let query = bind_register(query(&sql), q).bind(q.limit);
        query.for_each(&mut self.conn, &mut |row| each(entry_from(row)?)).await
    }

    async fn count_register(&mut self, q: &RegisterQuery) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) AS n {REGISTER_FROM} {}", register_where(q));
        let row = bind_register(query(&sql), q).fetch_one(&mut self.conn).await?;
        Ok(row.try_get("n")?)
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
