//! Importing a scanner report (issue 4, items 5 to 7). The report is parsed on a blocking
//! thread while this task writes what it parses, a batch at a time, inside one transaction:
//! memory does not grow with the report, and nothing is written unless the whole report reads.
//!
//! Each finding is matched to the government's register by its fingerprint: new, still open,
//! reopened (it was fixed), or a repeat within the same report (merged into the first). What the
//! same tool reported for the order before and no longer does becomes fixed.

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::intel::Priorities;
use crate::work::{Who, Work};
use cyberveilig_domain::asset::AssetKind;
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::source::{FindingTool, ImportFormat};
use cyberveilig_domain::ssvc::RemediationTerms;
use cyberveilig_findings::{Finding, Format, ImportError, Limits, Report, Severity, SinkError};
use cyberveilig_store::records::{Import, KnownFinding, NewAsset, Order, Sighting, StoredFinding};
use serde_json::json;
use std::collections::HashMap;
use std::io::Read;
use tokio::sync::{mpsc, oneshot};

/// The status of what a scanner reports as information (Nessus severity 0, an OpenVAS log, an
/// Nmap service fact, a SARIF note, a ZAP informational alert): kept with the asset, never open,
/// no deadline ([`FindingStatus::Informational`]).
const INFORMATIONAL: FindingStatus = FindingStatus::Informational;

/// Largest report a firm uploads through the portal or the API. The operator's command line
/// takes the parser's own limit (2 GiB).
pub const MAX_UPLOAD_BYTES: u64 = 256 * 1024 * 1024;

/// Findings handed from the parser to the writer at once, and batches in flight: enough to keep
/// both threads busy, small enough that memory stays flat.
const BATCH: usize = 512;
const BATCHES_IN_FLIGHT: usize = 4;

fn parse_error(e: ImportError) -> ServiceError {
    ServiceError::invalid("report", e.message_en(), e.message_nl())
}

fn interrupted(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::internal("import_interrupted", format!("the report's reader stopped: {e}"))
}

/// The parser on its blocking thread: the format it detected comes first, then the findings in
/// batches, then the report's summary out of the join handle.
struct Parser {
    format: oneshot::Receiver<Format>,
    batches: mpsc::Receiver<Vec<Finding>>,
    done: tokio::task::JoinHandle<std::result::Result<Report, ImportError>>,
}

fn spawn_parser<R: Read + Send + 'static>(reader: R, limits: Limits) -> Parser {
    let (sender, batches) = mpsc::channel::<Vec<Finding>>(BATCHES_IN_FLIGHT);
    let (format_sender, format) = oneshot::channel();
    let done = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let stopped = || -> SinkError { "the import stopped".into() };
        let mut format_sender = Some(format_sender);
        let mut detected = |format: Format| -> std::result::Result<(), SinkError> {
            format_sender.take().map_or(Ok(()), |s| s.send(format).map_err(|_| stopped()))
        };
        let report = cyberveilig_findings::import_announced(reader, &limits, &mut detected, &mut |f: Finding| {
            batch.push(f);
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                sender.blocking_send(full).map_err(|_| stopped())?;
            }
            Ok(())
        })?;
        if !batch.is_empty() {
            sender.blocking_send(batch).map_err(|_| ImportError::Sink(stopped()))?;
        }
        Ok(report)
    });
    Parser { format, batches, done }
}

