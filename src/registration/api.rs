//! Server functions of the registration wizard. The applicant has no account:
//! each function finds the application through the session, and only an
//! application in `draft` or `rejected` can be changed.
//!
//! Every step saves what was typed before it validates, so a step that does
//! not pass loses nothing; `intent = back` saves without validating.
// One argument per form field keeps the forms plain HTML; the server macro
// also generates client code with the same arguments.
#![allow(clippy::too_many_arguments)]
use super::{Application, CodeSent};
use crate::error::AppError;
use leptos::prelude::*;

/// Starts an application in this browser (or goes on with the one it has).
#[server(prefix = "/api", endpoint = "registration_start")]
pub async fn start_registration() -> Result<(), AppError> {
    imp::start().await
}

/// The application this browser is filling, if any.
#[server(prefix = "/api", endpoint = "registration")]
pub async fn get_application() -> Result<Option<Application>, AppError> {
    imp::get().await
}

/// Step 1: the organisation.
#[server(prefix = "/api", endpoint = "registration_organisation")]
pub async fn save_organisation(
    #[server(default)] org_name: String,
    #[server(default)] industry: String,
    #[server(default)] size_band: String,
    #[server(default)] credit_code: String,
    /// Present when the applicant confirms a code whose check character fails.
    #[server(default)]
    confirm_checksum: Option<String>,
    #[server(default)] province: String,
    #[server(default)] city: String,
    #[server(default)] address: String,
    #[server(default)] intent: String,
) -> Result<(), AppError> {
    imp::save_organisation(imp::OrganisationInput {
        org_name,
        industry,
        size_band,
        credit_code,
        confirm_checksum: confirm_checksum.is_some(),
        province,
        city,
        address,
        intent,
    })
    .await
}

/// Sends a code to the administrator mobile (`channel = mobile`) or email,
/// and records the address on the application.
#[server(prefix = "/api", endpoint = "registration_send_code")]
pub async fn send_contact_code(
    channel: String,
    value: String,
    #[server(default)] challenge: String,
) -> Result<CodeSent, AppError> {
    imp::send_contact_code(channel, value, challenge).await
}

/// Proves the administrator mobile or email with the code sent to it.
#[server(prefix = "/api", endpoint = "registration_verify_code")]
pub async fn verify_contact_code(channel: String, code: String) -> Result<(), AppError> {
    imp::verify_contact_code(channel, code).await
}

/// Step 2: the administrator's name and password (the addresses are proven
/// by their own forms).
#[server(prefix = "/api", endpoint = "registration_administrator")]
pub async fn save_administrator(
    #[server(default)] admin_name: String,
    #[server(default)] password: String,
    #[server(default)] password_confirm: String,
    #[server(default)] intent: String,
) -> Result<(), AppError> {
    imp::save_administrator(admin_name, password, password_confirm, intent).await
}

/// Step 3: the legal representative.
#[server(prefix = "/api", endpoint = "registration_legal")]
pub async fn save_legal(
    #[server(default)] legal_name: String,
    #[server(default)] legal_id_number: String,
    #[server(default)] admin_is_legal: Option<String>,
    #[server(default)] intent: String,
) -> Result<(), AppError> {
    imp::save_legal(
        legal_name,
        legal_id_number,
        admin_is_legal.is_some(),
        intent,
    )
    .await
}

/// Step 4 is done: checks that the required documents are there.
#[server(prefix = "/api", endpoint = "registration_documents")]
pub async fn finish_documents(#[server(default)] intent: String) -> Result<(), AppError> {
    imp::finish_documents(intent).await
}

/// Removes an uploaded document.
#[server(prefix = "/api", endpoint = "registration_remove_document")]
pub async fn remove_document(kind: String) -> Result<(), AppError> {
    imp::remove_document(kind).await
}

