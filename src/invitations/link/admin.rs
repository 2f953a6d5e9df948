//! The administrators' side of the join link: the link itself, its QR
//! code, and deciding the requests.
use super::*;
use crate::access::{Permission, Target, require};
use crate::audit::Action;
use crate::audit::repo::{Event, record};
use crate::auth::guard::{Principal, RequestMeta};
use crate::error::Code;
use crate::server::state::{AppState, app_state};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

const PAGE: i64 = 50;

async fn sealer(state: &AppState) -> Result<crate::server::keys::Sealer, AppError> {
    let key = crate::server::keys::load_or_create(
        &state.db,
        "join_links",
        state.config.master_key.as_ref(),
    )
    .await
    .map_err(AppError::internal)?;
    Ok(crate::server::keys::Sealer::new(&key))
}

fn url_of(state: &AppState, token: &str) -> String {
    state
        .config
        .base_url
        .join(&format!("/join/org/{token}"))
        .map(|u| u.to_string())
        .unwrap_or_default()
}

/// The QR code of `text` as an SVG image (4 modules of quiet zone).
pub(crate) fn qr_svg(text: &str) -> Option<String> {
    let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    let full = size + 8;
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {full} {full}" shape-rendering="crispEdges" role="img"><rect width="{full}" height="{full}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

/// The link of `org`: (token, expired), when one was made.
async fn current(
    state: &AppState,
    org: Uuid,
) -> Result<Option<(String, chrono::DateTime<chrono::Utc>, bool)>, AppError> {
    let Some(row) = sqlx::query!(
        r#"SELECT token_sealed, expires_at AS "expires_at: chrono::DateTime<chrono::Utc>",
                  expires_at <= now() AS "expired!"
             FROM join_links WHERE org_id = $1"#,
        org
    )
    .fetch_optional(&state.db)
    .await?
    else {
        return Ok(None);
    };
    let sealer = sealer(state).await?;
    // A link sealed under a key since replaced reads as none: a new
    // one can then be made.
    let Some(token) = sealer
        .open(&row.token_sealed, org.as_bytes())
        .and_then(|t| String::from_utf8(t).ok())
    else {
        tracing::warn!(%org, "the join link does not open with its key; make a new one");
        return Ok(None);
    };
    Ok(Some((token, row.expires_at, row.expired)))
}

async fn enabled(db: &sqlx::PgPool, org: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        "SELECT join_link <> 'off' AS \"on!\" FROM organisations WHERE id = $1",
        org
    )
    .fetch_one(db)
    .await?)
}

pub async fn state() -> Result<JoinLinkView, AppError> {
    let access = require(Permission::InviteMembers, Target::Organisation).await?;
    let state = app_state()?;
    let zone = crate::organisations::time_zone(&state.db, access.org).await?;
    let link = current(&state, access.org).await?;
    let pending = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM join_requests WHERE org_id = $1 AND status = 'pending'"#,
        access.org
    )
    .fetch_one(&state.db)
    .await?;
    let url = link.as_ref().map(|(token, _, _)| url_of(&state, token));
    Ok(JoinLinkView {
        organisation: access
            .principal
            .account
            .org_name
            .clone()
            .unwrap_or_default(),
        enabled: enabled(&state.db, access.org).await?,
        qr_svg: url.as_deref().and_then(qr_svg),
        url,
        expires_at: link
            .as_ref()
            .map(|(_, at, _)| crate::server::time::local(*at, zone)),
        expired: link.as_ref().is_some_and(|(_, _, expired)| *expired),
        pending,
    })
}

async fn audit(
    c: &mut PgConnection,
    p: &Principal,
    org: Uuid,
    action: Action,
    target: Option<Uuid>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    let mut event = Event::new(action).org(Some(org)).details(details);
    event = match target {
        Some(id) => event.target_account(id),
        None => event.target("organisation", org.to_string()),
    };
    record(
        c,
        &RequestMeta::current().actor(Some(p.id()), "member"),
        &event,
    )
    .await?;
    Ok(())
}

