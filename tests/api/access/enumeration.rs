//! Every `/api/` endpoint the server registers, tried by a stranger, by a
//! member who holds no permission, and by a delegated administrator
//! against what lies outside their scope: each is refused, and nothing in
//! the database changes. An endpoint added without a permission check
//! fails here.
use super::*;
use crate::helpers::{Answer, seed_admin_group, seed_operator};
use crate::security::arguments::SERVER_FUNCTIONS;

/// Open to anyone by design: signing in, registering, resetting a
/// password, the first operator's setup, the language, "who am I".
const PUBLIC: &[&str] = &[
    "sign_in",
    "sign_out",
    "me",
    "locale",
    "code_challenge",
    "request_password_reset",
    "reset_password",
    "setup_status",
    "setup_operator",
    "registration_start",
    "registration",
    "registration_organisation",
    "registration_send_code",
    "registration_verify_code",
    "registration_administrator",
    "registration_legal",
    "registration_documents",
    "registration_remove_document",
    "registration_submit",
    "registration_resume_code",
    "registration_resume",
    // An invitation's holder: the link in the session is the credential.
    "join_state",
    "join_send_code",
    "join_activate",
    "join_ask_new_link",
    // Asking to join through an organisation's join link.
    "join_request_state",
    "join_request_code",
    "join_request_submit",
];

/// Open to every signed-in member of the organisation, about their own
/// organisation (their home and its directory): a stranger is refused.
const ANY_MEMBER: &[&str] = &[
    "me_home",
    "directory",
    "directory_person",
    "me_contact_code",
    "me_contact_change",
    // Approvals: each over the requests and tasks that concern the caller.
    "approval_catalog",
    "approval_form",
    "approval_preview",
    "approval_submit",
    "approval_withdraw",
    "approval_mine",
    "approval_inbox",
    "approval_request",
    "approval_decide",
    "approval_find",
    "approval_hand",
    "approval_urge",
    "approval_decide_many",
    "approval_delegations",
    "approval_delegate",
    "approval_delegate_cancel",
    "approval_notices_set",
];

/// Any signed-in account acting on itself (its password, its second
/// factor, its sessions, its notices): signed in is the whole check.
const OWN_ACCOUNT: &[&str] = &[
    "verify_second_factor",
    "security_overview",
    "security_notice",
    "dismiss_security_notice",
    "start_enrolment",
    "confirm_enrolment",
    "regenerate_recovery_codes",
    "change_password",
    "sign_out_everywhere",
    "my_sessions",
    "end_my_session",
];

/// Arguments that name something: filled with each thing outside the scope.
const NAMING: &[&str] = &[
    "id",
    "department",
    "parent",
    "from",
    "person",
    "members",
    "heads",
    "managers",
    "departments",
    "main_department",
    "account_id",
    "q",
    "query",
    "before",
    "ids",
];

