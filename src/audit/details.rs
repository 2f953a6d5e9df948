//! An audit record's details as a person reads them: one line per fact,
//! each named and, where it is one of a known set, in words.
use crate::contacts::pages::{field_text, value_text};
use crate::i18n::*;
use crate::registration::{DocumentKind, catalog};
use serde_json::Value;

/// One fact of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub label: String,
    pub value: String,
    /// The value is data as written (a name, a number, free text), not words
    /// of the interface: it is not for translation.
    pub data: bool,
    /// For a field a change touched: its value before and after (`None`:
    /// it had none).
    pub change: Option<(Option<String>, Option<String>)>,
}

/// The lines of `details` (the compact JSON of a record). A change is shown
/// as a field diff: "before → after" for each field that differs (fields
/// both sides hold alike are left out); a record that is not a JSON object
/// gives no lines.
pub fn lines(locale: Locale, details: &str) -> Vec<Line> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(details) else {
        return Vec::new();
    };
    let side = |key: &str| match map.get(key) {
        Some(Value::Object(m)) => Some(m.clone()),
        _ => None,
    };
    let (before, after) = (side("before"), side("after"));
    let mut out = Vec::new();
    for (key, value) in &map {
        if (key == "before" && before.is_some()) || (key == "after" && after.is_some()) {
            continue;
        }
        out.push(line(locale, key, value));
    }
    if before.is_some() || after.is_some() {
        let (before, after) = (before.unwrap_or_default(), after.unwrap_or_default());
        let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            if before.get(key.as_str()) == after.get(key.as_str()) {
                continue;
            }
            let old = before.get(key.as_str()).map(|v| line(locale, key, v));
            let new = after.get(key.as_str()).map(|v| line(locale, key, v));
            let value = match (&old, &new) {
                (Some(o), Some(n)) => format!("{} → {}", o.value, n.value),
                (Some(o), None) => format!("{} → —", o.value),
                (None, Some(n)) => n.value.clone(),
                (None, None) => continue,
            };
            let data = old.iter().chain(new.iter()).all(|l| l.data);
            out.push(Line {
                label: label(locale, key),
                value,
                data,
                change: Some((old.map(|l| l.value), new.map(|l| l.value))),
            });
        }
    }
    out
}

