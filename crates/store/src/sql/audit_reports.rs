//! Audit reports: the PDF a firm uploads on a basic audit, kept in the database with every
//! earlier upload.

pub(crate) const AUDIT_REPORT_COLUMNS: &str = "id, order_id, filename, size, sha256, pdf_version, uploaded_by, at";

use super::prelude::*;

fn audit_report_from(r: &Row) -> Result<AuditReport> {
    Ok(AuditReport {
        id: r.try_get("id")?,
        order_id: r.try_get("order_id")?,
        filename: r.try_get("filename")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        pdf_version: r.try_get("pdf_version")?,
        uploaded_by: r.try_get("uploaded_by")?,
        at: r.try_get("at")?,
    })
}

#[async_trait::async_trait]
impl<C: Connection> crate::AuditReportsTx for Transaction<C> {
    async fn insert_audit_report(&mut self, a: &AuditReport, content: &[u8]) -> Result<i64> {
        let row = query(
            "INSERT INTO audit_reports (order_id, filename, size, sha256, pdf_version, content, uploaded_by, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(a.order_id)
        .bind(&a.filename)
        .bind(a.size)
        .bind(&a.sha256)
        .bind(&a.pdf_version)
        .bind(content.to_vec())
        .bind(a.uploaded_by)
        .bind(a.at)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get("id")?)
    }

    async fn audit_reports(&mut self, order_id: i64) -> Result<Vec<AuditReport>> {
        let sql = format!("SELECT {AUDIT_REPORT_COLUMNS} FROM audit_reports WHERE order_id = $1 ORDER BY id DESC");
        let rows = query(&sql).bind(order_id).fetch_all(&mut self.conn).await?;
        rows.iter().map(audit_report_from).collect()
    }

    async fn audit_report(&mut self, order_id: i64, id: i64) -> Result<Option<(AuditReport, Vec<u8>)>> {
        let sql = format!("SELECT {AUDIT_REPORT_COLUMNS}, content FROM audit_reports WHERE order_id = $1 AND id = $2");
        match query(&sql).bind(order_id).bind(id).fetch_optional(&mut self.conn).await? {
            Some(row) => Ok(Some((audit_report_from(&row)?, row.try_get("content")?))),
            None => Ok(None),
        }
    }
}
