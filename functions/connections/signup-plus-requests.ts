import * as z from 'zod/mini';
import type { TrueLayerEndpoints } from '../truelayer/config.ts';
import { SignupPlusNotEligibleError, TrueLayerContractError } from '../truelayer/errors.ts';
import { sendToTrueLayer, type TrueLayerResponse } from '../truelayer/http.ts';
import { ineligibilityOf, problemKey, refusalError } from '../truelayer/refusals.ts';
import type { SignupPlusIdentity } from '../truelayer/schemas.ts';
import { identityOf } from '../truelayer/signup-plus-client.ts';
import { type ClientToken, withClientToken } from '../truelayer/token-cache.ts';
import { tolerant, tolerantText } from '../truelayer/tolerant.ts';

/*
 * Signup+ on a Data v3 connected account, asynchronously: one call asks
 * TrueLayer to fetch the account holder's Signup+ data, another reads the
 * answer when it is ready. TrueLayer's reference names both endpoints and
 * says a backend token calls them, and nothing more: no body, status or
 * example (docs/conformance.md). Both answers are read for what they may
 * plausibly say, and what cannot be read is a contract violation, never a
 * guess.
 */

/** What TrueLayer says about the request. A status the product does not know is read as still pending. */
export type SignupPlusRequestState =
  | { status: 'pending' }
  | { status: 'completed'; identity: SignupPlusIdentity }
  | { status: 'failed'; reason?: string | undefined };

export interface SignupPlusRequestsClient {
  /** `POST /v3/connections/{id}/accounts/{account_id}/signup-plus/requests`: TrueLayer's id of the request. */
  request(connectionId: string, accountId: string, options: { idempotencyKey: string }): Promise<string>;
  /** `GET …/signup-plus/requests/{request_id}`: where the request stands. */
  read(connectionId: string, accountId: string, requestId: string): Promise<SignupPlusRequestState>;
}

const requestId = z.string().check(z.trim(), z.minLength(1), z.maxLength(128));

/** The create answer: the request's id, under whichever of the likely names it comes. */
const createdRequestSchema = z.object({
  id: tolerant(requestId),
  request_id: tolerant(requestId),
  signup_plus_request_id: tolerant(requestId),
});

const requestStateSchema = z.object({
  status: tolerantText,
  failure_reason: tolerantText,
  error: tolerantText,
});

/** The words read as "still going" (the conformance run reads TrueLayer's answers with them too). */
export const PENDING = new Set([
  'pending',
  'requested',
  'accepted',
  'created',
  'queued',
  'processing',
  'in_progress',
]);
const COMPLETED = new Set(['completed', 'complete', 'succeeded', 'success', 'successful', 'done', 'ready']);
const FAILED = new Set(['failed', 'failure', 'error', 'rejected', 'unavailable']);

/** Where the identity may sit in a completed answer: under a key of its own, or beside the status. */
const IDENTITY_KEYS = ['user_data', 'data', 'result', 'signup_plus_data'] as const;
/** Fields only an identity has: a body with none of them is not one (a status, an id). */
const IDENTITY_FIELDS = ['first_name', 'last_name', 'date_of_birth', 'address', 'account_details'] as const;

/** Whether a body is an identity: it carries one of the fields only an identity has. */
export const looksLikeIdentity = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  IDENTITY_FIELDS.some((field) => {
    const item = (value as Record<string, unknown>)[field];
    return item !== undefined && item !== null && item !== '';
  });

function identityBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const nested = IDENTITY_KEYS.map((key) => record[key]).find(looksLikeIdentity);
  if (nested !== undefined) return nested;
  return looksLikeIdentity(body) ? body : undefined;
}

/** A completed request's identity, held to the same rules as every Signup+ answer (identityOf). */
function completed(response: TrueLayerResponse, operation: string): SignupPlusRequestState {
  const body = identityBody(response.body);
  if (body === undefined) {
    throw new TrueLayerContractError(`${operation}: the request is complete but carries no identity`, {
      truelayer: { status: response.status, ...response.support },
    });
  }
  return { status: 'completed', identity: identityOf({ ...response, body }, operation) };
}

/** A request TrueLayer failed: a documented Signup+ reason is an ineligibility, as in every other flow. */
function failed(reason: string | undefined, response: TrueLayerResponse, operation: string) {
  const key = reason === undefined ? undefined : problemKey(reason);
  const ineligibility = key === undefined ? undefined : ineligibilityOf(key);
  if (ineligibility !== undefined) {
    throw new SignupPlusNotEligibleError(`${operation}: ${key}`, {
      ineligibility,
      truelayer: { status: response.status, ...response.support },
    });
  }
  return { status: 'failed' as const, reason: key };
}

/**
 * The two calls over HTTP with the product's client-credentials token (the
 * `data` token of the connection calls: the reference asks for "a backend
 * bearer token" and names no scope). A refusal (4xx, Problem Details) is
 * mapped like every other TrueLayer refusal: "User data not found" is the
 * user's ineligibility, a 5xx or a lost answer is worth a retry.
 */
export function signupPlusRequestsClient(deps: {
  endpoints: TrueLayerEndpoints;
  token: ClientToken;
}): SignupPlusRequestsClient {
  const { endpoints } = deps;
  const base = (connectionId: string, accountId: string) =>
    `${endpoints.apiBaseUrl}/v3/connections/${encodeURIComponent(connectionId)}/accounts/${encodeURIComponent(accountId)}/signup-plus/requests`;

  return {
    async request(connectionId, accountId, { idempotencyKey }) {
      const operation = 'request signup-plus on connected account';
      const response = await withClientToken(deps.token, (token) =>
        sendToTrueLayer(
          base(connectionId, accountId),
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              'content-type': 'application/json',
              'idempotency-key': idempotencyKey,
            },
            body: '{}',
          },
          { timeoutMs: endpoints.timeoutMs, operation },
        ),
      );
      if (response.status < 200 || response.status > 299) {
        throw refusalError(response, { operation, audience: 'user' });
      }
      const parsed = createdRequestSchema.safeParse(response.body ?? {});
      const id = parsed.success
        ? (parsed.data.id ?? parsed.data.request_id ?? parsed.data.signup_plus_request_id)
        : undefined;
      if (id === undefined) {
        throw new TrueLayerContractError(`${operation}: the answer names no request`, {
          truelayer: { status: response.status, ...response.support },
        });
      }
      return id;
    },

    async read(connectionId, accountId, id) {
      const operation = 'read signup-plus request';
      const response = await withClientToken(deps.token, (token) =>
        sendToTrueLayer(
          `${base(connectionId, accountId)}/${encodeURIComponent(id)}`,
          { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } },
          { timeoutMs: endpoints.timeoutMs, operation },
        ),
      );
      if (response.status < 200 || response.status > 299) {
        throw refusalError(response, { operation, audience: 'user' });
      }
      const state = requestStateSchema.safeParse(response.body ?? {});
      const status = state.success ? state.data.status?.toLowerCase() : undefined;
      if (status !== undefined && COMPLETED.has(status)) return completed(response, operation);
      if (status !== undefined && FAILED.has(status)) {
        return failed(
          state.success ? (state.data.failure_reason ?? state.data.error) : undefined,
          response,
          operation,
        );
      }
      if (status !== undefined && PENDING.has(status)) return { status: 'pending' };
      // No status, or one the product does not know: an identity means it is done, else it is still going.
      return identityBody(response.body) === undefined
        ? { status: 'pending' }
        : completed(response, operation);
    },
  };
}
