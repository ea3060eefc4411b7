import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrueLayerSimulator } from '../truelayer-sim/index.ts';
import {
  CLIENT,
  OTHER_CLIENT,
  problemOf,
  REDIRECT_URI,
  sandboxAuthorize,
  startSim,
} from './fixtures/truelayer-sim/helpers.ts';
import {
  hostedPageLink,
  keyPair,
  type PostOptions,
  signedPoster,
  clientToken as tokenFor,
} from './fixtures/truelayer-sim/payments.ts';
import { signedCreationCases } from './fixtures/truelayer-sim/signed-post-contract.ts';
import {
  expectUkPayer,
  IDENTITY_BANDS,
  PROBLEM_BANDS,
  signupProblemOf,
} from './fixtures/truelayer-sim/signup-plus.ts';

const KID = 'kid-payments-1';
const KEY = keyPair();
const STRANGER_KEY = keyPair();
const STEP_MS = 1000;

let clock = Date.parse('2026-03-01T09:00:00Z');
let sim: TrueLayerSimulator;

beforeAll(async () => {
  sim = await startSim({
    now: () => clock,
    paymentStepMs: STEP_MS,
    clients: [
      { ...CLIENT, signing_keys: [{ kid: KID, public_key_pem: KEY.publicKeyPem }] },
      { ...OTHER_CLIENT, signing_keys: [{ kid: KID, public_key_pem: STRANGER_KEY.publicKeyPem }] },
    ],
  });
});

afterAll(async () => {
  await sim.close();
});

function clientToken(scope = 'payments signupplus', client = CLIENT): Promise<string> {
  return tokenFor(sim, scope, client);
}

function paymentBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount_in_minor: 1000,
    currency: 'GBP',
    payment_method: {
      type: 'bank_transfer',
      provider_selection: { type: 'preselected', provider_id: 'mock-payments-gb-redirect' },
      beneficiary: { type: 'merchant_account', merchant_account_id: 'c5f0a9b4-2b3c-4c39-9c33-4a8f1f0a6a10' },
    },
    user: { name: 'Jo Bloggs', email: 'jo@example.test' },
    related_products: { signup_plus: {} },
    metadata: { order: 'o-1' },
    ...overrides,
  };
}

const post = signedPoster({
  sim: () => sim,
  kid: KID,
  privateKeyPem: KEY.privateKeyPem,
  token: () => clientToken(),
});

/** `POST /v3/payments`, signed with the client's registered key unless told otherwise. */
const postPayment = (body: unknown, options: PostOptions = {}) => post('/v3/payments', body, options);

interface Created {
  id: string;
  user: { id: string };
  resource_token: string;
  status: string;
}

async function createPayment(overrides: Record<string, unknown> = {}): Promise<Created> {
  const res = await postPayment(paymentBody(overrides));
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Created;
}

function hppLink(payment: Created, returnUri = REDIRECT_URI): string {
  return hostedPageLink(sim, 'payment_id', payment, returnUri);
}

