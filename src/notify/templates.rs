//! Message texts, in both languages: per-language template files under
//! `messages/` (minijinja, HTML escaped in the `html` block), compiled into
//! the binary.
use serde::{Deserialize, Serialize};
use url::Url;

/// What a message says; stored as the outbox row's payload.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum Template {
    /// A one-time code (验证码).
    VerificationCode { code: String, ttl_minutes: u32 },
    /// The organisation was approved: sign in at the link.
    RegistrationApproved { organisation: String },
    /// The application was rejected: the reasons (subject, reason codes of
    /// `registration::catalog`), the operator's note, and where to correct it.
    RegistrationRejected {
        organisation: String,
        reasons: Vec<(String, String)>,
        note: String,
    },
    /// Sent to the old address when an administrator changed a member's
    /// email or mobile: `field` is `email` or `mobile`.
    ContactChanged { organisation: String, field: String },
    /// The creator role (创建者) of `organisation` passed from `from` to
    /// `to`; sent to both, `receiving` to the new creator.
    CreatorTransferred {
        organisation: String,
        from: String,
        to: String,
        receiving: bool,
    },
    /// An administrator of `organisation` asks the person to set up
    /// two-step verification (the security check-up).
    SecondFactorReminder { organisation: String },
    /// `inviter` invites `name` to join `organisation`: the link `path`
    /// (`/join/<token>`, a secret) works `days` days; `reminder` for the
    /// daily reminders; `by_sms` when the person proves their mobile.
    Invitation {
        organisation: String,
        inviter: String,
        name: String,
        path: String,
        days: u32,
        reminder: bool,
        by_sms: bool,
    },
    /// Told to an organisation's administrators: `name` holds a dead
    /// invitation link and asks for a new one (`person` is their id).
    InvitationRenewal {
        organisation: String,
        name: String,
        person: String,
    },
    /// A request to join `organisation` was rejected, with the administrator's `reason`.
    JoinRequestRejected {
        organisation: String,
        reason: String,
    },
    /// An approval request of `organisation`: `what` is `task` (it waits for
    /// the person), `decided` (theirs was decided: `status`), `cc` (they are
    /// copied), `reminder` (its time limit passed) or `urged` (its submitter
    /// urges); `path` is the request's page.
    Approval {
        organisation: String,
        what: String,
        template_en: String,
        template_zh: String,
        submitter: String,
        number: i64,
        status: String,
        path: String,
    },
    /// The daily digest: `waiting` requests wait for the person.
    ApprovalDigest { organisation: String, waiting: i64 },
}

// The payload may hold a code: never print it.
impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Template {
    /// Stable name stored in the `template` column.
    pub fn name(&self) -> &'static str {
        match self {
            Template::VerificationCode { .. } => "verification_code",
            Template::RegistrationApproved { .. } => "registration_approved",
            Template::RegistrationRejected { .. } => "registration_rejected",
            Template::ContactChanged { .. } => "contact_changed",
            Template::CreatorTransferred { .. } => "creator_transferred",
            Template::SecondFactorReminder { .. } => "second_factor_reminder",
            Template::Invitation { .. } => "invitation",
            Template::InvitationRenewal { .. } => "invitation_renewal",
            Template::JoinRequestRejected { .. } => "join_request_rejected",
            Template::Approval { .. } => "approval",
            Template::ApprovalDigest { .. } => "approval_digest",
        }
    }
}

/// A message in one language, ready for a transport.
#[derive(Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The SMS text (short, with the product signature).
    pub sms: String,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn link(base: &Url, path: &str) -> String {
    base.join(path)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| base.to_string())
}

