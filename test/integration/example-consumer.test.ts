import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { type LocalFunction, loadLocalFunction } from '@signupplus/local/parts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/contract/manifest.ts';
import { startJourney, waitForStatus } from '../helpers/journey.ts';

let stack: LocalStack;
let consumer: LocalFunction;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
  // The module the stack already loaded for the bus's rule, invoked directly as Lambda would.
  const spec = FUNCTIONS.ReadyForPaymentExample;
  consumer = await loadLocalFunction({
    entry: spec.entry,
    functionName: 'example-consumer-under-test',
    region: 'eu-west-2',
    accountId: '000000000000',
    memoryMb: spec.memoryMb,
    timeoutSeconds: spec.timeoutSeconds,
  });
});

afterAll(async () => {
  await stack?.close();
});

async function completedReadyEvent() {
  const { onboardingId } = await startJourney(stack, 'john');
  await waitForStatus(stack, onboardingId, ['completed']);
  await stack.bus.drain();
  const ready = stack
    .events(onboardingId)
    .find((event) => event['detail-type'] === 'Onboarding Ready For Payment');
  if (!ready) throw new Error('no ready event');
  return ready;
}

describe('the example Ready For Payment consumer', () => {
  it('receives every ready event through the stack rule and records it once', async () => {
    await completedReadyEvent();

    const dynamo = new DynamoDBClient({
      endpoint: stack.urls.dynamodb,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { Count } = await dynamo.send(
      new ScanCommand({ TableName: stack.tables.consumerIdempotency, Select: 'COUNT' }),
    );
    expect(stack.bus.failedDeliveries()).toEqual([]);
    expect(Count).toBe(1);
  });

  it('handles a redelivered event once: the duplicate gets the first result without running again', async () => {
    const ready = await completedReadyEvent();
    const redelivered = {
      ...ready,
      id: 'another-delivery-id',
      detail: { ...ready.detail, onboarding_id: 'not-the-first-one' },
    };

    const first = await consumer(ready);
    const again = await consumer(redelivered);

    expect(first).toEqual({
      onboarding_id: ready.detail.onboarding_id,
      event_id: ready.detail.event_id,
      payee: 'iban',
    });
    // Same event_id: the stored result comes back, so the handler did not run on the altered detail.
    expect(again).toEqual(first);
  });

  it('refuses an event that breaks the published contract', async () => {
    const ready = await completedReadyEvent();
    const { account: _account, ...withoutAccount } = ready.detail;

    await expect(
      consumer({ ...ready, detail: { ...withoutAccount, event_id: crypto.randomUUID() } }),
    ).rejects.toThrow();
  });
});
