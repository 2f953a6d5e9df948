//! `/me` (the member's home) and `/me/directory` (the organisation's
//! people), both made for a phone first.
use super::api::{MeContactChange, MeContactCode, directory, directory_person, me_home};
use super::{DirectoryView, MyHome, PersonCard};
use crate::i18n::*;
use crate::ui::{
    ActionPanel, Cooldown, Field, FormError, Loaded, Pager, field_code, last_error, text,
    url_encode,
};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// `/me`: the member's profile, with the ways to their security, the
/// directory and (for administrators) the console.
#[component]
pub fn MePage() -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<MeContactChange>::new();
    let home = Resource::new(move || change.version().get(), |_| me_home());
    provide_context(change);
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, me.title)) />
        <section class="page me" data-page="me">
            <Loaded resource=home let:h>
                <Profile h />
            </Loaded>
        </section>
    }
}

#[component]
fn Profile(h: MyHome) -> impl IntoView {
    let i18n = use_i18n();
    let p = h.profile;
    let departments = p
        .departments
        .iter()
        .map(|d| {
            view! {
                <li>
                    <span translate="no">{d.path.clone()}</span>
                    {d.is_main.then(|| view! { " " <span class="badge">{t!(i18n, me.main_department)}</span> })}
                </li>
            }
        })
        .collect_view();
    let managers = p
        .managers
        .iter()
        .map(|m| m.name.clone())
        .collect::<Vec<_>>()
        .join("、");
    let dash = |v: Option<String>| v.filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into());
    view! {
        <p class="me__organisation" translate="no">{h.organisation.clone()}</p>
        <h1 translate="no">{p.name.clone()}</h1>
        <p class="page__lead">{dash(p.position.clone())}</p>
        <nav class="me__links" aria-label=move || t_string!(i18n, me.links)>
            <A href="/me/requests" attr:class="button button--primary">{t!(i18n, approvals.my_requests)}</A>
            <A href="/me/approvals" attr:class="button">{t!(i18n, approvals.to_inbox)}</A>
            <A href="/me/directory" attr:class="button">{t!(i18n, me.directory)}</A>
            <A href="/account/security" attr:class="button">{t!(i18n, me.security)}</A>
            {h.administrator.then(|| view! {
                <A href="/admin" attr:class="button">{t!(i18n, me.console)}</A>
            })}
        </nav>
        <section class="panel" data-part="profile">
            <h2>{t!(i18n, me.profile)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, contacts.field_userid)}</dt>
                <dd translate="no">{p.userid.clone()}</dd>
                <dt>{t!(i18n, contacts.field_mobile)}</dt>
                <dd translate="no">{dash(p.mobile.clone())}</dd>
                <dt>{t!(i18n, contacts.field_email)}</dt>
                <dd translate="no">{dash(p.email.clone())}</dd>
                <dt>{t!(i18n, contacts.field_departments)}</dt>
                <dd><ul class="plain">{departments}</ul></dd>
                <dt>{t!(i18n, contacts.field_managers)}</dt>
                <dd translate="no">{if managers.is_empty() { "—".to_owned() } else { managers }}</dd>
            </dl>
            <p class="field__hint">{t!(i18n, me.change_hint)}</p>
            <div class="actions">
                <ChangeContact field="mobile" />
                <ChangeContact field="email" />
            </div>
        </section>
    }
}

