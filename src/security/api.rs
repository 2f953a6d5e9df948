//! Reading and changing the organisation's security settings.
#![allow(clippy::too_many_arguments)]
use super::SecuritySettings;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "security_settings")]
pub async fn load_security_settings() -> Result<SecuritySettings, AppError> {
    imp::load().await
}

/// Saves the settings (`version` as loaded), signed with the caller's
/// password and code; 0 in a number means the default.
#[server(prefix = "/api", endpoint = "security_settings_save")]
pub async fn save_security_settings(
    #[server(default)] two_factor_admins: bool,
    #[server(default)] two_factor_everyone: bool,
    #[server(default)] password_min_length: String,
    #[server(default)] password_expiry_days: String,
    #[server(default)] session_idle_minutes: String,
    #[server(default)] session_absolute_hours: String,
    #[server(default)] join_link: String,
    #[server(default)] audit_retention_days: String,
    #[server(default)] invitation_days: String,
    #[server(default)] invitation_reminders: bool,
    #[server(default)] directory_hides_contacts: bool,
    version: i32,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    // Numbers as typed: empty is the default (0); what is not a whole
    // number is out of every range, and reported with the rest.
    let number = |raw: &str| match raw.trim() {
        "" => 0,
        raw => raw.parse::<i32>().unwrap_or(-1),
    };
    let password_min_length = number(&password_min_length);
    let password_expiry_days = number(&password_expiry_days);
    let session_idle_minutes = number(&session_idle_minutes);
    let session_absolute_hours = number(&session_absolute_hours);
    let audit_retention_days = match number(&audit_retention_days) {
        0 => *super::AUDIT_RETENTION_DAYS.start(),
        n => n,
    };
    let wanted = SecuritySettings {
        two_factor_admins,
        two_factor_everyone,
        password_min_length,
        password_expiry_days,
        session_idle_minutes,
        session_absolute_hours,
        join_link,
        audit_retention_days,
        invitation_days: match number(&invitation_days) {
            0 => 7,
            n => n,
        },
        invitation_reminders,
        directory_hides_contacts,
        version,
        server_idle_minutes: 0,
        server_absolute_hours: 0,
    };
    imp::save(wanted, password, code).await
}

/// A member's sessions that still work (administrators with the security
/// permission over the person).
#[server(prefix = "/api", endpoint = "member_sessions")]
pub async fn member_sessions(person: String) -> Result<Vec<crate::auth::SessionInfo>, AppError> {
    imp::member_sessions(person).await
}

/// Ends one session of a member (`id`), or every one (`id` blank).
#[server(prefix = "/api", endpoint = "end_member_sessions")]
pub async fn end_member_sessions(
    person: String,
    #[server(default)] id: String,
) -> Result<(), AppError> {
    imp::end_member_sessions(person, id).await
}

/// What the security check-up finds in the caller's organisation.
#[server(prefix = "/api", endpoint = "security_checkup")]
pub async fn security_checkup() -> Result<super::Checkup, AppError> {
    imp::checkup().await
}

/// Applies a check-up's fix: `remind_second_factor` (administrators
/// without it are asked by email or SMS, at most once a day each),
/// `end_departed_sessions` or `end_stale_sessions`. Returns how many
/// people it reached.
#[server(prefix = "/api", endpoint = "security_checkup_fix")]
pub async fn fix_checkup(fix: String) -> Result<i64, AppError> {
    imp::fix(fix).await
}

#[cfg(feature = "ssr")]
mod imp {
    use super::super::{EXPIRY_DAYS, MAX_MIN_LENGTH, MIN_IDLE_MINUTES};
    use super::*;
    use crate::access::{Permission, Target, require};
    use crate::audit::repo::{Event, record};
    use crate::auth::guard::RequestMeta;
    use crate::error::{Code, FieldErrors};
    use crate::server::state::{AppState, app_state};
    use serde_json::json;
    use uuid::Uuid;

    fn bounds(state: &AppState) -> (i32, i32) {
        let idle = (state.auth.session_idle.as_secs() / 60).max(1) as i32;
        let absolute = (state.auth.session_absolute.as_secs() / 3600).max(1) as i32;
        (idle, absolute)
    }