/// The message files: per language, one file per template with the blocks
/// `subject`, `text`, `html` and `sms`.
const FILES: &[(&str, &str)] = &[
    ("page.html", include_str!("messages/page.html.j2")),
    (
        "en/verification_code",
        include_str!("messages/en/verification_code.j2"),
    ),
    (
        "en/registration_approved",
        include_str!("messages/en/registration_approved.j2"),
    ),
    (
        "en/registration_rejected",
        include_str!("messages/en/registration_rejected.j2"),
    ),
    (
        "en/contact_changed",
        include_str!("messages/en/contact_changed.j2"),
    ),
    (
        "zh-CN/verification_code",
        include_str!("messages/zh-CN/verification_code.j2"),
    ),
    (
        "zh-CN/registration_approved",
        include_str!("messages/zh-CN/registration_approved.j2"),
    ),
    (
        "zh-CN/registration_rejected",
        include_str!("messages/zh-CN/registration_rejected.j2"),
    ),
    (
        "zh-CN/contact_changed",
        include_str!("messages/zh-CN/contact_changed.j2"),
    ),
    (
        "en/creator_transferred",
        include_str!("messages/en/creator_transferred.j2"),
    ),
    (
        "zh-CN/creator_transferred",
        include_str!("messages/zh-CN/creator_transferred.j2"),
    ),
    (
        "en/second_factor_reminder",
        include_str!("messages/en/second_factor_reminder.j2"),
    ),
    (
        "zh-CN/second_factor_reminder",
        include_str!("messages/zh-CN/second_factor_reminder.j2"),
    ),
    ("en/invitation", include_str!("messages/en/invitation.j2")),
    (
        "zh-CN/invitation",
        include_str!("messages/zh-CN/invitation.j2"),
    ),
    (
        "en/invitation_renewal",
        include_str!("messages/en/invitation_renewal.j2"),
    ),
    (
        "zh-CN/invitation_renewal",
        include_str!("messages/zh-CN/invitation_renewal.j2"),
    ),
    (
        "en/join_request_rejected",
        include_str!("messages/en/join_request_rejected.j2"),
    ),
    (
        "zh-CN/join_request_rejected",
        include_str!("messages/zh-CN/join_request_rejected.j2"),
    ),
    ("en/approval", include_str!("messages/en/approval.j2")),
    ("zh-CN/approval", include_str!("messages/zh-CN/approval.j2")),
    (
        "en/approval_digest",
        include_str!("messages/en/approval_digest.j2"),
    ),
    (
        "zh-CN/approval_digest",
        include_str!("messages/zh-CN/approval_digest.j2"),
    ),
];

/// Two environments over the same files: one that escapes for HTML (the
/// `html` block and the page), one that writes text as it is.
struct Engines {
    html: minijinja::Environment<'static>,
    text: minijinja::Environment<'static>,
}

fn engines() -> &'static Engines {
    static ENGINES: std::sync::OnceLock<Engines> = std::sync::OnceLock::new();
    ENGINES.get_or_init(|| {
        let build = |escape: bool| {
            let mut env = minijinja::Environment::new();
            env.set_trim_blocks(true);
            env.set_lstrip_blocks(true);
            env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
            if escape {
                env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
                // The same escaping as the rest of the HTML we write (`/`
                // stays `/`, so links read as links).
                env.set_formatter(|out, state, value| {
                    if state.auto_escape() == minijinja::AutoEscape::Html && !value.is_safe() {
                        let text = value.to_string();
                        out.write_str(&escape_html(&text))?;
                        Ok(())
                    } else {
                        minijinja::escape_formatter(out, state, value)
                    }
                });
            } else {
                env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
            }
            for (name, source) in FILES {
                env.add_template(name, source)
                    .expect("message templates parse");
            }
            env
        };
        Engines {
            html: build(true),
            text: build(false),
        }
    })
}

/// The blocks of `name` (`<lang>/<template>`), rendered with `context`;
/// `url` is given to the text as it is and to the HTML escaped.
fn render_file(name: &str, lang: &str, context: minijinja::Value) -> Rendered {
    let e = engines();
    // Each environment evaluates the file once; its blocks render from that state.
    let blocks = |env: &minijinja::Environment<'static>, wanted: &[&str]| -> Vec<String> {
        let mut captured = env
            .get_template(name)
            .and_then(|t| t.render_captured(context.clone()))
            .unwrap_or_else(|err| panic!("message {name}: {err:#}"));
        wanted
            .iter()
            .map(|block| {
                captured
                    .with_state_mut(|state| state.render_block(block))
                    .unwrap_or_else(|err| panic!("message {name}, block {block}: {err:#}"))
            })
            .collect()
    };
    let [subject, text, sms]: [String; 3] = blocks(&e.text, &["subject", "text", "sms"])
        .try_into()
        .expect("three blocks");
    let body = blocks(&e.html, &["html"]).remove(0);
    let html = e
        .html
        .get_template("page.html")
        .and_then(|t| {
            t.render(minijinja::context! {
                lang,
                body => minijinja::Value::from_safe_string(body.trim().to_owned()),
            })
        })
        .expect("message page renders");
    Rendered {
        subject: subject.trim().to_owned(),
        text: format!("{}\n\nOrgdesk\n", text.trim_end()),
        html: format!("{html}\n"),
        sms: sms.trim().to_owned(),
    }
}

