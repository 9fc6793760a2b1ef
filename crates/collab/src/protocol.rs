//! The y-websocket wire format (y-protocols `sync` and `awareness`), over yrs's `sync`
//! module: decoding what a client sends, encoding what the server sends.
//!
//! One WebSocket frame carries exactly one protocol message, both ways: the stock
//! y-websocket client reads one message per frame and silently ignores the rest, so we
//! never pack two, and we refuse frames with bytes after their message (where a stock
//! server would ignore them) so nothing a client sends is silently half-read.
//!
//! Decoding is total: any byte string gives a message or a [`CollabError`], never a
//! panic (a proptest holds us to it). Payloads are decoded completely here (updates,
//! state vectors, awareness states including their JSON) so that the room only ever
//! sees well-formed values. Not here: what a message *means* for a document ([`crate::room`]).

use bytes::Bytes;
use yrs::{
    encoding::read::{Cursor, Read},
    sync::{
        protocol::{
            MSG_AUTH, MSG_AWARENESS, MSG_QUERY_AWARENESS, MSG_SYNC, MSG_SYNC_STEP_1,
            MSG_SYNC_STEP_2, MSG_SYNC_UPDATE,
        },
        AwarenessUpdate, Message, SyncMessage,
    },
    updates::{decoder::Decode, encoder::Encode},
    StateVector, Update,
};

use crate::CollabError;

/// Default cap on one incoming frame (and so on one update): 256 KiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// A message from a client, fully decoded.
#[derive(Debug)]
pub enum ClientMessage {
    /// "Here is my state vector; send me what I lack."
    SyncStep1(StateVector),
    /// The answer to our step 1: what the client has that we lack.
    SyncStep2(Update),
    /// A live change.
    Update(Update),
    /// The client's presence (cursor, name, colour …), one entry per Yjs client id.
    Awareness(AwarenessUpdate),
    /// "Send me everyone's presence."
    AwarenessQuery,
}

impl ClientMessage {
    /// Whether this message carries a document change (step 2 or update).
    pub fn is_update(&self) -> bool {
        matches!(self, ClientMessage::SyncStep2(_) | ClientMessage::Update(_))
    }
}

fn malformed(e: impl std::fmt::Display) -> CollabError {
    CollabError::Malformed(e.to_string())
}

/// Decodes one frame holding one message, refusing anything over `max_bytes`.
pub fn decode(frame: &[u8], max_bytes: usize) -> Result<ClientMessage, CollabError> {
    if frame.len() > max_bytes {
        return Err(CollabError::TooLarge {
            size: frame.len(),
            limit: max_bytes,
        });
    }
    // yrs's decoders return errors for bad input; they have panicked on crafted input in
    // the past (FACTS.md), so a panic in this pure function (no shared state to leave
    // half-changed) is turned into a refusal of the frame as well.
    std::panic::catch_unwind(|| decode_unchecked(frame))
        .unwrap_or_else(|_| Err(malformed("the decoder failed on this input")))
}

fn decode_unchecked(frame: &[u8]) -> Result<ClientMessage, CollabError> {
    let mut c = Cursor::new(frame);
    let tag: u8 = c.read_var().map_err(malformed)?;
    let msg = match tag {
        MSG_SYNC => {
            let kind: u8 = c.read_var().map_err(malformed)?;
            let payload = c.read_buf().map_err(malformed)?;
            match kind {
                MSG_SYNC_STEP_1 => {
                    ClientMessage::SyncStep1(StateVector::decode_v1(payload).map_err(malformed)?)
                }
                MSG_SYNC_STEP_2 => {
                    ClientMessage::SyncStep2(Update::decode_v1(payload).map_err(malformed)?)
                }
                MSG_SYNC_UPDATE => {
                    ClientMessage::Update(Update::decode_v1(payload).map_err(malformed)?)
                }
                _ => return Err(malformed("unknown sync message type")),
            }
        }
        MSG_AWARENESS => {
            let payload = c.read_buf().map_err(malformed)?;
            let update = AwarenessUpdate::decode_v1(payload).map_err(malformed)?;
            // Other clients JSON.parse these states in their message handler: one bad
            // state relayed would break every receiver, so refuse it here.
            for entry in update.clients.values() {
                serde_json::from_str::<serde::de::IgnoredAny>(&entry.json)
                    .map_err(|_| malformed("awareness state is not JSON"))?;
            }
            ClientMessage::Awareness(update)
        }
        MSG_QUERY_AWARENESS => ClientMessage::AwarenessQuery,
        MSG_AUTH => {
            return Err(CollabError::Unsupported(
                "auth messages come from the server",
            ))
        }
        _ => return Err(CollabError::Unsupported("unknown message type")),
    };
    if c.has_content() {
        return Err(malformed("bytes after the message"));
    }
    Ok(msg)
}

