//! `/me/requests/:id`: a request with its form, its route and timeline,
//! and what the reader may do: decide their task, withdraw, copy or change
//! and resubmit it. Also the attachment control of the form.
use super::fill::Labels;
use super::{RouteSteps, StatusBadge, pick};
use crate::approvals::api::{
    ApprovalDecide, ApprovalHand, ApprovalUrge, ApprovalWithdraw, approval_request,
};
use crate::approvals::form::{ControlKind, FormSchema, Value, Values, show, yuan};
use crate::approvals::{Names, RequestDetail};
use crate::i18n::*;
use crate::ui::{FormError, Loaded, last_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// What the reader of a request may do to it; the page reloads after each.
#[derive(Clone, Copy)]
struct Actions {
    decide: ServerAction<ApprovalDecide>,
    withdraw: ServerAction<ApprovalWithdraw>,
    hand: ServerAction<ApprovalHand>,
    urge: ServerAction<ApprovalUrge>,
}

/// `/me/requests/:id`.
#[component]
pub fn RequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let actions = Actions {
        decide: ServerAction::new(),
        withdraw: ServerAction::new(),
        hand: ServerAction::new(),
        urge: ServerAction::new(),
    };
    let detail = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                actions.decide.version().get(),
                actions.withdraw.version().get(),
                actions.hand.version().get(),
                actions.urge.version().get(),
            )
        },
        |(id, ..)| approval_request(id),
    );
    provide_context(actions);
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, approvals.request)) />
        <section class="page request" data-page="request">
            <p>
                <A href="/me/requests">{t!(i18n, approvals.back_to_requests)}</A>
                " · "
                <A href="/me/approvals">{t!(i18n, approvals.to_inbox)}</A>
            </p>
            <Loaded resource=detail let:d>
                <Detail d />
            </Loaded>
        </section>
    }
}

#[component]
fn Detail(d: RequestDetail) -> impl IntoView {
    let i18n = use_i18n();
    let (en, zh) = (d.row.template_en.clone(), d.row.template_zh.clone());
    let names = d.names.clone();
    let values = form_values(&d.form, &d.values, &names);
    let timeline = d
        .timeline
        .iter()
        .map(|e| {
            let kind = e.kind.clone();
            let data_kind = kind.clone();
            let actor = e.actor.clone();
            let behalf = e.on_behalf_of.clone();
            let step = e
                .node
                .and_then(|n| d.route.steps.get(n as usize))
                .map(|s| (s.name_en.clone(), s.name_zh.clone()));
            view! {
                <li class="timeline__event" data-kind=data_kind>
                    <span class="muted">{e.at.clone()}</span>
                    " "
                    <strong translate="no">{actor.clone().unwrap_or_default()}</strong>
                    {behalf.map(|b| view! {
                        " " <span class="badge">{t!(i18n, approvals.for_person, name = b.clone())}</span>
                    })}
                    " " {move || event_text(i18n.get_locale(), &kind)}
                    {step.map(|(a, b)| view! { " · " <span class="muted">{move || pick(i18n.get_locale(), &a, &b)}</span> })}
                    {e.comment.clone().map(|c| view! { <blockquote class="timeline__comment">{c}</blockquote> })}
                </li>
            }
        })
        .collect_view();
    let copy_href = format!("/me/requests/new/{}?from={}", d.template, d.row.id);
    let resubmit_href = format!(
        "/me/requests/new/{}?from={}&resubmit=1",
        d.template, d.row.id
    );
    let status = d.row.status.clone();
    let may_copy = d.is_submitter
        && matches!(
            status.as_str(),
            "rejected" | "withdrawn" | "revoked" | "approved"
        );
    let returned = d.is_submitter && status == "returned";
    view! {
        <h1>{move || pick(i18n.get_locale(), &en, &zh)} " " <StatusBadge status=d.row.status.clone() /></h1>
        <p class="muted">
            "#" {d.row.number} " · " <span translate="no">{d.row.submitter_name.clone()}</span> " · " {d.row.submitted_at.clone()}
        </p>
        {returned.then(|| view! {
            <p class="notice">{t!(i18n, approvals.returned_hint)} " "
                <A href=resubmit_href attr:class="button button--primary">{t!(i18n, approvals.change_and_resubmit)}</A>
            </p>
        })}
        {d.my_task.clone().map(|task| view! { <DecidePanel task returns=d.returns steps=d.route.steps.iter().map(|s| (s.name_en.clone(), s.name_zh.clone(), s.outcome == crate::approvals::route::Outcome::Decide)).collect() current=d.current_node /> })}
        <section class="panel" data-part="form">
            <h2>{t!(i18n, approvals.details)}</h2>
            <dl class="facts">{values}</dl>
        </section>
        <section class="panel" data-part="progress">
            <h2>{t!(i18n, approvals.progress)}</h2>
            <RouteSteps route=d.route.clone() names=d.names.clone() current=d.current_node.unwrap_or(-1) />
        </section>
        <section class="panel" data-part="timeline">
            <h2>{t!(i18n, approvals.timeline)}</h2>
            <ol class="timeline plain">{timeline}</ol>
        </section>
        <div class="actions">
            {d.can_withdraw.then(|| view! { <WithdrawButton request=d.row.id.clone() /> })}
            {(d.is_submitter && d.row.status == "pending").then(|| view! { <UrgeButton request=d.row.id.clone() can=d.can_urge /> })}
            {may_copy.then(|| view! { <A href=copy_href attr:class="button">{t!(i18n, approvals.copy)}</A> })}
        </div>
    }
}

