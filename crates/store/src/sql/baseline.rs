//! The continuous baseline scan: registered systems, the shared scan queue, verdicts,
//! explanations and scores.

use super::prelude::*;
use cyberveilig_domain::baseline::{ExplanationState, Score};

const SCAN_COLUMNS: &str = "id, government_id, asset_id, cause, requested_by, queued_at, state, claimed_by, claimed_until, \
    started_at, finished_at, judged_at, passed, warnings, failed, unknown";

const RESULT_COLUMNS: &str = "asset_id, government_id, check_code, category, subject, verdict, reason_code, message_nl, \
    message_en, evidence, scan_id, seen_at";

const EXPLANATION_COLUMNS: &str = "id, government_id, check_code, subject, explanation, state, proposed_by, proposed_at, \
    decided_by, decided_at, decision_note";

fn scan_from(r: &Row) -> Result<BaselineScan> {
    Ok(BaselineScan {
        id: r.try_get("id")?,
        government_id: r.try_get("government_id")?,
        asset_id: r.try_get("asset_id")?,
        cause: parse(&r.try_get::<String, _>("cause")?, "scan cause")?,
        requested_by: r.try_get("requested_by")?,
        queued_at: r.try_get("queued_at")?,
        state: parse(&r.try_get::<String, _>("state")?, "scan state")?,
        claimed_by: r.try_get("claimed_by")?,
        claimed_until: r.try_get("claimed_until")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
        judged_at: r.try_get("judged_at")?,
        counts: VerdictCounts {
            passed: r.try_get("passed")?,
            warnings: r.try_get("warnings")?,
            failed: r.try_get("failed")?,
            unknown: r.try_get("unknown")?,
        },
    })
}

fn result_from(r: &Row) -> Result<CheckResult> {
    Ok(CheckResult {
        asset_id: r.try_get("asset_id")?,
        government_id: r.try_get("government_id")?,
        check: r.try_get("check_code")?,
        category: r.try_get("category")?,
        subject: r.try_get("subject")?,
        verdict: parse(&r.try_get::<String, _>("verdict")?, "check verdict")?,
        reason: r.try_get("reason_code")?,
        message_nl: r.try_get("message_nl")?,
        message_en: r.try_get("message_en")?,
        evidence: r.try_get("evidence")?,
        scan_id: r.try_get("scan_id")?,
        seen_at: r.try_get("seen_at")?,
    })
}

