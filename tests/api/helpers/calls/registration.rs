//! The registration wizard and resuming an application.
use super::{Answer, Browser};

calls! {
    /// `registration_start`: a new application in this browser.
    start_registration => "registration_start"();
    /// `registration_send_code` to `value` over `channel` (`email` or `sms`).
    send_code => "registration_send_code"(channel, value);
    /// `registration_verify_code` of `channel`.
    verify_code => "registration_verify_code"(channel, code);
    /// `registration_administrator`: the administrator step.
    administrator_step => "registration_administrator"(admin_name, password, password_confirm, intent);
    /// `registration_legal`: the legal representative step.
    legal_step => "registration_legal"(legal_name, legal_id_number, intent);
    /// `registration_documents`: leaves the documents step (`intent` `next` or `back`).
    documents_step => "registration_documents"(intent);
    /// `registration_remove_document` of `kind`.
    remove_document => "registration_remove_document"(kind);
    /// `registration_resume_code`: a code to resume the application of `identifier`.
    resume_code => "registration_resume_code"(identifier);
    /// `registration_resume` with that code.
    resume => "registration_resume"(identifier, code);
}
