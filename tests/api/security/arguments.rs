//! Every argument of every server function, malformed on purpose.
use crate::helpers::spawn_app;
use sqlx::PgPool;

/// Every server function and its arguments; numbers marked `#`. A test
/// below checks that the list names every registered server function.
pub(crate) const SERVER_FUNCTIONS: &[(&str, &[&str])] = &[
    (
        "admin_audit",
        &["actor", "action", "target", "from", "to", "before"],
    ),
    (
        "operator_audit",
        &["actor", "action", "target", "from", "to", "before"],
    ),
    ("sign_in", &["kind", "identifier", "password", "next"]),
    ("verify_second_factor", &["code"]),
    ("sign_out", &[]),
    ("sign_out_everywhere", &[]),
    ("me", &[]),
    ("me_home", &[]),
    ("console_overview", &[]),
    ("me_contact_code", &["field", "value"]),
    ("join_link_state", &[]),
    ("join_link_rotate", &[]),
    ("join_link_renew", &[]),
    ("join_requests", &["status", "#page"]),
    (
        "join_request_approve",
        &["id", "departments", "main_department"],
    ),
    ("join_request_reject", &["id", "reason"]),
    ("join_request_state", &[]),
    ("join_request_code", &["mobile", "challenge"]),
    (
        "join_request_submit",
        &["name", "mobile", "code", "email", "department"],
    ),
    (
        "me_contact_change",
        &["field", "value", "confirmation", "password", "code"],
    ),
    ("directory", &["department", "q", "#page"]),
    ("directory_person", &["id"]),
    ("invitation_of", &["id"]),
    ("invitation_send", &["id", "channels", "language"]),
    ("invitation_revoke", &["id"]),
    ("invitation_bulk", &["ids", "department", "language"]),
    ("import_job", &["id"]),
    ("import_rows", &["id", "action", "#page"]),
    ("import_recent", &[]),
    (
        "import_recheck",
        &[
            "id",
            "encoding",
            "create_departments",
            "update_existing",
            "full_sync",
            "invite",
        ],
    ),
    ("import_run", &["id", "confirm"]),
    ("join_state", &[]),
    ("join_send_code", &["channel", "challenge"]),
    ("join_activate", &["channel", "code", "new_password"]),
    ("join_ask_new_link", &["challenge"]),
    ("security_overview", &[]),
    ("security_notice", &[]),
    ("dismiss_security_notice", &[]),
    ("start_enrolment", &["password", "code"]),
    ("confirm_enrolment", &["code"]),
    ("regenerate_recovery_codes", &["password", "code"]),
    (
        "change_password",
        &["current_password", "new_password", "code"],
    ),
    (
        "request_password_reset",
        &["kind", "identifier", "challenge"],
    ),
    ("code_challenge", &[]),
    (
        "reset_password",
        &["kind", "identifier", "code", "new_password"],
    ),
    ("setup_status", &["token"]),
    ("setup_operator", &["token", "name", "email", "password"]),
    (
        "operator_reset_second_factor",
        &["account_id", "reason", "password", "code"],
    ),
    ("operator_find_members", &["query"]),
    ("contacts_branch", &["department"]),
    ("contacts_children", &["parent"]),
    ("contacts_tree", &["from"]),
    ("contacts_chart", &["from", "#levels"]),
    (
        "contacts_members",
        &["department", "q", "status", "direct", "#page"],
    ),
    ("contacts_find_departments", &["q"]),
    ("contacts_find_people", &["q"]),
    ("contacts_employee", &["id"]),
    ("department_create", &["parent", "name"]),
    ("department_rename", &["id", "name", "#version"]),
    ("department_move", &["id", "parent", "#version"]),
    ("department_reorder", &["id", "#index", "#version"]),
    ("department_delete", &["id", "#version"]),
    ("department_heads", &["id", "heads", "#version"]),
    (
        "employee_create",
        &[
            "name",
            "userid",
            "mobile",
            "email",
            "position",
            "employee_no",
            "gender",
            "hire_date",
            "departments",
            "main_department",
            "managers",
            "invite",
        ],
    ),
    (
        "employee_update",
        &[
            "id",
            "#version",
            "name",
            "userid",
            "mobile",
            "email",
            "position",
            "employee_no",
            "gender",
            "hire_date",
            "departments",
            "main_department",
            "managers",
            "password",
            "code",
        ],
    ),
    ("employee_status", &["id", "status", "#version"]),
    ("access_overview", &[]),
    ("my_sessions", &[]),
    ("security_checkup", &[]),
    ("security_checkup_fix", &["fix"]),
    ("end_my_session", &["id"]),
    ("member_sessions", &["person"]),
    ("end_member_sessions", &["person", "id"]),
    ("security_settings", &[]),
    (
        "security_settings_save",
        &[
            "two_factor_admins",
            "two_factor_everyone",
            "password_min_length",
            "password_expiry_days",
            "session_idle_minutes",
            "session_absolute_hours",
            "join_link",
            "audit_retention_days",
            "invitation_days",
            "invitation_reminders",
            "directory_hides_contacts",
            "#version",
            "password",
            "code",
        ],
    ),
    ("access_super_admin_grant", &["person", "password", "code"]),
    ("access_super_admin_remove", &["person", "password", "code"]),
    ("access_creator_transfer", &["person", "password", "code"]),
    (
        "access_group_save",
        &[
            "id",
            "name",
            "permissions",
            "scope",
            "departments",
            "#version",
            "password",
            "code",
        ],
    ),
    (
        "access_group_delete",
        &["id", "#version", "password", "code"],
    ),
    (
        "access_group_members",
        &["id", "members", "#version", "password", "code"],
    ),
    ("operator_failed_deliveries", &["before"]),
    ("locale", &["locale"]),
    ("registration_start", &[]),
    ("registration", &[]),
    (
        "registration_organisation",
        &[
            "org_name",
            "industry",
            "size_band",
            "credit_code",
            "confirm_checksum",
            "province",
            "city",
            "address",
            "intent",
        ],
    ),
    ("registration_send_code", &["channel", "value", "challenge"]),
    ("registration_verify_code", &["channel", "code"]),
    (
        "registration_administrator",
        &["admin_name", "password", "password_confirm", "intent"],
    ),
    (
        "registration_legal",
        &["legal_name", "legal_id_number", "admin_is_legal", "intent"],
    ),
    ("registration_documents", &["intent"]),
    ("registration_remove_document", &["kind"]),
    ("registration_submit", &["accept_terms"]),
    ("registration_resume_code", &["identifier", "challenge"]),
    ("registration_resume", &["identifier", "code"]),
    ("approval_templates", &[]),
    ("approval_template", &["id"]),
    ("approval_template_version", &["id", "#number"]),
    ("approval_admin", &[]),
    ("approval_admin_set", &["person"]),
    ("approval_template_create", &["name_en", "name_zh"]),
    ("approval_template_save", &["id", "design", "#version"]),
    ("approval_template_publish", &["id", "#version"]),
    ("approval_template_enable", &["id", "enabled"]),
    (
        "approval_simulate",
        &[
            "id",
            "#number",
            "submitter",
            "form",
            "chosen",
            "department",
            "design",
        ],
    ),
    ("approval_find", &["kind", "q"]),
    ("approval_catalog", &[]),
    ("approval_form", &["id", "from"]),
    ("approval_preview", &["id", "form", "chosen", "department"]),
    (
        "approval_submit",
        &[
            "id",
            "form",
            "chosen",
            "department",
            "copied_from",
            "resubmit",
        ],
    ),
    ("approval_withdraw", &["id"]),
    ("approval_mine", &["status", "#page"]),
    (
        "approval_inbox",
        &["tab", "template", "submitter", "from", "to", "q", "#page"],
    ),
    ("approval_request", &["id"]),
    (
        "approval_decide",
        &["task", "decision", "comment", "back_to"],
    ),
    ("approval_hand", &["task", "to", "how", "comment"]),
    ("approval_urge", &["id"]),
    ("approval_decide_many", &["tasks"]),
    ("approval_delegations", &[]),
    ("approval_delegate", &["delegate", "starts", "ends"]),
    ("approval_delegate_cancel", &["id"]),
    ("approval_notices_set", &["mode"]),
    ("approval_hand_over", &["from", "to"]),
    ("review_queue", &["filter", "#page"]),
    ("review_detail", &["id"]),
    ("review_start", &["id", "#submission_no"]),
    ("review_approve", &["id", "#submission_no"]),
    (
        "review_reject",
        &["id", "#submission_no", "reasons", "note"],
    ),
];

