//! The audit log: an append-only record of security-relevant actions,
//! written in the same transaction as the change it describes.
use serde::{Deserialize, Serialize};

mod action;
pub mod api;
#[cfg(feature = "ssr")]
pub mod chain;
pub mod details;
#[cfg(feature = "ssr")]
pub mod export;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

pub use action::Action;
pub use pages::*;

/// One row of the audit log, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// The time in the reader's zone, the zone named.
    pub at_local: String,
    pub action: String,
    pub actor_name: Option<String>,
    pub actor_kind: Option<String>,
    /// `type:id` as stored.
    pub target: Option<String>,
    /// What the target is (`account`, `department`, ...).
    pub target_type: Option<String>,
    /// The target's name today, where it is a person, department, group or
    /// organisation that still exists.
    pub target_name: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Compact JSON of the details.
    pub details: String,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` to get the next (older) page.
    pub next_before: Option<String>,
}

pub const PAGE_SIZE: i64 = 50;

/// The longest text a filter field takes.
pub const MAX_FILTER_CHARS: usize = 100;

/// What the reader asked to see: each field empty for "any". Dates are
/// `YYYY-MM-DD` in the reader's time zone, both days included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// A person who acted: name, pinyin, account ID, mobile or email.
    pub actor: String,
    /// One action (`Action::as_str`).
    pub action: String,
    /// What was acted on: a person, department, admin group or organisation
    /// by name, or an id.
    pub target: String,
    pub from: String,
    pub to: String,
}

impl AuditQuery {
    pub const FIELDS: [&'static str; 5] = ["actor", "action", "target", "from", "to"];

    /// The field's value by its name in the URL.
    pub fn get(&self, field: &str) -> &str {
        match field {
            "actor" => &self.actor,
            "action" => &self.action,
            "target" => &self.target,
            "from" => &self.from,
            "to" => &self.to,
            _ => "",
        }
    }

    /// Built from the URL's parameters (`get` by name).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let take = |k: &str| get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
        AuditQuery {
            actor: take("actor"),
            action: take("action"),
            target: take("target"),
            from: take("from"),
            to: take("to"),
        }
    }

    pub fn is_empty(&self) -> bool {
        Self::FIELDS.iter().all(|f| self.get(f).is_empty())
    }

    /// The non-empty fields as URL parameters, `&`-joined, without a leading `?`.
    pub fn to_params(&self) -> String {
        Self::FIELDS
            .iter()
            .filter(|f| !self.get(f).is_empty())
            .map(|f| format!("{f}={}", crate::ui::url_encode(self.get(f))))
            .collect::<Vec<_>>()
            .join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_goes_into_the_url_and_comes_back() {
        let q = AuditQuery {
            actor: "张 三&x=1".into(),
            action: "member.updated".into(),
            from: "2026-12-01".into(),
            ..AuditQuery::default()
        };
        let params = q.to_params();
        assert_eq!(
            params,
            "actor=%E5%BC%A0%20%E4%B8%89%26x%3D1&action=member.updated&from=2026-12-01"
        );
        assert!(AuditQuery::default().to_params().is_empty());
        assert!(AuditQuery::default().is_empty());
        assert!(!q.is_empty());
    }
}
