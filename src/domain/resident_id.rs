//! Citizen identification numbers (公民身份号码), GB 11643-1999.

use crate::error::Code;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::ErrorCode;

const LEN: usize = 18;
/// Weights of the first 17 digits for the check digit (ISO 7064 MOD 11-2).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by the weighted sum mod 11.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";
/// Earliest birth year accepted.
const MIN_YEAR: i32 = 1900;
/// Valid first two digits: province-level divisions, plus 71 (Taiwan) and
/// 81, 82, 83 (residence permits for Hong Kong, Macao and Taiwan residents).
const PROVINCES: &[u8] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

/// An 18-character citizen ID number, uppercase, e.g. `11010519491231002X`.
///
/// Layout: positions 1-6 address code, 7-14 birth date `YYYYMMDD`, 15-17
/// sequence number (the 17th digit is odd for men), 18 check digit or `X`.
/// The birth date must be a real date from 1900 on and not in the future.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId {
    id: String,
    birth_date: NaiveDate,
}

/// Why a string is not a [`ResidentId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    /// The input is empty or only whitespace.
    #[error("an ID number is required")]
    Required,
    /// Not 18 characters once spaces are removed.
    #[error("an ID number has 18 characters")]
    Length,
    /// Not 17 digits followed by a digit or `X`.
    #[error("an ID number is 17 digits followed by a digit or X")]
    Format,
    /// The first two digits are not a province code.
    #[error("the ID number's region code does not exist")]
    Region,
    /// The birth date is not a real date, before 1900 or in the future.
    #[error("the ID number's birth date is not valid")]
    BirthDate,
    /// The check digit does not match.
    #[error("the ID number's check digit does not match")]
    Checksum,
}

impl ErrorCode for ResidentIdError {
    fn code(&self) -> Code {
        match self {
            Self::Required => Code::ResidentIdRequired,
            Self::Length => Code::ResidentIdLength,
            Self::Format => Code::ResidentIdFormat,
            Self::Region => Code::ResidentIdRegion,
            Self::BirthDate => Code::ResidentIdBirthDate,
            Self::Checksum => Code::ResidentIdChecksum,
        }
    }
}

impl ResidentId {
    /// Parses an ID number, ignoring whitespace and the case of `x`; the
    /// birth date must not be after today (see [`parse_at`](Self::parse_at)).
    ///
    /// "Today" is the date in China (UTC+8). In the browser
    /// (wasm32-unknown-unknown), where the standard clock is unavailable
    /// without `js-sys`, it is 2100-12-31 instead: the client rejects only
    /// absurd dates and the server, which has the clock, is authoritative.
    pub fn parse(input: &str) -> Result<Self, ResidentIdError> {
        Self::parse_at(input, today())
    }

    /// Parses an ID number, rejecting birth dates after `today`.
    pub fn parse_at(input: &str, today: NaiveDate) -> Result<Self, ResidentIdError> {
        let id: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if id.is_empty() {
            return Err(ResidentIdError::Required);
        }
        if id.chars().count() != LEN {
            return Err(ResidentIdError::Length);
        }
        if !id.is_ascii() {
            return Err(ResidentIdError::Format);
        }
        let bytes = id.as_bytes();
        let (body, check) = (&bytes[..17], bytes[17]);
        if !body.iter().all(u8::is_ascii_digit) || !(check.is_ascii_digit() || check == b'X') {
            return Err(ResidentIdError::Format);
        }
        let number = |range: std::ops::Range<usize>| {
            body[range]
                .iter()
                .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
        };

        let province = u8::try_from(number(0..2)).unwrap_or(0);
        if !PROVINCES.contains(&province) {
            return Err(ResidentIdError::Region);
        }

        let year = i32::try_from(number(6..10)).unwrap_or(0);
        let birth_date = NaiveDate::from_ymd_opt(year, number(10..12), number(12..14))
            .filter(|date| date.year() >= MIN_YEAR && *date <= today)
            .ok_or(ResidentIdError::BirthDate)?;

        let sum: u32 = body
            .iter()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        if CHECK_CHARS[(sum % 11) as usize] != check {
            return Err(ResidentIdError::Checksum);
        }
        Ok(Self { id, birth_date })
    }

    /// The date of birth (positions 7-14).
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// Whether the holder is male: the 17th digit is odd.
    pub fn is_male(&self) -> bool {
        self.id.as_bytes()[16] % 2 == 1
    }

    /// The number with all but the first 3 and last 4 characters hidden, for
    /// display: `110***********002X`.
    pub fn masked(&self) -> String {
        format!(
            "{}{}{}",
            &self.id[..3],
            "*".repeat(LEN - 7),
            &self.id[LEN - 4..]
        )
    }
}

