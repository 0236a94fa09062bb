//! The steering group: members, meetings, agenda, decisions and action items.

use super::prelude::*;
use crate::SteeringTx;
use cyberveilig_domain::steering::{ActionStatus, MinutesState, SteeringRole};

const MEMBER: &str = "SELECT m.id, m.person_id, m.organisation_id, m.role, m.joined_at, m.left_at, p.name AS person_name, \
    o.name AS organisation_name FROM steering_members m JOIN people p ON p.id = m.person_id \
    JOIN organisations o ON o.id = m.organisation_id";

const MEETING_FIELDS: &str =
    "id, title, starts_at, place, minutes, minutes_state, approved_at_meeting_id, approved_at, created_at, updated_at";

const ACTION_FIELDS: &str = "id, meeting_id, title, owner_id, due_on, status, plan_item_id, created_at, updated_at";

fn member_from(row: &Row) -> Result<SteeringMember> {
    Ok(SteeringMember {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        organisation_id: row.try_get("organisation_id")?,
        role: parse::<SteeringRole>(&row.try_get::<String, _>("role")?, "steering role")?,
        joined_at: row.try_get("joined_at")?,
        left_at: row.try_get("left_at")?,
        name: row.try_get("person_name")?,
        organisation: row.try_get("organisation_name")?,
    })
}

