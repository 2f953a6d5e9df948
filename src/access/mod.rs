//! Who may do what. The permissions are a fixed list ([`Permission`]).
//! Today only the contacts server functions ask
//! [`require`] for the permission they need; the audit log and the operator
//! area still check the account's kind and role in `auth::guard`. The roles
//! issue replaces both with roles an administrator assigns. Until then the
//! super administrator holds every permission and nobody else any.
use serde::{Deserialize, Serialize};

/// Something a member may be allowed to do in their organisation, or an
/// operator on the platform. The list is fixed in code: nothing is allowed
/// unless a permission grants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// Read the department tree, members and the org chart.
    ViewContacts,
    /// Create, change, move and delete departments and employees.
    ManageContacts,
    /// Send, resend and revoke invitations to join.
    InviteMembers,
    /// Import people from a file and export them to one.
    ImportExportContacts,
    /// Grant and remove roles; manage admin groups, their scopes and members.
    ManageAccess,
    /// Change the organisation's security settings.
    SecuritySettings,
    /// Create and publish approval templates and their flows.
    ManageApprovalTemplates,
    /// Read the audit log.
    ViewAuditLog,
    /// Read the personal data in applications to register (operators).
    ViewApplicationData,
}

impl Permission {
    /// Every permission, in the order they are listed to a person.
    pub const ALL: [Permission; 9] = [
        Permission::ViewContacts,
        Permission::ManageContacts,
        Permission::InviteMembers,
        Permission::ImportExportContacts,
        Permission::ManageAccess,
        Permission::SecuritySettings,
        Permission::ManageApprovalTemplates,
        Permission::ViewAuditLog,
        Permission::ViewApplicationData,
    ];

    /// The name stored with a role or an admin group, and written to the
    /// audit log.
    pub const fn as_str(self) -> &'static str {
        match self {
            Permission::ViewContacts => "contacts.view",
            Permission::ManageContacts => "contacts.manage",
            Permission::InviteMembers => "members.invite",
            Permission::ImportExportContacts => "contacts.import_export",
            Permission::ManageAccess => "access.manage",
            Permission::SecuritySettings => "security.settings",
            Permission::ManageApprovalTemplates => "approvals.templates",
            Permission::ViewAuditLog => "audit.view",
            Permission::ViewApplicationData => "applications.personal_data",
        }
    }

    /// The permission stored as `name`, if there is one.
    pub fn parse(name: &str) -> Option<Permission> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// Held by platform operators only, never by an organisation's members.
    pub const fn operators_only(self) -> bool {
        matches!(self, Permission::ViewApplicationData)
    }

    /// What the permission allows, in `locale`.
    pub fn description(self, locale: crate::i18n::Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            Permission::ViewContacts => td_string!(locale, permissions.view_contacts),
            Permission::ManageContacts => td_string!(locale, permissions.manage_contacts),
            Permission::InviteMembers => td_string!(locale, permissions.invite_members),
            Permission::ImportExportContacts => {
                td_string!(locale, permissions.import_export_contacts)
            }
            Permission::ManageAccess => td_string!(locale, permissions.manage_access),
            Permission::SecuritySettings => td_string!(locale, permissions.security_settings),
            Permission::ManageApprovalTemplates => {
                td_string!(locale, permissions.manage_approval_templates)
            }
            Permission::ViewAuditLog => td_string!(locale, permissions.view_audit_log),
            Permission::ViewApplicationData => {
                td_string!(locale, permissions.view_application_data)
            }
        }
    }
}

/// Whether a member with `role` holds `permission`.
pub fn grants(role: Option<&str>, permission: Permission) -> bool {
    role == Some("super_admin") && !permission.operators_only()
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
    fn every_permission_has_its_own_name_and_words_in_every_language() {
        use crate::i18n::Locale;
        use leptos_i18n::Locale as _;
        let mut names = std::collections::HashSet::new();
        for p in Permission::ALL {
            assert!(names.insert(p.as_str()), "{p:?} shares its name");
            assert_eq!(Permission::parse(p.as_str()), Some(p));
            let mut words = std::collections::HashSet::new();
            for &locale in Locale::get_all() {
                let text = p.description(locale);
                assert!(!text.trim().is_empty(), "{p:?} has no words in {locale:?}");
                words.insert(text);
            }
            assert_eq!(
                words.len(),
                Locale::get_all().len(),
                "{p:?} reads the same in two languages"
            );
        }
        assert_eq!(Permission::parse("contacts.delete_everything"), None);
        let descriptions: std::collections::HashSet<_> = Permission::ALL
            .iter()
            .map(|p| p.description(Locale::en))
            .collect();
        assert_eq!(
            descriptions.len(),
            Permission::ALL.len(),
            "two permissions read alike"
        );
        assert_eq!(
            Permission::ALL
                .iter()
                .filter(|p| p.operators_only())
                .count(),
            1,
            "only the applications' personal data is the operators'"
        );
    }

    #[test]
    fn only_the_super_administrator_holds_contacts_permissions() {
        assert!(!grants(
            Some("super_admin"),
            Permission::ViewApplicationData
        ));
        for p in [Permission::ViewContacts, Permission::ManageContacts] {
            assert!(grants(Some("super_admin"), p));
            assert!(!grants(Some("admin"), p));
            assert!(!grants(Some("employee"), p));
            assert!(!grants(None, p));
        }
    }
}
