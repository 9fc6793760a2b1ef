//! One participant's WebSocket on the room channel.
//!
//! Reads the `hello`, resolves the join token to a seat, hands the connection to the
//! meeting actor, then pumps frames both ways: client frames are size-checked,
//! rate-limited and decoded here (bad ones get an `error` and the connection stays),
//! valid commands go to the actor, and whatever the actor queues is written out with a
//! deadline. Close codes come from [`ByeReason::close_code`], in one place.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use chrono::Utc;
use confab_core::{meeting::Seat, ratelimit::TokenBucket};
use confab_proto::{
    rest::MeetingStatus,
    room::{ByeReason, ClientFrame, ClientMsg, RoomErrorCode, ServerMsg},
};
use confab_store::MeetingRow;
use futures_util::{stream::SplitSink, SinkExt, StreamExt};
use tokio::sync::{mpsc, Notify};

use super::AppState;
use crate::{
    runtime::meeting::{ActorMsg, Conn, MeetingHandle, Outbound},
    secrets::secret_hash,
};

/// Time a client has to send its hello, and to accept one outgoing frame.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

type Sink = SplitSink<WebSocket, Message>;

fn text(msg: &ServerMsg) -> Message {
    Message::Text(
        serde_json::to_string(msg)
            .expect("server messages always serialize")
            .into(),
    )
}

async fn bye(sink: &mut Sink, reason: ByeReason) {
    let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
        let _ = sink.send(text(&ServerMsg::Bye { reason })).await;
        let reason_text = serde_json::to_value(reason)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = sink
            .send(Message::Close(Some(CloseFrame {
                code: reason.close_code(),
                reason: Utf8Bytes::from(reason_text),
            })))
            .await;
    })
    .await;
}

async fn error(
    sink: &mut Sink,
    code: RoomErrorCode,
    message: String,
    reference: Option<u32>,
) -> bool {
    let msg = text(&ServerMsg::Error {
        code,
        message,
        reference,
    });
    matches!(
        tokio::time::timeout(WRITE_TIMEOUT, sink.send(msg)).await,
        Ok(Ok(()))
    )
}

/// Decodes one client frame. On failure, returns the error and any `ref` it carried.
fn decode(text: &str) -> Result<ClientFrame, (String, Option<u32>)> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| (format!("not JSON: {e}"), None))?;
    let reference = value
        .get("ref")
        .and_then(|r| r.as_u64())
        .and_then(|r| u32::try_from(r).ok());
    serde_json::from_value(value).map_err(|e| (e.to_string(), reference))
}

/// Runs one room-channel connection to its end.
pub async fn serve(ws: WebSocket, state: AppState) {
    let limits = state.config.limits.clone();
    let (mut sink, mut stream) = ws.split();

    let first = match tokio::time::timeout(HELLO_TIMEOUT, stream.next()).await {
        Ok(Some(Ok(Message::Text(t)))) if t.len() <= limits.max_frame_bytes => decode(&t).ok(),
        _ => None,
    };
    let Some(ClientFrame {
        msg: ClientMsg::Hello { token, resume },
        ..
    }) = first
    else {
        return bye(&mut sink, ByeReason::HelloExpected).await;
    };
    let (seat, meeting) = match admit(&state, &token).await {
        Ok(found) => found,
        Err(reason) => return bye(&mut sink, reason).await,
    };
    let participant = seat.id;
    let conn_id = NEXT_CONN.fetch_add(1, Ordering::Relaxed);
    let (tx, mut rx) = mpsc::channel(limits.outbound_queue);
    let kill = Arc::new(Notify::new());
    let conn = Conn {
        id: conn_id,
        tx,
        kill: kill.clone(),
    };
    let Some(handle) = hand_over(&state, &meeting, ActorMsg::Hello { seat, resume, conn }).await
    else {
        return bye(&mut sink, ByeReason::ServerShutdown).await;
    };

    let mut bucket = TokenBucket::new(limits.frames_burst, limits.frames_per_second);
    let idle = limits.idle_timeout();
    let mut last_heard = tokio::time::Instant::now();
    let reason = loop {
        tokio::select! {
            biased;
            () = kill.notified() => break Some(ByeReason::TooSlow),
            out = rx.recv() => match out {
                Some(Outbound::Frame(f)) => {
                    match tokio::time::timeout(WRITE_TIMEOUT, sink.send(Message::Text(f))).await {
                        Ok(Ok(())) => {}
                        _ => break None,
                    }
                }
                Some(Outbound::Bye(reason)) => break Some(reason),
                None => break Some(ByeReason::ServerShutdown),
            },
            incoming = tokio::time::timeout_at(last_heard + idle, stream.next()) => {
                let t = match incoming {
                    Ok(Some(Ok(Message::Text(t)))) => t,
                    Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {
                        last_heard = tokio::time::Instant::now();
                        continue;
                    }
                    Ok(Some(Ok(Message::Binary(_)))) => {
                        if !error(&mut sink, RoomErrorCode::BadMessage, "binary frames are not understood".into(), None).await {
                            break None;
                        }
                        continue;
                    }
                    // Closed, broken, or silent for too long.
                    _ => break None,
                };
                last_heard = tokio::time::Instant::now();
                if t.len() > limits.max_frame_bytes {
                    break Some(ByeReason::FrameTooLarge);
                }
                if !bucket.try_take(Utc::now()) {
                    if !error(&mut sink, RoomErrorCode::RateLimited, "too many messages".into(), None).await {
                        break None;
                    }
                    continue;
                }
                match decode(&t) {
                    Err((why, reference)) => {
                        if !error(&mut sink, RoomErrorCode::BadMessage, why, reference).await {
                            break None;
                        }
                    }
                    Ok(ClientFrame { msg: ClientMsg::Ping, .. }) => {
                        if tokio::time::timeout(WRITE_TIMEOUT, sink.send(text(&ServerMsg::Pong))).await.is_err() {
                            break None;
                        }
                    }
                    Ok(ClientFrame { msg: ClientMsg::Hello { .. }, reference }) => {
                        if !error(&mut sink, RoomErrorCode::BadMessage, "already said hello".into(), reference).await {
                            break None;
                        }
                    }
                    Ok(ClientFrame { msg, reference }) => {
                        let cmd = ActorMsg::Command { participant, conn: conn_id, reference, msg };
                        if handle.tx.send(cmd).await.is_err() {
                            break Some(ByeReason::ServerShutdown);
                        }
                    }
                }
            }
        }
    };
    if let Some(reason) = reason {
        bye(&mut sink, reason).await;
    }
    let _ = handle
        .tx
        .send(ActorMsg::Closed {
            participant,
            conn: conn_id,
        })
        .await;
}

