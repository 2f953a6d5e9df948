//! Several workers: each message delivered exactly once.
use super::*;

#[sqlx::test]
async fn two_workers_deliver_200_messages_exactly_once(db: PgPool) {
    let mail = MailDev::start().await;
    let sealer = sealer(&db).await;
    let mut tx = db.begin().await.unwrap();
    for i in 0..200 {
        notify::enqueue(
            &mut tx,
            &sealer,
            &approved(&format!("member{i}@example.com"), "en"),
            8,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let settings = WorkerSettings {
        batch: 10,
        concurrency: 4,
        ..WorkerSettings::default()
    };
    let run = |w: Worker| {
        tokio::spawn(async move {
            let mut total = 0;
            loop {
                let n = w.run_once().await.unwrap();
                if n == 0 {
                    break total;
                }
                total += n;
            }
        })
    };
    let a = run(worker(&db, &mail.smtp_url(), Arc::new(LogSms), settings.clone()).await);
    let b = run(worker(&db, &mail.smtp_url(), Arc::new(LogSms), settings).await);
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert_eq!(a + b, 200, "claims: {a} + {b}");
    assert!(a > 0 && b > 0, "both workers took part: {a} + {b}");

    let emails = mail.wait_for(200).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let emails = if emails.len() == 200 {
        mail.emails().await
    } else {
        emails
    };
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for e in &emails {
        *per_recipient.entry(recipient(e)).or_default() += 1;
    }
    assert_eq!(emails.len(), 200);
    assert_eq!(per_recipient.len(), 200);
    assert!(per_recipient.values().all(|&n| n == 1));
    let unsent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM outbox WHERE status <> 'sent' OR attempts <> 1"#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(unsent, 0);
}

#[sqlx::test]
async fn a_late_worker_cannot_settle_a_row_claimed_again(db: PgPool) {
    use orgdesk::notify::outbox;
    let id = enqueue(&db, &approved("late@example.com", "en"), 2).await;

    // The first worker's lease runs out while it is still sending.
    let sealer = sealer(&db).await;
    let first = outbox::claim(&db, &sealer, 10, 0.05).await.unwrap();
    assert_eq!(first.len(), 1);
    tokio::time::sleep(Duration::from_millis(120)).await;
    let second = outbox::claim(&db, &sealer, 10, 300.0).await.unwrap();
    assert_eq!(
        second.len(),
        1,
        "the expired lease lets another worker claim"
    );
    assert_ne!(first[0].claim_token, second[0].claim_token);

    // The first worker's late outcome, success or failure, changes nothing.
    assert!(!outbox::mark_sent(&db, &first[0]).await.unwrap());
    assert!(
        !outbox::mark_failed(&db, &first[0], "SMTP: late", 30.0)
            .await
            .unwrap()
    );
    let row = sqlx::query!(
        "SELECT status, attempts, last_error, payload FROM outbox WHERE id = $1",
        id
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(row.status, "sending");
    assert_eq!(row.attempts, 2);
    assert_eq!(row.last_error, None);
    assert_ne!(row.payload, serde_json::json!({}), "the payload is kept");

    // The current claim settles it.
    assert!(
        outbox::mark_failed(&db, &second[0], "SMTP: refused", 30.0)
            .await
            .unwrap()
    );
    let row = sqlx::query!("SELECT status, last_error FROM outbox WHERE id = $1", id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(row.status, "failed");
    assert_eq!(row.last_error.as_deref(), Some("SMTP: refused"));
}
