//! The account's security page: authenticator, recovery codes, password and sessions.
use super::super::api::{
    ChangePassword, ConfirmEnrolment, EndMySession, RegenerateRecoveryCodes, SignOutEverywhere,
    StartEnrolment, get_security_overview, my_sessions,
};
use super::super::{RecoveryCodes, SecurityOverview, Stage};
use super::*;
use crate::i18n::*;
use crate::ui::{Field, FormError, Loaded, field_code, last_error, text};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Recovery codes, shown once, with a download and a copy button.
#[component]
pub(super) fn RecoveryCodesView(codes: RecoveryCodes) -> impl IntoView {
    let i18n = use_i18n();
    let text = codes.codes.join("\n");
    let href = format!(
        "data:text/plain;charset=utf-8,{}",
        url_escape(&format!("Orgdesk recovery codes\n\n{text}\n"))
    );
    let copied = RwSignal::new(false);
    let copy_text = text.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&copy_text);
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &copy_text;
    };
    view! {
        <div class="recovery-codes" data-testid="recovery-codes">
            <p class="alert alert--warning">{t!(i18n, security.codes_once)}</p>
            <ol class="recovery-codes__list">
                {codes
                    .codes
                    .into_iter()
                    .map(|c| view! { <li><code>{c}</code></li> })
                    .collect_view()}
            </ol>
            <div class="form__actions">
                <a class="button" href=href download="orgdesk-recovery-codes.txt">
                    {t!(i18n, security.download_codes)}
                </a>
                <button type="button" class="button" on:click=copy>
                    {move || {
                        if copied.get() {
                            t_string!(i18n, security.copied)
                        } else {
                            t_string!(i18n, security.copy_codes)
                        }
                    }}
                </button>
            </div>
        </div>
    }
}

