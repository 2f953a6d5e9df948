//! The applicant's pages: preparation, the five wizard steps, the status
//! page and resuming in another browser. Every form works without
//! JavaScript (the server answers with redirects); with it, errors appear
//! beside the fields without a reload and code buttons count down.
use super::api::{
    FinishDocuments, RemoveDocument, ResumeApplication, SaveAdministrator, SaveLegal,
    SaveOrganisation, SendContactCode, SendResumeCode, StartRegistration, SubmitApplication,
    VerifyContactCode, get_application,
};
use super::catalog::{self, INDUSTRIES, PROVINCES, SIZE_BANDS};
use super::{Application, CodeSent, DocumentKind, DocumentView, Status, Step};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{AppErrorView, CodeMessage, Field, FormError, code_text, field_code, last_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_query_map;

macro_rules! text {
    ($i18n:ident, $($key:tt)+) => {
        Signal::derive(move || t_string!($i18n, $($key)+).to_string())
    };
}

fn is_zh(i18n: leptos_i18n::I18nContext<Locale>) -> bool {
    i18n.get_locale() == Locale::zh_CN
}

/// A label from one of the fixed lists, in the page's language.
pub fn list_label(list: &[catalog::Entry], code: &str, zh: bool) -> String {
    catalog::label(list, code, zh)
        .map(str::to_owned)
        .unwrap_or_else(|| code.to_owned())
}

/// `/register`: what to prepare, how long review takes, and the start button.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<StartRegistration>::new();
    let current = Resource::new(|| (), |_| get_application());
    let query = use_query_map();
    let missing = move || query.read().get("error").as_deref() == Some("no_application");
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, register.title)) />
        <section class="page page--narrow" data-page="register">
            <h1>{t!(i18n, register.title)}</h1>
            <p class="page__lead">{t!(i18n, register.lead)}</p>
            <Show when=missing>
                <p class="notice notice--warning" role="alert">
                    {t!(i18n, register.no_application)}
                </p>
            </Show>
            <h2>{t!(i18n, register.prepare_heading)}</h2>
            <ul class="checklist">
                <li>{t!(i18n, register.prepare_licence)}</li>
                <li>{t!(i18n, register.prepare_id)}</li>
                <li>{t!(i18n, register.prepare_bank)}</li>
                <li>{t!(i18n, register.prepare_admin)}</li>
            </ul>
            <p class="muted">{t!(i18n, register.prepare_files)}</p>
            <h2>{t!(i18n, register.steps_heading)}</h2>
            <ol class="steps-overview">
                <li>{t!(i18n, register.step_organisation)}</li>
                <li>{t!(i18n, register.step_administrator)}</li>
                <li>{t!(i18n, register.step_legal)}</li>
                <li>{t!(i18n, register.step_documents)}</li>
                <li>{t!(i18n, register.step_review)}</li>
            </ol>
            <p>{t!(i18n, register.review_time)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let app = current.await.ok().flatten();
                    let resuming = app.is_some_and(|a| a.status != Status::Approved);
                    view! {
                        <ActionForm action=start>
                            <div class="form__actions">
                                <button
                                    type="submit"
                                    class="button button--primary"
                                    data-action="start"
                                    disabled=move || start.pending().get()
                                >
                                    {move || {
                                        if resuming {
                                            t_string!(i18n, register.continue_application)
                                        } else {
                                            t_string!(i18n, register.start)
                                        }
                                    }}
                                </button>
                                <A href="/register/resume">{t!(i18n, register.resume_link)}</A>
                            </div>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The frame of a wizard step: the progress list and the step's content.
#[component]
fn WizardFrame(step: Step, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let name = move |s: Step| match s {
        Step::Organisation => t_string!(i18n, register.step_organisation),
        Step::Administrator => t_string!(i18n, register.step_administrator),
        Step::Legal => t_string!(i18n, register.step_legal),
        Step::Documents => t_string!(i18n, register.step_documents),
        Step::Review => t_string!(i18n, register.step_review),
    };
    let current = step.index();
    view! {
        <Title text=crate::ui::page_title(move || format!("{} · {}", name(step), t_string!(i18n, register.title))) />
        <section class="page page--narrow wizard" data-page=format!("register-{}", step.path().rsplit('/').next().unwrap_or(""))>
            <p class="wizard__count">
                {t!(i18n, register.step_of, n = current + 1, total = Step::ALL.len())}
            </p>
            <ol class="wizard__steps" aria-label=move || t_string!(i18n, register.progress)>
                {Step::ALL
                    .into_iter()
                    .map(|s| {
                        let i = s.index();
                        let state = if i < current {
                            "done"
                        } else if i == current {
                            "current"
                        } else {
                            "todo"
                        };
                        view! {
                            <li
                                class=format!("wizard__step wizard__step--{state}")
                                aria-current=(i == current).then_some("step")
                            >
                                {if i < current {
                                    view! { <A href=s.path()>{move || name(s)}</A> }.into_any()
                                } else {
                                    view! { <span>{move || name(s)}</span> }.into_any()
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <h1>{move || name(step)}</h1>
            {children()}
        </section>
    }
}

/// Loads the application and hands it to `view` when it can be edited;
/// otherwise explains, or sends the applicant to the status page.
#[component]
fn Editable<V, F>(
    /// Changes whenever the application should be loaded again.
    #[prop(into)]
    reload: Signal<usize>,
    view: F,
) -> impl IntoView
where
    F: Fn(Application) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    let app = Resource::new(move || reload.get(), |_| get_application());
    view! {
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match app.await {
                        Ok(Some(a)) if a.status.editable() => view(a).into_any(),
                        Ok(Some(_)) => view! { <Redirect path="/register/status" /> }.into_any(),
                        Ok(None) => view! { <NoApplication /> }.into_any(),
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn NoApplication() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="empty" data-state="no-application">
            <p>{t!(i18n, register.no_application)}</p>
            <p>
                <A href="/register">{t!(i18n, register.start)}</A>
                " · "
                <A href="/register/resume">{t!(i18n, register.resume_link)}</A>
            </p>
        </div>
    }
}

/// A `<select>` over one of the fixed lists.
#[component]
fn Choice(
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    list: &'static [catalog::Entry],
    selected: String,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <label class="field__label" for=id.clone()>
                {move || label.get()}
            </label>
            <select
                class="field__input"
                id=id.clone()
                name=name
                required=true
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby={
                    let error_id = error_id.clone();
                    move || error.get().is_some().then(|| error_id.clone())
                }
            >
                <option value="" selected=selected.is_empty()>
                    {t!(i18n, register.choose)}
                </option>
                {list
                    .iter()
                    .map(|(code, _, _)| {
                        let code = *code;
                        view! {
                            <option value=code selected=selected == code>
                                {move || list_label(list, code, is_zh(i18n))}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {move || {
                error
                    .get()
                    .map(|code| {
                        view! {
                            <p class="field__error" id=error_id.clone() data-code=code.clone()>
                                {code_text(i18n.get_locale(), &code)}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// Back (saves without checking) and Next (saves and checks).
#[component]
fn StepButtons(step: Step, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="form__actions wizard__actions">
            {step
                .previous()
                .map(|_| {
                    view! {
                        <button
                            type="submit"
                            name="intent"
                            value="back"
                            class="button"
                            formnovalidate=true
                            data-action="back"
                        >
                            {t!(i18n, register.back)}
                        </button>
                    }
                })}
            <button
                type="submit"
                name="intent"
                value="next"
                class="button button--primary"
                data-action="next"
                disabled=move || pending.get()
            >
                {t!(i18n, register.next)}
            </button>
        </div>
    }
}

/// Step 1: the organisation.
#[component]
pub fn OrganisationStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SaveOrganisation>::new();
    let error = last_error(action);
    let reload = Signal::derive(move || action.version().get());
    view! {
        <WizardFrame step=Step::Organisation>
            <Editable
                reload
                view=move |a: Application| {
                    let code_error = field_code(error, "credit_code");
                    // The confirmation box appears once the server asked for it,
                    // or when the saved code was already confirmed.
                    let ask_confirm = {
                        let confirmed = a.credit_code_confirmed;
                        move || {
                            confirmed
                                || code_error.get().as_deref() == Some("credit_code.checksum_confirm")
                        }
                    };
                    let confirmed = a.credit_code_confirmed;
                    view! {
                        <ActionForm action=action>
                            <FormError error />
                            <Field
                                name="org_name"
                                label=text!(i18n, register.org_name)
                                hint=text!(i18n, register.org_name_hint)
                                value=a.org_name.clone()
                                maxlength=128
                                autofocus=true
                                autocomplete="organization"
                                error=field_code(error, "org_name")
                            />
                            <Field
                                name="credit_code"
                                label=text!(i18n, register.credit_code)
                                hint=text!(i18n, register.credit_code_hint)
                                value=a.credit_code.clone()
                                maxlength=24
                                error=code_error
                            />
                            <Show when=ask_confirm>
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        name="confirm_checksum"
                                        value="yes"
                                        checked=confirmed
                                    />
                                    <span>{t!(i18n, register.confirm_checksum)}</span>
                                </label>
                            </Show>
                            <Choice
                                name="industry"
                                label=text!(i18n, register.industry)
                                list=INDUSTRIES
                                selected=a.industry.clone()
                                error=field_code(error, "industry")
                            />
                            <Choice
                                name="size_band"
                                label=text!(i18n, register.size_band)
                                list=SIZE_BANDS
                                selected=a.size_band.clone()
                                error=field_code(error, "size_band")
                            />
                            <div class="field-row">
                                <Choice
                                    name="province"
                                    label=text!(i18n, register.province)
                                    list=PROVINCES
                                    selected=a.province.clone()
                                    error=field_code(error, "province")
                                />
                                <Field
                                    name="city"
                                    label=text!(i18n, register.city)
                                    value=a.city.clone()
                                    maxlength=64
                                    autocomplete="address-level2"
                                    error=field_code(error, "city")
                                />
                            </div>
                            <Field
                                name="address"
                                label=text!(i18n, register.address)
                                value=a.address.clone()
                                maxlength=200
                                autocomplete="street-address"
                                error=field_code(error, "address")
                            />
                            <StepButtons step=Step::Organisation pending=action.pending() />
                        </ActionForm>
                    }
                }
            />
        </WizardFrame>
    }
}

/// A countdown in seconds, ticking on the client.
fn countdown() -> RwSignal<u64> {
    let left = RwSignal::new(0u64);
    Effect::new(move |_| {
        let _ = set_interval_with_handle(
            move || {
                if left.get_untracked() > 0 {
                    left.update(|s| *s -= 1);
                }
            },
            std::time::Duration::from_secs(1),
        );
    });
    left
}

/// Starts `left` from a code request's answer (sent, or refused in cooldown).
fn follow_cooldown(result: Option<Result<CodeSent, AppError>>, left: RwSignal<u64>) {
    match result {
        Some(Ok(sent)) => left.set(sent.cooldown_secs),
        Some(Err(AppError::TooManyRequests {
            retry_after_secs: Some(s),
        })) => left.set(s),
        _ => {}
    }
}

/// One administrator address with its code: send, then verify.
#[component]
fn ContactProof(
    channel: &'static str,
    value: String,
    verified: bool,
    verify: ServerAction<VerifyContactCode>,
) -> impl IntoView {
    let i18n = use_i18n();
    let send = ServerAction::<SendContactCode>::new();
    let send_error = last_error(send);
    let verify_error = last_error(verify);
    let left = countdown();
    Effect::new(move |_| follow_cooldown(send.value().get(), left));
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
                                        .map(str::to_owned)
                                })
                        })
                    />
                    <button
                        type="submit"
                        class="button"
                        data-action=format!("send-{channel}-code")
                        disabled=move || { send.pending().get() || left.get() > 0 }
                    >
                        {move || {
                            let s = left.get();
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
                        .map(|e| view! { <AppErrorView error=e /> })
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
                                            .and_then(|e| e.field_code("code").map(str::to_owned))
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
fn strength(p: &str) -> u8 {
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
                                            .map(str::to_owned)
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

/// Step 3: the legal representative.
#[component]
pub fn LegalStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SaveLegal>::new();
    let error = last_error(action);
    let reload = Signal::derive(move || action.version().get());
    view! {
        <WizardFrame step=Step::Legal>
            <Editable
                reload
                view=move |a: Application| {
                    view! {
                        <p class="page__lead">{t!(i18n, register.legal_lead)}</p>
                        <ActionForm action=action>
                            <FormError error />
                            <label class="check">
                                <input
                                    type="checkbox"
                                    name="admin_is_legal"
                                    value="yes"
                                    checked=a.admin_is_legal
                                />
                                <span>{t!(i18n, register.admin_is_legal)}</span>
                            </label>
                            <Field
                                name="legal_name"
                                label=text!(i18n, register.legal_name)
                                hint=text!(i18n, register.legal_name_hint)
                                value=a.legal_name.clone()
                                required=false
                                maxlength=64
                                error=field_code(error, "legal_name")
                            />
                            <Field
                                name="legal_id_number"
                                label=text!(i18n, register.legal_id_number)
                                hint=text!(i18n, register.legal_id_number_hint)
                                value=a.legal_id_number.clone()
                                maxlength=18
                                error=field_code(error, "legal_id_number")
                            />
                            <StepButtons step=Step::Legal pending=action.pending() />
                        </ActionForm>
                    }
                }
            />
        </WizardFrame>
    }
}

fn document_name(i18n: leptos_i18n::I18nContext<Locale>, kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Licence => t_string!(i18n, register.doc_licence),
        DocumentKind::IdFront => t_string!(i18n, register.doc_id_front),
        DocumentKind::IdBack => t_string!(i18n, register.doc_id_back),
        DocumentKind::BankPermit => t_string!(i18n, register.doc_bank_permit),
    }
}

/// "1.2 MB" / "830 KB".
pub fn human_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// A document's preview: the image, or the PDF in a frame.
#[component]
pub fn DocumentPreview(
    src: String,
    doc: DocumentView,
    #[prop(into)] title: String,
) -> impl IntoView {
    let zoomed = RwSignal::new(false);
    let src = format!("{src}?v={}", doc.version);
    if doc.is_pdf() {
        view! {
            <iframe class="doc-preview doc-preview--pdf" src=src title=title></iframe>
        }
        .into_any()
    } else {
        view! {
            <button
                type="button"
                class="doc-preview"
                class:doc-preview--zoomed=move || zoomed.get()
                aria-pressed=move || zoomed.get().to_string()
                on:click=move |_| zoomed.update(|z| *z = !*z)
            >
                <img src=src alt=title />
            </button>
        }
        .into_any()
    }
}

/// Step 4: the documents.
#[component]
pub fn DocumentsStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<FinishDocuments>::new();
    let remove = ServerAction::<RemoveDocument>::new();
    let error = last_error(action);
    let reload = Signal::derive(move || remove.version().get());
    let query = use_query_map();
    view! {
        <WizardFrame step=Step::Documents>
            <Editable
                reload
                view=move |a: Application| {
                    let upload_kind = query.read_untracked().get("kind");
                    let upload_error = query.read_untracked().get("error");
                    let uploaded = query.read_untracked().get("uploaded");
                    view! {
                        <p class="page__lead">{t!(i18n, register.documents_lead)}</p>
                        <CodeMessage
                            class="notice notice--warning"
                            alert=true
                            code=upload_error.clone().filter(|_| upload_kind.is_none())
                        />
                        <ul class="documents">
                            {DocumentKind::ALL
                                .into_iter()
                                .map(|kind| {
                                    let doc = a.document(kind).cloned();
                                    let k = kind.as_str();
                                    let this_error = (upload_kind.as_deref() == Some(k))
                                        .then(|| upload_error.clone())
                                        .flatten();
                                    let just_uploaded = uploaded.as_deref() == Some(k);
                                    let missing = field_code(error, k);
                                    let input_id = format!("file-{k}");
                                    view! {
                                        <li class="document" id=format!("doc-{k}") data-kind=k>
                                            <h2 class="document__title">
                                                {move || document_name(i18n, kind)}
                                                {(!kind.required())
                                                    .then(|| {
                                                        view! {
                                                            <span class="badge">{t!(i18n, register.optional)}</span>
                                                        }
                                                    })}
                                            </h2>
                                            <p class="muted">
                                                {move || match kind {
                                                    DocumentKind::Licence => t_string!(i18n, register.doc_licence_hint),
                                                    DocumentKind::IdFront => t_string!(i18n, register.doc_id_front_hint),
                                                    DocumentKind::IdBack => t_string!(i18n, register.doc_id_back_hint),
                                                    DocumentKind::BankPermit => t_string!(i18n, register.doc_bank_permit_hint),
                                                }}
                                            </p>
                                            {doc
                                                .clone()
                                                .map(|d| {
                                                    let title = document_name(i18n, kind).to_string();
                                                    view! {
                                                        <div class="document__current">
                                                            <DocumentPreview
                                                                src=format!("/register/files/{k}")
                                                                doc=d.clone()
                                                                title
                                                            />
                                                            <p class="document__meta">
                                                                <span class="document__name">{d.file_name.clone()}</span>
                                                                " · "
                                                                {human_size(d.size_bytes)}
                                                                {just_uploaded
                                                                    .then(|| {
                                                                        view! {
                                                                            <span class="verified" role="status">
                                                                                " ✓ "
                                                                                {t!(i18n, register.uploaded)}
                                                                            </span>
                                                                        }
                                                                    })}
                                                            </p>
                                                            <ActionForm action=remove>
                                                                <input type="hidden" name="kind" value=k />
                                                                <button
                                                                    type="submit"
                                                                    class="button button--link"
                                                                    data-action=format!("remove-{k}")
                                                                >
                                                                    {t!(i18n, register.remove)}
                                                                </button>
                                                            </ActionForm>
                                                        </div>
                                                    }
                                                })}
                                            <form
                                                method="post"
                                                action="/register/documents/upload"
                                                enctype="multipart/form-data"
                                                class="document__upload"
                                            >
                                                <input type="hidden" name="kind" value=k />
                                                <label class="field__label" for=input_id.clone()>
                                                    {move || {
                                                        if doc.is_some() {
                                                            t_string!(i18n, register.replace_file)
                                                        } else {
                                                            t_string!(i18n, register.choose_file)
                                                        }
                                                    }}
                                                </label>
                                                <input
                                                    id=input_id.clone()
                                                    type="file"
                                                    name="file"
                                                    accept="image/jpeg,image/png,application/pdf"
                                                    required=true
                                                />
                                                <button
                                                    type="submit"
                                                    class="button"
                                                    data-action=format!("upload-{k}")
                                                >
                                                    {t!(i18n, register.upload)}
                                                </button>
                                            </form>
                                            <CodeMessage code=this_error alert=true />
                                            <CodeMessage code=missing />
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        <ActionForm action=action>
                            <StepButtons step=Step::Documents pending=action.pending() />
                        </ActionForm>
                    }
                }
            />
        </WizardFrame>
    }
}

/// The sections of the review page and the fields each holds, for edit
/// links and for placing errors.
const SECTIONS: &[(Step, &[&str])] = &[
    (
        Step::Organisation,
        &[
            "org_name",
            "credit_code",
            "industry",
            "size_band",
            "province",
            "city",
            "address",
        ],
    ),
    (
        Step::Administrator,
        &["admin_name", "admin_mobile", "admin_email", "password"],
    ),
    (Step::Legal, &["legal_name", "legal_id_number"]),
    (
        Step::Documents,
        &["licence", "id_front", "id_back", "bank_permit"],
    ),
];

/// Label of a field of the application, for the review page and the console.
pub fn field_label(i18n: leptos_i18n::I18nContext<Locale>, field: &str) -> String {
    let s = match field {
        "org_name" => t_string!(i18n, register.org_name),
        "credit_code" => t_string!(i18n, register.credit_code),
        "industry" => t_string!(i18n, register.industry),
        "size_band" => t_string!(i18n, register.size_band),
        "province" => t_string!(i18n, register.province),
        "city" => t_string!(i18n, register.city),
        "address" => t_string!(i18n, register.address),
        "admin_name" => t_string!(i18n, register.admin_name),
        "admin_mobile" => t_string!(i18n, register.admin_mobile),
        "admin_email" => t_string!(i18n, register.admin_email),
        "password" => t_string!(i18n, register.password),
        "legal_name" => t_string!(i18n, register.legal_name),
        "legal_id_number" => t_string!(i18n, register.legal_id_number),
        "admin_is_legal" => t_string!(i18n, register.admin_is_legal),
        "licence" => t_string!(i18n, register.doc_licence),
        "id_front" => t_string!(i18n, register.doc_id_front),
        "id_back" => t_string!(i18n, register.doc_id_back),
        "bank_permit" => t_string!(i18n, register.doc_bank_permit),
        "accept_terms" => t_string!(i18n, register.accept_terms),
        other => return other.to_owned(),
    };
    s.to_owned()
}

/// The value of a field as the review page and the console show it.
pub fn field_value(a: &Application, field: &str, zh: bool) -> String {
    match field {
        "org_name" => a.org_name.clone(),
        "credit_code" => a.credit_code.clone(),
        "industry" => list_label(INDUSTRIES, &a.industry, zh),
        "size_band" => list_label(SIZE_BANDS, &a.size_band, zh),
        "province" => list_label(PROVINCES, &a.province, zh),
        "city" => a.city.clone(),
        "address" => a.address.clone(),
        "admin_name" => a.admin_name.clone(),
        "admin_mobile" => a.admin_mobile.clone(),
        "admin_email" => a.admin_email.clone(),
        "legal_name" => a.legal_name.clone(),
        "legal_id_number" => a.legal_id_number.clone(),
        _ => String::new(),
    }
}

/// Step 5: everything on one page, then submit.
#[component]
pub fn ReviewStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SubmitApplication>::new();
    let error = last_error(action);
    let reload = Signal::derive(move || action.version().get());
    view! {
        <WizardFrame step=Step::Review>
            <Editable
                reload
                view=move |a: Application| {
                    let zh = is_zh(i18n);
                    view! {
                        <p class="page__lead">{t!(i18n, register.review_lead)}</p>
                        {a
                            .decision
                            .clone()
                            .filter(|d| d.decision == "rejected")
                            .map(|d| view! { <RejectionNotice decision=d /> })}
                        <FormError error />
                        {SECTIONS
                            .iter()
                            .map(|(step, fields)| {
                                let step = *step;
                                let a = a.clone();
                                let section_errors = move || {
                                    error
                                        .get()
                                        .map(|e| {
                                            fields
                                                .iter()
                                                .filter_map(|f| {
                                                    e.field_code(f)
                                                        .map(|c| (f.to_string(), c.to_owned()))
                                                })
                                                .collect::<Vec<_>>()
                                        })
                                        .unwrap_or_default()
                                };
                                view! {
                                    <section class="summary" data-section=step.path().rsplit('/').next().unwrap_or("")>
                                        <header class="summary__header">
                                            <h2>
                                                {move || match step {
                                                    Step::Organisation => t_string!(i18n, register.step_organisation),
                                                    Step::Administrator => t_string!(i18n, register.step_administrator),
                                                    Step::Legal => t_string!(i18n, register.step_legal),
                                                    _ => t_string!(i18n, register.step_documents),
                                                }}
                                            </h2>
                                            <A href=step.path()>{t!(i18n, register.edit)}</A>
                                        </header>
                                        {move || {
                                            section_errors()
                                                .into_iter()
                                                .map(|(f, code)| {
                                                    view! {
                                                        <p class="field__error" data-field=f.clone() data-code=code.clone()>
                                                            {field_label(i18n, &f)}
                                                            ": "
                                                            {code_text(i18n.get_locale(), &code)}
                                                        </p>
                                                    }
                                                })
                                                .collect_view()
                                        }}
                                        {if step == Step::Documents {
                                            view! {
                                                <ul class="summary__docs">
                                                    {DocumentKind::ALL
                                                        .into_iter()
                                                        .map(|k| {
                                                            let d = a.document(k).cloned();
                                                            view! {
                                                                <li>
                                                                    <span>{document_name(i18n, k)}</span>
                                                                    ": "
                                                                    {match d {
                                                                        Some(d) => format!("{} ({})", d.file_name, human_size(d.size_bytes)),
                                                                        None => t_string!(i18n, register.not_uploaded).to_string(),
                                                                    }}
                                                                </li>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </ul>
                                            }
                                                .into_any()
                                        } else {
                                            view! {
                                                <dl class="summary__list">
                                                    {fields
                                                        .iter()
                                                        .filter(|f| **f != "password")
                                                        .map(|f| {
                                                            let value = field_value(&a, f, zh);
                                                            let verified = match *f {
                                                                "admin_mobile" => a.mobile_verified,
                                                                "admin_email" => a.email_verified,
                                                                _ => false,
                                                            };
                                                            view! {
                                                                <dt>{field_label(i18n, f)}</dt>
                                                                <dd>
                                                                    {if value.is_empty() { "—".to_string() } else { value }}
                                                                    {verified.then(|| view! { <span class="verified">" ✓"</span> })}
                                                                </dd>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </dl>
                                            }
                                                .into_any()
                                        }}
                                    </section>
                                }
                            })
                            .collect_view()}
                        <ActionForm action=action>
                            <label class="check" class:field--invalid=move || field_code(error, "accept_terms").get().is_some()>
                                <input type="checkbox" name="accept_terms" value="yes" required=true />
                                <span>{t!(i18n, register.accept_terms)}</span>
                            </label>
                            <CodeMessage code=field_code(error, "accept_terms") />
                            <details class="terms">
                                <summary>{t!(i18n, register.terms_summary)}</summary>
                                <p>{t!(i18n, register.terms_body)}</p>
                                <p>{t!(i18n, register.privacy_body)}</p>
                            </details>
                            <div class="form__actions">
                                <A href=Step::Documents.path()>{t!(i18n, register.back)}</A>
                                <button
                                    type="submit"
                                    class="button button--primary"
                                    data-action="submit"
                                    disabled=move || action.pending().get()
                                >
                                    {t!(i18n, register.submit)}
                                </button>
                            </div>
                        </ActionForm>
                    }
                }
            />
        </WizardFrame>
    }
}

/// The reasons of a rejection, for the applicant.
#[component]
fn RejectionNotice(decision: super::DecisionView) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="notice notice--warning" data-state="rejected" role="status">
            <p>
                <strong>{t!(i18n, register.rejected_heading)}</strong>
            </p>
            <ul class="reasons">
                {decision
                    .reasons
                    .iter()
                    .map(|r| {
                        let r = r.clone();
                        let (subject, reason) = (r.subject.clone(), r.reason.clone());
                        view! {
                            <li data-subject=subject data-reason=reason>
                                {move || catalog::reason_sentence(&r.subject, &r.reason, is_zh(i18n))}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(!decision.note.is_empty())
                .then(|| {
                    view! {
                        <p class="reasons__note">
                            {t!(i18n, register.operator_note)}
                            " "
                            {decision.note.clone()}
                        </p>
                    }
                })}
        </div>
    }
}

/// `/register/status`: where the application is.
#[component]
pub fn StatusPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = Resource::new(|| (), |_| get_application());
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, register.status_title)) />
        <section class="page page--narrow" data-page="register-status">
            <h1>{t!(i18n, register.status_title)}</h1>
            <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match app.await {
                        Ok(Some(a)) => view! { <StatusBody a /> }.into_any(),
                        Ok(None) => view! { <NoApplication /> }.into_any(),
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn StatusBody(a: Application) -> impl IntoView {
    let i18n = use_i18n();
    let submitted = a
        .submitted_at
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
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
    let left = countdown();
    Effect::new(move |_| follow_cooldown(send.value().get(), left));
    let sent = move || matches!(send.value().get(), Some(Ok(_)));
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, register.resume_title)) />
        <section class="auth-card" data-page="register-resume">
            <h1>{t!(i18n, register.resume_title)}</h1>
            <p class="auth-card__lead">{t!(i18n, register.resume_lead)}</p>
            <ActionForm action=send>
                <crate::ui::challenge::ChallengeField error=send_error />
                <FormError error=send_error />
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
                    disabled=move || { send.pending().get() || left.get() > 0 }
                >
                    {move || {
                        let s = left.get();
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
