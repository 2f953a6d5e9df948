//! The organisation's join link and QR code (扫码加入): administrators who
//! may invite show it, print it, rotate or renew it; anyone who opens it
//! asks to join with a proven mobile number; the requests wait for an
//! administrator to approve (the person becomes an employee not joined yet
//! and gets an invitation) or reject (the requester is told why).
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Days a join link works after it is made or renewed (WeCom).
pub const LINK_DAYS: i32 = 7;
/// Requests that may wait at once in one organisation; past it the link
/// takes no more until some are decided.
pub const MAX_PENDING: i64 = 1_000;

/// The join link as its administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinLinkView {
    pub organisation: String,
    /// The security policy lets people ask to join (`join_link` is not `off`).
    pub enabled: bool,
    /// The link, when one was made.
    pub url: Option<String>,
    /// The link's QR code as SVG (made on the server from the link).
    pub qr_svg: Option<String>,
    pub expires_at: Option<String>,
    pub expired: bool,
    pub pending: i64,
}

/// One request to join, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequestRow {
    pub id: String,
    pub name: String,
    pub mobile: String,
    pub email: Option<String>,
    pub department: Option<String>,
    /// The mobile number belongs to someone of the organisation already.
    pub duplicate: bool,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub reason: Option<String>,
    pub at: String,
    /// The employee an approval made.
    pub account_id: Option<String>,
}

/// A page of requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequestPage {
    pub items: Vec<JoinRequestRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// What the public request page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JoinRequestView {
    /// No join link in this session.
    NoLink,
    /// The link is off, expired or was rotated.
    Dead,
    Open {
        organisation: String,
    },
}

#[server(prefix = "/api", endpoint = "join_link_state", input = server_fn::codec::GetUrl)]
pub async fn join_link_state() -> Result<JoinLinkView, AppError> {
    imp::state().await
}

/// Makes a new link (the old one dies at once).
#[server(prefix = "/api", endpoint = "join_link_rotate")]
pub async fn join_link_rotate() -> Result<(), AppError> {
    imp::rotate().await
}

/// Keeps the link working 7 more days from now.
#[server(prefix = "/api", endpoint = "join_link_renew")]
pub async fn join_link_renew() -> Result<(), AppError> {
    imp::renew().await
}

/// Requests by `status` (`pending` when blank, `decided`), newest first.
#[server(prefix = "/api", endpoint = "join_requests", input = server_fn::codec::GetUrl)]
pub async fn join_requests(
    #[server(default)] status: String,
    #[server(default)] page: i64,
) -> Result<JoinRequestPage, AppError> {
    imp::list(status, page).await
}

/// Approves a request into `departments` (the first is the main one): the
/// person becomes an employee not joined yet and is invited.
#[server(prefix = "/api", endpoint = "join_request_approve")]
pub async fn join_request_approve(
    id: String,
    #[server(default)] departments: Vec<String>,
    #[server(default)] main_department: String,
) -> Result<(), AppError> {
    imp::approve(id, departments, main_department).await
}

/// Rejects a request; the requester is told `reason` by SMS.
#[server(prefix = "/api", endpoint = "join_request_reject")]
pub async fn join_request_reject(id: String, reason: String) -> Result<(), AppError> {
    imp::reject(id, reason).await
}

/// The request page's view of the link held in this session.
#[server(prefix = "/api", endpoint = "join_request_state", input = server_fn::codec::GetUrl)]
pub async fn join_request_state() -> Result<JoinRequestView, AppError> {
    imp::request_state().await
}

/// Sends a code to `mobile` for a request to join.
#[server(prefix = "/api", endpoint = "join_request_code")]
pub async fn join_request_code(
    mobile: String,
    #[server(default)] challenge: String,
) -> Result<u64, AppError> {
    imp::request_code(mobile, challenge).await
}

/// Asks to join. The answer is the same whether or not the mobile number
/// is someone's in the organisation already.
#[server(prefix = "/api", endpoint = "join_request_submit")]
pub async fn join_request_submit(
    name: String,
    mobile: String,
    code: String,
    #[server(default)] email: String,
    #[server(default)] department: String,
) -> Result<(), AppError> {
    imp::submit(name, mobile, code, email, department).await
}

#[cfg(feature = "ssr")]
pub use admin::qr_png;
#[cfg(feature = "ssr")]
pub use public::open_link;

#[cfg(feature = "ssr")]
mod admin;
#[cfg(feature = "ssr")]
mod public;

/// The server functions' bodies: the administrators' side and the public one.
#[cfg(feature = "ssr")]
mod imp {
    pub use super::admin::*;
    pub use super::public::*;
}
