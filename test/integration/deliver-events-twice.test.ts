/**
 * `startLocalStack({ deliverEventsTwice: true })`: every event reaches every matching target twice, as
 * EventBridge's at-least-once delivery may; the bus still lists each accepted event once.
 */

import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../helpers/http.ts';
import { startJourney, waitForStatus } from '../helpers/journey.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1, deliverEventsTwice: true });
});

afterAll(async () => {
  await stack?.close();
});

describe('deliverEventsTwice', () => {
  it('delivers the ready event to the example consumer twice and lists it once', async () => {
    const { onboardingId } = await startJourney(stack, 'john');
    await waitForStatus(stack, onboardingId, ['completed']);
    await stack.bus.drain();

    const ready = stack
      .events(onboardingId)
      .filter((event) => event['detail-type'] === 'Onboarding Ready For Payment');
    expect(ready).toHaveLength(1);
    const listed = await requestJson('GET', `${stack.urls.api}/_local/events?onboarding_id=${onboardingId}`);
    expect(listed.body).toEqual(stack.events(onboardingId));
    expect(stack.bus.deliveries().filter((delivery) => delivery.eventId === ready[0]?.id)).toEqual([
      { rule: 'ReadyForPaymentToExampleConsumer', eventId: ready[0]?.id },
      { rule: 'ReadyForPaymentToExampleConsumer', eventId: ready[0]?.id },
    ]);
    // Both copies reached a target that handled them (the consumer is idempotent on event_id).
    expect(stack.bus.failedDeliveries()).toEqual([]);
  });
});
