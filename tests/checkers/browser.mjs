// Drives one tab of headless Chromium for tests/test_preview.py, as a person at the browser would use
// `confgen preview`: open a URL, then watch what the page shows while the test changes files on disk.
//
// Reads one JSON command per line on stdin and answers each with one JSON line on stdout:
//   {"goto": URL}                       -> {"status": HTTP status, ...what the page shows}
//   {"waitFor": TEXT, "timeout": MS}    -> {"found": whether the page showed TEXT within MS, ...what it shows}
// What the page shows: {"url", "text" (the body's innerText), "panel" (the innerText of the preview's panel of
// diagnostics, or null), "panelElements" (the element names inside that panel), "loads" (how many times a page
// loaded in the tab: a reload the page did by itself counts), "dialogs" (alerts and the like that opened),
// "errors" (console errors and uncaught exceptions)}.
// Exit 0 at the end of stdin; exit 2 when the browser cannot start or a command cannot be run.
//
// Like axe.mjs, it drives the machine's Chromium through chromium.mjs; the page reaches nothing but the preview
// on 127.0.0.1.
import { createInterface } from "node:readline";
import { close, launch } from "./chromium.mjs";

let browser;
let loads = 0;
let dialogs = 0;
const errors = [];

async function shows(page) {
  // A page that is being replaced (a reload) has no document for a moment: what it shows is then nothing.
  const seen = await page.evaluate(() => {
    const panel = document.getElementById("confgen-preview");
    return {
      text: document.body ? document.body.innerText : "",
      panel: panel ? panel.innerText : null,
      panelElements: panel ? [...panel.querySelectorAll("*")].map((element) => element.localName) : [],
    };
  }).catch(() => ({ text: "", panel: null, panelElements: [] }));
  return { url: page.url(), ...seen, loads, dialogs, errors };
}

async function waitFor(page, text, timeout) {
  // Polled rather than waited for with waitForFunction: the page reloads itself in the meantime, which ends
  // any function waiting inside it.
  const deadline = Date.now() + timeout;
  for (;;) {
    const seen = await shows(page);
    if (seen.text.includes(text) || Date.now() > deadline) {
      return { found: seen.text.includes(text), ...seen };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

try {
  browser = await launch("browser");
  const { page } = browser;
  page.on("load", () => { loads += 1; });
  page.on("dialog", (dialog) => { dialogs += 1; dialog.dismiss().catch(() => {}); });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    // Chromium asks every site for /favicon.ico, which the preview does not serve (it serves the statement only).
    if (message.type() === "error" && !message.location().url.endsWith("/favicon.ico")) {
      errors.push(`console: ${message.text()} (${message.location().url})`);
    }
  });
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const command = JSON.parse(line);
    let answer;
    if ("goto" in command) {
      const response = await page.goto(command.goto, { waitUntil: "load", timeout: 30_000 });
      answer = { status: response ? response.status() : null, ...(await shows(page)) };
    } else if ("waitFor" in command) {
      answer = await waitFor(page, command.waitFor, command.timeout ?? 10_000);
    } else {
      throw new Error(`unknown command: ${line}`);
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
} catch (error) {
  console.error(`the browser could not run: ${error.stack ?? error}`);
  process.exitCode = 2;
} finally {
  await close(browser);
}
