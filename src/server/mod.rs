//! Server-only plumbing: configuration, state, HTTP stack and telemetry.
pub mod config;
pub mod health;
pub mod housekeeping;
pub mod input;
pub mod keys;
pub mod proxy;
pub mod security;
pub mod sheet;
pub mod sql;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod time;
