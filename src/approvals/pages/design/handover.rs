//! Handing a departing person's open approvals to someone else in one
//! action, from their page in the contacts console.
use crate::approvals::api::ApprovalHandOver;
use crate::approvals::pages::fill::{Labels, Picker};
use crate::i18n::*;
use crate::ui::{ActionPanel, FormError, last_error, text};
use leptos::prelude::*;

/// For an administrator of `person`'s contacts (the server checks it):
/// every open approval of theirs goes to the person chosen.
#[component]
pub fn HandOver(
    #[prop(into)] person: Signal<String>,
    #[prop(into)] name: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ApprovalHandOver>::new();
    let labels: Labels = RwSignal::new(Default::default());
    let to = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let to_name = move || to.with(|id| labels.with(|l| l.get(id).cloned().unwrap_or_default()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            confirming.set(false);
            to.set(String::new());
        }
    });
    let go = move |_| {
        action.dispatch(ApprovalHandOver {
            from: person.get_untracked(),
            to: to.get_untracked(),
        });
    };
    view! {
        <ActionPanel name="hand-over" label=text!(i18n, designer.hand_over)>
            <div class="action__form">
                <p class="muted">{t!(i18n, designer.hand_over_hint)}</p>
                <FormError error=last_error(action) />
                {move || action.value().get().and_then(Result::ok).map(|n| view! {
                    <p class="notice" role="status" data-notice="handed-over">{td!(i18n.get_locale(), designer.handed_over, n = n)}</p>
                })}
                <div class="field">
                    <p class="field__label">{t!(i18n, designer.hand_to)}</p>
                    <Picker id="hand-to".into() kind="person" multiple=false labels label=text!(i18n, designer.hand_to)
                        value=Signal::derive(move || to.get())
                        set=Callback::new(move |v: String| { confirming.set(false); to.set(v) }) />
                </div>
                {move || if confirming.get() {
                    view! {
                        <p>{td!(i18n.get_locale(), designer.hand_confirm, from = name.get(), to = to_name())}</p>
                        <button type="button" class="button button--primary" data-action="hand-over"
                            disabled=move || action.pending().get() on:click=go>
                            {t!(i18n, designer.hand_over_now)}
                        </button>
                        " "
                        <button type="button" class="button" on:click=move |_| confirming.set(false)>{t!(i18n, designer.keep)}</button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="button" data-action="hand-over-ask"
                            disabled=move || to.with(String::is_empty)
                            on:click=move |_| confirming.set(true)>
                            {t!(i18n, designer.hand_over)}
                        </button>
                    }.into_any()
                }}
            </div>
        </ActionPanel>
    }
}
