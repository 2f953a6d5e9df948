//! Approval pages: the submitter's (`/me/requests`), the approver's inbox
//! (`/me/approvals`), both made for a phone first, and the pieces they
//! share: a request's status, and a route shown node by node with the rule
//! that chose each person.
use super::Names;
use super::flow::{CcTiming, Mode, Role};
use super::route::{Auto, Gap, Route, Why};
use crate::i18n::*;
use leptos::prelude::*;

mod design;
mod fill;
mod inbox;
mod request;
mod requests;

pub use design::{DesignerPage, HandOver, TemplatesPage};
pub use inbox::InboxPage;
pub use request::RequestPage;
pub use requests::{MyRequestsPage, NewRequestPage};

/// The status of a request, in the reader's language.
pub fn status_text(locale: Locale, status: &str) -> String {
    match status {
        "pending" => td_string!(locale, approvals.status_pending).to_string(),
        "approved" => td_string!(locale, approvals.status_approved).to_string(),
        "rejected" => td_string!(locale, approvals.status_rejected).to_string(),
        "withdrawn" => td_string!(locale, approvals.status_withdrawn).to_string(),
        "revoked" => td_string!(locale, approvals.status_revoked).to_string(),
        "returned" => td_string!(locale, approvals.status_returned).to_string(),
        other => other.to_owned(),
    }
}

/// A request's status as a coloured badge.
#[component]
pub fn StatusBadge(status: String) -> impl IntoView {
    let i18n = use_i18n();
    let class = format!("status-badge status-badge--{status}");
    let shown = status.clone();
    view! { <span class=class data-status=status>{move || status_text(i18n.get_locale(), &shown)}</span> }
}

/// Text in the reader's language: the Chinese or the English of a pair.
pub fn pick(locale: Locale, en: &str, zh: &str) -> String {
    if locale == Locale::zh_CN {
        zh.to_owned()
    } else {
        en.to_owned()
    }
}

fn mode_text(locale: Locale, mode: Mode) -> String {
    match mode {
        Mode::Any => td_string!(locale, approvals.mode_any).to_string(),
        Mode::All => td_string!(locale, approvals.mode_all).to_string(),
        Mode::Sequential => td_string!(locale, approvals.mode_sequential).to_string(),
    }
}

fn why_text(locale: Locale, why: &Why, names: &Names) -> AnyView {
    match why {
        Why::Manager { level } => td!(locale, approvals.why_manager, level = *level).into_any(),
        Why::ManagerChain { level } => td!(locale, approvals.why_chain, level = *level).into_any(),
        Why::DepartmentHead { department, .. } => td!(
            locale,
            approvals.why_head,
            department = names.department(department)
        )
        .into_any(),
        Why::Named => td!(locale, approvals.why_named).into_any(),
        Why::Role {
            role: Role::AdminGroup { id },
        } => td!(locale, approvals.why_group, group = names.group(id)).into_any(),
        Why::Role {
            role: Role::Position { name },
        } => td!(locale, approvals.why_position, position = name.clone()).into_any(),
        Why::Field { .. } => td!(locale, approvals.why_field).into_any(),
        Why::FieldHead { department, .. } => td!(
            locale,
            approvals.why_field_head,
            department = names.department(department)
        )
        .into_any(),
        Why::Chosen => td!(locale, approvals.why_chosen).into_any(),
        Why::ApprovalAdmin => td!(locale, approvals.why_admin).into_any(),
        Why::ForSubmitter => td!(locale, approvals.why_for_submitter).into_any(),
    }
}

fn gap_text(locale: Locale, gap: &Gap, names: &Names) -> AnyView {
    match gap {
        Gap::NoManager { level } => {
            td!(locale, approvals.gap_no_manager, level = *level).into_any()
        }
        Gap::NoHead {
            department: Some(d),
            ..
        } => td!(
            locale,
            approvals.gap_no_head,
            department = names.department(d)
        )
        .into_any(),
        Gap::NoHead {
            department: None,
            level,
        } => td!(locale, approvals.gap_no_department, level = *level).into_any(),
        Gap::NobodyFound => td!(locale, approvals.gap_nobody).into_any(),
        Gap::Inactive => td!(locale, approvals.gap_inactive).into_any(),
        Gap::Submitter => td!(locale, approvals.gap_submitter).into_any(),
        Gap::Skipped => td!(locale, approvals.gap_skipped).into_any(),
        Gap::Rejected => td!(locale, approvals.gap_rejected).into_any(),
        Gap::NoAdmin => td!(locale, approvals.gap_no_admin).into_any(),
    }
}

