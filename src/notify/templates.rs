//! Message texts, kept in the crate, in both languages.
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

fn html_page(lang: &str, paragraphs: &[String]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"></head>\n\
         <body style=\"font-family:system-ui,sans-serif;line-height:1.6;color:#1d2330\">\n{body}\
         <p style=\"color:#5b6475;font-size:13px\">Orgdesk</p>\n</body></html>\n"
    )
}

/// Renders `template` in `locale` (`zh-CN` or anything else for English);
/// links are absolute, under `base_url`.
pub fn render(template: &Template, locale: &str, base_url: &Url) -> Rendered {
    let zh = locale == "zh-CN";
    let lang = if zh { "zh-CN" } else { "en" };
    match template {
        Template::VerificationCode { code, ttl_minutes } => {
            let code_html = format!(
                "<strong style=\"font-size:20px;letter-spacing:2px\">{}</strong>",
                escape_html(code)
            );
            if zh {
                Rendered {
                    subject: "Orgdesk 验证码".into(),
                    text: format!(
                        "你的验证码是 {code},{ttl_minutes} 分钟内有效。\n\n如果这不是你本人的操作,请忽略本邮件,不要把验证码告诉任何人。\n\nOrgdesk\n"
                    ),
                    html: html_page(
                        lang,
                        &[
                            format!("你的验证码是 {code_html},{ttl_minutes} 分钟内有效。"),
                            "如果这不是你本人的操作,请忽略本邮件,不要把验证码告诉任何人。".into(),
                        ],
                    ),
                    sms: format!(
                        "【Orgdesk】验证码 {code},{ttl_minutes} 分钟内有效。请勿告诉他人。"
                    ),
                }
            } else {
                Rendered {
                    subject: "Your Orgdesk verification code".into(),
                    text: format!(
                        "Your verification code is {code}. It expires in {ttl_minutes} minutes.\n\nIf you did not ask for it, ignore this email and do not share the code with anyone.\n\nOrgdesk\n"
                    ),
                    html: html_page(
                        lang,
                        &[
                            format!("Your verification code is {code_html}. It expires in {ttl_minutes} minutes."),
                            "If you did not ask for it, ignore this email and do not share the code with anyone.".into(),
                        ],
                    ),
                    sms: format!("[Orgdesk] Your code is {code}. It expires in {ttl_minutes} minutes. Do not share it."),
                }
            }
        }
        Template::RegistrationApproved { organisation } => {
            let url = link(base_url, "/login");
            let org = escape_html(organisation);
            let a = format!(
                "<a href=\"{}\">{}</a>",
                escape_html(&url),
                escape_html(&url)
            );
            if zh {
                Rendered {
                    subject: format!("{organisation} 的注册申请已通过"),
                    text: format!(
                        "你好,\n\n{organisation} 的 Orgdesk 注册申请已审核通过。请用注册时填写的手机号码或电子邮箱和密码登录:\n{url}\n\nOrgdesk\n"
                    ),
                    html: html_page(
                        lang,
                        &[
                            "你好,".into(),
                            format!(
                                "{org} 的 Orgdesk 注册申请已审核通过。请用注册时填写的手机号码或电子邮箱和密码登录:"
                            ),
                            a,
                        ],
                    ),
                    sms: format!("【Orgdesk】{organisation} 的注册申请已通过,请登录:{url}"),
                }
            } else {
                Rendered {
                    subject: format!("{organisation} is approved on Orgdesk"),
                    text: format!(
                        "Hello,\n\nThe registration of {organisation} on Orgdesk has been approved. Sign in with the mobile number or email and the password you registered with:\n{url}\n\nOrgdesk\n"
                    ),
                    html: html_page(
                        lang,
                        &[
                            "Hello,".into(),
                            format!(
                                "The registration of {org} on Orgdesk has been approved. Sign in with the mobile number or email and the password you registered with:"
                            ),
                            a,
                        ],
                    ),
                    sms: format!("[Orgdesk] {organisation} is approved. Sign in: {url}"),
                }
            }
        }
        Template::RegistrationRejected {
            organisation,
            reasons,
            note,
        } => render_rejected(organisation, reasons, note, zh, base_url),
        Template::ContactChanged {
            organisation,
            field,
        } => render_contact_changed(organisation, field == "mobile", zh),
    }
}