/// Changing one's own mobile (`field` "mobile") or email: the new one is
/// proven with a code, the change signed with the password.
#[component]
fn ChangeContact(field: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let change = expect_context::<ServerAction<MeContactChange>>();
    let send = ServerAction::<MeContactCode>::new();
    let send_error = last_error(send);
    let change_error = last_error(change);
    let cooldown = Cooldown::new();
    Effect::new(move |_| cooldown.follow(send.value().get(), |secs| *secs));
    let value = RwSignal::new(String::new());
    let sent = move || matches!(send.value().get(), Some(Ok(_)));
    let done = move || matches!(change.value().get(), Some(Ok(())));
    let totp = crate::auth::use_me();
    let (label, new_label, input_type) = if field == "mobile" {
        (
            text!(i18n, me.change_mobile),
            text!(i18n, me.new_mobile),
            "tel",
        )
    } else {
        (
            text!(i18n, me.change_email),
            text!(i18n, me.new_email),
            "email",
        )
    };
    let panel = if field == "mobile" {
        "change-mobile"
    } else {
        "change-email"
    };
    view! {
        <ActionPanel name=panel label=label>
            <Show when=done>
                <p class="notice notice--success" role="status">{t!(i18n, me.changed)}</p>
            </Show>
            <ActionForm action=send attr:class="action__form">
                <input type="hidden" name="field" value=field />
                <FormError error=send_error cooldown=cooldown />
                <div class="field">
                    <label class="field__label" for=format!("new-{field}")>{move || new_label.get()}</label>
                    <input
                        class="field__input"
                        id=format!("new-{field}")
                        name="value"
                        type=input_type
                        required
                        maxlength="254"
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))
                    />
                    {move || field_code(send_error, "value").get().map(|code| view! {
                        <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p>
                    })}
                </div>
                <button type="submit" class="button" disabled=move || send.pending().get() || cooldown.waiting()>
                    {move || {
                        let left = cooldown.left();
                        if left > 0 {
                            view! { {t!(i18n, forgot.resend_in, seconds = left)} }.into_any()
                        } else {
                            view! { {t!(i18n, forgot.send_code)} }.into_any()
                        }
                    }}
                </button>
            </ActionForm>
            <Show when=sent>
                <ActionForm action=change attr:class="action__form">
                    <input type="hidden" name="field" value=field />
                    <input type="hidden" name="value" value=move || value.get() />
                    <FormError error=change_error />
                    {move || field_code(change_error, "value").get().map(|code| view! {
                        <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p>
                    })}
                    <Field
                        name="confirmation"
                        form=field
                        label=text!(i18n, forgot.code)
                        autocomplete="one-time-code"
                        inputmode="numeric"
                        maxlength=6
                        error=field_code(change_error, "confirmation")
                    />
                    <Field
                        name="password"
                        form=field
                        input_type="password"
                        autocomplete="current-password"
                        label=text!(i18n, contacts.your_password)
                        error=field_code(change_error, "password")
                    />
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let enrolled = totp.await.ok().flatten().is_some_and(|a| a.totp_enabled);
                            enrolled.then(|| view! {
                                <Field
                                    name="code"
                                    form=field
                                    inputmode="numeric"
                                    autocomplete="one-time-code"
                                    maxlength=20
                                    label=text!(i18n, contacts.your_code)
                                    error=field_code(change_error, "code")
                                />
                            })
                        })}
                    </Transition>
                    <button type="submit" class="button button--primary" disabled=move || change.pending().get()>
                        {t!(i18n, me.save_contact)}
                    </button>
                </ActionForm>
            </Show>
        </ActionPanel>
    }
}

fn directory_href(department: &str, q: &str, page: i64, person: &str) -> String {
    let mut parts = Vec::new();
    if !department.is_empty() {
        parts.push(format!("department={}", url_encode(department)));
    }
    if !q.is_empty() {
        parts.push(format!("q={}", url_encode(q)));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if !person.is_empty() {
        parts.push(format!("person={}", url_encode(person)));
    }
    if parts.is_empty() {
        "/me/directory".to_owned()
    } else {
        format!("/me/directory?{}", parts.join("&"))
    }
}

/// `/me/directory`: the department tree and its people, with search, and
/// a person's card.
#[component]
pub fn DirectoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).unwrap_or_default();
    let view_of = Resource::new(
        move || (param("department"), param("q"), param("page")),
        |(d, q, page)| directory(d, q, page.parse().unwrap_or(1)),
    );
    let card = Resource::new(
        move || param("person"),
        |id| async move {
            if id.is_empty() {
                Ok(None)
            } else {
                directory_person(id).await.map(Some)
            }
        },
    );
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, me.directory)) />
        <section class="page directory" data-page="directory">
            <p><A href="/me">{t!(i18n, me.back_home)}</A></p>
            <h1>{t!(i18n, me.directory)}</h1>
            <form class="directory__search" method="get" action="/me/directory" role="search">
                <input type="hidden" name="department" value=move || param("department") />
                <label class="visually-hidden" for="directory-q">{t!(i18n, me.search_label)}</label>
                <input
                    class="field__input"
                    id="directory-q"
                    type="search"
                    name="q"
                    maxlength="100"
                    placeholder=move || t_string!(i18n, me.search_placeholder)
                    prop:value=move || param("q")
                />
                <button type="submit" class="button">{t!(i18n, me.search)}</button>
            </form>
            <Loaded resource=card let:c>
                {c.map(|c| view! { <Card c /> })}
            </Loaded>
            <Loaded resource=view_of let:v>
                <Listing v q=param("q") />
            </Loaded>
        </section>
    }
}