/// The name of a detail.
fn label(locale: Locale, key: &str) -> String {
    if let Some(text) = field_text(locale, key) {
        return text.to_owned();
    }
    match key {
        "organisation" => td_string!(locale, audit_details.organisation),
        "organisation_id" => td_string!(locale, audit_details.organisation_id),
        "registration_id" => td_string!(locale, audit_details.registration_id),
        "submission_no" => td_string!(locale, audit_details.submission_no),
        "identity_check" => td_string!(locale, audit_details.identity_check),
        "factor" => td_string!(locale, audit_details.factor),
        "factors" => td_string!(locale, audit_details.factors),
        "during" => td_string!(locale, audit_details.during),
        "recovery_codes" => td_string!(locale, audit_details.recovery_codes),
        "remaining" => td_string!(locale, audit_details.remaining),
        "kind" => td_string!(locale, audit_details.kind),
        "known_account" => td_string!(locale, audit_details.known_account),
        "failures" => td_string!(locale, audit_details.failures),
        "channel" => td_string!(locale, audit_details.channel),
        "via" => td_string!(locale, audit_details.via),
        "reason" => td_string!(locale, audit_details.reason),
        "reasons" => td_string!(locale, audit_details.reasons),
        "document" => td_string!(locale, audit_details.document),
        "enforce_two_factor" => td_string!(locale, audit_details.enforce_two_factor),
        "parent" => td_string!(locale, audit_details.parent),
        "parent_name" => td_string!(locale, audit_details.parent_name),
        "descendants" => td_string!(locale, audit_details.descendants),
        "position" => td_string!(locale, audit_details.position),
        "heads" => td_string!(locale, audit_details.heads),
        "role" => td_string!(locale, audit_details.role),
        "creator" => td_string!(locale, audit_details.creator),
        "group" => td_string!(locale, audit_details.group),
        "permissions" => td_string!(locale, audit_details.permissions),
        "scope" => td_string!(locale, audit_details.scope),
        "members" => td_string!(locale, audit_details.members),
        "two_factor_admins" => td_string!(locale, audit_details.two_factor_admins),
        "two_factor_everyone" => td_string!(locale, audit_details.two_factor_everyone),
        "password_min_length" => td_string!(locale, audit_details.password_min_length),
        "password_expiry_days" => td_string!(locale, audit_details.password_expiry_days),
        "session_idle_minutes" => td_string!(locale, audit_details.session_idle_minutes),
        "session_absolute_hours" => td_string!(locale, audit_details.session_absolute_hours),
        "join_link" => td_string!(locale, audit_details.join_link),
        "sessions" => td_string!(locale, audit_details.sessions),
        "fix" => td_string!(locale, audit_details.fix),
        "reached" => td_string!(locale, audit_details.reached),
        "rows" => td_string!(locale, audit_details.rows),
        "audit_retention_days" => td_string!(locale, audit_details.audit_retention_days),
        "format" => td_string!(locale, audit_details.format),
        "filters" => td_string!(locale, audit_details.filters),
        "channels" => td_string!(locale, audit_details.channels),
        "invitation_days" => td_string!(locale, org_security.invitation_days),
        "invitation_reminders" => td_string!(locale, org_security.invitation_reminders),
        "directory_hides_contacts" => td_string!(locale, org_security.directory_hides_contacts),
        "language" => td_string!(locale, audit_details.language),
        "invitation" => td_string!(locale, audit_details.invitation),
        "bulk" => td_string!(locale, audit_details.bulk),
        "request" => td_string!(locale, audit_details.request),
        "duplicate" => td_string!(locale, audit_details.duplicate),
        "file" => td_string!(locale, audit_details.file),
        "created" => td_string!(locale, audit_details.created),
        "updated" => td_string!(locale, audit_details.updated),
        "disabled" => td_string!(locale, audit_details.disabled),
        "errors" => td_string!(locale, audit_details.errors),
        "invited" => td_string!(locale, audit_details.invited),
        "new_departments" => td_string!(locale, audit_details.new_departments),
        "old_addresses_told" => td_string!(locale, audit_details.old_addresses_told),
        other => return other.to_owned(),
    }
    .to_owned()
}

