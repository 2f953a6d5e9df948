//! Delivery throughput of the outbox worker against a loopback SMTP server.
//!
//! `cargo bench --features ssr --bench outbox_throughput` (DATABASE_URL names
//! any database on the PostgreSQL server to use; a scratch database is created
//! and dropped). Queues 1,000 emails, starts maildev from end2end/, runs one
//! worker with the default settings until the queue is empty, and prints
//! messages per second. Stops by itself.
use orgdesk::notify::{
    self, Channel, NewMessage, Template,
    email::EmailTransport,
    sms::LogSms,
    worker::{Worker, WorkerSettings},
};
use sqlx::{Connection, PgConnection, PgPool};
use std::{process::Stdio, sync::Arc, time::Instant};

const MESSAGES: usize = 1000;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::main]
async fn main() {
    let admin_url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let name = format!("orgdesk_bench_{}", std::process::id());
    let mut admin = PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
    let db = PgPool::connect(&url).await.unwrap();
    sqlx::migrate!("./migrations").run(&db).await.unwrap();

    let (smtp, web) = (free_port(), free_port());
    let bin = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/end2end/node_modules/.bin/maildev"
    );
    let mut maildev = tokio::process::Command::new(bin)
        .args([
            "--smtp",
            &smtp.to_string(),
            "--web",
            &web.to_string(),
            "--ip",
            "127.0.0.1",
            "--silent",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("maildev (run `cd end2end && npm ci`)");
    while tokio::net::TcpStream::connect(("127.0.0.1", smtp))
        .await
        .is_err()
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let sealer = notify::outbox::load_sealer(&db, None).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    for i in 0..MESSAGES {
        let message = NewMessage {
            org_id: None,
            channel: Channel::Email,
            recipient: format!("bench{i}@example.com"),
            locale: if i % 2 == 0 { "zh-CN" } else { "en" }.into(),
            template: Template::RegistrationApproved {
                organisation: format!("Org {i}"),
            },
            valid_for: None,
        };
        notify::enqueue(&mut tx, &sealer, &message, 8)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let email =
        EmailTransport::from_config(Some(&format!("smtp://127.0.0.1:{smtp}")), None).unwrap();
    let settings = WorkerSettings::default();
    let worker = Worker::new(
        db.clone(),
        sealer,
        Arc::new(email),
        Arc::new(LogSms),
        url::Url::parse("http://127.0.0.1:3000").unwrap(),
        settings.clone(),
    );
    let started = Instant::now();
    while worker.run_once().await.unwrap() > 0 {}
    let elapsed = started.elapsed();

    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE status = 'sent'")
        .fetch_one(&db)
        .await
        .unwrap();
    println!(
        "outbox -> SMTP (maildev on loopback): {sent}/{MESSAGES} sent in {:.2} s = {:.0} messages/s \
         (batch {}, concurrency {})",
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64(),
        settings.batch,
        settings.concurrency
    );
    let _ = maildev.kill().await;
    db.close().await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    assert_eq!(sent as usize, MESSAGES, "every message must be delivered");
}
