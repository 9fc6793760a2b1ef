// Stock Yjs clients against the real confab binary: `yjs` + `y-websocket`'s
// WebsocketProvider exactly as a browser uses them (with `ws` standing in for the
// browser's WebSocket), talking to /api/v1/collab/{meeting}/{doc}?token=…
//
// Proves the server speaks the y-websocket protocol the stock client expects: sync,
// a presenter's stroke reaching an attendee, presence relayed, and an attendee's edit
// refused with a final close code (4403) so the stock client stops reconnecting.
//
// Run: cargo build -p confab-server && (cd e2e/collab && npm ci && npm test)
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import WebSocket from "ws";
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { ApiClient, linkPath, startServer } from "../lib/server.mjs";

const WAIT_MS = 10_000;

/** Polls `pred` until it holds; fails with `what` after WAIT_MS. */
async function waitFor(what, pred) {
  const deadline = Date.now() + WAIT_MS;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Enters the meeting on the room channel (collab access needs a seat in the room). */
async function enterRoom(server, token) {
  const ws = new WebSocket(server.url("/api/v1/room").replace(/^http/, "ws"));
  await new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.once("open", () => ws.send(JSON.stringify({ type: "hello", token })));
    ws.on("message", (data) => {
      if (JSON.parse(data.toString()).type === "welcome") resolve();
    });
  });
  return ws;
}

/** Starts a whiteboard through the room channel; resolves with its first page's ink layer. */
function newWhiteboard(ws) {
  return new Promise((resolve) => {
    const onMessage = (data) => {
      const msg = JSON.parse(data.toString());
      const page =
        msg.type === "event" && msg.event.type === "document"
          ? msg.event.document.pages[0]
          : undefined;
      if (page) {
        ws.off("message", onMessage);
        resolve(page.collab);
      }
    };
    ws.on("message", onMessage);
    ws.send(
      JSON.stringify({
        type: "new_document",
        kind: "whiteboard",
        name: "Board",
      }),
    );
  });
}

let server;
let meetingId;
let orgToken;
let annToken;
const sockets = [];
const providers = [];
const docs = [];

/** A stock provider on `docName` with `token`. */
function open(docName, token) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(
    server.url(`/api/v1/collab/${meetingId}`).replace(/^http/, "ws"),
    docName,
    doc,
    { WebSocketPolyfill: WebSocket, params: { token }, disableBc: true },
  );
  providers.push(provider);
  docs.push(doc);
  return { doc, provider };
}

before(async () => {
  server = await startServer({ name: "collab-stock-client" });
  const admin = await server.signIn();
  const meeting = await admin.createMeeting({
    title: "Whiteboard",
    lobby: false,
    wait_for_presenter: false,
  });
  meetingId = meeting.id;
  const key = linkPath(meeting.attendee_link).split("/").pop();
  const join = (client, name) =>
    client.post(`/api/v1/links/${key}/join`, {
      display_name: name,
      passcode: null,
    });
  orgToken = (await join(admin, null)).token; // the organizer: a presenter
  annToken = (await join(new ApiClient(server.origin), "Ann")).token; // an attendee
  sockets.push(
    await enterRoom(server, orgToken),
    await enterRoom(server, annToken),
  );
});

after(async () => {
  for (const p of providers) p.destroy();
  // A doc's awareness keeps a renewal timer until the doc is destroyed.
  for (const d of docs) d.destroy();
  for (const s of sockets) s.close();
  await server?.stop();
});

test("a presenter's stroke reaches an attendee, whose own edit is refused", async () => {
  // Only ink layers of the meeting's pages exist: make one the way a presenter does.
  const board = await newWhiteboard(sockets[0]);
  const presenter = open(board, orgToken);
  const attendee = open(board, annToken);
  await waitFor(
    "both synced",
    () => presenter.provider.synced && attendee.provider.synced,
  );

  presenter.provider.awareness.setLocalStateField("user", {
    name: "Org",
    color: "#e11",
  });
  const stroke = { tool: "pen", color: "#e11", points: [0.1, 0.2, 0.3, 0.4] };
  presenter.doc.getArray("strokes").push([stroke]);

  const strokes = attendee.doc.getArray("strokes");
  await waitFor("the stroke at the attendee", () => strokes.length === 1);
  assert.deepEqual(strokes.toJSON(), [stroke]);
  await waitFor("the presenter's presence at the attendee", () =>
    [...attendee.provider.awareness.getStates().values()].some(
      (s) => s.user?.name === "Org",
    ),
  );

  // Annotate is off for attendees by default: the server refuses with 4403, a code the
  // stock client treats as final (no reconnect loop resending the refused edit).
  let closed;
  attendee.provider.on("closed", (event) => {
    closed = event;
  });
  attendee.doc.getArray("strokes").push([{ tool: "pen", points: [9, 9] }]);
  await waitFor("the refusal", () => closed !== undefined);
  assert.equal(closed.code, 4403);

  // The server's document is unchanged: a fresh stock client sees only the first stroke.
  const check = open(board, annToken);
  await waitFor("a fresh client synced", () => check.provider.synced);
  assert.deepEqual(check.doc.getArray("strokes").toJSON(), [stroke]);
});

test("a bad token gets no document", async () => {
  const { doc, provider } = open(`board:${crypto.randomUUID()}`, "not-a-token");
  let errors = 0;
  provider.on("connection-error", () => {
    errors += 1;
  });
  await waitFor("the refused handshake", () => errors > 0);
  assert.equal(provider.synced, false);
  assert.equal(doc.getArray("strokes").length, 0);
});
