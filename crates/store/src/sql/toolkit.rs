//! VVSG's toolkit: items, versions, search (FTS5 or tsvector over stemmed words), use counts,
//! checklists, exercises and event materials.

use super::prelude::*;
use crate::ToolkitTx;
use crate::driver::FullText;
use cyberveilig_domain::awareness::Audience;
use cyberveilig_domain::toolkit::{Category, ItemKind, StepState, UseKind, VersionState};

const ITEM_FIELDS: &str = "i.id AS item_id, i.slug, i.kind, i.category, i.audience, i.tags, i.owner_id, i.published_version_id, \
    i.published_at, i.created_at AS item_created_at, i.updated_at AS item_updated_at";

const VERSION_FIELDS: &str = "v.id AS version_id, v.item_id AS version_item_id, v.number, v.state, v.title_nl, v.summary_nl, \
    v.body_nl, v.title_en, v.summary_en, v.body_en, v.edited_by, v.edited_at, v.submitted_by, v.submitted_at, v.reviewed_by, \
    v.reviewed_at, v.review_note";

/// ",a,b," for a set of codes, so that one is found with LIKE '%,a,%'.
fn joined<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::from(",");
    for v in values {
        out.push_str(v);
        out.push(',');
    }
    out
}

fn split(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').filter(|s| !s.is_empty())
}

fn item_from(row: &Row) -> Result<ToolkitItem> {
    let audience: String = row.try_get("audience")?;
    let tags: String = row.try_get("tags")?;
    Ok(ToolkitItem {
        id: row.try_get("item_id")?,
        slug: row.try_get("slug")?,
        kind: parse::<ItemKind>(&row.try_get::<String, _>("kind")?, "toolkit kind")?,
        category: parse::<Category>(&row.try_get::<String, _>("category")?, "toolkit category")?,
        audience: split(&audience).map(|a| parse::<Audience>(a, "audience")).collect::<Result<_>>()?,
        tags: split(&tags).map(str::to_owned).collect(),
        owner_id: row.try_get("owner_id")?,
        published_version_id: row.try_get("published_version_id")?,
        published_at: row.try_get("published_at")?,
        created_at: row.try_get("item_created_at")?,
        updated_at: row.try_get("item_updated_at")?,
    })
}

fn version_from(row: &Row) -> Result<ToolkitVersion> {
    Ok(ToolkitVersion {
        id: row.try_get("version_id")?,
        item_id: row.try_get("version_item_id")?,
        number: row.try_get("number")?,
        state: parse::<VersionState>(&row.try_get::<String, _>("state")?, "version state")?,
        title_nl: row.try_get("title_nl")?,
        summary_nl: row.try_get("summary_nl")?,
        body_nl: row.try_get("body_nl")?,
        title_en: row.try_get("title_en")?,
        summary_en: row.try_get("summary_en")?,
        body_en: row.try_get("body_en")?,
        edited_by: row.try_get("edited_by")?,
        edited_at: row.try_get("edited_at")?,
        submitted_by: row.try_get("submitted_by")?,
        submitted_at: row.try_get("submitted_at")?,
        reviewed_by: row.try_get("reviewed_by")?,
        reviewed_at: row.try_get("reviewed_at")?,
        review_note: row.try_get("review_note")?,
    })
}

fn entry_from(row: &Row) -> Result<ToolkitEntry> {
    Ok(ToolkitEntry {
        item: item_from(row)?,
        version: version_from(row)?,
    })
}

const FILE_FIELDS: &str = "id, version_id, filename, kind, size, sha256, uploaded_by, uploaded_at";

fn file_from(row: &Row) -> Result<ToolkitFile> {
    Ok(ToolkitFile {
        id: row.try_get("id")?,
        version_id: row.try_get("version_id")?,
        filename: row.try_get("filename")?,
        kind: parse::<cyberveilig_domain::attachment::AttachmentKind>(&row.try_get::<String, _>("kind")?, "file kind")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: row.try_get("uploaded_at")?,
    })
}

