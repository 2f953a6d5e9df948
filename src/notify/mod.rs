//! Outgoing email and SMS.
//!
//! A message is a row in the `outbox` table, written in the same transaction
//! as the change that causes it ([`outbox::enqueue`]): nothing is sent for a
//! change that rolled back, nothing is lost for one that committed. The
//! [`worker`] delivers due rows through the configured transports.
pub mod email;
pub mod outbox;
pub mod sms;
pub mod templates;
pub mod worker;

pub use outbox::{Channel, NewMessage, enqueue};
pub use templates::Template;
