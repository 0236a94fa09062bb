//! What a finished scan writes: the system's latest verdicts, the government's register (BL-2)
//! and its scores (BL-3), in the scan's one transaction.

use crate::error::{Result, ServiceError};
use crate::intel::Priorities;
use crate::work::Work;
use cyberveilig_baseline::{Lang, Outcome, Report, Verdict};
use cyberveilig_domain::baseline::{CheckVerdict, ExplanationState, RegisterEffect, Score, register_effect};
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::severity::Severity;
use cyberveilig_domain::source::FindingTool;
use cyberveilig_domain::ssvc::RemediationTerms;
use cyberveilig_store::records::{
    BaselineScan, BaselineSighting, CheckResult, Explanation, KnownFinding, ScorePoint, StoredFinding, VerdictCounts,
};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// What a scan did to the register.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegisterChanges {
    pub new: i64,
    pub still_open: i64,
    pub reopened: i64,
    pub fixed: i64,
}

/// A baseline finding's fingerprint: the check and the subject, never the evidence (which changes
/// from scan to scan), so a check failing week after week is one finding.
pub fn fingerprint(check: &str, subject: &str) -> String {
    let tool = FindingTool::Baseline;
    hex::encode(Sha256::digest(format!("{tool}|{check}|{subject}").as_bytes()))
}

fn verdict(v: Verdict) -> CheckVerdict {
    match v {
        Verdict::Pass => CheckVerdict::Pass,
        Verdict::Warning => CheckVerdict::Warning,
        Verdict::Fail => CheckVerdict::Fail,
        Verdict::NotApplicable => CheckVerdict::NotApplicable,
        Verdict::Unknown => CheckVerdict::Unknown,
    }
}

fn evidence_text(o: &Outcome) -> String {
    o.evidence
        .iter()
        .map(|e| format!("{}: {}", e.key, e.value))
        .collect::<Vec<_>>()
        .join("\n")
}

fn accepted(explanations: &[Explanation]) -> HashSet<(&str, &str)> {
    explanations
        .iter()
        .filter(|e| e.state == ExplanationState::Accepted)
        .map(|e| (e.check.as_str(), e.subject.as_str()))
        .collect()
}

/// The score per category (`all` first) of a government's latest verdicts, leaving out what an
/// accepted explanation covers.
pub fn scores_of(results: &[CheckResult], explanations: &[Explanation]) -> Vec<(String, Score)> {
    let explained = accepted(explanations);
    let mut scores: Vec<(String, Score)> = super::score_categories().map(|c| (c.to_string(), Score::default())).collect();
    for r in results {
        let is_explained = explained.contains(&(r.check.as_str(), r.subject.as_str()));
        if let Some((_, s)) = scores.iter_mut().find(|(c, _)| *c == r.category) {
            s.add(r.verdict, is_explained);
        }
        scores[0].1.add(r.verdict, is_explained);
    }
    scores
}

/// Records the government's scores as they stand now, in its history.
pub async fn rescore(work: &mut Work, government_id: i64) -> Result<()> {
    let results = work.tx.check_results(government_id, super::RESULTS_SHOWN).await?;
    let explanations = work.tx.explanations(Some(government_id), None, super::RESULTS_SHOWN).await?;
    let points: Vec<ScorePoint> = scores_of(&results, &explanations)
        .into_iter()
        .map(|(category, score)| ScorePoint {
            government_id,
            at: work.now,
            category,
            score,
        })
        .collect();
    work.tx.record_scores(&points).await?;
    Ok(())
}