/// Words for the values of a known set; `None` for anything else.
fn words(locale: Locale, key: &str, value: &str) -> Option<&'static str> {
    Some(match (key, value) {
        ("factor" | "factors", "password") => td_string!(locale, audit_details.factor_password),
        ("factor" | "factors", "second_factor") => td_string!(locale, audit_details.factor_second),
        ("factor" | "factors", "totp") => td_string!(locale, audit_details.factor_totp),
        ("factor" | "factors", "recovery_code") => {
            td_string!(locale, audit_details.factor_recovery_code)
        }
        ("during", "sign_in") => td_string!(locale, audit_details.during_sign_in),
        ("during", "reauth") => td_string!(locale, audit_details.during_reauth),
        ("during", "enrolment") => td_string!(locale, audit_details.during_enrolment),
        ("reason", "wrong") => td_string!(locale, audit_details.reason_wrong),
        ("reason", "replayed") => td_string!(locale, audit_details.reason_replayed),
        ("kind", "member") => td_string!(locale, audit_details.kind_member),
        ("kind", "operator") => td_string!(locale, audit_details.kind_operator),
        ("channel" | "via", "email") => td_string!(locale, audit_details.via_email),
        ("channel" | "via", "sms") => td_string!(locale, audit_details.via_sms),
        ("via", "cli") => td_string!(locale, audit_details.via_cli),
        ("via", "setup_link") => td_string!(locale, audit_details.via_setup_link),
        ("reason", "limit") => td_string!(locale, audit_details.reason_limit),
        ("reason", "used") => td_string!(locale, audit_details.reason_used),
        ("reason", "expired") => td_string!(locale, audit_details.reason_expired),
        ("reason", "revoked") => td_string!(locale, audit_details.reason_revoked),
        ("language", "zh-CN") => "中文",
        ("language", "en") => "English",
        ("identity_check", "verified") => td_string!(locale, audit_details.identity_verified),
        ("identity_check", "manual") => td_string!(locale, audit_details.identity_manual),
        ("identity_check", v) if v.starts_with("failed") => {
            td_string!(locale, audit_details.identity_failed)
        }
        ("role", "super_admin") => td_string!(locale, audit_details.role_super_admin),
        ("role", "employee") => td_string!(locale, audit_details.role_employee),
        ("fix", "remind_second_factor") => td_string!(locale, checkup.fix_remind),
        ("fix", "end_departed_sessions") => td_string!(locale, checkup.fix_end_departed),
        ("fix", "end_stale_sessions") => td_string!(locale, checkup.fix_end_stale),
        ("sessions", "one") => td_string!(locale, audit_details.sessions_one),
        ("sessions", "all") => td_string!(locale, audit_details.sessions_all),
        ("join_link", "off") => td_string!(locale, audit_details.join_link_off),
        ("join_link", "approval") => td_string!(locale, audit_details.join_link_approval),
        ("scope", "organisation") => td_string!(locale, audit_details.scope_organisation),
        ("scope", "departments") => td_string!(locale, audit_details.scope_departments),
        ("scope", "own_departments") => td_string!(locale, audit_details.scope_own_departments),
        ("document", v) => DocumentKind::parse(v)?.name(locale),
        _ => return None,
    })
}

