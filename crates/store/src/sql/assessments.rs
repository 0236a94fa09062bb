//! Control catalogues and assessments: catalogues with their areas and controls, an order's
//! assessments and their ratings.

pub(crate) const CATALOGUE_COLUMNS: &str = "c.id, c.urn, c.version, c.ref_id, c.name_nl, c.name_en, c.provider, c.loaded_by, c.loaded_at, \
    (SELECT COUNT(*) FROM controls k WHERE k.catalogue_id = c.id) AS controls";

pub(crate) const CONTROL_COLUMNS: &str = "id, ref_id, area_ref, title_nl, title_en, guidance_nl, guidance_en, evidence_nl, evidence_en";

pub(crate) const ASSESSMENT_COLUMNS: &str = "id, order_id, catalogue_id, government_id, started_by, started_at, updated_at";

/// Rows per multi-row INSERT of controls (10 parameters each).
pub(crate) const CONTROL_CHUNK: usize = 50;

use super::prelude::*;

fn catalogue_from(row: &Row) -> Result<CatalogueRecord> {
    Ok(CatalogueRecord {
        id: row.try_get("id")?,
        urn: row.try_get("urn")?,
        version: row.try_get("version")?,
        ref_id: row.try_get("ref_id")?,
        name_nl: row.try_get("name_nl")?,
        name_en: row.try_get("name_en")?,
        provider: row.try_get("provider")?,
        controls: row.try_get("controls")?,
        loaded_by: row.try_get("loaded_by")?,
        loaded_at: row.try_get("loaded_at")?,
    })
}

fn control_from(row: &Row) -> Result<ControlRecord> {
    Ok(ControlRecord {
        id: row.try_get("id")?,
        ref_id: row.try_get("ref_id")?,
        area: row.try_get("area_ref")?,
        title_nl: row.try_get("title_nl")?,
        title_en: row.try_get("title_en")?,
        guidance_nl: row.try_get("guidance_nl")?,
        guidance_en: row.try_get("guidance_en")?,
        evidence_nl: row.try_get("evidence_nl")?,
        evidence_en: row.try_get("evidence_en")?,
    })
}

