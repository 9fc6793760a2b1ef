//! Room behaviour, driven by simulated yrs clients that speak the protocol the way the
//! stock y-websocket client does (step 1 on connect, step 2 in answer, one message per
//! frame). No sockets, no clock: `now` is a field the tests move.

use std::{
    collections::{BTreeMap, HashMap},
    future::Future,
    sync::Arc,
    task::{Context, Poll, Waker},
    time::{Duration, Instant},
};

use bytes::Bytes;
use confab_proto::{MeetingId, TenantId};
use yrs::{
    sync::{awareness::AwarenessUpdateEntry, AwarenessUpdate, Message, SyncMessage},
    updates::decoder::Decode,
    Array, ClientID, Doc, GetString, ReadTxn, StateVector, Text, Transact, TransactionMut, Update,
    WriteTxn,
};

use super::*;
use crate::{protocol, CollabError, DocKey, DocName, DocStore, MemStore};

/// A simulated browser tab.
struct Client {
    doc: Doc,
    inbox: Vec<Bytes>,
    presence: Vec<AwarenessUpdate>,
}

impl Client {
    fn new() -> Self {
        Self {
            doc: Doc::new(),
            inbox: Vec::new(),
            presence: Vec::new(),
        }
    }

    fn text(&self) -> String {
        let t = self.doc.get_or_insert_text("t");
        t.get_string(&self.doc.transact())
    }
}

/// A room and its clients, with everything the room asked to store.
struct Net {
    room: Room,
    now: Instant,
    clients: BTreeMap<PeerId, Client>,
    persisted: Vec<Vec<u8>>,
    compactions: Vec<Vec<u8>>,
    disconnected: Vec<(PeerId, CollabError)>,
}

const A: PeerId = PeerId(1);
const B: PeerId = PeerId(2);
const R: PeerId = PeerId(3);
const R2: PeerId = PeerId(4);

impl Net {
    fn new(cfg: Config) -> Self {
        Self::with_room(Room::new(cfg))
    }

    fn with_room(room: Room) -> Self {
        Self {
            room,
            now: Instant::now(),
            clients: BTreeMap::new(),
            persisted: Vec::new(),
            compactions: Vec::new(),
            disconnected: Vec::new(),
        }
    }

    fn join(&mut self, peer: PeerId, writable: bool) {
        self.join_with(peer, writable, Client::new());
    }

    /// Joins with an existing client document (a reconnect).
    fn join_with(&mut self, peer: PeerId, writable: bool, client: Client) {
        let sv = client.doc.transact().state_vector();
        self.clients.insert(peer, client);
        let outs = self.room.handle(self.now, Input::Join { peer, writable });
        self.carry(outs);
        self.send(peer, protocol::sync_step1(&sv));
        self.pump();
    }

    fn leave(&mut self, peer: PeerId) {
        self.clients.remove(&peer);
        let outs = self.room.handle(self.now, Input::Leave { peer });
        self.carry(outs);
        self.pump();
    }

    fn send(&mut self, peer: PeerId, frame: impl AsRef<[u8]>) {
        let outs = self.room.handle(
            self.now,
            Input::Frame {
                peer,
                frame: frame.as_ref(),
            },
        );
        self.carry(outs);
    }

    fn carry(&mut self, outs: Vec<Output>) {
        for o in outs {
            match o {
                Output::Send { to, frame } => {
                    if let Some(c) = self.clients.get_mut(&to) {
                        c.inbox.push(frame);
                    }
                }
                Output::Persist(u) => self.persisted.push(u),
                Output::Compact(s) => self.compactions.push(s),
                Output::Disconnect { peer, why } => self.disconnected.push((peer, why)),
            }
        }
    }

