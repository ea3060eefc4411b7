import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  executionEnded,
  followRedirect,
  waitForStatus,
} from '../helpers/journey.ts';

// Short lifetimes in a stack of its own: auth links live five seconds (long enough for a busy
// machine to get from link to callback), codes 50 ms.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    retryIntervalMs: 1,
    authLinkTtlSeconds: 5,
    trueLayerCodeTtlSeconds: 0.05,
  });
});

afterAll(async () => {
  await stack?.close();
});

describe('expiry', () => {
  it('refuses the callback of an auth link whose state has expired, and starts nothing', async () => {
    const created = await createOnboarding(stack);
    const redirectTo = await authorize(stack, created.auth_link, 'john');

    // Wait on the clock (not on the system) until the link's expiry has passed, then arrive once.
    const expiresAt = Date.parse(created.auth_link_expires_at);
    await eventually(
      async () => Date.now(),
      (now) => now >= expiresAt + 1000,
      { timeoutMs: 10_000, intervalMs: 50 },
    );

    const response = await followRedirect(redirectTo, 'application/json');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ state_problem: 'expired' });
    expect(
      stack.stepFunctions.executions().some((execution) => execution.name === created.onboarding_id),
    ).toBe(false);
  });

  it('fails the journey when the code expired before the exchange, without retrying', async () => {
    const created = await createOnboarding(stack);
    const redirectTo = await authorize(stack, created.auth_link, 'john');
    const issuedAt = Date.now();
    // Let the 50 ms code lifetime pass (a deadline-bounded wait on the clock, not on the system under test).
    await eventually(
      async () => Date.now() - issuedAt,
      (elapsed) => elapsed > 100,
      { intervalMs: 10 },
    );
    const tokenCalls = stack.simulator.calls().token ?? 0;

    const callback = await followRedirect(redirectTo);
    expect(callback.status).toBe(302);
    const view = await waitForStatus(stack, created.onboarding_id, ['failed', 'completed']);
    // The step recorded the refusal itself: the workflow did its job.
    expect((await executionEnded(stack, created.onboarding_id)).status).toBe('SUCCEEDED');

    expect(view.status).toBe('failed');
    expect(view.failure).toMatchObject({
      reason: 'reconnect_required',
      truelayer: { status: 400, title: 'invalid_grant' },
    });
    expect((stack.simulator.calls().token ?? 0) - tokenCalls).toBe(1);
    expect(stack.events(created.onboarding_id).map((event) => event['detail-type'])).toEqual([
      'Onboarding Failed',
    ]);
  });
});
