//! The dated history the figures as at a day are counted from (FIG-1): every statement reads
//! what happened before `until`, the start of the day after the one asked about.

use super::prelude::*;
use crate::FiguresTx;
use cyberveilig_domain::ssvc::Decision;

fn order_fact_from(row: &Row) -> Result<OrderFact> {
    Ok(OrderFact {
        id: row.try_get("id")?,
        kind: parse(&row.try_get::<String, _>("kind")?, "order kind")?,
        government_id: row.try_get("government_id")?,
        government_kind: parse(&row.try_get::<String, _>("government_kind")?, "organisation kind")?,
        government_nis: opt_parse(row.try_get("nis_code")?, "NIS code")?,
        submitted_on: row.try_get("submitted_on")?,
    })
}

fn dated_event_from(row: &Row) -> Result<DatedEvent> {
    Ok(DatedEvent {
        subject_id: row.try_get("subject_id")?,
        action: row.try_get("action")?,
        at: row.try_get("at")?,
        details: row.try_get("details")?,
    })
}

fn finding_change_from(row: &Row) -> Result<FindingChange> {
    Ok(FindingChange {
        finding_id: row.try_get("subject_id")?,
        first_seen: row.try_get("first_seen")?,
        at: row.try_get("at")?,
        details: row.try_get("details")?,
    })
}

fn report_times_from(row: &Row) -> Result<ReportTimes> {
    Ok(ReportTimes {
        received_at: row.try_get("received_at")?,
        acknowledge_by: row.try_get("acknowledge_by")?,
        acknowledged_at: row.try_get("acknowledged_at")?,
        triage_by: row.try_get("triage_by")?,
        triaged_at: row.try_get("triaged_at")?,
    })
}

#[async_trait::async_trait]
impl<C: Connection> FiguresTx for Transaction<C> {
    async fn order_facts(&mut self, programme_id: i64, until: DateTime<Utc>) -> Result<Vec<OrderFact>> {
        let rows = query(
            "SELECT o.id, o.kind, o.government_id, g.kind AS government_kind, g.nis_code, o.submitted_on \
             FROM orders o JOIN organisations g ON g.id = o.government_id \
             WHERE o.programme_id = $1 AND o.submitted_at < $2 ORDER BY o.id",
        )
        .bind(programme_id)
        .bind(until)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, order_fact_from)
    }

    async fn order_events(&mut self, programme_id: i64, until: DateTime<Utc>) -> Result<Vec<DatedEvent>> {
        let rows = query(
            "SELECT e.subject_id, e.action, e.at, e.details FROM events e JOIN orders o ON o.id = e.subject_id \
             WHERE e.subject_type = 'order' AND o.programme_id = $1 AND e.at < $2 ORDER BY e.seq",
        )
        .bind(programme_id)
        .bind(until)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, dated_event_from)
    }

    async fn subject_events(&mut self, subject_type: &str, until: DateTime<Utc>) -> Result<Vec<DatedEvent>> {
        let rows = query("SELECT subject_id, action, at, details FROM events WHERE subject_type = $1 AND at < $2 ORDER BY seq")
            .bind(subject_type)
            .bind(until)
            .fetch_all(&mut self.conn)
            .await?;
        collect(rows, dated_event_from)
    }

    async fn postings_until(&mut self, programme_id: i64, until: DateTime<Utc>) -> Result<Vec<(DateTime<Utc>, Balances)>> {
        let rows = query(
            "SELECT at, budget_after AS budget, reserved_after AS reserved, paid_after AS paid FROM postings \
             WHERE programme_id = $1 AND at < $2 ORDER BY id",
        )
        .bind(programme_id)
        .bind(until)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("at")?, super::ledger::balances_from(row)?)))
            .collect()
    }

    async fn payments_until(&mut self, programme_id: i64, until: DateTime<Utc>) -> Result<Vec<(i64, DateTime<Utc>, Money)>> {
        let rows = query(
            "SELECT order_id, at, amount_cents FROM postings \
             WHERE programme_id = $1 AND to_account = 'paid' AND order_id IS NOT NULL AND at < $2 ORDER BY id",
        )
        .bind(programme_id)
        .bind(until)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("order_id")?,
                    row.try_get("at")?,
                    Money::from_cents(row.try_get("amount_cents")?),
                ))
            })
            .collect()
    }

    async fn grant_balances_until(&mut self, grant_id: i64, until: DateTime<Utc>) -> Result<Balances> {
        let row = query(
            "SELECT budget_after AS budget, reserved_after AS reserved, paid_after AS paid FROM grant_postings \
             WHERE grant_id = $1 AND at < $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(grant_id)
        .bind(until)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref()
            .map(super::ledger::balances_from)
            .transpose()
            .map(Option::unwrap_or_default)
    }

    async fn findings_by_decision(&mut self, until: DateTime<Utc>, government: Option<i64>) -> Result<Vec<(Option<Decision>, i64)>> {
        let sql = match government {
            None => "SELECT decision, COUNT(*) AS n FROM findings WHERE first_seen < $1 GROUP BY decision",
            Some(_) => "SELECT decision, COUNT(*) AS n FROM findings WHERE government_id = $2 AND first_seen < $1 GROUP BY decision",
        };
        let mut statement = query(sql).bind(until);
        if let Some(id) = government {
            statement = statement.bind(id);
        }
        let rows = statement.fetch_all(&mut self.conn).await?;
        rows.iter()
            .map(|row| Ok((opt_parse(row.try_get("decision")?, "SSVC decision")?, row.try_get("n")?)))
            .collect()
    }

    async fn finding_changes(&mut self, until: DateTime<Utc>, government: Option<i64>) -> Result<Vec<FindingChange>> {
        const CHANGES: &str = "SELECT e.subject_id, f.first_seen, e.at, e.details FROM events e JOIN findings f ON f.id = e.subject_id \
             WHERE e.subject_type = 'finding' AND e.action = 'finding.status_changed' AND e.at < $1";
        let sql = match government {
            None => format!("{CHANGES} ORDER BY e.seq"),
            Some(_) => format!("{CHANGES} AND f.government_id = $2 ORDER BY e.seq"),
        };
        let mut statement = query(&sql).bind(until);
        if let Some(id) = government {
            statement = statement.bind(id);
        }
        let rows = statement.fetch_all(&mut self.conn).await?;
        collect(rows, finding_change_from)
    }

    async fn report_times(&mut self, until: DateTime<Utc>, government: Option<i64>) -> Result<Vec<ReportTimes>> {
        const TIMES: &str =
            "SELECT received_at, acknowledge_by, acknowledged_at, triage_by, triaged_at FROM reports WHERE received_at < $1";
        let sql = match government {
            None => format!("{TIMES} ORDER BY id"),
            Some(_) => format!("{TIMES} AND government_id = $2 ORDER BY id"),
        };
        let mut statement = query(&sql).bind(until);
        if let Some(id) = government {
            statement = statement.bind(id);
        }
        let rows = statement.fetch_all(&mut self.conn).await?;
        collect(rows, report_times_from)
    }
}