fn assessment_from(row: &Row) -> Result<Assessment> {
    Ok(Assessment {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        catalogue_id: row.try_get("catalogue_id")?,
        government_id: row.try_get("government_id")?,
        started_by: row.try_get("started_by")?,
        started_at: row.try_get("started_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn rating_from(row: &Row) -> Result<RatingRecord> {
    Ok(RatingRecord {
        control_id: row.try_get("control_id")?,
        rating: parse(&row.try_get::<String, _>("rating")?, "rating")?,
        evidence: row.try_get("evidence")?,
        notes: row.try_get("notes")?,
        rated_by: row.try_get("rated_by")?,
        rated_at: row.try_get("rated_at")?,
    })
}

fn all<T>(rows: Vec<Row>, f: fn(&Row) -> Result<T>) -> Result<Vec<T>> {
    rows.iter().map(f).collect()
}

#[async_trait::async_trait]
impl<C: Connection> crate::AssessmentTx for Transaction<C> {
    async fn insert_catalogue(&mut self, c: &NewCatalogue) -> Result<i64> {
        let row = query(
            "INSERT INTO catalogues (urn, version, ref_id, name_nl, name_en, provider, loaded_by, loaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&c.urn)
        .bind(c.version)
        .bind(&c.ref_id)
        .bind(&c.name_nl)
        .bind(&c.name_en)
        .bind(&c.provider)
        .bind(c.loaded_by)
        .bind(c.loaded_at)
        .fetch_one(&mut self.conn)
        .await
        .map_err(unique_violation)?;
        let id: i64 = row.try_get(0)?;
        for (position, a) in c.areas.iter().enumerate() {
            query("INSERT INTO catalogue_areas (catalogue_id, position, ref_id, name_nl, name_en) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(position as i64)
                .bind(&a.ref_id)
                .bind(&a.name_nl)
                .bind(&a.name_en)
                .execute(&mut self.conn)
                .await
                .map_err(unique_violation)?;
        }
        for (chunk_no, chunk) in c.controls.chunks(CONTROL_CHUNK).enumerate() {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let p: Vec<String> = (1..=10).map(|k| format!("${}", 10 * i + k)).collect();
                    format!("({})", p.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO controls (catalogue_id, position, ref_id, area_ref, title_nl, title_en, guidance_nl, \
                 guidance_en, evidence_nl, evidence_en) VALUES {}",
                values.join(", ")
            );
            let mut q = query(&sql);
            for (i, k) in chunk.iter().enumerate() {
                q = q
                    .bind(id)
                    .bind((chunk_no * CONTROL_CHUNK + i) as i64)
                    .bind(&k.ref_id)
                    .bind(&k.area)
                    .bind(&k.title_nl)
                    .bind(&k.title_en)
                    .bind(&k.guidance_nl)
                    .bind(&k.guidance_en)
                    .bind(&k.evidence_nl)
                    .bind(&k.evidence_en);
            }
            q.execute(&mut self.conn).await.map_err(unique_violation)?;
        }
        Ok(id)
    }

    async fn catalogues(&mut self) -> Result<Vec<CatalogueRecord>> {
        let rows = query(&format!(
            "SELECT {CATALOGUE_COLUMNS} FROM catalogues c ORDER BY c.name_nl, c.version, c.id"
        ))
        .fetch_all(&mut self.conn)
        .await?;
        all(rows, catalogue_from)
    }

    async fn catalogue(&mut self, id: i64) -> Result<Option<CatalogueRecord>> {
        let row = query(&format!("SELECT {CATALOGUE_COLUMNS} FROM catalogues c WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(catalogue_from).transpose()
    }

    async fn catalogue_by_urn(&mut self, urn: &str) -> Result<Option<CatalogueRecord>> {
        let row = query(&format!(
            "SELECT {CATALOGUE_COLUMNS} FROM catalogues c WHERE c.urn = $1 ORDER BY c.version DESC LIMIT 1"
        ))
        .bind(urn)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(catalogue_from).transpose()
    }

    async fn catalogue_areas(&mut self, catalogue_id: i64) -> Result<Vec<AreaRecord>> {
        let rows = query("SELECT ref_id, name_nl, name_en FROM catalogue_areas WHERE catalogue_id = $1 ORDER BY position")
            .bind(catalogue_id)
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AreaRecord {
                    ref_id: r.try_get("ref_id")?,
                    name_nl: r.try_get("name_nl")?,
                    name_en: r.try_get("name_en")?,
                })
            })
            .collect()
    }

    async fn controls(&mut self, catalogue_id: i64) -> Result<Vec<ControlRecord>> {
        let rows = query(&format!(
            "SELECT {CONTROL_COLUMNS} FROM controls WHERE catalogue_id = $1 ORDER BY position"
        ))
        .bind(catalogue_id)
        .fetch_all(&mut self.conn)
        .await?;
        all(rows, control_from)
    }

    async fn insert_assessment(&mut self, a: &Assessment) -> Result<i64> {
        let row = query(
            "INSERT INTO assessments (order_id, catalogue_id, government_id, started_by, started_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(a.order_id)
        .bind(a.catalogue_id)
        .bind(a.government_id)
        .bind(a.started_by)
        .bind(a.started_at)
        .bind(a.updated_at)
        .fetch_one(&mut self.conn)
        .await
        .map_err(unique_violation)?;
        Ok(row.try_get(0)?)
    }

    async fn assessments_of_order(&mut self, order_id: i64) -> Result<Vec<Assessment>> {
        let rows = query(&format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE order_id = $1 ORDER BY id"
        ))
        .bind(order_id)
        .fetch_all(&mut self.conn)
        .await?;
        all(rows, assessment_from)
    }

    async fn previous_assessment(&mut self, government_id: i64, catalogue_id: i64, before_id: i64) -> Result<Option<Assessment>> {
        let row = query(&format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments \
             WHERE government_id = $1 AND catalogue_id = $2 AND id < $3 ORDER BY id DESC LIMIT 1"
        ))
        .bind(government_id)
        .bind(catalogue_id)
        .bind(before_id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(assessment_from).transpose()
    }

    async fn ratings(&mut self, assessment_id: i64) -> Result<Vec<RatingRecord>> {
        let rows = query(
            "SELECT control_id, rating, evidence, notes, rated_by, rated_at FROM ratings WHERE assessment_id = $1 ORDER BY control_id",
        )
        .bind(assessment_id)
        .fetch_all(&mut self.conn)
        .await?;
        all(rows, rating_from)
    }

    async fn save_rating(&mut self, assessment_id: i64, r: &RatingRecord) -> Result<()> {
        query(
            "INSERT INTO ratings (assessment_id, control_id, rating, evidence, notes, rated_by, rated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (assessment_id, control_id) DO UPDATE SET \
             rating = excluded.rating, evidence = excluded.evidence, notes = excluded.notes, \
             rated_by = excluded.rated_by, rated_at = excluded.rated_at",
        )
        .bind(assessment_id)
        .bind(r.control_id)
        .bind(r.rating.as_str())
        .bind(&r.evidence)
        .bind(&r.notes)
        .bind(r.rated_by)
        .bind(r.rated_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn delete_rating(&mut self, assessment_id: i64, control_id: i64) -> Result<()> {
        query("DELETE FROM ratings WHERE assessment_id = $1 AND control_id = $2")
            .bind(assessment_id)
            .bind(control_id)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn touch_assessment(&mut self, id: i64, at: DateTime<Utc>) -> Result<()> {
        query("UPDATE assessments SET updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }
}
