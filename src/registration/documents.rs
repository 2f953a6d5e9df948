//! Registration documents: where the files live, what they may be, and the
//! HTTP endpoints that take and give them.
//!
//! Files go to an object store (`object_store`): a directory under
//! `DATA_DIR` by default, or S3-compatible storage when `DOCUMENT_STORE_URL`
//! is an `s3://bucket/prefix` URL (credentials from the usual `AWS_*`
//! variables). PostgreSQL keeps the key. A file is served only to the session
//! that is filling its application and to signed-in platform operators.
use super::{DocumentKind, MAX_DOCUMENT_BYTES, Step, repo};
use crate::auth::{AccountKind, Stage, guard::Principal};
use crate::error::Code;
use crate::server::state::AppState;
use crate::storage::DocumentStore;
use axum::{
    body::Body,
    extract::{Multipart, Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use bytes::Bytes;
use tower_sessions::Session;
use uuid::Uuid;

/// Deletes objects whose rows were replaced or removed, and forgets them.
pub async fn sweep_orphans(store: &DocumentStore, db: &sqlx::PgPool) -> Result<usize, sqlx::Error> {
    let keys = repo::orphaned_objects(db).await?;
    let mut done = 0;
    for key in keys {
        match store.delete(&key).await {
            Ok(()) => {
                repo::forget_orphan(db, &key).await?;
                done += 1;
            }
            Err(e) => tracing::warn!(error = %e, "could not delete a replaced document"),
        }
    }
    Ok(done)
}

/// The type of a file by its first bytes, whatever its name says.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// Keeps a file name for display: no path, no control characters, bounded length.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() {
        "document".into()
    } else {
        cleaned
    }
}

fn back_to_documents(kind: Option<DocumentKind>, error: Option<Code>) -> Response {
    let mut to = String::from("/register/documents");
    match (kind, error) {
        (Some(k), Some(e)) => to.push_str(&format!(
            "?kind={}&error={e}#doc-{}",
            k.as_str(),
            k.as_str()
        )),
        (None, Some(e)) => to.push_str(&format!("?error={e}")),
        (Some(k), None) => to.push_str(&format!("?uploaded={}#doc-{}", k.as_str(), k.as_str())),
        (None, None) => {}
    }
    Redirect::to(&to).into_response()
}

/// What the documents form asked for besides storing its files.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Intent {
    /// Store the files and come back to the documents step.
    Upload,
    /// Store the files, then go to the previous step.
    Back,
    /// Store the files, then go on if every required document is there.
    Next,
}

/// `POST /register/documents/upload`, multipart. Takes one document as
/// `kind` then `file` (what the page sends in the background), or the whole
/// documents form: a `file-<kind>` part per document (inputs left empty are
/// skipped) and the button pressed as `intent` (`upload`, `back` or `next`),
/// so that without JavaScript "Save and continue" keeps the files chosen.
/// Answers with a redirect carrying the outcome, so the same form works with
/// and without JavaScript. Each file streams to the store as it arrives:
/// memory per upload stays at one part, whatever the file's size.
pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(Some(reg_id)) = repo::session_registration(&session).await else {
        return Redirect::to("/register?error=no_application").into_response();
    };
    let Ok(mut multipart) = multipart else {
        return back_to_documents(None, Some(Code::DocumentInvalid));
    };
    let mut kind = None;
    let mut intent = Intent::Upload;
    let mut stored = None;
    let mut form_files = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            // The body limit cuts off bodies far over the maximum.
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return back_to_documents(kind.or(stored), Some(Code::DocumentTooLarge));
            }
            Err(_) => return back_to_documents(kind.or(stored), Some(Code::DocumentInvalid)),
        };
        let target = match field.name().unwrap_or_default() {
            "kind" => {
                let text = field.text().await.unwrap_or_default();
                kind = DocumentKind::parse(text.trim());
                continue;
            }
            "intent" => {
                intent = match field.text().await.unwrap_or_default().trim() {
                    "back" => Intent::Back,
                    "next" => Intent::Next,
                    _ => Intent::Upload,
                };
                continue;
            }
            "file" => match kind {
                Some(kind) => kind,
                None => return back_to_documents(None, Some(Code::DocumentKind)),
            },
            name => match name.strip_prefix("file-").and_then(DocumentKind::parse) {
                Some(kind) => {
                    form_files = true;
                    // A browser sends an input left empty as a part without a name.
                    if field.file_name().is_none_or(str::is_empty) {
                        continue;
                    }
                    kind
                }
                None => continue,
            },
        };
        match store_document(&state, reg_id, target, field).await {
            Ok(()) => stored = Some(target),
            Err(StoreError::Refused(code)) => return back_to_documents(Some(target), Some(code)),
            Err(StoreError::NotEditable) => {
                return Redirect::to("/register/status").into_response();
            }
            Err(StoreError::Missing) => {
                return Redirect::to("/register?error=no_application").into_response();
            }
            Err(StoreError::Internal(e)) => {
                crate::error::AppError::internal(e);
                return back_to_documents(Some(target), Some(Code::Internal));
            }
        }
    }
    match intent {
        Intent::Back => {
            Redirect::to(Step::Documents.previous().map_or("/register", Step::path)).into_response()
        }
        Intent::Next => match present(&state.db, reg_id).await {
            Ok(present) if DocumentKind::missing(&present).next().is_none() => Redirect::to(
                Step::Documents
                    .next()
                    .map_or("/register/review", Step::path),
            )
            .into_response(),
            Ok(present) => {
                let kinds: Vec<&str> = DocumentKind::missing(&present)
                    .map(|k| k.as_str())
                    .collect();
                Redirect::to(&format!("/register/documents?missing={}", kinds.join(",")))
                    .into_response()
            }
            Err(e) => {
                crate::error::AppError::internal(e);
                back_to_documents(None, Some(Code::Internal))
            }
        },
        Intent::Upload => match (stored, kind) {
            (Some(kind), _) => back_to_documents(Some(kind), None),
            (None, Some(kind)) => back_to_documents(Some(kind), Some(Code::DocumentEmpty)),
            (None, None) if form_files => back_to_documents(None, Some(Code::DocumentEmpty)),
            (None, None) => back_to_documents(None, Some(Code::DocumentKind)),
        },
    }
}

