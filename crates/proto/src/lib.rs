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

/// Writes a generated TypeScript file beside the ts-rs bindings (`web/src/proto`).
#[cfg(test)]
fn write_generated(name: &str, ts: &str) {
    let dir = std::env::var("TS_RS_EXPORT_DIR").unwrap_or_else(|_| "../../web/src/proto".into());
    std::fs::write(std::path::Path::new(&dir).join(name), ts).unwrap();
}

/// Writes `contracts.ts`: the constants the client shares with the server beyond the
/// wire types (the close codes are in `closeCodes.ts`), so neither side copies them.
#[cfg(test)]
mod contracts {
    use crate::{
        rest::ProblemType,
        room::{SimulcastLayer, CAPTURE_HEIGHT, MAX_LAYOUT_TILES},
        shared_doc::{INK, TEXT},
    };

    /// `wrong-passcode` → `wrongPasscode`.
    fn camel(slug: &str) -> String {
        let mut out = String::new();
        let mut upper = false;
        for c in slug.chars() {
            if c == '-' {
                upper = true;
            } else if upper {
                out.extend(c.to_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn export_contracts() {
        let mut ts = String::from(
            "// Generated from crates/proto by `cargo test -p confab-proto`. Do not edit.\n\
             import type { SimulcastLayer } from './SimulcastLayer';\n\n",
        );
        ts.push_str(&format!(
            "/** The root `Y.Array` of a page's strokes (its ink layer). */\n\
             export const INK_ROOT = '{INK}';\n\
             /** The root `Y.XmlFragment` of a text page's rich text. */\n\
             export const TEXT_ROOT = '{TEXT}';\n\n\
             /** The camera is captured at this height; the layers scale it down. */\n\
             export const CAPTURE_HEIGHT = {CAPTURE_HEIGHT};\n\n\
             /** Most tiles one `media_layout` may list (the server refuses more). */\n\
             export const MAX_LAYOUT_TILES = {MAX_LAYOUT_TILES};\n\n\
             /** The simulcast encodings, smallest first, with the bitrates the server picks\n \
             * layers by. */\n\
             export const SIMULCAST: ReadonlyArray<{{\n  \
               readonly rid: SimulcastLayer;\n  \
               readonly scaleResolutionDownBy: number;\n  \
               readonly maxBitrate: number;\n\
             }}> = [\n",
        ));
        for l in SimulcastLayer::ALL {
            ts.push_str(&format!(
                "  {{ rid: '{}', scaleResolutionDownBy: {}, maxBitrate: {} }},\n",
                l.rid(),
                l.scale_down_by(),
                l.nominal_bitrate()
            ));
        }
        ts.push_str(
            "];\n\n/** Every problem `type` the API answers with (`urn:confab:problem:<slug>`). */\n\
             export const problemTypes = {\n",
        );
        for p in ProblemType::ALL {
            ts.push_str(&format!("  {}: '{}',\n", camel(p.slug()), p.uri()));
        }
        ts.push_str("} as const;\n");
        crate::write_generated("contracts.ts", &ts);
    }
}

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
