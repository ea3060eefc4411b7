/**
 * Signup+ in Finland at the simulator (local/truelayer-sim/finland/): `POST /signup-plus/authuri`
 * for an executed euro payment, the identification page and the approval hook, the payer's Finnish
 * identity from `GET /signup-plus/payments`, and the webhook of a link that expired unused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { finnishNationalId } from '../truelayer-sim/finland/national-id.ts';
import { parseSwitches, startTrueLayerSimulator, type TrueLayerSimulator } from '../truelayer-sim/index.ts';
import {
  CLIENT,
  formAction,
  hiddenField,
  OTHER_CLIENT,
  postForm,
  problemOf,
  REDIRECT_URI,
  sandboxAuthorize,
  startSim,
} from './fixtures/truelayer-sim/helpers.ts';
import { clientToken, hostedPageLink, keyPair, signedPost } from './fixtures/truelayer-sim/payments.ts';
import { expectUkPayer, signupProblemOf } from './fixtures/truelayer-sim/signup-plus.ts';
import { Receiver, verifyHook } from './fixtures/truelayer-sim/webhooks.ts';

const KID = 'kid-finland-1';
const KEY = keyPair();
const OTHER_KEY = keyPair();
const STEP_MS = 1000;
const TTL_MS = 600_000;
const HOOK_PATH = '/hooks/truelayer';
const FI_REDIRECT = 'http://localhost:3000/identification/return';
const MERCHANT = 'Kahvila Aurinko Oy';

type Client = { client_id: string; client_secret: string; redirect_uris: string[] };

/** A client without a Finnish redirect URI: Support never allow-listed one. */
const UK_ONLY_CLIENT: Client = {
  client_id: 'sandbox-app-uk-only',
  client_secret: 'sandbox-secret-uk-only',
  redirect_uris: ['http://localhost:5000/callback'],
};

const receiver = new Receiver();
let clock = Date.parse('2026-03-02T08:00:00Z');
let sim: TrueLayerSimulator;

beforeAll(async () => {
  await receiver.start();
  sim = await startSim({
    now: () => clock,
    paymentStepMs: STEP_MS,
    clients: [
      {
        ...CLIENT,
        name: MERCHANT,
        signing_keys: [{ kid: KID, public_key_pem: KEY.publicKeyPem }],
        webhook_uri: `${receiver.url}${HOOK_PATH}`,
        signup_plus_fi_redirect_uri: FI_REDIRECT,
      },
      {
        ...OTHER_CLIENT,
        signing_keys: [{ kid: KID, public_key_pem: OTHER_KEY.publicKeyPem }],
        signup_plus_fi_redirect_uri: 'http://localhost:4000/identified',
      },
      { ...UK_ONLY_CLIENT, signing_keys: [{ kid: KID, public_key_pem: KEY.publicKeyPem }] },
    ],
  });
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

beforeEach(() => {
  sim.switches.reset();
});

afterEach(async () => {
  sim.webhooks.clearFaults();
  await sim.webhooks.drain();
});

interface Created {
  id: string;
  resource_token: string;
}

const keyOf = (client: Client) => (client === OTHER_CLIENT ? OTHER_KEY : KEY);

function paymentBody(currency: 'EUR' | 'GBP', amount: number): Record<string, unknown> {
  return {
    amount_in_minor: amount,
    currency,
    payment_method: {
      type: 'bank_transfer',
      provider_selection: {
        type: 'preselected',
        provider_id: currency === 'EUR' ? 'mock-payments-fi-redirect' : 'mock-payments-gb-redirect',
      },
      beneficiary: { type: 'merchant_account', merchant_account_id: 'c5f0a9b4-2b3c-4c39-9c33-4a8f1f0a6a10' },
    },
    user: { name: 'Maija Meikäläinen', email: 'maija@example.test' },
    related_products: { signup_plus: {} },
  };
}

interface PaymentSpec {
  currency?: 'EUR' | 'GBP';
  amount?: number;
  client?: Client;
  /** How far it gets: not decided, decided as this mock user, and then executed or settled. */
  until?: 'created' | 'authorized' | 'executed' | 'settled' | 'failed';
}

/** A payment taken as far as `until` (executed by default) on the simulator's clock. */
async function payment(spec: PaymentSpec = {}): Promise<Created> {
  const { currency = 'EUR', amount = 5000, client = CLIENT, until = 'executed' } = spec;
  const token = await clientToken(sim, 'payments', client);
  const res = await signedPost(sim, '/v3/payments', paymentBody(currency, amount), {
    token,
    signer: { kid: KID, privateKeyPem: keyOf(client).privateKeyPem },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  const created = (await res.json()) as Created;
  if (until === 'created') return created;
  const user = until === 'failed' ? 'test_authorisation_failed' : 'test_executed';
  const link = hostedPageLink(sim, 'payment_id', created, client.redirect_uris[0] ?? REDIRECT_URI);
  const approved = await sandboxAuthorize(sim, { auth_link: link, user, decision: 'approve' });
  if (approved.status !== 200) throw new Error(`approve failed: ${approved.status}`);
  if (until === 'executed') clock += STEP_MS;
  if (until === 'settled') clock += 2 * STEP_MS;
  return created;
}

const fiToken = (client: Client = CLIENT, scope = 'payments signupplus') => clientToken(sim, scope, client);

/** `POST /signup-plus/authuri` with a JSON body (or this raw text). */
async function postAuthUri(body: unknown, token?: string): Promise<Response> {
  return fetch(`${sim.apiUrl}/signup-plus/authuri`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token ?? (await fiToken())}`,
      'content-type': 'application/json',
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The auth_uri of a new identification of this payment. */
async function authUriOf(paymentId: string, state?: string): Promise<string> {
  const res = await postAuthUri({ payment_id: paymentId, ...(state === undefined ? {} : { state }) });
  if (res.status !== 201 && res.status !== 200) throw new Error(`authuri: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { auth_uri: string }).auth_uri;
}

/** Decides an auth_uri through the approval hook; answers where the browser goes. */
async function decide(authUri: string, decision: 'approve' | 'deny' = 'approve'): Promise<URL> {
  const res = await sandboxAuthorize(sim, { auth_link: authUri, user: 'maija', decision });
  if (res.status !== 200) throw new Error(`authorize: ${res.status} ${await res.text()}`);
  return new URL(((await res.json()) as { redirect_to: string }).redirect_to);
}

/** An executed euro payment whose payer identified; with the authorization_reference they came back with. */
async function identified(spec: PaymentSpec = {}): Promise<{ payment: Created; reference: string | null }> {
  const created = await payment(spec);
  const back = await decide(await authUriOf(created.id, 'st-1'));
  return { payment: created, reference: back.searchParams.get('authorization_reference') };
}

async function userData(paymentId: string, query: Record<string, string | string[]> = {}): Promise<Response> {
  const url = new URL(`${sim.apiUrl}/signup-plus/payments`);
  url.searchParams.set('payment_id', paymentId);
  for (const [key, value] of Object.entries(query)) {
    for (const one of [value].flat()) url.searchParams.append(key, one);
  }
  return fetch(url, { headers: { authorization: `Bearer ${await fiToken()}` } });
}

function expireHook(authUri: string): Promise<Response> {
  return fetch(`${sim.authUrl}/_sandbox/identifications/expire`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth_uri: authUri }),
  });
}

