//! Pages of sign-in and account security.
