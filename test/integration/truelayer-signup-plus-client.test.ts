/**
 * The product's Signup+ client (functions/truelayer/signup-plus-client.ts)
 * against the local stack's simulator, under each of the simulator's switches and its
 * documented errors: what the onboarding workflow gets back, whatever
 * TrueLayer's undocumented answers turn out to be.
 */

import {
  BUILT_IN_USERS_PATH,
  type LocalStack,
  loadSandboxUsers,
  type SandboxUser,
  startLocalStack,
} from '@signupplus/local';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TrueLayerEndpoints } from '../../functions/truelayer/config.ts';
import { trueLayerFailure } from '../../functions/truelayer/failures.ts';
import { getSignupPlusAccounts } from '../../functions/truelayer/signup-plus-client.ts';
import { sandboxUserToken } from '../helpers/truelayer-token.ts';

/** Raw answers in the documented shapes, each with one thing TrueLayer may do. */
const RAW: SandboxUser[] = [
  {
    username: 'raw.sparse',
    accounts: [],
    signup_plus: {
      status: 200,
      body: {
        title: null,
        first_name: 'Sam',
        last_name: 'Sparse',
        address: { address_line1: '1 High St', address_line2: '', zip: null, country_code: 'gb' },
        account_details: { iban: 'GB33BUKB20201555555555' },
      },
    },
  },
  {
    username: 'raw.nameless',
    accounts: [],
    signup_plus: {
      status: 200,
      body: { first_name: 'Sam', last_name: '', account_details: { sort_code: '01-21-31' } },
    },
  },
  {
    username: 'raw.gzip',
    accounts: [],
    signup_plus: {
      status: 200,
      headers: { 'content-encoding': 'gzip' },
      body: {
        first_name: 'Zip',
        last_name: 'Ped',
        account_details: { sort_code: '01-21-31', account_number: '1' },
      },
    },
  },
];

let stack: LocalStack;
let sim: LocalStack['simulator'];
let endpoints: TrueLayerEndpoints;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    users: [...loadSandboxUsers(BUILT_IN_USERS_PATH), ...RAW],
  });
  sim = stack.simulator;
  endpoints = {
    environment: 'sandbox',
    authBaseUrl: stack.urls.truelayer_auth,
    apiBaseUrl: stack.urls.truelayer_api,
    hppBaseUrl: stack.urls.truelayer_auth,
    webhooksJwksUrl: `${stack.urls.truelayer_auth}/.well-known/jwks`,
    timeoutMs: 2_000,
  };
});

afterEach(() => {
  sim.switches.reset();
});

afterAll(async () => {
  await stack?.close();
});

const tokenOf = (user: string) => sandboxUserToken(stack, user);

