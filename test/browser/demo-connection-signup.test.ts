/**
 * The demo's bank connection with Signup+ (the connection flow), clicked through in Chromium as a
 * person would: a Data API v3 connection asking for Signup+ (`signup_plus: true`), TrueLayer's
 * hosted pages at the simulator, the mock bank's login, back through `GET /connections/return` to
 * the demo, which follows the onboarding the connection names until it ends: the account choice
 * for several accounts, the identity on completion, the ready event with the connection's id.
 * Screenshots land in test-results/screenshots/connection-*.png (phone size).
 */

import { type LocalStack, startLocalStack } from '@signupplus/local';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getOnboarding } from '../helpers/journey.ts';
import { type ChromiumSession, launchChromium, PHONE, screenshot } from './chromium.ts';
import { shownEvent, stepNames, stepShown } from './journey-page.ts';

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

const CARD = 'Or sign up with a bank connection';
const START = 'Connect your bank and sign up';
const COMPLETED = 'You connected your bank and are ready for payment';

const shownEventSchema = z.object({
  'detail-type': z.string(),
  source: z.string(),
  detail: z
    .object({
      onboarding_id: z.string(),
      connection_id: z.string().optional(),
      user: z.object({ first_name: z.string(), last_name: z.string() }).loose().optional(),
      account: z.object({ account_number: z.string().optional() }).loose().optional(),
    })
    .loose(),
});

/** What the card asked `POST /connections` for, as the browser sent it. */
const sentSchema = z
  .object({
    scopes: z.array(z.string()),
    signup_plus: z.boolean().optional(),
    provider_selection: z.object({ type: z.string() }).loose(),
    hosted_page: z.object({ type: z.string(), return_uri: z.string() }).loose(),
  })
  .loose();

/**
 * From the card through TrueLayer's hosted pages (bank choice, consent) and the mock bank's login
 * as `user`, back to the demo. Returns what the card sent and the ids the return page carries.
 */
async function connectAndSignUp(page: Page, name: string, user: string) {
  const sent: unknown[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/connections')
      sent.push(request.postDataJSON());
  });
  await page.goto(stack.urls.demo);
  const card = page.getByRole('region', { name: CARD });
  await card.waitFor();
  await screenshot(page, `${name}-1-start`);
  await card.getByRole('button', { name: START }).click();

  await page.getByRole('heading', { name: 'Choose your bank' }).waitFor();
  expect(new URL(page.url()).origin).not.toBe(stack.urls.api);
  await screenshot(page, `${name}-2-provider`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: /^Log in to/ }).waitFor();
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('doe');
  await screenshot(page, `${name}-3-bank`);
  await page.getByRole('button', { name: 'Log in' }).click();

  // Back as from any connection: the product's return adds the connection, the journey and the outcome.
  await page.waitForURL((url) => url.origin === stack.urls.api && url.searchParams.has('connection_id'));
  const back = new URL(page.url()).searchParams;
  return {
    sent: sent.map((body) => sentSchema.parse(body)),
    connectionId: back.get('connection_id') ?? '',
    onboardingId: back.get('onboarding_id') ?? '',
  };
}

const finished = (page: Page) => shownEvent(page, shownEventSchema);

/** The record's steps as the page lists them for the person: their words, in order. */
const progressWords = (page: Page) => page.locator('#progress-steps li span').allTextContents();

