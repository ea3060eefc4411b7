import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleConsumerRecordId } from '../../functions/consumers/idempotency-record.ts';
import { EVENT_RULES } from '../../functions/contract/manifest.ts';
import { DetailTypes, EVENT_SOURCE } from '../../functions/contract/onboarding-events.ts';
import { startJourney, waitForStatus } from '../helpers/journey.ts';

/**
 * The example consumer as EventBridge runs it: the target of the stack's rule (from the manifest),
 * fed by the local bus. What it must cope with (a redelivery, an event that breaks the contract) is
 * published to that bus with PutEvents at the endpoint the stack serves, and what it did is read
 * where it lands: its idempotency record in DynamoDB, and the bus's record of its deliveries.
 */

const RULE = EVENT_RULES.find((rule) => rule.target === 'ReadyForPaymentExample')?.id ?? '';
const local = { region: 'eu-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

let stack: LocalStack;
let dynamo: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let eventBridge: EventBridgeClient;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
  dynamo = new DynamoDBClient({ endpoint: stack.urls.dynamodb, ...local });
  documents = DynamoDBDocumentClient.from(dynamo);
  eventBridge = new EventBridgeClient({ endpoint: stack.urls.eventbridge, ...local });
});

afterAll(async () => {
  dynamo?.destroy();
  eventBridge?.destroy();
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

/** Publishes a Ready For Payment event with `detail` on the stack's bus; resolves once it is delivered. */
async function publishReady(detail: Record<string, unknown>): Promise<string> {
  const { Entries, FailedEntryCount } = await eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: stack.bus.busName,
          Source: EVENT_SOURCE,
          DetailType: DetailTypes.readyForPayment,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  const eventId = Entries?.[0]?.EventId;
  if (FailedEntryCount !== 0 || eventId === undefined) throw new Error(`PutEvents refused the event`);
  await stack.bus.drain();
  return eventId;
}

/** The consumer's Powertools Idempotency record of one event, as its table holds it. */
async function consumerRecord(eventId: unknown) {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: stack.tables.consumerIdempotency,
      Key: { id: exampleConsumerRecordId(String(eventId)) },
      ConsistentRead: true,
    }),
  );
  return Item;
}

async function consumerRecordCount() {
  const { Count } = await dynamo.send(
    new ScanCommand({ TableName: stack.tables.consumerIdempotency, Select: 'COUNT', ConsistentRead: true }),
  );
  return Count;
}

const deliveriesOf = (eventId: string) =>
  stack.bus.deliveries().filter((delivery) => delivery.eventId === eventId && delivery.rule === RULE);

describe('the example Ready For Payment consumer', () => {
  it('receives every ready event through the stack rule and records it once', async () => {
    await completedReadyEvent();

    expect(stack.bus.failedDeliveries()).toEqual([]);
    expect(await consumerRecordCount()).toBe(1);
  });

  it('handles a redelivered event once: the duplicate gets the first result without running again', async () => {
    const ready = await completedReadyEvent();
    const first = await consumerRecord(ready.detail.event_id);
    const recordsBefore = await consumerRecordCount();

    // Another delivery (its own envelope id) of the same event_id, with a detail the handler would
    // answer differently: only the stored result may come back.
    const redelivered = await publishReady({ ...ready.detail, onboarding_id: 'not-the-first-one' });

    expect(first).toMatchObject({
      status: 'COMPLETED',
      data: { onboarding_id: ready.detail.onboarding_id, event_id: ready.detail.event_id, payee: 'iban' },
    });
    expect(deliveriesOf(redelivered)).toHaveLength(1);
    expect(stack.bus.failedDeliveries()).toEqual([]);
    // Same event_id: the record is untouched and no other appeared, so the handler did not run on
    // the altered detail.
    expect(await consumerRecord(ready.detail.event_id)).toEqual(first);
    expect(await consumerRecordCount()).toBe(recordsBefore);
  });

  it('refuses an event that breaks the published contract', async () => {
    const ready = await completedReadyEvent();
    const { account: _account, ...withoutAccount } = ready.detail;
    const eventId = crypto.randomUUID();

    const broken = await publishReady({ ...withoutAccount, event_id: eventId });

    expect(deliveriesOf(broken)).toHaveLength(1);
    expect(stack.bus.failedDeliveries()).toEqual([
      { rule: RULE, eventId: broken, error: 'ReadyForPaymentContractError' },
    ]);
    expect(await consumerRecord(eventId)).toBeUndefined();
  });
});
