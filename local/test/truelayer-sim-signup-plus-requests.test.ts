/**
 * Signup+ on a Data v3 connected account, asynchronously
 * (local/truelayer-sim/data-v3/signup-plus-requests.ts):
 * `POST /v3/connections/{connection_id}/accounts/{account_id}/signup-plus/requests` makes a request,
 * `GET …/requests/{request_id}` reads it, pending for the first reads, then the identity
 * `GET /signup-plus/accounts?account_id=` serves for the same user and account. TrueLayer publishes
 * one line per endpoint; the `signup_plus_request_*` switches play each plausible answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type DataV3Simulator, dataConnectionRoutes } from '../truelayer-sim/data-v3/index.ts';
import {
  BUILT_IN_USERS_PATH,
  loadSandboxUsers,
  parseSwitches,
  type SandboxUser,
  SwitchesError,
  type TrueLayerSimulator,
} from '../truelayer-sim/index.ts';
import {
  authorizeConnection,
  CLIENT,
  dataToken,
  getAccounts,
  hostedConnection,
  OTHER_CLIENT,
  problemOf,
  startSim,
  userToken,
} from './fixtures/truelayer-sim/helpers.ts';

const JOHN_ACCOUNT = 'acc-7c1e0f5a3b9d24e86';
const JANE_ACCOUNTS = ['acc-aa360adff0f1574e1', 'acc-8232b085624e6babf', 'acc-469b2c2bcaea10969'] as const;
const JANE_SECOND = JANE_ACCOUNTS[1];

/** A user whose accounts have raw answers in the users file: one with data, one without. */
const RAW_USERS: SandboxUser[] = [
  {
    username: 'raw.accounts',
    password: 'doe',
    identity: {
      first_name: 'Rita',
      last_name: 'Raw',
      date_of_birth: '1970-01-01',
      address: { address_line1: '1 Raw Road', city: 'Leeds', zip: 'LS1 1AA', country: 'GB' },
    },
    accounts: [
      {
        account_id: 'acc-raw-with-data',
        display_name: 'RAW 1',
        account_type: 'CURRENT',
        currency: 'GBP',
        provider_id: 'mock',
      },
      {
        account_id: 'acc-raw-no-data',
        display_name: 'RAW 2',
        account_type: 'CURRENT',
        currency: 'GBP',
        provider_id: 'mock',
      },
    ],
    signup_plus_by_account: {
      'acc-raw-with-data': { status: 200, body: { first_name: 'Raw', last_name: null } },
      'acc-raw-no-data': { status: 422, body: { title: 'User Data Not Found' } },
    },
  },
];

/** The seed's hosted-flow request (the product's test/helpers EXAMPLES.hosted_flow), written out here. */
const HOSTED_FLOW = {
  scopes: ['accounts', 'transactions'],
  provider_selection: { type: 'user_selected' },
  user: { name: 'Jane Smith', email: 'jane@example.com' },
  user_consent: { type: 'authorization_flow_captured' },
};

let sim: TrueLayerSimulator;
let dataV3: DataV3Simulator;
/** The simulator's clock, moved by the tests. */
const clockMs = Date.parse('2026-12-02T10:00:00Z');
/** A `data` token of CLIENT, shared by the tests. */
let token: string;

beforeAll(async () => {
  dataV3 = dataConnectionRoutes();
  sim = await startSim({
    now: () => clockMs,
    users: [...loadSandboxUsers(BUILT_IN_USERS_PATH), ...RAW_USERS],
    extraApiRoutes: dataV3.apiRoutes,
    extraAuthRoutes: dataV3.authRoutes,
  });
  token = await dataToken(sim);
});

afterEach(() => {
  sim.switches.reset();
  sim.faults.clear();
});

afterAll(async () => {
  await sim.close();
});

const json = (response: Response): Promise<unknown> => response.json();

const requestsUrl = (connectionId: string, accountId: string) =>
  `${sim.apiUrl}/v3/connections/${encodeURIComponent(connectionId)}/accounts/${encodeURIComponent(accountId)}/signup-plus/requests`;

