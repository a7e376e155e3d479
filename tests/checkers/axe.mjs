// Runs axe-core on one HTML file in headless Chromium and prints what it found as JSON on stdout:
// {"axe": version, "violations": [...], "incomplete": [...]}. Exit 0 when axe ran, whatever it found (the
// pytest test judges the findings); exit 2 when it could not run. Usage: node axe.mjs FILE.html
//
// Why Node: axe-core is a browser script, and playwright-core is the smallest driver that loads a page in the
// machine's Chromium (chromium.mjs).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { close, launch } from "./chromium.mjs";

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node axe.mjs FILE.html");
  process.exit(2);
}
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let browser;
try {
  browser = await launch("axe");
  const { page } = browser;
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: "load" });
  // Injected as text: no file:// script loading, nothing fetched.
  await page.addScriptTag({ content: axeSource });
  // axe.run() with no options runs every rule that is on by default (WCAG 2.x A and AA, best practices).
  const results = await page.evaluate(() => window.axe.run());
  const nodes = (found) => found.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary }));
  const brief = (found) => ({ id: found.id, impact: found.impact, help: found.help, helpUrl: found.helpUrl,
    nodes: nodes(found) });
  console.log(JSON.stringify({
    axe: results.testEngine.version,
    violations: results.violations.map(brief),
    incomplete: results.incomplete.map(brief), // "needs review": reported, not judged
  }, null, 1));
} catch (error) {
  console.error(`axe could not run on ${file}: ${error.stack ?? error}`);
  process.exitCode = 2;
} finally {
  await close(browser);
}
