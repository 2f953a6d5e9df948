//! The outbox worker against a real SMTP server and a local SMS gateway.
use crate::mail::{MailDev, free_port, recipient};
use orgdesk::notify::{
    self, Channel, NewMessage, Template,
    email::EmailTransport,
    sms::{HttpGateway, LogSms, SmsSender},
    worker::{Worker, WorkerSettings},
};
use sqlx::PgPool;
use std::{collections::HashMap, sync::Arc, time::Duration};
use url::Url;

pub fn base_url() -> Url {
    Url::parse("https://orgdesk.example.com/").unwrap()
}

pub async fn worker(
    db: &PgPool,
    smtp_url: &str,
    sms: Arc<dyn SmsSender>,
    settings: WorkerSettings,
) -> Worker {
    let email = EmailTransport::from_config(
        Some(smtp_url),
        Some("Orgdesk <no-reply@orgdesk.example.com>"),
    )
    .unwrap();
    let sealer = notify::outbox::load_sealer(db, None).await.unwrap();
    Worker::new(
        db.clone(),
        sealer,
        Arc::new(email),
        sms,
        base_url(),
        settings,
    )
}

async fn sealer(db: &PgPool) -> orgdesk::server::keys::Sealer {
    notify::outbox::load_sealer(db, None).await.unwrap()
}

fn approved(to: &str, locale: &str) -> NewMessage {
    NewMessage {
        org_id: None,
        channel: Channel::Email,
        recipient: to.into(),
        locale: locale.into(),
        template: Template::RegistrationApproved {
            organisation: "示例科技".into(),
        },
        valid_for: None,
    }
}

async fn enqueue(db: &PgPool, message: &NewMessage, max_attempts: i32) -> uuid::Uuid {
    let mut tx = db.begin().await.unwrap();
    let id = notify::enqueue(&mut tx, &sealer(db).await, message, max_attempts)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

mod delivery;
mod retries;
mod undelivered;
mod workers;
