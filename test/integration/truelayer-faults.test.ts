import type { TrueLayerFaultRule as FaultRule } from '@signupplus/local';
import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failureOf } from '../../functions/onboarding/failure-reasons.ts';
import { eventually, requestJson } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  executionEnded,
  followRedirect,
  startJourney,
  waitForStatus,
} from '../helpers/journey.ts';

const CLIENT_SECRET = 'fault-test-client-secret';
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    retryIntervalMs: 1,
    trueLayerTimeoutMs: 300,
    clientSecret: CLIENT_SECRET,
  });
});

afterEach(() => {
  stack.simulator.faults.clear();
});

afterAll(async () => {
  await stack?.close();
});

const callsTo = (endpoint: string) => stack.simulator.calls()[endpoint] ?? 0;

/** Exchanges the code carried by a TrueLayer redirect ourselves, as an attacker or a replay would. */
function spendCode(redirectTo: string, authLink: string) {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: new URL(redirectTo).searchParams.get('code') ?? '',
    client_id: new URL(authLink).searchParams.get('client_id') ?? '',
    client_secret: CLIENT_SECRET,
    redirect_uri: `${stack.urls.api}/callback`,
  });
  return requestJson('POST', `${stack.urls.truelayer_auth}/connect/token`, form.toString(), {
    'content-type': 'application/x-www-form-urlencoded',
  });
}

async function journeyUnder(rules: FaultRule[], user = 'john') {
  stack.simulator.faults.set(rules);
  const before = { token: callsTo('token'), accounts: callsTo('accounts') };
  const { onboardingId } = await startJourney(stack, user);
  const view = await waitForStatus(
    stack,
    onboardingId,
    ['completed', 'failed', 'expired', 'awaiting_account_choice'],
    30_000,
  );
  return {
    onboardingId,
    view,
    calls: { token: callsTo('token') - before.token, accounts: callsTo('accounts') - before.accounts },
    events: () => stack.events(onboardingId).map((event) => event['detail-type']),
  };
}

describe('TrueLayer faults the workflow rides out', () => {
  it.each<[string, FaultRule]>([
    [
      'a 429 with Retry-After on the token call',
      { endpoint: 'token', fault: { kind: 'status', status: 429, retryAfterSeconds: 1 }, times: 1 },
    ],
    [
      'a 503 on the accounts call',
      { endpoint: 'accounts', fault: { kind: 'status', status: 503 }, times: 2 },
    ],
    [
      'a 502 on the accounts call',
      { endpoint: 'accounts', fault: { kind: 'status', status: 502 }, times: 1 },
    ],
    ['a 503 on the token call', { endpoint: 'token', fault: { kind: 'status', status: 503 }, times: 1 }],
    ['dropped connections', { endpoint: 'accounts', fault: { kind: 'drop' }, times: 2 }],
    ['a call that never answers', { endpoint: 'accounts', fault: { kind: 'timeout' }, times: 1 }],
    ['a body that is not JSON', { endpoint: 'accounts', fault: { kind: 'malformed' }, times: 1 }],
    ['added latency', { endpoint: '*', fault: { kind: 'latency', ms: 100 } }],
  ])('completes despite %s', async (_label, rule) => {
    const { view, calls, events } = await journeyUnder([rule]);
    expect(view.status).toBe('completed');
    // A fault-free journey calls each endpoint once: every faulted call was made again.
    const faulted =
      rule.endpoint === 'token' ? calls.token : rule.endpoint === 'accounts' ? calls.accounts : 2;
    expect(faulted).toBe(rule.times === undefined ? 2 : 1 + rule.times);
    expect(
      await eventually(
        async () => events(),
        (list) => list.length > 0,
      ),
    ).toEqual(['Onboarding Ready For Payment']);
  });

  it('waits at least as long as Retry-After says before calling again', async () => {
    stack.simulator.faults.set([
      { endpoint: 'accounts', fault: { kind: 'status', status: 429, retryAfterSeconds: 1 }, times: 1 },
    ]);
    const { onboardingId } = await startJourney(stack, 'john');
    const done = await waitForStatus(stack, onboardingId, ['completed', 'failed']);
    const exchanged = done.timeline.find((entry) => entry.step === 'code_exchanged');
    const stored = done.timeline.find((entry) => entry.step === 'identity_stored');
    expect(done.status).toBe('completed');
    expect(Date.parse(stored?.at ?? '') - Date.parse(exchanged?.at ?? '')).toBeGreaterThanOrEqual(1000);
  });
});

