// A stock Yjs participant for browser tests: a seat on the room channel (collab access
// needs one) and `y-websocket`'s WebsocketProvider exactly as a browser uses it, with `ws`
// standing in for the browser's WebSocket. Proves that what Chromium draws is plain Yjs any
// client can read, and that the server refuses writes from read-only seats.
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";

/**
 * Enters the meeting on the room channel with `token`; resolves with the socket and the
 * welcome's snapshot. Events that follow are collected in `events`.
 */
export async function enterRoom(server, token) {
  const ws = new WebSocket(server.url("/api/v1/room").replace(/^http/, "ws"));
  const events = [];
  const snapshot = await new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.once("open", () => ws.send(JSON.stringify({ type: "hello", token })));
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.type === "welcome") resolve(msg.snapshot);
      if (msg.type === "event") events.push(msg.event);
    });
  });
  return { ws, snapshot, events };
}

/** A stock provider syncing the shared document `name` of `meeting` with `token`. */
export function openSharedDoc(server, meeting, name, token) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(
    server.url(`/api/v1/collab/${meeting}`).replace(/^http/, "ws"),
    name,
    doc,
    { WebSocketPolyfill: WebSocket, params: { token }, disableBc: true },
  );
  let closed;
  provider.on("closed", (event) => {
    closed = event;
  });
  return {
    doc,
    provider,
    /** The final close the server sent ({code, reason}), if any. */
    closed: () => closed,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}
