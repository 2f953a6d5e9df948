//! Fixed lists the wizard and the review console offer. The codes are data
//! (the server validates choices against them and writes rejection messages
//! with them); the labels are in the locale files (`catalog.*`), one key per
//! code, checked when the crate compiles.
use crate::i18n::*;

/// An entry of a fixed list: the stored code and its label.
#[derive(Clone, Copy)]
pub struct Entry {
    pub code: &'static str,
    label: fn(Locale) -> &'static str,
}

impl Entry {
    /// The label in `locale`.
    pub fn label(&self, locale: Locale) -> &'static str {
        (self.label)(locale)
    }
}

/// A list of entries whose labels are `catalog.<key>` in the locale files.
macro_rules! list {
    ($($code:literal => $key:ident),+ $(,)?) => {
        &[$(Entry { code: $code, label: |l| td_string!(l, catalog.$key) }),+]
    };
}

fn locale(zh: bool) -> Locale {
    if zh { Locale::zh_CN } else { Locale::en }
}

/// The label of `code` in `list`, in Chinese or English.
pub fn label(list: &[Entry], code: &str, zh: bool) -> Option<&'static str> {
    list.iter()
        .find(|e| e.code == code)
        .map(|e| e.label(locale(zh)))
}

pub fn contains(list: &[Entry], code: &str) -> bool {
    list.iter().any(|e| e.code == code)
}

/// The 20 sections (门类) of GB/T 4754-2017, Industrial classification for
/// national economic activities.
pub const INDUSTRIES: &[Entry] = list![
    "A" => industry_a,
    "B" => industry_b,
    "C" => industry_c,
    "D" => industry_d,
    "E" => industry_e,
    "F" => industry_f,
    "G" => industry_g,
    "H" => industry_h,
    "I" => industry_i,
    "J" => industry_j,
    "K" => industry_k,
    "L" => industry_l,
    "M" => industry_m,
    "N" => industry_n,
    "O" => industry_o,
    "P" => industry_p,
    "Q" => industry_q,
    "R" => industry_r,
    "S" => industry_s,
    "T" => industry_t,
];

/// Headcount bands.
pub const SIZE_BANDS: &[Entry] = list![
    "1-50" => size_1_50,
    "51-200" => size_51_200,
    "201-500" => size_201_500,
    "501-1000" => size_501_1000,
    "1001-5000" => size_1001_5000,
    "5001-10000" => size_5001_10000,
    "10001+" => size_10001_plus,
];

/// Provincial-level divisions, by their GB/T 2260 code.
pub const PROVINCES: &[Entry] = list![
    "11" => province_11,
    "12" => province_12,
    "13" => province_13,
    "14" => province_14,
    "15" => province_15,
    "21" => province_21,
    "22" => province_22,
    "23" => province_23,
    "31" => province_31,
    "32" => province_32,
    "33" => province_33,
    "34" => province_34,
    "35" => province_35,
    "36" => province_36,
    "37" => province_37,
    "41" => province_41,
    "42" => province_42,
    "43" => province_43,
    "44" => province_44,
    "45" => province_45,
    "46" => province_46,
    "50" => province_50,
    "51" => province_51,
    "52" => province_52,
    "53" => province_53,
    "54" => province_54,
    "61" => province_61,
    "62" => province_62,
    "63" => province_63,
    "64" => province_64,
    "65" => province_65,
    "71" => province_71,
    "81" => province_81,
    "82" => province_82,
];

/// What a rejection reason can be about: the fields and documents of an application.
pub const SUBJECTS: &[Entry] = list![
    "org_name" => subject_org_name,
    "credit_code" => subject_credit_code,
    "industry" => subject_industry,
    "address" => subject_address,
    "admin" => subject_admin,
    "legal_name" => subject_legal_name,
    "legal_id_number" => subject_legal_id_number,
    "licence" => subject_licence,
    "id_front" => subject_id_front,
    "id_back" => subject_id_back,
    "bank_permit" => subject_bank_permit,
    "other" => subject_other,
];

/// Why something was not accepted.
pub const REASONS: &[Entry] = list![
    "blurred" => reason_blurred,
    "incomplete" => reason_incomplete,
    "wrong_document" => reason_wrong_document,
    "expired" => reason_expired,
    "name_mismatch" => reason_name_mismatch,
    "id_mismatch" => reason_id_mismatch,
    "incorrect" => reason_incorrect,
];

/// Which reasons fit which subject, so the console offers only sensible pairs.
pub fn reasons_for(subject: &str) -> &'static [&'static str] {
    match subject {
        "licence" | "bank_permit" => &[
            "blurred",
            "incomplete",
            "wrong_document",
            "expired",
            "name_mismatch",
        ],
        "id_front" | "id_back" => &[
            "blurred",
            "incomplete",
            "wrong_document",
            "expired",
            "name_mismatch",
        ],
        "org_name" | "credit_code" | "address" | "industry" => &["name_mismatch", "incorrect"],
        "legal_name" | "legal_id_number" => &["id_mismatch", "name_mismatch", "incorrect"],
        _ => &["incorrect"],
    }
}

/// "Business licence is blurred or unreadable" / "营业执照模糊或无法辨认".
pub fn reason_sentence(subject: &str, reason: &str, zh: bool) -> String {
    let s = label(SUBJECTS, subject, zh).unwrap_or(subject);
    let r = label(REASONS, reason, zh).unwrap_or(reason);
    if zh {
        format!("{s}{r}")
    } else {
        format!("{s} {r}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_industry_sections_a_to_t() {
        assert_eq!(INDUSTRIES.len(), 20);
        let codes: String = INDUSTRIES.iter().map(|e| e.code).collect();
        assert_eq!(codes, "ABCDEFGHIJKLMNOPQRST");
    }

    #[test]
    fn every_offered_reason_exists_and_every_subject_has_one() {
        for subject in SUBJECTS.iter().map(|e| e.code) {
            let reasons = reasons_for(subject);
            assert!(!reasons.is_empty(), "{subject}");
            for r in reasons {
                assert!(contains(REASONS, r), "{subject}: {r}");
            }
        }
    }

    #[test]
    fn sentences_in_both_languages() {
        assert_eq!(
            reason_sentence("licence", "blurred", false),
            "Business licence is blurred or unreadable"
        );
        assert_eq!(
            reason_sentence("licence", "blurred", true),
            "营业执照模糊或无法辨认"
        );
    }

    #[test]
    fn provinces_are_unique() {
        let mut codes: Vec<_> = PROVINCES.iter().map(|e| e.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), PROVINCES.len());
        assert_eq!(PROVINCES.len(), 34);
    }
}
