//! Small editors the designer's parts share: a text box, a check box, the
//! move and remove buttons of an item, and the problems under a path.
use crate::error::FieldError;
use crate::i18n::*;
use leptos::prelude::*;

/// A text box bound to part of the design: text as it is typed, numbers
/// once they are whole (on change), so a half-typed `12.` stays as typed.
#[component]
pub(super) fn Text(
    #[prop(into)] label: Signal<String>,
    #[prop(into)] value: Signal<String>,
    set: Callback<String>,
    #[prop(default = 40)] maxlength: u32,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] part: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field__label">{move || label.get()}</span>
            <input class="field__input" type=input_type maxlength=maxlength data-part=part
                inputmode=(input_type == "number").then_some("decimal")
                prop:value=move || value.get()
                on:input=move |ev| if input_type != "number" { set.run(event_target_value(&ev)) }
                on:change=move |ev| if input_type == "number" { set.run(event_target_value(&ev)) } />
        </label>
    }
}

/// A check box bound to part of the design.
#[component]
pub(super) fn Check(
    #[prop(into)] label: Signal<String>,
    #[prop(into)] checked: Signal<bool>,
    set: Callback<bool>,
    #[prop(optional)] part: &'static str,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" data-part=part prop:checked=move || checked.get()
                on:change=move |ev| set.run(event_target_checked(&ev)) />
            " " {move || label.get()}
        </label>
    }
}

/// Buttons that move an item up, down, or remove it (asking once more).
#[component]
pub(super) fn ItemTools(
    #[prop(into)] first: Signal<bool>,
    #[prop(into)] last: Signal<bool>,
    up: Callback<()>,
    down: Callback<()>,
    remove: Callback<()>,
    #[prop(into)] what: Signal<String>,
    /// The item may not go (a branch node keeps two branches).
    #[prop(optional, into)]
    keep: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let asking = RwSignal::new(false);
    view! {
        <div class="designer__tools">
            <button type="button" class="button button--small" disabled=move || first.get()
                aria-label=move || format!("{} {}", t_string!(i18n, designer.move_up), what.get())
                on:click=move |_| up.run(())>"↑"</button>
            <button type="button" class="button button--small" disabled=move || last.get()
                aria-label=move || format!("{} {}", t_string!(i18n, designer.move_down), what.get())
                on:click=move |_| down.run(())>"↓"</button>
            {move || if keep.get() {
                ().into_any()
            } else if asking.get() {
                view! {
                    <button type="button" class="button button--small button--danger" data-action="confirm-remove"
                        on:click=move |_| { asking.set(false); remove.run(()) }>
                        {t!(i18n, designer.confirm_remove)}
                    </button>
                    <button type="button" class="button button--small" on:click=move |_| asking.set(false)>
                        {t!(i18n, designer.keep)}
                    </button>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="button button--small" data-action="remove"
                        aria-label=move || format!("{} {}", t_string!(i18n, designer.remove), what.get())
                        on:click=move |_| asking.set(true)>
                        {t!(i18n, designer.remove)}
                    </button>
                }.into_any()
            }}
        </div>
    }
}

/// The messages of the problems under a path.
#[component]
pub(super) fn ProblemList(problems: Signal<Vec<FieldError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let list = problems.get();
        (!list.is_empty()).then(|| {
            view! {
                <ul class="designer__errors">
                    {list.into_iter().map(|p| view! {
                        <li class="field__error" data-code=p.code.as_str()>{p.code.text(i18n.get_locale())}</li>
                    }).collect_view()}
                </ul>
            }
        })
    }
}
