//! `/admin/security`: the organisation's security settings in one form.
use super::SecuritySettings;
use super::api::{SaveSecuritySettings, load_security_settings};
use crate::i18n::*;
use crate::ui::{CodeMessage, Field, FormError, Loaded, field_code, last_error, text};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn SecuritySettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveSecuritySettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| load_security_settings());
    view! {
        <div class="settings" data-page="security-settings">
            <h1>{t!(i18n, org_security.title)}</h1>
            <p class="muted">{t!(i18n, org_security.intro)}</p>
            <Loaded resource=settings let:s>
                <SettingsForm s save />
            </Loaded>
        </div>
    }
}

#[component]
fn SettingsForm(s: SecuritySettings, save: ServerAction<SaveSecuritySettings>) -> impl IntoView {
    let i18n = use_i18n();
    let error = last_error(save);
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(()))));
    let check = move |name: &'static str, checked: bool, label: Signal<String>| {
        view! {
            <label class="check">
                <input type="checkbox" name=name value="true" checked=checked />
                <span>{move || label.get()}</span>
            </label>
        }
    };
    let number = |v: i32| Signal::stored(if v == 0 { String::new() } else { v.to_string() });
    let (idle, absolute) = (s.server_idle_minutes, s.server_absolute_hours);
    view! {
        <ActionForm action=save attr:class="form" attr:data-form="security-settings">
            <input type="hidden" name="version" value=s.version />
            <FormError error />
            {move || saved.get().then(|| view! {
                <p class="notice notice--success" role="status" data-notice="saved">{t!(i18n, org_security.saved)}</p>
            })}
            <fieldset class="form__group" data-part="two-step">
                <legend>{t!(i18n, org_security.two_step)}</legend>
                {check("two_factor_admins", s.two_factor_admins, text!(i18n, org_security.two_step_admins))}
                {check("two_factor_everyone", s.two_factor_everyone, text!(i18n, org_security.two_step_everyone))}
                <p class="field__hint">{t!(i18n, org_security.two_step_hint)}</p>
            </fieldset>
            <fieldset class="form__group" data-part="passwords">
                <legend>{t!(i18n, org_security.passwords)}</legend>
                <p class="field__hint">{t!(i18n, org_security.passwords_hint)}</p>
                <Field
                    name="password_min_length"
                    required=false
                    input_type="number"
                    inputmode="numeric"
                    label=text!(i18n, org_security.min_length)
                    hint=text!(i18n, org_security.min_length_hint)
                    value=number(s.password_min_length)
                    error=field_code(error, "password_min_length")
                />
                <Field
                    name="password_expiry_days"
                    required=false
                    input_type="number"
                    inputmode="numeric"
                    label=text!(i18n, org_security.expiry)
                    hint=text!(i18n, org_security.expiry_hint)
                    value=number(s.password_expiry_days)
                    error=field_code(error, "password_expiry_days")
                />
            </fieldset>
            <fieldset class="form__group" data-part="sessions">
                <legend>{t!(i18n, org_security.sessions)}</legend>
                <Field
                    name="session_idle_minutes"
                    required=false
                    input_type="number"
                    inputmode="numeric"
                    label=text!(i18n, org_security.idle)
                    hint=Signal::derive(move || format!("{} {idle}", t_string!(i18n, org_security.idle_hint)))
                    value=number(s.session_idle_minutes)
                    error=field_code(error, "session_idle_minutes")
                />
                <Field
                    name="session_absolute_hours"
                    required=false
                    input_type="number"
                    inputmode="numeric"
                    label=text!(i18n, org_security.absolute)
                    hint=Signal::derive(move || format!("{} {absolute}", t_string!(i18n, org_security.absolute_hint)))
                    value=number(s.session_absolute_hours)
                    error=field_code(error, "session_absolute_hours")
                />
            </fieldset>
            <div class="field">
                <label class="field__label" for="field-join-link">{t!(i18n, org_security.join_link)}</label>
                <select id="field-join-link" name="join_link" class="field__input">
                    <option value="approval" selected=s.join_link == "approval">{t!(i18n, audit_details.join_link_approval)}</option>
                    <option value="off" selected=s.join_link == "off">{t!(i18n, audit_details.join_link_off)}</option>
                </select>
                <CodeMessage code=field_code(error, "join_link") />
            </div>
            <fieldset class="form__group" data-part="confirm-identity">
                <legend>{t!(i18n, contacts.confirm_identity)}</legend>
                <Field
                    name="password"
                    input_type="password"
                    autocomplete="current-password"
                    label=text!(i18n, contacts.your_password)
                    error=field_code(error, "password")
                />
                <Field
                    name="code"
                    required=false
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength=20
                    label=text!(i18n, contacts.your_code)
                    error=field_code(error, "code")
                />
            </fieldset>
            <div class="form__actions">
                <button type="submit" class="button button--primary" data-action="save-security">
                    {t!(i18n, contacts.save)}
                </button>
            </div>
        </ActionForm>
    }
}
