//! `/operator/reviews` (the queue) and `/operator/reviews/{id}` (one application).
use super::api::{
    ApproveApplication, RejectApplication, StartReview, get_review_detail, review_queue,
};
use super::{QueueFilter, QueueItem, QueuePage, ReviewDetail};
use crate::i18n::*;
use crate::registration::catalog::{self, REASONS, SUBJECTS};
use crate::registration::pages::{DocumentPreview, field_label, field_value, human_size};
use crate::registration::{DocumentKind, Status};
use crate::ui::{
    AppErrorView, CodeMessage, FormError, Loaded, Pager, Table, columns, last_error, text,
};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The application's fields whose values are words of ours (list choices,
/// yes or no), shown in the reader's language; the others are the applicant's.
const TRANSLATED_FIELDS: [&str; 4] = ["industry", "size_band", "province", "admin_is_legal"];

fn is_zh(i18n: leptos_i18n::I18nContext<Locale>) -> bool {
    i18n.get_locale() == Locale::zh_CN
}

/// "45 min", "3 h", "2 d".
pub fn age_text(secs: i64, zh: bool) -> String {
    let (n, unit_en, unit_zh) = if secs < 3600 {
        ((secs / 60).max(1), "min", "分钟")
    } else if secs < 86_400 {
        (secs / 3600, "h", "小时")
    } else {
        (secs / 86_400, "d", "天")
    };
    if zh {
        format!("{n} {unit_zh}")
    } else {
        format!("{n} {unit_en}")
    }
}

pub fn status_text(i18n: leptos_i18n::I18nContext<Locale>, s: Status) -> &'static str {
    match s {
        Status::Draft => t_string!(i18n, review.status_draft),
        Status::Submitted => t_string!(i18n, review.status_submitted),
        Status::InReview => t_string!(i18n, review.status_in_review),
        Status::Rejected => t_string!(i18n, review.status_rejected),
        Status::Approved => t_string!(i18n, review.status_approved),
    }
}

#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = move || QueueFilter::parse(&query.read().get("filter").unwrap_or_default());
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
    };
    let data = Resource::new(
        move || (filter(), page()),
        |(f, p)| review_queue(f.as_str().to_owned(), p),
    );
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, review.title)) />
        <section class="page" data-page="review-queue">
            <h1>{t!(i18n, review.title)}</h1>
            <Loaded resource=data let:q>
                <Queue q />
            </Loaded>
        </section>
    }
}

#[component]
fn Queue(q: QueuePage) -> impl IntoView {
    let i18n = use_i18n();
    let tab = move |f: QueueFilter, count: i64| {
        let current = q.filter == f;
        view! {
            <a
                href=format!("/operator/reviews?filter={}", f.as_str())
                class="tabs__tab"
                aria-current=current.then_some("page")
                data-filter=f.as_str()
            >
                {move || match f {
                    QueueFilter::Pending => t_string!(i18n, review.filter_pending),
                    QueueFilter::Rejected => t_string!(i18n, review.filter_rejected),
                    QueueFilter::Approved => t_string!(i18n, review.filter_approved),
                }}
                " "
                <span class="badge">{count}</span>
            </a>
        }
    };
    let filter = q.filter;
    let columns = columns![i18n; review.col_organisation, review.col_credit_code, review.col_admin, review.col_submitted, review.col_age, review.col_status];
    let row = move |item: QueueItem| {
        let href = format!("/operator/reviews/{}", item.id);
        let resubmitted = item.submission_no > 1;
        view! {
            <tr data-id=item.id.clone()>
                <td>
                    <A href=href attr:translate="no">{item.org_name.clone()}</A>
                    {resubmitted
                        .then(|| {
                            view! {
                                <span class="badge badge--info">
                                    {t!(i18n, review.resubmission, n = item.submission_no)}
                                </span>
                            }
                        })}
                </td>
                <td class="table__mono" translate="no">{item.credit_code.clone()}</td>
                <td translate="no">{item.admin_name.clone()}</td>
                <td>{item.submitted_at_local.clone()}</td>
                <td>{move || age_text(item.age_secs, is_zh(i18n))}</td>
                <td>
                    <span class=format!("status-badge status-badge--{}", item.status.as_str())>
                        {move || status_text(i18n, item.status)}
                    </span>
                    {item.reviewer_name.clone().map(|n| view! { <span class="muted">" · " {n}</span> })}
                </td>
            </tr>
        }
    };
    view! {
        <nav class="tabs" aria-label=move || t_string!(i18n, review.filters)>
            {tab(QueueFilter::Pending, q.pending)}
            {tab(QueueFilter::Rejected, q.rejected)}
            {tab(QueueFilter::Approved, q.approved)}
        </nav>
        <Table name="reviews" columns rows=q.items row empty=text!(i18n, review.empty) />
        <Pager
            page=q.page
            pages=q.pages
            href=move |n| format!("/operator/reviews?filter={}&page={n}", filter.as_str())
        />
    }
}

