//! Audit results: assets, imports, findings, and the KEV and EPSS data that prioritise them.

use super::prelude::*;
use crate::driver::{Arg, Encode};
use cyberveilig_domain::remediation::FindingStatus;
use cyberveilig_domain::severity::Severity;
use cyberveilig_domain::source::FindingTool;
use cyberveilig_domain::ssvc::{Decision, MissionWellbeing};
use std::sync::LazyLock;

/// The statuses that count as open ([`FindingStatus::is_open`]) as an SQL list.
pub(crate) fn open_statuses() -> &'static str {
    static LIST: LazyLock<String> = LazyLock::new(|| {
        let open: Vec<String> = FindingStatus::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        format!("({})", open.join(", "))
    });
    &LIST
}

/// Findings in priority order (of the table aliased `alias`, may be empty): SSVC decision,
/// severity, CVSS score, first seen.
pub(crate) fn priority_order(alias: &str) -> String {
    let a = if alias.is_empty() { String::new() } else { format!("{alias}.") };
    format!(
        "{} DESC, {a}severity_rank DESC, {a}cvss_score DESC NULLS LAST, {a}first_seen, {a}id",
        decision_rank(&format!("{a}decision"))
    )
}

/// A finding's SSVC decision as a rank to sort on, the most urgent highest and none lowest, in
/// the domain's order of [`Decision`].
pub(crate) fn decision_rank(column: &str) -> String {
    let whens: String = Decision::ALL
        .iter()
        .enumerate()
        .map(|(rank, d)| format!(" WHEN '{}' THEN {}", d.as_str(), rank + 1))
        .collect();
    format!("CASE {column}{whens} ELSE 0 END")
}