fn event_text(locale: Locale, kind: &str) -> String {
    match kind {
        "submitted" => td_string!(locale, approvals.ev_submitted),
        "approved" => td_string!(locale, approvals.ev_approved),
        "rejected" => td_string!(locale, approvals.ev_rejected),
        "returned" => td_string!(locale, approvals.ev_returned),
        "resubmitted" => td_string!(locale, approvals.ev_resubmitted),
        "withdrawn" => td_string!(locale, approvals.ev_withdrawn),
        "revoked" => td_string!(locale, approvals.ev_revoked),
        "skipped" => td_string!(locale, approvals.ev_skipped),
        "auto_approved" => td_string!(locale, approvals.ev_auto_approved),
        "delegated" => td_string!(locale, approvals.ev_delegated),
        _ => td_string!(locale, approvals.ev_other),
    }
    .to_string()
}

/// The form's values as label and shown value, in the form's order.
fn form_values(form: &FormSchema, values: &Values, names: &Names) -> impl IntoView + use<> {
    let i18n = use_i18n();
    form.controls
        .iter()
        .filter(|c| !matches!(c.kind, ControlKind::Note { .. }))
        .map(|c| {
            let (en, zh) = (c.label_en.clone(), c.label_zh.clone());
            let shown = values
                .get(&c.id)
                .map(|v| shown(&c.kind, v, names))
                .unwrap_or_else(|| view! { "—" }.into_any());
            view! {
                <dt>{move || pick(i18n.get_locale(), &en, &zh)}</dt>
                <dd data-control=c.id.clone()>{shown}</dd>
            }
        })
        .collect_view()
}

