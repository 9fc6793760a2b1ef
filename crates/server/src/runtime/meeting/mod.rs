//! Live meetings: one actor per meeting ([`actor`]); [`LiveMeetings`] finds or starts
//! the actor of a meeting.
//!
//! A meeting actor owns all of a live meeting's state; sockets (`api::room_channel`)
//! only send it messages and write what it queues for them. The actor never awaits a
//! socket.

mod actor;

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
};

use chrono::TimeDelta;
use confab_core::meeting::{MeetingConfig, Restored};
use confab_proto::MeetingId;
use confab_store::{Blobs, MeetingRow, Store, StoreError};
use tokio::sync::{mpsc, Mutex};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::{config::Config, runtime::media::Media};
pub use actor::DocAccess;
pub(crate) use actor::{ActorMsg, Conn, Outbound};

/// The address of a running meeting actor.
#[derive(Clone)]
pub(crate) struct MeetingHandle {
    pub tx: mpsc::Sender<ActorMsg>,
    live: Arc<AtomicU32>,
}

/// All meeting actors of this node.
#[derive(Clone)]
pub struct LiveMeetings {
    map: Arc<Mutex<HashMap<MeetingId, MeetingHandle>>>,
    store: Store,
    blobs: Blobs,
    media: Media,
    config: Arc<Config>,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl LiveMeetings {
    pub fn new(
        store: Store,
        blobs: Blobs,
        media: Media,
        config: Arc<Config>,
        shutdown: CancellationToken,
    ) -> Self {
        Self {
            map: Arc::default(),
            store,
            blobs,
            media,
            config,
            shutdown,
            tasks: TaskTracker::new(),
        }
    }

    /// People in a meeting right now (0 if it is not live on this node).
    pub async fn live_participants(&self, id: MeetingId) -> u32 {
        self.map
            .lock()
            .await
            .get(&id)
            .map_or(0, |h| h.live.load(Ordering::Relaxed))
    }

    /// Asks a meeting's actor something; `None` when the meeting is not live here.
    pub(crate) async fn ask<T>(
        &self,
        id: MeetingId,
        make: impl FnOnce(tokio::sync::oneshot::Sender<T>) -> ActorMsg,
    ) -> Option<T> {
        let handle = self.map.lock().await.get(&id).cloned()?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        handle.tx.send(make(tx)).await.ok()?;
        rx.await.ok()
    }

    /// Tells a live meeting about a document's progress (ignored when not live: the
    /// store has it, and the next start of the meeting reads it from there).
    pub(crate) async fn document(&self, id: MeetingId, doc: confab_proto::content::DocumentInfo) {
        let handle = self.map.lock().await.get(&id).cloned();
        if let Some(h) = handle {
            let _ = h.tx.send(ActorMsg::Document(doc)).await;
        }
    }

    /// Ends a live meeting for everyone in it, if it is live here.
    pub async fn end(&self, id: MeetingId, reason: confab_proto::room::ByeReason) {
        let handle = self.map.lock().await.get(&id).cloned();
        if let Some(h) = handle {
            let _ = h.tx.send(ActorMsg::End(reason)).await;
        }
    }

    /// Seats whose join tokens were revoked leave a live meeting at once (if it is live
    /// here; otherwise their tokens simply no longer open it).
    pub async fn revoke(&self, id: MeetingId, seats: Vec<confab_proto::ParticipantId>) {
        if seats.is_empty() {
            return;
        }
        let handle = self.map.lock().await.get(&id).cloned();
        if let Some(h) = handle {
            let _ = h.tx.send(ActorMsg::Revoke(seats)).await;
        }
    }

    /// The running actor of `meeting`, started (with its durable state restored) if needed.
    pub(crate) async fn get_or_start(
        &self,
        meeting: &MeetingRow,
    ) -> Result<MeetingHandle, StoreError> {
        let mut map = self.map.lock().await;
        if let Some(h) = map.get(&meeting.id()) {
            if !h.tx.is_closed() {
                return Ok(h.clone());
            }
        }
        let tenant = self
            .store
            .tenant(meeting.tenant())
            .await?
            .ok_or(StoreError::Corrupt("meeting without tenant"))?;
        let l = &self.config.limits;
        let state = self
            .store
            .meeting_state(meeting.tenant(), meeting.id())
            .await?;
        let chat = self
            .store
            .chat(meeting.tenant(), meeting.id(), l.chat_history)
            .await?;
        let cfg = MeetingConfig {
            meeting: meeting.id(),
            title: meeting.title.clone(),
            policy: tenant.policy()?,
            lobby: meeting.lobby,
            wait_for_presenter: meeting.wait_for_presenter,
            max_chat_chars: l.max_chat_chars,
            max_pages: self.config.convert.max_pages,
            chat_history: l.chat_history as usize,
            chat_burst: l.chat_burst,
            chat_per_second: l.chat_per_second,
            reconnect_grace: TimeDelta::from_std(l.reconnect_grace())
                .unwrap_or(TimeDelta::seconds(60)),
            max_lobby: l.max_lobby,
        };
        let restored = Restored {
            permissions: state.permissions,
            locked: state.locked,
            chat,
            barred_seats: state.barred_seats,
            barred_users: state.barred_users,
            admitted: state.admitted,
            documents: self.store.documents(meeting.tenant(), meeting.id()).await?,
            stage: state.stage,
        };
        let (tx, rx) = mpsc::channel(self.config.limits.runtime_queue);
        let live = Arc::new(AtomicU32::new(0));
        let handle = MeetingHandle {
            tx,
            live: live.clone(),
        };
        map.insert(meeting.id(), handle.clone());
        let actor = actor::Actor::new(
            cfg,
            restored,
            meeting,
            tenant.region.clone(),
            self.store.clone(),
            self.blobs.clone(),
            self.media.clone(),
            handle.tx.clone(),
            self.config.limits.clone(),
            live,
        );
        let (map, shutdown) = (self.map.clone(), self.shutdown.clone());
        let id = meeting.id();
        let tx_for_cleanup = handle.tx.clone();
        self.tasks.spawn(async move {
            actor.run(rx, shutdown).await;
            let mut map = map.lock().await;
            if map
                .get(&id)
                .is_some_and(|h| h.tx.same_channel(&tx_for_cleanup))
            {
                map.remove(&id);
            }
        });
        Ok(handle)
    }

    /// Waits until every meeting actor has said goodbye and flushed its writes
    /// (after the shutdown token is cancelled).
    pub async fn drained(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }
}
