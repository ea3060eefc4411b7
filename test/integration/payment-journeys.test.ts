import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  followRedirect,
  getOnboarding,
  statesVisited,
  waitForStatus,
} from '../helpers/journey.ts';

/*
 * The payment flow end to end, against the simulator's Payments v3 (signed
 * creation, hosted payment page, mock payment users) and its Signup+ by
 * payment, whose payer TrueLayer's sandbox picks by the amount.
 */

let stack: LocalStack;

beforeAll(async () => {
  // Each step of an approved payment (authorized → executed → settled) takes 1.5 s, so the
  // workflow meets a payment that is authorised but not settled yet, as it would on TrueLayer.
  // (300 ms was too short on a loaded 2-core machine: the first look came after settlement.)
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1, trueLayerPaymentStepMs: 1500 });
});

afterAll(async () => {
  await stack?.close();
});

const payer = { name: 'Tommie Burke', email: 'tommie@example.com' };
const paymentBody = (amountInMinor: number, reference = 'customer-7') => ({
  flow: 'payment',
  reference,
  payment: { amount_in_minor: amountInMinor, currency: 'GBP', user: payer },
});

/** Pays (or cancels) on the hosted page as `user` and comes back to the product's return route. */
async function payAndReturn(authLink: string, user: string, decision: 'approve' | 'deny' = 'approve') {
  const redirectTo = await authorize(stack, authLink, user, decision);
  return followRedirect(redirectTo);
}

describe('payment flow', () => {
  it('takes a settled payment to a Ready For Payment event naming the payer Signup+ returns', async () => {
    // Prepare
    const created = await createOnboarding(stack, paymentBody(1500));
    const link = new URL(created.auth_link);

    // Act
    const back = await payAndReturn(created.auth_link, 'test_executed');
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    // Assess: the link is the hosted payment page for this payment, returning to the product
    expect(created.flow).toBe('payment');
    expect(`${link.origin}${link.pathname}`).toBe(`${stack.urls.truelayer_auth}/checkout/`);
    expect(link.searchParams.get('payment_id')).toBe(created.payment_id);
    expect(link.searchParams.get('return_uri')).toBe(`${stack.urls.api}/payments/return`);
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe(`${stack.urls.api}/?onboarding_id=${created.onboarding_id}`);
    // Assess: the record and the event
    expect(done.status).toBe('completed');
    expect(done.flow).toBe('payment');
    expect(done.payment).toEqual({ payment_id: created.payment_id, amount_in_minor: 1500, currency: 'GBP' });
    expect(done.user).toMatchObject({ first_name: 'Tommie', last_name: 'Burke' });
    expect(done.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'payment_settled',
      'identity_stored',
      'ready_for_payment',
    ]);
    const events = stack.events(created.onboarding_id);
    expect(events.map((event) => event['detail-type'])).toEqual(['Onboarding Ready For Payment']);
    expect(events[0]?.detail).toMatchObject({
      payment_id: created.payment_id,
      reference: 'customer-7',
      user: { first_name: 'Tommie', last_name: 'Burke' },
      account: { sort_code: '04-00-04', account_number: '11112222' },
    });
    // Assess: the workflow looked again while the money moved, then ended
    const states = await statesVisited(stack, created.onboarding_id);
    expect(states[0]).toBe('CheckPayment');
    expect(states).toContain('WaitForPayment');
    expect(states.at(-1)).toBe('Ended');
  });

  it('ends failed with TrueLayer’s stage and reason when the bank refuses the authorisation', async () => {
    const created = await createOnboarding(stack, paymentBody(1500));

    await payAndReturn(created.auth_link, 'test_authorisation_failed');
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    expect(done.status).toBe('failed');
    expect(done.failure).toMatchObject({
      reason: 'payment_failed',
      payment: { failure_stage: 'authorizing', failure_reason: 'authorization_failed' },
    });
    const [event] = stack.events(created.onboarding_id);
    expect(event?.['detail-type']).toBe('Onboarding Failed');
    expect(await statesVisited(stack, created.onboarding_id)).toEqual(['CheckPayment', 'WhatNext', 'Ended']);
  });

  it('ends failed when the user cancels on the payment page', async () => {
    const created = await createOnboarding(stack, paymentBody(1500));

    const back = await payAndReturn(created.auth_link, 'test_executed', 'deny');
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    expect(back.status).toBe(302);
    expect(done.status).toBe('failed');
    expect(done.failure?.reason).toBe('payment_failed');
  });

  it('ends failed, naming Signup+’s refusal, when the payer’s account is joint', async () => {
    // TrueLayer's sandbox answers a joint account for amounts of 100.00 to 249.99.
    const created = await createOnboarding(stack, paymentBody(10_000));

    await payAndReturn(created.auth_link, 'test_executed');
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    expect(done.status).toBe('failed');
    expect(done.failure?.reason).toBe('joint_account_not_supported');
    expect(done.timeline.map((entry) => entry.step)).toContain('payment_settled');
    expect(done.user).toBeUndefined();
  });

  it('changes nothing when the return is opened again after the end, or names no known payment', async () => {
    const created = await createOnboarding(stack, paymentBody(1500));
    const back = await payAndReturn(created.auth_link, 'test_executed');
    await waitForStatus(stack, created.onboarding_id, ['completed']);

    const again = await followRedirect(back.url);
    const unknown = await followRedirect(`${stack.urls.api}/payments/return?payment_id=not-a-payment`);

    expect(again.status).toBe(302);
    expect((await getOnboarding(stack, created.onboarding_id)).status).toBe('completed');
    expect(stack.events(created.onboarding_id)).toHaveLength(1);
    expect(unknown.status).toBe(400);
  });

  it('refuses a payment flow without its payment, and a data flow with one, naming the field', async () => {
    const without = await requestJson('POST', `${stack.urls.api}/onboardings`, { flow: 'payment' });
    const misplaced = await requestJson('POST', `${stack.urls.api}/onboardings`, {
      payment: { amount_in_minor: 100, currency: 'GBP', user: payer },
    });

    expect(without.status).toBe(400);
    expect(JSON.stringify(without.body)).toContain('payment');
    expect(misplaced.status).toBe(400);
    expect(JSON.stringify(misplaced.body)).toContain('payment');
  });
});
