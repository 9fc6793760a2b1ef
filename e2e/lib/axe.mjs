// Automated accessibility checks: axe-core (from npm, never a CDN) run inside the page.
// Evaluated through the DevTools protocol, so the app's Content-Security-Policy, which
// forbids inline scripts, does not stop it.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let source;

/**
 * The serious and critical WCAG A/AA violations on the page as it is now: for each
 * rule, its id, impact, how many elements and a few of their selectors.
 */
export async function axeViolations(page) {
  source ??= await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
  if (!(await page.evaluate(() => "axe" in globalThis)))
    await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
      },
      resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      count: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
      why: v.nodes[0]?.any[0]?.message ?? v.nodes[0]?.failureSummary,
    }));
  });
  return violations.filter(
    (v) => v.impact === "serious" || v.impact === "critical",
  );
}
