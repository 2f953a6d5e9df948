//! The import's plain HTTP side: the template, the upload (a multipart form
//! that works with or without JavaScript, answered with a redirect), the
//! file of rows with errors, and the export. Each is behind the page guard,
//! which has found the caller; each checks the permission itself.
use super::check::Plan;
use super::columns::Header;
use super::read::{Table, read};
use super::{Column, Encoding, ImportOptions};
use crate::access::{Access, Permission, Target, require_of};
use crate::auth::guard::Principal;
use crate::auth::{AccountKind, Stage};
use crate::error::{AppError, Code};
use crate::server::sheet::{Format, Sheet};
use crate::server::state::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use uuid::Uuid;

/// What a check produced: the file read, its header and the dry run.
pub struct Checked {
    pub table: Table,
    pub header: Header,
    pub plan: Plan,
}

async fn caller(
    state: &AppState,
    principal: Option<axum::Extension<Principal>>,
) -> Result<Access, AppError> {
    let Some(axum::Extension(p)) = principal else {
        return Err(AppError::unauthenticated());
    };
    let (Some(org), AccountKind::Member, Stage::SignedIn) =
        (p.account.org_id, p.account.kind, p.auth.stage)
    else {
        return Err(AppError::forbidden());
    };
    require_of(
        &state.db,
        p,
        org,
        Permission::ManageContacts,
        Target::InScope,
    )
    .await
}

/// Reads `bytes` and judges them against the organisation as it is now.
pub async fn check(
    state: &AppState,
    access: &Access,
    bytes: bytes::Bytes,
    encoding: Option<Encoding>,
    options: ImportOptions,
) -> Result<Checked, AppError> {
    let scope = access
        .grants
        .scope_of(Permission::ManageContacts)
        .ok_or_else(AppError::forbidden)?;
    let mut conn = state.db.acquire().await?;
    let snapshot =
        super::snapshot::load(&mut conn, access.org, scope, access.principal.id()).await?;
    drop(conn);
    let max_rows = state.contacts.import_max_rows;
    // Reading and judging 100,000 rows take a second or two of CPU: off
    // the workers that answer requests, and on one thread, where the
    // memory of each row let go is taken again by the plan.
    tokio::task::spawn_blocking(move || {
        read_and_plan(&snapshot, bytes, encoding, max_rows, options)
    })
    .await
    .map_err(AppError::internal)?
}

