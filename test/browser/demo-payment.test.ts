/**
 * The demo's payment card, clicked through in Chromium as a person would: fill in the amount and
 * the payer, pay (or fail to) on the simulator's hosted payment page as one of its mock payment
 * users, come back to the same live journey page and end on the result and its event.
 * Screenshots land in test-results/screenshots/payment-*.png (phone size unless named -desktop).
 */

import { type LocalStack, startLocalStack } from '@signupplus/local';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getOnboarding } from '../helpers/journey.ts';
import { type ChromiumSession, DESKTOP, launchChromium, PHONE, screenshot } from './chromium.ts';
import { backOnTheDemo, shownEvent, stepLabel, stepNames } from './journey-page.ts';

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
      payment_id: z.string().optional(),
      user: z.object({ first_name: z.string(), last_name: z.string() }).loose().optional(),
      failure: z.object({ reason: z.string() }).optional(),
    })
    .loose(),
});

/** The demo's start page, with the payment card filled in (amount in pounds, as a person types it). */
async function fillThePaymentCard(page: Page, name: string, amount: string, reference?: string) {
  await page.goto(stack.urls.demo);
  const card = page.getByRole('region', { name: 'Or sign up with a payment' });
  await card.waitFor();
  if (reference) await page.getByLabel('Your reference').fill(reference);
  await card.getByLabel('Amount in pounds').fill(amount);
  await screenshot(page, `${name}-1-start`);
  return card;
}

/** From the payment card to the simulator's hosted payment page. */
async function payOnTheHostedPage(page: Page, name: string, amount: string, reference?: string) {
  const card = await fillThePaymentCard(page, name, amount, reference);
  await card.getByRole('button', { name: 'Pay and sign up' }).click();
  await page.getByRole('heading', { name: /^Pay \d+\.\d\d GBP$/ }).waitFor();
  const link = new URL(page.url());
  expect(link.origin).toBe(stack.urls.truelayer_auth);
  expect(link.pathname).toBe('/checkout/');
  await screenshot(page, `${name}-2-hosted-page`);
  return link.searchParams.get('payment_id') ?? '';
}

const finished = (page: Page) => shownEvent(page, shownEventSchema);