async function approve(payment: Created, user: string, decision = 'approve'): Promise<string> {
  const res = await sandboxAuthorize(sim, { auth_link: hppLink(payment), user, decision });
  if (res.status !== 200) throw new Error(`authorize failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { redirect_to: string }).redirect_to;
}

async function getPayment(id: string, token?: string): Promise<Response> {
  return fetch(`${sim.apiUrl}/v3/payments/${id}`, {
    headers: { authorization: `Bearer ${token ?? (await clientToken())}` },
  });
}

async function statusOf(id: string): Promise<Record<string, unknown>> {
  return (await (await getPayment(id)).json()) as Record<string, unknown>;
}

async function signupPlus(paymentId: string | undefined, token?: string): Promise<Response> {
  const url = new URL(`${sim.apiUrl}/signup-plus/payments`);
  if (paymentId !== undefined) url.searchParams.set('payment_id', paymentId);
  return fetch(url, { headers: { authorization: `Bearer ${token ?? (await clientToken())}` } });
}

/** A payment approved as test_executed and settled on the simulator's clock. */
async function settledPayment(overrides: Record<string, unknown> = {}): Promise<Created> {
  const payment = await createPayment(overrides);
  await approve(payment, 'test_executed');
  clock += 2 * STEP_MS;
  return payment;
}

signedCreationCases('/v3/payments', {
  post: postPayment,
  body: () => paymentBody(),
  otherBody: () => paymentBody({ amount_in_minor: 1001 }),
  strangerKeyPem: STRANGER_KEY.privateKeyPem,
});

describe('POST /v3/payments: whose key and which scope', () => {
  it('checks the key of the client the token belongs to, not any client with that kid', async () => {
    // Prepare: the other client registered STRANGER_KEY under the same kid.
    const token = await clientToken('payments', OTHER_CLIENT);

    // Act
    const res = await postPayment(paymentBody(), { token, signWith: KEY.privateKeyPem });

    // Assess
    await problemOf(res, 401);
  });

  it('needs a token with the payments scope', async () => {
    // Prepare
    const token = await clientToken('signupplus');

    // Act
    const res = await postPayment(paymentBody(), { token });

    // Assess
    await problemOf(res, 403);
  });
});

describe('POST /v3/payments: validation', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['an amount over the sandbox cap', { amount_in_minor: 5_000_001 }, 'amount_in_minor'],
    ['a zero amount', { amount_in_minor: 0 }, 'amount_in_minor'],
    ['an unsupported currency', { currency: 'USD' }, 'currency'],
    ['a user with neither email nor phone', { user: { name: 'Jo' } }, 'user.email'],
    [
      'an external account beneficiary (Signup+ needs a merchant account)',
      {
        payment_method: {
          type: 'bank_transfer',
          provider_selection: { type: 'user_selected' },
          beneficiary: { type: 'external_account', account_holder_name: 'X' },
        },
      },
      'payment_method.beneficiary.type',
    ],
    [
      'a GBP payment at the Finnish mock bank',
      {
        payment_method: {
          type: 'bank_transfer',
          provider_selection: { type: 'preselected', provider_id: 'mock-payments-fi-redirect' },
          beneficiary: { type: 'merchant_account', merchant_account_id: 'm-1' },
        },
      },
      'payment_method.provider_selection.provider_id',
    ],
  ];

  it.each(cases)('refuses %s with 400 Invalid Parameters', async (_name, overrides, field) => {
    // Act
    const res = await postPayment(paymentBody(overrides));

    // Assess
    const problem = await problemOf(res, 400);
    expect(problem.title).toBe('Invalid Parameters');
    expect(problem.errors).toHaveProperty([field]);
  });

  it('takes the largest sandbox amount and fields it does not play', async () => {
    // Act
    const res = await postPayment(paymentBody({ amount_in_minor: 5_000_000, retry: {}, sub_merchants: {} }));

    // Assess
    expect(res.status).toBe(201);
  });
});

describe('hosted payment page and the approval hook', () => {
  it('sends test_executed back to the return URI with the payment_id', async () => {
    // Prepare
    const payment = await createPayment();

    // Act
    const redirectTo = new URL(await approve(payment, 'test_executed'));

    // Assess
    expect(`${redirectTo.origin}${redirectTo.pathname}`).toBe(REDIRECT_URI);
    expect(redirectTo.searchParams.get('payment_id')).toBe(payment.id);
    expect(redirectTo.searchParams.has('error')).toBe(false);
  });

  it('marks a cancel with error=tl_hpp_abandoned and fails the payment as canceled', async () => {
    // Prepare
    const payment = await createPayment();

    // Act
    const redirectTo = new URL(await approve(payment, 'test_executed', 'deny'));

    // Assess
    expect(redirectTo.searchParams.get('error')).toBe('tl_hpp_abandoned');
    expect(await statusOf(payment.id)).toMatchObject({
      status: 'failed',
      failure_stage: 'authorizing',
      failure_reason: 'canceled',
    });
  });

  it('spends the link: a second approval is refused', async () => {
    // Prepare
    const payment = await createPayment();
    await approve(payment, 'test_executed');

    // Act
    const res = await sandboxAuthorize(sim, {
      auth_link: hppLink(payment),
      user: 'test_executed',
      decision: 'approve',
    });

    // Assess
    await problemOf(res, 400);
  });

  it.each([
    ['a wrong resource_token', (p: Created) => hppLink({ ...p, resource_token: 'forged' })],
    ['an unregistered return_uri', (p: Created) => hppLink(p, 'https://evil.example/cb')],
  ])('refuses a link with %s and leaves the payment untouched', async (_name, linkOf) => {
    // Prepare
    const payment = await createPayment();

    // Act
    const res = await sandboxAuthorize(sim, {
      auth_link: linkOf(payment),
      user: 'test_executed',
      decision: 'approve',
    });

    // Assess
    await problemOf(res, 400);
    expect((await statusOf(payment.id)).status).toBe('authorization_required');
  });

  it('refuses a user who is not a mock payment user', async () => {
    // Prepare
    const payment = await createPayment();

    // Act
    const res = await sandboxAuthorize(sim, {
      auth_link: hppLink(payment),
      user: 'john',
      decision: 'approve',
    });

    // Assess
    expect((await problemOf(res, 400)).errors).toHaveProperty('user');
  });

  it('serves the page, which moves the payment to authorizing, and its form pays', async () => {
    // Prepare
    const payment = await createPayment();

    // Act
    const pageRes = await fetch(hppLink(payment));
    const form = new URLSearchParams({
      payment_id: payment.id,
      resource_token: payment.resource_token,
      return_uri: REDIRECT_URI,
      username: 'test_executed',
      decision: 'approve',
    });
    const posted = await fetch(sim.hppUrl, { method: 'POST', body: form, redirect: 'manual' });

    // Assess
    expect(pageRes.status).toBe(200);
    expect(await pageRes.text()).toContain('test_execution_rejected');
    expect(posted.status).toBe(302);
    expect(new URL(posted.headers.get('location') ?? '').searchParams.get('payment_id')).toBe(payment.id);
  });

  it('reads a legacy HPP link with its parameters after #', async () => {
    // Prepare
    const payment = await createPayment();
    const link = hppLink(payment).replace('?', '#');

    // Act
    const res = await sandboxAuthorize(sim, { auth_link: link, user: 'test_executed', decision: 'approve' });

    // Assess
    expect(res.status).toBe(200);
  });
});

describe('GET /v3/payments/{id}: statuses on the simulator clock', () => {
  it('goes authorization_required → authorizing → authorized → executed → settled for test_executed', async () => {
    // Prepare
    const payment = await createPayment();
    const seen: unknown[] = [(await statusOf(payment.id)).status];

    // Act
    await fetch(hppLink(payment));
    seen.push((await statusOf(payment.id)).status);
    await approve(payment, 'test_executed');
    seen.push((await statusOf(payment.id)).status);
    clock += STEP_MS;
    seen.push((await statusOf(payment.id)).status);
    clock += STEP_MS;
    const settled = await statusOf(payment.id);

    // Assess
    expect([...seen, settled.status]).toEqual([
      'authorization_required',
      'authorizing',
      'authorized',
      'executed',
      'settled',
    ]);
    expect(settled).toMatchObject({
      id: payment.id,
      amount_in_minor: 1000,
      currency: 'GBP',
      user: { id: payment.user.id },
      metadata: { order: 'o-1' },
      executed_at: expect.any(String),
      settled_at: expect.any(String),
      payment_source: {
        account_holder_name: 'Tommie Burke',
        account_identifiers: expect.arrayContaining([
          { type: 'sort_code_account_number', sort_code: '040004', account_number: '11112222' },
        ]),
      },
    });
  });

  it('fails at authorizing with authorization_failed for test_authorisation_failed', async () => {
    // Prepare
    const payment = await createPayment();

    // Act
    await approve(payment, 'test_authorisation_failed');

    // Assess
    expect(await statusOf(payment.id)).toMatchObject({
      status: 'failed',
      failure_stage: 'authorizing',
      failure_reason: 'authorization_failed',
      failed_at: expect.any(String),
    });
  });

  it('is authorized, then fails with rejected, for test_execution_rejected', async () => {
    // Prepare
    const payment = await createPayment();

    // Act
    await approve(payment, 'test_execution_rejected');
    const first = (await statusOf(payment.id)).status;
    clock += STEP_MS;
    const later = await statusOf(payment.id);

    // Assess
    expect(first).toBe('authorized');
    expect(later).toMatchObject({
      status: 'failed',
      failure_stage: 'authorized',
      failure_reason: 'rejected',
    });
  });

  it("answers 404 for another client's payment", async () => {
    // Prepare
    const payment = await createPayment();
    const token = await clientToken('payments', OTHER_CLIENT);

    // Act
    const res = await getPayment(payment.id, token);

    // Assess
    await problemOf(res, 404);
  });
});

describe('GET /signup-plus/payments', () => {
  it.each(IDENTITY_BANDS)(
    'answers a settled payment of %i with %s %s and the payer account',
    async (amount, first, last) => {
      // Prepare
      const payment = await settledPayment({ amount_in_minor: amount });

      // Act
      const res = await signupPlus(payment.id);

      // Assess
      await expectUkPayer(res, first, last);
    },
  );

  it('answers a settled EUR payment only once its payer identified (Signup+ in Finland)', async () => {
    // Prepare
    const payment = await settledPayment({
      currency: 'EUR',
      payment_method: {
        type: 'bank_transfer',
        provider_selection: { type: 'user_selected' },
        beneficiary: { type: 'merchant_account', merchant_account_id: 'm-eur' },
      },
    });

    // Act
    const res = await signupPlus(payment.id);

    // Assess: the identification and the Finnish identity are local/test/truelayer-sim-finland.test.ts's.
    await signupProblemOf(res, 422, 'User Data Not Found');
  });

  it.each(PROBLEM_BANDS)('answers a settled payment of %i with 422 %s', async (amount, title) => {
    // Prepare
    const payment = await settledPayment({ amount_in_minor: amount });

    // Act
    const res = await signupPlus(payment.id);

    // Assess
    await signupProblemOf(res, 422, title);
  });

  it('answers 404 Payment Not Found for an unknown payment_id', async () => {
    // Act
    const res = await signupPlus(randomUUID());

    // Assess
    await signupProblemOf(res, 404, 'Payment Not Found');
  });

  it.each([
    ['still awaiting authorisation', async () => createPayment()],
    [
      'failed',
      async () => {
        const payment = await createPayment();
        await approve(payment, 'test_authorisation_failed');
        return payment;
      },
    ],
    [
      'executed but not yet settled',
      async () => {
        const payment = await createPayment();
        await approve(payment, 'test_executed');
        clock += STEP_MS;
        return payment;
      },
    ],
  ])('answers 422 Failed Payment for a payment %s', async (_name, make) => {
    // Prepare
    const payment = await make();

    // Act
    const res = await signupPlus(payment.id);

    // Assess
    await signupProblemOf(res, 422, 'Failed Payment');
  });

  it('needs both the payments and the signupplus scope', async () => {
    // Prepare
    const payment = await settledPayment();
    const paymentsOnly = await clientToken('payments');

    // Act
    const res = await signupPlus(payment.id, paymentsOnly);

    // Assess
    expect((await problemOf(res, 403)).type).toBe('https://docs.truelayer.com/docs/signup-errors#forbidden');
  });

  it('refuses a request without payment_id: 400 Invalid Parameters', async () => {
    // Act
    const problem = await problemOf(await signupPlus(undefined), 400);

    // Assess
    expect(problem.errors).toHaveProperty('payment_id');
  });
});
