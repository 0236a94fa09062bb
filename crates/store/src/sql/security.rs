//! What an attacker and a crash found: rate limits, idempotency keys kept with their work, and the audit chain head's
//! signatures.

use super::prelude::*;

fn signature_from(row: &Row) -> Result<AuditSignature> {
    Ok(AuditSignature {
        seq: row.try_get("seq")?,
        hash: row.try_get("hash")?,
        key_id: row.try_get("key_id")?,
        signature: row.try_get("signature")?,
        signed_at: row.try_get("signed_at")?,
    })
}

#[async_trait::async_trait]
impl<C: Connection> crate::SecurityTx for Transaction<C> {
    async fn rate_limit(&mut self, scope: &str, key: &str) -> Result<Option<i64>> {
        let row = query("SELECT state FROM rate_limits WHERE scope = $1 AND key = $2")
            .bind(scope)
            .bind(key)
            .fetch_optional(&mut self.conn)
            .await?;
        row.map(|r| r.try_get("state")).transpose()
    }

    async fn swap_rate_limit(&mut self, scope: &str, key: &str, old: Option<i64>, new: i64) -> Result<bool> {
        let done = match old {
            None => {
                query("INSERT INTO rate_limits (scope, key, state) VALUES ($1, $2, $3) ON CONFLICT (scope, key) DO NOTHING")
                    .bind(scope)
                    .bind(key)
                    .bind(new)
                    .execute(&mut self.conn)
                    .await?
            }
            Some(old) => {
                query("UPDATE rate_limits SET state = $4 WHERE scope = $1 AND key = $2 AND state = $3")
                    .bind(scope)
                    .bind(key)
                    .bind(old)
                    .bind(new)
                    .execute(&mut self.conn)
                    .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }

    async fn forget_rate_limits(&mut self, scope: &str, below: i64) -> Result<u64> {
        let done = query("DELETE FROM rate_limits WHERE scope = $1 AND state < $2")
            .bind(scope)
            .bind(below)
            .execute(&mut self.conn)
            .await?;
        Ok(done.rows_affected())
    }

    async fn idempotent_answer(&mut self, person_id: i64, key: &str) -> Result<Option<IdempotentAnswer>> {
        let row = query("SELECT request_hash, status, body FROM idempotency_keys WHERE person_id = $1 AND key = $2")
            .bind(person_id)
            .bind(key)
            .fetch_optional(&mut self.conn)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let status: Option<i64> = row.try_get("status")?;
        let answer = match status {
            Some(status) => Some((
                u16::try_from(status).map_err(|_| StoreError::Corrupt(format!("HTTP status {status}")))?,
                row.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
            )),
            None => None,
        };
        Ok(Some(IdempotentAnswer {
            request_hash: row.try_get("request_hash")?,
            answer,
        }))
    }

    async fn claim_idempotency_key(&mut self, person_id: i64, key: &str, request_hash: &str, at: DateTime<Utc>) -> Result<bool> {
        let done = query(
            "INSERT INTO idempotency_keys (person_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (person_id, key) DO NOTHING",
        )
        .bind(person_id)
        .bind(key)
        .bind(request_hash)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn record_idempotent_answer(&mut self, person_id: i64, key: &str, status: u16, body: &str) -> Result<()> {
        query("UPDATE idempotency_keys SET status = $3, body = $4 WHERE person_id = $1 AND key = $2")
            .bind(person_id)
            .bind(key)
            .bind(i64::from(status))
            .bind(body)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn forget_idempotency_keys(&mut self, before: DateTime<Utc>) -> Result<u64> {
        let done = query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(before)
            .execute(&mut self.conn)
            .await?;
        Ok(done.rows_affected())
    }

    fn pending_chain_head(&self) -> Option<(i64, String)> {
        match &self.head {
            Some((seq, hash, true)) => Some((*seq, hash.clone())),
            _ => None,
        }
    }

    async fn audit_signatures(&mut self, after_seq: i64, limit: i64) -> Result<Vec<AuditSignature>> {
        let rows = query("SELECT seq, hash, key_id, signature, signed_at FROM audit_signatures WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after_seq)
            .bind(limit)
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter().map(signature_from).collect()
    }

    async fn latest_audit_signature(&mut self) -> Result<Option<AuditSignature>> {
        let row = query("SELECT seq, hash, key_id, signature, signed_at FROM audit_signatures ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(signature_from).transpose()
    }

    async fn insert_audit_signature(&mut self, s: &AuditSignature) -> Result<()> {
        query("INSERT INTO audit_signatures (seq, hash, key_id, signature, signed_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(s.seq)
            .bind(&s.hash)
            .bind(&s.key_id)
            .bind(&s.signature)
            .bind(s.signed_at)
            .execute(&mut self.conn)
            .await
            .map_err(unique_violation)?;
        Ok(())
    }
}
