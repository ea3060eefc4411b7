import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
  clientToken,
  hostedPageLink,
  keyPair,
  type PostOptions,
  signedPoster,
} from './fixtures/truelayer-sim/payments.ts';
import { signedCreationCases } from './fixtures/truelayer-sim/signed-post-contract.ts';
import {
  expectUkPayer,
  IDENTITY_BANDS,
  PROBLEM_BANDS,
  signupProblemOf,
} from './fixtures/truelayer-sim/signup-plus.ts';
import { type Received, Receiver, types, verifyHook } from './fixtures/truelayer-sim/webhooks.ts';

const KID = 'kid-mandates-1';
const KEY = keyPair();
const STRANGER_KEY = keyPair();
const HOOK_PATH = '/hooks/mandates';
/** The scopes the product asks for: the mandate's and Signup+'s, in one token. */
const SCOPES = 'recurring_payments:sweeping signupplus';

const receiver = new Receiver();
let clock = Date.parse('2026-04-01T09:00:00Z');
let sim: TrueLayerSimulator;

beforeAll(async () => {
  await receiver.start();
  sim = await startSim({
    now: () => clock,
    clients: [
      {
        ...CLIENT,
        signing_keys: [{ kid: KID, public_key_pem: KEY.publicKeyPem }],
        webhook_uri: `${receiver.url}${HOOK_PATH}`,
      },
      { ...OTHER_CLIENT, signing_keys: [{ kid: KID, public_key_pem: STRANGER_KEY.publicKeyPem }] },
    ],
  });
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

afterEach(async () => {
  sim.webhooks.clearFaults();
  await sim.webhooks.drain();
});

function mandateRequest(
  overrides: Record<string, unknown> = {},
  mandate: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    mandate: {
      type: 'sweeping',
      provider_selection: { type: 'preselected', provider_id: 'mock-payments-gb-redirect' },
      beneficiary: { type: 'merchant_account', merchant_account_id: 'c5f0a9b4-2b3c-4c39-9c33-4a8f1f0a6a10' },
      ...mandate,
    },
    currency: 'GBP',
    user: { name: 'Jo Bloggs', email: 'jo@example.test' },
    constraints: {
      maximum_individual_amount: 1000,
      periodic_limits: { month: { maximum_amount: 4000, period_alignment: 'calendar' } },
    },
    related_products: { signup_plus: {} },
    metadata: { order: 'm-1' },
    ...overrides,
  };
}

const constraints = (maximum: number) => ({ constraints: { maximum_individual_amount: maximum } });

/** A signed POST to `path` as CLIENT, with its registered key unless told otherwise. */
const post = signedPoster({
  sim: () => sim,
  kid: KID,
  privateKeyPem: KEY.privateKeyPem,
  token: () => clientToken(sim, SCOPES),
});

const postMandate = (body: unknown, options: PostOptions = {}) => post('/v3/mandates', body, options);
const revoke = (id: string, options: PostOptions = {}) => post(`/v3/mandates/${id}/revoke`, {}, options);

interface Created {
  id: string;
  user: { id: string };
  resource_token: string;
  status: string;
}

async function createMandate(
  overrides: Record<string, unknown> = {},
  mandate: Record<string, unknown> = {},
  token?: string,
): Promise<Created> {
  const res = await postMandate(mandateRequest(overrides, mandate), token === undefined ? {} : { token });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Created;
}

const link = (created: Created, returnUri = REDIRECT_URI) =>
  hostedPageLink(sim, 'mandate_id', created, returnUri);

/** The user at the hosted page through the approval hook: `user` logs in, or `deny` cancels. */
async function decide(created: Created, user: string, decision = 'approve'): Promise<URL> {
  const res = await sandboxAuthorize(sim, { auth_link: link(created), user, decision });
  if (res.status !== 200) throw new Error(`authorize failed: ${res.status} ${await res.text()}`);
  return new URL(((await res.json()) as { redirect_to: string }).redirect_to);
}

async function getMandate(id: string, token?: string): Promise<Response> {
  return fetch(`${sim.apiUrl}/v3/mandates/${id}`, {
    headers: { authorization: `Bearer ${token ?? (await clientToken(sim, SCOPES))}` },
  });
}

async function statusOf(id: string): Promise<Record<string, unknown>> {
  return (await (await getMandate(id)).json()) as Record<string, unknown>;
}

async function signupPlus(mandateId: string | undefined, token?: string): Promise<Response> {
  const url = new URL(`${sim.apiUrl}/signup-plus/mandates`);
  if (mandateId !== undefined) url.searchParams.set('mandate_id', mandateId);
  return fetch(url, { headers: { authorization: `Bearer ${token ?? (await clientToken(sim, SCOPES))}` } });
}

/** A mandate authorised as test_executed, its webhooks delivered. */
async function authorizedMandate(overrides: Record<string, unknown> = {}): Promise<Created> {
  const created = await createMandate(overrides);
  await decide(created, 'test_executed');
  await sim.webhooks.drain();
  return created;
}

signedCreationCases('/v3/mandates', {
  post: postMandate,
  body: () => mandateRequest(),
  otherBody: () => mandateRequest(constraints(1001)),
  strangerKeyPem: STRANGER_KEY.privateKeyPem,
});

describe('POST /v3/mandates: scope', () => {
  it('needs a token with a recurring_payments scope', async () => {
    // Prepare
    const token = await clientToken(sim, 'payments signupplus');

    // Act
    const res = await postMandate(mandateRequest(), { token });

    // Assess
    expect((await problemOf(res, 403)).detail).toContain('recurring_payments:sweeping');
  });

  it('takes the mandate scope among others in one token', async () => {
    // Prepare
    const token = await clientToken(sim, 'payments recurring_payments:sweeping');

    // Act
    const res = await postMandate(mandateRequest(), { token });

    // Assess
    expect(res.status).toBe(201);
  });

  it('creates a commercial mandate only with recurring_payments:commercial', async () => {
    // Prepare
    const commercial = mandateRequest({}, { type: 'commercial' });
    const commercialToken = await clientToken(sim, 'recurring_payments:commercial');

    // Act
    const sweepingOnly = await postMandate(commercial);
    const created = await postMandate(commercial, { token: commercialToken });

    // Assess
    await problemOf(sweepingOnly, 403);
    expect(created.status).toBe(201);
  });
});

describe('POST /v3/mandates: idempotency across requests', () => {
  it('refuses a key spent on another request, even with the same body', async () => {
    // Prepare
    const key = randomUUID();
    const first = await authorizedMandate();
    const second = await authorizedMandate();
    await revoke(first.id, { key });

    // Act
    const res = await revoke(second.id, { key });

    // Assess
    await problemOf(res, 422);
    expect((await statusOf(second.id)).status).toBe('authorized');
  });
});

describe('POST /v3/mandates: validation', () => {
  const limits = (periodic: Record<string, unknown>) => ({
    constraints: { maximum_individual_amount: 1000, periodic_limits: periodic },
  });
  const cases: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
    ['no maximum_individual_amount', { constraints: {} }, {}, 'constraints.maximum_individual_amount'],
    ['a zero maximum_individual_amount', constraints(0), {}, 'constraints.maximum_individual_amount'],
    ['a fractional amount', constraints(10.5), {}, 'constraints.maximum_individual_amount'],
    [
      'an unknown period alignment',
      limits({ month: { maximum_amount: 10, period_alignment: 'lunar' } }),
      {},
      'constraints.periodic_limits.month.period_alignment',
    ],
    [
      'a zero periodic limit',
      limits({ week: { maximum_amount: 0, period_alignment: 'consent' } }),
      {},
      'constraints.periodic_limits.week.maximum_amount',
    ],
    [
      'a valid_to that is not RFC 3339',
      { constraints: { maximum_individual_amount: 1, valid_to: 'next year' } },
      {},
      'constraints.valid_to',
    ],
    [
      'a valid_to before valid_from',
      {
        constraints: {
          maximum_individual_amount: 1,
          valid_from: '2026-05-01T00:00:00Z',
          valid_to: '2026-04-30T00:00:00+01:00',
        },
      },
      {},
      'constraints.valid_to',
    ],
    ['an unknown mandate type', {}, { type: 'recurring' }, 'mandate.type'],
    [
      'an external account without its identifier',
      {},
      { beneficiary: { type: 'external_account', account_holder_name: 'Jo Bloggs' } },
      'mandate.beneficiary.account_identifier',
    ],
    [
      'a GBP mandate at the Finnish mock bank',
      {},
      { provider_selection: { type: 'preselected', provider_id: 'mock-payments-fi-redirect' } },
      'mandate.provider_selection.provider_id',
    ],
    ['an unsupported currency', { currency: 'USD' }, {}, 'currency'],
    ['a user with neither email nor phone', { user: { name: 'Jo' } }, {}, 'user.email'],
  ];

  it.each(cases)('refuses %s with 400 Invalid Parameters', async (_name, overrides, mandate, field) => {
    // Act
    const res = await postMandate(mandateRequest(overrides, mandate));

    // Assess
    const problem = await problemOf(res, 400);
    expect(problem.title).toBe('Invalid Parameters');
    expect(problem.errors).toHaveProperty([field]);
  });

  it('takes an external account beneficiary, every period, validity dates and fields it does not play', async () => {
    // Prepare
    const limit = { maximum_amount: 5000, period_alignment: 'consent' };
    const body = mandateRequest(
      {
        constraints: {
          maximum_individual_amount: 1000,
          valid_from: '2026-04-01T00:00:00Z',
          valid_to: '2027-04-01T00:00:00+01:00',
          periodic_limits: {
            day: limit,
            week: limit,
            fortnight: limit,
            month: limit,
            half_year: limit,
            year: limit,
          },
        },
        user: { id: 'u-1', name: 'Jo Bloggs', phone: '+447700900123' },
        remitter_reference: 'extra',
      },
      {
        provider_selection: { type: 'user_selected', filter: { countries: ['GB'] } },
        beneficiary: {
          type: 'external_account',
          account_holder_name: 'Jo Bloggs',
          account_identifier: {
            type: 'sort_code_account_number',
            sort_code: '040004',
            account_number: '12345678',
          },
        },
        reference: 'savings',
      },
    );

    // Act
    const res = await postMandate(body);

    // Assess
    expect(res.status).toBe(201);
    expect(((await res.json()) as Created).user.id).toBe('u-1');
  });
});

