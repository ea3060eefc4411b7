/**
 * The demo page, clicked through in Chromium as a person would: start an
 * onboarding, go through the simulator's bank pages, come back to a live
 * timeline, pick an account when asked, end on the result and its event.
 * Screenshots land in test-results/screenshots/ (phone size unless named -desktop).
 */

import { type LocalStack, startLocalStack } from '@signupplus/local';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getOnboarding } from '../helpers/journey.ts';
import { type ChromiumSession, DESKTOP, launchChromium, PHONE, screenshot } from './chromium.ts';
import { backOnTheDemo, shownEvent, stepNames, stepShown } from './journey-page.ts';

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
  source: z.string(),
  detail: z
    .object({
      onboarding_id: z.string(),
      reference: z.string().optional(),
      account: z.object({ account_number: z.string().optional() }).loose().optional(),
      failure: z.object({ reason: z.string() }).optional(),
    })
    .loose(),
});

/** From the demo's start page through the simulator's bank choice and consent, up to the bank login. */
async function startAtTheBank(page: Page, name: string, reference?: string) {
  await page.goto(stack.urls.demo);
  await page.getByRole('heading', { name: 'Sign up with your bank' }).waitFor();
  await page.getByRole('listitem').filter({ hasText: 'jane' }).waitFor();
  await screenshot(page, `${name}-1-start`);
  if (reference) await page.getByLabel('Your reference').fill(reference);
  await page.getByRole('button', { name: 'Sign up with your bank' }).click();

  await page.getByRole('heading', { name: 'Choose your bank' }).waitFor();
  expect(new URL(page.url()).origin).toBe(stack.urls.truelayer_auth);
  await screenshot(page, `${name}-2-bank`);
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: /^Share your data/ }).waitFor();
  await screenshot(page, `${name}-3-consent`);
}

async function logInAs(page: Page, name: string, user: string) {
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: /^Log in to/ }).waitFor();
  // The simulated bank asks what TrueLayer's Mock bank asks: a username and a password.
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(user.startsWith('error.') ? 'error' : 'doe');
  await screenshot(page, `${name}-4-login`);
  await page.getByRole('button', { name: 'Log in' }).click();
}

const finished = (page: Page) => shownEvent(page, shownEventSchema);

