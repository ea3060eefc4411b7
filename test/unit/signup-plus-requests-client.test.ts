import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { signupPlusRequestsClient } from '../../functions/connections/signup-plus-requests.ts';
import {
  SignupPlusNotEligibleError,
  TrueLayerContractError,
  TrueLayerUnavailableError,
} from '../../functions/truelayer/errors.ts';

/*
 * TrueLayer publishes no body for its asynchronous Signup+ requests on a
 * connected account, so the client reads each plausible answer: the id under
 * several names, the identity nested or beside the status, other status
 * words, absent and null alike. What cannot be read is refused, never
 * guessed.
 */

const identity = {
  first_name: 'Jane',
  last_name: 'Smith',
  date_of_birth: '1990-01-01',
  address: { address_line1: '1 High St', city: 'London', zip: 'N1 1AA', country: 'GB' },
  account_details: { sort_code: '04-00-04', account_number: '12345678', provider_id: 'ob-monzo' },
};

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A loopback TrueLayer answering `status` and `body` to every call, recording what it was sent. */
async function trueLayer(status: number, body: unknown, headers: Record<string, string> = {}) {
  const seen: Array<{ method: string; url: string; idempotencyKey: string | undefined }> = [];
  server = createServer((request, response) => {
    seen.push({
      method: request.method ?? '',
      url: request.url ?? '',
      idempotencyKey: request.headers['idempotency-key'] as string | undefined,
    });
    request.resume();
    response
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(body === undefined ? '' : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the server has no port');
  const base = `http://127.0.0.1:${address.port}`;
  const client = signupPlusRequestsClient({
    endpoints: {
      environment: 'sandbox',
      authBaseUrl: base,
      apiBaseUrl: base,
      hppBaseUrl: base,
      webhooksJwksUrl: `${base}/jwks`,
      timeoutMs: 2_000,
    },
    token: { get: async () => 'token-1', invalidate: () => undefined },
  });
  return { client, seen };
}

describe('signupPlusRequestsClient.request', () => {
  it.each([
    ['id', { id: 'req-1', status: 'pending' }],
    ['request_id', { request_id: 'req-1' }],
    ['signup_plus_request_id', { signup_plus_request_id: 'req-1', id: null }],
  ])('reads the request id under %s, posting to the account’s path with the key', async (_name, body) => {
    const { client, seen } = await trueLayer(202, body);

    const id = await client.request('conn-1', 'acc 1', { idempotencyKey: 'key-1' });

    expect(id).toBe('req-1');
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/v3/connections/conn-1/accounts/acc%201/signup-plus/requests',
        idempotencyKey: 'key-1',
      },
    ]);
  });

  it('refuses an answer that names no request', async () => {
    const { client } = await trueLayer(202, { status: 'pending' });

    await expect(client.request('conn-1', 'acc-1', { idempotencyKey: 'k' })).rejects.toBeInstanceOf(
      TrueLayerContractError,
    );
  });

  it('leaves a 503 to be retried', async () => {
    const { client } = await trueLayer(503, { title: 'Service Unavailable' });

    await expect(client.request('conn-1', 'acc-1', { idempotencyKey: 'k' })).rejects.toBeInstanceOf(
      TrueLayerUnavailableError,
    );
  });
});

describe('signupPlusRequestsClient.read', () => {
  it.each([
    ['nested under user_data', { id: 'req-1', status: 'completed', user_data: identity }],
    ['nested under data', { status: 'succeeded', data: identity }],
    ['beside the status', { id: 'req-1', status: 'COMPLETED', ...identity }],
    ['without a status', { ...identity }],
    ['with absent fields as null', { status: 'done', user_data: { ...identity, title: null } }],
  ])('reads a completed request’s identity %s', async (_how, body) => {
    const { client } = await trueLayer(200, body);

    const state = await client.read('conn-1', 'acc-1', 'req-1');

    expect(state).toMatchObject({
      status: 'completed',
      identity: { first_name: 'Jane', last_name: 'Smith' },
    });
  });

  it.each([
    ['pending', { id: 'req-1', status: 'pending' }],
    ['in_progress', { status: 'in_progress' }],
    ['a status it does not know, with no identity', { status: 'thinking' }],
    ['no body', undefined],
  ])('reads %s as still pending', async (_what, body) => {
    const { client } = await trueLayer(200, body);

    expect(await client.read('conn-1', 'acc-1', 'req-1')).toEqual({ status: 'pending' });
  });

  it('reads a failed request, and User data not found as the user’s ineligibility', async () => {
    const failed = await trueLayer(200, { status: 'failed', failure_reason: 'something_else' });
    expect(await failed.client.read('c', 'a', 'r')).toEqual({ status: 'failed', reason: 'something_else' });
    await new Promise<void>((resolve) => server?.close(() => resolve()));

    const notFound = await trueLayer(200, { status: 'failed', failure_reason: 'user_data_not_found' });
    await expect(notFound.client.read('c', 'a', 'r')).rejects.toBeInstanceOf(SignupPlusNotEligibleError);
    await new Promise<void>((resolve) => server?.close(() => resolve()));

    const problem = await trueLayer(
      404,
      {
        type: 'https://docs.truelayer.com/docs/signup-errors#user-data-not-found',
        title: 'User data not found',
      },
      { 'content-type': 'application/problem+json' },
    );
    await expect(problem.client.read('c', 'a', 'r')).rejects.toBeInstanceOf(SignupPlusNotEligibleError);
  });

  it('refuses a completed request that carries no identity', async () => {
    const { client } = await trueLayer(200, { status: 'completed', user_data: { note: 'nothing' } });

    await expect(client.read('c', 'a', 'r')).rejects.toBeInstanceOf(TrueLayerContractError);
  });
});
