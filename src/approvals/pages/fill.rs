//! A template's form to fill in: one input per control, bound to the
//! strings the server reads (`RawForm`), with the error of each field
//! beside it. Ranges, pickers, attachments and tables compose their parts
//! into the one string the control takes.
use super::pick;
use crate::approvals::api::approval_find;
use crate::approvals::form::{Control, ControlKind, FormSchema, RangeUnit, RawForm};
use crate::error::FieldError;
use crate::i18n::*;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Names of the people, departments and files a form's values name, by id.
pub type Labels = RwSignal<BTreeMap<String, String>>;

/// The whole form.
#[component]
pub fn FormFields(
    form: FormSchema,
    raw: RwSignal<RawForm>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
    labels: Labels,
) -> impl IntoView {
    form.controls
        .into_iter()
        .map(|c| {
            if let ControlKind::Table { columns } = c.kind.clone() {
                view! { <TableControl control=c columns raw errors labels /> }.into_any()
            } else {
                let id = c.id.clone();
                let value = Signal::derive({
                    let id = id.clone();
                    move || raw.with(|r| r.fields.get(&id).cloned().unwrap_or_default())
                });
                let set = Callback::new(move |v: String| {
                    raw.update(|r| {
                        r.fields.insert(id.clone(), v);
                    })
                });
                let path = c.id.clone();
                view! { <Labelled control=c path value set errors labels /> }.into_any()
            }
        })
        .collect_view()
}

fn error_of(errors: Signal<Vec<FieldError>>, path: String) -> Signal<Option<crate::error::Code>> {
    Signal::derive(move || errors.with(|e| e.iter().find(|f| f.field == path).map(|f| f.code)))
}

/// A control with its label, required mark and error.
#[component]
fn Labelled(
    control: Control,
    path: String,
    value: Signal<String>,
    set: Callback<String>,
    errors: Signal<Vec<FieldError>>,
    labels: Labels,
) -> impl IntoView {
    let i18n = use_i18n();
    let dom_id = format!("control-{}", path.replace('.', "-"));
    let error = error_of(errors, path.clone());
    let (en, zh) = (control.label_en.clone(), control.label_zh.clone());
    let required = control.required;
    if let ControlKind::Note { text_en, text_zh } = &control.kind {
        let (a, b) = (text_en.clone(), text_zh.clone());
        return view! {
            <div class="field note" data-control=path>
                <p class="field__label">{move || pick(i18n.get_locale(), &en, &zh)}</p>
                <p class="muted">{move || pick(i18n.get_locale(), &a, &b)}</p>
            </div>
        }
        .into_any();
    }
    let error_id = format!("{dom_id}-error");
    let label_id = format!("{dom_id}-label");
    // Several inputs (a range, checkboxes, a picker, files) are a group
    // named by the label; one input is named by it directly.
    let group = matches!(
        control.kind,
        ControlKind::DateRange { .. }
            | ControlKind::Choice { multiple: true, .. }
            | ControlKind::Person { .. }
            | ControlKind::Department { .. }
            | ControlKind::Attachment { .. }
    );
    let input = input_for(&control, dom_id.clone(), value, set, labels, error);
    let mark = move || {
        required.then(|| view! { <span class="field__required" aria-hidden="true">" *"</span> })
    };
    let label = move || pick(i18n.get_locale(), &en, &zh);
    let (label, input) = if group {
        (
            view! { <span class="field__label" id=label_id.clone()>{label} {mark}</span> }
                .into_any(),
            view! { <div role="group" aria-labelledby=label_id>{input}</div> }.into_any(),
        )
    } else {
        (
            view! { <label class="field__label" for=dom_id.clone()>{label} {mark}</label> }
                .into_any(),
            input,
        )
    };
    view! {
        <div class="field" data-control=path.clone() class:field--invalid=move || error.get().is_some()>
            {label}
            {input}
            {move || error.get().map(|code| view! {
                <p class="field__error" id=error_id.clone() role="alert">{code.text(i18n.get_locale())}</p>
            })}
        </div>
    }
    .into_any()
}