/// The file read, its header found and every row judged; the bytes and the
/// rows are let go as soon as they have been read.
pub fn read_and_plan(
    snapshot: &super::check::Snapshot,
    bytes: impl AsRef<[u8]>,
    encoding: Option<Encoding>,
    max_rows: usize,
    options: ImportOptions,
) -> Result<Checked, AppError> {
    let mut table =
        read(bytes.as_ref(), encoding, max_rows).map_err(|e| AppError::field("file", e.code()))?;
    drop(bytes);
    let Some((at, header)) = super::columns::find_header(&table.rows) else {
        return Err(AppError::field("file", Code::ImportEmpty));
    };
    if !header.missing.is_empty() {
        return Err(AppError::field("file", Code::ImportMissingColumns));
    }
    let people = table.rows[at + 1..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .count();
    if people > max_rows {
        return Err(AppError::field("file", Code::ImportTooManyRows));
    }
    let rows = std::mem::take(&mut table.rows);
    let plan = super::check::plan(snapshot, rows, &table.lines, at, &header, options);
    Ok(Checked {
        table,
        header,
        plan,
    })
}

fn back(error: Code) -> Response {
    Redirect::to(&format!("/admin/contacts/import?error={}", error.as_str())).into_response()
}

/// `POST /admin/contacts/import`, multipart: `file`, `encoding` (blank to
/// detect), and the options as checkboxes. Keeps the file and its dry run,
/// then sends the browser to the import's page.
pub async fn upload(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
    parts: axum::http::request::Parts,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let access = match caller(&state, principal).await {
        Ok(a) => a,
        Err(e) => return crate::audit::export::refused(e),
    };
    let meta = crate::auth::guard::RequestMeta::from_parts(&parts);
    let Ok(mut multipart) = multipart else {
        return back(Code::ImportFileType);
    };
    let max_bytes = state.contacts.import_max_bytes;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut encoding = None;
    let mut options = ImportOptions::default();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return back(Code::ImportFileTooLarge);
            }
            Err(_) => return back(Code::ImportFileType),
        };
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                let name: String = field
                    .file_name()
                    .unwrap_or("contacts")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                // Room for the whole body at once (within the limit): a
                // growing buffer would hold up to twice the file.
                let declared = parts
                    .headers
                    .get(header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                let mut bytes = Vec::with_capacity(declared.min(max_bytes));
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if bytes.len() + chunk.len() > max_bytes {
                                return back(Code::ImportFileTooLarge);
                            }
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return back(Code::ImportFileTooLarge);
                        }
                        Err(_) => return back(Code::ImportFileType),
                    }
                }
                file = Some((
                    if name.trim().is_empty() {
                        "contacts".into()
                    } else {
                        name
                    },
                    bytes,
                ));
            }
            "encoding" => {
                let text = field.text().await.unwrap_or_default();
                encoding = Encoding::parse(text.trim());
            }
            flag @ ("create_departments" | "update_existing" | "full_sync" | "invite") => {
                let on = matches!(
                    field.text().await.unwrap_or_default().trim(),
                    "on" | "true" | "1"
                );
                match flag {
                    "create_departments" => options.create_departments = on,
                    "update_existing" => options.update_existing = on,
                    "full_sync" => options.full_sync = on,
                    _ => options.invite = on,
                }
            }
            _ => {}
        }
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return back(Code::ImportEmpty);
    };
    let size = bytes.len();
    let id = Uuid::now_v7();
    let key = format!("imports/{}/{id}", access.org);
    // Kept first, so that the check may have the bytes and let them go
    // once read (a large file is not held twice); a refused file is
    // removed again.
    let bytes = bytes::Bytes::from(bytes);
    let stored = async {
        let mut writer = state.documents.writer(&key).await?;
        // Handed over, not copied.
        writer.put(bytes.clone());
        writer.finish().await.map(|_| ())
    };
    if let Err(e) = stored.await {
        AppError::internal(e);
        return back(Code::Internal);
    }
    // Removed again unless its job is saved: refused, failed, or the
    // browser gone while the check ran (the handler is then dropped).
    let mut kept = Unsaved(Some((state.documents.clone(), key.clone())));
    let checked = match check(&state, &access, bytes, encoding, options).await {
        Ok(c) => c,
        Err(e) => return back(refusal(&e)),
    };
    let saved = async {
        let mut tx = state.db.begin().await?;
        super::repo::insert(
            &mut tx,
            &super::repo::NewJob {
                id,
                org: access.org,
                created_by: access.principal.id(),
                file_name: &file_name,
                file_key: &key,
                file_size: size as i32,
                encoding_chosen: encoding.is_some(),
                locale: meta.locale,
            },
            &checked.table,
            &checked.header,
            options,
            &checked.plan,
        )
        .await?;
        tx.commit().await
    };
    match saved.await {
        Ok(()) => {
            kept.0 = None;
            Redirect::to(&format!("/admin/contacts/import/{id}")).into_response()
        }
        Err(e) => {
            AppError::internal(e);
            back(Code::Internal)
        }
    }
}

/// An uploaded file whose job is not saved (yet): removed when dropped.
struct Unsaved(Option<(crate::storage::DocumentStore, String)>);

impl Drop for Unsaved {
    fn drop(&mut self) {
        if let Some((documents, key)) = self.0.take() {
            tokio::spawn(async move {
                if let Err(e) = documents.delete(&key).await {
                    tracing::warn!(error = %e, "an unsaved import file could not be removed");
                }
            });
        }
    }
}

