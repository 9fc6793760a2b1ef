//! The edge of [`confab_core::throttle`]: who is guessing (their address and device), and
//! the throttles of passwords, meeting passcodes and guest joins, shared by the handlers.
//!
//! The device is a random cookie (`confab_device`, HttpOnly) a browser gets the first time
//! it signs in or joins. A device that guessed right before is trusted for that account
//! or meeting (an attacker spending the account's budget does not lock its owner out),
//! and a guest's seat records it, so that barring the guest bars that browser.

use std::{
    net::{IpAddr, Ipv4Addr},
    sync::{Arc, Mutex},
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};
use chrono::Utc;
use confab_core::throttle::{Budgets, Outcome, Refused, Reservation, Source, Throttle};

use super::{auth::cookie, error::ApiError};
use crate::secrets;

pub const DEVICE_COOKIE: &str = "confab_device";

/// Where a request came from: its peer address (the listener records it).
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub Source);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(Peer(Source::of(ip)))
    }
}

/// The browser's device cookie, if it has one.
#[derive(Clone, Debug)]
pub struct Device(pub Option<String>);

impl Device {
    /// What the throttle and the store know the device by (never the cookie itself).
    pub fn id(&self) -> Option<String> {
        self.0.as_deref().map(|d| {
            secrets::secret_hash(d)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
    }

    pub fn hash(&self) -> Option<[u8; 32]> {
        self.0.as_deref().map(secrets::secret_hash)
    }

    /// This device, or a new one with the `Set-Cookie` header that gives it to the browser.
    pub fn or_new(self, secure: bool) -> (Device, Option<String>) {
        if self.0.is_some() {
            return (self, None);
        }
        let secret = secrets::new_secret();
        let secure = if secure { "; Secure" } else { "" };
        let header = format!(
            "{DEVICE_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000{secure}"
        );
        (Device(Some(secret)), Some(header))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Only our own secrets' shape: anything else is as good as none.
        let d = cookie(parts, DEVICE_COOKIE).filter(|v| {
            v.len() == 43
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
        Ok(Device(d.map(str::to_owned)))
    }
}

/// One throttle, shared; cheap to clone.
pub struct Guard<T>(Arc<Mutex<Throttle<T>>>);

impl<T> Clone for Guard<T> {
    fn clone(&self) -> Self {
        Guard(self.0.clone())
    }
}

fn refused(r: Refused) -> ApiError {
    ApiError::TooManyAttempts(r.retry_after)
}

impl<T: Clone + Eq + std::hash::Hash> Guard<T> {
    pub fn new(budgets: Budgets) -> Self {
        Guard(Arc::new(Mutex::new(Throttle::new(budgets))))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Throttle<T>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reserves one guess at `target` (429 if a budget is spent).
    pub fn reserve(
        &self,
        target: &T,
        peer: Peer,
        device: &Device,
    ) -> Result<Reservation<T>, ApiError> {
        self.lock()
            .reserve(Utc::now(), target, peer.0, device.id().as_deref())
            .map_err(refused)
    }

    pub fn settle(&self, reservation: Reservation<T>, outcome: Outcome) {
        self.lock().settle(Utc::now(), reservation, outcome);
    }

    /// Spends from `peer`'s budget (429 if spent).
    pub fn spend(&self, peer: Peer) -> Result<(), ApiError> {
        self.lock().spend(Utc::now(), peer.0).map_err(refused)
    }
}
