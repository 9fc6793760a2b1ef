// Firefox beside Chromium in one meeting: they see and hear each other through the SFU,
// which numbers codecs differently for each (Chromium: Opus 111, VP8 96; Firefox: Opus
// 109, VP8 120), each sending simulcast; a Firefox participant chats, sees the stage
// and draws on a whiteboard that Chromium shows; and a page that cannot decode a camera's
// codec is told so instead of being sent it. Media is asserted per publisher from
// getStats() on the receiving side: frames decoded and audio energy growing.
import assert from "node:assert/strict";
import { after } from "node:test";
import { eventually, expectVisible } from "../lib/expect.mjs";
import {
  byLabel,
  byRole,
  checkFirefoxPages,
  expectInRoomInFirefox,
  expectShown,
  firefoxPerson,
  joinAsGuestInFirefox,
  launchFirefox,
} from "../lib/firefox.mjs";
import { e2e } from "../lib/harness.mjs";
import {
  expectFrom,
  expectStats,
  fromEach,
  instrument,
  participantId,
} from "../lib/media.mjs";
import { linkPath } from "../lib/server.mjs";
import { chatMessages, joinFromHome, sendChat } from "../lib/ui.mjs";

const env = e2e(import.meta.url);
let firefox;
const opened = [];

env.setup(async () => {
  firefox = await launchFirefox();
});
after(async () => {
  for (const f of opened) await f.close();
  await firefox?.close().catch(() => undefined);
});

async function foxPerson(name) {
  const fox = await firefoxPerson(firefox, env.server.origin, name);
  opened.push(fox);
  return fox;
}

/**
 * A meeting `title` that Ada, its organizer, joins in Chromium and a Firefox person for
 * each of `names` joins as a guest through `link` (`attendee_link`, `presenter_link`),
 * every page instrumented for media stats; with `media`, all join audio and video.
 */
async function meetingInBoth(title, names, { link = "attendee_link", media = false } = {}) {
  const session = await env.server.signIn();
  const meeting = await session.createMeeting({
    title,
    lobby: false,
    wait_for_presenter: false,
  });
  const ada = await env.person("Ada", { session });
  await ada.page.addInitScript(instrument);
  const foxes = [];
  for (const name of names) {
    const fox = await foxPerson(name);
    await fox.page.evaluateOnNewDocument(instrument);
    foxes.push(fox);
  }
  await joinFromHome(ada, title);
  for (const fox of foxes) {
    await joinAsGuestInFirefox(fox, linkPath(meeting[link]), fox.name);
    await expectInRoomInFirefox(fox.page, title);
  }
  if (media) {
    await ada.page
      .getByRole("button", { name: "Join with audio and video" })
      .click();
    for (const fox of foxes)
      await byRole(fox.page, "button", "Join with audio and video").click();
  }
  return { ada, foxes };
}

/** The rids of the video encodings `page` sends packets on. */
async function sendingRids(page) {
  return page.evaluate(async () => {
    const rids = new Set();
    for (const pc of globalThis.__confabPeerConnections ?? []) {
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === "outbound-rtp" && s.kind === "video" && s.rid && s.packetsSent > 0)
          rids.add(s.rid);
      });
    }
    return [...rids].sort();
  });
}

env.test(
  "a Firefox and a Chromium participant see and hear each other, both sending simulcast",
  async () => {
    const {
      ada,
      foxes: [fox],
    } = await meetingInBoth("Across browsers", ["Fox"], { media: true });

    const adaId = await participantId(ada.page);
    const foxId = await participantId(fox.page);
    const foxHears = await expectFrom(fox.page, "Firefox receiving Chromium", adaId);
    const adaHears = await expectFrom(ada.page, "Chromium receiving Firefox", foxId);
    // Still flowing: a live stream, not one burst.
    const foxLater = await expectFrom(fox.page, "Firefox still receiving", adaId, foxHears);
    const adaLater = await expectFrom(ada.page, "Chromium still receiving", foxId, adaHears);
    console.log(
      `getStats: Chromium → Firefox ${JSON.stringify(foxLater)}; Firefox → Chromium ${JSON.stringify(adaLater)}`,
    );

    // Both publish their camera as simulcast encodings (at least two layers each).
    for (const [who, page] of [
      ["Chromium", ada.page],
      ["Firefox", fox.page],
    ]) {
      const rids = await eventually(`${who} sends simulcast`, async () => {
        const rids = await sendingRids(page);
        assert.ok(rids.length >= 2, `${who} sends ${JSON.stringify(rids)}`);
        return rids;
      }, { timeout: 30_000 });
      assert.ok(rids.every((r) => ["l", "m", "h"].includes(r)), `${who}: ${rids}`);
      console.log(`${who} sends simulcast layers ${rids.join(", ")}`);
    }
    checkFirefoxPages([fox]);
    await fox.close();
  },
);

/** The ink canvas over a whiteboard's first page. */
function inkCanvas(page, document) {
  return page.getByRole("img", {
    name: `Annotations on page 1 of ${document}`,
    exact: true,
  });
}

