import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { IdempotencyKeyConflictError } from './errors.ts';

/** How long a caller's Idempotency-Key keeps answering with the first result. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;

export interface IdempotentCall {
  /** The caller's `Idempotency-Key`. */
  idempotency_key: string;
  /** What must be identical for a replay; a different payload under the same key is refused. */
  payload: unknown;
}

/**
 * Makes `fn` answer once per caller key (fields of the call other than the
 * key and the payload, such as the end user's IP, play no part), with Powertools Idempotency persisted
 * in the idempotency table under Powertools' own layout: partition key `id` =
 * `<scope>#<hash of the key>`, so records spread over partitions instead of
 * sharing one static key, expiring through the `expiration` TTL attribute.
 * Only successes are kept, so a refused request can be corrected and sent
 * again with the same key. Powertools' own errors become conflicts that the
 * API maps to 409.
 */
export function callerIdempotent<C extends IdempotentCall, R>(
  scope: string,
  tableName: string,
  fn: (call: C) => Promise<R>,
) {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'idempotency_key',
    payloadValidationJmesPath: 'payload',
    expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName });
  const idempotent = makeIdempotent(fn, { persistenceStore, config, keyPrefix: scope });
  return async (call: C, context: Context): Promise<R> => {
    config.registerLambdaContext(context);
    try {
      return await idempotent(call);
    } catch (error) {
      if (error instanceof IdempotencyValidationError) {
        throw new IdempotencyKeyConflictError(
          'This Idempotency-Key was already used with a different body.',
          {
            cause: error,
          },
        );
      }
      if (error instanceof IdempotencyAlreadyInProgressError) {
        throw new IdempotencyKeyConflictError(
          'A request with this Idempotency-Key is still being processed; retry shortly.',
          { cause: error },
        );
      }
      throw error;
    }
  };
}
