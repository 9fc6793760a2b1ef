//! What REST input may hold, each rule defined once: the server checks input against
//! these rules, and the OpenAPI document states them (`#[schema(schema_with = …)]` with
//! the functions in [`schema`]), so the document cannot drift from the check.
//!
//! A rule looks at the value as sent and counts characters (Unicode scalar values), as
//! JSON Schema's `minLength` and `maxLength` do. The server may refuse more than the
//! document states (a title of spaces only, an unknown time zone), never less: whatever
//! the document forbids is refused.

use utoipa::openapi::{
    schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type},
    Object,
};

/// Which characters a text may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chars {
    /// Anything, line breaks included.
    Any,
    /// One line: no control characters (and, when required, not only white space).
    Line,
    /// ASCII letters, digits and dashes, e.g. `eu-central`.
    Slug,
    /// An e-mail address: something, `@`, something, no white space.
    Email,
    /// A wall-clock time `YYYY-MM-DDTHH:MM` (seconds optional), as an HTML
    /// `datetime-local` input gives it.
    LocalTime,
}

impl Chars {
    /// The JSON Schema pattern (ECMA-262) this rule implies, if any. Each accepts
    /// everything [`Chars::allows`] accepts.
    fn pattern(self) -> Option<&'static str> {
        match self {
            Chars::Any => None,
            Chars::Line => Some(r"^[^\u0000-\u001F\u007F-\u009F]*$"),
            Chars::Slug => Some("^[A-Za-z0-9-]*$"),
            Chars::Email => Some("^[^@]+@.+$"),
            Chars::LocalTime => Some("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$"),
        }
    }

    fn allows(self, value: &str) -> bool {
        match self {
            Chars::Any => true,
            // `char::is_control` is exactly U+0000–U+001F and U+007F–U+009F.
            Chars::Line => !value.chars().any(char::is_control),
            Chars::Slug => value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            Chars::Email => {
                !value.chars().any(char::is_whitespace)
                    && value
                        .split_once('@')
                        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
            }
            Chars::LocalTime => {
                let b = value.as_bytes();
                let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
                (b.len() == 16 || (b.len() == 19 && b[16] == b':' && digits(17..19)))
                    && digits(0..4)
                    && b[4] == b'-'
                    && digits(5..7)
                    && b[7] == b'-'
                    && digits(8..10)
                    && b[10] == b'T'
                    && digits(11..13)
                    && b[13] == b':'
                    && digits(14..16)
            }
        }
    }

    fn explain(self) -> &'static str {
        match self {
            Chars::Any => "",
            Chars::Line => "one line of text",
            Chars::Slug => "letters, digits and dashes, e.g. eu-central",
            Chars::Email => "an e-mail address",
            Chars::LocalTime => "a local time written YYYY-MM-DDTHH:MM",
        }
    }
}

/// A text field: its length in characters and what it may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    pub min: usize,
    pub max: usize,
    pub chars: Chars,
}

impl Text {
    const fn new(min: usize, max: usize, chars: Chars) -> Self {
        Self { min, max, chars }
    }

    /// Checks `value` as sent; the error says what the field needs, for an
    /// `invalid-input` problem (`"{field}: {message}"`).
    pub fn check(&self, value: &str) -> Result<(), String> {
        let n = value.chars().count();
        let length_ok = (self.min..=self.max).contains(&n);
        // A required line must say something; an optional one may be empty.
        let blank = self.chars == Chars::Line && self.min > 0 && value.trim().is_empty();
        let chars_ok = self.chars.allows(value) && !blank;
        if length_ok && chars_ok {
            return Ok(());
        }
        let length = match (self.min, self.max) {
            (0, max) => format!("at most {max} characters"),
            (min, usize::MAX) => format!("at least {min} characters"),
            (min, max) => format!("{min} to {max} characters"),
        };
        Err(match self.chars {
            Chars::Any => length,
            chars => format!("{}, {length}", chars.explain()),
        })
    }

    /// The schema of a string following this rule.
    pub fn schema(&self) -> Object {
        self.builder(Type::String).build()
    }

    /// The schema of an optional string following this rule: `null` is allowed too.
    pub fn nullable_schema(&self) -> Object {
        self.builder(SchemaType::from_iter([Type::String, Type::Null]))
            .build()
    }

    fn builder(&self, ty: impl Into<SchemaType>) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(ty)
            .min_length((self.min > 0).then_some(self.min))
            .max_length((self.max < usize::MAX).then_some(self.max))
            .pattern(self.chars.pattern())
    }
}

/// An integer field's range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub min: u32,
    pub max: u32,
}

impl Range {
    /// Checks a value; the error says what the field needs.
    pub fn check(&self, value: u32) -> Result<(), String> {
        if (self.min..=self.max).contains(&value) {
            Ok(())
        } else {
            Err(format!("from {} to {}", self.min, self.max))
        }
    }

    pub fn schema(&self) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(self.min))
            .maximum(Some(self.max))
            .build()
    }
}

