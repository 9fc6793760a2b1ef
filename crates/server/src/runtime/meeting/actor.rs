//! The meeting actor: the one owner of a live meeting.
//!
//! It feeds joins, commands, drops and timer ticks to the pure [`Meeting`] and carries
//! out what comes back: it serialises each event once, queues it for every recipient's
//! connection (without ever waiting on one: a full queue cuts that connection off as
//! too slow), keeps a bounded per-participant replay buffer so a dropped client
//! resumes without gaps or duplicates, and hands durable changes to a persister task
//! that batches them into the store.
//!
//! It also keeps every open shared-document socket of the meeting told what its
//! participant may do with that document: after each input, before its outputs go out,
//! the rights are checked again, so a change of permission, role, membership, page or
//! meeting state reaches those sockets before anyone hears of it.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
};

use axum::extract::ws::Utf8Bytes;
use chrono::Utc;
use confab_core::meeting::{Input, Meeting, MeetingConfig, Output, Persist, Restored, Seat};
use confab_proto::{
    content::DocumentInfo,
    room::{ByeReason, ClientMsg, Resume, RoomErrorCode, ServerMsg},
    shared_doc::DocName,
    DocumentId, MeetingId, ParticipantId, Seq, TenantId, PROTOCOL_VERSION,
};
use confab_store::{BlobKey, Blobs, MeetingRow, Store};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;

use confab_media::sfu::{Gate, Notice, SfuError};

use crate::{
    config::Limits,
    runtime::{
        media::{Media, OfferError},
        outbox::{NotQueued, Outbox},
    },
    secrets::new_secret,
};

/// How a refused offer is reported on the room channel.
fn offer_error_code(e: &OfferError) -> RoomErrorCode {
    match e {
        OfferError::Refused(SfuError::Forbidden(_)) => RoomErrorCode::NotAllowed,
        OfferError::Sdp(_) | OfferError::Refused(_) | OfferError::ShuttingDown => {
            RoomErrorCode::Invalid
        }
    }
}

/// Identifies one WebSocket connection (a seat may reconnect on a new one).
pub(crate) type ConnId = u64;

/// What a socket task hands the actor so it can be written to.
pub(crate) struct Conn {
    pub id: ConnId,
    pub tx: Outbox<Outbound>,
}

/// What a participant may do with a shared document right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocAccess {
    Write,
    Read,
    /// Not open to them any more (they left, the meeting ended, the page went, or they
    /// may no longer see it).
    Withdrawn,
}

impl DocAccess {
    fn of(access: Option<bool>) -> Self {
        match access {
            Some(true) => DocAccess::Write,
            Some(false) => DocAccess::Read,
            None => DocAccess::Withdrawn,
        }
    }
}

/// One open shared-document socket, and the channel that tells it its rights.
struct DocWatch {
    participant: ParticipantId,
    name: DocName,
    tx: watch::Sender<DocAccess>,
}

/// What the actor queues for a socket task to write.
#[derive(Debug)]
pub(crate) enum Outbound {
    Frame(Utf8Bytes),
    /// Send `bye` with this reason, then close.
    Bye(ByeReason),
}

/// Messages to the actor.
pub(crate) enum ActorMsg {
    Hello {
        seat: Seat,
        resume: Option<Resume>,
        conn: Conn,
    },
    Command {
        participant: ParticipantId,
        conn: ConnId,
        reference: Option<u32>,
        msg: ClientMsg,
    },
    Closed {
        participant: ParticipantId,
        conn: ConnId,
    },
    /// End the meeting for everyone (it was cancelled).
    End(ByeReason),
    /// These seats' join tokens were revoked: out they go.
    Revoke(Vec<ParticipantId>),
    /// A document's conversion progressed.
    Document(DocumentInfo),
    /// May this participant fetch this page now?
    MayViewPage {
        participant: ParticipantId,
        document: DocumentId,
        page: u32,
        reply: oneshot::Sender<bool>,
    },
    /// Is this participant in the meeting as a presenter (e.g. may upload)?
    IsPresenter {
        participant: ParticipantId,
        reply: oneshot::Sender<bool>,
    },
    /// A shared document is being opened: `None` if this participant may not open it
    /// (for an annotation layer, they must be able to see its page), else what they may
    /// do, kept current for as long as the receiver lives.
    OpenDoc {
        participant: ParticipantId,
        name: DocName,
        reply: oneshot::Sender<Option<watch::Receiver<DocAccess>>>,
    },
    /// A document to export with its annotations: `None` if `participant` cannot see it,
    /// `Some((document, allowed))` otherwise.
    Export {
        participant: ParticipantId,
        document: DocumentId,
        reply: oneshot::Sender<Option<(DocumentInfo, bool)>>,
    },
    /// Something the meeting's SFU noticed (from the media loop).
    Media(Notice),
}

