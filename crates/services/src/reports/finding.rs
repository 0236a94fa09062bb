//! A valid report becomes a finding in the government's register, prioritised like any other.

use super::*;

impl Services {
    /// A valid report becomes a finding in the government's register, under its latest audit
    /// order (a finding belongs to an order; its firm re-tests the fix), with tool `report`, the
    /// severity of its CVSS vector (medium without one) and a deadline by priority as for every
    /// finding. The report is then in remediation and follows the finding.
    pub async fn make_finding(&self, actor: &Actor, id: i64) -> Result<ReportView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let (mut report, party) = open(work.tx.as_mut(), Access::Person(actor), id).await?;
        if !matches!(party, Party::Government | Party::Administrator) {
            return Err(ServiceError::Forbidden);
        }
        let state = report.state;
        if report.outcome != Some(TriageOutcome::Valid)
            || report.finding_id.is_some()
            || !matches!(state, ReportState::Triaged | ReportState::InRemediation)
        {
            return Err(ServiceError::conflict(
                "not_a_valid_report",
                "only a report triaged valid, without a finding yet, becomes a finding",
                "enkel een geldig beoordeelde melding zonder bevinding wordt een bevinding",
            ));
        }
        let now = work.now;
        let severity = report.cvss_score.map_or(Severity::Medium, Severity::from_cvss_score);
        let asset_id = work
            .tx
            .assets(report.government_id)
            .await?
            .into_iter()
            .find(|a| {
                a.name.eq_ignore_ascii_case(&report.host)
                    || a.hostname.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(&report.host))
                    || a.ip.as_deref() == Some(report.host.as_str())
            })
            .map(|a| a.id);
        let finding = StoredFinding {
            id: 0,
            government_id: report.government_id,
            order_id: None,
            asset_id,
            fingerprint: hex::encode(Sha256::digest(format!("report|{}", report.tracking_code).as_bytes())),
            tool: FindingTool::Report,
            rule_id: format!("CWE-{}", report.cwe),
            title: report.title.clone(),
            description: Some(report.description.clone()),
            severity,
            cvss_version: report.cvss_vector.as_deref().map(|v| {
                if v.starts_with("CVSS:4.0") {
                    "4.0".to_owned()
                } else if v.starts_with("CVSS:3.1") {
                    "3.1".to_owned()
                } else if v.starts_with("CVSS:3.0") {
                    "3.0".to_owned()
                } else {
                    "2.0".to_owned()
                }
            }),
            cvss_vector: report.cvss_vector.clone(),
            cvss_score: report.cvss_score,
            cvss_computed: report.cvss_score.is_some(),
            cwe: format!("CWE-{}", report.cwe),
            cves: String::new(),
            port: None,
            protocol: None,
            url: report.target.contains("://").then(|| report.target.clone()),
            evidence: Some(format!("{}\n\n{}", report.steps, report.impact)),
            recommendation: None,
            status: FindingStatus::Open,
            decision: None,
            due_on: None,
            first_seen: now,
            last_seen: now,
            first_import_id: None,
            last_import_id: None,
        };
        let registered = crate::findings::register(&mut work, actor, ImportFormat::Report, finding).await?;
        let (finding_id, order, decision, due_on) = (registered.finding_id, registered.order, registered.decision, registered.due_on);
        report.finding_id = Some(finding_id);
        report.state = ReportState::InRemediation;
        report.updated_at = now;
        work.tx.update_report(&report).await?;
        work.record(
            Action::ReportFindingMade,
            "report",
            report.id,
            json!({"finding_id": finding_id, "order_id": order.id, "decision": decision.as_str(), "due_on": due_on}),
        )
        .await?;
        work.record(
            Action::FindingFromReport,
            "finding",
            finding_id,
            json!({"report_id": report.id, "tracking_code": report.tracking_code}),
        )
        .await?;
        if state != ReportState::InRemediation {
            self.add_system_message(&mut work, &report, ReportState::InRemediation, "", party, Access::Person(actor))
                .await?;
            self.state_notice(&mut work, &report, ReportState::InRemediation, true, Some(actor.person_id))
                .await?;
        }
        let view = self.view_of(work.tx.as_mut(), report, party).await?;
        work.commit().await?;
        Ok(view)
    }
}
