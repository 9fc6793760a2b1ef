// What a page's WebRTC connections carry, from getStats(): shared by the media tests.
import assert from "node:assert/strict";

/** Sums inbound-rtp figures of all peer connections on the page: whether anything arrives. */
export async function inbound(page) {
  return page.evaluate(async () => {
    const pcs = globalThis.__confabPeerConnections ?? [];
    let frames = 0;
    let energy = 0;
    for (const pc of pcs) {
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video")
          frames += s.framesDecoded ?? 0;
        if (s.type === "inbound-rtp" && s.kind === "audio")
          energy += s.totalAudioEnergy ?? 0;
      });
    }
    return { frames, energy };
  });
}

/**
 * What `page` receives from each publisher, by participant id: `{frames, energy}` of
 * the receive slot the server last said they fill (media_slots), read from that slot's
 * receiver alone. Audio and video slots are looked up separately; a publisher in no
 * slot of a kind has 0 for it.
 */
export async function fromEach(page) {
  return page.evaluate(async () => {
    const slots = globalThis.__confabSlots ?? { audio: [], video: [] };
    const pcs = (globalThis.__confabPeerConnections ?? []).filter(
      (pc) => pc.connectionState !== "closed",
    );
    const pc = pcs[pcs.length - 1];
    const out = {};
    if (!pc) return out;
    for (const kind of ["audio", "video"]) {
      const receivers = pc
        .getTransceivers()
        .filter(
          (t) => t.direction === "recvonly" && t.receiver.track.kind === kind,
        )
        .map((t) => t.receiver);
      for (const [i, who] of (slots[kind] ?? []).entries()) {
        if (!who || !receivers[i]) continue;
        const mine = (out[who] ??= { frames: 0, energy: 0 });
        const stats = await receivers[i].getStats();
        stats.forEach((s) => {
          if (s.type !== "inbound-rtp") return;
          if (kind === "video") mine.frames += s.framesDecoded ?? 0;
          else mine.energy += s.totalAudioEnergy ?? 0;
        });
      }
    }
    return out;
  });
}

/** The page's own participant id (from the room's welcome). */
export async function participantId(page) {
  return expectStats(
    page,
    "the page's participant id",
    (p) => p.evaluate(() => globalThis.__confabYou ?? null),
    (id) => id !== null,
  );
}

/**
 * Polls until `pred` holds for `sample(page)`; returns the sample that satisfied it.
 * Generous bounds: a loaded 2-core machine takes seconds to start decoding.
 */
export async function expectStats(page, what, sample, pred, { timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await sample(page);
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`${what}: stats stayed ${JSON.stringify(last)}`);
}

export const expectInbound = (page, what, pred) =>
  expectStats(page, what, inbound, pred);

/**
 * Waits until `page` decodes video frames from `publisher` and hears them, each growing
 * past what `since` (an earlier `fromEach` entry) had; returns the figures.
 */
export function expectFrom(page, what, publisher, since = { frames: 0, energy: 0 }) {
  return expectStats(
    page,
    what,
    async (p) => (await fromEach(p))[publisher] ?? { frames: 0, energy: 0 },
    (s) => s.frames > since.frames + 10 && s.energy > since.energy,
  );
}

/**
 * Counts peer connections and getUserMedia calls, and keeps what the room channel said
 * about this page's media (its id, whose media fills which slot). Runs before the app
 * loads; it must stay plain browser JavaScript (Chromium and Firefox alike).
 */
export function instrument() {
  const Original = globalThis.RTCPeerConnection;
  globalThis.__confabPeerConnections = [];
  globalThis.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      globalThis.__confabPeerConnections.push(this);
    }
  };
  globalThis.__getUserMediaCalls = 0;
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (c) => {
    globalThis.__getUserMediaCalls += 1;
    return gum(c);
  };
  const Socket = globalThis.WebSocket;
  globalThis.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        if (typeof e.data !== "string") return;
        let msg;
        try {
          msg = JSON.parse(e.data);
        } catch {
          return;
        }
        if (msg.type === "welcome") globalThis.__confabYou = msg.you;
        if (msg.type === "media_slots") globalThis.__confabSlots = msg;
      });
    }
  };
}

/**
 * The transport protocols ("udp"/"tcp") of the candidate pairs the page's connections
 * selected, and the local candidate types ("host", "relay", …) — which path media took.
 */
export async function selectedPaths(page) {
  return page.evaluate(async () => {
    const paths = [];
    for (const pc of globalThis.__confabPeerConnections ?? []) {
      const stats = await pc.getStats();
      stats.forEach((t) => {
        if (t.type !== "transport" || !t.selectedCandidatePairId) return;
        const pair = stats.get(t.selectedCandidatePairId);
        const local = stats.get(pair?.localCandidateId);
        const remote = stats.get(pair?.remoteCandidateId);
        paths.push({
          protocol: remote?.protocol,
          local: local?.candidateType,
          relayProtocol: local?.relayProtocol,
        });
      });
    }
    return paths;
  });
}
