//! Department writes: create, rename, move, reorder, delete, heads. Each runs under the organisation's lock (see `lock`).
use super::super::headcount::Deltas;
use super::super::{MAX_DEPARTMENTS, MAX_DEPTH};
use super::*;
use crate::error::Code;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

pub(super) async fn sibling_name_taken(
    conn: &mut PgConnection,
    org_id: Uuid,
    parent: Uuid,
    name: &str,
    except: Option<Uuid>,
) -> std::result::Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM departments
            WHERE org_id = $1 AND parent_id = $2 AND lower(name) = lower($3)
              AND id IS DISTINCT FROM $4) AS "taken!""#,
        org_id,
        parent,
        name,
        except
    )
    .fetch_one(&mut *conn)
    .await
}

/// Adds a department at the end of `parent`'s children.
pub async fn create(
    conn: &mut PgConnection,
    org_id: Uuid,
    parent: Uuid,
    name: &str,
) -> Result<Department> {
    let parent = existing(conn, org_id, parent).await?;
    if parent.depth() >= MAX_DEPTH {
        return Err(ContactsError::Rule("parent", Code::DepartmentTooDeep));
    }
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM departments WHERE org_id = $1"#,
        org_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if count >= MAX_DEPARTMENTS {
        return Err(ContactsError::Rule("parent", Code::DepartmentLimit));
    }
    if sibling_name_taken(conn, org_id, parent.id, name, None).await? {
        return Err(ContactsError::Rule("name", Code::DepartmentNameTaken));
    }
    let id = Uuid::now_v7();
    let mut path = parent.path.clone();
    path.push(id);
    let row = sqlx::query_as!(
        Department,
        r#"INSERT INTO departments (id, org_id, parent_id, name, path, sort_order)
           VALUES ($1, $2, $3, $4, $5,
                   (SELECT coalesce(max(sort_order), 0) + 1 FROM departments
                     WHERE org_id = $2 AND parent_id = $3))
           RETURNING id, parent_id, name, path, headcount, sort_order, version"#,
        id,
        org_id,
        parent.id,
        name,
        &path
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(row)
}

/// Renames; returns the department as it was.
pub async fn rename(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    name: &str,
    version: i32,
) -> Result<Department> {
    let d = existing(conn, org_id, id).await?;
    check_version(&d, version)?;
    if let Some(parent) = d.parent_id
        && sibling_name_taken(conn, org_id, parent, name, Some(id)).await?
    {
        return Err(ContactsError::Rule("name", Code::DepartmentNameTaken));
    }
    sqlx::query!(
        "UPDATE departments SET name = $3, version = version + 1, updated_at = now() WHERE org_id = $1 AND id = $2",
        org_id,
        id,
        name
    )
    .execute(&mut *conn)
    .await?;
    Ok(d)
}

/// What a move did, for the audit row.
#[derive(Debug)]
pub struct Moved {
    pub before: Department,
    pub new_parent: Department,
    pub descendants: i64,
}

/// Moves `id` and everything below it under `new_parent`, at the end of its
/// children. Refuses a cycle, a tree deeper than [`MAX_DEPTH`] and a name
/// already used there.
pub async fn move_to(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    new_parent: Uuid,
    version: i32,
) -> Result<Moved> {
    let d = existing(conn, org_id, id).await?;
    check_version(&d, version)?;
    let Some(old_parent) = d.parent_id else {
        return Err(ContactsError::Rule("department", Code::DepartmentRootFixed));
    };
    let parent = existing(conn, org_id, new_parent).await?;
    if parent.path.contains(&d.id) {
        return Err(ContactsError::Rule(
            "parent",
            Code::DepartmentMoveIntoItself,
        ));
    }
    if old_parent == parent.id {
        return Err(ContactsError::Rule("parent", Code::DepartmentSameParent));
    }
    let upper = subtree_upper(&d.path);
    let stats = sqlx::query!(
        r#"SELECT max(cardinality(path)) AS "deepest!", count(*) AS "n!"
           FROM departments WHERE org_id = $1 AND path >= $2 AND path < $3"#,
        org_id,
        &d.path,
        &upper
    )
    .fetch_one(&mut *conn)
    .await?;
    let new_depth = stats.deepest as usize - d.depth() + parent.depth() + 1;
    if new_depth > MAX_DEPTH {
        return Err(ContactsError::Rule("parent", Code::DepartmentTooDeep));
    }
    if sibling_name_taken(conn, org_id, parent.id, &d.name, Some(d.id)).await? {
        return Err(ContactsError::Rule("parent", Code::DepartmentNameTaken));
    }

    // Inside the subtree nothing changes. Of the ancestors, those above the
    // old place only lose its people and those above the new place only gain
    // them, except people who also belong elsewhere below such an ancestor:
    // they stay counted there. Those are counted before anything moves.
    let old_above = &d.path[..d.depth() - 1];
    let leaving: Vec<Uuid> = old_above
        .iter()
        .filter(|a| !parent.path.contains(a))
        .copied()
        .collect();
    let joining: Vec<Uuid> = parent
        .path
        .iter()
        .filter(|a| !old_above.contains(a))
        .copied()
        .collect();
    let affected: Vec<Uuid> = leaving.iter().chain(&joining).copied().collect();
    let covered: HashMap<Uuid, i64> = sqlx::query!(
        r#"WITH inside AS (
             SELECT DISTINCT dm.account_id FROM department_members dm
             WHERE dm.is_current AND dm.department_id = ANY(ARRAY(
               SELECT s.id FROM departments s WHERE s.org_id = $1 AND s.path >= $2 AND s.path < $3)))
           SELECT anc AS "department!", count(DISTINCT o.account_id) AS "n!"
           FROM inside i
           JOIN department_members o ON o.account_id = i.account_id
           JOIN departments od ON od.id = o.department_id AND od.org_id = $1
           CROSS JOIN LATERAL unnest(od.path) AS anc
           WHERE od.path && $4::uuid[] AND NOT (od.path >= $2 AND od.path < $3)
             AND anc = ANY($4::uuid[])
           GROUP BY anc"#,
        org_id,
        &d.path,
        &upper,
        &affected
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.department, r.n))
    .collect();
    let moving = |a: &Uuid| d.headcount - covered.get(a).copied().unwrap_or(0) as i32;
    let mut deltas = Deltas::default();
    for a in &leaving {
        deltas.add(*a, -moving(a));
    }
    for a in &joining {
        deltas.add(*a, moving(a));
    }

    let mut prefix = parent.path.clone();
    prefix.push(d.id);
    let cut = d.depth() as i32 + 1;
    sqlx::query!(
        r#"UPDATE departments SET path = $4::uuid[] || path[$5:], updated_at = now()
           WHERE org_id = $1 AND path >= $2 AND path < $3"#,
        org_id,
        &d.path,
        &upper,
        &prefix,
        cut
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"UPDATE departments SET parent_id = $3, version = version + 1,
                  sort_order = (SELECT coalesce(max(sort_order), 0) + 1 FROM departments
                                 WHERE org_id = $1 AND parent_id = $3)
           WHERE org_id = $1 AND id = $2"#,
        org_id,
        d.id,
        parent.id
    )
    .execute(&mut *conn)
    .await?;
    deltas.apply(conn, org_id).await?;

    Ok(Moved {
        before: d,
        new_parent: parent,
        descendants: stats.n - 1,
    })
}

