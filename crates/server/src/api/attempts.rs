//! Failed-guess budgets (passwords, passcodes) per key, shared by the sign-in and join
//! handlers.

use std::{collections::HashMap, sync::Arc};

use chrono::Utc;
use confab_core::ratelimit::TokenBucket;

use super::error::ApiError;
use crate::config::Limits;

/// Counts failed guesses (passwords, passcodes) per key, e.g. per e-mail or per link.
/// Only failures cost; once a key's budget is spent every attempt is refused until it
/// refills, so a correct guess cannot slip through a brute-force run.
#[derive(Clone)]
pub struct Attempts {
    map: Arc<std::sync::Mutex<HashMap<String, TokenBucket>>>,
    burst: u32,
    per_second: f64,
    max_keys: usize,
}

impl Attempts {
    /// Budgets as `limits.failed_attempts_*` say.
    pub fn new(limits: &Limits) -> Self {
        Self {
            map: Arc::default(),
            burst: limits.failed_attempts_burst,
            per_second: limits.failed_attempts_per_minute / 60.0,
            max_keys: limits.failed_attempts_keys,
        }
    }

    fn with<T>(&self, key: &str, f: impl FnOnce(&mut TokenBucket) -> T) -> T {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > self.max_keys {
            map.clear(); // bounded memory
        }
        f(map
            .entry(key.to_owned())
            .or_insert_with(|| TokenBucket::new(self.burst, self.per_second)))
    }

    /// Refuses when `key` has no failures left.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        if self.with(key, |b| b.has_token(Utc::now())) {
            Ok(())
        } else {
            Err(ApiError::TooManyAttempts)
        }
    }

    /// Records a failure for `key`.
    pub fn failed(&self, key: &str) {
        self.with(key, |b| b.try_take(Utc::now()));
    }
}
