//! The form designer: the controls of a template's form in order, each
//! with its labels in both languages, whether it is required, and its
//! limits; a table's columns are controls of their own.
use super::widgets::{Check, ItemTools, ProblemList, Text};
use super::{Editing, both, fresh_key};
use crate::approvals::Design;
use crate::approvals::form::{ChoiceOption, Control, ControlKind, RangeUnit};
use crate::i18n::*;
use crate::ui::text;
use leptos::prelude::*;

/// Where a control is: the form's `index`-th, or a column of that table.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct ControlAt {
    index: usize,
    column: Option<usize>,
}

impl ControlAt {
    fn path(self) -> String {
        match self.column {
            None => format!("controls.{}", self.index),
            Some(j) => format!("controls.{}.columns.{j}", self.index),
        }
    }
}

fn list_mut(d: &mut Design, table: Option<usize>) -> Option<&mut Vec<Control>> {
    match table {
        None => Some(&mut d.form.controls),
        Some(i) => match &mut d.form.controls.get_mut(i)?.kind {
            ControlKind::Table { columns } => Some(columns),
            _ => None,
        },
    }
}

fn list(d: &Design, table: Option<usize>) -> Option<&Vec<Control>> {
    match table {
        None => Some(&d.form.controls),
        Some(i) => match &d.form.controls.get(i)?.kind {
            ControlKind::Table { columns } => Some(columns),
            _ => None,
        },
    }
}

fn control(d: &Design, at: ControlAt) -> Option<&Control> {
    list(d, at.column.map(|_| at.index))?.get(at.column.unwrap_or(at.index))
}

fn control_mut(d: &mut Design, at: ControlAt) -> Option<&mut Control> {
    let i = at.column.unwrap_or(at.index);
    list_mut(d, at.column.map(|_| at.index))?.get_mut(i)
}

impl Editing {
    fn read<T: Default>(self, at: ControlAt, f: impl Fn(&Control) -> T) -> T {
        self.design
            .with(|d| control(d, at).map(f))
            .unwrap_or_default()
    }

    fn edit(self, at: ControlAt, f: impl FnOnce(&mut Control)) {
        self.design.update(|d| {
            if let Some(c) = control_mut(d, at) {
                f(c)
            }
        })
    }
}

/// The control types, in the order the designer offers them.
const KINDS: [&str; 13] = [
    "text",
    "long_text",
    "number",
    "money",
    "date",
    "date_range",
    "choice",
    "multiple_choice",
    "person",
    "department",
    "attachment",
    "table",
    "note",
];

fn kind_tag(k: &ControlKind) -> &'static str {
    match k {
        ControlKind::Text { .. } => "text",
        ControlKind::LongText { .. } => "long_text",
        ControlKind::Number { .. } => "number",
        ControlKind::Money { .. } => "money",
        ControlKind::Date => "date",
        ControlKind::DateRange { .. } => "date_range",
        ControlKind::Choice {
            multiple: false, ..
        } => "choice",
        ControlKind::Choice { multiple: true, .. } => "multiple_choice",
        ControlKind::Person { .. } => "person",
        ControlKind::Department { .. } => "department",
        ControlKind::Attachment { .. } => "attachment",
        ControlKind::Table { .. } => "table",
        ControlKind::Note { .. } => "note",
    }
}

pub(super) fn kind_text(locale: Locale, tag: &str) -> String {
    match tag {
        "text" => td_string!(locale, designer.kind_text),
        "long_text" => td_string!(locale, designer.kind_long_text),
        "number" => td_string!(locale, designer.kind_number),
        "money" => td_string!(locale, designer.kind_money),
        "date" => td_string!(locale, designer.kind_date),
        "date_range" => td_string!(locale, designer.kind_date_range),
        "choice" => td_string!(locale, designer.kind_choice),
        "multiple_choice" => td_string!(locale, designer.kind_multiple_choice),
        "person" => td_string!(locale, designer.kind_person),
        "department" => td_string!(locale, designer.kind_department),
        "attachment" => td_string!(locale, designer.kind_attachment),
        "table" => td_string!(locale, designer.kind_table),
        _ => td_string!(locale, designer.kind_note),
    }
    .to_string()
}

