// The second browser: Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi
// (never a downloaded browser). A Firefox person is a fresh browser context with one page,
// like a Chromium person in harness.mjs, and is driven by what it shows: ARIA roles and
// accessible names only. Console errors and uncaught page errors are recorded and checked
// by `checkFirefoxPages`. The launch and prefs are those of shared/FACTS.md: with fake
// media, and on a machine with only `lo` the loopback and permission prefs, without
// which Firefox gathers no ICE candidates.
import assert from "node:assert/strict";
import puppeteer from "puppeteer-core";
import { defaultTimeoutMs } from "./expect.mjs";

export const firefoxPath = process.env.FIREFOX ?? "/usr/bin/firefox-esr";

const prefs = {
  "media.navigator.streams.fake": true,
  "media.navigator.permission.disabled": true,
  "media.peerconnection.ice.loopback": true,
  "permissions.default.camera": 1,
  "permissions.default.microphone": 1,
  // Nothing of its own on the network: no updates, telemetry, safe browsing or captive
  // portal checks.
  "app.update.enabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "toolkit.telemetry.enabled": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
};

/** Starts a headless Firefox (2–8 s on a loaded machine). */
export function launchFirefox() {
  return puppeteer.launch({
    browser: "firefox",
    executablePath: firefoxPath,
    headless: true,
    protocol: "webDriverBiDi",
    extraPrefsFirefox: prefs,
  });
}

/**
 * A person in Firefox: their own browser context and page on `origin`. `close()` ends
 * them. `goto(path)` opens a path of the server.
 */
export async function firefoxPerson(browser, origin, name) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(defaultTimeoutMs);
  await page.setViewport({ width: 1280, height: 800 });
  const log = { console: [], pageErrors: [] };
  page.on("console", (m) => {
    if (m.type() === "error") log.console.push(m.text());
  });
  page.on("pageerror", (e) => log.pageErrors.push(e.stack || String(e)));
  return {
    name,
    page,
    log,
    browserName: "firefox",
    goto: (path) => page.goto(new URL(path, origin).href),
    close: () => context.close().catch(() => undefined),
  };
}

/** Asserts that Firefox pages logged no error and threw nothing since the last check. */
export function checkFirefoxPages(people, allowed = []) {
  const problems = [];
  for (const { name, log } of people) {
    for (const text of log.console.splice(0))
      if (!allowed.some((re) => re.test(text)))
        problems.push(`${name}'s console: ${text}`);
    for (const e of log.pageErrors.splice(0))
      problems.push(`${name}'s page threw: ${e}`);
  }
  assert.deepEqual(problems, [], "Firefox pages must log no unexpected errors");
}

/** The element with ARIA `role` and accessible name `name` (a puppeteer locator). */
export function byRole(page, role, name) {
  const quoted = JSON.stringify(name);
  return page.locator(`::-p-aria([name=${quoted}][role="${role}"])`);
}

/**
 * The element with an explicit ARIA `role` attribute and `aria-label` (a puppeteer
 * locator). Puppeteer's ARIA queries over BiDi miss some of these in Firefox (a labelled
 * `div` with role `img`), which a plain attribute query finds.
 */
export function byLabel(page, role, label) {
  return page.locator(`[role="${role}"][aria-label=${JSON.stringify(label)}]`);
}

/** Waits until the element with `role` and `name` is shown. */
export async function expectShown(page, role, name, { timeout = defaultTimeoutMs } = {}) {
  await byRole(page, role, name).setTimeout(timeout).wait();
}

/** Opens a join link as a guest, types a name and presses Join (as ui.mjs does in Chromium). */
export async function joinAsGuestInFirefox(person, linkPath, displayName) {
  await person.goto(linkPath);
  await byRole(person.page, "textbox", "Your name").fill(displayName);
  await byRole(person.page, "button", "Join meeting").click();
}

/** The room is showing: its title, the people panel and the chat. */
export async function expectInRoomInFirefox(page, title) {
  await expectShown(page, "heading", title);
  await expectShown(page, "heading", "People");
  await expectShown(page, "heading", "Chat");
}