struct ConnState {
    conn: Conn,
    resume: Option<Resume>,
    /// Events flow only after the welcome (before it, they wait in the replay buffer).
    welcomed: bool,
}

/// Events addressed to one participant, for resuming.
#[derive(Default)]
struct ReplayBuf {
    frames: VecDeque<(Seq, Utf8Bytes)>,
    /// The newest seq dropped from the front: resuming from before it is impossible.
    evicted_through: Seq,
}

pub(crate) struct Actor {
    meeting: Meeting,
    id: MeetingId,
    tenant: TenantId,
    instant: bool,
    /// Identifies this run of the actor; a resume from another run gets a snapshot.
    epoch: String,
    conns: HashMap<ParticipantId, ConnState>,
    replay: HashMap<ParticipantId, ReplayBuf>,
    limits: Limits,
    store: Store,
    blobs: Blobs,
    media: Media,
    /// This actor's own address, for the media loop to report back.
    me: mpsc::Sender<ActorMsg>,
    /// The tenant's region: where its blobs live.
    region: String,
    live: Arc<AtomicU32>,
    /// Disconnects decided while carrying out outputs (connections that were too slow).
    deferred: Vec<ParticipantId>,
    /// Open shared-document sockets, told whenever their rights change.
    docs: Vec<DocWatch>,
}

fn frame(msg: &ServerMsg) -> Utf8Bytes {
    serde_json::to_string(msg)
        .expect("server messages always serialize")
        .into()
}