fn shown(kind: &ControlKind, v: &Value, names: &Names) -> AnyView {
    let i18n = use_i18n();
    match (kind, v) {
        (ControlKind::Choice { options, .. }, Value::Choice(keys)) => {
            let labels: Vec<(String, String)> = keys
                .iter()
                .filter_map(|k| options.iter().find(|o| &o.key == k))
                .map(|o| (o.en.clone(), o.zh.clone()))
                .collect();
            view! { {move || labels.iter().map(|(a, b)| pick(i18n.get_locale(), a, b)).collect::<Vec<_>>().join("、")} }.into_any()
        }
        (_, Value::Money(f)) => view! { "¥" {yuan(*f)} }.into_any(),
        (_, Value::HalfDays { .. } | Value::Days { .. }) => {
            let days = v.duration().unwrap_or(0.0);
            let text = show(v);
            // Morning and afternoon in the reader's language.
            let shown = move || {
                let l = i18n.get_locale();
                text.replace(" am", &format!(" {}", td_string!(l, approvals.morning)))
                    .replace(" pm", &format!(" {}", td_string!(l, approvals.afternoon)))
                    .replace('/', " – ")
            };
            view! { {shown} " · " {t!(i18n, approvals.days, n = days)} }.into_any()
        }
        (_, Value::Hours { .. }) => {
            let hours = v.duration().unwrap_or(0.0);
            view! { {show(v).replace('T', " ").replace('/', " – ")} " · " {t!(i18n, approvals.hours, n = hours)} }.into_any()
        }
        (_, Value::People(ids)) => view! { <span translate="no">{ids.iter().map(|i| names.person(i)).collect::<Vec<_>>().join("、")}</span> }.into_any(),
        (_, Value::Departments(ids)) => view! { <span translate="no">{ids.iter().map(|i| names.department(i)).collect::<Vec<_>>().join("、")}</span> }.into_any(),
        (_, Value::Files(ids)) => view! {
            <ul class="plain">{ids.iter().map(|i| view! {
                <li><a href=format!("/me/approvals/files/{i}") target="_blank" rel="noopener" translate="no">{names.file(i)}</a></li>
            }).collect_view()}</ul>
        }
        .into_any(),
        (ControlKind::Table { columns }, Value::Table(rows)) => {
            let total = v.measure();
            let rows = rows
                .iter()
                .enumerate()
                .map(|(n, row)| {
                    let cells = columns
                        .iter()
                        .map(|col| {
                            let (en, zh) = (col.label_en.clone(), col.label_zh.clone());
                            let cell = row.get(&col.id).map(|x| shown(&col.kind, x, names)).unwrap_or_else(|| view! { "—" }.into_any());
                            view! { <dt>{move || pick(i18n.get_locale(), &en, &zh)}</dt><dd>{cell}</dd> }
                        })
                        .collect_view();
                    view! { <li class="table-row"><p class="muted">{t!(i18n, approvals.row, n = n + 1)}</p><dl class="facts">{cells}</dl></li> }
                })
                .collect_view();
            view! {
                <ol class="plain">{rows}</ol>
                {total.map(|t| view! { <p><strong>{t!(i18n, approvals.total)} ": ¥" {yuan((t * 100.0).round() as i64)}</strong></p> })}
            }
            .into_any()
        }
        _ => view! { <span class="pre-wrap">{show(v)}</span> }.into_any(),
    }
}

