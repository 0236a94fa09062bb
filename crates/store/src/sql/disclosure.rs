//! Coordinated vulnerability disclosure: drafts and published versions of VVSG's model policy and of each government's policy.

pub(crate) const VERSION_COLUMNS: &str = "id, organisation_id, kind, version, content, assets, model_version, \
    published_by, published_at, expires_at, reminded_at";

use super::prelude::*;
use cyberveilig_domain::disclosure::PolicyKind;

fn version_from(r: &Row) -> Result<PolicyVersion> {
    Ok(PolicyVersion {
        id: r.try_get("id")?,
        organisation_id: r.try_get("organisation_id")?,
        kind: parse(&r.try_get::<String, _>("kind")?, "policy kind")?,
        version: r.try_get("version")?,
        content: r.try_get("content")?,
        assets: r.try_get("assets")?,
        model_version: r.try_get("model_version")?,
        published_by: r.try_get("published_by")?,
        published_at: r.try_get("published_at")?,
        expires_at: r.try_get("expires_at")?,
        reminded_at: r.try_get("reminded_at")?,
    })
}

#[async_trait::async_trait]
impl<C: Connection> crate::DisclosureTx for Transaction<C> {
    async fn policy_draft(&mut self, organisation_id: i64) -> Result<Option<PolicyDraft>> {
        let row = query(
            "SELECT organisation_id, kind, content, model_version, updated_by, updated_at \
             FROM disclosure_drafts WHERE organisation_id = $1",
        )
        .bind(organisation_id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.map(|r| {
            Ok(PolicyDraft {
                organisation_id: r.try_get("organisation_id")?,
                kind: parse(&r.try_get::<String, _>("kind")?, "policy kind")?,
                content: r.try_get("content")?,
                model_version: r.try_get("model_version")?,
                updated_by: r.try_get("updated_by")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .transpose()
    }

    async fn save_policy_draft(&mut self, d: &PolicyDraft) -> Result<()> {
        query(
            "INSERT INTO disclosure_drafts (organisation_id, kind, content, model_version, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organisation_id) DO UPDATE SET kind = excluded.kind, \
             content = excluded.content, model_version = excluded.model_version, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
        )
        .bind(d.organisation_id)
        .bind(d.kind.as_str())
        .bind(&d.content)
        .bind(d.model_version)
        .bind(d.updated_by)
        .bind(d.updated_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn insert_policy_version(&mut self, v: &PolicyVersion) -> Result<i64> {
        let row = query(
            "INSERT INTO disclosure_versions (organisation_id, kind, version, content, assets, model_version, \
             published_by, published_at, expires_at, reminded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(v.organisation_id)
        .bind(v.kind.as_str())
        .bind(v.version)
        .bind(&v.content)
        .bind(&v.assets)
        .bind(v.model_version)
        .bind(v.published_by)
        .bind(v.published_at)
        .bind(v.expires_at)
        .bind(v.reminded_at)
        .fetch_one(&mut self.conn)
        .await
        .map_err(unique_violation)?;
        Ok(row.try_get(0)?)
    }

    async fn policy_versions(&mut self, organisation_id: i64) -> Result<Vec<PolicyVersion>> {
        let rows = query(&format!(
            "SELECT {VERSION_COLUMNS} FROM disclosure_versions WHERE organisation_id = $1 ORDER BY version DESC"
        ))
        .bind(organisation_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(version_from).collect()
    }

    async fn current_policy(&mut self, organisation_id: i64) -> Result<Option<PolicyVersion>> {
        let row = query(&format!(
            "SELECT {VERSION_COLUMNS} FROM disclosure_versions WHERE organisation_id = $1 ORDER BY version DESC LIMIT 1"
        ))
        .bind(organisation_id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(version_from).transpose()
    }

    async fn policy_holders(&mut self) -> Result<Vec<i64>> {
        let rows = query("SELECT DISTINCT organisation_id FROM disclosure_versions WHERE kind = $1 ORDER BY organisation_id")
            .bind(PolicyKind::Government.as_str())
            .fetch_all(&mut self.conn)
            .await?;
        // The `?` turns PostgreSQL's error into ours; on SQLite it is ours already.
        #[allow(clippy::needless_question_mark)]
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    async fn current_model(&mut self) -> Result<Option<PolicyVersion>> {
        let row = query(&format!(
            "SELECT {VERSION_COLUMNS} FROM disclosure_versions WHERE kind = $1 ORDER BY published_at DESC, id DESC LIMIT 1"
        ))
        .bind(PolicyKind::Model.as_str())
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(version_from).transpose()
    }

    async fn policies_to_remind(&mut self, before: DateTime<Utc>) -> Result<Vec<PolicyVersion>> {
        let rows = query(&format!(
            "SELECT {VERSION_COLUMNS} FROM disclosure_versions v WHERE v.kind = $2 \
             AND v.reminded_at IS NULL AND v.expires_at <= $1 \
             AND v.version = (SELECT MAX(w.version) FROM disclosure_versions w WHERE w.organisation_id = v.organisation_id) \
             ORDER BY v.id"
        ))
        .bind(before)
        .bind(PolicyKind::Government.as_str())
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(version_from).collect()
    }

    async fn mark_policy_reminded(&mut self, id: i64, at: DateTime<Utc>) -> Result<bool> {
        let done = query("UPDATE disclosure_versions SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL")
            .bind(id)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
