//! Every action the audit log records, as one enum.
//!
//! The stored string and the words in each language come from the table
//! below, so an action cannot be recorded without a translation (the locale
//! keys are checked when the crate compiles). Never rename a stored string:
//! rows already written keep it.
use crate::i18n::*;

macro_rules! actions {
    ($($variant:ident = $wire:literal => $key:ident,)*) => {
        /// What happened, e.g. `employee.created`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The string stored in `audit_log.action`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $wire,)*
                }
            }

            /// The action a stored string names.
            pub fn parse(stored: &str) -> Option<Action> {
                match stored {
                    $($wire => Some(Action::$variant),)*
                    _ => None,
                }
            }

            /// The words a person reads, in `locale`.
            pub fn text(self, locale: Locale) -> &'static str {
                match self {
                    $(Action::$variant => td_string!(locale, audit_actions.$key),)*
                }
            }
        }
    };
}

actions! {
    SignInSucceeded = "sign_in.succeeded" => sign_in_succeeded,
    SignInFailed = "sign_in.failed" => sign_in_failed,
    SignInPasswordAccepted = "sign_in.password_accepted" => sign_in_password_accepted,
    SignInEnrolmentRequired = "sign_in.enrolment_required" => sign_in_enrolment_required,
    SignInLocked = "sign_in.locked" => sign_in_locked,
    SignInRefused = "sign_in.refused" => sign_in_refused,
    SignOut = "sign_out" => sign_out,
    SignOutEverywhere = "sign_out.everywhere" => sign_out_everywhere,
    TotpEnabled = "totp.enabled" => totp_enabled,
    TotpReplaced = "totp.replaced" => totp_replaced,
    TotpResetByOperator = "totp.reset_by_operator" => totp_reset_by_operator,
    RecoveryCodeUsed = "recovery_code.used" => recovery_code_used,
    RecoveryCodesRegenerated = "recovery_codes.regenerated" => recovery_codes_regenerated,
    PasswordChanged = "password.changed" => password_changed,
    PasswordResetRequested = "password.reset_requested" => password_reset_requested,
    PasswordReset = "password.reset" => password_reset,
    PasswordResetNotSent = "password.reset_not_sent" => password_reset_not_sent,
    ReauthFailed = "reauth.failed" => reauth_failed,
    OperatorCreated = "operator.created" => operator_created,
    OrganisationCreated = "organisation.created" => organisation_created,
    RegistrationSubmitted = "registration.submitted" => registration_submitted,
    RegistrationApproved = "registration.approved" => registration_approved,
    RegistrationRejected = "registration.rejected" => registration_rejected,
    ReviewApplicationOpened = "review.application_opened" => review_application_opened,
    ReviewDocumentOpened = "review.document_opened" => review_document_opened,
    DepartmentCreated = "department.created" => department_created,
    DepartmentRenamed = "department.renamed" => department_renamed,
    DepartmentMoved = "department.moved" => department_moved,
    DepartmentReordered = "department.reordered" => department_reordered,
    DepartmentDeleted = "department.deleted" => department_deleted,
    DepartmentHeadsChanged = "department.heads_changed" => department_heads_changed,
    EmployeeCreated = "employee.created" => employee_created,
    EmployeeUpdated = "employee.updated" => employee_updated,
    EmployeeStatusChanged = "employee.status_changed" => employee_status_changed,
    EmployeeLeftDepartments = "employee.left_departments" => employee_left_departments,
    InvitationSent = "invitation.sent" => invitation_sent,
    InvitationRevoked = "invitation.revoked" => invitation_revoked,
    InvitationReminded = "invitation.reminded" => invitation_reminded,
    InvitationRenewalAsked = "invitation.renewal_asked" => invitation_renewal_asked,
    MemberActivated = "member.activated" => member_activated,
    JoinLinkRotated = "join_link.rotated" => join_link_rotated,
    JoinLinkRenewed = "join_link.renewed" => join_link_renewed,
    JoinRequested = "join_request.created" => join_requested,
    JoinRequestApproved = "join_request.approved" => join_request_approved,
    JoinRequestRejected = "join_request.rejected" => join_request_rejected,
    ContactsImported = "contacts.imported" => contacts_imported,
    ContactsExported = "contacts.exported" => contacts_exported,
    ApprovalTemplateCreated = "approval_template.created" => approval_template_created,
    ApprovalTemplateSaved = "approval_template.saved" => approval_template_saved,
    ApprovalTemplatePublished = "approval_template.published" => approval_template_published,
    ApprovalTemplateEnabled = "approval_template.enabled" => approval_template_enabled,
    ApprovalSubmitted = "approval.submitted" => approval_submitted,
    ApprovalApproved = "approval.approved" => approval_approved,
    ApprovalRejected = "approval.rejected" => approval_rejected,
    ApprovalReturned = "approval.returned" => approval_returned,
    ApprovalResubmitted = "approval.resubmitted" => approval_resubmitted,
    ApprovalWithdrawn = "approval.withdrawn" => approval_withdrawn,
    ApprovalRevoked = "approval.revoked" => approval_revoked,
    ApprovalTransferred = "approval.transferred" => approval_transferred,
    ApprovalApproverAdded = "approval.approver_added" => approval_approver_added,
    ApprovalUrged = "approval.urged" => approval_urged,
    ApprovalDelegationSet = "approval.delegation_set" => approval_delegation_set,
    ApprovalDelegationCancelled = "approval.delegation_cancelled" => approval_delegation_cancelled,
    ApprovalTasksHandedOver = "approval.tasks_handed_over" => approval_tasks_handed_over,
    ApprovalAdminSet = "approval.admin_set" => approval_admin_set,
    SuperAdminGranted = "access.super_admin_granted" => super_admin_granted,
    SuperAdminRemoved = "access.super_admin_removed" => super_admin_removed,
    CreatorTransferred = "access.creator_transferred" => creator_transferred,
    AdminGroupCreated = "access.group_created" => admin_group_created,
    AdminGroupChanged = "access.group_changed" => admin_group_changed,
    AdminGroupDeleted = "access.group_deleted" => admin_group_deleted,
    AdminGroupMembersChanged = "access.group_members_changed" => admin_group_members_changed,
    SecuritySettingsChanged = "security.settings_changed" => security_settings_changed,
    SessionEnded = "session.ended" => session_ended,
    SecurityCheckupFixed = "security.checkup_fixed" => security_checkup_fixed,
    SessionsEndedByAdministrator = "session.ended_by_administrator" => sessions_ended_by_administrator,
    AuditExported = "audit.exported" => audit_exported,
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos_i18n::Locale as _;
    use std::collections::HashSet;

    #[test]
    fn every_action_reads_back_and_has_its_own_words_in_every_language() {
        let mut stored = HashSet::new();
        for &action in Action::ALL {
            assert!(stored.insert(action.as_str()), "{action:?} stored twice");
            assert_eq!(Action::parse(action.as_str()), Some(action));
            let mut texts = HashSet::new();
            for &locale in Locale::get_all() {
                let text = action.text(locale);
                assert!(
                    !text.trim().is_empty() && text != action.as_str(),
                    "{action:?} in {locale:?}"
                );
                texts.insert(text);
            }
            assert_eq!(
                texts.len(),
                Locale::get_all().len(),
                "{action:?} reads the same in two languages"
            );
        }
    }
}
