//! The bar at the top of a console: who is signed in, and notices for them.
use super::super::api::{DismissSecurityNotice, security_notice};
use super::*;
use crate::i18n::*;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;

/// The signed-in account's name and organisation, shown at the top of a console.
#[component]
pub fn AccountBar() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    view! {
        <div class="account-bar">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    me.await
                        .ok()
                        .flatten()
                        .map(|a| {
                            view! {
                                <span class="account-bar__who" data-testid="account-name" translate="no">
                                    {a.name.clone()}
                                </span>
                                {a
                                    .org_name
                                    .clone()
                                    .map(|n| {
                                        view! {
                                            <span class="account-bar__org" data-testid="org-name" translate="no">
                                                {n}
                                            </span>
                                        }
                                    })}
                                <A href="/account/security">{t!(i18n, nav.security)}</A>
                                <SignOutButton secondary=true />
                            }
                        })
                })}
            </Transition>
        </div>
        <SecurityNoticeBanner />
    }
}

/// Told after sign-in, on every console page until dismissed: password
/// resets someone asked for and that were not sent.
#[component]
pub(super) fn SecurityNoticeBanner() -> impl IntoView {
    let i18n = use_i18n();
    let dismiss = ServerAction::<DismissSecurityNotice>::new();
    let notice = Resource::new(move || dismiss.version().get(), |_| security_notice());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                notice
                    .await
                    .ok()
                    .flatten()
                    .map(|n| {
                        let count = n.resets_not_sent;
                        view! {
                            <div class="notice--warning security-notice" role="status" data-notice="resets-not-sent">
                                <p>{t!(i18n, notices.resets_not_sent, count = move || count)}</p>
                                <ActionForm action=dismiss>
                                    <button type="submit" class="button button--link" data-action="dismiss-notice">
                                        {t!(i18n, notices.dismiss)}
                                    </button>
                                </ActionForm>
                            </div>
                        }
                    })
            })}
        </Suspense>
    }
}
