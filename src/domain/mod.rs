//! Validated domain value types.
//!
//! Every type here is built through a `parse` constructor ("parse, don't
//! validate"): holding a value proves that it passed the rules. Serde goes
//! through the same constructor (`#[serde(try_from = "String")]`), so a value
//! deserialized from a request or a database row is valid as well.
//!
//! Errors carry a stable dotted code (see [`ErrorCode`]) that the UI
//! translates; the `Display` text of an error is English and meant for logs.

/// Implements the string accessors and conversions shared by every value type.
///
/// `$field` names the field that holds the normalised string (`0` for a tuple
/// struct). The type must provide `fn parse(&str) -> Result<Self, $err>`.
macro_rules! string_value_type {
    ($ty:ident, $err:ty, $field:tt) => {
        impl $ty {
            /// Returns the normalised value.
            pub fn as_str(&self) -> &str {
                &self.$field
            }

            /// Consumes the value and returns the normalised string.
            pub fn into_inner(self) -> String {
                self.$field
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.into_inner()
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $err;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = $err;

            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $err;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::parse(value)
            }
        }
    };
}

mod credit_code;
mod email;
mod mobile;
mod password;
mod resident_id;

pub use credit_code::{CreditCode, CreditCodeError};
pub use email::{Email, EmailError};
pub use mobile::{Mobile, MobileError, group_mobile};
pub use password::{Password, PasswordError};
pub use resident_id::{ResidentId, ResidentIdError};

use crate::error::Code;

/// A stable, machine-readable error code such as `mobile.format`.
///
/// The codes are part of the contract with the UI, which maps them to
/// translated messages: never rename one.
pub trait ErrorCode {
    /// Returns the dotted code, `<type>.<reason>`.
    fn code(&self) -> Code;
}

/// Test helper: runs a value through serde's `Deserialize` from a plain
/// string, without depending on a concrete data format.
#[cfg(test)]
fn deserialize_from_str<T: serde::de::DeserializeOwned>(
    input: &str,
) -> Result<T, serde::de::value::Error> {
    use serde::de::IntoDeserializer;
    T::deserialize(input.to_owned().into_deserializer())
}
