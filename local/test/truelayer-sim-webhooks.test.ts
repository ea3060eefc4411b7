import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sign } from 'truelayer-signing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TrueLayerSimulator } from '../truelayer-sim/index.ts';
import {
  CLIENT,
  OTHER_CLIENT,
  sandboxAuthorize,
  startSim,
  tokenRequest,
} from './fixtures/truelayer-sim/helpers.ts';
import { keyPair } from './fixtures/truelayer-sim/payments.ts';
import {
  type Received,
  Receiver,
  types,
  verifyHook as verifyHookOf,
} from './fixtures/truelayer-sim/webhooks.ts';

const KID = 'kid-webhooks-1';
const KEY = keyPair();
const STEP_MS = 1000;
const HOOK_PATH = '/hooks/truelayer';
const OTHER_HOOK_PATH = '/other/hooks';

/** A client with signing keys and no webhook URI. */
const SILENT_CLIENT = {
  client_id: 'sandbox-app-silent',
  client_secret: 'sandbox-secret-silent',
  redirect_uris: ['http://localhost:5000/callback'],
};

/** A client whose webhook URI refuses connections (set up once a free port is known). */
const UNREACHABLE_CLIENT = {
  client_id: 'sandbox-app-unreachable',
  client_secret: 'sandbox-secret-unreachable',
  redirect_uris: ['http://localhost:6000/callback'],
};

/**
 * A loopback port whose every connection is cut before a byte of answer: a network error each time.
 * Kept listening for the whole file (a port closed instead could be bound again by another test file
 * running alongside, which then answers).
 */
const refusing = createServer();
refusing.on('connection', (socket) => socket.destroy());
async function refusingPort(): Promise<number> {
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  return (refusing.address() as AddressInfo).port;
}

type Client = { client_id: string; client_secret: string; redirect_uris: string[] };

const receiver = new Receiver();
let clock = Date.parse('2026-03-01T09:00:00Z');
let sim: TrueLayerSimulator;

beforeAll(async () => {
  await receiver.start();
  const signing_keys = [{ kid: KID, public_key_pem: KEY.publicKeyPem }];
  sim = await startSim({
    now: () => clock,
    paymentStepMs: STEP_MS,
    clients: [
      // The query is the allow-listing parameter TrueLayer suggests; the signature covers the path only.
      { ...CLIENT, signing_keys, webhook_uri: `${receiver.url}${HOOK_PATH}?unique_param=x` },
      {
        ...OTHER_CLIENT,
        signing_keys,
        webhook_uri: `${receiver.url}${OTHER_HOOK_PATH}`,
        webhook_payment_authorized: true,
      },
      { ...SILENT_CLIENT, signing_keys },
      {
        ...UNREACHABLE_CLIENT,
        signing_keys,
        webhook_uri: `http://127.0.0.1:${await refusingPort()}/hooks`,
      },
    ],
  });
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
  await new Promise<void>((resolve) => refusing.close(() => resolve()));
});

beforeEach(() => {
  receiver.answer = () => 200;
});

afterEach(async () => {
  sim.webhooks.clearFaults();
  await sim.webhooks.drain();
});

