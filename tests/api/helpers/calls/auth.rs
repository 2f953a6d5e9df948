//! Sign-in, the second factor, passwords and first-run setup.
use super::{Answer, Browser};

calls! {
    /// `sign_in` as a `kind` account (`member` or `operator`).
    sign_in => "sign_in"(kind, identifier, password);
    /// `verify_second_factor`: the second step of a sign-in.
    verify_second_factor => "verify_second_factor"(code);
    /// `security_overview`: the signed-in account's stage and factors.
    security_overview => "security_overview"();
    /// `security_notice`: what the account should be told at sign-in.
    security_notice => "security_notice"();
    /// `me`: the signed-in account.
    me => "me"();
    /// `request_password_reset` for a `kind` account.
    request_password_reset => "request_password_reset"(kind, identifier);
    /// `setup_status` of a first-run token.
    setup_status => "setup_status"(token);
    /// `setup_operator`: the first platform operator, through a first-run token.
    setup_operator => "setup_operator"(token, name, email, password);
}
