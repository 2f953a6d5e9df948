//! `/admin/contacts/join` (the join link, its QR code and the requests),
//! `/admin/contacts/join/poster` (an A4 poster to print) and
//! `/join/request` (asking to join, made for a phone).
use super::link::{
    JoinLinkRenew, JoinLinkRotate, JoinLinkView, JoinRequestApprove, JoinRequestCode,
    JoinRequestPage as Requests, JoinRequestReject, JoinRequestRow, JoinRequestSubmit,
    JoinRequestView, join_link_state, join_request_state, join_requests,
};
use crate::i18n::*;
use crate::ui::{
    ActionPanel, ConfirmStep, Cooldown, Field, FormError, Loaded, Pager, field_code, last_error,
    text,
};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The actions of the join link page, made once at its top.
#[derive(Clone, Copy)]
struct LinkActions {
    rotate: ServerAction<JoinLinkRotate>,
    renew: ServerAction<JoinLinkRenew>,
    approve: ServerAction<JoinRequestApprove>,
    reject: ServerAction<JoinRequestReject>,
    /// The request whose approval form is open: (id, name).
    approving: RwSignal<Option<(String, String)>>,
    /// The request last sent to be rejected (its row shows the answer).
    rejecting: RwSignal<Option<String>>,
}

/// `/admin/contacts/join`.
#[component]
pub fn JoinLinkPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let actions = LinkActions {
        rotate: ServerAction::new(),
        renew: ServerAction::new(),
        approve: ServerAction::new(),
        reject: ServerAction::new(),
        approving: RwSignal::new(None),
        rejecting: RwSignal::new(None),
    };
    provide_context(actions);
    let link = Resource::new(
        move || {
            (
                actions.rotate.version().get(),
                actions.renew.version().get(),
            )
        },
        |_| join_link_state(),
    );
    // The list is read again after a decision that went through, never
    // after a refused one: the open form keeps what was chosen and typed.
    let decided = RwSignal::new(0u32);
    let requests = Resource::new(
        move || {
            (
                query.read().get("status").unwrap_or_default(),
                query.read().get("page").unwrap_or_default(),
                decided.get(),
            )
        },
        |(status, page, _)| join_requests(status, page.parse().unwrap_or(1)),
    );
    Effect::new(move |_| {
        if matches!(actions.approve.value().get(), Some(Ok(()))) {
            actions.approving.set(None);
            decided.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if matches!(actions.reject.value().get(), Some(Ok(()))) {
            decided.update(|n| *n += 1);
        }
    });
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, join_link.title)) />
        <section class="page page--wide" data-page="join-link">
            <h1>{t!(i18n, join_link.title)}</h1>
            <p class="page__lead">{t!(i18n, join_link.lead)}</p>
            <Loaded resource=link let:v>
                <LinkPanel v />
            </Loaded>
            <Loaded resource=requests let:r>
                <RequestList r status=query.read_untracked().get("status").unwrap_or_default() />
            </Loaded>
        </section>
    }
}

#[component]
fn LinkPanel(v: JoinLinkView) -> impl IntoView {
    let i18n = use_i18n();
    let a = expect_context::<LinkActions>();
    let has_link = v.url.is_some();
    view! {
        <section class="panel join-link" data-part="join-link">
            <h2>{t!(i18n, join_link.link)}</h2>
            {(!v.enabled).then(|| view! {
                <p class="notice notice--warning" data-notice="join-link-off">
                    {t!(i18n, join_link.off)} " "
                    <A href="/admin/security">{t!(i18n, nav.org_security)}</A>
                </p>
            })}
            <FormError error=last_error(a.rotate) />
            <FormError error=last_error(a.renew) />
            {match (v.url.clone(), v.qr_svg.clone()) {
                (Some(url), Some(svg)) => view! {
                    <div class="join-link__body">
                        <div class="join-link__qr" inner_html=svg aria-label=move || t_string!(i18n, join_link.qr_label)></div>
                        <div class="join-link__facts">
                            <label class="field__label" for="join-url">{t!(i18n, join_link.url)}</label>
                            <input class="field__input" id="join-url" readonly value=url.clone() data-join-url=url.clone() translate="no" />
                            <p class:notice=v.expired class:notice--warning=v.expired class:muted=!v.expired data-expired=v.expired.to_string()>
                                {if v.expired { t!(i18n, join_link.expired).into_any() } else { t!(i18n, join_link.expires, at = v.expires_at.clone().unwrap_or_default()).into_any() }}
                            </p>
                            <div class="actions">
                                <ActionForm action=a.renew>
                                    <button type="submit" class="button button--primary" data-action="renew-link">{t!(i18n, join_link.renew)}</button>
                                </ActionForm>
                                <a class="button" href="/admin/contacts/join/qr.png" download="join-qr.png">{t!(i18n, join_link.download)}</a>
                                <a class="button" href="/admin/contacts/join/poster" target="_blank">{t!(i18n, join_link.poster)}</a>
                            </div>
                        </div>
                    </div>
                }.into_any(),
                _ => view! { <p class="empty">{t!(i18n, join_link.none)}</p> }.into_any(),
            }}
            <ActionPanel name="rotate-link" label={if has_link { text!(i18n, join_link.rotate) } else { text!(i18n, join_link.make) }} danger=has_link>
                <ActionForm action=a.rotate attr:class="action__form">
                    <ConfirmStep
                        button={if has_link { text!(i18n, join_link.rotate) } else { text!(i18n, join_link.make) }}
                        action="rotate-link".to_owned()
                        danger=has_link
                    >
                        {if has_link { t!(i18n, join_link.rotate_confirm).into_any() } else { t!(i18n, join_link.make_confirm).into_any() }}
                    </ConfirmStep>
                </ActionForm>
            </ActionPanel>
        </section>
    }
}

