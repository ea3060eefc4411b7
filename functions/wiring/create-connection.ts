import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { ConnectionConfiguration } from '../connections/configurations.ts';
import { createConnection } from '../connections/create-connection.ts';
import { callerIdempotent } from '../connections/idempotency.ts';
import type { ConnectionRequest } from '../connections/request.ts';
import { readConnectionSettings } from '../connections/settings.ts';
import { stableEventId } from '../events/event-id.ts';
import { connectionRepository } from './connection-repository.ts';
import { dataConnections } from './data-connections.ts';
import { IDEMPOTENCY_TABLE_NAME } from './idempotency-table.ts';
import { publish } from './publisher.ts';
import { repository as onboardings } from './repository.ts';

export const connectionSettings = readConnectionSettings();
const dependencies = {
  trueLayer: dataConnections,
  repository: connectionRepository,
  onboardings,
  publish,
  settings: connectionSettings,
  now: () => new Date(),
};

type Payload = { request: ConnectionRequest; configuration: ConnectionConfiguration };

interface Call {
  idempotency_key: string;
  payload: Payload;
  end_user_ip?: string | undefined;
}

const create = (payload: Payload, trueLayerIdempotencyKey: string, endUserIp: string | undefined) =>
  createConnection(
    { ...payload, trueLayerIdempotencyKey, ...(endUserIp === undefined ? {} : { endUserIp }) },
    dependencies,
  );

// The same caller key always reaches TrueLayer as the same key, so a retry after a crash finds its connection.
const createOnce = callerIdempotent('create-connection', IDEMPOTENCY_TABLE_NAME, (call: Call) =>
  create(call.payload, stableEventId('data-connection', call.idempotency_key), call.end_user_ip),
);

/**
 * Creates the connection, once per caller `Idempotency-Key` when one is given
 * (a replay answers the first result), else once per request.
 */
export function createConnectionFor(
  payload: Payload,
  caller: { idempotencyKey: string | undefined; endUserIp: string | undefined },
  context: Context,
) {
  return caller.idempotencyKey === undefined
    ? create(payload, randomUUID(), caller.endUserIp)
    : createOnce({ idempotency_key: caller.idempotencyKey, payload, end_user_ip: caller.endUserIp }, context);
}
