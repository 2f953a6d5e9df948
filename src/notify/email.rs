//! Email transports: SMTP through lettre, or the server log.
use super::templates::Rendered;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};
use std::time::Duration;

/// Where email goes.
pub enum EmailTransport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// No SMTP configured: the message (with its link or code) is written to
    /// the server log, so a laptop install works without a mail server.
    Log,
}

impl EmailTransport {
    /// SMTP when `smtp_url` is set (lettre's URL form), else the log.
    pub fn from_config(smtp_url: Option<&str>, mail_from: Option<&str>) -> Result<Self, String> {
        let Some(url) = smtp_url else {
            return Ok(EmailTransport::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = mail_from
            .unwrap_or("Orgdesk <no-reply@localhost>")
            .parse::<Mailbox>()
            .map_err(|e| format!("MAIL_FROM: {e}"))?;
        Ok(EmailTransport::Smtp { transport, from })
    }

    /// Sends one message; the error text is kept as the outbox row's last error.
    pub async fn send(&self, to: &str, message: &Rendered) -> Result<(), String> {
        match self {
            EmailTransport::Log => {
                tracing::info!(
                    target: "orgdesk::notify::log_transport",
                    channel = "email",
                    to,
                    subject = %message.subject,
                    "email (log transport):\n{}",
                    message.text
                );
                Ok(())
            }
            EmailTransport::Smtp { transport, from } => {
                let to: Mailbox = to.parse().map_err(|e| format!("recipient address: {e}"))?;
                let email = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(message.subject.clone())
                    .multipart(MultiPart::alternative_plain_html(
                        message.text.clone(),
                        message.html.clone(),
                    ))
                    .map_err(|e| format!("building the message: {e}"))?;
                transport
                    .send(email)
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("SMTP: {e}"))
            }
        }
    }
}
