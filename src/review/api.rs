//! Server functions of the review console; operators only.
use super::{QueuePage, ReviewDetail};
use crate::error::AppError;
use leptos::prelude::*;

/// A page of the queue: `filter` is `pending`, `rejected` or `approved`.
#[server(prefix = "/api", endpoint = "review_queue")]
pub async fn review_queue(
    #[server(default)] filter: String,
    #[server(default)] page: i64,
) -> Result<QueuePage, AppError> {
    crate::access::require_operator(crate::access::Permission::ViewApplicationData).await?;
    let state = crate::server::state::app_state()?;
    let filter = super::QueueFilter::parse(&filter);
    Ok(super::repo::queue(&state.db, filter, page.max(1), state.time_zone).await?)
}

/// One submitted application with its documents, changes and decisions.
#[server(prefix = "/api", endpoint = "review_detail")]
pub async fn get_review_detail(id: String) -> Result<ReviewDetail, AppError> {
    let operator =
        crate::access::require_operator(crate::access::Permission::ViewApplicationData).await?;
    let state = crate::server::state::app_state()?;
    let id = imp::parse_id(&id)?;
    let actor = crate::auth::guard::RequestMeta::current().actor(Some(operator.id()), "operator");
    if !super::repo::record_operator_read(&state.db, &actor, id, None).await? {
        return Err(AppError::not_found());
    }
    super::repo::detail(&state.db, id, state.time_zone)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Marks the submission as being reviewed by the caller, so other operators see it is taken.
#[server(prefix = "/api", endpoint = "review_start")]
pub async fn start_review(id: String, submission_no: i32) -> Result<(), AppError> {
    imp::start(id, submission_no).await
}

/// Approves the submission: creates the organisation, its root department
/// and its super administrator, and tells the applicant.
#[server(prefix = "/api", endpoint = "review_approve")]
pub async fn approve_application(id: String, submission_no: i32) -> Result<(), AppError> {
    imp::approve(id, submission_no).await
}

/// Rejects the submission with reasons (`subject:reason` pairs) and a note;
/// the applicant can correct it and submit again.
#[server(prefix = "/api", endpoint = "review_reject")]
pub async fn reject_application(
    id: String,
    submission_no: i32,
    #[server(default)] reasons: Vec<String>,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    imp::reject(id, submission_no, reasons, note).await
}

#[cfg(feature = "ssr")]
mod imp {
    use super::super::repo::{self};
    use super::*;
    use crate::access::{Permission, require_operator};
    use crate::audit::repo::{Event, record};
    use crate::auth::guard::RequestMeta;
    use crate::error::Code;
    use crate::notify::{Channel, NewMessage, Template, enqueue};
    use crate::registration::Reason;
    use crate::registration::catalog::{self, REASONS, SUBJECTS};
    use crate::registration::repo::Row;
    use crate::server::state::app_state;
    use serde_json::json;
    use sqlx::PgConnection;
    use uuid::Uuid;

    pub fn parse_id(id: &str) -> Result<Uuid, AppError> {
        Uuid::parse_str(id.trim()).map_err(|_| AppError::not_found())
    }

    pub async fn start(id: String, submission_no: i32) -> Result<(), AppError> {
        let operator = require_operator(Permission::ViewApplicationData).await?;
        let state = app_state()?;
        let id = parse_id(&id)?;
        if !repo::start_review(&state.db, id, submission_no, operator.id()).await? {
            return Err(AppError::field("decision", Code::ReviewAlreadyDecided));
        }
        Ok(())
    }

    /// Email and SMS to the applicant's proven addresses, in their language.
    async fn notify_applicant(
        conn: &mut PgConnection,
        sealer: &crate::server::keys::Sealer,
        row: &Row,
        org_id: Option<Uuid>,
        template: Template,
        max_attempts: i32,
    ) -> Result<(), sqlx::Error> {
        let targets = [
            (Channel::Email, row.admin_email_verified.clone()),
            (Channel::Sms, row.admin_mobile_verified.clone()),
        ];
        for (channel, recipient) in targets {
            if let Some(recipient) = recipient {
                let message = NewMessage {
                    org_id,
                    channel,
                    recipient,
                    locale: row.locale.clone(),
                    template: template.clone(),
                    valid_for: None,
                };
                enqueue(&mut *conn, sealer, &message, max_attempts).await?;
            }
        }
        Ok(())
    }

    pub async fn approve(id: String, submission_no: i32) -> Result<(), AppError> {
        let operator = require_operator(Permission::ViewApplicationData).await?;
        let state = app_state()?;
        let id = parse_id(&id)?;
        let meta = RequestMeta::current();
        let mut tx = state.db.begin().await?;
        let row = repo::lock_pending(&mut tx, id, submission_no)
            .await
            .map_err(AppError::from)?;
        let (org_id, admin_id) = repo::approve(&mut tx, &row, operator.id())
            .await
            .map_err(AppError::from)?;
        let actor = meta.actor(Some(operator.id()), "operator");
        record(
            &mut tx,
            &actor,
            &Event::new(crate::audit::Action::RegistrationApproved)
                .target("registration", id.to_string())
                .details(json!({
                    "submission_no": submission_no,
                    "organisation": row.org_name,
                    "organisation_id": org_id,
                })),
        )
        .await?;
        record(
            &mut tx,
            &actor,
            &Event::new(crate::audit::Action::OrganisationCreated)
                .org(Some(org_id))
                .target_account(admin_id)
                .details(json!({ "registration_id": id, "organisation": row.org_name })),
        )
        .await?;
        notify_applicant(
            &mut tx,
            state.codes.outbox_sealer(),
            &row,
            Some(org_id),
            Template::RegistrationApproved {
                organisation: row.org_name.clone(),
            },
            state.outbox_max_attempts,
        )
        .await?;
        tx.commit().await?;
        leptos_axum::redirect(&format!("/operator/reviews/{id}"));
        Ok(())
    }

    /// `subject:reason` pairs from the form, checked against the catalogue.
    fn parse_reasons(raw: &[String]) -> Result<Vec<Reason>, AppError> {
        // More than every reason of every field and document is never needed.
        if raw.len() > SUBJECTS.len() * REASONS.len() {
            return Err(AppError::field("reasons", Code::ValidationTooLong));
        }
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<Reason> = Vec::new();
        for item in raw {
            let (subject, reason) = item
                .split_once(':')
                .ok_or_else(|| AppError::field("reasons", Code::ValidationChoice))?;
            if !catalog::contains(SUBJECTS, subject)
                || !catalog::contains(REASONS, reason)
                || !catalog::reasons_for(subject).contains(&reason)
            {
                return Err(AppError::field("reasons", Code::ValidationChoice));
            }
            let r = Reason {
                subject: subject.to_owned(),
                reason: reason.to_owned(),
            };
            if seen.insert((r.subject.clone(), r.reason.clone())) {
                out.push(r);
            }
        }
        Ok(out)
    }

    pub async fn reject(
        id: String,
        submission_no: i32,
        reasons: Vec<String>,
        note: String,
    ) -> Result<(), AppError> {
        let operator = require_operator(Permission::ViewApplicationData).await?;
        let state = app_state()?;
        let id = parse_id(&id)?;
        let reasons = parse_reasons(&reasons)?;
        let note = note.trim().to_owned();
        if reasons.is_empty() && note.is_empty() {
            return Err(AppError::field("reasons", Code::ReviewReasonRequired));
        }
        if note.chars().count() > 1000 {
            return Err(AppError::field("note", Code::ValidationTooLong));
        }
        let meta = RequestMeta::current();
        let mut tx = state.db.begin().await?;
        let row = repo::lock_pending(&mut tx, id, submission_no)
            .await
            .map_err(AppError::from)?;
        repo::reject(&mut tx, &row, operator.id(), &reasons, &note)
            .await
            .map_err(AppError::from)?;
        record(
            &mut tx,
            &meta.actor(Some(operator.id()), "operator"),
            &Event::new(crate::audit::Action::RegistrationRejected)
                .target("registration", id.to_string())
                .details(json!({
                    "submission_no": submission_no,
                    "organisation": row.org_name,
                    "reasons": reasons,
                })),
        )
        .await?;
        notify_applicant(
            &mut tx,
            state.codes.outbox_sealer(),
            &row,
            None,
            Template::RegistrationRejected {
                organisation: row.org_name.clone(),
                reasons: reasons
                    .iter()
                    .map(|r| (r.subject.clone(), r.reason.clone()))
                    .collect(),
                note: note.clone(),
            },
            state.outbox_max_attempts,
        )
        .await?;
        tx.commit().await?;
        leptos_axum::redirect(&format!("/operator/reviews/{id}"));
        Ok(())
    }
}
