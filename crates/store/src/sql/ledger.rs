//! The programme's ledger: postings and the balances after each.

use super::prelude::*;

pub(crate) fn balances_from(row: &Row) -> Result<Balances> {
    Ok(Balances {
        budget: Money::from_cents(row.try_get("budget")?),
        reserved: Money::from_cents(row.try_get("reserved")?),
        paid: Money::from_cents(row.try_get("paid")?),
    })
}

#[async_trait::async_trait]
impl<C: Connection> crate::LedgerTx for Transaction<C> {
    async fn balances(&mut self, programme_id: i64) -> Result<Balances> {
        if let Some((pid, balances)) = &self.balances
            && *pid == programme_id
        {
            return Ok(*balances);
        }
        let row = query(
            "SELECT budget_after AS budget, reserved_after AS reserved, paid_after AS paid FROM postings \
             WHERE programme_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(programme_id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(balances_from).transpose().map(Option::unwrap_or_default)
    }

    async fn balances_from_postings(&mut self, programme_id: i64) -> Result<Balances> {
        let row = query(
            "SELECT \
               CAST(COALESCE(SUM(CASE WHEN from_account = 'appropriation' THEN amount_cents \
                                      WHEN to_account = 'appropriation' THEN -amount_cents ELSE 0 END), 0) AS BIGINT) AS budget, \
               CAST(COALESCE(SUM(CASE WHEN to_account = 'reserved' THEN amount_cents \
                                      WHEN from_account = 'reserved' THEN -amount_cents ELSE 0 END), 0) AS BIGINT) AS reserved, \
               CAST(COALESCE(SUM(CASE WHEN to_account = 'paid' THEN amount_cents \
                                      WHEN from_account = 'paid' THEN -amount_cents ELSE 0 END), 0) AS BIGINT) AS paid \
             FROM postings WHERE programme_id = $1",
        )
        .bind(programme_id)
        .fetch_one(&mut self.conn)
        .await?;
        balances_from(&row)
    }

    async fn order_reservations(&mut self, programme_id: i64) -> Result<i64> {
        let row = query("SELECT CAST(COALESCE(SUM(reserved_cents), 0) AS BIGINT) FROM orders WHERE programme_id = $1")
            .bind(programme_id)
            .fetch_one(&mut self.conn)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn insert_posting(&mut self, p: &Posting) -> Result<i64> {
        self.balances = Some((p.programme_id, p.after));
        let row = query(
            "INSERT INTO postings (programme_id, order_id, from_account, to_account, amount_cents, \
             budget_after, reserved_after, paid_after, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(p.programme_id)
        .bind(p.order_id)
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
}
