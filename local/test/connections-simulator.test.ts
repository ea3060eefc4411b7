import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dataConnectionsClient } from '../../functions/connections/truelayer-client.ts';
import { readTrueLayerEndpoints } from '../../functions/truelayer/config.ts';
import { TrueLayerRejectedError } from '../../functions/truelayer/errors.ts';
import type { ClientToken } from '../../functions/truelayer/token-cache.ts';
import { EXAMPLES } from '../../test/helpers/connections.ts';
import { dataConnectionRoutes } from '../truelayer-sim/data-v3/index.ts';
import { startTrueLayerSimulator, type TrueLayerSimulator } from '../truelayer-sim/index.ts';
import { authLink, sandboxAuthorize } from './fixtures/truelayer-sim/helpers.ts';

const RETURN_URI = 'https://app.example.com/callback';
const APP = { client_id: 'data-app', client_secret: 'data-secret', redirect_uris: [RETURN_URI] };
const LICENSED = { client_id: 'licensed-app', client_secret: 'licensed-secret', redirect_uris: [RETURN_URI] };

let sim: TrueLayerSimulator;
let token: string;

const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  trace_id: z.string(),
  detail: z.string(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});
const createdSchema = z.object({
  id: z.string(),
  user: z.object({ id: z.string() }),
  status: z.string(),
  hosted_page: z.object({ uri: z.string() }).optional(),
  authorization_flow: z
    .object({ actions: z.object({ next: z.object({ type: z.string(), uri: z.string() }) }) })
    .optional(),
});

async function clientToken(client: { client_id: string; client_secret: string }, scope = 'data') {
  const response = await fetch(`${sim.authUrl}/connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, ...client }),
  });
  return z.object({ access_token: z.string() }).parse(await response.json()).access_token;
}

/** `bearer: null` sends no Authorization header. */
function createRaw(body: unknown, headers: Record<string, string> = {}, bearer: string | null = token) {
  return fetch(`${sim.apiUrl}/v3/data-connections`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

async function created(body: unknown, headers: Record<string, string> = {}) {
  const response = await createRaw(body, headers);
  expect(response.status).toBe(201);
  return createdSchema.parse(await response.json());
}

async function hook(uri: string, decision: 'approve' | 'deny', user?: string, providerId?: string) {
  return fetch(`${sim.authUrl}/_sandbox/connections/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      uri,
      decision,
      ...(user ? { user } : {}),
      ...(providerId ? { provider_id: providerId } : {}),
    }),
  });
}

async function redirectTo(response: Response) {
  expect(response.status).toBe(200);
  return new URL(z.object({ redirect_to: z.string() }).parse(await response.json()).redirect_to);
}

const page = (url: string) => fetch(url, { redirect: 'manual' });
const post = (url: string, fields: Record<string, string>) =>
  fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
const formAction = (html: string) => /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';

beforeAll(async () => {
  const dataV3 = dataConnectionRoutes({ aispLicensedClients: [LICENSED.client_id] });
  sim = await startTrueLayerSimulator({
    clients: [APP, LICENSED],
    quiet: true,
    switches: {},
    extraApiRoutes: dataV3.apiRoutes,
    extraAuthRoutes: dataV3.authRoutes,
    extraLinkDeciders: dataV3.linkDeciders,
  });
  token = await clientToken(APP);
});

afterAll(async () => {
  await sim?.close();
});

