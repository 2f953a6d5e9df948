//! `/me/approvals`: the approver's inbox, in three tabs with their counts,
//! with filters and search.
use super::requests::RequestList;
use crate::approvals::api::{
    ApprovalDecideMany, ApprovalDelegate, ApprovalDelegateCancel, ApprovalNoticesSet,
    approval_delegations, approval_inbox,
};
use crate::i18n::*;
use crate::ui::{FormError, Loaded, last_error, url_encode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

const FILTERS: [&str; 5] = ["q", "from", "to", "template", "submitter"];

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
    let batch = ServerAction::<ApprovalDecideMany>::new();
    let selected: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let inbox = Resource::new(
        move || {
            (
                tab(),
                param("template"),
                param("submitter"),
                param("from"),
                param("to"),
                param("q"),
                param("page"),
                batch.version().get(),
            )
        },
        |(tab, template, submitter, from, to, q, page, _)| {
            approval_inbox(
                tab.to_owned(),
                template,
                submitter,
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
                            <a href=href(name, 1) class="tabs__tab" data-tab=name aria-current=current.then_some("page")>
                                {move || match name {
                                    "handled" => t_string!(i18n, approvals.tab_handled).to_string(),
                                    "cc" => t_string!(i18n, approvals.tab_cc).to_string(),
                                    _ => t_string!(i18n, approvals.tab_pending).to_string(),
                                }}
                                " " <span class="badge" data-count=name>{count}</span>
                            </a>
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
                            <label class="field">
                                <span class="field__label">{t!(i18n, approvals.template)}</span>
                                <select class="field__input" name="template">
                                    <option value="">{t!(i18n, approvals.all)}</option>
                                    {inbox.templates.iter().map(|(id, en, zh)| {
                                        let (en, zh) = (en.clone(), zh.clone());
                                        view! {
                                            <option value=id.clone() selected=param("template") == *id>
                                                {move || super::pick(i18n.get_locale(), &en, &zh)}
                                            </option>
                                        }
                                    }).collect_view()}
                                </select>
                            </label>
                            <label class="field">
                                <span class="field__label">{t!(i18n, approvals.search)}</span>
                                <input class="field__input" type="search" name="q" maxlength="100"
                                    placeholder=move || t_string!(i18n, approvals.search_placeholder) value=param("q") />
                            </label>
                            <SubmitterFilter
                                start=param("submitter")
                                name=inbox.submitter_name.clone().unwrap_or_default() />
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
                        {(tab() == "pending" && !inbox.page.rows.is_empty()).then(|| view! {
                            <div class="batch" data-part="batch">
                                <FormError error=last_error(batch) />
                                <button type="button" class="button button--primary" data-action="approve-selected"
                                    disabled=move || selected.with(Vec::is_empty) || batch.pending().get()
                                    on:click=move |_| {
                                        batch.dispatch(ApprovalDecideMany { tasks: selected.get_untracked().join(",") });
                                        selected.set(Vec::new());
                                    }>
                                    {move || t_string!(i18n, approvals.approve_selected).to_string()}
                                    " (" {move || selected.with(Vec::len)} ")"
                                </button>
                                {move || batch.value().get().and_then(|r| r.ok()).map(|(done, failed)| view! {
                                    <p class="notice" role="status">{t!(i18n, approvals.batch_done, done = done, failed = failed)}</p>
                                })}
                            </div>
                        })}
                        <RequestList page=inbox.page selected=selected
                            empty=Signal::derive(move || match tab() {
                                "handled" => t_string!(i18n, approvals.empty_handled).to_string(),
                                "cc" => t_string!(i18n, approvals.empty_cc).to_string(),
                                _ => t_string!(i18n, approvals.empty_pending).to_string(),
                            })
                            href=move |n| href(tab(), n) />
                    }
                }
            </Loaded>
            <Away />
        </section>
    }
}

/// The filter by submitter: a person found by name, sent with the form.
#[component]
fn SubmitterFilter(start: String, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let labels: super::fill::Labels = RwSignal::new(Default::default());
    if !start.is_empty() && !name.is_empty() {
        labels.update_untracked(|l| {
            l.insert(start.clone(), name);
        });
    }
    let first = start.clone();
    let chosen = RwSignal::new(start);
    view! {
        <div class="field" data-part="submitter-filter">
            <span class="field__label">{t!(i18n, approvals.submitter)}</span>
            <input type="hidden" name="submitter" value=first prop:value=move || chosen.get() />
            <super::fill::Picker id="filter-submitter".into() kind="person" multiple=false labels
                label=crate::ui::text!(i18n, approvals.submitter)
                value=Signal::derive(move || chosen.get())
                set=Callback::new(move |v: String| chosen.set(v)) />
        </div>
    }
}

