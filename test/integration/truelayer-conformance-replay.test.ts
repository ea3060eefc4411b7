/**
 * Replays the conformance run's fixtures (test/fixtures/truelayer-conformance/
 * <mode>/, written by `npm run conformance`, redacted): TrueLayer's recorded
 * Signup+ answers are served verbatim by the simulator (as a users file's raw
 * answers, by the local stack's simulator) and read by the product's own client, which must make of them what
 * it made during the run. A run against TrueLayer's sandbox adds a `sandbox`
 * directory, replayed the same way.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LocalStack, type SandboxUser, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createdDataConnectionSchema } from '../../functions/connections/truelayer-client.ts';
import { tokenResponseSchema } from '../../functions/truelayer/common-schemas.ts';
import type { TrueLayerEndpoints } from '../../functions/truelayer/config.ts';
import { trueLayerFailure } from '../../functions/truelayer/failures.ts';
import { getSignupPlusAccounts } from '../../functions/truelayer/signup-plus-client.ts';
import { sandboxUserToken } from '../helpers/truelayer-token.ts';

const ROOT = 'test/fixtures/truelayer-conformance';

const fixtureSchema = z.object({
  call: z.string(),
  truelayer: z.enum(['sandbox', 'simulator']),
  request: z.object({ query: z.record(z.string(), z.unknown()) }).loose(),
  response: z.object({ status: z.int(), headers: z.record(z.string(), z.string()), body: z.unknown() }),
  product: z
    .union([z.object({ kind: z.string() }), z.object({ error: z.string(), reason: z.string().optional() })])
    .optional(),
});
type Fixture = z.infer<typeof fixtureSchema>;

const runs = existsSync(ROOT)
  ? readdirSync(ROOT).filter((name) => existsSync(join(ROOT, name, 'summary.json')))
  : [];

function fixturesOf(run: string): Fixture[] {
  return readdirSync(join(ROOT, run))
    .filter((name) => /^\d{2}-.*\.json$/.test(name))
    .sort()
    .map((name) => fixtureSchema.parse(JSON.parse(readFileSync(join(ROOT, run, name), 'utf8'))));
}

/** The recorded answer as a raw answer: status, compression and body as TrueLayer sent them. */
const raw = (fixture: Fixture) => ({
  status: fixture.response.status,
  headers: {
    'content-type': fixture.response.headers['content-type'] ?? 'application/json',
    ...(fixture.response.headers['content-encoding']
      ? { 'content-encoding': fixture.response.headers['content-encoding'] }
      : {}),
  },
  body: fixture.response.body,
});

const accountsCalls = (fixtures: Fixture[]) =>
  fixtures.filter((fixture) => fixture.call === 'GET /signup-plus/accounts');
/** The last answer of each call: in-invocation retries record several, and the product reads the last. */
const lastPer = (fixtures: Fixture[], key: (fixture: Fixture) => string) => [
  ...new Map(fixtures.map((fixture) => [key(fixture), fixture])).values(),
];
const accountIdOf = (fixture: Fixture) => {
  const value = fixture.request.query['account_id'];
  return typeof value === 'string' ? value : undefined;
};

function replayUser(run: string, fixtures: Fixture[]): SandboxUser {
  const calls = lastPer(accountsCalls(fixtures), (fixture) => accountIdOf(fixture) ?? '');
  const listing = calls.find((fixture) => accountIdOf(fixture) === undefined);
  return {
    username: `replay.${run}`,
    accounts: [],
    signup_plus: listing ? raw(listing) : { status: 500, body: null },
    signup_plus_by_account: Object.fromEntries(
      calls.flatMap((fixture) => {
        const accountId = accountIdOf(fixture);
        return accountId === undefined ? [] : [[accountId, raw(fixture)]];
      }),
    ),
  };
}

let stack: LocalStack;
let endpoints: TrueLayerEndpoints;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    users: runs.map((run) => replayUser(run, fixturesOf(run))),
  });
  endpoints = {
    environment: 'sandbox',
    authBaseUrl: stack.urls.truelayer_auth,
    apiBaseUrl: stack.urls.truelayer_api,
    hppBaseUrl: stack.urls.truelayer_auth,
    webhooksJwksUrl: `${stack.urls.truelayer_auth}/.well-known/jwks`,
    timeoutMs: 2_000,
  };
});

afterAll(async () => {
  await stack?.close();
});

const readingOf = async (run: () => Promise<{ kind: string }>) => {
  try {
    return { kind: (await run()).kind };
  } catch (error) {
    return {
      error: error instanceof Error ? error.name : 'unknown',
      reason: trueLayerFailure(error)?.reason,
    };
  }
};

describe('conformance fixtures', () => {
  it('include at least the simulator’s run, committed with the code', () => {
    expect(runs).toContain('simulator');
  });

  it.each(runs)('hold no secret-looking values (%s)', (run) => {
    const text = readdirSync(join(ROOT, run))
      .map((name) => readFileSync(join(ROOT, run, name), 'utf8'))
      .join('\n');
    expect(text).not.toMatch(/"(access_token|refresh_token|code|client_secret)":\s*"(?!<)/);
    expect(text).not.toMatch(/Bearer [A-Za-z0-9_-]{8,}/);
    expect(text).not.toMatch(/acc-[0-9a-f]{8,}/);
  });

  it.each(runs)('are read by the product as they were during the run (%s)', async (run) => {
    const fixtures = fixturesOf(run);
    const token = await sandboxUserToken(stack, `replay.${run}`);
    const calls = lastPer(accountsCalls(fixtures), (fixture) => accountIdOf(fixture) ?? '');
    expect(calls.length).toBeGreaterThan(0);

    for (const fixture of calls) {
      const accountId = accountIdOf(fixture);
      const read = await readingOf(() =>
        getSignupPlusAccounts(endpoints, token, accountId === undefined ? {} : { accountId }),
      );
      expect(read, `${fixture.call} ${accountId ?? ''}`).toEqual(fixture.product);
    }
  });

  it.each(runs)('give token and Data v3 answers the product’s readers take (%s)', (run) => {
    for (const fixture of fixturesOf(run)) {
      if (fixture.response.status < 200 || fixture.response.status > 299) continue;
      if (fixture.call === 'POST /connect/token') {
        expect(tokenResponseSchema.safeParse(fixture.response.body).success, fixture.call).toBe(true);
      }
      if (fixture.call === 'POST /v3/data-connections') {
        const parsed = createdDataConnectionSchema.safeParse(fixture.response.body);
        expect(parsed.success, fixture.call).toBe(true);
      }
    }
  });
});
