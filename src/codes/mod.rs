//! One-time codes (验证码) sent by email or SMS.
//!
//! Six digits from a CSPRNG, bound to a purpose and a destination, kept only
//! as an HMAC-SHA256 under a server key (a database dump does not reveal live
//! codes), valid for 10 minutes and used once. A new code replaces the
//! previous one for the same purpose and destination. Sending is limited by a
//! cooldown and a daily cap per purpose and destination (so a code for one
//! flow never uses up another's), and public endpoints first pass
//! [`CodeService::admit`]: hourly caps per client IP and per network (/24,
//! IPv6 /64) across every purpose, counted whether or not the address is
//! known. Checking is limited by a count of wrong tries, after which the code
//! is dead. All limits come from [`CodeSettings`].
use crate::error::Code;
use crate::notify::{self, Channel, NewMessage, Template};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::{PgConnection, PgPool};
use std::{net::IpAddr, sync::Arc, time::Duration};
use uuid::Uuid;

mod admission;
pub mod challenge;

pub use admission::network_of;

type HmacSha256 = Hmac<Sha256>;

/// What a code proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    RegisterMobile,
    RegisterEmail,
    ResumeRegistration,
    ResetPassword,
    /// An invited person proves the address their invitation went to.
    ActivateAccount,
    /// A member proves a new email address or mobile number of their own.
    ChangeContact,
    /// Someone asking to join through an organisation's join link proves their mobile.
    JoinRequest,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::RegisterMobile => "register_mobile",
            Purpose::RegisterEmail => "register_email",
            Purpose::ResumeRegistration => "resume_registration",
            Purpose::ResetPassword => "reset_password",
            Purpose::ActivateAccount => "activate_account",
            Purpose::ChangeContact => "change_contact",
            Purpose::JoinRequest => "join_request",
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
    /// Requests of code-sending public endpoints per client IP and hour.
    pub hourly_limit_per_ip: i64,
    /// The same per /24 (IPv4) or /64 (IPv6) network.
    pub hourly_limit_per_network: i64,
    /// Once this share (percent) of either hourly cap is used, a request
    /// must carry a solved proof-of-work challenge; 100 never asks.
    pub challenge_after_percent: i64,
    /// The size of a challenge: the browser tries up to this many hashes.
    pub challenge_max_number: u64,
    /// Requests of code-sending public endpoints per browser session and hour.
    pub hourly_limit_per_session: usize,
}

