/**
 * Launches the machine's Chrome or Chromium through playwright-core, which
 * downloads no browser of its own (scripts/lib/chromium.ts says where it
 * looks; CHROMIUM_PATH names one). The browser tests never skip: without a
 * browser they fail with one line saying what to set.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { locateChromium } from '../../scripts/lib/chromium.ts';
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export interface ChromiumSession {
  context: BrowserContext;
  /** Every URL the pages requested: the demo must need nothing beyond loopback. */
  requests: string[];
  close(): Promise<void>;
}

export async function launchChromium(): Promise<ChromiumSession> {
  const executablePath = locateChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'signupplus-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: PHONE,
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  context.setDefaultTimeout(10_000);
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  return {
    context,
    requests,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves `test-results/screenshots/<name>.png` (the whole page). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
