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
        <leptos_meta::Title text=crate::ui::page_title(move || t_string!(i18n, org_security.title)) />
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
            <fieldset class="form__group" data-part="audit">
                <legend>{t!(i18n, org_security.audit)}</legend>
                <Field
                    name="audit_retention_days"
                    required=false
                    input_type="number"
                    inputmode="numeric"
                    label=text!(i18n, org_security.audit_retention)
                    hint=text!(i18n, org_security.audit_retention_hint)
                    value=Signal::stored(s.audit_retention_days.to_string())
                    error=field_code(error, "audit_retention_days")
                />
            </fieldset>
            <fieldset class="form__group" data-part="invitations">
                <legend>{t!(i18n, org_security.invitations)}</legend>
                <Field
                    name="invitation_days"
                    required=false
                    input_type="number"
                    inputmode="numeric"
                    label=text!(i18n, org_security.invitation_days)
                    hint=text!(i18n, org_security.invitation_days_hint)
                    value=Signal::stored(s.invitation_days.to_string())
                    error=field_code(error, "invitation_days")
                />
                {check("invitation_reminders", s.invitation_reminders, text!(i18n, org_security.invitation_reminders))}
                {check("directory_hides_contacts", s.directory_hides_contacts, text!(i18n, org_security.directory_hides_contacts))}
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

/// `/admin/security/checkup`: each finding with its people and its fix.
#[component]
pub fn CheckupPage() -> impl IntoView {
    use super::api::{FixCheckup, security_checkup};
    let i18n = use_i18n();
    let fix = ServerAction::<FixCheckup>::new();
    let found = Resource::new(move || fix.version().get(), |_| security_checkup());
    view! {
        <div class="checkup" data-page="checkup">
            <h1>{t!(i18n, checkup.title)}</h1>
            <p class="muted">{t!(i18n, checkup.intro)}</p>
            <FormError error=last_error(fix) />
            {move || match fix.value().get() {
                Some(Ok(n)) => Some(view! {
                    <p class="notice notice--success" role="status" data-notice="fixed">
                        {t!(i18n, checkup.done)} " " {n}
                    </p>
                }),
                _ => None,
            }}
            <Loaded resource=found let:c>
                <CheckupView c fix />
            </Loaded>
        </div>
    }
}

#[component]
fn CheckupView(c: super::Checkup, fix: ServerAction<super::api::FixCheckup>) -> impl IntoView {
    let i18n = use_i18n();
    let open = c.open();
    let many = crate::access::MANY_SUPER_ADMINS as i64;
    let supers = c.super_admins;
    let fix_button = move |kind: &'static str, label: Signal<String>| {
        view! {
            <ActionForm action=fix attr:class="action__inline">
                <input type="hidden" name="fix" value=kind />
                <button type="submit" class="button" data-fix=kind>{move || label.get()}</button>
            </ActionForm>
        }
    };
    view! {
        <p class="checkup__summary" data-open=open>
            {if open == 0 {
                view! { <strong>{t!(i18n, checkup.all_clear)}</strong> }.into_any()
            } else {
                view! { {t!(i18n, checkup.open)} " " <strong>{open}</strong> }.into_any()
            }}
        </p>
        <FindingCard
            name="without-second-factor"
            title=text!(i18n, checkup.without_second_factor)
            hint=text!(i18n, checkup.without_second_factor_hint)
            finding=c.without_second_factor.clone()
        >
            {(c.without_second_factor.total > 0)
                .then(|| fix_button("remind_second_factor", text!(i18n, checkup.fix_remind)))}
        </FindingCard>
        <section class="panel checkup__finding" data-finding="super-admins" data-count=supers>
            <h2>{t!(i18n, checkup.super_admins)} ": " {supers}</h2>
            <p class={if supers <= 1 || supers > many { "warning-text" } else { "muted" }}>
                {if supers <= 1 {
                    t!(i18n, checkup.super_admins_one).into_any()
                } else if supers > many {
                    t!(i18n, checkup.super_admins_many).into_any()
                } else {
                    t!(i18n, checkup.super_admins_fine).into_any()
                }}
            </p>
            <a href="/admin/access">{t!(i18n, checkup.manage_roles)}</a>
        </section>
        <FindingCard
            name="departed-with-sessions"
            title=text!(i18n, checkup.departed_with_sessions)
            hint=text!(i18n, checkup.departed_with_sessions_hint)
            finding=c.departed_with_sessions.clone()
        >
            {(c.departed_with_sessions.total > 0)
                .then(|| fix_button("end_departed_sessions", text!(i18n, checkup.fix_end_departed)))}
        </FindingCard>
        <FindingCard
            name="stale-sessions"
            title=text!(i18n, checkup.stale_sessions)
            hint=text!(i18n, checkup.stale_sessions_hint)
            finding=c.stale_sessions.clone()
        >
            {(c.stale_sessions.total > 0)
                .then(|| fix_button("end_stale_sessions", text!(i18n, checkup.fix_end_stale)))}
        </FindingCard>
        <FindingCard
            name="not-activated"
            title=text!(i18n, checkup.not_activated)
            hint=text!(i18n, checkup.not_activated_hint)
            finding=c.not_activated.clone()
        >
            {None::<()>}
        </FindingCard>
        <FindingCard
            name="lockouts"
            title=text!(i18n, checkup.lockouts)
            hint=text!(i18n, checkup.lockouts_hint)
            finding=c.lockouts.clone()
        >
            {None::<()>}
        </FindingCard>
        <section class="panel checkup__finding" data-finding="failed-messages" data-count=c.failed_messages>
            <h2>{t!(i18n, checkup.failed_messages)} ": " {c.failed_messages}</h2>
            {(c.failed_messages > 0).then(|| view! { <p class="muted">{t!(i18n, checkup.failed_messages_hint)}</p> })}
        </section>
    }
}

/// One finding: its title and count, why it matters, the people it names
/// (linked to their pages), then its fix (`children`).
#[component]
fn FindingCard(
    name: &'static str,
    title: Signal<String>,
    hint: Signal<String>,
    finding: super::Finding,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let total = finding.total;
    let listed = finding.people.len() as i64;
    view! {
        <section class="panel checkup__finding" data-finding=name data-count=total>
            <h2>{move || title.get()} ": " {total}</h2>
            {(total > 0).then(|| view! {
                <p class="muted">{move || hint.get()}</p>
                <ul class="plain-list checkup__people">
                    {finding
                        .people
                        .iter()
                        .map(|p| view! {
                            <li data-person=p.userid.clone()>
                                <a href=format!("/admin/contacts/employees/{}", p.id)>{p.name.clone()}</a>
                                " " <span class="mono muted">{p.userid.clone()}</span>
                                {(!p.detail.is_empty()).then(|| view! { " · " <span class="muted">{p.detail.clone()}</span> })}
                            </li>
                        })
                        .collect_view()}
                </ul>
                {(total > listed).then(|| view! { <p class="muted">{t!(i18n, checkup.and_more)} " " {total}</p> })}
            })}
            {children()}
        </section>
    }
}