#[component]
fn RequestList(r: Requests, status: String) -> impl IntoView {
    let i18n = use_i18n();
    let decided = status == "decided";
    let rows = r
        .items
        .clone()
        .into_iter()
        .map(|row| view! { <RequestRow row /> })
        .collect_view();
    let empty = r.items.is_empty();
    let link_status = if decided { "decided" } else { "" };
    view! {
        <section class="panel" data-part="join-requests">
            <h2>{t!(i18n, join_link.requests)}</h2>
            <nav class="tabs" aria-label=move || t_string!(i18n, join_link.requests)>
                <a class="tabs__tab" href="/admin/contacts/join" aria-current={(!decided).then_some("page")}>{t!(i18n, join_link.pending)}</a>
                <a class="tabs__tab" href="/admin/contacts/join?status=decided" aria-current={decided.then_some("page")}>{t!(i18n, join_link.decided)}</a>
            </nav>
            {if empty {
                view! { <p class="empty" data-empty="requests">{t!(i18n, join_link.no_requests)}</p> }.into_any()
            } else {
                view! { <ul class="join-requests">{rows}</ul> }.into_any()
            }}
            <Pager page=r.page pages=r.pages href=move |n| format!("/admin/contacts/join?status={link_status}&page={n}") />
        </section>
    }
}

