//! Queries on accounts and their second factors.
use super::AccountKind;
use crate::domain::{Email, Mobile};
use crate::error::Code;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// How someone names their account at sign-in.
#[derive(Debug, Clone)]
pub enum Identifier {
    Email(Email),
    Mobile(Mobile),
}

impl Identifier {
    /// An address with `@` is an email; anything else must be a mobile number.
    pub fn parse(input: &str) -> Result<Self, Code> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Code::ValidationRequired);
        }
        if input.contains('@') {
            Email::parse(input)
                .map(Identifier::Email)
                .map_err(|e| crate::domain::ErrorCode::code(&e))
        } else {
            Mobile::parse(input)
                .map(Identifier::Mobile)
                .map_err(|e| crate::domain::ErrorCode::code(&e))
        }
    }

    /// The normalised form, for throttling keys.
    pub fn key(&self) -> String {
        match self {
            Identifier::Email(e) => format!("email:{}", e.as_str().to_lowercase()),
            Identifier::Mobile(m) => format!("mobile:{}", m.as_str()),
        }
    }

    pub fn to_destination(&self) -> crate::codes::Destination {
        match self {
            Identifier::Email(e) => crate::codes::Destination::Email(e.clone()),
            Identifier::Mobile(m) => crate::codes::Destination::Mobile(m.clone()),
        }
    }
}

/// What an organisation's security settings say about one of its members
/// (operators: all defaults).
#[derive(Debug, Clone, Default)]
pub struct MemberPolicy {
    pub two_factor_for_everyone: bool,
    /// Raised above the default by the organisation.
    pub password_min_length: Option<i16>,
    /// The organisation's password expiry has passed for this account.
    pub password_expired: bool,
    pub session_idle_minutes: Option<i32>,
    pub session_absolute_hours: Option<i32>,
}

/// An account with what sign-in needs to know about it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: Uuid,
    pub kind: AccountKind,
    pub org_id: Option<Uuid>,
    pub org_name: Option<String>,
    /// The organisation requires two factors of its administrators.
    pub org_enforces_two_factor: bool,
    /// The organisation's security settings that bear on this account.
    pub policy: MemberPolicy,
    pub role: Option<String>,
    /// A member of at least one admin group (a delegated administrator).
    pub delegated: bool,
    pub name: String,
    /// Members' account ID.
    pub userid: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub password_hash: Option<String>,
    pub status: String,
    pub totp_secret: Option<Vec<u8>>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub session_epoch: i32,
    pub password_changed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Account {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    /// Two factors are required: always for operators; for administrators
    /// when their organisation enforces it.
    pub fn two_factor_required(&self) -> bool {
        match self.kind {
            AccountKind::Operator => true,
            AccountKind::Member => {
                (self.org_enforces_two_factor && self.is_administrator())
                    || self.policy.two_factor_for_everyone
            }
        }
    }

    pub fn is_super_admin(&self) -> bool {
        self.kind == AccountKind::Member && self.role.as_deref() == Some("super_admin")
    }

    /// A super administrator or a delegated one.
    pub fn is_administrator(&self) -> bool {
        self.is_super_admin() || self.delegated
    }

    /// Where this account starts once signed in.
    pub fn home(&self) -> &'static str {
        self.kind.home(self.is_administrator())
    }

    /// The fewest characters a new password of this account may have: 8
    /// when a second factor is required of it, else 15 (NIST SP 800-63B-4),
    /// or more when the organisation asks for more.
    pub fn password_min_chars(&self) -> usize {
        let base = if self.two_factor_required() || self.totp_enabled {
            8
        } else {
            15
        };
        let org = self.policy.password_min_length.unwrap_or(0).max(0) as usize;
        base.max(org)
    }

    /// The organisation asks this account to change its password now.
    pub fn password_expired(&self) -> bool {
        self.kind == AccountKind::Member && self.policy.password_expired
    }

    /// Checks a new password against what this account's organisation
    /// asks: its length, and none of the person's or organisation's words.
    pub fn check_new_password(
        &self,
        password: &crate::domain::Password,
    ) -> Result<(), crate::domain::PasswordError> {
        let mut words: Vec<&str> = vec![self.name.as_str()];
        words.extend(self.userid.as_deref());
        // The email's local part: its domain names a provider, not the person.
        words.extend(self.email.as_deref().and_then(|e| e.split('@').next()));
        words.extend(self.mobile.as_deref());
        words.extend(self.org_name.as_deref());
        password.check_policy(self.password_min_chars(), &words)
    }

    /// The label an authenticator app shows for this account.
    pub fn label(&self) -> String {
        self.email
            .clone()
            .or_else(|| self.mobile.clone())
            .unwrap_or_else(|| self.name.clone())
    }
}