impl Actor {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        cfg: MeetingConfig,
        restored: Restored,
        row: &MeetingRow,
        region: String,
        store: Store,
        blobs: Blobs,
        media: Media,
        me: mpsc::Sender<ActorMsg>,
        limits: Limits,
        live: Arc<AtomicU32>,
    ) -> Self {
        Self {
            meeting: Meeting::new(cfg, restored),
            id: row.id(),
            tenant: row.tenant(),
            instant: row.instant,
            epoch: new_secret()[..16].to_owned(),
            conns: HashMap::new(),
            replay: HashMap::new(),
            limits,
            store,
            blobs,
            media,
            me,
            region,
            live,
            deferred: Vec::new(),
            docs: Vec::new(),
        }
    }

    /// Runs until the meeting is idle or ended with nobody connected, or until shutdown.
    pub async fn run(mut self, mut rx: mpsc::Receiver<ActorMsg>, shutdown: CancellationToken) {
        let (persist_tx, persist_rx) = mpsc::channel(self.limits.runtime_queue);
        let persister = tokio::spawn(persist_loop(
            self.store.clone(),
            self.blobs.clone(),
            self.region.clone(),
            self.tenant,
            self.id,
            self.instant,
            persist_rx,
        ));
        tracing::info!(meeting = %self.id, epoch = %self.epoch, "meeting actor started");
        loop {
            let deadline = self.meeting.next_deadline().map(|t| {
                let wait = (t - Utc::now()).to_std().unwrap_or_default();
                tokio::time::Instant::now() + wait
            });
            let idle_for =
                if self.conns.is_empty() && (self.meeting.is_idle() || self.meeting.is_ended()) {
                    Some(self.limits.idle_linger())
                } else {
                    None
                };
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(msg) => self.on_message(msg, &persist_tx).await,
                    None => break,
                },
                () = async { tokio::time::sleep_until(deadline.expect("guarded")).await }, if deadline.is_some() => {
                    self.apply(Input::Tick, None, &persist_tx).await;
                }
                () = tokio::time::sleep(idle_for.unwrap_or_default()), if idle_for.is_some() => {
                    // Idle: stop taking messages; any hello that raced in is told to retry.
                    rx.close();
                    while let Some(msg) = rx.recv().await {
                        if let ActorMsg::Hello { conn, .. } = msg {
                            let _ = conn.tx.push(Outbound::Bye(ByeReason::ServerShutdown));
                        }
                    }
                    // Nobody is in it: no shared document stays open to anyone.
                    for doc in self.docs.drain(..) {
                        doc.tx.send_replace(DocAccess::Withdrawn);
                    }
                    break;
                }
                () = shutdown.cancelled() => {
                    for (_, c) in self.conns.drain() {
                        let _ = c.conn.tx.push(Outbound::Bye(ByeReason::ServerShutdown));
                    }
                    // Shared-document sockets see their watch end, and reconnect later.
                    break;
                }
            }
            self.live
                .store(self.meeting.member_count() as u32, Ordering::Relaxed);
        }
        drop(persist_tx);
        if let Err(e) = persister.await {
            tracing::error!(meeting = %self.id, error = %e, "persister failed");
        }
        tracing::info!(meeting = %self.id, "meeting actor stopped");
    }

    async fn on_message(&mut self, msg: ActorMsg, persist: &mpsc::Sender<Persist>) {
        match msg {
            ActorMsg::Hello { seat, resume, conn } => {
                if let Some(old) = self.conns.remove(&seat.id) {
                    // A full queue cuts the old connection off instead.
                    let _ = old.conn.tx.push(Outbound::Bye(ByeReason::Replaced));
                }
                let id = seat.id;
                self.conns.insert(
                    id,
                    ConnState {
                        conn,
                        resume,
                        welcomed: false,
                    },
                );
                self.apply(Input::Connect(seat), None, persist).await;
            }
            ActorMsg::Command {
                participant,
                conn,
                reference,
                msg,
            } => {
                if self
                    .conns
                    .get(&participant)
                    .is_some_and(|c| c.conn.id == conn)
                {
                    self.apply(Input::Command(participant, msg), reference, persist)
                        .await;
                }
            }
            ActorMsg::Closed { participant, conn } => {
                if self
                    .conns
                    .get(&participant)
                    .is_some_and(|c| c.conn.id == conn)
                {
                    self.conns.remove(&participant);
                    self.apply(Input::Disconnect(participant), None, persist)
                        .await;
                }
            }
            ActorMsg::End(reason) => self.apply(Input::End(reason), None, persist).await,
            ActorMsg::Revoke(seats) => self.apply(Input::Revoke(seats), None, persist).await,
            ActorMsg::Document(doc) => self.apply(Input::Document(doc), None, persist).await,
            ActorMsg::MayViewPage {
                participant,
                document,
                page,
                reply,
            } => {
                let _ = reply.send(self.meeting.may_view_page(participant, document, page));
            }
            ActorMsg::IsPresenter { participant, reply } => {
                let _ = reply.send(self.meeting.is_presenter(participant));
            }
            ActorMsg::Export {
                participant,
                document,
                reply,
            } => {
                let doc = self.meeting.document_for(participant, document);
                let allowed = self.meeting.may_export(participant, document);
                let _ = reply.send(doc.map(|d| (d, allowed)));
            }
            ActorMsg::OpenDoc {
                participant,
                name,
                reply,
            } => {
                let access = self.doc_access(participant, name);
                if access == DocAccess::Withdrawn {
                    let _ = reply.send(None);
                    return;
                }
                let (tx, rx) = watch::channel(access);
                if reply.send(Some(rx)).is_ok() {
                    self.docs.push(DocWatch {
                        participant,
                        name,
                        tx,
                    });
                }
            }
            ActorMsg::Media(notice) => self.media_notice(notice, persist).await,
        }
    }

    /// Applies one input and carries out its outputs (and any disconnects they cause).
    async fn apply(
        &mut self,
        input: Input,
        reference: Option<u32>,
        persist: &mpsc::Sender<Persist>,
    ) {
        let mut outputs = self.meeting.handle(Utc::now(), input);
        loop {
            self.recheck_docs();
            for out in outputs {
                self.carry_out(out, reference, persist).await;
            }
            let Some(slow) = self.deferred.pop() else {
                break;
            };
            outputs = self.meeting.handle(Utc::now(), Input::Disconnect(slow));
        }
        self.replay.retain(|id, _| self.meeting.is_member(*id));
    }

    async fn carry_out(
        &mut self,
        out: Output,
        reference: Option<u32>,
        persist: &mpsc::Sender<Persist>,
    ) {
        match out {
            Output::Event { seq, to, event } => {
                let f = frame(&ServerMsg::Event { seq, event });
                let cap = self.limits.replay_events;
                for id in to {
                    let buf = self.replay.entry(id).or_default();
                    if buf.frames.len() >= cap {
                        if let Some((evicted, _)) = buf.frames.pop_front() {
                            buf.evicted_through = evicted;
                        }
                    }
                    buf.frames.push_back((seq, f.clone()));
                    if self.conns.get(&id).is_some_and(|c| c.welcomed) {
                        self.send(id, f.clone());
                    }
                }
            }
            Output::Welcome { to, returning } => self.welcome(to, returning),
            Output::Lobby { to, reason } => {
                let title = self.meeting.config().title.clone();
                self.send(to, frame(&ServerMsg::Lobby { reason, title }));
            }
            Output::Error { to, code, message } => {
                self.send(
                    to,
                    frame(&ServerMsg::Error {
                        code,
                        message,
                        reference,
                    }),
                );
            }
            Output::Bye { to, reason } => {
                if let Some(c) = self.conns.remove(&to) {
                    let _ = c.conn.tx.push(Outbound::Bye(reason));
                }
            }
            Output::MediaOffer {
                from,
                sdp,
                audio,
                video,
            } => {
                let Some(tx) = self.conns.get(&from).map(|c| c.conn.tx.clone()) else {
                    return;
                };
                // Commands reach the media loop in the meeting's order; answering takes it
                // a moment, which the meeting does not wait for.
                let gate = Gate { audio, video };
                let policy = &self.meeting.config().policy;
                let answer = self
                    .media
                    .offer(self.id, from, sdp, gate, policy, self.me.clone())
                    .await;
                tokio::spawn(async move {
                    let msg = match answer.await {
                        Ok(sdp) => ServerMsg::MediaAnswer { sdp },
                        Err(e) => ServerMsg::Error {
                            code: offer_error_code(&e),
                            message: e.to_string(),
                            reference,
                        },
                    };
                    let _ = tx.send(Outbound::Frame(frame(&msg))).await;
                });
            }
            Output::MediaLayout { from, tiles } => self.media.layout(self.id, from, tiles).await,
            Output::MediaGate {
                participant,
                audio,
                video,
            } => {
                let gate = Gate { audio, video };
                self.media.gate(self.id, participant, gate).await;
            }
            Output::MediaGone { participant } => self.media.gone(self.id, participant).await,
            Output::Persist(p) => {
                if persist.send(p).await.is_err() {
                    tracing::error!(meeting = %self.id, "persister gone; change not saved");
                }
            }
        }
    }

    /// Relays what the SFU noticed: slots, layers and undecodable tracks to the
    /// participant concerned, the dominant speaker to the meeting (a sequenced event for
    /// everyone).
    async fn media_notice(&mut self, notice: Notice, persist: &mpsc::Sender<Persist>) {
        let (to, msg) = match notice {
            Notice::Slots {
                participant,
                audio,
                video,
            } => (participant, ServerMsg::MediaSlots { audio, video }),
            Notice::Layers {
                participant,
                active,
            } => (participant, ServerMsg::MediaLayers { active }),
            Notice::Undecodable {
                participant,
                tracks,
            } => (participant, ServerMsg::MediaUndecodable { tracks }),
            Notice::DominantSpeaker(p) => {
                return self.apply(Input::DominantSpeaker(p), None, persist).await;
            }
            Notice::Gone(p) => {
                tracing::debug!(meeting = %self.id, participant = %p, "media connection lost");
                return;
            }
        };
        if self.conns.get(&to).is_some_and(|c| c.welcomed) {
            self.send(to, frame(&msg));
        }
    }

    /// Sends the welcome: a resume (then the missed events) when the client's resume
    /// point is still covered by its replay buffer, else a fresh snapshot.
    fn welcome(&mut self, to: ParticipantId, returning: bool) {
        let Some(state) = self.conns.get_mut(&to) else {
            return;
        };
        state.welcomed = true;
        let resume_from = state
            .resume
            .take()
            .filter(|r| returning && r.epoch == self.epoch)
            .map(|r| r.since)
            .filter(|since| *since <= self.meeting.seq())
            .filter(|since| {
                self.replay
                    .get(&to)
                    .is_none_or(|b| *since >= b.evicted_through)
            });
        let snapshot = match resume_from {
            Some(_) => None,
            None => self.meeting.snapshot(to).map(|mut s| {
                s.ice_servers = self.media.ice_servers(to);
                Box::new(s)
            }),
        };
        let welcome = ServerMsg::Welcome {
            protocol: PROTOCOL_VERSION,
            epoch: self.epoch.clone(),
            you: to,
            seq: resume_from.unwrap_or(self.meeting.seq()),
            snapshot,
        };
        self.send(to, frame(&welcome));
        if let Some(since) = resume_from {
            let missed: Vec<Utf8Bytes> = self.replay.get(&to).map_or_else(Vec::new, |b| {
                b.frames
                    .iter()
                    .filter(|(s, _)| *s > since)
                    .map(|(_, f)| f.clone())
                    .collect()
            });
            for f in missed {
                self.send(to, f);
            }
        }
    }

    /// Queues a frame for a connection; a full queue means the client is too slow.
    fn send(&mut self, to: ParticipantId, f: Utf8Bytes) {
        let Some(c) = self.conns.get(&to) else { return };
        match c.conn.tx.push(Outbound::Frame(f)) {
            Ok(()) | Err(NotQueued::Gone) => {}
            Err(NotQueued::TooSlow) => {
                tracing::warn!(meeting = %self.id, participant = %to, "connection too slow; cutting it off");
                self.conns.remove(&to);
                self.deferred.push(to);
            }
        }
    }

    /// What `participant` may do with `name` now: nothing once the meeting has ended.
    fn doc_access(&self, participant: ParticipantId, name: DocName) -> DocAccess {
        if self.meeting.is_ended() {
            return DocAccess::Withdrawn;
        }
        DocAccess::of(self.meeting.collab_access(participant, name))
    }

    /// Tells every open shared-document socket whose rights changed; forgets those that
    /// were withdrawn or have closed.
    fn recheck_docs(&mut self) {
        let mut docs = std::mem::take(&mut self.docs);
        docs.retain(|doc| {
            let access = self.doc_access(doc.participant, doc.name);
            doc.tx.send_if_modified(|current| {
                let changed = *current != access;
                *current = access;
                changed
            });
            access != DocAccess::Withdrawn && !doc.tx.is_closed()
        });
        self.docs = docs;
    }
}

