//! What every sign-in step shares: throttles, audit rows and where to go next.
use super::super::guard::RequestMeta;
use super::super::repo::Account;
use super::super::throttle::{self, Key, ThrottleError};
use super::super::{AccountKind, Stage};
use super::*;
use crate::audit::repo::{Event, record};
use crate::error::Code;
use sqlx::PgConnection;

pub(super) fn parse_kind(kind: &str) -> Result<AccountKind, AppError> {
    AccountKind::parse(kind).ok_or_else(|| AppError::field("kind", Code::ValidationChoice))
}

/// An audit row for something an account did to itself.
pub(super) async fn record_own(
    tx: &mut PgConnection,
    meta: &RequestMeta,
    account: &Account,
    action: crate::audit::Action,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let event = Event::new(action)
        .org(account.org_id)
        .target_account(account.id)
        .details(details);
    record(
        tx,
        &meta.actor(Some(account.id), account.kind.as_str()),
        &event,
    )
    .await
}

/// Refuses the attempt while any of `keys` is throttled.
pub(super) async fn check_throttle(
    conn: &mut PgConnection,
    keys: &[Key<'_>],
) -> Result<(), AppError> {
    for key in keys {
        match throttle::check(conn, key).await {
            Ok(()) => {}
            Err(ThrottleError::Throttled(t)) if t.locked => {
                return Err(AppError::locked(t.retry_after_secs));
            }
            Err(ThrottleError::Throttled(t)) => {
                return Err(AppError::too_many_requests(Some(t.retry_after_secs)));
            }
            Err(ThrottleError::Database(e)) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Counts an attempt on `key` before it is checked; refuses it while locked or delayed.
pub(crate) async fn begin_attempt(
    conn: &mut PgConnection,
    key: &Key<'_>,
    rule: &super::super::settings::ThrottleRule,
) -> Result<throttle::Failure, AppError> {
    match throttle::begin_attempt(conn, key, rule).await {
        Ok(f) => Ok(f),
        Err(ThrottleError::Throttled(t)) if t.locked => Err(AppError::locked(t.retry_after_secs)),
        Err(ThrottleError::Throttled(t)) => {
            Err(AppError::too_many_requests(Some(t.retry_after_secs)))
        }
        Err(ThrottleError::Database(e)) => Err(e.into()),
    }
}

pub(super) fn redirect_to(path: &str) {
    leptos_axum::redirect(path);
}

pub(super) fn next(stage: Stage, kind: AccountKind, administrator: bool) -> NextStep {
    NextStep {
        stage,
        path: stage.next_path(kind, administrator).to_owned(),
    }
}

/// `next` if it is a path inside the area of `kind` (never another site).
pub(super) fn safe_next(kind: AccountKind, next: &str) -> Option<String> {
    let ok_prefix = match kind {
        AccountKind::Member => &["/admin", "/account", "/me"][..],
        AccountKind::Operator => &["/operator", "/account"][..],
    };
    let path_only = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains("://");
    (path_only
        && ok_prefix.iter().any(|p| {
            next == *p || next.starts_with(&format!("{p}/")) || next.starts_with(&format!("{p}?"))
        }))
    .then(|| next.to_owned())
}

/// Where a signed-in account lands: its security page first when its
/// organisation asks for a new password.
pub(super) fn landing_of(
    account: &super::super::repo::Account,
    stage: Stage,
    next: Option<&str>,
) -> NextStep {
    if stage == Stage::SignedIn && account.password_expired() {
        return NextStep {
            stage,
            path: "/account/security".to_owned(),
        };
    }
    match (stage, next) {
        (Stage::SignedIn, Some(path)) => NextStep {
            stage,
            path: path.to_owned(),
        },
        _ => self::next(stage, account.kind, account.is_administrator()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_inside_the_accounts_area() {
        let m = AccountKind::Member;
        assert_eq!(
            safe_next(m, "/admin/audit").as_deref(),
            Some("/admin/audit")
        );
        assert_eq!(safe_next(m, "/admin").as_deref(), Some("/admin"));
        assert_eq!(
            safe_next(m, "/admin?before=3").as_deref(),
            Some("/admin?before=3")
        );
        assert_eq!(
            safe_next(m, "/account/security").as_deref(),
            Some("/account/security")
        );
        for bad in [
            "",
            "//evil.example/admin",
            "https://evil.example/admin",
            "/administrator",
            "/operator",
            "/\\evil.example",
            "admin",
        ] {
            assert_eq!(safe_next(m, bad), None, "{bad}");
        }
        assert_eq!(
            safe_next(AccountKind::Operator, "/operator/audit").as_deref(),
            Some("/operator/audit")
        );
        assert_eq!(safe_next(AccountKind::Operator, "/admin"), None);
    }
}
