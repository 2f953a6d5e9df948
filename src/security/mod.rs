//! The organisation's security settings (`/admin/security`): two-step
//! verification for administrators or everyone, the password policy after
//! NIST SP 800-63B-4, optional password expiry, session lifetimes within
//! the server's bounds, and who may use the join link.
use serde::{Deserialize, Serialize};

pub mod api;
pub mod pages;

/// The longest minimum password length an organisation may ask for.
pub const MAX_MIN_LENGTH: i32 = 64;
/// Password expiry, when on, in days.
pub const EXPIRY_DAYS: std::ops::RangeInclusive<i32> = 30..=365;
/// The shortest idle time an organisation may set, in minutes.
pub const MIN_IDLE_MINUTES: i32 = 5;

/// The settings as the page shows and saves them; 0 means "the default".
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
    pub version: i32,
    /// The server's bounds, which the organisation's values stay within.
    pub server_idle_minutes: i32,
    pub server_absolute_hours: i32,
}
