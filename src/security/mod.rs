//! The organisation's security settings (`/admin/security`): two-step
//! verification for administrators or everyone, the password policy after
//! NIST SP 800-63B-4, optional password expiry, session lifetimes within
//! the server's bounds, and who may use the join link.
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod checkup;
pub mod pages;

/// The longest minimum password length an organisation may ask for.
pub const MAX_MIN_LENGTH: i32 = 64;
/// Password expiry, when on, in days.
pub const EXPIRY_DAYS: std::ops::RangeInclusive<i32> = 30..=365;
/// The shortest idle time an organisation may set, in minutes.
pub const MIN_IDLE_MINUTES: i32 = 5;

/// The settings as the page shows and saves them; 0 means "the default".
/// How long an invitation link may be made to work, in days (WeCom: 7 by default).
pub const INVITATION_DAYS: std::ops::RangeInclusive<i32> = 1..=30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecuritySettings {
    /// Administrators must use two-step verification.
    pub two_factor_admins: bool,
    /// Every member must use two-step verification.
    pub two_factor_everyone: bool,
    /// 0: the default (8 with two-step verification required, 15 without).
    pub password_min_length: i32,
    /// 0: passwords do not expire.
    pub password_expiry_days: i32,
    /// 0: the server's.
    pub session_idle_minutes: i32,
    /// 0: the server's.
    pub session_absolute_hours: i32,
    /// `off` or `approval`.
    pub join_link: String,
    /// Days the audit log is kept ([`AUDIT_RETENTION_DAYS`]).
    pub audit_retention_days: i32,
    /// Days a new invitation link works ([`INVITATION_DAYS`]).
    pub invitation_days: i32,
    /// People who have not joined are reminded once a day, three times.
    pub invitation_reminders: bool,
    /// Members' directory shows mobile numbers and addresses to administrators only.
    pub directory_hides_contacts: bool,
    pub version: i32,
    /// The server's bounds, which the organisation's values stay within.
    pub server_idle_minutes: i32,
    pub server_absolute_hours: i32,
}

/// One person a check-up finding names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingPerson {
    pub id: String,
    pub name: String,
    pub userid: String,
    /// A date that explains the finding (added, last seen, locked), or empty.
    pub detail: String,
}

/// The people of one finding: the first 50, and how many in all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Finding {
    pub total: i64,
    pub people: Vec<FindingPerson>,
}

/// What the security check-up found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkup {
    /// Administrators without two-step verification.
    pub without_second_factor: Finding,
    /// Added more than 7 days ago and never activated.
    pub not_activated: Finding,
    /// Departed, with a session that still works.
    pub departed_with_sessions: Finding,
    /// Active super administrators: a warning at 1 and above 5.
    pub super_admins: i64,
    /// With a session older than the longest the policy allows.
    pub stale_sessions: Finding,
    /// Locked out by failed sign-ins in the last 7 days.
    pub lockouts: Finding,
    /// Messages given up on in the last 30 days.
    pub failed_messages: i64,
}

impl Checkup {
    /// How many findings need attention.
    pub fn open(&self) -> usize {
        [
            self.without_second_factor.total > 0,
            self.not_activated.total > 0,
            self.departed_with_sessions.total > 0,
            self.super_admins <= 1 || self.super_admins > crate::access::MANY_SUPER_ADMINS as i64,
            self.stale_sessions.total > 0,
            self.lockouts.total > 0,
            self.failed_messages > 0,
        ]
        .into_iter()
        .filter(|&b| b)
        .count()
    }
}

/// How long an organisation may keep its audit log, in days: at least six
/// months (network logs must be kept that long in China), at most ten years.
pub const AUDIT_RETENTION_DAYS: std::ops::RangeInclusive<i32> = 180..=3650;