#[test]
fn the_list_names_every_server_function() {
    let registered: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    let listed: std::collections::BTreeSet<String> = SERVER_FUNCTIONS
        .iter()
        .map(|(name, _)| name.to_string())
        .collect();
    assert_eq!(registered, listed);
}

/// A NUL byte, another control character, invalid UTF-8 and an over-long
/// string in every argument of every server function, and a malformed number
/// in every numeric one, each for a stranger, an administrator and an
/// operator: never a 500, and never the decoder's words.
#[sqlx::test]
async fn no_argument_of_any_server_function_answers_500(db: PgPool) {
    use crate::helpers::{Browser, seed_member, seed_organisation};
    const PASSWORD: &str = "plum orchard at dawn";
    let app = spawn_app(db.clone()).await;
    let org = seed_organisation(&db, "Fuzz Ltd").await;
    sqlx::query("UPDATE organisations SET enforce_two_factor = false WHERE id = $1")
        .bind(org)
        .execute(&db)
        .await
        .unwrap();
    seed_member(&db, org, "super_admin", "fuzz@example.com", PASSWORD).await;
    let mut admin = Browser::new(&app);
    let signed_in =
        crate::auth::sign_in_as(&mut admin, "member", "fuzz@example.com", PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    let mut stranger = Browser::new(&app);
    assert_eq!(stranger.start_registration().await.status, 200);
    let operator = crate::registration::operator(&app, &db, "ops@example.com").await;

    let long = "长".repeat(20_000);
    let text_cases: [(&str, &str); 4] = [
        ("nul", "ab\u{0}c"),
        ("escape", "ab\u{1b}c"),
        ("invalid utf-8", "%FF%FE"),
        ("over-long", long.as_str()),
    ];
    let number_cases = ["", "abc", "1.5", "99999999999999999999", "-"];
    let mut seen_500 = Vec::new();
    for browser in [&mut stranger, &mut admin, &mut { operator }] {
        for (endpoint, args) in SERVER_FUNCTIONS {
            if matches!(*endpoint, "sign_out" | "sign_out_everywhere") {
                continue;
            }
            for (i, arg) in args.iter().enumerate() {
                let numeric = arg.starts_with('#');
                let cases: Vec<(String, String)> = text_cases
                    .iter()
                    .map(|(name, v)| (name.to_string(), v.to_string()))
                    .chain(
                        numeric
                            .then(|| {
                                number_cases
                                    .iter()
                                    .map(|v| (format!("number {v:?}"), v.to_string()))
                            })
                            .into_iter()
                            .flatten(),
                    )
                    .collect();
                for (case, value) in cases {
                    let mut form: Vec<(String, String)> = args
                        .iter()
                        .enumerate()
                        .map(|(j, a)| {
                            let name = a.trim_start_matches('#').to_owned();
                            if j == i {
                                (name, value.clone())
                            } else if a.starts_with('#') {
                                (name, "1".to_owned())
                            } else {
                                (name, "x".to_owned())
                            }
                        })
                        .collect();
                    // Invalid UTF-8 can only travel percent-encoded as it is.
                    let raw = case == "invalid utf-8";
                    let body = form
                        .drain(..)
                        .map(|(k, v)| {
                            if raw && v == "%FF%FE" {
                                format!("{k}={v}")
                            } else {
                                format!("{k}={}", urlencode(&v))
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("&");
                    let answer = browser.call_raw(endpoint, body).await;
                    if answer.status >= 500 || answer.text.contains("deserializ") {
                        seen_500.push(format!(
                            "{endpoint} {}: {case} -> {} {}",
                            arg.trim_start_matches('#'),
                            answer.status,
                            answer.text.chars().take(200).collect::<String>()
                        ));
                    }
                }
            }
        }
    }
    assert!(seen_500.is_empty(), "{}", seen_500.join("\n"));
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[sqlx::test]
async fn malformed_arguments_get_a_field_error_not_the_decoders_words(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let mut operator = crate::registration::operator(&app, &db, "ops@example.com").await;
    for value in ["abc", "1.5", "", "99999999999999999999"] {
        let answer = operator
            .start_review("01a2384f-c06f-7157-9c4d-5dfe3ae04ff9", value)
            .await;
        assert_eq!(answer.status, 422, "{value:?}: {}", answer.text);
        assert_eq!(answer.kind(), Some("validation"), "{}", answer.text);
        assert_eq!(answer.json["fields"][0]["code"], "validation.format");
        assert!(!answer.text.contains("deserializ"), "{}", answer.text);
    }
    let nul = operator
        .call("operator_find_members", &[("query", "a\u{0}b")])
        .await;
    assert_eq!(nul.status, 422, "{}", nul.text);
    assert_eq!(
        nul.field_code("query"),
        Some("validation.control_characters")
    );
    let mangled = operator
        .call_raw("operator_find_members", "query=%FF%FE".into())
        .await;
    assert_eq!(mangled.field_code("query"), Some("validation.encoding"));
    let huge = operator
        .call_raw(
            "operator_find_members",
            format!("query={}", "a".repeat(200_000)),
        )
        .await;
    assert_eq!(huge.status, 413, "{}", huge.text);
}
