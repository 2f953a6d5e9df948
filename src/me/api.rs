//! The member's home and directory. Open to every signed-in member of the
//! organisation, for their own organisation only; nothing here changes.
use super::{DirectoryView, MyHome, PersonCard};
use crate::error::AppError;
use leptos::prelude::*;

/// The caller's own profile.
#[server(prefix = "/api", endpoint = "me_home", input = server_fn::codec::GetUrl)]
pub async fn me_home() -> Result<MyHome, AppError> {
    imp::me_home().await
}

/// A department of the directory (the root when blank) with a page of its
/// people and everyone below it, matching `q` (name, pinyin, mobile, email,
/// position) when given.
#[server(prefix = "/api", endpoint = "directory", input = server_fn::codec::GetUrl)]
pub async fn directory(
    #[server(default)] department: String,
    #[server(default)] q: String,
    #[server(default)] page: i64,
) -> Result<DirectoryView, AppError> {
    imp::directory(department, q, page).await
}

/// A person's card.
#[server(prefix = "/api", endpoint = "directory_person", input = server_fn::codec::GetUrl)]
pub async fn directory_person(id: String) -> Result<PersonCard, AppError> {
    imp::person(id).await
}

/// Sends a code to a new `email` or `mobile` (`field`) of the caller's
/// own; returns the seconds before another may be asked for.
#[server(prefix = "/api", endpoint = "me_contact_code")]
pub async fn me_contact_code(field: String, value: String) -> Result<u64, AppError> {
    imp::contact_code(field, value).await
}

/// Changes the caller's own email or mobile to `value`, proven by the
/// `confirmation` code sent to it and signed with their password (and
/// authenticator `code`); the old address is told.
#[server(prefix = "/api", endpoint = "me_contact_change")]
pub async fn me_contact_change(
    field: String,
    value: String,
    confirmation: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    imp::contact_change(field, value, confirmation, password, code).await
}

#[cfg(feature = "ssr")]
mod imp {
    use super::*;
    use crate::auth::guard::require_member;
    use crate::contacts::StatusFilter;
    use crate::contacts::repo::members::{self, MemberQuery};

    /// The longest search looked at (as the console's).
    const MAX_SEARCH_CHARS: usize = 100;
    use crate::server::state::app_state;
    use uuid::Uuid;

    pub async fn me_home() -> Result<MyHome, AppError> {
        let (p, org) = require_member().await?;
        let state = app_state()?;
        let zone = crate::organisations::time_zone(&state.db, org).await?;
        let mut profile = members::detail(&state.db, org, p.id(), p.id(), zone, None)
            .await?
            .ok_or_else(AppError::not_found)?;
        // The change history is the administrators'.
        profile.history.clear();
        Ok(MyHome {
            organisation: p.account.org_name.clone().unwrap_or_default(),
            profile,
            administrator: p.account.is_administrator(),
        })
    }

    async fn hides_contacts(db: &sqlx::PgPool, org: Uuid) -> Result<bool, AppError> {
        Ok(sqlx::query_scalar!(
            "SELECT directory_hides_contacts FROM organisations WHERE id = $1",
            org
        )
        .fetch_one(db)
        .await?)
    }

