//! The application's documents: recorded, replaced, removed, and objects left to delete.
use super::super::DocumentKind;
use super::*;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub struct NewDocument<'a> {
    pub kind: DocumentKind,
    pub storage_key: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i32,
    pub sha256: &'a str,
    pub file_name: &'a str,
}

/// Records an uploaded file, replacing the one of the same kind. The
/// replaced file's key is listed for deletion in the same transaction.
pub async fn save_document(
    db: &PgPool,
    id: Uuid,
    doc: NewDocument<'_>,
) -> Result<Saved, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !lock_editable(&mut tx, id).await? {
        return Ok(Saved::NotEditable);
    }
    remove_document_in(&mut tx, id, doc.kind).await?;
    sqlx::query!(
        r#"INSERT INTO registration_documents
               (registration_id, kind, storage_key, content_type, size_bytes, sha256, file_name)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        id,
        doc.kind.as_str(),
        doc.storage_key,
        doc.content_type,
        doc.size_bytes,
        doc.sha256,
        doc.file_name
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE registrations SET updated_at = now() WHERE id = $1",
        id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Saved::Done)
}

/// Locks the application; whether it exists and may be changed.
pub(super) async fn lock_editable(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let editable = sqlx::query_scalar!(
        "SELECT status IN ('draft', 'rejected') AS \"e!\" FROM registrations WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(editable == Some(true))
}

pub(super) async fn remove_document_in(
    conn: &mut PgConnection,
    id: Uuid,
    kind: DocumentKind,
) -> Result<bool, sqlx::Error> {
    let old = sqlx::query_scalar!(
        "DELETE FROM registration_documents WHERE registration_id = $1 AND kind = $2 RETURNING storage_key",
        id,
        kind.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(key) = &old {
        sqlx::query!(
            "INSERT INTO orphaned_objects (storage_key) VALUES ($1) ON CONFLICT DO NOTHING",
            key
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(old.is_some())
}

/// Removes a document from an editable application.
pub async fn remove_document(
    db: &PgPool,
    id: Uuid,
    kind: DocumentKind,
) -> Result<Saved, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !lock_editable(&mut tx, id).await? {
        return Ok(Saved::NotEditable);
    }
    remove_document_in(&mut tx, id, kind).await?;
    tx.commit().await?;
    Ok(Saved::Done)
}

pub struct DocumentFile {
    pub storage_key: String,
    pub content_type: String,
}

pub async fn document_file(
    db: &PgPool,
    id: Uuid,
    kind: DocumentKind,
) -> Result<Option<DocumentFile>, sqlx::Error> {
    sqlx::query_as!(
        DocumentFile,
        "SELECT storage_key, content_type FROM registration_documents WHERE registration_id = $1 AND kind = $2",
        id,
        kind.as_str()
    )
    .fetch_optional(db)
    .await
}

pub async fn orphaned_objects(db: &PgPool) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT storage_key FROM orphaned_objects ORDER BY created_at LIMIT 100")
        .fetch_all(db)
        .await
}

pub async fn forget_orphan(db: &PgPool, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM orphaned_objects WHERE storage_key = $1", key)
        .execute(db)
        .await?;
    Ok(())
}
