import * as z from 'zod/mini';
import type { TrueLayerEndpoints } from '../truelayer/config.ts';
import { TrueLayerContractError, TrueLayerReconnectRequiredError } from '../truelayer/errors.ts';
import { sendToTrueLayer, type TrueLayerResponse } from '../truelayer/http.ts';
import { refusalError } from '../truelayer/refusals.ts';
import { type ClientToken, withClientToken } from '../truelayer/token-cache.ts';
import { absentIfEmpty, tolerant, tolerantText } from '../truelayer/tolerant.ts';
import { connectionIdSchema, type DataScope } from './model.ts';

const webUrl = z.url({ protocol: /^https?$/ });

/**
 * `POST /v3/data-connections` 201 body (seed 003), read tolerantly: the
 * connection id and TrueLayer's user id (both in the seed's example answer)
 * are needed; the rest is carried when present, and the `next` step may come
 * without a URI. Extra fields are ignored.
 */
export const createdDataConnectionSchema = z.object({
  id: connectionIdSchema,
  user: z.object({ id: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)) }),
  status: tolerantText,
  hosted_page: tolerant(z.object({ uri: tolerant(webUrl) })),
  authorization_flow: tolerant(
    z.object({
      actions: tolerant(
        z.object({
          next: tolerant(
            z.object({ type: tolerant(z.string().check(z.trim(), z.maxLength(64))), uri: tolerant(webUrl) }),
          ),
        }),
      ),
    }),
  ),
});
export type CreatedDataConnection = z.infer<typeof createdDataConnectionSchema>;

/**
 * What TrueLayer says about a connection when the user is back. `authorized`
 * and `failed` settle it; `pending` changes nothing. `not_authorized` comes
 * from the documented data endpoints, which refuse an unauthorised connection
 * without saying why, so the caller decides with what the browser brought.
 */
export type ConnectionOutcome =
  | { outcome: 'authorized'; source: OutcomeSource }
  | { outcome: 'failed'; source: OutcomeSource; failureReason?: string | undefined }
  | { outcome: 'pending'; source: OutcomeSource }
  | { outcome: 'not_authorized'; source: OutcomeSource };

/** Which call told: the undocumented connection read, or the documented data endpoints. */
export type OutcomeSource = 'data_connection' | 'connected_accounts' | 'user_info';

/**
 * `GET /v3/data-connections/{id}`: undocumented (docs/conformance.md), so read for
 * what it may say and nothing more. The status is kept open; `authorized` and
 * `failed` are acted on, anything else is still pending.
 */
const dataConnectionStateSchema = z.object({
  id: tolerantText,
  status: tolerantText,
  failure_reason: tolerant(z.string().check(z.trim(), z.maxLength(200))),
});

const accountIdentifierSchema = z.object({
  type: tolerantText,
  sort_code: tolerantText,
  account_number: tolerantText,
  iban: tolerantText,
});

/**
 * `GET /v3/connected-accounts` 200 body (D:get-all-user-accounts), read
 * tolerantly: each item's `id` is needed to name the account; everything else
 * may be absent, `null` or empty. `account_identifiers` is read as a list of
 * typed sets (a sort code and account number, an IBAN) or as a single one:
 * the page calls it an object that can hold several sets.
 */
export const connectedAccountsAnswerSchema = z.object({
  items: z.pipe(
    z.transform((value) => absentIfEmpty(value) ?? []),
    z.array(
      z.object({
        id: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)),
        account_type: tolerantText,
        customer_segment: tolerantText,
        currency: tolerantText,
        account_identifiers: tolerant(z.union([z.array(accountIdentifierSchema), accountIdentifierSchema])),
        bic: tolerantText,
        account_holder_names: tolerant(z.array(z.pipe(z.transform(absentIfEmpty), z.optional(z.string())))),
      }),
    ),
  ),
});
export type ConnectedAccountItem = z.infer<typeof connectedAccountsAnswerSchema>['items'][number];

/** An account's first sort code, account number or IBAN across its identifier sets (one set or a list). */
export function identifierOf(
  item: ConnectedAccountItem,
  field: 'sort_code' | 'account_number' | 'iban',
): string | undefined {
  return [item.account_identifiers ?? []]
    .flat()
    .map((set) => set[field])
    .find((value) => value !== undefined);
}

/** `GET /v3/data-connections/{id}/user-info`: the name the bank holds, when it shares one. */
const userInfoAnswerSchema = z.object({ name: tolerantText });

export interface CreateOptions {
  /** Sent as `Idempotency-Key`: TrueLayer answers a retry with the same connection. */
  idempotencyKey: string;
  /** The end user's IP address, sent as `Tl-User-IP` (marks the user as present). */
  endUserIp?: string;
}

export interface DataConnectionsClient {
  create(body: unknown, options: CreateOptions): Promise<CreatedDataConnection>;
  /**
   * How the connection stands, through the calls that can tell: the
   * connection read when TrueLayer offers it, else `GET /v3/connected-accounts`
   * or user info with `Connection-Id` (both documented).
   */
  outcome(connection: { connectionId: string; scopes: readonly DataScope[] }): Promise<ConnectionOutcome>;
  /**
   * `GET /v3/connected-accounts` with `Connection-Id`: the accounts of an
   * authorised connection, or `not_authorized` when TrueLayer no longer grants
   * access to them (400 `Invalid State`, 403, 404).
   */
  connectedAccounts(
    connectionId: string,
    options?: { endUserIp?: string | undefined },
  ): Promise<{ accounts: ConnectedAccountItem[] } | 'not_authorized'>;
  /**
   * The account holder's name as the bank holds it. TrueLayer answers it only
   * within 5 minutes of the user authenticating (403 after): `window_passed`.
   */
  userInfo(
    connectionId: string,
    options?: { endUserIp?: string | undefined },
  ): Promise<{ name?: string | undefined } | 'not_authorized' | 'window_passed'>;
}