fn timing_text(locale: Locale, timing: CcTiming) -> String {
    match timing {
        CcTiming::Submit => td_string!(locale, approvals.cc_submit).to_string(),
        CcTiming::Finish => td_string!(locale, approvals.cc_finish).to_string(),
        CcTiming::Both => td_string!(locale, approvals.cc_both).to_string(),
    }
}

/// A route node by node: who decides and why, who a rule left out and
/// why, the branches taken and who is copied. `current` marks the node the
/// request waits on.
#[component]
pub fn RouteSteps(
    route: Route,
    names: Names,
    #[prop(optional)] current: Option<i32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let names = StoredValue::new(names);
    let branches = route.branches.clone();
    let steps = route
        .steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let here = current == Some(i as i32);
            let outcome = format!("{:?}", s.outcome).to_lowercase();
            let class = if here { "route__step route__step--current" } else { "route__step" };
            let approvers = s
                .approvers
                .iter()
                .map(|p| {
                    let person = p.person.clone();
                    let why = p.why.clone();
                    let auto = p.auto.clone();
                    view! {
                        <li class="route__person">
                            <strong translate="no">{move || names.with_value(|n| n.person(&person))}</strong>
                            <span class="muted">{move || names.with_value(|n| why_text(i18n.get_locale(), &why, n))}</span>
                            {auto.map(|a| {
                                let key = match a {
                                    Auto::Submitter => 0,
                                    Auto::Duplicate { .. } => 1,
                                };
                                view! {
                                    <span class="badge">{move || if key == 0 {
                                        td_string!(i18n.get_locale(), approvals.auto_submitter).to_string()
                                    } else {
                                        td_string!(i18n.get_locale(), approvals.auto_duplicate).to_string()
                                    }}</span>
                                }
                            })}
                        </li>
                    }
                })
                .collect_view();
            let left_out = s
                .left_out
                .iter()
                .map(|l| {
                    let person = l.person.clone();
                    let gap = l.why.clone();
                    view! {
                        <li class="route__gap">
                            {person.map(|p| view! { <span translate="no">{move || names.with_value(|n| n.person(&p))}</span> ": " })}
                            {move || names.with_value(|n| gap_text(i18n.get_locale(), &gap, n))}
                        </li>
                    }
                })
                .collect_view();
            let (en, zh) = (s.name_en.clone(), s.name_zh.clone());
            let mode = s.mode;
            let needs_choice = s.needs_choice;
            view! {
                <li class=class data-outcome=outcome data-node=s.node_id.clone()>
                    <p class="route__name">
                        <strong>{move || pick(i18n.get_locale(), &en, &zh)}</strong>
                        " "
                        <span class="badge">{move || mode_text(i18n.get_locale(), mode)}</span>
                        {here.then(|| view! { " " <span class="badge badge--pending">{t!(i18n, approvals.current)}</span> })}
                    </p>
                    {needs_choice.then(|| view! { <p class="muted">{t!(i18n, approvals.needs_choice)}</p> })}
                    <ul class="plain">{approvers}</ul>
                    <ul class="plain route__gaps">{left_out}</ul>
                </li>
            }
        })
        .collect_view();
    let branches = branches
        .into_iter()
        .map(|b| {
            view! {
                <li>
                    {t!(i18n, approvals.branch_taken)} ": "
                    <strong>{move || pick(i18n.get_locale(), &b.name_en, &b.name_zh)}</strong>
                </li>
            }
        })
        .collect_view();
    let has_cc = !route.cc.is_empty();
    let cc = route
        .cc
        .into_iter()
        .map(|c| {
            let person = c.person.clone();
            view! {
                <li>
                    <span translate="no">{move || names.with_value(|n| n.person(&person))}</span>
                    " · "
                    <span class="muted">{move || timing_text(i18n.get_locale(), c.timing)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="route" data-part="route">
            <ul class="plain route__branches">{branches}</ul>
            <ol class="route__steps">{steps}</ol>
            {has_cc.then(|| view! {
                <h3 class="route__cc-title">{t!(i18n, approvals.cc_title)}</h3>
                <ul class="plain route__cc">{cc}</ul>
            })}
        </div>
    }
}