/// A new control of type `tag`, with limits a form usually wants.
fn new_kind(tag: &str) -> ControlKind {
    let option = |n: u8| {
        let (en, zh) = both(move |l| format!("{} {n}", td_string!(l, designer.option)));
        ChoiceOption {
            key: format!("option_{n}"),
            en,
            zh,
        }
    };
    match tag {
        "long_text" => ControlKind::LongText { max_len: 1000 },
        "number" => ControlKind::Number {
            min: None,
            max: None,
            decimals: 0,
            unit_en: String::new(),
            unit_zh: String::new(),
        },
        "money" => ControlKind::Money { max_fen: None },
        "date" => ControlKind::Date,
        "date_range" => ControlKind::DateRange {
            unit: RangeUnit::Day,
        },
        "choice" | "multiple_choice" => ControlKind::Choice {
            options: vec![option(1), option(2)],
            multiple: tag == "multiple_choice",
        },
        "person" => ControlKind::Person { multiple: false },
        "department" => ControlKind::Department { multiple: false },
        "attachment" => ControlKind::Attachment { max_files: 3 },
        "table" => ControlKind::Table {
            columns: vec![Control {
                id: "item".into(),
                label_en: td_string!(Locale::en, designer.kind_text).to_string(),
                label_zh: td_string!(Locale::zh_CN, designer.kind_text).to_string(),
                required: true,
                kind: ControlKind::Text { max_len: 100 },
            }],
        },
        "note" => {
            let (text_en, text_zh) = both(|l| td_string!(l, designer.note_text).to_string());
            ControlKind::Note { text_en, text_zh }
        }
        _ => ControlKind::Text { max_len: 100 },
    }
}

/// Every key the design's controls use, columns included.
fn keys(d: &Design) -> Vec<String> {
    d.form.walk().map(|c| c.id.clone()).collect()
}

/// The form's controls, and a way to add one.
#[component]
pub(super) fn FormEditor() -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    view! {
        <p class="muted">{t!(i18n, designer.form_hint)}</p>
        <ControlList table=None />
        {move || editing.design.with(|d| d.form.controls.is_empty()).then(|| view! {
            <p class="empty" data-empty="controls">{t!(i18n, designer.no_controls)}</p>
        })}
    }
}

/// The controls of the form (`table` none) or the columns of a table.
#[component]
fn ControlList(table: Option<usize>) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let len = Memo::new(move |_| {
        editing
            .design
            .with(|d| list(d, table).map(Vec::len).unwrap_or(0))
    });
    let adding = RwSignal::new("text".to_owned());
    let add = move |_| {
        let tag = adding.get_untracked();
        editing.design.update(|d| {
            let taken = keys(d);
            let stem = if tag == "multiple_choice" {
                "choice"
            } else {
                tag.as_str()
            };
            let id = fresh_key(stem, &taken);
            let (label_en, label_zh) =
                (kind_text(Locale::en, &tag), kind_text(Locale::zh_CN, &tag));
            if let Some(l) = list_mut(d, table) {
                l.push(Control {
                    id,
                    label_en,
                    label_zh,
                    required: false,
                    kind: new_kind(&tag),
                });
            }
        });
    };
    let choices = move || {
        KINDS
            .iter()
            .filter(|k| table.is_none() || !matches!(**k, "table" | "note"))
            .map(|k| view! { <option value=*k>{move || kind_text(i18n.get_locale(), k)}</option> })
            .collect_view()
    };
    let class = if table.is_some() {
        "designer__columns"
    } else {
        "designer__controls"
    };
    view! {
        <ol class=class>
            <For each=move || 0..len.get() key=|i| *i let:i>
                {
                    let at = match table {
                        None => ControlAt { index: i, column: None },
                        Some(t) => ControlAt { index: t, column: Some(i) },
                    };
                    view! { <ControlCard at last=Signal::derive(move || i + 1 == len.get()) /> }
                }
            </For>
        </ol>
        <div class="designer__add">
            <label class="field--inline">
                <span>{move || if table.is_some() {
                    t_string!(i18n, designer.add_column).to_string()
                } else {
                    t_string!(i18n, designer.add_control).to_string()
                }}</span>
                <select class="field__input" data-part="add-kind"
                    on:change=move |ev| adding.set(event_target_value(&ev))>
                    {choices}
                </select>
            </label>
            <button type="button" class="button" data-action=if table.is_some() { "add-column" } else { "add-control" } on:click=add>
                {t!(i18n, designer.add)}
            </button>
        </div>
    }
}