#[component]
fn RequestRow(row: JoinRequestRow) -> impl IntoView {
    let i18n = use_i18n();
    let a = expect_context::<LinkActions>();
    let pending = row.status == "pending";
    let id = row.id.clone();
    let who = row.name.clone();
    let reject_id = row.id.clone();
    let mine = row.id.clone();
    let sent_id = row.id.clone();
    let reason_id = format!("reject-reason-{}", row.id);
    let this = row.id.clone();
    let approving_this = Memo::new(move |_| {
        a.approving
            .with(|open| open.as_ref().is_some_and(|(open, _)| *open == this))
    });
    // Only this row's rejection answers here.
    let error = Signal::derive(move || {
        (a.rejecting.get().as_deref() == Some(mine.as_str()))
            .then(|| last_error(a.reject).get())
            .flatten()
    });
    let status_text = match row.status.as_str() {
        "approved" => text!(i18n, join_link.approved),
        "rejected" => text!(i18n, join_link.rejected),
        _ => text!(i18n, join_link.waiting),
    };
    view! {
        <li class="join-request" data-request=row.mobile.clone() data-status=row.status.clone()>
            <div class="join-request__who">
                <strong translate="no">{row.name.clone()}</strong>
                <span translate="no">{row.mobile.clone()}</span>
                {row.email.clone().map(|e| view! { <span translate="no">{e}</span> })}
                {row.department.clone().map(|d| view! { <span>{t!(i18n, join_link.expects)} " " <span translate="no">{d}</span></span> })}
                <span class="muted">{row.at.clone()} " · " {status_text}</span>
                {row.duplicate.then(|| view! { <span class="badge badge--warning" data-duplicate="true">{t!(i18n, join_link.duplicate)}</span> })}
                {row.reason.clone().map(|r| view! { <span class="muted">{t!(i18n, join_link.reason)} ": " {r}</span> })}
                {row.account_id.clone().map(|p| view! { <A href=format!("/admin/contacts/employees/{p}")>{t!(i18n, join_link.open_person)}</A> })}
            </div>
            {pending.then(|| view! {
                <div class="actions">
                    <button type="button" class="button button--primary" data-action="approve-request" on:click=move |_| {
                        // A fresh form: no answer left from another request.
                        a.approve.value().set(None);
                        a.approving.set(Some((id.clone(), who.clone())));
                    }>
                        {t!(i18n, join_link.approve)}
                    </button>
                    <ActionPanel name="reject-request" label=text!(i18n, join_link.reject) danger=true>
                        <ActionForm action=a.reject attr:class="action__form" on:submit=move |_| a.rejecting.set(Some(sent_id.clone()))>
                            <input type="hidden" name="id" value=reject_id.clone() />
                            <FormError error />
                            <div class="field">
                                <label class="field__label" for=reason_id.clone()>{t!(i18n, join_link.reason)}</label>
                                <p class="field__hint">{t!(i18n, join_link.reason_hint)}</p>
                                <input class="field__input" id=reason_id.clone() name="reason" required maxlength="200" />
                                {move || field_code(error, "reason").get().map(|code| view! {
                                    <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p>
                                })}
                            </div>
                            <ConfirmStep button=text!(i18n, join_link.reject) action="reject-request".to_owned() danger=true>
                                {t!(i18n, join_link.reject_confirm)}
                            </ConfirmStep>
                        </ActionForm>
                    </ActionPanel>
                </div>
            })}
            {move || approving_this.get().then(|| view! { <ApprovalForm /> })}
        </li>
    }
}

/// The approval form, under the request being approved: its departments.
#[component]
fn ApprovalForm() -> impl IntoView {
    let i18n = use_i18n();
    let a = expect_context::<LinkActions>();
    let error = last_error(a.approve);
    move || {
        a.approving.get().map(|(id, name)| {
            let departments = RwSignal::new(Vec::<(String, String, bool)>::new());
            let main = RwSignal::new(String::new());
            view! {
                <ActionForm action=a.approve attr:class="form panel panel--inset" attr:data-form="approve-request">
                    <h3>{t!(i18n, join_link.approve_heading)} " — " <span translate="no">{name}</span></h3>
                    <input type="hidden" name="id" value=id />
                    <FormError error />
                    {move || {
                        ["member_cap", "id", "mobile", "email"]
                            .iter()
                            .filter_map(|f| field_code(error, f).get())
                            .map(|code| view! { <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p> })
                            .collect_view()
                    }}
                    <crate::contacts::pages::DepartmentPicker departments main error />
                    <div class="form__actions">
                        <button type="submit" class="button button--primary" data-action="confirm-approve">{t!(i18n, join_link.approve_confirm)}</button>
                        <button type="button" class="button" on:click=move |_| a.approving.set(None)>{t!(i18n, join_link.cancel)}</button>
                    </div>
                </ActionForm>
            }
        })
    }
}

/// `/admin/contacts/join/poster`: the QR code on an A4 page with the
/// organisation's name, to print and put up.
#[component]
pub fn JoinPosterPage() -> impl IntoView {
    let i18n = use_i18n();
    let link = Resource::new(|| (), |_| join_link_state());
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, join_link.poster)) />
        <section class="poster" data-page="join-poster">
            <Loaded resource=link let:v>
                {match v.qr_svg.clone() {
                    Some(svg) => view! {
                        <p class="poster__organisation" translate="no">{v.organisation.clone()}</p>
                        <h1 class="poster__title">{t!(i18n, join_link.poster_title)}</h1>
                        <div class="poster__qr" inner_html=svg></div>
                        <p class="poster__how">{t!(i18n, join_link.poster_how)}</p>
                        <p class="poster__url" translate="no">{v.url.clone().unwrap_or_default()}</p>
                        <p class="poster__expires no-print">{t!(i18n, join_link.expires, at = v.expires_at.clone().unwrap_or_default())}</p>
                        <button type="button" class="button button--primary no-print" on:click=move |_| { let _ = window().print(); }>{t!(i18n, join_link.print)}</button>
                    }.into_any(),
                    None => view! { <p class="empty">{t!(i18n, join_link.none)}</p> }.into_any(),
                }}
            </Loaded>
        </section>
    }
}

