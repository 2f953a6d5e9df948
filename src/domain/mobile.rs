//! Mobile phone numbers, stored in E.164 form.

use crate::error::Code;
use serde::{Deserialize, Serialize};

use super::ErrorCode;

/// Country calling code of mainland China, in E.164 form.
const MAINLAND_PREFIX: &str = "+86";

/// Fewest and most digits (country code included) accepted for a number
/// outside mainland China; E.164 caps numbers at 15 digits.
const MIN_INTERNATIONAL_DIGITS: usize = 8;
const MAX_INTERNATIONAL_DIGITS: usize = 15;

/// A mobile phone number in E.164 form, e.g. `+8613812345678`.
///
/// Accepted input:
/// - a bare number is a mainland China number: `13812345678`,
///   `138 1234 5678`, `138-1234-5678`;
/// - `+86` or `0086` followed by a mainland number;
/// - `+` or `00` followed by another country code and number. On the server
///   (feature `ssr`) it must be a valid mobile (or fixed-line-or-mobile)
///   number according to libphonenumber's metadata; on the client only its
///   shape is checked, and the server is authoritative.
///
/// Mainland numbers must match `1[3-9]` followed by nine digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile(String);

/// Why a string is not a [`Mobile`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    /// The input is empty or only whitespace.
    #[error("a mobile number is required")]
    Required,
    /// The input is not shaped like a phone number at all.
    #[error("not a phone number")]
    Format,
    /// A mainland China number (bare, `+86` or `0086`) that is not `1[3-9]`
    /// followed by nine digits.
    #[error("not a mainland China mobile number")]
    Mainland,
    /// A number outside mainland China that is not a valid mobile number for
    /// its country.
    #[error("not a valid mobile number for its country")]
    Invalid,
}

impl ErrorCode for MobileError {
    fn code(&self) -> Code {
        match self {
            Self::Required => Code::MobileRequired,
            Self::Format => Code::MobileFormat,
            Self::Mainland => Code::MobileMainland,
            Self::Invalid => Code::MobileInvalid,
        }
    }
}

impl Mobile {
    /// Parses and normalises a phone number to E.164.
    pub fn parse(input: &str) -> Result<Self, MobileError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(MobileError::Required);
        }
        let compact: String = trimmed.chars().filter(|c| !is_separator(*c)).collect();

        let (international, digits) = match compact.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => match compact.strip_prefix("00") {
                Some(rest) => (true, rest),
                None => (false, compact.as_str()),
            },
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MobileError::Format);
        }

        if !international {
            return parse_mainland(digits);
        }
        // No other country code starts with 86 (calling codes are prefix-free).
        if let Some(national) = digits.strip_prefix("86") {
            return parse_mainland(national);
        }
        parse_international(digits)
    }

    /// Whether this is a mainland China (`+86`) number.
    pub fn is_mainland(&self) -> bool {
        self.0.starts_with(MAINLAND_PREFIX)
    }

    /// The number grouped for reading: `+86 139 0013 5660` for the mainland,
    /// other numbers as stored.
    pub fn grouped(&self) -> String {
        group_mobile(&self.0)
    }

    /// The number with its middle digits hidden, for display:
    /// `+86 138****5678` for mainland numbers, and for others the first three
    /// and last four digits kept, e.g. `+447*****3456`.
    pub fn masked(&self) -> String {
        if let Some(national) = self.0.strip_prefix(MAINLAND_PREFIX) {
            return format!("{MAINLAND_PREFIX} {}****{}", &national[..3], &national[7..]);
        }
        // Stored numbers are "+" and ASCII digits only, so byte slicing is safe.
        let digits = &self.0[1..];
        let hidden = digits.len() - 7;
        format!(
            "+{}{}{}",
            &digits[..3],
            "*".repeat(hidden),
            &digits[digits.len() - 4..]
        )
    }
}

string_value_type!(Mobile, MobileError, 0);

