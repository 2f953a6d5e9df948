//! The first operator's setup page.
use super::super::api::{SetupOperator, setup_status};
use crate::error::Code;
use crate::i18n::*;
use crate::ui::{Field, FormError, Loaded, field_code, last_error, text};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// First-run page: the first platform operator sets up their account.
#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let status = Resource::new(token, setup_status);
    let action = ServerAction::<SetupOperator>::new();
    let error = last_error(action);
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, setup.title)) />
        <section class="auth-card" data-page="setup">
            <h1>{t!(i18n, setup.title)}</h1>
            <Loaded resource=status let:value>
                {match value {
                    true => {
                        view! {
                            <p class="auth-card__lead">{t!(i18n, setup.lead)}</p>
                            <ActionForm action=action>
                                <input type="hidden" name="token" value=token() />
                                <FormError error />
                                <Field
                                    name="name"
                                    label=text!(i18n, setup.name)
                                    autocomplete="name"
                                    autofocus=true
                                    maxlength=64
                                    error=field_code(error, "name")
                                />
                                <Field
                                    name="email"
                                    label=text!(i18n, setup.email)
                                    input_type="email"
                                    autocomplete="email"
                                    error=field_code(error, "email")
                                />
                                <Field
                                    name="password"
                                    label=text!(i18n, setup.password)
                                    hint=text!(i18n, security.password_rules)
                                    input_type="password"
                                    autocomplete="new-password"
                                    error=field_code(error, "password")
                                />
                                <div class="form__actions">
                                    <button
                                        type="submit"
                                        class="button button--primary"
                                        disabled=move || action.pending().get()
                                    >
                                        {t!(i18n, setup.submit)}
                                    </button>
                                </div>
                            </ActionForm>
                        }
                            .into_any()
                    }
                    false => {
                        view! {
                            <div class="alert alert--error" role="alert" data-code=Code::AuthSetupToken.as_str()>
                                <p>{t!(i18n, setup.invalid)}</p>
                            </div>
                        }
                            .into_any()
                    }
                }}
            </Loaded>
        </section>
    }
}
