//! Names of shared documents and peers.
//!
//! A [`DocName`] (defined with the wire types, in `confab_proto::shared_doc`) is what a
//! client puts in the URL; it is parsed strictly so that one document has exactly one
//! spelling. A [`DocKey`] adds the tenant and meeting: it is what rooms and storage are
//! keyed by.

use std::fmt;

pub use confab_proto::shared_doc::DocName;
use confab_proto::{MeetingId, TenantId};

/// A document of a meeting of a tenant: what rooms and storage are keyed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocKey {
    pub tenant: TenantId,
    pub meeting: MeetingId,
    pub name: DocName,
}

impl DocKey {
    /// The storage key (the tenant is stored beside it): `{meeting}/{name}`.
    pub fn storage_key(&self) -> String {
        format!("{}/{}", self.meeting, self.name)
    }
}

impl fmt::Display for DocKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.tenant, self.meeting, self.name)
    }
}

/// One connection to a room (the shell numbers its connections).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId(pub u64);

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "peer-{}", self.0)
    }
}