fn meeting_from(row: &Row) -> Result<SteeringMeeting> {
    Ok(SteeringMeeting {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        starts_at: row.try_get("starts_at")?,
        place: row.try_get("place")?,
        minutes: row.try_get("minutes")?,
        minutes_state: parse::<MinutesState>(&row.try_get::<String, _>("minutes_state")?, "minutes state")?,
        approved_at_meeting_id: row.try_get("approved_at_meeting_id")?,
        approved_at: row.try_get("approved_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn action_from(row: &Row) -> Result<SteeringActionItem> {
    Ok(SteeringActionItem {
        id: row.try_get("id")?,
        meeting_id: row.try_get("meeting_id")?,
        title: row.try_get("title")?,
        owner_id: row.try_get("owner_id")?,
        due_on: row.try_get("due_on")?,
        status: parse::<ActionStatus>(&row.try_get::<String, _>("status")?, "action status")?,
        plan_item_id: row.try_get("plan_item_id")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn decision_from(row: &Row) -> Result<SteeringDecision> {
    Ok(SteeringDecision {
        meeting_id: row.try_get("meeting_id")?,
        number: row.try_get("number")?,
        text: row.try_get("text")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: row.try_get("recorded_at")?,
    })
}

#[async_trait::async_trait]
impl<C: Connection> SteeringTx for Transaction<C> {
    async fn steering_members(&mut self) -> Result<Vec<SteeringMember>> {
        let rows = query(&format!(
            "{MEMBER} WHERE m.left_at IS NULL ORDER BY CASE m.role WHEN 'chair' THEN 0 WHEN 'secretary' THEN 1 ELSE 2 END, p.name, m.id"
        ))
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, member_from)
    }

    async fn steering_member_of(&mut self, person_id: i64) -> Result<Option<SteeringMember>> {
        let row = query(&format!("{MEMBER} WHERE m.person_id = $1"))
            .bind(person_id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(member_from).transpose()
    }

    async fn steering_member(&mut self, id: i64) -> Result<Option<SteeringMember>> {
        let row = query(&format!("{MEMBER} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(member_from).transpose()
    }

    async fn save_steering_member(&mut self, person_id: i64, organisation_id: i64, role: SteeringRole, at: DateTime<Utc>) -> Result<i64> {
        let row = query(
            "INSERT INTO steering_members (person_id, organisation_id, role, joined_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (person_id) DO UPDATE SET organisation_id = excluded.organisation_id, role = excluded.role, \
             joined_at = CASE WHEN steering_members.left_at IS NULL THEN steering_members.joined_at ELSE excluded.joined_at END, \
             left_at = NULL RETURNING id",
        )
        .bind(person_id)
        .bind(organisation_id)
        .bind(role.as_str())
        .bind(at)
        .fetch_one(&mut self.conn)
        .await?;
        row.try_get("id")
    }

    async fn remove_steering_member(&mut self, person_id: i64, at: DateTime<Utc>) -> Result<bool> {
        let done = query("UPDATE steering_members SET left_at = $2 WHERE person_id = $1 AND left_at IS NULL")
            .bind(person_id)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn insert_steering_meeting(&mut self, m: &SteeringMeeting) -> Result<i64> {
        let row = query(
            "INSERT INTO steering_meetings (title, starts_at, place, minutes, minutes_state, approved_at_meeting_id, approved_at, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&m.title)
        .bind(m.starts_at)
        .bind(&m.place)
        .bind(m.minutes.as_deref())
        .bind(m.minutes_state.as_str())
        .bind(m.approved_at_meeting_id)
        .bind(m.approved_at)
        .bind(m.created_at)
        .bind(m.updated_at)
        .fetch_one(&mut self.conn)
        .await?;
        row.try_get("id")
    }

    async fn update_steering_meeting(&mut self, m: &SteeringMeeting) -> Result<()> {
        query(
            "UPDATE steering_meetings SET title = $2, starts_at = $3, place = $4, minutes = $5, minutes_state = $6, \
             approved_at_meeting_id = $7, approved_at = $8, updated_at = $9 WHERE id = $1",
        )
        .bind(m.id)
        .bind(&m.title)
        .bind(m.starts_at)
        .bind(&m.place)
        .bind(m.minutes.as_deref())
        .bind(m.minutes_state.as_str())
        .bind(m.approved_at_meeting_id)
        .bind(m.approved_at)
        .bind(m.updated_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn steering_meeting(&mut self, id: i64) -> Result<Option<SteeringMeeting>> {
        let row = query(&format!("SELECT {MEETING_FIELDS} FROM steering_meetings WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(meeting_from).transpose()
    }

    async fn lock_steering_meeting(&mut self, id: i64) -> Result<Option<SteeringMeeting>> {
        let row = query(&format!(
            "SELECT {MEETING_FIELDS} FROM steering_meetings WHERE id = $1{}",
            C::FOR_UPDATE
        ))
        .bind(id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(meeting_from).transpose()
    }

    async fn steering_meetings(&mut self, before: Option<(DateTime<Utc>, i64)>, limit: i64) -> Result<Vec<SteeringMeeting>> {
        let limit = limit.clamp(1, 500);
        let rows = match before {
            Some((starts_at, id)) => {
                query(&format!(
                    "SELECT {MEETING_FIELDS} FROM steering_meetings WHERE starts_at < $1 OR (starts_at = $1 AND id < $2) \
                     ORDER BY starts_at DESC, id DESC LIMIT $3"
                ))
                .bind(starts_at)
                .bind(id)
                .bind(limit)
                .fetch_all(&mut self.conn)
                .await?
            }
            None => {
                query(&format!(
                    "SELECT {MEETING_FIELDS} FROM steering_meetings ORDER BY starts_at DESC, id DESC LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&mut self.conn)
                .await?
            }
        };
        collect(rows, meeting_from)
    }

    async fn next_steering_meeting(&mut self, starts_at: DateTime<Utc>, id: i64) -> Result<Option<SteeringMeeting>> {
        let row = query(&format!(
            "SELECT {MEETING_FIELDS} FROM steering_meetings WHERE starts_at > $1 OR (starts_at = $1 AND id > $2) \
             ORDER BY starts_at, id LIMIT 1"
        ))
        .bind(starts_at)
        .bind(id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(meeting_from).transpose()
    }

    async fn steering_agenda(&mut self, meeting_id: i64) -> Result<Vec<String>> {
        let rows = query("SELECT title FROM steering_agenda_items WHERE meeting_id = $1 ORDER BY position")
            .bind(meeting_id)
            .fetch_all(&mut self.conn)
            .await?;
        collect(rows, |row| row.try_get("title"))
    }

    async fn set_steering_agenda(&mut self, meeting_id: i64, items: &[String]) -> Result<()> {
        query("DELETE FROM steering_agenda_items WHERE meeting_id = $1")
            .bind(meeting_id)
            .execute(&mut self.conn)
            .await?;
        for (position, title) in (1i64..).zip(items) {
            query("INSERT INTO steering_agenda_items (meeting_id, position, title) VALUES ($1, $2, $3)")
                .bind(meeting_id)
                .bind(position)
                .bind(title)
                .execute(&mut self.conn)
                .await?;
        }
        Ok(())
    }

    async fn steering_decisions(&mut self, meeting_id: i64) -> Result<Vec<SteeringDecision>> {
        let rows = query(
            "SELECT meeting_id, number, text, recorded_by, recorded_at FROM steering_decisions WHERE meeting_id = $1 ORDER BY number",
        )
        .bind(meeting_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, decision_from)
    }

    async fn insert_steering_decision(&mut self, d: &SteeringDecision) -> Result<()> {
        query("INSERT INTO steering_decisions (meeting_id, number, text, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(d.meeting_id)
            .bind(d.number)
            .bind(&d.text)
            .bind(d.recorded_by)
            .bind(d.recorded_at)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn steering_action_items(&mut self, meeting_id: Option<i64>) -> Result<Vec<SteeringActionItem>> {
        let rows = match meeting_id {
            Some(id) => {
                query(&format!(
                    "SELECT {ACTION_FIELDS} FROM steering_action_items WHERE meeting_id = $1 ORDER BY id"
                ))
                .bind(id)
                .fetch_all(&mut self.conn)
                .await?
            }
            None => {
                query(&format!("SELECT {ACTION_FIELDS} FROM steering_action_items ORDER BY id"))
                    .fetch_all(&mut self.conn)
                    .await?
            }
        };
        collect(rows, action_from)
    }

    async fn steering_action_item(&mut self, id: i64) -> Result<Option<SteeringActionItem>> {
        let row = query(&format!("SELECT {ACTION_FIELDS} FROM steering_action_items WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(action_from).transpose()
    }

    async fn insert_steering_action_item(&mut self, a: &SteeringActionItem) -> Result<i64> {
        let row = query(
            "INSERT INTO steering_action_items (meeting_id, title, owner_id, due_on, status, created_at, updated_at, plan_item_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(a.meeting_id)
        .bind(&a.title)
        .bind(a.owner_id)
        .bind(a.due_on)
        .bind(a.status.as_str())
        .bind(a.created_at)
        .bind(a.updated_at)
        .bind(a.plan_item_id)
        .fetch_one(&mut self.conn)
        .await?;
        row.try_get("id")
    }

    async fn update_steering_action_item(&mut self, a: &SteeringActionItem) -> Result<()> {
        query(
            "UPDATE steering_action_items SET title = $2, owner_id = $3, due_on = $4, status = $5, updated_at = $6, \
             plan_item_id = $7 WHERE id = $1",
        )
        .bind(a.id)
        .bind(&a.title)
        .bind(a.owner_id)
        .bind(a.due_on)
        .bind(a.status.as_str())
        .bind(a.updated_at)
        .bind(a.plan_item_id)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn insert_steering_document(&mut self, d: &SteeringDocument, content: &[u8]) -> Result<i64> {
        let row = query(
            "INSERT INTO steering_documents (meeting_id, title, filename, size, sha256, content, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(d.meeting_id)
        .bind(&d.title)
        .bind(&d.filename)
        .bind(d.size)
        .bind(&d.sha256)
        .bind(content.to_vec())
        .bind(d.uploaded_by)
        .bind(d.uploaded_at)
        .fetch_one(&mut self.conn)
        .await?;
        row.try_get("id")
    }

    async fn steering_documents(&mut self, meeting_id: i64) -> Result<Vec<SteeringDocument>> {
        let rows = query(&format!(
            "SELECT {DOCUMENT_FIELDS} FROM steering_documents WHERE meeting_id = $1 ORDER BY id"
        ))
        .bind(meeting_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, document_from)
    }

    async fn steering_document(&mut self, id: i64) -> Result<Option<(SteeringDocument, Vec<u8>)>> {
        let row = query(&format!("SELECT {DOCUMENT_FIELDS}, content FROM steering_documents WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        match row {
            Some(r) => Ok(Some((document_from(&r)?, r.try_get::<Vec<u8>, _>("content")?))),
            None => Ok(None),
        }
    }
}

const DOCUMENT_FIELDS: &str = "id, meeting_id, title, filename, size, sha256, uploaded_by, uploaded_at";

fn document_from(row: &Row) -> Result<SteeringDocument> {
    Ok(SteeringDocument {
        id: row.try_get("id")?,
        meeting_id: row.try_get("meeting_id")?,
        title: row.try_get("title")?,
        filename: row.try_get("filename")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: row.try_get("uploaded_at")?,
    })
}
