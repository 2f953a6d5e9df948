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

/// Sends the file chosen in `input` as the document `kind`, in the
/// background, with its progress in percent, and calls `done` with the
/// address the server sent the browser to (the documents step with `uploaded`
/// or `error`), or `None` when the request failed.
#[cfg(feature = "hydrate")]
fn send_in_background(
    input: &web_sys::HtmlInputElement,
    kind: DocumentKind,
    progress: RwSignal<Option<u32>>,
    done: std::rc::Rc<dyn Fn(Option<String>)>,
) {
    use wasm_bindgen::{JsCast, closure::Closure};
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return done(None);
    };
    let (Ok(xhr), Ok(data)) = (web_sys::XmlHttpRequest::new(), web_sys::FormData::new()) else {
        return done(None);
    };
    if data.append_with_str("kind", kind.as_str()).is_err()
        || data
            .append_with_blob_and_filename("file", &file, &file.name())
            .is_err()
    {
        return done(None);
    }
    if xhr.open("POST", UPLOAD_URL).is_err() {
        return done(None);
    }
    if let Ok(upload) = xhr.upload() {
        let on_progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    progress.try_set(Some((e.loaded() / e.total() * 100.0) as u32));
                }
            });
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        on_progress.forget();
    }
    // Only the documents step's own answer counts: an error status (a
    // refused origin, a proxy's size limit) falls back to the caller's message.
    let answered = xhr.clone();
    let on_load = done.clone();
    let on_load = Closure::<dyn FnMut()>::new(move || {
        let status = answered.status().unwrap_or(0);
        let url = answered.response_url();
        let ours = (200..300).contains(&status) && url.contains("/register/");
        on_load(ours.then_some(url));
    });
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    let on_error = Closure::<dyn FnMut()>::new(move || done(None));
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    progress.try_set(Some(0));
    let _ = xhr.send_with_opt_form_data(Some(&data));
}

/// Where the documents form posts its files.
const UPLOAD_URL: &str = "/register/documents/upload";
/// The documents form, which the file inputs and Upload buttons join by id.
const FORM_ID: &str = "documents-form";

/// Step 4: the documents. With JavaScript a chosen file is sent at once, with
/// its progress, and the page shows the answer in place. Without, the file
/// inputs and the step's buttons make one form: an Upload button or "Save and
/// continue" sends every chosen file with it.
#[component]
pub fn DocumentsStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<FinishDocuments>::new();
    let remove = ServerAction::<RemoveDocument>::new();
    let error = last_error(action);
    // Required documents the form's plain post found missing.
    let query = use_query_map();
    let missing_query = Memo::new(move |_| query.read().get("missing").unwrap_or_default());
    // Documents sent in the background since the page opened.
    let sent = RwSignal::new(0usize);
    let reload = Signal::derive(move || remove.version().get() + sent.get());
    // Uploads on their way; leaving the page then asks first.
    let sending = RwSignal::new(0usize);
    // Set once the page runs in the browser: the Upload buttons then go.
    let in_browser = RwSignal::new(false);
    Effect::new(move |_| in_browser.set(true));
    #[cfg(feature = "hydrate")]
    {
        let guard = window_event_listener(leptos::ev::beforeunload, move |e| {
            if sending.try_get_untracked().unwrap_or(0) > 0 {
                e.prevent_default();
                e.set_return_value("");
            }
        });
        on_cleanup(move || guard.remove());
    }
    let busy = Signal::derive(move || action.pending().get() || sending.get() > 0);
    let navigate = leptos_router::hooks::use_navigate();
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
                                    let from_server = field_code(error, k);
                                    let missing = Signal::derive(move || {
                                        from_server.get().or_else(|| {
                                            missing_query
                                                .read()
                                                .split(',')
                                                .any(|m| m == k)
                                                .then_some(Code::DocumentRequired)
                                        })
                                    });
                                    let input_id = format!("file-{k}");
                                    let progress = RwSignal::new(None::<u32>);
                                    let navigate = navigate.clone();
                                    // A chosen file goes at once; the answer is the same page
                                    // the plain form would have led to, shown in place.
                                    let on_choose = move |ev: leptos::ev::Event| {
                                        #[cfg(feature = "hydrate")]
                                        {
                                            let input = event_target::<web_sys::HtmlInputElement>(&ev);
                                            let navigate = navigate.clone();
                                            sending.update(|n| *n += 1);
                                            let done = std::rc::Rc::new(move |url: Option<String>| {
                                                sending.try_update(|n| *n = n.saturating_sub(1));
                                                // The page has gone (the applicant moved on): leave them where they are.
                                                if sent.try_get_untracked().is_none() {
                                                    return;
                                                }
                                                progress.try_set(None);
                                                // The address without its origin: the same site.
                                                let target = url
                                                    .and_then(|u| {
                                                        let rest = &u[u.find("://")? + 3..];
                                                        Some(rest[rest.find('/')?..].to_owned())
                                                    })
                                                    .unwrap_or_else(|| format!("/register/documents?kind={k}&error=document.invalid"));
                                                navigate(&target, leptos_router::NavigateOptions { replace: true, scroll: false, ..Default::default() });
                                                sent.try_update(|n| *n += 1);
                                            });
                                            send_in_background(&input, kind, progress, done);
                                        }
                                        #[cfg(not(feature = "hydrate"))]
                                        let _ = (&ev, &navigate, progress, sending);
                                    };
                                    view! {
                                        <li class="document" id=format!("doc-{k}") data-kind=k>
                                            <h2 class="document__title">
                                                {move || kind.name(i18n.get_locale())}
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
                                                    let title = Signal::derive(move || kind.name(i18n.get_locale()).to_string());
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
                                            <div class="document__upload">
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
                                                    name=format!("file-{k}")
                                                    form=FORM_ID
                                                    accept="image/jpeg,image/png,application/pdf"
                                                    on:change=on_choose
                                                />
                                                <button
                                                    type="submit"
                                                    form=FORM_ID
                                                    name="intent"
                                                    value="upload"
                                                    class="button"
                                                    data-action=format!("upload-{k}")
                                                    hidden=move || in_browser.get()
                                                >
                                                    {t!(i18n, register.upload)}
                                                </button>
                                                {move || {
                                                    progress
                                                        .get()
                                                        .map(|p| {
                                                            view! {
                                                                <progress
                                                                    class="document__progress"
                                                                    max="100"
                                                                    value=p
                                                                    aria-label=move || t_string!(i18n, register.uploading)
                                                                ></progress>
                                                            }
                                                        })
                                                }}
                                            </div>
                                            <CodeMessage code=this_error alert=true />
                                            <CodeMessage code=missing />
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        // Outside the list: the remove buttons are forms of their own.
                        <form
                            id=FORM_ID
                            method="post"
                            action=UPLOAD_URL
                            enctype="multipart/form-data"
                            on:submit=move |ev: leptos::ev::SubmitEvent| {
                                // Files went as they were chosen; the step's own check decides.
                                ev.prevent_default();
                                let intent = ev
                                    .submitter()
                                    .and_then(|b| b.get_attribute("value"))
                                    .unwrap_or_default();
                                if intent == "back" || intent == "next" {
                                    action.dispatch(FinishDocuments { intent });
                                }
                            }
                        >
                            <StepButtons step=Step::Documents pending=busy />
                        </form>
                    }
                }
            />
        </WizardFrame>
    }
}
