//! Vulnerability reports: reports, their messages and attachments, possible duplicates, and the acknowledgements.

use crate::records::ReportFilter;

pub(crate) const REPORT_COLUMNS: &str = "id, government_id, tracking_code, follow_hash, state, outcome, duplicate_of, target, host, \
    location, cwe, duplicate_key, title, description, steps, impact, cvss_vector, cvss_score, reporter_name, reporter_email, \
    reporter_id, credit_consent, disclosure_plans, received_at, received_on, acknowledge_by, triage_by, disclose_on, \
    disclosure_agreed, acknowledged_at, triaged_at, fixed_at, closed_at, finding_id, coordinator_invited, reminded, updated_at, outside_scope";

/// The author of the platform's own messages in a thread.
const SYSTEM: &str = "system";

pub(crate) const ATTACHMENT_COLUMNS: &str = "id, report_id, filename, kind, size, sha256, uploaded_by, at";

/// The list's conditions on $1 to $4; the states are written into the text as the names of
/// [`ReportState`] values (never the caller's text).
pub(crate) fn report_where(f: &ReportFilter) -> String {
    let mut sql = String::from("WHERE ($1 IS NULL OR government_id = $1) AND ($2 IS NULL OR reporter_id = $2) AND ($3 IS NULL OR id < $3)");
    if f.coordinator_invited {
        sql.push_str(" AND coordinator_invited = TRUE");
    }
    if !f.states.is_empty() {
        let list: Vec<String> = f.states.iter().map(|s| format!("'{}'", s.as_str())).collect();
        sql.push_str(&format!(" AND state IN ({})", list.join(", ")));
    }
    sql
}

use super::prelude::*;
use cyberveilig_domain::report::{Party, TriageOutcome};

