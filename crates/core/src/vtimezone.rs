//! VTIMEZONE components (RFC 5545 §3.6.5), so a calendar can resolve an event's
//! `TZID=Europe/Berlin` from the invitation itself rather than guess.
//!
//! chrono-tz knows each zone's offsets but does not list its transitions, so they are
//! found by scanning: hourly across a window around the event, then to the second by
//! bisection. The component lists the observance in force at the window's start and
//! every transition in the window (a year either side of the event).

use std::fmt::Write;

use chrono::{DateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

#[derive(Clone, Debug, PartialEq, Eq)]
struct Observance {
    /// When it takes effect.
    at: DateTime<Utc>,
    from_secs: i32,
    to_secs: i32,
    daylight: bool,
    name: String,
}

fn observance_at(tz: Tz, t: DateTime<Utc>) -> (i32, bool, String) {
    let offset = tz.offset_from_utc_datetime(&t.naive_utc());
    let name = offset.abbreviation().unwrap_or_default().to_owned();
    (
        offset.fix().local_minus_utc(),
        !offset.dst_offset().is_zero(),
        name,
    )
}

/// Observances from `window` before `from` to `window` after `to`.
fn observances(
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    window: TimeDelta,
) -> Vec<Observance> {
    let (start, end) = (from - window, to + window);
    let first = observance_at(tz, start);
    let mut out = vec![Observance {
        at: start,
        from_secs: first.0,
        to_secs: first.0,
        daylight: first.1,
        name: first.2,
    }];
    let mut prev = start;
    let mut prev_offset = first.0;
    let mut t = start;
    while t < end {
        t += TimeDelta::hours(1);
        let (offset, ..) = observance_at(tz, t);
        if offset != prev_offset {
            // The change lies in (prev, t]: bisect to the second.
            let (mut lo, mut hi) = (prev, t);
            while hi - lo > TimeDelta::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if observance_at(tz, mid).0 == prev_offset {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let (to_secs, daylight, name) = observance_at(tz, hi);
            out.push(Observance {
                at: hi,
                from_secs: prev_offset,
                to_secs,
                daylight,
                name,
            });
            prev_offset = offset;
        }
        prev = t;
    }
    out
}

fn utc_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a % 3600 / 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

/// The VTIMEZONE component for `tz` covering an event from `start` to `end`, with CRLF
/// line endings.
pub fn vtimezone(tz: Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let mut s = String::new();
    let _ = write!(s, "BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    for o in observances(tz, start, end, TimeDelta::days(366)) {
        let kind = if o.daylight { "DAYLIGHT" } else { "STANDARD" };
        // DTSTART is the onset in local time as it was just before the change.
        let local = o.at.naive_utc() + TimeDelta::seconds(i64::from(o.from_secs));
        let _ = write!(
            s,
            "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
            local.format("%Y%m%dT%H%M%S"),
            utc_offset(o.from_secs),
            utc_offset(o.to_secs)
        );
        if !o.name.is_empty() {
            let _ = write!(s, "TZNAME:{}\r\n", o.name);
        }
        let _ = write!(s, "END:{kind}\r\n");
    }
    s.push_str("END:VTIMEZONE\r\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn berlin_lists_its_daylight_saving_changes_around_the_event() {
        let v = vtimezone(
            chrono_tz::Europe::Berlin,
            at("2026-12-01T09:00:00Z"),
            at("2026-12-01T10:00:00Z"),
        );
        assert!(v.starts_with("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"));
        assert!(
            v.contains("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"),
            "{v}"
        );
        assert!(
            v.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"),
            "{v}"
        );
        assert!(v.ends_with("END:VTIMEZONE\r\n"));
    }

    #[test]
    fn a_zone_without_changes_has_one_fixed_observance() {
        let v = vtimezone(
            chrono_tz::Asia::Kolkata,
            at("2026-12-01T09:00:00Z"),
            at("2026-12-01T10:00:00Z"),
        );
        assert_eq!(v.matches("BEGIN:STANDARD").count(), 1, "{v}");
        assert!(v.contains("TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530"));
        assert!(!v.contains("DAYLIGHT"));
    }

    #[test]
    fn southern_and_western_zones_have_the_right_signs() {
        let v = vtimezone(
            chrono_tz::America::New_York,
            at("2026-07-01T15:00:00Z"),
            at("2026-07-01T16:00:00Z"),
        );
        assert!(
            v.contains("DTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500"),
            "{v}"
        );
        assert_eq!(utc_offset(-12600), "-0330");
        assert_eq!(utc_offset(3208), "+005328");
    }
}
