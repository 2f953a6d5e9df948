//! `/admin/approvals`: the organisation's templates, and the designer of
//! one (`/admin/approvals/:id`): its form, its flow, who may submit it, a
//! simulator that says who would approve, and its published versions.
//!
//! The designer edits one [`Design`] in the browser; every editor reads and
//! writes its part of it by position, and the checks the server makes at
//! publishing run here as the administrator types.
use super::fill::Labels;
use crate::approvals::Design;
use crate::approvals::api::{
    ApprovalTemplateCreate, ApprovalTemplateEnable, approval_template, approval_template_publish,
    approval_template_save, approval_templates,
};
use crate::approvals::{TemplateEditor, TemplateSummary};
use crate::error::{AppError, FieldError};
use crate::i18n::*;
use crate::ui::{ActionPanel, Field, FormError, Loaded, field_code, last_error, page_title, text};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

mod controls;
mod handover;
pub use handover::HandOver;
mod nodes;
mod rules;
mod settings;
mod simulate;
mod widgets;

use super::pick;

/// `/admin/approvals`: every template, on or off, and a new one.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<ApprovalTemplateCreate>::new();
    let enable = ServerAction::<ApprovalTemplateEnable>::new();
    let list = Resource::new(move || enable.version().get(), |_| approval_templates());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/admin/approvals/{id}"), Default::default());
        }
    });
    view! {
        <Title text=page_title(move || t_string!(i18n, designer.title).to_string()) />
        <div class="designer-list" data-page="approval-templates">
            <h1>{t!(i18n, designer.title)}</h1>
            <p class="muted">{t!(i18n, designer.intro)}</p>
            <FormError error=last_error(enable) />
            <Loaded resource=list let:list>
                <TemplateTable list enable />
            </Loaded>
            <ActionPanel name="new-template" label=text!(i18n, designer.new_template)>
                <ActionForm action=create attr:class="action__form">
                    <FormError error=last_error(create) />
                    <Field name="name_zh" form="new-template" label=text!(i18n, designer.name_zh)
                        error=field_code(last_error(create), "name_zh") maxlength=40 />
                    <Field name="name_en" form="new-template" label=text!(i18n, designer.name_en)
                        error=field_code(last_error(create), "name_en") maxlength=40 />
                    <button type="submit" class="button button--primary" data-action="create-template">
                        {t!(i18n, designer.create)}
                    </button>
                </ActionForm>
            </ActionPanel>
            <handover::ApprovalAdmin />
        </div>
    }
}