macro_rules! to_account {
    ($r:expr) => {
        Account {
            id: $r.id,
            kind: AccountKind::parse(&$r.kind).unwrap_or(AccountKind::Member),
            org_id: $r.org_id,
            org_name: $r.org_name,
            org_enforces_two_factor: $r.org_enforces_two_factor,
            policy: MemberPolicy {
                two_factor_for_everyone: $r.two_factor_for_everyone,
                password_min_length: $r.password_min_length,
                password_expired: $r.password_expired,
                session_idle_minutes: $r.session_idle_minutes,
                session_absolute_hours: $r.session_absolute_hours,
            },
            role: $r.role,
            delegated: $r.delegated,
            name: $r.name,
            userid: $r.userid,
            email: $r.email,
            mobile: $r.mobile,
            password_hash: $r.password_hash,
            status: $r.status,
            totp_secret: $r.totp_secret,
            totp_enabled: $r.totp_enabled,
            totp_last_step: $r.totp_last_step,
            session_epoch: $r.session_epoch,
            password_changed_at: $r.password_changed_at,
        }
    };
}

pub async fn find_by_id(
    db: impl sqlx::PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<Account>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT a.id, a.kind, a.org_id, o.name AS "org_name?",
                  COALESCE(o.enforce_two_factor, true) AS "org_enforces_two_factor!",
                  COALESCE(o.two_factor_for_everyone, false) AS "two_factor_for_everyone!",
                  o.password_min_length AS "password_min_length?",
                  (o.password_expiry_days IS NOT NULL
                   AND coalesce(a.password_changed_at, a.created_at)
                       < now() - make_interval(days => o.password_expiry_days)) AS "password_expired!",
                  o.session_idle_minutes AS "session_idle_minutes?",
                  o.session_absolute_hours AS "session_absolute_hours?",
                  a.role, a.name, a.userid, a.email, a.mobile, a.password_hash, a.status,
                  EXISTS (SELECT 1 FROM admin_group_members m WHERE m.account_id = a.id) AS "delegated!",
                  a.totp_secret, a.totp_enabled_at IS NOT NULL AS "totp_enabled!",
                  a.totp_last_step, a.session_epoch,
                  a.password_changed_at AS "password_changed_at: chrono::DateTime<chrono::Utc>"
             FROM accounts a LEFT JOIN organisations o ON o.id = a.org_id
            WHERE a.id = $1"#,
        id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| to_account!(r)))
}

