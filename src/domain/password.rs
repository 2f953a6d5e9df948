//! Passwords chosen by users.

use crate::error::Code;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::ErrorCode;

const MIN_CHARS: usize = 8;
const MAX_CHARS: usize = 128;

/// A password that satisfies the password policy: 8 to 128 characters
/// (Unicode scalar values, not bytes) and not a common password.
///
/// The value is not trimmed: spaces are legal password characters. It has no
/// `Display` and its `Debug` prints `Password(***)`, so it cannot leak into
/// logs by accident; read it with [`expose`](Self::expose). Serde support
/// exists only so it can travel in server-function arguments.
///
/// The common-password check runs only on the server (feature `ssr`): the
/// list is kept out of the wasm bundle, so the client checks length only and
/// the server is authoritative.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Password(String);

/// Why a string is not an acceptable [`Password`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// The input is empty or only whitespace.
    #[error("a password is required")]
    Required,
    /// Fewer than 8 characters.
    #[error("the password must have at least 8 characters")]
    TooShort,
    /// More than 128 characters.
    #[error("the password must have at most 128 characters")]
    TooLong,
    /// The password is on the list of common passwords.
    #[error("the password is too common")]
    Common,
    /// Shorter than the organisation's policy asks for.
    #[error("the password is shorter than the policy asks")]
    BelowPolicy,
    /// Contains the person's name or identifiers, or the organisation's name.
    #[error("the password contains personal words")]
    Personal,
}

impl ErrorCode for PasswordError {
    fn code(&self) -> Code {
        match self {
            Self::Required => Code::PasswordRequired,
            Self::TooShort => Code::PasswordTooShort,
            Self::TooLong => Code::PasswordTooLong,
            Self::Common => Code::PasswordCommon,
            Self::BelowPolicy => Code::PasswordBelowPolicy,
            Self::Personal => Code::PasswordPersonal,
        }
    }
}

impl Password {
    /// Checks a password against the policy. The input is taken as typed.
    pub fn parse(input: &str) -> Result<Self, PasswordError> {
        check(input)?;
        Ok(Self(input.to_owned()))
    }

    /// Checks the rules that depend on whose password it is: at least
    /// `min_chars` characters (the organisation's policy), and none of
    /// `words` (their name, account ID, email, mobile, the organisation's
    /// name), compared lower-cased. No composition rules (NIST SP 800-63B-4).
    pub fn check_policy(&self, min_chars: usize, words: &[&str]) -> Result<(), PasswordError> {
        if self.0.chars().count() < min_chars {
            return Err(PasswordError::BelowPolicy);
        }
        let lower = self.0.to_lowercase();
        if personal_words(words)
            .iter()
            .any(|w| lower.contains(w.as_str()))
        {
            return Err(PasswordError::Personal);
        }
        Ok(())
    }

    /// The password itself, for hashing or verifying. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn check(input: &str) -> Result<(), PasswordError> {
    if input.trim().is_empty() {
        return Err(PasswordError::Required);
    }
    let chars = input.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    if is_common(input) {
        return Err(PasswordError::Common);
    }
    Ok(())
}

/// The words of `sources` a password must not contain, lower-cased: each
/// source whole, and its parts split at spaces, `.`, `-` and `_`; a mobile
/// number also by its last eleven digits. Short words would refuse too
/// much ("Rose" in "prosecco"): a whole source counts from five
/// characters, a part from six, and either from two when it is not ASCII
/// (a Chinese name). Pass an email's local part, not its domain.
pub fn personal_words(sources: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |w: &str, min_ascii: usize| {
        let w = w.trim().to_lowercase();
        let n = w.chars().count();
        let long_enough = if w.is_ascii() { n >= min_ascii } else { n >= 2 };
        if long_enough && !out.contains(&w) {
            out.push(w);
        }
    };
    for source in sources {
        add(source, 5);
        for part in source.split(|c: char| c.is_whitespace() || ".-_".contains(c)) {
            add(part, 6);
        }
        let digits: String = source.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 11 && source.trim_start().starts_with('+') {
            add(&digits[digits.len() - 11..], 5);
        }
    }
    out
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl TryFrom<String> for Password {
    type Error = PasswordError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        // Moves the string instead of copying the secret once more.
        check(&value)?;
        Ok(Self(value))
    }
}

impl From<Password> for String {
    fn from(value: Password) -> String {
        value.0
    }
}

/// The most common passwords, lowercase (see the file's header for its source).
#[cfg(feature = "ssr")]
static COMMON_PASSWORDS: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        include_str!("common_passwords.txt")
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect()
    });

/// On either list: ours (lower-cased), or the `passwords` crate's 99,838
/// (as typed, and lower-cased); 100,933 distinct passwords together.
#[cfg(feature = "ssr")]
fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS.contains(lower.as_str())
        || passwords::analyzer::is_common_password(&lower)
        || passwords::analyzer::is_common_password(password)
}