fn use_from(row: &Row) -> Result<UseCount> {
    Ok(UseCount {
        item_id: row.try_get("item_id")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation: row.try_get("organisation")?,
        kind: parse::<UseKind>(&row.try_get::<String, _>("kind")?, "use kind")?,
        count: row.try_get("count")?,
        first_at: row.try_get("first_at")?,
        last_at: row.try_get("last_at")?,
    })
}

fn tick_from(row: &Row) -> Result<ChecklistTick> {
    Ok(ChecklistTick {
        item_id: row.try_get("item_id")?,
        organisation_id: row.try_get("organisation_id")?,
        version_id: row.try_get("version_id")?,
        step: row.try_get("step")?,
        state: parse::<StepState>(&row.try_get::<String, _>("state")?, "step state")?,
        by_person: row.try_get("by_person")?,
        by_name: row.try_get("by_name")?,
        at: row.try_get("at")?,
    })
}

fn exercise_from(row: &Row) -> Result<Exercise> {
    Ok(Exercise {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        item_id: row.try_get("item_id")?,
        held_on: row.try_get("held_on")?,
        participants: row.try_get("participants")?,
        lessons: row.try_get("lessons")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        actions: Vec::new(),
    })
}

/// The filters every list of the library shares, from parameter `$first` on; their binds.
fn filters(
    sql: &mut String,
    first: usize,
    kind: Option<ItemKind>,
    category: Option<Category>,
    audience: Option<Audience>,
    public_only: bool,
) -> Vec<String> {
    let mut binds = Vec::new();
    let mut n = first;
    if public_only {
        sql.push_str(" AND i.kind = 'information'");
    }
    if let Some(kind) = kind {
        sql.push_str(&format!(" AND i.kind = ${n}"));
        binds.push(kind.as_str().to_owned());
        n += 1;
    }
    if let Some(category) = category {
        sql.push_str(&format!(" AND i.category = ${n}"));
        binds.push(category.as_str().to_owned());
        n += 1;
    }
    if let Some(audience) = audience {
        sql.push_str(&format!(" AND i.audience LIKE ${n}"));
        binds.push(format!("%,{},%", audience.as_str()));
    }
    binds
}

#[async_trait::async_trait]
impl<C: Connection> ToolkitTx for Transaction<C> {
    async fn insert_toolkit_item(&mut self, i: &ToolkitItem) -> Result<Option<i64>> {
        let row = query(
            "INSERT INTO toolkit_items (slug, kind, category, audience, tags, owner_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (slug) DO NOTHING RETURNING id",
        )
        .bind(&i.slug)
        .bind(i.kind.as_str())
        .bind(i.category.as_str())
        .bind(joined(i.audience.iter().map(|a| a.as_str())))
        .bind(joined(i.tags.iter().map(String::as_str)))
        .bind(i.owner_id)
        .bind(i.created_at)
        .bind(i.updated_at)
        .fetch_optional(&mut self.conn)
        .await?;
        row.map(|r| r.try_get::<i64, _>(0)).transpose()
    }

