//! Who may submit a template, and the rules of its whole flow: the
//! submitter among the approvers, deduplication, rejection and withdrawal.
use super::Editing;
use super::nodes::Choose;
use super::widgets::{Check, ProblemList, Text};
use crate::approvals::flow::{FlowSettings, OnReject, SelfRule};
use crate::approvals::pages::fill::Picker;
use crate::i18n::*;
use crate::ui::text;
use leptos::prelude::*;

#[component]
pub(super) fn RulesEditor() -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let design = editing.design;
    let everyone = Memo::new(move |_| design.with(|d| d.submitters.everyone));
    let setting = move |f: fn(&FlowSettings) -> String| {
        Signal::derive(move || design.with(|d| f(&d.flow.settings)))
    };
    let set = move |f: fn(&mut FlowSettings, String)| {
        Callback::new(move |v: String| design.update(|d| f(&mut d.flow.settings, v)))
    };
    let joined = |ids: &[String]| ids.join(",");
    let split = |v: &str| -> Vec<String> {
        v.split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    view! {
        <fieldset class="designer__card" data-part="submitters">
            <legend>{t!(i18n, designer.who_submits)}</legend>
            <ProblemList problems=editing.problems_at("submitters".into()) />
            <label class="check">
                <input type="radio" name="submitters" value="everyone" prop:checked=move || everyone.get()
                    on:change=move |_| design.update(|d| d.submitters.everyone = true) />
                " " {t!(i18n, designer.everyone)}
            </label>
            <label class="check">
                <input type="radio" name="submitters" value="chosen" data-part="submitters-chosen" prop:checked=move || !everyone.get()
                    on:change=move |_| design.update(|d| d.submitters.everyone = false) />
                " " {t!(i18n, designer.chosen_submitters)}
            </label>
            <div hidden=move || everyone.get()>
                <p class="field__label">{t!(i18n, designer.submit_departments)}</p>
                <Picker id="submitter-departments".into() kind="department" multiple=true labels=editing.labels
                    label=text!(i18n, designer.submit_departments)
                    value=Signal::derive(move || design.with(|d| joined(&d.submitters.departments)))
                    set=Callback::new(move |v: String| design.update(|d| d.submitters.departments = split(&v))) />
                <p class="field__label">{t!(i18n, designer.submit_people)}</p>
                <Picker id="submitter-people".into() kind="person" multiple=true labels=editing.labels
                    label=text!(i18n, designer.submit_people)
                    value=Signal::derive(move || design.with(|d| joined(&d.submitters.people)))
                    set=Callback::new(move |v: String| design.update(|d| d.submitters.people = split(&v))) />
            </div>
        </fieldset>
        <fieldset class="designer__card" data-part="settings">
            <legend>{t!(i18n, designer.flow_rules)}</legend>
            <ProblemList problems=editing.problems_at("settings".into()) />
            <Choose label=text!(i18n, designer.self_rule) part="self-rule"
                options=vec![
                    ("manager", text!(i18n, designer.self_manager)),
                    ("skip", text!(i18n, designer.self_skip)),
                    ("auto_approve", text!(i18n, designer.self_auto)),
                    ("decide", text!(i18n, designer.self_decide)),
                ]
                value=setting(|s| match s.self_rule {
                    SelfRule::Manager => "manager",
                    SelfRule::Skip => "skip",
                    SelfRule::AutoApprove => "auto_approve",
                    SelfRule::Decide => "decide",
                }.into())
                set=set(|s, v| s.self_rule = match v.as_str() {
                    "skip" => SelfRule::Skip,
                    "auto_approve" => SelfRule::AutoApprove,
                    "decide" => SelfRule::Decide,
                    _ => SelfRule::Manager,
                }) />
            <Check label=text!(i18n, designer.dedupe) part="dedupe"
                checked=Signal::derive(move || design.with(|d| d.flow.settings.dedupe))
                set=Callback::new(move |v| design.update(|d| d.flow.settings.dedupe = v)) />
            <Choose label=text!(i18n, designer.on_reject) part="on-reject"
                options=vec![
                    ("end", text!(i18n, designer.reject_ends)),
                    ("return", text!(i18n, designer.reject_returns)),
                ]
                value=setting(|s| match s.on_reject { OnReject::End => "end", OnReject::Return => "return" }.into())
                set=set(|s, v| s.on_reject = if v == "return" { OnReject::Return } else { OnReject::End }) />
            <Text label=text!(i18n, designer.revoke_days) input_type="number" maxlength=3 part="revoke-days"
                value=setting(|s| s.revoke_days.to_string())
                set=set(|s, v| s.revoke_days = v.trim().parse().unwrap_or(u16::MAX)) />
            <p class="field__hint">{t!(i18n, designer.revoke_hint)}</p>
        </fieldset>
    }
}