/// Step 5: submits the application for review. Submitting again while it
/// waits for review changes nothing.
#[server(prefix = "/api", endpoint = "registration_submit")]
pub async fn submit_application(
    #[server(default)] accept_terms: Option<String>,
) -> Result<(), AppError> {
    imp::submit(accept_terms.is_some()).await
}

/// Resuming in another browser, first half: a code to the administrator
/// mobile or email. The answer is the same whether or not an application
/// uses that address.
#[server(prefix = "/api", endpoint = "registration_resume_code")]
pub async fn send_resume_code(
    identifier: String,
    #[server(default)] challenge: String,
) -> Result<CodeSent, AppError> {
    imp::send_resume_code(identifier, challenge).await
}

/// Resuming, second half: the code ties this browser to the application.
#[server(prefix = "/api", endpoint = "registration_resume")]
pub async fn resume_application(identifier: String, code: String) -> Result<(), AppError> {
    imp::resume(identifier, code).await
}

#[cfg(feature = "ssr")]
mod imp {
    use super::super::catalog::{self, INDUSTRIES, PROVINCES, SIZE_BANDS};
    use super::super::repo::{self, Channel, OrganisationFields, Row, Saved};
    use super::super::verifier::IdentitySubject;
    use super::super::{DocumentKind, Status, Step};
    use super::*;
    use crate::audit::repo::{Event, record};
    use crate::auth::guard::{RequestMeta, session};
    use crate::codes::{CodeError, CodeRequest, Destination, Purpose};
    use crate::domain::{CreditCode, Email, Mobile, Password, ResidentId};
    use crate::error::FieldErrors;
    use crate::server::state::{AppState, app_state};
    use serde_json::json;
    use uuid::Uuid;

    fn store_error(e: impl std::fmt::Display) -> AppError {
        AppError::internal(format!("session store: {e}"))
    }

    fn not_editable() -> AppError {
        AppError::field("application", "registration.not_editable")
    }

    fn no_application() -> AppError {
        AppError::field("application", "registration.no_application")
    }

    fn done(saved: Saved) -> Result<(), AppError> {
        match saved {
            Saved::Done => Ok(()),
            Saved::NotEditable => Err(not_editable()),
        }
    }

    /// The application this session names (it may no longer exist).
    async fn session_id() -> Result<Option<Uuid>, AppError> {
        let session = session().await?;
        repo::session_registration(&session)
            .await
            .map_err(store_error)
    }

    async fn require_editable(state: &AppState) -> Result<Row, AppError> {
        let id = session_id().await?.ok_or_else(no_application)?;
        let mut conn = state.db.acquire().await?;
        let row = repo::load(&mut conn, id, false)
            .await?
            .ok_or_else(no_application)?;
        if !row.status().editable() {
            return Err(not_editable());
        }
        Ok(row)
    }

    fn go(step: Option<Step>) {
        leptos_axum::redirect(step.map(Step::path).unwrap_or("/register/review"));
    }

    fn length(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
        let n = value.chars().count();
        if n == 0 {
            errors.push(field, "validation.required");
        } else if n > max {
            errors.push(field, "validation.too_long");
        }
    }

    /// Refuses the whole step, before anything is saved, when a value is
    /// longer than its field may ever be (the schema's limits): a draft keeps
    /// what was typed, but never more than a step could accept.
    fn refuse_oversized(fields: &[(&str, &str, usize)]) -> Result<(), AppError> {
        let mut errors = FieldErrors::new();
        for (field, value, max) in fields {
            if value.chars().count() > *max {
                errors.push(field, "validation.too_long");
            }
        }
        errors.finish()
    }

    fn choice(errors: &mut FieldErrors, field: &str, value: &str, list: &[catalog::Entry]) {
        if value.is_empty() {
            errors.push(field, "validation.required");
        } else if !catalog::contains(list, value) {
            errors.push(field, "validation.choice");
        }
    }

