import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorize,
  createOnboarding,
  executionEnded,
  followRedirect,
  waitForStatus,
} from '../helpers/journey.ts';

// The default lifetimes (auth links 600 s, codes 300 s), in a stack of its own whose clock the test moves.
const AUTH_LINK_TTL_SECONDS = 600;
const CODE_TTL_SECONDS = 300;
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    logLevel: 'SILENT',
    retryIntervalMs: 1,
    authLinkTtlSeconds: AUTH_LINK_TTL_SECONDS,
    trueLayerCodeTtlSeconds: CODE_TTL_SECONDS,
    clock: 'controlled',
  });
});

afterAll(async () => {
  await stack?.close();
});

describe('expiry', () => {
  it('refuses the callback of an auth link whose state has expired, and starts nothing', async () => {
    const created = await createOnboarding(stack);
    const redirectTo = await authorize(stack, created.auth_link, 'john');

    // The link's lifetime goes by, then the user arrives once.
    expect(Date.parse(created.auth_link_expires_at) - Date.now()).toBeLessThanOrEqual(
      AUTH_LINK_TTL_SECONDS * 1000,
    );
    stack.clock.advance(AUTH_LINK_TTL_SECONDS + 1);

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
    // The code's lifetime goes by, well within the link's.
    stack.clock.advance(CODE_TTL_SECONDS + 1);
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