fn report_from(r: &Row) -> Result<Report> {
    Ok(Report {
        id: r.try_get("id")?,
        government_id: r.try_get("government_id")?,
        tracking_code: r.try_get("tracking_code")?,
        follow_hash: r.try_get("follow_hash")?,
        state: parse(&r.try_get::<String, _>("state")?, "report state")?,
        outcome: opt_parse(r.try_get("outcome")?, "triage outcome")?,
        duplicate_of: r.try_get("duplicate_of")?,
        target: r.try_get("target")?,
        host: r.try_get("host")?,
        location: r.try_get("location")?,
        cwe: r.try_get("cwe")?,
        duplicate_key: r.try_get("duplicate_key")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        steps: r.try_get("steps")?,
        impact: r.try_get("impact")?,
        cvss_vector: r.try_get("cvss_vector")?,
        cvss_score: r.try_get("cvss_score")?,
        reporter_name: r.try_get("reporter_name")?,
        reporter_email: r.try_get("reporter_email")?,
        reporter_id: r.try_get("reporter_id")?,
        credit_consent: r.try_get("credit_consent")?,
        disclosure_plans: r.try_get("disclosure_plans")?,
        received_at: r.try_get("received_at")?,
        received_on: r.try_get("received_on")?,
        acknowledge_by: r.try_get("acknowledge_by")?,
        triage_by: r.try_get("triage_by")?,
        disclose_on: r.try_get("disclose_on")?,
        disclosure_agreed: r.try_get("disclosure_agreed")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
        triaged_at: r.try_get("triaged_at")?,
        fixed_at: r.try_get("fixed_at")?,
        closed_at: r.try_get("closed_at")?,
        finding_id: r.try_get("finding_id")?,
        coordinator_invited: r.try_get("coordinator_invited")?,
        outside_scope: r.try_get("outside_scope")?,
        reminded: r.try_get("reminded")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn attachment_from(r: &Row) -> Result<AttachmentInfo> {
    Ok(AttachmentInfo {
        id: r.try_get("id")?,
        report_id: r.try_get("report_id")?,
        filename: r.try_get("filename")?,
        kind: parse(&r.try_get::<String, _>("kind")?, "attachment kind")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: parse(&r.try_get::<String, _>("uploaded_by")?, "party")?,
        at: r.try_get("at")?,
    })
}

fn message_from(r: &Row) -> Result<ReportMessage> {
    Ok(ReportMessage {
        id: r.try_get("id")?,
        report_id: r.try_get("report_id")?,
        author: match r.try_get::<String, _>("author_kind")?.as_str() {
            SYSTEM => None,
            party => Some(parse(party, "party")?),
        },
        author_id: r.try_get("author_id")?,
        author_name: r.try_get("author_name")?,
        body: r.try_get("body")?,
        at: r.try_get("at")?,
    })
}

#[async_trait::async_trait]
impl<C: Connection> crate::ReportsTx for Transaction<C> {
    async fn insert_report(&mut self, r: &Report) -> Result<i64> {
        let row = query(
            "INSERT INTO reports (government_id, tracking_code, follow_hash, state, outcome, duplicate_of, target, host, \
             location, cwe, duplicate_key, title, description, steps, impact, cvss_vector, cvss_score, reporter_name, \
             reporter_email, reporter_id, credit_consent, disclosure_plans, received_at, received_on, acknowledge_by, \
             triage_by, disclose_on, disclosure_agreed, updated_at, outside_scope) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30) RETURNING id",
        )
        .bind(r.government_id)
        .bind(&r.tracking_code)
        .bind(&r.follow_hash)
        .bind(r.state.as_str())
        .bind(r.outcome.map(TriageOutcome::as_str))
        .bind(r.duplicate_of)
        .bind(&r.target)
        .bind(&r.host)
        .bind(&r.location)
        .bind(r.cwe)
        .bind(&r.duplicate_key)
        .bind(&r.title)
        .bind(&r.description)
        .bind(&r.steps)
        .bind(&r.impact)
        .bind(&r.cvss_vector)
        .bind(r.cvss_score)
        .bind(&r.reporter_name)
        .bind(&r.reporter_email)
        .bind(r.reporter_id)
        .bind(r.credit_consent)
        .bind(&r.disclosure_plans)
        .bind(r.received_at)
        .bind(r.received_on)
        .bind(r.acknowledge_by)
        .bind(r.triage_by)
        .bind(r.disclose_on)
        .bind(r.disclosure_agreed)
        .bind(r.updated_at)
        .bind(r.outside_scope)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get("id")?)
    }

    async fn update_report(&mut self, r: &Report) -> Result<()> {
        query(
            "UPDATE reports SET state = $2, outcome = $3, duplicate_of = $4, disclose_on = $5, disclosure_agreed = $6, \
             acknowledged_at = $7, triaged_at = $8, fixed_at = $9, closed_at = $10, finding_id = $11, \
             coordinator_invited = $12, reminded = $13, updated_at = $14 WHERE id = $1",
        )
        .bind(r.id)
        .bind(r.state.as_str())
        .bind(r.outcome.map(TriageOutcome::as_str))
        .bind(r.duplicate_of)
        .bind(r.disclose_on)
        .bind(r.disclosure_agreed)
        .bind(r.acknowledged_at)
        .bind(r.triaged_at)
        .bind(r.fixed_at)
        .bind(r.closed_at)
        .bind(r.finding_id)
        .bind(r.coordinator_invited)
        .bind(&r.reminded)
        .bind(r.updated_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn report(&mut self, id: i64) -> Result<Option<Report>> {
        let sql = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = $1");
        query(&sql)
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?
            .as_ref()
            .map(report_from)
            .transpose()
    }

    async fn claim_report_reminder(
        &mut self,
        id: i64,
        state: cyberveilig_domain::report::ReportState,
        was: &str,
        now: &str,
    ) -> Result<bool> {
        let done = query("UPDATE reports SET reminded = $4 WHERE id = $1 AND state = $2 AND reminded = $3")
            .bind(id)
            .bind(state.as_str())
            .bind(was)
            .bind(now)
            .execute(&mut self.conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn report_by_follow_hash(&mut self, hash: &str) -> Result<Option<Report>> {
        let sql = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE follow_hash = $1");
        query(&sql)
            .bind(hash)
            .fetch_optional(&mut self.conn)
            .await?
            .as_ref()
            .map(report_from)
            .transpose()
    }

    async fn report_by_finding(&mut self, finding_id: i64) -> Result<Option<Report>> {
        let sql = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE finding_id = $1 ORDER BY id LIMIT 1");
        query(&sql)
            .bind(finding_id)
            .fetch_optional(&mut self.conn)
            .await?
            .as_ref()
            .map(report_from)
            .transpose()
    }

    async fn reports(&mut self, f: &ReportFilter) -> Result<Vec<Report>> {
        let sql = format!("SELECT {REPORT_COLUMNS} FROM reports {} ORDER BY id DESC LIMIT $4", report_where(f));
        let rows = query(&sql)
            .bind(f.government_id)
            .bind(f.reporter_id)
            .bind(f.before_id)
            .bind(f.limit)
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter().map(report_from).collect()
    }

    async fn possible_duplicates(&mut self, government_id: i64, key: &str, except_id: i64) -> Result<Vec<Report>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM reports WHERE government_id = $1 AND duplicate_key = $2 AND id <> $3 ORDER BY id LIMIT 20"
        );
        let rows = query(&sql)
            .bind(government_id)
            .bind(key)
            .bind(except_id)
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter().map(report_from).collect()
    }

    async fn insert_report_message(&mut self, m: &ReportMessage) -> Result<i64> {
        let row = query(
            "INSERT INTO report_messages (report_id, author_kind, author_id, author_name, body, at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(m.report_id)
        .bind(m.author.map_or(SYSTEM, Party::as_str))
        .bind(m.author_id)
        .bind(&m.author_name)
        .bind(&m.body)
        .bind(m.at)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get("id")?)
    }

    async fn report_messages(&mut self, report_id: i64) -> Result<Vec<ReportMessage>> {
        let rows = query(
            "SELECT id, report_id, author_kind, author_id, author_name, body, at FROM report_messages \
             WHERE report_id = $1 ORDER BY id",
        )
        .bind(report_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(message_from).collect()
    }

    async fn insert_report_attachment(&mut self, a: &AttachmentInfo, content: &[u8]) -> Result<i64> {
        let row = query(
            "INSERT INTO report_attachments (report_id, filename, kind, size, sha256, content, uploaded_by, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(a.report_id)
        .bind(&a.filename)
        .bind(a.kind.as_str())
        .bind(a.size)
        .bind(&a.sha256)
        .bind(content.to_vec())
        .bind(a.uploaded_by.as_str())
        .bind(a.at)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get("id")?)
    }

    async fn report_attachments(&mut self, report_id: i64) -> Result<Vec<AttachmentInfo>> {
        let sql = format!("SELECT {ATTACHMENT_COLUMNS} FROM report_attachments WHERE report_id = $1 ORDER BY id");
        let rows = query(&sql).bind(report_id).fetch_all(&mut self.conn).await?;
        rows.iter().map(attachment_from).collect()
    }

    async fn report_attachment(&mut self, report_id: i64, id: i64) -> Result<Option<(AttachmentInfo, Vec<u8>)>> {
        let sql = format!("SELECT {ATTACHMENT_COLUMNS}, content FROM report_attachments WHERE report_id = $1 AND id = $2");
        match query(&sql).bind(report_id).bind(id).fetch_optional(&mut self.conn).await? {
            Some(row) => Ok(Some((attachment_from(&row)?, row.try_get("content")?))),
            None => Ok(None),
        }
    }

    async fn credits(&mut self, government_id: Option<i64>) -> Result<Vec<Credit>> {
        let rows = query(
            "SELECT r.reporter_name, r.government_id, o.name AS government_name, MIN(r.fixed_at) AS fixed_at \
             FROM reports r JOIN organisations o ON o.id = r.government_id \
             WHERE r.credit_consent = TRUE AND r.outcome = 'valid' AND r.reporter_name <> '' \
             AND r.state IN ('fixed', 'verified', 'disclosed') AND ($1 IS NULL OR r.government_id = $1) \
             GROUP BY r.reporter_name, r.government_id, o.name ORDER BY o.name, r.reporter_name",
        )
        .bind(government_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Credit {
                    name: r.try_get("reporter_name")?,
                    government_id: r.try_get("government_id")?,
                    government_name: r.try_get("government_name")?,
                    fixed_at: r.try_get("fixed_at")?,
                })
            })
            .collect()
    }
}
