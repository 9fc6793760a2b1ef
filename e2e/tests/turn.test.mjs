// Media relayed through a real coturn with Confab's time-limited credentials: Chromium
// may use relay candidates only (as behind a firewall that lets nothing else through),
// so media flows only if the credentials from the snapshot are accepted by coturn.
import assert from "node:assert/strict";
import { after } from "node:test";
import { coturnMissing, startCoturn } from "../lib/coturn.mjs";
import { e2e } from "../lib/harness.mjs";
import { expectInbound, instrument, selectedPaths } from "../lib/media.mjs";
import { linkPath } from "../lib/server.mjs";
import { expectInRoom, joinAsGuest, joinFromHome } from "../lib/ui.mjs";

const secret = "e2e shared secret";
const missing = coturnMissing();
let turn;

const env = e2e(import.meta.url, {
  config: async () => {
    if (missing) return "";
    turn = await startCoturn({ name: "turn", secret });
    return [
      "[media.turn]",
      `urls = ["turn:127.0.0.1:${turn.port}?transport=udp"]`,
      `secret = "${secret}"`,
    ].join("\n");
  },
});
after(() => turn?.stop());

/** Makes every peer connection on the page use relay candidates only. */
function relayOnly() {
  const Original = globalThis.RTCPeerConnection;
  globalThis.RTCPeerConnection = class extends Original {
    constructor(config = {}, ...rest) {
      super({ ...config, iceTransportPolicy: "relay" }, ...rest);
    }
  };
}

env.test(
  "relay-only browsers talk through coturn with the server's credentials",
  async () => {
    const session = await env.server.signIn();
    const meeting = await session.createMeeting({
      title: "Relayed",
      lobby: false,
      wait_for_presenter: false,
    });
    const ada = await env.person("Ada", { session });
    const gus = await env.person("Gus");
    for (const p of [ada, gus]) {
      await p.page.addInitScript(relayOnly);
      await p.page.addInitScript(instrument);
    }
    await joinFromHome(ada, "Relayed");
    await joinAsGuest(gus, linkPath(meeting.attendee_link), "Gus Guest");
    await expectInRoom(gus.page, "Relayed");
    for (const p of [ada, gus])
      await p.page
        .getByRole("button", { name: "Join with audio and video" })
        .click();

    for (const p of [ada, gus]) {
      await expectInbound(
        p.page,
        `${p.name} receiving`,
        (s) => s.frames > 10 && s.energy > 0,
      );
      const paths = await selectedPaths(p.page);
      assert.deepEqual(
        paths.map((x) => x.local),
        ["relay"],
        `${p.name}'s media is relayed: ${JSON.stringify(paths)}`,
      );
    }
    assert.match(turn.log(), /ALLOCATE.*success/i, "coturn allocated relays");
  },
  { skip: missing },
);
