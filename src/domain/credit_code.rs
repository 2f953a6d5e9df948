//! Unified social credit codes (统一社会信用代码), GB 32100-2015.

use crate::error::Code;
use serde::{Deserialize, Serialize};

use super::ErrorCode;

/// The 31 characters of GB 32100-2015; a character's value is its index.
/// I, O, S, V and Z are left out to avoid confusion with digits.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weight of positions 1 to 17: 3^(i-1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const LEN: usize = 18;

/// An 18-character unified social credit code, uppercase, e.g.
/// `91110000802100433B`.
///
/// Layout: position 1 registration authority, 2 organisation category,
/// 3-8 administrative division code (digits), 9-17 organisation code,
/// 18 check character.
///
/// Positions 1 and 2 are only checked against the alphabet: the table of
/// authorities and categories has been extended after the standard (e.g. `N`
/// for rural collective economic organisations), so a fixed list would reject
/// real codes, and the check character already catches typing errors.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

/// Why a string is not a [`CreditCode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// The input is empty or only whitespace.
    #[error("a unified social credit code is required")]
    Required,
    /// Not 18 characters once spaces are removed.
    #[error("a unified social credit code has 18 characters")]
    Length,
    /// A character outside the code's alphabet, or a non-digit in the
    /// administrative division code (positions 3-8).
    #[error("the unified social credit code contains an invalid character")]
    Charset,
    /// The check character (position 18) does not match.
    #[error("the unified social credit code check character does not match")]
    Checksum,
}

impl ErrorCode for CreditCodeError {
    fn code(&self) -> Code {
        match self {
            Self::Required => Code::CreditCodeRequired,
            Self::Length => Code::CreditCodeLength,
            Self::Charset => Code::CreditCodeCharset,
            Self::Checksum => Code::CreditCodeChecksum,
        }
    }
}

impl CreditCode {
    /// Parses a code, ignoring whitespace and case, and verifies its check
    /// character.
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        match Self::parse_allowing_bad_checksum(input)? {
            (code, true) => Ok(code),
            (_, false) => Err(CreditCodeError::Checksum),
        }
    }

    /// Parses a code like [`parse`](Self::parse) but accepts a wrong check
    /// character, reporting whether it matched.
    ///
    /// A few codes issued during the early pilots are legal yet fail the
    /// checksum; use this where such codes must be recorded (e.g. after a
    /// confirmation by the user), never as the default.
    pub fn parse_allowing_bad_checksum(input: &str) -> Result<(Self, bool), CreditCodeError> {
        let code: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if code.is_empty() {
            return Err(CreditCodeError::Required);
        }
        if code.chars().count() != LEN {
            return Err(CreditCodeError::Length);
        }
        let mut values = [0u32; LEN];
        for (value, byte) in values.iter_mut().zip(code.bytes()) {
            *value = char_value(byte).ok_or(CreditCodeError::Charset)?;
        }
        if !code.as_bytes()[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::Charset);
        }
        let checksum_ok = check_value(&values[..17]) == values[17];
        Ok((Self(code), checksum_ok))
    }
}

string_value_type!(CreditCode, CreditCodeError, 0);

fn char_value(byte: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&c| c == byte)
        .and_then(|i| u32::try_from(i).ok())
}

