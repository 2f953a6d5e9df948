//! The organisation's join link and QR code (扫码加入): administrators who
//! may invite show it, print it, rotate or renew it; anyone who opens it
//! asks to join with a proven mobile number; the requests wait for an
//! administrator to approve (the person becomes an employee not joined yet
//! and gets an invitation) or reject (the requester is told why).
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Days a join link works after it is made or renewed (WeCom).
pub const LINK_DAYS: i32 = 7;
/// Requests that may wait at once in one organisation; past it the link
/// takes no more until some are decided.
pub const MAX_PENDING: i64 = 1_000;

/// The join link as its administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinLinkView {
    pub organisation: String,
    /// The security policy lets people ask to join (`join_link` is not `off`).
    pub enabled: bool,
    /// The link, when one was made.
    pub url: Option<String>,
    /// The link's QR code as SVG (made on the server from the link).
    pub qr_svg: Option<String>,
    pub expires_at: Option<String>,
    pub expired: bool,
    pub pending: i64,
}

/// One request to join, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequestRow {
    pub id: String,
    pub name: String,
    pub mobile: String,
    pub email: Option<String>,
    pub department: Option<String>,
    /// The mobile number belongs to someone of the organisation already.
    pub duplicate: bool,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub reason: Option<String>,
    pub at: String,
    /// The employee an approval made.
    pub account_id: Option<String>,
}

/// A page of requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequestPage {
    pub items: Vec<JoinRequestRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// What the public request page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JoinRequestView {
    /// No join link in this session.
    NoLink,
    /// The link is off, expired or was rotated.
    Dead,
    Open {
        organisation: String,
    },
}

#[server(prefix = "/api", endpoint = "join_link_state", input = server_fn::codec::GetUrl)]
pub async fn join_link_state() -> Result<JoinLinkView, AppError> {
    imp::state().await
}

/// Makes a new link (the old one dies at once).
#[server(prefix = "/api", endpoint = "join_link_rotate")]
pub async fn join_link_rotate() -> Result<(), AppError> {
    imp::rotate().await
}

/// Keeps the link working 7 more days from now.
#[server(prefix = "/api", endpoint = "join_link_renew")]
pub async fn join_link_renew() -> Result<(), AppError> {
    imp::renew().await
}

/// Requests by `status` (`pending` when blank, `decided`), newest first.
#[server(prefix = "/api", endpoint = "join_requests", input = server_fn::codec::GetUrl)]
pub async fn join_requests(
    #[server(default)] status: String,
    #[server(default)] page: i64,
) -> Result<JoinRequestPage, AppError> {
    imp::list(status, page).await
}

/// Approves a request into `departments` (the first is the main one): the
/// person becomes an employee not joined yet and is invited.
#[server(prefix = "/api", endpoint = "join_request_approve")]
pub async fn join_request_approve(
    id: String,
    #[server(default)] departments: Vec<String>,
    #[server(default)] main_department: String,
) -> Result<(), AppError> {
    imp::approve(id, departments, main_department).await
}

/// Rejects a request; the requester is told `reason` by SMS.
#[server(prefix = "/api", endpoint = "join_request_reject")]
pub async fn join_request_reject(id: String, reason: String) -> Result<(), AppError> {
    imp::reject(id, reason).await
}

/// The request page's view of the link held in this session.
#[server(prefix = "/api", endpoint = "join_request_state", input = server_fn::codec::GetUrl)]
pub async fn join_request_state() -> Result<JoinRequestView, AppError> {
    imp::request_state().await
}

/// Sends a code to `mobile` for a request to join.
#[server(prefix = "/api", endpoint = "join_request_code")]
pub async fn join_request_code(
    mobile: String,
    #[server(default)] challenge: String,
) -> Result<u64, AppError> {
    imp::request_code(mobile, challenge).await
}

/// Asks to join. The answer is the same whether or not the mobile number
/// is someone's in the organisation already.
#[server(prefix = "/api", endpoint = "join_request_submit")]
pub async fn join_request_submit(
    name: String,
    mobile: String,
    code: String,
    #[server(default)] email: String,
    #[server(default)] department: String,
) -> Result<(), AppError> {
    imp::submit(name, mobile, code, email, department).await
}

#[cfg(feature = "ssr")]
pub use imp::{open_link, qr_png};

#[cfg(feature = "ssr")]
mod imp {
    use super::*;
    use crate::access::{Permission, Target, require};
    use crate::audit::Action;
    use crate::audit::repo::{Event, record};
    use crate::auth::guard::{self, Principal, RequestMeta};
    use crate::codes::{CodeRequest, Destination, Purpose};
    use crate::domain::{Email, ErrorCode, Mobile};
    use crate::error::{Code, FieldErrors};
    use crate::server::state::{AppState, app_state};
    use axum::extract::{Path, State};
    use axum::response::{IntoResponse, Response};
    use serde_json::json;
    use sqlx::PgConnection;
    use tower_sessions::Session;
    use uuid::Uuid;

    const SESSION_KEY: &str = "join_org";
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
        super::super::api::imp::issue_one(&mut tx, &sender, &meta, org, &invitee, &[], false)
            .await?;
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

    /// `GET /join/org/{token}`: keeps a live organisation link in the
    /// session and sends the browser on to `/join/request`.
    pub async fn open_link(
        State(state): State<AppState>,
        session: Session,
        Path(token): Path<String>,
    ) -> Response {
        if super::super::repo::well_formed(&token) {
            let hash = super::super::repo::hash(&token);
            let known = sqlx::query_scalar!(
                "SELECT org_id FROM join_links WHERE token_hash = $1",
                &hash[..]
            )
            .fetch_optional(&state.db)
            .await
            .ok()
            .flatten()
            .is_some();
            if known && session.insert(SESSION_KEY, hash.to_vec()).await.is_err() {
                return http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            if !known {
                // Not an earlier organisation's form under this one's link.
                let _ = session.remove::<Vec<u8>>(SESSION_KEY).await;
            }
        } else {
            let _ = session.remove::<Vec<u8>>(SESSION_KEY).await;
        }
        (
            http::StatusCode::SEE_OTHER,
            [
                (http::header::LOCATION, "/join/request"),
                (http::header::CACHE_CONTROL, "no-store"),
            ],
        )
            .into_response()
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
}
