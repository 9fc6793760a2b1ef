//! Wire types shared by the server and the browser client.
//!
//! Everything that crosses the network is defined here, once: the room channel
//! ([`room`]), REST request and response bodies ([`rest`]) with the rules their fields
//! follow ([`rules`]), and the shared vocabulary both use (ids, roles, permissions, policy). `cargo test -p confab-proto`
//! regenerates the TypeScript bindings in `web/src/proto/` (ts-rs), so the client
//! cannot drift from the server. This crate holds data only: no I/O, no decisions.

pub mod content;
pub mod ids;
pub mod permissions;
pub mod policy;
pub mod residency;
pub mod rest;
pub mod room;
pub mod rules;
pub mod shared_doc;

pub use ids::*;
pub use permissions::*;
pub use policy::*;

/// Version of the room channel protocol; bumped on any incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

#[cfg(test)]
mod tests {
    use crate::{rest::LinkInfo, MeetingId, MeetingRole};

    /// The TypeScript types say `field?: T` for optional fields, so an absent value must be
    /// left out, never sent as `null`.
    #[test]
    fn absent_optional_fields_are_left_out() {
        let info = LinkInfo {
            meeting: MeetingId::new(),
            title: "t".into(),
            organizer_name: "o".into(),
            role: MeetingRole::Attendee,
            starts_at: chrono::DateTime::UNIX_EPOCH,
            time_zone: "UTC".into(),
            needs_passcode: false,
            allow_guests: true,
            signed_in_as: None,
        };
        let v = serde_json::to_value(&info).unwrap();
        assert!(v.get("signed_in_as").is_none(), "{v}");
        for file in [include_str!("rest.rs"), include_str!("room.rs")] {
            let lines: Vec<&str> = file.lines().collect();
            for (i, l) in lines.iter().enumerate() {
                if l.trim() == "#[ts(optional)]" {
                    assert!(
                        lines[i - 1].contains("skip_serializing_if"),
                        "line {}: {}",
                        i,
                        lines[i - 1]
                    );
                }
            }
        }
    }
}
