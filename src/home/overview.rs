//! The console's first page: how many people the organisation has and how
//! far they are in joining, what failed to reach them, and a getting-started
//! checklist that ticks itself (WeCom's "quick start").
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The numbers and the checklist of `/admin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// Everyone who has not left.
    pub headcount: i64,
    /// The most members the organisation may have (`None`: no cap).
    pub member_cap: Option<i64>,
    pub active: i64,
    /// Invited (or added) and not joined yet.
    pub not_activated: i64,
    pub disabled: i64,
    /// People whose latest invitation message failed to deliver.
    pub failed_invitations: i64,
    /// Requests to join through the join link waiting for a decision.
    pub pending_join_requests: i64,
    /// The getting-started steps in order: (step, done, where to do it).
    pub steps: Vec<(String, bool, String)>,
}

/// The organisation's numbers, for those who may see the whole organisation's contacts.
#[server(prefix = "/api", endpoint = "console_overview", input = server_fn::codec::GetUrl)]
pub async fn console_overview() -> Result<Overview, AppError> {
    imp::overview().await
}

#[cfg(feature = "ssr")]
mod imp {
    use super::*;
    use crate::access::{Permission, Target, require};
    use crate::server::state::app_state;

    pub async fn overview() -> Result<Overview, AppError> {
        let access = require(Permission::ViewContacts, Target::Organisation).await?;
        let state = app_state()?;
        let r = sqlx::query!(
            r#"SELECT
                 count(*) FILTER (WHERE status <> 'departed') AS "headcount!",
                 count(*) FILTER (WHERE status = 'active') AS "active!",
                 count(*) FILTER (WHERE status = 'not_activated') AS "not_activated!",
                 count(*) FILTER (WHERE status = 'disabled') AS "disabled!",
                 (SELECT count(*) FROM departments d WHERE d.org_id = $1) AS "departments!",
                 (SELECT count(*) FROM invitations i WHERE i.org_id = $1) AS "invitations!",
                 (SELECT count(DISTINCT i.account_id) FROM invitations i
                    JOIN invitation_messages m ON m.invitation_id = i.id
                    JOIN outbox o ON o.id = m.outbox_id
                   WHERE i.org_id = $1 AND i.ended_at IS NULL AND i.accepted_at IS NULL
                     AND o.status = 'failed') AS "failed!",
                 (SELECT EXISTS (SELECT 1 FROM admin_group_members g WHERE g.org_id = $1)) AS "delegated!",
                 (SELECT count(*) FROM join_requests j WHERE j.org_id = $1 AND j.status = 'pending') AS "join_requests!",
                 (SELECT enforce_two_factor FROM organisations WHERE id = $1) AS "two_factor!",
                 (SELECT EXISTS (SELECT 1 FROM approval_template_versions v
                                 WHERE v.org_id = $1 AND v.published_by IS NOT NULL)) AS "approvals!"
               FROM accounts WHERE org_id = $1 AND kind = 'member'"#,
            access.org
        )
        .fetch_one(&state.db)
        .await?;
        let (member_cap, _) =
            crate::organisations::member_room(&mut *state.db.acquire().await?, access.org).await?;
        let step = |name: &str, done: bool, href: &str| (name.to_owned(), done, href.to_owned());
        Ok(Overview {
            headcount: r.headcount,
            member_cap,
            active: r.active,
            not_activated: r.not_activated,
            disabled: r.disabled,
            failed_invitations: r.failed,
            pending_join_requests: r.join_requests,
            steps: vec![
                step("departments", r.departments > 1, "/admin/contacts"),
                step("people", r.headcount > 1, "/admin/contacts/employees/new"),
                step("invitations", r.invitations > 0, "/admin/contacts"),
                step("two_factor", r.two_factor, "/admin/security"),
                step("delegated", r.delegated, "/admin/access"),
                step("approvals", r.approvals, "/admin/approvals"),
            ],
        })
    }
}