pub(super) fn url_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Setting up (or replacing) the authenticator app.
#[component]
pub(super) fn TotpEnrolment(
    overview: SecurityOverview,
    /// The page's, so that what it says of the account follows the enrolment.
    confirm: ServerAction<ConfirmEnrolment>,
) -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<StartEnrolment>::new();
    let start_error = last_error(start);
    let confirm_error = last_error(confirm);
    let replacing = overview.totp_enabled;
    let enrolment = move || start.value().get().and_then(|r| r.ok());
    let done = move || confirm.value().get().and_then(|r| r.ok());
    view! {
        <div class="enrolment" data-testid="totp-enrolment">
            {move || {
                if let Some(done) = done() {
                    let next = done.next.path.clone();
                    view! {
                        <p class="alert alert--success" role="status">
                            {t!(i18n, security.enrolled)}
                        </p>
                        <RecoveryCodesView codes=done.codes />
                        <p>
                            <a class="button button--primary" href=next data-action="continue">
                                {t!(i18n, security.continue_button)}
                            </a>
                        </p>
                    }
                        .into_any()
                } else if let Some(e) = enrolment() {
                    view! {
                        <ol class="steps">
                            <li>{t!(i18n, security.scan)}</li>
                        </ol>
                        <img
                            class="enrolment__qr"
                            src=e.qr_data_url.clone()
                            width="200"
                            height="200"
                            alt=move || t_string!(i18n, security.qr_alt)
                        />
                        <p>
                            {t!(i18n, security.manual_key)} " "
                            <code class="enrolment__secret" data-testid="totp-secret">
                                {e.secret.clone()}
                            </code>
                        </p>
                        <ActionForm action=confirm>
                            <FormError error=confirm_error />
                            <Field
                                name="code"
                                form="enrol"
                                label=text!(i18n, security.first_code)
                                autocomplete="one-time-code"
                                inputmode="numeric"
                                maxlength=6
                                autofocus=true
                                error=field_code(confirm_error, "code")
                            />
                            <div class="form__actions">
                                <button
                                    type="submit"
                                    class="button button--primary"
                                    disabled=move || confirm.pending().get()
                                >
                                    {t!(i18n, security.confirm)}
                                </button>
                            </div>
                        </ActionForm>
                    }
                        .into_any()
                } else {
                    view! {
                        <ActionForm action=start>
                            <FormError error=start_error />
                            {replacing
                                .then(|| {
                                    view! {
                                        <Field
                                            name="password"
                                            form="replace"
                                            label=text!(i18n, security.current_password)
                                            input_type="password"
                                            autocomplete="current-password"
                                            error=field_code(start_error, "password")
                                        />
                                        <Field
                                            name="code"
                                            form="replace"
                                            label=text!(i18n, auth.code)
                                            autocomplete="one-time-code"
                                            maxlength=20
                                            error=field_code(start_error, "code")
                                        />
                                    }
                                })}
                            <div class="form__actions">
                                <button
                                    type="submit"
                                    class="button button--primary"
                                    data-action="start-enrolment"
                                    disabled=move || start.pending().get()
                                >
                                    {move || {
                                        if replacing {
                                            t_string!(i18n, security.replace_totp)
                                        } else {
                                            t_string!(i18n, security.set_up_totp)
                                        }
                                    }}
                                </button>
                            </div>
                        </ActionForm>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

/// `/account/security`: second factor, recovery codes, password, sessions.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let change = ServerAction::<ChangePassword>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let confirm = ServerAction::<ConfirmEnrolment>::new();
    // Enrolled in this page: the overview is not loaded again (that would
    // take the recovery codes, shown once, off the screen).
    let enrolled = move || matches!(confirm.value().get(), Some(Ok(_)));
    let overview = Resource::new(
        move || (regenerate.version().get(), change.version().get()),
        |_| get_security_overview(),
    );
    let end_one = ServerAction::<EndMySession>::new();
    let sessions = Resource::new(
        move || {
            (
                end_one.version().get(),
                everywhere.version().get(),
                change.version().get(),
                confirm.version().get(),
            )
        },
        |_| my_sessions(),
    );
    let regenerate_error = last_error(regenerate);
    let change_error = last_error(change);
    let everywhere_error = last_error(everywhere);
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, security.title)) />
        <section class="page" data-page="security">
            <h1>{t!(i18n, security.title)}</h1>
            <Loaded resource=overview let:o>
                {
                let must_enrol = o.account.stage == Stage::MustEnrol;
                let password_expired = o.account.password_expired;
                let min_chars = o.account.password_min_chars.max(8);
                let totp_enabled = o.totp_enabled;
                let totp_required = o.totp_required;
                let home = o.account.home();
                let who = o
                    .account
                    .email
                    .clone()
                    .or(o.account.mobile.clone())
                    .unwrap_or_default();
                view! {
                    <p class="page__lead">
                        {o.account.name.clone()} " · " {who}
                        {o.account.org_name.clone().map(|n| format!(" · {n}"))}
                    </p>
                    {move || {
                        (password_expired && !matches!(change.value().get(), Some(Ok(_))))
                            .then(|| {
                                view! {
                                    <div class="alert alert--warning" role="alert" data-notice="password-expired">
                                        <p>{t!(i18n, security.password_expired)}</p>
                                    </div>
                                }
                            })
                    }}
                    {move || {
                        (must_enrol && !enrolled())
                            .then(|| {
                                view! {
                                    <div class="alert alert--warning" role="alert">
                                        <p>{t!(i18n, security.must_enrol)}</p>
                                    </div>
                                }
                            })
                    }}
                    <section class="panel" aria-labelledby="totp-heading">
                        <h2 id="totp-heading">{t!(i18n, security.totp_heading)}</h2>
                        <p data-testid="totp-status">
                            {move || {
                                if totp_enabled || enrolled() {
                                    t_string!(i18n, security.totp_on)
                                } else if totp_required {
                                    t_string!(i18n, security.totp_required)
                                } else {
                                    t_string!(i18n, security.totp_off)
                                }
                            }}
                        </p>
                        <TotpEnrolment overview=o.clone() confirm=confirm />
                    </section>
                    {(!must_enrol)
                        .then(|| {
                            view! {
                                <section class="panel" aria-labelledby="codes-heading">
                                    <h2 id="codes-heading">{t!(i18n, security.codes_heading)}</h2>
                                    <p data-testid="codes-left">
                                        {t!(i18n, security.codes_left, count = o.recovery_codes_left)}
                                    </p>
                                    {move || {
                                        regenerate
                                            .value()
                                            .get()
                                            .and_then(|r| r.ok())
                                            .map(|codes| view! { <RecoveryCodesView codes /> })
                                    }}
                                    {totp_enabled
                                        .then(|| {
                                            view! {
                                                <ActionForm action=regenerate>
                                                    <FormError error=regenerate_error />
                                                    <Field
                                                        name="password"
                                                        form="codes"
                                                        label=text!(i18n, security.current_password)
                                                        input_type="password"
                                                        autocomplete="current-password"
                                                        error=field_code(regenerate_error, "password")
                                                    />
                                                    <Field
                                                        name="code"
                                                        form="codes"
                                                        label=text!(i18n, auth.code)
                                                        autocomplete="one-time-code"
                                                        maxlength=20
                                                        error=field_code(regenerate_error, "code")
                                                    />
                                                    <div class="form__actions">
                                                        <button type="submit" class="button">
                                                            {t!(i18n, security.regenerate)}
                                                        </button>
                                                    </div>
                                                </ActionForm>
                                            }
                                        })}
                                </section>
                                <section class="panel" aria-labelledby="password-heading">
                                    <h2 id="password-heading">{t!(i18n, security.password_heading)}</h2>
                                    {move || {
                                        matches!(change.value().get(), Some(Ok(())))
                                            .then(|| {
                                                view! {
                                                    <p class="alert alert--success" role="status">
                                                        {t!(i18n, security.password_changed)}
                                                    </p>
                                                }
                                            })
                                    }}
                                    <ActionForm action=change>
                                        <FormError error=change_error />
                                        <Field
                                            name="current_password"
                                            form="change"
                                            label=text!(i18n, security.current_password)
                                            input_type="password"
                                            autocomplete="current-password"
                                            error=field_code(change_error, "current_password")
                                        />
                                        <Field
                                            name="new_password"
                                            form="change"
                                            label=text!(i18n, security.new_password)
                                            hint=Signal::derive(move || {
                                                format!("{min_chars} {}", t_string!(i18n, security.password_rules_min))
                                            })
                                            input_type="password"
                                            autocomplete="new-password"
                                            error=field_code(change_error, "new_password")
                                        />
                                        {totp_enabled
                                            .then(|| {
                                                view! {
                                                    <Field
                                                        name="code"
                                                        form="change"
                                                        label=text!(i18n, auth.code)
                                                        autocomplete="one-time-code"
                                                        maxlength=20
                                                        error=field_code(change_error, "code")
                                                    />
                                                }
                                            })}
                                        <div class="form__actions">
                                            <button type="submit" class="button">
                                                {t!(i18n, security.change_password)}
                                            </button>
                                        </div>
                                    </ActionForm>
                                </section>
                                <section class="panel" aria-labelledby="sessions-heading">
                                    <h2 id="sessions-heading">{t!(i18n, security.sessions_heading)}</h2>
                                    <p>{t!(i18n, security.sessions_body)}</p>
                                    {move || {
                                        matches!(everywhere.value().get(), Some(Ok(())))
                                            .then(|| {
                                                view! {
                                                    <p class="alert alert--success" role="status">
                                                        {t!(i18n, security.signed_out_elsewhere)}
                                                    </p>
                                                }
                                            })
                                    }}
                                    <FormError error=last_error(end_one) />
                                    <Loaded resource=sessions let:list>
                                        <SessionTable
                                            sessions=list
                                            end=Callback::new(move |id: String| {
                                                end_one.dispatch(EndMySession { id });
                                            })
                                        />
                                    </Loaded>
                                    <ActionForm action=everywhere>
                                        <FormError error=everywhere_error />
                                        <div class="form__actions">
                                            <button type="submit" class="button" data-action="sign-out-everywhere">
                                                {t!(i18n, security.sign_out_everywhere)}
                                            </button>
                                        </div>
                                    </ActionForm>
                                    <div class="form__actions">
                                        <SignOutButton secondary=true />
                                        <A href=home>{t!(i18n, security.back_home)}</A>
                                    </div>
                                </section>
                            }
                        })}
                }
                    .into_any()
                }
            </Loaded>
        </section>
    }
}