/// The input of one control, bound to its string.
fn input_for(
    c: &Control,
    id: String,
    value: Signal<String>,
    set: Callback<String>,
    labels: Labels,
    error: Signal<Option<crate::error::Code>>,
) -> AnyView {
    let i18n = use_i18n();
    let invalid = move || error.get().is_some().to_string();
    let on_change = move |ev: leptos::ev::Event| set.run(event_target_value(&ev));
    let required = c.required;
    match c.kind.clone() {
        ControlKind::Text { max_len } => view! {
            <input class="field__input" type="text" id=id maxlength=max_len required=required
                aria-invalid=invalid prop:value=value on:change=on_change />
        }
        .into_any(),
        ControlKind::LongText { max_len } => view! {
            <textarea class="field__input" id=id rows="4" maxlength=max_len required=required
                aria-invalid=invalid prop:value=value on:change=on_change></textarea>
        }
        .into_any(),
        ControlKind::Number {
            unit_en, unit_zh, ..
        } => view! {
            <span class="field__affix">
                <input class="field__input" type="text" inputmode="decimal" id=id required=required
                    aria-invalid=invalid prop:value=value on:change=on_change />
                <span class="muted">{move || pick(i18n.get_locale(), &unit_en, &unit_zh)}</span>
            </span>
        }
        .into_any(),
        ControlKind::Money { .. } => view! {
            <span class="field__affix">
                <span class="muted" aria-hidden="true">"¥"</span>
                <input class="field__input" type="text" inputmode="decimal" id=id required=required
                    placeholder="0.00" aria-invalid=invalid prop:value=value on:change=on_change />
            </span>
        }
        .into_any(),
        ControlKind::Date => view! {
            <input class="field__input" type="date" id=id required=required
                aria-invalid=invalid prop:value=value on:change=on_change />
        }
        .into_any(),
        ControlKind::DateRange { unit } => view! { <RangeInput id unit value set /> }.into_any(),
        ControlKind::Choice {
            options,
            multiple: false,
        } => {
            let options = options
                .into_iter()
                .map(|o| {
                    let key = o.key.clone();
                    let selected = {
                        let key = key.clone();
                        move || value.get() == key
                    };
                    view! { <option value=key selected=selected>{move || pick(i18n.get_locale(), &o.en, &o.zh)}</option> }
                })
                .collect_view();
            view! {
                <select class="field__input" id=id required=required aria-invalid=invalid on:change=on_change>
                    <option value="">{t!(i18n, approvals.choose)}</option>
                    {options}
                </select>
            }
            .into_any()
        }
        ControlKind::Choice {
            options,
            multiple: true,
        } => {
            let boxes = options
                .into_iter()
                .map(|o| {
                    let key = o.key.clone();
                    let checked = {
                        let key = key.clone();
                        move || value.get().split(',').any(|k| k == key)
                    };
                    let toggle = move |ev: leptos::ev::Event| {
                        let on = event_target_checked(&ev);
                        let mut keys: Vec<String> = value
                            .get_untracked()
                            .split(',')
                            .filter(|k| !k.is_empty() && *k != key)
                            .map(str::to_owned)
                            .collect();
                        if on {
                            keys.push(key.clone());
                        }
                        set.run(keys.join(","));
                    };
                    view! {
                        <label class="check">
                            <input type="checkbox" prop:checked=checked on:change=toggle />
                            " " {move || pick(i18n.get_locale(), &o.en, &o.zh)}
                        </label>
                    }
                })
                .collect_view();
            view! { <fieldset class="checks" id=id>{boxes}</fieldset> }.into_any()
        }
        ControlKind::Person { multiple } => {
            view! { <Picker id kind="person" multiple value set labels /> }.into_any()
        }
        ControlKind::Department { multiple } => {
            view! { <Picker id kind="department" multiple value set labels /> }.into_any()
        }
        ControlKind::Attachment { max_files } => {
            view! { <super::request::Attachments id max_files value set labels /> }.into_any()
        }
        ControlKind::Table { .. } | ControlKind::Note { .. } => ().into_any(),
    }
}