    /// Lets every client handle its frames (answering step 1 with step 2) until quiet.
    fn pump(&mut self) {
        loop {
            let mut replies = Vec::new();
            for (id, c) in &mut self.clients {
                for frame in c.inbox.drain(..) {
                    match Message::decode_v1(&frame).expect("server frames decode") {
                        Message::Sync(SyncMessage::SyncStep1(sv)) => {
                            let diff = c.doc.transact().encode_state_as_update_v1(&sv);
                            replies.push((*id, protocol::sync_step2(diff)));
                        }
                        Message::Sync(SyncMessage::SyncStep2(u) | SyncMessage::Update(u)) => {
                            let u = Update::decode_v1(&u).unwrap();
                            c.doc.transact_mut().apply_update(u).unwrap();
                        }
                        Message::Awareness(a) => c.presence.push(a),
                        other => panic!("unexpected {other:?}"),
                    }
                }
            }
            if replies.is_empty() {
                return;
            }
            for (id, frame) in replies {
                self.send(id, frame);
            }
        }
    }

    /// A local edit on a client, sent as an update the way a provider does.
    fn edit(&mut self, peer: PeerId, f: impl FnOnce(&mut TransactionMut)) {
        let c = &self.clients[&peer];
        let update = {
            let mut txn = c.doc.transact_mut();
            f(&mut txn);
            txn.encode_update_v1()
        };
        self.send(peer, protocol::update(update));
        self.pump();
    }

    fn type_text(&mut self, peer: PeerId, s: &str) {
        self.edit(peer, |txn| {
            let t = txn.get_or_insert_text("t");
            let len = t.len(txn);
            t.insert(txn, len, s);
        });
    }

    fn room_text(&self) -> String {
        let t = self.room.doc().get_or_insert_text("t");
        t.get_string(&self.room.doc().transact())
    }

    fn presence(&mut self, peer: PeerId, client: u64, clock: u32, json: &str) {
        let update = AwarenessUpdate {
            clients: HashMap::from([(
                ClientID::new(client),
                AwarenessUpdateEntry {
                    clock,
                    json: Arc::from(json),
                },
            )]),
        };
        self.send(peer, protocol::awareness(update));
        self.pump();
    }

    fn was_disconnected(&self, peer: PeerId) -> bool {
        self.disconnected.iter().any(|(p, _)| *p == peer)
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[test]
fn two_writers_see_each_others_edits() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.join(B, true);
    net.type_text(A, "hello");
    assert_eq!(net.clients[&B].text(), "hello");
    net.type_text(B, " world");
    assert_eq!(net.clients[&A].text(), "hello world");
    assert_eq!(net.room_text(), "hello world");
    assert_eq!(net.persisted.len(), 2);
    assert!(net.disconnected.is_empty());
}

#[test]
fn a_late_joiner_gets_the_full_state() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.type_text(A, "abc");
    net.edit(A, |txn| {
        txn.get_or_insert_text("t").remove_range(&mut *txn, 0, 1);
        txn.get_or_insert_array("strokes")
            .push_back(&mut *txn, vec![1.0, 2.0]);
    });
    net.join(R, false);
    assert_eq!(net.clients[&R].text(), "bc");
    let strokes = net.clients[&R].doc.get_or_insert_array("strokes");
    assert_eq!(strokes.len(&net.clients[&R].doc.transact()), 1);
    assert!(net.disconnected.is_empty());
}

#[test]
fn a_readers_edit_is_refused_and_the_document_is_unchanged() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.join(R, false);
    net.type_text(A, "mine");
    let persisted = net.persisted.len();
    let before = net.room.snapshot();
    net.type_text(R, " and yours");
    assert!(matches!(
        net.disconnected.as_slice(),
        [(R, CollabError::ReadOnly)]
    ));
    assert_eq!(net.room_text(), "mine");
    assert_eq!(net.room.snapshot(), before);
    assert_eq!(net.clients[&A].text(), "mine");
    assert_eq!(net.persisted.len(), persisted);
    assert_eq!(net.room.peer_count(), 1);
}