/// Approve, reject (with a comment) and, where the flow allows it, send back.
#[component]
fn DecidePanel(
    task: String,
    returns: bool,
    steps: Vec<(String, String, bool)>,
    current: Option<i32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Actions { decide, hand, .. } = expect_context::<Actions>();
    let comment = RwSignal::new(String::new());
    let error = Signal::derive(move || last_error(decide).get().or_else(|| last_error(hand).get()));
    let how = RwSignal::new("transfer".to_owned());
    let to = RwSignal::new(String::new());
    let labels: Labels = RwSignal::new(Default::default());
    let task3 = task.clone();
    let hand_on = move |_| {
        hand.dispatch(ApprovalHand {
            task: task3.clone(),
            to: to.get_untracked(),
            how: how.get_untracked(),
            comment: comment.get_untracked(),
        });
    };
    let back_to = RwSignal::new(String::new());
    let task2 = task.clone();
    let approve = move |_| {
        decide.dispatch(ApprovalDecide {
            task: task.clone(),
            decision: "approve".into(),
            comment: comment.get_untracked(),
            back_to: String::new(),
        });
    };
    let reject = move |_| {
        decide.dispatch(ApprovalDecide {
            task: task2.clone(),
            decision: "reject".into(),
            comment: comment.get_untracked(),
            back_to: back_to.get_untracked(),
        });
    };
    let earlier: Vec<(usize, String, String)> = steps
        .into_iter()
        .enumerate()
        .filter(|(i, (_, _, decides))| *decides && current.is_some_and(|c| (*i as i32) < c))
        .map(|(i, (a, b, _))| (i, a, b))
        .collect();
    let comment_error = crate::ui::field_code(error, "comment");
    view! {
        <section class="panel decide" data-part="decide">
            <h2>{t!(i18n, approvals.your_decision)}</h2>
            <FormError error />
            <div class="field">
                <label class="field__label" for="decide-comment">{t!(i18n, approvals.comment)}</label>
                <textarea class="field__input" id="decide-comment" rows="3" maxlength="1000"
                    prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                <p class="field__hint muted">{t!(i18n, approvals.comment_hint)}</p>
                {move || comment_error.get().map(|code| view! { <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p> })}
            </div>
            {returns.then(|| view! {
                <div class="field">
                    <label class="field__label" for="decide-back">{t!(i18n, approvals.on_reject)}</label>
                    <select class="field__input" id="decide-back" on:change=move |ev| back_to.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, approvals.reject_end)}</option>
                        <option value="submitter">{t!(i18n, approvals.reject_to_submitter)}</option>
                        {earlier.into_iter().map(|(i, a, b)| view! {
                            <option value=i.to_string()>{t!(i18n, approvals.reject_to_step)} " " {move || pick(i18n.get_locale(), &a, &b)}</option>
                        }).collect_view()}
                    </select>
                </div>
            })}
            <div class="actions">
                <button type="button" class="button button--primary" data-action="approve" on:click=approve disabled=move || decide.pending().get()>
                    {t!(i18n, approvals.approve)}
                </button>
                <button type="button" class="button button--danger" data-action="reject" on:click=reject disabled=move || decide.pending().get()>
                    {t!(i18n, approvals.reject)}
                </button>
            </div>
            <details class="hand-on" data-part="hand-on">
                <summary>{t!(i18n, approvals.hand_on)}</summary>
                <div class="field">
                    <label class="field__label" for="hand-how">{t!(i18n, approvals.hand_how)}</label>
                    <select class="field__input" id="hand-how" on:change=move |ev| how.set(event_target_value(&ev))>
                        <option value="transfer">{t!(i18n, approvals.hand_transfer)}</option>
                        <option value="before">{t!(i18n, approvals.hand_before)}</option>
                        <option value="after">{t!(i18n, approvals.hand_after)}</option>
                    </select>
                </div>
                <div class="field">
                    <span class="field__label" id="hand-to-label">{t!(i18n, approvals.hand_to)}</span>
                    <div role="group" aria-labelledby="hand-to-label">
                        <super::fill::Picker id="hand-to".to_owned() kind="person" multiple=false
                            value=Signal::derive(move || to.get()) set=Callback::new(move |v: String| to.set(v)) labels />
                    </div>
                    {move || crate::ui::field_code(error, "to").get().map(|code| view! { <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p> })}
                </div>
                <button type="button" class="button" data-action="hand-on" on:click=hand_on
                    disabled=move || hand.pending().get() || to.get().is_empty()>
                    {t!(i18n, approvals.hand_on)}
                </button>
            </details>
        </section>
    }
}

/// Reminds the approvers (催办), once an hour.
#[component]
fn UrgeButton(request: String, can: bool) -> impl IntoView {
    let i18n = use_i18n();
    let Actions { urge, .. } = expect_context::<Actions>();
    let error = last_error(urge);
    view! {
        <FormError error />
        <button type="button" class="button" data-action="urge" disabled=move || !can || urge.pending().get()
            on:click=move |_| { urge.dispatch(ApprovalUrge { id: request.clone() }); }>
            {if can { t!(i18n, approvals.urge).into_any() } else { t!(i18n, approvals.urged).into_any() }}
        </button>
    }
}

/// Withdraw, after a confirmation.
#[component]
fn WithdrawButton(request: String) -> impl IntoView {
    let i18n = use_i18n();
    let Actions { withdraw, .. } = expect_context::<Actions>();
    let error = last_error(withdraw);
    let asking = RwSignal::new(false);
    view! {
        <FormError error />
        <Show
            when=move || asking.get()
            fallback=move || view! {
                <button type="button" class="button" data-action="withdraw" on:click=move |_| asking.set(true)>
                    {t!(i18n, approvals.withdraw)}
                </button>
            }
        >
            {
                let request = request.clone();
                view! {
                    <div class="confirm" role="alertdialog" aria-labelledby="withdraw-q">
                        <p id="withdraw-q">{t!(i18n, approvals.withdraw_confirm)}</p>
                        <button type="button" class="button button--danger" data-action="withdraw-confirm"
                            on:click=move |_| { withdraw.dispatch(ApprovalWithdraw { id: request.clone() }); asking.set(false); }>
                            {t!(i18n, approvals.withdraw)}
                        </button>
                        <button type="button" class="button" on:click=move |_| asking.set(false)>{t!(i18n, approvals.keep)}</button>
                    </div>
                }
            }
        </Show>
    }
}

