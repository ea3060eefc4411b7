import * as z from 'zod/mini';
import { trueLayerProblemSchema } from '../truelayer/common-schemas.ts';
import type { TrueLayerEndpoints } from '../truelayer/config.ts';
import { TrueLayerContractError, TrueLayerRejectedError } from '../truelayer/errors.ts';
import { sendToTrueLayer, type TrueLayerResponse } from '../truelayer/http.ts';
import { connectionIdSchema } from './model.ts';
import type { ClientToken } from './token-cache.ts';

const webUrl = z.url({ protocol: /^https?$/ });

/** `POST /v3/data-connections` 201 body. Extra fields are ignored. */
export const createdDataConnectionSchema = z.object({
  id: connectionIdSchema,
  user: z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) }),
  status: z.enum(['authorization_required', 'authorizing']),
  hosted_page: z.optional(z.object({ uri: webUrl })),
  authorization_flow: z.optional(
    z.object({
      actions: z.object({ next: z.object({ type: z.string().check(z.minLength(1)), uri: webUrl }) }),
    }),
  ),
});
export type CreatedDataConnection = z.infer<typeof createdDataConnectionSchema>;

/**
 * `GET /v3/data-connections/{id}`: only the fields the return leg reads. The
 * status is kept open (TrueLayer's v3 list is unconfirmed); the caller acts on
 * `authorized` and `failed` and treats anything else as still pending.
 */
export const dataConnectionStateSchema = z.object({
  id: connectionIdSchema,
  status: z.string().check(z.minLength(1), z.maxLength(64)),
  failure_reason: z.optional(z.string().check(z.maxLength(200))),
});
export type DataConnectionState = z.infer<typeof dataConnectionStateSchema>;

export interface CreateOptions {
  /** Sent as `Idempotency-Key`: TrueLayer answers a retry with the same connection. */
  idempotencyKey: string;
  /** The end user's IP address, sent as `Tl-User-IP` (marks the user as present). */
  endUserIp?: string;
}

export interface DataConnectionsClient {
  create(body: unknown, options: CreateOptions): Promise<CreatedDataConnection>;
  get(connectionId: string): Promise<DataConnectionState>;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/** TrueLayer refused: the reason is kept for logs, the body itself is never passed on. */
function refusal(operation: string, response: TrueLayerResponse): TrueLayerRejectedError {
  const problem = trueLayerProblemSchema.safeParse(response.body);
  const title = problem.success ? problem.data.title : undefined;
  return new TrueLayerRejectedError(`${operation}: TrueLayer refused the request (HTTP ${response.status})`, {
    reason: title ? slug(title) : `http_${response.status}`,
    status: response.status,
  });
}

/**
 * Data API v3 connections over HTTP, with a client-credentials token (scope
 * `data`). A 401 means the cached token was revoked or expired early: it is
 * dropped and the call made once more with a fresh one (safe for the POST,
 * which carries the same Idempotency-Key).
 */
export function dataConnectionsClient(deps: {
  endpoints: TrueLayerEndpoints;
  token: ClientToken;
}): DataConnectionsClient {
  const { endpoints } = deps;

  async function withToken(call: (token: string) => Promise<TrueLayerResponse>): Promise<TrueLayerResponse> {
    const token = await deps.token.get();
    const response = await call(token);
    if (response.status !== 401) return response;
    deps.token.invalidate(token);
    return call(await deps.token.get());
  }

  return {
    async create(body, options) {
      const operation = 'create data connection';
      const response = await withToken((token) =>
        sendToTrueLayer(
          `${endpoints.apiBaseUrl}/v3/data-connections`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              'content-type': 'application/json',
              'idempotency-key': options.idempotencyKey,
              ...(options.endUserIp === undefined ? {} : { 'tl-user-ip': options.endUserIp }),
            },
            body: JSON.stringify(body),
          },
          { timeoutMs: endpoints.timeoutMs, operation },
        ),
      );
      if (response.status !== 201 && response.status !== 200) throw refusal(operation, response);
      const parsed = createdDataConnectionSchema.safeParse(response.body);
      if (!parsed.success) {
        throw new TrueLayerContractError(`${operation}: the response does not match the documented shape`);
      }
      return parsed.data;
    },

    async get(connectionId) {
      const operation = 'get data connection';
      const response = await withToken((token) =>
        sendToTrueLayer(
          `${endpoints.apiBaseUrl}/v3/data-connections/${encodeURIComponent(connectionId)}`,
          { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } },
          { timeoutMs: endpoints.timeoutMs, operation },
        ),
      );
      if (response.status !== 200) throw refusal(operation, response);
      const parsed = dataConnectionStateSchema.safeParse(response.body);
      if (!parsed.success || parsed.data.id !== connectionId) {
        throw new TrueLayerContractError(`${operation}: the response does not match the documented shape`);
      }
      return parsed.data;
    },
  };
}