/// The code a refused file is sent back with.
pub(super) fn refusal(e: &AppError) -> Code {
    match e {
        AppError::Validation { fields } => fields.first().map_or(e.code(), |f| f.code),
        _ => e.code(),
    }
}

/// A file to download, never kept by a cache.
pub(super) fn file(format: Format, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{}\"", format.extension()),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /admin/contacts/import/template?format=csv|xlsx`.
pub async fn template(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let access = match caller(&state, principal).await {
        Ok(a) => a,
        Err(e) => return crate::audit::export::refused(e),
    };
    let format = params
        .get("format")
        .and_then(|f| Format::parse(f))
        .unwrap_or(Format::Xlsx);
    let root = sqlx::query_scalar!(
        "SELECT name FROM departments WHERE org_id = $1 AND parent_id IS NULL",
        access.org
    )
    .fetch_optional(&state.db)
    .await
    .ok()
    .flatten()
    .unwrap_or_default();
    match super::template::template(format, &root) {
        Ok(bytes) => file(format, "contacts-template", bytes),
        Err(e) => crate::audit::export::refused(AppError::internal(e)),
    }
}

/// `GET /admin/contacts/import/{id}/errors?format=csv|xlsx`: the rows with
/// errors in the template's columns, the errors in a last column, to fix
/// and upload again.
pub async fn errors(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
    Path(raw): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    parts: axum::http::request::Parts,
) -> Response {
    let access = match caller(&state, principal).await {
        Ok(a) => a,
        Err(e) => return crate::audit::export::refused(e),
    };
    let meta = crate::auth::guard::RequestMeta::from_parts(&parts);
    let locale = if meta.locale == "zh-CN" {
        crate::i18n::Locale::zh_CN
    } else {
        crate::i18n::Locale::en
    };
    let format = params
        .get("format")
        .and_then(|f| Format::parse(f))
        .unwrap_or(Format::Xlsx);
    let made = async {
        let job = super::api::imp::found(&state, &access, &raw).await?;
        let id = job.id;
        let bytes = state
            .documents
            .get(&job.file_key)
            .await
            .map_err(AppError::internal)?;
        let encoding = job
            .encoding
            .as_deref()
            .and_then(Encoding::parse)
            .filter(|_| job.encoding_chosen);
        let max_rows = state.contacts.import_max_rows;
        // The bytes go with the reading and are let go once read.
        let table = tokio::task::spawn_blocking(move || read(&bytes, encoding, max_rows))
            .await
            .map_err(AppError::internal)?
            .map_err(|e| AppError::field("file", e.code()))?;
        let (_, header) =
            super::columns::find_header(&table.rows).ok_or_else(AppError::not_found)?;
        let lines = super::repo::error_lines(&state.db, access.org, id).await?;
        let mut heads: Vec<String> = Column::ALL.iter().map(|c| c.header()).collect();
        heads.push("错误 Errors".into());
        let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
        let mut sheet = Sheet::new(format, "Errors", &heads).map_err(AppError::internal)?;
        let index: HashMap<u32, usize> = table
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| (*l, i))
            .collect();
        for (line, errors) in lines {
            let Some(cells) = index.get(&(line as u32)).and_then(|&i| table.rows.get(i)) else {
                continue;
            };
            let mut out: Vec<String> = Column::ALL
                .iter()
                .map(|c| header.cell(cells, *c).to_owned())
                .collect();
            out.push(super::describe(&errors, locale));
            sheet
                .row(out.iter().map(String::as_str))
                .map_err(AppError::internal)?;
        }
        sheet.finish().map_err(AppError::internal)
    };
    match made.await {
        Ok(bytes) => file(format, "contacts-errors", bytes),
        Err(e) => crate::audit::export::refused(e),
    }
}
