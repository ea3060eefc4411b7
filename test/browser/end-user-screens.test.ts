/**
 * Every screen an end user can meet, at a 390 px phone and a 1280 px desktop: the demo's start page,
 * the simulated bank's pages, the account choice, the result, each kind of failure, and the pages
 * the product itself renders when the redirect back cannot go on. On failures the next action is on
 * screen without scrolling on the phone, and each failure has its own words. Screenshots land in
 * test-results/screenshots/screens/ for a person to look at.
 */
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, createOnboarding, waitForStatus } from '../helpers/journey.ts';
import { type ChromiumSession, DESKTOP, launchChromium, PHONE, SCREENSHOTS } from './chromium.ts';

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

/** Saves the whole page at both sizes, the phone first, and leaves the page at phone size. */
async function bothSizes(page: Page, name: string) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SCREENSHOTS, 'screens', `${name}-1280.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, 'screens', `${name}-390.png`), fullPage: true });
}

/** True when the element is wholly inside the phone's first screen, with the page scrolled to the top. */
async function onFirstPhoneScreen(page: Page, selector: string): Promise<boolean> {
  await page.setViewportSize(PHONE);
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.locator(selector).boundingBox();
  return box !== null && box.y >= 0 && box.y + box.height <= PHONE.height;
}

/** A journey through the API and the simulator's hook, the browser landing where TrueLayer would send it. */
async function landFrom(page: Page, user: string, decision: 'approve' | 'deny') {
  const created = await createOnboarding(stack);
  const redirectTo = await authorize(stack, created.auth_link, user, decision);
  await page.goto(redirectTo);
  await page.locator('body[data-journey="done"]').waitFor();
  return created.onboarding_id;
}

const outcome = (page: Page) => page.locator('#outcome');

describe('what an end user sees, at 390 px and 1280 px', () => {
  it('start page, bank choice, consent and bank login', async () => {
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    await page.goto(stack.urls.demo);
    await page.getByRole('listitem').filter({ hasText: 'jane' }).waitFor();
    await bothSizes(page, '01-start');

    await page.getByRole('button', { name: 'Sign up with your bank' }).click();
    await page.getByRole('heading', { name: 'Choose your bank' }).waitFor();
    await bothSizes(page, '02-bank-choice');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: /^Share your data/ }).waitFor();
    await bothSizes(page, '03-consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: /^Log in to/ }).waitFor();
    await bothSizes(page, '04-bank-login');

    await expect(onFirstPhoneScreen(page, 'button[type="submit"]')).resolves.toBe(true);
    await page.close();
  });

  it('the account choice: accounts told apart, none chosen, the deadline shown', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    const created = await createOnboarding(stack);
    await page.goto(await authorize(stack, created.auth_link, 'jane', 'approve'));
    const picker = page.getByRole('group', { name: /several accounts/ });
    await picker.waitFor();

    // Act
    await bothSizes(page, '05-account-choice');
    const labels = await picker.locator('label.choice').allTextContents();

    // Assess
    expect(labels).toHaveLength(3);
    expect(new Set(labels).size).toBe(3);
    for (const [index, label] of labels.entries()) {
      expect(label).toContain(`TRANSACTION ACCOUNT ${index + 1}`);
      expect(label).toContain('Current account · GBP');
      expect(label).toContain('Sort code 01-21-31');
      expect(label).toMatch(/Account •+0000/);
    }
    await expect(picker.locator('input:checked').count()).resolves.toBe(0);
    await expect(page.locator('#choose-deadline').textContent()).resolves.toMatch(
      /^Choose by \d\d:\d\d \(\d+ minutes? left\)/,
    );
    // Choosing nothing is refused by the form itself: nothing is sent
    await page.getByRole('button', { name: 'Use this account' }).click();
    await expect(page.locator('#choices input:invalid').count()).resolves.toBe(3);
    expect((await waitForStatus(stack, created.onboarding_id, ['awaiting_account_choice'])).status).toBe(
      'awaiting_account_choice',
    );
    await expect(onFirstPhoneScreen(page, '#choose-deadline')).resolves.toBe(true);
    await page.close();
  });

  it('ready for payment, naming the bank the user logged in to', async () => {
    const page = await chromium.context.newPage();
    const created = await createOnboarding(stack);
    const redirectTo = await authorize(stack, created.auth_link, 'ivy', 'approve');
    await page.goto(redirectTo);
    await page.locator('body[data-journey="done"]').waitFor();
    await bothSizes(page, '06-ready-for-payment');

    await expect(outcome(page).textContent()).resolves.toContain('You are ready for payment');
    await expect(outcome(page).textContent()).resolves.toMatch(/BankBarclays/);
    await expect(onFirstPhoneScreen(page, '#again')).resolves.toBe(true);
    await page.close();
  });

  it.each([
    {
      name: '07-declined',
      user: 'john',
      decision: 'deny',
      reason: 'access_denied',
      title: 'You chose not to share your bank details',
      action: 'Start again',
    },
    {
      name: '08-bank-login-failed',
      user: 'error.wrong_credentials',
      decision: 'approve',
      reason: 'bank_login_failed',
      title: 'You could not log in to your bank',
      action: 'Try again',
    },
    {
      name: '09-bank-has-no-data',
      user: 'error.user_data_not_found',
      decision: 'approve',
      reason: 'user_data_not_found',
      title: 'Your bank could not confirm your details',
      action: 'Try another bank',
    },
    {
      name: '10-bank-not-supported',
      user: 'error.provider_not_supported',
      decision: 'approve',
      reason: 'provider_not_supported',
      title: 'Your bank does not offer this yet',
      action: 'Try another bank',
    },
    {
      name: '11-joint-account',
      user: 'error.joint_account',
      decision: 'approve',
      reason: 'joint_account_not_supported',
      title: 'Joint accounts cannot be used here',
      action: 'Choose another account',
    },
  ] as const)('failure $reason: its own words, the next action on the first phone screen', async (screen) => {
    // Prepare
    const page = await chromium.context.newPage();

    // Act
    await landFrom(page, screen.user, screen.decision);
    await bothSizes(page, screen.name);

    // Assess
    const region = page.getByRole('region', { name: screen.title });
    await expect(region.count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: screen.action }).count()).resolves.toBe(1);
    await expect(onFirstPhoneScreen(page, '#again')).resolves.toBe(true);
    await expect(onFirstPhoneScreen(page, '#outcome-next')).resolves.toBe(true);
    const words = (await outcome(page).textContent()) ?? '';
    // written for the person: no reason code, no developer's sentence, one voice
    expect(words).not.toContain(screen.reason);
    expect(words).not.toMatch(/\bThe user\b|TrueLayer answered|declined to share their/);
    if (screen.reason !== 'access_denied') expect(words).not.toMatch(/declined|chose not/);
    await expect(page.locator('#developer-failure').textContent()).resolves.toContain(screen.reason);
    await page.close();
  });

  it('a data connection: the bank login, the result page after a cancel, and the demo’s result', async () => {
    // Prepare
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    await page.goto(stack.urls.demo);
    await page.getByRole('radio', { name: /Your journey, TrueLayer’s result page/ }).check();
    await page.getByRole('button', { name: 'Connect with your bank' }).click();
    await page.getByRole('heading', { name: /^Log in to/ }).waitFor();
    await bothSizes(page, '16-connection-bank-login');

    // Act
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Your account was not connected' }).waitFor();
    await bothSizes(page, '17-connection-result-page');
    await expect(page.getByRole('link', { name: 'Return to Signup+ demo' }).count()).resolves.toBe(1);
    await page.getByRole('link', { name: /^Return to/ }).click();
    await page.locator('body[data-journey="done"]').waitFor();
    await bothSizes(page, '18-connection-not-connected');

    // Assess
    await expect(
      page.getByRole('region', { name: 'You chose not to connect your account' }).count(),
    ).resolves.toBe(1);
    await expect(onFirstPhoneScreen(page, '#again')).resolves.toBe(true);
    await page.close();
  });

  it('a data connection that went through', async () => {
    const page = await chromium.context.newPage();
    await page.setViewportSize(PHONE);
    await page.goto(stack.urls.demo);
    await page.getByRole('radio', { name: /Fully your journey/ }).check();
    await page.getByRole('button', { name: 'Connect with your bank' }).click();
    await page.getByLabel('Username').fill('jane');
    await page.getByLabel('Password').fill('doe');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('body[data-journey="done"]').waitFor();
    await bothSizes(page, '19-connection-connected');

    await expect(outcome(page).textContent()).resolves.toMatch(/Your account is connected.*BankMonzo/s);
    await page.close();
  });

  it.each([
    {
      name: '12-page-link-not-recognised',
      query: 'code=abc&state=not-ours',
      title: 'not recognised',
      status: 400,
    },
    { name: '13-page-link-incomplete', query: 'code=abc', title: 'incomplete', status: 400 },
  ])('the product’s own page when the link is wrong: $title', async (screen) => {
    const page = await chromium.context.newPage();

    const response = await page.goto(`${stack.urls.api}/callback?${screen.query}`);
    await bothSizes(page, screen.name);

    expect(response?.status()).toBe(screen.status);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(screen.title);
    await expect(page.getByText('What to do now').count()).resolves.toBe(1);
    await expect(onFirstPhoneScreen(page, '.next')).resolves.toBe(true);
    await page.close();
  });

  it('the product’s own page when a sign-up link is used twice', async () => {
    // Prepare: a journey that went through, then the same link with another code
    const page = await chromium.context.newPage();
    const created = await createOnboarding(stack);
    const redirectTo = new URL(await authorize(stack, created.auth_link, 'john', 'approve'));
    await page.goto(redirectTo.toString());
    await waitForStatus(stack, created.onboarding_id, ['completed']);
    redirectTo.searchParams.set('code', 'another-code');

    // Act
    const response = await page.goto(redirectTo.toString());
    await bothSizes(page, '14-page-link-already-used');

    // Assess
    expect(response?.status()).toBe(400);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'This sign-up link has already been used',
    );
    await expect(onFirstPhoneScreen(page, '.next')).resolves.toBe(true);
    await page.close();
  });

  it('the product’s own page when a data connection return is unknown', async () => {
    const page = await chromium.context.newPage();

    const response = await page.goto(`${stack.urls.api}/connections/return?connection_id=no-such-connection`);
    await bothSizes(page, '15-page-connection-unknown');

    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'We cannot find this sign-up',
    );
    await expect(onFirstPhoneScreen(page, '.next')).resolves.toBe(true);
    await page.close();
  });
});
