//! Programmes, their amendments, the VVSG project grant and the framework agreements.

use super::prelude::*;

pub(crate) fn programme_from(row: &Row) -> Result<Programme> {
    let settings: String = row.try_get("settings")?;
    Ok(Programme {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        settings: serde_json::from_str::<ProgrammeSettings>(&settings)
            .map_err(|e| StoreError::Corrupt(format!("programme settings: {e}")))?,
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait::async_trait]
impl<C: Connection> crate::ProgrammeTx for Transaction<C> {
    async fn insert_programme(&mut self, name: &str, settings: &ProgrammeSettings, at: DateTime<Utc>) -> Result<i64> {
        let settings = serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let row = query("INSERT INTO programmes (name, settings, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(name)
            .bind(settings)
            .bind(at)
            .fetch_one(&mut self.conn)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn update_programme_settings(&mut self, id: i64, settings: &ProgrammeSettings) -> Result<()> {
        let settings = serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        query("UPDATE programmes SET settings = $2 WHERE id = $1")
            .bind(id)
            .bind(settings)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn programme(&mut self, id: i64) -> Result<Option<Programme>> {
        let row = query("SELECT * FROM programmes WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(programme_from).transpose()
    }

    async fn lock_programme(&mut self, id: i64) -> Result<Option<Programme>> {
        let sql = format!(
            "SELECT p.id, p.name, p.settings, p.created_at, h.seq AS head_seq, h.hash AS head_hash \
             FROM programmes p CROSS JOIN audit_chain_head h WHERE p.id = $1 AND h.id = 1{}",
            C::FOR_UPDATE
        );
        let row = query(&sql).bind(id).fetch_optional(&mut self.conn).await?;
        let Some(row) = row else { return Ok(None) };
        // What this transaction changed itself is newer than what the database says.
        if self.head.is_none() {
            self.head = Some((row.try_get("head_seq")?, row.try_get("head_hash")?, false));
        }
        programme_from(&row).map(Some)
    }

    async fn programmes(&mut self) -> Result<Vec<Programme>> {
        let rows = query("SELECT * FROM programmes ORDER BY id").fetch_all(&mut self.conn).await?;
        collect(rows, programme_from)
    }

    async fn insert_amendment(
        &mut self,
        programme_id: i64,
        summary: &serde_json::Value,
        reason: &str,
        decided_by: i64,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let row = query(
            "INSERT INTO amendments (programme_id, summary, reason, decided_by, at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(programme_id)
        .bind(summary.to_string())
        .bind(reason)
        .bind(decided_by)
        .bind(at)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn amendments(&mut self, programme_id: i64) -> Result<Vec<Amendment>> {
        let rows = query("SELECT * FROM amendments WHERE programme_id = $1 ORDER BY id")
            .bind(programme_id)
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter()
            .map(|row| {
                let summary: String = row.try_get("summary")?;
                Ok(Amendment {
                    id: row.try_get("id")?,
                    programme_id: row.try_get("programme_id")?,
                    summary: serde_json::from_str(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    reason: row.try_get("reason")?,
                    decided_by: row.try_get("decided_by")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }

    async fn insert_grant(&mut self, g: &ProjectGrant) -> Result<i64> {
        let packages = serde_json::to_string(&g.work_packages).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let row = query(
            "INSERT INTO project_grants (beneficiary_id, name, amount_cents, starts_on, ends_on, work_packages, governance) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(g.beneficiary_id)
        .bind(&g.name)
        .bind(g.amount.cents())
        .bind(g.starts_on)
        .bind(g.ends_on)
        .bind(packages)
        .bind(&g.governance)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn grants(&mut self) -> Result<Vec<ProjectGrant>> {
        let rows = query("SELECT * FROM project_grants ORDER BY id").fetch_all(&mut self.conn).await?;
        collect(rows, super::grant::grant_from)
    }

    async fn insert_agreement(&mut self, a: &FrameworkAgreement) -> Result<i64> {
        let id: i64 = query(
            "INSERT INTO framework_agreements (reference, title, window_from, window_until, active, response_term_working_days) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&a.reference)
        .bind(&a.title)
        .bind(a.window_from)
        .bind(a.window_until)
        .bind(a.active)
        .bind(i64::from(a.response_term_working_days))
        .fetch_one(&mut self.conn)
        .await
        .map_err(unique_violation)?
        .try_get(0)?;
        for firm in &a.cascade {
            query(
                "INSERT INTO cascade_firms (agreement_id, rank, firm_id, package_price_cents, day_rate_cents) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(i64::from(firm.rank))
            .bind(firm.firm_id)
            .bind(firm.package_price.cents())
            .bind(firm.day_rate.cents())
            .execute(&mut self.conn)
            .await?;
        }
        Ok(id)
    }

    async fn agreements(&mut self) -> Result<Vec<FrameworkAgreement>> {
        let rows = query(
            "SELECT a.id, a.reference, a.title, a.window_from, a.window_until, a.active, a.response_term_working_days, \
                    c.rank, c.firm_id, c.package_price_cents, c.day_rate_cents \
             FROM framework_agreements a LEFT JOIN cascade_firms c ON c.agreement_id = a.id \
             ORDER BY a.window_from, a.id, c.rank",
        )
        .fetch_all(&mut self.conn)
        .await?;
        let mut agreements: Vec<FrameworkAgreement> = Vec::new();
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            if agreements.last().map(|a| a.id) != Some(id) {
                agreements.push(FrameworkAgreement {
                    id,
                    reference: row.try_get("reference")?,
                    title: row.try_get("title")?,
                    window_from: row.try_get("window_from")?,
                    window_until: row.try_get("window_until")?,
                    active: row.try_get("active")?,
                    response_term_working_days: row.try_get::<i64, _>("response_term_working_days")? as u32,
                    cascade: Vec::new(),
                });
            }
            if let (Some(rank), Some(agreement)) = (row.try_get::<Option<i64>, _>("rank")?, agreements.last_mut()) {
                agreement.cascade.push(CascadeFirm {
                    firm_id: row.try_get("firm_id")?,
                    rank: rank as u32,
                    package_price: Money::from_cents(row.try_get("package_price_cents")?),
                    day_rate: Money::from_cents(row.try_get("day_rate_cents")?),
                });
            }
        }
        Ok(agreements)
    }

    async fn set_agreement_active(&mut self, id: i64, active: bool) -> Result<()> {
        query("UPDATE framework_agreements SET active = $2 WHERE id = $1")
            .bind(id)
            .bind(active)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }
}
