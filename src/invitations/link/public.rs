//! The public side of the join link: opening it, and asking to join.
use super::*;
use crate::audit::Action;
use crate::audit::repo::{Event, record};
use crate::auth::guard::{self, RequestMeta};
use crate::codes::{CodeRequest, Destination, Purpose};
use crate::domain::{Email, ErrorCode, Mobile};
use crate::error::{Code, FieldErrors};
use crate::server::state::{AppState, app_state};
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

const SESSION_KEY: &str = "join_org";

/// `GET /join/org/{token}`: keeps a live organisation link in the
/// session and sends the browser on to `/join/request`.
pub async fn open_link(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> Response {
    let mut known = None;
    if super::super::repo::well_formed(&token) {
        let hash = super::super::repo::hash(&token);
        let found = sqlx::query_scalar!(
            "SELECT org_id FROM join_links WHERE token_hash = $1",
            &hash[..]
        )
        .fetch_optional(&state.db)
        .await;
        if let Ok(Some(_)) = found {
            known = Some(hash);
        }
    }
    super::super::repo::hold_link(&session, SESSION_KEY, known, "/join/request").await
}

/// The organisation whose live link this session holds: `Ok(None)` for
/// none, `Err(())` for a dead one.
async fn held(
    state: &AppState,
    session: &Session,
) -> Result<Option<Result<(Uuid, String), ()>>, AppError> {
    let hash: Option<Vec<u8>> = session.get(SESSION_KEY).await.ok().flatten();
    let Some(hash) = hash else { return Ok(None) };
    let row = sqlx::query!(
        r#"SELECT l.org_id, o.name, l.expires_at > now() AND o.join_link <> 'off' AS "live!"
             FROM join_links l JOIN organisations o ON o.id = l.org_id
            WHERE l.token_hash = $1"#,
        hash
    )
    .fetch_optional(&state.db)
    .await?;
    Ok(Some(match row {
        Some(r) if r.live => Ok((r.org_id, r.name)),
        _ => Err(()),
    }))
}

async fn live(state: &AppState, session: &Session) -> Result<(Uuid, String), AppError> {
    match held(state, session).await? {
        Some(Ok(org)) => Ok(org),
        Some(Err(())) => Err(AppError::field("link", Code::JoinLinkDead)),
        None => Err(AppError::field("link", Code::InvitationNoLink)),
    }
}

pub async fn request_state() -> Result<JoinRequestView, AppError> {
    let state = app_state()?;
    let session = guard::session().await?;
    Ok(match held(&state, &session).await? {
        None => JoinRequestView::NoLink,
        Some(Err(())) => JoinRequestView::Dead,
        Some(Ok((_, organisation))) => JoinRequestView::Open { organisation },
    })
}

fn parse_mobile(raw: &str) -> Result<Mobile, AppError> {
    Mobile::parse(raw.trim()).map_err(|e| AppError::field("mobile", e.code()))
}

pub async fn request_code(mobile: String, challenge: String) -> Result<u64, AppError> {
    let state = app_state()?;
    let meta = RequestMeta::current();
    let session = guard::session().await?;
    state
        .codes
        .admit_request(&state.db, &session, meta.ip, &challenge)
        .await
        .map_err(AppError::from)?;
    let (org, _) = live(&state, &session).await?;
    let mobile = parse_mobile(&mobile)?;
    let mut tx = state.db.begin().await?;
    state
        .codes
        .issue(
            &mut tx,
            &CodeRequest {
                purpose: Purpose::JoinRequest,
                destination: Destination::Mobile(mobile),
                locale: meta.locale.to_owned(),
                client_ip: meta.ip,
                org_id: Some(org),
            },
        )
        .await
        .map_err(AppError::from)?;
    tx.commit().await?;
    Ok(state.codes.settings().resend_cooldown.as_secs())
}

pub async fn submit(
    name: String,
    mobile: String,
    code: String,
    email: String,
    department: String,
) -> Result<(), AppError> {
    let state = app_state()?;
    let meta = RequestMeta::current();
    let session = guard::session().await?;
    let mut errors = FieldErrors::new();
    let name = match crate::contacts::rules::person_name(&name) {
        Ok(n) => Some(n),
        Err(code) => {
            errors.push("name", code);
            None
        }
    };
    let mobile = errors.check("mobile", Mobile::parse(mobile.trim()));
    let email = match email.trim() {
        "" => None,
        raw => errors.check("email", Email::parse(raw)),
    };
    let department = department.trim().to_owned();
    if department.chars().count() > 128 {
        errors.push("department", Code::ValidationTooLong);
    }
    if code.trim().is_empty() {
        errors.push("code", Code::ValidationRequired);
    }
    errors.finish()?;
    let (name, mobile) = (name.expect("checked"), mobile.expect("checked"));
    // Guesses of codes count against the client.
    if let Some(ip) = meta.ip {
        let mut conn = state.db.acquire().await?;
        crate::auth::api::begin_attempt(
            &mut conn,
            &crate::auth::throttle::Key::Ip(ip),
            &state.auth.ip,
        )
        .await?;
    }
    let (org, _) = live(&state, &session).await?;
    let destination = Destination::Mobile(mobile.clone());
    let code_id = state
        .codes
        .check(&state.db, Purpose::JoinRequest, &destination, &code)
        .await
        .map_err(AppError::from)?;
    let mut tx = state.db.begin().await?;
    state
        .codes
        .consume(&mut tx, code_id)
        .await
        .map_err(|_| AppError::field("code", Code::CodeUsed))?;
    let waiting = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM join_requests WHERE org_id = $1 AND status = 'pending'"#,
        org
    )
    .fetch_one(&mut *tx)
    .await?;
    if waiting >= MAX_PENDING {
        return Err(AppError::field("link", Code::JoinRequestsFull));
    }
    // Someone of the organisation already: recorded as a duplicate for
    // the administrators, answered like any other request.
    let duplicate = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM accounts WHERE org_id = $1 AND kind = 'member'
                           AND mobile = $2) AS "dup!""#,
        org,
        mobile.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    let id = Uuid::now_v7();
    let locale = if meta.locale == "zh-CN" {
        "zh-CN"
    } else {
        "en"
    };
    // A second request from the same number replaces the waiting one.
    let id = sqlx::query_scalar!(
        r#"INSERT INTO join_requests (id, org_id, name, mobile, email, department, duplicate, locale)
           VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), $7, $8)
           ON CONFLICT (org_id, mobile) WHERE status = 'pending' DO UPDATE
              SET name = EXCLUDED.name, email = EXCLUDED.email, department = EXCLUDED.department,
                  duplicate = EXCLUDED.duplicate, created_at = now()
           RETURNING id"#,
        id,
        org,
        name,
        mobile.as_str(),
        email.as_ref().map(|e| e.as_str()),
        department,
        duplicate,
        locale
    )
    .fetch_one(&mut *tx)
    .await?;
    // The client's tries of codes were counted like sign-in failures:
    // a request that went through is not one.
    if let Some(ip) = meta.ip {
        crate::auth::throttle::forgive(&mut *tx, &crate::auth::throttle::Key::Ip(ip)).await?;
    }
    record(
        &mut tx,
        &meta.actor(None, "anonymous"),
        &Event::new(Action::JoinRequested)
            .org(Some(org))
            .target("join_request", id.to_string())
            .details(json!({ "duplicate": duplicate })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
