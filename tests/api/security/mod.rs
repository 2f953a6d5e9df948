//! The server against a stranger: origins, headers, malformed arguments, proxies.
mod arguments;
mod headers;
mod proxies;
mod transport;
