//! The member's own home (`/me`): their profile, their security, and a
//! read-only directory of the organisation (the department tree, people
//! with search, and each person's card), usable on a phone.
use crate::contacts::{DepartmentNode, EmployeeDetail, MemberPage};
use serde::{Deserialize, Serialize};

pub mod api;
pub mod pages;

pub use pages::{DirectoryPage, MePage};

/// What `/me` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyHome {
    pub organisation: String,
    /// The person as the console knows them (without the change history).
    pub profile: EmployeeDetail,
    /// The caller administers something: the console is theirs too.
    pub administrator: bool,
}

/// A department of the directory, its sub-departments and a page of people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryView {
    /// The department shown: (id, name).
    pub department: (String, String),
    /// From the root down to the parent: (id, name).
    pub ancestors: Vec<(String, String)>,
    pub children: Vec<DepartmentNode>,
    /// Mobile numbers and email addresses are blank when the organisation
    /// keeps them from members.
    pub people: MemberPage,
}

/// A person's card in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCard {
    pub id: String,
    pub name: String,
    pub position: Option<String>,
    /// Paths, the main department first.
    pub departments: Vec<String>,
    pub managers: Vec<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    /// The organisation keeps mobile numbers and addresses from members.
    pub contacts_hidden: bool,
}
