//! Registration wizard and platform review, over HTTP.
use crate::auth::{enrol, sign_in_as};
use crate::helpers::{
    Answer, Browser, SESSION_COOKIE, TestApp, seed_member, seed_operator, seed_organisation,
    spawn_app, spawn_app_with,
};
use sqlx::PgPool;

const PASSWORD: &str = "violet-harbour-lantern-58";
const OPERATOR_PASSWORD: &str = "amber-orchard-compass-31";
/// A valid GB 11643 resident ID.
const RESIDENT_ID: &str = "11010519491231002X";

/// A valid GB 32100 code whose body ends in `n` (so every test has its own).
fn credit_code(n: u32) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let body = format!("91350100M{:08}", n);
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| ALPHABET.iter().position(|c| *c == b).unwrap() as u32 * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    format!("{body}{}", ALPHABET[check as usize] as char)
}

/// The same code with a wrong check character.
fn bad_checksum(code: &str) -> String {
    let last = code.chars().last().unwrap();
    let other = if last == '0' { '1' } else { '0' };
    format!("{}{other}", &code[..17])
}

/// A real (tiny) JPEG: the magic bytes and a JFIF header are what the server checks.
fn jpeg(marker: u8) -> Vec<u8> {
    let mut b = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ];
    b.extend(std::iter::repeat_n(marker, 200));
    b.extend([0xFF, 0xD9]);
    b
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec()
}

fn ok(a: &Answer) {
    assert!(a.status < 400, "status {}: {}", a.status, a.text);
}

/// The last code sent to `recipient` (read from the outbox, as the worker would).
async fn last_code(db: &PgPool, recipient: &str) -> String {
    crate::helpers::queued_codes(db, recipient)
        .await
        .pop()
        .expect("a code was queued")
}

