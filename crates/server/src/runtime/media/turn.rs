//! TURN relays through coturn with time-limited credentials (coturn's `use-auth-secret`,
//! the "TURN REST API" scheme): the username is `<expiry unix time>:<participant id>` and
//! the password is base64(HMAC-SHA1(shared secret, username)). coturn checks both with the
//! same secret, so no per-user state is shared and a leaked credential expires by itself.

use base64::Engine;
use confab_proto::{room::IceServer, ParticipantId};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha1::Sha1;

/// `[media.turn]`: where the relays are and the secret shared with them.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TurnConfig {
    /// e.g. `turn:turn.example.org:3478?transport=udp`, `turns:turn.example.org:5349?transport=tcp`.
    pub urls: Vec<String>,
    /// coturn's `static-auth-secret`. Never logged.
    pub secret: String,
    /// How long credentials stay valid, in hours (as long as a join token by default).
    #[serde(default = "default_ttl_hours")]
    pub ttl_hours: u64,
}

fn default_ttl_hours() -> u64 {
    12
}

impl std::fmt::Debug for TurnConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnConfig")
            .field("urls", &self.urls)
            .field("secret", &"<redacted>")
            .field("ttl_hours", &self.ttl_hours)
            .finish()
    }
}

impl TurnConfig {
    /// Refuses settings that would hand browsers useless relays.
    pub fn validate(&self) -> anyhow::Result<()> {
        let is_turn = |u: &String| u.starts_with("turn:") || u.starts_with("turns:");
        if self.urls.is_empty() || !self.urls.iter().all(is_turn) {
            anyhow::bail!("media.turn.urls: one or more turn: or turns: URLs");
        }
        // An empty secret would make every credential guessable.
        if self.secret.is_empty() || self.ttl_hours == 0 {
            anyhow::bail!("media.turn: secret must not be empty and ttl_hours must be positive");
        }
        Ok(())
    }

    /// Credentials for `participant`, valid from `now` (unix seconds) for the TTL.
    pub fn ice_server(&self, participant: ParticipantId, now: u64) -> IceServer {
        let expires = now + self.ttl_hours * 3600;
        let username = format!("{expires}:{participant}");
        let mut mac = Hmac::<Sha1>::new_from_slice(self.secret.as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(username.as_bytes());
        let credential =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        IceServer {
            urls: self.urls.clone(),
            username,
            credential,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_follow_corturns_rest_scheme() {
        let cfg = TurnConfig {
            urls: vec!["turn:turn.example.org:3478".into()],
            secret: "north-wind".into(),
            ttl_hours: 12,
        };
        let who: ParticipantId = "01a20c34-e878-7273-9dcf-3032b3a42880".parse().unwrap();
        let s = cfg.ice_server(who, 1_700_000_000);
        assert_eq!(
            s.username,
            "1700043200:01a20c34-e878-7273-9dcf-3032b3a42880"
        );
        // Computed independently (Python: base64(hmac.new(secret, username, sha1))).
        assert_eq!(s.credential, "52YWDjVONS/YJboN1oaqyXctdak=");
        assert!(
            !format!("{cfg:?}").contains("north-wind"),
            "the secret is never printed"
        );
        cfg.validate().unwrap();
        let stun = TurnConfig {
            urls: vec!["stun:stun.example.org".into()],
            ..cfg.clone()
        };
        assert!(stun.validate().is_err(), "a relay, not just STUN");
        let open = TurnConfig {
            secret: String::new(),
            ..cfg
        };
        assert!(open.validate().is_err());
    }
}
