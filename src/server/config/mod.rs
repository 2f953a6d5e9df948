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
    /// Public address of this deployment, used in links sent by email and SMS
    /// (the first of `PUBLIC_BASE_URL`).
    pub base_url: Url,
    /// Further origins the deployment is reached at (the rest of `PUBLIC_BASE_URL`):
    /// trusted for form posts like the first.
    pub other_origins: Vec<Url>,
    /// `TRUSTED_PROXIES`: peers whose forwarded headers are believed.
    pub trusted_proxies: crate::server::proxy::TrustedProxies,
    /// `API_MAX_CONCURRENT` and `API_TIMEOUT_MS`: the limits of `/api/*`.
    pub api_max_concurrent: usize,
    pub api_timeout: Duration,
    /// `CONTACTS_LOCK_WAIT_MS`: how long a change waits for its
    /// organisation's contacts before answering "busy, try again".
    pub contacts_lock_wait: Duration,
    /// `IMPORT_MAX_BYTES` and `IMPORT_MAX_ROWS`: the limits of one contacts import.
    pub import_max_bytes: usize,
    pub import_max_rows: usize,
    /// `REGISTRATION_DRAFTS_PER_IP_DAY`: applications started per client
    /// network (/24, IPv6 /64) and day.
    pub registration_drafts_per_ip_day: i64,
    /// `ORGDESK_TIME_ZONE`: the zone of times shown to operators and
    /// applicants (IANA name; default Asia/Shanghai). Organisations have
    /// their own.
    pub time_zone: crate::server::time::Tz,
    /// How long finished things are kept (the housekeeping job).
    pub retention: crate::server::housekeeping::Retention,
    /// `ALLOW_LOG_TRANSPORT`: an https deployment may still write email or SMS
    /// to the log (a staging server).
    pub allow_log_transport: bool,
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
    /// The `AWS_*` settings of that storage (endpoint, region, credentials).
    pub s3_options: Vec<(&'static str, SecretString)>,
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
    /// `ORGDESK_MASTER_KEY`: wraps the keys stored in the database.
    pub master_key: Option<crate::server::keys::MasterKey>,
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

/// The variables of S3-compatible storage read through the configuration
/// (the rest of `AWS_*` is read from the environment by the S3 client).
const S3_VARIABLES: [&str; 9] = [
    "AWS_ENDPOINT",
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ALLOW_HTTP",
    "AWS_VIRTUAL_HOSTED_STYLE_REQUEST",
];

/// `s3://bucket[/prefix]`: the one kind of document store besides the data directory.
fn parse_store_url(value: &str) -> Result<Url, ConfigError> {
    const NAME: &str = "DOCUMENT_STORE_URL";
    let problem = |p: &str| ConfigError {
        name: NAME,
        problem: p.to_owned(),
    };
    let url = Url::parse(value.trim())
        .map_err(|e| problem(&format!("not a URL ({e}); expected s3://bucket/prefix")))?;
    if url.scheme() != "s3" {
        return Err(problem(
            "must be s3://bucket/prefix (S3-compatible storage); leave it unset to keep documents under DATA_DIR",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(problem("names no bucket; expected s3://bucket/prefix"));
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
        hash_nice: number(get, "PASSWORD_HASH_NICE", d.hash_nice)?.clamp(0, 19),
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
        let mut origins = match get("PUBLIC_BASE_URL") {
            Some(v) => v
                .split([',', ' '])
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_url("PUBLIC_BASE_URL", s))
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![],
        };
        let base_url = if origins.is_empty() {
            default_base_url(get("LEPTOS_SITE_ADDR").as_deref())?
        } else {
            origins.remove(0)
        };
        let other_origins = origins;
        let trusted_proxies = match get("TRUSTED_PROXIES") {
            Some(v) => {
                crate::server::proxy::TrustedProxies::parse(&v).map_err(|problem| ConfigError {
                    name: "TRUSTED_PROXIES",
                    problem,
                })?
            }
            None => crate::server::proxy::TrustedProxies::default(),
        };
        let trusted_proxies = match get("TRUSTED_PROXY_HEADER").as_deref().map(str::trim) {
            None | Some("x-forwarded-for") => trusted_proxies,
            Some("forwarded") => {
                trusted_proxies.reading(crate::server::proxy::ForwardedHeader::Forwarded)
            }
            Some(other) => {
                return Err(ConfigError {
                    name: "TRUSTED_PROXY_HEADER",
                    problem: format!("expected x-forwarded-for or forwarded, got {other:?}"),
                });
            }
        };
        let allow_log_transport = match get("ALLOW_LOG_TRANSPORT") {
            Some(v) => parse_bool("ALLOW_LOG_TRANSPORT", &v)?,
            None => false,
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
            challenge_after_percent: number(
                &get,
                "CODE_CHALLENGE_AFTER_PERCENT",
                code_defaults.challenge_after_percent,
            )?
            .clamp(0, 100),
            challenge_max_number: number(
                &get,
                "CODE_CHALLENGE_MAX_NUMBER",
                code_defaults.challenge_max_number,
            )?
            .max(1),
            hourly_limit_per_session: number(
                &get,
                "CODE_SESSION_HOURLY_LIMIT",
                code_defaults.hourly_limit_per_session,
            )?
            .max(1),
        };
        let auth = auth_settings(&get)?;
        let master_key = get("ORGDESK_MASTER_KEY")
            .map(|v| {
                crate::server::keys::MasterKey::parse(&v).map_err(|problem| ConfigError {
                    name: "ORGDESK_MASTER_KEY",
                    problem,
                })
            })
            .transpose()?;
        let s3_options = S3_VARIABLES
            .iter()
            .filter_map(|&name| get(name).map(|v| (name, SecretString::from(v))))
            .collect();
        let days = |name: &'static str, default: Duration| -> Result<Duration, ConfigError> {
            number(&get, name, default.as_secs() / 86_400)
                .map(|d| Duration::from_secs(d.max(1) * 86_400))
        };
        let kept = crate::server::housekeeping::Retention::default();
        let retention = crate::server::housekeeping::Retention {
            sent_messages: days("RETAIN_SENT_MESSAGES_DAYS", kept.sent_messages)?,
            abandoned_drafts: days("RETAIN_DRAFTS_DAYS", kept.abandoned_drafts)?,
            rejected_documents: days("RETAIN_REJECTED_DOCUMENTS_DAYS", kept.rejected_documents)?,
            platform_audit: days("RETAIN_PLATFORM_AUDIT_DAYS", kept.platform_audit)?,
        };
        let time_zone = match get("ORGDESK_TIME_ZONE") {
            None => crate::server::time::DEFAULT_ZONE,
            Some(name) => crate::server::time::parse_zone(&name).ok_or(ConfigError {
                name: "ORGDESK_TIME_ZONE",
                problem: format!(
                    "{name:?} is not a time zone; use an IANA name such as Asia/Shanghai"
                ),
            })?,
        };
        Ok(Config {
            time_zone,
            registration_drafts_per_ip_day: number(&get, "REGISTRATION_DRAFTS_PER_IP_DAY", 20i64)?
                .max(1),
            retention,
            api_max_concurrent: number(&get, "API_MAX_CONCURRENT", 256usize)?.max(1),
            api_timeout: Duration::from_millis(number(&get, "API_TIMEOUT_MS", 30_000u64)?.max(1)),
            contacts_lock_wait: Duration::from_millis(
                number(&get, "CONTACTS_LOCK_WAIT_MS", 3_000u64)?.max(1),
            ),
            import_max_bytes: number(&get, "IMPORT_MAX_BYTES", 10 * 1024 * 1024usize)?.max(1024),
            import_max_rows: number(&get, "IMPORT_MAX_ROWS", 100_000usize)?.max(1),
            other_origins,
            trusted_proxies,
            allow_log_transport,
            s3_options,
            master_key,
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
                .map(|v| parse_store_url(&v))
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

    /// Every origin the deployment is reached at, the public base URL's first.
    pub fn public_origins(&self) -> Vec<String> {
        std::iter::once(&self.base_url)
            .chain(&self.other_origins)
            .map(|u| u.origin().ascii_serialization())
            .collect()
    }

    /// Why this configuration must not serve, if it must not: an https
    /// deployment (a real one) whose email or SMS would go to the log, where
    /// anyone reading it would read every code, unless `ALLOW_LOG_TRANSPORT`.
    pub fn serving_problem(&self) -> Option<ConfigError> {
        if self.base_url.scheme() != "https" || self.allow_log_transport {
            return None;
        }
        let missing: Vec<&str> = [
            ("SMTP_URL", self.smtp_url.is_none()),
            ("SMS_GATEWAY_URL", self.sms_gateway_url.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, unset)| unset.then_some(name))
        .collect();
        if missing.is_empty() {
            return None;
        }
        Some(ConfigError {
            name: missing[0],
            problem: format!(
                "PUBLIC_BASE_URL is https but {} not set, so messages with one-time codes \
                 would be written to the server log. Set {}, or ALLOW_LOG_TRANSPORT=true \
                 for a server nobody relies on.",
                if missing.len() == 2 {
                    "SMTP_URL and SMS_GATEWAY_URL are"
                } else if missing[0] == "SMTP_URL" {
                    "SMTP_URL is"
                } else {
                    "SMS_GATEWAY_URL is"
                },
                missing.join(" and ")
            ),
        })
    }
}

#[cfg(test)]
mod tests;
