//! The settings as the environment gives them, and what is refused.
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

#[test]
fn several_public_origins_and_trusted_proxies() {
    let cfg = config(&[
        ("DATABASE_URL", "x"),
        (
            "PUBLIC_BASE_URL",
            "https://od.example.com, https://orgdesk.example.cn:8443",
        ),
        ("TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1"),
    ])
    .unwrap();
    assert_eq!(cfg.base_url.as_str(), "https://od.example.com/");
    assert_eq!(
        cfg.public_origins(),
        ["https://od.example.com", "https://orgdesk.example.cn:8443"]
    );
    assert_eq!(cfg.trusted_proxies.0.len(), 2);
    assert_eq!(
        config(&[("DATABASE_URL", "x"), ("TRUSTED_PROXIES", "10.0.0.0/40")])
            .unwrap_err()
            .name,
        "TRUSTED_PROXIES"
    );
}

#[test]
fn an_https_deployment_does_not_serve_with_messages_going_to_the_log() {
    let https = |extra: &[(&'static str, &str)]| {
        let mut vars = vec![
            ("DATABASE_URL", "x"),
            ("PUBLIC_BASE_URL", "https://od.example.com"),
        ];
        vars.extend_from_slice(extra);
        config(&vars).unwrap().serving_problem().map(|e| e.name)
    };
    assert_eq!(https(&[]), Some("SMTP_URL"));
    assert_eq!(
        https(&[("SMTP_URL", "smtp://mail:25")]),
        Some("SMS_GATEWAY_URL")
    );
    assert_eq!(
        https(&[
            ("SMTP_URL", "smtp://mail:25"),
            ("SMS_GATEWAY_URL", "https://sms.example.com/send")
        ]),
        None
    );
    assert_eq!(https(&[("ALLOW_LOG_TRANSPORT", "true")]), None);
    // A laptop install (http) writes messages to the log, as it always did.
    assert!(
        config(&[("DATABASE_URL", "x")])
            .unwrap()
            .serving_problem()
            .is_none()
    );
}

#[test]
fn the_document_store_is_s3_or_the_data_directory() {
    let store = |v: &str| config(&[("DATABASE_URL", "x"), ("DOCUMENT_STORE_URL", v)]);
    let s3 = store("s3://orgdesk-documents/prod").unwrap();
    let url = s3.document_store_url.unwrap();
    assert_eq!(url.host_str(), Some("orgdesk-documents"));
    assert_eq!(url.path(), "/prod");
    assert!(store("s3://bucket").is_ok());
    for bad in ["https://bucket/prefix", "s3:///prefix", "bucket/prefix"] {
        assert_eq!(store(bad).unwrap_err().name, "DOCUMENT_STORE_URL", "{bad}");
    }
}
