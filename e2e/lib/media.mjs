// What a page's WebRTC connections carry, from getStats(): shared by the media tests.
import assert from "node:assert/strict";

/** Sums inbound-rtp figures of all peer connections on the page (the app keeps its own). */
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

/** Polls until `pred` holds for `sample(page)`; returns the sample that satisfied it. */
export async function expectStats(page, what, sample, pred) {
  const deadline = Date.now() + 20_000;
  let last;
  while (Date.now() < deadline) {
    last = await sample(page);
    if (pred(last)) return last;
    await page.waitForTimeout(250);
  }
  assert.fail(`${what}: stats stayed ${JSON.stringify(last)}`);
}

export const expectInbound = (page, what, pred) =>
  expectStats(page, what, inbound, pred);

/** Counts peer connections and getUserMedia calls (before the app loads). */
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
