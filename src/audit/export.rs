//! The audit log as a file: the rows the reader's filters select, newest
//! first, as CSV or XLSX (`/admin/audit/export`, `/operator/audit/export`).
//! Plain GET handlers behind the page guard, which has found the caller;
//! each export is itself audited with its row count.
use super::repo::{self, Actor, Event, Filter};
use super::{Action, AuditEntry, AuditQuery};
use crate::access::{Permission, Target, require_of};
use crate::auth::guard::{Principal, RequestMeta};
use crate::auth::{AccountKind, Stage};
use crate::error::AppError;
use crate::i18n::*;
use crate::server::sheet::{Format, MAX_ROWS, Sheet};
use crate::server::state::AppState;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// `/admin/audit/export?format=csv|xlsx&<filters>`: one organisation's rows.
pub async fn admin_export(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
    Query(params): Query<HashMap<String, String>>,
    parts: axum::http::request::Parts,
) -> Response {
    let Some(axum::Extension(p)) = principal else {
        return refused(AppError::unauthenticated());
    };
    let (Some(org), AccountKind::Member, Stage::SignedIn) =
        (p.account.org_id, p.account.kind, p.auth.stage)
    else {
        return refused(AppError::forbidden());
    };
    let actor_id = p.id();
    if let Err(e) = require_of(
        &state.db,
        p,
        org,
        Permission::ViewAuditLog,
        Target::Organisation,
    )
    .await
    {
        return refused(e);
    }
    let zone = match crate::organisations::time_zone(&state.db, org).await {
        Ok(zone) => zone,
        Err(e) => return refused(e.into()),
    };
    let meta = RequestMeta::from_parts(&parts);
    export(
        &state,
        Some(org),
        zone,
        &params,
        meta.actor(Some(actor_id), "member"),
        meta.locale,
    )
    .await
}

/// `/operator/audit/export?format=csv|xlsx&<filters>`: the platform's rows.
pub async fn operator_export(
    State(state): State<AppState>,
    principal: Option<axum::Extension<Principal>>,
    Query(params): Query<HashMap<String, String>>,
    parts: axum::http::request::Parts,
) -> Response {
    match principal {
        Some(axum::Extension(p))
            if p.account.kind == AccountKind::Operator && p.auth.stage == Stage::SignedIn =>
        {
            let meta = RequestMeta::from_parts(&parts);
            let zone = state.time_zone;
            export(
                &state,
                None,
                zone,
                &params,
                meta.actor(Some(p.id()), "operator"),
                meta.locale,
            )
            .await
        }
        Some(_) => refused(AppError::forbidden()),
        None => refused(AppError::unauthenticated()),
    }
}

pub(crate) fn refused(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_server_error() {
        tracing::error!(error = %e, "audit export failed");
    }
    // A link followed, not a form sent: a short page says what is wrong, in
    // both languages (a wrong field names its own reason).
    let code = match &e {
        AppError::Validation { fields } => fields.first().map_or(e.code(), |f| f.code),
        _ => e.code(),
    };
    let text = format!("{}\n{}\n", code.text(Locale::zh_CN), code.text(Locale::en));
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// Exports built at once by this instance; more wait their turn a moment,
/// then are turned away (each can hold 100,000 rows in memory).
static EXPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

async fn export(
    state: &AppState,
    org: Option<uuid::Uuid>,
    zone: crate::server::time::Tz,
    params: &HashMap<String, String>,
    actor: Actor,
    locale: &str,
) -> Response {
    let Some(format) = Format::parse(params.get("format").map_or("csv", String::as_str)) else {
        return refused(AppError::field(
            "format",
            crate::error::Code::ValidationChoice,
        ));
    };
    let Ok(Ok(_turn)) =
        tokio::time::timeout(std::time::Duration::from_secs(10), EXPORTS.acquire()).await
    else {
        return refused(AppError::too_many_requests(Some(10)));
    };
    let locale = if locale == "zh-CN" {
        Locale::zh_CN
    } else {
        Locale::en
    };
    let query = AuditQuery::from_params(|k| params.get(k).cloned());
    let filter = match repo::resolve(&state.db, org, &query, zone).await {
        Ok(f) => f,
        Err(e) => return refused(e),
    };
    match write(state, &filter, format, zone, locale).await {
        Ok((bytes, rows)) => {
            let event = Event::new(Action::AuditExported)
                .org(org)
                .details(serde_json::json!({ "rows": rows, "format": format.extension(), "filters": query.to_params() }));
            let written = async {
                let mut conn = state.db.acquire().await?;
                repo::record(&mut conn, &actor, &event).await
            };
            if let Err(e) = written.await {
                return refused(AppError::internal(e));
            }
            let name = format!(
                "audit-log-{}.{}",
                chrono::Utc::now()
                    .with_timezone(&zone)
                    .format("%Y%m%d-%H%M"),
                format.extension()
            );
            (
                [
                    (header::CONTENT_TYPE, format.content_type().to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => refused(e),
    }
}

/// The header row, in the reader's language.
fn header(locale: Locale) -> [&'static str; 11] {
    [
        td_string!(locale, audit.export_at),
        td_string!(locale, audit.export_at_utc),
        td_string!(locale, audit.action),
        td_string!(locale, audit.export_action_code),
        td_string!(locale, audit.actor),
        td_string!(locale, audit.target),
        td_string!(locale, audit.export_target_id),
        td_string!(locale, audit.export_ip),
        td_string!(locale, audit.export_user_agent),
        td_string!(locale, audit.details),
        td_string!(locale, audit.export_record),
    ]
}

async fn write(
    state: &AppState,
    filter: &Filter,
    format: Format,
    zone: crate::server::time::Tz,
    locale: Locale,
) -> Result<(Vec<u8>, usize), AppError> {
    let mut sheet = Sheet::new(format, "audit", &header(locale)).map_err(AppError::internal)?;
    let rows = repo::all(&state.db, filter, MAX_ROWS, zone, |e: AuditEntry| {
        let details = super::details::lines(locale, &e.details)
            .into_iter()
            .map(|l| format!("{}: {}", l.label, l.value))
            .collect::<Vec<_>>()
            .join("; ");
        let actor = e
            .actor_name
            .clone()
            .or_else(|| e.actor_kind.clone())
            .unwrap_or_default();
        let target = match (&e.target_name, &e.target_type) {
            (Some(name), _) => name.clone(),
            (None, Some(kind)) => kind.clone(),
            _ => String::new(),
        };
        sheet
            .row([
                e.at_local.as_str(),
                e.at.as_str(),
                &super::pages::action_text(locale, &e.action),
                e.action.as_str(),
                actor.as_str(),
                target.as_str(),
                e.target.as_deref().unwrap_or(""),
                e.ip.as_deref().unwrap_or(""),
                e.user_agent.as_deref().unwrap_or(""),
                details.as_str(),
                e.details.as_str(),
            ])
            .map_err(AppError::internal)
    })
    .await?;
    Ok((sheet.finish().map_err(AppError::internal)?, rows))
}
