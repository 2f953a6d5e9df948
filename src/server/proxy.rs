//! The client's address behind reverse proxies.
//!
//! Without `TRUSTED_PROXIES` the client is the peer of the TCP connection,
//! and forwarded headers are ignored: anyone could write them. With it, a
//! request whose peer is a trusted proxy is traced back through the header
//! the proxies write (`X-Forwarded-For`, or `Forwarded` (RFC 7239) with
//! `TRUSTED_PROXY_HEADER=forwarded`), read right to left: each
//! hop appended by a trusted proxy is skipped, and the first address that is
//! not a trusted proxy is the client. Entries left of it were written by
//! the client and are never believed. This is the rule of nginx's
//! `real_ip_recursive` and of Keycloak's `proxy-trusted-addresses`.
use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};
use sqlx::types::ipnetwork::IpNetwork;
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

/// The header the trusted proxies write the client's address in. Only that
/// one is read: a proxy passes the other through as the client wrote it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For` (nginx's `$proxy_add_x_forwarded_for`, most proxies).
    #[default]
    XForwardedFor,
    /// `Forwarded` (RFC 7239).
    Forwarded,
}

/// The networks whose forwarded headers are believed, and the header they write.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<Vec<IpNetwork>>, pub ForwardedHeader);

impl TrustedProxies {
    /// A comma- or space-separated list of addresses and CIDR networks.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut networks = Vec::new();
        for item in text.split([',', ' ', '\t', '\n']).filter(|s| !s.is_empty()) {
            let network = item
                .parse::<IpNetwork>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNetwork::from))
                .map_err(|_| {
                    format!("{item:?} is not an address or a network such as 10.0.0.0/8")
                })?;
            networks.push(network);
        }
        Ok(TrustedProxies(
            Arc::new(networks),
            ForwardedHeader::default(),
        ))
    }

    /// Reads `header` instead of `X-Forwarded-For`.
    pub fn reading(mut self, header: ForwardedHeader) -> Self {
        self.1 = header;
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client of a request from `peer` carrying `headers`.
    pub fn client(&self, peer: IpAddr, headers: &http::HeaderMap) -> ClientAddress {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return ClientAddress {
                ip: peer,
                via_trusted_proxy: false,
            };
        }
        let hops = forwarded_for(headers, self.1);
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop {
                Some(ip) if self.trusts(*ip) => client = *ip,
                Some(ip) => {
                    client = *ip;
                    break;
                }
                // An obfuscated or unknown hop: nothing further left is trusted.
                None => break,
            }
        }
        ClientAddress {
            ip: client,
            via_trusted_proxy: true,
        }
    }
}

/// Where a request came from, as the server judges it; kept in the request's
/// extensions for [`crate::auth::guard::RequestMeta`] and the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress {
    pub ip: IpAddr,
    /// The connection came from a trusted proxy (its headers are believed).
    pub via_trusted_proxy: bool,
}

/// IPv4 addresses mapped into IPv6 (`::ffff:a.b.c.d`) as plain IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The hops of `header`, oldest first; `None` for a hop that names no
/// usable address. Lines are read leniently: a byte a client wrote that is
/// not ASCII spoils its own entry, never the proxy's after it.
fn forwarded_for(headers: &http::HeaderMap, header: ForwardedHeader) -> Vec<Option<IpAddr>> {
    let lines = |name: http::HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    };
    if header == ForwardedHeader::Forwarded {
        return lines(http::header::FORWARDED)
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| parse_node(v))
            })
            .collect();
    }
    lines(http::HeaderName::from_static("x-forwarded-for"))
        .iter()
        .flat_map(|v| v.split(','))
        .map(parse_node)
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let node = raw.trim().trim_matches('"');
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest
            .split(']')
            .next()
            .and_then(|ip| ip.parse().ok())
            .map(canonical);
    }
    node.parse::<SocketAddr>().ok().map(|s| canonical(s.ip()))
}

/// Middleware: judges the client's address once per request.
pub async fn client_address(
    State(proxies): State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(peer) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    {
        let client = proxies.client(peer, req.headers());
        req.extensions_mut().insert(client);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let none = TrustedProxies::default();
        let c = none.client(
            ip("10.0.0.5"),
            &headers(&[("x-forwarded-for", "198.51.100.7")]),
        );
        assert_eq!(c.ip, ip("10.0.0.5"));
        assert!(!c.via_trusted_proxy);
    }

    #[test]
    fn forwarded_addresses_are_read_right_to_left_through_trusted_hops_only() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.0.2.10").unwrap();
        // The client wrote a fake first entry; the edge proxy appended the
        // real peer, the inner proxy the edge proxy.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.1.1.1")]);
        let c = proxies.client(ip("192.0.2.10"), &h);
        assert_eq!(c.ip, ip("203.0.113.9"));
        assert!(c.via_trusted_proxy);
        // Headers from an untrusted peer are ignored.
        assert_eq!(
            proxies.client(ip("198.51.100.1"), &h).ip,
            ip("198.51.100.1")
        );
        // Several header lines are one list.
        let split = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &split).ip, ip("203.0.113.9"));
        // Nothing forwarded: the proxy itself.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &headers(&[])).ip,
            ip("10.0.0.1")
        );
        // Only trusted hops: the leftmost of them.
        let all = headers(&[("x-forwarded-for", "10.9.9.9, 10.1.1.1")]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &all).ip, ip("10.9.9.9"));
    }

    #[test]
    fn only_the_header_the_proxies_write_is_read() {
        // nginx writes X-Forwarded-For and passes a client's Forwarded on.
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let h = headers(&[
            ("forwarded", "for=203.0.113.66"),
            ("x-forwarded-for", "198.51.100.99"),
        ]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &h).ip, ip("198.51.100.99"));
        // A byte that is not ASCII spoils the client's entry, not the proxy's.
        let mut odd = http::HeaderMap::new();
        odd.append(
            "x-forwarded-for",
            http::HeaderValue::from_bytes(b"1.2.3.4\xff, 198.51.100.7").unwrap(),
        );
        assert_eq!(proxies.client(ip("10.0.0.1"), &odd).ip, ip("198.51.100.7"));
    }

    #[test]
    fn the_forwarded_header_when_asked_for_and_its_forms_are_understood() {
        let proxies = TrustedProxies::parse("10.0.0.0/8")
            .unwrap()
            .reading(ForwardedHeader::Forwarded);
        let h = headers(&[
            (
                "forwarded",
                r#"for=1.2.3.4, for="[2001:db8:cafe::17]:4711";proto=https"#,
            ),
            ("x-forwarded-for", "198.51.100.99"),
        ]);
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &h).ip,
            ip("2001:db8:cafe::17")
        );
        let port = headers(&[("forwarded", "for=203.0.113.5:8080;by=10.0.0.1")]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &port).ip, ip("203.0.113.5"));
        // An obfuscated hop stops the walk at the last trusted proxy.
        let hidden = headers(&[("forwarded", "for=1.2.3.4, for=_hidden")]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &hidden).ip, ip("10.0.0.1"));
    }

    #[test]
    fn mapped_ipv4_and_bad_lists() {
        let proxies = TrustedProxies::parse("127.0.0.1").unwrap();
        let h = headers(&[("x-forwarded-for", "203.0.113.1")]);
        assert_eq!(
            proxies.client(ip("::ffff:127.0.0.1"), &h).ip,
            ip("203.0.113.1")
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example.com").is_err());
        assert!(TrustedProxies::parse("").unwrap().is_empty());
    }
}
