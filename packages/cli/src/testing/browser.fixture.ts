/**
 * Test-only: Debian's Chromium driven by playwright-core, with every console error and
 * uncaught page error collected, and screenshots written under `test-results/` (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser (.ci/run installs it when missing). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The folder screenshots go to, created on demand. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../../test-results/admin-ui/', import.meta.url));

/** A browser page and the errors it reported. */
export interface BrowserPage {
  readonly browser: Browser;
  readonly page: Page;
  /** Console errors and uncaught exceptions, in order. */
  readonly errors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Launches headless Chromium and opens one page that records its errors. */
export async function openBrowserPage(): Promise<BrowserPage> {
  // NB: as root (CI), Chromium refuses to start with its sandbox on.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    browser,
    page,
    errors,
    screenshot: async (name) =>
      void (await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true })),
    close: () => browser.close(),
  };
}