string_value_type!(ResidentId, ResidentIdError, id);

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn today() -> NaiveDate {
    use std::time::{SystemTime, UNIX_EPOCH};

    // Birth dates are Chinese calendar dates: someone born today in the
    // morning in Beijing is not yet "born" by the UTC date.
    const CHINA_UTC_OFFSET_SECS: i64 = 8 * 3600;
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    chrono::DateTime::from_timestamp(secs.saturating_add(CHINA_UTC_OFFSET_SECS), 0)
        .map_or(NaiveDate::MAX, |now| now.date_naive())
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2100, 12, 31).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2025, 6, 15)
    }

    fn parse(input: &str) -> Result<ResidentId, ResidentIdError> {
        ResidentId::parse_at(input, today())
    }

    #[test]
    fn standard_example() {
        // The example number given in GB 11643-1999.
        let id = parse("11010519491231002X").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert!(!id.is_male());
        assert_eq!(id.masked(), "110***********002X");
    }

    #[test]
    fn generated_samples() {
        // Checksum-valid samples generated for these tests.
        let id = parse("440306199912312355").unwrap();
        assert_eq!(id.birth_date(), date(1999, 12, 31));
        assert!(id.is_male());
        assert!(parse("310115198001010024").is_ok());
        assert!(parse("810000199001011230").is_ok());
    }

    #[test]
    fn lowercase_x_and_spaces_accepted() {
        assert_eq!(
            parse(" 110105 19491231 002x ").unwrap().as_str(),
            "11010519491231002X"
        );
    }

    #[test]
    fn before_1900_rejected() {
        // The standard's other example: checksum-valid, but born in 1880,
        // which is before the earliest year accepted here.
        assert_eq!(parse("440524188001010014"), Err(ResidentIdError::BirthDate));
        // Lower bound is inclusive.
        assert!(parse("110101190002281238").is_ok());
    }

    #[test]
    fn leap_days() {
        assert!(parse("110101200002290018").is_ok());
        assert!(parse("110101202402291238").is_ok());
        assert_eq!(parse("110101200102290015"), Err(ResidentIdError::BirthDate));
        // 1900 is not a leap year.
        assert_eq!(parse("110101190002290011"), Err(ResidentIdError::BirthDate));
    }

    #[test]
    fn impossible_dates_rejected() {
        // Checksums are not fixed up here: the date is checked first.
        assert_eq!(parse("110101199002300010"), Err(ResidentIdError::BirthDate));
        assert_eq!(parse("110101199013010010"), Err(ResidentIdError::BirthDate));
        assert_eq!(parse("110101199000010010"), Err(ResidentIdError::BirthDate));
    }

    #[test]
    fn future_birth_date_rejected() {
        let id = "110101203001010014";
        assert_eq!(parse(id), Err(ResidentIdError::BirthDate));
        assert!(ResidentId::parse_at(id, date(2030, 1, 1)).is_ok());
        assert_eq!(
            ResidentId::parse_at(id, date(2029, 12, 31)),
            Err(ResidentIdError::BirthDate)
        );
    }

    #[test]
    fn parse_uses_current_date() {
        assert!(ResidentId::parse("11010519491231002X").is_ok());
        assert_eq!(
            ResidentId::parse("110101209901010017"),
            Err(ResidentIdError::BirthDate)
        );
    }

    #[test]
    fn wrong_check_digit() {
        assert_eq!(parse("110105194912310021"), Err(ResidentIdError::Checksum));
        assert_eq!(parse("440306199912312350"), Err(ResidentIdError::Checksum));
        assert_eq!(parse("44030619991231235X"), Err(ResidentIdError::Checksum));
    }

    #[test]
    fn region_codes() {
        // Checksum-valid samples with unknown province codes.
        for id in [
            "100101199001011235",
            "160101199001011236",
            "720101199001011230",
            "900101199001011234",
        ] {
            assert_eq!(parse(id), Err(ResidentIdError::Region), "{id}");
        }
    }

    #[test]
    fn required() {
        assert_eq!(parse(""), Err(ResidentIdError::Required));
        assert_eq!(parse("  "), Err(ResidentIdError::Required));
    }

    #[test]
    fn wrong_length() {
        // Old 15-digit numbers are not accepted.
        assert_eq!(parse("110105491231002"), Err(ResidentIdError::Length));
        assert_eq!(parse("11010519491231002X1"), Err(ResidentIdError::Length));
    }

    #[test]
    fn format() {
        assert_eq!(parse("11010519491231002Y"), Err(ResidentIdError::Format));
        assert_eq!(parse("1101051949123100X2"), Err(ResidentIdError::Format));
        assert_eq!(parse("11010519491231002-"), Err(ResidentIdError::Format));
        assert_eq!(parse("1101051949123100２X"), Err(ResidentIdError::Format));
    }

    #[test]
    fn string_conversions() {
        let id = parse("11010519491231002x").unwrap();
        assert_eq!(id.to_string(), "11010519491231002X");
        assert_eq!(String::from(id), "11010519491231002X");
    }

    #[test]
    fn deserialize_goes_through_parse() {
        let id: ResidentId = super::super::deserialize_from_str("11010519491231002x").unwrap();
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert!(super::super::deserialize_from_str::<ResidentId>("110105194912310021").is_err());
    }

    #[test]
    fn error_codes() {
        assert_eq!(ResidentIdError::Required.code(), Code::ResidentIdRequired);
        assert_eq!(ResidentIdError::Length.code(), Code::ResidentIdLength);
        assert_eq!(ResidentIdError::Format.code(), Code::ResidentIdFormat);
        assert_eq!(ResidentIdError::Region.code(), Code::ResidentIdRegion);
        assert_eq!(ResidentIdError::BirthDate.code(), Code::ResidentIdBirthDate);
        assert_eq!(ResidentIdError::Checksum.code(), Code::ResidentIdChecksum);
    }
}
