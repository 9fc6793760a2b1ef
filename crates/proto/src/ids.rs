//! Typed identifiers. A `MeetingId` can never be passed where a `UserId` is meant.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS, ToSchema)]
        #[schema(value_type = String, format = Uuid)]
        #[ts(export)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUIDv7), so ids sort by creation.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// An organisation served by this installation.
    TenantId
);
uuid_id!(
    /// A signed-in account.
    UserId
);
uuid_id!(
    /// A scheduled or instant meeting.
    MeetingId
);
uuid_id!(
    /// One seat in a live meeting: stable across reconnects of the same join token.
    ParticipantId
);
uuid_id!(
    /// An API token (the id, never the secret).
    ApiTokenId
);
uuid_id!(
    /// A document uploaded to a meeting.
    DocumentId
);

/// Position in a meeting's ordered event stream. Resuming sends everything after it.
pub type Seq = u64;