/// Files of an attachment control: uploaded one by one in the background,
/// listed with a way to remove each.
#[component]
pub fn Attachments(
    id: String,
    max_files: u8,
    value: Signal<String>,
    set: Callback<String>,
    labels: Labels,
) -> impl IntoView {
    let i18n = use_i18n();
    let progress: RwSignal<Option<u32>> = RwSignal::new(None);
    let failed: RwSignal<Option<crate::error::Code>> = RwSignal::new(None);
    let ids = move || {
        value
            .get()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let full = move || ids().len() >= usize::from(max_files);
    let on_pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            failed.set(None);
            let done = std::rc::Rc::new(
                move |answer: Result<(String, String), crate::error::Code>| {
                    progress.set(None);
                    match answer {
                        Ok((fid, name)) => {
                            labels.update(|l| {
                                l.insert(fid.clone(), name);
                            });
                            let mut now = value
                                .get_untracked()
                                .split(',')
                                .filter(|s| !s.is_empty())
                                .map(str::to_owned)
                                .collect::<Vec<_>>();
                            now.push(fid);
                            set.run(now.join(","));
                        }
                        Err(code) => failed.set(Some(code)),
                    }
                },
            );
            send_file(&input, progress, done);
            input.set_value("");
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, progress, failed, set, labels);
    };
    view! {
        <div class="attachments" id=id.clone()>
            <ul class="chips">
                {move || ids().into_iter().map(|fid| {
                    let name = labels.with(|l| l.get(&fid).cloned().unwrap_or_else(|| fid.clone()));
                    let gone = fid.clone();
                    view! {
                        <li class="chip">
                            <a href=format!("/me/approvals/files/{fid}") target="_blank" rel="noopener" translate="no">{name}</a>
                            <button type="button" class="chip__remove" aria-label=move || t_string!(i18n, approvals.remove)
                                on:click=move |_| {
                                    let rest: Vec<String> = ids().into_iter().filter(|x| *x != gone).collect();
                                    set.run(rest.join(","));
                                }>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || !full()>
                <input type="file" class="field__input" accept="image/jpeg,image/png,image/gif,image/webp,application/pdf,.docx,.xlsx,.pptx"
                    aria-label=move || t_string!(i18n, approvals.attach) on:change=on_pick />
            </Show>
            {move || progress.get().map(|p| view! { <progress max="100" value=p>{p} "%"</progress> })}
            {move || failed.get().map(|code| view! { <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p> })}
            <p class="field__hint muted">{t!(i18n, approvals.attach_hint, n = max_files)}</p>
        </div>
    }
}

/// What an upload ends with: the file's (id, name), or why it was refused.
#[cfg(feature = "hydrate")]
type Uploaded = std::rc::Rc<dyn Fn(Result<(String, String), crate::error::Code>)>;

#[cfg(feature = "hydrate")]
fn send_file(input: &web_sys::HtmlInputElement, progress: RwSignal<Option<u32>>, done: Uploaded) {
    use crate::error::Code;
    use wasm_bindgen::{JsCast, closure::Closure};
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    let (Ok(xhr), Ok(data)) = (web_sys::XmlHttpRequest::new(), web_sys::FormData::new()) else {
        return done(Err(Code::Unknown));
    };
    if data
        .append_with_blob_and_filename("file", &file, &file.name())
        .is_err()
        || xhr.open("POST", "/me/approvals/files").is_err()
    {
        return done(Err(Code::Unknown));
    }
    if let Ok(upload) = xhr.upload() {
        let on_progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    progress.try_set(Some((e.loaded() / e.total() * 100.0) as u32));
                }
            });
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        on_progress.forget();
    }
    let answered = xhr.clone();
    let on_load = done.clone();
    let on_load = Closure::<dyn FnMut()>::new(move || {
        let text = answered.response_text().ok().flatten().unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        match (
            json["id"].as_str(),
            json["name"].as_str(),
            json["error"].as_str(),
        ) {
            (Some(id), Some(name), _) => on_load(Ok((id.to_owned(), name.to_owned()))),
            (_, _, Some(code)) => on_load(Err(Code::parse(code))),
            _ => on_load(Err(Code::Unknown)),
        }
    });
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    let on_error = Closure::<dyn FnMut()>::new(move || done(Err(Code::Unknown)));
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    progress.try_set(Some(0));
    let _ = xhr.send_with_opt_form_data(Some(&data));
}
