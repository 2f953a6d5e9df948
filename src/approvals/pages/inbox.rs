//! `/me/approvals`: the approver's inbox, in three tabs with their counts,
//! with filters and search.
use super::requests::RequestList;
use crate::approvals::api::approval_inbox;
use crate::i18n::*;
use crate::ui::{Loaded, url_encode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

const FILTERS: [&str; 4] = ["q", "from", "to", "template"];

/// `/me/approvals?tab=pending|handled|cc&q=&from=&to=&template=&page=`.
#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).unwrap_or_default();
    let tab = move || match param("tab").as_str() {
        "handled" => "handled",
        "cc" => "cc",
        _ => "pending",
    };
    let inbox = Resource::new(
        move || {
            (
                tab(),
                param("template"),
                param("from"),
                param("to"),
                param("q"),
                param("page"),
            )
        },
        |(tab, template, from, to, q, page)| {
            approval_inbox(
                tab.to_owned(),
                template,
                String::new(),
                from,
                to,
                q,
                page.parse().unwrap_or(1),
            )
        },
    );
    // The address of this view with `tab` and `page` changed, filters kept.
    let href = move |tab: &str, page: i64| {
        let mut parts = vec![format!("tab={tab}")];
        for k in FILTERS {
            let v = param(k);
            if !v.is_empty() {
                parts.push(format!("{k}={}", url_encode(&v)));
            }
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        format!("/me/approvals?{}", parts.join("&"))
    };
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, approvals.inbox)) />
        <section class="page inbox" data-page="inbox">
            <p><A href="/me">{t!(i18n, me.back_home)}</A> " · " <A href="/me/requests">{t!(i18n, approvals.my_requests)}</A></p>
            <h1>{t!(i18n, approvals.inbox)}</h1>
            <Loaded resource=inbox let:inbox>
                {
                    let tab_link = move |name: &'static str, count: i64| {
                        let current = tab() == name;
                        view! {
                            <A href=href(name, 1) attr:class="tabs__tab" attr:data-tab=name attr:aria-current=current.then_some("page")>
                                {move || match name {
                                    "handled" => t_string!(i18n, approvals.tab_handled).to_string(),
                                    "cc" => t_string!(i18n, approvals.tab_cc).to_string(),
                                    _ => t_string!(i18n, approvals.tab_pending).to_string(),
                                }}
                                " " <span class="badge" data-count=name>{count}</span>
                            </A>
                        }
                    };
                    view! {
                        <nav class="tabs" aria-label=move || t_string!(i18n, approvals.inbox)>
                            {tab_link("pending", inbox.pending)}
                            {tab_link("handled", inbox.handled)}
                            {tab_link("cc", inbox.cc)}
                        </nav>
                        <form class="filters" method="get" action="/me/approvals" role="search">
                            <input type="hidden" name="tab" value=tab() />
                            <input type="hidden" name="template" value=param("template") />
                            <label class="field">
                                <span class="field__label">{t!(i18n, approvals.search)}</span>
                                <input class="field__input" type="search" name="q" maxlength="100"
                                    placeholder=move || t_string!(i18n, approvals.search_placeholder) value=param("q") />
                            </label>
                            <label class="field">
                                <span class="field__label">{t!(i18n, approvals.from)}</span>
                                <input class="field__input" type="date" name="from" value=param("from") />
                            </label>
                            <label class="field">
                                <span class="field__label">{t!(i18n, approvals.to)}</span>
                                <input class="field__input" type="date" name="to" value=param("to") />
                            </label>
                            <button type="submit" class="button">{t!(i18n, approvals.filter)}</button>
                        </form>
                        <RequestList page=inbox.page
                            empty=Signal::derive(move || match tab() {
                                "handled" => t_string!(i18n, approvals.empty_handled).to_string(),
                                "cc" => t_string!(i18n, approvals.empty_cc).to_string(),
                                _ => t_string!(i18n, approvals.empty_pending).to_string(),
                            })
                            href=move |n| href(tab(), n) />
                    }
                }
            </Loaded>
        </section>
    }
}
