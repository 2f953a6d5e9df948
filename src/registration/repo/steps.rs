//! Writes of the wizard's steps: the organisation, the administrator's addresses and name, the legal representative.
use super::*;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// The organisation step's fields, as typed.
pub struct OrganisationFields<'a> {
    pub org_name: &'a str,
    pub industry: &'a str,
    pub size_band: &'a str,
    pub credit_code: &'a str,
    pub credit_code_confirmed: bool,
    pub province: &'a str,
    pub city: &'a str,
    pub address: &'a str,
}

pub async fn save_organisation(
    db: &PgPool,
    id: Uuid,
    f: &OrganisationFields<'_>,
) -> Result<Saved, sqlx::Error> {
    let r = sqlx::query!(
        r#"UPDATE registrations
              SET org_name = $2, industry = $3, size_band = $4, credit_code = $5,
                  credit_code_confirmed = $6, province = $7, city = $8, address = $9, updated_at = now()
            WHERE id = $1 AND status IN ('draft', 'rejected')"#,
        id,
        f.org_name,
        f.industry,
        f.size_band,
        f.credit_code,
        f.credit_code_confirmed,
        f.province,
        f.city,
        f.address
    )
    .execute(db)
    .await?;
    Ok(saved(r.rows_affected()))
}

/// Which administrator address a change or code concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Mobile,
    Email,
}

impl Channel {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mobile" => Some(Channel::Mobile),
            "email" => Some(Channel::Email),
            _ => None,
        }
    }
}

/// Records the address as typed (normalised when it parsed).
pub async fn set_contact(
    conn: &mut PgConnection,
    id: Uuid,
    channel: Channel,
    value: &str,
) -> Result<Saved, sqlx::Error> {
    let r = match channel {
        Channel::Mobile => {
            sqlx::query!(
                "UPDATE registrations SET admin_mobile = $2, updated_at = now()
                  WHERE id = $1 AND status IN ('draft', 'rejected')",
                id,
                value
            )
            .execute(&mut *conn)
            .await?
        }
        Channel::Email => {
            sqlx::query!(
                "UPDATE registrations SET admin_email = $2, updated_at = now()
                  WHERE id = $1 AND status IN ('draft', 'rejected')",
                id,
                value
            )
            .execute(&mut *conn)
            .await?
        }
    };
    Ok(saved(r.rows_affected()))
}

/// Marks `value` as proven, if it is still the application's address.
pub async fn mark_verified(
    db: &PgPool,
    id: Uuid,
    channel: Channel,
    value: &str,
) -> Result<Saved, sqlx::Error> {
    let r = match channel {
        Channel::Mobile => {
            sqlx::query!(
                "UPDATE registrations SET admin_mobile_verified = $2, updated_at = now()
                  WHERE id = $1 AND admin_mobile = $2 AND status IN ('draft', 'rejected')",
                id,
                value
            )
            .execute(db)
            .await?
        }
        Channel::Email => {
            sqlx::query!(
                "UPDATE registrations SET admin_email_verified = $2, updated_at = now()
                  WHERE id = $1 AND admin_email = $2 AND status IN ('draft', 'rejected')",
                id,
                value
            )
            .execute(db)
            .await?
        }
    };
    Ok(saved(r.rows_affected()))
}

/// Saves the administrator's name and, when given, a new password hash.
pub async fn save_administrator(
    db: &PgPool,
    id: Uuid,
    name: &str,
    password_hash: Option<&str>,
) -> Result<Saved, sqlx::Error> {
    let r = sqlx::query!(
        r#"UPDATE registrations
              SET admin_name = $2, admin_password_hash = COALESCE($3, admin_password_hash), updated_at = now()
            WHERE id = $1 AND status IN ('draft', 'rejected')"#,
        id,
        name,
        password_hash
    )
    .execute(db)
    .await?;
    Ok(saved(r.rows_affected()))
}

pub async fn save_legal(
    db: &PgPool,
    id: Uuid,
    name: &str,
    id_number: &str,
    admin_is_legal: bool,
) -> Result<Saved, sqlx::Error> {
    let r = sqlx::query!(
        r#"UPDATE registrations
              SET legal_name = $2, legal_id_number = $3, admin_is_legal = $4, updated_at = now()
            WHERE id = $1 AND status IN ('draft', 'rejected')"#,
        id,
        name,
        id_number,
        admin_is_legal
    )
    .execute(db)
    .await?;
    Ok(saved(r.rows_affected()))
}
