//! Configuration from environment variables (and `.env` when present).
//! Every variable is documented in `.env.example`.
use secrecy::{ExposeSecret, SecretString};
use std::{path::PathBuf, time::Duration};
use url::Url;

/// Settings the server reads once at start-up. Secrets are wrapped so that
/// `Debug` never prints them.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: SecretString,
    pub database_max_connections: u32,
    /// Public address of this deployment, used in links sent by email and SMS.
    pub base_url: Url,
    /// Whether cookies carry `Secure`; defaults to true when `base_url` is https.
    pub cookie_secure: bool,
    /// lettre's URL form, e.g. `smtp://127.0.0.1:1025`; unset means log transport.
    pub smtp_url: Option<SecretString>,
    pub mail_from: Option<String>,
    /// HTTP SMS gateway; unset means log transport.
    pub sms_gateway_url: Option<Url>,
    pub sms_gateway_token: Option<SecretString>,
    /// Where uploaded files are kept (the `documents` directory under it).
    pub data_dir: PathBuf,
    /// `s3://bucket/prefix` to keep documents in S3-compatible storage instead.
    pub document_store_url: Option<Url>,
    /// `text` (default) or `json` log lines.
    pub log_json: bool,
    /// Delivery of the outbox.
    pub outbox: crate::notify::worker::WorkerSettings,
    /// Attempts per message before it is marked failed.
    pub outbox_max_attempts: i32,
    /// Limits of one-time codes.
    pub codes: crate::codes::CodeSettings,
    /// Sign-in throttling, sessions and hashing.
    pub auth: crate::auth::settings::AuthSettings,
}

/// A configuration variable that is missing or malformed.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(ConfigError {
            name,
            problem: format!("expected true or false, got {other:?}"),
        }),
    }
}

fn parse_url(name: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value.trim()).map_err(|e| ConfigError {
        name,
        problem: format!("not a URL ({e})"),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError {
            name,
            problem: "must start with http:// or https://".into(),
        });
    }
    Ok(url)
}

/// Without `PUBLIC_BASE_URL`, links point at the address the server listens
/// on (`LEPTOS_SITE_ADDR`, 127.0.0.1:3000 by default); a wildcard address
/// (0.0.0.0, ::) is reached through the loopback one.
fn default_base_url(site_addr: Option<&str>) -> Result<Url, ConfigError> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
    let Some(raw) = site_addr else {
        return Ok(Url::parse("http://127.0.0.1:3000").expect("valid default URL"));
    };
    let mut addr: SocketAddr = raw.trim().parse().map_err(|_| ConfigError {
        name: "LEPTOS_SITE_ADDR",
        problem: format!("expected an address and port such as 127.0.0.1:3000, got {raw:?}"),
    })?;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    Ok(Url::parse(&format!("http://{addr}")).expect("a socket address makes a valid URL"))
}

fn number<T: std::str::FromStr>(
    get: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| ConfigError {
            name,
            problem: format!("expected a whole number, got {v:?}"),
        }),
    }
}

fn seconds(
    get: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    number(get, name, default.as_secs()).map(Duration::from_secs)
}