/// A meeting's title.
pub const TITLE: Text = Text::new(1, 200, Chars::Line);
/// A meeting's description.
pub const DESCRIPTION: Text = Text::new(0, 4000, Chars::Any);
/// A meeting's start or end, in its time zone.
pub const LOCAL_TIME: Text = Text::new(16, 19, Chars::LocalTime);
/// A meeting's passcode as sent: empty means none; otherwise see [`PASSCODE_CHARS`].
pub const PASSCODE: Text = Text::new(0, 32, Chars::Line);
/// How long a passcode is, once trimmed.
pub const PASSCODE_CHARS: std::ops::RangeInclusive<usize> = 4..=32;
/// Named presenters of a meeting, as sent (blank entries included).
pub const MAX_PRESENTERS: usize = 100;
/// An account's (and a presenter's) e-mail address.
pub const EMAIL: Text = Text::new(3, 254, Chars::Email);
/// A new password. (Signing in takes any password: old ones may predate a rule.)
pub const PASSWORD: Text = Text::new(10, 1024, Chars::Any);
/// A person's name on their account.
pub const USER_NAME: Text = Text::new(1, 100, Chars::Line);
/// A guest's name in a meeting.
pub const DISPLAY_NAME: Text = Text::new(1, 64, Chars::Line);
/// An organisation's name.
pub const TENANT_NAME: Text = Text::new(1, 200, Chars::Line);
/// A region's name.
pub const REGION: Text = Text::new(1, 64, Chars::Slug);
/// An API token's name.
pub const TOKEN_NAME: Text = Text::new(1, 100, Chars::Line);
/// An uploaded file's name (with its extension; a path is cut to its last part).
pub const FILE_NAME: Text = Text::new(1, 200, Chars::Line);

/// People in one meeting, as a policy may allow. At least two: a meeting of one is nobody's
/// meeting. At most 1,000: four times the design's 250 (the OCS default), the most one
/// meeting actor and one media worker are built and measured for; larger audiences need
/// another shape (a webinar broadcast), not a bigger number. Plans will cap tenants below.
pub const MEETING_SIZE: Range = Range { min: 2, max: 1000 };
/// A participant's video bitrate cap, kbit/s: below the smallest camera layer (180p,
/// 150 kbit/s) no video could flow at all (that is what `ip_video: false` is for).
pub const VIDEO_BITRATE_KBPS: Range = Range {
    min: 150,
    max: 20_000,
};
/// The tallest video forwarded, in pixels: 180p (the smallest camera layer) to 4K.
pub const VIDEO_HEIGHT: Range = Range {
    min: 180,
    max: 2160,
};

/// Schemas of the rules, for `#[schema(schema_with = …)]` (which takes a function).
pub mod schema {
    use super::*;

    pub fn title() -> Object {
        TITLE.schema()
    }
    pub fn optional_title() -> Object {
        TITLE.nullable_schema()
    }
    pub fn description() -> Object {
        DESCRIPTION.schema()
    }
    pub fn local_time() -> Object {
        LOCAL_TIME.schema()
    }
    pub fn optional_passcode() -> Object {
        PASSCODE.nullable_schema()
    }
    pub fn presenters() -> utoipa::openapi::Array {
        ArrayBuilder::new()
            .items(EMAIL.schema())
            .max_items(Some(MAX_PRESENTERS))
            .build()
    }
    pub fn email() -> Object {
        EMAIL.schema()
    }
    pub fn password() -> Object {
        PASSWORD.schema()
    }
    pub fn optional_password() -> Object {
        PASSWORD.nullable_schema()
    }
    pub fn user_name() -> Object {
        USER_NAME.schema()
    }
    pub fn optional_user_name() -> Object {
        USER_NAME.nullable_schema()
    }
    pub fn optional_display_name() -> Object {
        DISPLAY_NAME.nullable_schema()
    }
    pub fn tenant_name() -> Object {
        TENANT_NAME.schema()
    }
    pub fn region() -> Object {
        REGION.schema()
    }
    pub fn token_name() -> Object {
        TOKEN_NAME.schema()
    }
    pub fn file_name() -> Object {
        FILE_NAME.schema()
    }
    pub fn meeting_size() -> Object {
        MEETING_SIZE.schema()
    }
    pub fn video_bitrate_kbps() -> Object {
        VIDEO_BITRATE_KBPS.schema()
    }
    pub fn video_height() -> Object {
        VIDEO_HEIGHT.schema()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_as_sent() {
        assert!(PASSWORD.check("123456789").is_err());
        assert!(PASSWORD.check("ünïcödé ok").is_ok());
        assert_eq!(
            TITLE.check(&"x".repeat(201)).unwrap_err(),
            "one line of text, 1 to 200 characters"
        );
        // Spaces around count: the document's maxLength holds for the value as sent.
        assert!(TITLE.check(&format!(" {} ", "x".repeat(199))).is_err());
        assert!(TITLE.check("   ").is_err(), "blank");
        assert!(TITLE.check("a\u{85}b").is_err(), "a C1 control character");
        assert!(DESCRIPTION.check("two\nlines").is_ok());
        assert!(PASSCODE.check("").is_ok());
    }

    #[test]
    fn characters_follow_their_kind() {
        assert!(REGION.check("eu-central-1").is_ok());
        assert!(REGION.check("eu central").is_err());
        assert!(REGION.check(" eu").is_err());
        assert!(EMAIL.check("ana@acme.example").is_ok());
        for bad in ["ana", "@acme", "ana@", "a na@acme", "ana@acme\n"] {
            assert!(EMAIL.check(bad).is_err(), "{bad:?}");
        }
        assert!(LOCAL_TIME.check("2026-12-05T10:00").is_ok());
        assert!(LOCAL_TIME.check("2026-12-05T10:00:30").is_ok());
        for bad in [
            "2026-1-05T10:00",
            "2026-12-05 10:00",
            "2026-12-05T10:00:3",
            "２026-12-05T10:00",
        ] {
            assert!(LOCAL_TIME.check(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ranges_are_inclusive() {
        assert!(MEETING_SIZE.check(1).is_err());
        assert!(MEETING_SIZE.check(2).is_ok());
        assert!(MEETING_SIZE.check(MEETING_SIZE.max).is_ok());
        assert_eq!(
            MEETING_SIZE.check(2_147_483_648).unwrap_err(),
            "from 2 to 1000"
        );
    }
}