/** Statuses with which an endpoint says "there is no such endpoint here", as opposed to a refusal. */
const ABSENT_ENDPOINT = new Set([404, 405, 501]);

/**
 * Whether a documented data endpoint refused because the connection is not
 * (or no longer) authorised: 400 `Invalid State`, 403 `Forbidden`, or 404 for
 * a connection it does not know as authorised (D:data-v3-errors).
 */
function saysNotAuthorized(response: TrueLayerResponse): boolean {
  if (response.status === 403 || response.status === 404) return true;
  return (
    response.status === 400 &&
    refusalError(response, { operation: '', audience: 'client' }) instanceof TrueLayerReconnectRequiredError
  );
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

  const withToken = (call: (token: string) => Promise<TrueLayerResponse>) =>
    withClientToken(deps.token, call);

  const get = (path: string, operation: string, headers: Record<string, string> = {}) =>
    withToken((token) =>
      sendToTrueLayer(
        `${endpoints.apiBaseUrl}${path}`,
        {
          method: 'GET',
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...headers },
        },
        { timeoutMs: endpoints.timeoutMs, operation },
      ),
    );

  /** The undocumented read; `undefined` when TrueLayer has no such endpoint. */
  async function readConnection(connectionId: string): Promise<ConnectionOutcome | undefined> {
    const operation = 'get data connection';
    const response = await get(`/v3/data-connections/${encodeURIComponent(connectionId)}`, operation);
    if (ABSENT_ENDPOINT.has(response.status)) return undefined;
    if (response.status !== 200) throw refusalError(response, { operation, audience: 'client' });
    const parsed = dataConnectionStateSchema.safeParse(response.body);
    if (!parsed.success || (parsed.data.id !== undefined && parsed.data.id !== connectionId)) {
      throw new TrueLayerContractError(`${operation}: the answer is not this connection`, {
        truelayer: { status: response.status, ...response.support },
      });
    }
    const status = parsed.data.status?.toLowerCase();
    const source = 'data_connection';
    if (status === 'authorized') return { outcome: 'authorized', source };
    if (status === 'failed') return { outcome: 'failed', source, failureReason: parsed.data.failure_reason };
    // No status, or a status the product does not know: no outcome yet; the documented calls may tell.
    if (status === undefined) return undefined;
    return { outcome: 'pending', source };
  }

  /** `GET /v3/connected-accounts` or user info with `Connection-Id`: answered only for an authorised connection. */
  async function readData(connectionId: string, scopes: readonly DataScope[]): Promise<ConnectionOutcome> {
    const accountsScoped = scopes.some((scope) => scope !== 'info');
    const source: OutcomeSource = accountsScoped ? 'connected_accounts' : 'user_info';
    const operation = accountsScoped ? 'list connected accounts' : 'get user info';
    const path = accountsScoped
      ? '/v3/connected-accounts'
      : `/v3/data-connections/${encodeURIComponent(connectionId)}/user-info`;
    const response = await get(path, operation, { 'connection-id': connectionId });
    if (response.status >= 200 && response.status <= 299) return { outcome: 'authorized', source };
    if (saysNotAuthorized(response)) return { outcome: 'not_authorized', source };
    throw refusalError(response, { operation, audience: 'client' });
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
      if (response.status < 200 || response.status > 299) {
        throw refusalError(response, { operation, audience: 'client' });
      }
      const parsed = createdDataConnectionSchema.safeParse(response.body);
      if (!parsed.success) {
        throw new TrueLayerContractError(`${operation}: the answer carries no usable connection id`, {
          truelayer: { status: response.status, ...response.support },
        });
      }
      return parsed.data;
    },

    async outcome({ connectionId, scopes }) {
      return (await readConnection(connectionId)) ?? readData(connectionId, scopes);
    },

    async connectedAccounts(connectionId, options = {}) {
      const operation = 'list connected accounts';
      const response = await get('/v3/connected-accounts', operation, {
        'connection-id': connectionId,
        ...(options.endUserIp === undefined ? {} : { 'tl-user-ip': options.endUserIp }),
      });
      if (saysNotAuthorized(response)) return 'not_authorized';
      if (response.status < 200 || response.status > 299) {
        throw refusalError(response, { operation, audience: 'client' });
      }
      const parsed = connectedAccountsAnswerSchema.safeParse(response.body);
      if (!parsed.success) {
        throw new TrueLayerContractError(`${operation}: the answer is not a list of accounts`, {
          truelayer: { status: response.status, ...response.support },
        });
      }
      return { accounts: parsed.data.items };
    },

    async userInfo(connectionId, options = {}) {
      const operation = 'get user info';
      const response = await get(
        `/v3/data-connections/${encodeURIComponent(connectionId)}/user-info`,
        operation,
        {
          ...(options.endUserIp === undefined ? {} : { 'tl-user-ip': options.endUserIp }),
        },
      );
      if (response.status === 403) return 'window_passed';
      if (saysNotAuthorized(response)) return 'not_authorized';
      if (response.status < 200 || response.status > 299) {
        throw refusalError(response, { operation, audience: 'client' });
      }
      const parsed = userInfoAnswerSchema.safeParse(response.body ?? {});
      if (!parsed.success) {
        throw new TrueLayerContractError(`${operation}: the answer is not user info`, {
          truelayer: { status: response.status, ...response.support },
        });
      }
      return { name: parsed.data.name };
    },
  };
}
