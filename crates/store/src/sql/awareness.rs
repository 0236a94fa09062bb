//! Awareness events, registrations and calendar feeds.

use super::prelude::*;
use crate::AwarenessTx;
use cyberveilig_domain::awareness::{Audience, RegistrationState};

const EVENT_FIELDS: &str = "e.id, e.kind, e.title, e.description, e.audience, e.starts_at, e.ends_at, e.place, \
    e.online_url, e.capacity, e.registration_deadline, e.open_to_others, e.organiser_id, e.cancelled_at, \
    e.cancelled_reason, e.created_at, e.updated_at";

const REGISTRATION_FIELDS: &str = "r.id, r.event_id, r.person_id, r.organisation_id, r.state, r.position, \
    r.registered_at, r.promoted_at, r.cancelled_at, r.attended, r.reminded_at";

/// Counts per event, as columns next to the event's.
const COUNTS: &str = "(SELECT COUNT(*) FROM awareness_registrations r WHERE r.event_id = e.id AND r.state = 'registered') AS registered, \
    (SELECT COUNT(*) FROM awareness_registrations r WHERE r.event_id = e.id AND r.state = 'waiting') AS waiting, \
    (SELECT COUNT(*) FROM awareness_registrations r WHERE r.event_id = e.id AND r.state = 'registered' AND r.attended) AS attended, \
    (SELECT COUNT(DISTINCT r.organisation_id) FROM awareness_registrations r WHERE r.event_id = e.id AND r.state = 'registered' \
       AND (r.attended IS NULL OR r.attended)) AS organisations";

fn audience_from(text: &str) -> Result<Vec<Audience>> {
    text.split(',').filter(|a| !a.is_empty()).map(|a| parse(a, "audience")).collect()
}

fn audience_text(audience: &[Audience]) -> String {
    audience.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(",")
}

