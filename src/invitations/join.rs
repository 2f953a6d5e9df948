//! The invited person's side: opening the link, proving the address it
//! went to, choosing a password, and asking for a new link when it is dead.
//! Open to anyone who holds a link; the link itself is the credential, and
//! it is kept in the session, never in the page's address.
use super::JoinView;
use crate::auth::NextStep;
use crate::error::AppError;
use leptos::prelude::*;

/// What the join page shows for the link held in this session.
#[server(prefix = "/api", endpoint = "join_state", input = server_fn::codec::GetUrl)]
pub async fn join_state() -> Result<JoinView, AppError> {
    imp::view().await
}

/// Sends a code to the invitation's `channel` (`email` or `sms`); returns
/// the seconds before another may be asked for.
#[server(prefix = "/api", endpoint = "join_send_code")]
pub async fn join_send_code(
    channel: String,
    #[server(default)] challenge: String,
) -> Result<u64, AppError> {
    imp::send_code(channel, challenge).await
}

/// Activates the account: the code sent to `channel` and a new password.
#[server(prefix = "/api", endpoint = "join_activate")]
pub async fn join_activate(
    channel: String,
    code: String,
    new_password: String,
) -> Result<NextStep, AppError> {
    imp::activate(channel, code, new_password).await
}

/// Asks the organisation for a new link (the link held is dead). The
/// answer is the same whatever the link was.
#[server(prefix = "/api", endpoint = "join_ask_new_link")]
pub async fn join_ask_new_link(#[server(default)] challenge: String) -> Result<(), AppError> {
    imp::ask_new_link(challenge).await
}

#[cfg(feature = "ssr")]
pub use imp::open_link;

#[cfg(feature = "ssr")]
mod imp {
    use super::super::repo::{self, Link};
    use super::super::{JoinDetails, JoinView};
    use super::*;
    use crate::audit::Action;
    use crate::audit::repo::{Event, record};
    use crate::auth::guard::{self, RequestMeta};
    use crate::auth::throttle::Key;
    use crate::codes::{CodeError, CodeRequest, Destination, Purpose};
    use crate::domain::{Email, ErrorCode, Mobile, Password};
    use crate::error::{Code, FieldErrors};
    use crate::server::state::{AppState, app_state};
    use axum::extract::{Path, State};
    use axum::response::Response;
    use serde_json::json;
    use tower_sessions::Session;

    /// The session key of the link being used: its token's hash.
    const LINK_KEY: &str = "join_link";

    /// `GET /join/{token}`: keeps the link in the session and sends the
    /// browser on to `/join`, so the token leaves the address bar (and the
    /// history) at once. Nothing else changes: the link is only read.
    pub async fn open_link(
        State(state): State<AppState>,
        session: Session,
        Path(token): Path<String>,
    ) -> Response {
        // Only a link that exists is kept (one primary-key read): anything
        // else costs a stranger no session row and reads as no link.
        let mut known = None;
        if repo::well_formed(&token) {
            let hash = repo::hash(&token);
            if let Ok(mut c) = state.db.acquire().await
                && let Ok(Some(_)) = repo::by_hash(&mut c, &hash).await
            {
                known = Some(hash);
            }
        }
        repo::hold_link(&session, LINK_KEY, known, "/join").await
    }

    /// The hash of the link held in this session (empty when none is).
    async fn held_hash(session: &Session) -> Vec<u8> {
        session
            .get::<Vec<u8>>(LINK_KEY)
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// The link held in this session, read afresh (a revoke after the page
    /// loaded is seen): `Ok(None)` when the session holds none.
    async fn held(
        state: &AppState,
        session: &Session,
    ) -> Result<Option<Result<Link, &'static str>>, AppError> {
        let hash: Option<Vec<u8>> = session.get(LINK_KEY).await.ok().flatten();
        let Some(hash) = hash else { return Ok(None) };
        let mut c = state.db.acquire().await?;
        Ok(Some(match repo::by_hash(&mut c, &hash).await? {
            None => Err("unknown"),
            Some(link) => match link.dead() {
                Some(reason) => Err(reason),
                None => Ok(link),
            },
        }))
    }

    /// The live link, or the error that says why there is none.
    async fn live(state: &AppState, session: &Session) -> Result<Link, AppError> {
        match held(state, session).await? {
            Some(Ok(link)) => Ok(link),
            Some(Err(reason)) => Err(AppError::field("link", dead_code(reason))),
            None => Err(AppError::field("link", Code::InvitationNoLink)),
        }
    }

