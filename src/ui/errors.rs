//! Stable error codes to words, in the visitor's language.
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;

/// Every code the server sends that the UI knows how to say.
pub const KNOWN_CODES: &[&str] = &[
    "validation.invalid",
    "validation.required",
    "validation.choice",
    "auth.unauthenticated",
    "auth.forbidden",
    "not_found",
    "conflict",
    "rate_limited",
    "internal",
    "network",
    "mobile.required",
    "mobile.format",
    "mobile.mainland",
    "mobile.invalid",
    "email.required",
    "email.too_long",
    "email.format",
    "email.domain",
    "credit_code.required",
    "credit_code.length",
    "credit_code.charset",
    "credit_code.checksum",
    "resident_id.required",
    "resident_id.length",
    "resident_id.format",
    "resident_id.region",
    "resident_id.birth_date",
    "resident_id.checksum",
    "password.required",
    "password.too_short",
    "password.too_long",
    "password.common",
    "code.cooldown",
    "code.daily_limit",
    "code.ip_limit",
    "code.format",
    "code.not_sent",
    "code.invalid",
    "code.expired",
    "code.used",
    "code.too_many_attempts",
    "code.mismatch",
    "auth.invalid_credentials",
    "auth.locked",
    "auth.disabled",
    "auth.invalid_code",
    "auth.totp_replayed",
    "auth.wrong_password",
    "auth.enrolment_missing",
    "auth.setup_token",
    "validation.too_long",
    "code.challenge_required",
    "code.session_limit",
    "validation.encoding",
    "validation.control_characters",
    "validation.format",
    "registration.not_editable",
    "registration.no_application",
    "registration.credit_code_taken",
    "registration.mobile_unverified",
    "registration.email_unverified",
    "registration.terms_required",
    "registration.name_too_short",
    "credit_code.checksum_confirm",
    "password.mismatch",
    "document.required",
    "document.too_large",
    "document.type",
    "document.empty",
    "document.invalid",
    "document.kind",
    "review.already_decided",
    "review.reason_required",
    "department.name_too_long",
    "department.name_chars",
    "department.name_taken",
    "department.too_deep",
    "department.limit",
    "department.move_into_itself",
    "department.same_parent",
    "department.root_fixed",
    "department.has_children",
    "department.has_members",
    "department.head_not_member",
    "employee.userid_format",
    "employee.userid_taken",
    "employee.email_taken",
    "employee.mobile_taken",
    "employee.contact_required",
    "employee.name_too_long",
    "employee.date_format",
    "employee.date_range",
    crate::contacts::DEPARTMENT_REQUIRED,
    crate::contacts::DEPARTMENT_UNKNOWN,
    "employee.main_department",
    "employee.manager_unknown",
    "employee.manager_self",
    "employee.too_many_managers",
    "employee.too_many_departments",
    "department.too_many_heads",
    "employee.status_invalid",
    "employee.status_self",
    "employee.last_super_admin",
];