/// A stored mobile number (E.164) grouped for reading: a mainland number as
/// `+86 139 0013 5660`; anything else is returned as it is.
pub fn group_mobile(stored: &str) -> String {
    match stored.strip_prefix(MAINLAND_PREFIX) {
        Some(n) if n.len() == 11 && n.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{MAINLAND_PREFIX} {} {} {}", &n[..3], &n[3..7], &n[7..])
        }
        _ => stored.to_owned(),
    }
}

/// Characters people type between digit groups.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '(' | ')' | '.')
}

/// `national` is all ASCII digits.
fn parse_mainland(national: &str) -> Result<Mobile, MobileError> {
    let bytes = national.as_bytes();
    if bytes.len() == 11 && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]) {
        Ok(Mobile(format!("{MAINLAND_PREFIX}{national}")))
    } else {
        Err(MobileError::Mainland)
    }
}

/// `digits` is all ASCII digits, country code first, without `+` or `00`.
fn parse_international(digits: &str) -> Result<Mobile, MobileError> {
    if !(MIN_INTERNATIONAL_DIGITS..=MAX_INTERNATIONAL_DIGITS).contains(&digits.len())
        || digits.starts_with('0')
    {
        return Err(MobileError::Format);
    }
    check_with_metadata(digits)
}

#[cfg(feature = "ssr")]
fn check_with_metadata(digits: &str) -> Result<Mobile, MobileError> {
    use phonenumber::{Mode, Type, metadata::DATABASE};

    let number =
        phonenumber::parse(None, format!("+{digits}")).map_err(|_| MobileError::Invalid)?;
    let is_mobile = matches!(
        number.number_type(&DATABASE),
        Type::Mobile | Type::FixedLineOrMobile
    );
    if !number.is_valid() || !is_mobile {
        return Err(MobileError::Invalid);
    }
    // Formatting drops a national trunk prefix typed after the country code.
    Ok(Mobile(number.format().mode(Mode::E164).to_string()))
}