impl Services {
    /// Imports a scanner report for an order: by the firm the order is placed with (once it
    /// accepted), or by an administrator. Nothing is written unless the whole report reads.
    pub async fn import_report<R: Read + Send + 'static>(&self, actor: &Actor, order_id: i64, report: R) -> Result<Import> {
        let order = self.order_for_import(order_id).await?;
        if !can(actor, Permission::RecordResults(&order)) {
            return Err(if can(actor, Permission::ViewOrder(&order)) {
                ServiceError::Forbidden
            } else {
                ServiceError::NotFound("order")
            });
        }
        let limits = Limits {
            max_bytes: MAX_UPLOAD_BYTES,
            ..Limits::default()
        };
        self.import_for(Who::Person(actor.clone()), order, report, limits).await
    }

    /// The same for the operator on the server (`cyberveilig import`), up to the parser's limits.
    pub async fn import_report_as_operator<R: Read + Send + 'static>(&self, order_id: i64, report: R) -> Result<Import> {
        let order = self.order_for_import(order_id).await?;
        self.import_for(Who::System, order, report, Limits::default()).await
    }

    /// The imports of an order, oldest first, for whoever may see the order.
    pub async fn imports(&self, actor: &Actor, order_id: i64) -> Result<Vec<Import>> {
        let mut tx = self.store.read().await?;
        let order = tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?;
        if !can(actor, Permission::ViewOrder(&order)) {
            return Err(ServiceError::NotFound("order"));
        }
        Ok(tx.imports_of(order_id).await?)
    }

    /// Whether this person may import results for the order now.
    pub fn may_import(actor: &Actor, order: &Order) -> bool {
        order.state.takes_results() && can(actor, Permission::RecordResults(order))
    }

    async fn order_for_import(&self, order_id: i64) -> Result<Order> {
        let mut tx = self.store.read().await?;
        tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))
    }

    async fn import_for<R: Read + Send + 'static>(&self, who: Who, order: Order, reader: R, limits: Limits) -> Result<Import> {
        // On the writer lane: an import is thousands of statements under the write lock.
        let this = self.clone();
        self.lane
            .run(async move { this.import_now(who, order, reader, limits).await })
            .await
    }

    async fn import_now<R: Read + Send + 'static>(&self, who: Who, order: Order, reader: R, limits: Limits) -> Result<Import> {
        if !order.state.takes_results() {
            return Err(ServiceError::conflict(
                "order_not_accepted_yet",
                format!(
                    "Order {} is {}: results are imported once a firm has accepted it.",
                    order.id,
                    order.state.label(false)
                ),
                format!(
                    "Bestelling {} is {}: resultaten worden geïmporteerd zodra een auditbureau ze aanvaard heeft.",
                    order.id,
                    order.state.label(true)
                ),
            ));
        }
        let now = self.clock.now();
        let imported_by = match &who {
            Who::Person(a) => Some(a.person_id),
            Who::System => None,
        };
        let Parser {
            format,
            mut batches,
            done: parser,
        } = spawn_parser(reader, limits);
        // A report whose format is not known, or that ends before it shows, writes nothing.
        let Ok(format) = format.await else {
            let parsed = parser.await.map_err(interrupted)?;
            return Err(parsed.err().map_or_else(|| interrupted("no format"), parse_error));
        };
        let mut work = Work::begin(self.store.as_ref(), now, who).await?;
        work.tx.expect_bulk_write().await?;
        let mut import = Import {
            id: 0,
            order_id: order.id,
            government_id: order.government_id,
            format: ImportFormat::Scanner(format),
            tool_version: None,
            findings_read: 0,
            new: 0,
            still_open: 0,
            reopened: 0,
            fixed: 0,
            informational: 0,
            imported_by,
            at: now,
        };
        import.id = work.tx.insert_import(&import).await?;

        let terms = work
            .tx
            .programme(order.programme_id)
            .await?
            .ok_or(ServiceError::NotFound("programme"))?
            .settings
            .remediation_terms;
        let mut register = Register::new(&order, import.id, now, terms);
        let mut written = Ok(());
        while let Some(batch) = batches.recv().await {
            written = register.write(&mut work, batch, &mut import).await;
            if written.is_err() {
                break;
            }
        }
        // Dropping the receiver stops the parser if writing failed; either error rolls back.
        drop(batches);
        let parsed = parser.await.map_err(interrupted)?;
        written?;
        let report = parsed.map_err(parse_error)?;

        // The hosts the report saw become (or complete) the government's assets.
        for asset in &report.assets {
            let Some(key) = asset.host.key() else { continue };
            work.tx
                .upsert_asset(&NewAsset {
                    government_id: order.government_id,
                    kind: AssetKind::Host,
                    name: key,
                    hostname: asset.host.name.clone(),
                    ip: asset.host.ip.map(|ip| ip.to_string()),
                    os: asset.os.clone(),
                    at: now,
                })
                .await?;
        }
        import.tool_version = report.tool_version.clone();
        import.findings_read = report.findings as i64;
        import.fixed = work
            .tx
            .fix_unreported(order.id, FindingTool::Scanner(format.tool()), import.id)
            .await? as i64;
        work.tx.finish_import(&import).await?;
        work.record(
            Action::OrderResultsImported,
            "order",
            order.id,
            json!({"import_id": import.id, "format": import.format.as_str(), "findings": import.findings_read, "new": import.new,
                   "still_open": import.still_open, "reopened": import.reopened, "fixed": import.fixed}),
        )
        .await?;
        work.commit().await?;
        Ok(import)
    }
}