/// Accounts of `kind` known by `ident` (a person may be a member of several
/// organisations under one mobile number), oldest first, at most five.
pub async fn find_by_identifier(
    db: &PgPool,
    kind: AccountKind,
    ident: &Identifier,
) -> Result<Vec<Account>, sqlx::Error> {
    let (email, mobile) = match ident {
        Identifier::Email(e) => (Some(e.as_str().to_lowercase()), None),
        Identifier::Mobile(m) => (None, Some(m.as_str().to_owned())),
    };
    let rows = sqlx::query!(
        r#"SELECT a.id, a.kind, a.org_id, o.name AS "org_name?",
                  COALESCE(o.enforce_two_factor, true) AS "org_enforces_two_factor!",
                  COALESCE(o.two_factor_for_everyone, false) AS "two_factor_for_everyone!",
                  o.password_min_length AS "password_min_length?",
                  (o.password_expiry_days IS NOT NULL
                   AND coalesce(a.password_changed_at, a.created_at)
                       < now() - make_interval(days => o.password_expiry_days)) AS "password_expired!",
                  o.session_idle_minutes AS "session_idle_minutes?",
                  o.session_absolute_hours AS "session_absolute_hours?",
                  a.role, a.name, a.userid, a.email, a.mobile, a.password_hash, a.status,
                  EXISTS (SELECT 1 FROM admin_group_members m WHERE m.account_id = a.id) AS "delegated!",
                  a.totp_secret, a.totp_enabled_at IS NOT NULL AS "totp_enabled!",
                  a.totp_last_step, a.session_epoch,
                  a.password_changed_at AS "password_changed_at: chrono::DateTime<chrono::Utc>"
             FROM accounts a LEFT JOIN organisations o ON o.id = a.org_id
            WHERE a.kind = $1
              AND (($2::text IS NOT NULL AND lower(a.email) = $2)
                OR ($3::text IS NOT NULL AND a.mobile = $3))
            ORDER BY a.created_at
            LIMIT 5"#,
        kind.as_str(),
        email,
        mobile
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| to_account!(r)).collect())
}

/// A new account's fields.
pub struct NewAccount<'a> {
    pub kind: AccountKind,
    pub org_id: Option<Uuid>,
    pub role: Option<&'a str>,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub mobile: Option<&'a str>,
    pub password_hash: &'a str,
}

/// Creates an active account. A member is placed in their organisation's
/// root department (as their main department) and counted there.
pub async fn create(conn: &mut PgConnection, new: &NewAccount<'_>) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let member = new.kind == AccountKind::Member;
    let (pinyin, initials) = crate::contacts::pinyin::search_keys(new.name);
    sqlx::query!(
        r#"INSERT INTO accounts (id, kind, org_id, role, name, email, mobile, password_hash, password_changed_at,
                                 userid, name_pinyin, name_initials, main_department_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(),
                   CASE WHEN $9 THEN 'u' || substr(md5(random()::text), 1, 10) END, $10, $11,
                   (SELECT id FROM departments WHERE org_id = $3 AND parent_id IS NULL))"#,
        id,
        new.kind.as_str(),
        new.org_id,
        new.role,
        new.name,
        new.email,
        new.mobile,
        new.password_hash,
        member,
        pinyin,
        initials
    )
    .execute(&mut *conn)
    .await?;
    if member {
        sqlx::query!(
            r#"WITH root AS (
                 INSERT INTO department_members (org_id, department_id, account_id)
                 SELECT org_id, id, $2 FROM departments WHERE org_id = $1 AND parent_id IS NULL
                 RETURNING department_id)
               UPDATE departments SET headcount = headcount + 1 WHERE id IN (SELECT department_id FROM root)"#,
            new.org_id,
            id
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

pub async fn any_operator(db: &PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM accounts WHERE kind = 'operator') AS "e!""#)
        .fetch_one(db)
        .await
}

/// Sets a new password hash and ends every session (returns the new epoch).
pub async fn set_password(
    conn: &mut PgConnection,
    id: Uuid,
    hash: &str,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE accounts SET password_hash = $2, password_changed_at = now(),
                  session_epoch = session_epoch + 1, updated_at = now()
            WHERE id = $1 RETURNING session_epoch"#,
        id,
        hash
    )
    .fetch_one(&mut *conn)
    .await
}

/// Ends every session of the account; returns the new epoch.
pub async fn bump_epoch(conn: &mut PgConnection, id: Uuid) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE accounts SET session_epoch = session_epoch + 1, updated_at = now() WHERE id = $1 RETURNING session_epoch",
        id
    )
    .fetch_one(&mut *conn)
    .await
}