describe('simulator: POST /v3/data-connections', () => {
  it('answers 401 without a valid bearer token and 403 without the data scope', async () => {
    const missing = await createRaw(EXAMPLES.hosted_flow, {}, null);
    const unknown = await createRaw(EXAMPLES.hosted_flow, {}, 'not-a-token');
    const payments = await createRaw(EXAMPLES.hosted_flow, {}, await clientToken(APP, 'payments'));

    expect(missing.status).toBe(401);
    expect(problemSchema.parse(await missing.json())).toMatchObject({ title: 'Unauthenticated' });
    expect(unknown.status).toBe(401);
    expect(payments.status).toBe(403);
    expect(problemSchema.parse(await payments.json())).toMatchObject({ title: 'Forbidden' });
  });

  it('answers 400 Invalid Parameters with an errors map naming each field', async () => {
    const response = await createRaw({
      ...EXAMPLES.hosted_flow,
      scopes: ['accounts', 'accounts'],
      colour: 'red',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = problemSchema.parse(await response.json());
    expect(problem.title).toBe('Invalid Parameters');
    expect(Object.keys(problem.errors ?? {})).toEqual(expect.arrayContaining(['scopes.1', 'colour']));
  });

  it('refuses a malformed Tl-User-IP and keeps a good one', async () => {
    const bad = await createRaw(EXAMPLES.hosted_flow, { 'tl-user-ip': 'somewhere' });
    const good = await created(EXAMPLES.hosted_flow, { 'tl-user-ip': '198.51.100.4' });

    expect(bad.status).toBe(400);
    expect(problemSchema.parse(await bad.json()).errors).toHaveProperty('Tl-User-IP');
    const inspected = await fetch(`${sim.apiUrl}/_sandbox/data-connections/${good.id}`);
    expect(await inspected.json()).toMatchObject({ tl_user_ip: '198.51.100.4' });
  });

  it('refuses a return URI the client has not registered', async () => {
    const response = await createRaw({
      ...EXAMPLES.hosted_flow,
      hosted_page: { type: 'authorization_flow', return_uri: 'https://elsewhere.example.com/cb' },
    });

    expect(response.status).toBe(400);
    expect(problemSchema.parse(await response.json()).errors).toHaveProperty('hosted_page.return_uri');
  });

  it('lets an AISP-licensed client leave out the user’s details', async () => {
    const anonymous = { ...EXAMPLES.hosted_flow, user: {} };

    const unlicensed = await createRaw(anonymous);
    const licensed = await createRaw(anonymous, {}, await clientToken(LICENSED));

    expect(unlicensed.status).toBe(400);
    expect(licensed.status).toBe(201);
  });

  it('answers the same connection for the same Idempotency-Key and body, and 422 for another body', async () => {
    const first = await created(EXAMPLES.hosted_flow, { 'idempotency-key': 'sim-key-1' });
    const reordered = Object.fromEntries(Object.entries(EXAMPLES.hosted_flow).reverse());
    const again = await created(reordered, { 'idempotency-key': 'sim-key-1' });
    const other = await createRaw(EXAMPLES.own_provider_selection, { 'idempotency-key': 'sim-key-1' });

    expect(again).toEqual(first);
    expect(other.status).toBe(422);
    expect(problemSchema.parse(await other.json()).title).toBe('Idempotency-Key Reuse');
  });

  it.each([
    ['hosted_flow', 'authorization_required', 'hosted_page'],
    ['own_provider_selection', 'authorization_required', 'hosted_page'],
    ['own_provider_selection_and_consent', 'authorization_required', 'hosted_page'],
    ['own_flow_with_result_page', 'authorizing', 'authorization_flow'],
    ['fully_custom', 'authorizing', 'authorization_flow'],
  ] as const)('answers %s with status %s and a %s link', async (configuration, status, field) => {
    const connection = await created(EXAMPLES[configuration]);

    expect(connection.status).toBe(status);
    expect(connection[field]).toBeDefined();
    expect(connection.user.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the caller’s own user id', async () => {
    const connection = await created({
      ...EXAMPLES.hosted_flow,
      user: { id: 'user-42', name: 'J', email: 'j@x.io' },
    });

    expect(connection.user.id).toBe('user-42');
  });
});

describe('simulator: GET /v3/data-connections/{id}', () => {
  it('reports the outcome to its own client only', async () => {
    const connection = await created(EXAMPLES.own_provider_selection);
    const read = (bearer: string) =>
      fetch(`${sim.apiUrl}/v3/data-connections/${connection.id}`, {
        headers: { authorization: `Bearer ${bearer}` },
      });

    const before = await read(token);
    await hook(connection.hosted_page?.uri ?? '', 'approve', 'john');
    const after = await read(token);
    const stranger = await read(await clientToken(LICENSED));

    expect(await before.json()).toMatchObject({ id: connection.id, status: 'authorization_required' });
    expect(await after.json()).toMatchObject({ status: 'authorized', provider_id: 'ob-monzo' });
    expect(stranger.status).toBe(404);
  });
});

describe('simulator: the hosted page and the simulated bank', () => {
  it('walks a browser through bank choice (filtered), consent and login, back to the return URI', async () => {
    const connection = await created({
      ...EXAMPLES.hosted_flow,
      provider_selection: { type: 'user_selected', filter: { countries: ['GB'], excludes: ['ob-monzo'] } },
    });
    const hostedPage = connection.hosted_page?.uri ?? '';

    const banks = await (await page(hostedPage)).text();
    const consent = await (
      await post(`${sim.authUrl}${formAction(banks)}`, { provider_id: 'ob-barclays' })
    ).text();
    const login = await (await post(`${sim.authUrl}${formAction(consent)}`, { decision: 'allow' })).text();
    const wrong = await post(`${sim.authUrl}${formAction(login)}`, {
      username: 'john',
      password: 'not-his',
      decision: 'allow',
    });
    const done = await post(`${sim.authUrl}${formAction(login)}`, {
      username: 'john',
      password: 'doe',
      decision: 'allow',
    });
    const reopened = await page(hostedPage);

    expect(banks).toContain('Barclays');
    expect(banks).not.toContain('Monzo');
    expect(wrong.status).toBe(400);
    expect(consent).toContain('Allow');
    expect(login).toContain('john');
    expect(done.status).toBe(302);
    const back = new URL(done.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(RETURN_URI);
    expect(back.searchParams.get('connection_id')).toBe(connection.id);
    expect(back.searchParams.get('status')).toBe('authorized');
    expect(reopened.status).toBe(400);
  });

  it('skips the bank list and the consent screen the caller already handled', async () => {
    const connection = await created(EXAMPLES.own_provider_selection_and_consent);

    const first = await (await page(connection.hosted_page?.uri ?? '')).text();

    expect(first).toContain('Log in to Monzo');
  });

  it('shows TrueLayer’s result page after the bank when the caller asked for it', async () => {
    const connection = await created(EXAMPLES.own_flow_with_result_page);
    const bank = connection.authorization_flow?.actions.next.uri ?? '';

    const login = await (await page(bank)).text();
    const afterLogin = await post(`${sim.authUrl}${formAction(login)}`, {
      username: 'john',
      password: 'doe',
      decision: 'allow',
    });
    const result = await page(new URL(afterLogin.headers.get('location') ?? '', sim.authUrl).toString());

    expect(afterLogin.status).toBe(302);
    const html = await result.text();
    expect(html).toContain('Account connected');
    expect(html).toContain(`connection_id=${connection.id}`);
  });

  it('fails the connection when the user cancels at the bank', async () => {
    const connection = await created(EXAMPLES.fully_custom);
    const bank = connection.authorization_flow?.actions.next.uri ?? '';

    const login = await (await page(bank)).text();
    const cancelled = await post(`${sim.authUrl}${formAction(login)}`, { decision: 'deny' });

    const back = new URL(cancelled.headers.get('location') ?? '');
    expect(back.searchParams.get('status')).toBe('failed');
    expect(back.searchParams.get('error')).toBe('access_denied');
  });
});

describe('simulator: POST /_sandbox/connections/authorize', () => {
  it('denies, and refuses a link that was already used', async () => {
    const connection = await created(EXAMPLES.hosted_flow);
    const uri = connection.hosted_page?.uri ?? '';

    const denied = await redirectTo(await hook(uri, 'deny'));
    const reused = await hook(uri, 'approve', 'john');

    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(reused.status).toBe(400);
  });

  it('fails a user whose bank login fails', async () => {
    const connection = await created(EXAMPLES.fully_custom);

    const back = await redirectTo(
      await hook(connection.authorization_flow?.actions.next.uri ?? '', 'approve', 'error.wrong_credentials'),
    );

    expect(back.searchParams.get('status')).toBe('failed');
  });

  it('refuses the wrong kind of link, an unknown user and a bank outside the preselection', async () => {
    const hosted = await created(EXAMPLES.own_provider_selection);
    const custom = await created(EXAMPLES.fully_custom);
    const uri = hosted.hosted_page?.uri ?? '';

    const wrongKind = await hook(`${uri}/bank`, 'approve', 'john');
    const unknownUser = await hook(uri, 'approve', 'nobody');
    const otherBank = await hook(uri, 'approve', 'john', 'ob-barclays');
    const noUser = await hook(custom.authorization_flow?.actions.next.uri ?? '', 'approve');

    expect([wrongKind.status, unknownUser.status, otherBank.status, noUser.status]).toEqual([
      400, 400, 400, 400,
    ]);
  });
});

describe('simulator: POST /_sandbox/authorize with a connection link', () => {
  const oneHook = (link: string, decision: 'approve' | 'deny', user?: string, providerId?: string) =>
    sandboxAuthorize(sim, {
      auth_link: link,
      decision,
      ...(user ? { user } : {}),
      ...(providerId ? { provider_id: providerId } : {}),
    });
  const inspect = async (id: string) => {
    const response = await fetch(`${sim.apiUrl}/_sandbox/data-connections/${id}`);
    return z
      .object({
        status: z.string(),
        step: z.string(),
        provider_id: z.string().nullable(),
        username: z.string().nullable(),
        failure_reason: z.string().nullable(),
      })
      .parse(await response.json());
  };
  /** The redirect with the connection's own id blanked, so two twin connections compare equal. */
  const withoutId = (url: URL, id: string) => url.toString().replace(id, '<id>');
  const linkOf = (connection: z.infer<typeof createdSchema>) =>
    connection.hosted_page?.uri ?? connection.authorization_flow?.actions.next.uri ?? '';

  const links = [
    ['a hosted-page link', EXAMPLES.hosted_flow, 'ob-barclays'],
    ['a bank link', EXAMPLES.fully_custom, undefined],
  ] as const;
  const cases = links.flatMap(([label, body, providerId]) =>
    (['approve', 'deny'] as const).map((decision) => ({ label, body, providerId, decision })),
  );

  it.each(cases)(
    'decides $label ($decision) as the dedicated route does',
    async ({ body, providerId, decision }) => {
      const viaOneHook = await created(body);
      const viaDedicated = await created(body);
      expect(linkOf(viaOneHook)).toMatch(/\/data\/[^/]+(\/bank)?$/);

      const one = await redirectTo(await oneHook(linkOf(viaOneHook), decision, 'john', providerId));
      const dedicated = await redirectTo(await hook(linkOf(viaDedicated), decision, 'john', providerId));

      expect(withoutId(one, viaOneHook.id)).toBe(withoutId(dedicated, viaDedicated.id));
      expect(one.searchParams.get('status')).toBe(decision === 'approve' ? 'authorized' : 'failed');
      expect(await inspect(viaOneHook.id)).toEqual(await inspect(viaDedicated.id));
      expect(await inspect(viaOneHook.id)).toMatchObject(
        decision === 'approve'
          ? { status: 'authorized', step: 'done', username: 'john', provider_id: providerId ?? 'ob-monzo' }
          : { status: 'failed', step: 'done', failure_reason: 'access_denied' },
      );
    },
  );

  it('refuses an unknown connection link and the wrong kind of link as the dedicated route does', async () => {
    const hosted = await created(EXAMPLES.own_provider_selection);
    const refused = [
      `${sim.authUrl}/data/no-such-connection`,
      `${sim.authUrl}/data/${hosted.id}/login`,
      `${hosted.hosted_page?.uri ?? ''}/bank`,
    ];

    for (const link of refused) {
      const one = await oneHook(link, 'approve', 'john');
      const dedicated = await hook(link, 'approve', 'john');
      expect([one.status, dedicated.status]).toEqual([400, 400]);
      const oneProblem = problemSchema.parse(await one.json());
      const dedicatedProblem = problemSchema.parse(await dedicated.json());
      // The same refusal, naming the field the link came in.
      expect(oneProblem.title).toBe(dedicatedProblem.title);
      expect(oneProblem.detail).toBe(dedicatedProblem.detail.replace(/^uri /, 'auth_link '));
      expect(oneProblem.errors).toEqual({ auth_link: dedicatedProblem.errors?.uri });
    }
    expect((await inspect(hosted.id)).status).toBe('authorization_required');
  });

  it('refuses a link that was already used, whichever hook used it', async () => {
    const first = await created(EXAMPLES.hosted_flow);
    const second = await created(EXAMPLES.fully_custom);
    await redirectTo(await oneHook(linkOf(first), 'approve', 'john'));
    await redirectTo(await hook(linkOf(second), 'deny'));

    const answers = [
      await oneHook(linkOf(first), 'deny'),
      await hook(linkOf(first), 'deny'),
      await oneHook(linkOf(second), 'approve', 'john'),
    ];

    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(problemSchema.parse(await answer.json()).detail).toBe(
        'This connection has already been completed.',
      );
    }
    expect((await inspect(first.id)).status).toBe('authorized');
    expect((await inspect(second.id)).status).toBe('failed');
  });

  it('refuses what the dedicated route refuses before approving: no user, an unknown user, a bank not offered', async () => {
    const preselected = await created(EXAMPLES.own_provider_selection);
    const link = linkOf(preselected);

    const answers = [
      await oneHook(link, 'approve'),
      await oneHook(link, 'approve', 'nobody'),
      await oneHook(link, 'approve', 'john', 'ob-barclays'),
    ];

    const errors = await Promise.all(answers.map(async (a) => problemSchema.parse(await a.json()).errors));
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
    expect(errors).toEqual([
      { user: ['Required'] },
      { user: ['Unknown user'] },
      { provider_id: ['Not offered'] },
    ]);
    expect((await inspect(preselected.id)).status).toBe('authorization_required');
  });

  it('still takes a Signup+ auth link as a Signup+ auth link', async () => {
    const link = authLink(sim, { client_id: APP.client_id, redirect_uri: RETURN_URI, state: 'one-hook' });

    const approved = await redirectTo(await oneHook(link, 'approve', 'john'));
    const reused = await oneHook(link, 'approve', 'john');

    expect(`${approved.origin}${approved.pathname}`).toBe(RETURN_URI);
    expect(approved.searchParams.get('code')).toBeTruthy();
    expect(approved.searchParams.get('state')).toBe('one-hook');
    expect(problemSchema.parse(await reused.json()).detail).toBe('This auth link has already been used.');
  });

  it('leaves a connection link to the Signup+ handling when the simulator has no link deciders', async () => {
    const dataV3 = dataConnectionRoutes();
    const bare = await startTrueLayerSimulator({
      clients: [APP],
      quiet: true,
      switches: {},
      extraApiRoutes: dataV3.apiRoutes,
      extraAuthRoutes: dataV3.authRoutes,
    });
    try {
      const answer = await sandboxAuthorize(bare, {
        auth_link: `${bare.authUrl}/data/some-connection`,
        decision: 'deny',
      });
      const signupPlus = await sandboxAuthorize(bare, {
        auth_link: authLink(bare, { client_id: APP.client_id, redirect_uri: RETURN_URI }),
        decision: 'deny',
      });

      expect(answer.status).toBe(400);
      const problem = problemSchema.parse(await answer.json());
      expect([problem.detail, problem.errors]).toEqual(['The link has no client_id.', undefined]);
      expect((await redirectTo(signupPlus)).searchParams.get('error')).toBe('access_denied');
    } finally {
      await bare.close();
    }
  });
});

describe('the product’s Data v3 client against the simulator', () => {
  const endpoints = () => ({
    ...readTrueLayerEndpoints({ TRUELAYER_API_BASE_URL: sim.apiUrl }),
    timeoutMs: 2_000,
  });

  it('drops a token TrueLayer refuses and retries once with a fresh one', async () => {
    const handed: string[] = [];
    const invalidated: string[] = [];
    const tokens: ClientToken = {
      async get() {
        const next = handed.length === 0 ? 'revoked-token' : token;
        handed.push(next);
        return next;
      },
      invalidate: (value) => {
        invalidated.push(value);
      },
    };
    const client = dataConnectionsClient({ endpoints: endpoints(), token: tokens });

    const connection = await client.create(EXAMPLES.hosted_flow, { idempotencyKey: 'retry-after-401' });

    expect(connection.status).toBe('authorization_required');
    expect(invalidated).toEqual(['revoked-token']);
    expect(handed).toHaveLength(2);
  });

  it('turns a refusal into TrueLayerRejectedError without TrueLayer’s body', async () => {
    const client = dataConnectionsClient({
      endpoints: endpoints(),
      token: { get: async () => token, invalidate: () => undefined },
    });

    const unknown = await client.outcome({ connectionId: 'no-such-connection', scopes: ['accounts'] });
    const refused = client.create({ scopes: ['secret-value'] }, { idempotencyKey: 'refused' });

    await expect(refused).rejects.toBeInstanceOf(TrueLayerRejectedError);
    await expect(refused).rejects.toMatchObject({
      reason: 'invalid_parameters',
      status: 400,
      truelayer: { status: 400, title: 'Invalid Parameters', trace_id: expect.any(String) },
    });
    await expect(refused).rejects.not.toThrow(/secret-value|scopes/);
    // TrueLayer does not know it as an authorised connection: nothing to record.
    expect(unknown).toEqual({ outcome: 'not_authorized', source: 'connected_accounts' });
  });
});
