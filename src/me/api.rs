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
}
