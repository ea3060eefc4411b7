import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, createOnboarding, statesVisited, waitForStatus } from '../helpers/journey.ts';

/*
 * A payment link's time running out, on a clock the test moves: the user who
 * never paid, and the user who paid but never came back to the product (the
 * tab closed on the bank's page). Only TrueLayer knows which happened, and the
 * reconciler starts the payment workflow to ask it.
 */

const AUTH_LINK_TTL_SECONDS = 600;
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    retryIntervalMs: 1,
    authLinkTtlSeconds: AUTH_LINK_TTL_SECONDS,
    clock: 'controlled',
  });
});

afterAll(async () => {
  await stack?.close();
});

const paymentBody = {
  flow: 'payment',
  payment: { amount_in_minor: 1200, currency: 'GBP', user: { name: 'Tommie Burke', phone: '+447700900123' } },
};

describe('payment link expiry', () => {
  it('ends expired when the payment was never made, once the link is past its time', async () => {
    const created = await createOnboarding(stack, paymentBody);

    stack.clock.advance(AUTH_LINK_TTL_SECONDS + 1);
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    expect(done.status).toBe('expired');
    expect(done.failure?.reason).toBe('link_expired');
    expect(stack.events(created.onboarding_id).map((event) => event['detail-type'])).toEqual([
      'Onboarding Expired',
    ]);
    // Started by the reconciler, the workflow asked TrueLayer once and ended.
    expect(await statesVisited(stack, created.onboarding_id)).toEqual(['CheckPayment', 'WhatNext', 'Ended']);
  });

  it('completes a journey whose user paid but never came back, even when no webhook arrives', async () => {
    // TrueLayer's webhooks never come (test/integration/payment-webhooks.test.ts has them arrive).
    stack.simulator.webhooks.setFaults({ drop: true });
    const created = await createOnboarding(stack, paymentBody);
    // The user pays; the page's redirect back to the product is never followed.
    await authorize(stack, created.auth_link, 'test_executed');
    expect(stack.stepFunctions.executions().some((run) => run.name === created.onboarding_id)).toBe(false);

    stack.clock.advance(AUTH_LINK_TTL_SECONDS + 1);
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    expect(done.status).toBe('completed');
    expect(done.user).toMatchObject({ first_name: 'Tommie', last_name: 'Burke' });
    expect(stack.events(created.onboarding_id)[0]?.detail).toMatchObject({ payment_id: created.payment_id });
  });
});
