import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  followRedirect,
  statesVisited,
  waitForStatus,
} from '../helpers/journey.ts';

/*
 * TrueLayer's payment webhooks, as the simulator sends them (signed with a
 * key from its own JWKS, to the product's POST /webhooks/truelayer): a
 * verified one starts the payment workflow, so a user who pays and never
 * comes back completes at once, not when the link expires; duplicates, late
 * or reordered deliveries and forgeries change nothing they should not.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
});

afterEach(() => {
  stack.simulator.webhooks.clearFaults();
});

afterAll(async () => {
  await stack?.close();
});

const paymentBody = {
  flow: 'payment',
  payment: { amount_in_minor: 1700, currency: 'GBP', user: { name: 'Tommie Burke', email: 't@example.com' } },
};

const deliveriesOf = (paymentId: string | undefined) =>
  stack.simulator.webhooks.deliveries().filter((delivery) => delivery.payment_id === paymentId);
const terminalEvents = (onboardingId: string) =>
  stack.events(onboardingId).filter((event) => event['detail-type'] !== 'Onboarding Account Choice Required');

describe('TrueLayer payment webhooks', () => {
  // First: the key set is read once per warm function, so only a cold one meets the outage.
  it('are answered 5xx while TrueLayer’s key set cannot be read, and acted on when TrueLayer retries', async () => {
    // The product's own retries of the read (three) fail, and so does TrueLayer's first redelivery.
    stack.simulator.faults.set([
      { endpoint: 'webhooks_jwks', fault: { kind: 'status', status: 503 }, times: 4 },
    ]);
    const created = await createOnboarding(stack, paymentBody);

    await authorize(stack, created.auth_link, 'test_executed');
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);
    stack.simulator.faults.clear();

    expect(done.status).toBe('completed');
    await eventually(
      async () => deliveriesOf(created.payment_id),
      (deliveries) => deliveries.some((delivery) => delivery.status === 200),
      { what: 'a webhook delivered after the retries' },
    );
    expect(deliveriesOf(created.payment_id).some((delivery) => delivery.status !== 200)).toBe(true);
  });

  it('complete the journey of a user who paid and never came back, long before the link expires', async () => {
    const created = await createOnboarding(stack, paymentBody);

    // The user pays; the page's redirect back to the product is never followed.
    await authorize(stack, created.auth_link, 'test_executed');
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    expect(done.status).toBe('completed');
    expect(Date.parse(done.updated_at)).toBeLessThan(Date.parse(created.auth_link_expires_at));
    expect(await statesVisited(stack, created.onboarding_id)).toEqual(['CheckPayment', 'WhatNext', 'Ended']);
    await stack.simulator.webhooks.drain();
    const deliveries = deliveriesOf(created.payment_id);
    expect(deliveries.map((delivery) => [delivery.type, delivery.status])).toEqual([
      ['payment_executed', 200],
      ['payment_settled', 200],
    ]);
  });

  it('end a journey once when each webhook comes twice and out of order', async () => {
    stack.simulator.webhooks.setFaults({ duplicate: true, reorder: true });
    const created = await createOnboarding(stack, paymentBody);

    await authorize(stack, created.auth_link, 'test_executed');
    await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);
    await stack.simulator.webhooks.drain();

    const deliveries = deliveriesOf(created.payment_id);
    expect(deliveries.length).toBeGreaterThanOrEqual(4);
    expect(new Set(deliveries.map((delivery) => delivery.event_id)).size).toBe(2);
    expect(deliveries.every((delivery) => delivery.status === 200)).toBe(true);
    expect(terminalEvents(created.onboarding_id).map((event) => event['detail-type'])).toEqual([
      'Onboarding Ready For Payment',
    ]);
  });

  it('refuse a webhook whose signature is not TrueLayer’s, and start nothing for it', async () => {
    stack.simulator.webhooks.setFaults({ badSignature: true });
    const created = await createOnboarding(stack, paymentBody);

    const redirectTo = await authorize(stack, created.auth_link, 'test_executed');
    await stack.simulator.webhooks.drain(30_000);

    const deliveries = deliveriesOf(created.payment_id);
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((delivery) => delivery.status === 401)).toBe(true);
    expect(stack.stepFunctions.executions().some((run) => run.name === created.onboarding_id)).toBe(false);
    // The user's return still ends the journey: the webhook is a shortcut, never the only way.
    await followRedirect(redirectTo);
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);
    expect(done.status).toBe('completed');
  });
});
