//! The one check every server function and protected page goes through:
//! who is calling, from which organisation, at which sign-in stage.
use super::repo::{self, Account};
use super::session::{AUTH_KEY, AuthSession, unix_now};
use super::{AccountKind, CurrentAccount, Stage};
use crate::audit::repo::Actor;
use crate::error::AppError;
use crate::server::state::{AppState, app_state};
use std::net::{IpAddr, SocketAddr};
use tower_sessions::Session;
use uuid::Uuid;

/// The caller of a request: the account and its session.
#[derive(Debug, Clone)]
pub struct Principal {
    pub account: Account,
    pub auth: AuthSession,
}

impl Principal {
    pub fn id(&self) -> Uuid {
        self.account.id
    }

    pub fn org_id(&self) -> Option<Uuid> {
        self.account.org_id
    }

    pub fn current(&self) -> CurrentAccount {
        let a = &self.account;
        CurrentAccount {
            id: a.id.to_string(),
            kind: a.kind,
            name: a.name.clone(),
            email: a.email.clone(),
            mobile: a.mobile.clone(),
            org_id: a.org_id.map(|id| id.to_string()),
            org_name: a.org_name.clone(),
            role: a.role.clone(),
            stage: self.auth.stage,
            totp_enabled: a.totp_enabled,
            password_expired: a.password_expired(),
            password_min_chars: a.password_min_chars(),
            administrator: a.is_administrator(),
        }
    }
}

/// Where a request comes from, for throttling and the audit log.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// `en` or `zh-CN`: the chosen language, else the browser's, for messages we send.
    pub locale: &'static str,
}

impl Default for RequestMeta {
    fn default() -> Self {
        RequestMeta {
            ip: None,
            user_agent: None,
            locale: "en",
        }
    }
}

impl RequestMeta {
    pub fn from_parts(parts: &http::request::Parts) -> Self {
        // As judged from the peer and, behind trusted proxies, their headers
        // (`server::proxy`); the bare peer when the judgement is missing.
        let ip = parts
            .extensions
            .get::<crate::server::proxy::ClientAddress>()
            .map(|c| c.ip)
            .or_else(|| {
                parts
                    .extensions
                    .get::<axum::extract::ConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip())
            });
        let user_agent = parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        RequestMeta {
            ip,
            user_agent,
            locale: request_locale(&parts.headers),
        }
    }

    /// From inside a server function.
    pub fn current() -> Self {
        leptos::prelude::use_context::<http::request::Parts>()
            .map(|p| Self::from_parts(&p))
            .unwrap_or_default()
    }

    pub fn actor(&self, id: Option<Uuid>, kind: &'static str) -> Actor {
        Actor {
            id,
            kind,
            ip: self.ip,
            user_agent: self.user_agent.clone(),
        }
    }
}

fn request_locale(headers: &http::HeaderMap) -> &'static str {
    let cookie_choice = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == crate::locale::LOCALE_COOKIE)
        .map(|(_, value)| value.trim());
    match cookie_choice {
        Some("zh-CN") => "zh-CN",
        Some("en") => "en",
        _ => {
            let accept = headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if accept.trim_start().to_ascii_lowercase().starts_with("zh") {
                "zh-CN"
            } else {
                "en"
            }
        }
    }
}

/// The session of the current request (from inside a server function or page).
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| AppError::internal(format!("session layer missing: {e:?}")))
}

