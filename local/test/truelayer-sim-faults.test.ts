import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticateBearer,
  type FaultRule,
  jsonResponse,
  type RouteDefinition,
  type TrueLayerSimulator,
} from '../truelayer-sim/index.ts';
import {
  authLink,
  CLIENT,
  codeFor,
  exchangeCode,
  getAccounts,
  startSim,
  tokenRequest,
} from './fixtures/truelayer-sim/helpers.ts';

/** A route another module could register: Data v3 connection creation. */
const dataConnections: RouteDefinition = {
  method: 'POST',
  path: '/v3/data-connections',
  name: 'data_connections',
  handle(ctx) {
    const auth = authenticateBearer(ctx, { scope: 'data', user: false });
    if (!auth.ok) return auth.response;
    return jsonResponse(201, { id: 'conn-1', status: 'authorization_required', client: auth.token.clientId });
  },
};

const connectionById: RouteDefinition = {
  method: 'GET',
  path: '/v3/data-connections/:id',
  name: 'data_connection',
  handle: (ctx) => jsonResponse(200, { id: ctx.params['id'] }),
};

const hostedPage: RouteDefinition = {
  method: 'GET',
  path: '/hosted/:id',
  name: 'hosted_page',
  faultable: false,
  handle: (ctx) => ({
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: `page ${ctx.params['id']}`,
  }),
};

let sim: TrueLayerSimulator;

beforeAll(async () => {
  sim = await startSim({
    seed: 42,
    extraApiRoutes: [dataConnections, connectionById],
    extraAuthRoutes: [hostedPage],
  });
});

afterEach(() => {
  sim.faults.clear();
  sim.setLatency(0);
});

afterAll(async () => {
  await sim.close();
});

/** Accounts without a token: 401 when the call passes, something else when a fault hits. */
async function accountsStatus(): Promise<number> {
  return (await getAccounts(sim)).status;
}

function clientToken(scope: string): Promise<Response> {
  return tokenRequest(sim, {
    grant_type: 'client_credentials',
    client_id: CLIENT.client_id,
    client_secret: CLIENT.client_secret,
    scope,
  });
}