/// The client ships without libphonenumber's metadata (it is large); the
/// server re-parses every number and is authoritative.
#[cfg(not(feature = "ssr"))]
fn check_with_metadata(digits: &str) -> Result<Mobile, MobileError> {
    Ok(Mobile(format!("+{digits}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_numbers_are_grouped_for_reading_and_others_kept() {
        assert_eq!(group_mobile("+8613900135660"), "+86 139 0013 5660");
        assert_eq!(
            Mobile::parse("139-0013-5660").unwrap().grouped(),
            "+86 139 0013 5660"
        );
        assert_eq!(group_mobile("+14155552671"), "+14155552671");
        assert_eq!(group_mobile(""), "");
    }
    use crate::error::Code;

    fn ok(input: &str) -> String {
        match Mobile::parse(input) {
            Ok(m) => m.into_inner(),
            Err(e) => panic!("{input:?} rejected: {e:?}"),
        }
    }

    fn err(input: &str) -> MobileError {
        match Mobile::parse(input) {
            Ok(m) => panic!("{input:?} accepted as {m}"),
            Err(e) => e,
        }
    }

    #[test]
    fn mainland_spellings_normalise_to_e164() {
        for input in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+8613812345678",
            "008613812345678",
            "  0086 138-1234-5678\t",
            "(+86) 138.1234.5678",
        ] {
            assert_eq!(ok(input), "+8613812345678", "{input:?}");
        }
    }

    #[test]
    fn mainland_second_digit_range() {
        assert_eq!(ok("19912345678"), "+8619912345678");
        assert_eq!(err("12812345678"), MobileError::Mainland);
        assert_eq!(err("10812345678"), MobileError::Mainland);
    }

    #[test]
    fn mainland_needs_eleven_digits_starting_with_1() {
        assert_eq!(err("1381234567"), MobileError::Mainland);
        assert_eq!(err("138123456789"), MobileError::Mainland);
        assert_eq!(err("23812345678"), MobileError::Mainland);
        assert_eq!(err("+86 010 1234 5678"), MobileError::Mainland);
        assert_eq!(err("0086 2381234567"), MobileError::Mainland);
    }

    #[test]
    fn bare_country_code_without_plus_is_not_international() {
        assert_eq!(err("86 13812345678"), MobileError::Mainland);
    }

    #[test]
    fn required() {
        assert_eq!(err(""), MobileError::Required);
        assert_eq!(err(" \t\n"), MobileError::Required);
    }

    #[test]
    fn not_a_phone_number() {
        assert_eq!(err("abc"), MobileError::Format);
        assert_eq!(err("138-1234-567x"), MobileError::Format);
        assert_eq!(err("+"), MobileError::Format);
        assert_eq!(err("--"), MobileError::Format);
        assert_eq!(err("+44+7911123456"), MobileError::Format);
        assert_eq!(err("138/1234/5678"), MobileError::Format);
    }

    #[test]
    fn international_shape() {
        // Too few digits, too many digits, country code starting with 0.
        assert_eq!(err("+4412345"), MobileError::Format);
        assert_eq!(err("+4479111234567890"), MobileError::Format);
        assert_eq!(err("+0447911123456"), MobileError::Format);
        assert_eq!(err("000447911123456"), MobileError::Format);
    }

    #[test]
    fn international_mobile_accepted() {
        assert_eq!(ok("+44 7911 123456"), "+447911123456");
        assert_eq!(ok("0044 7911 123456"), "+447911123456");
        // US numbers cannot be told apart: fixed-line-or-mobile is accepted.
        assert_eq!(ok("+1 (650) 253-0000"), "+16502530000");
        assert_eq!(ok("+852 5123 4567"), "+85251234567");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn server_checks_metadata() {
        // UK fixed line (London) is not a mobile number.
        assert_eq!(err("+44 20 7946 0123"), MobileError::Invalid);
        // Unassigned country code.
        assert_eq!(err("+999 1234 5678"), MobileError::Invalid);
        // UK mobile numbers have ten national digits.
        assert_eq!(err("+44 7911 12345"), MobileError::Invalid);
        // A trunk prefix typed after the country code is dropped.
        assert_eq!(ok("+44 07911 123456"), "+447911123456");
    }

    #[cfg(not(feature = "ssr"))]
    #[test]
    fn client_checks_shape_only() {
        assert_eq!(ok("+44 20 7946 0123"), "+442079460123");
        assert_eq!(ok("+999 1234 5678"), "+99912345678");
    }

    #[test]
    fn is_mainland() {
        assert!(Mobile::parse("13812345678").unwrap().is_mainland());
        assert!(!Mobile::parse("+447911123456").unwrap().is_mainland());
    }

    #[test]
    fn masked() {
        assert_eq!(
            Mobile::parse("13812345678").unwrap().masked(),
            "+86 138****5678"
        );
        assert_eq!(
            Mobile::parse("+447911123456").unwrap().masked(),
            "+447*****3456"
        );
    }

    #[test]
    fn string_conversions() {
        let m = Mobile::parse("138 1234 5678").unwrap();
        assert_eq!(m.as_str(), "+8613812345678");
        assert_eq!(m.to_string(), "+8613812345678");
        assert_eq!(String::from(m.clone()), "+8613812345678");
        assert_eq!("13812345678".parse::<Mobile>(), Ok(m));
    }

    #[test]
    fn deserialize_goes_through_parse() {
        let m: Mobile = super::super::deserialize_from_str("138 1234 5678").unwrap();
        assert_eq!(m.as_str(), "+8613812345678");
        assert!(super::super::deserialize_from_str::<Mobile>("12812345678").is_err());
    }

    #[test]
    fn error_codes() {
        assert_eq!(MobileError::Required.code(), Code::MobileRequired);
        assert_eq!(MobileError::Format.code(), Code::MobileFormat);
        assert_eq!(MobileError::Mainland.code(), Code::MobileMainland);
        assert_eq!(MobileError::Invalid.code(), Code::MobileInvalid);
    }
}