/// Puts `id` at `index` (0-based) among its siblings; returns (old, new) index.
pub async fn reorder(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    index: i32,
    version: i32,
) -> Result<(usize, usize)> {
    let d = existing(conn, org_id, id).await?;
    check_version(&d, version)?;
    let Some(parent) = d.parent_id else {
        return Err(ContactsError::Rule("department", Code::DepartmentRootFixed));
    };
    let mut siblings = sqlx::query_scalar!(
        r#"SELECT id FROM departments WHERE org_id = $1 AND parent_id = $2 ORDER BY sort_order, lower(name) COLLATE "C", id"#,
        org_id,
        parent
    )
    .fetch_all(&mut *conn)
    .await?;
    let old = siblings
        .iter()
        .position(|s| *s == id)
        .ok_or(ContactsError::NotFound)?;
    siblings.remove(old);
    let new = (index.max(0) as usize).min(siblings.len());
    siblings.insert(new, id);
    let orders: Vec<i32> = (1..=siblings.len() as i32).collect();
    sqlx::query!(
        r#"UPDATE departments d SET sort_order = x.ord,
                  version = d.version + CASE WHEN d.id = $2 THEN 1 ELSE 0 END
           FROM unnest($3::uuid[], $4::int4[]) AS x(id, ord)
           WHERE d.org_id = $1 AND d.id = x.id"#,
        org_id,
        id,
        &siblings,
        &orders
    )
    .execute(&mut *conn)
    .await?;
    Ok((old, new))
}

