//! Every error code Orgdesk sends, as one enum.
//!
//! The wire string, the translated sentence in each language and the list the
//! UI knows are all generated from the table below, so a code cannot be sent
//! without a sentence: the translation key is checked when the crate compiles
//! (the locale files are typed), and `every_code_has_its_own_sentence` checks
//! that no two languages fall back to the generic text. Never rename a wire
//! string: it is part of the contract with browsers that are already open.
use crate::i18n::*;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! codes {
    ($($variant:ident = $wire:literal => $key:ident,)*) => {
        /// A stable, machine-readable reason, e.g. `mobile.format`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
            /// A code this build does not know (sent by a newer server), or
            /// a failure that has no better name.
            Unknown,
        }

        impl Code {
            /// Every code but [`Code::Unknown`].
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The dotted wire string.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $wire,)*
                    Code::Unknown => "unknown",
                }
            }

            /// The code a wire string names; [`Code::Unknown`] for any other.
            pub fn parse(wire: &str) -> Code {
                match wire {
                    $($wire => Code::$variant,)*
                    _ => Code::Unknown,
                }
            }

            /// The sentence a person sees, in `locale`.
            pub fn text(self, locale: Locale) -> &'static str {
                match self {
                    $(Code::$variant => td_string!(locale, errors.$key),)*
                    Code::Unknown => td_string!(locale, errors.unknown),
                }
            }
        }
    };
}

