//! Accounts and sign-in: passwords, the second factor (TOTP and recovery
//! codes), sessions, throttling and password recovery.
//!
//! Platform operators and organisation members sign in with the same
//! mechanics; they differ in where they land and what they may reach.
use serde::{Deserialize, Serialize};

pub mod api;
pub mod assist;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod devices;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod setup;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod totp;

pub use assist::OperatorAccountsPage;
pub use pages::*;

/// Who an account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// Runs the deployment and reviews registrations; belongs to no organisation.
    Operator,
    /// Belongs to one organisation.
    Member,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Operator => "operator",
            AccountKind::Member => "member",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "operator" => Some(AccountKind::Operator),
            "member" => Some(AccountKind::Member),
            _ => None,
        }
    }

    /// Where a signed-in account of this kind starts: the operator's
    /// console, a member's console when they administer (`administrator`),
    /// else the member's own home.
    pub fn home(self, administrator: bool) -> &'static str {
        match self {
            AccountKind::Operator => "/operator",
            AccountKind::Member if administrator => "/admin",
            AccountKind::Member => "/me",
        }
    }

    /// Where an account of this kind signs in.
    pub fn login_path(self) -> &'static str {
        match self {
            AccountKind::Operator => "/operator/login",
            AccountKind::Member => "/login",
        }
    }
}

/// Where a session stands on the way to being signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The password was right; the second factor is still to come. Grants nothing else.
    SecondFactor,
    /// Signed in, but two-factor is required and not set up: only enrolment is open.
    MustEnrol,
    /// Fully signed in.
    SignedIn,
}

impl Stage {
    /// The page a session at this stage belongs on (`administrator`: see
    /// [`AccountKind::home`]).
    pub fn next_path(self, kind: AccountKind, administrator: bool) -> &'static str {
        match self {
            Stage::SecondFactor => "/login/verify",
            Stage::MustEnrol => "/account/security",
            Stage::SignedIn => kind.home(administrator),
        }
    }
}

/// The signed-in account, as pages see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentAccount {
    pub id: String,
    pub kind: AccountKind,
    pub name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    pub role: Option<String>,
    pub stage: Stage,
    pub totp_enabled: bool,
    /// The organisation asks for a new password before anything else.
    #[serde(default)]
    pub password_expired: bool,
    /// The fewest characters a new password may have.
    #[serde(default)]
    pub password_min_chars: usize,
    /// A super administrator or a member of an admin group: the console is theirs.
    #[serde(default)]
    pub administrator: bool,
}

impl CurrentAccount {
    /// Where this account starts once signed in.
    pub fn home(&self) -> &'static str {
        self.kind.home(self.administrator)
    }
}

/// One signed-in session, as the lists of sessions show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    /// "Chrome", "WeChat"…; empty when the user agent is not recognised.
    pub browser: String,
    /// "Windows", "iOS"…; empty when not recognised.
    pub system: String,
    pub ip: Option<String>,
    /// In the organisation's time zone.
    pub started_at: String,
    pub last_seen_at: String,
    /// The session this list is shown in.
    pub current: bool,
}

/// What an account's owner is told after signing in, until dismissed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountNotice {
    /// Password resets asked for and not sent (a limit was reached).
    pub resets_not_sent: i64,
}

/// What the client does after a sign-in step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    pub stage: Stage,
    pub path: String,
}

/// The security page's view of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityOverview {
    pub account: CurrentAccount,
    pub totp_enabled: bool,
    pub totp_required: bool,
    pub recovery_codes_left: i64,
    pub password_changed_at: Option<String>,
}

/// A TOTP seed being enrolled: the QR code and the key to type by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// `data:image/png;base64,...`
    pub qr_data_url: String,
    /// Base32, grouped in fours for reading.
    pub secret: String,
    pub otpauth_url: String,
}

/// Recovery codes, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// A confirmed enrolment: the recovery codes to keep, and where to go next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentDone {
    pub codes: RecoveryCodes,
    pub next: NextStep,
}
