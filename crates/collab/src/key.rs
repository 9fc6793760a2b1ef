//! Names of shared documents and peers.
//!
//! A [`DocName`] is what a client puts in the URL (`page:{document}:{page}`,
//! `board:{uuid}`, `text:{uuid}`); it is parsed strictly (canonical lowercase UUIDs,
//! page numbers without signs or leading zeros) so that one document has exactly one
//! spelling and no client can open a second copy of it under another name. A [`DocKey`]
//! adds the tenant and meeting: it is what rooms and storage are keyed by.

use std::{fmt, str::FromStr};

use confab_proto::{DocumentId, MeetingId, TenantId};
use uuid::Uuid;

use crate::CollabError;

/// Longest accepted document name (`page:` + 36 + `:` + 10 digits is 52).
const MAX_NAME_LEN: usize = 64;

/// Which shared document, within a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocName {
    /// The annotation layer of one page (0-based) of an uploaded document.
    Page { document: DocumentId, page: u32 },
    /// One whiteboard page.
    Board(Uuid),
    /// One text page.
    Text(Uuid),
}

impl fmt::Display for DocName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocName::Page { document, page } => write!(f, "page:{document}:{page}"),
            DocName::Board(id) => write!(f, "board:{id}"),
            DocName::Text(id) => write!(f, "text:{id}"),
        }
    }
}

impl FromStr for DocName {
    type Err = CollabError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() > MAX_NAME_LEN || !s.is_ascii() {
            return Err(CollabError::InvalidName);
        }
        let uuid = |t: &str| Uuid::parse_str(t).map_err(|_| CollabError::InvalidName);
        let parsed = match s.split_once(':') {
            Some(("page", rest)) => {
                let (doc, page) = rest.split_once(':').ok_or(CollabError::InvalidName)?;
                DocName::Page {
                    document: DocumentId(uuid(doc)?),
                    page: page.parse().map_err(|_| CollabError::InvalidName)?,
                }
            }
            Some(("board", id)) => DocName::Board(uuid(id)?),
            Some(("text", id)) => DocName::Text(uuid(id)?),
            _ => return Err(CollabError::InvalidName),
        };
        // One spelling per document: refuse `+1`, `01`, upper case, braces, simple UUIDs.
        if parsed.to_string() != s {
            return Err(CollabError::InvalidName);
        }
        Ok(parsed)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0191f3a4-7b2c-7d3e-8f40-123456789abc";

    #[test]
    fn the_three_forms_round_trip() {
        for s in [
            format!("page:{ID}:0"),
            format!("page:{ID}:4294967295"),
            format!("board:{ID}"),
            format!("text:{ID}"),
        ] {
            assert_eq!(s.parse::<DocName>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn other_spellings_are_refused() {
        let upper = ID.to_uppercase();
        let simple = ID.replace('-', "");
        for s in [
            String::new(),
            format!("page:{ID}"),
            format!("page:{ID}:"),
            format!("page:{ID}:01"),
            format!("page:{ID}:+1"),
            format!("page:{ID}:-1"),
            format!("page:{ID}:4294967296"),
            format!("page:{ID}:1:2"),
            format!("board:{upper}"),
            format!("board:{simple}"),
            format!("board:{{{ID}}}"),
            format!("board:{ID} "),
            format!("notes:{ID}"),
            format!("text:{ID}/x"),
            format!("text:urn:uuid:{ID}"),
            "board:é".into(),
        ] {
            assert!(s.parse::<DocName>().is_err(), "{s} was accepted");
        }
    }
}