/// The sentence for `code` in `locale`; unknown codes get a generic sentence.
pub fn code_text(locale: Locale, code: &str) -> &'static str {
    macro_rules! say {
        ($key:ident) => {
            td_string!(locale, errors.$key)
        };
    }
    match code {
        "validation.invalid" => say!(validation),
        "validation.required" => say!(required),
        "validation.choice" => say!(choice),
        "auth.unauthenticated" => say!(unauthenticated),
        "auth.forbidden" | "forbidden" => say!(forbidden),
        "not_found" => say!(not_found),
        "conflict" => say!(conflict),
        "rate_limited" => say!(too_many_requests),
        "internal" => say!(internal),
        "network" => say!(network),
        "mobile.required" => say!(mobile_required),
        "mobile.format" => say!(mobile_format),
        "mobile.mainland" => say!(mobile_mainland),
        "mobile.invalid" => say!(mobile_invalid),
        "email.required" => say!(email_required),
        "email.too_long" => say!(email_too_long),
        "email.format" => say!(email_format),
        "email.domain" => say!(email_domain),
        "credit_code.required" => say!(credit_code_required),
        "credit_code.length" => say!(credit_code_length),
        "credit_code.charset" => say!(credit_code_charset),
        "credit_code.checksum" => say!(credit_code_checksum),
        "resident_id.required" => say!(resident_id_required),
        "resident_id.length" => say!(resident_id_length),
        "resident_id.format" => say!(resident_id_format),
        "resident_id.region" => say!(resident_id_region),
        "resident_id.birth_date" => say!(resident_id_birth_date),
        "resident_id.checksum" => say!(resident_id_checksum),
        "password.required" => say!(password_required),
        "password.too_short" => say!(password_too_short),
        "password.too_long" => say!(password_too_long),
        "password.common" => say!(password_common),
        "code.cooldown" => say!(code_cooldown),
        "code.daily_limit" => say!(code_daily_limit),
        "code.ip_limit" => say!(code_ip_limit),
        "code.format" => say!(code_format),
        "code.not_sent" => say!(code_not_sent),
        "code.invalid" => say!(code_invalid),
        "code.expired" => say!(code_expired),
        "code.used" => say!(code_used),
        "code.too_many_attempts" => say!(code_too_many_attempts),
        "code.mismatch" => say!(code_mismatch),
        "auth.invalid_credentials" => say!(invalid_credentials),
        "auth.locked" => say!(locked),
        "auth.disabled" => say!(disabled),
        "auth.invalid_code" => say!(invalid_code),
        "auth.totp_replayed" => say!(totp_replayed),
        "auth.wrong_password" => say!(wrong_password),
        "auth.enrolment_missing" => say!(enrolment_missing),
        "auth.setup_token" => say!(setup_token),
        "validation.too_long" => say!(too_long),
        "code.challenge_required" => say!(code_challenge_required),
        "code.session_limit" => say!(code_session_limit),
        "validation.encoding" => say!(encoding),
        "validation.control_characters" => say!(control_characters),
        "validation.format" => say!(format),
        "registration.not_editable" => say!(registration_not_editable),
        "registration.no_application" => say!(registration_no_application),
        "registration.credit_code_taken" => say!(registration_credit_code_taken),
        "registration.mobile_unverified" => say!(registration_mobile_unverified),
        "registration.email_unverified" => say!(registration_email_unverified),
        "registration.terms_required" => say!(registration_terms_required),
        "registration.name_too_short" => say!(registration_name_too_short),
        "credit_code.checksum_confirm" => say!(credit_code_checksum_confirm),
        "password.mismatch" => say!(password_mismatch),
        "document.required" => say!(document_required),
        "document.too_large" => say!(document_too_large),
        "document.type" => say!(document_type),
        "document.empty" => say!(document_empty),
        "document.invalid" => say!(document_invalid),
        "document.kind" => say!(document_kind),
        "review.already_decided" => say!(review_already_decided),
        "review.reason_required" => say!(review_reason_required),
        "department.name_too_long" => say!(department_name_too_long),
        "department.name_chars" => say!(department_name_chars),
        "department.name_taken" => say!(department_name_taken),
        "department.too_deep" => say!(department_too_deep),
        "department.limit" => say!(department_limit),
        "department.move_into_itself" => say!(department_move_into_itself),
        "department.same_parent" => say!(department_same_parent),
        "department.root_fixed" => say!(department_root_fixed),
        "department.has_children" => say!(department_has_children),
        "department.has_members" => say!(department_has_members),
        "department.head_not_member" => say!(department_head_not_member),
        "employee.userid_format" => say!(employee_userid_format),
        "employee.userid_taken" => say!(employee_userid_taken),
        "employee.email_taken" => say!(employee_email_taken),
        "employee.mobile_taken" => say!(employee_mobile_taken),
        "employee.contact_required" => say!(employee_contact_required),
        "employee.name_too_long" => say!(employee_name_too_long),
        "employee.date_format" => say!(employee_date_format),
        "employee.date_range" => say!(employee_date_range),
        crate::contacts::DEPARTMENT_REQUIRED => say!(employee_department_required),
        crate::contacts::DEPARTMENT_UNKNOWN => say!(employee_department_unknown),
        "employee.main_department" => say!(employee_main_department),
        "employee.manager_unknown" => say!(employee_manager_unknown),
        "employee.manager_self" => say!(employee_manager_self),
        "employee.too_many_managers" => say!(employee_too_many_managers),
        "employee.too_many_departments" => say!(employee_too_many_departments),
        "department.too_many_heads" => say!(department_too_many_heads),
        "employee.status_invalid" => say!(employee_status_invalid),
        "employee.status_self" => say!(employee_status_self),
        "employee.last_super_admin" => say!(employee_last_super_admin),
        _ => say!(unknown),
    }
}