#[component]
fn Card(c: PersonCard) -> impl IntoView {
    let i18n = use_i18n();
    let tel = c.mobile.clone().map(|m| format!("tel:{m}"));
    let mail = c.email.clone().map(|e| format!("mailto:{e}"));
    view! {
        <article class="panel person-card" data-part="person-card" aria-live="polite">
            <h2 translate="no">{c.name.clone()}</h2>
            <p class="page__lead">{c.position.clone().unwrap_or_else(|| "—".into())}</p>
            <dl class="facts">
                <dt>{t!(i18n, contacts.field_departments)}</dt>
                <dd translate="no">{c.departments.join(" · ")}</dd>
                <dt>{t!(i18n, contacts.field_managers)}</dt>
                <dd translate="no">{if c.managers.is_empty() { "—".to_owned() } else { c.managers.join("、") }}</dd>
                {(!c.contacts_hidden).then(|| view! {
                    <dt>{t!(i18n, contacts.field_mobile)}</dt>
                    <dd translate="no">{match (c.mobile.clone(), tel.clone()) {
                        (Some(m), Some(href)) => view! { <a href=href>{m}</a> }.into_any(),
                        _ => "—".into_any(),
                    }}</dd>
                    <dt>{t!(i18n, contacts.field_email)}</dt>
                    <dd translate="no">{match (c.email.clone(), mail.clone()) {
                        (Some(e), Some(href)) => view! { <a href=href>{e}</a> }.into_any(),
                        _ => "—".into_any(),
                    }}</dd>
                })}
            </dl>
            {c.contacts_hidden.then(|| view! { <p class="field__hint">{t!(i18n, me.contacts_hidden)}</p> })}
        </article>
    }
}

#[component]
fn Listing(v: DirectoryView, q: String) -> impl IntoView {
    let i18n = use_i18n();
    let (dept_id, dept_name) = v.department.clone();
    let crumbs = v
        .ancestors
        .clone()
        .into_iter()
        .map(|(id, name)| {
            view! {
                <li><A href=directory_href(&id, "", 1, "")><span translate="no">{name}</span></A></li>
            }
        })
        .collect_view();
    let children = v
        .children
        .clone()
        .into_iter()
        .map(|d| {
            view! {
                <li>
                    <A href=directory_href(&d.id, "", 1, "")>
                        <span translate="no">{d.name.clone()}</span>
                        <span class="muted">" " {d.headcount}</span>
                    </A>
                </li>
            }
        })
        .collect_view();
    let any_children = !v.children.is_empty();
    let people = v.people.items.clone();
    let empty = people.is_empty();
    let rows = people
        .into_iter()
        .map(|p| {
            let href = directory_href(&dept_id, &q, v.people.page, &p.id);
            view! {
                <li class="directory__person" data-person=p.userid.clone()>
                    <A href=href>
                        <strong translate="no">{p.name.clone()}</strong>
                        <span class="muted">{p.position.clone().unwrap_or_default()}</span>
                        <span class="muted" translate="no">{p.departments.join(" · ")}</span>
                    </A>
                    {p.mobile.clone().map(|m| view! { <a class="directory__call" href=format!("tel:{m}") translate="no">{m.clone()}</a> })}
                </li>
            }
        })
        .collect_view();
    let link_dept = dept_id.clone();
    let link_q = q.clone();
    view! {
        <nav aria-label=move || t_string!(i18n, me.where_label)>
            <ol class="breadcrumbs">
                {crumbs}
                <li aria-current="page"><span translate="no">{dept_name}</span></li>
            </ol>
        </nav>
        {any_children.then(|| view! { <ul class="directory__departments">{children}</ul> })}
        <p class="muted">{t!(i18n, me.people_count, count = v.people.total)}</p>
        {if empty {
            view! { <p class="empty">{t!(i18n, me.no_people)}</p> }.into_any()
        } else {
            view! { <ul class="directory__people">{rows}</ul> }.into_any()
        }}
        <Pager page=v.people.page pages=v.people.pages href=move |n| directory_href(&link_dept, &link_q, n, "") />
    }
}