env.test(
  "in Firefox a participant chats, sees the stage and draws on a whiteboard Chromium shows",
  async () => {
    // Fox joins through the presenter's link: presenters may draw.
    const {
      ada,
      foxes: [fox],
    } = await meetingInBoth("Sketching across browsers", ["Fox"], {
      link: "presenter_link",
    });

    await sendChat(ada.page, "Hello from Chromium");
    await fox.page.locator("::-p-text(Hello from Chromium)").wait();
    await byRole(fox.page, "textbox", "Message").fill("Hello from Firefox");
    await byRole(fox.page, "button", "Send").click();
    await expectVisible(chatMessages(ada.page, "Hello from Firefox"));

    // The stage: Ada starts a whiteboard, Firefox shows it.
    await ada.page.getByRole("button", { name: "New whiteboard" }).click();
    const board = "Whiteboard 1";
    await byLabel(fox.page, "img", `${board}, page 1`).wait();

    // Fox draws a stroke across the middle; Ada's page shows the ink there.
    const canvas = await byLabel(
      fox.page,
      "img",
      `Annotations on page 1 of ${board}`,
    ).waitHandle();
    const box = await canvas.boundingBox();
    const at = (fx, fy) => [box.x + fx * box.width, box.y + fy * box.height];
    await fox.page.mouse.move(...at(0.2, 0.5));
    await fox.page.mouse.down();
    for (let i = 1; i <= 12; i++)
      await fox.page.mouse.move(...at(0.2 + (0.5 * i) / 12, 0.5));
    await fox.page.mouse.up();
    await eventually(
      "Ada sees Fox's ink",
      async () => {
        const alpha = await inkCanvas(ada.page, board).evaluate((c) => {
          const x = Math.round(0.45 * c.width);
          const y = Math.round(0.5 * c.height);
          const data = c.getContext("2d").getImageData(x - 3, y - 3, 7, 7).data;
          let most = 0;
          for (let i = 3; i < data.length; i += 4) most = Math.max(most, data[i]);
          return most;
        });
        assert.ok(alpha > 150, `the most opaque ink there has alpha ${alpha}`);
      },
      { timeout: 20_000 },
    );
    checkFirefoxPages([fox]);
    await fox.close();
  },
);

env.test(
  "two Firefox participants and a Chromium one each see and hear both others",
  async () => {
    const { ada, foxes } = await meetingInBoth("Two foxes", ["Fox", "Kit"], {
      media: true,
    });
    const people = [ada, ...foxes];
    const ids = new Map();
    for (const p of people) ids.set(p, await participantId(p.page));
    for (const p of people)
      for (const q of people.filter((q) => q !== p))
        await expectFrom(p.page, `${p.name} receiving ${q.name}`, ids.get(q));
    checkFirefoxPages(foxes);
    for (const fox of foxes) await fox.close();
  },
);

/**
 * Runs in a page before the app: its offers leave out VP8 (as a browser without it
 * would), so it cannot decode a VP8 camera.
 */
function withoutVp8() {
  const create = RTCPeerConnection.prototype.createOffer;
  RTCPeerConnection.prototype.createOffer = async function (...args) {
    const offer = await create.apply(this, args);
    const lines = offer.sdp.split("\r\n");
    const vp8 = new Set(
      lines
        .map((l) => l.match(/^a=rtpmap:(\d+) VP8\//)?.[1])
        .filter(Boolean),
    );
    // Its retransmission formats go with it.
    for (const l of lines) {
      const m = l.match(/^a=fmtp:(\d+) apt=(\d+)$/);
      if (m && vp8.has(m[2])) vp8.add(m[1]);
    }
    const sdp = lines
      .filter((l) => !vp8.has(l.match(/^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)/)?.[1]))
      .map((l) =>
        l.startsWith("m=video")
          ? l
              .split(" ")
              .filter((w, i) => i < 3 || !vp8.has(w))
              .join(" ")
          : l,
      )
      .join("\r\n");
    return { type: offer.type, sdp };
  };
}

env.test(
  "a browser that cannot decode a camera's codec is told so and still hears its sender",
  async () => {
    const { ada, foxes } = await meetingInBoth("No VP8 here", ["Fox"]);
    const [fox] = foxes;
    await ada.page.addInitScript(withoutVp8);
    await ada.page.reload();
    await expectVisible(
      ada.page.getByRole("button", { name: "Join with audio and video" }),
    );
    await ada.page
      .getByRole("button", { name: "Join with audio and video" })
      .click();
    await byRole(fox.page, "button", "Join with audio and video").click();
    await expectVisible(
      ada.page
        .getByRole("status")
        .filter({ hasText: "Fox's video uses VP8, which this browser cannot play." }),
      { timeout: 30_000 },
    );
    const foxId = await participantId(fox.page);
    const heard = await expectStats(
      ada.page,
      "Ada hears Fox",
      async (p) => (await fromEach(p))[foxId] ?? { frames: 0, energy: 0 },
      (s) => s.energy > 0,
    );
    assert.equal(heard.frames, 0, "no undecodable video was sent to Ada");
    checkFirefoxPages(foxes);
    await fox.close();
  },
);
