//! What one member holds: super administrator, or the permissions and
//! scopes of the admin groups they belong to; and the check of a target
//! against them.
use super::Permission;
use uuid::Uuid;

/// Where a permission holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole organisation.
    Organisation,
    /// The subtrees under these departments (each department and everything below it).
    Departments(Vec<Uuid>),
}

impl Scope {
    /// Whether the department with `path` (ids from the root down to itself) lies in the scope.
    pub fn covers(&self, path: &[Uuid]) -> bool {
        match self {
            Scope::Organisation => true,
            Scope::Departments(roots) => path.iter().any(|id| roots.contains(id)),
        }
    }

    /// Whether the department with `path` lies strictly below a subtree's
    /// top: it may be moved, reordered or deleted, where the top itself is
    /// the edge of the scope and stays where it is.
    pub fn covers_below(&self, path: &[Uuid]) -> bool {
        match path.split_last() {
            Some((_, above)) => self.covers(above),
            None => false,
        }
    }

    /// The tops of the subtrees, or `None` for the whole organisation.
    pub fn roots(&self) -> Option<&[Uuid]> {
        match self {
            Scope::Organisation => None,
            Scope::Departments(roots) => Some(roots),
        }
    }

    pub fn is_organisation(&self) -> bool {
        matches!(self, Scope::Organisation)
    }

    /// Whether everything `other` covers, this covers too, judged by the
    /// paths of `other`'s tops.
    pub fn contains(&self, other_paths: &[Vec<Uuid>], other_is_organisation: bool) -> bool {
        match self {
            Scope::Organisation => true,
            Scope::Departments(_) if other_is_organisation => false,
            Scope::Departments(_) => other_paths.iter().all(|p| self.covers(p)),
        }
    }

    fn union(self, other: Scope) -> Scope {
        match (self, other) {
            (Scope::Organisation, _) | (_, Scope::Organisation) => Scope::Organisation,
            (Scope::Departments(mut a), Scope::Departments(b)) => {
                for id in b {
                    if !a.contains(&id) {
                        a.push(id);
                    }
                }
                Scope::Departments(a)
            }
        }
    }
}

/// One admin group as its member holds it.
#[derive(Debug, Clone)]
pub struct Grant {
    pub permissions: Vec<Permission>,
    pub scope: Scope,
}

/// Everything one member holds.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    pub super_admin: bool,
    pub groups: Vec<Grant>,
}

impl Grants {
    /// Where `permission` holds, if anywhere: the union of the scopes of
    /// the groups that grant it. Managing contacts includes viewing them.
    pub fn scope_of(&self, permission: Permission) -> Option<Scope> {
        if permission.operators_only() {
            return None;
        }
        if self.super_admin {
            return Some(Scope::Organisation);
        }
        self.groups
            .iter()
            .filter(|g| {
                g.permissions.contains(&permission)
                    || (permission == Permission::ViewContacts
                        && g.permissions.contains(&Permission::ManageContacts))
            })
            .map(|g| g.scope.clone())
            .filter(|s| !matches!(s, Scope::Departments(r) if r.is_empty()))
            .reduce(Scope::union)
    }

    /// Whether these grants may hand on `permissions` over a scope (the
    /// whole organisation, each holder's own departments, or the subtrees
    /// with these `paths`): a super administrator may hand on anything,
    /// anyone else only what they hold, where they hold it. The scope of
    /// "own departments" is only known per holder, so only someone who
    /// holds the permission everywhere hands it on that way.
    pub fn may_grant(
        &self,
        permissions: &[Permission],
        organisation: bool,
        own_departments: bool,
        paths: &[Vec<Uuid>],
    ) -> bool {
        if self.super_admin {
            return true;
        }
        permissions.iter().all(|&p| match self.scope_of(p) {
            None => false,
            Some(Scope::Organisation) => true,
            Some(held) => {
                !organisation && !own_departments && paths.iter().all(|path| held.covers(path))
            }
        })
    }

    /// Whether the member holds any permission at all (an administrator).
    pub fn any(&self) -> bool {
        Permission::ALL.iter().any(|&p| self.scope_of(p).is_some())
    }
}

