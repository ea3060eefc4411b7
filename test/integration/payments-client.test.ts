import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrueLayerEndpoints } from '../../functions/truelayer/config.ts';
import { type HostedResource, paymentsClient } from '../../functions/truelayer/payments-client.ts';
import type { ClientToken } from '../../functions/truelayer/token-cache.ts';

/*
 * The payments client's reading of TrueLayer's statuses, for payments and
 * mandates, against a loopback server that answers each status TrueLayer
 * documents (and one it may add later): what the workflow acts on is decided
 * here, so every status is checked.
 */

/** What the server answers for `GET /v3/{payments|mandates}/{id}`: the id names the status. */
const answers = new Map<string, Record<string, unknown>>();
const asked: Array<{ path: string; authorization: string | undefined }> = [];
let server: Server;
let endpoints: TrueLayerEndpoints;

beforeAll(async () => {
  server = createServer((request, response) => {
    asked.push({ path: request.url ?? '', authorization: request.headers.authorization });
    const id = decodeURIComponent((request.url ?? '').split('/').at(-1) ?? '');
    const body = answers.get(id);
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { title: 'Not Found', status: 404, trace_id: 't-1' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoints = {
    environment: 'sandbox',
    authBaseUrl: base,
    apiBaseUrl: base,
    hppBaseUrl: base,
    webhooksJwksUrl: `${base}/.well-known/jwks`,
    timeoutMs: 2_000,
  };
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const token = (value: string): ClientToken => ({ get: async () => value, invalidate: () => undefined });
const client = () =>
  paymentsClient({
    endpoints,
    tokens: {
      payment: { state: token('payments-token'), signupPlus: token('payments-signupplus-token') },
      mandate: { state: token('mandates-token'), signupPlus: token('mandates-signupplus-token') },
    },
  });

const statusOf = async (resource: HostedResource, body: Record<string, unknown>) => {
  answers.set(resource.id, { id: resource.id, ...body });
  return client().progress(resource);
};

describe('the payments client reads', () => {
  it.each([
    ['authorization_required', { status: 'pending' }],
    ['authorizing', { status: 'pending' }],
    ['authorized', { status: 'authorized' }],
    ['executed', { status: 'executed' }],
    ['settled', { status: 'settled' }],
    ['a_status_added_later', { status: 'pending' }],
  ])('a payment %s as %j', async (status, progress) => {
    expect(await statusOf({ kind: 'payment', id: `pay-${status}` }, { status })).toEqual(progress);
  });

  it.each([
    ['authorization_required', { status: 'pending' }],
    ['authorizing', { status: 'pending' }],
    ['authorized', { status: 'authorized' }],
    ['a_status_added_later', { status: 'pending' }],
  ])('a mandate %s as %j', async (status, progress) => {
    expect(await statusOf({ kind: 'mandate', id: `man-${status}` }, { status })).toEqual(progress);
  });

  it('a failed payment or mandate with TrueLayer’s stage and reason, and a revoked mandate as failed, revoked', async () => {
    const failed = { status: 'failed', failure_stage: 'authorizing', failure_reason: 'authorization_failed' };

    expect(await statusOf({ kind: 'payment', id: 'pay-failed' }, failed)).toEqual({
      status: 'failed',
      failureStage: 'authorizing',
      failureReason: 'authorization_failed',
    });
    expect(await statusOf({ kind: 'mandate', id: 'man-failed' }, failed)).toEqual({
      status: 'failed',
      failureStage: 'authorizing',
      failureReason: 'authorization_failed',
    });
    expect(
      await statusOf(
        { kind: 'mandate', id: 'man-revoked' },
        { status: 'revoked', revocation_source: 'user' },
      ),
    ).toEqual({ status: 'failed', failureStage: undefined, failureReason: 'revoked' });
  });

  it('each resource at its own path, with its own token', async () => {
    asked.length = 0;

    await statusOf({ kind: 'payment', id: 'pay-path' }, { status: 'settled' });
    await statusOf({ kind: 'mandate', id: 'man-path' }, { status: 'authorized' });

    expect(asked).toEqual([
      { path: '/v3/payments/pay-path', authorization: 'Bearer payments-token' },
      { path: '/v3/mandates/man-path', authorization: 'Bearer mandates-token' },
    ]);
  });

  it('refuses an answer about another resource than the one asked for', async () => {
    answers.set('man-other', { id: 'man-someone-else', status: 'authorized' });

    await expect(client().progress({ kind: 'mandate', id: 'man-other' })).rejects.toMatchObject({
      name: 'TrueLayerContractError',
    });
  });
});
