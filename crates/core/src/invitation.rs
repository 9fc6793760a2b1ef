//! iCalendar (RFC 5545) invitations for a meeting: REQUEST while it stands, CANCEL once
//! cancelled. The UID is stable per meeting and SEQUENCE grows with every change, so
//! calendar clients update the one entry rather than adding another.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, EventStatus, Property};

/// Everything an invitation says.
#[derive(Clone, Debug)]
pub struct Invitation<'a> {
    /// Globally unique and stable, e.g. `<meeting id>@<host>`.
    pub uid: &'a str,
    pub sequence: u32,
    pub title: &'a str,
    pub description: &'a str,
    pub start_local: NaiveDateTime,
    pub end_local: NaiveDateTime,
    pub time_zone: Tz,
    pub organizer_name: &'a str,
    pub organizer_email: &'a str,
    /// The attendee join link.
    pub url: &'a str,
    pub passcode: Option<&'a str>,
    pub cancelled: bool,
    /// When this version of the meeting was last changed (DTSTAMP).
    pub stamp: DateTime<Utc>,
}

/// The text people read in their calendar: how to join, then the organizer's description.
fn join_text(inv: &Invitation<'_>) -> String {
    let mut text = format!("Join the meeting: {}\n", inv.url);
    if let Some(code) = inv.passcode {
        text.push_str(&format!("Passcode: {code}\n"));
    }
    if !inv.description.is_empty() {
        text.push('\n');
        text.push_str(inv.description);
        text.push('\n');
    }
    text
}

/// Renders the invitation as an iCalendar file.
pub fn to_ics(inv: &Invitation<'_>) -> String {
    let at = |t: NaiveDateTime| CalendarDateTime::WithTimezone {
        date_time: t,
        tzid: inv.time_zone.name().to_owned(),
    };
    let mut event = icalendar::Event::new();
    event
        .uid(inv.uid)
        .sequence(inv.sequence)
        .timestamp(inv.stamp)
        .summary(inv.title)
        .description(&join_text(inv))
        .starts(at(inv.start_local))
        .ends(at(inv.end_local))
        .url(inv.url)
        .location(inv.url)
        .append_property(
            Property::new("ORGANIZER", format!("mailto:{}", inv.organizer_email))
                .add_parameter("CN", inv.organizer_name)
                .done(),
        );
    event.status(if inv.cancelled {
        EventStatus::Cancelled
    } else {
        EventStatus::Confirmed
    });
    let mut cal = Calendar::new();
    cal.append_property(Property::new(
        "METHOD",
        if inv.cancelled { "CANCEL" } else { "REQUEST" },
    ));
    cal.push(event.done());
    let ics = cal.done().to_string();
    // icalendar has no VTIMEZONE component: it goes before the event, where RFC 5545
    // expects the zones an event refers to.
    let start = to_utc(inv.time_zone, inv.start_local);
    let end = to_utc(inv.time_zone, inv.end_local);
    let zone = crate::vtimezone::vtimezone(inv.time_zone, start, end);
    match ics.find("BEGIN:VEVENT") {
        Some(i) => format!("{}{zone}{}", &ics[..i], &ics[i..]),
        None => ics,
    }
}

/// A local time's UTC instant (the earlier one if ambiguous; a skipped time is taken
/// as if it were UTC, good enough to choose the VTIMEZONE window).
fn to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    use chrono::TimeZone;
    tz.from_local_datetime(&local)
        .earliest()
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(cancelled: bool) -> Invitation<'static> {
        Invitation {
            uid: "0190-abc@confab.example",
            sequence: 3,
            title: "Quarterly review",
            description: "Agenda: numbers",
            start_local: NaiveDateTime::parse_from_str("2026-12-01T10:00", "%Y-%m-%dT%H:%M")
                .unwrap(),
            end_local: NaiveDateTime::parse_from_str("2026-12-01T11:30", "%Y-%m-%dT%H:%M").unwrap(),
            time_zone: chrono_tz::Europe::Berlin,
            organizer_name: "Ana Organizer",
            organizer_email: "ana@example.org",
            url: "https://confab.example/j/abc",
            passcode: Some("4711"),
            cancelled,
            stamp: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    /// Unfolds RFC 5545 content lines (a CRLF followed by a space continues the line).
    fn unfold(s: &str) -> String {
        s.replace("\r\n ", "")
    }

    #[test]
    fn a_request_carries_uid_sequence_zone_organizer_and_join_text() {
        let ics = unfold(&to_ics(&inv(false)));
        assert!(ics.contains("METHOD:REQUEST"), "{ics}");
        assert!(ics.contains("UID:0190-abc@confab.example"));
        assert!(ics.contains("SEQUENCE:3"));
        assert!(
            ics.contains("DTSTART;TZID=Europe/Berlin:20261201T100000"),
            "{ics}"
        );
        assert!(ics.contains("DTEND;TZID=Europe/Berlin:20261201T113000"));
        assert!(
            ics.contains("ORGANIZER;CN=Ana Organizer:mailto:ana@example.org"),
            "{ics}"
        );
        assert!(ics.contains("URL:https://confab.example/j/abc"));
        assert!(ics.contains("Passcode: 4711"));
        assert!(ics.contains("Join the meeting: https://confab.example/j/abc"));
        let (tz, event) = (
            ics.find("BEGIN:VTIMEZONE").unwrap(),
            ics.find("BEGIN:VEVENT").unwrap(),
        );
        assert!(tz < event, "the zone is defined before the event uses it");
        assert!(ics.contains("TZID:Europe/Berlin\r\n"));
    }

    #[test]
    fn a_cancelled_meeting_yields_method_cancel_with_the_same_uid() {
        let ics = unfold(&to_ics(&inv(true)));
        assert!(ics.contains("METHOD:CANCEL"));
        assert!(ics.contains("STATUS:CANCELLED"));
        assert!(ics.contains("UID:0190-abc@confab.example"));
    }
}
