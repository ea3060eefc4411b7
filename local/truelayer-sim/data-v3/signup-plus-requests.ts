import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../context.ts';
import { jsonResponse, mediaType, readBodyText, type SimResponse } from '../http-io.ts';
import { problemResponse, SIGNUP_ERRORS_BASE, slugFromTitle } from '../problems.ts';
import type { RouteDefinition } from '../router.ts';
import { invalidParameters } from '../sandbox-request.ts';
import { identityBody } from '../signup-plus-body.ts';
import type { Switches } from '../switches.ts';
import { authorisedConnection, idempotentReplay, isConnection, listedAccounts } from './access.ts';
import {
  type DataConnectionStore,
  fingerprint,
  type SimConnection,
  type SimSignupPlusRequest,
} from './store.ts';

/**
 * Signup+ on a Data v3 connected account, asynchronously. TrueLayer's API reference lists the two
 * endpoints in one line each ("must be called using a backend bearer token") and publishes no body,
 * status or example: every shape here is the simulator's choice, and the switches
 * `signup_plus_request_*` play the alternatives (switches.ts).
 */
const REQUESTS_PATH = '/v3/connections/:connection_id/accounts/:account_id/signup-plus/requests';

/** The status words of switch `signup_plus_request_status_words`. */
const STATUS_WORDS = {
  plain: { pending: 'pending', completed: 'completed', failed: 'failed' },
  alternate: { pending: 'in_progress', completed: 'succeeded', failed: 'failed' },
} as const satisfies Record<
  Switches['signup_plus_request_status_words'],
  Record<'pending' | 'completed' | 'failed', string>
>;

const wordsOf = (switches: Switches) => STATUS_WORDS[switches.signup_plus_request_status_words];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The identity `GET /signup-plus/accounts?account_id=` serves for the connection's user and this
 * account, in the same order of precedence (accounts-route.ts): the users file's raw answer for the
 * account (its body, when it is a 2xx JSON object), then the user's `signup_plus_error` (no data),
 * then `identityBody` with every switch that shapes it, the account at the bank the user logged in
 * to. `undefined`: the user or the account has no Signup+ data.
 */
function accountIdentity(
  ctx: RequestContext,
  connection: SimConnection,
  accountId: string,
): Record<string, unknown> | undefined {
  const user = ctx.sim.findUser(connection.username ?? '');
  if (user === undefined) return undefined;
  const raw = user.signup_plus_by_account?.[accountId];
  if (raw !== undefined) {
    return raw.status >= 200 && raw.status < 300 && isObject(raw.body) ? raw.body : undefined;
  }
  if (user.signup_plus_error !== undefined) return undefined;
  const account = user.accounts.find((candidate) => candidate.account_id === accountId);
  if (account === undefined || user.identity === undefined) return undefined;
  return identityBody(
    user.identity,
    { ...account, provider_id: connection.providerId ?? account.provider_id },
    ctx.sim.switches.current,
  );
}

/** Schema-breaking bodies for the `schema` fault. */
const CREATE_SCHEMA_VIOLATION = { id: 42, status: null };
const READ_SCHEMA_VIOLATION = { id: null, status: 7, user_data: 'none' };

/**
 * `POST` and `GET …/signup-plus/requests[/{request_id}]` on the Data v3 connections of `store`:
 * a client_credentials bearer with `data` and an authorised connection of the caller's
 * (`authorisedConnection`, as `GET /v3/connected-accounts`), an account the connection lists, an
 * optional `Idempotency-Key` on the create; the result pending for the first reads.
 */
