/**
 * The conformance run's browser: Chromium through playwright-core (which
 * downloads no browser of its own), walking an auth dialog or a hosted page
 * the way a person would until it redirects to the run's loopback URI. The
 * redirect is caught inside the browser, so nothing needs to listen on that
 * URI. TrueLayer's real pages are not known to this code in detail: it looks
 * for what any such page has (a bank called Mock, a username and a password
 * field, buttons that say Allow, Continue or Log in). With `manual`, the
 * browser opens on screen and a person clicks through instead.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { locateChromium } from './lib/chromium.ts';

export interface DialogLogin {
  username: string;
  password: string;
  /** The bank to pick when a list is shown, e.g. /mock/i. */
  bank: RegExp;
}

export interface ConformanceBrowser {
  /** Opens `url` and returns the URL the page was finally sent to under `redirectPrefix`. */
  walk(
    url: string,
    redirectPrefix: string,
    options: { deadlineMs: number; screenshot: string },
  ): Promise<URL>;
  close(): Promise<void>;
}

const GO_ON =
  /^\s*(allow|agree|accept|approve|authori[sz]e|continue|confirm|next|proceed|share|connect|yes)\b/i;
const SUBMIT = /^\s*(log ?in|sign ?in|continue|submit|next)\b/i;

async function firstVisible(page: Page, selector: string) {
  const all = page.locator(selector);
  const count = await all.count();
  for (let i = 0; i < count; i += 1) {
    const candidate = all.nth(i);
    if (await candidate.isVisible().catch(() => false)) return candidate;
  }
  return undefined;
}

/** One step on whatever page is shown; false when nothing could be done. */
async function step(page: Page, login: DialogLogin, clickedBank: { done: boolean }): Promise<boolean> {
  const password = await firstVisible(page, 'input[type="password"]');
  if (password) {
    const username = await firstVisible(
      page,
      'input[type="text"], input[type="email"], input[name*="user" i], input:not([type])',
    );
    await username?.fill(login.username);
    await password.fill(login.password);
    const submit =
      (await firstVisible(page, 'button[type="submit"], input[type="submit"]')) ??
      page.getByRole('button', { name: SUBMIT }).first();
    await submit.click();
    return true;
  }
  if (!clickedBank.done) {
    const bank = page.getByText(login.bank).first();
    if (await bank.isVisible().catch(() => false)) {
      await bank.click();
      clickedBank.done = true;
      return true;
    }
  }
  for (const role of ['button', 'link'] as const) {
    const action = page.getByRole(role, { name: GO_ON }).first();
    if (await action.isVisible().catch(() => false)) {
      await action.click();
      return true;
    }
  }
  return false;
}

export async function launchConformanceBrowser(options: {
  /** The browser to drive; found as the browser tests find it (CHROMIUM_PATH, the usual places) when absent. */
  chromiumPath: string | undefined;
  manual: boolean;
  login: DialogLogin;
}): Promise<ConformanceBrowser> {
  const executablePath = options.chromiumPath ?? locateChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'signupplus-conformance-'));
  const context: BrowserContext = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: !options.manual,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    viewport: { width: 390, height: 844 },
    locale: 'en-GB',
  });
  context.setDefaultTimeout(10_000);

  return {
    async walk(url, redirectPrefix, walkOptions) {
      let caught: URL | undefined;
      // The redirect to the run's own URI is answered inside the browser: nothing listens there.
      await context.route(
        (target) => target.href.startsWith(redirectPrefix),
        async (route) => {
          caught = new URL(route.request().url());
          await route.fulfill({ status: 200, contentType: 'text/plain', body: 'Conformance run: back.' });
        },
      );
      const page = await context.newPage();
      const deadline = Date.now() + walkOptions.deadlineMs;
      const clickedBank = { done: false };
      try {
        await page.goto(url);
        while (caught === undefined && Date.now() < deadline) {
          const acted = options.manual
            ? false
            : await step(page, options.login, clickedBank).catch(() => false);
          // Let the page move on (or the person click) before looking again.
          await page.waitForLoadState('domcontentloaded').catch(() => undefined);
          await page.waitForTimeout(acted ? 300 : 1_000);
        }
        if (caught === undefined) {
          mkdirSync(join(walkOptions.screenshot, '..'), { recursive: true });
          await page.screenshot({ path: walkOptions.screenshot, fullPage: true }).catch(() => undefined);
          throw new Error(
            `The browser did not reach ${redirectPrefix} in time; the last page is in ${walkOptions.screenshot}. ` +
              'Run again with --manual to click through yourself.',
          );
        }
        return caught;
      } finally {
        await page.close().catch(() => undefined);
        await context.unrouteAll({ behavior: 'ignoreErrors' });
      }
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