/// What a server function acts on, checked against the caller's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The organisation as a whole (its settings, its roles, its log): the
    /// permission must hold over the whole organisation.
    Organisation,
    /// Whatever part of the organisation the permission holds over; the
    /// function filters what it lists to [`Access::scope`].
    InScope,
    /// A department, which must lie in the scope.
    Department(Uuid),
    /// A department that must lie strictly below the top of a subtree of
    /// the scope (moving, reordering or deleting it).
    DepartmentBelow(Uuid),
    /// A person, one of whose departments must lie in the scope.
    Person(Uuid),
}

pub use ssr::*;

mod ssr {
    use super::*;
    use crate::auth::guard::Principal;
    use crate::error::AppError;
    use sqlx::PgPool;

    /// A caller allowed to do something, and where.
    #[derive(Debug, Clone)]
    pub struct Access {
        pub principal: Principal,
        pub org: Uuid,
        /// Where the permission asked for holds; lists are filtered to it.
        pub scope: Scope,
        pub grants: Grants,
    }

    impl Access {
        pub fn is_super_admin(&self) -> bool {
            self.grants.super_admin
        }

        /// The tops of the caller's subtrees for queries that filter to
        /// them; `None` for the whole organisation.
        pub fn roots(&self) -> Option<&[Uuid]> {
            self.scope.roots()
        }

        /// Checks that every one of `departments` lies in the scope (one
        /// query); `NotFound` when one does not, or is not in the organisation.
        pub async fn check_departments(&self, departments: &[Uuid]) -> Result<(), AppError> {
            if self.scope.is_organisation() || departments.is_empty() {
                return Ok(());
            }
            let state = crate::server::state::app_state()?;
            let paths = sqlx::query_scalar!(
                "SELECT path FROM departments WHERE org_id = $1 AND id = ANY($2)",
                self.org,
                departments
            )
            .fetch_all(&state.db)
            .await?;
            if paths.len() == departments.len() && paths.iter().all(|p| self.scope.covers(p)) {
                Ok(())
            } else {
                Err(AppError::not_found())
            }
        }

        /// Checks a further target against the same scope (a function
        /// that acts on more than one thing).
        pub async fn check(&self, target: Target) -> Result<(), AppError> {
            let state = crate::server::state::app_state()?;
            let mut conn = state.db.acquire().await?;
            check_target(&mut conn, self.org, &self.scope, target).await
        }

        /// [`Access::check`] inside a transaction, after the lock a change
        /// takes: what it found cannot move out of the scope before the
        /// change is written.
        pub async fn check_in(
            &self,
            conn: &mut sqlx::PgConnection,
            target: Target,
        ) -> Result<(), AppError> {
            check_target(conn, self.org, &self.scope, target).await
        }
    }

    /// What `account` holds in `org`. A super administrator holds
    /// everything and needs no query.
    pub async fn load(
        db: &PgPool,
        org: Uuid,
        account: Uuid,
        super_admin: bool,
    ) -> Result<Grants, sqlx::Error> {
        if super_admin {
            return Ok(Grants {
                super_admin: true,
                groups: Vec::new(),
            });
        }
        let rows = sqlx::query!(
            r#"SELECT g.permissions, g.scope,
                      CASE g.scope
                        WHEN 'departments' THEN ARRAY(SELECT gd.department_id FROM admin_group_departments gd
                                                       WHERE gd.group_id = g.id)
                        WHEN 'own_departments' THEN ARRAY(SELECT dm.department_id FROM department_members dm
                                                           WHERE dm.account_id = m.account_id)
                        ELSE '{}'::uuid[] END AS "roots!"
                 FROM admin_group_members m JOIN admin_groups g ON g.id = m.group_id
                WHERE m.org_id = $1 AND m.account_id = $2"#,
            org,
            account
        )
        .fetch_all(db)
        .await?;
        Ok(Grants {
            super_admin: false,
            groups: rows
                .into_iter()
                .map(|r| Grant {
                    permissions: r
                        .permissions
                        .iter()
                        .filter_map(|p| Permission::parse(p))
                        .collect(),
                    scope: if r.scope == "organisation" {
                        Scope::Organisation
                    } else {
                        Scope::Departments(r.roots)
                    },
                })
                .collect(),
        })
    }

    /// The path of a department of `org`.
    pub async fn department_path(
        db: impl sqlx::PgExecutor<'_>,
        org: Uuid,
        id: Uuid,
    ) -> Result<Option<Vec<Uuid>>, sqlx::Error> {
        sqlx::query_scalar!(
            "SELECT path FROM departments WHERE org_id = $1 AND id = $2",
            org,
            id
        )
        .fetch_optional(db)
        .await
    }

