//! The console's server functions: a person's invitation, sending one
//! (again), revoking it, and inviting many at once. Each needs the invite
//! permission over the people it reaches.
use super::{BulkOutcome, PersonInvitationView};
use crate::error::AppError;
use leptos::prelude::*;

/// A person's latest invitation and what the caller may do with it.
#[server(prefix = "/api", endpoint = "invitation_of", input = server_fn::codec::GetUrl)]
pub async fn invitation_of(id: String) -> Result<PersonInvitationView, AppError> {
    imp::person_invitation(id).await
}

/// Sends a new invitation to the person (ending any earlier link) by
/// `channels` (`email`, `sms`; every address the person has when empty),
/// in `language` (`zh-CN` or `en`; the caller's when empty).
#[server(prefix = "/api", endpoint = "invitation_send")]
pub async fn invite_person(
    id: String,
    #[server(default)] channels: Vec<String>,
    #[server(default)] language: String,
) -> Result<(), AppError> {
    imp::invite_person(id, channels, language).await
}

/// Ends the person's live link.
#[server(prefix = "/api", endpoint = "invitation_revoke")]
pub async fn revoke_invitation(id: String) -> Result<(), AppError> {
    imp::revoke(id).await
}

/// Invites the chosen people, or everyone not activated in a department and
/// below (`department`), at most [`super::MAX_BULK`] at once: the people
/// who cannot be invited are listed with the reason and the rest go out.
#[server(prefix = "/api", endpoint = "invitation_bulk")]
pub async fn invite_people(
    #[server(default)] ids: Vec<String>,
    #[server(default)] department: String,
    #[server(default)] language: String,
) -> Result<BulkOutcome, AppError> {
    imp::invite_people(ids, department, language).await
}

#[cfg(feature = "ssr")]
pub(crate) mod imp {
    use super::super::repo::{self, Invitee, Sender};
    use super::super::{InvitationInfo, MAX_BULK, NotInvited};
    use super::*;
    use crate::access::{Access, Permission, Target, require};
    use crate::audit::Action;
    use crate::audit::repo::{Event, record};
    use crate::auth::guard::RequestMeta;
    use crate::error::Code;
    use crate::notify::Channel;
    use crate::server::state::app_state;
    use serde_json::json;
    use sqlx::PgConnection;
    use uuid::Uuid;

