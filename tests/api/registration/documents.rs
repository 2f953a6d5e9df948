//! Documents: judged by content, replaced in place, shown only to their applicant and operators, streamed to S3.
use super::*;
use crate::auth::sign_in_as;
use crate::helpers::{Browser, seed_member, seed_organisation, spawn_app_with};
use sqlx::PgPool;

#[sqlx::test]
pub(super) async fn documents_are_checked_by_content_replaced_in_place_and_shown_only_to_their_applicant_and_operators(
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
    ops.review_detail(&id.to_string()).await;
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
    ok(&b.remove_document("licence").await);
    assert!(walk(&dir.join("documents")).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[sqlx::test]
pub(super) async fn documents_stream_to_s3_compatible_storage_part_by_part(db: PgPool) {
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
    ok(&b.remove_document("licence").await);
    assert!(moto.keys("orgdesk-docs").await.is_empty());
}

/// Posts the documents form as a browser without JavaScript does: one
/// `file-<kind>` part per document (empty when none was chosen) and the
/// button pressed. Returns where the server sends the browser next.
async fn post_form(b: &Browser<'_>, files: &[(&str, &str, Vec<u8>)], intent: &str) -> String {
    let mut form = reqwest::multipart::Form::new();
    for kind in ["licence", "id_front", "id_back", "bank_permit"] {
        let part = match files.iter().find(|(k, ..)| *k == kind) {
            Some((_, name, bytes)) => {
                reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string())
            }
            None => reqwest::multipart::Part::bytes(Vec::new()).file_name(""),
        };
        form = form.part(format!("file-{kind}"), part);
    }
    let form = form.text("intent", intent.to_owned());
    let res = b
        .app
        .client
        .post(b.app.url("/register/documents/upload"))
        .header(
            "cookie",
            format!("{SESSION_COOKIE}={}", b.session.as_deref().unwrap()),
        )
        .multipart(form)
        .send()
        .await
        .expect("documents form");
    assert_eq!(res.status(), 303, "the form answers with a redirect");
    res.headers()["location"].to_str().unwrap().to_owned()
}

#[sqlx::test]
pub(super) async fn without_javascript_save_and_continue_keeps_every_chosen_file(db: PgPool) {
    let dir = std::env::temp_dir().join(format!("orgdesk-docs-{}", uuid::Uuid::now_v7()));
    let dir_text = dir.display().to_string();
    let app = spawn_app_with(db.clone(), &[("DATA_DIR", &dir_text)]).await;
    let mut b = Browser::new(&app);
    start(&mut b).await;
    let names = |docs: &serde_json::Value| -> Vec<String> {
        docs.as_array()
            .unwrap()
            .iter()
            .map(|d| d["file_name"].as_str().unwrap().to_owned())
            .collect()
    };

    // Nothing chosen, Upload pressed: asked to choose a file.
    let empty = post_form(&b, &[], "upload").await;
    assert!(empty.contains("error=document.empty"), "{empty}");

    // Two of the three required documents chosen, then "Save and continue":
    // both are kept, and the step names the one still missing.
    let to = post_form(
        &b,
        &[
            ("licence", "licence.jpg", jpeg(1)),
            ("id_front", "front.pdf", pdf()),
        ],
        "next",
    )
    .await;
    assert_eq!(to, "/register/documents?missing=id_back");
    let docs = application(&mut b).await["documents"].clone();
    assert_eq!(names(&docs), ["licence.jpg", "front.pdf"]);

    // A refused file among chosen ones: named, and the step does not move on.
    let to = post_form(
        &b,
        &[
            ("id_back", "back.jpg", b"\x7fELF\x02\x01\x01\0".to_vec()),
            ("bank_permit", "permit.pdf", pdf()),
        ],
        "next",
    )
    .await;
    assert!(to.contains("kind=id_back&error=document.type"), "{to}");

    // Two large files in one form, together over one file's limit: both kept.
    let mut large = jpeg(3);
    large.resize(6 * 1024 * 1024, 0x5a);
    let mut other = pdf();
    other.resize(6 * 1024 * 1024, b' ');
    let to = post_form(
        &b,
        &[
            ("licence", "licence-large.jpg", large),
            ("bank_permit", "permit-large.pdf", other),
        ],
        "upload",
    )
    .await;
    assert!(to.contains("uploaded=bank_permit"), "{to}");
    let docs = application(&mut b).await["documents"].clone();
    assert!(
        names(&docs).contains(&"licence-large.jpg".to_owned())
            && names(&docs).contains(&"permit-large.pdf".to_owned()),
        "{docs}"
    );

    // The last one chosen with "Back": kept, and the browser goes back a step.
    let to = post_form(&b, &[("id_back", "back.jpg", jpeg(2))], "back").await;
    assert_eq!(to, "/register/legal");
    // Nothing more chosen, "Save and continue": on to the review.
    let to = post_form(&b, &[], "next").await;
    assert_eq!(to, "/register/review");
    let docs = application(&mut b).await["documents"].clone();
    assert_eq!(
        names(&docs),
        [
            "licence-large.jpg",
            "front.pdf",
            "back.jpg",
            "permit-large.pdf"
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

pub(super) fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
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
