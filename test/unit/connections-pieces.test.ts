import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError } from '../../functions/commons/env.ts';
import { RequestValidationError } from '../../functions/commons/errors.ts';
import { CONFIGURATIONS, classifyConfiguration } from '../../functions/connections/configurations.ts';
import {
  type CreateConnectionDependencies,
  createConnection,
  trueLayerBody,
} from '../../functions/connections/create-connection.ts';
import { NextActionUnsupportedError } from '../../functions/connections/errors.ts';
import {
  type HandleReturnDependencies,
  handleConnectionReturn,
} from '../../functions/connections/handle-return.ts';
import type { ConnectionRecord } from '../../functions/connections/model.ts';
import type { SettleRequest } from '../../functions/connections/repository.ts';
import { type ConnectionRequest, checkConnectionRequest } from '../../functions/connections/request.ts';
import { readConnectionSettings } from '../../functions/connections/settings.ts';
import type {
  ConnectionOutcome,
  CreatedDataConnection,
} from '../../functions/connections/truelayer-client.ts';
import type { DetailType } from '../../functions/contract/events.ts';
import type { Onboarding } from '../../functions/onboarding/model.ts';
import { TrueLayerContractError } from '../../functions/truelayer/errors.ts';
import { cachedClientToken, REFRESH_MARGIN_SECONDS } from '../../functions/truelayer/token-cache.ts';
import { CALLER_RETURN_URI, EXAMPLES } from '../helpers/connections.ts';

const PRODUCT_RETURN = 'https://api.example.com/connections/return';

function requestOf(configuration: keyof typeof EXAMPLES): ConnectionRequest {
  const check = checkConnectionRequest(EXAMPLES[configuration], { aispLicensed: false });
  if (!check.ok) throw new Error(`example ${configuration} is invalid`);
  return check.request;
}

describe('client-credentials token cache', () => {
  function fakeAuthServer(expiresInSeconds = 3600) {
    let fetches = 0;
    return {
      fetch: async () => {
        fetches += 1;
        await Promise.resolve();
        return { accessToken: `token-${fetches}`, expiresInSeconds };
      },
      fetches: () => fetches,
    };
  }

  it('fetches one token for a burst of concurrent requests', async () => {
    const server = fakeAuthServer();
    const cache = cachedClientToken(server.fetch, () => 0);

    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get()));

    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(server.fetches()).toBe(1);
  });

  it('renews the token a minute before TrueLayer says it expires', async () => {
    const server = fakeAuthServer(3600);
    let now = 0;
    const cache = cachedClientToken(server.fetch, () => now);
    await cache.get();

    now = (3600 - REFRESH_MARGIN_SECONDS) * 1000 - 1;
    const stillCached = await cache.get();
    now += 1;
    const renewed = await cache.get();

    expect(stillCached).toBe('token-1');
    expect(renewed).toBe('token-2');
  });

  it('reuses a very short-lived token for half its life', async () => {
    const server = fakeAuthServer(30);
    let now = 0;
    const cache = cachedClientToken(server.fetch, () => now);
    await cache.get();

    now = 14_999;
    expect(await cache.get()).toBe('token-1');
    now = 15_000;
    expect(await cache.get()).toBe('token-2');
  });

  it('fetches a new token once the current one is invalidated, and ignores stale invalidations', async () => {
    const server = fakeAuthServer();
    const cache = cachedClientToken(server.fetch, () => 0);
    const first = await cache.get();

    cache.invalidate(first);
    const second = await cache.get();
    cache.invalidate(first);

    expect(second).toBe('token-2');
    expect(await cache.get()).toBe('token-2');
  });
});

describe('the body sent to TrueLayer', () => {
  it.each(Object.keys(EXAMPLES) as Array<keyof typeof EXAMPLES>)(
    'carries the product’s return URL instead of the caller’s (%s)',
    (configuration) => {
      const body = trueLayerBody(requestOf(configuration), PRODUCT_RETURN);

      const sent = JSON.stringify(body);
      expect(sent).toContain(PRODUCT_RETURN);
      expect(sent).not.toContain(CALLER_RETURN_URI);
      expect(body.data_access_type).toBe('recurring');
    },
  );

  it('adds a redirect to a fully custom flow that had none', () => {
    const request = { ...requestOf('fully_custom'), authorization_flow: {} };

    expect(trueLayerBody(request, PRODUCT_RETURN).authorization_flow).toEqual({
      redirect: { return_uri: PRODUCT_RETURN },
    });
  });
});