describe('getSignupPlusAccounts', () => {
  it.each([200, 300, 400, 409])(
    'takes the multi-account answer with status %i, then the chosen account',
    async (status) => {
      sim.switches.set({ multiple_accounts_status: status });
      const token = await tokenOf('jane');

      const listed = await getSignupPlusAccounts(endpoints, token);
      const chosen = await getSignupPlusAccounts(endpoints, token, { accountId: 'acc-8232b085624e6babf' });

      expect(listed).toMatchObject({
        kind: 'multiple_accounts',
        accounts: [
          { account_id: 'acc-aa360adff0f1574e1', display_name: 'TRANSACTION ACCOUNT 1' },
          { account_id: 'acc-8232b085624e6babf' },
          { account_id: 'acc-469b2c2bcaea10969' },
        ],
      });
      expect(chosen).toMatchObject({
        kind: 'identity',
        identity: { account_details: { account_number: '30000000' } },
      });
    },
  );

  it.each([
    { absent_fields: 'omit' },
    { absent_fields: 'null' },
    { absent_fields: 'empty' },
    { absent_fields: 'null', address_country_key: 'country_code', gzip: true },
    { absent_fields: 'empty', address_country_key: 'country_code' },
  ] as const)('reads the same identity under %o', async (switches) => {
    const expected = { john: await getSignupPlusAccounts(endpoints, await tokenOf('john')) };
    sim.switches.set(switches);

    const john = await getSignupPlusAccounts(endpoints, await tokenOf('john'));
    const ivy = await getSignupPlusAccounts(endpoints, await tokenOf('ivy'));

    expect(JSON.parse(JSON.stringify(john))).toEqual(JSON.parse(JSON.stringify(expected.john)));
    expect(JSON.parse(JSON.stringify(ivy))).toEqual({
      kind: 'identity',
      identity: expect.not.objectContaining({ national_identification_number: expect.anything() }),
    });
    expect(ivy).toMatchObject({
      identity: { account_details: { iban: 'GB33BUKB20201555555555', provider_id: 'ob-barclays' } },
    });
    if ('gzip' in switches) expect(sim.calls()['gzipped']).toBeGreaterThan(0);
  });

  it('carries what a sparse answer has and leaves out the rest', async () => {
    const result = await getSignupPlusAccounts(endpoints, await tokenOf('raw.sparse'));

    expect(JSON.parse(JSON.stringify(result))).toEqual({
      kind: 'identity',
      identity: {
        first_name: 'Sam',
        last_name: 'Sparse',
        address: { address_line1: '1 High St', country: 'GB' },
        account_details: { iban: 'GB33BUKB20201555555555' },
      },
    });
  });

  it('reads a gzip answer', async () => {
    expect(await getSignupPlusAccounts(endpoints, await tokenOf('raw.gzip'))).toMatchObject({
      identity: { first_name: 'Zip' },
    });
  });

  it('names the missing essentials of an incomplete identity, never a value', async () => {
    const attempt = getSignupPlusAccounts(endpoints, await tokenOf('raw.nameless'));

    await expect(attempt).rejects.toMatchObject({
      name: 'IdentityIncompleteError',
      missing: ['last_name', 'account_details.account_number'],
    });
    const failure = trueLayerFailure(await attempt.catch((error: unknown) => error));
    expect(failure).toMatchObject({ reason: 'identity_incomplete' });
    expect(failure?.detail).toContain('Missing: last_name, account_details.account_number.');
    expect(JSON.stringify(failure)).not.toContain('Sam');
  });

  it.each([
    ['error.user_data_not_found', 'SignupPlusNotEligibleError', 'user_data_not_found', 422],
    ['error.joint_account', 'SignupPlusNotEligibleError', 'joint_account_not_supported', 422],
    ['error.provider_not_supported', 'SignupPlusNotEligibleError', 'provider_not_supported', 400],
    ['error.user_input_required', 'TrueLayerReconnectRequiredError', 'reconnect_required', 400],
    ['error.account_permanently_locked', 'TrueLayerReconnectRequiredError', 'reconnect_required', 403],
    ['error.provider_error', 'TrueLayerUnavailableError', 'truelayer_unavailable', 502],
  ])('turns %s into %s (%s), keeping what Support asks for', async (user, name, reason, status) => {
    const token = await tokenOf(user);

    const error = await getSignupPlusAccounts(endpoints, token).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name });
    expect(trueLayerFailure(error)).toMatchObject({
      reason,
      truelayer: {
        status,
        trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        correlation_id: expect.any(String),
      },
    });
  });

  it('asks the user to reconnect when the token is no longer valid (401 Unauthorized)', async () => {
    const error = await getSignupPlusAccounts(endpoints, 'revoked-or-unknown').catch(
      (caught: unknown) => caught,
    );

    expect(trueLayerFailure(error)).toMatchObject({
      reason: 'reconnect_required',
      truelayer: { status: 401, title: 'Unauthorized' },
    });
  });

  it('does not retry 502 Feature Not Supported, and reads it as a bank that cannot do Signup+', async () => {
    const token = await tokenOf('john');
    const before = sim.calls()['accounts'] ?? 0;
    sim.faults.set([
      { endpoint: 'accounts', fault: { kind: 'status', status: 502, title: 'Feature Not Supported' } },
    ]);
    try {
      const error = await getSignupPlusAccounts(endpoints, token).catch((caught: unknown) => caught);

      expect(trueLayerFailure(error)?.reason).toBe('provider_not_supported');
      expect((sim.calls()['accounts'] ?? 0) - before).toBe(1);
    } finally {
      sim.faults.clear();
    }
  });

  it('passes the user’s IP on as X-PSU-IP, and leaves out what is not an IP address', async () => {
    const token = await tokenOf('john');

    await getSignupPlusAccounts(endpoints, token, { endUserIp: '203.0.113.7' });
    await getSignupPlusAccounts(endpoints, token, { endUserIp: '2001:db8::1' });
    await getSignupPlusAccounts(endpoints, token, { endUserIp: 'not-an-ip' });
    await getSignupPlusAccounts(endpoints, token);

    expect(
      sim
        .signupPlusRequests()
        .slice(-4)
        .map((request) => request.x_psu_ip),
    ).toEqual(['203.0.113.7', '2001:db8::1', null, null]);
  });
});
