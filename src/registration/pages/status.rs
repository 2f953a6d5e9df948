//! After submitting: the status page, and resuming in another browser.
use super::super::api::{ResumeApplication, SendResumeCode, get_application};
use super::super::{Application, Status, Step};
use super::*;
use crate::i18n::*;
use crate::ui::{Cooldown, Field, FormError, Loaded, field_code, last_error, text};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// `/register/status`: where the application is.
#[component]
pub fn StatusPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = Resource::new(|| (), |_| get_application());
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, register.status_title)) />
        <section class="page page--narrow" data-page="register-status">
            <h1>{t!(i18n, register.status_title)}</h1>
            <Loaded resource=app let:value>
                {match value {
                    Some(a) => view! { <StatusBody a /> }.into_any(),
                    None => view! { <NoApplication /> }.into_any(),
                }}
            </Loaded>
        </section>
    }
}

#[component]
pub(super) fn StatusBody(a: Application) -> impl IntoView {
    let i18n = use_i18n();
    let submitted = a.submitted_at_local.clone().unwrap_or_default();
    let org = a.org_name.clone();
    let stage = |s: Status| match s {
        Status::Draft => 0,
        Status::Submitted => 1,
        Status::InReview => 2,
        Status::Rejected | Status::Approved => 3,
    };
    let at = stage(a.status);
    view! {
        <div class="status" data-status=a.status.as_str()>
            <p class="status__org">{org}</p>
            <ol class="timeline">
                <li class:done={at >= 1}>{t!(i18n, register.timeline_submitted)}</li>
                <li class:done={at >= 2}>{t!(i18n, register.timeline_review)}</li>
                <li class:done={at >= 3}>{t!(i18n, register.timeline_decision)}</li>
            </ol>
            {match a.status {
                Status::Draft => {
                    view! {
                        <p>{t!(i18n, register.status_draft)}</p>
                        <p>
                            <A href=Step::Organisation.path()>{t!(i18n, register.continue_application)}</A>
                        </p>
                    }
                        .into_any()
                }
                Status::Submitted | Status::InReview => {
                    view! {
                        <p class="status__headline">
                            {if a.status == Status::Submitted {
                                t!(i18n, register.status_submitted, at = submitted.clone()).into_any()
                            } else {
                                t!(i18n, register.status_in_review).into_any()
                            }}
                        </p>
                        <p>{t!(i18n, register.review_time)}</p>
                    }
                        .into_any()
                }
                Status::Rejected => {
                    view! {
                        {a.decision.clone().map(|d| view! { <RejectionNotice decision=d /> })}
                        <p>{t!(i18n, register.status_rejected)}</p>
                        <p>
                            <A href=Step::Review.path() attr:class="button button--primary">
                                {t!(i18n, register.correct_and_resubmit)}
                            </A>
                        </p>
                    }
                        .into_any()
                }
                Status::Approved => {
                    view! {
                        <p class="status__headline" data-state="approved">
                            {t!(i18n, register.status_approved)}
                        </p>
                        <p>
                            <a href="/login" class="button button--primary">
                                {t!(i18n, register.sign_in_now)}
                            </a>
                        </p>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

/// `/register/resume`: prove the administrator mobile or email again.
#[component]
pub fn ResumePage() -> impl IntoView {
    let i18n = use_i18n();
    let send = ServerAction::<SendResumeCode>::new();
    let resume = ServerAction::<ResumeApplication>::new();
    let send_error = last_error(send);
    let resume_error = last_error(resume);
    let identifier = RwSignal::new(String::new());
    let cooldown = Cooldown::new();
    Effect::new(move |_| cooldown.follow(send.value().get(), |sent| sent.cooldown_secs));
    let sent = move || matches!(send.value().get(), Some(Ok(_)));
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, register.resume_title)) />
        <section class="auth-card" data-page="register-resume">
            <h1>{t!(i18n, register.resume_title)}</h1>
            <p class="auth-card__lead">{t!(i18n, register.resume_lead)}</p>
            <ActionForm action=send>
                <crate::ui::challenge::ChallengeField error=send_error />
                <FormError error=send_error cooldown=cooldown />
                <div class="field">
                    <label class="field__label" for="field-resume-identifier">
                        {t!(i18n, register.resume_identifier)}
                    </label>
                    <input
                        class="field__input"
                        id="field-resume-identifier"
                        name="identifier"
                        autocomplete="username"
                        required=true
                        autofocus=true
                        prop:value=move || identifier.get()
                        on:input=move |ev| identifier.set(event_target_value(&ev))
                    />
                </div>
                <button
                    type="submit"
                    class="button"
                    data-action="send-resume-code"
                    disabled=move || { send.pending().get() || cooldown.waiting() }
                >
                    {move || {
                        let s = cooldown.left();
                        if s > 0 {
                            t!(i18n, register.resend_in, seconds = s).into_any()
                        } else {
                            t!(i18n, register.send_code).into_any()
                        }
                    }}
                </button>
                <Show when=sent>
                    <p class="notice" role="status">{t!(i18n, register.resume_sent)}</p>
                </Show>
            </ActionForm>
            <ActionForm action=resume>
                <FormError error=resume_error />
                <input type="hidden" name="identifier" prop:value=move || identifier.get() />
                <Field
                    name="code"
                    form="resume"
                    label=text!(i18n, register.code)
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength=6
                    error=field_code(resume_error, "code")
                />
                <div class="form__actions">
                    <button
                        type="submit"
                        class="button button--primary"
                        data-action="resume"
                        disabled=move || resume.pending().get()
                    >
                        {t!(i18n, register.resume)}
                    </button>
                    <A href="/register">{t!(i18n, register.title)}</A>
                </div>
            </ActionForm>
        </section>
    }
}
