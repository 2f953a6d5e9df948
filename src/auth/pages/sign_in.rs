//! Signing in: the password step, the second factor, and signing out.
use super::super::AccountKind;
use super::super::api::{SignIn, SignOut, VerifySecondFactor};
use crate::i18n::*;
use crate::ui::{Field, FormError, field_code, last_error, text};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MemberLoginPage() -> impl IntoView {
    view! { <SignInForm kind=AccountKind::Member /> }
}

#[component]
pub fn OperatorLoginPage() -> impl IntoView {
    view! { <SignInForm kind=AccountKind::Operator /> }
}

#[component]
pub(super) fn SignInForm(kind: AccountKind) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    let error = last_error(action);
    let operator = kind == AccountKind::Operator;
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let forgot = if operator {
        "/forgot?kind=operator"
    } else {
        "/forgot"
    };
    view! {
        <Title text=crate::ui::page_title(move || {
            if operator {
                t_string!(i18n, auth.operator_login_title).to_string()
            } else {
                t_string!(i18n, auth.login_title).to_string()
            }
        }) />
        <section class="auth-card" data-page=if operator { "operator-login" } else { "login" }>
            <h1>
                {move || {
                    if operator {
                        t_string!(i18n, auth.operator_login_title)
                    } else {
                        t_string!(i18n, auth.login_title)
                    }
                }}
            </h1>
            <p class="auth-card__lead">
                {move || {
                    if operator {
                        t_string!(i18n, auth.operator_login_lead)
                    } else {
                        t_string!(i18n, auth.login_lead)
                    }
                }}
            </p>
            <ActionForm action=action>
                <input type="hidden" name="kind" value=kind.as_str() />
                <input type="hidden" name="next" value=next />
                <FormError error />
                <Field
                    name="identifier"
                    label=text!(i18n, auth.identifier)
                    hint=text!(i18n, auth.identifier_hint)
                    autocomplete="username"
                    autofocus=true
                    error=field_code(error, "identifier")
                />
                <Field
                    name="password"
                    label=text!(i18n, auth.password)
                    input_type="password"
                    autocomplete="current-password"
                    error=field_code(error, "password")
                />
                <div class="form__actions">
                    <button
                        type="submit"
                        class="button button--primary"
                        disabled=move || action.pending().get()
                    >
                        {t!(i18n, auth.sign_in)}
                    </button>
                    <A href=forgot>{t!(i18n, auth.forgot_link)}</A>
                </div>
            </ActionForm>
        </section>
    }
}

/// The second step of sign-in: a code from the authenticator app or a recovery code.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<VerifySecondFactor>::new();
    let error = last_error(action);
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, auth.verify_title)) />
        <section class="auth-card" data-page="verify">
            <h1>{t!(i18n, auth.verify_title)}</h1>
            <p class="auth-card__lead">{t!(i18n, auth.verify_lead)}</p>
            <ActionForm action=action>
                <FormError error />
                <Field
                    name="code"
                    label=text!(i18n, auth.code)
                    hint=text!(i18n, auth.code_hint)
                    autocomplete="one-time-code"
                    autofocus=true
                    maxlength=20
                    error=field_code(error, "code")
                />
                <div class="form__actions">
                    <button
                        type="submit"
                        class="button button--primary"
                        disabled=move || action.pending().get()
                    >
                        {t!(i18n, auth.verify)}
                    </button>
                </div>
            </ActionForm>
            // A form of its own: forms cannot nest.
            <div class="form__actions">
                <SignOutButton secondary=true />
            </div>
        </section>
    }
}

/// A sign-out button (a form, so it works without JavaScript).
#[component]
pub fn SignOutButton(#[prop(optional)] secondary: bool) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignOut>::new();
    view! {
        <ActionForm action=action>
            <button
                type="submit"
                class=if secondary { "button button--link" } else { "button" }
                data-action="sign-out"
            >
                {t!(i18n, auth.sign_out)}
            </button>
        </ActionForm>
    }
}
