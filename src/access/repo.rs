//! Roles and admin groups in the database. Every query takes the
//! organisation; changes run under the organisation's contacts lock (roles
//! and memberships decide each other: the last super administrator, a
//! group's departments).
use super::{AdminGroup, AdminRef, GroupScope};
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use uuid::Uuid;

/// A super administrator, with whether they are the creator.
pub struct SuperAdmin {
    pub admin: AdminRef,
    pub creator: bool,
}

/// The organisation's super administrators (not departed), by name.
pub async fn super_admins(
    db: impl sqlx::PgExecutor<'_>,
    org: Uuid,
) -> sqlx::Result<Vec<SuperAdmin>> {
    Ok(sqlx::query!(
        r#"SELECT a.id, a.name, a.userid, a.totp_enabled_at IS NOT NULL AS "totp!",
                  o.creator_id IS NOT DISTINCT FROM a.id AS "creator!"
             FROM accounts a JOIN organisations o ON o.id = a.org_id
            WHERE a.org_id = $1 AND a.kind = 'member' AND a.role = 'super_admin'
              AND a.status <> 'departed'
            ORDER BY a.name_pinyin, a.id"#,
        org
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| SuperAdmin {
        admin: AdminRef {
            id: r.id.to_string(),
            name: r.name,
            userid: r.userid.unwrap_or_default(),
            totp_enabled: r.totp,
        },
        creator: r.creator,
    })
    .collect())
}

/// An admin group with the paths of its departments (for checking scopes).
pub struct GroupRow {
    pub group: AdminGroup,
    pub department_paths: Vec<Vec<Uuid>>,
}

/// Every admin group of the organisation, by name, or only `only`.
pub async fn groups(
    db: &mut PgConnection,
    org: Uuid,
    only: Option<Uuid>,
) -> sqlx::Result<Vec<GroupRow>> {
    let rows = sqlx::query!(
        r#"SELECT id, name, permissions, scope, version FROM admin_groups
            WHERE org_id = $1 AND ($2::uuid IS NULL OR id = $2)
            ORDER BY lower(name), id"#,
        org,
        only
    )
    .fetch_all(&mut *db)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut departments: HashMap<Uuid, Vec<(String, String, Vec<Uuid>)>> = HashMap::new();
    for r in sqlx::query!(
        r#"SELECT gd.group_id, d.id, d.path,
                  (SELECT string_agg(p.name, ' / ' ORDER BY array_position(d.path, p.id))
                     FROM departments p WHERE p.org_id = d.org_id AND p.id = ANY(d.path)) AS "path_names!"
             FROM admin_group_departments gd JOIN departments d ON d.id = gd.department_id
            WHERE gd.org_id = $1 AND gd.group_id = ANY($2)
            ORDER BY cardinality(d.path), d.sort_order, d.id"#,
        org,
        &ids
    )
    .fetch_all(&mut *db)
    .await?
    {
        departments.entry(r.group_id).or_default().push((
            r.id.to_string(),
            r.path_names,
            r.path,
        ));
    }
    let mut members: HashMap<Uuid, Vec<AdminRef>> = HashMap::new();
    for r in sqlx::query!(
        r#"SELECT m.group_id, a.id, a.name, a.userid, a.totp_enabled_at IS NOT NULL AS "totp!"
             FROM admin_group_members m JOIN accounts a ON a.id = m.account_id
            WHERE m.org_id = $1 AND m.group_id = ANY($2)
            ORDER BY a.name_pinyin, a.id"#,
        org,
        &ids
    )
    .fetch_all(&mut *db)
    .await?
    {
        members.entry(r.group_id).or_default().push(AdminRef {
            id: r.id.to_string(),
            name: r.name,
            userid: r.userid.unwrap_or_default(),
            totp_enabled: r.totp,
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let ds = departments.remove(&r.id).unwrap_or_default();
            GroupRow {
                department_paths: ds.iter().map(|(_, _, p)| p.clone()).collect(),
                group: AdminGroup {
                    id: r.id.to_string(),
                    name: r.name,
                    permissions: r.permissions,
                    scope: GroupScope::parse(&r.scope).unwrap_or(GroupScope::Departments),
                    departments: ds.into_iter().map(|(id, path, _)| (id, path)).collect(),
                    members: members.remove(&r.id).unwrap_or_default(),
                    version: r.version,
                },
            }
        })
        .collect())
}

