//! Approvals (审批): templates with their forms and flows, requests and the
//! tasks of their approvers. The form and flow models are shared with the
//! browser (the designer and the submitter's form check what they can as
//! the person types); the server resolves a flow into a route, keeps the
//! request and task state machines (enforced again by the database) and
//! notifies people through the outbox.
pub mod builtin;
pub mod flow;
pub mod form;
#[cfg(feature = "ssr")]
pub mod route;
