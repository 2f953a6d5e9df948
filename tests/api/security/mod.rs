//! The server against a stranger: origins, headers, malformed arguments, proxies.
pub(crate) mod arguments;
mod headers;
mod proxies;
mod transport;