/// The paths of `departments` of the organisation, in the order given;
/// `None` when one is not in it.
pub async fn department_paths(
    db: &mut PgConnection,
    org: Uuid,
    departments: &[Uuid],
) -> sqlx::Result<Option<Vec<Vec<Uuid>>>> {
    let rows = sqlx::query!(
        "SELECT id, path FROM departments WHERE org_id = $1 AND id = ANY($2)",
        org,
        departments
    )
    .fetch_all(&mut *db)
    .await?;
    let by_id: HashMap<Uuid, Vec<Uuid>> = rows.into_iter().map(|r| (r.id, r.path)).collect();
    Ok(departments.iter().map(|d| by_id.get(d).cloned()).collect())
}

/// A member's role and status, locked for the rest of the transaction.
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub status: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

pub async fn person(c: &mut PgConnection, org: Uuid, id: Uuid) -> sqlx::Result<Option<Person>> {
    sqlx::query_as!(
        Person,
        r#"SELECT id, name, role AS "role!", status, email, mobile FROM accounts
            WHERE org_id = $1 AND id = $2 AND kind = 'member' FOR UPDATE"#,
        org,
        id
    )
    .fetch_optional(&mut *c)
    .await
}

/// The member known by this account id (userid, any case), locked.
pub async fn person_by_userid(
    c: &mut PgConnection,
    org: Uuid,
    userid: &str,
) -> sqlx::Result<Option<Person>> {
    sqlx::query_as!(
        Person,
        r#"SELECT id, name, role AS "role!", status, email, mobile FROM accounts
            WHERE org_id = $1 AND kind = 'member' AND lower(userid) = lower($2) FOR UPDATE"#,
        org,
        userid
    )
    .fetch_optional(&mut *c)
    .await
}

/// The creator, if recorded.
pub async fn creator(c: &mut PgConnection, org: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT creator_id FROM organisations WHERE id = $1 FOR UPDATE",
        org
    )
    .fetch_one(&mut *c)
    .await
}

/// Super administrators who can still act (active), other than `except`.
pub async fn other_active_super_admins(
    c: &mut PgConnection,
    org: Uuid,
    except: Uuid,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM accounts
            WHERE org_id = $1 AND kind = 'member' AND role = 'super_admin' AND status = 'active'
              AND id <> $2"#,
        org,
        except
    )
    .fetch_one(&mut *c)
    .await
}

/// Sets a member's role; their sessions end (what they may do changed).
pub async fn set_role(c: &mut PgConnection, org: Uuid, id: Uuid, role: &str) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE accounts SET role = $3, session_epoch = session_epoch + 1,
                  version = version + 1, updated_at = now()
            WHERE org_id = $1 AND id = $2"#,
        org,
        id,
        role
    )
    .execute(&mut *c)
    .await?;
    Ok(())
}

pub async fn set_creator(c: &mut PgConnection, org: Uuid, id: Uuid) -> sqlx::Result<()> {
    crate::organisations::set_creator(c, org, id).await
}

/// The group's version, locked; `None` when it is not in the organisation.
pub async fn group_version(c: &mut PgConnection, org: Uuid, id: Uuid) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "SELECT version FROM admin_groups WHERE org_id = $1 AND id = $2 FOR UPDATE",
        org,
        id
    )
    .fetch_optional(&mut *c)
    .await
}

pub async fn group_count(c: &mut PgConnection, org: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM admin_groups WHERE org_id = $1"#,
        org
    )
    .fetch_one(&mut *c)
    .await
}

/// Whether another group of the organisation has this name (any case).
pub async fn name_taken(
    c: &mut PgConnection,
    org: Uuid,
    name: &str,
    except: Option<Uuid>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM admin_groups WHERE org_id = $1 AND lower(name) = lower($2)
                                                     AND id IS DISTINCT FROM $3) AS "taken!""#,
        org,
        name,
        except
    )
    .fetch_one(&mut *c)
    .await
}

/// A group's permissions and scope as saved.
pub struct GroupInput {
    pub name: String,
    pub permissions: Vec<String>,
    pub scope: GroupScope,
    pub departments: Vec<Uuid>,
}

