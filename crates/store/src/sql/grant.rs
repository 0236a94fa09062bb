//! VVSG's project grant: deliverables, the action plan, cost claims with the grant's ledger, and
//! progress reports.

use super::prelude::*;
use crate::GrantTx;
use cyberveilig_domain::grant::{ClaimState, PlanStatus};

const DELIVERABLE_FIELDS: &str =
    "id, grant_id, work_package, title, planned_on, done_on, event_id, toolkit_item_id, created_at, updated_at";

const PLAN_ITEM: &str = "SELECT i.id, i.grant_id, i.work_package, i.title, i.owner_id, p.name AS owner_name, i.status, \
    i.due_on, i.created_at, i.updated_at FROM grant_plan_items i JOIN people p ON p.id = i.owner_id";

const CLAIM_FIELDS: &str = "id, grant_id, work_package, costs_from, costs_until, amount_cents, description, state, \
    document_name, document_sha256, document_size, submitted_by, submitted_at, decided_by, decided_at, reason, paid_on, \
    payment_reference";

const REPORT_FIELDS: &str = "id, grant_id, period_from, period_until, text, figures, submitted_by, submitted_at, \
    reviewed_by, reviewed_at, review_note";

fn package(row: &Row, column: &str) -> Result<u32> {
    let n: i64 = row.try_get(column)?;
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("work package {n}")))
}

pub(crate) fn grant_from(row: &Row) -> Result<ProjectGrant> {
    let packages: String = row.try_get("work_packages")?;
    Ok(ProjectGrant {
        id: row.try_get("id")?,
        beneficiary_id: row.try_get("beneficiary_id")?,
        name: row.try_get("name")?,
        amount: Money::from_cents(row.try_get("amount_cents")?),
        starts_on: row.try_get("starts_on")?,
        ends_on: row.try_get("ends_on")?,
        work_packages: serde_json::from_str(&packages).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        governance: row.try_get("governance")?,
    })
}

