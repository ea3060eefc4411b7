import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { type FieldProblem, RequestValidationError } from '../commons/errors.ts';
import { httpHandler } from '../commons/http/handler.ts';
import { parseJsonBody } from '../commons/http/request.ts';
import { jsonResponse } from '../commons/http/responses.ts';
import type { ConnectionConfiguration } from '../connections/configurations.ts';
import { createConnection } from '../connections/create-connection.ts';
import { UnsupportedConfigurationError } from '../connections/errors.ts';
import { callerIdempotent } from '../connections/idempotency.ts';
import { type ConnectionRequest, checkConnectionRequest } from '../connections/request.ts';
import { readConnectionSettings } from '../connections/settings.ts';
import { stableEventId } from '../events/event-id.ts';
import { connectionRepository } from '../wiring/connection-repository.ts';
import { dataConnections } from '../wiring/data-connections.ts';
import { IDEMPOTENCY_TABLE_NAME } from '../wiring/idempotency-table.ts';
import { publish } from '../wiring/publisher.ts';

const settings = readConnectionSettings();
const dependencies = {
  trueLayer: dataConnections,
  repository: connectionRepository,
  publish,
  settings,
  now: () => new Date(),
};

interface Call {
  idempotency_key: string;
  payload: { request: ConnectionRequest; configuration: ConnectionConfiguration };
  end_user_ip?: string | undefined;
}

const create = (payload: Call['payload'], trueLayerIdempotencyKey: string, endUserIp: string | undefined) =>
  createConnection(
    { ...payload, trueLayerIdempotencyKey, ...(endUserIp === undefined ? {} : { endUserIp }) },
    dependencies,
  );

// The same caller key always reaches TrueLayer as the same key, so a retry after a crash finds its connection.
const createOnce = callerIdempotent('create-connection', IDEMPOTENCY_TABLE_NAME, (call: Call) =>
  create(call.payload, stableEventId('data-connection', call.idempotency_key), call.end_user_ip),
);

const headerValue = (headers: Record<string, string | undefined> | undefined, name: string) =>
  Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

const idempotencyKeySchema = z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/));

/** The two optional headers: the caller's Idempotency-Key and the end user's IP for Tl-User-IP. */
function readHeaders(headers: Record<string, string | undefined> | undefined) {
  const problems: FieldProblem[] = [];
  const idempotencyKey = headerValue(headers, 'idempotency-key');
  if (idempotencyKey !== undefined && !idempotencyKeySchema.safeParse(idempotencyKey).success) {
    problems.push({ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' });
  }
  const endUserIp = headerValue(headers, 'x-end-user-ip')?.trim();
  if (endUserIp !== undefined && isIP(endUserIp) === 0) {
    problems.push({ field: 'X-End-User-IP', message: 'must be an IPv4 or IPv6 address' });
  }
  return { problems, idempotencyKey, endUserIp };
}

/**
 * POST /connections: validates TrueLayer's Data v3 connection request, creates
 * the connection and answers where to send the user. Nothing reaches TrueLayer
 * or the table unless every rule holds.
 */
export const handler = httpHandler(async (event, context) => {
  const body = parseJsonBody(event, z.unknown());
  const headers = readHeaders(event.headers);
  const check = checkConnectionRequest(body, { aispLicensed: settings.aispLicensed });
  const problems = [...headers.problems, ...(!check.ok && check.reason === 'invalid' ? check.problems : [])];
  if (problems.length > 0) throw new RequestValidationError(problems);
  if (!check.ok) {
    if (check.reason === 'unsupported_configuration') throw new UnsupportedConfigurationError(check.shape);
    throw new RequestValidationError(check.problems);
  }
  const payload = { request: check.request, configuration: check.configuration };
  const { idempotencyKey, endUserIp } = headers;
  const created =
    idempotencyKey === undefined
      ? await create(payload, randomUUID(), endUserIp)
      : await createOnce({ idempotency_key: idempotencyKey, payload, end_user_ip: endUserIp }, context);
  const response = jsonResponse(201, created);
  return { ...response, headers: { ...response.headers, location: `/connections/${created.connection_id}` } };
});
