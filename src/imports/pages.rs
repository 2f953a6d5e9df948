//! `/admin/contacts/import` (the template, the upload, the latest imports)
//! and `/admin/contacts/import/{id}` (one import: its dry run row by row,
//! the run and its progress).
use super::api::{ImportRecheck, ImportRun, import_job, import_recent, import_rows};
use super::{Column, Counts, ImportJobView, ImportRowView, RowAction};
use crate::error::Code;
use crate::i18n::*;
use crate::ui::{FormError, Loaded, Pager, last_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/admin/contacts/import`.
#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let recent = Resource::new(|| (), |_| import_recent());
    let error = move || query.read().get("error").map(|e| Code::parse(&e));
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, import.title)) />
        <section class="page page--wide import" data-page="import">
            <h1>{t!(i18n, import.title)}</h1>
            <p class="page__lead">{t!(i18n, import.lead)}</p>
            <section class="panel" data-part="template">
                <h2>{t!(i18n, import.step_template)}</h2>
                <p class="muted">{t!(i18n, import.template_hint)}</p>
                <div class="actions">
                    <a class="button" href="/admin/contacts/import/template?format=xlsx" download data-action="template-xlsx">{t!(i18n, import.template_xlsx)}</a>
                    <a class="button" href="/admin/contacts/import/template?format=csv" download data-action="template-csv">{t!(i18n, import.template_csv)}</a>
                </div>
            </section>
            <section class="panel" data-part="upload">
                <h2>{t!(i18n, import.step_upload)}</h2>
                {move || error().map(|code| view! {
                    <div class="alert alert--error" role="alert" data-code=code.as_str()>
                        <p>{code.text(i18n.get_locale())}</p>
                    </div>
                })}
                <form class="form" method="post" action="/admin/contacts/import/upload" enctype="multipart/form-data" data-form="import-upload">
                    <div class="field">
                        <label class="field__label" for="import-file">{t!(i18n, import.file)}</label>
                        <p class="field__hint">{t!(i18n, import.file_hint)}</p>
                        <input class="field__input" id="import-file" type="file" name="file" required accept=".csv,.xlsx,.xls,.txt,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel" />
                    </div>
                    <div class="field">
                        <label class="field__label" for="import-encoding">{t!(i18n, import.encoding)}</label>
                        <select class="field__input" id="import-encoding" name="encoding">
                            <option value="">{t!(i18n, import.encoding_detect)}</option>
                            <option value="utf8">"UTF-8"</option>
                            <option value="gb18030">"GB18030 / GBK"</option>
                        </select>
                    </div>
                    <OptionBoxes options=super::ImportOptions { create_departments: true, update_existing: true, full_sync: false, invite: false } />
                    <div class="form__actions">
                        <button type="submit" class="button button--primary" data-action="check-file">{t!(i18n, import.check)}</button>
                    </div>
                </form>
            </section>
            <section class="panel" data-part="export">
                <h2>{t!(i18n, import.export)}</h2>
                <p class="muted">{t!(i18n, import.export_hint)}</p>
                <div class="actions">
                    <a class="button" href="/admin/contacts/export?format=xlsx" download data-action="export-xlsx">{t!(i18n, import.export_xlsx)}</a>
                    <a class="button" href="/admin/contacts/export?format=csv" download data-action="export-csv">{t!(i18n, import.export_csv)}</a>
                </div>
            </section>
            <Loaded resource=recent let:jobs>
                {(!jobs.is_empty()).then(|| view! {
                    <section class="panel" data-part="recent">
                        <h2>{t!(i18n, import.recent)}</h2>
                        <ul class="import-recent">
                            {jobs.into_iter().map(|j| view! {
                                <li>
                                    <a href=format!("/admin/contacts/import/{}", j.id) translate="no">{j.file_name.clone()}</a>
                                    " · " <span class="muted">{j.at.clone()}</span>
                                    " · " <StatusText status=j.status.clone() />
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                })}
            </Loaded>
        </section>
    }
}

/// The four choices of an import, as checkboxes named as the server reads them.
#[component]
fn OptionBoxes(options: super::ImportOptions) -> impl IntoView {
    let i18n = use_i18n();
    let boxes = [
        (
            "create_departments",
            options.create_departments,
            text_of(i18n, "create_departments"),
        ),
        (
            "update_existing",
            options.update_existing,
            text_of(i18n, "update_existing"),
        ),
        ("full_sync", options.full_sync, text_of(i18n, "full_sync")),
        ("invite", options.invite, text_of(i18n, "invite")),
    ];
    view! {
        <fieldset class="field checks" data-part="options">
            <legend class="field__label">{t!(i18n, import.options)}</legend>
            {boxes.into_iter().map(|(name, on, label)| view! {
                <label class="check">
                    <input type="checkbox" name=name value="true" checked=on />
                    <span>{move || label.get()}</span>
                </label>
            }).collect_view()}
        </fieldset>
    }
}

fn text_of(i18n: leptos_i18n::I18nContext<Locale>, key: &str) -> Signal<String> {
    let key = key.to_owned();
    Signal::derive(move || {
        match key.as_str() {
            "create_departments" => t_string!(i18n, import.option_create_departments),
            "update_existing" => t_string!(i18n, import.option_update_existing),
            "full_sync" => t_string!(i18n, import.option_full_sync),
            _ => t_string!(i18n, import.option_invite),
        }
        .to_owned()
    })
}

#[component]
fn StatusText(status: String) -> impl IntoView {
    let i18n = use_i18n();
    let s = status.clone();
    view! {
        <span class="badge" data-status=status>
            {move || match s.as_str() {
                "checked" => t_string!(i18n, import.status_checked),
                "queued" => t_string!(i18n, import.status_queued),
                "running" => t_string!(i18n, import.status_running),
                "done" => t_string!(i18n, import.status_done),
                _ => t_string!(i18n, import.status_failed),
            }}
        </span>
    }
}

fn action_text(i18n: leptos_i18n::I18nContext<Locale>, action: RowAction) -> &'static str {
    match action {
        RowAction::Create => t_string!(i18n, import.action_create),
        RowAction::Update => t_string!(i18n, import.action_update),
        RowAction::Move => t_string!(i18n, import.action_move),
        RowAction::Unchanged => t_string!(i18n, import.action_unchanged),
        RowAction::Skip => t_string!(i18n, import.action_skip),
        RowAction::Error => t_string!(i18n, import.action_error),
    }
}

fn column_text(i18n: leptos_i18n::I18nContext<Locale>, column: Column) -> &'static str {
    if i18n.get_locale() == Locale::en {
        column.en()
    } else {
        column.zh()
    }
}

/// `/admin/contacts/import/{id}`.
#[component]
pub fn ImportJobPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let recheck = ServerAction::<ImportRecheck>::new();
    let run = ServerAction::<ImportRun>::new();
    // While a run goes on, the page asks how far it got every second.
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        let ticker = set_interval_with_handle(
            move || tick.update(|n| *n += 1),
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(t) = ticker {
                t.clear();
            }
        });
    }
    let moving = RwSignal::new(false);
    let job = Resource::new(
        move || {
            (
                id(),
                recheck.version().get(),
                run.version().get(),
                if moving.get() { tick.get() } else { 0 },
            )
        },
        |(id, _, _, _)| import_job(id),
    );
    Effect::new(move |_| {
        let busy = job
            .get()
            .and_then(Result::ok)
            .is_some_and(|j| matches!(j.status.as_str(), "queued" | "running"));
        if busy != moving.get_untracked() {
            moving.set(busy);
        }
    });
    let rows = Resource::new(
        move || {
            (
                id(),
                query.read().get("action").unwrap_or_default(),
                query.read().get("page").unwrap_or_default(),
                recheck.version().get(),
                job.get()
                    .and_then(Result::ok)
                    .map(|j| j.status)
                    .unwrap_or_default(),
            )
        },
        |(id, action, page, _, _)| import_rows(id, action, page.parse().unwrap_or(1)),
    );
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, import.job_title)) />
        <section class="page page--wide import" data-page="import-job">
            <p><a href="/admin/contacts/import">{t!(i18n, import.back)}</a></p>
            <h1>{t!(i18n, import.job_title)}</h1>
            <Loaded resource=job let:j>
                <JobPanel j recheck run />
            </Loaded>
            <Loaded resource=rows let:r>
                <RowList r action=query.read_untracked().get("action").unwrap_or_default() id=id() />
            </Loaded>
        </section>
    }
}

#[component]
fn JobPanel(
    j: ImportJobView,
    recheck: ServerAction<ImportRecheck>,
    run: ServerAction<ImportRun>,
) -> impl IntoView {
    let i18n = use_i18n();
    let recheck_error = last_error(recheck);
    let run_error = last_error(run);
    let c = j.counts;
    let changes = c.create + c.update + c.moved + c.disable + c.departments;
    let status = j.status.clone();
    let waiting = matches!(status.as_str(), "checked" | "failed");
    let size_kb = (j.file_size + 1023) / 1024;
    let encoding = j.encoding.clone();
    let other = match encoding.as_deref() {
        Some("utf8") => Some(("gb18030", "GB18030 / GBK")),
        Some(_) => Some(("utf8", "UTF-8")),
        None => None,
    };
    let id = j.id.clone();
    let id2 = j.id.clone();
    let id3 = j.id.clone();
    let options = j.options;
    view! {
        <section class="panel" data-part="file">
            <h2 translate="no">{j.file_name.clone()}</h2>
            <p class="muted">
                {j.kind.to_uppercase()} " · " {size_kb} " KB"
                {encoding.clone().map(|e| view! { " · " {t!(i18n, import.read_as)} " " <strong data-encoding=e.clone()>{if e == "utf8" { "UTF-8" } else { "GB18030 / GBK" }}</strong> })}
                " · " {t!(i18n, import.checked_at)} " " {j.checked_at.clone()}
                " · " <StatusText status=status.clone() />
            </p>
            {j.sheet.clone().filter(|_| j.sheets.len() > 1).map(|s| view! {
                <p class="notice" data-notice="sheets">{t!(i18n, import.sheet_read, sheet = s.clone(), count = j.sheets.len())}</p>
            })}
            {(!j.unknown_columns.is_empty()).then(|| view! {
                <p class="notice notice--warning" data-notice="unknown-columns">
                    {t!(i18n, import.unknown_columns)} " "
                    <span translate="no">{j.unknown_columns.join(", ")}</span>
                </p>
            })}
            {(waiting && other.is_some()).then(|| {
                let (value, label) = other.unwrap_or(("utf8", "UTF-8"));
                view! {
                    <ActionForm action=recheck attr:class="inline-form" attr:data-form="other-encoding">
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="encoding" value=value />
                        {options.create_departments.then(|| view! { <input type="hidden" name="create_departments" value="true" /> })}
                        {options.update_existing.then(|| view! { <input type="hidden" name="update_existing" value="true" /> })}
                        {options.full_sync.then(|| view! { <input type="hidden" name="full_sync" value="true" /> })}
                        {options.invite.then(|| view! { <input type="hidden" name="invite" value="true" /> })}
                        <span class="muted">{t!(i18n, import.garbled)} " "</span>
                        <button type="submit" class="button button--small" data-action="other-encoding">{t!(i18n, import.read_as)} " " {label}</button>
                    </ActionForm>
                }
            })}
        </section>
        <section class="panel" data-part="counts">
            <h2>{t!(i18n, import.outcome)}</h2>
            <CountList c />
            {j.error_code.clone().map(|code| {
                let code = Code::parse(&code);
                view! { <div class="alert alert--error" role="alert" data-code=code.as_str()><p>{code.text(i18n.get_locale())}</p></div> }
            })}
            {(c.error > 0).then(|| view! {
                <p class="actions" data-part="error-file">
                    <a class="button" href=format!("/admin/contacts/import/{}/errors?format=xlsx", j.id) download data-action="errors-xlsx">{t!(i18n, import.errors_xlsx)}</a>
                    <a class="button" href=format!("/admin/contacts/import/{}/errors?format=csv", j.id) download data-action="errors-csv">{t!(i18n, import.errors_csv)}</a>
                </p>
            })}
            {matches!(status.as_str(), "queued" | "running").then(|| view! { <Progress j=j.clone() /> })}
            {(status == "done").then(|| view! {
                <p class="alert alert--success" role="status" data-part="done">
                    {t!(i18n, import.done)} " " <a href="/admin/contacts">{t!(i18n, import.to_contacts)}</a>
                </p>
            })}
        </section>
        {waiting.then(|| view! {
            <section class="panel" data-part="run">
                <h2>{t!(i18n, import.run_heading)}</h2>
                <ActionForm action=recheck attr:class="form" attr:data-form="recheck">
                    <input type="hidden" name="id" value=id2.clone() />
                    {j.encoding_chosen.then(|| view! { <input type="hidden" name="encoding" value=j.encoding.clone().unwrap_or_default() /> })}
                    <FormError error=recheck_error />
                    <OptionBoxes options />
                    <button type="submit" class="button" data-action="recheck">{t!(i18n, import.recheck)}</button>
                </ActionForm>
                <ActionForm action=run attr:class="form" attr:data-form="run">
                    <input type="hidden" name="id" value=id3.clone() />
                    <FormError error=run_error />
                    {j.needs_confirmation.then(|| view! {
                        <div class="field" data-part="confirm-sync">
                            <p class="notice notice--warning">{t!(i18n, import.confirm_sync, count = c.disable, scope = j.scope_size)}</p>
                            <label class="field__label" for="confirm-sync">{t!(i18n, import.confirm_label, count = c.disable)}</label>
                            <input class="field__input" id="confirm-sync" name="confirm" inputmode="numeric" autocomplete="off" required maxlength="7" />
                        </div>
                    })}
                    {(changes == 0).then(|| view! { <p class="muted" data-part="nothing">{t!(i18n, import.nothing)}</p> })}
                    <button type="submit" class="button button--primary" disabled=changes == 0 data-action="run">
                        {if status == "failed" { t!(i18n, import.run_again).into_any() } else { t!(i18n, import.run).into_any() }}
                    </button>
                </ActionForm>
            </section>
        })}
    }
}

#[component]
fn CountList(c: Counts) -> impl IntoView {
    let i18n = use_i18n();
    let items: [(&str, i64); 8] = [
        ("create", c.create),
        ("update", c.update),
        ("move", c.moved),
        ("unchanged", c.unchanged),
        ("skip", c.skip),
        ("error", c.error),
        ("disable", c.disable),
        ("departments", c.departments),
    ];
    view! {
        <ul class="figures" data-part="count-list">
            {items.into_iter().map(|(key, n)| view! {
                <li class="figure" data-count=key>
                    <a href=format!("?action={}", if matches!(key, "disable" | "departments") { "" } else { key })>
                        <strong>{n}</strong>
                        <span>{move || count_text(i18n, key)}</span>
                    </a>
                </li>
            }).collect_view()}
        </ul>
    }
}

fn count_text(i18n: leptos_i18n::I18nContext<Locale>, key: &str) -> &'static str {
    match key {
        "create" => t_string!(i18n, import.count_create),
        "update" => t_string!(i18n, import.count_update),
        "move" => t_string!(i18n, import.count_move),
        "unchanged" => t_string!(i18n, import.count_unchanged),
        "skip" => t_string!(i18n, import.count_skip),
        "error" => t_string!(i18n, import.count_error),
        "disable" => t_string!(i18n, import.count_disable),
        _ => t_string!(i18n, import.count_departments),
    }
}

#[component]
fn Progress(j: ImportJobView) -> impl IntoView {
    let i18n = use_i18n();
    let total = j.rows_total.max(1);
    let done = j.rows_done.min(total);
    let percent = done * 100 / total;
    let rate = j.elapsed_secs.filter(|s| *s > 0.5).map(|s| done as f64 / s);
    let left = rate
        .filter(|r| *r > 0.0)
        .map(|r| ((total - done) as f64 / r).ceil() as i64);
    view! {
        <div class="progress" data-part="progress">
            <progress max=total value=done aria-label=move || t_string!(i18n, import.progress)></progress>
            <p class="muted">
                {percent} "%"
                {rate.map(|r| view! { " · " {t!(i18n, import.rate, rows = (r.round() as i64))} })}
                {left.map(|s| view! { " · " {t!(i18n, import.left, seconds = s)} })}
            </p>
            <p class="muted">{t!(i18n, import.leave)}</p>
        </div>
    }
}

#[component]
fn RowList(r: super::ImportRowsPage, action: String, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let current = action.clone();
    let tabs = std::iter::once("").chain(RowAction::ALL.iter().map(|a| a.as_str()));
    let rows = r.rows.clone();
    let empty = rows.is_empty();
    let page_action = action.clone();
    let base = format!("/admin/contacts/import/{id}");
    let base2 = base.clone();
    view! {
        <section class="panel" data-part="rows">
            <h2>{t!(i18n, import.rows)}</h2>
            <nav class="tabs" aria-label=move || t_string!(i18n, import.rows)>
                {tabs.map(|a| {
                    let href = if a.is_empty() { base.clone() } else { format!("{base}?action={a}") };
                    let label = a.to_owned();
                    view! {
                        <a class="tabs__tab" href=href aria-current={(current == a).then_some("page")} data-tab=a>
                            {move || if label.is_empty() { t_string!(i18n, import.all_rows) } else { action_text(i18n, RowAction::parse(&label).unwrap_or(RowAction::Error)) }}
                        </a>
                    }
                }).collect_view()}
            </nav>
            {if empty {
                view! { <p class="empty" data-empty="rows">{t!(i18n, import.no_rows)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table import-rows">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, import.line)}</th>
                                    <th scope="col">{t!(i18n, import.person)}</th>
                                    <th scope="col">{t!(i18n, import.what)}</th>
                                    <th scope="col">{t!(i18n, import.why)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|row| view! { <Row row /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <Pager page=r.page pages=r.pages href=move |n| format!("{base2}?action={page_action}&page={n}") />
        </section>
    }
}

#[component]
fn Row(row: ImportRowView) -> impl IntoView {
    let i18n = use_i18n();
    let action = row.action;
    let errors = row.errors.clone();
    let changes = row.changes.clone();
    view! {
        <tr data-line=row.line data-action=action.as_str()>
            <td>{row.line}</td>
            <td>
                <span translate="no">{row.name.clone()}</span>
                <span class="muted" translate="no">" " {row.userid.clone()} " " {row.contact.clone()}</span>
            </td>
            <td><span class="badge" data-outcome=action.as_str()>{move || action_text(i18n, action)}</span></td>
            <td>
                {(!errors.is_empty()).then(|| view! {
                    <ul class="cell-errors">
                        {errors.iter().map(|e| {
                            let code = Code::parse(&e.code);
                            let column = e.column;
                            let detail = e.detail.clone();
                            view! {
                                <li data-code=e.code.clone() data-column=column.map(|c| c.key())>
                                    {move || column.map(|c| {
                                        let colon = if i18n.get_locale() == Locale::en { ": " } else { "：" };
                                        format!("{}{colon}", column_text(i18n, c))
                                    })}
                                    {move || code.text(i18n.get_locale())}
                                    {detail.clone().map(|d| view! {
                                        <span class="muted">
                                            {move || if i18n.get_locale() == Locale::en { " (" } else { "（" }}
                                            <span translate="no">{d.clone()}</span>
                                            {move || if i18n.get_locale() == Locale::en { ")" } else { "）" }}
                                        </span>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })}
                {(!changes.is_empty()).then(|| {
                    let names = changes.clone();
                    view! {
                        <span class="muted" data-part="changes">
                            {move || names.iter().filter_map(|k| Column::from_key(k)).map(|c| column_text(i18n, c)).collect::<Vec<_>>().join(if i18n.get_locale() == Locale::en { ", " } else { "、" })}
                        </span>
                    }
                })}
            </td>
        </tr>
    }
}
