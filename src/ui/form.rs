//! Form pieces shared by every page: a labelled field with its error, and
//! the error summary above a form.
use super::AppErrorView;
use crate::error::{AppError, Code};
use crate::i18n::*;
use leptos::prelude::*;

/// The error of the last call of a form's action, if it failed.
pub fn last_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// The code of `field` in `error`, if the error names that field.
pub fn field_code(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<Code>> {
    Signal::derive(move || error.get().and_then(|e| e.field_code(field)))
}

/// A labelled input with its hint and its error underneath.
#[component]
pub fn Field(
    /// The form field name, also the server function argument.
    name: &'static str,
    /// Makes the element id unique when several forms on a page share a field name.
    #[prop(optional)]
    form: Option<&'static str>,
    #[prop(into)] label: Signal<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(default = true)] required: bool,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(optional, into)] value: Option<Signal<String>>,
    #[prop(optional, into)] error: Option<Signal<Option<Code>>>,
    #[prop(optional)] autofocus: bool,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = match form {
        Some(form) => format!("field-{form}-{name}"),
        None => format!("field-{name}"),
    };
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let has_hint = hint.is_some();
    let describedby = {
        let hint_id = hint_id.clone();
        let error_id = error_id.clone();
        move || {
            let mut ids = vec![];
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <label class="field__label" for=id.clone()>
                {move || label.get()}
            </label>
            {hint
                .map(|hint| {
                    view! {
                        <p class="field__hint" id=hint_id.clone()>
                            {move || hint.get()}
                        </p>
                    }
                })}
            <input
                class="field__input"
                id=id.clone()
                name=name
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                required=required
                autofocus=autofocus
                maxlength=maxlength
                value=move || value.map(|v| v.get())
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=describedby
            />
            {move || {
                error
                    .get()
                    .map(|code| {
                        view! {
                            <p class="field__error" id=error_id.clone() data-code=code.as_str()>
                                {code.text(i18n.get_locale())}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// Above a form: the error that belongs to no single field, or a note that
/// some fields need attention.
#[component]
pub fn FormError(
    #[prop(into)] error: Signal<Option<AppError>>,
    /// The countdown of a refusal's wait, when the form's button waits on
    /// it too; without one the message counts down on its own.
    #[prop(optional)]
    cooldown: Option<super::Cooldown>,
) -> impl IntoView {
    let cooldown = cooldown.unwrap_or_else(|| {
        let own = super::Cooldown::new();
        Effect::new(move |_| {
            if let Some(secs) = error.get().and_then(|e| e.retry_after_secs()) {
                own.start(secs);
            }
        });
        own
    });
    move || {
        error
            .get()
            .map(|e| view! { <AppErrorView error=e cooldown=cooldown /> })
    }
}

/// A translated error code in a paragraph, when there is one: under a field
/// (`field__error`, the default) or above a block (`notice notice--warning`).
#[component]
pub fn CodeMessage(
    #[prop(into)] code: Signal<Option<Code>>,
    #[prop(default = "field__error")] class: &'static str,
    /// Announce it at once to screen readers.
    #[prop(optional)]
    alert: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        code.get().map(|code| {
            view! {
                <p class=class role=alert.then_some("alert") data-code=code.as_str()>
                    {code.text(i18n.get_locale())}
                </p>
            }
        })
    }
}
