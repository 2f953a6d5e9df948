//! The simulator: a submitter and a filled form, and what the flow (the
//! designer's work, saved or not, or any published version) would do with
//! them, node by node, with the rule that chose or skipped each person.
use super::Editing;
use crate::approvals::api::{approval_simulate, approval_template_version};
use crate::approvals::form::{FormSchema, RawForm};
use crate::approvals::pages::RouteSteps;
use crate::approvals::pages::fill::{FormFields, Picker};
use crate::approvals::{RouteView, VersionInfo};
use crate::error::{AppError, FieldError};
use crate::i18n::*;
use crate::ui::FormError;
use leptos::prelude::*;
use std::collections::BTreeMap;

#[component]
pub(super) fn Simulator(template: String, versions: Vec<VersionInfo>) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let template = StoredValue::new(template);
    // 0: the designer's work as it stands.
    let number = RwSignal::new(0i32);
    let submitter = RwSignal::new(String::new());
    let raw = RwSignal::new(RawForm::default());
    let chosen: RwSignal<BTreeMap<String, String>> = RwSignal::new(BTreeMap::new());
    let answer: RwSignal<Option<Result<RouteView, AppError>>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let draft_form = Memo::new(move |_| editing.design.with(|d| d.form.clone()));
    let version = Resource::new(
        move || number.get(),
        move |n| async move {
            if n == 0 {
                Ok(None)
            } else {
                approval_template_version(template.get_value(), n)
                    .await
                    .map(Some)
            }
        },
    );
    let errors = Signal::derive(move || match answer.get() {
        Some(Err(AppError::Validation { fields })) => fields,
        _ => Vec::<FieldError>::new(),
    });
    let run = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let n = number.get_untracked();
        let design = if n == 0 {
            editing
                .design
                .with_untracked(|d| serde_json::to_string(d).unwrap_or_default())
        } else {
            String::new()
        };
        let chosen: BTreeMap<String, Vec<String>> = chosen
            .get_untracked()
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
        let form = serde_json::to_string(&raw.get_untracked()).unwrap_or_default();
        let who = submitter.get_untracked();
        leptos::task::spawn_local(async move {
            let got = approval_simulate(
                template.get_value(),
                n,
                who,
                form,
                serde_json::to_string(&chosen).unwrap_or_default(),
                String::new(),
                design,
            )
            .await;
            answer.try_set(Some(got));
            busy.try_set(false);
        });
    };
    let form_view = move |form: FormSchema| {
        view! { <FormFields form raw errors labels=editing.labels /> }
    };
    let submitter_error = Signal::derive(move || {
        errors.with(|e| e.iter().find(|f| f.field == "submitter").map(|f| f.code))
    });
    view! {
        <p class="muted">{t!(i18n, designer.simulate_hint)}</p>
        <div class="designer__simulator" data-part="simulator">
            <div class="designer__sim-input">
                <label class="field">
                    <span class="field__label">{t!(i18n, designer.simulate_version)}</span>
                    <select class="field__input" data-part="sim-version"
                        on:change=move |ev| {
                            number.set(event_target_value(&ev).parse().unwrap_or(0));
                            answer.set(None);
                            chosen.set(BTreeMap::new());
                        }>
                        <option value="0">{t!(i18n, designer.simulate_draft)}</option>
                        {versions.iter().map(|v| {
                            let n = v.number;
                            view! { <option value=n.to_string()>{td!(i18n.get_locale(), designer.version_n, n = n)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <div class="field">
                    <p class="field__label">{t!(i18n, designer.simulate_submitter)}</p>
                    <Picker id="sim-submitter".into() kind="person" multiple=false labels=editing.labels
                        label=crate::ui::text!(i18n, designer.simulate_submitter)
                        value=Signal::derive(move || submitter.get())
                        set=Callback::new(move |v: String| {
                            chosen.set(BTreeMap::new());
                            submitter.set(v)
                        }) />
                    {move || submitter_error.get().map(|code| view! { <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p> })}
                </div>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match version.await {
                            Ok(None) => form_view(draft_form.get()).into_any(),
                            Ok(Some((design, names))) => {
                                editing.labels.update(|l| {
                                    l.extend(names.people.into_iter().chain(names.departments));
                                });
                                form_view(design.form).into_any()
                            }
                            Err(error) => view! { <crate::ui::AppErrorView error /> }.into_any(),
                        }
                    })}
                </Transition>
                <button type="button" class="button button--primary" data-action="simulate"
                    disabled=move || busy.get() || submitter.with(String::is_empty) on:click=run>
                    {t!(i18n, designer.simulate_run)}
                </button>
            </div>
            <section class="panel designer__sim-result" aria-live="polite" data-part="sim-result">
                <h2>{t!(i18n, designer.simulate_result)}</h2>
                {move || match answer.get() {
                    None => view! { <p class="muted">{t!(i18n, designer.simulate_empty)}</p> }.into_any(),
                    Some(Err(AppError::Validation { .. })) => view! {
                        <p class="form-error" role="alert">{t!(i18n, approvals.fix_fields)}</p>
                    }.into_any(),
                    Some(Err(e)) => view! { <FormError error=Signal::stored(Some(e)) /> }.into_any(),
                    Some(Ok(rv)) => {
                        let choices = rv.route.steps.iter().filter(|s| s.needs_choice || chosen.with_untracked(|c| c.contains_key(&s.node_id))).map(|s| {
                            let node = s.node_id.clone();
                            let node2 = node.clone();
                            let (en, zh) = (s.name_en.clone(), s.name_zh.clone());
                            view! {
                                <div class="field">
                                    <p class="field__label">{t!(i18n, approvals.choose_for)} " " {move || super::pick(i18n.get_locale(), &en, &zh)}</p>
                                    <Picker id=format!("sim-choose-{node}") kind="person" multiple=true labels=editing.labels
                                        value=Signal::derive(move || chosen.with(|c| c.get(&node).cloned().unwrap_or_default()))
                                        set=Callback::new(move |v: String| chosen.update(|c| { c.insert(node2.clone(), v); })) />
                                </div>
                            }
                        }).collect_view();
                        view! { {choices} <RouteSteps route=rv.route names=rv.names /> }.into_any()
                    }
                }}
            </section>
        </div>
    }
}