describe('configurations', () => {
  it('are five distinct shapes', () => {
    expect(CONFIGURATIONS).toHaveLength(5);
    for (const description of CONFIGURATIONS) {
      expect(classifyConfiguration(description)?.configuration).toBe(description.configuration);
    }
  });
});

describe('connection settings', () => {
  const base = { CONNECTION_RETURN_URL: PRODUCT_RETURN };

  it('reads the AISP licence switch, off by default', () => {
    expect(readConnectionSettings(base).aispLicensed).toBe(false);
    expect(readConnectionSettings({ ...base, TRUELAYER_AISP_LICENSED: 'true' }).aispLicensed).toBe(true);
    expect(readConnectionSettings({ ...base, TRUELAYER_AISP_LICENSED: 'false' }).aispLicensed).toBe(false);
  });

  it.each([
    { CONNECTION_RETURN_URL: 'http://api.example.com/connections/return' },
    {},
    { ...base, TRUELAYER_AISP_LICENSED: 'yes' },
  ])('refuses %j at load', (env) => {
    expect(() => readConnectionSettings(env)).toThrow(ConfigurationError);
  });
});

/** An in-memory stand-in for the repository, the publisher and TrueLayer. */
function fakes(options: { created?: CreatedDataConnection; state?: ConnectionOutcome } = {}) {
  const records = new Map<string, ConnectionRecord>();
  const references = new Map<string, string>();
  const asked: string[] = [];
  const cleared: string[] = [];
  const published: Array<{ type: DetailType; detail: unknown }> = [];
  const repository = {
    async create(record: ConnectionRecord) {
      const stored = records.get(record.connection_id) ?? record;
      records.set(stored.connection_id, stored);
      references.set(stored.onboarding_id, stored.connection_id);
      return stored;
    },
    async find(connectionId: string) {
      return records.get(connectionId);
    },
    async findByOnboardingId(onboardingId: string) {
      const connectionId = references.get(onboardingId);
      return connectionId === undefined ? undefined : records.get(connectionId);
    },
    async get(connectionId: string) {
      const record = records.get(connectionId);
      if (!record) throw new Error('not found');
      return record;
    },
    async settle(connectionId: string, request: SettleRequest) {
      const record = await repository.get(connectionId);
      if (record.status === 'authorized' || record.status === 'failed') return { record, won: false };
      const settled: ConnectionRecord = {
        ...record,
        status: request.to,
        ...(request.failure ? { failure: request.failure } : {}),
        timeline: [...record.timeline, request.timeline],
      };
      records.set(connectionId, settled);
      return { record: settled, won: true };
    },
    async clearDue(connectionId: string) {
      cleared.push(connectionId);
    },
  };
  const publish: CreateConnectionDependencies['publish'] = async (type, detail) => {
    published.push({ type, detail });
  };
  const created = options.created ?? {
    id: 'conn-1',
    user: { id: 'user-1' },
    status: 'authorization_required',
    hosted_page: { uri: 'https://app.truelayer.test/data/conn-1' },
  };
  let state: ConnectionOutcome = options.state ?? { outcome: 'authorized', source: 'data_connection' };
  const sent: unknown[] = [];
  const trueLayer = {
    create: async (body: unknown) => {
      sent.push(body);
      return created;
    },
    outcome: async ({ connectionId }: { connectionId: string }) => {
      asked.push(connectionId);
      return state;
    },
  };
  const onboardings: Onboarding[] = [];
  const started: string[] = [];
  const deps: CreateConnectionDependencies & HandleReturnDependencies = {
    trueLayer,
    repository,
    onboardings: {
      create: async (onboarding: Onboarding) => {
        onboardings.push(onboarding);
      },
    },
    startSignupPlus: async (onboardingId: string) => {
      started.push(onboardingId);
    },
    publish,
    settings: { returnUrl: PRODUCT_RETURN, retentionDays: 30, linkTtlSeconds: 600 },
    now: () => new Date('2025-06-01T10:00:00Z'),
  };
  return {
    deps,
    records,
    published,
    sent,
    asked,
    cleared,
    onboardings,
    started,
    setState: (next: ConnectionOutcome) => {
      state = next;
    },
  };
}

