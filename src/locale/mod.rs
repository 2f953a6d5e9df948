//! The interface language: a switch on every page, remembered in a cookie.
//!
//! With JavaScript the switch happens in place (the translations are already
//! in the page and the cookie is written by the client); without it the form
//! posts to `/api/locale`, which sets the same cookie and sends the browser
//! back to the page it came from.
mod switch;

pub use switch::LanguageSwitch;

use crate::error::AppError;
use leptos::prelude::*;

/// Name of the cookie that remembers the chosen language (leptos_i18n's default).
pub const LOCALE_COOKIE: &str = "i18n_pref_locale";

/// How long the language choice is remembered: one year.
pub const LOCALE_COOKIE_MAX_AGE_SECS: i64 = 365 * 24 * 60 * 60;

/// The cookie that remembers `locale`, as the server sets it (`/api/locale`)
/// and as the browser writes it on a switch.
pub fn cookie(locale: &str, secure: bool) -> String {
    format!(
        "{LOCALE_COOKIE}={locale}; Path=/; Max-Age={LOCALE_COOKIE_MAX_AGE_SECS}; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Remembers `locale` (`en` or `zh-CN`) as the visitor's language.
#[server(prefix = "/api", endpoint = "locale")]
pub async fn set_locale(locale: String) -> Result<(), AppError> {
    use crate::i18n::Locale;
    use leptos_i18n::Locale as _;

    let Some(chosen) = Locale::get_all().iter().find(|l| l.as_str() == locale) else {
        return Err(AppError::field(
            "locale",
            crate::error::Code::ValidationChoice,
        ));
    };
    let secure = crate::server::state::app_state()?.cookie_secure;
    let value = http::HeaderValue::from_str(&cookie(chosen.as_str(), secure))
        .map_err(AppError::internal)?;
    expect_context::<leptos_axum::ResponseOptions>().append_header(http::header::SET_COOKIE, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    fn keys(prefix: &str, value: &serde_json::Value, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    keys(&path, v, out);
                }
            }
            serde_json::Value::String(s) => {
                assert!(!s.trim().is_empty(), "{prefix} is empty");
                // Plural forms (`people_one`, `people_other`) are one key; each
                // language has the forms its grammar needs.
                let key = ["_zero", "_one", "_two", "_few", "_many", "_other"]
                    .iter()
                    .find_map(|suffix| prefix.strip_suffix(suffix))
                    .unwrap_or(prefix);
                out.insert(key.to_owned());
            }
            other => panic!("{prefix}: unexpected value {other}"),
        }
    }

    fn load(text: &str) -> BTreeSet<String> {
        let value: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        let mut out = BTreeSet::new();
        keys("", &value, &mut out);
        out
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let en = load(include_str!("../../locales/en.json"));
        let zh = load(include_str!("../../locales/zh-CN.json"));
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(
            only_en.is_empty() && only_zh.is_empty(),
            "keys only in en.json: {only_en:?}; keys only in zh-CN.json: {only_zh:?}"
        );
        assert!(en.len() > 50, "suspiciously few keys: {}", en.len());
    }

    /// Every Chinese text a person reads: the locale file's strings and the
    /// message templates, each with where it comes from.
    fn chinese_texts() -> Vec<(String, String)> {
        fn strings(path: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
            match value {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        strings(&format!("{path}.{k}"), v, out);
                    }
                }
                serde_json::Value::String(s) => out.push((path.to_owned(), s.clone())),
                _ => {}
            }
        }
        let mut out = Vec::new();
        let zh: serde_json::Value =
            serde_json::from_str(include_str!("../../locales/zh-CN.json")).unwrap();
        strings("zh-CN.json", &zh, &mut out);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/notify/messages/zh-CN");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, line) in text.lines().enumerate() {
                out.push((format!("{}:{}", path.display(), i + 1), line.to_owned()));
            }
        }
        assert!(out.len() > 100, "suspiciously few texts: {}", out.len());
        out
    }

    fn is_chinese(c: char) -> bool {
        matches!(c, '\u{3400}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
    }

    /// Chinese sentences take full-width punctuation: no half-width
    /// `, ; : ( )` next to a Chinese character (spaces between count as next).
    #[test]
    fn chinese_texts_use_full_width_punctuation() {
        let mut found = Vec::new();
        for (place, text) in chinese_texts() {
            let chars: Vec<char> = text.chars().collect();
            for (i, &c) in chars.iter().enumerate() {
                if !",;:()".contains(c) {
                    continue;
                }
                let before = chars[..i].iter().rev().find(|c| !matches!(c, ' ' | '\t'));
                let after = chars[i + 1..].iter().find(|c| !matches!(c, ' ' | '\t'));
                if before.is_some_and(|&c| is_chinese(c)) || after.is_some_and(|&c| is_chinese(c)) {
                    found.push(format!("{place}: {c:?} in {text:?}"));
                    break;
                }
            }
        }
        assert!(
            found.is_empty(),
            "half-width punctuation in Chinese:\n{}",
            found.join("\n")
        );
    }

    /// One word for one thing: the glossary's variants of a term never
    /// appear, and each term's English pair is written down.
    #[test]
    fn chinese_texts_use_the_glossary_terms() {
        let glossary: serde_json::Value =
            serde_json::from_str(include_str!("../../locales/glossary.json")).unwrap();
        let terms = glossary["terms"].as_array().unwrap();
        assert!(terms.len() >= 10);
        let texts = chinese_texts();
        let mut found = Vec::new();
        for term in terms {
            let zh = term["zh"].as_str().unwrap();
            assert!(
                !term["en"].as_str().unwrap().is_empty(),
                "{zh} has no English pair"
            );
            for variant in term["not"].as_array().unwrap() {
                let variant = variant.as_str().unwrap();
                for (place, text) in &texts {
                    if text.contains(variant) {
                        found.push(format!("{place}: {variant:?} (say {zh:?}) in {text:?}"));
                    }
                }
            }
        }
        assert!(found.is_empty(), "glossary variants:\n{}", found.join("\n"));
    }
}
