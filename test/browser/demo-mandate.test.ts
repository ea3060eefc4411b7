/**
 * The demo's mandate card, clicked through in Chromium as a person would: set the mandate's limits
 * and the user, give (or refuse) the sweeping VRP mandate on the simulator's hosted page as one of
 * its mock payment users, come back to the same live journey page and end on the result and its
 * event. Screenshots land in test-results/screenshots/mandate-*.png (phone size unless named -desktop).
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
      mandate_id: z.string().optional(),
      user: z.object({ first_name: z.string(), last_name: z.string() }).loose().optional(),
      failure: z.object({ reason: z.string() }).optional(),
    })
    .loose(),
});

const CARD = 'Or sign up with a mandate';
const GIVE = 'Give the mandate and sign up';

/** The demo's start page, with the mandate card filled in (amounts in pounds, as a person types them). */
async function fillTheMandateCard(
  page: Page,
  name: string,
  limits: { maximum?: string; monthly?: string },
  reference?: string,
) {
  await page.goto(stack.urls.demo);
  const card = page.getByRole('region', { name: CARD });
  await card.waitFor();
  if (reference) await page.getByLabel('Your reference').fill(reference);
  if (limits.maximum !== undefined) await card.getByLabel('Most for one payment').fill(limits.maximum);
  if (limits.monthly !== undefined) await card.getByLabel('Monthly limit').fill(limits.monthly);
  await screenshot(page, `${name}-1-start`);
  return card;
}

/** From the mandate card to the simulator's hosted page, which asks for the mandate. */
async function openTheHostedPage(
  page: Page,
  name: string,
  limits: { maximum?: string; monthly?: string },
  reference?: string,
) {
  const card = await fillTheMandateCard(page, name, limits, reference);
  await card.getByRole('button', { name: GIVE }).click();
  await page.getByRole('heading', { name: /^Allow payments of up to \d+\.\d\d GBP each$/ }).waitFor();
  const link = new URL(page.url());
  expect(link.origin).toBe(stack.urls.truelayer_auth);
  expect(link.pathname).toBe('/checkout/');
  expect(link.searchParams.has('payment_id')).toBe(false);
  await screenshot(page, `${name}-2-hosted-page`);
  return link.searchParams.get('mandate_id') ?? '';
}

const finished = (page: Page) => shownEvent(page, shownEventSchema);

/** The bodies of the page's `POST /onboardings`, as the demo sent them. */
function onboardingRequests(page: Page): unknown[] {
  const requested: unknown[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/onboardings')
      requested.push(request.postDataJSON());
  });
  return requested;
}

