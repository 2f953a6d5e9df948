//! The delivery worker: claims due outbox rows and sends them.
use super::{
    email::EmailTransport,
    outbox::{self, Channel, Claimed},
    sms::SmsSender,
    templates,
};
use crate::server::keys::Sealer;
use futures::StreamExt as _;
use sqlx::{PgPool, postgres::PgListener};
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;
use url::Url;

/// Tuning of the worker; defaults suit one small server.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Rows claimed per round.
    pub batch: i64,
    /// Messages sent at the same time.
    pub concurrency: usize,
    /// How long a claim lasts; longer than the slowest send (SMTP timeout 30 s).
    pub lease: Duration,
    /// First retry delay; doubled per failed attempt up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// Polling interval when no notification arrives.
    pub poll: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            batch: 64,
            concurrency: 16,
            lease: Duration::from_secs(300),
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            poll: Duration::from_secs(2),
        }
    }
}

/// Delivers outbox messages through the configured transports.
#[derive(Clone)]
pub struct Worker {
    db: PgPool,
    email: Arc<EmailTransport>,
    sms: Arc<dyn SmsSender>,
    base_url: Url,
    settings: WorkerSettings,
    /// Opens the sealed payloads (the key [`outbox::OUTBOX_KEY`]).
    sealer: Sealer,
}

impl Worker {
    pub fn new(
        db: PgPool,
        sealer: Sealer,
        email: Arc<EmailTransport>,
        sms: Arc<dyn SmsSender>,
        base_url: Url,
        settings: WorkerSettings,
    ) -> Self {
        Worker {
            db,
            email,
            sms,
            base_url,
            settings,
            sealer,
        }
    }

    /// Drops expired messages, claims one batch and delivers it; returns how
    /// many rows it claimed.
    pub async fn run_once(&self) -> Result<usize, sqlx::Error> {
        let dropped = outbox::drop_expired(&self.db).await?;
        if dropped > 0 {
            tracing::info!(
                dropped,
                "outbox: messages past their lifetime were dropped, not sent"
            );
        }
        let claimed = outbox::claim(
            &self.db,
            &self.sealer,
            self.settings.batch,
            self.settings.lease.as_secs_f64(),
        )
        .await?;
        let n = claimed.len();
        futures::stream::iter(claimed)
            .for_each_concurrent(self.settings.concurrency, |message| self.deliver(message))
            .await;
        Ok(n)
    }

    async fn deliver(&self, message: Claimed) {
        let result = match &message.template {
            None => Err("the payload cannot be read by this version".to_string()),
            Some(template) => {
                let rendered = templates::render(template, &message.locale, &self.base_url);
                match message.channel {
                    Channel::Email => self.email.send(&message.recipient, &rendered).await,
                    Channel::Sms => self.sms.send(&message.recipient, &rendered.sms).await,
                }
            }
        };
        let settled = match result {
            Ok(()) => outbox::mark_sent(&self.db, &message).await,
            Err(error) => {
                tracing::warn!(id = %message.id, attempt = message.attempts, %error, "delivery failed");
                let delay = outbox::backoff_secs(
                    message.attempts,
                    self.settings.retry_base.as_secs(),
                    self.settings.retry_max.as_secs(),
                );
                outbox::mark_failed(&self.db, &message, &error, delay).await
            }
        };
        match settled {
            Ok(true) => {}
            // Another worker claimed the row after this one's lease ran out;
            // its outcome stands.
            Ok(false) => {
                tracing::warn!(id = %message.id, "delivery outcome not recorded: the claim had expired")
            }
            // The lease will run out and the message be tried again.
            Err(e) => {
                tracing::error!(id = %message.id, error = %e, "could not record the delivery outcome")
            }
        }
    }

    /// Runs until `shutdown` turns true, waking on `pg_notify('outbox')` or every poll interval.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut listener = match PgListener::connect_with(&self.db).await {
            Ok(mut l) => match l.listen("outbox").await {
                Ok(()) => Some(l),
                Err(_) => None,
            },
            Err(_) => None,
        };
        tracing::info!("outbox worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            let claimed = match self.run_once().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "outbox worker: claiming failed");
                    0
                }
            };
            if claimed as i64 >= self.settings.batch {
                continue;
            }
            let notified = async {
                match listener.as_mut() {
                    Some(l) => {
                        let _ = l.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = shutdown.changed() => {},
                _ = notified => {},
                _ = tokio::time::sleep(self.settings.poll) => {},
            }
        }
        tracing::info!("outbox worker stopped");
    }
}