/// The documents an application has.
pub(crate) async fn present(
    db: &sqlx::PgPool,
    reg_id: Uuid,
) -> Result<Vec<DocumentKind>, sqlx::Error> {
    let mut conn = db.acquire().await?;
    Ok(repo::documents(&mut conn, reg_id)
        .await?
        .into_iter()
        .map(|(d, _)| d.kind)
        .collect())
}

enum StoreError {
    Missing,
    NotEditable,
    /// The file is refused for the reason named (a `document.*` code).
    Refused(Code),
    Internal(String),
}

/// The next chunk of the uploaded file, or why it cannot be read.
async fn next_chunk(
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<Option<Bytes>, StoreError> {
    field.chunk().await.map_err(|e| {
        StoreError::Refused(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Code::DocumentTooLarge
        } else {
            Code::DocumentInvalid
        })
    })
}

/// Bytes read before the type is judged (the longest signature is 8).
const SNIFF_BYTES: usize = 8;

async fn store_document(
    state: &AppState,
    reg_id: Uuid,
    kind: DocumentKind,
    mut field: axum::extract::multipart::Field<'_>,
) -> Result<(), StoreError> {
    use sha2::{Digest, Sha256};
    let internal = |e: &dyn std::fmt::Display| StoreError::Internal(e.to_string());
    match repo::status(&state.db, reg_id)
        .await
        .map_err(|e| internal(&e))?
    {
        None => return Err(StoreError::Missing),
        Some(s) if !s.editable() => return Err(StoreError::NotEditable),
        Some(_) => {}
    }
    let file_name = clean_file_name(field.file_name().unwrap_or("document"));
    // The first bytes decide the type before anything is stored.
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut pending = None;
    let mut ended = false;
    while head.len() < SNIFF_BYTES {
        match next_chunk(&mut field).await? {
            Some(chunk) => {
                let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
                pending = Some(chunk.slice(take..));
                if take < chunk.len() {
                    break;
                }
            }
            None => {
                ended = true;
                break;
            }
        }
    }
    if head.is_empty() {
        return Err(StoreError::Refused(Code::DocumentEmpty));
    }
    let content_type = sniff(&head).ok_or(StoreError::Refused(Code::DocumentType))?;

    let key = format!(
        "registrations/{reg_id}/{}-{}",
        kind.as_str(),
        Uuid::now_v7()
    );
    let mut writer = state
        .documents
        .writer(&key)
        .await
        .map_err(|e| internal(&format!("document store: {e}")))?;
    let mut hasher = Sha256::new();
    let mut size = 0usize;
    let mut chunk = Some(Bytes::from(head));
    let received: Result<(), StoreError> = async {
        loop {
            let Some(bytes) = chunk.take() else { break };
            size += bytes.len();
            if size > MAX_DOCUMENT_BYTES {
                return Err(StoreError::Refused(Code::DocumentTooLarge));
            }
            hasher.update(&bytes);
            // One part in flight at a time: the file is never whole in memory.
            writer
                .wait_for_capacity(1)
                .await
                .map_err(|e| internal(&format!("document store: {e}")))?;
            writer.put(bytes);
            chunk = match pending.take() {
                Some(rest) if !rest.is_empty() => Some(rest),
                _ if ended => None,
                _ => next_chunk(&mut field).await?,
            };
        }
        Ok(())
    }
    .await;
    if let Err(e) = received {
        let _ = writer.abort().await;
        return Err(e);
    }
    writer
        .finish()
        .await
        .map_err(|e| internal(&format!("document store: {e}")))?;

    let sha256 = format!("{:x}", hasher.finalize());
    let saved = repo::save_document(
        &state.db,
        reg_id,
        repo::NewDocument {
            kind,
            storage_key: &key,
            content_type,
            size_bytes: size as i32,
            sha256: &sha256,
            file_name: &file_name,
        },
    )
    .await;
    match saved {
        Ok(repo::Saved::Done) => {
            // The replaced file, if any, was listed as an orphan in the same
            // transaction; delete it now (or at the next sweep).
            let _ = sweep_orphans(&state.documents, &state.db).await;
            Ok(())
        }
        Ok(repo::Saved::NotEditable) => {
            let _ = state.documents.delete(&key).await;
            Err(StoreError::NotEditable)
        }
        Err(e) => {
            let _ = state.documents.delete(&key).await;
            Err(internal(&e))
        }
    }
}

