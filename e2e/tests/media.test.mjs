// Audio and video through the SFU in real Chromium: fake camera and microphone, one
// peer connection each, media forwarded by the server. Asserted from getStats(): video
// frames are decoded and audio energy arrives, not just "connected".
import assert from "node:assert/strict";
import { expectVisible } from "../lib/expect.mjs";
import { e2e } from "../lib/harness.mjs";
import { linkPath } from "../lib/server.mjs";
import { expectInRoom, joinAsGuest, joinFromHome } from "../lib/ui.mjs";

const env = e2e(import.meta.url);

/** Sums inbound-rtp figures of all peer connections on the page (the app keeps its own). */
async function inbound(page) {
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

/** Polls until `pred` holds for the page's inbound stats. */
async function expectInbound(page, what, pred) {
  const deadline = Date.now() + 20_000;
  let last;
  while (Date.now() < deadline) {
    last = await inbound(page);
    if (pred(last)) return last;
    await page.waitForTimeout(250);
  }
  assert.fail(`${what}: inbound stats stayed ${JSON.stringify(last)}`);
}

env.test(
  "two participants see and hear each other through the SFU",
  async () => {
    const session = await env.server.signIn();
    const meeting = await session.createMeeting({
      title: "Stand-up",
      lobby: false,
      wait_for_presenter: false,
    });
    const ada = await env.person("Ada", { session });
    const gus = await env.person("Gus");
    for (const p of [ada, gus]) {
      await p.page.addInitScript(() => {
        const Original = globalThis.RTCPeerConnection;
        globalThis.__confabPeerConnections = [];
        globalThis.RTCPeerConnection = class extends Original {
          constructor(...args) {
            super(...args);
            globalThis.__confabPeerConnections.push(this);
          }
        };
      });
    }
    await joinFromHome(ada, "Stand-up");
    await joinAsGuest(gus, linkPath(meeting.attendee_link), "Gus Guest");
    await expectInRoom(gus.page, "Stand-up");

    for (const p of [ada, gus])
      await p.page
        .getByRole("button", { name: "Join with audio and video" })
        .click();

    await expectVisible(
      gus.page
        .getByRole("region", { name: "Audio and video" })
        .getByText(/Administrator/),
    );
    const gusSees = await expectInbound(
      gus.page,
      "Gus receiving",
      (s) => s.frames > 10 && s.energy > 0,
    );
    const adaSees = await expectInbound(
      ada.page,
      "Ada receiving",
      (s) => s.frames > 10 && s.energy > 0,
    );
    assert.ok(gusSees.frames > 10 && adaSees.frames > 10);

    // Frames keep coming: the stream is live, not one burst.
    const later = await expectInbound(
      gus.page,
      "Gus still receiving",
      (s) => s.frames > gusSees.frames + 10,
    );
    assert.ok(later.frames > gusSees.frames);
  },
);
