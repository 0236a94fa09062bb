//! Ethical-hacking engagements with their scope
//! and team, the acceptances of their letters, their findings, and the governments' signatories.

pub(crate) const ENGAGEMENT_COLUMNS: &str = "id, government_id, partner_id, coordinator_id, title, state, starts_on, ends_on, \
    techniques, government_contact, team_contact, emergency_contact, version, letter_hash, accepted_hash, accepted_by, \
    accepted_at, social_engineering_authorised, ended_reason, proposed_by, created_at, updated_at";

use super::prelude::*;

fn engagement_from(row: &Row) -> Result<Engagement> {
    Ok(Engagement {
        id: row.try_get("id")?,
        government_id: row.try_get("government_id")?,
        partner_id: row.try_get("partner_id")?,
        coordinator_id: row.try_get("coordinator_id")?,
        title: row.try_get("title")?,
        state: parse(&row.try_get::<String, _>("state")?, "engagement state")?,
        starts_on: row.try_get("starts_on")?,
        ends_on: row.try_get("ends_on")?,
        techniques: row.try_get("techniques")?,
        government_contact: row.try_get("government_contact")?,
        team_contact: row.try_get("team_contact")?,
        emergency_contact: row.try_get("emergency_contact")?,
        version: row.try_get("version")?,
        letter_hash: row.try_get("letter_hash")?,
        accepted_hash: row.try_get("accepted_hash")?,
        accepted_by: row.try_get("accepted_by")?,
        accepted_at: row.try_get("accepted_at")?,
        social_engineering_authorised: row.try_get("social_engineering_authorised")?,
        ended_reason: row.try_get("ended_reason")?,
        proposed_by: row.try_get("proposed_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        scope: Vec::new(),
        team: Vec::new(),
    })
}

impl<C: Connection> Transaction<C> {
    async fn load_parts(&mut self, e: &mut Engagement) -> Result<()> {
        e.scope = query(
            "SELECT a.id, a.name FROM engagement_scope s JOIN assets a ON a.id = s.asset_id \
             WHERE s.engagement_id = $1 ORDER BY s.position",
        )
        .bind(e.id)
        .fetch_all(&mut self.conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<Vec<_>>>()?;
        e.team = query(
            "SELECT p.id, p.name, p.email, t.role FROM engagement_team t JOIN people p ON p.id = t.person_id \
             WHERE t.engagement_id = $1 ORDER BY CASE t.role WHEN 'supervisor' THEN 0 ELSE 1 END, p.name, p.id",
        )
        .bind(e.id)
        .fetch_all(&mut self.conn)
        .await?
        .iter()
        .map(|r| {
            Ok(TeamMember {
                person_id: r.try_get("id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                role: r.try_get("role")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(())
    }

    async fn save_parts(&mut self, e: &Engagement) -> Result<()> {
        query("DELETE FROM engagement_scope WHERE engagement_id = $1")
            .bind(e.id)
            .execute(&mut self.conn)
            .await?;
        query("DELETE FROM engagement_team WHERE engagement_id = $1")
            .bind(e.id)
            .execute(&mut self.conn)
            .await?;
        for (position, (asset_id, _)) in e.scope.iter().enumerate() {
            query("INSERT INTO engagement_scope (engagement_id, asset_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(e.id)
                .bind(*asset_id)
                .bind(position as i64)
                .execute(&mut self.conn)
                .await?;
        }
        for m in &e.team {
            query("INSERT INTO engagement_team (engagement_id, person_id, role) VALUES ($1, $2, $3)")
                .bind(e.id)
                .bind(m.person_id)
                .bind(&m.role)
                .execute(&mut self.conn)
                .await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl<C: Connection> crate::EngagementsTx for Transaction<C> {
    async fn insert_engagement(&mut self, e: &Engagement) -> Result<i64> {
        let row = query(
            "INSERT INTO engagements (government_id, partner_id, coordinator_id, title, state, starts_on, ends_on, techniques, \
             government_contact, team_contact, emergency_contact, version, letter_hash, accepted_hash, accepted_by, accepted_at, \
             social_engineering_authorised, ended_reason, proposed_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id",
        )
        .bind(e.government_id)
        .bind(e.partner_id)
        .bind(e.coordinator_id)
        .bind(&e.title)
        .bind(e.state.as_str())
        .bind(e.starts_on)
        .bind(e.ends_on)
        .bind(&e.techniques)
        .bind(&e.government_contact)
        .bind(&e.team_contact)
        .bind(&e.emergency_contact)
        .bind(e.version)
        .bind(&e.letter_hash)
        .bind(e.accepted_hash.as_deref())
        .bind(e.accepted_by)
        .bind(e.accepted_at)
        .bind(e.social_engineering_authorised)
        .bind(e.ended_reason.as_deref())
        .bind(e.proposed_by)
        .bind(e.created_at)
        .bind(e.updated_at)
        .fetch_one(&mut self.conn)
        .await?;
        let id: i64 = row.try_get("id")?;
        let saved = Engagement { id, ..e.clone() };
        self.save_parts(&saved).await?;
        Ok(id)
    }

    async fn update_engagement(&mut self, e: &Engagement) -> Result<()> {
        query(
            "UPDATE engagements SET title = $2, state = $3, starts_on = $4, ends_on = $5, techniques = $6, \
             government_contact = $7, team_contact = $8, emergency_contact = $9, version = $10, letter_hash = $11, \
             accepted_hash = $12, accepted_by = $13, accepted_at = $14, social_engineering_authorised = $15, \
             ended_reason = $16, updated_at = $17 WHERE id = $1",
        )
        .bind(e.id)
        .bind(&e.title)
        .bind(e.state.as_str())
        .bind(e.starts_on)
        .bind(e.ends_on)
        .bind(&e.techniques)
        .bind(&e.government_contact)
        .bind(&e.team_contact)
        .bind(&e.emergency_contact)
        .bind(e.version)
        .bind(&e.letter_hash)
        .bind(e.accepted_hash.as_deref())
        .bind(e.accepted_by)
        .bind(e.accepted_at)
        .bind(e.social_engineering_authorised)
        .bind(e.ended_reason.as_deref())
        .bind(e.updated_at)
        .execute(&mut self.conn)
        .await?;
        self.save_parts(e).await
    }

    async fn engagement(&mut self, id: i64) -> Result<Option<Engagement>> {
        let sql = format!("SELECT {ENGAGEMENT_COLUMNS} FROM engagements WHERE id = $1");
        let Some(row) = query(&sql).bind(id).fetch_optional(&mut self.conn).await? else {
            return Ok(None);
        };
        let mut e = engagement_from(&row)?;
        self.load_parts(&mut e).await?;
        Ok(Some(e))
    }

    async fn engagements(&mut self, filter: &EngagementFilter) -> Result<Vec<Engagement>> {
        let sql = format!(
            "SELECT {ENGAGEMENT_COLUMNS} FROM engagements WHERE ($1 IS NULL OR government_id = $1) \
             AND ($2 IS NULL OR partner_id = $2) \
             AND ($3 IS NULL OR id IN (SELECT engagement_id FROM engagement_team WHERE person_id = $3)) \
             ORDER BY id DESC"
        );
        let rows = query(&sql)
            .bind(filter.government_id)
            .bind(filter.partner_id)
            .bind(filter.member_id)
            .fetch_all(&mut self.conn)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut e = engagement_from(row)?;
            self.load_parts(&mut e).await?;
            out.push(e);
        }
        Ok(out)
    }

    async fn insert_acceptance(&mut self, a: &Acceptance) -> Result<()> {
        query(
            "INSERT INTO engagement_acceptances (engagement_id, version, letter_hash, accepted_by, accepted_at, \
             social_engineering_authorised) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(a.engagement_id)
        .bind(a.version)
        .bind(&a.letter_hash)
        .bind(a.accepted_by)
        .bind(a.accepted_at)
        .bind(a.social_engineering_authorised)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn acceptances(&mut self, engagement_id: i64) -> Result<Vec<Acceptance>> {
        query(
            "SELECT a.engagement_id, a.version, a.letter_hash, a.accepted_by, p.name AS accepted_by_name, a.accepted_at, \
             a.social_engineering_authorised FROM engagement_acceptances a JOIN people p ON p.id = a.accepted_by \
             WHERE a.engagement_id = $1 ORDER BY a.id",
        )
        .bind(engagement_id)
        .fetch_all(&mut self.conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Acceptance {
                engagement_id: r.try_get("engagement_id")?,
                version: r.try_get("version")?,
                letter_hash: r.try_get("letter_hash")?,
                accepted_by: r.try_get("accepted_by")?,
                accepted_by_name: r.try_get("accepted_by_name")?,
                accepted_at: r.try_get("accepted_at")?,
                social_engineering_authorised: r.try_get("social_engineering_authorised")?,
            })
        })
        .collect()
    }

    async fn link_engagement_finding(&mut self, engagement_id: i64, finding_id: i64, by: i64, at: DateTime<Utc>) -> Result<()> {
        query(
            "INSERT INTO engagement_findings (finding_id, engagement_id, submitted_by, submitted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (finding_id) DO NOTHING",
        )
        .bind(finding_id)
        .bind(engagement_id)
        .bind(by)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn engagement_findings(&mut self, engagement_id: i64) -> Result<Vec<StoredFinding>> {
        let sql = format!(
            "SELECT {FINDING_COLUMNS} FROM findings WHERE id IN \
             (SELECT finding_id FROM engagement_findings WHERE engagement_id = $1) ORDER BY id DESC"
        );
        let rows = query(&sql).bind(engagement_id).fetch_all(&mut self.conn).await?;
        rows.iter().map(finding_from).collect()
    }

    async fn is_signatory(&mut self, person_id: i64) -> Result<bool> {
        Ok(query("SELECT person_id FROM signatories WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(&mut self.conn)
            .await?
            .is_some())
    }

    async fn set_signatory(&mut self, person_id: i64, signatory: bool, by: Option<i64>, at: DateTime<Utc>) -> Result<()> {
        if signatory {
            query(
                "INSERT INTO signatories (person_id, designated_by, designated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (person_id) DO NOTHING",
            )
            .bind(person_id)
            .bind(by)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        } else {
            query("DELETE FROM signatories WHERE person_id = $1")
                .bind(person_id)
                .execute(&mut self.conn)
                .await?;
        }
        Ok(())
    }
}
