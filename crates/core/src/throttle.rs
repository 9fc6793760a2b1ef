//! Throttling guesses of secrets (passwords, meeting passcodes), as real sign-in services do:
//! per target and per source, reserved atomically before the check, refunded on success.
//!
//! For: deciding whether one more guess may be checked now, and remembering outcomes.
//! Not for: hashing, clocks or sockets (the server's shell holds a [`Throttle`] behind a
//! mutex, passes `now`, and does the check between [`Throttle::reserve`] and
//! [`Throttle::settle`]).
//!
//! A guess costs one token from each of up to three budgets (token buckets: a burst, then a
//! steady refill, so a spent budget is a slowdown, never a permanent lock):
//!
//! - **source**: every guess from one address (an IPv6 /64 counts as one address), whatever
//!   the target. Stops one machine spraying many accounts.
//! - **target × source**: guesses at one target from one address. The attacker's own address
//!   runs out; the owner's address keeps its budget.
//! - **target**: guesses at one target from everywhere, with a larger budget. Bounds a
//!   distributed attack; an owner on a *trusted device* (one that signed in to this target
//!   before and presents the device key the server gave it) is not counted against it, so
//!   an attacker cannot lock the owner out.
//!
//! Reservation is the point: tokens are taken *before* the (slow) check, so 60 concurrent
//! wrong guesses are 60 reservations, of which only the budget's worth is let through.
//! A correct guess gives its tokens back. Memory is bounded: past `max_keys` the budgets
//! that have refilled completely (they hold no information) are dropped, then the fullest.

use std::{
    collections::HashMap,
    hash::Hash,
    net::{IpAddr, Ipv6Addr},
    time::Duration,
};

use chrono::{DateTime, Utc};

use crate::ratelimit::TokenBucket;

/// One budget: `burst` guesses at once, then one more every `refill_secs`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    pub burst: u32,
    pub refill_secs: f64,
}

impl Budget {
    fn bucket(self) -> TokenBucket {
        TokenBucket::new(self.burst, 1.0 / self.refill_secs.max(f64::MIN_POSITIVE))
    }
}

/// The three budgets and the memory bound.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budgets {
    pub per_source: Budget,
    pub per_target_source: Budget,
    pub per_target: Budget,
    /// Budgets and trusted devices remembered at most (each costs about 100 bytes).
    pub max_keys: usize,
}

/// Where guesses come from: an IPv4 address, or the /64 network of an IPv6 address (one
/// host usually holds a whole /64, so single IPv6 addresses would be free to vary).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Source(IpAddr);

impl Source {
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Source(IpAddr::V4(v4)),
                None => {
                    let bits = u128::from(v6) & !((1u128 << 64) - 1);
                    Source(IpAddr::V6(Ipv6Addr::from(bits)))
                }
            },
            v4 => Source(v4),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key<T> {
    Source(Source),
    TargetSource(T, Source),
    Target(T),
    /// A device that guessed this target right before.
    Trusted(T, String),
}

/// A guess that may be checked now: its tokens are taken. Hand it back to
/// [`Throttle::settle`] with the outcome.
#[derive(Debug)]
#[must_use = "settle the reservation with the outcome of the check"]
pub struct Reservation<T> {
    keys: Vec<Key<T>>,
    target: T,
}

/// Guesses refused: try again after this long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    pub retry_after: Duration,
}

/// How a reserved guess turned out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// Right: the tokens are refunded and `device` (if any) becomes trusted for the target.
    Right { device: Option<&'a str> },
    /// Wrong: the tokens stay spent.
    Wrong,
    /// Not checked after all (e.g. shed under load): the tokens are refunded.
    Unchecked,
}

enum Entry {
    Bucket(TokenBucket),
    Trusted,
}

/// The guess budgets of one kind of secret (e.g. passwords), keyed by target `T`.
pub struct Throttle<T> {
    budgets: Budgets,
    map: HashMap<Key<T>, Entry>,
}

impl<T: Clone + Eq + Hash> Throttle<T> {
    pub fn new(budgets: Budgets) -> Self {
        Self {
            budgets,
            map: HashMap::new(),
        }
    }

    fn budget(&self, key: &Key<T>) -> Budget {
        match key {
            Key::Source(_) => self.budgets.per_source,
            Key::TargetSource(..) => self.budgets.per_target_source,
            Key::Target(_) | Key::Trusted(..) => self.budgets.per_target,
        }
    }

    fn is_trusted(&self, target: &T, device: Option<&str>) -> bool {
        device.is_some_and(|d| {
            self.map
                .contains_key(&Key::Trusted(target.clone(), d.to_owned()))
        })
    }

