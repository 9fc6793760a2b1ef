//! Confab's domain, as plain deterministic code: no I/O, no async, no clocks.
//!
//! - [`rights`]: what a participant may do, from tenant policy ∩ meeting settings ∩ role.
//! - [`schedule`]: validating a meeting's times and settings as an organizer enters them.
//! - [`throttle`]: how many guesses of a secret (password, passcode) may be checked now.
//! - [`meeting`]: the live meeting state machine. Inputs (joins, drops, commands, ticks)
//!   go in with the current time; outputs (events with their recipients, replies, things
//!   to persist) come out. The server's meeting actor is a thin shell around it.

pub mod invitation;
pub mod meeting;
pub mod ratelimit;
pub mod rights;
pub mod schedule;
pub mod throttle;
pub mod vtimezone;