pub async fn rotate() -> Result<(), AppError> {
    let access = require(Permission::InviteMembers, Target::Organisation).await?;
    let state = app_state()?;
    let (token, hash) = super::super::repo::new_token();
    let sealed = sealer(&state)
        .await?
        .seal(token.as_bytes(), access.org.as_bytes());
    let mut tx = state.db.begin().await?;
    sqlx::query!(
        r#"INSERT INTO join_links (org_id, token_hash, token_sealed, created_by, expires_at)
           VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))
           ON CONFLICT (org_id) DO UPDATE
              SET token_hash = EXCLUDED.token_hash, token_sealed = EXCLUDED.token_sealed,
                  created_by = EXCLUDED.created_by, created_at = now(),
                  expires_at = EXCLUDED.expires_at"#,
        access.org,
        &hash[..],
        sealed,
        access.principal.id(),
        LINK_DAYS
    )
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        &access.principal,
        access.org,
        Action::JoinLinkRotated,
        None,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn renew() -> Result<(), AppError> {
    let access = require(Permission::InviteMembers, Target::Organisation).await?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let done = sqlx::query!(
        "UPDATE join_links SET expires_at = now() + make_interval(days => $2) WHERE org_id = $1",
        access.org,
        LINK_DAYS
    )
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::field("link", Code::JoinLinkNone));
    }
    audit(
        &mut tx,
        &access.principal,
        access.org,
        Action::JoinLinkRenewed,
        None,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list(status: String, page: i64) -> Result<JoinRequestPage, AppError> {
    let access = require(Permission::InviteMembers, Target::Organisation).await?;
    let state = app_state()?;
    let zone = crate::organisations::time_zone(&state.db, access.org).await?;
    let pending = status.trim() != "decided";
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM join_requests
            WHERE org_id = $1 AND (status = 'pending') = $2"#,
        access.org,
        pending
    )
    .fetch_one(&state.db)
    .await?;
    let pages = ((total + PAGE - 1) / PAGE).max(1);
    let page = page.clamp(1, pages);
    let rows = sqlx::query!(
        r#"SELECT id, name, mobile, email, department, duplicate, status, reason, account_id,
                  created_at AS "created_at: chrono::DateTime<chrono::Utc>"
             FROM join_requests WHERE org_id = $1 AND (status = 'pending') = $2
            ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"#,
        access.org,
        pending,
        PAGE,
        (page - 1) * PAGE
    )
    .fetch_all(&state.db)
    .await?;
    Ok(JoinRequestPage {
        items: rows
            .into_iter()
            .map(|r| JoinRequestRow {
                id: r.id.to_string(),
                name: r.name,
                mobile: r.mobile,
                email: r.email,
                department: r.department,
                duplicate: r.duplicate,
                status: r.status,
                reason: r.reason,
                at: crate::server::time::local(r.created_at, zone),
                account_id: r.account_id.map(|a| a.to_string()),
            })
            .collect(),
        total,
        page,
        pages,
    })
}

/// A pending request of `org`, locked for the decision.
async fn pending(
    c: &mut PgConnection,
    org: Uuid,
    id: Uuid,
) -> Result<(String, String, Option<String>, String), AppError> {
    let r = sqlx::query!(
        "SELECT name, mobile, email, status, locale FROM join_requests WHERE org_id = $1 AND id = $2 FOR UPDATE",
        org,
        id
    )
    .fetch_optional(&mut *c)
    .await?
    .ok_or_else(AppError::not_found)?;
    if r.status != "pending" {
        return Err(AppError::field("id", Code::JoinRequestDecided));
    }
    Ok((r.name, r.mobile, r.email, r.locale))
}

fn id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found())
}