#[test]
fn a_writer_made_a_reader_is_refused_from_then_on_and_may_write_again_when_allowed() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.join(B, true);
    net.type_text(B, "b");
    let outs = net.room.handle(
        net.now,
        Input::SetWritable {
            peer: B,
            writable: false,
        },
    );
    assert!(outs.is_empty(), "nothing to say until B writes");
    net.type_text(B, "!");
    assert!(matches!(
        net.disconnected.as_slice(),
        [(B, CollabError::ReadOnly)]
    ));
    assert_eq!(net.room_text(), "b");
    // Rights can come back: a reader made a writer writes.
    net.join(R, false);
    let outs = net.room.handle(
        net.now,
        Input::SetWritable {
            peer: R,
            writable: true,
        },
    );
    net.carry(outs);
    net.type_text(R, "r");
    assert_eq!(net.disconnected.len(), 1);
    assert!(net.room_text().contains('r'), "{}", net.room_text());
}

#[test]
fn a_reader_deleting_is_refused_too() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.type_text(A, "keep");
    net.join(R, false);
    net.edit(R, |txn| {
        txn.get_or_insert_text("t").remove_range(&mut *txn, 0, 2)
    });
    assert!(net.was_disconnected(R));
    assert_eq!(net.room_text(), "keep");
}

#[test]
fn a_reader_reconnecting_with_known_state_is_not_disconnected() {
    // A stock client answers our step 1 with everything it has that we lack, plus its
    // whole delete set: for a reader that only ever received, that changes nothing.
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.type_text(A, "hello");
    net.edit(A, |txn| {
        txn.get_or_insert_text("t").remove_range(&mut *txn, 0, 1)
    });
    net.join(R, false);
    let old = net.clients.remove(&R).unwrap();
    net.leave(R);
    net.join_with(R2, false, old);
    assert!(net.disconnected.is_empty(), "{:?}", net.disconnected);
    assert_eq!(net.clients[&R2].text(), "ello");
}

#[test]
fn a_malformed_frame_disconnects_only_its_sender() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.join(B, true);
    net.type_text(A, "safe");
    let before = net.room.snapshot();
    // Well framed, but the update inside is garbage.
    let mut bad = vec![0u8, 2, 5];
    bad.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    net.send(B, &bad);
    net.send(B, [0xde, 0xad, 0xbe, 0xef]); // ignored: B is gone
    assert!(matches!(
        net.disconnected.as_slice(),
        [(B, CollabError::Malformed(_))]
    ));
    assert_eq!(net.room.snapshot(), before);
    net.type_text(A, "!");
    assert_eq!(net.room_text(), "safe!");
    assert_eq!(net.room.peer_count(), 1);
}

#[test]
fn oversized_frames_disconnect() {
    let mut net = Net::new(Config {
        max_message_bytes: 64,
        ..Config::default()
    });
    net.join(A, true);
    net.type_text(A, &"x".repeat(200));
    assert!(matches!(
        net.disconnected.as_slice(),
        [(A, CollabError::TooLarge { .. })]
    ));
    assert_eq!(net.room_text(), "");
}

