//! Audit results (issue 4): the findings register, in priority order. Reports come in through
//! `import`; remediation steps and a finding's page live in `remediation`.

use crate::Services;
use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use crate::intel::Priorities;
use crate::work::Work;
use chrono::NaiveDate;
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::severity::Severity;
use cyberveilig_domain::source::{FindingTool, ImportFormat};
use cyberveilig_domain::ssvc::Decision;
use cyberveilig_store::records::{FindingFilter, Import, Order, OrderFilter, StoredFinding};
use sha2::{Digest, Sha256};

// Re-exported for the callers that knew them here.
pub use crate::remediation::{FindingView, StatusChange};

impl Services {
    /// Findings in priority order, scoped: a government its own, a firm those of its orders, the
    /// administrator all.
    pub async fn findings(&self, actor: &Actor, mut filter: FindingFilter) -> Result<Vec<StoredFinding>> {
        use cyberveilig_domain::registry::Role;
        match actor.role {
            Role::ProgrammeAdmin => {}
            Role::GovernmentMember => filter.government_id = Some(actor.organisation_id),
            Role::FirmMember => filter.firm_id = Some(actor.organisation_id),
            Role::AssociationMember | Role::Researcher => return Err(ServiceError::Forbidden),
        }
        let mut tx = self.store.read().await?;
        Ok(tx.findings(&filter).await?)
    }
}

/// A finding registered by hand, outside a scanner's report.
#[derive(Debug, Clone)]
pub struct Registered {
    pub finding_id: i64,
    pub order: Order,
    pub decision: Decision,
    pub due_on: NaiveDate,
}

/// Registers one finding that did not come from a scanner (a valid report, an exercise's
/// follow-up action) in the government's register: under its latest audit order that takes
/// results (a finding belongs to an order; its firm re-tests the fix), as an import of one by
/// `format`, prioritised and given a deadline like every finding.
pub(crate) async fn register(work: &mut Work, actor: &Actor, format: ImportFormat, mut finding: StoredFinding) -> Result<Registered> {
    let orders = work
        .tx
        .orders(&OrderFilter {
            government_id: Some(finding.government_id),
            newest_first: true,
            limit: 100,
            ..OrderFilter::default()
        })
        .await?;
    let Some(order) = orders.into_iter().find(|o| o.state.takes_results()) else {
        return Err(ServiceError::invalid(
            "finding",
            "the government has no audit order accepted by a firm to keep a findings register under; handle it on its own",
            "het bestuur heeft geen door een firma aanvaarde auditbestelling om een register van bevindingen onder te houden; behandel het op zich",
        ));
    };
    let terms = work
        .tx
        .programme(order.programme_id)
        .await?
        .ok_or(ServiceError::NotFound("programme"))?
        .settings
        .remediation_terms;
    let mut import = Import {
        id: 0,
        order_id: order.id,
        government_id: finding.government_id,
        format,
        tool_version: None,
        findings_read: 1,
        new: 1,
        still_open: 0,
        reopened: 0,
        fixed: 0,
        informational: 0,
        imported_by: Some(actor.person_id),
        at: work.now,
    };
    import.id = work.tx.insert_import(&import).await?;
    work.tx.finish_import(&import).await?;
    finding.order_id = Some(order.id);
    finding.first_import_id = Some(import.id);
    finding.last_import_id = Some(import.id);
    let (decision, due_on) = Priorities::new(terms).of(work.tx.as_mut(), &finding).await?;
    finding.decision = Some(decision);
    finding.due_on = Some(due_on);
    let finding_id = work.tx.insert_finding(&finding).await?;
    Ok(Registered {
        finding_id,
        order,
        decision,
        due_on,
    })
}

/// A finding a government writes down itself (an exercise's follow-up action).
#[derive(Debug, Clone)]
pub struct ManualFinding {
    pub government_id: i64,
    pub rule_id: String,
    pub title: String,
    pub description: String,
    /// What makes it the same finding again (its fingerprint is a hash of it).
    pub fingerprint_seed: String,
}

/// Registers a finding a government wrote down itself, of medium severity; its id.
pub(crate) async fn register_manual_finding(work: &mut Work, actor: &Actor, m: ManualFinding) -> Result<i64> {
    let now = work.now;
    let finding = StoredFinding {
        id: 0,
        government_id: m.government_id,
        order_id: None,
        asset_id: None,
        fingerprint: hex::encode(Sha256::digest(m.fingerprint_seed.as_bytes())),
        tool: FindingTool::Exercise,
        rule_id: m.rule_id,
        title: m.title,
        description: Some(m.description),
        severity: Severity::Medium,
        cvss_version: None,
        cvss_vector: None,
        cvss_score: None,
        cvss_computed: false,
        cwe: String::new(),
        cves: String::new(),
        port: None,
        protocol: None,
        url: None,
        evidence: None,
        recommendation: None,
        status: FindingStatus::Open,
        decision: None,
        due_on: None,
        first_seen: now,
        last_seen: now,
        first_import_id: None,
        last_import_id: None,
    };
    Ok(register(work, actor, ImportFormat::Exercise, finding).await?.finding_id)
}