/// Renders `template` in `locale` (`zh-CN` or anything else for English);
/// links are absolute, under `base_url`.
pub fn render(template: &Template, locale: &str, base_url: &Url) -> Rendered {
    use minijinja::context;
    let zh = locale == "zh-CN";
    let lang = if zh { "zh-CN" } else { "en" };
    let name = format!("{lang}/{}", template.name());
    let context = match template {
        Template::VerificationCode { code, ttl_minutes } => context! { code, ttl_minutes },
        Template::RegistrationApproved { organisation } => {
            context! { organisation, url => link(base_url, "/login") }
        }
        Template::RegistrationRejected {
            organisation,
            reasons,
            note,
        } => {
            use crate::registration::catalog::reason_sentence;
            let mut lines: Vec<String> = reasons
                .iter()
                .map(|(s, r)| reason_sentence(s, r, zh))
                .collect();
            if !note.is_empty() {
                lines.push(note.to_owned());
            }
            context! { organisation, lines, url => link(base_url, "/register/resume") }
        }
        Template::ContactChanged {
            organisation,
            field,
        } => context! { organisation, mobile => field == "mobile" },
        Template::CreatorTransferred {
            organisation,
            from,
            to,
            receiving,
        } => context! { organisation, from, to, receiving, url => link(base_url, "/admin/access") },
        Template::SecondFactorReminder { organisation } => {
            context! { organisation, url => link(base_url, "/account/security") }
        }
        Template::Invitation {
            organisation,
            inviter,
            name,
            path,
            days,
            reminder,
            by_sms,
        } => context! {
            organisation, inviter, name, days, reminder, by_sms, url => link(base_url, path)
        },
        Template::Approval {
            organisation,
            what,
            template_en,
            template_zh,
            submitter,
            number,
            status,
            path,
        } => context! {
            organisation, what, submitter, number, status,
            template => if zh { template_zh } else { template_en },
            url => link(base_url, path)
        },
        Template::ApprovalDigest {
            organisation,
            waiting,
        } => {
            context! { organisation, waiting, url => link(base_url, "/me/approvals") }
        }
        Template::InvitationRenewal {
            organisation,
            name,
            person,
        } => context! {
            organisation, name,
            url => link(base_url, &format!("/admin/contacts/employees/{person}"))
        },
        Template::JoinRequestRejected {
            organisation,
            reason,
        } => context! { organisation, reason },
    };
    render_file(&name, lang, context)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://od.example.com/").unwrap()
    }

    #[test]
    fn code_message_in_both_languages() {
        let t = Template::VerificationCode {
            code: "482913".into(),
            ttl_minutes: 10,
        };
        let en = render(&t, "en", &base());
        assert!(en.subject.contains("verification code"));
        assert!(
            en.text.contains("482913") && en.html.contains("482913") && en.sms.contains("482913")
        );
        let zh = render(&t, "zh-CN", &base());
        assert!(zh.subject.contains("验证码"));
        assert!(zh.sms.starts_with("【Orgdesk】"));
    }

    #[test]
    fn links_are_absolute_and_names_escaped() {
        let t = Template::RegistrationApproved {
            organisation: "<b>Acme</b> & Co".into(),
        };
        let r = render(&t, "en", &base());
        assert!(r.text.contains("https://od.example.com/login"));
        assert!(r.html.contains("href=\"https://od.example.com/login\""));
        assert!(r.html.contains("&lt;b&gt;Acme&lt;/b&gt; &amp; Co"));
        assert!(!r.html.contains("<b>Acme"));
    }

    #[test]
    fn rejection_lists_reasons_and_the_way_back() {
        let t = Template::RegistrationRejected {
            organisation: "Acme".into(),
            reasons: vec![("licence".into(), "blurred".into())],
            note: "Please scan <again>".into(),
        };
        let en = render(&t, "en", &base());
        assert!(
            en.text
                .contains("Business licence is blurred or unreadable")
        );
        assert!(en.text.contains("https://od.example.com/register/resume"));
        assert!(en.html.contains("Please scan &lt;again&gt;"));
        let zh = render(&t, "zh-CN", &base());
        assert!(zh.sms.contains("营业执照模糊或无法辨认"));
    }

    #[test]
    fn the_old_address_is_told_of_a_contact_change() {
        let t = Template::ContactChanged {
            organisation: "示例 <科技>".into(),
            field: "email".into(),
        };
        let zh = render(&t, "zh-CN", &base());
        assert!(zh.subject.contains("邮箱"));
        assert!(zh.html.contains("示例 &lt;科技&gt;"));
        let en = render(
            &Template::ContactChanged {
                organisation: "Acme".into(),
                field: "mobile".into(),
            },
            "en",
            &base(),
        );
        assert!(en.sms.contains("mobile number"));
        assert!(en.text.contains("signed out on every device"));
    }

    #[test]
    fn every_message_renders_in_both_languages() {
        let all = [
            Template::VerificationCode {
                code: "482913".into(),
                ttl_minutes: 10,
            },
            Template::RegistrationApproved {
                organisation: "Acme".into(),
            },
            Template::RegistrationRejected {
                organisation: "Acme".into(),
                reasons: vec![("licence".into(), "blurred".into())],
                note: String::new(),
            },
            Template::ContactChanged {
                organisation: "Acme".into(),
                field: "mobile".into(),
            },
            Template::Invitation {
                organisation: "Acme".into(),
                inviter: "Wang".into(),
                name: "Li".into(),
                path: "/join/abc".into(),
                days: 7,
                reminder: true,
                by_sms: false,
            },
            Template::InvitationRenewal {
                organisation: "Acme".into(),
                name: "Li".into(),
                person: "0190".into(),
            },
            Template::JoinRequestRejected {
                organisation: "Acme".into(),
                reason: "Not one of ours".into(),
            },
            Template::ApprovalDigest {
                organisation: "Acme".into(),
                waiting: 4,
            },
        ];
        for t in &all {
            for locale in ["en", "zh-CN"] {
                let r = render(t, locale, &base());
                for (part, text) in [("subject", &r.subject), ("text", &r.text), ("sms", &r.sms)] {
                    assert!(!text.trim().is_empty(), "{} {locale} {part}", t.name());
                }
                assert!(r.html.contains("<p>"), "{} {locale}", t.name());
                assert!(r.text.ends_with("\n\nOrgdesk\n"), "{} {locale}", t.name());
            }
        }
    }

    #[test]
    fn an_approval_message_says_what_happened_in_each_language() {
        let message = |what: &str, status: &str| Template::Approval {
            organisation: "Acme".into(),
            what: what.into(),
            template_en: "Leave".into(),
            template_zh: "请假".into(),
            submitter: "Ann <An>".into(),
            number: 42,
            status: status.into(),
            path: "/me/requests/0190".into(),
        };
        for (what, status, en, zh) in [
            ("task", "pending", "waits for your approval", "等待您审批"),
            ("decided", "approved", "was approved", "已通过"),
            ("decided", "rejected", "was rejected", "已被驳回"),
            ("decided", "returned", "returned to you to change", "已退回"),
            ("cc", "pending", "is copied to you", "抄送给您"),
            (
                "reminder",
                "pending",
                "past its time limit",
                "已超过审批时限",
            ),
            ("urged", "pending", "asks you to look", "催您处理"),
        ] {
            let e = render(&message(what, status), "en", &base());
            assert!(e.text.contains(en), "{what} {status}: {}", e.text);
            assert!(
                e.text.contains("https://od.example.com/me/requests/0190"),
                "{}",
                e.text
            );
            assert!(e.subject.contains("Leave"), "{}", e.subject);
            assert!(
                e.html.contains("Ann &lt;An&gt;") || what == "decided",
                "{}",
                e.html
            );
            assert!(e.sms.contains(en), "{}", e.sms);
            let z = render(&message(what, status), "zh-CN", &base());
            assert!(z.text.contains(zh), "{what} {status}: {}", z.text);
            assert!(z.subject.contains("请假"), "{}", z.subject);
        }
    }

    #[test]
    fn an_invitation_carries_its_link_and_says_who_invites() {
        let invitation = |reminder: bool, by_sms: bool| Template::Invitation {
            organisation: "示例科技".into(),
            inviter: "王五".into(),
            name: "李四".into(),
            path: "/join/tok_123".into(),
            days: 7,
            reminder,
            by_sms,
        };
        let zh = render(&invitation(false, true), "zh-CN", &base());
        assert!(zh.sms.contains("https://od.example.com/join/tok_123"));
        assert!(zh.subject.contains("王五") && zh.subject.contains("示例科技"));
        assert!(zh.text.contains("手机号") && !zh.subject.starts_with("提醒"));
        let en = render(&invitation(true, false), "en", &base());
        assert!(en.subject.starts_with("Reminder: "));
        assert!(
            en.html
                .contains("href=\"https://od.example.com/join/tok_123\"")
        );
        assert!(en.text.contains("email address") && en.text.contains("7 days"));
        // The link is a secret: a message's debug form never shows it.
        assert!(!format!("{:?}", invitation(false, false)).contains("tok_123"));
    }

    #[test]
    fn debug_never_shows_the_code() {
        let t = Template::VerificationCode {
            code: "482913".into(),
            ttl_minutes: 10,
        };
        assert!(!format!("{t:?}").contains("482913"));
    }
}