/// One detail, named and in words where it can be.
fn line(locale: Locale, key: &str, value: &Value) -> Line {
    let (value, data) = match value {
        // Nothing to translate: a change from or to nothing takes the other side's mark.
        Value::Null => ("—".to_owned(), true),
        Value::Bool(b) => (
            if *b {
                td_string!(locale, audit_details.yes)
            } else {
                td_string!(locale, audit_details.no)
            }
            .to_owned(),
            false,
        ),
        Value::Number(n) => (n.to_string(), true),
        Value::String(s) => match words(locale, key, s) {
            Some(w) => (w.to_owned(), false),
            None if field_text(locale, key).is_some() => {
                let text = value_text(locale, key, s);
                let data = text == *s;
                (text, data)
            }
            None => (s.clone(), true),
        },
        // The reasons an application was turned back, each as a sentence.
        Value::Array(items) if key == "reasons" => {
            let zh = locale != Locale::en;
            let sentences: Vec<String> = items
                .iter()
                .map(|r| {
                    let part = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default();
                    catalog::reason_sentence(part("subject"), part("reason"), zh)
                })
                .collect();
            (sentences.join(if zh { "；" } else { "; " }), false)
        }
        Value::Array(items) => {
            let parts: Vec<Line> = items.iter().map(|v| line(locale, key, v)).collect();
            let data = parts.iter().any(|l| l.data);
            let sep = if locale == Locale::en { ", " } else { "、" };
            let values: Vec<String> = parts.into_iter().map(|l| l.value).collect();
            (values.join(sep), data)
        }
        Value::Object(_) => (value.to_string(), true),
    };
    Line {
        label: label(locale, key),
        value,
        data,
        change: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(locale: Locale, details: &str) -> Vec<(String, String)> {
        lines(locale, details)
            .into_iter()
            .map(|l| (l.label, l.value))
            .collect()
    }

    #[test]
    fn details_are_named_and_known_values_in_words() {
        let details = r#"{"factor":"password","kind":"member","known_account":false}"#;
        assert_eq!(
            shown(Locale::en, details),
            [
                ("Factor".to_owned(), "Password".to_owned()),
                ("Account type".to_owned(), "Member".to_owned()),
                ("Existing account".to_owned(), "No".to_owned()),
            ]
        );
        assert_eq!(
            shown(Locale::zh_CN, details),
            [
                ("验证方式".to_owned(), "密码".to_owned()),
                ("账号类型".to_owned(), "成员".to_owned()),
                ("账号是否存在".to_owned(), "否".to_owned()),
            ]
        );
    }

    #[test]
    fn a_change_reads_before_and_after_per_field() {
        let details = r#"{"before":{"status":"not_activated"},"after":{"status":"active"}}"#;
        let en = lines(Locale::en, details);
        assert_eq!(en.len(), 1);
        assert_eq!(en[0].label, "Status");
        assert!(!en[0].value.contains("not_activated"), "{}", en[0].value);
        assert!(en[0].value.contains(" → "), "{}", en[0].value);
        assert!(!en[0].data);
        // Names are data, kept as written.
        let renamed = lines(
            Locale::zh_CN,
            r#"{"before":{"name":"市场部"},"after":{"name":"品牌部"}}"#,
        );
        assert_eq!(renamed[0].value, "市场部 → 品牌部");
        assert!(renamed[0].data);
        assert_eq!(
            renamed[0].change,
            Some((Some("市场部".to_owned()), Some("品牌部".to_owned())))
        );
    }

    #[test]
    fn a_diff_leaves_out_what_did_not_change() {
        let details = r#"{"before":{"name":"A","position":"x","heads":1},"after":{"name":"A","position":"y"}}"#;
        let labels: Vec<String> = lines(Locale::en, details)
            .into_iter()
            .map(|l| l.label)
            .collect();
        assert_eq!(labels.len(), 2, "{labels:?}");
        assert!(!labels.contains(&label(Locale::en, "name")));
        let gone = lines(Locale::en, r#"{"before":{"position":"x"},"after":{}}"#);
        assert_eq!(gone[0].change, Some((Some("x".to_owned()), None)));
    }

    #[test]
    fn every_stored_detail_key_has_a_name_in_both_languages() {
        // The keys the server writes (see the `.details(` calls).
        for key in [
            "organisation",
            "organisation_id",
            "registration_id",
            "submission_no",
            "identity_check",
            "factor",
            "kind",
            "known_account",
            "failures",
            "channel",
            "via",
            "reason",
            "reasons",
            "document",
            "enforce_two_factor",
            "parent",
            "parent_name",
            "descendants",
            "position",
            "heads",
            "name",
            "status",
            "factors",
            "during",
            "recovery_codes",
            "remaining",
            "channels",
            "language",
            "invitation",
            "bulk",
            "request",
            "duplicate",
            "file",
            "rows",
            "created",
            "updated",
            "disabled",
            "errors",
            "invited",
            "new_departments",
            "old_addresses_told",
        ] {
            for locale in [Locale::en, Locale::zh_CN] {
                assert_ne!(label(locale, key), key, "{key} has no name in {locale:?}");
            }
        }
    }

    #[test]
    fn lists_and_contexts_of_sign_in_are_in_words() {
        let details = r#"{"during":"reauth","factor":"second_factor","reason":"replayed"}"#;
        for l in lines(Locale::zh_CN, details) {
            assert!(!l.data, "{l:?}");
            assert!(!l.value.is_ascii(), "{l:?}");
        }
        let used = lines(Locale::en, r#"{"factors":["password","recovery_code"]}"#);
        assert_eq!(used[0].value, "Password, Recovery code");
        assert!(!used[0].data);
        let zh = lines(Locale::zh_CN, r#"{"factors":["password","totp"]}"#);
        assert_eq!(zh[0].value, "密码、身份验证器应用");
    }

    #[test]
    fn what_is_not_an_object_gives_no_lines() {
        assert!(lines(Locale::en, "{}").is_empty());
        assert!(lines(Locale::en, "[1,2]").is_empty());
        assert!(lines(Locale::en, "not json").is_empty());
    }
}