async fn serve(state: &AppState, reg_id: Uuid, kind: &str) -> Response {
    let Some(kind) = DocumentKind::parse(kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let doc = match repo::document_file(&state.db, reg_id, kind).await {
        Ok(Some(d)) => d,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            crate::error::AppError::internal(e);
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let bytes = match state.documents.get(&doc.storage_key).await {
        Ok(b) => b,
        Err(e) => {
            crate::error::AppError::internal(format!("document store: {e}"));
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    if let Ok(ct) = HeaderValue::from_str(&doc.content_type) {
        h.insert(header::CONTENT_TYPE, ct);
    }
    let ext = match doc.content_type.as_str() {
        "image/png" => "png",
        "application/pdf" => "pdf",
        _ => "jpg",
    };
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{}.{ext}\"", kind.as_str())) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // Our own pages show PDFs in a frame; nobody else may.
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'",
        ),
    );
    res
}

/// `GET /register/files/{kind}`: the applicant's own document.
pub async fn applicant_file(
    State(state): State<AppState>,
    session: Session,
    Path(kind): Path<String>,
) -> Response {
    match repo::session_registration(&session).await {
        Ok(Some(reg_id)) => serve(&state, reg_id, &kind).await,
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /operator/reviews/{id}/files/{kind}`: a submitted application's
/// document, for operators; each read is in the audit log. Drafts that were
/// never submitted are their applicant's alone.
pub async fn operator_file(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
    Path((id, kind)): Path<(Uuid, String)>,
    parts: axum::http::request::Parts,
) -> Response {
    match principal {
        Some(axum::Extension(p))
            if p.account.kind == AccountKind::Operator && p.auth.stage == Stage::SignedIn =>
        {
            if DocumentKind::parse(&kind).is_none() {
                return StatusCode::NOT_FOUND.into_response();
            }
            let actor = crate::auth::guard::RequestMeta::from_parts(&parts)
                .actor(Some(p.account.id), "operator");
            match crate::review::repo::record_operator_read(&state.db, &actor, id, Some(&kind))
                .await
            {
                Ok(true) => serve(&state, id, &kind).await,
                Ok(false) => StatusCode::NOT_FOUND.into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "could not record a document read");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
        _ => StatusCode::FORBIDDEN.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_content_not_name() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some("image/jpeg")
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        // An executable named .jpg.
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01"), None);
        assert_eq!(sniff(b"MZ\x90\0"), None);
        assert_eq!(sniff(b"<svg xmlns="), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn file_names_lose_paths_and_controls() {
        assert_eq!(clean_file_name("C:\\Users\\a\\licence.jpg"), "licence.jpg");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\u{0}b\nc.pdf"), "abc.pdf");
        assert_eq!(clean_file_name(""), "document");
        assert_eq!(clean_file_name(&"x".repeat(500)).chars().count(), 120);
    }
}