/// Writes an import's findings into the government's register.
struct Register<'o> {
    order: &'o Order,
    import_id: i64,
    at: chrono::DateTime<chrono::Utc>,
    /// Host key -> asset id, for the hosts seen so far.
    assets: HashMap<String, i64>,
    priorities: Priorities,
}

impl<'o> Register<'o> {
    fn new(order: &'o Order, import_id: i64, at: chrono::DateTime<chrono::Utc>, terms: RemediationTerms) -> Register<'o> {
        Register {
            order,
            import_id,
            at,
            assets: HashMap::new(),
            priorities: Priorities::new(terms),
        }
    }

    /// Writes a batch: one query finds which of its findings the register has; then the batch's
    /// sightings of those and its new findings are each written as one set (the store decides
    /// how: statements of a few hundred rows on SQLite, COPY and one statement on PostgreSQL).
    async fn write(&mut self, work: &mut Work, batch: Vec<Finding>, import: &mut Import) -> Result<()> {
        let mut rows = Vec::with_capacity(batch.len());
        for f in &batch {
            let asset_id = self.asset_of(work, f).await?;
            rows.push(stored(f, self.order, asset_id, self.import_id, self.at));
        }
        drop(batch);
        let mut fingerprints: Vec<String> = rows.iter().map(|r| r.fingerprint.clone()).collect();
        fingerprints.sort_unstable();
        fingerprints.dedup();
        let mut known: HashMap<String, KnownFinding> = work
            .tx
            .known_findings(self.order.government_id, &fingerprints)
            .await?
            .into_iter()
            .map(|k| (k.fingerprint.clone(), k))
            .collect();
        let mut fresh: Vec<StoredFinding> = Vec::new();
        let mut fresh_at: HashMap<String, usize> = HashMap::new();
        let mut sightings: Vec<Sighting> = Vec::new();
        let mut sighted_at: HashMap<i64, usize> = HashMap::new();
        for mut finding in rows {
            if let Some(k) = known.get_mut(&finding.fingerprint) {
                let repeat = k.last_import_id == Some(self.import_id);
                let was_information = k.status == INFORMATIONAL;
                let information = was_information && k.severity.max(finding.severity) == Severity::Info;
                // Information that a report now rates as a finding becomes one, open.
                let promoted = was_information && !information;
                let reopen = promoted || (!repeat && matches!(k.status, FindingStatus::Fixed | FindingStatus::Verified));
                match (repeat, was_information) {
                    // Reported twice in one report: counted once, as what it was first.
                    (true, true) if promoted => {
                        import.informational -= 1;
                        import.new += 1;
                    }
                    (true, _) => {}
                    (false, true) if information => import.informational += 1,
                    (false, true) => import.new += 1,
                    (false, false) if reopen => import.reopened += 1,
                    (false, false) => import.still_open += 1,
                }
                let sighting = self.seen_again(work, k, &mut finding, reopen, information).await?;
                // A later repeat in this batch merges into what is about to be written.
                k.last_import_id = Some(self.import_id);
                k.severity = sighting.severity;
                k.cves = sighting.cves.clone();
                k.decision = sighting.decision;
                k.due_on = sighting.due_on;
                if reopen {
                    k.status = FindingStatus::Open;
                }
                match sighted_at.get(&sighting.id) {
                    Some(&i) => seen_twice(&mut sightings[i], sighting),
                    None => {
                        sighted_at.insert(sighting.id, sightings.len());
                        sightings.push(sighting);
                    }
                }
            } else if let Some(&i) = fresh_at.get(&finding.fingerprint) {
                let first = &mut fresh[i];
                let was_information = first.status == INFORMATIONAL;
                merge_repeat(first, &finding);
                if was_information && first.severity > Severity::Info {
                    first.status = FindingStatus::Open;
                    import.informational -= 1;
                    import.new += 1;
                }
                if first.status != INFORMATIONAL {
                    let (decision, due_on) = self.priorities.of(work.tx.as_mut(), first).await?;
                    first.decision = Some(decision);
                    first.due_on = Some(due_on);
                }
            } else {
                if finding.status == INFORMATIONAL {
                    import.informational += 1;
                } else {
                    let (decision, due_on) = self.priorities.of(work.tx.as_mut(), &finding).await?;
                    finding.decision = Some(decision);
                    finding.due_on = Some(due_on);
                    import.new += 1;
                }
                fresh_at.insert(finding.fingerprint.clone(), fresh.len());
                fresh.push(finding);
            }
        }
        work.tx.findings_seen_again(&sightings).await?;
        work.tx.insert_findings(&fresh).await?;
        Ok(())
    }

    /// A finding the register has: keeps the highest severity and every CVE reported, takes the
    /// latest evidence, and recomputes its priority from today's intelligence.
    async fn seen_again(
        &mut self,
        work: &mut Work,
        known: &KnownFinding,
        finding: &mut StoredFinding,
        reopen: bool,
        information: bool,
    ) -> Result<Sighting> {
        finding.id = known.id;
        finding.severity = known.severity.max(finding.severity);
        finding.cves = union_of_cves(&known.cves, &finding.cves);
        finding.first_seen = known.first_seen;
        // Information has no priority and no deadline.
        let priority = if information {
            None
        } else {
            Some(self.priorities.of(work.tx.as_mut(), finding).await?)
        };
        let decision = priority.map(|(decision, _)| decision);
        let due_on = priority.map(|(_, due_on)| due_on);
        Ok(Sighting {
            id: known.id,
            import_id: self.import_id,
            at: self.at,
            evidence: finding.evidence.take(),
            reopen,
            only_seen: !reopen
                && finding.severity == known.severity
                && finding.cves == known.cves
                && decision == known.decision
                && due_on == known.due_on,
            severity: finding.severity,
            cves: finding.cves.clone(),
            decision,
            due_on,
        })
    }

    /// The asset a finding is on: created the first time its host is seen, completed with what
    /// the report says of the host at the end.
    async fn asset_of(&mut self, work: &mut Work, f: &Finding) -> Result<Option<i64>> {
        let Some(host) = &f.host else { return Ok(None) };
        let Some(key) = host.key() else { return Ok(None) };
        if let Some(id) = self.assets.get(&key) {
            return Ok(Some(*id));
        }
        let id = work
            .tx
            .upsert_asset(&NewAsset {
                government_id: self.order.government_id,
                kind: AssetKind::Host,
                name: key.clone(),
                hostname: host.name.clone(),
                ip: host.ip.map(|ip| ip.to_string()),
                os: None,
                at: self.at,
            })
            .await?;
        self.assets.insert(key, id);
        Ok(Some(id))
    }
}

/// A finding the register has, reported twice in one batch: written once, as the second
/// sighting written after the first would leave it (the latest evidence given, open if either
/// reopened it).
fn seen_twice(first: &mut Sighting, mut again: Sighting) {
    again.evidence = again.evidence.or_else(|| first.evidence.take());
    again.reopen |= first.reopen;
    // Nothing is written yet: what the first changed, the second must still write.
    again.only_seen &= first.only_seen;
    *first = again;
}

/// Every CVE of both lists (comma-separated), each once, in the order first seen.
fn union_of_cves(first: &str, then: &str) -> String {
    let mut cves: Vec<&str> = first.split(',').filter(|c| !c.is_empty()).collect();
    for c in then.split(',').filter(|c| !c.is_empty()) {
        if !cves.contains(&c) {
            cves.push(c);
        }
    }
    cves.join(",")
}

/// A new finding reported again in the same batch: the highest severity, every CVE, the latest
/// evidence.
fn merge_repeat(first: &mut StoredFinding, again: &StoredFinding) {
    first.severity = first.severity.max(again.severity);
    first.cves = union_of_cves(&first.cves, &again.cves);
    if again.evidence.is_some() {
        first.evidence = again.evidence.clone();
    }
}

fn stored(f: &Finding, order: &Order, asset_id: Option<i64>, import_id: i64, at: chrono::DateTime<chrono::Utc>) -> StoredFinding {
    let join = |items: Vec<String>| items.join(",");
    StoredFinding {
        id: 0,
        government_id: order.government_id,
        order_id: Some(order.id),
        asset_id,
        fingerprint: f.fingerprint.to_hex(),
        tool: FindingTool::Scanner(f.tool),
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        description: f.description.clone(),
        severity: f.severity,
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
        status: if f.suppressed {
            FindingStatus::FalsePositive
        } else if f.severity == Severity::Info {
            INFORMATIONAL
        } else {
            FindingStatus::Open
        },
        decision: None,
        due_on: None,
        first_seen: at,
        last_seen: at,
        first_import_id: Some(import_id),
        last_import_id: Some(import_id),
    }
}
