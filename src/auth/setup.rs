//! Creating the first platform operator: a one-time link printed at start-up,
//! or `orgdesk operator create` for automation.
use super::AccountKind;
use super::repo::{self, NewAccount};
use crate::audit::repo::{Actor, Event, record};
use crate::domain::{Email, ErrorCode, Password};
use base64::Engine as _;
use sqlx::PgPool;
use uuid::Uuid;

/// Only the SHA-256 of a setup token is stored.
pub fn token_hash(token: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(token.trim().as_bytes()).to_vec()
}

/// A one-time link that creates the first operator, and when it stops working.
pub struct SetupLink {
    pub url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Whether `token` can still create the first operator: no operator
/// exists, and the token is a setup link's, unused and unexpired.
pub async fn is_open(db: &PgPool, token: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT NOT EXISTS (SELECT 1 FROM accounts WHERE kind = 'operator')
              AND EXISTS (
                  SELECT 1 FROM setup_tokens
                  WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
              ) AS "open!""#,
        token_hash(token)
    )
    .fetch_one(db)
    .await
}

/// Uses `token` to create the first operator, in `tx`: true when it was
/// still open. One setup at a time; the first one to finish closes the door.
pub async fn claim(tx: &mut sqlx::PgConnection, token: &str) -> sqlx::Result<bool> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('orgdesk.operator_setup'))")
        .execute(&mut *tx)
        .await?;
    let open = sqlx::query_scalar!(
        r#"SELECT NOT EXISTS (SELECT 1 FROM accounts WHERE kind = 'operator') AS "open!""#
    )
    .fetch_one(&mut *tx)
    .await?;
    let used = sqlx::query!(
        "UPDATE setup_tokens SET used_at = now()
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()",
        token_hash(token)
    )
    .execute(&mut *tx)
    .await?;
    Ok(open && used.rows_affected() == 1)
}

/// When no operator exists: a fresh setup link, valid for `ttl`. Links that
/// other instances printed stay valid until they expire; expired ones are
/// dropped. `None` once an operator exists.
pub async fn first_run_link(
    db: &PgPool,
    base: &url::Url,
    ttl: std::time::Duration,
) -> Result<Option<SetupLink>, sqlx::Error> {
    if repo::any_operator(db).await? {
        return Ok(None);
    }
    let mut raw = [0u8; 32];
    rand::Rng::fill(&mut rand::rng(), &mut raw[..]);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let ttl_secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
    let mut tx = db.begin().await?;
    sqlx::query!("DELETE FROM setup_tokens WHERE used_at IS NULL AND expires_at <= now()")
        .execute(&mut *tx)
        .await?;
    let expires_at = sqlx::query_scalar!(
        r#"INSERT INTO setup_tokens (token_hash, expires_at)
         VALUES ($1, now() + make_interval(secs => $2::bigint::double precision))
         RETURNING expires_at AS "expires_at: chrono::DateTime<chrono::Utc>""#,
        token_hash(&token),
        ttl_secs
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut url = base.join("/setup").expect("a fixed path joins");
    url.query_pairs_mut().append_pair("token", &token);
    Ok(Some(SetupLink {
        url: url.to_string(),
        expires_at,
    }))
}

/// Checks `password` against the policy and hashes it.
pub async fn hash_new_password(password: &str) -> Result<String, Box<dyn std::error::Error>> {
    let password =
        Password::parse(password).map_err(|e| format!("password: {} ({})", e, e.code()))?;
    let pw = password.expose().to_owned();
    Ok(tokio::task::spawn_blocking(move || super::password::hash_blocking(&pw)).await??)
}

/// `orgdesk operator create`: a platform operator with `password`.
/// Returns the operator's email.
pub async fn create_operator(
    db: &PgPool,
    args: &crate::cli::OperatorArgs,
    password: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let email = Email::parse(&args.email).map_err(|e| format!("--email: {} ({})", e, e.code()))?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| email.as_str().to_owned());
    if name.trim().is_empty() || name.chars().count() > 64 {
        return Err("--name must be 1 to 64 characters".into());
    }
    let hash = hash_new_password(password).await?;
    let mut tx = db.begin().await?;
    let id = repo::create(
        &mut tx,
        &NewAccount {
            kind: AccountKind::Operator,
            org_id: None,
            role: None,
            name: name.trim(),
            email: Some(email.as_str()),
            mobile: None,
            password_hash: &hash,
        },
    )
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            "an operator with this email already exists".to_string()
        }
        _ => e.to_string(),
    })?;
    record(
        &mut tx,
        &Actor::system(),
        &Event::new(crate::audit::Action::OperatorCreated)
            .target_account(id)
            .details(serde_json::json!({ "via": "cli" })),
    )
    .await?;
    tx.commit().await?;
    Ok(email.into_inner())
}