    /// A credit code as stored: trimmed, upper case, no inner spaces.
    fn normalise_code(s: &str) -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase()
    }

    pub async fn start() -> Result<(), AppError> {
        let state = app_state()?;
        // Go on with this browser's application, unless it is approved
        // (then this is another organisation's application).
        if let Some(id) = session_id().await?
            && let Some(status) = repo::status(&state.db, id).await?
            && status != Status::Approved
        {
            leptos_axum::redirect(if status.editable() {
                Step::Organisation.path()
            } else {
                "/register/status"
            });
            return Ok(());
        }
        let meta = RequestMeta::current();
        let Some(id) = repo::create_draft(
            &state.db,
            meta.locale,
            meta.ip,
            state.config.registration_drafts_per_ip_day,
        )
        .await?
        else {
            return Err(AppError::too_many_requests(Some(3600)));
        };
        let session = session().await?;
        repo::bind_session(&session, id)
            .await
            .map_err(store_error)?;
        leptos_axum::redirect(Step::Organisation.path());
        Ok(())
    }

    pub async fn get() -> Result<Option<Application>, AppError> {
        let state = app_state()?;
        let Some(id) = session_id().await? else {
            return Ok(None);
        };
        Ok(repo::application(&state.db, id).await?)
    }

    pub struct OrganisationInput {
        pub org_name: String,
        pub industry: String,
        pub size_band: String,
        pub credit_code: String,
        pub confirm_checksum: bool,
        pub province: String,
        pub city: String,
        pub address: String,
        pub intent: String,
    }

    /// Checks the organisation fields; the credit code's own problems are
    /// reported under `credit_code`.
    fn check_organisation(errors: &mut FieldErrors, f: &OrganisationFields<'_>) {
        length(errors, "org_name", f.org_name, 128);
        if f.org_name.chars().count() == 1 {
            errors.push("org_name", "registration.name_too_short");
        }
        choice(errors, "industry", f.industry, INDUSTRIES);
        choice(errors, "size_band", f.size_band, SIZE_BANDS);
        match CreditCode::parse_allowing_bad_checksum(f.credit_code) {
            Ok((_, true)) => {}
            // A few early pilot codes are legal and fail the checksum.
            Ok((_, false)) if f.credit_code_confirmed => {}
            Ok((_, false)) => errors.push("credit_code", "credit_code.checksum_confirm"),
            Err(e) => {
                errors.check::<(), _>("credit_code", Err(e));
            }
        }
        choice(errors, "province", f.province, PROVINCES);
        length(errors, "city", f.city, 64);
        length(errors, "address", f.address, 200);
    }

    pub async fn save_organisation(input: OrganisationInput) -> Result<(), AppError> {
        let state = app_state()?;
        let row = require_editable(&state).await?;
        let org_name = input.org_name.trim();
        let credit_code = normalise_code(&input.credit_code);
        let city = input.city.trim();
        let address = input.address.trim();
        // The confirmation belongs to the code it was given for.
        let confirmed =
            input.confirm_checksum || (row.credit_code_confirmed && row.credit_code == credit_code);
        let fields = OrganisationFields {
            org_name,
            industry: input.industry.trim(),
            size_band: input.size_band.trim(),
            credit_code: &credit_code,
            credit_code_confirmed: confirmed,
            province: input.province.trim(),
            city,
            address,
        };
        refuse_oversized(&[
            ("org_name", fields.org_name, 128),
            ("industry", fields.industry, 64),
            ("size_band", fields.size_band, 64),
            ("credit_code", fields.credit_code, 32),
            ("province", fields.province, 64),
            ("city", city, 64),
            ("address", address, 200),
        ])?;
        done(repo::save_organisation(&state.db, row.id, &fields).await?)?;
        if input.intent == "back" {
            return Ok(());
        }
        let mut errors = FieldErrors::new();
        check_organisation(&mut errors, &fields);
        if errors.is_empty() {
            let mut conn = state.db.acquire().await?;
            if repo::credit_code_taken(&mut conn, &credit_code, row.id).await? {
                errors.push("credit_code", "registration.credit_code_taken");
            }
        }
        errors.finish()?;
        go(Step::Organisation.next());
        Ok(())
    }

    fn parse_channel(channel: &str) -> Result<Channel, AppError> {
        Channel::parse(channel).ok_or_else(|| AppError::field("channel", "validation.choice"))
    }

    fn destination(channel: Channel, value: &str, field: &str) -> Result<Destination, AppError> {
        match channel {
            Channel::Mobile => Mobile::parse(value)
                .map(Destination::Mobile)
                .map_err(|e| AppError::field(field, crate::domain::ErrorCode::code(&e))),
            Channel::Email => Email::parse(value)
                .map(Destination::Email)
                .map_err(|e| AppError::field(field, crate::domain::ErrorCode::code(&e))),
        }
    }

    fn destination_text(d: &Destination) -> &str {
        match d {
            Destination::Mobile(m) => m.as_str(),
            Destination::Email(e) => e.as_str(),
        }
    }

    pub async fn send_contact_code(
        channel: String,
        value: String,
        challenge: String,
    ) -> Result<CodeSent, AppError> {
        let state = app_state()?;
        let channel = parse_channel(&channel)?;
        let row = require_editable(&state).await?;
        let field = match channel {
            Channel::Mobile => "admin_mobile",
            Channel::Email => "admin_email",
        };
        let dest = match destination(channel, &value, field) {
            Ok(d) => d,
            Err(e) => {
                refuse_oversized(&[(
                    field,
                    value.trim(),
                    if field == "admin_email" { 254 } else { 32 },
                )])?;
                // Keep what was typed, so the page shows it with the error.
                let mut conn = state.db.acquire().await?;
                repo::set_contact(&mut conn, row.id, channel, value.trim()).await?;
                return Err(e);
            }
        };
        let purpose = match channel {
            Channel::Mobile => Purpose::RegisterMobile,
            Channel::Email => Purpose::RegisterEmail,
        };
        let mut tx = state.db.begin().await?;
        done(repo::set_contact(&mut tx, row.id, channel, destination_text(&dest)).await?)?;
        let sent = issue_code(&state, &mut tx, purpose, dest, &challenge).await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// Queues a code to `dest` in the caller's transaction, in the visitor's language.
    async fn issue_code(
        state: &AppState,
        tx: &mut sqlx::PgConnection,
        purpose: Purpose,
        dest: Destination,
        challenge: &str,
    ) -> Result<CodeSent, AppError> {
        let meta = RequestMeta::current();
        let session = crate::auth::guard::session().await?;
        let request = CodeRequest {
            purpose,
            destination: dest,
            locale: meta.locale.to_owned(),
            client_ip: meta.ip,
            org_id: None,
        };
        state
            .codes
            .admit_request(&state.db, &session, meta.ip, challenge)
            .await?;
        state.codes.issue(tx, &request).await?;
        Ok(CodeSent {
            cooldown_secs: state.codes.settings().resend_cooldown.as_secs(),
        })
    }

    pub async fn verify_contact_code(channel: String, code: String) -> Result<(), AppError> {
        let state = app_state()?;
        let channel = parse_channel(&channel)?;
        let row = require_editable(&state).await?;
        let (value, purpose, field) = match channel {
            Channel::Mobile => (&row.admin_mobile, Purpose::RegisterMobile, "admin_mobile"),
            Channel::Email => (&row.admin_email, Purpose::RegisterEmail, "admin_email"),
        };
        if value.is_empty() {
            return Err(AppError::field("code", "code.not_sent"));
        }
        let dest = destination(channel, value, field)?;
        state.codes.verify(&state.db, purpose, &dest, &code).await?;
        done(repo::mark_verified(&state.db, row.id, channel, destination_text(&dest)).await?)
    }

    fn check_administrator(errors: &mut FieldErrors, row: &Row) {
        length(errors, "admin_name", row.admin_name.trim(), 64);
        if !row.mobile_verified() {
            errors.push(
                "admin_mobile",
                if row.admin_mobile.is_empty() {
                    "mobile.required"
                } else {
                    "registration.mobile_unverified"
                },
            );
        }
        if !row.email_verified() {
            errors.push(
                "admin_email",
                if row.admin_email.is_empty() {
                    "email.required"
                } else {
                    "registration.email_unverified"
                },
            );
        }
        if row.admin_password_hash.is_none() {
            errors.push("password", "password.required");
        }
    }

    pub async fn save_administrator(
        admin_name: String,
        password: String,
        password_confirm: String,
        intent: String,
    ) -> Result<(), AppError> {
        let state = app_state()?;
        let row = require_editable(&state).await?;
        let name = admin_name.trim();
        refuse_oversized(&[("admin_name", name, 64)])?;
        let mut errors = FieldErrors::new();
        // A new password is taken only when it is valid and confirmed; it is
        // never kept in clear, so an invalid one is simply not saved.
        let mut hash = None;
        if !password.is_empty()
            && let Some(p) = errors.check("password", Password::parse(&password))
        {
            if password != password_confirm {
                errors.push("password_confirm", "password.mismatch");
            } else {
                // Each hash a stranger asks for counts against their IP's
                // allowance, the one that bounds failed sign-ins.
                if let Some(ip) = RequestMeta::current().ip {
                    let mut conn = state.db.acquire().await?;
                    crate::auth::throttle::begin_attempt(
                        &mut conn,
                        &crate::auth::throttle::Key::Ip(ip),
                        &state.config.auth.ip,
                    )
                    .await
                    .map_err(|e| match e {
                        crate::auth::throttle::ThrottleError::Database(e) => AppError::internal(e),
                        crate::auth::throttle::ThrottleError::Throttled(t) => {
                            AppError::too_many_requests(Some(t.retry_after_secs))
                        }
                    })?;
                }
                hash = Some(
                    state
                        .hasher
                        .hash_for_stranger(p.expose().to_owned())
                        .await
                        .map_err(|e| match e {
                            crate::auth::password::HashError::Busy => {
                                AppError::too_many_requests(Some(1))
                            }
                            other => AppError::internal(other),
                        })?,
                );
            }
        }
        done(repo::save_administrator(&state.db, row.id, name, hash.as_deref()).await?)?;
        if intent == "back" {
            go(Step::Administrator.previous());
            return Ok(());
        }
        // The row as just saved.
        let mut row = row;
        row.admin_name = name.to_owned();
        if hash.is_some() {
            row.admin_password_hash = hash;
        }
        check_administrator(&mut errors, &row);
        errors.finish()?;
        go(Step::Administrator.next());
        Ok(())
    }

    fn check_legal(errors: &mut FieldErrors, name: &str, id_number: &str) {
        length(errors, "legal_name", name, 64);
        errors.check("legal_id_number", ResidentId::parse(id_number));
    }

    pub async fn save_legal(
        legal_name: String,
        legal_id_number: String,
        admin_is_legal: bool,
        intent: String,
    ) -> Result<(), AppError> {
        let state = app_state()?;
        let row = require_editable(&state).await?;
        let mut name = legal_name.trim().to_owned();
        if admin_is_legal && name.is_empty() {
            name = row.admin_name.trim().to_owned();
        }
        let id_number = legal_id_number.trim().to_uppercase();
        refuse_oversized(&[
            ("legal_name", &name, 64),
            ("legal_id_number", &id_number, 32),
        ])?;
        done(repo::save_legal(&state.db, row.id, &name, &id_number, admin_is_legal).await?)?;
        if intent == "back" {
            go(Step::Legal.previous());
            return Ok(());
        }
        let mut errors = FieldErrors::new();
        check_legal(&mut errors, &name, &id_number);
        errors.finish()?;
        go(Step::Legal.next());
        Ok(())
    }

    fn check_documents(errors: &mut FieldErrors, present: &[DocumentKind]) {
        for kind in DocumentKind::ALL {
            if kind.required() && !present.contains(&kind) {
                errors.push(kind.as_str(), "document.required");
            }
        }
    }

    pub async fn finish_documents(intent: String) -> Result<(), AppError> {
        let state = app_state()?;
        let row = require_editable(&state).await?;
        if intent == "back" {
            go(Step::Documents.previous());
            return Ok(());
        }
        let mut conn = state.db.acquire().await?;
        let present: Vec<DocumentKind> = repo::documents(&mut conn, row.id)
            .await?
            .into_iter()
            .map(|(d, _)| d.kind)
            .collect();
        let mut errors = FieldErrors::new();
        check_documents(&mut errors, &present);
        errors.finish()?;
        go(Step::Documents.next());
        Ok(())
    }

    pub async fn remove_document(kind: String) -> Result<(), AppError> {
        let state = app_state()?;
        let row = require_editable(&state).await?;
        let kind = DocumentKind::parse(&kind)
            .ok_or_else(|| AppError::field("kind", "validation.choice"))?;
        done(repo::remove_document(&state.db, row.id, kind).await?)?;
        let _ = state.documents.sweep_orphans(&state.db).await;
        Ok(())
    }

    /// Everything the review page checks, with the fields named as in the steps.
    fn check_all(row: &Row, documents: &[DocumentKind]) -> FieldErrors {
        let mut errors = FieldErrors::new();
        check_organisation(
            &mut errors,
            &OrganisationFields {
                org_name: row.org_name.trim(),
                industry: &row.industry,
                size_band: &row.size_band,
                credit_code: &row.credit_code,
                credit_code_confirmed: row.credit_code_confirmed,
                province: &row.province,
                city: &row.city,
                address: &row.address,
            },
        );
        check_administrator(&mut errors, row);
        check_legal(&mut errors, &row.legal_name, &row.legal_id_number);
        check_documents(&mut errors, documents);
        errors
    }

    /// What was submitted, frozen for the review and the next review's diff.
    fn snapshot(
        row: &Row,
        documents: &[(super::super::DocumentView, String)],
    ) -> serde_json::Value {
        let docs: serde_json::Map<String, serde_json::Value> = documents
            .iter()
            .map(|(d, sha)| (d.kind.as_str().to_owned(), json!(sha)))
            .collect();
        json!({
            "org_name": row.org_name,
            "industry": row.industry,
            "size_band": row.size_band,
            "credit_code": row.credit_code,
            "credit_code_confirmed": row.credit_code_confirmed,
            "province": row.province,
            "city": row.city,
            "address": row.address,
            "admin_name": row.admin_name,
            "admin_mobile": row.admin_mobile,
            "admin_email": row.admin_email,
            "legal_name": row.legal_name,
            "legal_id_number": row.legal_id_number,
            "admin_is_legal": row.admin_is_legal,
            "documents": docs,
        })
    }

    pub async fn submit(accept_terms: bool) -> Result<(), AppError> {
        let state = app_state()?;
        let id = session_id().await?.ok_or_else(no_application)?;
        let meta = RequestMeta::current();
        let mut tx = state.db.begin().await?;
        let row = repo::load(&mut tx, id, true)
            .await?
            .ok_or_else(no_application)?;
        if !row.status().editable() {
            // A second submit (double click, resent form) changes nothing.
            leptos_axum::redirect("/register/status");
            return Ok(());
        }
        let documents = repo::documents(&mut tx, id).await?;
        let kinds: Vec<DocumentKind> = documents.iter().map(|(d, _)| d.kind).collect();
        let mut errors = check_all(&row, &kinds);
        if !accept_terms {
            errors.push("accept_terms", "registration.terms_required");
        }
        if errors.is_empty() && repo::credit_code_taken(&mut tx, &row.credit_code, id).await? {
            errors.push("credit_code", "registration.credit_code_taken");
        }
        errors.finish()?;

        let resident_id = ResidentId::parse(&row.legal_id_number)
            .map_err(|_| AppError::field("legal_id_number", "resident_id.format"))?;
        let verdict = state
            .identity
            .verify(IdentitySubject {
                name: &row.legal_name,
                resident_id: &resident_id,
            })
            .await
            .map_err(AppError::internal)?;
        let submission_no = row.submission_no + 1;
        let snap = snapshot(&row, &documents);
        if let Err(e) = repo::submit(&mut tx, id, submission_no, &snap, &verdict.as_stored()).await
        {
            // Two applications for one code submitted at the same moment.
            if let sqlx::Error::Database(db) = &e
                && db.constraint() == Some("registrations_credit_code_active_key")
            {
                return Err(AppError::field(
                    "credit_code",
                    "registration.credit_code_taken",
                ));
            }
            return Err(e.into());
        }
        record(
            &mut tx,
            &meta.actor(None, "anonymous"),
            &Event::new("registration.submitted")
                .target("registration", id.to_string())
                .details(json!({
                    "submission_no": submission_no,
                    "organisation": row.org_name,
                    "identity_check": verdict.as_stored(),
                })),
        )
        .await?;
        tx.commit().await?;
        leptos_axum::redirect("/register/status");
        Ok(())
    }

    /// Mobile or email, by the look of it.
    fn resume_destination(identifier: &str) -> Result<(Channel, Destination), AppError> {
        let identifier = identifier.trim();
        if identifier.is_empty() {
            return Err(AppError::field("identifier", "validation.required"));
        }
        let channel = if identifier.contains('@') {
            Channel::Email
        } else {
            Channel::Mobile
        };
        Ok((channel, destination(channel, identifier, "identifier")?))
    }

    /// The same answer, after the same checks, whether or not an application
    /// is waiting for this address: limits of a known address are not
    /// reported (they would tell it apart); only the caller's own IP caps are.
    pub async fn send_resume_code(
        identifier: String,
        challenge: String,
    ) -> Result<CodeSent, AppError> {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let session = crate::auth::guard::session().await?;
        let (channel, dest) = resume_destination(&identifier)?;
        let sent = CodeSent {
            cooldown_secs: state.codes.settings().resend_cooldown.as_secs(),
        };
        state
            .codes
            .admit_request(&state.db, &session, meta.ip, &challenge)
            .await?;
        if repo::find_resumable(&state.db, channel, destination_text(&dest))
            .await?
            .is_none()
        {
            return Ok(sent);
        }
        let request = CodeRequest {
            purpose: Purpose::ResumeRegistration,
            destination: dest,
            locale: meta.locale.to_owned(),
            client_ip: meta.ip,
            org_id: None,
        };
        let mut tx = state.db.begin().await?;
        match state.codes.issue(&mut tx, &request).await {
            Ok(_) => tx.commit().await?,
            Err(CodeError::Database(e)) => return Err(e.into()),
            Err(_) => {}
        }
        Ok(sent)
    }

    /// Every refusal reads the same (`code.invalid`), with or without an application.
    pub async fn resume(identifier: String, code: String) -> Result<(), AppError> {
        let state = app_state()?;
        let (channel, dest) = resume_destination(&identifier)?;
        let application = repo::find_resumable(&state.db, channel, destination_text(&dest)).await?;
        state
            .codes
            .verify(&state.db, Purpose::ResumeRegistration, &dest, &code)
            .await
            .map_err(CodeError::public)?;
        let id = application.ok_or_else(|| CodeError::NotSent.public())?;
        let session = session().await?;
        repo::bind_session(&session, id)
            .await
            .map_err(store_error)?;
        let status = repo::status(&state.db, id).await?;
        leptos_axum::redirect(match status {
            Some(Status::Draft) => Step::Organisation.path(),
            _ => "/register/status",
        });
        Ok(())
    }
}