fn deliverable_from(row: &Row) -> Result<Deliverable> {
    Ok(Deliverable {
        id: row.try_get("id")?,
        grant_id: row.try_get("grant_id")?,
        work_package: package(row, "work_package")?,
        title: row.try_get("title")?,
        planned_on: row.try_get("planned_on")?,
        done_on: row.try_get("done_on")?,
        event_id: row.try_get("event_id")?,
        toolkit_item_id: row.try_get("toolkit_item_id")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn plan_item_from(row: &Row) -> Result<PlanItem> {
    let work_package: Option<i64> = row.try_get("work_package")?;
    Ok(PlanItem {
        id: row.try_get("id")?,
        grant_id: row.try_get("grant_id")?,
        work_package: work_package
            .map(|n| u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("work package {n}"))))
            .transpose()?,
        title: row.try_get("title")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        status: parse::<PlanStatus>(&row.try_get::<String, _>("status")?, "plan status")?,
        due_on: row.try_get("due_on")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn claim_from(row: &Row) -> Result<CostClaim> {
    Ok(CostClaim {
        id: row.try_get("id")?,
        grant_id: row.try_get("grant_id")?,
        work_package: package(row, "work_package")?,
        costs_from: row.try_get("costs_from")?,
        costs_until: row.try_get("costs_until")?,
        amount: Money::from_cents(row.try_get("amount_cents")?),
        description: row.try_get("description")?,
        state: parse::<ClaimState>(&row.try_get::<String, _>("state")?, "claim state")?,
        document_name: row.try_get("document_name")?,
        document_sha256: row.try_get("document_sha256")?,
        document_size: row.try_get("document_size")?,
        submitted_by: row.try_get("submitted_by")?,
        submitted_at: row.try_get("submitted_at")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        reason: row.try_get("reason")?,
        paid_on: row.try_get("paid_on")?,
        payment_reference: row.try_get("payment_reference")?,
    })
}

fn report_from(row: &Row) -> Result<ProgressReport> {
    let figures: String = row.try_get("figures")?;
    Ok(ProgressReport {
        id: row.try_get("id")?,
        grant_id: row.try_get("grant_id")?,
        period_from: row.try_get("period_from")?,
        period_until: row.try_get("period_until")?,
        text: row.try_get("text")?,
        figures: serde_json::from_str(&figures).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        submitted_by: row.try_get("submitted_by")?,
        submitted_at: row.try_get("submitted_at")?,
        reviewed_by: row.try_get("reviewed_by")?,
        reviewed_at: row.try_get("reviewed_at")?,
        review_note: row.try_get("review_note")?,
    })
}

fn sums_from(row: &Row) -> Result<PackageSums> {
    Ok(PackageSums {
        work_package: package(row, "work_package")?,
        claimed: Money::from_cents(row.try_get("claimed")?),
        approved: Money::from_cents(row.try_get("approved")?),
        paid: Money::from_cents(row.try_get("paid")?),
        rejected: Money::from_cents(row.try_get("rejected")?),
    })
}

#[async_trait::async_trait]
impl<C: Connection> GrantTx for Transaction<C> {
    async fn lock_grant(&mut self, id: i64) -> Result<Option<ProjectGrant>> {
        let row = query(&format!("SELECT * FROM project_grants WHERE id = $1{}", C::FOR_UPDATE))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(grant_from).transpose()
    }

    async fn grant(&mut self, id: i64) -> Result<Option<ProjectGrant>> {
        let row = query("SELECT * FROM project_grants WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(grant_from).transpose()
    }

    async fn set_work_packages(&mut self, grant_id: i64, packages: &[WorkPackage]) -> Result<()> {
        let packages = serde_json::to_string(packages).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        query("UPDATE project_grants SET work_packages = $2 WHERE id = $1")
            .bind(grant_id)
            .bind(packages)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn grant_balances(&mut self, grant_id: i64) -> Result<Balances> {
        // A statement of its own after the grant's lock: on PostgreSQL it sees what the
        // transaction before committed.
        let row = query(
            "SELECT budget_after AS budget, reserved_after AS reserved, paid_after AS paid FROM grant_postings \
             WHERE grant_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(grant_id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref()
            .map(super::ledger::balances_from)
            .transpose()
            .map(Option::unwrap_or_default)
    }

    async fn grant_balances_from_postings(&mut self, grant_id: i64) -> Result<Balances> {
        let row = query(
            "SELECT \
               CAST(COALESCE(SUM(CASE WHEN from_account = 'appropriation' THEN amount_cents \
                                      WHEN to_account = 'appropriation' THEN -amount_cents ELSE 0 END), 0) AS BIGINT) AS budget, \
               CAST(COALESCE(SUM(CASE WHEN to_account = 'reserved' THEN amount_cents \
                                      WHEN from_account = 'reserved' THEN -amount_cents ELSE 0 END), 0) AS BIGINT) AS reserved, \
               CAST(COALESCE(SUM(CASE WHEN to_account = 'paid' THEN amount_cents \
                                      WHEN from_account = 'paid' THEN -amount_cents ELSE 0 END), 0) AS BIGINT) AS paid \
             FROM grant_postings WHERE grant_id = $1",
        )
        .bind(grant_id)
        .fetch_one(&mut self.conn)
        .await?;
        super::ledger::balances_from(&row)
    }

    async fn insert_grant_posting(&mut self, p: &GrantPosting) -> Result<i64> {
        let row = query(
            "INSERT INTO grant_postings (grant_id, claim_id, from_account, to_account, amount_cents, \
             budget_after, reserved_after, paid_after, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(p.grant_id)
        .bind(p.claim_id)
        .bind(p.from.as_str())
        .bind(p.to.as_str())
        .bind(p.amount.cents())
        .bind(p.after.budget.cents())
        .bind(p.after.reserved.cents())
        .bind(p.after.paid.cents())
        .bind(p.at)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn insert_deliverable(&mut self, d: &Deliverable) -> Result<i64> {
        let row = query(
            "INSERT INTO grant_deliverables (grant_id, work_package, title, planned_on, done_on, event_id, created_at, updated_at, \
             toolkit_item_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(d.grant_id)
        .bind(i64::from(d.work_package))
        .bind(&d.title)
        .bind(d.planned_on)
        .bind(d.done_on)
        .bind(d.event_id)
        .bind(d.created_at)
        .bind(d.updated_at)
        .bind(d.toolkit_item_id)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn update_deliverable(&mut self, d: &Deliverable) -> Result<()> {
        query(
            "UPDATE grant_deliverables SET work_package = $2, title = $3, planned_on = $4, done_on = $5, event_id = $6, \
             updated_at = $7, toolkit_item_id = $8 WHERE id = $1",
        )
        .bind(d.id)
        .bind(i64::from(d.work_package))
        .bind(&d.title)
        .bind(d.planned_on)
        .bind(d.done_on)
        .bind(d.event_id)
        .bind(d.updated_at)
        .bind(d.toolkit_item_id)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn deliverable(&mut self, id: i64) -> Result<Option<Deliverable>> {
        let row = query(&format!("SELECT {DELIVERABLE_FIELDS} FROM grant_deliverables WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(deliverable_from).transpose()
    }

    async fn deliverables(&mut self, grant_id: i64) -> Result<Vec<Deliverable>> {
        let rows = query(&format!(
            "SELECT {DELIVERABLE_FIELDS} FROM grant_deliverables WHERE grant_id = $1 ORDER BY work_package, planned_on, id"
        ))
        .bind(grant_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, deliverable_from)
    }

    async fn insert_plan_item(&mut self, i: &PlanItem) -> Result<i64> {
        let row = query(
            "INSERT INTO grant_plan_items (grant_id, work_package, title, owner_id, status, due_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(i.grant_id)
        .bind(i.work_package.map(i64::from))
        .bind(&i.title)
        .bind(i.owner_id)
        .bind(i.status.as_str())
        .bind(i.due_on)
        .bind(i.created_at)
        .bind(i.updated_at)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn update_plan_item(&mut self, i: &PlanItem) -> Result<()> {
        query(
            "UPDATE grant_plan_items SET work_package = $2, title = $3, owner_id = $4, status = $5, due_on = $6, \
             updated_at = $7 WHERE id = $1",
        )
        .bind(i.id)
        .bind(i.work_package.map(i64::from))
        .bind(&i.title)
        .bind(i.owner_id)
        .bind(i.status.as_str())
        .bind(i.due_on)
        .bind(i.updated_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn plan_item(&mut self, id: i64) -> Result<Option<PlanItem>> {
        let row = query(&format!("{PLAN_ITEM} WHERE i.id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(plan_item_from).transpose()
    }

    async fn plan_items(&mut self, grant_id: i64) -> Result<Vec<PlanItem>> {
        let rows = query(&format!("{PLAN_ITEM} WHERE i.grant_id = $1 ORDER BY i.due_on, i.id"))
            .bind(grant_id)
            .fetch_all(&mut self.conn)
            .await?;
        collect(rows, plan_item_from)
    }

    async fn insert_claim(&mut self, c: &CostClaim, document: &[u8]) -> Result<i64> {
        let row = query(
            "INSERT INTO grant_claims (grant_id, work_package, costs_from, costs_until, amount_cents, description, state, \
             document_name, document_sha256, document_size, document, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(c.grant_id)
        .bind(i64::from(c.work_package))
        .bind(c.costs_from)
        .bind(c.costs_until)
        .bind(c.amount.cents())
        .bind(&c.description)
        .bind(c.state.as_str())
        .bind(&c.document_name)
        .bind(&c.document_sha256)
        .bind(c.document_size)
        .bind(document.to_vec())
        .bind(c.submitted_by)
        .bind(c.submitted_at)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn update_claim(&mut self, c: &CostClaim) -> Result<()> {
        query(
            "UPDATE grant_claims SET state = $2, decided_by = $3, decided_at = $4, reason = $5, paid_on = $6, \
             payment_reference = $7 WHERE id = $1",
        )
        .bind(c.id)
        .bind(c.state.as_str())
        .bind(c.decided_by)
        .bind(c.decided_at)
        .bind(c.reason.clone())
        .bind(c.paid_on)
        .bind(c.payment_reference.clone())
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn claim(&mut self, id: i64) -> Result<Option<CostClaim>> {
        let row = query(&format!("SELECT {CLAIM_FIELDS} FROM grant_claims WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(claim_from).transpose()
    }

    async fn claim_document(&mut self, id: i64) -> Result<Option<Vec<u8>>> {
        let row = query("SELECT document FROM grant_claims WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.map(|r| r.try_get::<Vec<u8>, _>("document")).transpose()
    }

    async fn claims(&mut self, f: &ClaimFilter) -> Result<Vec<CostClaim>> {
        let mut sql = format!("SELECT {CLAIM_FIELDS} FROM grant_claims WHERE grant_id = $1");
        let mut n = 1;
        let mut next = |sql: &mut String, clause: &str| {
            n += 1;
            sql.push_str(&clause.replace('?', &format!("${n}")));
        };
        if f.state.is_some() {
            next(&mut sql, " AND state = ?");
        }
        if f.work_package.is_some() {
            next(&mut sql, " AND work_package = ?");
        }
        if f.before_id.is_some() {
            next(&mut sql, " AND id < ?");
        }
        next(&mut sql, " ORDER BY id DESC LIMIT ?");
        let mut q = query(&sql).bind(f.grant_id);
        if let Some(state) = f.state {
            q = q.bind(state.as_str());
        }
        if let Some(wp) = f.work_package {
            q = q.bind(i64::from(wp));
        }
        if let Some(before) = f.before_id {
            q = q.bind(before);
        }
        let rows = q.bind(f.limit).fetch_all(&mut self.conn).await?;
        collect(rows, claim_from)
    }

    async fn claim_sums(&mut self, grant_id: i64) -> Result<Vec<PackageSums>> {
        let rows = query(
            "SELECT work_package, \
               CAST(COALESCE(SUM(CASE WHEN state <> 'rejected' THEN amount_cents ELSE 0 END), 0) AS BIGINT) AS claimed, \
               CAST(COALESCE(SUM(CASE WHEN state = 'approved' THEN amount_cents ELSE 0 END), 0) AS BIGINT) AS approved, \
               CAST(COALESCE(SUM(CASE WHEN state = 'paid' THEN amount_cents ELSE 0 END), 0) AS BIGINT) AS paid, \
               CAST(COALESCE(SUM(CASE WHEN state = 'rejected' THEN amount_cents ELSE 0 END), 0) AS BIGINT) AS rejected \
             FROM grant_claims WHERE grant_id = $1 GROUP BY work_package ORDER BY work_package",
        )
        .bind(grant_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, sums_from)
    }

    async fn insert_progress_report(&mut self, r: &ProgressReport) -> Result<Option<i64>> {
        let figures = serde_json::to_string(&r.figures).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let row = query(
            "INSERT INTO grant_progress_reports (grant_id, period_from, period_until, text, figures, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (grant_id, period_from) DO NOTHING RETURNING id",
        )
        .bind(r.grant_id)
        .bind(r.period_from)
        .bind(r.period_until)
        .bind(&r.text)
        .bind(figures)
        .bind(r.submitted_by)
        .bind(r.submitted_at)
        .fetch_optional(&mut self.conn)
        .await?;
        row.map(|r| r.try_get::<i64, _>(0)).transpose()
    }

    async fn update_progress_report(&mut self, r: &ProgressReport) -> Result<()> {
        query("UPDATE grant_progress_reports SET reviewed_by = $2, reviewed_at = $3, review_note = $4 WHERE id = $1")
            .bind(r.id)
            .bind(r.reviewed_by)
            .bind(r.reviewed_at)
            .bind(r.review_note.clone())
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn progress_report(&mut self, id: i64) -> Result<Option<ProgressReport>> {
        let row = query(&format!("SELECT {REPORT_FIELDS} FROM grant_progress_reports WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(report_from).transpose()
    }

    async fn progress_reports(&mut self, grant_id: i64) -> Result<Vec<ProgressReport>> {
        let rows = query(&format!(
            "SELECT {REPORT_FIELDS} FROM grant_progress_reports WHERE grant_id = $1 ORDER BY period_from DESC"
        ))
        .bind(grant_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, report_from)
    }
}