/** `POST …/signup-plus/requests`: no body unless `body` is given (raw text, JSON by default). */
function createRequest(
  connectionId: string,
  accountId: string,
  options: { token?: string | null; body?: string; contentType?: string; key?: string } = {},
): Promise<Response> {
  const bearer = options.token === undefined ? token : options.token;
  const headers: Record<string, string> = {
    ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
    ...(options.body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
    ...(options.key === undefined ? {} : { 'idempotency-key': options.key }),
  };
  return fetch(requestsUrl(connectionId, accountId), {
    method: 'POST',
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
  });
}

/** `GET …/signup-plus/requests/{request_id}`. */
function readRequest(
  connectionId: string,
  accountId: string,
  requestId: string,
  bearer: string | null = token,
): Promise<Response> {
  return fetch(`${requestsUrl(connectionId, accountId)}/${encodeURIComponent(requestId)}`, {
    headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` },
  });
}

const CreatedSchema = z.strictObject({ id: z.uuid(), status: z.string() });

/** Makes a request that must be accepted; answers its id. */
async function accepted(connectionId: string, accountId: string): Promise<string> {
  const response = await createRequest(connectionId, accountId);
  expect(response.status).toBe(202);
  return CreatedSchema.parse(await json(response)).id;
}

/** A hosted-flow connection of CLIENT, not yet authorised. */
const newConnection = (bearer: string = token) => hostedConnection(sim, bearer, HOSTED_FLOW);

/**
 * A connection of CLIENT that `user` authorised at `providerId` (the connection's first bank, the
 * Mock bank, unless given), through the simulator's non-interactive approval.
 */
async function connectedAs(user: string, providerId?: string): Promise<string> {
  const created = await newConnection();
  await authorizeConnection(sim, created.hosted_page.uri, 'approve', {
    user,
    ...(providerId === undefined ? {} : { provider_id: providerId }),
  });
  return created.id;
}

/** The Signup+ identity `GET /signup-plus/accounts?account_id=` serves `user` logged in at `providerId`. */
async function servedIdentity(user: string, accountId: string, providerId = 'mock'): Promise<unknown> {
  const { access_token } = await userToken(sim, user, { provider_id: providerId });
  const response = await getAccounts(sim, access_token, accountId);
  expect(response.status).toBe(200);
  return json(response);
}

/** Reads a request `times` times; answers the bodies. */
async function readTimes(connectionId: string, accountId: string, requestId: string, times: number) {
  const answers: { status: number; body: unknown }[] = [];
  for (let i = 0; i < times; i += 1) {
    const response = await readRequest(connectionId, accountId, requestId);
    answers.push({ status: response.status, body: await json(response) });
  }
  return answers;
}

const InspectedSchema = z.looseObject({
  signup_plus_requests: z.array(
    z.strictObject({
      id: z.string(),
      account_id: z.string(),
      polls: z.number(),
      idempotency_key: z.string().nullable(),
      body: z.unknown(),
      created_at: z.string(),
    }),
  ),
});

async function inspected(connectionId: string) {
  const response = await fetch(`${sim.apiUrl}/_sandbox/data-connections/${connectionId}`);
  return InspectedSchema.parse(await json(response)).signup_plus_requests;
}

describe('POST and GET …/signup-plus/requests, every switch at its default', () => {
  it('accepts with 202 pending, reads pending once, then completed with the chosen account’s identity', async () => {
    // Prepare
    const connectionId = await connectedAs('jane', 'ob-monzo');
    const expected = await servedIdentity('jane', JANE_SECOND, 'ob-monzo');
    const callsBefore = sim.calls();

    // Act
    const created = await createRequest(connectionId, JANE_SECOND);
    const createdBody = CreatedSchema.parse(await json(created));
    const [first, second, third] = await readTimes(connectionId, JANE_SECOND, createdBody.id, 3);

    // Assess
    expect(created.status).toBe(202);
    expect(created.headers.get('content-type')).toContain('application/json');
    expect(createdBody.status).toBe('pending');
    expect(first).toEqual({ status: 200, body: { id: createdBody.id, status: 'pending' } });
    expect(second).toEqual({
      status: 200,
      body: { id: createdBody.id, status: 'completed', user_data: expected },
    });
    expect(third).toEqual(second);
    expect(expected).toMatchObject({
      first_name: 'Jane',
      last_name: 'Roe',
      account_details: {
        account_number: '30000000',
        iban: 'GB69MOCK01213130000000',
        provider_id: 'ob-monzo',
      },
    });
    const calls = sim.calls();
    expect(calls['signup_plus_request_create']).toBe((callsBefore['signup_plus_request_create'] ?? 0) + 1);
    expect(calls['signup_plus_request_read']).toBe((callsBefore['signup_plus_request_read'] ?? 0) + 3);
  });

  it('answers each account of a connection with that account’s identity', async () => {
    // Prepare
    const connectionId = await connectedAs('jane');
    const first = await accepted(connectionId, JANE_ACCOUNTS[0]);
    const third = await accepted(connectionId, JANE_ACCOUNTS[2]);
    sim.switches.set({ signup_plus_request_pending_polls: 0 });

    // Act
    const firstAnswer = await json(await readRequest(connectionId, JANE_ACCOUNTS[0], first));
    const thirdAnswer = await json(await readRequest(connectionId, JANE_ACCOUNTS[2], third));

    // Assess
    expect(firstAnswer).toEqual({
      id: first,
      status: 'completed',
      user_data: await servedIdentity('jane', JANE_ACCOUNTS[0]),
    });
    expect(thirdAnswer).toEqual({
      id: third,
      status: 'completed',
      user_data: await servedIdentity('jane', JANE_ACCOUNTS[2]),
    });
  });

  it('shows each request, its account and its reads so far on the connection’s inspection', async () => {
    // Prepare
    const connectionId = await connectedAs('john');
    const createdAt = clockMs;
    const plain = await accepted(connectionId, JOHN_ACCOUNT);
    const keyed = await createRequest(connectionId, JOHN_ACCOUNT, { key: 'inspect-1', body: '{"note":"x"}' });
    const keyedId = CreatedSchema.parse(await json(keyed)).id;
    await readTimes(connectionId, JOHN_ACCOUNT, plain, 2);

    // Act
    const seen = await inspected(connectionId);
    const stored = dataV3.store.signupPlusRequests(connectionId);

    // Assess
    expect(seen).toEqual([
      {
        id: plain,
        account_id: JOHN_ACCOUNT,
        polls: 2,
        idempotency_key: null,
        body: null,
        created_at: new Date(createdAt).toISOString(),
      },
      {
        id: keyedId,
        account_id: JOHN_ACCOUNT,
        polls: 0,
        idempotency_key: 'inspect-1',
        body: { note: 'x' },
        created_at: new Date(createdAt).toISOString(),
      },
    ]);
    expect(
      stored.map((request) => [request.id, request.connectionId, request.clientId, request.polls]),
    ).toEqual([
      [plain, connectionId, CLIENT.client_id, 2],
      [keyedId, connectionId, CLIENT.client_id, 0],
    ]);
  });
});

describe('the backend bearer token and the connection', () => {
  it.each([
    ['no token', null, 401, 'Unauthenticated'],
    ['an unknown token', 'not-a-token', 401, 'Unauthenticated'],
  ])('refuses %s with %i on both endpoints', async (_label, bearer, status, title) => {
    // Prepare
    const connectionId = await connectedAs('john');
    const requestId = await accepted(connectionId, JOHN_ACCOUNT);

    // Act
    const create = await createRequest(connectionId, JOHN_ACCOUNT, { token: bearer });
    const read = await readRequest(connectionId, JOHN_ACCOUNT, requestId, bearer);

    // Assess
    expect((await problemOf(create, status)).title).toBe(title);
    expect((await problemOf(read, status)).title).toBe(title);
    expect(create.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses a client token without the data scope, and a user token, with 403', async () => {
    // Prepare
    const connectionId = await connectedAs('john');
    const requestId = await accepted(connectionId, JOHN_ACCOUNT);
    const payments = await fetch(`${sim.authUrl}/connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'payments',
        client_id: CLIENT.client_id,
        client_secret: CLIENT.client_secret,
      }),
    });
    const paymentsToken = z.object({ access_token: z.string() }).parse(await json(payments)).access_token;
    const user = (await userToken(sim, 'john')).access_token;

    // Act
    const answers = [
      await createRequest(connectionId, JOHN_ACCOUNT, { token: paymentsToken }),
      await readRequest(connectionId, JOHN_ACCOUNT, requestId, paymentsToken),
      await createRequest(connectionId, JOHN_ACCOUNT, { token: user }),
      await readRequest(connectionId, JOHN_ACCOUNT, requestId, user),
    ];

    // Assess
    for (const answer of answers) {
      expect(await problemOf(answer, 403)).toMatchObject({
        title: 'Forbidden',
        detail: 'The access token does not carry the data scope.',
      });
    }
  });

  it('answers 404 for an unknown connection and for another client’s, on both endpoints', async () => {
    // Prepare
    const connectionId = await connectedAs('john');
    const requestId = await accepted(connectionId, JOHN_ACCOUNT);
    const otherToken = await fetch(`${sim.authUrl}/connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'data',
        client_id: OTHER_CLIENT.client_id,
        client_secret: OTHER_CLIENT.client_secret,
      }),
    });
    const other = z.object({ access_token: z.string() }).parse(await json(otherToken)).access_token;

    // Act
    const answers = [
      await createRequest('no-such-connection', JOHN_ACCOUNT),
      await readRequest('no-such-connection', JOHN_ACCOUNT, requestId),
      await createRequest(connectionId, JOHN_ACCOUNT, { token: other }),
      await readRequest(connectionId, JOHN_ACCOUNT, requestId, other),
    ];

    // Assess
    for (const answer of answers) {
      expect(await problemOf(answer, 404)).toMatchObject({
        title: 'Not Found',
        detail: 'Check the Connection-Id.',
      });
    }
  });

  it('answers 400 Invalid State while the connection is not authorised', async () => {
    // Prepare
    const created = await newConnection();

    // Act
    const create = await createRequest(created.id, JOHN_ACCOUNT);
    const read = await readRequest(created.id, JOHN_ACCOUNT, crypto.randomUUID());

    // Assess
    expect((await problemOf(create, 400)).title).toBe('Invalid State');
    expect((await problemOf(read, 400)).title).toBe('Invalid State');
  });

  it.each([
    ['denied', { decision: 'deny' as const, user: 'john' }],
    ['whose bank login failed', { decision: 'approve' as const, user: 'error.wrong_credentials' }],
  ])('answers 403 once the connection failed (%s)', async (_label, how) => {
    // Prepare
    const created = await newConnection();
    await authorizeConnection(sim, created.hosted_page.uri, how.decision, { user: how.user });

    // Act
    const create = await createRequest(created.id, JOHN_ACCOUNT);
    const read = await readRequest(created.id, JOHN_ACCOUNT, crypto.randomUUID());

    // Assess
    expect(await problemOf(create, 403)).toMatchObject({
      title: 'Forbidden',
      detail: 'The connection is not authorised; the user must reconnect.',
    });
    expect((await problemOf(read, 403)).title).toBe('Forbidden');
  });
});

describe('the account and the request id', () => {
  it.each([
    ['another user’s account', JANE_SECOND],
    ['a made-up account', 'acc-does-not-exist'],
  ])('answers 404 for %s, on both endpoints', async (_label, accountId) => {
    // Prepare
    const connectionId = await connectedAs('john');
    const requestId = await accepted(connectionId, JOHN_ACCOUNT);

    // Act
    const create = await createRequest(connectionId, accountId);
    const read = await readRequest(connectionId, accountId, requestId);

    // Assess
    expect(await problemOf(create, 404)).toMatchObject({
      title: 'Not Found',
      detail: 'Check the account id.',
    });
    expect(await problemOf(read, 404)).toMatchObject({ title: 'Not Found', detail: 'Check the account id.' });
    expect(dataV3.store.signupPlusRequests(connectionId)).toHaveLength(1);
  });

  it('answers 404 for an unknown request id and for one made for another account or connection', async () => {
    // Prepare
    const janeConnection = await connectedAs('jane');
    const otherJaneConnection = await connectedAs('jane');
    const requestId = await accepted(janeConnection, JANE_ACCOUNTS[0]);

    // Act
    const unknown = await readRequest(janeConnection, JANE_ACCOUNTS[0], crypto.randomUUID());
    const otherAccount = await readRequest(janeConnection, JANE_SECOND, requestId);
    const otherConnection = await readRequest(otherJaneConnection, JANE_ACCOUNTS[0], requestId);

    // Assess
    for (const answer of [unknown, otherAccount, otherConnection]) {
      expect(await problemOf(answer, 404)).toMatchObject({
        title: 'Not Found',
        detail: 'No Signup+ request with this id for this connection and account.',
      });
    }
    // Refused reads are not reads of the request: it is still pending for its first one.
    expect((await inspected(janeConnection))[0]?.polls).toBe(0);
    expect(await json(await readRequest(janeConnection, JANE_ACCOUNTS[0], requestId))).toEqual({
      id: requestId,
      status: 'pending',
    });
  });
});

describe('the request body', () => {
  it.each([
    ['no body', undefined, undefined],
    ['an empty body', '', 'application/json'],
    ['an empty object', '{}', 'application/json'],
    ['any object', '{"purpose":"onboarding","nested":{"list":[1,2]}}', 'application/json; charset=utf-8'],
  ])('accepts %s', async (_label, body, contentType) => {
    // Prepare
    const connectionId = await connectedAs('john');

    // Act
    const response = await createRequest(connectionId, JOHN_ACCOUNT, {
      ...(body === undefined ? {} : { body }),
      ...(contentType === undefined ? {} : { contentType }),
    });

    // Assess
    expect(response.status).toBe(202);
    expect((await inspected(connectionId))[0]?.body).toEqual(
      body === undefined || body === '' ? null : JSON.parse(body),
    );
  });

  it.each([
    ['an array', '[]', 'Must be a JSON object'],
    ['a string', '"request"', 'Must be a JSON object'],
    ['a number', '42', 'Must be a JSON object'],
    ['null', 'null', 'Must be a JSON object'],
    ['a body that is not JSON', '{"purpose":', 'Must be JSON'],
  ])('refuses %s with 400 Invalid Parameters, and makes no request', async (_label, body, message) => {
    // Prepare
    const connectionId = await connectedAs('john');

    // Act
    const response = await createRequest(connectionId, JOHN_ACCOUNT, { body });

    // Assess
    expect(await problemOf(response, 400)).toMatchObject({
      title: 'Invalid Parameters',
      errors: { '(body)': [message] },
    });
    expect(dataV3.store.signupPlusRequests(connectionId)).toEqual([]);
  });

  it('refuses a body that is not sent as application/json', async () => {
    // Prepare
    const connectionId = await connectedAs('john');

    // Act
    const response = await createRequest(connectionId, JOHN_ACCOUNT, {
      body: '{}',
      contentType: 'text/plain',
    });

    // Assess
    expect(await problemOf(response, 400)).toMatchObject({
      title: 'Invalid Parameters',
      errors: { '(body)': ['Content-Type must be application/json'] },
    });
  });
});

describe('Idempotency-Key', () => {
  it('answers the same request again for the same key, connection, account and body', async () => {
    // Prepare
    const connectionId = await connectedAs('john');
    const first = await createRequest(connectionId, JOHN_ACCOUNT, { key: 'same-1', body: '{"a":1,"b":2}' });
    const firstBody = CreatedSchema.parse(await json(first));
    await readTimes(connectionId, JOHN_ACCOUNT, firstBody.id, 2);

    // Act
    const again = await createRequest(connectionId, JOHN_ACCOUNT, { key: 'same-1', body: '{"b":2,"a":1}' });
    const fresh = await createRequest(connectionId, JOHN_ACCOUNT, { key: 'same-2', body: '{"a":1,"b":2}' });

    // Assess
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(await json(again)).toEqual(firstBody);
    expect(fresh.status).toBe(202);
    const freshId = CreatedSchema.parse(await json(fresh)).id;
    expect(freshId).not.toBe(firstBody.id);
    expect(dataV3.store.signupPlusRequests(connectionId).map((request) => request.id)).toEqual([
      firstBody.id,
      freshId,
    ]);
  });

  it('takes no body, an empty body and {} as the same request', async () => {
    // Prepare
    const connectionId = await connectedAs('john');

    // Act
    const none = await json(await createRequest(connectionId, JOHN_ACCOUNT, { key: 'empty-1' }));
    const empty = await json(await createRequest(connectionId, JOHN_ACCOUNT, { key: 'empty-1', body: '' }));
    const object = await json(
      await createRequest(connectionId, JOHN_ACCOUNT, { key: 'empty-1', body: '{}' }),
    );

    // Assess
    expect(empty).toEqual(none);
    expect(object).toEqual(none);
    expect(dataV3.store.signupPlusRequests(connectionId)).toHaveLength(1);
  });

  it('refuses the key with 422 for another account, another connection or another body', async () => {
    // Prepare
    const connectionId = await connectedAs('jane');
    const otherConnection = await connectedAs('jane');
    await accepted(connectionId, JANE_ACCOUNTS[0]);
    const first = await createRequest(connectionId, JANE_ACCOUNTS[0], { key: 'reuse-1' });
    expect(first.status).toBe(202);

    // Act
    const answers = [
      await createRequest(connectionId, JANE_SECOND, { key: 'reuse-1' }),
      await createRequest(otherConnection, JANE_ACCOUNTS[0], { key: 'reuse-1' }),
      await createRequest(connectionId, JANE_ACCOUNTS[0], { key: 'reuse-1', body: '{"x":1}' }),
    ];

    // Assess
    for (const answer of answers) expect((await problemOf(answer, 422)).title).toBe('Idempotency-Key Reuse');
    expect(dataV3.store.signupPlusRequests(otherConnection)).toEqual([]);
  });

  it('keeps no key for a refused request, so it can be sent again, fixed, under that key', async () => {
    // Prepare
    const connectionId = await connectedAs('john');
    const refused = await createRequest(connectionId, JOHN_ACCOUNT, { key: 'fix-1', body: '[]' });

    // Act
    const fixed = await createRequest(connectionId, JOHN_ACCOUNT, { key: 'fix-1', body: '{}' });

    // Assess
    expect(refused.status).toBe(400);
    expect(fixed.status).toBe(202);
  });
});

describe('switch signup_plus_request_pending_polls', () => {
  it.each([0, 1, 3, 20])('answers pending for the first %i reads, then completed', async (polls) => {
    // Prepare
    sim.switches.set({ signup_plus_request_pending_polls: polls });
    const connectionId = await connectedAs('john');
    const requestId = await accepted(connectionId, JOHN_ACCOUNT);

    // Act
    const answers = await readTimes(connectionId, JOHN_ACCOUNT, requestId, polls + 1);

    // Assess
    expect(answers.slice(0, polls)).toEqual(
      Array.from({ length: polls }, () => ({ status: 200, body: { id: requestId, status: 'pending' } })),
    );
    expect(answers[polls]).toEqual({
      status: 200,
      body: { id: requestId, status: 'completed', user_data: await servedIdentity('john', JOHN_ACCOUNT) },
    });
  });

  it.each(['signup_plus_request_pending_polls=21', 'signup_plus_request_pending_polls=-1'])(
    'refuses %s',
    (text) => {
      expect(() => parseSwitches(text, 'env')).toThrow(SwitchesError);
    },
  );
});

describe('switch signup_plus_request_outcome', () => {
  it('failed: answers 200 failed with failure_reason user_data_not_found once done', async () => {
    // Prepare
    sim.switches.set({ signup_plus_request_outcome: 'failed' });
    const connectionId = await connectedAs('john');
    const requestId = await accepted(connectionId, JOHN_ACCOUNT);

    // Act
    const [pending, done] = await readTimes(connectionId, JOHN_ACCOUNT, requestId, 2);

    // Assess
    expect(pending).toEqual({ status: 200, body: { id: requestId, status: 'pending' } });
    expect(done).toEqual({
      status: 200,
      body: { id: requestId, status: 'failed', failure_reason: 'user_data_not_found' },
    });
  });

  it('problem: answers 404 Problem Details "User data not found" once done', async () => {
    // Prepare
    sim.switches.set({ signup_plus_request_outcome: 'problem' });
    const connectionId = await connectedAs('john');
    const requestId = await accepted(connectionId, JOHN_ACCOUNT);

    // Act
    const pending = await readRequest(connectionId, JOHN_ACCOUNT, requestId);
    const done = await readRequest(connectionId, JOHN_ACCOUNT, requestId);

    // Assess
    expect(await json(pending)).toEqual({ id: requestId, status: 'pending' });
    expect(await problemOf(done, 404)).toMatchObject({
      title: 'User data not found',
      type: 'https://docs.truelayer.com/docs/signup-errors#user-data-not-found',
    });
  });

  it('never: stays pending for more reads than any pending_polls value', async () => {
    // Prepare
    sim.switches.set({ signup_plus_request_outcome: 'never', signup_plus_request_pending_polls: 0 });
    const connectionId = await connectedAs('john');
    const requestId = await accepted(connectionId, JOHN_ACCOUNT);

    // Act
    const answers = await readTimes(connectionId, JOHN_ACCOUNT, requestId, 25);

    // Assess
    expect(new Set(answers.map((answer) => JSON.stringify(answer)))).toEqual(
      new Set([JSON.stringify({ status: 200, body: { id: requestId, status: 'pending' } })]),
    );
    expect((await inspected(connectionId))[0]?.polls).toBe(25);
  });

  it('completed: the default, and back to it once the switches are reset', async () => {
    // Prepare
    sim.switches.set({ signup_plus_request_outcome: 'problem', signup_plus_request_pending_polls: 0 });
    const connectionId = await connectedAs('john');
    const requestId = await accepted(connectionId, JOHN_ACCOUNT);
    const problem = await readRequest(connectionId, JOHN_ACCOUNT, requestId);
    sim.switches.reset();

    // Act
    const done = await readRequest(connectionId, JOHN_ACCOUNT, requestId);

    // Assess
    expect(problem.status).toBe(404);
    expect(sim.switches.current.signup_plus_request_outcome).toBe('completed');
    expect(await json(done)).toMatchObject({
      id: requestId,
      status: 'completed',
      user_data: { first_name: 'John' },
    });
  });
});

describe('switch signup_plus_request_shape', () => {
  it('flat: the identity’s fields at the top level beside id and status', async () => {
    // Prepare
    sim.switches.set({ signup_plus_request_shape: 'flat', signup_plus_request_pending_polls: 0 });
    const connectionId = await connectedAs('jane');
    const requestId = await accepted(connectionId, JANE_SECOND);
    const identity = z.record(z.string(), z.unknown()).parse(await servedIdentity('jane', JANE_SECOND));

    // Act
    const done = await json(await readRequest(connectionId, JANE_SECOND, requestId));

    // Assess
    expect(done).toEqual({ id: requestId, status: 'completed', ...identity });
    expect(done).not.toHaveProperty('user_data');
  });
});

describe('switch signup_plus_request_status_words', () => {
  it('alternate: in_progress on the create and while pending, then succeeded', async () => {
    // Prepare
    sim.switches.set({ signup_plus_request_status_words: 'alternate' });
    const connectionId = await connectedAs('john');

    // Act
    const created = CreatedSchema.parse(await json(await createRequest(connectionId, JOHN_ACCOUNT)));
    const [pending, done] = await readTimes(connectionId, JOHN_ACCOUNT, created.id, 2);

    // Assess
    expect(created.status).toBe('in_progress');
    expect(pending?.body).toEqual({ id: created.id, status: 'in_progress' });
    expect(done?.body).toEqual({
      id: created.id,
      status: 'succeeded',
      user_data: await servedIdentity('john', JOHN_ACCOUNT),
    });
  });

  it('alternate with failed and flat: failed stays failed; the flat body says succeeded', async () => {
    // Prepare
    sim.switches.set({
      signup_plus_request_status_words: 'alternate',
      signup_plus_request_outcome: 'failed',
      signup_plus_request_pending_polls: 0,
    });
    const connectionId = await connectedAs('john');
    const failedId = await accepted(connectionId, JOHN_ACCOUNT);
    const failed = await json(await readRequest(connectionId, JOHN_ACCOUNT, failedId));
    sim.switches.set({ signup_plus_request_outcome: 'completed', signup_plus_request_shape: 'flat' });
    const flatId = await accepted(connectionId, JOHN_ACCOUNT);

    // Act
    const flat = await json(await readRequest(connectionId, JOHN_ACCOUNT, flatId));

    // Assess
    expect(failed).toEqual({ id: failedId, status: 'failed', failure_reason: 'user_data_not_found' });
    expect(flat).toMatchObject({ id: flatId, status: 'succeeded', first_name: 'John', last_name: 'Doe' });
  });
});

describe('the identity switches apply to the request’s identity', () => {
  it.each([
    { absent_fields: 'null', address_country_key: 'country_code' },
    { absent_fields: 'empty', address_country_key: 'country' },
  ] as const)('with %o it is what GET /signup-plus/accounts?account_id= serves', async (switches) => {
    // Prepare
    sim.switches.set({ ...switches, signup_plus_request_pending_polls: 0 });
    const connectionId = await connectedAs('john');
    const requestId = await accepted(connectionId, JOHN_ACCOUNT);
    const expected = await servedIdentity('john', JOHN_ACCOUNT);

    // Act
    const done = await json(await readRequest(connectionId, JOHN_ACCOUNT, requestId));

    // Assess
    expect(done).toEqual({ id: requestId, status: 'completed', user_data: expected });
    expect(expected).toMatchObject({
      national_identification_number: switches.absent_fields === 'null' ? null : '',
      address: { [switches.address_country_key]: 'GB' },
    });
  });
});

describe('users and accounts without Signup+ data', () => {
  it('answers 404 User data not found, as `problem` does, for a user whose Signup+ answers are an error', async () => {
    // Prepare
    const connectionId = await connectedAs('error.user_data_not_found');
    const requestId = await accepted(connectionId, 'acc-0d9f3e7a6b2c41858');

    // Act
    const [pending] = await readTimes(connectionId, 'acc-0d9f3e7a6b2c41858', requestId, 1);
    const done = await readRequest(connectionId, 'acc-0d9f3e7a6b2c41858', requestId);

    // Assess
    expect(pending).toEqual({ status: 200, body: { id: requestId, status: 'pending' } });
    expect((await problemOf(done, 404)).title).toBe('User data not found');
  });

  it('serves a raw answer’s body for its account, and answers 404 for an account whose raw answer is not a 2xx', async () => {
    // Prepare
    sim.switches.set({ signup_plus_request_pending_polls: 0 });
    const connectionId = await connectedAs('raw.accounts');
    const withData = await accepted(connectionId, 'acc-raw-with-data');
    const noData = await accepted(connectionId, 'acc-raw-no-data');

    // Act
    const served = await json(await readRequest(connectionId, 'acc-raw-with-data', withData));
    const refused = await readRequest(connectionId, 'acc-raw-no-data', noData);

    // Assess
    expect(served).toEqual({
      id: withData,
      status: 'completed',
      user_data: { first_name: 'Raw', last_name: null },
    });
    expect((await problemOf(refused, 404)).title).toBe('User data not found');
  });

  it('answers such a user failed, not 404, when the outcome switch says failed', async () => {
    // Prepare
    sim.switches.set({ signup_plus_request_outcome: 'failed', signup_plus_request_pending_polls: 0 });
    const connectionId = await connectedAs('error.user_data_not_found');
    const requestId = await accepted(connectionId, 'acc-0d9f3e7a6b2c41858');

    // Act
    const done = await readRequest(connectionId, 'acc-0d9f3e7a6b2c41858', requestId);

    // Assess
    expect(done.status).toBe(200);
    expect(await json(done)).toEqual({
      id: requestId,
      status: 'failed',
      failure_reason: 'user_data_not_found',
    });
  });
});

describe('faults by route name', () => {
  it('faults signup_plus_request_read without counting the faulted read as a poll', async () => {
    // Prepare
    const connectionId = await connectedAs('john');
    const requestId = await accepted(connectionId, JOHN_ACCOUNT);
    sim.faults.set([
      { endpoint: 'signup_plus_request_read', fault: { kind: 'status', status: 503 }, times: 1 },
    ]);

    // Act
    const faulted = await readRequest(connectionId, JOHN_ACCOUNT, requestId);
    const [pending, done] = await readTimes(connectionId, JOHN_ACCOUNT, requestId, 2);

    // Assess
    expect((await problemOf(faulted, 503)).title).toBe('Service Unavailable');
    expect(pending?.body).toEqual({ id: requestId, status: 'pending' });
    expect(done?.body).toMatchObject({ id: requestId, status: 'completed' });
  });

  it('gives signup_plus_request_create a schema-breaking body with the schema fault', async () => {
    // Prepare
    const connectionId = await connectedAs('john');
    sim.faults.set([{ endpoint: 'signup_plus_request_create', fault: { kind: 'schema' }, times: 1 }]);

    // Act
    const faulted = await createRequest(connectionId, JOHN_ACCOUNT);

    // Assess
    expect(CreatedSchema.safeParse(await json(faulted)).success).toBe(false);
    expect(dataV3.store.signupPlusRequests(connectionId)).toEqual([]);
  });
});
