//! Password recovery by code.
use super::super::AccountKind;
use super::super::api::{RequestPasswordReset, ResetPassword};
use crate::i18n::*;
use crate::ui::{Cooldown, Field, FormError, field_code, last_error, text};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Password recovery: ask for a code, then set a new password with it.
#[component]
pub fn ForgotPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let kind = move || {
        if query.read().get("kind").as_deref() == Some("operator") {
            AccountKind::Operator
        } else {
            AccountKind::Member
        }
    };
    let request = ServerAction::<RequestPasswordReset>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let request_error = last_error(request);
    let reset_error = last_error(reset);
    let identifier = RwSignal::new(String::new());
    // Counts down the resend cooldown the server reported.
    let cooldown = Cooldown::new();
    Effect::new(move |_| cooldown.follow(request.value().get(), |secs| *secs));
    let sent = move || matches!(request.value().get(), Some(Ok(_)));
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, forgot.title)) />
        <section class="auth-card" data-page="forgot">
            <h1>{t!(i18n, forgot.title)}</h1>
            <p class="auth-card__lead">{t!(i18n, forgot.lead)}</p>
            <ActionForm action=request>
                <input type="hidden" name="kind" value=move || kind().as_str() />
                <crate::ui::challenge::ChallengeField error=request_error />
                <FormError error=request_error cooldown=cooldown />
                <div class="field">
                    <label class="field__label" for="field-reset-identifier">
                        {t!(i18n, auth.identifier)}
                    </label>
                    <input
                        class="field__input"
                        id="field-reset-identifier"
                        name="identifier"
                        autocomplete="username"
                        required
                        autofocus
                        prop:value=move || identifier.get()
                        on:input=move |ev| identifier.set(event_target_value(&ev))
                    />
                    {move || {
                        field_code(request_error, "identifier")
                            .get()
                            .map(|code| {
                                view! {
                                    <p class="field__error" data-code=code.as_str()>
                                        {code.text(i18n.get_locale())}
                                    </p>
                                }
                            })
                    }}
                </div>
                <div class="form__actions">
                    <button
                        type="submit"
                        class="button"
                        class:button--primary=move || !sent()
                        disabled=move || { request.pending().get() || cooldown.waiting() }
                        data-action="send-code"
                    >
                        {move || {
                            let left = cooldown.left();
                            if left > 0 {
                                view! { {t!(i18n, forgot.resend_in, seconds = left)} }.into_any()
                            } else if sent() {
                                view! { {t!(i18n, forgot.resend)} }.into_any()
                            } else {
                                view! { {t!(i18n, forgot.send_code)} }.into_any()
                            }
                        }}
                    </button>
                </div>
            </ActionForm>
            <Show when=sent>
                <p class="alert alert--info" role="status">
                    {t!(i18n, forgot.sent)}
                </p>
                <ActionForm action=reset>
                    <input type="hidden" name="kind" value=move || kind().as_str() />
                    <input type="hidden" name="identifier" value=move || identifier.get() />
                    <FormError error=reset_error />
                    <Field
                        name="code"
                        label=text!(i18n, forgot.code)
                        autocomplete="one-time-code"
                        inputmode="numeric"
                        maxlength=6
                        error=field_code(reset_error, "code")
                    />
                    <Field
                        name="new_password"
                        label=text!(i18n, security.new_password)
                        hint=text!(i18n, security.password_rules)
                        input_type="password"
                        autocomplete="new-password"
                        error=field_code(reset_error, "new_password")
                    />
                    <div class="form__actions">
                        <button
                            type="submit"
                            class="button button--primary"
                            disabled=move || reset.pending().get()
                        >
                            {t!(i18n, forgot.submit)}
                        </button>
                    </div>
                </ActionForm>
            </Show>
            <p>
                <A href=move || kind().login_path().to_string()>{t!(i18n, forgot.back)}</A>
            </p>
        </section>
    }
}
