import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SERVER_PROBLEMS } from '../../functions/commons/http/problem.ts';
import { connectionConfigurations } from '../../functions/connections/configurations.ts';
import {
  authorizeConnection,
  CALLER_RETURN_URI,
  createdConnectionSchema,
  EXAMPLES,
  postConnection,
} from '../helpers/connections.ts';
import { eventually, requestJson } from '../helpers/http.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
});

afterAll(async () => {
  await stack?.close();
});

const recordSchema = z.object({
  onboarding_id: z.string(),
  connection_id: z.string(),
  truelayer_user_id: z.string(),
  status: z.string(),
  configuration: z.string(),
  scopes: z.array(z.string()),
  data_access_type: z.string(),
  return_uri: z.string().optional(),
  failure: z.object({ reason: z.string(), detail: z.string() }).optional(),
  timeline: z.array(z.object({ at: z.string(), step: z.string() })),
});

const inspectedSchema = z.object({
  status: z.string(),
  configuration: z.string(),
  tl_user_ip: z.string().nullable(),
  idempotency_key: z.string().nullable(),
  body: z.record(z.string(), z.unknown()),
});

const calls = (name: string) => stack.simulator.calls()[name] ?? 0;

/** Sets the simulator's switches for TrueLayer's undocumented points, as a test run would over HTTP. */
async function setSwitches(switches: Record<string, unknown>) {
  const reset = await fetch(`${stack.urls.truelayer_api}/_sandbox/switches`, { method: 'DELETE' });
  expect(reset.status).toBe(204);
  const set = await requestJson('PUT', `${stack.urls.truelayer_api}/_sandbox/switches`, switches);
  expect(set.status).toBe(200);
}