describe('the hosted page and the approval hook', () => {
  it('sends test_executed back to the return URI with the mandate_id, and authorizes the mandate', async () => {
    // Prepare
    const created = await createMandate();
    const decidedAt = clock;

    // Act
    const redirectTo = await decide(created, 'test_executed');

    // Assess
    expect(`${redirectTo.origin}${redirectTo.pathname}`).toBe(REDIRECT_URI);
    expect(redirectTo.searchParams.get('mandate_id')).toBe(created.id);
    expect(redirectTo.searchParams.has('payment_id')).toBe(false);
    expect(redirectTo.searchParams.has('error')).toBe(false);
    expect(await statusOf(created.id)).toMatchObject({
      status: 'authorized',
      authorized_at: new Date(decidedAt).toISOString(),
    });
  });

  it('fails the mandate at authorizing with authorization_failed for test_authorisation_failed', async () => {
    // Prepare
    const created = await createMandate();

    // Act
    const redirectTo = await decide(created, 'test_authorisation_failed');

    // Assess
    expect(redirectTo.searchParams.get('mandate_id')).toBe(created.id);
    const body = await statusOf(created.id);
    expect(body).toMatchObject({
      status: 'failed',
      failure_stage: 'authorizing',
      failure_reason: 'authorization_failed',
      failed_at: new Date(clock).toISOString(),
    });
    expect(body).not.toHaveProperty('authorized_at');
  });

  it('authorizes the mandate for test_execution_rejected, as a mandate executes nothing', async () => {
    // Prepare
    const created = await createMandate();

    // Act
    await decide(created, 'test_execution_rejected');

    // Assess
    expect((await statusOf(created.id)).status).toBe('authorized');
  });

  it('marks a cancel with error=tl_hpp_abandoned and fails the mandate as canceled', async () => {
    // Prepare
    const created = await createMandate();

    // Act
    const redirectTo = await decide(created, 'test_executed', 'deny');

    // Assess
    expect(redirectTo.searchParams.get('error')).toBe('tl_hpp_abandoned');
    expect(redirectTo.searchParams.get('mandate_id')).toBe(created.id);
    expect(await statusOf(created.id)).toMatchObject({
      status: 'failed',
      failure_stage: 'authorizing',
      failure_reason: 'canceled',
    });
  });

  it('serves the page, which moves the mandate to authorizing, and its form authorizes it', async () => {
    // Prepare
    const created = await createMandate(constraints(2500));
    const form = (decision: string) =>
      new URLSearchParams({
        mandate_id: created.id,
        resource_token: created.resource_token,
        return_uri: REDIRECT_URI,
        username: 'test_executed',
        decision,
      });

    // Act
    const pageRes = await fetch(link(created));
    const opened = await statusOf(created.id);
    const posted = await fetch(sim.hppUrl, { method: 'POST', body: form('approve'), redirect: 'manual' });

    // Assess
    expect(pageRes.status).toBe(200);
    const html = await pageRes.text();
    expect(html).toContain('up to 25.00 GBP');
    expect(html).toContain(`name="mandate_id" value="${created.id}"`);
    expect(opened.status).toBe('authorizing');
    expect(posted.status).toBe(302);
    expect(new URL(posted.headers.get('location') ?? '').searchParams.get('mandate_id')).toBe(created.id);
    expect((await statusOf(created.id)).status).toBe('authorized');
  });

  it("cancels from the page's form with error=tl_hpp_abandoned", async () => {
    // Prepare
    const created = await createMandate();
    const form = new URLSearchParams({
      mandate_id: created.id,
      resource_token: created.resource_token,
      return_uri: REDIRECT_URI,
      decision: 'deny',
    });

    // Act
    const posted = await fetch(sim.hppUrl, { method: 'POST', body: form, redirect: 'manual' });

    // Assess
    const location = new URL(posted.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('tl_hpp_abandoned');
    expect((await statusOf(created.id)).failure_reason).toBe('canceled');
  });

  it('reads a legacy HPP link with its parameters after #', async () => {
    // Prepare
    const created = await createMandate();

    // Act
    const res = await sandboxAuthorize(sim, {
      auth_link: link(created).replace('?', '#'),
      user: 'test_executed',
      decision: 'approve',
    });

    // Assess
    expect(res.status).toBe(200);
    expect((await statusOf(created.id)).status).toBe('authorized');
  });

  it.each([
    ['a wrong resource_token', (created: Created) => link({ ...created, resource_token: 'forged' })],
    ['an unregistered return_uri', (created: Created) => link(created, 'https://evil.example/cb')],
    ["a payment's parameter", (created: Created) => hostedPageLink(sim, 'payment_id', created, REDIRECT_URI)],
  ])('refuses a link with %s and leaves the mandate untouched', async (_name, linkOf) => {
    // Prepare
    const created = await createMandate();

    // Act
    const res = await sandboxAuthorize(sim, {
      auth_link: linkOf(created),
      user: 'test_executed',
      decision: 'approve',
    });
    const page = await fetch(linkOf(created));

    // Assess
    await problemOf(res, 400);
    expect(page.status).toBe(400);
    expect((await statusOf(created.id)).status).toBe('authorization_required');
  });

  it('refuses a mandate link without its resource_token, naming what it needs', async () => {
    // Prepare
    const created = await createMandate();
    const incomplete = new URL(link(created));
    incomplete.searchParams.delete('resource_token');

    // Act
    const res = await sandboxAuthorize(sim, {
      auth_link: incomplete.toString(),
      user: 'test_executed',
      decision: 'approve',
    });

    // Assess
    expect((await problemOf(res, 400)).detail).toContain('mandate_id, resource_token and return_uri');
  });

  it('spends the link and refuses users who are not mock payment users', async () => {
    // Prepare
    const spent = await createMandate();
    await decide(spent, 'test_executed');
    const fresh = await createMandate();

    // Act
    const again = await sandboxAuthorize(sim, {
      auth_link: link(spent),
      user: 'test_executed',
      decision: 'approve',
    });
    const john = await sandboxAuthorize(sim, { auth_link: link(fresh), user: 'john', decision: 'approve' });

    // Assess
    expect((await problemOf(again, 400)).detail).toContain('already been used');
    expect((await problemOf(john, 400)).errors).toHaveProperty('user');
  });
});

describe('GET /v3/mandates/{id}', () => {
  it('goes authorization_required → authorizing → authorized and shows what the mandate was created with', async () => {
    // Prepare
    const request = mandateRequest();
    const res = await postMandate(request);
    const created = (await res.json()) as Created;
    const seen: unknown[] = [(await statusOf(created.id)).status];

    // Act
    await fetch(link(created));
    seen.push((await statusOf(created.id)).status);
    await decide(created, 'test_executed');
    const authorized = await statusOf(created.id);

    // Assess
    expect([...seen, authorized.status]).toEqual(['authorization_required', 'authorizing', 'authorized']);
    expect(authorized).toEqual({
      id: created.id,
      status: 'authorized',
      currency: 'GBP',
      beneficiary: (request.mandate as Record<string, unknown>).beneficiary,
      provider_selection: { type: 'preselected', provider_id: 'mock-payments-gb-redirect' },
      user: { id: created.user.id },
      created_at: new Date(clock).toISOString(),
      constraints: request.constraints,
      metadata: { order: 'm-1' },
      related_products: { signup_plus: {} },
      authorized_at: new Date(clock).toISOString(),
    });
  });

  it.each([
    [
      'another client’s mandate',
      async () => (await createMandate()).id,
      () => clientToken(sim, SCOPES, OTHER_CLIENT),
    ],
    ['an unknown mandate', async () => randomUUID(), () => clientToken(sim, SCOPES)],
  ])('answers 404 for %s', async (_name, idOf, tokenOf) => {
    // Act
    const res = await getMandate(await idOf(), await tokenOf());

    // Assess
    await problemOf(res, 404);
  });

  it('needs a recurring_payments scope', async () => {
    // Prepare
    const created = await createMandate();

    // Act
    const res = await getMandate(created.id, await clientToken(sim, 'payments'));

    // Assess
    await problemOf(res, 403);
  });
});

describe('POST /v3/mandates/{id}/revoke', () => {
  it('revokes an authorized mandate: 204, then revoked by the client', async () => {
    // Prepare
    const created = await authorizedMandate();
    const authorizedAt = (await statusOf(created.id)).authorized_at;
    clock += 60_000;

    // Act
    const res = await revoke(created.id);

    // Assess
    expect(res.status).toBe(204);
    expect(await statusOf(created.id)).toMatchObject({
      status: 'revoked',
      authorized_at: authorizedAt,
      revoked_at: new Date(clock).toISOString(),
      revocation_source: 'client',
    });
  });

  it('answers a retry with the same key as the first time', async () => {
    // Prepare
    const created = await authorizedMandate();
    const key = randomUUID();
    await revoke(created.id, { key });

    // Act
    const again = await revoke(created.id, { key });

    // Assess
    expect(again.status).toBe(204);
  });

  it.each([
    ['not yet authorised', async () => createMandate()],
    [
      'failed',
      async () => {
        const created = await createMandate();
        await decide(created, 'test_authorisation_failed');
        return created;
      },
    ],
  ])('refuses a mandate %s: 400 Invalid State', async (_name, make) => {
    // Prepare
    const created = await make();

    // Act
    const res = await revoke(created.id);

    // Assess
    expect((await problemOf(res, 400)).title).toBe('Invalid State');
  });

  it('is signed like the creation, and another client’s mandate is unknown', async () => {
    // Prepare
    const created = await authorizedMandate();
    const otherToken = await clientToken(sim, SCOPES, OTHER_CLIENT);

    // Act
    const unsigned = await revoke(created.id, { signWith: null });
    const stranger = await revoke(created.id, { token: otherToken, signWith: STRANGER_KEY.privateKeyPem });

    // Assess
    await problemOf(unsigned, 401);
    await problemOf(stranger, 404);
    expect((await statusOf(created.id)).status).toBe('authorized');
  });
});

describe('GET /signup-plus/mandates', () => {
  it.each(IDENTITY_BANDS)(
    'answers an authorized mandate of at most %i a payment with %s %s and the account',
    async (maximum, first, last) => {
      // Prepare
      const created = await authorizedMandate(constraints(maximum));

      // Act
      const res = await signupPlus(created.id);

      // Assess
      await expectUkPayer(res, first, last);
    },
  );

  it.each(PROBLEM_BANDS)(
    'answers an authorized mandate of at most %i a payment with 422 %s',
    async (maximum, title) => {
      // Prepare
      const created = await authorizedMandate(constraints(maximum));

      // Act
      const res = await signupPlus(created.id);

      // Assess
      await signupProblemOf(res, 422, title);
    },
  );

  it.each([
    ['an unknown mandate_id', async () => randomUUID()],
    ['another client’s mandate', async () => (await authorizedMandate()).id],
  ])('answers 404 Mandate Not Found to the other client for %s', async (_name, idOf) => {
    // Prepare
    const id = await idOf();
    const otherToken = await clientToken(sim, SCOPES, OTHER_CLIENT);

    // Act
    const res = await signupPlus(id, otherToken);

    // Assess
    await signupProblemOf(res, 404, 'Mandate Not Found');
  });

  it.each([
    ['awaiting authorisation', async () => createMandate()],
    [
      'failed',
      async () => {
        const created = await createMandate();
        await decide(created, 'test_executed', 'deny');
        return created;
      },
    ],
    [
      'revoked',
      async () => {
        const created = await authorizedMandate();
        await revoke(created.id);
        return created;
      },
    ],
  ])('answers 400 Invalid State for a mandate %s', async (_name, make) => {
    // Prepare
    const created = await make();

    // Act
    const res = await signupPlus(created.id);

    // Assess
    await signupProblemOf(res, 400, 'Invalid State');
  });

  it('refuses a commercial mandate: 400 Invalid Parameters, Signup+ needs sweeping', async () => {
    // Prepare
    const created = await createMandate(
      {},
      { type: 'commercial' },
      await clientToken(sim, 'recurring_payments:commercial'),
    );
    await decide(created, 'test_executed');

    // Act
    const problem = await signupProblemOf(await signupPlus(created.id), 400, 'Invalid Parameters');

    // Assess
    expect(problem.detail).toContain('sweeping');
  });

  it('needs the signupplus scope, and only it', async () => {
    // Prepare
    const created = await authorizedMandate();

    // Act
    const mandateOnly = await signupPlus(created.id, await clientToken(sim, 'recurring_payments:sweeping'));
    const signupOnly = await signupPlus(created.id, await clientToken(sim, 'signupplus'));

    // Assess
    expect((await problemOf(mandateOnly, 403)).type).toBe(
      'https://docs.truelayer.com/docs/signup-errors#forbidden',
    );
    expect(signupOnly.status).toBe(200);
  });

  it('refuses a request without mandate_id: 400 Invalid Parameters', async () => {
    // Act
    const problem = await problemOf(await signupPlus(undefined), 400);

    // Assess
    expect(problem.errors).toHaveProperty('mandate_id');
  });
});

describe('mandate webhooks', () => {
  it('sends mandate_authorized, signed, verifying against the jku JWKS, with the documented fields', async () => {
    // Prepare
    const decidedAt = clock;

    // Act
    const created = await authorizedMandate();

    // Assess
    const hooks = receiver.of(created.id);
    expect(types(hooks)).toEqual(['mandate_authorized']);
    const [hook] = hooks as [Received];
    expect(hook.path).toBe(HOOK_PATH);
    expect(hook.headers['x-tl-webhook-timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await verifyHook(sim, hook);
    expect(hook.json).toEqual({
      type: 'mandate_authorized',
      event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event_version: 1,
      mandate_id: created.id,
      metadata: { order: 'm-1' },
      authorized_at: new Date(decidedAt).toISOString(),
    });
  });

  it.each([
    ['test_authorisation_failed', 'approve', 'authorization_failed'],
    ['test_executed', 'deny', 'canceled'],
  ])('sends mandate_failed for %s (%s) with stage and reason', async (user, decision, reason) => {
    // Prepare
    const created = await createMandate();

    // Act
    await decide(created, user, decision);
    await sim.webhooks.drain();

    // Assess
    const [hook, ...more] = receiver.of(created.id);
    expect(more).toEqual([]);
    expect(hook?.json).toEqual({
      type: 'mandate_failed',
      event_id: expect.any(String),
      event_version: 1,
      mandate_id: created.id,
      metadata: { order: 'm-1' },
      failed_at: new Date(clock).toISOString(),
      failure_stage: 'authorizing',
      failure_reason: reason,
    });
    await verifyHook(sim, hook as Received);
  });

  it('sends mandate_revoked after a revocation, once', async () => {
    // Prepare
    const created = await authorizedMandate();
    clock += 5000;

    // Act
    await revoke(created.id);
    await sim.webhooks.drain();

    // Assess
    const hooks = receiver.of(created.id);
    expect(types(hooks)).toEqual(['mandate_authorized', 'mandate_revoked']);
    expect(hooks[1]?.json).toMatchObject({
      mandate_id: created.id,
      revoked_at: new Date(clock).toISOString(),
      revocation_source: 'client',
    });
    await verifyHook(sim, hooks[1] as Received);
  });

  it('records every attempt in deliveries() under mandate_id', async () => {
    // Act
    const created = await authorizedMandate();

    // Assess
    const mine = sim.webhooks.deliveries().filter((delivery) => delivery.mandate_id === created.id);
    expect(mine).toEqual([
      {
        event_id: receiver.of(created.id)[0]?.json.event_id,
        type: 'mandate_authorized',
        mandate_id: created.id,
        attempt: 1,
        status: 200,
        at: new Date(clock).toISOString(),
      },
    ]);
  });

  it('takes the webhook faults: duplicate and badSignature', async () => {
    // Prepare
    sim.webhooks.setFaults({ duplicate: true, badSignature: true });

    // Act
    const created = await authorizedMandate();

    // Assess
    const hooks = receiver.of(created.id);
    expect(types(hooks)).toEqual(['mandate_authorized', 'mandate_authorized']);
    expect(hooks[0]?.json.event_id).toBe(hooks[1]?.json.event_id);
    for (const hook of hooks) await expect(verifyHook(sim, hook)).rejects.toThrow(/Invalid signature/);
  });

  it('sends nothing with the drop fault, and nothing for a client without webhook_uri', async () => {
    // Prepare
    sim.webhooks.setFaults({ drop: true, times: 1 });
    const dropped = await authorizedMandate();
    const otherToken = await clientToken(sim, SCOPES, OTHER_CLIENT);
    const res = await post('/v3/mandates', mandateRequest(), {
      token: otherToken,
      signWith: STRANGER_KEY.privateKeyPem,
    });
    const silent = (await res.json()) as Created;
    const silentLink = hostedPageLink(sim, 'mandate_id', silent, OTHER_CLIENT.redirect_uris[0] ?? '');

    // Act
    await sandboxAuthorize(sim, { auth_link: silentLink, user: 'test_executed', decision: 'approve' });
    await sim.webhooks.drain();

    // Assess
    expect(receiver.of(dropped.id)).toEqual([]);
    expect(receiver.of(silent.id)).toEqual([]);
    expect(sim.webhooks.deliveries().filter((delivery) => delivery.mandate_id === silent.id)).toEqual([]);
  });
});
