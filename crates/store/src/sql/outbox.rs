//! The outbox: mail waits here until it is sent.

use super::prelude::*;

pub(crate) fn mail_from(row: &Row) -> Result<Mail> {
    Ok(Mail {
        id: row.try_get("id")?,
        to: row.try_get("to_address")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        created_at: row.try_get("created_at")?,
        sent_at: row.try_get("sent_at")?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
    })
}

#[async_trait::async_trait]
impl<C: Connection> crate::OutboxTx for Transaction<C> {
    async fn insert_mail(&mut self, mail: &NewMail, at: DateTime<Utc>) -> Result<i64> {
        let row = query("INSERT INTO outbox (to_address, subject, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(mail.to.as_str())
            .bind(&mail.subject)
            .bind(&mail.body)
            .bind(at)
            .fetch_one(&mut self.conn)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn mails(&mut self, limit: i64) -> Result<Vec<Mail>> {
        let rows = query(&format!("SELECT {MAIL_COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(&mut self.conn)
            .await?;
        collect(rows, mail_from)
    }

    async fn unsent_mails(&mut self, max_attempts: i64, now: DateTime<Utc>, limit: i64) -> Result<Vec<Mail>> {
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM outbox WHERE sent_at IS NULL AND attempts < $1 \
             AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY id LIMIT $3"
        );
        let rows = query(&sql)
            .bind(max_attempts)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut self.conn)
            .await?;
        collect(rows, mail_from)
    }

    async fn claim_mail(
        &mut self,
        id: i64,
        holder: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        max_attempts: i64,
    ) -> Result<Option<Mail>> {
        // On PostgreSQL a second claimer waits for the first one's row lock and then finds the
        // condition false; on SQLite writers take turns. Either way one claimer wins.
        let sql = format!(
            "UPDATE outbox SET claimed_by = $2, claimed_until = $3 WHERE id = $1 AND sent_at IS NULL AND attempts < $5 \
             AND (claimed_until IS NULL OR claimed_until <= $4) RETURNING {MAIL_COLUMNS}"
        );
        query(&sql)
            .bind(id)
            .bind(holder)
            .bind(until)
            .bind(now)
            .bind(max_attempts)
            .fetch_optional(&mut self.conn)
            .await?
            .as_ref()
            .map(mail_from)
            .transpose()
    }

    async fn mail_sent(&mut self, id: i64, at: DateTime<Utc>) -> Result<()> {
        let sql = "UPDATE outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL, claimed_until = NULL WHERE id = $1";
        query(sql).bind(id).bind(at).execute(&mut self.conn).await?;
        Ok(())
    }

    async fn mail_failed(&mut self, id: i64, error: &str) -> Result<()> {
        let sql = "UPDATE outbox SET attempts = attempts + 1, last_error = $2, claimed_until = NULL WHERE id = $1";
        query(sql).bind(id).bind(error).execute(&mut self.conn).await?;
        Ok(())
    }
}
