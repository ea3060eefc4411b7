/**
 * The conformance run's look at TrueLayer's asynchronous Signup+ on a
 * connected account (docs/conformance.md): the two endpoints its reference
 * names without a body, a status or an example. The run asks once about the
 * first account of its authorised connection, reads the answer until it is
 * no longer pending, and reports what came back (status codes, keys, status
 * words, where the identity sits) with the simulator switches that play it,
 * and whether the product's own client reads it.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  looksLikeIdentity,
  PENDING,
  signupPlusRequestsClient,
} from '../functions/connections/signup-plus-requests.ts';
import type { DataConnectionsClient } from '../functions/connections/truelayer-client.ts';
import type { TrueLayerEndpoints } from '../functions/truelayer/config.ts';
import { sendToTrueLayer, type TrueLayerResponse } from '../functions/truelayer/http.ts';
import type { ClientToken } from '../functions/truelayer/token-cache.ts';
import type { Redactor } from './conformance-redact.ts';

export interface SignupPlusRequestContext {
  endpoints: TrueLayerEndpoints;
  token: ClientToken;
  connections: Pick<DataConnectionsClient, 'connectedAccounts'>;
  connectionId: string;
  redactor: Redactor;
  steps: Array<{ name: string; ok: boolean; detail: string }>;
  findings: Array<{ point: string; found: string; switch?: string }>;
  switches: string[];
}

/** How many reads the run makes at most, and how far apart: a minute in all. */
const READS = 30;
const READ_INTERVAL_MS = 2_000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const keysOf = (body: unknown) => (isRecord(body) ? `{${Object.keys(body).join(', ')}}` : typeof body);
const statusOf = (body: unknown) =>
  isRecord(body) && typeof body.status === 'string' ? body.status.toLowerCase() : undefined;

/** Where a ready answer carries the identity: under which key, beside the status, or nowhere. */
function identityPlace(body: unknown): 'nested' | 'flat' | 'none' {
  if (!isRecord(body)) return 'none';
  if (Object.values(body).some(looksLikeIdentity)) return 'nested';
  return looksLikeIdentity(body) ? 'flat' : 'none';
}

const described = (error: unknown) => (error instanceof Error ? error.name : 'failed');

export async function signupPlusRequestPart(context: SignupPlusRequestContext): Promise<void> {
  const { endpoints, redactor, steps, findings, switches } = context;
  const name = 'Signup+ request on a connected account';
  const listed = await context.connections.connectedAccounts(context.connectionId).catch(described);
  const account = typeof listed === 'object' ? listed.accounts[0] : undefined;
  if (account === undefined) {
    steps.push({ name, ok: false, detail: `no connected account to ask about (${String(listed)})` });
    return;
  }
  redactor.secret(account.id, 'account-1');
  const base = `${endpoints.apiBaseUrl}/v3/connections/${encodeURIComponent(context.connectionId)}/accounts/${encodeURIComponent(account.id)}/signup-plus/requests`;
  const bearer = await context.token.get();
  const headers = { authorization: `Bearer ${bearer}`, accept: 'application/json' };

  let created: TrueLayerResponse;
  try {
    created = await sendToTrueLayer(
      base,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: '{}',
      },
      { timeoutMs: endpoints.timeoutMs, operation: 'request signup-plus on connected account' },
    );
  } catch (error) {
    steps.push({ name, ok: false, detail: `POST answered ${described(error)}` });
    return;
  }
  findings.push({
    point: 'POST /v3/connections/{id}/accounts/{account_id}/signup-plus/requests',
    found: `${created.status} ${keysOf(created.body)}`,
  });
  const body = isRecord(created.body) ? created.body : {};
  const requestId = [body.id, body.request_id, body.signup_plus_request_id].find(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
  if (created.status < 200 || created.status > 299 || requestId === undefined) {
    steps.push({ name, ok: false, detail: `POST answered ${created.status} naming no request` });
    return;
  }
  redactor.secret(requestId, 'request-1');

  // Read until the answer is no longer pending, as FollowConnection does (a minute at most here).
  const seen: string[] = [];
  let last: TrueLayerResponse | undefined;
  let pendingReads = 0;
  for (let read = 0; read < READS; read++) {
    try {
      last = await sendToTrueLayer(
        `${base}/${encodeURIComponent(requestId)}`,
        { method: 'GET', headers },
        { timeoutMs: endpoints.timeoutMs, operation: 'read signup-plus request' },
      );
    } catch (error) {
      seen.push(described(error));
      break;
    }
    const status = statusOf(last.body);
    seen.push(`${last.status} ${status ?? '(no status)'}`);
    const pending = last.status === 200 && status !== undefined && PENDING.has(status);
    if (!pending) break;
    pendingReads += 1;
    await sleep(READ_INTERVAL_MS);
  }
  const words = seen.join(' → ');
  const alternate = /in_progress|succeeded/.test(words);
  findings.push({
    point: 'the status words of a Signup+ request',
    found: words,
    switch: `signup_plus_request_status_words=${alternate ? 'alternate' : 'plain'}`,
  });
  if (alternate) switches.push('signup_plus_request_status_words=alternate');
  findings.push({
    point: 'reads that answered pending',
    found: String(pendingReads),
    switch: `signup_plus_request_pending_polls=${pendingReads}`,
  });
  if (pendingReads !== 1) switches.push(`signup_plus_request_pending_polls=${pendingReads}`);
  const place = identityPlace(last?.body);
  findings.push({
    point: 'where a ready Signup+ request carries the identity',
    found: place === 'none' ? `no identity (${last?.status ?? '?'} ${keysOf(last?.body)})` : place,
    ...(place === 'none' ? {} : { switch: `signup_plus_request_shape=${place}` }),
  });
  if (place === 'flat') switches.push('signup_plus_request_shape=flat');

  // And whether the product's own client reads that answer.
  const client = signupPlusRequestsClient({ endpoints, token: context.token });
  const reading = await client.read(context.connectionId, account.id, requestId).then(
    (state) => state.status,
    (error: unknown) => described(error),
  );
  steps.push({ name, ok: reading === 'completed', detail: `the product reads it as ${reading}` });
}