/// Out of office: who acts for the caller and when, and how they hear
/// about approvals.
#[component]
fn Away() -> impl IntoView {
    let i18n = use_i18n();
    let set = ServerAction::<ApprovalDelegate>::new();
    let cancel = ServerAction::<ApprovalDelegateCancel>::new();
    let notices = ServerAction::<ApprovalNoticesSet>::new();
    let list = Resource::new(
        move || {
            (
                set.version().get(),
                cancel.version().get(),
                notices.version().get(),
            )
        },
        |_| approval_delegations(),
    );
    let delegate = RwSignal::new(String::new());
    let labels: super::fill::Labels = RwSignal::new(Default::default());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let error = last_error(set);
    let field = move |name: &'static str| crate::ui::field_code(error, name);
    view! {
        <section class="panel" data-part="away">
            <h2>{t!(i18n, approvals.away)}</h2>
            <p class="muted">{t!(i18n, approvals.away_hint)}</p>
            <Loaded resource=list let:d>
                <ul class="plain delegations">
                    {d.mine.into_iter().map(|r| {
                        let id = r.id.clone();
                        let live = r.state == "open" || r.state == "upcoming";
                        let state = r.state.clone();
                        view! {
                            <li data-delegation=r.state.clone()>
                                <span translate="no">{r.delegate_name.clone()}</span>
                                " · " {r.starts_at.clone()} " – " {r.ends_at.clone()} " · "
                                <span class="badge">{move || delegation_state(i18n.get_locale(), &state)}</span>
                                {live.then(|| view! {
                                    " " <button type="button" class="button button--small" data-action="cancel-delegation"
                                        on:click=move |_| { cancel.dispatch(ApprovalDelegateCancel { id: id.clone() }); }>
                                        {t!(i18n, approvals.cancel)}
                                    </button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                    {d.for_me.into_iter().map(|r| view! {
                        <li data-delegation=r.state.clone()>
                            {t!(i18n, approvals.you_act_for, name = r.principal_name.clone())}
                            " · " {r.starts_at.clone()} " – " {r.ends_at.clone()}
                        </li>
                    }).collect_view()}
                </ul>
                <fieldset class="checks">
                    <legend class="field__label">{t!(i18n, approvals.notices)}</legend>
                    {["immediate", "digest"].into_iter().map(|mode| {
                        let checked = d.notices == mode;
                        view! {
                            <label class="check">
                                <input type="radio" name="approval-notices" value=mode checked=checked
                                    on:change=move |_| { notices.dispatch(ApprovalNoticesSet { mode: mode.to_owned() }); } />
                                " " {move || if mode == "digest" {
                                    t_string!(i18n, approvals.notices_digest).to_string()
                                } else {
                                    t_string!(i18n, approvals.notices_immediate).to_string()
                                }}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
            </Loaded>
            <FormError error />
            <div class="field">
                <span class="field__label" id="away-delegate-label">{t!(i18n, approvals.delegate)}</span>
                <div role="group" aria-labelledby="away-delegate-label">
                    <super::fill::Picker id="away-delegate".to_owned() kind="person" multiple=false
                        value=Signal::derive(move || delegate.get()) set=Callback::new(move |v: String| delegate.set(v)) labels />
                </div>
                {move || field("delegate").get().map(|code| view! { <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p> })}
            </div>
            <div class="range">
                <label class="field range__end">
                    <span class="field__label">{t!(i18n, approvals.away_from)}</span>
                    <input class="field__input" type="datetime-local" prop:value=move || starts.get()
                        on:change=move |ev| starts.set(event_target_value(&ev)) />
                </label>
                <label class="field range__end">
                    <span class="field__label">{t!(i18n, approvals.away_to)}</span>
                    <input class="field__input" type="datetime-local" prop:value=move || ends.get()
                        on:change=move |ev| ends.set(event_target_value(&ev)) />
                </label>
            </div>
            {move || field("starts").get().or_else(|| field("ends").get()).map(|code| view! { <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p> })}
            <button type="button" class="button" data-action="set-delegate"
                disabled=move || set.pending().get() || delegate.get().is_empty()
                on:click=move |_| {
                    set.dispatch(ApprovalDelegate { delegate: delegate.get_untracked(), starts: starts.get_untracked(), ends: ends.get_untracked() });
                }>
                {t!(i18n, approvals.set_delegate)}
            </button>
        </section>
    }
}

fn delegation_state(locale: Locale, state: &str) -> String {
    match state {
        "open" => td_string!(locale, approvals.away_open),
        "upcoming" => td_string!(locale, approvals.away_upcoming),
        "ended" => td_string!(locale, approvals.away_ended),
        _ => td_string!(locale, approvals.away_cancelled),
    }
    .to_string()
}
