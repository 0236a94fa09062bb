//! The registry: organisations, people, their API tokens, sessions, second factors and recovery
//! codes, invitations and password resets.

use super::prelude::*;

pub(crate) fn organisation_from(row: &Row) -> Result<Organisation> {
    Ok(Organisation {
        id: row.try_get("id")?,
        kind: parse(&row.try_get::<String, _>("kind")?, "organisation kind")?,
        name: row.try_get("name")?,
        nis_code: opt_parse(row.try_get("nis_code")?, "NIS code")?,
        kbo_number: opt_parse(row.try_get("kbo_number")?, "KBO number")?,
        province_nis: opt_parse(row.try_get("province_nis")?, "NIS code")?,
    })
}

pub(crate) fn person_from(row: &Row) -> Result<Person> {
    Ok(Person {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        email: parse(&row.try_get::<String, _>("email")?, "email address")?,
        name: row.try_get("name")?,
        role: parse(&row.try_get::<String, _>("role")?, "role")?,
        password_hash: row.try_get("password_hash")?,
        language: row.try_get("language")?,
        totp_enabled: row.try_get("totp_enabled")?,
    })
}

pub(crate) fn invitation_from(row: &Row) -> Result<Invitation> {
    Ok(Invitation {
        token_hash: row.try_get("token_hash")?,
        email: parse(&row.try_get::<String, _>("email")?, "email address")?,
        name: row.try_get("name")?,
        role: parse(&row.try_get::<String, _>("role")?, "role")?,
        organisation_id: row.try_get("organisation_id")?,
        invited_by: row.try_get("invited_by")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        accepted_at: row.try_get("accepted_at")?,
    })
}

