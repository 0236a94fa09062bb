//! Orders: their life from submission to settlement, the waiting list and the offers that fall due.

use super::prelude::*;

pub(crate) fn order_from(row: &Row) -> Result<Order> {
    Ok(Order {
        id: row.try_get("id")?,
        programme_id: row.try_get("programme_id")?,
        government_id: row.try_get("government_id")?,
        kind: parse(&row.try_get::<String, _>("kind")?, "order kind")?,
        scope: row.try_get("scope")?,
        estimated_cost: money(row.try_get("estimated_cost_cents")?),
        rate: parse(&row.try_get::<String, _>("rate")?, "rate")?,
        state: parse(&row.try_get::<String, _>("state")?, "order state")?,
        agreement_id: row.try_get("agreement_id")?,
        cascade_rank: row.try_get::<Option<i64>, _>("cascade_rank")?.map(|r| r as u32),
        firm_id: row.try_get("firm_id")?,
        offered_on: row.try_get("offered_on")?,
        response_due_on: row.try_get("response_due_on")?,
        price: money(row.try_get("price_cents")?),
        planned_start_on: row.try_get("planned_start_on")?,
        accepted_on: row.try_get("accepted_on")?,
        delivered_on: row.try_get("delivered_on")?,
        remediation_day_on: row.try_get("remediation_day_on")?,
        invoice_number: row.try_get("invoice_number")?,
        invoiced: money(row.try_get("invoiced_cents")?),
        reserved: Money::from_cents(row.try_get("reserved_cents")?),
        paid: Money::from_cents(row.try_get("paid_cents")?),
        submitted_on: row.try_get("submitted_on")?,
        submitted_at: row.try_get("submitted_at")?,
        submitted_by: row.try_get("submitted_by")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Binds what changes in an order's life, in the column order both insert and update use,
/// from `state` to `paid_cents`, then `updated_at`.
pub(crate) fn bind_life<'q>(query: Statement<'q>, o: &'q Order) -> Statement<'q> {
    query
        .bind(o.state.as_str())
        .bind(o.agreement_id)
        .bind(o.cascade_rank.map(i64::from))
        .bind(o.firm_id)
        .bind(o.offered_on)
        .bind(o.response_due_on)
        .bind(o.price.map(Money::cents))
        .bind(o.planned_start_on)
        .bind(o.accepted_on)
        .bind(o.delivered_on)
        .bind(o.remediation_day_on)
        .bind(&o.invoice_number)
        .bind(o.invoiced.map(Money::cents))
        .bind(o.reserved.cents())
        .bind(o.paid.cents())
        .bind(o.updated_at)
}

#[async_trait::async_trait]
impl<C: Connection> crate::OrdersTx for Transaction<C> {
    async fn insert_order(&mut self, o: &Order) -> Result<i64> {
        let query = query(
            "INSERT INTO orders (programme_id, government_id, kind, scope, estimated_cost_cents, rate, \
             submitted_on, submitted_at, submitted_by, \
             state, agreement_id, cascade_rank, firm_id, offered_on, response_due_on, price_cents, planned_start_on, \
             accepted_on, delivered_on, remediation_day_on, invoice_number, invoiced_cents, reserved_cents, paid_cents, \
             updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) \
             RETURNING id",
        )
        .bind(o.programme_id)
        .bind(o.government_id)
        .bind(o.kind.as_str())
        .bind(&o.scope)
        .bind(o.estimated_cost.map(Money::cents))
        .bind(o.rate.to_string())
        .bind(o.submitted_on)
        .bind(o.submitted_at)
        .bind(o.submitted_by);
        let row = bind_life(query, o).fetch_one(&mut self.conn).await?;
        Ok(row.try_get(0)?)
    }

    async fn update_order(&mut self, o: &Order) -> Result<()> {
        let query = query(
            "UPDATE orders SET state = $2, agreement_id = $3, cascade_rank = $4, firm_id = $5, offered_on = $6, \
             response_due_on = $7, price_cents = $8, planned_start_on = $9, accepted_on = $10, delivered_on = $11, \
             remediation_day_on = $12, invoice_number = $13, invoiced_cents = $14, reserved_cents = $15, \
             paid_cents = $16, updated_at = $17 WHERE id = $1",
        )
        .bind(o.id);
        bind_life(query, o).execute(&mut self.conn).await?;
        Ok(())
    }

    async fn order(&mut self, id: i64) -> Result<Option<Order>> {
        let row = query(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(order_from).transpose()
    }

    async fn orders(&mut self, f: &OrderFilter) -> Result<Vec<Order>> {
        let (after, order) = if f.newest_first {
            ("id < $5", "id DESC")
        } else {
            ("id > $5", "id")
        };
        let rows = query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders \
             WHERE ($1 IS NULL OR programme_id = $1) AND ($2 IS NULL OR state = $2) \
               AND ($3 IS NULL OR government_id = $3) AND ($4 IS NULL OR firm_id = $4) AND {after} \
               AND ($7 IS NULL OR agreement_id = $7) \
               AND ($8 IS NULL OR government_id IN (SELECT id FROM organisations WHERE province_nis = $8)) \
               AND ($9 IS NULL OR submitted_on >= $9) AND ($10 IS NULL OR submitted_on <= $10) \
               AND ($11 IS NULL OR (kind = 'basic' AND state IN ('delivered', 'remediation_day_held', 'invoiced', 'settled') \
                    AND NOT EXISTS (SELECT 1 FROM audit_reports r WHERE r.order_id = orders.id))) \
             ORDER BY {order} LIMIT $6"
        ))
        .bind(f.programme_id)
        .bind(f.state.map(|s| s.as_str()))
        .bind(f.government_id)
        .bind(f.firm_id)
        .bind(f.after_id.unwrap_or(if f.newest_first { i64::MAX } else { 0 }))
        .bind(f.limit)
        .bind(f.agreement_id)
        .bind(f.province_nis.as_deref())
        .bind(f.submitted_from)
        .bind(f.submitted_until)
        .bind(f.delivered_without_report.then_some(true))
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, order_from)
    }

    async fn order_counts(&mut self, programme_id: i64) -> Result<Vec<(OrderKind, OrderState, i64)>> {
        let rows = query("SELECT kind, state, COUNT(*) AS n FROM orders WHERE programme_id = $1 GROUP BY kind, state ORDER BY kind, state")
            .bind(programme_id)
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    parse(&r.try_get::<String, _>("kind")?, "order kind")?,
                    parse(&r.try_get::<String, _>("state")?, "order state")?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }

    async fn count_in_state(&mut self, programme_id: i64, state: OrderState) -> Result<i64> {
        let row = query("SELECT COUNT(*) FROM orders WHERE programme_id = $1 AND state = $2")
            .bind(programme_id)
            .bind(state.as_str())
            .fetch_one(&mut self.conn)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn orders_by_government(&mut self, programme_id: i64) -> Result<Vec<(i64, i64, i64)>> {
        let rows = query(
            "SELECT government_id, \
                    CAST(SUM(CASE WHEN kind = 'basic' THEN 1 ELSE 0 END) AS BIGINT) AS basic, \
                    CAST(SUM(CASE WHEN kind = 'additional' THEN 1 ELSE 0 END) AS BIGINT) AS additional \
             FROM orders WHERE programme_id = $1 AND state NOT IN ('cancelled', 'unplaceable') \
             GROUP BY government_id ORDER BY government_id",
        )
        .bind(programme_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("government_id")?, r.try_get("basic")?, r.try_get("additional")?)))
            .collect()
    }

    async fn has_basic_audit(&mut self, programme_id: i64, government_id: i64) -> Result<bool> {
        let row = query(
            "SELECT COUNT(*) FROM orders WHERE programme_id = $1 AND government_id = $2 AND kind = 'basic' \
             AND state NOT IN ('cancelled', 'unplaceable')",
        )
        .bind(programme_id)
        .bind(government_id)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    async fn waitlist(&mut self, programme_id: i64) -> Result<Vec<Order>> {
        let rows = query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE programme_id = $1 AND state = 'waitlisted' ORDER BY id"
        ))
        .bind(programme_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, order_from)
    }

    async fn orders_awaiting_agreement(&mut self, agreement_id: i64) -> Result<Vec<Order>> {
        let rows = query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE agreement_id = $1 AND state = 'awaiting_framework' ORDER BY id"
        ))
        .bind(agreement_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, order_from)
    }

    async fn earliest_response_due(&mut self) -> Result<Option<NaiveDate>> {
        let row = query("SELECT MIN(response_due_on) FROM orders WHERE state = 'offered'")
            .fetch_one(&mut self.conn)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn offers_due_before(&mut self, date: NaiveDate) -> Result<Vec<Order>> {
        let rows = query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE state = 'offered' AND response_due_on < $1 ORDER BY programme_id, id"
        ))
        .bind(date)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, order_from)
    }
}