#[component]
pub fn ReviewDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let start = ServerAction::<StartReview>::new();
    let approve = ServerAction::<ApproveApplication>::new();
    let reject = ServerAction::<RejectApplication>::new();
    let detail = Resource::new(
        move || {
            (
                id(),
                start.version().get() + approve.version().get() + reject.version().get(),
            )
        },
        |(id, _)| get_review_detail(id),
    );
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, review.detail_title)) />
        <section class="page" data-page="review-detail">
            <p>
                <A href="/operator/reviews">{t!(i18n, review.back_to_queue)}</A>
            </p>
            <Loaded resource=detail let:d>
                <Detail d start approve reject />
            </Loaded>
        </section>
    }
}

const FIELD_GROUPS: &[&[&str]] = &[
    &[
        "org_name",
        "credit_code",
        "industry",
        "size_band",
        "province",
        "city",
        "address",
    ],
    &["admin_name", "admin_mobile", "admin_email"],
    &["legal_name", "legal_id_number", "admin_is_legal"],
];

#[component]
fn Detail(
    d: ReviewDetail,
    start: ServerAction<StartReview>,
    approve: ServerAction<ApproveApplication>,
    reject: ServerAction<RejectApplication>,
) -> impl IntoView {
    let i18n = use_i18n();
    let a = d.application.clone();
    let status = a.status;
    let pending = status.pending();
    let changed = d.changed.clone();
    let submission_no = a.submission_no;
    let start_error = last_error(start);
    let approve_error = last_error(approve);
    let reject_error = last_error(reject);
    view! {
        <header class="detail__header">
            <h1 translate="no">{a.org_name.clone()}</h1>
            <span class=format!("status-badge status-badge--{}", status.as_str()) data-status=status.as_str()>
                {move || status_text(i18n, status)}
            </span>
        </header>
        <p class="muted">
            {t!(i18n, review.submission_line, n = submission_no, at = a.submitted_at_local.clone().unwrap_or_default())}
            {d.reviewer_name.clone().map(|n| view! { " · " {t!(i18n, review.reviewer, name = n)} })}
        </p>
        {(submission_no > 1)
            .then(|| {
                let changed = changed.clone();
                view! {
                    <div class="notice notice--info" data-state="changes">
                        <p>
                            <strong>{t!(i18n, review.changed_heading)}</strong>
                        </p>
                        {if changed.is_empty() {
                            view! { <p>{t!(i18n, review.nothing_changed)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="changes">
                                    {changed
                                        .iter()
                                        .map(|f| {
                                            let field = f.clone();
                                            view! { <li data-field=f.clone()>{move || field_label(i18n, &field)}</li> }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }}
                    </div>
                }
            })}
        <div class="detail__grid">
            <div>
                {FIELD_GROUPS
                    .iter()
                    .map(|fields| {
                        view! {
                            <dl class="summary__list">
                                {fields
                                    .iter()
                                    .map(|f| {
                                        let is_changed = submission_no > 1 && changed.iter().any(|c| c == f);
                                        let field: &'static str = f;
                                        let a = a.clone();
                                        let value = move || match field {
                                            "admin_is_legal" => {
                                                if a.admin_is_legal {
                                                    t_string!(i18n, review.yes).to_string()
                                                } else {
                                                    t_string!(i18n, review.no).to_string()
                                                }
                                            }
                                            other => field_value(&a, other, is_zh(i18n)),
                                        };
                                        view! {
                                            <dt>{move || field_label(i18n, field)}</dt>
                                            <dd
                                                class:changed=is_changed
                                                data-field=*f
                                                translate=(!TRANSLATED_FIELDS.contains(f)).then_some("no")
                                            >
                                                {value}
                                                {(*f == "credit_code" && !d.credit_code_checksum_ok)
                                                    .then(|| {
                                                        view! {
                                                            <span class="badge badge--warning">
                                                                {t!(i18n, review.checksum_fails)}
                                                            </span>
                                                        }
                                                    })}
                                            </dd>
                                        }
                                    })
                                    .collect_view()}
                            </dl>
                        }
                    })
                    .collect_view()}
                <p class="muted" data-identity=d.identity_check.clone().unwrap_or_default()>
                    {t!(i18n, review.identity_check)}
                    " "
                    {
                        let check = d.identity_check.clone();
                        move || match check.as_deref() {
                            Some("verified") => t_string!(i18n, review.identity_verified),
                            Some(s) if s.starts_with("failed") => t_string!(i18n, review.identity_failed),
                            _ => t_string!(i18n, review.identity_manual),
                        }
                    }
                </p>
            </div>
            <ul class="documents documents--review">
                {DocumentKind::ALL
                    .into_iter()
                    .map(|k| {
                        let doc = a.document(k).cloned();
                        let is_changed = submission_no > 1 && changed.iter().any(|c| c == k.as_str());
                        let src = format!("/operator/reviews/{}/files/{}", d.id, k.as_str());
                        let title = Signal::derive(move || field_label(i18n, k.as_str()));
                        view! {
                            <li class="document" class:changed=is_changed data-kind=k.as_str()>
                                <h2 class="document__title">{title}</h2>
                                {match doc {
                                    Some(doc) => {
                                        view! {
                                            <DocumentPreview src=src.clone() doc=doc.clone() title />
                                            <p class="document__meta">
                                                <span translate="no">{doc.file_name.clone()}</span>
                                                " · "
                                                {human_size(doc.size_bytes)}
                                                " · "
                                                <a href=src target="_blank" rel="noopener">
                                                    {t!(i18n, review.open_full)}
                                                </a>
                                            </p>
                                        }
                                            .into_any()
                                    }
                                    None => view! { <p class="muted">{t!(i18n, review.no_document)}</p> }.into_any(),
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
        {pending
            .then(|| {
                let id = d.id.clone();
                let id2 = d.id.clone();
                let id3 = d.id.clone();
                view! {
                    <section class="decision" data-state="decision">
                        <h2>{t!(i18n, review.decide)}</h2>
                        {(status == Status::Submitted)
                            .then(|| {
                                view! {
                                    <ActionForm action=start>
                                        <input type="hidden" name="id" value=id.clone() />
                                        <input type="hidden" name="submission_no" value=submission_no />
                                        <FormError error=start_error />
                                        <button type="submit" class="button" data-action="start-review">
                                            {t!(i18n, review.start_review)}
                                        </button>
                                    </ActionForm>
                                }
                            })}
                        <div class="decision__forms">
                            <ActionForm action=approve attr:class="decision__approve">
                                <input type="hidden" name="id" value=id2 />
                                <input type="hidden" name="submission_no" value=submission_no />
                                <h3>{t!(i18n, review.approve_heading)}</h3>
                                <p class="muted">{t!(i18n, review.approve_body)}</p>
                                <DecisionError error=approve_error fields=&["decision"] />
                                <label class="check">
                                    <input type="checkbox" name="confirm" value="yes" required=true />
                                    <span>{t!(i18n, review.approve_confirm)}</span>
                                </label>
                                <button type="submit" class="button button--primary" data-action="approve" disabled=move || approve.pending().get()>
                                    {t!(i18n, review.approve)}
                                </button>
                            </ActionForm>
                            <ActionForm action=reject attr:class="decision__reject">
                                <input type="hidden" name="id" value=id3 />
                                <input type="hidden" name="submission_no" value=submission_no />
                                <h3>{t!(i18n, review.reject_heading)}</h3>
                                <DecisionError error=reject_error fields=&["decision", "reasons", "note"] />
                                <div class="reason-groups">
                                    {SUBJECTS
                                        .iter()
                                        .map(|e| {
                                            let subject = e.code;
                                            view! {
                                                <fieldset class="reason-group" data-subject=subject>
                                                    <legend>{move || catalog::label(SUBJECTS, subject, is_zh(i18n)).unwrap_or(subject)}</legend>
                                                    {catalog::reasons_for(subject)
                                                        .iter()
                                                        .map(|reason| {
                                                            let value = format!("{subject}:{reason}");
                                                            let reason = *reason;
                                                            view! {
                                                                <label class="check check--small">
                                                                    <input type="checkbox" name="reasons[]" value=value />
                                                                    <span>{move || catalog::label(REASONS, reason, is_zh(i18n)).unwrap_or(reason)}</span>
                                                                </label>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </fieldset>
                                            }
                                        })
                                        .collect_view()}
                                </div>
                                <div class="field">
                                    <label class="field__label" for="field-note">{t!(i18n, review.note)}</label>
                                    <p class="field__hint" id="field-note-hint">{t!(i18n, review.note_hint)}</p>
                                    <textarea class="field__input" id="field-note" name="note" rows="3" maxlength="1000" aria-describedby="field-note-hint"></textarea>
                                </div>
                                <button type="submit" class="button button--danger" data-action="reject" disabled=move || reject.pending().get()>
                                    {t!(i18n, review.reject)}
                                </button>
                            </ActionForm>
                        </div>
                    </section>
                }
            })}
        {(status == Status::Approved)
            .then(|| view! { <p class="notice notice--success" data-state="approved">{t!(i18n, review.approved_note)}</p> })}
        <section class="history">
            <h2>{t!(i18n, review.history)}</h2>
            {if d.decisions.is_empty() {
                view! { <p class="muted">{t!(i18n, review.no_history)}</p> }.into_any()
            } else {
                view! {
                    <ol class="history__list">
                        {d
                            .decisions
                            .iter()
                            .map(|dec| {
                                let dec = dec.clone();
                                let approved = dec.decision == "approved";
                                view! {
                                    <li data-decision=dec.decision.clone()>
                                        <p>
                                            <strong>
                                                {move || if approved { t_string!(i18n, review.status_approved) } else { t_string!(i18n, review.status_rejected) }}
                                            </strong>
                                            " · "
                                            {t!(i18n, review.submission_short, n = dec.submission_no)}
                                            " · "
                                            {dec.decided_at_local.clone()}
                                            " · "
                                            {dec.operator_name.clone().unwrap_or_default()}
                                        </p>
                                        <ul>
                                            {dec
                                                .reasons
                                                .iter()
                                                .map(|r| {
                                                    let r = r.clone();
                                                    view! { <li>{move || catalog::reason_sentence(&r.subject, &r.reason, is_zh(i18n))}</li> }
                                                })
                                                .collect_view()}
                                        </ul>
                                        {(!dec.note.is_empty()).then(|| view! { <p class="muted">{dec.note.clone()}</p> })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
        </section>
    }
}

/// The error of a decision form: the first of `fields` that it names, as a
/// notice, or the error itself.
#[component]
fn DecisionError(
    #[prop(into)] error: Signal<Option<crate::error::AppError>>,
    fields: &'static [&'static str],
) -> impl IntoView {
    let code = Signal::derive(move || {
        error
            .get()
            .and_then(|e| fields.iter().find_map(|f| e.field_code(f)))
    });
    view! {
        <CodeMessage code class="notice notice--warning" alert=true />
        {move || {
            error
                .get()
                .filter(|_| code.get().is_none())
                .map(|e| view! { <AppErrorView error=e /> })
        }}
    }
}