/// A range's two ends (and, for half days, morning or afternoon),
/// composed as `start/end` once both are given.
#[component]
fn RangeInput(
    id: String,
    unit: RangeUnit,
    value: Signal<String>,
    set: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let initial = value.get_untracked();
    let (a, b) = initial.split_once('/').unwrap_or(("", ""));
    // A day and its half; a new range runs from a morning to an afternoon.
    let split = |s: &str, default: &str| -> (String, String) {
        match s.split_once(' ') {
            Some((d, h)) if h == "am" || h == "pm" => (d.to_owned(), h.to_owned()),
            _ => (s.to_owned(), default.to_owned()),
        }
    };
    let ((sd, sh), (ed, eh)) = (split(a, "am"), split(b, "pm"));
    let start = RwSignal::new(sd);
    let start_half = RwSignal::new(sh);
    let end = RwSignal::new(ed);
    let end_half = RwSignal::new(eh);
    let compose = move || {
        let (s, e) = (start.get_untracked(), end.get_untracked());
        let text = if s.is_empty() || e.is_empty() {
            String::new()
        } else if unit == RangeUnit::HalfDay {
            format!(
                "{s} {}/{e} {}",
                start_half.get_untracked(),
                end_half.get_untracked()
            )
        } else {
            format!("{s}/{e}")
        };
        set.run(text);
    };
    let input_type = if unit == RangeUnit::Hour {
        "datetime-local"
    } else {
        "date"
    };
    let half = move |which: RwSignal<String>, label: Signal<String>| {
        (unit == RangeUnit::HalfDay).then(|| {
            view! {
                <select class="field__input range__half" aria-label=label
                    on:change=move |ev| { which.set(event_target_value(&ev)); compose(); }>
                    <option value="am" selected=move || which.get() == "am">{t!(i18n, approvals.morning)}</option>
                    <option value="pm" selected=move || which.get() == "pm">{t!(i18n, approvals.afternoon)}</option>
                </select>
            }
        })
    };
    view! {
        <div class="range" id=id>
            <span class="range__end">
                <input class="field__input" type=input_type aria-label=move || t_string!(i18n, approvals.range_start)
                    prop:value=move || start.get()
                    on:change=move |ev| { start.set(event_target_value(&ev)); compose(); } />
                {half(start_half, Signal::derive(move || t_string!(i18n, approvals.range_start).to_string()))}
            </span>
            <span class="range__to" aria-hidden="true">"–"</span>
            <span class="range__end">
                <input class="field__input" type=input_type aria-label=move || t_string!(i18n, approvals.range_end)
                    prop:value=move || end.get()
                    on:change=move |ev| { end.set(event_target_value(&ev)); compose(); } />
                {half(end_half, Signal::derive(move || t_string!(i18n, approvals.range_end).to_string()))}
            </span>
        </div>
    }
}

