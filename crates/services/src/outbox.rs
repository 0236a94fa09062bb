//! Delivering the outbox, from one server or several on one database (issue 15). Each mail is
//! claimed before it is sent: a conditional UPDATE that one server wins, valid for a lease. The
//! server sends it and marks it sent; a server that stops in between leaves a claim that another
//! takes over when the lease has run out.
//!
//! The send and the mark cannot be one atomic step (the SMTP server is not in the transaction):
//! a server that stops after the SMTP server accepted a mail and before its mark was committed
//! leaves that mail to be sent again. Mail is claimed one at a time, so a server that stops sends
//! at most one mail twice. A send is given at most half the lease, so no other server takes a
//! mail over while it is still being sent.

use crate::Services;
use crate::clock::wall_clock;
use crate::error::Result;
use cyberveilig_store::records::Mail;
use std::time::Duration;

/// When the outbox's sender gives up on a message.
pub const MAX_MAIL_ATTEMPTS: i64 = 5;

/// Sends mail for the outbox (SMTP in production).
#[async_trait::async_trait]
pub trait MailTransport: Send + Sync {
    async fn send(&self, mail: &Mail) -> std::result::Result<(), String>;
}

/// Who claims mail, and for how long.
#[derive(Debug, Clone)]
pub struct MailLease {
    /// Names the server in the outbox's `claimed_by`, for the operator who looks.
    pub holder: String,
    pub lasts: Duration,
}

impl MailLease {
    /// How long a server holds a mail it is sending, unless configured otherwise.
    pub const DEFAULT: Duration = Duration::from_secs(120);

    /// A lease for this process: its id and a random part, as two servers may share a pid on
    /// different machines.
    pub fn for_this_process(lasts: Duration) -> MailLease {
        MailLease {
            holder: format!("pid {} {}", std::process::id(), hex::encode(rand::random::<[u8; 4]>())),
            lasts,
        }
    }

    /// The longest a single send may take: half the lease, so it ends well before another
    /// server may take the mail over.
    pub fn send_timeout(&self) -> Duration {
        self.lasts / 2
    }
}

impl Services {
    /// Delivers what waits in the outbox and no other server holds; returns how many went out.
    /// Without a transport (the demo) mail stays in the outbox, where the administrator reads it.
    pub async fn deliver_mail(&self, transport: &dyn MailTransport, lease: &MailLease) -> Result<usize> {
        let waiting = {
            let mut tx = self.store.read().await?;
            tx.unsent_mails(MAX_MAIL_ATTEMPTS, wall_clock(), 50).await?
        };
        let lasts = chrono::Duration::from_std(lease.lasts).unwrap_or(chrono::Duration::MAX);
        let mut sent = 0;
        for candidate in waiting {
            let claimed = {
                let now = wall_clock();
                let mut tx = self.write_tx().await?;
                let mail = tx
                    .claim_mail(candidate.id, &lease.holder, now + lasts, now, MAX_MAIL_ATTEMPTS)
                    .await?;
                tx.commit().await?;
                mail
            };
            // Another server has it, or sent it since we looked.
            let Some(mail) = claimed else { continue };
            let outcome = match tokio::time::timeout(lease.send_timeout(), transport.send(&mail)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(format!("no answer within {} s", lease.send_timeout().as_secs())),
            };
            let mut tx = self.write_tx().await?;
            match outcome {
                Ok(()) => {
                    tx.mail_sent(mail.id, wall_clock()).await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(mail = mail.id, error = %e, "mail not sent");
                    tx.mail_failed(mail.id, &e).await?;
                }
            }
            tx.commit().await?;
        }
        Ok(sent)
    }
}