/// One control: its type, labels, key, whether required, and limits.
#[component]
fn ControlCard(at: ControlAt, #[prop(into)] last: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let tag = Memo::new(move |_| editing.read(at, |c| kind_tag(&c.kind).to_owned()));
    let problems = editing.problems_at(at.path());
    let name = Signal::derive(move || {
        editing.read(at, |c| {
            pick_label(i18n.get_locale(), &c.label_en, &c.label_zh)
        })
    });
    let text = |f: fn(&Control) -> String, put: fn(&mut Control, String)| {
        (
            Signal::derive(move || editing.read(at, f)),
            Callback::new(move |v: String| editing.edit(at, |c| put(c, v))),
        )
    };
    let (en, set_en) = text(|c| c.label_en.clone(), |c, v| c.label_en = v);
    let (zh, set_zh) = text(|c| c.label_zh.clone(), |c, v| c.label_zh = v);
    let (key, set_key) = text(|c| c.id.clone(), |c, v| c.id = v.trim().to_owned());
    let mover = move |delta: isize| {
        Callback::new(move |_| {
            editing.design.update(|d| {
                let table = at.column.map(|_| at.index);
                let i = at.column.unwrap_or(at.index);
                if let Some(l) = list_mut(d, table) {
                    let j = i as isize + delta;
                    if j >= 0 && (j as usize) < l.len() {
                        l.swap(i, j as usize);
                    }
                }
            })
        })
    };
    let remove = Callback::new(move |_| {
        editing.design.update(|d| {
            let table = at.column.map(|_| at.index);
            let i = at.column.unwrap_or(at.index);
            if let Some(l) = list_mut(d, table)
                && i < l.len()
            {
                l.remove(i);
            }
        })
    });
    let retype = move |ev| {
        let tag = event_target_value(&ev);
        editing.edit(at, |c| c.kind = new_kind(&tag));
    };
    let in_table = at.column.is_some();
    let first = at.column.unwrap_or(at.index) == 0;
    view! {
        <li class="designer__card" class:designer__card--invalid=move || !problems.with(Vec::is_empty)
            data-control=move || editing.read(at, |c| c.id.clone())>
            <div class="designer__card-head">
                <strong>{move || name.get()}</strong>
                <span class="badge">{move || kind_text(i18n.get_locale(), &tag.get())}</span>
                <ItemTools first last up=mover(-1) down=mover(1) remove what=name />
            </div>
            <ProblemList problems />
            <div class="designer__grid">
                <Text label=text!(i18n, designer.label_zh) value=zh set=set_zh part="label-zh" />
                <Text label=text!(i18n, designer.label_en) value=en set=set_en part="label-en" />
                <Text label=text!(i18n, designer.key) value=key set=set_key maxlength=32 part="key" />
                <label class="field">
                    <span class="field__label">{t!(i18n, designer.kind)}</span>
                    <select class="field__input" data-part="kind" prop:value=move || tag.get() on:change=retype>
                        {KINDS.iter()
                            .filter(|k| !in_table || !matches!(**k, "table" | "note"))
                            .map(|k| view! {
                                <option value=*k selected=move || tag.get() == *k>{move || kind_text(i18n.get_locale(), k)}</option>
                            }).collect_view()}
                    </select>
                </label>
            </div>
            {move || (tag.get() != "note").then(|| view! {
                <Check label=text!(i18n, designer.required) part="required"
                    checked=Signal::derive(move || editing.read(at, |c| c.required))
                    set=Callback::new(move |v| editing.edit(at, |c| c.required = v)) />
            })}
            {move || limits(at, tag.get())}
        </li>
    }
}

fn pick_label(locale: Locale, en: &str, zh: &str) -> String {
    let s = super::pick(locale, en, zh);
    if s.trim().is_empty() { "—".into() } else { s }
}

/// A number typed into a limit: blank is none.
fn number(v: &str) -> Option<f64> {
    let v = v.trim();
    if v.is_empty() { None } else { v.parse().ok() }
}