/// Writes durable changes, batching chat messages into one transaction.
async fn persist_loop(
    store: Store,
    blobs: Blobs,
    region: String,
    tenant: TenantId,
    meeting: MeetingId,
    instant: bool,
    mut rx: mpsc::Receiver<Persist>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < 256 {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let mut chat = Vec::new();
        for p in batch {
            let result = match p {
                Persist::Chat(m) => {
                    chat.push(m);
                    Ok(())
                }
                Persist::Permissions(p) => store.save_permissions(tenant, meeting, &p).await,
                Persist::Locked(l) => store.save_locked(tenant, meeting, l).await,
                Persist::Bar { seat, user } => store.add_ban(tenant, meeting, seat, user).await,
                Persist::Stage(stage) => store.save_stage(tenant, meeting, stage).await,
                // Made in the meeting: nothing was uploaded, so nothing counts to the quota.
                Persist::Document(doc) => store.save_document(tenant, meeting, &doc, 0).await,
                Persist::DocumentRemoved { id, shared } => {
                    let prefix = BlobKey::document_prefix(tenant, meeting, id);
                    if let Err(e) = blobs.delete_prefix(&region, &prefix).await {
                        tracing::error!(%meeting, error = %e, "deleting a document's blobs failed");
                    }
                    match store.delete_shared_docs(tenant, meeting, &shared).await {
                        Ok(()) => store.delete_document(tenant, meeting, id).await,
                        Err(e) => Err(e),
                    }
                }
                Persist::SharedDocsRemoved(shared) => {
                    store.delete_shared_docs(tenant, meeting, &shared).await
                }
                Persist::Seat {
                    seat,
                    role,
                    admitted,
                } => {
                    store
                        .set_seat_admission(tenant, meeting, seat, role, admitted)
                        .await
                }
                Persist::Ended => {
                    // An instant meeting is over for good; a scheduled one may meet again.
                    let status = if instant {
                        store.mark_ended(tenant, meeting).await
                    } else {
                        Ok(())
                    };
                    match status {
                        Ok(()) => store.clear_meeting_state(tenant, meeting).await,
                        e => e,
                    }
                }
            };
            if let Err(e) = result {
                tracing::error!(%meeting, error = %e, "saving meeting state failed");
            }
        }
        if !chat.is_empty() {
            if let Err(e) = store.append_chat(tenant, meeting, &chat).await {
                tracing::error!(%meeting, error = %e, count = chat.len(), "saving chat failed");
            }
        }
    }
}
