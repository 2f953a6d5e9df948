//! Search keys for names: "张三" is found by `zhangsan` and by `zs`.
use pinyin::ToPinyin;

/// Full pinyin without tones or spaces, and the initials, lower-case.
/// Latin letters and digits are kept as they are; for a Latin name the
/// initials are the first letters of its words ("John Smith" gives "js").
/// A character with several readings uses its most common one.
pub fn search_keys(name: &str) -> (String, String) {
    let mut full = String::new();
    let mut initials = String::new();
    let mut in_word = false;
    for c in name.chars() {
        if let Some(p) = c.to_pinyin() {
            let plain = p.plain();
            full.push_str(plain);
            if let Some(first) = plain.chars().next() {
                initials.push(first);
            }
            in_word = false;
        } else if c.is_alphanumeric() {
            let lower: String = c.to_lowercase().collect();
            full.push_str(&lower);
            if !in_word {
                initials.push_str(&lower);
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    (full, initials)
}

#[cfg(test)]
mod tests {
    use super::search_keys;

    #[test]
    fn chinese_names() {
        assert_eq!(search_keys("张三"), ("zhangsan".into(), "zs".into()));
        assert_eq!(
            search_keys("欧阳 娜娜"),
            ("ouyangnana".into(), "oynn".into())
        );
    }

    #[test]
    fn latin_and_mixed_names() {
        assert_eq!(search_keys("John Smith"), ("johnsmith".into(), "js".into()));
        assert_eq!(search_keys("李Lucy"), ("lilucy".into(), "ll".into()));
        assert_eq!(search_keys(""), (String::new(), String::new()));
    }
}