    async fn read(
        db: impl sqlx::PgExecutor<'_>,
        org: Uuid,
        state: &AppState,
    ) -> Result<SecuritySettings, AppError> {
        let r = sqlx::query!(
            r#"SELECT enforce_two_factor, two_factor_for_everyone, password_min_length,
                      password_expiry_days, session_idle_minutes, session_absolute_hours,
                      join_link, security_version, audit_retention_days, invitation_days,
                      invitation_reminders, directory_hides_contacts
                 FROM organisations WHERE id = $1"#,
            org
        )
        .fetch_one(db)
        .await?;
        let (idle, absolute) = bounds(state);
        Ok(SecuritySettings {
            two_factor_admins: r.enforce_two_factor,
            two_factor_everyone: r.two_factor_for_everyone,
            password_min_length: r.password_min_length.map(i32::from).unwrap_or(0),
            password_expiry_days: r.password_expiry_days.map(i32::from).unwrap_or(0),
            session_idle_minutes: r.session_idle_minutes.unwrap_or(0),
            session_absolute_hours: r.session_absolute_hours.unwrap_or(0),
            join_link: r.join_link,
            audit_retention_days: r.audit_retention_days,
            invitation_days: r.invitation_days,
            invitation_reminders: r.invitation_reminders,
            directory_hides_contacts: r.directory_hides_contacts,
            version: r.security_version,
            server_idle_minutes: idle,
            server_absolute_hours: absolute,
        })
    }