/// Value of the check character for the first 17 values.
fn check_value(body: &[u32]) -> u32 {
    let sum: u32 = body.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    // 31 - (sum mod 31), where 31 wraps to 0.
    (31 - sum % 31) % 31
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    /// Checksum-valid samples (verified with the algorithm above).
    const VALID: [&str; 6] = [
        "91440300708461136T",
        "9144030071526726XG",
        "91110000802100433B",
        "91310000132200821H",
        "91110000710925462X",
        "91110108551385082Q",
    ];

    #[test]
    fn accepts_checksum_valid_samples() {
        for code in VALID {
            assert_eq!(
                CreditCode::parse(code).map(CreditCode::into_inner),
                Ok(code.to_owned())
            );
        }
    }

    #[test]
    fn check_character_zero() {
        // Weighted sum divisible by 31: 31 - 0 = 31 wraps to '0'.
        assert!(CreditCode::parse("9111000080210043L0").is_ok());
    }

    #[test]
    fn authority_and_category_not_limited_to_the_2015_table() {
        // Checksum-valid sample with authority N (agriculture) and category 2.
        assert!(CreditCode::parse("N2110105MF0000000Q").is_ok());
        // Checksum-valid sample with authority 5 and check character Y.
        assert!(CreditCode::parse("5244030071526726PY").is_ok());
    }

    #[test]
    fn one_changed_character_fails_checksum() {
        assert_eq!(
            CreditCode::parse("91110000802100434B"),
            Err(CreditCodeError::Checksum)
        );
        assert_eq!(
            CreditCode::parse("91110000802100433C"),
            Err(CreditCodeError::Checksum)
        );
        assert_eq!(
            CreditCode::parse("92110000802100433B"),
            Err(CreditCodeError::Checksum)
        );
    }

    #[test]
    fn lowercase_and_spaces_accepted() {
        let code = CreditCode::parse(" 9144 0300 7084 6113 6t ").unwrap();
        assert_eq!(code.as_str(), "91440300708461136T");
    }

    #[test]
    fn required() {
        assert_eq!(CreditCode::parse(""), Err(CreditCodeError::Required));
        assert_eq!(CreditCode::parse(" \t "), Err(CreditCodeError::Required));
    }

    #[test]
    fn wrong_length() {
        assert_eq!(
            CreditCode::parse("91110000802100433"),
            Err(CreditCodeError::Length)
        );
        assert_eq!(
            CreditCode::parse("91110000802100433BB"),
            Err(CreditCodeError::Length)
        );
        // Counted in characters, not bytes.
        assert_eq!(
            CreditCode::parse("9111000080210043é"),
            Err(CreditCodeError::Length)
        );
    }

    #[test]
    fn letters_outside_alphabet_rejected() {
        for letter in ['I', 'O', 'S', 'V', 'Z', 'i', 'o', 's', 'v', 'z'] {
            let code = format!("91110000802100433{letter}");
            assert_eq!(
                CreditCode::parse(&code),
                Err(CreditCodeError::Charset),
                "{code}"
            );
            let code = format!("9111000080{letter}100433B");
            assert_eq!(
                CreditCode::parse(&code),
                Err(CreditCodeError::Charset),
                "{code}"
            );
        }
        assert_eq!(
            CreditCode::parse("91110000802100433-"),
            Err(CreditCodeError::Charset)
        );
        assert_eq!(
            CreditCode::parse("9111000080210043é1"),
            Err(CreditCodeError::Charset)
        );
    }

    #[test]
    fn division_code_must_be_digits() {
        // Checksum-valid, but position 3 is a letter.
        assert_eq!(
            CreditCode::parse("91A10000802100433P"),
            Err(CreditCodeError::Charset)
        );
    }

    #[test]
    fn allowing_bad_checksum() {
        let (code, ok) = CreditCode::parse_allowing_bad_checksum("91110000802100434b").unwrap();
        assert_eq!(code.as_str(), "91110000802100434B");
        assert!(!ok);
        let (_, ok) = CreditCode::parse_allowing_bad_checksum(VALID[0]).unwrap();
        assert!(ok);
        assert_eq!(
            CreditCode::parse_allowing_bad_checksum("9111000080210043"),
            Err(CreditCodeError::Length)
        );
        assert_eq!(
            CreditCode::parse_allowing_bad_checksum("91110000802100433O"),
            Err(CreditCodeError::Charset)
        );
        assert_eq!(
            CreditCode::parse_allowing_bad_checksum(""),
            Err(CreditCodeError::Required)
        );
    }

    #[test]
    fn deserialize_goes_through_parse() {
        let code: CreditCode = super::super::deserialize_from_str("91110000802100433b").unwrap();
        assert_eq!(code.to_string(), "91110000802100433B");
        assert!(super::super::deserialize_from_str::<CreditCode>("91110000802100434B").is_err());
    }

    #[test]
    fn error_codes() {
        assert_eq!(CreditCodeError::Required.code(), Code::CreditCodeRequired);
        assert_eq!(CreditCodeError::Length.code(), Code::CreditCodeLength);
        assert_eq!(CreditCodeError::Charset.code(), Code::CreditCodeCharset);
        assert_eq!(CreditCodeError::Checksum.code(), Code::CreditCodeChecksum);
    }
}