/// Changes the account's status; anything but `active` also ends its sessions.
pub async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE accounts SET status = $2, updated_at = now(),
                  session_epoch = session_epoch + CASE WHEN $2 = 'active' THEN 0 ELSE 1 END
            WHERE id = $1"#,
        id,
        status
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn touch_sign_in(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE accounts SET last_sign_in_at = now() WHERE id = $1",
        id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_pending_totp(
    conn: &mut PgConnection,
    id: Uuid,
    sealed: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE accounts SET totp_pending = $2, updated_at = now() WHERE id = $1",
        id,
        sealed
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn pending_totp(db: &PgPool, id: Uuid) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar!("SELECT totp_pending FROM accounts WHERE id = $1", id)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

/// Switches the pending seed on, recording `step` as used.
pub async fn enable_totp(
    conn: &mut PgConnection,
    id: Uuid,
    sealed: &[u8],
    step: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE accounts SET totp_secret = totp_pending, totp_pending = NULL,
                  totp_enabled_at = now(), totp_last_step = $3, updated_at = now()
            WHERE id = $1 AND totp_pending = $2"#,
        id,
        sealed,
        step
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns the second factor off (an operator-assisted reset); the next sign-in enrols again.
pub async fn clear_totp(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE accounts SET totp_secret = NULL, totp_pending = NULL, totp_enabled_at = NULL,
                  totp_last_step = NULL, session_epoch = session_epoch + 1, updated_at = now()
            WHERE id = $1"#,
        id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM recovery_codes WHERE account_id = $1", id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records `step` as used if it is newer than the last one. The condition is
/// checked by the database, so two instances racing on one code cannot both win.
pub async fn accept_step(
    conn: &mut PgConnection,
    id: Uuid,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE accounts SET totp_last_step = $2
            WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)"#,
        id,
        step
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn replace_recovery_codes(
    conn: &mut PgConnection,
    id: Uuid,
    hashes: &[Vec<u8>],
) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM recovery_codes WHERE account_id = $1", id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "INSERT INTO recovery_codes (account_id, code_hash) SELECT $1, unnest($2::bytea[])",
        id,
        hashes
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Uses up a recovery code; false when there is no unused code with this hash.
pub async fn use_recovery_code(
    conn: &mut PgConnection,
    id: Uuid,
    hash: &[u8],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE recovery_codes SET used_at = now() WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
        id,
        hash
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn recovery_codes_left(
    db: impl sqlx::PgExecutor<'_>,
    id: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL"#,
        id
    )
    .fetch_one(db)
    .await
}

/// Password resets asked for this account and not sent (the address was
/// unknown to the outbox or refused) since the account last dismissed its
/// notices.
pub async fn resets_not_sent_since_seen(db: &PgPool, id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_log
            WHERE target_type = 'account' AND target_id = $1
              AND action = 'password.reset_not_sent'
              AND at > (SELECT coalesce(notices_seen_at, '-infinity') FROM accounts WHERE id = $2)"#,
        id.to_string(),
        id
    )
    .fetch_one(db)
    .await
}

/// The account has seen its notices: only newer ones are shown.
pub async fn mark_notices_seen(db: &PgPool, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE accounts SET notices_seen_at = now() WHERE id = $1",
        id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A member account as an operator finds it.
pub struct MemberMatch {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub org_name: String,
    pub role: String,
    pub status: String,
    pub totp_enabled: bool,
}

/// Member accounts of every organisation whose email or mobile is `exact`
/// / `mobile`, or whose name contains `query` (at most 50).
pub async fn find_members(
    db: &PgPool,
    query: &str,
    mobile: Option<&str>,
) -> sqlx::Result<Vec<MemberMatch>> {
    let pattern = format!("%{}%", crate::server::sql::like_escape(query));
    sqlx::query_as!(
        MemberMatch,
        r#"SELECT a.id, a.name, a.email, a.mobile, o.name AS org_name, a.role AS "role!",
                  a.status, a.totp_enabled_at IS NOT NULL AS "totp_enabled!"
             FROM accounts a JOIN organisations o ON o.id = a.org_id
            WHERE a.kind = 'member'
              AND (lower(a.email) = lower($1) OR a.mobile = $2 OR a.name ILIKE $3)
            ORDER BY o.name, a.name
            LIMIT 50"#,
        query,
        mobile,
        pattern
    )
    .fetch_all(db)
    .await
}
