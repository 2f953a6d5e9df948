//! Organisation registration (注册申请): the preparation page, the wizard, the
//! applicant's status page, and the lists the wizard offers.
//!
//! The applicant has no account until the application is approved: the
//! session remembers which application it is filling. Leaving and coming back
//! from another browser is done by proving the administrator mobile or email
//! again with a one-time code.
pub mod api;
pub mod catalog;
#[cfg(feature = "ssr")]
pub mod documents;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod verifier;

pub use pages::*;

use serde::{Deserialize, Serialize};

/// Where an application is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    InReview,
    Rejected,
    Approved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::InReview => "in_review",
            Status::Rejected => "rejected",
            Status::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => Status::Draft,
            "submitted" => Status::Submitted,
            "in_review" => Status::InReview,
            "rejected" => Status::Rejected,
            "approved" => Status::Approved,
            _ => return None,
        })
    }

    /// The applicant may change the application.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Rejected)
    }

    /// Waiting for a decision.
    pub fn pending(self) -> bool {
        matches!(self, Status::Submitted | Status::InReview)
    }
}

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Organisation,
    Administrator,
    Legal,
    Documents,
    Review,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Organisation,
        Step::Administrator,
        Step::Legal,
        Step::Documents,
        Step::Review,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Step::Organisation => "/register/organisation",
            Step::Administrator => "/register/administrator",
            Step::Legal => "/register/legal",
            Step::Documents => "/register/documents",
            Step::Review => "/register/review",
        }
    }

    pub fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self.index() + 1).copied()
    }

    pub fn previous(self) -> Option<Step> {
        self.index().checked_sub(1).map(|i| Step::ALL[i])
    }
}

/// The documents an application carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Business licence or organisation code certificate (营业执照 / 组织机构代码证).
    Licence,
    /// Legal representative's ID card, portrait side (身份证人像面).
    IdFront,
    /// Legal representative's ID card, national emblem side (身份证国徽面).
    IdBack,
    /// Bank account opening permit (开户许可证); optional, since the permit was
    /// abolished in 2019 and many newer organisations never received one.
    BankPermit,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::Licence,
        DocumentKind::IdFront,
        DocumentKind::IdBack,
        DocumentKind::BankPermit,
    ];

    /// The document's name in `locale`.
    pub fn name(self, locale: crate::i18n::Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            DocumentKind::Licence => td_string!(locale, register.doc_licence),
            DocumentKind::IdFront => td_string!(locale, register.doc_id_front),
            DocumentKind::IdBack => td_string!(locale, register.doc_id_back),
            DocumentKind::BankPermit => td_string!(locale, register.doc_bank_permit),
        }
    }

    /// The required documents not among `present`.
    pub fn missing(present: &[DocumentKind]) -> impl Iterator<Item = DocumentKind> {
        Self::ALL
            .into_iter()
            .filter(|k| k.required() && !present.contains(k))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Licence => "licence",
            DocumentKind::IdFront => "id_front",
            DocumentKind::IdBack => "id_back",
            DocumentKind::BankPermit => "bank_permit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn required(self) -> bool {
        !matches!(self, DocumentKind::BankPermit)
    }
}

/// Limits of the registration wizard, from the server's configuration.
#[derive(Debug, Clone, Copy)]
pub struct RegistrationSettings {
    /// Applications one client IP address may start per day.
    pub drafts_per_ip_day: i64,
}

/// Largest accepted upload.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// An uploaded document, as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub kind: DocumentKind,
    pub content_type: String,
    pub size_bytes: i64,
    pub file_name: String,
    /// Changes whenever the file is replaced, so previews never show a stale copy.
    pub version: String,
}

impl DocumentView {
    pub fn is_pdf(&self) -> bool {
        self.content_type == "application/pdf"
    }
}

/// One reason for a rejection: what it is about and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// A field or document, e.g. `licence`, `org_name` (see [`catalog::SUBJECTS`]).
    pub subject: String,
    /// e.g. `blurred`, `name_mismatch` (see [`catalog::REASONS`]).
    pub reason: String,
}

/// An operator's decision, as the applicant and the console see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    pub decision: String,
    pub submission_no: i32,
    pub reasons: Vec<Reason>,
    pub note: String,
    pub decided_at: chrono::DateTime<chrono::Utc>,
    /// `decided_at` in the platform's zone, the zone named.
    pub decided_at_local: String,
    /// Shown in the console only.
    pub operator_name: Option<String>,
}

/// The application as the applicant's pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub status: Status,
    pub submission_no: i32,
    pub org_name: String,
    pub industry: String,
    pub size_band: String,
    pub credit_code: String,
    pub credit_code_confirmed: bool,
    pub province: String,
    pub city: String,
    pub address: String,
    pub admin_name: String,
    pub admin_mobile: String,
    pub mobile_verified: bool,
    pub admin_email: String,
    pub email_verified: bool,
    pub password_set: bool,
    pub legal_name: String,
    pub legal_id_number: String,
    pub admin_is_legal: bool,
    pub documents: Vec<DocumentView>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `submitted_at` in the platform's zone, the zone named.
    pub submitted_at_local: Option<String>,
    /// The latest decision, when there is one.
    pub decision: Option<DecisionView>,
}

impl Application {
    pub fn document(&self, kind: DocumentKind) -> Option<&DocumentView> {
        self.documents.iter().find(|d| d.kind == kind)
    }
}

/// Answer to a code request: how long until another may be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSent {
    pub cooldown_secs: u64,
}