#[cfg(not(feature = "ssr"))]
fn is_common(_password: &str) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    const STRONG: &str = "vT9#qLm2!rXw";

    #[test]
    fn the_second_list_is_consulted_too() {
        // On the `passwords` crate's list, not on ours; in any case.
        for p in ["californication", "CristianoRonaldo", "avengedsevenfold"] {
            assert_eq!(Password::parse(p), Err(PasswordError::Common), "{p}");
        }
        assert!(Password::parse("juniper ferry lantern").is_ok());
    }

    #[test]
    fn the_policy_adds_a_length_and_personal_words_without_composition_rules() {
        let p = Password::parse("juniper ferry lantern").unwrap();
        assert_eq!(p.check_policy(15, &[]), Ok(()));
        assert_eq!(p.check_policy(22, &[]), Err(PasswordError::BelowPolicy));
        // Lower case only, no digits, no symbols: fine.
        let words = [
            "张三",
            "zhangsan",
            "zhang.san",
            "+8613800138000",
            "示例科技",
            "Northwind Trading",
        ];
        assert_eq!(p.check_policy(8, &words), Ok(()));
        for bad in [
            "my name is ZhangSan truly",
            "northwind forever and ever",
            "call 13800138000 anytime",
            "张三的第一个密码很长很长",
            "示例科技公司的共享密码啊",
        ] {
            let p = Password::parse(bad).unwrap();
            assert_eq!(
                p.check_policy(8, &words),
                Err(PasswordError::Personal),
                "{bad}"
            );
        }
        // Short names and common words inside longer ones are not held
        // against a password: "Mark" in "bookmark", "Rose" in "prosecco".
        let p = Password::parse("a bookmark of prosecco and olives").unwrap();
        assert_eq!(
            p.check_policy(8, &["Mark Li", "Rose", "mark.li", "Acme Group"]),
            Ok(())
        );
    }

    #[test]
    fn strong_password_accepted() {
        assert_eq!(Password::parse(STRONG).unwrap().expose(), STRONG);
    }

    #[test]
    fn required() {
        assert_eq!(Password::parse(""), Err(PasswordError::Required));
        assert_eq!(Password::parse("          "), Err(PasswordError::Required));
    }

    #[test]
    fn not_trimmed() {
        let p = Password::parse("  a b c d  ").unwrap();
        assert_eq!(p.expose(), "  a b c d  ");
        // Seven characters plus surrounding spaces: long enough as typed.
        assert!(Password::parse(" kQ7#x2p").is_ok());
    }

    #[test]
    fn length_bounds() {
        assert_eq!(Password::parse("kQ7#x2p"), Err(PasswordError::TooShort));
        assert!(Password::parse("kQ7#x2pZ").is_ok());
        let max = "kQ7#x2pZ".repeat(16);
        assert!(Password::parse(&max).is_ok());
        assert_eq!(
            Password::parse(&format!("{max}a")),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // 8 characters, 24 bytes.
        assert!(Password::parse("我的密码很安全啊").is_ok());
        // 7 characters, 21 bytes.
        assert_eq!(
            Password::parse("我的密码很安全"),
            Err(PasswordError::TooShort)
        );
        // 128 characters, 384 bytes.
        assert!(Password::parse(&"密".repeat(128)).is_ok());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn common_passwords_rejected() {
        for common in ["password", "12345678", "qwerty123", "PassWord", "QWERTY123"] {
            assert_eq!(
                Password::parse(common),
                Err(PasswordError::Common),
                "{common}"
            );
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn common_password_list_is_well_formed() {
        let text = include_str!("common_passwords.txt");
        assert!(text.starts_with("# source: "));
        let entries: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(entries.len(), 10_000);
        assert_eq!(COMMON_PASSWORDS.len(), 10_000, "duplicates in the list");
        for entry in entries {
            assert_eq!(entry, entry.to_lowercase());
            assert!(!entry.is_empty());
        }
    }

    #[test]
    fn debug_is_redacted() {
        let p = Password::parse(STRONG).unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert_eq!(format!("{:?}", Some(p)), "Some(Password(***))");
    }

    #[test]
    fn deserialize_goes_through_parse() {
        let p: Password = super::super::deserialize_from_str(STRONG).unwrap();
        assert_eq!(String::from(p), STRONG);
        assert!(super::super::deserialize_from_str::<Password>("short").is_err());
    }

    #[test]
    fn error_codes() {
        assert_eq!(PasswordError::Required.code(), Code::PasswordRequired);
        assert_eq!(PasswordError::TooShort.code(), Code::PasswordTooShort);
        assert_eq!(PasswordError::TooLong.code(), Code::PasswordTooLong);
        assert_eq!(PasswordError::Common.code(), Code::PasswordCommon);
    }
}
