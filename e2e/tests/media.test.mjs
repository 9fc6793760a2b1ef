// Audio and video through the SFU in real Chromium: fake camera and microphone, one
// peer connection each, media forwarded by the server. Asserted from getStats() per
// publisher (the receive slot the server says they fill): video frames are decoded and
// audio energy arrives from each one expected, not just "connected".
import assert from "node:assert/strict";
import { expectVisible } from "../lib/expect.mjs";
import { e2e } from "../lib/harness.mjs";
import {
  expectFrom,
  expectStats,
  fromEach,
  inbound,
  instrument,
  participantId,
} from "../lib/media.mjs";
import { linkPath } from "../lib/server.mjs";
import {
  expectInRoom,
  joinAsGuest,
  joinFromHome,
  rosterRow,
} from "../lib/ui.mjs";

const env = e2e(import.meta.url);

/** What the page sends: outbound RTP streams with packets, and getUserMedia calls. */
async function outbound(page) {
  return page.evaluate(async () => {
    let streams = 0;
    for (const pc of globalThis.__confabPeerConnections ?? []) {
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === "outbound-rtp" && (s.packetsSent ?? 0) > 0) streams += 1;
      });
    }
    return { streams, getUserMedia: globalThis.__getUserMediaCalls };
  });
}

/** The frame width of the video received from `name` (0 until frames are decoded). */
async function frameWidthOf(page, name) {
  return page.evaluate(async (name) => {
    const video = document.querySelector(
      `video[aria-label="Video of ${name}"]`,
    );
    const track = video?.srcObject?.getVideoTracks()[0];
    if (!track) return 0;
    for (const pc of globalThis.__confabPeerConnections ?? []) {
      const stats = await pc.getStats();
      for (const s of stats.values()) {
        if (
          s.type === "inbound-rtp" &&
          s.kind === "video" &&
          s.trackIdentifier === track.id
        )
          return s.frameWidth ?? 0;
      }
    }
    return 0;
  }, name);
}

/**
 * The width `page`'s camera is encoded at now, before each simulcast layer scales it
 * down (l by 4, m by 2): a loaded browser lowers it (CPU adaptation). Read from the
 * lowest active layer: short of bandwidth, the browser stops the upper ones first, and
 * their last frame width stays in the stats. 0 if nothing is sent.
 */
async function encodedWidth(page) {
  return page.evaluate(async () => {
    const scale = { l: 4, m: 2, h: 1 };
    let lowest;
    for (const pc of globalThis.__confabPeerConnections ?? []) {
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (
          s.type === "outbound-rtp" &&
          s.kind === "video" &&
          s.active !== false &&
          scale[s.rid] &&
          s.frameWidth &&
          (!lowest || scale[s.rid] > scale[lowest.rid])
        )
          lowest = s;
      });
    }
    return lowest ? lowest.frameWidth * scale[lowest.rid] : 0;
  });
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
    for (const p of [ada, gus]) await p.page.addInitScript(instrument);
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
    const [adaId, gusId] = [
      await participantId(ada.page),
      await participantId(gus.page),
    ];
    const gusSees = await expectFrom(gus.page, "Gus receiving Ada", adaId);
    await expectFrom(ada.page, "Ada receiving Gus", gusId);

    // Frames and sound keep coming: the stream is live, not one burst.
    await expectFrom(gus.page, "Gus still receiving Ada", adaId, gusSees);
  },
);

