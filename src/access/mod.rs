//! Who may do what. Today only the contacts server functions ask
//! [`require`] for the permission they need; the audit log and the operator
//! area still check the account's kind and role in `auth::guard`. The roles
//! issue replaces both with roles an administrator assigns. Until then the
//! super administrator holds every permission and nobody else any.
use serde::{Deserialize, Serialize};

/// Something a member may be allowed to do in their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    /// Read the department tree, members and the org chart.
    ViewContacts,
    /// Create, change, move and delete departments and employees.
    ManageContacts,
}

/// Whether a member with `role` holds `permission`.
pub fn grants(role: Option<&str>, _permission: Permission) -> bool {
    role == Some("super_admin")
}

/// The signed-in member and their organisation, if they hold `permission`;
/// else 401 (not signed in) or 403.
#[cfg(feature = "ssr")]
pub async fn require(
    permission: Permission,
) -> Result<(crate::auth::guard::Principal, uuid::Uuid), crate::error::AppError> {
    let (principal, org) = crate::auth::guard::require_member().await?;
    if grants(principal.account.role.as_deref(), permission) {
        Ok((principal, org))
    } else {
        Err(crate::error::AppError::forbidden())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_super_administrator_holds_contacts_permissions() {
        for p in [Permission::ViewContacts, Permission::ManageContacts] {
            assert!(grants(Some("super_admin"), p));
            assert!(!grants(Some("admin"), p));
            assert!(!grants(Some("employee"), p));
            assert!(!grants(None, p));
        }
    }
}
