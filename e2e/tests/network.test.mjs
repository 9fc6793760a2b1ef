// Media from networks that are not plain loopback UDP, in real Chromium: a browser that
// may not use UDP at all (Chromium's own WebRTC policy, as an administrator can set it)
// reaches the SFU over passive ICE-TCP, and video and audio still flow.
import assert from "node:assert/strict";
import { e2e } from "../lib/harness.mjs";
import { expectInbound, instrument, selectedPaths } from "../lib/media.mjs";
import { linkPath } from "../lib/server.mjs";
import { expectInRoom, joinAsGuest, joinFromHome } from "../lib/ui.mjs";

const env = e2e(import.meta.url, {
  // No UDP from the browser: only TCP candidates are gathered and paired.
  browserArgs: ["--webrtc-ip-handling-policy=disable_non_proxied_udp"],
});

env.test("without UDP, media flows over ICE-TCP", async () => {
  const session = await env.server.signIn();
  const meeting = await session.createMeeting({
    title: "Firewalled",
    lobby: false,
    wait_for_presenter: false,
  });
  const ada = await env.person("Ada", { session });
  const gus = await env.person("Gus");
  for (const p of [ada, gus]) await p.page.addInitScript(instrument);
  await joinFromHome(ada, "Firewalled");
  await joinAsGuest(gus, linkPath(meeting.attendee_link), "Gus Guest");
  await expectInRoom(gus.page, "Firewalled");
  for (const p of [ada, gus])
    await p.page
      .getByRole("button", { name: "Join with audio and video" })
      .click();

  for (const p of [ada, gus]) {
    const first = await expectInbound(
      p.page,
      `${p.name} receiving`,
      (s) => s.frames > 10 && s.energy > 0,
    );
    await expectInbound(
      p.page,
      `${p.name} still receiving`,
      (s) => s.frames > first.frames + 10,
    );
    const paths = await selectedPaths(p.page);
    assert.deepEqual(
      paths.map((x) => x.protocol),
      ["tcp"],
      `${p.name}'s media goes over TCP: ${JSON.stringify(paths)}`,
    );
  }
});
