import { chromium } from "playwright-core";
import { chromiumArgs } from "../lib/harness.mjs";
import { startServer, linkPath } from "../lib/server.mjs";
const server = await startServer({ name: "dbg" });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: chromiumArgs });
const session = await server.signIn();
const m = await session.createMeeting({ title: "Dbg", lobby: false, wait_for_presenter: false });
const mk = async (name) => {
  const ctx = await browser.newContext({ baseURL: server.origin });
  const page = await ctx.newPage();
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => { const t = String(f.payload); if (/media|hello/.test(t)) console.log(name, "SENT", t.slice(0, 160)); });
    ws.on("framereceived", (f) => { const t = String(f.payload); if (/media|error/.test(t)) console.log(name, "RECV", t.slice(0, 200)); });
  });
  page.on("console", (msg) => console.log(name, "console", msg.type(), msg.text().slice(0, 200)));
  return page;
};
const ada = await mk("ada"), gus = await mk("gus");
for (const [p, n] of [[ada, "Ada"], [gus, "Gus"]]) {
  await p.goto(linkPath(m.attendee_link));
  await p.getByLabel("Your name").fill(n);
  await p.getByRole("button", { name: "Join meeting" }).click();
}
for (const p of [ada, gus]) await p.getByRole("button", { name: "Join with audio and video" }).click();
await ada.waitForTimeout(8000);
await browser.close();
await server.stop();