describe('TrueLayer faults that end the journey visibly', () => {
  it('fails with a reason and Onboarding Failed when TrueLayer stays down, after retrying', async () => {
    const { view, calls, events } = await journeyUnder([
      { endpoint: 'accounts', fault: { kind: 'status', status: 503 } },
    ]);

    expect(view.status).toBe('failed');
    expect(view.failure).toEqual(failureOf('truelayer_unavailable'));
    // retried in the invocation and again by the state machine, then given up
    expect(calls.accounts).toBeGreaterThan(3);
    expect(
      await eventually(
        async () => events(),
        (list) => list.length > 0,
      ),
    ).toEqual(['Onboarding Failed']);
    expect((await executionEnded(stack, view.onboarding_id)).status).toBe('FAILED');
  });

  it('does not retry a body that breaks the documented shape', async () => {
    const { view, calls } = await journeyUnder([{ endpoint: 'accounts', fault: { kind: 'schema' } }]);

    expect(view.status).toBe('failed');
    expect(view.failure?.reason).toBe('truelayer_contract_violation');
    expect(calls.accounts).toBe(1);
  });

  it.each<[string, FaultRule]>([
    ['a 500', { endpoint: 'token', fault: { kind: 'status', status: 500 }, times: 1 }],
    ['a token issued whose answer was lost', { endpoint: 'token', fault: { kind: 'lost_answer' }, times: 1 }],
    ['a dropped connection', { endpoint: 'token', fault: { kind: 'drop' }, times: 1 }],
    ['no answer', { endpoint: 'token', fault: { kind: 'timeout' }, times: 1 }],
    ['a garbled body', { endpoint: 'token', fault: { kind: 'malformed' }, times: 1 }],
  ])(
    'never sends the code twice when the token call meets %s: the journey fails code_exchange_unconfirmed',
    async (_label, rule) => {
      const { view, calls, events } = await journeyUnder([rule]);

      expect(view.status).toBe('failed');
      expect(view.failure).toEqual(failureOf('code_exchange_unconfirmed'));
      expect(calls.token).toBe(1);
      expect(calls.accounts).toBe(0);
      expect(
        await eventually(
          async () => events(),
          (list) => list.length > 0,
        ),
      ).toEqual(['Onboarding Failed']);
    },
  );

  it('refuses a stolen code to anyone without the journey’s PKCE verifier, and the journey still completes', async () => {
    const created = await createOnboarding(stack);
    const redirectTo = await authorize(stack, created.auth_link, 'john');
    const stolen = await spendCode(redirectTo, created.auth_link);
    expect(stolen.status).toBe(400);
    expect(stolen.body).toMatchObject({ error: 'invalid_grant' });

    await followRedirect(redirectTo);
    const view = await waitForStatus(stack, created.onboarding_id, ['failed', 'completed']);

    expect(view.status).toBe('completed');
  });

  it('does not retry a 401: a revoked token fails the journey after the choice', async () => {
    const created = await createOnboarding(stack);
    const redirectTo = await authorize(stack, created.auth_link, 'jane');
    await followRedirect(redirectTo);
    await waitForStatus(stack, created.onboarding_id, ['awaiting_account_choice']);
    // Replaying the code makes TrueLayer revoke every token issued from it (RFC 6749 §4.1.2).
    const replay = await spendCode(redirectTo, created.auth_link);
    expect(replay.status).toBe(400);
    const accountCalls = callsTo('accounts');

    const chosen = await requestJson(
      'POST',
      `${stack.urls.api}/onboardings/${created.onboarding_id}/account-choice`,
      {
        account_id: 'acc-8232b085624e6babf',
      },
    );
    const view = await waitForStatus(stack, created.onboarding_id, ['failed', 'completed']);

    expect(chosen.status).toBe(202);
    expect(view.status).toBe('failed');
    expect(view.failure?.reason).toBe('reconnect_required');
    expect(callsTo('accounts') - accountCalls).toBe(1);
  });

  it('fails a user TrueLayer has no data for, without retrying', async () => {
    const { view, calls, events } = await journeyUnder([], 'error.user_data_not_found');

    expect(view.status).toBe('failed');
    expect(view.failure?.reason).toBe('user_data_not_found');
    expect(calls.accounts).toBe(1);
    // the exchange that did happen stays on the record, before the failure
    expect(view.timeline.map((entry) => entry.step).slice(-2)).toEqual(['code_exchanged', 'failed']);
    expect(
      await eventually(
        async () => events(),
        (list) => list.length > 0,
      ),
    ).toEqual(['Onboarding Failed']);
  });
});