/** The expiry webhooks about a payment (its own payment_executed and payment_settled left aside). */
const expiries = (paymentId: string) =>
  receiver.of(paymentId).filter((hook) => hook.json.authorization_id !== undefined);

/** The query of a redirect as ordered [key, value] pairs. */
const queryOf = (url: URL) => [...url.searchParams.entries()];
const withoutQuery = (url: URL) => `${url.origin}${url.pathname}`;

/** Checks a Finnish personal identity code: DDMMYY, century sign, NNN, and its mod-31 check character. */
function expectValidNationalId(code: string, dateOfBirth: string, sex: string): void {
  const match = /^(\d{6})([-+A])(\d{3})([0-9A-Y])$/.exec(code);
  expect(match, code).not.toBeNull();
  const [, date = '', sign, individual = '', check] = match ?? [];
  expect(check).toBe('0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(`${date}${individual}`) % 31]);
  const [yyyy = '', mm, dd] = dateOfBirth.split('-');
  expect(date).toBe(`${dd}${mm}${yyyy.slice(2)}`);
  expect(sign).toBe(yyyy.startsWith('19') ? '-' : 'A');
  expect(Number(individual) % 2 === 1 ? 'M' : 'F').toBe(sex);
}

describe('POST /signup-plus/authuri', () => {
  it('answers 201 with a link to the identification page on the auth host', async () => {
    // Prepare
    const created = await payment();

    // Act
    const res = await postAuthUri({ payment_id: created.id, state: 'st-201' });

    // Assess
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as { auth_uri: string };
    expect(Object.keys(body)).toEqual(['auth_uri']);
    const link = new URL(body.auth_uri);
    expect(withoutQuery(link)).toBe(`${sim.authUrl}/signup-plus/fi/identify`);
    expect([...link.searchParams.keys()]).toEqual(['id', 'uuid']);
    expect(link.searchParams.get('uuid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 200 instead with switch authuri_status=200', async () => {
    // Prepare
    const created = await payment();
    sim.switches.set({ authuri_status: 200 });

    // Act
    const res = await postAuthUri({ payment_id: created.id });

    // Assess
    expect(res.status).toBe(200);
    expect(((await res.json()) as { auth_uri: string }).auth_uri).toContain('/signup-plus/fi/identify?id=');
  });

  it('takes a settled payment, and a state of 500 characters', async () => {
    // Prepare
    const created = await payment({ until: 'settled' });

    // Act
    const res = await postAuthUri({ payment_id: created.id, state: 's'.repeat(500) });

    // Assess
    expect(res.status).toBe(201);
  });

  it('opens a new session on each call, each usable on its own', async () => {
    // Prepare
    const created = await payment();

    // Act
    const first = await authUriOf(created.id, 'a');
    const second = await authUriOf(created.id, 'b');
    const back = await decide(second);

    // Assess
    expect(first).not.toBe(second);
    expect(back.searchParams.get('state')).toBe('b');
    expect((await sandboxAuthorize(sim, { auth_link: first, decision: 'approve' })).status).toBe(200);
  });

  it.each([
    ['no token', undefined, 401, 'Unauthorized'],
    ['a token without signupplus', 'payments', 403, 'Forbidden'],
    ['a token without payments', 'signupplus', 403, 'Forbidden'],
  ])('refuses %s', async (_name, scope, status, title) => {
    // Prepare
    const created = await payment();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (scope !== undefined) headers.authorization = `Bearer ${await fiToken(CLIENT, scope)}`;

    // Act
    const res = await fetch(`${sim.apiUrl}/signup-plus/authuri`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ payment_id: created.id }),
    });

    // Assess
    await signupProblemOf(res, status, title);
  });

  it('refuses 403 Forbidden a client with no Finnish redirect URI allow-listed', async () => {
    // Prepare
    const created = await payment({ client: UK_ONLY_CLIENT });

    // Act
    const res = await postAuthUri({ payment_id: created.id }, await fiToken(UK_ONLY_CLIENT));

    // Assess
    const problem = await signupProblemOf(res, 403, 'Forbidden');
    expect(problem.detail).toMatch(/redirect URI.*Signup\+ Finland/);
  });

  it.each([
    ['no payment_id', {}, 'payment_id'],
    ['an empty payment_id', { payment_id: '' }, 'payment_id'],
    ['a payment_id that is not a string', { payment_id: 42 }, 'payment_id'],
    ['a state over 500 characters', { payment_id: 'p', state: 's'.repeat(501) }, 'state'],
    ['a state that is not a string', { payment_id: 'p', state: 7 }, 'state'],
    ['a redirect_uri (Support allow-lists it)', { payment_id: 'p', redirect_uri: FI_REDIRECT }, '(body)'],
    ['a body that is not JSON', '{"payment_id":', '(body)'],
    ['a body that is not an object', '["p"]', '(body)'],
  ])('refuses %s with 400 Invalid Parameters', async (_name, body, field) => {
    // Act
    const res = await postAuthUri(body);

    // Assess
    const problem = await signupProblemOf(res, 400, 'Invalid Parameters');
    expect(Object.keys(problem.errors ?? {})).toContain(field);
  });

  it("answers 404 Payment Not Found for an unknown payment and for another client's", async () => {
    // Prepare
    const others = await payment({ client: OTHER_CLIENT });

    // Act
    const unknown = await postAuthUri({ payment_id: randomUUID() });
    const foreign = await postAuthUri({ payment_id: others.id });

    // Assess
    await signupProblemOf(unknown, 404, 'Payment Not Found');
    await signupProblemOf(foreign, 404, 'Payment Not Found');
  });

  it('refuses a pound payment at the UK mock bank with 400 Provider not supported', async () => {
    // Prepare
    const created = await payment({ currency: 'GBP', until: 'settled' });

    // Act
    const res = await postAuthUri({ payment_id: created.id });

    // Assess
    await signupProblemOf(res, 400, 'Provider not supported');
  });

  it.each([
    ['awaiting authorisation', 'created', 'authorization_required'],
    ['authorized, not yet executed', 'authorized', 'authorized'],
    ['failed', 'failed', 'failed'],
  ] as const)('refuses a payment %s with 400 Invalid State', async (_name, until, status) => {
    // Prepare
    const created = await payment({ until });

    // Act
    const res = await postAuthUri({ payment_id: created.id });

    // Assess
    const problem = await signupProblemOf(res, 400, 'Invalid State');
    expect(problem.detail).toContain(status);
  });
});

describe('the identification page', () => {
  it('shows who asks, with Approve and Cancel posting the session back', async () => {
    // Prepare
    const link = new URL(await authUriOf((await payment()).id, 'st-page'));

    // Act
    const res = await fetch(link);
    const html = await res.text();

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('<h1>Identify yourself with your bank</h1>');
    expect(html).toContain(MERCHANT);
    expect(formAction(html)).toBe('/signup-plus/fi/identify');
    expect(hiddenField(html, 'id')).toBe(link.searchParams.get('id'));
    expect(hiddenField(html, 'uuid')).toBe(link.searchParams.get('uuid'));
    expect(html).toContain('name="decision" value="approve">Approve</button>');
    expect(html).toContain('name="decision" value="deny">Cancel</button>');
  });

  it('sends Approve to the Finnish redirect URI with state and authorization_reference, then says it was used', async () => {
    // Prepare
    const link = new URL(await authUriOf((await payment()).id, 'st-approve'));
    const html = await (await fetch(link)).text();
    const fields = { id: hiddenField(html, 'id'), uuid: hiddenField(html, 'uuid') };

    // Act
    const res = await postForm(`${sim.authUrl}${formAction(html)}`, { ...fields, decision: 'approve' });
    const again = await fetch(link);

    // Assess
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(withoutQuery(location)).toBe(FI_REDIRECT);
    expect([...location.searchParams.keys()]).toEqual(['state', 'authorization_reference']);
    expect(location.searchParams.get('state')).toBe('st-approve');
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('already been used');
  });

  it('sends Cancel back with error=access_denied and the state', async () => {
    // Prepare
    const link = new URL(await authUriOf((await payment()).id, 'st-cancel'));

    // Act
    const res = await postForm(`${sim.authUrl}/signup-plus/fi/identify`, {
      id: link.searchParams.get('id') ?? '',
      uuid: link.searchParams.get('uuid') ?? '',
      decision: 'deny',
    });

    // Assess
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${FI_REDIRECT}?error=access_denied&state=st-cancel`);
  });

  it('says the link expired once its time ran out, and sends nothing back', async () => {
    // Prepare
    const link = new URL(await authUriOf((await payment()).id));
    clock += TTL_MS;

    // Act
    const page = await fetch(link);
    const form = await postForm(`${sim.authUrl}/signup-plus/fi/identify`, {
      id: link.searchParams.get('id') ?? '',
      uuid: link.searchParams.get('uuid') ?? '',
      decision: 'approve',
    });

    // Assess
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('has expired');
    expect(form.status).toBe(400);
    expect(form.headers.get('location')).toBeNull();
  });

  it('is a dead end for a wrong uuid or an incomplete link', async () => {
    // Prepare
    const link = new URL(await authUriOf((await payment()).id));
    const wrong = new URL(link);
    wrong.searchParams.set('uuid', randomUUID());
    const incomplete = new URL(link);
    incomplete.searchParams.delete('uuid');

    // Act
    const wrongPage = await fetch(wrong);
    const incompletePage = await fetch(incomplete);

    // Assess
    expect(wrongPage.status).toBe(400);
    expect(await wrongPage.text()).toContain('invalid');
    expect(incompletePage.status).toBe(400);
    expect((await fetch(link)).status).toBe(200);
  });
});

describe('POST /_sandbox/authorize with an identification link', () => {
  it('answers approve with the redirect URI, the state and a fresh authorization_reference', async () => {
    // Prepare
    const created = await payment();
    const first = await authUriOf(created.id, 'st-hook');
    const second = await authUriOf(created.id, 'st-hook');

    // Act
    const a = await decide(first);
    const b = await decide(second);

    // Assess
    expect(withoutQuery(a)).toBe(FI_REDIRECT);
    expect(queryOf(a)).toEqual([
      ['state', 'st-hook'],
      ['authorization_reference', expect.stringMatching(/^[\w-]{16,}$/)],
    ]);
    expect(a.searchParams.get('authorization_reference')).not.toBe(
      b.searchParams.get('authorization_reference'),
    );
  });

  it('leaves out the state when the client gave none', async () => {
    // Prepare
    const authUri = await authUriOf((await payment()).id);

    // Act
    const back = await decide(authUri);

    // Assess
    expect([...back.searchParams.keys()]).toEqual(['authorization_reference']);
  });

  it.each([
    ['with a state', 'st-absent', `${FI_REDIRECT}?state=st-absent`],
    ['without a state', undefined, FI_REDIRECT],
  ])(
    'leaves out authorization_reference with identification_return_reference=absent, %s',
    async (_name, state, expected) => {
      // Prepare
      sim.switches.set({ identification_return_reference: 'absent' });
      const authUri = await authUriOf((await payment()).id, state);

      // Act
      const back = await decide(authUri);

      // Assess
      expect(back.toString()).toBe(expected);
    },
  );

  it.each([
    ['with a state', 'st-deny', `${FI_REDIRECT}?error=access_denied&state=st-deny`],
    ['without a state', undefined, `${FI_REDIRECT}?error=access_denied`],
  ])('answers deny with error=access_denied, %s', async (_name, state, expected) => {
    // Prepare
    const authUri = await authUriOf((await payment()).id, state);

    // Act
    const back = await decide(authUri, 'deny');

    // Assess
    expect(back.toString()).toBe(expected);
  });

  it('takes no user, or any user, to approve', async () => {
    // Prepare
    const created = await payment();
    const links = [await authUriOf(created.id), await authUriOf(created.id)];

    // Act
    const none = await sandboxAuthorize(sim, { auth_link: links[0], decision: 'approve' });
    const any = await sandboxAuthorize(sim, { auth_link: links[1], decision: 'approve', user: 'whoever' });

    // Assess
    expect(none.status).toBe(200);
    expect(any.status).toBe(200);
  });

  it.each(['approve', 'deny'] as const)(
    'refuses a used link with 400 (%s after an approval)',
    async (decision) => {
      // Prepare
      const authUri = await authUriOf((await payment()).id, 'st-used');
      await decide(authUri);

      // Act
      const res = await sandboxAuthorize(sim, { auth_link: authUri, decision });

      // Assess
      const problem = await problemOf(res, 400);
      expect(problem.detail).toContain('already been used');
    },
  );

  it('refuses an expired link with 400', async () => {
    // Prepare
    const authUri = await authUriOf((await payment()).id);
    clock += TTL_MS;

    // Act
    const res = await sandboxAuthorize(sim, { auth_link: authUri, decision: 'approve' });

    // Assess
    const problem = await problemOf(res, 400);
    expect(problem.detail).toContain('expired');
  });

  it('refuses a link with a wrong uuid and one without its uuid', async () => {
    // Prepare
    const link = new URL(await authUriOf((await payment()).id));
    const wrong = new URL(link);
    wrong.searchParams.set('uuid', randomUUID());
    const incomplete = new URL(link);
    incomplete.searchParams.delete('uuid');

    // Act
    const wrongRes = await sandboxAuthorize(sim, { auth_link: wrong.toString(), decision: 'approve' });
    const incompleteRes = await sandboxAuthorize(sim, {
      auth_link: incomplete.toString(),
      decision: 'approve',
    });

    // Assess
    expect((await problemOf(wrongRes, 400)).detail).toContain('invalid');
    expect((await problemOf(incompleteRes, 400)).detail).toContain('needs id and uuid');
  });
});

describe('identification_known_user', () => {
  it.each([
    ['with a state', 'st-known', `${FI_REDIRECT}?state=st-known`],
    ['without a state', undefined, FI_REDIRECT],
  ])(
    'answers the Finnish redirect URI itself as auth_uri, %s, and the user data at once',
    async (_name, state, expected) => {
      // Prepare
      sim.switches.set({ identification_known_user: true });
      const created = await payment();

      // Act
      const authUri = await authUriOf(created.id, state);
      const data = await userData(created.id);

      // Assess
      expect(authUri).toBe(expected);
      expect(data.status).toBe(200);
      expect(await data.json()).toMatchObject({ first_name: 'Mikko', last_name: 'Nieminen' });
    },
  );
});

describe('GET /signup-plus/payments for a euro payment', () => {
  it('answers 422 User Data Not Found before the payer identified, even with a link open', async () => {
    // Prepare
    const asked = await payment();
    await authUriOf(asked.id);
    const never = await payment();

    // Act
    const open = await userData(asked.id);
    const none = await userData(never.id);

    // Assess
    await signupProblemOf(open, 422, 'User Data Not Found');
    await signupProblemOf(none, 422, 'User Data Not Found');
  });

  it('answers 422 User Data Not Found after the payer cancelled', async () => {
    // Prepare
    const created = await payment();
    await decide(await authUriOf(created.id), 'deny');

    // Act
    const res = await userData(created.id);

    // Assess
    await signupProblemOf(res, 422, 'User Data Not Found');
  });

  it('answers the Finnish payer once they identified, with or without the authorization_reference', async () => {
    // Prepare
    const { payment: created, reference } = await identified();

    // Act
    const without = await userData(created.id);
    const withRef = await userData(created.id, { authorization_reference: reference ?? '' });

    // Assess
    expect(without.status).toBe(200);
    expect(withRef.status).toBe(200);
    expect(await withRef.json()).toEqual(await without.json());
  });

  const byClock = async (_authUri: string) => {
    clock += TTL_MS;
  };
  const byHook = async (authUri: string) => {
    await expireHook(authUri);
  };
  it.each([
    ['the clock', byClock],
    ['the expire hook', byHook],
  ])('answers 400 Authorization Expired once the link expired unused (by %s)', async (_name, expire) => {
    // Prepare
    const created = await payment();
    await expire(await authUriOf(created.id));

    // Act
    const res = await userData(created.id);

    // Assess
    const problem = await signupProblemOf(res, 400, 'Authorization Expired');
    expect(problem.type).toBe('https://docs.truelayer.com/docs/signup-errors#authorization-expired');
  });

  it('goes back to 422 with a new link after an expired one, and answers once that one is approved', async () => {
    // Prepare
    const created = await payment();
    await expireHook(await authUriOf(created.id));
    const fresh = await authUriOf(created.id);

    // Act
    const waiting = await userData(created.id);
    await decide(fresh);
    const done = await userData(created.id);

    // Assess
    await signupProblemOf(waiting, 422, 'User Data Not Found');
    expect(done.status).toBe(200);
  });

  it('refuses an authorization_reference not issued for this payment, and a repeated one', async () => {
    // Prepare
    const { payment: created, reference } = await identified();
    const { reference: othersReference } = await identified();

    // Act
    const unknown = await userData(created.id, { authorization_reference: 'not-issued' });
    const foreign = await userData(created.id, { authorization_reference: othersReference ?? '' });
    const repeated = await userData(created.id, {
      authorization_reference: [reference ?? '', reference ?? ''],
    });

    // Assess
    for (const res of [unknown, foreign, repeated]) {
      const problem = await signupProblemOf(res, 400, 'Invalid Parameters');
      expect(Object.keys(problem.errors ?? {})).toEqual(['authorization_reference']);
    }
  });

  it('refuses a call without authorization_reference with identification_reference_required', async () => {
    // Prepare
    sim.switches.set({ identification_reference_required: true });
    const { payment: created, reference } = await identified();

    // Act
    const without = await userData(created.id);
    const withRef = await userData(created.id, { authorization_reference: reference ?? '' });

    // Assess
    const problem = await signupProblemOf(without, 400, 'Invalid Parameters');
    expect(problem.errors).toEqual({ authorization_reference: ['Required'] });
    expect(withRef.status).toBe(200);
  });

  it('lets a known user through identification_reference_required, as they were given no reference', async () => {
    // Prepare
    sim.switches.set({ identification_reference_required: true, identification_known_user: true });
    const created = await payment();
    await authUriOf(created.id, 'st');

    // Act
    const res = await userData(created.id);

    // Assess
    expect(res.status).toBe(200);
  });

  it.each([
    ['awaiting authorisation', 'created'],
    ['failed', 'failed'],
  ] as const)('answers 422 Failed Payment for a payment %s', async (_name, until) => {
    // Prepare
    const created = await payment({ until });

    // Act
    const res = await userData(created.id);

    // Assess
    await signupProblemOf(res, 422, 'Failed Payment');
  });
});

describe('the Finnish identity', () => {
  it.each([
    [1799, 'Aino', 'Virtanen'],
    [1800, 'Eero', 'Korhonen'],
    [2100, 'Helmi', 'Mäkinen'],
    [2200, 'Mikko', 'Nieminen'],
  ])(
    'answers a payment of %i with %s %s, a Finn: no title, a valid identity code, an IBAN at fi-op',
    async (amount, first, last) => {
      // Prepare
      const { payment: created } = await identified({ amount });

      // Act
      const res = await userData(created.id);

      // Assess
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown> & {
        date_of_birth: string;
        national_identification_number: string;
        sex: string;
        address: Record<string, unknown>;
        account_details: Record<string, unknown>;
      };
      expect(Object.keys(body)).toEqual([
        'first_name',
        'last_name',
        'date_of_birth',
        'address',
        'national_identification_number',
        'sex',
        'account_details',
      ]);
      expect(body).toMatchObject({
        first_name: first,
        last_name: last,
        sex: expect.stringMatching(/^[MF]$/),
      });
      expectValidNationalId(body.national_identification_number, body.date_of_birth, body.sex);
      expect(body.address).toEqual({
        address_line1: expect.any(String),
        city: expect.any(String),
        zip: expect.stringMatching(/^\d{5}$/),
        country: 'FI',
      });
      expect(body.account_details).toEqual({
        iban: expect.stringMatching(/^FI\d{16}$/),
        provider_id: 'fi-op',
      });
    },
  );

  it.each([
    [10_000, 'Joint Accounts Not Supported'],
    [25_000, 'User Data Not Found'],
  ])('keeps the problem bands: %i answers 422 %s once identified', async (amount, title) => {
    // Prepare
    const { payment: created } = await identified({ amount });

    // Act
    const res = await userData(created.id);

    // Assess
    await signupProblemOf(res, 422, title);
  });

  it.each([
    ['null', null],
    ['empty', ''],
  ] as const)('writes what a Finn does not have as %s with absent_fields', async (mode, written) => {
    // Prepare
    const { payment: created } = await identified();
    sim.switches.set({ absent_fields: mode });

    // Act
    const body = (await (await userData(created.id)).json()) as Record<string, Record<string, unknown>>;

    // Assess
    expect(body.title).toBe(written);
    expect(body.address).toMatchObject({ address_line2: written, state: written, country: 'FI' });
    expect(body.account_details).toEqual({
      sort_code: written,
      account_number: written,
      iban: expect.stringMatching(/^FI/),
      provider_id: 'fi-op',
    });
  });

  it('names the country key as address_country_key says', async () => {
    // Prepare
    const { payment: created } = await identified();
    sim.switches.set({ address_country_key: 'country_code' });

    // Act
    const body = (await (await userData(created.id)).json()) as { address: Record<string, unknown> };

    // Assess
    expect(body.address.country_code).toBe('FI');
    expect(body.address).not.toHaveProperty('country');
  });
});

describe('pound payments are unchanged', () => {
  it('answers a settled pound payment with the UK payer, ignoring any authorization_reference', async () => {
    // Prepare
    const created = await payment({ currency: 'GBP', amount: 1000, until: 'settled' });

    // Act
    const res = await userData(created.id, { authorization_reference: 'whatever' });

    // Assess
    await expectUkPayer(res, 'Tommie', 'Burke');
  });

  it('answers an executed, not yet settled, pound payment with 422 Failed Payment', async () => {
    // Prepare
    const created = await payment({ currency: 'GBP', until: 'executed' });

    // Act
    const res = await userData(created.id);

    // Assess
    const problem = await signupProblemOf(res, 422, 'Failed Payment');
    expect(problem.detail).toBe('The payment is executed, not settled.');
  });
});

describe('the webhook of a link that expired unused', () => {
  it('is sent, signed, when the link outlives its 600 s on the clock', async () => {
    // Prepare
    const created = await payment();
    const opened = clock;
    const link = new URL(await authUriOf(created.id));

    // Act
    clock += TTL_MS - 1;
    await sim.webhooks.drain();
    const early = expiries(created.id).length;
    clock += 1;
    await sim.webhooks.drain();

    // Assess
    expect(early).toBe(0);
    const hooks = expiries(created.id);
    expect(hooks).toHaveLength(1);
    const [hook] = hooks;
    if (hook === undefined) throw new Error('no webhook');
    expect(hook.path).toBe(HOOK_PATH);
    expect(hook.json).toEqual({
      type: 'authuri_expired',
      event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event_version: 1,
      payment_id: created.id,
      authorization_id: link.searchParams.get('id'),
      expired_at: new Date(opened + TTL_MS).toISOString(),
    });
    await verifyHook(sim, hook);
    const deliveries = sim.webhooks.deliveries().filter((d) => d.payment_id === created.id);
    expect(deliveries.filter((d) => d.type === 'authuri_expired')).toMatchObject([
      { attempt: 1, status: 200 },
    ]);
  });

  it('is sent at once by the expire hook, which answers 204 and once only', async () => {
    // Prepare
    const created = await payment();
    const authUri = await authUriOf(created.id);

    // Act
    const first = await expireHook(authUri);
    const second = await expireHook(authUri);
    await sim.webhooks.drain();
    clock += TTL_MS;
    await sim.webhooks.drain();

    // Assess
    expect(first.status).toBe(204);
    expect(second.status).toBe(204);
    expect(expiries(created.id).map((hook) => hook.json.expired_at)).toEqual([
      new Date(clock - TTL_MS).toISOString(),
    ]);
    expect((await sandboxAuthorize(sim, { auth_link: authUri, decision: 'approve' })).status).toBe(400);
  });

  it.each(['authorization_expired', 'webhook_authorisation_expired'] as const)(
    'has type %s with identification_expired_type',
    async (type) => {
      // Prepare
      const created = await payment();
      const authUri = await authUriOf(created.id);
      sim.switches.set({ identification_expired_type: type });

      // Act
      await expireHook(authUri);
      await sim.webhooks.drain();

      // Assess
      const [hook] = expiries(created.id);
      expect(hook?.json.type).toBe(type);
      if (hook !== undefined) await verifyHook(sim, hook);
    },
  );

  it('is not sent for a link approved or cancelled, which the expire hook refuses', async () => {
    // Prepare
    const approved = await payment();
    const approvedUri = await authUriOf(approved.id);
    await decide(approvedUri);
    const denied = await payment();
    const deniedUri = await authUriOf(denied.id);
    await decide(deniedUri, 'deny');

    // Act
    const refused = await expireHook(approvedUri);
    clock += TTL_MS;
    await sim.webhooks.drain();

    // Assess
    expect((await problemOf(refused, 400)).detail).toContain('already been used');
    expect(expiries(approved.id)).toEqual([]);
    expect(expiries(denied.id)).toEqual([]);
  });

  it('goes through the webhook faults: duplicated with one event_id, or signed with a key not in the JWKS', async () => {
    // Prepare
    const twice = await payment();
    const twiceUri = await authUriOf(twice.id);
    const forged = await payment();
    const forgedUri = await authUriOf(forged.id);
    // The payments' own webhooks go out first, so that the faults fall on the expiries.
    await sim.webhooks.drain();

    // Act
    sim.webhooks.setFaults({ duplicate: true, times: 1 });
    await expireHook(twiceUri);
    await sim.webhooks.drain();
    sim.webhooks.setFaults({ badSignature: true, times: 1 });
    await expireHook(forgedUri);
    await sim.webhooks.drain();

    // Assess
    const copies = expiries(twice.id);
    expect(copies).toHaveLength(2);
    expect(copies[0]?.json.event_id).toBe(copies[1]?.json.event_id);
    const [bad] = expiries(forged.id);
    if (bad === undefined) throw new Error('no webhook');
    await expect(verifyHook(sim, bad)).rejects.toThrow();
  });

  it('refuses the expire hook for what is not an open identification link', async () => {
    // Prepare
    const authUri = new URL(await authUriOf((await payment()).id));
    const wrong = new URL(authUri);
    wrong.searchParams.set('uuid', randomUUID());

    // Act
    const answers = await Promise.all([
      expireHook(wrong.toString()),
      expireHook(FI_REDIRECT),
      expireHook('not a url'),
    ]);

    // Assess
    for (const res of answers) await problemOf(res, 400);
    expect((await fetch(authUri)).status).toBe(200);
  });
});

describe('identificationTtlSeconds', () => {
  it('sets how long a link lives on the simulator clock', async () => {
    // Prepare
    let own = Date.parse('2026-03-03T10:00:00Z');
    const short = await startTrueLayerSimulator({
      clients: [
        {
          ...CLIENT,
          signing_keys: [{ kid: KID, public_key_pem: KEY.publicKeyPem }],
          signup_plus_fi_redirect_uri: FI_REDIRECT,
        },
      ],
      quiet: true,
      switches: {},
      now: () => own,
      identificationTtlSeconds: 30,
    });
    try {
      const token = await clientToken(short, 'payments signupplus');
      const created = (await (
        await signedPost(short, '/v3/payments', paymentBody('EUR', 5000), {
          token,
          signer: { kid: KID, privateKeyPem: KEY.privateKeyPem },
        })
      ).json()) as Created;
      const link = hostedPageLink(short, 'payment_id', created, REDIRECT_URI);
      await sandboxAuthorize(short, { auth_link: link, user: 'test_executed', decision: 'approve' });
      const res = await fetch(`${short.apiUrl}/signup-plus/authuri`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ payment_id: created.id }),
      });
      const { auth_uri: authUri } = (await res.json()) as { auth_uri: string };

      // Act
      own += 29_999;
      const before = await fetch(authUri);
      own += 1;
      const after = await fetch(authUri);

      // Assess
      expect(before.status).toBe(200);
      expect(after.status).toBe(400);
      expect(await after.text()).toContain('has expired');
    } finally {
      await short.close();
    }
  });
});

describe('the setup', () => {
  it('computes the identity code of the documented example, check character included', () => {
    // Act
    const code = finnishNationalId('1970-07-07', 905);

    // Assess
    expect(code).toBe('070770-905D');
  });

  it.each([
    ['not an absolute URL', '/identification/return'],
    ['with a fragment', 'https://app.example.test/return#x'],
  ])('refuses a client whose Finnish redirect URI is %s', async (_name, uri) => {
    // Act
    const starting = startTrueLayerSimulator({
      clients: [{ ...CLIENT, signup_plus_fi_redirect_uri: uri }],
      quiet: true,
      switches: {},
    });

    // Assess
    await expect(starting).rejects.toThrow(/signup_plus_fi_redirect_uri/);
  });

  it('reads the Finnish switches from a comma list, and refuses values they do not have', () => {
    // Act
    const parsed = parseSwitches(
      'authuri_status=200,identification_known_user=true,identification_return_reference=absent,' +
        'identification_reference_required=true,identification_expired_type=webhook_authorisation_expired',
      'env',
    );

    // Assess
    expect(parsed).toMatchObject({
      authuri_status: 200,
      identification_known_user: true,
      identification_return_reference: 'absent',
      identification_reference_required: true,
      identification_expired_type: 'webhook_authorisation_expired',
    });
    expect(() => parseSwitches('authuri_status=202', 'env')).toThrow(/authuri_status/);
    expect(() => parseSwitches('identification_expired_type=expired', 'env')).toThrow(
      /identification_expired_type/,
    );
  });
});
