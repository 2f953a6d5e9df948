//! The members of the selected department (and below), with search, filters and paging.
use super::super::api::contacts_members;
use super::super::{MemberPage, MemberRow, StatusFilter};
use super::*;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{Loaded, Pager, Table, columns, text};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// The members list's answer, made by the page beside the branch it
/// depends on: a resource made inside the branch's loaded view could run
/// twice while the page is rendered on the server, and the browser would
/// then hydrate with the answer of a run whose view was thrown away.
#[derive(Clone, Copy)]
pub(super) struct MembersAnswer(pub Resource<Result<MemberPage, AppError>>);

impl MembersAnswer {
    /// Keyed by the address's members filters; the department is the one the
    /// branch resolves (the address may name none, or one outside the scope).
    pub(super) fn new(
        branch: Resource<Result<super::super::Branch, AppError>>,
        refresh: RwSignal<u32>,
    ) -> Self {
        let query = use_query_map();
        let get = move |key: &str| query.read().get(key).unwrap_or_default();
        MembersAnswer(Resource::new(
            move || {
                (
                    get("dept"),
                    get("q"),
                    get("status"),
                    matches!(get("direct").as_str(), "1" | "true"),
                    get("page").parse::<i64>().unwrap_or(1),
                    refresh.get(),
                )
            },
            move |(_, q, status, direct, page, _)| async move {
                let department = branch.await?.selected.node.id;
                contacts_members(department, q, status, direct, page).await
            },
        ))
    }
}

/// The members of the selected department (and below), with search and paging.
#[component]
pub(super) fn Members(department: String) -> impl IntoView {
    let i18n = use_i18n();
    let department = StoredValue::new(department);
    let query = use_query_map();
    let page = expect_context::<MembersAnswer>().0;
    let initial = move |key: &str| query.read_untracked().get(key).unwrap_or_default();
    let q = initial("q");
    let status = StatusFilter::parse(&initial("status"));
    let direct = matches!(initial("direct").as_str(), "1" | "true");
    view! {
        <section class="members" aria-labelledby="members-heading">
            <h2 id="members-heading" class="visually-hidden">{t!(i18n, contacts.members)}</h2>
            <Form method="GET" action="/admin/contacts" attr:class="members__search" attr:role="search">
                <input type="hidden" name="dept" value=department.get_value() />
                <label class="visually-hidden" for="member-search">{t!(i18n, contacts.search_label)}</label>
                <input
                    id="member-search"
                    class="field__input"
                    type="search"
                    name="q"
                    value=q
                    placeholder=move || t_string!(i18n, contacts.search_placeholder)
                    autocomplete="off"
                />
                <label class="visually-hidden" for="member-status">{t!(i18n, contacts.status_filter)}</label>
                <select id="member-status" name="status" class="field__input">
                    <option value="current" selected=status == StatusFilter::Current>
                        {t!(i18n, contacts.filter_current)}
                    </option>
                    <option value="not_activated" selected=status == StatusFilter::NotActivated>
                        {t!(i18n, contacts.filter_not_activated)}
                    </option>
                    <option value="departed" selected=status == StatusFilter::Departed>
                        {t!(i18n, contacts.filter_departed)}
                    </option>
                    <option value="all" selected=status == StatusFilter::All>
                        {t!(i18n, contacts.filter_all)}
                    </option>
                </select>
                <label class="check check--small">
                    <input type="checkbox" name="direct" value="1" checked=direct />
                    <span>{t!(i18n, contacts.direct_only)}</span>
                </label>
                <button type="submit" class="button">{t!(i18n, contacts.search)}</button>
            </Form>
            <Loaded resource=page let:page>
                <MemberTable page department=department.get_value() />
            </Loaded>
        </section>
    }
}

#[component]
pub(super) fn MemberTable(page: MemberPage, department: String) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let link = move |n: i64| {
        let q = query.read_untracked();
        let mut url = url_params(&[
            ("dept", department.clone()),
            ("q", q.get("q").unwrap_or_default()),
            ("status", q.get("status").unwrap_or_default()),
            ("direct", q.get("direct").unwrap_or_default()),
        ]);
        url.push_str(&format!("&page={n}"));
        url
    };
    let total = page.total;
    let any = !page.items.is_empty();
    let columns = columns![i18n; contacts.col_name, contacts.col_userid, contacts.col_position, contacts.col_departments, contacts.col_mobile, contacts.col_email, contacts.col_status];
    let row = move |m: MemberRow| {
        let status = m.status;
        let departments = m.departments.join(", ");
        let mobile = m.mobile.as_deref().map(crate::domain::group_mobile);
        // Long cells are cut short; the whole value shows on hover.
        let hover = (m.position.clone(), departments.clone(), m.email.clone());
        view! {
            <tr data-member=m.id.clone()>
                <td>
                    <a href=format!("/admin/contacts/employees/{}", m.id) translate="no">{m.name}</a>
                </td>
                <td class="table__mono" translate="no">{m.userid}</td>
                <td class="table__clip" translate="no" title=hover.0>{m.position}</td>
                <td class="table__clip" translate="no" title=hover.1>{departments}</td>
                <td class="table__mono" translate="no">{mobile}</td>
                <td class="table__clip" translate="no" title=hover.2>{m.email}</td>
                <td>
                    <span class=format!("status-badge status-badge--{}", status.as_str())>
                        {move || status_text(i18n, status)}
                    </span>
                </td>
            </tr>
        }
    };
    view! {
        {any
            .then(|| {
                view! {
                    <p class="muted" data-total=total>
                        {t!(i18n, contacts.people, count = move || total)}
                    </p>
                }
            })}
        <Table name="members" columns rows=page.items row empty=text!(i18n, contacts.no_members) />
        <Pager page=page.page pages=page.pages href=link />
    }
}

/// `/admin/contacts?k=v&…`, leaving out empty values.
pub(crate) fn url_params(pairs: &[(&str, String)]) -> String {
    let mut out = String::from("/admin/contacts?");
    let mut first = true;
    for (k, v) in pairs {
        if v.is_empty() {
            continue;
        }
        if !first {
            out.push('&');
        }
        first = false;
        out.push_str(k);
        out.push('=');
        out.push_str(&crate::ui::url_encode(v));
    }
    out
}
