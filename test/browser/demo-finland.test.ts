/**
 * The demo's Finland card (Signup+ in Finland), clicked through in Chromium as a person would: pay
 * in euros on the simulator's hosted payment page as one of its mock payment users, come back to
 * the live journey page, follow its call to action to the simulated Finnish bank, identify there
 * (or cancel), come back again and end on the result and its event. Screenshots land in
 * test-results/screenshots/finland-*.png (phone size unless named -desktop).
 */

import { type LocalStack, startLocalStack } from '@signupplus/local';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requestJson } from '../helpers/http.ts';
import { getOnboarding } from '../helpers/journey.ts';
import { type ChromiumSession, DESKTOP, launchChromium, PHONE, screenshot } from './chromium.ts';
import { backOnTheDemo, shownEvent, stepLabel, stepNames } from './journey-page.ts';

let stack: LocalStack;
let chromium: ChromiumSession;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
  chromium = await launchChromium();
});

afterEach(async () => {
  await requestJson('DELETE', `${stack.urls.truelayer_api}/_sandbox/faults`);
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
      payment_id: z.string().optional(),
      user: z
        .object({ first_name: z.string(), last_name: z.string(), national_identification_number: z.string() })
        .loose()
        .optional(),
      failure: z.object({ reason: z.string() }).optional(),
    })
    .loose(),
});

const CARD = 'Or sign up in Finland (pay in euros)';
const PAY = 'Pay in euros and sign up';
const IDENTIFY = 'Identify yourself with your bank';

/** The demo's start page, with the Finland card's amount typed as a person types it. */
async function fillTheFinlandCard(page: Page, name: string, amount: string, reference?: string) {
  await page.goto(stack.urls.demo);
  const card = page.getByRole('region', { name: CARD });
  await card.waitFor();
  if (reference) await page.getByLabel('Your reference').fill(reference);
  await card.getByLabel('Amount in euros').fill(amount);
  await screenshot(page, `${name}-1-start`);
  return card;
}

/** From the Finland card through the hosted payment page (paid as test_executed) back to the demo. */
async function payInEuros(page: Page, name: string, amount: string, reference?: string) {
  const card = await fillTheFinlandCard(page, name, amount, reference);
  await card.getByRole('button', { name: PAY }).click();
  await page.getByRole('heading', { name: /^Pay \d+\.\d\d EUR$/ }).waitFor();
  const link = new URL(page.url());
  expect(`${link.origin}${link.pathname}`).toBe(`${stack.urls.truelayer_auth}/checkout/`);
  await expect(page.getByText('Bank: Mock Finland Payments').count()).resolves.toBe(1);
  await screenshot(page, `${name}-2-hosted-page`);
  await page.getByLabel('Username').fill('test_executed');
  await page.getByRole('button', { name: 'Pay' }).click();
  const onboardingId = await backOnTheDemo(page, stack);
  return { paymentId: link.searchParams.get('payment_id') ?? '', onboardingId };
}

/** The journey page's call to action, once the record waits for the payer to identify. */
async function theCallToIdentify(page: Page, name: string) {
  const action = page.getByRole('link', { name: IDENTIFY });
  await action.waitFor();
  await screenshot(page, `${name}-3-identify`);
  return action;
}

/** Follows the call to action to the simulator's identification page and decides there. */
async function identifyAtTheBank(page: Page, name: string, decision: 'Approve' | 'Cancel') {
  await (await theCallToIdentify(page, name)).click();
  await page.getByRole('heading', { name: IDENTIFY }).waitFor();
  await screenshot(page, `${name}-4-bank`);
  await page.getByRole('button', { name: decision }).click();
}

const finished = (page: Page) => shownEvent(page, shownEventSchema);

/** The record's steps as the page lists them for the person: their words, in order. */
const progressWords = (page: Page) => page.locator('#progress-steps li span').allTextContents();