fn encode(msg: &Message) -> Bytes {
    Bytes::from(msg.encode_v1())
}

/// Sync step 1: our state vector, asking the peer for what we lack.
pub fn sync_step1(sv: &StateVector) -> Bytes {
    encode(&Message::Sync(SyncMessage::SyncStep1(sv.clone())))
}

/// Sync step 2: what the peer lacks (an encoded v1 update).
pub fn sync_step2(update: Vec<u8>) -> Bytes {
    encode(&Message::Sync(SyncMessage::SyncStep2(update)))
}

/// A live change (an encoded v1 update).
pub fn update(update: Vec<u8>) -> Bytes {
    encode(&Message::Sync(SyncMessage::Update(update)))
}

/// Presence states.
pub fn awareness(update: AwarenessUpdate) -> Bytes {
    encode(&Message::Awareness(update))
}

/// "Permission denied". Not sent by the room: the stock client logs it with its URL,
/// which holds the join token. Kept for tests of what clients may not send.
pub fn permission_denied(reason: &str) -> Bytes {
    encode(&Message::Auth(Some(reason.to_owned())))
}

#[cfg(test)]
mod tests {
    use std::{collections::HashMap, sync::Arc};

    use proptest::prelude::*;
    use yrs::{sync::awareness::AwarenessUpdateEntry, Doc, GetString, ReadTxn, Text, Transact};

    use super::*;

    fn some_update() -> Vec<u8> {
        let doc = Doc::new();
        let text = doc.get_or_insert_text("t");
        text.push(&mut doc.transact_mut(), "hello");
        let update = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        update
    }

    #[test]
    fn what_we_encode_decodes_back() {
        let u = some_update();
        match decode(&update(u.clone()), 1024).unwrap() {
            ClientMessage::Update(got) => {
                let doc = Doc::new();
                doc.transact_mut().apply_update(got).unwrap();
                let t = doc.get_or_insert_text("t");
                assert_eq!(t.get_string(&doc.transact()), "hello");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decode(&sync_step2(u), 1024).unwrap(),
            ClientMessage::SyncStep2(_)
        ));
        assert!(matches!(
            decode(&sync_step1(&StateVector::default()), 1024).unwrap(),
            ClientMessage::SyncStep1(_)
        ));
        assert!(matches!(
            decode(&[MSG_QUERY_AWARENESS], 1024).unwrap(),
            ClientMessage::AwarenessQuery
        ));
    }

    #[test]
    fn oversized_trailing_and_unknown_frames_are_refused() {
        let frame = update(some_update());
        assert!(matches!(
            decode(&frame, frame.len() - 1),
            Err(CollabError::TooLarge { .. })
        ));
        let mut two = frame.to_vec();
        two.extend_from_slice(&frame);
        assert!(matches!(decode(&two, 4096), Err(CollabError::Malformed(_))));
        assert!(matches!(
            decode(&permission_denied("no"), 1024),
            Err(CollabError::Unsupported(_))
        ));
        assert!(matches!(
            decode(&[7, 0], 1024),
            Err(CollabError::Unsupported(_))
        ));
        assert!(matches!(decode(&[], 1024), Err(CollabError::Malformed(_))));
        assert!(matches!(
            decode(&[0, 9, 0], 1024),
            Err(CollabError::Malformed(_))
        ));
    }

    #[test]
    fn awareness_states_that_are_not_json_are_refused() {
        let entry = |json: &str| AwarenessUpdate {
            clients: HashMap::from([(
                yrs::block::ClientID::new(7),
                AwarenessUpdateEntry {
                    clock: 1,
                    json: Arc::from(json),
                },
            )]),
        };
        assert!(decode(&awareness(entry(r#"{"user":{"name":"A"}}"#)), 1024).is_ok());
        assert!(decode(&awareness(entry("null")), 1024).is_ok());
        assert!(matches!(
            decode(&awareness(entry("{broken")), 1024),
            Err(CollabError::Malformed(_))
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Random bytes never panic the decoder.
        #[test]
        fn random_bytes_decode_or_err(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode(&bytes, 1024);
        }

        /// Nor do valid frames with random damage (much closer to the interesting paths).
        #[test]
        fn damaged_frames_decode_or_err(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut frame = update(some_update()).to_vec();
            for (at, b) in flips {
                let i = at.index(frame.len());
                frame[i] = b;
            }
            let keep = cut.index(frame.len() + 1);
            frame.truncate(keep);
            // What decodes must also apply (or be refused) without a panic.
            if let Ok(ClientMessage::Update(u)) = decode(&frame, 4096) {
                let _ = Doc::new().transact_mut().apply_update(u);
            }
        }
    }
}
