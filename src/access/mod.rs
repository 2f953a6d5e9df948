//! Who may do what. The permissions are a fixed list ([`Permission`]);
//! every server function asks [`require`] for the one it needs over its
//! target, and nothing else decides. A super administrator holds every
//! permission over the whole organisation; a delegated administrator holds
//! those of their admin groups, each over the group's scope.
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
mod grants;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub use grants::*;

/// Admin groups an organisation may have.
pub const MAX_GROUPS: usize = 100;
/// Members of one admin group.
pub const MAX_GROUP_MEMBERS: usize = 200;
/// Subtrees in one admin group's scope.
pub const MAX_GROUP_DEPARTMENTS: usize = 100;
/// Super administrators beyond this many are a finding of the security check-up.
pub const MANY_SUPER_ADMINS: usize = 5;

/// An administrator as the access page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminRef {
    pub id: String,
    pub name: String,
    pub userid: String,
    /// Has a second factor (an administrator without one is a risk).
    pub totp_enabled: bool,
}

/// Where an admin group's permissions hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupScope {
    /// The whole organisation.
    Organisation,
    /// Chosen departments and everything below them.
    Departments,
    /// Each member's own departments and everything below them.
    OwnDepartments,
}

impl GroupScope {
    pub const fn as_str(self) -> &'static str {
        match self {
            GroupScope::Organisation => "organisation",
            GroupScope::Departments => "departments",
            GroupScope::OwnDepartments => "own_departments",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            GroupScope::Organisation,
            GroupScope::Departments,
            GroupScope::OwnDepartments,
        ]
        .into_iter()
        .find(|g| g.as_str() == s)
    }
}

/// One admin group (管理组) with its permissions, scope and members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminGroup {
    pub id: String,
    pub name: String,
    /// Permission names (`Permission::as_str`).
    pub permissions: Vec<String>,
    pub scope: GroupScope,
    /// With `GroupScope::Departments`: (id, "A / B / name").
    pub departments: Vec<(String, String)>,
    pub members: Vec<AdminRef>,
    pub version: i32,
}

/// What `/admin/access` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPage {
    pub creator: Option<AdminRef>,
    pub super_admins: Vec<AdminRef>,
    /// The groups the caller may see and change (all of them for a super administrator).
    pub groups: Vec<AdminGroup>,
    /// The caller is a super administrator (only they grant that role).
    pub caller_is_super_admin: bool,
    /// The caller is the creator (only they pass the role on).
    pub caller_is_creator: bool,
    /// The caller's own id.
    pub caller_id: String,
    /// The permissions the caller may put into a group.
    pub grantable: Vec<String>,
}

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
}