    async fn update_toolkit_item(&mut self, i: &ToolkitItem) -> Result<()> {
        query(
            "UPDATE toolkit_items SET kind = $2, category = $3, audience = $4, tags = $5, owner_id = $6, \
             published_version_id = $7, published_at = $8, updated_at = $9 WHERE id = $1",
        )
        .bind(i.id)
        .bind(i.kind.as_str())
        .bind(i.category.as_str())
        .bind(joined(i.audience.iter().map(|a| a.as_str())))
        .bind(joined(i.tags.iter().map(String::as_str)))
        .bind(i.owner_id)
        .bind(i.published_version_id)
        .bind(i.published_at)
        .bind(i.updated_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn toolkit_item(&mut self, id: i64) -> Result<Option<ToolkitItem>> {
        let row = query(&format!("SELECT {ITEM_FIELDS} FROM toolkit_items i WHERE i.id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(item_from).transpose()
    }

    async fn toolkit_item_by_slug(&mut self, slug: &str) -> Result<Option<ToolkitItem>> {
        let row = query(&format!("SELECT {ITEM_FIELDS} FROM toolkit_items i WHERE i.slug = $1"))
            .bind(slug)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(item_from).transpose()
    }

    async fn lock_toolkit_item(&mut self, id: i64) -> Result<Option<ToolkitItem>> {
        let row = query(&format!(
            "SELECT {ITEM_FIELDS} FROM toolkit_items i WHERE i.id = $1{}",
            C::FOR_UPDATE
        ))
        .bind(id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(item_from).transpose()
    }

    async fn insert_toolkit_version(&mut self, v: &ToolkitVersion) -> Result<i64> {
        let row = query(
            "INSERT INTO toolkit_versions (item_id, number, state, title_nl, summary_nl, body_nl, title_en, summary_en, body_en, \
             edited_by, edited_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(v.item_id)
        .bind(v.number)
        .bind(v.state.as_str())
        .bind(&v.title_nl)
        .bind(&v.summary_nl)
        .bind(&v.body_nl)
        .bind(v.title_en.clone())
        .bind(v.summary_en.clone())
        .bind(v.body_en.clone())
        .bind(v.edited_by)
        .bind(v.edited_at)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn update_toolkit_version(&mut self, v: &ToolkitVersion) -> Result<()> {
        query(
            "UPDATE toolkit_versions SET state = $2, title_nl = $3, summary_nl = $4, body_nl = $5, title_en = $6, summary_en = $7, \
             body_en = $8, edited_by = $9, edited_at = $10, submitted_by = $11, submitted_at = $12, reviewed_by = $13, \
             reviewed_at = $14, review_note = $15 WHERE id = $1",
        )
        .bind(v.id)
        .bind(v.state.as_str())
        .bind(&v.title_nl)
        .bind(&v.summary_nl)
        .bind(&v.body_nl)
        .bind(v.title_en.clone())
        .bind(v.summary_en.clone())
        .bind(v.body_en.clone())
        .bind(v.edited_by)
        .bind(v.edited_at)
        .bind(v.submitted_by)
        .bind(v.submitted_at)
        .bind(v.reviewed_by)
        .bind(v.reviewed_at)
        .bind(v.review_note.clone())
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn toolkit_version(&mut self, id: i64) -> Result<Option<ToolkitVersion>> {
        let row = query(&format!("SELECT {VERSION_FIELDS} FROM toolkit_versions v WHERE v.id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(version_from).transpose()
    }

    async fn toolkit_versions(&mut self, item_id: i64) -> Result<Vec<ToolkitVersion>> {
        let rows = query(&format!(
            "SELECT {VERSION_FIELDS} FROM toolkit_versions v WHERE v.item_id = $1 ORDER BY v.number DESC"
        ))
        .bind(item_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, version_from)
    }

    async fn toolkit_entries(&mut self, f: &ToolkitFilter) -> Result<Vec<ToolkitEntry>> {
        let version = if f.published_only {
            "v.id = i.published_version_id"
        } else {
            "v.number = (SELECT MAX(w.number) FROM toolkit_versions w WHERE w.item_id = i.id)"
        };
        let mut sql = format!(
            "SELECT {ITEM_FIELDS}, {VERSION_FIELDS} FROM toolkit_items i JOIN toolkit_versions v ON v.item_id = i.id AND {version} \
             WHERE i.id > $1"
        );
        let binds = filters(&mut sql, 3, f.kind, f.category, f.audience, f.public_only);
        sql.push_str(" ORDER BY i.id LIMIT $2");
        let mut q = query(&sql).bind(f.after_id.unwrap_or(0)).bind(f.limit);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&mut self.conn).await?;
        collect(rows, entry_from)
    }

    async fn search_toolkit(&mut self, s: &ToolkitSearch) -> Result<Vec<ToolkitEntry>> {
        if s.terms.is_empty() {
            return Ok(Vec::new());
        }
        // The terms are letters and digits only (the domain's words) and are bound, not spliced.
        let group = |alternatives: &Vec<String>, quote: char, or: &str| {
            let any: Vec<String> = alternatives.iter().map(|t| format!("{quote}{t}{quote}")).collect();
            format!("({})", any.join(or))
        };
        // The best are ranked on the index and the items' columns alone; only they are then
        // joined with their version's text. PostgreSQL ranks by the title, summary and tags: the
        // whole text's vector of every match would have to be read (and decompressed) to rank.
        let (expression, ranked, direction) = match C::FULL_TEXT {
            FullText::Fts5 => (
                s.terms.iter().map(|a| group(a, '"', " OR ")).collect::<Vec<_>>().join(" AND "),
                "SELECT i.id, bm25(toolkit_search) AS rank FROM toolkit_search JOIN toolkit_items i ON i.id = toolkit_search.rowid \
                 WHERE toolkit_search MATCH $1",
                "",
            ),
            FullText::TsVector => (
                s.terms.iter().map(|a| group(a, '\'', " | ")).collect::<Vec<_>>().join(" & "),
                // The match is the GIN index's (see `toolkit_hits` in the migration), before any join.
                "SELECT i.id, hits.rank FROM toolkit_hits(to_tsquery('simple', $1)) hits \
                 JOIN toolkit_items i ON i.id = hits.item_id WHERE 1 = 1",
                " DESC",
            ),
        };
        let mut inner = format!("{ranked} AND i.published_version_id IS NOT NULL");
        let binds = filters(&mut inner, 3, s.kind, s.category, s.audience, s.public_only);
        let sql = format!(
            "SELECT {ITEM_FIELDS}, {VERSION_FIELDS} FROM ({inner} ORDER BY rank{direction}, i.id LIMIT $2) best \
             JOIN toolkit_items i ON i.id = best.id JOIN toolkit_versions v ON v.id = i.published_version_id \
             ORDER BY best.rank{direction}, i.id"
        );
        let mut q = query(&sql).bind(expression).bind(s.limit);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&mut self.conn).await?;
        collect(rows, entry_from)
    }

    async fn set_toolkit_terms(&mut self, item_id: i64, terms: &str, head: &str) -> Result<()> {
        match C::FULL_TEXT {
            FullText::Fts5 => {
                query("DELETE FROM toolkit_search WHERE rowid = $1")
                    .bind(item_id)
                    .execute(&mut self.conn)
                    .await?;
                // FTS5's bm25 ranks by the whole text cheaply; the head is not needed there.
                let _ = head;
                query("INSERT INTO toolkit_search (rowid, terms) VALUES ($1, $2)")
                    .bind(item_id)
                    .bind(terms)
                    .execute(&mut self.conn)
                    .await?;
            }
            FullText::TsVector => {
                query(
                    "INSERT INTO toolkit_search (item_id, terms, head) VALUES ($1, to_tsvector('simple', $2), to_tsvector('simple', $3)) \
                     ON CONFLICT (item_id) DO UPDATE SET terms = excluded.terms, head = excluded.head",
                )
                .bind(item_id)
                .bind(terms)
                .bind(head)
                .execute(&mut self.conn)
                .await?;
            }
        }
        Ok(())
    }

    async fn record_toolkit_use(&mut self, item_id: i64, organisation_id: i64, kind: UseKind, at: DateTime<Utc>) -> Result<()> {
        query(
            "INSERT INTO toolkit_use (item_id, organisation_id, kind, count, first_at, last_at) VALUES ($1, $2, $3, 1, $4, $4) \
             ON CONFLICT (item_id, organisation_id, kind) DO UPDATE SET count = toolkit_use.count + 1, last_at = excluded.last_at",
        )
        .bind(item_id)
        .bind(organisation_id)
        .bind(kind.as_str())
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn toolkit_use(&mut self, item_id: Option<i64>, organisation_id: Option<i64>) -> Result<Vec<UseCount>> {
        let rows = query(
            "SELECT u.item_id, u.organisation_id, o.name AS organisation, u.kind, u.count, u.first_at, u.last_at \
             FROM toolkit_use u JOIN organisations o ON o.id = u.organisation_id \
             WHERE ($1 = 0 OR u.item_id = $1) AND ($2 = 0 OR u.organisation_id = $2) ORDER BY u.item_id, o.name, u.kind",
        )
        .bind(item_id.unwrap_or(0))
        .bind(organisation_id.unwrap_or(0))
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, use_from)
    }

    async fn toolkit_use_totals(&mut self) -> Result<Vec<UseTotals>> {
        let rows = query(
            "SELECT item_id, \
               CAST(SUM(CASE WHEN kind = 'opened' THEN 1 ELSE 0 END) AS BIGINT) AS opened, \
               CAST(SUM(CASE WHEN kind = 'downloaded' THEN 1 ELSE 0 END) AS BIGINT) AS downloaded, \
               CAST(SUM(CASE WHEN kind = 'completed' THEN 1 ELSE 0 END) AS BIGINT) AS completed \
             FROM toolkit_use GROUP BY item_id ORDER BY item_id",
        )
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UseTotals {
                    item_id: r.try_get("item_id")?,
                    opened: r.try_get("opened")?,
                    downloaded: r.try_get("downloaded")?,
                    completed: r.try_get("completed")?,
                })
            })
            .collect()
    }

    async fn checklist_ticks(&mut self, item_id: i64, organisation_id: i64, version_id: i64) -> Result<Vec<ChecklistTick>> {
        let rows = query(
            "SELECT c.item_id, c.organisation_id, c.version_id, c.step, c.state, c.by_person, p.name AS by_name, c.at \
             FROM toolkit_checklist_steps c JOIN people p ON p.id = c.by_person \
             WHERE c.item_id = $1 AND c.organisation_id = $2 AND c.version_id = $3 ORDER BY c.step",
        )
        .bind(item_id)
        .bind(organisation_id)
        .bind(version_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, tick_from)
    }

    async fn set_checklist_tick(&mut self, t: &ChecklistTick) -> Result<()> {
        query(
            "INSERT INTO toolkit_checklist_steps (item_id, organisation_id, version_id, step, state, by_person, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (item_id, organisation_id, version_id, step) \
             DO UPDATE SET state = excluded.state, by_person = excluded.by_person, at = excluded.at",
        )
        .bind(t.item_id)
        .bind(t.organisation_id)
        .bind(t.version_id)
        .bind(t.step)
        .bind(t.state.as_str())
        .bind(t.by_person)
        .bind(t.at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn clear_checklist_tick(&mut self, item_id: i64, organisation_id: i64, version_id: i64, step: i64) -> Result<()> {
        query("DELETE FROM toolkit_checklist_steps WHERE item_id = $1 AND organisation_id = $2 AND version_id = $3 AND step = $4")
            .bind(item_id)
            .bind(organisation_id)
            .bind(version_id)
            .bind(step)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn insert_exercise(&mut self, e: &Exercise) -> Result<i64> {
        let row = query(
            "INSERT INTO toolkit_exercises (organisation_id, item_id, held_on, participants, lessons, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(e.organisation_id)
        .bind(e.item_id)
        .bind(e.held_on)
        .bind(&e.participants)
        .bind(&e.lessons)
        .bind(e.created_by)
        .bind(e.created_at)
        .fetch_one(&mut self.conn)
        .await?;
        let id: i64 = row.try_get(0)?;
        for a in &e.actions {
            query("INSERT INTO toolkit_exercise_actions (exercise_id, position, text, finding_id) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(a.position)
                .bind(&a.text)
                .bind(a.finding_id)
                .execute(&mut self.conn)
                .await?;
        }
        Ok(id)
    }

    async fn exercise(&mut self, id: i64) -> Result<Option<Exercise>> {
        let row = query("SELECT * FROM toolkit_exercises WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        let Some(mut exercise) = row.as_ref().map(exercise_from).transpose()? else {
            return Ok(None);
        };
        let rows = query("SELECT position, text, finding_id FROM toolkit_exercise_actions WHERE exercise_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut self.conn)
            .await?;
        exercise.actions = rows
            .iter()
            .map(|r| {
                Ok(ExerciseAction {
                    position: r.try_get("position")?,
                    text: r.try_get("text")?,
                    finding_id: r.try_get("finding_id")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Some(exercise))
    }

    async fn exercises(&mut self, organisation_id: i64) -> Result<Vec<Exercise>> {
        let rows = query("SELECT id FROM toolkit_exercises WHERE organisation_id = $1 ORDER BY held_on DESC, id DESC LIMIT 100")
            .bind(organisation_id)
            .fetch_all(&mut self.conn)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(e) = self.exercise(r.try_get("id")?).await? {
                out.push(e);
            }
        }
        Ok(out)
    }

    async fn set_exercise_finding(&mut self, exercise_id: i64, position: i64, finding_id: i64) -> Result<()> {
        query("UPDATE toolkit_exercise_actions SET finding_id = $3 WHERE exercise_id = $1 AND position = $2")
            .bind(exercise_id)
            .bind(position)
            .bind(finding_id)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn insert_toolkit_file(&mut self, f: &ToolkitFile, content: &[u8]) -> Result<i64> {
        let row = query(
            "INSERT INTO toolkit_files (version_id, filename, kind, size, sha256, content, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(f.version_id)
        .bind(&f.filename)
        .bind(f.kind.as_str())
        .bind(f.size)
        .bind(&f.sha256)
        .bind(content.to_vec())
        .bind(f.uploaded_by)
        .bind(f.uploaded_at)
        .fetch_one(&mut self.conn)
        .await?;
        row.try_get("id")
    }

    async fn toolkit_files(&mut self, version_id: i64) -> Result<Vec<ToolkitFile>> {
        let rows = query(&format!(
            "SELECT {FILE_FIELDS} FROM toolkit_files WHERE version_id = $1 ORDER BY id"
        ))
        .bind(version_id)
        .fetch_all(&mut self.conn)
        .await?;
        collect(rows, file_from)
    }

    async fn toolkit_file(&mut self, id: i64) -> Result<Option<(ToolkitFile, Vec<u8>)>> {
        let row = query(&format!("SELECT {FILE_FIELDS}, content FROM toolkit_files WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        match row {
            Some(r) => Ok(Some((file_from(&r)?, r.try_get::<Vec<u8>, _>("content")?))),
            None => Ok(None),
        }
    }

    async fn copy_toolkit_files(&mut self, from_version: i64, to_version: i64) -> Result<()> {
        query(
            "INSERT INTO toolkit_files (version_id, filename, kind, size, sha256, content, uploaded_by, uploaded_at) \
             SELECT $2, filename, kind, size, sha256, content, uploaded_by, uploaded_at FROM toolkit_files \
             WHERE version_id = $1 ORDER BY id",
        )
        .bind(from_version)
        .bind(to_version)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn set_event_materials(&mut self, event_id: i64, item_ids: &[i64]) -> Result<()> {
        query("DELETE FROM awareness_event_materials WHERE event_id = $1")
            .bind(event_id)
            .execute(&mut self.conn)
            .await?;
        for item_id in item_ids {
            query("INSERT INTO awareness_event_materials (event_id, item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(event_id)
                .bind(*item_id)
                .execute(&mut self.conn)
                .await?;
        }
        Ok(())
    }

    async fn event_materials(&mut self, event_id: i64) -> Result<Vec<i64>> {
        let rows = query("SELECT item_id FROM awareness_event_materials WHERE event_id = $1 ORDER BY item_id")
            .bind(event_id)
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter().map(|r| r.try_get::<i64, _>("item_id")).collect()
    }
}
