//! Registration wizard and platform review, over HTTP.
mod documents;
mod resume;
mod review;
mod wizard;

use crate::auth::{enrol, sign_in_as};
use crate::helpers::{Answer, Browser, SESSION_COOKIE, TestApp, seed_operator};
use sqlx::PgPool;

pub(super) const PASSWORD: &str = "violet-harbour-lantern-58";
pub(super) const OPERATOR_PASSWORD: &str = "amber-orchard-compass-31";
/// A valid GB 11643 resident ID.
pub(super) const RESIDENT_ID: &str = "11010519491231002X";

/// A valid GB 32100 code whose body ends in `n` (so every test has its own).
pub(super) fn credit_code(n: u32) -> String {
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
pub(super) fn bad_checksum(code: &str) -> String {
    let last = code.chars().last().unwrap();
    let other = if last == '0' { '1' } else { '0' };
    format!("{}{other}", &code[..17])
}

/// A real (tiny) JPEG: the magic bytes and a JFIF header are what the server checks.
pub(super) fn jpeg(marker: u8) -> Vec<u8> {
    let mut b = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ];
    b.extend(std::iter::repeat_n(marker, 200));
    b.extend([0xFF, 0xD9]);
    b
}

pub(super) fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec()
}

pub(super) fn ok(a: &Answer) {
    assert!(a.status < 400, "status {}: {}", a.status, a.text);
}

/// The last code sent to `recipient` (read from the outbox, as the worker would).
pub(super) async fn last_code(db: &PgPool, recipient: &str) -> String {
    crate::helpers::queued_codes(db, recipient)
        .await
        .pop()
        .expect("a code was queued")
}

/// Uploads a document; returns where the server sends the browser next.
pub(super) async fn upload(b: &Browser<'_>, kind: &str, name: &str, bytes: Vec<u8>) -> String {
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
pub(super) struct Applicant {
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

pub(super) async fn start(b: &mut Browser<'_>) {
    ok(&b.start_registration().await);
}

pub(super) async fn organisation_step(b: &mut Browser<'_>, a: &Applicant) -> Answer {
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

pub(super) async fn prove(
    b: &mut Browser<'_>,
    db: &PgPool,
    channel: &str,
    value: &str,
    recipient: &str,
) {
    ok(&b.send_code(channel, value).await);
    let code = last_code(db, recipient).await;
    ok(&b.verify_code(channel, &code).await);
}

/// Fills every step, ready to submit.
pub(super) async fn fill(b: &mut Browser<'_>, db: &PgPool, a: &Applicant) {
    start(b).await;
    ok(&organisation_step(b, a).await);
    prove(b, db, "mobile", &a.mobile, &a.mobile_e164()).await;
    prove(b, db, "email", &a.email, &a.email).await;
    ok(&b
        .administrator_step("张三", PASSWORD, PASSWORD, "next")
        .await);
    ok(&b.legal_step("李四", RESIDENT_ID, "next").await);
    for (kind, name, bytes) in [
        ("licence", "licence.pdf", pdf()),
        ("id_front", "front.jpg", jpeg(1)),
        ("id_back", "back.jpg", jpeg(2)),
    ] {
        let to = upload(b, kind, name, bytes).await;
        assert!(to.contains(&format!("uploaded={kind}")), "{to}");
    }
    ok(&b.documents_step("next").await);
}

pub(super) async fn submit(b: &mut Browser<'_>) -> Answer {
    b.call("registration_submit", &[("accept_terms", "yes")])
        .await
}

pub(super) async fn application(b: &mut Browser<'_>) -> serde_json::Value {
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

pub(super) async fn registration_id(db: &PgPool, code: &str) -> String {
    sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM registrations WHERE credit_code = $1")
        .bind(code)
        .fetch_one(db)
        .await
        .unwrap()
        .to_string()
}
