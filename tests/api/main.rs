//! HTTP behaviour of the whole server, started on a random port against a
//! fresh PostgreSQL database per test.
#![cfg(feature = "ssr")]

mod helpers;

mod database;
mod health;
mod locale;
mod pages;
mod security;