/// Writes a new group (`id` unused) or a new version of one.
pub async fn save_group(
    c: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    input: &GroupInput,
    new: bool,
) -> sqlx::Result<()> {
    if new {
        sqlx::query!(
            r#"INSERT INTO admin_groups (id, org_id, name, permissions, scope)
               VALUES ($1, $2, $3, $4, $5)"#,
            id,
            org,
            input.name,
            &input.permissions,
            input.scope.as_str()
        )
        .execute(&mut *c)
        .await?;
    } else {
        sqlx::query!(
            r#"UPDATE admin_groups SET name = $3, permissions = $4, scope = $5,
                      version = version + 1, updated_at = now()
                WHERE org_id = $1 AND id = $2"#,
            org,
            id,
            input.name,
            &input.permissions,
            input.scope.as_str()
        )
        .execute(&mut *c)
        .await?;
        sqlx::query!(
            "DELETE FROM admin_group_departments WHERE org_id = $1 AND group_id = $2",
            org,
            id
        )
        .execute(&mut *c)
        .await?;
    }
    sqlx::query!(
        r#"INSERT INTO admin_group_departments (org_id, group_id, department_id)
           SELECT $1, $2, d FROM unnest($3::uuid[]) AS d"#,
        org,
        id,
        &input.departments
    )
    .execute(&mut *c)
    .await?;
    Ok(())
}

pub async fn delete_group(c: &mut PgConnection, org: Uuid, id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    let members = sqlx::query_scalar!(
        "SELECT account_id FROM admin_group_members WHERE org_id = $1 AND group_id = $2",
        org,
        id
    )
    .fetch_all(&mut *c)
    .await?;
    sqlx::query!(
        "DELETE FROM admin_groups WHERE org_id = $1 AND id = $2",
        org,
        id
    )
    .execute(&mut *c)
    .await?;
    end_sessions(c, org, &members).await?;
    Ok(members)
}

/// Replaces the group's members; returns (added, removed). Both lose
/// their sessions: what they may do changed.
pub async fn set_members(
    c: &mut PgConnection,
    org: Uuid,
    group: Uuid,
    members: &[Uuid],
) -> sqlx::Result<(Vec<Uuid>, Vec<Uuid>)> {
    let removed = sqlx::query_scalar!(
        r#"DELETE FROM admin_group_members WHERE org_id = $1 AND group_id = $2
              AND NOT account_id = ANY($3) RETURNING account_id"#,
        org,
        group,
        members
    )
    .fetch_all(&mut *c)
    .await?;
    let added = sqlx::query_scalar!(
        r#"INSERT INTO admin_group_members (org_id, group_id, account_id)
           SELECT $1, $2, m FROM unnest($3::uuid[]) AS m
           ON CONFLICT (group_id, account_id) DO NOTHING
           RETURNING account_id"#,
        org,
        group,
        members
    )
    .fetch_all(&mut *c)
    .await?;
    if !added.is_empty() || !removed.is_empty() {
        sqlx::query!(
            "UPDATE admin_groups SET version = version + 1, updated_at = now() WHERE org_id = $1 AND id = $2",
            org,
            group
        )
        .execute(&mut *c)
        .await?;
    }
    end_sessions(c, org, &added).await?;
    end_sessions(c, org, &removed).await?;
    Ok((added, removed))
}

async fn end_sessions(c: &mut PgConnection, org: Uuid, ids: &[Uuid]) -> sqlx::Result<()> {
    if !ids.is_empty() {
        sqlx::query!(
            "UPDATE accounts SET session_epoch = session_epoch + 1 WHERE org_id = $1 AND id = ANY($2)",
            org,
            ids
        )
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Active members of the organisation known by these account ids
/// (userids, lower-cased): (id, userid) for each one found.
pub async fn resolve(
    db: &PgPool,
    org: Uuid,
    userids: &[String],
) -> sqlx::Result<Vec<(Uuid, String)>> {
    Ok(sqlx::query!(
        r#"SELECT id, lower(userid) AS "userid!" FROM accounts
            WHERE org_id = $1 AND kind = 'member' AND status IN ('active', 'not_activated')
              AND lower(userid) = ANY($2)"#,
        org,
        userids
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| (r.id, r.userid))
    .collect())
}

/// Which of `people` belong to a department under `roots`.
pub async fn in_scope(
    db: impl sqlx::PgExecutor<'_>,
    org: Uuid,
    people: &[Uuid],
    roots: &[Uuid],
) -> sqlx::Result<std::collections::HashSet<Uuid>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT DISTINCT dm.account_id FROM department_members dm
             JOIN departments d ON d.id = dm.department_id
            WHERE dm.org_id = $1 AND dm.account_id = ANY($2) AND d.path && $3"#,
        org,
        people,
        roots
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .collect())
}
