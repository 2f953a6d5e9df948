//! E-mail addresses.

use crate::error::Code;
use serde::{Deserialize, Serialize};

use super::ErrorCode;

/// Longest address accepted, in characters (RFC 5321 path limit less the
/// angle brackets).
const MAX_LEN: usize = 254;
/// Longest local part, in characters (RFC 5321).
const MAX_LOCAL_LEN: usize = 64;
/// Longest domain label, in characters (RFC 1035).
const MAX_LABEL_LEN: usize = 63;

/// An e-mail address such as `Zhang.San@example.com`.
///
/// The local part is a dot-atom of unquoted ASCII `atext` (no quoted strings,
/// comments or IP literals) and is kept as typed, since mail servers may treat
/// it case-sensitively. The domain has at least two labels of letters, digits
/// and inner hyphens; non-ASCII letters are allowed for internationalised
/// domains. The domain is stored lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why a string is not an [`Email`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// The input is empty or only whitespace.
    #[error("an e-mail address is required")]
    Required,
    /// The address is longer than 254 characters, or its local part longer
    /// than 64.
    #[error("the e-mail address is too long")]
    TooLong,
    /// Not exactly one `@`, or the part before it is not a valid local part.
    #[error("not an e-mail address")]
    Format,
    /// The part after the `@` is not a valid domain name.
    #[error("the e-mail domain is not valid")]
    Domain,
}

impl ErrorCode for EmailError {
    fn code(&self) -> Code {
        match self {
            Self::Required => Code::EmailRequired,
            Self::TooLong => Code::EmailTooLong,
            Self::Format => Code::EmailFormat,
            Self::Domain => Code::EmailDomain,
        }
    }
}

impl Email {
    /// Parses an address, trimming surrounding whitespace and lowercasing the
    /// domain.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Required);
        }
        if trimmed.chars().count() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.split_once('@').ok_or(EmailError::Format)?;
        if domain.contains('@') {
            return Err(EmailError::Format);
        }
        check_local_part(local)?;
        let domain = domain.to_lowercase();
        check_domain(&domain)?;

        Ok(Self(format!("{local}@{domain}")))
    }

    /// The (lowercased) domain, the part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }
}

string_value_type!(Email, EmailError, 0);

fn check_local_part(local: &str) -> Result<(), EmailError> {
    if local.is_empty() {
        return Err(EmailError::Format);
    }
    if local.chars().count() > MAX_LOCAL_LEN {
        return Err(EmailError::TooLong);
    }
    let well_formed = local.chars().all(|c| is_atext(c) || c == '.')
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    if well_formed {
        Ok(())
    } else {
        Err(EmailError::Format)
    }
}

/// RFC 5322 `atext`.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

fn check_domain(domain: &str) -> Result<(), EmailError> {
    let labels: Vec<&str> = domain.split('.').collect();
    let well_formed = labels.len() >= 2
        && labels.iter().all(|label| is_label(label))
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()));
    if well_formed {
        Ok(())
    } else {
        Err(EmailError::Domain)
    }
}