#[test]
fn readers_presence_is_not_relayed_when_the_flag_is_off() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.join(R, false);
    net.join(R2, false);
    net.presence(R, 30, 1, r#"{"user":"viewer"}"#);
    assert!(net.clients[&A].presence.is_empty());
    assert!(net.clients[&R2].presence.is_empty());
    assert_eq!(net.clients[&R].presence.len(), 1, "echoed to keep it alive");
    net.presence(A, 10, 1, r#"{"user":"presenter"}"#);
    assert_eq!(net.clients[&R].presence.len(), 2);
    assert_eq!(net.clients[&R2].presence.len(), 1);
    assert_eq!(
        net.clients[&A].presence.len(),
        1,
        "echoed to its sender too"
    );
    // Nothing of the viewer is kept for late joiners either.
    net.join(B, true);
    let b = &net.clients[&B].presence;
    assert!(b
        .iter()
        .all(|u| !u.clients.contains_key(&ClientID::new(30))));
    assert!(net.disconnected.is_empty());
}

#[test]
fn readers_presence_is_relayed_when_the_flag_is_on() {
    let mut net = Net::new(Config {
        awareness_for_readers: true,
        ..Config::default()
    });
    net.join(A, true);
    net.join(R, false);
    net.presence(R, 30, 1, r#"{"user":"viewer"}"#);
    assert_eq!(net.clients[&A].presence.len(), 1);
}

#[test]
fn a_late_joiner_gets_current_presence_in_its_own_frame() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.presence(A, 10, 1, r#"{"cursor":[1,2]}"#);
    let sv = StateVector::default();
    net.clients.insert(B, Client::new());
    let outs = net.room.handle(
        net.now,
        Input::Join {
            peer: B,
            writable: true,
        },
    );
    let frames: Vec<_> = outs
        .iter()
        .map(|o| match o {
            Output::Send { to: B, frame } => Message::decode_v1(frame).unwrap(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(matches!(
        frames.as_slice(),
        [Message::Sync(SyncMessage::SyncStep1(got)), Message::Awareness(a)]
            if *got == sv && a.clients.contains_key(&ClientID::new(10))
    ));
}

#[test]
fn presence_is_rate_limited_per_peer() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.join(B, true);
    for clock in 1..=30 {
        net.presence(A, 10, clock, r#"{"x":1}"#);
    }
    assert_eq!(net.clients[&B].presence.len(), 10, "the burst");
    net.now += Duration::from_millis(500);
    for clock in 31..=40 {
        net.presence(A, 10, clock, r#"{"x":2}"#);
    }
    assert_eq!(
        net.clients[&B].presence.len(),
        15,
        "five more after half a second"
    );
    assert!(
        net.disconnected.is_empty(),
        "excess is dropped, not punished"
    );
}

#[test]
fn oversized_presence_disconnects() {
    let mut net = Net::new(Config {
        max_awareness_bytes: 100,
        ..Config::default()
    });
    net.join(A, true);
    net.join(B, true);
    net.presence(A, 10, 1, &format!("\"{}\"", "x".repeat(200)));
    assert!(matches!(
        net.disconnected.as_slice(),
        [(A, CollabError::TooLarge { .. })]
    ));
    assert!(net.clients[&B].presence.is_empty());
}

#[test]
fn a_peer_cannot_speak_for_anothers_client() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.join(B, true);
    net.join(R, false);
    net.presence(A, 10, 1, r#"{"name":"A"}"#);
    net.presence(B, 10, 2, r#"{"name":"forged"}"#);
    assert_eq!(net.clients[&R].presence.len(), 1);
    let state = &net.clients[&R].presence[0].clients[&ClientID::new(10)];
    assert_eq!(&*state.json, r#"{"name":"A"}"#);
}

#[test]
fn leaving_clears_presence_for_everyone_else() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.join(B, true);
    net.presence(A, 10, 1, r#"{"name":"A"}"#);
    net.leave(A);
    let last = net.clients[&B].presence.last().unwrap();
    let entry = &last.clients[&ClientID::new(10)];
    assert_eq!(&*entry.json, "null");
    assert!(entry.clock > 1);
    assert_eq!(net.room.peer_count(), 1);
}

#[test]
fn the_log_is_compacted_after_n_updates() {
    let mut net = Net::new(Config {
        compact_after: 3,
        ..Config::default()
    });
    net.join(A, true);
    for s in ["a", "b", "c", "d"] {
        net.type_text(A, s);
    }
    assert_eq!(net.persisted.len(), 4);
    assert_eq!(net.compactions.len(), 1);
    assert!(net.room.has_uncompacted());
    let doc = Doc::new();
    doc.transact_mut()
        .apply_update(Update::decode_v1(&net.compactions[0]).unwrap())
        .unwrap();
    assert_eq!(
        doc.get_or_insert_text("t").get_string(&doc.transact()),
        "abc"
    );
}

#[test]
fn a_full_document_refuses_more() {
    let mut net = Net::new(Config {
        max_doc_bytes: 100,
        ..Config::default()
    });
    net.join(A, true);
    net.type_text(A, "small");
    net.type_text(A, &"x".repeat(150));
    assert!(matches!(
        net.disconnected.as_slice(),
        [(A, CollabError::DocumentFull { .. })]
    ));
    assert_eq!(net.room_text(), "small");
}

#[test]
fn duplicates_are_neither_relayed_nor_stored() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.join(B, true);
    let update = {
        let doc = &net.clients[&A].doc;
        let text = doc.get_or_insert_text("t");
        let mut txn = doc.transact_mut();
        text.push(&mut txn, "once");
        txn.encode_update_v1()
    };
    net.send(A, protocol::update(update.clone()));
    net.send(A, protocol::update(update));
    net.pump();
    assert_eq!(net.persisted.len(), 1);
    assert_eq!(net.clients[&B].text(), "once");
}

#[test]
fn what_was_stored_restores_after_a_restart() {
    let store = MemStore::default();
    let key = DocKey {
        tenant: TenantId::new(),
        meeting: MeetingId::new(),
        name: DocName::Board(uuid::Uuid::now_v7()),
    };
    let cfg = Config {
        compact_after: 4,
        ..Config::default()
    };
    let mut net = Net::new(cfg.clone());
    net.join(A, true);
    for s in ["one ", "two ", "three ", "four ", "five "] {
        net.type_text(A, s);
    }
    net.edit(A, |txn| {
        txn.get_or_insert_array("strokes")
            .push_back(&mut *txn, vec![0.5, 0.25]);
    });
    // Carry out the storage outputs in the order the room produced them.
    let mut log: Vec<Output> = Vec::new();
    let (mut p, mut c) = (net.persisted.iter(), net.compactions.iter());
    // 6 updates, compaction after the 4th: append×4, compact, append×2.
    for _ in 0..4 {
        log.push(Output::Persist(p.next().unwrap().clone()));
    }
    log.push(Output::Compact(c.next().unwrap().clone()));
    log.extend(p.map(|u| Output::Persist(u.clone())));
    for o in log {
        match o {
            Output::Persist(u) => block_on(store.append(&key, &u)).unwrap(),
            Output::Compact(s) => block_on(store.compact(&key, &s)).unwrap(),
            _ => unreachable!(),
        }
    }
    let stored = block_on(store.load(&key)).unwrap();
    assert!(stored.snapshot.is_some());
    assert_eq!(stored.updates.len(), 2);

    let (room, skipped) = Room::restore(cfg, stored);
    assert_eq!(skipped, 0);
    assert_eq!(room.snapshot(), net.room.snapshot());
    let mut again = Net::with_room(room);
    again.join(B, false);
    assert_eq!(again.clients[&B].text(), "one two three four five ");
    let strokes = again.clients[&B].doc.get_or_insert_array("strokes");
    assert_eq!(strokes.len(&again.clients[&B].doc.transact()), 1);
}

#[test]
fn corrupt_stored_entries_are_skipped() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.type_text(A, "ok");
    let stored = Stored {
        snapshot: None,
        updates: vec![net.persisted[0].clone(), vec![1, 2, 3]],
    };
    let (room, skipped) = Room::restore(Config::default(), stored);
    assert_eq!(skipped, 1);
    let t = room.doc().get_or_insert_text("t");
    assert_eq!(t.get_string(&room.doc().transact()), "ok");
}

#[test]
fn unknown_peers_are_ignored() {
    let mut room = Room::new(Config::default());
    let now = Instant::now();
    assert!(room
        .handle(
            now,
            Input::Frame {
                peer: A,
                frame: &[0, 0, 1, 0]
            }
        )
        .is_empty());
    assert!(room.handle(now, Input::Leave { peer: A }).is_empty());
}

#[test]
fn an_awareness_query_gets_everyones_presence() {
    let mut net = Net::new(Config::default());
    net.join(A, true);
    net.join(R, false);
    net.presence(A, 10, 1, r#"{"n":1}"#);
    let before = net.clients[&R].presence.len();
    net.send(R, [3u8]);
    net.pump();
    assert_eq!(net.clients[&R].presence.len(), before + 1);
}
