//! Failed-guess budgets (passwords, passcodes) per key, shared by the sign-in and join
//! handlers.

use std::{collections::HashMap, sync::Arc};

use chrono::Utc;
use confab_core::ratelimit::TokenBucket;

use super::error::ApiError;

/// Counts failed guesses (passwords, passcodes) per key, e.g. per e-mail or per link.
/// Only failures cost; once a key's budget is spent every attempt is refused until it
/// refills, so a correct guess cannot slip through a brute-force run.
#[derive(Clone, Default)]
pub struct Attempts(Arc<std::sync::Mutex<HashMap<String, TokenBucket>>>);

impl Attempts {
    fn with<T>(&self, key: &str, f: impl FnOnce(&mut TokenBucket) -> T) -> T {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.clear(); // bounded memory
        }
        // Ten failures at once, then one every six seconds.
        f(map
            .entry(key.to_owned())
            .or_insert_with(|| TokenBucket::new(10, 1.0 / 6.0)))
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
