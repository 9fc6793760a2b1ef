// Retrying assertions on what a page shows. playwright-core has auto-waiting actions
// and `locator.waitFor`, but not @playwright/test's `expect`; these fill the gap the same
// way: re-check until the condition holds or the timeout passes, then fail with what was
// last seen. No fixed sleeps: the polling backs off from 50 ms to 500 ms.
import assert from 'node:assert/strict';

export const defaultTimeoutMs = 10_000;
const intervals = [50, 100, 250, 500];

/**
 * Runs `check` (which throws on failure) until it passes; rethrows its last error
 * after `timeout` ms, prefixed with `what`.
 */
export async function eventually(what, check, { timeout = defaultTimeoutMs } = {}) {
  const deadline = Date.now() + timeout;
  for (let i = 0; ; i++) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() >= deadline) {
        const err = new Error(`${what} (still failing after ${timeout} ms): ${e.message}`);
        err.cause = e;
        throw err;
      }
    }
    await new Promise((r) => setTimeout(r, intervals[Math.min(i, intervals.length - 1)]));
  }
}

/** The locator is (or becomes) visible. */
export async function expectVisible(locator, { timeout = defaultTimeoutMs } = {}) {
  await locator.first().waitFor({ state: 'visible', timeout });
}

/** Nothing the locator matches is visible (or it matches nothing). */
export async function expectHidden(locator, { timeout = defaultTimeoutMs } = {}) {
  await eventually(
    `expected ${locator} to be hidden`,
    async () => {
      for (const el of await locator.all()) assert.equal(await el.isVisible(), false, `${el} is visible`);
    },
    { timeout },
  );
}

/** The locator matches exactly `n` elements. */
export async function expectCount(locator, n, { timeout = defaultTimeoutMs } = {}) {
  await eventually(`expected ${locator} to match ${n} element(s)`, async () => assert.equal(await locator.count(), n), {
    timeout,
  });
}

/** The element's text matches `pattern` (a RegExp, or a substring). */
export async function expectText(locator, pattern, { timeout = defaultTimeoutMs } = {}) {
  await eventually(
    `expected ${locator} to show ${pattern}`,
    async () => {
      const text = await locator.innerText();
      if (pattern instanceof RegExp) assert.match(text, pattern);
      else assert.ok(text.includes(pattern), `text was ${JSON.stringify(text)}`);
    },
    { timeout },
  );
}

/** The element's attribute equals `value` (null: absent). */
export async function expectAttribute(locator, name, value, { timeout = defaultTimeoutMs } = {}) {
  await eventually(
    `expected ${locator} to have ${name}=${JSON.stringify(value)}`,
    async () => assert.equal(await locator.getAttribute(name), value),
    { timeout },
  );
}

/** The page's path (and query) becomes `expected` (a string, or a RegExp). */
export async function expectPath(page, expected, { timeout = defaultTimeoutMs } = {}) {
  await eventually(
    `expected the page to be at ${expected}`,
    async () => {
      const u = new URL(page.url());
      const path = u.pathname + u.search;
      if (expected instanceof RegExp) assert.match(path, expected);
      else assert.equal(path, expected);
    },
    { timeout },
  );
}
