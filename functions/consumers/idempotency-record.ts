import { createHash } from 'node:crypto';

/** The example consumer's Powertools Idempotency key prefix, fixed so that erasure can find its records. */
export const READY_FOR_PAYMENT_EXAMPLE_KEY_PREFIX = 'ready-for-payment-example';

/**
 * The `id` Powertools Idempotency gives the example consumer's record of one
 * event: the key prefix, `#`, and the base64 MD5 of the JSON of the
 * idempotency key (`detail.event_id`), as its BasePersistenceLayer computes
 * it. Erasure deletes the record by this id; test/integration/erasure.test.ts
 * proves the two agree.
 */
export function exampleConsumerRecordId(eventId: string): string {
  const hash = createHash('md5').update(JSON.stringify(eventId)).digest('base64');
  return `${READY_FOR_PAYMENT_EXAMPLE_KEY_PREFIX}#${hash}`;
}
