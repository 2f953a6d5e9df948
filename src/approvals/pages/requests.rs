//! `/me/requests`: the caller's requests and the templates they may start
//! one from; `/me/requests/new/:template`: the form, the approvers it
//! would go to, and submitting.
use super::fill::{FormFields, Labels, Picker};
use super::{RouteSteps, StatusBadge, pick};
use crate::approvals::api::{
    ApprovalSubmit, approval_catalog, approval_form, approval_mine, approval_preview,
};
use crate::approvals::form::RawForm;
use crate::approvals::{RequestPage as Page, RequestRow};
use crate::error::{AppError, FieldError};
use crate::i18n::*;
use crate::ui::{FormError, Loaded, Pager, url_encode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use std::collections::BTreeMap;

const STATUSES: [&str; 6] = [
    "pending",
    "approved",
    "rejected",
    "returned",
    "withdrawn",
    "revoked",
];

/// `/me/requests`.
#[component]
pub fn MyRequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).unwrap_or_default();
    let catalog = Resource::new(|| (), |_| approval_catalog());
    let mine = Resource::new(
        move || (param("status"), param("page")),
        |(status, page)| approval_mine(status, page.parse().unwrap_or(1)),
    );
    let filter = move |status: &'static str| {
        let href = if status.is_empty() {
            "/me/requests".to_owned()
        } else {
            format!("/me/requests?status={status}")
        };
        let current = move || param("status") == status;
        view! {
            // A plain link: the router's own marks every tab of one path as current.
            <a href=href class="tabs__tab" aria-current=move || current().then_some("page")>
                {move || if status.is_empty() {
                    t_string!(i18n, approvals.all).to_string()
                } else {
                    super::status_text(i18n.get_locale(), status)
                }}
            </a>
        }
    };
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, approvals.my_requests)) />
        <section class="page requests" data-page="my-requests">
            <p><A href="/me">{t!(i18n, me.back_home)}</A></p>
            <h1>{t!(i18n, approvals.my_requests)}</h1>
            <p class="page__lead"><A href="/me/approvals">{t!(i18n, approvals.to_inbox)}</A></p>
            <section class="panel" data-part="catalog">
                <h2>{t!(i18n, approvals.start)}</h2>
                <Loaded resource=catalog let:list>
                    {if list.is_empty() {
                        view! { <p class="empty">{t!(i18n, approvals.no_templates)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="cards">
                                {list.into_iter().map(|t| {
                                    let href = format!("/me/requests/new/{}", t.id);
                                    let (en, zh, den, dzh) = (t.name_en.clone(), t.name_zh.clone(), t.description_en.clone(), t.description_zh.clone());
                                    view! {
                                        <li class="card" data-template=t.kind.clone()>
                                            <A href=href attr:class="card__link">
                                                <strong>{move || pick(i18n.get_locale(), &en, &zh)}</strong>
                                                <span class="muted">{move || pick(i18n.get_locale(), &den, &dzh)}</span>
                                            </A>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </Loaded>
            </section>
            <section class="panel" data-part="submitted">
                <h2>{t!(i18n, approvals.submitted)}</h2>
                <nav class="tabs" aria-label=move || t_string!(i18n, approvals.filter_status)>
                    {filter("")}
                    {STATUSES.into_iter().map(filter).collect_view()}
                </nav>
                <Loaded resource=mine let:page>
                    <RequestList page empty=Signal::derive(move || t_string!(i18n, approvals.no_requests).to_string())
                        href=move |n| {
                            let status = param("status");
                            if status.is_empty() { format!("/me/requests?page={n}") } else { format!("/me/requests?status={}&page={n}", url_encode(&status)) }
                        } />
                </Loaded>
            </section>
        </section>
    }
}

/// Requests as cards (a phone's width), with their pager.
#[component]
pub fn RequestList<H>(
    page: Page,
    #[prop(into)] empty: Signal<String>,
    href: H,
    /// Tasks ticked for a batch approval (the inbox's pending tab).
    #[prop(optional)]
    selected: Option<RwSignal<Vec<String>>>,
) -> impl IntoView
where
    H: Fn(i64) -> String + 'static,
{
    let pages = (page.total + page.per_page - 1) / page.per_page.max(1);
    if page.rows.is_empty() {
        return view! { <p class="empty">{move || empty.get()}</p> }.into_any();
    }
    view! {
        <ul class="requests__list plain">
            {page.rows.into_iter().map(|r| view! { <RequestCard r selected /> }).collect_view()}
        </ul>
        <Pager page=page.page pages href />
    }
    .into_any()
}

#[component]
fn RequestCard(r: RequestRow, selected: Option<RwSignal<Vec<String>>>) -> impl IntoView {
    let i18n = use_i18n();
    let tick = selected.zip(r.task.clone()).map(|(sel, task)| {
        let t1 = task.clone();
        let label = format!("#{}", r.number);
        view! {
            <label class="request-card__tick">
                <input type="checkbox" data-task=task.clone()
                    prop:checked=move || sel.with(|s| s.contains(&t1))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        sel.update(|s| {
                            s.retain(|x| *x != task);
                            if on {
                                s.push(task.clone());
                            }
                        });
                    } />
                <span class="visually-hidden">{t!(i18n, approvals.select)} " " {label}</span>
            </label>
        }
    });
    let href = format!("/me/requests/{}", r.id);
    let (en, zh) = (r.template_en.clone(), r.template_zh.clone());
    let waiting = r.waiting_for.join("、");
    view! {
        <li class="request-card" data-request=r.id.clone()>
            {tick}
            <A href=href attr:class="request-card__link">
                <span class="request-card__head">
                    <strong>{move || pick(i18n.get_locale(), &en, &zh)}</strong>
                    <StatusBadge status=r.status.clone() />
                </span>
                <span class="request-card__summary" translate="no">{r.summary.clone()}</span>
                <span class="muted">
                    <span translate="no">{r.submitter_name.clone()}</span>
                    " · " {r.submitted_at.clone()} " · #" {r.number}
                </span>
                {(!waiting.is_empty()).then(|| view! {
                    <span class="muted">{t!(i18n, approvals.waiting_for)} ": " <span translate="no">{waiting.clone()}</span></span>
                })}
            </A>
        </li>
    }
}

/// `/me/requests/new/:template` (`?from=` a request of the caller's to
/// start from: a copy, or with `resubmit=1` a returned one to change).
#[component]
pub fn NewRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let template = move || params.read().get("template").unwrap_or_default();
    let from = move || query.read().get("from").unwrap_or_default();
    let loaded = Resource::new(move || (template(), from()), |(t, f)| approval_form(t, f));
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, approvals.new_request)) />
        <section class="page new-request" data-page="new-request">
            <p><A href="/me/requests">{t!(i18n, approvals.back_to_requests)}</A></p>
            <Loaded resource=loaded let:pair>
                <Filling view=pair.0 start=pair.1 />
            </Loaded>
        </section>
    }
}

#[component]
fn Filling(view: crate::approvals::FormView, start: Option<RawForm>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let from = query.read_untracked().get("from").unwrap_or_default();
    let resubmit = query
        .read_untracked()
        .get("resubmit")
        .is_some_and(|v| v == "1");
    let template = view.template.clone();
    let raw = RwSignal::new(start.unwrap_or_default());
    let labels: Labels = RwSignal::new(
        view.names
            .people
            .iter()
            .chain(&view.names.departments)
            .cloned()
            .collect(),
    );
    let department = RwSignal::new(
        view.departments
            .first()
            .map(|d| d.0.clone())
            .unwrap_or_default(),
    );
    let chosen: RwSignal<BTreeMap<String, String>> = RwSignal::new(BTreeMap::new());
    // Once the person has tried to send, each field says what is wrong as
    // they change it.
    let attempted = RwSignal::new(false);
    let form_schema = StoredValue::new(view.design.form.clone());
    let client_errors = Memo::new(move |_| {
        if !attempted.get() {
            return Vec::<FieldError>::new();
        }
        form_schema.with_value(|f| f.read(&raw.get(), &|_, _| true).err().unwrap_or_default())
    });
    let submit = ServerAction::<ApprovalSubmit>::new();
    let server_error = Signal::derive(move || submit.value().get().and_then(|r| r.err()));
    // A link away from a form filled in but not sent asks first (`blank`
    // is set once the fields are built, below).
    let blank = StoredValue::new(raw.get_untracked());
    let dirty = Memo::new(move |_| {
        !submit.value().with(|v| matches!(v, Some(Ok(_))))
            && blank.with_value(|b| raw.with(|r| r != b))
    });
    crate::ui::guard_unsaved(dirty.into(), move || {
        t_string!(i18n, approvals.leave_unsaved).to_string()
    });
    let errors = Signal::derive(move || {
        let mut e = client_errors.get();
        if let Some(AppError::Validation { fields }) = server_error.get() {
            e.extend(fields);
        }
        e
    });
    let chosen_json = move || {
        let map: BTreeMap<String, Vec<String>> = chosen
            .get()
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    v.split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                )
            })
            .collect();
        serde_json::to_string(&map).unwrap_or_default()
    };
    let tid = template.id.clone();
    let preview = Resource::new(
        move || (raw.get(), chosen_json(), department.get()),
        move |(r, c, d)| {
            let tid = tid.clone();
            async move {
                approval_preview(tid, serde_json::to_string(&r).unwrap_or_default(), c, d).await
            }
        },
    );
    let form = StoredValue::new(view.design.form.clone());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = submit.value().get() {
            navigate(&format!("/me/requests/{id}"), Default::default());
        }
    });
    let tid = template.id.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        let problems = form.with_value(|f| {
            f.read(&raw.get_untracked(), &|_, _| true)
                .err()
                .unwrap_or_default()
        });
        if !problems.is_empty() {
            return;
        }
        submit.dispatch(ApprovalSubmit {
            id: tid.clone(),
            form: serde_json::to_string(&raw.get_untracked()).unwrap_or_default(),
            chosen: chosen_json(),
            department: department.get_untracked(),
            copied_from: if resubmit {
                String::new()
            } else {
                from.clone()
            },
            resubmit: if resubmit {
                from.clone()
            } else {
                String::new()
            },
        });
    };
    let (en, zh) = (template.name_en.clone(), template.name_zh.clone());
    let departments = view.departments.clone();
    let page = view! {
        <h1>{move || pick(i18n.get_locale(), &en, &zh)}</h1>
        {resubmit.then(|| view! { <p class="notice">{t!(i18n, approvals.resubmit_hint)}</p> })}
        <form class="request-form" novalidate on:submit=on_submit>
            <FormError error=server_error />
            {move || (!client_errors.get().is_empty()).then(|| view! {
                <p class="form-error" role="alert">{t!(i18n, approvals.fix_fields)}</p>
            })}
            {(departments.len() > 1).then(|| view! {
                <div class="field">
                    <label class="field__label" for="request-department">{t!(i18n, approvals.department)}</label>
                    <select class="field__input" id="request-department" on:change=move |ev| department.set(event_target_value(&ev))>
                        {departments.iter().map(|(id, path)| view! {
                            <option value=id.clone() translate="no">{path.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
            })}
            <FormFields form=view.design.form.clone() raw errors labels />
            <section class="panel" data-part="approvers" aria-live="polite">
                <h2>{t!(i18n, approvals.approvers)}</h2>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Ok(rv) => {
                                let choices = rv.route.steps.iter().filter(|s| s.needs_choice || chosen.with_untracked(|c| c.contains_key(&s.node_id))).map(|s| {
                                    let node = s.node_id.clone();
                                    let node2 = node.clone();
                                    let (sen, szh) = (s.name_en.clone(), s.name_zh.clone());
                                    let value = Signal::derive(move || chosen.with(|c| c.get(&node).cloned().unwrap_or_default()));
                                    let set = Callback::new(move |v: String| chosen.update(|c| { c.insert(node2.clone(), v); }));
                                    let path = format!("choose.{}", s.node_id);
                                    let error = Signal::derive(move || errors.with(|e| e.iter().find(|f| f.field == path).map(|f| f.code)));
                                    view! {
                                        <div class="field">
                                            <p class="field__label">{t!(i18n, approvals.choose_for)} " " {move || pick(i18n.get_locale(), &sen, &szh)}</p>
                                            <Picker id=format!("choose-{}", s.node_id) kind="person" multiple=true value set labels />
                                            {move || error.get().map(|code| view! { <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p> })}
                                        </div>
                                    }
                                }).collect_view();
                                view! { {choices} <RouteSteps route=rv.route names=rv.names /> }.into_any()
                            }
                            // Until the form reads, the route cannot be told.
                            Err(_) => view! { <p class="muted">{t!(i18n, approvals.preview_after_fields)}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <button type="submit" class="button button--primary" disabled=move || submit.pending().get()>
                {move || if resubmit { t_string!(i18n, approvals.resubmit).to_string() } else { t_string!(i18n, approvals.submit).to_string() }}
            </button>
        </form>
    };
    // The form as it stands once its fields are built (a table starts
    // with one empty row) is what counts as nothing filled in.
    blank.set_value(raw.get_untracked());
    page
}
