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
    #[server(default)] password_min_length: i32,
    #[server(default)] password_expiry_days: i32,
    #[server(default)] session_idle_minutes: i32,
    #[server(default)] session_absolute_hours: i32,
    #[server(default)] join_link: String,
    version: i32,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    let wanted = SecuritySettings {
        two_factor_admins,
        two_factor_everyone,
        password_min_length,
        password_expiry_days,
        session_idle_minutes,
        session_absolute_hours,
        join_link,
        version,
        server_idle_minutes: 0,
        server_absolute_hours: 0,
    };
    imp::save(wanted, password, code).await
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
                      join_link, security_version
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
            version: r.security_version,
            server_idle_minutes: idle,
            server_absolute_hours: absolute,
        })
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
                      join_link = $8, security_version = security_version + 1
                WHERE id = $1"#,
            org,
            wanted.two_factor_admins,
            wanted.two_factor_everyone,
            none_if_zero(wanted.password_min_length).map(|v| v as i16),
            none_if_zero(wanted.password_expiry_days).map(|v| v as i16),
            none_if_zero(wanted.session_idle_minutes),
            none_if_zero(wanted.session_absolute_hours),
            wanted.join_link
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
