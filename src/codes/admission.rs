//! Admission: the caps on requests a stranger can send codes with (per IP,
//! per network, per session), and the proof of work asked once a share of
//! a cap is used.
use super::*;

impl CodeService {
    /// What every public endpoint that sends a code does first, whether or
    /// not the address belongs to anyone: the session's cap, then the caps
    /// of the IP and network (with the proof of work near them).
    pub async fn admit_request(
        &self,
        db: &PgPool,
        session: &tower_sessions::Session,
        ip: Option<IpAddr>,
        challenge: &str,
    ) -> Result<(), CodeError> {
        self.admit_session(session).await?;
        let solution = crate::ui::challenge::ChallengeSolution::from_form(challenge);
        self.admit(db, ip, solution.as_ref()).await
    }

    /// A new proof-of-work challenge.
    pub fn challenge(&self) -> crate::ui::challenge::Challenge {
        challenge::issue(&self.challenge_key, self.settings.challenge_max_number)
    }

    /// Counts a code request against the browser session's hourly cap (the
    /// times are kept in the session).
    pub async fn admit_session(&self, session: &tower_sessions::Session) -> Result<(), CodeError> {
        const KEY: &str = "code_requests";
        let now = chrono::Utc::now().timestamp();
        let mut times: Vec<i64> = session.get(KEY).await.ok().flatten().unwrap_or_default();
        times.retain(|t| now - t < 3600);
        if times.len() >= self.settings.hourly_limit_per_session {
            return Err(CodeError::SessionLimit);
        }
        times.push(now);
        let _ = session.insert(KEY, times).await;
        Ok(())
    }

    /// Counts a request of a public code-sending endpoint against the hourly
    /// caps of its client IP and network, across every purpose. Called before
    /// anything else looks at the address, and the same whether or not it
    /// belongs to anyone. Refused requests are not counted.
    ///
    /// Once a share of either cap is used (`challenge_after_percent`), the
    /// request must carry a solved challenge, which is then used up.
    pub async fn admit(
        &self,
        db: &PgPool,
        ip: Option<IpAddr>,
        solution: Option<&crate::ui::challenge::ChallengeSolution>,
    ) -> Result<(), CodeError> {
        let Some(ip) = ip else { return Ok(()) };
        let network = network_of(ip);
        let ip = sqlx::types::ipnetwork::IpNetwork::from(ip);
        let mut tx = db.begin().await?;
        // One counter per network at a time, so a parallel burst cannot pass
        // the caps; a request waits a few seconds at most for its turn.
        sqlx::query!("SELECT set_config('lock_timeout', '3s', true)")
            .fetch_one(&mut *tx)
            .await?;
        let lock_key = network.to_string();
        let locked = sqlx::query!(
            "SELECT pg_advisory_xact_lock(hashtextextended('code_requests ' || $1, 0))",
            lock_key
        )
        .execute(&mut *tx)
        .await;
        match locked {
            Ok(_) => {}
            // Its network's other requests are queued: "try again shortly".
            Err(e) if crate::contacts::repo::is_lock_timeout(&e) => {
                return Err(CodeError::Cooldown {
                    retry_after_secs: 2,
                });
            }
            Err(e) => return Err(e.into()),
        }
        let counts = sqlx::query!(
            r#"SELECT count(*) FILTER (WHERE client_ip = $1) AS "ip!",
                      count(*) AS "network!"
                 FROM code_requests
                WHERE network = $2 AND created_at > now() - interval '1 hour'"#,
            ip,
            network
        )
        .fetch_one(&mut *tx)
        .await?;
        if counts.ip >= self.settings.hourly_limit_per_ip
            || counts.network >= self.settings.hourly_limit_per_network
        {
            return Err(CodeError::IpLimit);
        }
        let pct = self.settings.challenge_after_percent;
        if counts.ip * 100 >= self.settings.hourly_limit_per_ip * pct
            || counts.network * 100 >= self.settings.hourly_limit_per_network * pct
        {
            let Some(solution) = solution else {
                return Err(CodeError::ChallengeRequired);
            };
            if challenge::check(&mut tx, &self.challenge_key, solution)
                .await?
                .is_err()
            {
                return Err(CodeError::ChallengeRequired);
            }
        }
        sqlx::query!(
            "INSERT INTO code_requests (client_ip, network) VALUES ($1, $2)",
            ip,
            network
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The network a client's limits are shared with: its /24 (IPv4) or /64
/// (IPv6, where one subscriber usually holds a whole /64).
pub fn network_of(ip: IpAddr) -> sqlx::types::ipnetwork::IpNetwork {
    use sqlx::types::ipnetwork::IpNetwork;
    use std::net::{Ipv4Addr, Ipv6Addr};
    let (base, prefix) = match ip {
        IpAddr::V4(v4) => (IpAddr::V4(Ipv4Addr::from(u32::from(v4) & !0xff)), 24),
        IpAddr::V6(v6) => (
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
            64,
        ),
    };
    IpNetwork::new(base, prefix).expect("the prefix fits the address family")
}

#[cfg(test)]
mod tests {
    use super::network_of;

    #[test]
    fn networks_are_slash_24_and_slash_64() {
        assert_eq!(
            network_of("198.51.100.77".parse().unwrap()).to_string(),
            "198.51.100.0/24"
        );
        assert_eq!(
            network_of("2001:db8:1:2:aaaa:bbbb:cccc:dddd".parse().unwrap()).to_string(),
            "2001:db8:1:2::/64"
        );
    }
}