// Each journey waits on the connection workflow, which reads Signup+'s answer a second or more apart.
describe('demo page, a bank connection with Signup+ in Chromium', { timeout: 60_000 }, () => {
  it('takes john from the card through the hosted pages and his one account to ready for payment, with his name', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);

    // Act
    const { sent, connectionId, onboardingId } = await connectAndSignUp(page, 'connection-john', 'john');
    const event = await finished(page);
    await screenshot(page, 'connection-john-4-completed');

    // Assess: the card asked for Signup+ on a hosted_flow connection, returning to the demo
    expect(sent).toEqual([
      expect.objectContaining({
        signup_plus: true,
        scopes: expect.arrayContaining(['accounts']),
        provider_selection: expect.objectContaining({ type: 'user_selected' }),
        hosted_page: { type: 'authorization_flow', return_uri: `${stack.urls.api}/` },
      }),
    ]);
    // the page followed the onboarding, not the bare connection, to its end
    await expect(page.locator('#journey-kind').textContent()).resolves.toBe('Onboarding (connection flow)');
    await expect(page.locator('#onboarding-id').textContent()).resolves.toBe(onboardingId);
    await expect(page.getByRole('status').textContent()).resolves.toBe('Ready for payment');
    const outcome = page.getByRole('region', { name: COMPLETED });
    await expect(outcome.textContent()).resolves.toMatch(/NameMr John Doe.*1985-04-12.*04-00-04.*12345678/s);
    await expect(outcome.textContent()).resolves.toContain(`Connection${connectionId}`);
    await expect(page.getByRole('group', { name: /several accounts/ }).isVisible()).resolves.toBe(false);
    // the record's steps, in the person's words, ending ready
    const progress = await progressWords(page);
    expect(progress[0]).toBe('You started your sign-up');
    expect(progress).toEqual(
      expect.arrayContaining([
        'You connected your account at your bank',
        'Asked Signup+ who holds the account',
      ]),
    );
    expect(progress.at(-1)).toBe('Ready for payment');
    expect(progress).not.toContain('You chose the account');
    // the ready event names the connection
    expect(event).toMatchObject({
      'detail-type': 'Onboarding Ready For Payment',
      source: 'signupplus.onboarding',
      detail: { onboarding_id: onboardingId, connection_id: connectionId, user: { last_name: 'Doe' } },
    });
    await stepShown(page, 'Onboarding Ready For Payment');
    const names = await stepNames(page);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /connections',
        'GET /connections/return',
        'FollowConnection',
        'Onboarding Ready For Payment',
      ]),
    );
    expect(names).not.toContain('WaitForAccountChoice');
    await expect(
      getOnboarding(stack, onboardingId).then((view) => ({ flow: view.flow, status: view.status })),
    ).resolves.toEqual({ flow: 'connection', status: 'completed' });
    await page.close();
  });

  it('lets jane choose one of her three connected accounts and completes with that account', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    const { connectionId, onboardingId } = await connectAndSignUp(page, 'connection-jane', 'jane');

    // Act: the data flow's picker appears while the workflow waits for her
    const picker = page.getByRole('group', { name: /several accounts/ });
    await picker.waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Choose an account');
    // the record says so first; the workflow's waiting state reaches the timeline a moment later
    await stepShown(page, 'WaitForAccountChoice', 'waiting');
    const radios = picker.getByRole('radio');
    await expect(radios.count()).resolves.toBe(3);
    // nothing is chosen for her, and the deadline the record gives is shown
    await expect(picker.locator('input:checked').count()).resolves.toBe(0);
    const waiting = await getOnboarding(stack, onboardingId);
    await expect(picker.locator('time').getAttribute('datetime')).resolves.toBe(
      waiting.account_choice_expires_at,
    );
    await screenshot(page, 'connection-jane-4-choose');
    // marks this document: a reload would lose it
    await page.evaluate(() => document.body.setAttribute('data-same-document', 'yes'));
    // her accounts read alike at the bank (one sort code, numbers ending 0000), yet she can tell them apart
    const offered = await picker.locator('label.choice').allTextContents();
    expect(new Set(offered).size).toBe(3);
    // the second, as the record lists them
    const second = radios.nth(1);
    const chosen = (await second.getAttribute('value')) ?? '';
    expect(chosen).toBe(waiting.accounts?.[1]?.account_id);
    await second.check();
    await page.getByRole('button', { name: 'Use this account' }).click();
    const event = await finished(page);
    await screenshot(page, 'connection-jane-5-completed');

    // Assess
    await expect(page.locator('body').getAttribute('data-same-document')).resolves.toBe('yes');
    await expect(picker.isVisible()).resolves.toBe(false);
    await expect(page.getByRole('status').textContent()).resolves.toBe('Ready for payment');
    const view = await getOnboarding(stack, onboardingId);
    expect(view).toMatchObject({
      flow: 'connection',
      status: 'completed',
      chosen_account_id: chosen,
      connection: { connection_id: connectionId, account_id: chosen },
    });
    const outcome = page.getByRole('region', { name: COMPLETED });
    // her name, and the account she chose: the second the bank listed
    await expect(outcome.textContent()).resolves.toMatch(
      /NameMs Jane Roe.*01-21-31.*Account number30000000/s,
    );
    expect(event).toMatchObject({
      'detail-type': 'Onboarding Ready For Payment',
      detail: { onboarding_id: onboardingId, connection_id: connectionId },
    });
    const progress = await progressWords(page);
    expect(progress).toEqual(
      expect.arrayContaining([
        'Your bank listed the accounts you connected',
        'You chose the account',
        'Asked Signup+ who holds the account',
      ]),
    );
    expect(progress.at(-1)).toBe('Ready for payment');
    await stepShown(page, 'WaitForAccountChoice', 'succeeded');
    await stepShown(page, 'Onboarding Ready For Payment');
    expect(await stepNames(page)).toEqual(
      expect.arrayContaining([
        'POST /connections',
        'GET /connections/return',
        'POST /onboardings/{id}/account-choice',
        'Onboarding Ready For Payment',
      ]),
    );
    await page.close();
  });
});
