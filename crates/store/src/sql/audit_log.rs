//! The audit log: events appended at the head of the hash chain, and read back.

use super::prelude::*;

pub(crate) fn event_from(row: &Row) -> Result<Event> {
    Ok(Event {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor_id: row.try_get("actor_id")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        subject_type: row.try_get("subject_type")?,
        subject_id: row.try_get("subject_id")?,
        details: row.try_get("details")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

#[async_trait::async_trait]
impl<C: Connection> crate::AuditLogTx for Transaction<C> {
    async fn append_event(&mut self, e: &NewEvent) -> Result<Event> {
        let (prev_seq, prev_hash) = match &self.head {
            Some((seq, hash, _)) => (*seq, hash.clone()),
            None => {
                let head = query(&format!("SELECT seq, hash FROM audit_chain_head WHERE id = 1{}", C::FOR_UPDATE))
                    .fetch_one(&mut self.conn)
                    .await?;
                (head.try_get("seq")?, head.try_get("hash")?)
            }
        };
        let at = audit::truncate_to_micros(e.at);
        let details = e.details.to_string();
        let seq = prev_seq + 1;
        let mut event = Event {
            seq,
            at,
            actor_id: e.actor_id,
            actor: e.actor.clone(),
            action: e.action.clone(),
            subject_type: e.subject_type.clone(),
            subject_id: e.subject_id,
            details,
            prev_hash,
            hash: String::new(),
        };
        event.hash = audit::hash_of(&event);
        query(&format!(
            "INSERT INTO events ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(event.seq)
        .bind(event.at)
        .bind(event.actor_id)
        .bind(&event.actor)
        .bind(&event.action)
        .bind(&event.subject_type)
        .bind(event.subject_id)
        .bind(&event.details)
        .bind(&event.prev_hash)
        .bind(&event.hash)
        .execute(&mut self.conn)
        .await?;
        self.head = Some((event.seq, event.hash.clone(), true));
        Ok(event)
    }

    async fn events_of(&mut self, subject_type: &str, subject_id: i64) -> Result<Vec<Event>> {
        let rows = query(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE subject_type = $1 AND subject_id = $2 ORDER BY seq"
        ))
        .bind(subject_type)
        .bind(subject_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, event_from)
    }

    async fn events_after(&mut self, after_seq: i64, limit: i64) -> Result<Vec<Event>> {
        let rows = query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2"))
            .bind(after_seq)
            .bind(limit)
            .fetch_all(&mut self.conn)
            .await?;
        collect(rows, event_from)
    }

    async fn chain_head(&mut self) -> Result<(i64, String)> {
        let row = query("SELECT seq, hash FROM audit_chain_head WHERE id = 1")
            .fetch_one(&mut self.conn)
            .await?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }
}
