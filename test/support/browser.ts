import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, installed by `npm test` (scripts/ensure-deps.mjs --chromium); never a downloaded one. */
export const CHROMIUM_PATH = process.env.SUNDIAL_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium for the console's browser tests. Playwright gives each launch a fresh, empty profile
 * (user-data-dir) and runs it without the sandbox (tests run as root); the other flags stop Chromium's
 * own calls home, which this machine's closed network refuses.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    chromiumSandbox: false,
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
