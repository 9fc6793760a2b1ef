//! The bounded queue from a live runtime to one socket it writes to.
//!
//! A runtime never waits on a socket: [`Outbox::push`] queues a message or, when the
//! queue is full, cuts the socket off as too slow. A cut socket closes at once, without
//! first writing what is still queued (that backlog is what made it too slow). The
//! socket's side, [`OutboxRx`], is drained by the edge's socket module (`api::socket`).

use std::sync::Arc;

use tokio::sync::{mpsc, Notify};

/// Makes an outbox holding at most `capacity` messages.
pub fn outbox<M>(capacity: usize) -> (Outbox<M>, OutboxRx<M>) {
    let (tx, rx) = mpsc::channel(capacity);
    let cut = Arc::new(Notify::new());
    (
        Outbox {
            tx,
            cut: cut.clone(),
        },
        OutboxRx { rx, cut },
    )
}

/// The runtime's end: cheap to clone.
#[derive(Debug)]
pub struct Outbox<M> {
    tx: mpsc::Sender<M>,
    cut: Arc<Notify>,
}

impl<M> Clone for Outbox<M> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
            cut: self.cut.clone(),
        }
    }
}

/// Why a message was not queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotQueued {
    /// The queue was full: the socket has been cut off.
    TooSlow,
    /// The socket has already gone.
    Gone,
}

impl<M> Outbox<M> {
    /// Queues `msg` without waiting; a full queue cuts the socket off.
    pub fn push(&self, msg: M) -> Result<(), NotQueued> {
        match self.tx.try_send(msg) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.cut();
                Err(NotQueued::TooSlow)
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(NotQueued::Gone),
        }
    }

    /// Queues `msg`, waiting for room: only for tasks of their own (never a runtime's
    /// loop), whose wait holds up nobody else.
    pub async fn send(&self, msg: M) -> Result<(), NotQueued> {
        self.tx.send(msg).await.map_err(|_| NotQueued::Gone)
    }

    /// Closes the socket now, whatever is still queued.
    pub fn cut(&self) {
        self.cut.notify_one();
    }
}

/// What the socket's end takes out next.
#[derive(Debug)]
pub enum Taken<M> {
    Message(M),
    /// The runtime cut the socket off.
    Cut,
    /// The runtime dropped every [`Outbox`] (it let the socket go, or stopped).
    Dropped,
}

/// The socket's end.
#[derive(Debug)]
pub struct OutboxRx<M> {
    rx: mpsc::Receiver<M>,
    cut: Arc<Notify>,
}

impl<M> OutboxRx<M> {
    /// The next message, or why there is none. Cancel-safe.
    pub async fn take(&mut self) -> Taken<M> {
        tokio::select! {
            biased;
            () = self.cut.notified() => Taken::Cut,
            msg = self.rx.recv() => msg.map_or(Taken::Dropped, Taken::Message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_outbox_cuts_its_socket_before_the_backlog_is_written() {
        let (tx, mut rx) = outbox(2);
        assert_eq!(tx.push(1), Ok(()));
        assert_eq!(tx.push(2), Ok(()));
        assert_eq!(tx.push(3), Err(NotQueued::TooSlow));
        assert!(matches!(rx.take().await, Taken::Cut));
    }

    #[tokio::test]
    async fn messages_come_out_in_order_then_the_drop_is_seen() {
        let (tx, mut rx) = outbox(4);
        tx.push("a").unwrap();
        tx.push("b").unwrap();
        drop(tx);
        assert!(matches!(rx.take().await, Taken::Message("a")));
        assert!(matches!(rx.take().await, Taken::Message("b")));
        assert!(matches!(rx.take().await, Taken::Dropped));
    }

    #[tokio::test]
    async fn pushing_to_a_gone_socket_says_so() {
        let (tx, rx) = outbox(4);
        drop(rx);
        assert_eq!(tx.push(()), Err(NotQueued::Gone));
    }
}