    /// The paths of the departments a person of `org` belongs to (one index read).
    pub async fn person_paths(
        db: impl sqlx::PgExecutor<'_>,
        org: Uuid,
        person: Uuid,
    ) -> Result<Vec<Vec<Uuid>>, sqlx::Error> {
        sqlx::query_scalar!(
            r#"SELECT d.path FROM department_members dm JOIN departments d ON d.id = dm.department_id
                WHERE dm.org_id = $1 AND dm.account_id = $2"#,
            org,
            person
        )
        .fetch_all(db)
        .await
    }

    /// Whether `target` lies in `scope`: `Err(NotFound)` when wholly
    /// outside it (or not in the organisation at all, which reads the
    /// same), `Err(Forbidden)` when it is the edge of the scope.
    pub async fn check_target(
        db: &mut sqlx::PgConnection,
        org: Uuid,
        scope: &Scope,
        target: Target,
    ) -> Result<(), AppError> {
        match target {
            Target::Organisation if !scope.is_organisation() => Err(AppError::forbidden()),
            Target::Organisation | Target::InScope => Ok(()),
            // The function itself answers for an id that is not in the organisation.
            _ if scope.is_organisation() => Ok(()),
            Target::Department(id) => match department_path(&mut *db, org, id).await? {
                Some(path) if scope.covers(&path) => Ok(()),
                _ => Err(AppError::not_found()),
            },
            Target::DepartmentBelow(id) => match department_path(&mut *db, org, id).await? {
                Some(path) if scope.covers_below(&path) => Ok(()),
                Some(path) if scope.covers(&path) => Err(AppError::forbidden()),
                _ => Err(AppError::not_found()),
            },
            Target::Person(id) => {
                let paths = person_paths(&mut *db, org, id).await?;
                if paths.iter().any(|p| scope.covers(p)) {
                    Ok(())
                } else {
                    Err(AppError::not_found())
                }
            }
        }
    }

    /// The one permission check: the signed-in member of an organisation
    /// who holds `permission` over `target`; else 401 (not signed in), 403
    /// (not held, or the target is the edge of the scope) or 404 (the
    /// target lies wholly outside the scope, answered as if it did not
    /// exist).
    pub async fn require(permission: Permission, target: Target) -> Result<Access, AppError> {
        let (principal, org) = crate::auth::guard::require_member().await?;
        let state = crate::server::state::app_state()?;
        require_of(&state.db, principal, org, permission, target).await
    }

    /// [`require`] for a caller already known (a plain handler's, from the
    /// page guard): the member `principal` of `org`.
    pub async fn require_of(
        db: &PgPool,
        principal: Principal,
        org: Uuid,
        permission: Permission,
        target: Target,
    ) -> Result<Access, AppError> {
        // An expired password is changed before anything else is done.
        if principal.account.password_expired() {
            return Err(AppError::forbidden());
        }
        let grants = load(db, org, principal.id(), principal.account.is_super_admin()).await?;
        let Some(scope) = grants.scope_of(permission) else {
            return Err(AppError::forbidden());
        };
        check_target(&mut *db.acquire().await?, org, &scope, target).await?;
        Ok(Access {
            principal,
            org,
            scope,
            grants,
        })
    }

    /// The signed-in platform operator, who holds the operators' permissions
    /// (and an organisation's audit log is theirs to read too); else 401 or 403.
    pub async fn require_operator(permission: Permission) -> Result<Principal, AppError> {
        let p = crate::auth::guard::require_signed_in().await?;
        let held = matches!(
            permission,
            Permission::ViewApplicationData | Permission::ViewAuditLog
        );
        if p.account.kind == crate::auth::AccountKind::Operator && held {
            Ok(p)
        } else {
            Err(AppError::forbidden())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|_| Uuid::now_v7()).collect()
    }

    #[test]
    fn a_subtree_covers_itself_and_below_but_not_above_or_beside() {
        let [root, east, shanghai, west]: [Uuid; 4] = ids(4).try_into().unwrap();
        let scope = Scope::Departments(vec![east]);
        assert!(scope.covers(&[root, east]));
        assert!(scope.covers(&[root, east, shanghai]));
        assert!(!scope.covers(&[root]));
        assert!(!scope.covers(&[root, west]));
        // The top of the subtree is in scope but not below it.
        assert!(!scope.covers_below(&[root, east]));
        assert!(scope.covers_below(&[root, east, shanghai]));
        assert!(Scope::Organisation.covers_below(&[root, east]));
        assert!(!Scope::Organisation.covers_below(&[]));
    }

