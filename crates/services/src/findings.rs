//! Audit results (issue 4): a firm imports its scanner report for an order; the findings are
//! deduplicated within the report and against the government's register by their fingerprint,
//! and the import reconciles a rescan: new, still open, reopened, and fixed (what the same
//! tool reported for the same order before and no longer does).

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::work::{Who, Work};
use cyberveilig_domain::order::OrderState;
use cyberveilig_findings::{Finding, Limits, Merged, Severity};
use cyberveilig_store::records::{FindingFilter, Import, NewAsset, Order, StoredFinding};
use serde_json::json;

// Remediation steps and a finding's page live in `remediation`; re-exported for the callers
// that knew them here.
pub use crate::remediation::{FindingView, StatusChange};

/// Largest report the platform takes (the parser enforces it while reading).
pub const MAX_REPORT_BYTES: u64 = 256 * 1024 * 1024;

fn severity_rank(s: Severity) -> i64 {
    match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

fn parse_error(e: cyberveilig_findings::ImportError) -> ServiceError {
    ServiceError::invalid("report", e.message_en(), e.message_nl())
}

/// Reads the whole report off the async runtime: parsing is CPU work.
async fn parse(report: Vec<u8>) -> Result<(cyberveilig_findings::Report, Vec<Merged>)> {
    let parsed = tokio::task::spawn_blocking(move || {
        let limits = Limits {
            max_bytes: MAX_REPORT_BYTES,
            ..Limits::default()
        };
        let mut deduper = cyberveilig_findings::Deduper::new();
        let report = cyberveilig_findings::import_detected(&report[..], &limits, &mut |f: Finding| {
            deduper.push(f);
            Ok(())
        })?;
        Ok::<_, cyberveilig_findings::ImportError>((report, deduper.finish()))
    })
    .await
    .map_err(|e| ServiceError::Conflict(format!("the report could not be read: {e}")))?;
    parsed.map_err(parse_error)
}

impl Services {
    /// Imports a scanner report for an order: by the firm the order is placed with (once it
    /// accepted), or by an administrator. Nothing is written unless the whole report reads.
    pub async fn import_report(&self, actor: &Actor, order_id: i64, report: Vec<u8>) -> Result<Import> {
        let order = {
            let mut tx = self.store.read().await?;
            tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?
        };
        let allowed = can(actor, Permission::WorkOnOrder(&order)) || can(actor, Permission::SettleOrder(&order));
        if !allowed {
            return Err(if can(actor, Permission::ViewOrder(&order)) {
                ServiceError::Forbidden
            } else {
                ServiceError::NotFound("order")
            });
        }
        self.import_for(Who::Person(actor.clone()), order, report).await
    }

    /// The same for the operator on the server (`cyberveilig import`).
    pub async fn import_report_as_operator(&self, order_id: i64, report: Vec<u8>) -> Result<Import> {
        let order = {
            let mut tx = self.store.read().await?;
            tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?
        };
        self.import_for(Who::System, order, report).await
    }

    async fn import_for(&self, who: Who, order: Order, report: Vec<u8>) -> Result<Import> {
        if matches!(
            order.state,
            OrderState::AwaitingFramework
                | OrderState::Waitlisted
                | OrderState::AwaitingConfirmation
                | OrderState::Offered
                | OrderState::Cancelled
                | OrderState::Unplaceable
        ) {
            return Err(ServiceError::Conflict(format!(
                "order {} is {}: results are imported once a firm has accepted it",
                order.id,
                order.state.as_str()
            )));
        }
        let (report, merged) = parse(report).await?;
        let now = self.clock.now();
        let imported_by = match &who {
            Who::Person(a) => Some(a.person_id),
            Who::System => None,
        };
        let mut work = Work::begin(self.store.as_ref(), now, who).await?;
        let mut import = Import {
            order_id: order.id,
            government_id: order.government_id,
            format: report.format.name().to_owned(),
            tool_version: report.tool_version.clone(),
            findings_read: report.findings as i64,
            imported_by,
            at: now,
            ..Import::default()
        };
        import.id = work.tx.insert_import(&import).await?;
        // The hosts the report saw become (or complete) the government's assets.
        let mut asset_ids = std::collections::HashMap::new();
        for asset in &report.assets {
            let Some(key) = asset.host.key() else { continue };
            let id = work
                .tx
                .upsert_asset(&NewAsset {
                    government_id: order.government_id,
                    kind: "host".into(),
                    name: key.clone(),
                    hostname: asset.host.name.clone(),
                    ip: asset.host.ip.map(|ip| ip.to_string()),
                    os: asset.os.clone(),
                    at: now,
                })
                .await?;
            asset_ids.insert(key, id);
        }
        let tool = report.format.tool().name();
        for m in &merged {
            let f = &m.finding;
            let fingerprint = f.fingerprint.to_hex();
            match work.tx.finding_by_fingerprint(order.government_id, &fingerprint).await? {
                Some((id, status)) => {
                    let reopen = matches!(status.as_str(), "fixed" | "verified");
                    work.tx
                        .finding_seen_again(id, import.id, now, m.last_evidence.as_deref(), reopen)
                        .await?;
                    if reopen {
                        import.reopened += 1;
                    } else {
                        import.still_open += 1;
                    }
                }
                None => {
                    let asset_id = f.host.as_ref().and_then(|h| h.key()).and_then(|k| asset_ids.get(&k).copied());
                    work.tx
                        .insert_finding(&stored(f, &order, asset_id, &fingerprint, import.id, now))
                        .await?;
                    import.new += 1;
                }
            }
        }
        import.fixed = work.tx.fix_unreported(order.id, tool, import.id).await? as i64;
        // Every finding this import saw gets its decision and deadline from today's intelligence.
        let seen = work
            .tx
            .findings(&FindingFilter {
                order_id: Some(order.id),
                limit: i64::MAX,
                ..Default::default()
            })
            .await?;
        let seen: Vec<StoredFinding> = seen.into_iter().filter(|f| f.last_import_id == import.id).collect();
        crate::intel::prioritise(&mut work, &seen).await?;
        work.tx.update_import_counts(&import).await?;
        work.record(
            "order.results_imported",
            "order",
            order.id,
            json!({"import_id": import.id, "format": import.format, "findings": import.findings_read, "new": import.new,
                   "still_open": import.still_open, "reopened": import.reopened, "fixed": import.fixed}),
        )
        .await?;
        work.commit().await?;
        Ok(import)
    }

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

fn stored(
    f: &Finding,
    order: &Order,
    asset_id: Option<i64>,
    fingerprint: &str,
    import_id: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> StoredFinding {
    let join = |items: Vec<String>| items.join(",");
    StoredFinding {
        id: 0,
        government_id: order.government_id,
        order_id: order.id,
        asset_id,
        fingerprint: fingerprint.to_owned(),
        tool: f.tool.name().to_owned(),
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        description: f.description.clone(),
        severity: f.severity.name().to_owned(),
        severity_rank: severity_rank(f.severity),
        cvss_version: f.cvss.as_ref().and_then(|c| c.version).map(|v| v.name().to_owned()),
        cvss_vector: f.cvss.as_ref().and_then(|c| c.vector.clone()),
        cvss_score: f.cvss.as_ref().and_then(|c| c.score),
        cvss_computed: f.cvss.as_ref().is_some_and(|c| c.computed),
        cwe: join(f.cwe.iter().map(|c| format!("CWE-{c}")).collect()),
        cves: join(f.cves.clone()),
        port: f.port.map(i64::from),
        protocol: f.protocol.clone(),
        url: f.url.clone(),
        evidence: f.evidence.clone(),
        recommendation: f.recommendation.clone(),
        status: if f.suppressed { "false_positive".into() } else { "open".into() },
        decision: None,
        due_on: None,
        first_seen: at,
        last_seen: at,
        first_import_id: import_id,
        last_import_id: import_id,
    }
}