/// Writes a claimed scan's report: the verdicts, the findings, the scan's counts and the scores.
/// `Ok(None)` when the claim was lost to another server meanwhile (nothing is written).
pub async fn record_scan(
    work: &mut Work,
    scan: &BaselineScan,
    holder: &str,
    report: &Report,
) -> Result<Option<(VerdictCounts, RegisterChanges)>> {
    let government_id = scan.government_id;
    let explanations = work.tx.explanations(Some(government_id), None, super::RESULTS_SHOWN).await?;
    let explained = accepted(&explanations);
    let mut counts = VerdictCounts::default();
    let mut changes = RegisterChanges::default();
    let mut results: Vec<CheckResult> = Vec::with_capacity(report.outcomes.len());
    let mut seen: HashSet<String> = HashSet::new();
    let mut priorities = Priorities::new(RemediationTerms::default());
    // The register's findings for this report's checks, in one query.
    let mut fingerprints: Vec<String> = report
        .outcomes
        .iter()
        .map(|o| fingerprint(o.check.code(), &o.subject.to_string()))
        .collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    let known: HashMap<String, KnownFinding> = work
        .tx
        .known_findings(government_id, &fingerprints)
        .await?
        .into_iter()
        .map(|k| (k.fingerprint.clone(), k))
        .collect();
    for o in &report.outcomes {
        let subject = o.subject.to_string();
        // One verdict per check and subject: the first the scanner gave.
        if !seen.insert(o.key()) {
            continue;
        }
        let v = verdict(o.verdict);
        match v {
            CheckVerdict::Pass => counts.passed += 1,
            CheckVerdict::Warning => counts.warnings += 1,
            CheckVerdict::Fail => counts.failed += 1,
            CheckVerdict::Unknown => counts.unknown += 1,
            CheckVerdict::NotApplicable => {}
        }
        let evidence = serde_json::to_string(&o.evidence)
            .map_err(|e| ServiceError::internal("baseline_evidence", format!("the evidence does not serialise: {e}")))?;
        results.push(CheckResult {
            asset_id: scan.asset_id,
            government_id,
            check: o.check.code().to_string(),
            category: o.check.category().code().to_string(),
            subject: subject.clone(),
            verdict: v,
            reason: o.reason.code.code().to_string(),
            message_nl: o.reason.message(Lang::Nl),
            message_en: o.reason.message(Lang::En),
            evidence,
            scan_id: scan.id,
            seen_at: work.now,
        });
        let is_explained = explained.contains(&(o.check.code(), subject.as_str()));
        let fingerprint = fingerprint(o.check.code(), &subject);
        match register_effect(v, is_explained) {
            RegisterEffect::Leave => {}
            RegisterEffect::Fix => {
                if let Some(known) = known.get(&fingerprint)
                    && known.status.is_open()
                {
                    work.tx
                        .set_finding_status(known.id, FindingStatus::Fixed, Some("De basisscan vond dit in orde."), None)
                        .await?;
                    changes.fixed += 1;
                }
            }
            RegisterEffect::Open => {
                let mut finding = finding_of(o, scan, &subject, fingerprint, work.now);
                match known.get(&finding.fingerprint) {
                    Some(known) => {
                        let reopen = matches!(known.status, FindingStatus::Fixed | FindingStatus::Verified);
                        finding.id = known.id;
                        finding.first_seen = known.first_seen;
                        let (decision, due_on) = priorities.of(work.tx.as_mut(), &finding).await?;
                        work.tx
                            .baseline_sighting(&BaselineSighting {
                                finding_id: known.id,
                                at: work.now,
                                evidence: finding.evidence.clone().unwrap_or_default(),
                                reopen,
                                severity: finding.severity,
                                decision,
                                due_on,
                            })
                            .await?;
                        if reopen {
                            changes.reopened += 1;
                        } else {
                            changes.still_open += 1;
                        }
                    }
                    None => {
                        let (decision, due_on) = priorities.of(work.tx.as_mut(), &finding).await?;
                        finding.decision = Some(decision);
                        finding.due_on = Some(due_on);
                        work.tx.insert_finding(&finding).await?;
                        changes.new += 1;
                    }
                }
            }
        }
    }
    if !work.tx.finish_baseline_scan(scan.id, holder, counts, report.at, work.now).await? {
        return Ok(None);
    }
    work.tx.replace_check_results(scan.asset_id, &results).await?;
    rescore(work, government_id).await?;
    Ok(Some((counts, changes)))
}

fn finding_of(o: &Outcome, scan: &BaselineScan, subject: &str, fingerprint: String, at: chrono::DateTime<chrono::Utc>) -> StoredFinding {
    let severity = match o.severity() {
        Some(cyberveilig_baseline::Severity::Critical) => Severity::Critical,
        Some(cyberveilig_baseline::Severity::High) => Severity::High,
        Some(cyberveilig_baseline::Severity::Medium) => Severity::Medium,
        _ => Severity::Low,
    };
    let evidence = evidence_text(o);
    StoredFinding {
        id: 0,
        government_id: scan.government_id,
        order_id: None,
        asset_id: Some(scan.asset_id),
        fingerprint,
        tool: FindingTool::Baseline,
        rule_id: o.check.code().into(),
        title: format!("{} ({subject})", o.check.title(Lang::Nl)),
        description: Some(format!("{}\n\n{}", o.reason.message(Lang::Nl), o.reason.message(Lang::En))),
        severity,
        cvss_version: None,
        cvss_vector: None,
        cvss_score: None,
        cvss_computed: false,
        cwe: String::new(),
        cves: String::new(),
        port: o.subject.port.map(i64::from),
        protocol: o.subject.port.map(|_| "tcp".to_string()),
        url: None,
        evidence: (!evidence.is_empty()).then_some(evidence),
        recommendation: None,
        status: FindingStatus::Open,
        decision: None,
        due_on: None,
        first_seen: at,
        last_seen: at,
        first_import_id: None,
        last_import_id: None,
    }
}
