//! A report in the form the Centre for Cybersecurity Belgium (CCB) asks for when a vulnerability
//! is reported to it under the legal reporting procedure (articles 22 and 23 of the Law of
//! 26 April 2024, before: articles 62/1 and 62/2 of the Law of 7 April 2019): who reports, which
//! organisation is responsible for which system, what the vulnerability is, how it was found and
//! reproduced, its impact, when, whether the organisation was told, and the disclosure plans.
//! Field by field in docs/RULES.md (R5).

use super::Access;
use crate::Services;
use crate::error::Result;
use serde_json::{Value, json};

impl Services {
    /// The report as JSON for the CCB; the reporter's own contact details only with their say.
    pub async fn ccb_export(&self, access: Access<'_>, id: i64) -> Result<Value> {
        let view = self.report(access, id).await?;
        let r = &view.report;
        let anonymous = r.reporter_name.is_empty() && r.reporter_email.is_none() && r.reporter_id.is_none();
        Ok(json!({
            "format": "cyberveilig-ccb-vulnerability-report/1",
            "reference": r.tracking_code,
            "reporter": {
                "anonymous": anonymous,
                "name_or_pseudonym": (!r.reporter_name.is_empty()).then(|| r.reporter_name.clone()),
                "email": r.reporter_email,
                "consents_to_credit": r.credit_consent,
            },
            "responsible_organisation": {
                "name": view.government.name,
                "nis_code": view.government.nis_code.as_ref().map(|n| n.to_string()),
                "kbo_number": view.government.kbo_number.as_ref().map(|k| k.to_string()),
                "informed_on": r.received_on,
                "acknowledged_at": r.acknowledged_at,
            },
            "system": {
                "address": r.target,
                "host": r.host,
                "location": r.location,
            },
            "vulnerability": {
                "title": r.title,
                "type": format!("CWE-{}", r.cwe),
                "description": r.description,
                "steps_to_reproduce": r.steps,
                "impact": r.impact,
                "cvss_vector": r.cvss_vector,
                "cvss_base_score": r.cvss_score,
            },
            "dates": {
                "reported_at": r.received_at,
                "acknowledge_by": r.acknowledge_by,
                "triage_by": r.triage_by,
                "coordinated_disclosure_on": r.disclose_on,
                "disclosure_date_agreed": r.disclosure_agreed,
                "fixed_at": r.fixed_at,
            },
            "handling": {
                "state": r.state,
                "triage_outcome": r.outcome,
                "coordinator": if r.coordinator_invited { Some("VVSG") } else { None },
                "attachments": view.attachments.iter().map(|a| json!({"name": a.filename, "type": a.kind.as_str(), "size": a.size, "sha256": a.sha256})).collect::<Vec<_>>(),
            },
            "disclosure_plans": r.disclosure_plans,
        }))
    }
}