    /// Takes a token from every budget this guess counts against, or none if any is spent.
    /// `device`: the device key the caller presented, if any.
    pub fn reserve(
        &mut self,
        now: DateTime<Utc>,
        target: &T,
        source: Source,
        device: Option<&str>,
    ) -> Result<Reservation<T>, Refused> {
        let keys = if self.is_trusted(target, device) {
            // The owner's own device: only its own per-address budget applies, so neither a
            // spraying neighbour nor a distributed attack on the account can lock it out.
            vec![Key::TargetSource(target.clone(), source)]
        } else {
            vec![
                Key::Source(source),
                Key::TargetSource(target.clone(), source),
                Key::Target(target.clone()),
            ]
        };
        let mut wait = Duration::ZERO;
        for key in &keys {
            let budget = self.budget(key);
            if let Some(Entry::Bucket(b)) = self.map.get_mut(key) {
                if !b.has_token(now) {
                    wait = wait.max(Duration::from_secs_f64(budget.refill_secs.max(1.0)));
                }
            }
        }
        if !wait.is_zero() {
            return Err(Refused { retry_after: wait });
        }
        self.make_room(now, keys.len());
        for key in &keys {
            let bucket = self.budget(key).bucket();
            if let Entry::Bucket(b) = self.map.entry(key.clone()).or_insert(Entry::Bucket(bucket)) {
                b.try_take(now);
            }
        }
        Ok(Reservation {
            keys,
            target: target.clone(),
        })
    }

    /// Spends one token of `source`'s budget for an action that is not a guess (e.g. a
    /// guest join, which always costs): only the per-source budget applies.
    pub fn spend(&mut self, now: DateTime<Utc>, source: Source) -> Result<(), Refused> {
        let key = Key::Source(source);
        let budget = self.budgets.per_source;
        if let Some(Entry::Bucket(b)) = self.map.get_mut(&key) {
            if !b.has_token(now) {
                return Err(Refused {
                    retry_after: Duration::from_secs_f64(budget.refill_secs.max(1.0)),
                });
            }
        }
        self.make_room(now, 1);
        if let Entry::Bucket(b) = self
            .map
            .entry(key)
            .or_insert(Entry::Bucket(budget.bucket()))
        {
            b.try_take(now);
        }
        Ok(())
    }

    /// Records how a reserved guess turned out.
    pub fn settle(&mut self, now: DateTime<Utc>, reservation: Reservation<T>, outcome: Outcome) {
        match outcome {
            Outcome::Wrong => {}
            Outcome::Right { .. } | Outcome::Unchecked => {
                for key in &reservation.keys {
                    if let Some(Entry::Bucket(b)) = self.map.get_mut(key) {
                        b.give_back(now);
                    }
                }
            }
        }
        if let Outcome::Right {
            device: Some(device),
        } = outcome
        {
            self.make_room(now, 1);
            self.map.insert(
                Key::Trusted(reservation.target, device.to_owned()),
                Entry::Trusted,
            );
        }
    }

    /// Keeps the map under `max_keys` with room for `extra` more: first drops budgets that
    /// have refilled (forgetting them changes nothing), then the fullest remaining ones.
    /// Trusted devices go last.
    fn make_room(&mut self, now: DateTime<Utc>, extra: usize) {
        let max = self.budgets.max_keys.max(extra);
        if self.map.len() + extra <= max {
            return;
        }
        self.map.retain(|_, e| match e {
            Entry::Bucket(b) => !b.is_full(now),
            Entry::Trusted => true,
        });
        let excess = (self.map.len() + extra).saturating_sub(max);
        if excess == 0 {
            return;
        }
        // Drop a tenth more than needed, so this O(n) pass does not run on every guess.
        let drop = (excess + max / 10).min(self.map.len());
        let mut by_fullness: Vec<(f64, Key<T>)> = self
            .map
            .iter_mut()
            .map(|(k, e)| {
                let fullness = match e {
                    Entry::Bucket(b) => b.tokens(now),
                    Entry::Trusted => f64::INFINITY,
                };
                (fullness, k.clone())
            })
            .collect();
        by_fullness.sort_by(|a, b| b.0.total_cmp(&a.0));
        // Least informative first: the fullest buckets (trusted devices sort after them).
        let trusted = by_fullness
            .iter()
            .take_while(|(f, _)| f.is_infinite())
            .count();
        by_fullness.rotate_left(trusted);
        for (_, key) in by_fullness.into_iter().take(drop) {
            self.map.remove(&key);
        }
    }

    /// Budgets and trusted devices held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    /// The sample configuration's budgets.
    fn budgets() -> Budgets {
        Budgets {
            per_source: Budget {
                burst: 30,
                refill_secs: 2.0,
            },
            per_target_source: Budget {
                burst: 10,
                refill_secs: 6.0,
            },
            per_target: Budget {
                burst: 100,
                refill_secs: 10.0,
            },
            max_keys: 100_000,
        }
    }

