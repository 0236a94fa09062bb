//! The SQL both backends share. Each backend names its transaction type, its database and its
//! row-locking clause; everything else is portable SQL (numbered `$n` parameters, RETURNING,
//! ON CONFLICT), decoded into domain types here once.

use crate::StoreError;
use std::str::FromStr;

pub(crate) fn parse<T: FromStr>(text: &str, what: &str) -> Result<T, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("{what} '{text}'")))
}

pub(crate) const ORDER_COLUMNS: &str = "id, programme_id, government_id, kind, scope, estimated_cost_cents, rate, \
    state, agreement_id, cascade_rank, firm_id, offered_on, response_due_on, price_cents, planned_start_on, \
    accepted_on, delivered_on, remediation_day_on, invoice_number, invoiced_cents, reserved_cents, paid_cents, \
    submitted_on, submitted_at, submitted_by, updated_at";

pub(crate) const EVENT_COLUMNS: &str = "seq, at, actor_id, actor, action, subject_type, subject_id, details, prev_hash, hash";

pub(crate) const PERSON_COLUMNS: &str = "p.id, p.organisation_id, p.email, p.name, p.role, p.password_hash, p.language, p.totp_enabled";

pub(crate) const FINDING_COLUMNS: &str = "id, government_id, order_id, asset_id, fingerprint, tool, rule_id, title, description, \
    severity, severity_rank, cvss_version, cvss_vector, cvss_score, cvss_computed, cwe, cves, port, protocol, url, evidence, \
    recommendation, status, decision, due_on, first_seen, last_seen, first_import_id, last_import_id";

pub(crate) const IMPORT_COLUMNS: &str =
    "id, order_id, government_id, format, tool_version, findings_read, new, still_open, reopened, fixed, informational, imported_by, at";

pub(crate) const MAIL_COLUMNS: &str = "id, to_address, subject, body, created_at, sent_at, attempts, last_error";

pub(crate) const INVITATION_COLUMNS: &str =
    "token_hash, email, name, role, organisation_id, invited_by, created_at, expires_at, accepted_at";