    #[test]
    fn groups_add_up_per_permission_and_manage_implies_view() {
        let [east, west]: [Uuid; 2] = ids(2).try_into().unwrap();
        let grants = Grants {
            super_admin: false,
            groups: vec![
                Grant {
                    permissions: vec![Permission::ManageContacts],
                    scope: Scope::Departments(vec![east]),
                },
                Grant {
                    permissions: vec![Permission::ViewContacts, Permission::InviteMembers],
                    scope: Scope::Departments(vec![west]),
                },
                Grant {
                    permissions: vec![Permission::ViewAuditLog],
                    scope: Scope::Departments(vec![]),
                },
            ],
        };
        assert_eq!(
            grants.scope_of(Permission::ManageContacts),
            Some(Scope::Departments(vec![east]))
        );
        assert_eq!(
            grants.scope_of(Permission::ViewContacts),
            Some(Scope::Departments(vec![east, west]))
        );
        assert_eq!(grants.scope_of(Permission::SecuritySettings), None);
        // A group whose subtrees were all deleted grants nothing.
        assert_eq!(grants.scope_of(Permission::ViewAuditLog), None);
        assert!(grants.any());
        assert!(!Grants::default().any());
    }

    #[test]
    fn the_super_administrator_holds_everything_but_the_operators_permission() {
        let grants = Grants {
            super_admin: true,
            groups: Vec::new(),
        };
        for p in Permission::ALL {
            assert_eq!(
                grants.scope_of(p),
                (!p.operators_only()).then_some(Scope::Organisation),
                "{p:?}"
            );
        }
    }

    #[test]
    fn nobody_hands_on_more_than_they_hold_nor_wider() {
        let [root, east, shanghai, west]: [Uuid; 4] = ids(4).try_into().unwrap();
        let delegated = Grants {
            super_admin: false,
            groups: vec![Grant {
                permissions: vec![Permission::ManageContacts, Permission::ManageAccess],
                scope: Scope::Departments(vec![east]),
            }],
        };
        let below = vec![root, east, shanghai];
        // Within what they hold: yes, including view (implied by manage).
        assert!(delegated.may_grant(
            &[Permission::ManageContacts],
            false,
            false,
            std::slice::from_ref(&below)
        ));
        assert!(delegated.may_grant(
            &[Permission::ViewContacts],
            false,
            false,
            &[vec![root, east]]
        ));
        // A permission they do not hold, a subtree beside theirs, the
        // whole organisation, or "own departments": no.
        assert!(!delegated.may_grant(
            &[Permission::ViewAuditLog],
            false,
            false,
            std::slice::from_ref(&below)
        ));
        assert!(!delegated.may_grant(
            &[Permission::ManageContacts],
            false,
            false,
            &[vec![root, west]]
        ));
        assert!(!delegated.may_grant(&[Permission::ManageContacts], false, false, &[vec![root]]));
        assert!(!delegated.may_grant(&[Permission::ManageContacts], true, false, &[]));
        assert!(!delegated.may_grant(&[Permission::ManageContacts], false, true, &[]));
        let whole = Grants {
            super_admin: false,
            groups: vec![Grant {
                permissions: vec![Permission::InviteMembers],
                scope: Scope::Organisation,
            }],
        };
        assert!(whole.may_grant(&[Permission::InviteMembers], true, false, &[]));
        assert!(whole.may_grant(&[Permission::InviteMembers], false, true, &[]));
        assert!(!whole.may_grant(
            &[Permission::InviteMembers, Permission::ManageAccess],
            true,
            false,
            &[]
        ));
        let sup = Grants {
            super_admin: true,
            groups: Vec::new(),
        };
        assert!(sup.may_grant(&Permission::ALL, true, false, &[]));
    }

    #[test]
    fn the_whole_organisation_is_wider_than_any_subtree() {
        let [root, east, shanghai]: [Uuid; 3] = ids(3).try_into().unwrap();
        let scope = Scope::Departments(vec![east]);
        assert!(scope.contains(&[vec![root, east, shanghai]], false));
        assert!(!scope.contains(&[vec![root]], false));
        assert!(!scope.contains(&[], true));
        assert!(Scope::Organisation.contains(&[], true));
    }
}
