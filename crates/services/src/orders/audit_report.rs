//! The audit report of an order (D11; issue 11): a PDF the firm uploads on the order, taken
//! on its content (`domain::document::check_pdf`), kept in the database with every earlier
//! upload, and downloaded by the government, the firm and the administrator only. A basic audit
//! is delivered only once one is attached.

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::reports::attachments::clean_filename;
use crate::work::{Who, Work};
use cyberveilig_domain::document::check_pdf;
use cyberveilig_store::Tx;
use cyberveilig_store::records::{AuditReport, Order};
use serde_json::json;
use sha2::{Digest, Sha256};

/// An order's audit reports as one person sees them.
#[derive(Debug, Clone)]
pub struct AuditReports {
    /// Newest first; the first is the order's report.
    pub reports: Vec<AuditReport>,
    /// Whether the person may upload one now.
    pub may_upload: bool,
}

/// What delivering a basic audit needs, as it stands (D11).
#[derive(Debug, Clone)]
pub struct DeliveryFacts {
    /// The controls of the baseline catalogue.
    pub controls: u32,
    /// Those of them the order's assessment has not rated yet.
    pub unrated: u32,
    /// The audit reports attached, newest first.
    pub reports: Vec<AuditReport>,
}

/// The facts behind `document::check_delivery`, read in a transaction.
pub(crate) async fn delivery_facts_in(tx: &mut dyn Tx, order: &Order) -> Result<DeliveryFacts> {
    let baseline = tx
        .catalogue_by_urn(cyberveilig_catalogues::BASELINE_URN)
        .await?
        .ok_or(ServiceError::NotFound("catalogue"))?;
    let controls = tx.controls(baseline.id).await?.len() as u32;
    let assessment = tx
        .assessments_of_order(order.id)
        .await?
        .into_iter()
        .find(|a| a.catalogue_id == baseline.id);
    let rated = match assessment {
        Some(a) => tx.ratings(a.id).await?.len() as u32,
        None => 0,
    };
    Ok(DeliveryFacts {
        controls,
        unrated: controls.saturating_sub(rated),
        reports: tx.audit_reports(order.id).await?,
    })
}

fn may_upload(actor: &Actor, order: &Order) -> bool {
    can(actor, Permission::RecordResults(order)) && order.state.takes_results()
}

/// A file name that ends in `.pdf`, made of safe characters only.
pub(crate) fn pdf_name(filename: &str) -> String {
    let name = clean_filename(filename);
    if name.to_ascii_lowercase().ends_with(".pdf") {
        name
    } else {
        format!("{name}.pdf")
    }
}

impl Services {
    /// The firm of the order (or an administrator) attaches the audit report: a PDF, checked by
    /// its content and size. Each upload is kept; the newest is the order's report.
    pub async fn upload_audit_report(&self, actor: &Actor, order_id: i64, filename: &str, content: &[u8]) -> Result<AuditReport> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let order = work.tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?;
        // Who may upload first: a stranger learns nothing from the file's check.
        if !can(actor, Permission::ViewOrder(&order)) {
            return Err(ServiceError::NotFound("order"));
        }
        if !can(actor, Permission::RecordResults(&order)) {
            return Err(ServiceError::Forbidden);
        }
        if !order.state.takes_results() {
            return Err(ServiceError::invalid(
                "report",
                format!(
                    "Order {} is {}: the audit report is attached once a firm has accepted it.",
                    order.id,
                    order.state.label(false)
                ),
                format!(
                    "Bestelling {} is {}: het auditrapport wordt opgeladen zodra een auditbureau ze aanvaard heeft.",
                    order.id,
                    order.state.label(true)
                ),
            ));
        }
        let info = check_pdf(content).map_err(|p| ServiceError::invalid("report", p.message(false), p.message(true)))?;
        let mut report = AuditReport {
            id: 0,
            order_id: order.id,
            filename: pdf_name(filename),
            size: content.len() as i64,
            sha256: hex::encode(Sha256::digest(content)),
            pdf_version: info.version,
            uploaded_by: actor.person_id,
            at: work.now,
        };
        report.id = work.tx.insert_audit_report(&report, content).await?;
        work.record(
            Action::OrderAuditReportUploaded,
            "order",
            order.id,
            json!({ "report_id": report.id, "filename": report.filename, "size": report.size, "sha256": report.sha256,
                    "firm_id": order.firm_id }),
        )
        .await?;
        work.commit().await?;
        Ok(report)
    }

    /// The order's audit reports, newest first, for the government, the firm and the
    /// administrator.
    pub async fn audit_reports(&self, actor: &Actor, order_id: i64) -> Result<AuditReports> {
        let mut tx = self.store.read().await?;
        let order = tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?;
        if !can(actor, Permission::ViewOrder(&order)) {
            return Err(ServiceError::NotFound("order"));
        }
        Ok(AuditReports {
            reports: tx.audit_reports(order.id).await?,
            may_upload: may_upload(actor, &order),
        })
    }

    /// What delivering the order needs, as it stands: its assessment's unrated controls and its
    /// audit reports (for the page that shows the firm what is missing).
    pub async fn delivery_facts(&self, actor: &Actor, order_id: i64) -> Result<DeliveryFacts> {
        let mut tx = self.store.read().await?;
        let order = tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?;
        if !can(actor, Permission::ViewOrder(&order)) {
            return Err(ServiceError::NotFound("order"));
        }
        delivery_facts_in(tx.as_mut(), &order).await
    }

    /// One audit report with its content, for the government, the firm and the administrator.
    pub async fn audit_report_file(&self, actor: &Actor, order_id: i64, report_id: i64) -> Result<(AuditReport, Vec<u8>)> {
        let mut tx = self.store.read().await?;
        let order = tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?;
        if !can(actor, Permission::ViewOrder(&order)) {
            return Err(ServiceError::NotFound("order"));
        }
        tx.audit_report(order.id, report_id)
            .await?
            .ok_or(ServiceError::NotFound("audit report"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reports_name_is_safe_and_ends_in_pdf() {
        assert_eq!(pdf_name("Auditrapport Gent.pdf"), "Auditrapport_Gent.pdf");
        assert_eq!(pdf_name("../../etc/passwd"), "passwd.pdf");
        assert_eq!(pdf_name("RAPPORT.PDF"), "RAPPORT.PDF");
    }
}
