//! Step 2: the administrator, who proves a mobile and an email with codes.
use super::super::api::{SaveAdministrator, SendContactCode, VerifyContactCode};
use super::super::{Application, Step};
use super::*;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{
    AppErrorView, CodeMessage, Cooldown, Field, FormError, field_code, last_error, text,
};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// One administrator address with its code: send, then verify.
#[component]
pub(super) fn ContactProof(
    channel: &'static str,
    value: String,
    verified: bool,
    verify: ServerAction<VerifyContactCode>,
) -> impl IntoView {
    let i18n = use_i18n();
    let send = ServerAction::<SendContactCode>::new();
    let send_error = last_error(send);
    let verify_error = last_error(verify);
    let cooldown = Cooldown::new();
    Effect::new(move |_| cooldown.follow(send.value().get(), |sent| sent.cooldown_secs));
    let mobile = channel == "mobile";
    let field = if mobile {
        "admin_mobile"
    } else {
        "admin_email"
    };
    let sent = move || matches!(send.value().get(), Some(Ok(_)));
    let label = if mobile {
        text!(i18n, register.admin_mobile)
    } else {
        text!(i18n, register.admin_email)
    };
    let hint = if mobile {
        text!(i18n, register.admin_mobile_hint)
    } else {
        text!(i18n, register.admin_email_hint)
    };
    view! {
        <div class="contact-proof" data-channel=channel>
            <ActionForm action=send>
                <input type="hidden" name="channel" value=channel />
                <crate::ui::challenge::ChallengeField error=send_error />
                <div class="field-inline">
                    <Field
                        name="value"
                        form=if mobile { "mobile" } else { "email" }
                        label=label
                        hint=hint
                        input_type=if mobile { "tel" } else { "email" }
                        inputmode=if mobile { "tel" } else { "email" }
                        autocomplete=if mobile { "tel" } else { "email" }
                        value=value
                        error=Signal::derive(move || {
                            send_error
                                .get()
                                .and_then(|e| {
                                    e.field_code(field)
                                        .or_else(|| e.field_code("code"))
                                })
                        })
                    />
                    <button
                        type="submit"
                        class="button"
                        data-action=format!("send-{channel}-code")
                        disabled=move || { send.pending().get() || cooldown.waiting() }
                    >
                        {move || {
                            let s = cooldown.left();
                            if s > 0 {
                                t!(i18n, register.resend_in, seconds = s).into_any()
                            } else if sent() {
                                t!(i18n, register.resend_code).into_any()
                            } else {
                                t!(i18n, register.send_code).into_any()
                            }
                        }}
                    </button>
                </div>
                {move || {
                    send_error
                        .get()
                        .filter(|e| matches!(e, AppError::TooManyRequests { .. }))
                        .map(|e| view! { <AppErrorView error=e cooldown=cooldown /> })
                }}
            </ActionForm>
            {move || {
                if verified && !sent() {
                    view! {
                        <p class="verified" data-state="verified">
                            "✓ "
                            {t!(i18n, register.verified)}
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <ActionForm action=verify>
                            <input type="hidden" name="channel" value=channel />
                            <div class="field-inline">
                                <Field
                                    name="code"
                                    form=if mobile { "mobile-code" } else { "email-code" }
                                    label=text!(i18n, register.code)
                                    hint=if sent() {
                                        text!(i18n, register.code_sent)
                                    } else {
                                        text!(i18n, register.code_hint)
                                    }
                                    inputmode="numeric"
                                    autocomplete="one-time-code"
                                    maxlength=6
                                    error=Signal::derive(move || {
                                        verify_error
                                            .get()
                                            .and_then(|e| e.field_code("code"))
                                    })
                                />
                                <button
                                    type="submit"
                                    class="button"
                                    data-action=format!("verify-{channel}")
                                    disabled=move || verify.pending().get()
                                >
                                    {t!(i18n, register.verify)}
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

/// A rough strength reading for the password being typed; the server
/// decides (length, and the list of common passwords).
pub(super) fn strength(p: &str) -> u8 {
    let len = p.chars().count();
    if len < 8 {
        return 0;
    }
    let classes = [
        p.chars().any(|c| c.is_lowercase()),
        p.chars().any(|c| c.is_uppercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    match (len, classes) {
        (l, c) if l >= 12 && c >= 3 => 3,
        (l, c) if l >= 10 && c >= 2 => 2,
        _ => 1,
    }
}

/// Step 2: the administrator.
#[component]
pub fn AdministratorStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SaveAdministrator>::new();
    let verify = ServerAction::<VerifyContactCode>::new();
    let error = last_error(action);
    let reload = Signal::derive(move || action.version().get() + verify.version().get());
    let typed = RwSignal::new(String::new());
    view! {
        <WizardFrame step=Step::Administrator>
            <Editable
                reload
                view=move |a: Application| {
                    let pw_error = field_code(error, "password");
                    let password_set = a.password_set;
                    view! {
                        <p class="page__lead">{t!(i18n, register.administrator_lead)}</p>
                        <CodeMessage
                            class="notice notice--warning"
                            alert=true
                            code=Signal::derive(move || {
                                error
                                    .get()
                                    .and_then(|e| {
                                        e.field_code("admin_mobile")
                                            .or_else(|| e.field_code("admin_email"))
                                    })
                            })
                        />
                        <ContactProof
                            channel="mobile"
                            value=a.admin_mobile.clone()
                            verified=a.mobile_verified
                            verify
                        />
                        <ContactProof
                            channel="email"
                            value=a.admin_email.clone()
                            verified=a.email_verified
                            verify
                        />
                        <ActionForm action=action>
                            <FormError error />
                            <Field
                                name="admin_name"
                                label=text!(i18n, register.admin_name)
                                value=a.admin_name.clone()
                                maxlength=64
                                autocomplete="name"
                                error=field_code(error, "admin_name")
                            />
                            <div class="field" class:field--invalid=move || pw_error.get().is_some()>
                                <label class="field__label" for="field-password">
                                    {t!(i18n, register.password)}
                                </label>
                                <p class="field__hint" id="field-password-hint">
                                    {move || {
                                        if password_set {
                                            t_string!(i18n, register.password_kept)
                                        } else {
                                            t_string!(i18n, register.password_hint)
                                        }
                                    }}
                                </p>
                                <input
                                    class="field__input"
                                    id="field-password"
                                    name="password"
                                    type="password"
                                    autocomplete="new-password"
                                    maxlength=128
                                    aria-describedby="field-password-hint field-password-strength"
                                    on:input=move |ev| typed.set(event_target_value(&ev))
                                />
                                <div
                                    class="strength"
                                    id="field-password-strength"
                                    aria-live="polite"
                                    data-level=move || strength(&typed.get())
                                >
                                    {move || {
                                        let p = typed.get();
                                        if p.is_empty() {
                                            String::new()
                                        } else {
                                            match strength(&p) {
                                                0 => t_string!(i18n, register.strength_short).to_string(),
                                                1 => t_string!(i18n, register.strength_weak).to_string(),
                                                2 => t_string!(i18n, register.strength_fair).to_string(),
                                                _ => t_string!(i18n, register.strength_strong).to_string(),
                                            }
                                        }
                                    }}
                                </div>
                                <CodeMessage code=pw_error />
                            </div>
                            <Field
                                name="password_confirm"
                                label=text!(i18n, register.password_confirm)
                                input_type="password"
                                autocomplete="new-password"
                                required=false
                                maxlength=128
                                error=field_code(error, "password_confirm")
                            />
                            <StepButtons step=Step::Administrator pending=action.pending() />
                        </ActionForm>
                    }
                }
            />
        </WizardFrame>
    }
}