/// Reads and checks the session: timeouts, the account's status and epoch.
/// A session that fails any check is ended. `None` means not signed in.
pub async fn authenticate(
    state: &AppState,
    session: &Session,
) -> Result<Option<Principal>, AppError> {
    let Some(auth) = session
        .get::<AuthSession>(AUTH_KEY)
        .await
        .map_err(AppError::from)?
    else {
        return Ok(None);
    };
    let settings = &state.auth;
    let now = unix_now();
    let idle = settings.session_idle.as_secs() as i64;
    let absolute = settings.session_absolute.as_secs() as i64;
    if now - auth.signed_in_at >= absolute || now - auth.last_seen >= idle {
        end_row(state, &auth).await?;
        session.flush().await.map_err(AppError::from)?;
        return Ok(None);
    }
    let account = match repo::find_by_id(&state.db, auth.account_id).await? {
        Some(a) if a.is_active() && a.session_epoch == auth.epoch && a.kind == auth.kind => a,
        _ => {
            session.flush().await.map_err(AppError::from)?;
            return Ok(None);
        }
    };
    // The organisation may keep sessions shorter than the server does.
    let policy = &account.policy;
    let org_idle = policy.session_idle_minutes.map(|m| i64::from(m) * 60);
    let org_absolute = policy.session_absolute_hours.map(|h| i64::from(h) * 3600);
    let idle = org_idle.map_or(idle, |o| o.min(idle));
    if org_absolute.is_some_and(|a| now - auth.signed_in_at >= a) || now - auth.last_seen >= idle {
        end_row(state, &auth).await?;
        session.flush().await.map_err(AppError::from)?;
        return Ok(None);
    }
    // Two-step verification required since this session began (the
    // organisation turned it on): enrol before anything else.
    // Turned off again: the session goes on as a fresh sign-in would.
    let mut auth = auth;
    let required = account.two_factor_required() && !account.totp_enabled;
    let stage = match auth.stage {
        Stage::SignedIn if required => Stage::MustEnrol,
        Stage::MustEnrol if !account.two_factor_required() => Stage::SignedIn,
        stage => stage,
    };
    if stage != auth.stage {
        auth.stage = stage;
        session
            .insert(AUTH_KEY, auth.clone())
            .await
            .map_err(AppError::from)?;
    }
    // Ended from the list of sessions (by its owner or an administrator).
    if let Some(sid) = auth.sid
        && super::devices::ended(&state.db, sid).await?
    {
        session.flush().await.map_err(AppError::from)?;
        return Ok(None);
    }
    // Activity moves the idle deadline; writing at most every minute (or
    // quarter of the idle time) keeps reads from turning into writes.
    let touch_every = (idle / 4).clamp(1, 60);
    if now - auth.last_seen >= touch_every {
        auth.last_seen = now;
        session
            .insert(AUTH_KEY, auth.clone())
            .await
            .map_err(AppError::from)?;
        if let Some(sid) = auth.sid {
            super::devices::touch(&state.db, sid).await?;
        }
    }
    Ok(Some(Principal { account, auth }))
}

/// Closes the row of a session that timed out, so lists show only sessions
/// that work.
async fn end_row(state: &AppState, auth: &AuthSession) -> Result<(), AppError> {
    if let Some(sid) = auth.sid {
        super::devices::end(&state.db, auth.account_id, sid).await?;
    }
    Ok(())
}

/// The caller at any stage, or `None` when not signed in.
pub async fn current() -> Result<Option<Principal>, AppError> {
    // A page request already checked by `page_guard` carries its caller.
    let checked = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Principal>().cloned());
    if let Some(p) = checked {
        return Ok(Some(p));
    }
    let state = app_state()?;
    let session = session().await?;
    authenticate(&state, &session).await
}

/// The caller, at one of the `allowed` stages, or 401.
pub async fn require_stage(allowed: &[Stage]) -> Result<Principal, AppError> {
    match current().await? {
        Some(p) if allowed.contains(&p.auth.stage) => Ok(p),
        _ => Err(AppError::unauthenticated()),
    }
}

/// A fully signed-in caller.
pub async fn require_signed_in() -> Result<Principal, AppError> {
    require_stage(&[Stage::SignedIn]).await
}

