/**
 * Finds a Chrome or Chromium for playwright-core, which downloads no browser
 * of its own: `CHROMIUM_PATH` when set, else the usual places on Linux, macOS
 * and Windows, else a browser Playwright itself installed
 * (`npx playwright-core install chromium`). Shared by the browser tests and
 * the conformance run.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';

/** The one variable that names the browser, documented in the README. */
export const CHROMIUM_PATH_VARIABLE = 'CHROMIUM_PATH';

export class ChromiumNotFoundError extends Error {
  override readonly name = 'ChromiumNotFoundError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** Browser commands looked up on PATH (Linux distributions name them differently). */
const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge'];

/** Where the installers put Chrome, Chromium and Edge (Chromium underneath, and on every Windows). */
function installedPaths(platform: NodeJS.Platform, env: Env): string[] {
  if (platform === 'darwin') {
    const apps = ['/Applications', join(env.HOME ?? '', 'Applications')];
    return apps.flatMap((dir) => [
      join(dir, 'Google Chrome.app/Contents/MacOS/Google Chrome'),
      join(dir, 'Chromium.app/Contents/MacOS/Chromium'),
      join(dir, 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'),
    ]);
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter(
      (root): root is string => Boolean(root),
    );
    return roots.flatMap((root) => [
      join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      join(root, 'Chromium', 'Application', 'chrome.exe'),
      join(root, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
    ]);
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  return ON_PATH.flatMap((name) => dirs.map((dir) => join(dir, name)));
}

/** Playwright's own download for this platform, if someone installed it. */
function playwrightBrowser(): string[] {
  try {
    return [chromium.executablePath()];
  } catch {
    return [];
  }
}

/**
 * The browser to drive, or a ChromiumNotFoundError whose message is one line
 * saying what to set.
 */
export function locateChromium(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
  lastResort: () => string[] = playwrightBrowser,
): string {
  const chosen = env[CHROMIUM_PATH_VARIABLE];
  if (chosen) {
    if (existsSync(chosen)) return chosen;
    throw new ChromiumNotFoundError(
      `${CHROMIUM_PATH_VARIABLE}=${chosen} does not exist: set it to the Chrome or Chromium executable.`,
    );
  }
  const found = [...installedPaths(platform, env), ...lastResort()].find((path) => existsSync(path));
  if (found) return found;
  throw new ChromiumNotFoundError(
    `No Chrome or Chromium found: install one (Debian: apt-get install chromium) or set ${CHROMIUM_PATH_VARIABLE} to its executable.`,
  );
}
