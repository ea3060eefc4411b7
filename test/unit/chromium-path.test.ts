/**
 * Where the browser tests and the conformance run find a browser (scripts/lib/chromium.ts):
 * CHROMIUM_PATH first, then where Chrome, Chromium and Edge install themselves on each platform.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChromiumNotFoundError, locateChromium } from '../../scripts/lib/chromium.ts';

const roots: string[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A fake installation: an empty file where a browser would be. */
function installed(...parts: string[]) {
  const root = mkdtempSync(join(tmpdir(), 'browser-'));
  roots.push(root);
  const file = join(root, ...parts);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  return { root, file };
}

describe('locating Chrome or Chromium', () => {
  it('takes CHROMIUM_PATH when it names a file, on any platform', () => {
    const { file } = installed('my-chrome');

    expect(locateChromium({ CHROMIUM_PATH: file, PATH: '' }, 'linux')).toBe(file);
    expect(locateChromium({ CHROMIUM_PATH: file }, 'win32')).toBe(file);
  });

  it('refuses a CHROMIUM_PATH that does not exist instead of looking elsewhere', () => {
    expect(() => locateChromium({ CHROMIUM_PATH: '/no/such/chrome' }, 'linux')).toThrow(
      'CHROMIUM_PATH=/no/such/chrome does not exist: set it to the Chrome or Chromium executable.',
    );
  });

  it.each(['chromium', 'chromium-browser', 'google-chrome'])('finds %s on PATH on Linux', (name) => {
    const { root, file } = installed('bin', name);

    expect(locateChromium({ PATH: join(root, 'bin') }, 'linux')).toBe(file);
  });

  it('finds Google Chrome in ~/Applications on macOS', () => {
    const { root, file } = installed(
      'Applications',
      'Google Chrome.app',
      'Contents',
      'MacOS',
      'Google Chrome',
    );

    expect(locateChromium({ HOME: root }, 'darwin')).toBe(file);
  });

  it.each([
    ['PROGRAMFILES', ['Google', 'Chrome', 'Application', 'chrome.exe']],
    ['LOCALAPPDATA', ['Google', 'Chrome', 'Application', 'chrome.exe']],
    ['PROGRAMFILES(X86)', ['Microsoft', 'Edge', 'Application', 'msedge.exe']],
  ])('finds the browser under %%%s%% on Windows', (variable, parts) => {
    const { root, file } = installed(...parts);

    expect(locateChromium({ [variable]: root }, 'win32')).toBe(file);
  });

  it('falls back on a browser Playwright downloaded', () => {
    const { file } = installed('ms-playwright', 'chrome');

    expect(locateChromium({ PATH: '' }, 'linux', () => [file])).toBe(file);
  });

  it('fails with one line naming CHROMIUM_PATH when there is no browser', () => {
    const attempt = () => locateChromium({ PATH: '' }, 'linux', () => []);

    expect(attempt).toThrow(ChromiumNotFoundError);
    expect(attempt).toThrow(/^No Chrome or Chromium found: .*set CHROMIUM_PATH to its executable\.$/);
  });
});
