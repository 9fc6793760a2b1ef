//! Validating a meeting as an organizer schedules or edits it: times in a time zone,
//! passcode, presenters. Produces a [`Schedule`] the store can save as it is.

use chrono::{DateTime, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use confab_proto::{
    rest::MeetingInput,
    rules::{self, Text},
};

/// The longest meeting. (Lengths of what an organizer enters are in [`rules`].)
pub const MAX_DURATION: TimeDelta = TimeDelta::hours(24);

/// A meeting's validated schedule and settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub title: String,
    pub description: String,
    pub start_local: NaiveDateTime,
    pub end_local: NaiveDateTime,
    pub time_zone: Tz,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub passcode: Option<String>,
    pub lobby: bool,
    pub allow_guests: bool,
    pub wait_for_presenter: bool,
    /// Lower-cased e-mail addresses, without duplicates.
    pub presenters: Vec<String>,
}

/// What is wrong with a meeting as entered; `field` names the input to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ScheduleError {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> ScheduleError {
    ScheduleError {
        field,
        message: message.into(),
    }
}

/// Checks `value` against `rule`, naming `field` when it breaks it.
fn follows(field: &'static str, rule: Text, value: &str) -> Result<(), ScheduleError> {
    rule.check(value).map_err(|needs| invalid(field, needs))
}

/// Parses `YYYY-MM-DDTHH:MM` (as `datetime-local` inputs give it), with optional seconds.
pub fn parse_local(field: &'static str, s: &str) -> Result<NaiveDateTime, ScheduleError> {
    follows(field, rules::LOCAL_TIME, s)?;
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| invalid(field, "expected a local time written YYYY-MM-DDTHH:MM"))
}

/// Formats a local time the way [`parse_local`] reads it.
pub fn format_local(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// The UTC instant of a wall-clock time in `tz`. In a daylight-saving gap the time
/// does not exist and is refused; in an overlap the earlier instant is taken.
pub fn to_utc(
    field: &'static str,
    tz: Tz,
    local: NaiveDateTime,
) -> Result<DateTime<Utc>, ScheduleError> {
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            invalid(
                field,
                "this time does not exist in the time zone (clocks skip it)",
            )
        })
}

pub fn parse_time_zone(s: &str) -> Result<Tz, ScheduleError> {
    s.parse::<Tz>()
        .map_err(|_| invalid("time_zone", format!("unknown time zone {s:?}")))
}

