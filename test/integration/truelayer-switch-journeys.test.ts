/**
 * Whole Signup+ journeys through the local stack under each of the
 * simulator's switches for TrueLayer's undocumented points, and with the
 * answers TrueLayer documents: the product must reach the same end whatever
 * the switch says. The switches are flipped over HTTP between journeys, as a
 * test of a deployed stack against the simulator would.
 *
 * What failure reason a journey records is the workflow's mapping; here the
 * error each step raised is read from the execution history.
 */

import {
  BUILT_IN_USERS_PATH,
  type LocalStack,
  loadSandboxUsers,
  type SandboxUser,
  startLocalStack,
} from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readyForPaymentDetailSchema } from '../../functions/contract/onboarding-events.ts';
import { eventually, requestJson } from '../helpers/http.ts';
import { executionEnded, startJourney, waitForStatus } from '../helpers/journey.ts';

const NAMELESS: SandboxUser = {
  username: 'raw.nameless',
  accounts: [],
  signup_plus: {
    status: 200,
    body: { first_name: 'Nell', last_name: null, account_details: { iban: 'GB33BUKB20201555555555' } },
  },
};

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    retryIntervalMs: 1,
    users: [...loadSandboxUsers(BUILT_IN_USERS_PATH), NAMELESS],
  });
});

afterAll(async () => {
  await stack?.close();
});

async function setSwitches(switches: Record<string, unknown>) {
  expect((await fetch(`${stack.urls.truelayer_api}/_sandbox/switches`, { method: 'DELETE' })).status).toBe(
    204,
  );
  expect((await requestJson('PUT', `${stack.urls.truelayer_api}/_sandbox/switches`, switches)).status).toBe(
    200,
  );
}

const calls = (name: string) => stack.simulator.calls()[name] ?? 0;

async function completed(user: string) {
  const { onboardingId } = await startJourney(stack, user);
  return waitForStatus(stack, onboardingId, ['completed', 'failed', 'expired'], 20_000);
}

const historyEventSchema = z
  .object({
    taskFailedEventDetails: z.object({ error: z.string() }).optional(),
    lambdaFunctionFailedEventDetails: z.object({ error: z.string() }).optional(),
  })
  .loose();

/** The error names the journey's steps failed with, in order. */
async function stepErrors(onboardingId: string) {
  const execution = await executionEnded(stack, onboardingId);
  return stack.stepFunctions
    .history(execution.executionArn)
    .map((event) => historyEventSchema.parse(event))
    .flatMap((event) => {
      const error = event.taskFailedEventDetails?.error ?? event.lambdaFunctionFailedEventDetails?.error;
      return error === undefined ? [] : [error];
    });
}

describe('the multi-account answer, whatever its status', () => {
  it.each([200, 300, 400, 409])(
    'waits for jane’s choice and completes with it (status %i)',
    async (status) => {
      await setSwitches({ multiple_accounts_status: status });
      const { onboardingId } = await startJourney(stack, 'jane');
      await waitForStatus(stack, onboardingId, ['awaiting_account_choice'], 20_000);

      const chosen = await requestJson(
        'POST',
        `${stack.urls.api}/onboardings/${onboardingId}/account-choice`,
        {
          account_id: 'acc-8232b085624e6babf',
        },
      );
      const view = await waitForStatus(stack, onboardingId, ['completed', 'failed'], 20_000);

      expect(chosen.status).toBe(202);
      expect(view).toMatchObject({ status: 'completed', account: { account_number: '30000000' } });
    },
  );
});

describe('absent fields, compression and the address key', () => {
  let baseline: Awaited<ReturnType<typeof completed>>;

  beforeAll(async () => {
    await setSwitches({});
    baseline = await completed('john');
  });

  it.each([
    { absent_fields: 'null' },
    { absent_fields: 'empty' },
    { gzip: true },
    { address_country_key: 'country_code' },
    { absent_fields: 'null', gzip: true, address_country_key: 'country_code' },
  ])('gives john the same record under %o', async (switches) => {
    await setSwitches(switches);
    const gzipped = calls('gzipped');

    const view = await completed('john');

    expect(view.status).toBe('completed');
    expect(view.user).toEqual(baseline.user);
    expect(view.account).toEqual(baseline.account);
    if ('gzip' in switches) expect(calls('gzipped')).toBeGreaterThan(gzipped);
  });
});

describe('what TrueLayer may leave out', () => {
  it('completes pat, whose bank sends nulls and empty strings, carrying only what it sent', async () => {
    await setSwitches({});
    const view = await completed('pat');

    expect(view.status).toBe('completed');
    expect(view.user).toEqual({ first_name: 'Pat', last_name: 'Sparse' });
    expect(view.account).toEqual({ sort_code: '01-21-31', account_number: '60000000' });
    const ready = await eventually(
      async () =>
        stack
          .events(view.onboarding_id)
          .find((event) => event['detail-type'] === 'Onboarding Ready For Payment'),
      (event) => event !== undefined,
    );
    expect(readyForPaymentDetailSchema.safeParse(ready?.detail).success).toBe(true);
    expect(ready?.detail).toMatchObject({
      user: { first_name: 'Pat' },
      account: { account_number: '60000000' },
    });
  });

  it('fails a journey whose answer lacks a last name with IdentityIncompleteError, not retried', async () => {
    await setSwitches({});
    const before = calls('accounts');

    const view = await completed('raw.nameless');

    expect(view.status).toBe('failed');
    // The step records the failure itself (nothing for the state machine to retry or catch).
    expect(view.failure?.reason).toBe('identity_incomplete');
    expect(await stepErrors(view.onboarding_id)).toEqual([]);
    expect(calls('accounts') - before).toBe(1);
    expect(stack.events(view.onboarding_id).map((event) => event['detail-type'])).toEqual([
      'Onboarding Failed',
    ]);
  });
});

describe('TrueLayer’s documented refusals', () => {
  it.each([
    ['error.joint_account', 'joint_account_not_supported'],
    ['error.user_data_not_found', 'user_data_not_found'],
    ['error.provider_not_supported', 'provider_not_supported'],
    ['error.user_input_required', 'reconnect_required'],
  ])('ends %s at once with reason %s, recorded by the step', async (user, reason) => {
    await setSwitches({});
    const before = calls('accounts');

    const view = await completed(user);

    expect(view.status).toBe('failed');
    expect(view.failure?.reason).toBe(reason);
    expect(await stepErrors(view.onboarding_id)).toEqual([]);
    expect(calls('accounts') - before).toBe(1);
  });

  it('does not retry 502 Feature Not Supported', async () => {
    await setSwitches({});
    stack.simulator.faults.set([
      { endpoint: 'accounts', fault: { kind: 'status', status: 502, title: 'Feature Not Supported' } },
    ]);
    try {
      const before = calls('accounts');
      const view = await completed('john');

      expect(view.status).toBe('failed');
      expect(view.failure?.reason).toBe('provider_not_supported');
      expect(await stepErrors(view.onboarding_id)).toEqual([]);
      expect(calls('accounts') - before).toBe(1);
    } finally {
      stack.simulator.faults.clear();
    }
  });
});
