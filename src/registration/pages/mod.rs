//! The applicant's pages: preparation, the five wizard steps, the status
//! page and resuming in another browser. Every form works without
//! JavaScript (the server answers with redirects); with it, errors appear
//! beside the fields without a reload and code buttons count down.
mod administrator;
mod documents;
mod legal;
mod organisation;
mod status;
mod summary;
pub use administrator::*;
pub use documents::*;
pub use legal::*;
pub use organisation::*;
pub use status::*;
pub use summary::*;

use super::api::{StartRegistration, get_application};
use super::catalog::{self};
use super::{Application, Status, Step};
use crate::error::Code;
use crate::i18n::*;
use crate::ui::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_query_map;

pub(super) fn is_zh(i18n: leptos_i18n::I18nContext<Locale>) -> bool {
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
                <li>{t!(i18n, register.prepare_licence, <zh> = <span lang="zh-CN" />)}</li>
                <li>{t!(i18n, register.prepare_id)}</li>
                <li>{t!(i18n, register.prepare_bank, <zh> = <span lang="zh-CN" />)}</li>
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
pub(super) fn WizardFrame(step: Step, children: Children) -> impl IntoView {
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
                                {
                                    let label = view! {
                                        <span class="wizard__num" aria-hidden="true">
                                            {i + 1}
                                        </span>
                                        <span class="wizard__label">{move || name(s)}</span>
                                    };
                                    if i < current {
                                        view! { <A href=s.path()>{label}</A> }.into_any()
                                    } else {
                                        view! { <span>{label}</span> }.into_any()
                                    }
                                }
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
pub(super) fn Editable<V, F>(
    /// Changes whenever the application should be loaded again.
    #[prop(into)]
    reload: Signal<usize>,
    view: F,
) -> impl IntoView
where
    F: Fn(Application) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let app = Resource::new(move || reload.get(), |_| get_application());
    view! {
        <Loaded resource=app let:app>
            {match app {
                Some(a) if a.status.editable() => view(a).into_any(),
                Some(_) => view! { <Redirect path="/register/status" /> }.into_any(),
                None => view! { <NoApplication /> }.into_any(),
            }}
        </Loaded>
    }
}

#[component]
pub(super) fn NoApplication() -> impl IntoView {
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
pub(super) fn Choice(
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    list: &'static [catalog::Entry],
    selected: String,
    #[prop(into)] error: Signal<Option<Code>>,
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
                    .map(|e| {
                        let code = e.code;
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
                            <p class="field__error" id=error_id.clone() data-code=code.as_str()>
                                {code.text(i18n.get_locale())}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// Back (saves without checking) and Next (saves and checks).
#[component]
pub(super) fn StepButtons(step: Step, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
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