/// Uploads a document; returns where the server sends the browser next.
async fn upload(b: &Browser<'_>, kind: &str, name: &str, bytes: Vec<u8>) -> String {
    let form = reqwest::multipart::Form::new()
        .text("kind", kind.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    let mut req = b
        .app
        .client
        .post(b.app.url("/register/documents/upload"))
        .multipart(form);
    if let Some(s) = &b.session {
        req = req.header("cookie", format!("{SESSION_COOKIE}={s}"));
    }
    let res = req.send().await.expect("upload");
    assert_eq!(res.status(), 303, "upload answers with a redirect");
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// One applicant's data.
struct Applicant {
    code: String,
    mobile: String,
    email: String,
    org: String,
}

impl Applicant {
    fn new(n: u32) -> Self {
        Applicant {
            code: credit_code(n),
            mobile: format!("139{:08}", n),
            email: format!("admin{n}@example.com"),
            org: format!("测试科技有限公司 {n}"),
        }
    }

    fn mobile_e164(&self) -> String {
        format!("+86{}", self.mobile)
    }
}

async fn start(b: &mut Browser<'_>) {
    ok(&b.call("registration_start", &[]).await);
}

async fn organisation_step(b: &mut Browser<'_>, a: &Applicant) -> Answer {
    b.call(
        "registration_organisation",
        &[
            ("org_name", &a.org),
            ("industry", "I"),
            ("size_band", "51-200"),
            ("credit_code", &a.code),
            ("province", "44"),
            ("city", "深圳"),
            ("address", "南山区科技园 1 号"),
            ("intent", "next"),
        ],
    )
    .await
}

async fn prove(b: &mut Browser<'_>, db: &PgPool, channel: &str, value: &str, recipient: &str) {
    ok(&b
        .call(
            "registration_send_code",
            &[("channel", channel), ("value", value)],
        )
        .await);
    let code = last_code(db, recipient).await;
    ok(&b
        .call(
            "registration_verify_code",
            &[("channel", channel), ("code", &code)],
        )
        .await);
}

/// Fills every step, ready to submit.
async fn fill(b: &mut Browser<'_>, db: &PgPool, a: &Applicant) {
    start(b).await;
    ok(&organisation_step(b, a).await);
    prove(b, db, "mobile", &a.mobile, &a.mobile_e164()).await;
    prove(b, db, "email", &a.email, &a.email).await;
    ok(&b
        .call(
            "registration_administrator",
            &[
                ("admin_name", "张三"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("intent", "next"),
            ],
        )
        .await);
    ok(&b
        .call(
            "registration_legal",
            &[
                ("legal_name", "李四"),
                ("legal_id_number", RESIDENT_ID),
                ("intent", "next"),
            ],
        )
        .await);
    for (kind, name, bytes) in [
        ("licence", "licence.pdf", pdf()),
        ("id_front", "front.jpg", jpeg(1)),
        ("id_back", "back.jpg", jpeg(2)),
    ] {
        let to = upload(b, kind, name, bytes).await;
        assert!(to.contains(&format!("uploaded={kind}")), "{to}");
    }
    ok(&b
        .call("registration_documents", &[("intent", "next")])
        .await);
}

async fn submit(b: &mut Browser<'_>) -> Answer {
    b.call("registration_submit", &[("accept_terms", "yes")])
        .await
}

async fn application(b: &mut Browser<'_>) -> serde_json::Value {
    let a = b.call("registration", &[]).await;
    ok(&a);
    a.json
}

/// A signed-in operator (enrolled in TOTP, as operators must be).
pub(crate) async fn operator<'a>(app: &'a TestApp, db: &PgPool, email: &str) -> Browser<'a> {
    seed_operator(db, email, OPERATOR_PASSWORD).await;
    let mut b = Browser::new(app);
    ok(&sign_in_as(&mut b, "operator", email, OPERATOR_PASSWORD).await);
    enrol(&mut b).await;
    b
}

async fn registration_id(db: &PgPool, code: &str) -> String {
    sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM registrations WHERE credit_code = $1")
        .bind(code)
        .fetch_one(db)
        .await
        .unwrap()
        .to_string()
}

#[sqlx::test]
async fn an_approved_application_becomes_an_organisation_with_its_root_department_and_super_administrator(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(1);
    let mut applicant = Browser::new(&app);
    fill(&mut applicant, &db, &a).await;
    ok(&submit(&mut applicant).await);
    let state = application(&mut applicant).await;
    assert_eq!(state["status"], "submitted");
    assert_eq!(state["submission_no"], 1);
    assert_eq!(state["mobile_verified"], true);
    assert_eq!(state["email_verified"], true);

    let mut ops = operator(&app, &db, "ops@example.com").await;
    let queue = ops.call("review_queue", &[("filter", "pending")]).await;
    ok(&queue);
    assert_eq!(queue.json["pending"], 1);
    assert_eq!(queue.json["items"][0]["org_name"], a.org.as_str());
    let id = queue.json["items"][0]["id"].as_str().unwrap().to_owned();
    let detail = ops.call("review_detail", &[("id", &id)]).await;
    ok(&detail);
    assert_eq!(detail.json["application"]["legal_id_number"], RESIDENT_ID);
    assert_eq!(detail.json["identity_check"], "manual");
    assert_eq!(
        detail.json["application"]["documents"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    ok(&ops
        .call("review_start", &[("id", &id), ("submission_no", "1")])
        .await);
    assert_eq!(application(&mut applicant).await["status"], "in_review");
    ok(&ops
        .call("review_approve", &[("id", &id), ("submission_no", "1")])
        .await);
    assert_eq!(application(&mut applicant).await["status"], "approved");

    // The organisation, its root department named after it, its super administrator.
    let org: (uuid::Uuid, String, Option<String>) =
        sqlx::query_as("SELECT id, name, credit_code FROM organisations WHERE credit_code = $1")
            .bind(&a.code)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(org.1, a.org);
    let root: (String, Option<uuid::Uuid>) =
        sqlx::query_as("SELECT name, parent_id FROM departments WHERE org_id = $1")
            .bind(org.0)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(root, (a.org.clone(), None));
    let admin: (String, String, Option<String>, Option<String>, String) =
        sqlx::query_as("SELECT name, role, email, mobile, status FROM accounts WHERE org_id = $1")
            .bind(org.0)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        admin,
        (
            "张三".to_owned(),
            "super_admin".to_owned(),
            Some(a.email.clone()),
            Some(a.mobile_e164()),
            "active".to_owned()
        )
    );
    // The password of the application signs in (to enrolment: two factors are required).
    let mut admin_browser = Browser::new(&app);
    let signed = sign_in_as(&mut admin_browser, "member", &a.email, PASSWORD).await;
    ok(&signed);
    assert_eq!(signed.json["stage"], "must_enrol");

    // The applicant is told by email and SMS; the decision and the audit rows exist.
    let told: Vec<(String, String)> = sqlx::query_as(
        "SELECT channel, recipient FROM outbox WHERE template = 'registration_approved' ORDER BY channel",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        told,
        vec![
            ("email".to_owned(), a.email.clone()),
            ("sms".to_owned(), a.mobile_e164())
        ]
    );
    let decisions: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM registration_decisions WHERE decision = 'approved' AND operator_id IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(decisions, 1);
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'registration.%' OR action = 'organisation.created' ORDER BY id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        audited,
        vec![
            "registration.submitted",
            "registration.approved",
            "organisation.created"
        ]
    );
    // Approving again is refused and creates nothing more.
    let again = ops
        .call("review_approve", &[("id", &id), ("submission_no", "1")])
        .await;
    assert_eq!(again.field_code("decision"), Some("review.already_decided"));
    let orgs: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(orgs, 1);
    // The same browser can then apply for another organisation.
    ok(&applicant.call("registration_start", &[]).await);
    let fresh = application(&mut applicant).await;
    assert_eq!(fresh["status"], "draft");
    assert_eq!(fresh["org_name"], "");
}

#[sqlx::test]
async fn a_step_that_does_not_validate_keeps_what_was_typed(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let mut b = Browser::new(&app);
    start(&mut b).await;
    let answer = b
        .call(
            "registration_organisation",
            &[
                ("org_name", "Acme Trading Ltd"),
                ("industry", "Z"),
                ("credit_code", "91350100M00010"),
                ("province", "44"),
                ("city", ""),
                ("address", "1 Harbour Road"),
                ("intent", "next"),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.field_code("industry"), Some("validation.choice"));
    assert_eq!(answer.field_code("credit_code"), Some("credit_code.length"));
    assert_eq!(answer.field_code("size_band"), Some("validation.required"));
    assert_eq!(answer.field_code("city"), Some("validation.required"));
    assert_eq!(answer.field_code("org_name"), None);
    let saved = application(&mut b).await;
    assert_eq!(saved["org_name"], "Acme Trading Ltd");
    assert_eq!(saved["credit_code"], "91350100M00010");
    assert_eq!(saved["address"], "1 Harbour Road");

    // Back saves without checking.
    let back = b
        .call(
            "registration_legal",
            &[
                ("legal_name", "王五"),
                ("legal_id_number", "123"),
                ("intent", "back"),
            ],
        )
        .await;
    ok(&back);
    let saved = application(&mut b).await;
    assert_eq!(saved["legal_id_number"], "123");
    // Next checks the ID number by its checksum.
    let next = b
        .call(
            "registration_legal",
            &[
                ("legal_name", "王五"),
                ("legal_id_number", "110105194912310021"),
                ("intent", "next"),
            ],
        )
        .await;
    assert_eq!(
        next.field_code("legal_id_number"),
        Some("resident_id.checksum")
    );

    // What no step could accept is not kept either, even going back: the
    // draft holds what it held.
    let huge = "长".repeat(5_000);
    for intent in ["next", "back"] {
        let over = b
            .call(
                "registration_organisation",
                &[
                    ("org_name", huge.as_str()),
                    ("industry", "I"),
                    ("credit_code", "91350100M000100Y"),
                    ("province", "44"),
                    ("city", "深圳"),
                    ("address", "1 Harbour Road"),
                    ("intent", intent),
                ],
            )
            .await;
        assert_eq!(over.status, 422, "{}", over.text);
        assert_eq!(over.field_code("org_name"), Some("validation.too_long"));
    }
    let over = b
        .call(
            "registration_legal",
            &[
                ("legal_name", &"王".repeat(65)),
                ("legal_id_number", "110105194912310021"),
                ("intent", "back"),
            ],
        )
        .await;
    assert_eq!(over.field_code("legal_name"), Some("validation.too_long"));
    let saved = application(&mut b).await;
    assert_eq!(saved["org_name"], "Acme Trading Ltd");
    assert_eq!(saved["legal_name"], "王五");
    // The schema holds the same line.
    let stored = sqlx::query("UPDATE registrations SET org_name = repeat('x', 129)")
        .execute(&db)
        .await;
    assert!(stored.is_err(), "the schema accepted an over-long name");
}

#[sqlx::test]
async fn a_credit_code_that_fails_its_checksum_needs_the_applicants_confirmation(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let mut b = Browser::new(&app);
    start(&mut b).await;
    let mut a = Applicant::new(2);
    a.code = bad_checksum(&a.code);
    let first = organisation_step(&mut b, &a).await;
    assert_eq!(
        first.field_code("credit_code"),
        Some("credit_code.checksum_confirm")
    );
    let confirmed = b
        .call(
            "registration_organisation",
            &[
                ("org_name", &a.org),
                ("industry", "I"),
                ("size_band", "51-200"),
                ("credit_code", &a.code),
                ("confirm_checksum", "yes"),
                ("province", "44"),
                ("city", "深圳"),
                ("address", "南山区"),
                ("intent", "next"),
            ],
        )
        .await;
    ok(&confirmed);
    // The confirmation stays with that code, and does not carry over to another.
    ok(&organisation_step(&mut b, &a).await);
    let mut other = Applicant::new(3);
    other.code = bad_checksum(&other.code);
    let changed = organisation_step(&mut b, &other).await;
    assert_eq!(
        changed.field_code("credit_code"),
        Some("credit_code.checksum_confirm")
    );
}

#[sqlx::test]
async fn codes_prove_the_administrator_addresses_once_and_resends_wait_for_the_cooldown(
    db: PgPool,
) {
    let app = spawn_app(db.clone()).await;
    let mut b = Browser::new(&app);
    start(&mut b).await;
    let sent = b
        .call(
            "registration_send_code",
            &[("channel", "mobile"), ("value", "13912345678")],
        )
        .await;
    ok(&sent);
    assert_eq!(sent.json["cooldown_secs"], 60);
    // A resend during the cooldown is refused with the time left.
    let again = b
        .call(
            "registration_send_code",
            &[("channel", "mobile"), ("value", "13912345678")],
        )
        .await;
    assert_eq!(again.status, 429);
    assert!(again.retry_after.is_some_and(|s| s > 0 && s <= 60));
    // A wrong code is refused and counted.
    let code = last_code(&db, "+8613912345678").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = b
        .call(
            "registration_verify_code",
            &[("channel", "mobile"), ("code", wrong)],
        )
        .await;
    assert_eq!(refused.field_code("code"), Some("code.mismatch"));
    assert_eq!(application(&mut b).await["mobile_verified"], false);
    ok(&b
        .call(
            "registration_verify_code",
            &[("channel", "mobile"), ("code", &code)],
        )
        .await);
    assert_eq!(application(&mut b).await["mobile_verified"], true);
    // Used once.
    let reused = b
        .call(
            "registration_verify_code",
            &[("channel", "mobile"), ("code", &code)],
        )
        .await;
    assert_eq!(reused.field_code("code"), Some("code.used"));
    // A malformed address is refused beside its field and kept as typed.
    let bad = b
        .call(
            "registration_send_code",
            &[("channel", "email"), ("value", "not-an-address")],
        )
        .await;
    assert_eq!(bad.field_code("admin_email"), Some("email.format"));
    assert_eq!(application(&mut b).await["admin_email"], "not-an-address");
    // The step does not pass without both addresses proven.
    let next = b
        .call(
            "registration_administrator",
            &[
                ("admin_name", "张三"),
                ("password", PASSWORD),
                ("password_confirm", "something-else-entirely"),
                ("intent", "next"),
            ],
        )
        .await;
    assert_eq!(
        next.field_code("admin_email"),
        Some("registration.email_unverified")
    );
    assert_eq!(
        next.field_code("password_confirm"),
        Some("password.mismatch")
    );
    assert_eq!(next.field_code("admin_mobile"), None);
}

#[sqlx::test]
async fn documents_are_checked_by_content_replaced_in_place_and_shown_only_to_their_applicant_and_operators(
    db: PgPool,
) {
    let dir = std::env::temp_dir().join(format!("orgdesk-docs-{}", uuid::Uuid::now_v7()));
    let dir_text = dir.display().to_string();
    let app = spawn_app_with(db.clone(), &[("DATA_DIR", &dir_text)]).await;
    let mut b = Browser::new(&app);
    start(&mut b).await;

    // An executable named .jpg.
    let fake = upload(
        &b,
        "licence",
        "licence.jpg",
        b"\x7fELF\x02\x01\x01\0\0\0\0\0".to_vec(),
    )
    .await;
    assert!(fake.contains("error=document.type"), "{fake}");
    // Too large: one byte over 10 MB.
    let mut big = jpeg(0);
    big.resize(10 * 1024 * 1024 + 1, 0);
    let large = upload(&b, "licence", "huge.jpg", big).await;
    assert!(large.contains("error=document.too_large"), "{large}");
    // An unknown kind.
    let unknown = upload(&b, "passport", "p.jpg", jpeg(1)).await;
    assert!(unknown.contains("error=document.kind"), "{unknown}");
    assert!(
        application(&mut b).await["documents"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    assert!(
        upload(&b, "licence", "licence.jpg", jpeg(1))
            .await
            .contains("uploaded=licence")
    );
    assert!(
        upload(&b, "licence", "licence-2.pdf", pdf())
            .await
            .contains("uploaded=licence")
    );
    let docs = application(&mut b).await["documents"].clone();
    assert_eq!(docs.as_array().unwrap().len(), 1, "replaced, not added");
    assert_eq!(docs[0]["content_type"], "application/pdf");
    assert_eq!(docs[0]["file_name"], "licence-2.pdf");
    // The replaced file is gone from the store; one file remains.
    let files: Vec<_> = walk(&dir.join("documents"));
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(std::fs::read(&files[0]).unwrap(), pdf());

    // The applicant reads it back, with its type and an inline disposition.
    let own = b.get("/register/files/licence").await;
    assert_eq!(own.status(), 200);
    assert_eq!(own.headers()["content-type"], "application/pdf");
    assert_eq!(own.headers()["x-frame-options"], "SAMEORIGIN");
    assert!(
        own.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    assert_eq!(own.bytes().await.unwrap().to_vec(), pdf());
    // Another browser, an administrator of an organisation, and nobody at all cannot.
    let mut stranger = Browser::new(&app);
    start(&mut stranger).await;
    assert_eq!(stranger.get("/register/files/licence").await.status(), 404);
    assert_eq!(app.get("/register/files/licence").await.status(), 404);
    let id = sqlx::query_scalar::<_, uuid::Uuid>(
        "SELECT registration_id FROM registration_documents LIMIT 1",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let path = format!("/operator/reviews/{id}/files/licence");
    assert_eq!(app.get(&path).await.status(), 303, "sent to sign in");
    let org = seed_organisation(&db, "Other Co").await;
    seed_member(&db, org, "super_admin", "boss@other.example", PASSWORD).await;
    let mut admin = Browser::new(&app);
    ok(&sign_in_as(&mut admin, "member", "boss@other.example", PASSWORD).await);
    let refused = admin.get(&path).await;
    assert_ne!(refused.status(), 200);
    let mut ops = operator(&app, &db, "ops@example.com").await;
    // A draft never submitted is its applicant's alone.
    assert_eq!(ops.get(&path).await.status(), 404);
    let opened = "SELECT count(*) FROM audit_log WHERE action = 'review.document_opened'";
    let reads: i64 = sqlx::query_scalar(opened).fetch_one(&db).await.unwrap();
    assert_eq!(reads, 0);
    // Once submitted, operators read it, and each read is in the audit log.
    sqlx::query("UPDATE registrations SET submission_no = 1, status = 'submitted' WHERE id = $1")
        .bind(id)
        .execute(&db)
        .await
        .unwrap();
    let read = ops.get(&path).await;
    assert_eq!(read.status(), 200);
    assert_eq!(read.bytes().await.unwrap().to_vec(), pdf());
    let reads: i64 = sqlx::query_scalar(opened).fetch_one(&db).await.unwrap();
    assert_eq!(reads, 1);
    ops.call("review_detail", &[("id", &id.to_string())]).await;
    let views: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'review.application_opened' AND target_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(views, 1);
    sqlx::query("UPDATE registrations SET submission_no = 0, status = 'draft' WHERE id = $1")
        .bind(id)
        .execute(&db)
        .await
        .unwrap();

    // Removing it deletes the file too.
    ok(&b
        .call("registration_remove_document", &[("kind", "licence")])
        .await);
    assert!(walk(&dir.join("documents")).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[sqlx::test]
async fn documents_stream_to_s3_compatible_storage_part_by_part(db: PgPool) {
    let moto = crate::s3::Moto::start("orgdesk-docs").await;
    let mut vars = moto.vars();
    vars.push(("DOCUMENT_STORE_URL", "s3://orgdesk-docs/tenant-a".into()));
    let vars: Vec<(&'static str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(db.clone(), &vars).await;
    let mut b = Browser::new(&app);
    start(&mut b).await;

    // Over one S3 part (5 MiB): it goes up in two parts and comes back whole.
    let mut big = jpeg(1);
    big.resize(7 * 1024 * 1024, 0x5a);
    let answer = upload(&b, "licence", "licence.jpg", big.clone()).await;
    assert!(answer.contains("uploaded=licence"), "{answer}");
    let keys = moto.keys("orgdesk-docs").await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].starts_with("tenant-a/registrations/"), "{keys:?}");
    assert!(
        moto.object("orgdesk-docs", &keys[0]).await == big,
        "stored whole"
    );
    let size: i32 = sqlx::query_scalar("SELECT size_bytes FROM registration_documents")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(size as usize, big.len());
    let own = b.get("/register/files/licence").await;
    assert_eq!(own.status(), 200);
    assert!(own.bytes().await.unwrap().to_vec() == big, "served whole");

    // Replaced: the old object goes.
    assert!(
        upload(&b, "licence", "licence.pdf", pdf())
            .await
            .contains("uploaded=licence")
    );
    let replaced = moto.keys("orgdesk-docs").await;
    assert_eq!(replaced.len(), 1, "{replaced:?}");
    assert_ne!(replaced, keys);
    assert_eq!(moto.object("orgdesk-docs", &replaced[0]).await, pdf());

    // Too large, found out after two parts went up: nothing is kept.
    let mut huge = jpeg(2);
    huge.resize(10 * 1024 * 1024 + 1, 0);
    let refused = upload(&b, "passport_scan", "huge.jpg", huge.clone()).await;
    assert!(refused.contains("error=document.kind"), "{refused}");
    let refused = upload(&b, "id_front", "huge.jpg", huge).await;
    assert!(refused.contains("error=document.too_large"), "{refused}");
    assert_eq!(moto.keys("orgdesk-docs").await, replaced);

    // Removing it deletes the object.
    ok(&b
        .call("registration_remove_document", &[("kind", "licence")])
        .await);
    assert!(moto.keys("orgdesk-docs").await.is_empty());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[sqlx::test]
async fn one_credit_code_has_one_pending_or_approved_application(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(4);
    let mut first = Browser::new(&app);
    fill(&mut first, &db, &a).await;
    ok(&submit(&mut first).await);

    // A second applicant with the same code is told at the first step.
    let mut second = Browser::new(&app);
    start(&mut second).await;
    let b = Applicant {
        code: a.code.to_lowercase(),
        ..Applicant::new(5)
    };
    let refused = organisation_step(&mut second, &b).await;
    assert_eq!(
        refused.field_code("credit_code"),
        Some("registration.credit_code_taken")
    );
    // An organisation that exists already (e.g. created from the command line) counts too.
    let org = seed_organisation(&db, "Existing Co").await;
    let c = Applicant::new(6);
    sqlx::query("UPDATE organisations SET credit_code = $2 WHERE id = $1")
        .bind(org)
        .bind(&c.code)
        .execute(&db)
        .await
        .unwrap();
    let mut third = Browser::new(&app);
    start(&mut third).await;
    assert_eq!(
        organisation_step(&mut third, &c)
            .await
            .field_code("credit_code"),
        Some("registration.credit_code_taken")
    );
}

#[sqlx::test]
async fn submitting_twice_changes_nothing_and_a_submitted_application_cannot_be_edited(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(7);
    let mut b = Browser::new(&app);
    fill(&mut b, &db, &a).await;
    // Terms first.
    let no_terms = b.call("registration_submit", &[]).await;
    assert_eq!(
        no_terms.field_code("accept_terms"),
        Some("registration.terms_required")
    );
    ok(&submit(&mut b).await);
    ok(&submit(&mut b).await);
    let (no, snapshots): (i32, i64) = sqlx::query_as(
        "SELECT r.submission_no, (SELECT count(*) FROM registration_submissions s WHERE s.registration_id = r.id)
           FROM registrations r",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((no, snapshots), (1, 1));
    let edit = organisation_step(&mut b, &a).await;
    assert_eq!(
        edit.field_code("application"),
        Some("registration.not_editable")
    );
    let upload_to = upload(&b, "licence", "x.jpg", jpeg(3)).await;
    assert_eq!(upload_to, "/register/status");
}

#[sqlx::test]
async fn a_rejection_reopens_the_application_and_the_resubmission_shows_what_changed(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(8);
    let mut applicant = Browser::new(&app);
    fill(&mut applicant, &db, &a).await;
    ok(&submit(&mut applicant).await);
    let id = registration_id(&db, &a.code).await;
    let mut ops = operator(&app, &db, "ops@example.com").await;

    // Reasons must come from the catalogue, and there must be one.
    let none = ops
        .call("review_reject", &[("id", &id), ("submission_no", "1")])
        .await;
    assert_eq!(none.field_code("reasons"), Some("review.reason_required"));
    // More reasons than the catalogue holds are refused before they are read.
    let id_arg = id.clone();
    let mut many: Vec<(&str, &str)> = vec![("id", &id_arg), ("submission_no", "1")];
    many.extend(std::iter::repeat_n(("reasons[]", "licence:blurred"), 500));
    let flood = ops.call("review_reject", &many).await;
    assert_eq!(flood.field_code("reasons"), Some("validation.too_long"));
    let odd = ops
        .call(
            "review_reject",
            &[
                ("id", &id),
                ("submission_no", "1"),
                ("reasons[]", "licence:rude"),
            ],
        )
        .await;
    assert_eq!(odd.field_code("reasons"), Some("validation.choice"));

    ok(&ops
        .call(
            "review_reject",
            &[
                ("id", &id),
                ("submission_no", "1"),
                ("reasons[]", "licence:blurred"),
                ("reasons[]", "legal_name:id_mismatch"),
                ("note", "Please scan the licence again."),
            ],
        )
        .await);
    let state = application(&mut applicant).await;
    assert_eq!(state["status"], "rejected");
    assert_eq!(state["decision"]["reasons"][0]["subject"], "licence");
    assert_eq!(state["decision"]["reasons"][0]["reason"], "blurred");
    assert_eq!(state["decision"]["note"], "Please scan the licence again.");
    assert!(
        state["decision"]["operator_name"].is_null(),
        "the applicant does not see who"
    );
    // Told by email and SMS, with the reasons.
    let rows: Vec<(uuid::Uuid, serde_json::Value)> =
        sqlx::query_as("SELECT id, payload FROM outbox WHERE template = 'registration_rejected'")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
    let sealer = orgdesk::notify::outbox::load_sealer(&db, None)
        .await
        .unwrap();
    match orgdesk::notify::outbox::open_payload(&sealer, rows[0].0, &rows[0].1) {
        Some(orgdesk::notify::Template::RegistrationRejected { reasons, .. }) => {
            assert_eq!(reasons[0], ("licence".to_owned(), "blurred".to_owned()))
        }
        other => panic!("expected the rejection, got {other:?}"),
    }

    // Editable again: a new licence and a corrected name, then a resubmission.
    assert!(
        upload(&applicant, "licence", "licence-new.jpg", jpeg(9))
            .await
            .contains("uploaded")
    );
    ok(&applicant
        .call(
            "registration_legal",
            &[
                ("legal_name", "李四四"),
                ("legal_id_number", RESIDENT_ID),
                ("intent", "next"),
            ],
        )
        .await);
    ok(&submit(&mut applicant).await);
    let detail = ops.call("review_detail", &[("id", &id)]).await;
    ok(&detail);
    assert_eq!(detail.json["application"]["submission_no"], 2);
    assert_eq!(
        detail.json["changed"],
        serde_json::json!(["legal_name", "licence"])
    );
    assert_eq!(detail.json["decisions"].as_array().unwrap().len(), 1);
    // A decision about the old submission is refused.
    let stale = ops
        .call("review_approve", &[("id", &id), ("submission_no", "1")])
        .await;
    assert_eq!(stale.field_code("decision"), Some("review.already_decided"));
    ok(&ops
        .call("review_approve", &[("id", &id), ("submission_no", "2")])
        .await);
    assert_eq!(application(&mut applicant).await["status"], "approved");
}

#[sqlx::test]
async fn of_two_operators_deciding_at_once_the_second_is_refused(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(9);
    let mut applicant = Browser::new(&app);
    fill(&mut applicant, &db, &a).await;
    ok(&submit(&mut applicant).await);
    let id = registration_id(&db, &a.code).await;
    let mut one = operator(&app, &db, "one@example.com").await;
    let mut two = operator(&app, &db, "two@example.com").await;
    ok(&one
        .call(
            "review_reject",
            &[
                ("id", &id),
                ("submission_no", "1"),
                ("reasons[]", "licence:blurred"),
            ],
        )
        .await);
    let late = two
        .call("review_approve", &[("id", &id), ("submission_no", "1")])
        .await;
    assert_eq!(late.status, 422);
    assert_eq!(late.field_code("decision"), Some("review.already_decided"));
    let orgs: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(orgs, 0);

    // Truly at once: two approvals of a fresh submission, one wins.
    ok(&applicant
        .call("registration_documents", &[("intent", "next")])
        .await);
    ok(&submit(&mut applicant).await);
    let form = [("id", id.as_str()), ("submission_no", "2")];
    let (x, y) = tokio::join!(
        one.call("review_approve", &form),
        two.call("review_approve", &form),
    );
    let wins = [&x, &y].iter().filter(|r| r.status < 400).count();
    assert_eq!(wins, 1, "{} / {}", x.text, y.text);
    let orgs: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(orgs, 1);
}

#[sqlx::test]
async fn only_signed_in_operators_reach_the_review_console(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(10);
    let mut applicant = Browser::new(&app);
    fill(&mut applicant, &db, &a).await;
    ok(&submit(&mut applicant).await);
    let id = registration_id(&db, &a.code).await;
    // The applicant's own session is not an operator's.
    for (endpoint, form) in [
        ("review_queue", vec![]),
        ("review_detail", vec![("id", id.as_str())]),
        (
            "review_approve",
            vec![("id", id.as_str()), ("submission_no", "1")],
        ),
    ] {
        assert_eq!(
            applicant.call(endpoint, &form).await.status,
            401,
            "{endpoint}"
        );
    }
    let org = seed_organisation(&db, "Member Co").await;
    seed_member(&db, org, "super_admin", "boss@member.example", PASSWORD).await;
    let mut member = Browser::new(&app);
    ok(&sign_in_as(&mut member, "member", "boss@member.example", PASSWORD).await);
    enrol(&mut member).await;
    for (endpoint, form) in [
        ("review_queue", vec![]),
        ("review_detail", vec![("id", id.as_str())]),
        (
            "review_approve",
            vec![("id", id.as_str()), ("submission_no", "1")],
        ),
        (
            "review_reject",
            vec![("id", id.as_str()), ("submission_no", "1"), ("note", "no")],
        ),
    ] {
        assert_eq!(member.call(endpoint, &form).await.status, 403, "{endpoint}");
    }
    assert_eq!(application(&mut applicant).await["status"], "submitted");
    // Drafts are not shown to operators.
    let mut drafter = Browser::new(&app);
    start(&mut drafter).await;
    let draft: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM registrations WHERE status = 'draft'")
            .fetch_one(&db)
            .await
            .unwrap();
    let mut ops = operator(&app, &db, "ops@example.com").await;
    assert_eq!(
        ops.call("review_detail", &[("id", &draft.to_string())])
            .await
            .status,
        404
    );
}

#[sqlx::test]
async fn an_application_resumes_in_another_browser_with_a_code_to_a_proven_address(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(11);
    let mut first = Browser::new(&app);
    start(&mut first).await;
    ok(&organisation_step(&mut first, &a).await);
    prove(&mut first, &db, "email", &a.email, &a.email).await;

    let mut second = Browser::new(&app);
    assert!(application(&mut second).await.is_null());
    // An address no application uses gets the same answer and no code.
    let unknown = second
        .call(
            "registration_resume_code",
            &[("identifier", "nobody@example.com")],
        )
        .await;
    ok(&unknown);
    let queued: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE recipient = 'nobody@example.com'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(queued, 0);
    // The unproven mobile does not resume it either.
    ok(&second
        .call("registration_resume_code", &[("identifier", &a.mobile)])
        .await);
    let sms: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE recipient = $1")
        .bind(a.mobile_e164())
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(sms, 0);

    // The proven email does (after the registration code's cooldown).
    sqlx::query("UPDATE one_time_codes SET created_at = created_at - interval '2 minutes'")
        .execute(&db)
        .await
        .unwrap();
    ok(&second
        .call("registration_resume_code", &[("identifier", &a.email)])
        .await);
    let code = last_code(&db, &a.email).await;
    let wrong = second
        .call(
            "registration_resume",
            &[
                ("identifier", &a.email),
                ("code", if code == "123456" { "654321" } else { "123456" }),
            ],
        )
        .await;
    assert_eq!(wrong.field_code("code"), Some("code.invalid"));
    ok(&second
        .call(
            "registration_resume",
            &[("identifier", &a.email), ("code", &code)],
        )
        .await);
    let resumed = application(&mut second).await;
    assert_eq!(resumed["org_name"], a.org.as_str());
    assert_eq!(resumed["email_verified"], true);
}

#[sqlx::test]
async fn resuming_answers_the_same_whether_or_not_an_application_waits(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let a = Applicant::new(12);
    let mut first = Browser::new(&app);
    start(&mut first).await;
    ok(&organisation_step(&mut first, &a).await);
    prove(&mut first, &db, "email", &a.email, &a.email).await;

    // Asking for a code: a known address, the same inside its cooldown, the
    // same past its daily cap, and an unknown address read the same.
    let mut stranger = Browser::new(&app);
    let known = stranger
        .call("registration_resume_code", &[("identifier", &a.email)])
        .await;
    let cooldown = stranger
        .call("registration_resume_code", &[("identifier", &a.email)])
        .await;
    sqlx::query(
        "INSERT INTO one_time_codes (id, purpose, destination, code_hash, expires_at, created_at, superseded_at)
         SELECT gen_random_uuid(), 'resume_registration', $1, '\\x00', now(), now() - interval '2 hours', now()
           FROM generate_series(1, 10)",
    )
    .bind(format!("email:{}", a.email))
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("UPDATE one_time_codes SET created_at = created_at - interval '2 minutes' WHERE superseded_at IS NULL")
        .execute(&db)
        .await
        .unwrap();
    let capped = stranger
        .call("registration_resume_code", &[("identifier", &a.email)])
        .await;
    let unknown = stranger
        .call(
            "registration_resume_code",
            &[("identifier", "nobody@example.com")],
        )
        .await;
    assert_eq!(known.status, 200, "{}", known.text);
    for other in [&cooldown, &capped, &unknown] {
        assert_eq!((other.status, &other.text), (known.status, &known.text));
    }

    // Resuming: an unknown address, a wrong code and a malformed one read the same.
    let code = last_code(&db, &a.email).await;
    let wrong = if code == "123456" { "654321" } else { "123456" };
    let answers = [
        stranger
            .call(
                "registration_resume",
                &[("identifier", "nobody@example.com"), ("code", wrong)],
            )
            .await,
        stranger
            .call(
                "registration_resume",
                &[("identifier", &a.email), ("code", wrong)],
            )
            .await,
        stranger
            .call(
                "registration_resume",
                &[("identifier", &a.email), ("code", "12ab56")],
            )
            .await,
    ];
    assert_eq!(answers[0].status, 422, "{}", answers[0].text);
    assert_eq!(answers[0].field_code("code"), Some("code.invalid"));
    for other in &answers[1..] {
        assert_eq!(
            (other.status, &other.text),
            (answers[0].status, &answers[0].text)
        );
    }
    ok(&stranger
        .call(
            "registration_resume",
            &[("identifier", &a.email), ("code", &code)],
        )
        .await);
}

#[sqlx::test]
async fn one_network_starts_a_bounded_number_of_applications_a_day(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[("REGISTRATION_DRAFTS_PER_IP_DAY", "2")]).await;
    for _ in 0..2 {
        ok(&Browser::new(&app).call("registration_start", &[]).await);
    }
    let third = Browser::new(&app).call("registration_start", &[]).await;
    assert_eq!(third.status, 429, "{}", third.text);
    let drafts: i64 = sqlx::query_scalar("SELECT count(*) FROM registrations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(drafts, 2);
}
