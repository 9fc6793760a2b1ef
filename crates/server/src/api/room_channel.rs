//! One participant's WebSocket on the room channel.
//!
//! Reads the `hello`, resolves the join token to a seat, hands the connection to the
//! meeting actor, then pumps frames both ways on the shared [`Socket`]: client frames are
//! size-checked, rate-limited and decoded here (bad ones get an `error` and the
//! connection stays), valid commands go to the actor, and whatever the actor queues is
//! written out. Close codes come from [`ByeReason::close_code`], in one place.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::{
    extract::{ws::Message, State, WebSocketUpgrade},
    response::Response,
};
use chrono::Utc;
use confab_core::meeting::Seat;
use confab_proto::{
    rest::MeetingStatus,
    room::{ByeReason, ClientFrame, ClientMsg, RoomErrorCode, ServerMsg},
};
use confab_store::MeetingRow;
use tokio::sync::mpsc;

use super::{
    socket::{self, Next, Socket, SocketLimits},
    AppState,
};
use crate::{
    config::Config,
    runtime::{
        meeting::{ActorMsg, Conn, MeetingHandle, Outbound},
        outbox::outbox,
    },
    secrets::secret_hash,
};

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

fn text(msg: &ServerMsg) -> Message {
    Message::Text(
        serde_json::to_string(msg)
            .expect("server messages always serialize")
            .into(),
    )
}

/// This socket's limits, from the configuration.
fn limits(config: &Config) -> SocketLimits {
    let l = &config.limits;
    SocketLimits {
        max_frame_bytes: l.max_frame_bytes,
        write_timeout: l.write_timeout(),
        idle_timeout: l.idle_timeout(),
        burst: l.frames_burst,
        per_second: l.frames_per_second,
    }
}

/// `GET /api/v1/room`: upgrades; the hello comes over the socket.
pub async fn connect(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    let limits = limits(&state.config);
    socket::upgrade(ws, &limits).on_upgrade(move |ws| serve(Socket::new(ws, limits), state))
}

/// Says why, then closes.
async fn bye(socket: &mut Socket, reason: ByeReason) {
    if socket.send(text(&ServerMsg::Bye { reason })).await {
        let reason_text = serde_json::to_value(reason)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        socket.close(reason.close_code(), reason_text).await;
    }
}

/// Sends an `error`; `false` when the client is gone.
async fn error(
    socket: &mut Socket,
    code: RoomErrorCode,
    message: String,
    reference: Option<u32>,
) -> bool {
    let msg = text(&ServerMsg::Error {
        code,
        message,
        reference,
    });
    socket.send(msg).await
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
async fn serve(mut socket: Socket, state: AppState) {
    let limits = &state.config.limits;
    let first = match socket.first(limits.hello_timeout()).await {
        Some(Message::Text(t)) if t.len() <= limits.max_frame_bytes => decode(&t).ok(),
        _ => None,
    };
    let Some(ClientFrame {
        msg: ClientMsg::Hello { token, resume },
        ..
    }) = first
    else {
        return bye(&mut socket, ByeReason::HelloExpected).await;
    };
    let (seat, meeting) = match admit(&state, &token).await {
        Ok(found) => found,
        Err(reason) => return bye(&mut socket, reason).await,
    };
    let participant = seat.id;
    let conn_id = NEXT_CONN.fetch_add(1, Ordering::Relaxed);
    let (tx, mut rx) = outbox(limits.outbound_queue);
    let conn = Conn { id: conn_id, tx };
    let Some(handle) = hand_over(&state, &meeting, ActorMsg::Hello { seat, resume, conn }).await
    else {
        return bye(&mut socket, ByeReason::ServerShutdown).await;
    };

    let reason = loop {
        let t = match socket.next(&mut rx).await {
            Next::Out(Outbound::Frame(f)) => {
                if !socket.send(Message::Text(f)).await {
                    break None;
                }
                continue;
            }
            Next::Out(Outbound::Bye(reason)) => break Some(reason),
            Next::Cut => break Some(ByeReason::TooSlow),
            Next::Dropped => break Some(ByeReason::ServerShutdown),
            Next::Gone => break None,
            Next::Binary(_) => {
                let why = "binary frames are not understood".into();
                if !error(&mut socket, RoomErrorCode::BadMessage, why, None).await {
                    break None;
                }
                continue;
            }
            Next::Text(t) => t,
        };
        if t.len() > limits.max_frame_bytes {
            break Some(ByeReason::FrameTooLarge);
        }
        if !socket.allow() {
            let why = "too many messages".into();
            if !error(&mut socket, RoomErrorCode::RateLimited, why, None).await {
                break None;
            }
            continue;
        }
        let sent = match decode(&t) {
            Err((why, reference)) => {
                error(&mut socket, RoomErrorCode::BadMessage, why, reference).await
            }
            Ok(ClientFrame {
                msg: ClientMsg::Ping,
                ..
            }) => socket.send(text(&ServerMsg::Pong)).await,
            Ok(ClientFrame {
                msg: ClientMsg::Hello { .. },
                reference,
            }) => {
                let why = "already said hello".into();
                error(&mut socket, RoomErrorCode::BadMessage, why, reference).await
            }
            Ok(ClientFrame { msg, reference }) => {
                let cmd = ActorMsg::Command {
                    participant,
                    conn: conn_id,
                    reference,
                    msg,
                };
                if handle.tx.send(cmd).await.is_err() {
                    break Some(ByeReason::ServerShutdown);
                }
                true
            }
        };
        if !sent {
            break None;
        }
    };
    if let Some(reason) = reason {
        bye(&mut socket, reason).await;
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
        .meeting_in(row.tenant(), row.meeting())
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