pub(crate) fn finding_from(row: &Row) -> Result<StoredFinding> {
    Ok(StoredFinding {
        id: row.try_get("id")?,
        government_id: row.try_get("government_id")?,
        order_id: row.try_get("order_id")?,
        asset_id: row.try_get("asset_id")?,
        fingerprint: row.try_get("fingerprint")?,
        tool: parse(&row.try_get::<String, _>("tool")?, "finding tool")?,
        rule_id: row.try_get("rule_id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        severity: parse(&row.try_get::<String, _>("severity")?, "severity")?,
        cvss_version: row.try_get("cvss_version")?,
        cvss_vector: row.try_get("cvss_vector")?,
        cvss_score: row.try_get("cvss_score")?,
        cvss_computed: row.try_get("cvss_computed")?,
        cwe: row.try_get("cwe")?,
        cves: row.try_get("cves")?,
        port: row.try_get("port")?,
        protocol: row.try_get("protocol")?,
        url: row.try_get("url")?,
        evidence: row.try_get("evidence")?,
        recommendation: row.try_get("recommendation")?,
        status: parse(&row.try_get::<String, _>("status")?, "finding status")?,
        decision: opt_parse(row.try_get("decision")?, "SSVC decision")?,
        due_on: row.try_get("due_on")?,
        first_seen: row.try_get("first_seen")?,
        last_seen: row.try_get("last_seen")?,
        first_import_id: row.try_get("first_import_id")?,
        last_import_id: row.try_get("last_import_id")?,
    })
}

/// An asset's columns, read by [`asset_from`].
pub(crate) const ASSET_COLUMNS: &str = "id, government_id, kind, name, hostname, ip, os, criticality";

pub(crate) fn asset_from(r: &Row) -> Result<Asset> {
    Ok(Asset {
        id: r.try_get("id")?,
        government_id: r.try_get("government_id")?,
        kind: parse(&r.try_get::<String, _>("kind")?, "asset kind")?,
        name: r.try_get("name")?,
        hostname: r.try_get("hostname")?,
        ip: r.try_get("ip")?,
        os: r.try_get("os")?,
        criticality: parse(&r.try_get::<String, _>("criticality")?, "asset criticality")?,
    })
}

pub(crate) fn import_from(row: &Row) -> Result<Import> {
    Ok(Import {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        government_id: row.try_get("government_id")?,
        format: parse(&row.try_get::<String, _>("format")?, "import format")?,
        tool_version: row.try_get("tool_version")?,
        findings_read: row.try_get("findings_read")?,
        new: row.try_get("new")?,
        still_open: row.try_get("still_open")?,
        reopened: row.try_get("reopened")?,
        fixed: row.try_get("fixed")?,
        informational: row.try_get("informational")?,
        imported_by: row.try_get("imported_by")?,
        at: row.try_get("at")?,
    })
}

pub(crate) fn known_finding_from(r: &Row) -> Result<KnownFinding> {
    Ok(KnownFinding {
        id: r.try_get("id")?,
        fingerprint: r.try_get("fingerprint")?,
        status: parse(&r.try_get::<String, _>("status")?, "finding status")?,
        last_import_id: r.try_get("last_import_id")?,
        severity: Severity::of_rank(r.try_get("severity_rank")?)
            .ok_or_else(|| StoreError::Corrupt("a severity rank outside 0 to 4".into()))?,
        cves: r.try_get("cves")?,
        first_seen: r.try_get("first_seen")?,
        decision: opt_parse(r.try_get("decision")?, "SSVC decision")?,
        due_on: r.try_get("due_on")?,
    })
}

/// What an import needs of a finding the register has (of `findings f`).
const KNOWN_COLUMNS: &str = "f.id, f.fingerprint, f.status, f.last_import_id, f.severity_rank, f.cves, f.first_seen, f.decision, f.due_on";

/// A sighting's columns, in the order [`bind_sighting`] binds them.
const SIGHTING_COLUMNS: [&str; 10] = [
    "id",
    "import_id",
    "at",
    "evidence",
    "reopen",
    "severity",
    "severity_rank",
    "cves",
    "decision",
    "due_on",
];

fn bind_sighting<'q>(q: Statement<'q>, s: &'q Sighting) -> Statement<'q> {
    q.bind(s.id)
        .bind(s.import_id)
        .bind(s.at)
        .bind(&s.evidence)
        .bind(s.reopen)
        .bind(s.severity.as_str())
        .bind(s.severity.rank())
        .bind(&s.cves)
        .bind(s.decision.map(Decision::as_str))
        .bind(s.due_on)
}

/// `$1, ..., $28`: one placeholder per column of a new finding.
pub(crate) fn finding_placeholders() -> String {
    (1..=28).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Binds a new finding's columns, in the order of `FINDING_COLUMNS` without its id.
pub(crate) fn bind_finding<'q>(q: Statement<'q>, f: &'q StoredFinding) -> Statement<'q> {
    q.bind(f.government_id)
        .bind(f.order_id)
        .bind(f.asset_id)
        .bind(&f.fingerprint)
        .bind(f.tool.as_str())
        .bind(&f.rule_id)
        .bind(&f.title)
        .bind(&f.description)
        .bind(f.severity.as_str())
        .bind(f.severity.rank())
        .bind(&f.cvss_version)
        .bind(&f.cvss_vector)
        .bind(f.cvss_score)
        .bind(f.cvss_computed)
        .bind(&f.cwe)
        .bind(&f.cves)
        .bind(f.port)
        .bind(&f.protocol)
        .bind(&f.url)
        .bind(&f.evidence)
        .bind(&f.recommendation)
        .bind(f.status.as_str())
        .bind(f.decision.map(Decision::as_str))
        .bind(f.due_on)
        .bind(f.first_seen)
        .bind(f.last_seen)
        .bind(f.first_import_id)
        .bind(f.last_import_id)
}

#[async_trait::async_trait]
impl<C: Connection> crate::FindingsTx for Transaction<C> {
    async fn upsert_asset(&mut self, a: &NewAsset) -> Result<i64> {
        let row = query(
            "INSERT INTO assets (government_id, kind, name, hostname, ip, os, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (government_id, kind, name) DO UPDATE SET \
               hostname = COALESCE(excluded.hostname, assets.hostname), ip = COALESCE(excluded.ip, assets.ip), \
               os = COALESCE(excluded.os, assets.os) \
             RETURNING id",
        )
        .bind(a.government_id)
        .bind(a.kind.as_str())
        .bind(&a.name)
        .bind(&a.hostname)
        .bind(&a.ip)
        .bind(&a.os)
        .bind(a.at)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn assets(&mut self, government_id: i64) -> Result<Vec<Asset>> {
        let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE government_id = $1 ORDER BY kind, name");
        let rows = query(&sql).bind(government_id).fetch_all(&mut self.conn).await?;
        collect(rows, asset_from)
    }

    async fn asset(&mut self, id: i64) -> Result<Option<Asset>> {
        let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE id = $1");
        let row = query(&sql).bind(id).fetch_optional(&mut self.conn).await?;
        row.as_ref().map(asset_from).transpose()
    }

    async fn set_asset_criticality(&mut self, id: i64, criticality: MissionWellbeing) -> Result<()> {
        query("UPDATE assets SET criticality = $2 WHERE id = $1")
            .bind(id)
            .bind(criticality.as_str())
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn insert_import(&mut self, i: &Import) -> Result<i64> {
        let row = query(
            "INSERT INTO imports (order_id, government_id, format, tool_version, findings_read, new, still_open, reopened, fixed, imported_by, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(i.order_id)
        .bind(i.government_id)
        .bind(i.format.as_str())
        .bind(&i.tool_version)
        .bind(i.findings_read)
        .bind(i.new)
        .bind(i.still_open)
        .bind(i.reopened)
        .bind(i.fixed)
        .bind(i.imported_by)
        .bind(i.at)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn finish_import(&mut self, i: &Import) -> Result<()> {
        query(
            "UPDATE imports SET findings_read = $2, new = $3, still_open = $4, reopened = $5, fixed = $6, format = $7, \
             tool_version = $8, informational = $9 WHERE id = $1",
        )
        .bind(i.id)
        .bind(i.findings_read)
        .bind(i.new)
        .bind(i.still_open)
        .bind(i.reopened)
        .bind(i.fixed)
        .bind(i.format.as_str())
        .bind(&i.tool_version)
        .bind(i.informational)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn imports_of(&mut self, order_id: i64) -> Result<Vec<Import>> {
        let rows = query(&format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE order_id = $1 ORDER BY id"))
            .bind(order_id)
            .fetch_all(&mut self.conn)
            .await?;
        collect(rows, import_from)
    }

    async fn finding_by_fingerprint(&mut self, government_id: i64, fingerprint: &str) -> Result<Option<KnownFinding>> {
        let sql = format!("SELECT {KNOWN_COLUMNS} FROM findings f WHERE government_id = $1 AND fingerprint = $2");
        let row = query(&sql)
            .bind(government_id)
            .bind(fingerprint)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(known_finding_from).transpose()
    }

    async fn insert_finding(&mut self, f: &StoredFinding) -> Result<i64> {
        let sql = format!(
            "INSERT INTO findings ({}) VALUES ({}) RETURNING id",
            FINDING_COLUMNS.trim_start_matches("id, "),
            finding_placeholders()
        );
        let row = bind_finding(query(&sql), f)
            .fetch_one(&mut self.conn)
            .await
            .map_err(unique_violation)?;
        Ok(row.try_get(0)?)
    }

    async fn known_findings(&mut self, government_id: i64, fingerprints: &[String]) -> Result<Vec<KnownFinding>> {
        let mut out = Vec::with_capacity(fingerprints.len());
        if C::STAGES_BATCHES {
            // The staged keys, each looked up in the register's unique index. Planned as a join,
            // the plan was made when the register was small and kept by the prepared statement: a
            // scan of the findings for every batch, which the import itself makes ever longer (an
            // import of a million findings had not finished after 15 minutes). A subquery with a
            // limit is never merged into a join, so each key is one probe of the index.
            if fingerprints.is_empty() {
                return Ok(out);
            }
            let keys: Vec<Arg> = fingerprints.iter().map(|f| f.encode()).collect();
            self.conn.stage("staged_fingerprints", &["fingerprint"], &keys).await?;
            let sql = format!(
                "SELECT {KNOWN_COLUMNS} FROM staged_fingerprints s CROSS JOIN LATERAL \
                 (SELECT {} FROM findings f WHERE f.government_id = $1 AND f.fingerprint = s.fingerprint LIMIT 1) f",
                KNOWN_COLUMNS
            );
            let rows = query(&sql).bind(government_id).fetch_all(&mut self.conn).await?;
            return collect(rows, known_finding_from);
        }
        for chunk in fingerprints.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT {KNOWN_COLUMNS} FROM findings f WHERE government_id = $1 AND fingerprint IN ({})",
                marks.join(", ")
            );
            let mut q = query(&sql).bind(government_id);
            for fingerprint in chunk {
                q = q.bind(fingerprint);
            }
            for r in &q.fetch_all(&mut self.conn).await? {
                out.push(known_finding_from(r)?);
            }
        }
        Ok(out)
    }

    async fn insert_findings(&mut self, findings: &[StoredFinding]) -> Result<()> {
        let columns = FINDING_COLUMNS.trim_start_matches("id, ");
        if C::STAGES_BATCHES {
            if findings.is_empty() {
                return Ok(());
            }
            // In the batch's order, so ids are given as the statements of a few hundred rows give them.
            let mut staged: Vec<&str> = columns.split(", ").collect();
            staged.push("seq");
            let mut values = Vec::with_capacity(findings.len() * staged.len());
            for (seq, f) in findings.iter().enumerate() {
                values.extend(bind_finding(query(""), f).args);
                values.push((seq as i64).encode());
            }
            self.conn.stage("staged_findings", &staged, &values).await?;
            // The asset's sort key is given here, in one join, rather than by the trigger's lookup per row.
            let sql = format!(
                "INSERT INTO findings ({columns}, asset_key) SELECT {columns}, \
                 COALESCE('0' || (SELECT a.name FROM assets a WHERE a.id = staged_findings.asset_id), '1') \
                 FROM staged_findings ORDER BY seq ON CONFLICT (government_id, fingerprint) DO NOTHING"
            );
            query(&sql).execute(&mut self.conn).await?;
            return Ok(());
        }
        // The asset's sort key is given with each row (its asset, the third value, looked up by
        // its key), so the trigger that would otherwise look it up does not rewrite every row.
        for chunk in findings.chunks(200) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let values: Vec<String> = (1..=28).map(|c| format!("${}", r * 28 + c)).collect();
                    format!(
                        "({}, COALESCE('0' || (SELECT a.name FROM assets a WHERE a.id = ${}), '1'))",
                        values.join(", "),
                        r * 28 + 3
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO findings ({columns}, asset_key) VALUES {} ON CONFLICT (government_id, fingerprint) DO NOTHING",
                rows.join(", ")
            );
            let mut q = query(&sql);
            for f in chunk {
                q = bind_finding(q, f);
            }
            q.execute(&mut self.conn).await?;
        }
        Ok(())
    }

    async fn findings_seen_again(&mut self, sightings: &[Sighting]) -> Result<()> {
        if C::STAGES_BATCHES {
            if sightings.is_empty() {
                return Ok(());
            }
            let mut values = Vec::with_capacity(sightings.len() * SIGHTING_COLUMNS.len());
            for s in sightings {
                values.extend(bind_sighting(query(""), s).args);
            }
            self.conn.stage("staged_sightings", &SIGHTING_COLUMNS, &values).await?;
            let sql = "UPDATE findings SET last_seen = s.at, last_import_id = s.import_id, evidence = COALESCE(s.evidence, findings.evidence), \
                 status = CASE WHEN s.reopen THEN 'open' ELSE findings.status END, severity = s.severity, severity_rank = s.severity_rank, \
                 cves = s.cves, decision = s.decision, due_on = s.due_on \
                 FROM staged_sightings s WHERE findings.id = s.id";
            query(sql).execute(&mut self.conn).await?;
            return Ok(());
        }
        let sql = "UPDATE findings SET last_seen = $3, last_import_id = $2, evidence = COALESCE($4, evidence), \
             status = CASE WHEN $5 THEN 'open' ELSE status END, severity = $6, severity_rank = $7, cves = $8, \
             decision = $9, due_on = $10 WHERE id = $1";
        // SQLite rewrites every index whose key may depend on a column an UPDATE sets, whether
        // its value changed or not: a rescan that changes nothing but the sighting sets only
        // what it changes, so of the register's sort keys only the last-seen ones are rewritten.
        let seen = "UPDATE findings SET last_seen = $3, last_import_id = $2, evidence = COALESCE($4, evidence) WHERE id = $1";
        for s in sightings {
            if s.only_seen {
                query(seen)
                    .bind(s.id)
                    .bind(s.import_id)
                    .bind(s.at)
                    .bind(&s.evidence)
                    .execute(&mut self.conn)
                    .await?;
            } else {
                bind_sighting(query(sql), s).execute(&mut self.conn).await?;
            }
        }
        Ok(())
    }

    async fn fix_unreported(&mut self, order_id: i64, tool: FindingTool, import_id: i64) -> Result<u64> {
        let sql = format!(
            "UPDATE findings SET status = 'fixed' \
             WHERE order_id = $1 AND tool = $2 AND last_import_id <> $3 AND status IN {}",
            open_statuses()
        );
        let done = query(&sql)
            .bind(order_id)
            .bind(tool.as_str())
            .bind(import_id)
            .execute(&mut self.conn)
            .await?;
        Ok(done.rows_affected())
    }

    async fn finding(&mut self, id: i64) -> Result<Option<StoredFinding>> {
        let row = query(&format!("SELECT {FINDING_COLUMNS} FROM findings WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(finding_from).transpose()
    }

    async fn set_finding_status(&mut self, id: i64, status: FindingStatus, reason: Option<&str>, until: Option<NaiveDate>) -> Result<()> {
        query("UPDATE findings SET status = $2, status_reason = $3, accepted_until = $4 WHERE id = $1")
            .bind(id)
            .bind(status.as_str())
            .bind(reason)
            .bind(until)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn findings(&mut self, f: &FindingFilter) -> Result<Vec<StoredFinding>> {
        let rows = query(&format!(
            "SELECT {FINDING_COLUMNS} FROM findings \
             WHERE ($1 IS NULL OR government_id = $1) AND ($2 IS NULL OR order_id = $2) \
               AND (status = $3 OR ($3 IS NULL AND status <> 'informational')) \
               AND ($4 IS NULL OR order_id IN (SELECT id FROM orders WHERE firm_id = $4)) \
             ORDER BY {} LIMIT $5",
            priority_order("")
        ))
        .bind(f.government_id)
        .bind(f.order_id)
        .bind(f.status.map(FindingStatus::as_str))
        .bind(f.firm_id)
        .bind(f.limit)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, finding_from)
    }

    async fn reopen_expired_acceptances(&mut self, today: NaiveDate) -> Result<Vec<i64>> {
        let rows = query(
            "UPDATE findings SET status = 'open', accepted_until = NULL \
             WHERE status = 'risk_accepted' AND accepted_until < $1 RETURNING id",
        )
        .bind(today)
        .fetch_all(&mut self.conn)
        .await?;
        // The `?` turns PostgreSQL's error into ours; on SQLite it is ours already.
        #[allow(clippy::needless_question_mark)]
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    async fn set_finding_priority(&mut self, id: i64, decision: Decision, due_on: NaiveDate) -> Result<()> {
        query("UPDATE findings SET decision = $2, due_on = $3 WHERE id = $1")
            .bind(id)
            .bind(decision.as_str())
            .bind(due_on)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn replace_kev(&mut self, entries: &[KevEntry]) -> Result<()> {
        query("DELETE FROM kev").execute(&mut self.conn).await?;
        for chunk in entries.chunks(300) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect();
            let sql = format!(
                "INSERT INTO kev (cve, added_on, ransomware) VALUES {} ON CONFLICT (cve) DO NOTHING",
                values.join(", ")
            );
            let mut q = query(&sql);
            for e in chunk {
                q = q.bind(&e.cve).bind(e.added_on).bind(&e.ransomware);
            }
            q.execute(&mut self.conn).await?;
        }
        Ok(())
    }

    async fn replace_epss(&mut self, entries: &[EpssEntry]) -> Result<()> {
        query("DELETE FROM epss").execute(&mut self.conn).await?;
        for chunk in entries.chunks(300) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect();
            let sql = format!(
                "INSERT INTO epss (cve, score, percentile) VALUES {} ON CONFLICT (cve) DO NOTHING",
                values.join(", ")
            );
            let mut q = query(&sql);
            for e in chunk {
                q = q.bind(&e.cve).bind(e.score).bind(e.percentile);
            }
            q.execute(&mut self.conn).await?;
        }
        Ok(())
    }

    async fn threat_of(&mut self, cve: &str) -> Result<(bool, Option<f64>)> {
        let row = query("SELECT (SELECT COUNT(*) FROM kev WHERE cve = $1) AS kev, (SELECT MAX(score) FROM epss WHERE cve = $1) AS epss")
            .bind(cve)
            .fetch_one(&mut self.conn)
            .await?;
        Ok((row.try_get::<i64, _>("kev")? > 0, row.try_get("epss")?))
    }
}