describe('demo page, Signup+ in Chromium', () => {
  it('takes john from the start page through the bank to ready for payment, with the event shown', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);

    // Act
    await startAtTheBank(page, 'john', 'customer-42');
    await logInAs(page, 'john', 'john');
    const onboardingId = await backOnTheDemo(page, stack);
    const event = await finished(page);
    await screenshot(page, 'john-5-completed');

    // Assess: the result, as the person sees it
    await expect(page.getByRole('status').textContent()).resolves.toBe('Ready for payment');
    const outcome = page.getByRole('region', { name: 'You are ready for payment' });
    await expect(outcome.textContent()).resolves.toMatch(/Mr John Doe.*1985-04-12.*04-00-04.*12345678/s);
    // the bank he logged in to, by its name
    await expect(outcome.textContent()).resolves.toMatch(/BankMock Bank/);
    // the published event, for this journey
    await expect(
      page.getByRole('heading', { name: 'Published event: Onboarding Ready For Payment' }).count(),
    ).resolves.toBe(1);
    expect(event).toMatchObject({
      'detail-type': 'Onboarding Ready For Payment',
      source: 'signupplus.onboarding',
      detail: {
        onboarding_id: onboardingId,
        reference: 'customer-42',
        account: { account_number: '12345678' },
      },
    });
    // the live timeline shows the API, the workflow's states and the event
    const names = await stepNames(page);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /onboardings',
        'GET /callback',
        'LinkAccounts',
        'WhatNext',
        'Onboarding Ready For Payment',
      ]),
    );
    expect(names).not.toContain('WaitForAccountChoice');
    await stepShown(page, 'LinkAccounts', 'succeeded');
    expect((await getOnboarding(stack, onboardingId)).status).toBe('completed');
    // nothing was fetched from anywhere but this machine
    const hosts = new Set(chromium.requests.map((url) => new URL(url).hostname));
    expect([...hosts]).toEqual(['127.0.0.1']);

    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'john-5-completed-desktop');
    await page.close();
  });

  it('lets jane pick the second of her three accounts and completes with that account', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    await startAtTheBank(page, 'jane');
    await logInAs(page, 'jane', 'jane');
    const onboardingId = await backOnTheDemo(page, stack);

    // Act: the picker appears while the workflow waits
    const picker = page.getByRole('group', { name: /several accounts/ });
    await picker.waitFor();
    await stepShown(page, 'WaitForAccountChoice', 'waiting');
    await expect(page.getByRole('status').textContent()).resolves.toBe('Choose an account');
    const radios = picker.getByRole('radio');
    await expect(radios.count()).resolves.toBe(3);
    // nothing is chosen for her, and the deadline is shown
    await expect(picker.locator('input:checked').count()).resolves.toBe(0);
    await expect(picker.locator('time').getAttribute('datetime')).resolves.toBe(
      (await getOnboarding(stack, onboardingId)).account_choice_expires_at,
    );
    await screenshot(page, 'jane-5-choose');
    // marks this document: a reload would lose it
    await page.evaluate(() => document.body.setAttribute('data-same-document', 'yes'));
    await picker.getByRole('radio', { name: /TRANSACTION ACCOUNT 2/ }).check();
    await page.getByRole('button', { name: 'Use this account' }).click();
    const event = await finished(page);
    await screenshot(page, 'jane-6-completed');

    // Assess
    await expect(page.locator('body').getAttribute('data-same-document')).resolves.toBe('yes');
    expect(event).toMatchObject({
      'detail-type': 'Onboarding Ready For Payment',
      detail: { onboarding_id: onboardingId, account: { account_number: '30000000' } },
    });
    const outcome = page.getByRole('region', { name: 'You are ready for payment' });
    await expect(outcome.textContent()).resolves.toMatch(/Ms Jane Roe.*01-21-31.*30000000/s);
    await expect(picker.isVisible()).resolves.toBe(false);
    await stepShown(page, 'WaitForAccountChoice', 'succeeded');
    const names = await stepNames(page);
    expect(names).toEqual(
      expect.arrayContaining([
        'Onboarding Account Choice Required',
        'POST /onboardings/{id}/account-choice',
        'CompleteWithChosenAccount',
        'Onboarding Ready For Payment',
      ]),
    );
    const view = await getOnboarding(stack, onboardingId);
    expect(view).toMatchObject({ status: 'completed', chosen_account_id: 'acc-8232b085624e6babf' });
    await page.close();
  });

  it('shows a denial at the bank as a failed onboarding with its event', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    await startAtTheBank(page, 'denial');

    // Act
    await page.getByRole('button', { name: 'Deny' }).click();
    const onboardingId = await backOnTheDemo(page, stack);
    const event = await finished(page);
    await screenshot(page, 'denial-4-failed');

    // Assess
    expect(new URL(page.url()).searchParams.get('outcome')).toBe('denied');
    await expect(page.getByRole('status').textContent()).resolves.toBe('Not signed up');
    await expect(
      page.getByRole('region', { name: 'You chose not to share your bank details' }).count(),
    ).resolves.toBe(1);
    expect(event).toMatchObject({
      'detail-type': 'Onboarding Failed',
      detail: { onboarding_id: onboardingId, failure: { reason: 'access_denied' } },
    });
    const names = await stepNames(page);
    // no workflow runs for a denial: the callback records it and publishes the event itself
    expect(names.sort()).toEqual(['GET /callback', 'Onboarding Failed', 'POST /onboardings']);
    expect((await getOnboarding(stack, onboardingId)).status).toBe('failed');
    await page.close();
  });

  it('links to the OpenAPI document the local runtime serves', async () => {
    const page = await chromium.context.newPage();
    await page.goto(stack.urls.demo);

    const [response] = await Promise.all([
      page.waitForResponse((answer) => answer.url().endsWith('/openapi.json')),
      page.getByRole('link', { name: 'OpenAPI document' }).click(),
    ]);
    const document = z
      .object({
        openapi: z.string(),
        servers: z.array(z.object({ url: z.string() })),
        paths: z.record(z.string(), z.unknown()),
      })
      .parse(await response.json());

    expect(document.openapi).toBe('3.1.0');
    expect(document.servers[0]?.url).toBe(stack.urls.api);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/onboardings', '/onboardings/{id}', '/callback']),
    );
    await page.close();
  });

  it('labels every form control of the demo for screen readers', async () => {
    const page = await chromium.context.newPage();
    await page.goto(stack.urls.demo);

    const unlabelled = await page.locator('input, select, textarea, button').evaluateAll((controls) =>
      controls
        .filter((control) => {
          if (control instanceof HTMLButtonElement) return control.textContent?.trim() === '';
          return control instanceof HTMLInputElement && control.labels?.length === 0;
        })
        .map((control) => control.outerHTML),
    );
    const lang = await page.locator('html').getAttribute('lang');

    expect(unlabelled).toEqual([]);
    expect(lang).toBe('en');
    await page.close();
  });
});
