//! The SQL both backends share, written once against the driver contract (`crate::driver`) and
//! split by subject: each module implements one capability of [`crate::Tx`] for
//! [`Transaction`], whatever the backend's [`Connection`]. The SQL is portable (numbered `$n`
//! parameters, RETURNING, ON CONFLICT); what differs between the databases is named by the
//! connection (`FOR_UPDATE`, `STAGES_BATCHES`). Rows are decoded into domain types here once.

mod assessments;
mod audit_log;
mod audit_reports;
mod awareness;
mod baseline;
mod disclosure;
mod engagements;
mod figures;
mod findings;
mod grant;
mod ledger;
mod orders;
mod outbox;
mod programmes;
mod registry;
mod remediation;
mod reports;
mod security;
mod steering;
mod toolkit;

use crate::audit::HeadSigner;
use crate::driver::{Row, TxConnection, query};
use crate::{Result, StoreError};
use cyberveilig_domain::Money;
use cyberveilig_domain::ledger::Balances;
use std::str::FromStr;
use std::sync::Arc;

/// What every module of the shared SQL works with.
mod prelude {
    pub(crate) use super::findings::finding_from;
    pub(crate) use super::{
        EVENT_COLUMNS, FINDING_COLUMNS, IMPORT_COLUMNS, INVITATION_COLUMNS, MAIL_COLUMNS, ORDER_COLUMNS, PERSON_COLUMNS, Transaction,
        collect, money, opt_parse, parse,
    };
    pub(crate) use crate::driver::{Connection, Row, Statement, query, unique_violation};
    pub(crate) use crate::records::*;
    pub(crate) use crate::{Result, StoreError, audit};
    pub(crate) use chrono::{DateTime, NaiveDate, Utc};
    pub(crate) use cyberveilig_domain::Money;
    pub(crate) use cyberveilig_domain::baseline::{ScanCause, ScanState};
    pub(crate) use cyberveilig_domain::cascade::{CascadeFirm, FrameworkAgreement};
    pub(crate) use cyberveilig_domain::ledger::Balances;
    pub(crate) use cyberveilig_domain::order::{OrderKind, OrderState};
    pub(crate) use cyberveilig_domain::programme::ProgrammeSettings;
    pub(crate) use cyberveilig_domain::registry::{EmailAddress, NisCode, OrganisationKind};
}

/// One transaction (or a reader's single-statement session) on a backend's connection.
pub(crate) struct Transaction<C> {
    conn: C,
    /// The audit chain's head, read and locked together with a programme: seq, hash, and whether
    /// this transaction moved it.
    head: Option<(i64, String, bool)>,
    /// A programme's balances after this transaction's last posting. Never read in the locking
    /// statement: on PostgreSQL a subquery there would see the snapshot from before the lock.
    balances: Option<(i64, Balances)>,
    /// Signs the chain's head at commit.
    signer: Option<Arc<dyn HeadSigner>>,
}

impl<C> Transaction<C> {
    pub(crate) fn new(conn: C, signer: Option<Arc<dyn HeadSigner>>) -> Transaction<C> {
        Transaction {
            conn,
            head: None,
            balances: None,
            signer,
        }
    }
}

impl<C> Transaction<C> {
    /// The connection itself, for statements no subject names (a copy of whole tables).
    pub(crate) fn connection(&mut self) -> &mut C {
        &mut self.conn
    }
}

pub(crate) fn parse<T: FromStr>(text: &str, what: &str) -> Result<T> {
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

pub(crate) fn opt_parse<T: std::str::FromStr>(text: Option<String>, what: &str) -> Result<Option<T>> {
    text.map(|t| parse(&t, what)).transpose()
}

pub(crate) fn money(cents: Option<i64>) -> Option<Money> {
    cents.map(Money::from_cents)
}

pub(crate) fn collect<T>(rows: Vec<Row>, f: fn(&Row) -> Result<T>) -> Result<Vec<T>> {
    rows.iter().map(f).collect()
}

#[async_trait::async_trait]
impl<C: TxConnection> crate::Tx for Transaction<C> {
    async fn expect_bulk_write(&mut self) -> Result<()> {
        self.conn.expect_bulk_write().await
    }

    async fn commit(mut self: Box<Self>) -> Result<()> {
        // The chain's head is written once, at the end, however many events were appended.
        if let Some((seq, hash, true)) = self.head.take() {
            query("UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(seq)
                .bind(&hash)
                .execute(&mut self.conn)
                .await?;
            // Signed with a key outside the database (issue 10, item 14).
            if let Some(signer) = self.signer.clone() {
                let signature = signer.sign_head(seq, &hash);
                crate::SecurityTx::insert_audit_signature(&mut *self, &signature).await?;
            }
        }
        self.conn.commit().await
    }
}