/// `orgdesk org create`: an organisation with its super administrator,
/// whose password is `password`. For deployments and demos before an
/// application has been approved. Returns the organisation's id.
pub async fn create_organisation(
    db: &PgPool,
    args: &crate::cli::OrgArgs,
    password: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let name = args.name.trim();
    if name.is_empty() || name.chars().count() > 128 {
        return Err("--name must be 1 to 128 characters".into());
    }
    let admin_name = &args.admin_name;
    if admin_name.trim().is_empty() || admin_name.chars().count() > 64 {
        return Err("--admin-name must be 1 to 64 characters".into());
    }
    let email = args
        .admin_email
        .as_deref()
        .map(|e| Email::parse(e).map_err(|e| format!("--admin-email: {e} ({})", e.code())))
        .transpose()?;
    let mobile = args
        .admin_mobile
        .as_deref()
        .map(|m| {
            crate::domain::Mobile::parse(m)
                .map_err(|e| format!("--admin-mobile: {e} ({})", e.code()))
        })
        .transpose()?;
    if email.is_none() && mobile.is_none() {
        return Err("--admin-email or --admin-mobile is needed".into());
    }
    let enforce = !args.no_enforce_two_factor;
    let hash = hash_new_password(password).await?;
    let mut tx = db.begin().await?;
    let org_id = crate::organisations::create(
        &mut tx,
        &crate::organisations::NewOrganisation {
            name,
            enforce_two_factor: Some(enforce),
            ..Default::default()
        },
    )
    .await?
    .id;
    let id = repo::create(
        &mut tx,
        &NewAccount {
            kind: AccountKind::Member,
            org_id: Some(org_id),
            role: Some("super_admin"),
            name: admin_name.trim(),
            email: email.as_ref().map(|e| e.as_str()),
            mobile: mobile.as_ref().map(|m| m.as_str()),
            password_hash: &hash,
        },
    )
    .await?;
    crate::organisations::set_creator(&mut tx, org_id, id).await?;
    record(
        &mut tx,
        &Actor::system(),
        &Event::new(crate::audit::Action::OrganisationCreated)
            .org(Some(org_id))
            .target_account(id)
            .details(serde_json::json!({ "via": "cli", "enforce_two_factor": enforce })),
    )
    .await?;
    tx.commit().await?;
    Ok(org_id.to_string())
}

/// Adds an active member to an organisation from the command line: their
/// department path made as needed, their manager by email. One transaction
/// under the organisation's contacts lock, with its audit row.
pub async fn create_member(
    db: &PgPool,
    args: &crate::cli::MemberArgs,
    password: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let name = args.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err("--name must be 1 to 64 characters".into());
    }
    let email = Email::parse(&args.email).map_err(|e| format!("--email: {e} ({})", e.code()))?;
    if args
        .position
        .as_deref()
        .is_some_and(|p| p.chars().count() > 128)
    {
        return Err("--position must be at most 128 characters".into());
    }
    let hash = hash_new_password(password).await?;
    let org = args.org;
    let mut tx = db.begin().await?;
    crate::contacts::repo::lock(&mut tx, org, std::time::Duration::from_secs(10)).await?;
    let root: Uuid = sqlx::query_scalar!(
        "SELECT id FROM departments WHERE org_id = $1 AND parent_id IS NULL",
        org
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| format!("no organisation {org}"))?;
    let mut department = root;
    for part in args
        .department
        .as_deref()
        .unwrap_or("")
        .split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let name = crate::contacts::rules::department_name(part)
            .map_err(|code| format!("--department: {part:?} ({code})"))?;
        let found = sqlx::query_scalar!(
            "SELECT id FROM departments WHERE org_id = $1 AND parent_id = $2 AND lower(name) = lower($3)",
            org,
            department,
            name
        )
        .fetch_optional(&mut *tx)
        .await?;
        department = match found {
            Some(id) => id,
            None => {
                crate::contacts::repo::create(&mut tx, org, department, &name)
                    .await
                    .map_err(|_| format!("--department: could not make {part:?}"))?
                    .id
            }
        };
    }
    let manager = match args.manager.as_deref() {
        Some(m) => Some(
            sqlx::query_scalar!(
                "SELECT id FROM accounts WHERE org_id = $1 AND kind = 'member' AND lower(email) = lower($2)",
                org,
                m.trim()
            )
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| format!("--manager: no member {m} in organisation {org}"))?,
        ),
        None => None,
    };
    let id = repo::create(
        &mut tx,
        &NewAccount {
            kind: AccountKind::Member,
            org_id: Some(org),
            role: Some("employee"),
            name,
            email: Some(email.as_str()),
            mobile: None,
            password_hash: &hash,
        },
    )
    .await?;
    sqlx::query!("DELETE FROM department_members WHERE account_id = $1", id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO department_members (org_id, department_id, account_id, is_head) VALUES ($1, $2, $3, $4)",
        org,
        department,
        id,
        args.head
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE accounts SET main_department_id = $2, position = $3 WHERE id = $1",
        id,
        department,
        args.position.as_deref().map(str::trim)
    )
    .execute(&mut *tx)
    .await?;
    if let Some(manager) = manager {
        sqlx::query!(
            "INSERT INTO account_managers (org_id, account_id, manager_id, rank) VALUES ($1, $2, $3, 1)",
            org,
            id,
            manager
        )
        .execute(&mut *tx)
        .await?;
    }
    for (d, n) in crate::contacts::headcount::recount(&mut tx, org).await? {
        sqlx::query!(
            "UPDATE departments SET headcount = $2 WHERE id = $1",
            d,
            n as i32
        )
        .execute(&mut *tx)
        .await?;
    }
    record(
        &mut tx,
        &Actor::system(),
        &Event::new(crate::audit::Action::EmployeeCreated)
            .org(Some(org))
            .target_account(id)
            .details(serde_json::json!({ "via": "cli" })),
    )
    .await?;
    tx.commit().await?;
    Ok(id.to_string())
}
