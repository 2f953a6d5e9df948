//! Fixed lists the wizard and the review console offer, in both languages.
//! Kept as data (not translation keys) because the server also needs them:
//! to validate choices and to write rejection messages.

/// An entry of a fixed list: stored code, English, Chinese.
pub type Entry = (&'static str, &'static str, &'static str);

/// The label of `code` in `list`, in `locale` (`zh-CN` or English).
pub fn label(list: &[Entry], code: &str, zh: bool) -> Option<&'static str> {
    list.iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, en, cn)| if zh { *cn } else { *en })
}

pub fn contains(list: &[Entry], code: &str) -> bool {
    list.iter().any(|(c, _, _)| *c == code)
}

/// The 20 sections (门类) of GB/T 4754-2017, Industrial classification for
/// national economic activities.
pub const INDUSTRIES: &[Entry] = &[
    (
        "A",
        "Agriculture, forestry, animal husbandry and fishery",
        "农、林、牧、渔业",
    ),
    ("B", "Mining", "采矿业"),
    ("C", "Manufacturing", "制造业"),
    (
        "D",
        "Electricity, heat, gas and water production and supply",
        "电力、热力、燃气及水生产和供应业",
    ),
    ("E", "Construction", "建筑业"),
    ("F", "Wholesale and retail trade", "批发和零售业"),
    (
        "G",
        "Transport, storage and postal services",
        "交通运输、仓储和邮政业",
    ),
    ("H", "Accommodation and catering", "住宿和餐饮业"),
    (
        "I",
        "Information transmission, software and IT services",
        "信息传输、软件和信息技术服务业",
    ),
    ("J", "Finance", "金融业"),
    ("K", "Real estate", "房地产业"),
    ("L", "Leasing and business services", "租赁和商务服务业"),
    (
        "M",
        "Scientific research and technical services",
        "科学研究和技术服务业",
    ),
    (
        "N",
        "Water conservancy, environment and public facilities management",
        "水利、环境和公共设施管理业",
    ),
    (
        "O",
        "Resident services, repair and other services",
        "居民服务、修理和其他服务业",
    ),
    ("P", "Education", "教育"),
    ("Q", "Health and social work", "卫生和社会工作"),
    (
        "R",
        "Culture, sports and entertainment",
        "文化、体育和娱乐业",
    ),
    (
        "S",
        "Public administration, social security and social organisations",
        "公共管理、社会保障和社会组织",
    ),
    ("T", "International organisations", "国际组织"),
];

/// Headcount bands.
pub const SIZE_BANDS: &[Entry] = &[
    ("1-50", "1–50 people", "1–50 人"),
    ("51-200", "51–200 people", "51–200 人"),
    ("201-500", "201–500 people", "201–500 人"),
    ("501-1000", "501–1,000 people", "501–1000 人"),
    ("1001-5000", "1,001–5,000 people", "1001–5000 人"),
    ("5001-10000", "5,001–10,000 people", "5001–10000 人"),
    ("10001+", "More than 10,000 people", "10000 人以上"),
];

/// Provincial-level divisions, by their GB/T 2260 code.
pub const PROVINCES: &[Entry] = &[
    ("11", "Beijing", "北京市"),
    ("12", "Tianjin", "天津市"),
    ("13", "Hebei", "河北省"),
    ("14", "Shanxi", "山西省"),
    ("15", "Inner Mongolia", "内蒙古自治区"),
    ("21", "Liaoning", "辽宁省"),
    ("22", "Jilin", "吉林省"),
    ("23", "Heilongjiang", "黑龙江省"),
    ("31", "Shanghai", "上海市"),
    ("32", "Jiangsu", "江苏省"),
    ("33", "Zhejiang", "浙江省"),
    ("34", "Anhui", "安徽省"),
    ("35", "Fujian", "福建省"),
    ("36", "Jiangxi", "江西省"),
    ("37", "Shandong", "山东省"),
    ("41", "Henan", "河南省"),
    ("42", "Hubei", "湖北省"),
    ("43", "Hunan", "湖南省"),
    ("44", "Guangdong", "广东省"),
    ("45", "Guangxi", "广西壮族自治区"),
    ("46", "Hainan", "海南省"),
    ("50", "Chongqing", "重庆市"),
    ("51", "Sichuan", "四川省"),
    ("52", "Guizhou", "贵州省"),
    ("53", "Yunnan", "云南省"),
    ("54", "Tibet", "西藏自治区"),
    ("61", "Shaanxi", "陕西省"),
    ("62", "Gansu", "甘肃省"),
    ("63", "Qinghai", "青海省"),
    ("64", "Ningxia", "宁夏回族自治区"),
    ("65", "Xinjiang", "新疆维吾尔自治区"),
    ("71", "Taiwan", "台湾省"),
    ("81", "Hong Kong", "香港特别行政区"),
    ("82", "Macao", "澳门特别行政区"),
];

/// What a rejection reason can be about: the fields and documents of an application.
pub const SUBJECTS: &[Entry] = &[
    ("org_name", "Organisation name", "企业名称"),
    (
        "credit_code",
        "Unified social credit code",
        "统一社会信用代码",
    ),
    ("industry", "Industry", "所属行业"),
    ("address", "Region and address", "所在地区和地址"),
    ("admin", "Administrator", "管理员信息"),
    (
        "legal_name",
        "Legal representative's name",
        "法定代表人姓名",
    ),
    (
        "legal_id_number",
        "Legal representative's ID number",
        "法定代表人身份证号",
    ),
    ("licence", "Business licence", "营业执照"),
    ("id_front", "ID card, portrait side", "身份证人像面"),
    ("id_back", "ID card, emblem side", "身份证国徽面"),
    ("bank_permit", "Bank account permit", "开户许可证"),
    ("other", "Other", "其他"),
];

/// Why something was not accepted.
pub const REASONS: &[Entry] = &[
    ("blurred", "is blurred or unreadable", "模糊或无法辨认"),
    ("incomplete", "is cut off or incomplete", "不完整或被裁切"),
    (
        "wrong_document",
        "is not the requested document",
        "不是所要求的材料",
    ),
    ("expired", "has expired", "已过期"),
    (
        "name_mismatch",
        "differs from the business licence",
        "与营业执照不一致",
    ),
    ("id_mismatch", "differs from the ID card", "与身份证不一致"),
    ("incorrect", "is incorrect", "填写有误"),
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
        let codes: String = INDUSTRIES.iter().map(|(c, _, _)| *c).collect();
        assert_eq!(codes, "ABCDEFGHIJKLMNOPQRST");
    }

    #[test]
    fn every_offered_reason_exists_and_every_subject_has_one() {
        for (subject, _, _) in SUBJECTS {
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
        let mut codes: Vec<_> = PROVINCES.iter().map(|(c, _, _)| *c).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), PROVINCES.len());
        assert_eq!(PROVINCES.len(), 34);
    }
}
