//! Creating the first platform operator: a one-time link printed at start-up,
//! or `orgdesk operator create` for automation.
use super::AccountKind;
use super::repo::{self, NewAccount};
use crate::audit::repo::{Actor, Event, record};
use crate::domain::{Email, ErrorCode, Password};
use base64::Engine as _;
use sqlx::PgPool;

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

/// Reads the first line of stdin as a password, checks it and hashes it.
pub async fn password_hash_from_stdin() -> Result<String, Box<dyn std::error::Error>> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let password = Password::parse(line.trim_end_matches(['\r', '\n']))
        .map_err(|e| format!("password: {} ({})", e, e.code()))?;
    let pw = password.expose().to_owned();
    Ok(tokio::task::spawn_blocking(move || super::password::hash_blocking(&pw)).await??)
}

/// `operator create --email E --name N`, password on stdin (first line).
pub async fn create_operator_from_cli(
    db: &PgPool,
    args: &[String],
) -> Result<String, Box<dyn std::error::Error>> {
    let usage = "usage: orgdesk operator create --email EMAIL --name NAME  (password on stdin)";
    if args.first().map(String::as_str) != Some("create") {
        return Err(usage.into());
    }
    let mut email = None;
    let mut name = None;
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--email" => email = rest.next().cloned(),
            "--name" => name = rest.next().cloned(),
            other => return Err(format!("unknown option {other}; {usage}").into()),
        }
    }
    let email = Email::parse(email.as_deref().ok_or(usage)?)
        .map_err(|e| format!("--email: {} ({})", e, e.code()))?;
    let name = name.unwrap_or_else(|| email.as_str().to_owned());
    if name.trim().is_empty() || name.chars().count() > 64 {
        return Err("--name must be 1 to 64 characters".into());
    }
    let hash = password_hash_from_stdin().await?;
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
        &Event::new("operator.created")
            .target_account(id)
            .details(serde_json::json!({ "via": "cli" })),
    )
    .await?;
    tx.commit().await?;
    Ok(email.into_inner())
}

/// `org create --name NAME --admin-name N --admin-email E [--admin-mobile M]
/// [--no-enforce-two-factor]`, the administrator's password on stdin. For
/// deployments and demos before an application has been approved.
pub async fn create_organisation_from_cli(
    db: &PgPool,
    args: &[String],
) -> Result<String, Box<dyn std::error::Error>> {
    let usage = "usage: orgdesk org create --name NAME --admin-name NAME --admin-email EMAIL \
                 [--admin-mobile MOBILE] [--no-enforce-two-factor]  (password on stdin)";
    if args.first().map(String::as_str) != Some("create") {
        return Err(usage.into());
    }
    let (mut name, mut admin_name, mut email, mut mobile) = (None, None, None, None);
    let mut enforce = true;
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--name" => name = rest.next().cloned(),
            "--admin-name" => admin_name = rest.next().cloned(),
            "--admin-email" => email = rest.next().cloned(),
            "--admin-mobile" => mobile = rest.next().cloned(),
            "--no-enforce-two-factor" => enforce = false,
            other => return Err(format!("unknown option {other}; {usage}").into()),
        }
    }
    let name = name.ok_or(usage)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 128 {
        return Err("--name must be 1 to 128 characters".into());
    }
    let admin_name = admin_name.ok_or(usage)?;
    if admin_name.trim().is_empty() || admin_name.chars().count() > 64 {
        return Err("--admin-name must be 1 to 64 characters".into());
    }
    let email = email
        .map(|e| Email::parse(&e).map_err(|e| format!("--admin-email: {e} ({})", e.code())))
        .transpose()?;
    let mobile = mobile
        .map(|m| {
            crate::domain::Mobile::parse(&m)
                .map_err(|e| format!("--admin-mobile: {e} ({})", e.code()))
        })
        .transpose()?;
    if email.is_none() && mobile.is_none() {
        return Err(usage.into());
    }
    let hash = password_hash_from_stdin().await?;
    let org_id = uuid::Uuid::now_v7();
    let mut tx = db.begin().await?;
    sqlx::query!(
        "INSERT INTO organisations (id, name, enforce_two_factor) VALUES ($1, $2, $3)",
        org_id,
        name,
        enforce
    )
    .execute(&mut *tx)
    .await?;
    // Every organisation has its root department, named after it.
    crate::contacts::repo::create_root(&mut tx, org_id, name).await?;
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
    record(
        &mut tx,
        &Actor::system(),
        &Event::new("organisation.created")
            .org(Some(org_id))
            .target_account(id)
            .details(serde_json::json!({ "via": "cli", "enforce_two_factor": enforce })),
    )
    .await?;
    tx.commit().await?;
    Ok(org_id.to_string())
}
