//! Step 5: the whole application on one page, then submit.
use super::super::api::SubmitApplication;
use super::super::catalog::{self, INDUSTRIES, PROVINCES, SIZE_BANDS};
use super::super::{Application, DocumentKind, Step};
use super::*;
use crate::i18n::*;
use crate::ui::{CodeMessage, FormError, field_code, last_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;

/// The sections of the review page and the fields each holds, for edit
/// links and for placing errors.
pub(super) const SECTIONS: &[(Step, &[&str])] = &[
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
                                                        .map(|c| (f.to_string(), c))
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
                                                        <p class="field__error" data-field=f.clone() data-code=code.as_str()>
                                                            {field_label(i18n, &f)}
                                                            ": "
                                                            {code.text(i18n.get_locale())}
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
                                                                    <span>{move || k.name(i18n.get_locale())}</span>
                                                                    ": "
                                                                    {move || match &d {
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
                                                            let field: &'static str = f;
                                                            let shown = a.clone();
                                                            let value = move || {
                                                                let value = field_value(&shown, field, is_zh(i18n));
                                                                if value.is_empty() { "—".to_string() } else { value }
                                                            };
                                                            let verified = match *f {
                                                                "admin_mobile" => a.mobile_verified,
                                                                "admin_email" => a.email_verified,
                                                                _ => false,
                                                            };
                                                            view! {
                                                                <dt>{move || field_label(i18n, field)}</dt>
                                                                <dd>
                                                                    {value}
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
pub(super) fn RejectionNotice(decision: super::super::DecisionView) -> impl IntoView {
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
