//! The audit log, read-only: `/admin/audit` (one organisation) and
//! `/operator/audit` (the platform).
use super::api::{admin_audit, operator_audit};
use super::{AuditEntry, AuditPage};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{CursorPager, Loaded, Table, columns, text};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The words for a stored action; one this build does not know is shown as it is.
pub fn action_text(locale: Locale, action: &str) -> String {
    super::Action::parse(action).map_or_else(|| action.to_owned(), |a| a.text(locale).to_owned())
}

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    view! { <AuditLog base="/admin/audit" load=|before| async move { admin_audit(before).await } /> }
}

#[component]
pub fn OperatorAuditPage() -> impl IntoView {
    view! {
        <AuditLog
            base="/operator/audit"
            load=|before| async move { operator_audit(before).await }
        />
    }
}

#[component]
fn AuditLog<F, Fut>(base: &'static str, load: F) -> impl IntoView
where
    F: Fn(Option<i64>) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<AuditPage, AppError>> + Send + 'static,
{
    let i18n = use_i18n();
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let page = Resource::new(before, load);
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, audit.title)) />
        <section class="page" data-page="audit">
            <h1>{t!(i18n, audit.title)}</h1>
            <p class="page__lead">{t!(i18n, audit.lead)}</p>
            <Loaded resource=page let:page>
                {
                    let columns = columns![i18n; audit.at, audit.action, audit.actor, audit.target, audit.source, audit.details];
                    let any = !page.entries.is_empty();
                    let older = page.next_before.map(|b| format!("{base}?before={b}"));
                    let newest = before().is_some().then(|| base.to_owned());
                    view! {
                        <Table
                            name="audit"
                            columns
                            rows=page.entries
                            row=|e| view! { <AuditRow entry=e /> }
                            empty=text!(i18n, audit.empty)
                        />
                        {any.then(|| view! { <CursorPager newest older /> })}
                    }
                }
            </Loaded>
        </section>
    }
}

#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let i18n = use_i18n();
    let action = entry.action.clone();
    let details = entry.details.clone();
    let name = entry.actor_name.clone();
    let kind = entry.actor_kind.clone();
    // A person is named as they are; anyone else by what they were.
    let actor = move || match (&name, kind.as_deref()) {
        (Some(n), _) => n.clone(),
        (None, Some("system")) => t_string!(i18n, audit.actor_system).to_owned(),
        (None, Some("anonymous")) => t_string!(i18n, audit.actor_anonymous).to_owned(),
        (None, Some("operator")) => t_string!(i18n, audit.actor_operator).to_owned(),
        (None, Some("member")) => t_string!(i18n, audit.actor_member).to_owned(),
        (None, other) => other.unwrap_or("-").to_owned(),
    };
    let source = match (&entry.ip, &entry.user_agent) {
        (Some(ip), Some(ua)) => format!("{ip} · {ua}"),
        (Some(ip), None) => ip.clone(),
        (None, Some(ua)) => ua.clone(),
        (None, None) => "-".into(),
    };
    view! {
        <tr data-action=entry.action.clone()>
            <td>
                <time datetime=entry.at.clone()>{entry.at_local.clone()}</time>
            </td>
            <td>
                {move || {
                    action_text(i18n.get_locale(), &action)
                }}
            </td>
            <td translate=entry.actor_name.is_some().then_some("no")>{actor}</td>
            <td class="table__mono" translate="no">{entry.target.unwrap_or_else(|| "-".into())}</td>
            <td class="table__clip" translate="no" title=source.clone()>{source.clone()}</td>
            // In words; the record as it was written on hover, for whoever investigates.
            <td class="table__record" title=entry.details.clone()>
                <ul class="audit-details">
                    {move || {
                        super::details::lines(i18n.get_locale(), &details)
                            .into_iter()
                            .map(|l| {
                                view! {
                                    <li>
                                        <span class="audit-details__label">{l.label}</span>
                                        ": "
                                        <span translate=l.data.then_some("no")>{l.value}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </td>
        </tr>
    }
}
