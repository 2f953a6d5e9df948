//! Step 4: the documents, uploaded one by one and previewed.
use super::super::api::{FinishDocuments, RemoveDocument};
use super::super::{Application, DocumentKind, DocumentView, Step};
use super::*;
use crate::error::Code;
use crate::i18n::*;
use crate::ui::{CodeMessage, field_code, last_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub(super) fn document_name(
    i18n: leptos_i18n::I18nContext<Locale>,
    kind: DocumentKind,
) -> &'static str {
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
    #[prop(into)] title: Signal<String>,
) -> impl IntoView {
    let zoomed = RwSignal::new(false);
    let src = format!("{src}?v={}", doc.version);
    if doc.is_pdf() {
        view! {
            <iframe class="doc-preview doc-preview--pdf" src=src title=move || title.get()></iframe>
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
                <img src=src alt=move || title.get() />
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
                    let upload_error = query.read_untracked().get("error").map(|e| Code::parse(&e));
                    let uploaded = query.read_untracked().get("uploaded");
                    view! {
                        <p class="page__lead">{t!(i18n, register.documents_lead)}</p>
                        <CodeMessage
                            class="notice notice--warning"
                            alert=true
                            code=upload_error.filter(|_| upload_kind.is_none())
                        />
                        <ul class="documents">
                            {DocumentKind::ALL
                                .into_iter()
                                .map(|kind| {
                                    let doc = a.document(kind).cloned();
                                    let k = kind.as_str();
                                    let this_error = (upload_kind.as_deref() == Some(k))
                                        .then_some(upload_error)
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
                                                    let title = Signal::derive(move || document_name(i18n, kind).to_string());
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
