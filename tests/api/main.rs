//! HTTP behaviour of the whole server, started on a random port against a
//! fresh PostgreSQL database per test.
#![cfg(feature = "ssr")]

mod helpers;
mod mail;
mod s3;

mod access;
mod approvals;
mod assets;
mod auth;
mod challenge;
mod codes;
mod contacts;
mod database;
mod health;
mod imports;
mod invitations;
mod keys;
mod limits;
mod locale;
mod notify;
mod pages;
mod registration;
mod security;
