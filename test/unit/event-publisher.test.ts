import {
  EventBridgeClient,
  type PutEventsCommandInput,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { DetailTypes, onboardingDetailSchemas } from '../../functions/contract/onboarding-events.ts';
import { envelopeFor } from '../../functions/events/envelope.ts';
import { announcedEventPublisher, EventPublishError } from '../../functions/events/publisher.ts';

/**
 * An EventBridge client that never leaves the process: a middleware at the
 * front of the stack answers PutEvents with the results the test scripts,
 * one list of entry results per call, and keeps what each call sent.
 */
function scriptedBus(answers: Array<Array<PutEventsResultEntry>>) {
  const client = new EventBridgeClient({
    region: 'eu-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const sent: PutEventsCommandInput[] = [];
  client.middlewareStack.add(
    (_next) => async (args) => {
      const { input } = args;
      if (typeof input !== 'object' || input === null || !('Entries' in input))
        throw new Error('not PutEvents');
      sent.push(structuredClone(input));
      const entries = answers.shift() ?? [];
      const output = {
        $metadata: {},
        Entries: entries,
        FailedEntryCount: entries.filter((e) => e.ErrorCode).length,
      };
      return { output, response: {} };
    },
    { step: 'initialize', priority: 'high', name: 'scriptedBus' },
  );
  return { client, sent };
}

const onboarding = { onboarding_id: '6f1c2b9e-3d4a-4c5b-8e7f-9a0b1c2d3e4f' };
const erased = {
  detail_type: DetailTypes.erased,
  detail: {
    ...envelopeFor(onboarding, DetailTypes.erased, new Date('2026-03-01T10:00:00Z')),
    status: 'completed',
  },
};

describe('announcedEventPublisher', () => {
  it('sends the checked detail onto the bus with the product as its source', async () => {
    const bus = scriptedBus([[{ EventId: 'e1' }]]);
    const publish = announcedEventPublisher(bus.client, 'product-bus', onboardingDetailSchemas);

    await publish(erased);

    const entry = bus.sent[0]?.Entries?.[0];
    expect(bus.sent).toHaveLength(1);
    expect(entry).toMatchObject({ EventBusName: 'product-bus', DetailType: 'Onboarding Erased' });
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual(erased.detail);
  });

  it('resends an entry PutEvents refused, and stops once it is accepted', async () => {
    const bus = scriptedBus([
      [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
      [{ EventId: 'e1' }],
    ]);
    const publish = announcedEventPublisher(bus.client, 'product-bus', onboardingDetailSchemas);

    await publish(erased);

    expect(bus.sent).toHaveLength(2);
    expect(bus.sent[1]?.Entries).toEqual(bus.sent[0]?.Entries);
  });

  it('gives up with EventPublishError after three refusals', async () => {
    const refused = [{ ErrorCode: 'InternalFailure' }];
    const bus = scriptedBus([refused, refused, refused, [{ EventId: 'late' }]]);
    const publish = announcedEventPublisher(bus.client, 'product-bus', onboardingDetailSchemas);

    await expect(publish(erased)).rejects.toBeInstanceOf(EventPublishError);
    expect(bus.sent).toHaveLength(3);
  });

  it('refuses a detail its contract does not allow before anything is sent', async () => {
    const bus = scriptedBus([[{ EventId: 'e1' }]]);
    const publish = announcedEventPublisher(bus.client, 'product-bus', onboardingDetailSchemas);

    const publishing = publish({ ...erased, detail: { ...erased.detail, status: 'awaiting_authorization' } });

    await expect(publishing).rejects.toMatchObject({ name: '$ZodError' });
    expect(bus.sent).toEqual([]);
  });

  it('sends only the fields the contract names: anything else a record carried stays behind', async () => {
    const bus = scriptedBus([[{ EventId: 'e1' }]]);
    const publish = announcedEventPublisher(bus.client, 'product-bus', onboardingDetailSchemas);

    await publish({ ...erased, detail: { ...erased.detail, user: { first_name: 'Ada' } } });

    expect(JSON.parse(bus.sent[0]?.Entries?.[0]?.Detail ?? '{}')).not.toHaveProperty('user');
  });
});