    pub async fn directory(
        department: String,
        q: String,
        page: i64,
    ) -> Result<DirectoryView, AppError> {
        let (_, org) = require_member().await?;
        if q.chars().count() > MAX_SEARCH_CHARS {
            return Err(AppError::field("q", crate::error::Code::ValidationTooLong));
        }
        let state = app_state()?;
        let mut c = state.db.acquire().await?;
        let dept = match department.trim() {
            "" => crate::contacts::repo::root(&mut c, org).await?,
            raw => match Uuid::parse_str(raw) {
                Ok(id) => crate::contacts::repo::department(&mut c, org, id).await?,
                Err(_) => None,
            },
        }
        .ok_or_else(AppError::not_found)?;
        let ancestors = sqlx::query!(
            r#"SELECT id, name FROM departments WHERE org_id = $1 AND id = ANY($2) AND id <> $3
                ORDER BY array_position($2, id)"#,
            org,
            &dept.path,
            dept.id
        )
        .fetch_all(&mut *c)
        .await?
        .into_iter()
        .map(|r| (r.id.to_string(), r.name))
        .collect();
        drop(c);
        let children = crate::contacts::repo::children(&state.db, org, dept.id).await?;
        let hidden = hides_contacts(&state.db, org).await?;
        // Where addresses are hidden they are not searched either: a search
        // by digits would otherwise spell a number out.
        let search = if hidden {
            q.split_whitespace()
                .filter(|w| !w.chars().any(|c| c.is_ascii_digit() || c == '@'))
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            q
        };
        let query = MemberQuery {
            direct_only: false,
            search,
            status: StatusFilter::Reachable,
            page: page.max(1),
        };
        let mut people = members::members(&state.db, org, &dept, &query, None).await?;
        if hidden {
            for person in &mut people.items {
                person.mobile = None;
                person.email = None;
            }
        }
        Ok(DirectoryView {
            department: (dept.id.to_string(), dept.name.clone()),
            ancestors,
            children,
            people,
        })
    }

