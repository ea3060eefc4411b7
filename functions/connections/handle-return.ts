import * as z from 'zod/mini';
import type { Failure } from '../commons/failure.ts';
import { DetailTypes } from '../events/contracts.ts';
import { envelopeFor } from '../events/envelope.ts';
import type { PublishEvent } from '../events/publisher.ts';
import { type ConnectionRecord, connectionIdSchema } from './model.ts';
import type { ConnectionRepository } from './repository.ts';
import type { DataConnectionsClient } from './truelayer-client.ts';

/**
 * What the browser brings back to `GET /connections/return`. Which parameters
 * TrueLayer appends is unconfirmed: the product needs only `connection_id` and
 * tolerates anything else, because it never trusts the query for the outcome.
 */
export const connectionReturnQuerySchema = z.object({
  connection_id: connectionIdSchema,
  error: z.optional(z.string().check(z.maxLength(256))),
});
export type ConnectionReturnQuery = z.infer<typeof connectionReturnQuerySchema>;

export interface HandleReturnDependencies {
  trueLayer: Pick<DataConnectionsClient, 'get'>;
  repository: Pick<ConnectionRepository, 'get' | 'settle'>;
  publish: PublishEvent;
  now: () => Date;
}

/** `pending`: TrueLayer does not (yet) report an outcome; nothing is recorded. */
export type ReturnOutcome = 'authorized' | 'failed' | 'pending';

const REASON = /^[a-z0-9_]{1,64}$/;

/** A short reason safe to store and show: TrueLayer's, else the query's, else a generic one. */
function failureFor(reported: string | undefined, fromQuery: string | undefined): Failure {
  const reason = [reported, fromQuery].find((value) => value !== undefined && REASON.test(value));
  return {
    reason: reason ?? 'authorization_failed',
    detail:
      reason === 'access_denied'
        ? 'The user declined to share their data.'
        : 'The connection was not authorised at the bank.',
  };
}

/**
 * The user is back. The query only says which connection; TrueLayer is asked
 * for the outcome, so a forged or replayed return cannot change a record. The
 * first return that sees an outcome records it; the event is published on
 * every return that finds the outcome recorded, with the same event id, so a
 * publication lost after the write is made good by the next return.
 */
export async function handleConnectionReturn(
  query: ConnectionReturnQuery,
  deps: HandleReturnDependencies,
): Promise<{ record: ConnectionRecord; outcome: ReturnOutcome }> {
  const stored = await deps.repository.get(query.connection_id);
  const state = await deps.trueLayer.get(query.connection_id);
  if (state.status !== 'authorized' && state.status !== 'failed') {
    return { record: stored, outcome: 'pending' };
  }
  const at = deps.now().toISOString();
  const failure = state.status === 'failed' ? failureFor(state.failure_reason, query.error) : undefined;
  const { record } = await deps.repository.settle(query.connection_id, {
    to: state.status,
    ...(failure ? { failure } : {}),
    timeline: { at, step: state.status, ...(failure ? { detail: failure.reason } : {}) },
  });
  if (record.status === 'authorized') {
    await publishAuthorized(record, deps.publish);
    return { record, outcome: 'authorized' };
  }
  if (record.status === 'failed') {
    await publishFailed(record, deps.publish);
    return { record, outcome: 'failed' };
  }
  return { record, outcome: 'pending' };
}

const settledAt = (record: ConnectionRecord) => new Date(record.timeline.at(-1)?.at ?? record.updated_at);

const common = (record: ConnectionRecord) => ({
  connection_id: record.connection_id,
  configuration: record.configuration,
  scopes: record.scopes,
  data_access_type: record.data_access_type,
  ...(record.provider_id === undefined ? {} : { provider_id: record.provider_id }),
});

function publishAuthorized(record: ConnectionRecord, publish: PublishEvent) {
  return publish(DetailTypes.dataConnectionAuthorized, {
    ...envelopeFor(record, DetailTypes.dataConnectionAuthorized, settledAt(record)),
    ...common(record),
    truelayer_user_id: record.truelayer_user_id,
  });
}

function publishFailed(record: ConnectionRecord, publish: PublishEvent) {
  return publish(DetailTypes.dataConnectionFailed, {
    ...envelopeFor(record, DetailTypes.dataConnectionFailed, settledAt(record)),
    ...common(record),
    failure: record.failure ?? failureFor(undefined, undefined),
  });
}
