//! Threat intelligence and priority (issue 4, item 7): CISA's KEV catalogue (its JSON file)
//! and FIRST's EPSS scores (its CSV), loaded from files an administrator provides, and each
//! open finding's SSVC decision and remediation deadline computed from them.

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::clock::brussels_date;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::work::{Who, Work};
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::severity::Severity;
use cyberveilig_domain::ssvc::{Decision, DecisionPoints, Exploitation, MissionWellbeing, RemediationTerms, TechnicalImpact, decide};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{EpssEntry, FindingFilter, KevEntry, StoredFinding};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// An EPSS probability from which a CVE counts as having a public proof of concept. EPSS
/// estimates exploitation in the next 30 days; at 10 % and above, exploit code is almost
/// always public. A proxy, documented as such.
pub const EPSS_POC_THRESHOLD: f64 = 0.1;

#[derive(Deserialize)]
struct KevFile {
    vulnerabilities: Vec<KevItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KevItem {
    #[serde(rename = "cveID")]
    cve_id: String,
    date_added: Option<String>,
    known_ransomware_campaign_use: Option<String>,
}

fn invalid(en: String, nl: String) -> ServiceError {
    ServiceError::invalid("file", en, nl)
}

fn is_cve(text: &str) -> bool {
    let mut parts = text.splitn(3, '-');
    matches!((parts.next(), parts.next(), parts.next()), (Some("CVE"), Some(y), Some(n))
        if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) && n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads CISA's `known_exploited_vulnerabilities.json`.
pub fn parse_kev(bytes: &[u8]) -> Result<Vec<KevEntry>> {
    let file: KevFile = serde_json::from_slice(bytes).map_err(|e| {
        invalid(
            format!("not CISA's KEV catalogue (JSON): {e}"),
            format!("geen KEV-catalogus van CISA (JSON): {e}"),
        )
    })?;
    file.vulnerabilities
        .into_iter()
        .map(|v| {
            let cve = v.cve_id.trim().to_ascii_uppercase();
            if !is_cve(&cve) {
                return Err(invalid(format!("'{cve}' is not a CVE id"), format!("'{cve}' is geen CVE-nummer")));
            }
            Ok(KevEntry {
                cve,
                added_on: v.date_added.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                ransomware: v.known_ransomware_campaign_use,
            })
        })
        .collect()
}

/// Reads FIRST's EPSS CSV (`#model_version:...` comment line, then `cve,epss,percentile`).
pub fn parse_epss(bytes: &[u8]) -> Result<Vec<EpssEntry>> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        invalid(
            "the EPSS file is not UTF-8 text".into(),
            "het EPSS-bestand is geen UTF-8-tekst".into(),
        )
    })?;
    let body: String = text.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| invalid(format!("EPSS CSV: {e}"), format!("EPSS-CSV: {e}")))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(c), Some(s), Some(p)) = (column("cve"), column("epss"), column("percentile")) else {
        return Err(invalid(
            "EPSS CSV needs the columns cve, epss, percentile".into(),
            "EPSS-CSV heeft de kolommen cve, epss, percentile nodig".into(),
        ));
    };
    let mut out = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            invalid(
                format!("EPSS CSV line {}: {e}", line + 2),
                format!("EPSS-CSV regel {}: {e}", line + 2),
            )
        })?;
        let cve = record.get(c).unwrap_or("").trim().to_ascii_uppercase();
        let number = |i: usize| {
            record
                .get(i)
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| (0.0..=1.0).contains(v))
        };
        match (is_cve(&cve), number(s), number(p)) {
            (true, Some(score), Some(percentile)) => out.push(EpssEntry { cve, score, percentile }),
            _ => {
                return Err(invalid(
                    format!("EPSS CSV line {}: expected a CVE id and two numbers between 0 and 1", line + 2),
                    format!(
                        "EPSS-CSV regel {}: verwacht een CVE-nummer en twee getallen tussen 0 en 1",
                        line + 2
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// The metrics of a CVSS vector, such as `AV` -> `N`.
fn metrics(vector: &str) -> HashMap<&str, &str> {
    vector.split('/').filter_map(|m| m.split_once(':')).collect()
}

/// SSVC's decision points of a finding; exploitation is active for a CVE in KEV (I4-9).
/// Automatable: reachable over the network without user interaction (CVSS AV:N and UI:N), or,
/// without a vector, an exposed network service. Total technical impact: confidentiality and
/// integrity both high (C/I or VC/VI), or, without a vector, a critical severity. Mission and
/// well-being: the asset's criticality.
pub fn decision_points(f: &StoredFinding, in_kev: bool, epss: Option<f64>, criticality: MissionWellbeing) -> DecisionPoints {
    let m = f.cvss_vector.as_deref().map(metrics).unwrap_or_default();
    let automatable = if m.is_empty() {
        f.port.is_some() || f.url.is_some()
    } else {
        m.get("AV") == Some(&"N") && matches!(m.get("UI"), Some(&"N"))
    };
    let total = if m.is_empty() {
        f.severity == Severity::Critical
    } else {
        let high = |a: &str, b: &str| m.get(a).or(m.get(b)) == Some(&"H");
        high("C", "VC") && high("I", "VI")
    };
    DecisionPoints {
        exploitation: if in_kev {
            Exploitation::Active
        } else if epss.is_some_and(|e| e >= EPSS_POC_THRESHOLD) {
            Exploitation::PublicPoc
        } else {
            Exploitation::None
        },
        automatable,
        technical_impact: if total { TechnicalImpact::Total } else { TechnicalImpact::Partial },
        mission_wellbeing: criticality,
    }
}

/// Computes findings' decisions and deadlines inside one transaction, remembering what it
/// looked up (a CVE's threat, a government's asset criticalities) so each is read once.
pub(crate) struct Priorities {
    terms: RemediationTerms,
    threats: HashMap<String, (bool, Option<f64>)>,
    criticality: HashMap<i64, HashMap<i64, MissionWellbeing>>,
}

impl Priorities {
    pub(crate) fn new(terms: RemediationTerms) -> Priorities {
        Priorities {
            terms,
            threats: HashMap::new(),
            criticality: HashMap::new(),
        }
    }

    /// The SSVC decision of a finding and the date it is due (counted from when it was first seen).
    pub(crate) async fn of(&mut self, tx: &mut dyn Tx, f: &StoredFinding) -> Result<(Decision, chrono::NaiveDate)> {
        if let std::collections::hash_map::Entry::Vacant(entry) = self.criticality.entry(f.government_id) {
            let assets = tx.assets(f.government_id).await?;
            entry.insert(assets.into_iter().map(|a| (a.id, a.criticality)).collect());
        }
        let mut in_kev = false;
        let mut epss: Option<f64> = None;
        for cve in f.cves.split(',').filter(|c| !c.is_empty()) {
            let (kev, score) = match self.threats.get(cve) {
                Some(known) => *known,
                None => {
                    let found = tx.threat_of(cve).await?;
                    self.threats.insert(cve.to_owned(), found);
                    found
                }
            };
            in_kev |= kev;
            epss = match (epss, score) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        let level = f
            .asset_id
            .and_then(|a| self.criticality.get(&f.government_id).and_then(|m| m.get(&a)))
            .copied()
            .unwrap_or(MissionWellbeing::Medium);
        let decision = decide(decision_points(f, in_kev, epss, level));
        let due_on = brussels_date(f.first_seen) + chrono::Days::new(u64::from(self.terms.days(decision)));
        Ok((decision, due_on))
    }
}

/// Gives findings their decision and deadline, inside the caller's transaction.
pub(crate) async fn prioritise(work: &mut Work, findings: &[StoredFinding]) -> Result<usize> {
    let terms = programme_terms(work, findings).await?;
    let mut priorities = Priorities::new(terms);
    for f in findings {
        let (decision, due_on) = priorities.of(work.tx.as_mut(), f).await?;
        work.tx.set_finding_priority(f.id, decision, due_on).await?;
    }
    Ok(findings.len())
}

/// A catalogue an administrator loads.
pub enum Intel {
    Kev(Vec<KevEntry>),
    Epss(Vec<EpssEntry>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntelSource {
    Kev,
    Epss,
}

impl Services {
    /// Reads a KEV or EPSS file and loads it: the caller's permission is checked before the
    /// file is read.
    pub async fn load_intel_file(&self, actor: Option<&Actor>, source: IntelSource, bytes: &[u8]) -> Result<(usize, usize)> {
        if actor.is_some_and(|a| !can(a, Permission::ManageProgrammes)) {
            return Err(ServiceError::Forbidden);
        }
        let intel = match source {
            IntelSource::Kev => Intel::Kev(parse_kev(bytes)?),
            IntelSource::Epss => Intel::Epss(parse_epss(bytes)?),
        };
        self.load_intel(actor, intel).await
    }

    /// Loads CISA's KEV catalogue or FIRST's EPSS scores (an administrator, or the operator on
    /// the server with `actor` None), replacing the previous one, and re-prioritises every open
    /// finding. Returns how many entries were loaded and findings prioritised.
    pub async fn load_intel(&self, actor: Option<&Actor>, intel: Intel) -> Result<(usize, usize)> {
        let who = match actor {
            Some(a) if can(a, Permission::ManageProgrammes) => Who::Person(a.clone()),
            Some(_) => return Err(ServiceError::Forbidden),
            None => Who::System,
        };
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), who).await?;
        let (source, entries) = match &intel {
            Intel::Kev(entries) => {
                work.tx.replace_kev(entries).await?;
                ("kev", entries.len())
            }
            Intel::Epss(entries) => {
                work.tx.replace_epss(entries).await?;
                ("epss", entries.len())
            }
        };
        let mut open = Vec::new();
        for status in FindingStatus::ALL.into_iter().filter(|s| s.is_open()) {
            let filter = FindingFilter {
                status: Some(status),
                limit: i64::MAX,
                ..Default::default()
            };
            open.extend(work.tx.findings(&filter).await?);
        }
        let mut n = 0;
        for (_, findings) in by_programme(&mut work, open).await? {
            n += prioritise(&mut work, &findings).await?;
        }
        work.record(
            Action::IntelLoaded,
            "programme",
            0,
            json!({"source": source, "entries": entries, "findings_prioritised": n}),
        )
        .await?;
        work.commit().await?;
        Ok((entries, n))
    }
}

impl Services {
    /// A government's assets (its own, or any for an administrator).
    pub async fn assets(&self, actor: &Actor, government_id: i64) -> Result<Vec<cyberveilig_store::records::Asset>> {
        if !(can(actor, Permission::ManageProgrammes)
            || actor.organisation_id == government_id && actor.role == cyberveilig_domain::registry::Role::GovernmentMember)
        {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(tx.assets(government_id).await?)
    }

    /// Sets how much the government's mission and the public's well-being depend on an asset
    /// (low, medium, high): SSVC's last decision point, so its open findings are re-prioritised.
    pub async fn set_asset_criticality(
        &self,
        actor: &Actor,
        asset_id: i64,
        criticality: &str,
    ) -> Result<cyberveilig_store::records::Asset> {
        let criticality: MissionWellbeing = criticality
            .parse()
            .map_err(|()| ServiceError::invalid("criticality", "choose low, medium or high", "kies low, medium of high"))?;
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let asset = work.tx.asset(asset_id).await?.ok_or(ServiceError::NotFound("asset"))?;
        let own = actor.role == cyberveilig_domain::registry::Role::GovernmentMember && actor.organisation_id == asset.government_id;
        if !(own || can(actor, Permission::ManageProgrammes)) {
            return Err(ServiceError::NotFound("asset"));
        }
        work.tx.set_asset_criticality(asset_id, criticality).await?;
        let mut open = Vec::new();
        for status in FindingStatus::ALL.into_iter().filter(|s| s.is_open()) {
            let filter = FindingFilter {
                government_id: Some(asset.government_id),
                status: Some(status),
                limit: i64::MAX,
                ..Default::default()
            };
            open.extend(
                work.tx
                    .findings(&filter)
                    .await?
                    .into_iter()
                    .filter(|f| f.asset_id == Some(asset_id)),
            );
        }
        for (_, findings) in by_programme(&mut work, open).await? {
            prioritise(&mut work, &findings).await?;
        }
        work.record(
            Action::AssetCriticalitySet,
            "asset",
            asset_id,
            json!({"from": asset.criticality.as_str(), "to": criticality.as_str()}),
        )
        .await?;
        let updated = work.tx.asset(asset_id).await?.ok_or(ServiceError::NotFound("asset"))?;
        work.commit().await?;
        Ok(updated)
    }
}
/// I4-8: the remediation terms of the programme that `findings` belong to (through their orders).
/// Findings of several programmes must be prioritised per programme; this refuses a mix.
/// Findings without an order (an engagement's) follow the default terms.
pub(crate) async fn programme_terms(work: &mut Work, findings: &[StoredFinding]) -> Result<RemediationTerms> {
    let mut programme: Option<i64> = None;
    let mut orders_seen: Vec<i64> = Vec::new();
    for f in findings {
        let Some(order_id) = f.order_id else { continue };
        if orders_seen.contains(&order_id) {
            continue;
        }
        orders_seen.push(order_id);
        let order = work.tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?;
        match programme {
            Some(p) if p != order.programme_id => {
                return Err(ServiceError::conflict(
                    "findings_of_several_programmes",
                    "Findings of several programmes are prioritised per programme: choose findings of one programme.",
                    "Bevindingen van verschillende programma's worden per programma geprioriteerd: kies bevindingen van één programma.",
                ));
            }
            _ => programme = Some(order.programme_id),
        }
    }
    match programme {
        Some(id) => Ok(work
            .tx
            .programme(id)
            .await?
            .ok_or(ServiceError::NotFound("programme"))?
            .settings
            .remediation_terms),
        None => Ok(RemediationTerms::default()),
    }
}

/// Splits findings by the programme of their order, for [`prioritise`]. Findings
/// without an order (an engagement's) form a group of their own, programme 0, which follows the
/// default terms.
pub(crate) async fn by_programme(work: &mut Work, findings: Vec<StoredFinding>) -> Result<Vec<(i64, Vec<StoredFinding>)>> {
    let mut groups: Vec<(i64, Vec<StoredFinding>)> = Vec::new();
    let mut programme_of: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for f in findings {
        let programme = match f.order_id {
            None => 0,
            Some(order_id) => match programme_of.get(&order_id) {
                Some(p) => *p,
                None => {
                    let p = work.tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?.programme_id;
                    programme_of.insert(order_id, p);
                    p
                }
            },
        };
        match groups.iter_mut().find(|(p, _)| *p == programme) {
            Some((_, list)) => list.push(f),
            None => groups.push((programme, vec![f])),
        }
    }
    Ok(groups)
}

/// Gives the programme's open findings their deadline anew (after its terms changed).
pub(crate) async fn reprioritise_programme(work: &mut Work, programme_id: i64) -> Result<usize> {
    let mut open = Vec::new();
    for status in FindingStatus::ALL.into_iter().filter(|s| s.is_open()) {
        let filter = cyberveilig_store::records::FindingFilter {
            status: Some(status),
            limit: i64::MAX,
            ..Default::default()
        };
        open.extend(work.tx.findings(&filter).await?);
    }
    let mut n = 0;
    for (programme, findings) in by_programme(work, open).await? {
        if programme == programme_id {
            n += prioritise(work, &findings).await?;
        }
    }
    Ok(n)
}
