//! The site header's links: where to register and sign in, or, once signed
//! in, the way back to one's console.
use super::super::Stage;
use super::super::api::who_am_i;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// Asked again at every move to another page: signing in, the second step,
/// enrolling and signing out all end with one.
#[component]
pub fn SiteNav() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let me = Resource::new(move || location.pathname.get(), |_| who_am_i());
    let public = move || {
        view! {
            <A href="/register">{t!(i18n, nav.register)}</A>
            <A href="/login">{t!(i18n, nav.login)}</A>
        }
    };
    view! {
        <Transition fallback=public>
            {move || Suspend::new(async move {
                match me.await.ok().flatten() {
                    Some(a) if a.stage == Stage::SignedIn => {
                        view! { <A href=a.kind.home()>{t!(i18n, nav.console)}</A> }.into_any()
                    }
                    Some(a) if a.stage == Stage::MustEnrol => {
                        view! { <A href="/account/security">{t!(i18n, nav.security)}</A> }.into_any()
                    }
                    _ => public().into_any(),
                }
            })}
        </Transition>
    }
}