fn event_from(row: &Row) -> Result<AwarenessEvent> {
    Ok(AwarenessEvent {
        id: row.try_get("id")?,
        kind: parse(&row.try_get::<String, _>("kind")?, "event kind")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        audience: audience_from(&row.try_get::<String, _>("audience")?)?,
        starts_at: row.try_get("starts_at")?,
        ends_at: row.try_get("ends_at")?,
        place: row.try_get("place")?,
        online_url: row.try_get("online_url")?,
        capacity: row.try_get("capacity")?,
        registration_deadline: row.try_get("registration_deadline")?,
        open_to_others: row.try_get("open_to_others")?,
        organiser_id: row.try_get("organiser_id")?,
        cancelled_at: row.try_get("cancelled_at")?,
        cancelled_reason: row.try_get("cancelled_reason")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn counts_from(row: &Row) -> Result<AwarenessEventCounts> {
    Ok(AwarenessEventCounts {
        event: event_from(row)?,
        registered: row.try_get("registered")?,
        waiting: row.try_get("waiting")?,
        attended: row.try_get("attended")?,
        organisations: row.try_get("organisations")?,
    })
}

fn registration_from(row: &Row) -> Result<Registration> {
    Ok(Registration {
        id: row.try_get("id")?,
        event_id: row.try_get("event_id")?,
        person_id: row.try_get("person_id")?,
        organisation_id: row.try_get("organisation_id")?,
        state: parse::<RegistrationState>(&row.try_get::<String, _>("state")?, "registration state")?,
        position: row.try_get("position")?,
        registered_at: row.try_get("registered_at")?,
        promoted_at: row.try_get("promoted_at")?,
        cancelled_at: row.try_get("cancelled_at")?,
        attended: row.try_get("attended")?,
        reminded_at: row.try_get("reminded_at")?,
    })
}

fn registrant_from(row: &Row) -> Result<Registrant> {
    Ok(Registrant {
        registration: registration_from(row)?,
        name: row.try_get("person_name")?,
        email: row.try_get("person_email")?,
        organisation: row.try_get("organisation_name")?,
    })
}

const REGISTRANTS: &str = "SELECT r.id, r.event_id, r.person_id, r.organisation_id, r.state, r.position, r.registered_at, \
    r.promoted_at, r.cancelled_at, r.attended, r.reminded_at, p.name AS person_name, p.email AS person_email, \
    o.name AS organisation_name \
    FROM awareness_registrations r JOIN people p ON p.id = r.person_id JOIN organisations o ON o.id = r.organisation_id";

#[async_trait::async_trait]
impl<C: Connection> AwarenessTx for Transaction<C> {
    async fn insert_awareness_event(&mut self, e: &AwarenessEvent) -> Result<i64> {
        let row = query(
            "INSERT INTO awareness_events (kind, title, description, audience, starts_at, ends_at, place, online_url, capacity, \
             registration_deadline, open_to_others, organiser_id, cancelled_at, cancelled_reason, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
        )
        .bind(e.kind.as_str())
        .bind(&e.title)
        .bind(&e.description)
        .bind(audience_text(&e.audience))
        .bind(e.starts_at)
        .bind(e.ends_at)
        .bind(e.place.as_deref())
        .bind(e.online_url.as_deref())
        .bind(e.capacity)
        .bind(e.registration_deadline)
        .bind(e.open_to_others)
        .bind(e.organiser_id)
        .bind(e.cancelled_at)
        .bind(e.cancelled_reason.as_deref())
        .bind(e.created_at)
        .bind(e.updated_at)
        .fetch_one(&mut self.conn)
        .await?;
        row.try_get("id")
    }

    async fn update_awareness_event(&mut self, e: &AwarenessEvent) -> Result<()> {
        query(
            "UPDATE awareness_events SET kind = $2, title = $3, description = $4, audience = $5, starts_at = $6, ends_at = $7, \
             place = $8, online_url = $9, capacity = $10, registration_deadline = $11, open_to_others = $12, \
             cancelled_at = $13, cancelled_reason = $14, updated_at = $15 WHERE id = $1",
        )
        .bind(e.id)
        .bind(e.kind.as_str())
        .bind(&e.title)
        .bind(&e.description)
        .bind(audience_text(&e.audience))
        .bind(e.starts_at)
        .bind(e.ends_at)
        .bind(e.place.as_deref())
        .bind(e.online_url.as_deref())
        .bind(e.capacity)
        .bind(e.registration_deadline)
        .bind(e.open_to_others)
        .bind(e.cancelled_at)
        .bind(e.cancelled_reason.as_deref())
        .bind(e.updated_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn awareness_event(&mut self, id: i64) -> Result<Option<AwarenessEvent>> {
        let row = query(&format!("SELECT {EVENT_FIELDS} FROM awareness_events e WHERE e.id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(event_from).transpose()
    }

    async fn lock_awareness_event(&mut self, id: i64) -> Result<Option<AwarenessEvent>> {
        let row = query(&format!(
            "SELECT {EVENT_FIELDS} FROM awareness_events e WHERE e.id = $1{}",
            C::FOR_UPDATE
        ))
        .bind(id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(event_from).transpose()
    }

    async fn awareness_events(&mut self, filter: &AwarenessEventFilter) -> Result<Vec<AwarenessEventCounts>> {
        // Coming events soonest first; past ones most recent first. The cursor continues either.
        let (when, order, after) = if filter.past {
            (
                "e.ends_at < $1",
                "e.starts_at DESC, e.id DESC",
                "(e.starts_at < $2 OR (e.starts_at = $2 AND e.id < $3))",
            )
        } else {
            (
                "e.ends_at >= $1",
                "e.starts_at, e.id",
                "(e.starts_at > $2 OR (e.starts_at = $2 AND e.id > $3))",
            )
        };
        // Without a moment, every event: from 1970 on, which both databases can hold (PostgreSQL
        // refuses chrono's earliest instant).
        let around = filter.around.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let limit = filter.limit.clamp(1, 500);
        let rows = match filter.after {
            Some((start, id)) => {
                let sql =
                    format!("SELECT {EVENT_FIELDS}, {COUNTS} FROM awareness_events e WHERE {when} AND {after} ORDER BY {order} LIMIT $4");
                query(&sql)
                    .bind(around)
                    .bind(start)
                    .bind(id)
                    .bind(limit)
                    .fetch_all(&mut self.conn)
                    .await?
            }
            None => {
                let sql = format!("SELECT {EVENT_FIELDS}, {COUNTS} FROM awareness_events e WHERE {when} ORDER BY {order} LIMIT $2");
                query(&sql).bind(around).bind(limit).fetch_all(&mut self.conn).await?
            }
        };
        collect(rows, counts_from)
    }

    async fn awareness_event_counts(&mut self, id: i64) -> Result<Option<AwarenessEventCounts>> {
        let row = query(&format!("SELECT {EVENT_FIELDS}, {COUNTS} FROM awareness_events e WHERE e.id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(counts_from).transpose()
    }

    async fn registration(&mut self, event_id: i64, person_id: i64) -> Result<Option<Registration>> {
        let row = query(&format!(
            "SELECT {REGISTRATION_FIELDS} FROM awareness_registrations r WHERE r.event_id = $1 AND r.person_id = $2"
        ))
        .bind(event_id)
        .bind(person_id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(registration_from).transpose()
    }

    async fn registrants(&mut self, event_id: i64) -> Result<Vec<Registrant>> {
        let rows = query(&format!("{REGISTRANTS} WHERE r.event_id = $1 ORDER BY r.position, r.id"))
            .bind(event_id)
            .fetch_all(&mut self.conn)
            .await?;
        collect(rows, registrant_from)
    }

    async fn save_registration(&mut self, r: &Registration) -> Result<i64> {
        let row = query(
            "INSERT INTO awareness_registrations (event_id, person_id, organisation_id, state, position, registered_at, \
             promoted_at, cancelled_at, attended, reminded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (event_id, person_id) DO UPDATE SET organisation_id = excluded.organisation_id, state = excluded.state, \
             position = excluded.position, registered_at = excluded.registered_at, promoted_at = excluded.promoted_at, \
             cancelled_at = excluded.cancelled_at, attended = excluded.attended, reminded_at = excluded.reminded_at \
             RETURNING id",
        )
        .bind(r.event_id)
        .bind(r.person_id)
        .bind(r.organisation_id)
        .bind(r.state.as_str())
        .bind(r.position)
        .bind(r.registered_at)
        .bind(r.promoted_at)
        .bind(r.cancelled_at)
        .bind(r.attended)
        .bind(r.reminded_at)
        .fetch_one(&mut self.conn)
        .await?;
        row.try_get("id")
    }

    async fn next_registration_position(&mut self, event_id: i64) -> Result<i64> {
        let row = query("SELECT COALESCE(MAX(position), 0) + 1 AS next FROM awareness_registrations WHERE event_id = $1")
            .bind(event_id)
            .fetch_one(&mut self.conn)
            .await?;
        row.try_get("next")
    }

    async fn waiting_list(&mut self, event_id: i64, limit: i64) -> Result<Vec<Registrant>> {
        let rows = query(&format!(
            "{REGISTRANTS} WHERE r.event_id = $1 AND r.state = 'waiting' ORDER BY r.position, r.id LIMIT $2"
        ))
        .bind(event_id)
        .bind(limit.max(0))
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, registrant_from)
    }

    async fn person_registrations(&mut self, person_id: i64) -> Result<Vec<(Registration, AwarenessEvent)>> {
        let rows = query(&format!(
            "SELECT {REGISTRATION_FIELDS} FROM awareness_registrations r JOIN awareness_events e ON e.id = r.event_id \
             WHERE r.person_id = $1 AND r.state <> 'cancelled' ORDER BY e.starts_at, e.id"
        ))
        .bind(person_id)
        .fetch_all(&mut self.conn)
        .await?;
        // A person registers for a handful of events: one lookup each keeps the columns apart.
        let mut out = Vec::with_capacity(rows.len());
        for registration in collect(rows, registration_from)? {
            let event = self
                .awareness_event(registration.event_id)
                .await?
                .ok_or_else(|| StoreError::Corrupt(format!("registration {} of a missing event", registration.id)))?;
            out.push((registration, event));
        }
        Ok(out)
    }

    async fn reminders_due(&mut self, from: DateTime<Utc>, until: DateTime<Utc>, limit: i64) -> Result<Vec<Registrant>> {
        let rows = query(&format!(
            "{REGISTRANTS} JOIN awareness_events e ON e.id = r.event_id WHERE r.state = 'registered' AND r.reminded_at IS NULL \
             AND e.cancelled_at IS NULL AND e.starts_at >= $1 AND e.starts_at < $2 ORDER BY e.starts_at, r.id LIMIT $3"
        ))
        .bind(from)
        .bind(until)
        .bind(limit.max(0))
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, registrant_from)
    }

    async fn mark_reminded(&mut self, registration_id: i64, at: DateTime<Utc>) -> Result<bool> {
        let done = query("UPDATE awareness_registrations SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL")
            .bind(registration_id)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn attendances(&mut self) -> Result<Vec<Attendance>> {
        let rows = query(
            "SELECT DISTINCT e.id AS event_id, e.starts_at, o.id AS organisation_id, o.nis_code, o.kind \
             FROM awareness_registrations r JOIN awareness_events e ON e.id = r.event_id \
             JOIN organisations o ON o.id = r.organisation_id \
             WHERE r.state = 'registered' AND r.attended AND e.cancelled_at IS NULL ORDER BY e.starts_at, e.id, o.id",
        )
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Attendance {
                    event_id: row.try_get("event_id")?,
                    starts_at: row.try_get("starts_at")?,
                    organisation_id: row.try_get("organisation_id")?,
                    nis_code: row.try_get("nis_code")?,
                    is_municipality: row.try_get::<String, _>("kind")? == "gemeente",
                })
            })
            .collect()
    }

    async fn set_calendar_feed(&mut self, person_id: i64, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
        query(
            "INSERT INTO calendar_feeds (person_id, token_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (person_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
        )
        .bind(person_id)
        .bind(token_hash)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn remove_calendar_feed(&mut self, person_id: i64) -> Result<bool> {
        let removed = query("DELETE FROM calendar_feeds WHERE person_id = $1")
            .bind(person_id)
            .execute(&mut self.conn)
            .await?;
        Ok(removed.rows_affected() > 0)
    }

    async fn has_calendar_feed(&mut self, person_id: i64) -> Result<bool> {
        let row = query("SELECT 1 AS found FROM calendar_feeds WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(&mut self.conn)
            .await?;
        Ok(row.is_some())
    }

    async fn calendar_feed_person(&mut self, token_hash: &str) -> Result<Option<i64>> {
        let row = query("SELECT person_id FROM calendar_feeds WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&mut self.conn)
            .await?;
        row.map(|row| row.try_get("person_id")).transpose()
    }
}