#[async_trait::async_trait]
impl<C: Connection> crate::RegistryTx for Transaction<C> {
    async fn insert_organisation(&mut self, org: &NewOrganisation) -> Result<i64> {
        let row = query(
            "INSERT INTO organisations (kind, name, nis_code, kbo_number, province_nis) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org.kind.as_str())
        .bind(&org.name)
        .bind(org.nis_code.as_ref().map(|n| n.as_str()))
        .bind(org.kbo_number.as_ref().map(|k| k.as_str()))
        .bind(org.province_nis.as_ref().map(|n| n.as_str()))
        .fetch_one(&mut self.conn)
        .await
        .map_err(unique_violation)?;
        Ok(row.try_get(0)?)
    }

    async fn organisation(&mut self, id: i64) -> Result<Option<Organisation>> {
        let row = query("SELECT * FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(organisation_from).transpose()
    }

    async fn organisation_by_nis(&mut self, nis: &NisCode) -> Result<Option<Organisation>> {
        let row = query("SELECT * FROM organisations WHERE nis_code = $1")
            .bind(nis.as_str())
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(organisation_from).transpose()
    }

    async fn organisation_by_name(&mut self, kind: OrganisationKind, name: &str) -> Result<Option<Organisation>> {
        let row = query("SELECT * FROM organisations WHERE kind = $1 AND name = $2")
            .bind(kind.as_str())
            .bind(name)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(organisation_from).transpose()
    }

    async fn organisations(&mut self, filter: &OrganisationFilter) -> Result<Vec<Organisation>> {
        let pattern = filter.query.as_ref().map(|q| format!("%{}%", q.to_lowercase()));
        let rows = query(
            "SELECT * FROM organisations \
             WHERE ($1 IS NULL OR kind = $1) \
               AND ($2 IS NULL OR LOWER(name) LIKE $2 OR nis_code LIKE $2) \
               AND id > $3 \
             ORDER BY id LIMIT $4",
        )
        .bind(filter.kind.map(|k| k.as_str()))
        .bind(pattern)
        .bind(filter.after_id.unwrap_or(0))
        .bind(filter.limit)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, organisation_from)
    }

    async fn count_organisations(&mut self) -> Result<i64> {
        Ok(query("SELECT COUNT(*) FROM organisations")
            .fetch_one(&mut self.conn)
            .await?
            .try_get(0)?)
    }

    async fn insert_person(&mut self, p: &NewPerson) -> Result<i64> {
        let row = query(
            "INSERT INTO people (organisation_id, email, name, role, password_hash, language) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(p.organisation_id)
        .bind(p.email.as_str())
        .bind(&p.name)
        .bind(p.role.as_str())
        .bind(&p.password_hash)
        .bind(&p.language)
        .fetch_one(&mut self.conn)
        .await
        .map_err(unique_violation)?;
        Ok(row.try_get(0)?)
    }

    async fn person(&mut self, id: i64) -> Result<Option<Person>> {
        let row = query(&format!("SELECT {PERSON_COLUMNS} FROM people p WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(person_from).transpose()
    }

    async fn person_by_email(&mut self, email: &EmailAddress) -> Result<Option<Person>> {
        let row = query(&format!("SELECT {PERSON_COLUMNS} FROM people p WHERE p.email = $1"))
            .bind(email.as_str())
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(person_from).transpose()
    }

    async fn insert_token(
        &mut self,
        token_hash: &str,
        person_id: i64,
        name: Option<&str>,
        at: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<()> {
        query("INSERT INTO api_tokens (token_hash, person_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(person_id)
            .bind(name)
            .bind(at)
            .bind(expires)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn api_tokens_of(&mut self, person_id: i64) -> Result<Vec<ApiTokenInfo>> {
        let rows = query(
            "SELECT token_hash, name, created_at, expires_at, revoked_at FROM api_tokens \
             WHERE person_id = $1 AND name IS NOT NULL ORDER BY created_at DESC",
        )
        .bind(person_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|row| {
                let hash: String = row.try_get("token_hash")?;
                Ok(ApiTokenInfo {
                    id: hash.chars().take(12).collect(),
                    name: row.try_get("name")?,
                    created_at: row.try_get("created_at")?,
                    expires_at: row.try_get("expires_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    async fn revoke_token_of(&mut self, person_id: i64, id: &str, at: DateTime<Utc>) -> Result<bool> {
        let done = query(
            "UPDATE api_tokens SET revoked_at = $3 \
             WHERE person_id = $1 AND substr(token_hash, 1, 12) = $2 AND revoked_at IS NULL",
        )
        .bind(person_id)
        .bind(id)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn person_by_token(&mut self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Person>> {
        let row = query(&format!(
            "SELECT {PERSON_COLUMNS} FROM api_tokens t JOIN people p ON p.id = t.person_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(person_from).transpose()
    }

    async fn revoke_token(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<bool> {
        let done = query("UPDATE api_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn insert_session(&mut self, s: &NewSession<'_>) -> Result<()> {
        query(
            "INSERT INTO sessions (token_hash, person_id, csrf_token, second_factor_pending, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.token_hash)
        .bind(s.person_id)
        .bind(s.csrf_token)
        .bind(s.second_factor_pending)
        .bind(s.at)
        .bind(s.expires)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn session(&mut self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<(Person, String, bool)>> {
        let row = query(&format!(
            "SELECT {PERSON_COLUMNS}, s.csrf_token, s.second_factor_pending FROM sessions s JOIN people p ON p.id = s.person_id \
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut self.conn)
        .await?;
        match row {
            Some(row) => Ok(Some((
                person_from(&row)?,
                row.try_get("csrf_token")?,
                row.try_get("second_factor_pending")?,
            ))),
            None => Ok(None),
        }
    }

    async fn revoke_session(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
        query("UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn revoke_all_sessions(&mut self, person_id: i64, at: DateTime<Utc>) -> Result<u64> {
        let sessions = query("UPDATE sessions SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL")
            .bind(person_id)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        let tokens = query("UPDATE api_tokens SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL")
            .bind(person_id)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(sessions.rows_affected() + tokens.rows_affected())
    }

    async fn set_password(&mut self, person_id: i64, password_hash: &str) -> Result<()> {
        query("UPDATE people SET password_hash = $2 WHERE id = $1")
            .bind(person_id)
            .bind(password_hash)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn set_language(&mut self, person_id: i64, language: &str) -> Result<()> {
        query("UPDATE people SET language = $2 WHERE id = $1")
            .bind(person_id)
            .bind(language)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn people(&mut self, organisation_id: Option<i64>) -> Result<Vec<Person>> {
        let rows = query(&format!(
            "SELECT {PERSON_COLUMNS} FROM people p WHERE ($1 IS NULL OR p.organisation_id = $1) ORDER BY p.name, p.id"
        ))
        .bind(organisation_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, person_from)
    }

    async fn totp(&mut self, person_id: i64) -> Result<TotpState> {
        let row = query("SELECT totp_secret, totp_enabled, totp_last_step FROM people WHERE id = $1")
            .bind(person_id)
            .fetch_optional(&mut self.conn)
            .await?;
        match row {
            Some(row) => Ok(TotpState {
                secret: row.try_get("totp_secret")?,
                enabled: row.try_get("totp_enabled")?,
                last_step: row.try_get("totp_last_step")?,
            }),
            None => Ok(TotpState::default()),
        }
    }

    async fn set_totp(&mut self, person_id: i64, state: &TotpState) -> Result<()> {
        query("UPDATE people SET totp_secret = $2, totp_enabled = $3, totp_last_step = $4 WHERE id = $1")
            .bind(person_id)
            .bind(&state.secret)
            .bind(state.enabled)
            .bind(state.last_step)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn replace_recovery_codes(&mut self, person_id: i64, code_hashes: &[String]) -> Result<()> {
        query("DELETE FROM recovery_codes WHERE person_id = $1")
            .bind(person_id)
            .execute(&mut self.conn)
            .await?;
        for hash in code_hashes {
            query("INSERT INTO recovery_codes (person_id, code_hash) VALUES ($1, $2)")
                .bind(person_id)
                .bind(hash)
                .execute(&mut self.conn)
                .await?;
        }
        Ok(())
    }

    async fn use_recovery_code(&mut self, person_id: i64, code_hash: &str, at: DateTime<Utc>) -> Result<bool> {
        let done = query("UPDATE recovery_codes SET used_at = $3 WHERE person_id = $1 AND code_hash = $2 AND used_at IS NULL")
            .bind(person_id)
            .bind(code_hash)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn unused_recovery_codes(&mut self, person_id: i64) -> Result<i64> {
        let row = query("SELECT COUNT(*) FROM recovery_codes WHERE person_id = $1 AND used_at IS NULL")
            .bind(person_id)
            .fetch_one(&mut self.conn)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn insert_invitation(&mut self, i: &Invitation) -> Result<()> {
        query(&format!(
            "INSERT INTO invitations ({INVITATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&i.token_hash)
        .bind(i.email.as_str())
        .bind(&i.name)
        .bind(i.role.as_str())
        .bind(i.organisation_id)
        .bind(i.invited_by)
        .bind(i.created_at)
        .bind(i.expires_at)
        .bind(i.accepted_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn invitation(&mut self, token_hash: &str) -> Result<Option<Invitation>> {
        let row = query(&format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(invitation_from).transpose()
    }

    async fn accept_invitation(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<bool> {
        let done = query("UPDATE invitations SET accepted_at = $2 WHERE token_hash = $1 AND accepted_at IS NULL")
            .bind(token_hash)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn invitations(&mut self, organisation_id: Option<i64>) -> Result<Vec<Invitation>> {
        let rows = query(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE ($1 IS NULL OR organisation_id = $1) ORDER BY created_at DESC"
        ))
        .bind(organisation_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, invitation_from)
    }

    async fn insert_password_reset(&mut self, token_hash: &str, person_id: i64, at: DateTime<Utc>, expires: DateTime<Utc>) -> Result<()> {
        query("INSERT INTO password_resets (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(person_id)
            .bind(at)
            .bind(expires)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn use_password_reset(&mut self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<i64>> {
        let row = query(
            "UPDATE password_resets SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING person_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut self.conn)
        .await?;
        let Some(person_id) = row.map(|r| r.try_get::<i64, _>(0)).transpose()? else {
            return Ok(None);
        };
        // Using one link ends every other open link of the person (issue 10, item 10).
        query("UPDATE password_resets SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL")
            .bind(person_id)
            .bind(now)
            .execute(&mut self.conn)
            .await?;
        Ok(Some(person_id))
    }
}