export function signupPlusRequestRoutes(store: DataConnectionStore): RouteDefinition[] {
  /** The authorised connection and one of its listed accounts named by the path, or the refusal. */
  function connectionAccount(
    ctx: RequestContext,
  ): { connection: SimConnection; accountId: string } | SimResponse {
    const found = authorisedConnection(ctx, store, ctx.params.connection_id ?? '');
    if (!isConnection(found)) return found;
    const accountId = ctx.params.account_id ?? '';
    const user = ctx.sim.findUser(found.username ?? '');
    // Another user's account, or another connection's, is as unknown as a made-up id.
    if (!listedAccounts(user).some((account) => account.account_id === accountId)) {
      return problemResponse(ctx.traceId, {
        status: 404,
        title: 'Not Found',
        detail: 'Check the account id.',
      });
    }
    return { connection: found, accountId };
  }

  /** The optional body: absent or empty, or any JSON object (`{}` is the same request as none). */
  async function readOptionalBody(
    ctx: RequestContext,
  ): Promise<{ ok: true; body: unknown } | { ok: false; response: SimResponse }> {
    const text = await readBodyText(ctx.req);
    if (text.trim() === '') return { ok: true, body: undefined };
    const refuse = (detail: string, message: string) => ({
      ok: false as const,
      response: invalidParameters(ctx, detail, { '(body)': [message] }),
    });
    if (mediaType(ctx.req) !== 'application/json') {
      return refuse('Send a JSON body, or none.', 'Content-Type must be application/json');
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return refuse('The request body is not valid JSON.', 'Must be JSON');
    }
    if (!isObject(body)) return refuse('The request body must be a JSON object.', 'Must be a JSON object');
    return { ok: true, body };
  }

  const create: RouteDefinition = {
    method: 'POST',
    path: REQUESTS_PATH,
    name: 'signup_plus_request_create',
    schemaViolation: CREATE_SCHEMA_VIOLATION,
    async handle(ctx) {
      const found = connectionAccount(ctx);
      if (!('connection' in found)) return found;
      const { connection, accountId } = found;
      const read = await readOptionalBody(ctx);
      if (!read.ok) return read.response;
      const { body } = read;
      const keyHeader = ctx.req.headers['idempotency-key'];
      const key = typeof keyHeader === 'string' ? keyHeader : undefined;
      // The same key from the same client answers the same request (connection, account, body) again;
      // with another request it conflicts, as on POST /v3/data-connections. Keys are per client.
      const requestFingerprint = fingerprint(['signup_plus_request', connection.id, accountId, body ?? {}]);
      const replayed = idempotentReplay(ctx, store, {
        clientId: connection.clientId,
        key,
        fingerprint: requestFingerprint,
      });
      if (replayed) return replayed;
      const request: SimSignupPlusRequest = {
        id: randomUUID(),
        clientId: connection.clientId,
        connectionId: connection.id,
        accountId,
        polls: 0,
        ...(key === undefined ? {} : { idempotencyKey: key }),
        body,
        createdAt: ctx.sim.now(),
      };
      store.addSignupPlusRequest(request);
      const answer = { id: request.id, status: wordsOf(ctx.sim.switches.current).pending };
      if (key !== undefined)
        store.remember(connection.clientId, key, {
          fingerprint: requestFingerprint,
          status: 202,
          body: answer,
        });
      return jsonResponse(202, answer);
    },
  };

  const read: RouteDefinition = {
    method: 'GET',
    path: `${REQUESTS_PATH}/:request_id`,
    name: 'signup_plus_request_read',
    schemaViolation: READ_SCHEMA_VIOLATION,
    handle(ctx) {
      const found = connectionAccount(ctx);
      if (!('connection' in found)) return found;
      const { connection, accountId } = found;
      const request = store.signupPlusRequest(ctx.params.request_id ?? '');
      // A request made for another connection or account is answered exactly like an unknown one.
      if (
        request === undefined ||
        request.connectionId !== connection.id ||
        request.accountId !== accountId
      ) {
        return problemResponse(ctx.traceId, {
          status: 404,
          title: 'Not Found',
          detail: 'No Signup+ request with this id for this connection and account.',
        });
      }
      const switches = ctx.sim.switches.current;
      const words = wordsOf(switches);
      const outcome = switches.signup_plus_request_outcome;
      const readsBefore = request.polls;
      request.polls += 1;
      if (outcome === 'never' || readsBefore < switches.signup_plus_request_pending_polls) {
        return jsonResponse(200, { id: request.id, status: words.pending });
      }
      if (outcome === 'failed') {
        return jsonResponse(200, {
          id: request.id,
          status: words.failed,
          failure_reason: 'user_data_not_found',
        });
      }
      // A user or account without Signup+ data ends as `problem` does.
      const identity = outcome === 'problem' ? undefined : accountIdentity(ctx, connection, accountId);
      if (identity === undefined) {
        const title = 'User data not found';
        return problemResponse(ctx.traceId, {
          status: 404,
          title,
          detail: 'No Signup+ data is available for this account.',
          type: `${SIGNUP_ERRORS_BASE}${slugFromTitle(title)}`,
        });
      }
      return jsonResponse(
        200,
        switches.signup_plus_request_shape === 'flat'
          ? { id: request.id, status: words.completed, ...identity }
          : { id: request.id, status: words.completed, user_data: identity },
      );
    },
  };

  return [create, read];
}

/** A connection's Signup+ requests as `GET /_sandbox/data-connections/:id` shows them. */
export function inspectedSignupPlusRequests(store: DataConnectionStore, connectionId: string) {
  return store.signupPlusRequests(connectionId).map((request) => ({
    id: request.id,
    account_id: request.accountId,
    polls: request.polls,
    idempotency_key: request.idempotencyKey ?? null,
    body: request.body ?? null,
    created_at: new Date(request.createdAt).toISOString(),
  }));
}