fn rule(
    get: &impl Fn(&'static str) -> Option<String>,
    names: [&'static str; 4],
    default: crate::auth::settings::ThrottleRule,
) -> Result<crate::auth::settings::ThrottleRule, ConfigError> {
    let [delay_after, delay_base, lock_after, lock_for] = names;
    Ok(crate::auth::settings::ThrottleRule {
        delay_after: number(get, delay_after, default.delay_after)?.max(1),
        delay_base: seconds(get, delay_base, default.delay_base)?,
        lock_after: number(get, lock_after, default.lock_after)?.max(1),
        lock_for: seconds(get, lock_for, default.lock_for)?,
        ..default
    })
}

fn auth_settings(
    get: &impl Fn(&'static str) -> Option<String>,
) -> Result<crate::auth::settings::AuthSettings, ConfigError> {
    let d = crate::auth::settings::AuthSettings::default();
    Ok(crate::auth::settings::AuthSettings {
        account: rule(
            get,
            [
                "AUTH_DELAY_AFTER",
                "AUTH_DELAY_BASE_SECS",
                "AUTH_LOCK_AFTER",
                "AUTH_LOCK_SECS",
            ],
            d.account.clone(),
        )?,
        ip: rule(
            get,
            [
                "AUTH_IP_DELAY_AFTER",
                "AUTH_IP_DELAY_BASE_SECS",
                "AUTH_IP_LOCK_AFTER",
                "AUTH_IP_LOCK_SECS",
            ],
            d.ip.clone(),
        )?,
        second_factor: rule(
            get,
            [
                "AUTH_2FA_DELAY_AFTER",
                "AUTH_2FA_DELAY_BASE_SECS",
                "AUTH_2FA_LOCK_AFTER",
                "AUTH_2FA_LOCK_SECS",
            ],
            d.second_factor.clone(),
        )?,
        session_idle: seconds(get, "SESSION_IDLE_SECS", d.session_idle)?,
        session_absolute: seconds(get, "SESSION_ABSOLUTE_SECS", d.session_absolute)?,
        setup_link_ttl: seconds(get, "SETUP_LINK_TTL_SECS", d.setup_link_ttl)?
            .max(std::time::Duration::from_secs(60)),
        hash_queue_wait: std::time::Duration::from_millis(number(
            get,
            "PASSWORD_HASH_QUEUE_MS",
            d.hash_queue_wait.as_millis() as u64,
        )?),
        hash_slots: number(get, "PASSWORD_HASH_SLOTS", d.hash_slots)?.max(1),
    })
}

impl Config {
    /// Reads `.env` if there is one, then the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(var)
    }

    /// Builds the configuration from any variable source (tests pass a map).
    pub fn from_lookup(get: impl Fn(&'static str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url = get("DATABASE_URL").ok_or(ConfigError {
            name: "DATABASE_URL",
            problem: "is not set; e.g. postgres://postgres@127.0.0.1:5432/orgdesk".into(),
        })?;
        let database_max_connections = match get("DATABASE_MAX_CONNECTIONS") {
            Some(v) => v.trim().parse().map_err(|_| ConfigError {
                name: "DATABASE_MAX_CONNECTIONS",
                problem: "expected a positive number".into(),
            })?,
            None => 16,
        };
        let base_url = match get("PUBLIC_BASE_URL") {
            Some(v) => parse_url("PUBLIC_BASE_URL", &v)?,
            None => default_base_url(get("LEPTOS_SITE_ADDR").as_deref())?,
        };
        let cookie_secure = match get("COOKIE_SECURE") {
            Some(v) => parse_bool("COOKIE_SECURE", &v)?,
            None => base_url.scheme() == "https",
        };
        let sms_gateway_url = get("SMS_GATEWAY_URL")
            .map(|v| parse_url("SMS_GATEWAY_URL", &v))
            .transpose()?;
        let log_json = match get("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(ConfigError {
                    name: "LOG_FORMAT",
                    problem: format!("expected text or json, got {other:?}"),
                });
            }
        };
        let worker_defaults = crate::notify::worker::WorkerSettings::default();
        let outbox = crate::notify::worker::WorkerSettings {
            concurrency: number(&get, "OUTBOX_CONCURRENCY", worker_defaults.concurrency)?.max(1),
            retry_base: seconds(&get, "OUTBOX_RETRY_BASE_SECS", worker_defaults.retry_base)?,
            retry_max: seconds(&get, "OUTBOX_RETRY_MAX_SECS", worker_defaults.retry_max)?,
            ..worker_defaults
        };
        let code_defaults = crate::codes::CodeSettings::default();
        let codes = crate::codes::CodeSettings {
            ttl: seconds(&get, "CODE_TTL_SECS", code_defaults.ttl)?,
            resend_cooldown: seconds(
                &get,
                "CODE_RESEND_COOLDOWN_SECS",
                code_defaults.resend_cooldown,
            )?,
            max_attempts: number(&get, "CODE_MAX_ATTEMPTS", code_defaults.max_attempts)?,
            daily_limit_per_destination: number(
                &get,
                "CODE_DAILY_LIMIT",
                code_defaults.daily_limit_per_destination,
            )?,
            hourly_limit_per_ip: number(
                &get,
                "CODE_IP_HOURLY_LIMIT",
                code_defaults.hourly_limit_per_ip,
            )?,
            hourly_limit_per_network: number(
                &get,
                "CODE_NETWORK_HOURLY_LIMIT",
                code_defaults.hourly_limit_per_network,
            )?,
        };
        let auth = auth_settings(&get)?;
        Ok(Config {
            auth,
            outbox,
            outbox_max_attempts: number(&get, "OUTBOX_MAX_ATTEMPTS", 8)?.max(1),
            codes,
            database_url: SecretString::from(database_url),
            database_max_connections,
            base_url,
            cookie_secure,
            smtp_url: get("SMTP_URL").map(SecretString::from),
            mail_from: get("MAIL_FROM"),
            sms_gateway_url,
            sms_gateway_token: get("SMS_GATEWAY_TOKEN").map(SecretString::from),
            data_dir: PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "data".into())),
            document_store_url: get("DOCUMENT_STORE_URL")
                .map(|v| parse_url("DOCUMENT_STORE_URL", &v))
                .transpose()?,
            log_json,
        })
    }

    /// The database URL, for the one place that connects.
    pub fn database_url(&self) -> &str {
        self.database_url.expose_secret()
    }

    /// `scheme://host[:port]` of the public base URL, as browsers send it in `Origin`.
    pub fn public_origin(&self) -> String {
        self.base_url.origin().ascii_serialization()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&'static str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<&'static str, String> =
            vars.iter().map(|(k, v)| (*k, v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn database_url_is_required() {
        let err = config(&[]).unwrap_err();
        assert_eq!(err.name, "DATABASE_URL");
    }

    #[test]
    fn secrets_never_print() {
        let cfg = config(&[
            ("DATABASE_URL", "postgres://u:hunter2@db/orgdesk"),
            ("SMTP_URL", "smtps://mailer:s3cret-pass@mail.example.com"),
            ("SMS_GATEWAY_TOKEN", "tok-very-secret"),
        ])
        .unwrap();
        let printed = format!("{cfg:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("s3cret-pass"), "{printed}");
        assert!(!printed.contains("tok-very-secret"), "{printed}");
        assert_eq!(cfg.database_url(), "postgres://u:hunter2@db/orgdesk");
    }

    #[test]
    fn cookie_secure_follows_https_unless_set() {
        let https = config(&[
            ("DATABASE_URL", "x"),
            ("PUBLIC_BASE_URL", "https://od.example.com"),
        ])
        .unwrap();
        assert!(https.cookie_secure);
        assert_eq!(https.public_origin(), "https://od.example.com");
        let http = config(&[("DATABASE_URL", "x")]).unwrap();
        assert!(!http.cookie_secure);
        let forced = config(&[("DATABASE_URL", "x"), ("COOKIE_SECURE", "true")]).unwrap();
        assert!(forced.cookie_secure);
        assert!(config(&[("DATABASE_URL", "x"), ("COOKIE_SECURE", "maybe")]).is_err());
    }

    #[test]
    fn limits_have_defaults_and_can_be_set() {
        let cfg = config(&[("DATABASE_URL", "x")]).unwrap();
        assert_eq!(cfg.codes.ttl, Duration::from_secs(600));
        assert_eq!(cfg.codes.resend_cooldown, Duration::from_secs(60));
        assert_eq!(cfg.codes.max_attempts, 5);
        assert_eq!(cfg.codes.daily_limit_per_destination, 10);
        assert_eq!(cfg.outbox_max_attempts, 8);
        let cfg = config(&[
            ("DATABASE_URL", "x"),
            ("CODE_TTL_SECS", "300"),
            ("OUTBOX_RETRY_BASE_SECS", "5"),
        ])
        .unwrap();
        assert_eq!(cfg.codes.ttl, Duration::from_secs(300));
        assert_eq!(cfg.outbox.retry_base, Duration::from_secs(5));
        assert_eq!(
            config(&[("DATABASE_URL", "x"), ("CODE_MAX_ATTEMPTS", "five")])
                .unwrap_err()
                .name,
            "CODE_MAX_ATTEMPTS"
        );
    }

    #[test]
    fn base_url_follows_the_listening_address_unless_set() {
        let base = |vars: &[(&'static str, &str)]| {
            let mut all = vec![("DATABASE_URL", "x")];
            all.extend_from_slice(vars);
            config(&all).map(|c| c.base_url.to_string())
        };
        assert_eq!(base(&[]).unwrap(), "http://127.0.0.1:3000/");
        assert_eq!(
            base(&[("LEPTOS_SITE_ADDR", "127.0.0.1:3999")]).unwrap(),
            "http://127.0.0.1:3999/"
        );
        assert_eq!(
            base(&[("LEPTOS_SITE_ADDR", "0.0.0.0:8080")]).unwrap(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            base(&[("LEPTOS_SITE_ADDR", "[::]:8080")]).unwrap(),
            "http://[::1]:8080/"
        );
        assert_eq!(
            base(&[
                ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
                ("PUBLIC_BASE_URL", "https://od.example.com")
            ])
            .unwrap(),
            "https://od.example.com/"
        );
        assert_eq!(
            base(&[("LEPTOS_SITE_ADDR", "localhost")]).unwrap_err().name,
            "LEPTOS_SITE_ADDR"
        );
    }

    #[test]
    fn bad_urls_are_refused() {
        assert_eq!(
            config(&[("DATABASE_URL", "x"), ("PUBLIC_BASE_URL", "ftp://x")])
                .unwrap_err()
                .name,
            "PUBLIC_BASE_URL"
        );
        assert_eq!(
            config(&[("DATABASE_URL", "x"), ("SMS_GATEWAY_URL", "not a url")])
                .unwrap_err()
                .name,
            "SMS_GATEWAY_URL"
        );
    }
}
