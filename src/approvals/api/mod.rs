//! Approval server functions. Templates need the permission to manage
//! approval templates over the whole organisation; requests, the inbox and
//! decisions are open to every signed-in member, each over what concerns
//! them. Forms and designs travel as JSON text, at most [`MAX_JSON`] bytes.
use super::{
    Delegations, FormView, Inbox, RequestDetail, RequestPage, RouteView, TemplateEditor,
    TemplateSummary,
};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod admin;
#[cfg(feature = "ssr")]
mod common;
#[cfg(feature = "ssr")]
mod detail;
#[cfg(feature = "ssr")]
mod hands;
#[cfg(feature = "ssr")]
pub mod inbox;
#[cfg(feature = "ssr")]
mod member;

/// The largest form or design accepted, as JSON text.
pub const MAX_JSON: usize = 256 * 1024;
/// The longest comment on a decision.
pub const MAX_COMMENT: usize = 1000;

/// The organisation's templates (the built-ins are made on first sight).
#[server(prefix = "/api", endpoint = "approval_templates", input = server_fn::codec::GetUrl)]
pub async fn approval_templates() -> Result<Vec<TemplateSummary>, AppError> {
    admin::templates().await
}

/// A template as the designer opens it: its draft, else its published design.
#[server(prefix = "/api", endpoint = "approval_template", input = server_fn::codec::GetUrl)]
pub async fn approval_template(id: String) -> Result<TemplateEditor, AppError> {
    admin::template(id).await
}

/// A published version of a template: its design and the names it mentions.
#[server(prefix = "/api", endpoint = "approval_template_version", input = server_fn::codec::GetUrl)]
pub async fn approval_template_version(
    id: String,
    number: i32,
) -> Result<(super::Design, super::Names), AppError> {
    admin::version(id, number).await
}

/// Who decides when a node finds nobody (a node's "approval administrator"
/// rule): (id, name), the organisation's creator until someone is set.
#[server(prefix = "/api", endpoint = "approval_admin", input = server_fn::codec::GetUrl)]
pub async fn approval_admin() -> Result<Option<(String, String)>, AppError> {
    admin::approval_admin().await
}

/// Sets the approval administrator: an active member of the organisation.
#[server(prefix = "/api", endpoint = "approval_admin_set")]
pub async fn approval_admin_set(person: String) -> Result<(), AppError> {
    admin::set_approval_admin(person).await
}

/// A new custom template; returns its id.
#[server(prefix = "/api", endpoint = "approval_template_create")]
pub async fn approval_template_create(
    name_en: String,
    name_zh: String,
) -> Result<String, AppError> {
    admin::create(name_en, name_zh).await
}

/// Keeps `design` (JSON of [`super::Design`]) as the template's draft;
/// returns the template's new version. A draft may still have problems;
/// publishing refuses it until it has none.
#[server(prefix = "/api", endpoint = "approval_template_save")]
pub async fn approval_template_save(
    id: String,
    design: String,
    version: i32,
) -> Result<i32, AppError> {
    admin::save(id, design, version).await
}

/// Publishes the template's draft as its next version; returns its number.
#[server(prefix = "/api", endpoint = "approval_template_publish")]
pub async fn approval_template_publish(id: String, version: i32) -> Result<i32, AppError> {
    admin::publish(id, version).await
}

/// Turns the template on (`enabled` = `true`) or off for new requests.
#[server(prefix = "/api", endpoint = "approval_template_enable")]
pub async fn approval_template_enable(id: String, enabled: String) -> Result<(), AppError> {
    admin::enable(id, enabled).await
}

/// What a submission by `submitter` with `form` would do: the route of the
/// draft (`number` 0), or of `design` (the designer's unsaved work) when
/// given, or of a published version.
#[server(prefix = "/api", endpoint = "approval_simulate")]
pub async fn approval_simulate(
    id: String,
    number: i32,
    submitter: String,
    form: String,
    #[server(default)] chosen: String,
    #[server(default)] department: String,
    #[server(default)] design: String,
) -> Result<RouteView, AppError> {
    admin::simulate(id, number, submitter, form, chosen, department, design).await
}

/// People (`kind` = `person`: active members) or departments of the
/// caller's organisation whose name matches `q`: (id, name, hint), at most 10.
#[server(prefix = "/api", endpoint = "approval_find", input = server_fn::codec::GetUrl)]
pub async fn approval_find(
    kind: String,
    q: String,
) -> Result<Vec<(String, String, String)>, AppError> {
    member::find(kind, q).await
}

/// The templates the caller may submit.
#[server(prefix = "/api", endpoint = "approval_catalog", input = server_fn::codec::GetUrl)]
pub async fn approval_catalog() -> Result<Vec<TemplateSummary>, AppError> {
    member::catalog().await
}

/// A template's form as the caller fills it in; with `from`, a request of
/// theirs to start from (a copy, or a returned one to change).
#[server(prefix = "/api", endpoint = "approval_form", input = server_fn::codec::GetUrl)]
pub async fn approval_form(
    id: String,
    #[server(default)] from: String,
) -> Result<(FormView, Option<super::form::RawForm>), AppError> {
    member::form(id, from).await
}