fn shown(n: Option<f64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// The limits of a control of type `tag`.
fn limits(at: ControlAt, tag: String) -> AnyView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let kind = move |f: fn(&ControlKind) -> String| {
        Signal::derive(move || editing.read(at, |c| f(&c.kind)))
    };
    let set = move |f: fn(&mut ControlKind, String)| {
        Callback::new(move |v: String| editing.edit(at, |c| f(&mut c.kind, v)))
    };
    match tag.as_str() {
        "text" | "long_text" => view! {
            <Text label=text!(i18n, designer.max_len) input_type="number" maxlength=5 part="max-len"
                value=kind(|k| match k {
                    ControlKind::Text { max_len } | ControlKind::LongText { max_len } => max_len.to_string(),
                    _ => String::new(),
                })
                set=set(|k, v| if let ControlKind::Text { max_len } | ControlKind::LongText { max_len } = k {
                    *max_len = v.trim().parse().unwrap_or(0);
                }) />
        }
        .into_any(),
        "number" => view! {
            <div class="designer__grid">
                <Text label=text!(i18n, designer.min) input_type="number" maxlength=15
                    value=kind(|k| match k { ControlKind::Number { min, .. } => shown(*min), _ => String::new() })
                    set=set(|k, v| if let ControlKind::Number { min, .. } = k { *min = number(&v) }) />
                <Text label=text!(i18n, designer.max) input_type="number" maxlength=15
                    value=kind(|k| match k { ControlKind::Number { max, .. } => shown(*max), _ => String::new() })
                    set=set(|k, v| if let ControlKind::Number { max, .. } = k { *max = number(&v) }) />
                <Text label=text!(i18n, designer.decimals) input_type="number" maxlength=1
                    value=kind(|k| match k { ControlKind::Number { decimals, .. } => decimals.to_string(), _ => String::new() })
                    set=set(|k, v| if let ControlKind::Number { decimals, .. } = k { *decimals = v.trim().parse().unwrap_or(0) }) />
                <Text label=text!(i18n, designer.unit_zh) maxlength=10
                    value=kind(|k| match k { ControlKind::Number { unit_zh, .. } => unit_zh.clone(), _ => String::new() })
                    set=set(|k, v| if let ControlKind::Number { unit_zh, .. } = k { *unit_zh = v }) />
                <Text label=text!(i18n, designer.unit_en) maxlength=10
                    value=kind(|k| match k { ControlKind::Number { unit_en, .. } => unit_en.clone(), _ => String::new() })
                    set=set(|k, v| if let ControlKind::Number { unit_en, .. } = k { *unit_en = v }) />
            </div>
        }
        .into_any(),
        "money" => view! {
            <Text label=text!(i18n, designer.max_amount) input_type="number" maxlength=12 part="max-amount"
                value=kind(|k| match k {
                    // Plain digits: a number input takes no thousands separators.
                    ControlKind::Money { max_fen: Some(f) } => (*f as f64 / 100.0).to_string(),
                    _ => String::new(),
                })
                set=set(|k, v| if let ControlKind::Money { max_fen } = k {
                    *max_fen = number(&v).map(|y| (y * 100.0).round() as i64);
                }) />
        }
        .into_any(),
        "date_range" => {
            let unit = Signal::derive(move || {
                editing.read(at, |c| match c.kind {
                    ControlKind::DateRange { unit } => Some(unit),
                    _ => None,
                })
            });
            let choose = move |ev| {
                let u = match event_target_value(&ev).as_str() {
                    "half_day" => RangeUnit::HalfDay,
                    "hour" => RangeUnit::Hour,
                    _ => RangeUnit::Day,
                };
                editing.edit(at, |c| c.kind = ControlKind::DateRange { unit: u });
            };
            let option = move |u: RangeUnit, value: &'static str, label: Signal<String>| {
                view! { <option value=value selected=move || unit.get() == Some(u)>{move || label.get()}</option> }
            };
            view! {
                <label class="field">
                    <span class="field__label">{t!(i18n, designer.range_unit)}</span>
                    <select class="field__input" data-part="range-unit" on:change=choose
                        prop:value=move || match unit.get() {
                            Some(RangeUnit::HalfDay) => "half_day",
                            Some(RangeUnit::Hour) => "hour",
                            _ => "day",
                        }>
                        {option(RangeUnit::HalfDay, "half_day", text!(i18n, designer.unit_half_day))}
                        {option(RangeUnit::Day, "day", text!(i18n, designer.unit_day))}
                        {option(RangeUnit::Hour, "hour", text!(i18n, designer.unit_hour))}
                    </select>
                </label>
            }
            .into_any()
        }
        "choice" | "multiple_choice" => view! { <Options at /> }.into_any(),
        "person" | "department" => view! {
            <Check label=text!(i18n, designer.several) part="multiple"
                checked=Signal::derive(move || editing.read(at, |c| matches!(c.kind,
                    ControlKind::Person { multiple: true } | ControlKind::Department { multiple: true })))
                set=Callback::new(move |v| editing.edit(at, |c| match &mut c.kind {
                    ControlKind::Person { multiple } | ControlKind::Department { multiple } => *multiple = v,
                    _ => {}
                })) />
        }
        .into_any(),
        "attachment" => view! {
            <Text label=text!(i18n, designer.max_files) input_type="number" maxlength=1 part="max-files"
                value=kind(|k| match k { ControlKind::Attachment { max_files } => max_files.to_string(), _ => String::new() })
                set=set(|k, v| if let ControlKind::Attachment { max_files } = k { *max_files = v.trim().parse().unwrap_or(0) }) />
        }
        .into_any(),
        "table" => view! {
            <fieldset class="designer__table">
                <legend>{t!(i18n, designer.columns)}</legend>
                <p class="muted">{t!(i18n, designer.table_hint)}</p>
                <ControlList table=Some(at.index) />
            </fieldset>
        }
        .into_any(),
        "note" => view! {
            <div class="designer__grid">
                <Text label=text!(i18n, designer.note_zh) maxlength=500
                    value=kind(|k| match k { ControlKind::Note { text_zh, .. } => text_zh.clone(), _ => String::new() })
                    set=set(|k, v| if let ControlKind::Note { text_zh, .. } = k { *text_zh = v }) />
                <Text label=text!(i18n, designer.note_en) maxlength=500
                    value=kind(|k| match k { ControlKind::Note { text_en, .. } => text_en.clone(), _ => String::new() })
                    set=set(|k, v| if let ControlKind::Note { text_en, .. } = k { *text_en = v }) />
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// A choice control's options: key and both labels each.
#[component]
fn Options(at: ControlAt) -> impl IntoView {
    let i18n = use_i18n();
    let editing = expect_context::<Editing>();
    let len = Memo::new(move |_| {
        editing.read(at, |c| match &c.kind {
            ControlKind::Choice { options, .. } => options.len(),
            _ => 0,
        })
    });
    let with_options = move |f: &dyn Fn(&mut Vec<ChoiceOption>)| {
        editing.edit(at, |c| {
            if let ControlKind::Choice { options, .. } = &mut c.kind {
                f(options)
            }
        })
    };
    let add = move |_| {
        with_options(&|o: &mut Vec<ChoiceOption>| {
            let taken: Vec<String> = o.iter().map(|x| x.key.clone()).collect();
            let key = fresh_key("option", &taken);
            let n = o.len() + 1;
            let (en, zh) = both(move |l| format!("{} {n}", td_string!(l, designer.option)));
            o.push(ChoiceOption { key, en, zh });
        })
    };
    view! {
        <fieldset class="designer__options">
            <legend>{t!(i18n, designer.options)}</legend>
            <For each=move || 0..len.get() key=|i| *i let:i>
                {
                    let read = move |f: fn(&ChoiceOption) -> String| Signal::derive(move || {
                        editing.read(at, |c| match &c.kind {
                            ControlKind::Choice { options, .. } => options.get(i).map(f).unwrap_or_default(),
                            _ => String::new(),
                        })
                    });
                    let write = move |f: fn(&mut ChoiceOption, String)| Callback::new(move |v: String| {
                        with_options(&|o: &mut Vec<ChoiceOption>| if let Some(x) = o.get_mut(i) { f(x, v.clone()) })
                    });
                    let remove = move |_| with_options(&|o: &mut Vec<ChoiceOption>| if i < o.len() { o.remove(i); });
                    view! {
                        <div class="designer__option" data-option=i>
                            <Text label=text!(i18n, designer.label_zh) value=read(|o| o.zh.clone()) set=write(|o, v| o.zh = v) part="option-zh" />
                            <Text label=text!(i18n, designer.label_en) value=read(|o| o.en.clone()) set=write(|o, v| o.en = v) part="option-en" />
                            <Text label=text!(i18n, designer.key) value=read(|o| o.key.clone()) set=write(|o, v| o.key = v.trim().to_owned()) maxlength=32 part="option-key" />
                            <button type="button" class="button button--small" on:click=remove
                                aria-label=move || format!("{} {}", t_string!(i18n, designer.remove), read(|o| o.zh.clone()).get())>
                                {t!(i18n, designer.remove)}
                            </button>
                        </div>
                    }
                }
            </For>
            <button type="button" class="button button--small" data-action="add-option" on:click=add>
                {t!(i18n, designer.add_option)}
            </button>
        </fieldset>
    }
}