    fn id(raw: &str) -> Result<Uuid, AppError> {
        Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found())
    }

    fn channels(raw: &[String]) -> Result<Vec<Channel>, AppError> {
        if raw.len() > 2 {
            return Err(AppError::field("channels", Code::ValidationChoice));
        }
        raw.iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| match c.trim() {
                "email" => Ok(Channel::Email),
                "sms" => Ok(Channel::Sms),
                _ => Err(AppError::field("channels", Code::ValidationChoice)),
            })
            .collect()
    }

    /// The language of the messages: the one chosen, else the caller's.
    fn language(raw: &str, meta: &RequestMeta) -> Result<&'static str, AppError> {
        match raw.trim() {
            "" => Ok(meta.locale),
            "zh-CN" => Ok("zh-CN"),
            "en" => Ok("en"),
            _ => Err(AppError::field("language", Code::ValidationChoice)),
        }
    }

    pub async fn person_invitation(raw: String) -> Result<PersonInvitationView, AppError> {
        let person = id(&raw)?;
        // Anyone who may see the person sees how their invitation stands.
        let access = require(Permission::ViewContacts, Target::Person(person)).await?;
        let state = app_state()?;
        let zone = crate::organisations::time_zone(&state.db, access.org).await?;
        let row = sqlx::query!(
            "SELECT status, email, mobile FROM accounts WHERE org_id = $1 AND id = $2 AND kind = 'member'",
            access.org,
            person
        )
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
        let latest: Option<InvitationInfo> =
            repo::latest(&state.db, access.org, person, zone).await?;
        let may_invite = match access.grants.scope_of(Permission::InviteMembers) {
            None => false,
            Some(scope) => {
                let mut c = state.db.acquire().await?;
                crate::access::check_target(&mut c, access.org, &scope, Target::Person(person))
                    .await
                    .is_ok()
            }
        };
        Ok(PersonInvitationView {
            invitable: row.status == "not_activated",
            may_invite,
            has_email: row.email.is_some(),
            has_mobile: row.mobile.is_some(),
            latest,
        })
    }

    /// Why `person` cannot be invited by `wanted`, if they cannot.
    pub(crate) fn refusal(person: &Invitee, wanted: &[Channel]) -> Option<Code> {
        match person.status.as_str() {
            "not_activated" => {}
            "active" => return Some(Code::InvitationAlreadyJoined),
            _ => return Some(Code::InvitationNotActive),
        }
        if repo::channels_of(person, wanted).is_empty() {
            return Some(if person.email.is_none() && person.mobile.is_none() {
                Code::InvitationNoAddress
            } else {
                Code::InvitationNoChannel
            });
        }
        None
    }

    /// Who sends, for the messages: the caller's name.
    async fn sender_of<'a>(
        state: &'a crate::server::state::AppState,
        access: &Access,
        locale: &'a str,
    ) -> Sender<'a> {
        Sender {
            sealer: state.codes.outbox_sealer(),
            max_attempts: state.outbox_max_attempts.max(invitation_attempts()),
            inviter: Some(access.principal.id()),
            inviter_name: access.principal.account.name.clone(),
            locale,
        }
    }

    /// An invitation is worth more tries than a code: a gateway down for
    /// hours still delivers it when it returns (the backoff is capped, so
    /// 20 tries span most of a day).
    pub(crate) fn invitation_attempts() -> i32 {
        20
    }

    /// Issues one invitation inside `c` and writes its audit row.
    pub(crate) async fn issue_one(
        c: &mut PgConnection,
        sender: &Sender<'_>,
        meta: &RequestMeta,
        org: Uuid,
        person: &Invitee,
        wanted: &[Channel],
        bulk: bool,
    ) -> Result<(), AppError> {
        let chosen = repo::channels_of(person, wanted);
        let invitation = repo::issue(c, sender, org, person, &chosen).await?;
        let names: Vec<&str> = chosen.iter().map(|c| c.as_str()).collect();
        record(
            c,
            &meta.actor(sender.inviter, "member"),
            &Event::new(Action::InvitationSent)
                .org(Some(org))
                .target_account(person.id)
                .details(json!({
                    "channels": names.join(", "),
                    "language": sender.locale,
                    "invitation": invitation.to_string(),
                    "bulk": bulk,
                })),
        )
        .await?;
        Ok(())
    }

    pub async fn invite_person(
        raw: String,
        channels_raw: Vec<String>,
        language_raw: String,
    ) -> Result<(), AppError> {
        let person = id(&raw)?;
        let access = require(Permission::InviteMembers, Target::Person(person)).await?;
        let wanted = channels(&channels_raw)?;
        let meta = RequestMeta::current();
        let locale = language(&language_raw, &meta)?;
        let state = app_state()?;
        let sender = sender_of(&state, &access, locale).await;
        let mut tx = state.db.begin().await?;
        let invitee = repo::invitee(&mut tx, access.org, person)
            .await?
            .ok_or_else(AppError::not_found)?;
        // Past the cap (it was lowered), nobody more is invited to join.
        crate::organisations::check_member_cap(&mut tx, access.org, 0).await?;
        if let Some(code) = refusal(&invitee, &wanted) {
            return Err(AppError::field("channels", code));
        }
        issue_one(
            &mut tx, &sender, &meta, access.org, &invitee, &wanted, false,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn revoke(raw: String) -> Result<(), AppError> {
        let person = id(&raw)?;
        let access = require(Permission::InviteMembers, Target::Person(person)).await?;
        let meta = RequestMeta::current();
        let state = app_state()?;
        let mut tx = state.db.begin().await?;
        repo::invitee(&mut tx, access.org, person)
            .await?
            .ok_or_else(AppError::not_found)?;
        if !repo::end_open(&mut tx, person, "revoked").await? {
            return Err(AppError::field("invitation", Code::InvitationNoneOpen));
        }
        record(
            &mut tx,
            &meta.actor(Some(access.principal.id()), "member"),
            &Event::new(Action::InvitationRevoked)
                .org(Some(access.org))
                .target_account(person),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn invite_people(
        ids_raw: Vec<String>,
        department_raw: String,
        language_raw: String,
    ) -> Result<BulkOutcome, AppError> {
        // Bounded before anything is parsed or looked up.
        if ids_raw.len() > MAX_BULK {
            return Err(AppError::field("ids", Code::InvitationTooMany));
        }
        let access = require(Permission::InviteMembers, Target::InScope).await?;
        let meta = RequestMeta::current();
        let locale = language(&language_raw, &meta)?;
        let state = app_state()?;
        let mut wanted: Vec<Uuid> = Vec::with_capacity(ids_raw.len());
        for raw in &ids_raw {
            let one = id(raw)?;
            if !wanted.contains(&one) {
                wanted.push(one);
            }
        }
        let department = match department_raw.trim() {
            "" => None,
            raw => {
                let d = id(raw)?;
                access.check(Target::Department(d)).await?;
                Some(d)
            }
        };
        if department.is_none() && wanted.is_empty() {
            return Err(AppError::field("ids", Code::ValidationRequired));
        }
        let mut tx = state.db.begin().await?;
        crate::organisations::check_member_cap(&mut tx, access.org, 0).await?;
        if let Some(d) = department {
            // Everyone not activated in the subtree; a person of several
            // departments is counted once.
            let found = sqlx::query_scalar!(
                r#"SELECT DISTINCT dm.account_id AS "id!" FROM departments d
                     JOIN department_members dm ON dm.department_id = d.id
                     JOIN accounts a ON a.id = dm.account_id
                    WHERE d.org_id = $1 AND d.path @> ARRAY[$2::uuid] AND a.status = 'not_activated'
                    LIMIT $3"#,
                access.org,
                d,
                (MAX_BULK + 1) as i64
            )
            .fetch_all(&mut *tx)
            .await?;
            for one in found {
                if !wanted.contains(&one) {
                    wanted.push(one);
                }
            }
            if wanted.len() > MAX_BULK {
                return Err(AppError::field("department", Code::InvitationTooMany));
            }
        }
        // People outside the caller's scope read as not found, like elsewhere.
        let in_scope = match access.roots() {
            None => wanted.clone(),
            Some(roots) => crate::access::repo::in_scope(&mut *tx, access.org, &wanted, roots)
                .await?
                .into_iter()
                .collect(),
        };
        let sender = sender_of(&state, &access, locale).await;
        let mut outcome = BulkOutcome {
            invited: 0,
            not_invited: Vec::new(),
        };
        for person in wanted {
            let invitee = if in_scope.contains(&person) {
                repo::invitee(&mut tx, access.org, person).await?
            } else {
                None
            };
            let Some(invitee) = invitee else {
                outcome.not_invited.push(NotInvited {
                    id: person.to_string(),
                    name: String::new(),
                    reason: Code::NotFound.as_str().to_owned(),
                });
                continue;
            };
            // A live link already on its way is not sent again (a second
            // click of "invite the department" would text everyone twice).
            let open = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM invitations WHERE account_id = $1
                     AND ended_at IS NULL AND accepted_at IS NULL AND expires_at > now()) AS "open!""#,
                person
            )
            .fetch_one(&mut *tx)
            .await?;
            let refused = refusal(&invitee, &[]).or(open.then_some(Code::InvitationAlreadyOpen));
            if let Some(code) = refused {
                outcome.not_invited.push(NotInvited {
                    id: person.to_string(),
                    name: invitee.name.clone(),
                    reason: code.as_str().to_owned(),
                });
                continue;
            }
            issue_one(&mut tx, &sender, &meta, access.org, &invitee, &[], true).await?;
            outcome.invited += 1;
        }
        tx.commit().await?;
        Ok(outcome)
    }
}
