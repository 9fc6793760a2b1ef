//! A token bucket with time passed in, so tests control the clock.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Allows bursts of `capacity`, refilled at `per_second`.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last: Option<DateTime<Utc>>,
}

impl TokenBucket {
    pub fn new(capacity: u32, per_second: f64) -> Self {
        Self {
            capacity: f64::from(capacity),
            per_second,
            tokens: f64::from(capacity),
            last: None,
        }
    }

    fn refill(&mut self, now: DateTime<Utc>) {
        if let Some(last) = self.last {
            let elapsed = (now - last).to_std().unwrap_or(Duration::ZERO);
            self.tokens =
                (self.tokens + elapsed.as_secs_f64() * self.per_second).min(self.capacity);
        }
        self.last = Some(now);
    }

    /// Whether a token is available, without taking it.
    pub fn has_token(&mut self, now: DateTime<Utc>) -> bool {
        self.refill(now);
        self.tokens >= 1.0
    }

    /// Tokens available at `now`.
    pub fn tokens(&mut self, now: DateTime<Utc>) -> f64 {
        self.refill(now);
        self.tokens
    }

    /// Whether the bucket has refilled completely (it then holds no memory of use).
    pub fn is_full(&mut self, now: DateTime<Utc>) -> bool {
        self.tokens(now) >= self.capacity
    }

    /// Returns one token taken earlier (never beyond the capacity).
    pub fn give_back(&mut self, now: DateTime<Utc>) {
        self.refill(now);
        self.tokens = (self.tokens + 1.0).min(self.capacity);
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self, now: DateTime<Utc>) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn a_burst_is_allowed_then_refused_until_time_refills_it() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let mut b = TokenBucket::new(3, 1.0);
        assert!((0..3).all(|_| b.try_take(t0)));
        assert!(!b.try_take(t0));
        assert!(!b.try_take(t0 + TimeDelta::milliseconds(500)));
        assert!(b.try_take(t0 + TimeDelta::milliseconds(1600)));
    }
}