/** At phone width nothing sticks out sideways, and `selector` is on the first screen. */
async function fitsThePhone(page: Page, selector: string) {
  await page.setViewportSize(PHONE);
  await page.evaluate(() => window.scrollTo(0, 0));
  const widest = await page.evaluate(() => document.documentElement.scrollWidth);
  const box = await page.locator(selector).boundingBox();
  return {
    sideways: widest > PHONE.width,
    onFirstScreen: box !== null && box.y + box.height <= PHONE.height,
  };
}

/** Some of the sandbox's answers, through its control routes. */
const sandbox = {
  slowSignupPlus: (ms: number) =>
    requestJson('PUT', `${stack.urls.truelayer_api}/_sandbox/faults`, {
      rules: [{ endpoint: 'signup_plus_payments', fault: { kind: 'latency', ms }, times: 1 }],
    }),
  expireIdentification: (authUri: string) =>
    requestJson('POST', `${stack.urls.truelayer_auth}/_sandbox/identifications/expire`, {
      auth_uri: authUri,
    }),
};

// Each journey here leaves the demo twice, and the workflow looks for the payer's return every 3 s.
describe('demo page, Signup+ in Finland in Chromium', { timeout: 60_000 }, () => {
  it('takes a payer from the Finland card through the payment and the identification to ready for payment', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const requested: unknown[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/onboardings')
        requested.push(request.postDataJSON());
    });

    // Act: 15,00 as a Finn types it, paid, then identified at the bank through the page's own link
    const { paymentId, onboardingId } = await payInEuros(page, 'finland', '15,00', 'customer-79');
    const action = await theCallToIdentify(page, 'finland');
    const waiting = await getOnboarding(stack, onboardingId);
    const layoutWhileWaiting = await fitsThePhone(page, '#identify-link');
    const href = await action.getAttribute('href');
    await identifyAtTheBank(page, 'finland', 'Approve');
    await page.waitForURL(
      (url) => url.pathname === '/' && url.searchParams.get('onboarding_id') === onboardingId,
    );
    const event = await finished(page);
    await screenshot(page, 'finland-5-completed');

    // Assess: what the demo sent, in cents, straight to the Finnish mock bank
    expect(requested).toEqual([
      {
        flow: 'payment',
        reference: 'customer-79',
        payment: {
          amount_in_minor: 1500,
          currency: 'EUR',
          provider_id: 'mock-payments-fi-redirect',
          user: { name: 'Matti Meikäläinen', email: 'matti@example.com' },
        },
      },
    ]);
    // the call to action was the record's identification link, to TrueLayer's auth host, on the first screen
    expect(waiting.status).toBe('awaiting_identification');
    expect(href).toBe(waiting.identification?.link);
    expect(new URL(href ?? '').origin).toBe(stack.urls.truelayer_auth);
    expect(layoutWhileWaiting).toEqual({ sideways: false, onFirstScreen: true });
    expect(new URL(page.url()).searchParams.has('outcome')).toBe(false);
    // the result, as the person sees it: the Finnish payer the bank named (not the form's), IBAN only
    const view = await getOnboarding(stack, onboardingId);
    const code = view.user?.national_identification_number ?? '';
    expect(code).toMatch(/^\d{6}[-+A]\d{3}[0-9A-Y]$/);
    await expect(page.getByRole('status').textContent()).resolves.toBe('Ready for payment');
    const outcome = page.getByRole('region', {
      name: 'You paid, identified yourself and are ready for payment',
    });
    const shown = (await outcome.textContent()) ?? '';
    expect(shown).toMatch(/NameAino Virtanen.*Date of birth1991-03-08/s);
    expect(shown).toContain('Mannerheimintie 12 B 7, Helsinki, 00100, FI');
    expect(shown).toContain('BankOP');
    expect(shown).toContain('IBANFI21 1234 5600 0007 85');
    expect(shown).toContain('Amount€15.00');
    expect(shown).toContain(`Payment id${paymentId}`);
    expect(shown).toContain('Identity codeShared, not shown here');
    expect(shown).not.toMatch(/Sort code|Account number|Matti/);
    // the identity code is nowhere on the page whole, the shown event included
    await expect(page.evaluate(() => document.body.innerText)).resolves.not.toContain(code);
    expect(event.detail.user?.national_identification_number).toBe(code.replace(/[0-9A-Z]/g, '•'));
    await expect(page.locator('#event-masked').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: IDENTIFY }).count()).resolves.toBe(0);
    await expect(page.getByRole('region', { name: CARD }).count()).resolves.toBe(0);
    // the published event names the payment and the payer
    expect(event).toMatchObject({
      'detail-type': 'Onboarding Ready For Payment',
      source: 'signupplus.onboarding',
      detail: {
        onboarding_id: onboardingId,
        reference: 'customer-79',
        payment_id: paymentId,
        user: { first_name: 'Aino', last_name: 'Virtanen' },
      },
    });
    // the record's steps, in the person's words, and the live timeline with the return from the bank
    expect(view.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'payment_executed',
      'identification_required',
      'user_identified',
      'identity_stored',
      'ready_for_payment',
    ]);
    await expect(progressWords(page)).resolves.toEqual([
      'You started your sign-up',
      'You authorised the payment at your bank',
      'Your payment was made',
      'Asked to identify yourself with your bank',
      'You identified yourself with your bank',
      'Your details were kept for payments',
      'Ready for payment',
    ]);
    await expect(page.getByRole('region', { name: 'Your sign-up so far' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('#progress-steps [aria-current]').count()).resolves.toBe(0);
    const names = await stepNames(page);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /payments/return',
        'GET /identification/return',
        'CheckPayment',
        'Onboarding Ready For Payment',
      ]),
    );
    await expect(stepLabel(page, 'GET /identification/return')).resolves.toBe(
      'Back from identifying at the bank',
    );
    await expect(stepLabel(page, 'WhatNext')).resolves.toBe('Paid, identifying, or over?');
    await expect(page.locator('#journey-kind').textContent()).resolves.toBe(
      'Onboarding (payment flow, Finland)',
    );
    expect(view).toMatchObject({
      flow: 'payment',
      status: 'completed',
      payment: { payment_id: paymentId, amount_in_minor: 1500, currency: 'EUR' },
      account: { iban: 'FI2112345600000785' },
    });
    expect(view).not.toHaveProperty('identification');
    // the page fits the phone, and nothing was fetched from anywhere but this machine
    await expect(fitsThePhone(page, '#outcome-title')).resolves.toEqual({
      sideways: false,
      onFirstScreen: true,
    });
    const hosts = new Set(chromium.requests.map((url) => new URL(url).hostname));
    expect([...hosts]).toEqual(['127.0.0.1']);

    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'finland-5-completed-desktop');
    await page.close();
  });

  it('names each new status while the journey waits on it: to identify, then identified', async () => {
    // Prepare: paid and waiting; Signup+ slow to answer, so the journey stays identified a while
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const { onboardingId } = await payInEuros(page, 'finland-statuses', '12.00');
    await theCallToIdentify(page, 'finland-statuses');
    const waitingStatus = await page.getByRole('status').textContent();
    const deadline = await page.locator('#identify-deadline').textContent();
    const deadlineAt = await page.locator('#identify-deadline time').getAttribute('datetime');
    const waiting = await getOnboarding(stack, onboardingId);
    const waitingSteps = await progressWords(page);
    const current = await page.locator('#progress-steps [aria-current="step"]').textContent();
    await sandbox.slowSignupPlus(2_000);

    // Act
    await identifyAtTheBank(page, 'finland-statuses', 'Approve');
    await backOnTheDemo(page, stack);
    await page.locator('#status[data-status="identified"]').waitFor();
    await screenshot(page, 'finland-statuses-5-identified');
    const identifiedStatus = await page.getByRole('status').textContent();
    const identifiedCurrent = await page.locator('#progress-steps [aria-current="step"]').textContent();
    const actionsWhileIdentified = await page.getByRole('link', { name: IDENTIFY }).count();
    await finished(page);

    // Assess
    expect(waitingStatus).toBe('Waiting for you to identify');
    // the deadline is the record's: however long the product waits, the page says until when
    expect(deadline).toMatch(
      /^Identify yourself by \d\d:\d\d \(\d+ minutes? left\)\. After that, your sign-up cannot be finished\.$/,
    );
    expect(deadlineAt).toBe(waiting.identification?.expires_at);
    expect(waitingSteps.at(-2)).toBe('Your payment was made');
    expect(current).toMatch(/^Asked to identify yourself with your bank/);
    expect(identifiedStatus).toBe('Identified, finishing…');
    expect(identifiedCurrent).toMatch(/^You identified yourself with your bank/);
    expect(actionsWhileIdentified).toBe(0);
    await expect(page.getByRole('status').textContent()).resolves.toBe('Ready for payment');
    expect((await getOnboarding(stack, onboardingId)).status).toBe('completed');
    await page.close();
  });

  it('shows a payer who cancelled at the identification as a failed sign-up, the payment still named', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const { paymentId, onboardingId } = await payInEuros(page, 'finland-cancelled', '12.50');

    // Act
    await identifyAtTheBank(page, 'finland-cancelled', 'Cancel');
    await page.waitForURL((url) => url.searchParams.get('outcome') === 'denied');
    const event = await finished(page);
    await screenshot(page, 'finland-cancelled-5-failed');

    // Assess: the person's words (paid, not identified), and the reason for developers only
    await expect(page.getByRole('status').textContent()).resolves.toBe('Not signed up');
    const outcome = page.getByRole('region', { name: 'You did not identify yourself' });
    const shown = (await outcome.textContent()) ?? '';
    expect(shown).toContain('Your payment was made');
    expect(shown).toContain('contact us with the payment id shown here');
    expect(shown).toContain('Amount€12.50');
    expect(shown).toContain(`Payment id${paymentId}`);
    expect(shown).not.toMatch(/access_denied|Nothing was shared and no account/);
    await expect(page.getByRole('link', { name: 'Start again' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: IDENTIFY }).count()).resolves.toBe(0);
    await expect(page.locator('#developer-failure').textContent()).resolves.toMatch(
      /failure\.reasonaccess_denied/,
    );
    await expect(fitsThePhone(page, '#again')).resolves.toEqual({ sideways: false, onFirstScreen: true });
    await expect(progressWords(page)).resolves.toEqual(
      expect.arrayContaining(['Asked to identify yourself with your bank', 'Not signed up']),
    );
    await expect(stepLabel(page, 'GET /identification/return')).resolves.toBe(
      'Back from identifying at the bank: the user denied access',
    );
    expect(event).toMatchObject({
      'detail-type': 'Onboarding Failed',
      detail: { onboarding_id: onboardingId, failure: { reason: 'access_denied' } },
    });
    expect(await getOnboarding(stack, onboardingId)).toMatchObject({
      status: 'failed',
      failure: { reason: 'access_denied' },
      payment: { payment_id: paymentId, currency: 'EUR' },
    });
    await page.close();
  });

  it('moves the waiting page on to identification_expired when the link runs out', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const { paymentId, onboardingId } = await payInEuros(page, 'finland-expired', '13.00');
    const href = (await (await theCallToIdentify(page, 'finland-expired')).getAttribute('href')) ?? '';

    // Act: TrueLayer ends the link; the page, still open, follows the journey to its end
    expect((await sandbox.expireIdentification(href)).status).toBe(204);
    await finished(page);
    await screenshot(page, 'finland-expired-5-expired');

    // Assess
    await expect(page.getByRole('status').textContent()).resolves.toBe('Expired');
    const outcome = page.getByRole('region', { name: 'The time to identify yourself ran out' });
    const shown = (await outcome.textContent()) ?? '';
    expect(shown).toContain('you did not identify yourself with your bank in time');
    expect(shown).toContain(`Payment id${paymentId}`);
    expect(shown).not.toContain('identification_expired');
    await expect(page.getByRole('link', { name: IDENTIFY }).count()).resolves.toBe(0);
    await expect(page.locator('#developer-failure').textContent()).resolves.toMatch(
      /failure\.reasonidentification_expired/,
    );
    await expect(
      page.getByRole('heading', { name: 'Published event: Onboarding Expired' }).count(),
    ).resolves.toBe(1);
    expect(await getOnboarding(stack, onboardingId)).toMatchObject({
      status: 'expired',
      failure: { reason: 'identification_expired' },
    });
    await page.close();
  });

  it('offers no call to action for an identification link that is not a web address', async () => {
    // Prepare: a real journey waiting for the payer, its record's link then read as a script's
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const { onboardingId } = await payInEuros(page, 'finland-not-a-link', '14.00');
    await theCallToIdentify(page, 'finland-not-a-link');
    await page.route(`**/onboardings/${onboardingId}`, async (route) => {
      const response = await route.fetch();
      const record = await response.json();
      record.identification.link = 'javascript:alert(document.domain)';
      await route.fulfill({ response, json: record });
    });

    // Act
    await page.reload();
    await page.locator('#status[data-status="awaiting_identification"]').waitFor();

    // Assess: still waiting, but nothing to click that would run it
    await expect(page.getByRole('status').textContent()).resolves.toBe('Waiting for you to identify');
    await expect(page.getByRole('link', { name: IDENTIFY }).count()).resolves.toBe(0);
    await expect(page.locator('a[href^="javascript:"]').count()).resolves.toBe(0);
    await page.close();
  });

  it('labels the Finland card’s controls and marks a wrong amount in euros, in cents for the API', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const card = await fillTheFinlandCard(page, 'finland-invalid', 'lots');
    const unlabelled = await card
      .locator('input, button')
      .evaluateAll((controls) =>
        controls
          .filter((control) =>
            control instanceof HTMLButtonElement
              ? control.textContent?.trim() === ''
              : control instanceof HTMLInputElement && control.labels?.length === 0,
          )
          .map((control) => control.outerHTML),
      );
    const requested: unknown[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/onboardings')
        requested.push(request.postDataJSON());
    });

    // Act: not an amount (nothing sent), then 0 (the API refuses it)
    await card.getByRole('button', { name: PAY }).click();
    await page.locator('#finland-amount-error:not([hidden])').waitFor();
    const local = await page.locator('#finland-amount-error').textContent();
    const sentForNotAnAmount = requested.length;
    await card.getByLabel('Amount in euros').fill('0');
    const answered = page.waitForResponse(
      (response) => response.request().method() === 'POST' && response.url().endsWith('/onboardings'),
    );
    await card.getByRole('button', { name: PAY }).click();
    const response = await answered;
    await card.getByRole('alert').waitFor();
    await screenshot(page, 'finland-invalid-2-error');

    // Assess
    expect(unlabelled).toEqual([]);
    expect(local).toBe('Enter an amount in euros, like 15.00.');
    expect(sentForNotAnAmount).toBe(0);
    expect(response.status()).toBe(400);
    await expect(page.locator('#finland-amount-error').textContent()).resolves.toMatch(
      /^Too small.*\(the API counts cents\)$/,
    );
    await expect(card.getByLabel('Amount in euros').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(card.getByLabel('Email of the payer').getAttribute('aria-invalid')).resolves.toBeNull();
    await expect(page.locator('#payment-users').textContent()).resolves.toMatch(
      /euros.*identify yourself.*Approve.*Cancel/s,
    );
    await expect(fitsThePhone(page, `#finland-title`)).resolves.toMatchObject({ sideways: false });
    await page.close();
  });
});