/// `/join/request`: asking to join through the organisation's link.
#[component]
pub fn JoinRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let view_of = Resource::new(|| (), |_| join_request_state());
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, join_link.ask_title)) />
        <section class="auth-card join" data-page="join-request">
            <Loaded resource=view_of let:v>
                {match v {
                    JoinRequestView::Open { organisation } => view! { <AskForm organisation /> }.into_any(),
                    JoinRequestView::Dead => view! {
                        <h1>{t!(i18n, join.dead_title)}</h1>
                        <p class="auth-card__lead" data-reason="dead">{t!(i18n, errors.join_link_dead)}</p>
                    }.into_any(),
                    JoinRequestView::NoLink => view! {
                        <h1>{t!(i18n, join_link.ask_title)}</h1>
                        <p class="auth-card__lead">{t!(i18n, join_link.scan_first)}</p>
                    }.into_any(),
                }}
            </Loaded>
        </section>
    }
}

#[component]
fn AskForm(organisation: String) -> impl IntoView {
    let i18n = use_i18n();
    let send = ServerAction::<JoinRequestCode>::new();
    let submit = ServerAction::<JoinRequestSubmit>::new();
    let send_error = last_error(send);
    let submit_error = last_error(submit);
    let cooldown = Cooldown::new();
    Effect::new(move |_| cooldown.follow(send.value().get(), |secs| *secs));
    let mobile = RwSignal::new(String::new());
    let done = move || matches!(submit.value().get(), Some(Ok(())));
    let field_errors = move |error: Signal<Option<crate::error::AppError>>,
                             fields: &'static [&'static str]| {
        move || {
            fields
                .iter()
                .filter_map(|f| field_code(error, f).get())
                .map(|code| view! { <p class="field__error" role="alert" data-code=code.as_str()>{code.text(i18n.get_locale())}</p> })
                .collect_view()
        }
    };
    view! {
        <p class="join__organisation" translate="no">{organisation.clone()}</p>
        <h1>{t!(i18n, join_link.ask_title)}</h1>
        <Show
            when=done
            fallback=move || view! {
                <p class="auth-card__lead">{t!(i18n, join_link.ask_lead)}</p>
                <ActionForm action=send>
                    <crate::ui::challenge::ChallengeField error=send_error />
                    <FormError error=send_error cooldown=cooldown />
                    {field_errors(send_error, &["link", "code"])}
                    <div class="field">
                        <label class="field__label" for="ask-mobile">{t!(i18n, contacts.field_mobile)}</label>
                        <input
                            class="field__input"
                            id="ask-mobile"
                            name="mobile"
                            type="tel"
                            autocomplete="tel"
                            required
                            maxlength="20"
                            prop:value=move || mobile.get()
                            on:input=move |ev| mobile.set(event_target_value(&ev))
                        />
                        {field_errors(send_error, &["mobile"])}
                    </div>
                    <button type="submit" class="button button--block" disabled=move || send.pending().get() || cooldown.waiting() data-action="send-code">
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
                <ActionForm action=submit>
                    <input type="hidden" name="mobile" value=move || mobile.get() />
                    <FormError error=submit_error />
                    {field_errors(submit_error, &["link", "mobile"])}
                    <Field name="code" form="ask" label=text!(i18n, forgot.code) autocomplete="one-time-code" inputmode="numeric" maxlength=6 error=field_code(submit_error, "code") />
                    <Field name="name" form="ask" label=text!(i18n, contacts.field_name) autocomplete="name" maxlength=64 error=field_code(submit_error, "name") />
                    <Field name="email" form="ask" required=false input_type="email" autocomplete="email" label=text!(i18n, join_link.email_optional) error=field_code(submit_error, "email") />
                    <Field name="department" form="ask" required=false label=text!(i18n, join_link.department) hint=text!(i18n, join_link.department_hint) maxlength=128 error=field_code(submit_error, "department") />
                    <div class="form__actions">
                        <button type="submit" class="button button--primary button--block" disabled=move || submit.pending().get() data-action="ask-to-join">
                            {t!(i18n, join_link.ask_submit)}
                        </button>
                    </div>
                </ActionForm>
            }
        >
            <p class="alert alert--info" role="status" data-part="asked">{t!(i18n, join_link.asked)}</p>
        </Show>
    }
}