/// Who would approve the caller's request as filled in so far.
#[server(prefix = "/api", endpoint = "approval_preview")]
pub async fn approval_preview(
    id: String,
    form: String,
    #[server(default)] chosen: String,
    #[server(default)] department: String,
) -> Result<RouteView, AppError> {
    member::preview(id, form, chosen, department).await
}

/// Submits a request; returns its id. `copied_from` names a request of the
/// caller's it was copied from; `resubmit` a returned one it replaces.
#[server(prefix = "/api", endpoint = "approval_submit")]
pub async fn approval_submit(
    id: String,
    form: String,
    #[server(default)] chosen: String,
    #[server(default)] department: String,
    #[server(default)] copied_from: String,
    #[server(default)] resubmit: String,
) -> Result<String, AppError> {
    member::submit(id, form, chosen, department, copied_from, resubmit).await
}

/// Withdraws the caller's own request.
#[server(prefix = "/api", endpoint = "approval_withdraw")]
pub async fn approval_withdraw(id: String) -> Result<String, AppError> {
    member::withdraw(id).await
}

/// The caller's own requests, newest first; `status` filters.
#[server(prefix = "/api", endpoint = "approval_mine", input = server_fn::codec::GetUrl)]
pub async fn approval_mine(
    #[server(default)] status: String,
    #[server(default)] page: i64,
) -> Result<RequestPage, AppError> {
    member::mine(status, page).await
}

/// The caller's inbox: `tab` is `pending`, `handled` or `cc`; filtered by
/// template, submitter, submitted on or after `from` and before `to`
/// (`YYYY-MM-DD`), and `q` (number, summary, submitter's name).
#[server(prefix = "/api", endpoint = "approval_inbox", input = server_fn::codec::GetUrl)]
pub async fn approval_inbox(
    #[server(default)] tab: String,
    #[server(default)] template: String,
    #[server(default)] submitter: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] q: String,
    #[server(default)] page: i64,
) -> Result<Inbox, AppError> {
    member::inbox(tab, template, submitter, from, to, q, page).await
}

/// A request, for its submitter, an approver, someone copied, or an
/// administrator of approvals.
#[server(prefix = "/api", endpoint = "approval_request", input = server_fn::codec::GetUrl)]
pub async fn approval_request(id: String) -> Result<RequestDetail, AppError> {
    member::request(id).await
}

/// Decides the caller's task: `approve` or `reject` (a comment required);
/// a rejection may send the request back (`back_to` = `submitter` or the
/// index of an earlier node) when the flow allows it.
#[server(prefix = "/api", endpoint = "approval_decide")]
pub async fn approval_decide(
    task: String,
    decision: String,
    #[server(default)] comment: String,
    #[server(default)] back_to: String,
) -> Result<String, AppError> {
    member::decide(task, decision, comment, back_to).await
}

/// Hands the caller's pending `task` on: `how` is `transfer` (`to`
/// decides instead; a comment is required), `before` (`to` decides first,
/// then the caller) or `after` (the caller approves; then `to` decides).
#[server(prefix = "/api", endpoint = "approval_hand")]
pub async fn approval_hand(
    task: String,
    to: String,
    how: String,
    #[server(default)] comment: String,
) -> Result<String, AppError> {
    hands::hand(task, to, how, comment).await
}

/// Reminds the approvers of the caller's pending request (at most once an hour).
#[server(prefix = "/api", endpoint = "approval_urge")]
pub async fn approval_urge(id: String) -> Result<(), AppError> {
    hands::urge(id).await
}

/// Approves several of the caller's tasks (`tasks`: ids separated by
/// commas, at most 100), each in its own transaction; returns how many
/// were approved and how many could not be (decided meanwhile).
#[server(prefix = "/api", endpoint = "approval_decide_many")]
pub async fn approval_decide_many(tasks: String) -> Result<(u32, u32), AppError> {
    hands::decide_many(tasks).await
}

/// The caller's delegations and how they hear about approvals.
#[server(prefix = "/api", endpoint = "approval_delegations", input = server_fn::codec::GetUrl)]
pub async fn approval_delegations() -> Result<Delegations, AppError> {
    hands::delegations().await
}

/// Sets `delegate` to act for the caller from `starts` to `ends`
/// (`YYYY-MM-DDTHH:MM`, the organisation's time).
#[server(prefix = "/api", endpoint = "approval_delegate")]
pub async fn approval_delegate(
    delegate: String,
    starts: String,
    ends: String,
) -> Result<String, AppError> {
    hands::delegate(delegate, starts, ends).await
}

/// Cancels one of the caller's delegations (tasks it moved come back).
#[server(prefix = "/api", endpoint = "approval_delegate_cancel")]
pub async fn approval_delegate_cancel(id: String) -> Result<(), AppError> {
    hands::cancel(id).await
}

/// How the caller hears about approvals: `immediate` or `digest`.
#[server(prefix = "/api", endpoint = "approval_notices_set")]
pub async fn approval_notices_set(mode: String) -> Result<(), AppError> {
    hands::notices(mode).await
}

/// Moves every open task of `from` (someone leaving) to `to`; for an
/// administrator who manages contacts over both; returns how many moved.
#[server(prefix = "/api", endpoint = "approval_hand_over")]
pub async fn approval_hand_over(from: String, to: String) -> Result<u64, AppError> {
    hands::hand_over(from, to).await
}