impl Default for CodeSettings {
    fn default() -> Self {
        CodeSettings {
            ttl: Duration::from_secs(600),
            resend_cooldown: Duration::from_secs(60),
            max_attempts: 5,
            daily_limit_per_destination: 10,
            hourly_limit_per_ip: 30,
            hourly_limit_per_network: 100,
            challenge_after_percent: 50,
            challenge_max_number: 1_000_000,
            hourly_limit_per_session: 10,
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
    #[error("a solved proof-of-work challenge is needed")]
    ChallengeRequired,
    #[error("too many codes asked for from this browser session")]
    SessionLimit,
    #[error("hourly limit of codes for this client reached")]
    IpLimit,
    #[error("the code is not six digits")]
    Format,
    #[error("no code was sent to this destination")]
    NotSent,
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
    pub fn code(&self) -> Code {
        match self {
            CodeError::Cooldown { .. } => Code::CodeCooldown,
            CodeError::DailyLimit => Code::CodeDailyLimit,
            CodeError::ChallengeRequired => Code::CodeChallengeRequired,
            CodeError::SessionLimit => Code::CodeSessionLimit,
            CodeError::IpLimit => Code::CodeIpLimit,
            CodeError::Format => Code::CodeFormat,
            CodeError::NotSent => Code::CodeNotSent,
            CodeError::Expired => Code::CodeExpired,
            CodeError::Used => Code::CodeUsed,
            CodeError::TooManyAttempts => Code::CodeTooManyAttempts,
            CodeError::Mismatch { .. } => Code::CodeMismatch,
            CodeError::Database(_) => Code::Internal,
        }
    }
}

impl CodeError {
    /// The answer of a public endpoint about an address that may or may not
    /// belong to someone: every refusal of a code reads the same (`code.invalid`),
    /// so that neither "not sent" nor "too many tries" tells a stranger that
    /// the address is known. Only database failures stay apart.
    pub fn public(self) -> crate::error::AppError {
        use crate::error::AppError;
        match self {
            CodeError::Database(e) => AppError::internal(e),
            _ => AppError::field("code", Code::CodeInvalid),
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
            CodeError::ChallengeRequired => AppError::field("challenge", err.code()),
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
    /// Signs proof-of-work challenges.
    challenge_key: Arc<[u8; 32]>,
    /// Seals the queued messages that carry the codes.
    outbox: crate::server::keys::Sealer,
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
        master: Option<&crate::server::keys::MasterKey>,
    ) -> Result<Self, crate::server::keys::KeyError> {
        let key = crate::server::keys::load_or_create(db, KEY_NAME, master).await?;
        let challenge_key =
            crate::server::keys::load_or_create(db, "code_challenges", master).await?;
        let outbox = notify::outbox::load_sealer(db, master).await?;
        Ok(CodeService {
            key: Arc::new(key),
            challenge_key: Arc::new(challenge_key),
            outbox,
            settings,
            outbox_max_attempts,
        })
    }

    /// A service with given keys, for tools and tests that have no database at hand.
    pub fn with_keys(
        key: [u8; 32],
        outbox_key: [u8; 32],
        settings: CodeSettings,
        outbox_max_attempts: i32,
    ) -> Self {
        CodeService {
            key: Arc::new(key),
            challenge_key: Arc::new(outbox_key),
            outbox: crate::server::keys::Sealer::new(&outbox_key),
            settings,
            outbox_max_attempts,
        }
    }

    /// The sealer of queued messages (for the other messages a flow queues).
    pub fn outbox_sealer(&self) -> &crate::server::keys::Sealer {
        &self.outbox
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
        let purpose = req.purpose.as_str();
        // Serialises issuing per purpose and destination, so the limits hold
        // under concurrency.
        sqlx::query!(
            "SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 0))",
            purpose,
            dest
        )
        .execute(&mut *conn)
        .await?;

        // One look at this flow's recent codes to the destination answers both limits.
        let recent = sqlx::query!(
            r#"SELECT EXTRACT(EPOCH FROM now() - max(created_at))::float8 AS "since_last_secs",
                      count(*) FILTER (WHERE created_at > now() - interval '1 day') AS "today!"
                 FROM one_time_codes WHERE destination = $1 AND purpose = $2"#,
            dest,
            purpose
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
        sqlx::query!(
            r#"UPDATE one_time_codes SET superseded_at = now()
                WHERE destination = $1 AND purpose = $2
                  AND consumed_at IS NULL AND superseded_at IS NULL"#,
            dest,
            purpose
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
            purpose,
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
            valid_for: Some(self.settings.ttl),
        };
        let outbox_id =
            notify::enqueue(&mut *conn, &self.outbox, &message, self.outbox_max_attempts).await?;
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
        let id = self.check(db, purpose, destination, code).await?;
        let mut conn = db.acquire().await?;
        self.consume(&mut conn, id).await
    }

    /// Checks `code` without using it up, and returns the code's id for
    /// [`CodeService::consume`] in the caller's transaction. A wrong try is
    /// counted at once, in a transaction of its own.
    pub async fn check(
        &self,
        db: &PgPool,
        purpose: Purpose,
        destination: &Destination,
        code: &str,
    ) -> Result<Uuid, CodeError> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::Format);
        }
        let dest = destination.key();
        let mut tx = db.begin().await?;
        let Some(row) = sqlx::query!(
            r#"SELECT id, code_hash, failed_attempts, consumed_at IS NOT NULL AS "used!",
                      expires_at <= now() AS "expired!"
                 FROM one_time_codes
                WHERE destination = $1 AND purpose = $2 AND superseded_at IS NULL
                ORDER BY created_at DESC
                LIMIT 1
                  FOR UPDATE"#,
            dest,
            purpose.as_str()
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Err(CodeError::NotSent);
        };
        if row.used {
            return Err(CodeError::Used);
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
        tx.commit().await?;
        Ok(row.id)
    }

    /// Uses up a code that [`CodeService::check`] accepted, in the caller's
    /// transaction: refused when it was used, replaced or expired meanwhile.
    pub async fn consume(&self, conn: &mut PgConnection, id: Uuid) -> Result<(), CodeError> {
        let done = sqlx::query!(
            r#"UPDATE one_time_codes SET consumed_at = now()
                WHERE id = $1 AND consumed_at IS NULL AND superseded_at IS NULL
                  AND expires_at > now()"#,
            id
        )
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(CodeError::Used)
        }
    }
}