    /// The member an administrator acts on: in their scope, and an
    /// administrator only when the caller is a super administrator.
    async fn member(
        raw: &str,
    ) -> Result<(crate::access::Access, crate::auth::repo::Account), AppError> {
        let access = require(Permission::SecuritySettings, Target::InScope).await?;
        let person = Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found())?;
        access.check(Target::Person(person)).await?;
        let state = app_state()?;
        let account = crate::auth::repo::find_by_id(&state.db, person)
            .await?
            .filter(|a| a.org_id == Some(access.org))
            .ok_or_else(AppError::not_found)?;
        if account.is_administrator()
            && !access.is_super_admin()
            && account.id != access.principal.id()
        {
            return Err(AppError::forbidden());
        }
        Ok((access, account))
    }

    pub async fn member_sessions(raw: String) -> Result<Vec<crate::auth::SessionInfo>, AppError> {
        let (access, account) = member(&raw).await?;
        let state = app_state()?;
        let current = (account.id == access.principal.id())
            .then_some(access.principal.auth.sid)
            .flatten();
        crate::auth::api::sessions_of(&state, &account, current).await
    }

    pub async fn end_member_sessions(raw: String, id: String) -> Result<(), AppError> {
        let (access, account) = member(&raw).await?;
        let one = match id.trim() {
            "" => None,
            raw => Some(Uuid::parse_str(raw).map_err(|_| AppError::not_found())?),
        };
        let state = app_state()?;
        let meta = RequestMeta::current();
        let mut tx = state.db.begin().await?;
        let mut carried = None;
        match one {
            Some(sid) => {
                if Some(sid) == access.principal.auth.sid {
                    return Err(AppError::field("id", Code::SessionCurrent));
                }
                if !crate::auth::devices::end(&mut *tx, account.id, sid).await? {
                    return Err(AppError::not_found());
                }
            }
            None => {
                let epoch = crate::auth::repo::bump_epoch(&mut tx, account.id).await?;
                if account.id == access.principal.id() {
                    // Their own: every other session ends, this one goes on.
                    let sid = access.principal.auth.sid;
                    crate::auth::devices::carry(&mut *tx, sid, epoch).await?;
                    carried = Some(epoch);
                }
            }
        }
        record(
            &mut tx,
            &meta.actor(Some(access.principal.id()), "member"),
            &Event::new(crate::audit::Action::SessionsEndedByAdministrator)
                .org(Some(access.org))
                .target_account(account.id)
                .details(json!({ "sessions": if one.is_some() { "one" } else { "all" } })),
        )
        .await?;
        tx.commit().await?;
        if let Some(epoch) = carried {
            let session = crate::auth::guard::session().await?;
            crate::auth::session::set_epoch(&session, access.principal.auth.clone(), epoch)
                .await
                .map_err(AppError::from)?;
        }
        Ok(())
    }

    pub async fn checkup() -> Result<super::super::Checkup, AppError> {
        let access = require(Permission::SecuritySettings, Target::Organisation).await?;
        let state = app_state()?;
        let zone = crate::organisations::time_zone(&state.db, access.org).await?;
        let settings = read(&state.db, access.org, &state).await?;
        let absolute = match settings.session_absolute_hours {
            0 => state.auth.session_absolute,
            h => std::time::Duration::from_secs(h as u64 * 3600).min(state.auth.session_absolute),
        };
        Ok(super::super::checkup::run(&state.db, access.org, absolute, zone).await?)
    }

    pub async fn fix(fix: String) -> Result<i64, AppError> {
        let access = require(Permission::SecuritySettings, Target::Organisation).await?;
        let state = app_state()?;
        let meta = RequestMeta::current();
        let org = access.org;
        let settings = read(&state.db, org, &state).await?;
        let absolute = match settings.session_absolute_hours {
            0 => state.auth.session_absolute,
            h => std::time::Duration::from_secs(h as u64 * 3600).min(state.auth.session_absolute),
        };
        let mut tx = state.db.begin().await?;
        let reached: i64 = match fix.trim() {
            "remind_second_factor" => {
                let organisation = access
                    .principal
                    .account
                    .org_name
                    .clone()
                    .unwrap_or_default();
                let rows = sqlx::query!(
                    r#"SELECT a.email, a.mobile FROM accounts a
                        WHERE a.org_id = $1 AND a.kind = 'member' AND a.status = 'active'
                          AND a.totp_enabled_at IS NULL
                          AND (a.role = 'super_admin'
                               OR EXISTS (SELECT 1 FROM admin_group_members m WHERE m.account_id = a.id))
                          AND NOT EXISTS (
                                SELECT 1 FROM outbox o
                                 WHERE o.org_id = a.org_id AND o.template = 'second_factor_reminder'
                                   AND o.recipient IN (coalesce(a.email, ''), coalesce(a.mobile, ''))
                                   AND o.created_at > now() - interval '1 day')
                        LIMIT 1000"#,
                    org
                )
                .fetch_all(&mut *tx)
                .await?;
                let sealer = state.codes.outbox_sealer().clone();
                let mut n = 0;
                for r in rows {
                    let (channel, recipient) = match (r.email, r.mobile) {
                        (Some(e), _) => (crate::notify::Channel::Email, e),
                        (None, Some(m)) => (crate::notify::Channel::Sms, m),
                        (None, None) => continue,
                    };
                    let message = crate::notify::NewMessage {
                        org_id: Some(org),
                        channel,
                        recipient,
                        locale: meta.locale.to_owned(),
                        template: crate::notify::Template::SecondFactorReminder {
                            organisation: organisation.clone(),
                        },
                        valid_for: None,
                    };
                    crate::notify::enqueue(&mut tx, &sealer, &message, state.outbox_max_attempts)
                        .await?;
                    n += 1;
                }
                n
            }
            "end_departed_sessions" => sqlx::query!(
                r#"UPDATE accounts a SET session_epoch = session_epoch + 1
                    WHERE a.org_id = $1 AND a.status = 'departed'
                      AND EXISTS (SELECT 1 FROM account_sessions s
                                   WHERE s.account_id = a.id AND s.ended_at IS NULL
                                     AND s.epoch = a.session_epoch)"#,
                org
            )
            .execute(&mut *tx)
            .await?
            .rows_affected() as i64,
            "end_stale_sessions" => sqlx::query!(
                r#"UPDATE account_sessions s SET ended_at = now()
                     FROM accounts a
                    WHERE a.id = s.account_id AND a.org_id = $1 AND s.ended_at IS NULL
                      AND s.started_at <= now() - make_interval(secs => $2)"#,
                org,
                absolute.as_secs_f64()
            )
            .execute(&mut *tx)
            .await?
            .rows_affected() as i64,
            _ => return Err(AppError::field("fix", Code::ValidationChoice)),
        };
        record(
            &mut tx,
            &meta.actor(Some(access.principal.id()), "member"),
            &Event::new(crate::audit::Action::SecurityCheckupFixed)
                .org(Some(org))
                .target("organisation", org.to_string())
                .details(json!({ "fix": fix.trim(), "reached": reached })),
        )
        .await?;
        tx.commit().await?;
        Ok(reached)
    }

    pub async fn load() -> Result<SecuritySettings, AppError> {
        let access = require(Permission::SecuritySettings, Target::Organisation).await?;
        let state = app_state()?;
        read(&state.db, access.org, &state).await
    }

    /// Every value checked against its range, every field reported at once.
    fn check(w: &SecuritySettings, idle: i32, absolute: i32) -> Result<(), AppError> {
        let mut errors = FieldErrors::new();
        let mut within = |field: &'static str, v: i32, ok: bool| {
            if v != 0 && !ok {
                errors.push(field, Code::SecurityOutOfBounds);
            }
        };
        within(
            "password_min_length",
            w.password_min_length,
            (8..=MAX_MIN_LENGTH).contains(&w.password_min_length),
        );
        within(
            "password_expiry_days",
            w.password_expiry_days,
            EXPIRY_DAYS.contains(&w.password_expiry_days),
        );
        within(
            "session_idle_minutes",
            w.session_idle_minutes,
            (MIN_IDLE_MINUTES..=idle).contains(&w.session_idle_minutes),
        );
        within(
            "session_absolute_hours",
            w.session_absolute_hours,
            (1..=absolute).contains(&w.session_absolute_hours),
        );
        within(
            "audit_retention_days",
            w.audit_retention_days,
            super::super::AUDIT_RETENTION_DAYS.contains(&w.audit_retention_days),
        );
        within(
            "invitation_days",
            w.invitation_days,
            super::super::INVITATION_DAYS.contains(&w.invitation_days),
        );
        if !matches!(w.join_link.as_str(), "off" | "approval") {
            errors.push("join_link", Code::ValidationChoice);
        }
        errors.finish()
    }

    /// The settings as the audit log keeps them.
    fn record_of(s: &SecuritySettings) -> serde_json::Value {
        json!({
            "two_factor_admins": s.two_factor_admins,
            "two_factor_everyone": s.two_factor_everyone,
            "password_min_length": s.password_min_length,
            "password_expiry_days": s.password_expiry_days,
            "session_idle_minutes": s.session_idle_minutes,
            "session_absolute_hours": s.session_absolute_hours,
            "join_link": s.join_link,
            "audit_retention_days": s.audit_retention_days,
            "invitation_days": s.invitation_days,
            "invitation_reminders": s.invitation_reminders,
            "directory_hides_contacts": s.directory_hides_contacts,
        })
    }

    pub async fn save(
        wanted: SecuritySettings,
        password: String,
        code: String,
    ) -> Result<(), AppError> {
        let access = require(Permission::SecuritySettings, Target::Organisation).await?;
        let state = app_state()?;
        let (idle, absolute) = bounds(&state);
        check(&wanted, idle, absolute)?;
        let meta = RequestMeta::current();
        crate::auth::api::reauthenticate(&state, &meta, &access.principal, &password, &code)
            .await?;
        let org = access.org;
        let mut tx = state.db.begin().await?;
        sqlx::query!("SELECT id FROM organisations WHERE id = $1 FOR UPDATE", org)
            .fetch_one(&mut *tx)
            .await?;
        let before = read(&mut *tx, org, &state).await?;
        if before.version != wanted.version {
            return Err(AppError::conflict());
        }
        let none_if_zero = |v: i32| (v != 0).then_some(v);
        sqlx::query!(
            r#"UPDATE organisations
                  SET enforce_two_factor = $2, two_factor_for_everyone = $3,
                      password_min_length = $4, password_expiry_days = $5,
                      session_idle_minutes = $6, session_absolute_hours = $7,
                      join_link = $8,
                      -- A shorter retention waits 30 days: the longer one holds until then.
                      audit_retention_held_days = CASE WHEN $9 < audit_retention_days
                          THEN greatest(audit_retention_days, CASE WHEN audit_retention_held_until > now()
                                                                   THEN audit_retention_held_days END)
                          ELSE audit_retention_held_days END,
                      audit_retention_held_until = CASE WHEN $9 < audit_retention_days
                          THEN now() + interval '30 days' ELSE audit_retention_held_until END,
                      audit_retention_days = $9,
                      invitation_days = $10, invitation_reminders = $11,
                      directory_hides_contacts = $12,
                      security_version = security_version + 1
                WHERE id = $1"#,
            org,
            wanted.two_factor_admins,
            wanted.two_factor_everyone,
            none_if_zero(wanted.password_min_length).map(|v| v as i16),
            none_if_zero(wanted.password_expiry_days).map(|v| v as i16),
            none_if_zero(wanted.session_idle_minutes),
            none_if_zero(wanted.session_absolute_hours),
            wanted.join_link,
            wanted.audit_retention_days,
            wanted.invitation_days,
            wanted.invitation_reminders,
            wanted.directory_hides_contacts
        )
        .execute(&mut *tx)
        .await?;
        let (b, a) =
            crate::contacts::repo::members::changed(&record_of(&before), &record_of(&wanted));
        if a.as_object().is_some_and(|o| !o.is_empty()) {
            record(
                &mut tx,
                &meta.actor(Some(access.principal.id()), "member"),
                &Event::new(crate::audit::Action::SecuritySettingsChanged)
                    .org(Some(org))
                    .target("organisation", org.to_string())
                    .details(json!({ "before": b, "after": a })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