/// Validates what an organizer entered.
pub fn validate(input: &MeetingInput) -> Result<Schedule, ScheduleError> {
    follows("title", rules::TITLE, &input.title)?;
    let title = input.title.trim().to_owned();
    follows("description", rules::DESCRIPTION, &input.description)?;
    let description = input.description.trim().to_owned();
    let time_zone = parse_time_zone(&input.time_zone)?;
    let start_local = parse_local("start", &input.start)?;
    let end_local = parse_local("end", &input.end)?;
    let starts_at = to_utc("start", time_zone, start_local)?;
    let ends_at = to_utc("end", time_zone, end_local)?;
    if ends_at <= starts_at {
        return Err(invalid("end", "the meeting must end after it starts"));
    }
    if ends_at - starts_at > MAX_DURATION {
        return Err(invalid("end", "a meeting lasts at most 24 hours"));
    }
    let passcode = match input.passcode.as_deref() {
        None => None,
        Some(p) => {
            follows("passcode", rules::PASSCODE, p)?;
            let p = p.trim();
            match p.chars().count() {
                0 => None,
                n if rules::PASSCODE_CHARS.contains(&n) => Some(p.to_owned()),
                _ => {
                    return Err(invalid(
                        "passcode",
                        format!(
                            "between {} and {} characters",
                            rules::PASSCODE_CHARS.start(),
                            rules::PASSCODE_CHARS.end()
                        ),
                    ))
                }
            }
        }
    };
    if input.presenters.len() > rules::MAX_PRESENTERS {
        return Err(invalid(
            "presenters",
            format!("at most {}", rules::MAX_PRESENTERS),
        ));
    }
    let mut presenters: Vec<String> = Vec::new();
    for p in &input.presenters {
        if rules::EMAIL.check(p).is_err() {
            return Err(invalid(
                "presenters",
                format!("{p:?} is not an e-mail address"),
            ));
        }
        let p = p.to_lowercase();
        if !presenters.contains(&p) {
            presenters.push(p);
        }
    }
    Ok(Schedule {
        title,
        description,
        start_local,
        end_local,
        time_zone,
        starts_at,
        ends_at,
        passcode,
        lobby: input.lobby,
        allow_guests: input.allow_guests,
        wait_for_presenter: input.wait_for_presenter,
        presenters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> MeetingInput {
        MeetingInput {
            title: " Quarterly review ".into(),
            description: String::new(),
            start: "2026-12-01T10:00".into(),
            end: "2026-12-01T11:30".into(),
            time_zone: "Europe/Berlin".into(),
            passcode: Some("".into()),
            lobby: true,
            allow_guests: true,
            wait_for_presenter: true,
            presenters: vec!["Ana@Example.org".into(), "ana@example.org".into()],
        }
    }

    #[test]
    fn local_times_become_utc_in_the_given_zone() {
        let s = validate(&input()).unwrap();
        assert_eq!(s.title, "Quarterly review");
        assert_eq!(s.starts_at.to_rfc3339(), "2026-12-01T09:00:00+00:00");
        assert_eq!(s.ends_at.to_rfc3339(), "2026-12-01T10:30:00+00:00");
        assert_eq!(s.passcode, None);
        assert_eq!(s.presenters, vec!["ana@example.org".to_string()]);
    }

    #[test]
    fn a_time_skipped_by_daylight_saving_is_refused() {
        let mut i = input();
        i.start = "2026-03-29T02:30".into();
        i.end = "2026-03-29T04:00".into();
        assert_eq!(validate(&i).unwrap_err().field, "start");
    }

    #[test]
    fn end_before_start_names_the_end_field() {
        let mut i = input();
        i.end = "2026-12-01T09:00".into();
        assert_eq!(validate(&i).unwrap_err().field, "end");
    }

    #[test]
    fn unknown_zone_short_passcode_and_bad_presenter_are_refused() {
        let mut i = input();
        i.time_zone = "Mars/Olympus".into();
        assert_eq!(validate(&i).unwrap_err().field, "time_zone");
        let mut i = input();
        i.passcode = Some("12".into());
        assert_eq!(validate(&i).unwrap_err().field, "passcode");
        let mut i = input();
        i.presenters = vec!["not an address".into()];
        assert_eq!(validate(&i).unwrap_err().field, "presenters");
        let mut i = input();
        i.title = "   ".into();
        assert_eq!(validate(&i).unwrap_err().field, "title");
    }

    /// What the OpenAPI document forbids is refused, even where trimming or removing
    /// duplicates would have made it fit.
    #[test]
    fn input_is_checked_as_sent() {
        let mut i = input();
        i.presenters = vec!["ana@example.org".into(); rules::MAX_PRESENTERS + 1];
        assert_eq!(validate(&i).unwrap_err().field, "presenters");
        let mut i = input();
        i.presenters = vec!["".into()];
        assert_eq!(validate(&i).unwrap_err().field, "presenters");
        let mut i = input();
        i.passcode = Some(format!(" {} ", "1".repeat(32)));
        assert_eq!(validate(&i).unwrap_err().field, "passcode");
        let mut i = input();
        i.start = "2026-12-1T10:00".into();
        assert_eq!(validate(&i).unwrap_err().field, "start");
        let mut i = input();
        i.title = format!("{}\u{85}", "x");
        assert_eq!(validate(&i).unwrap_err().field, "title");
    }
}