describe('demo page, Signup+ with a mandate in Chromium', () => {
  it('takes a user from the mandate card through the hosted page to ready for payment', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const requested = onboardingRequests(page);

    // Act: the default most for one payment, a monthly limit, then the mandate given as test_executed
    const mandateId = await openTheHostedPage(page, 'mandate', { monthly: '200' }, 'customer-78');
    await page.getByLabel('Username').fill('test_executed');
    await page.getByRole('button', { name: 'Allow' }).click();
    const onboardingId = await backOnTheDemo(page, stack);
    const event = await finished(page);
    await screenshot(page, 'mandate-3-completed');

    // Assess: what the demo sent, in pence, the user's details kept out of the product
    expect(requested).toEqual([
      {
        flow: 'mandate',
        reference: 'customer-78',
        mandate: {
          currency: 'GBP',
          user: { name: 'Jane Doe', email: 'jane@example.com' },
          constraints: {
            maximum_individual_amount_in_minor: 5000,
            periodic_limits: { month: { maximum_amount_in_minor: 20000 } },
          },
        },
      },
    ]);
    // the result, as the person sees it: the sandbox's user for £50.00, the mandate's limit and id
    await expect(page.getByRole('status').textContent()).resolves.toBe('Ready for payment');
    const outcome = page.getByRole('region', { name: 'You gave the mandate and are ready for payment' });
    await expect(outcome.textContent()).resolves.toMatch(/Mr John Doe.*1985-04-12.*04-00-04.*55556666/s);
    await expect(outcome.textContent()).resolves.toMatch(/BankMock UK Payments/);
    await expect(outcome.textContent()).resolves.toContain('Most per payment£50.00');
    await expect(outcome.textContent()).resolves.toContain(`Mandate id${mandateId}`);
    await expect(outcome.textContent()).resolves.not.toContain('Payment id');
    await expect(page.getByRole('region', { name: CARD }).count()).resolves.toBe(0);
    // the published event names the mandate
    await expect(
      page.getByRole('heading', { name: 'Published event: Onboarding Ready For Payment' }).count(),
    ).resolves.toBe(1);
    expect(event).toMatchObject({
      'detail-type': 'Onboarding Ready For Payment',
      source: 'signupplus.onboarding',
      detail: {
        onboarding_id: onboardingId,
        reference: 'customer-78',
        mandate_id: mandateId,
        user: { first_name: 'John', last_name: 'Doe' },
      },
    });
    expect(event.detail).not.toHaveProperty('payment_id');
    // the live timeline: the payment workflow's route and states, in the mandate's words
    const names = await stepNames(page);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /onboardings',
        'GET /payments/return',
        'CheckPayment',
        'WhatNext',
        'Ended',
        'Onboarding Ready For Payment',
      ]),
    );
    expect(names).not.toContain('GET /callback');
    await expect(stepLabel(page, 'POST /onboardings')).resolves.toBe(
      'Onboarding and mandate created, mandate link issued',
    );
    await expect(stepLabel(page, 'GET /payments/return')).resolves.toBe(
      'Back from the mandate page, payment workflow started',
    );
    await expect(stepLabel(page, 'CheckPayment')).resolves.toMatch(/^Read the mandate from TrueLayer/);
    await expect(page.locator('#journey-kind').textContent()).resolves.toBe('Onboarding (mandate flow)');
    // the record the integrator's backend reads
    const view = await getOnboarding(stack, onboardingId);
    expect(view).toMatchObject({
      flow: 'mandate',
      status: 'completed',
      mandate: { mandate_id: mandateId, currency: 'GBP', maximum_individual_amount_in_minor: 5000 },
      user: { first_name: 'John', last_name: 'Doe' },
    });
    expect(view.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'mandate_authorized',
      'identity_stored',
      'ready_for_payment',
    ]);
    // nothing was fetched from anywhere but this machine
    const hosts = new Set(chromium.requests.map((url) => new URL(url).hostname));
    expect([...hosts]).toEqual(['127.0.0.1']);

    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'mandate-3-completed-desktop');
    await page.close();
  });

  it.each([
    {
      how: 'the bank refused (test_authorisation_failed)',
      name: 'mandate-refused',
      user: 'test_authorisation_failed',
      button: 'Allow',
      reason: 'authorization_failed',
    },
    {
      how: 'cancelled on the hosted page',
      name: 'mandate-cancelled',
      user: '',
      button: 'Cancel',
      reason: 'canceled',
    },
  ] as const)('shows a mandate $how as a failed sign-up with mandate_failed', async (given) => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const mandateId = await openTheHostedPage(page, given.name, { maximum: '12.50' });

    // Act
    if (given.user) await page.getByLabel('Username').fill(given.user);
    await page.getByRole('button', { name: given.button }).click();
    const onboardingId = await backOnTheDemo(page, stack);
    const event = await finished(page);
    await screenshot(page, `${given.name}-3-failed`);

    // Assess: the person's words, and TrueLayer's codes for developers
    await expect(page.getByRole('status').textContent()).resolves.toBe('Not signed up');
    const outcome = page.getByRole('region', { name: 'Your mandate was not given' });
    await expect(outcome.textContent()).resolves.toContain('No payments can be taken');
    await expect(outcome.textContent()).resolves.toContain('Most per payment£12.50');
    await expect(outcome.textContent()).resolves.toContain(`Mandate id${mandateId}`);
    await expect(outcome.textContent()).resolves.not.toContain('mandate_failed');
    await expect(page.getByRole('link', { name: 'Try again' }).count()).resolves.toBe(1);
    await expect(page.locator('#developer-failure').textContent()).resolves.toMatch(
      new RegExp(
        `failure\\.reasonmandate_failed.*failure\\.mandate\\.failure_stageauthorizing.*failure\\.mandate\\.failure_reason${given.reason}`,
        's',
      ),
    );
    expect(event).toMatchObject({
      'detail-type': 'Onboarding Failed',
      detail: { onboarding_id: onboardingId, failure: { reason: 'mandate_failed' } },
    });
    await expect(stepNames(page)).resolves.not.toContain('Onboarding Ready For Payment');
    const view = await getOnboarding(stack, onboardingId);
    expect(view).toMatchObject({
      flow: 'mandate',
      status: 'failed',
      failure: { reason: 'mandate_failed', mandate: { failure_reason: given.reason } },
      mandate: { mandate_id: mandateId, maximum_individual_amount_in_minor: 1250 },
    });
    await page.close();
  });

  it('shows the API’s field error for a most-for-one-payment of 0 without leaving the page', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const card = await fillTheMandateCard(page, 'mandate-invalid', { maximum: '0' });
    const answered = page.waitForResponse(
      (response) => response.request().method() === 'POST' && response.url().endsWith('/onboardings'),
    );

    // Act
    await card.getByRole('button', { name: GIVE }).click();
    const response = await answered;
    const alert = card.getByRole('alert');
    await alert.waitFor();
    await screenshot(page, 'mandate-invalid-2-error');

    // Assess: the API refused it, and the page says so where the person typed it
    expect(response.status()).toBe(400);
    expect(new URL(page.url()).href).toBe(new URL('/', stack.urls.demo).href);
    await expect(alert.textContent()).resolves.toMatch(
      /mandate\.constraints\.maximum_individual_amount_in_minor: Too small/,
    );
    const maximum = card.getByLabel('Most for one payment');
    await expect(maximum.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#mandate-maximum-error').textContent()).resolves.toMatch(
      /^Too small.*\(the API counts pence\)$/,
    );
    await expect(
      maximum.evaluate((input) => input.getAttribute('aria-describedby')?.split(' ')),
    ).resolves.toContain('mandate-maximum-error');
    // the button works again, and the other fields were not blamed
    await expect(card.getByRole('button', { name: GIVE }).isEnabled()).resolves.toBe(true);
    await expect(card.getByLabel('Monthly limit').getAttribute('aria-invalid')).resolves.toBeNull();
    await expect(
      card.getByLabel('Email of the account holder').getAttribute('aria-invalid'),
    ).resolves.toBeNull();
    await page.close();
  });

  it('marks a monthly limit that is not an amount before sending anything', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const requested = onboardingRequests(page);
    const card = await fillTheMandateCard(page, 'mandate-not-an-amount', { monthly: 'lots' });

    // Act
    await card.getByRole('button', { name: GIVE }).click();
    const monthly = card.getByLabel('Monthly limit');
    await page.locator('#mandate-monthly-error:not([hidden])').waitFor();

    // Assess
    expect(requested).toEqual([]);
    await expect(page.locator('#mandate-monthly-error').textContent()).resolves.toBe(
      'Enter an amount in pounds, like 200.00, or leave it empty.',
    );
    await expect(monthly.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(monthly.evaluate((input) => input === document.activeElement)).resolves.toBe(true);
    await expect(card.getByLabel('Most for one payment').getAttribute('aria-invalid')).resolves.toBeNull();
    await page.close();
  });

  it('lists the mock users for a mandate on the start page and labels the mandate card’s controls', async () => {
    const page = await chromium.context.newPage();
    await page.goto(stack.urls.demo);

    const users = await page.locator('#payment-users').textContent();
    const card = page.getByRole('region', { name: CARD });
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

    expect(users).toMatch(/mandate.*test_executed.*gives it.*test_authorisation_failed.*refuses it/s);
    expect(unlabelled).toEqual([]);
    await expect(card.getByLabel('Most for one payment').inputValue()).resolves.toBe('50.00');
    await expect(card.getByLabel('Monthly limit').inputValue()).resolves.toBe('');
    await expect(card.getByText('the product keeps them nowhere').count()).resolves.toBe(1);
    await page.close();
  });
});
