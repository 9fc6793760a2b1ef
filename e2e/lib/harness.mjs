// One test file = one confab server + one Chromium. Each simulated person gets a fresh
// browser context (own cookies and storage) and one page, whose console errors, page
// errors, requests and WebSockets are recorded. People made inside a test are closed
// when it ends; people made in `env.setup` live until the file ends (for a story told
// over several tests). Every test, through `env.test`, ends by checking what the
// pages did since the last check: no console error other than a failed 4xx HTTP response
// (or one the test said to expect), no uncaught error, and nothing fetched from any
// host but the server. A failing test leaves a screenshot of every page in e2e/artifacts/.
import assert from "node:assert/strict";
import { basename } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { startNetCut } from "./netcut.mjs";
import { artifactsDir, freePort, slug, startServer } from "./server.mjs";
import { defaultTimeoutMs } from "./expect.mjs";

export const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Flags from shared/FACTS.md: headless Debian Chromium, no network of its own, fake media. */
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  "--allow-loopback-in-peer-connection",
];

/** What Chromium logs for any HTTP error response; 4xx are expected answers (401 on /me, 404 on a bad link). */
const expectedHttpFailure =
  /^Failed to load resource: the server responded with a status of 4\d\d\b/;

/**
 * Sets up the server and browser for the calling test file.
 * `fixedPort`: start the server on a port picked now, so a restart keeps the same origin.
 * `config`: TOML for the server's config file (e.g. a `[media]` section), or an async
 *   function returning it (for set-up it depends on, such as a TURN server's port).
 * `browserArgs`: Chromium flags beyond `chromiumArgs` (e.g. a WebRTC network policy).
 */
export function e2e(
  fileUrl,
  { fixedPort = false, config, browserArgs = [] } = {},
) {
  const file = basename(new URL(fileUrl).pathname).replace(/\.test\.mjs$/, "");
  const env = new E2E(file);
  // One hook for all set-up: Node 20 does not wait for one root-level `before` hook to
  // finish before starting the next, so files add theirs with `env.setup(fn)`.
  before(async () => {
    env.server = await startServer({
      name: file,
      port: fixedPort ? await freePort() : 0,
      config: typeof config === "function" ? await config() : config,
    });
    env.browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumArgs, ...browserArgs],
    });
    for (const fn of env.setups) await fn(env);
  });
  after(async () => {
    await env.closeAll();
  });
  return env;
}

class E2E {
  constructor(file) {
    this.file = file;
    this.server = undefined;
    this.browser = undefined;
    /** Everyone with an open page. */
    this.people = [];
    this.allowed = [];
    /** Set-up steps of the file, run once the server and browser are up. */
    this.setups = [];
    /** Inside `env.test` (people made now are closed when the test ends). */
    this.inTest = false;
  }

  /** Runs `fn(env)` once before the file's tests, after the server and browser started. */
  setup(fn) {
    this.setups.push(fn);
  }

  /**
   * Defines a test. `fn` gets this env; people it creates are closed when it ends.
   */
  test(name, fn, options = {}) {
    test(name, options, async () => {
      this.allowed = [];
      this.inTest = true;
      try {
        await fn(this);
        this.checkPages();
      } catch (e) {
        await this.screenshots(name);
        throw e;
      } finally {
        this.inTest = false;
        await this.closePeople((p) => p.testScoped);
      }
    });
  }

  /** Console errors matching `pattern` are expected for the rest of the current test. */
  allowConsoleErrors(pattern) {
    this.allowed.push(pattern);
  }

  /**
   * A new person with their own browser context and page.
   * `session`: an ApiClient whose session cookie they carry (signed in).
   * `cuttable`: route them through a proxy the test can cut (`person.network.cut()`).
   */
  async person(name, { session, cuttable = false } = {}) {
    const network = cuttable
      ? await startNetCut(this.server.origin)
      : undefined;
    const context = await this.browser.newContext({
      baseURL: this.server.origin,
      locale: "en-US",
      timezoneId: "UTC",
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
      ...(network ? { proxy: network.proxy } : {}),
    });
    context.setDefaultTimeout(defaultTimeoutMs);
    if (session) await context.addCookies(session.cookies());
    const page = await context.newPage();
    const log = {
      console: [],
      pageErrors: [],
      requests: [],
      sockets: [],
      total: 0,
    };
    const p = { name, context, page, network, log, testScoped: this.inTest };
    page.on("console", (m) => {
      if (m.type() === "error")
        log.console.push(`${m.text()} (at ${m.location().url || page.url()})`);
    });
    // A DOMException has an empty stack: then its name and message are all there is.
    page.on("pageerror", (e) => log.pageErrors.push(e.stack || String(e)));
    context.on("request", (r) => {
      log.requests.push(r.url());
      log.total += 1;
    });
    page.on("websocket", (ws) => log.sockets.push(ws.url()));
    this.people.push(p);
    return p;
  }

  /** Asserts that the pages behaved since the last check (see the top of this file). */
  checkPages() {
    const origin = this.server.origin;
    const wsOrigin = origin.replace(/^http/, "ws");
    const problems = [];
    for (const { name, page, log } of this.people) {
      // The recording works: a page that shows something has loaded something.
      if (page.url() !== "about:blank" && log.total === 0)
        problems.push(`${name}: no requests were recorded`);
      for (const url of log.requests.splice(0)) {
        // Object URLs of the page itself (page images fetched with the join token) are local.
        const local =
          url.startsWith(`${origin}/`) || url.startsWith(`blob:${origin}/`);
        if (!local) problems.push(`${name} requested ${url}`);
      }
      for (const url of log.sockets.splice(0)) {
        if (!url.startsWith(`${wsOrigin}/`))
          problems.push(`${name} opened a WebSocket to ${url}`);
      }
      for (const text of log.console.splice(0)) {
        if (
          !expectedHttpFailure.test(text) &&
          !this.allowed.some((re) => re.test(text))
        ) {
          problems.push(`${name}'s console: ${text}`);
        }
      }
      for (const e of log.pageErrors.splice(0))
        problems.push(`${name}'s page threw: ${e}`);
    }
    assert.deepEqual(
      problems,
      [],
      "pages must log no unexpected errors and load nothing from other hosts",
    );
  }

  async screenshots(testName) {
    for (const p of this.people) {
      const path = `${artifactsDir}/${this.file}--${slug(testName)}--${slug(p.name)}.png`;
      try {
        await p.page.screenshot({ path, fullPage: true, timeout: 5_000 });
        console.error(`screenshot: ${path}`);
      } catch (e) {
        console.error(`no screenshot of ${p.name}: ${e.message}`);
      }
    }
  }

  async closePeople(which = () => true) {
    const people = this.people.filter(which);
    this.people = this.people.filter((p) => !which(p));
    for (const p of people) {
      await p.context.close().catch(() => undefined);
      await p.network?.close();
    }
  }

  async closeAll() {
    await this.closePeople();
    await this.browser?.close().catch(() => undefined);
    await this.server?.stop();
  }
}
