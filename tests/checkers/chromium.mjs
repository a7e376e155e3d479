// The machine's Chromium (Debian's /usr/bin/chromium), started by playwright-core for axe.mjs and browser.mjs:
// headless, off the network, with a throwaway profile that no other run sees. playwright-core downloads no
// browser of its own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

// Playwright refuses --user-data-dir in args and takes the folder as launchPersistentContext's first argument,
// which it passes to Chromium as --user-data-dir. The other flags keep Chromium off the network (the pages are
// one self-contained file, or the preview on 127.0.0.1) and let it run as root in a container.
export async function launch(name) {
  const profile = mkdtempSync(join(tmpdir(), `confgen-${name}-`));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      timeout: 60_000,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return { context, page, profile };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

// Closes the browser and removes its profile; safe to call with what launch() never returned.
export async function close(browser) {
  if (!browser) return;
  await browser.context.close().catch(() => {});
  rmSync(browser.profile, { recursive: true, force: true });
}
