//! Mail from the outbox over SMTP (lettre). Configured with a URL such as
//! `smtps://user:password@mail.example.be:465` or `smtp://relay.internal:25?tls=required`.

use cyberveilig_services::people::MailTransport;
use cyberveilig_services::store::records::Mail;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    /// `timeout` bounds each step of the conversation with the SMTP server (the outbox bounds the
    /// whole send as well).
    pub fn new(url: &str, from: &str, timeout: std::time::Duration) -> Result<Smtp, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP URL: {e}"))?
            .timeout(Some(timeout))
            .build();
        let from = from.parse().map_err(|e| format!("SMTP sender '{from}': {e}"))?;
        Ok(Smtp { transport, from })
    }
}

#[async_trait::async_trait]
impl MailTransport for Smtp {
    async fn send(&self, mail: &Mail) -> Result<(), String> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(mail.to.parse().map_err(|e| format!("recipient {}: {e}", mail.to))?)
            .subject(mail.subject.clone())
            .body(mail.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}