codes! {
    ValidationInvalid = "validation.invalid" => validation,
    ValidationRequired = "validation.required" => required,
    ValidationChoice = "validation.choice" => choice,
    AuthUnauthenticated = "auth.unauthenticated" => unauthenticated,
    AuthForbidden = "auth.forbidden" => forbidden,
    NotFound = "not_found" => not_found,
    Conflict = "conflict" => conflict,
    RateLimited = "rate_limited" => too_many_requests,
    Internal = "internal" => internal,
    Network = "network" => network,
    MobileRequired = "mobile.required" => mobile_required,
    MobileFormat = "mobile.format" => mobile_format,
    MobileMainland = "mobile.mainland" => mobile_mainland,
    MobileInvalid = "mobile.invalid" => mobile_invalid,
    EmailRequired = "email.required" => email_required,
    EmailTooLong = "email.too_long" => email_too_long,
    EmailFormat = "email.format" => email_format,
    EmailDomain = "email.domain" => email_domain,
    CreditCodeRequired = "credit_code.required" => credit_code_required,
    CreditCodeLength = "credit_code.length" => credit_code_length,
    CreditCodeCharset = "credit_code.charset" => credit_code_charset,
    CreditCodeChecksum = "credit_code.checksum" => credit_code_checksum,
    ResidentIdRequired = "resident_id.required" => resident_id_required,
    ResidentIdLength = "resident_id.length" => resident_id_length,
    ResidentIdFormat = "resident_id.format" => resident_id_format,
    ResidentIdRegion = "resident_id.region" => resident_id_region,
    ResidentIdBirthDate = "resident_id.birth_date" => resident_id_birth_date,
    ResidentIdChecksum = "resident_id.checksum" => resident_id_checksum,
    PasswordRequired = "password.required" => password_required,
    PasswordTooShort = "password.too_short" => password_too_short,
    PasswordTooLong = "password.too_long" => password_too_long,
    PasswordCommon = "password.common" => password_common,
    PasswordBelowPolicy = "password.below_policy" => password_below_policy,
    PasswordPersonal = "password.personal" => password_personal,
    PasswordExpired = "password.expired" => password_expired,
    CodeCooldown = "code.cooldown" => code_cooldown,
    CodeDailyLimit = "code.daily_limit" => code_daily_limit,
    CodeIpLimit = "code.ip_limit" => code_ip_limit,
    CodeFormat = "code.format" => code_format,
    CodeNotSent = "code.not_sent" => code_not_sent,
    CodeInvalid = "code.invalid" => code_invalid,
    CodeExpired = "code.expired" => code_expired,
    CodeUsed = "code.used" => code_used,
    CodeTooManyAttempts = "code.too_many_attempts" => code_too_many_attempts,
    CodeMismatch = "code.mismatch" => code_mismatch,
    AuthInvalidCredentials = "auth.invalid_credentials" => invalid_credentials,
    AuthLocked = "auth.locked" => locked,
    AuthDisabled = "auth.disabled" => disabled,
    AuthInvalidCode = "auth.invalid_code" => invalid_code,
    AuthTotpReplayed = "auth.totp_replayed" => totp_replayed,
    AuthWrongPassword = "auth.wrong_password" => wrong_password,
    AuthEnrolmentMissing = "auth.enrolment_missing" => enrolment_missing,
    AuthSetupToken = "auth.setup_token" => setup_token,
    ValidationTooLong = "validation.too_long" => too_long,
    CodeChallengeRequired = "code.challenge_required" => code_challenge_required,
    CodeSessionLimit = "code.session_limit" => code_session_limit,
    ValidationEncoding = "validation.encoding" => encoding,
    ValidationControlCharacters = "validation.control_characters" => control_characters,
    ValidationFormat = "validation.format" => format,
    RegistrationNotEditable = "registration.not_editable" => registration_not_editable,
    RegistrationNoApplication = "registration.no_application" => registration_no_application,
    RegistrationCreditCodeTaken = "registration.credit_code_taken" => registration_credit_code_taken,
    RegistrationMobileUnverified = "registration.mobile_unverified" => registration_mobile_unverified,
    RegistrationEmailUnverified = "registration.email_unverified" => registration_email_unverified,
    RegistrationTermsRequired = "registration.terms_required" => registration_terms_required,
    RegistrationNameTooShort = "registration.name_too_short" => registration_name_too_short,
    CreditCodeChecksumConfirm = "credit_code.checksum_confirm" => credit_code_checksum_confirm,
    PasswordMismatch = "password.mismatch" => password_mismatch,
    DocumentRequired = "document.required" => document_required,
    DocumentTooLarge = "document.too_large" => document_too_large,
    DocumentType = "document.type" => document_type,
    DocumentEmpty = "document.empty" => document_empty,
    DocumentInvalid = "document.invalid" => document_invalid,
    DocumentKind = "document.kind" => document_kind,
    ReviewAlreadyDecided = "review.already_decided" => review_already_decided,
    ReviewReasonRequired = "review.reason_required" => review_reason_required,
    DepartmentNameTooLong = "department.name_too_long" => department_name_too_long,
    DepartmentNameChars = "department.name_chars" => department_name_chars,
    DepartmentNameTaken = "department.name_taken" => department_name_taken,
    DepartmentTooDeep = "department.too_deep" => department_too_deep,
    DepartmentLimit = "department.limit" => department_limit,
    DepartmentMoveIntoItself = "department.move_into_itself" => department_move_into_itself,
    DepartmentSameParent = "department.same_parent" => department_same_parent,
    DepartmentRootFixed = "department.root_fixed" => department_root_fixed,
    DepartmentHasChildren = "department.has_children" => department_has_children,
    DepartmentHasMembers = "department.has_members" => department_has_members,
    DepartmentHeadNotMember = "department.head_not_member" => department_head_not_member,
    EmployeeUseridFormat = "employee.userid_format" => employee_userid_format,
    EmployeeUseridTaken = "employee.userid_taken" => employee_userid_taken,
    EmployeeEmailTaken = "employee.email_taken" => employee_email_taken,
    EmployeeMobileTaken = "employee.mobile_taken" => employee_mobile_taken,
    EmployeeContactRequired = "employee.contact_required" => employee_contact_required,
    EmployeeNameTooLong = "employee.name_too_long" => employee_name_too_long,
    EmployeeDateFormat = "employee.date_format" => employee_date_format,
    EmployeeDateRange = "employee.date_range" => employee_date_range,
    EmployeeMainDepartment = "employee.main_department" => employee_main_department,
    EmployeeManagerUnknown = "employee.manager_unknown" => employee_manager_unknown,
    EmployeeManagerSelf = "employee.manager_self" => employee_manager_self,
    EmployeeTooManyManagers = "employee.too_many_managers" => employee_too_many_managers,
    EmployeeTooManyDepartments = "employee.too_many_departments" => employee_too_many_departments,
    DepartmentTooManyHeads = "department.too_many_heads" => department_too_many_heads,
    EmployeeStatusInvalid = "employee.status_invalid" => employee_status_invalid,
    EmployeeStatusSelf = "employee.status_self" => employee_status_self,
    EmployeeLastSuperAdmin = "employee.last_super_admin" => employee_last_super_admin,
    EmployeeDepartmentRequired = "employee.department_required" => employee_department_required,
    EmployeeDepartmentUnknown = "employee.department_unknown" => employee_department_unknown,
    InvitationAlreadyJoined = "invitation.already_joined" => invitation_already_joined,
    InvitationNotActive = "invitation.not_active" => invitation_not_active,
    InvitationNoAddress = "invitation.no_address" => invitation_no_address,
    InvitationNoChannel = "invitation.no_channel" => invitation_no_channel,
    InvitationNoneOpen = "invitation.none_open" => invitation_none_open,
    InvitationAlreadyOpen = "invitation.already_open" => invitation_already_open,
    MemberCapReached = "organisation.member_cap" => member_cap_reached,
    JoinLinkNone = "join_link.none" => join_link_none,
    JoinLinkDead = "join_link.dead" => join_link_dead,
    JoinRequestDecided = "join_request.decided" => join_request_decided,
    JoinRequestsFull = "join_request.full" => join_requests_full,
    InvitationTooMany = "invitation.too_many" => invitation_too_many,
    InvitationNoLink = "invitation.no_link" => invitation_no_link,
    InvitationUsed = "invitation.used" => invitation_used,
    InvitationExpired = "invitation.expired" => invitation_expired,
    InvitationDead = "invitation.dead" => invitation_dead,
    AccessPersonElsewhere = "access.person_elsewhere" => access_person_elsewhere,
    AccessPersonInactive = "access.person_inactive" => access_person_inactive,
    AccessCreatorStays = "access.creator_stays" => access_creator_stays,
    AccessCreatorNotSuperAdmin = "access.creator_not_super_admin" => access_creator_not_super_admin,
    AccessPermissionsRequired = "access.permissions_required" => access_permissions_required,
    AccessDepartmentsRequired = "access.departments_required" => access_departments_required,
    AccessTooManyDepartments = "access.too_many_departments" => access_too_many_departments,
    AccessBeyondOwn = "access.beyond_own" => access_beyond_own,
    AccessGroupNameTaken = "access.group_name_taken" => access_group_name_taken,
    AccessTooManyGroups = "access.too_many_groups" => access_too_many_groups,
    AccessTooManyMembers = "access.too_many_members" => access_too_many_members,
    AccessMemberUnknown = "access.member_unknown" => access_member_unknown,
    SecurityOutOfBounds = "security.out_of_bounds" => security_out_of_bounds,
    SessionCurrent = "session.current" => session_current,
    AuditDateFormat = "audit.date_format" => audit_date_format,
    AuditDateOrder = "audit.date_order" => audit_date_order,
    ImportEmpty = "import.empty" => import_empty,
    ImportFileType = "import.file_type" => import_file_type,
    ImportFileTooLarge = "import.file_too_large" => import_file_too_large,
    ImportMixedEncodings = "import.mixed_encodings" => import_mixed_encodings,
    ImportEncoding = "import.encoding" => import_encoding,
    ImportUnreadable = "import.unreadable" => import_unreadable,
    ImportTooManyRows = "import.too_many_rows" => import_too_many_rows,
    ImportMissingColumns = "import.missing_columns" => import_missing_columns,
    ImportPersonLeft = "import.person_left" => import_person_left,
    ImportOutsideScope = "import.outside_scope" => import_outside_scope,
    ImportAdministratorAddress = "import.administrator_address" => import_administrator_address,
    ImportSuperAdmin = "import.super_admin" => import_super_admin,
    ImportDuplicate = "import.duplicate" => import_duplicate,
    ImportManagerRowWrong = "import.manager_row_wrong" => import_manager_row_wrong,
    ImportBusy = "import.busy" => import_busy,
    ImportConfirmSync = "import.confirm_sync" => import_confirm_sync,
    ImportChanged = "import.changed" => import_changed,
    ImportInterrupted = "import.interrupted" => import_interrupted,
    ImportOldExcel = "import.old_excel" => import_old_excel,
    ImportUnpackedTooLarge = "import.unpacked_too_large" => import_unpacked_too_large,
    ImportAdministrator = "import.administrator" => import_administrator,
    ApprovalsFormEmpty = "approvals.form_empty" => approvals_form_empty,
    ApprovalsTooManyControls = "approvals.too_many_controls" => approvals_too_many_controls,
    ApprovalsTooManyFiles = "approvals.too_many_files" => approvals_too_many_files,
    ApprovalsTooManyRows = "approvals.too_many_rows" => approvals_too_many_rows,
    ApprovalsControlId = "approvals.control_id" => approvals_control_id,
    ApprovalsDuplicateControl = "approvals.duplicate_control" => approvals_duplicate_control,
    ApprovalsLabel = "approvals.label" => approvals_label,
    ApprovalsLimits = "approvals.limits" => approvals_limits,
    ApprovalsOptions = "approvals.options" => approvals_options,
    ApprovalsTableColumns = "approvals.table_columns" => approvals_table_columns,
    ApprovalsOutOfRange = "approvals.out_of_range" => approvals_out_of_range,
    ApprovalsMoneyFormat = "approvals.money_format" => approvals_money_format,
    ApprovalsOption = "approvals.option" => approvals_option,
    ApprovalsTooManyPicked = "approvals.too_many_picked" => approvals_too_many_picked,
    ApprovalsUnknownPick = "approvals.unknown_pick" => approvals_unknown_pick,
    ApprovalsRangeOrder = "approvals.range_order" => approvals_range_order,
    ApprovalsFlowEmpty = "approvals.flow_empty" => approvals_flow_empty,
    ApprovalsTooManyNodes = "approvals.too_many_nodes" => approvals_too_many_nodes,
    ApprovalsNodeId = "approvals.node_id" => approvals_node_id,
    ApprovalsRule = "approvals.rule" => approvals_rule,
    ApprovalsTooDeep = "approvals.too_deep" => approvals_too_deep,
    ApprovalsBranches = "approvals.branches" => approvals_branches,
    ApprovalsBranchDefault = "approvals.branch_default" => approvals_branch_default,
    ApprovalsCondition = "approvals.condition" => approvals_condition,
    ApprovalsTooManyApprovers = "approvals.too_many_approvers" => approvals_too_many_approvers,
    ApprovalsChooseApprover = "approvals.choose_approver" => approvals_choose_approver,
    ApprovalsNotPublished = "approvals.not_published" => approvals_not_published,
    ApprovalsTemplateOff = "approvals.template_off" => approvals_template_off,
    ApprovalsNotSubmitter = "approvals.not_submitter" => approvals_not_submitter,
    ApprovalsDecided = "approvals.decided" => approvals_decided,
    ApprovalsCommentRequired = "approvals.comment_required" => approvals_comment_required,
    ApprovalsNotWithdrawable = "approvals.not_withdrawable" => approvals_not_withdrawable,
    ApprovalsNoDepartment = "approvals.no_department" => approvals_no_department,
    ApprovalsNoReturn = "approvals.no_return" => approvals_no_return,
    ApprovalsTooManySubmissions = "approvals.too_many_submissions" => approvals_too_many_submissions,
    ApprovalsDesignTooLarge = "approvals.design_too_large" => approvals_design_too_large,
    ApprovalsHandTo = "approvals.hand_to" => approvals_hand_to,
    ApprovalsAdminInactive = "approvals.admin_inactive" => approvals_admin_inactive,
    ApprovalsUrgedRecently = "approvals.urged_recently" => approvals_urged_recently,
    ApprovalsDelegationCycle = "approvals.delegation_cycle" => approvals_delegation_cycle,
    ApprovalsDelegationOverlap = "approvals.delegation_overlap" => approvals_delegation_overlap,
    ApprovalsDelegationWindow = "approvals.delegation_window" => approvals_delegation_window,
    ApprovalsTooManyUploads = "approvals.too_many_uploads" => approvals_too_many_uploads,
    ApprovalsFileType = "approvals.file_type" => approvals_file_type,
    ApprovalsFileTooLarge = "approvals.file_too_large" => approvals_file_too_large,
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Code::parse(&wire))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos_i18n::Locale as _;

    #[test]
    fn every_code_has_its_own_sentence_in_every_language() {
        for &locale in Locale::get_all() {
            let generic = Code::Unknown.text(locale);
            for code in Code::ALL {
                assert_ne!(
                    code.text(locale),
                    generic,
                    "{code} falls back to the generic text in {}",
                    locale.as_str()
                );
            }
        }
    }

    #[test]
    fn wire_strings_are_unique_and_read_back() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(Code::parse(code.as_str()), code);
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), code);
        }
        assert_eq!(Code::parse("no.such.code"), Code::Unknown);
    }

    #[test]
    fn the_department_codes_the_server_sends_say_what_is_wrong() {
        // The server once sent "employee.department_required" while the
        // pages knew "employee.department.required": the picker showed the
        // generic error.
        assert_eq!(
            Code::EmployeeDepartmentRequired.text(Locale::en),
            "Choose at least one department."
        );
        assert_eq!(
            Code::parse("employee.department_unknown"),
            Code::EmployeeDepartmentUnknown
        );
    }
}