/// A translated message for an error, with the reference for internal errors.
#[component]
pub fn AppErrorView(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    // A validation error about the whole application (not one field) says
    // what it is instead of "some fields need attention".
    let code = match error.field_code("application") {
        Some(whole) => KNOWN_CODES
            .iter()
            .copied()
            .find(|c| *c == whole)
            .unwrap_or("validation.invalid"),
        None => error.code(),
    };
    let reference = match &error {
        AppError::Internal { request_id } => request_id.clone(),
        _ => None,
    };
    let retry_after = match &error {
        AppError::TooManyRequests { retry_after_secs } => *retry_after_secs,
        AppError::Locked { retry_after_secs } => Some(*retry_after_secs),
        _ => None,
    };
    view! {
        <div class="alert alert--error" role="alert" data-code=code>
            <p>{move || code_text(i18n.get_locale(), code)}</p>
            {retry_after
                .map(|seconds| {
                    if seconds >= 120 {
                        let minutes = seconds.div_ceil(60);
                        view! { <p>{t!(i18n, errors.retry_after_minutes, minutes)}</p> }.into_any()
                    } else {
                        view! { <p>{t!(i18n, errors.retry_after, seconds)}</p> }.into_any()
                    }
                })}
            {reference
                .map(|id| {
                    view! {
                        <p class="alert__reference">
                            {t!(i18n, error_page.reference)} ": " <code>{id}</code>
                        </p>
                    }
                })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos_i18n::Locale as _;

    #[test]
    fn every_known_code_has_its_own_sentence_in_every_language() {
        for &locale in Locale::get_all() {
            let generic = code_text(locale, "no.such.code");
            for code in KNOWN_CODES {
                assert_ne!(
                    code_text(locale, code),
                    generic,
                    "{code} falls back to the generic text in {}",
                    locale.as_str()
                );
            }
        }
    }

    #[test]
    fn the_department_codes_the_server_sends_are_translated() {
        // They used to differ ("employee.department.unknown"), so the picker
        // showed the generic error.
        assert_eq!(
            crate::contacts::DEPARTMENT_UNKNOWN,
            "employee.department_unknown"
        );
        assert_eq!(
            crate::contacts::DEPARTMENT_REQUIRED,
            "employee.department_required"
        );
        let generic = code_text(Locale::en, "no.such.code");
        for code in [
            crate::contacts::DEPARTMENT_UNKNOWN,
            crate::contacts::DEPARTMENT_REQUIRED,
        ] {
            assert!(KNOWN_CODES.contains(&code));
            assert_ne!(code_text(Locale::en, code), generic, "{code}");
        }
        assert_eq!(
            code_text(Locale::en, crate::contacts::DEPARTMENT_REQUIRED),
            "Choose at least one department."
        );
    }

    #[test]
    fn app_error_codes_are_known() {
        let errors = [
            AppError::Validation { fields: vec![] },
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::Conflict,
            AppError::TooManyRequests {
                retry_after_secs: None,
            },
            AppError::Internal { request_id: None },
            AppError::InvalidCredentials,
            AppError::Locked {
                retry_after_secs: 1,
            },
            AppError::AccountDisabled,
            AppError::Transport {
                network: true,
                message: String::new(),
            },
        ];
        for e in errors {
            assert!(
                KNOWN_CODES.contains(&e.code()),
                "{} is not translated",
                e.code()
            );
        }
    }
}