    fn t0() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH
    }

    fn ip(s: &str) -> Source {
        Source::of(s.parse().unwrap())
    }

    fn wrong(
        th: &mut Throttle<&'static str>,
        now: DateTime<Utc>,
        who: &'static str,
        from: Source,
    ) -> bool {
        match th.reserve(now, &who, from, None) {
            Ok(r) => {
                th.settle(now, r, Outcome::Wrong);
                true
            }
            Err(_) => false,
        }
    }

    #[test]
    fn concurrent_guesses_are_reserved_before_checking_so_only_the_budget_gets_through() {
        let mut th = Throttle::new(budgets());
        let attacker = ip("203.0.113.9");
        // 60 guesses in flight at once: all reserve before any is checked.
        let reserved: Vec<_> = (0..60)
            .filter_map(|_| th.reserve(t0(), &"ann", attacker, None).ok())
            .collect();
        assert_eq!(reserved.len(), 10);
        for r in reserved {
            th.settle(t0(), r, Outcome::Wrong);
        }
        let refused = th.reserve(t0(), &"ann", attacker, None).unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_secs(6));
    }

    #[test]
    fn an_attacker_spending_the_budget_does_not_lock_out_the_owner_elsewhere() {
        let mut th = Throttle::new(budgets());
        let (attacker, owner) = (ip("203.0.113.9"), ip("198.51.100.7"));
        while wrong(&mut th, t0(), "ann", attacker) {}
        let r = th
            .reserve(t0(), &"ann", owner, None)
            .expect("owner's address has its budget");
        th.settle(t0(), r, Outcome::Right { device: None });
    }

    #[test]
    fn a_distributed_attack_slows_the_account_but_not_the_owners_trusted_device() {
        let mut th = Throttle::new(budgets());
        let owner = ip("198.51.100.7");
        let r = th.reserve(t0(), &"ann", owner, Some("dev-1")).unwrap();
        th.settle(
            t0(),
            r,
            Outcome::Right {
                device: Some("dev-1"),
            },
        );
        // 100 addresses, each within its own budget, spend the account's budget.
        let mut n = 0;
        'outer: for a in 0..100u8 {
            for _ in 0..10 {
                if !wrong(&mut th, t0(), "ann", ip(&format!("203.0.{a}.1"))) {
                    break 'outer;
                }
                n += 1;
            }
        }
        assert_eq!(n, 100);
        assert!(th.reserve(t0(), &"ann", ip("192.0.2.1"), None).is_err());
        assert!(th.reserve(t0(), &"ann", owner, Some("forged")).is_err());
        let r = th
            .reserve(t0(), &"ann", owner, Some("dev-1"))
            .expect("the owner's device is not locked out");
        th.settle(
            t0(),
            r,
            Outcome::Right {
                device: Some("dev-1"),
            },
        );
        // …and the account recovers with time: backoff, not a permanent lock.
        let later = t0() + TimeDelta::seconds(10);
        assert!(th.reserve(later, &"ann", ip("192.0.2.1"), None).is_ok());
    }

    #[test]
    fn one_address_spraying_many_targets_runs_out() {
        let mut th = Throttle::new(budgets());
        let sprayer = ip("203.0.113.9");
        let targets: Vec<&'static str> = (0..40)
            .map(|i| &*Box::leak(format!("user{i}").into_boxed_str()))
            .collect();
        let checked = targets
            .iter()
            .filter(|t| wrong(&mut th, t0(), t, sprayer))
            .count();
        assert_eq!(checked, 30);
    }

    #[test]
    fn a_right_guess_costs_nothing_and_an_unchecked_one_is_refunded() {
        let mut th = Throttle::new(budgets());
        let me = ip("198.51.100.7");
        for _ in 0..50 {
            let r = th.reserve(t0(), &"ann", me, None).unwrap();
            th.settle(t0(), r, Outcome::Right { device: None });
            let r = th.reserve(t0(), &"ann", me, None).unwrap();
            th.settle(t0(), r, Outcome::Unchecked);
        }
    }

    #[test]
    fn spending_uses_the_source_budget_only_and_refills() {
        let mut th: Throttle<()> = Throttle::new(Budgets {
            per_source: Budget {
                burst: 3,
                refill_secs: 2.0,
            },
            ..budgets()
        });
        let bot = ip("203.0.113.9");
        assert!((0..3).all(|_| th.spend(t0(), bot).is_ok()));
        assert!(th.spend(t0(), bot).is_err());
        assert!(th.spend(t0(), ip("198.51.100.7")).is_ok());
        assert!(th.spend(t0() + TimeDelta::seconds(2), bot).is_ok());
    }

    #[test]
    fn ipv6_addresses_of_one_network_are_one_source() {
        assert_eq!(ip("2001:db8::1"), ip("2001:db8::ffff:1"));
        assert_ne!(ip("2001:db8::1"), ip("2001:db8:0:1::1"));
        assert_eq!(ip("::ffff:192.0.2.1"), ip("192.0.2.1"));
    }

    #[test]
    fn memory_is_bounded_without_forgetting_spent_budgets_first() {
        let mut th = Throttle::new(Budgets {
            max_keys: 100,
            ..budgets()
        });
        let attacker = ip("203.0.113.9");
        while wrong(&mut th, t0(), "ann", attacker) {}
        // Many fresh addresses each guess once at other targets (their budgets stay nearly full).
        for i in 0..1000u32 {
            let from = Source::of(IpAddr::from(i.to_be_bytes()));
            let r = th.reserve(t0(), &"bob", from, None).unwrap();
            th.settle(t0(), r, Outcome::Unchecked);
            assert!(th.len() <= 100);
        }
        assert!(
            th.reserve(t0(), &"ann", attacker, None).is_err(),
            "the spent budget was not evicted to make room"
        );
    }
}