describe('fault kinds', () => {
  it('drop: the connection is reset and fetch rejects', async () => {
    sim.faults.set([{ endpoint: 'accounts', fault: { kind: 'drop' } }]);
    const before = sim.calls()['accounts'] ?? 0;
    await expect(getAccounts(sim)).rejects.toThrow();
    expect(sim.calls()['accounts']).toBe(before + 1);
  });

  it('timeout: no answer, so a fetch with a deadline gives up', async () => {
    sim.faults.set([{ endpoint: 'token', fault: { kind: 'timeout' } }]);
    const started = performance.now();
    await expect(
      fetch(`${sim.authUrl}/connect/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow(/timeout|aborted/i);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('status 429 carries Retry-After and a problem body', async () => {
    sim.faults.set([{ endpoint: 'accounts', fault: { kind: 'status', status: 429, retryAfterSeconds: 7 } }]);
    const res = await getAccounts(sim);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({
      type: 'https://docs.truelayer.com/docs/error-types#rate-limit-exceeded',
      title: 'Rate Limit Exceeded',
      status: 429,
      trace_id: res.headers.get('tl-trace-id'),
    });
  });

  it.each([
    [500, 'Unknown Error'],
    [502, 'Provider Error'],
    [503, 'Service Unavailable'],
  ] as const)('status %i answers a %s problem without Retry-After', async (status, title) => {
    sim.faults.set([{ endpoint: 'token', fault: { kind: 'status', status } }]);
    const res = await clientToken('data');
    expect(res.status).toBe(status);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.headers.get('x-tl-correlation-id')).toBeTruthy();
    expect(((await res.json()) as { title: string }).title).toBe(title);
  });

  it('malformed: 200 whose body is not JSON', async () => {
    sim.faults.set([{ endpoint: 'token', fault: { kind: 'malformed' } }]);
    const res = await clientToken('data');
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it('schema: 200 with JSON that breaks the endpoint shape', async () => {
    sim.faults.set([
      { endpoint: 'token', fault: { kind: 'schema' } },
      { endpoint: 'accounts', fault: { kind: 'schema' } },
    ]);
    const token = (await (await clientToken('data')).json()) as Record<string, unknown>;
    expect(typeof token['access_token']).not.toBe('string');
    expect(typeof token['expires_in']).not.toBe('number');
    const accounts = await getAccounts(sim);
    expect(accounts.status).toBe(200);
    const body = (await accounts.json()) as Record<string, unknown>;
    expect(typeof body['first_name']).not.toBe('string');
  });

  it('latency: delays the answer, adds to the fixed latency and to other faults', async () => {
    sim.faults.set([
      { endpoint: 'accounts', fault: { kind: 'latency', ms: 120 } },
      { endpoint: 'accounts', fault: { kind: 'status', status: 503 } },
    ]);
    sim.setLatency(80);
    const started = performance.now();
    expect(await accountsStatus()).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('a faulted call changes nothing: the same code still works on retry', async () => {
    const code = await codeFor(sim, authLink(sim), 'john');
    sim.faults.set([{ endpoint: 'token', fault: { kind: 'status', status: 502 }, times: 1 }]);
    expect((await exchangeCode(sim, code)).status).toBe(502);
    expect((await exchangeCode(sim, code)).status).toBe(200);
  });
});

describe('when a rule applies', () => {
  it('sequence: call i faults iff sequence[i]; later calls pass', async () => {
    sim.faults.set([
      { endpoint: 'accounts', fault: { kind: 'status', status: 500 }, sequence: [true, false, true] },
    ]);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push(await accountsStatus());
    expect(statuses).toEqual([500, 401, 500, 401, 401]);
  });

  it('sequence counts only calls to its own endpoint', async () => {
    sim.faults.set([
      { endpoint: 'accounts', fault: { kind: 'status', status: 500 }, sequence: [false, true] },
    ]);
    expect(await accountsStatus()).toBe(401);
    expect((await clientToken('data')).status).toBe(200);
    expect(await accountsStatus()).toBe(500);
  });

  it('times: the next N calls fault, then the rule is spent', async () => {
    sim.faults.set([{ endpoint: 'accounts', fault: { kind: 'status', status: 503 }, times: 2 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push(await accountsStatus());
    expect(statuses).toEqual([503, 503, 401, 401]);
  });

  it('rate with a seed is deterministic across simulators and across set()', async () => {
    const rules: FaultRule[] = [{ endpoint: 'accounts', fault: { kind: 'status', status: 500 }, rate: 0.5 }];
    const pattern = async (target: TrueLayerSimulator) => {
      target.faults.set(rules);
      const out: boolean[] = [];
      for (let i = 0; i < 24; i += 1) out.push((await getAccounts(target)).status === 500);
      return out;
    };
    const twin = await startSim({ seed: 42 });
    try {
      const first = await pattern(sim);
      expect(await pattern(twin)).toEqual(first);
      expect(await pattern(sim)).toEqual(first);
      expect(first).toContain(true);
      expect(first).toContain(false);
    } finally {
      await twin.close();
    }
    const otherSeed = await startSim({ seed: 7 });
    try {
      expect(await pattern(otherSeed)).not.toEqual(await pattern(sim));
    } finally {
      await otherSeed.close();
    }
  });

  it('rate 0 never fires and rate 1 always fires', async () => {
    sim.faults.set([{ endpoint: 'accounts', fault: { kind: 'status', status: 500 }, rate: 0 }]);
    expect(await accountsStatus()).toBe(401);
    sim.faults.set([{ endpoint: 'accounts', fault: { kind: 'status', status: 500 }, rate: 1 }]);
    expect(await accountsStatus()).toBe(500);
  });

  it('"*" hits every faultable endpoint but not the dialog or the sandbox controls', async () => {
    sim.faults.set([{ endpoint: '*', fault: { kind: 'status', status: 503 } }]);
    expect(await accountsStatus()).toBe(503);
    expect((await clientToken('data')).status).toBe(503);
    expect((await fetch(`${sim.apiUrl}/v3/data-connections/abc`)).status).toBe(503);
    expect((await fetch(authLink(sim), { redirect: 'manual' })).status).toBe(200);
    expect((await fetch(`${sim.authUrl}/hosted/x`)).status).toBe(200);
    expect((await fetch(`${sim.apiUrl}/_sandbox/faults`, { method: 'DELETE' })).status).toBe(204);
    expect(await accountsStatus()).toBe(401);
  });

  it('rejects rules with more than one trigger or a bad fault', () => {
    expect(() =>
      sim.faults.set([{ endpoint: 'token', fault: { kind: 'drop' }, times: 1, rate: 0.5 }]),
    ).toThrow();
    expect(() =>
      sim.faults.set([{ endpoint: 'token', fault: { kind: 'status', status: 404 as 500 } }]),
    ).toThrow();
  });
});

describe('fault control over HTTP', () => {
  it('PUT on one host is visible on the other; DELETE clears', async () => {
    const rules = [
      { endpoint: 'token', fault: { kind: 'status', status: 429, retryAfterSeconds: 1 }, times: 1 },
    ];
    const put = await fetch(`${sim.apiUrl}/_sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules }),
    });
    expect(put.status).toBe(200);
    expect(await (await fetch(`${sim.authUrl}/_sandbox/faults`)).json()).toEqual({ rules });
    expect(sim.faults.list()).toEqual(rules);
    expect((await clientToken('data')).status).toBe(429);

    expect((await fetch(`${sim.authUrl}/_sandbox/faults`, { method: 'DELETE' })).status).toBe(204);
    expect(await (await fetch(`${sim.apiUrl}/_sandbox/faults`)).json()).toEqual({ rules: [] });
  });

  it('answers 400 with the problems for invalid rules', async () => {
    const res = await fetch(`${sim.authUrl}/_sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ endpoint: 'token', fault: { kind: 'explode' } }] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Record<string, string[]> };
    expect(Object.keys(body.errors)[0]).toContain('rules.0.fault');
    expect(sim.faults.list()).toEqual([]);
  });
});

describe('extra routes, latency and call counts', () => {
  it('serves registered extra routes with the bearer helper, faults by name and path params', async () => {
    const { access_token } = (await (await clientToken('data')).json()) as { access_token: string };
    const create = () =>
      fetch(`${sim.apiUrl}/v3/data-connections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}` },
      });
    const ok = await create();
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({
      id: 'conn-1',
      status: 'authorization_required',
      client: CLIENT.client_id,
    });
    expect(ok.headers.get('x-tl-correlation-id')).toBeTruthy();

    sim.faults.set([{ endpoint: 'data_connections', fault: { kind: 'status', status: 502 }, times: 1 }]);
    expect((await create()).status).toBe(502);
    expect((await create()).status).toBe(201);
    expect(await (await fetch(`${sim.apiUrl}/v3/data-connections/conn%2F9`)).json()).toEqual({
      id: 'conn/9',
    });
    expect(await (await fetch(`${sim.authUrl}/hosted/abc`)).text()).toBe('page abc');
  });

  it('refuses an extra route that clashes with a built-in one', async () => {
    await expect(
      startSim({ extraApiRoutes: [{ ...connectionById, method: 'GET', path: '/signup-plus/accounts' }] }),
    ).rejects.toThrow(/registered twice/);
  });

  it('adds the fixed latency option to API and token calls', async () => {
    const slow = await startSim({ latencyMs: 150 });
    try {
      let started = performance.now();
      expect((await getAccounts(slow)).status).toBe(401);
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
      slow.setLatency(0);
      started = performance.now();
      await getAccounts(slow);
      expect(performance.now() - started).toBeLessThan(145);
      expect(() => slow.setLatency(-1)).toThrow();
    } finally {
      await slow.close();
    }
  });

  it('counts calls per endpoint name', async () => {
    const fresh = await startSim();
    try {
      await getAccounts(fresh);
      await getAccounts(fresh);
      await fetch(`${fresh.authUrl}/connect/token`, { method: 'POST' });
      expect(fresh.calls()).toEqual({ accounts: 2, token: 1 });
    } finally {
      await fresh.close();
    }
  });
});

describe('close()', () => {
  it('ends held timeout sockets so nothing hangs', async () => {
    const held = await startSim();
    held.faults.set([{ endpoint: 'accounts', fault: { kind: 'timeout' } }]);
    const pending = getAccounts(held);
    // Wait (bounded) until the server has the request, then close with it still held.
    const deadline = Date.now() + 5_000;
    while ((held.calls()['accounts'] ?? 0) === 0) {
      if (Date.now() > deadline) throw new Error('request never reached the simulator');
      await new Promise((resolve) => setImmediate(resolve));
    }
    const started = performance.now();
    await held.close();
    await expect(pending).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2_000);
    // Closing twice is harmless.
    await held.close();
  });
});
