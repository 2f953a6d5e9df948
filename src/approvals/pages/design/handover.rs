//! Handing a departing person's open approvals to someone else in one
//! action, from their page in the contacts console.
use crate::approvals::api::{ApprovalAdminSet, ApprovalHandOver, approval_admin};
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

/// Who decides the steps that find nobody, and a way to change it.
#[component]
pub(super) fn ApprovalAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ApprovalAdminSet>::new();
    let current = Resource::new(move || action.version().get(), |_| approval_admin());
    let labels: Labels = RwSignal::new(Default::default());
    let chosen = RwSignal::new(String::new());
    let save = move |_| {
        action.dispatch(ApprovalAdminSet {
            person: chosen.get_untracked(),
        });
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            chosen.set(String::new());
        }
    });
    view! {
        <section class="panel" data-part="approval-admin">
            <h2>{t!(i18n, designer.approval_admin)}</h2>
            <p class="muted">{t!(i18n, designer.approval_admin_hint)}</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    current.await.ok().flatten().map(|(_, name)| view! {
                        <p data-part="approval-admin-now">{td!(i18n.get_locale(), designer.approval_admin_now, name = name)}</p>
                    })
                })}
            </Transition>
            <ActionPanel name="approval-admin" label=text!(i18n, designer.approval_admin_change)>
                <div class="action__form">
                    <FormError error=last_error(action) />
                    <Picker id="approval-admin".into() kind="person" multiple=false labels
                        label=text!(i18n, designer.approval_admin)
                        value=Signal::derive(move || chosen.get())
                        set=Callback::new(move |v: String| chosen.set(v)) />
                    <button type="button" class="button button--primary" data-action="set-approval-admin"
                        disabled=move || chosen.with(String::is_empty) || action.pending().get() on:click=save>
                        {t!(i18n, designer.save)}
                    </button>
                </div>
            </ActionPanel>
        </section>
    }
}
