//! Typed server function calls, one file per feature. A call whose form is a
//! few named strings is one line of [`calls!`]: its arguments are named as the
//! form's fields, in order. Calls with repeated or optional fields are written
//! out below the macro in their feature's file.
use super::{Answer, Browser};

/// `name => "endpoint"(field, ..);` defines `Browser::name(&mut self, field: &str, ..)`,
/// which posts the fields to `/api/endpoint`.
macro_rules! calls {
    ($( $(#[$doc:meta])* $name:ident => $endpoint:literal ( $($field:ident),* ); )*) => {
        impl Browser<'_> {
            $(
                $(#[$doc])*
                pub async fn $name(&mut self, $($field: &str),*) -> Answer {
                    self.call($endpoint, &[$((stringify!($field), $field)),*]).await
                }
            )*
        }
    };
}

mod auth;
mod contacts;
mod operators;
mod registration;