#[component]
fn TemplateTable(
    list: Vec<TemplateSummary>,
    enable: ServerAction<ApprovalTemplateEnable>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = list
        .into_iter()
        .map(|t| {
            let (en, zh) = (t.name_en.clone(), t.name_zh.clone());
            let builtin = t.kind != "custom";
            let published = t.published;
            let turn_to = if t.enabled { "false" } else { "true" };
            let enabled = t.enabled;
            view! {
                <tr data-template=t.name_en.clone()>
                    <td>
                        <a href=format!("/admin/approvals/{}", t.id)>{move || pick(i18n.get_locale(), &en, &zh)}</a>
                        {builtin.then(|| view! { " " <span class="badge">{t!(i18n, designer.builtin)}</span> })}
                    </td>
                    <td>
                        {match published {
                            Some(n) => view! { <span>{td!(i18n.get_locale(), designer.version_n, n = n)}</span> }.into_any(),
                            None => view! { <span class="muted">{t!(i18n, designer.not_published)}</span> }.into_any(),
                        }}
                        {t.has_draft.then(|| view! { " " <span class="badge badge--warning" data-badge="draft">{t!(i18n, designer.has_draft)}</span> })}
                    </td>
                    <td>
                        {if enabled {
                            view! { <span class="badge badge--info" data-state="on">{t!(i18n, designer.on)}</span> }.into_any()
                        } else {
                            view! { <span class="badge" data-state="off">{t!(i18n, designer.off)}</span> }.into_any()
                        }}
                    </td>
                    <td>
                        <ActionForm action=enable>
                            <input type="hidden" name="id" value=t.id.clone() />
                            <input type="hidden" name="enabled" value=turn_to />
                            <button type="submit" class="button button--small" data-action="toggle-template">
                                {move || if enabled {
                                    t_string!(i18n, designer.turn_off).to_string()
                                } else {
                                    t_string!(i18n, designer.turn_on).to_string()
                                }}
                            </button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table" data-table="templates">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, designer.name)}</th>
                        <th scope="col">{t!(i18n, designer.version)}</th>
                        <th scope="col">{t!(i18n, designer.state)}</th>
                        <th scope="col">{t!(i18n, designer.actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// What every editor of the designer shares.
#[derive(Clone, Copy)]
pub(super) struct Editing {
    pub design: RwSignal<Design>,
    /// Names of the people, departments and groups the design mentions.
    pub labels: Labels,
    /// The organisation's admin groups: (id, name).
    pub groups: StoredValue<Vec<(String, String)>>,
    /// What stands in the way of publishing, by path.
    pub problems: Memo<Vec<FieldError>>,
}

impl Editing {
    /// The problems under `path` (the path itself, or below it).
    pub fn problems_at(self, path: String) -> Signal<Vec<FieldError>> {
        let below = format!("{path}.");
        Signal::derive(move || {
            self.problems.with(|p| {
                p.iter()
                    .filter(|f| f.field == path || f.field.starts_with(&below))
                    .cloned()
                    .collect()
            })
        })
    }
}

/// Text in both languages, for what the designer writes into a design.
pub(super) fn both(key: impl Fn(Locale) -> String) -> (String, String) {
    (key(Locale::en), key(Locale::zh_CN))
}

/// A key not yet used among `taken`: `{stem}_{n}`.
pub(super) fn fresh_key(stem: &str, taken: &[String]) -> String {
    (1..)
        .map(|n| format!("{stem}_{n}"))
        .find(|k| !taken.contains(k))
        .unwrap_or_else(|| stem.to_owned())
}

/// `/admin/approvals/:id`: the designer.
#[component]
pub fn DesignerPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Publishing reloads the page's data: versions, problems, the summary.
    let reload = RwSignal::new(0u32);
    let editor = Resource::new(
        move || (id(), reload.get()),
        |(id, _)| approval_template(id),
    );
    view! {
        <Title text=page_title(move || t_string!(i18n, designer.designer).to_string()) />
        <div class="designer" data-page="approval-designer">
            <p><a href="/admin/approvals">{t!(i18n, designer.back)}</a></p>
            <Loaded resource=editor let:editor>
                <Designer editor reload />
            </Loaded>
        </div>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Form,
    Flow,
    Rules,
    Simulate,
    Versions,
}

#[component]
fn Designer(editor: TemplateEditor, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let TemplateEditor {
        template,
        design,
        problems: server_problems,
        versions,
        names,
        groups,
    } = editor;
    let labels: Labels = RwSignal::new(
        names
            .people
            .iter()
            .chain(&names.departments)
            .chain(&names.groups)
            .cloned()
            .collect(),
    );
    let saved = RwSignal::new(design.clone());
    let design = RwSignal::new(design);
    let version = RwSignal::new(template.version);
    // What only the server can judge (unknown people, who may submit),
    // from the last publish attempt or the page's load.
    let only_server = |list: Vec<FieldError>| -> Vec<FieldError> {
        list.into_iter()
            .filter(|p| p.field == "references")
            .collect()
    };
    let server_only = RwSignal::new(only_server(server_problems));
    let problems = Memo::new(move |_| {
        let mut all = design.with(|d| {
            let mut p = d.form.check();
            p.extend(d.flow.check(&d.form));
            if !d.submitters.everyone
                && d.submitters.people.is_empty()
                && d.submitters.departments.is_empty()
            {
                p.push(FieldError {
                    field: "submitters".into(),
                    code: crate::error::Code::ValidationRequired,
                });
            }
            p
        });
        for p in server_only.get() {
            if !all.contains(&p) {
                all.push(p);
            }
        }
        all
    });
    // What the server said no longer holds once the design changes; the
    // next publish asks again.
    Effect::new(move |first: Option<()>| {
        design.track();
        if first.is_some() {
            server_only.set(Vec::new());
        }
    });
    let editing = Editing {
        design,
        labels,
        groups: StoredValue::new(groups),
        problems,
    };
    provide_context(editing);
    let dirty = Memo::new(move |_| design.with(|d| saved.with(|s| d != s)));
    // Leaving with unsaved work asks first.
    crate::ui::guard_unsaved(dirty.into(), move || {
        t_string!(i18n, designer.leave_unsaved).to_string()
    });
    let busy = RwSignal::new(false);
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let note: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let tab = RwSignal::new(Tab::Form);
    let tid = StoredValue::new(template.id.clone());

    // Keeps the design as the draft when it changed; the template's version after.
    let save_now = move || async move {
        if !dirty.get_untracked() {
            return Ok(version.get_untracked());
        }
        let d = design.get_untracked();
        let json = serde_json::to_string(&d).unwrap_or_default();
        let next = approval_template_save(tid.get_value(), json, version.get_untracked()).await?;
        version.set(next);
        saved.set(d);
        Ok::<i32, AppError>(next)
    };
    let on_save = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match save_now().await {
                Ok(_) => {
                    note.try_set(Some("saved"));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    let on_publish = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let done = async {
                let v = save_now().await?;
                approval_template_publish(tid.get_value(), v).await
            }
            .await;
            match done {
                Ok(_) => {
                    reload.try_update(|n| *n += 1);
                }
                Err(e) => {
                    if let AppError::Validation { fields } = &e {
                        server_only.try_set(only_server(fields.clone()));
                    }
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    let (en, zh) = (template.name_en.clone(), template.name_zh.clone());
    let published = template.published;
    let tab_button = move |which: Tab, name: &'static str, label: Signal<String>| {
        view! {
            <button type="button" role="tab" class="tabs__tab" id=format!("tab-{name}")
                aria-controls=format!("panel-{name}") data-tab=name
                aria-selected=move || (tab.get() == which).to_string()
                on:click=move |_| tab.set(which)>
                {move || label.get()}
            </button>
        }
    };
    let has_problems = Memo::new(move |_| problems.with(|p| !p.is_empty()));
    let versions_view = versions.clone();
    view! {
        <header class="designer__head">
            <h1>{move || pick(i18n.get_locale(), &en, &zh)}</h1>
            <p class="muted" data-part="published">
                {match published {
                    Some(n) => td!(i18n.get_locale(), designer.published_as, n = n).into_any(),
                    None => t!(i18n, designer.not_published).into_any(),
                }}
            </p>
            <div class="designer__bar">
                <span class="muted" aria-live="polite" data-part="save-state">
                    {move || if dirty.get() {
                        t_string!(i18n, designer.unsaved).to_string()
                    } else if note.get() == Some("saved") {
                        t_string!(i18n, designer.saved).to_string()
                    } else {
                        String::new()
                    }}
                </span>
                <button type="button" class="button" data-action="save-draft"
                    disabled=move || busy.get() || !dirty.get() on:click=on_save>
                    {t!(i18n, designer.save)}
                </button>
                <button type="button" class="button button--primary" data-action="publish"
                    disabled=move || busy.get() on:click=on_publish>
                    {t!(i18n, designer.publish)}
                </button>
            </div>
            <FormError error=Signal::derive(move || error.get()) />
            <Problems />
            <p class="muted" hidden=has_problems data-part="ready">{t!(i18n, designer.ready)}</p>
        </header>
        <div class="tabs" role="tablist" aria-label=move || t_string!(i18n, designer.designer)>
            {tab_button(Tab::Form, "form", text!(i18n, designer.tab_form))}
            {tab_button(Tab::Flow, "flow", text!(i18n, designer.tab_flow))}
            {tab_button(Tab::Rules, "rules", text!(i18n, designer.tab_rules))}
            {tab_button(Tab::Simulate, "simulate", text!(i18n, designer.tab_simulate))}
            {tab_button(Tab::Versions, "versions", text!(i18n, designer.tab_versions))}
        </div>
        <section role="tabpanel" id="panel-form" aria-labelledby="tab-form" hidden=move || tab.get() != Tab::Form>
            <controls::FormEditor />
        </section>
        <section role="tabpanel" id="panel-flow" aria-labelledby="tab-flow" hidden=move || tab.get() != Tab::Flow>
            <nodes::FlowEditor />
        </section>
        <section role="tabpanel" id="panel-rules" aria-labelledby="tab-rules" hidden=move || tab.get() != Tab::Rules>
            <settings::RulesEditor />
        </section>
        <section role="tabpanel" id="panel-simulate" aria-labelledby="tab-simulate" hidden=move || tab.get() != Tab::Simulate>
            <simulate::Simulator template=template.id.clone() versions=versions_view />
        </section>
        <section role="tabpanel" id="panel-versions" aria-labelledby="tab-versions" hidden=move || tab.get() != Tab::Versions>
            <Versions versions />
        </section>
    }
}

/// What stands in the way of publishing, each with where it is.
#[component]
fn Problems() -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    move || {
        let list = editing.problems.get();
        (!list.is_empty()).then(|| {
            let n = list.len();
            let items = list
                .into_iter()
                .map(|p| {
                    let place = editing.design.with_untracked(|d| place(d, &p.field));
                    view! {
                        <li data-problem=p.field.clone()>
                            <strong>{move || place.text(i18n.get_locale())}</strong>
                            ": " {p.code.text(i18n.get_locale())}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <details class="notice notice--warning designer__problems" data-part="problems">
                    <summary>{td!(i18n.get_locale(), designer.problems, n = n)}</summary>
                    <ul>{items}</ul>
                </details>
            }
        })
    }
}

/// Where a problem is, as the administrator reads it.
enum Place {
    Control(String, String),
    Node(String, String),
    Named(&'static str),
}

impl Place {
    fn text(&self, locale: Locale) -> String {
        match self {
            Place::Control(en, zh) => {
                format!(
                    "{} · {}",
                    td_string!(locale, designer.tab_form),
                    pick(locale, en, zh)
                )
            }
            Place::Node(en, zh) => {
                format!(
                    "{} · {}",
                    td_string!(locale, designer.tab_flow),
                    pick(locale, en, zh)
                )
            }
            Place::Named(key) => match *key {
                "submitters" => td_string!(locale, designer.who_submits).to_string(),
                "references" => td_string!(locale, designer.references).to_string(),
                "settings" => td_string!(locale, designer.tab_rules).to_string(),
                "nodes" => td_string!(locale, designer.tab_flow).to_string(),
                _ => td_string!(locale, designer.tab_form).to_string(),
            },
        }
    }
}

fn place(d: &Design, field: &str) -> Place {
    let parts: Vec<&str> = field.split('.').collect();
    match parts.as_slice() {
        ["controls", i, rest @ ..] => {
            let Some(c) = i.parse::<usize>().ok().and_then(|i| d.form.controls.get(i)) else {
                return Place::Named("controls");
            };
            match rest {
                ["columns", j, ..] => match &c.kind {
                    crate::approvals::form::ControlKind::Table { columns } => {
                        match j.parse::<usize>().ok().and_then(|j| columns.get(j)) {
                            Some(col) => Place::Control(
                                format!("{} / {}", c.label_en, col.label_en),
                                format!("{} / {}", c.label_zh, col.label_zh),
                            ),
                            None => Place::Control(c.label_en.clone(), c.label_zh.clone()),
                        }
                    }
                    _ => Place::Control(c.label_en.clone(), c.label_zh.clone()),
                },
                _ => Place::Control(c.label_en.clone(), c.label_zh.clone()),
            }
        }
        ["nodes", ..] if parts.len() > 1 => match nodes::node_named(d, &parts) {
            Some((en, zh)) => Place::Node(en, zh),
            None => Place::Named("nodes"),
        },
        [node, ..] if node.starts_with("node:") => Place::Node(
            node.trim_start_matches("node:").to_owned(),
            node.trim_start_matches("node:").to_owned(),
        ),
        ["submitters", ..] => Place::Named("submitters"),
        ["references", ..] => Place::Named("references"),
        ["settings", ..] => Place::Named("settings"),
        ["nodes"] => Place::Named("nodes"),
        _ => Place::Named("controls"),
    }
}

#[component]
fn Versions(versions: Vec<crate::approvals::VersionInfo>) -> impl IntoView {
    let i18n = use_i18n();
    if versions.is_empty() {
        return view! { <p class="empty" data-empty="versions">{t!(i18n, designer.no_versions)}</p> }
            .into_any();
    }
    let rows = versions
        .into_iter()
        .map(|v| {
            view! {
                <tr data-version=v.number>
                    <td>{td!(i18n.get_locale(), designer.version_n, n = v.number)}</td>
                    <td>{v.published_at}</td>
                    <td translate="no">{v.published_by.unwrap_or_default()}</td>
                    <td>{v.requests}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted">{t!(i18n, designer.versions_hint)}</p>
        <div class="table-wrap">
            <table class="table" data-table="versions">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, designer.version)}</th>
                        <th scope="col">{t!(i18n, designer.published_at)}</th>
                        <th scope="col">{t!(i18n, designer.published_by)}</th>
                        <th scope="col">{t!(i18n, designer.requests)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