/// A fully signed-in member of an organisation, or 401/403.
pub async fn require_member() -> Result<(Principal, Uuid), AppError> {
    let p = require_signed_in().await?;
    match (p.account.kind, p.account.org_id) {
        (AccountKind::Member, Some(org)) => Ok((p, org)),
        _ => Err(AppError::forbidden()),
    }
}

/// Page guard (axum middleware) for `/admin`, `/operator` and `/account`:
/// sends visitors who are not signed in to the right sign-in page, and
/// half-signed-in sessions to the step they are at.
pub async fn page_guard(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::{IntoResponse, Redirect};
    let path = req.uri().path().to_owned();
    if matches!(path.as_str(), "/login" | "/operator/login")
        && let Some(session) = req.extensions().get::<Session>().cloned()
        && let Ok(Some(p)) = authenticate(&state, &session).await
        && p.auth.stage == Stage::SignedIn
    {
        // Already signed in: the sign-in form has nothing to offer.
        return Redirect::to(p.account.home()).into_response();
    }
    let Some(area) = protected_area(&path) else {
        return next.run(req).await;
    };
    let mut req = req;
    let Some(session) = req.extensions().get::<Session>().cloned() else {
        return next.run(req).await;
    };
    let principal = match authenticate(&state, &session).await {
        Ok(p) => p,
        Err(_) => return http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let target = match (&principal, area) {
        (None, Area::Operator) => Some(AccountKind::Operator.login_path().to_owned()),
        (None, _) => Some(format!("/login?next={}", url_encode(&path))),
        (Some(p), area) => {
            let stage_path = p
                .auth
                .stage
                .next_path(p.account.kind, p.account.is_administrator());
            match p.auth.stage {
                Stage::SecondFactor => Some(stage_path.to_owned()),
                Stage::MustEnrol if area != Area::Account => Some(stage_path.to_owned()),
                Stage::MustEnrol => None,
                Stage::SignedIn => match (area, p.account.kind) {
                    (Area::Admin | Area::Me, AccountKind::Operator) => Some("/operator".to_owned()),
                    (Area::Operator, AccountKind::Member) => Some(p.account.home().to_owned()),
                    // A member who administers nothing has no console.
                    (Area::Admin, AccountKind::Member) if !p.account.is_administrator() => {
                        Some("/me".to_owned())
                    }
                    // The organisation asks for a new password first.
                    (Area::Admin | Area::Me, _) if p.account.password_expired() => {
                        Some("/account/security".to_owned())
                    }
                    _ => None,
                },
            }
        }
    };
    match target {
        Some(to) => Redirect::to(&to).into_response(),
        None => {
            // The page's own server calls reuse this check instead of repeating it.
            if let Some(p) = principal {
                req.extensions_mut().insert(p);
            }
            next.run(req).await
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Admin,
    /// A member's own home.
    Me,
    Operator,
    Account,
}

fn protected_area(path: &str) -> Option<Area> {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("/operator/login") {
        None
    } else if under("/admin") {
        Some(Area::Admin)
    } else if under("/me") {
        Some(Area::Me)
    } else if under("/operator") {
        Some(Area::Operator)
    } else if under("/account") {
        Some(Area::Account)
    } else {
        None
    }
}

fn url_encode(path: &str) -> String {
    url::form_urlencoded::byte_serialize(path.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_areas() {
        assert_eq!(protected_area("/admin"), Some(Area::Admin));
        assert_eq!(protected_area("/admin/audit"), Some(Area::Admin));
        assert_eq!(protected_area("/administrator"), None);
        assert_eq!(protected_area("/me"), Some(Area::Me));
        assert_eq!(protected_area("/me/directory"), Some(Area::Me));
        assert_eq!(protected_area("/meet"), None);
        assert_eq!(protected_area("/operator"), Some(Area::Operator));
        assert_eq!(protected_area("/operator/login"), None);
        assert_eq!(protected_area("/account/security"), Some(Area::Account));
        assert_eq!(protected_area("/login"), None);
        assert_eq!(protected_area("/"), None);
    }
}
