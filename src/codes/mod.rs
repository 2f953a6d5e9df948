//! One-time codes (验证码) sent by email or SMS.
//!
//! Six digits from a CSPRNG, bound to a purpose and a destination, kept only
//! as an HMAC-SHA256 under a server key (a database dump does not reveal live
//! codes), valid for 10 minutes and used once. A new code replaces the
//! previous one. Sending is limited by a cooldown per destination, a daily cap
//! per destination and an hourly cap per client IP; checking by a count of
//! wrong tries, after which the code is dead. All limits come from
//! [`CodeSettings`].
use crate::notify::{self, Channel, NewMessage, Template};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::{PgConnection, PgPool};
use std::{net::IpAddr, sync::Arc, time::Duration};
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// What a code proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    RegisterMobile,
    RegisterEmail,
    ResumeRegistration,
    ResetPassword,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::RegisterMobile => "register_mobile",
            Purpose::RegisterEmail => "register_email",
            Purpose::ResumeRegistration => "resume_registration",
            Purpose::ResetPassword => "reset_password",
        }
    }
}

/// Where a code goes: an email address or a mobile number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Email(crate::domain::Email),
    Mobile(crate::domain::Mobile),
}

impl Destination {
    fn channel(&self) -> Channel {
        match self {
            Destination::Email(_) => Channel::Email,
            Destination::Mobile(_) => Channel::Sms,
        }
    }

    /// The address to deliver to.
    fn address(&self) -> &str {
        match self {
            Destination::Email(e) => e.as_str(),
            Destination::Mobile(m) => m.as_str(),
        }
    }

    /// The key codes are filed under: case does not make another mailbox.
    fn key(&self) -> String {
        match self {
            Destination::Email(e) => format!("email:{}", e.as_str().to_lowercase()),
            Destination::Mobile(m) => format!("mobile:{}", m.as_str()),
        }
    }
}

/// Limits of the code service.
#[derive(Debug, Clone)]
pub struct CodeSettings {
    pub ttl: Duration,
    pub resend_cooldown: Duration,
    pub max_attempts: i32,
    pub daily_limit_per_destination: i64,
    pub hourly_limit_per_ip: i64,
}

impl Default for CodeSettings {
    fn default() -> Self {
        CodeSettings {
            ttl: Duration::from_secs(600),
            resend_cooldown: Duration::from_secs(60),
            max_attempts: 5,
            daily_limit_per_destination: 10,
            hourly_limit_per_ip: 30,
        }
    }
}

/// Why a code was not sent or not accepted. Each has its own stable code.
#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error("a code was sent less than the cooldown ago")]
    Cooldown { retry_after_secs: u64 },
    #[error("daily limit of codes for this destination reached")]
    DailyLimit,
    #[error("hourly limit of codes for this client reached")]
    IpLimit,
    #[error("the code is not six digits")]
    Format,
    #[error("no code was sent to this destination")]
    NotSent,
    #[error("the code was sent for another purpose")]
    WrongPurpose,
    #[error("the code has expired")]
    Expired,
    #[error("the code was already used")]
    Used,
    #[error("too many wrong tries; the code no longer works")]
    TooManyAttempts,
    #[error("wrong code")]
    Mismatch { remaining_attempts: i32 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl CodeError {
    /// The stable code the UI translates.
    pub fn code(&self) -> &'static str {
        match self {
            CodeError::Cooldown { .. } => "code.cooldown",
            CodeError::DailyLimit => "code.daily_limit",
            CodeError::IpLimit => "code.ip_limit",
            CodeError::Format => "code.format",
            CodeError::NotSent => "code.not_sent",
            CodeError::WrongPurpose => "code.wrong_purpose",
            CodeError::Expired => "code.expired",
            CodeError::Used => "code.used",
            CodeError::TooManyAttempts => "code.too_many_attempts",
            CodeError::Mismatch { .. } => "code.mismatch",
            CodeError::Database(_) => "internal",
        }
    }
}

impl From<CodeError> for crate::error::AppError {
    fn from(err: CodeError) -> Self {
        use crate::error::AppError;
        match err {
            CodeError::Cooldown { retry_after_secs } => {
                AppError::too_many_requests(Some(retry_after_secs))
            }
            CodeError::Database(e) => AppError::internal(e),
            other => AppError::field("code", other.code()),
        }
    }
}

/// A code that was queued for delivery.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub id: Uuid,
    pub outbox_id: Uuid,
    pub expires_in: Duration,
}

/// A request for a new code.
#[derive(Debug, Clone)]
pub struct CodeRequest {
    pub purpose: Purpose,
    pub destination: Destination,
    /// Language of the message: `en` or `zh-CN`.
    pub locale: String,
    pub client_ip: Option<IpAddr>,
    pub org_id: Option<Uuid>,
}

/// Issues and checks codes.
#[derive(Clone)]
pub struct CodeService {
    key: Arc<[u8; 32]>,
    settings: CodeSettings,
    outbox_max_attempts: i32,
}

const KEY_NAME: &str = "one_time_codes";

impl CodeService {
    /// Loads the server key, creating it on first use (shared by every instance).
    pub async fn load(
        db: &PgPool,
        settings: CodeSettings,
        outbox_max_attempts: i32,
    ) -> Result<Self, sqlx::Error> {
        let key = crate::server::keys::load_or_create(db, KEY_NAME).await?;
        Ok(CodeService {
            key: Arc::new(key),
            settings,
            outbox_max_attempts,
        })
    }

