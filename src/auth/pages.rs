//! Pages of sign-in, first-run setup, password recovery and account security.
use super::api::{
    ChangePassword, ConfirmEnrolment, DismissSecurityNotice, RegenerateRecoveryCodes,
    RequestPasswordReset, ResetPassword, SetupOperator, SignIn, SignOut, SignOutEverywhere,
    StartEnrolment, VerifySecondFactor, get_security_overview, security_notice, setup_status,
    who_am_i,
};
use super::{AccountKind, RecoveryCodes, SecurityOverview, Stage};
use crate::i18n::*;
use crate::ui::{AppErrorView, Field, FormError, field_code, last_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// A translated text as a signal, for component props.
macro_rules! text {
    ($i18n:ident, $($key:tt)+) => {
        Signal::derive(move || t_string!($i18n, $($key)+).to_string())
    };
}

#[component]
pub fn MemberLoginPage() -> impl IntoView {
    view! { <SignInForm kind=AccountKind::Member /> }
}

#[component]
pub fn OperatorLoginPage() -> impl IntoView {
    view! { <SignInForm kind=AccountKind::Operator /> }
}

#[component]
fn SignInForm(kind: AccountKind) -> impl IntoView {
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
            <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(true) => {
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
                        Ok(false) => {
                            view! {
                                <div class="alert alert--error" role="alert" data-code="auth.setup_token">
                                    <p>{t!(i18n, setup.invalid)}</p>
                                </div>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

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
    let countdown = RwSignal::new(0u64);
    Effect::new(move |_| {
        if let Some(Ok(secs)) = request.value().get() {
            countdown.set(secs);
        }
    });
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                if countdown.get_untracked() > 0 {
                    countdown.update(|c| *c -= 1);
                }
            },
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    }
    let sent = move || matches!(request.value().get(), Some(Ok(_)));
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, forgot.title)) />
        <section class="auth-card" data-page="forgot">
            <h1>{t!(i18n, forgot.title)}</h1>
            <p class="auth-card__lead">{t!(i18n, forgot.lead)}</p>
            <ActionForm action=request>
                <input type="hidden" name="kind" value=move || kind().as_str() />
                <crate::ui::challenge::ChallengeField error=request_error />
                <FormError error=request_error />
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
                                    <p class="field__error" data-code=code.clone()>
                                        {crate::ui::code_text(i18n.get_locale(), &code)}
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
                        disabled=move || { request.pending().get() || countdown.get() > 0 }
                        data-action="send-code"
                    >
                        {move || {
                            let left = countdown.get();
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

/// Recovery codes, shown once, with a download and a copy button.
#[component]
fn RecoveryCodesView(codes: RecoveryCodes) -> impl IntoView {
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

fn url_escape(s: &str) -> String {
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
fn TotpEnrolment(overview: SecurityOverview) -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<StartEnrolment>::new();
    let confirm = ServerAction::<ConfirmEnrolment>::new();
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
    let overview = Resource::new(
        move || (regenerate.version().get(), change.version().get()),
        |_| get_security_overview(),
    );
    let regenerate_error = last_error(regenerate);
    let change_error = last_error(change);
    let everywhere_error = last_error(everywhere);
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, security.title)) />
        <section class="page" data-page="security">
            <h1>{t!(i18n, security.title)}</h1>
            <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    let o = match overview.await {
                        Ok(o) => o,
                        Err(e) => return view! { <AppErrorView error=e /> }.into_any(),
                    };
                    let must_enrol = o.account.stage == Stage::MustEnrol;
                    let totp_enabled = o.totp_enabled;
                    let home = o.account.kind.home();
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
                        {must_enrol
                            .then(|| {
                                view! {
                                    <div class="alert alert--warning" role="alert">
                                        <p>{t!(i18n, security.must_enrol)}</p>
                                    </div>
                                }
                            })}
                        <section class="panel" aria-labelledby="totp-heading">
                            <h2 id="totp-heading">{t!(i18n, security.totp_heading)}</h2>
                            <p data-testid="totp-status">
                                {if totp_enabled {
                                    t_string!(i18n, security.totp_on)
                                } else if o.totp_required {
                                    t_string!(i18n, security.totp_required)
                                } else {
                                    t_string!(i18n, security.totp_off)
                                }}
                            </p>
                            <TotpEnrolment overview=o.clone() />
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
                                                hint=text!(i18n, security.password_rules)
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
                })}
            </Suspense>
        </section>
    }
}

