//! Keys the server generates on first use and keeps in `server_keys`, so that
//! every instance shares them.
use sqlx::PgPool;

/// The 32-byte key called `name`, created at random if it does not exist yet.
pub async fn load_or_create(db: &PgPool, name: &str) -> Result<[u8; 32], sqlx::Error> {
    let mut fresh = [0u8; 32];
    rand::Rng::fill(&mut rand::rng(), &mut fresh[..]);
    sqlx::query!(
        "INSERT INTO server_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        name,
        &fresh[..]
    )
    .execute(db)
    .await?;
    let stored = sqlx::query_scalar!("SELECT key FROM server_keys WHERE name = $1", name)
        .fetch_one(db)
        .await?;
    stored
        .try_into()
        .map_err(|_| sqlx::Error::Protocol(format!("server key {name} has the wrong length")))
}