    pub async fn person(raw: String) -> Result<PersonCard, AppError> {
        let (p, org) = require_member().await?;
        let id = Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found())?;
        let state = app_state()?;
        let zone = crate::organisations::time_zone(&state.db, org).await?;
        let detail = members::detail(&state.db, org, id, p.id(), zone, None)
            .await?
            .filter(|d| {
                use crate::contacts::EmployeeStatus::{Active, NotActivated};
                matches!(d.status, Active | NotActivated)
            })
            .ok_or_else(AppError::not_found)?;
        let hidden = hides_contacts(&state.db, org).await? && id != p.id();
        Ok(PersonCard {
            id: detail.id,
            name: detail.name,
            position: detail.position,
            departments: detail.departments.into_iter().map(|d| d.path).collect(),
            managers: detail.managers.into_iter().map(|m| m.name).collect(),
            mobile: if hidden { None } else { detail.mobile },
            email: if hidden { None } else { detail.email },
            contacts_hidden: hidden,
        })
    }

    /// The new address as typed, checked: (column, destination).
    fn new_contact(
        field: &str,
        value: &str,
    ) -> Result<(&'static str, crate::codes::Destination), AppError> {
        use crate::codes::Destination;
        use crate::domain::{Email, Mobile};
        match field.trim() {
            "email" => Email::parse(value.trim())
                .map(|e| ("email", Destination::Email(e)))
                .map_err(|e| AppError::field("value", crate::domain::ErrorCode::code(&e))),
            "mobile" => Mobile::parse(value.trim())
                .map(|m| ("mobile", Destination::Mobile(m)))
                .map_err(|e| AppError::field("value", crate::domain::ErrorCode::code(&e))),
            _ => Err(AppError::field(
                "field",
                crate::error::Code::ValidationChoice,
            )),
        }
    }

    fn address(d: &crate::codes::Destination) -> String {
        match d {
            crate::codes::Destination::Email(e) => e.as_str().to_owned(),
            crate::codes::Destination::Mobile(m) => m.as_str().to_owned(),
        }
    }

    pub async fn contact_code(field: String, value: String) -> Result<u64, AppError> {
        let (p, org) = require_member().await?;
        let (_, destination) = new_contact(&field, &value)?;
        let state = app_state()?;
        let meta = crate::auth::guard::RequestMeta::current();
        let session = crate::auth::guard::session().await?;
        // A signed-in member's codes count against their session too.
        state
            .codes
            .admit_session(&session)
            .await
            .map_err(AppError::from)?;
        let mut tx = state.db.begin().await?;
        state
            .codes
            .issue(
                &mut tx,
                &crate::codes::CodeRequest {
                    purpose: crate::codes::Purpose::ChangeContact,
                    destination,
                    locale: meta.locale.to_owned(),
                    client_ip: meta.ip,
                    org_id: Some(org),
                },
            )
            .await
            .map_err(AppError::from)?;
        tx.commit().await?;
        drop(p);
        Ok(state.codes.settings().resend_cooldown.as_secs())
    }

    pub async fn contact_change(
        field: String,
        value: String,
        confirmation: String,
        password: String,
        code: String,
    ) -> Result<(), AppError> {
        use crate::audit::repo::{Event, record};
        use serde_json::json;
        let (p, org) = require_member().await?;
        let (column, destination) = new_contact(&field, &value)?;
        let state = app_state()?;
        let meta = crate::auth::guard::RequestMeta::current();
        let session = crate::auth::guard::session().await?;
        // The owner signs the change: a borrowed session does not move the account.
        crate::auth::api::reauthenticate(&state, &meta, &p, &password, &code).await?;
        let code_id = state
            .codes
            .check(
                &state.db,
                crate::codes::Purpose::ChangeContact,
                &destination,
                &confirmation,
            )
            .await
            .map_err(|e| {
                let err = AppError::from(e);
                match err.field_code("code") {
                    Some(c) => AppError::field("confirmation", c),
                    None => err,
                }
            })?;
        let new = address(&destination);
        let old = match column {
            "email" => p.account.email.clone(),
            _ => p.account.mobile.clone(),
        };
        let mut tx = state.db.begin().await?;
        state
            .codes
            .consume(&mut tx, code_id)
            .await
            .map_err(|_| AppError::field("confirmation", crate::error::Code::CodeUsed))?;
        let updated = if column == "email" {
            sqlx::query!(
                "UPDATE accounts SET email = $3, version = version + 1, updated_at = now()
                  WHERE org_id = $1 AND id = $2",
                org,
                p.id(),
                new
            )
            .execute(&mut *tx)
            .await
        } else {
            sqlx::query!(
                "UPDATE accounts SET mobile = $3, version = version + 1, updated_at = now()
                  WHERE org_id = $1 AND id = $2",
                org,
                p.id(),
                new
            )
            .execute(&mut *tx)
            .await
        };
        match updated {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(AppError::field(
                    "value",
                    if column == "email" {
                        crate::error::Code::EmployeeEmailTaken
                    } else {
                        crate::error::Code::EmployeeMobileTaken
                    },
                ));
            }
            Err(e) => return Err(e.into()),
        }
        record(
            &mut tx,
            &meta.actor(Some(p.id()), "member"),
            &Event::new(crate::audit::Action::EmployeeUpdated)
                .org(Some(org))
                .target_account(p.id())
                .details(json!({ "before": { column: old }, "after": { column: new } })),
        )
        .await?;
        // The old address is told: it may belong to the real owner.
        if let Some(old) = old {
            let message = crate::notify::NewMessage {
                org_id: Some(org),
                channel: if column == "email" {
                    crate::notify::Channel::Email
                } else {
                    crate::notify::Channel::Sms
                },
                recipient: old,
                locale: meta.locale.to_owned(),
                template: crate::notify::Template::ContactChanged {
                    organisation: p.account.org_name.clone().unwrap_or_default(),
                    field: column.to_owned(),
                },
                valid_for: None,
            };
            crate::notify::enqueue(
                &mut tx,
                state.codes.outbox_sealer(),
                &message,
                state.outbox_max_attempts,
            )
            .await?;
        }
        // Other sessions opened with the old address end; this one carries on.
        let epoch = crate::auth::repo::bump_epoch(&mut tx, p.id()).await?;
        crate::auth::devices::carry(&mut *tx, p.auth.sid, epoch).await?;
        tx.commit().await?;
        crate::auth::session::set_epoch(&session, p.auth.clone(), epoch)
            .await
            .map_err(AppError::from)?;
        Ok(())
    }
}
