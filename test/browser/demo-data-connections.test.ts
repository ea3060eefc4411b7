/**
 * The demo page's Data API v3 part, clicked through in Chromium: pick one of
 * the five configurations, go through the simulator's pages for it, come back
 * to the live timeline and end on the connection and its event.
 * Screenshots land in test-results/screenshots/ (phone size).
 */

import { type LocalStack, startLocalStack } from '@signupplus/local';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ChromiumSession, launchChromium, PHONE, screenshot } from './chromium.ts';
import { stepNames } from './journey-page.ts';

let stack: LocalStack;
let chromium: ChromiumSession;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await stack?.close();
});

const shownEventSchema = z.object({
  'detail-type': z.string(),
  detail: z
    .object({ onboarding_id: z.string(), connection_id: z.string(), configuration: z.string() })
    .loose(),
});

async function startConnection(page: Page, name: string, configuration: RegExp) {
  await page.goto(stack.urls.demo);
  const group = page.getByRole('group', { name: 'Who shows which screens?' });
  await expect(group.getByRole('radio').count()).resolves.toBe(5);
  await group.getByRole('radio', { name: configuration }).check();
  await screenshot(page, `${name}-1-start`);
  await page.getByRole('button', { name: 'Connect with your bank' }).click();
  await page.waitForURL((url) => url.origin !== stack.urls.api);
}

async function logInAtTheBank(page: Page, name: string, user: string) {
  await page.getByRole('heading', { name: /^Log in to/ }).waitFor();
  // The simulated bank asks what TrueLayer's Mock bank asks: a username and a password.
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(user.startsWith('error.') ? 'error' : 'doe');
  await screenshot(page, `${name}-3-bank`);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function backOnTheDemo(page: Page) {
  await page.waitForURL((url) => url.origin === stack.urls.api && url.searchParams.has('connection_id'));
  await page.locator('body[data-journey="done"]').waitFor();
  const url = new URL(page.url());
  const event = shownEventSchema.parse(JSON.parse((await page.locator('#event').textContent()) ?? ''));
  return {
    connectionId: url.searchParams.get('connection_id'),
    onboardingId: url.searchParams.get('onboarding_id'),
    event,
  };
}

describe('demo page, Data API v3 connections in Chromium', () => {
  it('connects an account with TrueLayer hosting everything (hosted_flow)', async () => {
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);

    await startConnection(page, 'data-hosted', /TrueLayer hosts everything/);
    await page.getByRole('heading', { name: 'Choose your bank' }).waitFor();
    await screenshot(page, 'data-hosted-2-provider');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await logInAtTheBank(page, 'data-hosted', 'john');
    const { connectionId, onboardingId, event } = await backOnTheDemo(page);
    await screenshot(page, 'data-hosted-4-connected');

    await expect(page.getByRole('status').textContent()).resolves.toBe('Connected');
    await expect(
      page.getByRole('region', { name: 'Your account is connected' }).textContent(),
    ).resolves.toContain('hosted_flow');
    expect(event).toMatchObject({
      'detail-type': 'Data Connection Authorized',
      detail: { connection_id: connectionId, onboarding_id: onboardingId, configuration: 'hosted_flow' },
    });
    expect(await stepNames(page)).toEqual(
      expect.arrayContaining([
        'POST /connections',
        'Data Connection Created',
        'GET /connections/return',
        'Data Connection Authorized',
      ]),
    );
    await page.close();
  });

  it('goes straight to the bank and back when the integrator runs the whole journey (fully_custom)', async () => {
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);

    await startConnection(page, 'data-custom', /Fully your journey/);
    await logInAtTheBank(page, 'data-custom', 'jane');
    const { event } = await backOnTheDemo(page);
    await screenshot(page, 'data-custom-4-connected');

    expect(event).toMatchObject({
      'detail-type': 'Data Connection Authorized',
      detail: { configuration: 'fully_custom' },
    });
    await page.close();
  });

  it('ends on a failed connection with its event when the user cancels at the bank', async () => {
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);

    await startConnection(page, 'data-cancel', /Your journey, TrueLayer’s result page/);
    await page.getByRole('heading', { name: /^Log in to/ }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Your account was not connected' }).waitFor();
    await screenshot(page, 'data-cancel-3-result-page');
    await page.getByRole('link', { name: /^Return to/ }).click();
    const { event } = await backOnTheDemo(page);
    await screenshot(page, 'data-cancel-4-failed');

    await expect(page.getByRole('status').textContent()).resolves.toBe('Not connected');
    expect(event).toMatchObject({
      'detail-type': 'Data Connection Failed',
      detail: { configuration: 'own_flow_with_result_page' },
    });
    await page.close();
  });
});
