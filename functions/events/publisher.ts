import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { DetailOf, DetailType, detailSchemas } from '../contract/events.ts';
import { EVENT_SOURCE } from '../contract/onboarding-events.ts';

export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
}

/** PutEvents can accept some entries and refuse others; refused ones are resent this many times. */
const MAX_ATTEMPTS = 3;

/** Publishes one of the detail types `K` (by default any of the product's events). */
export type PublishEvent<K extends DetailType = DetailType> = <T extends K>(
  detailType: T,
  detail: DetailOf<T>,
) => Promise<void>;

/** The contracts a publisher checks details against, for the detail types it may publish. */
export type DetailSchemas<K extends DetailType> = Pick<typeof detailSchemas, K>;

/**
 * Publishes onto the product's bus. The detail is checked against its contract
 * before it leaves, and entries PutEvents reports as failed are resent. The
 * caller passes the contracts of the events it publishes, so that a function
 * bundles only those (functions/contract/events.ts has them all).
 */
export function eventPublisher<K extends DetailType>(
  client: EventBridgeClient,
  eventBusName: string,
  schemas: DetailSchemas<K>,
): PublishEvent<K> {
  return checkedPublisher(client, eventBusName, schemas);
}

/** An event committed to a record's outbox: its detail was checked then, and is checked again here. */
export interface AnnouncedEvent<K extends DetailType> {
  detail_type: K;
  detail: unknown;
}

/** Publishes events read back from an outbox (see functions/onboarding/model.ts). */
export function announcedEventPublisher<K extends DetailType>(
  client: EventBridgeClient,
  eventBusName: string,
  schemas: DetailSchemas<K>,
): (event: AnnouncedEvent<K>) => Promise<void> {
  const publish = checkedPublisher(client, eventBusName, schemas);
  return (event) => publish(event.detail_type, event.detail);
}

function checkedPublisher<K extends DetailType>(
  client: EventBridgeClient,
  eventBusName: string,
  schemas: DetailSchemas<K>,
) {
  return async (detailType: K, detail: unknown): Promise<void> => {
    const checked = schemas[detailType].parse(detail);
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