async function clientToken(client: Client): Promise<string> {
  const res = await tokenRequest(sim, {
    grant_type: 'client_credentials',
    client_id: client.client_id,
    client_secret: client.client_secret,
    scope: 'payments',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

interface Created {
  id: string;
  user: { id: string };
  resource_token: string;
}

async function createPayment(client: Client = CLIENT, extra: Record<string, unknown> = {}): Promise<Created> {
  const body = JSON.stringify({
    amount_in_minor: 1000,
    currency: 'GBP',
    payment_method: {
      type: 'bank_transfer',
      provider_selection: { type: 'preselected', provider_id: 'mock-payments-gb-redirect' },
      beneficiary: { type: 'merchant_account', merchant_account_id: 'c5f0a9b4-2b3c-4c39-9c33-4a8f1f0a6a10' },
    },
    user: { name: 'Jo Bloggs', email: 'jo@example.test' },
    metadata: { order: 'o-1' },
    ...extra,
  });
  const key = randomUUID();
  const res = await fetch(`${sim.apiUrl}/v3/payments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await clientToken(client)}`,
      'content-type': 'application/json',
      'idempotency-key': key,
      'tl-signature': sign({
        kid: KID,
        privateKeyPem: KEY.privateKeyPem,
        path: '/v3/payments',
        headers: { 'Idempotency-Key': key },
        body,
      }),
    },
    body,
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Created;
}

/** The user at the hosted page: pays as a mock payment user, or cancels (`deny`). */
async function decide(payment: Created, client: Client, user: string, decision = 'approve'): Promise<void> {
  const link = new URL(sim.hppUrl);
  link.searchParams.set('payment_id', payment.id);
  link.searchParams.set('resource_token', payment.resource_token);
  link.searchParams.set('return_uri', client.redirect_uris[0] ?? '');
  const res = await sandboxAuthorize(sim, {
    auth_link: link.toString(),
    decision,
    ...(decision === 'approve' ? { user } : {}),
  });
  if (res.status !== 200) throw new Error(`authorize failed: ${res.status} ${await res.text()}`);
}

/** A payment of `client` paid as `user`, with the clock moved past every step, and its webhooks delivered. */
async function paidPayment(client: Client = CLIENT, user = 'test_executed'): Promise<Created> {
  const payment = await createPayment(client);
  await decide(payment, client, user);
  clock += 2 * STEP_MS;
  await sim.webhooks.drain();
  return payment;
}

const verifyHook = (hook: Received, body = hook.body) => verifyHookOf(sim, hook, body);

describe('signed webhooks', () => {
  it('sends payment_executed then payment_settled for a settled payment, each verifying against the jku JWKS', async () => {
    // Act
    const payment = await paidPayment();

    // Assess
    const hooks = receiver.of(payment.id);
    expect(types(hooks)).toEqual(['payment_executed', 'payment_settled']);
    for (const hook of hooks) {
      expect(hook.path).toBe(HOOK_PATH);
      expect(hook.headers['content-type']).toBe('application/json');
      expect(hook.headers['x-tl-webhook-timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      await verifyHook(hook);
    }
  });

  it('signs as TrueLayer signing v2: ES512, kid, tl_headers and the jku of the served JWKS', async () => {
    // Prepare
    const payment = await paidPayment();
    const [hook] = receiver.of(payment.id);
    const [encodedHeader, detached, signature] = (hook?.headers['tl-signature'] ?? '').split('.');

    // Act
    const header = JSON.parse(Buffer.from(encodedHeader ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const jwks = (await (await fetch(`${sim.webhooksUrl}/.well-known/jwks`)).json()) as {
      keys: Record<string, unknown>[];
    };

    // Assess
    expect(detached).toBe('');
    expect(Buffer.from(signature ?? '', 'base64url')).toHaveLength(132);
    expect(header).toEqual({
      alg: 'ES512',
      kid: expect.any(String),
      tl_version: '2',
      tl_headers: 'X-Tl-Webhook-Timestamp',
      jku: `${sim.webhooksUrl}/.well-known/jwks`,
    });
    expect(jwks.keys).toEqual([
      {
        kty: 'EC',
        crv: 'P-521',
        x: expect.any(String),
        y: expect.any(String),
        kid: header.kid,
        alg: 'ES512',
        use: 'sig',
      },
    ]);
  });

  it('fails verification of a body changed in transit', async () => {
    // Prepare
    const payment = await paidPayment();
    const [hook] = receiver.of(payment.id);
    if (hook === undefined) throw new Error('no webhook');
    const tampered = hook.body.replace('payment_executed', 'payment_settled');

    // Act / Assess
    await expect(verifyHook(hook, tampered)).rejects.toThrow(/Invalid signature/);
  });

  it('carries the documented fields of payment_executed and payment_settled', async () => {
    // Prepare
    const decidedAt = clock;

    // Act
    const payment = await paidPayment();

    // Assess
    const [executed, settled] = receiver.of(payment.id).map((hook) => hook.json);
    const method = {
      type: 'bank_transfer',
      provider_id: 'mock-payments-gb-redirect',
      scheme_id: 'faster_payments_service',
    };
    expect(executed).toEqual({
      type: 'payment_executed',
      event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event_version: 1,
      payment_id: payment.id,
      metadata: { order: 'o-1' },
      executed_at: new Date(decidedAt + STEP_MS).toISOString(),
      payment_method: method,
    });
    expect(settled).toEqual({
      type: 'payment_settled',
      event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event_version: 1,
      payment_id: payment.id,
      metadata: { order: 'o-1' },
      settled_at: new Date(decidedAt + 2 * STEP_MS).toISOString(),
      payment_method: method,
      payment_source: {
        id: 'acc-pay-gb-11112222',
        account_holder_name: 'Tommie Burke',
        account_identifiers: [
          { type: 'sort_code_account_number', sort_code: '040004', account_number: '11112222' },
          { type: 'iban', iban: 'GB85MOCK04000411112222' },
        ],
      },
      user_id: payment.user.id,
    });
    expect(executed?.event_id).not.toBe(settled?.event_id);
  });

  it('records every attempt in deliveries()', async () => {
    // Act
    const payment = await paidPayment();

    // Assess
    const mine = sim.webhooks.deliveries().filter((delivery) => delivery.payment_id === payment.id);
    expect(mine).toEqual([
      expect.objectContaining({ type: 'payment_executed', attempt: 1, status: 200 }),
      expect.objectContaining({ type: 'payment_settled', attempt: 1, status: 200 }),
    ]);
    expect(mine.map((delivery) => delivery.event_id)).toEqual(
      receiver.of(payment.id).map((hook) => hook.json.event_id),
    );
  });
});

describe('failed payments', () => {
  it('sends payment_failed at authorizing for test_authorisation_failed', async () => {
    // Act
    const payment = await paidPayment(CLIENT, 'test_authorisation_failed');

    // Assess
    const hooks = receiver.of(payment.id);
    expect(types(hooks)).toEqual(['payment_failed']);
    expect(hooks[0]?.json).toMatchObject({
      failure_stage: 'authorizing',
      failure_reason: 'authorization_failed',
    });
    await verifyHook(hooks[0] as Received);
  });

  it('sends payment_failed with failure_reason canceled when the user cancels', async () => {
    // Prepare
    const payment = await createPayment();

    // Act
    await decide(payment, CLIENT, '', 'deny');
    await sim.webhooks.drain();

    // Assess
    const hooks = receiver.of(payment.id);
    expect(types(hooks)).toEqual(['payment_failed']);
    expect(hooks[0]?.json).toMatchObject({
      failure_stage: 'authorizing',
      failure_reason: 'canceled',
      failed_at: expect.any(String),
    });
  });

  it('sends payment_authorized then payment_failed at authorized for test_execution_rejected', async () => {
    // Act
    const payment = await paidPayment(OTHER_CLIENT, 'test_execution_rejected');

    // Assess
    const hooks = receiver.of(payment.id);
    expect(types(hooks)).toEqual(['payment_authorized', 'payment_failed']);
    expect(hooks[1]?.json).toMatchObject({ failure_stage: 'authorized', failure_reason: 'rejected' });
  });
});

describe('payment_authorized', () => {
  it('is sent only to a client that has it enabled, with the payment source', async () => {
    // Act
    const enabled = await paidPayment(OTHER_CLIENT);
    const disabled = await paidPayment(CLIENT);

    // Assess
    const hooks = receiver.of(enabled.id);
    expect(types(hooks)).toEqual(['payment_authorized', 'payment_executed', 'payment_settled']);
    expect(hooks[0]?.path).toBe(OTHER_HOOK_PATH);
    expect(hooks[0]?.json).toMatchObject({
      authorized_at: expect.any(String),
      payment_method: { type: 'bank_transfer', provider_id: 'mock-payments-gb-redirect' },
      payment_source: { account_holder_name: 'Tommie Burke', account_identifiers: expect.any(Array) },
    });
    await verifyHook(hooks[0] as Received);
    expect(types(receiver.of(disabled.id))).not.toContain('payment_authorized');
  });
});

describe('no webhook URI', () => {
  it('sends nothing for a client without webhook_uri', async () => {
    // Act
    const payment = await paidPayment(SILENT_CLIENT);

    // Assess
    expect(receiver.of(payment.id)).toEqual([]);
    expect(sim.webhooks.deliveries().filter((delivery) => delivery.payment_id === payment.id)).toEqual([]);
  });
});

describe('the simulator clock', () => {
  it('sends each webhook when its step falls due on the injected clock, not before', async () => {
    // Prepare
    const payment = await createPayment(OTHER_CLIENT);

    // Act / Assess
    await decide(payment, OTHER_CLIENT, 'test_executed');
    await sim.webhooks.drain();
    expect(types(receiver.of(payment.id))).toEqual(['payment_authorized']);

    clock += STEP_MS - 1;
    await sim.webhooks.drain();
    expect(types(receiver.of(payment.id))).toEqual(['payment_authorized']);

    clock += 1;
    await sim.webhooks.drain();
    expect(types(receiver.of(payment.id))).toEqual(['payment_authorized', 'payment_executed']);
    expect(receiver.of(payment.id)[1]?.headers['x-tl-webhook-timestamp']).toBe(
      new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    );

    clock += STEP_MS;
    await sim.webhooks.drain();
    expect(types(receiver.of(payment.id))).toEqual([
      'payment_authorized',
      'payment_executed',
      'payment_settled',
    ]);
  });

  it('picks due webhooks up by itself on its short poll, without drain()', async () => {
    // Prepare
    const payment = await createPayment();
    await decide(payment, CLIENT, 'test_executed');

    // Act
    clock += 2 * STEP_MS;
    await expect.poll(() => receiver.of(payment.id).length, { timeout: 2000, interval: 10 }).toBe(2);

    // Assess
    expect(types(receiver.of(payment.id))).toEqual(['payment_executed', 'payment_settled']);
  });
});

describe('retries', () => {
  it('retries a webhook answered 500 with the same event_id and a fresh signature', async () => {
    // Prepare
    let refused = 0;
    receiver.answer = (hook) => {
      if (hook.json.type === 'payment_executed' && refused === 0) {
        refused += 1;
        return 500;
      }
      return 200;
    };

    // Act
    const payment = await paidPayment();

    // Assess
    const executed = receiver.of(payment.id).filter((hook) => hook.json.type === 'payment_executed');
    expect(executed).toHaveLength(2);
    expect(executed[0]?.json.event_id).toBe(executed[1]?.json.event_id);
    expect(executed[0]?.body).toBe(executed[1]?.body);
    for (const hook of executed) await verifyHook(hook);
    const attempts = sim.webhooks
      .deliveries()
      .filter((delivery) => delivery.payment_id === payment.id && delivery.type === 'payment_executed');
    expect(attempts.map((delivery) => [delivery.attempt, delivery.status])).toEqual([
      [1, 500],
      [2, 200],
    ]);
  });

  it('gives up after 5 attempts at a receiver that keeps failing', async () => {
    // Prepare
    receiver.answer = () => 503;

    // Act
    const payment = await paidPayment(CLIENT, 'test_authorisation_failed');

    // Assess
    const attempts = sim.webhooks.deliveries().filter((delivery) => delivery.payment_id === payment.id);
    expect(attempts.map((delivery) => delivery.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(receiver.of(payment.id).map((hook) => hook.json.event_id)).size).toBe(1);
  });

  it('records a refused connection as network_error and retries it', async () => {
    // Act
    const payment = await paidPayment(UNREACHABLE_CLIENT, 'test_authorisation_failed');

    // Assess
    const attempts = sim.webhooks.deliveries().filter((delivery) => delivery.payment_id === payment.id);
    expect(attempts.map((delivery) => [delivery.attempt, delivery.status])).toEqual([
      [1, 'network_error'],
      [2, 'network_error'],
      [3, 'network_error'],
      [4, 'network_error'],
      [5, 'network_error'],
    ]);
    expect(new Set(attempts.map((delivery) => delivery.event_id)).size).toBe(1);
  });
});

describe('faults', () => {
  it('duplicate: delivers each webhook twice with the same event_id', async () => {
    // Prepare
    sim.webhooks.setFaults({ duplicate: true });

    // Act
    const payment = await paidPayment();

    // Assess
    const hooks = receiver.of(payment.id);
    expect(types(hooks)).toEqual([
      'payment_executed',
      'payment_executed',
      'payment_settled',
      'payment_settled',
    ]);
    expect(hooks[0]?.json.event_id).toBe(hooks[1]?.json.event_id);
    expect(hooks[2]?.json.event_id).toBe(hooks[3]?.json.event_id);
    expect(hooks[0]?.json.event_id).not.toBe(hooks[2]?.json.event_id);
  });

  it('reorder: a payment’s webhooks due together arrive newest first', async () => {
    // Prepare
    sim.webhooks.setFaults({ reorder: true });

    // Act
    const payment = await paidPayment();

    // Assess
    expect(types(receiver.of(payment.id))).toEqual(['payment_settled', 'payment_executed']);
  });

  it('badSignature: the signature does not verify against the JWKS', async () => {
    // Prepare
    sim.webhooks.setFaults({ badSignature: true });

    // Act
    const payment = await paidPayment();

    // Assess
    const hooks = receiver.of(payment.id);
    expect(hooks).toHaveLength(2);
    for (const hook of hooks) await expect(verifyHook(hook)).rejects.toThrow(/Invalid signature/);
  });

  it('drop: nothing arrives', async () => {
    // Prepare
    sim.webhooks.setFaults({ drop: true });

    // Act
    const payment = await paidPayment();

    // Assess
    expect(receiver.of(payment.id)).toEqual([]);
    expect(sim.webhooks.deliveries().filter((delivery) => delivery.payment_id === payment.id)).toEqual([]);
  });

  it('delayMs: each webhook arrives at least that much real time late', async () => {
    // Prepare
    sim.webhooks.setFaults({ delayMs: 300 });
    const payment = await createPayment();
    const beforeDecision = performance.now();

    // Act
    await decide(payment, CLIENT, 'test_authorisation_failed');
    await sim.webhooks.drain();

    // Assess
    const [hook] = receiver.of(payment.id);
    expect(hook).toBeDefined();
    expect((hook?.at ?? 0) - beforeDecision).toBeGreaterThanOrEqual(300);
  });

  it('times: applies to the next N webhooks only', async () => {
    // Prepare
    sim.webhooks.setFaults({ drop: true, times: 1 });

    // Act
    const payment = await paidPayment();

    // Assess
    expect(types(receiver.of(payment.id))).toEqual(['payment_settled']);
    expect(sim.webhooks.currentFaults()).toBeUndefined();
  });

  it('is settable over HTTP on the auth host, validated, and cleared with DELETE', async () => {
    // Prepare
    const url = `${sim.authUrl}/_sandbox/webhooks/faults`;
    const put = (body: unknown) =>
      fetch(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    // Act
    const bad = await put({ duplicate: 'yes' });
    const good = await put({ duplicate: true, times: 2 });
    const payment = await paidPayment(CLIENT, 'test_authorisation_failed');
    const cleared = await fetch(url, { method: 'DELETE' });

    // Assess
    expect(bad.status).toBe(400);
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ faults: { duplicate: true, times: 2 } });
    expect(types(receiver.of(payment.id))).toEqual(['payment_failed', 'payment_failed']);
    expect(cleared.status).toBe(204);
    expect(sim.webhooks.currentFaults()).toBeUndefined();
  });
});