describe('createConnection', () => {
  it('refuses a TrueLayer answer without the hosted page its configuration needs, storing nothing', async () => {
    const { deps, records, published } = fakes({
      created: { id: 'conn-1', user: { id: 'u' }, status: 'authorization_required' },
    });

    const attempt = createConnection(
      { request: requestOf('hosted_flow'), configuration: 'hosted_flow', trueLayerIdempotencyKey: 'k' },
      deps,
    );

    await expect(attempt).rejects.toBeInstanceOf(TrueLayerContractError);
    expect(records.size).toBe(0);
    expect(published).toHaveLength(0);
  });

  it.each(['consent', 'wait', 'form', 'provider_selection', undefined])(
    'answers a next action without a URI (%s) with a problem that says what to do, storing nothing',
    async (type) => {
      const { deps, records, published } = fakes({
        created: {
          id: 'conn-1',
          user: { id: 'u' },
          status: 'authorizing',
          authorization_flow: { actions: { next: type === undefined ? {} : { type } } },
        },
      });

      const attempt = createConnection(
        { request: requestOf('fully_custom'), configuration: 'fully_custom', trueLayerIdempotencyKey: 'k' },
        deps,
      );

      await expect(attempt).rejects.toBeInstanceOf(NextActionUnsupportedError);
      await expect(attempt).rejects.toMatchObject({
        kind: 'upstream_rejected',
        extensions: { connection_id: 'conn-1', next_action: type ?? null },
        message: expect.stringContaining('hosted_page.type authorization_flow'),
      });
      expect(records.size).toBe(0);
      expect(published).toHaveLength(0);
    },
  );

  it('relays a redirect next action and takes the configuration’s status when TrueLayer sends none', async () => {
    const { deps } = fakes({
      created: {
        id: 'conn-1',
        user: { id: 'u' },
        authorization_flow: { actions: { next: { type: 'redirect', uri: 'https://bank.test/authorize' } } },
      },
    });

    const created = await createConnection(
      { request: requestOf('fully_custom'), configuration: 'fully_custom', trueLayerIdempotencyKey: 'k' },
      deps,
    );

    expect(created).toMatchObject({ status: 'authorizing', redirect_to: 'https://bank.test/authorize' });
  });

  it('puts its own reference in the return URL it gives TrueLayer, the same on a retry', async () => {
    const { deps, sent } = fakes();
    const input = {
      request: requestOf('hosted_flow'),
      configuration: 'hosted_flow' as const,
      trueLayerIdempotencyKey: 'k',
    };

    const first = await createConnection(input, deps);
    await createConnection(input, deps);

    const returnUris = sent.map(
      (body) =>
        z.object({ hosted_page: z.object({ return_uri: z.string() }) }).parse(body).hosted_page.return_uri,
    );
    expect(returnUris[0]).toBe(`${PRODUCT_RETURN}?onboarding_id=${first.onboarding_id}`);
    expect(returnUris[1]).toBe(returnUris[0]);
  });

  it('stores no personal data and publishes the same event id when retried', async () => {
    const { deps, records, published } = fakes();
    const input = {
      request: requestOf('hosted_flow'),
      configuration: 'hosted_flow' as const,
      trueLayerIdempotencyKey: 'k',
    };

    const first = await createConnection(input, deps);
    const retry = await createConnection({ ...input }, deps);

    expect(retry).toEqual(first);
    const stored = JSON.stringify([...records.values()]);
    expect(stored).not.toContain('Jane');
    expect(stored).not.toContain('jane@example.com');
    expect(published.map((event) => event.type)).toEqual([
      'Data Connection Created',
      'Data Connection Created',
    ]);
    expect(JSON.stringify(published)).not.toContain('Jane');
    const ids = published.map((event) => z.object({ event_id: z.string() }).parse(event.detail).event_id);
    expect(new Set(ids).size).toBe(1);
  });
});