async function create(body: unknown = EXAMPLES.hosted_flow, headers: Record<string, string> = {}) {
  const response = await postConnection(stack, body, headers);
  if (response.status !== 201) {
    throw new Error(`POST /connections answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return createdConnectionSchema.parse(response.body);
}

async function storedConnection(connectionId: string) {
  const response = await requestJson('GET', `${stack.urls.api}/connections/${connectionId}`);
  expect(response.status).toBe(200);
  return recordSchema.parse(response.body);
}

async function atTrueLayer(connectionId: string) {
  const response = await requestJson(
    'GET',
    `${stack.urls.truelayer_api}/_sandbox/data-connections/${connectionId}`,
  );
  return inspectedSchema.parse(response.body);
}

/** The browser arriving at the product's return URL; our own redirect is not followed. */
function returnTo(url: string) {
  return fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
}

const eventsOf = (onboardingId: string, count: number) =>
  eventually(
    async () => stack.events(onboardingId),
    (events) => events.length >= count,
    { what: `${count} events of ${onboardingId}` },
  );

describe('POST /connections', () => {
  // First in the file, so the module-scope token cache starts empty.
  it('fetches one data token for several connections', async () => {
    const before = calls('token');

    await Promise.all([create(), create(), create()]);
    await create(EXAMPLES.fully_custom);
    await create(EXAMPLES.own_provider_selection);

    expect(calls('token') - before).toBe(1);
  });

  it.each(connectionConfigurations)(
    '%s: creates, the user authorises at the simulated bank and returns, and the outcome is recorded and announced',
    async (configuration) => {
      // Prepare
      const hosted = !['own_flow_with_result_page', 'fully_custom'].includes(configuration);

      // Act
      const created = await create(EXAMPLES[configuration]);
      const bankRedirect = await authorizeConnection(stack, created.redirect_to, 'approve', 'john');
      const back = await returnTo(bankRedirect);

      // Assess: the answer says where to send the user, in TrueLayer's own field
      expect(created.configuration).toBe(configuration);
      expect(created.status).toBe(hosted ? 'authorization_required' : 'authorizing');
      expect(created.redirect_to).toBe(
        hosted ? created.hosted_page?.uri : created.authorization_flow?.actions.next.uri,
      );
      expect(created.redirect_to.startsWith(stack.urls.truelayer_auth)).toBe(true);
      expect(created.data_access_type).toBe('recurring');

      // TrueLayer was given the product's return URL, not the caller's
      const sent = await atTrueLayer(created.connection_id);
      const sentReturn =
        hosted || configuration === 'own_flow_with_result_page'
          ? z.object({ hosted_page: z.object({ return_uri: z.string() }) }).parse(sent.body).hosted_page
              .return_uri
          : z
              .object({ authorization_flow: z.object({ redirect: z.object({ return_uri: z.string() }) }) })
              .parse(sent.body).authorization_flow.redirect.return_uri;
      // ... carrying the product's own reference, so the return is matched whatever TrueLayer appends
      expect(sentReturn).toBe(`${stack.urls.api}/connections/return?onboarding_id=${created.onboarding_id}`);
      expect(new URL(bankRedirect).pathname).toBe('/connections/return');
      expect(new URL(bankRedirect).searchParams.get('onboarding_id')).toBe(created.onboarding_id);

      // the user goes on to the caller's page with the connection id and the outcome
      expect(back.status).toBe(302);
      const onward = new URL(back.headers.get('location') ?? '');
      expect(`${onward.origin}${onward.pathname}`).toBe(CALLER_RETURN_URI);
      expect(onward.searchParams.get('connection_id')).toBe(created.connection_id);
      expect(onward.searchParams.get('onboarding_id')).toBe(created.onboarding_id);
      expect(onward.searchParams.get('status')).toBe('authorized');

      // the record is authorised and holds no personal data
      const record = await storedConnection(created.connection_id);
      expect(record).toMatchObject({
        onboarding_id: created.onboarding_id,
        connection_id: created.connection_id,
        truelayer_user_id: created.user.id,
        status: 'authorized',
        configuration,
        scopes: ['accounts', 'transactions'],
        data_access_type: 'recurring',
        return_uri: CALLER_RETURN_URI,
      });
      expect(record.timeline.map((entry) => entry.step)).toEqual(['connection_created', 'authorized']);
      expect(JSON.stringify(record)).not.toMatch(/Jane|jane@example\.com/);

      // two events, the second carrying the connection id later data calls need
      const events = await eventsOf(created.onboarding_id, 2);
      expect(events.map((event) => event['detail-type'])).toEqual([
        'Data Connection Created',
        'Data Connection Authorized',
      ]);
      expect(events[0]?.detail).toMatchObject({
        schema_version: '1',
        onboarding_id: created.onboarding_id,
        connection_id: created.connection_id,
        status: created.status,
        configuration,
      });
      expect(events[1]?.detail).toMatchObject({
        schema_version: '1',
        connection_id: created.connection_id,
        truelayer_user_id: created.user.id,
      });
      expect(JSON.stringify(events)).not.toMatch(/Jane|jane@example\.com/);
    },
  );

  it('records a denial as failed, announces it and tells the caller’s page', async () => {
    const created = await create(EXAMPLES.own_provider_selection);

    const bankRedirect = await authorizeConnection(stack, created.redirect_to, 'deny');
    const back = await returnTo(bankRedirect);

    const onward = new URL(back.headers.get('location') ?? '');
    expect(onward.searchParams.get('status')).toBe('failed');
    expect(onward.searchParams.get('error')).toBe('access_denied');
    const record = await storedConnection(created.connection_id);
    expect(record.status).toBe('failed');
    expect(record.failure?.reason).toBe('access_denied');
    const events = await eventsOf(created.onboarding_id, 2);
    expect(events.map((event) => event['detail-type'])).toEqual([
      'Data Connection Created',
      'Data Connection Failed',
    ]);
    expect(events[1]?.detail).toMatchObject({ failure: { reason: 'access_denied' } });
  });

  it('sends the end user’s IP to TrueLayer as Tl-User-IP when the caller gives it', async () => {
    const withIp = await create(EXAMPLES.hosted_flow, { 'X-End-User-IP': '203.0.113.7' });
    const withIpv6 = await create(EXAMPLES.hosted_flow, { 'X-End-User-IP': '2001:db8::1' });
    const without = await create(EXAMPLES.hosted_flow);

    expect((await atTrueLayer(withIp.connection_id)).tl_user_ip).toBe('203.0.113.7');
    expect((await atTrueLayer(withIpv6.connection_id)).tl_user_ip).toBe('2001:db8::1');
    expect((await atTrueLayer(without.connection_id)).tl_user_ip).toBeNull();
  });

  it('refuses a malformed end-user IP before calling TrueLayer', async () => {
    const before = calls('data_connections');

    const response = await postConnection(stack, EXAMPLES.hosted_flow, { 'X-End-User-IP': '300.1.1.1' });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ field: 'X-End-User-IP' }] });
    expect(calls('data_connections')).toBe(before);
  });

  it('refuses an invalid request with every problem named, calling TrueLayer for nothing and storing nothing', async () => {
    const before = { calls: calls('data_connections'), events: stack.events().length };

    const response = await postConnection(stack, {
      ...EXAMPLES.hosted_flow,
      scopes: [],
      metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])),
      hosted_page: { type: 'authorization_flow' },
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      status: 400,
      type: 'urn:signupplus:problem:invalid-request',
      errors: expect.arrayContaining([
        { field: 'scopes', message: expect.any(String) },
        { field: 'metadata', message: expect.any(String) },
        { field: 'hosted_page.return_uri', message: expect.any(String) },
      ]),
    });
    expect(calls('data_connections')).toBe(before.calls);
    expect(stack.events()).toHaveLength(before.events);
  });

  it('refuses a combination outside the five configurations and lists the five', async () => {
    const before = calls('data_connections');

    const response = await postConnection(stack, {
      ...EXAMPLES.hosted_flow,
      user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
    });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      errors: [{ field: '(configuration)' }],
      supported_configurations: connectionConfigurations.map((configuration) => ({ configuration })),
    });
    expect(calls('data_connections')).toBe(before);
  });

  it('answers a repeated Idempotency-Key with the same connection, and a changed body with 409', async () => {
    const key = `order-${Date.now()}`;
    const before = calls('data_connections');

    const first = await postConnection(stack, EXAMPLES.hosted_flow, { 'Idempotency-Key': key });
    const repeat = await postConnection(stack, EXAMPLES.hosted_flow, { 'Idempotency-Key': key });
    const changed = await postConnection(stack, EXAMPLES.own_provider_selection, { 'Idempotency-Key': key });

    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(changed.status).toBe(409);
    expect(calls('data_connections') - before).toBe(1);
    const created = createdConnectionSchema.parse(first.body);
    // TrueLayer got a key derived from the caller's, stable across the caller's retries
    const sentKey = (await atTrueLayer(created.connection_id)).idempotency_key;
    expect(sentKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(sentKey).not.toBe(key);
    expect(stack.events(created.onboarding_id)).toHaveLength(1);
  });

  it('accepts TrueLayer’s own full example and sends TrueLayer the table’s form of it', async () => {
    const example = {
      provider_selection: {
        type: 'user_selected',
        filter: { countries: ['GB'], release_channel: 'public', customer_segments: ['retail'] },
      },
      hosted_page: { type: 'authorization_flow', redirect: { return_uri: CALLER_RETURN_URI } },
      scopes: ['accounts', 'transactions'],
      user: { name: 'Jane Smith', email: 'jane@example.com', phone: '+447700900000' },
      user_consent: { type: 'authorization_flow_captured' },
      data_access_type: 'recurring',
    };

    const created = await create(example);
    const sent = (await atTrueLayer(created.connection_id)).body;

    expect(created.configuration).toBe('hosted_flow');
    expect(sent).toMatchObject({
      provider_selection: { filter: { release_channel: 'public' } },
      hosted_page: {
        type: 'authorization_flow',
        return_uri: `${stack.urls.api}/connections/return?onboarding_id=${created.onboarding_id}`,
      },
    });
    expect(sent).not.toHaveProperty('hosted_page.redirect');
    expect((await storedConnection(created.connection_id)).return_uri).toBe(CALLER_RETURN_URI);
  });

  it('creates a new connection for each request without an Idempotency-Key', async () => {
    const first = await create();
    const second = await create();

    expect(second.connection_id).not.toBe(first.connection_id);
  });

  it('rides out a brief TrueLayer outage within the request', async () => {
    const before = calls('data_connections');
    stack.simulator.faults.set([
      { endpoint: 'data_connections', fault: { kind: 'status', status: 503 }, times: 1 },
    ]);
    try {
      const response = await postConnection(stack, EXAMPLES.hosted_flow);

      expect(response.status).toBe(201);
      expect(calls('data_connections') - before).toBe(2);
    } finally {
      stack.simulator.faults.clear();
    }
  });

  it.each([
    { fault: { kind: 'status', status: 503 } as const, status: 503, code: 'truelayer_unavailable' as const },
    { fault: { kind: 'schema' } as const, status: 502, code: 'truelayer_rejected' as const },
  ])(
    'answers $status when TrueLayer keeps failing with $fault.kind, storing nothing',
    async ({ fault, status, code }) => {
      const before = stack.events().length;
      stack.simulator.faults.set([{ endpoint: 'data_connections', fault }]);
      try {
        const response = await postConnection(stack, EXAMPLES.hosted_flow);

        expect(response.status).toBe(status);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        // TrueLayer's own body is never passed on, only what Support asks for
        expect(JSON.stringify(response.body)).not.toMatch(/temporarily unavailable|authorization_required/);
        expect(response.body).toMatchObject({
          code,
          detail: SERVER_PROBLEMS[code].detail,
          // The invocation's request id, which its log lines carry: what support looks up.
          trace_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          truelayer: {
            status: expect.any(Number),
            trace_id: expect.any(String),
            correlation_id: expect.any(String),
          },
        });
        expect(stack.events()).toHaveLength(before);
      } finally {
        stack.simulator.faults.clear();
      }
    },
  );
});

describe('GET /connections/return', () => {
  it('leaves a connection pending while TrueLayer has no outcome, whatever the query claims', async () => {
    const created = await create();

    const forged = await returnTo(
      `${stack.urls.api}/connections/return?connection_id=${created.connection_id}&status=authorized`,
    );

    expect(forged.status).toBe(302);
    expect(new URL(forged.headers.get('location') ?? '').searchParams.get('status')).toBe('pending');
    expect((await storedConnection(created.connection_id)).status).toBe('authorization_required');
    expect(stack.events(created.onboarding_id)).toHaveLength(1);
  });

  it('treats a repeated return as the same outcome, announced under one event id', async () => {
    const created = await create(EXAMPLES.fully_custom);
    const bankRedirect = await authorizeConnection(stack, created.redirect_to);

    const answers = await Promise.all([
      returnTo(bankRedirect),
      returnTo(bankRedirect),
      returnTo(bankRedirect),
    ]);

    for (const answer of answers) expect(answer.status).toBe(302);
    const record = await storedConnection(created.connection_id);
    expect(record.timeline.map((entry) => entry.step)).toEqual(['connection_created', 'authorized']);
    const authorized = (await eventsOf(created.onboarding_id, 2)).filter(
      (event) => event['detail-type'] === 'Data Connection Authorized',
    );
    expect(new Set(authorized.map((event) => event.detail.event_id)).size).toBe(1);
  });

  it('shows a page for an unknown connection and for a return without one', async () => {
    const unknown = await returnTo(`${stack.urls.api}/connections/return?connection_id=no-such-connection`);
    const missing = await returnTo(`${stack.urls.api}/connections/return?status=authorized`);

    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('text/html');
    expect(missing.status).toBe(400);
  });

  it.each([
    { return_connection_id: false, data_connection_endpoint: 'present' },
    { return_connection_id: true, data_connection_endpoint: 'absent' },
    { return_connection_id: false, data_connection_endpoint: 'absent' },
  ] as const)('records the outcome whatever TrueLayer appends and offers: %o', async (switches) => {
    await setSwitches(switches);
    try {
      const approved = await create(EXAMPLES.hosted_flow);
      const denied = await create(EXAMPLES.own_provider_selection);
      const approvedReturn = await authorizeConnection(stack, approved.redirect_to, 'approve', 'john');
      const deniedReturn = await authorizeConnection(stack, denied.redirect_to, 'deny');

      const backs = [await returnTo(approvedReturn), await returnTo(deniedReturn)];

      expect(new URL(approvedReturn).searchParams.has('connection_id')).toBe(switches.return_connection_id);
      const statuses = backs.map((back) =>
        new URL(back.headers.get('location') ?? '').searchParams.get('status'),
      );
      expect(statuses).toEqual(['authorized', 'failed']);
      expect((await storedConnection(approved.connection_id)).status).toBe('authorized');
      expect((await storedConnection(denied.connection_id)).failure?.reason).toBe('access_denied');
      if (switches.data_connection_endpoint === 'absent') {
        // learnt through the documented GET /v3/connected-accounts with Connection-Id
        expect(calls('connected_accounts')).toBeGreaterThan(0);
      }
    } finally {
      await setSwitches({});
    }
  });

  it('sends the user to the configured return page when the request named none', async () => {
    const created = await create({ ...EXAMPLES.fully_custom, authorization_flow: {} });
    const bankRedirect = await authorizeConnection(stack, created.redirect_to);

    const back = await returnTo(bankRedirect);

    const onward = new URL(back.headers.get('location') ?? '');
    expect(onward.origin).toBe(stack.urls.api);
    expect(onward.searchParams.get('status')).toBe('authorized');
  });
});

describe('GET /connections/{id}', () => {
  it('answers 404 for an unknown connection and 400 for a malformed id', async () => {
    const unknown = await requestJson('GET', `${stack.urls.api}/connections/6b0f4a1e-unknown`);
    const malformed = await requestJson('GET', `${stack.urls.api}/connections/${encodeURIComponent('a b')}`);

    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(400);
  });
});
