//! Mail in the outbox.

use chrono::{DateTime, Utc};
use cyberveilig_domain::registry::EmailAddress;

/// A message waiting in the outbox, or sent from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewMail {
    pub to: EmailAddress,
    pub subject: String,
    pub body: String,
}
