//! The audit log, read-only: `/admin/audit` (one organisation) and
//! `/operator/audit` (the platform).
use super::api::{admin_audit, operator_audit};
use super::{AuditEntry, AuditPage, AuditQuery};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{CursorPager, Loaded, Table, columns, text};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

/// The words for a stored action; one this build does not know is shown as it is.
pub fn action_text(locale: Locale, action: &str) -> String {
    super::Action::parse(action).map_or_else(|| action.to_owned(), |a| a.text(locale).to_owned())
}

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    view! {
        <AuditLog
            base="/admin/audit"
            load=|(q, before): (AuditQuery, Option<String>)| async move {
                admin_audit(q.actor, q.action, q.target, q.from, q.to, before).await
            }
        />
    }
}

#[component]
pub fn OperatorAuditPage() -> impl IntoView {
    view! {
        <AuditLog
            base="/operator/audit"
            load=|(q, before): (AuditQuery, Option<String>)| async move {
                operator_audit(q.actor, q.action, q.target, q.from, q.to, before).await
            }
        />
    }
}

#[component]
fn AuditLog<F, Fut>(base: &'static str, load: F) -> impl IntoView
where
    F: Fn((AuditQuery, Option<String>)) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<AuditPage, AppError>> + Send + 'static,
{
    let i18n = use_i18n();
    let query = use_query_map();
    let asked = move || {
        let q = query.read();
        (
            AuditQuery::from_params(|k| q.get(k)),
            q.get("before").filter(|b| !b.is_empty()),
        )
    };
    let page = Resource::new(asked, load);
    let filters = Memo::new(move |_| asked().0);
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, audit.title)) />
        <section class="page" data-page="audit">
            <h1>{t!(i18n, audit.title)}</h1>
            <p class="page__lead">{t!(i18n, audit.lead)}</p>
            // Drawn again whenever the address changes (a filter applied,
            // cleared, or a link followed), so that the fields and the export
            // links always match what the table shows.
            {move || {
                let q = filters.get();
                let params = q.to_params();
                let export = |format: &str| match params.as_str() {
                    "" => format!("{base}/export?format={format}"),
                    p => format!("{base}/export?format={format}&{p}"),
                };
                let (csv, xlsx) = (export("csv"), export("xlsx"));
                view! {
                    <AuditFilters base initial=q />
                    <p class="audit-export">
                        <span>{t!(i18n, audit.export)}</span>
                        <a href=csv rel="external" download translate="no" data-export="csv">
                            "CSV"
                        </a>
                        <a href=xlsx rel="external" download translate="no" data-export="xlsx">
                            "XLSX"
                        </a>
                        <span class="field__hint">{t!(i18n, audit.export_hint)}</span>
                    </p>
                }
            }}
            <Loaded resource=page let:page>
                {
                    let columns = columns![i18n; audit.at, audit.action, audit.actor, audit.target, audit.source, audit.details];
                    let any = !page.entries.is_empty();
                    let (q, before) = asked_untracked_pair(query);
                    let params = q.to_params();
                    let at = |extra: String| match (params.as_str(), extra.as_str()) {
                        ("", "") => base.to_owned(),
                        ("", e) => format!("{base}?{e}"),
                        (p, "") => format!("{base}?{p}"),
                        (p, e) => format!("{base}?{p}&{e}"),
                    };
                    let older = page
                        .next_before
                        .map(|b| at(format!("before={}", crate::ui::url_encode(&b))));
                    let newest = before.is_some().then(|| at(String::new()));
                    let empty = if q.is_empty() {
                        text!(i18n, audit.empty)
                    } else {
                        text!(i18n, audit.empty_filtered)
                    };
                    view! {
                        <Table
                            name="audit"
                            columns
                            rows=page.entries
                            row=|e| view! { <AuditRow entry=e /> }
                            empty
                        />
                        {any.then(|| view! { <CursorPager newest older /> })}
                    }
                }
            </Loaded>
        </section>
    }
}

fn asked_untracked_pair(
    query: Memo<leptos_router::params::ParamsMap>,
) -> (AuditQuery, Option<String>) {
    let q = query.read_untracked();
    (
        AuditQuery::from_params(|k| q.get(k)),
        q.get("before").filter(|b| !b.is_empty()),
    )
}

/// The filters, as a form that puts them in the address (a filtered view
/// can be bookmarked and sent on).
#[component]
fn AuditFilters(base: &'static str, initial: AuditQuery) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = initial.action.clone();
    let filtered = !initial.is_empty();
    let options = move || {
        let locale = i18n.get_locale();
        let mut actions: Vec<(&'static str, &'static str)> = super::Action::ALL
            .iter()
            .map(|a| (a.as_str(), a.text(locale)))
            .collect();
        // By what they are about (`access.`, `employee.`, `sign_in.`), so
        // that related actions sit together in either language.
        actions.sort_by(|a, b| a.0.cmp(b.0));
        let chosen = chosen.clone();
        actions
            .into_iter()
            .map(|(value, text)| {
                view! {
                    <option value=value selected=value == chosen>
                        {text}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <Form method="GET" action=base attr:class="audit-filters" attr:role="search">
            <label class="field">
                <span class="field__label">{t!(i18n, audit.filter_actor)}</span>
                <input
                    class="field__input"
                    type="search"
                    name="actor"
                    maxlength=super::MAX_FILTER_CHARS
                    value=initial.actor.clone()
                    placeholder=move || t_string!(i18n, audit.filter_actor_placeholder)
                    autocomplete="off"
                />
            </label>
            <label class="field">
                <span class="field__label">{t!(i18n, audit.action)}</span>
                <select class="field__input" name="action">
                    <option value="" selected=initial.action.is_empty()>
                        {t!(i18n, audit.filter_any_action)}
                    </option>
                    {options}
                </select>
            </label>
            <label class="field">
                <span class="field__label">{t!(i18n, audit.target)}</span>
                <input
                    class="field__input"
                    type="search"
                    name="target"
                    maxlength=super::MAX_FILTER_CHARS
                    value=initial.target.clone()
                    placeholder=move || t_string!(i18n, audit.filter_target_placeholder)
                    autocomplete="off"
                />
            </label>
            <label class="field">
                <span class="field__label">{t!(i18n, audit.filter_from)}</span>
                <input class="field__input" type="date" name="from" value=initial.from.clone() />
            </label>
            <label class="field">
                <span class="field__label">{t!(i18n, audit.filter_to)}</span>
                <input class="field__input" type="date" name="to" value=initial.to.clone() />
            </label>
            <div class="audit-filters__actions">
                <button type="submit" class="button">{t!(i18n, audit.filter_apply)}</button>
                {filtered.then(|| view! { <A href=base>{t!(i18n, audit.filter_clear)}</A> })}
            </div>
        </Form>
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
    // Named as it is today where it still exists, else by its kind and id.
    let target = match (&entry.target_name, &entry.target) {
        (Some(name), _) => name.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) => "-".into(),
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
            <td translate="no" title=entry.target.clone()>{target}</td>
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
                                        {match l.change {
                                            Some((old, new)) => {
                                                view! {
                                                    <span translate=l.data.then_some("no")>
                                                        {old.map(|o| view! { <del>{o}</del>" → " })}
                                                        {match new {
                                                            Some(n) => view! { <ins>{n}</ins> }.into_any(),
                                                            None => "—".into_any(),
                                                        }}
                                                    </span>
                                                }
                                                    .into_any()
                                            }
                                            None => {
                                                view! {
                                                    <span translate=l.data.then_some("no")>{l.value}</span>
                                                }
                                                    .into_any()
                                            }
                                        }}
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