    /// A service with a given key, for tools and tests that have no database at hand.
    pub fn with_key(key: [u8; 32], settings: CodeSettings, outbox_max_attempts: i32) -> Self {
        CodeService {
            key: Arc::new(key),
            settings,
            outbox_max_attempts,
        }
    }

    pub fn settings(&self) -> &CodeSettings {
        &self.settings
    }

    fn mac(&self, purpose: Purpose, destination_key: &str, code: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key[..]).expect("HMAC takes any key length");
        for part in [purpose.as_str(), destination_key, code] {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        mac
    }

    /// Creates a code and queues its message, inside the caller's transaction.
    pub async fn issue(
        &self,
        conn: &mut PgConnection,
        req: &CodeRequest,
    ) -> Result<IssuedCode, CodeError> {
        let dest = req.destination.key();
        // Serialises issuing per destination, so the limits hold under concurrency.
        sqlx::query!(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            dest
        )
        .execute(&mut *conn)
        .await?;

        // One look at this destination's recent codes answers both limits.
        let recent = sqlx::query!(
            r#"SELECT EXTRACT(EPOCH FROM now() - max(created_at))::float8 AS "since_last_secs",
                      count(*) FILTER (WHERE created_at > now() - interval '1 day') AS "today!"
                 FROM one_time_codes WHERE destination = $1"#,
            dest
        )
        .fetch_one(&mut *conn)
        .await?;
        let cooldown = self.settings.resend_cooldown.as_secs_f64();
        if let Some(secs) = recent.since_last_secs
            && secs < cooldown
        {
            return Err(CodeError::Cooldown {
                retry_after_secs: (cooldown - secs).ceil().max(1.0) as u64,
            });
        }
        if recent.today >= self.settings.daily_limit_per_destination {
            return Err(CodeError::DailyLimit);
        }

        let ip = req.client_ip.map(sqlx::types::ipnetwork::IpNetwork::from);
        if let Some(ip) = ip {
            let this_hour = sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM one_time_codes
                    WHERE client_ip = $1 AND created_at > now() - interval '1 hour'"#,
                ip
            )
            .fetch_one(&mut *conn)
            .await?;
            if this_hour >= self.settings.hourly_limit_per_ip {
                return Err(CodeError::IpLimit);
            }
        }

        sqlx::query!(
            r#"UPDATE one_time_codes SET superseded_at = now()
                WHERE destination = $1 AND consumed_at IS NULL AND superseded_at IS NULL"#,
            dest
        )
        .execute(&mut *conn)
        .await?;

        let code = format!(
            "{:06}",
            rand::Rng::random_range(&mut rand::rng(), 0..1_000_000u32)
        );
        let hash = self.mac(req.purpose, &dest, &code).finalize().into_bytes();
        let id = Uuid::now_v7();
        sqlx::query!(
            r#"INSERT INTO one_time_codes (id, purpose, destination, code_hash, client_ip, expires_at)
               VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))"#,
            id,
            req.purpose.as_str(),
            dest,
            &hash[..],
            ip,
            self.settings.ttl.as_secs_f64(),
        )
        .execute(&mut *conn)
        .await?;

        let message = NewMessage {
            org_id: req.org_id,
            channel: req.destination.channel(),
            recipient: req.destination.address().to_owned(),
            locale: req.locale.clone(),
            template: Template::VerificationCode {
                code,
                ttl_minutes: (self.settings.ttl.as_secs() / 60).max(1) as u32,
            },
        };
        let outbox_id = notify::enqueue(&mut *conn, &message, self.outbox_max_attempts).await?;
        Ok(IssuedCode {
            id,
            outbox_id,
            expires_in: self.settings.ttl,
        })
    }

    /// Checks `code` and uses it up. Runs in its own transaction so that a
    /// wrong try is counted even when the caller's work rolls back.
    pub async fn verify(
        &self,
        db: &PgPool,
        purpose: Purpose,
        destination: &Destination,
        code: &str,
    ) -> Result<(), CodeError> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::Format);
        }
        let dest = destination.key();
        let mut tx = db.begin().await?;
        let Some(row) = sqlx::query!(
            r#"SELECT id, purpose, code_hash, failed_attempts, consumed_at IS NOT NULL AS "used!",
                      expires_at <= now() AS "expired!"
                 FROM one_time_codes
                WHERE destination = $1 AND superseded_at IS NULL
                ORDER BY created_at DESC
                LIMIT 1
                  FOR UPDATE"#,
            dest
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Err(CodeError::NotSent);
        };
        if row.used {
            return Err(CodeError::Used);
        }
        if row.purpose != purpose.as_str() {
            return Err(CodeError::WrongPurpose);
        }
        if row.failed_attempts >= self.settings.max_attempts {
            return Err(CodeError::TooManyAttempts);
        }
        if row.expired {
            return Err(CodeError::Expired);
        }
        // Constant-time comparison of the keyed hashes.
        if self
            .mac(purpose, &dest, code)
            .verify_slice(&row.code_hash)
            .is_err()
        {
            let failed = sqlx::query_scalar!(
                "UPDATE one_time_codes SET failed_attempts = failed_attempts + 1 WHERE id = $1 RETURNING failed_attempts",
                row.id
            )
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            let remaining = self.settings.max_attempts - failed;
            return Err(if remaining <= 0 {
                CodeError::TooManyAttempts
            } else {
                CodeError::Mismatch {
                    remaining_attempts: remaining,
                }
            });
        }
        sqlx::query!(
            "UPDATE one_time_codes SET consumed_at = now() WHERE id = $1",
            row.id
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
