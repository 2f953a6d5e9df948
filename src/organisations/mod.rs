//! Organisations: the one place that creates them.
//!
//! An organisation is created when an application is approved, from the
//! command line, by the demo seed and by tests; each gets its row and its
//! root department (named after it) in the caller's transaction, so
//! nothing else needs to know what an organisation starts with.
use sqlx::PgConnection;
use uuid::Uuid;

/// What a new organisation is given.
#[derive(Debug, Default, Clone)]
pub struct NewOrganisation<'a> {
    pub name: &'a str,
    /// The unified social credit code, when it came through review.
    pub credit_code: Option<&'a str>,
    pub industry: Option<&'a str>,
    pub size_band: Option<&'a str>,
    pub province: Option<&'a str>,
    pub city: Option<&'a str>,
    pub address: Option<&'a str>,
    /// Whether administrators must use a second factor; the default (`None`)
    /// is yes.
    pub enforce_two_factor: Option<bool>,
}

/// The organisation was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// Another organisation holds this credit code.
    #[error("the credit code belongs to another organisation")]
    CreditCodeTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A new organisation.
pub struct Created {
    pub id: Uuid,
    /// Its root department.
    pub root: Uuid,
}

/// The zone `org`'s times are shown in (Asia/Shanghai when unset or unknown).
pub async fn time_zone(db: &sqlx::PgPool, org: Uuid) -> sqlx::Result<crate::server::time::Tz> {
    let name = sqlx::query_scalar!("SELECT time_zone FROM organisations WHERE id = $1", org)
        .fetch_optional(db)
        .await?;
    Ok(name
        .as_deref()
        .and_then(crate::server::time::parse_zone)
        .unwrap_or(crate::server::time::DEFAULT_ZONE))
}

/// Records `account` (a super administrator of `org`) as its creator (创建者).
pub async fn set_creator(conn: &mut PgConnection, org: Uuid, account: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE organisations SET creator_id = $2 WHERE id = $1",
        org,
        account
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Creates the organisation and its root department in `conn`'s transaction.
pub async fn create(
    conn: &mut PgConnection,
    new: &NewOrganisation<'_>,
) -> Result<Created, CreateError> {
    let id = Uuid::now_v7();
    let name = new.name.trim();
    let inserted = sqlx::query!(
        r#"INSERT INTO organisations
               (id, name, credit_code, industry, size_band, province, city, address, enforce_two_factor)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, true))"#,
        id,
        name,
        new.credit_code,
        new.industry,
        new.size_band,
        new.province,
        new.city,
        new.address,
        new.enforce_two_factor
    )
    .execute(&mut *conn)
    .await;
    if let Err(sqlx::Error::Database(e)) = &inserted
        && e.constraint() == Some("organisations_credit_code_key")
    {
        return Err(CreateError::CreditCodeTaken);
    }
    inserted?;
    let root = crate::contacts::repo::create_root(conn, id, name).await?;
    Ok(Created { id, root })
}

/// Members an organisation may have before it is verified, unless the
/// platform's operators set otherwise (WeCom's default).
pub const UNVERIFIED_MEMBER_CAP: i64 = 200;

/// The most members `org` may have now (`None`: no cap) and how many it has
/// (not counting those who left: its root department's headcount).
pub async fn member_room(conn: &mut PgConnection, org: Uuid) -> sqlx::Result<(Option<i64>, i64)> {
    let r = sqlx::query!(
        r#"SELECT o.member_cap, o.verified_at IS NOT NULL AS "verified!",
                  coalesce((SELECT d.headcount FROM departments d
                             WHERE d.org_id = o.id AND d.parent_id IS NULL), 0)::int8 AS "members!"
             FROM organisations o WHERE o.id = $1"#,
        org
    )
    .fetch_one(&mut *conn)
    .await?;
    let cap = match r.member_cap {
        Some(0) => None,
        Some(n) => Some(i64::from(n)),
        None if r.verified => None,
        None => Some(UNVERIFIED_MEMBER_CAP),
    };
    Ok((cap, r.members))
}

/// Refuses to take `org` past its member cap with `adding` more members
/// (`adding` 0: refused only when it is past the cap already, e.g. an
/// invitation after the cap was lowered).
pub async fn check_member_cap(
    conn: &mut PgConnection,
    org: Uuid,
    adding: i64,
) -> Result<(), crate::error::AppError> {
    let (cap, members) = member_room(conn, org).await?;
    match cap {
        Some(cap) if members + adding > cap => Err(crate::error::AppError::field(
            "member_cap",
            crate::error::Code::MemberCapReached,
        )),
        _ => Ok(()),
    }
}

/// Sets `org`'s member cap: `None` the default, `Some(0)` no cap.
pub async fn set_member_cap(
    conn: &mut PgConnection,
    org: Uuid,
    cap: Option<i32>,
) -> sqlx::Result<bool> {
    Ok(sqlx::query!(
        "UPDATE organisations SET member_cap = $2 WHERE id = $1",
        org,
        cap
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}