describe('demo page, Signup+ with a payment in Chromium', () => {
  it('takes a payer from the payment card through the hosted page to ready for payment', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const requested: unknown[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/onboardings')
        requested.push(request.postDataJSON());
    });

    // Act
    const paymentId = await payOnTheHostedPage(page, 'payment', '15.00', 'customer-77');
    await page.getByLabel('Username').fill('test_executed');
    await page.getByRole('button', { name: 'Pay' }).click();
    const onboardingId = await backOnTheDemo(page, stack);
    const event = await finished(page);
    await screenshot(page, 'payment-3-completed');

    // Assess: what the demo sent, the payer's details kept out of the product
    expect(requested).toEqual([
      {
        flow: 'payment',
        reference: 'customer-77',
        payment: {
          amount_in_minor: 1500,
          currency: 'GBP',
          user: { name: 'Jane Doe', email: 'jane@example.com' },
        },
      },
    ]);
    // the result, as the person sees it: the sandbox's payer for £15.00, and the payment
    await expect(page.getByRole('status').textContent()).resolves.toBe('Ready for payment');
    const outcome = page.getByRole('region', { name: 'You paid and are ready for payment' });
    await expect(outcome.textContent()).resolves.toMatch(/Tommie Burke.*1990-02-14.*04-00-04.*11112222/s);
    await expect(outcome.textContent()).resolves.toMatch(/BankMock UK Payments/);
    await expect(outcome.textContent()).resolves.toContain('Amount£15.00');
    await expect(outcome.textContent()).resolves.toContain(`Payment id${paymentId}`);
    // the published event names the payment
    await expect(
      page.getByRole('heading', { name: 'Published event: Onboarding Ready For Payment' }).count(),
    ).resolves.toBe(1);
    expect(event).toMatchObject({
      'detail-type': 'Onboarding Ready For Payment',
      source: 'signupplus.onboarding',
      detail: {
        onboarding_id: onboardingId,
        reference: 'customer-77',
        payment_id: paymentId,
        user: { first_name: 'Tommie', last_name: 'Burke' },
      },
    });
    // the live timeline: the payment's own route and states, in the payment flow's words
    const names = await stepNames(page);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /onboardings',
        'GET /payments/return',
        'CheckPayment',
        'WhatNext',
        'Onboarding Ready For Payment',
      ]),
    );
    expect(names).not.toContain('GET /callback');
    await expect(stepLabel(page, 'GET /payments/return')).resolves.toBe(
      'Back from the payment page, payment workflow started',
    );
    await expect(stepLabel(page, 'WhatNext')).resolves.toBe('Paid, still on its way, or over?');
    await expect(page.locator('#journey-kind').textContent()).resolves.toBe('Onboarding (payment flow)');
    // the record the integrator's backend reads
    const view = await getOnboarding(stack, onboardingId);
    expect(view).toMatchObject({
      flow: 'payment',
      status: 'completed',
      payment: { payment_id: paymentId, amount_in_minor: 1500, currency: 'GBP' },
      user: { first_name: 'Tommie', last_name: 'Burke' },
    });
    expect(view.timeline.map((entry) => entry.step)).toContain('payment_settled');
    // nothing was fetched from anywhere but this machine
    const hosts = new Set(chromium.requests.map((url) => new URL(url).hostname));
    expect([...hosts]).toEqual(['127.0.0.1']);

    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'payment-3-completed-desktop');
    await page.close();
  });

  it('shows a payment the bank refused as a failed sign-up with payment_failed', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const paymentId = await payOnTheHostedPage(page, 'payment-refused', '12.50');

    // Act
    await page.getByLabel('Username').fill('test_authorisation_failed');
    await page.getByRole('button', { name: 'Pay' }).click();
    const onboardingId = await backOnTheDemo(page, stack);
    const event = await finished(page);
    await screenshot(page, 'payment-refused-3-failed');

    // Assess
    await expect(page.getByRole('status').textContent()).resolves.toBe('Not signed up');
    const outcome = page.getByRole('region', { name: 'Your payment was not made' });
    await expect(outcome.textContent()).resolves.toContain('Nothing was taken from your account');
    await expect(outcome.textContent()).resolves.toContain('Amount£12.50');
    await expect(page.locator('#developer-failure').textContent()).resolves.toMatch(
      /failure\.reasonpayment_failed.*failure\.payment\.failure_reasonauthorization_failed/s,
    );
    expect(event).toMatchObject({
      'detail-type': 'Onboarding Failed',
      detail: { onboarding_id: onboardingId, failure: { reason: 'payment_failed' } },
    });
    await expect(stepNames(page)).resolves.not.toContain('Onboarding Ready For Payment');
    const view = await getOnboarding(stack, onboardingId);
    expect(view).toMatchObject({
      flow: 'payment',
      status: 'failed',
      failure: { reason: 'payment_failed' },
      payment: { payment_id: paymentId },
    });
    await page.close();
  });

  it('shows the API’s field error for an amount of 0 without leaving the page', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const card = await fillThePaymentCard(page, 'payment-invalid', '0');
    const answered = page.waitForResponse(
      (response) => response.request().method() === 'POST' && response.url().endsWith('/onboardings'),
    );

    // Act
    await card.getByRole('button', { name: 'Pay and sign up' }).click();
    const response = await answered;
    const alert = card.getByRole('alert');
    await alert.waitFor();
    await screenshot(page, 'payment-invalid-2-error');

    // Assess: the API refused it, and the page says so where the person typed it
    expect(response.status()).toBe(400);
    expect(new URL(page.url()).href).toBe(new URL('/', stack.urls.demo).href);
    await expect(alert.textContent()).resolves.toMatch(/payment\.amount_in_minor: Too small/);
    const amount = card.getByLabel('Amount in pounds');
    await expect(amount.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#pay-amount-error').textContent()).resolves.toMatch(/^Too small/);
    await expect(
      amount.evaluate((input) => input.getAttribute('aria-describedby')?.split(' ')),
    ).resolves.toContain('pay-amount-error');
    // the button works again, and the other fields were not blamed
    await expect(card.getByRole('button', { name: 'Pay and sign up' }).isEnabled()).resolves.toBe(true);
    await expect(card.getByLabel('Email of the payer').getAttribute('aria-invalid')).resolves.toBeNull();
    await page.close();
  });

  it('lists the mock payment users on the start page and labels the payment card’s controls', async () => {
    const page = await chromium.context.newPage();
    await page.goto(stack.urls.demo);

    const users = await page.locator('#payment-users').textContent();
    const card = page.getByRole('region', { name: 'Or sign up with a payment' });
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

    expect(users).toMatch(/test_executed.*test_authorisation_failed.*test_execution_rejected/s);
    expect(unlabelled).toEqual([]);
    await expect(card.getByLabel('Amount in pounds').inputValue()).resolves.toBe('15.00');
    await page.close();
  });
});