/// Implements [`crate::Tx`] for `$tx`, a struct with fields `conn` (the backend's connection, with
/// an async `commit`) and
/// `head: Option<(i64, String, bool)>` (the audit chain's head, read and locked together with a
/// programme: seq, hash, changed), `signer: Option<Arc<dyn audit::HeadSigner>>` (signs the head
/// at commit) and `balances: Option<(i64, Balances)>` (a programme's balances
/// after this transaction's last posting). Balances are never read in the locking statement: on
/// PostgreSQL a subquery there would see the snapshot from before the lock was granted.
/// `$for_update` is appended to a SELECT that must lock the rows it reads. The backend's module
/// has a `driver` module with the sqlx-shaped `query`, `Row`, `DbRow`, `Query` and
/// `unique_violation` the SQL below is written against.
macro_rules! implement_tx {
    ($tx:ident, $for_update:literal) => {
    mod implementation {
        use super::$tx;
        use $crate::records::*;
        use super::driver::{query, unique_violation, DbRow, Query, Row};
        use $crate::sql::{parse, EVENT_COLUMNS, FINDING_COLUMNS, IMPORT_COLUMNS, INVITATION_COLUMNS, MAIL_COLUMNS, ORDER_COLUMNS, PERSON_COLUMNS};
        use $crate::{audit, Result, StoreError};
        use chrono::{DateTime, NaiveDate, Utc};
        use cyberveilig_domain::cascade::{CascadeFirm, FrameworkAgreement};
        use cyberveilig_domain::ledger::Balances;
        use cyberveilig_domain::order::{OrderKind, OrderState};
        use cyberveilig_domain::programme::ProgrammeSettings;
        use cyberveilig_domain::registry::{EmailAddress, NisCode, OrganisationKind};
        use cyberveilig_domain::Money;

        fn opt_parse<T: std::str::FromStr>(text: Option<String>, what: &str) -> Result<Option<T>> {
            text.map(|t| parse(&t, what)).transpose()
        }

        fn money(cents: Option<i64>) -> Option<Money> {
            cents.map(Money::from_cents)
        }

        fn organisation_from(row: &DbRow) -> Result<Organisation> {
            Ok(Organisation {
                id: row.try_get("id")?,
                kind: parse(&row.try_get::<String, _>("kind")?, "organisation kind")?,
                name: row.try_get("name")?,
                nis_code: opt_parse(row.try_get("nis_code")?, "NIS code")?,
                kbo_number: opt_parse(row.try_get("kbo_number")?, "KBO number")?,
                province_nis: opt_parse(row.try_get("province_nis")?, "NIS code")?,
            })
        }

        fn person_from(row: &DbRow) -> Result<Person> {
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

        pub(super) fn finding_from(row: &DbRow) -> Result<StoredFinding> {
            Ok(StoredFinding {
                id: row.try_get("id")?,
                government_id: row.try_get("government_id")?,
                order_id: row.try_get("order_id")?,
                asset_id: row.try_get("asset_id")?,
                fingerprint: row.try_get("fingerprint")?,
                tool: row.try_get("tool")?,
                rule_id: row.try_get("rule_id")?,
                title: row.try_get("title")?,
                description: row.try_get("description")?,
                severity: row.try_get("severity")?,
                severity_rank: row.try_get("severity_rank")?,
                cvss_version: row.try_get("cvss_version")?,
                cvss_vector: row.try_get("cvss_vector")?,
                cvss_score: row.try_get("cvss_score")?,
                cvss_computed: row.try_get("cvss_computed")?,
                cwe: row.try_get("cwe")?,
                cves: row.try_get("cves")?,
                port: row.try_get("port")?,
                protocol: row.try_get("protocol")?,
                url: row.try_get("url")?,
                evidence: row.try_get("evidence")?,
                recommendation: row.try_get("recommendation")?,
                status: row.try_get("status")?,
                decision: row.try_get("decision")?,
                due_on: row.try_get("due_on")?,
                first_seen: row.try_get("first_seen")?,
                last_seen: row.try_get("last_seen")?,
                first_import_id: row.try_get("first_import_id")?,
                last_import_id: row.try_get("last_import_id")?,
            })
        }

        fn import_from(row: &DbRow) -> Result<Import> {
            Ok(Import {
                id: row.try_get("id")?,
                order_id: row.try_get("order_id")?,
                government_id: row.try_get("government_id")?,
                format: row.try_get("format")?,
                tool_version: row.try_get("tool_version")?,
                findings_read: row.try_get("findings_read")?,
                new: row.try_get("new")?,
                still_open: row.try_get("still_open")?,
                reopened: row.try_get("reopened")?,
                fixed: row.try_get("fixed")?,
                informational: row.try_get("informational")?,
                imported_by: row.try_get("imported_by")?,
                at: row.try_get("at")?,
            })
        }

        fn mail_from(row: &DbRow) -> Result<Mail> {
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

        fn invitation_from(row: &DbRow) -> Result<Invitation> {
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

        fn programme_from(row: &DbRow) -> Result<Programme> {
            let settings: String = row.try_get("settings")?;
            Ok(Programme {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                settings: serde_json::from_str::<ProgrammeSettings>(&settings)
                    .map_err(|e| StoreError::Corrupt(format!("programme settings: {e}")))?,
                created_at: row.try_get("created_at")?,
            })
        }

        fn order_from(row: &DbRow) -> Result<Order> {
            Ok(Order {
                id: row.try_get("id")?,
                programme_id: row.try_get("programme_id")?,
                government_id: row.try_get("government_id")?,
                kind: parse(&row.try_get::<String, _>("kind")?, "order kind")?,
                scope: row.try_get("scope")?,
                estimated_cost: money(row.try_get("estimated_cost_cents")?),
                rate: parse(&row.try_get::<String, _>("rate")?, "rate")?,
                state: parse(&row.try_get::<String, _>("state")?, "order state")?,
                agreement_id: row.try_get("agreement_id")?,
                cascade_rank: row.try_get::<Option<i64>, _>("cascade_rank")?.map(|r| r as u32),
                firm_id: row.try_get("firm_id")?,
                offered_on: row.try_get("offered_on")?,
                response_due_on: row.try_get("response_due_on")?,
                price: money(row.try_get("price_cents")?),
                planned_start_on: row.try_get("planned_start_on")?,
                accepted_on: row.try_get("accepted_on")?,
                delivered_on: row.try_get("delivered_on")?,
                remediation_day_on: row.try_get("remediation_day_on")?,
                invoice_number: row.try_get("invoice_number")?,
                invoiced: money(row.try_get("invoiced_cents")?),
                reserved: Money::from_cents(row.try_get("reserved_cents")?),
                paid: Money::from_cents(row.try_get("paid_cents")?),
                submitted_on: row.try_get("submitted_on")?,
                submitted_at: row.try_get("submitted_at")?,
                submitted_by: row.try_get("submitted_by")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        fn event_from(row: &DbRow) -> Result<Event> {
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

        fn balances_from(row: &DbRow) -> Result<Balances> {
            Ok(Balances {
                budget: Money::from_cents(row.try_get("budget")?),
                reserved: Money::from_cents(row.try_get("reserved")?),
                paid: Money::from_cents(row.try_get("paid")?),
            })
        }

        /// Binds what changes in an order's life, in the column order both insert and update use,
        /// from `state` to `paid_cents`, then `updated_at`.
        fn bind_life<'q>(query: Query<'q>, o: &'q Order) -> Query<'q> {
            query
                .bind(o.state.as_str())
                .bind(o.agreement_id)
                .bind(o.cascade_rank.map(i64::from))
                .bind(o.firm_id)
                .bind(o.offered_on)
                .bind(o.response_due_on)
                .bind(o.price.map(Money::cents))
                .bind(o.planned_start_on)
                .bind(o.accepted_on)
                .bind(o.delivered_on)
                .bind(o.remediation_day_on)
                .bind(&o.invoice_number)
                .bind(o.invoiced.map(Money::cents))
                .bind(o.reserved.cents())
                .bind(o.paid.cents())
                .bind(o.updated_at)
        }

        fn known_finding_from(r: &DbRow) -> Result<KnownFinding> {
            Ok(KnownFinding {
                id: r.try_get("id")?,
                fingerprint: r.try_get("fingerprint")?,
                status: r.try_get("status")?,
                last_import_id: r.try_get("last_import_id")?,
                severity_rank: r.try_get("severity_rank")?,
                cves: r.try_get("cves")?,
                first_seen: r.try_get("first_seen")?,
            })
        }

        /// `$1, ..., $28`: one placeholder per column of a new finding.
        fn finding_placeholders() -> String {
            (1..=28).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        }

        /// Binds a new finding's columns, in the order of `FINDING_COLUMNS` without its id.
        fn bind_finding<'q>(q: Query<'q>, f: &'q StoredFinding) -> Query<'q> {
            q.bind(f.government_id)
                .bind(f.order_id)
                .bind(f.asset_id)
                .bind(&f.fingerprint)
                .bind(&f.tool)
                .bind(&f.rule_id)
                .bind(&f.title)
                .bind(&f.description)
                .bind(&f.severity)
                .bind(f.severity_rank)
                .bind(&f.cvss_version)
                .bind(&f.cvss_vector)
                .bind(f.cvss_score)
                .bind(f.cvss_computed)
                .bind(&f.cwe)
                .bind(&f.cves)
                .bind(f.port)
                .bind(&f.protocol)
                .bind(&f.url)
                .bind(&f.evidence)
                .bind(&f.recommendation)
                .bind(&f.status)
                .bind(&f.decision)
                .bind(f.due_on)
                .bind(f.first_seen)
                .bind(f.last_seen)
                .bind(f.first_import_id)
                .bind(f.last_import_id)
        }

        fn collect<T>(rows: Vec<DbRow>, f: fn(&DbRow) -> Result<T>) -> Result<Vec<T>> {
            rows.iter().map(f).collect()
        }

        #[async_trait::async_trait]
        impl $crate::Tx for $tx {
            async fn expect_bulk_write(&mut self) -> Result<()> {
                self.conn.expect_bulk_write().await
            }

            async fn commit(mut self: Box<Self>) -> Result<()> {
                // The chain's head is written once, at the end, however many events were appended.
                if let Some((seq, hash, true)) = self.head.take() {
                    query("UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1")
                        .bind(seq)
                        .bind(&hash)
                        .execute(&mut *self.conn)
                        .await?;
                    // Signed with a key outside the database (issue 10, item 14).
                    if let Some(signer) = self.signer.clone() {
                        let signature = signer.sign_head(seq, &hash);
                        $crate::SecurityTx::insert_audit_signature(&mut *self, &signature).await?;
                    }
                }
                self.conn.commit().await
            }

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
                .fetch_one(&mut *self.conn)
                .await
                .map_err(unique_violation)?;
                Ok(row.try_get(0)?)
            }

            async fn organisation(&mut self, id: i64) -> Result<Option<Organisation>> {
                let row = query("SELECT * FROM organisations WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *self.conn)
                    .await?;
                row.as_ref().map(organisation_from).transpose()
            }

            async fn organisation_by_nis(&mut self, nis: &NisCode) -> Result<Option<Organisation>> {
                let row = query("SELECT * FROM organisations WHERE nis_code = $1")
                    .bind(nis.as_str())
                    .fetch_optional(&mut *self.conn)
                    .await?;
                row.as_ref().map(organisation_from).transpose()
            }

            async fn organisation_by_name(&mut self, kind: OrganisationKind, name: &str) -> Result<Option<Organisation>> {
                let row = query("SELECT * FROM organisations WHERE kind = $1 AND name = $2")
                    .bind(kind.as_str())
                    .bind(name)
                    .fetch_optional(&mut *self.conn)
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
                .fetch_all(&mut *self.conn)
                .await?;
                collect(rows, organisation_from)
            }

            async fn count_organisations(&mut self) -> Result<i64> {
                Ok(query("SELECT COUNT(*) FROM organisations").fetch_one(&mut *self.conn).await?.try_get(0)?)
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
                .fetch_one(&mut *self.conn)
                .await
                .map_err(unique_violation)?;
                Ok(row.try_get(0)?)
            }

            async fn person(&mut self, id: i64) -> Result<Option<Person>> {
                let row = query(&format!("SELECT {PERSON_COLUMNS} FROM people p WHERE p.id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *self.conn)
                    .await?;
                row.as_ref().map(person_from).transpose()
            }

            async fn person_by_email(&mut self, email: &EmailAddress) -> Result<Option<Person>> {
                let row = query(&format!("SELECT {PERSON_COLUMNS} FROM people p WHERE p.email = $1"))
                    .bind(email.as_str())
                    .fetch_optional(&mut *self.conn)
                    .await?;
                row.as_ref().map(person_from).transpose()
            }

            async fn insert_token(&mut self, token_hash: &str, person_id: i64, name: Option<&str>, at: DateTime<Utc>, expires: DateTime<Utc>) -> Result<()> {
                query("INSERT INTO api_tokens (token_hash, person_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(token_hash)
                    .bind(person_id)
                    .bind(name)
                    .bind(at)
                    .bind(expires)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn api_tokens_of(&mut self, person_id: i64) -> Result<Vec<ApiTokenInfo>> {
                let rows = query(
                    "SELECT token_hash, name, created_at, expires_at, revoked_at FROM api_tokens \
                     WHERE person_id = $1 AND name IS NOT NULL ORDER BY created_at DESC",
                )
                .bind(person_id)
                .fetch_all(&mut *self.conn)
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
                .execute(&mut *self.conn)
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
                .fetch_optional(&mut *self.conn)
                .await?;
                row.as_ref().map(person_from).transpose()
            }

            async fn revoke_token(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<bool> {
                let done = query("UPDATE api_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
                    .bind(token_hash)
                    .bind(at)
                    .execute(&mut *self.conn)
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
                .execute(&mut *self.conn)
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
                .fetch_optional(&mut *self.conn)
                .await?;
                match row {
                    Some(row) => Ok(Some((person_from(&row)?, row.try_get("csrf_token")?, row.try_get("second_factor_pending")?))),
                    None => Ok(None),
                }
            }

            async fn revoke_session(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
                query("UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
                    .bind(token_hash)
                    .bind(at)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn revoke_all_sessions(&mut self, person_id: i64, at: DateTime<Utc>) -> Result<u64> {
                let sessions = query("UPDATE sessions SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL")
                    .bind(person_id)
                    .bind(at)
                    .execute(&mut *self.conn)
                    .await?;
                let tokens = query("UPDATE api_tokens SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL")
                    .bind(person_id)
                    .bind(at)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(sessions.rows_affected() + tokens.rows_affected())
            }

            async fn set_password(&mut self, person_id: i64, password_hash: &str) -> Result<()> {
                query("UPDATE people SET password_hash = $2 WHERE id = $1")
                    .bind(person_id)
                    .bind(password_hash)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn set_language(&mut self, person_id: i64, language: &str) -> Result<()> {
                query("UPDATE people SET language = $2 WHERE id = $1")
                    .bind(person_id)
                    .bind(language)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn people(&mut self, organisation_id: Option<i64>) -> Result<Vec<Person>> {
                let rows = query(&format!(
                    "SELECT {PERSON_COLUMNS} FROM people p WHERE ($1 IS NULL OR p.organisation_id = $1) ORDER BY p.name, p.id"
                ))
                .bind(organisation_id)
                .fetch_all(&mut *self.conn)
                .await?;
                collect(rows, person_from)
            }

            async fn totp(&mut self, person_id: i64) -> Result<TotpState> {
                let row = query("SELECT totp_secret, totp_enabled, totp_last_step FROM people WHERE id = $1")
                    .bind(person_id)
                    .fetch_optional(&mut *self.conn)
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
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn replace_recovery_codes(&mut self, person_id: i64, code_hashes: &[String]) -> Result<()> {
                query("DELETE FROM recovery_codes WHERE person_id = $1").bind(person_id).execute(&mut *self.conn).await?;
                for hash in code_hashes {
                    query("INSERT INTO recovery_codes (person_id, code_hash) VALUES ($1, $2)")
                        .bind(person_id)
                        .bind(hash)
                        .execute(&mut *self.conn)
                        .await?;
                }
                Ok(())
            }

            async fn use_recovery_code(&mut self, person_id: i64, code_hash: &str, at: DateTime<Utc>) -> Result<bool> {
                let done = query("UPDATE recovery_codes SET used_at = $3 WHERE person_id = $1 AND code_hash = $2 AND used_at IS NULL")
                    .bind(person_id)
                    .bind(code_hash)
                    .bind(at)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn unused_recovery_codes(&mut self, person_id: i64) -> Result<i64> {
                let row = query("SELECT COUNT(*) FROM recovery_codes WHERE person_id = $1 AND used_at IS NULL")
                    .bind(person_id)
                    .fetch_one(&mut *self.conn)
                    .await?;
                Ok(row.try_get(0)?)
            }

            async fn insert_invitation(&mut self, i: &Invitation) -> Result<()> {
                query(&format!("INSERT INTO invitations ({INVITATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"))
                    .bind(&i.token_hash)
                    .bind(i.email.as_str())
                    .bind(&i.name)
                    .bind(i.role.as_str())
                    .bind(i.organisation_id)
                    .bind(i.invited_by)
                    .bind(i.created_at)
                    .bind(i.expires_at)
                    .bind(i.accepted_at)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn invitation(&mut self, token_hash: &str) -> Result<Option<Invitation>> {
                let row = query(&format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1"))
                    .bind(token_hash)
                    .fetch_optional(&mut *self.conn)
                    .await?;
                row.as_ref().map(invitation_from).transpose()
            }

            async fn accept_invitation(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<bool> {
                let done = query("UPDATE invitations SET accepted_at = $2 WHERE token_hash = $1 AND accepted_at IS NULL")
                    .bind(token_hash)
                    .bind(at)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn invitations(&mut self, organisation_id: Option<i64>) -> Result<Vec<Invitation>> {
                let rows = query(&format!(
                    "SELECT {INVITATION_COLUMNS} FROM invitations WHERE ($1 IS NULL OR organisation_id = $1) ORDER BY created_at DESC"
                ))
                .bind(organisation_id)
                .fetch_all(&mut *self.conn)
                .await?;
                collect(rows, invitation_from)
            }

            async fn insert_password_reset(&mut self, token_hash: &str, person_id: i64, at: DateTime<Utc>, expires: DateTime<Utc>) -> Result<()> {
                query("INSERT INTO password_resets (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(token_hash)
                    .bind(person_id)
                    .bind(at)
                    .bind(expires)
                    .execute(&mut *self.conn)
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
                .fetch_optional(&mut *self.conn)
                .await?;
                let Some(person_id) = row.map(|r| r.try_get::<i64, _>(0)).transpose()? else {
                    return Ok(None);
                };
                // Using one link ends every other open link of the person (issue 10, item 10).
                query("UPDATE password_resets SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL")
                    .bind(person_id)
                    .bind(now)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(Some(person_id))
            }

            async fn insert_mail(&mut self, mail: &NewMail, at: DateTime<Utc>) -> Result<i64> {
                let row = query("INSERT INTO outbox (to_address, subject, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                    .bind(mail.to.as_str())
                    .bind(&mail.subject)
                    .bind(&mail.body)
                    .bind(at)
                    .fetch_one(&mut *self.conn)
                    .await?;
                Ok(row.try_get(0)?)
            }

            async fn mails(&mut self, limit: i64) -> Result<Vec<Mail>> {
                let rows = query(&format!("SELECT {MAIL_COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1"))
                    .bind(limit)
                    .fetch_all(&mut *self.conn)
                    .await?;
                collect(rows, mail_from)
            }

            async fn unsent_mails(&mut self, max_attempts: i64, limit: i64) -> Result<Vec<Mail>> {
                let rows = query(&format!(
                    "SELECT {MAIL_COLUMNS} FROM outbox WHERE sent_at IS NULL AND attempts < $1 ORDER BY id LIMIT $2"
                ))
                .bind(max_attempts)
                .bind(limit)
                .fetch_all(&mut *self.conn)
                .await?;
                collect(rows, mail_from)
            }

            async fn mail_sent(&mut self, id: i64, at: DateTime<Utc>) -> Result<()> {
                query("UPDATE outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1")
                    .bind(id)
                    .bind(at)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn mail_failed(&mut self, id: i64, error: &str) -> Result<()> {
                query("UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1")
                    .bind(id)
                    .bind(error)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn insert_programme(&mut self, name: &str, settings: &ProgrammeSettings, at: DateTime<Utc>) -> Result<i64> {
                let settings = serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let row = query("INSERT INTO programmes (name, settings, created_at) VALUES ($1, $2, $3) RETURNING id")
                    .bind(name)
                    .bind(settings)
                    .bind(at)
                    .fetch_one(&mut *self.conn)
                    .await?;
                Ok(row.try_get(0)?)
            }

            async fn update_programme_settings(&mut self, id: i64, settings: &ProgrammeSettings) -> Result<()> {
                let settings = serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                query("UPDATE programmes SET settings = $2 WHERE id = $1")
                    .bind(id)
                    .bind(settings)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn programme(&mut self, id: i64) -> Result<Option<Programme>> {
                let row = query("SELECT * FROM programmes WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *self.conn)
                    .await?;
                row.as_ref().map(programme_from).transpose()
            }

            async fn lock_programme(&mut self, id: i64) -> Result<Option<Programme>> {
                let row = query(concat!(
                    "SELECT p.id, p.name, p.settings, p.created_at, h.seq AS head_seq, h.hash AS head_hash \
                     FROM programmes p CROSS JOIN audit_chain_head h WHERE p.id = $1 AND h.id = 1",
                    $for_update
                ))
                .bind(id)
                .fetch_optional(&mut *self.conn)
                .await?;
                let Some(row) = row else { return Ok(None) };
                // What this transaction changed itself is newer than what the database says.
                if self.head.is_none() {
                    self.head = Some((row.try_get("head_seq")?, row.try_get("head_hash")?, false));
                }
                programme_from(&row).map(Some)
            }

            async fn programmes(&mut self) -> Result<Vec<Programme>> {
                let rows = query("SELECT * FROM programmes ORDER BY id").fetch_all(&mut *self.conn).await?;
                collect(rows, programme_from)
            }

            async fn insert_amendment(&mut self, programme_id: i64, summary: &serde_json::Value, reason: &str, decided_by: i64, at: DateTime<Utc>) -> Result<i64> {
                let row = query(
                    "INSERT INTO amendments (programme_id, summary, reason, decided_by, at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(programme_id)
                .bind(summary.to_string())
                .bind(reason)
                .bind(decided_by)
                .bind(at)
                .fetch_one(&mut *self.conn)
                .await?;
                Ok(row.try_get(0)?)
            }

            async fn amendments(&mut self, programme_id: i64) -> Result<Vec<Amendment>> {
                let rows = query("SELECT * FROM amendments WHERE programme_id = $1 ORDER BY id")
                    .bind(programme_id)
                    .fetch_all(&mut *self.conn)
                    .await?;
                rows.iter()
                    .map(|row| {
                        let summary: String = row.try_get("summary")?;
                        Ok(Amendment {
                            id: row.try_get("id")?,
                            programme_id: row.try_get("programme_id")?,
                            summary: serde_json::from_str(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                            reason: row.try_get("reason")?,
                            decided_by: row.try_get("decided_by")?,
                            at: row.try_get("at")?,
                        })
                    })
                    .collect()
            }

            async fn insert_grant(&mut self, g: &ProjectGrant) -> Result<i64> {
                let packages = serde_json::to_string(&g.work_packages).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let row = query(
                    "INSERT INTO project_grants (beneficiary_id, name, amount_cents, starts_on, ends_on, work_packages, governance) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(g.beneficiary_id)
                .bind(&g.name)
                .bind(g.amount.cents())
                .bind(g.starts_on)
                .bind(g.ends_on)
                .bind(packages)
                .bind(&g.governance)
                .fetch_one(&mut *self.conn)
                .await?;
                Ok(row.try_get(0)?)
            }

            async fn grants(&mut self) -> Result<Vec<ProjectGrant>> {
                let rows = query("SELECT * FROM project_grants ORDER BY id").fetch_all(&mut *self.conn).await?;
                rows.iter()
                    .map(|row| {
                        let packages: String = row.try_get("work_packages")?;
                        Ok(ProjectGrant {
                            id: row.try_get("id")?,
                            beneficiary_id: row.try_get("beneficiary_id")?,
                            name: row.try_get("name")?,
                            amount: Money::from_cents(row.try_get("amount_cents")?),
                            starts_on: row.try_get("starts_on")?,
                            ends_on: row.try_get("ends_on")?,
                            work_packages: serde_json::from_str(&packages).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                            governance: row.try_get("governance")?,
                        })
                    })
                    .collect()
            }

            async fn insert_agreement(&mut self, a: &FrameworkAgreement) -> Result<i64> {
                let id: i64 = query(
                    "INSERT INTO framework_agreements (reference, title, window_from, window_until, active, response_term_working_days) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(&a.reference)
                .bind(&a.title)
                .bind(a.window_from)
                .bind(a.window_until)
                .bind(a.active)
                .bind(i64::from(a.response_term_working_days))
                .fetch_one(&mut *self.conn)
                .await
                .map_err(unique_violation)?
                .try_get(0)?;
                for firm in &a.cascade {
                    query(
                        "INSERT INTO cascade_firms (agreement_id, rank, firm_id, package_price_cents, day_rate_cents) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(id)
                    .bind(i64::from(firm.rank))
                    .bind(firm.firm_id)
                    .bind(firm.package_price.cents())
                    .bind(firm.day_rate.cents())
                    .execute(&mut *self.conn)
                    .await?;
                }
                Ok(id)
            }

            async fn agreements(&mut self) -> Result<Vec<FrameworkAgreement>> {
                let rows = query(
                    "SELECT a.id, a.reference, a.title, a.window_from, a.window_until, a.active, a.response_term_working_days, \
                            c.rank, c.firm_id, c.package_price_cents, c.day_rate_cents \
                     FROM framework_agreements a LEFT JOIN cascade_firms c ON c.agreement_id = a.id \
                     ORDER BY a.window_from, a.id, c.rank",
                )
                .fetch_all(&mut *self.conn)
                .await?;
                let mut agreements: Vec<FrameworkAgreement> = Vec::new();
                for row in &rows {
                    let id: i64 = row.try_get("id")?;
                    if agreements.last().map(|a| a.id) != Some(id) {
                        agreements.push(FrameworkAgreement {
                            id,
                            reference: row.try_get("reference")?,
                            title: row.try_get("title")?,
                            window_from: row.try_get("window_from")?,
                            window_until: row.try_get("window_until")?,
                            active: row.try_get("active")?,
                            response_term_working_days: row.try_get::<i64, _>("response_term_working_days")? as u32,
                            cascade: Vec::new(),
                        });
                    }
                    if let (Some(rank), Some(agreement)) = (row.try_get::<Option<i64>, _>("rank")?, agreements.last_mut()) {
                        agreement.cascade.push(CascadeFirm {
                            firm_id: row.try_get("firm_id")?,
                            rank: rank as u32,
                            package_price: Money::from_cents(row.try_get("package_price_cents")?),
                            day_rate: Money::from_cents(row.try_get("day_rate_cents")?),
                        });
                    }
                }
                Ok(agreements)
            }

            async fn set_agreement_active(&mut self, id: i64, active: bool) -> Result<()> {
                query("UPDATE framework_agreements SET active = $2 WHERE id = $1")
                    .bind(id)
                    .bind(active)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn insert_order(&mut self, o: &Order) -> Result<i64> {
                let query = query(
                    "INSERT INTO orders (programme_id, government_id, kind, scope, estimated_cost_cents, rate, \
                     submitted_on, submitted_at, submitted_by, \
                     state, agreement_id, cascade_rank, firm_id, offered_on, response_due_on, price_cents, planned_start_on, \
                     accepted_on, delivered_on, remediation_day_on, invoice_number, invoiced_cents, reserved_cents, paid_cents, \
                     updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) \
                     RETURNING id",
                )
                .bind(o.programme_id)
                .bind(o.government_id)
                .bind(o.kind.as_str())
                .bind(&o.scope)
                .bind(o.estimated_cost.map(Money::cents))
                .bind(o.rate.to_string())
                .bind(o.submitted_on)
                .bind(o.submitted_at)
                .bind(o.submitted_by);
                let row = bind_life(query, o).fetch_one(&mut *self.conn).await?;
                Ok(row.try_get(0)?)
            }

            async fn update_order(&mut self, o: &Order) -> Result<()> {
                let query = query(
                    "UPDATE orders SET state = $2, agreement_id = $3, cascade_rank = $4, firm_id = $5, offered_on = $6, \
                     response_due_on = $7, price_cents = $8, planned_start_on = $9, accepted_on = $10, delivered_on = $11, \
                     remediation_day_on = $12, invoice_number = $13, invoiced_cents = $14, reserved_cents = $15, \
                     paid_cents = $16, updated_at = $17 WHERE id = $1",
                )
                .bind(o.id);
                bind_life(query, o).execute(&mut *self.conn).await?;
                Ok(())
            }

            async fn order(&mut self, id: i64) -> Result<Option<Order>> {
                let row = query(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *self.conn)
                    .await?;
                row.as_ref().map(order_from).transpose()
            }

            async fn orders(&mut self, f: &OrderFilter) -> Result<Vec<Order>> {
                let (after, order) = if f.newest_first { ("id < $5", "id DESC") } else { ("id > $5", "id") };
                let rows = query(&format!(
                    "SELECT {ORDER_COLUMNS} FROM orders \
                     WHERE ($1 IS NULL OR programme_id = $1) AND ($2 IS NULL OR state = $2) \
                       AND ($3 IS NULL OR government_id = $3) AND ($4 IS NULL OR firm_id = $4) AND {after} \
                       AND ($7 IS NULL OR agreement_id = $7) \
                       AND ($8 IS NULL OR government_id IN (SELECT id FROM organisations WHERE province_nis = $8)) \
                       AND ($9 IS NULL OR submitted_on >= $9) AND ($10 IS NULL OR submitted_on <= $10) \
                       AND ($11 IS NULL OR (kind = 'basic' AND state IN ('delivered', 'remediation_day_held', 'invoiced', 'settled') \
                            AND NOT EXISTS (SELECT 1 FROM audit_reports r WHERE r.order_id = orders.id))) \
                     ORDER BY {order} LIMIT $6"
                ))
                .bind(f.programme_id)
                .bind(f.state.map(|s| s.as_str()))
                .bind(f.government_id)
                .bind(f.firm_id)
                .bind(f.after_id.unwrap_or(if f.newest_first { i64::MAX } else { 0 }))
                .bind(f.limit)
                .bind(f.agreement_id)
                .bind(f.province_nis.as_deref())
                .bind(f.submitted_from)
                .bind(f.submitted_until)
                .bind(f.delivered_without_report.then_some(true))
                .fetch_all(&mut *self.conn)
                .await?;
                collect(rows, order_from)
            }

            async fn order_counts(&mut self, programme_id: i64) -> Result<Vec<(OrderKind, OrderState, i64)>> {
                let rows = query(
                    "SELECT kind, state, COUNT(*) AS n FROM orders WHERE programme_id = $1 GROUP BY kind, state ORDER BY kind, state",
                )
                .bind(programme_id)
                .fetch_all(&mut *self.conn)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            parse(&r.try_get::<String, _>("kind")?, "order kind")?,
                            parse(&r.try_get::<String, _>("state")?, "order state")?,
                            r.try_get("n")?,
                        ))
                    })
                    .collect()
            }

            async fn count_in_state(&mut self, programme_id: i64, state: OrderState) -> Result<i64> {
                let row = query("SELECT COUNT(*) FROM orders WHERE programme_id = $1 AND state = $2")
                    .bind(programme_id)
                    .bind(state.as_str())
                    .fetch_one(&mut *self.conn)
                    .await?;
                Ok(row.try_get(0)?)
            }

            async fn orders_by_government(&mut self, programme_id: i64) -> Result<Vec<(i64, i64, i64)>> {
                let rows = query(
                    "SELECT government_id, \
                            CAST(SUM(CASE WHEN kind = 'basic' THEN 1 ELSE 0 END) AS BIGINT) AS basic, \
                            CAST(SUM(CASE WHEN kind = 'additional' THEN 1 ELSE 0 END) AS BIGINT) AS additional \
                     FROM orders WHERE programme_id = $1 AND state NOT IN ('cancelled', 'unplaceable') \
                     GROUP BY government_id ORDER BY government_id",
                )
                .bind(programme_id)
                .fetch_all(&mut *self.conn)
                .await?;
                rows.iter()
                    .map(|r| Ok((r.try_get("government_id")?, r.try_get("basic")?, r.try_get("additional")?)))
                    .collect()
            }

            async fn has_basic_audit(&mut self, programme_id: i64, government_id: i64) -> Result<bool> {
                let row = query(
                    "SELECT COUNT(*) FROM orders WHERE programme_id = $1 AND government_id = $2 AND kind = 'basic' \
                     AND state NOT IN ('cancelled', 'unplaceable')",
                )
                .bind(programme_id)
                .bind(government_id)
                .fetch_one(&mut *self.conn)
                .await?;
                Ok(row.try_get::<i64, _>(0)? > 0)
            }

            async fn waitlist(&mut self, programme_id: i64) -> Result<Vec<Order>> {
                let rows = query(&format!(
                    "SELECT {ORDER_COLUMNS} FROM orders WHERE programme_id = $1 AND state = 'waitlisted' ORDER BY id"
                ))
                .bind(programme_id)
                .fetch_all(&mut *self.conn)
                .await?;
                collect(rows, order_from)
            }

            async fn orders_awaiting_agreement(&mut self, agreement_id: i64) -> Result<Vec<Order>> {
                let rows = query(&format!(
                    "SELECT {ORDER_COLUMNS} FROM orders WHERE agreement_id = $1 AND state = 'awaiting_framework' ORDER BY id"
                ))
                .bind(agreement_id)
                .fetch_all(&mut *self.conn)
                .await?;
                collect(rows, order_from)
            }

            async fn earliest_response_due(&mut self) -> Result<Option<NaiveDate>> {
                let row = query("SELECT MIN(response_due_on) FROM orders WHERE state = 'offered'")
                    .fetch_one(&mut *self.conn)
                    .await?;
                Ok(row.try_get(0)?)
            }

            async fn offers_due_before(&mut self, date: NaiveDate) -> Result<Vec<Order>> {
                let rows = query(&format!(
                    "SELECT {ORDER_COLUMNS} FROM orders WHERE state = 'offered' AND response_due_on < $1 ORDER BY programme_id, id"
                ))
                .bind(date)
                .fetch_all(&mut *self.conn)
                .await?;
                collect(rows, order_from)
            }

            async fn balances(&mut self, programme_id: i64) -> Result<Balances> {
                if let Some((pid, balances)) = &self.balances {
                    if *pid == programme_id {
                        return Ok(*balances);
                    }
                }
                let row = query(
                    "SELECT budget_after AS budget, reserved_after AS reserved, paid_after AS paid FROM postings \
                     WHERE programme_id = $1 ORDER BY id DESC LIMIT 1",
                )
                .bind(programme_id)
                .fetch_optional(&mut *self.conn)
                .await?;
                row.as_ref().map(balances_from).transpose().map(Option::unwrap_or_default)
            }

            async fn balances_from_postings(&mut self, programme_id: i64) -> Result<Balances> {
                let row = query(
                    "SELECT \
                       CAST(COALESCE(SUM(CASE WHEN from_account = 'appropriation' THEN amount_cents \
                                              WHEN to_account = 'appropriation' THEN -amount_cents ELSE 0 END), 0) AS BIGINT) AS budget, \
                       CAST(COALESCE(SUM(CASE WHEN to_account = 'reserved' THEN amount_cents \
                                              WHEN from_account = 'reserved' THEN -amount_cents ELSE 0 END), 0) AS BIGINT) AS reserved, \
                       CAST(COALESCE(SUM(CASE WHEN to_account = 'paid' THEN amount_cents \
                                              WHEN from_account = 'paid' THEN -amount_cents ELSE 0 END), 0) AS BIGINT) AS paid \
                     FROM postings WHERE programme_id = $1",
                )
                .bind(programme_id)
                .fetch_one(&mut *self.conn)
                .await?;
                balances_from(&row)
            }

            async fn order_reservations(&mut self, programme_id: i64) -> Result<i64> {
                let row = query("SELECT CAST(COALESCE(SUM(reserved_cents), 0) AS BIGINT) FROM orders WHERE programme_id = $1")
                    .bind(programme_id)
                    .fetch_one(&mut *self.conn)
                    .await?;
                Ok(row.try_get(0)?)
            }

            async fn insert_posting(&mut self, p: &Posting) -> Result<i64> {
                self.balances = Some((p.programme_id, p.after));
                let row = query(
                    "INSERT INTO postings (programme_id, order_id, from_account, to_account, amount_cents, \
                     budget_after, reserved_after, paid_after, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(p.programme_id)
                .bind(p.order_id)
                .bind(p.from.as_str())
                .bind(p.to.as_str())
                .bind(p.amount.cents())
                .bind(p.after.budget.cents())
                .bind(p.after.reserved.cents())
                .bind(p.after.paid.cents())
                .bind(p.at)
                .fetch_one(&mut *self.conn)
                .await?;
                Ok(row.try_get(0)?)
            }

            async fn append_event(&mut self, e: &NewEvent) -> Result<Event> {
                let (prev_seq, prev_hash) = match &self.head {
                    Some((seq, hash, _)) => (*seq, hash.clone()),
                    None => {
                        let head = query(concat!("SELECT seq, hash FROM audit_chain_head WHERE id = 1", $for_update))
                            .fetch_one(&mut *self.conn)
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
                .execute(&mut *self.conn)
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
                .fetch_all(&mut *self.conn)
                .await?;
                collect(rows, event_from)
            }

            async fn events_after(&mut self, after_seq: i64, limit: i64) -> Result<Vec<Event>> {
                let rows = query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2"))
                    .bind(after_seq)
                    .bind(limit)
                    .fetch_all(&mut *self.conn)
                    .await?;
                collect(rows, event_from)
            }

            async fn chain_head(&mut self) -> Result<(i64, String)> {
                let row = query("SELECT seq, hash FROM audit_chain_head WHERE id = 1").fetch_one(&mut *self.conn).await?;
                Ok((row.try_get("seq")?, row.try_get("hash")?))
            }

            async fn upsert_asset(&mut self, a: &NewAsset) -> Result<i64> {
                let row = query(
                    "INSERT INTO assets (government_id, kind, name, hostname, ip, os, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (government_id, kind, name) DO UPDATE SET \
                       hostname = COALESCE(excluded.hostname, assets.hostname), ip = COALESCE(excluded.ip, assets.ip), \
                       os = COALESCE(excluded.os, assets.os) \
                     RETURNING id",
                )
                .bind(a.government_id)
                .bind(&a.kind)
                .bind(&a.name)
                .bind(&a.hostname)
                .bind(&a.ip)
                .bind(&a.os)
                .bind(a.at)
                .fetch_one(&mut *self.conn)
                .await?;
                Ok(row.try_get(0)?)
            }

            async fn assets(&mut self, government_id: i64) -> Result<Vec<Asset>> {
                let rows = query(
                    "SELECT id, government_id, kind, name, hostname, ip, os, criticality FROM assets WHERE government_id = $1 ORDER BY kind, name",
                )
                .bind(government_id)
                .fetch_all(&mut *self.conn)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(Asset {
                            id: r.try_get("id")?,
                            government_id: r.try_get("government_id")?,
                            kind: r.try_get("kind")?,
                            name: r.try_get("name")?,
                            hostname: r.try_get("hostname")?,
                            ip: r.try_get("ip")?,
                            os: r.try_get("os")?,
                            criticality: r.try_get("criticality")?,
                        })
                    })
                    .collect()
            }

            async fn asset(&mut self, id: i64) -> Result<Option<Asset>> {
                let row = query("SELECT id, government_id, kind, name, hostname, ip, os, criticality FROM assets WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *self.conn)
                    .await?;
                match row {
                    Some(r) => Ok(Some(Asset {
                        id: r.try_get("id")?,
                        government_id: r.try_get("government_id")?,
                        kind: r.try_get("kind")?,
                        name: r.try_get("name")?,
                        hostname: r.try_get("hostname")?,
                        ip: r.try_get("ip")?,
                        os: r.try_get("os")?,
                        criticality: r.try_get("criticality")?,
                    })),
                    None => Ok(None),
                }
            }

            async fn set_asset_criticality(&mut self, id: i64, criticality: &str) -> Result<()> {
                query("UPDATE assets SET criticality = $2 WHERE id = $1")
                    .bind(id)
                    .bind(criticality)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn insert_import(&mut self, i: &Import) -> Result<i64> {
                let row = query(
                    "INSERT INTO imports (order_id, government_id, format, tool_version, findings_read, new, still_open, reopened, fixed, imported_by, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(i.order_id)
                .bind(i.government_id)
                .bind(&i.format)
                .bind(&i.tool_version)
                .bind(i.findings_read)
                .bind(i.new)
                .bind(i.still_open)
                .bind(i.reopened)
                .bind(i.fixed)
                .bind(i.imported_by)
                .bind(i.at)
                .fetch_one(&mut *self.conn)
                .await?;
                Ok(row.try_get(0)?)
            }

            async fn finish_import(&mut self, i: &Import) -> Result<()> {
                query(
                    "UPDATE imports SET findings_read = $2, new = $3, still_open = $4, reopened = $5, fixed = $6, format = $7, \
                     tool_version = $8, informational = $9 WHERE id = $1",
                )
                    .bind(i.id)
                    .bind(i.findings_read)
                    .bind(i.new)
                    .bind(i.still_open)
                    .bind(i.reopened)
                    .bind(i.fixed)
                    .bind(&i.format)
                    .bind(&i.tool_version)
                    .bind(i.informational)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn imports_of(&mut self, order_id: i64) -> Result<Vec<Import>> {
                let rows = query(&format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE order_id = $1 ORDER BY id"))
                    .bind(order_id)
                    .fetch_all(&mut *self.conn)
                    .await?;
                collect(rows, import_from)
            }

            async fn finding_by_fingerprint(&mut self, government_id: i64, fingerprint: &str) -> Result<Option<KnownFinding>> {
                let row = query(
                    "SELECT id, fingerprint, status, last_import_id, severity_rank, cves, first_seen FROM findings \
                     WHERE government_id = $1 AND fingerprint = $2",
                )
                .bind(government_id)
                .bind(fingerprint)
                .fetch_optional(&mut *self.conn)
                .await?;
                row.as_ref().map(known_finding_from).transpose()
            }

            async fn insert_finding(&mut self, f: &StoredFinding) -> Result<i64> {
                let sql = format!(
                    "INSERT INTO findings ({}) VALUES ({}) RETURNING id",
                    FINDING_COLUMNS.trim_start_matches("id, "),
                    finding_placeholders()
                );
                let row = bind_finding(query(&sql), f)
                    .fetch_one(&mut *self.conn)
                    .await
                    .map_err(unique_violation)?;
                Ok(row.try_get(0)?)
            }

            async fn known_findings(&mut self, government_id: i64, fingerprints: &[String]) -> Result<Vec<KnownFinding>> {
                let mut out = Vec::with_capacity(fingerprints.len());
                if !super::driver::LOOKUP_IN_LISTS {
                    for fingerprint in fingerprints {
                        out.extend(self.finding_by_fingerprint(government_id, fingerprint).await?);
                    }
                    return Ok(out);
                }
                for chunk in fingerprints.chunks(500) {
                    let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
                    let sql = format!(
                        "SELECT id, fingerprint, status, last_import_id, severity_rank, cves, first_seen FROM findings \
                         WHERE government_id = $1 AND fingerprint IN ({})",
                        marks.join(", ")
                    );
                    let mut q = query(&sql).bind(government_id);
                    for fingerprint in chunk {
                        q = q.bind(fingerprint);
                    }
                    for r in &q.fetch_all(&mut *self.conn).await? {
                        out.push(known_finding_from(r)?);
                    }
                }
                Ok(out)
            }

            async fn insert_findings(&mut self, findings: &[StoredFinding]) -> Result<()> {
                for chunk in findings.chunks(200) {
                    let rows: Vec<String> = (0..chunk.len())
                        .map(|r| format!("({})", (1..=28).map(|c| format!("${}", r * 28 + c)).collect::<Vec<_>>().join(", ")))
                        .collect();
                    let sql = format!(
                        "INSERT INTO findings ({}) VALUES {} ON CONFLICT (government_id, fingerprint) DO NOTHING",
                        FINDING_COLUMNS.trim_start_matches("id, "),
                        rows.join(", ")
                    );
                    let mut q = query(&sql);
                    for f in chunk {
                        q = bind_finding(q, f);
                    }
                    q.execute(&mut *self.conn).await?;
                }
                Ok(())
            }

            async fn finding_seen_again(&mut self, s: &Sighting<'_>) -> Result<()> {
                query(
                    "UPDATE findings SET last_seen = $3, last_import_id = $2, evidence = COALESCE($4, evidence), \
                     status = CASE WHEN $5 THEN 'open' ELSE status END, severity = $6, severity_rank = $7, cves = $8, \
                     decision = $9, due_on = $10 WHERE id = $1",
                )
                .bind(s.id)
                .bind(s.import_id)
                .bind(s.at)
                .bind(s.evidence)
                .bind(s.reopen)
                .bind(s.severity)
                .bind(s.severity_rank)
                .bind(s.cves)
                .bind(s.decision)
                .bind(s.due_on)
                .execute(&mut *self.conn)
                .await?;
                Ok(())
            }

            async fn fix_unreported(&mut self, order_id: i64, tool: &str, import_id: i64) -> Result<u64> {
                let done = query(
                    "UPDATE findings SET status = 'fixed' \
                     WHERE order_id = $1 AND tool = $2 AND last_import_id <> $3 AND status IN ('open', 'in_progress')",
                )
                .bind(order_id)
                .bind(tool)
                .bind(import_id)
                .execute(&mut *self.conn)
                .await?;
                Ok(done.rows_affected())
            }

            async fn finding(&mut self, id: i64) -> Result<Option<StoredFinding>> {
                let row = query(&format!("SELECT {FINDING_COLUMNS} FROM findings WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *self.conn)
                    .await?;
                row.as_ref().map(finding_from).transpose()
            }

            async fn set_finding_status(&mut self, id: i64, status: &str, reason: Option<&str>, until: Option<NaiveDate>) -> Result<()> {
                query("UPDATE findings SET status = $2, status_reason = $3, accepted_until = $4 WHERE id = $1")
                    .bind(id)
                    .bind(status)
                    .bind(reason)
                    .bind(until)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn findings(&mut self, f: &FindingFilter) -> Result<Vec<StoredFinding>> {
                let rows = query(&format!(
                    "SELECT {FINDING_COLUMNS} FROM findings \
                     WHERE ($1 IS NULL OR government_id = $1) AND ($2 IS NULL OR order_id = $2) \
                       AND (status = $3 OR ($3 IS NULL AND status <> 'informational')) \
                       AND ($4 IS NULL OR order_id IN (SELECT id FROM orders WHERE firm_id = $4)) \
                     ORDER BY CASE decision WHEN 'act' THEN 4 WHEN 'attend' THEN 3 WHEN 'track*' THEN 2 WHEN 'track' THEN 1 ELSE 0 END DESC, \
                       severity_rank DESC, cvss_score DESC NULLS LAST, first_seen, id LIMIT $5 OFFSET $6"
                ))
                .bind(f.government_id)
                .bind(f.order_id)
                .bind(f.status.as_deref())
                .bind(f.firm_id)
                .bind(f.limit)
                .bind(f.offset)
                .fetch_all(&mut *self.conn)
                .await?;
                collect(rows, finding_from)
            }

            async fn reopen_expired_acceptances(&mut self, today: NaiveDate) -> Result<Vec<i64>> {
                let rows = query(
                    "UPDATE findings SET status = 'open', accepted_until = NULL \
                     WHERE status = 'risk_accepted' AND accepted_until < $1 RETURNING id",
                )
                .bind(today)
                .fetch_all(&mut *self.conn)
                .await?;
                // The `?` turns PostgreSQL's error into ours; on SQLite it is ours already.
                #[allow(clippy::needless_question_mark)]
                rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
            }

            async fn set_finding_priority(&mut self, id: i64, decision: &str, due_on: NaiveDate) -> Result<()> {
                query("UPDATE findings SET decision = $2, due_on = $3 WHERE id = $1")
                    .bind(id)
                    .bind(decision)
                    .bind(due_on)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }

            async fn replace_kev(&mut self, entries: &[KevEntry]) -> Result<()> {
                query("DELETE FROM kev").execute(&mut *self.conn).await?;
                for chunk in entries.chunks(300) {
                    let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3)).collect();
                    let sql = format!("INSERT INTO kev (cve, added_on, ransomware) VALUES {} ON CONFLICT (cve) DO NOTHING", values.join(", "));
                    let mut q = query(&sql);
                    for e in chunk {
                        q = q.bind(&e.cve).bind(e.added_on).bind(&e.ransomware);
                    }
                    q.execute(&mut *self.conn).await?;
                }
                Ok(())
            }

            async fn replace_epss(&mut self, entries: &[EpssEntry]) -> Result<()> {
                query("DELETE FROM epss").execute(&mut *self.conn).await?;
                for chunk in entries.chunks(300) {
                    let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3)).collect();
                    let sql = format!("INSERT INTO epss (cve, score, percentile) VALUES {} ON CONFLICT (cve) DO NOTHING", values.join(", "));
                    let mut q = query(&sql);
                    for e in chunk {
                        q = q.bind(&e.cve).bind(e.score).bind(e.percentile);
                    }
                    q.execute(&mut *self.conn).await?;
                }
                Ok(())
            }

            async fn threat_of(&mut self, cve: &str) -> Result<(bool, Option<f64>)> {
                let row = query(
                    "SELECT (SELECT COUNT(*) FROM kev WHERE cve = $1) AS kev, (SELECT MAX(score) FROM epss WHERE cve = $1) AS epss",
                )
                .bind(cve)
                .fetch_one(&mut *self.conn)
                .await?;
                Ok((row.try_get::<i64, _>("kev")? > 0, row.try_get("epss")?))
            }
        }
    }
    };
}

pub(crate) use implement_tx;