    fn dead_code(reason: &str) -> Code {
        match reason {
            "used" => Code::InvitationUsed,
            "expired" => Code::InvitationExpired,
            _ => Code::InvitationDead,
        }
    }

    /// The address of `channel` the invitation went to.
    fn destination(link: &Link, channel: &str) -> Result<Destination, AppError> {
        let bad = || AppError::field("channel", Code::ValidationChoice);
        match channel.trim() {
            "email" => {
                let raw = link.email.as_deref().ok_or_else(bad)?;
                Email::parse(raw).map(Destination::Email).map_err(|_| bad())
            }
            "sms" => {
                let raw = link.mobile.as_deref().ok_or_else(bad)?;
                Mobile::parse(raw)
                    .map(Destination::Mobile)
                    .map_err(|_| bad())
            }
            _ => Err(bad()),
        }
    }

    pub async fn view() -> Result<JoinView, AppError> {
        let state = app_state()?;
        let session = guard::session().await?;
        let link = match held(&state, &session).await? {
            None => return Ok(JoinView::NoLink),
            Some(Err(reason)) => {
                return Ok(JoinView::Dead {
                    reason: reason.to_owned(),
                });
            }
            Some(Ok(link)) => link,
        };
        let account = crate::auth::repo::find_by_id(&state.db, link.account_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let zone = crate::server::time::parse_zone(&link.time_zone)
            .unwrap_or(crate::server::time::DEFAULT_ZONE);
        let mut channels = Vec::new();
        if let Some(email) = &link.email {
            channels.push((
                "email".to_owned(),
                crate::deliveries::repo::mask_recipient(email),
            ));
        }
        if let Some(mobile) = &link.mobile {
            channels.push((
                "sms".to_owned(),
                crate::deliveries::repo::mask_recipient(mobile),
            ));
        }
        Ok(JoinView::Open(JoinDetails {
            organisation: link.organisation,
            inviter: link.inviter,
            name: link.name,
            channels,
            password_min_chars: account.password_min_chars(),
            two_factor_required: account.two_factor_required(),
            expires_at: crate::server::time::local(link.expires_at, zone),
        }))
    }

    pub async fn send_code(channel: String, challenge: String) -> Result<u64, AppError> {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let session = guard::session().await?;
        // Counted before the link is looked at.
        state
            .codes
            .admit_request(&state.db, &session, meta.ip, &challenge)
            .await
            .map_err(AppError::from)?;
        let link = live(&state, &session).await?;
        let destination = destination(&link, &channel)?;
        let mut tx = state.db.begin().await?;
        state
            .codes
            .issue(
                &mut tx,
                &CodeRequest {
                    purpose: Purpose::ActivateAccount,
                    destination,
                    locale: meta.locale.to_owned(),
                    client_ip: meta.ip,
                    org_id: Some(link.org_id),
                },
            )
            .await
            .map_err(AppError::from)?;
        tx.commit().await?;
        Ok(state.codes.settings().resend_cooldown.as_secs())
    }

    pub async fn activate(
        channel: String,
        code: String,
        new_password: String,
    ) -> Result<NextStep, AppError> {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let session = guard::session().await?;
        let mut errors = FieldErrors::new();
        if code.trim().is_empty() {
            errors.push("code", Code::ValidationRequired);
        }
        let new = errors.check("new_password", Password::parse(&new_password));
        errors.finish()?;
        let new = new.expect("checked above");
        // Guesses of codes count against the client like guesses of passwords.
        let ip_key = meta.ip.map(Key::Ip);
        if let Some(key) = &ip_key {
            let mut conn = state.db.acquire().await?;
            crate::auth::api::begin_attempt(&mut conn, key, &state.auth.ip).await?;
        }
        let link = live(&state, &session).await?;
        let destination = destination(&link, &channel)?;
        let account = crate::auth::repo::find_by_id(&state.db, link.account_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        account
            .check_new_password(&new)
            .map_err(|e| AppError::field("new_password", e.code()))?;
        let code_id = state
            .codes
            .check(&state.db, Purpose::ActivateAccount, &destination, &code)
            .await
            .map_err(AppError::from)?;
        // Outside any transaction: a busy hasher answers 429 and the code
        // still works on the next try.
        let hash = state
            .hasher
            .hash_for_stranger(new.expose().to_owned())
            .await
            .map_err(AppError::from)?;
        let mut tx = state.db.begin().await?;
        state
            .codes
            .consume(&mut tx, code_id)
            .await
            .map_err(|e| match e {
                CodeError::Database(e) => AppError::internal(e),
                _ => AppError::field("code", Code::CodeUsed),
            })?;
        // Exactly one activation wins; the others find the link used.
        if !repo::accept(&mut tx, link.id).await? {
            let now = repo::by_hash(&mut tx, &held_hash(&session).await).await?;
            let reason = now.as_ref().and_then(Link::dead).unwrap_or("used");
            return Err(AppError::field("link", dead_code(reason)));
        }
        // Under the invitation's lock: the person is still waiting for this
        // link, at the addresses it went to.
        let now = repo::by_hash(&mut tx, &held_hash(&session).await)
            .await?
            .filter(|l| l.id == link.id);
        match now.as_ref().map(|l| (l.account_status.as_str(), l)) {
            Some(("not_activated", l)) if l.ended_reason.is_none() && l.addresses_hold() => {}
            _ => return Err(AppError::field("link", Code::InvitationDead)),
        }
        let activated = sqlx::query!(
            r#"UPDATE accounts SET password_hash = $3, status = 'active', password_changed_at = now(),
                                   session_epoch = session_epoch + 1, version = version + 1,
                                   updated_at = now()
                WHERE org_id = $1 AND id = $2 AND status = 'not_activated'"#,
            link.org_id,
            link.account_id,
            hash
        )
        .execute(&mut *tx)
        .await?;
        if activated.rows_affected() != 1 {
            return Err(AppError::field("link", Code::InvitationDead));
        }
        if let Some(key) = &ip_key {
            crate::auth::throttle::forgive(&mut *tx, key).await?;
        }
        record(
            &mut tx,
            &meta.actor(Some(account.id), "member"),
            &Event::new(Action::MemberActivated)
                .org(Some(link.org_id))
                .target_account(account.id)
                .details(json!({
                    "via": if channel.trim() == "sms" { "sms" } else { "email" },
                    "invitation": link.id.to_string(),
                })),
        )
        .await?;
        let _ = session.remove::<Vec<u8>>(LINK_KEY).await;
        // The account as it now is (active, with its new password).
        let account = crate::auth::repo::find_by_id(&mut *tx, account.id)
            .await?
            .ok_or_else(AppError::not_found)?;
        crate::auth::api::begin_session(tx, &session, &meta, &account, "").await
    }

    pub async fn ask_new_link(challenge: String) -> Result<(), AppError> {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let session = guard::session().await?;
        // The same caps as sending a code: it sends messages.
        state
            .codes
            .admit_request(&state.db, &session, meta.ip, &challenge)
            .await
            .map_err(AppError::from)?;
        let hash = held_hash(&session).await;
        let mut tx = state.db.begin().await?;
        let Some(link) = repo::by_hash(&mut tx, &hash).await? else {
            return Ok(());
        };
        // Only a person still waiting to join, whose link expired or was
        // ended, may ask; the administrators are told once a day.
        let waiting = link.account_status == "not_activated";
        let may_ask = waiting && matches!(link.dead(), Some("expired" | "revoked"));
        if !may_ask || !repo::note_renewal_asked(&mut tx, link.id).await? {
            return Ok(());
        }
        let locale = sqlx::query_scalar!("SELECT locale FROM invitations WHERE id = $1", link.id)
            .fetch_one(&mut *tx)
            .await?;
        for (email, mobile) in repo::inviters_of(&mut tx, link.org_id, link.account_id).await? {
            let (channel, recipient) = match (email, mobile) {
                (Some(e), _) => (crate::notify::Channel::Email, e),
                (None, Some(m)) => (crate::notify::Channel::Sms, m),
                (None, None) => continue,
            };
            let message = crate::notify::NewMessage {
                org_id: Some(link.org_id),
                channel,
                recipient,
                locale: locale.clone(),
                template: crate::notify::Template::InvitationRenewal {
                    organisation: link.organisation.clone(),
                    name: link.name.clone(),
                    person: link.account_id.to_string(),
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
        record(
            &mut tx,
            &meta.actor(None, "anonymous"),
            &Event::new(Action::InvitationRenewalAsked)
                .org(Some(link.org_id))
                .target_account(link.account_id)
                .details(json!({ "reason": link.dead().unwrap_or_default() })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