fn explanation_from(r: &Row) -> Result<Explanation> {
    Ok(Explanation {
        id: r.try_get("id")?,
        government_id: r.try_get("government_id")?,
        check: r.try_get("check_code")?,
        subject: r.try_get("subject")?,
        explanation: r.try_get("explanation")?,
        state: parse(&r.try_get::<String, _>("state")?, "explanation state")?,
        proposed_by: r.try_get("proposed_by")?,
        proposed_at: r.try_get("proposed_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        decision_note: r.try_get("decision_note")?,
    })
}

fn score_from(r: &Row) -> Result<ScorePoint> {
    let number =
        |name: &str| -> Result<u32> { u32::try_from(r.try_get::<i64, _>(name)?).map_err(|_| StoreError::Corrupt(format!("score {name}"))) };
    Ok(ScorePoint {
        government_id: r.try_get("government_id")?,
        at: r.try_get("at")?,
        category: r.try_get("category")?,
        score: Score {
            half_points: number("half_points")?,
            counted: number("counted")?,
        },
    })
}

#[async_trait::async_trait]
impl<C: Connection> crate::BaselineTx for Transaction<C> {
    async fn set_baseline_system(&mut self, asset_id: i64, scanned: bool) -> Result<()> {
        query("UPDATE assets SET baseline = $2 WHERE id = $1")
            .bind(asset_id)
            .bind(scanned)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn baseline_systems(&mut self, government_id: i64) -> Result<Vec<BaselineSystem>> {
        // A government registers a handful of systems; the limit only guards the page.
        let sql = "SELECT a.id, a.government_id, a.kind, a.name, a.baseline_scanned_at, s.state FROM assets a \
                   LEFT JOIN baseline_scans s ON s.asset_id = a.id AND s.state <> 'done' \
                   WHERE a.government_id = $1 AND a.baseline = $2 ORDER BY a.name, a.id LIMIT 1000";
        let rows = query(sql).bind(government_id).bind(true).fetch_all(&mut self.conn).await?;
        rows.iter()
            .map(|r| {
                Ok(BaselineSystem {
                    asset_id: r.try_get("id")?,
                    government_id: r.try_get("government_id")?,
                    kind: parse(&r.try_get::<String, _>("kind")?, "asset kind")?,
                    name: r.try_get("name")?,
                    scanned_at: r.try_get("baseline_scanned_at")?,
                    pending: opt_parse(r.try_get("state")?, "scan state")?,
                })
            })
            .collect()
    }

    async fn set_baseline_paused(&mut self, government_id: i64, paused: bool) -> Result<()> {
        query("UPDATE organisations SET baseline_paused = $2 WHERE id = $1")
            .bind(government_id)
            .bind(paused)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn baseline_paused(&mut self, government_id: i64) -> Result<bool> {
        let row = query("SELECT baseline_paused FROM organisations WHERE id = $1")
            .bind(government_id)
            .fetch_optional(&mut self.conn)
            .await?;
        Ok(match row {
            Some(r) => r.try_get(0)?,
            None => false,
        })
    }

    async fn queue_baseline_scan(&mut self, s: &NewScan) -> Result<Option<i64>> {
        let sql = "INSERT INTO baseline_scans (government_id, asset_id, cause, requested_by, queued_at, state) \
                   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id";
        let row = query(sql)
            .bind(s.government_id)
            .bind(s.asset_id)
            .bind(s.cause.as_str())
            .bind(s.requested_by)
            .bind(s.at)
            .bind(ScanState::Queued.as_str())
            .fetch_optional(&mut self.conn)
            .await?;
        row.map(|r| r.try_get(0)).transpose()
    }

    async fn queue_due_baseline_scans(&mut self, due_by: DateTime<Utc>, at: DateTime<Utc>, limit: i64) -> Result<u64> {
        // Along the partial index of registered systems, least recently scanned first.
        let sql = "INSERT INTO baseline_scans (government_id, asset_id, cause, queued_at, state) \
                   SELECT a.government_id, a.id, $3, $2, $4 FROM assets a JOIN organisations o ON o.id = a.government_id \
                   WHERE a.baseline = $6 AND (a.baseline_scanned_at IS NULL OR a.baseline_scanned_at <= $1) \
                   AND o.baseline_paused = $7 \
                   AND NOT EXISTS (SELECT 1 FROM baseline_scans s WHERE s.asset_id = a.id AND s.state <> 'done') \
                   ORDER BY a.baseline_scanned_at IS NOT NULL, a.baseline_scanned_at, a.id LIMIT $5 ON CONFLICT DO NOTHING";
        let done = query(sql)
            .bind(due_by)
            .bind(at)
            .bind(ScanCause::Schedule.as_str())
            .bind(ScanState::Queued.as_str())
            .bind(limit)
            .bind(true)
            .bind(false)
            .execute(&mut self.conn)
            .await?;
        Ok(done.rows_affected())
    }

    async fn claimable_baseline_scans(&mut self, now: DateTime<Utc>, limit: i64) -> Result<Vec<BaselineScan>> {
        let sql = format!(
            "SELECT {} FROM baseline_scans s JOIN organisations o ON o.id = s.government_id \
             WHERE s.state <> 'done' AND (s.state = $1 OR s.claimed_until <= $2) AND o.baseline_paused = $4 \
             ORDER BY s.id LIMIT $3",
            prefixed(SCAN_COLUMNS, "s")
        );
        let rows = query(&sql)
            .bind(ScanState::Queued.as_str())
            .bind(now)
            .bind(limit)
            .bind(false)
            .fetch_all(&mut self.conn)
            .await?;
        collect(rows, scan_from)
    }

    async fn claim_baseline_scan(
        &mut self,
        id: i64,
        holder: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<BaselineScan>> {
        // On PostgreSQL a second claimer waits for the first one's row lock and then finds the
        // condition false; on SQLite writers take turns. Either way one claimer wins.
        let sql = format!(
            "UPDATE baseline_scans SET state = $5, claimed_by = $2, claimed_until = $3, started_at = $4 \
             WHERE id = $1 AND state <> 'done' AND (state = $6 OR claimed_until <= $4) RETURNING {SCAN_COLUMNS}"
        );
        query(&sql)
            .bind(id)
            .bind(holder)
            .bind(until)
            .bind(now)
            .bind(ScanState::Running.as_str())
            .bind(ScanState::Queued.as_str())
            .fetch_optional(&mut self.conn)
            .await?
            .as_ref()
            .map(scan_from)
            .transpose()
    }

    async fn finish_baseline_scan(
        &mut self,
        id: i64,
        holder: &str,
        counts: VerdictCounts,
        judged_at: DateTime<Utc>,
        finished_at: DateTime<Utc>,
    ) -> Result<bool> {
        let sql = "UPDATE baseline_scans SET state = $3, finished_at = $4, judged_at = $5, passed = $6, warnings = $7, \
                   failed = $8, unknown = $9, claimed_until = NULL WHERE id = $1 AND state = $10 AND claimed_by = $2 \
                   RETURNING asset_id";
        let row = query(sql)
            .bind(id)
            .bind(holder)
            .bind(ScanState::Done.as_str())
            .bind(finished_at)
            .bind(judged_at)
            .bind(counts.passed)
            .bind(counts.warnings)
            .bind(counts.failed)
            .bind(counts.unknown)
            .bind(ScanState::Running.as_str())
            .fetch_optional(&mut self.conn)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let asset_id: i64 = row.try_get(0)?;
        query("UPDATE assets SET baseline_scanned_at = $2 WHERE id = $1")
            .bind(asset_id)
            .bind(judged_at)
            .execute(&mut self.conn)
            .await?;
        Ok(true)
    }

    async fn baseline_scan(&mut self, id: i64) -> Result<Option<BaselineScan>> {
        let sql = format!("SELECT {SCAN_COLUMNS} FROM baseline_scans WHERE id = $1");
        query(&sql)
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?
            .as_ref()
            .map(scan_from)
            .transpose()
    }

    async fn baseline_scans(&mut self, government_id: i64, limit: i64) -> Result<Vec<BaselineScan>> {
        let sql = format!("SELECT {SCAN_COLUMNS} FROM baseline_scans WHERE government_id = $1 ORDER BY id DESC LIMIT $2");
        let rows = query(&sql).bind(government_id).bind(limit).fetch_all(&mut self.conn).await?;
        collect(rows, scan_from)
    }

    async fn replace_check_results(&mut self, asset_id: i64, results: &[CheckResult]) -> Result<()> {
        query("DELETE FROM baseline_results WHERE asset_id = $1")
            .bind(asset_id)
            .execute(&mut self.conn)
            .await?;
        // A scan's few dozen verdicts in one statement per hundred: on PostgreSQL each statement
        // is a round trip.
        for chunk in results.chunks(100) {
            let sql = format!(
                "INSERT INTO baseline_results ({RESULT_COLUMNS}) VALUES {} ON CONFLICT DO NOTHING",
                placeholders(chunk.len(), 12)
            );
            let mut statement = query(&sql);
            for r in chunk {
                statement = statement
                    .bind(r.asset_id)
                    .bind(r.government_id)
                    .bind(&r.check)
                    .bind(&r.category)
                    .bind(&r.subject)
                    .bind(r.verdict.as_str())
                    .bind(&r.reason)
                    .bind(&r.message_nl)
                    .bind(&r.message_en)
                    .bind(&r.evidence)
                    .bind(r.scan_id)
                    .bind(r.seen_at);
            }
            statement.execute(&mut self.conn).await?;
        }
        Ok(())
    }

    async fn check_results(&mut self, government_id: i64, limit: i64) -> Result<Vec<CheckResult>> {
        let sql = format!(
            "SELECT {RESULT_COLUMNS} FROM baseline_results WHERE government_id = $1 ORDER BY check_code, subject, asset_id LIMIT $2"
        );
        let rows = query(&sql).bind(government_id).bind(limit).fetch_all(&mut self.conn).await?;
        collect(rows, result_from)
    }

    async fn propose_explanation(&mut self, e: &Explanation) -> Result<i64> {
        let sql = "INSERT INTO baseline_explanations (government_id, check_code, subject, explanation, state, proposed_by, proposed_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) \
                   ON CONFLICT (government_id, check_code, subject) DO UPDATE SET explanation = excluded.explanation, \
                   state = excluded.state, proposed_by = excluded.proposed_by, proposed_at = excluded.proposed_at, \
                   decided_by = NULL, decided_at = NULL, decision_note = NULL RETURNING id";
        let row = query(sql)
            .bind(e.government_id)
            .bind(&e.check)
            .bind(&e.subject)
            .bind(&e.explanation)
            .bind(ExplanationState::Proposed.as_str())
            .bind(e.proposed_by)
            .bind(e.proposed_at)
            .fetch_one(&mut self.conn)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn explanation(&mut self, id: i64) -> Result<Option<Explanation>> {
        let sql = format!("SELECT {EXPLANATION_COLUMNS} FROM baseline_explanations WHERE id = $1");
        query(&sql)
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?
            .as_ref()
            .map(explanation_from)
            .transpose()
    }

    async fn explanations(&mut self, government_id: Option<i64>, state: Option<ExplanationState>, limit: i64) -> Result<Vec<Explanation>> {
        let sql = format!(
            "SELECT {EXPLANATION_COLUMNS} FROM baseline_explanations WHERE ($1 IS NULL OR government_id = $1) \
             AND ($2 IS NULL OR state = $2) ORDER BY id LIMIT $3"
        );
        let rows = query(&sql)
            .bind(government_id)
            .bind(state.map(ExplanationState::as_str))
            .bind(limit)
            .fetch_all(&mut self.conn)
            .await?;
        collect(rows, explanation_from)
    }

    async fn decide_explanation(&mut self, e: &Explanation) -> Result<()> {
        query("UPDATE baseline_explanations SET state = $2, decided_by = $3, decided_at = $4, decision_note = $5 WHERE id = $1")
            .bind(e.id)
            .bind(e.state.as_str())
            .bind(e.decided_by)
            .bind(e.decided_at)
            .bind(e.decision_note.as_deref())
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn record_scores(&mut self, points: &[ScorePoint]) -> Result<()> {
        if points.is_empty() {
            return Ok(());
        }
        let values = placeholders(points.len(), 5);
        let history = format!(
            "INSERT INTO baseline_scores (government_id, at, category, half_points, counted) VALUES {values} \
             ON CONFLICT (government_id, at, category) DO UPDATE SET half_points = excluded.half_points, counted = excluded.counted"
        );
        bind_points(&history, points).execute(&mut self.conn).await?;
        let current = format!(
            "INSERT INTO baseline_current_scores (government_id, at, category, half_points, counted) VALUES {values} \
             ON CONFLICT (government_id, category) DO UPDATE SET at = excluded.at, half_points = excluded.half_points, \
             counted = excluded.counted WHERE baseline_current_scores.at <= excluded.at"
        );
        bind_points(&current, points).execute(&mut self.conn).await?;
        Ok(())
    }

    async fn score_history(&mut self, government_id: i64, since: DateTime<Utc>, limit: i64) -> Result<Vec<ScorePoint>> {
        let sql = "SELECT government_id, at, category, half_points, counted FROM baseline_scores \
                   WHERE government_id = $1 AND at >= $2 ORDER BY at, category LIMIT $3";
        let rows = query(sql)
            .bind(government_id)
            .bind(since)
            .bind(limit)
            .fetch_all(&mut self.conn)
            .await?;
        collect(rows, score_from)
    }

    async fn baseline_overview(&mut self, after_id: i64, limit: i64) -> Result<Vec<GovernmentBaseline>> {
        let sql = "SELECT o.id, o.name, o.nis_code, o.province_nis, o.baseline_paused, \
                   (SELECT COUNT(*) FROM assets a WHERE a.government_id = o.id AND a.baseline = $3) AS systems \
                   FROM organisations o WHERE o.id > $1 \
                   AND EXISTS (SELECT 1 FROM assets a WHERE a.government_id = o.id AND a.baseline = $3) \
                   ORDER BY o.id LIMIT $2";
        let rows = query(sql).bind(after_id).bind(limit).bind(true).fetch_all(&mut self.conn).await?;
        let mut page = Vec::with_capacity(rows.len());
        for r in &rows {
            page.push(GovernmentBaseline {
                government_id: r.try_get("id")?,
                name: r.try_get("name")?,
                nis_code: opt_parse(r.try_get("nis_code")?, "NIS code")?,
                province_nis: opt_parse(r.try_get("province_nis")?, "NIS code")?,
                paused: r.try_get("baseline_paused")?,
                systems: r.try_get("systems")?,
                scores: Vec::new(),
            });
        }
        let (Some(first), Some(last)) = (page.first(), page.last()) else {
            return Ok(page);
        };
        let sql = "SELECT government_id, at, category, half_points, counted FROM baseline_current_scores \
                   WHERE government_id >= $1 AND government_id <= $2 ORDER BY government_id, category LIMIT $3";
        let rows = query(sql)
            .bind(first.government_id)
            .bind(last.government_id)
            .bind(limit * 8)
            .fetch_all(&mut self.conn)
            .await?;
        for point in collect(rows, score_from)? {
            if let Some(g) = page.iter_mut().find(|g| g.government_id == point.government_id) {
                g.scores.push(point);
            }
        }
        Ok(page)
    }

    async fn baseline_public(&mut self) -> Result<bool> {
        let row = query("SELECT public FROM baseline_publication WHERE id = 1")
            .fetch_optional(&mut self.conn)
            .await?;
        Ok(match row {
            Some(r) => r.try_get(0)?,
            None => false,
        })
    }

    async fn set_baseline_public(&mut self, public: bool, by: i64, at: DateTime<Utc>) -> Result<()> {
        query("UPDATE baseline_publication SET public = $1, changed_by = $2, changed_at = $3 WHERE id = 1")
            .bind(public)
            .bind(by)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn baseline_sighting(&mut self, s: &BaselineSighting) -> Result<()> {
        let sql = "UPDATE findings SET last_seen = $2, evidence = $3, status = CASE WHEN $4 THEN 'open' ELSE status END, \
                   severity = $5, severity_rank = $6, decision = $7, due_on = $8 WHERE id = $1";
        query(sql)
            .bind(s.finding_id)
            .bind(s.at)
            .bind(&s.evidence)
            .bind(s.reopen)
            .bind(s.severity.as_str())
            .bind(s.severity.rank())
            .bind(s.decision.as_str())
            .bind(s.due_on)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }
}

/// A statement of score points, five values each.
fn bind_points<'q>(sql: &'q str, points: &'q [ScorePoint]) -> Statement<'q> {
    let mut statement = query(sql);
    for p in points {
        statement = statement
            .bind(p.government_id)
            .bind(p.at)
            .bind(&p.category)
            .bind(i64::from(p.score.half_points))
            .bind(i64::from(p.score.counted));
    }
    statement
}

/// `($1, ..., $width), ($width+1, ...)` for `rows` rows.
fn placeholders(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            format!(
                "({})",
                (1..=width).map(|c| format!("${}", r * width + c)).collect::<Vec<_>>().join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `id, name` as `s.id, s.name`.
fn prefixed(columns: &str, alias: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}