/// Gives the hello to the meeting's actor. An actor that just stopped for idleness
/// refuses it; the hello then goes to a fresh one.
async fn hand_over(
    state: &AppState,
    meeting: &MeetingRow,
    mut hello: ActorMsg,
) -> Option<MeetingHandle> {
    for _ in 0..2 {
        let handle = match state.meetings.get_or_start(meeting).await {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(error = %e, "starting the meeting failed");
                return None;
            }
        };
        match handle.tx.send(hello).await {
            Ok(()) => return Some(handle),
            Err(mpsc::error::SendError(back)) => hello = back,
        }
    }
    None
}

/// Resolves a join token to its seat and meeting, or says why not.
async fn admit(state: &AppState, token: &str) -> Result<(Seat, MeetingRow), ByeReason> {
    let internal = |e: confab_store::StoreError| {
        tracing::error!(error = %e, "room admission failed");
        ByeReason::ServerShutdown
    };
    let row = state
        .store
        .seat(&secret_hash(token), Utc::now())
        .await
        .map_err(internal)?
        .ok_or(ByeReason::InvalidToken)?;
    let meeting = state
        .store
        .meeting(row.meeting())
        .await
        .map_err(internal)?
        .ok_or(ByeReason::InvalidToken)?;
    match meeting.status().map_err(internal)? {
        MeetingStatus::Scheduled => {}
        MeetingStatus::Cancelled => return Err(ByeReason::MeetingCancelled),
        MeetingStatus::Ended => return Err(ByeReason::MeetingEnded),
    }
    let seat = Seat {
        id: row.participant(),
        name: row.name.clone(),
        role: row.role().map_err(internal)?,
        user: row.user(),
    };
    Ok((seat, meeting))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::decode;

    #[test]
    fn known_frames_decode_and_unknown_ones_keep_their_ref() {
        let f =
            decode(r#"{"type":"send_chat","to":{"kind":"everyone"},"text":"hi","ref":3}"#).unwrap();
        assert_eq!(f.reference, Some(3));
        let (why, reference) = decode(r#"{"type":"fly","ref":4}"#).unwrap_err();
        assert!(why.contains("unknown variant"), "{why}");
        assert_eq!(reference, Some(4));
        assert!(decode("[]").is_err());
        assert!(decode(r#"{"ref":99999999999,"type":"ping"}"#).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The decoder never panics, whatever arrives.
        #[test]
        fn any_text_decodes_or_errs(text in ".{0,300}") {
            let _ = decode(&text);
        }

        /// Nor on JSON-shaped input built from the protocol's own words.
        #[test]
        fn json_shaped_input_decodes_or_errs(
            ty in prop_oneof![Just("hello"), Just("send_chat"), Just("set_role"), Just("admit"), Just("x")],
            key in prop_oneof![Just("text"), Just("to"), Just("participant"), Just("role"), Just("ref"), Just("token")],
            value in prop_oneof![
                Just("null".to_owned()), Just("-1".to_owned()), Just("1e400".to_owned()),
                Just("{\"kind\":\"participant\"}".to_owned()), Just("[[[[]]]]".to_owned()),
                ".{0,20}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            ],
        ) {
            let _ = decode(&format!(r#"{{"type":"{ty}","{key}":{value}}}"#));
        }
    }
}
