//! Input rules for departments and employees, as WeCom applies them.
use crate::error::Code;

/// Characters a department name may not contain.
pub const FORBIDDEN_NAME_CHARS: &[char] = &['\\', ':', '*', '?', '"', '<', '>', '|'];

/// A department name: 1-64 characters after trimming, none of `\:*?"<>|`.
pub fn department_name(raw: &str) -> Result<String, Code> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Code::ValidationRequired);
    }
    if name.chars().count() > 64 {
        return Err(Code::DepartmentNameTooLong);
    }
    if name.contains(FORBIDDEN_NAME_CHARS) || name.chars().any(char::is_control) {
        return Err(Code::DepartmentNameChars);
    }
    Ok(name.to_owned())
}

/// The root department's name from the organisation's (up to 128 characters,
/// any characters): the forbidden ones become spaces.
pub fn root_name(organisation: &str) -> String {
    let cleaned: String = organisation
        .chars()
        .map(|c| {
            if FORBIDDEN_NAME_CHARS.contains(&c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let name: String = cleaned.trim().chars().take(64).collect();
    let name = name.trim_end().to_owned();
    if name.is_empty() { "-".into() } else { name }
}

/// An account id (WeCom's userid): 1-64 of letters, digits and `_ . @ -`.
pub fn userid(raw: &str) -> Result<String, Code> {
    let id = raw.trim();
    if id.is_empty() {
        return Err(Code::ValidationRequired);
    }
    if id.len() > 64
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '-'))
    {
        return Err(Code::EmployeeUseridFormat);
    }
    Ok(id.to_owned())
}

/// A person's name: 1-64 characters after trimming.
pub fn person_name(raw: &str) -> Result<String, Code> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Code::ValidationRequired);
    }
    if name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(Code::EmployeeNameTooLong);
    }
    Ok(name.to_owned())
}

/// An optional free-text field of at most `max` characters; blank is `None`.
pub fn optional_text(raw: &str, max: usize) -> Result<Option<String>, Code> {
    let text = raw.trim();
    if text.is_empty() {
        Ok(None)
    } else if text.chars().count() > max || text.chars().any(char::is_control) {
        Err(Code::ValidationTooLong)
    } else {
        Ok(Some(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    #[test]
    fn department_names() {
        assert_eq!(department_name("  财务部 "), Ok("财务部".into()));
        assert_eq!(department_name(""), Err(Code::ValidationRequired));
        assert_eq!(department_name("   "), Err(Code::ValidationRequired));
        assert_eq!(department_name(&"部".repeat(64)), Ok("部".repeat(64)));
        assert_eq!(
            department_name(&"部".repeat(65)),
            Err(Code::DepartmentNameTooLong)
        );
        for bad in ["a\\b", "a:b", "a*b", "a?b", "a\"b", "a<b", "a>b", "a|b"] {
            assert_eq!(
                department_name(bad),
                Err(Code::DepartmentNameChars),
                "{bad}"
            );
        }
        assert_eq!(department_name("R&D / 研发"), Ok("R&D / 研发".into()));
    }

    #[test]
    fn root_names_are_cleaned() {
        assert_eq!(root_name("Acme \"China\" Ltd"), "Acme  China  Ltd");
        assert_eq!(root_name(&"公".repeat(100)).chars().count(), 64);
        assert_eq!(root_name("***"), "-");
    }

    #[test]
    fn userids() {
        assert_eq!(userid(" ZhangSan "), Ok("ZhangSan".into()));
        assert_eq!(userid("li.si@hr-2"), Ok("li.si@hr-2".into()));
        assert_eq!(userid(""), Err(Code::ValidationRequired));
        assert_eq!(userid("张三"), Err(Code::EmployeeUseridFormat));
        assert_eq!(userid("a b"), Err(Code::EmployeeUseridFormat));
        assert_eq!(userid(&"a".repeat(65)), Err(Code::EmployeeUseridFormat));
    }

    #[test]
    fn optional_texts() {
        assert_eq!(optional_text("  ", 10), Ok(None));
        assert_eq!(optional_text(" 经理 ", 10), Ok(Some("经理".into())));
        assert_eq!(
            optional_text(&"x".repeat(11), 10),
            Err(Code::ValidationTooLong)
        );
    }
}