fn render_contact_changed(organisation: &str, mobile: bool, zh: bool) -> Rendered {
    let lang = if zh { "zh-CN" } else { "en" };
    let org = escape_html(organisation);
    if zh {
        let what = if mobile {
            "手机号码"
        } else {
            "电子邮箱"
        };
        let said = format!(
            "管理员刚刚修改了你在 {organisation} 的 Orgdesk 账号的{what},此{what}不再用于登录和接收通知。你在各设备上的登录已退出。"
        );
        let advice = "如果你不知道这次修改,请立即联系你所在组织的管理员。";
        Rendered {
            subject: format!("你的 Orgdesk 账号{what}已被修改"),
            text: format!("你好,\n\n{said}\n\n{advice}\n\nOrgdesk\n"),
            html: html_page(
                lang,
                &[
                    "你好,".into(),
                    format!(
                        "管理员刚刚修改了你在 {org} 的 Orgdesk 账号的{what},此{what}不再用于登录和接收通知。你在各设备上的登录已退出。"
                    ),
                    advice.into(),
                ],
            ),
            sms: format!(
                "【Orgdesk】你在 {organisation} 的账号{what}已被管理员修改,本号码不再用于登录。如非预期,请联系管理员。"
            ),
        }
    } else {
        let what = if mobile {
            "mobile number"
        } else {
            "email address"
        };
        let advice =
            "If you did not expect this change, contact your organisation's administrator now.";
        Rendered {
            subject: format!("The {what} of your Orgdesk account was changed"),
            text: format!(
                "Hello,\n\nAn administrator of {organisation} has just changed the {what} of your Orgdesk account. This {what} is no longer used to sign in or for notices, and you were signed out on every device.\n\n{advice}\n\nOrgdesk\n"
            ),
            html: html_page(
                lang,
                &[
                    "Hello,".into(),
                    format!(
                        "An administrator of {org} has just changed the {what} of your Orgdesk account. This {what} is no longer used to sign in or for notices, and you were signed out on every device."
                    ),
                    advice.into(),
                ],
            ),
            sms: format!(
                "[Orgdesk] An administrator of {organisation} changed your account's {what}; this number no longer signs in. Not expected? Contact your administrator."
            ),
        }
    }
}

fn render_rejected(
    organisation: &str,
    reasons: &[(String, String)],
    note: &str,
    zh: bool,
    base_url: &Url,
) -> Rendered {
    use crate::registration::catalog::reason_sentence;
    let lang = if zh { "zh-CN" } else { "en" };
    let url = link(base_url, "/register/resume");
    let mut lines: Vec<String> = reasons
        .iter()
        .map(|(s, r)| reason_sentence(s, r, zh))
        .collect();
    if !note.is_empty() {
        lines.push(note.to_owned());
    }
    let list_text: String = lines.iter().map(|l| format!("- {l}\n")).collect();
    let list_html = format!(
        "<ul>{}</ul>",
        lines
            .iter()
            .map(|l| format!("<li>{}</li>", escape_html(l)))
            .collect::<String>()
    );
    let a = format!(
        "<a href=\"{}\">{}</a>",
        escape_html(&url),
        escape_html(&url)
    );
    let org = escape_html(organisation);
    if zh {
        Rendered {
            subject: format!("{organisation} 的注册申请需要修改"),
            text: format!(
                "你好,\n\n{organisation} 的 Orgdesk 注册申请未通过审核,原因如下:\n{list_text}\n请修改后重新提交:\n{url}\n\nOrgdesk\n"
            ),
            html: html_page(
                lang,
                &[
                    "你好,".into(),
                    format!("{org} 的 Orgdesk 注册申请未通过审核,原因如下:"),
                    list_html,
                    format!("请修改后重新提交:{a}"),
                ],
            ),
            sms: format!(
                "【Orgdesk】{organisation} 的注册申请未通过:{}。请修改后重新提交:{url}",
                lines.join(";")
            ),
        }
    } else {
        Rendered {
            subject: format!("The registration of {organisation} needs changes"),
            text: format!(
                "Hello,\n\nThe registration of {organisation} on Orgdesk was not approved, for these reasons:\n{list_text}\nCorrect it and submit it again:\n{url}\n\nOrgdesk\n"
            ),
            html: html_page(
                lang,
                &[
                    "Hello,".into(),
                    format!(
                        "The registration of {org} on Orgdesk was not approved, for these reasons:"
                    ),
                    list_html,
                    format!("Correct it and submit it again: {a}"),
                ],
            ),
            sms: format!(
                "[Orgdesk] The registration of {organisation} was not approved: {}. Correct it: {url}",
                lines.join("; ")
            ),
        }
    }
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
        assert!(zh.subject.contains("电子邮箱"));
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
    fn debug_never_shows_the_code() {
        let t = Template::VerificationCode {
            code: "482913".into(),
            ttl_minutes: 10,
        };
        assert!(!format!("{t:?}").contains("482913"));
    }
}