/// Calls `endpoint` with every argument filled: `named` for the naming
/// ones, something plausible for the rest.
async fn call(b: &mut Browser<'_>, endpoint: &str, get: bool, named: &str) -> Answer {
    let args = SERVER_FUNCTIONS
        .iter()
        .find(|(name, _)| *name == endpoint)
        .unwrap_or_else(|| panic!("{endpoint} is not in SERVER_FUNCTIONS"))
        .1;
    let mut form: Vec<(String, String)> = Vec::new();
    for arg in args {
        let (name, value) = match arg.strip_prefix('#') {
            Some(n) => (n.to_owned(), "0".to_owned()),
            None => {
                let value = match *arg {
                    a if NAMING.contains(&a) => named.to_owned(),
                    "password" | "current_password" => PASSWORD.to_owned(),
                    "code" => String::new(),
                    "status" => "disabled".to_owned(),
                    "scope" => "departments".to_owned(),
                    "permissions" => "contacts.view".to_owned(),
                    "direct"
                    | "two_factor_admins"
                    | "two_factor_everyone"
                    | "invitation_reminders"
                    | "directory_hides_contacts" => "false".to_owned(),
                    // Valid values, so a change gets past its form to the scope check.
                    "mobile" => "13800138999".to_owned(),
                    "email" => "edge@example.com".to_owned(),
                    "userid" | "hire_date" | "gender" | "employee_no" => String::new(),
                    "join_link" => "approval".to_owned(),
                    _ => "越界".to_owned(),
                };
                (arg.to_string(), value)
            }
        };
        let name = if matches!(
            name.as_str(),
            "departments" | "permissions" | "reasons" | "ids" | "channels"
        ) {
            format!("{name}[]")
        } else {
            name
        };
        form.push((name, value));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    if get {
        crate::contacts::read(b, endpoint, &form).await
    } else {
        b.call(endpoint, &form).await
    }
}

#[sqlx::test]
async fn every_endpoint_refuses_strangers_members_without_permission_and_administrators_outside_their_scope(
    db: PgPool,
) {
    let app = crate::helpers::spawn_app(db.clone()).await;
    let Branches {
        mut boss,
        org,
        east,
        south,
        ..
    } = branches(&app, &db).await;
    let manager = person(&mut boss, &db, "华东经理", "east@example.com", &[&east]).await;
    person(&mut boss, &db, "普通成员", "plain@example.com", &[&east]).await;
    let southern = person(&mut boss, &db, "华南成员", "south@example.com", &[&south]).await;
    let southern_userid: String = sqlx::query_scalar("SELECT userid FROM accounts WHERE id = $1")
        .bind(southern)
        .fetch_one(&db)
        .await
        .unwrap();
    // The delegated administrator holds every permission an organisation
    // hands on, over 华东区 only.
    let everything: Vec<&str> = orgdesk::access::Permission::ALL
        .iter()
        .filter(|p| !p.operators_only())
        .map(|p| p.as_str())
        .collect();
    seed_admin_group(
        &db,
        org,
        "华东区管理员",
        &everything,
        "departments",
        &[east.parse().unwrap()],
        &[manager],
    )
    .await;
    let wide = seed_admin_group(
        &db,
        org,
        "全组织审计",
        &["audit.view"],
        "organisation",
        &[],
        &[],
    )
    .await
    .to_string();
    seed_operator(&db, "operator@example.com", PASSWORD).await;

    let endpoints: Vec<(&'static str, bool)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| {
            (
                path.trim_start_matches("/api/"),
                method == http::Method::GET,
            )
        })
        .collect();
    assert!(endpoints.len() > 60, "{endpoints:?}");
    let gated: Vec<(&str, bool)> = endpoints
        .iter()
        .copied()
        .filter(|(e, _)| !PUBLIC.contains(e) && !OWN_ACCOUNT.contains(e) && !ANY_MEMBER.contains(e))
        .collect();

    let mut stranger = Browser::new(&app);
    let mut plain = signed_in(&app, "plain@example.com").await;
    let mut scoped = signed_in(&app, "east@example.com").await;
    let before = snapshot(&db).await;
    let outside = [
        south.clone(),
        southern.to_string(),
        southern_userid.clone(),
        wide.clone(),
        Uuid::now_v7().to_string(),
    ];
    let mut failures = Vec::new();
    for &(endpoint, get) in &gated {
        let a = call(&mut stranger, endpoint, get, &south).await;
        if a.status != 401 {
            failures.push(format!("stranger {endpoint}: {} {}", a.status, a.text));
        }
        let a = call(&mut plain, endpoint, get, &south).await;
        if a.status != 403 {
            failures.push(format!("member {endpoint}: {} {}", a.status, a.text));
        }
        for named in &outside {
            let a = call(&mut scoped, endpoint, get, named).await;
            // Refused, or (a list or search) answered without anything outside.
            let leaks = [
                "华南",
                "south@example.com",
                &southern_userid,
                &wide,
                "全组织审计",
            ]
            .iter()
            .any(|m| a.text.contains(m) && !named.contains(m));
            if a.status >= 500 || (a.status < 400 && (leaks || a.text.contains(named.as_str()))) {
                failures.push(format!(
                    "scoped {endpoint} {named}: {} {}",
                    a.status, a.text
                ));
            }
        }
    }
    for &endpoint in ANY_MEMBER {
        let get = endpoints.iter().any(|&(e, g)| e == endpoint && g);
        let a = call(&mut stranger, endpoint, get, &south).await;
        if a.status != 401 {
            failures.push(format!("stranger {endpoint}: {} {}", a.status, a.text));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        snapshot(&db).await,
        before,
        "a refused call changed something"
    );
    // The scoped administrator is signed in still, and works inside.
    assert_eq!(scoped.branch(&east).await.status, 200);
}