fn is_label(label: &str) -> bool {
    (1..=MAX_LABEL_LEN).contains(&label.chars().count())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    fn ok(input: &str) -> String {
        match Email::parse(input) {
            Ok(e) => e.into_inner(),
            Err(e) => panic!("{input:?} rejected: {e:?}"),
        }
    }

    fn err(input: &str) -> EmailError {
        match Email::parse(input) {
            Ok(e) => panic!("{input:?} accepted as {e}"),
            Err(e) => e,
        }
    }

    #[test]
    fn accepts_common_addresses() {
        assert_eq!(ok("zhang.san@example.com"), "zhang.san@example.com");
        assert_eq!(ok("a@b.cn"), "a@b.cn");
        assert_eq!(
            ok("user+tag@mail.example.com.cn"),
            "user+tag@mail.example.com.cn"
        );
        assert_eq!(
            ok("o'brien_{x}|y~z@ex-ample.co"),
            "o'brien_{x}|y~z@ex-ample.co"
        );
        assert_eq!(ok("x@xn--fiqs8s.cn"), "x@xn--fiqs8s.cn");
    }

    #[test]
    fn trims_and_lowercases_domain_only() {
        assert_eq!(ok("  Zhang.San@Example.COM \n"), "Zhang.San@example.com");
    }

    #[test]
    fn internationalised_domain() {
        assert_eq!(ok("info@例子.中国"), "info@例子.中国");
        assert_eq!(ok("info@BÜCHER.de"), "info@bücher.de");
    }

    #[test]
    fn required() {
        assert_eq!(err(""), EmailError::Required);
        assert_eq!(err("   "), EmailError::Required);
    }

    #[test]
    fn total_length_limit() {
        let domain = format!(
            "{}.{}.{}.com",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63)
        );
        let at_limit = format!("{}@{domain}", "x".repeat(254 - 1 - domain.len()));
        assert_eq!(at_limit.len(), 254);
        assert_eq!(ok(&at_limit), at_limit);
        assert_eq!(err(&format!("x{at_limit}")), EmailError::TooLong);
    }

    #[test]
    fn local_part_length_limit() {
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(64))).is_ok());
        assert_eq!(
            err(&format!("{}@example.com", "a".repeat(65))),
            EmailError::TooLong
        );
    }

    #[test]
    fn exactly_one_at() {
        assert_eq!(err("example.com"), EmailError::Format);
        assert_eq!(err("a@b@example.com"), EmailError::Format);
    }

    #[test]
    fn local_part_rules() {
        assert_eq!(err("@example.com"), EmailError::Format);
        assert_eq!(err(".a@example.com"), EmailError::Format);
        assert_eq!(err("a.@example.com"), EmailError::Format);
        assert_eq!(err("a..b@example.com"), EmailError::Format);
        assert_eq!(err("a b@example.com"), EmailError::Format);
        assert_eq!(err("\"ab\"@example.com"), EmailError::Format);
        assert_eq!(err("a(b)@example.com"), EmailError::Format);
        assert_eq!(err("张三@example.com"), EmailError::Format);
    }

    #[test]
    fn domain_needs_two_labels() {
        assert_eq!(err("a@localhost"), EmailError::Domain);
        assert_eq!(err("a@"), EmailError::Domain);
    }

    #[test]
    fn domain_label_rules() {
        assert_eq!(err("a@.example.com"), EmailError::Domain);
        assert_eq!(err("a@example.com."), EmailError::Domain);
        assert_eq!(err("a@example..com"), EmailError::Domain);
        assert_eq!(err("a@-example.com"), EmailError::Domain);
        assert_eq!(err("a@example-.com"), EmailError::Domain);
        assert_eq!(err("a@exa_mple.com"), EmailError::Domain);
        assert_eq!(err("a@[127.0.0.1]"), EmailError::Domain);
        assert_eq!(err("a@例子。中国"), EmailError::Domain);
        let long_label = "a".repeat(64);
        assert_eq!(err(&format!("a@{long_label}.com")), EmailError::Domain);
        assert!(Email::parse(&format!("a@{}.com", "a".repeat(63))).is_ok());
    }

    #[test]
    fn numeric_tld_rejected() {
        assert_eq!(err("a@127.0.0.1"), EmailError::Domain);
        assert_eq!(err("a@example.123"), EmailError::Domain);
        assert_eq!(ok("a@123.example.c0m"), "a@123.example.c0m");
    }

    #[test]
    fn domain_accessor() {
        assert_eq!(
            Email::parse("Zhang@Example.COM").unwrap().domain(),
            "example.com"
        );
    }

    #[test]
    fn string_conversions() {
        let e = Email::parse("a@example.com").unwrap();
        assert_eq!(e.as_str(), "a@example.com");
        assert_eq!(e.to_string(), "a@example.com");
        assert_eq!(String::from(e.clone()), "a@example.com");
    }

    #[test]
    fn deserialize_goes_through_parse() {
        let e: Email = super::super::deserialize_from_str(" a@EXAMPLE.com").unwrap();
        assert_eq!(e.as_str(), "a@example.com");
        assert!(super::super::deserialize_from_str::<Email>("a@localhost").is_err());
    }

    #[test]
    fn error_codes() {
        assert_eq!(EmailError::Required.code(), Code::EmailRequired);
        assert_eq!(EmailError::TooLong.code(), Code::EmailTooLong);
        assert_eq!(EmailError::Format.code(), Code::EmailFormat);
        assert_eq!(EmailError::Domain.code(), Code::EmailDomain);
    }
}
