/**
 * Debian's Chromium driven by playwright-core, for the web UI's tests and benchmark: no browser is
 * downloaded, and the flags keep it from reaching for the network this machine does not have.
 */
import { existsSync } from "node:fs";
import { type BrowserContext, chromium } from "playwright-core";

/** The browser binary: LATHE_CHROMIUM, else Debian's package. */
export const CHROMIUM = process.env.LATHE_CHROMIUM ?? "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A headless Chromium on a fresh profile folder (a persistent context is how playwright takes --user-data-dir). */
export function launchChromium(
  userDataDir: string,
  viewport?: { width: number; height: number },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    ...(viewport ? { viewport } : {}),
    args: FLAGS,
  });
}