/// Deletes an empty department (no members, no sub-departments, not the root).
pub async fn delete(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    version: i32,
) -> Result<Department> {
    let d = existing(conn, org_id, id).await?;
    check_version(&d, version)?;
    if d.parent_id.is_none() {
        return Err(ContactsError::Rule("department", Code::DepartmentRootFixed));
    }
    let busy = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM departments WHERE org_id = $1 AND parent_id = $2) AS "children!",
                  EXISTS (SELECT 1 FROM department_members dm JOIN accounts a ON a.id = dm.account_id
                           WHERE dm.department_id = $2 AND a.status <> 'departed') AS "members!""#,
        org_id,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    if busy.children {
        return Err(ContactsError::Rule(
            "department",
            Code::DepartmentHasChildren,
        ));
    }
    if busy.members {
        return Err(ContactsError::Rule(
            "department",
            Code::DepartmentHasMembers,
        ));
    }
    // Only people who have left can still be listed here; they keep their
    // record and history, not the department.
    sqlx::query!(
        "DELETE FROM department_members WHERE org_id = $1 AND department_id = $2",
        org_id,
        id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE accounts SET main_department_id = NULL WHERE org_id = $1 AND main_department_id = $2",
        org_id,
        id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM departments WHERE org_id = $1 AND id = $2",
        org_id,
        id
    )
    .execute(&mut *conn)
    .await?;
    Ok(d)
}

/// Sets the department's heads, who must be its direct members.
/// Returns (before, after) as names.
pub async fn set_heads(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    heads: &[Uuid],
    version: i32,
) -> Result<(Vec<String>, Vec<String>)> {
    let d = existing(conn, org_id, id).await?;
    check_version(&d, version)?;
    let members = sqlx::query!(
        r#"SELECT dm.account_id, dm.is_head, a.name FROM department_members dm
           JOIN accounts a ON a.id = dm.account_id
           WHERE dm.org_id = $1 AND dm.department_id = $2 AND dm.account_id = ANY($3)"#,
        org_id,
        id,
        heads
    )
    .fetch_all(&mut *conn)
    .await?;
    if members.len() != heads.len() {
        return Err(ContactsError::Rule("heads", Code::DepartmentHeadNotMember));
    }
    let before = sqlx::query_scalar!(
        r#"SELECT a.name FROM department_members dm JOIN accounts a ON a.id = dm.account_id
           WHERE dm.org_id = $1 AND dm.department_id = $2 AND dm.is_head ORDER BY a.name_pinyin"#,
        org_id,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query!(
        r#"UPDATE department_members SET is_head = (account_id = ANY($3))
           WHERE org_id = $1 AND department_id = $2 AND is_head <> (account_id = ANY($3))"#,
        org_id,
        id,
        heads
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE departments SET version = version + 1, updated_at = now() WHERE org_id = $1 AND id = $2",
        org_id,
        id
    )
    .execute(&mut *conn)
    .await?;
    let after = members.into_iter().map(|m| m.name).collect();
    Ok((before, after))
}