/// The signed-in account's name and organisation, shown at the top of a console.
#[component]
pub fn AccountBar() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| who_am_i());
    view! {
        <div class="account-bar">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    me.await
                        .ok()
                        .flatten()
                        .map(|a| {
                            view! {
                                <span class="account-bar__who" data-testid="account-name">
                                    {a.name.clone()}
                                </span>
                                {a
                                    .org_name
                                    .clone()
                                    .map(|n| {
                                        view! {
                                            <span class="account-bar__org" data-testid="org-name">
                                                {n}
                                            </span>
                                        }
                                    })}
                                <A href="/account/security">{t!(i18n, nav.security)}</A>
                                <SignOutButton secondary=true />
                            }
                        })
                })}
            </Suspense>
        </div>
        <SecurityNoticeBanner />
    }
}

/// Told after sign-in, on every console page until dismissed: password
/// resets someone asked for and that were not sent.
#[component]
fn SecurityNoticeBanner() -> impl IntoView {
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

/// `/admin`: where administrators land.
#[component]
pub fn AdminHomePage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| who_am_i());
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, console.title)) />
        <section class="page" data-page="admin-home">
            <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(a)) => {
                            view! {
                                <h1>{a.org_name.clone().unwrap_or_default()}</h1>
                                <p class="page__lead">
                                    {t!(i18n, console.welcome, name = a.name.clone())}
                                </p>
                                <ul class="cards">
                                    <li class="card">
                                        <A href="/admin/contacts">{t!(i18n, nav.contacts)}</A>
                                        <p>{t!(i18n, console.contacts_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/admin/access">{t!(i18n, nav.access)}</A>
                                        <p>{t!(i18n, console.access_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/admin/approvals">{t!(i18n, nav.approvals)}</A>
                                        <p>{t!(i18n, console.approvals_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/admin/audit">{t!(i18n, nav.audit)}</A>
                                        <p>{t!(i18n, console.audit_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/account/security">{t!(i18n, nav.security)}</A>
                                        <p>{t!(i18n, console.security_body)}</p>
                                    </li>
                                </ul>
                            }
                                .into_any()
                        }
                        Ok(None) => {
                            view! { <AppErrorView error=crate::error::AppError::Unauthenticated /> }
                                .into_any()
                        }
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/operator`: where platform operators land.
#[component]
pub fn OperatorHomePage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| who_am_i());
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, operator.title)) />
        <section class="page" data-page="operator-home">
            <h1>{t!(i18n, operator.title)}</h1>
            <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(a)) => {
                            view! {
                                <p class="page__lead">
                                    {t!(i18n, console.welcome, name = a.name.clone())}
                                </p>
                                <ul class="cards">
                                    <li class="card">
                                        <A href="/operator/reviews">{t!(i18n, nav.reviews)}</A>
                                        <p>{t!(i18n, operator.reviews_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/operator/accounts">{t!(i18n, nav.accounts)}</A>
                                        <p>{t!(i18n, operator.accounts_body)}</p>
                                    </li>
                                    <li class="card">
                                        <A href="/operator/audit">{t!(i18n, nav.audit)}</A>
                                        <p>{t!(i18n, operator.audit_body)}</p>
                                    </li>
                                    <crate::deliveries::FailedDeliveriesCard />
                                    <li class="card">
                                        <A href="/account/security">{t!(i18n, nav.security)}</A>
                                        <p>{t!(i18n, console.security_body)}</p>
                                    </li>
                                </ul>
                            }
                                .into_any()
                        }
                        Ok(None) => {
                            view! { <AppErrorView error=crate::error::AppError::Unauthenticated /> }
                                .into_any()
                        }
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
