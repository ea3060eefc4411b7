import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { type DetailOf, type DetailType, detailSchemas, EVENT_SOURCE } from './contracts.ts';

export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
}

/** PutEvents can accept some entries and refuse others; refused ones are resent this many times. */
const MAX_ATTEMPTS = 3;

export type PublishEvent = <T extends DetailType>(detailType: T, detail: DetailOf<T>) => Promise<void>;

/**
 * Publishes onto the product's bus. The detail is checked against its contract
 * before it leaves, and entries PutEvents reports as failed are resent.
 */
export function eventPublisher(client: EventBridgeClient, eventBusName: string): PublishEvent {
  return async (detailType, detail) => {
    const checked = detailSchemas[detailType].parse(detail);
    let pending: PutEventsRequestEntry[] = [
      {
        EventBusName: eventBusName,
        Source: EVENT_SOURCE,
        DetailType: detailType,
        Detail: JSON.stringify(checked),
      },
    ];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && pending.length > 0; attempt++) {
      const response = await client.send(new PutEventsCommand({ Entries: pending }));
      if (!response.FailedEntryCount) return;
      const results = response.Entries ?? [];
      pending = pending.filter((_, index) => results[index]?.ErrorCode !== undefined);
    }
    throw new EventPublishError(
      `PutEvents refused ${pending.length} ${detailType} event(s) after ${MAX_ATTEMPTS} attempts`,
    );
  };
}
