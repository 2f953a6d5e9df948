//! Attachments of requests: uploaded by a member before they submit, kept
//! in the document store, judged by their content (not their name), and
//! read back only by the people the request concerns.
use crate::auth::guard::Principal;
use crate::auth::{AccountKind, Stage};
use crate::error::Code;
use crate::server::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

/// The largest attachment.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Uploads one person may make in an hour.
pub const MAX_UPLOADS_PER_HOUR: i64 = 60;
/// Uploads one organisation may take in an hour.
pub const MAX_ORG_UPLOADS_PER_HOUR: i64 = 3000;

/// The type of an attachment by its first bytes: images, PDF, and the
/// zip-based office documents; anything else is refused.
pub fn sniff(bytes: &[u8], name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if let Some(t) = crate::registration::documents::sniff(bytes) {
        return Some(t);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(if lower.ends_with(".docx") {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        } else if lower.ends_with(".xlsx") {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        } else if lower.ends_with(".pptx") {
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        } else {
            "application/zip"
        });
    }
    None
}

fn refused(status: StatusCode, code: Code) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": code.as_str() })),
    )
        .into_response()
}

fn member(principal: Option<axum::Extension<Principal>>) -> Option<(Uuid, Uuid)> {
    let axum::Extension(p) = principal?;
    match (p.account.org_id, p.account.kind, p.auth.stage) {
        (Some(org), AccountKind::Member, Stage::SignedIn) => Some((org, p.account.id)),
        _ => None,
    }
}

/// `POST /me/approvals/files` (multipart, one `file`): stores an
/// attachment; answers `{id, name, size}`.
pub async fn upload(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Some((org, me)) = member(principal) else {
        return refused(StatusCode::FORBIDDEN, Code::Unknown);
    };
    let recent = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE uploader_id = $2) AS "mine!", count(*) AS "all!"
           FROM approval_files WHERE org_id = $1 AND created_at > now() - interval '1 hour'"#,
        org,
        me
    )
    .fetch_one(&state.db)
    .await;
    match recent {
        Ok(r) if r.mine >= MAX_UPLOADS_PER_HOUR || r.all >= MAX_ORG_UPLOADS_PER_HOUR => {
            return refused(StatusCode::TOO_MANY_REQUESTS, Code::ApprovalsTooManyUploads);
        }
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "could not count attachments");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let Ok(mut multipart) = multipart else {
        return refused(StatusCode::BAD_REQUEST, Code::ApprovalsFileType);
    };
    let mut found: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(mut field)) = multipart.next_field().await {
        if field.name() != Some("file") {
            continue;
        }
        let name =
            crate::registration::documents::clean_file_name(field.file_name().unwrap_or("file"));
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                        return refused(StatusCode::PAYLOAD_TOO_LARGE, Code::ApprovalsFileTooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return refused(StatusCode::PAYLOAD_TOO_LARGE, Code::ApprovalsFileTooLarge);
                }
                Err(_) => return refused(StatusCode::BAD_REQUEST, Code::ApprovalsFileType),
            }
        }
        found = Some((name, bytes));
        break;
    }
    let Some((name, bytes)) = found.filter(|(_, b)| !b.is_empty()) else {
        return refused(StatusCode::BAD_REQUEST, Code::ApprovalsFileType);
    };
    let Some(content_type) = sniff(&bytes, &name) else {
        return refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, Code::ApprovalsFileType);
    };
    let id = Uuid::now_v7();
    let key = format!("approvals/{org}/{id}");
    let size = bytes.len();
    let stored = async {
        let mut w = state.documents.writer(&key).await?;
        w.put(bytes::Bytes::from(bytes));
        w.finish().await.map(|_| ())
    }
    .await;
    if let Err(e) = stored {
        tracing::error!(error = %e, "could not store an attachment");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let saved = sqlx::query!(
        r#"INSERT INTO approval_files (id, org_id, uploader_id, file_key, file_name, content_type, file_size)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        id,
        org,
        me,
        key,
        name,
        content_type,
        size as i32
    )
    .execute(&state.db)
    .await;
    if let Err(e) = saved {
        tracing::error!(error = %e, "could not record an attachment");
        let _ = state.documents.delete(&key).await;
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    axum::Json(serde_json::json!({ "id": id.to_string(), "name": name, "size": size }))
        .into_response()
}

/// `GET /me/approvals/files/{id}`: an attachment, for its uploader and the
/// people its request concerns.
pub async fn download(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
    Path(id): Path<String>,
) -> Response {
    let Some((org, me)) = member(principal) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let row = sqlx::query!(
        r#"SELECT f.file_key, f.file_name, f.content_type FROM approval_files f
           WHERE f.org_id = $1 AND f.id = $2
             AND (f.uploader_id = $3 OR EXISTS (
                 SELECT 1 FROM approval_requests r WHERE r.id = f.request_id
                   AND (r.submitter_id = $3
                        OR EXISTS (SELECT 1 FROM approval_tasks k WHERE k.request_id = r.id
                                   AND (k.assignee_id = $3 OR k.principal_id = $3))
                        OR EXISTS (SELECT 1 FROM approval_cc cc WHERE cc.request_id = r.id
                                   AND cc.account_id = $3 AND cc.shown_at IS NOT NULL))))"#,
        org,
        id,
        me
    )
    .fetch_optional(&state.db)
    .await;
    let row = match row {
        Ok(Some(r)) => r,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not read an attachment");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    match state.documents.get(&row.file_key).await {
        Ok(bytes) => {
            // Images and PDFs open in the browser; nothing is run from them.
            let inline =
                row.content_type.starts_with("image/") || row.content_type == "application/pdf";
            let ascii: String = row
                .file_name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let disposition = format!(
                "{}; filename=\"{ascii}\"; filename*=UTF-8''{}",
                if inline { "inline" } else { "attachment" },
                crate::ui::url_encode(&row.file_name)
            );
            (
                [
                    (header::CONTENT_TYPE, row.content_type),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "private, no-store".to_owned()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                    (
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
                            .to_owned(),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "could not fetch an attachment");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