/// People or departments found by name, chosen one or several.
#[component]
pub(super) fn Picker(
    id: String,
    kind: &'static str,
    multiple: bool,
    value: Signal<String>,
    set: Callback<String>,
    labels: Labels,
    /// What the search box is for, when a caption beside it says so.
    #[prop(optional, into)]
    label: Option<Signal<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let q = RwSignal::new(String::new());
    let label = move || match label {
        Some(l) => format!("{} · {}", l.get(), t_string!(i18n, approvals.search_to_add)),
        None => t_string!(i18n, approvals.search_to_add).to_string(),
    };
    let found = Resource::new(
        move || q.get(),
        move |q| async move {
            if q.trim().is_empty() {
                Ok(Vec::new())
            } else {
                approval_find(kind.to_owned(), q).await
            }
        },
    );
    let chosen = move || {
        value
            .get()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let remove = move |gone: String| {
        let rest: Vec<String> = chosen().into_iter().filter(|x| *x != gone).collect();
        set.run(rest.join(","));
    };
    let add = move |(pid, name): (String, String)| {
        labels.update(|l| {
            l.insert(pid.clone(), name);
        });
        let mut now = if multiple { chosen() } else { Vec::new() };
        if !now.contains(&pid) {
            now.push(pid);
        }
        set.run(now.join(","));
        q.set(String::new());
    };
    view! {
        <div class="picker" id=id.clone()>
            <ul class="chips">
                {move || chosen().into_iter().map(|pid| {
                    let name = labels.with(|l| l.get(&pid).cloned().unwrap_or_else(|| pid.clone()));
                    let gone = pid.clone();
                    view! {
                        <li class="chip">
                            <span translate="no">{name.clone()}</span>
                            <button type="button" class="chip__remove"
                                aria-label=move || format!("{} {}", t_string!(i18n, approvals.remove), name)
                                on:click=move |_| remove(gone.clone())>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <input class="field__input" type="search" maxlength="50"
                placeholder=move || t_string!(i18n, approvals.search_to_add)
                aria-label=label
                prop:value=move || q.get()
                on:input=move |ev| q.set(event_target_value(&ev)) />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = found.await.unwrap_or_default();
                    view! {
                        <ul class="picker__results plain">
                            {list.into_iter().map(|(pid, name, hint)| {
                                let pair = (pid.clone(), name.clone());
                                view! {
                                    <li>
                                        <button type="button" class="link" on:click=move |_| add(pair.clone())>
                                            <span translate="no">{name}</span>
                                            " " <span class="muted" translate="no">{hint}</span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </div>
    }
}

/// A table control: rows of its columns, added and removed by the submitter.
#[component]
fn TableControl(
    control: Control,
    columns: Vec<Control>,
    raw: RwSignal<RawForm>,
    errors: Signal<Vec<FieldError>>,
    labels: Labels,
) -> impl IntoView {
    let i18n = use_i18n();
    let table = control.id.clone();
    // At least one row to fill in.
    raw.update_untracked(|r| {
        let rows = r.tables.entry(table.clone()).or_default();
        if rows.is_empty() {
            rows.push(BTreeMap::new());
        }
    });
    let count = Memo::new({
        let table = table.clone();
        move |_| raw.with(|r| r.tables.get(&table).map_or(0, Vec::len))
    });
    let add = {
        let table = table.clone();
        move |_| {
            raw.update(|r| {
                let rows = r.tables.entry(table.clone()).or_default();
                if rows.len() < crate::approvals::form::MAX_TABLE_ROWS {
                    rows.push(BTreeMap::new());
                }
            })
        }
    };
    let (en, zh) = (control.label_en.clone(), control.label_zh.clone());
    let error = error_of(errors, control.id.clone());
    // The total of the first money column, as the rows are filled in.
    let money_column = columns
        .iter()
        .find(|c| matches!(c.kind, ControlKind::Money { .. }))
        .map(|c| c.id.clone());
    let total = {
        let table = table.clone();
        move || {
            let column = money_column.as_ref()?;
            raw.with(|r| {
                let rows = r.tables.get(&table)?;
                Some(
                    rows.iter()
                        .filter_map(|row| row.get(column))
                        .filter_map(|text| crate::approvals::form::money(text))
                        .sum::<i64>(),
                )
            })
        }
    };
    let columns = StoredValue::new(columns);
    let rows = {
        let table = table.clone();
        move || {
            (0..count.get())
                .map(|r| {
                    let table = table.clone();
                    let remove = {
                        let table = table.clone();
                        move |_| {
                            raw.update(|x| {
                                if let Some(rows) = x.tables.get_mut(&table)
                                    && r < rows.len()
                                {
                                    rows.remove(r);
                                }
                            })
                        }
                    };
                    let cells = columns
                        .get_value()
                        .into_iter()
                        .map(|col| {
                            let (t1, t2, cid) = (table.clone(), table.clone(), col.id.clone());
                            let cid2 = cid.clone();
                            let value = Signal::derive(move || {
                                raw.with(|x| {
                                    x.tables
                                        .get(&t1)
                                        .and_then(|rows| rows.get(r))
                                        .and_then(|row| row.get(&cid).cloned())
                                        .unwrap_or_default()
                                })
                            });
                            let set = Callback::new(move |v: String| {
                                raw.update(|x| {
                                    if let Some(row) =
                                        x.tables.get_mut(&t2).and_then(|rows| rows.get_mut(r))
                                    {
                                        row.insert(cid2.clone(), v);
                                    }
                                })
                            });
                            let path = format!("{}.{r}.{}", table, col.id);
                            view! { <Labelled control=col path value set errors labels /> }
                        })
                        .collect_view();
                    view! {
                        <fieldset class="table-row" data-row=r>
                            <legend>{t!(i18n, approvals.row, n = r + 1)}</legend>
                            {cells}
                            <button type="button" class="button button--small" on:click=remove>
                                {t!(i18n, approvals.remove_row)}
                            </button>
                        </fieldset>
                    }
                })
                .collect_view()
        }
    };
    view! {
        <div class="field table-control" data-control=control.id.clone()>
            <p class="field__label">{move || pick(i18n.get_locale(), &en, &zh)}</p>
            {rows}
            <button type="button" class="button" on:click=add>{t!(i18n, approvals.add_row)}</button>
            {move || total().map(|fen| view! {
                <p class="table-control__total" data-part="total">
                    <strong>{t!(i18n, approvals.total)} ": ¥" {crate::approvals::form::yuan(fen)}</strong>
                </p>
            })}
            {move || error.get().map(|code| view! { <p class="field__error" role="alert">{code.text(i18n.get_locale())}</p> })}
        </div>
    }
}