pub async fn approve(
    raw: String,
    departments_raw: Vec<String>,
    main_raw: String,
) -> Result<(), AppError> {
    // Like the link and the list: the organisation's, not a subtree's.
    let access = require(Permission::InviteMembers, Target::Organisation).await?;
    let request = id(&raw)?;
    if departments_raw.len() > crate::contacts::MAX_DEPARTMENTS_PER_PERSON {
        return Err(AppError::field(
            "departments",
            Code::EmployeeTooManyDepartments,
        ));
    }
    let mut departments = Vec::new();
    for d in &departments_raw {
        let d = Uuid::parse_str(d.trim())
            .map_err(|_| AppError::field("departments", Code::EmployeeDepartmentUnknown))?;
        if !departments.contains(&d) {
            departments.push(d);
        }
    }
    if departments.is_empty() {
        return Err(AppError::field(
            "departments",
            Code::EmployeeDepartmentRequired,
        ));
    }
    let main = match main_raw.trim() {
        "" => departments[0],
        raw => Uuid::parse_str(raw)
            .ok()
            .filter(|m| departments.contains(m))
            .ok_or_else(|| AppError::field("main_department", Code::EmployeeMainDepartment))?,
    };
    let state = app_state()?;
    let meta = RequestMeta::current();
    let org = access.org;
    let mut tx = state.db.begin().await?;
    crate::contacts::repo::lock(&mut tx, org, state.contacts.lock_wait).await?;
    // The email was not proven: the request shows it, the employee does
    // not take it (an administrator may add it), and nothing is sent there.
    let (name, mobile, _email, locale) = pending(&mut tx, org, request).await?;
    crate::organisations::check_member_cap(&mut tx, org, 1).await?;
    // The number (or address) was someone else's by now: the
    // administrator sees why, and may reject the request.
    let input = crate::contacts::repo::employees::EmployeeInput {
        name,
        userid: None,
        mobile: Some(mobile),
        email: None,
        position: None,
        employee_no: None,
        gender: None,
        hire_date: None,
        departments,
        main_department: main,
        managers: Vec::new(),
    };
    let (person, _) = crate::contacts::repo::employees::create(&mut tx, org, &input)
        .await
        .map_err(AppError::from)?;
    let after = crate::contacts::repo::members::record(&mut tx, org, person)
        .await
        .map_err(AppError::from)?;
    audit(
        &mut tx,
        &access.principal,
        org,
        Action::EmployeeCreated,
        Some(person),
        json!({ "after": after }),
    )
    .await?;
    sqlx::query!(
        r#"UPDATE join_requests SET status = 'approved', decided_by = $3, decided_at = now(),
                                    account_id = $4
            WHERE org_id = $1 AND id = $2"#,
        org,
        request,
        access.principal.id(),
        person
    )
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        &access.principal,
        org,
        Action::JoinRequestApproved,
        Some(person),
        json!({ "request": request.to_string() }),
    )
    .await?;
    let invitee = super::super::repo::invitee(&mut tx, org, person)
        .await?
        .ok_or_else(AppError::not_found)?;
    let sender = super::super::repo::Sender {
        sealer: state.codes.outbox_sealer(),
        max_attempts: state
            .outbox_max_attempts
            .max(super::super::api::imp::invitation_attempts()),
        inviter: Some(access.principal.id()),
        inviter_name: access.principal.account.name.clone(),
        locale: &locale,
    };
    super::super::api::imp::issue_one(&mut tx, &sender, &meta, org, &invitee, &[], false).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn reject(raw: String, reason: String) -> Result<(), AppError> {
    let access = require(Permission::InviteMembers, Target::Organisation).await?;
    let request = id(&raw)?;
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(AppError::field("reason", Code::ValidationRequired));
    }
    if reason.chars().count() > 200 {
        return Err(AppError::field("reason", Code::ValidationTooLong));
    }
    let state = app_state()?;
    let org = access.org;
    let mut tx = state.db.begin().await?;
    let (_, mobile, _, locale) = pending(&mut tx, org, request).await?;
    sqlx::query!(
        r#"UPDATE join_requests SET status = 'rejected', reason = $3, decided_by = $4,
                                    decided_at = now()
            WHERE org_id = $1 AND id = $2"#,
        org,
        request,
        reason,
        access.principal.id()
    )
    .execute(&mut *tx)
    .await?;
    let message = crate::notify::NewMessage {
        org_id: Some(org),
        channel: crate::notify::Channel::Sms,
        recipient: mobile,
        locale,
        template: crate::notify::Template::JoinRequestRejected {
            organisation: access
                .principal
                .account
                .org_name
                .clone()
                .unwrap_or_default(),
            reason: reason.clone(),
        },
        valid_for: None,
    };
    crate::notify::enqueue(
        &mut tx,
        state.codes.outbox_sealer(),
        &message,
        state.outbox_max_attempts,
    )
    .await?;
    audit(
        &mut tx,
        &access.principal,
        org,
        Action::JoinRequestRejected,
        None,
        json!({ "request": request.to_string(), "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /admin/contacts/join/qr.png`: the link's QR code to download.
pub async fn qr_png(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
) -> Response {
    let refused = |status: http::StatusCode| status.into_response();
    let Some(axum::Extension(p)) = principal else {
        return refused(http::StatusCode::UNAUTHORIZED);
    };
    let Some(org) = p.account.org_id else {
        return refused(http::StatusCode::FORBIDDEN);
    };
    if crate::access::require_of(
        &state.db,
        p,
        org,
        Permission::InviteMembers,
        Target::Organisation,
    )
    .await
    .is_err()
    {
        return refused(http::StatusCode::FORBIDDEN);
    }
    let Ok(Some((token, _, _))) = current(&state, org).await else {
        return refused(http::StatusCode::NOT_FOUND);
    };
    match qrcodegen_image::draw_png(&url_of(&state, &token)) {
        Ok(png) => (
            [
                (http::header::CONTENT_TYPE, "image/png"),
                (http::header::CACHE_CONTROL, "no-store"),
                (
                    http::header::CONTENT_DISPOSITION,
                    "attachment; filename=\"join-qr.png\"",
                ),
            ],
            png,
        )
            .into_response(),
        Err(_) => refused(http::StatusCode::INTERNAL_SERVER_ERROR),
    }
}
