//! Identity verification (身份验证) of the legal representative.
//!
//! [`IdentityVerifier`] is the seam. The default, [`ManualReview`], leaves the
//! check to the platform operator, who compares the ID card images with the
//! name and number typed in the application. A face-verification provider
//! (人脸识别: e.g. a cloud "real-person verification" API that compares a live
//! selfie with the ID photo held by the authorities) plugs in here: implement
//! the trait, call the provider with the name and resident ID number (and the
//! provider's session token obtained on the applicant's phone), and put it in
//! `AppState::identity` at start-up. Its verdict is stored with the
//! submission and shown to the operator beside the documents; the operator
//! still makes the decision.
use crate::domain::ResidentId;
use std::{future::Future, pin::Pin};

/// Who is to be verified.
#[derive(Debug, Clone)]
pub struct IdentitySubject<'a> {
    pub name: &'a str,
    pub resident_id: &'a ResidentId,
}

/// What a verifier concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The provider confirmed the person.
    Verified,
    /// The provider could not confirm the person; the code says why.
    Failed(String),
    /// No automatic check: an operator decides from the documents.
    ManualReview,
}

impl Verdict {
    /// Stored in `registrations.identity_check`.
    pub fn as_stored(&self) -> String {
        match self {
            Verdict::Verified => "verified".into(),
            Verdict::Failed(code) => format!("failed:{code}"),
            Verdict::ManualReview => "manual".into(),
        }
    }
}

pub type VerifyFuture<'a> = Pin<Box<dyn Future<Output = Result<Verdict, String>> + Send + 'a>>;

/// A way to check that the legal representative is who the application says.
pub trait IdentityVerifier: Send + Sync {
    /// A short name for logs and the console.
    fn name(&self) -> &'static str;
    fn verify<'a>(&'a self, subject: IdentitySubject<'a>) -> VerifyFuture<'a>;
}

/// The default: the operator checks the ID card images by eye.
pub struct ManualReview;

impl IdentityVerifier for ManualReview {
    fn name(&self) -> &'static str {
        "manual"
    }

    fn verify<'a>(&'a self, _subject: IdentitySubject<'a>) -> VerifyFuture<'a> {
        Box::pin(async { Ok(Verdict::ManualReview) })
    }
}
