import { authenticateBearer } from '../bearer.ts';
import type { RequestContext } from '../context.ts';
import { jsonResponse, type SimResponse } from '../http-io.ts';
import { problemResponse } from '../problems.ts';
import type { SandboxAccount, SandboxUser } from '../users.ts';
import type { DataConnectionStore, SimConnection } from './store.ts';

/** The lower-case account type `GET /v3/connected-accounts` writes (D:get-all-user-accounts). */
export const accountType = (account: SandboxAccount): 'savings' | 'current' =>
  /savings/i.test(account.account_type) ? 'savings' : 'current';

/**
 * The accounts `GET /v3/connected-accounts` lists for a connection's user, in its order
 * (D:get-all-user-accounts: by type then id, at most 50 items). The account ids the per-account
 * Data v3 endpoints take are these.
 */
export function listedAccounts(user: SandboxUser | undefined): SandboxAccount[] {
  return [...(user?.accounts ?? [])]
    .sort((a, b) => accountType(a).localeCompare(accountType(b)) || a.account_id.localeCompare(b.account_id))
    .slice(0, 50);
}

/**
 * The connection a documented data call names (`Connection-Id` header or
 * path), or the refusal: a client_credentials bearer with the `data` scope
 * first (401/403), then 404 for a connection this client does not have, 400
 * `Invalid State` while it is not authorised, 403 once it failed
 * (D:data-v3-errors: the user must reconnect).
 */
export function authorisedConnection(
  ctx: RequestContext,
  store: DataConnectionStore,
  connectionId: string,
): SimConnection | SimResponse {
  const auth = authenticateBearer(ctx, { scope: 'data', user: false });
  if (!auth.ok) return auth.response;
  const connection = store.get(connectionId);
  if (connection === undefined || connection.clientId !== auth.token.clientId) {
    return problemResponse(ctx.traceId, {
      status: 404,
      title: 'Not Found',
      detail: 'Check the Connection-Id.',
    });
  }
  if (connection.status === 'failed') {
    return problemResponse(ctx.traceId, {
      status: 403,
      title: 'Forbidden',
      detail: 'The connection is not authorised; the user must reconnect.',
    });
  }
  if (connection.status !== 'authorized') {
    return problemResponse(ctx.traceId, {
      status: 400,
      title: 'Invalid State',
      detail: 'The connection is not authorised.',
    });
  }
  return connection;
}

export const isConnection = (value: SimConnection | SimResponse): value is SimConnection =>
  'clientId' in value;

/**
 * The earlier answer under a client's Idempotency-Key: the same request (by fingerprint) gets it
 * again, another request under the key is refused with 422 Idempotency-Key Reuse, as TrueLayer's
 * Payments-family APIs answer. `undefined`: no key, or a key not used yet.
 */
export function idempotentReplay(
  ctx: RequestContext,
  store: DataConnectionStore,
  request: { clientId: string; key: string | undefined; fingerprint: string },
): SimResponse | undefined {
  if (request.key === undefined) return undefined;
  const previous = store.answerFor(request.clientId, request.key);
  if (previous === undefined) return undefined;
  if (previous.fingerprint === request.fingerprint) return jsonResponse(previous.status, previous.body);
  return problemResponse(ctx.traceId, {
    status: 422,
    title: 'Idempotency-Key Reuse',
    detail: 'This Idempotency-Key was already used with a different request.',
  });
}
