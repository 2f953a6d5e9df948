//! Invitations to join (邀请): an administrator invites a person they added,
//! by email and/or SMS, with a personal link `/join/<token>`; the person
//! opens it on their phone, proves the address it went to with a code,
//! chooses a password and lands signed in on their home.
//!
//! A token carries 256 random bits and is kept only as its SHA-256. At most
//! one link per person is alive: a new one (resend) ends the old, and so do
//! a revoke and a changed address. The link moves from the address into the
//! session on its first hit, so it never stays in the browser's history or
//! reaches another site in a `Referer`.
use serde::{Deserialize, Serialize};

pub mod api;
pub mod join;
pub mod link;
pub mod link_pages;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod reminders;
#[cfg(feature = "ssr")]
pub mod repo;

pub use link_pages::{JoinLinkPage, JoinPosterPage, JoinRequestPage};
pub use pages::{JoinPage, PersonInvitation};

/// People one bulk invitation may reach (WeCom's batch invite).
pub const MAX_BULK: usize = 1_000;
/// Reminders one invitation may send, one a day.
pub const MAX_REMINDERS: i32 = 3;

/// One message an invitation sent, as its delivery stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// `email` or `sms`.
    pub channel: String,
    /// `invitation` or `reminder`.
    pub kind: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    /// Why it failed, as the gateway or mail server said.
    pub error: Option<String>,
    /// In the organisation's time zone.
    pub at: String,
}

/// A person's latest invitation, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub invited_at: String,
    pub invited_by: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub expires_at: String,
    /// `open`, `expired`, `revoked`, `replaced` or `accepted`.
    pub state: String,
    pub accepted_at: Option<String>,
    pub reminders: i32,
    pub deliveries: Vec<Delivery>,
}

/// What the console shows and offers on a person's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonInvitationView {
    /// Not activated yet: an invitation may be sent.
    pub invitable: bool,
    /// The caller may send and revoke invitations to this person.
    pub may_invite: bool,
    pub has_email: bool,
    pub has_mobile: bool,
    pub latest: Option<InvitationInfo>,
}

/// A person a bulk invitation left out, and why (an error code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotInvited {
    pub id: String,
    pub name: String,
    pub reason: String,
}

/// What a bulk invitation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub invited: usize,
    pub not_invited: Vec<NotInvited>,
}

/// What the join page shows to the holder of a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JoinView {
    /// No link in this session: the page was opened without one.
    NoLink,
    /// The link works: who invites whom, and the addresses it went to (hidden in part).
    Open(JoinDetails),
    /// The link no longer works: `expired`, `revoked`, `used` or `unknown`.
    Dead { reason: String },
}

/// An open invitation, as its holder sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinDetails {
    pub organisation: String,
    pub inviter: Option<String>,
    pub name: String,
    /// (`email` or `sms`, the address partly hidden).
    pub channels: Vec<(String, String)>,
    /// The fewest characters the password may have.
    pub password_min_chars: usize,
    /// A second factor is asked for right after activation.
    pub two_factor_required: bool,
    pub expires_at: String,
}