describe('handleConnectionReturn', () => {
  async function createdConnection(options: Parameters<typeof fakes>[0] = {}) {
    const world = fakes(options);
    const created = await createConnection(
      { request: requestOf('hosted_flow'), configuration: 'hosted_flow', trueLayerIdempotencyKey: 'k' },
      world.deps,
    );
    return { ...world, reference: created.onboarding_id };
  }

  it('finds the connection by the product’s reference alone, with no connection_id from TrueLayer', async () => {
    const world = await createdConnection();

    const result = await handleConnectionReturn({ onboarding_id: world.reference }, world.deps);

    expect(result.outcome).toBe('authorized');
    expect(world.asked).toEqual(['conn-1']);
    expect(world.published.at(-1)?.type).toBe('Data Connection Authorized');
  });

  it('trusts its reference over a connection_id that names something else', async () => {
    const world = await createdConnection();

    const result = await handleConnectionReturn(
      { onboarding_id: world.reference, connection_id: 'some-other-id' },
      world.deps,
    );

    expect(result.record.connection_id).toBe('conn-1');
    expect(world.asked).toEqual(['conn-1']);
  });

  it('falls back on connection_id when the reference is missing, and refuses a return naming neither', async () => {
    const world = await createdConnection();

    const byId = await handleConnectionReturn({ connection_id: 'conn-1' }, world.deps);
    const neither = handleConnectionReturn({ connection_id: 'not a valid id!' }, world.deps);

    expect(byId.outcome).toBe('authorized');
    await expect(neither).rejects.toBeInstanceOf(RequestValidationError);
  });

  it('records nothing while TrueLayer reports the connection pending, whatever the query says', async () => {
    const world = await createdConnection({ state: { outcome: 'pending', source: 'data_connection' } });

    const result = await handleConnectionReturn(
      { onboarding_id: world.reference, error: 'access_denied' },
      world.deps,
    );

    expect(result.outcome).toBe('pending');
    expect(world.records.get('conn-1')?.status).toBe('authorization_required');
    expect(world.published.map((event) => event.type)).toEqual(['Data Connection Created']);
  });

  it('fails a connection the data endpoints call unauthorised only when the user came back with an error', async () => {
    const world = await createdConnection({
      state: { outcome: 'not_authorized', source: 'connected_accounts' },
    });

    const early = await handleConnectionReturn({ onboarding_id: world.reference }, world.deps);
    const denied = await handleConnectionReturn(
      { onboarding_id: world.reference, error: 'access_denied' },
      world.deps,
    );

    expect(early.outcome).toBe('pending');
    expect(denied.outcome).toBe('failed');
    expect(denied.record.failure?.reason).toBe('access_denied');
  });

  it('takes the failure reason from TrueLayer first, then from the query, never a malformed one', async () => {
    const world = await createdConnection({ state: { outcome: 'failed', source: 'data_connection' } });

    const result = await handleConnectionReturn(
      { onboarding_id: world.reference, error: '<script>alert(1)</script>' },
      world.deps,
    );

    expect(result.outcome).toBe('failed');
    expect(result.record.failure?.reason).toBe('authorization_failed');
    expect(world.published.at(-1)?.type).toBe('Data Connection Failed');
  });

  it('keeps the first outcome, and asks TrueLayer no more once it is recorded', async () => {
    const world = await createdConnection();
    await handleConnectionReturn({ onboarding_id: world.reference }, world.deps);
    world.setState({ outcome: 'failed', source: 'data_connection', failureReason: 'revoked' });

    const again = await handleConnectionReturn({ onboarding_id: world.reference }, world.deps);

    expect(again.outcome).toBe('authorized');
    expect(world.records.get('conn-1')?.status).toBe('authorized');
    expect(world.asked).toHaveLength(1);
    expect(world.published.map((event) => event.type).slice(-2)).toEqual([
      'Data Connection Authorized',
      'Data Connection Authorized',
    ]);
  });
});
