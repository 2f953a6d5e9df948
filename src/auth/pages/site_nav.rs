//! The site header's links: where to register and sign in, or, once signed
//! in, the way back to one's console.
use super::super::api::who_am_i;
use super::super::{CurrentAccount, Stage};
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// Who is signed in: asked once at every move to another page (signing in,
/// the second step, enrolling and signing out all end with one) and shared
/// by the header, the account bar and the consoles' home pages.
#[derive(Clone, Copy)]
pub struct Me(pub Resource<Result<Option<CurrentAccount>, AppError>>);

/// Provides [`Me`] to everything inside; within the router.
#[component]
pub fn ProvideMe(children: Children) -> impl IntoView {
    let location = use_location();
    provide_context(Me(Resource::new(
        move || location.pathname.get(),
        |_| who_am_i(),
    )));
    children()
}

/// The signed-in account, as [`ProvideMe`] has it.
pub fn use_me() -> Resource<Result<Option<CurrentAccount>, AppError>> {
    expect_context::<Me>().0
}

#[component]
pub fn SiteNav() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
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
                        // A member who administers nothing has a home, not a console.
                        let member_home = a.kind == crate::auth::AccountKind::Member && !a.administrator;
                        view! {
                            <A href=a.home()>
                                {if member_home { t!(i18n, nav.me).into_any() } else { t!(i18n, nav.console).into_any() }}
                            </A>
                        }
                        .into_any()
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