env.test(
  "three talk, a listener only listens, mute silences, small tiles get the low layer",
  async () => {
    const session = await env.server.signIn();
    const meeting = await session.createMeeting({
      title: "Town hall",
      lobby: false,
      wait_for_presenter: false,
    });
    const ada = await env.person("Ada", { session });
    const gus = await env.person("Gus");
    const cy = await env.person("Cy");
    const li = await env.person("Li");
    const people = [ada, gus, cy, li];
    for (const p of people) await p.page.addInitScript(instrument);
    await joinFromHome(ada, "Town hall");
    const link = linkPath(meeting.attendee_link);
    for (const [p, name] of [
      [gus, "Gus"],
      [cy, "Cy"],
      [li, "Li"],
    ]) {
      await joinAsGuest(p, link, name);
      await expectInRoom(p.page, "Town hall");
    }
    const talkers = [ada, gus, cy];
    for (const p of talkers)
      await p.page
        .getByRole("button", { name: "Join with audio and video" })
        .click();
    // Li joined without checking camera or microphone: the room listens only.

    // Everyone receives video and sound from each of the others who talk.
    const ids = new Map();
    for (const p of people) ids.set(p, await participantId(p.page));
    for (const p of people) {
      for (const q of talkers.filter((q) => q !== p))
        await expectFrom(p.page, `${p.name} receiving ${q.name}`, ids.get(q));
    }
    // The listener sends nothing and was never asked for a device.
    assert.deepEqual(await outbound(li.page), {
      streams: 0,
      getUserMedia: 0,
    });
    for (const p of talkers) {
      const out = await outbound(p.page);
      assert.ok(out.streams >= 2, `${p.name} sends audio and video`);
    }

    // A big tile gets the medium or high layer; made small, the low one. Measured against
    // the width Ada encodes at the time, which a loaded browser lowers: the medium layer
    // is half of it, the low a quarter (the threshold is between the two).
    const cyView = cy.page.getByRole("region", { name: "Audio and video" });
    const adaAtCy = async () => ({
      received: await frameWidthOf(cy.page, "Administrator"),
      encoded: await encodedWidth(ada.page),
    });
    await cyView.getByRole("button", { name: "Speaker view" }).click();
    await cyView.getByRole("button", { name: "Pin Administrator" }).click();
    await expectStats(
      cy.page,
      "Ada's camera big at Cy",
      adaAtCy,
      ({ received, encoded }) => encoded > 0 && received * 8 > encoded * 3,
    );
    await cyView.getByRole("button", { name: "Pin Gus" }).click();
    await expectStats(
      cy.page,
      "Ada's camera as a thumbnail at Cy",
      adaAtCy,
      ({ received, encoded }) => received > 0 && received * 8 < encoded * 3,
    );

    // The organizer mutes everyone: Ada hears nothing more from Gus and Cy.
    const adaView = ada.page.getByRole("region", { name: "Audio and video" });
    await adaView.getByRole("button", { name: "Mute everyone" }).click();
    for (const p of [gus, cy])
      await expectVisible(
        p.page.getByRole("button", { name: "Unmute", exact: true }),
      );
    await expectVisible(
      rosterRow(ada.page, "Gus").getByText("microphone off"),
    );
    // Silence from a live connection, not a dead one: while Ada hears nothing at all (Li
    // sends nothing), Gus's and Cy's video keeps decoding at her end.
    const muted = [ids.get(gus), ids.get(cy)];
    const sample = async (page) => ({
      energy: (await inbound(page)).energy,
      from: await fromEach(page),
    });
    const framesGrow = (page, what, since, by) =>
      expectStats(page, what, sample, (s) =>
        muted.every(
          (id) => (s.from[id]?.frames ?? 0) > (since.from[id]?.frames ?? 0) + by,
        ),
      );
    const quiet = await expectStats(
      ada.page,
      "Ada hears nothing while Gus's and Cy's video decodes",
      async (page) => {
        const before = await sample(page);
        const after = await framesGrow(page, "Gus's and Cy's video at Ada", before, 10);
        return { before, after };
      },
      ({ before, after }) => after.energy === before.energy,
    );
    const later = await framesGrow(
      ada.page,
      "Gus's and Cy's video at Ada, a while later",
      quiet.after,
      30,
    );
    assert.equal(
      later.energy,
      quiet.after.energy,
      "nothing more is heard after the mute",
    );

    // The organizer asks Gus to unmute; only Gus can, and when he does he is heard again.
    await rosterRow(ada.page, "Gus")
      .getByRole("button", { name: "Actions for Gus" })
      .click();
    await ada.page.getByRole("menuitem", { name: "Ask to unmute" }).click();
    const prompt = gus.page.getByRole("alertdialog", { name: "Unmute request" });
    await expectVisible(prompt.getByText("Administrator asks you to unmute"));
    await prompt.getByRole("button", { name: "Unmute" }).click();
    await expectStats(
      ada.page,
      "Ada hears Gus again",
      sample,
      (s) => s.energy > later.energy && (s.from[ids.get(gus)]?.energy ?? 0) > 0,
    );
  },
);
